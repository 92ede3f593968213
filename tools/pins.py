"""Write the pins that follow from ``uv.lock``: ``constraints.txt`` (pip's fall-back install)
and the exact versions in ``environment.yml`` (conda users).

Usage: ``python tools/pins.py [UV]`` after ``uv lock`` (``make upgrade`` runs both). Reads only
``uv.lock``, ``pyproject.toml`` and ``environment.yml``; ``tests/test_environment.py`` checks
that the three agree.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "strike-escalation-analysis"
_NAME = re.compile(r"^\s*([A-Za-z0-9_.\-]+)")


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_packages(lock: Path = ROOT / "uv.lock") -> list[dict]:
    """Every package of the lock but the project itself (name, version, resolution markers)."""
    data = tomllib.loads(lock.read_text(encoding="utf-8"))
    return [p for p in data["package"] if p["name"] != PROJECT]


def locked_versions(lock: Path = ROOT / "uv.lock") -> dict[str, list[str]]:
    """Locked versions by normalised name (a few have one version per Python range)."""
    out: dict[str, list[str]] = {}
    for package in locked_packages(lock):
        out.setdefault(normal(package["name"]), []).append(package["version"])
    return out


def direct_dependencies(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """Normalised names of the runtime and test dependencies, in pyproject's order."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    return [normal(_NAME.match(r).group(1)) for r in declared]


def constraints_text(uv: str = "uv") -> str:
    """The lock exported as pip constraints (every package ``==`` its locked version, with the
    lock's markers where versions differ by Python), by uv's own exporter."""
    exported = subprocess.run(
        [
            uv,
            "export",
            "--locked",
            "--extra",
            "test",
            "--no-hashes",
            "--no-emit-project",
            "--no-header",
            "--format",
            "requirements-txt",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    body = [line for line in exported.splitlines() if line and not line.lstrip().startswith("#")]
    head = [
        "# Exported from uv.lock by tools/pins.py: pip's fall-back install uses these",
        "# (pip install -c constraints.txt -e '.[test]'). Do not edit by hand.",
    ]
    return "\n".join(head + body) + "\n"


def _as_tuple(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in re.split(r"[.+-]", version))


def pinned_environment(text: str, versions: dict[str, list[str]], direct: list[str]) -> str:
    """``environment.yml`` with each direct dependency pinned to its locked version (the range
    of its locked versions where the lock holds one per Python version)."""

    def pin(match: re.Match) -> str:
        name = normal(match.group(2))
        if name not in direct or name not in versions:
            return match.group(0)
        found = sorted(versions[name], key=_as_tuple)
        spec = f"=={found[0]}" if len(found) == 1 else f">={found[0]},<={found[-1]}"
        return f"{match.group(1)}{match.group(2)}{spec}"

    return re.sub(r"^(\s*- )([A-Za-z0-9_.\-]+)(?:[<>=!~].*)?$", pin, text, flags=re.M)


#: The pre-commit hook repositories whose revision is a locked package's version.
HOOK_PACKAGES = {"astral-sh/ruff-pre-commit": ("ruff", "v"), "astral-sh/uv-pre-commit": ("uv", "")}


def pinned_hooks(text: str, versions: dict[str, list[str]]) -> str:
    """``.pre-commit-config.yaml`` with the ruff and uv hooks at the locked versions."""
    for repo, (package, prefix) in HOOK_PACKAGES.items():
        pattern = rf"(repo: https://github.com/{re.escape(repo)}\n\s+rev: )\S+"
        text = re.sub(pattern, rf"\g<1>{prefix}{versions[package][0]}", text)
    return text


def main(argv: list[str]) -> int:
    uv = argv[1] if len(argv) > 1 else "uv"
    versions = locked_versions()
    (ROOT / "constraints.txt").write_text(constraints_text(uv), encoding="utf-8")
    env = ROOT / "environment.yml"
    env.write_text(
        pinned_environment(env.read_text(encoding="utf-8"), versions, direct_dependencies()),
        encoding="utf-8",
    )
    hooks = ROOT / ".pre-commit-config.yaml"
    hooks.write_text(pinned_hooks(hooks.read_text(encoding="utf-8"), versions), encoding="utf-8")
    print(
        f"pinned {len(versions)} packages in constraints.txt and environment.yml, "
        "and the ruff and uv hooks in .pre-commit-config.yaml"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
