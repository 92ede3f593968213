"""The kernel side of a warm kernel: what a kept kernel runs before each notebook.

:mod:`analysis.publish.warm` keeps one Jupyter kernel per worker and, before each notebook,
asks it to run :func:`restore`. This module lives inside that kernel: :func:`snapshot` records
the state of a freshly started kernel once (working directory, environment, ``sys.path``,
warning filters, matplotlib's settings, the global random states), and :func:`restore` clears
the user namespace and puts all of that back, so that no notebook sees what the one before it
defined or changed. Imported modules stay imported: that is what makes the kernel warm.
"""

from __future__ import annotations

import os
import random
import sys
import warnings
from dataclasses import dataclass
from typing import Any, cast


@dataclass(frozen=True)
class KernelState:
    """What a fresh kernel starts with, as :func:`snapshot` found it."""

    cwd: str
    environ: dict[str, str]
    path: list[str]
    warning_filters: list[Any]
    rc: Any  # matplotlib.RcParams
    python_random: Any
    numpy_random: Any


_STATE: list[KernelState] = []  # the kernel's one snapshot (a kernel process runs this module)


def snapshot() -> KernelState:
    """Record the kernel's state as it is now (right after start-up and the warm imports)."""
    import matplotlib as mpl
    import numpy as np

    state = KernelState(
        cwd=os.getcwd(),
        environ=dict(os.environ),
        path=list(sys.path),
        warning_filters=list(warnings.filters),
        rc=mpl.rcParams.copy(),
        python_random=random.getstate(),
        numpy_random=np.random.get_state(),
    )
    _STATE[:] = [state]
    return state


def restore(cwd: str, shell: Any) -> None:
    """Clear the user namespace of ``shell`` (the kernel's IPython shell) and restore the
    snapshot, with ``cwd`` as the working directory of the next notebook."""
    import matplotlib as mpl
    import matplotlib.pyplot as plt
    import numpy as np

    if not _STATE:
        raise RuntimeError("warm kernel: restore() before snapshot()")
    state = _STATE[0]
    shell.reset(new_session=False)
    plt.close("all")
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(state.environ)
    sys.path[:] = state.path
    cast(list, warnings.filters)[:] = state.warning_filters
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated keys in the snapshot warn when set again
        mpl.rcParams.update(state.rc)
    random.setstate(state.python_random)
    np.random.set_state(state.numpy_random)
