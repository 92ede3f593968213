"""Who reported each row, and which rows may count again what the national summary counts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.data.build import reporter_report
from analysis.data.overlaps import (
    RULE,
    flag_possible_double_counts,
    without_possible_double_counts,
)
from analysis.data.reporters import (
    AIR_COMMAND_CENTER,
    AIR_COMMAND_EAST,
    AIR_COMMAND_SOUTH,
    AIR_COMMAND_WEST,
    COMMANDER_IN_CHIEF,
    GENERAL_STAFF,
    NATIONAL,
    OTHER,
    REPORTER_LABELS,
    REPORTERS,
    SEVERAL,
    reporter_of,
    unmapped_reporters,
)
from analysis.data.strikes import make_strikes
from analysis.data.waves import assign_waves, summarise_waves
from tests.rows import raw_rows

SHAHED = "Shahed-136/131"
KALIBR = "Kalibr"


@pytest.mark.parametrize(
    ("source", "reporter"),
    [
        ("kpszsu/posts/pfbid02abc", NATIONAL),
        ("KPSZSU/posts/1", NATIONAL),
        ("kpszsu", NATIONAL),
        ("https://t.me/kpszsu/22252", NATIONAL),
        ("https://t.me/s/kpszsu/22252", NATIONAL),
        ("https://www.facebook.com/kpszsu/posts/1", NATIONAL),
        ("https://m.facebook.com/kpszsu/posts/1", NATIONAL),
        ("  kpszsu/posts/1 ", NATIONAL),
        ("PvKPivden/posts/pfbid0UMA", AIR_COMMAND_SOUTH),
        ("PvKPivden/videos/877352513463110", AIR_COMMAND_SOUTH),
        ("pvkpivden/posts/1", AIR_COMMAND_SOUTH),
        ("pvkshid/posts/1", AIR_COMMAND_EAST),
        ("PvkZahid/posts/1", AIR_COMMAND_WEST),
        ("PvkCenter/posts/1", AIR_COMMAND_CENTER),
        ("GeneralStaff.ua/posts/1", GENERAL_STAFF),
        ("https://www.facebook.com/GeneralStaff.ua/posts/1", GENERAL_STAFF),
        ("CinCAFU/posts/1", COMMANDER_IN_CHIEF),
        ("https://t.me/CinCAFU/9", COMMANDER_IN_CHIEF),
        ("https://t.me/war_monitor/27083", OTHER),
        ("https://t.me/ChiefUkrDIU/185", OTHER),
        ("watch/?v=1216014506516442", OTHER),
        ("https://www.facebook.com/watch/?v=1", OTHER),
        ("kharkivoda.gov.ua/news/123125", OTHER),
        ("https://example.com/kpszsu/1", OTHER),
        ("kpszsu2/posts/1", OTHER),
        ("", OTHER),
        ("   ", OTHER),
        (None, OTHER),
        (np.nan, OTHER),
    ],
)
def test_reporter_of_maps_each_account_form(source, reporter):
    assert reporter_of(pd.Series([source], dtype=object)).tolist() == [reporter]


def test_reporter_of_keeps_the_index_and_reads_nullable_text():
    source = pd.Series(["pvkshid/posts/1", pd.NA, "kpszsu/x"], index=[7, 3, 5], dtype="string")
    reporters = reporter_of(source)
    assert reporters.index.tolist() == [7, 3, 5]
    assert reporters.tolist() == [AIR_COMMAND_EAST, OTHER, NATIONAL]


def test_every_reporter_and_several_have_a_label():
    assert set(REPORTER_LABELS) == {*REPORTERS, SEVERAL}
    assert len(REPORTERS) == 8


def test_unmapped_sources_are_listed_by_prefix_and_rows_and_known_ones_are_not():
    source = pd.Series(
        [
            "https://t.me/war_monitor/27083",
            "https://t.me/war_monitor/21099",
            "watch/?v=1",
            "kharkivoda.gov.ua/news/123125",
            None,
            "",
            np.nan,
            "https://t.me/kpszsu/22252",
            "PvKPivden/posts/1",
        ],
        dtype=object,
    )
    assert unmapped_reporters(source) == [
        {"value": "(empty)", "rows": 3},
        {"value": "https://t.me/war_monitor", "rows": 2},
        {"value": "kharkivoda.gov.ua", "rows": 1},
        {"value": "watch", "rows": 1},
    ]


def test_nothing_is_listed_when_every_source_maps():
    assert unmapped_reporters(pd.Series(["kpszsu/1", "CinCAFU/2"])) == []
    assert unmapped_reporters(pd.Series([], dtype=object)) == []


def _row(start, end, model=SHAHED, launched=10, source="kpszsu/posts/1") -> dict:
    return {
        "time_start": start,
        "time_end": end,
        "model": model,
        "launched": launched,
        "source": source,
    }


def _strikes(*rows: dict) -> pd.DataFrame:
    strikes, _ = make_strikes(raw_rows(*rows))
    return strikes


NIGHT = ("2025-07-08 20:00", "2025-07-09 08:30")
SOUTH = "PvKPivden/posts/9"


def test_strikes_carry_reporter_and_the_flag():
    strikes = _strikes(_row(*NIGHT), _row("2025-07-09", "2025-07-09", source=SOUTH))
    assert strikes["reporter"].tolist() == [NATIONAL, AIR_COMMAND_SOUTH]
    assert strikes["possible_double_count"].tolist() == [False, True]
    assert strikes["possible_double_count"].dtype == bool


def test_timed_national_rows_are_never_flagged():
    strikes = _strikes(
        _row(*NIGHT, launched=700),
        _row("2025-07-09 01:00", "2025-07-09 03:00", launched=6),
        _row("2025-07-09 06:00", "2025-07-09 07:00", launched=2),
    )
    assert not flag_possible_double_counts(strikes).any()


def test_regional_row_of_the_same_day_and_class_is_flagged():
    strikes = _strikes(
        _row(*NIGHT),
        _row("2025-07-09", "2025-07-09", source=SOUTH),
        _row("2025-07-09 10:00", "2025-07-09 11:00", source="pvkshid/posts/2"),
    )
    assert flag_possible_double_counts(strikes).tolist() == [False, True, True]


def test_regional_row_of_another_class_is_not_flagged():
    strikes = _strikes(
        _row(*NIGHT),
        _row("2025-07-09", "2025-07-09", model=KALIBR, source=SOUTH),
        _row("2025-07-09 01:00", "2025-07-09 02:00", model=KALIBR, source=SOUTH),
    )
    assert flag_possible_double_counts(strikes).tolist() == [False, False, False]


def test_timed_regional_row_overlapping_a_national_window_of_another_date_is_flagged():
    strikes = _strikes(
        _row(*NIGHT),
        _row("2025-07-08 21:00", "2025-07-08 23:00", source=SOUTH),
    )
    assert flag_possible_double_counts(strikes).tolist() == [False, True]


def test_timed_regional_row_that_only_touches_a_national_window_of_another_date_is_not():
    strikes = _strikes(
        _row("2025-07-08 23:00", "2025-07-09 06:00"),
        _row("2025-07-08 18:00", "2025-07-08 23:00", source=SOUTH),
    )
    assert flag_possible_double_counts(strikes).tolist() == [False, False]


def test_untimed_national_row_on_a_date_with_a_timed_national_row_is_flagged():
    strikes = _strikes(
        _row(*NIGHT, source="kpszsu/posts/1"),
        _row("2025-07-09", "2025-07-09", source="kpszsu/posts/2"),
        _row("2025-07-10", "2025-07-10", source="kpszsu/posts/3"),
    )
    assert flag_possible_double_counts(strikes).tolist() == [False, True, False]


def test_regional_row_on_a_date_without_national_rows_is_not_flagged():
    strikes = _strikes(
        _row(*NIGHT),
        _row("2025-07-11", "2025-07-11", source=SOUTH),
        _row("2025-07-11 10:00", "2025-07-11 11:00", source=SOUTH),
    )
    assert flag_possible_double_counts(strikes).tolist() == [False, False, False]


def test_without_timed_national_rows_nothing_is_flagged():
    strikes = _strikes(
        _row("2025-07-09", "2025-07-09"),
        _row("2025-07-09", "2025-07-09", source=SOUTH),
    )
    assert not flag_possible_double_counts(strikes).any()


def test_flag_reads_the_reporter_from_the_source_when_the_column_is_absent():
    strikes = _strikes(_row(*NIGHT), _row("2025-07-09", "2025-07-09", source=SOUTH))
    without = strikes.drop(columns="reporter")
    assert flag_possible_double_counts(without).tolist() == [False, True]


def test_waves_name_their_reporter_and_count_national_and_flagged_rows():
    strikes = _strikes(
        _row(*NIGHT, launched=700),
        _row("2025-07-09 01:00", "2025-07-09 03:00", launched=12, source=SOUTH),
        _row("2025-07-10 01:00", "2025-07-10 03:00", launched=3, source=SOUTH),
    )
    strikes["wave_id"] = assign_waves(strikes)
    waves = summarise_waves(strikes)
    assert waves["reporter"].tolist() == [SEVERAL, AIR_COMMAND_SOUTH]
    assert waves["national_rows"].tolist() == [1, 0]
    assert waves["flagged_rows"].tolist() == [1, 0]
    assert waves["flagged_launched"].tolist() == [12, 0]
    assert waves["flagged_launched"].dtype == np.int64


def test_quality_counts_rows_and_launches_per_reporter_and_the_double_counts():
    strikes = _strikes(
        _row(*NIGHT, launched=700),
        _row("2025-07-09", "2025-07-09", launched=12, source=SOUTH),
        _row("2025-07-09", "2025-07-09", launched=5, source="watch/?v=1"),
    )
    report = reporter_report(strikes)
    assert list(report["rows_per_reporter"]) == list(REPORTERS)
    assert report["rows_per_reporter"][NATIONAL] == 1
    assert report["launched_per_reporter"] == {
        **dict.fromkeys(REPORTERS, 0),
        NATIONAL: 700,
        AIR_COMMAND_SOUTH: 12,
        OTHER: 5,
    }
    assert report["unmapped_reporters"] == [{"value": "watch", "rows": 1}]
    assert report["rows_per_scope"] == {"national": 1, "all": 3}
    assert report["launched_per_scope"] == {"national": 700, "all": 717}
    doubles = report["possible_double_counts"]
    assert doubles["rule"] == RULE
    assert (doubles["rows"], doubles["launched"]) == (2, 17)
    assert doubles["by_reporter"][AIR_COMMAND_SOUTH] == {"rows": 1, "launched": 12}
    assert doubles["by_reporter"][OTHER] == {"rows": 1, "launched": 5}
    assert doubles["by_reporter"][NATIONAL] == {"rows": 0, "launched": 0}


# The real snapshot (release 2026-04-05).
RAW_ROWS_PER_REPORTER = {
    NATIONAL: 2082,
    AIR_COMMAND_SOUTH: 1296,
    AIR_COMMAND_EAST: 169,
    AIR_COMMAND_WEST: 8,
    AIR_COMMAND_CENTER: 2,
    GENERAL_STAFF: 12,
    COMMANDER_IN_CHIEF: 10,
    OTHER: 6,
}


def test_real_source_rows_per_reporter(real_strikes):
    per_row = real_strikes.drop_duplicates("raw_row")
    assert per_row["reporter"].value_counts().to_dict() == RAW_ROWS_PER_REPORTER


def test_real_air_command_south_rows_mostly_fall_on_days_the_national_summary_reports(
    real_strikes,
):
    per_row = real_strikes.drop_duplicates("raw_row")
    national_days = set(per_row.loc[per_row["reporter"] == NATIONAL, "end_date"])
    south = per_row[per_row["reporter"] == AIR_COMMAND_SOUTH]
    on_national_days = south["end_date"].isin(national_days)
    assert on_national_days.sum() == 1143
    assert on_national_days.mean() == pytest.approx(0.882, abs=0.001)


def test_real_possible_double_counts(real_strikes, real_waves):
    flagged = real_strikes[real_strikes["possible_double_count"]]
    assert (len(flagged), int(flagged["launched"].sum())) == (71, 500)
    assert flagged.groupby("reporter").size().to_dict() == {
        NATIONAL: 19,
        AIR_COMMAND_SOUTH: 39,
        AIR_COMMAND_EAST: 5,
        AIR_COMMAND_WEST: 7,
        COMMANDER_IN_CHIEF: 1,
    }
    assert not flagged.loc[flagged["reporter"] == NATIONAL, "time_known"].any()
    assert real_waves["flagged_rows"].sum() == 71
    assert real_waves["flagged_launched"].sum() == 500
    assert real_waves["national_rows"].sum() == RAW_ROWS_PER_REPORTER[NATIONAL]


def test_real_quality_lists_reporters_and_the_double_counts(real_build: Path):
    quality = json.loads((real_build / "quality.json").read_text(encoding="utf-8"))
    assert quality["rows_per_reporter"][NATIONAL] == 2092  # strike rows: split rows count twice
    assert quality["launched_per_reporter"][NATIONAL] == 93260
    assert quality["launched_per_reporter"][AIR_COMMAND_SOUTH] == 5584
    assert sum(quality["launched_per_reporter"].values()) == quality["launched_total_processed"]
    assert quality["unmapped_reporters"] == [
        {"value": "https://t.me/war_monitor", "rows": 2},
        {"value": "watch", "rows": 2},
        {"value": "https://t.me/ChiefUkrDIU", "rows": 1},
        {"value": "kharkivoda.gov.ua", "rows": 1},
    ]
    doubles = quality["possible_double_counts"]
    assert (doubles["rows"], doubles["launched"]) == (71, 500)
    assert doubles["by_reporter"][AIR_COMMAND_SOUTH] == {"rows": 39, "launched": 174}


def test_series_can_leave_the_flagged_rows_out(real_strikes):
    from analysis.data.series import series

    kept = without_possible_double_counts(real_strikes)
    flagged = real_strikes["possible_double_count"]
    assert len(kept) == len(real_strikes) - int(flagged.sum()) == len(real_strikes) - 71
    every = series(real_strikes, by="headline", freq="M")["launched"].sum()
    fewer = series(kept, by="headline", freq="M")["launched"].sum()
    headline = real_strikes["weapon_class"].isin(
        [
            "strike_drone",
            "cruise_missile",
            "ballistic_missile",
            "sam_ground_attack",
            "unknown_missile",
            "mixed_missile",
        ]
    )
    assert every - fewer == int(real_strikes.loc[flagged & headline, "launched"].fillna(0).sum())
    assert every > fewer


def test_real_quality_counts_what_each_scope_counts(real_build):
    import json

    quality = json.loads((real_build / "quality.json").read_text(encoding="utf-8"))
    assert quality["rows_per_scope"] == {"national": 2114, "all": 3595}
    assert quality["launched_per_scope"] == {"national": 93662, "all": 99570}
