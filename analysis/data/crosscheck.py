"""The project's counts beside published figures: monthly national totals and big nights.

Each reference row (:mod:`analysis.data.references`) is set beside the project's figure under
both scopes (monthly) or the national scope (nights), with the difference and a reason where
the data give one: a reporting gap in the month (:mod:`analysis.data.gaps`), a rounded or
General Staff figure, or the row's own note. A difference without such a reason says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.data.dates import DateLike
from analysis.data.scope import in_scope
from analysis.data.scope_comparison import scope_comparison
from analysis.data.waves import summarise_waves
from analysis.vocabulary import ALL_SCOPE, NATIONAL_SCOPE

#: A month "matches" when the project is within this share of the reference.
TOLERANCE = 0.01
MONTHLY_COLUMNS = (
    "month",
    "weapon",
    "reference",
    "national",
    "all",
    "difference",
    "share",
    "within",
    "primary",
    "approximate",
    "basis",
    "possibly_incomplete",
    "explanation",
    "publisher",
    "url",
)
NIGHT_MEASURES = {
    "drones_launched": "drones launched",
    "drones_defeated": "drones shot down or lost",
    "missiles_launched": "missiles launched",
    "missiles_defeated": "missiles shot down",
}
#: What the tables say of a difference the data give no reason for.
UNEXPLAINED = "not explained by the data"


def _day(day: str) -> str:
    """A Kyiv date (``2024-11-23``) as a reader writes it: ``23 Nov 2024``."""
    stamp = pd.Timestamp(day)
    return f"{stamp.day} {stamp:%b %Y}"


def _gap_days_by_month(gap_days: Sequence[str]) -> dict[pd.Timestamp, list[str]]:
    out: dict[pd.Timestamp, list[str]] = {}
    for day in sorted(gap_days):
        out.setdefault(pd.Timestamp(day[:7] + "-01"), []).append(day)
    return out


def explain_month(row: pd.Series, gaps: Sequence[str]) -> str:
    """Why the project's national figure differs from the reference, as far as the data say."""
    if row["within"]:
        return f"within {TOLERANCE:.0%}"
    reasons = []
    if gaps and row["difference"] < 0:
        days = ", ".join(_day(d) for d in gaps)
        reasons.append(f"the source has no report on {days} (a reporting gap)")
    if row["basis"] == "general_staff":
        reasons.append("a General Staff figure, which counts more than the morning reports")
    if row["approximate"]:
        reasons.append("the reference is rounded")
    if row.get("note"):
        reasons.append(str(row["note"]).rstrip("."))
    return "; ".join(reasons) if reasons else UNEXPLAINED


def monthly_crosscheck(
    strikes: pd.DataFrame, references: pd.DataFrame, gap_days: Sequence[str] = ()
) -> pd.DataFrame:
    """Each monthly reference beside the project's launches under both scopes (from every
    reporter's ``strikes``): ``difference = national - reference``, ``share`` of the
    reference, ``within`` :data:`TOLERANCE`, whether the month holds a reporting gap
    (``gap_days``, Kyiv dates) and the explanation."""
    counts = scope_comparison(strikes).rename(columns={"group": "weapon"})
    out = references.merge(
        counts[["month", "weapon", NATIONAL_SCOPE, ALL_SCOPE]], on=["month", "weapon"], how="left"
    )
    out = out.rename(columns={"launched": "reference"})
    for scope in (NATIONAL_SCOPE, ALL_SCOPE):
        out[scope] = out[scope].fillna(0).astype("int64")
    out["difference"] = out[NATIONAL_SCOPE] - out["reference"]
    out["share"] = out["difference"] / out["reference"]
    out["within"] = out["share"].abs() <= TOLERANCE
    by_month = _gap_days_by_month(gap_days)
    out["possibly_incomplete"] = out["month"].isin(list(by_month))
    out["explanation"] = [
        explain_month(row, by_month.get(row["month"], [])) for _, row in out.iterrows()
    ]
    return out.loc[:, list(MONTHLY_COLUMNS)]


def primary_drone_months(table: pd.DataFrame) -> pd.DataFrame:
    """The rows the headline check counts: primary references of monthly drone totals."""
    chosen = table["primary"] & (table["weapon"] == "drones")
    return table[chosen].reset_index(drop=True)


def night_figures(waves: pd.DataFrame, dates: Sequence[pd.Timestamp]) -> pd.DataFrame:
    """The project's four figures per Kyiv date, summed over that date's waves: drones
    defeated are shot down plus lost locally, as the Air Force's headline counts them."""
    days = pd.to_datetime(waves["date"].astype(str))
    chosen = waves[days.isin(list(dates))].assign(date=days)
    figures = pd.DataFrame(
        {
            "date": chosen["date"],
            "drones_launched": chosen["drones_launched"],
            "drones_defeated": chosen["drones_destroyed"].fillna(0)
            + chosen["drones_not_reach_goal"].fillna(0),
            "missiles_launched": chosen["missiles_launched"],
            "missiles_defeated": chosen["missiles_destroyed"],
            "waves": 1,
        }
    )
    return figures.groupby("date").sum().astype("int64").reset_index()


def nights_crosscheck(waves: pd.DataFrame, references: pd.DataFrame) -> pd.DataFrame:
    """Each reference figure of a night beside the project's (national ``waves``): one row per
    date, reference row and figure it gives, with ``difference = project - reference``."""
    project = night_figures(waves, references["date"].unique()).set_index("date")
    rows = []
    for ref in references.itertuples(index=False):
        for measure, label in NIGHT_MEASURES.items():
            value = getattr(ref, measure)
            if pd.isna(value):
                continue
            mine = project[measure].get(ref.date, 0)
            rows.append(
                {
                    "date": ref.date,
                    "figure": label,
                    "reference": int(value),
                    "project": int(mine),
                    "difference": int(mine) - int(value),
                    "waves": int(project["waves"].get(ref.date, 0)),
                    "approximate": ref.approximate,
                    "basis": ref.basis,
                    "note": ref.note,
                    "publisher": ref.publisher,
                    "url": ref.url,
                }
            )
    return pd.DataFrame(rows)


def whole_months(references: pd.DataFrame, first: DateLike, last: DateLike) -> pd.DataFrame:
    """The monthly references whose whole month lies within ``[first, last]`` (Kyiv dates),
    so that a period never compares part of a month with a month's total."""
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    ends = references["month"] + pd.offsets.MonthEnd(0)
    keep = (references["month"] >= first) & (ends <= last)
    return references[keep].reset_index(drop=True)


def nights_between(references: pd.DataFrame, first: DateLike, last: DateLike) -> pd.DataFrame:
    """The nights' references dated within ``[first, last]``."""
    keep = references["date"].between(pd.Timestamp(first), pd.Timestamp(last))
    return references[keep].reset_index(drop=True)


def national_waves(strikes: pd.DataFrame) -> pd.DataFrame:
    """The waves of the national scope from every reporter's ``strikes``: the Air Force's
    figures are national whatever scope a report counts."""
    return summarise_waves(in_scope(strikes, NATIONAL_SCOPE))
