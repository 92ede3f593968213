"""The landing page's hero chart: launches per month over the whole period, drones above
missiles, with the partnership milestones marked and the record nights labelled.

Drones and missiles get their own panels because their scales differ a hundredfold; a shared
panel would flatten the missiles to a line on the floor. The milestones sit in a strip above
the panels, one row each, so their labels never collide with each other or with the bars.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure

from analysis.data.overview import largest_wave
from analysis.figures import palette
from analysis.figures.partnerships import PARTNER_COLOURS
from analysis.figures.style import count_axis, credit, date_axis

#: The milestones the hero chart marks (``event_id`` of the curated timeline): the first
#: attack on Kyiv with Iranian-design drones, the plan to build them in Russia, the first
#: North Korean missiles, and the two treaties. The full timeline is on the partnerships page.
HERO_EVENTS = (
    "first-shahed-attack-kyiv",
    "wsj-alabuga-plant",
    "nk-srbm-first-use",
    "russia-dprk-treaty-signed",
    "russia-iran-treaty-signed",
)
#: Six inches at 12 pt: text stays at least 11 px when the image is shown 400 px wide.
WIDTH = 6.0
FONT = 12


def milestones(timeline: pd.DataFrame, keys: Sequence[str] = HERO_EVENTS) -> pd.DataFrame:
    """The chosen events in date order: ``date, partner, label`` (``label`` falls back to the
    event's description when the timeline has no label column)."""
    chosen = timeline[timeline["event_id"].isin(list(keys))].copy()
    text = chosen["label"] if "label" in chosen else chosen["description"].str.slice(0, 40)
    return (
        pd.DataFrame(
            {
                "date": pd.to_datetime(chosen["date"]),
                "partner": chosen["partner"],
                "label": text.astype(str),
            }
        )
        .sort_values("date", kind="stable")
        .reset_index(drop=True)
    )


def hero_title(drones: pd.Series) -> str:
    """The finding in the title: how many times the first year's monthly drone launches the
    last twelve complete months averaged."""
    if len(drones) < 24:
        return "Russia's long-range drone and missile launches at Ukraine, month by month"
    first, last = drones.iloc[:12].mean(), drones.iloc[-12:].mean()
    if first > 0 and last / first >= 2:
        return (
            f"Monthly drone launches are now about {last / first:.0f} times what they were in "
            "the first year of the record"
        )
    return "Russia's long-range drone and missile launches at Ukraine, month by month"


def _bars(ax, series: pd.Series, colour: str) -> None:
    ax.bar(series.index + pd.Timedelta(days=15), series.to_numpy(), width=26, color=colour)


def _record(ax, series: pd.Series, record: tuple[pd.Timestamp, int] | None, unit: str) -> None:
    """Label the month of the record night with the night's count and date, the text in the
    panel's upper left (where the early, low bars leave room) and a line to the month."""
    if record is None or series.empty:
        return
    day, count = record
    month = pd.Timestamp(day).to_period("M").start_time
    height = float(series.get(month, series.max()))
    ax.annotate(
        f"Largest single attack:\n{count:,} {unit} on {day.day} {day:%b %Y}",
        xy=(month + pd.Timedelta(days=15), height),
        xytext=(0.03, 0.93),
        textcoords="axes fraction",
        ha="left",
        va="top",
        fontsize=FONT,
        arrowprops={"arrowstyle": "-", "color": "0.3", "linewidth": 0.8},
    )


#: Inches the date axis leaves for the plot (the figure less the count labels on the left).
PLOT_WIDTH = WIDTH - 0.9


def _chars_for(share: float) -> int:
    """How many characters fit in ``share`` of the plot's width (0.55 em per character)."""
    return max(12, int(share * PLOT_WIDTH * 72 / (0.55 * FONT)))


def _placed(events: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp) -> list[dict]:
    """Each milestone's text, wrapped to the wider side of its dot, and that side."""
    span = (last - first).days or 1
    out = []
    for event in events.itertuples(index=False):
        where = (event.date - first).days / span
        right = where <= 0.5  # the text goes where there is more room
        room = (1 - where if right else where) - 0.03
        label = f"{event.label} ({event.date:%b}\u00a0{event.date:%Y})"  # the date unbroken
        text = "\n".join(textwrap.wrap(label, _chars_for(room)))
        out.append({"event": event, "text": text, "right": right, "lines": text.count("\n") + 1})
    return out


def _strip(ax, placed: list[dict]) -> None:
    """One row per milestone, top to bottom in date order: a dot at its date and its text on
    the side with more room."""
    y = sum(p["lines"] for p in placed)
    for item in placed:
        event = item["event"]
        colour = PARTNER_COLOURS.get(str(event.partner), palette.NEUTRAL)
        middle = y - item["lines"] / 2
        ax.plot([event.date], [middle], "o", color=colour, markersize=7)
        ax.vlines(event.date, -0.2, middle, color=colour, linestyle=":", linewidth=1.2)
        ax.text(
            event.date + pd.Timedelta(days=20 if item["right"] else -20),
            middle,
            item["text"],
            ha="left" if item["right"] else "right",
            va="center",
            fontsize=FONT,
            color=colour,
            linespacing=1.1,
        )
        y -= item["lines"]
    ax.set_ylim(-0.2, sum(p["lines"] for p in placed) + 0.2)
    ax.axis("off")


def hero_chart(
    drones: pd.Series,
    missiles: pd.Series,
    timeline: pd.DataFrame,
    *,
    release: str,
    drone_record: tuple[pd.Timestamp, int] | None = None,
    missile_record: tuple[pd.Timestamp, int] | None = None,
) -> Figure:
    """Launches per complete month, drones above missiles, milestones in a strip on top
    (colour by partner) with dotted lines down through both panels, record nights labelled.

    ``drones``/``missiles``: launches per month indexed by the month's first day;
    ``timeline``: the curated events (:func:`analysis.data.events.read_events`)."""
    events = milestones(timeline)
    first = min(drones.index.min(), missiles.index.min()) if len(missiles) else drones.index.min()
    last = max(drones.index.max(), missiles.index.max()) if len(missiles) else drones.index.max()
    first, last = pd.Timestamp(first), pd.Timestamp(last) + pd.offsets.MonthBegin(1)
    events = events[(events["date"] >= first) & (events["date"] <= last)]
    fig = Figure(figsize=(WIDTH, 8.4), layout="constrained")
    placed = _placed(events, first, last)
    lines = max(sum(p["lines"] for p in placed), 1)
    axes = fig.subplots(3, 1, sharex=True, height_ratios=[0.24 * lines, 3.2, 2.0])
    strip, top, bottom = axes
    _strip(strip, placed)
    _bars(top, drones, palette.DRONES)
    _bars(bottom, missiles, palette.MISSILES)
    for ax, title in ((top, "Long-range drones a month"), (bottom, "Missiles a month")):
        count_axis(ax, title)
        ax.title.set_fontsize(FONT + 1)
        ax.tick_params(labelsize=FONT)
        for event in events.itertuples(index=False):
            colour = PARTNER_COLOURS.get(str(event.partner), palette.NEUTRAL)
            ax.axvline(event.date, color=colour, linestyle=":", linewidth=1.2)
    _record(top, drones, drone_record, "drones")
    if missile_record is not None:
        day, count = missile_record
        bottom.set_title(
            f"Missiles a month (largest attack: {count:,} on {day.day} {day:%b %Y})",
            loc="left",
            fontsize=FONT + 1,
        )
    date_axis(bottom, first, last)
    bottom.tick_params(axis="x", labelsize=FONT)
    title = hero_title(drones)
    fig.suptitle(_wrap(title, 48), x=0.01, ha="left", fontsize=FONT + 3, fontweight="bold")
    fig.supxlabel(
        _wrap(credit(release, events=True), 64), x=0.01, ha="left", fontsize=FONT, color="0.35"
    )
    return fig


def _wrap(text: str, width: int = 52) -> str:
    return "\n".join(line for part in text.split("\n") for line in textwrap.wrap(part, width))


def record_of(waves: pd.DataFrame, column: str) -> tuple[pd.Timestamp, int] | None:
    """The date and count of the wave with the most ``column`` (None when there is none)."""
    top = largest_wave(waves, column)
    return None if top is None else (pd.Timestamp(top["date"]), int(top[column]))
