"""``--root OTHER``: every module and notebook reads and writes that project, not this checkout."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.data.events import EVENTS_FILE, read_events
from analysis.paths import ProjectPaths
from analysis.publish.grid import ParameterSet
from analysis.publish.scheduler import SetSpec, _given
from analysis.results import publisher, read_results

CHECKOUT = ProjectPaths()
RELEASE = "2026-04-05"
#: An event only the other project's timeline records.
MARKER = (
    "other-project-only,Other project statement,2025-03-03,day,iran,statement,,"
    "A statement only the other project "
    "records.,Example,Other project,https://example.org/other,checked,"
)
#: The other project's saved forecast: drones from release 2026-03-01 (a Sunday), four weeks.
SNAPSHOT_WEEKS = ("2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23")


def _notebook(path: Path, parameters: str) -> Path:
    """A notebook whose cell tagged ``parameters`` holds ``parameters``."""
    cell = {
        "cell_type": "code",
        "id": "p",
        "metadata": {"tags": ["parameters"]},
        "source": parameters,
        "outputs": [],
        "execution_count": None,
    }
    path.write_text(
        json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
        encoding="utf-8",
    )
    return path


# --- package defaults ----------------------------------------------------------------------


def test_publisher_without_output_dir_writes_to_the_interactive_folder_of_the_root(tmp_path):
    pub = publisher("01_alpha", "Alpha", None, root=tmp_path, release=RELEASE)
    assert pub.results_path == tmp_path / "reports" / "interactive" / "01_alpha.results.json"
    assert read_results(pub.folder)["01_alpha"]["parameters"] == {"release": RELEASE}
    given = publisher("01_alpha", "Alpha", tmp_path / "run", root=tmp_path / "elsewhere")
    assert given.folder == tmp_path / "run"
    assert not (tmp_path / "elsewhere").exists()


def test_snapshot_folder_is_that_of_the_given_paths_or_root(tmp_path):
    from analysis.models.forecast import snapshot_folder

    assert snapshot_folder(root=tmp_path) == tmp_path / "reports" / "forecasts"
    assert snapshot_folder(root=str(tmp_path)) == tmp_path / "reports" / "forecasts"
    assert snapshot_folder(ProjectPaths(tmp_path)) == tmp_path / "reports" / "forecasts"
    assert snapshot_folder() == CHECKOUT.forecasts


def test_read_events_of_another_root_reads_its_timeline(tmp_path):
    (tmp_path / "data" / "raw").mkdir(parents=True)
    lines = (CHECKOUT.raw / EVENTS_FILE).read_text(encoding="utf-8").splitlines()
    (tmp_path / "data" / "raw" / EVENTS_FILE).write_text(
        "\n".join(lines[:4]) + "\n", encoding="utf-8"
    )  # the header and three events
    assert len(read_events(root=tmp_path)) == 3
    assert len(read_events()) == len(lines) - 1


def test_the_batch_gives_project_root_only_to_notebooks_that_declare_it(tmp_path):
    takes = _notebook(tmp_path / "01_takes.ipynb", "project_root = None\nrelease = None\n")
    not_it = _notebook(tmp_path / "02_not.ipynb", "release = None\n")
    spec = SetSpec(
        container=tmp_path,
        name="s",
        parameters={"release": RELEASE},
        notebooks=(takes, not_it),
        key="k",
        cwd=tmp_path,
        processed=tmp_path / "p",
        root=tmp_path / "other",
    )
    assert _given(spec, tmp_path / "run", takes) == {
        "release": RELEASE,
        "project_root": str(tmp_path / "other"),
    }
    assert _given(spec, tmp_path / "run", not_it) == {"release": RELEASE}
    old = SetSpec(
        container=tmp_path,
        name="s",
        parameters={},
        notebooks=(takes,),
        key="k",
        cwd=tmp_path,
        processed=tmp_path / "p",
    )  # made without a root
    assert _given(old, tmp_path / "run", takes) == {}


def test_plan_puts_the_project_root_in_each_set(tmp_path):
    from analysis.publish.batch import plan

    paths = ProjectPaths(tmp_path)
    built = paths.processed_release(RELEASE)
    built.mkdir(parents=True)
    (built / "manifest.json").write_text(json.dumps({"inputs": {"daily": "abc"}, "code": "c"}))
    paths.notebooks.mkdir()
    notebook = _notebook(paths.notebooks / "01_takes.ipynb", "project_root = None\n")
    planned = plan(paths, paths.reports, [ParameterSet("s", {"release": RELEASE})], [notebook])
    assert [p.spec.root for p in planned] == [tmp_path]
    assert [p.spec.processed for p in planned] == [tmp_path / "data" / "processed"]


# --- a whole report on another project -----------------------------------------------------


def _snapshot() -> dict:
    """A saved naive forecast of drones, as ``python -m analysis forecast`` writes one."""
    return {
        "kind": "weekly_launch_forecast",
        "version": 1,
        "release": "2026-03-01",
        "scope": "national",
        "made_on": "2026-03-02",
        "series": "drones",
        "model": "naive",
        "description": "every coming week equals the last observed week",
        "last_observed_week": "2026-02-23",
        "window": 104,
        "h": len(SNAPSHOT_WEEKS),
        "point": "median",
        "week_label": "Monday that starts the week",
        "weeks": [
            {
                "week": week,
                "step": step,
                "point": 1000.0,
                "lo80": 500.0,
                "hi80": 1500.0,
                "lo95": 100.0,
                "hi95": 5000.0,
            }
            for step, week in enumerate(SNAPSHOT_WEEKS, start=1)
        ],
    }


def _other_project(folder: Path, built: Path) -> ProjectPaths:
    """A second project: notebooks 04 and 05, this checkout's built release, a timeline with
    one more event and a saved forecast that this checkout does not hold."""
    other = ProjectPaths(folder)
    other.notebooks.mkdir(parents=True)
    for stem in ("04_supply_partnerships", "05_forecast"):
        shutil.copy(CHECKOUT.notebooks / f"{stem}.ipynb", other.notebooks)
    shutil.copytree(built, other.processed_release(RELEASE))
    other.raw.mkdir(parents=True)
    timeline = (CHECKOUT.raw / EVENTS_FILE).read_text(encoding="utf-8").rstrip("\n")
    (other.raw / EVENTS_FILE).write_text(f"{timeline}\n{MARKER}\n", encoding="utf-8")
    other.forecasts.mkdir(parents=True)
    saved = other.forecasts / "2026-03-01_national_drones_naive.json"
    saved.write_text(json.dumps(_snapshot()))
    return other


@pytest.mark.kernel
@pytest.mark.real_data
def test_a_report_with_root_reads_the_timeline_and_snapshots_of_that_project(tmp_path, real_build):
    from analysis.__main__ import main
    from analysis.data.scope import in_scope
    from analysis.models.forecast import snapshot_path, weekly_table

    ours = snapshot_path(CHECKOUT.forecasts, "2026-03-01", "drones", "naive", scope="national")
    if ours.exists():  # this checkout's own snapshot must differ from the planted one
        assert json.loads(ours.read_text(encoding="utf-8")) != _snapshot()
    other = _other_project(tmp_path / "other", real_build)

    assert main(["--root", str(other.root), "report", "--force", "--jobs", "2"]) == 0

    folder = other.reports / RELEASE
    results = read_results(folder)
    assert sorted(results) == ["04_supply_partnerships", "05_forecast"]
    # notebook 04 read the other timeline: every event of this checkout, and the marker
    ours = read_events()["event_id"].tolist()
    chosen = results["04_supply_partnerships"]["parameters"]["events"]
    assert sorted(chosen) == sorted([*ours, "other-project-only"])
    assert results["04_supply_partnerships"]["numbers"]["events_chosen"] == len(ours) + 1
    shown = pd.read_csv(folder / "04_supply_partnerships__timeline.csv")
    assert "other-project-only" in set(shown["event_id"])
    # notebook 05 scored the other project's saved forecast on the four weeks now observed
    numbers = results["05_forecast"]["numbers"]
    assert numbers["snapshot_weeks_scored"] == len(SNAPSHOT_WEEKS)
    strikes = pd.read_parquet(other.processed_release(RELEASE) / "strikes.parquet")
    weekly = weekly_table(in_scope(strikes, "national"))  # the report's default scope
    actual = weekly.loc[pd.DatetimeIndex(SNAPSHOT_WEEKS), "drones"]
    assert numbers["drones_snapshot_mae"] == pytest.approx((actual - 1000.0).abs().mean())
    scores = pd.read_csv(folder / "05_forecast__snapshot_scores.csv")
    assert scores["forecast from release"].tolist() == ["2026-03-01"]
