"""pyproject.toml, uv.lock, constraints.txt (pip's fall-back) and environment.yml (conda)
describe one environment: the same dependencies, at the locked versions."""

import re
import sys
import tomllib

import yaml

from analysis.paths import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "tools"))
from pins import direct_dependencies, locked_versions, normal  # noqa: E402

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _project() -> dict:
    return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]


def _conda() -> dict[str, str]:
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    found = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, spec = REQUIREMENT.match(dep).groups()
            found[normal(name)] = spec.replace(" ", "")
    return {k: v for k, v in found.items() if k not in {"python", "pip"}}


def test_environment_yml_pins_every_dependency_of_pyproject_to_its_locked_version():
    locked = locked_versions()
    conda = _conda()
    assert sorted(conda) == sorted(direct_dependencies())
    for name, spec in conda.items():
        versions = sorted(locked[name])
        expected = f"=={versions[0]}" if len(versions) == 1 else f">={versions[0]},<={versions[-1]}"
        assert spec == expected, (name, spec, locked[name])


def test_the_lock_was_made_from_this_pyproject():
    lock = tomllib.loads((PROJECT_ROOT / "uv.lock").read_text())
    root = next(p for p in lock["package"] if p["name"] == "strike-escalation-analysis")
    requires = root["metadata"]["requires-dist"]
    locked = {(normal(r["name"]), r.get("specifier", "")) for r in requires}
    project = _project()
    declared = {
        (normal(n), s.replace(" ", ""))
        for n, s in (
            REQUIREMENT.match(r).groups()
            for r in project["dependencies"] + project["optional-dependencies"]["test"]
        )
    }
    assert locked == declared, "uv.lock is out of date: run `make upgrade` (or `uv lock`)"


def test_constraints_pin_every_locked_package_at_its_version():
    lines = [
        ln
        for ln in (PROJECT_ROOT / "constraints.txt").read_text().splitlines()
        if ln and not ln.startswith("#")
    ]
    pinned: dict[str, set[str]] = {}
    for line in lines:
        name, version = line.split(";")[0].strip().split("==")
        pinned.setdefault(normal(name), set()).add(version)
    locked = locked_versions()
    for name, versions in pinned.items():
        assert versions <= set(locked[name]), name
    for name in direct_dependencies():
        assert name in pinned, name


def test_every_dependency_has_a_lower_bound():
    project = _project()
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert ">=" in requirement, requirement


def test_environment_pins_python_like_pyproject():
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    assert f"python{_project()['requires-python']}" in env["dependencies"]


def test_the_lock_leaves_out_the_iri_checker_that_slows_every_notebook_start():
    lock = tomllib.loads((PROJECT_ROOT / "uv.lock").read_text())
    assert {"name": "rfc3987-syntax", "marker": "sys_platform == 'never'"} in lock["manifest"][
        "overrides"
    ]


def test_make_compiles_the_bytecode_when_it_installs_with_uv():
    sync = next(
        ln for ln in (PROJECT_ROOT / "Makefile").read_text().splitlines() if ln.startswith("SYNC")
    )
    assert "--locked" in sync and "--compile-bytecode" in sync
