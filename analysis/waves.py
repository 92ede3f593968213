"""Attack waves: rows whose report windows overlap form one wave (``waves.parquet``).

Rule. Windows are half-open ``[start, end)``. Rows whose windows overlap are one wave, and
overlap chains (A overlaps B, B overlaps C: one wave); a window nested in a longer one merges
with it. Windows that only touch (one ends when the next starts) are separate reports and stay
separate waves. A timed window longer than ``max_window_hours`` (20 h: an overnight report runs
at most about 17 h) is clipped to its last 20 h for grouping, so that one over-long or mistyped
window cannot chain two nights into one wave; such rows are flagged in the quality log. Rows
whose time of day is not known at both ends are grouped among themselves by the same rule on
whole-day windows and are never merged into a timed wave.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .taxonomy import DRONE_CLASSES, MISSILE_CLASSES, WEAPON_CLASSES

WAVE_COLUMNS = (
    "wave_id", "start", "end", "date", "time_known", "n_rows", "n_sources",
    "drones_launched", "drones_destroyed", "drones_not_reach_goal",
    "missiles_launched", "missiles_destroyed", "rows_launched_missing",
)
MAX_WINDOW_HOURS = 20.0


def grouping_start(windows: pd.DataFrame, max_window_hours: float = MAX_WINDOW_HOURS) -> pd.Series:
    """Window start used for grouping: timed windows clipped to their last ``max_window_hours``."""
    limit = windows["window_end"] - pd.Timedelta(hours=max_window_hours)
    too_long = windows["time_known"].astype(bool) & (windows["window_start"] < limit)
    return windows["window_start"].mask(too_long, limit)


def assign_waves(windows: pd.DataFrame, max_window_hours: float = MAX_WINDOW_HOURS) -> pd.Series:
    """Wave number (0, 1, ... in time order) for each row of ``window_start, window_end,
    time_known``."""
    if windows.empty:
        return pd.Series([], index=windows.index, dtype="int64")
    frame = pd.DataFrame(
        {
            "s": grouping_start(windows, max_window_hours),
            "e": windows["window_end"],
            "pool": ~windows["time_known"].astype(bool),
        }
    ).sort_values(["pool", "s", "e"], kind="stable")
    reach = frame.groupby("pool")["e"].cummax()
    previous = reach.groupby(frame["pool"]).shift()
    new_wave = previous.isna() | (frame["s"] >= previous)
    local = new_wave.cumsum() - 1
    spans = frame.assign(local=local).groupby("local").agg(
        s=("s", "min"), e=("e", "max"), pool=("pool", "first")
    )
    rank = spans.sort_values(["s", "e", "pool"], kind="stable").index
    renumber = pd.Series(np.arange(len(rank)), index=rank)
    return pd.Series(renumber.loc[local].to_numpy(), index=frame.index).reindex(windows.index)


def _sum_where(strikes: pd.DataFrame, mask: pd.Series, column: str) -> pd.Series:
    values = strikes[column].where(mask, 0).fillna(0).astype("int64")
    return values.groupby(strikes["wave_id"]).sum()


def summarise_waves(strikes: pd.DataFrame) -> pd.DataFrame:
    """One row per wave with headline totals and launched/destroyed per weapon class."""
    g = strikes.groupby("wave_id")
    waves = pd.DataFrame(
        {
            "start": grouping_start(strikes).groupby(strikes["wave_id"]).min(),
            "end": g["window_end"].max(),
            "date": g["end_date"].max(),
            "time_known": g["time_known"].first(),
            "n_rows": g["row_id"].nunique(),
            "n_sources": g["source"].nunique(),
        }
    )
    is_drone = strikes["weapon_class"].isin(DRONE_CLASSES)
    is_missile = strikes["weapon_class"].isin(MISSILE_CLASSES)
    waves["drones_launched"] = _sum_where(strikes, is_drone, "launched")
    waves["drones_destroyed"] = _sum_where(strikes, is_drone, "destroyed")
    waves["drones_not_reach_goal"] = _sum_where(strikes, is_drone, "not_reach_goal")
    waves["missiles_launched"] = _sum_where(strikes, is_missile, "launched")
    waves["missiles_destroyed"] = _sum_where(strikes, is_missile, "destroyed")
    missing = strikes["launched"].isna()
    waves["rows_launched_missing"] = missing.groupby(strikes["wave_id"]).sum().astype("int64")
    for weapon_class in WEAPON_CLASSES:
        mask = strikes["weapon_class"] == weapon_class
        waves[f"launched_{weapon_class}"] = _sum_where(strikes, mask, "launched")
        waves[f"destroyed_{weapon_class}"] = _sum_where(strikes, mask, "destroyed")
    waves = waves.reset_index()
    return waves.loc[:, list(WAVE_COLUMNS) + [c for c in waves if c not in WAVE_COLUMNS]]
