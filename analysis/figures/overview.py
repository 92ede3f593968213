"""The overview chart and display helpers of ``notebooks/01_data_overview.ipynb``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from analysis.data.labels import CLASS_LABELS
from analysis.data.overview import Period
from analysis.figures.style import (
    count_axis,
    date_axis,
    hatch_months,
    incomplete_note,
    set_credit,
    set_title,
)
from analysis.vocabulary import BALLISTIC_MISSILE, CRUISE_MISSILE, SAM_GROUND_ATTACK, STRIKE_DRONE

#: Classes drawn by default: the long-range campaign (drones on their own scale).
CHART_CLASSES: tuple[str, ...] = (
    STRIKE_DRONE,
    CRUISE_MISSILE,
    BALLISTIC_MISSILE,
    SAM_GROUND_ATTACK,
)


def thousands(table: pd.DataFrame) -> Styler:
    """The table styled for display with thousands separators on its integer columns."""
    ints = [c for c in table.columns if pd.api.types.is_integer_dtype(table[c])]
    return table.style.format("{:,}", subset=ints)


def _partial_months(period: Period | None) -> set[pd.Timestamp]:
    """Month starts that the period covers only in part (first or last month)."""
    if period is None:
        return set()
    partial = set()
    first = period.start or period.data_first
    last = period.end or period.data_last
    if first is not None and first.day != 1:
        partial.add(pd.Timestamp(first.replace(day=1)))
    if last is not None and (pd.Timestamp(last) + pd.Timedelta(days=1)).day != 1:
        partial.add(pd.Timestamp(last.replace(day=1)))
    return partial


def monthly_chart(
    monthly: pd.DataFrame,
    classes: Sequence[str] = CHART_CLASSES,
    *,
    release: str,
    period: Period | None = None,
    incomplete: Iterable[pd.Timestamp] = (),
) -> Figure:
    """Launches per month, one panel per class (each on its own scale), with a source credit.

    With ``period``, the subtitle names the dates shown and months it covers only in part
    are drawn lighter. The months of ``incomplete`` that are shown (possibly incomplete:
    :func:`analysis.data.gaps.possibly_incomplete`) are hatched, with a note saying why.
    """
    classes = list(classes)
    partial = _partial_months(period)
    first_month, last_month = monthly["month"].min(), monthly["month"].max()
    subtitle = "Kyiv dates; each panel has its own scale"
    if period is not None:
        first = period.start or period.data_first
        last = period.end or period.data_last
        subtitle = f"{first or 'first date'} to {last or 'last date'}; " + subtitle
    if partial & set(monthly["month"]):
        subtitle += "; lighter bars: months only partly covered"
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.9):
        fig = Figure(figsize=(10, 1.2 + 2.0 * len(classes)), layout="constrained")
        axes = fig.subplots(len(classes), 1, sharex=True, squeeze=False)[:, 0]
        colours = sns.color_palette("deep", len(classes))
        hatched: list[pd.Timestamp] = []
        for ax, weapon_class, colour in zip(axes, classes, colours, strict=True):
            data = monthly[monthly["weapon_class"] == weapon_class]
            middle = data["month"] + pd.Timedelta(days=14)
            bars = ax.bar(middle, data["launched"], width=27, color=colour)
            for bar, month in zip(bars, data["month"], strict=True):
                if month in partial:
                    bar.set_alpha(0.45)
            hatched = hatch_months(ax, incomplete, data["month"])
            count_axis(ax, CLASS_LABELS.get(weapon_class, weapon_class), "launched", nbins=4)
            if not data["launched"].any():
                ax.set_ylim(0, 1)
                ax.set_yticks([0])
                ax.text(
                    0.5,
                    0.5,
                    "none launched in this period",
                    transform=ax.transAxes,
                    ha="center",
                    va="center",
                    color="0.4",
                )
        if not monthly.empty:
            date_axis(axes[-1], first_month, last_month, tick_day=15)
            axes[-1].set_xlim(
                first_month - pd.Timedelta(days=5), last_month + pd.Timedelta(days=33)
            )
        set_title(fig, "Launches per month by weapon class", [subtitle, incomplete_note(hatched)])
        set_credit(fig, release)
    return fig
