"""The order a set's notebooks are handed to the workers (analysis/publish/order.py): the
longest expected first, from the previous run's recorded seconds, else the notebook's declared
time."""

from __future__ import annotations

import json
from pathlib import Path

from analysis.paths import PROJECT_ROOT
from analysis.publish.notebooks import declared_seconds, report_notebooks
from analysis.publish.order import expected_seconds, longest_first, previous_seconds


def notebook(path: Path, metadata: dict) -> Path:
    path.write_text(json.dumps({"cells": [], "metadata": metadata, "nbformat": 4}), "utf-8")
    return path


def test_declared_seconds_put_the_longest_notebook_first_and_ties_keep_their_order(
    tmp_path: Path,
) -> None:
    a = notebook(tmp_path / "01_a.ipynb", {})
    b = notebook(tmp_path / "02_b.ipynb", {"analysis": {"expected_seconds": 10}})
    c = notebook(tmp_path / "03_c.ipynb", {})
    d = notebook(tmp_path / "04_d.ipynb", {"analysis": {"expected_seconds": 50}})
    assert longest_first([a, b, c, d], {}) == (d, b, a, c)


def test_the_previous_runs_seconds_come_before_the_declared_ones(tmp_path: Path) -> None:
    a = notebook(tmp_path / "01_a.ipynb", {"analysis": {"expected_seconds": 50}})
    b = notebook(tmp_path / "02_b.ipynb", {})
    state = {"seconds": 30.0, "notebooks": {"01_a": 3.5, "02_b": 20.25}}
    previous = previous_seconds(state)
    assert expected_seconds(a, previous) == 3.5
    assert longest_first([a, b], previous) == (b, a)


def test_a_state_without_usable_seconds_falls_back_to_the_declared_ones(tmp_path: Path) -> None:
    a = notebook(tmp_path / "01_a.ipynb", {"analysis": {"expected_seconds": 50}})
    for state in ({}, {"notebooks": ["01_a"]}, {"notebooks": {"01_a": "slow"}}):
        assert expected_seconds(a, previous_seconds(state)) == 50.0


def test_unreadable_or_odd_declarations_count_as_zero(tmp_path: Path) -> None:
    broken = tmp_path / "01_broken.ipynb"
    broken.write_text("{not json", "utf-8")
    odd = notebook(tmp_path / "02_odd.ipynb", {"analysis": {"expected_seconds": "soon"}})
    negative = notebook(tmp_path / "03_neg.ipynb", {"analysis": {"expected_seconds": -4}})
    flag = notebook(tmp_path / "04_flag.ipynb", {"analysis": {"expected_seconds": True}})
    missing = tmp_path / "05_missing.ipynb"
    for path in (broken, odd, negative, flag, missing):
        assert declared_seconds(path) == 0.0
        assert expected_seconds(path, {path.stem: -1}) == 0.0


def test_the_report_hands_out_the_forecast_first() -> None:
    order = longest_first(report_notebooks(PROJECT_ROOT / "notebooks"), {})
    assert order[0].stem == "05_forecast"
    assert [p.stem for p in order[-2:]] == ["01_data_overview", "02_escalation_trends"]
