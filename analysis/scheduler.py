"""Run report sets as notebook tasks, here or on a Dask cluster, and publish each finished set.

Every notebook of every set is one task (``report.run_notebook``), handed out in set order so
that sets finish one after another. Workers only write inside their run folder; this process
alone publishes a finished set (landing page, ``.complete`` marker, link swap, state file), so
a worker that is stopped half-way never leaves anything where a reader looks.
"""

from __future__ import annotations

import datetime as dt
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .runs import COMPLETE, FAILED, mark, new_run, promote, prune, write_state


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

class InlineExecutor:
    """Runs tasks one at a time in this process (``--jobs 1``)."""

    slots = 1

    def submit(self, fn: Callable, arg: Any) -> Callable[[], Any]:
        return lambda: fn(arg)

    def wait_one(self, pending: list) -> tuple[Any, Any]:
        return pending[0], pending[0]()

    def close(self, cancel: bool = False) -> None:
        pass


def _worker_init() -> None:
    """Local worker: Ctrl-C is the parent's to handle; SIGTERM unwinds so kernels stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


class PoolExecutor:
    """``--jobs N``: N worker processes on this machine."""

    def __init__(self, jobs: int):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.slots = jobs
        self.pool = ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
        )

    def submit(self, fn: Callable, arg: Any):
        return self.pool.submit(fn, arg)

    def wait_one(self, pending: list) -> tuple[Any, Any]:
        from concurrent.futures import FIRST_COMPLETED, wait

        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        future = next(iter(done))
        return future, future.result()

    def close(self, cancel: bool = False) -> None:
        if cancel:
            processes = list(getattr(self.pool, "_processes", {}).values())
            self.pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            for process in processes:
                process.join(timeout=30)
        else:
            self.pool.shutdown(wait=True)


class DaskExecutor:
    """``--dask ADDRESS``: tasks on an existing Dask cluster; ``--dask local`` starts one.

    The workers must see the project's folders at the same paths (one machine, or a shared
    file system) and have the package installed.
    """

    def __init__(self, address: str, jobs: int):
        from distributed import Client, LocalCluster

        self.cluster = None
        if address == "local":
            self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster)
        else:
            self.client = Client(address, timeout="30s")
        self.slots = max(1, sum(self.client.nthreads().values()))

    def submit(self, fn: Callable, arg: Any):
        return self.client.submit(fn, arg, pure=False)

    def wait_one(self, pending: list) -> tuple[Any, Any]:
        from distributed import wait

        done, _ = wait(pending, return_when="FIRST_COMPLETED")
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
    if dask:
        return DaskExecutor(dask, jobs)
    return PoolExecutor(jobs) if jobs > 1 else InlineExecutor()


# --- running sets --------------------------------------------------------------------------

@dataclass
class _Progress:
    spec: SetSpec
    run: Path
    started: float
    started_utc: str
    given: dict[str, dict[str, Any]] = field(default_factory=dict)
    outcomes: dict[str, Any] = field(default_factory=dict)


def _sigterm_to_interrupt(*_: Any) -> None:
    raise KeyboardInterrupt


def run_sets(specs: list[SetSpec], executor, on_event: Callable[[str, Any], None]
             ) -> Iterator[SetOutcome]:
    """Run every set's notebooks through ``executor``; yield each set's outcome as it finishes.

    ``on_event(kind, value)`` hears ``start`` (a set's name) as its first notebook is handed
    out. Raises ``Interrupted`` on Ctrl-C or SIGTERM, after stopping the workers; the sets
    already yielded stay published.
    """
    from .report import NotebookTask, run_notebook

    single_threaded = not isinstance(executor, InlineExecutor)
    queue: deque[tuple[SetSpec, Path]] = deque(
        (spec, source) for spec in specs for source in spec.notebooks)
    state: dict[str, _Progress] = {}
    pending: dict[Any, str] = {}
    previous = signal.signal(signal.SIGTERM, _sigterm_to_interrupt) \
        if _in_main_thread() else None
    cancel = True
    try:
        while queue or pending:
            while queue and len(pending) < executor.slots:
                spec, source = queue.popleft()
                if spec.name not in state:
                    state[spec.name] = _Progress(
                        spec, new_run(spec.container, spec.name), time.perf_counter(),
                        dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
                    on_event("start", spec.name)
                progress = state[spec.name]
                progress.given[source.stem] = _given(spec, progress.run, source)
                task = NotebookTask(
                    source=source, run=progress.run, cwd=spec.cwd,
                    parameters=progress.given[source.stem],
                    title=f"{source.stem.replace('_', ' ')}, release "
                          f"{spec.parameters.get('release')}",
                    single_threaded=single_threaded,
                )
                pending[executor.submit(run_notebook, task)] = spec.name
            handle, outcome = executor.wait_one(list(pending))
            progress = state[pending.pop(handle)]
            progress.outcomes[outcome.stem] = outcome
            if len(progress.outcomes) == len(progress.spec.notebooks):
                yield _finish(progress)
        cancel = False
    except KeyboardInterrupt:
        raise Interrupted() from None
    finally:
        executor.close(cancel=cancel)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _given(spec: SetSpec, run: Path, source: Path) -> dict[str, Any]:
    from .notebooks import declared_parameters

    common = {**spec.parameters, "processed_dir": str(spec.processed), "output_dir": str(run)}
    declared = declared_parameters(source)
    return {k: v for k, v in common.items() if k in declared}


def _finish(progress: _Progress) -> SetOutcome:
    """Publish a set whose notebooks all ran: on success swap its link; record the state."""
    from .landing import write_landing_page

    spec, run = progress.spec, progress.run
    order = [p.stem for p in spec.notebooks]
    outcomes = [progress.outcomes[stem] for stem in order]
    seconds = round(time.perf_counter() - progress.started, 1)
    errors = tuple(o.error for o in outcomes if not o.ok)
    finished = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    state = {"key": spec.key, "parameters": spec.parameters, "run": run.name,
             "started_utc": progress.started_utc, "finished_utc": finished,
             "seconds": seconds, "notebooks": {o.stem: o.seconds for o in outcomes}}
    if errors:
        failed_pages = tuple(o.html for o in outcomes if not o.ok and o.html)
        mark(run, FAILED, {"errors": list(errors), "finished_utc": finished})
        write_state(spec.container, spec.name,
                    {**state, "status": "failed", "errors": list(errors),
                     "failed_pages": list(failed_pages)})
        prune(spec.container, spec.name, keep=run)
        return SetOutcome(spec.name, False, run, seconds, errors, failed_pages)
    sections = [(o.stem, o.html, progress.given[o.stem]) for o in outcomes]
    provenance = {
        "release": spec.parameters.get("release"),
        "inputs": spec.inputs,
        "package_version": __version__,
        "git_commit": spec.git_commit,
        "parameters": dict(spec.parameters),
        "started_utc": progress.started_utc,
        "run_seconds": seconds,
    }
    write_landing_page(run, sections, provenance)
    mark(run, COMPLETE, {"key": spec.key, "finished_utc": finished})
    promote(spec.container, spec.name, run)
    write_state(spec.container, spec.name, {**state, "status": "ok"})
    prune(spec.container, spec.name)
    return SetOutcome(spec.name, True, run, seconds)

