"""Shared fixtures: the real snapshot (fetched raw files, or the mirror) and its build."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.data.build import build
from analysis.data.registry import DAILY_FILE
from analysis.paths import DATASET, PROJECT_ROOT, ProjectPaths

RELEASE = "2026-04-05"
PREVIOUS_RELEASE = "2026-03-01"
MIRROR = PROJECT_ROOT.parent / "shared" / "data" / DATASET


def real_raw_dir(release: str) -> Path:
    """The raw files of a real release: fetched into data/raw, else the shared mirror."""
    for folder in (ProjectPaths().raw_release(release), MIRROR / release):
        if (folder / DAILY_FILE).is_file():
            return folder
    pytest.skip(f"real release {release} not available: run `python -m analysis fetch --all`")


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The newest real release built into a temporary folder (once per session)."""
    out = tmp_path_factory.mktemp("processed") / RELEASE
    build(real_raw_dir(RELEASE), out)
    return out


@pytest.fixture(scope="session")
def real_strikes(real_build: Path) -> pd.DataFrame:
    return pd.read_parquet(real_build / "strikes.parquet")


@pytest.fixture(scope="session")
def real_waves(real_build: Path) -> pd.DataFrame:
    return pd.read_parquet(real_build / "waves.parquet")


REAL_FIXTURES = {"real_build", "real_strikes", "real_waves"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Any test that uses the real snapshot is a ``real_data`` test, marked or not."""
    for item in items:
        if REAL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.real_data)
