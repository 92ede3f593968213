"""Batch runs on a small project with two quick notebooks: publishing, skipping, failures,
interruption and resumption, parallel kernels and a Dask LocalCluster.

The notebooks import nothing heavy, so each run takes a second or two; the real notebooks
are covered by the report tests.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from analysis.__main__ import main
from analysis.paths import PROJECT_ROOT, ProjectPaths
from analysis.publish.batch import run_batch
from analysis.publish.runs import COMPLETE, RUNS, current_run, read_state

pytestmark = pytest.mark.kernel

PARAMETERS = """release = None
start = None
end = None
processed_dir = None
output_dir = None
x = 1
"""
ALPHA = """import json, os, pathlib
if x == "bad":
    raise ValueError(f"x must be a number, not {x!r}")
n = x if isinstance(x, int) else 0
pathlib.Path(output_dir, "01_alpha.results.json").write_text(json.dumps({
    "notebook": "01_alpha", "title": "Alpha <first>", "parameters": {"x": x},
    "findings": [{"key": "x_doubled", "text": f"Twice x is {2 * n} <b>", "value": 2 * n,
                  "low": 2 * n - 1, "high": 2 * n + 1, "unit": "units", "headline": True}],
    "numbers": {}, "files": []}))
print("alpha", release, x)
"""
BETA = """import os, time
delay = float(os.environ.get("BATCH_TEST_DELAY", "0")) if x == "slow" else 0
time.sleep(delay)
print("beta", release, x)
"""


def _notebook(path: Path, body: str) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)


def _release(paths: ProjectPaths, release: str) -> None:
    folder = paths.processed_release(release)
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(
        json.dumps({"inputs": {"daily.csv": release}, "code": "test"})
    )
    (folder / "quality.json").write_text(
        json.dumps({"inputs": {"daily.csv": {"path": "daily.csv", "sha256": release * 2}}})
    )


@pytest.fixture
def project(tmp_path: Path) -> ProjectPaths:
    """A project with notebooks 01_alpha and 02_beta and one built release (2026-01-01)."""
    paths = ProjectPaths(root=tmp_path)
    paths.notebooks.mkdir(parents=True)
    _notebook(paths.notebooks / "01_alpha.ipynb", ALPHA)
    _notebook(paths.notebooks / "02_beta.ipynb", BETA)
    _release(paths, "2026-01-01")
    return paths


def _grid(paths: ProjectPaths, text: str) -> Path:
    path = paths.root / "grid.yaml"
    path.write_text("name: trial\nkey_figure: x_doubled\n" + text, encoding="utf-8")
    return path


TWO_SETS = "sets:\n  - {name: one, x: 1}\n  - {name: two, x: 2}\n"


def test_batch_publishes_every_set_and_an_index_with_status_key_figure_and_links(project):
    result = run_batch(project, _grid(project, TWO_SETS), jobs=2, progress=False)

    assert not result.failed and not result.interrupted
    folder = project.reports / "trial"
    for name, x in (("one", 1), ("two", 2)):
        run = current_run(folder, name)
        assert run is not None and (run / COMPLETE).is_file()
        assert (folder / name / "index.html").is_file()
        assert (folder / name / "01_alpha.html").is_file()
        assert (folder / name / "02_beta.html").is_file()
        record = json.loads((folder / name / "01_alpha.results.json").read_text())
        assert record["parameters"] == {"x": x}
        assert read_state(folder, name)["parameters"]["release"] == "2026-01-01"
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert 'href="one/index.html"' in index and 'href="two/index.html"' in index
    assert "<strong>4</strong> units (3 to 5)" in index  # set two's key figure
    assert "Twice x is 4 &lt;b&gt;" in index  # text from a notebook is escaped
    assert index.count(">made<") == 2
    batch = json.loads((folder / "batch.json").read_text())
    assert [r["status"] for r in batch["sets"]] == ["made", "made"]


def test_kernels_started_side_by_side_get_their_own_socket_paths():
    from analysis.publish.kernels import IPCKernelManager

    first, second = IPCKernelManager(kernel_name="python3"), IPCKernelManager(kernel_name="python3")
    assert first.transport == "ipc" and os.path.isabs(first.ip)
    assert first.ip != second.ip


def test_unchanged_sets_are_skipped_and_force_reruns_them(project):
    grid = _grid(project, TWO_SETS)
    run_batch(project, grid, progress=False)
    first = current_run(project.reports / "trial", "one")

    again = run_batch(project, grid, progress=False)
    assert [p.reason for p in again.planned] == ["up to date", "up to date"]
    assert again.outcomes == {}
    assert current_run(project.reports / "trial", "one") == first
    index = (project.reports / "trial" / "index.html").read_text()
    assert index.count(">up to date<") == 2 and "<strong>2</strong> units" in index

    forced = run_batch(project, grid, force=True, progress=False)
    assert sorted(forced.outcomes) == ["one", "two"]
    assert current_run(project.reports / "trial", "one") != first
    assert not first.exists()  # the replaced run is removed once the new one is published


def test_changed_inputs_rerun_exactly_the_sets_that_read_them(project):
    grid_text = "sets:\n  - {name: newest, x: 1}\n  - {name: pinned, x: 1, release: 2026-01-01}\n"
    grid = _grid(project, grid_text)
    run_batch(project, grid, progress=False)

    _release(project, "2026-02-01")  # a new release: only the set without a release reads it
    result = run_batch(project, grid, progress=False)
    assert {p.spec.name: p.run for p in result.planned} == {"newest": True, "pinned": False}
    assert read_state(project.reports / "trial", "newest")["parameters"]["release"] == "2026-02-01"

    grid.write_text(grid.read_text().replace("{name: pinned, x: 1", "{name: pinned, x: 3"))
    result = run_batch(project, grid, progress=False)
    assert {p.spec.name: p.run for p in result.planned} == {"newest": False, "pinned": True}

    notebook = project.notebooks / "02_beta.ipynb"
    notebook.write_text(notebook.read_text().replace('print(\\"beta\\"', 'print(\\"b\\"'))
    result = run_batch(project, grid, progress=False)
    assert all(p.reason == "inputs changed" for p in result.planned)


def test_a_failing_set_does_not_stop_the_others_and_keeps_its_error(project, capsys):
    grid = _grid(
        project,
        "sets:\n  - {name: good, x: 1}\n  - {name: broken, x: bad}\n  - {name: after, x: 5}\n",
    )
    code = main(["--root", str(project.root), "batch", str(grid), "--jobs", "2", "--quiet"])

    assert code == 1
    out, err = capsys.readouterr()
    assert "3 sets: 2 made, 0 up to date, 1 failed" in out
    assert "broken: notebook 01_alpha.ipynb failed in cell" in out
    assert "ValueError: x must be a number, not 'bad'" in out
    assert "1 of 3 sets failed" in err
    folder = project.reports / "trial"
    assert current_run(folder, "good") and current_run(folder, "after")
    assert not (folder / "broken").exists()
    state = read_state(folder, "broken")
    assert state["status"] == "failed"
    failed_run = folder / RUNS / state["run"]
    assert state["error_summary"].startswith("notebook 01_alpha.ipynb failed in cell")
    assert state["error_summary"].endswith("ValueError: x must be a number, not 'bad'")
    assert str(failed_run) in state["errors"][0] and str(failed_run) not in state["error_summary"]
    executed = nbformat.read(failed_run / "01_alpha.ipynb", as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert [e.ename for e in errors] == ["ValueError"]
    page = (failed_run / "01_alpha.html").read_text(encoding="utf-8")
    assert "x must be a number" in page  # the reader sees the error in the HTML too
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert ">failed<" in index and f"{RUNS}/{state['run']}/01_alpha.html" in index

    # a set that fails later keeps its last good report in place
    grid.write_text(grid.read_text().replace("{name: good, x: 1}", "{name: good, x: bad}"))
    good_before = current_run(folder, "good")
    assert main(["--root", str(project.root), "batch", str(grid), "--quiet"]) == 1
    assert current_run(folder, "good") == good_before
    assert (folder / "good" / "index.html").is_file()
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "The link above is the last good report." in index


def _start_batch(paths: ProjectPaths, grid: Path, *extra: str, delay: str = "0"):
    env = {**os.environ, "BATCH_TEST_DELAY": delay}
    command = [
        sys.executable,
        "-m",
        "analysis",
        "--root",
        str(paths.root),
        "batch",
        str(grid),
        "--quiet",
        *extra,
    ]
    return subprocess.Popen(
        command,
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the batch")
        time.sleep(0.2)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_batch_keeps_finished_reports_and_the_next_run_resumes(project, stop):
    grid = _grid(project, "sets:\n  - {name: fast, x: 1}\n  - {name: slow, x: slow}\n")
    folder = project.reports / "trial"
    process = _start_batch(project, grid, "--jobs", "1", delay="60")
    _wait_for(lambda: read_state(folder, "fast").get("status") == "ok")
    time.sleep(1.5)  # the slow set has started
    process.send_signal(stop)
    _, err = process.communicate(timeout=60)

    assert process.returncode == 130, err
    assert "interrupted: finished reports are kept" in err
    assert (folder / "fast" / "index.html").is_file()
    assert not (folder / "slow").exists() and read_state(folder, "slow") == {}
    partial = [p for p in (folder / RUNS).iterdir() if p.name.startswith("slow.")]
    assert partial and not (partial[0] / COMPLETE).exists()

    result = run_batch(project, grid, progress=False)  # resumes: only the unfinished set
    assert {p.spec.name: p.run for p in result.planned} == {"fast": False, "slow": True}
    assert not partial[0].exists()
    assert (folder / "slow" / "index.html").is_file()


def test_killing_a_forced_rerun_leaves_the_good_report_in_place(project):
    grid = _grid(project, "sets:\n  - {name: fast, x: 1}\n  - {name: slow, x: slow}\n")
    folder = project.reports / "trial"
    run_batch(project, grid, progress=False)
    good = current_run(folder, "slow")
    fast_before = current_run(folder, "fast")

    process = _start_batch(project, grid, "--force", "--jobs", "1", delay="60")
    _wait_for(lambda: current_run(folder, "fast") != fast_before)
    time.sleep(1.5)
    process.kill()  # no chance to clean up
    process.communicate(timeout=60)

    assert current_run(folder, "slow") == good
    assert (folder / "slow" / "index.html").read_text(encoding="utf-8").startswith("<!")
    visible = {p.name for p in folder.iterdir() if not p.name.startswith(".")}
    assert visible == {"batch.json", "fast", "index.html", "slow"}


def test_the_same_grid_runs_on_a_dask_local_cluster(project):
    pytest.importorskip("distributed")
    result = run_batch(project, _grid(project, TWO_SETS), jobs=2, dask="local", progress=False)
    assert sorted(result.outcomes) == ["one", "two"] and not result.failed
    assert (project.reports / "trial" / "two" / "01_alpha.results.json").is_file()


def test_a_second_batch_on_the_same_folder_is_refused_while_one_runs(project, capsys):
    grid = _grid(project, "sets:\n  - {name: slow, x: slow}\n")
    process = _start_batch(project, grid, "--jobs", "1", delay="30")
    _wait_for(
        lambda: (
            any((project.reports / "trial" / RUNS).glob("slow.*"))
            if (project.reports / "trial" / RUNS).is_dir()
            else False
        )
    )
    try:
        assert main(["--root", str(project.root), "batch", str(grid), "--quiet"]) == 1
        assert "another report run is writing into" in capsys.readouterr().err
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)


def test_batch_index_opens_in_headless_chromium_with_every_link_resolving(project):
    from tests.test_published_report import ARTIFACTS, CHROMIUM_FLAGS, chromium_path

    chromium = chromium_path()
    if chromium is None:
        pytest.skip("no Chromium found (Debian: apt-get install chromium; or set CHROMIUM)")
    from urllib.parse import unquote, urlparse

    from playwright.sync_api import sync_playwright

    grid = _grid(project, "sets:\n  - {name: good, x: 1}\n  - {name: broken, x: bad}\n")
    index = run_batch(project, grid, jobs=2, progress=False).container / "index.html"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 700})
        console: list[str] = []
        page.on(
            "console",
            lambda m: (
                console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
            ),
        )
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
        page.goto(index.as_uri())
        page.wait_for_load_state("load")
        links = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
        page.screenshot(path=str(ARTIFACTS / "batch-index.png"), full_page=True)
        for target in links:  # through the set links (symlinks) and into the failed run
            page.goto(target)
            page.wait_for_load_state("load")
        browser.close()
    assert console == []
    paths = [Path(unquote(urlparse(u).path)) for u in links]
    assert len(paths) == 2 and all(p.is_file() for p in paths), links
    assert any(".runs" in p.parts for p in paths)  # the failed set's executed notebook


def test_the_curated_timeline_is_an_input_and_the_source_registry_is_not(project):
    grid = _grid(project, "sets:\n  - {name: one, x: 1}\n")
    project.raw.mkdir(parents=True)
    (project.raw / "partnership_events.csv").write_text("event_id,date\na,2024-01-01\n")
    run_batch(project, grid, progress=False)

    (project.raw / "sources.json").write_text('{"releases": {}}')  # a release was recorded
    assert not run_batch(project, grid, progress=False).planned[0].run

    (project.raw / "partnership_events.csv").write_text("event_id,date\na,2024-01-02\n")
    assert run_batch(project, grid, progress=False).planned[0].reason == "inputs changed"
