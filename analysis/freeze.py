"""Fingerprints of a stage's inputs, so that work whose inputs did not change is not redone.

Light on purpose (standard library only): the no-change path of ``build`` and ``batch`` must
decide to skip without importing pandas or papermill.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import __version__

PACKAGE = Path(__file__).resolve().parent
BUILD_OUTPUTS = ("strikes.parquet", "waves.parquet", "quality.json")
BUILD_MANIFEST = "manifest.json"


def fingerprint_files(files: Iterable[Path], root: Path | None = None) -> str:
    """Hash of the files' names (relative to ``root`` when given) and contents, in name order."""
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in files):
        name = path.relative_to(root) if root is not None else path.name
        digest.update(str(name).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def code_fingerprint() -> str:
    """Hash of the package's top-level modules: what the ``build`` stage runs."""
    return fingerprint_files(PACKAGE.glob("*.py"))


def package_fingerprint() -> str:
    """Hash of every module and template of the package: what a report run depends on."""
    files = [p for p in PACKAGE.rglob("*") if p.is_file()
             and p.suffix in {".py", ".j2", ".css", ".json", ".tpl"}
             and "__pycache__" not in p.parts]
    return fingerprint_files(files, PACKAGE)


def fingerprint_value(value: Any) -> str:
    """Hash of a JSON-serialisable value (e.g. a parameter set), independent of key order."""
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build_manifest(inputs: dict[str, str]) -> dict:
    """What a build records about its inputs: raw-file hashes, build code, package version."""
    return {"inputs": inputs, "code": code_fingerprint(), "package_version": __version__}


def read_json_object(path: Path) -> dict | None:
    """The JSON object in ``path``; None when it is missing, unreadable, not valid JSON (e.g.
    cut off by an earlier run) or not an object."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # ValueError: bad JSON, or bytes that are not UTF-8
        return None
    return value if isinstance(value, dict) else None


def build_is_current(out_dir: Path, inputs: dict[str, str]) -> bool:
    """True when ``out_dir`` holds every build output, made from ``inputs`` by this code.

    A corrupted ``manifest.json`` or ``quality.json`` (say, left by a crashed run or a full
    disk) means "not current", so that the build is done again rather than trusted.
    """
    if not all((out_dir / f).is_file() for f in (*BUILD_OUTPUTS, BUILD_MANIFEST)):
        return False
    old = read_json_object(out_dir / BUILD_MANIFEST)
    if old is None or read_json_object(out_dir / "quality.json") is None:
        return False
    return all(old.get(k) == v for k, v in build_manifest(inputs).items())


#: The libraries whose versions can change a report's numbers, charts or rendering.
SOFTWARE = ("pandas", "numpy", "scipy", "statsmodels", "matplotlib", "seaborn", "pyarrow",
            "ruptures", "papermill", "nbconvert", "ipykernel")


def software_versions() -> dict[str, str]:
    """Python's and each of :data:`SOFTWARE`'s installed version (read from the package
    metadata, so nothing heavy is imported): part of every report's provenance and of its
    freshness fingerprint, so a report made with other libraries is made again."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in SOFTWARE:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found
