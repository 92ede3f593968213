"""Scope: whose counts a figure adds up, the Air Force's national summary alone or every reporter.

The reporters overlap (:mod:`analysis.data.reporters`): an air command often posts the same
night the national summary counts. ``national`` keeps the national summary's rows, comparable
with the monthly totals that news agencies publish from it; ``all`` adds every reporter, which
also covers nights the national summary did not post (early 2023 for missiles) but counts some
launches twice. A scope is chosen, never a silent sum: :func:`scope_comparison` shows, month by
month, where the two differ.
"""

from __future__ import annotations

import pandas as pd

from analysis.data.reporters import NATIONAL
from analysis.data.series import as_timestamps, series
from analysis.data.waves import summarise_waves
from analysis.errors import AnalysisError

ALL = "all"
#: The scopes a figure can use.
SCOPES: tuple[str, ...] = (NATIONAL, ALL)
#: A month's totals "differ materially" when the scopes differ by at least this share...
MATERIAL_SHARE = 0.02
#: ...and by at least this many launches.
MATERIAL_LAUNCHES = 10


class ScopeError(AnalysisError):
    """A scope that is not one of :data:`SCOPES`."""


def check_scope(scope: object, name: str = "scope") -> str:
    """``scope`` when it is one of :data:`SCOPES`; else a ScopeError naming them."""
    if not isinstance(scope, str) or scope not in SCOPES:
        raise ScopeError(f"{name}: {scope!r} is not a scope; choose one of {', '.join(SCOPES)}")
    return scope


def in_scope(strikes: pd.DataFrame, scope: str) -> pd.DataFrame:
    """The strike rows that ``scope`` counts (every row for ``all``)."""
    check_scope(scope)
    if scope == ALL:
        return strikes
    return strikes.loc[strikes["reporter"] == NATIONAL]


def scoped_waves(strikes: pd.DataFrame, waves: pd.DataFrame, scope: str) -> pd.DataFrame:
    """The waves as ``scope`` sees them: for ``national``, each wave summarised from its
    national rows only (a wave that only other reporters posted drops out)."""
    if check_scope(scope) == ALL:
        return waves
    return summarise_waves(in_scope(strikes, scope))


def scope_comparison(strikes: pd.DataFrame) -> pd.DataFrame:
    """Launches per month and headline group under both scopes: ``month, group, national,
    all, difference, share`` (``difference / national``; missing when national is 0) and
    ``material`` (at least :data:`MATERIAL_SHARE` and :data:`MATERIAL_LAUNCHES` apart)."""
    days = as_timestamps(strikes["end_date"])
    span = {"by": "headline", "freq": "M", "start": days.min(), "end": days.max()}
    every = series(strikes, **span)
    national = series(in_scope(strikes, NATIONAL), **span)
    out = pd.DataFrame(
        {
            "month": every["period"],
            "group": every["headline"],
            "national": national["launched"].to_numpy(),
            "all": every["launched"],
        }
    )
    out["difference"] = out["all"] - out["national"]
    out["share"] = (out["difference"] / out["national"].where(out["national"] > 0)).astype(
        "float64"
    )
    out["material"] = (out["difference"] >= MATERIAL_LAUNCHES) & (
        out["share"].isna() | (out["share"] >= MATERIAL_SHARE)
    )
    return out.sort_values(["group", "month"], kind="stable").reset_index(drop=True)
