"""Massed and routine attacks: which waves stand out by their size.

A wave's size is its headline launches, strike drones plus missiles (``drones_launched +
missiles_launched``). Two rules, both parameterised:

* ``relative`` (default): a wave is massed when its size is at least ``factor`` times the
  median size of the waves that began in the ``window_days`` days before it, and at least
  ``min_size``. Only waves that launched something form that median (a wave of reconnaissance
  drones alone has size 0 and would drag it down). A wave with no such earlier wave is judged
  on ``min_size`` alone. The bar rises with the campaign: 150 drones was massed in 2023 and
  routine in 2025.
* ``fixed``: a wave is massed when its size is at least ``fixed_size``, a constant bar like
  the one public strike trackers use.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data.series import FREQUENCIES, as_timestamps, calendar, period_bounds

MASSED = "massed"
ROUTINE = "routine"
RULES = ("relative", "fixed")
#: The rules' defaults: ``relative`` at 3 × the median of the 28 days before and at least 100
#: launched; ``fixed`` at 200 launched.
FACTOR = 3.0
WINDOW_DAYS = 28
MIN_SIZE = 100
FIXED_SIZE = 200
MASSED_COLUMNS = (
    "period",
    "waves",
    "launched",
    "massed",
    "massed_launched",
    "massed_median",
    "massed_largest",
    "massed_share",
    "days",
    "complete",
)


def wave_sizes(waves: pd.DataFrame) -> pd.Series:
    """Headline launches of each wave: strike drones plus missiles."""
    size = waves["drones_launched"] + waves["missiles_launched"]
    return size.astype("int64").rename("size")


def _instants(values: pd.Series) -> np.ndarray:
    """Times as ``datetime64[ns]`` on one clock (UTC for zoned times, as given for naive)."""
    times = pd.to_datetime(values)
    if isinstance(times.dtype, pd.DatetimeTZDtype):
        times = times.dt.tz_convert("UTC").dt.tz_localize(None)
    return times.to_numpy(dtype="datetime64[ns]")


def earlier_median(waves: pd.DataFrame, window_days: float) -> pd.Series:
    """Median size of the waves with a positive size that began in the ``window_days`` days
    before each wave's start (the wave itself and later waves excluded); NaN when none did."""
    size = wave_sizes(waves).to_numpy()
    starts = _instants(waves["start"])
    order = np.argsort(starts[size > 0], kind="stable")
    pool_starts = starts[size > 0][order]
    pool_sizes = size[size > 0][order].astype("float64")
    window = pd.Timedelta(days=window_days).to_timedelta64()
    lows = np.searchsorted(pool_starts, starts - window, side="left")
    highs = np.searchsorted(pool_starts, starts, side="left")
    medians = [
        float(np.median(pool_sizes[lo:hi])) if hi > lo else np.nan
        for lo, hi in zip(lows, highs, strict=True)
    ]
    return pd.Series(medians, index=waves.index, name="earlier_median")


def other_rule(rule: str) -> str:
    """The rule that is not ``rule``: the stated alternative a report shows beside it."""
    if rule not in RULES:
        raise ValueError(f"rule {rule!r} is not one of {', '.join(RULES)}")
    return next(r for r in RULES if r != rule)


def _check(rule: str, factor: float, window_days: float, min_size: int, fixed_size: int) -> None:
    """ValueError naming the first parameter out of range."""
    if rule not in RULES:
        raise ValueError(f"rule {rule!r} is not one of {', '.join(RULES)}")
    if factor <= 0 or window_days <= 0:
        raise ValueError(f"factor and window_days must be positive, got {factor}, {window_days}")
    if min_size < 0 or fixed_size < 1:
        raise ValueError(f"min_size must be >= 0 and fixed_size >= 1, got {min_size}, {fixed_size}")


def classify_waves(
    waves: pd.DataFrame,
    *,
    rule: str = "relative",
    factor: float = FACTOR,
    window_days: float = WINDOW_DAYS,
    min_size: int = MIN_SIZE,
    fixed_size: int = FIXED_SIZE,
) -> pd.Series:
    """``massed`` or ``routine`` for each wave (indexed like ``waves``) by the module's rules:
    ``relative`` (``factor`` × the earlier ``window_days``-day median and ``min_size``) or
    ``fixed`` (``fixed_size``)."""
    _check(rule, factor, window_days, min_size, fixed_size)
    size = wave_sizes(waves)
    if rule == "fixed":
        massed = size >= fixed_size
    else:
        baseline = earlier_median(waves, window_days)
        massed = (size >= min_size) & (baseline.isna() | (size >= factor * baseline))
    return massed.map({True: MASSED, False: ROUTINE}).rename("attack")


def massed_series(
    waves: pd.DataFrame,
    classes: pd.Series,
    freq: str = "M",
    *,
    start=None,
    end=None,
) -> pd.DataFrame:
    """Massed attacks per period, dated by each wave's Kyiv end date (``date``).

    Columns: ``waves`` and ``launched`` (all waves), ``massed`` (how many were massed),
    ``massed_launched`` (their total size), ``massed_median`` and ``massed_largest`` (NaN and 0
    without one), ``massed_share`` (their share of all launches; NaN when nothing was
    launched), then ``days`` and ``complete`` as in :func:`analysis.data.series.calendar`.
    """
    if freq not in FREQUENCIES:
        raise ValueError(f"freq {freq!r} is not one of {', '.join(FREQUENCIES)}")
    days = as_timestamps(waves["date"])
    first, last = period_bounds(days, start, end)
    inside = ((days >= first) & (days <= last)).to_numpy()
    period = days[inside].dt.to_period(FREQUENCIES[freq]).dt.start_time.to_numpy()
    size = wave_sizes(waves)[inside]
    is_massed = (classes.reindex(waves.index) == MASSED)[inside]
    table = pd.DataFrame({"period": period, "size": size.to_numpy(), "m": is_massed.to_numpy()})
    totals = table.groupby("period")["size"].agg(waves="size", launched="sum")
    massed = table[table["m"]].groupby("period")["size"]
    stats = massed.agg(
        massed="size",
        massed_launched="sum",
        massed_median="median",
        massed_largest="max",
    )
    out = calendar(first, last, freq).set_index("period").join(totals).join(stats)
    counts = ["waves", "launched", "massed", "massed_launched", "massed_largest"]
    out[counts] = out[counts].fillna(0).astype("int64")
    out["massed_share"] = out["massed_launched"] / out["launched"].where(out["launched"] > 0)
    return out.reset_index().loc[:, list(MASSED_COLUMNS)]
