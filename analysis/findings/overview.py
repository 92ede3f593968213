"""Findings of the data overview notebook: what the release holds, its largest waves, who
reported it, and where reports may be missing or counted twice."""

from __future__ import annotations

import pandas as pd

from analysis.data.dates import MONTH_FORMAT
from analysis.data.overview import Processed, largest_wave
from analysis.data.reporters import NATIONAL, REPORTER_LABELS
from analysis.results import Publisher


def coverage_finding(pub: Publisher, data: Processed, strikes: pd.DataFrame) -> str:
    """How much the release (within the period) holds."""
    q = data.quality
    launched = int(strikes["launched"].fillna(0).sum())
    text = (
        f"Release {data.release} holds {q['rows_read']:,} Air Force report rows from "
        f"{q['first_date']} to {q['last_date']}; the period shown counts {launched:,} "
        f"launched drones and missiles of all kinds, every raw launch kept after processing "
        f"({q['launched_total_raw']:,} = {q['launched_total_processed']:,})."
    )
    pub.number("rows_read", q["rows_read"])
    pub.number("launched_in_period", launched)
    return pub.finding("coverage", text, value=launched, unit="launches", headline=False)


def record_wave_finding(pub: Publisher, waves: pd.DataFrame) -> str:
    """The largest drone wave in the period, with its missiles."""
    top = largest_wave(waves)
    if top is None:
        return pub.finding(
            "record_wave", "No drone wave falls in the period shown.", headline=False
        )
    text = (
        f"The largest wave in the period ended on {top['date']}: {int(top['drones_launched']):,} "
        f"long-range strike drones (decoys included) and {int(top['missiles_launched']):,} "
        f"missiles, as reported by the Air Force."
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
    """How many rows and launches other reporters add, and how many the rule flags."""
    counts = quality["possible_double_counts"]
    national = int(quality["launched_per_reporter"].get(NATIONAL, 0))
    others = sum(int(v) for k, v in quality["launched_per_reporter"].items() if k != NATIONAL)
    text = (
        f"The national summary of the Air Force reports {national:,} launches in this release; "
        f"other reporters (air commands, the General Staff and others) add {others:,}, some of "
        f"them the same attacks. {counts['rows']:,} rows with {counts['launched']:,} launches "
        f"are flagged as possible double counts: {counts['rule'][0].lower()}"
        f"{counts['rule'][1:]}"
    )
    pub.number("launched_national", national)
    pub.number("launched_other_reporters", others)
    pub.number("possible_double_count_rows", int(counts["rows"]))
    pub.number("possible_double_count_launched", int(counts["launched"]))
    return pub.finding(
        "reporters", text, value=int(counts["launched"]), unit="launches", headline=False
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
            "In the period shown, counting every reporter and counting the national summary "
            "alone give the same monthly totals, or differ by less than 2%."
        )
    else:
        parts = [f"{int(per_group.get(g, 0))} for {g}" for g in ("drones", "missiles")]
        text = (
            "Counting every reporter instead of the national summary alone changes the monthly "
            f"totals materially (at least 2% and 10 launches) in {len(material)} group-months "
            f"of the period shown ({', '.join(parts)}); the table lists both counts."
        )
    pub.number("scope_material_months", len(material))
    return pub.finding("scope", text, value=len(material), unit="group-months", headline=False)


def gaps_finding(pub: Publisher, quality: dict) -> str:
    """The days without any report amid dense reporting, and the months they leave low."""
    gaps = quality["reporting_gaps"]
    days, months = gaps["days"], gaps["possibly_incomplete_months"]
    if not days:
        text = f"No reporting gap in this release ({gaps['rule']})."
    else:
        text = (
            f"{len(days)} days have no report at all amid dense reporting ({gaps['rule']}): "
            f"{', '.join(days)}. Their months ({', '.join(months)}) are possibly incomplete: "
            "their totals may run low. A declared truce can also leave a day empty."
        )
    pub.number("reporting_gap_days", len(days))
    return pub.finding("reporting_gaps", text, value=len(days), unit="days", headline=False)
