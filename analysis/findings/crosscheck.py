"""What the cross-check against published figures says, in words and display tables."""

from __future__ import annotations

import pandas as pd

from analysis.data.crosscheck import TOLERANCE, primary_drone_months
from analysis.data.dates import MONTH_FORMAT
from analysis.results import Publisher


def _months(values: pd.Series) -> str:
    return ", ".join(pd.to_datetime(values).dt.strftime(MONTH_FORMAT))


def crosscheck_finding(pub: Publisher, table: pd.DataFrame) -> str:
    """How many months' national drone totals match the published ones, and why the rest
    do not; records the counts under both scopes."""
    drones = primary_drone_months(table)
    if drones.empty:
        return pub.finding(
            "crosscheck",
            "No published monthly drone total to check against in this release.",
            headline=False,
        )
    every = (drones["all"] - drones["reference"]).abs() <= TOLERANCE * drones["reference"]
    within, total = int(drones["within"].sum()), len(drones)
    off = drones.loc[~drones["within"]]
    first, last = drones["month"].min(), drones["month"].max()
    text = (
        f"Counted from the national summary, the monthly drone totals are within "
        f"{TOLERANCE:.0%} of the published national figures in {within} of the {total} months "
        f"checked ({first:{MONTH_FORMAT}} to {last:{MONTH_FORMAT}}); counting every reporter, "
        f"{int(every.sum())} of {total} are."
    )
    if not off.empty:
        text += (
            f" The table gives what the data say about the months further apart "
            f"({_months(off['month'])})."
        )
    pub.number("crosscheck_months", total)
    pub.number("crosscheck_within_national", within)
    pub.number("crosscheck_within_all", int(every.sum()))
    return pub.finding("crosscheck", text, value=within, unit=f"of {total} months", headline=False)


def monthly_display(table: pd.DataFrame) -> pd.DataFrame:
    """The monthly cross-check for reading: primary rows first per month, differences in %."""
    out = pd.DataFrame(
        {
            "month": table["month"].dt.strftime(MONTH_FORMAT)
            + table["possibly_incomplete"].map({True: " *", False: ""}),
            "group": table["weapon"],
            "published": table["reference"],
            "source": table["publisher"] + table["primary"].map({True: "", False: " (alternate)"}),
            "national summary": table["national"],
            "every reporter": table["all"],
            "difference": (table["share"] * 100).round(1).map(lambda v: f"{v:+.1f}%"),
            "why": table["explanation"],
            "link": table["url"],
        }
    )
    return out.reset_index(drop=True)


def nights_display(table: pd.DataFrame) -> pd.DataFrame:
    """The nights' cross-check for reading: one row per date and figure."""
    return pd.DataFrame(
        {
            "date": table["date"].dt.strftime("%Y-%m-%d"),
            "figure": table["figure"],
            "Air Force": table["reference"],
            "project": table["project"],
            "difference": table["difference"],
            "why": [
                "same" if d == 0 else (n or "not explained by the data")
                for d, n in zip(table["difference"], table["note"], strict=True)
            ],
            "source": table["publisher"],
            "link": table["url"],
        }
    )


def nights_finding(pub: Publisher, table: pd.DataFrame) -> str:
    """How many of the nights' published figures the project reproduces exactly."""
    nights = table.groupby("date")["difference"].apply(lambda d: bool((d == 0).all()))
    exact, total = int(nights.sum()), len(nights)
    apart = nights.index[~nights.to_numpy()]
    text = (
        f"For {exact} of the {total} largest nights checked, the project's figures are the "
        "Air Force's published ones exactly"
    )
    text += (
        "."
        if not len(apart)
        else f"; the others ({', '.join(f'{d:%Y-%m-%d}' for d in apart)}) "
        "differ for the reasons given in the table."
    )
    pub.number("crosscheck_nights_exact", exact)
    return pub.finding("crosscheck_nights", text, value=exact, unit=f"of {total} nights")
