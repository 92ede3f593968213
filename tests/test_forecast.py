"""Weekly launch forecasts: models on simulated series with a known truth, the metrics, the
rolling-origin backtest, snapshots scored by a later release, and the two real releases."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.atomic import WriteError
from analysis.data.scope import ScopeError, in_scope
from analysis.modelresult import ModelResult
from analysis.models.forecast import (
    MODELS,
    SNAPSHOT_KIND,
    backtest,
    backtest_for,
    coverage,
    forecast,
    forecast_for,
    has_snapshots,
    inside,
    load_snapshots,
    mase,
    mase_scale,
    save_scores,
    save_snapshot,
    save_snapshots,
    score_snapshots,
    snapshot_path,
    summarise_scores,
    weekly_counts,
    weekly_table,
)

START = pd.Timestamp("2023-01-02")  # a Monday


def weeks(n: int, start: pd.Timestamp = START) -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="7D")


def log_trend(
    n: int,
    seed: int,
    drift: float = 0.02,
    level: float = 5.0,
    sd_level: float = 0.05,
    sd_obs: float = 0.15,
    name: str = "drones",
) -> pd.Series:
    """Counts whose log1p is a random walk with a known drift plus observation noise."""
    rng = np.random.default_rng(seed)
    path = level + np.cumsum(drift + rng.normal(0, sd_level, n))
    counts = np.round(np.expm1(path + rng.normal(0, sd_obs, n)))
    return pd.Series(np.clip(counts, 0, None), index=weeks(n), name=name)


def random_walk(n: int, seed: int, sd: float = 0.2, level: float = 5.0) -> pd.Series:
    rng = np.random.default_rng(seed)
    path = level + np.cumsum(rng.normal(0, sd, n))
    return pd.Series(np.round(np.expm1(path)), index=weeks(n), name="drones")


# --- forecast --------------------------------------------------------------------------------


def test_forecast_table_has_nested_non_negative_intervals_for_the_next_weeks():
    weekly = log_trend(80, seed=1)
    result = forecast(weekly, h=6)
    table = result.table("forecast")
    assert list(table.columns[:4]) == ["series", "model", "step", "week"]
    assert table.groupby("model").size().to_dict() == dict.fromkeys(MODELS, 6)
    expected = [weekly.index[-1] + pd.Timedelta(weeks=k) for k in range(1, 7)]
    for _, rows in table.groupby("model"):
        assert list(rows["week"]) == expected
    ordered = table[["lo95", "lo80", "point", "hi80", "hi95"]].to_numpy()
    assert (ordered >= 0).all() and (np.diff(ordered, axis=1) >= 0).all()
    naive = table[table["model"] == "naive"]
    assert np.allclose(naive["point"], weekly.iloc[-1])
    assert result.summary["last_observed_week"] == str(weekly.index[-1].date())
    assert result.summary["failed"] is None
    json.dumps(result.summary)


def test_intervals_widen_with_the_horizon_and_drift_follows_the_known_slope():
    weekly = log_trend(120, seed=2, drift=0.03, sd_level=0.02, sd_obs=0.05)
    table = forecast(weekly, h=8, window=None).table("forecast").set_index(["model", "step"])
    for model in MODELS:
        width = table.loc[model, "hi95"] - table.loc[model, "lo95"]
        assert width.is_monotonic_increasing, model
    drift = table.loc["drift", "point"]
    slope = np.log1p(drift.iloc[-1]) - np.log1p(drift.iloc[0])
    assert slope / 7 == pytest.approx(0.03, abs=0.01)


@pytest.mark.parametrize("model", ["sarimax", "unobserved_components"])
def test_95_interval_covers_the_simulated_truth_on_most_horizons(model):
    hits = []
    for seed in range(8):
        full = log_trend(128, seed=seed)
        table = forecast(full.iloc[:120], h=8, models=(model,)).table("forecast")
        hits.append(inside(full.iloc[120:].to_numpy(), table["lo95"], table["hi95"]))
    hits = np.array(hits)
    assert hits.mean() >= 0.85
    assert (hits.mean(axis=1) >= 0.5).all()  # no seed misses most horizons


def test_bad_input_is_refused():
    weekly = log_trend(40, seed=3)
    with pytest.raises(ValueError, match="gaps"):
        forecast(weekly.drop(weekly.index[10]))
    with pytest.raises(ValueError, match="missing"):
        forecast(weekly.where(weekly.index != weekly.index[5]))
    with pytest.raises(ValueError, match="at least 26"):
        forecast(weekly.iloc[:20])
    with pytest.raises(ValueError, match="unknown model"):
        forecast(weekly, models=("prophet",))
    with pytest.raises(ValueError, match="window"):
        forecast(weekly, window=10)


def test_weekly_counts_keep_complete_weeks_only():
    strikes = pd.DataFrame(
        {
            "end_date": ["2025-01-01", "2025-01-07", "2025-01-15", "2025-01-22"],
            "weapon_class": ["strike_drone", "strike_drone", "cruise_missile", "strike_drone"],
            "origin": ["iran", "iran", "russia", "iran"],
            "launched": [10, 20, 4, 7],
            "destroyed": [8, 15, 3, 6],
            "not_reach_goal": [None, None, None, None],
        }
    ).astype({"launched": "Int64", "destroyed": "Int64", "not_reach_goal": "Int64"})
    drones = weekly_counts(strikes, "drones")
    # Wed 2025-01-01 .. Wed 2025-01-22: the first and last weeks are partial
    assert [str(w.date()) for w in drones.index] == ["2025-01-06", "2025-01-13"]
    assert drones.tolist() == [20, 0] and drones.name == "drones"
    assert weekly_counts(strikes, "missiles").tolist() == [0, 4]
    with pytest.raises(ValueError, match="group"):
        weekly_counts(strikes, "shells")


# --- metrics ---------------------------------------------------------------------------------


def test_mase_of_a_perfect_forecast_is_zero_and_of_naive_on_a_random_walk_about_one():
    rng = np.random.default_rng(0)
    walk = 1000 + np.cumsum(rng.normal(0, 5, 4001))
    train, test = walk[:2001], walk[2001:]
    assert mase(test, test, train) == 0
    assert mase(test, walk[2000:-1], train) == pytest.approx(1, abs=0.05)
    assert mase_scale([3, 5, 2]) == 2.5
    assert np.isnan(mase([1], [2], [4, 4, 4]))  # a flat training window has no scale


def test_coverage_on_a_hand_made_example():
    actual = [1, 5, 10, 3, 0]
    lo = [0, 6, 10, 0, 0]
    hi = [2, 7, 12, 2, 0]
    assert inside(actual, lo, hi).tolist() == [True, False, True, False, True]
    assert coverage(actual, lo, hi) == pytest.approx(0.6)


def test_naive_backtest_on_an_additive_random_walk_scores_mase_about_one_at_h1():
    rng = np.random.default_rng(4)
    walk = pd.Series(np.round(20000 + np.cumsum(rng.normal(0, 100, 200))), index=weeks(200))
    result = backtest(walk, h=2, origins=52, models=("naive",), window=None)
    h1 = result.table("scores").set_index("step").loc[1, "mase"]
    assert h1 == pytest.approx(1, abs=0.3)


# --- backtest --------------------------------------------------------------------------------


def test_backtest_scores_only_the_last_weeks_and_counts_forecasts_per_horizon():
    weekly = log_trend(60, seed=5)
    result = backtest(weekly, h=4, origins=6, models=("naive", "drift"))
    forecasts = result.table("forecasts")
    assert forecasts["week"].min() == weekly.index[-6]
    assert (forecasts["origin"] < forecasts["week"]).all()
    steps = (forecasts["week"] - forecasts["origin"]).dt.days // 7
    assert (steps == forecasts["step"]).all()
    counts = result.table("scores").query("model == 'naive'").set_index("step")["n"]
    assert counts.to_dict() == {1: 6, 2: 5, 3: 4, 4: 3}
    summary = result.table("summary").set_index("model")
    pooled = forecasts[forecasts["model"] == "drift"]
    assert summary.loc["drift", "coverage80"] == pytest.approx(
        coverage(pooled["actual"], pooled["lo80"], pooled["hi80"])
    )
    by_step = result.table("scores").query("model == 'drift'")["mase"].mean()
    assert summary.loc["drift", "mase"] == pytest.approx(by_step)
    assert result.summary["best_model"] == summary.index[0]
    json.dumps(result.summary)


def test_backtest_uses_no_data_from_after_the_origin():
    weekly = log_trend(60, seed=6)
    changed = weekly.copy()
    changed.iloc[-1] = weekly.iloc[-1] * 10
    models = ("sarimax", "drift")
    one = backtest(weekly, h=3, origins=4, models=models).table("forecasts")
    two = backtest(changed, h=3, origins=4, models=models).table("forecasts")
    cols = ["point", "lo80", "hi80", "lo95", "hi95"]
    assert np.allclose(one[cols], two[cols])  # the last week is only ever a target
    assert not np.allclose(one["actual"], two["actual"])


@pytest.mark.parametrize("seed", [0, 1])
def test_naive_is_not_beaten_by_a_wide_margin_on_a_pure_random_walk(seed):
    result = backtest(random_walk(150, seed=seed), h=4, origins=30)
    summary = result.summary
    assert summary["best_mase"] > 0.8 * summary["naive_mase"]  # chance wins reach ~13%


def test_trend_models_beat_naive_on_a_strong_drift():
    weekly = log_trend(150, seed=7, drift=0.06, sd_level=0.02, sd_obs=0.05)
    result = backtest(weekly, h=8, origins=30)
    summary = result.table("summary").set_index("model")
    for model in ("drift", "unobserved_components", "sarimax"):
        assert summary.loc[model, "mase"] < summary.loc["naive", "mase"], model
    assert result.summary["beats_naive"] is True
    assert result.summary["best_model"] != "naive"
    assert result.summary["margin"] > 0 and result.summary["margin_pct"] > 20
    assert "beats naive" in result.summary["verdict"]


# --- snapshots -------------------------------------------------------------------------------


def hand_forecast() -> ModelResult:
    table = pd.DataFrame(
        {
            "series": "drones",
            "model": "sarimax",
            "step": [1, 2, 3, 4],
            "week": weeks(4, pd.Timestamp("2026-01-05")),
            "point": [100.0, 100, 100, 100],
            "lo80": [80.0, 80, 80, 80],
            "hi80": [120.0, 120, 120, 120],
            "lo95": [60.0, 60, 60, 60],
            "hi95": [150.0, 150, 150, 150],
        }
    )
    summary = {"series": "drones", "last_observed_week": "2025-12-29"}
    return ModelResult("forecast", summary, {"forecast": table})


def hand_actual(drones=(90, 100, 130, 200)) -> pd.DataFrame:
    """Weekly actuals around :func:`hand_forecast`: the week it last observed, then three."""
    return pd.DataFrame(
        {"drones": list(drones), "missiles": [1, 2, 3, 4]},
        index=pd.DatetimeIndex(["2025-12-29", "2026-01-05", "2026-01-12", "2026-01-19"]),
    )


def legacy_snapshot(folder: Path) -> Path:
    """A snapshot as saved before snapshots recorded a scope: no ``scope`` key, version 1."""
    path = folder / "2026-01-04_drones_naive.json"
    weeks = [
        {"week": w, "step": k, "point": 100.0, "lo80": 80, "hi80": 120, "lo95": 60, "hi95": 150}
        for k, w in enumerate(["2026-01-05", "2026-01-12"], start=1)
    ]
    document = {
        "kind": SNAPSHOT_KIND,
        "version": 1,
        "release": "2026-01-04",
        "made_on": "2026-01-04",
        "series": "drones",
        "model": "naive",
        "last_observed_week": "2025-12-29",
        "weeks": weeks,
    }
    path.write_text(json.dumps(document))
    return path


def test_snapshot_round_trip_counts_hits_inside_and_outside_the_intervals(tmp_path):
    path = save_snapshot(hand_forecast(), "2026-01-04", "2026-01-04", tmp_path, scope="national")
    assert path.name == "2026-01-04_national_drones_sarimax.json"
    document = json.loads(path.read_text())
    assert document["last_observed_week"] == "2025-12-29" and document["scope"] == "national"
    assert document["made_on"] == "2026-01-04" and len(document["weeks"]) == 4
    scored = score_snapshots(tmp_path, hand_actual(), "2026-02-01", "national")
    assert set(scored["scope"]) == {"national"}
    # the week already observed at the snapshot is not a forecast; week 4 is not yet observed
    assert [str(w.date()) for w in scored["week"]] == ["2026-01-05", "2026-01-12", "2026-01-19"]
    assert scored["in80"].tolist() == [True, False, False]
    assert scored["in95"].tolist() == [True, True, False]
    assert scored["error"].tolist() == [0, 30, 100]
    summary = summarise_scores(scored).iloc[0]
    assert summary["weeks"] == 3 and summary["mae"] == pytest.approx(130 / 3)
    assert summary["hit80"] == pytest.approx(1 / 3) and summary["hit95"] == pytest.approx(2 / 3)
    # a snapshot of the same (or a newer) release is not scored against it
    assert score_snapshots(tmp_path, hand_actual(), "2026-01-04", "national").empty


def test_scoring_ignores_incomplete_weeks_and_other_files(tmp_path):
    save_snapshot(hand_forecast(), "2026-01-04", None, tmp_path, scope="all")
    (tmp_path / "notes.json").write_text('{"kind": "something else"}')
    actual = pd.DataFrame(
        {"drones": [100, 999], "complete": [True, False]},
        index=pd.DatetimeIndex(["2026-01-05", "2026-01-12"]),
    )
    scored = score_snapshots(tmp_path, actual, "2026-02-01", "all")
    assert scored["actual"].tolist() == [100]


def test_a_snapshot_saved_without_a_scope_is_read_as_every_reporter(tmp_path):
    legacy_snapshot(tmp_path)
    (snapshot,) = load_snapshots(tmp_path)
    assert snapshot["scope"] == "all"
    assert has_snapshots(tmp_path, "2026-01-04", "all")
    assert not has_snapshots(tmp_path, "2026-01-04", "national")
    scored = score_snapshots(tmp_path, hand_actual(), "2026-02-01", "all")
    assert scored["actual"].tolist() == [100, 130] and set(scored["scope"]) == {"all"}
    assert score_snapshots(tmp_path, hand_actual(), "2026-02-01", "national").empty


def test_national_and_all_snapshots_of_one_release_are_separate_files(tmp_path):
    national = save_snapshot(hand_forecast(), "2026-01-04", None, tmp_path, scope="national")
    assert not has_snapshots(tmp_path, "2026-01-04", "all")
    every = save_snapshot(hand_forecast(), "2026-01-04", None, tmp_path, scope="all")
    # scope all keeps the name snapshots had before they recorded a scope
    assert every.name == "2026-01-04_drones_sarimax.json"
    assert every == snapshot_path(tmp_path, "2026-01-04", "drones", "sarimax")
    assert national == snapshot_path(tmp_path, "2026-01-04", "drones", "sarimax", scope="national")
    assert sorted(s["scope"] for s in load_snapshots(tmp_path)) == ["all", "national"]
    assert has_snapshots(tmp_path, "2026-01-04", "national")
    assert has_snapshots(tmp_path, "2026-01-04", "all")
    assert not has_snapshots(tmp_path, "2026-02-01", "national")


def test_scoring_compares_a_scope_only_with_itself(tmp_path):
    save_snapshot(hand_forecast(), "2026-01-04", None, tmp_path, scope="national")
    legacy_snapshot(tmp_path)  # every reporter, model naive
    national = score_snapshots(tmp_path, hand_actual(), "2026-02-01", "national")
    every = score_snapshots(tmp_path, hand_actual(), "2026-02-01", "all")
    assert set(national["model"]) == {"sarimax"} and set(national["scope"]) == {"national"}
    assert set(every["model"]) == {"naive"} and set(every["scope"]) == {"all"}
    assert save_scores(every, tmp_path, "2026-02-01", "all").name == "scores_2026-02-01.csv"
    path = save_scores(national, tmp_path, "2026-02-01", "national")
    assert path.name == "scores_2026-02-01_national.csv"
    assert set(pd.read_csv(path)["scope"]) == {"national"}


def test_a_snapshot_of_an_unknown_scope_is_refused(tmp_path):
    with pytest.raises(ScopeError, match="is not a scope"):
        save_snapshot(hand_forecast(), "2026-01-04", None, tmp_path, scope="regional")
    with pytest.raises(ScopeError, match="is not a scope"):
        score_snapshots(tmp_path, hand_actual(), "2026-02-01", "everyone")
    assert not list(tmp_path.iterdir())


def test_snapshot_writes_are_atomic(tmp_path, monkeypatch):
    result = forecast(log_trend(40, seed=8), h=3, models=("naive", "drift"))
    paths = save_snapshots(result, "2026-01-04", "2026-01-05", tmp_path, scope="national")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    before = paths[0].read_text()

    def broken(self, text, **kwargs):
        Path.write_bytes(self, text[:20].encode())
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_text", broken)
    with pytest.raises(WriteError, match="disk full; nothing was replaced"):
        save_snapshot(result, "2026-01-04", "2026-01-06", tmp_path, scope="national", model="naive")
    monkeypatch.undo()
    assert paths[0].read_text() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_snapshot_needs_a_model_when_the_forecast_has_several(tmp_path):
    result = forecast(log_trend(40, seed=9), h=2, models=("naive", "drift"))
    with pytest.raises(ValueError, match="choose a model"):
        save_snapshot(result, "2026-01-04", "2026-01-05", tmp_path, scope="national")


# --- the two real releases -------------------------------------------------------------------


@pytest.mark.real_data
def test_real_forecast_from_2026_03_01_is_scored_on_the_five_new_weeks(
    real_strikes, real_previous_strikes, tmp_path
):
    old = real_previous_strikes
    assert str(weekly_counts(old, "drones").index[-1].date()) == "2026-02-23"  # ends Sun 03-01
    for group in ("drones", "missiles"):
        save_snapshots(forecast_for(old, group), "2026-03-01", "2026-03-01", tmp_path, scope="all")
    scored = score_snapshots(tmp_path, weekly_table(real_strikes), "2026-04-05", "all")
    summary = summarise_scores(scored)
    assert len(summary) == 2 * len(MODELS)
    assert (summary["weeks"] == 5).all()
    assert sorted({str(w.date()) for w in scored["week"]}) == [
        "2026-03-02",
        "2026-03-09",
        "2026-03-16",
        "2026-03-23",
        "2026-03-30",
    ]
    assert summary[["hit80", "hit95"]].stack().between(0, 1).all()


@pytest.mark.real_data
def test_real_national_forecast_is_scored_on_national_counts_only(
    real_strikes, real_previous_strikes, tmp_path
):
    for scope in ("national", "all"):
        old = in_scope(real_previous_strikes, scope)
        result = forecast_for(old, "drones", models=("naive",))
        save_snapshots(result, "2026-03-01", "2026-03-01", tmp_path, scope=scope)
    scored = {
        scope: score_snapshots(
            tmp_path, weekly_table(in_scope(real_strikes, scope)), "2026-04-05", scope
        ).set_index("week")
        for scope in ("national", "all")
    }
    assert all(len(table) == 5 for table in scored.values())
    # week of 23 March 2026: 2,316 drones in the national summary, 2,347 from every reporter
    week = pd.Timestamp("2026-03-23")
    assert scored["national"].loc[week, "actual"] == 2316
    assert scored["all"].loc[week, "actual"] == 2347
    assert (scored["national"]["actual"] <= scored["all"]["actual"]).all()


@pytest.mark.real_data
def test_real_backtest_choice_for_drones_is_pinned(real_strikes):
    result = backtest_for(real_strikes, "drones", h=8, origins=12)
    assert result.summary["best_model"] == "unobserved_components"  # as found, 2026-04-05
    assert result.summary["beats_naive"] is True
    assert result.table("summary")["failed_origins"].sum() == 0
