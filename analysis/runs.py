"""Run folders: a report is written into a fresh folder and published by swapping a link.

Layout of a container (``reports/`` for single reports, ``reports/<batch>/`` for a batch)::

    <name>  -> .runs/<name>.<stamp>      symlink to the last good run (swapped atomically)
    .runs/<name>.<stamp>/                one run: notebooks, HTML, charts, tables, landing page
    .runs/<name>.<stamp>/.complete       written last, when every notebook succeeded
    .runs/<name>.<stamp>/.failed         written when a notebook failed (the error is kept)
    .state/<name>.json                   inputs fingerprint and outcome of the latest run
    .lock                                held while a run writes into the container

A run that was interrupted has neither marker; the next run removes it. A reader that opens
``<name>`` sees either the old complete report or the new complete one, never a mix.
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

from .atomic import write_json
from .errors import AnalysisError

RUNS = ".runs"
STATE = ".state"
COMPLETE = ".complete"
FAILED = ".failed"
LOCK = ".lock"


class BusyError(AnalysisError):
    """Another run is writing into the same report folder."""


@contextmanager
def locked(container: Path) -> Iterator[None]:
    """Hold the container's lock, or fail at once naming the folder that is busy."""
    container.mkdir(parents=True, exist_ok=True)
    with open(container / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BusyError(f"another report run is writing into {container}; wait for it "
                            "to finish") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_run(container: Path, name: str) -> Path:
    """Create and return an empty run folder for report ``name``."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    run = container / RUNS / f"{name}.{stamp}-{uuid.uuid4().hex[:6]}"
    run.mkdir(parents=True)
    return run


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

    A real folder left at ``<name>`` by an older layout is moved into ``.runs`` first.
    """
    link = container / name
    if link.exists() and not link.is_symlink():
        legacy = container / RUNS / f"{name}.legacy-{uuid.uuid4().hex[:6]}"
        os.replace(link, legacy)
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
    """Every run folder of report ``name``, oldest first."""
    folder = container / RUNS
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_dir() and p.name.rsplit(".", 1)[0] == name)


def prune(container: Path, name: str, keep: Path | None = None) -> None:
    """Remove the runs of ``name`` other than the current one and ``keep``."""
    current = current_run(container, name)
    for run in runs_of(container, name):
        if run not in {current, keep}:
            shutil.rmtree(run, ignore_errors=True)


def remove_partial_runs(container: Path) -> list[Path]:
    """Remove runs that never finished (an earlier run was interrupted); call under the lock."""
    folder = container / RUNS
    removed = []
    if folder.is_dir():
        for run in folder.iterdir():
            if run.is_dir() and run_outcome(run) == "partial" \
                    and not run.name.split(".")[-1].startswith("legacy"):
                shutil.rmtree(run, ignore_errors=True)
                removed.append(run)
    for tmp in container.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)
    return removed


def read_state(container: Path, name: str) -> dict[str, Any]:
    path = container / STATE / f"{name}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def write_state(container: Path, name: str, state: dict[str, Any]) -> None:
    write_json(state, container / STATE / f"{name}.json")
