"""Names never cost a folder: reserved names and cross-kind collisions are refused before
anything moves, prune removes only the project's own run folders, and names are checked in full.

No kernel starts here: every refusal happens before a notebook would run.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import nbformat
import pytest

from analysis.__main__ import main
from analysis.errors import AnalysisError
from analysis.names import NameError_, check_folder_name, check_release
from analysis.paths import ProjectPaths
from analysis.publish.batch import run_batch
from analysis.publish.report import run_report
from analysis.publish.runs import (
    COMPLETE,
    OWNED,
    RESERVED,
    RUNS,
    NameCollisionError,
    new_run,
    prune,
    remove_partial_runs,
    writing,
)

RELEASE = "2026-01-01"


def _notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(
        "release = None\nstart = None\nend = None\nprocessed_dir = None\noutput_dir = None\nx = 1\n"
    )
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell("print(x)")]
    nbformat.write(nb, path)


@pytest.fixture
def project(tmp_path: Path) -> ProjectPaths:
    """A project with one notebook, a built release and, under reports/, one output of each
    kind: forecast snapshots, a report (link into .runs), a batch folder, ``latest`` and a
    folder that the project did not make."""
    paths = ProjectPaths(root=tmp_path)
    paths.notebooks.mkdir(parents=True)
    _notebook(paths.notebooks / "01_alpha.ipynb")
    built = paths.processed_release(RELEASE)
    built.mkdir(parents=True)
    (built / "manifest.json").write_text(json.dumps({"inputs": {}, "code": "test"}))
    reports = paths.reports
    (reports / "forecasts" / RELEASE).mkdir(parents=True)
    (reports / "forecasts" / RELEASE / "drones.json").write_text('{"mean": [1, 2]}')
    run = reports / RUNS / "rep.20260101T000000-abcdef"
    run.mkdir(parents=True)
    (run / "index.html").write_text("<!doctype html><p>the report</p>")
    (run / COMPLETE).write_text("{}")
    os.symlink(f"{RUNS}/{run.name}", reports / "rep")
    os.symlink("rep", reports / "latest")
    (reports / "bat").mkdir()
    (reports / "bat" / "batch.json").write_text('{"sets": []}')
    (reports / "bat" / "index.html").write_text("<p>batch</p>")
    (reports / "notes").mkdir()
    (reports / "notes" / "mine.txt").write_text("not the project's")
    (reports / "interactive").mkdir()
    (reports / "interactive" / "01_alpha.results.json").write_text("{}")
    return paths


def tree_digest(folder: Path) -> dict[str, str]:
    """Every entry under ``folder``: a file's sha256, a link's target, a folder's mark."""
    out = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            out[key] = "-> " + os.readlink(path)
        elif path.is_dir():
            out[key] = "dir"
        else:
            out[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _grid(paths: ProjectPaths, name: str) -> Path:
    path = paths.root / f"grid-{abs(hash(name))}.yaml"
    path.write_text(f"name: {name}\nsets:\n  - {{name: one, x: 1}}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(n for n in RESERVED if not n.startswith(".")))
def test_every_reserved_name_is_refused_for_a_report_and_nothing_moves(project, name):
    before = tree_digest(project.root)
    with pytest.raises(NameCollisionError, match="reserved"):
        run_report(project, release=RELEASE, name=name)
    assert tree_digest(project.root) == before


@pytest.mark.parametrize("name", sorted(n for n in RESERVED if not n.startswith(".")))
def test_every_reserved_name_is_refused_for_a_batch_and_nothing_moves(project, name):
    grid = _grid(project, name)
    before = tree_digest(project.root)
    with pytest.raises(AnalysisError, match="reserved|not usable"):
        run_batch(project, grid, progress=False)
    assert tree_digest(project.root) == before


@pytest.mark.parametrize("name", [".runs", ".state", ".lock", "..", "."])
def test_hidden_and_dot_names_are_refused_for_reports_and_batches(project, name):
    before = tree_digest(project.root)
    with pytest.raises(NameError_):
        run_report(project, release=RELEASE, name=name)
    assert main(["--root", str(project.root), "batch", str(_grid(project, name))]) == 1
    assert {
        k: v for k, v in tree_digest(project.root).items() if not k.startswith("grid-")
    } == before


@pytest.mark.parametrize(("name", "kind"), [("bat", "a batch output"), ("notes", "a folder")])
def test_a_report_named_like_a_batch_or_a_foreign_folder_is_refused(project, name, kind):
    before = tree_digest(project.root)
    with pytest.raises(NameCollisionError, match=kind):
        run_report(project, release=RELEASE, name=name)
    assert tree_digest(project.root) == before


@pytest.mark.parametrize(("name", "kind"), [("rep", "a report output"), ("notes", "a folder")])
def test_a_batch_named_like_a_report_or_a_foreign_folder_is_refused(project, name, kind):
    grid = _grid(project, name)
    before = tree_digest(project.root)
    with pytest.raises(NameCollisionError, match=kind):
        run_batch(project, grid, progress=False)
    assert tree_digest(project.root) == before


def test_the_command_line_refuses_a_colliding_name_in_one_line_without_traceback(project, capsys):
    before = tree_digest(project.root)
    code = main(
        ["--root", str(project.root), "report", "--name", "forecasts", "--release", RELEASE]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: report name 'forecasts' is reserved")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert tree_digest(project.root) == before


@pytest.mark.parametrize("set_name", ["index.html", "batch.json", "latest"])
def test_a_set_named_like_a_batch_folder_file_is_refused(project, set_name):
    grid = project.root / "sets.yaml"
    grid.write_text(f"name: fresh\nsets:\n  - {{name: '{set_name}', x: 1}}\n")
    with pytest.raises(Exception, match="reserved|not usable"):
        run_batch(project, grid, progress=False)
    assert not (project.reports / "fresh").exists()


def test_prune_removes_only_run_folders_the_project_marked_as_its_own(project):
    reports = project.reports
    foreign = reports / RUNS / "rep.legacy-123456"  # a folder that has the name, no marker
    foreign.mkdir()
    (foreign / "keep.txt").write_text("precious")
    unmarked = reports / RUNS / "rep.20250101T000000-000000"
    unmarked.mkdir()
    old = new_run(reports, "rep")  # ours: pruned
    prune(reports, "rep")
    assert not old.exists()
    assert (foreign / "keep.txt").read_text() == "precious" and unmarked.is_dir()
    assert (reports / "rep" / "index.html").is_file()


def test_remove_partial_runs_spares_foreign_folders_and_runs_a_live_process_writes(project):
    reports = project.reports
    dead = new_run(reports, "rep")
    live = new_run(reports, "rep")
    foreign = reports / RUNS / "forecasts.legacy-abcdef"
    (foreign / "2026-01-01").mkdir(parents=True)
    with writing(live):  # as a worker holds it while its notebook runs
        removed = remove_partial_runs(reports)
    assert removed == [dead] and live.is_dir() and (live / OWNED).is_file()
    assert (foreign / "2026-01-01").is_dir()
    assert remove_partial_runs(reports) == [live]  # the writer has finished


@pytest.mark.parametrize(
    "value",
    [
        "2026-04-05\n",
        "../2026-04-05",
        "/tmp/2026-04-05",
        "2026-02-30",
        "2026-4-5",
        "",
        20260405,
        None,
    ],
)
def test_a_release_must_be_a_real_iso_date_and_nothing_more(value):
    with pytest.raises(NameError_):
        check_release(value)


def test_a_release_given_as_a_yaml_date_is_its_iso_text():
    import datetime as dt

    assert check_release(dt.date(2026, 4, 5)) == "2026-04-05"


@pytest.mark.parametrize("value", ["name\n", "a/b", "../x", ".hidden", "-x", "x" * 101, "a b"])
def test_folder_names_are_matched_to_the_true_end_of_the_string(value):
    with pytest.raises(NameError_):
        check_folder_name(value, "report", "--name")


def test_a_release_outside_the_project_is_refused_by_report_and_batch(project, capsys):
    outside = project.root.parent / "elsewhere"
    assert main(["--root", str(project.root), "report", "--release", f"../../{outside.name}"]) == 1
    assert "is not a date YYYY-MM-DD" in capsys.readouterr().err
    grid = project.root / "escape.yaml"
    grid.write_text("name: escape\nsets:\n  - {name: one, release: /tmp/x}\n")
    assert main(["--root", str(project.root), "batch", str(grid)]) == 1
    err = capsys.readouterr().err
    assert "set 'one'" in err and "release" in err
    assert not outside.exists() and not (project.reports / "escape").exists()
