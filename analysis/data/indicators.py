"""Supply-partnership indicators: launches by design origin, the North Korean missile band,
first appearances of partnership weapons in the data and the launches-implied minimum supply.

Every function is pure: it takes the strikes table (``analysis/strikes.py``) and, where it
needs them, the partnership events (:func:`analysis.data.events.read_events`), and returns
DataFrames or a :class:`~analysis.modelresult.ModelResult`. Counts are dated by the Kyiv date
on which a report's window ends (``end_date``); a missing ``launched`` adds nothing.

**Design origin, not place of manufacture.** "Iranian design" is the ``iran`` origin of the
taxonomy: Shahed-136/131 drones, whether imported from Iran or built in Russia as Geran-2/1
(Alabuga, Tatarstan), and, from 2025, the decoys (Gerbera and others) that the Air Force counts
with them. The data never say where a drone was built, so nothing here separates imports from
Russian production. "North Korean" is only the few rows that name ``KN-23`` alone; most North
Korean missiles are probably inside the ambiguous ``Iskander-M/KN-23`` label, which is why
:func:`north_korean_band` gives a lower and an upper bound rather than one number.
"""

from __future__ import annotations

import calendar as calendar_module
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.data.dates import DateLike, month_text
from analysis.data.series import (
    FREQUENCIES,
    HEADLINE_GROUPS,
    as_timestamps,
    calendar,
    period_bounds,
)
from analysis.data.taxonomy import lookup, split_model
from analysis.modelresult import ModelResult
from analysis.vocabulary import (
    BALLISTIC_MISSILE,
    IRAN,
    MIXED_ORIGIN,
    NORTH_KOREA,
    RUSSIA,
    RUSSIA_OR_NORTH_KOREA,
    STRIKE_DRONE,
    UNKNOWN_ORIGIN,
)

#: Display groups of :func:`origin_series`, in display order, and the taxonomy origins in each.
ORIGIN_GROUPS: dict[str, tuple[str, ...]] = {
    "iranian_design": (IRAN,),
    "north_korean": (NORTH_KOREA,),
    "russia_or_north_korea": (RUSSIA_OR_NORTH_KOREA,),
    "russian": (RUSSIA,),
    "other_unknown": (MIXED_ORIGIN, UNKNOWN_ORIGIN),
}
ORIGIN_LABELS: dict[str, str] = {
    "iranian_design": "Iranian design (Shahed/Geran, Russian-built included)",
    "north_korean": "North Korean (KN-23 named alone)",
    "russia_or_north_korea": "Russian or North Korean (Iskander-M/KN-23)",
    "russian": "Russian design",
    "other_unknown": "Other or unidentified",
}
#: The Air Force's headline classes: long-range strike drones and every missile class.
HEADLINE_CLASSES: tuple[str, ...] = tuple(sorted(set().union(*HEADLINE_GROUPS.values())))
#: The label the Air Force uses for ballistic missiles it does not attribute to one country.
AMBIGUOUS_LABEL = "Iskander-M/KN-23"
NORTH_KOREAN_LABEL = "KN-23"
SHAHED_LABEL = "Shahed-136/131"
#: Partnership events reached only through their columns (never through an event_id).
PRODUCTION = "production"


@dataclass(frozen=True)
class PartnershipLink:
    """A weapon label of the data tied to the events of one partnership.

    An event is linked when its ``partner`` is ``partner``, its ``event_type`` is one of
    ``event_types`` (empty = any) and its ``weapon_class`` is one of ``weapon_classes``.
    """

    label: str
    partner: str
    weapon_classes: tuple[str, ...]
    event_types: tuple[str, ...] = ()


PARTNERSHIP_LINKS: tuple[PartnershipLink, ...] = (
    PartnershipLink(SHAHED_LABEL, "iran", (STRIKE_DRONE,)),
    PartnershipLink(
        NORTH_KOREAN_LABEL, "north_korea", (BALLISTIC_MISSILE,), ("first_use", "delivery")
    ),
    PartnershipLink(
        AMBIGUOUS_LABEL, "north_korea", (BALLISTIC_MISSILE,), ("first_use", "delivery")
    ),
)

DESIGN_ORIGIN_NOTE = (
    "'Iranian design' is design lineage, not place of manufacture: Shahed-136/131 drones "
    "imported from Iran and Geran-2/1 copies built in Russia (Alabuga, Tatarstan) carry the "
    "same label, and from 2025 the counts include decoys (Gerbera and others)."
)


# Shared helpers ------------------------------------------------------------------------------


def _launched(strikes: pd.DataFrame) -> pd.Series:
    return strikes["launched"].astype("Float64").fillna(0).astype("float64")


def _period_sums(
    strikes: pd.DataFrame,
    parts: dict[str, pd.Series],
    *,
    freq: str,
    start: DateLike,
    end: DateLike,
) -> pd.DataFrame:
    """``period, days, complete`` and, for each mask in ``parts``, the launches of its rows.

    The calendar runs from ``start`` (default: first date in ``strikes``) to ``end`` (default:
    last date) with zeros on periods without rows.
    """
    if freq not in FREQUENCIES:
        raise ValueError(f"freq {freq!r} is not one of {', '.join(FREQUENCIES)}")
    days = as_timestamps(strikes["end_date"])
    first, last = period_bounds(days, start, end)
    cal = calendar(first, last, freq)
    inside = ((days >= first) & (days <= last)).to_numpy()
    period = days.dt.to_period(FREQUENCIES[freq]).dt.start_time.to_numpy()[inside]
    launched = _launched(strikes).to_numpy()[inside]
    out = cal.set_index("period")
    for name, mask in parts.items():
        values = np.where(np.asarray(mask, dtype=bool)[inside], launched, 0.0)
        sums = pd.Series(values).groupby(period).sum()
        out[name] = sums.reindex(out.index, fill_value=0).round().astype("int64")
    return out.reset_index()


def _share(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """``numerator / denominator`` as floats; NaN where the denominator is 0 (0/0 guard)."""
    den = denominator.astype("float64")
    return (numerator.astype("float64") / den.where(den > 0)).astype("float64")


def _ratio(numerator: float, denominator: float) -> float | None:
    return float(numerator) / float(denominator) if denominator else None


def _has_component(models: pd.Series, label: str) -> pd.Series:
    """Whether each ``model`` names ``label`` alone or as a part of a combined name."""
    folded = label.casefold()
    return (
        models.astype("string")
        .fillna("")
        .map(lambda m: any(p.casefold() == folded for p in split_model(m)))
        .astype(bool)
    )


def _has_class(models: pd.Series, classes: frozenset[str]) -> pd.Series:
    """Whether each ``model`` names a weapon of one of ``classes`` (alone or combined)."""

    def holds(model: str) -> bool:
        weapons = (lookup(p) for p in split_model(model))
        return any(w is not None and w.weapon_class in classes for w in weapons)

    return models.astype("string").fillna("").map(holds).astype(bool)


# 1. Launches by design origin ----------------------------------------------------------------


def origin_series(
    strikes: pd.DataFrame,
    freq: str = "M",
    start: DateLike = None,
    end: DateLike = None,
    *,
    weapon_classes: Sequence[str] | None = HEADLINE_CLASSES,
) -> pd.DataFrame:
    """Launches per period by design origin, with each origin's share of the period's total.

    Columns: ``period`` (first day), ``days`` observed, ``complete``, one launch count per
    group of :data:`ORIGIN_GROUPS` (``iranian_design``, ``north_korean``,
    ``russia_or_north_korea``, ``russian``, ``other_unknown``), ``total`` and ``share_<group>``.
    Every period of the calendar appears (zeros included); a share is NaN when the period has
    no launches at all (0/0), never an error.

    ``weapon_classes`` limits the rows counted: by default the Air Force's headline classes
    (Shahed/Geran-type strike drones and every missile class), which leaves out
    reconnaissance, tactical and unidentified drones and guided bombs; ``None`` counts every
    class. The choice is kept in ``frame.attrs["weapon_classes"]``.

    "Iranian design" is design lineage, not where a drone was made: Russian-built Geran copies
    (Alabuga) count as Iranian design, and from 2025 so do the decoys the Air Force counts with
    them.
    """
    chosen = strikes
    if weapon_classes is not None:
        chosen = strikes[strikes["weapon_class"].isin(list(weapon_classes))]
    days = as_timestamps(strikes["end_date"])
    start = start if start is not None else days.min()
    end = end if end is not None else days.max()
    parts = {group: chosen["origin"].isin(origins) for group, origins in ORIGIN_GROUPS.items()}
    out = _period_sums(chosen, parts, freq=freq, start=start, end=end)
    out["total"] = out[list(ORIGIN_GROUPS)].sum(axis=1).astype("int64")
    for group in ORIGIN_GROUPS:
        out[f"share_{group}"] = _share(out[group], out["total"])
    out.attrs["weapon_classes"] = tuple(weapon_classes) if weapon_classes is not None else None
    out.attrs["note"] = DESIGN_ORIGIN_NOTE
    return out


# 2. North Korean ballistic missiles as a band --------------------------------------------------

BAND_ASSUMPTIONS = (
    "Lower bound: launches of rows that name KN-23 alone (origin north_korea).",
    "Upper bound: the lower bound plus every launch of a row labelled Russia-or-North-Korea, "
    "i.e. naming Iskander-M/KN-23: the ballistic rows, the ballistic components of split "
    "combined rows, and the whole count of unsplit combined rows (e.g. 'X-101/X-555 and "
    "Kalibr and Iskander-M/KN-23'), as if all of it were North Korean.",
    "Shares are of ballistic missile launches (class ballistic_missile, split components "
    "included). For the upper share the unsplit combined rows counted in the upper bound are "
    "added to the denominator as well, so the upper share never exceeds 1.",
)
BAND_CAVEATS = (
    "The upper bound overstates: Iskander-M/KN-23 also covers Russian Iskander-M, and unsplit "
    "combined rows (e.g. 'X-47 Kinzhal and Iskander-M/KN-23') also hold Russian missiles.",
    "The lower bound understates: the Air Force names KN-23 alone only rarely. North Korean "
    "missiles fired before the Iskander-M/KN-23 label first appears are reported as "
    "Iskander-M (Russian) and are in neither bound.",
)


def north_korean_band(
    strikes: pd.DataFrame,
    freq: str = "M",
    start: DateLike = None,
    end: DateLike = None,
) -> ModelResult:
    """North Korean ballistic missiles per period as a band between a lower and an upper bound.

    Table ``band``: ``period, days, complete, kn23`` (rows naming KN-23 alone),
    ``ambiguous_ballistic`` (ballistic rows and split components labelled Iskander-M/KN-23),
    ``ambiguous_mixed`` (unsplit combined rows of another class whose origin is
    russia_or_north_korea), ``lower`` (= kn23), ``upper`` (= lower + both ambiguous columns),
    ``ballistic`` (all ballistic missile launches), ``share_lower`` (lower / ballistic),
    ``share_upper`` (upper / (ballistic + ambiguous_mixed)) and ``share_ambiguous`` (the share
    carrying the ambiguous label); shares are NaN for periods without ballistic launches.

    ``summary`` gives the same totals and shares over the whole range, the first date of the
    ambiguous label and of KN-23 alone.
    """
    origin = strikes["origin"]
    ballistic = strikes["weapon_class"] == BALLISTIC_MISSILE
    ambiguous = origin == RUSSIA_OR_NORTH_KOREA
    parts = {
        "kn23": origin == NORTH_KOREA,
        "ambiguous_ballistic": ambiguous & ballistic,
        "ambiguous_mixed": ambiguous & ~ballistic,
        "ballistic": ballistic,
    }
    band = _period_sums(strikes, parts, freq=freq, start=start, end=end)
    band["lower"] = band["kn23"]
    band["upper"] = band["lower"] + band["ambiguous_ballistic"] + band["ambiguous_mixed"]
    wider = band["ballistic"] + band["ambiguous_mixed"]
    band["share_lower"] = _share(band["lower"], band["ballistic"])
    band["share_upper"] = _share(band["upper"], wider)
    band["share_ambiguous"] = _share(band["ambiguous_ballistic"] + band["ambiguous_mixed"], wider)
    band = band[
        [
            "period",
            "days",
            "complete",
            "kn23",
            "ambiguous_ballistic",
            "ambiguous_mixed",
            "lower",
            "upper",
            "ballistic",
            "share_lower",
            "share_upper",
            "share_ambiguous",
        ]
    ]

    def first_date(mask: pd.Series) -> str | None:
        dates = strikes.loc[mask, "end_date"]
        return str(min(dates)) if len(dates) else None

    totals = {
        c: int(band[c].sum())
        for c in ("kn23", "ambiguous_ballistic", "ambiguous_mixed", "lower", "upper", "ballistic")
    }
    all_wider = totals["ballistic"] + totals["ambiguous_mixed"]
    summary: dict[str, float | int | str | None] = {
        "start": str(band["period"].min().date()),
        "end": str(band["period"].max().date()),
        **totals,
        "share_lower": _ratio(totals["lower"], totals["ballistic"]),
        "share_upper": _ratio(totals["upper"], all_wider),
        "share_ambiguous": _ratio(
            totals["ambiguous_ballistic"] + totals["ambiguous_mixed"], all_wider
        ),
        "first_ambiguous_label": first_date(ambiguous),
        "first_kn23_alone": first_date(origin == NORTH_KOREA),
    }
    return ModelResult(
        name="north_korean_band",
        summary=summary,
        tables={"band": band},
        assumptions=BAND_ASSUMPTIONS,
        caveats=BAND_CAVEATS,
    )


# 3. First and last appearance of each label ----------------------------------------------------


def _appearances(strikes: pd.DataFrame, key: pd.Series, name: str) -> pd.DataFrame:
    dates = pd.to_datetime(as_timestamps(strikes["end_date"]).to_numpy())
    frame = pd.DataFrame(
        {name: key.to_numpy(), "date": dates, "launched": _launched(strikes).to_numpy()}
    )
    out = frame.groupby(name, sort=False).agg(
        first_date=("date", "min"),
        last_date=("date", "max"),
        rows=("date", "size"),
        launched=("launched", "sum"),
    )
    out["first_month"] = out["first_date"].dt.to_period("M").dt.start_time
    out["launched"] = out["launched"].round().astype("int64")
    out = out.sort_values(["first_date", name]).reset_index()
    return out[[name, "first_date", "first_month", "last_date", "rows", "launched"]]


def linked_events(events: pd.DataFrame, link: PartnershipLink) -> pd.DataFrame:
    """The events of ``events`` tied to ``link`` (see :class:`PartnershipLink`), by date."""
    keep = (events["partner"] == link.partner) & events["weapon_class"].isin(link.weapon_classes)
    if link.event_types:
        keep &= events["event_type"].isin(link.event_types)
    return events[keep].sort_values(["date", "event_id"], kind="stable")


def _reference_event(linked: pd.DataFrame) -> pd.Series | None:
    """The earliest first-use event among ``linked``, else the earliest linked event."""
    if linked.empty:
        return None
    first_use = linked[linked["event_type"] == "first_use"]
    return (first_use if not first_use.empty else linked).iloc[0]


def model_appearances(
    strikes: pd.DataFrame,
    events: pd.DataFrame,
    links: Sequence[PartnershipLink] = PARTNERSHIP_LINKS,
    *,
    near_days: int = 3,
) -> ModelResult:
    """When each weapon label and origin first and last appears, and the lag from the linked
    partnership events to a label's first appearance.

    Tables:

    * ``models``: every ``model`` value: ``first_date``, ``first_month``, ``last_date``,
      ``rows``, ``launched`` (Kyiv end dates of the report windows).
    * ``origins``: the same per ``origin``.
    * ``lags``: for each label of ``links`` (Shahed-136/131 → Iran strike-drone events; KN-23
      and Iskander-M/KN-23 → North Korean first-use and delivery events of ballistic
      missiles), one row per linked event: ``label, event_id, event_date, event_type,
      description, first_appearance, lag_days`` (first appearance minus event date; negative
      when the label was in the data before the event), ``reference`` (True for the earliest
      first-use event, else the earliest linked event) and ``before_data`` (the event predates
      the data, so the lag is bounded below by the data's start). A label counts as appearing
      in a row that names it alone or as part of a combined name.
    * ``near_reference``: ``reference_event, event_date, end_date, model, origin, launched``:
      rows whose model holds a weapon of the reference event's class within ``near_days``
      days of each reference event (one block per event, however many labels share it): how
      the event shows in the data, if at all.

    The lags measure how the Air Force labelled its reports, not when the weapons arrived:
    the Iskander-M/KN-23 label starts weeks after North Korean missiles were first reported
    used, and the missiles of those first days sit in rows labelled Iskander-M.
    """
    models = _appearances(strikes, strikes["model"], "model")
    origins = _appearances(strikes, strikes["origin"], "origin")
    days = pd.Series(
        pd.to_datetime(as_timestamps(strikes["end_date"]).to_numpy()), index=strikes.index
    )
    data_first = days.min()
    lag_rows: list[dict] = []
    near: dict[str, pd.DataFrame] = {}
    summary: dict[str, float | int | str | None] = {
        "data_first_date": str(data_first.date()) if pd.notna(data_first) else None,
    }
    for link in links:
        has = _has_component(strikes["model"], link.label)
        first = days[has].min() if has.any() else pd.NaT
        summary[f"first_appearance[{link.label}]"] = str(first.date()) if pd.notna(first) else None
        linked = linked_events(events, link)
        reference = _reference_event(linked)
        for _, event in linked.iterrows():
            lag = (first - event["date"]).days if pd.notna(first) else None
            lag_rows.append(
                {
                    "label": link.label,
                    "event_id": event["event_id"],
                    "event_date": event["date"],
                    "event_type": event["event_type"],
                    "description": event["description"],
                    "first_appearance": first,
                    "lag_days": lag,
                    "reference": reference is not None
                    and event["event_id"] == reference["event_id"],
                    "before_data": bool(pd.notna(data_first) and event["date"] < data_first),
                }
            )
        if reference is None:
            summary[f"reference_event[{link.label}]"] = None
            summary[f"lag_days[{link.label}]"] = None
            continue
        summary[f"reference_event[{link.label}]"] = str(reference["event_id"])
        summary[f"lag_days[{link.label}]"] = (
            int((first - reference["date"]).days) if pd.notna(first) else None
        )
        if reference["event_id"] not in near:
            close = (days - reference["date"]).abs() <= pd.Timedelta(days=near_days)
            of_class = _has_class(strikes["model"], frozenset(link.weapon_classes))
            rows = strikes.loc[close & of_class, ["end_date", "model", "origin", "launched"]]
            near[reference["event_id"]] = rows.assign(
                reference_event=reference["event_id"], event_date=reference["date"]
            )
    lags = pd.DataFrame(
        lag_rows,
        columns=[
            "label",
            "event_id",
            "event_date",
            "event_type",
            "description",
            "first_appearance",
            "lag_days",
            "reference",
            "before_data",
        ],
    )
    lags["lag_days"] = lags["lag_days"].astype("Int64")
    near_columns = ["reference_event", "event_date", "end_date", "model", "origin", "launched"]
    near_table = (
        pd.concat(near.values(), ignore_index=True)[near_columns]
        if near
        else pd.DataFrame(columns=near_columns)
    )
    return ModelResult(
        name="model_appearances",
        summary=summary,
        tables={"models": models, "origins": origins, "lags": lags, "near_reference": near_table},
        assumptions=(
            "A label appears on the Kyiv end date of the first report row that names it, "
            "alone or in a combined name.",
            "The reference event of a label is its earliest linked first-use event (else its "
            "earliest linked event); events are linked by partner, event type and weapon "
            "class, never by event_id.",
        ),
        caveats=(
            "Lags between an event and a label's first appearance are reporting choices: the "
            "Air Force decides when to name a weapon (Iskander-M/KN-23 is used from "
            "2024-02, weeks after North Korean missiles were reported used on 2023-12-30 and "
            "2024-01-02), not when the weapon was first used or delivered.",
            "The data start on " + (summary["data_first_date"] or "?") + "; an event before "
            "that date (before_data) cannot have an earlier appearance, so its lag is only an "
            "upper bound on the true reporting lag.",
        ),
    )


# 4. Launches as a lower bound on supply --------------------------------------------------------

_THOUSANDS_NUMBER = re.compile(r"(?<![\d,.])\d{1,3}(?:,\d{3})+(?![\d,])")
_YEAR_PHRASE = re.compile(r"\bin ((?:19|20)\d{2})\b")
_ANY_YEAR = re.compile(r"(?<![\d,.-])((?:19|20)\d{2})(?!\d)")


def number_in_text(text: str) -> int | None:
    """The one number written with thousands separators in ``text`` ("6,000"), else None
    (none, or several: the description must be read)."""
    found = _THOUSANDS_NUMBER.findall(str(text))
    return int(found[0].replace(",", "")) if len(found) == 1 else None


def year_in_text(text: str) -> int | None:
    """The year of a claim written as "in 2024", when ``text`` names no other year; else
    None (e.g. "2,738 in 2023 and 5,760 in the first nine months of 2024")."""
    years = set(_ANY_YEAR.findall(str(text)))
    found = _YEAR_PHRASE.findall(str(text))
    return int(found[0]) if len(found) == 1 and years == {found[0]} else None


def iranian_design_drones(strikes: pd.DataFrame) -> pd.Series:
    """Rows of Shahed/Geran-type drones: Iranian design and class ``strike_drone``."""
    return (strikes["origin"] == IRAN) & (strikes["weapon_class"] == STRIKE_DRONE)


def first_period_over(counts: pd.Series, threshold: float) -> pd.Timestamp | None:
    """The first index of ``counts`` whose value exceeds ``threshold``, else None."""
    over = counts[counts > threshold]
    return over.index[0] if len(over) else None


def implied_minimum_supply(
    strikes: pd.DataFrame,
    events: pd.DataFrame | None = None,
    start: DateLike = None,
    end: DateLike = None,
) -> ModelResult:
    """Launches of Iranian-design strike drones per month, year and cumulatively, read as a
    lower bound on how many were built or delivered, beside the production claims of the
    timeline.

    Drones are the Shahed/Geran family (origin ``iran``, class ``strike_drone``): imported and
    Russian-built alike, decoys included from 2025. Tables:

    * ``monthly``: ``period, days, complete, launched, cumulative``.
    * ``yearly``: ``year, days, complete`` (whole year observed), ``launched``,
      ``cumulative`` (to the end of the year or of the data).
    * ``production``: the events of type ``production`` (``event_id, date, partner,
      description, source_org, verification``), the number written in the description when
      there is exactly one with thousands separators (``claimed_number``), a year written as
      "in 2024" (``claimed_year``), the launches in that year (``launched_in_year``,
      ``year_complete``), launches up to and including the event date (``launched_to_date``,
      whatever ``start``) and ``launched_in_year / claimed_number``. Empty without
      ``events``.

    ``summary`` holds the total, each year's total (``launched_<year>``), the peak month and
    the first month with more than 1,000 launches.
    """
    drones = iranian_design_drones(strikes)
    monthly = _period_sums(strikes, {"launched": drones}, freq="M", start=start, end=end)
    monthly["cumulative"] = monthly["launched"].cumsum()
    years = monthly["period"].dt.year
    yearly = monthly.groupby(years).agg(days=("days", "sum"), launched=("launched", "sum"))
    yearly.index.name = "year"
    in_year = [366 if calendar_module.isleap(y) else 365 for y in yearly.index]
    yearly["complete"] = yearly["days"] == in_year
    yearly["cumulative"] = yearly["launched"].cumsum()
    yearly = yearly.reset_index()[["year", "days", "complete", "launched", "cumulative"]]

    production = _production_table(events, strikes, drones, yearly)
    series_by_month = monthly.set_index("period")["launched"]
    over = first_period_over(series_by_month, 1000)
    peak = series_by_month.idxmax() if series_by_month.any() else None
    summary: dict[str, float | int | str | None] = {
        "start": str(monthly["period"].min().date()),
        "end": str(monthly["period"].max().date()),
        "launched_total": int(monthly["launched"].sum()),
        "first_month_over_1000": month_text(over) if over is not None else None,
        "peak_month": month_text(peak) if peak is not None else None,
        "peak_month_launched": int(series_by_month.max()) if peak is not None else 0,
    }
    for row in yearly.itertuples():
        summary[f"launched_{row.year}"] = int(row.launched)

    caveats = list(_supply_caveats(strikes, drones))
    return ModelResult(
        name="implied_minimum_supply",
        summary=summary,
        tables={"monthly": monthly, "yearly": yearly, "production": production},
        assumptions=(
            DESIGN_ORIGIN_NOTE,
            "Every drone launched had been built (in Iran or Russia) and delivered before its "
            "launch, so cumulative launches to a date are a lower bound on cumulative supply "
            "to that date.",
        ),
        caveats=tuple(caveats),
    )


def _production_table(
    events: pd.DataFrame | None, strikes: pd.DataFrame, drones: pd.Series, yearly: pd.DataFrame
) -> pd.DataFrame:
    columns = [
        "event_id",
        "date",
        "partner",
        "description",
        "source_org",
        "verification",
        "claimed_number",
        "claimed_year",
        "launched_in_year",
        "year_complete",
        "launched_to_date",
        "launched_in_year_per_claimed",
    ]
    if events is None or events.empty:
        return pd.DataFrame(columns=columns)
    chosen = events[events["event_type"] == PRODUCTION]
    out = chosen[[c for c in columns[:6] if c in chosen.columns]].copy().reset_index(drop=True)
    out["claimed_number"] = pd.array([number_in_text(t) for t in out["description"]], dtype="Int64")
    out["claimed_year"] = pd.array([year_in_text(t) for t in out["description"]], dtype="Int64")
    by_year = yearly.set_index("year")
    out["launched_in_year"] = pd.array(
        [
            int(by_year.loc[y, "launched"]) if pd.notna(y) and y in by_year.index else None
            for y in out["claimed_year"]
        ],
        dtype="Int64",
    )
    out["year_complete"] = pd.array(
        [
            bool(by_year.loc[y, "complete"]) if pd.notna(y) and y in by_year.index else None
            for y in out["claimed_year"]
        ],
        dtype="boolean",
    )
    days = pd.to_datetime(as_timestamps(strikes["end_date"]).to_numpy())
    launched = _launched(strikes).to_numpy() * np.asarray(drones, dtype=bool)
    out["launched_to_date"] = pd.array(
        [int(launched[days <= d].sum()) for d in pd.to_datetime(out["date"])], dtype="Int64"
    )
    out["launched_in_year_per_claimed"] = out["launched_in_year"].astype("Float64") / out[
        "claimed_number"
    ].astype("Float64")
    return out[columns]


def _supply_caveats(strikes: pd.DataFrame, drones: pd.Series) -> tuple[str, ...]:
    missing = int(strikes.loc[drones, "launched"].isna().sum())
    left_out = strikes[(strikes["origin"].isin([IRAN, MIXED_ORIGIN])) & ~drones]
    left_launched = int(_launched(left_out).sum())
    caveats = [
        "Launches are a lower bound on supply only if the counts are complete; drones not "
        "detected or not reported are missing, which keeps the bound a lower bound.",
        "From 2025 the Air Force counts decoys (Gerbera and others) with Shahed/Geran drones "
        "and the data do not separate them, so 2025 launches bound Shahed/Geran airframes "
        "plus decoys, not Shahed/Geran production alone.",
        "A year's launches do not bound that year's production: drones can come from stocks "
        "built or delivered earlier. Only cumulative launches bound cumulative supply.",
        "Production claims are single-source statements from the timeline, shown beside the "
        "launches, not checked against them; a claim about Alabuga leaves out drones imported "
        "from Iran.",
        f"{missing} Shahed/Geran row(s) have no launched count and add nothing.",
        f"Left out: {left_launched:,} launches of other Iranian-design or mixed rows "
        "(Mohajer-6 reconnaissance drones; 'Shahed-136/131 and Lancet' without a split).",
    ]
    if "wave_id" in strikes.columns:
        per_wave = strikes[drones].groupby("wave_id")["launched"].agg(["size", "sum"])
        several = per_wave[per_wave["size"] > 1]
        caveats.append(
            f"{int(several['sum'].sum()):,} launches sit in {len(several)} waves with more "
            "than one Shahed/Geran row (e.g. a national and a regional report for overlapping "
            "windows); they are summed as published, so a regional report repeating part of "
            "a national one would be double-counted."
        )
    return tuple(caveats)
