"""Run report sets as notebook tasks, here or on a Dask cluster, and publish each finished set.

Every notebook of every set is one task (``report.run_notebook``), handed out in set order so
that sets finish one after another, and within a set the longest first
(:mod:`analysis.publish.order`). Workers only write inside their run folder; this process
alone publishes a finished set (landing page, ``.complete`` marker, link swap, state file), so
a worker that is stopped half-way never leaves anything where a reader looks.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis import __version__
from analysis.errors import AnalysisError
from analysis.freeze import software_versions
from analysis.paths import ProjectPaths
from analysis.publish.order import longest_first, previous_seconds
from analysis.publish.runs import (
    COMPLETE,
    FAILED,
    mark,
    new_run,
    promote,
    prune,
    read_state,
    write_state,
)


@dataclass(frozen=True)
class SetSpec:
    """One report to make: where it goes, its notebooks and parameters, its inputs key."""

    container: Path
    name: str
    parameters: dict[str, Any]
    notebooks: tuple[Path, ...]
    key: str
    cwd: Path
    processed: Path
    inputs: dict[str, Any] = field(default_factory=dict)
    git_commit: str = "unknown"
    #: The project folder (``--root``); notebooks read their other inputs from it.
    root: Path | None = None


@dataclass(frozen=True)
class SetOutcome:
    name: str
    ok: bool
    run: Path
    seconds: float
    errors: tuple[str, ...] = ()
    failed_pages: tuple[str, ...] = ()


class Interrupted(Exception):
    """The run was stopped (Ctrl-C or SIGTERM); finished sets are published, the rest not."""


# --- executors -----------------------------------------------------------------------------

POLL_SECONDS = 0.25
PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """Make this worker get SIGTERM when ``parent`` dies, even by SIGKILL: Linux's parent-death
    signal, with a polling thread where that is not available. Its kernels follow it within a
    second (ipykernel exits when its parent process is gone)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _children() -> list[int]:
    """This process's children (its kernels), read from /proc; empty where there is none."""
    me, found = os.getpid(), []
    for entry in os.scandir("/proc") if os.path.isdir("/proc") else ():
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me:
                found.append(int(entry.name))
    return found


def _on_sigterm(parent: int) -> Callable[..., None]:
    """SIGTERM while the parent lives (the run is cancelled): unwind, so papermill shuts its
    kernel down. Once the parent is gone (it was killed): kill the kernels and leave at once,
    since a clean shut-down of a busy kernel can wait on it indefinitely."""

    def handler(*_: Any) -> None:
        if os.getppid() == parent:
            sys.exit(143)
        for child in _children():
            try:
                os.kill(child, signal.SIGKILL)
            except OSError:
                pass
        os._exit(143)

    return handler


def _exit_again(unraisable: Any) -> None:
    """A SIGTERM that arrived inside a callback Python cannot raise from (a weakref or a
    ``__del__``) would be printed as a traceback and lost: send it again a moment later, from
    a thread, so that it lands once the callback has returned."""
    if isinstance(unraisable.exc_value, SystemExit):
        threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGTERM)).start()
        return
    sys.__unraisablehook__(unraisable)


def _worker_init(parent: int) -> None:
    """Local worker: Ctrl-C is the parent's to handle; SIGTERM unwinds so kernels stop; the
    worker and its kernels never outlive the run that started them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_sigterm(parent))
    sys.unraisablehook = _exit_again
    _die_with(parent)


class PoolExecutor:
    """``--jobs N``: N worker processes on this machine (one for ``--jobs 1``: a notebook never
    runs in the process that handles Ctrl-C, so an interrupt is never lost inside it)."""

    def __init__(self, jobs: int):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.slots = jobs
        self.pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
            initargs=(os.getpid(),),
        )

    def submit(self, fn: Callable, arg: Any):
        return self.pool.submit(fn, arg)

    def wait_one(self, pending: list, timeout: float) -> tuple[Any, Any] | None:
        """A finished task and its result, or None when none finished within ``timeout``."""
        from concurrent.futures import FIRST_COMPLETED, wait

        done, _ = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
        if not done:
            return None
        future = next(iter(done))
        return future, future.result()

    def close(self, cancel: bool = False) -> None:
        if cancel:
            processes = list(getattr(self.pool, "_processes", {}).values())
            self.pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()  # unwinds papermill, which shuts its kernel down
            for process in processes:
                process.join(timeout=15)
                if process.is_alive():  # its kernel follows it (ipykernel's parent poller)
                    process.kill()
                    process.join(timeout=5)
        else:
            self.pool.shutdown(wait=True)


CONNECT_SECONDS = 10.0


class DaskUnreachable(AnalysisError):
    """The Dask scheduler named by ``--dask`` did not answer."""


class DaskExecutor:
    """``--dask ADDRESS``: tasks on an existing Dask cluster; ``--dask local`` starts one.

    The workers must see the project's folders at the same paths (one machine, or a shared
    file system) and have the package installed.
    """

    def __init__(self, address: str, jobs: int, timeout: float = CONNECT_SECONDS):
        from distributed import Client, LocalCluster

        self.cluster = None
        if address == "local":
            self.cluster = LocalCluster(
                n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(address, timeout=f"{timeout}s")
            except (OSError, TimeoutError, ValueError) as exc:
                reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
                raise DaskUnreachable(
                    f"--dask {address}: no Dask scheduler answered within {timeout:g} s "
                    f"({reason}); start one (`dask scheduler`) or use --dask local"
                ) from None
        self.slots = max(1, sum(self.client.nthreads().values()))

    def submit(self, fn: Callable, arg: Any):
        return self.client.submit(fn, arg, pure=False)

    def wait_one(self, pending: list, timeout: float) -> tuple[Any, Any] | None:
        from distributed import wait

        try:
            done, _ = wait(pending, timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return None
        if not done:
            return None
        future = next(iter(done))
        return future, future.result()

    def close(self, cancel: bool = False) -> None:
        try:
            if cancel:
                self.client.cancel(list(self.client.futures.values()), force=True)
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def make_executor(jobs: int, dask: str | None = None):
    return DaskExecutor(dask, jobs) if dask else PoolExecutor(jobs)


# --- running sets --------------------------------------------------------------------------


@dataclass
class _Progress:
    spec: SetSpec
    run: Path
    started: float
    started_utc: str
    given: dict[str, dict[str, Any]] = field(default_factory=dict)
    outcomes: dict[str, Any] = field(default_factory=dict)


@contextmanager
def _stop_requests() -> Iterator[threading.Event]:
    """An event set by Ctrl-C or SIGTERM while the sets run.

    The handlers only set the event; the scheduling loop checks it between short waits. An
    exception raised from a signal handler can land anywhere, even in a weakref callback,
    where Python ignores it, and the interrupt would be lost.
    """
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_sets(
    specs: list[SetSpec],
    executor,
    on_event: Callable[[str, Any], None],
    fresh_kernels: bool = False,
) -> Iterator[SetOutcome]:
    """Run every set's notebooks through ``executor``; yield each set's outcome as it finishes.

    ``on_event(kind, value)`` hears ``start`` (a set's name) as its first notebook is handed
    out. Raises ``Interrupted`` on Ctrl-C or SIGTERM, after stopping the workers; the sets
    already yielded stay published. ``fresh_kernels``: one kernel per notebook instead of
    each worker's kept one.
    """
    single_threaded = executor.slots > 1
    queue: deque[tuple[SetSpec, Path]] = deque(
        (spec, source)
        for spec in specs
        for source in longest_first(
            spec.notebooks, previous_seconds(read_state(spec.container, spec.name))
        )
    )
    state: dict[str, _Progress] = {}
    pending: dict[Any, str] = {}
    cancel = True
    with _stop_requests() as stop:
        try:
            kernels = (single_threaded, fresh_kernels)
            yield from _schedule(queue, state, pending, executor, on_event, stop, kernels)
            cancel = False
        except KeyboardInterrupt:
            raise Interrupted() from None
        finally:
            executor.close(cancel=cancel)


def _schedule(
    queue: deque,
    state: dict[str, _Progress],
    pending: dict,
    executor,
    on_event: Callable[[str, Any], None],
    stop: threading.Event,
    kernels: tuple[bool, bool],
) -> Iterator[SetOutcome]:
    """Hand out notebook tasks in set order; yield each set as its last notebook finishes."""
    while queue or pending:
        if stop.is_set():
            raise KeyboardInterrupt
        while queue and len(pending) < executor.slots:
            spec, source = queue.popleft()
            pending[_submit(spec, source, state, executor, on_event, kernels)] = spec.name
        finished = executor.wait_one(list(pending), POLL_SECONDS)
        if finished is None:
            continue
        handle, outcome = finished
        progress = state[pending.pop(handle)]
        progress.outcomes[outcome.stem] = outcome
        if len(progress.outcomes) == len(progress.spec.notebooks):
            yield _finish(progress)


def _submit(
    spec: SetSpec,
    source: Path,
    state: dict[str, _Progress],
    executor,
    on_event: Callable[[str, Any], None],
    kernels: tuple[bool, bool],
) -> Any:
    """Start one notebook of ``spec`` (making the set's run folder first); its handle.
    ``kernels``: whether kernels run single-threaded, and whether each gets a fresh one."""
    from analysis.publish.execute import NotebookTask, run_notebook

    if spec.name not in state:
        state[spec.name] = _Progress(
            spec,
            new_run(spec.container, spec.name),
            time.perf_counter(),
            dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        on_event("start", spec.name)
    progress = state[spec.name]
    progress.given[source.stem] = _given(spec, progress.run, source)
    task = NotebookTask(
        source=source,
        run=progress.run,
        cwd=spec.cwd,
        parameters=progress.given[source.stem],
        title=f"{source.stem.replace('_', ' ')}, release {spec.parameters.get('release')}",
        single_threaded=kernels[0],
        fresh_kernel=kernels[1],
    )
    return executor.submit(run_notebook, task)


def _given(spec: SetSpec, run: Path, source: Path) -> dict[str, Any]:
    from analysis.publish.notebooks import declared_parameters

    common = {**spec.parameters, "processed_dir": str(spec.processed), "output_dir": str(run)}
    if spec.root is not None:
        common["project_root"] = str(spec.root)
    declared = declared_parameters(source)
    return {k: v for k, v in common.items() if k in declared}


def _finish(progress: _Progress) -> SetOutcome:
    """Publish a set whose notebooks all ran: on success swap its link; record the state."""
    from analysis.publish.landing import copy_calibration, write_landing_page

    spec, run = progress.spec, progress.run
    order = [p.stem for p in spec.notebooks]
    outcomes = [progress.outcomes[stem] for stem in order]
    seconds = round(time.perf_counter() - progress.started, 1)
    errors = tuple(o.error for o in outcomes if not o.ok)
    summaries = [o.summary for o in outcomes if not o.ok]
    finished = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    state = {
        "key": spec.key,
        "parameters": spec.parameters,
        "run": run.name,
        "started_utc": progress.started_utc,
        "finished_utc": finished,
        "seconds": seconds,
        "notebooks": {o.stem: o.seconds for o in outcomes},
    }
    failed_pages = tuple(o.html for o in outcomes if not o.ok and o.html)
    if not errors:
        sections = [(o.stem, o.html, progress.given[o.stem]) for o in outcomes]
        try:
            project = ProjectPaths.at(spec.root)
            for source in (project.reports / "calibration", project.root / "docs" / "calibration"):
                if copy_calibration(source, run):  # a fresh run, else the committed last one
                    break
            write_landing_page(run, sections, _provenance(progress, seconds))
        except AnalysisError as exc:  # e.g. a damaged results record: the set fails
            errors = (str(exc),)
            summaries = [str(exc)]
    if errors:
        mark(run, FAILED, {"errors": list(errors), "finished_utc": finished})
        write_state(
            spec.container,
            spec.name,
            {
                **state,
                "status": "failed",
                "errors": list(errors),
                "error_summary": summaries[0],
                "failed_pages": list(failed_pages),
            },
        )
        prune(spec.container, spec.name, keep=run)
        return SetOutcome(spec.name, False, run, seconds, errors, failed_pages)
    mark(run, COMPLETE, {"key": spec.key, "finished_utc": finished})
    promote(spec.container, spec.name, run)
    write_state(spec.container, spec.name, {**state, "status": "ok"})
    prune(spec.container, spec.name)
    return SetOutcome(spec.name, True, run, seconds)


def _provenance(progress: _Progress, seconds: float) -> dict[str, Any]:
    spec = progress.spec
    return {
        "release": spec.parameters.get("release"),
        "inputs": spec.inputs,
        "package_version": __version__,
        "git_commit": spec.git_commit,
        "software": software_versions(),
        "parameters": dict(spec.parameters),
        "started_utc": progress.started_utc,
        "run_seconds": seconds,
    }
