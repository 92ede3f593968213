"""The tooling around the tests: pre-commit hooks at the versions locked in uv.lock, and the
fixture that fetches the real snapshot (fetched from a mirror, a skip only when offline)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import yaml

from analysis.data.rawschema import DAILY_COLUMNS, REFERENCE_COLUMNS
from analysis.data.registry import DAILY_FILE, REFERENCE_FILE, sha256_file
from analysis.errors import FetchError
from analysis.paths import MIRROR_ENV, PROJECT_ROOT, ProjectPaths
from tests.conftest import fetch_or_reason

RUFF_REPO = "https://github.com/astral-sh/ruff-pre-commit"
UV_REPO = "https://github.com/astral-sh/uv-pre-commit"
NBSTRIPOUT_REPO = "https://github.com/kynan/nbstripout"


def locked_version(name: str) -> str:
    lock = tomllib.loads((PROJECT_ROOT / "uv.lock").read_text(encoding="utf-8"))
    versions = {p["version"] for p in lock["package"] if p["name"] == name}
    assert len(versions) == 1, f"uv.lock locks {name} at {sorted(versions)}"
    return versions.pop()


def repos() -> dict[str, dict]:
    config = yaml.safe_load((PROJECT_ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return {repo["repo"]: repo for repo in config["repos"]}


def hook_ids(repo: dict) -> list[str]:
    return [hook["id"] for hook in repo["hooks"]]


def test_ruff_hook_rev_is_the_locked_ruff_version():
    assert repos()[RUFF_REPO]["rev"] == f"v{locked_version('ruff')}"


def test_uv_hook_rev_is_the_locked_uv_version():
    assert repos()[UV_REPO]["rev"] == locked_version("uv")


def test_hooks_lint_format_strip_notebooks_check_the_lock_and_type_check():
    config = repos()
    assert hook_ids(config[RUFF_REPO]) == ["ruff-check", "ruff-format"]
    assert config[RUFF_REPO]["hooks"][0]["args"] == ["--fix"]
    assert hook_ids(config[NBSTRIPOUT_REPO]) == ["nbstripout"]
    assert config[NBSTRIPOUT_REPO]["hooks"][0]["files"] == r"^notebooks/.*\.ipynb$"
    assert config[UV_REPO]["hooks"] == [{"id": "uv-lock", "args": ["--check"]}]
    (typecheck,) = config["local"]["hooks"]
    assert typecheck["entry"].endswith("tools/typecheck.py")
    assert typecheck["pass_filenames"] is False


RELEASE = "2026-04-05"


def offline(release: str, dataset: dict) -> Path:
    raise ConnectionError("no network")


def mirror_with_files(tmp_path: Path) -> Path:
    """A mirror holding a small release: a header and one row per file."""
    folder = tmp_path / "mirror" / RELEASE
    folder.mkdir(parents=True)
    (folder / DAILY_FILE).write_text(
        ",".join(DAILY_COLUMNS) + "\n" + "," * (len(DAILY_COLUMNS) - 1)
    )
    (folder / REFERENCE_FILE).write_text(",".join(REFERENCE_COLUMNS) + "\nShahed-136,UAV,Iran,a\n")
    return folder.parent


def project_with_registry(tmp_path: Path, mirror: Path | None) -> ProjectPaths:
    """A project whose registry lists ``RELEASE`` with the hashes of the mirror's files (or
    with hashes nothing matches)."""
    paths = ProjectPaths.at(tmp_path / "project")
    paths.registry.parent.mkdir(parents=True)
    files = {
        name: {"sha256": sha256_file(mirror / RELEASE / name) if mirror else "0" * 64}
        for name in (DAILY_FILE, REFERENCE_FILE)
    }
    registry = {"dataset": {}, "releases": [{"release": RELEASE, "files": files}]}
    paths.registry.write_text(json.dumps(registry), encoding="utf-8")
    return paths


def test_a_release_missing_locally_is_fetched_from_the_mirror_into_the_project(tmp_path):
    mirror = mirror_with_files(tmp_path)
    paths = project_with_registry(tmp_path, mirror)
    folder = fetch_or_reason(RELEASE, paths=paths, mirrors=[mirror], downloader=offline)
    assert folder == paths.raw_release(RELEASE)
    assert (folder / REFERENCE_FILE).read_bytes() == (
        mirror / RELEASE / REFERENCE_FILE
    ).read_bytes()


def test_a_release_that_cannot_be_fetched_gives_a_skip_reason_saying_what_to_run(tmp_path):
    paths = project_with_registry(tmp_path, None)
    reason = fetch_or_reason(RELEASE, paths=paths, mirrors=[], downloader=offline)
    assert isinstance(reason, str)
    assert "ConnectionError: no network" in reason
    assert MIRROR_ENV in reason
    assert reason.endswith(f"`python -m analysis fetch --release {RELEASE}`")


def test_a_mirror_copy_with_a_wrong_hash_fails_instead_of_skipping(tmp_path):
    mirror = mirror_with_files(tmp_path)
    paths = project_with_registry(tmp_path, None)
    with pytest.raises(FetchError, match="sha256"):
        fetch_or_reason(RELEASE, paths=paths, mirrors=[mirror], downloader=offline)


def test_pins_moves_the_ruff_and_uv_hooks_to_the_locked_versions():
    import sys

    sys.path.insert(0, str(PROJECT_ROOT / "tools"))
    try:
        import pins
    finally:
        sys.path.remove(str(PROJECT_ROOT / "tools"))
    config = (PROJECT_ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    stale = config.replace(f"rev: v{locked_version('ruff')}", "rev: v0.1.0").replace(
        f"rev: {locked_version('uv')}", "rev: 0.0.1"
    )
    assert stale != config
    assert pins.pinned_hooks(stale, pins.locked_versions()) == config
