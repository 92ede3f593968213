import datetime as dt

import pandas as pd
import pytest

from analysis.data.series import as_timestamps, calendar, series, wave_series, wide


def _strikes(rows):
    return pd.DataFrame(
        rows,
        columns=["end_date", "weapon_class", "origin", "launched", "destroyed", "not_reach_goal"],
    ).astype({"launched": "Int64", "destroyed": "Int64", "not_reach_goal": "Int64"})


STRIKES = _strikes(
    [
        ("2025-01-01", "strike_drone", "iran", 10, 8, 1),
        ("2025-01-03", "strike_drone", "iran", 5, 5, None),
        ("2025-01-03", "ballistic_missile", "russia_or_north_korea", 2, 0, None),
        ("2025-01-09", "cruise_missile", "russia", 4, None, None),
    ]
)


def test_days_without_attacks_are_zero_not_gaps():
    daily = wide(series(STRIKES, freq="D"), "launched")
    assert len(daily) == 9
    assert daily.loc["2025-01-02"].sum() == 0
    assert daily.loc["2025-01-03", "strike_drone"] == 5


def test_weekly_periods_start_on_monday_and_flag_partial_weeks():
    weekly = series(STRIKES, freq="W", by="headline")
    drones = weekly[weekly["headline"] == "drones"]
    assert [str(p.date()) for p in drones["period"]] == ["2024-12-30", "2025-01-06"]
    assert drones["launched"].tolist() == [15, 0]
    assert drones["days"].tolist() == [5, 4] and not drones["complete"].any()
    missiles = weekly[weekly["headline"] == "missiles"]
    assert missiles["launched"].tolist() == [2, 4]


def test_origin_grouping_and_missing_counts_add_nothing():
    by_origin = series(STRIKES, by="origin", freq="M")
    totals = by_origin.groupby("origin")[["launched", "destroyed"]].sum()
    assert totals.loc["iran", "launched"] == 15
    assert totals.loc["russia", "destroyed"] == 0
    assert by_origin["launched"].sum() == 21


def test_start_end_and_group_parameters_restrict_the_series():
    s = series(STRIKES, start="2025-01-02", end="2025-01-05", groups=["strike_drone"])
    assert s["launched"].sum() == 5 and len(s) == 4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"freq": "Q"}, "freq"),
        ({"groups": ["shahed"]}, "unknown weapon_class"),
        ({"by": "colour"}, "by"),
        ({"start": "2025-02-01", "end": "2025-01-01"}, "before start"),
    ],
)
def test_bad_parameters_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        series(STRIKES, **kwargs)


def test_calendar_marks_complete_months():
    cal = calendar("2025-01-15", "2025-03-31", "M")
    assert cal["complete"].tolist() == [False, True, True]


def test_wave_series_sums_wave_totals_by_end_date():
    waves = pd.DataFrame(
        {
            "date": ["2025-01-01", "2025-01-01", "2025-01-04"],
            "drones_launched": [10, 3, 7],
            "drones_destroyed": [9, 3, 7],
            "drones_not_reach_goal": [0, 0, 0],
            "missiles_launched": [1, 0, 2],
            "missiles_destroyed": [0, 0, 1],
        }
    )
    daily = wave_series(waves).set_index("period")
    assert daily["drones_launched"].tolist() == [13, 0, 0, 7]
    assert daily["waves"].tolist() == [2, 0, 0, 1]


def test_real_weekly_series_keeps_every_launch(real_strikes):
    weekly = series(real_strikes, freq="W")
    assert weekly["launched"].sum() == real_strikes["launched"].sum() == 99570
    monthly = wide(series(real_strikes, freq="M", groups=["strike_drone"]))
    assert monthly["strike_drone"].idxmax() == pd.Timestamp("2026-03-01")
    assert monthly["strike_drone"].max() == 6493


def test_dates_become_naive_day_timestamps_on_the_tables_index():
    values = pd.Series(
        [dt.date(2025, 7, 9), "2025-07-09", None, dt.date(2024, 2, 29), dt.date(2025, 7, 9)],
        index=[7, 3, 9, 1, 5],
        name="end_date",
    )
    days = as_timestamps(values)
    converted_row_by_row = pd.to_datetime(values.astype("string"), format="%Y-%m-%d")
    pd.testing.assert_series_equal(days, converted_row_by_row)
    assert list(days.index) == [7, 3, 9, 1, 5]
    assert days[7] == days[3] == days[5] == pd.Timestamp("2025-07-09")
    assert days[1] == pd.Timestamp("2024-02-29") and pd.isna(days[9])
    assert as_timestamps(pd.Series([], dtype=object)).empty
    with pytest.raises(ValueError):
        as_timestamps(pd.Series(["9 July 2025"]))
