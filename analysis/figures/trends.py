"""Charts of the escalation trends (``notebooks/02_escalation_trends.ipynb``).

Two charts, each a matplotlib :class:`~matplotlib.figure.Figure` built without pyplot state in
the report style of :mod:`analysis.figures.style` (full width, large text, thousands
separators, the source credit under the chart), in the colour of the group charted (drones
blue, missiles vermillion, others grey), with direct labels instead of legends:

* :func:`trend_chart`: observed counts per period with the fitted trend
  (:func:`analysis.models.trend.fit_trend`), its 95% band and, lighter and grey, the 95% range
  of single periods; the start of each growth window is marked. Titled with the growth over
  the whole span, read from its cautious interval as the page's sentences read it.
* :func:`regimes_chart`: weekly launches with the levels of
  :func:`analysis.models.regimes.find_regimes` as steps (with their 95% intervals) and the
  dates of the changes as lines with their 95% intervals shaded. Titled with the number of
  changes and the latest level (a typical week).

The trend line is an average week at each date (the model's mean); a regime's level is a
typical week (the back-transformed mean of ``log(1 + count)``), lower than the average week
where a few very heavy weeks pull the average up, as for missiles. The titles say which.

:func:`trend_section` and :func:`regime_section` give what a reader sees of one group (the
plain verdict, the chart and its caption); :func:`trend_details` and :func:`regime_details`
what the page's "Method and diagnostics" fold holds (the technical sentences and tables).

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
from analysis.findings.text import month_label
from analysis.findings.trends import (
    RegimeFit,
    TrendFit,
    breaks_display,
    breaks_table,
    dispersion_finding,
    growth_detail,
    growth_display,
    growth_table,
    regime_detail,
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


def _every(months: float) -> str:
    return f"{months:.0f}" if months >= 2 else f"{months:.1f}"


def trend_title(growth: pd.DataFrame, group: str) -> str:
    """The trend chart's finding: the growth over the whole span, read from its cautious
    interval (``growth_pct_low``/``growth_pct_high``) as the page's sentences read it ("Launches
    of drones doubled about every 6 months since Oct 2022"; "... no clear change since ...")."""
    noun = short_name(group)
    whole = growth[growth["window"] == "whole span"]
    if whole.empty or not np.isfinite(float(whole.iloc[0]["growth_pct_per_month"])):
        return f"Launches of {noun}"
    row = whole.iloc[0]
    since = f"since {month_label(row['start'])}"
    low, high = float(row["growth_pct_low"]), float(row["growth_pct_high"])
    if low > 0 and np.isfinite(float(row["doubling_months"])):
        every = _every(float(row["doubling_months"]))
        return f"Launches of {noun} doubled about every {every} months {since}"
    if high < 0:
        every = _every(-np.log(2) / float(row["slope_per_month"]))
        return f"Launches of {noun} halved about every {every} months {since}"
    return f"Launches of {noun}: no clear change {since}"


def _windows_note(windows: pd.DataFrame) -> str:
    """``Dotted lines: the start of the last 6 months and the last 12 months``."""
    names = [f"the {w}" for w in windows["window"]]
    if not names:
        return ""
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Dotted lines: the start of {listed}"


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
        trend = f"trend:\naverage {unit}"
        end_labels(linear, [(middle.iloc[-1], float(frame["fitted"].iloc[-1]), trend, colour)])
        summary = result.summary
        notes = [
            f"Complete Kyiv {unit}s, {day_label(summary['start'])} to {day_label(summary['end'])}",
            f"Bars (dots below): launches per {unit}; line: the trend, an average {unit} at "
            f"each date, with how sure it is shaded around it; light grey: where single "
            f"{unit}s should fall (95%)",
            _windows_note(windows),
        ]
        _title(fig, trend_title(growth, group), notes)
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
    """The regimes chart's finding: how many times the weekly level changed, and the latest
    level as a typical week ("Weekly launches of drones changed level 5 times; since Feb 2025
    about 1,100 in a typical week")."""
    noun = short_name(group)
    levels = regimes["level"].astype(float)
    if levels.empty:
        return f"Weekly launches of {noun}"
    latest = f"about {about(levels.iloc[-1])} in a typical week"
    if n_breaks == 0:
        return f"Weekly launches of {noun} held one level: {latest}"
    times = "once" if n_breaks == 1 else "twice" if n_breaks == 2 else f"{n_breaks} times"
    since = month_label(regimes["start"].iloc[-1])
    return f"Weekly launches of {noun} changed level {times}; since {since} {latest}"


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


def _caption(text: str) -> Markdown:
    """A chart's caption, under it in the page."""
    return Markdown(f"*{text}.*")


def trend_section(fit: TrendFit, verdict: str, pub: Publisher, *, release: str) -> list:
    """What a reader sees of one group's trend: a heading, the plain ``verdict``
    (:func:`analysis.findings.trends.growth_finding`), the trend chart (saved by ``pub``) and
    its caption."""
    items: list = [Markdown(f"### {group_label(fit.group)}"), Markdown(verdict)]
    if fit.result is not None:
        chart = trend_chart(fit.result, release=release, group=fit.group, freq=fit.freq)
        caption = trend_caption(fit)
        items += [pub.figure(chart, f"trend_{fit.group}", caption), _caption(caption)]
    return items


def trend_details(fit: TrendFit, pub: Publisher) -> list:
    """What the "Method and diagnostics" fold shows of one group's trend: a heading, the
    growth over every window with its 95% CIs, the growth table (saved by ``pub``) and the
    dispersion finding."""
    items: list = [Markdown(f"#### {group_label(fit.group)}"), Markdown(growth_detail(fit, pub))]
    if fit.result is not None:
        table = pub.table(
            growth_table(fit),
            f"growth_{fit.group}",
            f"{group_label(fit.group)}: growth per month by window",
        )
        items += [growth_display(table, fit.freq), Markdown(dispersion_finding(fit, pub))]
    return items


def regime_section(fit: RegimeFit, verdict: str, pub: Publisher, *, release: str) -> list:
    """What a reader sees of one headline group's levels: a heading, the plain ``verdict``
    (:func:`analysis.findings.trends.regime_finding`), the regimes chart (saved by ``pub``)
    and its caption."""
    items: list = [Markdown(f"### {group_label(fit.group)}"), Markdown(verdict)]
    if fit.result is not None:
        chart = regimes_chart(fit.result, fit.weekly, release=release, group=fit.group)
        caption = regimes_caption(fit)
        items += [pub.figure(chart, f"regimes_{fit.group}", caption), _caption(caption)]
    return items


def regime_details(fit: RegimeFit, pub: Publisher, trend: TrendFit | None = None) -> list:
    """What the "Method and diagnostics" fold shows of one group's regimes: a heading, the
    technical sentence (:func:`analysis.findings.trends.regime_detail`, set against ``trend``'s
    growth verdict) and the regime and break tables (saved by ``pub``)."""
    name = group_label(fit.group)
    items: list = [Markdown(f"#### {name}"), Markdown(regime_detail(fit, pub, trend))]
    if fit.result is None:
        return items
    items.append(
        Markdown(
            "Regimes (level: a typical week, with its 95% CI; growth: the drift "
            "inside the regime, % per month, with its 95% CI):"
        )
    )
    table = pub.table(regime_table(fit), f"regimes_{fit.group}", f"{name}: periods of steady level")
    items.append(regime_display(table))
    breaks = breaks_table(fit)
    if len(breaks):
        items.append(
            Markdown(
                "Breaks (week of the break with its bootstrap 95% interval, "
                "levels before and after, their ratio, and the share of "
                "bootstrap re-fits that found the break again):"
            )
        )
        saved = pub.table(
            breaks, f"breaks_{fit.group}", f"{name}: weeks in which the level changed"
        )
        items.append(breaks_display(saved))
    return items


__all__ = [
    "regime_details",
    "regime_section",
    "regimes_chart",
    "regimes_title",
    "trend_chart",
    "trend_details",
    "trend_section",
    "trend_title",
]
