"""Warm kernels: one Jupyter kernel per worker, kept between notebooks.

A fresh kernel per notebook pays the start-up and the imports of pandas, statsmodels,
matplotlib and the package every time. A :class:`KernelKeeper` starts one kernel, imports the
heavy modules once (:data:`WARM_IMPORTS`), records the kernel's fresh state
(:func:`analysis.publish.warmside.snapshot`) and, before every notebook, restores it
(:func:`~analysis.publish.warmside.restore`: namespace cleared, working directory,
environment, ``sys.path``, warning filters, matplotlib settings and random states put back).
The notebook itself still runs through papermill, so the executed copy is the same record as
with a fresh kernel: parameters injected, papermill metadata, outputs.

A kernel is recycled after :attr:`KernelKeeper.recycle_after` notebooks and after any error or
time-out. ``--fresh-kernels`` (``NotebookTask.fresh_kernel``) keeps one kernel per notebook.
"""

from __future__ import annotations

import atexit
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: What a warm kernel imports once, before its first notebook: the report's heavy stack.
WARM_IMPORTS = (
    "import numpy, pandas, scipy.stats, statsmodels.api, matplotlib.pyplot, seaborn\n"
    "import analysis.findings.cards, analysis.figures.style, analysis.figures.tables\n"
    "import analysis.data.overview, analysis.models.trend, analysis.models.forecast\n"
    "import analysis.publish.warmside as _warmside\n"
    "%matplotlib inline\n"
    "_warmside.snapshot()\n"
    "del _warmside\n"
)
#: What the kept kernel runs before each notebook (``cwd``: the notebook's working directory).
RESET = "import analysis.publish.warmside as _w\n_w.restore({cwd!r}, get_ipython())"
#: Notebooks one kernel runs before it is replaced by a fresh one.
RECYCLE_AFTER = 20
#: Seconds a warm-up or a reset may take.
SETUP_SECONDS = 120


class WarmKernelError(RuntimeError):
    """The kept kernel failed to warm up or to reset; the notebook was not run in it."""


@dataclass
class KernelKeeper:
    """One kept kernel and the number of notebooks it ran (see the module's docstring)."""

    kernel_name: str
    single_threaded: bool = False
    recycle_after: int = RECYCLE_AFTER
    manager: Any = None
    client: Any = None
    runs: int = 0
    starts: int = field(default=0)

    def execute(self, source: Path, executed: Path, parameters: dict, cwd: Path) -> None:
        """Run ``source`` with ``parameters`` into ``executed`` in the kept kernel (started
        and warmed first when there is none), with ``cwd`` as its working directory."""
        import papermill

        if self.manager is None:
            self._start(cwd)
        try:
            self._run(RESET.format(cwd=str(cwd)))
            papermill.execute_notebook(
                str(source),
                str(executed),
                parameters=parameters,
                kernel_name=self.kernel_name,
                cwd=str(cwd),
                progress_bar=False,
                log_output=False,
                km=self.manager,
            )
        except BaseException:
            self.shutdown()  # an error or a time-out: the next notebook gets a fresh kernel
            raise
        self.runs += 1
        if self.runs >= self.recycle_after:
            self.shutdown()

    def _start(self, cwd: Path) -> None:
        from jupyter_client.blocking import BlockingKernelClient
        from jupyter_client.utils import run_sync

        from analysis.publish.kernels import IPCKernelManager, SingleThreadIPCKernelManager

        manager_class = SingleThreadIPCKernelManager if self.single_threaded else IPCKernelManager
        self.manager = manager_class(kernel_name=self.kernel_name)
        run_sync(self.manager.start_kernel)(cwd=str(cwd))
        client = BlockingKernelClient(parent=self.manager)  # alive = its process, not a heartbeat
        client.load_connection_info(self.manager.get_connection_info())
        client.start_channels()
        self.client = client
        self.runs, self.starts = 0, self.starts + 1
        try:
            client.wait_for_ready(timeout=SETUP_SECONDS)
            self._run(WARM_IMPORTS)
        except BaseException:
            self.shutdown()
            raise

    def _run(self, code: str) -> None:
        """Run ``code`` in the kept kernel outside any notebook; WarmKernelError if it fails."""
        errors: list[str] = []

        def collect(message: dict) -> None:
            content = message.get("content", {})
            if message.get("msg_type") == "error":
                errors.append(f"{content.get('ename')}: {content.get('evalue')}")

        reply = self.client.execute_interactive(
            code, store_history=False, timeout=SETUP_SECONDS, output_hook=collect
        )
        if reply["content"].get("status") != "ok" or errors:
            raise WarmKernelError(f"warm kernel set-up failed: {'; '.join(errors) or reply}")

    @property
    def pid(self) -> int | None:
        """The kept kernel's process id (None when no kernel is kept)."""
        provisioner = getattr(self.manager, "provisioner", None)
        process = getattr(provisioner, "process", None)
        return getattr(process, "pid", None)

    def shutdown(self) -> None:
        """Stop the kept kernel, if any (the next notebook starts a fresh one)."""
        from jupyter_client.utils import run_sync

        client, manager = self.client, self.manager
        self.client = self.manager = None
        if client is not None:
            client.stop_channels()
        if manager is not None and manager.has_kernel:
            run_sync(manager.shutdown_kernel)(now=True)


_KEEPERS: dict[tuple[str, bool], KernelKeeper] = {}  # this worker process's kept kernels


def keeper(kernel_name: str, single_threaded: bool) -> KernelKeeper:
    """This process's keeper for ``kernel_name`` (made on first use, stopped at exit)."""
    key = (kernel_name, single_threaded)
    if key not in _KEEPERS:
        if not _KEEPERS:
            atexit.register(shutdown_all)
        _KEEPERS[key] = KernelKeeper(kernel_name, single_threaded)
    return _KEEPERS[key]


def shutdown_all() -> None:
    """Stop every kernel this process keeps."""
    for kept in _KEEPERS.values():
        kept.shutdown()
