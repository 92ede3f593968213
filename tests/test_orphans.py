"""A batch killed outright (SIGKILL) leaves no worker or kernel alive, and the next run cleans
up after it; Ctrl-C exits with 130. Starts kernels, so it sits in the slower tier."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from analysis.publish.batch import run_batch
from analysis.publish.runs import COMPLETE, RUNS, read_state
from tests import test_batch
from tests.test_batch import _grid, _start_batch, _wait_for

project = test_batch.project  # the small two-notebook project, as a fixture here too

pytestmark = pytest.mark.kernel


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (children, grandchildren, ...), read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    """The pids of ``pids`` that still run (zombies count as gone)."""
    out = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.add(pid)
    return out


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _kernels(pids) -> list[int]:
    """The pids of ``pids`` that run a Jupyter kernel."""
    return [p for p in pids if b"ipykernel" in _cmdline(p)]


def describe(pids: set[int]) -> list[str]:
    """Each pid with its command line, for the failure message."""
    out = []
    for pid in sorted(pids):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            cmd = "?"
        out.append(f"{pid}: {cmd[:120]}")
    return out


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_a_killed_batch_leaves_no_worker_or_kernel_and_the_next_run_cleans_up(project):
    grid = _grid(project, "sets:\n  - {name: slow, x: slow}\n  - {name: other, x: slow}\n")
    folder = project.reports / "trial"
    process = _start_batch(project, grid, "--jobs", "2", delay="120")
    # Both workers run a kernel: the parent, two workers, two kernels and more are below it.
    _wait_for(
        lambda: (folder / RUNS).is_dir() and len(list((folder / RUNS).glob("*.*"))) == 2, timeout=90
    )
    # A busy machine may start the second kernel seconds after the run files appear.
    _wait_for(lambda: len(_kernels(descendants(process.pid))) >= 2, timeout=60)
    below = descendants(process.pid)
    kernels = _kernels(below)
    assert len(kernels) >= 2, below

    process.kill()
    process.wait(timeout=30)  # not communicate(): a live orphan would hold the pipes open
    deadline = time.monotonic() + 20
    while alive(below) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert alive(below) == set(), f"outlived the killed batch: {describe(alive(below))}"

    partial = sorted((folder / RUNS).iterdir())
    assert len(partial) == 2 and not any((p / COMPLETE).exists() for p in partial)
    os.environ.pop("BATCH_TEST_DELAY", None)
    result = run_batch(
        project,
        _grid(project, "sets:\n  - {name: slow, x: 1}\n  - {name: other, x: 2}\n"),
        progress=False,
    )
    assert not result.failed
    assert not any(p.exists() for p in partial)  # the dead run's folders are gone
    assert read_state(folder, "slow")["status"] == "ok"


def test_ctrl_c_exits_with_130_and_stops_the_kernels(project):
    grid = _grid(project, "sets:\n  - {name: slow, x: slow}\n")
    process = _start_batch(project, grid, "--jobs", "1", delay="120")
    _wait_for(
        lambda: any(b"ipykernel" in _cmdline(p) for p in descendants(process.pid)), timeout=90
    )
    time.sleep(2)
    below = descendants(process.pid)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    deadline = time.monotonic() + 20
    while alive(below) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert alive(below) == set()
