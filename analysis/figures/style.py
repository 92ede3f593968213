"""Shared chart furniture: title lines, the source credit, thousands and date axes, and the
hatching that marks a possibly incomplete month.

Every chart module builds on these, so that all the report's charts read alike.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.dates import DateFormatter, MonthLocator, YearLocator
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from analysis.data.labels import EVENTS_CREDIT, SOURCE_CREDIT

TITLE_CHARS = 112
#: A possibly incomplete month (:mod:`analysis.data.gaps`) is hatched in grey over its whole
#: span and the axes' height, so that the mark reads the same on bars, lines and areas.
INCOMPLETE_HATCH = "///"
INCOMPLETE_COLOUR = (0.0, 0.0, 0.0, 0.45)
INCOMPLETE_LEGEND = (
    "hatched: possibly incomplete months (a day with no report amid daily reports; "
    "totals may run low)"
)
_INCOMPLETE_GID = "incomplete:"


def credit(release: str, events: bool = False) -> str:
    """The source credit printed under a chart (with the event timeline when it is drawn)."""
    text = SOURCE_CREDIT.format(release=release)
    return f"{text}\n{EVENTS_CREDIT}" if events else text


def thousands(value: float, _pos: int | None = None) -> str:
    """Tick label with thousands separators."""
    return f"{value:,.0f}"


def set_title(fig: Figure, main: str, notes: Sequence[str]) -> None:
    """Title and subtitle lines, each note wrapped so that it fits the figure's width."""
    lines = [main] + [line for note in notes if note for line in textwrap.wrap(note, TITLE_CHARS)]
    fig.suptitle("\n".join(lines), x=0.01, ha="left", fontsize="large")


def set_credit(fig: Figure, release: str, events: bool = False) -> None:
    """The source credit under the chart, small and grey (see :func:`credit`)."""
    fig.supxlabel(credit(release, events), x=0.01, ha="left", fontsize="x-small", color="0.35")


def date_axis(
    ax: Axes, first: pd.Timestamp, last: pd.Timestamp, pad: bool = False, *, tick_day: int = 1
) -> None:
    """Years (with month ticks) for spans over two years, else months; limits to the span.

    Month labels of shorter spans sit on day ``tick_day`` of the month (15: under monthly
    bars drawn mid-month)."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months > 24:
        ax.xaxis.set_major_locator(YearLocator())
        ax.xaxis.set_major_formatter(DateFormatter("%Y"))
        ax.xaxis.set_minor_locator(MonthLocator())
        ax.tick_params(axis="x", which="minor", length=3, bottom=True)
        ax.tick_params(axis="x", which="major", length=6, bottom=True)
    else:
        step = 1 if months <= 12 else 3
        ax.xaxis.set_major_locator(MonthLocator(interval=step, bymonthday=tick_day))
        ax.xaxis.set_major_formatter(DateFormatter("%b\n%Y"))
        ax.tick_params(axis="x", which="major", length=4, bottom=True)
    margin = pd.Timedelta(days=max(3, (last - first).days // 80)) if pad else pd.Timedelta(0)
    ax.set_xlim(first - margin, last + margin)


def count_axis(
    ax: Axes,
    title: str | None = None,
    ylabel: str | None = None,
    *,
    nbins: int = 5,
    from_zero: bool = True,
) -> None:
    """A count axis: panel title on the left, whole-number ticks with thousands separators,
    no vertical grid, no left spine."""
    if title is not None:
        ax.set_title(title, loc="left", fontsize="medium")
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=nbins, integer=True))
    if from_zero:
        ax.set_ylim(bottom=0)
    ax.grid(axis="x", visible=False)
    sns.despine(ax=ax, left=True)


def _month_starts(values: Iterable) -> set[pd.Timestamp]:
    return {pd.Timestamp(v).to_period("M").start_time for v in values}


def hatch_months(ax: Axes, months: Iterable, shown: Iterable) -> list[pd.Timestamp]:
    """Hatch the span of each month of ``months`` that the chart shows (``shown``: any day of
    each month drawn), from its first day to the next month's, over the full height of ``ax``.

    Returns the months hatched, in order; each patch carries the gid ``incomplete:YYYY-MM``
    (see :func:`hatched_months`).
    """
    chosen = sorted(_month_starts(months) & _month_starts(shown))
    for month in chosen:
        ax.axvspan(
            month,
            month + pd.offsets.MonthBegin(1),
            facecolor="none",
            edgecolor=INCOMPLETE_COLOUR,
            hatch=INCOMPLETE_HATCH,
            linewidth=0,
            zorder=3,
            gid=f"{_INCOMPLETE_GID}{month:%Y-%m}",
        )
    return chosen


def incomplete_note(hatched: Sequence) -> str:
    """The subtitle note explaining the hatching, or '' when no month was hatched."""
    return INCOMPLETE_LEGEND if len(hatched) else ""


def hatched_months(fig: Figure) -> list[str]:
    """The months (``YYYY-MM``) hatched on ``fig``, once each, in drawing order."""
    seen: list[str] = []
    for ax in fig.axes:
        for patch in ax.patches:
            gid = patch.get_gid() or ""
            if gid.startswith(_INCOMPLETE_GID) and gid[len(_INCOMPLETE_GID) :] not in seen:
                seen.append(gid[len(_INCOMPLETE_GID) :])
    return seen
