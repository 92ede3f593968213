"""Event studies: ITS, counterfactual, placebo and confounding on planted shifts and real data."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis.data.events import read_events
from analysis.models.event_study import (
    _simulate_forecast,
    adjust_p_values,
    confounders,
    counterfactual,
    event_study,
    event_summary,
    fixed_b_critical_values,
    its_design,
    level_change_interval,
    placebo,
    placebo_dates,
    simulate_weekly,
)

SHIFT = 78  # the planted shift: week 78 of 156 (2024-07-01, a Monday)


def planted(seed: int, ratio: float = 2.0, **kwargs) -> pd.DataFrame:
    return simulate_weekly(156, level=100, ratio=ratio, shift_week=SHIFT, seed=seed, **kwargs)


def true_excess(sim: pd.DataFrame, start: int = SHIFT, weeks: int = 26) -> float:
    return float((sim["mean"] - sim["baseline"]).iloc[start : start + weeks].sum())


def strikes_from(weekly: dict[str, pd.Series]) -> pd.DataFrame:
    """A minimal strike table: one row per class and week (on its Monday) + a closing Sunday."""
    rows = []
    for weapon_class, counts in weekly.items():
        origin = "iran" if weapon_class == "strike_drone" else "russia"
        for day, value in counts.items():
            rows.append(
                {
                    "end_date": str(day.date()),
                    "weapon_class": weapon_class,
                    "origin": origin,
                    "launched": int(value),
                    "destroyed": 0,
                    "not_reach_goal": 0,
                }
            )
        last = counts.index[-1] + pd.Timedelta(days=6)
        rows.append(
            {
                "end_date": str(last.date()),
                "weapon_class": weapon_class,
                "origin": origin,
                "launched": 0,
                "destroyed": 0,
                "not_reach_goal": 0,
            }
        )
    return pd.DataFrame(rows)


# --- interrupted time series -------------------------------------------------------------------


@pytest.mark.parametrize("method", ["nb", "log1p_ols"])
def test_its_ci_holds_the_planted_ratio(method):
    sim = planted(seed=1)
    s = event_study(sim["count"], sim.index[SHIFT], method=method).summary
    assert s["estimated"] and s["n_weeks"] == 52 and s["bandwidth"] == 10
    assert s["ratio_low"] < 2.0 < s["ratio_high"]
    assert s["ratio_low"] > 1.2 and s["p_level"] < 0.01
    assert s["slope_change_low"] < 0 < s["slope_change_high"]  # no planted slope change


@pytest.mark.parametrize("rho", [0.0, 0.5])
def test_level_interval_coverage_under_autocorrelation(rho):
    # 200 replicates of 60 weeks with a planted doubling at week 30 and growth of 5% a month,
    # AR(1) noise on the log rate. Coverage must be consistent with the nominal 95% (at least
    # the 0.1% point of Binomial(200, 0.95), i.e. 179) and not absurdly wide (at most its 99.9%
    # point). The model-based interval, which assumes independent weeks, fails the same bar
    # when the weeks are autocorrelated (about 73%), so the check can fail.
    n, truth = 200, 2.0
    hits = np.zeros(2, int)
    for seed in range(n):
        sim = simulate_weekly(
            60, ratio=truth, shift_week=30, growth_per_month=0.05, rho=rho, seed=seed
        )
        s = event_study(sim["count"], sim.index[30]).summary
        hits += [
            s["ratio_low"] <= truth <= s["ratio_high"],
            s["ratio_low_model"] <= truth <= s["ratio_high_model"],
        ]
    low, high = stats.binom.ppf([0.001, 0.999], n, 0.95)
    assert low <= hits[0] <= high, hits
    if rho:
        assert hits[1] < low, hits


def test_its_detects_a_planted_slope_change():
    n = 156
    t = np.arange(n)
    mean = 100 * np.exp(np.where(t >= SHIFT, 0.05 * (t - SHIFT), 0.0))
    rng = np.random.default_rng(5)
    counts = pd.Series(rng.poisson(mean), index=pd.date_range("2023-01-02", periods=n, freq="7D"))
    s = event_study(counts, counts.index[SHIFT]).summary
    true_pct = 100 * np.expm1(0.05 * 365.25 / 12 / 7)
    assert s["slope_change_low"] < true_pct < s["slope_change_high"]
    assert s["ratio_low"] < 1 < s["ratio_high"]


def test_window_layout_transition_and_lag():
    sim = planted(seed=2)
    monday = sim.index[SHIFT]
    s = event_study(sim["count"], monday).summary
    assert s["transition_weeks"] == 0 and s["post_start"] == str(monday.date())
    assert s["pre_end"] == str((monday - pd.Timedelta(days=1)).date())
    wednesday = monday + pd.Timedelta(days=2)
    s = event_study(sim["count"], wednesday, lag=2).summary
    assert s["transition_weeks"] == 3  # the event's own week and two lag weeks are left out
    assert s["post_start"] == str((monday + pd.Timedelta(weeks=3)).date())
    assert s["n_weeks"] == 52
    month = event_study(sim["count"], "2024-07-01", uncertainty_days=30).summary
    assert month["post_start"] == "2024-08-05"  # the first week after the whole month
    fitted = event_study(sim["count"], monday).table("fitted")
    assert (fitted["segment"] == "pre").sum() == 26 and len(fitted) == 52


def test_fixed_b_critical_values_for_the_its_design():
    intercept, trend, level, slope = fixed_b_critical_values(26)  # bandwidth 10 of 52 weeks
    assert level == pytest.approx(3.71, abs=0.05)
    # Far above the published fixed-b value for a mean at b = 10/52 (about 2.55) and 1.96.
    assert min(intercept, trend, level, slope) > 2.55
    assert fixed_b_critical_values(26, rho=0.5)[2] == pytest.approx(4.39, abs=0.05)
    assert fixed_b_critical_values(26, bandwidth=4)[2] == pytest.approx(2.68, abs=0.05)
    assert np.array_equal(fixed_b_critical_values(26), fixed_b_critical_values(26))
    assert fixed_b_critical_values(26, level=0.8)[2] < level
    X = its_design(26, transition_weeks=2)
    assert X.shape == (52, 4) and X[25, 1] == -3 and X[26, 1] == 0 and X[26:, 2].all()
    with pytest.raises(ValueError, match="bandwidth"):
        fixed_b_critical_values(26, bandwidth=53)


def test_its_interval_is_newey_west_with_the_simulated_critical_value():
    # The OLS variant's Newey-West standard errors are statsmodels' (bandwidth M = maxlags + 1,
    # no small-sample correction); the interval uses the larger of the critical values for
    # independent weeks and for the residuals' autocorrelation.
    sim = planted(seed=3, rho=0.3)
    result = event_study(sim["count"], sim.index[SHIFT], method="log1p_ols")
    rows = sim.iloc[SHIFT - 26 : SHIFT + 26]
    ols = sm.OLS(np.log1p(rows["count"].to_numpy()), its_design(26)).fit(
        cov_type="HAC", cov_kwds={"maxlags": 9}
    )
    table, s = result.table("coefficients"), result.summary
    assert np.allclose(table["estimate"], ols.params) and np.allclose(table["se"], ols.bse)
    q = max(
        fixed_b_critical_values(26)[2],
        fixed_b_critical_values(26, rho=s["rho_for_critical_value"])[2],
    )
    assert s["critical_value"] == pytest.approx(q) and q > 3.7
    assert s["ratio_low"] == pytest.approx(np.exp(s["log_ratio"] - q * s["log_ratio_se"]))
    assert (s["p_level"] < 0.05) == (s["ratio_low"] > 1 or s["ratio_high"] < 1)


# --- counterfactual ----------------------------------------------------------------------------


def test_counterfactual_interval_holds_the_true_excess():
    sim = planted(seed=1)
    s = counterfactual(sim["count"], sim.index[SHIFT], n_sims=1000, seed=0).summary
    truth = true_excess(sim)  # 26 weeks × (200 − 100)
    assert truth == pytest.approx(2600)
    assert s["excess_low"] < truth < s["excess_high"]
    assert s["excess"] > 0 and s["relative_pct"] > 0
    assert s["observed_total"] == sim["count"].iloc[SHIFT : SHIFT + 26].sum()


def test_counterfactual_coverage_and_no_shift():
    hits, zero = 0, 0
    for seed in range(10):
        sim = planted(seed)
        s = counterfactual(sim["count"], sim.index[SHIFT], n_sims=500, seed=seed).summary
        hits += s["excess_low"] <= true_excess(sim) <= s["excess_high"]
        null = planted(seed, ratio=1.0)
        s = counterfactual(null["count"], null.index[SHIFT], n_sims=500, seed=seed).summary
        zero += s["excess_low"] <= 0 <= s["excess_high"]
    assert hits >= 8 and zero >= 8


def test_simulated_paths_match_the_kalman_forecast():
    y = np.log1p(planted(seed=3, growth_per_month=0.05)["count"].to_numpy()[:26])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.tsa.UnobservedComponents(y, level="local linear trend").fit(disp=False)
    frame = res.get_forecast(20).summary_frame()
    paths = _simulate_forecast(res, 20, 20000, seed=1)
    assert np.allclose(paths.mean(axis=1), frame["mean"], atol=0.03)
    assert np.allclose(paths.std(axis=1), frame["mean_se"], rtol=0.03)


def test_counterfactual_is_reproducible():
    sim = planted(seed=4)
    a = counterfactual(sim["count"], sim.index[SHIFT], n_sims=200, seed=7).summary
    b = counterfactual(sim["count"], sim.index[SHIFT], n_sims=200, seed=7).summary
    assert a == b


# --- placebo -----------------------------------------------------------------------------------


def test_studentised_placebo_p_is_small_with_a_planted_jump():
    # A jump of 2.5 times in autocorrelated weeks; 24 placebo dates, so the smallest p is 0.04.
    p_values = []
    for seed in range(8):
        sim = planted(seed, ratio=2.5, rho=0.3)
        s = placebo(sim["count"], sim.index[SHIFT], n_placebo=24, seed=seed).summary
        assert s["n_placebo"] == 24 and s["min_p"] == pytest.approx(1 / 25)
        p_values.append(s["p_value"])
    assert np.median(p_values) == pytest.approx(1 / 25)
    assert max(p_values) <= 0.12


def test_studentised_placebo_p_is_roughly_uniform_without_a_jump():
    # 100 null series with autocorrelated errors, 19 placebo dates each: p lies on k/20, so each
    # quarter of [0, 1] should hold 5 of the 20 values, a quarter of the replicates. The OLS
    # fit keeps this within seconds; the statistic and its permutation are the same code.
    n = 100
    p_values = np.array(
        [
            placebo(
                null["count"], null.index[SHIFT], n_placebo=19, seed=seed, method="log1p_ols"
            ).summary["p_value"]
            for seed in range(n)
            for null in [planted(1000 + seed, ratio=1.0, rho=0.3)]
        ]
    )
    low, high = stats.binom.ppf([0.0005, 0.9995], n, 0.25)
    quarters = np.histogram(p_values, bins=[0, 0.25, 0.5, 0.75, 1.0])[0]
    assert quarters.sum() == n
    assert all(low <= k <= high for k in quarters), quarters
    low, high = stats.binom.ppf([0.0005, 0.9995], n, 0.05)
    assert low <= np.sum(p_values <= 0.05) <= high


def test_studentised_placebo_sees_a_jump_that_volatile_weeks_would_hide():
    # Calm weeks with a 30% jump, then a year and a half of very volatile weeks: raw jumps at
    # the volatile placebo dates are larger, but not larger for their standard errors.
    calm = simulate_weekly(60, level=200, ratio=1.3, shift_week=30, sigma=0.05, seed=0)
    loud = simulate_weekly(100, level=200, sigma=0.9, seed=100)
    counts = np.r_[calm["count"].to_numpy(), loud["count"].to_numpy()]
    weekly = pd.Series(counts, index=pd.date_range("2023-01-02", periods=160, freq="7D"))
    s = placebo(weekly, weekly.index[30]).summary
    assert s["n_placebo"] == 97
    assert s["p_value"] == pytest.approx(1 / 98)  # no placebo date is as clear
    assert s["p_value_raw"] > 0.5  # but most have a larger raw jump
    table = placebo(weekly, weekly.index[30]).table("placebo")
    assert np.allclose(table["t_stat"], table["log_ratio"] / table["log_ratio_se"])


def test_adjust_p_values_match_statsmodels_and_a_hand_example():
    p = [0.01, 0.04, 0.03, 0.2, None, np.nan]
    holm = adjust_p_values(p, "holm")
    bh = adjust_p_values(p, "bh")
    # Holm: sorted 0.01·4, 0.03·3, 0.04·2 (raised to 0.09), 0.2·1; missing values are no test.
    assert np.allclose(holm[:4], [0.04, 0.09, 0.09, 0.2])
    # Benjamini-Hochberg: 0.2·4/4, 0.04·4/3, 0.03·4/2 (lowered to 0.0533), 0.01·4/1.
    assert np.allclose(bh[:4], [0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.2])
    assert np.isnan(holm[4:]).all() and np.isnan(bh[4:]).all()
    finite = [0.01, 0.04, 0.03, 0.2]
    assert np.allclose(holm[:4], multipletests(finite, method="holm")[1])
    assert np.allclose(bh[:4], multipletests(finite, method="fdr_bh")[1])
    assert np.isnan(adjust_p_values([None, None])).all()
    with pytest.raises(ValueError, match="method"):
        adjust_p_values(finite, "bonferroni")
    with pytest.raises(ValueError, match="between 0 and 1"):
        adjust_p_values([0.5, 1.5])


def test_level_change_interval_is_the_event_study_interval():
    sim = planted(seed=1)
    s = event_study(sim["count"], sim.index[SHIFT], window=20, lag=1).summary
    ratio, low, high = level_change_interval(sim["count"], sim.index[SHIFT], 20, lag=1)
    assert (ratio, low, high) == (s["ratio"], s["ratio_low"], s["ratio_high"])
    assert low < 2.0 < high
    assert np.isnan(level_change_interval(sim["count"], sim.index[5])).all()


def test_placebo_definition_speed_and_exclusion():
    sim = planted(seed=1, ratio=3.0)
    events = [sim.index[30] + pd.Timedelta(days=3), sim.index[120]]
    started = time.perf_counter()
    result = placebo(sim["count"], sim.index[SHIFT], events, exclusion=8)
    assert time.perf_counter() - started < 3.0
    s, table = result.summary, result.table("placebo")
    assert s["n_placebo"] == len(table) >= 60
    assert s["p_value"] == pytest.approx((1 + s["n_extreme"]) / (1 + s["n_placebo"]))
    assert s["n_extreme"] <= 1 and s["p_value"] < 0.05  # a threefold jump is rare
    assert s["p_value_raw"] == pytest.approx((1 + s["n_extreme_raw"]) / (1 + s["n_placebo"]))
    assert s["t_stat"] == pytest.approx(
        event_study(sim["count"], sim.index[SHIFT]).summary["log_ratio"]
        / event_study(sim["count"], sim.index[SHIFT]).summary["log_ratio_se"]
    )
    gaps = [np.abs((table["date"] - d).dt.days).min() for d in [*events, sim.index[SHIFT]]]
    assert min(gaps) >= 56
    dates = placebo_dates(sim.index, [], window=26)
    assert dates[0] == sim.index[26] and dates[-1] == sim.index[-26]


def test_placebo_subset_is_seeded():
    sim = planted(seed=1)
    a = placebo(sim["count"], sim.index[SHIFT], n_placebo=20, seed=3).table("placebo")
    b = placebo(sim["count"], sim.index[SHIFT], n_placebo=20, seed=3).table("placebo")
    assert len(a) == 20 and a["date"].equals(b["date"])


# --- confounding and the summary ---------------------------------------------------------------


EVENTS = pd.DataFrame(
    {
        "event_id": ["a", "b", "c", "d"],
        "date": pd.to_datetime(["2024-01-10", "2024-03-01", "2024-06-20", "2025-09-01"]),
        "date_precision": ["day"] * 4,
        "partner": ["iran", "north_korea", "iran", "north_korea"],
        "event_type": ["statement", "delivery", "agreement", "agreement"],
        "weapon_class": ["", "", "strike_drone", ""],
    }
)


def test_confounders_on_a_hand_made_timeline():
    table = confounders(EVENTS, window=26)
    pairs = {(r.event_id, r.other_event_id, r.side) for r in table.itertuples()}
    assert pairs == {
        ("a", "b", "after"),
        ("a", "c", "after"),
        ("b", "a", "before"),
        ("b", "c", "after"),
        ("c", "a", "before"),
        ("c", "b", "before"),
    }
    narrow = confounders(EVENTS, window=8)
    assert set(zip(narrow["event_id"], narrow["other_event_id"], strict=True)) == {
        ("a", "b"),
        ("b", "a"),
    }
    assert narrow.loc[narrow["event_id"] == "a", "weeks_from_event"].item() == 7.3


def test_event_summary_on_planted_series():
    index = pd.date_range("2023-01-02", periods=156, freq="7D")
    drones = planted(seed=1, ratio=2.0)["count"]  # shift at 2024-07-01, near event c
    ballistic = pd.Series(np.random.default_rng(2).poisson(8, 156), index=index)
    strikes = strikes_from({"strike_drone": drones.set_axis(index), "ballistic_missile": ballistic})
    events = pd.concat(
        [
            EVENTS,
            pd.DataFrame(
                {
                    "event_id": ["early"],
                    "date": [pd.Timestamp("2023-02-01")],
                    "date_precision": ["day"],
                    "partner": ["iran"],
                    "event_type": ["first_use"],
                    "weapon_class": [""],
                }
            ),
        ]
    )
    result = event_summary(strikes, events, n_sims=300)
    table = result.table("events").set_index("event_id")
    assert list(table.index) == ["early", "a", "b", "c", "d"]
    assert table.loc["a", "series"] == "strike_drone"
    assert table.loc["a", "series_source"] == "default for partner iran"
    assert table.loc["b", "series"] == "ballistic_missile"
    assert "Iskander-M" in table.loc["b", "series_note"]
    assert table.loc["c", "series_source"] == "the event's weapon_class"
    early = table.loc["early"]
    assert early["status"] == "not estimated" and np.isnan(early["ratio"])
    assert "from 2022-08-01 to 2023-08-06" in early["reason"]  # 26 weeks on each side
    assert "series covers 2023-01-02" in early["reason"]
    assert early["reading"].startswith("Not estimated: the windows need complete weeks")
    c = table.loc["c"]  # 2024-06-20: post window starts 2024-06-24, a week before the shift
    assert c["status"] == "estimated" and c["ratio"] > 1.3
    assert c["confounders_before"] == "a, b"
    assert "a, b" in c["reading"] and "association, not proof of cause" in c["reading"]
    assert "cannot be attributed to this event alone" in c["reading"]
    assert table.loc["d", "status"] == "not estimated"  # the post window runs past the end
    assert c["n_placebo_all"] > c["n_placebo"]
    assert c["placebo_p_all"] < 0.1 < table.loc["a", "placebo_p_all"]  # the jump is at c
    assert c["placebo_p_all"] == pytest.approx(
        (1 + c["placebo_extreme_all"]) / (1 + c["n_placebo_all"])
    )
    # p-values corrected across the 3 estimated events, not the 5 listed ones.
    done = table[table["status"] == "estimated"]
    for column in ("p_level", "placebo_p", "placebo_p_all"):
        for method in ("holm", "bh"):
            expected = adjust_p_values(done[column].to_numpy(), method)
            assert np.allclose(done[f"{column}_{method}"], expected)
    assert c["p_level_holm"] == pytest.approx(3 * c["p_level"])  # the smallest of 3
    assert table.loc[["early", "d"], "p_level_holm"].isna().all()
    survives = (done["p_level_bh"] < 0.05) & (done["placebo_p_all_bh"] < 0.05)
    assert done["survives_correction"].tolist() == survives.tolist()
    assert result.summary["n_survive_correction"] == int(survives.sum())
    assert result.summary["n_p_level_below_005"] == 1  # c only
    assert "adjusted for testing 3 events" in c["reading"]
    assert result.summary["n_estimated"] == 3 and result.summary["n_not_estimated"] == 2
    assert "association" in result.summary["conclusion"]
    assert any("not proof of cause" in caveat for caveat in result.caveats)


def test_a_window_past_the_series_start_gives_a_reason():
    sim = planted(seed=1)
    its = event_study(sim["count"], sim.index[10])
    assert not its.summary["estimated"] and "ratio" not in its.summary
    assert "series covers 2023-01-02 to 2025-12-28" in its.summary["reason"]
    cf = counterfactual(sim["count"], sim.index[150])
    assert not cf.summary["estimated"] and "windows need" in cf.summary["reason"]
    assert placebo(sim["count"], sim.index[10]).summary["p_value"] is None


def test_a_side_without_launches_gives_a_reason():
    counts = pd.Series(
        np.r_[np.zeros(60), np.full(60, 10.0)],
        index=pd.date_range("2023-01-02", periods=120, freq="7D"),
    )
    s = event_study(counts, counts.index[60]).summary
    assert not s["estimated"] and s["reason"] == "no launches in the 26 weeks before the event"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda w: event_study(w, w.index[78], window=4), "window"),
        (lambda w: event_study(w, w.index[78], lag=-1), "lag"),
        (lambda w: event_study(w, w.index[78], method="poisson"), "method"),
        (lambda w: event_study(w, "not a date"), "event_date"),
        (lambda w: event_study(w.drop(w.index[5]), w.index[78]), "weekly"),
        (lambda w: event_study(-w, w.index[78]), "weekly"),
        (lambda w: event_study(list(w), w.index[78]), "weekly"),
        (lambda w: counterfactual(w, w.index[78], n_sims=10), "n_sims"),
        (lambda w: counterfactual(w, w.index[78], trend="cycle"), "trend"),
        (lambda w: placebo(w, w.index[78], exclusion=-2), "exclusion"),
        (lambda w: placebo(w, w.index[78], n_placebo=0), "n_placebo"),
        (lambda w: confounders(EVENTS.drop(columns="date")), "events"),
        (lambda w: event_summary(pd.DataFrame(), EVENTS, window=3), "window"),
        (lambda w: event_summary(pd.DataFrame(), EVENTS.iloc[:0]), "events"),
        (lambda w: event_summary(pd.DataFrame(), EVENTS, series={"zz": "drones"}), "series"),
    ],
)
def test_bad_input_is_rejected(call, message):
    weekly = planted(seed=0)["count"]
    with pytest.raises(ValueError, match=message):
        call(weekly)


# --- real data ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_summary(real_strikes: pd.DataFrame) -> pd.DataFrame:
    result = event_summary(real_strikes, read_events())
    return result.table("events")


def _row(table: pd.DataFrame, date: str, partner: str) -> pd.Series:
    rows = table[(table["date"] == pd.Timestamp(date)) & (table["partner"] == partner)]
    assert len(rows) == 1, f"no single {partner} event on {date}"
    return rows.iloc[0]


@pytest.mark.real_data
def test_real_russia_iran_treaty(real_summary):
    row = _row(real_summary, "2025-01-17", "iran")
    assert row["series"] == "strike_drone" and row["status"] == "estimated"
    assert round(row["ratio"], 1) == 0.8
    assert row["ratio_low"] < 1 < row["ratio_high"]  # no clear jump
    assert 0.4 < row["placebo_p_all"] < 0.9
    assert 0.6 < row["placebo_p"] < 0.95  # 10 dates away from every event
    assert row["p_level_bh"] > 0.5 and not row["survives_correction"]
    assert not row["counterfactual_informative"]  # half a year of a steep drone trend


@pytest.mark.real_data
def test_real_russia_dprk_treaty(real_summary):
    row = _row(real_summary, "2024-06-19", "north_korea")
    assert row["series"] == "ballistic_missile" and row["status"] == "estimated"
    assert round(row["ratio"], 1) == 2.2
    # A jump of 2.2 times, but its interval, which allows for the weeks' autocorrelation,
    # reaches below 1 (so does the model-based one, 0.95 to 4.9)...
    assert round(row["ratio_low"], 2) == 0.90 and round(row["ratio_high"], 1) == 5.2
    assert round(row["ratio_low_model"], 2) == 0.95 and round(row["ratio_high_model"], 1) == 4.9
    assert row["p_level"] == pytest.approx(0.077, abs=0.005)
    assert row["p_level_holm"] == 1 and row["p_level_bh"] > 0.5  # ...nor after correction...
    assert 0.1 < row["placebo_p_all"] < 0.2  # ...and jumps as clear are common in the series
    assert 0.2 < row["placebo_p_all_raw"] < 0.4  # (raw jumps as large are commoner still)


@pytest.mark.real_data
def test_real_no_event_survives_correction(real_summary):
    done = real_summary[real_summary["status"] == "estimated"]
    assert len(done) == 24 and not done["survives_correction"].any()
    # The one level test below 0.05: North Korean troops to Russia, launches about halved.
    troops = _row(real_summary, "2024-10-08", "north_korea")
    assert troops["event_id"] == "nk-troops-to-russia"
    assert (done["p_level"] < 0.05).sum() == 1 and troops["p_level"] == done["p_level"].min()
    assert round(troops["ratio"], 2) == 0.48 and troops["ratio_high"] < 1
    assert troops["p_level"] == pytest.approx(0.011, abs=0.002)
    assert troops["p_level_holm"] == pytest.approx(24 * troops["p_level"])
    assert troops["placebo_p_all"] == pytest.approx(0.034, abs=0.005)  # 3 of 116 weeks
    assert troops["placebo_p_all_bh"] > 0.5
    # The ballistic first use: an 11-fold jump from a near-empty start, its interval reaching 1.
    first_use = _row(real_summary, "2023-12-30", "north_korea")
    assert first_use["event_id"] == "nk-srbm-first-use"
    assert round(first_use["ratio"]) == 11 and round(first_use["ratio_low"], 2) == 1.00
    assert first_use["p_level"] == pytest.approx(0.051, abs=0.003)
    # Studentised, its all-weeks placebo p is not below 0.05 (raw: about 0.02).
    assert first_use["placebo_p_all_raw"] == pytest.approx(0.017, abs=0.005)
    assert first_use["placebo_p_all"] == pytest.approx(0.077, abs=0.01)
    assert (done["p_level_bh"] > 0.25).all() and (done["placebo_p_all_bh"] > 0.5).all()


@pytest.mark.real_data
def test_real_early_events_are_not_estimated(real_summary):
    early = real_summary[real_summary["date"] < pd.Timestamp("2023-03-01")]
    assert len(early) >= 3
    assert (early["status"] == "not estimated").all()
    assert early["reason"].str.contains("the series covers 2022-10-03 to").all()
    assert early["ratio"].isna().all()
    estimated = real_summary[real_summary["status"] == "estimated"]
    assert estimated["reading"].str.contains("not proof of cause").all()
