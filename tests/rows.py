"""Hand-written raw rows, shaped like the validated text table that ``read_daily`` returns."""

from __future__ import annotations

import pandas as pd

from analysis.data.rawschema import DAILY_COLUMNS


def raw_rows(*rows: dict) -> pd.DataFrame:
    """Each dict gives some columns; counts may be ints; everything else defaults to empty."""
    records = []
    for i, row in enumerate(rows):
        record = {c: None for c in DAILY_COLUMNS}
        record["source"] = f"kpszsu/posts/{i}"
        for key, value in row.items():
            record[key] = None if value is None else str(value)
        records.append(record)
    return pd.DataFrame.from_records(records, columns=list(DAILY_COLUMNS)).astype("string")
