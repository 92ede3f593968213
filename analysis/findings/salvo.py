"""Findings of ``notebooks/03_salvo_and_interception.ipynb``: salvo size and interception.

Every function takes results computed in the run (:func:`analysis.models.salvo.salvo_model`,
:func:`analysis.models.interception.interception_model`, or the waves and strikes tables),
returns the report's sentence and records it on the run's
:class:`~analysis.results.Publisher`, so that no number in the prose is typed by hand.
Timing and size comparisons are described as associations, never as causes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.data.dates import day_text, month_text
from analysis.modelresult import ModelResult
from analysis.models.interception import CLASSES as INTERCEPTION_CLASSES
from analysis.models.interception import class_waves
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


def drone_record(salvo: ModelResult, pub: Publisher, *, headline: bool = True) -> str:
    """The largest drone wave of the period, and how often the record was broken."""
    return _record(salvo, pub, "drones", headline)


def missile_record(salvo: ModelResult, pub: Publisher, *, headline: bool = False) -> str:
    """The largest missile wave of the period, and how often the record was broken."""
    return _record(salvo, pub, "missiles", headline)


def _record(salvo: ModelResult, pub: Publisher, measure: str, headline: bool) -> str:
    key = f"record_{measure}_wave"
    row = _record_row(salvo, measure)
    if row is None:
        text = f"No wave in the period launched any {MEASURE_NOUNS[measure]}."
        return pub.finding(key, text, unit=measure, headline=headline)
    size, date = int(row[measure]), day_text(row["date"])
    if measure == "missiles":
        what = "missiles of all types"
    elif pd.Timestamp(row["date"]) >= pd.Timestamp(DECOYS_FROM):
        what = f"strike drones (Shahed/Geran type; decoys counted with them from {DECOYS_FROM})"
    else:
        what = "strike drones (Shahed/Geran type)"
    other = "missiles" if measure == "drones" else "drones"
    text = (
        f"The largest {measure[:-1]} wave in the period ended on {date}: {_count(size)} "
        f"{what} launched, with {_plural(row[other], other[:-1])}."
    )
    progression = salvo.table("record_progression")
    steps = progression[progression["measure"] == measure]
    if len(steps) > 1:
        times = "once" if len(steps) == 2 else f"{len(steps) - 1:,} times"
        text += (
            f" The record for one wave was raised {times} in the period, "
            f"from {_count(steps['record'].iloc[0])} on {day_text(steps['date'].iloc[0])}."
        )
    if not bool(row["time_known"]):
        text += " The reports of that wave give dates only, so it may pool several attacks."
    text += " These are counts as reported by the Air Force, so there is no interval."
    pub.number(f"record_{measure}", size)
    pub.number(f"record_{measure}_date", date)
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


def median_growth(
    salvo: ModelResult,
    pub: Publisher,
    measure: str = "drones",
    *,
    headline: bool = True,
    level: float = 0.95,
) -> str:
    """Growth of the median salvo per year (straight line), with the piecewise segments."""
    key = f"median_growth_{measure}"
    noun = MEASURE_NOUNS[measure]
    line = _slope_rows(salvo, measure, 0.5, "linear")
    if line.empty:
        text = f"Too few timed waves with {noun} in the period to fit a trend in the median salvo."
        return pub.finding(key, text, unit=f"{noun} per year", headline=headline)
    row = line.iloc[0]
    text = (
        f"The median timed wave with {noun} {_trend(row, noun, level)} on a straight line, "
        f"from {day_text(row['start'])} to {day_text(row['end'])} "
        f"({int(row['n_waves']):,} waves, quantile regression)."
    )
    pieces = _slope_rows(salvo, measure, 0.5, "piecewise")
    if len(pieces) > 1:
        parts = [
            f"{_slope(p['slope'])} a year from {day_text(p['start'])} to {day_text(p['end'])} "
            f"({_slope_ci(p, level)})"
            for _, p in pieces.iterrows()
        ]
        text += (
            " Allowing a bend at "
            + day_text(pieces["start"].iloc[1])
            + ": "
            + "; ".join(parts)
            + "."
        )
    if measure == "drones" and pd.Timestamp(row["end"]) >= pd.Timestamp(DECOYS_FROM):
        text += (
            f" From {DECOYS_FROM} decoys are inside the drone counts, so part of the "
            "growth is decoys."
        )
    text += _months_note(row)
    pub.number(f"{measure}_q50_slope", round(float(row["slope"]), 2))
    return pub.finding(key, text, **_slope_values(row), unit=f"{noun} per year", headline=headline)


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


def doubling_effect(
    interception: ModelResult,
    weapon_class: str,
    pub: Publisher,
    *,
    headline: bool = False,
    level: float = 0.95,
) -> str:
    """The defeat rate at the median salvo and at twice it, in plain words."""
    key = f"doubling_{weapon_class}"
    name = CLASS_NAMES.get(weapon_class, weapon_class)
    row = _effect_row(interception, weapon_class, "defeat")
    if row is None:
        n = _waves_fitted(interception, weapon_class, "defeat")
        count = f"only {n:,}" if n else "none"
        text = (
            f"Too few timed waves with {name} in the period ({count}) to model the defeat "
            "rate against salvo size."
        )
        return pub.finding(key, text, unit="percentage points", headline=headline)
    change, low, high = (
        float(row[c]) for c in ("change_points", "change_ci_low", "change_ci_high")
    )
    n = _waves_fitted(interception, weapon_class, "defeat")
    if low > 0:
        verdict = f"went with a defeat rate {_num(change)} percentage points higher"
    elif high < 0:
        verdict = (
            f"went with a defeat rate {_num(-change)} percentage points lower, the "
            "pattern saturation of the defences would produce"
        )
    else:
        verdict = f"went with no clear change in the defeat rate, {_num(change)} percentage points"
    interval = _ci(low, high, _num, level)
    if low <= 0 <= high:
        interval += ", an interval that includes zero"
    text = (
        f"{name.capitalize()}: a wave twice as large {verdict} ({interval}). This compares "
        f"the median timed wave ({_count(row['salvo'])} launched) with one twice as large "
        f"({_count(row['salvo_doubled'])}), both at the sample's median date "
        f"{day_text(row['reference_date'])}: a modelled rate of {_pct(row['rate'])} against "
        f"{_pct(row['rate_doubled'])} ({n:,} timed waves, beta-binomial regression with a "
        f"time trend).{_months_note(row)} {ASSOCIATION}"
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


def doubling_effects(
    interception: ModelResult, classes: Sequence[str], pub: Publisher, *, level: float = 0.95
) -> list[str]:
    """:func:`doubling_effect` for every class; the first class is marked as a headline."""
    return [
        doubling_effect(interception, c, pub, headline=i == 0, level=level)
        for i, c in enumerate(classes)
    ]


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
    "doubling_effect",
    "doubling_effects",
    "doubling_range",
    "doubling_ranges",
    "drone_record",
    "kinetic_drone_doubling",
    "median_growth",
    "missile_record",
    "publish_numbers",
    "q90_growth",
    "reporting_examples",
    "reporting_practice",
    "split_reporting",
]
