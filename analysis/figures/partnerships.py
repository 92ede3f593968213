"""Display tables and one chart for ``notebooks/04_supply_partnerships.ipynb``.

The indicator charts live in :mod:`analysis.figures.origins`; this module adds what the
notebook needs on top of them: the partnership timeline as a table (with its source links made
safe for HTML), the origin and supply tables in display form, the event-study summary table
and its chart.

**HTML safety.** The timeline's text comes from a CSV that people edit, and the notebook is
rendered to HTML. Every text cell shown through :func:`safe_style` is escaped (pandas'
``Styler`` does not escape by default); the only raw HTML is the link cell, built here from
escaped parts by :func:`source_link`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullLocator
from pandas.io.formats.style import Styler

from analysis.data.dates import day_text, days_text, month_text, months_text
from analysis.data.gaps import mark_months
from analysis.data.indicators import ORIGIN_GROUPS, ORIGIN_LABELS
from analysis.figures.origins import PARTNER_COLOURS, PARTNER_NAMES, short_label
from analysis.figures.style import set_credit, set_title
from analysis.findings.partnerships import PLACEBO_ALPHA, UNVERIFIED_MARK, survives
from analysis.modelresult import ModelResult

#: Shown for a missing value in display tables.
MISSING = "–"
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
    """The partnership timeline as a table to show and save: ``date`` (``YYYY-MM`` when only
    the month is known), ``event_id``, ``partner``, ``type``, ``description``, ``source``
    (organisation), ``url`` (plain text) and ``verification`` (``checked`` or a visible
    ``unverified`` mark). ``ids`` keeps only those events (None: all), in date order."""
    chosen = events if ids is None else events[events["event_id"].isin(list(ids))]
    chosen = chosen.sort_values(["date", "event_id"], kind="stable")
    return pd.DataFrame(
        {
            "date": [_event_date(r) for _, r in chosen.iterrows()],
            "event_id": chosen["event_id"].to_numpy(),
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
    """:func:`timeline_rows` for display: the source organisation as a link to its URL (built
    from escaped parts), every other cell escaped, unverified rows shaded."""
    shown = rows.drop(columns=["url"]).copy()
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


def label_lags_table(appearances: ModelResult) -> pd.DataFrame:
    """The ``lags`` table of :func:`analysis.data.indicators.model_appearances` for display."""
    lags = appearances.table("lags")
    return pd.DataFrame(
        {
            "label in the reports": lags["label"],
            "first named": days_text(lags["first_appearance"]),
            "linked event": lags["event_id"],
            "event date": days_text(lags["event_date"]),
            "event type": [_TYPE_NAMES.get(t, t) for t in lags["event_type"]],
            "days from event to first named": lags["lag_days"].astype("Int64"),
            "reference event": ["yes" if r else "" for r in lags["reference"]],
            "event before the data": ["yes" if b else "" for b in lags["before_data"]],
        }
    )


def near_reference_table(appearances: ModelResult) -> pd.DataFrame:
    """Reports of the reference event's weapon class within a few days of it, for display."""
    near = appearances.table("near_reference")
    return pd.DataFrame(
        {
            "reference event": near["reference_event"],
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
    "other_event_ids",
    "placebo_p_raw",
    "placebo_p_all_raw",
    "placebo_p_holm",
    "placebo_p_bh",
    "n_placebo_all",
)
_SHOWN_NAMES = {
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


def event_table_style(events: pd.DataFrame) -> Styler:
    """:func:`event_table` for display: p-values before and after correction for the number
    of events tested (Holm, Benjamini-Hochberg), whether the change survives it; the list of
    other events, the raw-jump placebo p-values and the counterfactual left to the saved CSV."""
    hidden = [c for c in _HIDDEN if c in events.columns]
    hidden += [c for c in events.columns if c.startswith("counterfactual")]
    shown = events.drop(columns=hidden)
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


def event_study_chart(
    result: ModelResult,
    timeline: pd.DataFrame | None = None,
    *,
    release: str,
    labels: dict[str, str] | None = None,
) -> Figure:
    """The level change at each estimated event (ratio to the pre-event trend, 95% CI) on a
    log scale, one row per event in date order, coloured by partner; a filled marker when the
    event's change survives correction for the number of events tested, hollow otherwise.
    The title says how many do. Events marked unverified in ``timeline`` get "(unverified)"
    after their label."""
    table = result.table("events")
    unverified = (
        set()
        if timeline is None
        else set(timeline.loc[timeline["verification"] == "unverified", "event_id"])
    )
    done = table[table["status"] == "estimated"].sort_values("date", kind="stable")
    skipped = int((table["status"] != "estimated").sum())
    summary = result.summary
    n = len(done)
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.9):
        fig = Figure(figsize=(10, 2.4 + 0.32 * max(n, 1)), layout="constrained")
        ax = fig.subplots()
        if n == 0:
            ax.text(
                0.5,
                0.5,
                "no event could be estimated with these windows",
                transform=ax.transAxes,
                ha="center",
                va="center",
                color="0.4",
            )
            ax.set_yticks([])
            ax.set_xticks([])
        else:
            y = np.arange(n)[::-1]
            for yi, (_, row) in zip(y, done.iterrows(), strict=True):
                colour = PARTNER_COLOURS.get(row["partner"], "0.3")
                ax.plot(
                    [row["ratio_low"], row["ratio_high"]],
                    [yi, yi],
                    color=colour,
                    linewidth=2,
                    solid_capstyle="butt",
                )
                filled = survives(row)
                ax.plot(
                    row["ratio"],
                    yi,
                    marker="o",
                    markersize=7,
                    color=colour,
                    markerfacecolor=colour if filled else "white",
                    markeredgewidth=1.6,
                )
            ax.axvline(1, color="0.25", linewidth=1)
            ax.set_xscale("log")
            values = pd.concat([done["ratio_low"], done["ratio_high"]]).astype(float)
            low = min(values.min(), 0.5) / 1.3
            high = max(values.max(), 2.0) * 1.3
            ax.set_xlim(low, high)
            ticks = [
                t
                for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200)
                if low <= t <= high
            ]
            ax.xaxis.set_major_locator(FixedLocator(ticks))
            ax.xaxis.set_minor_locator(NullLocator())
            ax.set_xticklabels([f"{t:g}" for t in ticks])
            names = [
                f"{day_text(d)}  {(labels or {}).get(e, short_label(e))}"
                + (" (unverified)" if e in unverified else "")
                for d, e in zip(done["date"], done["event_id"], strict=True)
            ]
            ax.set_yticks(y, names, fontsize="small")
            ax.set_ylim(-0.7, n - 0.3)
            ax.grid(axis="y", visible=False)
        ax.set_xlabel(
            "weekly launches right after the event ÷ pre-event trend (1 = no change; log scale)"
        )
        sns.despine(ax=ax, left=True)
        window, lag = summary.get("window_weeks"), summary.get("lag_weeks")
        lines = [
            _chart_title(done),
            "Jump at each event with its 95% confidence interval (before correction); "
            f"{window} weeks each side, lag {lag} weeks",
        ]
        partners = [p for p in PARTNER_NAMES if n and p in set(done["partner"])]
        if partners:
            colours = {"iran": "green", "north_korea": "red"}
            series = {"iran": "strike drones", "north_korea": "all ballistic missiles"}
            lines += [
                ", ".join(f"{PARTNER_NAMES[p]}: {series[p]} ({colours[p]})" for p in partners)
                + ", unless the event names a class",
                "Filled dot: the change survives correction (jump and placebo tests both below "
                f"{PLACEBO_ALPHA:g}); hollow: it does not",
            ]
        lines.append(
            "Timing is association, not proof of cause: most windows hold several other events"
        )
        if skipped:
            lines.append(
                f"Not shown: {skipped} event{'s' if skipped > 1 else ''} that could "
                "not be estimated (see the table)"
            )
        set_title(fig, lines[0], lines[1:])
        set_credit(fig, release, events=True)
    return fig


def _chart_title(done: pd.DataFrame) -> str:
    """The finding of the chart: how many of the events tested show a change that survives
    correction for the number of events tested."""
    n = len(done)
    if n == 0:
        return "No event could be estimated"
    k = sum(survives(row) for _, row in done.iterrows())
    tests = f"{n} event{'s' if n != 1 else ''}"
    if k == 0:
        return f"No change in weekly launches survives correction for testing {tests}"
    return (
        f"{k} of {tests} show{'s' if k == 1 else ''} a change in weekly launches that "
        f"survives correction for testing {tests}"
    )


__all__ = [
    "event_study_chart",
    "event_table_style",
    "label_lags_table",
    "near_reference_table",
    "origin_month_table",
    "production_claims_table",
    "safe_style",
    "source_link",
    "supply_years_table",
    "timeline_html",
    "timeline_rows",
]
