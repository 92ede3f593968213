"""Cross-check against published figures: the reference tables, the comparison, the words."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.data.crosscheck import (
    monthly_crosscheck,
    nights_crosscheck,
    primary_drone_months,
)
from analysis.data.gaps import gap_report
from analysis.data.references import (
    MONTHLY_COLUMNS,
    NIGHT_COLUMNS,
    read_monthly_references,
    read_night_references,
)
from analysis.data.scope import scoped_waves
from analysis.errors import DataValidationError
from analysis.findings.crosscheck import (
    crosscheck_detail,
    crosscheck_finding,
    monthly_display,
    nights_detail,
    nights_display,
    nights_finding,
)
from analysis.results import Publisher

SOURCE = {
    "basis": "agency_tally",
    "approximate": "no",
    "counts": "long-range drones in overnight attacks",
    "publisher": "Agency",
    "published": "2025-04-01",
    "url": "https://example.org/a",
    "accessed": "2026-12-03",
    "note": "",
}


def write_csv(path: Path, rows: list[dict], columns: tuple[str, ...]) -> Path:
    pd.DataFrame(rows, columns=list(columns)).to_csv(path, index=False)
    return path


def month_row(**values) -> dict:
    return {"month": "2025-03", "weapon": "drones", "launched": "110", "primary": "yes"} | (
        SOURCE | values
    )


def strikes() -> pd.DataFrame:
    """March 2025: national 100 drones and Air Command South 30 more in its own wave; a
    General Staff post of 12 missiles in a wave the national summary did not post."""
    return pd.DataFrame(
        {
            "wave_id": [1, 2, 3, 4],
            "end_date": ["2025-03-01", "2025-03-01", "2025-03-15", "2025-04-02"],
            "weapon_class": ["strike_drone", "strike_drone", "cruise_missile", "strike_drone"],
            "reporter": ["national", "air_command_south", "general_staff", "national"],
            "launched": pd.array([100, 30, 12, 50], dtype="Int64"),
            "destroyed": pd.array([90, 25, 10, 50], dtype="Int64"),
            "not_reach_goal": pd.array([5, 0, 0, 0], dtype="Int64"),
        }
    )


# --- reading ---------------------------------------------------------------------------------


def test_monthly_references_are_read_with_types_and_primary_rows_first(tmp_path):
    path = write_csv(
        tmp_path / "m.csv",
        [
            month_row(primary="no", launched="120", basis="general_staff"),
            month_row(),
            month_row(month="2025-02", approximate="yes"),
        ],
        MONTHLY_COLUMNS,
    )
    refs = read_monthly_references(path)
    assert refs["month"].dt.strftime("%Y-%m").tolist() == ["2025-02", "2025-03", "2025-03"]
    assert refs["launched"].tolist() == [110, 110, 120]
    assert refs["primary"].tolist() == [True, True, False]
    assert refs["approximate"].tolist() == [True, False, False]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"month": "2025-13"}, "bad month"),
        ({"weapon": "bombs"}, "unknown weapon"),
        ({"launched": "1,000"}, "not a whole number"),
        ({"url": "example.org"}, "not an http"),
        ({"basis": "rumour"}, "unknown basis"),
        ({"publisher": " "}, "missing publisher"),
    ],
)
def test_a_bad_monthly_reference_names_the_file_column_and_row(tmp_path, change, message):
    path = write_csv(
        tmp_path / "m.csv", [month_row(month="2025-02"), month_row(**change)], MONTHLY_COLUMNS
    )
    with pytest.raises(DataValidationError, match=message) as caught:
        read_monthly_references(path)
    assert str(path) in str(caught.value)
    assert next(iter(change)) in str(caught.value)


def test_each_month_needs_exactly_one_primary_reference(tmp_path):
    path = write_csv(tmp_path / "m.csv", [month_row(), month_row(launched="120")], MONTHLY_COLUMNS)
    with pytest.raises(DataValidationError, match="exactly one primary"):
        read_monthly_references(path)


def test_night_references_keep_missing_figures_missing_and_refuse_an_empty_row(tmp_path):
    row = {"date": "2025-09-07", "drones_launched": "810", "drones_defeated": ""} | SOURCE
    row |= {"missiles_launched": "13", "missiles_defeated": ""}
    refs = read_night_references(write_csv(tmp_path / "n.csv", [row], NIGHT_COLUMNS))
    assert int(refs.loc[0, "drones_launched"]) == 810 and pd.isna(refs.loc[0, "drones_defeated"])
    empty = row | {"drones_launched": "", "missiles_launched": ""}
    with pytest.raises(DataValidationError, match="at least one of the four figures"):
        read_night_references(write_csv(tmp_path / "e.csv", [empty], NIGHT_COLUMNS))


def test_the_committed_reference_tables_are_valid_and_cite_a_source_per_row():
    monthly, nights = read_monthly_references(), read_night_references()
    drones = monthly[monthly["primary"] & (monthly["weapon"] == "drones")]
    assert len(drones) >= 12
    assert monthly["url"].str.startswith("https://").all()
    assert nights["url"].str.startswith("https://").all()
    assert nights["date"].nunique() == 20


# --- comparing -------------------------------------------------------------------------------


def test_monthly_crosscheck_sets_both_scopes_beside_the_reference_and_explains_gaps():
    refs = pd.DataFrame(
        [
            month_row(launched="101"),
            month_row(month="2025-04", launched="60"),
            month_row(weapon="missiles", launched="12"),
        ]
    )
    refs = refs.assign(
        month=pd.to_datetime(refs["month"], format="%Y-%m"),
        launched=refs["launched"].astype(int),
        primary=True,
        approximate=False,
    )
    table = monthly_crosscheck(strikes(), refs, gap_days=["2025-04-10"]).set_index(
        ["weapon", "month"]
    )
    march = table.loc[("drones", pd.Timestamp("2025-03-01"))]
    assert (march["national"], march["all"], march["difference"]) == (100, 130, -1)
    assert march["within"] and march["explanation"] == "within 1%"
    april = table.loc[("drones", pd.Timestamp("2025-04-01"))]
    assert april["possibly_incomplete"] and not april["within"]
    assert april["explanation"] == "the source has no report on 10 Apr 2025 (a reporting gap)"
    missiles = table.loc[("missiles", pd.Timestamp("2025-03-01"))]
    assert missiles["national"] == 12  # the General Staff's post stands in for the summary


def test_a_difference_the_data_cannot_explain_says_so():
    refs = pd.DataFrame([month_row(launched="150")]).assign(
        month=pd.Timestamp("2025-03-01"), launched=150, primary=True, approximate=False
    )
    table = monthly_crosscheck(strikes(), refs)
    assert table.loc[0, "explanation"] == "not explained by the data"


def test_nights_crosscheck_sums_a_dates_waves_and_counts_lost_drones_as_defeated():
    waves = pd.DataFrame(
        {
            "date": ["2024-12-13", "2024-12-13", "2024-12-14"],
            "drones_launched": [193, 0, 5],
            "drones_destroyed": [80, 0, 5],
            "drones_not_reach_goal": [105, 0, 0],
            "missiles_launched": [0, 93, 0],
            "missiles_destroyed": [0, 81, 0],
        }
    )
    refs = pd.DataFrame(
        {
            "date": [pd.Timestamp("2024-12-13")],
            "drones_launched": pd.array([193], dtype="Int64"),
            "drones_defeated": pd.array([185], dtype="Int64"),
            "missiles_launched": pd.array([94], dtype="Int64"),
            "missiles_defeated": pd.array([pd.NA], dtype="Int64"),
            "approximate": [False],
            "basis": ["air_force"],
            "note": ["two waves"],
            "publisher": ["KI"],
            "url": ["https://example.org"],
        }
    )
    table = nights_crosscheck(waves, refs)
    assert table["figure"].tolist() == [
        "drones launched",
        "drones shot down or lost",
        "missiles launched",
    ]
    assert table["difference"].tolist() == [0, 0, -1]
    assert set(table["waves"]) == {2}
    assert nights_display(table)["why"].tolist() == ["same", "same", "two waves"]


# --- on the real release ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_monthly(real_strikes) -> pd.DataFrame:
    gaps = gap_report(real_strikes)["days"]
    return monthly_crosscheck(real_strikes, read_monthly_references(), gaps)


def test_real_national_drone_totals_are_within_one_percent_in_most_months(real_monthly):
    drones = primary_drone_months(real_monthly)
    assert len(drones) == 20
    assert int(drones["within"].sum()) == 16
    apart = drones.loc[~drones["within"], "month"].dt.strftime("%Y-%m").tolist()
    assert apart == ["2024-10", "2024-11", "2025-01", "2025-04"]
    every = (drones["all"] - drones["reference"]).abs() <= 0.01 * drones["reference"]
    assert int(every.sum()) < 16


def test_real_months_short_of_the_reference_with_a_gap_name_the_missing_days(real_monthly):
    table = real_monthly.set_index(["weapon", "month"])
    november = table.loc[("drones", pd.Timestamp("2024-11-01"))]
    assert (november["reference"], november["national"]) == (2576, 2434)
    assert "no report on 23 Nov 2024 (a reporting gap)" in november["explanation"]
    july = table.loc[("drones", pd.Timestamp("2025-07-01"))]
    assert (int(july["national"].iloc[0]), int(july["all"].iloc[0])) == (6297, 6303)


def test_real_nights_match_the_air_forces_figures_except_the_explained_ones(
    real_strikes, real_waves, tmp_path
):
    national = scoped_waves(real_strikes, real_waves, "national")
    table = nights_crosscheck(national, read_night_references())
    assert table["date"].nunique() == 20
    apart = table.loc[table["difference"] != 0]
    assert sorted(apart["date"].dt.strftime("%Y-%m-%d").unique()) == [
        "2022-11-15",
        "2022-12-16",
        "2024-12-13",
        "2025-09-28",
    ]
    assert apart["note"].str.len().gt(0).all()  # every difference has its reason
    record = table.set_index(["date", "figure"]).loc[
        (pd.Timestamp("2025-09-07"), "drones launched")
    ]
    assert (record["reference"], record["project"]) == (810, 810)
    text = nights_finding(Publisher(tmp_path, "01_data_overview"), table)
    assert text == (
        "For 16 of the 20 largest attacks checked, this report's counts match the Air Force's "
        "published figures exactly; the other four differ for reasons given in the method notes."
    )
    assert nights_detail(table).startswith(
        "The attacks whose figures differ: 15 Nov 2022, 16 Dec 2022, 13 Dec 2024 and 28 Sep 2025."
    )


def test_the_findings_count_matching_months_and_record_both_scopes(real_monthly, tmp_path):
    pub = Publisher(tmp_path, "01_data_overview")
    text = crosscheck_finding(pub, real_monthly)
    assert text == (
        "In 16 of the 20 months checked (Sep 2023 to Feb 2026), this report's monthly drone "
        "totals are within 1% of the published national figures; three of the other four have "
        "a known cause, given in the method notes."
    )
    assert pub.numbers["crosscheck_within_national"] == 16
    assert "counting every reporter instead, 15 of 20 months are within 1%" in (
        crosscheck_detail(real_monthly)
    )
    assert crosscheck_detail(real_monthly).endswith(
        "months further apart (Oct 2024, Nov 2024, Jan 2025 and Apr 2025)."
    )
    record = json.loads((tmp_path / "01_data_overview.results.json").read_text())
    assert record["findings"][0]["key"] == "crosscheck"
    assert record["findings"][0]["headline"]
    display = monthly_display(real_monthly)
    assert display.loc[display["month"] == "2024-11 *", "difference"].iloc[0] == "-5.5%"


# --- the words, on hand-written tables ----------------------------------------------------------


def drone_months(within: list[bool], explanations: list[str]) -> pd.DataFrame:
    """Primary monthly drone references from Jan 2025 on: 100 published, ``all`` 100."""
    n = len(within)
    return pd.DataFrame(
        {
            "month": pd.date_range("2025-01-01", periods=n, freq="MS"),
            "weapon": "drones",
            "reference": 100,
            "national": [100 if w else 90 for w in within],
            "all": 100,
            "within": within,
            "primary": True,
            "explanation": explanations,
        }
    )


def test_crosscheck_finding_says_how_many_months_match_and_how_many_others_are_explained(
    tmp_path,
):
    pub = Publisher(tmp_path, "test")
    table = drone_months(
        [True, True, False, False], ["within 1%", "within 1%", "a gap", "not explained by the data"]
    )
    assert crosscheck_finding(pub, table) == (
        "In 2 of the 4 months checked (Jan 2025 to Apr 2025), this report's monthly drone "
        "totals are within 1% of the published national figures; one of the other two has a "
        "known cause, given in the method notes."
    )
    matching = drone_months([True, True], ["within 1%", "within 1%"])
    assert crosscheck_finding(pub, matching) == (
        "In all 2 months checked (Jan 2025 to Feb 2025), this report's monthly drone totals are "
        "within 1% of the published national figures."
    )
    both = drone_months([True, False, False], ["within 1%", "a gap", "a General Staff figure"])
    assert crosscheck_finding(pub, both).endswith(
        "; the other two each have a known cause, given in the method notes."
    )
    unexplained = drone_months([True, False], ["within 1%", "not explained by the data"])
    assert crosscheck_finding(pub, unexplained).endswith("; the data do not explain the other one.")


def test_crosscheck_detail_gives_the_other_scope_and_the_months_further_apart():
    table = drone_months([True, False, False], ["within 1%", "a gap", "a gap"])
    assert crosscheck_detail(table) == (
        "The check counts the national summary (the national scope) against each month's primary "
        "reference; counting every reporter instead, 3 of 3 months are within 1%. The table "
        "gives what the data say about the months further apart (Feb 2025 and Mar 2025)."
    )


def night_rows(differences: list[int], notes: list[str]) -> pd.DataFrame:
    """One figure per night from 1 Mar 2025 on, with its difference and note."""
    return pd.DataFrame(
        {
            "date": pd.date_range("2025-03-01", periods=len(differences), freq="D"),
            "difference": differences,
            "note": notes,
        }
    )


def test_nights_finding_counts_exact_nights_and_says_whether_the_others_are_explained(tmp_path):
    pub = Publisher(tmp_path, "test")
    explained = night_rows([0, 0, 3], ["", "", "a first count"])
    assert nights_finding(pub, explained) == (
        "For 2 of the 3 largest attacks checked, this report's counts match the Air Force's "
        "published figures exactly; the other one differs for reasons given in the method notes."
    )
    assert nights_finding(pub, night_rows([0, 2, 3], ["", "", "x"])).endswith(
        "; the other two differ and the method notes say what the data show about each."
    )
    assert nights_finding(pub, night_rows([0], [""])).endswith("published figures exactly.")
    assert pub.numbers["crosscheck_nights_exact"] == 1


def test_nights_detail_names_the_dates_that_differ_as_a_reader_writes_them():
    assert nights_detail(night_rows([0, 2, 3], ["", "a", "b"])) == (
        "The attacks whose figures differ: 2 Mar 2025 and 3 Mar 2025. The table gives each "
        "figure and the reason."
    )
    assert nights_detail(night_rows([0], [""])) == "Every figure checked is the Air Force's own."
