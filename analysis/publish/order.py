"""The order in which a set's notebooks are handed to the workers: the longest first.

With two workers and notebooks handed out in numbered order, the slowest notebook (the
forecast's backtest) started last and ran alone while the other worker sat idle. Handing out
the longest first (the classic longest-processing-time rule) lets the short ones fill the
other worker meanwhile. The expected time of a notebook is its duration in the set's previous
complete run (papermill's record in the executed copy); failing that, the ``expected_seconds``
the source notebook declares in its metadata (``{"analysis": {"expected_seconds": 50}}``);
failing that, zero. Ties keep the numbered order. The order changes only when notebooks run,
never what they compute or where the report lists them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path


def _metadata(notebook: Path) -> dict:
    """A notebook's top-level metadata ({} when it cannot be read)."""
    try:
        data = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    metadata = data.get("metadata") if isinstance(data, dict) else None
    return metadata if isinstance(metadata, dict) else {}


def _seconds(value: object) -> float | None:
    """``value`` as a non-negative number of seconds, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value >= 0 else None


def expected_seconds(source: Path, previous_run: Path | None) -> float:
    """How long ``source`` is expected to run: as it did in ``previous_run``, else as its
    metadata declares, else 0."""
    if previous_run is not None:
        papermill = _metadata(previous_run / source.name).get("papermill")
        if isinstance(papermill, dict):
            measured = _seconds(papermill.get("duration"))
            if measured is not None:
                return measured
    declared = _metadata(source).get("analysis")
    if isinstance(declared, dict):
        return _seconds(declared.get("expected_seconds")) or 0.0
    return 0.0


def longest_first(notebooks: Sequence[Path], previous_run: Path | None) -> tuple[Path, ...]:
    """``notebooks`` longest expected first; equal ones in their given order."""
    expected = {source: expected_seconds(source, previous_run) for source in notebooks}
    return tuple(sorted(notebooks, key=lambda source: -expected[source]))
