"""Smooth trend and growth rates of launch counts: negative binomial GLMs.

Two models, both negative binomial (NB2: ``Var = mu + alpha * mu**2``) with a log link and an
offset of ``log(days in the period)``, so that months of 28 and 31 days compare fairly:

* **Trend** (:func:`fit_trend`): ``log mu = spline(t) (+ day of week)``. The spline is a
  natural cubic regression spline (patsy ``cr``, centred) in time, with ``spline_df`` columns;
  by default about one degree of freedom per four months of data (at least 3, at most 20 and at
  most a quarter of the periods). Daily data get six day-of-week terms (Monday is the
  reference). Table ``fitted`` holds the fitted mean with a 95% confidence band (Wald, on the
  linear predictor, from the coefficient covariance, then exponentiated) and a plug-in 95%
  prediction interval from the NB distribution at the fitted mean (parameter uncertainty
  ignored).
* **Growth** (:func:`fit_growth`): over a window (the last 6 and 12 months and the whole span by
  default) a log-linear NB GLM ``log mu = a + b * t (+ day of week)`` with ``t`` in months of
  30.44 days (365.25 / 12), so ``b = b_day * 30.44``. Growth per month is ``exp(b) - 1``,
  doubling time ``ln 2 / b`` months; both CIs are the CI of ``b`` transformed. The headline CI
  of ``b`` is Newey-West (Bartlett, bandwidth ``M = ceil(1.3 sqrt(T))``) with fixed-b critical
  values simulated for a trend slope (see :func:`fit_growth`), because launch counts are
  autocorrelated; the model-based Wald CI stays beside it (``*_model``). When the CI of ``b``
  reaches zero or below, the doubling time has no finite upper bound and the table says "not
  doubling" rather than quoting a negative or infinite time.

``alpha`` is estimated by maximum likelihood, maximising the profile likelihood over
``log alpha`` (bounded Brent; at each alpha the coefficients come from IRLS). This is the
estimate of ``statsmodels``' ``NegativeBinomial`` (NB2), which the tests check, but it does
not fail, as Newton steps do, when the data are close to Poisson and alpha goes to zero, and
it needs no SVDs (fast). Its 95% CI is the profile-likelihood interval (lower end 0 when
Poisson is not rejected). The coefficient covariance is the inverse expected information
``inv(X' W X)`` at the estimated alpha (NB2 coefficients and alpha are asymptotically
uncorrelated), or Newey-West with ``hac_lags``. The likelihood-ratio test of NB against
Poisson halves the chi-square(1) tail because ``alpha = 0`` lies on the boundary of the
parameter space (a 50:50 chi-bar-square mixture).

The trend band treats periods as independent given the trend. Real launch counts are
autocorrelated (campaigns last days to weeks), which makes model-based CIs too narrow; the lag-1
autocorrelation of the Pearson residuals is reported, ``hac_lags`` switches the band's
coefficient covariance to Newey-West (HAC), and the growth CIs are fixed-b Newey-West by
default.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import patsy
import statsmodels.api as sm
from scipy import optimize, signal, special, stats

from analysis.data.labels import PERIOD_WORDS
from analysis.data.series import complete_counts
from analysis.modelresult import ModelResult
from analysis.models.hac import (
    acf1,
    ar1_for_critical_value,
    bartlett_sum,
    fixed_b_critical_value,
    hac_bandwidth,
)

FREQS = ("D", "W", "M")
#: Days per month used to express growth per month (365.25 / 12 = 30.44).
DAYS_PER_MONTH = 365.25 / 12
#: Fewest periods :func:`fit_trend` accepts; windows need :data:`MIN_WINDOW_PERIODS`.
MIN_PERIODS = 8
MIN_WINDOW_PERIODS = 4
DEFAULT_WINDOWS = (6, 12)
LEVEL = 0.95
_Z = float(stats.norm.ppf(0.5 + LEVEL / 2))
_CHI2 = float(stats.chi2.ppf(LEVEL, 1))
_ALPHA_MIN, _ALPHA_MAX = 1e-6, 1e3
#: Growth intervals: fixed-b Newey-West (the headline), Newey-West with normal critical values
#: and ``hac_lags`` lags (the older variant), or the model-based Wald interval.
INTERVALS = ("fixed_b", "hac", "model")
#: Draws of the simulated fixed-b critical value: its Monte Carlo error is about 0.02 on a
#: value near 2.5-3.5, well below the sampling error of the interval itself.
_DOW = ("Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKDAYS = ("Mon", *_DOW)


# --- input -------------------------------------------------------------------------------------


def _check_counts(counts: pd.Series, freq: str) -> pd.Series:
    """Counts as floats on a sorted, gap-free DatetimeIndex of period starts, or ValueError."""
    _check_input(counts, freq)
    index = _period_index(counts)
    values = _count_values(counts, index)
    index, values = _sorted_periods(index, values)
    _check_steps(index, freq)
    return pd.Series(values, index=index, name=counts.name)


def _check_input(counts: pd.Series, freq: str) -> None:
    """A known frequency and a Series long enough for a trend."""
    if freq not in FREQS:
        raise ValueError(f"freq {freq!r} is not one of {', '.join(FREQS)}")
    if not isinstance(counts, pd.Series):
        raise ValueError(f"counts must be a pandas Series, not {type(counts).__name__}")
    if len(counts) < MIN_PERIODS:
        raise ValueError(
            f"too few periods: {len(counts)} given, at least {MIN_PERIODS} needed for a trend"
        )


def _period_index(counts: pd.Series) -> pd.DatetimeIndex:
    """The index of ``counts`` as dates, or ValueError."""
    try:
        return pd.DatetimeIndex(pd.to_datetime(counts.index))
    except (TypeError, ValueError) as error:
        raise ValueError(f"counts must be indexed by period start dates: {error}") from None


def _count_values(counts: pd.Series, index: pd.DatetimeIndex) -> np.ndarray:
    """The counts as floats: present, finite, non-negative, whole and not all zero."""
    values = pd.to_numeric(counts, errors="coerce").to_numpy(dtype=float)
    missing = int(np.isnan(values).sum())
    if missing:
        raise ValueError(
            f"counts has {missing} missing or non-numeric value(s); a quiet period is 0"
        )
    if not np.isfinite(values).all():
        raise ValueError("counts has infinite value(s)")
    negative = np.flatnonzero(values < 0)
    if negative.size:
        raise ValueError(
            f"counts must be non-negative: {negative.size} negative value(s), the first "
            f"{values[negative[0]]:g} at {index[negative[0]].date()}"
        )
    if not np.allclose(values, np.round(values)):
        raise ValueError("counts must be whole numbers (launch counts)")
    if values.sum() == 0:
        raise ValueError("counts are all zero: there is no trend to fit")
    return values


def _sorted_periods(
    index: pd.DatetimeIndex, values: np.ndarray
) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Index and values in date order; duplicate dates are refused."""
    if index.has_duplicates:
        raise ValueError("counts has duplicate period dates")
    if not index.is_monotonic_increasing:
        order = np.argsort(index.to_numpy(), kind="stable")
        index, values = index[order], values[order]
    return index, values


def _check_steps(index: pd.DatetimeIndex, freq: str) -> None:
    """Whole-day period starts, one per period of ``freq``, without gaps."""
    if (index != index.normalize()).any():
        raise ValueError("period dates must be whole days (period starts), not times of day")
    if freq == "M":
        if not index.is_month_start.all():
            raise ValueError("monthly counts must be indexed by the first day of each month")
        steps = np.diff(index.year * 12 + index.month)
        expected, unit = 1, "month"
    else:
        steps = np.diff(index.to_numpy()).astype("timedelta64[D]").astype(int)
        expected, unit = (1, "day") if freq == "D" else (7, "week")
    gaps = np.flatnonzero(steps != expected)
    if gaps.size:
        raise ValueError(
            f"counts must have one value per {unit} without gaps (a quiet {unit} is 0): "
            f"{index[gaps[0]].date()} is followed by {index[gaps[0] + 1].date()}"
        )


def _lengths(index: pd.DatetimeIndex, freq: str) -> np.ndarray:
    """Days in each period."""
    if freq == "D":
        return np.ones(len(index))
    if freq == "W":
        return np.full(len(index), 7.0)
    return index.days_in_month.to_numpy(dtype=float)


def _dow_matrix(index: pd.DatetimeIndex) -> np.ndarray:
    """Six day-of-week indicators (Tuesday..Sunday; Monday is the reference)."""
    day = index.day_of_week.to_numpy()
    return np.column_stack([(day == k).astype(float) for k in range(1, 7)])


# --- negative binomial fit ---------------------------------------------------------------------


@dataclass(frozen=True)
class _NBFit:
    params: np.ndarray
    cov: np.ndarray
    alpha: float
    llf: float
    llf_poisson: float
    mu: np.ndarray

    @property
    def k(self) -> int:
        return len(self.params)


def _loglik(y: np.ndarray, mu: np.ndarray, alpha: float) -> float:
    """NB2 log-likelihood (Poisson when alpha is 0)."""
    if alpha <= 0:
        return float(np.sum(special.xlogy(y, mu) - mu - special.gammaln(y + 1)))
    r = 1 / alpha
    return float(
        np.sum(
            special.gammaln(y + r)
            - special.gammaln(r)
            - special.gammaln(y + 1)
            - r * np.log1p(mu / r)
            + special.xlogy(y, mu / (r + mu))
        )
    )


def _irls(y, X, offset, alpha: float, beta: np.ndarray | None = None):
    """Maximum-likelihood coefficients of the NB2 (or Poisson) GLM at a fixed alpha.

    Plain IRLS with step halving, warm-started from ``beta``: a few small solves, no SVD, so
    that the profile over alpha costs milliseconds. Returns ``(beta, mu, loglik)``.
    """
    if beta is None:
        mu = (y + y.mean()) / 2
        w = mu / (1 + alpha * mu)
        z = np.log(mu) - offset
        xtw = X.T * w
        beta = np.linalg.solve(xtw @ X, xtw @ z)
    mu = np.exp(np.clip(X @ beta + offset, -700, 700))
    llf = _loglik(y, mu, alpha)
    for _ in range(100):
        eta = X @ beta + offset
        w = mu / (1 + alpha * mu)
        z = eta - offset + (y - mu) / mu
        xtw = X.T * w
        try:
            step = np.linalg.solve(xtw @ X, xtw @ z) - beta
        except np.linalg.LinAlgError:
            raise ValueError("the design is singular: too few non-zero periods?") from None
        for _ in range(30):  # step halving keeps the log-likelihood from falling
            trial = beta + step
            trial_mu = np.exp(np.clip(X @ trial + offset, -700, 700))
            trial_llf = _loglik(y, trial_mu, alpha)
            if np.isfinite(trial_llf) and trial_llf >= llf - 1e-10 * abs(llf):
                break
            step = step / 2
        beta, mu, change, llf = trial, trial_mu, trial_llf - llf, trial_llf
        if abs(change) < 1e-10 * (abs(llf) + 1) and np.max(np.abs(step)) < 1e-7:
            break
    return beta, mu, llf


def _nb_fit(y: np.ndarray, X: np.ndarray, offset: np.ndarray, hac_lags=None) -> _NBFit:
    """NB2 fit: alpha by maximising the profile likelihood over log(alpha), coefficients by
    IRLS at that alpha; covariance ``inv(X' W X)`` or, with ``hac_lags``, Newey-West."""
    beta_p, mu_p, llf_p = _irls(y, X, offset, 0.0)
    state = {"beta": beta_p}

    def negative(log_alpha: float) -> float:
        beta, _, llf = _irls(y, X, offset, math.exp(log_alpha), state["beta"])
        state["beta"] = beta
        return -llf

    best = optimize.minimize_scalar(
        negative,
        bounds=(math.log(_ALPHA_MIN), math.log(_ALPHA_MAX)),
        method="bounded",
        options={"xatol": 1e-5},
    )
    alpha = math.exp(best.x)
    if best.x < math.log(_ALPHA_MIN) + 0.01 or -best.fun <= llf_p:
        alpha = 0.0  # the maximum is on the boundary: the Poisson fit
    beta, mu, llf = _irls(y, X, offset, alpha, state["beta"])
    if not (np.all(np.isfinite(beta)) and np.isfinite(llf)):
        raise ValueError("the negative binomial fit did not converge")
    if hac_lags:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # alpha = 0 is the Poisson fit: use that family (NB's variance divides by alpha).
            family = (
                sm.families.NegativeBinomial(alpha=alpha) if alpha > 0 else sm.families.Poisson()
            )
            glm = sm.GLM(y, X, family=family, offset=offset)
            cov = np.asarray(
                glm.fit(
                    start_params=beta,
                    maxiter=100,
                    cov_type="HAC",
                    cov_kwds={"maxlags": int(hac_lags)},
                ).cov_params()
            )
    else:
        xtw = X.T * (mu / (1 + alpha * mu))
        cov = np.linalg.inv(xtw @ X)
    return _NBFit(params=beta, cov=cov, alpha=alpha, llf=max(llf, llf_p), llf_poisson=llf_p, mu=mu)


def _alpha_ci(y, X, offset, fit: _NBFit) -> tuple[float, float]:
    """Profile-likelihood 95% CI of alpha; the lower end is 0 when Poisson is not rejected."""
    state = {"beta": fit.params}

    def excess(log_alpha: float) -> float:  # > 0 outside the interval
        beta, _, llf = _irls(y, X, offset, math.exp(log_alpha), state["beta"])
        state["beta"] = beta
        return 2 * (fit.llf - llf) - _CHI2

    log_hat, log_min, log_max = (
        math.log(max(fit.alpha, _ALPHA_MIN)),
        math.log(_ALPHA_MIN),
        math.log(_ALPHA_MAX),
    )
    if 2 * (fit.llf - fit.llf_poisson) <= _CHI2:
        low = 0.0
    else:
        step, lo = 1.0, log_hat - 1.0
        while (lo_excess := excess(lo)) < 0 and lo > log_min:
            step *= 2
            lo = max(log_hat - step, log_min)
        state["beta"] = fit.params
        low = math.exp(optimize.brentq(excess, lo, log_hat, xtol=1e-5)) if lo_excess > 0 else 0.0
    state["beta"] = fit.params
    step, hi = 1.0, log_hat + 1.0
    while excess(hi) < 0:
        if hi >= log_max:
            return low, math.inf
        step *= 2
        hi = min(log_hat + step, log_max)
    state["beta"] = fit.params
    high = math.exp(optimize.brentq(excess, log_hat, hi, xtol=1e-5))
    return low, high


def _lr_test(fit: _NBFit) -> tuple[float, float]:
    """LR statistic of NB against Poisson and its chi-bar-square p-value (half the chi2(1))."""
    statistic = max(0.0, 2 * (fit.llf - fit.llf_poisson))
    p_value = 1.0 if statistic == 0 else 0.5 * float(stats.chi2.sf(statistic, 1))
    return statistic, p_value


def _pearson(y: np.ndarray, mu: np.ndarray, alpha: float) -> np.ndarray:
    return (y - mu) / np.sqrt(mu + alpha * mu**2)


# --- growth ------------------------------------------------------------------------------------


def _doubling(b: float, low: float, high: float) -> tuple[float, float, float, str]:
    """Doubling time in months (estimate, CI) from a log slope per month and its CI."""
    ln2 = math.log(2)
    if not np.isfinite(b):
        return math.nan, math.nan, math.nan, "not estimated"
    estimate = ln2 / b if b > 0 else math.inf
    fastest = ln2 / high if high > 0 else math.inf
    slowest = ln2 / low if low > 0 else math.inf
    if low > 0:
        text = f"doubles every {estimate:.1f} months (95% CI {fastest:.1f} to {slowest:.1f})"
    elif b > 0:
        text = (
            f"not clearly doubling: estimate {estimate:.1f} months, but the growth CI "
            f"includes zero (CI {fastest:.1f} months to never)"
        )
    elif high < 0:
        text = f"not doubling: falling, halves every {-ln2 / b:.1f} months"
    else:
        text = "not doubling: no clear growth (the growth CI includes zero)"
    return estimate, fastest, slowest, text


def _slope_hac_se(y: np.ndarray, X: np.ndarray, fit: _NBFit, bandwidth: int) -> float:
    """Newey-West (Bartlett, bandwidth ``M``, weights ``1 - j/M``) standard error of the slope:
    the sandwich ``H^-1 S H^-1`` of the NB2 scores, ``H = X' W X`` as in the model-based one."""
    mu, alpha = fit.mu, fit.alpha
    bread = np.linalg.inv((X.T * (mu / (1 + alpha * mu))) @ X)
    q = (bread @ X.T)[1] * (y - mu) / (1 + alpha * mu)  # the slope's influence per period
    return float(math.sqrt(bartlett_sum(q, bandwidth)))


def _window(index: pd.DatetimeIndex, lengths: np.ndarray, months: int | None):
    """Mask of the periods in the last ``months`` months, the window's first day and whether
    the data reach back that far."""
    last_day = index[-1] + pd.Timedelta(days=float(lengths[-1]))  # day after the data end
    if months is None:
        return np.ones(len(index), bool), index[0], True
    first_day = last_day - pd.DateOffset(months=months)
    return np.asarray(index >= first_day), first_day, bool(index[0] <= first_day)


def _empty_growth_row(label: str, months, start, end, n_periods: int) -> dict:
    nan = math.nan
    return {
        "window": label,
        "months": months,
        "start": start,
        "end": end,
        "n_periods": n_periods,
        "slope_per_month": nan,
        "slope_se": nan,
        "growth_pct_per_month": nan,
        "growth_pct_low": nan,
        "growth_pct_high": nan,
        "doubling_months": nan,
        "doubling_low": nan,
        "doubling_high": nan,
        "doubling": "not estimated",
        "slope_se_model": nan,
        "growth_pct_low_model": nan,
        "growth_pct_high_model": nan,
        "interval": "",
        "bandwidth": nan,
        "bandwidth_b": nan,
        "critical_value": nan,
        "alpha": nan,
        "resid_acf1": nan,
        "note": "",
    }


def _check_interval(interval: str) -> None:
    if interval not in INTERVALS:
        raise ValueError(f"interval {interval!r} is not one of {', '.join(INTERVALS)}")


def _headline_interval(
    y: np.ndarray, X: np.ndarray, fit: _NBFit, interval: str, bandwidth, hac_lags
) -> tuple[float, float, str, float, float]:
    """Standard error and critical value of the headline slope interval, its description, the
    bandwidth M and b = M / T (NaN for the model-based interval)."""
    n = len(y)
    if interval == "model":
        return math.sqrt(fit.cov[1, 1]), _Z, "model-based (Wald)", math.nan, math.nan
    if interval == "hac":
        M = int(hac_lags) + 1  # statsmodels' maxlags L weighs lags by 1 - j / (L + 1)
        text = f"Newey-West, {M - 1} lags, normal critical value"
        return _slope_hac_se(y, X, fit, M), _Z, text, float(M), M / n
    M = hac_bandwidth(n) if bandwidth is None else int(bandwidth)
    if not 1 <= M <= n:
        raise ValueError(f"bandwidth must be a whole number from 1 to {n}, not {bandwidth}")
    rho = ar1_for_critical_value(_pearson(y, fit.mu, fit.alpha))
    critical = max(fixed_b_critical_value(n, M), fixed_b_critical_value(n, M, rho))
    text = f"Newey-West, fixed-b (M = {M}, b = {M / n:.2f}), critical value {critical:.2f}"
    return _slope_hac_se(y, X, fit, M), critical, text, float(M), M / n


def fit_growth(
    counts: pd.Series,
    freq: str = "D",
    months: int | None = None,
    *,
    interval: str = "fixed_b",
    bandwidth: int | None = None,
    hac_lags: int | None = None,
) -> dict:
    """Average growth over the last ``months`` months (None: the whole span).

    Fits ``log mu = a + b * t (+ day of week for daily data) + log(days)`` by NB2 maximum
    likelihood on the window, ``t`` in months of 30.44 days. The headline interval
    (``interval="fixed_b"``, the default) is a Newey-West interval with fixed-b critical values:
    Bartlett weights with bandwidth ``M`` (:func:`hac_bandwidth`, ``b = M / T``) and the
    critical value of :func:`fixed_b_critical_value` for a trend slope, simulated both for
    independent errors and for AR(1) errors at the residuals' bias-corrected lag-1
    autocorrelation, the larger taken. Launch counts run in busy and quiet spells: with
    AR(1) errors at rho = 0.5 the model-based 95% interval covered about 71% of simulated
    truths, Newey-West with normal critical values 70-90%, this one 91-94% (26 to 183 weeks);
    with independent errors it covers 95%. ``interval="hac"`` gives the older Newey-West
    interval (``hac_lags`` lags, default about a month, normal critical value), ``"model"``
    the model-based one.

    Returns a dict: ``window``, ``months``, ``start``, ``end``, ``n_periods``,
    ``slope_per_month`` (``b``) and ``slope_se`` (headline), ``growth_pct_per_month``
    (``100 * (exp(b) - 1)``) with ``growth_pct_low``, ``growth_pct_high`` (headline),
    ``doubling_months`` (``ln 2 / b``; inf when not growing) with ``doubling_low`` /
    ``doubling_high`` (from the headline interval; inf when it reaches zero), ``doubling``
    (a sentence), ``slope_se_model``, ``growth_pct_low_model``, ``growth_pct_high_model``
    (model-based, for comparison), ``interval`` (how the headline interval was made),
    ``bandwidth``, ``bandwidth_b``, ``critical_value``, ``alpha``, ``resid_acf1`` (lag-1
    autocorrelation of Pearson residuals) and ``note`` (why a window was not estimated).
    """
    _check_interval(interval)
    counts = _check_counts(counts, freq)
    index, y = counts.index, counts.to_numpy()
    lengths = _lengths(index, freq)
    mask, first_day, covered = _window(index, lengths, months)
    label = "whole span" if months is None else f"last {months} months"
    end = index[-1] + pd.Timedelta(days=float(lengths[-1]) - 1)
    start = index[mask][0] if mask.any() else pd.NaT
    row = _empty_growth_row(label, months, start, end, int(mask.sum()))
    if months is None:
        row["months"] = round(((end - index[0]).days + 1) / DAYS_PER_MONTH, 1)
    if not covered:
        row["note"] = f"the data start {index[0].date()}, after the window's {first_day.date()}"
        return row
    if mask.sum() < MIN_WINDOW_PERIODS:
        row["note"] = f"only {int(mask.sum())} periods in the window"
        return row
    if y[mask].sum() == 0:
        row["note"] = "no launches in the window"
        return row
    idx, yw, lw = index[mask], y[mask], lengths[mask]
    mid = (idx - idx[0]).days.to_numpy(dtype=float) + lw / 2
    t = (mid - mid.mean()) / DAYS_PER_MONTH
    columns = [np.ones_like(t), t]
    if freq == "D":
        columns.append(_dow_matrix(idx))
    X = np.column_stack(columns)
    fit = _nb_fit(yw, X, np.log(lw))
    lags = HAC_LAGS[freq] if hac_lags is None else hac_lags
    se, critical, text, M, b_ratio = _headline_interval(yw, X, fit, interval, bandwidth, lags)
    b, se_model = float(fit.params[1]), float(math.sqrt(fit.cov[1, 1]))
    low, high = b - critical * se, b + critical * se
    doubling = _doubling(b, low, high)
    row.update(
        slope_per_month=b,
        slope_se=se,
        growth_pct_per_month=100 * math.expm1(b),
        growth_pct_low=100 * math.expm1(low),
        growth_pct_high=100 * math.expm1(high),
        doubling_months=doubling[0],
        doubling_low=doubling[1],
        doubling_high=doubling[2],
        doubling=doubling[3],
        slope_se_model=se_model,
        growth_pct_low_model=100 * math.expm1(b - _Z * se_model),
        growth_pct_high_model=100 * math.expm1(b + _Z * se_model),
        interval=text,
        bandwidth=M,
        bandwidth_b=b_ratio,
        critical_value=critical,
        alpha=fit.alpha,
        resid_acf1=acf1(_pearson(yw, fit.mu, fit.alpha)),
    )
    return row


def growth_interval(counts: pd.Series, freq: str = "W", **options) -> tuple[float, float, float]:
    """Growth per month over the whole span with its 95% interval, in percent (5.0 for 5%):
    ``(estimate, low, high)`` of :func:`fit_growth` (``options`` are its keywords), the same
    code path as the report's growth table; for calibration by simulation."""
    row = fit_growth(counts, freq, None, **options)
    return (
        float(row["growth_pct_per_month"]),
        float(row["growth_pct_low"]),
        float(row["growth_pct_high"]),
    )


# --- trend -------------------------------------------------------------------------------------


def default_spline_df(n_periods: int, span_days: float) -> int:
    """About one degree of freedom per 4 months, at least 3, at most 20 and n_periods // 4."""
    by_span = round(span_days / DAYS_PER_MONTH / 4)
    return int(max(3, min(by_span, 20, n_periods // 4)))


def _spline(t: np.ndarray, df: int) -> np.ndarray:
    return np.asarray(patsy.dmatrix(f"cr(t, df={df}, constraints='center') - 1", {"t": t}))


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def fit_trend(
    counts: pd.Series,
    freq: str = "D",
    growth_windows: Sequence[int] = DEFAULT_WINDOWS,
    spline_df: int | None = None,
    *,
    hac_lags: int | None = None,
    interval: str = "fixed_b",
    bandwidth: int | None = None,
    name: str = "trend",
) -> ModelResult:
    """NB2 GLM of counts on a natural spline in time (+ day of week for daily data).

    ``counts``: one whole-number count per period, indexed by the period's first day (days,
    weeks starting on the same weekday, or first days of months), no gaps; ``freq``: ``D``,
    ``W`` or ``M``. ``spline_df`` defaults to :func:`default_spline_df`. ``growth_windows``
    are months counted back from the end of the data; the whole span is always added. See
    the module docstring for the models; :func:`fit_growth` for the growth columns and for
    ``interval`` and ``bandwidth`` (the growth intervals). ``hac_lags`` switches the
    covariance of the trend band to Newey-West.

    Tables: ``fitted`` (``period, observed, fitted, fitted_low, fitted_high, predict_low,
    predict_high, pearson_residual``), ``growth`` (one row per window) and, for daily data,
    ``day_of_week`` (rate ratios against Monday). Raises ValueError on bad input.
    """
    counts = _check_counts(counts, freq)
    index, y = counts.index, counts.to_numpy()
    n = len(y)
    lengths = _lengths(index, freq)
    span_days = float((index[-1] - index[0]).days + lengths[-1])
    n_dow = 6 if freq == "D" else 0
    if spline_df is None:
        spline_df = default_spline_df(n, span_days)
        df_source = "default: about one per 4 months of data"
    else:
        df_source = "given"
    if int(spline_df) != spline_df or spline_df < 3:
        raise ValueError(f"spline_df must be a whole number of at least 3, not {spline_df}")
    spline_df = int(spline_df)
    if n < spline_df + 1 + n_dow + 4:
        raise ValueError(
            f"too few periods: {n} for a spline with {spline_df} df (+ intercept"
            f"{' + 6 day-of-week terms' if n_dow else ''}); give at least "
            f"{spline_df + 1 + n_dow + 4} or a smaller spline_df"
        )
    windows = [int(m) for m in growth_windows]
    if any(m <= 0 for m in windows):
        raise ValueError(f"growth_windows must be positive numbers of months: {windows}")

    mid = (index - index[0]).days.to_numpy(dtype=float) + lengths / 2
    columns = [np.ones(n), _spline(mid, spline_df)]
    if n_dow:
        columns.append(_dow_matrix(index))
    X = np.column_stack(columns)
    offset = np.log(lengths)
    fit = _nb_fit(y, X, offset, hac_lags)
    alpha_low, alpha_high = _alpha_ci(y, X, offset, fit)
    lr_stat, lr_p = _lr_test(fit)

    eta = X @ fit.params + offset
    se = np.sqrt(np.einsum("ij,jk,ik->i", X, fit.cov, X))
    mu = np.exp(eta)
    if fit.alpha > 1e-5:
        size = 1 / fit.alpha
        dist = stats.nbinom(size, size / (size + mu))
    else:
        dist = stats.poisson(mu)
    residuals = _pearson(y, mu, fit.alpha)
    fitted = pd.DataFrame(
        {
            "period": index,
            "observed": y.astype("int64"),
            "fitted": mu,
            "fitted_low": np.exp(eta - _Z * se),
            "fitted_high": np.exp(eta + _Z * se),
            "predict_low": dist.ppf(0.5 - LEVEL / 2),
            "predict_high": dist.ppf(0.5 + LEVEL / 2),
            "pearson_residual": residuals,
        }
    )

    _check_interval(interval)
    rows = [
        fit_growth(counts, freq, m, interval=interval, bandwidth=bandwidth, hac_lags=hac_lags)
        for m in [*windows, None]
    ]
    growth = pd.DataFrame(rows)
    tables = {"fitted": fitted, "growth": growth}
    if n_dow:
        coef, cov = fit.params[-6:], np.diag(fit.cov)[-6:]
        tables["day_of_week"] = pd.DataFrame(
            {
                "day": _WEEKDAYS,
                "rate_ratio": np.r_[1.0, np.exp(coef)],
                "low": np.r_[1.0, np.exp(coef - _Z * np.sqrt(cov))],
                "high": np.r_[1.0, np.exp(coef + _Z * np.sqrt(cov))],
            }
        )

    lag1 = acf1(residuals)
    k = fit.k
    summary: dict[str, float | int | str | None] = {
        "model": "negative binomial (NB2) GLM, log link, offset log(days in period)",
        "series": str(counts.name) if counts.name is not None else None,
        "freq": freq,
        "start": str(index[0].date()),
        "end": str((index[-1] + pd.Timedelta(days=lengths[-1] - 1)).date()),
        "n_periods": n,
        "total": int(y.sum()),
        "spline_df": spline_df,
        "spline_df_source": df_source,
        "day_of_week_terms": bool(n_dow),
        "cov_type": f"HAC (Newey-West, {hac_lags} lags)" if hac_lags else "model-based",
        "growth_interval": {
            "fixed_b": "Newey-West with fixed-b critical values (bandwidth 1.3 sqrt(T))",
            "hac": "Newey-West with normal critical values",
            "model": "model-based (Wald)",
        }[interval],
        "alpha": fit.alpha,
        "alpha_low": alpha_low,
        "alpha_high": _finite(alpha_high),
        "alpha_ci": "profile likelihood",
        "lr_statistic": lr_stat,
        "lr_pvalue": lr_p,
        "lr_note": "NB vs Poisson; alpha = 0 is on the boundary, so p = 0.5 * P(chi2_1 >= LR) "
        "(chi-bar-square)",
        "aic": -2 * fit.llf + 2 * (k + 1),
        "aic_poisson": -2 * fit.llf_poisson + 2 * k,
        "loglik": fit.llf,
        "resid_acf1": lag1,
    }
    for row in rows:
        key = "all" if row["window"] == "whole span" else f"{row['months']}m"
        summary[f"growth_{key}_pct"] = _finite(row["growth_pct_per_month"])
        summary[f"growth_{key}_low"] = _finite(row["growth_pct_low"])
        summary[f"growth_{key}_high"] = _finite(row["growth_pct_high"])
        summary[f"growth_{key}_low_model"] = _finite(row["growth_pct_low_model"])
        summary[f"growth_{key}_high_model"] = _finite(row["growth_pct_high_model"])
        summary[f"doubling_{key}_months"] = _finite(row["doubling_months"])
        summary[f"doubling_{key}_low"] = _finite(row["doubling_low"])
        summary[f"doubling_{key}_high"] = _finite(row["doubling_high"])
        summary[f"doubling_{key}"] = row["doubling"]

    assumptions = (
        "Counts per period are negative binomial (NB2, Var = mu + alpha mu^2) around a smooth "
        "trend; alpha is one constant over the whole span.",
        f"The trend is a natural cubic regression spline in time with {spline_df} df "
        f"({df_source}); more df follow shorter swings, fewer smooth them away.",
        "Growth over a window is one constant exponential rate (log-linear in time); growth "
        "per month = exp(b) - 1 with months of 30.44 days, doubling time = ln 2 / b.",
        "Periods are independent given the trend"
        + (" and day of week" if n_dow else "")
        + " for the trend band; the growth intervals allow for autocorrelation (Newey-West "
        "with fixed-b critical values)" * (interval == "fixed_b") + ".",
        "Each count is exposure-adjusted by the days in its period (offset log days).",
    )
    caveats = (
        "Counts are launches reported by Ukraine's Air Force, not launches that happened; "
        "reporting practice changed over the war.",
        "From 2025 the strike-drone counts include decoys (Gerbera and similar), so drone "
        "growth mixes more attack drones with more decoys.",
        f"Lag-1 autocorrelation of the Pearson residuals is {lag1:.2f}: "
        + (
            "positive autocorrelation makes the model-based trend band too narrow"
            if lag1 > 0.1 and not hac_lags
            else "HAC covariance is used for the trend band"
            if hac_lags
            else "small, so the independence assumption is not badly off"
        )
        + (
            "; the growth intervals allow for it (Newey-West, fixed-b)"
            if interval == "fixed_b"
            else ""
        )
        + ".",
        "The confidence band is for the mean, not for single periods; the prediction interval "
        "plugs in the fitted mean and alpha and ignores their uncertainty.",
        "The spline is least certain at the ends of the series, where the latest growth is.",
        "Growth over a window is an average: a jump or a fall inside the window (a change "
        "point) is smoothed into one rate.",
    )
    if n < 60:
        caveats += (
            f"Only {n} periods: alpha and the spline are estimated from few points, so the "
            "Wald band and CIs are somewhat narrower than stated (about 87% coverage of a "
            "nominal 95% band for 36 simulated months).",
        )
    return ModelResult(
        name=name, summary=summary, tables=tables, assumptions=assumptions, caveats=caveats
    )


# --- from strikes ------------------------------------------------------------------------------


def strike_counts(
    strikes: pd.DataFrame,
    group: str | Sequence[str] = "strike_drone",
    *,
    by: str | None = None,
    freq: str = "W",
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    value: str = "launched",
) -> pd.Series:
    """Counts of one group (or the sum of several) per complete period, named for the model."""
    counts = complete_counts(strikes, group, by=by, freq=freq, start=start, end=end, value=value)
    return counts.rename(f"{counts.name} {value}")


def fit_trend_strikes(
    strikes: pd.DataFrame,
    group: str | Sequence[str] = "strike_drone",
    *,
    by: str | None = None,
    freq: str = "W",
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    value: str = "launched",
    **kwargs,
) -> ModelResult:
    """:func:`fit_trend` on :func:`strike_counts` (complete periods only). ``group`` is a
    weapon class, an origin, ``drones``/``missiles`` or a list of them (summed)."""
    counts = strike_counts(strikes, group, by=by, freq=freq, start=start, end=end, value=value)
    kwargs.setdefault("name", f"trend: {counts.name} ({freq})")
    return fit_trend(counts, freq, **kwargs)


# --- simulation --------------------------------------------------------------------------------


def simulate_counts(
    n_days: int,
    growth_per_month: float,
    alpha: float,
    start_level: float,
    seed: int,
    start: str = "2023-01-02",
) -> pd.DataFrame:
    """Daily NB2 counts with a known exponential trend, for tests and checks of the method.

    ``mean = start_level * (1 + growth_per_month) ** (t / 30.44)``, ``t`` = days since
    ``start`` (taken at mid-day); ``alpha = 0`` gives Poisson counts. Returns a frame indexed
    by day with columns ``count`` and ``mean`` (the truth).
    """
    if n_days < 1 or start_level <= 0 or alpha < 0 or growth_per_month <= -1:
        raise ValueError("need n_days >= 1, start_level > 0, alpha >= 0, growth_per_month > -1")
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, periods=n_days, freq="D", name="period")
    t = np.arange(n_days) + 0.5
    mean = start_level * np.exp(math.log1p(growth_per_month) * t / DAYS_PER_MONTH)
    rate = rng.gamma(1 / alpha, alpha * mean) if alpha > 0 else mean
    return pd.DataFrame({"count": rng.poisson(rate), "mean": mean}, index=days)


def simulate_ar1_counts(
    n_weeks: int,
    growth_per_month: float,
    rho: float,
    sigma: float,
    start_level: float,
    seed: int,
    start: str = "2023-01-02",
) -> pd.DataFrame:
    """Weekly Poisson counts around an exponential trend with AR(1) noise on the log scale:
    busy and quiet spells, as in the real series, for checks of interval coverage.

    ``log rate_t = log(start_level) + log(1 + growth_per_month) * t + e_t``, ``t`` in months
    of 30.44 days at mid-week, ``e_t = rho * e_(t-1) + noise`` with standard deviation
    ``sigma`` (stationary). Returns a frame indexed by week (Mondays) with columns ``count``
    and ``mean`` (the trend without noise: the truth the growth estimates aim at).
    """
    if n_weeks < 1 or start_level <= 0 or sigma < 0 or not -1 < rho < 1:
        raise ValueError("need n_weeks >= 1, start_level > 0, sigma >= 0 and -1 < rho < 1")
    rng = np.random.default_rng(seed)
    shocks = rng.normal(0.0, sigma, n_weeks)
    shocks[1:] *= math.sqrt(1 - rho**2)
    noise = signal.lfilter([1.0], [1.0, -rho], shocks)
    t = (np.arange(n_weeks) + 0.5) * 7 / DAYS_PER_MONTH
    mean = start_level * np.exp(math.log1p(growth_per_month) * t)
    weeks = pd.date_range(start, periods=n_weeks, freq="W-MON", name="period")
    return pd.DataFrame({"count": rng.poisson(mean * np.exp(noise)), "mean": mean}, index=weeks)


def to_periods(daily: pd.Series | pd.DataFrame, freq: str) -> pd.Series | pd.DataFrame:
    """Sum daily values into complete weeks (Monday to Sunday) or calendar months, labelled
    by their first day; partly covered first and last periods are dropped."""
    if freq not in FREQS:
        raise ValueError(f"freq {freq!r} is not one of {', '.join(FREQS)}")
    if freq == "D":
        return daily
    index = pd.DatetimeIndex(daily.index)
    periods = index.to_period("W-SUN" if freq == "W" else "M")
    label = pd.DatetimeIndex(periods.start_time, name="period")
    summed = daily.groupby(label).sum()
    days = pd.Series(1, index=index).groupby(label).size()
    full = 7 if freq == "W" else days.index.days_in_month.to_numpy()
    return summed[days.to_numpy() == full]


#: Newey-West lags per frequency: about one month of periods.
HAC_LAGS: dict[str, int] = {"D": 28, "W": 4, "M": 1}


#: Fewest periods with launches for a trend: sparser series give unbounded bands.
MIN_NONZERO_PERIODS = 10


#: A fitted upper band this many times above the largest count means the fit broke down.
MAX_BAND_RATIO = 100


@dataclass(frozen=True)
class TrendFit:
    """One group's trend, or why there is none. Its growth table holds the headline (fixed-b
    Newey-West) and the model-based intervals; ``hac`` is an optional second fit with the
    Newey-West trend band (:func:`fit_trends` leaves it None: the growth intervals already
    allow for autocorrelation)."""

    group: str
    freq: str
    result: ModelResult | None
    hac: ModelResult | None = None
    hac_lags: int | None = None
    error: str = ""


def check_usable(result: ModelResult, freq: str) -> None:
    """ValueError when a fitted trend cannot be shown: too few periods with launches, or a
    band that runs off to infinity (the fit broke down on a sparse series)."""
    fitted = result.table("fitted")
    observed = fitted["observed"]
    unit = PERIOD_WORDS[freq][0]
    nonzero = int((observed > 0).sum())
    if nonzero < MIN_NONZERO_PERIODS:
        raise ValueError(
            f"launches in only {nonzero} of {len(observed)} {unit}s (at least "
            f"{MIN_NONZERO_PERIODS} needed)"
        )
    band = fitted[["fitted", "fitted_low", "fitted_high"]].to_numpy(dtype=float)
    if not (
        np.isfinite(band).all() and band.max() <= MAX_BAND_RATIO * max(float(observed.max()), 1.0)
    ):
        raise ValueError(
            f"the fit breaks down (unbounded confidence band): launches in {nonzero} of "
            f"{len(observed)} {unit}s are too few and too scattered for a trend"
        )


def fit_trends(
    strikes: pd.DataFrame,
    groups: Sequence[str],
    *,
    freq: str = "W",
    start=None,
    end=None,
    growth_windows: Sequence[int] = (6, 12),
    interval: str = "fixed_b",
) -> dict[str, TrendFit]:
    """:func:`~analysis.models.trend.fit_trend_strikes` for every group, growth intervals by
    ``interval`` (default fixed-b Newey-West, see :func:`fit_growth`). A group whose series
    cannot be fitted (all zero, too sparse) gets ``error`` instead of a result."""
    out = {}
    for group in groups:
        kwargs = dict(
            freq=freq, start=start, end=end, growth_windows=list(growth_windows), interval=interval
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                result = fit_trend_strikes(strikes, group, **kwargs)
                check_usable(result, freq)
            except ValueError as error:
                out[group] = TrendFit(group, freq, None, error=str(error))
                continue
        out[group] = TrendFit(group, freq, result)
    return out
