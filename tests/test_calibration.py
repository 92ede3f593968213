"""The calibration suite: simulators that plant what they promise, coverage counted right (on a
toy whose exact coverage is known), reproducible replicates, and the files of a quick run.

The coverage of the models' own intervals is the full run's job (``make calibrate``); here
each adapter only has to run once and return a usable interval.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from statsmodels.regression.quantile_regression import QuantReg

from analysis.__main__ import main
from analysis.calibration import estimators, run, simulate
from analysis.calibration.chart import headline
from analysis.calibration.estimators import (
    ESTIMATORS,
    TOY,
    Estimator,
    Outcome,
    forecast_outcomes,
    toy_exact_coverage,
)
from analysis.calibration.simulate import PROCESSES, process_named
from analysis.paths import ProjectPaths

IID, MILD, STRONG = PROCESSES


# --- simulators --------------------------------------------------------------------------------


@pytest.mark.parametrize("rho", [0.0, 0.3, 0.5])
def test_ar1_errors_have_the_lag_one_correlation_and_unit_variance_asked_for(rho):
    x = simulate.ar1(200_000, rho, np.random.default_rng(1))
    assert np.corrcoef(x[:-1], x[1:])[0, 1] == pytest.approx(rho, abs=0.01)
    assert x.var() == pytest.approx(1.0, abs=0.02)
    assert abs(x[:1000].var() - 1) < 0.15  # stationary from the first value: no burn-in


def test_a_month_effect_keeps_unit_variance_and_is_left_out_of_independent_errors():
    months = np.repeat(np.arange(4000), 8)
    z = simulate.latent(STRONG, months, np.random.default_rng(2), month_share=0.3)
    assert z.var() == pytest.approx(1.0, abs=0.03)
    # two waves of one month, far apart in wave order: only the month effect links them
    pairs = z.reshape(-1, 8)
    assert np.corrcoef(pairs[:, 0], pairs[:, 7])[0, 1] == pytest.approx(
        0.3 + 0.7 * 0.5**7, abs=0.04
    )
    iid = simulate.latent(IID, months, np.random.default_rng(2), month_share=0.3).reshape(-1, 8)
    assert abs(np.corrcoef(iid[:, 0], iid[:, 7])[0, 1]) < 0.04


@pytest.mark.parametrize("process", PROCESSES, ids=lambda p: p.name)
def test_nb_counts_grow_at_the_planted_monthly_rate(process):
    rng = np.random.default_rng(3)
    runs = [simulate.growth_counts(process, rng, growth=0.05)[0] for _ in range(400)]
    mean = pd.concat(runs, axis=1).mean(axis=1)
    months = np.arange(len(mean)) / simulate.WEEKS_PER_MONTH
    slope = np.polyfit(months, np.log(mean.to_numpy()), 1)[0]
    assert math.expm1(slope) == pytest.approx(0.05, abs=0.005)
    assert mean.iloc[0] == pytest.approx(200, rel=0.05)
    assert runs[0].index[0] == pd.Timestamp("2023-01-02") and runs[0].index.freqstr == "7D"


def test_weekly_counts_carry_the_ar1_correlation_on_the_log_mean():
    """Counts of a flat series correlate week to week only through the latent AR(1)."""
    rng = np.random.default_rng(4)
    acf = {}
    for process in (IID, STRONG):
        y = simulate.nb_counts(np.full(100_000, 500.0), process, rng, sigma=0.5, alpha=0.0)
        acf[process.name] = np.corrcoef(y[:-1], y[1:])[0, 1]
    assert abs(acf["iid"]) < 0.01
    # corr of exp(0.5 z) at lag 1, diluted by Poisson noise: about 0.45 here
    assert 0.4 < acf["ar1_0.5"] < 0.5


def test_salvo_sizes_have_the_planted_quantile_slopes():
    dates, sizes, truth = simulate.salvo_sizes(
        IID, np.random.default_rng(5), n_waves=30_000, quantiles=(0.5, 0.9)
    )
    t = np.asarray((dates - dates.iloc[0]) / pd.Timedelta(days=1)) / simulate.DAYS_PER_YEAR
    x = np.column_stack([np.ones_like(t), t])
    for q in (0.5, 0.9):
        slope = QuantReg(sizes, x).fit(q=q).params[1]
        assert slope == pytest.approx(truth[q], rel=0.03)
    assert truth[0.5] == 40.0 and truth[0.9] == pytest.approx(40 * math.exp(0.5 * 1.2816), 1e-3)
    assert dates.is_monotonic_increasing and sizes.min() >= 1


def test_dependent_salvo_noise_keeps_the_quantile_lines():
    """Under month-clustered AR(1) noise one series' slope wanders, but every wave still has
    the planted quantiles around its line: 10% of waves lie above the 90% line."""
    dates, sizes, truth = simulate.salvo_sizes(STRONG, np.random.default_rng(5), n_waves=30_000)
    t = np.asarray((dates - dates.iloc[0]) / pd.Timedelta(days=1)) / simulate.DAYS_PER_YEAR
    line = 20 + 40 * t
    assert np.mean(sizes > line * truth[0.9] / 40) == pytest.approx(0.10, abs=0.01)
    assert np.mean(sizes > line) == pytest.approx(0.5, abs=0.02)


def test_defeat_sample_keeps_the_planted_rate_and_clusters_by_month():
    # 300 years of waves: enough months that the month effects average out
    frame, truth = simulate.defeat_sample(
        STRONG, np.random.default_rng(6), n_waves=40_000, years=300
    )
    mu = expit(2.5 - 0.3 * np.log2(frame["launched"].to_numpy()))
    share = frame["defeated"] / frame["launched"]
    assert share.mean() == pytest.approx(mu.mean(), abs=0.003)
    residual = share - mu
    months = frame["date"].dt.to_period("M")
    monthly = residual.groupby(months).mean()
    # a month's mean residual varies far more than independent waves would allow
    iid, _ = simulate.defeat_sample(IID, np.random.default_rng(6), n_waves=40_000, years=300)
    iid_mu = expit(2.5 - 0.3 * np.log2(iid["launched"].to_numpy()))
    iid_months = iid["date"].dt.to_period("M")
    iid_monthly = (iid["defeated"] / iid["launched"] - iid_mu).groupby(iid_months).mean()
    assert monthly.std() > 1.4 * iid_monthly.std()
    median = float(np.median(frame["launched"]))
    assert truth == pytest.approx(
        100 * (expit(2.5 - 0.3 * (np.log2(median) + 1)) - expit(2.5 - 0.3 * np.log2(median)))
    )
    assert -7 < truth < -5  # about 6 points fewer defeated when the median salvo doubles


def test_event_counts_jump_by_the_planted_ratio_at_the_event_week():
    rng = np.random.default_rng(7)
    draws = [simulate.event_counts(STRONG, rng, window=26) for _ in range(3000)]
    weekly, event, ratio = draws[0]
    at = weekly.index.get_loc(event)
    assert at == 30 and event.day_of_week == 0 and ratio == 1.5 and len(weekly) == 60
    mean = pd.concat([d[0] for d in draws], axis=1).mean(axis=1).to_numpy()
    trend = math.exp(math.log1p(0.02) / simulate.WEEKS_PER_MONTH)
    assert mean[at] / mean[at - 1] == pytest.approx(1.5 * trend, rel=0.04)


def test_an_unknown_error_process_is_refused_with_the_names():
    with pytest.raises(ValueError, match="iid, ar1_0.3, ar1_0.5"):
        process_named("ar1_0.9")


# --- coverage machinery ------------------------------------------------------------------------


def test_clopper_pearson_band_matches_known_values():
    assert run.coverage_band(0, 10) == pytest.approx((0.0, 0.30850), abs=1e-5)
    assert run.coverage_band(10, 10) == pytest.approx((0.69150, 1.0), abs=1e-5)
    assert run.coverage_band(5, 10) == pytest.approx((0.18709, 0.81291), abs=1e-5)
    assert run.coverage_band(190, 200) == pytest.approx((0.90999, 0.97577), abs=1e-4)


def test_the_toy_interval_covers_its_exact_coverage_within_the_binomial_band():
    """The textbook interval for a mean covers 95% with independent values and 75% at AR(1)
    0.5 (exact): the runner must find both, within a 99.9% band (six cells checked at once)."""
    table = run.summarise(run.run_replicates([TOY], replicates=1000, jobs=1))
    assert len(table) == 6 and set(table["replicates"]) == {1000}
    for row in table.itertuples():
        exact = toy_exact_coverage(process_named(row.process), row.level)
        low, high = run.coverage_band(row.covered, row.replicates, confidence=0.999)
        assert low <= exact <= high, row
        assert row.band_low > low and row.band_high < high  # the table's band is the 95% one
    strong = table[(table["process"] == "ar1_0.5") & (table["level"] == 0.95)].iloc[0]
    assert toy_exact_coverage(STRONG, 0.95) == pytest.approx(0.749, abs=0.001)
    assert not strong["meets_target"] and strong["coverage"] < 0.85
    iid = table[(table["process"] == "iid") & (table["level"] == 0.95)].iloc[0]
    assert iid["meets_target"] and iid["nominal_in_band"] and iid["target"] == 0.9


def test_replicates_rerun_alone_and_do_not_depend_on_the_process_split():
    one = run.run_replicates([TOY], replicates=40, jobs=1, seed=11)
    two = run.run_replicates([TOY], replicates=40, jobs=2, seed=11)
    columns = ["estimator", "process", "replicate", "level", "covered", "estimate"]
    pd.testing.assert_frame_equal(one[columns], two[columns])
    row = one[(one["process"] == "ar1_0.3") & (one["replicate"] == 7)]
    again = run.run_one("toy_mean", "ar1_0.3", 7, seed=11)
    assert [o.estimate for o in again] == row["estimate"].tolist()
    other = run.run_replicates([TOY], replicates=40, jobs=1, seed=12)
    assert not np.allclose(one["estimate"], other["estimate"])


def _sometimes_failing(process, rng, options):
    if rng.uniform() < 0.25:
        raise ValueError("the fit did not converge")
    return [Outcome(0.95, 1.0, 2.0, 0.0, 0.0)]


def test_a_failed_replicate_is_counted_and_left_out_of_the_coverage(monkeypatch):
    flaky = Estimator("toy_mean", "Toy", _sometimes_failing, cost=0.0001, function="")
    monkeypatch.setattr(estimators, "TOY", flaky)
    raw = run.run_replicates([flaky], [IID], replicates=200, jobs=1)
    table = run.summarise(raw)
    row = table.iloc[0]
    assert 30 < row["failed"] < 70 and row["replicates"] + row["failed"] == 200
    assert row["coverage"] == 1.0 and row["covered"] == row["replicates"]
    assert raw["error"].dropna().str.contains("did not converge").all()


def test_forecast_coverage_tables_of_either_shape_become_outcomes():
    wide = pd.DataFrame(
        {
            "in80": [True, False, True, True],
            "in95": [True, True, True, True],
            "lo80": [1.0, 1.0, 1.0, 1.0],
            "hi80": [3.0, 3.0, 3.0, 3.0],
            "lo95": [0.0] * 4,
            "hi95": [4.0] * 4,
        }
    )
    assert [(o.level, o.covered, o.width) for o in forecast_outcomes(wide)] == [
        (0.8, 0.75, 2.0),
        (0.95, 1.0, 4.0),
    ]
    long = pd.DataFrame(
        {"level": [0.8, 0.8, 0.95], "covered": [1, 0, 1], "low": [0, 0, 0], "high": [1, 1, 3]}
    )
    assert [(o.level, o.covered, o.width) for o in forecast_outcomes(long)] == [
        (0.8, 0.5, 1.0),
        (0.95, 1.0, 3.0),
    ]


def test_the_chunks_cover_every_replicate_once_costliest_first():
    chunks = run.plan(ESTIMATORS, PROCESSES, 200)
    assert chunks[0].cost >= chunks[-1].cost
    for est in ESTIMATORS:
        for process in PROCESSES:
            mine = sorted(
                (c.start, c.stop)
                for c in chunks
                if c.estimator == est.name and c.process == process.name
            )
            covered = [i for start, stop in mine for i in range(start, stop)]
            assert covered == list(range(200))


def test_the_title_names_the_intervals_below_target():
    table = pd.DataFrame(
        {
            "estimator": ["growth", "salvo_median", "growth", "toy_mean"],
            "label": ["Monthly growth rate", "Typical salvo", "Monthly growth rate", "Toy"],
            "process": ["ar1_0.5", "ar1_0.5", "iid", "ar1_0.5"],
            "level": [0.95, 0.95, 0.95, 0.95],
            "meets_target": [False, True, False, False],
        }
    )
    assert headline(table) == (
        "1 of 2 headline 95% intervals held the true value less than 90% of the time with "
        "strongly dependent errors: Monthly growth rate"
    )
    assert headline(table.assign(meets_target=True)).startswith("Every headline 95% interval")
    # A comparison row (not a headline interval) is shown but never judged in the title.
    compared = table.assign(headline=[True, True, True, False])
    compared.loc[3, ["estimator", "meets_target"]] = ["salvo_median_bootstrap", False]
    assert headline(compared) == headline(table)


# --- adapters and a quick run ------------------------------------------------------------------


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.name)
def test_each_adapter_returns_a_usable_interval_at_95_percent(estimator):
    if not estimator.available():
        pytest.skip(f"{estimator.function} is not in the package")
    outcomes = run.run_one(estimator.name, "iid", 0)
    by_level = {o.level: o for o in outcomes}
    assert 0.95 in by_level and set(by_level) <= {0.8, 0.95}
    for o in outcomes:
        assert 0 <= o.covered <= 1 and o.width > 0 and math.isfinite(o.width)
    if estimator.name != "forecast":
        assert math.isfinite(by_level[0.95].truth) and math.isfinite(by_level[0.95].estimate)
    if 0.8 in by_level:
        assert by_level[0.8].width < by_level[0.95].width


def test_a_quick_run_writes_the_table_chart_and_record(tmp_path):
    paths = ProjectPaths(tmp_path)
    result = run.calibrate(paths, only=["toy_mean", "event_level"], quick=True, jobs=1)
    folder = tmp_path / "reports" / "calibration" / "quick"
    assert result.folder == folder
    table = pd.read_csv(folder / "calibration.csv")
    assert list(table.columns) == run.COLUMNS
    assert table["coverage"].between(0, 1).all() and (table["band_low"] <= table["coverage"]).all()
    assert not table.duplicated(["estimator", "process", "level"]).any()
    assert set(table["process"]) == {"iid", "ar1_0.5"} and set(table["replicates"]) <= {30}
    expected = {"toy_mean"} | ({"event_level"} if ESTIMATORS[4].available() else set())
    assert set(table["estimator"]) == expected
    assert (folder / "calibration.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    record = json.loads((folder / "calibration.json").read_text())
    assert record["seed"] == run.DEFAULT_SEED and record["replicates"] == 30
    assert record["quick"] is True and "numpy" in record["software"]
    assert not list(folder.glob(".*.tmp"))  # atomic writes leave no temporary file


def test_the_quick_subset_is_the_cheap_estimators_on_two_processes():
    chosen, _skipped, processes = run.choose(None, quick=True)
    assert [p.name for p in processes] == ["iid", "ar1_0.5"]
    assert all(e.cost <= run.QUICK_MAX_COST for e in chosen)
    full, _, every = run.choose(None, quick=False)
    assert len(every) == 3 and {e.name for e in full} <= {e.name for e in ESTIMATORS}


def test_the_command_line_runs_the_toy_and_names_an_unknown_estimator(tmp_path, capsys):
    assert main(["--root", str(tmp_path), "calibrate", "--only", "toy_mean", "--replicates",
                 "20", "--quiet", "--jobs", "1"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "toy_mean         iid      95%: coverage" in out
    assert (tmp_path / "reports" / "calibration" / "calibration.csv").is_file()
    assert main(["--root", str(tmp_path), "calibrate", "--only", "nonsense"]) == 1
    assert "no estimator 'nonsense'; choose from growth" in capsys.readouterr().err


def test_a_partial_run_replaces_its_estimators_rows_and_keeps_the_others(tmp_path):
    import json

    import pandas as pd

    from analysis.calibration.run import CSV, JSON, merged

    old = pd.DataFrame(
        {"estimator": ["growth", "event_level"], "process": ["iid", "iid"], "coverage": [0.9, 0.8]}
    )
    old.to_csv(tmp_path / CSV, index=False)
    (tmp_path / JSON).write_text(
        json.dumps({"seed": 1, "replicates": 200, "estimators": {"growth": {}, "event_level": {}}})
    )
    new = pd.DataFrame({"estimator": ["event_level"], "process": ["iid"], "coverage": [0.95]})
    table, meta = merged(
        tmp_path, new, {"seed": 2, "replicates": 50, "estimators": {"event_level": {}}}
    )
    assert table.set_index("estimator")["coverage"].to_dict() == {
        "growth": 0.9,
        "event_level": 0.95,
    }
    assert meta["runs"]["growth"]["replicates"] == 200
    assert meta["runs"]["event_level"]["replicates"] == 50
    alone, _ = merged(tmp_path / "none", new, {"estimators": {}})
    assert alone is new  # nothing to merge with: the run's own table


def test_the_quick_subset_of_the_month_intervals_is_not_clearly_too_narrow(tmp_path):
    # A fixed-seed run of 30 replicates per process: a band that lies wholly below the 0.90
    # target would mean the interval is too narrow under strong dependence.
    names = ["defeat_doubling", "salvo_median", "salvo_p90"]
    result = run.calibrate(ProjectPaths(tmp_path), only=names, quick=True, jobs=2)
    table = result.table
    strong = table[(table["process"] == "ar1_0.5") & (table["level"] == 0.95)]
    assert set(strong["estimator"]) == set(names) and strong["headline"].all()
    assert (strong["band_high"] >= 0.90).all(), strong[["estimator", "coverage", "band_high"]]
    assert (strong["failed"] == 0).all()
