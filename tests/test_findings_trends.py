"""Findings of the escalation-trends notebook: sentences quote the model results, parameters
are checked in the validation cell, and the notebook publishes what its parameters ask for."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis.data.labels import GROUP_LABELS
from analysis.data.overview import Period
from analysis.figures.trends import regimes_chart, trend_chart
from analysis.findings import trends as tf
from analysis.findings.cards import growth_verdict, per_year
from analysis.findings.text import day_label, month_label
from analysis.modelresult import ModelResult
from analysis.models.regimes import RegimeFit
from analysis.models.trend import TrendFit, check_usable
from analysis.params import ParameterError
from analysis.paths import PROJECT_ROOT
from analysis.publish.plainwords import jargon_in, reader_text
from analysis.results import Publisher, read_results

NOTEBOOKS = PROJECT_ROOT / "notebooks"
NOTEBOOK = NOTEBOOKS / "02_escalation_trends.ipynb"
STEM = "02_escalation_trends"
RELEASE = "2026-04-05"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
READABLE_DATE = re.compile(r"(?:\b\d{1,2} )?\b[A-Z][a-z]{2} \d{4}\b")


# --- hand-made results -------------------------------------------------------------------------


def growth_row(
    window,
    months,
    growth,
    low,
    high,
    *,
    start="2025-10-06",
    end="2026-04-05",
    doubling=(math.nan, math.nan, math.nan),
    acf=0.2,
    note="",
    model=(math.nan, math.nan),
):
    b = math.log1p(growth / 100) if np.isfinite(growth) else math.nan
    return {
        "window": window,
        "months": months,
        "start": pd.Timestamp(start),
        "end": pd.Timestamp(end),
        "n_periods": 26,
        "slope_per_month": b,
        "slope_se": 0.03,
        "growth_pct_per_month": growth,
        "growth_pct_low": low,
        "growth_pct_high": high,
        "doubling_months": doubling[0],
        "doubling_low": doubling[1],
        "doubling_high": doubling[2],
        "doubling": "",
        "growth_pct_low_model": model[0],
        "growth_pct_high_model": model[1],
        "alpha": 0.1,
        "resid_acf1": acf,
        "note": note,
    }


def trend_result(
    rows, *, alpha=0.31, alpha_ci=(0.24, 0.39), lr=8277.16, p=0.0, acf=0.25, aic=(2252.4, 10527.6)
) -> ModelResult:
    periods = pd.date_range("2025-01-06", periods=20, freq="W-MON")
    observed = np.arange(20) * 10 + 5
    fitted = pd.DataFrame(
        {
            "period": periods,
            "observed": observed,
            "fitted": observed * 1.0,
            "fitted_low": observed * 0.8,
            "fitted_high": observed * 1.2,
            "predict_low": observed * 0.4,
            "predict_high": observed * 1.8,
            "pearson_residual": 0.0,
        }
    )
    summary = {
        "start": "2025-01-06",
        "end": "2025-05-25",
        "n_periods": 20,
        "total": int(observed.sum()),
        "spline_df": 5,
        "alpha": alpha,
        "alpha_low": alpha_ci[0],
        "alpha_high": alpha_ci[1],
        "lr_statistic": lr,
        "lr_pvalue": p,
        "aic": aic[0],
        "aic_poisson": aic[1],
        "resid_acf1": acf,
    }
    return ModelResult(
        "trend",
        summary,
        {"fitted": fitted, "growth": pd.DataFrame(rows)},
        caveats=(
            "Counts are launches reported by the Air Force.",
            f"Lag-1 autocorrelation of the Pearson residuals is {acf:.2f}.",
        ),
    )


#: Release 2026-04-05, strike drones per week: the headline (fixed-b Newey-West) intervals,
#: with the model-based ones beside them.
DRONE_ROWS = [
    growth_row("last 6 months", 6.0, 6.0089, -6.1545, 19.7489, model=(-0.3081, 12.7264)),
    growth_row(
        "last 12 months",
        12.0,
        3.7358,
        -3.0145,
        10.9560,
        start="2025-04-07",
        model=(1.0699, 6.4721),
    ),
    growth_row(
        "whole span",
        42.1,
        12.1616,
        9.6294,
        14.7523,
        start="2022-10-03",
        doubling=(6.0394, 5.0404, 7.3987),
        model=(11.2150, 13.1162),
    ),
]


def drone_fit(group="drones") -> TrendFit:
    return TrendFit(group, "W", trend_result(DRONE_ROWS))


def regime_result(
    levels=((72.86, 61.47, 86.32), (445.11, 388.47, 509.98), (1074.28, 967.39, 1192.97)),
    breaks=("2024-08-26", "2025-02-03"),
    n_ar1=None,
    count_range=(1, 3, 0.69),
    other=(1, "2025-02-03"),
) -> ModelResult:
    n = len(levels)
    starts = [pd.Timestamp("2023-05-01"), *map(pd.Timestamp, breaks)]
    ends = [s - pd.Timedelta(days=1) for s in starts[1:]] + [pd.Timestamp("2026-04-05")]
    regimes = pd.DataFrame(
        {
            "regime": range(1, len(levels) + 1),
            "start": starts,
            "end": ends,
            "weeks": [(e - s).days // 7 + 1 for s, e in zip(starts, ends, strict=True)],
            "level": [lv[0] for lv in levels],
            "level_low": [lv[1] for lv in levels],
            "level_high": [lv[2] for lv in levels],
            "sd_log": 0.3,
            "mean_launches": [86.1, 462.09, 1143.41][-n:],
            "total_launches": [5941.0, 10628.0, 69748.0][-n:],
            "growth_pct_month": [3.4172, 12.3901, 3.6912][-n:],
            "growth_low": [-0.2089, 4.8275, 1.2458][-n:],
            "growth_high": [7.1751, 20.4984, 6.1957][-n:],
        }
    )
    rows = []
    for i, day in enumerate(breaks):
        rows.append(
            {
                "break": pd.Timestamp(day),
                "low": pd.Timestamp(day) - pd.Timedelta(weeks=1),
                "high": pd.Timestamp(day) + pd.Timedelta(weeks=6),
                "week_index": 10 * i,
                "level_before": levels[i][0],
                "level_after": levels[i + 1][0],
                "ratio": levels[i + 1][0] / levels[i][0],
                "refound": 1.0,
                "within_2w": 0.9,
            }
        )
    summary = {
        "group": "drones",
        "n_weeks": 153,
        "first_week": "2023-05-01",
        "last_week": "2026-03-30",
        "n_breaks": len(breaks),
        "n_breaks_bic": len(breaks),
        "n_breaks_bic_ar1": len(breaks) if n_ar1 is None else n_ar1,
        "max_breaks": 8,
        "min_size": 8,
        "n_boot": 500,
        "block_weeks": 6,
        "resid_lag1_acf": 0.1,
        "cost": "l2",
        "n_breaks_boot_low": count_range[0],
        "n_breaks_boot_high": count_range[1],
        "n_breaks_boot_same": count_range[2],
        "penalty_low": 0.73,
        "penalty_high": 1.38,
        "n_breaks_other_cost": other[0],
        "break_dates_other_cost": other[1],
    }
    return ModelResult(
        "regimes: drones",
        summary,
        {"regimes": regimes, "breaks": pd.DataFrame(rows)},
        caveats=(
            "A break date is where the level shifts, not a cause.",
            "Counts are reported launches (Air Force reports).",
        ),
    )


def weekly_series() -> pd.Series:
    weeks = pd.date_range("2023-05-01", "2026-03-30", freq="W-MON")
    level = np.where(weeks < "2024-08-26", 72, np.where(weeks < "2025-02-03", 445, 1074))
    return pd.Series(level.astype(float), index=weeks)


def allowed_numbers(*results: ModelResult, extra=()) -> set[str]:
    """Every way a number of the results may be printed (0-2 decimals, signs dropped)."""
    values = []
    for result in results:
        values += [v for v in result.summary.values() if isinstance(v, int | float)]
        for table in result.tables.values():
            for column in table.columns:
                if pd.api.types.is_numeric_dtype(table[column]):
                    values += table[column].dropna().tolist()
    out = {str(e) for e in extra}
    for v in values:
        if np.isfinite(v):
            out |= {f"{abs(v):,.0f}", f"{abs(v):,.1f}", f"{abs(v):,.2f}"}
    return out


def result_dates(*results: ModelResult) -> set[str]:
    """Every date of the results as the findings write it: ISO, ``7 Sep 2025`` and
    ``Sep 2025``."""
    days = set()
    for result in results:
        days |= {v for v in result.summary.values() if isinstance(v, str) and DATE.fullmatch(v)}
        for table in result.tables.values():
            for column in table.columns:
                if pd.api.types.is_datetime64_any_dtype(table[column]):
                    days |= {f"{d:%Y-%m-%d}" for d in table[column].dropna()}
    out = set(days)
    for day in days:
        out |= {day_label(day), month_label(day)}
    return out


def assert_numbers_from(text: str, *results: ModelResult, extra=()) -> None:
    """Every date and number in ``text`` (group names aside) is one of the results'."""
    for label in GROUP_LABELS.values():
        text = text.replace(label, "")
    dates = DATE.findall(text) + READABLE_DATE.findall(text)
    assert set(dates) <= result_dates(*results), dates
    stray = [
        n
        for n in NUMBER.findall(READABLE_DATE.sub("", DATE.sub("", text)))
        if n not in allowed_numbers(*results, extra=extra)
    ]
    assert stray == [], f"numbers not in the results: {stray}\n{text}"


# --- growth ------------------------------------------------------------------------------------


def test_growth_finding_gives_the_landing_page_verdict_of_the_last_12_months(tmp_path):
    pub = Publisher(tmp_path, "nb")
    fit = drone_fit()
    text = tf.growth_finding(fit, pub, headline=True)

    assert text == (
        "Drone launches over the last 12 months (Apr 2025 to Apr 2026): no clear change "
        "(somewhere between -31% and +248% a year). Over the whole record since Oct 2022 "
        "they rose clearly, doubling about every 6 months."
    )
    assert jargon_in(text) == []
    assert len(text.split()) <= 45
    [record] = pub.findings
    assert record["key"] == "growth_drones" and record["headline"] is True
    assert record["value"] == pytest.approx(per_year(3.7358))
    assert (record["low"], record["high"]) == pytest.approx((per_year(-3.0145), per_year(10.956)))
    assert record["unit"] == "% a year (last 12 months)"
    assert pub.numbers["growth_drones_6m_pct"] == 6.0089
    assert pub.numbers["growth_drones_12m_pct"] == 3.7358
    assert pub.numbers["growth_drones_all_pct"] == 12.1616


def test_growth_finding_and_the_growth_card_use_the_same_words():
    row = pd.Series(DRONE_ROWS[1])
    card_words = growth_verdict(
        per_year(row["growth_pct_per_month"]),
        per_year(row["growth_pct_low"]),
        per_year(row["growth_pct_high"]),
    )
    assert tf.window_verdict(row) == card_words
    assert card_words in tf.growth_finding(drone_fit())


def test_growth_finding_reads_a_clear_fall_and_no_clear_change():
    rows = [
        growth_row("last 12 months", 12.0, -10.0, -17.0, -2.5, start="2025-04-07"),
        growth_row("whole span", 40.0, 1.0, -0.9, 2.9, start="2022-10-03"),
    ]
    text = tf.growth_finding(TrendFit("missiles", "W", trend_result(rows)))
    assert text == (
        "Missile launches over the last 12 months (Apr 2025 to Apr 2026): falling: about -72% "
        "a year, plausibly -89% to -26%. Over the whole record since Oct 2022 there is no "
        "clear change."
    )
    rows[0] = growth_row("last 12 months", 12.0, 2.0, -1.0, 5.0, start="2025-04-07")
    rows[1] = growth_row("whole span", 40.0, -3.0, -5.0, -1.0, start="2022-10-03")
    text = tf.growth_finding(TrendFit("cruise_missile", "W", trend_result(rows)))
    halving = math.log(2) / -math.log1p(-0.03)
    assert text.startswith("Launches of cruise missiles over the last 12 months")
    assert f"they fell clearly, halving about every {halving:.0f} months." in text


def test_growth_detail_quotes_the_intervals_that_allow_for_autocorrelation(tmp_path):
    pub = Publisher(tmp_path, "nb")
    fit = drone_fit()
    text = tf.growth_detail(fit, pub)

    assert "Over the last 6 months (6 Oct 2025 to 5 Apr 2026)" in text
    assert "+6.0% per month on average (95% CI −6.2% to +19.7%): no clear trend" in text
    assert "+3.7% per month on average (95% CI −3.0% to +11.0%): no clear trend" in text
    assert "Over the whole span (3 Oct 2022 to 5 Apr 2026)" in text
    assert "they double every 6.0 months (95% CI 5.0 to 7.4)" in text
    assert "lag-1 autocorrelation of the residuals 0.25" in text
    assert "the intervals above allow for that" in text
    assert "narrower −0.3% to +12.7% (last 6 months), +1.1% to +6.5% (last 12 months)" in text
    assert "would wrongly show a clear rise over the last 12 months." in text
    assert "Newey" not in text  # the method's name stays in the method note
    assert_numbers_from(text, fit.result, extra=(95, 1))

    [record] = pub.findings
    assert record["key"] == "growth_detail_drones" and record["headline"] is False
    assert (record["value"], record["low"], record["high"]) == (6.0089, -6.1545, 19.7489)
    assert record["unit"] == "% per month (last 6 months)"


def test_growth_detail_reads_a_fall_and_a_reading_that_does_not_change():
    rows = [
        growth_row("last 6 months", 6.0, -10.0, -17.0, -2.5, acf=-0.1, model=(-15.0, -4.5)),
        growth_row("whole span", 40.0, 1.0, -0.9, 2.9, model=(-0.5, 2.5)),
    ]
    result = trend_result(rows, acf=-0.11)
    fit = TrendFit("missiles", "W", result)
    text = tf.growth_detail(fit)
    halving = math.log(2) / -math.log1p(-0.10)
    assert "−10.0% per month on average (95% CI −17.0% to −2.5%): a clear fall" in text
    assert f"halve every {halving:.1f} months" in text
    assert "(lag-1 autocorrelation of the residuals −0.11)" in text
    assert "narrower −15.0% to −4.5% (last 6 months), with the same reading." in text
    assert "wrongly" not in text
    assert_numbers_from(text, result, extra=(95, 1, f"{halving:.1f}"))


def test_plain_verdict_takes_the_longest_window_without_12_months_and_detail_the_shortest(
    tmp_path,
):
    rows = [
        growth_row(
            "last 3 months", 3.0, math.nan, math.nan, math.nan, note="only 3 periods in the window"
        ),
        growth_row("last 9 months", 9.0, 2.4, -3.8, 8.9, start="2025-07-07"),
        growth_row("whole span", 40.0, 0.7, -0.6, 1.9, start="2022-10-03"),
    ]
    pub = Publisher(tmp_path, "nb")
    fit = TrendFit("cruise_missile", "M", trend_result(rows), None, None)
    assert tf.headline_window(pd.DataFrame(rows))["window"] == "last 9 months"
    plain = tf.growth_finding(fit, pub)
    assert plain.startswith("Launches of cruise missiles over the last 9 months (Jul 2025")
    assert "no clear change either" in plain
    detail = tf.growth_detail(fit, pub)
    assert "Over the last 3 months (6 Oct 2025 to 5 Apr 2026): not estimated (only 3" in detail
    assert "independent" not in detail  # no model-based interval given, no comparison
    records = {f["key"]: f for f in pub.findings}
    assert records["growth_cruise_missile"]["headline"] is False
    assert records["growth_cruise_missile"]["unit"] == "% a year (last 9 months)"
    assert records["growth_detail_cruise_missile"]["value"] == 2.4
    assert pub.numbers["growth_cruise_missile_3m_pct"] is None


def test_headline_window_prefers_12_months_and_falls_back_to_the_whole_span():
    frame = pd.DataFrame(DRONE_ROWS)
    assert tf.headline_window(frame)["window"] == "last 12 months"
    assert tf.headline_window(frame.iloc[[2]])["window"] == "whole span"
    assert tf.headline_window(frame.iloc[[]]) is None


def test_counts_are_rounded_for_a_reader():
    assert [tf.about(v) for v in (1070.55, 445.1, 22.54, 1.33, 9_650.0)] == [
        "1,100",
        "450",
        "23",
        "1",
        "9,600",
    ]
    assert tf.about(math.nan) == "n/a"


def test_a_group_without_a_fit_is_reported_not_hidden(tmp_path):
    pub = Publisher(tmp_path, "nb")
    fit = TrendFit("guided_bomb", "W", None, error="launches in only 6 of 183 weeks")
    assert tf.growth_finding(fit, pub, headline=True) == (
        "Launches of guided aerial bombs: no trend could be fitted (launches in only 6 of 183 "
        "weeks)."
    )
    assert "No trend could be fitted" in tf.growth_detail(fit, pub)
    assert "No trend could be fitted" in tf.dispersion_finding(fit, pub)
    assert [f["key"] for f in pub.findings] == ["growth_guided_bomb"]
    assert pub.findings[0]["headline"] is False
    assert tf.growth_table(fit).empty


def test_trend_findings_mark_the_first_two_fitted_groups_as_headline(tmp_path):
    pub = Publisher(tmp_path, "nb")
    fits = {
        "guided_bomb": TrendFit("guided_bomb", "W", None, error="too sparse"),
        "drones": drone_fit("drones"),
        "missiles": drone_fit("missiles"),
        "iran": drone_fit("iran"),
    }
    texts = tf.trend_findings(fits, pub)
    assert list(texts) == list(fits)
    headline = {f["key"]: f["headline"] for f in pub.findings}
    assert headline == {
        "growth_guided_bomb": False,
        "growth_drones": True,
        "growth_missiles": True,
        "growth_iran": False,
    }


def test_growth_table_keeps_the_headline_and_the_model_based_interval():
    table = tf.growth_table(drone_fit())
    assert list(table["window"]) == ["last 6 months", "last 12 months", "whole span"]
    assert table.loc[1, "growth_low"] == -3.0145
    assert table.loc[1, "growth_low_model"] == 1.0699
    shown = tf.growth_display(table)
    assert shown.loc["last 12 months", "95% CI"] == "−3.0% to +11.0%"
    assert shown.loc["last 12 months", "95% CI if periods were independent"] == "+1.1% to +6.5%"
    assert shown.loc["whole span", "doubling time, months (95% CI)"] == "6.0 (5.0 to 7.4)"
    assert shown.loc["last 6 months", "doubling time, months (95% CI)"] == "—"


# --- dispersion --------------------------------------------------------------------------------


def test_dispersion_finding_rejects_poisson_with_the_numbers_of_the_result(tmp_path):
    pub = Publisher(tmp_path, "nb")
    fit = drone_fit()
    text = tf.dispersion_finding(fit, pub)
    assert "dispersion α is 0.31 (95% CI 0.24 to 0.39" in text
    assert "rejects Poisson (likelihood-ratio statistic 8,277.2, p < 0.001" in text
    assert "AIC 2,252 against 10,528 for Poisson" in text
    assert_numbers_from(text, fit.result, extra=(95, 0, 0.001))
    assert pub.findings[0]["key"] == "dispersion_drones"
    assert pub.findings[0]["headline"] is False
    assert pub.numbers["alpha_drones"] == 0.31


def test_dispersion_finding_near_poisson():
    result = trend_result(
        DRONE_ROWS, alpha=0.0, alpha_ci=(0.0, 0.05), lr=0.0, p=1.0, aic=(500.2, 498.2)
    )
    text = tf.dispersion_finding(TrendFit("x", "M", result))
    assert "not clearly more variable than a Poisson model" in text
    assert "does not reject Poisson" in text and "p = 1.000" in text


# --- regimes -----------------------------------------------------------------------------------


def test_regime_finding_says_the_latest_level_plainly(tmp_path):
    pub = Publisher(tmp_path, "nb")
    result = regime_result()
    text = tf.regime_finding(RegimeFit("drones", result, weekly_series()), pub, headline=True)
    assert text == (
        "Since Feb 2025 a typical week has had about 1,100 drone launches (plausibly 970 to "
        "1,200), about 2.4 times the level from Aug 2024 to Feb 2025 (about 450). The weekly "
        "level changed twice since May 2023."
    )
    assert jargon_in(text) == []
    record = pub.findings[0]
    assert record["key"] == "regimes_drones" and record["headline"] is True
    assert (record["value"], record["low"], record["high"]) == (1074.28, 967.39, 1192.97)
    assert pub.numbers["n_breaks_drones"] == 2
    assert pub.numbers["latest_level_drones"] == 1074.28


def test_regime_finding_names_the_average_week_when_heavy_weeks_pull_it_up():
    levels = ((2.0, 0.5, 4.0), (22.54, 18.76, 27.05))
    result = regime_result(levels=levels, breaks=("2023-06-26",))
    result.tables["regimes"]["mean_launches"] = [9.9, 36.25]
    text = tf.regime_finding(RegimeFit("missiles", result))
    assert text == (
        "Since Jun 2023 a typical week has had about 23 missile launches (plausibly 19 to 27), "
        "up from about 2 from May 2023 to Jun 2023. The weekly level changed once since May "
        "2023. An average week had about 36: a few very heavy weeks pull the average above "
        "the typical week."
    )


def test_regime_detail_names_breaks_intervals_and_the_drift(tmp_path):
    pub = Publisher(tmp_path, "nb")
    result = regime_result()
    fit = RegimeFit("drones", result, weekly_series())
    text = tf.regime_detail(fit, pub, drone_fit())
    assert "The weekly level has 2 breaks, in the weeks of 26 Aug 2024 and 3 Feb 2025." in text
    assert "began in the week of 3 Feb 2025 (95% interval 27 Jan 2025 to 17 Mar 2025)" in text
    assert "typical week of 1,074 launches (95% CI 967 to 1,193; the average week 1,143)" in text
    assert "2.4 times the level of the regime before" in text
    assert "+3.7% per month (95% CI +1.2% to +6.2%): the level is still rising" in text
    assert (
        "The growth over the last 12 months in the trend section, whose interval allows for "
        "runs of busy and quiet weeks, reads no clear change (somewhere between -31% and "
        "+248% a year)"
    ) in text
    assert "association in timing, not proof of cause" in text
    assert "Allowing for autocorrelation" not in text
    assert (
        "The number of breaks is itself uncertain: re-fitting 500 versions of the series, "
        "resampled in blocks of weeks, found between 1 and 3 breaks in 95% of them (2 in 69%)."
    ) in text
    assert "not only their level, gives 1 break, in the weeks of 3 Feb 2025." in text
    assert_numbers_from(
        text.split(" The growth over")[0], result, extra=(95, 69)
    )  # before the growth verdict, whose numbers are the trend's
    record = pub.findings[0]
    assert record["key"] == "regimes_detail_drones" and record["headline"] is False
    assert (record["value"], record["low"], record["high"]) == (3.6912, 1.2458, 6.1957)
    assert (pub.numbers["n_breaks_drones_low"], pub.numbers["n_breaks_drones_high"]) == (1, 3)


def test_regime_detail_without_breaks_and_with_a_disagreeing_criterion():
    result = regime_result(levels=((25.8, 21.9, 30.4),), breaks=(), n_ar1=1)
    text = tf.regime_detail(RegimeFit("missiles", result))
    assert (
        "No break in the weekly level from the week of 1 May 2023 to the week of 30 Mar 2026"
    ) in text
    assert "one regime at a typical week of 26 launches (95% CI 22 to 30" in text
    assert "gives 1 break instead of 0" in text
    assert "found between 1 and 3 breaks in 95% of them (0 in 69%)" in text
    assert "trend section" not in text  # no trend given: no comparison
    result.tables["regimes"]["mean_launches"] = [27.0]  # close to the typical week: not named
    assert tf.regime_finding(RegimeFit("missiles", result)) == (
        "Since May 2023 the weekly level has held steady: a typical week has had about 26 "
        "missile launches (plausibly 22 to 30)."
    )


def test_regime_detail_when_every_re_fit_agrees_and_without_a_bootstrap():
    same = regime_result(count_range=(2, 2, 1.0), other=(0, ""))
    text = tf.regime_detail(RegimeFit("drones", same))
    assert "found always 2 breaks (2 in 100%)" in text
    assert "not only their level, gives 0 breaks." in text
    none = regime_result(count_range=(None, None, None))
    assert "itself uncertain" not in tf.regime_detail(RegimeFit("drones", none))


def test_regime_methods_state_the_penalty_range():
    text = tf.regime_methods({"drones": RegimeFit("drones", regime_result())})
    assert ": 2 breaks for 0.73 to 1.38 times the penalty" in text
    assert "500 bootstrap re-fits" in text and "blocks of 6 weeks" in text


def test_regime_findings_mark_one_headline():
    fits = {g: RegimeFit(g, regime_result()) for g in ("drones", "missiles")}
    pub = Publisher(Path("/nonexistent"), "nb")
    pub.write = lambda: None  # keep the record in memory
    texts = tf.regime_findings(fits, pub)
    assert list(texts) == ["drones", "missiles"]
    assert [f["headline"] for f in pub.findings] == [True, False]


def test_regime_and_break_tables():
    fit = RegimeFit("drones", regime_result(), weekly_series())
    regimes = tf.regime_display(tf.regime_table(fit))
    assert regimes.loc[3, "typical week"] == "1,074.3"
    assert regimes.loc[3, "95% CI"] == "967.4 to 1,193.0"
    breaks = tf.breaks_display(tf.breaks_table(fit))
    assert list(breaks.index) == [1, 2]
    assert breaks.loc[2, "95% interval"] == "2025-01-27 to 2025-03-17"
    assert breaks.loc[2, "re-found in bootstrap"] == "100%"


def test_regime_groups():
    assert tf.regime_groups(["drones", "iran"]) == ["drones"]
    assert tf.regime_groups(["missiles", "drones"]) == ["missiles", "drones"]
    assert tf.regime_groups(["strike_drone"]) == ["drones", "missiles"]


def test_caveats_drop_group_specific_and_repeated_notes():
    trends = {"drones": drone_fit(), "missiles": drone_fit("missiles")}
    regimes = {"drones": RegimeFit("drones", regime_result())}
    text = tf.caveats(trends, regimes)
    lines = text.splitlines()
    assert lines == [
        "- Counts are launches reported by the Air Force.",
        "- A break date is where the level shifts, not a cause.",
    ]


# --- parameters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ([12, 6, 6], [6, 12]),
        (6, [6]),
        ("6, 12", [6, 12]),
        ((1, 48), [1, 48]),
    ],
)
def test_growth_windows_accepted(value, expected):
    assert tf.check_growth_windows(value) == expected


@pytest.mark.parametrize("value", [[6, 60], 0, [], True, [6.5], "six", None])
def test_growth_windows_refused_with_the_parameter_named(value):
    with pytest.raises(ParameterError, match="growth_windows"):
        tf.check_growth_windows(value)


def test_period_too_short_names_start_and_end():
    short = Period(
        "2026-04-05",
        dt.date(2025, 1, 1),
        dt.date(2025, 3, 1),
        dt.date(2022, 9, 28),
        dt.date(2026, 4, 5),
    )
    with pytest.raises(
        ParameterError,
        match=r"start 2025-01-01 / end 2025-03-01.*needs at "
        r"least 16",
    ):
        tf.check_period_length(short, "W")
    whole = Period("2026-04-05", None, None, dt.date(2022, 9, 28), dt.date(2026, 4, 5))
    assert tf.check_period_length(whole, "M") is whole
    months = Period(
        "2026-04-05",
        dt.date(2025, 1, 1),
        dt.date(2025, 6, 30),
        dt.date(2022, 9, 28),
        dt.date(2026, 4, 5),
    )
    with pytest.raises(ParameterError, match="6 complete months; the trend needs at least 8"):
        tf.check_period_length(months, "M")


def test_sparse_or_broken_fits_are_refused():
    rows = [growth_row("whole span", 40.0, 1.0, -0.5, 2.5)]
    result = trend_result(rows)
    sparse = result.table("fitted").assign(observed=[0] * 15 + [1] * 5)
    with pytest.raises(ValueError, match="launches in only 5 of 20 weeks"):
        check_usable(ModelResult("t", result.summary, {"fitted": sparse}), "W")
    broken = result.table("fitted").assign(fitted_high=np.inf)
    with pytest.raises(ValueError, match="unbounded"):
        check_usable(ModelResult("t", result.summary, {"fitted": broken}), "W")
    check_usable(result, "W")


# --- charts ------------------------------------------------------------------------------------


def _texts(fig: Figure) -> str:
    parts = [t.get_text() for t in fig.texts]
    parts += [fig._suptitle.get_text(), fig._supxlabel.get_text()]
    return "\n".join(parts)


def test_trend_chart_has_two_panels_the_windows_and_the_credit():
    fig = trend_chart(trend_result(DRONE_ROWS), release=RELEASE, group="drones", freq="W")
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert "Piterfm".lower() in _texts(fig).lower() and "release of 5 Apr 2026" in _texts(fig)
    labels = [t.get_text().strip() for t in fig.axes[1].texts]
    assert labels == ["last 12 months"]  # the 6-month window starts after the weeks drawn
    assert fig.axes[0].yaxis.get_major_formatter()(12000, 0) == "12,000"


def test_regimes_chart_marks_every_break():
    fig = regimes_chart(regime_result(), weekly_series(), release=RELEASE, group="drones")
    assert len(fig.axes) == 2
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels == ["26 Aug 2024", "3 Feb 2025", "typical\nweek"]  # breaks, then the level
    assert "2 changes of level found (re-fits of the data found 1 to 3)" in _texts(fig)


# --- the notebook on the real snapshot ----------------------------------------------------------
# Both runs start together (each in its own kernel), so that the file stays well under 40 s.

GOOD_PARAMETERS = {
    "release": RELEASE,
    "start": "2024-01-01",
    "classes": ["strike_drone", "missiles"],
    "growth_windows": [3, 9],
}
BAD_PARAMETERS = {"growth_windows": [6, 60]}


def _execute(folder: Path, parameters: dict, processed: Path):
    """Run the notebook into ``folder`` on the releases in ``processed``; returns the exception
    it raised, or None."""
    import papermill

    folder.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(NOTEBOOK),
            str(folder / f"{STEM}.ipynb"),
            kernel_name="python3",
            cwd=str(NOTEBOOKS),
            progress_bar=False,
            parameters={
                **parameters,
                "processed_dir": str(processed),
                "output_dir": str(folder),
            },
        )
    except Exception as error:  # noqa: BLE001 - handed to the test that expects it
        return error
    return None


@pytest.fixture(scope="module")
def notebook_runs(
    tmp_path_factory: pytest.TempPathFactory, real_build: Path
) -> dict[str, tuple[Path, object]]:
    """The notebook run with non-default parameters ("good") and a bad one ("bad"), on the
    real release built for the test session."""
    assert real_build.name == RELEASE
    root = tmp_path_factory.mktemp("trends_notebook")
    runs = {"good": (root / "good", GOOD_PARAMETERS), "bad": (root / "bad", BAD_PARAMETERS)}
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            name: pool.submit(_execute, folder, parameters, real_build.parent)
            for name, (folder, parameters) in runs.items()
        }
        return {name: (runs[name][0], future.result()) for name, future in futures.items()}


@pytest.mark.real_data
def test_notebook_publishes_what_its_parameters_ask_for(notebook_runs):
    folder, error = notebook_runs["good"]
    assert error is None, error
    record = read_results(folder)[STEM]
    assert record["parameters"]["growth_windows"] == [3, 9]
    assert record["parameters"]["start"] == "2024-01-01"
    assert record["parameters"]["classes"] == ["strike_drone", "missiles"]

    findings = {f["key"]: f for f in record["findings"]}
    assert set(findings) == {
        "growth_strike_drone",
        "growth_missiles",
        "growth_detail_strike_drone",
        "growth_detail_missiles",
        "dispersion_strike_drone",
        "dispersion_missiles",
        "regimes_missiles",
        "regimes_detail_missiles",
    }
    headline = [f for f in findings.values() if f["headline"]]
    assert [f["key"] for f in headline] == [
        "growth_strike_drone",
        "growth_missiles",
        "regimes_missiles",
    ]
    for finding in headline:  # key points: plain and short
        assert jargon_in(finding["text"]) == [] and len(finding["text"].split()) <= 45
    growth = findings["growth_strike_drone"]
    assert "over the last 9 months" in growth["text"] and "3 months" not in growth["text"]
    assert growth["low"] <= growth["value"] <= growth["high"]
    assert "Over the last 3 months" in findings["growth_detail_strike_drone"]["text"]
    assert "not proof of cause" in findings["regimes_detail_missiles"]["text"]

    numbers = record["numbers"]
    assert {
        "growth_strike_drone_3m_pct",
        "growth_strike_drone_9m_pct",
        "growth_missiles_3m_pct",
    } <= set(numbers)
    assert "growth_strike_drone_6m_pct" not in numbers
    assert numbers["n_breaks_missiles"] >= 0 and numbers["latest_level_missiles"] > 0
    assert findings["regimes_missiles"]["value"] == numbers["latest_level_missiles"]

    files = record["files"]
    expected = [
        f"{STEM}__trend_strike_drone.png",
        f"{STEM}__regimes_missiles.png",
        f"{STEM}__growth_strike_drone.csv",
        f"{STEM}__dispersion.csv",
        f"{STEM}__regimes_missiles.csv",
    ]
    if numbers["n_breaks_missiles"]:
        expected.append(f"{STEM}__breaks_missiles.csv")
    for name in expected:
        assert name in files and (folder / name).stat().st_size > 0
    assert not any("regimes_drones" in f for f in files)  # drones not chosen: missiles only
    growth_csv = pd.read_csv(folder / f"{STEM}__growth_strike_drone.csv")
    assert list(growth_csv["window"]) == ["last 3 months", "last 9 months", "whole span"]
    assert growth_csv["first_day"].min() >= "2024-01-01"

    executed = nbformat.read(folder / f"{STEM}.ipynb", as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    json.dumps(record)  # the record is plain JSON

    # The page a reader opens shows no pandas placeholder for a missing value.
    from analysis.publish.execute import render_html

    page = render_html(folder / f"{STEM}.ipynb", "Escalation trends")
    text = re.sub(r"<style.*?</style>|<script.*?</script>|<[^>]+>", " ", page, flags=re.S)
    assert not re.search(r"\b(?:NaT|NaN|nan)\b|&lt;NA&gt;", text)
    # What a reader sees outside the "Method and diagnostics" folds is plain.
    assert jargon_in(reader_text(page)) == []


@pytest.mark.real_data
def test_a_bad_parameter_stops_in_the_validation_cell(notebook_runs):
    from papermill.exceptions import PapermillExecutionError

    folder, error = notebook_runs["bad"]
    assert isinstance(error, PapermillExecutionError), error
    assert error.ename == "ParameterError"
    assert "growth_windows 60 must be a whole number from 1 to 48" in error.evalue
    executed = nbformat.read(folder / f"{STEM}.ipynb", as_version=4)
    cells = [
        c
        for c in executed.cells  # papermill adds error banners to the output copy
        if "papermill-error-cell-tag" not in c.metadata.get("tags", [])
    ]
    checks = [i for i, c in enumerate(cells) if "validate_parameters(" in c.source]
    assert error.cell_index == checks[0]
    assert not list(folder.glob(f"{STEM}__*"))  # nothing published
