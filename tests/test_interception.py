"""Interception model: beta-binomial saturation slope on simulated waves, the class-wave
table's rules (caps, exclusions, kinetic-only sample) on hand-written rows, real-data pins."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.models.interception import (
    CLASSES,
    BetaBinomialRegression,
    beta_binomial_gradient,
    beta_binomial_hessian,
    class_waves,
    doubling_effect,
    doubling_interval,
    fit_interception,
    interception_model,
    measure_sample,
    refit_beta_binomial,
    simulate_interception,
    true_doubling_points,
    wilson,
)
from analysis.models.salvo import month_bootstrap_counts, month_codes


def _fit(frame, column="defeated", **options):
    years = (frame["date"] - frame["date"].min()).dt.days / 365.25
    options.setdefault("interval", "model")
    return fit_interception(
        frame["launched"], frame[column], years, months=month_codes(frame["date"]), **options
    )


def coverage_band(replicates: int, low: float = 0.90, high: float = 0.99) -> tuple[int, int]:
    """Hits of ``replicates`` intervals consistent (at the 0.1% level each way) with a true
    coverage between ``low`` and ``high``."""
    return (
        int(stats.binom.ppf(0.001, replicates, low)),
        int(stats.binom.isf(0.001, replicates, high)),
    )


def _true_effect(frame, truth):
    """The planted doubling effect at the sample's median salvo and median date."""
    t = (frame["date"] - pd.Timestamp("2022-10-01")).dt.days / 365.25
    return true_doubling_points(truth, float(np.median(frame["launched"])), float(np.median(t)))


def _salvo_row(fit):
    c = fit.coefficients()
    return c[(c["model"] == "beta_binomial") & (c["term"] == "log2_salvo")].iloc[0]


def test_analytic_derivatives_match_the_likelihood_model():
    frame, _ = simulate_interception(200, rho=0.05, seed=3)
    t = (frame["date"] - frame["date"].min()).dt.days.to_numpy() / 365.25
    n, k = frame["launched"].to_numpy(float), frame["defeated"].to_numpy(float)
    x = np.column_stack([np.ones_like(n), np.log2(n), t])
    model = BetaBinomialRegression(k, x, n)
    params = np.array([2.0, -0.2, 0.1, -2.5])
    ones = np.ones((1, len(n)))
    assert beta_binomial_gradient(x, k, n, params[None], ones)[0] == pytest.approx(
        model.score(params), rel=1e-9, abs=1e-6
    )
    assert beta_binomial_hessian(x, k, n, params[None], ones)[0] == pytest.approx(
        model.hessian(params), rel=1e-5, abs=1e-3
    )


def test_batched_refits_equal_refits_on_resampled_rows():
    frame, _ = simulate_interception(200, rho=0.05, seed=8)
    fit = _fit(frame)
    t = (frame["date"] - frame["date"].min()).dt.days.to_numpy() / 365.25
    n, k = frame["launched"].to_numpy(float), frame["defeated"].to_numpy(float)
    x = np.column_stack([np.ones_like(n), np.log2(n), t])
    counts = month_bootstrap_counts(month_codes(frame["date"]), n_boot=6, seed=2)
    draws, good = refit_beta_binomial(x, k, n, np.r_[fit.params, fit.logit_rho], counts)
    assert good.all()
    for row, weights in zip(draws, counts, strict=True):
        rows = np.repeat(np.arange(len(n)), weights.astype(int))
        again = fit_interception(n[rows], k[rows], t[rows], interval="model")
        assert row == pytest.approx(np.r_[again.params, again.logit_rho], abs=1e-5)


def test_bootstrap_intervals_are_wider_when_months_are_alike():
    wider = []
    for seed in range(6):
        frame, _ = simulate_interception(
            200, rho=0.05, month_share=0.5, salvo_month_sd=1.0, seed=seed
        )
        fit = _fit(frame, interval="cluster_bootstrap", n_boot=99)
        assert fit.interval == "cluster_bootstrap" and fit.boot_failed <= 2  # of 99
        effect = doubling_effect(fit, 50.0, 1.5)
        assert effect["change_ci_low"] < effect["change_points"] < effect["change_ci_high"]
        wider.append(
            effect["change_ci_high"] - effect["change_ci_low"]
            > effect["change_ci_high_model"] - effect["change_ci_low_model"]
        )
        row = _salvo_row(fit)
        assert row["ci_low"] != row["ci_low_model"]  # the headline interval is the bootstrap's
    assert np.mean(wider) >= 2 / 3


def test_fixed_b_intervals_are_wider_when_months_are_alike_and_say_how_they_were_made():
    wider = []
    for seed in range(6):
        frame, _ = simulate_interception(
            200, rho=0.05, month_share=0.5, salvo_month_sd=1.0, seed=seed
        )
        fit = _fit(frame, interval="fixed_b")
        assert fit.interval == "fixed_b" and fit.boot is None and fit.hac is not None
        assert fit.hac.design == "location" and fit.hac.cov.shape == (4, 4)  # 3 terms + rho
        effect = doubling_effect(fit, 50.0, 1.5)
        assert effect["change_ci_low"] < effect["change_points"] < effect["change_ci_high"]
        middle = (effect["change_ci_low"] + effect["change_ci_high"]) / 2
        assert middle == pytest.approx(effect["change_points"])  # symmetric about the estimate
        wider.append(
            effect["change_ci_high"] - effect["change_ci_low"]
            > effect["change_ci_high_model"] - effect["change_ci_low_model"]
        )
        low, high = fit.rho_ci()
        assert low < fit.rho < high
    assert np.mean(wider) >= 5 / 6


def test_too_few_months_keep_the_model_interval():
    frame, _ = simulate_interception(80, rho=0.05, seed=3)
    days = pd.to_timedelta(np.arange(len(frame)) % 25, unit="D")
    frame = frame.assign(date=pd.Timestamp("2024-01-01") + days)  # one calendar month
    fit = _fit(frame, interval="fixed_b")
    assert fit.interval == "model (too few months)" and fit.hac is None


def test_failed_refits_fall_back_to_the_model_interval(monkeypatch):
    import analysis.models.interception as module

    def failing(x, k, n, start, weights, **_):
        return np.tile(start, (len(weights), 1)), np.zeros(len(weights), dtype=bool)

    monkeypatch.setattr(module, "refit_beta_binomial", failing)
    frame, _ = simulate_interception(150, seed=4)
    fit = _fit(frame, interval="cluster_bootstrap", n_boot=20)
    assert fit.interval == "model (bootstrap refits failed)" and fit.boot_failed == 20
    row = _salvo_row(fit)
    assert (row["ci_low"], row["ci_high"]) == (row["ci_low_model"], row["ci_high_model"])


def test_doubling_interval_matches_the_report_and_its_options():
    frame, truth = simulate_interception(200, slope=-0.3, rho=0.05, seed=12)
    change, low, high = doubling_interval(frame, n_boot=99)
    assert low < change < high < 0
    waves, strikes = _tables_from_simulation(frame)
    result = interception_model(waves, strikes, classes=["strike_drone"], n_boot=99)
    effect = result.table("effects").iloc[0]
    assert (change, low, high) == pytest.approx(
        (effect["change_points"], effect["change_ci_low"], effect["change_ci_high"])
    )
    assert effect["interval"] == "fixed_b" and effect["n_boot"] == 0
    boot = doubling_interval(frame, interval="cluster_bootstrap", n_boot=99)
    assert boot[0] == change and boot[1:] != (low, high)  # same estimate, another interval
    model = doubling_interval(frame, interval="model")
    assert model == pytest.approx(
        (effect["change_points"], effect["change_ci_low_model"], effect["change_ci_high_model"])
    )
    assert _true_effect(frame, truth) < 0


@pytest.mark.slow
@pytest.mark.parametrize("month_share, ar", [(0.0, 0.0), (0.3, 0.5)])
def test_month_interval_covers_the_true_doubling_effect(month_share, ar):
    replicates, hits = 200, 0
    for seed in range(replicates):
        frame, truth = simulate_interception(
            150,
            slope=-0.3,
            rho=0.05,
            month_share=month_share,
            ar=ar,
            salvo_month_sd=1.0 if month_share else 0.0,
            seed=2000 + seed,
        )
        _, low, high = doubling_interval(frame, n_boot=99)
        hits += low <= _true_effect(frame, truth) <= high
    lowest, highest = coverage_band(replicates)
    assert lowest <= hits <= highest, hits


def test_model_slope_interval_holds_the_truth_with_independent_waves():
    replicates, hits, estimates = 200, 0, []
    for seed in range(replicates):
        frame, truth = simulate_interception(200, slope=-0.3, rho=0.05, seed=seed)
        row = _salvo_row(_fit(frame))
        hits += row["ci_low"] <= truth["slope"] <= row["ci_high"]
        estimates.append(row["estimate"])
    lowest, highest = coverage_band(replicates)
    assert lowest <= hits <= highest, hits
    assert np.mean(estimates) == pytest.approx(-0.3, abs=0.02)


def test_zero_slope_gives_an_interval_containing_zero_and_a_real_slope_excludes_it():
    flat, _ = simulate_interception(300, slope=0.0, rho=0.05, seed=51)
    row = _salvo_row(_fit(flat, interval="cluster_bootstrap", n_boot=99))
    assert row["ci_low"] <= 0 <= row["ci_high"]
    steep, _ = simulate_interception(300, slope=-0.3, rho=0.05, seed=51)
    assert _salvo_row(_fit(steep, interval="cluster_bootstrap", n_boot=99))["ci_high"] < 0


def test_over_dispersion_is_detected_and_absent_when_binomial():
    frame, _ = simulate_interception(300, rho=0.05, seed=11)
    fit = _fit(frame)
    assert fit.dispersion > 2  # quasi-binomial Pearson scale
    assert fit.rho_ci()[0] > 0.02 and fit.rho == pytest.approx(0.05, abs=0.025)
    plain, _ = simulate_interception(300, rho=0.0, seed=11)
    fit = _fit(plain)
    assert 0.7 < fit.dispersion < 1.4
    assert fit.rho < 0.01


def test_doubling_effect_is_the_difference_of_the_two_fitted_rates():
    frame, _ = simulate_interception(300, slope=-0.3, rho=0.05, seed=5)
    fit = _fit(frame)
    effect = doubling_effect(fit, 100.0, 1.5)
    eta = fit.params @ np.array([1.0, np.log2(100.0), 1.5])
    assert effect["rate"] == pytest.approx(1 / (1 + np.exp(-eta)))
    eta2 = eta + fit.params[1]
    assert effect["change_points"] == pytest.approx(
        100 * (1 / (1 + np.exp(-eta2)) - effect["rate"])
    )
    assert effect["change_ci_low"] < effect["change_points"] < effect["change_ci_high"] < 0


def test_wilson_interval_known_value():
    low, high = wilson(np.array([8]), np.array([10]))
    assert (round(float(low[0]), 4), round(float(high[0]), 4)) == (0.4902, 0.9433)


# ---- hand-written waves and strikes -------------------------------------------------------

_STRIKES = [  # raw_row, wave_id, weapon_class, model, launched, destroyed, nrg, allocated
    (0, 0, "strike_drone", "Shahed-136/131", 16, 15, 11, False),  # capped: 26 > 16
    (1, 1, "strike_drone", "Shahed-136/131", 810, 747, None, False),  # combined reporting
    (2, 2, "strike_drone", "Shahed-136/131", 728, 296, 415, False),  # split reported
    (3, 2, "cruise_missile", "Kalibr", 10, None, None, False),  # destroyed missing
    (4, 3, "ballistic_missile", "Iskander-M/KN-23", 12, 8, None, True),  # allocated across
    (4, 3, "cruise_missile", "Iskander-K", 8, 5, None, True),
    (5, 4, "ballistic_missile", "Iskander-M", 3, 1, None, False),
    (6, 4, "mixed_missile", "C-400 and Iskander-M", 5, 2, None, False),  # lumped ballistic
    (7, 4, "cruise_missile", "X-101/X-555", 20, 18, 1, False),
    (8, 5, "cruise_missile", "Kalibr", 4, 3, None, False),
    (9, 5, "recon_drone", "Orlan-10", 2, 2, None, False),
]


def _hand_tables():
    strikes = pd.DataFrame(
        _STRIKES,
        columns=[
            "raw_row",
            "wave_id",
            "weapon_class",
            "model",
            "launched",
            "destroyed",
            "not_reach_goal",
            "destroyed_allocated",
        ],
    )
    for column in ("launched", "destroyed", "not_reach_goal"):
        strikes[column] = strikes[column].astype("Int64")
    waves = pd.DataFrame(
        {
            "wave_id": range(6),
            "date": [dt.date(2025, 1, d) for d in range(1, 7)],
            "time_known": [True, True, True, True, True, False],
        }
    )
    for weapon_class in (*CLASSES, "mixed_missile", "recon_drone"):
        rows = strikes[strikes["weapon_class"] == weapon_class]
        for value in ("launched", "destroyed"):
            waves[f"{value}_{weapon_class}"] = (
                rows.groupby("wave_id")[value]
                .sum()
                .reindex(waves["wave_id"], fill_value=0)
                .to_numpy()
            )
    return waves, strikes


def test_class_waves_caps_and_flags():
    waves, strikes = _hand_tables()
    drones = class_waves(waves, strikes, "strike_drone").set_index("wave_id")
    assert list(drones.index) == [0, 1, 2]  # waves without drones are not drone waves
    assert drones.loc[0, "defeated"] == 16 and drones.loc[0, "capped"]
    assert drones.loc[1, "defeated"] == 747 and not drones.loc[1, "split_reported"]
    assert drones.loc[2, "defeated"] == 711 and drones.loc[2, "kinetic"] == 296
    cruise = class_waves(waves, strikes, "cruise_missile").set_index("wave_id")
    assert cruise.loc[2, "counts_missing"] and not cruise.loc[2, "eligible"]
    assert cruise.loc[3, "allocated_across_classes"] and not cruise.loc[3, "eligible"]
    assert not cruise.loc[4, "mixed_in_wave"]  # the lumped row holds no cruise missile
    assert cruise.loc[4, "defeated"] == 19 and cruise.loc[4, "kinetic"] == 18
    ballistic = class_waves(waves, strikes, "ballistic_missile").set_index("wave_id")
    assert ballistic.loc[4, "mixed_in_wave"] and not ballistic.loc[4, "eligible"]
    with pytest.raises(ValueError, match="weapon_class"):
        class_waves(waves, strikes, "recon_drone")


def test_kinetic_sample_needs_a_reported_split_for_drones_only():
    waves, strikes = _hand_tables()
    drones = class_waves(waves, strikes, "strike_drone")
    assert measure_sample(drones, "strike_drone", "defeat")["wave_id"].tolist() == [0, 1, 2]
    kinetic = measure_sample(drones, "strike_drone", "kinetic")
    assert kinetic["wave_id"].tolist() == [0, 2]
    assert kinetic["successes"].tolist() == [15, 296]
    cruise = class_waves(waves, strikes, "cruise_missile")
    assert measure_sample(cruise, "cruise_missile", "kinetic")["wave_id"].tolist() == [4]
    assert measure_sample(cruise, "cruise_missile", "defeat", timed_only=False)[
        "wave_id"
    ].tolist() == [4, 5]


def _tables_from_simulation(frame):
    """A simulated class table as waves + strikes of strike drones (one row per wave)."""
    strikes = pd.DataFrame(
        {
            "raw_row": frame["wave_id"],
            "wave_id": frame["wave_id"],
            "weapon_class": "strike_drone",
            "model": "Shahed-136/131",
            "launched": frame["launched"].astype("Int64"),
            "destroyed": frame["destroyed"].astype("Int64"),
            "not_reach_goal": frame["not_reach_goal"].astype("Int64"),
            "destroyed_allocated": False,
        }
    )
    waves = pd.DataFrame(
        {"wave_id": frame["wave_id"], "date": frame["date"].dt.date, "time_known": True}
    )
    for weapon_class in CLASSES:
        own = weapon_class == "strike_drone"
        waves[f"launched_{weapon_class}"] = frame["launched"] if own else 0
        waves[f"destroyed_{weapon_class}"] = frame["destroyed"] if own else 0
    return waves, strikes


def test_model_end_to_end_recovers_the_slope_and_reports_both_measures():
    frame, truth = simulate_interception(300, slope=-0.4, rho=0.05, seed=21)
    waves, strikes = _tables_from_simulation(frame)
    result = interception_model(waves, strikes, classes=["strike_drone"], n_boot=99)
    s = result.summary
    assert (
        s["strike_drone_defeat_log2_salvo_ci_low"]
        <= -0.4
        <= (s["strike_drone_defeat_log2_salvo_ci_high"])
    )
    assert s["strike_drone_defeat_doubling_points"] < 0
    assert s["strike_drone_kinetic_n_waves"] == int((frame["not_reach_goal"] > 0).sum())
    coefficients = result.table("coefficients")
    assert set(coefficients["measure"]) == {"defeat", "kinetic"}
    assert {"const", "log2_salvo", "years", "rho", "dispersion"} <= set(coefficients["term"])
    sensitivity = result.table("sensitivity")
    assert set(sensitivity["variant"]) == {"main", "quasi_binomial", "year_effects"}
    main = sensitivity[sensitivity["variant"] == "main"].iloc[0]
    assert main["doubling_points"] == pytest.approx(
        s["strike_drone_defeat_doubling_points"], abs=0.005
    )
    assert s["strike_drone_defeat_doubling_points_spec_min"] == round(
        sensitivity["doubling_points"].min(), 2
    )
    assert s["strike_drone_defeat_doubling_points_spec_max"] == round(
        sensitivity["doubling_points"].max(), 2
    )
    assert s["strike_drone_defeat_doubling_points_spec_count"] == 3
    effects = result.table("effects")
    assert effects.loc[0, "salvo_doubled"] == 2 * effects.loc[0, "salvo"]
    assert "points" in s["headline"]


# ---- real data ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_interception(real_waves, real_strikes):
    return interception_model(real_waves, real_strikes)


@pytest.mark.real_data
def test_real_reporting_practice_nights(real_waves, real_strikes):
    drones = class_waves(real_waves, real_strikes, "strike_drone")
    by_date = drones.set_index(drones["date"].dt.strftime("%Y-%m-%d"))
    assert by_date.loc["2025-09-07", ["launched", "defeated", "kinetic"]].tolist() == [
        810,
        747,
        747,
    ]
    assert not by_date.loc["2025-09-07", "split_reported"]
    assert by_date.loc["2025-07-09", ["launched", "defeated", "kinetic"]].tolist() == [
        728,
        711,
        296,
    ]
    assert int(drones["capped"].sum()) == 1  # 2024-12-28: 15 destroyed + 11 lost of 16


@pytest.mark.real_data
def test_real_pooled_rates_and_samples(real_interception):
    s = real_interception.summary
    assert round(s["strike_drone_defeat_rate_2025"], 3) == 0.862
    assert (s["strike_drone_defeat_n_waves"], s["strike_drone_kinetic_n_waves"]) == (624, 277)
    assert s["ballistic_missile_defeat_n_waves"] == 207
    assert s["strike_drone_capped_waves"] == 1


@pytest.mark.real_data
def test_real_salvo_coefficients(real_interception):
    s = real_interception.summary
    # Larger drone salvos go with a *higher* defeat rate, not saturation ...
    assert s["strike_drone_defeat_log2_salvo_ci_low"] > 0
    assert s["strike_drone_defeat_doubling_points"] == 3.15
    # The fixed-b interval over months, three times as wide as the model's.
    assert (
        s["strike_drone_defeat_doubling_points_ci_low"],
        s["strike_drone_defeat_doubling_points_ci_high"],
    ) == (1.15, 5.15)
    assert (
        s["strike_drone_defeat_doubling_points_ci_low_model"],
        s["strike_drone_defeat_doubling_points_ci_high_model"],
    ) == (2.48, 3.82)
    # Other reasonable specifications: from 1.3 (untimed waves added) to 4.6 points.
    assert (
        s["strike_drone_defeat_doubling_points_spec_min"],
        s["strike_drone_defeat_doubling_points_spec_max"],
    ) == (1.27, 4.62)
    assert s["strike_drone_defeat_interval"] == "fixed_b"
    # ... which comes from drones lost (not_reach_goal), not from those shot down.
    assert (
        s["strike_drone_kinetic_log2_salvo_ci_low"]
        < 0
        < (s["strike_drone_kinetic_log2_salvo_ci_high"])
    )
    assert s["ballistic_missile_defeat_log2_salvo_ci_low"] > 0
    assert (
        s["cruise_missile_defeat_log2_salvo_ci_low"]
        < 0
        < (s["cruise_missile_defeat_log2_salvo_ci_high"])
    )
    sens = real_interception.table("sensitivity")
    drones = sens[sens["weapon_class"] == "strike_drone"]
    assert (drones["ci_low"] > 0).all()  # every variant agrees on the sign
    fits = real_interception.table("fits")
    assert fits["converged"].all()
    assert fits["boot_failed"].tolist() == [0] * 6  # no refits with the default interval
    assert fits["interval"].eq("fixed_b").all()
    assert (fits["pearson_dispersion"] > 1).all() and (fits["rho_ci_low"] > 0).all()


def test_ratio_interval_pools_the_waves_and_widens_when_neighbours_are_alike():
    from analysis.models.interception import ratio_interval

    n = np.full(40, 100.0)
    k = np.tile([90.0, 70.0], 20)  # alternating waves: neighbours unlike
    share, low, high = ratio_interval(n, k)
    assert share == 0.8 and low < 0.8 < high
    runs = np.repeat([90.0, 70.0], 20)  # the same shares in two long runs
    _, run_low, run_high = ratio_interval(n, runs)
    assert run_high - run_low > 3 * (high - low)
    assert all(np.isnan(ratio_interval(n[:2], k[:2])))
    assert ratio_interval(np.full(5, 10.0), np.full(5, 10.0)) == (1.0, 1.0, 1.0)


def test_ratio_interval_covers_a_planted_share_with_autocorrelated_waves():
    from analysis.calibration.simulate import ar1
    from analysis.models.interception import ratio_interval

    rng = np.random.default_rng(20260405)
    hits = 0
    for _ in range(200):
        n = rng.integers(20, 400, 90).astype(float)
        p = 0.85 + 0.05 * ar1(90, 0.5, rng)
        k = rng.binomial(n.astype(int), np.clip(p, 0, 1)).astype(float)
        _, low, high = ratio_interval(n, k)
        truth = float((n * np.clip(p, 0, 1)).sum() / n.sum())  # the share these waves hold
        hits += low <= truth <= high
    assert hits >= 180  # 90% of 200 at a nominal 95%


@pytest.mark.real_data
def test_real_monthly_and_recent_drone_defeat_shares(real_waves, real_strikes):
    from analysis.models.interception import monthly_defeat_share, recent_defeat_share

    monthly = monthly_defeat_share(real_waves, real_strikes)
    assert monthly["month"].max() == pd.Timestamp("2026-03-01")  # April 2026 still running
    march = monthly.set_index("month").loc["2026-03-01"]
    # Every reporter's waves (the national summary alone: 32 waves, 6,462 launched).
    assert (march["waves"], march["launched"]) == (33, 6493)
    assert round(march["share"], 3) == 0.903 and march["low"] < march["share"] < march["high"]
    recent = recent_defeat_share(real_waves, real_strikes)
    assert (recent.first, recent.last) == (pd.Timestamp("2026-01-01"), pd.Timestamp("2026-03-01"))
    assert round(recent.share, 3) == 0.875 and recent.low < recent.share < recent.high
