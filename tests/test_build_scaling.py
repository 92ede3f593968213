"""The replicated snapshot used by the build benchmark is faithful, and copies never merge.

A 2x replicated release (the real rows plus a copy shifted back by more than the data's span)
must build into exactly twice the strike rows, and the unshifted copy's waves must equal the
waves of the plain build: replication changes nothing inside a copy, and no wave merges across
copies. Shifted by the 28-year calendar cycle (same clock-change nights), the shifted copy must
also reproduce every wave, so the build gives exactly twice the waves.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.data.build import build
from analysis.data.rawschema import DAILY_FILE, REFERENCE_FILE
from benchmarks.build_scaling import measure
from benchmarks.replicate import CALENDAR_CYCLE_DAYS, copy_offsets, replicate
from tests.conftest import RELEASE, real_raw_dir

pytestmark = pytest.mark.real_data


def _replicated_build(tmp: Path, shift_days: int | None = None) -> tuple[dict, Path]:
    info = replicate(real_raw_dir(RELEASE), tmp / "raw", 2, shift_days=shift_days)
    build(tmp / "raw", tmp / "out", today=info["today"])
    return info, tmp


@pytest.fixture(scope="module")
def doubled(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    """The newest real release replicated twice (default shift) and built."""
    return _replicated_build(tmp_path_factory.mktemp("replicated"))


@pytest.fixture(scope="module")
def doubled_by_cycle(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    """The same, with the copy shifted back by the 28-year calendar cycle."""
    return _replicated_build(tmp_path_factory.mktemp("cycle"), CALENDAR_CYCLE_DAYS)


def _waves(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "out" / "waves.parquet")


def _copies(waves: pd.DataFrame, real_waves: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(copy 0's waves, the shifted copy's waves), both without ``wave_id``; asserts that no
    wave reaches from the shifted copy into copy 0."""
    boundary = real_waves["start"].min()
    copy0 = waves["start"] >= boundary
    assert not (waves.loc[~copy0, "end"] > boundary).any()
    return tuple(
        waves[rows].drop(columns="wave_id").reset_index(drop=True) for rows in (copy0, ~copy0)
    )


def test_copy_offsets_spread_both_ways_and_keep_copy_zero():
    assert copy_offsets(1) == [0]
    assert copy_offsets(2) == [0, -1]
    assert copy_offsets(100)[0] == 49 and copy_offsets(100)[-1] == -50
    assert 0 in copy_offsets(100) and len(set(copy_offsets(100))) == 100


def test_one_copy_is_the_real_file_and_the_reference_is_copied_unchanged(tmp_path):
    raw = real_raw_dir(RELEASE)
    info = replicate(raw, tmp_path, 1)
    assert info["rows"] == info["rows_per_copy"]
    for name in (DAILY_FILE, REFERENCE_FILE):
        assert (tmp_path / name).read_bytes() == (raw / name).read_bytes()


def test_shifted_copy_keeps_each_cell_format(doubled):
    info, tmp = doubled
    daily = pd.read_csv(tmp / "raw" / DAILY_FILE, dtype=str, keep_default_na=False)
    n = info["rows_per_copy"]
    for column in ("time_start", "time_end"):
        shape = daily[column].str.replace(r"\d", "9", regex=True)
        assert shape.iloc[:n].tolist() == shape.iloc[n:].tolist()


def test_doubled_build_has_twice_the_rows(doubled, real_strikes):
    info, tmp = doubled
    strikes = pd.read_parquet(tmp / "out" / "strikes.parquet")
    assert info["rows"] == 2 * info["rows_per_copy"]
    assert len(strikes) == 2 * len(real_strikes)
    assert strikes["launched"].sum() == 2 * real_strikes["launched"].sum()


def test_copy_zero_waves_equal_the_plain_build_and_no_wave_spans_two_copies(doubled, real_waves):
    ours, _ = _copies(_waves(doubled[1]), real_waves)
    plain = real_waves.drop(columns="wave_id").reset_index(drop=True)
    assert ours["drones_launched"].tolist() == plain["drones_launched"].tolist()
    assert ours["missiles_launched"].tolist() == plain["missiles_launched"].tolist()
    pd.testing.assert_frame_equal(ours, plain)


def test_copy_shifted_by_the_calendar_cycle_doubles_the_waves_exactly(doubled_by_cycle, real_waves):
    waves = _waves(doubled_by_cycle[1])
    assert len(waves) == 2 * len(real_waves)
    copy0, shifted = _copies(waves, real_waves)
    plain = real_waves.drop(columns="wave_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(copy0, plain)
    per_wave = [
        c
        for c in plain
        if c.startswith(("launched_", "destroyed_", "drones_", "missiles_", "n_", "rows_"))
    ]
    pd.testing.assert_frame_equal(shifted[per_wave], plain[per_wave])
    assert (shifted["end"] - shifted["start"]).equals(plain["end"] - plain["start"])


def test_measure_reports_one_row_per_factor():
    rows = measure(real_raw_dir(RELEASE), factors=(1, 2))
    assert [r["factor"] for r in rows] == [1, 2]
    assert rows[1]["raw_rows"] == 2 * rows[0]["raw_rows"]
    assert rows[1]["strike_rows"] == 2 * rows[0]["strike_rows"]
    # The default shift moves clock changes to other nights: a wave or so may differ.
    assert abs(rows[1]["waves"] - 2 * rows[0]["waves"]) <= 0.005 * rows[1]["waves"]
    for row in rows:
        assert row["seconds"] > 0 and 0 < row["peak_mb"] < 2048
        assert row["seconds_per_1000_rows"] == pytest.approx(
            1000 * row["seconds"] / row["raw_rows"], abs=1e-3
        )
