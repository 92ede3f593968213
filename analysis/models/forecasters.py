"""Weekly launch series and the forecasting models: each fits ``log1p(count)`` of complete
Monday-to-Sunday weeks and returns a log-scale mean and standard error per week ahead.

* ``sarimax`` - ARIMA(1,1,1) with drift (``trend="c"`` on the differenced series);
* ``unobserved_components`` - a local linear trend (level + slope + noise), Kalman filtered;
* ``ets`` - exponential smoothing with additive errors and an additive damped trend
  (statsmodels ``ETSModel``): a smoothed level and a slope that fades out;
* ``theta`` - the theta method (statsmodels ``ThetaModel``, no seasonal adjustment): simple
  exponential smoothing plus half the slope of a straight line through the window;
* ``naive`` - the last observed week, with random-walk intervals;
* ``mean4`` - the mean of the last four weeks (on the log scale), a smoothed naive;
* ``drift`` - a random walk with drift (the mean weekly log change of the training window).

No seasonal naive is used: an annual one (the same week 52 weeks earlier) would forecast a
tenfold lower level for drones, whose launches grew that much in a year, and weekly launches
have no shorter season (the lag-4 autocorrelation of weekly log changes over the last two
years is 0.03 for drones and 0.11 for missiles). ``naive``, ``mean4`` and ``drift`` are the
baselines a model has to beat.

Forecast quantiles are Gaussian on the log1p scale and back-transformed one by one, so the
interval ends are exact quantiles on the count scale and the point is the *median* launches of
the week (``expm1`` of the log-scale mean), not the mean. These model-based intervals are kept
for comparison; the report's intervals are calibrated on backtest errors
(:mod:`analysis.models.backtest`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

# imported here, not lazily: scipy's OpenBLAS must be loaded before single_thread_blas() looks
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.forecasting.theta import ThetaModel
from statsmodels.tsa.statespace.sarimax import SARIMAX
from statsmodels.tsa.statespace.structural import UnobservedComponents
from threadpoolctl import threadpool_limits

from analysis.data.series import HEADLINE_GROUPS, series, wide
from analysis.modelresult import ModelResult

MODELS = (
    "sarimax",
    "unobserved_components",
    "ets",
    "theta",
    "naive",
    "mean4",
    "drift",
)
#: The simple rules a model has to beat; ``naive`` is the one the report names first.
BASELINES = ("naive", "mean4", "drift")
BASELINE = "naive"
SARIMAX_ORDER = (1, 1, 1)
LEVELS = (80, 95)
#: Standard-normal quantiles of the two central intervals.
Z = {80: 1.2815515655446004, 95: 1.959963984540054}
#: Fewest complete weeks a model is fitted on (also the shortest backtest training window).
MIN_WEEKS = 26
#: Training window in weeks of a plain :func:`forecast` and of the saved snapshots (None:
#: every complete week since the series starts). The report's windows are chosen by the
#: backtest instead.
WINDOW: int | None = 104
FORECAST_COLUMNS = ("point", "lo80", "hi80", "lo95", "hi95")
POINT_NOTE = "median on the count scale (expm1 of the log1p-scale mean)"


# --------------------------------------------------------------------------------------------
# data


def weekly_table(strikes: pd.DataFrame) -> pd.DataFrame:
    """Weekly launches of ``drones`` and ``missiles``, complete weeks only, indexed by the
    week's Monday (``week``)."""
    long = series(strikes, by="headline", freq="W")
    table = wide(long, "launched", by="headline")
    complete = long.drop_duplicates("period").set_index("period")["complete"]
    table = table[complete.reindex(table.index).to_numpy(dtype=bool)]
    table.index.name = "week"
    return table.astype("int64")


def weekly_counts(strikes: pd.DataFrame, group: str = "drones") -> pd.Series:
    """One headline group's weekly launches (complete weeks only), named after the group."""
    if group not in HEADLINE_GROUPS:
        raise ValueError(f"group {group!r} is not one of {', '.join(HEADLINE_GROUPS)}")
    return weekly_table(strikes)[group].rename(group)


def check_weekly(weekly: pd.Series, minimum: int = MIN_WEEKS) -> pd.Series:
    """``weekly`` as float counts of consecutive weeks, at least ``minimum`` of them; a
    ``ValueError`` saying what is wrong otherwise."""
    if not isinstance(weekly, pd.Series):
        raise TypeError("weekly must be a pandas Series indexed by week")
    values = pd.to_numeric(weekly, errors="coerce").astype("float64")
    index = pd.DatetimeIndex(weekly.index)
    if values.isna().any():
        raise ValueError("weekly counts contain missing values; pass complete weeks only")
    if (values < 0).any():
        raise ValueError("weekly counts must be non-negative")
    if len(values) < minimum:
        raise ValueError(f"need at least {minimum} complete weeks, got {len(values)}")
    steps = index[1:] - index[:-1]
    if len(steps) and not (steps == pd.Timedelta(weeks=1)).all():
        raise ValueError("weekly index must be consecutive weeks without gaps or duplicates")
    return pd.Series(values.to_numpy(), index=index, name=weekly.name or "launches")


# --------------------------------------------------------------------------------------------
# BLAS threads: the Kalman filter multiplies tiny matrices, where OpenBLAS threads only spin;
# on a busy 2-core machine they slowed the backtest more than tenfold (2 s against 27 s).


@contextmanager
def single_thread_blas() -> Iterator[None]:
    """Run the block with BLAS limited to one thread (threadpoolctl), restoring it after."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


# --------------------------------------------------------------------------------------------
# models: each takes the log1p training values and h, and returns the log-scale mean and
# standard error of the next h weeks (plus fitted parameters for a warm start)


@dataclass(frozen=True)
class LogForecast:
    """A model's forecast on the log1p scale: mean and standard error per week ahead, and the
    fitted parameters (to warm-start the next fit)."""

    mean: np.ndarray
    se: np.ndarray
    params: np.ndarray | None = None


def _fit(model, start_params):
    """Fit from ``start_params`` (the previous origin's), else afresh when they fail; the
    caller silences the optimiser's warnings."""
    try:
        return model.fit(disp=False, start_params=start_params, maxiter=200)
    except (np.linalg.LinAlgError, ValueError):
        if start_params is None:
            raise
        return model.fit(disp=False, maxiter=200)


def _statespace(model, start_params, h: int) -> LogForecast:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = _fit(model, start_params)
        pred = res.get_forecast(h)
        mean = np.asarray(pred.predicted_mean, dtype=float)
        se = np.sqrt(np.asarray(pred.var_pred_mean, dtype=float))
    return LogForecast(mean, se, np.asarray(res.params, dtype=float))


def _sarimax(y: np.ndarray, h: int, start_params=None) -> LogForecast:
    return _statespace(SARIMAX(y, order=SARIMAX_ORDER, trend="c"), start_params, h)


def _unobserved_components(y: np.ndarray, h: int, start_params=None) -> LogForecast:
    return _statespace(UnobservedComponents(y, level="lltrend"), start_params, h)


def _naive(y: np.ndarray, h: int, start_params=None) -> LogForecast:
    steps = np.arange(1, h + 1)
    sigma = math.sqrt(float(np.mean(np.diff(y) ** 2)))
    return LogForecast(np.full(h, y[-1]), sigma * np.sqrt(steps))


def _drift(y: np.ndarray, h: int, start_params=None) -> LogForecast:
    steps = np.arange(1, h + 1)
    diffs = np.diff(y)
    slope = float(diffs.mean())
    sigma = float(diffs.std(ddof=1))
    # sqrt(h) growth, widened by h/T for the estimated drift (Hyndman & Athanasopoulos)
    se = sigma * np.sqrt(steps * (1 + steps / len(diffs)))
    return LogForecast(y[-1] + slope * steps, se)


def _ets(y: np.ndarray, h: int, start_params=None) -> LogForecast:
    """Additive errors, additive damped trend: the slope fades, so it does not run away."""
    model = ETSModel(pd.Series(y), error="add", trend="add", damped_trend=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = _fit(model, start_params)
        pred = res.get_prediction(start=len(y), end=len(y) + h - 1)
        mean = np.asarray(pred.predicted_mean, dtype=float)
        se = np.sqrt(np.asarray(pred.forecast_variance, dtype=float))
    return LogForecast(mean, se, np.asarray(res.params, dtype=float))


def _theta(y: np.ndarray, h: int, start_params=None) -> LogForecast:
    """The theta method without seasonal adjustment. Its variance is that of the
    ARIMA(0,1,1) with drift it equals, ``sigma2 (1 + (k - 1)(1 + (alpha - 1)^2))`` at step
    ``k`` (as in statsmodels), with ``sigma2`` the mean squared one-step residual of that ARIMA
    at the fitted ``alpha`` and drift ``b0``, computed directly: statsmodels refits the ARIMA by
    maximum likelihood for it, which made theta the slowest model of the backtest."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ThetaModel(y, period=1, deseasonalize=False).fit()
        mean = np.asarray(res.forecast(h), dtype=float)
        b0, alpha = float(res.params.iloc[0]), float(res.params.iloc[1])
    residual, squares = 0.0, []
    for change in np.diff(y):
        residual = change - b0 - (alpha - 1) * residual
        squares.append(residual * residual)
    sigma2 = float(np.mean(squares))
    return LogForecast(mean, np.sqrt(sigma2 * (1 + np.arange(h) * (1 + (alpha - 1) ** 2))))


def _mean4(y: np.ndarray, h: int, start_params=None) -> LogForecast:
    """The mean of the last four weeks; the standard error at step ``k`` is the root mean
    square of the same rule's in-sample errors ``k`` weeks ahead."""
    if len(y) < 5:
        raise ValueError("mean4 needs at least five weeks")
    means = np.convolve(y, np.ones(4) / 4, mode="valid")  # means[i] covers y[i .. i + 3]
    se = np.empty(h)
    for k in range(1, h + 1):
        errors = y[3 + k :] - means[: len(y) - 3 - k]
        se[k - 1] = math.sqrt(float(np.mean(errors**2))) if len(errors) else np.nan
    se = pd.Series(se).ffill().to_numpy()  # short windows: carry the last known error on
    return LogForecast(np.full(h, means[-1]), se)


FITTERS: dict[str, Callable[..., LogForecast]] = {
    "sarimax": _sarimax,
    "unobserved_components": _unobserved_components,
    "ets": _ets,
    "theta": _theta,
    "naive": _naive,
    "mean4": _mean4,
    "drift": _drift,
}
DESCRIPTIONS = {
    "sarimax": f"SARIMAX{SARIMAX_ORDER} with drift on log1p(weekly launches)",
    "unobserved_components": "local linear trend (UnobservedComponents 'lltrend') on log1p",
    "ets": "ETS(A,Ad,N): additive errors, additive damped trend (ETSModel) on log1p",
    "theta": "theta method (ThetaModel, theta 2, no deseasonalising) on log1p",
    "naive": "naive: last complete week, random-walk intervals",
    "mean4": "mean of the last four weeks on log1p, in-sample RMSE intervals",
    "drift": "random walk with drift on log1p, residual sd x sqrt(h(1 + h/T))",
}


def check_models(models: Sequence[str]) -> tuple[str, ...]:
    """The models as a tuple; a ``ValueError`` naming any that is not known."""
    models = tuple(models)
    unknown = [m for m in models if m not in FITTERS]
    if unknown or not models:
        raise ValueError(f"unknown model(s) {unknown}; known: {', '.join(FITTERS)}")
    return models


def _to_counts(fc: LogForecast) -> dict[str, np.ndarray]:
    """Back-transform log1p quantiles one by one; counts cannot be negative."""

    def back(values):
        return np.clip(np.expm1(values), 0.0, None)

    out = {"point": back(fc.mean)}
    for level in LEVELS:
        out[f"lo{level}"] = back(fc.mean - Z[level] * fc.se)
        out[f"hi{level}"] = back(fc.mean + Z[level] * fc.se)
    return out


def fit_log(model: str, y_log: np.ndarray, h: int, start_params=None) -> LogForecast | None:
    """One model's log-scale forecast of the ``h`` weeks after ``y_log``, or None when the
    fit fails or gives a mean or standard error that is not finite."""
    try:
        fc = FITTERS[model](y_log, h, start_params)
    except (np.linalg.LinAlgError, ValueError, FloatingPointError):
        return None
    if not (np.isfinite(fc.mean).all() and np.isfinite(fc.se).all()):
        return None
    return fc


def _predict(model: str, y_log: np.ndarray, h: int, start_params=None):
    """Count-scale forecast of one model, or NaNs if the fit fails."""
    fc = fit_log(model, y_log, h, start_params)
    if fc is None:
        nan = np.full(h, np.nan)
        return {c: nan for c in FORECAST_COLUMNS}, None, False
    counts = _to_counts(fc)
    ok = all(np.isfinite(v).all() for v in counts.values())
    return counts, fc.params, ok


# --------------------------------------------------------------------------------------------
# forecast


def check_window(window: int | None) -> None:
    """A training window is at least :data:`MIN_WEEKS` weeks, or None (every week)."""
    if window is not None and window < MIN_WEEKS:
        raise ValueError(f"window must be at least {MIN_WEEKS} weeks (or None for all)")


def forecast(
    weekly: pd.Series,
    h: int = 8,
    models: Sequence[str] = MODELS,
    window: int | None = WINDOW,
) -> ModelResult:
    """Forecast the next ``h`` weeks of a weekly count series with every model in ``models``.

    ``weekly`` holds complete weeks only, indexed by consecutive week starts; models are
    fitted on its last ``window`` weeks (``None``: all). The ``forecast`` table is long:
    ``series, model, step, week, point, lo80, hi80, lo95, hi95`` (counts; ``point`` is the
    median).
    """
    if h < 1:
        raise ValueError("h must be at least 1")
    models = check_models(models)
    check_window(window)
    weekly = check_weekly(weekly)
    if window is not None:
        weekly = weekly.iloc[-window:]
    y_log = np.log1p(weekly.to_numpy())
    last = weekly.index[-1]
    weeks = pd.DatetimeIndex([last + pd.Timedelta(weeks=k) for k in range(1, h + 1)])
    frames, failed = [], []
    with single_thread_blas():
        for model in models:
            counts, _, ok = _predict(model, y_log, h)
            if not ok:
                failed.append(model)
            frames.append(
                pd.DataFrame(
                    {
                        "series": weekly.name,
                        "model": model,
                        "step": np.arange(1, h + 1),
                        "week": weeks,
                        **counts,
                    }
                )
            )
    table = pd.concat(frames, ignore_index=True)
    summary: dict[str, float | int | str | None] = {
        "series": str(weekly.name),
        "h": h,
        "models": ",".join(models),
        "window": window,
        "weeks_used": len(weekly),
        "first_week": str(weekly.index[0].date()),
        "last_observed_week": str(last.date()),
        "last_observed": float(weekly.iloc[-1]),
        "point": POINT_NOTE,
        "failed": ",".join(failed) or None,
    }
    return ModelResult(
        name="forecast",
        summary=summary,
        tables={"forecast": table, "history": weekly.rename("launched").to_frame()},
        assumptions=(
            "Only complete Monday-to-Sunday weeks (Kyiv report end date) are used.",
            "Models are fitted on log1p(launches); intervals are Gaussian on that scale and "
            "back-transformed quantile by quantile, so the point is the median week.",
            *(DESCRIPTIONS[m] for m in models),
        ),
        caveats=(
            "Launch counts are set by Russian planning, not a stationary process: a new "
            "production rate or a pause can move the level outside any interval.",
            "Intervals reflect parameter-conditional noise only (SARIMAX/UC ignore "
            "parameter uncertainty); check the backtest coverage before trusting them.",
        ),
    )
