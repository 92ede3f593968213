"""Scope: whose counts a figure adds up, the Air Force's national summary alone or every reporter.

The reporters overlap (:mod:`analysis.data.reporters`): an air command often posts the same
night the national summary counts. ``national`` keeps the national summary's rows, comparable
with the monthly totals that news agencies publish from it, plus one fallback: a wave that the
national summary did not post but a nationwide account did (the commander-in-chief or the
General Staff: the massed missile attacks of 10 October 2022, 10 and 16 February and
9 March 2023 are in the source only from them) is counted from that account. Regional air
commands never count under ``national``: most of their nights are also in the national summary.
``all`` adds every reporter, which counts some launches twice. A scope is chosen, never a
silent sum: :mod:`analysis.data.scope_comparison` shows, month by month, where the two differ.
"""

from __future__ import annotations

import pandas as pd

from analysis.data.labels import SCOPE_LABELS
from analysis.data.reporters import COMMANDER_IN_CHIEF, GENERAL_STAFF, NATIONAL
from analysis.data.waves import summarise_waves
from analysis.params import ParameterError
from analysis.params import check_scope as check_scope_value
from analysis.vocabulary import ALL_SCOPE

#: Nationwide accounts whose rows count under ``national`` in waves with no national row.
NATIONWIDE_FALLBACK: tuple[str, ...] = (COMMANDER_IN_CHIEF, GENERAL_STAFF)


class ScopeError(ParameterError):
    """A scope that is not one of :data:`SCOPES`."""


def check_scope(scope: object, name: str = "scope") -> str:
    """``scope`` when it is one of :data:`SCOPES`; else a ScopeError naming them."""
    try:
        return check_scope_value(scope, name)
    except ParameterError as exc:
        raise ScopeError(str(exc)) from None


def scope_label(scope: str) -> str:
    """What ``scope`` counts, in words."""
    return SCOPE_LABELS[check_scope(scope)]


def in_scope(strikes: pd.DataFrame, scope: str) -> pd.DataFrame:
    """The strike rows that ``scope`` counts: every row for ``all``; for ``national`` the
    national summary's rows, and a :data:`NATIONWIDE_FALLBACK` account's rows in waves that
    hold no national row (rows without a ``wave_id``: on Kyiv dates without one)."""
    check_scope(scope)
    if scope == ALL_SCOPE:
        return strikes
    national = strikes["reporter"] == NATIONAL
    night = "wave_id" if "wave_id" in strikes.columns else "end_date"
    covered = strikes[night].isin(strikes.loc[national, night])
    fallback = strikes["reporter"].isin(NATIONWIDE_FALLBACK) & ~covered
    return strikes.loc[national | fallback]


def scoped_waves(strikes: pd.DataFrame, waves: pd.DataFrame, scope: str) -> pd.DataFrame:
    """The waves as ``scope`` sees them: for ``national``, each wave summarised from the rows
    :func:`in_scope` keeps (a wave that only regional air commands posted drops out)."""
    if check_scope(scope) == ALL_SCOPE:
        return waves
    return summarise_waves(in_scope(strikes, scope))
