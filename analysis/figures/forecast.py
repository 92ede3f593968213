"""Charts of the weekly launch forecasts (``notebooks/05_forecast.ipynb``).

Each function returns a matplotlib :class:`~matplotlib.figure.Figure` built without pyplot
state in the report style of :mod:`analysis.figures.style`: one chart per figure at full
width, panels one under the other, large text, thousands separators, direct labels instead of
legends and the source credit under the chart. Actual launches and the forecast shown take the
group's colour (drones blue, missiles vermillion); the other models and the simple rules
(baselines) are grey context, the rules dashed.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis.figures import palette
from analysis.figures.style import (
    NOTE_COLOUR,
    TEXT_PT,
    about,
    concept_colour,
    count_axis,
    date_axis,
    end_labels,
    panel_title,
    report_figure,
)
from analysis.figures.style import set_credit as _credit
from analysis.figures.style import set_title as _title
from analysis.findings.forecast import GroupForecast, label, skill_verdict, snapshot_model
from analysis.findings.text import day_label
from analysis.models.forecast import BASELINES

#: The other models and the simple rules are context: grey, the rules dashed.
CONTEXT_COLOUR = palette.NEUTRAL
#: Rings around the weeks that fell outside a saved forecast's 80% range.
MISS_COLOUR = "black"
#: The fan's end labels in a reader's words: the 95% top, the 80% top, the median.
PLAIN_NAMES = ("19 in 20", "8 in 10", "expected")
#: How to read a fan, in a reader's words.
PLAIN_FAN = (
    "the expected count dashed, the likely range (8 weeks in 10) dark, a wider range "
    "(19 weeks in 20) light"
)


def _fan(
    ax: Axes,
    x,
    rows: pd.DataFrame,
    colour,
    start_value: float | None,
    *,
    strong: bool,
    bands: bool = True,
    names: tuple[str, str, str] = ("95%", "80%", "median"),
) -> list[tuple]:
    """Median line (dashed) and 80%/95% bands of forecast ``rows`` at ``x``; with
    ``start_value`` the fan opens from the last observed week. Returns the direct labels of
    the fan's end (see :func:`analysis.figures.style.end_labels`): ``names`` of the 95% top,
    the 80% top and the median."""
    x = list(x)
    point = rows["point"].to_numpy(dtype=float)
    lo80, hi80 = rows["lo80"].to_numpy(dtype=float), rows["hi80"].to_numpy(dtype=float)
    lo95, hi95 = rows["lo95"].to_numpy(dtype=float), rows["hi95"].to_numpy(dtype=float)
    if start_value is not None:
        point, lo80, hi80, lo95, hi95 = (
            np.insert(a, 0, start_value) for a in (point, lo80, hi80, lo95, hi95)
        )
    if bands:
        ax.fill_between(x, lo95, hi95, color=colour, alpha=0.15 if strong else 0.12, linewidth=0)
        ax.fill_between(x, lo80, hi80, color=colour, alpha=0.3 if strong else 0.25, linewidth=0)
    ax.plot(x, point, color=colour, linewidth=2.4 if strong else 1.6, linestyle="--", zorder=3)
    if not len(point):
        return []
    return [
        (x[-1], float(hi95[-1]), names[0], NOTE_COLOUR),
        (x[-1], float(hi80[-1]), names[1], NOTE_COLOUR),
        (x[-1], float(point[-1]), names[2], NOTE_COLOUR),
    ]


def _verdict_title(fc: GroupForecast) -> str:
    """The finding of the backtest, as a note under the chart."""
    if fc.beats_baseline:
        return f"the {label(fc.chosen)} beats the simple rules in the backtest"
    if fc.chosen in BASELINES:
        return f"no model beats the simple rule ({label(fc.chosen)}), so it is shown"
    return f"forecast of the {label(fc.chosen)}"


def forecast_title(fc: GroupForecast) -> str:
    """The forecast chart's finding: the median of the forecast shown, per week over the
    horizon ("Drones: about 1,100 launches a week expected over the next 8 weeks")."""
    table = fc.result.table("forecast")
    rows = table[table["model"] == fc.chosen]
    group = fc.group.capitalize()
    if rows.empty:
        return f"{group}: recent weekly launches"
    weeks = len(rows)
    return (
        f"{group}: about {about(float(rows['point'].mean()))} launches a week expected over "
        f"the next {weeks} week{'s' if weeks != 1 else ''}"
    )


# Forecast fan per model --------------------------------------------------------------------------


def forecast_chart(
    fc: GroupForecast, *, release: str, history_weeks: int = 65, panels: int = 1
) -> Figure:
    """The group's last ``history_weeks`` complete weeks and the forecast of the next weeks
    (median, 80% and 95% ranges) of the shown model, titled with :func:`forecast_title`.

    With ``panels`` 1 (the reader's chart) the notes say in plain words how to read it and
    which forecast is shown (:func:`~analysis.findings.forecast.skill_verdict`). With more,
    the forecast shown comes first, emphasised in the group's colour, then those of the other
    models with the best backtest scores in grey, up to ``panels`` panels one under the other
    on one shared scale, each named with its backtest error score (the method fold's chart).

    Bands that run above the top of the shared scale are cut, with their peak written in the
    panel.
    """
    table = fc.result.table("forecast")
    history = fc.result.table("history")["launched"].iloc[-history_weeks:]
    ranks = fc.tested.table("summary").set_index("model")
    others = [m for m in ranks.index if m != fc.chosen and m in set(table["model"])]
    models = [fc.chosen, *others][: max(panels, 1)]
    plain = len(models) == 1
    last_week, last_value = history.index[-1], float(history.iloc[-1])
    chosen_rows = table[table["model"] == fc.chosen]
    top = 1.1 * max(float(history.max()), float(chosen_rows["hi95"].max()), 1.0)
    group = fc.group
    colour = concept_colour(group)
    with report_figure(4.0 + 2.3 * len(models)) as fig:
        axes = fig.subplots(len(models), 1, sharex=True, sharey=True, squeeze=False)[:, 0]
        for ax, model in zip(axes, models, strict=True):
            rows = table[table["model"] == model].sort_values("step")
            strong = model == fc.chosen
            ax.plot(
                history.index,
                history.to_numpy(),
                color=colour,
                linewidth=1.6,
                marker="o",
                markersize=3.5,
                zorder=4,
            )
            ends = _fan(
                ax,
                [last_week, *rows["week"]],
                rows,
                colour if strong else CONTEXT_COLOUR,
                last_value,
                strong=strong,
                names=PLAIN_NAMES if plain else ("95%", "80%", "median"),
            )
            ax.axvline(last_week, color=CONTEXT_COLOUR, linewidth=1.0, linestyle=":", zorder=1)
            if not plain:
                _model_title(ax, model, ranks, strong=strong)
            peak = float(rows["hi95"].max())
            if peak > top:
                band = "the wider range" if plain else "the 95% band"
                ax.text(
                    0.99,
                    0.97,
                    f"{band} reaches {peak:,.0f}",
                    transform=ax.transAxes,
                    ha="right",
                    va="top",
                    fontsize=TEXT_PT,
                    color=NOTE_COLOUR,
                )
            count_axis(ax, ylabel="per week", from_zero=False)
            ax.set_ylim(0, top)
            end_labels(ax, [e for e in ends if e[1] <= top])
        date_axis(axes[0], history.index[0], table["week"].max(), pad=True)
        title = forecast_title(fc) if plain else f"{fc.group.capitalize()}: the forecast shown "
        title += "" if plain else f"beside those of {len(models) - 1} other methods"
        _title(fig, title, _plain_notes(fc, len(history)) if plain else _notes(fc))
        _credit(fig, release)
    return fig


def _model_title(ax: Axes, model: str, ranks: pd.DataFrame, *, strong: bool) -> None:
    """A comparison panel's title: the model and its backtest error score, bold if shown."""
    mase = ranks.loc[model, "mase"] if model in ranks.index else float("nan")
    name = label(model)
    name = name[:1].upper() + name[1:]
    if strong:
        ax.set_title(
            f"{name}: shown (backtest error score {mase:.2f})",
            loc="left",
            fontsize=TEXT_PT + 1,
            fontweight="bold",
            wrap=True,
        )
    else:
        panel_title(ax, f"{name} (backtest error score {mase:.2f})")


def _plain_notes(fc: GroupForecast, weeks: int) -> list[str]:
    """How to read the reader's forecast chart, and which forecast it shows."""
    return [
        f"Launches per complete Monday-to-Sunday week (Kyiv time): the last {weeks} weeks "
        f"(line with dots), then the next {fc.horizon} weeks after the dotted line: {PLAIN_FAN}",
        skill_verdict(fc),
    ]


def _notes(fc: GroupForecast) -> list[str]:
    """How to read the comparison chart of the method fold."""
    return [
        f"Complete Monday-to-Sunday weeks (Kyiv), then the next {fc.horizon} weeks after the "
        "dotted line: the forecast's median dashed, its 80% and 95% ranges shaded, as wide as "
        "the backtest's errors",
        f"Model shown: {_verdict_title(fc)}; grey panels: other models, for comparison; "
        "shared scale",
        "Backtest error score: the average error as a multiple of the typical change "
        "from one week to the next (lower is better)",
    ]


# Backtest error by horizon -----------------------------------------------------------------------


def mase_by_horizon_chart(forecasts: Mapping[str, GroupForecast], *, release: str) -> Figure:
    """Backtest error score (MASE) of every model at each horizon on the backtest's later
    (scoring) weeks only, one panel per group under each other: the shown model in the
    group's colour, the simple rules dashed grey, the other models thin grey; the shown model
    and the rules are labelled at their ends."""
    groups = list(forecasts)
    with report_figure(3.6 + 3.2 * max(len(groups), 1)) as fig:
        axes = fig.subplots(max(len(groups), 1), 1, squeeze=False)[:, 0]
        for ax, group in zip(axes, groups, strict=True):
            fc = forecasts[group]
            scores = fc.tested.table("scores")
            ends = []
            for model in fc.tested.table("summary")["model"]:
                rows = scores[scores["model"] == model].sort_values("step")
                strong = model == fc.chosen
                baseline = model in BASELINES
                colour = concept_colour(group) if strong else CONTEXT_COLOUR
                ax.plot(
                    rows["step"],
                    rows["mase"],
                    color=colour,
                    linewidth=2.8 if strong else 1.6 if baseline else 1.1,
                    marker="o" if strong else None,
                    markersize=5,
                    linestyle="--" if baseline else "-",
                    alpha=1.0 if strong or baseline else 0.7,
                    zorder=3 if strong else 2,
                )
                if (strong or baseline) and len(rows):
                    name = textwrap.fill(label(model) + (" (shown)" if strong else ""), 20)
                    text_colour = colour if strong else NOTE_COLOUR
                    ends.append(
                        (rows["step"].iloc[-1], float(rows["mase"].iloc[-1]), name, text_colour)
                    )
            origins = int(fc.tested.summary["origins"])
            verdict = "a model beats them" if fc.beats_baseline else "no model beats them"
            panel_title(ax, f"{group.capitalize()}: {verdict} ({origins:,} later weeks)")
            ax.set_xlabel("weeks ahead", fontsize=TEXT_PT)
            ax.set_ylabel("error score", fontsize=TEXT_PT)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylim(bottom=0)
            ax.grid(axis="x", visible=False)
            sns.despine(ax=ax, left=True)
            end_labels(ax, ends)
        beaten = sum(forecasts[g].beats_baseline for g in groups)
        _title(
            fig,
            "No model forecasts better than the simple rules"
            if beaten == 0
            else f"A model beats the simple rules for {beaten} of {len(groups)} groups",
            [
                "Backtest error score by weeks ahead, on weeks that did not help choose the "
                "models: the average error as a multiple of the typical change from one week to "
                "the next (lower is better; the mean absolute scaled error, MASE)",
                "Dashed grey: the simple rules; thin grey: the other models",
            ],
        )
        _credit(fig, release)
    return fig


# Earlier forecasts against what happened -----------------------------------------------------


def snapshot_title(scored: pd.DataFrame) -> str:
    """The snapshot chart's finding: how many of the weeks observed since fell inside the
    saved forecasts' 80% ranges."""
    inside = scored["in80"].astype(bool)
    if not len(inside):
        return "Earlier forecasts against what happened"
    return (
        f"Earlier forecasts: {int(inside.sum()):,} of {len(inside):,} weeks since fell inside "
        "their likely range"
    )


def snapshot_chart(
    scored: pd.DataFrame,
    weekly: pd.DataFrame,
    forecasts: Mapping[str, GroupForecast | str],
    *,
    release: str,
    lead_weeks: int = 12,
) -> Figure:
    """Forecasts saved from older releases against the weeks that followed, one panel per
    group under each other: the actual weekly launches from ``lead_weeks`` before the
    forecast on, the saved forecast of the model chosen now (median, 80% and 95% ranges, in
    the group's colour) and the other saved models' medians in grey; weeks outside the 80%
    range are ringed. Titled with :func:`snapshot_title` over the models chosen now.

    ``scored`` is :func:`analysis.models.forecast.score_snapshots`; ``weekly`` is
    :func:`analysis.models.forecast.weekly_table` of this release; ``forecasts`` maps each
    group to its :class:`GroupForecast` (or straight to the model this release's backtest
    chose).
    """
    chosen = {g: fc if isinstance(fc, str) else fc.chosen for g, fc in forecasts.items()}
    groups = [g for g in chosen if g in set(scored["series"])]
    if not groups:
        raise ValueError("no scored snapshot of the groups given")
    releases = sorted(scored["release"].unique())
    shown_rows = []
    with report_figure(3.6 + 3.4 * len(groups)) as fig:
        axes = fig.subplots(len(groups), 1, squeeze=False)[:, 0]
        for ax, group in zip(axes, groups, strict=True):
            colour = concept_colour(group)
            rows = scored[scored["series"] == group]
            first = pd.Timestamp(rows["last_observed_week"].min()) - pd.Timedelta(weeks=lead_weeks)
            last = pd.Timestamp(rows["week"].max())
            actual = weekly[group]
            actual = actual[(actual.index >= first) & (actual.index <= last)]
            for older in releases:
                snap = rows[rows["release"] == older]
                if snap.empty:
                    continue
                model = snapshot_model(snap["model"], chosen[group])
                for other in snap["model"].unique():
                    if other == model:
                        continue
                    o = snap[snap["model"] == other].sort_values("week")
                    ax.plot(
                        o["week"],
                        o["point"],
                        color=CONTEXT_COLOUR,
                        linewidth=1.1,
                        linestyle=":",
                        zorder=2,
                    )
                mine = snap[snap["model"] == model].sort_values("week")
                shown_rows.append(mine)
                start = pd.Timestamp(mine["last_observed_week"].iloc[0])
                if start in weekly.index:
                    x, opening = [start, *mine["week"]], float(weekly.loc[start, group])
                else:
                    x, opening = list(mine["week"]), None
                _fan(ax, x, mine, colour, opening, strong=True, names=PLAIN_NAMES)
                ax.axvline(start, color=CONTEXT_COLOUR, linewidth=1.0, linestyle=":", zorder=1)
                note = ax.text(
                    start,
                    1.0,
                    f"forecast made with data to {day_label(older)} ",
                    color=NOTE_COLOUR,
                    transform=ax.get_xaxis_transform(),
                    fontsize=TEXT_PT,
                    ha="right",
                    va="top",
                )
                note.set_in_layout(False)  # the panel keeps the figure's width
                missed = mine[~mine["in80"].astype(bool)]
                ax.scatter(
                    missed["week"],
                    missed["actual"],
                    s=110,
                    facecolors="none",
                    edgecolors=MISS_COLOUR,
                    linewidths=1.5,
                    zorder=5,
                    clip_on=False,
                )
            ax.plot(
                actual.index,
                actual.to_numpy(),
                color=colour,
                linewidth=1.6,
                marker="o",
                markersize=3.5,
                zorder=4,
            )
            panel_title(
                ax, f"{group.capitalize()}: what the earlier forecast said and what happened"
            )
            ax.set_ylim(bottom=0)
            count_axis(ax, ylabel="per week", from_zero=False)
            date_axis(ax, actual.index.min() if len(actual) else first, last, pad=True)
        _title(
            fig,
            snapshot_title(pd.concat(shown_rows) if shown_rows else scored.iloc[:0]),
            [
                "Forecasts saved from earlier data releases, checked against the weeks reported "
                "since, by the method that this release's test chooses",
                f"Line with dots: actual weekly launches; the saved forecast: {PLAIN_FAN}; "
                "dotted grey: what other methods expected; black rings: weeks outside the "
                "likely range",
            ],
        )
        _credit(fig, release)
    return fig
