"""The data-overview findings about reporters, possible double counts, scope and gaps."""

from __future__ import annotations

import pandas as pd

from analysis.findings.overview import (
    double_count_finding,
    gaps_finding,
    material_months,
    reporters_table,
    scope_finding,
)
from analysis.results import Publisher

QUALITY = {
    "rows_per_reporter": {"national": 10, "air_command_south": 4, "general_staff": 0},
    "launched_per_reporter": {"national": 1000, "air_command_south": 60, "general_staff": 0},
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


def test_double_count_finding_gives_national_and_other_launches_and_the_flagged(tmp_path):
    pub = Publisher(tmp_path, "test")
    text = double_count_finding(pub, QUALITY)
    assert "reports 1,000 launches" in text and "add 60" in text
    assert "3 rows with 40 launches are flagged" in text
    assert pub.numbers["possible_double_count_launched"] == 40


def test_scope_finding_counts_the_material_months_and_the_table_shows_both_counts(tmp_path):
    pub = Publisher(tmp_path, "test")
    text = scope_finding(pub, comparison())
    assert "in 1 group-months" in text and "0 for drones, 1 for missiles" in text
    shown = material_months(comparison())
    assert shown.to_dict("records") == [
        {"month": "2023-02", "group": "missiles", "national": 4, "all": 145, "difference": 141}
    ]


def test_scope_finding_says_plainly_when_the_scopes_agree(tmp_path):
    agreeing = comparison().assign(material=False)
    text = scope_finding(Publisher(tmp_path, "test"), agreeing)
    assert text.startswith("In the period shown, counting every reporter")


def test_gaps_finding_lists_the_days_and_the_possibly_incomplete_months(tmp_path):
    pub = Publisher(tmp_path, "test")
    text = gaps_finding(pub, QUALITY)
    assert "2 days have no report" in text and "2025-05-08, 2025-05-09" in text
    assert "(2025-05) are possibly incomplete" in text
    none = {"reporting_gaps": {"rule": "r", "days": [], "possibly_incomplete_months": []}}
    assert gaps_finding(pub, none) == "No reporting gap in this release (r)."
