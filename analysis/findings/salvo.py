"""Findings of ``notebooks/03_salvo_and_interception.ipynb``: salvo size and interception.

Every function takes results computed in the run (:func:`analysis.models.salvo.salvo_model`,
:func:`analysis.models.interception.interception_model`, or the waves and strikes tables),
returns the report's sentence and records it on the run's
:class:`~analysis.results.Publisher`, so that no number in the prose is typed by hand.
Timing and size comparisons are described as associations, never as causes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.data.dates import day_text, month_text
from analysis.findings.text import day_label, month_label, plausibly
from analysis.modelresult import ModelResult
from analysis.models.interception import CLASSES as INTERCEPTION_CLASSES
from analysis.models.interception import RecentShare, class_waves
from analysis.models.salvo import DEFAULT_KNOTS
from analysis.params import ParameterError, check_groups
from analysis.results import Publisher
from analysis.vocabulary import STRIKE_DRONE

#: Nights that show the two reporting practices for drones lost to electronic warfare.
REPORTING_EXAMPLE_DATES = ("2025-09-07", "2025-07-09")
#: From this date the strike-drone counts include decoys (also the salvo model's knot).
DECOYS_FROM = DEFAULT_KNOTS[0]
CLASS_NAMES = {
    "strike_drone": "strike drones",
    "cruise_missile": "cruise missiles",
    "ballistic_missile": "ballistic missiles",
}
MEASURE_NOUNS = {"drones": "drones", "missiles": "missiles"}
#: The attack a measure's typical size describes, in a reader's words.
ATTACK_NOUNS = {"drones": "drone attack", "missiles": "missile attack"}
#: How the intervals of the salvo trends and of the doubling effect are made, in plain words.
MONTHS_NOTE = (
    "The interval allows for waves of the same month being alike, and for a month being "
    "like the months around it."
)
BOOTSTRAP_NOTE = (
    "The interval allows for waves of the same month being alike: it comes from refitting "
    "the model many times on months of waves drawn at random."
)
VARIANT_NAMES = {
    "quasi_binomial": "another model (quasi-binomial)",
    "all_waves": "waves reported with dates only added",
    "timed_waves": "timed waves only",
    "year_effects": "one level per year instead of a trend",
}
ASSOCIATION = (
    "This is an association across waves, not evidence that salvo size causes the "
    "difference: large and small salvos differ in targets, routes and how fully "
    "they are reported, and the data hold no air-defence coverage."
)


# Parameters ------------------------------------------------------------------------------------


def check_interception_classes(classes, name: str = "classes") -> list[str]:
    """The interception classes: known group names (``check_groups``), each one of
    strike_drone, cruise_missile or ballistic_missile, without repeats."""
    chosen = check_groups(classes, name)
    other = [c for c in chosen if c not in INTERCEPTION_CLASSES]
    if other:
        raise ParameterError(
            f"{name}: {', '.join(map(repr, other))} cannot be modelled for interception; "
            f"use {', '.join(INTERCEPTION_CLASSES)}"
        )
    return list(dict.fromkeys(chosen))


# Number formatting -----------------------------------------------------------------------------


def _num(value: float, digits: int = 1) -> str:
    """``value`` with thousands separators and ``digits`` decimals."""
    return f"{value:,.{digits}f}"


def _count(value: float) -> str:
    """A count, or a median of counts (which may end in .5)."""
    return f"{value:,.0f}" if float(value).is_integer() else _num(value)


def _slope(value: float, like: float | None = None) -> str:
    """A slope per year: whole numbers when ``like`` (default: the value; pass the estimate
    for its interval bounds) is 10 or more in size, else one decimal."""
    reference = value if like is None else like
    return _num(value, 0 if abs(reference) >= 10 else 1)


def _slope_values(row) -> dict[str, float]:
    """``value``, ``low``, ``high`` of a slope row, rounded as the sentence writes them."""
    digits = 0 if abs(row["slope"]) >= 10 else 1
    return {
        k: round(float(row[c]), digits)
        for k, c in (("value", "slope"), ("low", "ci_low"), ("high", "ci_high"))
    }


def _slope_ci(row, level: float) -> str:
    """The interval of a slope row, rounded like its estimate."""
    return _ci(row["ci_low"], row["ci_high"], lambda v: _slope(v, row["slope"]), level)


def _plural(count: float, noun: str) -> str:
    if count == 0:
        return f"no {noun}s"
    return f"{_count(count)} {noun}" + ("" if count == 1 else "s")


def _pct(rate: float) -> str:
    return f"{100 * rate:.0f}%"


def _ci(low: float, high: float, fmt=_num, level: float = 0.95) -> str:
    return f"{level:.0%} CI {fmt(low)} to {fmt(high)}"


# Salvo size ------------------------------------------------------------------------------------


def _record_row(salvo: ModelResult, measure: str) -> pd.Series | None:
    top = salvo.table("records")
    top = top[(top["by"] == measure) & (top[measure] > 0)]
    return None if top.empty else top.iloc[0]


def drone_record(salvo: ModelResult, pub: Publisher, *, headline: bool = False) -> str:
    """The largest drone attack of the period, and how often the record was broken."""
    return _record(salvo, pub, "drones", headline)


def missile_record(salvo: ModelResult, pub: Publisher, *, headline: bool = False) -> str:
    """The largest missile attack of the period, and how often the record was broken."""
    return _record(salvo, pub, "missiles", headline)


def _record(salvo: ModelResult, pub: Publisher, measure: str, headline: bool) -> str:
    """The record sentence in plain words: the day, the size, the other weapon's count, and
    how many times the record for one attack was broken (counts as reported: no interval)."""
    key = f"record_{measure}_wave"
    row = _record_row(salvo, measure)
    if row is None:
        text = f"No attack in the period launched any {MEASURE_NOUNS[measure]}."
        return pub.finding(key, text, unit=measure, headline=headline)
    size, date = int(row[measure]), pd.Timestamp(row["date"])
    if measure == "missiles":
        what = "missiles of all types"
    elif date >= pd.Timestamp(DECOYS_FROM):
        what = "drones (decoys included)"
    else:
        what = "drones"
    other = "missiles" if measure == "drones" else "drones"
    text = (
        f"The largest {ATTACK_NOUNS[measure]} of the period, on {day_label(date)}, launched "
        f"{_count(size)} {what} and {_plural(row[other], other[:-1])}."
    )
    progression = salvo.table("record_progression")
    steps = progression[progression["measure"] == measure]
    if len(steps) > 1:
        times = "once" if len(steps) == 2 else f"{len(steps) - 1:,} times"
        text += (
            f" The record for a single attack was broken {times}, from "
            f"{_plural(steps['record'].iloc[0], measure[:-1])} on "
            f"{day_label(steps['date'].iloc[0])}."
        )
    if not bool(row["time_known"]):
        text += " Its reports give no time of day, so it may join several attacks of that day."
    pub.number(f"record_{measure}", size)
    pub.number(f"record_{measure}_date", day_text(date))
    return pub.finding(key, text, value=size, unit=measure, headline=headline)


def _slope_rows(
    salvo: ModelResult, measure: str, quantile: float, spec: str, population: str = "timed"
) -> pd.DataFrame:
    slopes = salvo.table("slopes")
    keep = (
        (slopes["population"] == population)
        & (slopes["measure"] == measure)
        & np.isclose(slopes["quantile"], quantile)
        & (slopes["spec"] == spec)
    )
    return slopes[keep].sort_values("segment")


def _trend(row, noun: str, level: float) -> str:
    """``grew by 40 drones a year (95% CI 37 to 42)``, ``shrank by ...`` or ``showed no clear
    trend: 0.0 missiles a year (95% CI -0.8 to 0.8, ...)``."""
    size = f"{_slope(abs(row['slope']), row['slope'])} {noun} a year"
    interval = _slope_ci(row, level)
    return _direction(
        row["ci_low"],
        row["ci_high"],
        f"grew by {size} ({interval})",
        f"shrank by {size} ({interval})",
        f"showed no clear trend: {_slope(row['slope'])} {noun} a year ({interval}, an interval "
        "that includes zero)",
    )


def _months_note(row) -> str:
    """The plain-words note on an interval that allows for alike months (nothing for a model
    interval, which treats waves as independent)."""
    interval = str(row.get("interval", ""))
    if interval == "fixed_b":
        return f" {MONTHS_NOTE}"
    return f" {BOOTSTRAP_NOTE}" if interval.endswith("bootstrap") else ""


def _direction(low: float, high: float, up: str, down: str, flat: str) -> str:
    if low > 0:
        return up
    if high < 0:
        return down
    return flat


def _number_format(value: float) -> str:
    """The format of a size change per year and its range: whole numbers when ``value`` is 10
    or more in size, else one decimal."""
    return "{:,.0f}" if abs(value) >= 10 else "{:,.1f}"


def size_verdict(slope: float, low: float, high: float, noun: str) -> str:
    """One plain verdict for a change in attack size per year from its headline interval:
    ``grew by about 40 drones a year, plausibly 24 to 55``, ``shrank by ...`` or ``showed no
    clear change (somewhere between -3.9 and +0.8 missiles a year)``."""
    if not all(math.isfinite(v) for v in (slope, low, high)):
        return "could not be estimated"
    fmt = _number_format(slope)
    if low > 0:
        return f"grew by about {fmt.format(slope)} {noun} a year, {plausibly(low, high, fmt)}"
    if high < 0:
        return f"shrank by about {fmt.format(-slope)} {noun} a year, {plausibly(-high, -low, fmt)}"
    signed = fmt.replace("{:", "{:+")
    return (
        f"showed no clear change (somewhere between {signed.format(low)} and "
        f"{signed.format(high)} {noun} a year)"
    )


def median_growth(
    salvo: ModelResult,
    pub: Publisher,
    measure: str = "drones",
    *,
    headline: bool = True,
) -> str:
    """The typical (median) attack's change in size per year, in plain words: one verdict from
    the straight line's headline interval (the technical account: :func:`median_growth_detail`).
    """
    key = f"median_growth_{measure}"
    noun = MEASURE_NOUNS[measure]
    line = _slope_rows(salvo, measure, 0.5, "linear")
    if line.empty:
        text = f"Too few attacks with {noun} in the period to tell whether they grew."
        return pub.finding(key, text, unit=f"{noun} per year", headline=headline)
    row = line.iloc[0]
    verdict = size_verdict(float(row["slope"]), float(row["ci_low"]), float(row["ci_high"]), noun)
    text = (
        f"From {month_label(row['start'])} to {month_label(row['end'])}, the typical "
        f"{ATTACK_NOUNS[measure]} {verdict}."
    )
    if measure == "drones" and pd.Timestamp(row["end"]) >= pd.Timestamp(DECOYS_FROM):
        text += (
            f" From {month_label(DECOYS_FROM)} the drone counts include decoys, so part of "
            "the growth is decoys."
        )
    pub.number(f"{measure}_q50_slope", round(float(row["slope"]), 2))
    return pub.finding(key, text, **_slope_values(row), unit=f"{noun} per year", headline=headline)


def median_growth_detail(salvo: ModelResult, measure: str = "drones", level: float = 0.95) -> str:
    """The median's straight-line slope with its interval, the waves used, the bent line's
    segments and how the interval was made (for a method fold; nothing recorded)."""
    noun = MEASURE_NOUNS[measure]
    line = _slope_rows(salvo, measure, 0.5, "linear")
    if line.empty:
        return f"Too few timed waves with {noun} in the period to fit a trend in the median salvo."
    row = line.iloc[0]
    text = (
        f"The median timed wave with {noun} {_trend(row, noun, level)} on a straight line, "
        f"from {day_label(row['start'])} to {day_label(row['end'])} "
        f"({int(row['n_waves']):,} waves, quantile regression)."
    )
    pieces = _slope_rows(salvo, measure, 0.5, "piecewise")
    if len(pieces) > 1:
        parts = [
            f"{_slope(p['slope'])} a year from {day_label(p['start'])} to {day_label(p['end'])} "
            f"({_slope_ci(p, level)})"
            for _, p in pieces.iterrows()
        ]
        text += f" Allowing a bend at {day_label(pieces['start'].iloc[1])}: {'; '.join(parts)}."
    return text + _months_note(row)


def q90_growth(
    salvo: ModelResult,
    pub: Publisher,
    measure: str = "drones",
    *,
    headline: bool = False,
    level: float = 0.95,
) -> str:
    """Growth of the 90th percentile (the large raids) in each piecewise segment."""
    key = f"q90_growth_{measure}"
    noun = MEASURE_NOUNS[measure]
    pieces = _slope_rows(salvo, measure, 0.9, "piecewise")
    if pieces.empty:
        text = f"Too few timed waves with {noun} in the period to fit the 90th percentile."
        return pub.finding(key, text, unit=f"{noun} per year", headline=headline)
    parts = [
        f"from {day_text(p['start'])} to {day_text(p['end'])} they {_trend(p, noun, level)}"
        for _, p in pieces.iterrows()
    ]
    text = (
        f"The large raids (the 90th percentile of timed waves with {noun}): "
        + "; ".join(parts)
        + "."
    )
    if len(pieces) > 1:
        text += " The bend is set by the calendar, not estimated from the data."
    text += _months_note(pieces.iloc[0])
    last = pieces.iloc[-1]
    return pub.finding(key, text, **_slope_values(last), unit=f"{noun} per year", headline=headline)


# Interception ----------------------------------------------------------------------------------


def _effect_row(interception: ModelResult, weapon_class: str, measure: str) -> pd.Series | None:
    effects = interception.table("effects")
    if effects.empty:
        return None
    rows = effects[(effects["weapon_class"] == weapon_class) & (effects["measure"] == measure)]
    return None if rows.empty else rows.iloc[0]


def _waves_fitted(interception: ModelResult, weapon_class: str, measure: str) -> int:
    fits = interception.table("fits")
    rows = fits[(fits["weapon_class"] == weapon_class) & (fits["measure"] == measure)]
    return int(rows["n_waves"].iloc[0]) if len(rows) else 0


def overwhelm_verdict(change: float, low: float, high: float) -> str:
    """One plain verdict on saturation from the change in the share stopped (percentage
    points) between a typical attack and one twice as large, and its headline interval."""
    if not all(math.isfinite(v) for v in (change, low, high)):
        return "could not be estimated"
    if low > 0:
        return (
            f"about {change:.1f} percentage points more, plausibly {low:.1f} to {high:.1f} "
            "points more, so no sign that larger attacks overwhelmed the defences"
        )
    if high < 0:
        return (
            f"about {-change:.1f} percentage points fewer, plausibly {-high:.1f} to {-low:.1f} "
            "points fewer, the pattern expected if larger attacks overwhelm the defences"
        )
    return (
        f"no clear change (somewhere between {low:+.1f} and {high:+.1f} percentage points), "
        "so no sign either way"
    )


def doubling_effect(
    interception: ModelResult,
    weapon_class: str,
    pub: Publisher,
    *,
    headline: bool = False,
) -> str:
    """The share stopped in a typical attack and in one twice as large, with one plain
    verdict from the headline interval (the technical account: :func:`doubling_detail`)."""
    key = f"doubling_{weapon_class}"
    name = CLASS_NAMES.get(weapon_class, weapon_class)
    row = _effect_row(interception, weapon_class, "defeat")
    if row is None:
        text = (
            f"{name.capitalize()}: too few attacks in the period to compare the share stopped "
            "in small and large attacks."
        )
        return pub.finding(key, text, unit="percentage points", headline=headline)
    change, low, high = (
        float(row[c]) for c in ("change_points", "change_ci_low", "change_ci_high")
    )
    text = (
        f"{name.capitalize()}: {_pct(row['rate_doubled'])} were stopped in an attack twice the "
        f"typical size, against {_pct(row['rate'])} in a typical one: "
        f"{overwhelm_verdict(change, low, high)}."
    )
    pub.number(f"doubling_{weapon_class}_points", round(change, 2))
    return pub.finding(
        key,
        text,
        value=round(change, 1),
        low=round(low, 1),
        high=round(high, 1),
        unit="percentage points",
        headline=headline,
    )


def doubling_detail(interception: ModelResult, weapon_class: str, level: float = 0.95) -> str:
    """The doubling effect of one class with its interval, the compared salvos, the date, the
    waves and the model (for a method fold; nothing recorded)."""
    name = CLASS_NAMES.get(weapon_class, weapon_class)
    row = _effect_row(interception, weapon_class, "defeat")
    n = _waves_fitted(interception, weapon_class, "defeat")
    if row is None:
        count = f"only {n:,}" if n else "none"
        return (
            f"Too few timed waves with {name} in the period ({count}) to model the defeat "
            "rate against salvo size."
        )
    change, low, high = (
        float(row[c]) for c in ("change_points", "change_ci_low", "change_ci_high")
    )
    verdict = _direction(
        low,
        high,
        f"went with a defeat rate {_num(change)} percentage points higher",
        f"went with a defeat rate {_num(-change)} percentage points lower, the pattern "
        "saturation of the defences would produce",
        f"went with no clear change in the defeat rate, {_num(change)} percentage points",
    )
    interval = _ci(low, high, _num, level)
    if low <= 0 <= high:
        interval += ", an interval that includes zero"
    return (
        f"{name.capitalize()}: a wave twice as large {verdict} ({interval}). This compares "
        f"the median timed wave ({_count(row['salvo'])} launched) with one twice as large "
        f"({_count(row['salvo_doubled'])}), both at the sample's median date "
        f"{day_label(row['reference_date'])}: a modelled rate of {_pct(row['rate'])} against "
        f"{_pct(row['rate_doubled'])} ({n:,} timed waves, beta-binomial regression with a "
        f"time trend).{_months_note(row)} {ASSOCIATION}"
    )


def doubling_effects(
    interception: ModelResult, classes: Sequence[str], pub: Publisher
) -> list[str]:
    """:func:`doubling_effect` for every class; the first class is marked as a headline."""
    return [doubling_effect(interception, c, pub, headline=i == 0) for i, c in enumerate(classes)]


def doubling_details(
    interception: ModelResult, classes: Sequence[str], level: float = 0.95
) -> list[str]:
    """:func:`doubling_detail` for every class."""
    return [doubling_detail(interception, c, level) for c in classes]


def doubling_range(interception: ModelResult, weapon_class: str, pub: Publisher) -> str | None:
    """How far the doubling effect moves under other reasonable specifications: the lowest
    and highest over the main fit and every other choice of the sensitivity table (None when
    the class was not modelled)."""
    table = interception.table("sensitivity")
    if table.empty or "doubling_points" not in table:
        return None
    rows = table[(table["weapon_class"] == weapon_class) & table["doubling_points"].notna()]
    main = rows[rows["variant"] == "main"]
    if main.empty:
        return None
    points = rows["doubling_points"].astype(float)
    value, low, high = (
        round(float(v), 1) for v in (main["doubling_points"].iloc[0], points.min(), points.max())
    )
    others = [VARIANT_NAMES.get(v, v) for v in rows["variant"] if v != "main"]
    name = CLASS_NAMES.get(weapon_class, weapon_class)
    text = (
        f"{name.capitalize()}: under other reasonable choices ({', '.join(others)}) the "
        f"change for a wave twice as large ranges from {_num(low)} to {_num(high)} "
        f"percentage points, against {_num(value)} in the main model. "
    )
    if low > 0 or high < 0:
        text += "Every choice gives the same direction; the size depends on the choice."
    else:
        text += "The choices do not even agree on the direction."
    pub.number(f"doubling_{weapon_class}_spec_range", [low, high])
    return pub.finding(
        f"doubling_{weapon_class}_range",
        text,
        value=value,
        low=low,
        high=high,
        unit="percentage points",
        headline=False,
    )


def doubling_ranges(interception: ModelResult, classes: Sequence[str], pub: Publisher) -> list[str]:
    """:func:`doubling_range` for every modelled class."""
    texts = (doubling_range(interception, c, pub) for c in classes)
    return [t for t in texts if t]


def kinetic_drone_doubling(
    interception: ModelResult, pub: Publisher, *, level: float = 0.95
) -> str | None:
    """The drone doubling effect counting only drones shot down (waves reporting the split);
    None when strike drones were not modelled."""
    key = "doubling_strike_drone_kinetic"
    kinetic = _effect_row(interception, STRIKE_DRONE, "kinetic")
    if kinetic is None:
        fits = interception.table("fits")
        if fits.empty or not (fits["weapon_class"] == STRIKE_DRONE).any():
            return None
        n = _waves_fitted(interception, STRIKE_DRONE, "kinetic")
        text = (
            f"Too few drone waves in the period report the shot-down / lost split ({n:,}) "
            "to model the kinetic-only rate."
        )
        return pub.finding(key, text, unit="percentage points", headline=False)
    change, low, high = (
        float(kinetic[c]) for c in ("change_points", "change_ci_low", "change_ci_high")
    )
    n = _waves_fitted(interception, STRIKE_DRONE, "kinetic")
    text = (
        f"Counting only drones shot down, in the {n:,} timed waves that report the split, "
        f"a wave twice as large went with a change of {_num(change)} percentage points "
        f"({_ci(low, high, _num, level)})."
    )
    text += _months_note(kinetic)
    defeat = _effect_row(interception, STRIKE_DRONE, "defeat")
    if defeat is not None and defeat["change_ci_low"] > 0 and low <= 0 <= high:
        text += (
            " So the data do not show more drones shot down in larger waves: the higher "
            "defeat rate of large drone waves goes with drones reported lost (for example "
            "to electronic warfare) rather than shot down."
        )
    text += " Again an association, not a cause."
    return pub.finding(
        key,
        text,
        value=round(change, 1),
        low=round(low, 1),
        high=round(high, 1),
        unit="percentage points",
        headline=False,
    )


# Share stopped ---------------------------------------------------------------------------------


def months_span(first, last) -> str:
    """Two months as a reader writes the span: ``Jan to Mar 2026``, ``Dec 2025 to Feb 2026``,
    or one month alone (``Mar 2026``)."""
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    if (first.year, first.month) == (last.year, last.month):
        return month_label(last)
    if first.year == last.year:
        return f"{first:%b} to {month_label(last)}"
    return f"{month_label(first)} to {month_label(last)}"


def recent_stopped(recent: RecentShare, pub: Publisher, *, headline: bool = True) -> str:
    """The share of a class reported stopped over the last months, with its range: the same
    numbers, rounded the same way, as the landing page's "Drones stopped" card
    (:func:`analysis.findings.cards.defeated_card`)."""
    key = "defeated_recent"
    name = CLASS_NAMES.get(recent.weapon_class, recent.weapon_class)
    if not math.isfinite(recent.share) or recent.first is None or recent.last is None:
        text = f"The share of {name} stopped in the last {recent.months} months was not estimated."
        return pub.finding(key, text, unit="share", headline=headline)
    text = (
        f"About {_pct(recent.share)} of the {name} launched in the last {recent.months} months "
        f"({months_span(recent.first, recent.last)}) were reported stopped, "
        f"{plausibly(100 * recent.low, 100 * recent.high, '{:.0f}%')}."
    )
    return pub.finding(
        key,
        text,
        value=round(recent.share, 3),
        low=round(recent.low, 3),
        high=round(recent.high, 3),
        unit="share",
        headline=headline,
    )


# Reporting practice ----------------------------------------------------------------------------


def reporting_examples(
    waves: pd.DataFrame, strikes: pd.DataFrame, dates: Sequence[str] = REPORTING_EXAMPLE_DATES
) -> pd.DataFrame:
    """The strike-drone counts of the largest drone wave ending on each of ``dates``:
    ``date, launched, destroyed, not_reach_goal, defeat_rate, destroyed_only_rate``
    (dates without a drone wave are left out)."""
    frame = class_waves(waves, strikes, STRIKE_DRONE)
    rows = []
    for day in dates:
        same = frame[frame["date"] == pd.Timestamp(day)]
        if same.empty:
            continue
        wave = same.sort_values("launched", ascending=False, kind="stable").iloc[0]
        rows.append(
            {
                "date": pd.Timestamp(day).date(),
                "wave_id": int(wave["wave_id"]),
                "launched": int(wave["launched"]),
                "destroyed": int(wave["destroyed"]),
                "not_reach_goal": int(wave["not_reach_goal"]),
                "defeat_rate": wave["defeated"] / wave["launched"],
                "destroyed_only_rate": wave["kinetic"] / wave["launched"],
            }
        )
    columns = [
        "date",
        "wave_id",
        "launched",
        "destroyed",
        "not_reach_goal",
        "defeat_rate",
        "destroyed_only_rate",
    ]
    return pd.DataFrame(rows, columns=columns)


def reporting_practice(examples: pd.DataFrame, pub: Publisher) -> str:
    """Why the headline is the defeat rate: two nights reported in the two ways."""
    key = "reporting_practice"
    head = (
        "The headline measure is the defeat rate, (destroyed + not reaching their "
        "target) / launched, because the Air Force has reported drones lost to electronic "
        "warfare in two ways."
    )
    merged = examples[examples["not_reach_goal"] == 0]
    split = examples[examples["not_reach_goal"] > 0]
    if merged.empty or split.empty:
        text = head + (
            " The two example nights are not both in this release, so they are not shown."
        )
        return pub.finding(key, text, headline=False)
    a, b = merged.iloc[0], split.iloc[0]
    text = (
        f"{head} On the night ending {a['date']} the destroyed count, {a['destroyed']:,} "
        f"of {a['launched']:,} drones, already includes those suppressed, and none are "
        f"listed as not reaching their target; on {b['date']} {b['destroyed']:,} of "
        f"{b['launched']:,} are reported destroyed and {b['not_reach_goal']:,} more as "
        f"not reaching their target. Counting destroyed alone would give "
        f"{_pct(a['destroyed_only_rate'])} against {_pct(b['destroyed_only_rate'])}; the "
        f"defeat rate gives {_pct(a['defeat_rate'])} against {_pct(b['defeat_rate'])}, "
        "which compares like with like. The kinetic-only rate (destroyed / launched) is "
        "therefore shown only for drone waves that report the split. From "
        f"{DECOYS_FROM} the drone counts include decoys that the data do not separate: a "
        "decoy shot down or lost counts as defeated."
    )
    pub.number("reporting_example_dates", [str(a["date"]), str(b["date"])])
    return pub.finding(key, text, headline=False)


def split_reporting(waves: pd.DataFrame, strikes: pd.DataFrame, pub: Publisher) -> str:
    """How many drone waves of the period report the shot-down / lost split, and when."""
    key = "split_reporting"
    frame = class_waves(waves, strikes, STRIKE_DRONE)
    split = frame[frame["split_reported"]]
    if split.empty:
        text = (
            f"None of the {len(frame):,} drone waves in the period reports drones lost "
            "separately from those destroyed, so no kinetic-only drone rate is shown."
        )
        return pub.finding(key, text, value=0, unit="waves", headline=False)
    dates = split["date"].sort_values()
    low, high = dates.quantile(0.05), dates.quantile(0.95)
    first, last = month_text(low), month_text(high)
    when = (
        f"nearly all of them end in {first}"
        if first == last
        else f"nine in ten of them end between {first} and {last}"
    )
    text = (
        f"{len(split):,} of the {len(frame):,} drone waves in the period report drones lost "
        f"separately from those destroyed; {when}."
    )
    return pub.finding(key, text, value=len(split), unit="waves", headline=False)


# Numbers for tests and the landing page --------------------------------------------------------


def publish_numbers(salvo: ModelResult, interception: ModelResult, pub: Publisher) -> pd.DataFrame:
    """Record a few key figures (waves used, record-table length, classes modelled) and
    return them as a two-column table for display."""
    records = salvo.table("records")
    fits = interception.table("fits")
    numbers = {
        "waves": int(salvo.summary["waves"]),
        "timed_drone_waves": int(salvo.summary["timed_drone_waves"]),
        "timed_missile_waves": int(salvo.summary["timed_missile_waves"]),
        "records_per_measure": int(records.groupby("by").size().max()) if len(records) else 0,
        "classes_modelled": (
            fits.loc[fits["fitted"].astype(bool), "weapon_class"].drop_duplicates().tolist()
            if len(fits)
            else []
        ),
    }
    for key, value in numbers.items():
        pub.number(key, value)
    shown = {k: ", ".join(v) if isinstance(v, list) else f"{v:,}" for k, v in numbers.items()}
    return pd.DataFrame({"figure": list(shown), "value": list(shown.values())}).set_index("figure")


__all__ = [
    "REPORTING_EXAMPLE_DATES",
    "check_interception_classes",
    "doubling_detail",
    "doubling_details",
    "doubling_effect",
    "doubling_effects",
    "doubling_range",
    "doubling_ranges",
    "drone_record",
    "kinetic_drone_doubling",
    "median_growth",
    "median_growth_detail",
    "missile_record",
    "months_span",
    "overwhelm_verdict",
    "publish_numbers",
    "q90_growth",
    "recent_stopped",
    "reporting_examples",
    "reporting_practice",
    "size_verdict",
    "split_reporting",
]
