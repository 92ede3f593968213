"""Short-range forecasts of weekly drone and missile launches, a rolling-origin backtest that
picks the model, and forecast snapshots that a later data release scores.

Every model works on ``log1p(count)`` of complete Monday-to-Sunday weeks:

* ``sarimax`` - ARIMA(1,1,1) with drift (``trend="c"`` on the differenced series);
* ``unobserved_components`` - a local linear trend (level + slope + noise), Kalman filtered;
* ``naive`` - the last observed week (a seasonal naive with period 1; a 4-week seasonal naive
  has nothing to use: the lag-4 autocorrelation of weekly log changes over the last two years
  is 0.03 for drones and 0.11 for missiles), with random-walk intervals;
* ``drift`` - a random walk with drift (the mean weekly log change of the training window).

Forecast quantiles are Gaussian on the log1p scale and back-transformed one by one, so the
interval ends are exact quantiles on the count scale and the point is the *median* launches of
the week (``expm1`` of the log-scale mean), not the mean.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

# imported here, not lazily: scipy's OpenBLAS must be loaded before single_thread_blas() looks
from statsmodels.tsa.statespace.sarimax import SARIMAX
from statsmodels.tsa.statespace.structural import UnobservedComponents
from threadpoolctl import threadpool_limits

from analysis.atomic import write_json, write_with
from analysis.data.dates import day_text
from analysis.data.scope import check_scope
from analysis.data.series import HEADLINE_GROUPS, series, wide
from analysis.modelresult import ModelResult
from analysis.paths import ProjectPaths
from analysis.vocabulary import ALL_SCOPE

MODELS = ("sarimax", "unobserved_components", "naive", "drift")
BASELINE = "naive"
SARIMAX_ORDER = (1, 1, 1)
LEVELS = (80, 95)
#: Standard-normal quantiles of the two central intervals.
Z = {80: 1.2815515655446004, 95: 1.959963984540054}
#: Fewest complete weeks a model is fitted on (also the shortest backtest training window).
MIN_WEEKS = 26
#: Training window in weeks (None: every complete week since the series starts). Two years:
#: older weeks (2022-23, with zero-drone weeks) inflate the log-scale variance.
WINDOW: int | None = 104
FORECAST_COLUMNS = ("point", "lo80", "hi80", "lo95", "hi95")
SNAPSHOT_KIND = "weekly_launch_forecast"
#: Version 2 adds ``scope``; a version 1 snapshot has none and counted every reporter.
SNAPSHOT_VERSION = 2
#: The scope of a snapshot saved before snapshots recorded one: every reporter's rows.
LEGACY_SCOPE = ALL_SCOPE
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


def _check_weekly(weekly: pd.Series, minimum: int = MIN_WEEKS) -> pd.Series:
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
class _LogForecast:
    mean: np.ndarray
    se: np.ndarray
    params: np.ndarray | None = None


def _statespace(model, start_params, h: int) -> _LogForecast:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = model.fit(disp=False, start_params=start_params, maxiter=200)
        except (np.linalg.LinAlgError, ValueError):
            if start_params is None:
                raise
            res = model.fit(disp=False, maxiter=200)
        pred = res.get_forecast(h)
        mean = np.asarray(pred.predicted_mean, dtype=float)
        se = np.sqrt(np.asarray(pred.var_pred_mean, dtype=float))
    return _LogForecast(mean, se, np.asarray(res.params, dtype=float))


def _sarimax(y: np.ndarray, h: int, start_params=None) -> _LogForecast:
    return _statespace(SARIMAX(y, order=SARIMAX_ORDER, trend="c"), start_params, h)


def _unobserved_components(y: np.ndarray, h: int, start_params=None) -> _LogForecast:
    return _statespace(UnobservedComponents(y, level="lltrend"), start_params, h)


def _naive(y: np.ndarray, h: int, start_params=None) -> _LogForecast:
    steps = np.arange(1, h + 1)
    sigma = math.sqrt(float(np.mean(np.diff(y) ** 2)))
    return _LogForecast(np.full(h, y[-1]), sigma * np.sqrt(steps))


def _drift(y: np.ndarray, h: int, start_params=None) -> _LogForecast:
    steps = np.arange(1, h + 1)
    diffs = np.diff(y)
    slope = float(diffs.mean())
    sigma = float(diffs.std(ddof=1))
    # sqrt(h) growth, widened by h/T for the estimated drift (Hyndman & Athanasopoulos)
    se = sigma * np.sqrt(steps * (1 + steps / len(diffs)))
    return _LogForecast(y[-1] + slope * steps, se)


FITTERS: dict[str, Callable[..., _LogForecast]] = {
    "sarimax": _sarimax,
    "unobserved_components": _unobserved_components,
    "naive": _naive,
    "drift": _drift,
}
DESCRIPTIONS = {
    "sarimax": f"SARIMAX{SARIMAX_ORDER} with drift on log1p(weekly launches)",
    "unobserved_components": "local linear trend (UnobservedComponents 'lltrend') on log1p",
    "naive": "naive: last complete week (seasonal naive with period 1), random-walk intervals",
    "drift": "random walk with drift on log1p, residual sd x sqrt(h(1 + h/T))",
}


def _check_models(models: Sequence[str]) -> tuple[str, ...]:
    models = tuple(models)
    unknown = [m for m in models if m not in FITTERS]
    if unknown or not models:
        raise ValueError(f"unknown model(s) {unknown}; known: {', '.join(FITTERS)}")
    return models


def _to_counts(fc: _LogForecast) -> dict[str, np.ndarray]:
    """Back-transform log1p quantiles one by one; counts cannot be negative."""

    def back(values):
        return np.clip(np.expm1(values), 0.0, None)

    out = {"point": back(fc.mean)}
    for level in LEVELS:
        out[f"lo{level}"] = back(fc.mean - Z[level] * fc.se)
        out[f"hi{level}"] = back(fc.mean + Z[level] * fc.se)
    return out


def _predict(model: str, y_log: np.ndarray, h: int, start_params=None):
    """Count-scale forecast of one model, or NaNs if the fit fails."""
    try:
        fc = FITTERS[model](y_log, h, start_params)
    except (np.linalg.LinAlgError, ValueError, FloatingPointError):
        nan = np.full(h, np.nan)
        return {c: nan for c in FORECAST_COLUMNS}, None, False
    counts = _to_counts(fc)
    ok = all(np.isfinite(v).all() for v in counts.values())
    return counts, fc.params, ok


# --------------------------------------------------------------------------------------------
# forecast


def _check_window(window: int | None) -> None:
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
    models = _check_models(models)
    _check_window(window)
    weekly = _check_weekly(weekly)
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
    summary = {
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


# --------------------------------------------------------------------------------------------
# metrics


def mase_scale(train: np.ndarray | pd.Series) -> float:
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


# --------------------------------------------------------------------------------------------
# backtest


def backtest(
    weekly: pd.Series,
    h: int = 8,
    origins: int = 52,
    models: Sequence[str] = MODELS,
    window: int | None = WINDOW,
    min_train: int = MIN_WEEKS,
) -> ModelResult:
    """Rolling-origin backtest over the last ``origins`` weeks.

    Origin ``o`` fits every model on the ``window`` weeks before it (``None``: all weeks
    before it, an expanding window; never fewer than ``min_train``), forecasts
    ``h`` weeks and is scored on those already observed, so every scored week lies in the
    last ``origins`` weeks and horizon ``k`` is scored at ``origins - k + 1`` origins. Errors
    are scaled by the training window's in-sample one-step naive MAE (MASE). Parameters are
    re-estimated at every origin, warm-started from the previous origin's estimates.

    Tables: ``forecasts`` (every origin × model × step), ``scores`` (model × horizon: MASE,
    coverage 80/95), ``summary`` (model: mean MASE over horizons, coverage, versus naive).
    The chosen model is the one with the lowest mean MASE.
    """
    if h < 1 or origins < 1:
        raise ValueError("h and origins must be at least 1")
    models = _check_models(models)
    _check_window(window)
    weekly = _check_weekly(weekly, minimum=min_train + 1)
    n = len(weekly)
    origins = min(origins, n - min_train)
    values = weekly.to_numpy()
    y_log = np.log1p(values)
    started = time.perf_counter()
    warm: dict[str, np.ndarray | None] = dict.fromkeys(models)
    failures = dict.fromkeys(models, 0)
    rows = []
    with single_thread_blas():
        for o in range(n - origins, n):
            first = 0 if window is None else max(0, o - window)
            scale = mase_scale(values[first:o])
            steps = min(h, n - o)
            for model in models:
                counts, params, ok = _predict(model, y_log[first:o], h, warm[model])
                if params is not None:
                    warm[model] = params
                failures[model] += not ok
                for k in range(steps):
                    actual, point = values[o + k], counts["point"][k]
                    rows.append(
                        {
                            "model": model,
                            "origin": weekly.index[o - 1],
                            "week": weekly.index[o + k],
                            "step": k + 1,
                            "actual": actual,
                            **{c: counts[c][k] for c in FORECAST_COLUMNS},
                            "abs_error": abs(actual - point),
                            "scale": scale,
                            "scaled_error": abs(actual - point) / scale if scale > 0 else np.nan,
                        }
                    )
    seconds = time.perf_counter() - started
    forecasts = pd.DataFrame(rows)
    for level in LEVELS:
        hit = inside(forecasts["actual"], forecasts[f"lo{level}"], forecasts[f"hi{level}"])
        forecasts[f"in{level}"] = hit & forecasts["point"].notna()

    scores = (
        forecasts.groupby(["model", "step"], sort=False)
        .agg(
            n=("actual", "size"),
            mase=("scaled_error", "mean"),
            mae=("abs_error", "mean"),
            coverage80=("in80", "mean"),
            coverage95=("in95", "mean"),
        )
        .reset_index()
    )
    by_model = scores.groupby("model", sort=False)
    summary = pd.DataFrame(
        {
            "mase": by_model["mase"].mean(),
            "mase_h1": scores[scores["step"] == 1].set_index("model")["mase"],
            "mae": by_model["mae"].mean(),
        }
    )
    per_model = forecasts.groupby("model", sort=False)
    summary["coverage80"] = per_model["in80"].mean()
    summary["coverage95"] = per_model["in95"].mean()
    summary["forecasts"] = per_model.size()
    summary["failed_origins"] = pd.Series(failures)
    naive_mase = summary["mase"].get(BASELINE, np.nan)
    summary["vs_naive"] = summary["mase"] / naive_mase - 1
    summary["beats_naive"] = summary["mase"] < naive_mase
    summary = summary.sort_values("mase").rename_axis("model").reset_index()
    summary["rank"] = np.arange(1, len(summary) + 1)

    best = summary.iloc[0]
    rivals = summary[summary["model"] != BASELINE]
    has_naive = BASELINE in models
    beats = bool(has_naive and rivals["beats_naive"].any())
    best_rival = rivals.iloc[0] if len(rivals) else None
    result_summary = {
        "series": str(weekly.name),
        "h": h,
        "origins": origins,
        "window": window,
        "first_origin": str(weekly.index[n - origins - 1].date()),
        "last_origin": str(weekly.index[n - 2].date()),
        "best_model": str(best["model"]),
        "best_mase": float(best["mase"]),
        "naive_mase": float(naive_mase) if has_naive else None,
        "beats_naive": beats,
        "best_non_naive": None if best_rival is None else str(best_rival["model"]),
        # how far the best non-naive model is below (positive) or above naive, in MASE
        "margin": None
        if best_rival is None or not has_naive
        else float(naive_mase - best_rival["mase"]),
        "margin_pct": None
        if best_rival is None or not has_naive
        else float(-100 * best_rival["vs_naive"]),
        "seconds": round(seconds, 3),
    }
    verdict = (
        f"{result_summary['best_non_naive']} beats naive by "
        f"{result_summary['margin']:.3f} MASE ({result_summary['margin_pct']:.1f}%)"
        if beats
        else "no model beats the naive baseline"
        if has_naive
        else "naive not run"
    )
    result_summary["verdict"] = verdict
    return ModelResult(
        name="forecast_backtest",
        summary=result_summary,
        tables={"forecasts": forecasts, "scores": scores, "summary": summary},
        assumptions=(
            (
                f"Rolling training window of the last {window} weeks before each origin"
                if window is not None
                else "Expanding training window (every week before each origin)"
            )
            + "; parameters re-estimated at every origin.",
            "MASE scaled by the in-sample one-step naive MAE of each origin's training window; "
            "a model's MASE is the mean over horizons of the mean scaled error per horizon.",
            "Coverage pools every origin and horizon; closed intervals.",
        ),
        caveats=(
            "Origins overlap, so the per-horizon scores are strongly correlated: differences "
            "of a few percent in MASE are within noise.",
        ),
    )


# --------------------------------------------------------------------------------------------
# convenience on the strikes table


def forecast_for(
    strikes: pd.DataFrame,
    group: str = "drones",
    h: int = 8,
    models: Sequence[str] = MODELS,
    origins: int | None = None,
    window: int | None = WINDOW,
) -> ModelResult:
    """Forecast a headline group from the strikes table. With ``origins``, also backtest and
    record the chosen model (``summary['chosen_model']``, tables ``chosen`` and
    ``backtest``)."""
    weekly = weekly_counts(strikes, group)
    result = forecast(weekly, h=h, models=models, window=window)
    if origins is None:
        return result
    tested = backtest(weekly, h=h, origins=origins, models=models, window=window)
    return combine(result, tested)


def backtest_for(
    strikes: pd.DataFrame,
    group: str = "drones",
    h: int = 8,
    origins: int = 52,
    models: Sequence[str] = MODELS,
    window: int | None = WINDOW,
) -> ModelResult:
    """Backtest a headline group of the strikes table."""
    return backtest(
        weekly_counts(strikes, group), h=h, origins=origins, models=models, window=window
    )


# --------------------------------------------------------------------------------------------
# snapshots


def snapshot_folder(paths: ProjectPaths | None = None, root: str | Path | None = None) -> Path:
    """``reports/forecasts/`` of a checkout: ``paths``, else the project in ``root`` (None:
    this checkout), so that a notebook run with ``project_root`` scores that project's
    snapshots."""
    if paths is None:
        paths = ProjectPaths.at(root)
    return paths.forecasts


def snapshot_path(
    folder: Path, release: str, series_name: str, model: str, *, scope: str = LEGACY_SCOPE
) -> Path:
    """``<release>_<series>_<model>.json`` for scope ``all`` (the name snapshots had before
    they recorded a scope, so an old file is the same snapshot), else
    ``<release>_<scope>_<series>_<model>.json``."""
    if check_scope(scope) == LEGACY_SCOPE:
        return Path(folder) / f"{release}_{series_name}_{model}.json"
    return Path(folder) / f"{release}_{scope}_{series_name}_{model}.json"


def save_snapshot(
    result: ModelResult,
    release: str,
    made_on: str | dt.date | None,
    folder: Path,
    *,
    scope: str,
    model: str | None = None,
) -> Path:
    """Write one model's forecast to :func:`snapshot_path` (atomic).

    ``scope`` is the scope of the strikes the forecast was made from (they arrive already
    scoped, so the caller says which); it is recorded so that only actuals of the same scope
    score it. ``model`` defaults to the result's chosen model, or its only model. ``made_on``
    defaults to today.
    """
    check_scope(scope)
    table = result.table("forecast")
    if model is None:
        model = result.summary.get("chosen_model")
    if model is None:
        available = table["model"].unique().tolist()
        if len(available) != 1:
            raise ValueError(f"choose a model to save: one of {available}")
        model = available[0]
    rows = table[table["model"] == model].sort_values("step")
    if rows.empty:
        raise ValueError(f"model {model!r} is not in the forecast")
    series_name = str(result.summary["series"])
    document = {
        "kind": SNAPSHOT_KIND,
        "version": SNAPSHOT_VERSION,
        "release": str(release),
        "scope": scope,
        "made_on": day_text(made_on if made_on is not None else dt.date.today()),
        "series": series_name,
        "model": model,
        "description": DESCRIPTIONS.get(model, model),
        "last_observed_week": day_text(result.summary["last_observed_week"]),
        "window": result.summary.get("window"),
        "h": len(rows),
        "point": POINT_NOTE,
        "week_label": "Monday that starts the Monday-to-Sunday week (Kyiv report end date)",
        "weeks": [
            {
                "week": day_text(r.week),
                "step": int(r.step),
                **{c: round(float(getattr(r, c)), 3) for c in FORECAST_COLUMNS},
            }
            for r in rows.itertuples()
        ],
    }
    path = snapshot_path(folder, release, series_name, model, scope=scope)
    return write_json(document, path)


def save_snapshots(
    result: ModelResult,
    release: str,
    made_on: str | dt.date | None,
    folder: Path,
    *,
    scope: str,
) -> list[Path]:
    """One snapshot per model of the forecast, each recording ``scope``."""
    models = result.table("forecast")["model"].unique()
    return [save_snapshot(result, release, made_on, folder, scope=scope, model=m) for m in models]


def load_snapshots(folder: Path) -> list[dict]:
    """Every snapshot document in ``folder`` (other JSON files are ignored); one saved before
    snapshots recorded a scope reads as :data:`LEGACY_SCOPE` (it counted every reporter)."""
    out = []
    for path in sorted(Path(folder).glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(document, dict) and document.get("kind") == SNAPSHOT_KIND:
            out.append({"scope": LEGACY_SCOPE, **document, "path": str(path)})
    return out


SCORE_COLUMNS = (
    "release",
    "scope",
    "scored_on",
    "series",
    "model",
    "made_on",
    "last_observed_week",
    "week",
    "step",
    *FORECAST_COLUMNS,
    "actual",
    "error",
    "abs_error",
    "in80",
    "in95",
)


def score_snapshots(
    folder: Path, actual_weekly: pd.DataFrame, release: str, scope: str
) -> pd.DataFrame:
    """Score every snapshot of ``scope`` made from a release older than ``release`` on the
    weeks that ``actual_weekly`` (complete weeks of ``scope``, indexed by week start, one
    column per series) now observes. Snapshots of another scope are left out: a forecast of
    the national summary's counts is never scored on every reporter's, nor the reverse. One
    row per snapshot × observed forecast week; ``error = actual - point``."""
    check_scope(scope)
    actual_weekly = actual_weekly.copy()
    if "complete" in actual_weekly.columns:
        actual_weekly = actual_weekly[actual_weekly["complete"].astype(bool)]
    actual_weekly.index = pd.DatetimeIndex(actual_weekly.index)
    rows = []
    for snap in load_snapshots(folder):
        if snap["scope"] != scope or snap["release"] >= str(release):
            continue
        if snap["series"] not in actual_weekly.columns:
            continue
        observed = actual_weekly[snap["series"]].dropna()
        for week in snap["weeks"]:
            when = pd.Timestamp(week["week"])
            if when not in observed.index or when <= pd.Timestamp(snap["last_observed_week"]):
                continue
            actual = float(observed.loc[when])
            rows.append(
                {
                    "release": snap["release"],
                    "scope": scope,
                    "scored_on": str(release),
                    "series": snap["series"],
                    "model": snap["model"],
                    "made_on": snap["made_on"],
                    "last_observed_week": snap["last_observed_week"],
                    "week": when,
                    "step": week["step"],
                    **{c: week[c] for c in FORECAST_COLUMNS},
                    "actual": actual,
                    "error": actual - week["point"],
                    "abs_error": abs(actual - week["point"]),
                    "in80": week["lo80"] <= actual <= week["hi80"],
                    "in95": week["lo95"] <= actual <= week["hi95"],
                }
            )
    scored = pd.DataFrame(rows, columns=list(SCORE_COLUMNS))
    return scored.sort_values(["release", "series", "model", "week"], ignore_index=True)


def summarise_scores(scored: pd.DataFrame) -> pd.DataFrame:
    """Per snapshot (release, series, model): weeks now observed, MAE, bias, hit rates."""
    keys = ["release", "scored_on", "series", "model"]
    if scored.empty:
        return pd.DataFrame(columns=[*keys, "weeks", "mae", "mean_error", "hit80", "hit95"])
    return (
        scored.groupby(keys)
        .agg(
            weeks=("week", "size"),
            mae=("abs_error", "mean"),
            mean_error=("error", "mean"),
            hit80=("in80", "mean"),
            hit95=("in95", "mean"),
        )
        .reset_index()
    )


def scores_path(folder: Path, release: str, scope: str) -> Path:
    """``scores_<release>.csv`` for scope ``all`` (the name scores had before snapshots
    recorded a scope), else ``scores_<release>_<scope>.csv``."""
    if check_scope(scope) == LEGACY_SCOPE:
        return Path(folder) / f"scores_{release}.csv"
    return Path(folder) / f"scores_{release}_{scope}.csv"


def save_scores(scored: pd.DataFrame, folder: Path, release: str, scope: str) -> Path:
    """Write the per-week scores of ``scope`` to :func:`scores_path` (atomic)."""
    return write_with(scores_path(folder, release, scope), lambda p: scored.to_csv(p, index=False))


def snapshot_release(
    strikes: pd.DataFrame,
    release: str,
    folder: Path,
    made_on: str | dt.date | None = None,
    h: int = 8,
    models: Sequence[str] = MODELS,
    window: int | None = WINDOW,
    *,
    scope: str,
) -> list[Path]:
    """Forecast drones and missiles from one release and save a snapshot per model.

    ``strikes`` are already scoped (:func:`analysis.data.scope.in_scope`); ``scope`` names
    that scope, and the snapshots record it.
    """
    check_scope(scope)
    paths = []
    for group in HEADLINE_GROUPS:
        result = forecast_for(strikes, group, h=h, models=models, window=window)
        paths += save_snapshots(result, release, made_on, folder, scope=scope)
    return paths


def has_snapshots(folder: Path, release: str, scope: str) -> bool:
    """Whether snapshots of ``release`` in ``scope`` are already saved (a release's data never
    change; the other scope's snapshots of the release do not count)."""
    check_scope(scope)
    return any(s["release"] == str(release) and s["scope"] == scope for s in load_snapshots(folder))


@dataclass(frozen=True)
class GroupForecast:
    """One headline group's forecast and the backtest that chose its model.

    ``result`` is shaped like :func:`analysis.models.forecast.forecast_for` with ``origins``
    (summary ``chosen_model``; tables ``forecast``, ``history``, ``chosen``, ``backtest``);
    ``tested`` is the full backtest (tables ``forecasts``, ``scores``, ``summary``).
    """

    group: str
    result: ModelResult
    tested: ModelResult
    requested_origins: int

    @property
    def chosen(self) -> str:
        return str(self.result.summary["chosen_model"])

    @property
    def horizon(self) -> int:
        return int(self.result.summary["h"])


def combine(forecast_result: ModelResult, tested: ModelResult) -> ModelResult:
    """A forecast with its backtest's choice, as ``forecast_for(..., origins=...)`` returns."""
    chosen = tested.summary["best_model"]
    table = forecast_result.table("forecast")
    summary = {
        **forecast_result.summary,
        "chosen_model": chosen,
        "backtest_verdict": tested.summary["verdict"],
    }
    tables = {
        **forecast_result.tables,
        "chosen": table[table["model"] == chosen].reset_index(drop=True),
        "backtest": tested.table("summary"),
    }
    return ModelResult(
        forecast_result.name, summary, tables, forecast_result.assumptions, forecast_result.caveats
    )


def run_group(
    strikes: pd.DataFrame,
    group: str,
    horizon: int = 8,
    origins: int = 52,
    models: Sequence[str] = MODELS,
    window: int | None = WINDOW,
) -> GroupForecast:
    """Forecast one headline group ``horizon`` weeks ahead with every model and backtest them
    over ``origins`` weekly origins, once each.

    This is ``forecast_for(strikes, group, h=horizon, origins=origins)`` keeping the whole
    backtest (its per-horizon scores are charted), so the backtest is not run twice.
    """
    weekly = weekly_counts(strikes, group)
    tested = backtest(weekly, h=horizon, origins=origins, models=models, window=window)
    result = forecast(weekly, h=horizon, models=models, window=window)
    return GroupForecast(group, combine(result, tested), tested, origins)
