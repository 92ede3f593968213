import pandas as pd
import pytest

from analysis.data.gaps import (
    INCOMPLETE_NOTE,
    footnote,
    incomplete_months,
    mark_months,
    possibly_incomplete,
    reported_days,
    reporting_gaps,
)


def _strikes(days):
    """A strikes table with one row on each of ``days`` (``YYYY-MM-DD``)."""
    return pd.DataFrame({"end_date": days, "launched": 1})


def _every_day_but(first, last, *missing):
    days = pd.date_range(first, last).strftime("%Y-%m-%d")
    return _strikes([d for d in days if d not in missing])


def test_an_empty_day_amid_daily_reports_is_a_gap_with_its_counts():
    strikes = _every_day_but("2025-01-01", "2025-01-21", "2025-01-11")
    gaps = reporting_gaps(strikes, window_days=7, min_reported=6)
    assert gaps["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-11"]
    assert gaps[["reported_before", "reported_after"]].values.tolist() == [[7, 7]]


def test_two_adjacent_empty_days_are_both_found_unless_every_day_must_be_reported():
    strikes = _every_day_but("2025-01-01", "2025-01-25", "2025-01-11", "2025-01-12")
    found = reporting_gaps(strikes, window_days=7, min_reported=6)
    assert found["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-11", "2025-01-12"]
    assert found["reported_after"].tolist() == [6, 7]
    assert reporting_gaps(strikes, window_days=7, min_reported=7).empty


def test_empty_days_amid_sparse_reports_or_near_the_ends_are_not_gaps():
    sparse = _strikes(["2025-01-01", "2025-01-03", "2025-01-05", "2025-01-07", "2025-01-09"])
    assert reporting_gaps(sparse, window_days=4, min_reported=3).empty
    found = reporting_gaps(sparse, window_days=4, min_reported=2)
    assert found["date"].dt.day.tolist() == [4, 6]
    near_end = _every_day_but("2025-01-01", "2025-01-10", "2025-01-08")
    assert reporting_gaps(near_end, window_days=7, min_reported=6).empty


def test_reported_days_spans_first_to_last_day_and_rows_on_one_day_count_once():
    reported = reported_days(_strikes(["2025-01-03", "2025-01-01", "2025-01-03"]))
    assert reported.tolist() == [True, False, True]
    assert str(reported.index[0].date()) == "2025-01-01"


def test_incomplete_months_are_the_month_starts_of_gaps_once_each_in_order():
    gaps = pd.DataFrame({"date": pd.to_datetime(["2025-05-09", "2024-11-23", "2025-05-08"])})
    months = incomplete_months(gaps)
    assert [str(m.date()) for m in months] == ["2024-11-01", "2025-05-01"]
    assert incomplete_months(gaps.iloc[:0]) == []


def test_possibly_incomplete_months_hold_a_gap_under_the_default_rule():
    strikes = _every_day_but("2025-01-01", "2025-04-30", "2025-02-10", "2025-04-29")
    assert possibly_incomplete(strikes) == [pd.Timestamp("2025-02-01")]  # 29 April: too late


def test_mark_months_marks_only_the_months_with_a_gap_in_a_column_or_the_index():
    table = pd.DataFrame(
        {"month": ["2025-01", "2025-02", "2025-03 (part)"], "launched": [10, 20, 30]}
    )
    months = [pd.Timestamp("2025-02-14"), pd.Timestamp("2025-03-01"), pd.Timestamp("2025-07-01")]
    marked = mark_months(table, months, "month")
    assert marked["month"].tolist() == ["2025-01", "2025-02*", "2025-03 (part)*"]
    assert marked["launched"].tolist() == [10, 20, 30]
    assert table["month"].tolist() == ["2025-01", "2025-02", "2025-03 (part)"]  # not changed
    by_index = mark_months(table.set_index("month"), months)
    assert by_index.index.tolist() == ["2025-01", "2025-02*", "2025-03 (part)*"]
    assert by_index.index.name == "month"
    assert mark_months(table, [], "month")["month"].tolist() == table["month"].tolist()


def test_mark_months_refuses_a_label_that_does_not_start_with_a_month():
    with pytest.raises(ValueError, match="'total'"):
        mark_months(pd.DataFrame({"month": ["2025-01", "total"]}), [], "month")


def test_a_footnote_only_under_a_table_that_marks_a_month():
    table = pd.DataFrame({"month": ["2025-01", "2025-02"]})
    assert footnote(table, "month") == ""
    marked = mark_months(table, [pd.Timestamp("2025-01-01")], "month")
    assert footnote(marked, "month") == INCOMPLETE_NOTE
    assert footnote(marked.set_index("month")) == INCOMPLETE_NOTE
    assert not INCOMPLETE_NOTE.startswith("*")  # would open a Markdown list


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"window_days": 0}, "window_days"),
        ({"window_days": 7, "min_reported": 8}, "min_reported"),
        ({"min_reported": -1}, "min_reported"),
    ],
)
def test_bad_rule_parameters_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        reporting_gaps(_strikes(["2025-01-01"]), **kwargs)


#: The empty days amid dense reporting that the issue lists for the 2026-04-05 release.
ISSUE_GAPS = ["2024-11-23", "2024-12-12", "2024-12-30", "2025-04-20", "2025-05-08", "2025-05-09"]


def test_real_gaps_under_the_default_rule(real_strikes):
    gaps = reporting_gaps(real_strikes)
    days = gaps["date"].dt.strftime("%Y-%m-%d").tolist()
    assert set(ISSUE_GAPS) <= set(days)
    assert days == ["2024-03-07", "2024-04-15", "2024-04-21", "2024-07-30", *ISSUE_GAPS]
    second_of_two = gaps[gaps["date"] == "2025-05-09"].iloc[0]
    assert (second_of_two["reported_before"], second_of_two["reported_after"]) == (26, 28)
    months = [m.strftime("%Y-%m") for m in incomplete_months(gaps)]
    assert months == ["2024-03", "2024-04", "2024-07", "2024-11", "2024-12", "2025-04", "2025-05"]


def test_real_issue_gaps_are_every_empty_day_since_august_2024(real_strikes):
    reported = reported_days(real_strikes)
    empty = reported[~reported & (reported.index >= "2024-08-01")]
    assert empty.index.strftime("%Y-%m-%d").tolist() == ISSUE_GAPS


def test_real_one_week_windows_also_flag_quiet_days_of_2023(real_strikes):
    gaps = reporting_gaps(real_strikes, window_days=7, min_reported=6)
    assert len(gaps) == 36
    assert (gaps["date"].dt.year == 2023).sum() == 15


def test_real_quality_record_lists_the_gaps_and_the_possibly_incomplete_months(real_build):
    import json

    record = json.loads((real_build / "quality.json").read_text(encoding="utf-8"))
    gaps = record["reporting_gaps"]
    assert gaps["rule"].startswith("a Kyiv day with no report at all")
    assert gaps["days"][-6:] == [
        "2024-11-23",
        "2024-12-12",
        "2024-12-30",
        "2025-04-20",
        "2025-05-08",
        "2025-05-09",
    ]
    assert gaps["possibly_incomplete_months"] == [
        "2024-03",
        "2024-04",
        "2024-07",
        "2024-11",
        "2024-12",
        "2025-04",
        "2025-05",
    ]


def test_real_possibly_incomplete_months_are_those_quality_json_records(real_build, real_strikes):
    import json

    record = json.loads((real_build / "quality.json").read_text(encoding="utf-8"))
    months = [m.strftime("%Y-%m") for m in possibly_incomplete(real_strikes)]
    assert months == record["reporting_gaps"]["possibly_incomplete_months"]
    assert months == ["2024-03", "2024-04", "2024-07", "2024-11", "2024-12", "2025-04", "2025-05"]
