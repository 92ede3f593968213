"""Newey-West (Bartlett) variances with fixed-b critical values, shared by every headline
interval that must hold under autocorrelation.

Why fixed-b. A Newey-West standard error with a bandwidth ``M`` that is a sizeable share of
the ``T`` periods (``b = M / T``) is itself noisy; reading its t-statistic against the normal
distribution gives intervals that are too narrow. Kiefer and Vogelsang (2005) show that the
statistic has a non-normal limit for fixed ``b``; its quantiles are simulated here for the
design at hand, a trend slope (a regressor that moves with time) or a location (a regressor
that does not), with Gaussian AR(1) errors at the residuals' own lag-1 correlation as a
small-sample guard.

Month sums. Waves are irregular in time (from none to dozens a month), so the per-wave
influence of an estimate is summed per calendar month (empty months count as zero) and the
long-run variance is taken over the months: dependence within a month is kept whole, and
dependence between neighbouring months is weighted by the Bartlett kernel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import signal

LEVEL = 0.95
#: Gaussian series simulated per critical value: the Monte Carlo error of a 97.5% quantile is
#: then about 0.05 at the widths met here.
CV_DRAWS = 2000
RHO_CAP = 0.9
DESIGNS = ("trend", "location")


def hac_bandwidth(n_periods: int) -> int:
    """Bartlett bandwidth ``M = ceil(1.3 * sqrt(T))`` (at least 2, at most T): the rule of
    Lazarus, Lewis, Stock and Watson (2018) for fixed-b tests, which trades a little power for
    intervals that keep their coverage under autocorrelation."""
    return int(min(max(2, math.ceil(1.3 * math.sqrt(n_periods))), n_periods))


def bartlett_sum(q: np.ndarray, bandwidth: int) -> np.ndarray:
    """Bartlett long-run sum of each row of ``q``: ``sum_|j|<M (1 - |j|/M) sum_t q_t q_t+j``.

    Computed as ``(1/M) * sum_k S_k**2`` over the sums ``S_k`` of ``q`` in every window of
    ``M`` consecutive periods (windows cut at the ends): the Bartlett kernel is two box kernels
    convolved, so this takes one cumulative sum instead of ``M`` lagged products.
    """
    M = int(bandwidth)
    pad = [(0, 0)] * (q.ndim - 1) + [(M - 1, M - 1)]
    padded = np.pad(q, pad)
    zero = np.zeros((*q.shape[:-1], 1))
    cumulative = np.concatenate([zero, np.cumsum(padded, axis=-1)], axis=-1)
    window = cumulative[..., M:] - cumulative[..., :-M]
    return np.sum(window * window, axis=-1) / M


def bartlett_covariance(q: np.ndarray, bandwidth: int) -> np.ndarray:
    """Bartlett long-run covariance ``(p, p)`` of the rows of ``q`` ``(T, p)``: the matrix
    form of :func:`bartlett_sum` (windows of ``M`` periods, ``(1/M) sum_k S_k S_k'``)."""
    q = np.asarray(q, dtype=float)
    M = int(bandwidth)
    padded = np.pad(q, [(M - 1, M - 1), (0, 0)])
    cumulative = np.vstack([np.zeros((1, q.shape[1])), np.cumsum(padded, axis=0)])
    window = cumulative[M:] - cumulative[:-M]
    return window.T @ window / M


def acf1(residuals: np.ndarray) -> float:
    """Lag-1 autocorrelation (NaN for a constant series)."""
    r = np.asarray(residuals, dtype=float)
    r = r - r.mean()
    denominator = float(np.sum(r**2))
    return float(np.sum(r[1:] * r[:-1]) / denominator) if denominator > 0 else math.nan


def ar1_for_critical_value(residuals: np.ndarray) -> float:
    """Lag-1 autocorrelation of the residuals with Kendall's bias correction (+ (1 + 3 rho) / T,
    short series understate it), clipped to [0, 0.9] and rounded to 0.01."""
    rho = acf1(residuals)
    if not np.isfinite(rho):
        return 0.0
    rho += (1 + 3 * rho) / len(residuals)
    return round(min(max(rho, 0.0), RHO_CAP), 2)


@lru_cache(maxsize=256)
def _null_statistics(T: int, M: int, rho: float, design: str, seed: int) -> np.ndarray:
    """Sorted |t| statistics of the slope (``trend``) or mean (``location``) under the null."""
    rng = np.random.default_rng(seed)
    e = rng.standard_normal((CV_DRAWS, T))
    if rho > 0:
        e[:, 0] /= math.sqrt(1 - rho**2)  # a stationary start
        e = signal.lfilter([1.0], [1.0, -rho], e, axis=1)
    if design == "trend":
        t = np.arange(T) - (T - 1) / 2
        h = t / (t @ t)  # slope = h @ y
        u = e - e.mean(axis=1, keepdims=True) - np.outer(e @ h, t)
    else:
        h = np.full(T, 1 / T)
        u = e - e.mean(axis=1, keepdims=True)
    statistic = np.sort(np.abs(e @ h) / np.sqrt(bartlett_sum(u * h, M)))
    statistic.flags.writeable = False
    return statistic


def _checked(n_periods: int, bandwidth: int, rho: float, design: str) -> tuple[int, int, float]:
    T, M = int(n_periods), int(bandwidth)
    if not 1 <= M <= T:
        raise ValueError(f"bandwidth must be a whole number from 1 to {T}, not {bandwidth}")
    if design not in DESIGNS:
        raise ValueError(f"design {design!r} is not one of {', '.join(DESIGNS)}")
    return T, M, round(min(max(float(rho), 0.0), RHO_CAP), 2)


def fixed_b_critical_value(
    n_periods: int,
    bandwidth: int,
    rho: float = 0.0,
    *,
    level: float = LEVEL,
    seed: int = 0,
    design: str = "trend",
) -> float:
    """Two-sided critical value of a Newey-West (Bartlett, bandwidth ``M``) t-statistic.

    Simulated with :data:`CV_DRAWS` Gaussian series of ``n_periods`` values with AR(1) errors
    (``rho``; 0 for independent errors): the fixed-b distribution (Kiefer and Vogelsang 2005)
    at ``b = M / T`` of the slope of a linear trend (``design="trend"``; Bunzel and
    Vogelsang 2005) or of a mean (``"location"``). The published polynomials are for a mean;
    for a trend slope they are much too small (2.8 instead of 3.5 at T = 26, M = 7). A fixed
    seed makes the value reproducible.
    """
    statistic = _null_statistics(*_checked(n_periods, bandwidth, rho, design), design, seed)
    return float(np.quantile(statistic, level))


def fixed_b_p_value(
    statistic: float, n_periods: int, bandwidth: int, rho: float = 0.0, *, design: str = "trend"
) -> float:
    """Two-sided p-value of a Newey-West t-statistic against the same simulated fixed-b null
    as :func:`fixed_b_critical_value`: ``(1 + #{null >= |t|}) / (1 + N)``."""
    if not np.isfinite(statistic):
        return math.nan
    null = _null_statistics(*_checked(n_periods, bandwidth, rho, design), design, 0)
    extreme = len(null) - int(np.searchsorted(null, abs(statistic), side="left"))
    return (1 + extreme) / (1 + len(null))


def month_sums(values: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Per calendar month (``months``: codes 0, 1, ... from :func:`month_codes`), the sum of
    ``values`` (rows ``(n,)`` or ``(n, p)``); months with no rows are zero rows."""
    months = np.asarray(months, dtype="int64")
    values = np.asarray(values, dtype=float)
    out = np.zeros((int(months.max()) + 1, *values.shape[1:]))
    np.add.at(out, months, values)
    return out


def month_means(values: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Per calendar month with rows, the mean of ``values`` (months without rows left out)."""
    months = np.asarray(months, dtype="int64")
    sums = np.bincount(months, weights=np.asarray(values, dtype=float))
    counts = np.bincount(months)
    return sums[counts > 0] / counts[counts > 0]


@dataclass(frozen=True)
class MonthHAC:
    """A Newey-West covariance over calendar months with what its fixed-b critical value
    needs: ``cov`` of the estimates, the months ``n_months`` (``T``), the ``bandwidth``
    (``M``), the residuals' bias-corrected lag-1 correlation across months ``rho`` and the
    ``design`` (``trend`` when the regressor of interest is time, ``location`` otherwise)."""

    cov: np.ndarray
    n_months: int
    bandwidth: int
    rho: float
    design: str

    def critical(self, level: float = LEVEL) -> float:
        """The larger of the fixed-b critical values under independent errors and at ``rho``
        (an estimated rho below zero never shrinks the interval)."""
        args = (self.n_months, self.bandwidth)
        return max(
            fixed_b_critical_value(*args, 0.0, level=level, design=self.design),
            fixed_b_critical_value(*args, self.rho, level=level, design=self.design),
        )

    def p_value(self, estimate: float, se: float) -> float:
        """Two-sided fixed-b p-value of ``estimate / se`` (the larger of the two nulls)."""
        if not se > 0:
            return math.nan
        args = (estimate / se, self.n_months, self.bandwidth)
        return max(
            fixed_b_p_value(*args, 0.0, design=self.design),
            fixed_b_p_value(*args, self.rho, design=self.design),
        )

    def describe(self) -> str:
        """How the interval was made, for a method note."""
        return (
            f"Newey-West over {self.n_months} months, fixed-b (M = {self.bandwidth}, "
            f"b = {self.bandwidth / self.n_months:.2f})"
        )


def month_hac(
    influence: np.ndarray, months: np.ndarray, residuals: np.ndarray, design: str
) -> MonthHAC:
    """The Newey-West covariance of estimates whose per-row influence is ``influence``
    ``(n, p)`` (each estimate minus its value is about the sum of its rows' influence):
    influence summed per calendar month, Bartlett over the months at :func:`hac_bandwidth`,
    with ``rho`` from the month means of ``residuals``."""
    per_month = month_sums(influence, months)
    T = len(per_month)
    M = hac_bandwidth(T)
    rho = ar1_for_critical_value(month_means(residuals, months))
    return MonthHAC(bartlett_covariance(per_month, M), T, M, rho, design)
