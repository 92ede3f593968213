"""Event studies: did weekly launches change around a partnership event?

Three views of one question, for an event date and a weekly launch series:

* **Interrupted time series** (:func:`event_study`). On ``window`` complete weeks before the
  event and ``window`` weeks after it, ``log mu_t = a + b·t + c·post_t + d·t·post_t`` with ``t``
  in weeks counted from the first post-event week ``t0`` (so ``c`` is the jump at ``t0``
  against the extrapolated pre-event trend, ``d`` the change of slope). The default fit is a
  negative binomial (NB2) GLM: ``alpha`` by maximum profile likelihood and the coefficients by
  IRLS (the fitter of :mod:`analysis.models.trend`), then Newey–West (HAC) standard errors:
  the sandwich of the NB2 scores with Bartlett weights ``1 − j/M`` and the bandwidth
  ``M = ceil(1.3·sqrt(T))`` (10 for 52 weeks; Lazarus, Lewis, Stock & Watson 2018). The level
  change is the rate ratio ``exp(c)``; the slope change is ``100·(exp(d·4.35) − 1)`` % per
  month (4.35 weeks a month). CIs are Wald intervals with fixed-b critical values (Kiefer &
  Vogelsang 2005) simulated for this very design (:func:`fixed_b_critical_values`), both for
  independent errors and for AR(1) errors at the residuals' bias-corrected lag-1
  autocorrelation, the larger taken (as for growth in :mod:`analysis.models.trend`); the
  p-values come from the same simulated null distributions. The published fixed-b polynomial
  is for a mean: for the level change, an extrapolation of two lines to one week, it gave 2.19
  where this design needs about 2.7 (3 lags) and 3.7 (bandwidth 10), and its 95% CI held the
  truth in only 81-92% of simulated replicates. This one held it in 95.5% with independent
  weeks and 94.5% and 93.5% with AR(1) errors at rho = 0.3 and 0.5 (the calibration suite:
  200 replicates each, negative binomial counts, a 1.5-fold jump, 26 weeks each side). The
  model-based Wald interval, which assumes independent weeks, is kept beside it
  (``ratio_low_model``/``ratio_high_model``) for comparison: it held a planted doubling in
  only 73% of replicates at rho = 0.5.
  Why NB rather than a log1p-linear OLS: the series are counts with zeros and small numbers
  (ballistic missiles: 0–40 a week), where ``log1p`` bends ratios towards 1 and its errors are
  far from constant; the NB ratio is a ratio of means, whatever the level. ``method=
  "log1p_ols"`` fits the same design to ``log1p(y)`` by OLS with the same Newey–West standard
  errors, as a check.
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
* **Placebo** (:func:`placebo`). The same ITS fit at pseudo-event dates: every week start
  whose windows fit inside the series and that lies at least ``exclusion`` weeks (default 8)
  from every listed event (the real one included). The statistic compared is *studentised*:
  the t-statistic ``c / se(c)`` of the level change, with the same Newey–West standard error
  as the event's own test, so that a date whose windows are volatile (a large ``c`` with a
  large standard error) does not count as extreme. The permutation p-value is
  ``(1 + #{|t_placebo| ≥ |t|}) / (1 + N)`` (two-sided, with the +1 correction). It asks how
  often a date with no (listed) event shows a jump as clear, in this series with its own
  volatility and autocorrelation — a check that does not lean on the normal or fixed-b
  reference distribution of the HAC test. Studentising makes the statistic closer to pivotal
  (its spread depends less on the level and volatility of each window), which is what makes a
  permutation p-value trustworthy when the series changes over time (Chung & Romano 2013,
  Annals of Statistics 41). The p-value of the raw estimate ``|c|``, used before, is kept beside it
  (``_raw``) for comparison. The partnership timeline is dense (an event every month or two),
  so only a handful of dates are 8 weeks from every event; :func:`event_summary` therefore
  also reports ``placebo_p_all``, over every week at least ``exclusion`` weeks from the event
  itself — more dates, and conservative if other events did move the series (their jumps
  widen the reference).
* **Many events, one question** (:func:`adjust_p_values`). :func:`event_summary` tests every
  chosen event, so some p-values fall below 0.05 by chance alone (about 1 in 20 under no
  change). Each p-value (the level test and both placebo tests) is therefore also adjusted
  across the events estimated in the run, with ``statsmodels``' ``multipletests``: Holm's
  step-down method (``_holm``: the chance of any false finding stays below 5%) and
  Benjamini–Hochberg's (``_bh``: the expected share of false findings among those reported
  stays below 5%; less strict). An event *survives correction* (``survives_correction``)
  when both its level test and its all-weeks placebo test stay below 0.05 after the
  Benjamini–Hochberg adjustment: the model-based test and the check that does not lean on it
  must agree.

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

import functools
import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import signal, stats
from statsmodels.stats.multitest import multipletests

from analysis.data.series import complete_counts
from analysis.modelresult import ModelResult
from analysis.models.hac import acf1, ar1_for_critical_value, bartlett_sum, hac_bandwidth
from analysis.models.trend import _check_counts, _nb_fit, _pearson

LEVEL = 0.95
#: The threshold a p-value (adjusted or not) is read against.
ALPHA = 0.05
#: Multiple-testing adjustments: column suffix -> ``multipletests`` method.
ADJUSTMENTS = {"holm": "holm", "bh": "fdr_bh"}
#: The p-values of the ``events`` table that are adjusted across the events estimated.
ADJUSTED_COLUMNS = ("p_level", "placebo_p", "placebo_p_all")
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
_Z = float(stats.norm.ppf(0.5 + LEVEL / 2))

ASSUMPTIONS = (
    "Interrupted time series: on the window around the event the log of the weekly mean is a "
    "straight line in time before the event and another after it; the level ratio exp(c) "
    "compares the first post-event week with the pre-event line extrapolated to it.",
    "Without the event the pre-event line would have continued through the post window (the "
    "ITS) or the series would have followed a local linear trend fitted to the pre window "
    "(the counterfactual); nothing else changed at the same time.",
    "Weekly counts are negative binomial (NB2) around that line, one alpha per window; the "
    "Newey-West standard errors (bandwidth about 10 weeks) and fixed-b critical values allow "
    "for autocorrelation over weeks.",
    "Placebo dates at least `exclusion` weeks from every listed event are exchangeable with "
    "the event date under no effect: the t-statistic of the level change (the same design "
    "and standard error) at a date without an event is as likely to be large as at the event.",
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
    "by chance alone, so each p-value is also given adjusted for the number of events tested "
    "(Holm, Benjamini-Hochberg); windows of nearby events overlap (they share the data), so "
    "the tests are not independent: Holm's adjustment holds under any dependence, "
    "Benjamini-Hochberg's only under positive dependence, the likely kind here.",
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


#: Draws of the simulated fixed-b null distribution: its 95% point then has a Monte Carlo
#: error of about 0.05 on a value near 3.5-4.5, well below the sampling error of the interval.
NULL_DRAWS = 2000
#: The fitted coefficients, in the order of the design ``[1, t, post, t·post]``.
TERMS = ("intercept", "t (weeks)", "post", "t x post")
_LEVEL_TERM, _SLOPE_TERM = 2, 3


def its_design(window: int, transition_weeks: int = 0) -> np.ndarray:
    """The ITS design ``[1, t, post, t·post]`` of ``window`` weeks on each side with
    ``transition_weeks`` left out between them, ``t`` in weeks from the first post week."""
    t = np.r_[np.arange(-window - transition_weeks, -transition_weeks), np.arange(window)]
    t = t.astype(float)
    post = (t >= 0).astype(float)
    return np.column_stack([np.ones_like(t), t, post, t * post])


@functools.lru_cache(maxsize=512)
def _null_statistics(window: int, transition_weeks: int, bandwidth: int, rho: float) -> np.ndarray:
    """Sorted ``|t|`` of each coefficient (``4 × NULL_DRAWS``) under no effect: Gaussian
    errors, AR(1) at ``rho``, fitted by least squares on :func:`its_design`, each divided by
    its Newey-West (Bartlett, bandwidth ``M``) standard error. Seeded, so reproducible;
    cached per design, bandwidth and rho (the same few values recur within a report)."""
    X = its_design(window, transition_weeks)
    rng = np.random.default_rng(0)
    e = rng.standard_normal((NULL_DRAWS, len(X)))
    if rho > 0:
        e[:, 0] /= math.sqrt(1 - rho**2)  # a stationary start
        e = signal.lfilter([1.0], [1.0, -rho], e, axis=1)
    H = np.linalg.solve(X.T @ X, X.T)  # coefficients = H @ y
    beta = e @ H.T
    residuals = e - beta @ X.T
    variance = bartlett_sum(residuals[:, None, :] * H[None, :, :], bandwidth)
    statistics = np.sort((np.abs(beta) / np.sqrt(variance)).T, axis=1)
    statistics.flags.writeable = False
    return statistics


def fixed_b_critical_values(
    window: int = DEFAULT_WINDOW,
    transition_weeks: int = 0,
    bandwidth: int | None = None,
    rho: float = 0.0,
    *,
    level: float = LEVEL,
) -> np.ndarray:
    """Two-sided critical values of the Newey-West t-statistics of the four ITS coefficients
    (intercept, pre trend, level change, slope change), for this very design.

    Simulated (:data:`NULL_DRAWS` Gaussian series with AR(1) errors at ``rho``, 0 for
    independent ones) with the Bartlett bandwidth ``M`` (default
    :func:`~analysis.models.trend.hac_bandwidth` of the ``2·window`` weeks): the fixed-b
    distribution (Kiefer & Vogelsang 2005) of each t-statistic at ``b = M / T``. The
    published fixed-b polynomial is for a mean; for the level change, an extrapolation of two
    lines to the same week, it is far too small (2.19 at 3 lags and 52 weeks, where this
    design needs about 2.7).
    """
    window = _check_int(window, "window", MIN_WINDOW)
    transition_weeks = _check_int(transition_weeks, "transition_weeks", 0)
    bandwidth = _bandwidth(bandwidth, 2 * window)
    if not 0 <= rho < 1 or not 0 < level < 1:
        raise ValueError(f"need 0 <= rho < 1 and 0 < level < 1, not {rho} and {level}")
    statistics = _null_statistics(window, transition_weeks, bandwidth, round(float(rho), 2))
    return np.quantile(statistics, level, axis=1)


def _bandwidth(bandwidth: int | None, n: int) -> int:
    """The Bartlett bandwidth ``M`` (weights ``1 - j/M``): ``ceil(1.3·sqrt(T))`` by default
    (Lazarus, Lewis, Stock & Watson 2018; 10 for 52 weeks), else a checked whole number."""
    if bandwidth is None:
        return hac_bandwidth(n)
    bandwidth = _check_int(bandwidth, "bandwidth", 1)
    if bandwidth > n:
        raise ValueError(f"bandwidth must be at most the {n} weeks fitted, not {bandwidth}")
    return bandwidth


def _null_p_value(statistic: float, null: np.ndarray) -> float:
    """``(1 + #{null ≥ |statistic|}) / (1 + N)`` for sorted null statistics."""
    if not np.isfinite(statistic):
        return math.nan
    extreme = len(null) - int(np.searchsorted(null, abs(statistic), side="left"))
    return (1 + extreme) / (1 + len(null))


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


@dataclass(frozen=True)
class _ITSFit:
    """One ITS fit: coefficients, their Newey-West and model-based standard errors, alpha
    (NaN for OLS), fitted means and the residuals the autocorrelation is read from."""

    params: np.ndarray
    se: np.ndarray
    se_model: np.ndarray
    alpha: float
    fitted: np.ndarray
    residuals: np.ndarray


def _fit_full(y: np.ndarray, X: np.ndarray, method: str, bandwidth: int) -> _ITSFit:
    """The ITS fit with Newey-West standard errors (Bartlett weights ``1 - j/M``): the
    sandwich ``H⁻¹ S H⁻¹`` of the NB2 scores with ``H = X' W X`` the expected information
    (for OLS on ``log1p``, of the least-squares residuals), as in
    :mod:`analysis.models.trend`; computed here directly, which is also much faster than
    refitting with ``statsmodels`` at each of hundreds of placebo dates."""
    if method == "log1p_ols":
        z = np.log1p(y)
        bread = np.linalg.inv(X.T @ X)
        params = bread @ X.T @ z
        residuals = z - X @ params
        influence = (bread @ X.T) * residuals
        sigma2 = float(residuals @ residuals) / max(len(y) - X.shape[1], 1)
        se_model = np.sqrt(np.diag(bread) * sigma2)
        se = np.sqrt(bartlett_sum(influence, bandwidth))
        return _ITSFit(params, se, se_model, math.nan, np.expm1(X @ params), residuals)
    fit = _nb_fit(y, X, np.zeros(len(y)))
    mu, alpha = fit.mu, fit.alpha
    bread = np.linalg.inv((X.T * (mu / (1 + alpha * mu))) @ X)
    influence = (bread @ X.T) * ((y - mu) / (1 + alpha * mu))
    se = np.sqrt(bartlett_sum(influence, bandwidth))
    se_model = np.sqrt(np.clip(np.diag(fit.cov), 0, None))
    return _ITSFit(fit.params, se, se_model, alpha, mu, _pearson(y, mu, alpha))


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
    bandwidth: int | None = None,
    uncertainty_days: int = 0,
    name: str | None = None,
) -> ModelResult:
    """Interrupted time series around ``event_date`` on weekly counts.

    ``weekly``: whole-number counts indexed by week starts without gaps (e.g.
    :func:`analysis.data.series.complete_counts`); ``window``: weeks on each side (at least 8);
    ``lag``: weeks after the event before the effect is allowed (left out of the fit);
    ``method``: ``"nb"`` (NB2 GLM, default) or ``"log1p_ols"``; ``bandwidth``: the Bartlett
    bandwidth ``M`` of the Newey-West standard errors (default ``ceil(1.3·sqrt(T))``, 10 for
    52 weeks); ``uncertainty_days``: the event may lie up to this many days after
    ``event_date`` (a month-precision date). See the module docstring.

    Summary: ``ratio`` (exp c) with ``ratio_low``/``ratio_high`` (the headline: Newey-West
    with fixed-b critical values, :func:`fixed_b_critical_values`) and ``p_level``;
    ``ratio_low_model``/``ratio_high_model`` (the model-based Wald interval, which assumes
    independent weeks, for comparison); ``slope_change_pct_month`` with ``_low``/``_high``
    and ``p_slope``; ``pre_trend_pct_month``; ``bandwidth``, ``critical_value`` (of the level
    change), ``rho_for_critical_value``; ``alpha``, ``resid_acf1``, the window dates. When
    the windows do not fit inside the series (or a side has no launches) ``estimated`` is
    False and ``reason`` says why. Tables ``fitted``: ``period, segment, observed, fitted,
    pre_trend`` (the pre-event line extrapolated); ``coefficients``: ``term, estimate, se,
    low, high, critical_value, p_value``. Raises ValueError on bad input.
    """
    weekly = _check_weekly(weekly)
    window = _check_int(window, "window", MIN_WINDOW)
    lag = _check_int(lag, "lag", 0)
    uncertainty_days = _check_int(uncertainty_days, "uncertainty_days", 0)
    method = _check_method(method)
    event = _timestamp(event_date, "event_date")
    bandwidth = _bandwidth(bandwidth, 2 * window)
    name = name or f"event study: {weekly.name} at {event.date()}"

    layout = _layout(weekly.index, event, window, lag, uncertainty_days)
    summary = {
        "method": _method_label(method, bandwidth),
        **_base_summary(weekly, event, window, lag, uncertainty_days, layout),
    }
    y_all = weekly.to_numpy()
    reason = layout.reason or _empty_reason(y_all, layout)
    if reason:
        return _not_estimated(name, reason, summary)
    positions, X = _design(layout)
    y = y_all[positions]
    try:
        fit = _fit_full(y, X, method, bandwidth)
    except (ValueError, np.linalg.LinAlgError) as error:
        return _not_estimated(name, f"the fit failed: {error}", summary)
    params, se = fit.params, fit.se
    transition = int(layout.first_post - layout.event_week)
    critical, p_values, rho = _fixed_b(params / se, window, transition, bandwidth, fit.residuals)
    low, high = params - critical * se, params + critical * se

    def pct(log_per_week: float) -> float:
        return 100 * math.expm1(log_per_week * WEEKS_PER_MONTH)

    pre_trend = X[:, :2] @ params[:2]
    line = np.exp(pre_trend) if method == "nb" else np.expm1(pre_trend)
    fitted_table = pd.DataFrame(
        {
            "period": weekly.index[positions],
            "segment": np.where(positions >= layout.first_post, "post", "pre"),
            "observed": y.astype("int64"),
            "fitted": fit.fitted,
            "pre_trend": line,
        }
    )
    pre, post = y[:window], y[window:]
    c, d = _LEVEL_TERM, _SLOPE_TERM
    summary.update(
        {
            "estimated": True,
            "reason": None,
            "n_weeks": int(len(y)),
            "bandwidth": bandwidth,
            "critical_value": float(critical[c]),
            "rho_for_critical_value": rho,
            "pre_mean": float(pre.mean()),
            "post_mean": float(post.mean()),
            "log_ratio": float(params[c]),
            "log_ratio_se": float(se[c]),
            "ratio": math.exp(params[c]),
            "ratio_low": math.exp(low[c]),
            "ratio_high": math.exp(high[c]),
            "p_level": float(p_values[c]),
            "ratio_low_model": math.exp(params[c] - _Z * fit.se_model[c]),
            "ratio_high_model": math.exp(params[c] + _Z * fit.se_model[c]),
            "pre_trend_pct_month": pct(params[1]),
            "slope_change_pct_month": pct(params[d]),
            "slope_change_low": pct(low[d]),
            "slope_change_high": pct(high[d]),
            "p_slope": float(p_values[d]),
            "alpha": None if math.isnan(fit.alpha) else float(fit.alpha),
            "resid_acf1": acf1(fit.residuals),
        }
    )
    coefficients = pd.DataFrame(
        {
            "term": TERMS,
            "estimate": params,
            "se": se,
            "low": low,
            "high": high,
            "critical_value": critical,
            "p_value": p_values,
        }
    )
    return ModelResult(
        name=name,
        summary=summary,
        tables={"fitted": fitted_table, "coefficients": coefficients},
        assumptions=ASSUMPTIONS,
        caveats=CAVEATS,
    )


def _fixed_b(
    t_stats: np.ndarray, window: int, transition: int, bandwidth: int, residuals: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """Critical values and p-values of the four t-statistics, and the rho they allow for.

    Each is the more cautious of two simulated fixed-b null distributions: independent
    errors, and AR(1) errors at the residuals' lag-1 autocorrelation (bias-corrected, clipped
    to [0, 0.9]); the larger critical value, the larger p-value. The second guards against
    autocorrelation stronger than a bandwidth of about 10 weeks absorbs in 52 weeks, where
    the Newey-West variance is biased down; with independent weeks the two agree."""
    rho = ar1_for_critical_value(residuals)
    nulls = [_null_statistics(window, transition, bandwidth, r) for r in {0.0, rho}]
    critical = np.max([np.quantile(null, LEVEL, axis=1) for null in nulls], axis=0)
    p_values = np.array(
        [max(_null_p_value(t, null[k]) for null in nulls) for k, t in enumerate(t_stats)]
    )
    return critical, p_values, rho


def _method_label(method: str, bandwidth: int) -> str:
    if method == "nb":
        core = "negative binomial (NB2) GLM, alpha by profile likelihood"
    else:
        core = "OLS on log1p(weekly launches)"
    return (
        f"{core}; Newey-West (HAC) standard errors, Bartlett bandwidth {bandwidth} weeks; "
        "fixed-b critical values simulated for the design, allowing for the residuals' "
        "autocorrelation"
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
    if len(index) == 0:
        return pd.DatetimeIndex([], name="date")
    # The rule of _layout, for every week start at once.
    days = np.asarray((index - index[0]).days, dtype=np.int64)
    event_week = days // 7
    first_post = -(-(days + uncertainty_days) // 7) + lag
    keep = (event_week - window >= 0) & (first_post + window <= len(index))
    if len(events):
        gaps = np.abs(np.asarray((events - index[0]).days, dtype=np.int64)[None, :] - days[:, None])
        keep &= gaps.min(axis=1) >= 7 * exclusion
    return pd.DatetimeIndex(index[keep], name="date")


def _placebo_estimates(
    weekly: pd.Series,
    dates: pd.DatetimeIndex,
    window: int,
    lag: int,
    method: str,
    uncertainty_days: int,
) -> pd.DataFrame:
    """The ITS log level ratio, its Newey-West standard error and their ratio (the
    t-statistic) at each pseudo-event date, from the fit of :func:`event_study` with its
    default bandwidth (NaN when it cannot be fitted)."""
    y_all = weekly.to_numpy()
    bandwidth = _bandwidth(None, 2 * window)
    values = np.full((len(dates), 2), math.nan)
    for k, day in enumerate(dates):
        layout = _layout(weekly.index, day, window, lag, uncertainty_days)
        if layout.reason or _empty_reason(y_all, layout):
            continue
        positions, X = _design(layout)
        try:
            fit = _fit_full(y_all[positions], X, method, bandwidth)
        except (ValueError, np.linalg.LinAlgError):
            continue
        values[k] = fit.params[_LEVEL_TERM], fit.se[_LEVEL_TERM]
    log_ratio, se = values[:, 0], values[:, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        t_stat = np.where(se > 0, log_ratio / se, math.nan)
    return pd.DataFrame(
        {"date": dates, "log_ratio": log_ratio, "log_ratio_se": se, "t_stat": t_stat}
    )


def _permutation_p(real: float, placebo_values: np.ndarray) -> tuple[int, int, float | None]:
    """Placebo values that could be computed, how many are at least as extreme as ``real`` in
    absolute value, and the permutation p-value ``(1 + extreme) / (1 + N)``."""
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
    always added), at most ``n_placebo`` of them (a seeded random subset; None: all). The
    statistic is studentised: the t-statistic of the level change (module docstring).
    Summary: ``log_ratio``, ``ratio`` and ``t_stat`` at the event, ``n_placebo`` (dates that
    could be fitted), ``n_extreme`` (|t| at least as large), ``p_value`` = (1 + n_extreme) /
    (1 + n_placebo), ``min_p`` (its resolution), and ``n_extreme_raw``/``p_value_raw`` for
    the raw estimate |log ratio| (the unstudentised test, for comparison). Table ``placebo``:
    ``date, log_ratio, log_ratio_se, t_stat, ratio, extreme, extreme_raw``.
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
    dates = _subset(dates, n_placebo, seed)
    table = _placebo_estimates(weekly, dates, window, lag, method, uncertainty_days)
    real = _placebo_estimates(
        weekly, pd.DatetimeIndex([event]), window, lag, method, uncertainty_days
    ).iloc[0]
    choices = {"window_weeks": window, "lag_weeks": lag, "exclusion_weeks": exclusion}
    return _placebo_result(name, event, real, table, method, choices)


def _placebo_result(
    name: str, event: pd.Timestamp, real: pd.Series, table: pd.DataFrame, method: str, choices: dict
) -> ModelResult:
    t_real, log_real = float(real["t_stat"]), float(real["log_ratio"])
    n, extreme, p = _permutation_p(t_real, table["t_stat"].to_numpy())
    _, extreme_raw, p_raw = _permutation_p(log_real, table["log_ratio"].to_numpy())
    table = table.assign(
        ratio=np.exp(table["log_ratio"]),
        extreme=np.abs(table["t_stat"]) >= abs(t_real) - 1e-12,
        extreme_raw=np.abs(table["log_ratio"]) >= abs(log_real) - 1e-12,
    )
    summary = {
        "event_date": str(event.date()),
        "method": method,
        **choices,
        "log_ratio": log_real if np.isfinite(log_real) else None,
        "ratio": math.exp(log_real) if np.isfinite(log_real) else None,
        "t_stat": t_real if np.isfinite(t_real) else None,
        "n_placebo": n,
        "n_extreme": extreme,
        "p_value": p,
        "min_p": 1 / (1 + n) if n else None,
        "n_extreme_raw": extreme_raw,
        "p_value_raw": p_raw,
        "reason": None
        if p is not None
        else (
            "the event itself cannot be estimated"
            if not np.isfinite(t_real)
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


# --- multiple testing --------------------------------------------------------------------------


def adjust_p_values(p_values, method: str = "holm") -> np.ndarray:
    """``p_values`` adjusted for testing them all at once: ``method`` ``"holm"`` (Holm's
    step-down, family-wise error) or ``"bh"`` (Benjamini-Hochberg, false discovery rate),
    computed by ``statsmodels``' ``multipletests``. Missing values (None, NaN: events not
    tested) stay missing and do not count as tests. Raises ValueError on an unknown method
    or a p-value outside [0, 1]."""
    if method not in ADJUSTMENTS:
        raise ValueError(f"method {method!r} is not one of {', '.join(ADJUSTMENTS)}")
    values = pd.to_numeric(pd.Series(list(p_values), dtype=object), errors="coerce")
    values = values.to_numpy(dtype=float)
    tested = np.isfinite(values)
    if np.any((values[tested] < 0) | (values[tested] > 1)):
        raise ValueError("p-values must lie between 0 and 1")
    out = np.full(len(values), math.nan)
    if tested.any():
        out[tested] = multipletests(values[tested], alpha=ALPHA, method=ADJUSTMENTS[method])[1]
    return out


def _adjusted_columns(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with each of :data:`ADJUSTED_COLUMNS` adjusted across its estimated events
    (``<column>_holm``, ``<column>_bh``) and ``survives_correction``."""
    out = table.copy()
    estimated = (out["status"] == "estimated").to_numpy()
    for column in ADJUSTED_COLUMNS:
        raw = pd.to_numeric(out[column], errors="coerce").to_numpy(dtype=float)
        raw = np.where(estimated, raw, math.nan)
        for suffix in ADJUSTMENTS:
            out[f"{column}_{suffix}"] = adjust_p_values(raw, suffix)
    out["survives_correction"] = (
        estimated & (out["p_level_bh"] < ALPHA) & (out["placebo_p_all_bh"] < ALPHA)
    )
    return out


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


def _p(value) -> str:
    """A p-value in words: two significant digits, or "below 0.001"."""
    return "below 0.001" if value < 0.001 else f"{value:.2g}"


def _reading(row: dict, window: int, exclusion: int, n_tested: int) -> str:
    """A plain-words reading of one row of the ``events`` table, adjusted p-values included
    (``n_tested``: the events estimated, the family the p-values are adjusted over)."""
    if row["status"] != "estimated":
        return f"Not estimated: {row['reason']}."
    tests = f"{n_tested} event{'s' if n_tested != 1 else ''}"
    parts = [
        f"Weekly {row['series']} launches right after the event were "
        f"{_fmt_ratio(row['ratio'])} times the pre-event trend (95% CI "
        f"{_fmt_ratio(row['ratio_low'])}-{_fmt_ratio(row['ratio_high'])}, p = "
        f"{_p(row['p_level'])}; adjusted for testing {tests}, {_p(row['p_level_holm'])} (Holm) "
        f"or {_p(row['p_level_bh'])} (Benjamini-Hochberg)); the trend changed by "
        f"{row['slope_change_pct_month']:+.0f}% per month (CI {row['slope_change_low']:+.0f}% "
        f"to {row['slope_change_high']:+.0f}%)."
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
    parts.append(_placebo_reading(row, exclusion))
    if row.get("survives_correction"):
        parts.append(
            f"Both tests stay below {ALPHA:g} after adjusting for testing {tests} "
            "(Benjamini-Hochberg)."
        )
    else:
        parts.append(f"The change does not survive adjustment for testing {tests}.")
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


def _placebo_reading(row: dict, exclusion: int) -> str:
    """The placebo sentence of :func:`_reading` (the studentised statistic, adjusted p)."""
    if _given(row.get("placebo_p")):
        text = (
            f"{int(row['placebo_extreme'])} of {int(row['n_placebo'])} placebo dates at least "
            f"{exclusion} weeks from every listed event gave a level change at least this "
            f"clear for its uncertainty (permutation p = {row['placebo_p']:.2f}"
            + (", the smallest possible with so few dates" if row["placebo_extreme"] == 0 else "")
            + ")"
        )
    else:
        text = f"No placebo date lies {exclusion} weeks from every listed event"
    if _given(row.get("placebo_p_all")):
        text += (
            f"; over all {int(row['n_placebo_all'])} weeks at least {exclusion} weeks "
            f"from this event, {int(row['placebo_extreme_all'])} did (p = "
            f"{row['placebo_p_all']:.2f}; adjusted {row['placebo_p_all_holm']:.2f} (Holm) or "
            f"{row['placebo_p_all_bh']:.2f} (Benjamini-Hochberg))"
        )
    return text + "."


def _given(value) -> bool:
    """Whether ``value`` is a number (not None or NaN)."""
    return value is not None and not pd.isna(value)


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
    "ratio_low_model",
    "ratio_high_model",
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
    "t_level",
    "n_placebo",
    "placebo_extreme",
    "placebo_p",
    "placebo_extreme_raw",
    "placebo_p_raw",
    "n_placebo_all",
    "placebo_extreme_all",
    "placebo_p_all",
    "placebo_extreme_all_raw",
    "placebo_p_all_raw",
    *(f"{column}_{suffix}" for column in ADJUSTED_COLUMNS for suffix in ADJUSTMENTS),
    "survives_correction",
    "confounders_before",
    "confounders_after",
    "series_note",
    "reading",
]
_PLACEBO_COLUMNS = [
    "date",
    "log_ratio",
    "log_ratio_se",
    "t_stat",
    "series",
    "uncertainty_days",
    "away_from_events",
]


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

    Two placebo p-values, both of the studentised statistic (``t_level``, the t-statistic of
    the level change): ``placebo_p`` uses the dates at least ``exclusion`` weeks from
    every event of the timeline (few, because the timeline is dense); ``placebo_p_all`` uses
    every week at least ``exclusion`` weeks from this event only — more dates, and
    conservative if other events did shift the series (their jumps widen the reference). At
    most ``n_placebo`` dates each (a seeded random subset; None: all). ``placebo_p_raw`` and
    ``placebo_p_all_raw`` are the same tests on the raw estimate, for comparison.

    ``p_level``, ``placebo_p`` and ``placebo_p_all`` are also adjusted across the events
    estimated in this run (:func:`adjust_p_values`): ``_holm`` and ``_bh`` columns;
    ``survives_correction`` is True when ``p_level_bh`` and ``placebo_p_all_bh`` are both
    below 0.05.

    Table ``events``: one row per event with ``status`` (``estimated`` / ``not estimated``),
    ``reason``, the ITS figures, the counterfactual excess, the placebo p-values, the adjusted
    p-values, the confounding events and a ``reading``. Tables ``confounding``
    (:func:`confounders`) and ``placebo`` (the level estimate, its standard error and
    t-statistic at every window-eligible week, by series, with ``away_from_events``).
    """
    choices = _summary_choices(
        window, lag, n_placebo, seed, exclusion=exclusion, method=method, n_sims=n_sims, trend=trend
    )
    events, overrides = _summary_inputs(strikes, events, series)
    confounding = confounders(events, choices.window, choices.lag)
    studies = _TimelineStudies(strikes, choices, list(events["date"]))
    rows = [studies.row(event, overrides, confounding) for _, event in events.iterrows()]
    table = _adjusted_columns(pd.DataFrame(rows).reindex(columns=_EVENT_COLUMNS))
    n_tested = int((table["status"] == "estimated").sum())
    table["reading"] = [
        _reading(row, choices.window, choices.exclusion, n_tested)
        for row in table.to_dict("records")
    ]
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
            row["t_level"] = _t_stat(s)
            estimates = self.placebo_estimates(group, uncertainty)
            row.update(self.placebo_fields(s, estimates, event["date"]))
        return row

    def placebo_fields(self, its: dict, estimates: pd.DataFrame, date: pd.Timestamp) -> dict:
        """Permutation p-values of the t-statistic (and, ``_raw``, of the raw estimate)
        against the placebo dates far from every event (no suffix) and far from this event
        only (``_all``)."""
        c = self.choices
        fields: dict = {}
        for suffix, mask in (
            ("", _far(estimates["date"], self.all_dates, c.exclusion)),
            ("_all", _far(estimates["date"], [date], c.exclusion)),
        ):
            chosen = _subset(pd.DatetimeIndex(estimates.loc[mask, "date"]), c.n_placebo, c.seed)
            values = estimates.set_index("date").loc[chosen]
            n, extreme, p = _permutation_p(_t_stat(its), values["t_stat"].to_numpy())
            _, extreme_raw, p_raw = _permutation_p(
                float(its["log_ratio"]), values["log_ratio"].to_numpy()
            )
            fields[f"n_placebo{suffix}"] = n
            fields[f"placebo_extreme{suffix}"] = extreme
            fields[f"placebo_p{suffix}"] = p
            fields[f"placebo_extreme{suffix}_raw"] = extreme_raw
            fields[f"placebo_p{suffix}_raw"] = p_raw
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


def _t_stat(its: dict) -> float:
    """The t-statistic of the level change in an :func:`event_study` summary (NaN without
    a standard error)."""
    se = float(its["log_ratio_se"])
    return float(its["log_ratio"]) / se if se > 0 else math.nan


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
    return {
        "n_events": int(len(table)),
        "n_estimated": int(estimated.sum()),
        "n_not_estimated": int((~estimated).sum()),
        "window_weeks": choices.window,
        "lag_weeks": choices.lag,
        "exclusion_weeks": choices.exclusion,
        "method": _method_label(choices.method, _bandwidth(None, 2 * choices.window)),
        "counterfactual": f"{choices.trend} on log1p, fitted to the pre window; "
        f"{choices.n_sims} simulated paths, seed {choices.seed}",
        "series_rule": "the event's weapon_class, else iran: strike_drone, north_korea: "
        "ballistic_missile (all origins: KN-23 is lumped with Iskander-M)",
        "placebo_statistic": "t-statistic of the level change (studentised)",
        "adjustment": "across the events estimated: Holm and Benjamini-Hochberg "
        "(statsmodels multipletests); a change survives correction when the level test and "
        "the all-weeks placebo test are both below 0.05 after Benjamini-Hochberg",
        **_below_counts(table.loc[estimated]),
        "n_survive_correction": int(table.loc[estimated, "survives_correction"].sum()),
        "conclusion": "Timing is association, not proof of cause: these are changes around "
        "the event dates, not effects of the events.",
    }


def _below_counts(estimated: pd.DataFrame) -> dict[str, int]:
    """How many p-values of each kind, raw and adjusted, fall below 0.05."""
    counts = {}
    for column in ADJUSTED_COLUMNS:
        for suffix in ("", *(f"_{a}" for a in ADJUSTMENTS)):
            values = pd.to_numeric(estimated[f"{column}{suffix}"], errors="coerce")
            counts[f"n_{column}{suffix}_below_005"] = int((values < ALPHA).sum())
    return counts


# --- calibration -------------------------------------------------------------------------------


def level_change_interval(
    weekly: pd.Series, event_date, window: int = DEFAULT_WINDOW, **options
) -> tuple[float, float, float]:
    """The level ratio at ``event_date`` and its 95% interval, ``(ratio, low, high)``: the
    summary of :func:`event_study` (``options``: ``lag``, ``method``, ``bandwidth``,
    ``uncertainty_days``), the code path of the report, for the calibration suite. NaNs when
    the event cannot be estimated (windows outside the series, a side without launches, a
    failed fit), so that a simulation counts it without stopping."""
    s = event_study(weekly, event_date, window, **options).summary
    if not s["estimated"]:
        return math.nan, math.nan, math.nan
    # Estimated summaries hold floats here (the summary's type allows any plain value).
    return cast(float, s["ratio"]), cast(float, s["ratio_low"]), cast(float, s["ratio_high"])


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
        "ratio_low_model",
        "ratio_high_model",
        "placebo_p",
        "n_placebo",
        "placebo_p_all",
        "n_placebo_all",
        "placebo_p_raw",
        "placebo_p_all_raw",
        *(f"{column}_{suffix}" for column in ADJUSTED_COLUMNS for suffix in ADJUSTMENTS),
        "excess",
        "excess_low",
        "excess_high",
        "counterfactual_informative",
    ]
    table = pd.DataFrame(rows).reindex(columns=[*rows[0].keys(), *columns])
    table["survives_correction"] = False
    summary = {
        "n_events": len(table),
        "n_estimated": 0,
        "n_not_estimated": len(table),
        "n_survive_correction": 0,
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
    "adjust_p_values",
    "confounders",
    "counterfactual",
    "default_series",
    "event_studies",
    "event_study",
    "event_summary",
    "fixed_b_critical_values",
    "its_design",
    "level_change_interval",
    "placebo",
    "placebo_dates",
    "simulate_weekly",
]
