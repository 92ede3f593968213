"""Findings of the massed-attack and got-through sections of notebook 03.

Each ``*_finding`` function takes tables computed in the run (:func:`analysis.data.attacks.
massed_series`, :func:`analysis.data.series.got_through`), builds the sentence with its
numbers, records it on the run's :class:`~analysis.results.Publisher` and returns it; the
``*_title`` functions give the same finding in a chart title's few words. Both sum over the
same months, :func:`recent_window`, so a chart and its sentence agree.

"Got through" means "not reported stopped": launched minus what the Air Force reported shot
down (and, for the lower bound, minus the drones it reported lost locally). It is not a count
of hits.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.data.attacks import (
    FACTOR,
    MASSED,
    MIN_SIZE,
    WINDOW_DAYS,
    massed_series,
    other_rule,
    wave_sizes,
)
from analysis.data.dates import day_text, month_name, month_text
from analysis.data.series import as_timestamps
from analysis.findings.salvo import CLASS_NAMES
from analysis.findings.text import day_label
from analysis.results import Publisher
from analysis.vocabulary import STRIKE_DRONE

#: Months a finding sums over: the last year of complete months.
LAST_MONTHS = 12
#: A month in which drones lost locally were at least this share of strike-drone launches
#: counts as one in which the Air Force reported the category.
LOST_LOCALLY_SHARE = 0.05
RULE_NAMES = {"relative": "the relative rule", "fixed": "the fixed rule"}
_BOUNDS = ["launched", "destroyed", "not_reach_goal", "got_through", "got_through_upper"]


# The months a finding covers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """Consecutive months, from ``first`` to ``last`` (first days), ``months`` of them."""

    first: pd.Timestamp
    last: pd.Timestamp
    months: int

    def contains(self, periods: pd.Series) -> pd.Series:
        """Whether each period (a month's first day) lies in the window."""
        periods = pd.to_datetime(periods)
        return (periods >= self.first) & (periods <= self.last)

    def before(self) -> Window:
        """The same number of months just before this window."""
        last = self.first - pd.offsets.MonthBegin(1)
        return Window(last - pd.offsets.MonthBegin(self.months - 1), last, self.months)

    def sentence(self) -> str:
        """How a sentence opens: ``In the 12 months from April 2025 to March 2026``."""
        if self.months == 1:
            return f"In {month_name(self.first)}"
        return (
            f"In the {self.months} months from {month_name(self.first)} to {month_name(self.last)}"
        )

    def span(self) -> str:
        """The window in a title's words: ``in the 12 months to March 2026``."""
        if self.months == 1:
            return f"in {month_name(self.last)}"
        return f"in the {self.months} months to {month_name(self.last)}"


def recent_window(monthly: pd.DataFrame, months: int = LAST_MONTHS) -> Window | None:
    """The last ``months`` complete months of a monthly table (``period``, ``complete``; one
    row per month, or per month and group); the table's last months when none is complete,
    so that a short period still has a finding. None for a table without rows."""
    if monthly.empty:
        return None
    periods = pd.to_datetime(monthly["period"])
    complete = sorted(periods[monthly["complete"].astype(bool).to_numpy()].unique())
    pool = complete or sorted(periods.unique())
    chosen = [pd.Timestamp(p) for p in pool[-months:]]
    return Window(chosen[0], chosen[-1], len(chosen))


def _covers(monthly: pd.DataFrame, window: Window) -> bool:
    """Whether every month of ``window`` is in ``monthly`` and wholly observed."""
    inside = monthly[window.contains(monthly["period"]).to_numpy()]
    months = pd.to_datetime(inside.loc[inside["complete"].astype(bool), "period"]).nunique()
    return months == window.months


# Massed attacks ----------------------------------------------------------------------------------


def _days(days: float) -> str:
    """``4 weeks`` for a whole number of weeks, else ``30 days``."""
    return f"{days / 7:g} weeks" if days % 7 == 0 else f"{days:g} days"


def rule_text(rule: str, fixed_size: int) -> str:
    """When a wave is massed under ``rule``, in plain words to follow "a wave is massed when
    it is" (the module's defaults for the relative rule, ``fixed_size`` for the fixed one)."""
    if rule == "fixed":
        return f"at least {fixed_size:,} drones and missiles"
    return (
        f"at least {FACTOR:g} times the median wave of the {_days(WINDOW_DAYS)} before it "
        f"and at least {MIN_SIZE:,} drones and missiles"
    )


def _attacks(count: int) -> str:
    return f"{count:,} massed attack" + ("" if count == 1 else "s")


def _massed_in(monthly: pd.DataFrame, window: Window) -> int:
    return int(monthly.loc[window.contains(monthly["period"]).to_numpy(), "massed"].sum())


def _massed_waves(waves: pd.DataFrame, classes: pd.Series, window: Window) -> pd.DataFrame:
    """The massed waves ending in ``window``: ``date`` and ``size``, largest first."""
    dates = as_timestamps(waves["date"])
    months = dates.dt.to_period("M").dt.start_time
    keep = (classes.reindex(waves.index) == MASSED).to_numpy() & window.contains(months).to_numpy(
        dtype=bool
    )
    frame = pd.DataFrame({"date": dates.to_numpy(), "size": wave_sizes(waves).to_numpy()})[keep]
    return frame.sort_values(["size", "date"], ascending=[False, True], kind="stable")


def massed_title(monthly: pd.DataFrame) -> str:
    """The massed-attack finding as a chart title: how many in the last months, and how
    many in as many months before when the table covers them."""
    window = recent_window(monthly)
    if window is None:
        return "No attack wave in the period"
    count = _massed_in(monthly, window)
    if count == 0:
        return f"No massed attack {window.span()}"
    title = f"{_attacks(count)} {window.span()}"
    if _covers(monthly, window.before()):
        title += f", against {_massed_in(monthly, window.before()):,} in the {window.months} before"
    return title


def _massed_sentence(
    waves: pd.DataFrame, classes: pd.Series, monthly: pd.DataFrame, window: Window, rule: str
) -> tuple[str, dict]:
    """The main sentence for a window holding at least one massed attack, and its numbers."""
    inside = monthly[window.contains(monthly["period"]).to_numpy()]
    count, total = int(inside["massed"].sum()), int(inside["waves"].sum())
    share = inside["massed_launched"].sum() / inside["launched"].sum()
    massed = _massed_waves(waves, classes, window)
    median, largest = float(massed["size"].median()), massed.iloc[0]
    verb = "was a massed attack" if count == 1 else "were massed attacks"
    before = ""
    numbers: dict = {"massed_before": None}
    if _covers(monthly, window.before()):
        numbers["massed_before"] = _massed_in(monthly, window.before())
        before = f", against {numbers['massed_before']:,} in the {window.months} months before"
    text = (
        f"{window.sentence()}, {count:,} of the {total:,} attack waves {verb} under "
        f"{RULE_NAMES[rule]}{before}. They carried {100 * share:.0f}% of all the drones and "
        f"missiles launched in those months. A typical massed attack launched about "
        f"{median:,.0f} drones and missiles; the largest, on {day_label(largest['date'])}, "
        f"{int(largest['size']):,}."
    )
    numbers |= {
        "massed_share_recent": round(float(share), 3),
        "massed_median_recent": median,
        "massed_largest_recent": int(largest["size"]),
        "massed_largest_date": day_text(largest["date"]),
    }
    return text, numbers


def massed_finding(
    pub: Publisher,
    waves: pd.DataFrame,
    classes: pd.Series,
    monthly: pd.DataFrame,
    *,
    rule: str,
    fixed_size: int,
    alternative: pd.Series | None = None,
) -> str:
    """How many waves of the last months were massed, their share of launches, the median
    and the largest; with ``alternative`` (the other rule's classes), how many that rule
    would count.

    ``waves`` are the period's waves, ``classes`` their classes under ``rule``
    (:func:`analysis.data.attacks.classify_waves`, judged on the whole release so that the
    first waves of a period have their earlier weeks), ``monthly`` their
    :func:`analysis.data.attacks.massed_series`.
    """
    key = "massed_attacks"
    window = recent_window(monthly)
    definition = (
        f"Under {RULE_NAMES[rule]}, a wave is massed when it is {rule_text(rule, fixed_size)}"
    )
    if window is None:
        text = f"No attack wave in the period. {definition}."
        return pub.finding(key, text, value=0, unit="massed attacks", headline=False)
    count = _massed_in(monthly, window)
    total = int(monthly.loc[window.contains(monthly["period"]).to_numpy(), "waves"].sum())
    numbers: dict = {}
    if count == 0:
        text = (
            f"{window.sentence()}, none of the {total:,} attack waves was a massed attack "
            f"under {RULE_NAMES[rule]}."
        )
    else:
        text, numbers = _massed_sentence(waves, classes, monthly, window, rule)
    text += f" {definition}."
    if alternative is not None:
        other = other_rule(rule)
        counted = _massed_in(massed_series(waves, alternative, "M"), window)
        numbers["massed_alternative"] = counted
        text += (
            f" Under {RULE_NAMES[other]} (massed when {rule_text(other, fixed_size)}), "
            f"{counted:,} would count as massed."
        )
    numbers |= {
        "massed_rule": rule,
        "massed_window": [month_text(window.first), month_text(window.last)],
        "massed_recent": count,
        "waves_recent": total,
    }
    for name, value in numbers.items():
        pub.number(name, value)
    return pub.finding(key, text, value=count, unit="massed attacks", headline=False)


# What got through --------------------------------------------------------------------------------


def _sums(through: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Launched, shot down, lost locally and both bounds per class over ``window``, in the
    table's class order."""
    inside = through[window.contains(through["period"]).to_numpy()]
    return inside.groupby("weapon_class", sort=False)[_BOUNDS].sum().astype("int64")


def _between(row: pd.Series) -> str:
    low, high = int(row["got_through"]), int(row["got_through_upper"])
    return f"{low:,}" if low == high else f"between {low:,} and {high:,}"


def lost_locally_months(through: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First and last month in which strike drones lost locally were at least
    ``LOST_LOCALLY_SHARE`` of strike-drone launches; None when no month was."""
    drones = through[through["weapon_class"] == STRIKE_DRONE]
    reported = drones[drones["not_reach_goal"] >= LOST_LOCALLY_SHARE * drones["launched"]]
    reported = reported[reported["not_reach_goal"] > 0]
    if reported.empty:
        return None
    periods = pd.to_datetime(reported["period"])
    return periods.min(), periods.max()


def got_through_title(through: pd.DataFrame) -> str:
    """The got-through finding of the first class as a chart title."""
    window = recent_window(through)
    if window is None:
        return "Nothing launched in the period"
    sums = _sums(through, window)
    weapon_class, row = sums.index[0], sums.iloc[0]
    noun = CLASS_NAMES.get(weapon_class, weapon_class.replace("_", " "))
    verb = "was" if int(row["got_through_upper"]) == 1 else "were"
    between = _between(row)
    return f"{between[0].upper()}{between[1:]} {noun} {verb} not reported stopped {window.span()}"


def _class_part(weapon_class: str, row: pd.Series) -> str:
    """``cruise missiles: 1,428 launched, 1,095 shot down, between 3 and 333 ...``."""
    noun = CLASS_NAMES.get(weapon_class, weapon_class.replace("_", " "))
    if row["launched"] == 0:
        return f"no {noun} launched"
    return (
        f"{noun}: {row['launched']:,} launched, {row['destroyed']:,} shot down, "
        f"{_between(row)} not reported stopped"
    )


def got_through_finding(pub: Publisher, through: pd.DataFrame) -> str:
    """Launched, shot down, lost locally and what was not reported stopped, per class over
    the last months, and when the Air Force reported drones lost locally at all.

    ``through`` is :func:`analysis.data.series.got_through` by class and month.
    """
    key = "got_through"
    window = recent_window(through)
    if window is None:
        return pub.finding(key, "Nothing was launched in the period.", headline=False)
    sums = _sums(through, window)
    first, *others = list(sums.index)
    row = sums.loc[first]
    noun = CLASS_NAMES.get(first, first.replace("_", " "))
    text = (
        f"{window.sentence()}, the Air Force reported {row['launched']:,} {noun} launched, "
        f"{row['destroyed']:,} shot down and {row['not_reach_goal']:,} lost locally: "
        f"{_between(row)} were not reported stopped."
    )
    if others:
        parts = [_class_part(c, sums.loc[c]) for c in others]
        text += f" Over the same months, {'; '.join(parts)}."
    span = lost_locally_months(through)
    if span is None:
        text += " Over the period shown, the Air Force reported hardly any drones lost locally."
    else:
        first_month, last_month = (month_name(m) for m in span)
        when, outside = (
            (f"in {first_month}", "that month")
            if first_month == last_month
            else (f"from {first_month} to {last_month}", "those months")
        )
        text += (
            f" Over the period shown, the Air Force reported drones lost locally in numbers "
            f"{when}; outside {outside} the two "
            "bounds nearly meet."
        )
    pub.number("got_through_window", [month_text(window.first), month_text(window.last)])
    for weapon_class, counts in sums.iterrows():
        for name, column in (
            ("launched", "launched"),
            ("lower", "got_through"),
            ("upper", "got_through_upper"),
        ):
            pub.number(f"got_through_{weapon_class}_{name}", int(counts[column]))
    return pub.finding(
        key,
        text,
        value=int(row["got_through"]),
        low=int(row["got_through"]),
        high=int(row["got_through_upper"]),
        unit=noun,
        headline=False,
    )
