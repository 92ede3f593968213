"""Negative binomial trend and growth model: recovery of known truth, bad input, real data."""

from __future__ import annotations

import json
import math
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.discrete.discrete_model import NegativeBinomial

from analysis.modelresult import ModelResult
from analysis.models.hac import bartlett_sum, fixed_b_critical_value, hac_bandwidth
from analysis.models.trend import (
    DAYS_PER_MONTH,
    fit_growth,
    fit_trend,
    fit_trend_strikes,
    growth_interval,
    simulate_ar1_counts,
    simulate_counts,
    strike_counts,
    to_periods,
)

GROWTH = 0.05  # 5% a month
ALPHA = 0.3


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    """Two years of daily counts, 5% growth a month, alpha 0.3, from 20 a day."""
    return simulate_counts(730, GROWTH, ALPHA, 20, seed=1)


@pytest.fixture(scope="module")
def daily_fit(simulated: pd.DataFrame) -> ModelResult:
    return fit_trend(simulated["count"], "D")


# --- simulator ---------------------------------------------------------------------------------


def test_simulator_has_the_stated_truth() -> None:
    sim = simulate_counts(400, 0.10, 0.0, 50, seed=3)
    assert list(sim.columns) == ["count", "mean"] and len(sim) == 400
    ratio = sim["mean"].iloc[-1] / sim["mean"].iloc[0]
    assert ratio == pytest.approx(1.10 ** (399 / DAYS_PER_MONTH))
    poisson = sim["count"] / sim["mean"]  # alpha 0: Poisson, variance = mean
    assert ((sim["count"] - sim["mean"]) ** 2 / sim["mean"]).mean() == pytest.approx(1, abs=0.2)
    assert poisson.mean() == pytest.approx(1, abs=0.02)
    overdispersed = simulate_counts(4000, 0.0, 0.5, 100, seed=3)["count"]
    assert overdispersed.var() == pytest.approx(100 + 0.5 * 100**2, rel=0.1)


# --- growth ------------------------------------------------------------------------------------


def test_growth_ci_holds_the_true_growth(daily_fit: ModelResult) -> None:
    growth = daily_fit.table("growth")
    assert list(growth["window"]) == ["last 6 months", "last 12 months", "whole span"]
    assert (growth["growth_pct_low"] <= 100 * GROWTH).all()
    assert (growth["growth_pct_high"] >= 100 * GROWTH).all()
    whole = growth.iloc[-1]
    assert whole["growth_pct_per_month"] == pytest.approx(100 * GROWTH, abs=1.0)
    assert daily_fit.summary["growth_12m_low"] <= 5 <= daily_fit.summary["growth_12m_high"]


#: Replicates of the coverage checks; the acceptance band is the binomial's at this size.
REPLICATES = 200


def _coverage(rho: float, n_weeks: int, seed0: int) -> tuple[int, int]:
    """Replicates (of :data:`REPLICATES`) whose headline and model-based 95% intervals of the
    growth per month hold the planted 5%, on weekly counts with AR(1) noise (sd 0.4)."""
    headline = model = 0
    for seed in range(REPLICATES):
        counts = simulate_ar1_counts(n_weeks, GROWTH, rho, 0.4, 100, seed=seed0 + seed)["count"]
        row = fit_growth(counts, "W")
        headline += row["growth_pct_low"] <= 100 * GROWTH <= row["growth_pct_high"]
        model += row["growth_pct_low_model"] <= 100 * GROWTH <= row["growth_pct_high_model"]
    return headline, model


def _at_least(coverage: float) -> int:
    """Fewest hits in :data:`REPLICATES` consistent (one-sided 1%) with ``coverage``."""
    return int(stats.binom.ppf(0.01, REPLICATES, coverage))


@pytest.mark.parametrize("n_weeks", [52, 104])
def test_growth_interval_covers_at_least_90_percent_with_ar1_noise(n_weeks: int) -> None:
    headline, model = _coverage(0.5, n_weeks, seed0=1000 * n_weeks)
    # 90% or more, within the binomial band (with 200 replicates about 175 hits)
    assert headline >= _at_least(0.90), headline
    assert headline <= REPLICATES - 1  # not uselessly wide
    # the model-based interval ignores the autocorrelation and misses far more often
    assert model < _at_least(0.90), model


def test_growth_interval_keeps_its_level_with_independent_noise() -> None:
    headline, _ = _coverage(0.0, 52, seed0=7)
    assert _at_least(0.95) <= headline <= int(stats.binom.ppf(0.99, REPLICATES, 0.95))


def test_fixed_b_critical_value_is_for_a_trend_slope() -> None:
    # the location-model polynomial of Kiefer and Vogelsang (2005) gives 2.78 at b = 0.27;
    # a trend slope needs more (Bunzel and Vogelsang 2005)
    location = 1.96 + 2.9694 * 7 / 26 + 0.4160 * (7 / 26) ** 2 - 0.5324 * (7 / 26) ** 3
    value = fixed_b_critical_value(26, 7)
    assert value == pytest.approx(3.47, abs=0.1) and value > location + 0.5
    assert fixed_b_critical_value(26, 7) == value  # fixed seed: reproducible
    assert fixed_b_critical_value(26, 7, 0.5) > value + 0.5  # AR(1) errors need more
    assert fixed_b_critical_value(400, 2) == pytest.approx(1.96, abs=0.1)  # b -> 0: normal
    assert [hac_bandwidth(n) for n in (6, 26, 52, 183)] == [4, 7, 10, 18]


def test_bartlett_sum_equals_the_lagged_products() -> None:
    q = np.random.default_rng(1).standard_normal((3, 40))
    for M in (1, 2, 9):
        direct = (q * q).sum(1) + sum(
            2 * (1 - j / M) * (q[:, j:] * q[:, :-j]).sum(1) for j in range(1, M)
        )
        assert bartlett_sum(q, M) == pytest.approx(direct)
        assert bartlett_sum(q[1], M) == pytest.approx(direct[1])


def test_growth_interval_is_the_report_path() -> None:
    counts = simulate_ar1_counts(150, GROWTH, 0.5, 0.4, 100, seed=3)["count"]
    estimate, low, high = growth_interval(counts, "W")
    s = fit_trend(counts, "W").summary
    assert (estimate, low, high) == (s["growth_all_pct"], s["growth_all_low"], s["growth_all_high"])
    assert s["growth_all_low_model"] > low and s["growth_all_high_model"] < high
    model = growth_interval(counts, "W", interval="model")
    assert model == (estimate, s["growth_all_low_model"], s["growth_all_high_model"])
    with pytest.raises(ValueError, match="interval 'bootstrap'"):
        growth_interval(counts, "W", interval="bootstrap")


def test_doubling_time_is_ln2_over_slope(daily_fit: ModelResult) -> None:
    for _, row in daily_fit.table("growth").iterrows():
        b, se, cv = row["slope_per_month"], row["slope_se"], row["critical_value"]
        assert cv > 1.96  # fixed-b critical values exceed the normal one
        assert row["growth_pct_per_month"] == pytest.approx(100 * math.expm1(b))
        assert row["growth_pct_low"] == pytest.approx(100 * math.expm1(b - cv * se))
        if row["growth_pct_low"] > 0:
            assert row["doubling_months"] == pytest.approx(math.log(2) / b)
            assert row["doubling_low"] == pytest.approx(math.log(2) / (b + cv * se))
            assert row["doubling_high"] == pytest.approx(math.log(2) / (b - cv * se))
            assert row["doubling"].startswith("doubles every")
        else:
            assert math.isinf(row["doubling_high"]) and row["doubling"].startswith("not")
    whole = daily_fit.table("growth").iloc[-1]
    truth = math.log(2) / math.log1p(GROWTH)  # 14.2 months
    assert whole["doubling_low"] <= truth <= whole["doubling_high"]
    assert daily_fit.summary["doubling_all_months"] == pytest.approx(whole["doubling_months"])


def test_not_doubling_when_flat_or_falling() -> None:
    flat = fit_growth(simulate_counts(365, 0.0, ALPHA, 20, seed=4)["count"], "D")
    assert flat["growth_pct_low"] < 0 < flat["growth_pct_high"]
    assert math.isinf(flat["doubling_high"]) and flat["doubling"].startswith("not")
    falling = fit_growth(simulate_counts(365, -0.10, ALPHA, 50, seed=4)["count"], "D")
    assert falling["growth_pct_high"] < 0
    assert math.isinf(falling["doubling_months"]) and math.isinf(falling["doubling_low"])
    assert "not doubling: falling" in falling["doubling"]
    result = fit_trend(simulate_counts(365, -0.10, ALPHA, 50, seed=4)["count"], "D")
    assert result.summary["doubling_all_months"] is None  # inf is not quoted as a number


# --- dispersion and the LR test ----------------------------------------------------------------


def test_dispersion_ci_holds_the_true_alpha(daily_fit: ModelResult) -> None:
    summary = daily_fit.summary
    assert summary["alpha_low"] < ALPHA < summary["alpha_high"]
    assert summary["alpha_low"] < summary["alpha"] < summary["alpha_high"]
    hits = sum(
        (
            s := fit_trend(
                simulate_counts(365, 0.03, 0.5, 10, seed=seed)["count"], "D", growth_windows=()
            ).summary
        )["alpha_low"]
        <= 0.5
        <= s["alpha_high"]
        for seed in range(10)
    )
    assert hits >= 8


def test_alpha_is_the_statsmodels_nb2_estimate(simulated: pd.DataFrame) -> None:
    counts = simulated["count"].iloc[:365]
    row = fit_growth(counts, "D")
    t = (np.arange(365) + 0.5 - 182.5) / DAYS_PER_MONTH
    dow = np.column_stack([(counts.index.day_of_week == k) for k in range(1, 7)]).astype(float)
    X = np.column_stack([np.ones(365), t, dow])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nb = NegativeBinomial(counts.to_numpy(), X, loglike_method="nb2").fit(
            method="newton", maxiter=200, disp=0
        )
    assert row["alpha"] == pytest.approx(nb.params[-1], rel=1e-3)
    assert row["slope_per_month"] == pytest.approx(nb.params[1], rel=1e-3)
    # expected (X'WX) against statsmodels' observed information: close, not equal
    assert row["slope_se_model"] == pytest.approx(nb.bse[1], rel=0.05)


def test_lr_test_rejects_poisson_for_overdispersed_data(daily_fit: ModelResult) -> None:
    assert daily_fit.summary["lr_pvalue"] < 1e-10
    assert daily_fit.summary["lr_statistic"] > 100
    assert daily_fit.summary["aic"] < daily_fit.summary["aic_poisson"]


def test_lr_test_keeps_poisson_for_poisson_data() -> None:
    result = fit_trend(simulate_counts(730, GROWTH, 0.0, 20, seed=1)["count"], "D")
    summary = result.summary
    assert summary["lr_pvalue"] > 0.05
    assert summary["alpha_low"] == 0.0 and summary["alpha_high"] < 0.05
    assert summary["alpha"] < 0.01
    assert "chi-bar-square" in summary["lr_note"]


# --- fitted table ------------------------------------------------------------------------------


def test_fitted_band_contains_the_true_mean(
    simulated: pd.DataFrame, daily_fit: ModelResult
) -> None:
    fitted = daily_fit.table("fitted")
    assert list(fitted.columns) == [
        "period",
        "observed",
        "fitted",
        "fitted_low",
        "fitted_high",
        "predict_low",
        "predict_high",
        "pearson_residual",
    ]
    assert len(fitted) == len(simulated)
    truth = simulated["mean"].to_numpy()
    inside = (fitted["fitted_low"] <= truth) & (truth <= fitted["fitted_high"])
    assert inside.mean() >= 0.8
    assert (fitted["fitted_low"] < fitted["fitted"]).all()
    assert (fitted["fitted"] < fitted["fitted_high"]).all()
    observed = fitted["observed"]
    covered = (fitted["predict_low"] <= observed) & (observed <= fitted["predict_high"])
    assert covered.mean() >= 0.9
    assert abs(daily_fit.summary["resid_acf1"]) < 0.15  # simulated days are independent


def test_daily_fit_has_day_of_week_and_stated_spline(daily_fit: ModelResult) -> None:
    dow = daily_fit.table("day_of_week")
    assert list(dow["day"]) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert dow["rate_ratio"].iloc[0] == 1.0
    assert ((dow["low"] <= 1) & (dow["high"] >= 1)).sum() >= 5  # no weekly pattern simulated
    assert daily_fit.summary["spline_df"] == 6  # 24 months / 4
    assert "6 df" in " ".join(daily_fit.assumptions)
    json.dumps(daily_fit.summary, allow_nan=False)


@pytest.mark.parametrize("freq", ["W", "M"])
def test_weekly_and_monthly(freq: str) -> None:
    daily = simulate_counts(1096, GROWTH, ALPHA, 20, seed=7, start="2023-01-02")
    counts = to_periods(daily["count"], freq)
    assert counts.index[0] == pd.Timestamp("2023-01-02" if freq == "W" else "2023-02-01")
    result = fit_trend(counts, freq)
    assert "day_of_week" not in result.tables
    assert result.summary["n_periods"] == len(counts)
    growth = result.table("growth")
    assert growth["n_periods"].iloc[0] == (26 if freq == "W" else 6)
    for _, row in growth.iterrows():
        assert row["growth_pct_low"] <= 100 * GROWTH <= row["growth_pct_high"]
    shares = []  # band coverage of the true mean, averaged over seeds (monthly: ~0.87)
    for seed in range(10):
        daily = simulate_counts(1096, GROWTH, ALPHA, 20, seed=200 + seed)
        fitted = fit_trend(to_periods(daily["count"], freq), freq, growth_windows=()).table(
            "fitted"
        )
        truth = to_periods(daily["mean"], freq).to_numpy()
        shares.append(((fitted["fitted_low"] <= truth) & (truth <= fitted["fitted_high"])).mean())
    assert np.mean(shares) >= 0.8


def test_hac_covariance_option(simulated: pd.DataFrame) -> None:
    result = fit_trend(simulated["count"], "D", hac_lags=7)
    assert result.summary["cov_type"].startswith("HAC")
    plain = fit_trend(simulated["count"], "D")
    assert result.summary["alpha"] == pytest.approx(plain.summary["alpha"])
    band, plain_band = result.table("fitted"), plain.table("fitted")
    assert not np.allclose(band["fitted_low"], plain_band["fitted_low"])
    # hac_lags is for the band; the growth intervals are chosen by ``interval``
    assert result.summary["growth_all_low"] == pytest.approx(plain.summary["growth_all_low"])
    counts = simulated["count"]
    hac = fit_growth(counts, "D", interval="hac", hac_lags=7)
    model = fit_growth(counts, "D", interval="model")
    assert hac["critical_value"] == model["critical_value"] == pytest.approx(1.959964)
    assert hac["slope_se"] != pytest.approx(model["slope_se"], rel=0.01)
    assert model["slope_se"] == pytest.approx(model["slope_se_model"])
    assert hac["bandwidth"] == 8 and "7 lags" in hac["interval"]


def test_window_longer_than_the_data_is_not_estimated() -> None:
    counts = simulate_counts(200, GROWTH, ALPHA, 20, seed=2)["count"]
    growth = fit_trend(counts, "D", growth_windows=(6, 12)).table("growth")
    assert growth["growth_pct_per_month"].notna().tolist() == [True, False, True]
    assert "after the window" in growth["note"].iloc[1]


# --- bad input ---------------------------------------------------------------------------------


def _days(values, start="2024-01-01") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D"))


@pytest.mark.parametrize(
    ("counts", "freq", "message"),
    [
        (_days([3, 4, -1, 5, 6, 7, 8, 9, 10, 11]), "D", "non-negative.*2024-01-03"),
        (_days([3, 4, 5, 6]), "D", "too few periods: 4"),
        (_days([1.0, 2, np.nan, 4, 5, 6, 7, 8, 9]), "D", "missing"),
        (_days([1.5, 2, 3, 4, 5, 6, 7, 8, 9]), "D", "whole numbers"),
        (_days([0] * 20), "D", "all zero"),
        (_days(range(20)).drop(pd.Timestamp("2024-01-05")), "D", "without gaps.*2024-01-04"),
        (_days(range(20)), "Q", "freq 'Q'"),
        (_days(range(20)), "M", "first day of each month"),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "D", "pandas Series"),
    ],
)
def test_bad_input_raises(counts, freq: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fit_trend(counts, freq)


def test_bad_model_options_raise() -> None:
    counts = _days(range(1, 21))
    with pytest.raises(ValueError, match="too few periods: 20 for a spline with 12 df"):
        fit_trend(counts, "D", spline_df=12)
    with pytest.raises(ValueError, match="spline_df must be"):
        fit_trend(counts, "D", spline_df=2)
    with pytest.raises(ValueError, match="growth_windows"):
        fit_trend(counts, "D", growth_windows=(0,))


# --- from strikes ------------------------------------------------------------------------------


def test_strike_counts_drop_incomplete_periods() -> None:
    days = pd.date_range("2024-01-03", "2024-04-10", freq="D")  # Wednesday to Wednesday
    strikes = pd.DataFrame(
        {
            "end_date": days.strftime("%Y-%m-%d"),
            "weapon_class": "strike_drone",
            "origin": "iran",
            "launched": 10,
            "destroyed": 8,
            "not_reach_goal": 1,
        }
    )
    weekly = strike_counts(strikes, "strike_drone", freq="W")
    assert weekly.index[0] == pd.Timestamp("2024-01-08")
    assert weekly.index[-1] == pd.Timestamp("2024-04-01")
    assert (weekly == 70).all()
    monthly = strike_counts(strikes, "drones", freq="M")
    assert list(monthly.index.month) == [2, 3]
    with pytest.raises(ValueError, match="not all headline groups"):
        strike_counts(strikes, "no_such_class")


# --- real data ---------------------------------------------------------------------------------


@pytest.mark.real_data
def test_real_weekly_strike_drones(real_strikes: pd.DataFrame) -> None:
    result = fit_trend_strikes(real_strikes, "strike_drone", freq="W")
    s = result.summary
    assert s["start"] == "2022-10-03" and s["end"] == "2026-04-05" and s["n_periods"] == 183
    assert round(s["growth_12m_pct"], 1) == 3.7
    assert round(s["growth_6m_pct"], 1) == 6.0
    assert round(s["growth_all_pct"], 1) == 12.2
    # the last year: clearly growing by the model-based interval, not once the runs of busy
    # and quiet weeks are allowed for
    assert (round(s["growth_12m_low_model"], 1), round(s["growth_12m_high_model"], 1)) == (
        1.1,
        6.5,
    )
    assert (round(s["growth_12m_low"], 1), round(s["growth_12m_high"], 1)) == (-3.0, 11.0)
    assert (round(s["growth_all_low"], 1), round(s["growth_all_high"], 1)) == (9.6, 14.8)
    assert s["alpha"] > 0 and s["alpha_low"] > 0
    assert s["lr_pvalue"] < 1e-10
    assert s["resid_acf1"] > 0.1  # autocorrelated: CIs are too narrow
    json.dumps(s, allow_nan=False)


@pytest.mark.real_data
def test_real_weekly_missiles(real_strikes: pd.DataFrame) -> None:
    s = fit_trend_strikes(real_strikes, "missiles", freq="W").summary
    assert s["growth_12m_low"] < 0 < s["growth_12m_high"]  # no clear trend in a year
    assert s["doubling_12m"].startswith("not")
    assert s["alpha_low"] > 0.5 and s["lr_pvalue"] < 1e-10


@pytest.mark.real_data
def test_real_daily_fit_is_fast(real_strikes: pd.DataFrame) -> None:
    counts = strike_counts(real_strikes, "strike_drone", freq="D")
    started = time.perf_counter()
    result = fit_trend(counts, "D")
    assert time.perf_counter() - started < 5.0
    assert result.summary["n_periods"] == 1286
    assert result.summary["spline_df"] == 11
    growth = result.table("growth").set_index("window")
    assert list(growth["bandwidth"]) == [18, 25, 47]  # ceil(1.3 sqrt(T)) days
    assert (growth["growth_pct_low"] < growth["growth_pct_low_model"]).all()


def test_hac_covariance_on_poisson_data_does_not_crash_at_alpha_zero():
    rng = np.random.default_rng(3)
    index = pd.date_range("2024-01-01", periods=120, freq="W-MON")
    counts = pd.Series(rng.poisson(50, size=len(index)), index=index)
    result = fit_trend(counts, freq="W", hac_lags=4)
    assert result.summary["alpha"] == 0 or result.summary["alpha"] < 0.01
    assert np.isfinite(result.table("growth")["growth_pct_per_month"].iloc[-1])
