import pandas as pd
import pytest

from analysis.data.strikes import QualityLog, allocate, make_strikes, parse_details, row_ids
from tests.rows import raw_rows


def test_parse_details_reads_python_dict_strings_with_nan():
    assert parse_details("{'X-101/X-555': 50, 'Kalibr': 12}") == {"X-101/X-555": 50, "Kalibr": 12}
    assert parse_details("{'south': 5, 'east': NaN}") is None
    assert parse_details("not a dict") is None
    assert parse_details(None) is None


def test_allocate_keeps_the_total_and_follows_the_shares():
    assert allocate(55.0, [50, 12]) == [44.0, 11.0]
    assert sum(allocate(29.0, [57, 28, 7])) == 29
    assert all(pd.isna(allocate(float("nan"), [1, 2])))


def test_combined_row_with_details_splits_into_components():
    raw = raw_rows(
        {
            "time_start": "2024-12-25 05:00",
            "time_end": "2024-12-25 10:00",
            "model": "X-101/X-555 and Kalibr",
            "launched": "62.0",
            "destroyed": "55.0",
            "launched_details": "{'X-101/X-555': 50, 'Kalibr': 12}",
        }
    )
    strikes, log = make_strikes(raw)
    assert strikes["model"].tolist() == ["X-101/X-555", "Kalibr"]
    assert strikes["launched"].tolist() == [50, 12]
    assert strikes["destroyed"].sum() == 55
    assert strikes["split"].all() and strikes["destroyed_allocated"].all()
    assert strikes["row_id"].nunique() == 1
    assert len(log.flags["split_by_launched_details"]) == 1


def test_combined_row_without_details_keeps_its_total_under_a_mixed_class():
    raw = raw_rows(
        {
            "time_start": "2023-05-16 3:30",
            "time_end": "2023-05-16 07:00",
            "model": "C-400 and Iskander-M",
            "launched": "6.0",
            "destroyed": "6.0",
        }
    )
    strikes, log = make_strikes(raw)
    assert len(strikes) == 1
    assert strikes.at[0, "weapon_class"] == "mixed_missile"
    assert strikes.at[0, "model"] == "C-400 and Iskander-M"
    assert strikes.at[0, "launched"] == 6
    assert log.flags["combined_without_split"][0]["raw_row"] == 0


def test_details_that_do_not_add_up_leave_the_row_whole_and_flagged():
    raw = raw_rows(
        {
            "time_start": "2024-12-25",
            "time_end": "2024-12-25",
            "model": "X-101/X-555 and Kalibr",
            "launched": "60.0",
            "launched_details": "{'X-101/X-555': 50, 'Kalibr': 12}",
        }
    )
    strikes, log = make_strikes(raw)
    assert len(strikes) == 1 and strikes.at[0, "launched"] == 60
    assert "launched_details_do_not_match" in log.flags


def test_unmapped_model_is_kept_as_unknown_and_logged():
    raw = raw_rows(
        {"time_start": "2025-01-01", "time_end": "2025-01-01", "model": "Geran-5", "launched": "3"}
    )
    strikes, log = make_strikes(raw)
    assert strikes.at[0, "weapon_class"] == "unknown"
    assert strikes.at[0, "launched"] == 3
    assert log.flags["unmapped_model"] == [{"raw_row": 0, "model": "Geran-5"}]


def test_missing_counts_stay_missing_and_are_logged():
    raw = raw_rows({"time_start": "2024-02-28", "time_end": "2024-02-28 08:00", "model": "C-300"})
    strikes, log = make_strikes(raw)
    assert pd.isna(strikes.at[0, "launched"])
    assert "launched_missing" in log.flags and "destroyed_missing" in log.flags


def test_row_ids_are_stable_and_distinguish_rows_sharing_a_report_identity():
    raw = raw_rows(
        {
            "time_start": "2025-03-08",
            "time_end": "2025-03-08",
            "model": "Iskander-M",
            "source": "s",
            "target": "Mykolaiv oblast",
        },
        {
            "time_start": "2025-03-08",
            "time_end": "2025-03-08",
            "model": "Iskander-M",
            "source": "s",
            "target": "Kherson oblast",
        },
    )
    ids = row_ids(raw)
    assert ids[0] != ids[1] and ids[0] == ids[1] + "-1"  # counted from the oldest (last) row
    assert row_ids(raw).tolist() == ids.tolist()


def test_add_rows_logs_the_same_entries_as_add_row_by_row():
    one, many = QualityLog(), QualityLog()
    for row, model in [(3, "Kalibr"), (7, "Shahed-136/131")]:
        one.add("launched_missing", row, model=model)
        one.add("start_time_unknown", row)
    many.add_rows(
        "launched_missing", pd.Index([3, 7]), model=pd.Series(["Kalibr", "Shahed-136/131"])
    )
    many.add_rows("start_time_unknown", [3, 7])
    many.add_rows("never_seen", [])
    assert many.flags == one.flags


@pytest.mark.parametrize(
    "text",
    [
        "{'Kalibr': 1e999}",
        "{'Kalibr': 99999999999}",
        "(" * 5000 + ")" * 5000,
        "{'a': __import__('os')}",
    ],
)
def test_details_that_overflow_nest_deeply_or_hold_code_are_ignored_not_run(text):
    assert parse_details(text) is None
