"""What the cross-check against published figures says, in words and display tables."""

from __future__ import annotations

import pandas as pd

from analysis.data.crosscheck import TOLERANCE, UNEXPLAINED, primary_drone_months
from analysis.data.dates import MONTH_FORMAT
from analysis.findings.overview import listing, number_word
from analysis.findings.text import day_label, month_label
from analysis.results import Publisher


def _months(values: pd.Series) -> str:
    return listing([month_label(m) for m in pd.to_datetime(values)])


def _others(apart: int, explained: int) -> str:
    """What the data say about the ``apart`` months outside the tolerance, ``explained`` of
    which have a known cause: ``three of the other four have a known cause, ...``."""
    cause = "a known cause, given in the method notes"
    rest = "the other one" if apart == 1 else f"the other {number_word(apart)}"
    if explained == 0:
        return f"the data do not explain {rest}"
    if explained == apart:
        return f"{rest} {'has' if apart == 1 else 'each have'} {cause}"
    return f"{number_word(explained)} of {rest} {'has' if explained == 1 else 'have'} {cause}"


def crosscheck_finding(pub: Publisher, table: pd.DataFrame) -> str:
    """In how many months the national drone totals are within :data:`TOLERANCE` of the
    published ones, and how many of the rest the data explain; records the counts under both
    scopes."""
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
    first, last = month_label(drones["month"].min()), month_label(drones["month"].max())
    span = first if first == last else f"{first} to {last}"
    share = f"{TOLERANCE:.0%}"
    if off.empty:
        text = (
            f"In all {total} months checked ({span}), this report's monthly drone totals are "
            f"within {share} of the published national figures."
        )
    else:
        tail = _others(len(off), int((off["explanation"] != UNEXPLAINED).sum()))
        text = (
            f"In {within} of the {total} months checked ({span}), this report's monthly drone "
            f"totals are within {share} of the published national figures; {tail}."
        )
    pub.number("crosscheck_months", total)
    pub.number("crosscheck_within_national", within)
    pub.number("crosscheck_within_all", int(every.sum()))
    return pub.finding("crosscheck", text, value=within, unit=f"of {total} months")


def crosscheck_detail(table: pd.DataFrame) -> str:
    """The monthly check's technical side: which count is checked, the same check counting
    every reporter, and the months further apart."""
    drones = primary_drone_months(table)
    if drones.empty:
        return "No published monthly drone total falls in the period shown."
    every = (drones["all"] - drones["reference"]).abs() <= TOLERANCE * drones["reference"]
    off = drones.loc[~drones["within"]]
    text = (
        f"The check counts the national summary (the national scope) against each month's "
        f"primary reference; counting every reporter instead, {int(every.sum())} of "
        f"{len(drones)} months are within {TOLERANCE:.0%}."
    )
    if not off.empty:
        text += (
            f" The table gives what the data say about the months further apart "
            f"({_months(off['month'])})."
        )
    return text


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
                "same" if d == 0 else (n or UNEXPLAINED)
                for d, n in zip(table["difference"], table["note"], strict=True)
            ],
            "source": table["publisher"],
            "link": table["url"],
        }
    )


def nights_finding(pub: Publisher, table: pd.DataFrame) -> str:
    """How many of the largest attacks' published figures the project reproduces exactly."""
    nights = table.groupby("date")["difference"].apply(lambda d: bool((d == 0).all()))
    exact, total = int(nights.sum()), len(nights)
    apart = len(nights) - exact
    text = (
        f"For {exact} of the {total} largest attacks checked, this report's counts match the "
        "Air Force's published figures exactly"
    )
    if apart:
        explained = bool(
            table.loc[table["difference"] != 0, "note"].fillna("").str.len().gt(0).all()
        )
        reason = (
            "for reasons given in the method notes"
            if explained
            else "and the method notes say what the data show about each"
        )
        other = "the other one differs" if apart == 1 else f"the other {number_word(apart)} differ"
        text += f"; {other} {reason}"
    pub.number("crosscheck_nights_exact", exact)
    return pub.finding("crosscheck_nights", text + ".", value=exact, unit=f"of {total} nights")


def nights_detail(table: pd.DataFrame) -> str:
    """The dates of the attacks whose figures differ from the Air Force's, for the fold."""
    nights = table.groupby("date")["difference"].apply(lambda d: bool((d == 0).all()))
    apart = [day_label(d) for d in nights.index[~nights.to_numpy()]]
    if not apart:
        return "Every figure checked is the Air Force's own."
    return (
        f"The attacks whose figures differ: {listing(apart)}. The table gives each figure "
        "and the reason."
    )
