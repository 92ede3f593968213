"""Findings, display tables and the notebook of the supply partnerships
(analysis/findings/partnerships.py, analysis/figures_partnerships.py,
notebooks/04_supply_partnerships.ipynb)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from analysis.data.indicators import origin_series
from analysis.figures.origins import origin_share_chart
from analysis.figures.partnerships import (
    event_study_chart,
    event_table_style,
    event_verdict_table,
    label_lags_table,
    origin_month_table,
    safe_style,
    source_link,
    timeline_html,
    timeline_rows,
)
from analysis.figures.style import INCOMPLETE_LEGEND, credit, hatched_months
from analysis.findings.partnerships import (
    UNVERIFIED_MARK,
    appearance_finding,
    describe_band,
    describe_event_study,
    describe_iranian_share,
    describe_timeline,
    event_study_details,
    event_study_finding,
    event_table,
    event_verdict,
    first_month_over_1000_finding,
    iranian_share_finding,
    north_korean_band_finding,
    supply_finding,
)
from analysis.modelresult import ModelResult
from analysis.results import Publisher, read_results

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "04_supply_partnerships.ipynb"
STEM = NOTEBOOK.stem


@pytest.fixture
def pub(tmp_path: Path) -> Publisher:
    return Publisher(tmp_path, "test")


def recorded(pub: Publisher, key: str) -> dict:
    return next(f for f in pub.findings if f["key"] == key)


def chart_text(fig: Figure) -> str:
    """Every text drawn on ``fig``, one per line."""
    return "\n".join(t.get_text() for t in fig.findobj(Text))


# --- launches by design origin -----------------------------------------------------------------


def origin_monthly(
    months: int, iran: list[int], total: list[int], complete_last: bool = False
) -> pd.DataFrame:
    periods = pd.date_range("2024-01-01", periods=months, freq="MS")
    frame = pd.DataFrame(
        {"period": periods, "complete": True, "iranian_design": iran, "total": total}
    )
    frame.loc[months - 1, "complete"] = complete_last
    frame["share_iranian_design"] = frame["iranian_design"] / frame["total"].where(
        frame["total"] > 0
    )
    return frame


def test_iranian_share_uses_the_latest_complete_months_in_plain_words(pub):
    # 14 months, the last one partial: the latest 12 complete are months 2..13.
    iran = [1, 1] + [90] * 6 + [80] * 5 + [999]
    total = [10, 10] + [100] * 11 + [1000]
    monthly = origin_monthly(14, iran, total)
    text = iranian_share_finding(pub, monthly)

    expected_iran = 1 + 90 * 6 + 80 * 5
    expected_total = 10 + 100 * 11
    share = expected_iran / expected_total  # 84.8%
    assert text == (
        "About 85% of the long-range drones and missiles launched in the last 12 complete "
        "months (Feb 2024 to Jan 2025) were of Iranian design (941 of 1,110). Shahed-type "
        "drones built in Russia count as Iranian design."
    )
    assert (expected_iran, expected_total) == (941, 1110)
    # The exact share, the monthly range and what "Iranian design" counts go in the fold.
    detail = describe_iranian_share(monthly)
    assert f"is {share:.1%}; month by month it ranged from 10.0% to 90.0%" in detail
    assert "design lineage, not place of manufacture" in detail
    found = recorded(pub, "iranian_design_share")
    assert found["headline"] is True
    assert found["value"] == pytest.approx(share)
    assert (found["low"], found["high"]) == (pytest.approx(0.1), pytest.approx(0.9))
    assert pub.numbers["iranian_design_launches_latest_months"] == expected_iran


def test_iranian_share_with_few_months_says_so_and_survives_no_launches(pub):
    text = iranian_share_finding(pub, origin_monthly(4, [5, 6, 7, 0], [10, 10, 10, 0]))
    assert text.startswith(
        "About 60% of the long-range drones and missiles launched in the period's 3 complete "
        "months (Jan 2024 to Mar 2024) were of Iranian design (18 of 30)."
    )

    monthly = origin_monthly(2, [7, 1], [10, 10])
    single = iranian_share_finding(pub, monthly)
    assert single.startswith(
        "About 70% of the long-range drones and missiles launched in the period's only "
        "complete month (Jan 2024)"
    )
    detail = describe_iranian_share(monthly)
    assert "ranged" not in detail and "no interval" in detail

    part = iranian_share_finding(pub, origin_monthly(1, [3], [4]))
    assert part.startswith(
        "About 75% of the long-range drones and missiles launched in the period (part of "
        "Jan 2024) were of Iranian design (3 of 4)."
    )

    nearly_all = iranian_share_finding(pub, origin_monthly(2, [999, 0], [1000, 0]))
    assert nearly_all.startswith("Over 99% of the long-range drones")

    empty = iranian_share_finding(pub, origin_monthly(3, [0, 0, 0], [0, 0, 0], True))
    assert empty.startswith("No drone or missile launches were counted")
    assert recorded(pub, "iranian_design_share")["value"] is None


def origin_strikes() -> pd.DataFrame:
    """Three months of headline launches: Shahed drones and a Russian cruise missile."""
    return pd.DataFrame(
        {
            "end_date": pd.to_datetime(["2025-01-10", "2025-02-10", "2025-02-11", "2025-03-10"]),
            "model": ["Shahed-136/131", "Shahed-136/131", "X-101/X-555", "Shahed-136/131"],
            "weapon_class": ["strike_drone", "strike_drone", "cruise_missile", "strike_drone"],
            "origin": ["iran", "iran", "russia", "iran"],
            "launched": pd.array([100, 200, 10, 300], dtype="Int64"),
        }
    ).assign(end_date=lambda f: f["end_date"].dt.date)


def test_origin_month_table_marks_the_possibly_incomplete_months_only():
    monthly = origin_series(origin_strikes(), "M")
    table = origin_month_table(monthly, [pd.Timestamp("2025-02-01")])
    assert table["month"].tolist() == ["2025-01 (part)", "2025-02*", "2025-03 (part)"]
    assert table["total"].tolist() == [100, 210, 300]
    assert origin_month_table(monthly)["month"].tolist()[1] == "2025-02"


def test_origin_share_chart_hatches_the_possibly_incomplete_months_in_both_panels():
    monthly = origin_series(origin_strikes(), "M")
    fig = origin_share_chart(monthly, release="2026-04-05", incomplete=[pd.Timestamp("2025-02-01")])
    assert hatched_months(fig) == ["2025-02"]
    assert sum(p.get_gid() == "incomplete:2025-02" for ax in fig.axes for p in ax.patches) == 2
    assert INCOMPLETE_LEGEND in chart_text(fig)
    plain = origin_share_chart(monthly, release="2026-04-05")
    assert hatched_months(plain) == [] and INCOMPLETE_LEGEND not in chart_text(plain)


# --- North Korean band -------------------------------------------------------------------------


def band_result(lower=3, upper=40, ballistic=100, first="2024-02-15") -> ModelResult:
    return ModelResult(
        "north_korean_band",
        summary={
            "lower": lower,
            "upper": upper,
            "ballistic": ballistic,
            "share_lower": lower / ballistic if ballistic else None,
            "share_upper": upper / ballistic if ballistic else None,
            "first_ambiguous_label": first,
        },
    )


def test_band_finding_gives_a_plain_range_and_the_fold_its_shares(pub):
    text = north_korean_band_finding(pub, band_result())
    assert text == (
        "Between 3 and 40 of the 100 ballistic missiles launched in the period may have been "
        "North Korean. It is a range, not a number, because most reports use one label, "
        "Iskander-M/KN-23, for both Russian and North Korean missiles."
    )
    detail = describe_band(band_result())
    assert "(3.0% to 40.0% of ballistic missile launches)" in detail
    assert "not an estimate with a confidence interval" in detail
    assert "first appears on 15 Feb 2024" in detail
    found = recorded(pub, "north_korean_band")
    assert (found["low"], found["high"], found["value"]) == (3, 40, None)
    assert found["headline"] is True
    assert (pub.numbers["nk_band_lower"], pub.numbers["nk_band_upper"]) == (3, 40)


def test_band_finding_without_ballistic_launches(pub):
    text = north_korean_band_finding(pub, band_result(0, 0, 0, None))
    assert "No ballistic missile launches" in text
    text = north_korean_band_finding(pub, band_result(0, 0, 40, None))
    assert text.startswith("No ballistic missile launched in the period (40 in all)")
    assert describe_band(band_result(0, 0, 40, None)).startswith("Both bounds are 0")
    assert recorded(pub, "north_korean_band")["high"] == 0


# --- first appearances -------------------------------------------------------------------------


def appearances_result() -> ModelResult:
    lags = pd.DataFrame(
        {
            "label": ["Shahed-136/131", "Iskander-M/KN-23", "Iskander-M/KN-23"],
            "event_id": ["first-drone", "nk-first", "nk-report"],
            "event_date": pd.to_datetime(["2022-09-13", "2023-12-30", "2025-05-29"]),
            "event_type": ["first_use", "first_use", "delivery"],
            "description": ["a", "b", "c"],
            "first_appearance": pd.to_datetime(["2022-09-29", "2024-02-15", "2024-02-15"]),
            "lag_days": pd.array([16, 47, -469], dtype="Int64"),
            "reference": [True, True, False],
            "before_data": [True, False, False],
        }
    )
    summary = {
        "first_appearance[Shahed-136/131]": "2022-09-29",
        "reference_event[Shahed-136/131]": "first-drone",
        "lag_days[Shahed-136/131]": 16,
        "first_appearance[Iskander-M/KN-23]": "2024-02-15",
        "reference_event[Iskander-M/KN-23]": "nk-first",
        "lag_days[Iskander-M/KN-23]": 47,
    }
    return ModelResult("model_appearances", summary=summary, tables={"lags": lags})


def appearance_events() -> pd.DataFrame:
    """The timeline rows of the events that :func:`appearances_result` links."""
    return pd.DataFrame(
        {
            "event_id": ["first-drone", "nk-first", "nk-report"],
            "label": ["First Shahed drone downed", "First North Korean missiles used", "Report"],
        }
    )


def test_appearance_finding_reports_lags_as_reporting_choices(pub):
    text = appearance_finding(pub, appearances_result(), appearance_events())
    assert (
        "'Iskander-M/KN-23' is first named on 15 Feb 2024, 47 days after “First North Korean "
        "missiles used” (30 Dec 2023)" in text
    )
    assert (
        "16 days after “First Shahed drone downed” (13 Sep 2022), an event from before the "
        "data begin, so the true gap may be shorter" in text
    )
    assert "nk-first" not in text and "first-drone" not in text
    assert "began to name a weapon" in text
    assert pub.numbers["lag_days[Iskander-M/KN-23]"] == 47
    assert recorded(pub, "label_appearances")["headline"] is False

    table = label_lags_table(appearances_result(), appearance_events())
    assert table["event date"].tolist() == ["2022-09-13", "2023-12-30", "2025-05-29"]
    assert table["reference event"].tolist() == ["yes", "yes", ""]
    assert table["linked event"].tolist() == [
        "First Shahed drone downed",
        "First North Korean missiles used",
        "Report",
    ]
    # Without the timeline an event is named by its id in words, as before labels existed.
    assert appearance_finding(pub, appearances_result()).count("“nk first”") == 1


# --- implied minimum supply --------------------------------------------------------------------


def supply_result(over: str | None = "2024-09") -> ModelResult:
    monthly = pd.DataFrame(
        {"period": pd.date_range("2024-08-01", periods=3, freq="MS"), "launched": [800, 1334, 1500]}
    )
    yearly = pd.DataFrame(
        {
            "year": [2024, 2025],
            "days": [366, 90],
            "complete": [True, False],
            "launched": [3634, 2000],
            "cumulative": [3634, 5634],
        }
    )
    return ModelResult(
        "implied_minimum_supply",
        summary={"first_month_over_1000": over, "launched_total": 5634},
        tables={"monthly": monthly, "yearly": yearly},
    )


def test_first_month_over_1000_takes_the_count_from_the_monthly_table(pub):
    text = first_month_over_1000_finding(pub, supply_result())
    assert text.startswith("September 2024 was the first month")
    assert "1,334" in text
    assert pub.numbers["first_month_over_1000"] == "2024-09"
    assert recorded(pub, "first_month_over_1000")["value"] == 1334

    none = first_month_over_1000_finding(pub, supply_result(None))
    assert none.startswith("No month")


def test_supply_finding_lists_years_and_marks_part_years(pub):
    text = supply_finding(pub, supply_result())
    assert "3,634 in 2024 and 2,000 in 2025 (part of the year)" in text
    assert "5,634 in all" in text and "at least that many had been supplied" in text
    assert pub.numbers["iranian_design_launched_total"] == 5634


# --- event studies -----------------------------------------------------------------------------


def timeline() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": ["early", "up", "down", "flat", "other"],
            "label": [
                "First drones delivered",
                "First missiles used",
                "Treaty signed",
                "Warning from abroad",
                "Another statement",
            ],
            "date": pd.to_datetime(
                ["2022-08-01", "2024-01-01", "2024-06-03", "2024-09-02", "2024-07-01"]
            ),
            "date_precision": ["month", "day", "day", "day", "day"],
            "partner": ["iran", "north_korea", "north_korea", "iran", "iran"],
            "event_type": ["delivery", "first_use", "agreement", "statement", "statement"],
            "weapon_class": ["", "ballistic_missile", "", "strike_drone", ""],
            "description": ["Drones <b>arrived</b> & more", "b", "c", "d", "e"],
            "source_org": ["Org & Co", "B", "C", "D", "E"],
            "source_url": [
                'https://example.org/a?x=1&y="2"',
                "https://b.org",
                "https://c.org",
                "https://d.org",
                "https://e.org",
            ],
            "verification": ["checked", "checked", "unverified", "checked", "checked"],
        }
    )


def study_result(n_placebo: int = 10, window: int = 26, survivor: bool = False) -> ModelResult:
    """Four events, three estimated. The corrected p-values are worked out by hand over the
    three: Holm multiplies the k-th smallest by 4 - k (never going down), Benjamini-Hochberg
    by 3 / k (never going up). ``survivor``: "up" passes both tests after correction."""
    nan = math.nan
    strict = 1 / (n_placebo + 1)  # up's placebo p: the smallest possible
    placebo_all_up = 0.01 if survivor else 0.017
    events = pd.DataFrame(
        {
            "event_id": ["early", "up", "down", "flat"],
            "date": pd.to_datetime(["2022-08-01", "2024-01-01", "2024-06-03", "2024-09-02"]),
            "partner": ["iran", "north_korea", "north_korea", "iran"],
            "series": ["strike_drone", "ballistic_missile", "ballistic_missile", "strike_drone"],
            "status": ["not estimated", "estimated", "estimated", "estimated"],
            "reason": ["the windows need complete weeks before the data", None, None, None],
            "ratio": [nan, 11.26, 0.48, 1.1],
            "ratio_low": [nan, 1.98, 0.28, 0.7],
            "ratio_high": [nan, 64.12, 0.82, 1.6],
            "p_level": [nan, 0.004, 0.02, 0.6],
            "p_level_holm": [nan, 0.012, 0.04, 0.6],
            "p_level_bh": [nan, 0.012, 0.03, 0.6],
            "placebo_p": [nan, strict, 0.27, 0.8],
            "placebo_p_holm": [nan, 3 * strict, 0.54, 0.8],
            "placebo_p_bh": [nan, 3 * strict, 0.405, 0.8],
            "placebo_p_raw": [nan, strict, 0.09, 0.7],
            "n_placebo": [nan, n_placebo, n_placebo, n_placebo],
            "placebo_p_all": [nan, placebo_all_up, 0.34, 0.9],
            "placebo_p_all_holm": [nan, 3 * placebo_all_up, 0.68, 0.9],
            "placebo_p_all_bh": [nan, 3 * placebo_all_up, 0.51, 0.9],
            "placebo_p_all_raw": [nan, 0.023, 0.2, 0.8],
            "n_placebo_all": [nan, 116, 116, 116],
            "survives_correction": [False, survivor, False, False],
            "excess": [nan, 133.0, -50.0, 10.0],
            "excess_low": [nan, -4136.0, -90.0, -5.0],
            "excess_high": [nan, 148.0, -10.0, 30.0],
            "counterfactual_informative": [None, False, True, True],
        }
    )
    confounding = pd.DataFrame({"event_id": ["up", "down"], "other_event_id": ["down", "up"]})
    summary = {"n_events": 4, "window_weeks": window, "lag_weeks": 0, "exclusion_weeks": 8}
    return ModelResult(
        "event studies", summary=summary, tables={"events": events, "confounding": confounding}
    )


def test_event_study_finding_says_plainly_that_no_clear_change_followed(pub):
    text = event_study_finding(pub, study_result())
    assert text == (
        "No clear change in weekly launches followed any of the 3 events that could be "
        "tested. Timing is association, not proof of cause."
    )
    # The technical account, for the method fold, from the same result.
    text = event_study_details(study_result())
    assert text.startswith(
        "Of the 4 partnership events chosen, 3 could be estimated (1 could "
        "not: their windows of 26 weeks on each side reach outside the data). None of the 3 "
        "events tested shows a change that survives correction for testing 3 events. "
    )
    # The smallest p before correction, with its corrected values from the table.
    assert (
        "The smallest p-value of a jump before correction is 0.004, for “up” (11.3 times the "
        "pre-event trend, 95% CI 1.98–64.1); corrected for testing 3 events it is 0.012 "
        "(Holm) or 0.012 (Benjamini–Hochberg)." in text
    )
    # up's jump test survives, its placebo test (0.051 after correction) does not.
    assert (
        "the smallest placebo p-value is 0.017, for “up”; corrected it is 0.051 (Holm) or "
        "0.051 (Benjamini–Hochberg)." in text
    )
    assert "Before correction, 2 of the 3 events have a 95% confidence interval" in text
    assert "“down” (0.48 times the pre-event trend, 95% CI 0.28–0.82)" in text
    assert f"with 3 tests, about {0.05 * 3:.1f} would by chance alone" in text
    assert "flat" not in text
    # 10 placebo dates: p cannot fall below 1/11 = 0.09, and the sentence says so.
    assert "at most 10 such dates, so its smallest possible p is 0.09" in text
    assert "a median of 1 other timeline event," in text
    assert text.endswith("Timing is association, not proof of cause.")
    assert pub.numbers["events_estimated"] == 3
    assert pub.numbers["events_survive_correction"] == 0
    assert pub.numbers["events_ci_excludes_1"] == 2
    assert pub.numbers["events_p_level_below_005"] == 2
    assert pub.numbers["events_p_level_holm_below_005"] == 2
    assert pub.numbers["events_placebo_p_all_below_005"] == 1
    assert pub.numbers["events_placebo_p_all_bh_below_005"] == 0
    assert pub.numbers["smallest_p_level_bh"] == 0.012
    assert pub.numbers["smallest_placebo_p_all_holm"] == pytest.approx(0.051)
    found = recorded(pub, "event_studies")
    assert found["headline"] is True and found["value"] == 0
    assert found["unit"] == "events with a change that survives correction"


def test_event_study_finding_names_an_event_that_survives_correction(pub):
    plain = event_study_finding(pub, study_result(survivor=True), timeline())
    assert plain == (
        "Weekly launches changed clearly after 1 of the 3 events that could be tested: after "
        "“First missiles used” (1 Jan 2024), they were higher than the earlier trend "
        "suggested, about 11 times as many, plausibly 2.0 to 64 times as many. Timing is "
        "association, not proof of cause."
    )
    text = event_study_details(study_result(survivor=True))
    assert (
        "1 of the 3 events tested shows a change that survives correction for testing 3 "
        "events: “up” (11.3 times the pre-event trend, 95% CI 1.98–64.1; corrected p 0.012, "
        "placebo 0.03)." in text
    )
    assert "None of" not in text and "“down” (0.48" not in text.split("Before correction")[0]
    assert pub.numbers["events_survive_correction"] == 1
    assert recorded(pub, "event_studies")["value"] == 1


def test_event_study_finding_with_enough_placebo_dates_and_the_whole_timeline(pub):
    event_study_finding(pub, study_result(n_placebo=40), timeline())
    text = event_study_details(study_result(n_placebo=40), timeline())
    assert "smallest possible" not in text
    assert (
        "Against placebo dates at least 8 weeks from every chosen event, 1 event has a p "
        "below 0.05 before correction (“First missiles used”) and 0 after." in text
    )
    # With the timeline, every event is named by its label, never by its id.
    assert "for “First missiles used” (11.3 times the pre-event trend" in text
    assert "“Treaty signed” (0.48 times the pre-event trend" in text
    assert "“up”" not in text and "“down”" not in text
    assert pub.numbers["events_placebo_p_below_005"] == 1
    assert pub.numbers["events_placebo_p_bh_below_005"] == 0  # 3/41 = 0.073
    # Confounders come from the whole timeline: 'other' lies in the windows too.
    assert "a median of 2 other timeline events" in text


def test_event_study_finding_when_nothing_is_estimated(pub):
    result = study_result()
    result.tables["events"]["status"] = "not estimated"
    result.tables["events"]["reason"] = "the windows need complete weeks from x to y"
    text = event_study_finding(pub, result)
    assert text == (
        "No partnership event could be tested (4 chosen): the data do not cover the 26 weeks "
        "before and after them. Timing is association, not proof of cause."
    )
    assert pub.numbers["events_survive_correction"] == 0
    detail = event_study_details(result)
    assert detail.startswith("None of the 4 chosen events could be estimated: the windows need")
    assert "association, not proof of cause" in detail


def verdict_row(**values) -> pd.Series:
    """An estimated event row that survives the correction, with ``values`` changed."""
    row = {
        "status": "estimated",
        "reason": None,
        "ratio": 0.48,
        "ratio_low": 0.28,
        "ratio_high": 0.82,
        "survives_correction": True,
    }
    return pd.Series({**row, **values})


def test_event_verdict_gives_one_plain_verdict_per_event():
    assert event_verdict(verdict_row(), 26) == (
        "lower than the earlier trend suggested, about 52% fewer, plausibly 18% to 72% fewer"
    )
    assert event_verdict(verdict_row(ratio=1.5, ratio_low=1.1, ratio_high=2.2), 26) == (
        "higher than the earlier trend suggested, about 1.5 times as many, plausibly 1.1 to "
        "2.2 times as many"
    )
    # A 95% interval that excludes 1 but does not survive the correction: no clear change.
    assert event_verdict(verdict_row(survives_correction=False), 26) == "no clear change"
    early = verdict_row(status="not estimated", reason="the windows need complete weeks from x")
    assert event_verdict(early, 20) == (
        "not tested: the data do not cover the 20 weeks before and after it"
    )
    quiet = verdict_row(
        status="not estimated", reason="no launches in the 26 weeks before the event"
    )
    assert event_verdict(quiet, 26) == "not tested: no launches in the 26 weeks before it"


def test_describe_event_study_names_window_and_subset(pub):
    text = describe_event_study(study_result(window=20), n_timeline=31)
    assert "20 complete weeks before" in text
    assert "Only 4 of the 31 timeline events are chosen" in text
    assert "Only" not in describe_event_study(study_result(), n_timeline=4)
    assert "Holm" in text and "Benjamini–Hochberg correction" in text


def test_event_table_readings_and_other_events_from_the_timeline():
    table = event_table(study_result(), timeline())
    by_id = table.set_index("event_id")
    assert by_id.loc["early", "reading"].startswith("Not estimated:")
    assert by_id.loc["up", "reading"] == (
        "Right after the event, launches were above the pre-event trend; unusual against the "
        "all-weeks placebo dates, not against those away from all events; does not survive "
        "correction for the number of events tested; 1 other event in the window."
    )
    assert by_id.loc["down", "reading"].startswith("Right after the event, launches were below")
    assert "does not survive correction" in by_id.loc["down", "reading"]
    assert by_id.loc["flat", "reading"].startswith("No clear jump")
    assert "correction" not in by_id.loc["flat", "reading"]  # nothing to correct
    assert by_id["survives_correction"].tolist() == [False, False, False, False]
    assert by_id.loc["up", "p_level_holm"] == 0.012
    assert by_id.loc["up", "placebo_p_all_raw"] == 0.023  # the raw jump's, for the CSV
    assert list(table.columns[table.columns.get_loc("placebo_p") :][:4]) == [
        "placebo_p",
        "placebo_p_holm",
        "placebo_p_bh",
        "n_placebo",
    ]
    survivor = event_table(study_result(survivor=True)).set_index("event_id")
    assert survivor.loc["up", "survives_correction"]
    assert "; survives correction for the number of events tested" in survivor.loc["up", "reading"]
    assert "other" in by_id.loc["down", "other_event_ids"]
    assert by_id.loc["down", "other_events"] == len(
        by_id.loc["down", "other_event_ids"].split(", ")
    )
    assert by_id.loc["up", "counterfactual_excess_low"] == -4136.0
    assert by_id["event"].tolist() == [
        "First drones delivered",
        "First missiles used",
        "Treaty signed",
        "Warning from abroad",
    ]
    html_text = event_table_style(table).to_html()
    assert "11.26" in html_text and "–" in html_text
    # Readers see labels and weapons in words; the keys stay in the saved table only.
    assert "First missiles used" in html_text and "Treaty signed" in html_text
    assert ">up<" not in html_text and ">down<" not in html_text and "event_id" not in html_text
    assert "ballistic missiles" in html_text and "ballistic_missile" not in html_text
    assert "counterfactual" not in html_text  # kept for the CSV, not shown
    assert "p corrected (Holm)" in html_text and "placebo p all weeks, corrected (BH)" in html_text
    assert ">0.012<" in html_text and ">0.051<" in html_text  # p-values to 3 decimals
    assert "placebo_p_raw" not in html_text and ">0.023<" not in html_text  # CSV only
    assert ">no<" in html_text and ">yes<" not in html_text
    assert "no clear change" not in html_text  # the plain verdict is shown above the fold
    # One plain verdict per event; the 95% interval of "down" excludes 1 but the change does
    # not survive the correction, so its verdict is the cautious one.
    assert by_id["verdict"].tolist() == [
        "not tested: the data do not cover the 26 weeks before and after it",
        "no clear change",
        "no clear change",
        "no clear change",
    ]
    plain = event_verdict_table(table)
    assert list(plain.columns) == [
        "event",
        "date",
        "partner",
        "launches counted",
        "weekly launches after the event",
    ]
    assert plain["launches counted"].tolist()[:2] == ["strike drones", "ballistic missiles"]
    assert "event_id" not in plain.columns and "up" not in plain["event"].tolist()


def filled_markers(fig: Figure) -> list:
    """The event dots drawn filled (the others are white inside)."""
    return [
        line
        for line in fig.findobj(Line2D)
        if line.get_marker() == "o" and line.get_markerfacecolor() != "white"
    ]


def test_event_study_chart_draws_estimated_events_by_label_with_credit():
    fig = event_study_chart(study_result(), timeline(), release="2026-04-05")
    assert isinstance(fig, Figure)
    text = chart_text(fig)
    assert credit("2026-04-05") in " ".join(text.split())
    assert "association, not proof of cause" in text
    assert "Treaty signed (unverified), 3 Jun 2024" in text
    assert "First missiles used, 1 Jan 2024" in text
    assert "Iran" in text and "North Korea" in text  # partners named on the chart
    for key in ("up", "down", "flat", "early"):
        assert key not in text.split()  # no event is named by its id
    assert "First drones delivered" not in text  # not estimated: counted only
    assert "Not shown: 1 event that could not be tested" in " ".join(text.split())
    title = fig.get_suptitle()
    assert " ".join(title.split()) == (
        "None of the 3 events tested is followed by a clear change in weekly launches"
    )
    assert not filled_markers(fig)

    survivor = event_study_chart(study_result(survivor=True), release="2026-04-05")
    assert " ".join(survivor.get_suptitle().split()) == (
        "1 of the 3 events tested is followed by a clear change in weekly launches"
    )
    assert len(filled_markers(survivor)) == 1  # up only
    assert "up, 1 Jan 2024" in chart_text(survivor)  # no timeline: the id in words

    nothing = study_result()
    nothing.tables["events"]["status"] = "not estimated"
    text = " ".join(chart_text(event_study_chart(nothing, release="2026-04-05")).split())
    assert "no event could be tested" in text and "Not shown: 4 events" in text


# --- timeline and HTML safety ------------------------------------------------------------------


def test_timeline_rows_mark_unverified_and_month_dates():
    rows = timeline_rows(timeline(), ["early", "down"])
    assert rows["event_id"].tolist() == ["early", "down"]  # the key, kept for the saved CSV
    assert rows["event"].tolist() == ["First drones delivered", "Treaty signed"]
    assert rows["date"].tolist() == ["2022-08", "2024-06-03"]
    assert rows["verification"].tolist() == ["checked", UNVERIFIED_MARK]
    text = describe_timeline(rows, 5)
    assert text.startswith("2 of the timeline's 5 events are shown")
    assert "1 is marked unverified" in text and "“Treaty signed”" in text
    assert "down" not in text.split()


def test_timeline_html_escapes_text_and_builds_a_safe_link():
    page = timeline_html(timeline_rows(timeline())).to_html()
    assert "First drones delivered" in page and "Treaty signed" in page
    assert ">early<" not in page and ">down<" not in page and "event_id" not in page
    assert "<b>arrived</b>" not in page
    assert "Drones &lt;b&gt;arrived&lt;/b&gt; &amp; more" in page
    assert (
        '<a href="https://example.org/a?x=1&amp;y=&quot;2&quot;" target="_blank" '
        'rel="noopener noreferrer">Org &amp; Co</a>'
    ) in page
    assert "background-color: #fff3cd" in page  # the unverified row is shaded


def test_source_link_refuses_non_http_addresses_and_safe_style_escapes():
    assert source_link("<x>", "javascript:alert(1)") == "&lt;x&gt;"
    page = safe_style(pd.DataFrame({"a": ["<script>"], "n": [12345]})).to_html()
    assert "<script>" not in page and "&lt;script&gt;" in page and "12,345" in page


# --- the notebook ------------------------------------------------------------------------------


def test_notebook_is_stripped_and_parameterized():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    for name in (
        "release",
        "start",
        "end",
        "output_dir",
        "processed_dir",
        "events",
        "window",
        "lag",
        "n_placebo",
    ):
        assert f"\n{name} = " in "\n" + code[0].source
    assert all(c.execution_count is None and not c.outputs for c in code)
    assert len({c.id for c in nb.cells}) == len(nb.cells)


@pytest.mark.real_data
def test_notebook_records_findings_and_files_for_non_default_parameters(
    tmp_path: Path, real_processed: Path
):
    papermill = pytest.importorskip("papermill")
    events = "nk-srbm-first-use,russia-dprk-treaty-signed"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "run.ipynb"),
        kernel_name="python3",
        parameters={
            "events": events,
            "window": 20,
            "n_placebo": 30,
            "output_dir": str(tmp_path),
            "processed_dir": str(real_processed),
        },
        cwd=str(NOTEBOOK.parent),
        progress_bar=False,
    )

    record = read_results(tmp_path)[STEM]
    keys = {f["key"]: f for f in record["findings"]}
    assert {
        "iranian_design_share",
        "north_korean_band",
        "label_appearances",
        "first_month_over_1000",
        "implied_minimum_supply",
        "event_studies",
    } <= set(keys)
    assert sorted(k for k, f in keys.items() if f["headline"]) == [
        "event_studies",
        "iranian_design_share",
        "north_korean_band",
    ]
    assert "association, not proof of cause" in keys["event_studies"]["text"]
    # The non-default parameters changed what was studied and recorded.
    numbers = record["numbers"]
    assert record["parameters"]["events"] == events.split(",")
    assert numbers["events_chosen"] == 2 and numbers["window_weeks"] == 20
    assert numbers["placebo_dates_max"] <= 30
    assert keys["event_studies"]["text"].startswith("No clear change in weekly launches")
    for name in (
        "origin_weekly.png",
        "origin_share.png",
        "north_korean_band.png",
        "event_studies.png",
        "timeline.csv",
        "event_studies.csv",
        "origin_monthly.csv",
        "production_claims.csv",
    ):
        assert f"{STEM}__{name}" in record["files"]
        assert (tmp_path / f"{STEM}__{name}").stat().st_size > 0
    timeline_csv = pd.read_csv(tmp_path / f"{STEM}__timeline.csv")
    assert timeline_csv["event_id"].tolist() == events.split(",")

    # The page a reader opens shows no pandas placeholder for a missing value.
    from analysis.publish.execute import render_html

    page = render_html(tmp_path / "run.ipynb", "Supply partnerships")
    text = re.sub(r"<style.*?</style>|<script.*?</script>|<[^>]+>", " ", page, flags=re.S)
    assert not re.search(r"\b(?:NaT|NaN|nan)\b|&lt;NA&gt;", text)


@pytest.mark.real_data
def test_a_bad_parameter_stops_in_the_validation_cell(tmp_path: Path, real_processed: Path):
    papermill = pytest.importorskip("papermill")
    from papermill.exceptions import PapermillExecutionError

    out = tmp_path / "bad.ipynb"
    with pytest.raises(PapermillExecutionError) as error:
        papermill.execute_notebook(
            str(NOTEBOOK),
            str(out),
            kernel_name="python3",
            parameters={
                "window": 3,
                "output_dir": str(tmp_path),
                "processed_dir": str(real_processed),
            },
            cwd=str(NOTEBOOK.parent),
            progress_bar=False,
        )
    # Cell indices count the injected-parameters cell, not papermill's error banners.
    executed = [
        c
        for c in nbformat.read(out, as_version=4).cells
        if "papermill-error-cell-tag" not in c.metadata.get("tags", [])
    ]
    validation = next(i for i, c in enumerate(executed) if c.get("id") == "validate")
    assert error.value.cell_index == validation
    assert error.value.ename == "ParameterError"
    assert "window 3 must be a whole number from 8 to 104" in error.value.evalue
    assert not read_results(tmp_path)  # nothing published
