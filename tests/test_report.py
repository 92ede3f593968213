"""run_report: papermill execution, HTML without code, the reports/latest link, failures."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat
import pytest

from analysis.errors import AnalysisError
from analysis.paths import PROJECT_ROOT, ProjectPaths
from analysis.publish.report import ReportError, point_latest, report_name, run_report
from analysis.publish.runs import RUNS, current_run, read_state


def _body(html: str) -> str:
    """The HTML without its style and script blocks (those name CSS classes of every kind)."""
    return re.sub(r"<style.*?</style>|<script.*?</script>", "", html, flags=re.S)


@pytest.fixture
def project(tmp_path: Path, real_processed: Path) -> ProjectPaths:
    """A project root in tmp_path that links the real notebooks, the curated raw tables and the
    processed tables built for this session."""
    (tmp_path / "data").mkdir()
    (tmp_path / "notebooks").symlink_to(PROJECT_ROOT / "notebooks", target_is_directory=True)
    (tmp_path / "data" / "raw").symlink_to(PROJECT_ROOT / "data" / "raw", target_is_directory=True)
    (tmp_path / "data" / "processed").symlink_to(real_processed, target_is_directory=True)
    return ProjectPaths(root=tmp_path)


def test_report_name_defaults_to_the_release_and_period():
    assert report_name("2026-04-05") == "2026-04-05"
    period = report_name("2026-04-05", "2025-01-01", "2025-12-31")
    assert period == "2026-04-05_2025-01-01_2025-12-31"
    assert report_name("2026-04-05", "2025-01-01") == "2026-04-05_2025-01-01_last"
    assert report_name("2026-04-05", None, "2025/12/31") == "2026-04-05_first_2025-12-31"


def test_report_name_adds_a_scope_other_than_the_default_so_scopes_never_share_a_folder():
    assert report_name("2026-04-05", scope="national") == "2026-04-05"
    assert report_name("2026-04-05", scope="all") == "2026-04-05_all"
    assert report_name("2026-04-05", "2025-01-01", None, "all") == "2026-04-05_2025-01-01_last_all"


@pytest.mark.parametrize("name", ["../elsewhere", "latest", "a b", ".hidden"])
def test_run_report_refuses_unusable_names(tmp_path, name):
    (tmp_path / "notebooks").symlink_to(PROJECT_ROOT / "notebooks", target_is_directory=True)
    with pytest.raises(AnalysisError, match="not usable as a folder|is reserved"):
        run_report(ProjectPaths(root=tmp_path), release="2026-04-05", name=name)
    assert not (tmp_path / "reports").exists()


def test_point_latest_replaces_the_link(tmp_path):
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        link = point_latest(tmp_path, tmp_path / name)
        assert os.readlink(link) == name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "one", "two"]


@pytest.mark.real_data
def test_report_for_a_period(project):
    index = run_report(
        project, start="2025-01-01", end="2025-12-31", notebooks=["01_data_overview"]
    )

    folder = project.reports / "2026-04-05_2025-01-01_2025-12-31"
    assert index == folder / "index.html"
    html_path = folder / "01_data_overview.html"
    assert html_path.is_file()
    assert os.readlink(project.reports / "latest") == folder.name
    assert not list(folder.glob(".*.tmp")) and not list(project.reports.glob(".latest*"))

    html = html_path.read_text(encoding="utf-8")
    body = _body(html)
    for code in ("load_processed(", "validate_parameters(", "import ", "%matplotlib"):
        assert code not in body
    assert "jp-InputPrompt" not in body and "jp-OutputPrompt" not in body
    assert "Data release of 5 Apr 2026; the period, 1 Jan 2025 to 31 Dec 2025" in html
    assert "counts of the Air Force&#x27;s national summary" in html or (
        "counts of the Air Force's national summary" in html
    )
    assert "Jul 2025" in html and "6,297" in html  # the peak month of drone launches in 2025
    assert "7 Sep 2025" in html  # the biggest drone wave of 2025 (810 launched)
    assert ">Dec 2024<" not in html and ">Jan 2026<" not in html  # months outside the period
    assert "data:image/png;base64," in html
    assert "Kaggle piterfm/massive-missile-attacks-on-ukraine" in html
    text = re.sub(r"<[^>]+>", " ", body)  # no pandas placeholder for a missing value
    assert not re.search(r"\b(?:NaT|NaN|nan)\b|&lt;NA&gt;", text)

    executed = nbformat.read(folder / "01_data_overview.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    source = injected[0].source
    assert 'release = "2026-04-05"' in source
    assert 'start = "2025-01-01"' in source
    assert 'end = "2025-12-31"' in source
    assert f'processed_dir = "{project.processed}"' in source
    assert f'output_dir = "{folder.resolve()}"' in source  # the run folder behind the link
    results = json.loads((folder / "01_data_overview.results.json").read_text())
    assert results["parameters"]["start"] == "2025-01-01"
    record = next(f for f in results["findings"] if f["key"] == "record_wave")
    assert "7 Sep 2025" in record["text"] and record["value"] == 810
    assert results["parameters"]["scope"] == "national"
    check = next(f for f in results["findings"] if f["key"] == "crosscheck")
    assert (check["value"], check["unit"]) == (10, "of 12 months")  # 2025 only
    assert (folder / "01_data_overview__monthly_launches.png").stat().st_size > 10_000
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []

    run = current_run(project.reports, folder.name)
    again = run_report(
        project, start="2025-01-01", end="2025-12-31", notebooks=["01_data_overview"]
    )
    assert again == index and current_run(project.reports, folder.name) == run  # not redone


@pytest.mark.real_data
def test_failing_notebook_keeps_the_error_and_names_the_cell(project):
    with pytest.raises(ReportError) as caught:
        run_report(
            project, release="2026-04-05", start="2020-01-01", notebooks=["01_data_overview"]
        )

    message = str(caught.value)
    assert "01_data_overview.ipynb failed in cell" in message
    assert re.search(r"line \d+: 'period = validate_parameters", message)
    assert "ValueError: start 2020-01-01 is outside the data of release 2026-04-05" in message

    folder = project.reports / "2026-04-05_2020-01-01_last"
    state = read_state(project.reports, folder.name)
    assert state["status"] == "failed"
    executed_path = project.reports / RUNS / state["run"] / "01_data_overview.ipynb"
    assert str(executed_path) in message
    executed = nbformat.read(executed_path, as_version=4)
    failed = [
        (i, c)
        for i, c in enumerate(executed.cells)
        if any(o.output_type == "error" for o in c.get("outputs", []))
    ]
    assert len(failed) == 1
    _, cell = failed[0]
    assert "validate_parameters(" in cell.source
    assert f"In [{cell.execution_count}]" in message
    error = next(o for o in cell.outputs if o.output_type == "error")
    assert error.ename == "ValueError"
    assert "start 2020-01-01 is outside the data" in executed_path.with_suffix(".html").read_text()
    assert not folder.exists()  # nothing published under the report's name
    assert not (project.reports / "latest").exists()
