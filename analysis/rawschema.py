"""Read the raw CSV files and judge their content against a declared schema.

Every failure raises :class:`DataValidationError` naming the file, the column, the first
offending rows (0-based data row and file line) and why. Nothing is written here.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
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
TIME_COLUMNS = ("time_start", "time_end")
REFERENCE_COLUMNS = ("model", "category", "national_origin", "type")
MAX_LISTED_ROWS = 5


#: Parsed timestamps per column name (``parse_timestamps`` output), computed once per file.
Times = Mapping[str, pd.DataFrame]


def numbers(values: pd.Series, *, strip: bool = True) -> pd.Series:
    """``pd.to_numeric(text, errors="coerce")`` of the (stripped) text, as float64.

    Computed once per distinct value and spread back by code: count columns repeat few values,
    so a long file costs one hash pass instead of one Python-level conversion per row.
    """
    text = values.astype("string")
    if strip:
        text = text.str.strip()
    codes, uniques = pd.factorize(text)
    lookup = pd.to_numeric(pd.Series(uniques, dtype=text.dtype), errors="coerce")
    lookup = lookup.to_numpy(dtype="float64", na_value=np.nan)
    result = np.full(len(codes), np.nan)
    known = codes >= 0
    result[known] = lookup[codes[known]]
    return pd.Series(result, index=values.index)


def _is_count(values: pd.Series) -> pd.Series:
    """Empty, or a whole number >= 0 (the files write counts as ``12.0``)."""
    text = values.astype("string").str.strip().fillna("")
    number = numbers(text, strip=False)
    return (text == "") | (number.notna() & (number >= 0) & (number % 1 == 0))


def _parsed(values: pd.Series, times: Times | None) -> pd.DataFrame:
    """The parsed timestamps of a column: taken from ``times`` when they were parsed from this
    very column (same name and index), else parsed now."""
    found = (times or {}).get(values.name)
    if found is not None and found.index.equals(values.index):
        return found
    return parse_timestamps(values)


def _parses(times: Times | None = None) -> Callable[[pd.Series], pd.Series]:
    def check(values: pd.Series) -> pd.Series:
        return pd.Series(_parsed(values, times)["ok"].to_numpy(), index=values.index)

    return check


def _not_future(today: dt.date, times: Times | None = None) -> Callable[[pd.Series], pd.Series]:
    # Kyiv wall-clock time before the midnight that ends ``today`` <=> Kyiv date <= ``today``:
    # one vectorised comparison instead of a Python date object per row.
    next_midnight = pd.Timestamp(today + dt.timedelta(days=1))

    def check(values: pd.Series) -> pd.Series:
        ts = _parsed(values, times)
        return ~ts["ok"] | (ts["ts"].dt.tz_localize(None) < next_midnight)

    return check


def _counts(df: pd.DataFrame, column: str) -> pd.Series:
    return numbers(df[column])


def _destroyed_within_launched(df: pd.DataFrame) -> pd.Series:
    launched, destroyed = _counts(df, "launched"), _counts(df, "destroyed")
    return launched.isna() | destroyed.isna() | (destroyed <= launched)


def _window_ordered(times: Times | None = None) -> Callable[[pd.DataFrame], pd.Series]:
    def check(df: pd.DataFrame) -> pd.Series:
        start = _parsed(df["time_start"], times)
        end = _parsed(df["time_end"], times)
        return ~(start["ok"] & end["ok"]) | (end["ts"] >= start["ts"])

    return check


def daily_schema(today: dt.date, times: Times | None = None) -> pa.DataFrameSchema:
    """Schema of ``missile_attacks_daily.csv`` read with every column as text.

    ``times``: the timestamp columns already parsed (see :func:`parse_times`), so that the
    checks do not parse them again; without it each check parses what it needs.
    """
    timestamp_checks = [
        pa.Check(
            _parses(times), error="unparsable timestamp (expected YYYY-MM-DD or YYYY-MM-DD HH:MM)"
        ),
        pa.Check(_not_future(today, times), error=f"date in the future (after {today})"),
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
            pa.Check(
                _window_ordered(times),
                error="window ends before it starts (time_end < time_start)",
            ),
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


def _without_bom(data: bytes) -> bytes:
    """The bytes without leading UTF-8 byte-order marks (as ``text.lstrip("\\ufeff")``)."""
    while data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    return data


def _parse_csv(data: bytes) -> pd.DataFrame:
    """Every column as text (empty fields missing), index = data row.

    pyarrow's multi-threaded reader comes first: it is many times faster than pandas' C reader
    on large files and gives the same frame. It is stricter (ragged rows, blank-only lines), so
    whatever it refuses is read again by the C reader, which returns exactly the frame, or
    raises exactly the error, that it always did.
    """
    options = {"dtype": str, "keep_default_na": False, "na_values": [""]}
    try:
        return pd.read_csv(io.BytesIO(data), engine="pyarrow", **options)
    except Exception:  # any refusal: the C reader decides, as before
        return pd.read_csv(io.BytesIO(data), **options)


def read_text_table(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """Read a raw CSV as text columns, failing clearly on empty, non-UTF-8, mis-delimited or
    mis-named input."""
    path = Path(path)
    if not path.is_file():
        raise DataValidationError(f"{path}: file not found")
    data = path.read_bytes()
    if not data or data.isspace():
        raise DataValidationError(f"{path}: file is empty (expected a header and data rows)")
    _decode(path, data)  # raises on any byte that is not UTF-8
    data = _without_bom(data)
    # Judge the delimiter on the header line before parsing: with another delimiter, any data
    # field that holds a comma makes the parser fail first with a vaguer message.
    end = data.find(b"\n")
    first_line = (data if end < 0 else data[:end]).decode("utf-8")
    if "," not in first_line:
        guess = next((d for d in (";", "\t", "|") if d in first_line), None)
        if guess is not None:
            name = {"\t": "tab"}.get(guess, repr(guess))
            raise DataValidationError(
                f"{path}: wrong delimiter: the header is separated by {name}, expected ','"
            )
    try:
        df = _parse_csv(data)
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


@dataclass(frozen=True)
class DailyTable:
    """The validated daily file (text columns, index = data row) and its parsed timestamps."""

    raw: pd.DataFrame
    times: dict[str, pd.DataFrame]


def parse_times(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``parse_timestamps`` of each timestamp column, parsed once for validation and cleaning."""
    return {column: parse_timestamps(df[column]) for column in TIME_COLUMNS}


def load_daily(path: Path, today: dt.date | None = None) -> DailyTable:
    """Read and validate ``missile_attacks_daily.csv``, keeping the parsed timestamps."""
    df = read_text_table(path, DAILY_COLUMNS)
    times = parse_times(df)
    raw = validate(df, daily_schema(today or today_in_kyiv(), times), path)
    return DailyTable(raw, times)


def read_daily(path: Path, today: dt.date | None = None) -> pd.DataFrame:
    """Read and validate ``missile_attacks_daily.csv``; text columns, index = data row."""
    return load_daily(path, today).raw


def read_reference(path: Path) -> pd.DataFrame:
    """Read and validate the weapon reference ``missiles_and_uavs.csv``."""
    df = read_text_table(path, REFERENCE_COLUMNS)
    schema = pa.DataFrameSchema(
        {"model": pa.Column(str, nullable=False, unique=True)}, strict=False
    )
    return validate(df, schema, path)
