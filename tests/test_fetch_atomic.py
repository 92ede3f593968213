"""``fetch`` is all or nothing: a fetch that fails at any step leaves no raw file, no staging
folder and no registry entry behind, and the previous release stays the default.

Small hand-written releases: an old one (registered, in a mirror) and a new one (only in a
mirror), whose daily files are named by the last date they cover, as real releases are.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from analysis.atomic import WriteError
from analysis.data import fetch as fetch_module
from analysis.data.build import locate_raw
from analysis.data.fetch import diff_releases, fetch
from analysis.data.registry import (
    DAILY_FILE,
    RAW_FILES,
    REFERENCE_FILE,
    Registry,
    latest_local_release,
    local_releases,
)
from analysis.errors import AnalysisError, FetchError
from analysis.paths import DATASET, PROJECT_ROOT, ProjectPaths

OLD, NEW = "2026-03-01", "2026-04-05"
HEADER = (
    "time_start,time_end,model,launch_place,target,launched,destroyed,not_reach_goal,"
    "still_attacking,launched_details,destroyed_details,source\n"
)
OLD_ROWS = (
    "2026-02-28 18:00,2026-03-01 07:00,Shahed-136/131,Kursk,Ukraine,100.0,90.0,,,,,kpszsu/1\n"
    "2026-02-27,2026-02-27,Orlan-10,,south,1.0,1.0,,,,,PvKPivden/2\n"
)
NEW_ROW = "2026-04-04 18:00,2026-04-05 07:00,Kalibr,Black Sea,Ukraine,8.0,6.0,,,,,kpszsu/3\n"
REFERENCE = (
    "model,category,national_origin,type\nShahed-136/131,UAV,iran,strike\n"
    "Kalibr,missile,russia,cruise\nOrlan-10,UAV,russia,reconnaissance\n"
)
RELEASES = {
    OLD: {DAILY_FILE: HEADER + OLD_ROWS, REFERENCE_FILE: REFERENCE},
    NEW: {DAILY_FILE: HEADER + NEW_ROW + OLD_ROWS, REFERENCE_FILE: REFERENCE},
}


def without_column(text: str, column: str) -> str:
    """The CSV text without ``column`` (no field of these files holds a comma)."""
    lines = text.splitlines(keepends=True)
    index = lines[0].rstrip("\n").split(",").index(column)
    return "".join(
        ",".join(f for i, f in enumerate(line.rstrip("\n").split(",")) if i != index) + "\n"
        for line in lines
    )


def entry(release: str, texts: dict[str, str]) -> dict:
    return {
        "release": release,
        "date_accessed": "2026-11-25",
        "obtained_from": "hand-written",
        "files": {
            name: {
                "sha256": hashlib.sha256(text.encode()).hexdigest(),
                "bytes": len(text.encode()),
                "rows": text.count("\n") - 1,
            }
            for name, text in texts.items()
        },
    }


def make_project(
    root: Path, registered: tuple[str, ...] = (OLD,), extra: list[dict] | None = None
) -> ProjectPaths:
    paths = ProjectPaths(root=root)
    paths.registry.parent.mkdir(parents=True)
    releases = [entry(r, RELEASES[r]) for r in registered] + (extra or [])
    paths.registry.write_text(
        json.dumps({"dataset": {"kaggle_handle": "x/y"}, "releases": releases}, indent=2),
        encoding="utf-8",
    )
    return paths


def make_mirror(folder: Path, release: str, texts: dict[str, str]) -> Path:
    (folder / release).mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / release / name).write_text(text, encoding="utf-8")
    return folder


def offline(release: str, dataset: dict) -> Path:
    raise OSError("network is unreachable")


def entries(folder: Path) -> list[str]:
    """Every name below ``folder`` (hidden ones included), relative, sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


@pytest.fixture
def project(tmp_path: Path) -> tuple[ProjectPaths, Path]:
    """A project with the old release registered and fetched, and a mirror holding it."""
    paths = make_project(tmp_path / "project")
    mirror = make_mirror(tmp_path / "mirror", OLD, RELEASES[OLD])
    fetch(OLD, paths=paths, mirrors=[mirror], downloader=offline)
    return paths, mirror


def assert_untouched(paths: ProjectPaths, registry_before: bytes) -> None:
    """Only the old release is under data/raw, the registry is byte-identical, and the old
    release is still the default for build."""
    assert entries(paths.raw / DATASET) == [OLD, *(f"{OLD}/{n}" for n in sorted(RAW_FILES))]
    assert paths.registry.read_bytes() == registry_before
    assert latest_local_release(paths.raw) == OLD
    assert locate_raw(paths.raw, None) == paths.raw_release(OLD)


# --- a new release arrives ------------------------------------------------------------------


def test_new_release_is_moved_into_place_read_only_and_recorded_with_its_diff(project):
    paths, mirror = project
    make_mirror(mirror, NEW, RELEASES[NEW])

    result = fetch(NEW, paths=paths, mirrors=[mirror], downloader=offline)

    assert result.recorded and result.diff is not None
    assert result.diff.counts() == {"previous": OLD, "added": 1, "changed": 0, "removed": 0}
    assert latest_local_release(paths.raw) == NEW
    assert not [n for n in entries(paths.raw / DATASET) if n.startswith(".")]
    for name in RAW_FILES:
        copy = paths.raw_release(NEW) / name
        assert copy.read_text(encoding="utf-8") == RELEASES[NEW][name]
        assert not os.stat(copy).st_mode & 0o222
    recorded = Registry.load(paths.registry).releases[NEW]
    assert recorded["files"][DAILY_FILE]["rows"] == 3
    assert recorded["changes_vs_previous"]["added"] == 1


def test_new_release_lacking_a_column_is_refused_and_leaves_nothing_behind(project):
    paths, mirror = project
    make_mirror(
        mirror,
        NEW,
        {
            DAILY_FILE: without_column(RELEASES[NEW][DAILY_FILE], "source"),
            REFERENCE_FILE: REFERENCE,
        },
    )
    before = paths.registry.read_bytes()

    with pytest.raises(FetchError) as info:
        fetch(NEW, paths=paths, mirrors=[mirror], downloader=offline)

    message = str(info.value)
    assert message.startswith(
        f"{mirror / NEW / DAILY_FILE}: missing column 'source'; the "
        "header has ['time_start', 'time_end', 'model', "
    )
    assert message.endswith(
        "Nothing was fetched: a release without it cannot be compared or built."
    )
    assert_untouched(paths, before)


def test_cli_fetch_of_a_release_lacking_a_column_exits_1_without_a_traceback(project):
    paths, mirror = project
    make_mirror(
        mirror,
        NEW,
        {DAILY_FILE: without_column(RELEASES[NEW][DAILY_FILE], "model"), REFERENCE_FILE: REFERENCE},
    )
    before = paths.registry.read_bytes()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "--root",
            str(paths.root),
            "fetch",
            "--release",
            NEW,
            "--mirror",
            str(mirror),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert proc.returncode == 1
    assert proc.stderr.startswith(f"error: {mirror / NEW / DAILY_FILE}: missing column 'model'")
    assert "Traceback" not in proc.stderr + proc.stdout
    assert_untouched(paths, before)


def test_reference_file_lacking_a_column_is_refused_too(project):
    paths, mirror = project
    make_mirror(
        mirror,
        NEW,
        {
            DAILY_FILE: RELEASES[NEW][DAILY_FILE],
            REFERENCE_FILE: without_column(REFERENCE, "national_origin"),
        },
    )
    before = paths.registry.read_bytes()
    with pytest.raises(
        FetchError,
        match=r"missiles_and_uavs\.csv: missing column "
        r"'national_origin'",
    ):
        fetch(NEW, paths=paths, mirrors=[mirror], downloader=offline)
    assert_untouched(paths, before)


def test_unexpected_failure_while_comparing_removes_the_staged_copies(project, monkeypatch):
    paths, mirror = project
    make_mirror(mirror, NEW, RELEASES[NEW])
    before = paths.registry.read_bytes()

    def broken(*args):
        raise RuntimeError("comparison failed")

    monkeypatch.setattr(fetch_module, "diff_releases", broken)
    with pytest.raises(RuntimeError, match="comparison failed"):
        fetch(NEW, paths=paths, mirrors=[mirror], downloader=offline)
    assert_untouched(paths, before)


def test_failed_registry_write_removes_the_release_folder_it_moved(project, monkeypatch):
    paths, mirror = project
    make_mirror(mirror, NEW, RELEASES[NEW])
    before = paths.registry.read_bytes()

    def full_disk(obj, target):
        raise WriteError(f"cannot write {target}: No space left on device; nothing was replaced")

    monkeypatch.setattr(fetch_module, "write_json", full_disk)
    with pytest.raises(WriteError, match="sources.json: No space left on device"):
        fetch(NEW, paths=paths, mirrors=[mirror], downloader=offline)
    assert_untouched(paths, before)


def test_failure_in_a_partly_fetched_release_keeps_only_what_was_there(project):
    paths, mirror = project
    folder = paths.raw_release(NEW)
    folder.mkdir()
    (folder / REFERENCE_FILE).write_text(REFERENCE, encoding="utf-8")
    make_mirror(mirror, NEW, {DAILY_FILE: without_column(RELEASES[NEW][DAILY_FILE], "source")})
    before = paths.registry.read_bytes()

    with pytest.raises(FetchError, match="missing column 'source'"):
        fetch(NEW, paths=paths, mirrors=[mirror], downloader=offline)

    assert entries(folder) == [REFERENCE_FILE]
    assert (folder / REFERENCE_FILE).read_text(encoding="utf-8") == REFERENCE
    assert paths.registry.read_bytes() == before


def test_partly_fetched_release_gets_its_missing_file(project):
    paths, mirror = project
    folder = paths.raw_release(NEW)
    folder.mkdir()
    (folder / REFERENCE_FILE).write_text(REFERENCE, encoding="utf-8")
    make_mirror(mirror, NEW, {DAILY_FILE: RELEASES[NEW][DAILY_FILE]})

    result = fetch(NEW, paths=paths, mirrors=[mirror], downloader=offline)

    assert result.recorded
    assert result.origins == {DAILY_FILE: f"mirror {mirror}", REFERENCE_FILE: "data/raw"}
    assert entries(folder) == sorted(RAW_FILES)


def test_read_only_raw_folder_gives_a_clear_error_naming_it(tmp_path, monkeypatch):
    # Simulated (tests may run as root, for whom permission bits do not apply).
    paths = make_project(tmp_path / "project")
    mirror = make_mirror(tmp_path / "mirror", OLD, RELEASES[OLD])
    before = paths.registry.read_bytes()

    def denied(*args, dir: str, **kwargs):  # noqa: A002 - mkdtemp's own keyword
        raise PermissionError(errno.EACCES, "Permission denied", dir)

    monkeypatch.setattr(tempfile, "mkdtemp", denied)
    with pytest.raises(FetchError) as info:
        fetch(OLD, paths=paths, mirrors=[mirror], downloader=offline)

    assert str(info.value) == (
        f"cannot write into {paths.raw / DATASET}: Permission denied; "
        "the raw data folder must be writable to fetch (nothing was "
        "fetched)"
    )
    assert entries(paths.raw) == ["sources.json"]  # the dataset folder it made is gone again
    assert paths.registry.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="permission bits do not apply to root")
def test_read_only_raw_folder_for_real(tmp_path):
    paths = make_project(tmp_path / "project")
    mirror = make_mirror(tmp_path / "mirror", OLD, RELEASES[OLD])
    os.chmod(paths.raw, 0o555)
    try:
        with pytest.raises(FetchError, match=f"cannot write into {paths.raw / DATASET}"):
            fetch(OLD, paths=paths, mirrors=[mirror], downloader=offline)
    finally:
        os.chmod(paths.raw, 0o755)


# --- release names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "release", ["../2026-04-05", "/tmp/2026-04-05", "2026-04-05\n", "2026-02-30", ".staging"]
)
def test_release_that_is_not_a_date_is_refused_before_anything_is_written(project, release):
    paths, mirror = project
    before = paths.registry.read_bytes()
    with pytest.raises(AnalysisError, match="--release: release .* (a date|a real date)"):
        fetch(release, paths=paths, mirrors=[mirror], downloader=offline)
    assert_untouched(paths, before)


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ({"release": "../../etc"}, "releases[1]: release '../../etc' is not a date YYYY-MM-DD"),
        ({"release": "2026-04-05\n"}, "releases[1]: release '2026-04-05\\n' is not a date"),
        ({"files": {}}, "releases[1]: expected an object with a 'release' date"),
        (entry(OLD, RELEASES[OLD]), "releases[1]: release 2026-03-01 is listed twice"),
    ],
)
def test_registry_entry_with_a_bad_release_is_refused_on_load(tmp_path, bad, expected):
    paths = make_project(tmp_path / "project", extra=[bad])
    with pytest.raises(FetchError) as info:
        Registry.load(paths.registry)
    assert str(info.value).startswith(f"{paths.registry}: {expected}")


def test_local_releases_ignore_staging_and_folders_not_named_by_a_date(tmp_path):
    base = tmp_path / DATASET
    for name in (OLD, f".{NEW}.x1y2.staging", "latest", "2026-13-01"):
        (base / name).mkdir(parents=True)
        (base / name / DAILY_FILE).write_text(HEADER, encoding="utf-8")
    assert local_releases(tmp_path) == [OLD]


def test_diff_names_the_file_that_lacks_a_key_column(tmp_path):
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text(without_column(HEADER + OLD_ROWS, "source"), encoding="utf-8")
    new.write_text(HEADER + NEW_ROW + OLD_ROWS, encoding="utf-8")
    with pytest.raises(FetchError, match=f"{old}: missing column 'source', needed to compare"):
        diff_releases(OLD, old, NEW, new)
