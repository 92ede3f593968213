"""Names that become folders or path parts: releases, reports, batches and sets.

Every such name comes from a user (a CLI argument, a grid file, the registry) and is joined to a
project folder, so it is checked here first: a name is one path component that cannot climb
out (no ``/``, no ``..``, no leading dot) and cannot take over a folder the project keeps for
itself. Patterns are matched in full (``fullmatch``), so a trailing newline is refused too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from analysis.errors import AnalysisError

#: An ISO date, ``YYYY-MM-DD``; a release is named by its date.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
RELEASE = ISO_DATE
FOLDER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
MAX_SHOWN = 60
MAX_LISTED = 5


class NameError_(AnalysisError):  # noqa: N801 - the builtin NameError is another thing
    """A release, report, batch or set name that is not usable as a folder name."""


def shown(value: object) -> str:
    """``repr`` of a user value, shortened so that an error message stays one short line."""
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else f"{text[:MAX_SHOWN]}... ({len(text)} chars)"


def listed(values: Sequence[Any], limit: int = MAX_LISTED) -> str:
    """The first ``limit`` values (each :func:`shown`), and how many more were left out."""
    head = ", ".join(shown(v) for v in values[:limit])
    more = len(values) - limit
    return head + (f" and {more} more" if more > 0 else "")


def check_release(value: object, where: str = "release") -> str:
    """A release name: an ISO date ``YYYY-MM-DD`` that exists (so never a path)."""
    text = value.isoformat() if isinstance(value, dt.date) else value
    if not isinstance(text, str) or not RELEASE.fullmatch(text):
        raise NameError_(
            f"{where}: release {shown(value)} is not a date YYYY-MM-DD; a release "
            "is named by the last date its file covers, e.g. 2026-04-05"
        )
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise NameError_(f"{where}: release {text!r} is not a real date") from None
    return text


def check_folder_name(value: object, what: str, where: str) -> str:
    """A report, batch or set name: letters, digits, '.', '_' and '-', starting with a letter
    or digit, at most 100 characters (one path component; never '.', '..' or hidden)."""
    if not isinstance(value, str) or not FOLDER_NAME.fullmatch(value):
        raise NameError_(
            f"{where}: {what} name {shown(value)} is not usable as a folder: use "
            "letters, digits, '.', '_' and '-', starting with a letter or digit "
            "(at most 100 characters)"
        )
    return value
