"""Jupyter kernel managers for report runs: local IPC sockets with unique paths."""

from __future__ import annotations

import os
import tempfile
import uuid

from jupyter_client.manager import AsyncKernelManager


class IPCKernelManager(AsyncKernelManager):
    """Kernel manager that talks to the kernel over local IPC sockets instead of TCP, so the
    kernel neither listens on the network nor warns about unencrypted TCP on every run."""

    extra_env: dict[str, str] = {}

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        # A unique socket path: jupyter_client's default is ``kernel-ipc`` in the working
        # directory, which kernels started side by side in one folder would share.
        kwargs.setdefault(
            "ip", os.path.join(tempfile.gettempdir(), f"kernel-{uuid.uuid4().hex[:16]}")
        )
        super().__init__(**kwargs)

    async def _async_interrupt_kernel(self) -> None:
        # jupyter_client interrupts (SIGINT) every kernel it shuts down, and ipykernel then
        # prints "KeyboardInterrupt caught in kernel"; a report's kernels are idle by then.
        if not self.shutting_down:
            await super()._async_interrupt_kernel()

    async def _async_pre_start_kernel(self, **kw):
        if self.extra_env:
            kw["env"] = {**kw.get("env", os.environ), **self.extra_env}
        return await super()._async_pre_start_kernel(**kw)


class SingleThreadIPCKernelManager(IPCKernelManager):
    """For kernels that run side by side: one BLAS/OpenMP thread each, so that two kernels
    on two cores do not fight over four threads."""

    extra_env = {
        name: "1"
        for name in (
            "OMP_NUM_THREADS",
            "OPENBLAS_NUM_THREADS",
            "MKL_NUM_THREADS",
            "NUMEXPR_NUM_THREADS",
        )
    }
