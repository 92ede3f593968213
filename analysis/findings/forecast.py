"""Findings and tables behind ``notebooks/05_forecast.ipynb``: weekly launch forecasts, the
backtest that chooses the model, and earlier releases' forecasts scored on this release.

The notebook runs :func:`run_group` once per headline group (one nested backtest, whose last
fit is the forecast) and displays what the functions here return; every number in its prose
comes from a :class:`~analysis.modelresult.ModelResult` through these functions.

Two registers: the reader's sentences (:func:`next_week_finding`, :func:`range_held_text`,
:func:`snapshot_plain_text`, :data:`PLANNING_NOTE`) say one plain verdict per quantity, with
the 80% range called the "likely range"; the technical findings (MASE, Diebold-Mariano,
interval coverage) belong in the page's "Method and diagnostics" folds and agree with them.
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
from analysis.findings.text import bullets, day_label, month_label, week_label
from analysis.models.forecast import (
    BASELINES,
    DESCRIPTIONS,
    LEVELS,
    MIN_BACKTEST_WEEKS,
    MODELS,
    SARIMAX_ORDER,
    WINDOWS,
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
    "ets": "damped-trend smoothing",
    "theta": "theta method",
    "naive": "naive (last week)",
    "mean4": "mean of the last 4 weeks",
    "drift": "random walk with drift",
}
#: What each model assumes, in plain words, for the report's methods paragraph.
MODEL_PLAIN: dict[str, str] = {
    "sarimax": "a time-series model of the week-to-week changes that carries on the average "
    "recent trend and lets each change echo the previous one",
    "unobserved_components": "a level and a slope that are both allowed to wander, updated "
    "week by week, so recent weeks count most",
    "ets": "a smoothed level and slope, updated week by week, whose slope fades out over the "
    "coming weeks instead of running on",
    "theta": "a smoothed level plus half the slope of a straight line through the weeks "
    "fitted, a method that does well in forecasting competitions",
    "naive": "every coming week equals the last observed week",
    "mean4": "every coming week equals the average of the last four weeks on the logarithmic "
    "scale (a geometric average, which a quiet week pulls down)",
    "drift": "the last observed week, changed each week by the average weekly change of the "
    "weeks fitted",
}
#: The simple rules a model has to beat, and their names in prose.
BASELINE_PROSE: dict[str, str] = {
    "naive": "last week's count",
    "mean4": "the geometric average of the last four weeks",
    "drift": "the random walk with drift",
}
#: The simple rules in a reader's words, after "simply".
RULE_PLAIN: dict[str, str] = {
    "naive": "repeating last week's count",
    "mean4": "repeating the geometric average of the last four weeks",
    "drift": "carrying last week's count on by the average weekly change",
}
#: The models in a reader's words, without their technical names.
READER_NAMES: dict[str, str] = {
    "sarimax": "a model that carries on the recent trend",
    "unobserved_components": "a model of a slowly changing level and trend",
    "ets": "a model whose trend fades out over the coming weeks",
    "theta": "a model that adds half the long-run trend to a smoothed level",
    "naive": "last week's count",
    "mean4": "the geometric average of the last four weeks",
    "drift": "last week's count carried on by the average weekly change",
}
#: Why no forecast is certain, for the reader part of the page.
PLANNING_NOTE = (
    "Launch numbers follow Russian planning, of which these forecasts know nothing: a new "
    "production rate, a pause to build up stocks or a very large attack can put any week "
    "outside these ranges."
)
#: Fewest complete weeks the period must hold: the shortest training window, the origins that
#: choose the models and one origin that scores them.
MIN_PERIOD_WEEKS = MIN_BACKTEST_WEEKS
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
    """The next weeks: the headline model's median and calibrated intervals, then every other
    model's median (counts, rounded), indexed by the week's Monday."""
    table = fc.result.table("forecast")
    chosen = table[table["model"] == fc.chosen].set_index("week")
    name = label(fc.chosen)
    out = pd.DataFrame({"weeks ahead": chosen["step"].astype("int64")}, index=chosen.index)
    out[f"{name} (shown): median"] = chosen["point"]
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


def _window_text(window: str) -> str:
    return "all weeks" if window == "all" else f"{int(window)} weeks"


def backtest_table(fc: GroupForecast) -> pd.DataFrame:
    """Per model, best score on the later (scoring) origins first: its training window and
    its MASE on the choosing origins, then on the scoring origins only: mean MASE, MASE one
    week ahead, interval score, change against naive, the Diebold-Mariano p-value against the
    best baseline, and the share of weeks inside the calibrated and the model's own 80% and
    95% intervals (to read beside the nominal 80% and 95%)."""
    summary = fc.tested.table("summary")
    out = pd.DataFrame(
        {
            "model": [label(m) for m in summary["model"]],
            "training window": [_window_text(w) for w in summary["window"]],
            "MASE on choosing origins": summary["inner_mase"].to_numpy(),
            "mean MASE": summary["mase"].to_numpy(),
            "MASE 1 week ahead": summary["mase_h1"].to_numpy(),
            "interval score": summary["wis"].to_numpy(),
            "vs naive": summary["vs_naive"].to_numpy(),
            "p vs best baseline": summary["dm_p"].to_numpy(),
            "inside 80% interval (nominal 80%)": summary["coverage80"].to_numpy(),
            "inside 95% interval (nominal 95%)": summary["coverage95"].to_numpy(),
            "inside model's own 80%": summary["coverage80_model"].to_numpy(),
            "inside model's own 95%": summary["coverage95_model"].to_numpy(),
            "forecasts scored": summary["forecasts"].astype("int64").to_numpy(),
            "baseline": summary["baseline"].astype(bool).to_numpy(),
            "shown": (summary["model"] == fc.chosen).to_numpy(),
        }
    )
    return out.set_index("model")


def style_backtest(table: pd.DataFrame) -> Styler:
    """The backtest table for display: scores to two decimals, shares as percentages."""
    shares = [c for c in table.columns if c.startswith("inside")]
    return table.style.format(
        {
            "MASE on choosing origins": "{:.2f}",
            "mean MASE": "{:.2f}",
            "MASE 1 week ahead": "{:.2f}",
            "interval score": "{:.2f}",
            "vs naive": "{:+.1%}",
            "p vs best baseline": lambda p: "" if pd.isna(p) else f"{p:.2f}",
            **dict.fromkeys(shares, "{:.0%}"),
            "forecasts scored": "{:,}",
            "baseline": _yes_no,
            "shown": _yes_no,
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
    models = "; ".join(
        f"*{label(m)}*, {MODEL_PLAIN.get(m, DESCRIPTIONS.get(m, m))}"
        for m in str(s["models"]).split(",")
    )
    sizes = [str(w) for w in WINDOWS if w is not None]
    choices = f"the latest {', '.join(sizes[:-1])} or {sizes[-1]} weeks, or every week"
    levels = " and ".join(f"{level}%" for level in LEVELS)
    rules = ", ".join(BASELINE_PROSE[b] for b in BASELINES if b in BASELINE_PROSE)
    return (
        f"Only complete Monday-to-Sunday weeks count (a report is dated by the Kyiv date on "
        f"which its window ends). Every model is fitted to the logarithm of weekly launches: "
        f"{models}. The central line is the *median* week, not the average.\n\n"
        f"**Choosing, then scoring.** The backtest repeats the forecast from past weeks, each "
        f"time using only the weeks before, and compares it with what was then reported, up "
        f"to {t['h']:,} weeks ahead. It has two stages. On {t['inner_origins']:,} earlier "
        f"weeks ({long_day(t['first_inner_origin'])} to {long_day(t['last_inner_origin'])}, "
        f"every other week) each model's training window is chosen (among {choices}) and so "
        f"is the one model to back. Only the "
        f"{t['origins']:,} later weeks ({long_day(t['first_origin'])} to "
        f"{long_day(t['last_origin'])}) score the models, so no score comes from weeks that "
        f"helped choose. The error measure is MASE: the error of the median divided by the "
        f"average week-to-week change of the year before, averaged over weeks and then over "
        f"how far ahead (lower is better; 1 means errors as large as a typical "
        f"week-to-week change).\n\n"
        f"**Against simple rules.** The chosen model is shown only if it beats the best of "
        f"three simple rules ({rules}) on the later weeks and a Diebold-Mariano test says the "
        f"difference is larger than chance would give at the 5% level; otherwise the best "
        f"simple rule is the forecast shown.\n\n"
        f"**Intervals.** The {levels} intervals are as wide as the backtest's own errors: for "
        f"each number of weeks ahead, the band holds the share of past errors its level names "
        f"(on the logarithmic scale, so it is wider above the median than below). In the "
        f"backtest each interval uses only errors already known at its origin, and the table "
        f"shows how often it held. *Method note:* split-conformal intervals per horizon; the "
        f"interval score is the weighted interval score of Bracher et al. (2021), scaled like "
        f"MASE; the Diebold-Mariano test uses the Harvey-Leybourne-Newbold small-sample "
        f"correction on the scaled absolute errors."
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


def _prose(model: str) -> str:
    return BASELINE_PROSE.get(model, f"the {label(model)}")


def _span(fc: GroupForecast) -> str:
    s = fc.tested.summary
    origins = int(s["origins"])
    span = f"{long_day(s['first_origin'])} to {long_day(s['last_origin'])}"
    if origins < fc.requested_origins:
        span += f"; fewer than the {fc.requested_origins:,} asked for, as the period is short"
    return f"the {origins:,} later weeks ({span})"


def _hindsight(fc: GroupForecast) -> str:
    """A sentence when a model that was not chosen did better than the baseline on the
    scoring weeks: naming it would be choosing on the weeks that score it."""
    s = fc.tested.summary
    summary = fc.tested.table("summary")
    rivals = summary[~summary["baseline"] & (summary["model"] != s["candidate"])]
    better = rivals[rivals["mase"] < (s["baseline_mase"] or float("inf"))]
    if s["beats_naive"] or better.empty:
        return ""
    best = better.iloc[0]
    return (
        f" The {label(best['model'])} did better on those weeks (MASE {best['mase']:.2f}), "
        f"but the earlier weeks did not choose it, and picking it now would choose on the "
        f"very weeks that score it."
    )


def _verdict(fc: GroupForecast) -> str:
    candidate, baseline = fc.candidate, fc.baseline
    if candidate is None or baseline is None:
        return f"only the {label(fc.chosen)} was run, so nothing is compared"
    cand, base = _models_row(fc, candidate), _models_row(fc, baseline)
    scores = (
        f"a mean MASE over 1 to {fc.horizon} weeks ahead of {cand['mase']:.2f} on "
        f"{_span(fc)}, against {base['mase']:.2f} for {_prose(baseline)}"
    )
    p = f"p = {cand['dm_p']:.2f}" if cand["dm_p"] >= 0.01 else "p < 0.01"
    if fc.beats_baseline:
        return (
            f"the {label(candidate)} beats the simple rules, so its forecast is shown: "
            f"{scores}, the best of them, and a Diebold-Mariano test finds the difference "
            f"larger than chance ({p})"
        )
    why = (
        "its score is not lower"
        if cand["mase"] >= base["mase"]
        else "a Diebold-Mariano test finds the difference within chance"
    )
    return (
        f"no model beats the simple rule of {_prose(baseline)}, so that is the forecast "
        f"shown. The model chosen in advance, the {label(candidate)}, had {scores}; {why} "
        f"({p})"
    )


def chosen_model_finding(
    fc: GroupForecast, pub: Publisher | None = None, headline: bool = False
) -> str:
    """The verdict of the nested backtest for the group, first: whether the model chosen on
    the earlier weeks beats the best simple rule on the later weeks (MASE and the
    Diebold-Mariano test), so which forecast is shown; then its intervals' coverage."""
    s = fc.tested.summary
    group, chosen = fc.group, fc.chosen
    row = _models_row(fc, chosen)
    text = (
        f"**{group.capitalize()}:** {_verdict(fc)}.{_hindsight(fc)} The intervals shown held "
        f"{row['coverage80']:.0%} of the later weeks at 80% ({calibration(row['coverage80'], 80)})"
        f" and {row['coverage95']:.0%} at 95% ({calibration(row['coverage95'], 95)})."
    )
    _number(pub, f"{group}_chosen_model", chosen)
    _number(pub, f"{group}_candidate_model", s["candidate"])
    _number(pub, f"{group}_beats_baseline", bool(s["beats_naive"]))
    _number(pub, f"{group}_dm_p", s["dm_p"])
    _number(pub, f"{group}_chosen_mase", float(row["mase"]))
    _number(pub, f"{group}_naive_mase", s["naive_mase"])
    _number(pub, f"{group}_origins", int(s["origins"]))
    return _record(
        pub, f"{group}_chosen_model", text, value=float(row["mase"]), unit="MASE", headline=headline
    )


def forecast_finding(
    fc: GroupForecast, pub: Publisher | None = None, headline: bool = False
) -> str:
    """The shown model's median and 80% (and 95%) interval for the last forecast week, in
    technical words (the page's method fold; the reader's sentence is
    :func:`next_week_finding`)."""
    group = fc.group
    s = fc.result.summary
    chosen = fc.result.table("chosen").sort_values("step")
    last = chosen.iloc[-1]
    steps = int(last["step"])
    shown = (
        f"the {label(fc.chosen)} model"
        if fc.chosen not in BASELINES
        else f"the simple rule of {_prose(fc.chosen)}"
    )
    text = (
        f"**{group.capitalize()}:** {shown} puts the median for the week "
        f"starting {long_day(last['week'])} ({steps} weeks after the last complete week, which "
        f"started {long_day(s['last_observed_week'])} with {s['last_observed']:,.0f} {group} "
        f"launched) at {last['point']:,.0f} {group}, with an 80% interval of "
        f"{last['lo80']:,.0f} to {last['hi80']:,.0f} and a 95% interval of {last['lo95']:,.0f} "
        f"to {last['hi95']:,.0f}, as wide as the backtest's errors {steps} weeks ahead. Launch "
        f"numbers follow Russian planning: a new production rate or a pause can put a week "
        f"outside any interval."
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
        headline=headline,
    )


# --------------------------------------------------------------------------------------------
# the reader's sentences


def reader_name(model: str) -> str:
    """A model or simple rule in a reader's words (its technical name if unknown)."""
    return READER_NAMES.get(model, label(model))


def skill_verdict(fc: GroupForecast) -> str:
    """One plain sentence: whether a model forecast past weeks clearly better than the best
    simple rule (the nested backtest's verdict), and so which forecast is shown."""
    candidate, baseline = fc.candidate, fc.baseline
    if candidate is None or baseline is None:
        return (
            f"Only one method was run ({reader_name(fc.chosen)}), so it was not compared "
            "with any other."
        )
    if fc.beats_baseline:
        name = reader_name(fc.chosen)
        return (
            f"{name[:1].upper()}{name[1:]} forecast past weeks clearly better than simple rules "
            "such as repeating last week's count, so its forecast is shown."
        )
    rule = RULE_PLAIN.get(baseline, f"using {reader_name(baseline)}")
    return (
        f"No model forecast past weeks clearly better than simply {rule}, so that is the "
        "forecast shown."
    )


def next_week_finding(
    fc: GroupForecast, pub: Publisher | None = None, headline: bool = True
) -> str:
    """The reader's key point for the group: next week's expected launches with the likely
    (80%) range, the numbers of the landing page's "Next week" card, and the plain verdict of
    :func:`skill_verdict`."""
    group = fc.group
    first = fc.result.table("chosen").sort_values("step").iloc[0]
    point, low, high = float(first["point"]), float(first["lo80"]), float(first["hi80"])
    text = (
        f"**{group.capitalize()}:** {point:,.0f} {group} expected in {week_label(first['week'])}"
        f", likely {low:,.0f} to {high:,.0f}. {skill_verdict(fc)}"
    )
    _number(pub, f"{group}_next_week", day_text(first["week"]))
    return _record(
        pub,
        f"{group}_next_week",
        text,
        value=point,
        low=low,
        high=high,
        unit=f"{group} launched in the week (median, 80% range)",
        headline=headline,
    )


def rule_note(fc: GroupForecast) -> str:
    """When the forecast shown is the geometric average of the last four weeks, a sentence
    setting it beside their plain average (a reader who adds up the weeks finds the other
    number); empty for any other forecast, or when the two agree."""
    if fc.chosen != "mean4":
        return ""
    weeks = fc.result.table("history")["launched"].iloc[-4:]
    first = fc.result.table("chosen").sort_values("step").iloc[0]
    if round(float(first["point"])) >= round(float(weeks.mean())):
        return ""
    return (
        f"This average, {first['point']:,.0f}, is below the plain average of those four "
        f"weeks, {weeks.mean():,.0f} (from {weeks.min():,.0f} to {weeks.max():,.0f} "
        f"{fc.group} a week), because it gives quiet weeks more weight."
    )


def _held_words(share: float, level: int) -> str:
    """How a range that held ``share`` of the weeks compares with its ``level``, plainly."""
    verdict = calibration(share, level)
    if verdict == "close to its level":
        return f"about the {level}% it aims for"
    if verdict == "wider than needed":
        return f"more than the {level}% it aims for, so the range errs on the wide side"
    return f"less than the {level}% it aims for, so expect more surprises than it suggests"


def range_held_text(fc: GroupForecast, pub: Publisher | None = None) -> str:
    """How often the likely (80%) range of the forecast shown held the actual count when the
    forecast was tested on past weeks, in plain words (a non-headline finding)."""
    s = fc.tested.summary
    share = float(_models_row(fc, fc.chosen)["coverage80"])
    weeks = fc.tested.whole("origins")
    span = f"{month_label(s['first_origin'])} to {month_label(s['last_origin'])}"
    text = (
        f"Tested on {weeks:,} past weeks ({span}), the actual count fell inside the likely "
        f"range in {share:.0%} of the forecasts up to {fc.horizon} weeks ahead: "
        f"{_held_words(share, 80)}."
    )
    return _record(
        pub,
        f"{fc.group}_range_held",
        text,
        value=share,
        unit="share of past forecasts inside the 80% range",
        headline=False,
    )


def beaten_baselines(fc: GroupForecast) -> pd.DataFrame:
    """Models other than the simple rules that beat the best of them on the scoring weeks
    (lower MASE and a Diebold-Mariano p below 5%), with their MASE, p-value and the best
    rule's MASE; empty when none does."""
    summary = fc.tested.table("summary").set_index("model")
    best = fc.tested.summary["baseline"]
    if best is None:
        return pd.DataFrame(columns=["mase", "dm_p", "best_baseline", "baseline_mase"])
    winners = summary[~summary.index.isin(BASELINES) & summary["beats_baseline"].astype(bool)]
    return pd.DataFrame(
        {
            "mase": winners["mase"],
            "dm_p": winners["dm_p"],
            "best_baseline": best,
            "baseline_mase": float(summary.loc[best, "mase"]),
        }
    )


def beats_naive_finding(
    forecasts: Mapping[str, GroupForecast], pub: Publisher | None = None, headline: bool = False
) -> str:
    """Whether the model chosen in advance beats the best simple rule, group by group."""
    parts, beaten = [], 0
    for group, fc in forecasts.items():
        candidate, baseline = fc.candidate, fc.baseline
        if baseline is None or candidate is None:
            parts.append(f"for {group}, nothing was compared")
            continue
        cand, base = _models_row(fc, candidate), _models_row(fc, baseline)
        p = f"p = {cand['dm_p']:.2f}" if cand["dm_p"] >= 0.01 else "p < 0.01"
        rule = f"{_prose(baseline)} (MASE {base['mase']:.2f})"
        if fc.beats_baseline:
            beaten += 1
            parts.append(
                f"for {group}, the {label(candidate)} beats the best rule, {rule}, "
                f"with {cand['mase']:.2f} ({p})"
            )
        else:
            parts.append(
                f"for {group}, no model beats the best rule, {rule}: the model chosen in "
                f"advance, the {label(candidate)}, scored {cand['mase']:.2f} ({p})"
            )
    text = (
        "**Against the simple rules** (last week's count, the average of the last four weeks, "
        "the random walk with drift), on the later weeks only: " + "; ".join(parts) + ". A "
        "model counts as better only if its score is lower and a Diebold-Mariano test puts the "
        "difference beyond chance at the 5% level."
    )
    _number(pub, "groups_beating_baselines", beaten)
    return _record(
        pub,
        "beats_naive",
        text,
        value=beaten,
        unit=f"of {len(forecasts)} groups with a model better than the best simple rule",
        headline=headline,
    )


def newest_snapshot(scored: pd.DataFrame, group: str, chosen: str) -> pd.DataFrame:
    """The scored weeks of ``group``'s forecast saved from the newest older release, by the
    model :func:`snapshot_model` picks (``chosen``, if it was saved); empty when none."""
    rows = scored[scored["series"] == group]
    if rows.empty:
        return rows
    older = rows[rows["release"] == rows["release"].max()]
    model = snapshot_model(older["model"], chosen)
    return older[older["model"] == model]


def snapshot_plain_text(scored: pd.DataFrame, forecasts: Mapping[str, GroupForecast]) -> str:
    """The reader's check of the newest earlier forecast, one paragraph per group: how far off
    it was on average and how many of the weeks since fell inside its likely (80%) range."""
    paragraphs = []
    for group, fc in forecasts.items():
        picked = newest_snapshot(scored, group, fc.chosen)
        if picked.empty:
            continue
        weeks = len(picked)
        bias = float(picked["error"].mean())
        inside = int(picked["in80"].sum())
        off = (
            "about right"
            if round(bias) == 0
            else f"{abs(bias):,.0f} {group} a week too {'low' if bias > 0 else 'high'}"
        )
        plural = "s" if weeks != 1 else ""
        text = (
            f"**{group.capitalize()}:** the forecast made from the data of "
            f"{day_label(picked['release'].iloc[0])} can now be checked against the {weeks} "
            f"week{plural} since. On average it was {off}, and {inside} of {weeks} week{plural} "
            "fell inside its likely range."
        )
        if weeks < FEW_WEEKS:
            text += " That is too few weeks to judge it yet."
        paragraphs.append(text)
    if not paragraphs:
        return "No forecast saved from an earlier data release can be checked against this one yet."
    return "\n\n".join(paragraphs)


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
        chosen = forecasts[group].chosen
        picked = newest_snapshot(scored, group, chosen)
        if picked.empty:
            continue
        model = str(picked["model"].iloc[0])
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
