"""Charts of the weekly launch forecasts (``notebooks/05_forecast.ipynb``).

Each function returns a matplotlib :class:`~matplotlib.figure.Figure` built without pyplot
state, in the style of :mod:`analysis.data.overview` and :mod:`analysis.figures.origins`: seaborn
``whitegrid``, readable labels, thousands separators and the source credit under the chart.
Every model keeps one colour on every chart; the model whose forecast is shown is drawn
heavier, and the simple rules (baselines) are dashed where lines compare models.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from analysis.figures.style import count_axis, date_axis
from analysis.figures.style import set_credit as _credit
from analysis.figures.style import set_title as _title
from analysis.findings.forecast import GroupForecast, label, snapshot_model
from analysis.models.forecast import BASELINES

_DEEP = sns.color_palette("deep")
MODEL_COLOURS: dict[str, tuple[float, float, float]] = {
    "sarimax": _DEEP[0],
    "unobserved_components": _DEEP[2],
    "ets": _DEEP[4],
    "theta": _DEEP[8],
    "naive": _DEEP[7],
    "mean4": _DEEP[6],
    "drift": _DEEP[5],
}
ACTUAL_COLOUR = "0.15"
MISS_COLOUR = _DEEP[3]
#: Colours of successive older releases on the snapshot chart.
RELEASE_COLOURS = (_DEEP[1], _DEEP[4], _DEEP[8], _DEEP[9])


def _colour(model: str):
    return MODEL_COLOURS.get(model, "0.4")


def _fan(
    ax: Axes,
    x,
    rows: pd.DataFrame,
    colour,
    start_value: float | None,
    *,
    strong: bool,
    bands: bool = True,
    median_label: str | None = None,
) -> None:
    """Median line and 80%/95% bands of forecast ``rows`` at ``x``; with ``start_value`` the
    fan opens from the last observed week."""
    x = list(x)
    point = rows["point"].to_numpy(dtype=float)
    lo80, hi80 = rows["lo80"].to_numpy(dtype=float), rows["hi80"].to_numpy(dtype=float)
    lo95, hi95 = rows["lo95"].to_numpy(dtype=float), rows["hi95"].to_numpy(dtype=float)
    if start_value is not None:
        point, lo80, hi80, lo95, hi95 = (
            np.insert(a, 0, start_value) for a in (point, lo80, hi80, lo95, hi95)
        )
    if bands:
        ax.fill_between(x, lo95, hi95, color=colour, alpha=0.2 if strong else 0.13, linewidth=0)
        ax.fill_between(x, lo80, hi80, color=colour, alpha=0.42 if strong else 0.28, linewidth=0)
    ax.plot(
        x,
        point,
        color=colour,
        linewidth=2.4 if strong else 1.5,
        linestyle="-" if bands else "--",
        label=median_label,
        zorder=3,
    )


def _verdict_title(fc: GroupForecast) -> str:
    """The finding of the backtest, as a chart title."""
    if fc.beats_baseline:
        return f"the {label(fc.chosen)} beats the simple rules in the backtest"
    if fc.chosen in BASELINES:
        return f"no model beats the simple rule ({label(fc.chosen)}), so it is shown"
    return f"forecast of the {label(fc.chosen)}"


# Forecast fan per model --------------------------------------------------------------------------


def forecast_chart(
    fc: GroupForecast, *, release: str, history_weeks: int = 26, panels: int = 4
) -> Figure:
    """The group's last ``history_weeks`` complete weeks and the forecast of the next weeks
    (median, 80% and 95% intervals) of the shown model, first and emphasised, then of the
    other models with the best backtest scores, up to ``panels`` panels on one shared scale.

    Bands that run above the top of the shared scale are cut, with their peak written in the
    panel.
    """
    table = fc.result.table("forecast")
    history = fc.result.table("history")["launched"].iloc[-history_weeks:]
    ranks = fc.tested.table("summary").set_index("model")
    others = [m for m in ranks.index if m != fc.chosen and m in set(table["model"])]
    models = [fc.chosen, *others][:panels]
    last_week, last_value = history.index[-1], float(history.iloc[-1])
    chosen_rows = table[table["model"] == fc.chosen]
    top = 1.1 * max(float(history.max()), float(chosen_rows["hi95"].max()), 1.0)
    ncols = 2 if len(models) > 1 else 1
    nrows = math.ceil(len(models) / ncols)
    group = fc.group
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.9):
        fig = Figure(figsize=(11, 1.7 + 3.0 * nrows), layout="constrained")
        axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False).ravel()
        for ax, model in zip(axes, models, strict=False):
            rows = table[table["model"] == model].sort_values("step")
            strong = model == fc.chosen
            colour = _colour(model)
            ax.plot(
                history.index,
                history.to_numpy(),
                color=ACTUAL_COLOUR,
                linewidth=1.1,
                marker="o",
                markersize=2.2,
                zorder=4,
            )
            _fan(ax, [last_week, *rows["week"]], rows, colour, last_value, strong=strong)
            ax.axvline(last_week, color="0.5", linewidth=0.8, linestyle=":", zorder=1)
            mase = ranks.loc[model, "mase"] if model in ranks.index else float("nan")
            name = label(model)
            name = name[:1].upper() + name[1:]
            if strong:
                ax.set_title(
                    f"{name}: shown (backtest MASE {mase:.2f})",
                    loc="left",
                    fontsize="medium",
                    fontweight="bold",
                    color=colour,
                )
                ax.set_facecolor((*colour, 0.05))
            else:
                ax.set_title(f"{name} (backtest MASE {mase:.2f})", loc="left", fontsize="medium")
            peak = float(rows["hi95"].max())
            if peak > top:
                ax.text(
                    0.99,
                    0.97,
                    f"bands cut off at the top; the 95% band reaches {peak:,.0f}",
                    transform=ax.transAxes,
                    ha="right",
                    va="top",
                    fontsize="x-small",
                    color="0.3",
                )
            count_axis(
                ax,
                ylabel=f"{group} launched per week" if ax in axes[::ncols] else "",
                from_zero=False,
            )
        for ax in axes[len(models) :]:
            ax.set_visible(False)
        axes[0].set_ylim(0, top)
        date_axis(axes[0], history.index[0], table["week"].max(), pad=True)
        for ax in axes[-ncols:]:
            ax.tick_params(axis="x", labelbottom=True)
        handles = [
            Line2D([], [], color=ACTUAL_COLOUR, marker="o", markersize=3, linewidth=1.1),
            Line2D([], [], color="0.35", linewidth=2),
            Patch(color="0.35", alpha=0.42, linewidth=0),
            Patch(color="0.35", alpha=0.2, linewidth=0),
        ]
        axes[0].legend(
            handles,
            ["actual weekly launches", "median forecast", "80% interval", "95% interval"],
            loc="upper left",
            fontsize="x-small",
            frameon=True,
            framealpha=0.9,
        )
        _title(
            fig,
            f"{group.capitalize()}: {_verdict_title(fc)}",
            [
                f"Complete Monday-to-Sunday weeks (Kyiv): {len(history)} observed, then the "
                f"next {fc.horizon} weeks after the dotted line; intervals as wide as the "
                "backtest's errors; shared scale",
            ],
        )
        _credit(fig, release)
    return fig


# Backtest error by horizon -----------------------------------------------------------------------


def mase_by_horizon_chart(forecasts: Mapping[str, GroupForecast], *, release: str) -> Figure:
    """MASE of every model at each horizon on the backtest's later (scoring) weeks only, one
    panel per group, the shown model heavier and the simple rules dashed."""
    groups = list(forecasts)
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.9):
        fig = Figure(figsize=(11, 4.6), layout="constrained")
        axes = fig.subplots(1, len(groups), squeeze=False)[0]
        for ax, group in zip(axes, groups, strict=True):
            fc = forecasts[group]
            scores = fc.tested.table("scores")
            for model in fc.tested.table("summary")["model"]:
                rows = scores[scores["model"] == model].sort_values("step")
                strong = model == fc.chosen
                ax.plot(
                    rows["step"],
                    rows["mase"],
                    color=_colour(model),
                    linewidth=2.6 if strong else 1.3,
                    marker="o",
                    markersize=5 if strong else 3.5,
                    linestyle="--" if model in BASELINES else "-",
                    label=label(model) + (" (shown)" if strong else ""),
                    zorder=3 if strong else 2,
                )
            origins = int(fc.tested.summary["origins"])
            verdict = "a model beats them" if fc.beats_baseline else "no model beats them"
            ax.set_title(
                f"{group.capitalize()}: {verdict} ({origins:,} later weeks)",
                loc="left",
                fontsize="medium",
            )
            ax.set_xlabel("weeks ahead")
            ax.set_ylabel("MASE (lower is better)")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylim(bottom=0)
            ax.grid(axis="x", visible=False)
            sns.despine(ax=ax, left=True)
            ax.legend(loc="lower right", fontsize="x-small", frameon=True, framealpha=0.9)
        beaten = sum(forecasts[g].beats_baseline for g in groups)
        _title(
            fig,
            "Backtest: no model beats the simple rules"
            if beaten == 0
            else f"Backtest: a model beats the simple rules for {beaten} of {len(groups)} groups",
            [
                "MASE (lower is better) on weeks that did not help choose the models",
                "Simple rules dashed; the model shown drawn heavier",
            ],
        )
        _credit(fig, release)
    return fig


# Earlier forecasts against what happened -----------------------------------------------------


def snapshot_chart(
    scored: pd.DataFrame,
    weekly: pd.DataFrame,
    forecasts: Mapping[str, GroupForecast | str],
    *,
    release: str,
    lead_weeks: int = 12,
) -> Figure:
    """Forecasts saved from older releases against the weeks that followed, one panel per
    group: the actual weekly launches from ``lead_weeks`` before the forecast on, the saved
    forecast of the model chosen now (median, 80% and 95% intervals, one colour per older
    release) and the other saved models' medians; weeks outside the 80% interval are ringed.

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
    colours = dict(zip(releases, RELEASE_COLOURS * len(releases), strict=False))
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.9):
        fig = Figure(figsize=(11, 1.6 + 3.0 * len(groups)), layout="constrained")
        axes = fig.subplots(len(groups), 1, squeeze=False)[:, 0]
        for ax, group in zip(axes, groups, strict=True):
            rows = scored[scored["series"] == group]
            first = pd.Timestamp(rows["last_observed_week"].min()) - pd.Timedelta(weeks=lead_weeks)
            last = pd.Timestamp(rows["week"].max())
            actual = weekly[group]
            actual = actual[(actual.index >= first) & (actual.index <= last)]
            names = []
            for older in releases:
                snap = rows[rows["release"] == older]
                if snap.empty:
                    continue
                model = snapshot_model(snap["model"], chosen[group])
                colour = colours[older]
                for other in snap["model"].unique():
                    if other == model:
                        continue
                    o = snap[snap["model"] == other].sort_values("week")
                    ax.plot(
                        o["week"],
                        o["point"],
                        color=colour,
                        linewidth=0.9,
                        alpha=0.55,
                        linestyle=":",
                        zorder=2,
                    )
                mine = snap[snap["model"] == model].sort_values("week")
                start = pd.Timestamp(mine["last_observed_week"].iloc[0])
                if start in weekly.index:
                    x, opening = [start, *mine["week"]], float(weekly.loc[start, group])
                else:
                    x, opening = list(mine["week"]), None
                _fan(
                    ax,
                    x,
                    mine,
                    colour,
                    opening,
                    strong=True,
                    median_label=f"release {older}: {label(model)} median",
                )
                ax.axvline(start, color=colour, linewidth=0.9, linestyle=":", zorder=1)
                ax.text(
                    start,
                    1.0,
                    f" forecast made from release {older}",
                    color=colour,
                    transform=ax.get_xaxis_transform(),
                    fontsize="x-small",
                    va="top",
                )
                missed = mine[~mine["in80"].astype(bool)]
                ax.scatter(
                    missed["week"],
                    missed["actual"],
                    s=90,
                    facecolors="none",
                    edgecolors=MISS_COLOUR,
                    linewidths=1.5,
                    zorder=5,
                    clip_on=False,
                )
                names.append(older)
            ax.plot(
                actual.index,
                actual.to_numpy(),
                color=ACTUAL_COLOUR,
                linewidth=1.2,
                marker="o",
                markersize=3,
                zorder=4,
            )
            ax.set_title(
                f"{group.capitalize()}: what the earlier forecast said and what happened",
                loc="left",
                fontsize="medium",
            )
            ax.set_ylim(bottom=0)
            count_axis(ax, ylabel=f"{group} launched per week", from_zero=False)
            date_axis(ax, actual.index.min() if len(actual) else first, last, pad=True)
            handles, labels_ = ax.get_legend_handles_labels()
            handles += [
                Line2D([], [], color=ACTUAL_COLOUR, marker="o", markersize=3, linewidth=1.2),
                Line2D([], [], color="0.4", linestyle=":", linewidth=0.9),
                Patch(color="0.35", alpha=0.42, linewidth=0),
                Patch(color="0.35", alpha=0.2, linewidth=0),
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=9,
                    markerfacecolor="none",
                    markeredgecolor=MISS_COLOUR,
                ),
            ]
            labels_ += [
                "actual weekly launches",
                "other models' medians",
                "80% interval",
                "95% interval",
                "outside the 80% interval",
            ]
            ax.legend(
                handles, labels_, loc="upper left", fontsize="x-small", frameon=True, framealpha=0.9
            )
        _title(
            fig,
            "Earlier forecasts against what happened",
            [
                "Saved from older releases, scored on the weeks this release now observes; model "
                "shown: the one chosen now",
            ],
        )
        _credit(fig, release)
    return fig
