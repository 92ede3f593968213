"""Findings of the data overview notebook: what the release holds, its largest waves, who
reported it, and where reports may be missing or counted twice.

Each finding is one or two plain sentences for the reader; the ``*_detail`` functions give the
technical rest (rules, flagged rows, every date) for the page's "Method and diagnostics" folds.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis.data.dates import MONTH_FORMAT
from analysis.data.overview import Processed, largest_wave
from analysis.data.reporters import NATIONAL, REPORTER_LABELS
from analysis.data.scope import NATIONWIDE_FALLBACK
from analysis.findings.text import day_label, month_label
from analysis.results import Publisher
from analysis.vocabulary import ALL_SCOPE, NATIONAL_SCOPE

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def number_word(n: int) -> str:
    """A count as a reader writes it: words up to ten (``four``; ``no`` for zero), digits
    above."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else f"{n:,}"


def listing(items: list[str]) -> str:
    """Items joined as a sentence does: ``a``, ``a and b``, ``a, b and c``."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _whose(scope: str, strikes: pd.DataFrame) -> str:
    """Whose counts ``strikes`` holds, in words: the national summary (and the few attacks
    that only a nationwide account reported) or every reporter."""
    if scope == ALL_SCOPE:
        return "They come from every reporter's posts, so some attacks are counted twice."
    reporters = strikes["reporter"] if "reporter" in strikes.columns else pd.Series(dtype=str)
    text = "They come from the Air Force's national summary"
    if reporters.isin(NATIONWIDE_FALLBACK).any():
        text += (
            ", plus a few attacks that only the commander-in-chief or the General Staff reported"
        )
    return text + "."


def coverage_finding(
    pub: Publisher,
    data: Processed,
    strikes: pd.DataFrame,
    first: dt.date | str | None = None,
    last: dt.date | str | None = None,
) -> str:
    """What the page counts: the launches in ``strikes`` between ``first`` and ``last`` (the
    period shown; None: the release's first or last date), and whose counts they are."""
    q = data.quality
    launched = int(strikes["launched"].fillna(0).sum())
    start, end = first or q["first_date"], last or q["last_date"]
    text = (
        f"This page counts {launched:,} drones and missiles launched at Ukraine from "
        f"{day_label(start)} to {day_label(end)}. {_whose(data.scope, strikes)}"
    )
    pub.number("rows_read", q["rows_read"])
    pub.number("launched_in_period", launched)
    return pub.finding("coverage", text, value=launched, unit="launches", headline=False)


def integrity_finding(pub: Publisher, quality: dict, unmapped: list[str]) -> str:
    """Whether processing kept every launch of the source file and placed every weapon name
    in a class (``unmapped``: the names it could not place)."""
    raw, kept = int(quality["launched_total_raw"]), int(quality["launched_total_processed"])
    if raw == kept:
        text = f"All {raw:,} launches in the source's daily file are still counted after processing"
    else:
        text = f"Processing counts {kept:,} of the {raw:,} launches in the source's daily file"
    if unmapped:
        names = number_word(len(unmapped))
        text += f"; {names} weapon name{'s' if len(unmapped) != 1 else ''} could not be placed"
        text += " in a weapon class."
    else:
        text += ", and every weapon name in it is placed in a weapon class."
    pub.number("launched_raw", raw)
    pub.number("unmapped_models", len(unmapped))
    return pub.finding("integrity", text, value=kept, unit="launches", headline=False)


def record_wave_finding(pub: Publisher, waves: pd.DataFrame) -> str:
    """The largest drone wave in the period, with its missiles."""
    top = largest_wave(waves)
    if top is None:
        return pub.finding(
            "record_wave", "No drone attack falls in the period shown.", headline=False
        )
    text = (
        f"The largest attack in the period ended on {day_label(top['date'])}: "
        f"{int(top['drones_launched']):,} long-range strike drones (decoys included) and "
        f"{int(top['missiles_launched']):,} missiles, as reported by the Air Force."
    )
    pub.number("record_wave_date", str(top["date"]))
    pub.number("record_wave_drones", int(top["drones_launched"]))
    return pub.finding(
        "record_wave", text, value=int(top["drones_launched"]), unit="drones", headline=False
    )


def reporters_table(quality: dict) -> pd.DataFrame:
    """Strike rows and launches per reporter over the whole release, with the rows and launches
    that the double-count rule flags: ``reporter, rows, launched, flagged_rows,
    flagged_launched``."""
    flagged = quality["possible_double_counts"]["by_reporter"]
    rows = [
        {
            "reporter": REPORTER_LABELS.get(name, name),
            "rows": int(count),
            "launched": int(quality["launched_per_reporter"].get(name, 0)),
            "flagged_rows": int(flagged.get(name, {}).get("rows", 0)),
            "flagged_launched": int(flagged.get(name, {}).get("launched", 0)),
        }
        for name, count in quality["rows_per_reporter"].items()
        if count
    ]
    return pd.DataFrame(rows)


def double_count_finding(pub: Publisher, quality: dict) -> str:
    """The national count of the whole release, the part of it from other nationwide accounts,
    and what adding every reporter would give."""
    per_reporter = quality["launched_per_reporter"]
    summary = int(per_reporter.get(NATIONAL, 0))
    per_scope = quality.get("launched_per_scope", {})
    national = int(per_scope.get(NATIONAL_SCOPE, summary))
    every = int(per_scope.get(ALL_SCOPE, sum(int(v) for v in per_reporter.values())))
    text = f"Over the whole record, the Air Force's national summary reports {summary:,} launches"
    if national > summary:
        text += (
            f", and the commander-in-chief or the General Staff {national - summary:,} more on "
            f"nights the summary did not post: {national:,} in all"
        )
    text += f". Adding every reporter's posts would give {every:,}, counting many attacks twice."
    counts = quality["possible_double_counts"]
    pub.number("launched_national", summary)
    pub.number("launched_other_reporters", every - summary)
    pub.number("possible_double_count_rows", int(counts["rows"]))
    pub.number("possible_double_count_launched", int(counts["launched"]))
    return pub.finding("reporters", text, value=national, unit="launches", headline=False)


def double_count_detail(quality: dict) -> str:
    """The rows the double-count rule flags over the whole release, and the rule itself."""
    counts = quality["possible_double_counts"]
    rule = f"{counts['rule'][0].lower()}{counts['rule'][1:]}"
    return (
        f"{counts['rows']:,} rows with {counts['launched']:,} launches are flagged as possible "
        f"double counts: {rule}"
    )


def material_months(comparison: pd.DataFrame) -> pd.DataFrame:
    """The months whose headline totals differ materially between the two scopes, for display:
    ``month, group, national, all, difference``."""
    rows = comparison.loc[comparison["material"]].copy()
    rows["month"] = pd.to_datetime(rows["month"]).dt.strftime(MONTH_FORMAT)
    return rows.loc[:, ["month", "group", "national", "all", "difference"]].reset_index(drop=True)


def scope_finding(pub: Publisher, comparison: pd.DataFrame) -> str:
    """Where counting every reporter and counting the national summary alone part ways."""
    material = comparison.loc[comparison["material"]]
    per_group = material.groupby("group").size()
    if material.empty:
        text = (
            "In the period shown, counting every reporter instead would give the same monthly "
            "totals, or change them by less than 2%."
        )
    else:
        parts = [f"{int(per_group.get(g, 0))} for {g}" for g in ("drones", "missiles")]
        total = len(material)
        text = (
            f"Counting every reporter instead would raise {total} monthly "
            f"total{'s' if total != 1 else ''} of the period shown by 2% or more (and by at "
            f"least 10 launches): {listing(parts)}."
        )
    pub.number("scope_material_months", len(material))
    return pub.finding("scope", text, value=len(material), unit="group-months", headline=False)


def gaps_finding(pub: Publisher, quality: dict) -> str:
    """The days without any report amid dense reporting, and the months they leave low."""
    gaps = quality["reporting_gaps"]
    days, months = gaps["days"], gaps["possibly_incomplete_months"]
    if not days:
        text = "No day is missing its report amid near-daily reporting in this release."
    else:
        first, last = month_label(min(days)), month_label(max(days))
        span = f"in {first}" if first == last else f"between {first} and {last}"
        one = len(days) == 1
        count = f"{number_word(len(days)).capitalize()} day{'' if one else 's'}"
        text = (
            f"{count} {span} {'has' if one else 'have'} no report at all although the weeks "
            f"around {'it' if one else 'them'} were reported almost daily, so the totals of "
            f"{number_word(len(months))} month{'' if len(months) == 1 else 's'} may run low "
            "(hatched in the charts, starred in the tables). A declared truce can also leave a "
            "day empty."
        )
    pub.number("reporting_gap_days", len(days))
    return pub.finding("reporting_gaps", text, value=len(days), unit="days", headline=False)


def gaps_detail(quality: dict) -> str:
    """The rule that finds reporting gaps, every day it finds and the months they fall in."""
    gaps = quality["reporting_gaps"]
    rule = f"The rule flags {gaps['rule']}."
    if not gaps["days"]:
        return f"{rule} It flags no day in this release."
    days = listing([day_label(d) for d in gaps["days"]])
    months = listing([month_label(f"{m}-01") for m in gaps["possibly_incomplete_months"]])
    return f"{rule} Days flagged: {days}. Months possibly incomplete: {months}."
