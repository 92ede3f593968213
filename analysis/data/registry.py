"""The committed source registry (``data/raw/sources.json``): what each raw file is, where it
comes from, and its sha256."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import FetchError
from analysis.names import NameError_, check_release
from analysis.paths import DATASET

DAILY_FILE = "missile_attacks_daily.csv"
REFERENCE_FILE = "missiles_and_uavs.csv"
RAW_FILES = (DAILY_FILE, REFERENCE_FILE)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _releases(path: Path, data: dict) -> dict[str, dict]:
    """The registry's entries by release name. Each name becomes a folder under ``data/raw``,
    so one that is not a release date (a path, ``..``, a trailing newline) is refused here,
    as is a release listed twice."""
    releases: dict[str, dict] = {}
    for i, entry in enumerate(data.get("releases", [])):
        where = f"{path}: releases[{i}]"
        if not isinstance(entry, dict) or "release" not in entry:
            raise FetchError(f"{where}: expected an object with a 'release' date")
        try:
            name = check_release(entry["release"], where)
        except NameError_ as exc:
            raise FetchError(str(exc)) from None
        if name in releases:
            raise FetchError(f"{where}: release {name} is listed twice")
        releases[name] = entry
    return releases


@dataclass(frozen=True)
class Registry:
    """The parsed registry; ``releases`` maps a release date to its entry."""

    dataset: dict
    releases: dict[str, dict]

    @classmethod
    def load(cls, path: Path) -> Registry:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FetchError(f"{path}: source registry not found") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise FetchError(f"{path}: not valid JSON ({exc})") from None
        if not isinstance(data, dict) or not isinstance(data.get("releases", []), list):
            raise FetchError(f"{path}: expected an object with a list 'releases'")
        return cls(dataset=data.get("dataset", {}), releases=_releases(path, data))

    def to_json(self) -> dict:
        ordered = [self.releases[k] for k in sorted(self.releases)]
        return {"dataset": self.dataset, "releases": ordered}

    @property
    def latest(self) -> str | None:
        return max(self.releases) if self.releases else None

    def previous(self, release: str) -> str | None:
        older = [r for r in self.releases if r < release]
        return max(older) if older else None

    def expected_sha256(self, release: str, name: str) -> str | None:
        entry = self.releases.get(release)
        if entry is None:
            return None
        return entry.get("files", {}).get(name, {}).get("sha256")

    def with_release(self, entry: dict) -> Registry:
        return Registry(self.dataset, {**self.releases, entry["release"]: entry})


def local_releases(raw: Path) -> list[str]:
    """Release folders under ``raw/<dataset>/`` that hold the daily file, oldest first.

    Only folders named by a release date count: a fetch's hidden staging folder, or any other
    folder put there, is never taken for a release.
    """
    base = Path(raw) / DATASET
    return sorted(
        p.name for p in base.glob("*") if is_release(p.name) and (p / DAILY_FILE).is_file()
    )


def is_release(name: str) -> bool:
    """Whether ``name`` is a valid release name (see :func:`names.check_release`)."""
    try:
        check_release(name)
    except NameError_:
        return False
    return True


def latest_local_release(raw: Path) -> str | None:
    """Newest release folder under ``raw/<dataset>/`` that holds the daily file."""
    found = local_releases(raw)
    return found[-1] if found else None
