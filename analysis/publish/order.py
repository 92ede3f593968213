"""The order in which a set's notebooks are handed to the workers: the longest first.

With two workers and notebooks handed out in numbered order, the slowest notebook (the
forecast's backtest) started last and ran alone while the other worker sat idle. Handing out
the longest first (the classic longest-processing-time rule) lets the short ones fill the
other worker meanwhile. The expected time of a notebook is its time in the set's previous run
(the seconds the set's state file records per notebook); failing that, the ``expected_seconds``
the source notebook declares (:func:`analysis.publish.notebooks.declared_seconds`); failing
that, zero. Ties keep the numbered order. The order changes only when notebooks run, never
what they compute or where the report lists them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from analysis.publish.notebooks import declared_seconds, seconds_or_none


def previous_seconds(state: Mapping[str, object]) -> Mapping[str, object]:
    """The seconds by notebook stem of a set's state file ({} when it records none)."""
    recorded = state.get("notebooks")
    return recorded if isinstance(recorded, dict) else {}


def expected_seconds(source: Path, previous: Mapping[str, object]) -> float:
    """How long ``source`` is expected to run: as it did before (``previous``: seconds by
    notebook stem), else as it declares, else 0."""
    measured = seconds_or_none(previous.get(source.stem))
    return measured if measured is not None else declared_seconds(source)


def longest_first(notebooks: Sequence[Path], previous: Mapping[str, object]) -> tuple[Path, ...]:
    """``notebooks`` longest expected first; equal ones in their given order."""
    expected = {source: expected_seconds(source, previous) for source in notebooks}
    return tuple(sorted(notebooks, key=lambda source: -expected[source]))
