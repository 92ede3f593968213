"""One adapter per headline interval: simulate data with a planted truth, call the model's
public interval function on it, and say whether the interval held the truth.

An adapter never refits anything by hand: it calls the same public function the report uses
(``growth_interval``, ``slope_interval``, ``doubling_interval``, ``level_change_interval``,
and the forecast backtest's interval check), so the calibration table judges what readers
see. Options (a small ``n_boot``, a per-replicate ``seed``, ``level``) are passed only where
the function takes them. Each adapter declares its rough cost per replicate so the runner can
split the work evenly and say how long a run will take.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analysis.calibration import simulate
from analysis.calibration.simulate import ErrorProcess
from analysis.errors import AnalysisError
from analysis.models import event_study, forecast, interception, salvo, trend

#: Nominal levels checked: 80% where the function lets the level be chosen, always 95%.
LEVELS = (0.80, 0.95)
HEADLINE_LEVEL = 0.95
#: Bootstrap size in calibration runs: 199 keeps the 2.5% and 97.5% points on whole
#: replicates ((199 + 1) * 0.025 = 5) at half the report's cost; the run has 600+ replicates
#: per estimator, so the extra Monte Carlo noise of each interval averages out in the coverage.
CALIBRATION_BOOT = 199


class CalibrationError(AnalysisError):
    """A calibration run cannot go ahead (an unknown estimator, a missing model function)."""


@dataclass(frozen=True)
class Outcome:
    """What one replicate says at one nominal level: the share of its intervals that held the
    truth (0 or 1 for a single interval; a share for the forecast's many weeks), the mean
    interval width, the estimate and the truth (NaN where there is no single one)."""

    level: float
    covered: float
    width: float
    estimate: float
    truth: float


Replicate = Callable[[ErrorProcess, np.random.Generator, Mapping[str, Any]], list[Outcome]]


@dataclass(frozen=True)
class Estimator:
    """A headline interval under calibration: ``replicate`` simulates one data set and returns
    its outcomes; ``cost`` is rough seconds per replicate on one core; ``function`` names the
    public function (``module:name``) it calls, so a run can say which ones are missing."""

    name: str
    label: str
    replicate: Replicate
    cost: float
    function: str
    options: Mapping[str, Any] = field(default_factory=dict)
    headline: bool = True

    def available(self) -> bool:
        """True when the public function this adapter calls exists (the toy calls none)."""
        return not self.function or _lookup(self.function) is not None


def _lookup(function: str) -> Callable | None:
    module_name, _, name = function.partition(":")
    modules = {
        "trend": trend,
        "salvo": salvo,
        "interception": interception,
        "event_study": event_study,
        "forecast": forecast,
    }
    module = modules.get(module_name)
    return getattr(module, name, None) if module is not None else None


def _function(function: str) -> Callable:
    found = _lookup(function)
    if found is None:
        module, _, name = function.partition(":")
        raise CalibrationError(f"analysis.models.{module} has no {name}() yet")
    return found


def accepted(fn: Callable, options: Mapping[str, Any]) -> dict[str, Any]:
    """The ``options`` that ``fn`` takes: those it names, or all when it takes ``**kwargs``
    (an estimator lists only options its function forwards)."""
    params = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return dict(options)
    return {k: v for k, v in options.items() if k in params}


def levels_of(fn: Callable) -> tuple[float, ...]:
    """80% and 95% when ``fn`` names a ``level`` parameter, else 95% only."""
    return LEVELS if "level" in inspect.signature(fn).parameters else (HEADLINE_LEVEL,)


def _seeded(fn: Callable) -> bool:
    return "seed" in inspect.signature(fn).parameters


class NotEstimated(ValueError):
    """The function gave no interval (NaN) on a simulated data set: counted as failed."""


def interval_outcomes(
    fn: Callable,
    call: Callable[[dict[str, Any]], tuple[float, float, float]],
    truth: float,
    options: Mapping[str, Any],
    rng: np.random.Generator,
    *,
    levels: tuple[float, ...] | None = None,
    seeded: bool | None = None,
) -> list[Outcome]:
    """Call ``call(kwargs)`` (which calls ``fn``) once per level, with the ``options`` ``fn``
    takes and, when it is ``seeded``, a bootstrap seed drawn from ``rng`` (so each replicate
    draws its own resamples); one :class:`Outcome` per level. ``levels`` and ``seeded``
    default to what ``fn``'s signature names (a function that forwards ``**options`` says
    in its docstring what it takes, and its adapter passes that). Raises
    :class:`NotEstimated` when an interval is NaN."""
    levels = levels_of(fn) if levels is None else levels
    base = accepted(fn, options)
    if _seeded(fn) if seeded is None else seeded:
        base["seed"] = int(rng.integers(2**31 - 1))
    out = []
    for level in levels:
        kwargs = {**base, "level": level} if len(levels) > 1 else base
        estimate, low, high = (float(v) for v in call(kwargs))
        if not (math.isfinite(low) and math.isfinite(high)):
            raise NotEstimated(f"no {level:.0%} interval")
        out.append(Outcome(level, float(low <= truth <= high), high - low, estimate, truth))
    return out


# --- adapters ----------------------------------------------------------------------------------


def growth(process: ErrorProcess, rng: np.random.Generator, options: Mapping[str, Any]):
    """Monthly growth of a year of weekly NB counts with a planted 5% a month (the function
    answers in percent)."""
    fn = _function("trend:growth_interval")
    counts, truth = simulate.growth_counts(process, rng)
    return interval_outcomes(
        fn, lambda kw: fn(counts, freq="W", **kw), 100 * truth, options, rng, seeded=False
    )


def defeat_doubling(process: ErrorProcess, rng: np.random.Generator, options: Mapping[str, Any]):
    """Change in the defeat rate when the median salvo doubles, month-clustered waves."""
    fn = _function("interception:doubling_interval")
    sample, truth = simulate.defeat_sample(process, rng)
    return interval_outcomes(
        fn,
        lambda kw: fn(sample, **kw),
        truth,
        options,
        rng,
        levels=LEVELS,  # doubling_interval forwards level, n_boot and seed
        seeded=True,
    )


def _salvo(quantile: float) -> Replicate:
    def replicate(process: ErrorProcess, rng: np.random.Generator, options: Mapping[str, Any]):
        fn = _function("salvo:slope_interval")
        dates, sizes, truth = simulate.salvo_sizes(process, rng, quantiles=(quantile,))
        return interval_outcomes(
            fn,
            lambda kw: fn(dates, sizes, quantile=quantile, **kw),
            truth[quantile],
            options,
            rng,
            levels=LEVELS,  # slope_interval forwards level, n_boot and seed
            seeded=True,
        )

    replicate.__doc__ = f"Yearly slope of the {quantile:.0%} quantile of salvo size."
    return replicate


def event_level(process: ErrorProcess, rng: np.random.Generator, options: Mapping[str, Any]):
    """Level ratio at an event with a planted 1.5-fold jump, 26 weeks each side."""
    fn = _function("event_study:level_change_interval")
    weekly, event, truth = simulate.event_counts(process, rng, window=26)
    return interval_outcomes(fn, lambda kw: fn(weekly, event, 26, **kw), truth, options, rng)


#: Three years of weeks: the forecast backtest's training, tuning and scored origins fit.
FORECAST_WEEKS = 156
#: Fewer outer origins and a shorter tuning span than the report's backtest, so that a
#: replicate takes about a second; the intervals are made the same way.
FORECAST_OPTIONS = {"origins": 13, "tuning_weeks": 26}


def forecast_intervals(
    process: ErrorProcess, rng: np.random.Generator, options: Mapping[str, Any]
) -> list[Outcome]:
    """Share of the realised weeks inside the chosen model's 80% and 95% forecast intervals,
    over the outer origins of a backtest on three years of simulated weekly counts."""
    fn = _function("forecast:interval_coverage")
    weekly, _ = simulate.growth_counts(process, rng, n_weeks=FORECAST_WEEKS, growth=0.02)
    table = fn(weekly, **accepted(fn, options))
    return forecast_outcomes(table)


def forecast_outcomes(table: pd.DataFrame) -> list[Outcome]:
    """Outcomes from a forecast coverage table: either long (``level``, ``covered`` and, if
    given, ``low``/``high``) or wide (``in80``/``in95`` with ``lo80``/``hi80``...)."""
    out = []
    if {"level", "covered"} <= set(table.columns):
        for level, part in table.groupby("level"):
            width = (part["high"] - part["low"]).mean() if "high" in part else math.nan
            out.append(Outcome(float(level), float(part["covered"].mean()), width, *[math.nan] * 2))
        return out
    for pct in (80, 95):
        if f"in{pct}" in table:
            hi, lo = table.get(f"hi{pct}"), table.get(f"lo{pct}")
            width = float((hi - lo).mean()) if hi is not None and lo is not None else math.nan
            out.append(
                Outcome(pct / 100, float(table[f"in{pct}"].mean()), width, math.nan, math.nan)
            )
    return out


def toy_mean(process: ErrorProcess, rng: np.random.Generator, options: Mapping[str, Any]):
    """The mean of 50 unit-variance normal values with the textbook interval ``xbar +/- z /
    sqrt(n)``, which assumes independence: exact coverage is known under every process
    (:func:`toy_exact_coverage`), so it checks the coverage machinery itself."""
    n = int(options.get("n", 50))
    x = simulate.normal_sample(process, rng, n=n)
    out = []
    for level in LEVELS:
        half = float(stats.norm.ppf(0.5 + level / 2)) / math.sqrt(n)
        estimate = float(x.mean())
        out.append(Outcome(level, float(abs(estimate) <= half), 2 * half, estimate, 0.0))
    return out


def toy_exact_coverage(process: ErrorProcess, level: float, n: int = 50) -> float:
    """The toy interval's true coverage: ``2 Phi(z / sqrt(n var(xbar))) - 1``."""
    z = float(stats.norm.ppf(0.5 + level / 2))
    sd = math.sqrt(n * simulate.ar1_mean_variance(n, process.rho))
    return float(2 * stats.norm.cdf(z / sd) - 1)


#: The month bootstraps the fixed-b intervals replaced, kept in the table as comparisons.
SALVO_BOOT = {"n_boot": CALIBRATION_BOOT, "interval": "block_bootstrap"}
DEFEAT_BOOT = {"n_boot": CALIBRATION_BOOT, "interval": "cluster_bootstrap"}

#: The headline intervals, then the month bootstraps they replaced (``headline=False``: shown
#: in the table for comparison, never judged as a headline). ``cost``: rough seconds per
#: replicate (every level) on one busy core, measured; the runner cuts the work by it and the
#: quick subset keeps the cheap ones.
ESTIMATORS: tuple[Estimator, ...] = (
    Estimator(
        "growth",
        "Monthly growth rate",
        growth,
        cost=0.05,
        function="trend:growth_interval",
    ),
    Estimator(
        "defeat_doubling",
        "Defeat rate when the salvo doubles",
        defeat_doubling,
        cost=0.05,
        function="interception:doubling_interval",
    ),
    Estimator(
        "salvo_median",
        "Typical salvo size: yearly growth",
        _salvo(0.5),
        cost=0.15,
        function="salvo:slope_interval",
    ),
    Estimator(
        "salvo_p90",
        "Large salvos (1 in 10): yearly growth",
        _salvo(0.9),
        cost=0.17,
        function="salvo:slope_interval",
    ),
    Estimator(
        "event_level",
        "Level change at an event",
        event_level,
        cost=0.02,
        function="event_study:level_change_interval",
    ),
    Estimator(
        "forecast",
        "Forecast intervals (weeks ahead)",
        forecast_intervals,
        cost=2.0,
        function="forecast:interval_coverage",
        options=FORECAST_OPTIONS,
    ),
    Estimator(
        "defeat_doubling_bootstrap",
        "Old month bootstrap: defeat rate",
        defeat_doubling,
        cost=0.6,
        function="interception:doubling_interval",
        options=DEFEAT_BOOT,
        headline=False,
    ),
    Estimator(
        "salvo_median_bootstrap",
        "Old month bootstrap: typical salvo",
        _salvo(0.5),
        cost=1.0,
        function="salvo:slope_interval",
        options=SALVO_BOOT,
        headline=False,
    ),
    Estimator(
        "salvo_p90_bootstrap",
        "Old month bootstrap: large salvos",
        _salvo(0.9),
        cost=1.0,
        function="salvo:slope_interval",
        options=SALVO_BOOT,
        headline=False,
    ),
)
TOY = Estimator(
    "toy_mean", "Toy: mean of normal values", toy_mean, cost=0.0001, function="", headline=False
)


def estimator_named(name: str) -> Estimator:
    """The estimator called ``name`` (the toy included), or CalibrationError naming them all."""
    for estimator in (*ESTIMATORS, TOY):
        if estimator.name == name:
            return estimator
    names = ", ".join(e.name for e in (*ESTIMATORS, TOY))
    raise CalibrationError(f"no estimator {name!r}; choose from {names}")
