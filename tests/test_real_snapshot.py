"""Integration tests on the real 2026-04-05 release (the shared snapshot)."""

import json

import pandas as pd
import pytest

from analysis.data.rawschema import read_daily
from tests.conftest import RELEASE, real_raw_dir

pytestmark = pytest.mark.real_data


def test_every_raw_row_is_read_and_ids_are_unique(real_build, real_strikes):
    quality = json.loads((real_build / "quality.json").read_text())
    assert quality["rows_read"] == 3585
    assert real_strikes["raw_row"].nunique() == 3585
    assert real_strikes.groupby("raw_row")["row_id"].nunique().eq(1).all()
    assert real_strikes["row_id"].nunique() == 3585


def test_no_launched_count_is_lost_between_raw_and_processed(real_strikes, real_waves):
    raw = read_daily(real_raw_dir(RELEASE) / "missile_attacks_daily.csv")
    raw_total = pd.to_numeric(raw["launched"]).sum()
    assert raw_total == 99570
    assert real_strikes["launched"].sum() == raw_total
    per_class = real_waves.filter(like="launched_").drop(
        columns="rows_launched_missing", errors="ignore"
    )
    assert per_class.to_numpy().sum() == raw_total


def test_split_rows_reproduce_their_source_totals(real_strikes):
    split = real_strikes[real_strikes["split"]]
    assert split["raw_row"].nunique() == 6
    assert len(split) == 16
    x101 = split[(split["end_date"].astype(str) == "2024-12-25")]
    assert dict(zip(x101["model"], x101["launched"], strict=True)) == {
        "X-101/X-555": 50,
        "Kalibr": 12,
    }
    assert x101["destroyed"].sum() == 55


def test_dates_cover_the_documented_range(real_strikes):
    assert str(real_strikes["end_date"].min()) == "2022-09-28"
    assert str(real_strikes["end_date"].max()) == "2026-04-05"


@pytest.mark.parametrize(
    ("night", "drones", "missiles"),
    [
        # Air Force headline figures for these nights (drones and decoys; missiles).
        ("2025-07-09", 728, 13),
        ("2025-09-07", 810, 13),
        ("2025-06-29", 477, 60),
        ("2025-05-25", 298, 69),
        ("2025-10-30", 653, 52),
        ("2025-12-06", 653, 51),
        ("2024-12-25", 106, 78),
        ("2024-08-26", 109, 127),
        ("2023-12-29", 36, 122),
    ],
)
def test_timed_wave_reproduces_the_air_force_headline(real_waves, night, drones, missiles):
    wave = real_waves[(real_waves["date"].astype(str) == night) & real_waves["time_known"]]
    biggest = wave.sort_values("drones_launched").iloc[-1]
    assert (biggest["drones_launched"], biggest["missiles_launched"]) == (drones, missiles)


def test_record_drone_wave_is_the_night_of_7_september_2025(real_waves):
    top = real_waves.sort_values("drones_launched").iloc[-1]
    assert str(top["date"]) == "2025-09-07"
    assert (top["drones_launched"], top["drones_destroyed"]) == (810, 747)


def test_kn23_origins_are_kept_apart(real_strikes):
    launched = real_strikes.groupby("origin")["launched"].sum()
    assert launched["north_korea"] == 8  # three rows name KN-23 alone: 2 + 4 + 2
    assert launched["russia_or_north_korea"] > launched["north_korea"]


def test_wave_and_class_counts_are_pinned(real_build, real_waves):
    quality = json.loads((real_build / "quality.json").read_text())
    assert len(real_waves) == 1653
    assert quality["launched_per_class"]["strike_drone"] == 87041
    assert quality["unmapped_models"] == []
    assert set(quality["models_missing_from_reference"]) >= {
        "Фенікс",
        "Картограф",
        "Привет-82",
        "Aerial Bomb",
    }
