"""Display tables and charts for ``notebooks/04_supply_partnerships.ipynb``.

The indicator charts live in :mod:`analysis.figures.origins`; this module adds what the
notebook needs on top of them: the partnership timeline as a table (with its source links made
safe for HTML), the origin and supply tables in display form, the milestones chart, the plain
per-event verdicts, the event-study summary table and its chart.

**Names.** A reader sees each event's ``label`` ("First North Korean missiles used"), never its
``event_id``: the display tables drop the key, which the saved CSVs keep for machines.

**Phone-sized charts.** The milestones and event-study charts have the report's width and
text size (:mod:`analysis.figures.style`: text stays at least 11 px when the image is shown
400 px wide), colours from :mod:`analysis.figures.palette` (Iran orange, North Korea reddish
purple), and partners named on the chart itself rather than in a legend.

**HTML safety.** The timeline's text comes from a CSV that people edit, and the notebook is
rendered to HTML. Every text cell shown through :func:`safe_style` is escaped (pandas'
``Styler`` does not escape by default); the only raw HTML is the link cell, built here from
escaped parts by :func:`source_link`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullLocator
from matplotlib.transforms import offset_copy
from pandas.io.formats.style import Styler

from analysis.data.dates import day_text, days_text, month_text, months_text
from analysis.data.events import event_label, event_labels
from analysis.data.gaps import mark_months
from analysis.data.indicators import ORIGIN_GROUPS, ORIGIN_LABELS
from analysis.data.labels import PARTNER_NAMES
from analysis.figures.palette import IRAN, NEUTRAL, NORTH_KOREA
from analysis.figures.style import (
    FIGURE_WIDTH,
    NOTE_COLOUR,
    TEXT_PT,
    TITLE_PT,
    credit,
    date_axis,
    day_label,
)
from analysis.figures.textsize import text_width, wrap_text
from analysis.findings.partnerships import UNVERIFIED_MARK, survives
from analysis.modelresult import ModelResult

#: Shown for a missing value in display tables.
MISSING = "–"
#: Each partner's colour on every chart (:mod:`analysis.figures.palette`).
PARTNER_COLOURS: dict[str, str] = {"iran": IRAN, "north_korea": NORTH_KOREA}
_TYPE_NAMES = {
    "statement": "statement",
    "agreement": "agreement",
    "delivery": "delivery",
    "first_use": "first use",
    "production": "production",
    "deployment": "deployment",
}


# --- HTML-safe display ---------------------------------------------------------------------------


def source_link(org: str, url: str) -> str:
    """An HTML link to ``url`` with ``org`` as its text, both escaped; plain escaped text when
    the URL is not http(s)."""
    text = html.escape(str(org or url or ""), quote=True)
    address = str(url or "").strip()
    if not address.lower().startswith(("http://", "https://")):
        return text
    return (
        f'<a href="{html.escape(address, quote=True)}" target="_blank" '
        f'rel="noopener noreferrer">{text}</a>'
    )


def safe_style(
    table: pd.DataFrame,
    *,
    raw_html: Sequence[str] = (),
    percent: Sequence[str] = (),
    decimals: dict[str, int] | None = None,
) -> Styler:
    """``table`` styled for display: every cell escaped for HTML except the ``raw_html``
    columns (which must already be safe), integers with thousands separators, ``percent``
    columns as percentages, ``decimals`` columns rounded, missing values as a dash, no index.
    """
    raw = [c for c in raw_html if c in table.columns]
    others = [c for c in table.columns if c not in raw]
    ints = [
        c
        for c in others
        if pd.api.types.is_integer_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
    ]
    pct = [c for c in percent if c in table.columns]
    rounded = {c: d for c, d in (decimals or {}).items() if c in table.columns}
    plain = [c for c in others if c not in ints and c not in pct and c not in rounded]
    style = table.style.hide(axis="index")
    if plain:
        style = style.format(escape="html", na_rep=MISSING, subset=plain)
    if ints:
        style = style.format("{:,}", na_rep=MISSING, subset=ints)
    if pct:
        style = style.format("{:.1%}", na_rep=MISSING, subset=pct)
    for column, digits in rounded.items():
        style = style.format(f"{{:,.{digits}f}}", na_rep=MISSING, subset=[column])
    if raw:
        style = style.format(lambda v: v if isinstance(v, str) else MISSING, subset=raw)
    return style.set_table_styles(
        [
            {"selector": "td", "props": "text-align: left; vertical-align: top;"},
            {"selector": "th", "props": "text-align: left;"},
        ],
        overwrite=False,
    )


# --- the timeline --------------------------------------------------------------------------------


def _event_date(row: pd.Series) -> str:
    return (
        month_text(row["date"]) if row.get("date_precision") == "month" else day_text(row["date"])
    )


def timeline_rows(events: pd.DataFrame, ids: Sequence[str] | None = None) -> pd.DataFrame:
    """The partnership timeline as a table to save: ``date`` (``YYYY-MM`` when only the month
    is known), ``event_id`` (the key, for machines), ``event`` (the label, for readers),
    ``partner``, ``type``, ``description``, ``source`` (organisation), ``url`` (plain text)
    and ``verification`` (``checked`` or a visible ``unverified`` mark). ``ids`` keeps only
    those events (None: all), in date order. :func:`timeline_html` shows it without the key."""
    chosen = events if ids is None else events[events["event_id"].isin(list(ids))]
    chosen = chosen.sort_values(["date", "event_id"], kind="stable")
    labels = event_labels(chosen)
    return pd.DataFrame(
        {
            "date": [_event_date(r) for _, r in chosen.iterrows()],
            "event_id": chosen["event_id"].to_numpy(),
            "event": [event_label(e, labels) for e in chosen["event_id"]],
            "partner": [PARTNER_NAMES.get(p, p) for p in chosen["partner"]],
            "type": [_TYPE_NAMES.get(t, t) for t in chosen["event_type"]],
            "description": chosen["description"].to_numpy(),
            "source": chosen["source_org"].to_numpy(),
            "url": chosen["source_url"].to_numpy(),
            "verification": [
                UNVERIFIED_MARK if v == "unverified" else v for v in chosen["verification"]
            ],
        }
    )


def timeline_html(rows: pd.DataFrame) -> Styler:
    """:func:`timeline_rows` for display: the event's label without its key, the source
    organisation as a link to its URL (built from escaped parts), every other cell escaped,
    unverified rows shaded."""
    shown = rows.drop(columns=[c for c in ("url", "event_id") if c in rows.columns]).copy()
    shown["source"] = [source_link(o, u) for o, u in zip(rows["source"], rows["url"], strict=True)]
    style = safe_style(shown, raw_html=["source"])

    def shade(row: pd.Series) -> list[str]:
        flag = row["verification"] == UNVERIFIED_MARK
        return ["background-color: #fff3cd;" if flag else ""] * len(row)

    return style.apply(shade, axis=1)


# --- origins and supply --------------------------------------------------------------------------


def origin_month_table(
    origin_monthly: pd.DataFrame, incomplete: Iterable[pd.Timestamp] = ()
) -> pd.DataFrame:
    """:func:`analysis.data.indicators.origin_series` (monthly) for display: ``month`` (``YYYY-MM``,
    marked ``(part)`` when only partly observed and ``*`` when possibly incomplete, one of
    ``incomplete``: :func:`analysis.data.gaps.mark_months`), launches per origin group,
    ``total`` and the Iranian-design share."""
    frame = origin_monthly.sort_values("period")
    month = months_text(frame["period"])
    month = month.where(frame["complete"].astype(bool), month + " (part)")
    out = pd.DataFrame({"month": month.to_numpy()})
    for group in ORIGIN_GROUPS:
        out[ORIGIN_LABELS[group]] = frame[group].to_numpy()
    out["total"] = frame["total"].to_numpy()
    out["Iranian-design share"] = frame["share_iranian_design"].to_numpy()
    return mark_months(out, incomplete, "month")


def supply_years_table(supply: ModelResult) -> pd.DataFrame:
    """The yearly launches of Iranian-design drones with their running total."""
    yearly = supply.table("yearly")
    return pd.DataFrame(
        {
            "year": yearly["year"]
            .astype(str)
            .where(yearly["complete"], yearly["year"].astype(str) + " (part)"),
            "days observed": yearly["days"].astype("int64"),
            "launched": yearly["launched"].astype("int64"),
            "cumulative launched": yearly["cumulative"].astype("int64"),
        }
    )


def production_claims_table(supply: ModelResult) -> pd.DataFrame:
    """The timeline's production claims beside the Iranian-design drone launches counted up
    to each claim's date (a lower bound on cumulative supply to that date)."""
    claims = supply.table("production")
    return pd.DataFrame(
        {
            "date": days_text(claims["date"]),
            "claim (timeline)": claims["description"],
            "source": claims["source_org"],
            "verification": [
                UNVERIFIED_MARK if v == "unverified" else v for v in claims["verification"]
            ],
            "launched up to that date": claims["launched_to_date"].astype("Int64"),
        }
    )


# --- first appearances ---------------------------------------------------------------------------


def label_lags_table(
    appearances: ModelResult, timeline: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The ``lags`` table of :func:`analysis.data.indicators.model_appearances` for display,
    each linked event named by its label in ``timeline``."""
    lags = appearances.table("lags")
    labels = event_labels(timeline)
    return pd.DataFrame(
        {
            "label in the reports": lags["label"],
            "first named": days_text(lags["first_appearance"]),
            "linked event": [event_label(e, labels) for e in lags["event_id"]],
            "event date": days_text(lags["event_date"]),
            "event type": [_TYPE_NAMES.get(t, t) for t in lags["event_type"]],
            "days from event to first named": lags["lag_days"].astype("Int64"),
            "reference event": ["yes" if r else "" for r in lags["reference"]],
            "event before the data": ["yes" if b else "" for b in lags["before_data"]],
        }
    )


def near_reference_table(
    appearances: ModelResult, timeline: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Reports of the reference event's weapon class within a few days of it, for display,
    the event named by its label in ``timeline``."""
    near = appearances.table("near_reference")
    labels = event_labels(timeline)
    return pd.DataFrame(
        {
            "reference event": [event_label(e, labels) for e in near["reference_event"]],
            "event date": days_text(near["event_date"]),
            "report ends": days_text(near["end_date"].astype(str)),
            "weapon label in the report": near["model"],
            "design origin (taxonomy)": near["origin"],
            "launched": near["launched"].astype("Int64"),
        }
    )


# --- event studies -------------------------------------------------------------------------------


#: :func:`event_table` columns kept in the saved CSV but not shown: the placebo p-values of
#: the raw jump and the corrected p of the few-date placebo test (which cannot reach 0.05).
_HIDDEN = (
    "event_id",
    "other_event_ids",
    "placebo_p_raw",
    "placebo_p_all_raw",
    "placebo_p_holm",
    "placebo_p_bh",
    "n_placebo_all",
    "verdict",
)
#: The weapons an event study counts, in words.
_SERIES_NAMES = {"strike_drone": "strike drones", "ballistic_missile": "ballistic missiles"}
_SHOWN_NAMES = {
    "series": "launches counted",
    "ratio": "level ratio",
    "ratio_low": "CI low",
    "ratio_high": "CI high",
    "p_level": "p",
    "p_level_holm": "p corrected (Holm)",
    "p_level_bh": "p corrected (BH)",
    "placebo_p": "placebo p (away from all events)",
    "n_placebo": "placebo dates",
    "placebo_p_all": "placebo p (all weeks)",
    "placebo_p_all_holm": "placebo p all weeks, corrected (Holm)",
    "placebo_p_all_bh": "placebo p all weeks, corrected (BH)",
    "survives_correction": "change survives correction",
    "other_events": "other events in window",
}


def event_verdict_table(events: pd.DataFrame) -> pd.DataFrame:
    """:func:`~analysis.findings.partnerships.event_table` as a reader reads it: each event by
    its label and date, its partner, the weapons counted in words and the plain verdict on
    weekly launches after it, in date order."""
    frame = events.sort_values("date", kind="stable")
    return pd.DataFrame(
        {
            "event": frame["event"].to_numpy(),
            "date": frame["date"].to_numpy(),
            "partner": frame["partner"].to_numpy(),
            "launches counted": [
                _SERIES_NAMES.get(v, str(v).replace("_", " ")) for v in frame["series"]
            ],
            "weekly launches after the event": frame["verdict"].to_numpy(),
        }
    )


def event_table_style(events: pd.DataFrame) -> Styler:
    """:func:`event_table` for display: each event by its label (the key and the list of
    other events' keys left to the saved CSV), the weapons counted in words, p-values before
    and after correction for the number of events tested (Holm, Benjamini-Hochberg), whether
    the change survives it; the raw-jump placebo p-values and the counterfactual left to the
    saved CSV."""
    hidden = [c for c in _HIDDEN if c in events.columns]
    hidden += [c for c in events.columns if c.startswith("counterfactual")]
    shown = events.drop(columns=hidden)
    if "series" in shown.columns:
        shown["series"] = [_SERIES_NAMES.get(v, str(v).replace("_", " ")) for v in shown["series"]]
    if "survives_correction" in shown.columns:
        shown["survives_correction"] = [
            MISSING if status != "estimated" else "yes" if flag else "no"
            for status, flag in zip(shown["status"], shown["survives_correction"], strict=True)
        ]
    shown = shown.rename(columns=_SHOWN_NAMES)
    decimals = {
        _SHOWN_NAMES[column]: 2 if column.startswith("ratio") else 3
        for column in _SHOWN_NAMES
        if column.startswith(("ratio", "p_level", "placebo_p"))
    }
    return safe_style(shown, decimals=decimals)


# --- phone-sized charts --------------------------------------------------------------------------

_MARGIN_IN = 0.3
_LINE_SPACING = 1.3
_INK = "#222222"


def _lane_heading(ax: Axes, partner: str, x: float, y: float, va: str) -> None:
    """A partner's name in bold and its colour at the left of its lane (``x`` in axes
    fraction, ``y`` in data units)."""
    ax.text(
        x,
        y,
        PARTNER_NAMES.get(partner, partner),
        transform=ax.get_yaxis_transform(),
        ha="left",
        va=va,
        fontsize=TEXT_PT,
        fontweight="bold",
        color=PARTNER_COLOURS.get(partner, NEUTRAL),
        gid=f"lane:{partner}",
    )


def _lines_in(n: int, size: float) -> float:
    """The height of ``n`` lines of text of ``size`` points, in inches."""
    return n * size * _LINE_SPACING / 72


def _phone_figure(
    title: str,
    notes: Sequence[str],
    release: str,
    *,
    body_in: float,
    below_in: float,
    events: bool,
) -> tuple[Figure, Axes]:
    """A figure of the report's width laid out in inches, as the report's charts read: the
    title (the finding) on top, one axes ``body_in`` inches tall with ``below_in`` inches
    under it for its ticks and label, then the notes and the source credit, every line
    wrapped to the width as printed."""
    inner = FIGURE_WIDTH - 2 * _MARGIN_IN
    title_lines = wrap_text(title, inner, TITLE_PT, bold=True)
    note_lines = [line for note in notes if note for line in wrap_text(note, inner)]
    credit_lines = [
        line for part in credit(release, events).split("\n") for line in wrap_text(part, inner)
    ]
    title_in = _lines_in(len(title_lines), TITLE_PT)
    footer_in = _lines_in(len(note_lines) + len(credit_lines), TEXT_PT)
    top = 0.15 + title_in + 0.2
    bottom = 0.12 + footer_in + 0.12 + below_in
    height = top + body_in + bottom
    fig = Figure(figsize=(FIGURE_WIDTH, height))
    x = _MARGIN_IN / FIGURE_WIDTH
    # The title stays one string (wrapped when drawn): its first line is the image's alt text.
    fig.suptitle(
        title,
        wrap=True,
        x=x,
        y=1 - 0.15 / height,
        ha="left",
        va="top",
        fontsize=TITLE_PT,
        fontweight="bold",
        color=_INK,
        linespacing=_LINE_SPACING,
    )
    # Notes and credit as the figure's x label, where the style's ``footer_text`` reads them.
    fig.supxlabel(
        "\n".join([*note_lines, *credit_lines]),
        x=x,
        y=0.12 / height,
        ha="left",
        va="bottom",
        fontsize=TEXT_PT,
        color=NOTE_COLOUR,
        linespacing=_LINE_SPACING,
    )
    ax = fig.add_axes((x, bottom / height, inner / FIGURE_WIDTH, body_in / height))
    ax.tick_params(labelsize=TEXT_PT)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_yticks([])
    return fig, ax


def _unverified(timeline: pd.DataFrame | None) -> set[str]:
    if timeline is None or "verification" not in timeline.columns:
        return set()
    return set(timeline.loc[timeline["verification"] == "unverified", "event_id"])


def _partners(values: Iterable[str]) -> list[str]:
    """The partners of ``values`` in the report's order (Iran, North Korea, then others)."""
    present = set(values)
    return [p for p in PARTNER_NAMES if p in present] + sorted(present - set(PARTNER_NAMES))


# --- partnership milestones ----------------------------------------------------------------------

#: The event types the milestones chart marks: the events that put weapons in Russia's hands
#: or bound the partners (first uses, deliveries, agreements); the timeline table lists the rest.
MILESTONE_TYPES = ("first_use", "delivery", "agreement")
_TYPE_PLURALS = {
    "first_use": "first uses",
    "delivery": "deliveries",
    "agreement": "agreements",
    "statement": "statements",
    "production": "production reports",
    "deployment": "troop deployments",
}
_ADJECTIVES = {"iran": "Iranian", "north_korea": "North Korean"}
_WEAPON_WORDS = {"strike_drone": "drones", "ballistic_missile": "missiles"}
#: One line of milestone labels, the lane's heading, the space between lanes (inches).
_SLOT_IN = TEXT_PT * 1.6 / 72
_LANE_HEAD_IN = 0.36
_LANE_GAP_IN = 0.16
#: From a dot to its label, and between two labels sharing a line (inches).
_DOT_PAD_IN = 0.1
_LABEL_GAP_IN = 0.2


@dataclass(frozen=True)
class _Mark:
    """A milestone's label as placed: its lines, on which side of the dot, and the span it
    takes on its lines (dot included), in inches from the axes' left edge."""

    lines: tuple[str, ...]
    left: bool
    start: float
    end: float


def _mark(text: str, x: float, width: float) -> _Mark:
    """The label ``text`` of a dot ``x`` inches into an axes ``width`` inches wide: to the
    right of the dot when it fits, else to the left, else wrapped on the roomier side."""
    right_room, left_room = width - x - _DOT_PAD_IN, x - _DOT_PAD_IN
    printed = text_width(text)
    if printed <= right_room:
        left = False
    elif printed <= left_room:
        left = True
    else:
        left = left_room > right_room
    room = left_room if left else right_room
    lines = (text,) if printed <= room else _balanced(text, room)
    printed = max(text_width(line) for line in lines)
    if left:
        return _Mark(lines, True, x - _DOT_PAD_IN - printed, x + 0.06)
    return _Mark(lines, False, x - 0.06, x + _DOT_PAD_IN + printed)


def _balanced(text: str, width: float) -> tuple[str, ...]:
    """``text`` wrapped to ``width`` inches in as few lines as it needs, with those lines as
    even as they can be (no word left alone on the last line when the others can give)."""
    lines = wrap_text(text, width)
    while width > 0.5:
        trial = wrap_text(text, width - 0.1)
        if len(trial) != len(lines):
            break
        lines, width = trial, width - 0.1
    return tuple(lines)


def _first_fit(marks: Sequence[_Mark]) -> list[int]:
    """The first line of each mark, in order: the first lines where it overlaps no label
    already placed (labels on one line at least :data:`_LABEL_GAP_IN` apart)."""
    ends: list[float] = []
    slots = []
    for mark in marks:
        n = len(mark.lines)
        slot = 0
        while True:
            ends += [-np.inf] * max(0, slot + n - len(ends))
            if all(ends[slot + j] + _LABEL_GAP_IN <= mark.start for j in range(n)):
                break
            slot += 1
        for j in range(n):
            ends[slot + j] = mark.end
        slots.append(slot)
    return slots


def milestones_title(timeline: pd.DataFrame) -> str:
    """The chart's finding: when each partner's weapons were first used, from the timeline's
    first-use events (a plain heading when it has none)."""
    firsts = []
    for partner in _partners(timeline["partner"]):
        used = timeline[(timeline["partner"] == partner) & (timeline["event_type"] == "first_use")]
        if used.empty:
            continue
        row = used.sort_values("date", kind="stable").iloc[0]
        weapon = _WEAPON_WORDS.get(str(row.get("weapon_class", "")), "weapons")
        firsts.append((pd.Timestamp(row["date"]), f"{_ADJECTIVES.get(partner, partner)} {weapon}"))
    firsts.sort()
    if not firsts:
        return "Milestones of the Iran and North Korea supply partnerships"
    (day, what), rest = firsts[0], firsts[1:]
    text = f"{what} were first used in {day:%b %Y}"
    return text + "".join(f", {w} in {d:%b %Y}" for d, w in rest)


def milestones_chart(
    timeline: pd.DataFrame,
    release: str,
    *,
    event_types: Sequence[str] = MILESTONE_TYPES,
) -> Figure:
    """The key milestones of the partnerships on a time line, one lane per partner (Iran
    above North Korea), each a dot in the partner's colour at its date with its label beside
    it; labels that would collide go on further lines of the lane. Only the events of
    ``event_types`` are shown (the timeline table lists every event); an unverified event has
    a hollow dot. No text is smaller than the report's :data:`~analysis.figures.style.TEXT_PT`.
    """
    shown = timeline[timeline["event_type"].isin(list(event_types))]
    shown = shown.sort_values(["date", "event_id"], kind="stable")
    labels, unverified = event_labels(shown), _unverified(shown)
    width = FIGURE_WIDTH - 2 * _MARGIN_IN
    if shown.empty:
        first = last = pd.Timestamp(timeline["date"].max() if len(timeline) else "2022-01-01")
    else:
        first, last = shown["date"].min(), shown["date"].max()
    x0, x1 = first - pd.Timedelta(days=75), last + pd.Timedelta(days=75)

    def inches(day: pd.Timestamp) -> float:
        return (day - x0) / (x1 - x0) * width

    lanes = []
    for partner in _partners(shown["partner"]):
        rows = shown[shown["partner"] == partner]
        marks = [
            _mark(
                event_label(e, labels) + (" (unverified)" if e in unverified else ""),
                inches(d),
                width,
            )
            for e, d in zip(rows["event_id"], rows["date"], strict=True)
        ]
        slots = _first_fit(marks)
        depth = max((s + len(m.lines) for s, m in zip(slots, marks, strict=True)), default=0)
        lanes.append((partner, rows, marks, slots, _LANE_HEAD_IN + depth * _SLOT_IN + 0.08))
    body = (sum(h for *_, h in lanes) + _LANE_GAP_IN * max(len(lanes) - 1, 0)) or 0.8
    types = [_TYPE_PLURALS.get(t, t.replace("_", " ")) for t in event_types]
    notes = [
        f"Key events as publicly reported: {_join_words(types)} ({len(shown):,} of the "
        f"timeline's {len(timeline):,} events; the table lists them all)",
        "Hollow dot: the source could not be checked" if unverified else "",
    ]
    fig, ax = _phone_figure(
        milestones_title(timeline), notes, release, body_in=body, below_in=0.35, events=True
    )
    ax.set_ylim(body, 0)
    date_axis(ax, x0, x1)
    ax.grid(axis="x", color="0.88", linewidth=0.8)
    ax.set_axisbelow(True)
    if shown.empty:
        ax.text(
            0.5,
            0.5,
            "no milestone in the timeline",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=TEXT_PT,
            color=NOTE_COLOUR,
        )
    top = 0.0
    for partner, rows, marks, slots, height in lanes:
        _draw_lane(fig, ax, partner, rows, marks, slots, (top, top + height), unverified)
        top += height + _LANE_GAP_IN
    return fig


def _join_words(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _draw_lane(
    fig: Figure,
    ax: Axes,
    partner: str,
    rows: pd.DataFrame,
    marks: Sequence[_Mark],
    slots: Sequence[int],
    span: tuple[float, float],
    unverified: set[str],
) -> None:
    """One partner's lane over ``span`` (inches down the axes, top and bottom): a tinted
    band, the partner's name, and each milestone's dot and label."""
    colour = PARTNER_COLOURS.get(partner, NEUTRAL)
    top, bottom = span
    ax.axhspan(top, bottom, color=colour, alpha=0.09, linewidth=0, zorder=0)
    _lane_heading(ax, partner, 0.01, top + 0.06, "top")
    for (event_id, day), mark, slot in zip(
        zip(rows["event_id"], rows["date"], strict=True), marks, slots, strict=True
    ):
        y = top + _LANE_HEAD_IN + (slot + len(mark.lines) / 2) * _SLOT_IN
        hollow = event_id in unverified
        ax.plot(
            day,
            y,
            marker="o",
            markersize=8,
            color=colour,
            markerfacecolor="white" if hollow else colour,
            markeredgewidth=1.8,
            linestyle="none",
            gid=f"milestone:{event_id}",
            zorder=3,
        )
        shift = offset_copy(
            ax.transData, fig=fig, x=-_DOT_PAD_IN if mark.left else _DOT_PAD_IN, units="inches"
        )
        ax.text(
            day,
            y,
            "\n".join(mark.lines),
            transform=shift,
            ha="right" if mark.left else "left",
            va="center",
            fontsize=TEXT_PT,
            color=_INK,
            linespacing=1.1,
            gid=f"milestone-label:{event_id}",
            zorder=4,
        )


# --- event-study chart ---------------------------------------------------------------------------

#: The weapons an event study counts by default, per partner, in words.
_DEFAULT_SERIES = {"iran": "strike drones", "north_korea": "ballistic missiles"}
#: A partner's heading, and one event (its label line above its interval), in inches.
_HEAD_IN = 0.36
_EVENT_IN = 0.6


def event_study_chart(
    result: ModelResult,
    timeline: pd.DataFrame | None = None,
    *,
    release: str,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """The level change at each estimated event (weekly launches right after it against the
    trend before it, with its 95% interval) on a log scale: events grouped under their
    partner's name in its colour, each named by its label and date above its interval, in
    date order; a filled dot when the change survives correction for the number of events
    tested, hollow otherwise. The title says how many do. Labels come from ``timeline``
    (``labels`` overrides them); events it marks unverified get "(unverified)"."""
    table = result.table("events")
    names = {**event_labels(timeline), **(labels or {})}
    unverified = _unverified(timeline)
    done = table[table["status"] == "estimated"].sort_values("date", kind="stable")
    skipped = int((table["status"] != "estimated").sum())
    partners = _partners(done["partner"])
    texts = {
        row["event_id"]: _balanced(
            event_label(row["event_id"], names)
            + (" (unverified)" if row["event_id"] in unverified else "")
            + f", {day_label(row['date'])}",
            FIGURE_WIDTH - 2 * _MARGIN_IN,
        )
        for _, row in done.iterrows()
    }
    extra = _lines_in(1, TEXT_PT)
    body = (
        len(partners) * _HEAD_IN + sum(_EVENT_IN + (len(t) - 1) * extra for t in texts.values())
        or 1.0
    )
    summary = result.summary
    window, lag = summary.get("window_weeks"), summary.get("lag_weeks")
    xlabel = wrap_text(
        "weekly launches right after the event ÷ the trend before it (1 = no change, log scale)",
        FIGURE_WIDTH - 2 * _MARGIN_IN,
    )
    counted = [
        f"{_DEFAULT_SERIES[p]} for {PARTNER_NAMES[p]}" for p in partners if p in _DEFAULT_SERIES
    ]
    notes = [
        f"Weekly launches right after each event against the trend of the {window} weeks "
        "before it" + (f", after a lag of {lag} weeks" if lag else "") + "; the line is its "
        "likely range (95%)",
        (
            f"Launches counted: {_join_words(counted)} events, unless the event concerns "
            "another weapon"
        )
        if counted
        else "",
        "Filled dot: the change stays clear after allowing for the number of events tested; "
        "hollow: it does not"
        if len(done)
        else "",
        "Timing is association, not proof of cause: most windows hold several other events",
        f"Not shown: {skipped} event{'s' if skipped != 1 else ''} that could not be tested "
        "(see the table)"
        if skipped
        else "",
    ]
    fig, ax = _phone_figure(
        _chart_title(done),
        notes,
        release,
        body_in=body,
        below_in=0.4 + _lines_in(len(xlabel), TEXT_PT),
        events=True,
    )
    ax.set_xlabel("\n".join(xlabel), fontsize=TEXT_PT, color=_INK, linespacing=_LINE_SPACING)
    ax.set_ylim(body, 0)
    if done.empty:
        ax.text(
            0.5,
            0.5,
            "no event could be tested with these windows",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=TEXT_PT,
            color=NOTE_COLOUR,
        )
        ax.set_xticks([])
        return fig
    _ratio_axis(ax, done)
    top = 0.0
    for partner in partners:
        colour = PARTNER_COLOURS.get(partner, NEUTRAL)
        _lane_heading(ax, partner, 0, top + _HEAD_IN / 2, "center")
        top += _HEAD_IN
        for _, row in done[done["partner"] == partner].iterrows():
            lines = texts[row["event_id"]]
            ax.text(
                0,
                top + 0.16 + (len(lines) - 1) * extra / 2,
                "\n".join(lines),
                transform=ax.get_yaxis_transform(),
                ha="left",
                va="center",
                fontsize=TEXT_PT,
                color=_INK,
                zorder=3,
                gid=f"event-label:{row['event_id']}",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5, "alpha": 0.85},
            )
            y = top + 0.42 + (len(lines) - 1) * extra
            ax.plot(
                [row["ratio_low"], row["ratio_high"]],
                [y, y],
                color=colour,
                linewidth=2.5,
                solid_capstyle="butt",
                zorder=2,
            )
            ax.plot(
                row["ratio"],
                y,
                marker="o",
                markersize=8,
                color=colour,
                markerfacecolor=colour if survives(row) else "white",
                markeredgewidth=1.8,
                zorder=4,
                gid=f"event:{row['event_id']}",
            )
            top += _EVENT_IN + (len(lines) - 1) * extra
    return fig


def _ratio_axis(ax: Axes, done: pd.DataFrame) -> None:
    """The log-scale ratio axis with plain ticks and the no-change line at 1."""
    ax.axvline(1, color="0.3", linewidth=1, zorder=1)
    ax.set_xscale("log")
    values = pd.concat([done["ratio_low"], done["ratio_high"]]).astype(float)
    low = min(values.min(), 0.5) / 1.3
    high = max(values.max(), 2.0) * 1.3
    ax.set_xlim(low, high)
    steps: tuple[float, ...] = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200)
    if np.log10(high / low) > 3:  # a wide range: fewer ticks, so that their labels stay apart
        steps = (0.01, 0.1, 0.5, 1, 2, 10, 100)
    ticks = [t for t in steps if low <= t <= high]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.grid(axis="x", color="0.9", linewidth=0.8)
    ax.set_axisbelow(True)


def _chart_title(done: pd.DataFrame) -> str:
    """The finding of the chart in plain words: how many of the events tested are followed
    by a change that stays clear after allowing for the number of events tested."""
    n = len(done)
    if n == 0:
        return "No event could be tested with these windows"
    k = sum(survives(row) for _, row in done.iterrows())
    if n == 1:
        verb = "is" if k else "is not"
        return f"The one event tested {verb} followed by a clear change in weekly launches"
    if k == 0:
        return f"None of the {n} events tested is followed by a clear change in weekly launches"
    return (
        f"{k} of the {n} events tested {'is' if k == 1 else 'are'} followed by a clear change "
        "in weekly launches"
    )


__all__ = [
    "MILESTONE_TYPES",
    "PARTNER_COLOURS",
    "event_study_chart",
    "event_table_style",
    "event_verdict_table",
    "label_lags_table",
    "milestones_chart",
    "milestones_title",
    "near_reference_table",
    "origin_month_table",
    "production_claims_table",
    "safe_style",
    "source_link",
    "supply_years_table",
    "timeline_html",
    "timeline_rows",
]
