"""The small result object every model (and every indicator table set) returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class ModelResult:
    """What a model found: named tables, headline numbers and what it assumes.

    ``summary`` holds plain numbers and strings (JSON-serialisable) that notebooks quote and
    tests check; ``tables`` holds the DataFrames that notebooks display; ``assumptions`` and
    ``caveats`` are sentences for the report.
    """

    name: str
    summary: dict[str, float | int | str | None]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    assumptions: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()

    def table(self, key: str) -> pd.DataFrame:
        return self.tables[key]

    def whole(self, key: str) -> int:
        """The summary's count ``key`` as an int (TypeError when it is text or missing)."""
        value = self.summary[key]
        if isinstance(value, str) or value is None:
            raise TypeError(f"{self.name}: summary {key!r} is {value!r}, not a count")
        return int(value)
