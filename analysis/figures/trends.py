"""Charts of the escalation trends (``notebooks/02_escalation_trends.ipynb``).

Two charts, each a matplotlib :class:`~matplotlib.figure.Figure` built without pyplot state in
the report style of :mod:`analysis.figures.style` (full width, large text, thousands
separators, the source credit under the chart), in the colour of the group charted (drones
blue, missiles vermillion, others grey), with direct labels instead of legends:

* :func:`trend_chart`: observed counts per period with the fitted trend
  (:func:`analysis.models.trend.fit_trend`), its 95% band and, lighter and grey, the 95% range
  of single periods; the start of each growth window is marked. Titled with how far the trend
  moved over the span.
* :func:`regimes_chart`: weekly launches with the levels of
  :func:`analysis.models.regimes.find_regimes` as steps (with their 95% intervals) and the
  dates of the changes as lines with their 95% intervals shaded. Titled with the number of
  changes and the first and last level.

Both draw two panels, one under the other, over the same dates: counts on an ordinary scale,
where the recent weeks dominate, and on a log scale (``log(1 + count)``, so quiet weeks of zero
stay on the chart), where constant growth is a straight line and the early, smaller steps can
be seen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import Markdown
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from analysis.data.labels import PERIOD_WORDS, group_label
from analysis.figures import palette
from analysis.figures.style import (
    NOTE_COLOUR,
    TEXT_PT,
    about,
    concept_colour,
    count_axis,
    day_label,
    end_labels,
    panel_title,
    report_figure,
    short_name,
)
from analysis.figures.style import date_axis as _date_axis
from analysis.figures.style import set_credit as _credit
from analysis.figures.style import set_title as _title
from analysis.figures.style import thousands as _thousands
from analysis.findings.trends import (
    RegimeFit,
    TrendFit,
    breaks_display,
    breaks_table,
    dispersion_finding,
    growth_display,
    growth_table,
    regime_display,
    regime_table,
    regimes_caption,
    trend_caption,
)
from analysis.modelresult import ModelResult
from analysis.results import Publisher

#: Context (the range of single periods, the changes of level) is grey; the group's own
#: numbers take its concept colour (:func:`analysis.figures.style.concept_colour`).
CONTEXT_COLOUR = palette.NEUTRAL
_LOG_TICKS = (0, 1, 3, 10, 30, 100, 300, 1_000, 3_000, 10_000, 30_000, 100_000)
#: Height of the two-panel charts, in inches (title, two panels, notes and credit).
_HEIGHT = 9.4


def _log_axis(ax: Axes, title: str, ylabel: str, top: float) -> None:
    """``log(1 + y)`` scale: zero stays at the bottom, equal ratios are equal distances."""
    ax.set_yscale("function", functions=(np.log1p, np.expm1))
    ticks = [t for t in _LOG_TICKS if t <= max(top, 1)]
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.set_ylim(-0.2, max(top, 1) * 1.15)  # a little below zero: dots at zero stay whole
    panel_title(ax, title)
    ax.set_ylabel(ylabel, fontsize=TEXT_PT)
    ax.grid(axis="x", visible=False)
    sns.despine(ax=ax, left=True)


def _period_length(periods: pd.Series, freq: str) -> pd.Series:
    """Days of each period (for bar widths and the right edge of the axis)."""
    if freq == "M":
        return pd.Series(pd.DatetimeIndex(periods).days_in_month, index=periods.index)
    return pd.Series(7 if freq == "W" else 1, index=periods.index)


def _observed(
    ax: Axes,
    periods: pd.Series,
    values: pd.Series,
    freq: str,
    colour: str,
    points: bool = False,
):
    """Observed counts: bars, or dots with ``points`` (on a log scale a bar's length means
    nothing); a thin line for daily data, where bars one day wide do not read."""
    length = _period_length(periods, freq)
    middle = periods + pd.to_timedelta(length / 2, unit="D")
    if freq == "D":
        return ax.plot(middle, values, color=colour, linewidth=0.6, alpha=0.6)[0]
    if points:
        return ax.plot(middle, values, "o", color=colour, markersize=3.2, alpha=0.6)[0]
    return ax.bar(middle, values, width=length * 0.92, color=colour, alpha=0.4, linewidth=0)


def _moved(first: float, last: float) -> str:
    """``rose``, ``fell`` or ``held`` for a level that went from ``first`` to ``last``."""
    if last > 1.05 * first:
        return "rose"
    if last < 0.95 * first:
        return "fell"
    return "held"


def trend_title(frame: pd.DataFrame, group: str, unit: str) -> str:
    """The trend chart's finding: where the fitted trend started and ended ("The trend of
    drones launched rose from about 90 to about 1,100 a week")."""
    fitted = frame["fitted"].astype(float)
    first, last = float(fitted.iloc[0]), float(fitted.iloc[-1])
    moved = _moved(first, last)
    noun = short_name(group)
    if moved == "held":
        return f"The trend of {noun} launched held at about {about(last)} a {unit}"
    return (
        f"The trend of {noun} launched {moved} from about {about(first)} to about "
        f"{about(last)} a {unit}"
    )


# Trend ------------------------------------------------------------------------------------------


def trend_chart(result: ModelResult, *, release: str, group: str, freq: str = "W") -> Figure:
    """Observed counts, the fitted trend with its 95% band and the 95% range of single
    periods (grey), on an ordinary and a log scale, one under the other; dotted lines mark
    where each growth window of ``result.table("growth")`` starts. Titled with
    :func:`trend_title`; the trend is labelled at its end instead of a legend.

    ``result`` is :func:`analysis.models.trend.fit_trend` (or ``fit_trend_strikes``) output.
    Values are drawn at the middle of each period.
    """
    frame = result.table("fitted").sort_values("period").reset_index(drop=True)
    growth = result.table("growth")
    unit, _adjective = PERIOD_WORDS[freq]
    periods = pd.to_datetime(frame["period"])
    length = _period_length(periods, freq)
    middle = periods + pd.to_timedelta(length / 2, unit="D")
    first, last = periods.iloc[0], periods.iloc[-1] + pd.Timedelta(days=float(length.iloc[-1]))
    windows = growth[growth["window"] != "whole span"].dropna(subset=["start"])
    top = float(
        max(frame["observed"].max(), frame["predict_high"].max(), frame["fitted_high"].max())
    )
    colour = concept_colour(group)
    with report_figure(_HEIGHT) as fig:
        linear, log = fig.subplots(2, 1, sharex=True, height_ratios=[1.25, 1])
        for ax in (linear, log):
            ax.fill_between(
                middle,
                frame["predict_low"],
                frame["predict_high"],
                color=CONTEXT_COLOUR,
                alpha=0.18,
                linewidth=0,
            )
            _observed(ax, periods, frame["observed"], freq, colour, points=ax is log)
            ax.fill_between(
                middle,
                frame["fitted_low"],
                frame["fitted_high"],
                color=colour,
                alpha=0.3,
                linewidth=0,
            )
            ax.plot(middle, frame["fitted"], color=colour, linewidth=2.6)
            for _, row in windows.iterrows():
                ax.axvline(
                    row["start"], color=CONTEXT_COLOUR, linestyle=":", linewidth=1.4, zorder=0.5
                )
        count_axis(linear, f"Launches per {unit}", f"launched per {unit}")
        ymax = max(float(frame["observed"].max()), float(frame["fitted_high"].max()))
        linear.set_ylim(0, ymax * 1.08 if ymax > 0 else 1)
        _log_axis(
            log,
            "Log scale: steady growth is a straight line",
            f"per {unit} (log scale)",
            top,
        )
        # Written left of their lines near the bottom (quiet early weeks are low), one above
        # the other so that windows a few months apart do not overlap; only windows that start
        # inside the span drawn.
        inside = windows[(windows["start"] > first) & (windows["start"] <= last)]
        for i, (_, row) in enumerate(inside.iterrows()):
            log.annotate(
                f"{row['window']} ",
                (row["start"], 0.03 + 0.12 * i),
                xycoords=("data", "axes fraction"),
                va="bottom",
                ha="right",
                fontsize=TEXT_PT,
                color=NOTE_COLOUR,
            )
        _date_axis(log, first, last)
        end_labels(linear, [(middle.iloc[-1], float(frame["fitted"].iloc[-1]), "trend", colour)])
        summary = result.summary
        notes = [
            f"Complete Kyiv {unit}s, {day_label(summary['start'])} to {day_label(summary['end'])}",
            f"Bars (dots below): launches per {unit}; line: the trend, with how sure it is "
            f"shaded around it; light grey: where single {unit}s should fall (95%)",
            "Dotted lines: where the growth windows start",
        ]
        _title(fig, trend_title(frame, group, unit), notes)
        _credit(fig, release)
    return fig


# Regimes ----------------------------------------------------------------------------------------


def _regime_steps(regimes: pd.DataFrame, column: str) -> tuple[list, list]:
    """x and y of a step line through the regimes (each level held from start to end)."""
    x, y = [], []
    for _, row in regimes.iterrows():
        x += [row["start"], row["end"] + pd.Timedelta(days=1)]
        y += [row[column], row[column]]
    return x, y


def regimes_title(regimes: pd.DataFrame, n_breaks: int, group: str) -> str:
    """The regimes chart's finding: how many times the weekly level changed, and its first
    and last level ("Weekly drone launches changed level 3 times, from about 20 to about
    1,100 a week")."""
    noun = short_name(group)
    levels = regimes["level"].astype(float)
    if levels.empty:
        return f"Weekly launches of {noun}"
    if n_breaks == 0:
        return f"Weekly launches of {noun} held one level: about {about(levels.iloc[-1])} a week"
    times = "once" if n_breaks == 1 else "twice" if n_breaks == 2 else f"{n_breaks} times"
    return (
        f"Weekly launches of {noun} changed level {times}, from about "
        f"{about(levels.iloc[0])} to about {about(levels.iloc[-1])} a week"
    )


def regimes_chart(result: ModelResult, weekly: pd.Series, *, release: str, group: str) -> Figure:
    """Weekly launches (``weekly``, as given to the model) with the levels as steps and their
    95% intervals, and each change of level as a dashed grey line with its 95% interval
    shaded and its date written beside it, on an ordinary and a log scale, one under the
    other; titled with :func:`regimes_title`.

    ``result`` is :func:`analysis.models.regimes.find_regimes` (or ``regimes_for``) output.
    """
    regimes = result.table("regimes")
    breaks = result.table("breaks")
    weeks = pd.DatetimeIndex(weekly.index)
    first, last = weeks[0], weeks[-1] + pd.Timedelta(days=7)
    middle = weeks + pd.Timedelta(days=3.5)
    top = float(max(weekly.max(), regimes["level_high"].max()))
    colour = concept_colour(group)
    with report_figure(_HEIGHT) as fig:
        linear, log = fig.subplots(2, 1, sharex=True, height_ratios=[1.25, 1])
        for ax in (linear, log):
            for _, row in breaks.iterrows():
                if pd.notna(row["low"]) and pd.notna(row["high"]):
                    ax.axvspan(
                        row["low"],
                        row["high"] + pd.Timedelta(days=7),
                        color=CONTEXT_COLOUR,
                        alpha=0.2,
                        linewidth=0,
                        zorder=0.2,
                    )
                ax.axvline(
                    row["break"], color=CONTEXT_COLOUR, linestyle="--", linewidth=1.2, zorder=0.6
                )
            if ax is log:
                ax.plot(middle, weekly.to_numpy(), "o", color=colour, markersize=3.2, alpha=0.6)
            else:
                ax.bar(
                    middle,
                    weekly.to_numpy(),
                    width=7 * 0.92,
                    color=colour,
                    alpha=0.4,
                    linewidth=0,
                )
            for _, row in regimes.iterrows():
                ax.fill_between(
                    [row["start"], row["end"] + pd.Timedelta(days=1)],
                    row["level_low"],
                    row["level_high"],
                    color=colour,
                    alpha=0.25,
                    linewidth=0,
                )
            x, y = _regime_steps(regimes, "level")
            ax.plot(x, y, color=colour, linewidth=2.6)
        count_axis(linear, "Launches per week", "launched per week")
        linear.set_ylim(0, max(float(weekly.max()), float(regimes["level_high"].max()), 1) * 1.1)
        _log_axis(
            log,
            "Log scale: each step multiplies the level",
            "per week (log scale)",
            top,
        )
        for _, row in breaks.iterrows():
            linear.annotate(
                day_label(row["break"]),
                (row["break"], 0.97),
                xycoords=("data", "axes fraction"),
                va="top",
                ha="right",
                fontsize=TEXT_PT,
                color=NOTE_COLOUR,
                rotation=90,
            )
        _date_axis(log, first, last)
        if len(regimes):
            last_level = regimes.iloc[-1]
            end_labels(
                linear,
                [
                    (
                        last_level["end"] + pd.Timedelta(days=1),
                        float(last_level["level"]),
                        "typical\nweek",
                        colour,
                    )
                ],
            )
        summary = result.summary
        n_breaks = int(summary["n_breaks"])
        low, high = summary.get("n_breaks_boot_low"), summary.get("n_breaks_boot_high")
        spread = (
            f" (re-fits of the data found {low} to {high})"
            if low is not None and high is not None
            else ""
        )
        changes = f"{n_breaks} change{'s' if n_breaks != 1 else ''} of level found{spread}"
        notes = [
            f"Complete Kyiv weeks from {day_label(summary['first_week'])} to the week of "
            f"{day_label(summary['last_week'])}; {changes}; each level lasts "
            f"{summary['min_size']} weeks or more",
            "Step line: a typical week in each period, with its 95% interval shaded; dashed "
            "grey lines: the changes, with their 95% intervals in grey",
        ]
        _title(fig, regimes_title(regimes, n_breaks, group), notes)
        _credit(fig, release)
    return fig


def trend_section(fit: TrendFit, pub: Publisher, *, release: str) -> list:
    """What the notebook shows for one group: a heading, the trend chart and the growth
    table (both saved by ``pub``), and the dispersion finding."""
    items: list = [Markdown(f"### {group_label(fit.group)}")]
    if fit.result is not None:
        chart = trend_chart(fit.result, release=release, group=fit.group, freq=fit.freq)
        items.append(pub.figure(chart, f"trend_{fit.group}", trend_caption(fit)))
        table = pub.table(
            growth_table(fit),
            f"growth_{fit.group}",
            f"{group_label(fit.group)}: growth per month and doubling time by "
            "window, 95% CIs allowing for autocorrelation (fixed-b Newey-West) and "
            "model-based",
        )
        items.append(growth_display(table, fit.freq))
    items.append(Markdown(dispersion_finding(fit, pub)))
    return items


def regime_section(fit: RegimeFit, pub: Publisher, *, release: str) -> list:
    """What the notebook shows for one headline group: a heading, the regimes chart and the
    regime and break tables (saved by ``pub``)."""
    items: list = [Markdown(f"### {group_label(fit.group)}")]
    if fit.result is None:
        return items + [Markdown(f"No regimes estimated: {fit.error}.")]
    chart = regimes_chart(fit.result, fit.weekly, release=release, group=fit.group)
    items.append(pub.figure(chart, f"regimes_{fit.group}", regimes_caption(fit)))
    name = group_label(fit.group)
    items.append(
        Markdown(
            "Regimes (level: a typical week, with its 95% CI; growth: the drift "
            "inside the regime, % per month, with its 95% CI):"
        )
    )
    items.append(
        regime_display(
            pub.table(
                regime_table(fit),
                f"regimes_{fit.group}",
                f"{name}: regimes of the weekly level with 95% CIs",
            )
        )
    )
    breaks = breaks_table(fit)
    if len(breaks):
        items.append(
            Markdown(
                "Breaks (week of the break with its bootstrap 95% interval, "
                "levels before and after, their ratio, and the share of "
                "bootstrap re-fits that found the break again):"
            )
        )
        items.append(
            breaks_display(
                pub.table(
                    breaks,
                    f"breaks_{fit.group}",
                    f"{name}: break weeks with bootstrap 95% intervals",
                )
            )
        )
    return items


__all__ = [
    "regime_section",
    "regimes_chart",
    "trend_chart",
    "trend_section",
]
