"""Charts and display tables of ``notebooks/03_salvo_and_interception.ipynb``.

Charts are matplotlib :class:`~matplotlib.figure.Figure` objects built without pyplot state in
the report style of :mod:`analysis.figures.style`: one chart per figure at full width, panels
stacked one under the other, large text, thousands separators, direct labels instead of
legends, titles that state the finding and the source credit under the chart. Drones are blue,
missiles vermillion and the share stopped bluish green, on every chart
(:mod:`analysis.figures.palette`). Tables reshape the tables of
:func:`analysis.models.salvo.salvo_model` and
:func:`analysis.models.interception.interception_model` for a reader: plain column names,
rates in percent, rounded numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, PercentFormatter
from scipy.special import expit

from analysis.figures import palette
from analysis.figures.style import (
    NOTE_COLOUR,
    TEXT_PT,
    about,
    count_axis,
    date_axis,
    day_label,
    end_labels,
    panel_title,
    report_figure,
)
from analysis.figures.style import set_credit as _credit
from analysis.figures.style import set_title as _title
from analysis.figures.style import thousands as _thousands
from analysis.modelresult import ModelResult
from analysis.models.interception import DAYS_PER_YEAR
from analysis.models.salvo import MEASURES, salvo_sample, wave_dates

#: Colours of the classes (drones blue, every missile class vermillion), as on every chart.
CLASS_COLOURS = {
    "strike_drone": palette.DRONES,
    "cruise_missile": palette.MISSILES,
    "ballistic_missile": palette.MISSILES,
}
MEASURE_COLOURS = {"drones": palette.DRONES, "missiles": palette.MISSILES}
#: The share stopped (destroyed or lost before its target) has one colour on every chart.
DEFEATED_COLOUR = palette.DEFEATED
#: Waves left out of a fit, and other context, are grey.
CONTEXT_COLOUR = palette.NEUTRAL
#: Line style of each fitted quantile: the median solid, the 90th percentile dashed.
QUANTILE_STYLES = {0.5: "-", 0.9: "--"}
CLASS_TITLES = {
    "strike_drone": "Long-range strike drones (Shahed/Geran type, decoys included)",
    "cruise_missile": "Cruise missiles",
    "ballistic_missile": "Ballistic missiles",
}
#: Plural nouns of the classes, for titles.
CLASS_NOUNS = {
    "strike_drone": "long-range strike drones",
    "cruise_missile": "cruise missiles",
    "ballistic_missile": "ballistic missiles",
}
MEASURE_TITLES = {
    "drones": "Drones per wave (Shahed/Geran type, decoys included from 2025)",
    "missiles": "Missiles per wave (cruise, ballistic and others)",
}
QUANTILE_NAMES = {0.5: "median", 0.9: "90th percentile"}
#: Direct labels of the fitted lines, in plain words.
QUANTILE_LABELS = {0.5: "median", 0.9: "1 in 10\nlarger"}


def _empty(ax: Axes, message: str) -> None:
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", color=NOTE_COLOUR)
    ax.set_yticks([])


def _knots(salvo: ModelResult) -> list[pd.Timestamp]:
    text = str(salvo.summary.get("knots") or "")
    return [pd.Timestamp(k.strip()) for k in text.split(",") if k.strip()]


def _moved(first: float, last: float) -> str:
    if last > 1.05 * first:
        return "grew"
    if last < 0.95 * first:
        return "shrank"
    return "held"


# Salvo size over time ---------------------------------------------------------------------------


def salvo_title(fitted: pd.DataFrame, spec: str = "piecewise") -> str:
    """The salvo chart's finding: how the typical (median) drone attack moved over the span
    ("The typical drone attack grew from about 20 to about 90 drones"); a plain title without
    a fit."""
    if fitted.empty:
        return "Drones and missiles per attack wave"
    line = fitted[
        (fitted["measure"] == "drones")
        & (fitted["spec"] == spec)
        & np.isclose(fitted["quantile"].astype(float), 0.5)
    ].sort_values("date")
    if line.empty:
        return "Drones and missiles per attack wave"
    first, last = (max(float(v), 0.0) for v in line["fitted"].iloc[[0, -1]])
    moved = _moved(first, last)
    if moved == "held":
        return f"The typical drone attack held at about {about(last)} drones"
    if round(first) < 1:
        return f"The typical drone attack {moved} to about {about(last)} drones"
    return (
        f"The typical drone attack {moved} from about {about(first)} to about {about(last)} drones"
    )


def salvo_size_chart(
    salvo: ModelResult, waves: pd.DataFrame, *, release: str, spec: str = "piecewise"
) -> Figure:
    """Wave sizes over time (drones; missiles, one panel under the other), one dot per wave,
    with the fitted median (solid) and 90th-percentile (dashed) lines of ``spec`` and their 95%
    bands, labelled at their ends; titled with :func:`salvo_title`.

    Filled dots are the timed waves the fit uses; open grey dots are waves reported with
    dates only (left out of the fit). A dotted vertical line marks each knot of the
    piecewise fit.
    """
    fitted = salvo.table("fitted")
    knots = _knots(salvo) if spec == "piecewise" else []
    samples = {m: salvo_sample(waves, m, timed_only=False) for m in MEASURES}
    dates = pd.concat([s["date"] for s in samples.values()])
    counts = []
    with report_figure(9.6) as fig:
        axes = fig.subplots(2, 1, sharex=True, height_ratios=[1.25, 1])
        for ax, measure in zip(axes, MEASURES, strict=True):
            sample = samples[measure]
            colour = MEASURE_COLOURS[measure]
            timed, untimed = sample[sample["time_known"]], sample[~sample["time_known"]]
            counts.append(f"{len(timed):,} timed and {len(untimed):,} dates-only {measure} waves")
            ax.scatter(
                untimed["date"],
                untimed["size"],
                s=14,
                facecolors="none",
                edgecolors=CONTEXT_COLOUR,
                linewidths=0.8,
                zorder=1,
            )
            ax.scatter(
                timed["date"], timed["size"], s=14, color=colour, alpha=0.35, linewidths=0, zorder=2
            )
            lines = (
                fitted[(fitted["measure"] == measure) & (fitted["spec"] == spec)]
                if len(fitted)
                else fitted
            )
            ends = []
            for quantile in sorted(lines["quantile"].unique()) if len(lines) else []:
                line = lines[np.isclose(lines["quantile"], quantile)].sort_values("date")
                ax.fill_between(
                    line["date"],
                    line["ci_low"].clip(lower=0),
                    line["ci_high"],
                    color=colour,
                    alpha=0.2,
                    linewidth=0,
                    zorder=3,
                )
                ax.plot(
                    line["date"],
                    line["fitted"].clip(lower=0),
                    color=colour,
                    linewidth=2.6,
                    linestyle=QUANTILE_STYLES.get(round(quantile, 2), ":"),
                    zorder=4,
                )
                name = QUANTILE_LABELS.get(round(quantile, 2), f"q{quantile:g}")
                ends.append(
                    (line["date"].iloc[-1], max(float(line["fitted"].iloc[-1]), 0), name, colour)
                )
            for knot in knots:
                if not len(sample) or not sample["date"].min() < knot < sample["date"].max():
                    continue
                ax.axvline(knot, color=CONTEXT_COLOUR, linestyle=":", linewidth=1.4, zorder=0)
                ax.annotate(
                    f"bend {day_label(knot)}",
                    (knot, 1),
                    xycoords=("data", "axes fraction"),
                    xytext=(-4, -3),
                    textcoords="offset points",
                    ha="right",
                    va="top",
                    fontsize=TEXT_PT,
                    color=NOTE_COLOUR,
                )
            count_axis(ax, MEASURE_TITLES[measure], "launched in the wave")
            if sample.empty:
                _empty(ax, f"no wave with {measure} in this period")
            end_labels(ax, ends)
        if len(dates):
            date_axis(axes[-1], dates.min(), dates.max(), pad=True)
        shape = (
            "each line is straight, bent once at the dotted line"
            if spec == "piecewise" and knots
            else "each line is straight"
        )
        _title(
            fig,
            salvo_title(fitted, spec),
            [
                "Each dot is one attack wave, on the Kyiv date it ended; open grey dots: waves "
                "reported with dates only, left out of the lines",
                "Solid line: the median wave (half are larger); dashed: one wave in ten is "
                f"larger; {shape}; shaded: how sure each line is (95%); each panel has its own "
                "scale",
                "Waves: " + "; ".join(counts),
            ],
        )
        _credit(fig, release)
    return fig


def record_title(progression: pd.DataFrame, measure: str = "drones") -> str:
    """The record chart's finding: the current record of ``measure`` and how often it was
    raised ("The drone record was raised 12 times, to 810 on 7 Sep 2025")."""
    steps = progression[progression["measure"] == measure].sort_values("date")
    if steps.empty:
        return "The largest wave so far, over time"
    top = steps.iloc[-1]
    raised = len(steps) - 1
    times = "once" if raised == 1 else f"{raised:,} times"
    noun = measure[:-1] if measure.endswith("s") else measure
    when = f"{int(top['record']):,} on {day_label(top['date'])}"
    if raised == 0:
        return f"The {noun} record: {when}"
    return f"The {noun} record was raised {times}, to {when}"


def record_progression_chart(salvo: ModelResult, waves: pd.DataFrame, *, release: str) -> Figure:
    """The record wave size over time: a step for every new record (drones; missiles, one
    panel under the other), held to the last wave in ``waves``, with the current record
    labelled; titled with :func:`record_title`. Open markers: records set by waves reported
    with dates only."""
    progression = salvo.table("record_progression")
    last_day = wave_dates(waves).max() if len(waves) else pd.NaT
    with report_figure(8.6) as fig:
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
            ax.step(x, y, where="post", color=colour, linewidth=2.4)
            timed = steps["time_known"].astype(bool)
            ax.scatter(
                steps.loc[timed, "date"], steps.loc[timed, "record"], s=36, color=colour, zorder=3
            )
            ax.scatter(
                steps.loc[~timed, "date"],
                steps.loc[~timed, "record"],
                s=36,
                facecolors="white",
                edgecolors=colour,
                zorder=3,
            )
            top = steps.iloc[-1]
            ax.annotate(
                f"{int(top['record']):,} on {day_label(top['date'])}",
                (top["date"], top["record"]),
                xytext=(-6, 6),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=TEXT_PT,
                color=colour,
            )
            count_axis(ax, f"{title}: raised {len(steps) - 1:,} times", "record")
            ax.set_ylim(0, steps["record"].max() * 1.25)
        first = progression["date"].min() if len(progression) else last_day
        if pd.notna(first) and pd.notna(last_day):
            date_axis(axes[-1], first, max(last_day, progression["date"].max()), pad=True)
        _title(
            fig,
            record_title(progression),
            [
                "A record is a wave larger than every earlier wave in the period; all waves "
                "count, including those reported with dates only",
                "Filled dots: records set by timed waves; open dots: by waves reported with "
                "dates only; each panel has its own scale",
            ],
        )
        _credit(fig, release)
    return fig


def largest_attacks_chart(salvo: ModelResult, *, release: str, n: int = 10) -> Figure:
    """The ``n`` largest attacks by drones launched: one horizontal bar each, drones and
    missiles stacked in their colours, labelled with the date and the composition; largest on
    top. Titled with the largest and how many of the ``n`` came in its year."""
    top = salvo.table("records")
    top = top[top["by"] == "drones"].sort_values("rank").head(n)
    with report_figure(0.55 * max(len(top), 1) + 2.2) as fig:
        ax = fig.subplots()
        y = np.arange(len(top))
        drones = top["drones"].to_numpy(float)
        missiles = top["missiles"].to_numpy(float)
        ax.barh(y, drones, color=MEASURE_COLOURS["drones"], height=0.42)
        ax.barh(y, missiles, left=drones, color=MEASURE_COLOURS["missiles"], height=0.42)
        for i, row in enumerate(top.itertuples(index=False)):
            label = f"{day_label(row.date)}: {int(row.drones):,} drones, {int(row.missiles):,}"
            ax.text(0, i - 0.25, f"{label} missiles", va="bottom", ha="left", fontsize=TEXT_PT)
        ax.set_yticks([])
        ax.invert_yaxis()
        ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
        ax.set_xlabel("drones and missiles launched in one attack")
        ax.grid(axis="y", visible=False)
        sns.despine(ax=ax, left=True)
        if len(top):
            first = top.iloc[0]
            year = pd.Timestamp(first["date"]).year
            same = int((pd.to_datetime(top["date"]).dt.year == year).sum())
            share = f"all {len(top)}" if same == len(top) else f"{same} of the {len(top)}"
            title = (
                f"The largest attack: {int(first['drones']):,} drones on "
                f"{day_label(first['date'])}; {share} largest came in {year}"
            )
        else:
            title = "No attack with drones in this period"
        _title(fig, title, ["Blue: drones; vermillion: missiles launched in the same attack"])
        _credit(fig, release)
    return fig


# Interception ---------------------------------------------------------------------------------


def defeat_by_month_title(monthly: pd.DataFrame, name: str = "strike drones") -> str:
    """The monthly defeat chart's finding: the latest month's share and the range over the
    last twelve months."""
    if monthly.empty:
        return f"Share of {name} reported stopped, per month"
    last = monthly.iloc[-1]
    recent = monthly.tail(12)["share"] * 100
    return (
        f"{100 * last['share']:.0f}% of {name} were reported stopped in "
        f"{pd.Timestamp(last['month']):%B %Y}; each of the last {len(recent)} months lay "
        f"between {recent.min():.0f}% and {recent.max():.0f}%"
    )


def defeat_by_month_chart(
    monthly: pd.DataFrame, *, release: str, name: str = "strike drones"
) -> Figure:
    """The share of a class reported stopped per month (dot) with its 95% interval (line),
    from :func:`analysis.models.interception.monthly_defeat_share`."""
    with report_figure(4.6) as fig:
        ax = fig.subplots()
        x = pd.DatetimeIndex(monthly["month"]) + pd.Timedelta(days=15)
        ax.vlines(x, monthly["low"], monthly["high"], color=palette.DEFEATED, linewidth=2)
        ax.plot(x, monthly["share"], "o", color=palette.DEFEATED, markersize=5)
        _rate_axis(ax, f"Share of {name} reported stopped, per month")
        if len(monthly):
            date_axis(ax, monthly["month"].min(), monthly["month"].max(), pad=True)
        notes = [
            "Dot: launched and reported stopped (shot down or lost locally) in the month; "
            "line: its 95% interval, which allows for waves of the same weeks being alike; "
            "months with fewer than 3 waves have no line"
        ]
        _title(fig, defeat_by_month_title(monthly, name), notes)
        _credit(fig, release)
    return fig


def _class_axes(fig: Figure, classes: Sequence[str]) -> list[Axes]:
    """One panel per class, one under the other at full width."""
    axes = fig.subplots(max(len(classes), 1), 1, squeeze=False)[:, 0]
    return list(axes)


def _rate_axis(ax: Axes, title: str) -> None:
    panel_title(ax, title)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.grid(axis="x", visible=False)
    sns.despine(ax=ax, left=True)


def defeat_title(by_year: pd.DataFrame, classes: Sequence[str]) -> str:
    """The defeat-rate chart's finding: the share stopped of each class in the latest year
    with at least half the launches of the busiest year ("Share stopped in 2025: long-range
    strike drones 86%, cruise missiles 78%, ballistic missiles 33%")."""
    defeat = by_year[by_year["measure"] == "defeat"] if len(by_year) else by_year
    if defeat.empty:
        return "Share of launched weapons stopped, per year"
    # The latest year with at least half the launches of the busiest: a last year of only a
    # few months is passed over.
    launched = defeat.groupby("year")["launched"].sum()
    year = int(launched[launched >= 0.5 * launched.max()].index.max())
    latest = defeat[defeat["year"] == year].set_index("weapon_class")
    parts = [
        f"{CLASS_NOUNS.get(c, c.replace('_', ' '))} {float(latest.loc[c, 'rate']):.0%}"
        for c in classes
        if c in latest.index
    ]
    return f"Share stopped in {year}: " + ", ".join(parts)


def defeat_rate_by_year_chart(
    interception: ModelResult, classes: Sequence[str], *, release: str
) -> Figure:
    """Pooled share stopped per class and year with 95% intervals (filled dots), and the share
    shot down beside it (open dots), one panel per class under each other; the x labels give
    the number launched that year; titled with :func:`defeat_title`."""
    by_year = interception.table("by_year")
    with report_figure(1.9 + 2.6 * max(len(classes), 1)) as fig:
        axes = _class_axes(fig, classes)
        all_years = by_year["year"].astype(int) if len(by_year) else pd.Series(dtype=int)
        for ax, weapon_class in zip(axes, classes, strict=False):
            rows = by_year[by_year["weapon_class"] == weapon_class] if len(by_year) else by_year
            _rate_axis(ax, CLASS_TITLES.get(weapon_class, weapon_class))
            defeat = rows[rows["measure"] == "defeat"] if len(rows) else rows
            if defeat.empty:
                _empty(ax, "no eligible waves")
                continue
            years = defeat["year"].astype(int).to_numpy()
            ends = []
            for measure, shift, filled, name in (
                ("defeat", -0.12, True, "stopped"),
                ("kinetic", 0.12, False, "shot down"),
            ):
                part = rows[rows["measure"] == measure].sort_values("year")
                if part.empty:
                    continue
                x = part["year"].astype(int).to_numpy() + shift
                err = np.vstack([part["rate"] - part["ci_low"], part["ci_high"] - part["rate"]])
                ax.errorbar(
                    x,
                    part["rate"],
                    yerr=err,
                    fmt="o",
                    color=DEFEATED_COLOUR,
                    capsize=3,
                    markersize=7,
                    markerfacecolor=DEFEATED_COLOUR if filled else "white",
                    linewidth=1.4,
                )
                ends.append((float(x[-1]) + 0.1, float(part["rate"].iloc[-1]), name, NOTE_COLOUR))
            ax.xaxis.set_major_locator(FixedLocator(years))
            ax.set_xticklabels(
                [f"{y}\n{n:,}" for y, n in zip(years, defeat["launched"], strict=True)]
            )
            ax.set_xlim(all_years.min() - 0.5, all_years.max() + 0.5)
            ax.set_ylabel("share of launched", fontsize=TEXT_PT)
            end_labels(ax, ends)
        _title(
            fig,
            defeat_title(by_year, classes),
            [
                "Filled dots: share stopped (destroyed, or lost before reaching a target); open "
                "dots: share shot down (drones: only the waves that report the split)",
                "Pooled over the eligible waves of each Kyiv calendar year; under each year: the "
                "number launched",
                "Bars: 95% intervals that treat each weapon as independent, so they are too "
                "narrow (waves vary more than that)",
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


def _doubling_points(ax: Axes, effect: pd.Series) -> None:
    """The share stopped at the median wave and at twice it, with their 95% intervals."""
    xs = [effect["salvo"], effect["salvo_doubled"]]
    ys = [effect["rate"], effect["rate_doubled"]]
    lows = [effect["rate_ci_low"], effect["rate_doubled_ci_low"]]
    highs = [effect["rate_ci_high"], effect["rate_doubled_ci_high"]]
    ax.errorbar(
        xs,
        ys,
        yerr=[np.subtract(ys, lows), np.subtract(highs, ys)],
        fmt="D",
        color=DEFEATED_COLOUR,
        markerfacecolor="white",
        markersize=7,
        capsize=3,
        linewidth=1.4,
        zorder=4,
    )


def by_salvo_title(effects: pd.DataFrame, classes: Sequence[str]) -> str:
    """The share-by-attack-size chart's finding for the first modelled class, from the
    headline interval of its doubling effect ("Larger attacks had more of their long-range
    strike drones stopped, not fewer")."""
    fallback = "Share stopped, by the number launched in the attack"
    if effects.empty:
        return fallback
    defeat = effects[effects["measure"] == "defeat"].set_index("weapon_class")
    chosen = [c for c in classes if c in defeat.index]
    if not chosen:
        return fallback
    row = defeat.loc[chosen[0]]
    noun = CLASS_NOUNS.get(chosen[0], chosen[0].replace("_", " "))
    if row["change_ci_low"] > 0:
        return f"Larger attacks had more of their {noun} stopped, not fewer"
    if row["change_ci_high"] < 0:
        return f"Larger attacks had fewer of their {noun} stopped"
    return f"No clear link between attack size and the share of {noun} stopped"


def defeat_by_salvo_chart(
    interception: ModelResult, classes: Sequence[str], *, release: str
) -> Figure:
    """Share stopped against the number launched in the wave, one panel per class under each
    other: the pooled share per wave-size bin (95% intervals, drawn at the bin's mean size),
    the fitted curve at the sample's median date (labelled at its end) and the two points of
    the doubling effect with their 95% intervals."""
    by_salvo = interception.table("by_salvo")
    effects = interception.table("effects")
    with report_figure(1.9 + 2.8 * max(len(classes), 1)) as fig:
        axes = _class_axes(fig, classes)
        for ax, weapon_class in zip(axes, classes, strict=False):
            _rate_axis(ax, CLASS_TITLES.get(weapon_class, weapon_class))
            ax.set_xscale("log", base=2)
            ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
            ax.set_xlabel("launched in the wave (log scale)", fontsize=TEXT_PT)
            ax.set_ylabel("share stopped", fontsize=TEXT_PT)
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
                color=DEFEATED_COLOUR,
                capsize=3,
                markersize=7,
                linewidth=1.4,
                zorder=3,
            )
            grid = np.geomspace(
                max(1.0, float(mean.min()) / 1.5), max(float(mean.max()) * 1.6, 2.0), 200
            )
            curve = _fitted_curve(interception, weapon_class, grid)
            if curve is not None:
                rate, reference = curve
                ax.plot(grid, rate, color=DEFEATED_COLOUR, linewidth=2.2, zorder=2)
                effect = effects[
                    (effects["weapon_class"] == weapon_class) & (effects["measure"] == "defeat")
                ].iloc[0]
                _doubling_points(ax, effect)
                end_labels(
                    ax,
                    [(grid[-1], float(rate[-1]), f"model,\n{day_label(reference)}", NOTE_COLOUR)],
                )
            ax.set_xlim(min(0.8, grid.min() * 0.8), grid.max() * 1.2)
        _title(
            fig,
            by_salvo_title(effects, classes),
            [
                "Dots: share stopped in the timed attacks of each size (all years together), "
                "with 95% intervals that treat each weapon as independent, so too narrow",
                "Line: the model at one date (the sample's middle date), so it need not pass "
                "through dots that pool several years",
                "Open diamonds: an attack of the typical size and one twice as large, with 95% "
                "intervals that allow for attacks of the same months being alike",
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
    "by_salvo_title",
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
