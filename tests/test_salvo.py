"""Salvo-size model: quantile trends on simulated waves, record tables, real-data pins."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.regression.quantile_regression import QuantReg

from analysis.models.salvo import (
    design,
    fit_quantile_trend,
    month_bootstrap_counts,
    month_codes,
    quantreg_batch,
    record_progression,
    records,
    salvo_model,
    salvo_sample,
    simulate_salvos,
    slope_interval,
    years_since,
)


def _fit_sample(waves, quantile, knots=(), **options):
    sample = salvo_sample(waves, "drones")
    t = years_since(sample["date"], sample["date"].min())
    options.setdefault("interval", "nid")
    return fit_quantile_trend(
        t, sample["size"], quantile, knots, months=month_codes(sample["date"]), **options
    )


def coverage_band(replicates: int, low: float = 0.90, high: float = 0.99) -> tuple[int, int]:
    """Hits of ``replicates`` intervals consistent (at the 0.1% level each way) with a true
    coverage between ``low`` and ``high``."""
    return (
        int(stats.binom.ppf(0.001, replicates, low)),
        int(stats.binom.isf(0.001, replicates, high)),
    )


def _check_loss(x, y, q, beta):
    r = y - x @ beta
    return float(np.sum(np.where(r < 0, (q - 1) * r, q * r)))


def test_batch_solver_matches_statsmodels_on_resampled_rows():
    waves, _ = simulate_salvos(300, seed=4)
    sample = salvo_sample(waves, "drones")
    t = years_since(sample["date"], sample["date"].min())
    x, y = design(t, [1.5]), sample["size"].to_numpy(float)
    counts = month_bootstrap_counts(month_codes(sample["date"]), n_boot=12, seed=1)
    for q in (0.5, 0.9):
        batch = quantreg_batch(x, y, q, counts)
        for row, weights in zip(batch, counts, strict=True):
            rows = np.repeat(np.arange(len(y)), weights.astype(int))
            reference = np.asarray(QuantReg(y[rows], x[rows]).fit(q=q, max_iter=5000).params)
            # Ties make the minimiser non-unique, so compare the check loss: at least as low as
            # statsmodels' (whose iterative reweighting stops near the minimum), and close.
            ours = _check_loss(x[rows], y[rows], q, row)
            theirs = _check_loss(x[rows], y[rows], q, reference)
            assert theirs - 1e-3 * theirs <= ours <= theirs + 1e-6 * theirs


def test_month_resample_moves_whole_months_together():
    dates = pd.to_datetime(["2024-01-03", "2024-01-20", "2024-02-05", "2024-04-01"])
    counts = month_bootstrap_counts(month_codes(dates), n_boot=50, seed=3)
    assert counts.shape == (50, 4)
    assert (counts[:, 0] == counts[:, 1]).all()  # the two January waves are drawn together
    assert (counts.sum(axis=1) > 0).all()
    assert counts[:, [0, 2, 3]].sum(axis=1).tolist() == [3.0] * 50  # three months drawn
    again = month_bootstrap_counts(month_codes(dates), n_boot=50, seed=3)
    assert (again == counts).all()  # a fixed seed reproduces the resample
    blocks = month_bootstrap_counts(month_codes(dates), n_boot=50, block_months=2, seed=3)
    assert blocks[:, [0, 2, 3]].sum(axis=1).max() <= 4  # runs of calendar months, March empty


def test_bootstrap_interval_is_wider_than_the_model_when_months_are_alike():
    wider = []
    for seed in range(8):
        waves, _ = simulate_salvos(300, month_share=0.5, seed=seed)
        trend = _fit_sample(waves, 0.5, interval="block_bootstrap", n_boot=99)
        row = trend.segment_slopes().iloc[0]
        assert row["interval"] == "block_bootstrap" and row["n_boot"] == 99
        assert row["ci_low"] < row["slope"] < row["ci_high"]
        wider.append(row["ci_high"] - row["ci_low"] > row["ci_high_model"] - row["ci_low_model"])
    assert np.mean(wider) >= 0.75


def test_fixed_b_interval_is_wider_than_the_model_when_months_are_alike():
    wider = []
    for seed in range(8):
        waves, _ = simulate_salvos(300, month_share=0.5, seed=seed)
        trend = _fit_sample(waves, 0.5, interval="fixed_b")
        row = trend.segment_slopes().iloc[0]
        assert row["interval"] == "fixed_b" and row["n_boot"] == 0
        assert trend.hac is not None and trend.hac.design == "trend"
        assert row["ci_low"] < row["slope"] < row["ci_high"]
        assert 0 <= row["p_value"] <= 1
        wider.append(row["ci_high"] - row["ci_low"] > row["ci_high_model"] - row["ci_low_model"])
        line = trend.predict(np.array([0.0, 1.0]))
        assert (line["ci_low"] < line["fitted"]).all() and (line["fitted"] < line["ci_high"]).all()
    assert np.mean(wider) >= 0.75


def test_slope_interval_is_the_linear_slope_of_the_report():
    waves, _ = simulate_salvos(300, seed=9)
    result = salvo_model(waves, knots=(), n_boot=99)
    row = result.table("slopes").query("quantile == 0.9 and population == 'timed'").iloc[0]
    sample = salvo_sample(waves, "drones")
    got = slope_interval(sample["date"], sample["size"].to_numpy(), 0.9, n_boot=99)
    assert got == pytest.approx((row["slope"], row["ci_low"], row["ci_high"]))
    with pytest.raises(ValueError, match="interval"):
        slope_interval(sample["date"], sample["size"].to_numpy(), interval="wild")


def test_too_few_months_keep_the_model_interval_and_say_so():
    waves, _ = simulate_salvos(60, years=0.3, seed=2)
    row = _fit_sample(waves, 0.5, interval="block_bootstrap").segment_slopes().iloc[0]
    assert row["interval"] == "nid (too few months)"
    assert (row["ci_low"], row["ci_high"]) == (row["ci_low_model"], row["ci_high_model"])


@pytest.mark.slow
@pytest.mark.parametrize(
    "quantile, month_share, ar", [(0.5, 0.0, 0.0), (0.5, 0.3, 0.5), (0.9, 0.3, 0.3)]
)
def test_month_interval_covers_the_true_slope_with_dependent_waves(quantile, month_share, ar):
    replicates, hits = 200, 0
    key = "q50" if quantile == 0.5 else "q90"
    for seed in range(replicates):
        waves, truth = simulate_salvos(240, month_share=month_share, ar=ar, seed=1000 + seed)
        sample = salvo_sample(waves, "drones")
        _, low, high = slope_interval(
            sample["date"], sample["size"].to_numpy(), quantile, n_boot=99
        )
        hits += low <= truth[key] <= high
    lowest, highest = coverage_band(replicates)
    assert lowest <= hits <= highest, hits


def test_simulator_quantile_lines_are_what_it_says():
    waves, truth = simulate_salvos(20000, slope=40.0, intercept=20.0, sigma=0.5, seed=1)
    t = years_since(pd.to_datetime(waves["date"]), pd.Timestamp("2022-10-01"))
    late, early = waves["drones_launched"][t > 3.0], waves["drones_launched"][t < 0.5]
    # Median about 20 + 40 t: ~147 in the last half-year, ~30 in the first.
    assert late.median() == pytest.approx(20 + 40 * 3.25, rel=0.08)
    assert early.median() == pytest.approx(20 + 40 * 0.25, rel=0.1)
    assert truth["q90"] == pytest.approx(40 * np.exp(0.5 * 1.2816), rel=1e-3)


@pytest.mark.slow
def test_model_intervals_hold_the_truth_with_independent_waves():
    replicates, hits = 200, {0.5: 0, 0.9: 0}
    for seed in range(replicates):
        waves, truth = simulate_salvos(150, seed=seed)
        for q, key in ((0.5, "q50"), (0.9, "q90")):
            slope = _fit_sample(waves, q).segment_slopes().iloc[0]
            hits[q] += slope["ci_low"] <= truth[key] <= slope["ci_high"]
    lowest, highest = coverage_band(replicates)
    assert lowest <= hits[0.5] <= highest and lowest <= hits[0.9] <= highest, hits


def test_salvo_model_on_simulated_waves_reports_slopes_holding_the_truth():
    waves, truth = simulate_salvos(500, slope=60.0, seed=7)
    result = salvo_model(waves, knots=(), n_boot=99)
    slopes = result.table("slopes")
    main = slopes[(slopes["population"] == "timed") & (slopes["measure"] == "drones")]
    for q, key in ((0.5, "q50"), (0.9, "q90")):
        row = main[(main["quantile"] == q) & (main["spec"] == "linear")].iloc[0]
        assert row["ci_low"] <= truth[key] <= row["ci_high"]
    assert (
        result.summary["drones_q50_linear_ci_low"]
        <= 60
        <= (result.summary["drones_q50_linear_ci_high"])
    )
    assert slopes["measure"].eq("drones").all()  # no missile sample: no missile rows
    timed = slopes[slopes["population"] == "timed"]
    assert timed["interval"].eq("fixed_b").all() and timed["n_boot"].eq(0).all()
    assert slopes.loc[slopes["population"] == "all", "interval"].eq("nid").all()
    boot = salvo_model(waves, knots=(), interval="block_bootstrap", n_boot=99).table("slopes")
    timed = boot[boot["population"] == "timed"]
    assert timed["interval"].eq("block_bootstrap").all() and timed["n_boot"].eq(99).all()


def test_piecewise_trend_recovers_both_segment_slopes():
    # Median grows 40/yr, then 120/yr from 2.25 years on.
    hits = []
    for seed in range(5):
        waves, truth = simulate_salvos(
            600, slope=40.0, knot=2.25, slope_after=120.0, seed=100 + seed
        )
        sample = salvo_sample(waves, "drones")
        shift = years_since(pd.DatetimeIndex([sample["date"].min()]), pd.Timestamp("2022-10-01"))[0]
        slopes = _fit_sample(waves, 0.5, [2.25 - shift]).segment_slopes()
        hits.append(
            [
                lo <= x <= hi
                for lo, hi, x in zip(
                    slopes["ci_low"],
                    slopes["ci_high"],
                    [truth["q50"], truth["q50_after"]],
                    strict=True,
                )
            ]
        )
    assert np.sum(hits) >= 8  # of 10 intervals at 95%: fewer has probability under 0.1%
    # A straight line through the same data misses the late growth.
    linear = _fit_sample(waves, 0.5).segment_slopes().iloc[0]
    assert linear["slope"] < 90


def test_zero_growth_gives_an_interval_around_zero():
    waves, _ = simulate_salvos(400, intercept=100.0, slope=0.0, seed=3)
    slope = _fit_sample(waves, 0.5, interval="block_bootstrap", n_boot=99).segment_slopes()
    assert slope["ci_low"].iloc[0] <= 0 <= slope["ci_high"].iloc[0]
    growing, _ = simulate_salvos(400, intercept=100.0, slope=30.0, seed=3)
    assert _fit_sample(growing, 0.5).segment_slopes()["ci_low"].iloc[0] > 0


def _hand_waves():
    rows = [  # wave_id, date, time_known, drones, missiles
        (0, "2024-01-01", True, 0, 5),
        (1, "2024-01-02", True, 10, 0),
        (2, "2024-01-02", False, 10, 8),  # ties the drone record: not a break
        (3, "2024-01-05", False, 30, 2),  # untimed record
        (4, "2024-01-09", True, 25, 8),  # ties the missile record: not a break
        (5, "2024-01-10", True, 31, 9),
        (6, "2024-01-12", True, 3, 0),
    ]
    return pd.DataFrame(
        rows, columns=["wave_id", "date", "time_known", "drones_launched", "missiles_launched"]
    ).assign(date=lambda d: [dt.date.fromisoformat(x) for x in d["date"]])


def test_record_progression_on_a_hand_written_table():
    prog = record_progression(_hand_waves())
    drones = prog[prog["measure"] == "drones"]
    assert drones["wave_id"].tolist() == [1, 3, 5]
    assert drones["record"].tolist() == [10, 30, 31]
    assert drones["previous_record"].tolist() == [0, 10, 30]
    assert drones["days_since_previous"].tolist()[1:] == [3, 5]
    missiles = prog[prog["measure"] == "missiles"]
    assert missiles["wave_id"].tolist() == [0, 2, 5]
    assert missiles["record"].tolist() == [5, 8, 9]
    assert str(missiles["previous_date"].iloc[2].date()) == "2024-01-02"
    timed = record_progression(_hand_waves(), timed_only=True)
    assert timed[timed["measure"] == "drones"]["record"].tolist() == [10, 25, 31]


def test_records_rank_the_largest_waves_and_break_ties_by_date():
    top = records(_hand_waves(), n=3)
    assert top[top["by"] == "drones"]["wave_id"].tolist() == [5, 3, 4]
    assert top[top["by"] == "missiles"]["wave_id"].tolist() == [5, 2, 4]
    assert top["rank"].tolist() == [1, 2, 3, 1, 2, 3]


def test_sample_keeps_timed_waves_that_used_the_weapon():
    sample = salvo_sample(_hand_waves(), "drones")
    assert sample["wave_id"].tolist() == [1, 4, 5, 6]
    assert salvo_sample(_hand_waves(), "drones", timed_only=False)["wave_id"].tolist() == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    with pytest.raises(ValueError, match="measure"):
        salvo_sample(_hand_waves(), "tanks")


@pytest.fixture(scope="module")
def real_salvo(real_waves):
    return salvo_model(real_waves)


@pytest.mark.real_data
def test_real_records(real_salvo):
    s = real_salvo.summary
    assert (s["record_drones"], s["record_drones_date"]) == (810, "2025-09-07")
    assert (s["record_missiles"], s["record_missiles_date"]) == (127, "2024-08-26")
    top = real_salvo.table("records")
    drones = top[top["by"] == "drones"]
    assert len(drones) == 10
    assert [str(d.date()) for d in drones["date"].head(2)] == ["2025-09-07", "2025-07-09"]
    assert drones["drones"].head(4).tolist() == [810, 728, 653, 653]
    missiles = top[top["by"] == "missiles"]
    assert missiles["missiles"].head(3).tolist() == [127, 122, 120]


@pytest.mark.real_data
def test_real_record_progression(real_salvo):
    prog = real_salvo.table("record_progression")
    drones = prog[prog["measure"] == "drones"]
    assert [str(d.date()) for d in drones["date"].tail(6)] == [
        "2025-05-26",
        "2025-06-01",
        "2025-06-09",
        "2025-07-04",
        "2025-07-09",
        "2025-09-07",
    ]
    assert drones["record"].tail(3).tolist() == [539, 728, 810]
    assert len(drones) == 24
    # Untimed record nights stay in the progression (e.g. 75 drones on 2023-11-25).
    assert (
        drones.set_index(drones["date"].dt.strftime("%Y-%m-%d")).loc["2023-11-25", "record"] == 75
    )
    missiles = prog[prog["measure"] == "missiles"]
    assert [str(d.date()) for d in missiles["date"]] == [
        "2022-09-28",
        "2022-10-09",
        "2022-10-10",
        "2022-11-15",
        "2022-12-16",
        "2023-02-10",
        "2023-12-29",
        "2024-08-26",
    ]
    assert missiles["record"].tolist() == [5, 22, 84, 98, 103, 106, 122, 127]


@pytest.mark.real_data
def test_real_slopes(real_salvo):
    s = real_salvo.summary
    assert s["timed_drone_waves"] == 624 and s["timed_missile_waves"] == 384
    # Drone salvos grow: median by about 40 drones per year, 90th percentile far faster in 2025.
    assert s["drones_q50_linear_slope"] == 39.66
    # The fixed-b interval over months, and the narrower one that treats waves as independent.
    assert (s["drones_q50_linear_ci_low"], s["drones_q50_linear_ci_high"]) == (27.36, 51.95)
    assert (s["drones_q50_linear_ci_low_model"], s["drones_q50_linear_ci_high_model"]) == (
        36.84,
        42.47,
    )
    assert (
        s["drones_q90_piecewise_segment1_ci_low"],
        s["drones_q90_piecewise_segment1_ci_high"],
    ) == (66.13, 588.13)
    assert s["interval"] == "fixed_b" and s["n_boot"] == 0
    # Large drone salvos grow faster from 2025 (327 a year against about 55 before), but with
    # dependence between months allowed for the two intervals overlap.
    assert s["drones_q90_piecewise_segment1_slope"] == 327.13
    assert s["drones_q90_piecewise_segment1_ci_low"] < s["drones_q90_piecewise_segment0_ci_high"]
    # Missile salvos: no overall growth in the median.
    assert s["missiles_q50_linear_ci_low"] <= 0 <= s["missiles_q50_linear_ci_high"]
    fitted = real_salvo.table("fitted")
    assert {"fitted", "ci_low", "ci_high"} <= set(fitted.columns)
    assert set(fitted["spec"]) == {"linear", "piecewise"}
