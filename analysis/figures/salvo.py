"""Charts and display tables of ``notebooks/03_salvo_and_interception.ipynb``.

Charts are matplotlib :class:`~matplotlib.figure.Figure` objects built without pyplot state, in
the style of :mod:`analysis.data.overview` (seaborn ``whitegrid``, readable labels, thousands
separators, the source credit under the chart). Tables reshape the tables of
:func:`analysis.models.salvo.salvo_model` and
:func:`analysis.models.interception.interception_model` for a reader: plain column names,
rates in percent, rounded numbers.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, PercentFormatter
from scipy.special import expit

from analysis.data.dates import day_text
from analysis.figures.style import count_axis, date_axis
from analysis.figures.style import set_credit as _credit
from analysis.figures.style import set_title as _title
from analysis.figures.style import thousands as _thousands
from analysis.modelresult import ModelResult
from analysis.models.interception import DAYS_PER_YEAR
from analysis.models.salvo import MEASURES, salvo_sample, wave_dates

_DEEP = sns.color_palette("deep")
#: Colours as in the overview's monthly chart (strike drones, cruise, ballistic missiles).
CLASS_COLOURS = {
    "strike_drone": _DEEP[0],
    "cruise_missile": _DEEP[1],
    "ballistic_missile": _DEEP[2],
}
MEASURE_COLOURS = {"drones": _DEEP[0], "missiles": _DEEP[3]}
QUANTILE_COLOURS = {0.5: "0.15", 0.9: _DEEP[1]}
CLASS_TITLES = {
    "strike_drone": "Strike drones (Shahed/Geran type, decoys included)",
    "cruise_missile": "Cruise missiles",
    "ballistic_missile": "Ballistic missiles",
}
MEASURE_TITLES = {
    "drones": "Strike drones per wave (Shahed/Geran type; decoys included from 2025)",
    "missiles": "Missiles per wave (cruise, ballistic, S-300/S-400 and unidentified)",
}
QUANTILE_NAMES = {0.5: "median", 0.9: "90th percentile"}


def _empty(ax: Axes, message: str) -> None:
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", color="0.4")
    ax.set_yticks([])


def _knots(salvo: ModelResult) -> list[pd.Timestamp]:
    text = str(salvo.summary.get("knots") or "")
    return [pd.Timestamp(k.strip()) for k in text.split(",") if k.strip()]


# Salvo size over time ---------------------------------------------------------------------------


def salvo_size_chart(
    salvo: ModelResult, waves: pd.DataFrame, *, release: str, spec: str = "piecewise"
) -> Figure:
    """Wave sizes over time (drones; missiles), one dot per wave, with the fitted median and
    90th-percentile lines of ``spec`` and their 95% confidence bands.

    Filled dots are the timed waves the fit uses; open grey dots are waves reported with
    dates only (left out of the fit). A dotted vertical line marks each knot of the
    piecewise fit.
    """
    fitted = salvo.table("fitted")
    knots = _knots(salvo) if spec == "piecewise" else []
    samples = {m: salvo_sample(waves, m, timed_only=False) for m in MEASURES}
    dates = pd.concat([s["date"] for s in samples.values()])
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.9):
        fig = Figure(figsize=(11, 8.2), layout="constrained")
        axes = fig.subplots(2, 1, sharex=True, height_ratios=[1.25, 1])
        for ax, measure in zip(axes, MEASURES, strict=True):
            sample = samples[measure]
            timed, untimed = sample[sample["time_known"]], sample[~sample["time_known"]]
            ax.scatter(
                untimed["date"],
                untimed["size"],
                s=9,
                facecolors="none",
                edgecolors="0.6",
                linewidths=0.6,
                label=f"wave reported with dates only, not in the fit ({len(untimed):,})",
                zorder=1,
            )
            ax.scatter(
                timed["date"],
                timed["size"],
                s=9,
                color=MEASURE_COLOURS[measure],
                alpha=0.45,
                linewidths=0,
                label=f"timed wave, in the fit ({len(timed):,})",
                zorder=2,
            )
            lines = (
                fitted[(fitted["measure"] == measure) & (fitted["spec"] == spec)]
                if len(fitted)
                else fitted
            )
            for quantile in sorted(lines["quantile"].unique()) if len(lines) else []:
                line = lines[np.isclose(lines["quantile"], quantile)]
                colour = QUANTILE_COLOURS.get(round(quantile, 2), "0.4")
                ax.fill_between(
                    line["date"],
                    line["ci_low"].clip(lower=0),
                    line["ci_high"],
                    color=colour,
                    alpha=0.18,
                    linewidth=0,
                    zorder=3,
                )
                name = QUANTILE_NAMES.get(round(quantile, 2), f"q{quantile:g}")
                ax.plot(
                    line["date"],
                    line["fitted"].clip(lower=0),
                    color=colour,
                    linewidth=2.0,
                    zorder=4,
                    label=f"fitted {name}, with 95% band",
                )
            for knot in knots:
                if not len(sample) or not sample["date"].min() < knot < sample["date"].max():
                    continue
                ax.axvline(knot, color="0.35", linestyle=":", linewidth=1.0, zorder=0)
                ax.annotate(
                    f"bend {day_text(knot)}",
                    (knot, 1),
                    xycoords=("data", "axes fraction"),
                    xytext=(3, -3),
                    textcoords="offset points",
                    va="top",
                    fontsize="x-small",
                    color="0.3",
                )
            count_axis(ax, MEASURE_TITLES[measure], "launched in the wave")
            if sample.empty:
                _empty(ax, f"no wave with {measure} in this period")
            else:
                ax.legend(
                    loc="upper left",
                    fontsize="x-small",
                    frameon=True,
                    framealpha=0.9,
                    markerscale=1.6,
                )
        if len(dates):
            date_axis(axes[-1], dates.min(), dates.max(), pad=True)
        shape = (
            "straight line, bent once at the dotted line"
            if spec == "piecewise" and knots
            else "straight line"
        )
        _title(
            fig,
            "Salvo size: drones and missiles per attack wave",
            [
                f"Quantile regression of the wave size on time ({shape}); bands are 95% "
                "confidence intervals of the fitted lines, from refits on months of waves "
                "drawn at random; each panel has its own scale; a wave's date is the Kyiv "
                "date on which it ended"
            ],
        )
        _credit(fig, release)
    return fig


def record_progression_chart(salvo: ModelResult, waves: pd.DataFrame, *, release: str) -> Figure:
    """The record wave size over time: a step for every new record (drones; missiles), held
    to the last wave in ``waves``, with the current record labelled. Open markers: records set
    by waves reported with dates only."""
    progression = salvo.table("record_progression")
    last_day = wave_dates(waves).max() if len(waves) else pd.NaT
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.9):
        fig = Figure(figsize=(11, 6.6), layout="constrained")
        axes = fig.subplots(2, 1, sharex=True, height_ratios=[1.3, 1])
        for ax, measure in zip(axes, MEASURES, strict=True):
            steps = progression[progression["measure"] == measure].sort_values("date")
            colour = MEASURE_COLOURS[measure]
            title = f"Record {measure} in one wave"
            if steps.empty:
                count_axis(ax, title, "record")
                _empty(ax, f"no wave with {measure} in this period")
                continue
            end = max(last_day, steps["date"].max()) if pd.notna(last_day) else steps["date"].max()
            x = pd.concat([steps["date"], pd.Series([end])], ignore_index=True)
            y = np.append(steps["record"].to_numpy(), steps["record"].iloc[-1])
            ax.step(x, y, where="post", color=colour, linewidth=2.0)
            timed = steps["time_known"].astype(bool)
            ax.scatter(
                steps.loc[timed, "date"],
                steps.loc[timed, "record"],
                s=28,
                color=colour,
                zorder=3,
                label="new record, timed wave",
            )
            ax.scatter(
                steps.loc[~timed, "date"],
                steps.loc[~timed, "record"],
                s=28,
                facecolors="white",
                edgecolors=colour,
                zorder=3,
                label="new record, wave reported with dates only",
            )
            top = steps.iloc[-1]
            ax.annotate(
                f"{int(top['record']):,} on {day_text(top['date'])}",
                (top["date"], top["record"]),
                xytext=(-6, 6),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize="small",
                color="0.15",
            )
            count_axis(ax, f"{title}: raised {len(steps) - 1:,} times", "record")
            ax.set_ylim(0, steps["record"].max() * 1.15)
            handles = [
                Line2D(
                    [], [], color=colour, marker="o", linestyle="-", label="new record, timed wave"
                )
            ]
            if (~timed).any():
                handles.append(
                    Line2D(
                        [],
                        [],
                        color=colour,
                        marker="o",
                        markerfacecolor="white",
                        linestyle="",
                        label="new record, wave reported with dates only",
                    )
                )
            ax.legend(
                handles=handles, loc="upper left", fontsize="x-small", frameon=True, framealpha=0.9
            )
        first = progression["date"].min() if len(progression) else last_day
        if pd.notna(first) and pd.notna(last_day):
            date_axis(axes[-1], first, max(last_day, progression["date"].max()), pad=True)
        _title(
            fig,
            "Record salvo: the largest wave so far, over time",
            [
                "A record is a wave strictly larger than every earlier wave in the period; all "
                "waves count, including those reported with dates only"
            ],
        )
        _credit(fig, release)
    return fig


# Interception ---------------------------------------------------------------------------------


def _class_axes(fig: Figure, classes: Sequence[str]) -> list[Axes]:
    axes = fig.subplots(1, max(len(classes), 1), sharey=True, squeeze=False)[0]
    return list(axes)


def _rate_axis(ax: Axes, title: str) -> None:
    ax.set_title(textwrap.fill(title, 34), loc="left", fontsize="medium")
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.grid(axis="x", visible=False)
    sns.despine(ax=ax, left=True)


def defeat_rate_by_year_chart(
    interception: ModelResult, classes: Sequence[str], *, release: str
) -> Figure:
    """Pooled defeat rate per class and year with Wilson 95% intervals, and the kinetic-only
    rate (shot down) beside it; the x labels give the number launched that year."""
    by_year = interception.table("by_year")
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.9):
        fig = Figure(figsize=(11, 4.8), layout="constrained")
        axes = _class_axes(fig, classes)
        for ax, weapon_class in zip(axes, classes, strict=True):
            colour = CLASS_COLOURS.get(weapon_class, "0.3")
            rows = by_year[by_year["weapon_class"] == weapon_class] if len(by_year) else by_year
            _rate_axis(ax, CLASS_TITLES.get(weapon_class, weapon_class))
            defeat = rows[rows["measure"] == "defeat"] if len(rows) else rows
            if defeat.empty:
                _empty(ax, "no eligible waves")
                continue
            years = defeat["year"].astype(int).to_numpy()
            for measure, shift, filled in (("defeat", -0.12, True), ("kinetic", 0.12, False)):
                part = rows[rows["measure"] == measure]
                if part.empty:
                    continue
                x = part["year"].astype(int).to_numpy() + shift
                err = np.vstack([part["rate"] - part["ci_low"], part["ci_high"] - part["rate"]])
                ax.errorbar(
                    x,
                    part["rate"],
                    yerr=err,
                    fmt="o",
                    color=colour,
                    capsize=3,
                    markersize=6,
                    markerfacecolor=colour if filled else "white",
                    linewidth=1.2,
                )
            ax.xaxis.set_major_locator(FixedLocator(years))
            ax.set_xticklabels(
                [f"{y}\n{n:,}" for y, n in zip(years, defeat["launched"], strict=True)],
                fontsize="small",
            )
            ax.set_xlim(years.min() - 0.6, years.max() + 0.6)
        axes[0].set_ylabel("share of launched")
        handles = [
            Line2D(
                [],
                [],
                color="0.3",
                marker="o",
                linestyle="",
                label="defeat rate:\n(destroyed + not reaching\ntheir target) / launched",
            ),
            Line2D(
                [],
                [],
                color="0.3",
                marker="o",
                markerfacecolor="white",
                linestyle="",
                label="kinetic only: destroyed / launched\n(drones: only the waves that\n"
                "report the split)",
            ),
        ]
        axes[0].legend(
            handles=handles,
            loc="lower left",
            fontsize="x-small",
            frameon=True,
            framealpha=0.9,
            labelspacing=1.0,
        )
        _title(
            fig,
            "Share of launched weapons defeated, per year",
            [
                "Pooled over the eligible waves of each Kyiv calendar year (the labels under each "
                "year give the number launched); bars are Wilson 95% intervals, which treat "
                "weapons as independent and so are too narrow, since waves vary more than that"
            ],
        )
        _credit(fig, release)
    return fig


def _fitted_curve(
    interception: ModelResult, weapon_class: str, salvo: np.ndarray
) -> tuple[np.ndarray, pd.Timestamp] | None:
    """The beta-binomial defeat rate at ``salvo`` on the date where the doubling effect is
    evaluated (the sample's median date)."""
    coefficients = interception.table("coefficients")
    effects = interception.table("effects")
    if coefficients.empty or effects.empty:
        return None
    coef = coefficients[
        (coefficients["weapon_class"] == weapon_class)
        & (coefficients["measure"] == "defeat")
        & (coefficients["model"] == "beta_binomial")
    ].set_index("term")
    effect = effects[(effects["weapon_class"] == weapon_class) & (effects["measure"] == "defeat")]
    if coef.empty or effect.empty:
        return None
    reference = pd.Timestamp(effect["reference_date"].iloc[0])
    origin = pd.Timestamp(interception.summary["origin"])
    years = (reference - origin).days / DAYS_PER_YEAR
    eta = (
        coef.loc["const", "estimate"]
        + coef.loc["log2_salvo", "estimate"] * np.log2(salvo)
        + coef.loc["years", "estimate"] * years
    )
    return expit(eta), reference


def defeat_by_salvo_chart(
    interception: ModelResult, classes: Sequence[str], *, release: str
) -> Figure:
    """Defeat rate against salvo size per class: observed pooled rate per salvo-size bin
    (Wilson 95% intervals, drawn at the bin's mean salvo), the fitted beta-binomial curve at
    the sample's median date, and the two points of the doubling effect with their 95%
    intervals."""
    by_salvo = interception.table("by_salvo")
    effects = interception.table("effects")
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.9):
        fig = Figure(figsize=(11, 4.9), layout="constrained")
        axes = _class_axes(fig, classes)
        for ax, weapon_class in zip(axes, classes, strict=True):
            colour = CLASS_COLOURS.get(weapon_class, "0.3")
            _rate_axis(ax, CLASS_TITLES.get(weapon_class, weapon_class))
            ax.set_xscale("log", base=2)
            ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
            ax.set_xlabel("launched in the wave (log scale)", fontsize="small")
            bins = by_salvo[by_salvo["weapon_class"] == weapon_class] if len(by_salvo) else by_salvo
            if bins.empty:
                _empty(ax, "too few waves to model")
                continue
            mean = bins["launched"] / bins["waves"]
            err = np.vstack([bins["rate"] - bins["ci_low"], bins["ci_high"] - bins["rate"]])
            ax.errorbar(
                mean,
                bins["rate"],
                yerr=err,
                fmt="o",
                color=colour,
                capsize=3,
                markersize=6,
                linewidth=1.2,
                zorder=3,
            )
            grid = np.geomspace(
                max(1.0, float(mean.min()) / 1.5), max(float(mean.max()) * 1.6, 2.0), 200
            )
            curve = _fitted_curve(interception, weapon_class, grid)
            if curve is not None:
                rate, reference = curve
                ax.plot(
                    grid,
                    rate,
                    color="0.15",
                    linewidth=1.6,
                    zorder=2,
                    label=f"model at {day_text(reference)}",
                )
                effect = effects[
                    (effects["weapon_class"] == weapon_class) & (effects["measure"] == "defeat")
                ].iloc[0]
                xs = [effect["salvo"], effect["salvo_doubled"]]
                ys = [effect["rate"], effect["rate_doubled"]]
                lows = [effect["rate_ci_low"], effect["rate_doubled_ci_low"]]
                highs = [effect["rate_ci_high"], effect["rate_doubled_ci_high"]]
                ax.errorbar(
                    xs,
                    ys,
                    yerr=[np.subtract(ys, lows), np.subtract(highs, ys)],
                    fmt="D",
                    color="0.15",
                    markersize=5,
                    capsize=3,
                    zorder=4,
                    label="median salvo and twice it",
                )
                ax.legend(loc="lower right", fontsize="x-small", frameon=True, framealpha=0.9)
            ax.set_xlim(min(0.8, grid.min() * 0.8), grid.max() * 1.2)
        axes[0].set_ylabel("share defeated")
        _title(
            fig,
            "Defeat rate against salvo size",
            [
                "Dots: pooled defeat rate of the timed waves in each salvo-size bin (all years "
                "together; bins in the table below), with Wilson 95% intervals; line: the "
                "beta-binomial model at one date (the sample's median), so it need not pass "
                "through dots that pool several years; "
                "diamonds: the doubling effect's two points with 95% intervals from refits on "
                "months of waves drawn at random"
            ],
        )
        _credit(fig, release)
    return fig


# Display tables -------------------------------------------------------------------------------


def slopes_table(salvo: ModelResult, population: str = "timed") -> pd.DataFrame:
    """Salvo growth per year: measure, quantile, specification, segment dates, waves, slope and
    95% CI (rounded; fixed-b over months for the timed waves), with the model's interval that
    treats waves as independent beside it when the slopes carry one."""
    slopes = salvo.table("slopes")
    rows = slopes[slopes["population"] == population]
    out = pd.DataFrame(
        {
            "measure": rows["measure"],
            "quantile": rows["quantile"].round(2).map(lambda q: QUANTILE_NAMES.get(q, f"q{q:g}")),
            "line": rows["spec"].map({"linear": "straight", "piecewise": "bent"}),
            "from": rows["start"].dt.date,
            "to": rows["end"].dt.date,
            "waves": rows["n_waves"].astype("int64"),
            "per year": rows["slope"].round(1),
            "95% CI low": rows["ci_low"].round(1),
            "95% CI high": rows["ci_high"].round(1),
            "p": rows["p_value"].map(_p),
        }
    )
    if "ci_low_model" in rows:
        out["CI low, waves independent"] = rows["ci_low_model"].round(1)
        out["CI high, waves independent"] = rows["ci_high_model"].round(1)
    return out.reset_index(drop=True)


def _p(value: float) -> str:
    if pd.isna(value):
        return ""
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def records_table(salvo: ModelResult, measure: str) -> pd.DataFrame:
    """The largest waves by ``measure``: rank, date, timed, drones, missiles."""
    records = salvo.table("records")
    rows = records[records["by"] == measure]
    out = pd.DataFrame(
        {
            "date": rows["date"].dt.date,
            "timed": rows["time_known"],
            "drones": rows["drones"],
            "missiles": rows["missiles"],
        }
    )
    out.index = pd.Index(rows["rank"].to_numpy(), name="rank")
    return out


def progression_table(salvo: ModelResult, measure: str) -> pd.DataFrame:
    """Every new record of ``measure``: date, record, previous record and days since."""
    progression = salvo.table("record_progression")
    rows = progression[progression["measure"] == measure]
    return pd.DataFrame(
        {
            "date": rows["date"].dt.date,
            "timed": rows["time_known"],
            "record": rows["record"],
            "previous record": rows["previous_record"],
            "previous date": rows["previous_date"].dt.date,
            "days since previous": rows["days_since_previous"],
        }
    ).reset_index(drop=True)


def _percent(series: pd.Series) -> pd.Series:
    return (100 * series.astype(float)).round(1)


def defeat_by_year_table(interception: ModelResult) -> pd.DataFrame:
    """Pooled rate per class, measure and year: waves, launched, defeated, rate % and Wilson
    95% interval %."""
    rows = interception.table("by_year")
    if rows.empty:
        return rows
    return pd.DataFrame(
        {
            "class": rows["weapon_class"],
            "measure": rows["measure"],
            "year": rows["year"].astype(int),
            "waves": rows["waves"],
            "launched": rows["launched"],
            "defeated": rows["successes"],
            "rate %": _percent(rows["rate"]),
            "95% CI low %": _percent(rows["ci_low"]),
            "95% CI high %": _percent(rows["ci_high"]),
        }
    ).reset_index(drop=True)


def effects_table(interception: ModelResult) -> pd.DataFrame:
    """Doubling effects: rate at the median salvo and at twice it (%), change in points with
    its 95% CI (fixed-b over months) and, when given, the model's interval that treats waves as
    independent, and the date at which they are evaluated."""
    rows = interception.table("effects")
    if rows.empty:
        return rows
    out = pd.DataFrame(
        {
            "class": rows["weapon_class"],
            "measure": rows["measure"],
            "at date": pd.to_datetime(rows["reference_date"]).dt.date,
            "median salvo": rows["salvo"],
            "doubled": rows["salvo_doubled"],
            "rate %": _percent(rows["rate"]),
            "rate doubled %": _percent(rows["rate_doubled"]),
            "change, points": rows["change_points"].round(1),
            "95% CI low": rows["change_ci_low"].round(1),
            "95% CI high": rows["change_ci_high"].round(1),
        }
    )
    if "change_ci_low_model" in rows:
        out["CI low, waves independent"] = rows["change_ci_low_model"].round(1)
        out["CI high, waves independent"] = rows["change_ci_high_model"].round(1)
    return out.reset_index(drop=True)


def by_salvo_table(interception: ModelResult) -> pd.DataFrame:
    """Pooled defeat rate per salvo-size bin (timed waves of the model): class, bin, waves,
    launched, defeated, rate % and Wilson 95% interval %."""
    rows = interception.table("by_salvo")
    if rows.empty:
        return rows
    return pd.DataFrame(
        {
            "class": rows["weapon_class"],
            "launched in the wave": rows["salvo"].map(_bin_label),
            "waves": rows["waves"],
            "launched": rows["launched"],
            "defeated": rows["successes"],
            "rate %": _percent(rows["rate"]),
            "95% CI low %": _percent(rows["ci_low"]),
            "95% CI high %": _percent(rows["ci_high"]),
        }
    ).reset_index(drop=True)


def _bin_label(label: str) -> str:
    """``1-1`` -> ``1``; other labels unchanged."""
    low, _, high = str(label).partition("-")
    return low if high == low else str(label)


def coefficients_table(interception: ModelResult, model: str = "beta_binomial") -> pd.DataFrame:
    """The model's coefficients (logit scale; rho: intra-wave correlation), rounded."""
    rows = interception.table("coefficients")
    if rows.empty:
        return rows
    rows = rows[rows["model"] == model]
    return pd.DataFrame(
        {
            "class": rows["weapon_class"],
            "measure": rows["measure"],
            "term": rows["term"],
            "estimate": rows["estimate"].round(3),
            "95% CI low": rows["ci_low"].round(3),
            "95% CI high": rows["ci_high"].round(3),
            "p": rows["p_value"].map(_p),
            "waves": rows["n_waves"],
        }
    ).reset_index(drop=True)


def sensitivity_table(interception: ModelResult) -> pd.DataFrame:
    """The defeat-rate salvo coefficient (logit per doubling) under other choices, and the
    doubling effect in points each gives at the main sample's median salvo and date."""
    rows = interception.table("sensitivity")
    if rows.empty:
        return rows
    names = {
        "main": "main (beta-binomial, timed waves)",
        "quasi_binomial": "quasi-binomial GLM",
        "all_waves": "all waves, untimed included",
        "timed_waves": "timed waves only",
        "year_effects": "one level per year",
    }
    out = pd.DataFrame(
        {
            "class": rows["weapon_class"],
            "variant": rows["variant"].map(names).fillna(rows["variant"]),
            "waves": rows["n_waves"],
            "per doubling (logit)": rows["estimate"].round(3),
            "95% CI low": rows["ci_low"].round(3),
            "95% CI high": rows["ci_high"].round(3),
        }
    )
    if "doubling_points" in rows:
        out["change for a doubling, points"] = rows["doubling_points"].round(1)
    return out.reset_index(drop=True)


def exclusions_table(interception: ModelResult) -> pd.DataFrame:
    """Waves per class and why some are left out of the model."""
    rows = interception.table("exclusions")
    if rows.empty:
        return rows
    return rows.rename(
        columns={
            "weapon_class": "class",
            "waves_launched": "waves with the class",
            "untimed": "dates only (not in the main fit)",
            "counts_missing": "counts missing",
            "allocated_across_classes": "destroyed shared across classes",
            "lumped_row_in_wave": "lumped row (e.g. S-400 and Iskander-M)",
            "capped": "defeated capped at launched",
            "split_reported": "drone split reported",
        }
    ).set_index("class")


def examples_table(examples: pd.DataFrame) -> pd.DataFrame:
    """The reporting-practice example nights with rates in percent."""
    out = examples.drop(columns=["wave_id"]).copy()
    out["defeat rate %"] = _percent(out.pop("defeat_rate"))
    out["destroyed only %"] = _percent(out.pop("destroyed_only_rate"))
    return out.rename(columns={"not_reach_goal": "not reaching target"}).set_index("date")


__all__ = [
    "by_salvo_table",
    "coefficients_table",
    "defeat_by_salvo_chart",
    "defeat_by_year_table",
    "defeat_rate_by_year_chart",
    "effects_table",
    "examples_table",
    "exclusions_table",
    "progression_table",
    "record_progression_chart",
    "records_table",
    "salvo_size_chart",
    "sensitivity_table",
    "slopes_table",
]
