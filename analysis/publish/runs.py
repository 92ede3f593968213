"""Run folders: a report is written into a fresh folder and published by swapping a link.

Layout of a container (``reports/`` for single reports, ``reports/<batch>/`` for a batch)::

    <name>  -> .runs/<name>.<stamp>      symlink to the last good run (swapped atomically)
    .runs/<name>.<stamp>/                one run: notebooks, HTML, charts, tables, landing page
    .runs/<name>.<stamp>/.complete       written last, when every notebook succeeded
    .runs/<name>.<stamp>/.failed         written when a notebook failed (the error is kept)
    .runs/<name>.<stamp>/.run            written first: the run folder is the project's own
    .state/<name>.json                   inputs fingerprint and outcome of the latest run
    .lock                                held while a run writes into the container
    .batch                               marks a batch's container (``reports/<batch>/``)

A run that was interrupted has no outcome marker; the next run removes it, unless a live
process still holds its ``.run`` marker. Only folders that carry the ``.run`` marker are ever
removed: a folder the project did not make is never deleted, whatever its name. A reader that
opens ``<name>`` sees either the old complete report or the new complete one, never a mix.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from analysis.atomic import write_json
from analysis.errors import AnalysisError

RUNS = ".runs"
STATE = ".state"
COMPLETE = ".complete"
FAILED = ".failed"
LOCK = ".lock"
OWNED = ".run"
BATCH_MARK = ".batch"
LATEST = "latest"
#: Names under ``reports/`` that the project keeps for itself: never a report or a batch.
RESERVED = frozenset({LATEST, "forecasts", "interactive", RUNS, STATE, LOCK})
#: Names inside a batch's folder that are not sets.
BATCH_FILES = frozenset({"index.html", "batch.json", LATEST})


class BusyError(AnalysisError):
    """Another run is writing into the same report folder."""


class NameCollisionError(AnalysisError):
    """A report or batch name that would take over a folder of another kind."""


# --- the container's lock --------------------------------------------------------------------


@contextmanager
def locked(container: Path) -> Iterator[None]:
    """Hold the container's lock, or fail at once naming the folder and who holds it.

    The lock is an ``flock``: the kernel releases it when its holder dies, so a lock left by a
    killed run never blocks the next one. The holder's pid is written into the file for the
    message only.
    """
    try:
        container.mkdir(parents=True, exist_ok=True)
        handle = open(container / LOCK, "a+")
    except OSError as exc:
        raise AnalysisError(
            f"cannot create or lock the report folder {container}: {exc.strerror}"
        ) from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read(200).strip()
            raise BusyError(
                f"another report run is writing into {container}"
                f"{f' ({holder})' if holder else ''}; wait for it to finish"
            ) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(
                f"pid {os.getpid()}, since {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}"
            )
            handle.flush()
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- names -----------------------------------------------------------------------------------


def _kind(path: Path) -> str:
    """What sits at ``path``: nothing, a report link, a batch folder, or something else."""
    if path.is_symlink():
        target = os.readlink(path)
        return "report" if Path(target).parts[:1] == (RUNS,) else "foreign link"
    if not path.exists():
        return "nothing"
    if path.is_dir() and {p.name for p in path.iterdir()} <= {LOCK}:
        return "empty folder"
    if path.is_dir() and ((path / BATCH_MARK).is_file() or (path / "batch.json").is_file()):
        return "batch"
    return "folder" if path.is_dir() else "file"


def check_output_name(container: Path, name: str, kind: str) -> Path:
    """Refuse a report (``kind='report'``) or batch (``'batch'``) name that would collide with
    a reserved folder or with an output of another kind under ``container``; return its path.

    Called before anything moves, so a refused name leaves every folder as it was.
    """
    if name in RESERVED or name.startswith("."):
        raise NameCollisionError(
            f"{kind} name {name!r} is reserved: reports/{name} is kept by the project "
            f"({', '.join(sorted(n for n in RESERVED if not n.startswith('.')))} and hidden "
            "folders are never reports or batches); choose another name"
        )
    path = container / name
    found = _kind(path)
    if found not in ("nothing", kind) and not (kind == "batch" and found == "empty folder"):
        raise NameCollisionError(
            f"{kind} name {name!r} collides with {path}, which is "
            f"{'a ' + found}{' output' if found in ('report', 'batch') else ''}; a {kind} "
            "never replaces another kind of output: choose another name"
        )
    return path


def check_set_name(container: Path, name: str) -> None:
    """A batch set's name must not be one of the batch folder's own files."""
    if name in BATCH_FILES or name.startswith("."):
        raise NameCollisionError(
            f"set name {name!r} is reserved inside a batch folder "
            f"({', '.join(sorted(BATCH_FILES))}); choose another name"
        )
    found = _kind(container / name)
    if found not in ("nothing", "report"):
        raise NameCollisionError(
            f"set name {name!r} collides with {container / name}, which "
            f"is a {found}; choose another name"
        )


def mark_batch(container: Path, name: str) -> None:
    """Mark ``container`` as a batch's folder (so a report of that name is refused)."""
    if not (container / BATCH_MARK).is_file():
        write_json({"kind": "batch", "name": name}, container / BATCH_MARK)


# --- run folders -----------------------------------------------------------------------------


def new_run(container: Path, name: str) -> Path:
    """Create and return an empty run folder for report ``name``, marked as the project's."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    run = container / RUNS / f"{name}.{stamp}-{uuid.uuid4().hex[:6]}"
    run.mkdir(parents=True)
    write_json({"name": name, "pid": os.getpid(), "started_utc": stamp}, run / OWNED)
    return run


def owned(run: Path) -> dict | None:
    """The ``.run`` marker of a run folder the project made, else None."""
    try:
        record = json.loads((run / OWNED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


@contextmanager
def writing(run: Path) -> Iterator[None]:
    """Hold a shared lock on the run's marker while writing into it (workers do, per notebook),
    so that no other run removes the folder while a live process writes there."""
    with open(Path(run) / OWNED, "rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def in_use(run: Path) -> bool:
    """Whether a live process holds the run's marker (a worker still writing there)."""
    try:
        handle = open(run / OWNED, "rb")
    except OSError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def mark(run: Path, marker: str, record: dict[str, Any]) -> None:
    """Write a run's outcome marker (``COMPLETE`` or ``FAILED``) atomically."""
    write_json(record, run / marker)


def run_outcome(run: Path) -> str:
    """``complete``, ``failed`` or ``partial`` (interrupted, or still being written)."""
    if (run / COMPLETE).is_file():
        return "complete"
    return "failed" if (run / FAILED).is_file() else "partial"


def current_run(container: Path, name: str) -> Path | None:
    """The run folder that ``<name>`` points to, if it is a complete run."""
    link = container / name
    if not link.is_symlink():
        return None
    run = link.resolve()
    return run if run.is_dir() and run_outcome(run) == "complete" else None


def promote(container: Path, name: str, run: Path) -> Path:
    """Point ``<container>/<name>`` at ``run`` in one rename; return the link.

    Only a report link is ever replaced: anything else at ``<name>`` is refused, not moved.
    """
    link = container / name
    if (container / BATCH_MARK).is_file():
        check_set_name(container, name)
    elif link.exists() or link.is_symlink():
        check_output_name(container, name, "report")
    return swap_symlink(link, os.path.relpath(run, container))


def swap_symlink(link: Path, target: str) -> Path:
    """Make ``link`` a symlink to ``target`` (relative text) in one rename; return it."""
    tmp = link.parent / f".{link.name}.{uuid.uuid4().hex}.tmp"
    os.symlink(target, tmp)
    try:
        os.replace(tmp, link)
    finally:
        if tmp.is_symlink():
            tmp.unlink()
    return link


def runs_of(container: Path, name: str) -> list[Path]:
    """Every run folder the project made for report ``name``, oldest first."""
    folder = container / RUNS
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_dir() and not p.is_symlink() and (owned(p) or {}).get("name") == name
    )


def _remove(run: Path) -> bool:
    """Remove a run folder the project made, unless a live process writes in it."""
    if owned(run) is None or in_use(run):
        return False
    shutil.rmtree(run, ignore_errors=True)
    return True


def prune(container: Path, name: str, keep: Path | None = None) -> None:
    """Remove the runs of ``name`` other than the current one and ``keep``."""
    current = current_run(container, name)
    for run in runs_of(container, name):
        if run not in {current, keep}:
            _remove(run)


def remove_partial_runs(container: Path) -> list[Path]:
    """Remove runs that never finished (an earlier run was interrupted); call under the lock.

    Only the project's own run folders (with a ``.run`` marker) are removed, and none that a
    live process still writes into.
    """
    folder = container / RUNS
    removed = []
    if folder.is_dir():
        for run in folder.iterdir():
            if (
                run.is_dir()
                and not run.is_symlink()
                and run_outcome(run) == "partial"
                and _remove(run)
            ):
                removed.append(run)
    for tmp in container.glob(".*.tmp"):
        if tmp.is_symlink() or tmp.is_file():
            tmp.unlink(missing_ok=True)
    return removed


def read_state(container: Path, name: str) -> dict[str, Any]:
    path = container / STATE / f"{name}.json"
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def write_state(container: Path, name: str, state: dict[str, Any]) -> None:
    write_json(state, container / STATE / f"{name}.json")
