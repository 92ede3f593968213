"""Findings and tables behind ``notebooks/05_forecast.ipynb``: weekly launch forecasts, the
backtest that chooses the model, and earlier releases' forecasts scored on this release.

The notebook runs :func:`run_group` once per headline group (one forecast and one backtest)
and displays what the functions here return; every number in its prose comes from a
:class:`~analysis.modelresult.ModelResult` through these functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
from pandas.io.formats.style import Styler

from analysis.data.dates import DAY_FORMAT, day_text, long_day
from analysis.data.overview import Period
from analysis.data.series import HEADLINE_GROUPS, calendar
from analysis.findings.text import bullets
from analysis.models.forecast import (
    BASELINE,
    DESCRIPTIONS,
    LEVELS,
    MIN_WEEKS,
    MODELS,
    SARIMAX_ORDER,
    GroupForecast,
    score_snapshots,
    summarise_scores,
)
from analysis.params import ParameterError, as_name_list
from analysis.results import Publisher
from analysis.vocabulary import DEFAULT_SCOPE

#: Plain names of the models, for prose, tables and charts.
MODEL_LABELS: dict[str, str] = {
    "sarimax": f"SARIMAX({','.join(map(str, SARIMAX_ORDER))}) with drift",
    "unobserved_components": "local linear trend",
    "naive": "naive (last week)",
    "drift": "random walk with drift",
}
#: What each model assumes, in plain words, for the report's methods paragraph.
MODEL_PLAIN: dict[str, str] = {
    "sarimax": "a time-series model of the week-to-week changes that carries on the average "
    "recent trend and lets each change echo the previous one",
    "unobserved_components": "a level and a slope that are both allowed to wander, updated "
    "week by week, so recent weeks count most",
    "naive": "every coming week equals the last observed week",
    "drift": "the last observed week, changed each week by the average weekly change of the "
    "weeks fitted",
}
#: The naive baselines a model has to beat, and their names in prose.
BASELINES: tuple[str, ...] = ("naive", "drift")
BASELINE_PROSE: dict[str, str] = {
    "naive": "last week's count",
    "drift": "the random walk with drift",
}
#: Fewest complete weeks the period must hold: the backtest trains on at least MIN_WEEKS.
MIN_PERIOD_WEEKS = MIN_WEEKS + 1
#: Below this many scored weeks, a snapshot's hit rates are called too few to judge.
FEW_WEEKS = 26


def label(model: str) -> str:
    """The plain name of a model (the code name if unknown)."""
    return MODEL_LABELS.get(model, model)


# --------------------------------------------------------------------------------------------
# parameters


def check_forecast_groups(groups, name: str = "groups") -> list[str]:
    """Headline groups to forecast: each ``drones`` or ``missiles`` (a list or a
    comma-separated string), in the order given, without repeats."""
    chosen = as_name_list(groups, name)
    if not chosen:
        raise ParameterError(f"{name} is empty; give drones, missiles or both")
    unknown = [g for g in chosen if g not in HEADLINE_GROUPS]
    if unknown:
        raise ParameterError(
            f"{name}: {', '.join(map(repr, unknown))} cannot be forecast; each must be "
            f"{' or '.join(HEADLINE_GROUPS)}"
        )
    return list(dict.fromkeys(chosen))


def complete_weeks(first: dt.date, last: dt.date) -> int:
    """Complete Monday-to-Sunday weeks between two Kyiv dates (inclusive)."""
    return int(calendar(first, last, "W")["complete"].sum())


def check_period_weeks(period: Period, minimum: int = MIN_PERIOD_WEEKS) -> int:
    """The period's complete weeks; a ``ParameterError`` naming ``start`` (or ``end``) when it
    holds too few to fit and backtest the models."""
    first = period.start or period.data_first
    last = period.end or period.data_last
    if first is None or last is None:
        return 0
    weeks = complete_weeks(first, last)
    if weeks < minimum:
        name = "start" if period.start is not None else "end"
        raise ParameterError(
            f"{name}: the period {first} to {last} holds {weeks} complete weeks; the forecast "
            f"and its backtest need at least {minimum}"
        )
    return weeks


# --------------------------------------------------------------------------------------------
# models


# --------------------------------------------------------------------------------------------
# tables


def forecast_table(fc: GroupForecast) -> pd.DataFrame:
    """The next weeks: the chosen model's median and intervals, then every other model's
    median (counts, rounded), indexed by the week's Monday."""
    table = fc.result.table("forecast")
    chosen = table[table["model"] == fc.chosen].set_index("week")
    name = label(fc.chosen)
    out = pd.DataFrame({"weeks ahead": chosen["step"].astype("int64")}, index=chosen.index)
    out[f"{name} (chosen): median"] = chosen["point"]
    for level in LEVELS:
        out[f"{level}% interval: low"] = chosen[f"lo{level}"]
        out[f"{level}% interval: high"] = chosen[f"hi{level}"]
    for model in table["model"].unique():
        if model != fc.chosen:
            rows = table[table["model"] == model].set_index("week")
            out[f"{label(model)}: median"] = rows["point"]
    counts = [c for c in out.columns if c != "weeks ahead"]
    out[counts] = out[counts].round().astype("int64")
    out.index = pd.DatetimeIndex(out.index).strftime(DAY_FORMAT)
    out.index.name = "week starting"
    return out


def backtest_table(fc: GroupForecast) -> pd.DataFrame:
    """Per model, best first: mean MASE over horizons, MASE one week ahead, change against
    naive, coverage of the 80% and 95% intervals, and which model the backtest chose."""
    summary = fc.tested.table("summary")
    out = pd.DataFrame(
        {
            "model": [label(m) for m in summary["model"]],
            "mean MASE": summary["mase"].to_numpy(),
            "MASE 1 week ahead": summary["mase_h1"].to_numpy(),
            "vs naive": summary["vs_naive"].to_numpy(),
            "80% interval coverage": summary["coverage80"].to_numpy(),
            "95% interval coverage": summary["coverage95"].to_numpy(),
            "forecasts scored": summary["forecasts"].astype("int64").to_numpy(),
            "beats naive": summary["beats_naive"].astype(bool).to_numpy(),
            "chosen": (summary["model"] == fc.chosen).to_numpy(),
        }
    )
    return out.set_index("model")


def style_backtest(table: pd.DataFrame) -> Styler:
    """The backtest table for display: MASE to two decimals, shares as percentages."""
    return table.style.format(
        {
            "mean MASE": "{:.2f}",
            "MASE 1 week ahead": "{:.2f}",
            "vs naive": "{:+.1%}",
            "80% interval coverage": "{:.0%}",
            "95% interval coverage": "{:.0%}",
            "forecasts scored": "{:,}",
            "beats naive": _yes_no,
            "chosen": _yes_no,
        }
    )


def _yes_no(value) -> str:
    return "yes" if value else "no"


def style_counts(table: pd.DataFrame) -> Styler:
    """Integer columns with thousands separators."""
    ints = [c for c in table.columns if pd.api.types.is_integer_dtype(table[c])]
    return table.style.format("{:,}", subset=ints)


def scored_snapshots(
    folder: Path, weekly: pd.DataFrame, release: str, groups: Sequence[str], scope: str
) -> pd.DataFrame:
    """Every snapshot of ``scope`` from a release older than ``release`` saved in ``folder``,
    scored week by week on ``weekly`` (:func:`~analysis.models.forecast.weekly_table` of
    strikes in that same scope), for ``groups``."""
    scored = score_snapshots(folder, weekly, release, scope)
    return scored[scored["series"].isin(list(groups))].reset_index(drop=True)


def snapshot_model(saved: Sequence[str] | pd.Series, chosen: str) -> str:
    """The saved model to report: ``chosen`` if it was saved, else the first saved model in
    the order of ``MODELS``."""
    saved = list(dict.fromkeys(saved))
    if not saved:
        raise ValueError("no saved model to choose from")
    return chosen if chosen in saved else next(m for m in (*MODELS, *saved) if m in saved)


def snapshot_table(scored: pd.DataFrame) -> pd.DataFrame:
    """Per saved forecast: weeks now observed, MAE, mean error and 80/95% hit rates."""
    summary = summarise_scores(scored)
    rank = summary["model"].map({m: i for i, m in enumerate(MODELS)}).fillna(len(MODELS))
    summary = (
        summary.assign(rank=rank).sort_values(["release", "series", "rank"]).reset_index(drop=True)
    )
    out = pd.DataFrame(
        {
            "forecast from release": summary["release"],
            "scored on release": summary["scored_on"],
            "series": summary["series"],
            "model": [label(m) for m in summary["model"]],
            "weeks observed": summary["weeks"].astype("int64"),
            "MAE": summary["mae"].astype("float64"),
            # + 0.0 turns a rounded -0 into 0
            "mean error (actual - median)": summary["mean_error"].astype("float64").round() + 0.0,
            "inside 80%": summary["hit80"].astype("float64"),
            "inside 95%": summary["hit95"].astype("float64"),
        }
    )
    return out


def style_snapshots(table: pd.DataFrame) -> Styler:
    return table.style.hide(axis="index").format(
        {
            "MAE": "{:,.0f}",
            "mean error (actual - median)": "{:+,.0f}",
            "inside 80%": "{:.0%}",
            "inside 95%": "{:.0%}",
        }
    )


# --------------------------------------------------------------------------------------------
# prose that carries settings, not results


def _first(forecasts: GroupForecast | Mapping[str, GroupForecast]) -> GroupForecast:
    if isinstance(forecasts, GroupForecast):
        return forecasts
    return next(iter(forecasts.values()))


def methods_text(forecasts: GroupForecast | Mapping[str, GroupForecast]) -> str:
    """How the forecasts and the backtest are made, with the run's settings (those of the
    first group, when given several) filled in."""
    fc = _first(forecasts)
    s, t = fc.result.summary, fc.tested.summary
    used = int(s["weeks_used"])
    if s["window"] is None:
        window = f"every complete week of the period ({used:,})"
    elif used < s["window"]:
        window = f"all {used:,} complete weeks of the period (the window is {s['window']:,} weeks)"
    else:
        window = f"the last {s['window']:,} complete weeks"
    models = "; ".join(
        f"*{label(m)}*, {MODEL_PLAIN.get(m, DESCRIPTIONS.get(m, m))}"
        for m in str(s["models"]).split(",")
    )
    levels = " and ".join(f"{level}%" for level in LEVELS)
    return (
        f"Only complete Monday-to-Sunday weeks count (a report is dated by the Kyiv date on "
        f"which its window ends). Every model is fitted to the logarithm of weekly launches "
        f"over {window}: {models}. The {levels} intervals are symmetric on that logarithmic "
        f"scale and turned back into launches, so the central line is the *median* week, not "
        f"the average, and the intervals are wider above it than below.\n\n"
        f"The backtest repeats the forecast from each of {t['origins']:,} past weeks: at "
        f"every such origin each model is refitted on the weeks before it only, forecasts up to "
        f"{t['h']:,} weeks ahead, and is compared with what was then reported. The error "
        f"measure is MASE: the absolute error of the median divided by the average "
        f"week-to-week change in the weeks the model was fitted on, averaged over origins and "
        f"then over horizons (lower is better). The model with the lowest mean MASE is the "
        f"chosen one. The two *naive baselines* are the last week's count and the random walk "
        f"with drift; a model that does not beat them adds nothing to simply extrapolating "
        f"last week."
    )


def caveats_text(forecasts: GroupForecast | Mapping[str, GroupForecast]) -> str:
    """The caveats of the forecast and of its backtest, as a bullet list."""
    fc = _first(forecasts)
    items = (*fc.result.caveats, *fc.tested.caveats)
    return bullets(dict.fromkeys(items))


# --------------------------------------------------------------------------------------------
# findings


def _record(pub: Publisher | None, key: str, text: str, **kwargs) -> str:
    return pub.finding(key, text, **kwargs) if pub is not None else text


def _number(pub: Publisher | None, key: str, value) -> None:
    if pub is not None:
        pub.number(key, value)


def _pct(change: float) -> str:
    """'13% lower' / '5% higher' for a relative change."""
    return f"{abs(change):.0%} {'lower' if change < 0 else 'higher'}"


def calibration(share: float, level: int, tolerance: float = 0.05) -> str:
    """Whether intervals at ``level`` percent held about as many weeks as they should."""
    gap = share - level / 100
    if abs(gap) <= tolerance:
        return "close to its level"
    return "wider than needed" if gap > 0 else "too narrow"


def _models_row(fc: GroupForecast, model: str) -> pd.Series:
    summary = fc.tested.table("summary")
    return summary.set_index("model").loc[model]


def chosen_model_finding(
    fc: GroupForecast, pub: Publisher | None = None, headline: bool = False
) -> str:
    """Which model the backtest chose for the group, its MASE against naive and its interval
    coverage."""
    s = fc.tested.summary
    group, chosen = fc.group, fc.chosen
    row = _models_row(fc, chosen)
    origins = int(s["origins"])
    span = f"{long_day(s['first_origin'])} to {long_day(s['last_origin'])}"
    if origins < fc.requested_origins:
        span += f"; fewer than the {fc.requested_origins:,} asked for, as the period is short"
    scope = f"over {origins:,} weekly forecast origins ({span})"
    naive = s["naive_mase"]
    if chosen == BASELINE:
        verdict = (
            f"the backtest {scope} chooses the {label(chosen)} forecast itself: no model "
            f"has a lower mean MASE than its {row['mase']:.2f}, so none beats naive"
        )
    else:
        beats = bool(row["beats_naive"])
        verdict = (
            f"the backtest {scope} chooses the {label(chosen)} model: its mean MASE over "
            f"horizons 1 to {fc.horizon} weeks is {row['mase']:.2f} against {naive:.2f} for the "
            f"naive forecast ({_pct(row['vs_naive'])}), so it "
            f"{'beats' if beats else 'does not beat'} naive"
        )
    text = (
        f"**{group.capitalize()}:** {verdict}. Its 80% intervals held "
        f"{row['coverage80']:.0%} of the weeks that followed ({calibration(row['coverage80'], 80)})"
        f" and its 95% intervals {row['coverage95']:.0%} ({calibration(row['coverage95'], 95)})."
        f" The origins overlap, so a difference of a few percent in MASE is within noise."
    )
    _number(pub, f"{group}_chosen_model", chosen)
    _number(pub, f"{group}_chosen_mase", float(row["mase"]))
    _number(pub, f"{group}_naive_mase", None if naive is None else float(naive))
    _number(pub, f"{group}_origins", origins)
    return _record(
        pub, f"{group}_chosen_model", text, value=float(row["mase"]), unit="MASE", headline=headline
    )


def forecast_finding(
    fc: GroupForecast, pub: Publisher | None = None, headline: bool | None = None
) -> str:
    """The chosen model's median and 80% (and 95%) interval for the last forecast week.

    ``headline`` None makes the drone forecast a headline finding.
    """
    group = fc.group
    s = fc.result.summary
    chosen = fc.result.table("chosen").sort_values("step")
    last = chosen.iloc[-1]
    steps = int(last["step"])
    text = (
        f"**{group.capitalize()}:** the {label(fc.chosen)} model puts the median for the week "
        f"starting {long_day(last['week'])} ({steps} weeks after the last complete week, which "
        f"started {long_day(s['last_observed_week'])} with {s['last_observed']:,.0f} {group} "
        f"launched) at {last['point']:,.0f} {group}, with an 80% interval of "
        f"{last['lo80']:,.0f} to {last['hi80']:,.0f} and a 95% interval of {last['lo95']:,.0f} "
        f"to {last['hi95']:,.0f}. Launch numbers follow Russian planning: a new production rate "
        f"or a pause can put a week outside any interval."
    )
    _number(pub, f"{group}_forecast_week", day_text(last["week"]))
    _number(pub, f"{group}_forecast_median", float(last["point"]))
    return _record(
        pub,
        f"{group}_forecast",
        text,
        value=float(last["point"]),
        low=float(last["lo80"]),
        high=float(last["hi80"]),
        unit=f"{group} launched per week (median, 80% interval)",
        headline=group == "drones" if headline is None else headline,
    )


def beaten_baselines(fc: GroupForecast) -> pd.DataFrame:
    """Models (other than the baselines) whose mean MASE is below that of every baseline run,
    with their MASE and the best baseline's; empty when none is."""
    summary = fc.tested.table("summary").set_index("model")
    baselines = summary.loc[summary.index.isin(BASELINES)]
    if baselines.empty:
        return pd.DataFrame(columns=["mase", "best_baseline", "baseline_mase"])
    best = baselines["mase"].idxmin()
    rivals = summary.loc[~summary.index.isin(BASELINES)]
    winners = rivals[rivals["mase"] < baselines.loc[best, "mase"]]
    return pd.DataFrame(
        {
            "mase": winners["mase"],
            "best_baseline": best,
            "baseline_mase": float(baselines.loc[best, "mase"]),
        }
    )


def beats_naive_finding(
    forecasts: Mapping[str, GroupForecast], pub: Publisher | None = None, headline: bool = True
) -> str:
    """Whether any model beats both naive baselines (last week, random walk with drift) in the
    backtest, group by group."""
    parts, beaten = [], 0
    for group, fc in forecasts.items():
        winners = beaten_baselines(fc)
        summary = fc.tested.table("summary").set_index("model")
        present = [b for b in BASELINES if b in summary.index]
        best = summary.loc[present, "mase"].idxmin() if present else None
        if best is None:
            parts.append(f"for {group}, no baseline was run")
            continue
        baseline = (
            f"the better baseline, {BASELINE_PROSE.get(best, label(best))}, scored "
            f"{summary.loc[best, 'mase']:.2f}"
        )
        if winners.empty:
            parts.append(f"for {group}, no model beats the naive baselines ({baseline})")
            continue
        beaten += 1
        names = " and ".join(
            f"the {label(m)} ({r.mase:.2f}, {_pct(r.mase / r.baseline_mase - 1)})"
            for m, r in winners.sort_values("mase").iterrows()
        )
        parts.append(
            f"for {group}, {names} beat{'s' if len(winners) == 1 else ''} both ({baseline})"
        )
    text = (
        "**Against the naive baselines** (last week's count, and a random walk with drift), "
        "by mean MASE in the backtest: " + "; ".join(parts) + ". These margins come from one "
        "backtest whose origins overlap; they are not a significance test, and a margin of a "
        "few percent could reverse with a few more weeks."
    )
    _number(pub, "groups_beating_baselines", beaten)
    return _record(
        pub,
        "beats_naive",
        text,
        value=beaten,
        unit=f"of {len(forecasts)} groups with a model better than both baselines",
        headline=headline,
    )


def snapshot_findings(
    scored: pd.DataFrame,
    forecasts: Mapping[str, GroupForecast],
    release: str,
    pub: Publisher | None = None,
    scope: str = DEFAULT_SCOPE,
) -> list[str]:
    """Per group, how the forecast saved from the newest older release fared on the weeks
    this release observes (the model this report's backtest chooses, or else the first saved
    one); one sentence saying so when nothing older of this ``scope`` is saved."""
    groups = list(forecasts)
    if scored.empty:
        command = "python -m analysis forecast" + (
            "" if scope == DEFAULT_SCOPE else f" --scope {scope}"
        )
        text = (
            f"No forecast of {' or '.join(groups)} counted in this report's scope ({scope}) and "
            f"saved from a release older than {release} is in reports/forecasts/, so no earlier "
            f"forecast can be scored against this release yet (`{command}` saves one per "
            "release)."
        )
        _number(pub, "snapshot_weeks_scored", 0)
        return [_record(pub, "snapshot_scores", text, value=0, unit="weeks scored", headline=False)]
    sentences = []
    _number(pub, "snapshot_weeks_scored", int(scored["week"].nunique()))
    for group in groups:
        rows = scored[scored["series"] == group]
        if rows.empty:
            continue
        older = rows[rows["release"] == rows["release"].max()]
        chosen = forecasts[group].chosen
        model = snapshot_model(older["model"], chosen)
        picked = older[older["model"] == model]
        weeks = len(picked)
        mae = float(picked["abs_error"].mean())
        bias = float(picked["error"].mean())
        n80, n95 = int(picked["in80"].sum()), int(picked["in95"].sum())
        why = (
            "the model this report's backtest chooses"
            if model == chosen
            else f"this report's backtest chooses {label(chosen)}, which was not saved"
        )
        direction = (
            "without a net bias"
            if round(bias) == 0
            else f"{'too low' if bias > 0 else 'too high'} by {abs(bias):,.0f} on average"
        )
        text = (
            f"**{group.capitalize()}:** the forecast saved from release "
            f"{picked['release'].iloc[0]} by the {label(model)} model ({why}) now has "
            f"{weeks} observed week{'s' if weeks != 1 else ''}: its median was "
            f"{mae:,.0f} {group} a week away from what happened on average (MAE), "
            f"{direction}; {n80} of {weeks} weeks fell inside "
            f"its 80% interval and {n95} of {weeks} inside its 95% interval."
        )
        if weeks < FEW_WEEKS:
            text += " So few weeks say little about whether the intervals are calibrated."
        _number(pub, f"{group}_snapshot_mae", mae)
        sentences.append(
            _record(
                pub,
                f"{group}_snapshot_score",
                text,
                value=mae,
                unit=f"{group} per week (MAE)",
                headline=False,
            )
        )
    return sentences
