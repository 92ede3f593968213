"""Checks for report parameters: one table, used by the command line and the notebooks alike.

``RULES`` says, per report notebook, what each parameter may be, for the checks that need no
data (ranges, names, dates). ``check_values`` applies it: the batch and report commands call
it before anything runs, and each notebook's validation cell calls it on its parameters cell,
so the two can never disagree. Checks that need the data (is the release built, is the period
long enough, is an event id in the timeline) stay in the notebooks.

This module is imported before any work starts: it must stay light (no pandas, statsmodels or
matplotlib at module level).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from analysis.errors import AnalysisError
from analysis.names import ISO_DATE, NameError_, listed, shown
from analysis.names import check_release as check_release_name
from analysis.vocabulary import (
    BALLISTIC_MISSILE,
    CRUISE_MISSILE,
    ORIGINS,
    SCOPES,
    STRIKE_DRONE,
    WEAPON_CLASSES,
)

if TYPE_CHECKING:
    import pandas as pd

#: Names of ``series.HEADLINE_GROUPS`` and keys of ``series.FREQUENCIES`` (kept here so that
#: this module needs no pandas; a test checks that they agree).
HEADLINE_NAMES: tuple[str, ...] = ("drones", "missiles")
FREQUENCY_NAMES: tuple[str, ...] = ("D", "W", "M")
#: ``models.interception.CLASSES``: the classes the interception model can fit.
INTERCEPTION_CLASSES: tuple[str, ...] = (STRIKE_DRONE, CRUISE_MISSILE, BALLISTIC_MISSILE)
#: ``data.attacks.RULES``: the rules that tell massed attacks from routine waves.
MASSED_RULES: tuple[str, ...] = ("relative", "fixed")
GROUP_NAMES = tuple(dict.fromkeys(HEADLINE_NAMES + WEAPON_CLASSES + ORIGINS))
#: An event id of the partnership timeline: a lower-case slug (matched in full).
EVENT_ID_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_EVENT_ID = re.compile(EVENT_ID_PATTERN)


class ParameterError(AnalysisError, ValueError):
    """A report parameter has a value the notebooks cannot use."""


# --- single checks: each takes the value and its name, returns the value to use ------------


def as_name_list(value: Any, name: str) -> list[str]:
    """A list of names from a list or a comma-separated string (None: empty)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, Sequence):
        return [str(v) for v in value]
    raise ParameterError(
        f"{name} {shown(value)} must be a list of names or a comma-separated string"
    )


def check_names(value: Any, name: str, allowed: Sequence[str], why: str = "unknown") -> list[str]:
    """A non-empty list of names, each one of ``allowed``, in the order given, no repeats."""
    chosen = as_name_list(value, name)
    if not chosen:
        raise ParameterError(f"{name} is empty; give at least one of {', '.join(allowed)}")
    unknown = [g for g in chosen if g not in allowed]
    if unknown:
        raise ParameterError(f"{name}: {why} {listed(unknown)}; allowed: {', '.join(allowed)}")
    return list(dict.fromkeys(chosen))


def check_groups(groups: Any, name: str = "classes") -> list[str]:
    """Weapon classes, origins or headline groups (``drones``/``missiles``), as given."""
    check_names(groups, name, GROUP_NAMES)
    return as_name_list(groups, name)


def check_freq(freq: Any, name: str = "freq") -> str:
    if freq not in FREQUENCY_NAMES:
        raise ParameterError(f"{name} {shown(freq)} is not one of {', '.join(FREQUENCY_NAMES)}")
    return str(freq)


def check_choice(value: Any, name: str, allowed: Sequence[str]) -> str:
    """One name of ``allowed``, as text (a list or any other value is refused)."""
    if not isinstance(value, str) or value not in allowed:
        raise ParameterError(f"{name} {shown(value)} is not one of {', '.join(allowed)}")
    return value


def check_positive_int(value: Any, name: str, low: int = 1, high: int = 520) -> int:
    """A whole number from ``low`` to ``high`` (True/False and 2.0 are refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ParameterError(f"{name} {shown(value)} must be a whole number from {low} to {high}")
    return value


def check_whole_list(value: Any, name: str, low: int, high: int) -> list[int]:
    """Whole numbers from ``low`` to ``high``: one, a list, or comma-separated text; sorted,
    without repeats."""
    if isinstance(value, bool):
        raise ParameterError(f"{name} {value!r} must be a list of whole numbers")
    if isinstance(value, int):
        value = [value]
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",") if p.strip()]
        value = [int(p) if p.lstrip("-").isdigit() else p for p in parts]
    if not isinstance(value, Sequence) or not value:
        raise ParameterError(
            f"{name} {shown(value)} must be a non-empty list of whole numbers "
            f"from {low} to {high}, e.g. [6, 12]"
        )
    return sorted({check_positive_int(v, name, low, high) for v in value})


def check_date(value: Any, name: str) -> str | None:
    """None, or a real calendar date as ``YYYY-MM-DD`` text (a ``date`` is turned into it)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    text = value.isoformat() if isinstance(value, dt.date) else value
    if isinstance(text, str) and ISO_DATE.fullmatch(text):
        try:
            dt.date.fromisoformat(text)
            return text
        except ValueError:
            pass
    raise ParameterError(f"{name} {shown(value)} is not a date; use YYYY-MM-DD, e.g. 2025-01-31")


def check_release(value: Any, name: str = "release") -> str | None:
    """None (the newest release), or a release name: the date its file ends, ``YYYY-MM-DD``."""
    if value is None:
        return None
    try:
        return check_release_name(value, name)
    except NameError_:
        raise ParameterError(
            f"{name} {shown(value)} is not a release: a release is named by "
            "the last date its file covers, YYYY-MM-DD, e.g. 2026-04-05"
        ) from None


def check_scope(value: Any, name: str = "scope") -> str:
    """Whose counts to add up: ``national`` (the Air Force's national summary alone) or
    ``all`` (every reporter, overlaps included)."""
    if not isinstance(value, str) or value not in SCOPES:
        raise ParameterError(
            f'{name} {shown(value)} is not a scope; use "national" (the Air Force\'s national '
            'summary alone, comparable with published totals) or "all" (every reporter, '
            "overlapping counts included)"
        )
    return value


def check_event_choice(value: Any, name: str = "events") -> list[str] | str:
    """``"all"`` (None too), or event ids: lower-case slugs such as ``russia-iran-treaty-signed``.

    Whether each id is in the timeline is checked by ``check_event_ids``, which reads it.
    """
    if value is None or value == "all":
        return "all"
    chosen = as_name_list(value, name)
    if not chosen:
        raise ParameterError(f'{name} is empty; give event ids, or "all"')
    bad = [i for i in chosen if not _EVENT_ID.fullmatch(i)]
    if bad:
        raise ParameterError(
            f"{name}: {listed(bad)} is not an event id (lower-case letters, "
            "digits and '-', e.g. russia-iran-treaty-signed)"
        )
    return chosen


def check_event_ids(ids: Any, events: pd.DataFrame, name: str = "events") -> list[str]:
    """Event ids from the partnership timeline; ``None`` or ``"all"`` means every event."""
    chosen = check_event_choice(ids, name)
    if chosen == "all":
        return events["event_id"].tolist()
    known = set(events["event_id"])
    unknown = [i for i in chosen if i not in known]
    if unknown:
        raise ParameterError(
            f"{name}: unknown event id {listed(unknown)}; see "
            "data/raw/partnership_events.csv for the ids"
        )
    return chosen


# --- the table -----------------------------------------------------------------------------

#: ``check(value, name)`` returns the value to use, or raises ``ParameterError`` naming it.
Check = Callable[[Any, str], Any]


def whole(low: int, high: int) -> Check:
    """A whole number from ``low`` to ``high``."""
    return lambda value, name: check_positive_int(value, name, low, high)


def optional_whole(low: int, high: int, none_means: str) -> Check:
    """None (meaning ``none_means``) or a whole number from ``low`` to ``high``."""

    def check(value: Any, name: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ParameterError(
                f"{name} {shown(value)} must be None ({none_means}) or a whole "
                f"number from {low} to {high}"
            )
        return value

    return check


def whole_list(low: int, high: int) -> Check:
    """One or more whole numbers from ``low`` to ``high``."""
    return lambda value, name: check_whole_list(value, name, low, high)


def names(allowed: Sequence[str], why: str = "unknown") -> Check:
    """One or more of ``allowed``; ``why`` says what is wrong with any other name."""
    return lambda value, name: check_names(value, name, allowed, why)


def one_of(allowed: Sequence[str]) -> Check:
    """Exactly one of ``allowed``."""
    return lambda value, name: check_choice(value, name, allowed)


PERIOD: dict[str, Check] = {
    "release": check_release,
    "start": check_date,
    "end": check_date,
    "scope": check_scope,
}
#: Per report notebook (by file stem), the parameters checked before any data is read.
RULES: dict[str, dict[str, Check]] = {
    "01_data_overview": PERIOD,
    "02_escalation_trends": {
        **PERIOD,
        "classes": check_groups,
        "freq": check_freq,
        "growth_windows": whole_list(1, 48),
    },
    "03_salvo_and_interception": {
        **PERIOD,
        "classes": names(INTERCEPTION_CLASSES, "cannot be modelled for interception:"),
        "top_n": whole(1, 50),
        "massed_rule": one_of(MASSED_RULES),
        "massed_size": whole(1, 5000),
    },
    "04_supply_partnerships": {
        **PERIOD,
        "events": check_event_choice,
        "window": whole(8, 104),
        "lag": whole(0, 26),
        "n_placebo": optional_whole(1, 1000, "every eligible date"),
    },
    "05_forecast": {
        **PERIOD,
        "horizon": whole(1, 26),
        "origins": whole(4, 104),
        "groups": names(HEADLINE_NAMES, "cannot be forecast:"),
    },
}


def _check_order(values: Mapping[str, Any]) -> None:
    """``end`` not before ``start`` (both already checked dates, or None)."""
    start, end = values.get("start"), values.get("end")
    if start is not None and end is not None and end < start:
        raise ParameterError(f"end {end} is before start {start}")


def check_values(
    parameters: Mapping[str, Any], where: str, notebooks: Iterable[str] | None = None
) -> dict:
    """Check the parameters that ``RULES`` knows; return them with the values to use.

    ``notebooks`` are the stems whose rules apply (None: every report notebook, as a full
    report runs them all); a parameter must pass the rule of each notebook that takes it, and
    gets the value of the first. Names no rule knows pass unchanged (the grid refuses unknown
    names). A bad value raises ``ParameterError``: ``<where>: <parameter> <value> must ...``.
    """
    chosen = list(RULES) if notebooks is None else [n for n in notebooks if n in RULES]
    checked: dict[str, Any] = {}
    try:
        for stem in chosen:
            for name, check in RULES[stem].items():
                if name in parameters:
                    checked.setdefault(name, check(parameters[name], name))
        _check_order(checked)
    except ParameterError as exc:
        raise ParameterError(f"{where}: {exc}" if where else str(exc)) from None
    return {**parameters, **checked}
