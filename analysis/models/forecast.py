"""Weekly launch forecasts as the report makes them: the nested backtest that chooses each
model's window, the candidate model and the verdict against the baselines, the headline
forecast with intervals calibrated on backtest errors (:func:`run_group`), and forecast
snapshots that a later data release scores.

The series and the models live in :mod:`analysis.models.forecasters`, the scores in
:mod:`analysis.models.scores` and the backtest in :mod:`analysis.models.backtest`; their public
names are importable from here too.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.atomic import write_json, write_with
from analysis.data.dates import day_text
from analysis.data.scope import check_scope
from analysis.data.series import HEADLINE_GROUPS
from analysis.modelresult import ModelResult
from analysis.models.backtest import (
    MIN_BACKTEST_WEEKS,
    SIGNIFICANCE,
    TUNING_STEP,
    TUNING_WEEKS,
    WINDOWS,
    backtest,
    calibrated_interval,
    interval_coverage,
    plan_origins,
    window_label,
    window_value,
)
from analysis.models.forecasters import (
    BASELINE,
    BASELINES,
    DESCRIPTIONS,
    FORECAST_COLUMNS,
    LEVELS,
    MIN_WEEKS,
    MODELS,
    POINT_NOTE,
    SARIMAX_ORDER,
    WINDOW,
    Z,
    forecast,
    single_thread_blas,
    weekly_counts,
    weekly_table,
)
from analysis.models.scores import (
    coverage,
    diebold_mariano,
    inside,
    mase,
    mase_scale,
    weighted_interval_score,
)
from analysis.paths import ProjectPaths
from analysis.vocabulary import ALL_SCOPE

__all__ = [
    "BASELINE",
    "BASELINES",
    "DESCRIPTIONS",
    "FORECAST_COLUMNS",
    "LEGACY_SCOPE",
    "LEVELS",
    "MIN_BACKTEST_WEEKS",
    "MIN_WEEKS",
    "MODELS",
    "POINT_NOTE",
    "SARIMAX_ORDER",
    "SCORE_COLUMNS",
    "SIGNIFICANCE",
    "SNAPSHOT_KIND",
    "SNAPSHOT_VERSION",
    "TUNING_STEP",
    "TUNING_WEEKS",
    "WINDOW",
    "WINDOWS",
    "Z",
    "GroupForecast",
    "backtest",
    "backtest_for",
    "calibrated_interval",
    "combine",
    "coverage",
    "diebold_mariano",
    "forecast",
    "forecast_for",
    "has_snapshots",
    "inside",
    "interval_coverage",
    "load_snapshots",
    "mase",
    "mase_scale",
    "plan_origins",
    "run_group",
    "save_scores",
    "save_snapshot",
    "save_snapshots",
    "score_snapshots",
    "scores_path",
    "single_thread_blas",
    "snapshot_folder",
    "snapshot_path",
    "snapshot_release",
    "summarise_scores",
    "weekly_counts",
    "weekly_table",
    "weighted_interval_score",
    "window_label",
]

SNAPSHOT_KIND = "weekly_launch_forecast"
#: Version 2 adds ``scope``; a version 1 snapshot has none and counted every reporter.
SNAPSHOT_VERSION = 2
#: The scope of a snapshot saved before snapshots recorded one: every reporter's rows.
LEGACY_SCOPE = ALL_SCOPE


# --------------------------------------------------------------------------------------------
# the report's forecast of one group


@dataclass(frozen=True)
class GroupForecast:
    """One headline group's forecast and the nested backtest behind it.

    ``result`` has summary ``chosen_model`` (the headline model: the candidate if it beats the
    best baseline, else that baseline) and tables ``forecast`` (every model at its tuned
    window, calibrated intervals), ``history``, ``chosen`` and ``backtest``; ``tested`` is the
    whole backtest (:func:`analysis.models.backtest.backtest`).
    """

    group: str
    result: ModelResult
    tested: ModelResult
    requested_origins: int

    @property
    def chosen(self) -> str:
        """The headline model."""
        return str(self.result.summary["chosen_model"])

    @property
    def candidate(self) -> str | None:
        """The non-baseline model chosen on the inner origins (None if none was run)."""
        value = self.tested.summary.get("candidate")
        return None if value is None else str(value)

    @property
    def baseline(self) -> str | None:
        """The best simple rule on the outer origins (None if none was run)."""
        value = self.tested.summary.get("baseline")
        return None if value is None else str(value)

    @property
    def beats_baseline(self) -> bool:
        """Whether the candidate beat the best baseline (MASE and Diebold-Mariano)."""
        return bool(self.tested.summary["beats_naive"])

    @property
    def horizon(self) -> int:
        return int(self.result.summary["h"])


def _forecast_result(weekly: pd.Series, tested: ModelResult) -> ModelResult:
    """The next weeks' forecasts of the backtest (:func:`backtest` table ``next``), shaped
    like :func:`forecast`: every model at its tuned window, calibrated intervals."""
    nxt = tested.table("next")
    columns = ["model", "window", "step", "week", *FORECAST_COLUMNS]
    extra = [f"{side}{level}_model" for level in LEVELS for side in ("lo", "hi")]
    table = nxt[[*columns, *extra, "calibrated", "calibration_n"]].copy()
    table.insert(0, "series", weekly.name)
    s = tested.summary
    best = str(s["best_model"])
    window = window_value(str(table.loc[table["model"] == best, "window"].iloc[0]))
    used = len(weekly) if window is None else min(window, len(weekly))
    failed = sorted(set(table.loc[table["point"].isna(), "model"]))
    summary: dict[str, float | int | str | None] = {
        "series": str(weekly.name),
        "h": int(table["step"].max()),
        "models": ",".join(dict.fromkeys(table["model"])),
        "window": window,
        "windows": s["windows"],
        "weeks_used": used,
        "first_week": str(weekly.index[-used].date()),
        "last_observed_week": str(weekly.index[-1].date()),
        "last_observed": float(weekly.iloc[-1]),
        "point": POINT_NOTE,
        "intervals": "calibrated on backtest errors (split conformal, per horizon)",
        "failed": ",".join(failed) or None,
        "headline_model": best,
    }
    return ModelResult(
        name="forecast",
        summary=summary,
        tables={"forecast": table, "history": weekly.rename("launched").to_frame()},
        assumptions=(
            "Only complete Monday-to-Sunday weeks (Kyiv report end date) are used.",
            "Models are fitted on log1p(launches); the point is the median week.",
            *(DESCRIPTIONS[m] for m in dict.fromkeys(table["model"])),
        ),
        caveats=(
            "Launch counts are set by Russian planning, not a stationary process: a new "
            "production rate or a pause can move the level outside any interval.",
            "The intervals are as wide as the backtest's errors at each horizon: they hold "
            "about as often as they say only while the coming weeks resemble those.",
        ),
    )


def combine(forecast_result: ModelResult, tested: ModelResult) -> ModelResult:
    """A forecast with its backtest's headline model, as ``forecast_for(..., origins=...)``
    returns."""
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
    windows: Sequence[int | None] = WINDOWS,
    **options,
) -> GroupForecast:
    """Forecast one headline group ``horizon`` weeks ahead: the nested backtest over
    ``origins`` outer origins chooses each model's window and the candidate, judges it against
    the baselines, and calibrates the intervals; the forecast itself is the backtest's fit at
    the last week (no second fit). ``options`` go to :func:`backtest`."""
    weekly = weekly_counts(strikes, group)
    tested = backtest(weekly, h=horizon, origins=origins, models=models, windows=windows, **options)
    result = combine(_forecast_result(weekly, tested), tested)
    return GroupForecast(group, result, tested, origins)


def forecast_for(
    strikes: pd.DataFrame,
    group: str = "drones",
    h: int = 8,
    models: Sequence[str] = MODELS,
    origins: int | None = None,
    window: int | None = WINDOW,
) -> ModelResult:
    """Forecast a headline group from the strikes table: without ``origins``, every model on
    the last ``window`` weeks with its own Gaussian intervals (what a snapshot saves); with
    ``origins``, as the report does (:func:`run_group`: tuned windows, calibrated intervals,
    ``summary['chosen_model']``, tables ``chosen`` and ``backtest``)."""
    if origins is None:
        return forecast(weekly_counts(strikes, group), h=h, models=models, window=window)
    return run_group(strikes, group, horizon=h, origins=origins, models=models).result


def backtest_for(
    strikes: pd.DataFrame,
    group: str = "drones",
    h: int = 8,
    origins: int = 52,
    models: Sequence[str] = MODELS,
    windows: Sequence[int | None] = WINDOWS,
) -> ModelResult:
    """The nested backtest of a headline group of the strikes table."""
    return backtest(
        weekly_counts(strikes, group), h=h, origins=origins, models=models, windows=windows
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
