"""A report records the software that made it, and a library change makes it stale."""

from __future__ import annotations

import json
import platform
from importlib.metadata import version
from pathlib import Path

import nbformat

from analysis.freeze import SOFTWARE, software_versions
from analysis.paths import ProjectPaths
from analysis.publish import sets as set_planning
from analysis.publish.grid import ParameterSet
from analysis.publish.landing import _provenance


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
    return set_planning.plan(paths, paths.reports / "trial", sets, notebooks)[0].spec.key


def test_a_new_library_version_changes_the_freshness_fingerprint(tmp_path, monkeypatch):
    paths = _project(tmp_path)
    before = _key(paths)
    assert _key(paths) == before  # nothing changed: same key, the set would be skipped
    newer = {**software_versions(), "pandas": "99.0.0"}
    monkeypatch.setattr(set_planning, "software_versions", lambda: newer)
    assert _key(paths) != before


def test_the_landing_page_provenance_lists_the_software():
    rows = _provenance(
        {
            "release": "2026-04-05",
            "git_commit": "abc123",
            "software": {"python": "3.11.7", "pandas": "3.1.1"},
        }
    )
    assert ("software", "python 3.11.7, pandas 3.1.1") in rows
    assert ("git commit", "abc123") in rows


def _fake_package(root: Path) -> Path:
    """pkg: charts (a chart module), models/fit (imports util lazily, relatively), util."""
    pkg = root / "pkg"
    (pkg / "models").mkdir(parents=True)
    (pkg / "publish" / "templates" / "report").mkdir(parents=True)
    (pkg / "publish" / "templates" / "report" / "index.html.j2").write_text("{{ body }}")
    (pkg / "__init__.py").write_text('"""pkg."""\n')
    (pkg / "charts.py").write_text("from .models.fit import go\nCOLOUR = 'red'\n")
    (pkg / "models" / "__init__.py").write_text("")
    (pkg / "models" / "fit.py").write_text(
        "def go():\n    from ..util import (\n        helper,\n    )\n    return helper()\n"
    )
    (pkg / "util.py").write_text("def helper():\n    return 1\n")
    return pkg


def _notebook_importing(path: Path, code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%matplotlib inline\n" + code)]
    nbformat.write(nb, path)
    return path


def test_import_closure_follows_relative_lazy_and_parent_imports(tmp_path):
    from analysis.freeze import import_closure

    pkg = _fake_package(tmp_path)
    found = import_closure(["from pkg.models.fit import go as run"], pkg)
    assert {p.relative_to(pkg).as_posix() for p in found} == {
        "__init__.py",
        "models/__init__.py",
        "models/fit.py",
        "util.py",
    }


def test_a_chart_change_does_not_rerun_a_model_only_notebook_but_a_model_change_does(tmp_path):
    from analysis.freeze import notebooks_code_fingerprint

    pkg = _fake_package(tmp_path)
    model_only = _notebook_importing(tmp_path / "05_model.ipynb", "from pkg.models import fit")
    charted = _notebook_importing(tmp_path / "03_chart.ipynb", "import pkg.charts")
    before = {nb: notebooks_code_fingerprint([nb], pkg) for nb in (model_only, charted)}

    (pkg / "charts.py").write_text("from .models.fit import go\nCOLOUR = 'blue'\n")
    assert notebooks_code_fingerprint([model_only], pkg) == before[model_only]
    assert notebooks_code_fingerprint([charted], pkg) != before[charted]

    (pkg / "util.py").write_text("def helper():\n    return 2\n")
    assert notebooks_code_fingerprint([model_only], pkg) != before[model_only]
    template = pkg / "publish" / "templates" / "report" / "index.html.j2"
    template.write_text("<main>{{ body }}</main>")
    assert len({notebooks_code_fingerprint([model_only], pkg), before[model_only]}) == 2


def test_a_change_to_the_page_rendering_code_reruns_every_notebook(tmp_path):
    from analysis.freeze import notebooks_code_fingerprint

    pkg = _fake_package(tmp_path)
    (pkg / "publish" / "nav.py").write_text("LABELS = ('Overview',)\n")
    model_only = _notebook_importing(tmp_path / "05_model.ipynb", "from pkg.models import fit")
    before = notebooks_code_fingerprint([model_only], pkg)
    (pkg / "publish" / "nav.py").write_text("LABELS = ('Overview', 'Trends')\n")
    assert notebooks_code_fingerprint([model_only], pkg) != before


def test_the_real_forecast_notebook_does_not_depend_on_the_salvo_charts():
    from analysis.freeze import PACKAGE, import_closure, notebook_code

    notebooks = Path(PACKAGE.parent, "notebooks")
    forecast = import_closure(notebook_code(notebooks / "05_forecast.ipynb"))
    salvo = import_closure(notebook_code(notebooks / "03_salvo_and_interception.ipynb"))
    assert PACKAGE / "figures" / "salvo.py" in salvo
    assert PACKAGE / "figures" / "salvo.py" not in forecast
    assert PACKAGE / "models" / "forecast.py" in forecast
