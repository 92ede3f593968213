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
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc
from pandera.errors import SchemaError, SchemaErrors

from analysis.data.registry import DAILY_FILE, REFERENCE_FILE  # noqa: F401 - re-exported for callers
from analysis.data.timeparse import KYIV, parse_timestamps, per_distinct
from analysis.errors import DataValidationError

COUNT_COLUMNS = ("launched", "destroyed", "not_reach_goal", "still_attacking")
DAILY_COLUMNS = (
    "time_start",
    "time_end",
    "model",
    "launch_place",
    "target",
    "launched",
    "destroyed",
    "not_reach_goal",
    "still_attacking",
    "launched_details",
    "destroyed_details",
    "source",
)
TIME_COLUMNS = ("time_start", "time_end")
REFERENCE_COLUMNS = ("model", "category", "national_origin", "type")
MAX_LISTED_ROWS = 5
#: Longest field accepted, in characters. The longest field of the real files is 409 characters
#: (a ``launched_details`` dict); a far longer one means a lost quote swallowed the rest of the
#: file, and it would also exceed what the ``csv`` module reads.
MAX_FIELD_CHARS = 10_000
#: Largest count accepted in one row. The largest real one is 810 (the night of 7 September
#: 2025); anything above this is a typo or a corrupted value, and far below what overflows the
#: 64-bit integers of the processed tables.
MAX_COUNT = 1_000_000
_LONE_CR = re.compile(rb"\r(?!\n)")


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


def _by_distinct(check: Callable[[pd.Series], pd.Series]) -> Callable[[pd.Series], pd.Series]:
    """``check`` (a row-by-row test) run once per distinct value of a column and spread back
    to its rows: a count column repeats a few hundred values over many rows."""

    def run(values: pd.Series) -> pd.Series:
        return per_distinct(values, check).astype(bool)

    return run


def _plausible_count(values: pd.Series) -> pd.Series:
    """Not above :data:`MAX_COUNT` (empty and unreadable values are judged by ``_is_count``)."""
    return ~(numbers(values) > MAX_COUNT)


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


def _wall_clock_before(ts: pd.Series, limit: pd.Timestamp) -> pd.Series:
    """Whether each instant's wall-clock time (in its zone) is before the naive ``limit``;
    False where missing.

    A zone's UTC offset is always under a day, so an instant more than a day away from
    ``limit`` is decided by its UTC value alone; only the few near it are converted to wall
    time (converting a whole column is slow)."""
    utc = ts.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    bound = np.datetime64(limit)
    day = np.timedelta64(1, "D")
    before = utc < bound - day
    near = ~np.isnat(utc) & ~before & (utc < bound + day)
    if near.any():
        before[near] = (ts[near].dt.tz_localize(None) < limit).to_numpy()
    return pd.Series(before, index=ts.index)


def _not_future(today: dt.date, times: Times | None = None) -> Callable[[pd.Series], pd.Series]:
    # Kyiv wall-clock time before the midnight that ends ``today`` <=> Kyiv date <= ``today``:
    # vectorised comparisons instead of a Python date object per row.
    next_midnight = pd.Timestamp(today + dt.timedelta(days=1))

    def check(values: pd.Series) -> pd.Series:
        ts = _parsed(values, times)
        return ~ts["ok"] | _wall_clock_before(ts["ts"], next_midnight)

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
    count_checks = [
        pa.Check(_by_distinct(_is_count), error="negative or non-integer count"),
        pa.Check(_plausible_count, error=f"count above {MAX_COUNT:,} (implausible for one row)"),
    ]
    columns = {
        "time_start": pa.Column(str, checks=timestamp_checks, nullable=False),
        "time_end": pa.Column(str, checks=timestamp_checks, nullable=False),
        "model": pa.Column(
            str, pa.Check(lambda s: s.str.strip() != "", error="empty model name"), nullable=False
        ),
        **{c: pa.Column(str, count_checks, nullable=True) for c in COUNT_COLUMNS},
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


def _records(text: str) -> Iterator[tuple[int, int, list[str]]]:
    """``(data row, first file line, fields)`` of each record, the header as row -1.

    Rows are numbered as the table reader numbers them (blank lines skipped) and lines as an
    editor does (split at LF only, so a record with a quoted line break spans several lines).
    Raises ``csv.Error`` where the ``csv`` module gives up (e.g. a lone CR in an unquoted field).
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="\n"))
    row, line = -1, 1
    for fields in reader:
        if fields:
            yield row, line, fields
            row += 1
        line = reader.line_num + 1


def _at(row: int, line: int) -> str:
    return "the header (line 1)" if row < 0 else f"row {row} (line {line})"


def _column_name(header: list[str], index: int) -> str:
    return f"'{header[index]}'" if index < len(header) else f"field {index + 1} (beyond the header)"


def _locate_bad_byte(data: bytes, start: int) -> str:
    """Where the undecodable byte at ``start`` sits: row, line and column when the file can be
    read as CSV up to there, else its line."""
    line = data[:start].count(b"\n") + 1
    text = data.decode("utf-8", errors="replace")
    header: list[str] = []
    try:
        for row, first_line, fields in _records(text):
            if row < 0:
                header = fields
            if first_line > line:
                break
            bad = [i for i, field in enumerate(fields) if "\ufffd" in field]
            if bad:
                return f"{_at(row, first_line)}, column {_column_name(header, bad[0])}"
    except csv.Error:  # the csv module gives up on some broken input: the line still helps
        pass
    return f"line {line}"


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = _locate_bad_byte(data, exc.start)
        raise DataValidationError(
            f"{path}: not UTF-8 text: byte 0x{data[exc.start]:02x} at {where} cannot be "
            f"decoded. Re-export the file as UTF-8."
        ) from None


def _is_utf8(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8, checked by pyarrow's validator on a zero-copy view:
    many times faster than decoding a long file, and as strict (no surrogates, overlong
    forms or code points past U+10FFFF)."""
    offsets = pyarrow.py_buffer(np.array([0, len(data)], dtype=np.int64).tobytes())
    view = pyarrow.Array.from_buffers(
        pyarrow.large_utf8(), 1, [None, offsets, pyarrow.py_buffer(data)]
    )
    try:
        view.validate(full=True)
    except pyarrow.ArrowInvalid:
        return False
    return True


def _check_utf8(path: Path, data: bytes) -> None:
    """Raise on any byte that is not UTF-8; the slow decoder runs only to locate a bad byte."""
    if not _is_utf8(data):
        _decode(path, data)


def _rows_before(text: str, line: int) -> int:
    """The data row that starts at ``line``, given the ``text`` before it (-1: the header);
    counted as the reader counts, else taken from the line when the ``csv`` module gives up."""
    if line == 1:
        return -1
    try:
        return sum(1 for row, _, _ in _records(text) if row >= 0)
    except csv.Error:
        return line - 2


def _refuse_lone_cr(path: Path, data: bytes) -> None:
    """A carriage return not followed by LF: readers split the line there (or not), so the
    fields after it would silently shift into a new row."""
    if b"\r" not in data or data.count(b"\r") == data.count(b"\r\n"):
        return
    found = _LONE_CR.search(data)
    if found is None:
        return
    line_start = data.rfind(b"\n", 0, found.start()) + 1
    line = data.count(b"\n", 0, line_start) + 1
    row = _rows_before(data[:line_start].decode("utf-8"), line)
    first_line = data.split(b"\n", 1)[0].split(b"\r", 1)[0]
    header = next(csv.reader([first_line.decode("utf-8").lstrip("\ufeff")]), [])
    prefix = data[line_start : found.start()].decode("utf-8")
    column = len(next(csv.reader([prefix]), [""])) - 1 if prefix else 0
    raise DataValidationError(
        f"{path}: {_at(row, line)}, column {_column_name(header, column)}: lone carriage "
        "return (CR) inside the line; lines must end with LF or CRLF. Remove the stray CR or "
        "re-export the file."
    )


def _without_bom(data: bytes) -> bytes:
    """The bytes without leading UTF-8 byte-order marks (as ``text.lstrip("\\ufeff")``)."""
    while data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    return data


def _refuse_ragged_rows(path: Path, data: bytes) -> None:
    """Refuse any record whose field count differs from the header's.

    A short row is what a file cut off mid-row ends with; a long one has an unquoted comma.
    Either way a reader would fill or shift fields without a word, so neither is read.
    """
    header: list[str] = []
    ragged: list[tuple[int, int, list[str]]] = []
    line = 1
    try:
        for row, line, fields in _records(data.decode("utf-8")):
            if row < 0:
                header = fields
            elif len(fields) != len(header):
                ragged.append((row, line, fields))
    except csv.Error as exc:
        raise DataValidationError(
            f"{path}: not a well-formed comma-separated file after line {line}: {exc}"
        ) from None
    if not ragged:
        return
    row, line, fields = ragged[0]
    more = f" (and {len(ragged) - 1} more row(s) of the wrong width)" if len(ragged) > 1 else ""
    if len(fields) < len(header):
        why = (
            f"has {len(fields)} of {len(header)} fields: the file may be cut off; first "
            f"missing column {_column_name(header, len(fields))}"
        )
    else:
        why = (
            f"has {len(fields)} fields, the header {len(header)}: a field may hold an "
            "unquoted comma"
        )
    raise DataValidationError(f"{path}: {_at(row, line)} {why}{more}")


def _parse_csv(data: bytes, path: Path) -> pd.DataFrame:
    """Every column as text (empty fields missing), index = data row.

    pyarrow's multi-threaded reader comes first: it is many times faster than pandas' C reader
    on large files and gives the same frame. It is stricter (ragged rows, blank-only lines), so
    whatever it refuses is checked row by row (a row of another width than the header is an
    error, never filled in) and then read by the C reader.
    """
    options = {"dtype": str, "keep_default_na": False, "na_values": [""]}
    try:
        return pd.read_csv(io.BytesIO(data), engine="pyarrow", **options)
    except Exception:  # any refusal: the slow, exact path decides
        _refuse_ragged_rows(path, data)
        return pd.read_csv(io.BytesIO(data), **options)


def _fits_in_bytes(values: pd.Series) -> bool:
    """Whether every field of a pyarrow text column is at most :data:`MAX_FIELD_CHARS`
    bytes long (then it is that short in characters too): a look at the offsets only."""
    if not (isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"):
        return False
    lengths = pc.binary_length(pyarrow.array(values.array))
    longest = pc.max(lengths).as_py()
    return longest is None or longest <= MAX_FIELD_CHARS


def _refuse_long_fields(path: Path, df: pd.DataFrame) -> None:
    """Refuse any field longer than :data:`MAX_FIELD_CHARS` (see there why)."""
    for column in df.columns:
        if _fits_in_bytes(df[column]):  # no more characters than bytes: nothing to count
            continue
        lengths = df[column].str.len()
        if lengths.max() > MAX_FIELD_CHARS:
            long = lengths.index[(lengths > MAX_FIELD_CHARS).to_numpy()]
            row = int(long[0])
            more = f" (and {len(long) - 1} more row(s))" if len(long) > 1 else ""
            raise DataValidationError(
                f"{path}: row {row} (line {row + 2}), column '{column}': field of "
                f"{int(lengths[row]):,} characters, more than the {MAX_FIELD_CHARS:,} allowed "
                f"(an unclosed quote?){more}"
            )


def read_text_table(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """Read a raw CSV as text columns, failing clearly on empty, non-UTF-8, mis-delimited,
    ragged or mis-named input."""
    path = Path(path)
    if path.is_dir():
        raise DataValidationError(f"{path}: is a folder, expected a CSV file")
    if not path.is_file():
        raise DataValidationError(f"{path}: file not found")
    data = path.read_bytes()
    if not data or data.isspace():
        raise DataValidationError(f"{path}: file is empty (expected a header and data rows)")
    _check_utf8(path, data)  # raises on any byte that is not UTF-8
    _refuse_lone_cr(path, data)
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
        df = _parse_csv(data, path)
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
    _refuse_long_fields(path, df)
    return df


def _same_report_candidates(df: pd.DataFrame, times: Times | None) -> np.ndarray:
    """Rows that may equal another row: those sharing start, end and model with another one.

    With the parsed timestamps at hand, one mixed 64-bit key of (start, end, model code) is
    compared instead of three text columns, several times faster on long files; a collision
    only adds candidates, which the full comparison then clears.
    """
    columns = (*TIME_COLUMNS, "model")
    if times is None or not all(c in df.columns for c in columns):
        key = [c for c in columns if c in df.columns]
        return df.duplicated(subset=key, keep=False).to_numpy()
    start, end = (_parsed(df[c], times)["ts"].array.asi8 for c in TIME_COLUMNS)
    model, _ = pd.factorize(df["model"])
    mixed = (start * 1_000_003) ^ (end * 7_919) ^ model.astype(np.int64)
    return pd.Series(mixed).duplicated(keep=False).to_numpy()


def exact_duplicates(df: pd.DataFrame, times: Times | None = None) -> pd.Series:
    """Rows equal to an earlier row in every column: their index -> the first such row.

    Only rows that share time_start, time_end and model (few) are compared in full, which keeps
    this fast on long files (``times``: the parsed timestamps, see :func:`parse_times`). Rows
    that share those but differ elsewhere (another regional report or source) are not
    duplicates.
    """
    candidates = df[_same_report_candidates(df, times)]
    group = candidates.groupby(list(candidates.columns), sort=False, dropna=False).ngroup()
    rows = pd.Series(candidates.index, index=candidates.index, dtype="int64")
    first = rows.groupby(group.to_numpy()).transform("min")
    return first[first.index != first.to_numpy()]


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
