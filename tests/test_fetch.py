"""The ``fetch`` stage on a temporary project folder: mirrors, downloads, hashes, read-only raw
files, and a new release being recorded in the registry with its differences."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
from pathlib import Path

import pandas as pd
import pytest

from analysis.data.fetch import diff_releases, fetch
from analysis.data.registry import DAILY_FILE, RAW_FILES, sha256_file
from analysis.errors import FetchError
from analysis.paths import DATASET, MIRROR_ENV, PROJECT_ROOT, ProjectPaths

SHARED_MIRROR = PROJECT_ROOT.parent / "shared" / "data" / DATASET
COMMITTED_REGISTRY = PROJECT_ROOT / "data" / "raw" / "sources.json"
OLD, NEW = "2026-03-01", "2026-04-05"
NEW_DAILY_SHA256 = "367cd6247a12f7b0523779e0ccbc6f1f82d4ea1c3a0c784fceecf8210faf1095"
TODAY = "2026-11-25"
WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def real_data(test):
    """Mark a test that reads the shared mirror, and skip it when the mirror is absent."""
    skip = pytest.mark.skipif(
        not all((SHARED_MIRROR / r / f).is_file() for r in (OLD, NEW) for f in RAW_FILES),
        reason=f"shared mirror with releases {OLD} and {NEW} not found at {SHARED_MIRROR}",
    )
    return pytest.mark.real_data(skip(test))


# --- helpers -------------------------------------------------------------------------------


def make_project(root: Path, releases: tuple[str, ...] | None = None) -> ProjectPaths:
    """A project folder whose registry is the committed one (optionally only ``releases``)."""
    registry = json.loads(COMMITTED_REGISTRY.read_text(encoding="utf-8"))
    if releases is not None:
        registry["releases"] = [r for r in registry["releases"] if r["release"] in releases]
    paths = ProjectPaths(root=root)
    paths.registry.parent.mkdir(parents=True)
    paths.registry.write_text(json.dumps(registry, indent=2), encoding="utf-8")
    return paths


def registry_entry(paths: ProjectPaths, release: str) -> dict | None:
    data = json.loads(paths.registry.read_text(encoding="utf-8"))
    return next((r for r in data["releases"] if r["release"] == release), None)


def copy_release(release: str, folder: Path) -> Path:
    """Writable copies of a real release's files in ``folder``."""
    folder.mkdir(parents=True)
    for name in RAW_FILES:
        shutil.copyfile(SHARED_MIRROR / release / name, folder / name)
    return folder


def state(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Bytes, mtime and inode of every file below ``folder`` (a rewrite changes the inode)."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


class Offline:
    """A downloader that fails like a machine without network, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, release: str, dataset: dict) -> Path:
        self.calls += 1
        raise OSError("network is unreachable")


@pytest.fixture
def project(tmp_path: Path) -> ProjectPaths:
    return make_project(tmp_path / "project")


# --- fetching ------------------------------------------------------------------------------


@real_data
def test_fetch_from_mirror_copies_verified_read_only_files_into_data_raw(project):
    offline = Offline()
    result = fetch(NEW, paths=project, mirrors=[SHARED_MIRROR], downloader=offline)

    folder = project.raw / DATASET / NEW
    assert result.folder == folder
    assert result.origins == {name: f"mirror {SHARED_MIRROR}" for name in RAW_FILES}
    assert not result.recorded and offline.calls == 0
    for name in RAW_FILES:
        copy = folder / name
        assert copy.read_bytes() == (SHARED_MIRROR / NEW / name).read_bytes()
        assert sha256_file(copy) == registry_entry(project, NEW)["files"][name]["sha256"]
        assert copy.stat().st_mode & WRITE_BITS == 0, f"{copy} is still writable"


@real_data
def test_second_fetch_finds_the_files_in_data_raw_and_copies_nothing(project):
    fetch(NEW, paths=project, mirrors=[SHARED_MIRROR], downloader=Offline())
    before = state(project.raw)

    offline = Offline()
    result = fetch(NEW, paths=project, mirrors=[SHARED_MIRROR], downloader=offline)

    assert result.origins == {name: "data/raw" for name in RAW_FILES}
    assert offline.calls == 0
    assert state(project.raw) == before


@real_data
@pytest.mark.parametrize("bad_file", RAW_FILES)
def test_mirror_copy_with_wrong_bytes_is_refused_and_nothing_is_written(
    project, tmp_path, bad_file
):
    mirror = tmp_path / "mirror"
    copy_release(NEW, mirror / NEW)
    with open(mirror / NEW / bad_file, "ab") as handle:
        handle.write(b"\n")
    registry_before = project.registry.read_bytes()

    with pytest.raises(FetchError) as info:
        fetch(NEW, paths=project, mirrors=[mirror], downloader=Offline())

    message = str(info.value)
    assert "sha256" in message and "registry" in message
    assert str(mirror / NEW / bad_file) in message
    assert state(project.raw / DATASET) == {}
    assert project.registry.read_bytes() == registry_before


@real_data
def test_raw_file_with_wrong_bytes_is_refused_and_left_untouched(project):
    folder = project.raw / DATASET / NEW
    folder.mkdir(parents=True)
    tampered = folder / DAILY_FILE
    real = (SHARED_MIRROR / NEW / DAILY_FILE).read_bytes()
    tampered.write_bytes(real.replace(b"93.0", b"94.0", 1))
    before = state(project.raw)

    with pytest.raises(FetchError) as info:
        fetch(NEW, paths=project, mirrors=[SHARED_MIRROR], downloader=Offline())

    message = str(info.value)
    assert "sha256" in message and "registry" in message and str(tampered) in message
    assert state(project.raw) == before


def test_offline_without_mirror_fails_once_saying_to_set_the_mirror_variable(project):
    offline = Offline()
    with pytest.raises(FetchError) as info:
        fetch(NEW, paths=project, mirrors=[], downloader=offline)

    message = str(info.value)
    assert MIRROR_ENV in message
    assert "network is unreachable" in message
    assert offline.calls == 1
    assert not (project.raw / DATASET).exists()


@real_data
def test_mirror_variable_with_several_folders_is_used_when_no_mirrors_are_given(
    project, tmp_path, monkeypatch
):
    empty = tmp_path / "empty_mirror"
    empty.mkdir()
    monkeypatch.setenv(MIRROR_ENV, os.pathsep.join([str(empty), str(SHARED_MIRROR)]))
    offline = Offline()

    result = fetch(NEW, paths=project, mirrors=None, downloader=offline)

    assert result.origins == {name: f"mirror {SHARED_MIRROR}" for name in RAW_FILES}
    assert offline.calls == 0
    assert (project.raw / DATASET / NEW / DAILY_FILE).is_file()


@real_data
def test_downloaded_folder_with_the_right_files_is_used_and_reported_as_kaggle(project, tmp_path):
    download = copy_release(NEW, tmp_path / "kaggle_cache")
    calls = []

    def fake_download(release: str, dataset: dict) -> Path:
        calls.append((release, dataset["kaggle_handle"]))
        return download

    result = fetch(NEW, paths=project, mirrors=[], downloader=fake_download)

    assert calls == [(NEW, "piterfm/massive-missile-attacks-on-ukraine")]
    assert result.origins == {name: "kaggle" for name in RAW_FILES}
    for name in RAW_FILES:
        assert (result.folder / name).read_bytes() == (download / name).read_bytes()


# --- a new release arrives -----------------------------------------------------------------


@real_data
def test_new_release_is_recorded_with_its_hashes_and_differences(tmp_path):
    paths = make_project(tmp_path / "project", releases=(OLD,))
    old = fetch(OLD, paths=paths, mirrors=[SHARED_MIRROR], downloader=Offline())
    assert not old.recorded
    old_files = state(paths.raw / DATASET / OLD)

    result = fetch(
        NEW,
        paths=paths,
        mirrors=[SHARED_MIRROR],
        downloader=Offline(),
        today=dt.date.fromisoformat(TODAY),
    )

    assert result.recorded
    entry = registry_entry(paths, NEW)
    assert entry is not None and registry_entry(paths, OLD) is not None
    assert entry["date_accessed"] == TODAY
    assert entry["files"][DAILY_FILE]["sha256"] == NEW_DAILY_SHA256
    committed = json.loads(COMMITTED_REGISTRY.read_text(encoding="utf-8"))
    committed_new = next(r for r in committed["releases"] if r["release"] == NEW)
    for name in RAW_FILES:
        for key in ("sha256", "bytes", "rows"):
            assert entry["files"][name][key] == committed_new["files"][name][key]
    assert entry["changes_vs_previous"] == {
        "previous": OLD,
        "added": 117,
        "changed": 7,
        "removed": 0,
    }

    diff = result.diff
    assert diff is not None and diff.previous == OLD and diff.current == NEW
    assert (len(diff.added), len(diff.changed), len(diff.removed)) == (117, 7, 0)
    assert set(diff.changed["changed_columns"]) == {"destroyed_details"}
    assert state(paths.raw / DATASET / OLD) == old_files
    assert not fetch(NEW, paths=paths, mirrors=[SHARED_MIRROR], downloader=Offline()).recorded


# --- diff_releases -------------------------------------------------------------------------

HEADER = "time_start,time_end,model,source,launched,destroyed,target\n"
KEPT = "2026-01-01 18:00,2026-01-02 07:00,Shahed-136/131,kpszsu/a,100.0,90.0,Ukraine\n"
# Same (time_start, time_end, model, source): two regional reports, not duplicates.
TWIN_1 = "2026-01-03 18:00,2026-01-04 07:00,Shahed-136/131,kpszsu/b,10.0,9.0,south\n"
TWIN_2 = "2026-01-03 18:00,2026-01-04 07:00,Shahed-136/131,kpszsu/b,20.0,18.0,east\n"
BEFORE = "2026-01-05 18:00,2026-01-06 07:00,Kalibr,kpszsu/c,8.0,6.0,Ukraine\n"
AFTER = "2026-01-05 18:00,2026-01-06 07:00,Kalibr,kpszsu/c,8.0,7.0,Ukraine\n"
GONE = "2026-01-07,2026-01-07,Orlan-10,PvKPivden/d,1.0,1.0,south\n"
ADDED = "2026-01-08 18:00,2026-01-09 07:00,Iskander-M,kpszsu/e,2.0,0.0,Ukraine\n"


def test_diff_releases_reports_added_changed_and_removed_rows(tmp_path):
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text(HEADER + GONE + BEFORE + TWIN_1 + TWIN_2 + KEPT, encoding="utf-8")
    new.write_text(HEADER + ADDED + AFTER + TWIN_1 + TWIN_2 + KEPT, encoding="utf-8")

    diff = diff_releases("r1", old, "r2", new)

    assert diff.counts() == {"previous": "r1", "added": 1, "changed": 1, "removed": 1}
    assert diff.added["model"].tolist() == ["Iskander-M"]
    assert diff.removed["model"].tolist() == ["Orlan-10"]
    assert diff.changed["model"].tolist() == ["Kalibr"]
    assert diff.changed["destroyed"].tolist() == ["7.0"]
    assert diff.changed["changed_columns"].tolist() == ["destroyed"]
    assert diff.describe() == "r2 versus r1: 1 rows added, 1 changed, 1 removed"


def test_diff_releases_matches_rows_sharing_a_key_by_their_order(tmp_path):
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text(HEADER + TWIN_1 + TWIN_2, encoding="utf-8")
    new.write_text(HEADER + TWIN_1 + TWIN_2.replace("18.0", "19.0"), encoding="utf-8")

    diff = diff_releases("r1", old, "r2", new)

    assert (len(diff.added), len(diff.removed)) == (0, 0)
    assert diff.changed[["target", "destroyed", "changed_columns"]].to_dict("records") == [
        {"target": "east", "destroyed": "19.0", "changed_columns": "destroyed"}
    ]


def test_diff_of_a_release_with_itself_is_empty(tmp_path):
    old = tmp_path / "old.csv"
    old.write_text(HEADER + KEPT + TWIN_1 + TWIN_2, encoding="utf-8")
    diff = diff_releases("r1", old, "r1", old)
    assert all(
        isinstance(f, pd.DataFrame) and f.empty for f in (diff.added, diff.changed, diff.removed)
    )


@real_data
def test_new_release_named_after_another_date_is_refused_and_not_recorded(tmp_path):
    paths = make_project(tmp_path / "project", releases=(OLD,))
    mirror = tmp_path / "mirror"
    copy_release(NEW, mirror / "2026-05-03")  # 2026-04-05 files under a later name
    with pytest.raises(FetchError, match=r"covers dates up to 2026-04-05.*--release 2026-04-05"):
        fetch(
            "2026-05-03",
            paths=paths,
            mirrors=[mirror],
            downloader=Offline(),
            today=dt.date.fromisoformat(TODAY),
        )
    assert registry_entry(paths, "2026-05-03") is None
    assert state(paths.raw_release("2026-05-03")) == {}
