"""The ``fetch`` stage: put verified raw files of a release under ``data/raw/``.

Order of search: ``data/raw/`` itself (already there with the right hash), the mirror folders
(``ANALYSIS_DATA_MIRROR``), then the public source through kagglehub. A file whose sha256
differs from the registry is an error, never a silent overwrite; raw files are written once,
atomically, and made read-only. A release missing from the registry is recorded in it, with its
hashes and how it differs from the previous release.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .atomic import write_bytes_from, write_json
from .errors import FetchError
from .paths import ProjectPaths, default_mirrors
from .registry import DAILY_FILE, RAW_FILES, Registry, sha256_file
from .strikes import occurrence

KEY_COLUMNS = ("time_start", "time_end", "model", "source")
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


def last_covered_date(daily: Path) -> str:
    """The last Kyiv date (of ``time_end``) a daily file covers: what names its release."""
    ends = pd.read_csv(daily, usecols=["time_end"], dtype=str)["time_end"].str.strip()
    return str(ends.str[:10].max())


def _check_release_name(release: str, daily: Path) -> None:
    """A new release must be named by the last date it covers, so that a download of
    whatever the public source serves today is never recorded under another release's name."""
    try:
        last = last_covered_date(daily)
    except (ValueError, KeyError) as exc:
        raise FetchError(
            f"{daily}: cannot read time_end to check the release name ({exc})"
        ) from None
    if last != release:
        raise FetchError(
            f"{daily} covers dates up to {last}, so it is release {last}, not {release}; "
            f"fetch it with --release {last}"
        )


def _freeze(path: Path) -> None:
    mode = path.stat().st_mode
    os.chmod(path, mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def fetch(
    release: str | None = None,
    *,
    paths: ProjectPaths | None = None,
    mirrors: list[Path] | None = None,
    downloader: Downloader = kaggle_download,
    today: dt.date | None = None,
) -> FetchResult:
    """Make the raw files of ``release`` (default: the registry's newest) present and verified."""
    paths = paths or ProjectPaths()
    mirrors = default_mirrors(paths.root) if mirrors is None else mirrors
    registry = Registry.load(paths.registry)
    release = release or registry.latest
    if release is None:
        raise FetchError(f"{paths.registry} lists no release; name one with --release")
    target_dir = paths.raw_release(release)
    origins: dict[str, str] = {}
    hashes: dict[str, str] = {}
    downloaded: Path | None = None
    download_error: str | None = None
    pending: list[tuple[Path, Path]] = []  # verified copies, written once all files verify

    for name in RAW_FILES:
        expected = registry.expected_sha256(release, name)
        target = target_dir / name
        if target.is_file():
            hashes[name] = _check(target, expected, "raw file")
            origins[name] = "data/raw"
            continue
        source = next((m / release / name for m in mirrors if (m / release / name).is_file()),
                      None)
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
                reason = download_error or f"the download has no {name}"
                raise FetchError(
                    f"release {release}: {name} is not in {target_dir}, not in any mirror "
                    f"(searched: {searched}), and the public source could not provide it "
                    f"({reason}). To fix: set ANALYSIS_DATA_MIRROR to a folder that holds "
                    f"{release}/{name} (several folders separated by '{os.pathsep}'), "
                    "or go online with Kaggle access for kagglehub."
                )
            source = downloaded / name
            origins[name] = "kaggle"
        hashes[name] = _check(source, expected, f"{origins[name]} copy")
        pending.append((source, target))
    if release not in registry.releases:
        daily = next((s for s, t in pending if t.name == DAILY_FILE), target_dir / DAILY_FILE)
        _check_release_name(release, daily)
    for source, target in pending:
        write_bytes_from(source, target)
        _freeze(target)

    previous = registry.previous(release)
    diff = None
    note = ""
    if previous is not None:
        old = paths.raw_release(previous) / DAILY_FILE
        if old.is_file():
            diff = diff_releases(previous, old, release, target_dir / DAILY_FILE)
        else:
            note = f"previous release {previous} is not fetched; fetch it to compare"

    recorded = release not in registry.releases
    if recorded:
        today = today or dt.date.today()
        entry = {
            "release": release,
            "date_accessed": today.isoformat(),
            "obtained_from": origins[DAILY_FILE],
            "files": {
                name: {
                    "sha256": hashes[name],
                    "bytes": (target_dir / name).stat().st_size,
                    "rows": len(pd.read_csv(target_dir / name, dtype=str)),
                }
                for name in RAW_FILES
            },
        }
        if diff is not None:
            entry["changes_vs_previous"] = diff.counts()
        write_json(registry.with_release(entry).to_json(), paths.registry)
    return FetchResult(release, target_dir, origins, recorded, diff, note)
