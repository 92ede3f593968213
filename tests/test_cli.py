"""The command line on a temporary project: build --all and forecast (snapshots + scoring)."""

import argparse
import json
import shutil

import pytest

from analysis.__main__ import _build, _forecast
from analysis.paths import ProjectPaths
from tests.conftest import PREVIOUS_RELEASE, RELEASE, real_raw_dir

pytestmark = pytest.mark.real_data


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    paths = ProjectPaths(root=tmp_path_factory.mktemp("project"))
    for release in (PREVIOUS_RELEASE, RELEASE):
        shutil.copytree(real_raw_dir(release), paths.raw_release(release))
    _build(argparse.Namespace(raw=None, out=None, release=None, all=True, force=False), paths)
    return paths


def _forecast_args(**kw):
    return argparse.Namespace(**{"release": None, "all": False, "h": 8, "force": False, **kw})


def test_build_all_builds_every_fetched_release(project):
    for release in (PREVIOUS_RELEASE, RELEASE):
        assert (project.processed_release(release) / "waves.parquet").is_file()


def test_forecast_saves_snapshots_then_scores_the_older_release(project, capsys):
    _forecast(_forecast_args(all=True), project)
    folder = project.reports / "forecasts"
    snapshots = sorted(p.name for p in folder.glob("*.json"))
    assert len(snapshots) == 16  # 2 releases x 2 series x 4 models
    first = json.loads((folder / f"{PREVIOUS_RELEASE}_drones_sarimax.json").read_text())
    assert first["release"] == PREVIOUS_RELEASE and len(first["weeks"]) == 8
    scores = (folder / f"scores_{RELEASE}.csv").read_text().splitlines()
    assert len(scores) == 1 + 8 * 5  # header + 8 snapshots x 5 newly observed weeks
    out = capsys.readouterr().out
    assert f"{PREVIOUS_RELEASE} forecast of drones (sarimax) on {RELEASE}: 5 weeks" in out


def test_forecast_keeps_existing_snapshots_of_a_release(project, capsys):
    _forecast(_forecast_args(all=True), project)
    before = {p: p.stat().st_mtime_ns for p in (project.reports / "forecasts").glob("*.json")}
    _forecast(_forecast_args(release=RELEASE), project)
    after = {p: p.stat().st_mtime_ns for p in (project.reports / "forecasts").glob("*.json")}
    assert before == after
    assert "kept" in capsys.readouterr().out
