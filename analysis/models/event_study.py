"""Event studies: did weekly launches change around a partnership event?

Three views of one question, for an event date and a weekly launch series:

* **Interrupted time series** (:func:`event_study`). On ``window`` complete weeks before the
  event and ``window`` weeks after it, ``log mu_t = a + b·t + c·post_t + d·t·post_t`` with ``t``
  in weeks counted from the first post-event week ``t0`` (so ``c`` is the jump at ``t0``
  against the extrapolated pre-event trend, ``d`` the change of slope). The default fit is a
  negative binomial (NB2) GLM: ``alpha`` by maximum profile likelihood and the coefficients by
  IRLS (the fitter of :mod:`analysis.models.trend`), then a Newey–West (HAC) covariance from
  ``statsmodels`` ``GLM(..., NegativeBinomial(alpha)).fit(cov_type="HAC")`` with
  ``maxlags = floor(4·(n/100)^(2/9))`` (3 for 52 weeks). The level change is the rate ratio
  ``exp(c)``; the slope change is ``100·(exp(d·4.35) − 1)`` % per month (4.35 weeks a month).
  CIs are Wald intervals with fixed-b critical values for the Bartlett kernel (Kiefer &
  Vogelsang 2005; 2.19 instead of 1.96 for 3 lags and 52 weeks), because Newey-West standard
  errors from about 52 weeks are biased down; p-values scale the normal tail by the same
  factor (exact at 0.05, approximate elsewhere). In simulations (52 weeks, Poisson-lognormal
  counts, a planted ratio of 2) the 95% CI of the ratio held the truth in about 92% of
  replicates with independent weeks, 86% with a lag-1 autocorrelation of 0.5 in the log
  rate and about 80% at 0.7: with strong autocorrelation the CIs are still too narrow.
  Why NB rather than a log1p-linear OLS: the series are counts with zeros and small numbers
  (ballistic missiles: 0–40 a week), where ``log1p`` bends ratios towards 1 and its errors are
  far from constant; the NB ratio is a ratio of means, whatever the level. ``method=
  "log1p_ols"`` fits the same design to ``log1p(y)`` by OLS with the same HAC covariance, as a
  check.
* **Counterfactual** (:func:`counterfactual`, the idea of CausalImpact without covariates). A
  local-linear-trend model (``statsmodels`` ``UnobservedComponents``) is fitted by maximum
  likelihood to ``log1p`` of the pre-event window only and projected over the post window.
  ``n_sims`` forecast paths are simulated (the state at the end of the pre window drawn from
  its filtered distribution, then state and observation noise), back-transformed with
  ``expm1`` (floored at 0) and summed over the post weeks. The cumulative excess is the
  observed post-event total minus the median simulated total; its 95% interval is observed
  minus the 97.5% and 2.5% points of the simulated totals; the relative effect is the excess
  over the predicted total. The variance parameters are plugged in (their uncertainty is
  ignored). In simulations (a planted doubling) the interval held the true excess in about
  92% of replicates with independent weeks and 97% with autocorrelated ones. A local linear
  trend lets the slope wander, so half a year ahead the forecast often fans out to
  absurd totals; :func:`event_summary` flags ``counterfactual_informative = False`` when the
  interval is wider than twice the observed post-event total.
* **Placebo** (:func:`placebo`). The same ITS level estimate ``c`` at pseudo-event dates: every
  week start whose windows fit inside the series and that lies at least ``exclusion`` weeks
  (default 8) from every listed event (the real one included). The permutation p-value is
  ``(1 + #{|c_placebo| ≥ |c|}) / (1 + N)`` (two-sided, with the +1 correction). It asks how
  often a date with no (listed) event shows a jump as large, in this series with its own
  volatility and autocorrelation — a check that does not lean on the HAC standard errors.
  The partnership timeline is dense (an event every month or two), so only a handful of dates
  are 8 weeks from every event; :func:`event_summary` therefore also reports ``placebo_p_all``,
  over every week at least ``exclusion`` weeks from the event itself — more dates, and
  conservative if other events did move the series (their jumps widen the reference).

:func:`confounders` lists, for each event, the other events inside its window; :func:`event_summary`
runs everything for a timeline of events and writes a plain-words reading for each.

**Weeks.** The weekly series is indexed by week starts (Mondays, from
:func:`analysis.data.series.complete_counts`). The pre window is the ``window`` weeks before
the week that contains the event; the post window starts at the first week that begins on or
after the event (``event + uncertainty_days``, for a date known only to the month) plus ``lag``
weeks, and lasts ``window`` weeks. The weeks between — the event's own week when it does not
start on the event day, and the lag — are a transition left out of every fit. An event whose windows
do not fit inside the series is not estimated, and the reason says which weeks are missing.

Timing is association, not proof of cause: a change that follows an event may have other causes
(other events in the same window, campaigns, weather, air-defence supply, reporting practice).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from analysis.data.series import complete_counts
from analysis.modelresult import ModelResult
from analysis.models.trend import _acf1, _check_counts, _nb_fit, _pearson

LEVEL = 0.95
#: Mean weeks per calendar month (365.25 / 12 / 7).
WEEKS_PER_MONTH = 365.25 / 12 / 7
METHODS = ("nb", "log1p_ols")
#: Trend models of the counterfactual (``UnobservedComponents`` ``level`` specifications).
TRENDS = ("local linear trend", "random walk with drift", "local level")
#: Fewest weeks on each side of the event.
MIN_WINDOW = 8
DEFAULT_WINDOW = 26
DEFAULT_EXCLUSION = 8
#: The series an event is studied on when it names no weapon class.
PARTNER_SERIES = {"iran": "strike_drone", "north_korea": "ballistic_missile"}
SERIES_NOTES = {
    "strike_drone": "Shahed/Geran-type strike drones (Iranian design, also built in Russia); "
    "from 2025 the counts include decoys",
    "ballistic_missile": "all ballistic missiles, any origin: KN-23 launches are reported "
    "together with Iskander-M (origin russia_or_north_korea) and only a "
    "handful are named as North Korean, so a North Korean effect can "
    "only show in the total, diluted by Russian Iskander-M",
}
_QUANTILES = (0.5 - LEVEL / 2, 0.5 + LEVEL / 2)

ASSUMPTIONS = (
    "Interrupted time series: on the window around the event the log of the weekly mean is a "
    "straight line in time before the event and another after it; the level ratio exp(c) "
    "compares the first post-event week with the pre-event line extrapolated to it.",
    "Without the event the pre-event line would have continued through the post window (the "
    "ITS) or the series would have followed a local linear trend fitted to the pre window "
    "(the counterfactual); nothing else changed at the same time.",
    "Weekly counts are negative binomial (NB2) around that line, one alpha per window; the "
    "Newey-West (HAC) covariance allows autocorrelation over a few weeks.",
    "Placebo dates at least `exclusion` weeks from every listed event are exchangeable with "
    "the event date under no effect: the same design at a date without an event.",
    "The event's own week (when the event falls after its Monday) and `lag` weeks are a "
    "transition left out of the fits; a date known only to the month makes the whole month "
    "a transition.",
)
CAVEATS = (
    "Timing is association, not proof of cause: a change after an event may come from other "
    "events in the same window, campaigns, air-defence supply, weather or reporting practice; "
    "no model here can tell them apart.",
    "Many partnership events are announcements or reports of something that happened earlier "
    "(deliveries, production): their date is when it became public, not when weapons arrived.",
    "The pre-event trend is extrapolated for up to half a year; with a steep or bending trend "
    "the level ratio and the counterfactual depend strongly on the window length.",
    "Many events are tested on the same two series: about 1 in 20 p-values falls below 0.05 "
    "by chance alone, and windows of nearby events overlap (they share the data).",
    "The timeline is dense, so few placebo dates are 8 weeks or more from every event; the "
    "placebo p-value then has a coarse resolution (the smallest possible is 1/(N + 1)).",
    "Counts are launches reported by Ukraine's Air Force; from 2025 strike-drone counts include "
    "decoys, and KN-23 launches are lumped with Russian Iskander-M.",
)


# --- input and layout --------------------------------------------------------------------------


def _check_weekly(weekly: pd.Series) -> pd.Series:
    """Weekly counts as floats on a gap-free weekly index, or ValueError naming ``weekly``."""
    if not isinstance(weekly, pd.Series):
        raise ValueError(f"weekly must be a pandas Series, not {type(weekly).__name__}")
    try:
        return _check_counts(weekly, "W")
    except ValueError as error:
        raise ValueError(f"weekly: {error}") from None


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return int(value)


def _check_method(method: str) -> str:
    if method not in METHODS:
        raise ValueError(f"method {method!r} is not one of {', '.join(METHODS)}")
    return method


def _timestamp(value, name: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} {value!r} is not a date: {error}") from None
    if pd.isna(stamp):
        raise ValueError(f"{name} is missing")
    return stamp.normalize()


def fixed_b_critical_value(b: float) -> float:
    """Two-sided 95% critical value of a Bartlett-kernel HAC t-statistic under fixed-b
    asymptotics, ``b`` = bandwidth / sample size (Kiefer & Vogelsang 2005, Econometric
    Theory 21: ``1.96 + 2.9694 b + 0.4160 b² − 0.5324 b³``)."""
    return 1.959964 + 2.9694 * b + 0.4160 * b**2 - 0.5324 * b**3


def _default_maxlags(n: int) -> int:
    """Newey-West's rule of thumb ``floor(4·(n/100)^(2/9))``."""
    return int(math.floor(4 * (n / 100) ** (2 / 9)))


@dataclass(frozen=True)
class _Layout:
    """Positions (into the weekly series) of the pre, transition and post weeks."""

    event_week: int  # the week containing the event (may lie outside the series)
    first_post: int
    window: int
    n: int
    start: pd.Timestamp  # the first week start of the series

    @property
    def pre(self) -> np.ndarray:
        return np.arange(self.event_week - self.window, self.event_week)

    @property
    def post(self) -> np.ndarray:
        return np.arange(self.first_post, self.first_post + self.window)

    @property
    def transition(self) -> np.ndarray:
        return np.arange(self.event_week, self.first_post)

    def day(self, position: int) -> pd.Timestamp:
        return self.start + pd.Timedelta(weeks=int(position))

    @property
    def first_day(self) -> pd.Timestamp:
        return self.day(self.event_week - self.window)

    @property
    def last_day(self) -> pd.Timestamp:
        return self.day(self.first_post + self.window) - pd.Timedelta(days=1)

    @property
    def reason(self) -> str | None:
        """Why the windows cannot be estimated (None when they fit inside the series)."""
        if self.event_week - self.window >= 0 and self.first_post + self.window <= self.n:
            return None
        covered = f"{self.day(0).date()} to {(self.day(self.n) - pd.Timedelta(days=1)).date()}"
        return (
            f"the windows need complete weeks from {self.first_day.date()} to "
            f"{self.last_day.date()}, but the series covers {covered}"
        )


def _layout(
    index: pd.DatetimeIndex, event: pd.Timestamp, window: int, lag: int, uncertainty_days: int = 0
) -> _Layout:
    start = index[0]
    days = (event - start).days
    event_week = days // 7
    latest = days + uncertainty_days  # the latest day the event may have happened
    first_post = -(-latest // 7) + lag  # the first week starting on or after it, plus the lag
    return _Layout(
        event_week=int(event_week),
        first_post=int(first_post),
        window=window,
        n=len(index),
        start=start,
    )


def _design(layout: _Layout) -> tuple[np.ndarray, np.ndarray]:
    """Positions used in the fit and the design ``[1, t, post, t·post]`` (t in weeks)."""
    positions = np.r_[layout.pre, layout.post]
    t = (positions - layout.first_post).astype(float)
    post = (positions >= layout.first_post).astype(float)
    return positions, np.column_stack([np.ones_like(t), t, post, t * post])


def _empty_reason(y: np.ndarray, layout: _Layout) -> str | None:
    pre = y[layout.pre].sum()
    post = y[layout.post].sum()
    if pre == 0 or post == 0:
        side = "before" if pre == 0 else "after"
        return f"no launches in the {layout.window} weeks {side} the event"
    return None


# --- ITS fits ----------------------------------------------------------------------------------


def _fit_level(y: np.ndarray, X: np.ndarray, method: str) -> float:
    """The level coefficient ``c`` only (fast: no covariance), for placebo dates."""
    if method == "log1p_ols":
        return float(np.linalg.lstsq(X, np.log1p(y), rcond=None)[0][2])
    return float(_nb_fit(y, X, np.zeros(len(y))).params[2])


def _fit_full(y: np.ndarray, X: np.ndarray, method: str, maxlags: int):
    """Coefficients, HAC covariance, alpha (NaN for OLS), fitted means and residual ACF(1)."""
    if method == "log1p_ols":
        z = np.log1p(y)
        res = sm.OLS(z, X).fit(cov_type="HAC", cov_kwds={"maxlags": maxlags})
        params, cov = np.asarray(res.params), np.asarray(res.cov_params())
        fitted = np.expm1(X @ params)
        return params, cov, math.nan, fitted, _acf1(np.asarray(res.resid))
    fit = _nb_fit(y, X, np.zeros(len(y)))
    # The HAC covariance at the profile-likelihood alpha (a tiny alpha stands in for the
    # Poisson boundary, where statsmodels' NegativeBinomial family divides by alpha).
    cov_kwds = (
        {"cov_type": "HAC", "cov_kwds": {"maxlags": maxlags}}
        if maxlags > 0
        else {"cov_type": "HC0"}
    )  # HAC with no lags is White's sandwich
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        glm = sm.GLM(y, X, family=sm.families.NegativeBinomial(alpha=max(fit.alpha, 1e-8)))
        cov = np.asarray(glm.fit(start_params=fit.params, maxiter=100, **cov_kwds).cov_params())
    return fit.params, cov, fit.alpha, fit.mu, _acf1(_pearson(y, fit.mu, fit.alpha))


def _not_estimated(name: str, reason: str, summary: dict) -> ModelResult:
    summary = {**summary, "estimated": False, "reason": reason}
    return ModelResult(name=name, summary=summary, assumptions=ASSUMPTIONS, caveats=CAVEATS)


def _base_summary(
    weekly: pd.Series,
    event: pd.Timestamp,
    window: int,
    lag: int,
    uncertainty_days: int,
    layout: _Layout,
) -> dict:
    return {
        "series": str(weekly.name) if weekly.name is not None else None,
        "event_date": str(event.date()),
        "window_weeks": window,
        "lag_weeks": lag,
        "uncertainty_days": uncertainty_days,
        "pre_start": str(layout.first_day.date()),
        "pre_end": str((layout.day(layout.event_week) - pd.Timedelta(days=1)).date()),
        "post_start": str(layout.day(layout.first_post).date()),
        "post_end": str(layout.last_day.date()),
        "transition_weeks": int(layout.first_post - layout.event_week),
    }


def event_study(
    weekly: pd.Series,
    event_date,
    window: int = DEFAULT_WINDOW,
    lag: int = 0,
    *,
    method: str = "nb",
    maxlags: int | None = None,
    uncertainty_days: int = 0,
    name: str | None = None,
) -> ModelResult:
    """Interrupted time series around ``event_date`` on weekly counts.

    ``weekly``: whole-number counts indexed by week starts without gaps (e.g.
    :func:`analysis.data.series.complete_counts`); ``window``: weeks on each side (at least 8);
    ``lag``: weeks after the event before the effect is allowed (left out of the fit);
    ``method``: ``"nb"`` (NB2 GLM, default) or ``"log1p_ols"``; ``maxlags``: Newey-West lags
    (default ``floor(4·(n/100)^(2/9))``); ``uncertainty_days``: the event may lie up to this
    many days after ``event_date`` (a month-precision date). See the module docstring.

    Summary: ``ratio`` (exp c) with ``ratio_low``/``ratio_high`` and ``p_level``;
    ``slope_change_pct_month`` with ``_low``/``_high`` and ``p_slope``; ``pre_trend_pct_month``;
    ``alpha``, ``resid_acf1``, the window dates. When the windows do not fit inside the series
    (or a side has no launches) ``estimated`` is False and ``reason`` says why. Table
    ``fitted``: ``period, segment, observed, fitted, pre_trend`` (the pre-event line
    extrapolated). Raises ValueError on bad input.
    """
    weekly = _check_weekly(weekly)
    window = _check_int(window, "window", MIN_WINDOW)
    lag = _check_int(lag, "lag", 0)
    uncertainty_days = _check_int(uncertainty_days, "uncertainty_days", 0)
    method = _check_method(method)
    event = _timestamp(event_date, "event_date")
    if maxlags is None:
        maxlags = _default_maxlags(2 * window)
    maxlags = _check_int(maxlags, "maxlags", 0)
    name = name or f"event study: {weekly.name} at {event.date()}"

    layout = _layout(weekly.index, event, window, lag, uncertainty_days)
    summary = {
        "method": _method_label(method, maxlags),
        **_base_summary(weekly, event, window, lag, uncertainty_days, layout),
    }
    y_all = weekly.to_numpy()
    reason = layout.reason or _empty_reason(y_all, layout)
    if reason:
        return _not_estimated(name, reason, summary)
    positions, X = _design(layout)
    y = y_all[positions]
    try:
        params, cov, alpha, fitted, acf1 = _fit_full(y, X, method, maxlags)
    except (ValueError, np.linalg.LinAlgError) as error:
        return _not_estimated(name, f"the fit failed: {error}", summary)

    q = fixed_b_critical_value((maxlags + 1) / len(y))
    scale = q / float(stats.norm.ppf(0.5 + LEVEL / 2))
    se = np.sqrt(np.clip(np.diag(cov), 0, None))

    def wald(k: int) -> tuple[float, float, float]:
        z = abs(params[k] / se[k]) if se[k] > 0 else math.nan
        p = float(2 * stats.norm.sf(z / scale)) if np.isfinite(z) else math.nan
        return params[k] - q * se[k], params[k] + q * se[k], p

    c_low, c_high, p_level = wald(2)
    d_low, d_high, p_slope = wald(3)

    def pct(log_per_week: float) -> float:
        return 100 * math.expm1(log_per_week * WEEKS_PER_MONTH)

    pre_trend = X[:, :2] @ params[:2]
    line = np.exp(pre_trend) if method == "nb" else np.expm1(pre_trend)
    fitted_table = pd.DataFrame(
        {
            "period": weekly.index[positions],
            "segment": np.where(positions >= layout.first_post, "post", "pre"),
            "observed": y.astype("int64"),
            "fitted": fitted,
            "pre_trend": line,
        }
    )
    pre, post = y[:window], y[window:]
    summary.update(
        {
            "estimated": True,
            "reason": None,
            "n_weeks": int(len(y)),
            "maxlags": maxlags,
            "pre_mean": float(pre.mean()),
            "post_mean": float(post.mean()),
            "log_ratio": float(params[2]),
            "log_ratio_se": float(se[2]),
            "ratio": math.exp(params[2]),
            "ratio_low": math.exp(c_low),
            "ratio_high": math.exp(c_high),
            "p_level": p_level,
            "pre_trend_pct_month": pct(params[1]),
            "slope_change_pct_month": pct(params[3]),
            "slope_change_low": pct(d_low),
            "slope_change_high": pct(d_high),
            "p_slope": p_slope,
            "alpha": None if math.isnan(alpha) else float(alpha),
            "resid_acf1": acf1,
        }
    )
    coefficients = pd.DataFrame(
        {
            "term": ["intercept", "t (weeks)", "post", "t x post"],
            "estimate": params,
            "se": se,
            "low": params - q * se,
            "high": params + q * se,
        }
    )
    return ModelResult(
        name=name,
        summary=summary,
        tables={"fitted": fitted_table, "coefficients": coefficients},
        assumptions=ASSUMPTIONS,
        caveats=CAVEATS,
    )


def _method_label(method: str, maxlags: int) -> str:
    if method == "nb":
        core = "negative binomial (NB2) GLM, alpha by profile likelihood"
    else:
        core = "OLS on log1p(weekly launches)"
    return (
        f"{core}; Newey-West (HAC) covariance, {maxlags} lags; fixed-b critical values "
        "(Kiefer-Vogelsang)"
    )


# --- counterfactual ----------------------------------------------------------------------------


def counterfactual(
    weekly: pd.Series,
    event_date,
    window: int = DEFAULT_WINDOW,
    lag: int = 0,
    *,
    n_sims: int = 2000,
    seed: int = 0,
    uncertainty_days: int = 0,
    trend: str = "local linear trend",
    name: str | None = None,
) -> ModelResult:
    """Cumulative post-event excess over a local-linear-trend forecast from the pre window.

    Fits ``UnobservedComponents(log1p(y), level=trend)`` to the ``window`` weeks before the
    event, simulates ``n_sims`` paths over the transition and post weeks (seeded), and
    compares the observed post-window total with them (module docstring). ``trend`` is one of
    :data:`TRENDS`: the local linear trend (default) lets the slope wander, so over half a year
    its forecast fans out fast; ``"random walk with drift"`` keeps one slope and
    ``"local level"`` none (CausalImpact's default).

    Summary: ``observed_total``, ``predicted_total`` (median path total) with
    ``predicted_low``/``predicted_high``; ``excess`` (observed − predicted) with
    ``excess_low``/``excess_high``; ``relative_pct`` with ``relative_low``/``relative_high``;
    ``converged``. Table ``path``: ``period, segment, observed, predicted`` (weekly median of
    the simulated counts) ``, predicted_low, predicted_high``. Windows outside the series:
    ``estimated`` False and a ``reason``.
    """
    weekly = _check_weekly(weekly)
    window = _check_int(window, "window", MIN_WINDOW)
    lag = _check_int(lag, "lag", 0)
    uncertainty_days = _check_int(uncertainty_days, "uncertainty_days", 0)
    n_sims = _check_int(n_sims, "n_sims", 100)
    seed = _check_int(seed, "seed", 0)
    event = _timestamp(event_date, "event_date")
    if trend not in TRENDS:
        raise ValueError(f"trend {trend!r} is not one of {', '.join(TRENDS)}")
    name = name or f"counterfactual: {weekly.name} at {event.date()}"
    layout = _layout(weekly.index, event, window, lag, uncertainty_days)
    summary = {
        "model": f"{trend} on log1p(weekly launches), fitted to the pre window",
        **_base_summary(weekly, event, window, lag, uncertainty_days, layout),
    }
    y_all = weekly.to_numpy()
    reason = layout.reason or _empty_reason(y_all, layout)
    if reason:
        return _not_estimated(name, reason, summary)

    pre = y_all[layout.pre]
    horizon = layout.first_post + window - layout.event_week  # transition + post weeks
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sm.tsa.UnobservedComponents(np.log1p(pre), level=trend)
        res = model.fit(disp=False, maxiter=200)
    paths = np.clip(np.expm1(_simulate_forecast(res, horizon, n_sims, seed)), 0, None)
    skip = layout.first_post - layout.event_week
    post_paths = paths[skip:]
    observed_post = y_all[layout.post]
    observed_total = float(observed_post.sum())
    totals = post_paths.sum(axis=0)
    predicted = float(np.median(totals))
    low_total, high_total = np.quantile(totals, _QUANTILES)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = 100 * (observed_total - totals) / totals
    relative = relative[np.isfinite(relative)]
    rel_low, rel_high = np.quantile(relative, _QUANTILES) if relative.size else (math.nan,) * 2
    weekly_q = np.quantile(paths, [0.5, *_QUANTILES], axis=1)
    periods = layout.start + pd.to_timedelta(
        7 * np.arange(layout.event_week, layout.first_post + window), unit="D"
    )
    segment = np.where(np.arange(horizon) < skip, "transition", "post")
    path = pd.DataFrame(
        {
            "period": periods,
            "segment": segment,
            "observed": y_all[layout.event_week : layout.first_post + window].astype("int64"),
            "predicted": weekly_q[0],
            "predicted_low": weekly_q[1],
            "predicted_high": weekly_q[2],
        }
    )
    summary.update(
        {
            "estimated": True,
            "reason": None,
            "n_sims": n_sims,
            "seed": seed,
            "converged": bool(res.mle_retvals.get("converged", True)) if res.mle_retvals else True,
            "observed_total": observed_total,
            "predicted_total": predicted,
            "predicted_low": float(low_total),
            "predicted_high": float(high_total),
            "excess": observed_total - predicted,
            "excess_low": observed_total - float(high_total),
            "excess_high": observed_total - float(low_total),
            "relative_pct": 100 * (observed_total - predicted) / predicted
            if predicted > 0
            else None,
            "relative_low": float(rel_low) if np.isfinite(rel_low) else None,
            "relative_high": float(rel_high) if np.isfinite(rel_high) else None,
        }
    )
    caveats = CAVEATS + (
        f"The {trend} forecast widens with the horizon (fast for a local linear trend, whose "
        "slope wanders): over half a year its interval can be too wide to say anything, and "
        "the variance parameters, estimated from the pre window alone, are plugged in.",
    )
    return ModelResult(
        name=name, summary=summary, tables={"path": path}, assumptions=ASSUMPTIONS, caveats=caveats
    )


def _simulate_forecast(res, horizon: int, n_sims: int, seed: int) -> np.ndarray:
    """``horizon × n_sims`` simulated future observations of a fitted time-invariant state
    space model: the first future state drawn from its predicted distribution at the end of
    the sample, then state and observation noise (what ``res.simulate(anchor="end",
    repetitions=...)`` does, vectorised over the paths)."""
    rng = np.random.default_rng(seed)
    f = res.filter_results
    Z, T, R = f.design[:, :, 0], f.transition[:, :, 0], f.selection[:, :, 0]
    Q, H = f.state_cov[:, :, 0], float(f.obs_cov[0, 0, 0])
    mean, cov = res.predicted_state[:, -1], res.predicted_state_cov[:, :, -1]
    state = rng.multivariate_normal(mean, cov, size=n_sims, method="eigh").T
    values, vectors = np.linalg.eigh(Q)
    q_root = vectors * np.sqrt(np.clip(values, 0, None))  # Q = q_root @ q_root.T
    out = np.empty((horizon, n_sims))
    for step in range(horizon):
        out[step] = (Z @ state)[0] + math.sqrt(max(H, 0.0)) * rng.standard_normal(n_sims)
        shocks = q_root @ rng.standard_normal((Q.shape[0], n_sims))
        state = T @ state + R @ shocks
    return out


# --- placebo -----------------------------------------------------------------------------------


def placebo_dates(
    index: pd.DatetimeIndex,
    event_dates: Iterable,
    window: int = DEFAULT_WINDOW,
    lag: int = 0,
    exclusion: int = DEFAULT_EXCLUSION,
    uncertainty_days: int = 0,
) -> pd.DatetimeIndex:
    """Week starts whose windows fit inside ``index`` and that lie at least ``exclusion``
    weeks (``7·exclusion`` days) from every date in ``event_dates``."""
    index = pd.DatetimeIndex(index)
    events = pd.DatetimeIndex([_timestamp(d, "event_dates") for d in event_dates])
    keep = []
    for day in index:
        if _layout(index, day, window, lag, uncertainty_days).reason:
            continue
        if len(events) and np.min(np.abs((events - day).days)) < 7 * exclusion:
            continue
        keep.append(day)
    return pd.DatetimeIndex(keep, name="date")


def _placebo_estimates(
    weekly: pd.Series,
    dates: pd.DatetimeIndex,
    window: int,
    lag: int,
    method: str,
    uncertainty_days: int,
) -> pd.DataFrame:
    """The ITS log level ratio at each pseudo-event date (NaN when it cannot be fitted)."""
    y_all = weekly.to_numpy()
    values = []
    for day in dates:
        layout = _layout(weekly.index, day, window, lag, uncertainty_days)
        if layout.reason or _empty_reason(y_all, layout):
            values.append(math.nan)
            continue
        positions, X = _design(layout)
        try:
            values.append(_fit_level(y_all[positions], X, method))
        except (ValueError, np.linalg.LinAlgError):
            values.append(math.nan)
    return pd.DataFrame({"date": dates, "log_ratio": np.asarray(values, dtype=float)})


def _permutation_p(real: float, placebo_values: np.ndarray) -> tuple[int, int, float | None]:
    values = placebo_values[np.isfinite(placebo_values)]
    if not np.isfinite(real) or values.size == 0:
        return int(values.size), 0, None
    extreme = int(np.sum(np.abs(values) >= abs(real) - 1e-12))
    return int(values.size), extreme, (1 + extreme) / (1 + values.size)


def placebo(
    weekly: pd.Series,
    event_date,
    event_dates: Iterable = (),
    window: int = DEFAULT_WINDOW,
    lag: int = 0,
    *,
    exclusion: int = DEFAULT_EXCLUSION,
    method: str = "nb",
    n_placebo: int | None = None,
    seed: int = 0,
    uncertainty_days: int = 0,
    name: str | None = None,
) -> ModelResult:
    """Permutation test of the ITS level change at ``event_date`` against pseudo-event dates.

    Pseudo-events: :func:`placebo_dates` with ``event_dates`` (the timeline; ``event_date`` is
    always added), at most ``n_placebo`` of them (a seeded random subset; None: all). Summary:
    ``log_ratio`` and ``ratio`` at the event, ``n_placebo`` (dates that could be fitted),
    ``n_extreme`` (|log ratio| at least as large), ``p_value`` = (1 + n_extreme) /
    (1 + n_placebo), ``min_p`` (its resolution). Table ``placebo``: ``date, log_ratio, ratio,
    extreme``.
    """
    weekly = _check_weekly(weekly)
    window = _check_int(window, "window", MIN_WINDOW)
    lag = _check_int(lag, "lag", 0)
    exclusion = _check_int(exclusion, "exclusion", 0)
    uncertainty_days = _check_int(uncertainty_days, "uncertainty_days", 0)
    seed = _check_int(seed, "seed", 0)
    method = _check_method(method)
    event = _timestamp(event_date, "event_date")
    if n_placebo is not None:
        n_placebo = _check_int(n_placebo, "n_placebo", 1)
    others = [_timestamp(d, "event_dates") for d in event_dates]
    name = name or f"placebo: {weekly.name} at {event.date()}"
    dates = placebo_dates(weekly.index, [event, *others], window, lag, exclusion, uncertainty_days)
    if n_placebo is not None and len(dates) > n_placebo:
        rng = np.random.default_rng(seed)
        dates = dates[np.sort(rng.choice(len(dates), n_placebo, replace=False))]
    table = _placebo_estimates(weekly, dates, window, lag, method, uncertainty_days)
    real = _placebo_estimates(
        weekly, pd.DatetimeIndex([event]), window, lag, method, uncertainty_days
    )["log_ratio"].iloc[0]
    return _placebo_result(name, event, real, table, window, lag, exclusion, method)


def _placebo_result(
    name: str,
    event: pd.Timestamp,
    real: float,
    table: pd.DataFrame,
    window: int,
    lag: int,
    exclusion: int,
    method: str,
) -> ModelResult:
    n, extreme, p = _permutation_p(real, table["log_ratio"].to_numpy())
    table = table.assign(
        ratio=np.exp(table["log_ratio"]), extreme=np.abs(table["log_ratio"]) >= abs(real) - 1e-12
    )
    summary = {
        "event_date": str(event.date()),
        "method": method,
        "window_weeks": window,
        "lag_weeks": lag,
        "exclusion_weeks": exclusion,
        "log_ratio": float(real) if np.isfinite(real) else None,
        "ratio": math.exp(real) if np.isfinite(real) else None,
        "n_placebo": n,
        "n_extreme": extreme,
        "p_value": p,
        "min_p": 1 / (1 + n) if n else None,
        "reason": None
        if p is not None
        else (
            "the event itself cannot be estimated"
            if not np.isfinite(real)
            else "no placebo date fits the series away from the listed events"
        ),
    }
    return ModelResult(
        name=name,
        summary=summary,
        tables={"placebo": table},
        assumptions=ASSUMPTIONS,
        caveats=CAVEATS,
    )


# --- confounding -------------------------------------------------------------------------------


def _check_events(events: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(events, pd.DataFrame):
        raise ValueError(f"events must be a pandas DataFrame, not {type(events).__name__}")
    missing = [c for c in ("event_id", "date") if c not in events.columns]
    if missing:
        raise ValueError(f"events is missing column(s) {missing}")
    out = events.copy()
    try:
        out["date"] = pd.to_datetime(out["date"]).dt.normalize()
    except (TypeError, ValueError) as error:
        raise ValueError(f"events: bad date: {error}") from None
    if out["date"].isna().any():
        raise ValueError("events has missing dates")
    if out["event_id"].duplicated().any():
        raise ValueError("events has duplicate event_id values")
    for column in ("date_precision", "partner", "weapon_class", "event_type"):
        if column not in out.columns:
            out[column] = ""
    out[["date_precision", "partner", "weapon_class", "event_type"]] = (
        out[["date_precision", "partner", "weapon_class", "event_type"]].fillna("").astype(str)
    )
    return out.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)


def _uncertainty(row) -> int:
    """Days after ``date`` the event may lie: the rest of the month for a month-precision date."""
    if row["date_precision"] == "month":
        return int(row["date"].days_in_month - row["date"].day)
    return 0


def _span(date: pd.Timestamp, window: int, lag: int, uncertainty_days: int):
    """The first and last day of an event's windows, on Monday weeks."""
    monday = date - pd.Timedelta(days=date.weekday())
    layout = _layout(pd.DatetimeIndex([monday]), date, window, lag, uncertainty_days)
    return layout.first_day, layout.last_day


def confounders(events: pd.DataFrame, window: int = DEFAULT_WINDOW, lag: int = 0) -> pd.DataFrame:
    """For each event, the other events dated inside its windows (pre window start to post
    window end, Monday weeks): ``event_id, other_event_id, other_date, other_partner,
    weeks_from_event, side`` (``before``/``after``/``same day``)."""
    window = _check_int(window, "window", MIN_WINDOW)
    lag = _check_int(lag, "lag", 0)
    events = _check_events(events)
    rows = []
    for _, row in events.iterrows():
        first, last = _span(row["date"], window, lag, _uncertainty(row))
        inside = events[
            (events["date"] >= first)
            & (events["date"] <= last)
            & (events["event_id"] != row["event_id"])
        ]
        for _, other in inside.iterrows():
            days = (other["date"] - row["date"]).days
            rows.append(
                {
                    "event_id": row["event_id"],
                    "other_event_id": other["event_id"],
                    "other_date": other["date"],
                    "other_partner": other["partner"],
                    "weeks_from_event": round(days / 7, 1),
                    "side": "before" if days < 0 else "after" if days > 0 else "same day",
                }
            )
    columns = [
        "event_id",
        "other_event_id",
        "other_date",
        "other_partner",
        "weeks_from_event",
        "side",
    ]
    return pd.DataFrame(rows, columns=columns)


# --- summary over a timeline -------------------------------------------------------------------


def default_series(row) -> tuple[str, str]:
    """The series an event is studied on and why: its weapon class, else its partner's."""
    weapon_class = str(row.get("weapon_class", "") or "")
    if weapon_class:
        return weapon_class, "the event's weapon_class"
    partner = str(row.get("partner", "") or "")
    if partner in PARTNER_SERIES:
        return PARTNER_SERIES[partner], f"default for partner {partner}"
    raise ValueError(
        f"event {row.get('event_id')!r} has no weapon_class and partner "
        f"{partner!r} has no default series ({', '.join(PARTNER_SERIES)})"
    )


def _fmt_ratio(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _subset(dates: pd.DatetimeIndex, n_placebo: int | None, seed: int) -> pd.DatetimeIndex:
    if n_placebo is None or len(dates) <= n_placebo:
        return dates
    rng = np.random.default_rng(seed)
    return dates[np.sort(rng.choice(len(dates), n_placebo, replace=False))]


def _far(dates: pd.Series, events: Iterable[pd.Timestamp], weeks: int) -> np.ndarray:
    """Mask of ``dates`` at least ``weeks`` weeks from every date in ``events``."""
    keep = np.ones(len(dates), bool)
    for day in events:
        keep &= np.abs((dates - day).dt.days.to_numpy()) >= 7 * weeks
    return keep


def _informative(row: dict, window: int) -> bool:
    """Whether the counterfactual interval is narrower than twice the observed post total."""
    observed = row["post_mean"] * window
    return bool(row["excess_high"] - row["excess_low"] <= 2 * max(observed, 1.0))


def _reading(row: dict, window: int, exclusion: int) -> str:
    if row["status"] != "estimated":
        return f"Not estimated: {row['reason']}."
    parts = [
        f"Weekly {row['series']} launches right after the event were "
        f"{_fmt_ratio(row['ratio'])} times the pre-event trend (95% CI "
        f"{_fmt_ratio(row['ratio_low'])}-{_fmt_ratio(row['ratio_high'])}, p = "
        f"{row['p_level']:.2g}); the trend changed by {row['slope_change_pct_month']:+.0f}% per "
        f"month (CI {row['slope_change_low']:+.0f}% to {row['slope_change_high']:+.0f}%)."
    ]
    excess, low, high = row.get("excess"), row.get("excess_low"), row.get("excess_high")
    if excess is not None and np.isfinite(excess):
        text = (
            f"Against a local-trend forecast from the {window} weeks before, the {window} "
            f"weeks after had {excess:+,.0f} launches (95% interval {low:+,.0f} to "
            f"{high:+,.0f})"
        )
        if not row.get("counterfactual_informative", True):
            text += ", a forecast too uncertain to say whether there were more or fewer"
        parts.append(text + ".")
    if row.get("placebo_p") is not None:
        parts.append(
            f"{row['placebo_extreme']} of {row['n_placebo']} placebo dates at least "
            f"{exclusion} weeks from every listed event gave a level change at least this "
            f"large (permutation p = {row['placebo_p']:.2f}"
            + (", the smallest possible with so few dates" if row["placebo_extreme"] == 0 else "")
            + ")"
        )
    else:
        parts.append(f"No placebo date lies {exclusion} weeks from every listed event")
    if row.get("placebo_p_all") is not None:
        parts[-1] += (
            f"; over all {row['n_placebo_all']} weeks at least {exclusion} weeks "
            f"from this event, {row['placebo_extreme_all']} did (p = "
            f"{row['placebo_p_all']:.2f})."
        )
    else:
        parts[-1] += "."
    others = [x for x in (row["confounders_before"], row["confounders_after"]) if x]
    if others:
        listed = ", ".join(others)
        count = len(listed.split(", "))
        parts.append(
            f"{count} other event{'s' if count > 1 else ''} ({listed}) fall in the "
            "same window, so the estimate cannot be attributed to this event alone."
        )
    parts.append("Timing is association, not proof of cause.")
    return " ".join(parts)


@dataclass(frozen=True)
class _SummaryChoices:
    """The checked settings of one :func:`event_summary` run."""

    window: int
    lag: int
    n_placebo: int | None
    seed: int
    exclusion: int
    method: str
    n_sims: int
    trend: str


#: ITS figures copied into a row of the ``events`` table when the event is estimated.
_ITS_COLUMNS = (
    "pre_mean",
    "post_mean",
    "ratio",
    "ratio_low",
    "ratio_high",
    "p_level",
    "slope_change_pct_month",
    "slope_change_low",
    "slope_change_high",
    "p_slope",
    "pre_trend_pct_month",
    "alpha",
    "resid_acf1",
)
_EVENT_COLUMNS = [
    "event_id",
    "date",
    "partner",
    "event_type",
    "series",
    "series_source",
    "status",
    "reason",
    "post_start",
    "post_end",
    "transition_weeks",
    *_ITS_COLUMNS,
    "excess",
    "excess_low",
    "excess_high",
    "relative_pct",
    "counterfactual_informative",
    "n_placebo",
    "placebo_extreme",
    "placebo_p",
    "n_placebo_all",
    "placebo_extreme_all",
    "placebo_p_all",
    "confounders_before",
    "confounders_after",
    "series_note",
    "reading",
]
_PLACEBO_COLUMNS = ["date", "log_ratio", "series", "uncertainty_days", "away_from_events"]


def event_summary(
    strikes: pd.DataFrame,
    events: pd.DataFrame,
    window: int = DEFAULT_WINDOW,
    lag: int = 0,
    n_placebo: int | None = None,
    seed: int = 0,
    *,
    exclusion: int = DEFAULT_EXCLUSION,
    method: str = "nb",
    n_sims: int = 2000,
    trend: str = "local linear trend",
    series: dict[str, str] | None = None,
) -> ModelResult:
    """ITS, counterfactual, placebo and confounding for every event of a timeline.

    ``strikes``: the strike table (weekly launches come from
    :func:`analysis.data.series.complete_counts`); ``events``: the timeline (``event_id, date``,
    and ``partner, weapon_class, date_precision, event_type`` when present, e.g.
    :func:`analysis.data.events.read_events`); ``series``: optional ``event_id -> group``
    overrides. Each event is studied on its ``weapon_class`` when set, else on its partner's
    main class (Iran: ``strike_drone``; North Korea: ``ballistic_missile``, all origins,
    because KN-23 launches are lumped with Iskander-M).

    Two placebo p-values: ``placebo_p`` uses the dates at least ``exclusion`` weeks from
    every event of the timeline (few, because the timeline is dense); ``placebo_p_all`` uses
    every week at least ``exclusion`` weeks from this event only — more dates, and
    conservative if other events did shift the series (their jumps widen the reference). At
    most ``n_placebo`` dates each (a seeded random subset; None: all).

    Table ``events``: one row per event with ``status`` (``estimated`` / ``not estimated``),
    ``reason``, the ITS figures, the counterfactual excess, the placebo p-values, the
    confounding events and a ``reading``. Tables ``confounding`` (:func:`confounders`) and
    ``placebo`` (the level estimate at every window-eligible week, by series, with
    ``away_from_events``).
    """
    choices = _summary_choices(
        window, lag, n_placebo, seed, exclusion=exclusion, method=method, n_sims=n_sims, trend=trend
    )
    events, overrides = _summary_inputs(strikes, events, series)
    confounding = confounders(events, choices.window, choices.lag)
    studies = _TimelineStudies(strikes, choices, list(events["date"]))
    rows = [studies.row(event, overrides, confounding) for _, event in events.iterrows()]
    table = pd.DataFrame(rows).reindex(columns=_EVENT_COLUMNS)
    return ModelResult(
        name="event studies: partnership timeline",
        summary=_timeline_summary(table, choices),
        tables={"events": table, "confounding": confounding, "placebo": studies.placebo_table()},
        assumptions=ASSUMPTIONS,
        caveats=CAVEATS,
    )


def _summary_choices(
    window: int,
    lag: int,
    n_placebo: int | None,
    seed: int,
    *,
    exclusion: int,
    method: str,
    n_sims: int,
    trend: str,
) -> _SummaryChoices:
    """The settings of :func:`event_summary`, checked, or ValueError naming the first bad one."""
    window = _check_int(window, "window", MIN_WINDOW)
    lag = _check_int(lag, "lag", 0)
    seed = _check_int(seed, "seed", 0)
    exclusion = _check_int(exclusion, "exclusion", 0)
    n_sims = _check_int(n_sims, "n_sims", 100)
    method = _check_method(method)
    if trend not in TRENDS:
        raise ValueError(f"trend {trend!r} is not one of {', '.join(TRENDS)}")
    if n_placebo is not None:
        n_placebo = _check_int(n_placebo, "n_placebo", 1)
    return _SummaryChoices(window, lag, n_placebo, seed, exclusion, method, n_sims, trend)


def _summary_inputs(
    strikes: pd.DataFrame, events: pd.DataFrame, series: dict[str, str] | None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The checked timeline and the series overrides, which must name events of it."""
    if not isinstance(strikes, pd.DataFrame):
        raise ValueError(f"strikes must be a pandas DataFrame, not {type(strikes).__name__}")
    events = _check_events(events)
    if events.empty:
        raise ValueError("events is empty")
    overrides = dict(series or {})
    unknown = sorted(set(overrides) - set(events["event_id"]))
    if unknown:
        raise ValueError(f"series names unknown event_id(s) {unknown}")
    return events, overrides


class _TimelineStudies:
    """One row of the ``events`` table per event; weekly series and placebo estimates are
    computed once per series (and date uncertainty) and shared by the events on it."""

    def __init__(
        self, strikes: pd.DataFrame, choices: _SummaryChoices, all_dates: list[pd.Timestamp]
    ) -> None:
        self.strikes = strikes
        self.choices = choices
        self.all_dates = all_dates
        self.weekly: dict[str, pd.Series] = {}
        self.placebo: dict[tuple[str, int], pd.DataFrame] = {}

    def series(self, group: str) -> pd.Series:
        """Complete weekly launches of ``group``."""
        if group not in self.weekly:
            self.weekly[group] = complete_counts(self.strikes, group)
        return self.weekly[group]

    def placebo_estimates(self, group: str, uncertainty: int) -> pd.DataFrame:
        """The level estimate at every window-eligible week of ``group``."""
        key = (group, uncertainty)
        if key not in self.placebo:
            c = self.choices
            weekly = self.weekly[group]
            eligible = placebo_dates(weekly.index, [], c.window, c.lag, 0, uncertainty)
            self.placebo[key] = _placebo_estimates(
                weekly, eligible, c.window, c.lag, c.method, uncertainty
            )
        return self.placebo[key]

    def row(self, event: pd.Series, overrides: dict[str, str], confounding: pd.DataFrame) -> dict:
        """The ITS, counterfactual, placebo p-values and reading of one event."""
        c = self.choices
        if event["event_id"] in overrides:
            group, source = overrides[event["event_id"]], "given"
        else:
            group, source = default_series(event)
        weekly = self.series(group)
        uncertainty = _uncertainty(event)
        row = _event_row(event, group, source, confounding)
        s = event_study(
            weekly, event["date"], c.window, c.lag, method=c.method, uncertainty_days=uncertainty
        ).summary
        row.update({k: s[k] for k in ("post_start", "post_end", "transition_weeks")})
        if not s["estimated"]:
            row.update(status="not estimated", reason=s["reason"])
        else:
            row.update({k: s[k] for k in _ITS_COLUMNS})
            row.update(_counterfactual_fields(weekly, event["date"], uncertainty, c))
            row["counterfactual_informative"] = _informative(row, c.window)
            estimates = self.placebo_estimates(group, uncertainty)
            row.update(self.placebo_fields(s["log_ratio"], estimates, event["date"]))
        row["reading"] = _reading(row, c.window, c.exclusion)
        return row

    def placebo_fields(self, log_ratio: float, estimates: pd.DataFrame, date: pd.Timestamp) -> dict:
        """Permutation p-values against the placebo dates far from every event (no suffix)
        and far from this event only (``_all``)."""
        c = self.choices
        fields: dict = {}
        for suffix, mask in (
            ("", _far(estimates["date"], self.all_dates, c.exclusion)),
            ("_all", _far(estimates["date"], [date], c.exclusion)),
        ):
            chosen = _subset(pd.DatetimeIndex(estimates.loc[mask, "date"]), c.n_placebo, c.seed)
            values = estimates.set_index("date").loc[chosen, "log_ratio"].to_numpy()
            n, extreme, p = _permutation_p(log_ratio, values)
            fields[f"n_placebo{suffix}"] = n
            fields[f"placebo_extreme{suffix}"] = extreme
            fields[f"placebo_p{suffix}"] = p
        return fields

    def placebo_table(self) -> pd.DataFrame:
        """Every placebo estimate computed, by series, with ``away_from_events``."""
        parts = [
            estimates.assign(
                series=group,
                uncertainty_days=uncertainty,
                away_from_events=_far(estimates["date"], self.all_dates, self.choices.exclusion),
            )
            for (group, uncertainty), estimates in self.placebo.items()
        ]
        if not parts:
            return pd.DataFrame(columns=_PLACEBO_COLUMNS)
        return pd.concat(parts, ignore_index=True)


def _event_row(event: pd.Series, group: str, source: str, confounding: pd.DataFrame) -> dict:
    """The identity, series and confounding events of one event's row."""
    mine = confounding[confounding["event_id"] == event["event_id"]]
    return {
        "event_id": event["event_id"],
        "date": event["date"],
        "partner": event["partner"],
        "event_type": event["event_type"],
        "series": group,
        "series_source": source,
        "series_note": SERIES_NOTES.get(group, ""),
        "status": "estimated",
        "reason": None,
        "confounders_before": ", ".join(mine.loc[mine["side"] == "before", "other_event_id"]),
        "confounders_after": ", ".join(mine.loc[mine["side"] != "before", "other_event_id"]),
    }


def _counterfactual_fields(
    weekly: pd.Series, date: pd.Timestamp, uncertainty: int, choices: _SummaryChoices
) -> dict:
    """The counterfactual excess of one event and its interval."""
    cf = counterfactual(
        weekly,
        date,
        choices.window,
        choices.lag,
        n_sims=choices.n_sims,
        seed=choices.seed,
        uncertainty_days=uncertainty,
        trend=choices.trend,
    ).summary
    return {k: cf.get(k) for k in ("excess", "excess_low", "excess_high", "relative_pct")}


def _timeline_summary(table: pd.DataFrame, choices: _SummaryChoices) -> dict:
    """Counts of estimated events and of small p-values, and the settings in words."""
    estimated = table["status"] == "estimated"
    p_values = table.loc[estimated, "placebo_p"].astype(float)
    return {
        "n_events": int(len(table)),
        "n_estimated": int(estimated.sum()),
        "n_not_estimated": int((~estimated).sum()),
        "window_weeks": choices.window,
        "lag_weeks": choices.lag,
        "exclusion_weeks": choices.exclusion,
        "method": _method_label(choices.method, _default_maxlags(2 * choices.window)),
        "counterfactual": f"{choices.trend} on log1p, fitted to the pre window; "
        f"{choices.n_sims} simulated paths, seed {choices.seed}",
        "series_rule": "the event's weapon_class, else iran: strike_drone, north_korea: "
        "ballistic_missile (all origins: KN-23 is lumped with Iskander-M)",
        "n_p_level_below_005": int((table.loc[estimated, "p_level"] < 0.05).sum()),
        "n_placebo_p_below_005": int((p_values < 0.05).sum()),
        "n_placebo_p_all_below_005": int(
            (table.loc[estimated, "placebo_p_all"].astype(float) < 0.05).sum()
        ),
        "conclusion": "Timing is association, not proof of cause: these are changes around "
        "the event dates, not effects of the events.",
    }


# --- simulation --------------------------------------------------------------------------------


def simulate_weekly(
    n_weeks: int = 156,
    level: float = 100.0,
    ratio: float = 1.0,
    shift_week: int | None = None,
    *,
    growth_per_month: float = 0.0,
    sigma: float = 0.3,
    rho: float = 0.0,
    seed: int = 0,
    start: str = "2023-01-02",
) -> pd.DataFrame:
    """Weekly Poisson-lognormal counts with a planted level shift, for tests and checks.

    ``mean_t = level · (1 + growth_per_month)^(t / 4.35) · (ratio if t ≥ shift_week)``;
    ``count_t ~ Poisson(mean_t · exp(u_t − sigma²/2))`` with ``u`` a stationary AR(1) of
    standard deviation ``sigma`` and lag-1 correlation ``rho`` (so ``E count = mean``).
    Returns a frame indexed by week start (Mondays from ``start``) with ``count``, ``mean`` and
    ``baseline`` (the mean without the shift).
    """
    n_weeks = _check_int(n_weeks, "n_weeks", 1)
    if level <= 0 or ratio <= 0 or sigma < 0 or not -1 < rho < 1 or growth_per_month <= -1:
        raise ValueError("need level > 0, ratio > 0, sigma >= 0, -1 < rho < 1, growth > -1")
    rng = np.random.default_rng(seed)
    t = np.arange(n_weeks)
    baseline = level * np.exp(math.log1p(growth_per_month) * t / WEEKS_PER_MONTH)
    shift = n_weeks // 2 if shift_week is None else shift_week
    mean = baseline * np.where(t >= shift, ratio, 1.0)
    u = np.empty(n_weeks)
    u[0] = rng.normal(0, sigma)
    innovation = sigma * math.sqrt(1 - rho**2)
    for k in range(1, n_weeks):
        u[k] = rho * u[k - 1] + rng.normal(0, innovation)
    counts = rng.poisson(mean * np.exp(u - sigma**2 / 2))
    index = pd.date_range(start, periods=n_weeks, freq="7D", name="period")
    return pd.DataFrame({"count": counts, "mean": mean, "baseline": baseline}, index=index)


def event_studies(
    strikes: pd.DataFrame,
    events: pd.DataFrame,
    window: int = DEFAULT_WINDOW,
    lag: int = 0,
    n_placebo: int | None = None,
    **options,
) -> ModelResult:
    """:func:`~analysis.models.event_study.event_summary` for the notebook's period.

    A short period (fewer complete weeks than two windows) leaves no event estimable, and the
    model refuses a series shorter than its minimum; then the result has the same shape,
    with every event ``not estimated`` and the reason, instead of an error.
    """
    weeks = 0 if strikes.empty else len(complete_counts(strikes, "strike_drone"))
    if weeks >= 2 * window:
        return event_summary(
            strikes, events, window=window, lag=lag, n_placebo=n_placebo, **options
        )
    reason = (
        f"the period holds {weeks} complete week{'' if weeks == 1 else 's'}, fewer than "
        f"the {2 * window} that windows of {window} weeks on each side need"
    )
    rows = []
    for _, event in events.sort_values(["date", "event_id"], kind="stable").iterrows():
        rows.append(
            {
                "event_id": event["event_id"],
                "date": event["date"],
                "partner": event["partner"],
                "event_type": event["event_type"],
                "series": default_series(event)[0],
                "status": "not estimated",
                "reason": reason,
                "reading": f"Not estimated: {reason}.",
            }
        )
    columns = [
        "ratio",
        "ratio_low",
        "ratio_high",
        "p_level",
        "placebo_p",
        "n_placebo",
        "placebo_p_all",
        "n_placebo_all",
        "excess",
        "excess_low",
        "excess_high",
        "counterfactual_informative",
    ]
    table = pd.DataFrame(rows).reindex(columns=[*rows[0].keys(), *columns])
    summary = {
        "n_events": len(table),
        "n_estimated": 0,
        "n_not_estimated": len(table),
        "window_weeks": window,
        "lag_weeks": lag,
        "exclusion_weeks": options.get("exclusion", DEFAULT_EXCLUSION),
        "conclusion": "No event could be estimated in this period.",
    }
    return ModelResult(
        name="event studies: partnership timeline",
        summary=summary,
        tables={"events": table, "confounding": confounders(events, window, lag)},
        assumptions=ASSUMPTIONS,
        caveats=CAVEATS,
    )


__all__ = [
    "confounders",
    "counterfactual",
    "default_series",
    "event_studies",
    "event_study",
    "event_summary",
    "placebo",
    "placebo_dates",
    "simulate_weekly",
]
