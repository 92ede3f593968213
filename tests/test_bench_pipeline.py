"""The pipeline benchmark's bounds: the cell seconds it reads and the least time they allow."""

from __future__ import annotations

from pathlib import Path

import nbformat

from benchmarks.bench_pipeline import cell_seconds, fastest_possible


def _executed(path: Path, durations: list[float | None]) -> None:
    nb = nbformat.v4.new_notebook()
    for seconds in durations:
        cell = nbformat.v4.new_code_cell("pass")
        if seconds is not None:
            cell.metadata["papermill"] = {"duration": seconds}
        nb.cells.append(cell)
    nb.cells.append(nbformat.v4.new_markdown_cell("prose has no duration"))
    nbformat.write(nb, path)


def test_cell_seconds_sums_papermill_durations_per_numbered_notebook(tmp_path: Path) -> None:
    _executed(tmp_path / "01_a.ipynb", [1.5, 2.25, None])
    _executed(tmp_path / "02_b.ipynb", [10.0])
    _executed(tmp_path / "floor.ipynb", [99.0])  # not a report notebook: left out
    assert cell_seconds(tmp_path) == [3.75, 10.0]


def test_cell_seconds_of_a_folder_without_notebooks_is_empty(tmp_path: Path) -> None:
    assert cell_seconds(tmp_path) == []


def test_fastest_possible_divides_the_work_among_the_workers() -> None:
    assert fastest_possible(96.0, 2) == 48.0
    assert fastest_possible(96.0, 1) == 96.0
    assert fastest_possible(96.0, 0) == 96.0
