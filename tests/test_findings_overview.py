"""The data-overview findings about reporters, possible double counts, scope and gaps."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.findings.overview import (
    coverage_finding,
    double_count_detail,
    double_count_finding,
    gaps_detail,
    gaps_finding,
    integrity_finding,
    listing,
    material_months,
    number_word,
    record_wave_finding,
    reporters_table,
    scope_finding,
)
from analysis.results import Publisher

QUALITY = {
    "rows_per_reporter": {"national": 10, "air_command_south": 4, "general_staff": 0},
    "launched_per_reporter": {"national": 1000, "air_command_south": 60, "general_staff": 0},
    "launched_per_scope": {"national": 1000, "all": 1060},
    "possible_double_counts": {
        "rule": "A row not from the national summary is flagged when ...",
        "rows": 3,
        "launched": 40,
        "by_reporter": {
            "national": {"rows": 1, "launched": 10},
            "air_command_south": {"rows": 2, "launched": 30},
        },
    },
    "reporting_gaps": {
        "rule": "a Kyiv day with no report at all while ...",
        "days": ["2025-05-08", "2025-05-09"],
        "possibly_incomplete_months": ["2025-05"],
    },
}


def comparison() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": pd.to_datetime(["2023-02-01", "2023-03-01", "2023-03-01"]),
            "group": ["missiles", "missiles", "drones"],
            "national": [4, 100, 500],
            "all": [145, 101, 505],
            "difference": [141, 1, 5],
            "share": [35.25, 0.01, 0.01],
            "material": [True, False, False],
        }
    )


def test_reporters_table_lists_reporters_with_rows_and_their_flagged_share(tmp_path):
    table = reporters_table(QUALITY)
    assert table["reporter"].tolist() == ["Air Force national summary", "Air Command South"]
    assert table["launched"].tolist() == [1000, 60]
    assert table["flagged_launched"].tolist() == [10, 30]


def test_double_count_finding_gives_the_national_count_and_what_every_reporter_adds(tmp_path):
    pub = Publisher(tmp_path, "test")
    assert double_count_finding(pub, QUALITY) == (
        "Over the whole record, the Air Force's national summary reports 1,000 launches. Adding "
        "every reporter's posts would give 1,060, counting many attacks twice."
    )
    assert pub.numbers["possible_double_count_launched"] == 40
    assert pub.numbers["launched_other_reporters"] == 60


def test_double_count_finding_names_the_nationwide_posts_the_national_count_adds(tmp_path):
    quality = {**QUALITY, "launched_per_scope": {"national": 1012, "all": 1072}}
    text = double_count_finding(Publisher(tmp_path, "test"), quality)
    assert (
        "reports 1,000 launches, and the commander-in-chief or the General Staff 12 more on "
        "nights the summary did not post: 1,012 in all." in text
    )


def test_double_count_detail_gives_the_flagged_rows_and_the_rule():
    assert double_count_detail(QUALITY) == (
        "3 rows with 40 launches are flagged as possible double counts: a row not from the "
        "national summary is flagged when ..."
    )


def test_scope_finding_counts_the_material_months_and_the_table_shows_both_counts(tmp_path):
    pub = Publisher(tmp_path, "test")
    assert scope_finding(pub, comparison()) == (
        "Counting every reporter instead would raise 1 monthly total of the period shown by 2% "
        "or more (and by at least 10 launches): 0 for drones and 1 for missiles."
    )
    shown = material_months(comparison())
    assert shown.to_dict("records") == [
        {"month": "2023-02", "group": "missiles", "national": 4, "all": 145, "difference": 141}
    ]


def test_scope_finding_says_plainly_when_the_scopes_agree(tmp_path):
    agreeing = comparison().assign(material=False)
    text = scope_finding(Publisher(tmp_path, "test"), agreeing)
    assert text.startswith("In the period shown, counting every reporter instead")


def test_gaps_finding_says_how_many_days_lack_a_report_and_how_many_months_may_run_low(tmp_path):
    pub = Publisher(tmp_path, "test")
    assert gaps_finding(pub, QUALITY) == (
        "Two days in May 2025 have no report at all although the weeks around them were "
        "reported almost daily, so the totals of one month may run low (hatched in the charts, "
        "starred in the tables). A declared truce can also leave a day empty."
    )
    assert pub.numbers["reporting_gap_days"] == 2
    none = {"reporting_gaps": {"rule": "r", "days": [], "possibly_incomplete_months": []}}
    assert gaps_finding(pub, none) == (
        "No day is missing its report amid near-daily reporting in this release."
    )


def test_gaps_detail_lists_the_rule_the_days_and_the_months_as_a_reader_writes_them():
    assert gaps_detail(QUALITY) == (
        "The rule flags a Kyiv day with no report at all while .... Days flagged: 8 May 2025 "
        "and 9 May 2025. Months possibly incomplete: May 2025."
    )


def test_number_words_and_listings_read_as_a_sentence():
    assert [number_word(n) for n in (0, 1, 4, 10, 11, 1200)] == [
        "no",
        "one",
        "four",
        "ten",
        "11",
        "1,200",
    ]
    assert [listing(items) for items in ([], ["a"], ["a", "b"], ["a", "b", "c"])] == [
        "",
        "a",
        "a and b",
        "a, b and c",
    ]


@dataclass
class Data:
    """The parts of a processed release the coverage finding reads."""

    quality: dict
    scope: str = "national"


def test_coverage_finding_names_the_launches_the_dates_and_whose_counts(tmp_path):
    pub = Publisher(tmp_path, "test")
    data = Data({"rows_read": 5, "first_date": "2025-03-01", "last_date": "2025-04-30"})
    strikes = pd.DataFrame(
        {"launched": pd.array([1000, 200, pd.NA], dtype="Int64"), "reporter": ["national"] * 3}
    )
    assert coverage_finding(pub, data, strikes) == (
        "This page counts 1,200 drones and missiles launched at Ukraine from 1 Mar 2025 to "
        "30 Apr 2025. They come from the Air Force's national summary."
    )
    fallback = strikes.assign(reporter=["national", "general_staff", "national"])
    text = coverage_finding(pub, data, fallback, "2025-04-01", None)
    assert text.startswith(
        "This page counts 1,200 drones and missiles launched at Ukraine from 1 Apr"
    )
    assert text.endswith(
        "summary, plus a few attacks that only the commander-in-chief or the General Staff "
        "reported."
    )
    every = coverage_finding(pub, Data(data.quality, "all"), strikes)
    assert every.endswith(
        "They come from every reporter's posts, so some attacks are counted twice."
    )
    assert pub.numbers["launched_in_period"] == 1200


def test_integrity_finding_says_whether_every_launch_and_weapon_name_is_kept(tmp_path):
    pub = Publisher(tmp_path, "test")
    kept = {"launched_total_raw": 99570, "launched_total_processed": 99570}
    assert integrity_finding(pub, kept, []) == (
        "All 99,570 launches in the source's daily file are still counted after processing, and "
        "every weapon name in it is placed in a weapon class."
    )
    lost = {"launched_total_raw": 100, "launched_total_processed": 98}
    assert integrity_finding(pub, lost, ["X-1", "Y-2"]) == (
        "Processing counts 98 of the 100 launches in the source's daily file; two weapon names "
        "could not be placed in a weapon class."
    )


def test_record_wave_finding_gives_the_largest_attack_with_a_readable_date(tmp_path):
    pub = Publisher(tmp_path, "test")
    waves = pd.DataFrame(
        {
            "date": ["2025-09-07", "2025-07-09"],
            "start": pd.to_datetime(["2025-09-06 17:00", "2025-07-08 20:00"]),
            "drones_launched": [810, 728],
            "missiles_launched": [13, 13],
        }
    )
    assert record_wave_finding(pub, waves) == (
        "The largest attack in the period ended on 7 Sep 2025: 810 long-range strike drones "
        "(decoys included) and 13 missiles, as reported by the Air Force."
    )
    assert pub.numbers["record_wave_date"] == "2025-09-07"
