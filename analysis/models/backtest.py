"""The nested rolling-origin backtest: every tuning choice is made on earlier (inner) origins
and scored on later (outer) origins only.

* **Inner origins** (every ``tuning_step``-th week of the ``tuning_weeks`` before the first
  outer origin) choose each model's training window among :data:`WINDOWS`, scored only on
  weeks observed before the first outer origin, and the candidate model: the non-baseline
  model with the lowest inner MASE.
* **Outer origins** (the last ``origins`` weeks) score every model at its chosen window:
  MASE and the weighted interval score per horizon, and the coverage of its intervals.
* **Intervals** are calibrated on past backtest errors: at each origin, the split-conformal
  half-width of the absolute log-scale errors of the same model, window and horizon whose
  weeks were already observed (inner and earlier outer origins). Where too few errors exist
  for a level, the model's own Gaussian interval is used and flagged.
* **Verdict**: the candidate beats the baselines only if its outer MASE is below that of the
  best baseline on the outer origins (the hardest one to beat) and a Diebold-Mariano test with
  the Harvey-Leybourne-Newbold correction finds its loss smaller at the 5% level. Otherwise the
  best baseline's forecast is the headline.

One fit serves every window that gives the same training weeks (a window longer than the
weeks observed is the expanding window), and parameters are warm-started from the previous
origin of the same model and window.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.modelresult import ModelResult
from analysis.models.forecasters import (
    BASELINE,
    BASELINES,
    LEVELS,
    MIN_WEEKS,
    MODELS,
    Z,
    check_models,
    check_weekly,
    check_window,
    fit_log,
    single_thread_blas,
)
from analysis.models.scores import (
    conformal_halfwidth,
    diebold_mariano,
    mase_scale,
    weighted_interval_score,
)

#: Training windows the inner origins choose among, in weeks (None: every week before).
WINDOWS: tuple[int | None, ...] = (52, 78, 104, None)
#: Weeks of inner origins before the first outer origin, and the step between them: every
#: other week halves the fits, and neighbouring origins overlap in all but one week anyway.
TUNING_WEEKS = 52
TUNING_STEP = 2
#: Fewest weeks of inner origins a backtest needs.
MIN_TUNING = 8
#: Weeks before an origin whose mean week-to-week change scales its errors (MASE), the same
#: for every model and window so that their scores compare.
SCALE_WEEKS = 52
#: Significance level of the Diebold-Mariano test behind the verdict.
SIGNIFICANCE = 0.05
#: Fewest weeks a backtest needs: the shortest training window, the inner origins and one
#: outer origin.
MIN_BACKTEST_WEEKS = MIN_WEEKS + MIN_TUNING + 1


def window_label(window: int | None) -> str:
    """``"52"``, ``"104"``, or ``"all"`` for the expanding window."""
    return "all" if window is None else str(int(window))


def window_value(label: str) -> int | None:
    """The window of :func:`window_label`."""
    return None if label == "all" else int(label)


# --------------------------------------------------------------------------------------------
# origins


@dataclass(frozen=True)
class Origins:
    """Where the backtest forecasts from, as the number of weeks observed at each origin (the
    last week observed is ``index[o - 1]``; step ``k`` forecasts ``index[o + k - 1]``)."""

    inner: tuple[int, ...]
    outer: tuple[int, ...]

    @property
    def first_outer(self) -> int:
        return self.outer[0]


def plan_origins(
    n: int,
    origins: int,
    tuning_weeks: int = TUNING_WEEKS,
    tuning_step: int = TUNING_STEP,
    min_train: int = MIN_WEEKS,
) -> Origins:
    """The last ``origins`` weeks as outer origins (fewer when the series is short, keeping
    :data:`MIN_TUNING` weeks of inner origins), and every ``tuning_step``-th week of the
    ``tuning_weeks`` before them as inner origins, the last one just before the first outer."""
    available = n - min_train
    if available < MIN_TUNING + 1:
        raise ValueError(
            f"need at least {min_train + MIN_TUNING + 1} complete weeks for the backtest, got {n}"
        )
    outer = min(origins, available - MIN_TUNING)
    first_outer = n - outer
    span = min(tuning_weeks, available - outer)
    inner = tuple(range(first_outer - 1, first_outer - span - 1, -tuning_step))[::-1]
    return Origins(inner, tuple(range(first_outer, n)))


# --------------------------------------------------------------------------------------------
# fits


class _Fits:
    """Log-scale forecasts of model × window × origin, each training span fitted once."""

    def __init__(self, y_log: np.ndarray, h: int):
        self.y_log, self.h = y_log, h
        self.cache: dict[tuple[str, int, int], tuple[np.ndarray, np.ndarray]] = {}
        self.warm: dict[tuple[str, int | None], np.ndarray] = {}

    def one(self, model: str, window: int | None, o: int) -> tuple[np.ndarray, np.ndarray]:
        first = 0 if window is None else max(0, o - window)
        key = (model, first, o)
        if key not in self.cache:
            fc = fit_log(model, self.y_log[first:o], self.h, self.warm.get((model, window)))
            if fc is None:
                nan = np.full(self.h, np.nan)
                self.cache[key] = (nan, nan)
            else:
                if fc.params is not None:
                    self.warm[(model, window)] = fc.params
                self.cache[key] = (fc.mean, fc.se)
        return self.cache[key]

    def table(self, configs: dict[str, Sequence[int | None]], origins: Sequence[int]):
        """Long table: ``model, window, o, step, mean, se`` for every config and origin."""
        names, labels, at, means, ses = [], [], [], [], []
        for o in origins:
            for model, windows in configs.items():
                for window in windows:
                    mean, se = self.one(model, window, o)
                    names.append(model)
                    labels.append(window_label(window))
                    at.append(o)
                    means.append(mean)
                    ses.append(se)
        h = self.h
        return pd.DataFrame(
            {
                "model": np.repeat(names, h),
                "window": np.repeat(labels, h),
                "o": np.repeat(np.asarray(at, dtype=int), h),
                "step": np.tile(np.arange(1, h + 1), len(names)),
                "mean": np.concatenate(means) if means else [],
                "se": np.concatenate(ses) if ses else [],
            }
        )


def _back(values) -> np.ndarray:
    return np.clip(np.expm1(np.asarray(values, dtype=float)), 0.0, None)


def _score(table: pd.DataFrame, values: np.ndarray) -> pd.DataFrame:
    """Add the target week, the actual (NaN when not yet observed), the count-scale point and
    model intervals, the log-scale error and the scaled absolute error."""
    n = len(values)
    out = table.copy()
    target = out["o"].to_numpy() + out["step"].to_numpy() - 1
    observed = target < n
    actual = np.full(len(out), np.nan)
    actual[observed] = values[target[observed]]
    scales = np.array([mase_scale(values[max(0, o - SCALE_WEEKS) : o]) for o in range(n + 1)])
    scale = scales[out["o"].to_numpy()]
    mean, se = out["mean"].to_numpy(), out["se"].to_numpy()
    out["target"] = target
    out["actual"] = actual
    out["point"] = _back(mean)
    for level in LEVELS:
        out[f"lo{level}_model"] = _back(mean - Z[level] * se)
        out[f"hi{level}_model"] = _back(mean + Z[level] * se)
    out["log_error"] = np.log1p(actual) - mean
    out["scale"] = scale
    out["abs_error"] = np.abs(actual - out["point"].to_numpy())
    with np.errstate(divide="ignore", invalid="ignore"):
        out["scaled_error"] = np.where(scale > 0, out["abs_error"] / scale, np.nan)
    return out


# --------------------------------------------------------------------------------------------
# tuning on the inner origins


def tune(inner: pd.DataFrame, first_outer: int) -> pd.DataFrame:
    """Inner MASE of every model × window, on weeks observed before ``first_outer`` only, and
    each model's chosen window (``tuned``): the lowest inner MASE, ties to the shorter window.

    MASE here, as everywhere in the backtest, is the mean over horizons of the mean scaled
    absolute error at each horizon.
    """
    known = inner[inner["target"] < first_outer]
    per_step = known.groupby(["model", "window", "step"], sort=False)["scaled_error"].mean()
    table = (
        per_step.groupby(level=["model", "window"], sort=False)
        .mean()
        .rename("inner_mase")
        .reset_index()
    )
    counts = known.groupby(["model", "window"], sort=False).agg(
        forecasts=("scaled_error", "size"), failed=("mean", lambda s: int(s.isna().sum()))
    )
    table = table.merge(counts.reset_index(), on=["model", "window"], how="left")
    order = {window_label(w): i for i, w in enumerate(WINDOWS)}
    table["order"] = table["window"].map(order).fillna(len(order))
    table = table.sort_values(["model", "inner_mase", "order"], na_position="last")
    table["tuned"] = ~table.duplicated("model")
    return table.drop(columns="order").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# intervals calibrated on past errors


def calibrated_interval(
    log_mean: np.ndarray, errors_by_step: Sequence[np.ndarray], level: int
) -> tuple[np.ndarray, np.ndarray]:
    """Count-scale interval at ``level`` percent for each step: ``log_mean`` ± the
    split-conformal half-width of that step's past log-scale errors, back-transformed. A step
    with too few errors gets an infinite half-width (an interval from 0 to infinity)."""
    half = np.array([conformal_halfwidth(e, level) for e in errors_by_step])
    mean = np.asarray(log_mean, dtype=float)
    return _back(mean - half), _back(mean + half)


def halfwidths(config: pd.DataFrame, at: Sequence[int]) -> pd.DataFrame:
    """For each origin in ``at`` and step: the conformal half-width at each level of the log
    errors of ``config`` (one model and window) at the same step whose target week was
    observed before the origin, and how many there were (``calibration_n``)."""
    rows = []
    for step, group in config[config["actual"].notna()].groupby("step"):
        group = group.sort_values("target")
        errors, targets = group["log_error"].to_numpy(), group["target"].to_numpy()
        for o in at:
            pool = errors[: int(np.searchsorted(targets, o, side="left"))]
            row = {"o": o, "step": step, "calibration_n": len(pool)}
            for level in LEVELS:
                row[f"half{level}"] = conformal_halfwidth(pool, level)
            rows.append(row)
    columns = ["o", "step", "calibration_n", *(f"half{level}" for level in LEVELS)]
    return pd.DataFrame(rows, columns=columns)


def _with_intervals(rows: pd.DataFrame, half: pd.DataFrame) -> pd.DataFrame:
    """Calibrated ``lo/hi`` columns (model intervals where too few errors), ``calibrated``."""
    out = rows.merge(half, on=["o", "step"], how="left")
    out["calibration_n"] = out["calibration_n"].fillna(0).astype("int64")
    calibrated = np.ones(len(out), dtype=bool)
    for level in LEVELS:
        width = out[f"half{level}"].to_numpy(dtype=float)
        ok = np.isfinite(width)
        calibrated &= ok
        mean = out["mean"].to_numpy()
        out[f"lo{level}"] = np.where(ok, _back(mean - width), out[f"lo{level}_model"])
        out[f"hi{level}"] = np.where(ok, _back(mean + width), out[f"hi{level}_model"])
    out["calibrated"] = calibrated
    return out.drop(columns=[f"half{level}" for level in LEVELS])


def _hits(rows: pd.DataFrame) -> pd.DataFrame:
    """Coverage flags of both interval kinds and the scaled weighted interval score."""
    out = rows.copy()
    actual = out["actual"].to_numpy()
    for suffix in ("", "_model"):
        for level in LEVELS:
            lo, hi = out[f"lo{level}{suffix}"].to_numpy(), out[f"hi{level}{suffix}"].to_numpy()
            out[f"in{level}{suffix}"] = (actual >= lo) & (actual <= hi) & np.isfinite(lo)
    lower = out[[f"lo{level}" for level in LEVELS]].to_numpy()
    upper = out[[f"hi{level}" for level in LEVELS]].to_numpy()
    wis = weighted_interval_score(actual, out["point"].to_numpy(), lower, upper, LEVELS)
    scale = out["scale"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["wis"] = np.where(scale > 0, wis / scale, np.nan)
    return out


# --------------------------------------------------------------------------------------------
# outer scores and the Diebold-Mariano verdict


def _origin_loss(forecasts: pd.DataFrame, model: str, h: int) -> pd.Series:
    """Mean scaled error over steps 1..h per outer origin whose h weeks are all observed."""
    rows = forecasts[forecasts["model"] == model]
    complete = rows.groupby("o")["step"].transform("size") == h
    return rows[complete].groupby("o")["scaled_error"].mean()


def _step_loss(forecasts: pd.DataFrame, model: str, step: int) -> pd.Series:
    rows = forecasts[(forecasts["model"] == model) & (forecasts["step"] == step)]
    return rows.set_index("o")["scaled_error"]


def dm_table(forecasts: pd.DataFrame, model: str, baseline: str, h: int) -> pd.DataFrame:
    """Diebold-Mariano tests (HLN-corrected) of ``model`` against ``baseline`` on the outer
    origins' scaled absolute errors: per step (``horizon`` = the step), and over all steps
    (``step`` 0: the mean scaled error over steps 1..h per origin, ``horizon`` = h)."""
    rows = []
    for step in range(0, h + 1):
        if step == 0:
            a, b = _origin_loss(forecasts, model, h), _origin_loss(forecasts, baseline, h)
        else:
            a, b = _step_loss(forecasts, model, step), _step_loss(forecasts, baseline, step)
        horizon = step or h
        a, b = a.align(b, join="inner")
        test = diebold_mariano(a.to_numpy(), b.to_numpy(), horizon)
        rows.append(
            {
                "model": model,
                "baseline": baseline,
                "step": step,
                "statistic": test.statistic,
                "p_value": test.p_value,
                "mean_difference": test.mean_difference,
                "n": test.n,
            }
        )
    return pd.DataFrame(rows)


def _scores(forecasts: pd.DataFrame) -> pd.DataFrame:
    scores = (
        forecasts.groupby(["model", "step"], sort=False)
        .agg(
            n=("actual", "size"),
            mase=("scaled_error", "mean"),
            mae=("abs_error", "mean"),
            wis=("wis", "mean"),
            coverage80=("in80", "mean"),
            coverage95=("in95", "mean"),
            coverage80_model=("in80_model", "mean"),
            coverage95_model=("in95_model", "mean"),
        )
        .reset_index()
    )
    return scores


def _summary(forecasts: pd.DataFrame, scores: pd.DataFrame, tuning: pd.DataFrame):
    by_model = scores.groupby("model", sort=False)
    per_model = forecasts.groupby("model", sort=False)
    tuned = tuning[tuning["tuned"]].set_index("model")
    summary = pd.DataFrame(
        {
            "window": tuned["window"],
            "inner_mase": tuned["inner_mase"],
            "mase": by_model["mase"].mean(),
            "mase_h1": scores[scores["step"] == 1].set_index("model")["mase"],
            "mae": by_model["mae"].mean(),
            "wis": by_model["wis"].mean(),
        }
    )
    for column in ("in80", "in95", "in80_model", "in95_model"):
        summary[column.replace("in", "coverage", 1)] = per_model[column].mean()
    summary["calibrated_share"] = per_model["calibrated"].mean()
    summary["forecasts"] = per_model.size()
    summary["failed_origins"] = per_model.apply(
        lambda rows: int(rows.loc[rows["step"] == 1, "mean"].isna().sum())
    )
    return summary


def _choose(summary: pd.DataFrame) -> tuple[str | None, str | None]:
    """The candidate (lowest inner MASE among non-baselines) and the reference baseline (the
    baseline with the lowest outer MASE: the hardest one to beat)."""
    rivals = summary[~summary.index.isin(BASELINES)]
    bases = summary[summary.index.isin(BASELINES)]
    candidate = rivals["inner_mase"].idxmin() if rivals["inner_mase"].notna().any() else None
    baseline = bases["mase"].idxmin() if bases["mase"].notna().any() else None
    return candidate, baseline


def _dm_columns(
    forecasts: pd.DataFrame, summary: pd.DataFrame, scores: pd.DataFrame, baseline, h: int
):
    """DM statistic and p-value of every model against ``baseline``, overall and per step."""
    if baseline is None:
        return summary.assign(dm_stat=np.nan, dm_p=np.nan), scores, pd.DataFrame()
    tables = [dm_table(forecasts, m, baseline, h) for m in summary.index if m != baseline]
    dm = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    if dm.empty:
        return summary.assign(dm_stat=np.nan, dm_p=np.nan), scores, dm
    overall = dm[dm["step"] == 0].set_index("model")
    summary = summary.assign(dm_stat=overall["statistic"], dm_p=overall["p_value"])
    steps = dm[dm["step"] > 0][["model", "step", "statistic", "p_value"]]
    steps = steps.rename(columns={"statistic": "dm_stat", "p_value": "dm_p"})
    scores = scores.merge(steps, on=["model", "step"], how="left")
    return summary, scores, dm


def _verdict(summary: pd.DataFrame, candidate, baseline) -> dict:
    """Whether the candidate beats the reference baseline (lower outer MASE and DM p below
    :data:`SIGNIFICANCE`), the headline model, and the sentence that says so."""
    if candidate is None or baseline is None:
        headline = candidate or baseline
        verdict = "no baseline or no rival run"
        return {"beats_naive": False, "best_model": headline, "verdict": verdict}
    row, base = summary.loc[candidate], summary.loc[baseline]
    lower = bool(row["mase"] < base["mase"])
    significant = bool(row["dm_p"] < SIGNIFICANCE)
    beats = lower and significant
    evidence = (
        f"MASE {row['mase']:.3f} against {base['mase']:.3f} for {baseline}, "
        f"Diebold-Mariano p = {row['dm_p']:.3f}"
    )
    verdict = (
        f"{candidate} beats the best baseline ({baseline}): {evidence}"
        if beats
        else f"no model beats the best baseline ({baseline}); best rival {candidate}: {evidence}"
    )
    return {
        "beats_naive": beats,
        "best_model": candidate if beats else baseline,
        "verdict": verdict,
        "mase_lower": lower,
        "dm_significant": significant,
    }


# --------------------------------------------------------------------------------------------
# the backtest


def _check(h: int, origins: int, windows, models, tuning_step: int):
    if h < 1 or origins < 1 or tuning_step < 1:
        raise ValueError("h, origins and tuning_step must be at least 1")
    windows = tuple(dict.fromkeys(windows))
    if not windows:
        raise ValueError("give at least one training window")
    for window in windows:
        check_window(window)
    return check_models(models), windows


def _outer(
    fits: _Fits, values: np.ndarray, inner: pd.DataFrame, tuning: pd.DataFrame, plan: Origins
):
    """Every model at its tuned window on the outer origins and at the final origin, with
    calibrated intervals: (outer forecasts with scores, next weeks' forecasts)."""
    n = len(values)
    tuned = tuning[tuning["tuned"]]
    configs: dict[str, Sequence[int | None]] = {
        str(m): [window_value(str(w))] for m, w in zip(tuned["model"], tuned["window"], strict=True)
    }
    later = _score(fits.table(configs, [*plan.outer, n]), values)
    chosen = tuning.loc[tuning["tuned"], ["model", "window"]]
    history = inner.merge(chosen, on=["model", "window"])
    every = pd.concat([history, later], ignore_index=True)
    parts = []
    for model, rows in every.groupby("model", sort=False):
        half = halfwidths(rows, [*plan.outer, n])
        parts.append(_with_intervals(later[later["model"] == model], half))
    done = pd.concat(parts, ignore_index=True)
    outer = _hits(done[done["actual"].notna()].reset_index(drop=True))
    return outer, done[done["o"] == n].reset_index(drop=True)


def backtest(
    weekly: pd.Series,
    h: int = 8,
    origins: int = 52,
    models: Sequence[str] = MODELS,
    windows: Sequence[int | None] = WINDOWS,
    tuning_weeks: int = TUNING_WEEKS,
    tuning_step: int = TUNING_STEP,
    min_train: int = MIN_WEEKS,
) -> ModelResult:
    """Nested rolling-origin backtest of weekly counts (see the module docstring).

    Tables: ``tuning`` (model × window: inner MASE, ``tuned``), ``forecasts`` (outer origin ×
    model × step, with calibrated ``lo/hi`` and the model's own ``lo/hi..._model``), ``scores``
    (model × step: MASE, MAE, scaled WIS, coverage of both interval kinds, DM against the
    reference baseline), ``summary`` (per model over all steps, best outer MASE first), ``dm``
    (the DM tests; ``step`` 0 is over all steps) and ``next`` (every model's forecast of the
    ``h`` weeks after the series, with calibrated intervals).
    """
    models, windows = _check(h, origins, windows, models, tuning_step)
    weekly = check_weekly(weekly, minimum=min_train + MIN_TUNING + 1)
    values = weekly.to_numpy()
    plan = plan_origins(len(values), origins, tuning_weeks, tuning_step, min_train)
    started = time.perf_counter()
    fits = _Fits(np.log1p(values), h)
    with single_thread_blas():
        inner = _score(fits.table(dict.fromkeys(models, windows), plan.inner), values)
        tuning = tune(inner, plan.first_outer)
        outer, nxt = _outer(fits, values, inner, tuning, plan)
    seconds = time.perf_counter() - started
    scores = _scores(outer)
    summary = _summary(outer, scores, tuning)
    candidate, baseline = _choose(summary)
    summary, scores, dm = _dm_columns(outer, summary, scores, baseline, h)
    verdict = _verdict(summary, candidate, baseline)
    summary = _rank(summary, verdict["best_model"], baseline)
    index = weekly.index
    outer.insert(2, "origin", index[outer["o"].to_numpy() - 1])
    outer.insert(3, "week", index[outer["target"].to_numpy()])
    nxt.insert(3, "week", index[-1] + pd.to_timedelta(7 * nxt["step"].to_numpy(), unit="D"))
    result_summary = _result_summary(weekly, h, plan, summary, candidate, baseline, verdict)
    result_summary["seconds"] = round(seconds, 3)
    tables = {
        "tuning": tuning,
        "forecasts": outer,
        "scores": scores,
        "summary": summary,
        "dm": dm,
        "next": nxt,
    }
    return ModelResult(
        name="forecast_backtest",
        summary=result_summary,
        tables=tables,
        assumptions=_assumptions(plan, windows),
        caveats=(
            "Origins overlap, so neighbouring scores are correlated: the Diebold-Mariano test "
            "allows for that, a plain difference in MASE does not.",
            "Calibrated intervals assume the coming weeks' errors resemble the backtest's; a "
            "change of regime can break that.",
        ),
    )


def _rank(summary: pd.DataFrame, best, baseline) -> pd.DataFrame:
    naive = summary["mase"].get(BASELINE, np.nan)
    summary["vs_naive"] = summary["mase"] / naive - 1
    base = summary["mase"].get(baseline, np.nan) if baseline is not None else np.nan
    summary["vs_baseline"] = summary["mase"] / base - 1
    summary["beats_baseline"] = (summary["mase"] < base) & (summary["dm_p"] < SIGNIFICANCE)
    summary["baseline"] = summary.index.isin(BASELINES)
    summary["chosen"] = summary.index == best
    summary = summary.sort_values("mase").rename_axis("model").reset_index()
    summary["rank"] = np.arange(1, len(summary) + 1)
    return summary


def _result_summary(weekly, h, plan: Origins, summary, candidate, baseline, verdict) -> dict:
    index = weekly.index
    rows = summary.set_index("model")
    best = verdict["best_model"]

    def value(model, column):
        return None if model is None else float(rows.loc[model, column])

    return {
        "series": str(weekly.name),
        "h": h,
        "origins": len(plan.outer),
        "inner_origins": len(plan.inner),
        "first_origin": str(index[plan.outer[0] - 1].date()),
        "last_origin": str(index[plan.outer[-1] - 1].date()),
        "first_inner_origin": str(index[plan.inner[0] - 1].date()),
        "last_inner_origin": str(index[plan.inner[-1] - 1].date()),
        # each model's chosen window, "model=window" pairs (plain text: summaries are flat)
        "windows": ",".join(f"{m}={rows.loc[m, 'window']}" for m in rows.index),
        "window": None if best is None else window_value(rows.loc[best, "window"]),
        "candidate": candidate,
        "baseline": baseline,
        "best_model": best,
        "best_mase": value(best, "mase"),
        "candidate_mase": value(candidate, "mase"),
        "baseline_mase": value(baseline, "mase"),
        "naive_mase": value(BASELINE, "mase") if BASELINE in rows.index else None,
        "dm_stat": value(candidate, "dm_stat") if baseline is not None else None,
        "dm_p": value(candidate, "dm_p") if baseline is not None else None,
        "significance": SIGNIFICANCE,
        **verdict,
    }


def _assumptions(plan: Origins, windows) -> tuple[str, ...]:
    labels = ", ".join("all weeks" if w is None else f"{w}" for w in windows)
    return (
        f"Each model's training window (among {labels} weeks) and the candidate model are "
        f"chosen on {len(plan.inner)} inner origins, scored only on weeks observed before the "
        f"first of the {len(plan.outer)} outer origins that report the scores.",
        "MASE scales each error by the mean week-to-week change of the 52 weeks before its "
        "origin (the same for every model); a model's MASE is the mean over horizons.",
        "Intervals are split-conformal on the log scale: per horizon, the absolute errors of "
        "the same model and window at earlier origins whose weeks were already observed.",
        "The verdict needs a lower outer MASE than the best baseline and a Diebold-Mariano "
        "test (Harvey-Leybourne-Newbold correction) at the 5% level.",
    )


def interval_coverage(
    weekly: pd.Series,
    h: int = 4,
    origins: int = 26,
    models: Sequence[str] = BASELINES,
    windows: Sequence[int | None] = (52, None),
    **options,
) -> pd.DataFrame:
    """For a weekly count series (e.g. simulated with a planted truth), whether the headline
    80% and 95% intervals covered the realised week at every outer origin and step.

    Runs :func:`backtest` with ``options`` (``tuning_weeks``, ``tuning_step``, ``min_train``)
    and returns the outer forecasts of the headline model (``summary['best_model']``):
    ``origin, week, step, model, actual, lo80, hi80, lo95, hi95, calibrated, in80, in95``.
    The defaults (the three simple rules, two windows) take about a second per series of 150
    weeks on one core, so a calibration suite can run hundreds; each fitted model added
    (``models=("theta", *BASELINES)``, say) costs a few seconds more per series. Whichever model
    is shown, its intervals are calibrated the same way.
    """
    result = backtest(weekly, h=h, origins=origins, models=models, windows=windows, **options)
    best = result.summary["best_model"]
    rows = result.table("forecasts")
    columns = ["origin", "week", "step", "model", "actual", "lo80", "hi80", "lo95", "hi95"]
    return rows.loc[rows["model"] == best, [*columns, "calibrated", "in80", "in95"]].reset_index(
        drop=True
    )
