"""Shared chart furniture: the report style, title and note lines, the source credit, thousands
and date axes, direct labels, and the hatching that marks a possibly incomplete month.

Every chart module builds on these, so that all the report's charts read alike: one chart per
figure, 6.4 inches wide (panels stacked under each other at that width), a title that states
the finding, notes and the source credit under the chart, every text at least 13 pt so that it
is still at least 11 px when the image is shown 400 px wide on a phone, and colours from
:mod:`analysis.figures.palette` only. The style is applied inside the chart functions
(:func:`report_figure`), never at import.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import Tick, XTick
from matplotlib.colors import to_hex, to_rgba, to_rgba_array
from matplotlib.dates import DateFormatter, MonthLocator, YearLocator
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from analysis.data.labels import EVENTS_CREDIT, SOURCE_CREDIT
from analysis.figures import palette
from analysis.findings.text import day_label, month_label  # noqa: F401 - the charts import them from here
from analysis.names import RELEASE
from analysis.vocabulary import MISSILE_CLASSES, UAV_CLASSES

#: Width of every chart, in inches; panels stack under each other at this width.
FIGURE_WIDTH = 6.4
#: The smallest text on a chart (ticks, labels, notes, the credit), in points: 13 pt on a
#: 6.4-inch figure is 11.3 px when the image is shown 400 px wide.
TEXT_PT = 13.0
#: A panel's title, and the chart's title (the finding).
PANEL_TITLE_PT = 14.0
TITLE_PT = 16.0
#: Displayed width of a phone screen, and the smallest text size in pixels readable on it.
PHONE_WIDTH_PX = 400
MIN_TEXT_PX = 11.0
#: Colour of notes, the credit and direct labels of context (a grey, never a concept colour).
NOTE_COLOUR = "0.3"
#: Matplotlib settings of the report style, on top of seaborn's ``whitegrid``.
REPORT_RC: dict[str, Any] = {
    "font.size": TEXT_PT,
    "axes.titlesize": PANEL_TITLE_PT,
    "axes.titlelocation": "left",
    "axes.labelsize": TEXT_PT,
    "xtick.labelsize": TEXT_PT,
    "ytick.labelsize": TEXT_PT,
    "legend.fontsize": TEXT_PT,
    "legend.title_fontsize": TEXT_PT,
    "figure.titlesize": TITLE_PT,
    "figure.labelsize": TEXT_PT,
}

#: A possibly incomplete month (:mod:`analysis.data.gaps`) is hatched in grey over its whole
#: span and the axes' height, so that the mark reads the same on bars, lines and areas.
INCOMPLETE_HATCH = "///"
INCOMPLETE_COLOUR = (0.0, 0.0, 0.0, 0.45)
INCOMPLETE_LEGEND = (
    "hatched: possibly incomplete months (a day with no report amid daily reports; "
    "totals may run low)"
)
_INCOMPLETE_GID = "incomplete:"
#: Where a figure keeps the notes and the credit that make up the text under the chart.
_FOOTER_ATTR = "_report_footer"


# The report style ---------------------------------------------------------------------------------


@contextmanager
def report_figure(height: float, *, width: float = FIGURE_WIDTH) -> Iterator[Figure]:
    """A :class:`Figure` (constrained layout, no pyplot state) built in the report style: the
    rc settings of :data:`REPORT_RC` hold while the chart is drawn inside the ``with`` block,
    and every axes keeps :data:`TEXT_PT` tick labels for ticks made later, at drawing time."""
    # matplotlib types rc keys as literals; REPORT_RC's keys are checked when it is applied.
    with sns.axes_style("whitegrid"), mpl.rc_context(cast(Any, REPORT_RC)):
        fig = Figure(figsize=(width, height), layout="constrained")
        yield fig
        for ax in fig.axes:
            ax.tick_params(axis="both", which="both", labelsize=TEXT_PT)


def credit(release: str, events: bool = False) -> str:
    """The source credit printed under a chart (with the event timeline when it is drawn)."""
    shown = day_label(release) if RELEASE.fullmatch(str(release)) else release
    text = SOURCE_CREDIT.format(release=shown)
    return f"{text}\n{EVENTS_CREDIT}" if events else text


def thousands(value: float, _pos: int | None = None) -> str:
    """Tick label with thousands separators."""
    return f"{value:,.0f}"


def panel_title(ax: Axes, text: str) -> None:
    """A panel's title, on the left, wrapped to the figure's width."""
    ax.set_title(text, loc="left", fontsize=PANEL_TITLE_PT, wrap=True)


def _footer(fig: Figure, *, notes: str | None = None, credit_text: str | None = None) -> None:
    """The text under the chart: the notes, then the source credit, wrapped to the width."""
    parts = dict(getattr(fig, _FOOTER_ATTR, {"notes": "", "credit": ""}))
    if notes is not None:
        parts["notes"] = notes
    if credit_text is not None:
        parts["credit"] = credit_text
    setattr(fig, _FOOTER_ATTR, parts)
    text = "\n".join(p for p in (parts["notes"], parts["credit"]) if p)
    fig.supxlabel(
        text, x=0.01, ha="left", fontsize=TEXT_PT, color=NOTE_COLOUR, wrap=True, linespacing=1.3
    )


def set_title(fig: Figure, main: str, notes: Sequence[str]) -> None:
    """The chart's title (its finding, in plain words) above the chart, and the notes that say
    how to read it under the chart, above the source credit; both wrap to the figure's width."""
    fig.suptitle(main, x=0.01, ha="left", fontsize=TITLE_PT, fontweight="bold", wrap=True)
    _footer(fig, notes="\n".join(note for note in notes if note))


def set_credit(fig: Figure, release: str, events: bool = False) -> None:
    """The source credit under the chart, in grey (see :func:`credit`)."""
    _footer(fig, credit_text=credit(release, events))


def footer_text(fig: Figure) -> str:
    """The text under the chart: its notes and the source credit."""
    label = getattr(fig, "_supxlabel", None)  # where matplotlib keeps the figure's x label
    return label.get_text() if label is not None else ""


# Colours and words ------------------------------------------------------------------------------

_CONCEPTS: dict[str, str] = {
    "drones": palette.DRONES,
    "missiles": palette.MISSILES,
    "iran": palette.IRAN,
    "iranian_design": palette.IRAN,
    "north_korea": palette.NORTH_KOREA,
    "north_korean": palette.NORTH_KOREA,
    "defeated": palette.DEFEATED,
    "got_through": palette.GOT_THROUGH,
}


def concept_colour(name: str) -> str:
    """The palette colour of a concept, headline group, weapon class or origin: drones (every
    drone class) blue, missiles (every missile class) vermillion, Iran orange, North Korea
    reddish purple, defeated bluish green, got through near black; anything else grey."""
    if name in _CONCEPTS:
        return _CONCEPTS[name]
    if name in UAV_CLASSES:
        return palette.DRONES
    if name in MISSILE_CLASSES:
        return palette.MISSILES
    return palette.NEUTRAL


#: Short plural names of groups, classes and origins for chart titles ("drones", "cruise
#: missiles"); the long names (:func:`analysis.data.labels.group_label`) title the panels.
SHORT_NAMES: dict[str, str] = {
    "drones": "drones",
    "missiles": "missiles",
    "strike_drone": "long-range strike drones",
    "tactical_strike_drone": "tactical strike drones",
    "recon_drone": "reconnaissance drones",
    "unidentified_drone": "unidentified drones",
    "cruise_missile": "cruise missiles",
    "ballistic_missile": "ballistic missiles",
    "sam_ground_attack": "S-300/S-400 missiles at ground targets",
    "unknown_missile": "unidentified missiles",
    "russia": "weapons of Russian design",
    "iran": "weapons of Iranian design",
    "north_korea": "North Korean missiles",
    "russia_or_north_korea": "Iskander-M/KN-23 missiles",
}


def short_name(group: str) -> str:
    """A group's short plural name for a title: ``drones``, ``cruise missiles``."""
    return SHORT_NAMES.get(group, group.replace("_", " "))


_FOLDS = {2: "doubled", 3: "tripled"}
_NUMBER_WORDS = {4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}


def change_words(before: float, after: float) -> str:
    """How a count changed, in words: ``doubled``, ``grew about fourfold``, ``rose by about
    40%``, ``fell by about 30%``, ``stayed about the same``; ``''`` without a finite base."""
    if not (math.isfinite(before) and math.isfinite(after)) or before <= 0:
        return ""
    ratio = after / before
    if ratio >= 1.95:
        fold = round(ratio)
        if abs(ratio - fold) < 0.15 and fold in _FOLDS:
            return _FOLDS[fold]
        return f"grew about {_NUMBER_WORDS.get(fold, str(fold))}fold"
    change = round(100 * (ratio - 1) / 5) * 5
    if change == 0:
        return "stayed about the same"
    return f"rose by about {change}%" if change > 0 else f"fell by about {-change}%"


def about(value: float) -> str:
    """A count rounded for a title: ``about 1,200`` (two significant figures from 100)."""
    if not math.isfinite(value):
        return "n/a"
    digits = max(0, len(str(int(abs(value)))) - 2)
    rounded = int(round(value, -digits))
    return f"{rounded:,}"


# Axes --------------------------------------------------------------------------------------------


def date_axis(
    ax: Axes, first: pd.Timestamp, last: pd.Timestamp, pad: bool = False, *, tick_day: int = 1
) -> None:
    """Years (with month ticks) for spans over two years, else months; limits to the span.

    Month labels of shorter spans sit on day ``tick_day`` of the month (15: under monthly
    bars drawn mid-month), every month up to half a year, every other month up to a year and
    every third month beyond, so that the labels stay apart at the report's text size."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months > 24:
        ax.xaxis.set_major_locator(YearLocator())
        ax.xaxis.set_major_formatter(DateFormatter("%Y"))
        ax.xaxis.set_minor_locator(MonthLocator())
        ax.tick_params(axis="x", which="minor", length=3, bottom=True)
        ax.tick_params(axis="x", which="major", length=6, bottom=True)
    else:
        step = 1 if months <= 6 else 2 if months <= 12 else 3
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
        panel_title(ax, title)
    if ylabel is not None:
        ax.set_ylabel(ylabel, fontsize=TEXT_PT)
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=nbins, integer=True))
    if from_zero:
        ax.set_ylim(bottom=0)
    ax.grid(axis="x", visible=False)
    sns.despine(ax=ax, left=True)


def spread(positions: Sequence[float], gap: float) -> list[float]:
    """``positions`` moved apart as little as possible so that neighbours are at least ``gap``
    apart, keeping their order (for direct labels that would overlap): labels that would
    overlap are set ``gap`` apart, centred where they would have been; of equal positions,
    the first given ends up highest."""
    order = sorted(range(len(positions)), key=lambda i: (positions[i], -i))
    clusters: list[list[int]] = []

    def start(cluster: list[int]) -> float:
        centre = float(np.mean([positions[i] for i in cluster]))
        return centre - (len(cluster) - 1) * gap / 2

    for i in order:
        clusters.append([i])
        while (
            len(clusters) > 1
            and start(clusters[-1]) < start(clusters[-2]) + len(clusters[-2]) * gap
        ):
            last = clusters.pop()
            clusters[-1].extend(last)
    out = [0.0] * len(positions)
    for cluster in clusters:
        first = start(cluster)
        for rank, i in enumerate(cluster):
            out[i] = first + rank * gap
    return out


def end_labels(ax: Axes, labels: Sequence[tuple[float, float, str, str]]) -> None:
    """Direct labels instead of a legend: each ``(x, y, text, colour)`` is written just right
    of the point at the end of its line, in the line's colour, moved apart vertically where
    labels would overlap. Call it after the axes' limits are set."""
    if not labels:
        return
    ax.get_xlim(), ax.get_ylim()  # brings autoscaled limits up to date before they are read
    to_axes = ax.transScale + ax.transLimits
    heights = [to_axes.transform((0.0, ax.yaxis.convert_units(y)))[1] for _, y, _, _ in labels]
    fig = ax.get_figure(root=True)
    # The axes' height before layout; titles and labels take about a quarter of it later.
    axes_inches = max(0.75 * ax.get_position().height * (fig.get_figheight() if fig else 4), 0.5)
    lines = max(text.count("\n") + 1 for _, _, text, _ in labels)
    gap = 1.25 * lines * TEXT_PT / 72 / axes_inches
    placed = np.array(spread(heights, gap))
    # Keep the labels inside the axes' height: move the whole group down (or up) if needed.
    placed -= max(placed.max() - (1 - gap / 2), 0.0)
    placed += max(gap / 2 - placed.min(), 0.0)
    for (x, _, text, colour), height in zip(labels, placed, strict=True):
        ax.annotate(
            text,
            (x, float(height)),
            xycoords=("data", "axes fraction"),
            xytext=(5, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=TEXT_PT,
            color=colour,
            annotation_clip=False,
        )


# Possibly incomplete months ----------------------------------------------------------------------


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
    """The note explaining the hatching, or '' when no month was hatched."""
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


# Checks of a finished chart --------------------------------------------------------------------


def _tick_in_view(tick: Tick) -> bool:
    """Whether ``tick`` lies inside its axis's view (ticks outside it keep a label that is
    never drawn)."""
    ax = tick.axes
    if ax is None:
        return True
    axis = ax.xaxis if isinstance(tick, XTick) else ax.yaxis
    low, high = sorted(axis.get_view_interval())
    slack = (high - low) * 1e-6
    return bool(low - slack <= tick.get_loc() <= high + slack)


def _shown_texts(artist: Artist) -> Iterator[Text]:
    """The visible, non-empty texts under ``artist``; nothing under an invisible artist or a
    tick outside the axis's view."""
    if not artist.get_visible():
        return
    if isinstance(artist, Tick) and not _tick_in_view(artist):
        return
    if isinstance(artist, Text) and artist.get_text().strip():
        yield artist
    for child in artist.get_children():
        yield from _shown_texts(child)


def smallest_text_px(fig: Figure, shown_width_px: float = PHONE_WIDTH_PX) -> float:
    """The size, in pixels, of the smallest visible text of ``fig`` (tick labels, labels,
    annotations, legend, title, notes and credit) when the image is shown ``shown_width_px``
    pixels wide; ``inf`` for a figure without text. The figure is drawn first (tick labels
    exist only once drawn)."""
    fig.draw_without_rendering()
    sizes = [text.get_fontsize() for text in _shown_texts(fig)]
    if not sizes:
        return math.inf
    pixels_per_inch = shown_width_px / fig.get_figwidth()
    return float(min(sizes)) / 72 * pixels_per_inch


def clipped_texts(fig: Figure) -> list[str]:
    """The visible texts of ``fig`` that run past its edges (more than a pixel), which a saved
    image would cut off."""
    fig.draw_without_rendering()  # every text keeps the renderer of this draw
    box = fig.bbox
    out = []
    for text in _shown_texts(fig):
        extent = text.get_window_extent()
        if (
            extent.x0 < box.x0 - 1
            or extent.x1 > box.x1 + 1
            or extent.y0 < box.y0 - 1
            or extent.y1 > box.y1 + 1
        ):
            out.append(text.get_text())
    return out


def _colours(artist: Artist) -> list:
    """Face and edge colours (RGBA rows) of a drawn mark; nothing for a fully transparent one."""
    getters = ("get_facecolor", "get_edgecolor", "get_color", "get_markerfacecolor")
    rows: list = []
    for name in getters:
        getter = getattr(artist, name, None)
        if getter is None:
            continue
        try:
            value = getter()
            if isinstance(value, str) and value in ("none", "None"):
                continue
            rows.extend(to_rgba_array(value))
        except (TypeError, ValueError):
            continue
    alpha = artist.get_alpha()
    return [row for row in rows if row[3] > 0 and (alpha is None or alpha > 0)]


def colours_used(fig: Figure) -> set[str]:
    """The colours (hex, without transparency) of every line, bar, area, marker and patch
    drawn in the axes of ``fig``; axes furniture (grid, spines, background) is left out."""
    found: set[str] = set()
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for artist in [*ax.lines, *ax.patches, *ax.collections]:
            if not artist.get_visible():
                continue
            for row in _colours(artist):
                found.add(to_hex(to_rgba(row), keep_alpha=False))
    return found


def is_grey(colour: str) -> bool:
    """Whether ``colour`` is white, black or a grey (equal red, green and blue)."""
    r, g, b, _ = to_rgba(colour)
    return abs(r - g) < 1e-3 and abs(g - b) < 1e-3


def use_report_style() -> None:
    """Render a notebook's charts crisp (PNG at twice the pixels, shown at their size); called
    once at the top of each report notebook."""
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("retina")
