"""Checks for notebook parameters: a bad value stops the run with one message naming it.

Each notebook's second cell calls these on its parameters cell, so that a typo in JupyterLab
or an injected papermill parameter fails before any work, not deep inside a model.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .series import FREQUENCIES, HEADLINE_GROUPS
from .taxonomy import ORIGINS, WEAPON_CLASSES

GROUP_NAMES = tuple(HEADLINE_GROUPS) + WEAPON_CLASSES + ORIGINS


class ParameterError(ValueError):
    """A notebook parameter has a value the notebook cannot use."""


def as_name_list(value, name: str) -> list[str]:
    """A list of names from a list or a comma-separated string (None: empty)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, Sequence):
        return [str(v) for v in value]
    raise ParameterError(f"{name} {value!r} must be a list of names or a comma-separated string")


def check_groups(groups, name: str = "classes") -> list[str]:
    """Weapon classes, origins or headline groups (``drones``/``missiles``)."""
    chosen = as_name_list(groups, name)
    if not chosen:
        raise ParameterError(f"{name} is empty; give at least one of {', '.join(GROUP_NAMES)}")
    unknown = [g for g in chosen if g not in GROUP_NAMES]
    if unknown:
        raise ParameterError(
            f"{name}: unknown {', '.join(map(repr, unknown))}; known: {', '.join(GROUP_NAMES)}"
        )
    return chosen


def check_freq(freq, name: str = "freq") -> str:
    if freq not in FREQUENCIES:
        raise ParameterError(f"{name} {freq!r} is not one of {', '.join(FREQUENCIES)}")
    return str(freq)


def check_positive_int(value, name: str, low: int = 1, high: int = 520) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ParameterError(f"{name} {value!r} must be a whole number from {low} to {high}")
    return value


def check_event_ids(ids, events: pd.DataFrame, name: str = "events") -> list[str]:
    """Event ids from the partnership timeline; ``None`` or ``"all"`` means every event."""
    if ids is None or ids == "all":
        return events["event_id"].tolist()
    chosen = as_name_list(ids, name)
    if not chosen:
        raise ParameterError(f"{name} is empty; give event ids, or \"all\"")
    unknown = [i for i in chosen if i not in set(events["event_id"])]
    if unknown:
        raise ParameterError(
            f"{name}: unknown event id {', '.join(map(repr, unknown))}; see "
            "data/raw/partnership_events.csv for the ids"
        )
    return chosen
