"""The overview chart and display helpers of ``notebooks/01_data_overview.ipynb``."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from analysis.data.labels import CLASS_LABELS
from analysis.data.overview import Period
from analysis.figures.style import (
    NOTE_COLOUR,
    change_words,
    concept_colour,
    count_axis,
    date_axis,
    day_label,
    hatch_months,
    incomplete_note,
    month_label,
    report_figure,
    set_credit,
    set_title,
    short_name,
)
from analysis.vocabulary import BALLISTIC_MISSILE, CRUISE_MISSILE, SAM_GROUND_ATTACK, STRIKE_DRONE

#: Display names of the waves table's columns (:func:`analysis.data.overview.biggest_waves`).
WAVE_COLUMNS: dict[str, str] = {
    "rank": "Rank",
    "date": "Date (attack ended)",
    "start": "Start (Kyiv time)",
    "end": "End (Kyiv time)",
    "time_known": "Time of day reported",
    "drones_launched": "Drones launched",
    "drones_destroyed": "Drones shot down",
    "missiles_launched": "Missiles launched",
    "missiles_destroyed": "Missiles shot down",
}

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


@dataclass(frozen=True)
class Folded:
    """Content a reader opens on demand: a collapsed block titled ``summary`` holding
    ``parts`` (tables or anything else with ``_repr_html_``; text becomes a paragraph)."""

    summary: str
    parts: tuple = ()

    def _repr_html_(self) -> str:
        inner = "".join(
            part._repr_html_() if hasattr(part, "_repr_html_") else f"<p>{html.escape(part)}</p>"
            for part in self.parts
            if part
        )
        return (
            f'<details class="reader-fold"><summary>{html.escape(self.summary)}</summary>'
            f"{inner}</details>"
        )


def folded(summary: str, *parts) -> Folded:
    """``parts`` in a collapsed block titled ``summary`` (a long table a reader may skip)."""
    return Folded(summary, tuple(parts))


def monthly_caption(monthly: pd.DataFrame, incomplete: Iterable[pd.Timestamp] = ()) -> str:
    """The monthly chart's caption in plain words, naming the hatching when a possibly
    incomplete month is shown."""
    text = "Drones and missiles launched each month, one panel per weapon class on its own scale."
    shown = set(pd.to_datetime(monthly["month"]))
    if shown & {pd.Timestamp(m) for m in incomplete}:
        text += " Hatched months hold a day without any report, so their totals may run low."
    return text


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


def _year_totals(data: pd.DataFrame, partial: set[pd.Timestamp]) -> pd.Series:
    """Launches per calendar year, for the years whose twelve months are all shown whole."""
    months = data[~data["month"].isin(partial)]
    years = months.groupby(months["month"].dt.year)
    totals = years["launched"].sum()
    return totals[years["month"].nunique() == 12]


def monthly_title(
    monthly: pd.DataFrame, weapon_class: str, partial: Iterable[pd.Timestamp] = ()
) -> str:
    """The chart's finding for ``weapon_class``: the change between the last two whole
    calendar years shown ("Launches of long-range strike drones grew about fivefold from 2024
    to 2025 (10,970 to 54,702)"), else the busiest month."""
    data = monthly[monthly["weapon_class"] == weapon_class]
    noun = short_name(weapon_class)
    if data.empty or not data["launched"].any():
        return f"No {noun} launched in this period"
    totals = _year_totals(data, set(partial))
    if len(totals) >= 2:
        (y1, before), (y2, after) = list(totals.items())[-2:]
        words = change_words(float(before), float(after))
        if words:
            return (
                f"Launches of {noun} {words} from {y1} to {y2} ({int(before):,} to {int(after):,})"
            )
    peak = data.loc[data["launched"].idxmax()]
    return (
        f"The busiest month: {int(peak['launched']):,} {noun} launched in "
        f"{month_label(peak['month'])}"
    )


def monthly_chart(
    monthly: pd.DataFrame,
    classes: Sequence[str] = CHART_CLASSES,
    *,
    release: str,
    period: Period | None = None,
    incomplete: Iterable[pd.Timestamp] = (),
) -> Figure:
    """Launches per month, one panel per class stacked at full width (each on its own scale,
    in its concept's colour), titled with the change of the first class between the last two
    whole years shown, with a source credit.

    With ``period``, the notes name the dates shown and months it covers only in part
    are drawn lighter. The months of ``incomplete`` that are shown (possibly incomplete:
    :func:`analysis.data.gaps.possibly_incomplete`) are hatched, with a note saying why.
    """
    classes = list(classes)
    partial = _partial_months(period)
    first_month, last_month = monthly["month"].min(), monthly["month"].max()
    notes = ["Kyiv dates; each panel has its own scale"]
    if period is not None:
        first = period.start or period.data_first
        last = period.end or period.data_last
        shown = f"{day_label(first) if first else 'first date'} to "
        shown += day_label(last) if last else "last date"
        notes = [f"{shown}; " + notes[0]]
    if partial & set(monthly["month"]):
        notes[0] += "; lighter bars: months only partly covered"
    with report_figure(1.9 + 2.3 * max(len(classes), 1)) as fig:
        axes = fig.subplots(max(len(classes), 1), 1, sharex=True, squeeze=False)[:, 0]
        hatched: list[pd.Timestamp] = []
        for ax, weapon_class in zip(axes, classes, strict=False):
            data = monthly[monthly["weapon_class"] == weapon_class]
            middle = data["month"] + pd.Timedelta(days=14)
            bars = ax.bar(middle, data["launched"], width=27, color=concept_colour(weapon_class))
            for bar, month in zip(bars, data["month"], strict=True):
                if month in partial:
                    bar.set_alpha(0.45)
            hatched = hatch_months(ax, incomplete, data["month"])
            title = CLASS_LABELS.get(weapon_class, weapon_class)
            count_axis(ax, title, "launched per month", nbins=4)
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
                    color=NOTE_COLOUR,
                )
        if not monthly.empty:
            date_axis(axes[-1], first_month, last_month, tick_day=15)
            axes[-1].set_xlim(
                first_month - pd.Timedelta(days=5), last_month + pd.Timedelta(days=33)
            )
        title = monthly_title(monthly, classes[0], partial) if classes else "Launches per month"
        set_title(fig, title, [*notes, incomplete_note(hatched)])
        set_credit(fig, release)
    return fig
