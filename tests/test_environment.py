"""environment.yml (conda-forge) and pyproject.toml name the same dependencies."""

import re
import tomllib

import yaml

from analysis.paths import PROJECT_ROOT

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _parse(requirements: list[str]) -> dict[str, str]:
    parsed = {}
    for requirement in requirements:
        name, spec = REQUIREMENT.match(requirement).groups()
        parsed[name.lower().replace("_", "-")] = spec.replace(" ", "")
    return parsed


def test_environment_yml_and_pyproject_list_the_same_dependencies_and_bounds():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    conda_deps = {k: v for k, v in _parse(conda).items() if k not in {"python", "pip"}}
    assert conda_deps == _parse(declared)


def test_every_dependency_has_a_lower_bound():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert ">=" in requirement, requirement


def test_environment_pins_python_like_pyproject():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    assert f"python{project['requires-python']}" in env["dependencies"]
