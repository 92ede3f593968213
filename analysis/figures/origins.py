"""Charts of the supply-partnership indicators (``analysis/indicators.py``).

Each function returns a matplotlib :class:`~matplotlib.figure.Figure` built without pyplot
state, in the style of :mod:`analysis.data.overview`: seaborn ``whitegrid``, readable labels,
thousands separators and the source credit under the chart. Partnership events are drawn as
vertical lines in their partner's colour, labelled in a strip above the panels where labels
that would overlap are staggered onto further rows; every event line carries the gid
``event:<event_id>`` (see :func:`event_ids`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from analysis.data.indicators import HEADLINE_CLASSES, ORIGIN_GROUPS, ORIGIN_LABELS
from analysis.data.labels import PARTNER_NAMES
from analysis.figures.style import count_axis, hatch_months, incomplete_note, set_credit
from analysis.figures.style import date_axis as _date_axis
from analysis.figures.style import set_title as _title
from analysis.modelresult import ModelResult

_DEEP = sns.color_palette("deep")
ORIGIN_COLOURS: dict[str, tuple[float, float, float]] = {
    "iranian_design": _DEEP[2],
    "north_korean": _DEEP[3],
    "russia_or_north_korea": _DEEP[4],
    "russian": _DEEP[0],
    "other_unknown": _DEEP[7],
}
PARTNER_COLOURS: dict[str, tuple[float, float, float]] = {
    "iran": ORIGIN_COLOURS["iranian_design"],
    "north_korea": ORIGIN_COLOURS["north_korean"],
}
#: Event types marked on the North Korean band chart.
BAND_EVENT_TYPES = ("first_use", "delivery")
_LABEL_FONT_PT = 7.5
_LABEL_MAX_CHARS = 30


def event_ids(fig: Figure) -> list[str]:
    """The event_ids whose lines are drawn on ``fig``, one per event, in drawing order."""
    seen: list[str] = []
    for ax in fig.axes:
        for line in ax.get_lines():
            gid = line.get_gid() or ""
            if gid.startswith("event:") and gid[6:] not in seen:
                seen.append(gid[6:])
    return seen


def short_label(event_id: str, max_chars: int = _LABEL_MAX_CHARS) -> str:
    """A short chart label from an event_id: ``nk-srbm-first-use`` -> ``nk srbm first use``."""
    text = event_id.replace("-", " ")
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"


def _stagger(x: Sequence[float], widths: Sequence[float], gap: float) -> list[int]:
    """Row (0 = top) for each label starting at ``x`` with width ``widths`` (same units), so
    that labels on one row do not overlap: each goes on the first row that is free."""
    ends: list[float] = []
    rows = []
    for start, width in zip(x, widths, strict=True):
        for row, end in enumerate(ends):
            if start >= end + gap:
                ends[row] = start + width
                rows.append(row)
                break
        else:
            ends.append(start + width)
            rows.append(len(ends) - 1)
    return rows


def _events_in(
    events: pd.DataFrame | None,
    first: pd.Timestamp,
    last: pd.Timestamp,
    event_types: Sequence[str] | None = None,
) -> pd.DataFrame:
    if events is None or events.empty:
        return pd.DataFrame(columns=["event_id", "date", "partner", "event_type"])
    chosen = events[(events["date"] >= first) & (events["date"] <= last)]
    if event_types is not None:
        chosen = chosen[chosen["event_type"].isin(event_types)]
    return chosen.sort_values(["date", "event_id"], kind="stable")


def _label_rows(
    events: pd.DataFrame,
    first: pd.Timestamp,
    last: pd.Timestamp,
    axis_inches: float,
    labels: Mapping[str, str],
) -> list[int]:
    """Rows of the event labels, from an estimate of their printed width in days."""
    span_days = max((last - first).days, 1)
    days_per_inch = span_days / axis_inches
    char_inches = _LABEL_FONT_PT * 0.55 / 72
    x = [(d - first).days for d in events["date"]]
    widths = [(len(labels[e]) + 1) * char_inches * days_per_inch for e in events["event_id"]]
    return _stagger(x, widths, gap=0.05 * days_per_inch)


def _draw_events(
    strip: Axes,
    panels: Sequence[Axes],
    events: pd.DataFrame,
    rows: list[int],
    labels: Mapping[str, str],
) -> None:
    """Event lines through every panel and their labels in ``strip`` (rows from the top)."""
    n_rows = max(rows, default=0) + 1
    strip.set_ylim(0, n_rows + 0.2)
    strip.set_yticks([])
    strip.grid(False)
    sns.despine(ax=strip, left=True, bottom=True)
    strip.tick_params(axis="x", which="both", bottom=False, labelbottom=False)
    for (_, event), row in zip(events.iterrows(), rows, strict=True):
        colour = PARTNER_COLOURS.get(event["partner"], "0.3")
        top = n_rows - row - 0.5
        strip.plot(
            [event["date"], event["date"]],
            [0, top],
            color=colour,
            linewidth=0.9,
            gid=f"event:{event['event_id']}",
            zorder=2,
        )
        # A white box behind each label hides the lines of later events that pass under it.
        strip.text(
            event["date"],
            top,
            " " + labels[event["event_id"]],
            fontsize=_LABEL_FONT_PT,
            color=colour,
            va="center",
            ha="left",
            zorder=3,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6, "alpha": 0.9},
        )
        for ax in panels:
            ax.axvline(
                event["date"],
                color=colour,
                linewidth=0.8,
                alpha=0.45,
                linestyle="--",
                gid=f"event-guide:{event['event_id']}",
                zorder=0.5,
            )


def _colour_note(events: pd.DataFrame) -> str:
    """Which colour stands for which partner, for the subtitle ('' without events)."""
    partners = list(dict.fromkeys(events["partner"]))
    colour_names = {"iran": "green", "north_korea": "red"}
    parts = [f"{colour_names.get(p, 'grey')}: {PARTNER_NAMES.get(p, p)}" for p in partners]
    return "event lines by partner (" + ", ".join(parts) + ")" if parts else ""


def _classes_note(frame: pd.DataFrame) -> str:
    classes = frame.attrs.get("weapon_classes", HEADLINE_CLASSES)
    if classes is None:
        return "all weapon classes counted"
    if tuple(classes) == HEADLINE_CLASSES:
        return "long-range strike drones and missiles (the Air Force's headline counts)"
    return "classes counted: " + ", ".join(classes)


def _figure_layout(
    n_panels: int, n_rows: int, panel_height: float
) -> tuple[Figure, Axes, list[Axes]]:
    strip_height = 0.22 * n_rows + 0.25
    fig = Figure(figsize=(11, 1.4 + strip_height + panel_height * n_panels), layout="constrained")
    axes = fig.subplots(
        n_panels + 1,
        1,
        sharex=True,
        squeeze=False,
        height_ratios=[strip_height] + [panel_height] * n_panels,
    )[:, 0]
    return fig, axes[0], list(axes[1:])


def _bars(
    ax: Axes,
    periods: pd.Series,
    values: pd.Series,
    complete: pd.Series,
    colour,
    width_days: float,
    bottom: np.ndarray | None = None,
):
    middle = periods + pd.Timedelta(days=width_days / 2)
    bars = ax.bar(middle, values, width=width_days, color=colour, linewidth=0, bottom=bottom)
    for bar, whole in zip(bars, complete, strict=True):
        if not whole:
            bar.set_alpha(0.4)
    return bars


# Weekly launches by origin ---------------------------------------------------------------------


def origin_weekly_chart(
    origin_weekly: pd.DataFrame,
    events: pd.DataFrame | None = None,
    *,
    release: str,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Weekly launches by design origin in three panels, each on its own scale, with the
    partnership events in range as labelled vertical lines.

    ``origin_weekly`` is :func:`analysis.data.indicators.origin_series` with ``freq="W"``. Panels:
    Iranian-design drones; Russian design with other or unidentified origin stacked on top;
    North Korean (KN-23 alone) with Russian-or-North-Korean (Iskander-M/KN-23) stacked on top.
    Partly observed first and last weeks are drawn lighter. ``labels`` maps event_ids to
    chart labels (default: the event_id with spaces).
    """
    frame = origin_weekly.sort_values("period")
    first = frame["period"].min()
    last = frame["period"].max() + pd.Timedelta(days=7)
    shown = _events_in(events, first, last)
    names = {e: (labels or {}).get(e, short_label(e)) for e in shown["event_id"]}
    rows = _label_rows(shown, first, last, axis_inches=10.0, labels=names)
    headline = tuple(frame.attrs.get("weapon_classes") or ()) == HEADLINE_CLASSES
    missiles = " (missiles)" if headline else ""
    panels = (
        (
            "Iranian-design drones (Shahed/Geran, Russian-built and, from 2025, decoys included)",
            ["iranian_design"],
        ),
        (
            f"Russian design{missiles}; other or unidentified origin stacked on top",
            ["russian", "other_unknown"],
        ),
        (
            "North Korean: KN-23 named alone; Iskander-M/KN-23 (Russian or North Korean) on top",
            ["north_korean", "russia_or_north_korea"],
        ),
    )
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.9):
        fig, strip, axes = _figure_layout(len(panels), max(rows, default=0) + 1, 2.2)
        for ax, (title, groups) in zip(axes, panels, strict=True):
            bottom = np.zeros(len(frame))
            for group in groups:
                _bars(
                    ax,
                    frame["period"],
                    frame[group],
                    frame["complete"],
                    ORIGIN_COLOURS[group],
                    7,
                    bottom=bottom,
                )
                bottom = bottom + frame[group].to_numpy()
            count_axis(ax, title, nbins=4)
            ax.set_ylabel("launched per week")
            handles = [Patch(color=ORIGIN_COLOURS[g]) for g in groups]
            ax.legend(
                handles,
                [f"{ORIGIN_LABELS[g]}: {int(frame[g].sum()):,}" for g in groups],
                loc="upper left",
                fontsize="x-small",
                frameon=True,
                framealpha=0.9,
                title="total in period",
                title_fontsize="x-small",
            )
        _draw_events(strip, axes, shown, rows, names)
        _date_axis(axes[-1], first, last)
        notes = [
            _classes_note(frame),
            "Kyiv weeks from Monday; each panel has its own scale; "
            "lighter bars: weeks only partly covered",
            _colour_note(shown),
        ]
        _title(fig, "Weekly launches by design origin, with partnership events", notes)
        set_credit(fig, release, events=not shown.empty)
    return fig


# Monthly origin shares --------------------------------------------------------------------------


def origin_share_chart(
    origin_monthly: pd.DataFrame,
    *,
    release: str,
    incomplete: Iterable[pd.Timestamp] = (),
) -> Figure:
    """Share of launches by design origin per month as stacked areas, in two panels: all
    launches counted, and the launches not of Iranian design (the missiles, with the default
    classes), where the Russian, ambiguous and North Korean parts can be seen.

    ``origin_monthly`` is :func:`analysis.data.indicators.origin_series` with ``freq="M"``; months
    without launches (0/0) are left empty. The months of ``incomplete`` that are shown
    (:func:`analysis.data.gaps.possibly_incomplete`) are hatched, with a note saying why.
    """
    frame = origin_monthly.sort_values("period").reset_index(drop=True)
    first = frame["period"].min()
    last = frame["period"].max() + pd.offsets.MonthBegin(1)
    groups = list(ORIGIN_GROUPS)
    rest = [g for g in groups if g != "iranian_design"]
    rest_total = frame[rest].sum(axis=1).astype("float64")
    shares = {
        "all": {g: frame[f"share_{g}"] for g in groups},
        "rest": {g: frame[g] / rest_total.where(rest_total > 0) for g in rest},
    }
    edges = pd.concat([frame["period"], pd.Series([last])], ignore_index=True)
    rest_title = "Share of the launches not of Iranian design"
    if tuple(frame.attrs.get("weapon_classes") or ()) == HEADLINE_CLASSES:
        rest_title = "Share of missile launches (the launches not of Iranian design)"
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.9):
        fig = Figure(figsize=(11, 7.2), layout="constrained")
        top, bottom = fig.subplots(2, 1, sharex=True)
        for ax, key, title in (
            (top, "all", "Share of all launches counted"),
            (bottom, "rest", rest_title),
        ):
            parts = shares[key]
            order = list(parts)
            stack = np.vstack([parts[g].fillna(0).to_numpy() for g in order])
            empty = np.isnan(np.vstack([parts[g].to_numpy() for g in order])).all(axis=0)
            stack[:, empty] = np.nan
            # Step areas: each month's share held from its first day to the next month's.
            y = np.hstack([stack, stack[:, -1:]])
            ax.stackplot(
                edges,
                y,
                colors=[ORIGIN_COLOURS[g] for g in order],
                labels=[ORIGIN_LABELS[g] for g in order],
                step="post",
                linewidth=0,
                alpha=0.9,
            )
            ax.set_title(title, loc="left", fontsize="medium")
            ax.set_ylim(0, 1)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.set_ylabel("share of launches")
            ax.grid(axis="x", visible=False)
            sns.despine(ax=ax, left=True)
            hatched = hatch_months(ax, incomplete, frame["period"])
        handles, names = top.get_legend_handles_labels()
        names = [textwrap.fill(n, 26) for n in names]
        fig.legend(
            handles[::-1],
            names[::-1],
            loc="outside right center",
            fontsize="small",
            frameon=False,
            title="Design origin",
            title_fontsize="small",
            labelspacing=1.0,
        )
        _date_axis(bottom, first, last)
        _title(
            fig,
            "Share of launches by design origin, per month",
            [
                _classes_note(frame) + "; months without launches are left empty",
                "'Iranian design' is design lineage, not place of manufacture: Russian-built Geran "
                "copies (Alabuga) and, from 2025, decoys are included",
                incomplete_note(hatched),
            ],
        )
        set_credit(fig, release)
    return fig


# North Korean missile band -------------------------------------------------------------------


def north_korean_band_chart(
    band: pd.DataFrame | ModelResult,
    events: pd.DataFrame | None = None,
    *,
    release: str,
    event_types: Sequence[str] = BAND_EVENT_TYPES,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """North Korean ballistic missiles per period as a band (lower: KN-23 named alone; upper:
    plus everything labelled Iskander-M/KN-23), in launches and as a share of ballistic missile
    launches, with the North Korean first-use and delivery events in range marked.

    ``band`` is :func:`analysis.data.indicators.north_korean_band` (or its ``band`` table).
    """
    frame = band.table("band") if isinstance(band, ModelResult) else band
    frame = frame.sort_values("period").reset_index(drop=True)
    first = frame["period"].min()
    step = frame["period"].diff().median()
    monthly = pd.isna(step) or step > pd.Timedelta(days=20)
    last = frame["period"].max() + (pd.offsets.MonthBegin(1) if monthly else pd.Timedelta(days=7))
    per = "month" if monthly else "week"
    chosen = events
    if events is not None and not events.empty:
        chosen = events[events["partner"] == "north_korea"]
    shown = _events_in(chosen, first, last, event_types)
    names = {e: (labels or {}).get(e, short_label(e)) for e in shown["event_id"]}
    rows = _label_rows(shown, first, last, axis_inches=10.0, labels=names)
    edges = pd.concat([frame["period"], pd.Series([last])], ignore_index=True)

    def held(values: pd.Series) -> np.ndarray:
        array = values.astype("float64").to_numpy()
        return np.append(array, array[-1:])

    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.9):
        fig, strip, (count_ax, share_ax) = _figure_layout(2, max(rows, default=0) + 1, 2.6)
        nk, amb = ORIGIN_COLOURS["north_korean"], ORIGIN_COLOURS["russia_or_north_korea"]
        count_ax.step(
            edges,
            held(frame["ballistic"]),
            where="post",
            color="0.55",
            linewidth=1.0,
            label=f"All ballistic missiles: {frame['ballistic'].sum():,}",
        )
        count_ax.fill_between(
            edges,
            held(frame["lower"]),
            held(frame["upper"]),
            step="post",
            color=amb,
            alpha=0.35,
            linewidth=0,
            label="Band: possibly North Korean (Iskander-M/KN-23): "
            f"{int((frame['upper'] - frame['lower']).sum()):,}",
        )
        count_ax.step(
            edges,
            held(frame["upper"]),
            where="post",
            color=amb,
            linewidth=1.4,
            label=f"Upper bound: {frame['upper'].sum():,}",
        )
        count_ax.step(
            edges,
            held(frame["lower"]),
            where="post",
            color=nk,
            linewidth=1.8,
            label=f"Lower bound, KN-23 named alone: {frame['lower'].sum():,}",
        )
        count_axis(count_ax, f"North Korean ballistic missiles launched per {per}", nbins=4)
        count_ax.set_ylabel(f"launched per {per}")
        count_ax.legend(
            loc="upper left",
            fontsize="x-small",
            frameon=True,
            framealpha=0.9,
            title="total in period",
            title_fontsize="x-small",
        )

        share_ax.fill_between(
            edges,
            held(frame["share_lower"]),
            held(frame["share_upper"]),
            step="post",
            color=amb,
            alpha=0.35,
            linewidth=0,
            label="Between the bounds",
        )
        share_ax.step(
            edges,
            held(frame["share_upper"]),
            where="post",
            color=amb,
            linewidth=1.4,
            label="Upper bound",
        )
        share_ax.step(
            edges,
            held(frame["share_lower"]),
            where="post",
            color=nk,
            linewidth=1.8,
            label="Lower bound",
        )
        share_ax.set_title(
            "Share of ballistic missile launches (empty: no ballistic launches)",
            loc="left",
            fontsize="medium",
        )
        share_ax.set_ylim(0, 1)
        share_ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        share_ax.set_ylabel("share")
        share_ax.grid(axis="x", visible=False)
        sns.despine(ax=share_ax, left=True)
        share_ax.legend(loc="upper left", fontsize="x-small", frameon=True, framealpha=0.9)

        partial = frame.index[~frame["complete"].astype(bool)]
        for i in partial:
            for ax in (count_ax, share_ax):
                ax.axvspan(edges[i], edges[i + 1], color="0.92", zorder=0, linewidth=0)
        _draw_events(strip, [count_ax, share_ax], shown, rows, names)
        _date_axis(share_ax, first, last)
        notes = [
            "Lower bound: rows naming KN-23 alone. Upper bound: plus every row labelled "
            "Iskander-M/KN-23, a label that also covers Russian Iskander-M.",
            "; ".join(
                n
                for n in (
                    f"Kyiv {per}s",
                    "grey background: only partly covered" if len(partial) else "",
                    _colour_note(shown),
                )
                if n
            ),
        ]
        _title(fig, "North Korean ballistic missiles: a band, not a number", notes)
        set_credit(fig, release, events=not shown.empty)
    return fig


__all__ = [
    "BAND_EVENT_TYPES",
    "ORIGIN_COLOURS",
    "PARTNER_COLOURS",
    "event_ids",
    "north_korean_band_chart",
    "origin_share_chart",
    "origin_weekly_chart",
    "short_label",
]
