"""The ``fetch`` stage: put verified raw files of a release under ``data/raw/``.

Order of search: ``data/raw/`` itself (already there with the right hash), the mirror folders
(``ANALYSIS_DATA_MIRROR``), then the public source through kagglehub. A file whose sha256
differs from the registry is an error, never a silent overwrite; raw files are written once,
atomically, and made read-only. A release missing from the registry is recorded in it, with its
hashes and how it differs from the previous release.

A fetch is all or nothing: new files are staged in a hidden folder beside the release folder,
checked there (required columns, release name, the comparison with the previous release), then
moved into place, and the registry is written last. Any failure removes what this fetch wrote,
so the previous release stays the newest one and the registry stays as it was.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.atomic import reason, write_bytes_from, write_json
from analysis.data.rawschema import DAILY_COLUMNS, REFERENCE_COLUMNS
from analysis.data.registry import DAILY_FILE, RAW_FILES, REFERENCE_FILE, Registry, sha256_file
from analysis.data.strikes import occurrence
from analysis.errors import FetchError
from analysis.names import check_release, listed
from analysis.paths import ProjectPaths, default_mirrors

KEY_COLUMNS = ("time_start", "time_end", "model", "source")
#: Columns a raw file must have before it is fetched: what ``build`` needs (the release diff
#: needs ``KEY_COLUMNS``, all among them).
REQUIRED_COLUMNS = {DAILY_FILE: DAILY_COLUMNS, REFERENCE_FILE: REFERENCE_COLUMNS}
MAX_LISTED = 12
Downloader = Callable[[str, dict], Path]


@dataclass(frozen=True)
class ReleaseDiff:
    """Rows added, changed and removed between two releases of the daily file."""

    previous: str
    current: str
    added: pd.DataFrame
    changed: pd.DataFrame
    removed: pd.DataFrame

    def counts(self) -> dict[str, int | str]:
        return {
            "previous": self.previous,
            "added": len(self.added),
            "changed": len(self.changed),
            "removed": len(self.removed),
        }

    def describe(self) -> str:
        return (
            f"{self.current} versus {self.previous}: {len(self.added)} rows added, "
            f"{len(self.changed)} changed, {len(self.removed)} removed"
        )


def _keyed(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in KEY_COLUMNS if c not in df.columns]
    if missing:
        raise FetchError(f"{path}: missing column {missing[0]!r}, needed to compare releases")
    df = df.apply(lambda c: c.str.strip())
    key = df[list(KEY_COLUMNS)].agg("|".join, axis=1)
    df.index = key + "#" + occurrence(key).astype(str)
    return df


def diff_releases(previous: str, old: Path, current: str, new: Path) -> ReleaseDiff:
    """Match rows on (time_start, time_end, model, source, occurrence) and compare the rest."""
    a, b = _keyed(old), _keyed(new)
    common = a.index.intersection(b.index)
    columns = [c for c in b.columns if c in a.columns]
    differs = (a.loc[common, columns] != b.loc[common, columns]).any(axis=1)
    changed_keys = differs[differs].index
    changed = b.loc[changed_keys, columns].copy()
    changed["changed_columns"] = [
        ", ".join(c for c in columns if a.at[k, c] != b.at[k, c]) for k in changed_keys
    ]
    return ReleaseDiff(
        previous=previous,
        current=current,
        added=b.loc[b.index.difference(a.index)],
        changed=changed,
        removed=a.loc[a.index.difference(b.index)],
    )


def kaggle_download(release: str, dataset: dict) -> Path:
    """Download the dataset with kagglehub; returns the folder holding the CSV files."""
    import kagglehub

    handle = dataset["kaggle_handle"]
    version = dataset.get("kaggle_versions", {}).get(release)
    return Path(kagglehub.dataset_download(f"{handle}/versions/{version}" if version else handle))


@dataclass(frozen=True)
class FetchResult:
    release: str
    folder: Path
    origins: dict[str, str]
    recorded: bool
    diff: ReleaseDiff | None
    note: str = ""


def _check(path: Path, expected: str | None, what: str) -> str:
    actual = sha256_file(path)
    if expected is not None and actual != expected:
        raise FetchError(
            f"{what} {path} has sha256 {actual}, but the registry expects {expected}. "
            "Raw files are never overwritten: restore the file, or remove it to fetch again "
            "if you know the copy is bad."
        )
    return actual


def check_header(path: Path, required: tuple[str, ...], shown: Path | None = None) -> None:
    """The file's header names every ``required`` column (reading only its first record);
    ``shown``: the path to name in the message (where the file came from)."""
    shown = shown or path
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise FetchError(f"{shown}: cannot read its header ({exc})") from None
    header = [header[0].lstrip("\ufeff"), *header[1:]] if header else header
    missing = [c for c in required if c not in header]
    if missing:
        raise FetchError(
            f"{shown}: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(c) for c in missing)}; the header has "
            f"[{listed(header, MAX_LISTED)}]. "
            f"Nothing was fetched: a release without {'them' if len(missing) > 1 else 'it'} "
            "cannot be compared or built."
        )


def last_covered_date(daily: Path) -> str:
    """The last Kyiv date (of ``time_end``) a daily file covers: what names its release."""
    ends = pd.read_csv(daily, usecols=["time_end"], dtype=str)["time_end"].str.strip()
    return str(ends.str[:10].max())


def _check_release_name(release: str, daily: Path, shown: Path | None = None) -> None:
    """A new release must be named by the last date it covers, so that a download of
    whatever the public source serves today is never recorded under another release's name."""
    shown = shown or daily
    try:
        last = last_covered_date(daily)
    except (ValueError, KeyError) as exc:
        raise FetchError(
            f"{shown}: cannot read time_end to check the release name ({exc})"
        ) from None
    if last != release:
        raise FetchError(
            f"{shown} covers dates up to {last}, so it is release {last}, not {release}; "
            f"fetch it with --release {last}"
        )


def _freeze(path: Path) -> None:
    mode = path.stat().st_mode
    os.chmod(path, mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _find_sources(
    release: str,
    registry: Registry,
    target_dir: Path,
    mirrors: list[Path],
    downloader: Downloader,
) -> tuple[dict[str, Path], dict[str, str], dict[str, str]]:
    """Per raw file: the verified bytes to use (the copy in ``target_dir``, else a mirror's,
    else the download's), where they came from, and their sha256. Writes nothing."""
    sources: dict[str, Path] = {}
    origins: dict[str, str] = {}
    hashes: dict[str, str] = {}
    downloaded: Path | None = None
    download_error: str | None = None
    for name in RAW_FILES:
        expected = registry.expected_sha256(release, name)
        target = target_dir / name
        if target.is_file():
            hashes[name] = _check(target, expected, "raw file")
            sources[name], origins[name] = target, "data/raw"
            continue
        source = next((m / release / name for m in mirrors if (m / release / name).is_file()), None)
        if source is not None:
            origins[name] = f"mirror {source.parent.parent}"
        else:
            if downloaded is None and download_error is None:
                try:
                    downloaded = downloader(release, registry.dataset)
                except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
                    download_error = f"{type(exc).__name__}: {exc}"
            if downloaded is None or not (downloaded / name).is_file():
                searched = ", ".join(str(m) for m in mirrors) or "none configured"
                why = download_error or f"the download has no {name}"
                raise FetchError(
                    f"release {release}: {name} is not in {target_dir}, not in any mirror "
                    f"(searched: {searched}), and the public source could not provide it "
                    f"({why}). To fix: set ANALYSIS_DATA_MIRROR to a folder that holds "
                    f"{release}/{name} (several folders separated by '{os.pathsep}'), "
                    "or go online with Kaggle access for kagglehub."
                )
            source = downloaded / name
            origins[name] = "kaggle"
        hashes[name] = _check(source, expected, f"{origins[name]} copy")
        sources[name] = source
    return sources, origins, hashes


def _stage(sources: dict[str, Path], pending: list[str], parent: Path, release: str) -> Path:
    """A hidden staging folder in ``parent`` holding read-only copies of the ``pending`` files
    (removed again if a copy fails)."""
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{release}.", suffix=".staging", dir=parent))
    except OSError as exc:
        raise FetchError(
            f"cannot write into {parent}: {reason(exc, parent)}; the raw data "
            "folder must be writable to fetch (nothing was fetched)"
        ) from None
    try:
        for name in pending:
            write_bytes_from(sources[name], staging / name)
            _freeze(staging / name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _compare(
    registry: Registry, paths: ProjectPaths, release: str, daily: Path, shown: Path
) -> tuple[ReleaseDiff | None, str]:
    """The differences from the previous release (or a note why there are none)."""
    previous = registry.previous(release)
    if previous is None:
        return None, ""
    old = paths.raw_release(previous) / DAILY_FILE
    if not old.is_file():
        return None, f"previous release {previous} is not fetched; fetch it to compare"
    try:
        return diff_releases(previous, old, release, daily), ""
    except (ValueError, UnicodeDecodeError) as exc:  # pandas' ParserError is a ValueError
        raise FetchError(
            f"cannot compare {shown} with release {previous} ({old}): "
            f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        ) from None


def _rows(path: Path, shown: Path) -> int:
    try:
        return len(pd.read_csv(path, dtype=str))
    except (ValueError, UnicodeDecodeError) as exc:
        raise FetchError(f"{shown}: cannot count its rows ({exc})") from None


def _entry(
    release: str,
    files: dict[str, Path],
    shown: dict[str, Path],
    origins: dict,
    hashes: dict,
    diff: ReleaseDiff | None,
    today: dt.date,
) -> dict:
    """The registry entry of a new release, from the files about to be put in place."""
    entry = {
        "release": release,
        "date_accessed": today.isoformat(),
        "obtained_from": origins[DAILY_FILE],
        "files": {
            name: {
                "sha256": hashes[name],
                "bytes": files[name].stat().st_size,
                "rows": _rows(files[name], shown[name]),
            }
            for name in RAW_FILES
        },
    }
    if diff is not None:
        entry["changes_vs_previous"] = diff.counts()
    return entry


def _move_into_place(staging: Path, target_dir: Path, pending: list[str]) -> list[Path]:
    """Move the staged files into ``target_dir``: the whole folder in one rename when it does
    not exist yet, else file by file. Returns what was moved (to remove on a later failure)."""
    moved: list[Path] = []
    try:
        if not target_dir.exists():
            os.rename(staging, target_dir)
            return [target_dir]
        for name in pending:
            target = target_dir / name
            if target.exists():
                raise FetchError(
                    f"{target} appeared while fetching (another fetch?); run the fetch again"
                )
            os.rename(staging / name, target)
            moved.append(target)
    except OSError as exc:
        _remove(moved)
        raise FetchError(
            f"cannot move the fetched files into {target_dir}: {reason(exc)}; nothing was fetched"
        ) from None
    return moved


def _remove(paths: list[Path]) -> None:
    """Remove files and folders a failed fetch wrote (read-only files included)."""
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def fetch(
    release: str | None = None,
    *,
    paths: ProjectPaths | None = None,
    mirrors: list[Path] | None = None,
    downloader: Downloader = kaggle_download,
    today: dt.date | None = None,
) -> FetchResult:
    """Make the raw files of ``release`` (default: the registry's newest) present and verified.

    All or nothing: new files are verified, copied into a hidden staging folder beside the
    release folder, checked (header, release name) and compared with the previous release
    there; only then are they moved into place, and the registry is written last. On any
    failure the staging folder, anything moved and a dataset folder created on the way are
    removed, and the registry is left as it was.
    """
    if release is not None:
        release = check_release(release, "--release")
    paths = paths or ProjectPaths()
    mirrors = default_mirrors(paths.root) if mirrors is None else mirrors
    registry = Registry.load(paths.registry)
    release = release or registry.latest
    if release is None:
        raise FetchError(f"{paths.registry} lists no release; name one with --release")
    target_dir = paths.raw_release(release)
    sources, origins, hashes = _find_sources(release, registry, target_dir, mirrors, downloader)
    pending = [name for name in RAW_FILES if origins[name] != "data/raw"]
    recorded = release not in registry.releases

    parent = target_dir.parent
    created_parent = bool(pending) and not parent.exists()
    staging: Path | None = None
    moved: list[Path] = []
    try:
        staging = _stage(sources, pending, parent, release) if pending else None
        files = {n: staging / n if staging and n in pending else sources[n] for n in RAW_FILES}
        for name in RAW_FILES:
            check_header(files[name], REQUIRED_COLUMNS[name], sources[name])
        if recorded:
            _check_release_name(release, files[DAILY_FILE], sources[DAILY_FILE])
        diff, note = _compare(registry, paths, release, files[DAILY_FILE], sources[DAILY_FILE])
        entry = (
            _entry(release, files, sources, origins, hashes, diff, today or dt.date.today())
            if recorded
            else None
        )
        if staging is not None:
            moved = _move_into_place(staging, target_dir, pending)
        if entry is not None:
            write_json(registry.with_release(entry).to_json(), paths.registry)
    except BaseException:
        _remove([*moved, *([staging] if staging else [])])
        if created_parent:
            with contextlib.suppress(OSError):
                parent.rmdir()  # only succeeds when the failed fetch left it empty
        raise
    if staging is not None:
        _remove([staging])  # already gone when moved as a whole
    return FetchResult(release, target_dir, origins, recorded, diff, note)
