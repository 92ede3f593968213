"""Simulated data with a planted truth, under independent and autocorrelated errors.

Real launch counts are autocorrelated (campaigns last weeks) and clustered by month, which
makes intervals that assume independence too narrow. Each simulator here therefore takes an
:class:`ErrorProcess`: ``iid`` (no dependence at all) or ``ar1_0.3`` / ``ar1_0.5`` (a
stationary AR(1) latent error with that lag-1 correlation in time order, plus, where the
simulator says so, a month effect that is itself AR(1) across months). The latent error always
has variance 1, so the planted mean, quantile or effect is the same under every process and
only the dependence changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import signal, stats
from scipy.special import expit

#: Days per month (365.25 / 12) and weeks per month, as the trend model counts them.
DAYS_PER_MONTH = 365.25 / 12
WEEKS_PER_MONTH = DAYS_PER_MONTH / 7
DAYS_PER_YEAR = 365.25
START = "2023-01-02"  # a Monday: weekly series start on week starts


@dataclass(frozen=True)
class ErrorProcess:
    """How the latent errors of a simulation depend on each other: ``rho`` is the lag-1
    correlation of a stationary AR(1) (0: independent)."""

    name: str
    rho: float

    @property
    def dependent(self) -> bool:
        return self.rho != 0.0


PROCESSES: tuple[ErrorProcess, ...] = (
    ErrorProcess("iid", 0.0),
    ErrorProcess("ar1_0.3", 0.3),
    ErrorProcess("ar1_0.5", 0.5),
)


def process_named(name: str) -> ErrorProcess:
    """The :data:`PROCESSES` entry called ``name``, or ValueError listing the names."""
    for process in PROCESSES:
        if process.name == name:
            return process
    raise ValueError(f"error process {name!r} is not one of {', '.join(p.name for p in PROCESSES)}")


def ar1(n: int, rho: float, rng: np.random.Generator) -> np.ndarray:
    """``n`` values of a stationary AR(1) with variance 1 and lag-1 correlation ``rho``
    (started from its stationary distribution, so there is no burn-in)."""
    if not -1 < rho < 1:
        raise ValueError(f"need -1 < rho < 1, not {rho}")
    scale = math.sqrt(1 - rho**2)
    shocks = rng.standard_normal(n)
    if n:
        shocks[0] /= scale  # x[0] = shocks[0] * scale ~ N(0, 1)
    return signal.lfilter([scale], [1.0, -rho], shocks)


def latent(
    process: ErrorProcess,
    months: np.ndarray,
    rng: np.random.Generator,
    month_share: float = 0.0,
) -> np.ndarray:
    """A unit-variance latent error per observation (in time order), with ``months`` the
    observation's month number (0, 1, ...): an AR(1) at ``process.rho`` over observations
    plus, when the process is dependent, a share ``month_share`` of the variance from a month
    effect that is AR(1) across months. ``iid`` is independent standard normal."""
    months = np.asarray(months, dtype=int)
    share = month_share if process.dependent else 0.0
    if not 0 <= share < 1:
        raise ValueError(f"need 0 <= month_share < 1, not {month_share}")
    own = ar1(len(months), process.rho, rng)
    if share == 0:
        return own
    first = int(months.min()) if len(months) else 0
    effect = ar1(int(months.max()) - first + 1 if len(months) else 0, process.rho, rng)
    return math.sqrt(1 - share) * own + math.sqrt(share) * effect[months - first]


def week_starts(n_weeks: int, start: str = START) -> pd.DatetimeIndex:
    """``n_weeks`` Mondays from ``start``, named ``period`` like the project's weekly series."""
    return pd.date_range(start, periods=n_weeks, freq="7D", name="period")


def month_numbers(dates: pd.DatetimeIndex | pd.Series) -> np.ndarray:
    """Calendar months counted from the first date's month (0, 1, ...)."""
    index = pd.DatetimeIndex(dates)
    months = index.year * 12 + index.month
    return np.asarray(months - months.min(), dtype=int)


def nb_counts(
    mean: np.ndarray,
    process: ErrorProcess,
    rng: np.random.Generator,
    *,
    months: np.ndarray | None = None,
    sigma: float = 0.3,
    alpha: float = 0.05,
    month_share: float = 0.0,
) -> np.ndarray:
    """Negative binomial counts whose expected value is ``mean``: the log mean carries a
    latent error ``sigma * z - sigma**2 / 2`` (``z`` from :func:`latent`), then each count is
    NB2 with dispersion ``alpha`` (Poisson when 0) around it."""
    mean = np.asarray(mean, dtype=float)
    months = np.arange(len(mean)) if months is None else months
    z = latent(process, months, rng, month_share)
    rate = mean * np.exp(sigma * z - sigma**2 / 2)
    if alpha > 0:
        rate = rate * rng.gamma(1 / alpha, alpha, len(rate))
    return rng.poisson(rate)


def growth_counts(
    process: ErrorProcess,
    rng: np.random.Generator,
    *,
    n_weeks: int = 52,
    growth: float = 0.05,
    level: float = 200.0,
    sigma: float = 0.3,
    alpha: float = 0.05,
    month_share: float = 0.0,
) -> tuple[pd.Series, float]:
    """Weekly counts whose mean grows by ``growth`` a month (months of 30.44 days), AR(1) on
    the log mean at the process's ``rho``; returns the series (indexed by week starts) and
    the planted monthly growth rate."""
    index = week_starts(n_weeks)
    months = np.arange(n_weeks) / WEEKS_PER_MONTH
    mean = level * np.exp(math.log1p(growth) * months)
    counts = nb_counts(
        mean,
        process,
        rng,
        months=month_numbers(index),
        sigma=sigma,
        alpha=alpha,
        month_share=month_share,
    )
    return pd.Series(counts, index=index, name="count"), growth


def event_counts(
    process: ErrorProcess,
    rng: np.random.Generator,
    *,
    window: int = 26,
    ratio: float = 1.5,
    level: float = 100.0,
    growth: float = 0.02,
    sigma: float = 0.3,
    alpha: float = 0.05,
    month_share: float = 0.0,
) -> tuple[pd.Series, pd.Timestamp, float]:
    """Weekly counts with a level change by ``ratio`` at an event: ``window`` weeks before and
    after it (plus four weeks of margin each side), a steady trend of ``growth`` a month, the
    event on the Monday that starts the first post-event week. Returns the series, the event
    date and the planted ratio."""
    margin = 4
    n_weeks = 2 * (window + margin)
    index = week_starts(n_weeks)
    t = np.arange(n_weeks)
    shift = window + margin
    mean = level * np.exp(math.log1p(growth) * t / WEEKS_PER_MONTH) * np.where(t >= shift, ratio, 1)
    counts = nb_counts(
        mean,
        process,
        rng,
        months=month_numbers(index),
        sigma=sigma,
        alpha=alpha,
        month_share=month_share,
    )
    return pd.Series(counts, index=index, name="count"), index[shift], ratio


def _wave_times(rng: np.random.Generator, n_waves: int, years: float) -> pd.DatetimeIndex:
    t = np.sort(rng.uniform(0.0, years, n_waves))
    days = np.round(t * DAYS_PER_YEAR)
    return pd.DatetimeIndex(pd.Timestamp(START) + pd.to_timedelta(days, unit="D"))


def salvo_sizes(
    process: ErrorProcess,
    rng: np.random.Generator,
    *,
    n_waves: int = 400,
    years: float = 3.5,
    intercept: float = 20.0,
    slope: float = 40.0,
    sigma: float = 0.5,
    month_share: float = 0.25,
    quantiles: tuple[float, ...] = (0.5, 0.9),
) -> tuple[pd.Series, np.ndarray, dict[float, float]]:
    """Wave sizes with known quantile lines: ``size = (intercept + slope * t) * exp(sigma *
    z)`` rounded to whole drones, ``t`` in years and ``z`` from :func:`latent` (AR(1) over
    waves in time order, and a month effect when dependent). The ``q`` quantile grows by
    ``slope * exp(sigma * z_q)`` a year. Returns the wave dates, sizes and the true slope per
    quantile."""
    dates = _wave_times(rng, n_waves, years)
    t = np.asarray((dates - dates[0]) / pd.Timedelta(days=1), dtype=float) / DAYS_PER_YEAR
    z = latent(process, month_numbers(dates), rng, month_share)
    size = np.maximum(1, np.round((intercept + slope * t) * np.exp(sigma * z)))
    truth = {q: slope * math.exp(sigma * float(stats.norm.ppf(q))) for q in quantiles}
    return pd.Series(dates, name="date"), size.astype("int64"), truth


def defeat_truth(intercept: float, slope: float, salvo: float) -> float:
    """The change in the defeat rate, in percentage points, when a salvo of ``salvo`` doubles:
    ``100 * (expit(a + b * (log2 s + 1)) - expit(a + b * log2 s))``."""
    x = intercept + slope * math.log2(salvo)
    return 100 * float(expit(x + slope) - expit(x))


def defeat_sample(
    process: ErrorProcess,
    rng: np.random.Generator,
    *,
    n_waves: int = 300,
    years: float = 3.0,
    intercept: float = 2.5,
    slope: float = -0.3,
    rho: float = 0.05,
    salvo_range: tuple[float, float] = (2, 600),
    month_share: float = 0.3,
) -> tuple[pd.DataFrame, float]:
    """Waves with a known doubling effect on the defeat rate and month-clustered
    over-dispersion.

    Salvos ``n`` are log-uniform on ``salvo_range``; a wave's defeat share is
    ``Beta(mu (1 - rho) / rho, (1 - mu) (1 - rho) / rho)`` with ``logit mu = intercept +
    slope * log2 n`` (no time trend), drawn through a Gaussian copula on the latent ``z`` of
    :func:`latent`, so that each share keeps that beta distribution (and its mean ``mu``) while
    waves close in time and in the same month move together; ``k ~ Binomial(n, share)``.
    Returns an :func:`analysis.models.interception.measure_sample`-like table (``wave_id,
    date, year, time_known, launched, defeated, successes, eligible``) and the true change in
    percentage points when the median salvo doubles (:func:`defeat_truth`)."""
    dates = _wave_times(rng, n_waves, years)
    lo, hi = np.log(salvo_range[0]), np.log(salvo_range[1])
    n = np.round(np.exp(rng.uniform(lo, hi, n_waves))).astype("int64")
    mu = expit(intercept + slope * np.log2(n))
    z = latent(process, month_numbers(dates), rng, month_share)
    size = (1 - rho) / rho
    share = stats.beta.ppf(stats.norm.cdf(z), mu * size, (1 - mu) * size)
    k = rng.binomial(n, share)
    frame = pd.DataFrame(
        {
            "wave_id": np.arange(n_waves),
            "date": dates,
            "year": dates.year,
            "time_known": True,
            "launched": n,
            "defeated": k,
            "successes": k,
            "eligible": True,
        }
    )
    return frame, defeat_truth(intercept, slope, float(np.median(n)))


def normal_sample(
    process: ErrorProcess, rng: np.random.Generator, *, n: int = 50, mean: float = 0.0
) -> np.ndarray:
    """``n`` unit-variance normal values around ``mean``, AR(1) at the process's ``rho``:
    the toy on which the coverage machinery is checked against an exact answer."""
    return mean + ar1(n, process.rho, rng)


def ar1_mean_variance(n: int, rho: float) -> float:
    """The exact variance of the mean of ``n`` values of a unit-variance stationary AR(1):
    ``(1 / n**2) * sum_ij rho**|i - j|``."""
    lags = np.arange(1, n)
    return float((n + 2 * np.sum((n - lags) * rho**lags)) / n**2)
