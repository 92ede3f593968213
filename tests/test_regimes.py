"""Regimes: planted breaks are found and dated, flat series give none, real breaks are pinned."""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
import pandas as pd
import pytest
import ruptures as rpt

from analysis.models.regimes import (
    find_regimes,
    optimal_breaks,
    penalty_range,
    regimes_for,
    weekly_launches,
)

FIRST_WEEK = "2023-01-02"  # a Monday


def simulate_weekly(levels, break_weeks=(), n_weeks=100, noise=0.3, seed=0, ar=0.0):
    """Weekly launches whose log1p is a step function with Gaussian (optionally AR(1)) noise.

    ``levels`` are the true weekly launches of each regime, ``break_weeks`` the index of the
    first week of every new regime; counts are rounded and never negative.
    """
    rng = np.random.default_rng(seed)
    mu = np.repeat(np.log1p(levels), np.diff([0, *break_weeks, n_weeks]))
    eps = rng.normal(0.0, noise, n_weeks)
    for t in range(1, n_weeks):
        eps[t] = ar * eps[t - 1] + np.sqrt(1 - ar**2) * eps[t]
    counts = np.clip(np.round(np.expm1(mu + eps)), 0, None)
    return pd.Series(counts, index=pd.date_range(FIRST_WEEK, periods=n_weeks, freq="W-MON"))


def negative_binomial_weekly(mean, shape, n_weeks, seed):
    """Over-dispersed counts with one constant mean (zeros included when the mean is low)."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rng.gamma(shape, mean / shape, n_weeks)).astype(float)
    return pd.Series(counts, index=pd.date_range(FIRST_WEEK, periods=n_weeks, freq="W-MON"))


def week(i: int) -> pd.Timestamp:
    return pd.Timestamp(FIRST_WEEK) + pd.Timedelta(weeks=i)


# --- planted truth -------------------------------------------------------------------------


def test_one_planted_break_is_found_and_its_interval_covers_the_truth():
    weekly = simulate_weekly([60, 180], [40], n_weeks=90, noise=0.35, seed=1)
    result = find_regimes(weekly, n_boot=300, seed=0)
    breaks = result.table("breaks")
    assert result.summary["n_breaks"] == 1
    found = breaks.loc[0, "break"]
    assert abs((found - week(40)).days) <= 14
    assert breaks.loc[0, "low"] <= week(40) <= breaks.loc[0, "high"]
    assert breaks.loc[0, "low"] <= found <= breaks.loc[0, "high"]
    assert breaks.loc[0, "ratio"] == pytest.approx(181 / 61, rel=0.25)
    assert breaks.loc[0, "refound"] > 0.9


def test_two_planted_breaks_are_both_found():
    weekly = simulate_weekly([50, 200, 80], [30, 60], n_weeks=100, noise=0.3, seed=2)
    result = find_regimes(weekly, n_boot=200, seed=0)
    breaks = result.table("breaks")
    assert result.summary["n_breaks"] == 2
    for (_, row), truth in zip(breaks.iterrows(), (30, 60), strict=True):
        assert abs(row["week_index"] - truth) <= 2
        assert row["low"] <= week(truth) <= row["high"]
    assert result.summary["break_dates"] == ", ".join(str(d.date()) for d in breaks["break"])


def test_regime_levels_recover_the_planted_levels_within_their_interval():
    levels = [50, 200, 80]
    weekly = simulate_weekly(levels, [30, 60], n_weeks=100, noise=0.3, seed=2)
    regimes = find_regimes(weekly, n_boot=0).table("regimes")
    assert regimes["weeks"].sum() == 100
    assert list(regimes["start"]) == [week(0), week(30), week(60)]
    assert regimes.loc[2, "end"] == week(99) + pd.Timedelta(days=6)
    for (_, row), level in zip(regimes.iterrows(), levels, strict=True):
        assert row["level_low"] <= level <= row["level_high"]
        assert row["level"] == pytest.approx(level, rel=0.2)
        # flat regimes: the within-regime growth interval covers zero
        assert row["growth_low"] <= 0 <= row["growth_high"]


@pytest.mark.parametrize("seed", range(5))
def test_flat_series_gives_no_break(seed):
    weekly = simulate_weekly([200], n_weeks=120, noise=0.35, seed=seed)
    result = find_regimes(weekly, max_breaks=4, n_boot=100)
    assert result.summary["n_breaks"] == 0
    assert result.table("breaks").empty
    assert len(result.table("regimes")) == 1
    assert result.table("criterion").loc[0, "chosen"]


@pytest.mark.parametrize(("mean", "shape", "seed"), [(6, 1.0, 0), (6, 1.0, 1), (300, 5.0, 2)])
def test_overdispersed_counts_without_trend_give_no_spurious_break(mean, shape, seed):
    weekly = negative_binomial_weekly(mean, shape, 150, seed)
    if mean < 10:
        assert (weekly == 0).any()  # zero weeks are handled by log1p
    assert find_regimes(weekly, max_breaks=4, n_boot=0).summary["n_breaks"] == 0


def test_autocorrelated_noise_is_reported_and_the_ar1_penalty_guards_against_it():
    weekly = simulate_weekly([100], n_weeks=150, noise=0.4, seed=3, ar=0.5)
    result = find_regimes(weekly, max_breaks=4, n_boot=0, criterion="bic_ar1")
    assert result.summary["n_breaks"] == 0
    assert result.summary["resid_lag1_acf"] > 0.3
    assert result.summary["n_breaks_bic_ar1"] == 0
    table = result.table("criterion")
    assert (table["bic_ar1"] >= table["bic"]).all()


def test_no_break_inside_a_leading_run_of_zero_weeks():
    weekly = simulate_weekly([60, 240], [40], n_weeks=110, noise=0.3, seed=5)
    weekly.iloc[:20] = 0.0  # launches begin in week 20
    result = find_regimes(weekly, n_boot=100, seed=0)
    s = result.summary
    assert s["leading_zero_weeks"] == 20 and s["n_weeks_modelled"] == 90
    assert s["n_weeks"] == 110 and s["first_week"] == str(week(20).date())
    breaks = result.table("breaks")
    assert list(breaks["week_index"]) == [40]  # the planted break, and no break at week 20
    assert (breaks["low"] >= week(20)).all()
    regimes = result.table("regimes")
    assert regimes.loc[0, "start"] == week(20) and regimes["weeks"].sum() == 90
    assert (regimes["level_low"] > 0).all()  # no regime made of the zero weeks
    # the variance-change cost would carve the zero run out as a regime without the trim
    assert find_regimes(weekly, n_boot=0, cost="normal").table("breaks")["week_index"].min() > 20


def test_count_uncertainty_is_reported():
    weekly = simulate_weekly([50, 200, 80], [30, 60], n_weeks=100, noise=0.3, seed=2)
    result = find_regimes(weekly, n_boot=200, seed=0)
    s = result.summary
    assert s["n_breaks"] == 2
    assert s["n_breaks_boot_low"] <= 2 <= s["n_breaks_boot_high"]
    assert s["n_breaks_boot_same"] > 0.8  # clear planted breaks: the count is found again
    assert s["penalty_low"] < 1 < s["penalty_high"]
    shares = result.table("n_breaks_bootstrap")
    assert shares["share"].sum() == pytest.approx(1.0)
    assert shares.set_index("n_breaks").loc[2, "share"] == pytest.approx(s["n_breaks_boot_same"])
    table = result.table("criterion")
    chosen = table[table["chosen"]].iloc[0]
    assert chosen["penalty_low"] == pytest.approx(s["penalty_low"])
    for _, row in table[~table["chosen"]].iterrows():  # no other count holds at penalty 1
        assert not row["penalty_low"] <= 1 <= row["penalty_high"]


def test_count_uncertainty_widens_when_a_break_is_faint():
    faint = simulate_weekly([100, 125], [50], n_weeks=100, noise=0.35, seed=8)
    s = find_regimes(faint, n_boot=200, seed=0).summary
    assert s["n_breaks_boot_high"] - s["n_breaks_boot_low"] >= 1
    assert s["n_breaks_boot_same"] < 0.9


def test_penalty_range_by_hand():
    fit = np.array([100.0, 60.0, 50.0, 48.0])
    penalty = np.array([10.0, 20.0, 30.0, 40.0])
    # m = 1 beats 0 while c <= 4, beats 2 while c >= 1, beats 3 while c >= 0.6
    assert penalty_range(fit, penalty, 1) == (1.0, 4.0)
    assert penalty_range(fit, penalty, 0) == (4.0, math.inf)
    low, high = penalty_range(np.array([100.0, 60.0, 10.0]), np.array([10.0, 20.0, 30.0]), 1)
    assert math.isnan(low) and math.isnan(high)  # never the best: 2 breaks win first


def test_variance_cost_finds_a_change_in_spread_the_level_cost_misses():
    rng = np.random.default_rng(4)
    y = np.r_[rng.normal(4.0, 0.05, 60), rng.normal(4.0, 0.6, 60)]
    weekly = pd.Series(np.expm1(y), index=pd.date_range(FIRST_WEEK, periods=120, freq="W-MON"))
    assert find_regimes(weekly, max_breaks=4, n_boot=0).summary["n_breaks"] == 0
    normal = find_regimes(weekly, max_breaks=4, n_boot=0, cost="normal")
    assert normal.summary["n_breaks"] == 1 and normal.summary["cost"] == "normal"
    assert abs(normal.table("breaks").loc[0, "week_index"] - 60) <= 2
    assert normal.summary["n_breaks_other_cost"] == 0  # the l2 count, stated beside it


# --- mechanics -----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_fast_segmentation_matches_ruptures_dynp(seed):
    weekly = simulate_weekly([20, 90, 40, 300], [15, 35, 50], n_weeks=70, noise=0.6, seed=seed)
    y = np.log1p(weekly.to_numpy())
    algo = rpt.Dynp(model="l2", min_size=6, jump=1).fit(y)
    for m in range(6):
        assert optimal_breaks(y, m, 6) == algo.predict(n_bkps=m)[:-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ruptures announces its small-variance guard
        normal = rpt.Dynp(model="normal", min_size=6, jump=1).fit(y)
    for m in range(4):
        assert optimal_breaks(y, m, 6, cost="normal") == normal.predict(n_bkps=m)[:-1]


def test_output_shape_and_reproducibility():
    weekly = simulate_weekly([30, 120], [25], n_weeks=60, noise=0.4, seed=4)
    first = find_regimes(weekly, max_breaks=3, n_boot=100, seed=7)
    again = find_regimes(weekly, max_breaks=3, n_boot=100, seed=7)
    pd.testing.assert_frame_equal(first.table("breaks"), again.table("breaks"))
    assert set(first.tables) == {"breaks", "regimes", "criterion", "n_breaks_bootstrap"}
    assert list(first.table("criterion")["n_breaks"]) == [0, 1, 2, 3]
    assert first.table("criterion")["chosen"].sum() == 1
    for key in ("n_breaks", "criterion", "break_dates", "resid_lag1_acf", "n_breaks_bic_ar1"):
        assert key in first.summary
    for key in ("n_breaks_boot_low", "n_breaks_boot_high", "penalty_low", "n_breaks_other_cost"):
        assert key in first.summary
    assert first.assumptions and first.caveats
    without = find_regimes(weekly, max_breaks=3, n_boot=0).table("breaks")
    assert without["low"].isna().all() and without["refound"].isna().all()
    # a plain integer index works too (labels instead of dates)
    plain = find_regimes(weekly.reset_index(drop=True), max_breaks=3, n_boot=0)
    assert list(plain.table("breaks")["break"]) == list(first.table("breaks")["week_index"])


def test_max_breaks_is_capped_by_the_series_length():
    weekly = simulate_weekly([100], n_weeks=20, noise=0.3, seed=0)
    result = find_regimes(weekly, max_breaks=8, min_size=8, n_boot=0)
    assert list(result.table("criterion")["n_breaks"]) == [0, 1]


def test_constant_series_has_no_break():
    weekly = pd.Series(0.0, index=pd.date_range(FIRST_WEEK, periods=30, freq="W-MON"))
    assert find_regimes(weekly, n_boot=0).summary["n_breaks"] == 0


@pytest.mark.parametrize(
    ("weekly", "kwargs", "message"),
    [
        (pd.Series([5.0] * 15), {}, "too short"),
        (pd.Series([5.0] * 20 + [-1.0] + [5.0] * 20), {}, "non-negative"),
        (pd.Series([5.0] * 20 + [np.nan] + [5.0] * 20), {}, "missing"),
        (pd.Series(["a"] * 40), {}, "numeric"),
        ([5.0] * 40, {}, "Series"),
        (pd.Series([5.0] * 40), {"min_size": 1}, "min_size"),
        (pd.Series([5.0] * 40), {"max_breaks": -1}, "max_breaks"),
        (pd.Series([5.0] * 40), {"criterion": "aic"}, "criterion"),
        (pd.Series([5.0] * 40), {"n_boot": -5}, "n_boot"),
        (pd.Series([5.0] * 40), {"cost": "rbf"}, "cost 'rbf'"),
        (pd.Series([0.0] * 30 + [5.0] * 10), {}, "10 weeks from the first week with launches"),
        (pd.Series([5.0] * 40, index=range(40, 0, -1)), {}, "increasing"),
    ],
)
def test_bad_input_is_rejected(weekly, kwargs, message):
    with pytest.raises(ValueError, match=message):
        find_regimes(weekly, **kwargs)


def test_unknown_group_is_rejected():
    with pytest.raises(ValueError, match="group"):
        regimes_for(pd.DataFrame(), group="artillery")


# --- the real snapshot ---------------------------------------------------------------------

#: Found on release 2026-04-05 (weekly, complete weeks 2022-10-03 .. 2026-03-30, 183 weeks).
REAL_BREAKS = {
    "drones": ["2023-01-09", "2023-03-06", "2023-05-01", "2024-08-26", "2025-02-03"],
    "missiles": ["2023-02-20", "2023-04-24"],
}
#: The count's 95% bootstrap range and the breaks under the variance-change cost.
REAL_COUNT_RANGE = {"drones": (3, 6), "missiles": (0, 3)}
REAL_BREAKS_NORMAL = {
    "drones": ["2023-05-01", "2024-08-26", "2025-01-20", "2025-05-19"],
    "missiles": ["2023-04-24", "2025-08-18", "2025-12-15"],
}


@pytest.fixture(scope="module")
def real_regimes(real_strikes):
    """Each group's result on the real snapshot (default settings) and its run time."""
    out = {}
    for group in REAL_BREAKS:
        started = time.perf_counter()
        result = regimes_for(real_strikes, group)
        out[group] = (result, time.perf_counter() - started)
    return out


@pytest.mark.real_data
@pytest.mark.parametrize("group", sorted(REAL_BREAKS))
def test_real_breaks_are_pinned(real_regimes, group):
    result, elapsed = real_regimes[group]
    assert elapsed < 3.0
    assert result.summary["group"] == group
    assert result.summary["n_weeks"] == 183
    assert result.summary["first_week"] == "2022-10-03"
    assert result.summary["n_breaks"] == len(REAL_BREAKS[group])
    # the AR(1)-inflated criterion agrees on the count
    assert result.summary["n_breaks_bic_ar1"] == len(REAL_BREAKS[group])
    breaks = result.table("breaks")
    for found, pinned in zip(breaks["break"], REAL_BREAKS[group], strict=True):
        assert abs((found - pd.Timestamp(pinned)).days) <= 7
    assert (breaks["low"] <= breaks["break"]).all() and (breaks["break"] <= breaks["high"]).all()
    s = result.summary
    assert (s["n_breaks_boot_low"], s["n_breaks_boot_high"]) == REAL_COUNT_RANGE[group]
    assert s["penalty_low"] < 1 < s["penalty_high"] and s["leading_zero_weeks"] == 0
    assert s["break_dates_other_cost"] == ", ".join(REAL_BREAKS_NORMAL[group])
    regimes = result.table("regimes")
    assert regimes["weeks"].sum() == 183
    assert (regimes["level_low"] <= regimes["level"]).all()
    assert (regimes["level"] <= regimes["level_high"]).all()


@pytest.mark.real_data
def test_real_drone_regimes_escalate(real_regimes):
    result, _ = real_regimes["drones"]
    levels = result.table("regimes")["level"]
    # from ~70 a week (May 2023 – Aug 2024) to ~450 (Sep 2024 – Jan 2025) to ~1,100 since Feb 2025
    assert levels.iloc[3] == pytest.approx(73, rel=0.15)
    assert levels.iloc[4] == pytest.approx(445, rel=0.15)
    assert levels.iloc[5] == pytest.approx(1075, rel=0.15)
    assert result.table("breaks").loc[3, "ratio"] > 4


@pytest.mark.real_data
def test_real_weekly_series_drops_incomplete_weeks(real_strikes):
    weekly = weekly_launches(real_strikes, "missiles")
    assert (weekly.index.day_of_week == 0).all()
    assert weekly.index[0] == pd.Timestamp("2022-10-03")
    assert weekly.index[-1] == pd.Timestamp("2026-03-30")
    assert (weekly.index.to_series().diff().dropna() == pd.Timedelta(weeks=1)).all()
    short = regimes_for(real_strikes, "missiles", start="2024-01-01", end="2024-12-31", n_boot=0)
    assert short.summary["first_week"] == "2024-01-01"
    assert short.summary["last_week"] == "2024-12-23"
