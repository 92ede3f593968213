"""The command line on a temporary project: build --all and forecast (snapshots + scoring), and
the forecast command's options."""

import argparse
import json
import shutil

import pandas as pd
import pytest

from analysis.__main__ import _build, _forecast, parser
from analysis.paths import ProjectPaths
from tests.conftest import PREVIOUS_RELEASE, RELEASE, real_raw_dir


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    paths = ProjectPaths(root=tmp_path_factory.mktemp("project"))
    for release in (PREVIOUS_RELEASE, RELEASE):
        shutil.copytree(real_raw_dir(release), paths.raw_release(release))
    _build(argparse.Namespace(raw=None, out=None, release=None, all=True, force=False), paths)
    return paths


def _forecast_args(**kw):
    defaults = {"release": None, "all": False, "h": 8, "force": False, "scope": "national"}
    return argparse.Namespace(**{**defaults, **kw})


def test_forecast_scope_defaults_to_national_and_takes_all():
    assert parser().parse_args(["forecast"]).scope == "national"
    assert parser().parse_args(["forecast", "--scope", "all"]).scope == "all"


def test_forecast_refuses_an_unknown_scope_naming_the_choices(capsys):
    with pytest.raises(SystemExit) as exit_:
        parser().parse_args(["forecast", "--scope", "regional"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "--scope: invalid choice: 'regional'" in err
    # the choices, however this Python's argparse quotes them
    assert "choose from" in err and "national" in err and "all" in err


@pytest.mark.real_data
def test_build_all_builds_every_fetched_release(project):
    for release in (PREVIOUS_RELEASE, RELEASE):
        assert (project.processed_release(release) / "waves.parquet").is_file()


@pytest.mark.real_data
def test_forecast_saves_snapshots_then_scores_the_older_release(project, capsys):
    _forecast(_forecast_args(all=True), project)
    folder = project.reports / "forecasts"
    snapshots = sorted(p.name for p in folder.glob("*.json"))
    assert len(snapshots) == 28  # 2 releases x 2 series x 7 models
    first = json.loads((folder / f"{PREVIOUS_RELEASE}_national_drones_sarimax.json").read_text())
    assert first["release"] == PREVIOUS_RELEASE and len(first["weeks"]) == 8
    assert first["scope"] == "national"
    scores = (folder / f"scores_{RELEASE}_national.csv").read_text().splitlines()
    assert len(scores) == 1 + 14 * 5  # header + 14 snapshots x 5 newly observed weeks
    out = capsys.readouterr().out
    assert f"release {PREVIOUS_RELEASE} (national): 14 forecast snapshots in {folder}" in out
    assert f"{PREVIOUS_RELEASE} forecast of drones (sarimax) on {RELEASE}: 5 weeks" in out


@pytest.mark.real_data
def test_forecast_of_every_reporter_is_saved_and_scored_apart(project, capsys):
    _forecast(_forecast_args(all=True), project)
    _forecast(_forecast_args(all=True, scope="all"), project)
    folder = project.reports / "forecasts"
    assert len(list(folder.glob("*.json"))) == 56  # 2 scopes x 2 releases x 2 series x 7 models
    every = json.loads((folder / f"{PREVIOUS_RELEASE}_drones_sarimax.json").read_text())
    assert every["scope"] == "all"
    out = capsys.readouterr().out
    assert f"release {RELEASE} (all): 14 forecast snapshots" in out
    national = pd.read_csv(folder / f"scores_{RELEASE}_national.csv", parse_dates=["week"])
    scored = pd.read_csv(folder / f"scores_{RELEASE}.csv", parse_dates=["week"])
    assert set(national["scope"]) == {"national"} and set(scored["scope"]) == {"all"}
    assert len(scored) == len(national) == 14 * 5
    # each scored on the counts of its own scope: drones in the week of 23 March 2026
    week = (national["series"] == "drones") & (national["week"] == "2026-03-23")
    assert set(national.loc[week, "actual"]) == {2316}
    week = (scored["series"] == "drones") & (scored["week"] == "2026-03-23")
    assert set(scored.loc[week, "actual"]) == {2347}


@pytest.mark.real_data
def test_forecast_keeps_existing_snapshots_of_a_release(project, capsys):
    _forecast(_forecast_args(all=True), project)
    before = {p: p.stat().st_mtime_ns for p in (project.reports / "forecasts").glob("*.json")}
    _forecast(_forecast_args(release=RELEASE), project)
    after = {p: p.stat().st_mtime_ns for p in (project.reports / "forecasts").glob("*.json")}
    assert before == after
    assert f"release {RELEASE} (national): snapshots already in" in capsys.readouterr().out
