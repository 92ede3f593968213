"""Findings, tables and charts of the forecast notebook, on hand-made results; and the notebook
itself, run by papermill on the real snapshot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import papermill
import pytest
from matplotlib.figure import Figure
from papermill.exceptions import PapermillExecutionError

from analysis.data.overview import Period
from analysis.figures.forecast import forecast_chart, mase_by_horizon_chart, snapshot_chart
from analysis.findings.forecast import (
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
    scored_snapshots,
    snapshot_findings,
    snapshot_model,
    snapshot_table,
)
from analysis.modelresult import ModelResult
from analysis.models.forecast import (
    FORECAST_COLUMNS,
    MODELS,
    SCORE_COLUMNS,
    GroupForecast,
    combine,
    forecast_for,
    run_group,
    save_snapshot,
)
from analysis.params import ParameterError
from analysis.paths import PROJECT_ROOT
from analysis.results import Publisher, read_results

LAST_WEEK = pd.Timestamp("2026-03-30")  # a Monday


# --- hand-made results ----------------------------------------------------------------------


def hand_forecast(
    group: str = "drones",
    mase: dict[str, float] | None = None,
    h: int = 3,
    origins: int = 10,
    requested: int | None = None,
    coverage80: float = 0.8,
    coverage95: float = 0.95,
) -> GroupForecast:
    """A forecast and backtest of four models with chosen numbers; the point of model ``m``
    at step ``k`` is ``100 * (i + 1) + k`` (i its place in MODELS)."""
    mase = mase or {"sarimax": 2.5, "unobserved_components": 2.72, "naive": 3.2, "drift": 3.6}
    weeks = [LAST_WEEK + pd.Timedelta(weeks=k) for k in range(1, h + 1)]
    rows = []
    for i, model in enumerate(MODELS):
        for k, week in enumerate(weeks, start=1):
            point = 100.0 * (i + 1) + k
            rows.append(
                {
                    "series": group,
                    "model": model,
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
            "models": ",".join(MODELS),
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
    naive = mase["naive"]
    summary = pd.DataFrame(
        {
            "model": list(mase),
            "mase": list(mase.values()),
            "mase_h1": [v * 0.8 for v in mase.values()],
            "mae": [v * 100 for v in mase.values()],
            "coverage80": coverage80,
            "coverage95": coverage95,
            "forecasts": origins * h,
            "failed_origins": 0,
        }
    )
    summary["vs_naive"] = summary["mase"] / naive - 1
    summary["beats_naive"] = summary["mase"] < naive
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
    best = summary.iloc[0]
    tested = ModelResult(
        "forecast_backtest",
        {
            "series": group,
            "h": h,
            "origins": origins,
            "window": 104,
            "first_origin": "2025-12-29",
            "last_origin": "2026-03-23",
            "best_model": str(best["model"]),
            "best_mase": float(best["mase"]),
            "naive_mase": naive,
            "beats_naive": bool(summary["beats_naive"].any()),
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


def test_chosen_model_sentence_quotes_the_backtest(pub):
    fc = hand_forecast(coverage80=0.93, coverage95=0.96)
    text = chosen_model_finding(fc, pub)
    assert fc.chosen == "sarimax"
    assert "SARIMAX(1,1,1) with drift" in text
    assert "2.50 against 3.20" in text and "22% lower" in text and "beats naive" in text
    assert "over 10 weekly forecast origins (29 December 2025 to 23 March 2026)" in text
    assert "93% of the weeks that followed (wider than needed)" in text
    assert "95% intervals 96% (close to its level)" in text
    found = recorded(pub, "drones_chosen_model")
    assert found["value"] == pytest.approx(2.5) and found["unit"] == "MASE"
    assert found["headline"] is False
    assert pub.numbers["drones_chosen_model"] == "sarimax"
    assert pub.numbers["drones_naive_mase"] == pytest.approx(3.2)
    assert pub.numbers["drones_origins"] == 10


def test_chosen_naive_and_clipped_origins_are_said_so():
    fc = hand_forecast(
        mase={"naive": 1.0, "drift": 1.1, "sarimax": 1.2, "unobserved_components": 1.3},
        origins=6,
        requested=52,
    )
    text = chosen_model_finding(fc)
    assert fc.chosen == "naive"
    assert "chooses the naive (last week) forecast itself" in text and "none beats" in text
    assert (
        "over 6 weekly forecast origins (29 December 2025 to 23 March 2026; fewer than the "
        "52 asked for, as the period is short) chooses" in text
    )


def test_calibration_words():
    assert calibration(0.82, 80) == "close to its level"
    assert calibration(0.93, 80) == "wider than needed"
    assert calibration(0.85, 95) == "too narrow"


def test_forecast_sentence_gives_the_last_week_median_and_intervals(pub):
    fc = hand_forecast(h=3)
    text = forecast_finding(fc, pub)
    # sarimax is MODELS[0]: point 100 + 3 at step 3; 80%: 61.8 to 175.1; 95%: 41.2 to 257.5
    assert "week starting 20 April 2026 (3 weeks after" in text
    assert "started 30 March 2026 with 1,234 drones launched" in text
    assert "at 103 drones" in text and "80% interval of 62 to 175" in text
    assert "95% interval of 41 to 258" in text
    found = recorded(pub, "drones_forecast")
    assert (found["value"], found["low"], found["high"]) == pytest.approx((103, 61.8, 175.1))
    assert found["headline"] is True
    assert pub.numbers["drones_forecast_week"] == "2026-04-20"
    missiles = hand_forecast("missiles")
    forecast_finding(missiles, pub)
    assert recorded(pub, "missiles_forecast")["headline"] is False
    forecast_finding(missiles, pub, headline=True)
    assert recorded(pub, "missiles_forecast")["headline"] is True


def test_beats_naive_statement_compares_with_both_baselines(pub):
    drones = hand_forecast()
    missiles = hand_forecast(
        "missiles", mase={"naive": 0.9, "drift": 0.8, "sarimax": 0.85, "unobserved_components": 1.0}
    )
    assert list(beaten_baselines(drones).index) == ["sarimax", "unobserved_components"]
    # sarimax beats naive but not drift: it does not beat both baselines
    assert beaten_baselines(missiles).empty
    text = beats_naive_finding({"drones": drones, "missiles": missiles}, pub)
    assert (
        "for drones, the SARIMAX(1,1,1) with drift (2.50, 22% lower) and the local "
        "linear trend (2.72, 15% lower) beat both" in text
    )
    assert "last week's count, scored 3.20" in text
    assert "for missiles, no model beats the naive baselines" in text
    assert "the random walk with drift, scored 0.80" in text
    found = recorded(pub, "beats_naive")
    assert found["value"] == 1 and found["headline"] is True
    assert found["unit"].startswith("of 2 groups")


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
    fc = hand_forecast(h=3)
    table = backtest_table(fc)
    assert list(table.index) == [
        label(m) for m in ("sarimax", "unobserved_components", "naive", "drift")
    ]
    assert table["chosen"].tolist() == [True, False, False, False]
    assert table.loc["naive (last week)", "vs naive"] == 0
    wide = forecast_table(fc)
    assert list(wide.index) == ["2026-04-06", "2026-04-13", "2026-04-20"]
    assert wide["SARIMAX(1,1,1) with drift (chosen): median"].tolist() == [101, 102, 103]
    assert wide["naive (last week): median"].tolist() == [301, 302, 303]
    summary = snapshot_table(hand_scored())
    assert summary["weeks observed"].tolist() == [4, 4]
    assert summary["inside 80%"].tolist() == [0.5, 0.5]


def test_methods_and_caveats_take_the_run_settings():
    fc = hand_forecast(h=3, origins=10)
    text = methods_text(fc)
    assert "last 104 complete weeks" in text and "each of 10 past weeks" in text
    short = hand_forecast()
    short.result.summary["weeks_used"] = 51
    assert "all 51 complete weeks of the period (the window is 104 weeks)" in methods_text(short)
    assert "up to 3 weeks ahead" in text
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


def test_charts_draw_every_model_with_the_chosen_first_and_the_credit():
    drones, missiles = hand_forecast(), hand_forecast("missiles")
    fig = forecast_chart(drones, release="2026-04-05")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == len(MODELS)
    assert visible[0].get_title(loc="left").startswith("SARIMAX(1,1,1) with drift: chosen")
    assert visible[0]._left_title.get_fontweight() == "bold"
    text = _texts(fig)
    assert "release 2026-04-05" in text and "next 3 weeks" in text
    assert "95% band reaches" in text  # drift's hi95 runs above the chosen model's scale
    fig = mase_by_horizon_chart({"drones": drones, "missiles": missiles}, release="2026-04-05")
    assert len(fig.axes) == 2
    assert len(fig.axes[0].get_lines()) == len(MODELS)
    weekly = pd.DataFrame(
        {"drones": 100.0}, index=pd.date_range("2025-11-03", "2026-03-23", freq="7D")
    )
    fig = snapshot_chart(hand_scored(), weekly, {"drones": drones}, release="2026-04-05")
    assert "forecast made from release 2026-03-01" in _texts(fig)
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


def test_run_group_agrees_with_forecast_for():
    strikes = synthetic_strikes()
    fc = run_group(strikes, "drones", horizon=2, origins=4)
    expected = forecast_for(strikes, "drones", h=2, origins=4)
    assert fc.result.summary == expected.summary
    for key in ("forecast", "chosen", "backtest"):
        pd.testing.assert_frame_equal(fc.result.table(key), expected.table(key))
    assert set(fc.tested.table("scores")["step"]) == {1, 2}
    assert list(fc.result.table("chosen").columns[-len(FORECAST_COLUMNS) :]) == list(
        FORECAST_COLUMNS
    )


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
    assert {"missiles_forecast", "missiles_chosen_model", "beats_naive"} <= keys
    assert not any(k.startswith("drones_") for k in keys)
    assert {"missiles_snapshot_score", "snapshot_scores"} & keys
    assert 1 <= sum(f["headline"] for f in record["findings"]) <= 3
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
        "mase_by_horizon.png",
    ):
        assert f"05_forecast__{name}" in record["files"]
        assert (tmp_path / f"05_forecast__{name}").stat().st_size > 0
    table = pd.read_csv(tmp_path / "05_forecast__forecast_missiles.csv")
    assert table["weeks ahead"].tolist() == [1, 2, 3, 4]


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
