"""A report records the software that made it, and a library change makes it stale."""

from __future__ import annotations

import json
import platform
from importlib.metadata import version
from pathlib import Path

import nbformat

from analysis import batch
from analysis.freeze import SOFTWARE, software_versions
from analysis.grid import ParameterSet
from analysis.landing import _provenance
from analysis.paths import ProjectPaths


def test_software_versions_are_the_installed_ones():
    found = software_versions()
    assert found["python"] == platform.python_version()
    assert set(found) == {"python", *SOFTWARE}
    for name in ("pandas", "numpy", "statsmodels", "matplotlib", "seaborn", "papermill"):
        assert found[name] == version(name)


def _project(root: Path) -> ProjectPaths:
    paths = ProjectPaths(root=root)
    paths.notebooks.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("release = None\nx = 1\n")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, paths.notebooks / "01_alpha.ipynb")
    built = paths.processed_release("2026-01-01")
    built.mkdir(parents=True)
    (built / "manifest.json").write_text(json.dumps({"inputs": {}, "code": "test"}))
    return paths


def _key(paths: ProjectPaths) -> str:
    sets = [ParameterSet("one", {"release": "2026-01-01", "x": 1})]
    notebooks = sorted(paths.notebooks.glob("*.ipynb"))
    return batch.plan(paths, paths.reports / "trial", sets, notebooks)[0].spec.key


def test_a_new_library_version_changes_the_freshness_fingerprint(tmp_path, monkeypatch):
    paths = _project(tmp_path)
    before = _key(paths)
    assert _key(paths) == before  # nothing changed: same key, the set would be skipped
    newer = {**software_versions(), "pandas": "99.0.0"}
    monkeypatch.setattr(batch, "software_versions", lambda: newer)
    assert _key(paths) != before


def test_the_landing_page_provenance_lists_the_software():
    html = _provenance({"release": "2026-04-05", "git_commit": "abc123",
                        "software": {"python": "3.11.7", "pandas": "3.1.1"}})
    assert "<td>software</td><td>python 3.11.7, pandas 3.1.1</td>" in html
    assert "<td>git commit</td><td>abc123</td>" in html
