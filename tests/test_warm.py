"""Warm kernels: one kept kernel runs notebook after notebook, and none sees another's state."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from papermill.exceptions import PapermillExecutionError

from analysis.publish.execute import KERNEL
from analysis.publish.warm import KernelKeeper
from tests.imports import heavy_loaded


def _notebook(path: Path, code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell("x = 0", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(code),
    ]
    nbformat.write(nb, path)
    return path


def _printed(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)


@pytest.fixture
def kept():
    keeper = KernelKeeper(KERNEL)
    yield keeper
    keeper.shutdown()


def test_a_notebook_sees_nothing_the_one_before_it_defined_or_changed(tmp_path, kept):
    first = _notebook(
        tmp_path / "first.ipynb",
        "import os, random\nimport matplotlib as mpl\nsecret = 41 + x\nos.chdir('/')\n"
        "os.environ['LEAKED'] = '1'\nmpl.rcParams['lines.linewidth'] = 9\nrandom.random()\n"
        "print(secret)",
    )
    second = _notebook(
        tmp_path / "second.ipynb",
        "import os, random\nimport matplotlib as mpl\n"
        "print('secret' in globals(), os.getcwd(), os.environ.get('LEAKED'), x,\n"
        "      mpl.rcParams['lines.linewidth'], round(random.random(), 6))",
    )
    kept.execute(first, tmp_path / "first.out.ipynb", {"x": 1}, tmp_path)
    pid = kept.pid
    kept.execute(second, tmp_path / "second.out.ipynb", {"x": 2}, tmp_path)
    assert kept.pid == pid and kept.runs == 2  # the same kernel ran both
    assert _printed(tmp_path / "first.out.ipynb") == "42\n"
    shown = _printed(tmp_path / "second.out.ipynb").split()
    assert shown[:4] == ["False", str(tmp_path), "None", "2"]
    assert float(shown[4]) != 9  # matplotlib's settings are those of the fresh kernel
    kept.execute(second, tmp_path / "third.out.ipynb", {"x": 2}, tmp_path)
    assert _printed(tmp_path / "third.out.ipynb").split()[5] == shown[5]  # same random state


def test_the_executed_copy_is_the_papermill_record_with_the_parameters_injected(tmp_path, kept):
    source = _notebook(tmp_path / "nb.ipynb", "print(x * 2)")
    kept.execute(source, tmp_path / "out.ipynb", {"x": 21}, tmp_path)
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "x = 21" in injected[0].source
    assert nb.metadata["papermill"]["parameters"] == {"x": 21}
    assert _printed(tmp_path / "out.ipynb") == "42\n"


def test_a_kernel_is_replaced_after_an_error_and_after_its_quota(tmp_path):
    kept = KernelKeeper(KERNEL, recycle_after=2)
    try:
        good = _notebook(tmp_path / "good.ipynb", "print(x)")
        bad = _notebook(tmp_path / "bad.ipynb", "raise ValueError('boom')")
        kept.execute(good, tmp_path / "1.ipynb", {"x": 1}, tmp_path)
        first = kept.pid
        with pytest.raises(PapermillExecutionError, match="boom"):
            kept.execute(bad, tmp_path / "2.ipynb", {}, tmp_path)
        assert kept.pid is None  # the failed kernel is gone
        kept.execute(good, tmp_path / "3.ipynb", {"x": 3}, tmp_path)
        assert kept.pid not in (None, first) and kept.starts == 2
        kept.execute(good, tmp_path / "4.ipynb", {"x": 4}, tmp_path)
        assert kept.pid is None and kept.starts == 2  # two notebooks: recycled
        assert _printed(tmp_path / "4.ipynb") == "4\n"
    finally:
        kept.shutdown()


def test_import_analysis_and_the_cli_help_load_no_heavy_library() -> None:
    code = (
        "import runpy, sys\n"
        "import analysis\n"
        "sys.argv = ['analysis', '--help']\n"
        "try:\n"
        "    runpy.run_module('analysis', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    loaded, printed = heavy_loaded(code)
    assert "usage:" in printed
    assert loaded == []


def test_planning_a_report_or_a_batch_loads_no_heavy_library() -> None:
    """The process that plans and hands out notebooks stays light: workers start sooner."""
    code = (
        "import analysis.publish.report, analysis.publish.batch, analysis.publish.sets\n"
        "import analysis.publish.execute, analysis.publish.scheduler"
    )
    assert heavy_loaded(code) == ([], "")
