"""tools/typecheck.py: mypy's output read into line-free keys and compared with the baseline."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from tools.typecheck import (
    BASELINE,
    HEADER,
    compare,
    format_baseline,
    parse,
    read_baseline,
    report,
    update_decision,
)

OUTPUT = """\
analysis/data/build.py:231: error: "BuildResult" gets multiple values for keyword argument "skipped"  [misc]
analysis/data/strikes.py:182: error: Argument 2 to "add" of "QualityLog" has incompatible type "Hashable"; expected "int"  [arg-type]
analysis/data/strikes.py:183: error: Argument 2 to "add" of "QualityLog" has incompatible type "Hashable"; expected "int"  [arg-type]
analysis/findings/trends.py:596: error: Unsupported operand types for > ("float" and "None")  [operator]
analysis/findings/trends.py:596: note: Left operand is of type "float | int | str | None"
analysis/publish/grid.py:305:9: error: Name "params" already defined on line 298  [no-redef]
"""  # noqa: E501 - mypy's lines as printed

BUILD = (
    'analysis/data/build.py: misc: "BuildResult" gets multiple values for keyword argument '
    '"skipped"'
)
STRIKES = (
    'analysis/data/strikes.py: arg-type: Argument 2 to "add" of "QualityLog" has incompatible '
    'type "Hashable"; expected "int"'
)
TRENDS = (
    'analysis/findings/trends.py: operator: Unsupported operand types for > ("float" and "None")'
)
GRID = 'analysis/publish/grid.py: no-redef: Name "params" already defined on line N'


def test_parse_keeps_path_code_and_message_and_drops_line_numbers_and_notes():
    assert parse(OUTPUT) == Counter({BUILD: 1, STRIKES: 2, TRENDS: 1, GRID: 1})


def test_the_same_error_moved_to_other_lines_is_the_same_key():
    moved = OUTPUT.replace(":182:", ":190:").replace(":183:", ":191:").replace("298", "12")
    assert parse(moved) == parse(OUTPUT)


def test_an_error_without_a_code_is_filed_under_misc():
    assert parse("analysis/x.py:3: error: invalid syntax\n") == Counter(
        {"analysis/x.py: misc: invalid syntax": 1}
    )


def test_errors_among_the_baseline_pass_and_the_fixed_ones_are_listed():
    comparison = compare(Counter({STRIKES: 1}), Counter({STRIKES: 2, BUILD: 1}))
    assert comparison.passed
    assert comparison.new == []
    assert comparison.fixed == sorted([BUILD, STRIKES])


def test_an_error_not_in_the_baseline_fails():
    comparison = compare(Counter({BUILD: 1, TRENDS: 1}), Counter({BUILD: 1}))
    assert not comparison.passed
    assert comparison.new == [TRENDS]
    assert comparison.fixed == []


def test_a_second_copy_of_a_known_error_is_new():
    comparison = compare(Counter({STRIKES: 2}), Counter({STRIKES: 1}))
    assert comparison.new == [STRIKES]


def test_report_prints_the_new_errors_or_a_note_that_the_baseline_can_shrink():
    failing = report(compare(Counter({TRENDS: 1}), Counter()), Path("mypy-baseline.txt"))
    assert failing.splitlines()[:2] == ["1 type error(s) not in mypy-baseline.txt:", f"  {TRENDS}"]
    shrinking = report(compare(Counter(), Counter({BUILD: 1})), Path("mypy-baseline.txt"))
    assert shrinking.splitlines()[0] == "type check: no new errors"
    assert "1 known error(s) are gone" in shrinking and BUILD in shrinking
    assert report(compare(Counter(), Counter()), Path("b")) == "type check: no new errors"


def test_a_failing_report_also_lists_the_known_errors_gone_as_a_rewording_may_explain_them():
    text = report(compare(Counter({TRENDS: 1}), Counter({BUILD: 1})), Path("b"))
    lines = text.splitlines()
    assert lines[1] == f"  {TRENDS}"
    assert lines[-2:] == [
        "Known error(s) gone (a new one may be one of them, reworded):",
        f"  {BUILD}",
    ]


def test_update_rewrites_only_a_shrinking_baseline_unless_forced():
    shrinks = compare(Counter({BUILD: 1}), Counter({BUILD: 1, TRENDS: 1}))
    grows = compare(Counter({BUILD: 1, TRENDS: 1}), Counter({BUILD: 1}))
    same = compare(Counter({BUILD: 1}), Counter({BUILD: 1}))
    assert update_decision(shrinks, force=False)[0] is True
    assert update_decision(grows, force=False)[0] is False
    assert update_decision(grows, force=True)[0] is True
    assert update_decision(same, force=False) == (False, "the baseline is already up to date")


def test_baseline_round_trips_with_duplicates_and_skips_comments(tmp_path):
    errors = Counter({STRIKES: 2, BUILD: 1})
    path = tmp_path / "baseline.txt"
    path.write_text(format_baseline(errors), encoding="utf-8")
    assert path.read_text(encoding="utf-8").startswith(HEADER)
    assert read_baseline(path) == errors
    assert read_baseline(tmp_path / "missing.txt") == Counter()


def test_the_committed_baseline_is_sorted_and_free_of_line_numbers():
    body = [line for line in BASELINE.read_text(encoding="utf-8").splitlines()]
    body = [line for line in body if line and not line.startswith("#")]
    assert body and body == sorted(body)
    assert all(re.match(r"^analysis/[\w/]+\.py: [\w-]+: \S", line) for line in body)
