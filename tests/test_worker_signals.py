"""A SIGTERM to a local worker always ends it quietly, even when it lands inside a callback
from which Python cannot raise (a weakref callback or ``__del__``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from types import SimpleNamespace

from analysis.publish import scheduler

WORKER = textwrap.dedent(
    """
    import os, signal, sys, weakref
    from analysis.publish.scheduler import _worker_init

    _worker_init(os.getppid())

    class Thing:
        pass

    def callback(_ref):
        os.kill(os.getpid(), signal.SIGTERM)
        total = 0
        for i in range(100_000):  # the handler runs here, inside the callback
            total += i

    thing = Thing()
    ref = weakref.ref(thing, callback)
    del thing
    for _ in range(10_000_000):
        pass
    print("still running")
    """
)


def test_a_sigterm_inside_a_weakref_callback_ends_the_worker_without_a_traceback():
    done = subprocess.run(
        [sys.executable, "-c", WORKER], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 143
    assert "Traceback" not in done.stderr and "still running" not in done.stdout


def test_a_lost_exit_is_delivered_again_and_other_errors_reach_the_default_hook(monkeypatch):
    raised: list[tuple] = []
    shown: list[object] = []
    monkeypatch.setattr(scheduler.os, "kill", lambda *args: raised.append(args))
    monkeypatch.setattr(sys, "__unraisablehook__", shown.append)
    lost_exit = SimpleNamespace(exc_value=SystemExit(143))
    other = SimpleNamespace(exc_value=ValueError("boom"))
    scheduler._exit_again(lost_exit)
    scheduler._exit_again(other)
    deadline = time.monotonic() + 5
    while not raised and time.monotonic() < deadline:
        time.sleep(0.01)
    assert raised == [(os.getpid(), signal.SIGTERM)]
    assert shown == [other]
