"""Every path the project uses, resolved from one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATASET = "massive-missile-attacks"
MIRROR_ENV = "ANALYSIS_DATA_MIRROR"
#: What a notebook's record of findings and figures is called beside it: ``NN_name.results.json``.
RESULTS_SUFFIX = ".results.json"


@dataclass(frozen=True)
class ProjectPaths:
    """Folders of one project checkout; tests build one over a temporary folder."""

    root: Path = PROJECT_ROOT

    @classmethod
    def at(cls, root: str | Path | None = None) -> ProjectPaths:
        """The paths of the project in ``root``; None means this checkout."""
        return cls(Path(root)) if root is not None else cls()

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def registry(self) -> Path:
        return self.raw / "sources.json"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def forecasts(self) -> Path:
        """Forecast snapshots: the record of what was predicted, and when."""
        return self.reports / "forecasts"

    def raw_release(self, release: str) -> Path:
        """Folder that holds the raw files of one release."""
        return self.raw / DATASET / release

    def processed_release(self, release: str) -> Path:
        """Folder that holds the processed tables built from one release."""
        return self.processed / release


def default_mirrors(root: Path = PROJECT_ROOT) -> list[Path]:
    """Mirror folders from ANALYSIS_DATA_MIRROR, else the shared folder beside the project."""
    env = os.environ.get(MIRROR_ENV)
    if env:
        return [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    shared = root.parent / "shared" / "data" / DATASET
    return [shared] if shared.is_dir() else []
