"""Regimes: structural breaks in the weekly level of drone or missile launches.

The model is a piecewise-constant mean of ``y_t = log1p(weekly launches)`` with Gaussian
errors. The log scale is used because escalation is multiplicative (a step from 100 to 200
drones a week is the same size as one from 500 to 1,000) and because it roughly stabilises the
variance of counts whose spread grows with their level; ``log1p`` keeps zero weeks.

* **Segmentations.** For every number of breaks ``m = 0..K`` the least-squares segmentation is
  found exactly by dynamic programming (``ruptures.Dynp``, cost ``"l2"``), with at least
  ``min_size`` weeks per regime.
* **Number of breaks.** BIC for a Gaussian piecewise-constant mean,
  ``BIC(m) = n·log(RSS_m / n) + (2m + 2)·log n``: ``m + 1`` means, ``m`` break dates and one
  variance (Yao 1988). Autocorrelated residuals make spurious breaks cheaper, so the lag-1
  autocorrelation ``ρ`` of the residuals (within regimes) is reported, and
  ``criterion="bic_ar1"`` multiplies the penalty by the AR(1) long-run variance factor
  ``(1 + ρ) / (1 − ρ)``, with ``ρ`` from the BIC fit and clipped to [0, 0.9].
* **Break-date uncertainty.** A residual block bootstrap: keep the fitted regime means, resample
  each regime's residuals as circular blocks of ``block`` weeks from that same regime (so the
  larger scatter of quiet, zero-heavy regimes stays where it was, and short-range
  autocorrelation within a block is kept), re-estimate the breaks with the chosen count, and
  take the 2.5–97.5 % range of each break date. In each replicate a break is matched to the
  nearest re-estimated break that is closer to it than to any other estimated break;
  ``refound`` is the share of replicates with such a match.
* **Regimes.** Inside each regime: the level ``expm1(mean log1p)`` (a typical week) with a 95 %
  t-interval, and a log-linear trend in % per month with a 95 % interval — a diagnostic of how
  far the regime is from flat. Both intervals are widened by ``sqrt((1 + ρ) / (1 − ρ))``
  (ρ ≥ 0) and are conditional on the estimated break dates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import ruptures as rpt
from scipy import stats

from analysis.data.series import complete_counts
from analysis.modelresult import ModelResult

#: Mean weeks per calendar month (365.25 / 12 / 7).
WEEKS_PER_MONTH = 365.25 / 12 / 7
CRITERIA = ("bic", "bic_ar1")
GROUPS = ("drones", "missiles")
#: Floor of the residual variance, so that a constant series has a finite BIC.
_VAR_FLOOR = 1e-12
_RHO_CAP = 0.9

ASSUMPTIONS = (
    "Between breaks the weekly level is constant on the log1p scale; a change is a step, "
    "not a ramp (the growth column shows how far each regime is from flat).",
    "Errors on the log1p scale are Gaussian with one common variance and independent across "
    "weeks for the criterion; the bootstrap allows short-range dependence within blocks and "
    "a different error distribution in each regime.",
    "The number of breaks is chosen by BIC (2 parameters per break: its date and the new "
    "level) among 0..max_breaks; each regime lasts at least min_size weeks.",
    "Only complete Monday-to-Sunday weeks are used; a week is dated by its Monday and a "
    "launch by the Kyiv date on which its report window ends.",
)
CAVEATS = (
    "A break date is where the level shifts in the data, not a cause: a break that coincides "
    "with an event (a supply deal, a new production line, a campaign) is a correlation that "
    "the model cannot attribute.",
    "A steady trend is fitted as a staircase: with a growing series the number and placement "
    "of breaks depend on min_size and the criterion, so read them as a summary of the path.",
    "Weeks with zero or few launches (early drone weeks, missile lulls) are very noisy on the "
    "log scale and pull breaks towards them; the common-variance criterion is then too lenient "
    "in quiet periods and too strict in busy ones.",
    "Break-date intervals are conditional on the chosen number of breaks, and regime intervals "
    "are conditional on the break dates; neither includes the uncertainty of the count.",
    "Counts are reported launches (Air Force reports); reporting practice changed over time.",
)


def _validate(weekly: pd.Series, max_breaks: int, min_size: int) -> np.ndarray:
    if not isinstance(weekly, pd.Series):
        raise ValueError("weekly must be a pandas Series of weekly launches")
    if min_size < 2:
        raise ValueError(f"min_size must be at least 2 weeks, got {min_size}")
    if max_breaks < 0:
        raise ValueError(f"max_breaks must be non-negative, got {max_breaks}")
    try:
        values = pd.to_numeric(weekly, errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"weekly launches must be numeric: {err}") from err
    if not np.isfinite(values).all():
        raise ValueError("weekly launches contain missing or infinite values")
    if (values < 0).any():
        raise ValueError("weekly launches must be non-negative")
    if len(values) < 2 * min_size:
        raise ValueError(
            f"series too short: {len(values)} weeks, need at least 2 × min_size = {2 * min_size}"
        )
    if not weekly.index.is_unique or not weekly.index.is_monotonic_increasing:
        raise ValueError("weekly must have a unique, increasing index (one row per week)")
    return values


def _segment_costs(y: np.ndarray, min_size: int) -> np.ndarray:
    """``C[i, j]``: residual sum of squares of ``y[i:j]`` about its mean (inf if too short)."""
    n = len(y)
    s1 = np.concatenate([[0.0], np.cumsum(y)])
    s2 = np.concatenate([[0.0], np.cumsum(y * y)])
    length = np.arange(n + 1)[None, :] - np.arange(n + 1)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        cost = (s2[None, :] - s2[:, None]) - (s1[None, :] - s1[:, None]) ** 2 / length
    cost = np.maximum(cost, 0.0)
    cost[length < min_size] = np.inf
    return cost


def optimal_breaks(y: np.ndarray, n_breaks: int, min_size: int) -> list[int]:
    """Exact least-squares segmentation with ``n_breaks`` breaks (vectorised DP).

    Returns the first index of each new regime (ruptures' breakpoints without the final
    ``n``). Same optimum as ``ruptures.Dynp(model="l2", jump=1)``, fast enough for a bootstrap.
    """
    n = len(y)
    cost = _segment_costs(y, min_size)
    best = cost[0].copy()
    back = []
    for _ in range(n_breaks):
        total = best[:, None] + cost
        arg = np.argmin(total, axis=0)
        best = total[arg, np.arange(n + 1)]
        back.append(arg)
    cuts, end = [], n
    for arg in reversed(back):
        end = int(arg[end])
        cuts.append(end)
    return sorted(cuts)


def _fit_path(y: np.ndarray, max_breaks: int, min_size: int) -> list[tuple[list[int], float]]:
    """Best segmentation and its RSS for every feasible count 0..max_breaks (ruptures)."""
    algo = rpt.Dynp(model="l2", min_size=min_size, jump=1).fit(y)
    feasible = min(max_breaks, len(y) // min_size - 1)
    path = []
    for m in range(feasible + 1):
        bkps = algo.predict(n_bkps=m)
        path.append((list(bkps[:-1]), float(algo.cost.sum_of_costs(bkps))))
    algo.seg.cache_clear()  # the memo is shared by every Dynp instance; free it
    return path


def _bounds(n: int, cuts: list[int]) -> list[tuple[int, int]]:
    edges = [0, *cuts, n]
    return list(zip(edges[:-1], edges[1:], strict=True))


def _fitted(y: np.ndarray, cuts: list[int]) -> np.ndarray:
    out = np.empty_like(y)
    for a, b in _bounds(len(y), cuts):
        out[a:b] = y[a:b].mean()
    return out


def _lag1(resid: np.ndarray, cuts: list[int]) -> float:
    """Lag-1 autocorrelation of residuals, pairs within the same regime only."""
    num = sum(float(resid[a + 1 : b] @ resid[a : b - 1]) for a, b in _bounds(len(resid), cuts))
    den = float(resid @ resid)
    return num / den if den > 0 else 0.0


def _ar_factor(rho: float) -> float:
    r = min(max(rho, 0.0), _RHO_CAP)
    return (1 + r) / (1 - r)


def _bootstrap(
    y: np.ndarray, cuts: list[int], min_size: int, n_boot: int, block: int, seed: int
) -> np.ndarray:
    """Break indices re-estimated on bootstrap series (n_boot × len(cuts)).

    Each replicate is the fitted regime means plus residuals resampled, regime by regime, as
    circular blocks of ``block`` weeks drawn from that regime's own residuals.
    """
    fitted = _fitted(y, cuts)
    resid = y - fitted
    n, rng = len(y), np.random.default_rng(seed)
    segments = []
    for a, b in _bounds(n, cuts):
        size = b - a
        length = min(block, size)
        segments.append((a, b, size, length, -(-size // length)))
    out = np.empty((n_boot, len(cuts)), dtype=int)
    noise = np.empty(n)
    for r in range(n_boot):
        for a, b, size, length, n_blocks in segments:
            starts = rng.integers(0, size, n_blocks)
            take = ((starts[:, None] + np.arange(length)[None, :]) % size).ravel()[:size]
            noise[a:b] = resid[a:b][take]
        out[r] = optimal_breaks(fitted + noise, len(cuts), min_size)
    return out


def _match(boot: np.ndarray, cuts: list[int]) -> np.ndarray:
    """For each estimated break, the nearest re-estimated break of each replicate that lies
    closer to it than to any other estimated break (-1 when there is none)."""
    out = np.full(boot.shape, -1, dtype=int)
    if not boot.size:
        return out
    dist = np.abs(boot[:, :, None] - np.asarray(cuts)[None, None, :])  # replicate, found, cut
    owner = dist.argmin(axis=2)
    for j in range(len(cuts)):
        d = np.where(owner == j, dist[:, :, j], np.inf)
        best = d.argmin(axis=1)
        hit = np.isfinite(d[np.arange(len(boot)), best])
        out[hit, j] = boot[hit, best[hit]]
    return out


def _label(index: pd.Index, i: int):
    value = index[i]
    return pd.Timestamp(value) if isinstance(index, pd.DatetimeIndex) else value


def _regime_row(y: np.ndarray, raw: np.ndarray, factor: float) -> dict[str, float]:
    k = len(y)
    mean = float(y.mean())
    sd = float(y.std(ddof=1)) if k > 1 else math.nan
    half = stats.t.ppf(0.975, k - 1) * sd / math.sqrt(k) * math.sqrt(factor)
    row = {
        "level": math.expm1(mean),
        "level_low": max(math.expm1(mean - half), 0.0),
        "level_high": math.expm1(mean + half),
        "mean_launches": float(raw.mean()),
        "total_launches": float(raw.sum()),
        "sd_log": sd,
    }
    growth = low = high = math.nan
    if k >= 3:
        t = np.arange(k, dtype=float)
        fit = stats.linregress(t, y)
        se = fit.stderr * math.sqrt(factor)
        q = stats.t.ppf(0.975, k - 2)
        to_pct = lambda b: 100 * math.expm1(b * WEEKS_PER_MONTH)  # noqa: E731
        growth, low, high = (
            to_pct(fit.slope),
            to_pct(fit.slope - q * se),
            to_pct(fit.slope + q * se),
        )
    row.update(growth_pct_month=growth, growth_low=low, growth_high=high)
    return row


def find_regimes(
    weekly: pd.Series,
    max_breaks: int = 8,
    min_size: int = 8,
    n_boot: int = 500,
    seed: int = 0,
    *,
    criterion: str = "bic",
    block: int | None = None,
) -> ModelResult:
    """Structural breaks in the level of ``log1p(weekly)``.

    ``weekly`` holds launches per complete week, in order (a DatetimeIndex of week starts gives
    dated output). ``criterion`` is ``"bic"`` or ``"bic_ar1"`` (penalty × (1+ρ)/(1−ρ));
    ``n_boot`` residual-block-bootstrap replicates with blocks of ``block`` weeks (default
    ``ceil(n ** (1/3))``) give the break-date intervals; ``n_boot=0`` skips them.
    """
    raw = _validate(weekly, max_breaks, min_size)
    if criterion not in CRITERIA:
        raise ValueError(f"criterion {criterion!r} is not one of {', '.join(CRITERIA)}")
    if n_boot < 0:
        raise ValueError(f"n_boot must be non-negative, got {n_boot}")
    y = np.log1p(raw)
    n, index = len(y), weekly.index
    block = int(block) if block is not None else math.ceil(n ** (1 / 3))
    if block < 1:
        raise ValueError(f"block must be at least 1 week, got {block}")

    path = _fit_path(y, max_breaks, min_size)
    counts = np.arange(len(path))
    rss = np.array([r for _, r in path])
    loglik_term = n * np.log(np.maximum(rss / n, _VAR_FLOOR))
    penalty = (2 * counts + 2) * math.log(n)
    bic = loglik_term + penalty
    m_bic = int(np.argmin(bic))
    rho = _lag1(y - _fitted(y, path[m_bic][0]), path[m_bic][0])
    factor = _ar_factor(rho)
    bic_ar1 = loglik_term + penalty * factor
    m_ar1 = int(np.argmin(bic_ar1))
    chosen = m_bic if criterion == "bic" else m_ar1
    cuts = path[chosen][0]
    if criterion == "bic_ar1":
        rho = _lag1(y - _fitted(y, cuts), cuts)
    resid_factor = _ar_factor(rho)

    criterion_table = pd.DataFrame(
        {
            "n_breaks": counts,
            "rss": rss,
            "sigma": np.sqrt(rss / n),
            "bic": bic,
            "bic_ar1": bic_ar1,
            "chosen": counts == chosen,
            "break_dates": [", ".join(str(_date(index, i)) for i in c) for c, _ in path],
        }
    )

    boot = (
        _bootstrap(y, cuts, min_size, n_boot, block, seed)
        if cuts and n_boot > 0
        else np.empty((0, len(cuts)), dtype=int)
    )
    matched = _match(boot, cuts)
    fitted = _fitted(y, cuts)
    break_rows = []
    for j, cut in enumerate(cuts):
        before, after = float(fitted[cut - 1]), float(fitted[cut])
        found = matched[:, j][matched[:, j] >= 0]
        low = high = None
        if len(found):
            low = _label(index, int(np.quantile(found, 0.025, method="lower")))
            high = _label(index, int(np.quantile(found, 0.975, method="higher")))
        break_rows.append(
            {
                "break": _label(index, cut),
                "low": low,
                "high": high,
                "week_index": cut,
                "level_before": math.expm1(before),
                "level_after": math.expm1(after),
                "ratio": math.exp(after - before),
                "refound": len(found) / len(boot) if len(boot) else math.nan,
                "within_2w": float(np.mean(np.abs(found - cut) <= 2)) if len(found) else math.nan,
            }
        )
    breaks = pd.DataFrame(
        break_rows,
        columns=[
            "break",
            "low",
            "high",
            "week_index",
            "level_before",
            "level_after",
            "ratio",
            "refound",
            "within_2w",
        ],
    )

    regime_rows = []
    for k, (a, b) in enumerate(_bounds(n, cuts)):
        end = _label(index, b - 1)
        if isinstance(end, pd.Timestamp):
            end = end + pd.Timedelta(days=6)  # the Sunday closing the last week
        regime_rows.append(
            {
                "regime": k + 1,
                "start": _label(index, a),
                "end": end,
                "weeks": b - a,
                **_regime_row(y[a:b], raw[a:b], resid_factor),
            }
        )
    regimes = pd.DataFrame(regime_rows)

    summary: dict[str, float | int | str | None] = {
        "n_weeks": n,
        "first_week": str(_date(index, 0)),
        "last_week": str(_date(index, n - 1)),
        "n_breaks": len(cuts),
        "criterion": (
            "BIC = n·log(RSS/n) + (2m+2)·log n"
            if criterion == "bic"
            else "BIC with penalty × (1+ρ)/(1−ρ) (AR(1) long-run variance)"
        ),
        "break_dates": ", ".join(str(_date(index, i)) for i in cuts),
        "n_breaks_bic": m_bic,
        "n_breaks_bic_ar1": m_ar1,
        "resid_lag1_acf": rho,
        "ar1_penalty_factor": factor,
        "max_breaks": len(path) - 1,
        "min_size": min_size,
        "n_boot": int(len(boot)),
        "block_weeks": block,
        "interval": "regime-wise residual block bootstrap, 2.5–97.5 % of re-estimated dates",
    }
    return ModelResult(
        name="regimes",
        summary=summary,
        tables={"breaks": breaks, "regimes": regimes, "criterion": criterion_table},
        assumptions=ASSUMPTIONS,
        caveats=CAVEATS,
    )


def _date(index: pd.Index, i: int):
    value = _label(index, i)
    return value.date() if isinstance(value, pd.Timestamp) else value


def weekly_launches(
    strikes: pd.DataFrame, group: str = "drones", start=None, end=None
) -> pd.Series:
    """Launches per complete Monday–Sunday week of a headline group (``drones``/``missiles``)."""
    if group not in GROUPS:
        raise ValueError(f"group {group!r} is not one of {', '.join(GROUPS)}")
    out = complete_counts(strikes, group, by="headline", freq="W", start=start, end=end)
    return out.astype(float).rename_axis("week")


def regimes_for(
    strikes: pd.DataFrame, group: str = "drones", start=None, end=None, **kw
) -> ModelResult:
    """:func:`find_regimes` on the weekly launches of ``group`` (incomplete weeks dropped)."""
    weekly = weekly_launches(strikes, group, start, end)
    result = find_regimes(weekly, **kw)
    return ModelResult(
        name=f"regimes: {group}",
        summary={"group": group, **result.summary},
        tables=result.tables,
        assumptions=result.assumptions,
        caveats=result.caveats,
    )


@dataclass(frozen=True)
class RegimeFit:
    """One headline group's regimes and the weekly series they were found in."""

    group: str
    result: ModelResult | None
    weekly: pd.Series | None = None
    error: str = ""


def fit_regimes(
    strikes: pd.DataFrame, groups: Sequence[str], *, start=None, end=None
) -> dict[str, RegimeFit]:
    """:func:`~analysis.models.regimes.regimes_for` for every headline group in ``groups``."""
    out = {}
    for group in groups:
        try:
            weekly = weekly_launches(strikes, group, start, end)
            result = regimes_for(strikes, group, start, end)
        except ValueError as error:
            out[group] = RegimeFit(group, None, error=str(error))
            continue
        out[group] = RegimeFit(group, result, weekly)
    return out
