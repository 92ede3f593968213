"""Read the raw CSV files and judge their content against a declared schema.

Every failure raises :class:`DataValidationError` naming the file, the column, the first
offending rows (0-based data row and file line) and why. Nothing is written here.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

from .errors import DataValidationError
from .registry import DAILY_FILE, REFERENCE_FILE  # noqa: F401 - re-exported for callers
from .timeparse import KYIV, parse_timestamps

COUNT_COLUMNS = ("launched", "destroyed", "not_reach_goal", "still_attacking")
DAILY_COLUMNS = (
    "time_start", "time_end", "model", "launch_place", "target", "launched", "destroyed",
    "not_reach_goal", "still_attacking", "launched_details", "destroyed_details", "source",
)
REFERENCE_COLUMNS = ("model", "category", "national_origin", "type")
MAX_LISTED_ROWS = 5


def _is_count(values: pd.Series) -> pd.Series:
    """Empty, or a whole number >= 0 (the files write counts as ``12.0``)."""
    text = values.astype("string").str.strip().fillna("")
    number = pd.to_numeric(text, errors="coerce")
    return (text == "") | (number.notna() & (number >= 0) & (number % 1 == 0))


def _parses(values: pd.Series) -> pd.Series:
    return pd.Series(parse_timestamps(values)["ok"].to_numpy(), index=values.index)


def _not_future(today: dt.date):
    def check(values: pd.Series) -> pd.Series:
        ts = parse_timestamps(values)
        return ~ts["ok"] | (ts["ts"].dt.date <= today)

    return check


def _counts(df: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(df[column].astype("string").str.strip(), errors="coerce")


def _destroyed_within_launched(df: pd.DataFrame) -> pd.Series:
    launched, destroyed = _counts(df, "launched"), _counts(df, "destroyed")
    return launched.isna() | destroyed.isna() | (destroyed <= launched)


def _window_ordered(df: pd.DataFrame) -> pd.Series:
    start, end = parse_timestamps(df["time_start"]), parse_timestamps(df["time_end"])
    return ~(start["ok"] & end["ok"]) | (end["ts"] >= start["ts"])


def daily_schema(today: dt.date) -> pa.DataFrameSchema:
    """Schema of ``missile_attacks_daily.csv`` read with every column as text."""
    timestamp_checks = [
        pa.Check(_parses, error="unparsable timestamp (expected YYYY-MM-DD or YYYY-MM-DD HH:MM)"),
        pa.Check(_not_future(today), error=f"date in the future (after {today})"),
    ]
    count_check = pa.Check(_is_count, error="negative or non-integer count")
    columns = {
        "time_start": pa.Column(str, checks=timestamp_checks, nullable=False),
        "time_end": pa.Column(str, checks=timestamp_checks, nullable=False),
        "model": pa.Column(
            str, pa.Check(lambda s: s.str.strip() != "", error="empty model name"), nullable=False
        ),
        **{c: pa.Column(str, count_check, nullable=True) for c in COUNT_COLUMNS},
    }
    return pa.DataFrameSchema(
        columns,
        checks=[
            pa.Check(_destroyed_within_launched, error="destroyed greater than launched"),
            pa.Check(_window_ordered, error="window ends before it starts (time_end < time_start)"),
        ],
        strict=False,
    )


_FRAME_CHECK_COLUMNS = {
    "destroyed greater than launched": ("launched", "destroyed"),
    "window ends before it starts (time_end < time_start)": ("time_start", "time_end"),
}


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        text = data.decode("utf-8", errors="replace")
        rows = list(csv.reader(io.StringIO(text)))
        header = rows[0] if rows else []
        where = f"line {line}"
        for row_no, row in enumerate(rows[1:]):
            bad = [i for i, field in enumerate(row) if "\ufffd" in field]
            if bad:
                column = header[bad[0]] if bad[0] < len(header) else f"field {bad[0] + 1}"
                where = f"row {row_no} (line {row_no + 2}), column '{column}'"
                break
        raise DataValidationError(
            f"{path}: not UTF-8 text: byte 0x{data[exc.start]:02x} at {where} cannot be "
            f"decoded. Re-export the file as UTF-8."
        ) from None


def read_text_table(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """Read a raw CSV as text columns, failing clearly on empty, non-UTF-8, mis-delimited or
    mis-named input."""
    path = Path(path)
    if not path.is_file():
        raise DataValidationError(f"{path}: file not found")
    data = path.read_bytes()
    if not data.strip():
        raise DataValidationError(f"{path}: file is empty (expected a header and data rows)")
    text = _decode(path, data).lstrip("\ufeff")
    # Judge the delimiter on the header line before parsing: with another delimiter, any data
    # field that holds a comma makes the parser fail first with a vaguer message.
    first_line = text.split("\n", 1)[0]
    if "," not in first_line:
        guess = next((d for d in (";", "\t", "|") if d in first_line), None)
        if guess is not None:
            name = {"\t": "tab"}.get(guess, repr(guess))
            raise DataValidationError(
                f"{path}: wrong delimiter: the header is separated by {name}, expected ','"
            )
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    except pd.errors.ParserError as exc:
        raise DataValidationError(
            f"{path}: not a well-formed comma-separated file: {exc}"
        ) from None
    header = list(df.columns)
    missing = [c for c in required if c not in header]
    if missing:
        extra = [c for c in header if c not in required]
        hints = []
        for column in missing:
            close = difflib.get_close_matches(column, extra, n=1, cutoff=0.6)
            hints.append(f"'{column}'" + (f" (renamed to '{close[0]}'?)" if close else ""))
        raise DataValidationError(
            f"{path}: missing column{'s' if len(missing) > 1 else ''} {', '.join(hints)}; "
            f"the header has {header}"
        )
    if df.empty:
        raise DataValidationError(f"{path}: file has a header but no data rows")
    return df


def _format_failures(path: Path, failures: pd.DataFrame, df: pd.DataFrame) -> str:
    lines = [f"{path}: the content breaks the declared schema"]
    failures = failures.copy()
    frame_level = failures["check"].astype(str).isin(_FRAME_CHECK_COLUMNS)
    failures["column"] = failures["column"].where(~frame_level, "").fillna("")
    failures = failures.sort_values("column", key=lambda c: c == "", kind="stable")
    for (column, check), group in failures.groupby(["column", "check"], sort=False):
        why = str(check)
        columns = (column,) if column else _FRAME_CHECK_COLUMNS.get(why, ())
        label = ", ".join(f"'{c}'" for c in columns) or "(row)"
        rows = []
        for index in group["index"].dropna().astype(int).drop_duplicates()[:MAX_LISTED_ROWS]:
            values = ", ".join(f"{c}={df.at[index, c]!r}" for c in columns if c in df.columns)
            rows.append(f"row {index} (line {index + 2}): {values}")
        n = group["index"].nunique()
        more = f" ... and {n - len(rows)} more" if n > len(rows) else ""
        lines.append(f"  column {label}: {why} in {n} row(s): " + "; ".join(rows) + more)
    return "\n".join(lines)


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema, path: Path) -> pd.DataFrame:
    try:
        return schema.validate(df, lazy=True)
    except SchemaErrors as exc:
        raise DataValidationError(_format_failures(path, exc.failure_cases, df)) from None
    except SchemaError as exc:  # pragma: no cover - lazy mode collects errors instead
        raise DataValidationError(f"{path}: {exc}") from None


def today_in_kyiv() -> dt.date:
    return pd.Timestamp.now(tz=KYIV).date()


def read_daily(path: Path, today: dt.date | None = None) -> pd.DataFrame:
    """Read and validate ``missile_attacks_daily.csv``; text columns, index = data row."""
    df = read_text_table(path, DAILY_COLUMNS)
    return validate(df, daily_schema(today or today_in_kyiv()), path)


def read_reference(path: Path) -> pd.DataFrame:
    """Read and validate the weapon reference ``missiles_and_uavs.csv``."""
    df = read_text_table(path, REFERENCE_COLUMNS)
    schema = pa.DataFrameSchema(
        {"model": pa.Column(str, nullable=False, unique=True)}, strict=False
    )
    return validate(df, schema, path)
