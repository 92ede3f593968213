"""Weekly launch forecasts: models on simulated series with a known truth, the metrics, the
rolling-origin backtest, snapshots scored by a later release, and the two real releases."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.atomic import WriteError
from analysis.data.scope import ScopeError, in_scope
from analysis.modelresult import ModelResult
from analysis.models.backtest import interval_coverage
from analysis.models.forecast import (
    BASELINES,
    MODELS,
    SNAPSHOT_KIND,
    backtest,
    backtest_for,
    calibrated_interval,
    coverage,
    diebold_mariano,
    forecast,
    forecast_for,
    has_snapshots,
    inside,
    load_snapshots,
    mase,
    mase_scale,
    plan_origins,
    save_scores,
    save_snapshot,
    save_snapshots,
    score_snapshots,
    snapshot_path,
    summarise_scores,
    weekly_counts,
    weekly_table,
    weighted_interval_score,
)
from analysis.models.forecasters import fit_log
from analysis.models.scores import conformal_halfwidth

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


def test_weighted_interval_score_matches_bracher_et_al_by_hand():
    # y = 10, median 5, 80% interval [3, 8], 95% interval [1, 9] (Bracher et al. 2021, eq. 2):
    # IS_0.2 = 5 + 2/0.2 * (10 - 8) = 25; IS_0.05 = 8 + 2/0.05 * (10 - 9) = 48;
    # WIS = (0.5 * |10 - 5| + 0.1 * 25 + 0.025 * 48) / (2 + 1/2) = 6.2 / 2.5 = 2.48.
    # y = 4 inside both: (0.5 * 1 + 0.1 * 5 + 0.025 * 8) / 2.5 = 0.48.
    lower = np.array([[3.0, 1.0], [3.0, 1.0]])
    upper = np.array([[8.0, 9.0], [8.0, 9.0]])
    wis = weighted_interval_score([10.0, 4.0], [5.0, 5.0], lower, upper, (80, 95))
    assert wis == pytest.approx([2.48, 0.48])


def test_diebold_mariano_with_the_small_sample_correction_by_hand():
    # d = a - b = [2, 0, 1, 3, 4]: mean 2; autocovariances (divided by n = 5) 2 and 0.6;
    # V = 2 + 2 * 0.6 = 3.2; DM = 2 / sqrt(3.2 / 5) = 2.5; HLN factor for h = 2:
    # sqrt((5 + 1 - 4 + 2 / 5) / 5) = sqrt(0.48); statistic 2.5 * sqrt(0.48) = sqrt(3).
    a = np.array([3.0, 1.0, 2.0, 4.0, 5.0])
    b = np.ones(5)
    test = diebold_mariano(a, b, horizon=2)
    assert test.statistic == pytest.approx(np.sqrt(3))
    assert test.p_value == pytest.approx(2 * stats.t.sf(np.sqrt(3), df=4))
    assert test.mean_difference == 2 and test.n == 5
    assert not test.a_better()  # a has the larger loss
    one = diebold_mariano(a, b, horizon=1)  # no autocovariance: V = 2, factor sqrt(4/5)
    assert one.statistic == pytest.approx(2 / np.sqrt(2 / 5) * np.sqrt(0.8))
    assert diebold_mariano(b, a, horizon=2).statistic == pytest.approx(-np.sqrt(3))
    assert diebold_mariano(b, b).p_value == 1.0  # equal losses: nothing to detect


def test_conformal_halfwidth_takes_the_finite_sample_rank():
    errors = np.arange(1.0, 20.0)  # 19 errors: rank ceil(20 * 0.95) = 19, ceil(20 * 0.8) = 16
    assert conformal_halfwidth(-errors, 95) == 19.0  # absolute values
    assert conformal_halfwidth(errors, 80) == 16.0
    assert conformal_halfwidth(errors[:18], 95) == np.inf  # too few for 95%
    assert conformal_halfwidth([np.nan, 1.0, 2.0, 3.0, 4.0], 80) == 4.0  # NaN dropped


def test_calibrated_intervals_follow_the_scale_of_the_errors():
    """Doubling the backtest errors doubles the log-scale width: a calibration that ignored
    the errors' scale (or fell back to the model) would fail here."""
    rng = np.random.default_rng(11)
    errors = [rng.normal(0, 0.2, 40) for _ in range(3)]
    mean = np.log1p(np.array([500.0, 600.0, 700.0]))
    for level in (80, 95):
        lo, hi = calibrated_interval(mean, errors, level)
        lo2, hi2 = calibrated_interval(mean, [2 * e for e in errors], level)
        width, width2 = np.log1p(hi) - np.log1p(lo), np.log1p(hi2) - np.log1p(lo2)
        assert width2 == pytest.approx(2 * width)
        assert (width > 0).all()


# --- models ----------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["ets", "theta", "mean4"])
def test_new_models_forecast_every_week_ahead_with_growing_intervals(model):
    weekly = log_trend(90, seed=12, drift=0.03, sd_level=0.02, sd_obs=0.05)
    fc = fit_log(model, np.log1p(weekly.to_numpy()), 6)
    assert fc is not None and fc.mean.shape == (6,) and fc.se.shape == (6,)
    assert (fc.se > 0).all()
    if model != "mean4":  # the mean of four weeks stays flat and its errors need not grow
        assert (np.diff(fc.se) > 0).all()
        # both follow the planted upward trend (0.03 a week on the log scale)
        assert fc.mean[-1] > fc.mean[0] > np.log1p(weekly.iloc[-8:].mean())
    table = forecast(weekly, h=6, models=(model,)).table("forecast")
    assert len(table) == 6 and table["point"].notna().all()


# --- backtest --------------------------------------------------------------------------------

CHEAP = ("theta", "naive", "mean4", "drift")


def test_origins_are_inner_then_outer_and_never_both():
    plan = plan_origins(100, origins=20, tuning_weeks=30, tuning_step=2)
    assert plan.outer == tuple(range(80, 100))
    assert plan.inner == tuple(range(51, 80, 2))
    short = plan_origins(40, origins=20)  # 14 origins possible: 8 kept for tuning
    assert short.outer == tuple(range(34, 40)) and short.inner == (27, 29, 31, 33)
    with pytest.raises(ValueError, match="at least 35 complete weeks"):
        plan_origins(34, origins=4)


def test_nested_backtest_never_scores_an_origin_used_for_tuning():
    weekly = log_trend(90, seed=5)
    result = backtest(weekly, h=3, origins=12, models=CHEAP, windows=(26, None), tuning_weeks=20)
    s = result.summary
    forecasts = result.table("forecasts")
    first_outer = weekly.index[-12 - 1]
    assert s["first_origin"] == str(first_outer.date())
    assert set(forecasts["origin"]) == set(weekly.index[-13:-1])
    inner = pd.Timestamp(s["last_inner_origin"])
    assert inner < first_outer and pd.Timestamp(s["first_inner_origin"]) <= inner
    # the tuning sees only weeks before the first outer forecast: changing every later week
    # (far more than noise) leaves the windows, the inner scores and the candidate as they were
    changed = weekly.copy()
    changed.iloc[-12:] = changed.iloc[-12:] * 3 + 50
    again = backtest(changed, h=3, origins=12, models=CHEAP, windows=(26, None), tuning_weeks=20)
    pd.testing.assert_frame_equal(result.table("tuning"), again.table("tuning"))
    assert again.summary["candidate"] == s["candidate"]
    assert not np.allclose(result.table("summary")["mase"], again.table("summary")["mase"])


def test_backtest_uses_no_data_after_the_origin_for_the_forecast_or_its_intervals():
    weekly = log_trend(90, seed=6)
    cut = len(weekly) - 6  # weeks from here on change; origins up to 6 weeks before the end
    changed = weekly.copy()
    changed.iloc[cut:] = changed.iloc[cut:] * 4 + 100
    options = {"h": 3, "origins": 15, "models": CHEAP, "windows": (52, None)}
    one = backtest(weekly, **options).table("forecasts")
    two = backtest(changed, **options).table("forecasts")
    cols = ["point", "lo80", "hi80", "lo95", "hi95", "lo80_model", "hi95_model"]
    before = one["o"] <= cut
    assert before.sum() > 0 and (~before).sum() > 0
    a, b = one[before], two[two["o"] <= cut]
    assert np.allclose(a[cols], b[cols])  # forecasts and their interval widths unchanged
    assert (a["calibration_n"].to_numpy() == b["calibration_n"].to_numpy()).all()
    # ...while forecasts made after the change do see it (so the check above can fail)
    assert not np.allclose(one.loc[~before, "hi95"], two.loc[two["o"] > cut, "hi95"])


def test_backtest_tables_agree_with_each_other():
    weekly = log_trend(70, seed=5)
    result = backtest(weekly, h=4, origins=6, models=("naive", "drift", "mean4"))
    forecasts = result.table("forecasts")
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
    assert summary.loc[result.summary["best_model"], "chosen"]
    nxt = result.table("next")
    assert len(nxt) == 3 * 4 and nxt["week"].min() == weekly.index[-1] + pd.Timedelta(weeks=1)
    json.dumps(result.summary)


def test_naive_backtest_on_an_additive_random_walk_scores_mase_about_one_at_h1():
    rng = np.random.default_rng(4)
    walk = pd.Series(np.round(20000 + np.cumsum(rng.normal(0, 100, 200))), index=weeks(200))
    result = backtest(walk, h=2, origins=52, models=("naive",), windows=(None,))
    h1 = result.table("scores").set_index("step").loc[1, "mase"]
    assert h1 == pytest.approx(1, abs=0.3)


@pytest.mark.parametrize("seed", [0, 1])
def test_no_model_beats_naive_on_a_pure_random_walk(seed):
    result = backtest(random_walk(150, seed=seed), h=4, origins=40, models=CHEAP)
    s = result.summary
    assert s["beats_naive"] is False
    assert s["best_model"] in BASELINES and s["best_model"] == s["baseline"]
    assert s["verdict"].startswith("no model beats the best baseline")


def test_a_trend_model_beats_the_baselines_on_a_strong_drift():
    weekly = log_trend(150, seed=7, drift=0.06, sd_level=0.02, sd_obs=0.05)
    result = backtest(weekly, h=8, origins=40, models=("ets", "naive", "mean4"))
    s = result.summary
    assert s["candidate"] == "ets" and s["beats_naive"] is True and s["best_model"] == "ets"
    assert s["dm_p"] < 0.05 and s["candidate_mase"] < s["baseline_mase"]
    assert s["verdict"].startswith("ets beats the best baseline")
    dm = result.table("dm").query("model == 'ets'").set_index("step")
    assert (dm["mean_difference"] < 0).all()


def test_interval_coverage_reports_the_headline_intervals_at_every_outer_origin():
    weekly = log_trend(110, seed=13)
    hits = interval_coverage(weekly, h=3, origins=20)
    assert len(hits) == 20 + 19 + 18 and hits["model"].nunique() == 1
    assert hits["in95"].dtype == bool and (hits["in80"] <= hits["in95"]).all()
    inside95 = (hits["actual"] >= hits["lo95"]) & (hits["actual"] <= hits["hi95"])
    assert (inside95 == hits["in95"]).all()


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
    assert len(summary) == 2 * len(MODELS) == 14
    assert (summary["weeks"] == 5).all()
    assert sorted({str(w.date()) for w in scored["week"]}) == [
        "2026-03-02",
        "2026-03-09",
        "2026-03-16",
        "2026-03-23",
        "2026-03-30",
    ]
    # intervals are nested, so a week inside the 80% interval is inside the 95% one
    assert (scored["in80"] <= scored["in95"]).all() and scored["in95"].any()


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
def test_real_nested_backtest_finds_no_model_beating_the_simple_rules(real_strikes):
    """The report's default drone backtest (national summary, 52 scoring weeks, 8 ahead), as
    found on release 2026-04-05: the model the earlier weeks choose does not beat the mean of
    the last four weeks, so that rule's forecast is shown."""
    result = backtest_for(in_scope(real_strikes, "national"), "drones", h=8, origins=52)
    s = result.summary
    assert (s["first_inner_origin"], s["last_inner_origin"]) == ("2024-04-08", "2025-03-24")
    assert (s["first_origin"], s["last_origin"]) == ("2025-03-31", "2026-03-23")
    assert s["candidate"] == "unobserved_components" and s["baseline"] == "mean4"
    assert s["beats_naive"] is False and s["best_model"] == "mean4"
    assert s["dm_p"] == pytest.approx(0.888, abs=0.01)
    assert s["candidate_mase"] == pytest.approx(1.974, abs=0.005)
    assert s["baseline_mase"] == pytest.approx(1.954, abs=0.005)
    summary = result.table("summary").set_index("model")
    assert summary["failed_origins"].sum() == 0
    # the shown rule's calibrated intervals: 80% held 91% of the later weeks, 95% all of them
    assert summary.loc["mean4", "coverage80"] == pytest.approx(0.915, abs=0.005)
    assert summary.loc["mean4", "coverage95"] == 1.0
