"""The ``build`` stage refuses corrupted raw files, says why, and writes nothing.

Each case corrupts a small copy of the real 2026-04-05 daily file (the header plus its first 40
data lines; every record of the real file is one line) and checks that ``build`` raises
``DataValidationError`` naming the file, the column, the first offending rows and the reason,
without writing into a fresh output folder or touching an existing good build.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from analysis.data.build import MANIFEST, OUTPUT_FILES, build
from analysis.data.rawschema import DAILY_FILE, REFERENCE_FILE
from analysis.errors import DataValidationError
from analysis.paths import DATASET, PROJECT_ROOT

SOURCE_DIR = PROJECT_ROOT.parent / "shared" / "data" / DATASET / "2026-04-05"
TODAY = dt.date(2026, 11, 25)  # fixed "today", so the future-date check is deterministic
N_DATA_LINES = 40
BAD_ROW = 3  # 0-based data row that the single-row corruptions change ...
BAD_LINE = BAD_ROW + 2  # ... and its line in the file (line 1 is the header)
AT_BAD_ROW = f"row {BAD_ROW} (line {BAD_LINE})"

pytestmark = [
    pytest.mark.real_data,
    pytest.mark.skipif(
        not (SOURCE_DIR / DAILY_FILE).is_file(),
        reason=f"real release 2026-04-05 not found in the shared mirror {SOURCE_DIR}",
    ),
]


# --- helpers: the small copy and its corruptions ------------------------------------------


@functools.cache
def real_lines() -> tuple[str, ...]:
    """Header plus the first data lines of the real file, line endings kept."""
    with open(SOURCE_DIR / DAILY_FILE, encoding="utf-8", newline="") as handle:
        lines = tuple(next(handle) for _ in range(N_DATA_LINES + 1))
    widths = {len(row) for row in csv.reader(lines)}
    assert len(widths) == 1, "each record of the small copy should be exactly one line"
    return lines


def header() -> list[str]:
    return next(csv.reader(real_lines()[:1]))


def to_line(fields: list[str], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerow(fields)
    return buffer.getvalue()


def with_fields(changes: dict[tuple[int, str], str]) -> bytes:
    """The small copy with ``{(data_row, column): new_text}`` applied."""
    lines = list(real_lines())
    columns = header()
    for (row, column), value in changes.items():
        fields = next(csv.reader([lines[row + 1]]))
        fields[columns.index(column)] = value
        lines[row + 1] = to_line(fields)
    return "".join(lines).encode("utf-8")


def rewritten(transform: Callable[[list[str]], list[str]], delimiter: str = ",") -> bytes:
    """Every line parsed, transformed and written again (with ``delimiter``)."""
    rows = csv.reader(real_lines())
    return "".join(to_line(transform(fields), delimiter) for fields in rows).encode("utf-8")


def without_column(name: str) -> bytes:
    index = header().index(name)
    return rewritten(lambda fields: fields[:index] + fields[index + 1 :])


def renamed_column(old: str, new: str) -> bytes:
    lines = list(real_lines())
    lines[0] = to_line([new if c == old else c for c in header()])
    return "".join(lines).encode("utf-8")


def latin1_in_target() -> bytes:
    """A ``target`` field written in latin-1 ('Kyïv' -> b'Ky\\xefv') inside a UTF-8 file."""
    marker = "@@TARGET@@"
    data = with_fields({(BAD_ROW, "target"): marker})
    return data.replace(marker.encode(), "Kyïv".encode("latin-1"))


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes and mtime of every file in an output folder (extra or leftover files included)."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


# One case per corruption: (daily file bytes, texts the error message must contain).
CASES = {
    "missing_column": (
        lambda: without_column("launched"),
        ["missing column 'launched'"],
    ),
    "renamed_column_suggests_new_name": (
        lambda: renamed_column("launched", "launched_total"),
        ["missing column 'launched'", "renamed to 'launched_total'"],
    ),
    "semicolon_delimiter": (
        lambda: rewritten(lambda fields: fields, delimiter=";"),
        ["wrong delimiter", "';'", "expected ','"],
    ),
    "empty_file": (lambda: b"", ["file is empty"]),
    "header_only": (lambda: real_lines()[0].encode("utf-8"), ["header but no data rows"]),
    "unparsable_timestamp": (
        lambda: with_fields(
            {(BAD_ROW, "time_start"): "02/04/2026 18:00", (7, "time_start"): "2026-04-31 25:00"}
        ),
        [
            "column 'time_start'",
            "unparsable timestamp",
            "in 2 row(s)",
            f"{AT_BAD_ROW}: time_start='02/04/2026 18:00'",
            "row 7 (line 9): time_start='2026-04-31 25:00'",
        ],
    ),
    "window_ends_before_it_starts": (
        lambda: with_fields({(BAD_ROW, "time_end"): "2026-04-02 08:00"}),
        [
            "column 'time_start', 'time_end'",
            "window ends before it starts",
            f"{AT_BAD_ROW}: time_start='2026-04-02 18:00', time_end='2026-04-02 08:00'",
        ],
    ),
    "negative_count": (
        lambda: with_fields({(BAD_ROW, "destroyed"): "-3.0"}),
        ["column 'destroyed'", "negative or non-integer count", f"{AT_BAD_ROW}: destroyed='-3.0'"],
    ),
    "non_integer_count": (
        lambda: with_fields({(BAD_ROW, "launched"): "542.5"}),
        ["column 'launched'", "negative or non-integer count", f"{AT_BAD_ROW}: launched='542.5'"],
    ),
    "destroyed_greater_than_launched": (
        lambda: with_fields({(BAD_ROW, "destroyed"): "600.0"}),
        [
            "column 'launched', 'destroyed'",
            "destroyed greater than launched",
            f"{AT_BAD_ROW}: launched='542.0', destroyed='600.0'",
        ],
    ),
    "date_in_the_future": (
        lambda: with_fields({(BAD_ROW, "time_end"): "2027-01-02 08:00"}),
        [
            "column 'time_end'",
            f"date in the future (after {TODAY})",
            f"{AT_BAD_ROW}: time_end='2027-01-02 08:00'",
        ],
    ),
    "non_utf8_byte_in_target": (
        latin1_in_target,
        ["not UTF-8", "byte 0xef", f"{AT_BAD_ROW}, column 'target'"],
    ),
}
CASE_IDS = list(CASES)


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def write_raw(tmp_path: Path) -> Callable[[str, bytes | None], Path]:
    """``write_raw(name, daily_bytes=None)``: a raw folder holding the small daily copy (or
    the given bytes) and the real weapon reference file."""

    def write(name: str, daily: bytes | None = None) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        content = "".join(real_lines()).encode("utf-8") if daily is None else daily
        (folder / DAILY_FILE).write_bytes(content)
        shutil.copyfile(SOURCE_DIR / REFERENCE_FILE, folder / REFERENCE_FILE)
        return folder

    return write


@pytest.fixture
def good_output(write_raw, tmp_path: Path) -> Path:
    """An output folder built from the uncorrupted small copy."""
    out = tmp_path / "good_out"
    build(write_raw("good_raw"), out, today=TODAY)
    assert {p.name for p in out.iterdir()} == {*OUTPUT_FILES, MANIFEST}
    return out


@pytest.fixture(params=CASE_IDS)
def corrupted(request, write_raw) -> tuple[Path, list[str]]:
    """(raw folder with one corrupted daily file, texts its error message must contain)."""
    make, expected = CASES[request.param]
    return write_raw("bad_raw", make()), expected


# --- tests ---------------------------------------------------------------------------------


def test_small_uncorrupted_copy_builds_and_keeps_every_launched_count(write_raw, tmp_path):
    raw_dir = write_raw("good_raw")
    result = build(raw_dir, tmp_path / "out", today=TODAY)

    assert result.rows_read == N_DATA_LINES and not result.skipped
    raw = pd.read_csv(raw_dir / DAILY_FILE, dtype=str)
    raw_total = pd.to_numeric(raw["launched"]).sum()
    strikes = pd.read_parquet(tmp_path / "out" / "strikes.parquet")
    assert raw_total > 0
    assert strikes["launched"].sum() == raw_total


def test_build_error_names_file_column_rows_and_reason(corrupted, tmp_path):
    raw_dir, expected = corrupted
    with pytest.raises(DataValidationError) as info:
        build(raw_dir, tmp_path / "out", today=TODAY)

    message = str(info.value)
    assert str(raw_dir / DAILY_FILE) in message
    for text in expected:
        assert text in message


def test_failed_build_writes_nothing_to_a_fresh_out_dir(corrupted, tmp_path):
    raw_dir, _ = corrupted
    out = tmp_path / "fresh_out"
    with pytest.raises(DataValidationError):
        build(raw_dir, out, today=TODAY)

    assert not out.exists()


def test_failed_build_leaves_an_existing_good_output_byte_identical(corrupted, good_output):
    raw_dir, _ = corrupted
    before = snapshot(good_output)
    with pytest.raises(DataValidationError):
        build(raw_dir, good_output, today=TODAY, force=True)

    assert snapshot(good_output) == before


def test_error_lists_at_most_five_rows_and_counts_the_rest(write_raw, tmp_path):
    bad = {(row, "launched"): "-1.0" for row in range(8)}
    with pytest.raises(DataValidationError) as info:
        build(write_raw("bad_raw", with_fields(bad)), tmp_path / "out", today=TODAY)

    message = str(info.value)
    assert "in 8 row(s)" in message and "... and 3 more" in message
    assert "row 4 (line 6)" in message and "row 5 (line 7)" not in message


def test_missing_reference_file_is_a_validation_error_not_a_crash(write_raw, tmp_path):
    raw_dir = write_raw("raw")
    (raw_dir / REFERENCE_FILE).unlink()
    with pytest.raises(DataValidationError, match="file not found"):
        build(raw_dir, tmp_path / "out", today=TODAY)
    assert not (tmp_path / "out").exists()


def test_cli_build_on_a_corrupted_file_exits_non_zero_with_the_message_and_no_traceback(
    write_raw, tmp_path
):
    raw_dir = write_raw("bad_raw", with_fields({(BAD_ROW, "destroyed"): "-3.0"}))
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "build", "--raw", str(raw_dir), "--out", str(out)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert proc.returncode != 0
    assert proc.stderr.startswith("error: ")
    assert str(raw_dir / DAILY_FILE) in proc.stderr
    assert "negative or non-integer count" in proc.stderr
    assert AT_BAD_ROW in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not out.exists()


def test_a_row_missing_its_last_fields_is_refused_naming_the_first_missing_column(
    write_raw, tmp_path
):
    # Once read as if its missing fields were empty; a short row is what a file cut off
    # mid-row ends with, so it is refused instead of being filled in.
    lines = list(real_lines())
    lines[BAD_LINE - 1] = lines[BAD_LINE - 1].rstrip("\r\n").rsplit(",", 1)[0] + "\n"
    raw_dir = write_raw("ragged", "".join(lines).encode("utf-8"))
    with pytest.raises(DataValidationError) as info:
        build(raw_dir, tmp_path / "out", today=TODAY)

    assert str(info.value) == (
        f"{raw_dir / DAILY_FILE}: {AT_BAD_ROW} has 21 of 22 fields: the file may be cut off; "
        "first missing column 'source'"
    )
    assert not (tmp_path / "out").exists()
