"""Parse the Air Force report timestamps into Europe/Kyiv time.

The raw files hold ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM`` and ``YYYY-MM-DD H:MM``, sometimes with
a trailing space. A bare date means the time of day was not reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KYIV = "Europe/Kyiv"
TIMESTAMP_PATTERN = r"^(?P<date>\d{4}-\d{2}-\d{2})(?:[ T](?P<hour>\d{1,2}):(?P<minute>\d{2}))?$"


def parse_timestamps(values: pd.Series) -> pd.DataFrame:
    """Return ``ts`` (tz-aware Kyiv time, NaT where unparsable), ``time_known`` and ``ok``.

    A date-only value maps to midnight at the start of that day with ``time_known`` False.
    Clock times that fall in the spring-forward gap move forward; times repeated in the autumn
    fall-back hour are read as summer time (the first occurrence).
    """
    text = values.astype("string").str.strip()
    parts = text.str.extract(TIMESTAMP_PATTERN)
    day = pd.to_datetime(parts["date"], format="%Y-%m-%d", errors="coerce")
    hour = pd.to_numeric(parts["hour"], errors="coerce")
    minute = pd.to_numeric(parts["minute"], errors="coerce")
    time_known = hour.notna().to_numpy()
    clock_ok = ~time_known | ((hour <= 23) & (minute <= 59)).fillna(False).to_numpy()
    offset = pd.to_timedelta(hour.fillna(0), unit="h") + pd.to_timedelta(minute.fillna(0), unit="m")
    naive = (day + offset).where(clock_ok)
    index = pd.DatetimeIndex(naive)
    ts = index.tz_localize(
        KYIV, ambiguous=np.ones(len(index), dtype=bool), nonexistent="shift_forward"
    )
    ok = day.notna().to_numpy() & clock_ok
    return pd.DataFrame(
        {"ts": ts, "time_known": time_known & ok, "ok": ok}, index=values.index
    )


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
