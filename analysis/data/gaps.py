"""Reporting gaps: Kyiv days with no report at all amid otherwise dense reporting.

Since August 2024 the data hold a report for almost every day, so a day with no row in the
strikes table is more likely a report missing from the digitised source than a day without
attacks. Before 2024 quiet days were common, and an empty day says little. The rule below flags
only the empty days inside long stretches of near-daily reporting; months holding such a day are
"possibly incomplete": their totals may be too low.

A flagged day is a candidate, not proof: a declared truce (Easter 2025, 8-10 May 2025) may also
leave a day empty. The rule cannot tell the two apart; the reader can.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from analysis.data.series import as_timestamps

#: Default rule: an empty day with at least 26 of the 28 days before and 26 of the 28 days after
#: reported. Four weeks either side make "dense" mean a habit, not a lucky week; allowing two
#: empty days per side keeps two adjacent gaps (8-9 May 2025) from hiding each other.
WINDOW_DAYS = 28
MIN_REPORTED = 26
GAP_COLUMNS = ("date", "reported_before", "reported_after")
#: The rule in one sentence, for quality.json and the report.
RULE = (
    f"a Kyiv day with no report at all while at least {MIN_REPORTED} of the {WINDOW_DAYS} days "
    "before it and of those after it have reports"
)
#: How a table marks a possibly incomplete month: after its month label (``2025-05*``).
INCOMPLETE_MARK = "*"
#: The footnote under a table that marks a month.
INCOMPLETE_NOTE = (
    f"Months marked {INCOMPLETE_MARK} are possibly incomplete: each holds a day with no report "
    "at all while the weeks around it were reported almost daily, so its totals may run low."
)


def reported_days(strikes: pd.DataFrame) -> pd.Series:
    """Whether each Kyiv day from the first to the last ``end_date`` has at least one row
    (a bool Series indexed by naive day timestamps)."""
    days = as_timestamps(strikes["end_date"]).dropna()
    if days.empty:
        return pd.Series([], index=pd.DatetimeIndex([]), dtype=bool)
    span = pd.date_range(days.min(), days.max(), freq="D")
    return pd.Series(span.isin(days), index=span)


def _check_rule(window_days: int, min_reported: int) -> None:
    """ValueError for a window that is not positive or a threshold outside 0..window_days."""
    if window_days < 1:
        raise ValueError(f"window_days must be at least 1, got {window_days}")
    if not 0 <= min_reported <= window_days:
        raise ValueError(f"min_reported must be between 0 and window_days, got {min_reported}")


def reporting_gaps(
    strikes: pd.DataFrame,
    *,
    window_days: int = WINDOW_DAYS,
    min_reported: int = MIN_REPORTED,
) -> pd.DataFrame:
    """Empty days amid dense reporting: ``date, reported_before, reported_after``.

    Rule: a Kyiv day (dated, as everywhere, by ``end_date``) is a gap when it has no row at all
    while at least ``min_reported`` of the ``window_days`` days just before it AND at least
    ``min_reported`` of the ``window_days`` days just after it have rows. Days outside the
    data's span count as unreported.
    """
    _check_rule(window_days, min_reported)
    reported = reported_days(strikes).astype("int64")
    before = reported.shift(1, fill_value=0).rolling(window_days, min_periods=1).sum()
    after = reported[::-1].shift(1, fill_value=0).rolling(window_days, min_periods=1).sum()[::-1]
    gap = (reported == 0) & (before >= min_reported) & (after >= min_reported)
    out = pd.DataFrame(
        {
            "date": reported.index[gap.to_numpy()],
            "reported_before": before[gap].astype("int64").to_numpy(),
            "reported_after": after[gap].astype("int64").to_numpy(),
        }
    )
    return out.loc[:, list(GAP_COLUMNS)]


def incomplete_months(gaps: pd.DataFrame) -> list[pd.Timestamp]:
    """First days of the months holding at least one gap ("possibly incomplete"), in order."""
    days = pd.to_datetime(gaps["date"])
    starts = days.dt.to_period("M").dt.start_time
    return sorted(pd.Timestamp(day) for day in starts.unique())


def possibly_incomplete(strikes: pd.DataFrame) -> list[pd.Timestamp]:
    """First days of the possibly incomplete months of a strikes table, by the default rule.

    Give it the whole release, every reporter (``Processed.all_strikes``): that is what
    ``quality.json`` records, and a day that any reporter covered is not a gap. A period's
    filtered rows would turn the days around its edges into unreported ones.
    """
    return incomplete_months(reporting_gaps(strikes))


def _label_months(labels: pd.Series) -> pd.Series:
    """The month (``YYYY-MM``) each label starts with; ValueError for a label that does not."""
    text = labels.astype("string")
    months = pd.to_datetime(text.str[:7], format="%Y-%m", errors="coerce")
    if months.isna().any():
        bad = text[months.isna()].iloc[0]
        raise ValueError(f"month label {bad!r} does not start with a month, YYYY-MM")
    return months


def mark_months(
    table: pd.DataFrame, months: Iterable[pd.Timestamp], column: str | None = None
) -> pd.DataFrame:
    """A copy of ``table`` whose month labels in ``months`` end in ``INCOMPLETE_MARK``.

    The labels are text starting ``YYYY-MM`` (``2025-05``, ``2025-05 (part)``), in ``column``
    or, when None, the index. Any day of a month in ``months`` stands for it.
    """
    chosen = {pd.Timestamp(m).to_period("M") for m in months}
    labels = pd.Series(table.index if column is None else table[column], index=table.index)
    marked = _label_months(labels).dt.to_period("M").isin(chosen).to_numpy()
    new = labels.astype("string").where(~marked, labels.astype("string") + INCOMPLETE_MARK)
    out = table.copy()
    if column is None:
        out.index = pd.Index(new.to_numpy(dtype=object), name=table.index.name)
    else:
        out[column] = new.to_numpy(dtype=object)
    return out


def footnote(table: pd.DataFrame, column: str | None = None) -> str:
    """``INCOMPLETE_NOTE`` when ``table`` marks a month (``column``, or the index), else ''."""
    labels = pd.Series(table.index if column is None else table[column]).astype("string")
    return INCOMPLETE_NOTE if labels.str.endswith(INCOMPLETE_MARK).any() else ""


def gap_report(strikes: pd.DataFrame) -> dict:
    """What ``quality.json`` records about reporting gaps under the default rule."""
    gaps = reporting_gaps(strikes)
    return {
        "rule": RULE,
        "days": [str(pd.Timestamp(d).date()) for d in gaps["date"]],
        "possibly_incomplete_months": [m.strftime("%Y-%m") for m in incomplete_months(gaps)],
    }
