"""Findings, tables and charts of the forecast notebook, on hand-made results; and the notebook
itself, run by papermill on the real snapshot."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import papermill
import pytest
from matplotlib.figure import Figure
from papermill.exceptions import PapermillExecutionError

from analysis.data.overview import Period
from analysis.figures.forecast import forecast_chart, mase_by_horizon_chart, snapshot_chart
from analysis.findings.cards import forecast_card_of
from analysis.findings.forecast import (
    PLANNING_NOTE,
    backtest_table,
    beaten_baselines,
    beats_naive_finding,
    calibration,
    caveats_text,
    check_forecast_groups,
    check_period_weeks,
    chosen_model_finding,
    complete_weeks,
    forecast_finding,
    forecast_table,
    label,
    methods_text,
    next_week_finding,
    range_held_text,
    rule_note,
    scored_snapshots,
    skill_verdict,
    snapshot_findings,
    snapshot_model,
    snapshot_plain_text,
    snapshot_table,
)
from analysis.modelresult import ModelResult
from analysis.models.forecast import (
    BASELINES,
    SCORE_COLUMNS,
    GroupForecast,
    combine,
    forecast,
    forecast_for,
    run_group,
    save_snapshot,
)
from analysis.params import ParameterError
from analysis.paths import PROJECT_ROOT
from analysis.publish.plainwords import jargon_in, reader_text
from analysis.results import Publisher, read_results

LAST_WEEK = pd.Timestamp("2026-03-30")  # a Monday


# --- hand-made results ----------------------------------------------------------------------


HAND_MODELS = ("sarimax", "unobserved_components", "naive", "drift")


def hand_forecast(
    group: str = "drones",
    mase: dict[str, float] | None = None,
    h: int = 3,
    origins: int = 10,
    requested: int | None = None,
    coverage80: float = 0.8,
    coverage95: float = 0.95,
    dm_p: float = 0.01,
    inner: dict[str, float] | None = None,
) -> GroupForecast:
    """A forecast and nested backtest of four models with chosen numbers; the point of model
    ``m`` at step ``k`` is ``100 * (i + 1) + k`` (i its place in HAND_MODELS). The candidate
    has the lowest ``inner`` MASE (default: ``mase``) among sarimax and UC; every model's
    Diebold-Mariano p-value against the best baseline is ``dm_p``."""
    mase = mase or {"sarimax": 2.5, "unobserved_components": 2.72, "naive": 3.2, "drift": 3.6}
    inner = inner or mase
    weeks = [LAST_WEEK + pd.Timedelta(weeks=k) for k in range(1, h + 1)]
    rows = []
    for i, model in enumerate(HAND_MODELS):
        for k, week in enumerate(weeks, start=1):
            point = 100.0 * (i + 1) + k
            rows.append(
                {
                    "series": group,
                    "model": model,
                    "window": "104",
                    "step": k,
                    "week": week,
                    "point": point,
                    "lo80": point * 0.6,
                    "hi80": point * 1.7,
                    "lo95": point * 0.4,
                    "hi95": point * 2.5,
                }
            )
    history = pd.DataFrame(
        {"launched": np.linspace(50, 120, 30)},
        index=pd.date_range(end=LAST_WEEK, periods=30, freq="7D"),
    )
    result = ModelResult(
        "forecast",
        {
            "series": group,
            "h": h,
            "models": ",".join(HAND_MODELS),
            "window": 104,
            "weeks_used": 104,
            "first_week": str(history.index[0].date()),
            "last_observed_week": str(LAST_WEEK.date()),
            "last_observed": 1234.0,
        },
        {"forecast": pd.DataFrame(rows), "history": history},
        assumptions=("An assumption.",),
        caveats=("A forecast caveat.",),
    )
    bases = {m: v for m, v in mase.items() if m in BASELINES}
    baseline = min(bases, key=bases.get)
    rivals = {m: inner[m] for m in mase if m not in BASELINES}
    candidate = min(rivals, key=rivals.get)
    beats = mase[candidate] < mase[baseline] and dm_p < 0.05
    best = candidate if beats else baseline
    summary = pd.DataFrame(
        {
            "model": list(mase),
            "window": "104",
            "inner_mase": [inner[m] for m in mase],
            "mase": list(mase.values()),
            "mase_h1": [v * 0.8 for v in mase.values()],
            "mae": [v * 100 for v in mase.values()],
            "wis": [v * 0.7 for v in mase.values()],
            "coverage80": coverage80,
            "coverage95": coverage95,
            "coverage80_model": 0.7,
            "coverage95_model": 0.85,
            "forecasts": origins * h,
            "failed_origins": 0,
            "dm_p": [np.nan if m == baseline else dm_p for m in mase],
        }
    )
    summary["vs_naive"] = summary["mase"] / mase["naive"] - 1
    summary["beats_baseline"] = (summary["mase"] < mase[baseline]) & (summary["dm_p"] < 0.05)
    summary["baseline"] = summary["model"].isin(BASELINES)
    summary["chosen"] = summary["model"] == best
    summary = summary.sort_values("mase", ignore_index=True)
    summary["rank"] = np.arange(1, len(summary) + 1)
    scores = pd.DataFrame(
        [
            {
                "model": m,
                "step": k,
                "n": origins - k + 1,
                "mase": v * (0.8 + 0.1 * k),
                "mae": v * 100,
                "coverage80": coverage80,
                "coverage95": coverage95,
            }
            for m, v in mase.items()
            for k in range(1, h + 1)
        ]
    )
    tested = ModelResult(
        "forecast_backtest",
        {
            "series": group,
            "h": h,
            "origins": origins,
            "inner_origins": 5,
            "first_origin": "2025-12-29",
            "last_origin": "2026-03-23",
            "first_inner_origin": "2025-10-20",
            "last_inner_origin": "2025-12-22",
            "windows": ",".join(f"{m}=104" for m in mase),
            "window": 104,
            "candidate": candidate,
            "baseline": baseline,
            "best_model": best,
            "best_mase": mase[best],
            "candidate_mase": mase[candidate],
            "baseline_mase": mase[baseline],
            "naive_mase": mase["naive"],
            "dm_p": dm_p,
            "beats_naive": beats,
            "verdict": "hand-made",
        },
        {"summary": summary, "scores": scores, "forecasts": pd.DataFrame()},
        caveats=("A backtest caveat.",),
    )
    return GroupForecast(group, combine(result, tested), tested, requested or origins)


def hand_scored(
    group: str = "drones",
    releases=("2026-03-01",),
    models=("sarimax", "naive"),
    actual=(100.0, 200.0, 120.0, 60.0),
    point: float = 100.0,
) -> pd.DataFrame:
    """Scored snapshot rows: every model forecast ``point`` (80%: 80-150, 95%: 60-250)."""
    rows = []
    for release in releases:
        for model in models:
            for k, value in enumerate(actual, start=1):
                rows.append(
                    {
                        "release": release,
                        "scope": "national",
                        "scored_on": "2026-04-05",
                        "series": group,
                        "model": model,
                        "made_on": release,
                        "last_observed_week": "2026-02-23",
                        "week": pd.Timestamp("2026-02-23") + pd.Timedelta(weeks=k),
                        "step": k,
                        "point": point,
                        "lo80": 80.0,
                        "hi80": 150.0,
                        "lo95": 60.0,
                        "hi95": 250.0,
                        "actual": value,
                        "error": value - point,
                        "abs_error": abs(value - point),
                        "in80": 80 <= value <= 150,
                        "in95": 60 <= value <= 250,
                    }
                )
    return pd.DataFrame(rows, columns=list(SCORE_COLUMNS))


@pytest.fixture
def pub(tmp_path: Path) -> Publisher:
    return Publisher(tmp_path, "05_forecast")


def recorded(pub: Publisher, key: str) -> dict:
    return next(f for f in pub.findings if f["key"] == key)


# --- parameters -------------------------------------------------------------------------------


def test_groups_accept_lists_and_text_and_refuse_anything_else():
    assert check_forecast_groups(["missiles", "drones", "missiles"]) == ["missiles", "drones"]
    assert check_forecast_groups("drones, missiles") == ["drones", "missiles"]
    for bad in (["cruise_missile"], [], "", 3, ["drones", "tanks"]):
        with pytest.raises(ParameterError, match="^groups"):
            check_forecast_groups(bad)


def test_period_must_hold_enough_complete_weeks():
    assert complete_weeks(dt.date(2024, 1, 1), dt.date(2024, 1, 14)) == 2
    assert complete_weeks(dt.date(2024, 1, 2), dt.date(2024, 1, 14)) == 1
    first, last = dt.date(2022, 9, 28), dt.date(2026, 4, 5)
    assert check_period_weeks(Period("2026-04-05", None, None, first, last)) > 100
    with pytest.raises(ParameterError, match="^start: .* holds 5 complete weeks"):
        check_period_weeks(Period("2026-04-05", dt.date(2026, 3, 2), None, first, last))
    with pytest.raises(ParameterError, match="^end"):
        check_period_weeks(Period("2026-04-05", None, dt.date(2022, 12, 1), first, last))
    assert check_period_weeks(Period("2026-04-05", None, None)) == 0  # not built: no check


# --- findings ---------------------------------------------------------------------------------


def test_verdict_names_the_model_that_beats_the_rules_with_its_evidence(pub):
    fc = hand_forecast(coverage80=0.93, coverage95=0.96)
    text = chosen_model_finding(fc, pub)
    assert fc.chosen == "sarimax" and fc.beats_baseline
    assert text.startswith(
        "**Drones:** the SARIMAX(1,1,1) with drift beats the simple rules, so its forecast is "
        "shown: a mean MASE over 1 to 3 weeks ahead of 2.50 on the 10 later weeks "
        "(29 December 2025 to 23 March 2026), against 3.20 for last week's count"
    )
    assert "Diebold-Mariano test finds the difference larger than chance (p = 0.01)" in text
    assert "held 93% of the later weeks at 80% (wider than needed)" in text
    assert "and 96% at 95% (close to its level)" in text
    assert "did better on those weeks" not in text
    found = recorded(pub, "drones_chosen_model")
    assert found["value"] == pytest.approx(2.5) and found["unit"] == "MASE"
    assert found["headline"] is False
    assert pub.numbers["drones_chosen_model"] == "sarimax"
    assert pub.numbers["drones_beats_baseline"] is True
    assert pub.numbers["drones_dm_p"] == pytest.approx(0.01)
    assert pub.numbers["drones_naive_mase"] == pytest.approx(3.2)
    assert pub.numbers["drones_origins"] == 10


def test_a_lower_score_without_a_significant_test_shows_the_simple_rule_first():
    fc = hand_forecast(dm_p=0.3)
    text = chosen_model_finding(fc)
    assert fc.chosen == "naive" and not fc.beats_baseline
    assert text.startswith(
        "**Drones:** no model beats the simple rule of last week's count, so that is the "
        "forecast shown. The model chosen in advance, the SARIMAX(1,1,1) with drift, had a "
        "mean MASE"
    )
    assert "a Diebold-Mariano test finds the difference within chance (p = 0.30)" in text


def test_the_rule_is_shown_when_no_model_scores_lower_and_short_periods_say_so():
    fc = hand_forecast(
        mase={"naive": 1.0, "drift": 1.1, "sarimax": 1.2, "unobserved_components": 1.3},
        origins=6,
        requested=52,
    )
    text = chosen_model_finding(fc)
    assert fc.chosen == "naive"
    assert "no model beats the simple rule of last week's count" in text
    assert "its score is not lower (p = 0.01)" in text
    assert "the 6 later weeks (29 December 2025 to 23 March 2026; fewer than the 52 asked for" in (
        text
    )


def test_a_model_not_chosen_in_advance_is_not_credited_for_a_better_score():
    # UC scores best on the later weeks, but the earlier weeks chose sarimax
    fc = hand_forecast(
        mase={"sarimax": 3.4, "unobserved_components": 2.9, "naive": 3.2, "drift": 3.6},
        inner={"sarimax": 2.0, "unobserved_components": 2.5, "naive": 2.4, "drift": 2.6},
    )
    text = chosen_model_finding(fc)
    assert fc.candidate == "sarimax" and fc.chosen == "naive"
    assert (
        "The local linear trend did better on those weeks (MASE 2.90), but the earlier weeks "
        "did not choose it" in text
    )


def test_calibration_words():
    assert calibration(0.82, 80) == "close to its level"
    assert calibration(0.93, 80) == "wider than needed"
    assert calibration(0.85, 95) == "too narrow"


def test_technical_forecast_sentence_gives_the_last_week_median_and_intervals(pub):
    fc = hand_forecast(h=3)
    text = forecast_finding(fc, pub)
    # sarimax is HAND_MODELS[0]: point 100 + 3 at step 3; 80%: 61.8 to 175.1; 95%: 41.2 to 257.5
    assert text.startswith("**Drones:** the SARIMAX(1,1,1) with drift model puts the median")
    assert "week starting 20 April 2026 (3 weeks after" in text
    assert "started 30 March 2026 with 1,234 drones launched" in text
    assert "at 103 drones" in text and "80% interval of 62 to 175" in text
    assert "95% interval of 41 to 258, as wide as the backtest's errors 3 weeks ahead" in text
    found = recorded(pub, "drones_forecast")
    assert (found["value"], found["low"], found["high"]) == pytest.approx((103, 61.8, 175.1))
    assert found["headline"] is False  # the reader's key point is next_week_finding
    assert pub.numbers["drones_forecast_week"] == "2026-04-20"
    missiles = hand_forecast("missiles")
    forecast_finding(missiles, pub, headline=True)
    assert recorded(pub, "missiles_forecast")["headline"] is True
    # the simple rule shown: naive is HAND_MODELS[2], so 300 + 3 at step 3
    rule = forecast_finding(hand_forecast(dm_p=0.5))
    assert rule.startswith("**Drones:** the simple rule of last week's count puts the median")
    assert "at 303 drones" in rule


def test_beats_naive_statement_compares_with_the_best_rule(pub):
    drones = hand_forecast()
    missiles = hand_forecast(
        "missiles",
        mase={"naive": 0.9, "drift": 0.8, "sarimax": 0.85, "unobserved_components": 1.0},
    )
    assert list(beaten_baselines(drones).index) == ["sarimax", "unobserved_components"]
    # sarimax beats naive but not drift, the best rule
    assert beaten_baselines(missiles).empty
    text = beats_naive_finding({"drones": drones, "missiles": missiles}, pub)
    assert (
        "for drones, the SARIMAX(1,1,1) with drift beats the best rule, last week's count "
        "(MASE 3.20), with 2.50 (p = 0.01)" in text
    )
    assert (
        "for missiles, no model beats the best rule, the random walk with drift (MASE 0.80): "
        "the model chosen in advance, the SARIMAX(1,1,1) with drift, scored 0.85" in text
    )
    found = recorded(pub, "beats_naive")
    assert found["value"] == 1 and found["headline"] is False
    assert found["unit"].startswith("of 2 groups")


# --- the reader's sentences -----------------------------------------------------------------


def test_skill_verdict_says_plainly_which_forecast_is_shown():
    assert skill_verdict(hand_forecast()) == (
        "A model that carries on the recent trend forecast past weeks clearly better than "
        "simple rules such as repeating last week's count, so its forecast is shown."
    )
    assert skill_verdict(hand_forecast(dm_p=0.3)) == (
        "No model forecast past weeks clearly better than simply repeating last week's count, "
        "so that is the forecast shown."
    )
    drift_best = {"drift": 1.0, "naive": 1.1, "sarimax": 1.2, "unobserved_components": 1.3}
    assert skill_verdict(hand_forecast(mase=drift_best)) == (
        "No model forecast past weeks clearly better than simply carrying last week's count on "
        "by the average weekly change, so that is the forecast shown."
    )


def test_next_week_key_point_has_the_card_numbers_and_the_verdict(pub):
    fc = hand_forecast(h=3)
    text = next_week_finding(fc, pub)
    # sarimax at step 1: point 101, 80% range 60.6 to 171.7
    assert text == (
        "**Drones:** 101 drones expected in the week of 6 Apr 2026, likely 61 to 172. "
        "A model that carries on the recent trend forecast past weeks clearly better than "
        "simple rules such as repeating last week's count, so its forecast is shown."
    )
    card = forecast_card_of({"drones": fc}, None)
    assert f"{card.value} {card.detail}." in text  # the landing card says the same
    found = recorded(pub, "drones_next_week")
    assert found["headline"] is True
    assert (found["value"], found["low"], found["high"]) == pytest.approx((101, 60.6, 171.7))
    assert pub.numbers["drones_next_week"] == "2026-04-06"
    assert len(text.split()) <= 45 and not jargon_in(text)


def test_range_held_says_how_often_the_likely_range_held_in_plain_words(pub):
    text = range_held_text(hand_forecast(coverage80=0.93), pub)
    assert text == (
        "Tested on 10 past weeks (Dec 2025 to Mar 2026), the actual count fell inside the "
        "likely range in 93% of the forecasts up to 3 weeks ahead: more than the 80% it aims "
        "for, so the range errs on the wide side."
    )
    assert recorded(pub, "drones_range_held")["value"] == pytest.approx(0.93)
    assert recorded(pub, "drones_range_held")["headline"] is False
    assert range_held_text(hand_forecast(coverage80=0.79)).endswith(": about the 80% it aims for.")
    assert range_held_text(hand_forecast(coverage80=0.6)).endswith(
        ": less than the 80% it aims for, so expect more surprises than it suggests."
    )


def test_rule_note_sets_the_geometric_average_beside_the_plain_one():
    history = pd.DataFrame(
        {"launched": [10.0, 70.0, 0.0, 30.0, 40.0]},
        index=pd.date_range(end=LAST_WEEK, periods=5, freq="7D"),
    )
    chosen = pd.DataFrame({"step": [1], "week": [LAST_WEEK + pd.Timedelta(weeks=1)], "point": 16.0})
    result = ModelResult(
        "forecast", {"chosen_model": "mean4"}, {"history": history, "chosen": chosen}
    )
    fc = GroupForecast("missiles", result, result, 10)
    assert rule_note(fc) == (
        "This average, 16, is below the plain average of those four weeks, 35 (from 0 to 70 "
        "missiles a week), because it gives quiet weeks more weight."
    )
    assert rule_note(hand_forecast()) == ""  # not the four-week rule


def test_snapshot_check_in_plain_words():
    text = snapshot_plain_text(hand_scored(), {"drones": hand_forecast()})
    # actual 100, 200, 120, 60 against 100: 20 too low on average; 100 and 120 inside 80-150
    assert text == (
        "**Drones:** the forecast made from the data of 1 Mar 2026 can now be checked against "
        "the 4 weeks since. On average it was 20 drones a week too low, and 2 of 4 weeks fell "
        "inside its likely range. That is too few weeks to judge it yet."
    )
    empty = pd.DataFrame(columns=list(SCORE_COLUMNS))
    assert snapshot_plain_text(empty, {"drones": hand_forecast()}) == (
        "No forecast saved from an earlier data release can be checked against this one yet."
    )
    assert not jargon_in(text) and not jargon_in(PLANNING_NOTE)


def test_no_older_snapshot_gives_one_computed_sentence(pub):
    empty = pd.DataFrame(columns=list(SCORE_COLUMNS))
    texts = snapshot_findings(empty, {"drones": hand_forecast()}, "2026-04-05", pub)
    assert len(texts) == 1
    assert (
        "No forecast of drones counted in this report's scope (national) and saved from a "
        "release older than 2026-04-05"
    ) in texts[0]
    assert "(`python -m analysis forecast` saves one" in texts[0]
    assert recorded(pub, "snapshot_scores")["value"] == 0
    assert pub.numbers["snapshot_weeks_scored"] == 0
    every = snapshot_findings(empty, {"drones": hand_forecast()}, "2026-04-05", pub, "all")
    assert "(`python -m analysis forecast --scope all` saves one" in every[0]


def test_snapshot_score_of_the_newest_older_release_and_the_chosen_model(pub):
    scored = pd.concat(
        [hand_scored(releases=("2026-02-01",), actual=(1000.0,) * 4), hand_scored()],
        ignore_index=True,
    )
    texts = snapshot_findings(scored, {"drones": hand_forecast()}, "2026-04-05", pub)
    (text,) = texts
    # actual 100, 200, 120, 60 against 100: MAE (0 + 100 + 20 + 40) / 4, bias (100 + 20 - 40) / 4
    assert (
        "release 2026-03-01 by the SARIMAX(1,1,1) with drift model (the model this "
        "report's backtest chooses)" in text
    )
    assert "was 40 drones a week away" in text and "too low by 20 on average" in text
    assert "2 of 4 weeks fell inside its 80% interval and 4 of 4 inside" in text
    assert "So few weeks" in text
    assert recorded(pub, "drones_snapshot_score")["value"] == pytest.approx(40)


def test_snapshot_falls_back_to_a_saved_model():
    assert snapshot_model(["drift", "naive"], "sarimax") == "naive"
    assert snapshot_model(["drift", "sarimax"], "sarimax") == "sarimax"
    scored = hand_scored(models=("naive",))
    (text,) = snapshot_findings(scored, {"drones": hand_forecast()}, "2026-04-05")
    assert "this report's backtest chooses SARIMAX(1,1,1) with drift, which was not saved" in text


def saved_forecast(folder: Path, group: str, scope: str, point: float) -> Path:
    """A one-week naive forecast of ``group`` saved from release 2026-03-01 in ``scope``."""
    table = pd.DataFrame(
        {
            "series": group,
            "model": "naive",
            "step": [1],
            "week": [pd.Timestamp("2026-03-02")],
            "point": [point],
            "lo80": [point - 10],
            "hi80": [point + 10],
            "lo95": [point - 20],
            "hi95": [point + 20],
        }
    )
    summary = {"series": group, "last_observed_week": "2026-02-23"}
    result = ModelResult("forecast", summary, {"forecast": table})
    return save_snapshot(result, "2026-03-01", "2026-03-01", folder, scope=scope)


def test_saved_forecasts_are_scored_only_in_the_report_scope_and_groups(tmp_path):
    saved_forecast(tmp_path, "drones", "national", point=100.0)
    saved_forecast(tmp_path, "drones", "all", point=110.0)
    saved_forecast(tmp_path, "missiles", "national", point=5.0)
    weekly = pd.DataFrame(
        {"drones": [90, 100], "missiles": [4, 6]},
        index=pd.DatetimeIndex(["2026-02-23", "2026-03-02"]),
    )
    national = scored_snapshots(tmp_path, weekly, "2026-04-05", ["drones"], "national")
    assert national["point"].tolist() == [100.0] and national["scope"].tolist() == ["national"]
    every = scored_snapshots(tmp_path, weekly, "2026-04-05", ["drones", "missiles"], "all")
    assert every["point"].tolist() == [110.0] and every["series"].tolist() == ["drones"]


# --- tables, prose and charts -------------------------------------------------------------------


def test_tables_carry_the_results():
    fc = hand_forecast(h=3, coverage80=0.75)
    table = backtest_table(fc)
    assert list(table.index) == [
        label(m) for m in ("sarimax", "unobserved_components", "naive", "drift")
    ]
    assert table["shown"].tolist() == [True, False, False, False]
    assert table["baseline"].tolist() == [False, False, True, True]
    assert table.loc["naive (last week)", "vs naive"] == 0
    assert np.isnan(table.loc["naive (last week)", "p vs best baseline"])
    assert table["inside 80% interval (nominal 80%)"].tolist() == [0.75] * 4
    assert table["inside model's own 95%"].tolist() == [0.85] * 4
    assert table["training window"].tolist() == ["104 weeks"] * 4
    wide = forecast_table(fc)
    assert list(wide.index) == ["2026-04-06", "2026-04-13", "2026-04-20"]
    assert wide["SARIMAX(1,1,1) with drift (shown): median"].tolist() == [101, 102, 103]
    assert wide["80% interval: high"].tolist() == [172, 173, 175]
    assert wide["naive (last week): median"].tolist() == [301, 302, 303]
    summary = snapshot_table(hand_scored())
    assert summary["weeks observed"].tolist() == [4, 4]
    assert summary["inside 80%"].tolist() == [0.5, 0.5]


def test_methods_and_caveats_take_the_run_settings():
    fc = hand_forecast(h=3, origins=10)
    text = methods_text(fc)
    assert "up to 3 weeks ahead" in text
    assert "On 5 earlier weeks (20 October 2025 to 22 December 2025, every other week)" in text
    assert "among the latest 52, 78 or 104 weeks, or every week" in text
    assert "Only the 10 later weeks (29 December 2025 to 23 March 2026) score the models" in text
    assert "*damped-trend smoothing*" not in text  # only the models run are described
    assert "*random walk with drift*, the last observed week" in text
    assert caveats_text({"drones": fc}) == "- A forecast caveat.\n- A backtest caveat."


def _texts(fig: Figure) -> str:
    parts = [t.get_text() for t in fig.texts]
    if fig._suptitle is not None:
        parts.append(fig._suptitle.get_text())
    if fig._supxlabel is not None:
        parts.append(fig._supxlabel.get_text())
    for ax in fig.axes:
        parts += [ax.get_title(loc="left")] + [t.get_text() for t in ax.texts]
    return "\n".join(parts)


def test_the_reader_chart_shows_the_forecast_shown_alone_in_plain_words():
    fig = forecast_chart(hand_forecast(), release="2026-04-05")
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 1
    assert fig.get_suptitle() == "Drones: about 100 launches a week expected over the next 3 weeks"
    text = _texts(fig)
    assert "the likely range (8 weeks in 10) dark" in text
    assert "A model that carries on the recent trend forecast past weeks clearly better" in text
    assert "8 in 10" in text and "expected" in text
    assert "backtest" not in text and "SARIMAX" not in text


def test_charts_draw_every_model_with_the_chosen_first_and_the_credit():
    drones, missiles = hand_forecast(), hand_forecast("missiles")
    fig = forecast_chart(drones, release="2026-04-05", panels=4)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == len(HAND_MODELS)
    assert visible[0].get_title(loc="left").startswith("SARIMAX(1,1,1) with drift: shown")
    assert visible[0]._left_title.get_fontweight() == "bold"
    text = _texts(fig)
    assert "release of 5 Apr 2026" in text
    others = len(HAND_MODELS) - 1
    title = f"Drones: the forecast shown beside those of {others} other methods"
    assert fig.get_suptitle() == title
    assert "the SARIMAX(1,1,1) with drift beats the simple rules in the backtest" in text
    assert "95% band reaches" in text  # drift's hi95 runs above the chosen model's scale
    rule = forecast_chart(hand_forecast(dm_p=0.5), release="2026-04-05", panels=2)
    assert len([ax for ax in rule.axes if ax.get_visible()]) == 2
    assert "no model beats the simple rule (naive (last week)), so it is shown" in _texts(rule)
    fig = mase_by_horizon_chart({"drones": drones, "missiles": missiles}, release="2026-04-05")
    assert len(fig.axes) == 2
    assert len(fig.axes[0].get_lines()) == len(HAND_MODELS)
    dashed = [line.get_linestyle() for line in fig.axes[0].get_lines()]
    assert dashed.count("--") == 2  # the two simple rules
    assert fig.get_suptitle() == "A model beats the simple rules for 2 of 2 groups"
    weekly = pd.DataFrame(
        {"drones": 100.0}, index=pd.date_range("2025-11-03", "2026-03-23", freq="7D")
    )
    fig = snapshot_chart(hand_scored(), weekly, {"drones": drones}, release="2026-04-05")
    assert "forecast made with data to 1 Mar 2026" in _texts(fig)
    assert (
        fig.get_suptitle() == "Earlier forecasts: 2 of 4 weeks since fell inside their likely range"
    )
    with pytest.raises(ValueError, match="no scored snapshot"):
        snapshot_chart(hand_scored(), weekly, {"missiles": missiles}, release="2026-04-05")


# --- run_group is forecast_for with the whole backtest kept ------------------------------------


def synthetic_strikes(weeks: int = 40, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-01-01", periods=7 * weeks, freq="D")
    rows = []
    for day in days:
        for weapon_class, mean in (("strike_drone", 60), ("cruise_missile", 5)):
            launched = int(rng.poisson(mean))
            rows.append(
                {
                    "end_date": day.date(),
                    "weapon_class": weapon_class,
                    "launched": launched,
                    "destroyed": launched,
                    "not_reach_goal": 0,
                }
            )
    frame = pd.DataFrame(rows)
    for column in ("launched", "destroyed", "not_reach_goal"):
        frame[column] = frame[column].astype("Int64")
    return frame


def test_run_group_forecast_is_the_backtest_fit_at_the_last_week_with_calibrated_intervals():
    strikes = synthetic_strikes(weeks=80)
    rules = ("naive", "mean4", "drift")
    fc = run_group(strikes, "drones", horizon=2, origins=20, models=rules)
    assert fc.chosen in BASELINES and fc.chosen == fc.tested.summary["baseline"]
    chosen = fc.result.table("chosen")
    assert chosen["calibrated"].all() and (chosen["calibration_n"] >= 19).all()
    history = fc.result.table("history")["launched"].rename("drones")
    window = fc.tested.summary["window"]
    direct = forecast(history, h=2, models=(fc.chosen,), window=window)
    assert np.allclose(chosen["point"], direct.table("forecast")["point"])
    assert np.allclose(chosen["lo80_model"], direct.table("forecast")["lo80"])
    # the shown intervals are the calibrated ones, not the model's own
    assert not np.allclose(chosen["hi95"], chosen["hi95_model"])
    expected = forecast_for(strikes, "drones", h=2, origins=20, models=rules)
    pd.testing.assert_frame_equal(fc.result.table("chosen"), expected.table("chosen"))


# --- the notebook on the real snapshot --------------------------------------------------------

NOTEBOOK = PROJECT_ROOT / "notebooks" / "05_forecast.ipynb"
VALIDATION_CELL = 2  # after papermill's injected-parameters cell


@pytest.mark.real_data
def test_notebook_records_findings_files_and_its_parameters(real_build, tmp_path):
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "05_forecast.ipynb"),
        kernel_name="python3",
        parameters={
            "horizon": 4,
            "origins": 12,
            "groups": ["missiles"],
            "processed_dir": str(real_build.parent),
            "output_dir": str(tmp_path),
        },
        cwd=str(NOTEBOOK.parent),
        progress_bar=False,
    )
    record = read_results(tmp_path)["05_forecast"]
    assert record["parameters"]["horizon"] == 4 and record["parameters"]["groups"] == ["missiles"]
    keys = {f["key"] for f in record["findings"]}
    assert {"missiles_next_week", "missiles_forecast", "missiles_chosen_model", "beats_naive"} <= (
        keys
    )
    assert not any(k.startswith("drones_") for k in keys)
    assert {"missiles_snapshot_score", "snapshot_scores"} & keys
    # the key point: next week's missiles, plainly; the technical findings are not headlines
    headlines = [f for f in record["findings"] if f["headline"]]
    assert [f["key"] for f in headlines] == ["missiles_next_week"]
    (point,) = headlines
    assert point["text"].startswith(
        f"**Missiles:** {point['value']:,.0f} missiles expected in the week of 6 Apr 2026, "
        f"likely {point['low']:,.0f} to {point['high']:,.0f}. "
    )
    assert not jargon_in(point["text"])
    numbers = record["numbers"]
    assert numbers["missiles_origins"] == 12
    # the last complete week of 2026-04-05 starts 2026-03-30; four weeks on:
    assert numbers["missiles_forecast_week"] == "2026-04-27"
    forecast = next(f for f in record["findings"] if f["key"] == "missiles_forecast")
    assert forecast["low"] <= forecast["value"] <= forecast["high"]
    assert f"{forecast['value']:,.0f} missiles" in forecast["text"]
    for name in (
        "forecast_missiles.png",
        "forecast_missiles.csv",
        "backtest_missiles.csv",
        "forecast_models_missiles.png",
        "mase_by_horizon.png",
    ):
        assert f"05_forecast__{name}" in record["files"]
        assert (tmp_path / f"05_forecast__{name}").stat().st_size > 0
    table = pd.read_csv(tmp_path / "05_forecast__forecast_missiles.csv")
    assert table["weeks ahead"].tolist() == [1, 2, 3, 4]

    # The page a reader opens shows no pandas placeholder for a missing value.
    from analysis.publish.execute import render_html

    page = render_html(tmp_path / "05_forecast.ipynb", "Forecast")
    text = re.sub(r"<style.*?</style>|<script.*?</script>|<[^>]+>", " ", page, flags=re.S)
    assert not re.search(r"\b(?:NaT|NaN|nan)\b|&lt;NA&gt;", text)
    # and what it sees without opening a fold is plain
    assert jargon_in(reader_text(page)) == []
    # the reader's chart of the group is the first figure recorded (the landing's key chart)
    figures = [n for n in record["files"] if n.endswith(".png")]
    assert figures[0] == "05_forecast__forecast_missiles.png"


@pytest.mark.real_data
def test_a_bad_parameter_stops_the_notebook_in_the_validation_cell(real_build, tmp_path):
    with pytest.raises(PapermillExecutionError) as failure:
        papermill.execute_notebook(
            str(NOTEBOOK),
            str(tmp_path / "bad.ipynb"),
            kernel_name="python3",
            parameters={
                "groups": ["cruise_missile"],
                "processed_dir": str(real_build.parent),
                "output_dir": str(tmp_path),
            },
            cwd=str(NOTEBOOK.parent),
            progress_bar=False,
        )
    assert failure.value.cell_index == VALIDATION_CELL
    assert failure.value.ename == "ParameterError"
    assert "groups" in failure.value.evalue and "cruise_missile" in failure.value.evalue
    assert not (tmp_path / "05_forecast.results.json").exists()
