import re

import pandas as pd
import pytest

from analysis.data.timeparse import (
    TIMESTAMP_PATTERN,
    parse_timestamps,
    split_timestamps,
    window_bounds,
)


def _ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="Europe/Kyiv")


@pytest.mark.parametrize(
    ("raw", "expected", "known"),
    [
        ("2025-07-09", "2025-07-09 00:00", False),
        ("2025-07-09 08:30", "2025-07-09 08:30", True),
        ("2023-05-16 3:30", "2023-05-16 03:30", True),
        ("2025-03-06 21:00 ", "2025-03-06 21:00", True),
        ("2024-05-16 ", "2024-05-16 00:00", False),
    ],
)
def test_every_source_timestamp_format_parses_to_kyiv_time(raw, expected, known):
    parsed = parse_timestamps(pd.Series([raw]))
    assert parsed.at[0, "ok"]
    assert parsed.at[0, "ts"] == _ts(expected)
    assert parsed.at[0, "time_known"] == known


def test_kyiv_offset_follows_summer_and_winter_time():
    parsed = parse_timestamps(pd.Series(["2025-07-09 08:30", "2025-01-15 08:30"]))
    assert parsed["ts"].dt.strftime("%z").tolist() == ["+0300", "+0200"]


@pytest.mark.parametrize(
    "raw",
    [
        "yesterday",
        "2025-13-01",
        "2025-02-30",
        "2025-07-09 25:00",
        "2025-07-09 08:61",
        "",
        "09.07.2025",
    ],
)
def test_unparsable_timestamps_are_marked_not_ok(raw):
    parsed = parse_timestamps(pd.Series([raw]))
    assert not parsed.at[0, "ok"]
    assert pd.isna(parsed.at[0, "ts"])


def test_spring_forward_gap_moves_forward_and_autumn_repeat_reads_as_summer_time():
    parsed = parse_timestamps(pd.Series(["2025-03-30 03:30", "2025-10-26 03:30"]))
    assert parsed.at[0, "ts"] == _ts("2025-03-30 04:00")
    assert parsed.at[1, "ts"].strftime("%z") == "+0300"


def test_date_only_end_covers_the_whole_day_and_instant_lasts_one_minute():
    start = parse_timestamps(pd.Series(["2025-07-09", "2025-04-04 19:00", "2025-02-20"]))
    end = parse_timestamps(pd.Series(["2025-07-09", "2025-04-04 19:00", "2025-02-20 10:00"]))
    w = window_bounds(start, end)
    assert w.at[0, "window_end"] == _ts("2025-07-10 00:00")
    assert w.at[1, "window_end"] == _ts("2025-04-04 19:01")
    assert w.at[2, "window_end"] == _ts("2025-02-20 10:00")
    assert w["time_known"].tolist() == [False, True, False]
    assert [str(d) for d in w["end_date"]] == ["2025-07-09", "2025-04-04", "2025-02-20"]


def test_fast_path_reads_every_value_as_the_python_regex_does():
    # pyarrow matches the common shapes; the rest (odd blanks, non-ASCII digits, bad clock
    # times) fall back to the Python regex on the text with spaces stripped: the parts must
    # agree.
    values = pd.Series(
        [
            "2025-07-09",
            "2025-07-09 8:30  ",
            " 2025-07-09 08:30",
            "2025-07-09\t",
            "2025-07-09T08:30",
            "２０２５-07-09",
            "2025-07-09 25:00",
            "2025-07-09  08:30",
            None,
            "",
            "x",
        ],
        index=range(100, 111),
        dtype=object,
    )
    parts = split_timestamps(values)
    expected = values.astype("string").str.strip(" ").str.extract(TIMESTAMP_PATTERN)
    assert parts["date"].fillna("-").tolist() == expected["date"].fillna("-").tolist()
    for name in ("hour", "minute"):
        number = pd.to_numeric(expected[name], errors="coerce").astype("float64")
        assert parts[name].to_numpy(na_value=-1.0).tolist() == number.fillna(-1.0).tolist()
    assert list(parts.index) == list(values.index)


@pytest.mark.parametrize(
    "raw",
    [
        "2025-01-01\n",
        "2025-01-01 08:00\n",
        "\n2025-01-01",
        "2025-01-01\r",
        "2025-01-01\t",
        "2025-01-01 08:00\r\n",
    ],
)
def test_line_breaks_and_tabs_around_a_timestamp_make_it_unparsable(raw):
    # Only spaces are a known quirk of the data; "$" once let a final newline through.
    parsed = parse_timestamps(pd.Series([raw]))
    assert not parsed.at[0, "ok"]
    assert pd.isna(parsed.at[0, "ts"])


def test_spaces_around_a_timestamp_are_ignored():
    parsed = parse_timestamps(pd.Series(["  2025-01-01 08:00  ", " 2025-01-01"]))
    assert parsed["ok"].tolist() == [True, True]
    assert parsed["ts"].tolist() == [_ts("2025-01-01 08:00"), _ts("2025-01-01 00:00")]
    assert parsed["time_known"].tolist() == [True, False]


def test_timestamp_pattern_is_anchored_at_the_true_end_of_the_text():
    assert re.search(TIMESTAMP_PATTERN, "2025-01-01") is not None
    assert re.search(TIMESTAMP_PATTERN, "2025-01-01\n") is None


def test_repeated_values_parse_once_and_every_row_gets_its_own_result():
    # rows of one attack repeat its times: each distinct text is parsed once, then spread back
    # to every row (missing and unparsable ones too), on the table's own index
    distinct = ["2025-07-09 08:30", "2025-07-09", "x", "2025-03-30 03:30", None, "2025-07-09 8:30"]
    values = pd.Series(distinct * 3, index=range(500, 518), dtype="string")
    parsed = parse_timestamps(values)
    one_by_one = pd.concat([parse_timestamps(values.iloc[[i]]) for i in range(len(values))])
    pd.testing.assert_frame_equal(parsed, one_by_one)
    assert str(parsed["ts"].dt.tz) == "Europe/Kyiv"
    assert parsed.loc[503, "ts"] == _ts("2025-03-30 04:00")  # in the spring-forward gap
    assert parsed.loc[[502, 504], "ok"].tolist() == [False, False]
    assert parsed.loc[500, "ts"] == parsed.loc[505, "ts"] == parsed.loc[517, "ts"]


def test_an_empty_column_parses_to_an_empty_table():
    parsed = parse_timestamps(pd.Series([], dtype="string"))
    assert parsed.empty and list(parsed.columns) == ["ts", "time_known", "ok"]
