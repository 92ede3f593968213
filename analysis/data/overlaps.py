"""Rows that may count again what the Air Force national summary already counts.

Regional air commands, the General Staff and others report many of the nights that the national
summary (``kpszsu``) reports too, so adding every reporter's rows counts those launches twice.
This module flags such rows; it changes no count, so that a series can choose its scope.

Rule. A row is a possible double count when it is not a timed national row (it comes from
another reporter, or its time of day is unknown) and the national summary has a timed row of
the same weapon class that either ends on the same Kyiv date as the row, or (for a timed row
only) has a window overlapping the row's window. Windows are half-open ``[start, end)``, as for
waves, so windows that only touch do not overlap. Timed national rows are never flagged: they
are the reference the others are checked against.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data.reporters import NATIONAL, reporter_of

RULE = (
    "A row not from the national summary, or without a time of day, is flagged when the "
    "national summary has a timed row of the same weapon class ending on the same Kyiv date "
    "or (for a timed row) with an overlapping window."
)


def _nanoseconds(times: pd.Series) -> np.ndarray:
    """Instants as int64 nanoseconds since the epoch (UTC), comparable across time zones."""
    return pd.to_datetime(times, utc=True).to_numpy(dtype="datetime64[ns]").view(np.int64)


def _same_day(strikes: pd.DataFrame, reference: np.ndarray) -> np.ndarray:
    """Rows whose (weapon class, Kyiv end date) is that of some reference row."""
    keys = pd.MultiIndex.from_arrays([strikes["weapon_class"], strikes["end_date"]])
    return np.asarray(keys.isin(keys[reference]), dtype=bool)


def _overlapping(strikes: pd.DataFrame, reference: np.ndarray) -> np.ndarray:
    """Rows whose window overlaps the window of some reference row of the same class.

    Per class, reference windows are sorted by start with a running maximum of their ends: a
    reference window overlaps ``[s, e)`` exactly when some reference starting before ``e`` ends
    after ``s``, that is when the largest end among those starting before ``e`` exceeds ``s``.
    """
    start, end = _nanoseconds(strikes["window_start"]), _nanoseconds(strikes["window_end"])
    classes, _ = pd.factorize(strikes["weapon_class"])
    found = np.zeros(len(strikes), dtype=bool)
    for code in np.unique(classes[reference]):
        same = classes == code
        ref = reference & same
        order = np.argsort(start[ref], kind="stable")
        ref_start = start[ref][order]
        reach = np.maximum.accumulate(end[ref][order])
        rows = np.flatnonzero(same)
        before = np.searchsorted(ref_start, end[rows], side="left")
        some = before > 0
        found[rows[some]] = reach[before[some] - 1] > start[rows[some]]
    return found


def flag_possible_double_counts(strikes: pd.DataFrame) -> pd.Series:
    """``possible_double_count`` per strikes row by the module's rule.

    Reads ``weapon_class``, ``end_date``, ``window_start``, ``window_end``, ``time_known`` and
    ``reporter`` (derived from ``source`` when absent).
    """
    reporter = strikes["reporter"] if "reporter" in strikes else reporter_of(strikes["source"])
    timed = strikes["time_known"].to_numpy(dtype=bool)
    reference = reporter.eq(NATIONAL).to_numpy() & timed
    if not reference.any():
        return pd.Series(False, index=strikes.index, name="possible_double_count")
    near = _same_day(strikes, reference) | (timed & _overlapping(strikes, reference))
    return pd.Series(~reference & near, index=strikes.index, name="possible_double_count")


def without_possible_double_counts(strikes: pd.DataFrame) -> pd.DataFrame:
    """The strike rows that the rule does not flag: pass them to any series function to leave
    the possible double counts out (the flag column is written by the build)."""
    return strikes.loc[~strikes["possible_double_count"].astype(bool)]
