"""Charts and display tables of massed attacks and of what got through (notebook 03).

The charts take the monthly tables of :func:`analysis.data.attacks.massed_series` and
:func:`analysis.data.series.got_through`; their titles are the findings of
:mod:`analysis.findings.attacks`. They are drawn in the report style of
:mod:`analysis.figures.style` (full width, panels one under the other, large text, direct
labels): massed attacks, which mix drones and missiles, in the palette's neutral grey, and what
got through in its near black, the colour of "got through" on every chart. Months only partly
inside the period are drawn lighter and labelled ``(part)``; possibly incomplete months are
hatched in charts and marked ``*`` in tables (:mod:`analysis.data.gaps`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from analysis.data.dates import months_text
from analysis.data.gaps import mark_months
from analysis.data.labels import CLASS_LABELS
from analysis.figures import palette
from analysis.figures.style import (
    NOTE_COLOUR,
    TEXT_PT,
    count_axis,
    date_axis,
    end_labels,
    hatch_months,
    incomplete_note,
    report_figure,
    set_credit,
    set_title,
)
from analysis.findings.attacks import got_through_title, massed_title, rule_text
from analysis.findings.salvo import CLASS_NAMES

#: Massed attacks mix drones and missiles, so they take the neutral grey, not a class colour.
MASSED_COLOUR = palette.NEUTRAL
#: What got through (launched and not reported stopped) is near black on every chart.
GOT_THROUGH_COLOUR = palette.GOT_THROUGH
#: Opacity of a month only partly inside the period, against 1 for a whole month.
PARTIAL_ALPHA = 0.4
_HALF_MONTH = pd.Timedelta(days=14)
_BAR_DAYS = 27
#: Shown for a missing value in the display tables.
MISSING = "–"


def _month_labels(periods: pd.Series, complete: pd.Series) -> pd.Series:
    """``YYYY-MM`` labels, ``(part)`` added for a month only partly inside the period."""
    labels = months_text(periods)
    return labels.where(complete.astype(bool).to_numpy(), labels + " (part)")


def _empty(ax: Axes, message: str) -> None:
    ax.set_ylim(0, 1)
    ax.set_yticks([0])
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", color=NOTE_COLOUR)


def _span(periods: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First day of the first month and of the month after the last."""
    return periods.min(), periods.max() + pd.offsets.MonthBegin(1)


# Massed attacks ----------------------------------------------------------------------------------


def _massed_sizes(ax: Axes, frame: pd.DataFrame, middle: pd.Series) -> list[tuple]:
    """Largest (circles) and median (dots, drawn over them) massed attack per month; returns
    their direct labels, for the last month with a massed attack (see
    :func:`analysis.figures.style.end_labels`)."""
    with_massed = frame["massed"] > 0
    if not with_massed.any():
        return []
    x = middle[with_massed]
    for column, face in (("massed_largest", "white"), ("massed_median", MASSED_COLOUR)):
        ax.plot(
            x,
            frame.loc[with_massed, column],
            "o",
            color=MASSED_COLOUR,
            markerfacecolor=face,
            markersize=7,
        )
    at = with_massed[with_massed].index[-1]
    return [
        (middle[at], float(frame.loc[at, "massed_largest"]), "largest", NOTE_COLOUR),
        (middle[at], float(frame.loc[at, "massed_median"]), "median", NOTE_COLOUR),
    ]


def massed_chart(
    monthly: pd.DataFrame,
    *,
    release: str,
    rule: str,
    fixed_size: int,
    incomplete: Iterable[pd.Timestamp] = (),
) -> Figure:
    """Massed attacks per month (bars) and the size of a massed attack (median and largest),
    titled with the finding of :func:`analysis.findings.attacks.massed_title`.

    ``monthly`` is :func:`analysis.data.attacks.massed_series` with ``freq="M"``; ``rule``
    and ``fixed_size`` are what classified the waves (named in the subtitle).
    """
    frame = monthly.sort_values("period").reset_index(drop=True)
    middle = frame["period"] + _HALF_MONTH
    with report_figure(8.8) as fig:
        top, bottom = fig.subplots(2, 1, sharex=True)
        bars = top.bar(middle, frame["massed"], width=_BAR_DAYS, color=MASSED_COLOUR)
        for bar, whole in zip(bars, frame["complete"], strict=True):
            if not whole:
                bar.set_alpha(PARTIAL_ALPHA)
        count_axis(top, "Massed attacks per month", "attacks", nbins=4)
        labels = _massed_sizes(bottom, frame, middle)
        count_axis(
            bottom,
            "Size of a massed attack: the month's median and largest",
            "drones and missiles",
            nbins=4,
        )
        end_labels(bottom, labels)
        if not frame["massed"].any():
            _empty(bottom, "no massed attack in this period")
        hatched: list[pd.Timestamp] = []
        for ax in (top, bottom):
            hatched = hatch_months(ax, incomplete, frame["period"])
        if not frame.empty:
            date_axis(bottom, *_span(frame["period"]), tick_day=15)
        set_title(
            fig,
            massed_title(frame),
            [
                f"Massed: {rule_text(rule, fixed_size)}",
                "Size: long-range strike drones plus missiles launched in one wave; open "
                "circles: the month's largest massed attack, dots: its median",
                "Kyiv months; lighter bars: months only partly covered",
                incomplete_note(hatched),
            ],
        )
        set_credit(fig, release)
    return fig


def massed_table(monthly: pd.DataFrame, incomplete: Iterable[pd.Timestamp] = ()) -> pd.DataFrame:
    """Per month: massed attacks, routine waves, the median and largest massed attack (empty
    without one) and the share of launches in massed attacks; months only partly inside the
    period read ``(part)``, possibly incomplete ones end in ``*``."""
    frame = monthly.sort_values("period").reset_index(drop=True)
    none = frame["massed"] == 0
    out = pd.DataFrame(
        {
            "month": _month_labels(frame["period"], frame["complete"]).to_numpy(),
            "massed attacks": frame["massed"].astype("int64").to_numpy(),
            "routine waves": (frame["waves"] - frame["massed"]).astype("int64").to_numpy(),
            "median massed attack": frame["massed_median"].astype("Float64"),
            "largest massed attack": frame["massed_largest"].astype("Int64").mask(none),
            "share of launches in massed attacks": frame["massed_share"].astype("Float64"),
        }
    )
    return mark_months(out, incomplete, "month")


# What got through --------------------------------------------------------------------------------


def _band(ax: Axes, data: pd.DataFrame, colour) -> None:
    """Each month's band between the two bounds, with both bounds as lines; months only
    partly inside the period lighter."""
    alphas = [1.0 if whole else PARTIAL_ALPHA for whole in data["complete"].astype(bool)]
    lower, upper = data["got_through"], data["got_through_upper"]
    bars = ax.bar(
        data["period"] + _HALF_MONTH,
        upper - lower,
        bottom=lower,
        width=_BAR_DAYS,
        color=colour,
        linewidth=0,
    )
    for bar, alpha in zip(bars, alphas, strict=True):
        bar.set_alpha(0.35 * alpha)
    starts = data["period"] + pd.Timedelta(days=1)
    ends = starts + pd.Timedelta(days=_BAR_DAYS)
    colours = [(*to_rgb(colour), alpha) for alpha in alphas]
    for values in (lower, upper):
        ax.hlines(values, starts, ends, colors=colours, linewidth=1.4)


def _pair_label(ax: Axes, label: str, xy: tuple, va: str, offset: float, colour) -> None:
    """A direct label ``offset`` points above (``va="bottom"``) or below (``"top"``) a point."""
    ax.annotate(
        label,
        xy,
        xytext=(0, offset if va == "bottom" else -offset),
        textcoords="offset points",
        ha="center",
        va=va,
        fontsize=TEXT_PT,
        color=colour,
    )


def _label_bounds(ax: Axes, data: pd.DataFrame, colour) -> None:
    """``upper bound`` above and ``lower bound`` below the month where they are furthest
    apart (nothing when they never differ)."""
    width = data["got_through_upper"] - data["got_through"]
    if width.max() <= 0:
        return
    widest = width.idxmax()
    x = data.loc[widest, "period"] + _HALF_MONTH
    for column, label, va in (
        ("got_through_upper", "upper bound", "bottom"),
        ("got_through", "lower bound", "top"),
    ):
        _pair_label(ax, label, (x, data.loc[widest, column]), va, 4, colour)


def _classes(through: pd.DataFrame) -> list[str]:
    """The weapon classes of a ``got_through`` table, in their order."""
    return list(dict.fromkeys(through["weapon_class"]))


def _class_panels(fig: Figure, classes: Sequence[str]) -> list[Axes]:
    """One panel per class, one under the other, sharing the month axis."""
    return list(fig.subplots(max(len(classes), 1), 1, sharex=True, squeeze=False)[:, 0])


def _class_rows(through: pd.DataFrame, weapon_class: str) -> pd.DataFrame:
    """One class's months, in order."""
    rows = through[through["weapon_class"] == weapon_class]
    return rows.sort_values("period").reset_index(drop=True)


def got_through_chart(
    through: pd.DataFrame,
    *,
    release: str,
    incomplete: Iterable[pd.Timestamp] = (),
) -> Figure:
    """Per month and class, the band of what was not reported stopped: from launched minus
    shot down minus lost locally (lower) to launched minus shot down (upper), in the "got
    through" colour; one panel per class under each other, each on its own scale, titled with
    :func:`analysis.findings.attacks.got_through_title`.

    ``through`` is :func:`analysis.data.series.got_through` by class with ``freq="M"``.
    """
    classes = _classes(through)
    with report_figure(3.4 + 2.3 * max(len(classes), 1)) as fig:
        axes = _class_panels(fig, classes)
        hatched: list[pd.Timestamp] = []
        for ax, weapon_class in zip(axes, classes, strict=False):
            data = _class_rows(through, weapon_class)
            colour = GOT_THROUGH_COLOUR
            _band(ax, data, colour)
            if ax is axes[0]:
                _label_bounds(ax, data, colour)
            count_axis(ax, CLASS_LABELS.get(weapon_class, weapon_class), "per month", nbins=4)
            if not data["launched"].any():
                _empty(ax, "none launched in this period")
            hatched = hatch_months(ax, incomplete, data["period"])
        if not through.empty:
            date_axis(axes[-1], *_span(through["period"]), tick_day=15)
        set_title(
            fig,
            got_through_title(through),
            [
                "Not reported stopped: launched minus those the Air Force reported shot down; "
                "not a count of hits",
                "The band runs from drones lost locally counted as stopped (lower edge) to "
                "counted as got through (upper edge)",
                "Kyiv months; each panel has its own scale; lighter: months only partly covered",
                incomplete_note(hatched),
            ],
        )
        set_credit(fig, release)
    return fig


def stopped_title(through: pd.DataFrame, weapon_class: str = "strike_drone") -> str:
    """The finding of the stopped-or-through chart: the share of a class reported stopped over
    the last twelve complete months ("86% of strike drones launched in the 12 months to March
    2026 were reported stopped")."""
    data = through[(through["weapon_class"] == weapon_class) & through["complete"].astype(bool)]
    data = data.sort_values("period").tail(12)
    launched = float(data["launched"].sum())
    if launched <= 0:
        return "Launched, stopped and not reported stopped, per month"
    stopped = launched - float(data["got_through"].sum())
    name = CLASS_NAMES.get(weapon_class, weapon_class)
    last = pd.Timestamp(data["period"].max())
    return (
        f"{100 * stopped / launched:.0f}% of {name} launched in the {len(data)} months to "
        f"{last:%B %Y} were reported stopped"
    )


def stopped_chart(
    through: pd.DataFrame, *, release: str, incomplete: Iterable[pd.Timestamp] = ()
) -> Figure:
    """Per month and class, what was launched split into what was reported stopped (shot down
    or lost locally) and what was not (launched minus both): two stacked bars whose total is
    the launches; one panel per class under each other, each on its own scale.

    ``through`` is :func:`analysis.data.series.got_through` by class with ``freq="M"``."""
    classes = _classes(through)
    with report_figure(3.0 + 2.3 * max(len(classes), 1)) as fig:
        axes = _class_panels(fig, classes)
        hatched: list[pd.Timestamp] = []
        for ax, weapon_class in zip(axes, classes, strict=False):
            data = _class_rows(through, weapon_class)
            x = pd.DatetimeIndex(data["period"]) + pd.Timedelta(days=15)
            passed = data["got_through"].astype(float).to_numpy()
            stopped = data["launched"].astype(float).to_numpy() - passed
            ax.bar(x, stopped, width=26, color=palette.DEFEATED)
            ax.bar(x, passed, bottom=stopped, width=26, color=palette.GOT_THROUGH)
            count_axis(ax, CLASS_LABELS.get(weapon_class, weapon_class), "per month", nbins=4)
            hatched += hatch_months(ax, incomplete, data["period"])
        if len(through):
            date_axis(axes[-1], through["period"].min(), through["period"].max(), pad=True)
        notes = [
            "Green: reported stopped (shot down, or lost locally to electronic warfare); "
            "black: launched and not reported stopped; together, the launches",
            incomplete_note(hatched),
        ]
        set_title(fig, stopped_title(through), [n for n in notes if n])
        set_credit(fig, release)
    return fig


def got_through_table(
    through: pd.DataFrame, incomplete: Iterable[pd.Timestamp] = ()
) -> pd.DataFrame:
    """Per month and class: launched, shot down, lost locally and the two bounds of what got
    through; months only partly inside the period read ``(part)``, possibly incomplete ones
    end in ``*``."""
    frame = through.sort_values("period", kind="stable").reset_index(drop=True)
    out = pd.DataFrame(
        {
            "month": _month_labels(frame["period"], frame["complete"]).to_numpy(),
            "weapon": [CLASS_NAMES.get(c, c).capitalize() for c in frame["weapon_class"]],
            "launched": frame["launched"].astype("int64").to_numpy(),
            "shot down": frame["destroyed"].astype("int64").to_numpy(),
            "lost locally": frame["not_reach_goal"].astype("int64").to_numpy(),
            "got through, lower bound": frame["got_through"].astype("int64").to_numpy(),
            "got through, upper bound": frame["got_through_upper"].astype("int64").to_numpy(),
        }
    )
    return mark_months(out, incomplete, "month")


def styled(table: pd.DataFrame, percent: Sequence[str] = ()) -> Styler:
    """A display table: no index, whole numbers with thousands separators, ``percent``
    columns as percentages, other numbers rounded, a dash for a missing value."""
    percent = [c for c in percent if c in table.columns]
    numbers = [
        c
        for c in table.columns
        if pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
    ]
    style = table.style.hide(axis="index")
    rest = [c for c in numbers if c not in percent]
    if rest:
        style = style.format("{:,.0f}", na_rep=MISSING, subset=rest)
    if percent:
        style = style.format("{:.0%}", na_rep=MISSING, subset=percent)
    return style
