"""Calendar series of launches: daily, weekly or monthly counts on a full Kyiv calendar.

A day with no reported attack is a zero, not a gap. Periods are labelled by their first day
(weeks start on Monday); ``complete`` says whether the whole period lies inside the requested
range, so that a model can drop a partly observed first or last week or month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from analysis.data.scope import in_scope
from analysis.data.timeparse import per_distinct
from analysis.vocabulary import (
    BALLISTIC_MISSILE,
    CRUISE_MISSILE,
    DRONE_CLASSES,
    MISSILE_CLASSES,
    ORIGINS,
    STRIKE_DRONE,
    WEAPON_CLASSES,
)

FREQUENCIES = {"D": "D", "W": "W-SUN", "M": "M"}
VALUES = ("launched", "destroyed", "not_reach_goal")
GROUPINGS = {"weapon_class": WEAPON_CLASSES, "origin": ORIGINS}
#: Headline groups built from classes: the Air Force's "drones" and "missiles".
HEADLINE_GROUPS = {"drones": DRONE_CLASSES, "missiles": MISSILE_CLASSES}


def as_timestamps(values: pd.Series) -> pd.Series:
    """Kyiv calendar dates (``date`` objects or ``YYYY-MM-DD`` text) as naive timestamps.

    Each distinct date is converted once (a table holds many rows per day), as its first row
    would be, and spread back to every row."""
    return per_distinct(pd.Series(values), _day_timestamps)


def _from_text(days: pd.Series) -> pd.Series:
    """Dates read from their ``YYYY-MM-DD`` text (what a date object prints too)."""
    return pd.to_datetime(days.astype("string"), format="%Y-%m-%d")


def _day_timestamps(days: pd.Series) -> pd.Series:
    """:func:`_from_text` of distinct dates; ``date`` objects (as tables read from parquet
    hold) are converted directly, many times faster than through text, to the same dtype."""
    if len(days) and all(type(day) is dt.date for day in days.tolist()):
        return pd.to_datetime(days).astype(_from_text(days.iloc[:1]).dtype)
    return _from_text(days)


def period_bounds(days: pd.Series, start, end) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of a series: ``start``/``end`` when given, else the data's span."""
    first = pd.Timestamp(start) if start is not None else days.min()
    last = pd.Timestamp(end) if end is not None else days.max()
    if pd.isna(first) or pd.isna(last):
        raise ValueError("no dates to build a series from; give start and end")
    if last < first:
        raise ValueError(f"end {last.date()} is before start {first.date()}")
    return first.normalize(), last.normalize()


def calendar(start, end, freq: str = "D") -> pd.DataFrame:
    """Every period from ``start`` to ``end``: ``period`` (first day), ``days`` observed,
    ``complete``."""
    if freq not in FREQUENCIES:
        raise ValueError(f"freq {freq!r} is not one of {', '.join(FREQUENCIES)}")
    first, last = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    days = pd.date_range(first, last, freq="D")
    periods = days.to_period(FREQUENCIES[freq])
    frame = pd.DataFrame(
        {
            "period": periods.start_time,
            "length": periods.end_time.normalize() - periods.start_time + pd.Timedelta(days=1),
        }
    )
    out = frame.groupby("period").agg(days=("length", "size"), length=("length", "first"))
    out["complete"] = out["days"] == out["length"].dt.days
    return out.drop(columns="length").reset_index()


def series(
    strikes: pd.DataFrame,
    *,
    by: str = "weapon_class",
    freq: str = "D",
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    groups: Sequence[str] | None = None,
    scope: str | None = None,
) -> pd.DataFrame:
    """Long table ``period, <by>, launched, destroyed, not_reach_goal, rows, days, complete``.

    ``by`` is ``weapon_class``, ``origin`` or ``headline`` (drones / missiles). Counts are
    dated by the Kyiv date on which a report's window ends. Every period × group appears,
    zeros included. Missing counts add nothing. ``scope`` (``national`` or ``all``) first keeps
    the rows that scope counts (:func:`analysis.data.scope.in_scope`); None counts the rows
    as given (already scoped, e.g. by ``load_processed``).
    """
    frame = (strikes if scope is None else in_scope(strikes, scope)).copy()
    if by == "headline":
        mapping = {c: name for name, classes in HEADLINE_GROUPS.items() for c in classes}
        frame["headline"] = frame["weapon_class"].map(mapping)
        frame = frame[frame["headline"].notna()]
        known: Sequence[str] = tuple(HEADLINE_GROUPS)
    elif by in GROUPINGS:
        known = GROUPINGS[by]
    else:
        raise ValueError(f"by {by!r} is not one of weapon_class, origin, headline")
    chosen = list(groups) if groups is not None else list(known)
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise ValueError(f"unknown {by} value(s) {unknown}; known: {', '.join(known)}")
    days = as_timestamps(frame["end_date"])
    first, last = period_bounds(days, start, end)
    cal = calendar(first, last, freq)
    inside = (days >= first) & (days <= last) & frame[by].isin(chosen)
    frame, days = frame[inside], days[inside]
    periods = days.dt.to_period(FREQUENCIES[freq]).dt.start_time
    counts = (
        frame.assign(period=periods.to_numpy())[["period", by, *VALUES]]
        .assign(**{v: frame[v].astype("Float64").fillna(0) for v in VALUES}, rows=1)
        .groupby(["period", by])[[*VALUES, "rows"]]
        .sum()
    )
    grid = pd.MultiIndex.from_product([cal["period"], chosen], names=["period", by])
    out = counts.reindex(grid, fill_value=0).reset_index()
    for column in (*VALUES, "rows"):
        out[column] = out[column].astype("int64")
    return out.merge(cal, on="period", how="left")


def wide(long: pd.DataFrame, value: str = "launched", by: str | None = None) -> pd.DataFrame:
    """One column per group, indexed by period (a model-ready matrix)."""
    by = by or next(
        c for c in long.columns if c not in {"period", *VALUES, "rows", "days", "complete"}
    )
    table = long.pivot(index="period", columns=by, values=value)
    table.columns.name = None
    return table


WAVE_VALUES = (
    "drones_launched",
    "drones_destroyed",
    "drones_not_reach_goal",
    "missiles_launched",
    "missiles_destroyed",
)


def wave_series(
    waves: pd.DataFrame,
    *,
    freq: str = "D",
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
) -> pd.DataFrame:
    """Wide table of wave headline totals per period (``period, drones_launched, ...,
    waves, days, complete``), dated by each wave's Kyiv end date; zeros on quiet periods."""
    days = as_timestamps(waves["date"])
    first, last = period_bounds(days, start, end)
    cal = calendar(first, last, freq)
    inside = (days >= first) & (days <= last)
    period = days[inside].dt.to_period(FREQUENCIES[freq]).dt.start_time
    sums = waves.loc[inside, list(WAVE_VALUES)].groupby(period.to_numpy()).sum()
    sums["waves"] = period.groupby(period.to_numpy()).size()
    out = cal.set_index("period").join(sums).fillna(0)
    for column in (*WAVE_VALUES, "waves"):
        out[column] = out[column].astype("int64")
    return out.reset_index()


def infer_grouping(groups: Sequence[str]) -> str:
    """The ``by`` that knows every name in ``groups``: headline, weapon_class or origin."""
    for by, known in (
        ("headline", tuple(HEADLINE_GROUPS)),
        ("weapon_class", WEAPON_CLASSES),
        ("origin", ORIGINS),
    ):
        if set(groups) <= set(known):
            return by
    raise ValueError(
        f"group(s) {sorted(groups)} are not all headline groups ({', '.join(HEADLINE_GROUPS)}),"
        " weapon classes or origins; give `by`"
    )


def complete_counts(
    strikes: pd.DataFrame,
    group: str | Sequence[str],
    *,
    by: str | None = None,
    freq: str = "W",
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    value: str = "launched",
    scope: str | None = None,
) -> pd.Series:
    """Counts of one group (or the sum of several) per complete period, indexed by the
    period's first day; the partly observed first and last periods are dropped. ``scope`` as
    in :func:`series`."""
    groups = [group] if isinstance(group, str) else list(group)
    if not groups:
        raise ValueError("give at least one group")
    by = by or infer_grouping(groups)
    long = series(strikes, by=by, freq=freq, start=start, end=end, groups=groups, scope=scope)
    long = long[long["complete"]]
    counts = long.groupby("period")[value].sum()
    counts.index = pd.DatetimeIndex(counts.index, name="period")
    counts.name = "+".join(groups)
    return counts


#: Groups :func:`got_through` reports by default: the main classes, or the headline groups.
GOT_THROUGH_GROUPS: dict[str, tuple[str, ...]] = {
    "class": (STRIKE_DRONE, CRUISE_MISSILE, BALLISTIC_MISSILE),
    "headline": tuple(HEADLINE_GROUPS),
}
GOT_THROUGH_COLUMN = {"class": "weapon_class", "headline": "headline"}
GOT_THROUGH_VALUES = (
    "launched",
    "destroyed",
    "not_reach_goal",
    "got_through",
    "got_through_upper",
    "clipped",
    "rows",
)
#: The only wave column of lost-locally counts: the drones headline, whose sole class (when it
#: has one) it then belongs to.
_WAVE_NOT_REACH_GOAL = {"drones": "drones_not_reach_goal"} | (
    {next(iter(DRONE_CLASSES)): "drones_not_reach_goal"} if len(DRONE_CLASSES) == 1 else {}
)


def _got_through_groups(by: str, groups: Sequence[str] | None) -> list[str]:
    """The groups asked for (the defaults of ``by`` when None), or ValueError."""
    if by not in GOT_THROUGH_GROUPS:
        raise ValueError(f"by {by!r} is not one of {', '.join(GOT_THROUGH_GROUPS)}")
    known = WEAPON_CLASSES if by == "class" else tuple(HEADLINE_GROUPS)
    chosen = list(groups) if groups is not None else list(GOT_THROUGH_GROUPS[by])
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise ValueError(f"unknown {by} group(s) {unknown}; known: {', '.join(known)}")
    return chosen


def _strike_counts(strikes: pd.DataFrame, by: str, chosen: list[str]) -> pd.DataFrame:
    """One row per strike row of a chosen group: ``wave_id, date, group`` and the counts."""
    if by == "headline":
        mapping = {c: name for name, classes in HEADLINE_GROUPS.items() for c in classes}
        group = strikes["weapon_class"].map(mapping)
    else:
        group = strikes["weapon_class"]
    keep = group.isin(chosen)
    frame = pd.DataFrame(
        {
            "wave_id": strikes["wave_id"] if "wave_id" in strikes else pd.NA,
            "date": as_timestamps(strikes["end_date"]),
            "group": group,
        }
    )[keep]
    for value in VALUES:
        frame[value] = strikes.loc[keep, value].astype("Float64").fillna(0).astype("int64")
    return frame


def _wave_counts(waves: pd.DataFrame, by: str, chosen: list[str]) -> pd.DataFrame:
    """One row per wave and chosen group: ``wave_id, date, group`` and the counts."""
    parts = []
    for name in chosen:
        prefix = (f"{name}_{{}}" if by == "headline" else f"{{}}_{name}").format
        nrg = _WAVE_NOT_REACH_GOAL.get(name)
        parts.append(
            pd.DataFrame(
                {
                    "wave_id": waves["wave_id"],
                    "date": as_timestamps(waves["date"]),
                    "group": name,
                    "launched": waves[prefix("launched")],
                    "destroyed": waves[prefix("destroyed")],
                    "not_reach_goal": waves[nrg] if nrg else 0,
                }
            )
        )
    return pd.concat(parts, ignore_index=True).astype({v: "int64" for v in VALUES})


def _bounds(counts: pd.DataFrame) -> pd.DataFrame:
    """Add both got-through bounds per input row, clipped at zero, and ``clipped`` (1 when the
    lower bound of the row was negative: a source row with more stopped than launched)."""
    lower = counts["launched"] - counts["destroyed"] - counts["not_reach_goal"]
    upper = counts["launched"] - counts["destroyed"]
    return counts.assign(
        got_through=lower.clip(lower=0),
        got_through_upper=upper.clip(lower=0),
        clipped=(lower < 0).astype("int64"),
        rows=1,
    )


def _per_wave(rows: pd.DataFrame, chosen: list[str], column: str) -> pd.DataFrame:
    """Sums per wave and group, every wave × group present; ``date`` is the wave's latest."""
    if rows["wave_id"].isna().any():
        raise ValueError("freq 'wave' needs a wave_id column")
    sums = rows.groupby(["wave_id", "group"])[list(GOT_THROUGH_VALUES)].sum()
    dates = rows.groupby("wave_id")["date"].max()
    grid = pd.MultiIndex.from_product([dates.index, chosen], names=["wave_id", "group"])
    out = sums.reindex(grid, fill_value=0).reset_index()
    out.insert(1, "date", out["wave_id"].map(dates))
    return out.rename(columns={"group": column})


def _per_period(
    rows: pd.DataFrame, chosen: list[str], column: str, freq: str, start, end
) -> pd.DataFrame:
    """Sums per period and group on the full calendar, zeros included, with ``days`` and
    ``complete``."""
    first, last = period_bounds(rows["date"], start, end)
    rows = rows[(rows["date"] >= first) & (rows["date"] <= last)]
    period = rows["date"].dt.to_period(FREQUENCIES[freq]).dt.start_time
    sums = rows.assign(period=period).groupby(["period", "group"])[list(GOT_THROUGH_VALUES)].sum()
    cal = calendar(first, last, freq)
    grid = pd.MultiIndex.from_product([cal["period"], chosen], names=["period", "group"])
    out = sums.reindex(grid, fill_value=0).reset_index().merge(cal, on="period", how="left")
    return out.rename(columns={"group": column})


def got_through(
    waves_or_strikes: pd.DataFrame,
    *,
    by: str = "class",
    freq: str = "M",
    groups: Sequence[str] | None = None,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
) -> pd.DataFrame:
    """What got through, per wave (``freq="wave"``), day, week or month, by class or headline.

    Columns: ``wave_id, date`` or ``period`` (with ``days, complete``), the group
    (``weapon_class`` or ``headline``), then ``launched, destroyed, not_reach_goal``,
    ``got_through = launched - destroyed - not_reach_goal`` (lower bound),
    ``got_through_upper = launched - destroyed`` (upper bound), ``clipped`` and ``rows``.

    Beside "shot down / suppressed", the Air Force reports drones that "did not reach the
    target" or "were lost locally" (``not_reach_goal``), mostly to electronic warfare. It does
    not claim them as destroyed, and where they came down is not reported. Counted as stopped
    they give the lower bound; counted as got through, the upper one. Neither counts hits:
    "got through" means "not reported stopped". The source gives this category until July
    2025 and almost never after, so from August 2025 the two bounds nearly coincide.

    Both bounds are computed per input row and clipped at zero; ``clipped`` counts the rows
    whose lower bound was negative, so a defective row cannot cancel another's launches.
    Missing counts add nothing. ``by="class"`` defaults to strike drones, cruise and ballistic
    missiles; ``groups`` picks others. Strikes carry lost-locally counts for every class;
    waves only for the drones headline (and its class), so from waves the missiles' (a few
    dozen in all) count as zero: pass strikes for the missiles' lower bound.
    """
    if freq != "wave" and freq not in FREQUENCIES:
        raise ValueError(f"freq {freq!r} is not one of wave, {', '.join(FREQUENCIES)}")
    chosen = _got_through_groups(by, groups)
    if "weapon_class" in waves_or_strikes:
        counts = _strike_counts(waves_or_strikes, by, chosen)
    else:
        counts = _wave_counts(waves_or_strikes, by, chosen)
    rows, column = _bounds(counts), GOT_THROUGH_COLUMN[by]
    if freq == "wave":
        return _per_wave(rows, chosen, column)
    return _per_period(rows, chosen, column, freq, start, end)
