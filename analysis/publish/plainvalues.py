"""Plain values: what may be injected into a notebook's parameters cell.

papermill writes each parameter into the notebook as Python source. Text, numbers, booleans,
None, lists and dicts become Python literals, but any other type is written with its raw
``str()``, which may be code. So every value passed to papermill is checked here first: only
``str``, ``int``, finite ``float``, ``bool``, ``None``, and ``list``/``dict`` of those (dict
keys are text) pass, by exact type, so that a subclass cannot change how it is written.

Limits that keep the written literal valid in any kernel:

* an ``int`` has at most :data:`MAX_INT_DIGITS` digits (the smallest limit Python lets a
  process set on int-to-text conversion, which also applies to literals in source code);
* text is valid Unicode (no lone surrogates, which cannot be written to a notebook file);
* values nest at most :data:`MAX_DEPTH` levels and hold at most :data:`MAX_VALUES` values.
"""

from __future__ import annotations

import keyword
import math
import re
from typing import Any

from analysis.errors import AnalysisError
from analysis.names import shown

MAX_INT_DIGITS = 640
MAX_DEPTH = 20
MAX_VALUES = 10_000
HINT = "parameters are text, numbers, True/False, None, or lists and dicts of those"
_INT_BOUND = 10**MAX_INT_DIGITS
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class UnsafeValueError(AnalysisError):
    """A parameter name or value that cannot be written into a parameters cell as a literal."""


def scalar_problem(value: Any, hint: str = HINT) -> str | None:
    """Why a single value cannot be a parameter, or None if it can (lists and dicts are not
    single values: they get a problem here too); ``hint`` follows a refused type."""
    kind = type(value)
    if value is None or kind is bool:
        return None
    if kind is str:
        return _text_problem(value)
    if kind is int:
        if -_INT_BOUND < value < _INT_BOUND:
            return None
        return f"an integer with more than {MAX_INT_DIGITS} digits is not allowed"
    if kind is float:
        return None if math.isfinite(value) else f"{value} is not a finite number"
    return f"a {type_name(value)} value is not allowed; {hint}"


def type_name(value: Any) -> str:
    """The type of ``value`` as a reader knows it: ``bytes``, ``set``, ``mymodule.Thing``."""
    kind = type(value)
    return (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else (f"{kind.__module__}.{kind.__qualname__}")
    )


def _text_problem(text: str) -> str | None:
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (
            f"text with a lone surrogate {text[exc.start]!r} at character "
            f"{exc.start + 1} is not valid Unicode"
        )
    return None


def check_plain(value: Any, where: str) -> None:
    """Raise :class:`UnsafeValueError` naming ``where``, the path inside ``value`` (e.g.
    ``classes[2]``) and the type, unless ``value`` is plain all the way down."""
    problem = _first_problem(value, "", 1, [0])
    if problem:
        path, text = problem
        raise UnsafeValueError(f"{where}: {path}: {text}" if path else f"{where}: {text}")


def _first_problem(value: Any, path: str, depth: int, count: list[int]) -> tuple[str, str] | None:
    """``(path, problem)`` for the first non-plain part of ``value``, depth first."""
    count[0] += 1
    if count[0] > MAX_VALUES:
        return path, f"holds more than {MAX_VALUES:,} values"
    if depth > MAX_DEPTH:
        return path, f"nests more than {MAX_DEPTH} levels deep"
    kind = type(value)
    if kind is list:
        return _list_problem(value, path, depth, count)
    if kind is dict:
        return _dict_problem(value, path, depth, count)
    problem = scalar_problem(value)
    return (path, problem) if problem else None


def _list_problem(value: list, path: str, depth: int, count: list[int]) -> tuple[str, str] | None:
    """The first problem among the items of a list, each named by its index."""
    for index, item in enumerate(value):
        found = _first_problem(item, f"{path}[{index}]", depth + 1, count)
        if found:
            return found
    return None


def _dict_problem(value: dict, path: str, depth: int, count: list[int]) -> tuple[str, str] | None:
    """The first problem among the keys and items of a dict, each item named by its key."""
    for key, item in value.items():
        key_problem = _key_problem(key)
        if key_problem:
            return path, key_problem
        found = _first_problem(item, f"{path}[{shown(key)}]", depth + 1, count)
        if found:
            return found
    return None


def _key_problem(key: Any) -> str | None:
    """Why ``key`` cannot be a dict key of a parameter (keys are valid text), or None."""
    if type(key) is not str:
        return f"key {shown(key)} ({type_name(key)}) is not text; dict keys are text"
    problem = _text_problem(key)
    return f"key {shown(key)}: {problem}" if problem else None


def check_parameters(parameters: dict, where: str) -> dict:
    """Check that every name in ``parameters`` is a plain Python identifier (ASCII, not a
    keyword, not a ``__dunder__``) and every value is plain; return ``parameters``.

    Non-ASCII names are refused because Python normalises them (NFKC), so the name written
    would not always be the name assigned.
    """
    if type(parameters) is not dict:
        raise UnsafeValueError(f"{where}: parameters must be a dict, not {type_name(parameters)}")
    for name, value in parameters.items():
        if (
            type(name) is not str
            or not _NAME.fullmatch(name)
            or keyword.iskeyword(name)
            or (name.startswith("__") and name.endswith("__"))
        ):
            raise UnsafeValueError(
                f"{where}: parameter name {shown(name)} is not a plain Python "
                "name (ASCII letters, digits and '_'; not a keyword or a "
                "__dunder__ name)"
            )
        problem = _first_problem(value, name, 1, [0])
        if problem:
            path, text = problem
            raise UnsafeValueError(f"{where}: parameter {path}: {text}")
    return parameters
