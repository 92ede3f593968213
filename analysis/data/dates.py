"""Dates as the report reads and writes them: date parameters, Kyiv calendar dates, and the
day, week and month labels of tables, sentences and charts.

One module, so that findings and figures write a date the same way everywhere.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis.data.timeparse import KYIV
from analysis.names import ISO_DATE

DateLike = str | dt.date | None
#: A calendar date ``YYYY-MM-DD``. Used with ``fullmatch``: ``^...$`` would also accept a
#: trailing newline.
#: ``strftime`` formats of a day (``2025-03-07``) and a month (``2025-03``) label.
DAY_FORMAT = "%Y-%m-%d"
MONTH_FORMAT = "%Y-%m"
#: What a missing date reads as.
MISSING = "n/a"


def parse_date(value: DateLike, name: str) -> dt.date | None:
    """``value`` (None, a date or datetime, or ``YYYY-MM-DD`` text) as a date, or ValueError
    naming the parameter ``name``."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError(f"{name} {value!r} is not a date; use YYYY-MM-DD, e.g. 2025-01-31")


def kyiv_dates(values: pd.Series) -> pd.Series:
    """Calendar dates in Kyiv of a date, naive (Kyiv) datetime or tz-aware datetime column."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert(KYIV).dt.date
    return pd.to_datetime(values).dt.date


def day_text(value) -> str:
    """A day as ``2025-03-07``; a missing one (None, NaN, NaT) as ``n/a``."""
    if value is None or pd.isna(value):
        return MISSING
    return pd.Timestamp(value).strftime(DAY_FORMAT)


def days_text(values: pd.Series) -> pd.Series:
    """A column of days as ``2025-03-07`` labels."""
    return pd.to_datetime(values).dt.strftime(DAY_FORMAT)


def month_text(value) -> str:
    """The month of a day as ``2025-03``."""
    return pd.Timestamp(value).strftime(MONTH_FORMAT)


def months_text(values: pd.Series) -> pd.Series:
    """A column of days as the ``2025-03`` labels of their months."""
    return pd.to_datetime(values).dt.strftime(MONTH_FORMAT)


def month_name(value) -> str:
    """The month of a day in words: ``March 2025``."""
    return pd.Timestamp(value).strftime("%B %Y")


def day_label(value) -> str:
    """A day as a reader writes it: ``7 Sep 2025``."""
    day = pd.Timestamp(value)
    return f"{day.day} {day:%b %Y}"


def month_label(value) -> str:
    """A month as a reader writes it: ``Sep 2025``."""
    return f"{pd.Timestamp(value):%b %Y}"


def long_day(value) -> str:
    """A day in words: ``7 March 2025``."""
    return pd.Timestamp(value).strftime("%-d %B %Y")
