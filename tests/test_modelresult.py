"""The result object every model returns."""

from __future__ import annotations

import pytest

from analysis.modelresult import ModelResult


def test_whole_reads_a_count_from_the_summary_and_refuses_text_or_a_gap():
    result = ModelResult("demo", {"n": 24.0, "label": "x", "missing": None})
    assert result.whole("n") == 24 and isinstance(result.whole("n"), int)
    with pytest.raises(TypeError, match="demo: summary 'label' is 'x', not a count"):
        result.whole("label")
    with pytest.raises(TypeError, match="'missing' is None"):
        result.whole("missing")
