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

from analysis.data.reporters import NATIONAL, SEVERAL
from analysis.vocabulary import DRONE_CLASSES, MISSILE_CLASSES, WEAPON_CLASSES

WAVE_COLUMNS = (
    "wave_id",
    "start",
    "end",
    "date",
    "time_known",
    "n_rows",
    "n_sources",
    "reporter",
    "national_rows",
    "flagged_rows",
    "flagged_launched",
    "drones_launched",
    "drones_destroyed",
    "drones_not_reach_goal",
    "missiles_launched",
    "missiles_destroyed",
    "rows_launched_missing",
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
    spans = (
        frame.assign(local=local)
        .groupby("local")
        .agg(s=("s", "min"), e=("e", "max"), pool=("pool", "first"))
    )
    rank = spans.sort_values(["s", "e", "pool"], kind="stable").index
    renumber = pd.Series(np.arange(len(rank)), index=rank)
    return pd.Series(renumber.loc[local].to_numpy(), index=frame.index).reindex(windows.index)


def _latest(values: pd.Series, wave: pd.Series) -> pd.Series:
    """Latest value per wave for an object column of dates (``groupby().max()`` without its
    Python-level loop over groups): dates are ranked once, and the ranks maxed per wave."""
    codes, uniques = pd.factorize(values, sort=True)
    top = pd.Series(codes, index=values.index).where(codes >= 0).groupby(wave).max()
    lookup = np.append(np.asarray(uniques, dtype=object), None)
    picked = lookup[top.fillna(len(uniques)).to_numpy(dtype=np.int64)]
    return pd.Series(picked, index=top.index, dtype=object)


def _class_totals(strikes: pd.DataFrame) -> pd.DataFrame:
    """Launched / destroyed sums per wave: headline groups and every weapon class.

    Each count column is summed per (wave, class) cell in one ``bincount`` pass; the headline
    groups are sums of their classes' cells. Counts are whole numbers far below 2**53, so the
    float accumulation is exact; missing counts add nothing.
    """
    wave_ids, wave = np.unique(strikes["wave_id"].to_numpy(), return_inverse=True)
    n_waves, n_classes = len(wave_ids), len(WEAPON_CLASSES)
    names, distinct = pd.factorize(strikes["weapon_class"])
    position = {name: i for i, name in enumerate(WEAPON_CLASSES)}
    code = np.array([position.get(name, -1) for name in distinct] + [-1])[names]
    known = code >= 0
    cell = wave[known] * n_classes + code[known]

    def per_class(column: str) -> np.ndarray:
        values = strikes[column].to_numpy(dtype="float64", na_value=0.0)[known]
        sums = np.bincount(cell, weights=values, minlength=n_waves * n_classes)
        return np.rint(sums).astype(np.int64).reshape(n_waves, n_classes)

    launched, destroyed = per_class("launched"), per_class("destroyed")
    not_reach_goal = per_class("not_reach_goal")
    drones = [i for i, c in enumerate(WEAPON_CLASSES) if c in DRONE_CLASSES]
    missiles = [i for i, c in enumerate(WEAPON_CLASSES) if c in MISSILE_CLASSES]
    missing = strikes["launched"].isna().to_numpy()
    columns = {
        "drones_launched": launched[:, drones].sum(axis=1),
        "drones_destroyed": destroyed[:, drones].sum(axis=1),
        "drones_not_reach_goal": not_reach_goal[:, drones].sum(axis=1),
        "missiles_launched": launched[:, missiles].sum(axis=1),
        "missiles_destroyed": destroyed[:, missiles].sum(axis=1),
        "rows_launched_missing": np.bincount(wave[missing], minlength=n_waves).astype(np.int64),
    }
    for i, name in enumerate(WEAPON_CLASSES):
        columns[f"launched_{name}"] = launched[:, i]
        columns[f"destroyed_{name}"] = destroyed[:, i]
    return pd.DataFrame(columns, index=pd.Index(wave_ids, name="wave_id"))


def _reporter_totals(strikes: pd.DataFrame) -> pd.DataFrame:
    """Per wave: its ``reporter`` (the one reporter of all its rows, else ``several``), how
    many of its source rows are national (``national_rows``) or possible double counts
    (``flagged_rows``: a row counts when any of its components is flagged) and the launches of
    its flagged components (``flagged_launched``)."""
    wave = strikes["wave_id"]
    reporters = strikes.groupby(wave)["reporter"]
    flagged = strikes["possible_double_count"].to_numpy(dtype=bool)
    national = strikes["reporter"].eq(NATIONAL).to_numpy()
    launched = strikes["launched"].to_numpy(dtype="float64", na_value=0.0)

    def rows_where(mask: np.ndarray) -> pd.Series:
        return strikes.loc[mask, "row_id"].groupby(wave[mask]).nunique()

    first = reporters.first()
    flagged_launched = pd.Series(np.where(flagged, launched, 0.0), index=strikes.index)
    return pd.DataFrame(
        {
            "reporter": first.where(reporters.nunique().eq(1), SEVERAL),
            "national_rows": rows_where(national).reindex(first.index, fill_value=0),
            "flagged_rows": rows_where(flagged).reindex(first.index, fill_value=0),
            "flagged_launched": np.rint(flagged_launched.groupby(wave).sum()),
        }
    ).astype({"national_rows": np.int64, "flagged_rows": np.int64, "flagged_launched": np.int64})


def summarise_waves(strikes: pd.DataFrame) -> pd.DataFrame:
    """One row per wave with headline totals, who reported it (see :func:`_reporter_totals`)
    and launched/destroyed per weapon class."""
    wave = strikes["wave_id"]
    g = strikes.groupby("wave_id")
    waves = pd.DataFrame(
        {
            "start": grouping_start(strikes).groupby(wave).min(),
            "end": g["window_end"].max(),
            "date": _latest(strikes["end_date"], wave),
            "time_known": g["time_known"].first(),
            "n_rows": g["row_id"].nunique(),
            "n_sources": g["source"].nunique(),
        }
    )
    waves = waves.join(_reporter_totals(strikes)).join(_class_totals(strikes))
    waves = waves.reset_index()
    return waves.loc[:, list(WAVE_COLUMNS) + [c for c in waves if c not in WAVE_COLUMNS]]
