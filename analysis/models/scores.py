"""Forecast scores and the tests and calibrations built on them: MASE, interval coverage, the
weighted interval score, the Diebold-Mariano test with the Harvey-Leybourne-Newbold
small-sample correction, and split-conformal interval half-widths.

Each function takes plain arrays and returns a number, an array or a small frozen dataclass,
so the rolling-origin backtest (:mod:`analysis.models.forecast`) and the tests call the same
code.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

# --------------------------------------------------------------------------------------------
# point and interval scores


def mase_scale(train: np.ndarray | Sequence[float]) -> float:
    """In-sample mean absolute one-step naive error of the training window (count scale)."""
    values = np.asarray(train, dtype=float)
    if len(values) < 2:
        return float("nan")
    return float(np.mean(np.abs(np.diff(values))))


def mase(actual, predicted, train) -> float:
    """Mean absolute scaled error: mean |actual - predicted| / the naive MAE of ``train``."""
    scale = mase_scale(train)
    errors = np.abs(np.asarray(actual, dtype=float) - np.asarray(predicted, dtype=float))
    if not scale > 0:
        return float("nan")
    return float(np.mean(errors) / scale)


def inside(actual, lo, hi) -> np.ndarray:
    """Whether each actual lies in its closed interval [lo, hi]."""
    actual = np.asarray(actual, dtype=float)
    return (actual >= np.asarray(lo, dtype=float)) & (actual <= np.asarray(hi, dtype=float))


def coverage(actual, lo, hi) -> float:
    """Share of actuals inside their interval (closed at both ends)."""
    hits = inside(actual, lo, hi)
    return float(hits.mean()) if hits.size else float("nan")


def weighted_interval_score(
    actual, median, lower: np.ndarray, upper: np.ndarray, levels: Sequence[int]
) -> np.ndarray:
    """Weighted interval score of Bracher et al. (2021), per forecast (lower is better).

    ``lower`` and ``upper`` have one column per central interval in ``levels`` (percent).
    With ``alpha = 1 - level/100`` and the interval score
    ``IS = (u - l) + 2/alpha (l - y)[y < l] + 2/alpha (y - u)[y > u]``, the score is
    ``(|y - m| / 2 + sum alpha/2 IS) / (K + 1/2)``: an approximation of the CRPS in the units
    of ``actual``. The interval scores come from ``scoringrules``; the median term is added
    here, because ``scoringrules.weighted_interval_score`` (0.10) adds ``w_median * m``
    instead of ``w_median * |y - m|``.
    """
    import scoringrules

    alpha = 1 - np.asarray(levels, dtype=float) / 100
    y = np.atleast_1d(np.asarray(actual, dtype=float))
    lower = np.asarray(lower, dtype=float).reshape(len(y), len(alpha))
    upper = np.asarray(upper, dtype=float).reshape(len(y), len(alpha))
    scores = np.asarray(
        scoringrules.interval_score(y, lower, upper, alpha, backend="numpy"),
        dtype=float,
    ).reshape(len(y), len(alpha))
    median_term = 0.5 * np.abs(y - np.atleast_1d(np.asarray(median, dtype=float)))
    return (median_term + scores @ (alpha / 2)) / (len(alpha) + 0.5)


# --------------------------------------------------------------------------------------------
# Diebold-Mariano


@dataclass(frozen=True)
class DieboldMariano:
    """A Diebold-Mariano comparison of two forecasts' losses.

    ``mean_difference`` is the mean of ``loss_a - loss_b`` (negative: ``a`` has the smaller
    loss); ``statistic`` is the DM statistic with the Harvey-Leybourne-Newbold correction, and
    ``p_value`` its two-sided p-value on Student's t with ``n - 1`` degrees of freedom.
    """

    statistic: float
    p_value: float
    mean_difference: float
    n: int
    horizon: int

    def a_better(self, alpha: float = 0.05) -> bool:
        """Whether ``a`` has a significantly smaller loss at level ``alpha`` (two-sided)."""
        return bool(self.mean_difference < 0 and self.p_value < alpha)


def diebold_mariano(loss_a, loss_b, horizon: int = 1) -> DieboldMariano:
    """Diebold-Mariano test of equal expected loss, with the Harvey-Leybourne-Newbold (1997)
    small-sample correction.

    ``loss_a`` and ``loss_b`` are the two forecasts' losses at the same origins, in time order
    (pairs with a missing loss are dropped). ``horizon`` forecasts overlap, so the long-run
    variance of the loss difference ``d`` sums its autocovariances up to lag ``horizon - 1``
    (each divided by ``n``); when that sum is not positive, the plain variance is used. The
    statistic ``mean(d) / sqrt(V / n)`` is multiplied by
    ``sqrt((n + 1 - 2h + h(h - 1)/n) / n)`` and compared with Student's t, ``n - 1`` df.
    """
    if horizon < 1:
        raise ValueError("horizon must be at least 1")
    a, b = np.asarray(loss_a, dtype=float), np.asarray(loss_b, dtype=float)
    if a.shape != b.shape:
        raise ValueError("the two loss series must have the same length")
    d = (a - b)[np.isfinite(a) & np.isfinite(b)]
    n = len(d)
    if n < 2:
        mean = float(d.mean()) if n else 0.0
        return DieboldMariano(float("nan"), float("nan"), mean, n, horizon)
    mean = float(d.mean())
    dev = d - mean
    gammas = [float(dev[k:] @ dev[: n - k]) / n for k in range(min(horizon, n))]
    variance = gammas[0] + 2 * sum(gammas[1:])
    if not variance > 0:
        variance = gammas[0]
    if variance == 0:
        statistic = 0.0 if mean == 0 else math.copysign(math.inf, mean)
    else:
        correction = (n + 1 - 2 * horizon + horizon * (horizon - 1) / n) / n
        statistic = mean / math.sqrt(variance / n) * math.sqrt(max(correction, 0.0))
    p_value = float(2 * stats.t.sf(abs(statistic), df=n - 1))
    return DieboldMariano(float(statistic), p_value, mean, n, horizon)


# --------------------------------------------------------------------------------------------
# split-conformal intervals


def conformal_halfwidth(errors, level: int) -> float:
    """Half-width of a split-conformal interval at ``level`` percent from past errors.

    The ``ceil((n + 1) level/100)``-th smallest absolute error of the ``n`` finite ones: an
    interval ``point ± halfwidth`` then covers a new error of the same distribution with
    probability at least ``level`` percent. Infinite when ``n`` is too small for the level
    (fewer than 19 errors at 95%, 4 at 80%).
    """
    values = np.abs(np.asarray(errors, dtype=float))
    values = np.sort(values[np.isfinite(values)])
    rank = math.ceil((len(values) + 1) * level / 100)
    if rank > len(values) or rank < 1:
        return math.inf
    return float(values[rank - 1])


def fewest_errors(level: int) -> int:
    """The fewest past errors that give a finite conformal half-width at ``level`` percent."""
    n = 1
    while math.ceil((n + 1) * level / 100) > n:
        n += 1
    return n
