"""Charts of the escalation trends (``notebooks/02_escalation_trends.ipynb``).

Two charts, each a matplotlib :class:`~matplotlib.figure.Figure` built without pyplot state in
the style of :mod:`analysis.figures.style` and :mod:`analysis.figures.origins` (seaborn
``whitegrid``, thousands separators, the source credit under the chart):

* :func:`trend_chart`: observed counts per period with the negative binomial trend
  (:func:`analysis.models.trend.fit_trend`), its 95% confidence band and, lighter, the 95%
  prediction interval; the start of each growth window is marked.
* :func:`regimes_chart`: weekly launches with the regime levels of
  :func:`analysis.models.regimes.find_regimes` as steps (with their 95% intervals) and the
  break dates as lines with their bootstrap 95% intervals shaded.

Both draw two panels over the same dates: counts on an ordinary scale, where the recent weeks
dominate, and on a log scale (``log(1 + count)``, so quiet weeks of zero stay on the chart),
where constant growth is a straight line and the early, smaller steps can be seen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import Markdown
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from analysis.data.dates import day_text
from analysis.data.labels import PERIOD_WORDS, group_label
from analysis.figures.style import count_axis
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

_DEEP = sns.color_palette("deep")
OBSERVED_COLOUR = _DEEP[0]
TREND_COLOUR = _DEEP[3]
REGIME_COLOUR = _DEEP[1]
BREAK_COLOUR = "0.25"
_LEGEND_ORDER = ("Observed", "Trend (f", "95% conf", "95% pred")
_LOG_TICKS = (0, 1, 3, 10, 30, 100, 300, 1_000, 3_000, 10_000, 30_000, 100_000)


def _log_axis(ax: Axes, title: str, ylabel: str, top: float) -> None:
    """``log(1 + y)`` scale: zero stays at the bottom, equal ratios are equal distances."""
    ax.set_yscale("function", functions=(np.log1p, np.expm1))
    ticks = [t for t in _LOG_TICKS if t <= max(top, 1)]
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.set_ylim(-0.2, max(top, 1) * 1.15)  # a little below zero: dots at zero stay whole
    ax.set_title(title, loc="left", fontsize="medium")
    ax.set_ylabel(ylabel)
    ax.grid(axis="x", visible=False)
    sns.despine(ax=ax, left=True)


def _period_length(periods: pd.Series, freq: str) -> pd.Series:
    """Days of each period (for bar widths and the right edge of the axis)."""
    if freq == "M":
        return pd.Series(pd.DatetimeIndex(periods).days_in_month, index=periods.index)
    return pd.Series(7 if freq == "W" else 1, index=periods.index)


def _observed(
    ax: Axes, periods: pd.Series, values: pd.Series, freq: str, label: str, points: bool = False
):
    """Observed counts: bars, or dots with ``points`` (on a log scale a bar's length means
    nothing); a thin line for daily data, where bars one day wide do not read."""
    length = _period_length(periods, freq)
    middle = periods + pd.to_timedelta(length / 2, unit="D")
    if freq == "D":
        return ax.plot(
            middle, values, color=OBSERVED_COLOUR, linewidth=0.5, alpha=0.8, label=label
        )[0]
    if points:
        return ax.plot(
            middle, values, "o", color=OBSERVED_COLOUR, markersize=2.8, alpha=0.85, label=label
        )[0]
    bars = ax.bar(
        middle,
        values,
        width=length * 0.92,
        color=OBSERVED_COLOUR,
        alpha=0.45,
        linewidth=0,
        label=label,
    )
    return bars


# Trend ------------------------------------------------------------------------------------------


def trend_chart(result: ModelResult, *, release: str, group: str, freq: str = "W") -> Figure:
    """Observed counts, the fitted negative binomial mean with its 95% confidence band and the
    95% prediction interval, on an ordinary and a log scale; dotted lines mark where each
    growth window of ``result.table("growth")`` starts.

    ``result`` is :func:`analysis.models.trend.fit_trend` (or ``fit_trend_strikes``) output.
    Values are drawn at the middle of each period.
    """
    frame = result.table("fitted").sort_values("period").reset_index(drop=True)
    growth = result.table("growth")
    unit, adjective = PERIOD_WORDS[freq]
    periods = pd.to_datetime(frame["period"])
    length = _period_length(periods, freq)
    middle = periods + pd.to_timedelta(length / 2, unit="D")
    first, last = periods.iloc[0], periods.iloc[-1] + pd.Timedelta(days=float(length.iloc[-1]))
    windows = growth[growth["window"] != "whole span"].dropna(subset=["start"])
    top = float(
        max(frame["observed"].max(), frame["predict_high"].max(), frame["fitted_high"].max())
    )
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.9):
        fig = Figure(figsize=(11, 8.2), layout="constrained")
        linear, log = fig.subplots(2, 1, sharex=True, height_ratios=[1.25, 1])
        for ax in (linear, log):
            ax.fill_between(
                middle,
                frame["predict_low"],
                frame["predict_high"],
                color=TREND_COLOUR,
                alpha=0.07,
                linewidth=0,
                label=f"95% prediction interval for a single {unit}",
            )
            _observed(
                ax,
                periods,
                frame["observed"],
                freq,
                f"Observed launches per {unit}",
                points=ax is log,
            )
            ax.fill_between(
                middle,
                frame["fitted_low"],
                frame["fitted_high"],
                color=TREND_COLOUR,
                alpha=0.3,
                linewidth=0,
                label="95% confidence band of the trend",
            )
            ax.plot(
                middle,
                frame["fitted"],
                color=TREND_COLOUR,
                linewidth=2,
                label="Trend (fitted mean)",
            )
            for _, row in windows.iterrows():
                ax.axvline(row["start"], color="0.3", linestyle=":", linewidth=1.1, zorder=0.5)
        count_axis(linear, f"Launches per {unit}", f"launched per {unit}")
        ymax = max(float(frame["observed"].max()), float(frame["fitted_high"].max()))
        linear.set_ylim(0, ymax * 1.08 if ymax > 0 else 1)
        _log_axis(
            log,
            "Same on a log scale: constant growth is a straight line",
            f"launched per {unit} (log)",
            top,
        )
        for _, row in windows.iterrows():
            log.annotate(
                f"{row['window']} ",
                (row["start"], 1.0),
                xycoords=("data", "axes fraction"),
                va="top",
                ha="right",
                fontsize="x-small",
                color="0.3",
            )
        handles, labels = linear.get_legend_handles_labels()
        order = sorted(range(len(labels)), key=lambda i: _LEGEND_ORDER.index(labels[i][:8]))
        linear.legend(
            [handles[i] for i in order],
            [labels[i] for i in order],
            loc="upper left",
            fontsize="x-small",
            frameon=True,
            framealpha=0.9,
        )
        _date_axis(log, first, last)
        summary = result.summary
        notes = [
            f"Complete Kyiv {unit}s {summary['start']} to {summary['end']}; negative "
            f"binomial trend on a smooth spline in time ({summary['spline_df']} df)",
            f"Dotted lines: where the growth windows start. Prediction interval: where single "
            f"{unit}s should fall.",
        ]
        _title(fig, f"{group_label(group)}: launches per {unit} and trend", notes)
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


def regimes_chart(result: ModelResult, weekly: pd.Series, *, release: str, group: str) -> Figure:
    """Weekly launches (``weekly``, as given to the model) with the regime levels as steps and
    their 95% intervals, and each break as a dashed line with its bootstrap 95% interval
    shaded, on an ordinary and a log scale.

    ``result`` is :func:`analysis.models.regimes.find_regimes` (or ``regimes_for``) output.
    """
    regimes = result.table("regimes")
    breaks = result.table("breaks")
    weeks = pd.DatetimeIndex(weekly.index)
    first, last = weeks[0], weeks[-1] + pd.Timedelta(days=7)
    middle = weeks + pd.Timedelta(days=3.5)
    top = float(max(weekly.max(), regimes["level_high"].max()))
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.9):
        fig = Figure(figsize=(11, 8.2), layout="constrained")
        linear, log = fig.subplots(2, 1, sharex=True, height_ratios=[1.25, 1])
        for ax in (linear, log):
            for _, row in breaks.iterrows():
                if pd.notna(row["low"]) and pd.notna(row["high"]):
                    ax.axvspan(
                        row["low"],
                        row["high"] + pd.Timedelta(days=7),
                        color=BREAK_COLOUR,
                        alpha=0.13,
                        linewidth=0,
                        zorder=0.2,
                    )
                ax.axvline(
                    row["break"], color=BREAK_COLOUR, linestyle="--", linewidth=1.0, zorder=0.6
                )
            if ax is log:
                ax.plot(
                    middle,
                    weekly.to_numpy(),
                    "o",
                    color=OBSERVED_COLOUR,
                    markersize=2.8,
                    alpha=0.85,
                    label="Launches per week",
                )
            else:
                ax.bar(
                    middle,
                    weekly.to_numpy(),
                    width=7 * 0.92,
                    color=OBSERVED_COLOUR,
                    alpha=0.45,
                    linewidth=0,
                    label="Launches per week",
                )
            for _, row in regimes.iterrows():
                ax.fill_between(
                    [row["start"], row["end"] + pd.Timedelta(days=1)],
                    row["level_low"],
                    row["level_high"],
                    color=REGIME_COLOUR,
                    alpha=0.25,
                    linewidth=0,
                )
            x, y = _regime_steps(regimes, "level")
            ax.plot(x, y, color=REGIME_COLOUR, linewidth=2.2, label="Regime level")
        count_axis(linear, "Launches per week", "launched per week")
        linear.set_ylim(0, max(float(weekly.max()), float(regimes["level_high"].max()), 1) * 1.1)
        _log_axis(
            log,
            "Same on a log scale: each step is a multiple of the level before",
            "launched per week (log)",
            top,
        )
        for _, row in breaks.iterrows():
            linear.annotate(
                day_text(row["break"]),
                (row["break"], 0.97),
                xycoords=("data", "axes fraction"),
                va="top",
                ha="right",
                fontsize="x-small",
                color=BREAK_COLOUR,
                rotation=90,
            )
        handles, labels = linear.get_legend_handles_labels()
        handles += [Patch(color=REGIME_COLOUR, alpha=0.25), Patch(color=BREAK_COLOUR, alpha=0.13)]
        labels += ["95% interval of the regime level", "95% interval of the break date"]
        # Break labels run down the left of their lines; the legend sits clear of the
        # early breaks, where the level is low.
        linear.legend(
            handles,
            labels,
            loc="upper left",
            bbox_to_anchor=(0.24, 1.0),
            fontsize="x-small",
            frameon=True,
            framealpha=0.9,
        )
        _date_axis(log, first, last)
        summary = result.summary
        n_breaks = int(summary["n_breaks"])
        low, high = summary.get("n_breaks_boot_low"), summary.get("n_breaks_boot_high")
        spread = f" (re-fits: {low} to {high})" if low is not None and high is not None else ""
        notes = [
            f"Complete Kyiv weeks {summary['first_week']} to {summary['last_week']} (week "
            f"starts); {n_breaks} break{'s' if n_breaks != 1 else ''} chosen by BIC{spread}; "
            f"regimes of {summary['min_size']}+ weeks",
            "Regime level: a typical week (geometric mean of 1 + launches, minus 1); dashed: "
            "breaks; grey: their 95% intervals.",
        ]
        _title(fig, f"{group_label(group)}: regimes in weekly launches", notes)
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
