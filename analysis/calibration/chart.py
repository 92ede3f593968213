"""The calibration chart: how often each interval held the planted truth, with its band, per
error process, against the nominal level.

Drawn on a bare matplotlib ``Figure`` (no pyplot state), in the report's manner: the title
states the finding, one colour per error process, the nominal level and the target marked
and labelled on the chart, one panel per nominal level stacked so it reads on a phone.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

#: Plain names and colours of the error processes (light to dark: more dependence).
PROCESS_NAMES = {
    "iid": "independent",
    "ar1_0.3": "some dependence",
    "ar1_0.5": "strong dependence",
}
PROCESS_COLOURS = {"iid": "#9e9e9e", "ar1_0.3": "#6baed6", "ar1_0.5": "#08519c"}
NOMINAL_COLOUR = "0.15"
TARGET_COLOUR = "#cb181d"
CREDIT = (
    "Simulated data with a planted truth, fitted with the project's own models; "
    "numbers in reports/calibration/calibration.csv"
)
TITLE_CHARS = 90


def headline(table: pd.DataFrame) -> str:
    """The chart's title: whether every headline 95% interval met its target (0.90) with
    strongly dependent errors, or which did not."""
    headline_rows = table["headline"].astype(str) != "False" if "headline" in table else True
    strong = table[
        (table["level"] == 0.95)
        & (table["process"] == "ar1_0.5")
        & (table["estimator"] != "toy_mean")
        & headline_rows
    ]
    if strong.empty:
        return "How often each interval held the true value in simulated data"
    short = strong.loc[~strong["meets_target"], "label"].tolist()
    if not short:
        return (
            "Every headline 95% interval held the true value at least 90% of the time, even "
            "with strongly dependent errors"
        )
    named = f": {', '.join(short)}" if len(short) <= 2 else ""
    return (
        f"{len(short)} of {len(strong)} headline 95% intervals held the true value less than "
        f"90% of the time with strongly dependent errors{named}"
    )


def calibration_chart(table: pd.DataFrame) -> Figure:
    """Coverage (dot) and its 95% band (line) per estimator and error process, one panel per
    nominal level, with the nominal level and the target drawn as labelled lines."""
    levels = sorted(table["level"].unique(), reverse=True)
    processes = [p for p in PROCESS_NAMES if p in set(table["process"])]
    rows = {lv: list(dict.fromkeys(table.loc[table["level"] == lv, "label"])) for lv in levels}
    height = 1.8 + sum(0.55 * len(rows[lv]) + 0.9 for lv in levels)
    fig = Figure(figsize=(7.5, max(height, 3.5)), layout="constrained")
    ratios = [len(rows[lv]) + 1.2 for lv in levels] or [1]
    axes = fig.subplots(len(ratios), 1, squeeze=False, height_ratios=ratios)[:, 0]
    low = float(np.nanmin(table["band_low"])) if len(table) else 0.5
    for ax, level in zip(axes, levels, strict=False):
        part = table[table["level"] == level]
        _panel(ax, part, rows[level], processes, float(level), min(low, 0.5) - 0.02)
    title = "\n".join(textwrap.wrap(headline(table), TITLE_CHARS))
    note = (
        "Dot: share of simulated data sets whose interval held the planted true value; "
        "line: its 95% band. Grey: independent errors; light blue: errors correlated 0.3 "
        "from one week (or wave) to the next; dark blue: correlated 0.5."
    )
    notes = "\n".join(textwrap.wrap(note, int(TITLE_CHARS * 1.15)))
    fig.suptitle(f"{title}\n{notes}", x=0.01, ha="left", fontsize="medium")
    fig.supxlabel(CREDIT, x=0.01, ha="left", fontsize="x-small", color="0.35")
    return fig


def _panel(
    ax, part: pd.DataFrame, labels: list[str], processes: list[str], level: float, left: float
) -> None:
    """One nominal level: a row per estimator, the processes side by side within it."""
    step = 0.25
    for k, process in enumerate(processes):
        rows = part[part["process"] == process].set_index("label").reindex(labels)
        y = np.arange(len(labels)) + (k - (len(processes) - 1) / 2) * step
        colour = PROCESS_COLOURS[process]
        ax.hlines(y, rows["band_low"], rows["band_high"], color=colour, linewidth=2)
        ax.plot(rows["coverage"], y, "o", color=colour, label=PROCESS_NAMES[process])
    target = level - 0.05
    ax.axvline(level, color=NOMINAL_COLOUR, linewidth=1)
    ax.axvline(target, color=TARGET_COLOUR, linewidth=1, linestyle="--")
    above = -0.85  # a line above the first row, clear of every band
    for x, text, colour, ha in (
        (level, f" claimed {level:.0%}", NOMINAL_COLOUR, "left"),
        (target, f"target {target:.0%} ", TARGET_COLOUR, "right"),
    ):
        ax.text(x, above, text, color=colour, va="center", ha=ha, fontsize="small")
    ax.set_yticks(np.arange(len(labels)), labels)
    ax.set_ylim(len(labels) - 0.5, -1.15)
    ax.set_xlim(left, 1.005)
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
    ax.set_xlabel(f"held the true value ({level:.0%} intervals)", fontsize="small")
    ax.grid(axis="x", color="0.9")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
