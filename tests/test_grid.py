"""Batch grids: explicit sets, products, defaults, and errors that name file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.paths import PROJECT_ROOT
from analysis.publish.grid import GridError, load_grid
from analysis.publish.notebooks import declared_by_notebook

DECLARED = {
    "01_overview": {"release", "start", "end", "processed_dir", "output_dir"},
    "04_partners": {"release", "start", "end", "processed_dir", "output_dir", "events", "window"},
}


def _grid(tmp_path: Path, text: str, name: str = "g.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_grid(path, DECLARED)


def test_product_names_sets_by_values_and_labels_and_merges_mappings(tmp_path):
    grid = _grid(
        tmp_path,
        """
product:
  release: [2026-03-01, 2026-04-05]
  period:
    - {label: all}
    - {label: since-2025, start: 2025-01-01}
""",
    )
    assert grid.name == "g"
    assert [s.name for s in grid.sets] == [
        "2026-03-01_all",
        "2026-03-01_since-2025",
        "2026-04-05_all",
        "2026-04-05_since-2025",
    ]
    # YAML reads bare dates as dates; notebooks get ISO text
    assert grid.sets[1].parameters == {"release": "2026-03-01", "start": "2025-01-01"}
    assert grid.sets[2].parameters == {"release": "2026-04-05"}


def test_explicit_sets_come_first_and_defaults_reach_every_set(tmp_path):
    grid = _grid(
        tmp_path,
        """
name: partners
notebooks: [04_partners]
key_figure: event_studies
defaults: {window: 26}
sets:
  - name: short-window
    window: 12
    events: [nk-treaty-signed]
product:
  release: [2026-04-05]
""",
    )
    assert grid.name == "partners" and grid.notebooks == ("04_partners",)
    assert grid.key_figure == "event_studies"
    assert [(s.name, s.parameters) for s in grid.sets] == [
        ("short-window", {"window": 12, "events": ["nk-treaty-signed"]}),
        ("2026-04-05", {"window": 26, "release": "2026-04-05"}),
    ]


def test_unknown_parameter_names_the_line_column_and_the_known_ones(tmp_path):
    with pytest.raises(GridError) as caught:
        _grid(
            tmp_path,
            """
sets:
  - name: a
    strat: 2025-01-01
""",
        )
    message = str(caught.value)
    assert "g.yaml, line 4, column 5" in message
    assert "unknown parameter 'strat'" in message and "start" in message


def test_parameters_of_a_notebook_left_out_of_the_grid_are_refused(tmp_path):
    with pytest.raises(GridError, match="unknown parameter 'window'"):
        _grid(tmp_path, "notebooks: [01_overview]\nsets:\n  - {name: a, window: 8}\n")


def test_batch_owned_parameters_cannot_be_set(tmp_path):
    with pytest.raises(GridError, match="'output_dir' is set by the batch itself"):
        _grid(tmp_path, "sets:\n  - {name: a, output_dir: /tmp}\n")


def test_two_sets_with_one_name_are_refused(tmp_path):
    with pytest.raises(GridError, match="two parameter sets are named 'a' .numbers 1 and 2"):
        _grid(tmp_path, "sets:\n  - {name: a}\n  - {name: a, start: 2025-01-01}\n")


def test_broken_yaml_names_the_line(tmp_path):
    with pytest.raises(GridError, match=r"g.yaml, line 3, column \d+: not valid YAML"):
        _grid(tmp_path, "sets:\n  - name: a\n   start: [\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{}", "names no parameter sets"),
        ("sets: {a: 1}", "`sets` must be a list"),
        ("product: {release: []}", "must be a non-empty list"),
        ("product: {strat: [2025-01-01]}", "product: unknown parameter 'strat'"),
        ("notebooks: [09_missing]\nsets: [{name: a}]", "no report notebook named '09_missing'"),
        ("sets: [{name: ../up}]", "not usable as a folder"),
        ("name: latest\nsets: [{name: a}]", "not usable as a folder"),
        ("colour: red\nsets: [{name: a}]", "unknown key 'colour'"),
        ("- a\n- b", "a grid is a mapping"),
    ],
)
def test_malformed_grids_get_a_clear_error(tmp_path, text, message):
    with pytest.raises(GridError, match=message):
        _grid(tmp_path, text)


def test_missing_grid_file_names_it(tmp_path):
    with pytest.raises(GridError, match="nothere.yaml: cannot read the grid file"):
        load_grid(tmp_path / "nothere.yaml", DECLARED)


def test_shipped_example_grids_are_valid_against_the_real_notebooks():
    declared = declared_by_notebook(PROJECT_ROOT / "notebooks")
    example = load_grid(PROJECT_ROOT / "notebooks" / "grids" / "example.yaml", declared)
    assert len(example.sets) == 8
    assert {s.parameters["release"] for s in example.sets} == {"2026-03-01", "2026-04-05"}
    for path in (PROJECT_ROOT / "notebooks" / "grids").glob("*.yaml"):
        assert load_grid(path, declared).sets


def test_the_scopes_grid_sets_each_scope_and_a_bad_scope_is_refused_naming_the_set():
    from analysis.params import ParameterError
    from analysis.publish.grid import ParameterSet
    from analysis.publish.sets import check_sets

    notebooks = PROJECT_ROOT / "notebooks"
    declared = declared_by_notebook(notebooks)
    grid = load_grid(notebooks / "grids" / "scopes.yaml", declared)
    assert [s.parameters["scope"] for s in grid.sets] == ["national", "all"]
    sources = sorted(notebooks.glob("0*.ipynb"))
    check_sets(list(grid.sets), "scopes.yaml", sources)
    bad = ParameterSet("every", {"scope": "everyone"})
    with pytest.raises(ParameterError, match=r"scopes.yaml: set 'every': scope 'everyone'"):
        check_sets([bad], "scopes.yaml", sources)
