"""Charts of the supply-partnership indicators (``analysis/indicators.py``).

Each function returns a matplotlib :class:`~matplotlib.figure.Figure` built without pyplot
state. The weekly and share charts are in the report style of :mod:`analysis.figures.style`
(full width, panels one under the other, large text, direct labels, the source credit under
the chart) with the palette's colours: Iranian design orange, North Korean reddish purple (the
ambiguous Iskander-M/KN-23 label in a lighter tint of it), Russian design vermillion (with the
headline classes, Russian-design launches are missiles) and other or unidentified grey.
Partnership events are drawn as vertical lines in their partner's colour, labelled in a strip
above the panels where labels that would overlap are staggered onto further rows; every event
line carries the gid ``event:<event_id>`` (see :func:`event_ids`). Charts show an event's
plain ``label`` (:func:`analysis.data.events.event_labels`), never its key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from analysis.data.events import event_labels
from analysis.data.indicators import HEADLINE_CLASSES, ORIGIN_GROUPS, ORIGIN_LABELS
from analysis.data.labels import PARTNER_NAMES
from analysis.figures import palette
from analysis.figures.style import (
    FIGURE_WIDTH,
    TEXT_PT,
    count_axis,
    hatch_months,
    incomplete_note,
    panel_title,
    report_figure,
    set_credit,
)
from analysis.figures.style import date_axis as _date_axis
from analysis.figures.style import set_title as _title
from analysis.findings.partnerships import latest_share
from analysis.modelresult import ModelResult

ORIGIN_COLOURS: dict[str, str] = {
    "iranian_design": palette.IRAN,
    "north_korean": palette.NORTH_KOREA,
    "russia_or_north_korea": palette.NORTH_KOREA,
    "russian": palette.MISSILES,
    "other_unknown": palette.NEUTRAL,
}
#: Opacity of each origin's bars and areas: the ambiguous label is a lighter tint of the
#: North Korean colour, so that the two read as one family told apart by their depth.
ORIGIN_ALPHA: dict[str, float] = {
    "iranian_design": 0.9,
    "north_korean": 0.95,
    "russia_or_north_korea": 0.4,
    "russian": 0.9,
    "other_unknown": 0.9,
}
#: The colours' names, for the notes that say which colour is which.
COLOUR_NAMES: dict[str, str] = {
    palette.IRAN: "orange",
    palette.NORTH_KOREA: "reddish purple",
    palette.MISSILES: "vermillion",
    palette.NEUTRAL: "grey",
}
PARTNER_COLOURS: dict[str, str] = {
    "iran": palette.IRAN,
    "north_korea": palette.NORTH_KOREA,
}
#: Event types marked on the North Korean band chart.
BAND_EVENT_TYPES = ("first_use", "delivery")
#: Event types labelled on the weekly origin chart (the others are drawn as lines only, so
#: that the labels stay readable at full size on a phone).
LABELLED_EVENT_TYPES = ("first_use", "agreement")
#: The span after the last report that uses a North Korean label: greyed and hatched, gid
#: ``label-gap:YYYY-MM-DD`` (its first day), so the band does not seem to fall to zero.
LABEL_GAP_HATCH = "xx"
LABEL_GAP_COLOUR = "#9E9E9E"  # the palette's neutral grey
_LABEL_GAP_GID = "label-gap:"
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
    *,
    font_pt: float = _LABEL_FONT_PT,
    aligns: Mapping[str, str] | None = None,
) -> None:
    """Event lines through every panel and their labels in ``strip`` (rows from the top); an
    event missing from ``labels`` is a thinner line across the strip, without a label.
    ``aligns`` puts a label left of its line ("right") instead of right of it."""
    n_rows = max(rows, default=0) + 1
    strip.set_ylim(0, n_rows + 0.2)
    strip.set_yticks([])
    strip.grid(False)
    sns.despine(ax=strip, left=True, bottom=True)
    strip.tick_params(axis="x", which="both", bottom=False, labelbottom=False)
    for (_, event), row in zip(events.iterrows(), rows, strict=True):
        colour = PARTNER_COLOURS.get(event["partner"], palette.NEUTRAL)
        text = labels.get(event["event_id"])
        top = n_rows - row - 0.5 if text else n_rows + 0.2
        strip.plot(
            [event["date"], event["date"]],
            [0, top],
            color=colour,
            linewidth=0.9 if text else 0.7,
            alpha=1.0 if text else 0.5,
            gid=f"event:{event['event_id']}",
            zorder=2,
        )
        if not text:
            continue
        align = (aligns or {}).get(event["event_id"], "left")
        # A white box behind each label hides the lines of later events that pass under it.
        strip.text(
            event["date"],
            top,
            " " + text if align == "left" else text + " ",
            fontsize=font_pt,
            color=colour,
            va="center",
            ha=align,
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
    parts = [
        f"{COLOUR_NAMES.get(PARTNER_COLOURS.get(p, palette.NEUTRAL), 'grey')}: "
        f"{PARTNER_NAMES.get(p, p)}"
        for p in partners
    ]
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


def _strip_layout(
    events: pd.DataFrame,
    first: pd.Timestamp,
    last: pd.Timestamp,
    labels: Mapping[str, str],
    axis_inches: float,
    font_pt: float = TEXT_PT,
) -> tuple[list[int], dict[str, str]]:
    """Rows (0 = top) and alignment of the labelled events' labels (events without a label
    get row 0 and no alignment): a label that would run past the right end is written to the
    left of its line."""
    span_days = max((last - first).days, 1)
    days_per_inch = span_days / axis_inches
    char_days = font_pt * 0.52 / 72 * days_per_inch  # an average character is about 0.5 em
    starts, widths, chosen, aligns = [], [], [], {}
    for event_id, date in zip(events["event_id"], events["date"], strict=True):
        if event_id not in labels:
            continue
        x = (date - first).days
        width = (len(labels[event_id]) + 1) * char_days
        aligns[event_id] = "left" if x + width <= span_days else "right"
        starts.append(x if aligns[event_id] == "left" else x - width)
        widths.append(width)
        chosen.append(event_id)
    placed = dict(zip(chosen, _stagger(starts, widths, gap=0.1 * days_per_inch), strict=True))
    return [placed.get(e, 0) for e in events["event_id"]], aligns


def _event_names(
    shown: pd.DataFrame, events: pd.DataFrame | None, labels: Mapping[str, str] | None
) -> dict[str, str]:
    """The plain labels of the events of ``shown`` whose type is labelled on the weekly
    chart (:data:`LABELLED_EVENT_TYPES`; every event when the table has no type): ``labels``
    first, then the timeline's ``label`` column, then the key with spaces."""
    known = {**event_labels(events), **(labels or {})}
    if "event_type" in shown.columns:
        shown = shown[shown["event_type"].isin(LABELLED_EVENT_TYPES)]
    return {e: known.get(e) or short_label(e) for e in shown["event_id"]}


def origin_weekly_chart(
    origin_weekly: pd.DataFrame,
    events: pd.DataFrame | None = None,
    *,
    release: str,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Weekly launches by design origin in three panels one under the other, each on its own
    scale and titled with its totals, with the partnership events in range as vertical lines;
    first uses and agreements are labelled in a strip above the panels.

    ``origin_weekly`` is :func:`analysis.data.indicators.origin_series` with ``freq="W"``. Panels:
    Iranian-design drones; Russian design with other or unidentified origin stacked on top;
    North Korean (KN-23 alone) with Russian-or-North-Korean (Iskander-M/KN-23) stacked on top.
    Partly observed first and last weeks are drawn lighter. ``labels`` maps event_ids to
    chart labels (default: the timeline's ``label`` column, else the event_id with spaces).
    """
    frame = origin_weekly.sort_values("period")
    first = frame["period"].min()
    last = frame["period"].max() + pd.Timedelta(days=7)
    shown = _events_in(events, first, last)
    names = _event_names(shown, events, labels)
    rows, aligns = _strip_layout(shown, first, last, names, axis_inches=FIGURE_WIDTH - 1.2)
    n_rows = max(rows, default=0) + 1
    headline = tuple(frame.attrs.get("weapon_classes") or ()) == HEADLINE_CLASSES
    missiles = " (missiles)" if headline else ""

    def total(group: str) -> str:
        return f"{int(frame[group].sum()):,}"

    panels = (
        (
            "Iranian design (Shahed/Geran type, Russian-built included): "
            + total("iranian_design"),
            ["iranian_design"],
        ),
        (
            f"Russian design{missiles}: {total('russian')}; other or unidentified (grey, on "
            f"top): {total('other_unknown')}",
            ["russian", "other_unknown"],
        ),
        (
            f"North Korean, KN-23 named alone: {total('north_korean')}; Iskander-M/KN-23, "
            f"Russian or North Korean (lighter, on top): {total('russia_or_north_korea')}",
            ["north_korean", "russia_or_north_korea"],
        ),
    )
    strip_height = 0.3 * n_rows + 0.3
    with report_figure(3.4 + strip_height + 2.6 * len(panels)) as fig:
        axes = fig.subplots(
            len(panels) + 1,
            1,
            sharex=True,
            squeeze=False,
            height_ratios=[strip_height] + [2.6] * len(panels),
        )[:, 0]
        strip, panel_axes = axes[0], list(axes[1:])
        for ax, (title, groups) in zip(panel_axes, panels, strict=True):
            bottom = np.zeros(len(frame))
            for group in groups:
                bars = _bars(
                    ax,
                    frame["period"],
                    frame[group],
                    frame["complete"],
                    ORIGIN_COLOURS[group],
                    7,
                    bottom=bottom,
                )
                for bar in bars:
                    bar.set_alpha((bar.get_alpha() or 1.0) * ORIGIN_ALPHA[group])
                bottom = bottom + frame[group].to_numpy()
            count_axis(ax, title, "per week", nbins=4)
        _draw_events(strip, panel_axes, shown, rows, names, font_pt=TEXT_PT, aligns=aligns)
        _date_axis(panel_axes[-1], first, last)
        labelled = "; labelled: first uses and agreements, other events as thin lines"
        notes = [
            _classes_note(frame),
            "Kyiv weeks from Monday; each panel has its own scale; "
            "lighter bars: weeks only partly covered",
            _colour_note(shown) + (labelled if len(shown) > len(names) else ""),
        ]
        _title(fig, "Launches per week by design origin, with partnership events", notes)
        set_credit(fig, release, events=not shown.empty)
    return fig


# Monthly origin shares --------------------------------------------------------------------------

#: Short names of the origins, written on their areas in the share chart.
SHARE_LABELS: dict[str, str] = {
    "iranian_design": "Iranian design",
    "north_korean": "North Korean",
    "russia_or_north_korea": "Iskander-M/KN-23",
    "russian": "Russian design",
    "other_unknown": "Other",
}
#: An area is labelled on the chart where it is at least this thick; thinner ones are named
#: with their colour in the notes.
_LABEL_MIN_SHARE = 0.1


def _label_areas(ax: Axes, edges: pd.Series, order: Sequence[str], stack: np.ndarray) -> list[str]:
    """Write each origin's short name on its area, at its thickest month away from the
    chart's ends; returns the origins labelled."""
    n = stack.shape[1]
    inner = slice(n // 8, n - n // 8) if n >= 8 else slice(0, n)
    filled = np.nan_to_num(stack)
    below = np.cumsum(filled, axis=0) - filled
    labelled = []
    for i, group in enumerate(order):
        part = filled[i, inner]
        if not len(part) or part.max() < _LABEL_MIN_SHARE:
            continue
        labelled.append(group)
        at = inner.start + int(np.argmax(part))
        middle = edges.iloc[at] + (edges.iloc[at + 1] - edges.iloc[at]) / 2
        ax.text(
            middle,
            below[i, at] + filled[i, at] / 2,
            SHARE_LABELS[group],
            ha="center",
            va="center",
            fontsize=TEXT_PT,
            color="0.1",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5, "alpha": 0.75},
            zorder=4,
        )
    return labelled


def _thin_note(thin: Sequence[str]) -> str:
    """Which colour the origins too thin to label have, for the notes ('' for none)."""

    def colour(group: str) -> str:
        name = COLOUR_NAMES.get(ORIGIN_COLOURS[group], "grey")
        return f"light {name}" if ORIGIN_ALPHA[group] < 0.5 else name

    parts = [f"{ORIGIN_LABELS[g]} ({colour(g)})" for g in dict.fromkeys(thin)]
    return "Thin areas: " + "; ".join(parts) if parts else ""


def origin_share_chart(
    origin_monthly: pd.DataFrame,
    *,
    release: str,
    incomplete: Iterable[pd.Timestamp] = (),
) -> Figure:
    """Share of launches by design origin per month as stacked areas, in two panels one under
    the other: all launches counted, and the launches not of Iranian design (the missiles,
    with the default classes), where the Russian, ambiguous and North Korean parts can be
    seen. Each area is named on the chart where it is thick enough; thinner ones are named
    with their colour in the notes.

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
    labelled: list[str] = []
    with report_figure(9.6) as fig:
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
            areas = ax.stackplot(
                edges,
                y,
                colors=[ORIGIN_COLOURS[g] for g in order],
                step="post",
                linewidth=0,
            )
            for area, group in zip(areas, order, strict=True):
                area.set_alpha(ORIGIN_ALPHA[group])
            panel_title(ax, title)
            ax.set_ylim(0, 1)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.set_ylabel("share of launches", fontsize=TEXT_PT)
            ax.grid(axis="x", visible=False)
            sns.despine(ax=ax, left=True)
            hatched = hatch_months(ax, incomplete, frame["period"])
            if len(frame):
                labelled += _label_areas(ax, edges, order, stack)
        _date_axis(bottom, first, last)
        _title(
            fig,
            share_title(frame),
            [
                _classes_note(frame) + "; months without launches are left empty",
                "'Iranian design' is design lineage, not place of manufacture: Russian-built Geran "
                "copies (Alabuga) and, from 2025, decoys are included",
                _thin_note([g for g in groups if g not in labelled]),
                incomplete_note(hatched),
            ],
        )
        set_credit(fig, release)
    return fig


def share_title(origin_monthly: pd.DataFrame) -> str:
    """The share chart's finding: the Iranian-design share of launches over the latest complete
    months, in the words of the page's finding (a plain heading without launches)."""
    latest = latest_share(origin_monthly)
    if latest.total == 0:
        return "Share of launches by design origin, per month"
    return f"{latest.words} of launches {latest.when} were of Iranian design"


# North Korean missile band -------------------------------------------------------------------


def band_title(band: pd.DataFrame) -> str:
    """The band chart's finding: how many ballistic missiles may have been North Korean, as a
    range between the bounds (``band``: the ``band`` table of the North Korean band)."""
    lower, upper = int(band["lower"].sum()), int(band["upper"].sum())
    ballistic = int(band["ballistic"].sum())
    if ballistic == 0 and upper == 0:
        return "No ballistic missile launches in the period"
    if upper == 0:
        return "No ballistic missile was reported under a North Korean label"
    return (
        f"Between {lower:,} and {upper:,} of {ballistic:,} ballistic missiles may have been "
        "North Korean"
    )


def label_gap_start(band: pd.DataFrame) -> pd.Timestamp | None:
    """The first period after the last one whose reports use a North Korean label (KN-23
    alone or Iskander-M/KN-23: ``upper`` above 0) when the band runs on past it, else None.

    After that period the band's zero says only that the source stopped using the label, not
    that no North Korean missile was launched (the Air Force's reports of 2026 name none)."""
    frame = band.sort_values("period").reset_index(drop=True)
    named = frame.index[frame["upper"].to_numpy() > 0]
    if len(named) == 0 or named[-1] == len(frame) - 1:
        return None
    return pd.Timestamp(frame.at[named[-1] + 1, "period"])


def label_gaps(fig: Figure) -> list[str]:
    """The first days (``YYYY-MM-DD``) of the label gaps marked on ``fig``, once each."""
    seen: list[str] = []
    for ax in fig.axes:
        for patch in ax.patches:
            gid = patch.get_gid() or ""
            if gid.startswith(_LABEL_GAP_GID) and gid[len(_LABEL_GAP_GID) :] not in seen:
                seen.append(gid[len(_LABEL_GAP_GID) :])
    return seen


def _mark_label_gap(
    axes: Sequence[Axes], start: pd.Timestamp, end: pd.Timestamp, when: str
) -> None:
    """Grey and hatch the span from ``start`` to ``end`` on every panel, with a short note
    inside it on the first."""
    for ax in axes:
        ax.axvspan(
            start,
            end,
            facecolor=(*to_rgb(LABEL_GAP_COLOUR), 0.25),
            edgecolor=(*to_rgb(LABEL_GAP_COLOUR), 0.9),
            hatch=LABEL_GAP_HATCH,
            linewidth=0,
            zorder=0.6,
            gid=f"{_LABEL_GAP_GID}{start:%Y-%m-%d}",
        )
    axes[0].text(
        start + (end - start) / 2,
        0.97,
        f"label\nnot used\nfrom\n{when}",
        transform=axes[0].get_xaxis_transform(),
        ha="center",
        va="top",
        fontsize="small",
        color="0.2",
        linespacing=1.1,
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0, "alpha": 0.85},
        gid="label-gap-note",
    )


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
    When the reports stop using a North Korean label before the band ends
    (:func:`label_gap_start`), the bounds are not drawn from there on: that span is greyed and
    hatched with a note, instead of a drop to zero.
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
    gap = label_gap_start(frame)
    # From the gap on, the bounds are not drawn: the label stopped, not the missiles.
    after = (frame["period"] >= gap).to_numpy() if gap is not None else np.zeros(len(frame), bool)

    def held(values: pd.Series, masked: bool = False) -> np.ndarray:
        array = values.astype("float64").to_numpy().copy()
        if masked:
            array[after] = np.nan
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
            held(frame["lower"], masked=True),
            held(frame["upper"], masked=True),
            step="post",
            color=amb,
            alpha=0.35,
            linewidth=0,
            label="Band: possibly North Korean (Iskander-M/KN-23): "
            f"{int((frame['upper'] - frame['lower']).sum()):,}",
        )
        count_ax.step(
            edges,
            held(frame["upper"], masked=True),
            where="post",
            color=amb,
            linewidth=1.4,
            label=f"Upper bound: {frame['upper'].sum():,}",
        )
        count_ax.step(
            edges,
            held(frame["lower"], masked=True),
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
            held(frame["share_lower"], masked=True),
            held(frame["share_upper"], masked=True),
            step="post",
            color=amb,
            alpha=0.35,
            linewidth=0,
            label="Between the bounds",
        )
        share_ax.step(
            edges,
            held(frame["share_upper"], masked=True),
            where="post",
            color=amb,
            linewidth=1.4,
            label="Upper bound",
        )
        share_ax.step(
            edges,
            held(frame["share_lower"], masked=True),
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
        when = "" if gap is None else f"{gap:%b %Y}" if monthly else f"{gap:%-d %b %Y}"
        if gap is not None:
            _mark_label_gap([count_ax, share_ax], gap, last, when)
        _draw_events(strip, [count_ax, share_ax], shown, rows, names)
        _date_axis(share_ax, first, last)
        notes = [
            "Lower bound: rows naming KN-23 alone. Upper bound: plus every row labelled "
            "Iskander-M/KN-23, a label that also covers Russian Iskander-M.",
            f"Grey hatching: from {when} no report uses a North Korean label, so the band "
            "cannot be drawn there; it is not a drop to zero"
            if gap is not None
            else "",
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
        _title(fig, band_title(frame), notes)
        set_credit(fig, release, events=not shown.empty)
    return fig


__all__ = [
    "BAND_EVENT_TYPES",
    "ORIGIN_COLOURS",
    "PARTNER_COLOURS",
    "LABEL_GAP_HATCH",
    "band_title",
    "event_ids",
    "label_gap_start",
    "label_gaps",
    "north_korean_band_chart",
    "origin_share_chart",
    "origin_weekly_chart",
    "share_title",
    "short_label",
]
