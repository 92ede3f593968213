"""Parse the Air Force report timestamps into Europe/Kyiv time.

The raw files hold ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM`` and ``YYYY-MM-DD H:MM``, sometimes with
a trailing space. A bare date means the time of day was not reported. Spaces around a value are
ignored on purpose (the data has them); any other blank (tab, line break, CR) makes the value
unparsable, since it means a broken export rather than a known quirk.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

Frame = TypeVar("Frame", pd.Series, pd.DataFrame)

KYIV = "Europe/Kyiv"
#: Matched against the value with surrounding spaces stripped. ``\Z`` (not ``$``, which also
#: matches before a final newline) anchors it at the true end.
TIMESTAMP_PATTERN = r"^(?P<date>\d{4}-\d{2}-\d{2})(?:[ T](?P<hour>\d{1,2}):(?P<minute>\d{2}))?\Z"
#: The common, well-formed case of ``TIMESTAMP_PATTERN`` (ASCII digits, trailing spaces only),
#: matched in C++ by pyarrow; values it misses take the exact Python-regex path. In RE2, ``$``
#: without multi-line mode is the true end of the text.
_FAST_PATTERN = (
    r"^(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ T](?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2}))? *$"
)


def _matched_group(found: pa.Array, matched: pa.Array, name: str) -> pa.Array:
    """One regex group: null where the value did not match or the group was empty."""
    text = pc.struct_field(found, name)
    keep = pc.and_(matched, pc.not_equal(text, ""))
    return pc.if_else(keep, text, pa.scalar(None, text.type))


def split_timestamps(values: pd.Series) -> pd.DataFrame:
    """``date`` (text), ``hour`` and ``minute`` (float, NaN where absent) of each value, as
    ``TIMESTAMP_PATTERN`` reads the text with surrounding spaces stripped.

    Vectorised: well-formed values are matched and converted by pyarrow in one pass; only the
    rest (rare: unusual blanks, malformed values) go through the Python regex, as before.
    """
    text = values.astype("string")
    found = pc.extract_regex(pa.array(text), _FAST_PATTERN)
    matched = pc.fill_null(found.is_valid(), False)
    parts = pd.DataFrame(
        {
            "date": _matched_group(found, matched, "date").to_pandas(),
            **{
                name: pc.cast(_matched_group(found, matched, name), pa.float64()).to_numpy(
                    zero_copy_only=False
                )
                for name in ("hour", "minute")
            },
        }
    )
    parts.index = values.index
    slow = ~matched.to_numpy(zero_copy_only=False) & text.notna().to_numpy()
    if slow.any():
        extracted = text[slow].str.strip(" ").str.extract(TIMESTAMP_PATTERN)
        parts.loc[slow, "date"] = extracted["date"].to_numpy(dtype=object, na_value=np.nan)
        for name in ("hour", "minute"):
            number = pd.to_numeric(extracted[name], errors="coerce")
            parts.loc[slow, name] = number.to_numpy(dtype="float64", na_value=np.nan)
    return parts


def parse_timestamps(values: pd.Series) -> pd.DataFrame:
    """Return ``ts`` (tz-aware Kyiv time, NaT where unparsable), ``time_known`` and ``ok``.

    A date-only value maps to midnight at the start of that day with ``time_known`` False.
    Clock times that fall in the spring-forward gap move forward; times repeated in the autumn
    fall-back hour are read as summer time (the first occurrence). Each distinct text is parsed
    once (the rows of one attack repeat its times), then spread back to every row.
    """
    return per_distinct(values, _parse_distinct)


def per_distinct(values: pd.Series, f: Callable[[pd.Series], Frame]) -> Frame:
    """``f(values)`` row by row, computing ``f`` (a row-wise function returning a Series or a
    DataFrame) once per distinct value (missing values are one value too) and spreading the
    result back to every row, on ``values``' index."""
    codes = pd.factorize(values, use_na_sentinel=False)[0]
    firsts = np.unique(codes, return_index=True)[1]
    return f(values.iloc[firsts]).iloc[codes].set_axis(values.index)


def _parse_distinct(values: pd.Series) -> pd.DataFrame:
    """:func:`parse_timestamps` of each value, one by one (vectorised)."""
    parts = split_timestamps(values)
    day = pd.to_datetime(parts["date"], format="%Y-%m-%d", errors="coerce")
    hour, minute = parts["hour"], parts["minute"]
    time_known = hour.notna().to_numpy()
    clock_ok = ~time_known | ((hour <= 23) & (minute <= 59)).to_numpy()
    offset = pd.to_timedelta(hour.fillna(0), unit="h") + pd.to_timedelta(minute.fillna(0), unit="m")
    naive = (day + offset).where(clock_ok)
    index = pd.DatetimeIndex(naive)
    ts = index.tz_localize(
        KYIV, ambiguous=np.ones(len(index), dtype=bool), nonexistent="shift_forward"
    )
    ok = day.notna().to_numpy() & clock_ok
    return pd.DataFrame({"ts": ts, "time_known": time_known & ok, "ok": ok}, index=values.index)


def window_bounds(start: pd.DataFrame, end: pd.DataFrame) -> pd.DataFrame:
    """Turn parsed start/end into a half-open window [window_start, window_end).

    A date-only end covers its whole day, so it ends at the next midnight. A zero-length timed
    window (a single reported instant) lasts one minute, the data's resolution, so that two
    reports of the same instant overlap while a window ending at that instant only touches it.
    """
    window_start = start["ts"]
    window_end = end["ts"].where(end["time_known"], end["ts"] + pd.Timedelta(days=1))
    instant = window_end == window_start
    window_end = window_end.mask(instant, window_start + pd.Timedelta(minutes=1))
    return pd.DataFrame(
        {
            "window_start": window_start,
            "window_end": window_end,
            "end_date": end["ts"].dt.date,
            "time_known": start["time_known"] & end["time_known"],
        },
        index=start.index,
    )
