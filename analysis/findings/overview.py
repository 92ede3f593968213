"""Findings of the data overview notebook: what the release holds and its largest waves."""

from __future__ import annotations

import pandas as pd

from analysis.data.overview import Processed
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
    if waves.empty or waves["drones_launched"].max() == 0:
        return pub.finding(
            "record_wave", "No drone wave falls in the period shown.", headline=False
        )
    top = waves.sort_values(["drones_launched", "start"], ascending=[False, True]).iloc[0]
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
