"""The committed source registry (``data/raw/sources.json``): what each raw file is, where it
comes from, and its sha256."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .errors import FetchError
from .paths import DATASET

DAILY_FILE = "missile_attacks_daily.csv"
REFERENCE_FILE = "missiles_and_uavs.csv"
RAW_FILES = (DAILY_FILE, REFERENCE_FILE)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
        except json.JSONDecodeError as exc:
            raise FetchError(f"{path}: not valid JSON ({exc})") from None
        releases = {r["release"]: r for r in data.get("releases", [])}
        return cls(dataset=data.get("dataset", {}), releases=releases)

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
    """Release folders under ``raw/<dataset>/`` that hold the daily file, oldest first."""
    base = Path(raw) / DATASET
    return sorted(p.name for p in base.glob("*") if (p / DAILY_FILE).is_file())


def latest_local_release(raw: Path) -> str | None:
    """Newest release folder under ``raw/<dataset>/`` that holds the daily file."""
    found = local_releases(raw)
    return found[-1] if found else None
