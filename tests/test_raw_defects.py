"""Raw-file defects that ``build`` catches, and output folders it refuses, with clear errors.

Most cases use a small hand-written daily file (five rows of the real file's shape, the columns
the schema requires) and a three-line weapon reference; a few use the real 2026-04-05 snapshot.
Every error is an ``AnalysisError`` whose message names the file and the row, line and column.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import atomic
from analysis.atomic import WriteError, write_with
from analysis.data import rawschema
from analysis.data.build import MANIFEST, build, check_out_dir, locate_raw
from analysis.data.rawschema import (
    DAILY_FILE,
    MAX_COUNT,
    MAX_FIELD_CHARS,
    REFERENCE_FILE,
    exact_duplicates,
    read_daily,
)
from analysis.errors import AnalysisError, DataValidationError, FetchError
from analysis.paths import DATASET, PROJECT_ROOT
from tests.conftest import PREVIOUS_RELEASE, RELEASE, real_raw_dir

TODAY = dt.date(2026, 11, 25)
HEADER = (
    "time_start,time_end,model,launch_place,target,launched,destroyed,not_reach_goal,"
    "still_attacking,launched_details,destroyed_details,source\n"
)
ROWS = [
    "2026-04-04 18:00,2026-04-05 07:00,Shahed-136/131,Kursk,Ukraine,100.0,90.0,,,,,kpszsu/1\n",
    "2026-04-04 18:00,2026-04-05 07:00,Kalibr,Black Sea,Ukraine,8.0,6.0,,,,,kpszsu/1\n",
    # Rows 2 and 3 share start, end and model: two regional reports, not duplicates.
    "2026-04-03 18:00,2026-04-04 07:00,Shahed-136/131,Kursk,south,10.0,9.0,,,,,PvKPivden/2\n",
    "2026-04-03 18:00,2026-04-04 07:00,Shahed-136/131,Kursk,east,20.0,18.0,,,,,PvKPivden/2\n",
    "2026-04-02,2026-04-02,Orlan-10,,south,1.0,1.0,,,,,PvKPivden/3\n",
]
REFERENCE = (
    "model,category,national_origin,type\nShahed-136/131,UAV,iran,strike\n"
    "Kalibr,missile,russia,cruise\nOrlan-10,UAV,russia,reconnaissance\n"
)
LAUNCHED = 139


def daily_text(rows: list[str] | None = None) -> str:
    return HEADER + "".join(ROWS if rows is None else rows)


def with_field(row: int, column: str, value: str) -> str:
    """The hand-written file with one field replaced (no field here holds a comma)."""
    rows = list(ROWS)
    fields = rows[row].rstrip("\n").split(",")
    fields[HEADER.rstrip("\n").split(",").index(column)] = value
    rows[row] = ",".join(fields) + "\n"
    return daily_text(rows)


@pytest.fixture
def raw(tmp_path: Path):
    """``raw(daily, name="raw")``: a raw folder with the given daily file (text or bytes) and
    the hand-written reference."""

    def make(daily: str | bytes, name: str = "raw") -> Path:
        folder = tmp_path / name
        folder.mkdir()
        data = daily.encode("utf-8") if isinstance(daily, str) else daily
        (folder / DAILY_FILE).write_bytes(data)
        (folder / REFERENCE_FILE).write_text(REFERENCE, encoding="utf-8")
        return folder

    return make


def refused(raw_dir: Path, out: Path) -> str:
    """The message of the ``DataValidationError`` that building ``raw_dir`` raises; asserts
    that nothing was written."""
    with pytest.raises(DataValidationError) as info:
        build(raw_dir, out, today=TODAY)
    assert not out.exists()
    message = str(info.value)
    assert message.startswith(f"{raw_dir / DAILY_FILE}: ")
    return message


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# --- a file cut off mid-row -----------------------------------------------------------------


def test_hand_written_file_builds_and_keeps_every_launch(raw, tmp_path):
    result = build(raw(daily_text()), tmp_path / "out", today=TODAY)

    assert (result.rows_read, result.strikes_rows, result.warnings) == (5, 5, ())
    quality = json.loads((tmp_path / "out" / "quality.json").read_text(encoding="utf-8"))
    assert quality["launched_total_raw"] == quality["launched_total_processed"] == LAUNCHED
    assert quality["duplicate_rows"] == {"count": 0, "launched_dropped": 0, "rows": []}


def test_last_row_cut_off_mid_row_is_refused_naming_row_line_and_first_missing_column(
    raw, tmp_path
):
    cut = daily_text()[: daily_text().index(",1.0,1.0,,,,,PvKPivden/3")]  # no final newline
    message = refused(raw(cut), tmp_path / "out")

    assert message.endswith(
        "row 4 (line 6) has 5 of 12 fields: the file may be cut off; "
        "first missing column 'launched'"
    )


def test_short_row_inside_the_file_is_refused_and_more_short_rows_are_counted(raw, tmp_path):
    rows = list(ROWS)
    rows[1] = "2026-04-04 18:00,2026-04-05 07:00\n"
    rows[3] = "2026-04-03 18:00\n"
    message = refused(raw(daily_text(rows)), tmp_path / "out")

    assert "row 1 (line 3) has 2 of 12 fields" in message
    assert "first missing column 'model'" in message
    assert "(and 1 more row(s) of the wrong width)" in message


def test_row_with_an_extra_field_is_refused(raw, tmp_path):
    rows = list(ROWS)
    rows[2] = rows[2].replace("Kursk,south", "Kursk,south,extra")
    message = refused(raw(daily_text(rows)), tmp_path / "out")

    assert (
        "row 2 (line 4) has 13 fields, the header 12: a field may hold an unquoted comma" in message
    )


@pytest.mark.real_data
def test_real_snapshot_cut_off_in_its_last_row_is_refused(raw, tmp_path):
    data = (real_raw_dir(RELEASE) / DAILY_FILE).read_bytes()
    last_line = data.rstrip(b"\n").rfind(b"\n") + 1
    cut = data[: last_line + 40]  # 40 bytes into the last row: a download cut short
    message = refused(raw(cut), tmp_path / "out")

    assert "row 3584 (line 3586) has " in message
    assert "of 22 fields: the file may be cut off; first missing column" in message


def test_a_well_formed_file_never_takes_the_slow_row_by_row_path(raw, tmp_path, monkeypatch):
    def slow_path(*args):
        raise AssertionError("a well-formed file went through the slow path")

    monkeypatch.setattr(rawschema, "_refuse_ragged_rows", slow_path)
    assert len(read_daily(raw(daily_text()) / DAILY_FILE, today=TODAY)) == 5


# --- exact duplicate rows -------------------------------------------------------------------


def test_exact_duplicate_rows_are_dropped_recorded_and_warned_about(raw, tmp_path):
    raw_dir = raw(daily_text([*ROWS, ROWS[1], ROWS[0], ROWS[1]]))
    result = build(raw_dir, tmp_path / "out", today=TODAY)

    assert (result.rows_read, result.strikes_rows) == (8, 5)
    assert result.warnings == (
        f"{raw_dir / DAILY_FILE}: dropped 3 exact duplicate row(s), every column equal to an "
        "earlier row, so that 116 launched are not counted twice: row 5 (line 7) repeats row 1 "
        "(line 3); row 6 (line 8) repeats row 0 (line 2); row 7 (line 9) repeats row 1 (line 3) "
        "(see duplicate_rows in quality.json)",
    )
    quality = json.loads((tmp_path / "out" / "quality.json").read_text(encoding="utf-8"))
    assert quality["rows_read"] == 8
    assert quality["duplicate_rows"]["count"] == 3
    assert quality["duplicate_rows"]["launched_dropped"] == 116
    assert quality["duplicate_rows"]["rows"][0] == {
        "raw_row": 5,
        "line": 7,
        "same_as_row": 1,
        "same_as_line": 3,
    }
    assert quality["launched_total_raw"] == quality["launched_total_processed"] == LAUNCHED
    assert quality["launched_preserved"] is True
    strikes = pd.read_parquet(tmp_path / "out" / "strikes.parquet")
    assert sorted(strikes["raw_row"]) == [0, 1, 2, 3, 4]


def test_up_to_date_build_repeats_the_duplicate_warning(raw, tmp_path):
    raw_dir = raw(daily_text([*ROWS, ROWS[4]]))
    first = build(raw_dir, tmp_path / "out", today=TODAY)
    again = build(raw_dir, tmp_path / "out", today=TODAY)

    assert again.skipped and again.warnings == first.warnings
    assert "row 5 (line 7) repeats row 4 (line 6)" in again.warnings[0]


def test_rows_sharing_start_end_and_model_but_not_every_column_are_kept():
    df = pd.read_csv(pd.io.common.StringIO(daily_text([*ROWS, ROWS[3]])), dtype=str)
    duplicates = exact_duplicates(df)

    assert duplicates.to_dict() == {5: 3}  # rows 2 and 3 differ in 'target' and counts


def test_rows_differing_only_in_an_empty_versus_filled_field_are_not_duplicates():
    df = pd.DataFrame(
        {
            "time_start": ["2026-04-02"] * 3,
            "time_end": ["2026-04-02"] * 3,
            "model": ["Orlan-10"] * 3,
            "launched": ["1.0", None, None],
        }
    )
    assert exact_duplicates(df).to_dict() == {2: 1}


@pytest.mark.real_data
@pytest.mark.parametrize("release", [PREVIOUS_RELEASE, RELEASE])
def test_real_releases_have_no_exact_duplicate_rows(release):
    assert exact_duplicates(read_daily(real_raw_dir(release) / DAILY_FILE, TODAY)).empty


# --- bytes that are not UTF-8, stray carriage returns, overlong fields ----------------------


def test_non_utf8_byte_after_a_lone_cr_still_gives_the_not_utf8_message(raw, tmp_path):
    # csv.reader raises "new-line character seen in unquoted field" on the stray CR while
    # looking for the bad byte: the message falls back to the line.
    text = with_field(1, "target", "Ukr\raine").replace("Orlan-10", "Orlan-1\x00")
    data = text.encode("utf-8").replace(b"\x00", b"\xe9")
    message = refused(raw(data), tmp_path / "out")

    assert message.endswith(
        "not UTF-8 text: byte 0xe9 at line 6 cannot be decoded. Re-export the file as UTF-8."
    )


def test_non_utf8_byte_after_a_huge_field_still_gives_the_not_utf8_message(raw, tmp_path):
    text = with_field(0, "launch_place", "x" * 200_000).replace("Orlan-10", "Orlan-1\x00")
    data = text.encode("utf-8").replace(b"\x00", b"\xe9")
    message = refused(raw(data), tmp_path / "out")

    assert "not UTF-8 text: byte 0xe9 at line 6 cannot be decoded" in message


def test_non_utf8_byte_is_located_by_row_and_column_when_the_file_reads_as_csv(raw, tmp_path):
    data = with_field(3, "target", "Ky\x00v").encode("utf-8").replace(b"\x00", b"\xef")
    message = refused(raw(data), tmp_path / "out")

    assert "byte 0xef at row 3 (line 5), column 'target' cannot be decoded" in message


def test_lone_carriage_return_inside_a_line_is_refused_by_row_and_column(raw, tmp_path):
    message = refused(raw(with_field(2, "target", "sou\rth")), tmp_path / "out")

    assert message.endswith(
        "row 2 (line 4), column 'target': lone carriage return (CR) inside "
        "the line; lines must end with LF or CRLF. Remove the stray CR or "
        "re-export the file."
    )


def test_file_with_old_mac_line_endings_is_refused_at_the_header(raw, tmp_path):
    message = refused(raw(daily_text().replace("\n", "\r")), tmp_path / "out")

    assert "the header (line 1), column 'source': lone carriage return (CR)" in message


def test_crlf_line_endings_are_read_like_lf(raw, tmp_path):
    result = build(raw(daily_text().replace("\n", "\r\n")), tmp_path / "out", today=TODAY)
    assert (result.rows_read, result.strikes_rows) == (5, 5)


def test_field_over_the_length_limit_is_refused_by_row_and_column(raw, tmp_path):
    long = "y" * (MAX_FIELD_CHARS + 1)
    message = refused(raw(with_field(4, "launch_place", long)), tmp_path / "out")

    assert message.endswith(
        "row 4 (line 6), column 'launch_place': field of 10,001 "
        "characters, more than the 10,000 allowed (an unclosed quote?)"
    )


def test_field_at_the_length_limit_is_accepted(raw, tmp_path):
    text = with_field(4, "launch_place", "y" * MAX_FIELD_CHARS)
    assert build(raw(text), tmp_path / "out", today=TODAY).rows_read == 5


# --- counts that would overflow -------------------------------------------------------------


@pytest.mark.parametrize("value", ["99999999999999999999", "1000001.0", "1e30"])
def test_count_above_the_plausibility_limit_is_refused_by_row_and_column(raw, tmp_path, value):
    message = refused(raw(with_field(1, "launched", value)), tmp_path / "out")

    assert (
        f"column 'launched': count above {MAX_COUNT:,} (implausible for one row) in 1 "
        f"row(s): row 1 (line 3): launched='{value}'" in message
    )


def test_count_at_the_plausibility_limit_is_accepted(raw, tmp_path):
    build(raw(with_field(0, "launched", "1000000.0")), tmp_path / "out", today=TODAY)
    strikes = pd.read_parquet(tmp_path / "out" / "strikes.parquet")
    assert strikes["launched"].max() == 1_000_000


# --- output folders -------------------------------------------------------------------------


def test_out_dir_may_be_new_empty_or_an_earlier_build(raw, tmp_path):
    raw_dir = raw(daily_text())
    empty = tmp_path / "empty"
    empty.mkdir()
    for out in (tmp_path / "new" / "deeper", empty):
        check_out_dir(out)
        build(raw_dir, out, today=TODAY)
        assert (out / MANIFEST).is_file()
    assert build(raw_dir, empty, today=TODAY, force=True).rows_read == 5


def test_out_dir_that_is_a_file_is_refused(raw, tmp_path):
    out = tmp_path / "typo.csv"
    out.write_text("keep me\n", encoding="utf-8")
    with pytest.raises(WriteError, match=r"output folder .*typo\.csv is a file, not a folder"):
        build(raw(daily_text()), out, today=TODAY)
    assert out.read_text(encoding="utf-8") == "keep me\n"


def test_out_dir_below_a_file_is_refused(raw, tmp_path):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(WriteError, match=r"notes\.txt is a file, not a folder"):
        build(raw(daily_text()), tmp_path / "notes.txt" / "out", today=TODAY)


def test_non_empty_folder_that_holds_no_build_is_refused_and_left_alone(raw, tmp_path):
    out = tmp_path / "home"
    out.mkdir()
    for i in range(7):
        (out / f"letter{i}.txt").write_text(str(i), encoding="utf-8")
    before = files(out)
    with pytest.raises(WriteError) as info:
        build(raw(daily_text()), out, today=TODAY)

    assert str(info.value) == (
        f"output folder {out} holds other files ('letter0.txt', 'letter1.txt', 'letter2.txt', "
        "'letter3.txt', 'letter4.txt' and 2 more) and no earlier build; give a new or empty "
        "folder, or one that holds an earlier build"
    )
    assert files(out) == before


def test_read_only_out_dir_gives_a_write_error_naming_the_file(raw, tmp_path, monkeypatch):
    # Simulated: tests may run as root, for whom permission bits do not apply.
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "out"))

    monkeypatch.setattr(atomic.tempfile, "mkstemp", denied)
    out = tmp_path / "out"
    with pytest.raises(WriteError) as info:
        build(raw(daily_text()), out, today=TODAY)

    assert str(info.value).startswith(f"cannot write {out / 'strikes.parquet'}: Permission denied")


def test_full_disk_keeps_the_earlier_build_and_leaves_no_temporary_file(raw, tmp_path, monkeypatch):
    raw_dir, out = raw(daily_text()), tmp_path / "out"
    build(raw_dir, out, today=TODAY)
    before = files(out)

    def no_space(self, path, **kwargs):
        Path(path).write_bytes(b"PAR1 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", no_space)
    with pytest.raises(WriteError) as info:
        build(raw_dir, out, today=TODAY, force=True)

    assert str(info.value) == (
        f"cannot write {out / 'strikes.parquet'}: No space left on device; nothing was replaced"
    )
    assert files(out) == before


def test_write_with_turns_an_os_error_into_a_write_error_and_removes_the_temporary_file(tmp_path):
    target = tmp_path / "table.csv"
    target.write_text("old\n", encoding="utf-8")

    def writer(path: Path) -> None:
        path.write_text("half", encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(WriteError, match="No space left on device; nothing was replaced"):
        write_with(target, writer)
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]
    assert target.read_text(encoding="utf-8") == "old\n"


@pytest.mark.parametrize("corrupt", ["quality.json", "manifest.json"])
@pytest.mark.parametrize("content", [b'{"rows_read": 5, "stri', b"[]", b"\xff\xfe"])
def test_corrupted_earlier_output_is_rebuilt_not_trusted(raw, tmp_path, corrupt, content):
    raw_dir, out = raw(daily_text()), tmp_path / "out"
    build(raw_dir, out, today=TODAY)
    (out / corrupt).write_bytes(content)

    result = build(raw_dir, out, today=TODAY)

    assert not result.skipped and result.rows_read == 5
    quality = json.loads((out / "quality.json").read_text(encoding="utf-8"))
    assert quality["rows_read"] == 5
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["inputs"]
    assert build(raw_dir, out, today=TODAY).skipped


# --- raw folders and release names ----------------------------------------------------------


def test_raw_folder_that_is_a_file_is_refused(raw, tmp_path):
    daily = raw(daily_text()) / DAILY_FILE
    with pytest.raises(FetchError) as info:
        build(daily, tmp_path / "out", today=TODAY)
    assert str(info.value) == (
        f"raw folder {daily} is a file, not a folder; give the folder that holds it, {daily.parent}"
    )
    with pytest.raises(FetchError, match=r"--raw .* is a file, not a folder"):
        locate_raw(daily, None)


def test_missing_raw_folder_is_refused(tmp_path):
    with pytest.raises(FetchError, match=r"--raw .*nowhere does not exist"):
        locate_raw(tmp_path / "nowhere", None)


@pytest.mark.parametrize("release", ["../2026-04-05", "/tmp", "2026-04-05\n", "latest"])
def test_release_that_is_not_a_date_is_refused_before_any_path_is_built(tmp_path, release):
    with pytest.raises(AnalysisError, match="--release: release .* is not a date"):
        locate_raw(tmp_path, release)


def test_release_folder_with_a_name_that_is_not_a_date_is_refused(raw, tmp_path):
    folder = tmp_path / DATASET
    folder.mkdir()
    raw_dir = raw(daily_text(), name=f"{DATASET}/latest")
    with pytest.raises(AnalysisError, match=r"raw folder .*latest: release 'latest' is not"):
        build(raw_dir, tmp_path / "out", today=TODAY)
    assert not (tmp_path / "out").exists()


def test_cli_build_with_out_pointing_at_a_file_exits_1_without_a_traceback(raw, tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("", encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "build",
            "--raw",
            str(raw(daily_text())),
            "--out",
            str(out),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert (
        proc.stderr == f"error: output folder {out} is a file, not a folder; give a new or "
        "empty folder, or one that holds an earlier build\n"
    )
