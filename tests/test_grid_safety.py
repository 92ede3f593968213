"""Grid files are untrusted: only plain values reach a notebook's parameters cell, aliases and
products stay bounded, and every refusal is a one-line error naming file, line, set and key.

The property tests check papermill's own renderer: every value ``check_plain`` accepts is
written as a Python literal that reads back as the same value.
"""

from __future__ import annotations

import ast
import datetime as dt
import keyword
from pathlib import Path

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from papermill.translators import PythonTranslator

from analysis.__main__ import main
from analysis.publish.grid import MAX_FILE_BYTES, GridError, load_grid
from analysis.publish.plainvalues import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    UnsafeValueError,
    check_parameters,
    check_plain,
)

DECLARED = {"01_overview": {"release", "start", "end", "events", "window", "processed_dir"}}
ALLOWED = "use text, numbers, true/false, null, dates, or lists and mappings of those"


def _grid(tmp_path: Path, text: str, name: str = "grid.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_grid(path, DECLARED)


def _refusal(tmp_path: Path, text: str) -> str:
    with pytest.raises(GridError) as caught:
        _grid(tmp_path, text)
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- types a grid may not hold ------------------------------------------------------------


def test_binary_tag_is_refused_naming_set_and_key(tmp_path):
    message = _refusal(tmp_path, "sets:\n  - name: year-2025\n    start: !!binary aGVsbG8=\n")
    assert message == (
        f"{tmp_path / 'grid.yaml'}, line 3, column 12: set 'year-2025': "
        f"parameter 'start': a YAML !!binary value (bytes) is not allowed; "
        f"{ALLOWED}"
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("!!set {a, b}", "a YAML !!set value (a set) is not allowed"),
        ("!!omap [{a: 1}]", "a YAML !!omap value (an ordered map) is not allowed"),
        ("!!pairs [{a: 1}]", "a YAML !!pairs value (a list of pairs) is not allowed"),
        (
            "!!python/object/apply:os.system ['touch pwned']",
            "a YAML !!python/object/apply:os.system value is not allowed",
        ),
        ("!!python/name:os.system", "a YAML !!python/name:os.system value is not allowed"),
        ("!foo bar", "a YAML !foo value is not allowed"),
        (".nan", "nan is not a finite number"),
        ("-.inf", "-inf is not a finite number"),
        ("1.0e+400", "inf is not a finite number"),
        ("2025-01-01 10:30:00", "'2025-01-01 10:30:00' has a time of day"),
        ("!!int twelve", "'twelve' is not a valid integer"),
        ("!!bool maybe", "'maybe' is not a valid true/false value"),
        ("=", "= alone has a special meaning in YAML; quote it"),
        ("1" * (MAX_INT_DIGITS + 1), f"an integer with more than {MAX_INT_DIGITS} digits"),
        ("1" * 5000, f"an integer with more than {MAX_INT_DIGITS} digits"),
        ('"\\ud800"', "text with a lone surrogate '\\ud800' at character 1 is not valid Unicode"),
    ],
)
def test_non_plain_values_are_refused_naming_line_set_and_key(tmp_path, value, problem):
    message = _refusal(tmp_path, f"sets:\n  - name: a\n    window: {value}\n")
    assert message.startswith(
        f"{tmp_path / 'grid.yaml'}, line 3, column 13: set 'a': parameter 'window': {problem}"
    )


def test_a_refused_value_deep_inside_a_list_names_its_position(tmp_path):
    message = _refusal(tmp_path, "sets:\n  - name: a\n    events: [x, [y, !!binary aGk=]]\n")
    assert ", line 3, column 21: set 'a': parameter 'events' at [1][1]: a YAML !!binary" in (
        message
    )


@pytest.mark.parametrize(
    ("key", "shown"), [("1", "1"), ("on", "True"), ("[x, y]", "['x', 'y']"), ("null", "None")]
)
def test_mapping_keys_that_are_not_text_are_refused(tmp_path, key, shown):
    message = _refusal(tmp_path, f"sets:\n  - name: a\n    events: {{{key}: 1}}\n")
    assert message.startswith(
        f"{tmp_path / 'grid.yaml'}, line 3, column 14: set 'a': "
        f"parameter 'events': the mapping key {shown} is not text"
    )


def test_refusals_in_defaults_and_product_name_where_they_are(tmp_path):
    assert "line 1, column 20: defaults: parameter 'window': a YAML !!set" in _refusal(
        tmp_path, "defaults: {window: !!set {a}}\nsets: [{name: a}]\n"
    )
    assert "line 1, column 23: product: parameter 'window', value 2: nan is not a finite" in (
        _refusal(tmp_path, "product: {window: [1, .nan]}\n")
    )
    assert (
        "line 3, column 25: product axis 'period', value 1: parameter 'start': 2025-02-30 "
        "is not a real date"
    ) in _refusal(tmp_path, "product:\n  period:\n    - {label: x, start: 2025-02-30}\n")
    assert "line 1, column 7: key 'name': a YAML !!binary value" in _refusal(
        tmp_path, "name: !!binary aGk=\nsets: [{name: a}]\n"
    )


def test_impossible_date_names_line_and_key(tmp_path):
    message = _refusal(
        tmp_path, "sets:\n  - name: a\n    end: 2025-12-31\n  - name: b\n    start: 2025-02-30\n"
    )
    assert message == (
        f"{tmp_path / 'grid.yaml'}, line 5, column 12: set 'b': parameter "
        "'start': 2025-02-30 is not a real date"
    )


def test_quoted_text_and_real_dates_are_still_plain_values(tmp_path):
    grid = _grid(
        tmp_path,
        "sets:\n  - name: a\n    start: 2024-02-29\n"
        '    events: ["2025-01-01 10:30:00", "=", "!!binary", \'"""\']\n'
        "    window: 0x1A\n",
    )
    assert grid.sets[0].parameters == {
        "start": "2024-02-29",
        "events": ["2025-01-01 10:30:00", "=", "!!binary", '"""'],
        "window": 26,
    }


# --- aliases, nesting, size ------------------------------------------------------------------


def _billion_laughs() -> str:
    """Nine levels of ten aliases each: 10^9 strings once expanded, 1 KB as a file."""
    lines = ["lol0: &lol0 [" + ", ".join(["lol"] * 10) + "]"]
    lines += [f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 10) + "]" for i in range(1, 9)]
    body = "\n".join(f"    {line}" for line in lines)
    return f"sets:\n  - name: a\n    events:\n{body}\n"


def test_billion_laughs_is_refused_quickly(tmp_path):
    text = _billion_laughs()
    assert len(text) < 1000
    message = _refusal(tmp_path, text)
    # lol3 (line 7) is the first level past the limit: 11,111 nodes counting its lists
    assert message == (
        f"{tmp_path / 'grid.yaml'}, line 7, column 11: this value expands to "
        "more than 10,000 values through aliases (*name); a grid holds at most "
        "10,000"
    )


def test_billion_laughs_through_merge_keys_is_refused(tmp_path):
    lines = ["m0: &m0 {" + ", ".join(f"k{j}: lol" for j in range(10)) + "}"]
    lines += [
        f"m{i}: &m{i} {{a: [" + ", ".join([f"*m{i - 1}"] * 10) + f"], <<: *m{i - 1}}}"
        for i in range(1, 9)
    ]
    text = "defaults:\n  events:\n" + "\n".join(f"    {line}" for line in lines) + "\n"
    assert "expands to more than 10,000 values through aliases" in _refusal(
        tmp_path, text + "sets: [{name: a}]\n"
    )


def test_alias_that_contains_itself_is_refused(tmp_path):
    message = _refusal(tmp_path, "sets:\n  - name: a\n    events: &loop [x, *loop]\n")
    assert message == (
        f"{tmp_path / 'grid.yaml'}, line 3, column 13: an alias (*name) refers "
        "to a value that contains it, which would never end"
    )


def test_deep_nesting_is_refused_naming_the_line(tmp_path):
    message = _refusal(tmp_path, "sets:\n  - name: a\n    events: " + "[" * 500 + "]" * 500)
    assert f"grid.yaml, line 3, column 30: nested more than {MAX_DEPTH} levels deep" in message


def test_a_file_with_more_values_than_the_limit_is_refused_while_reading(tmp_path):
    message = _refusal(tmp_path, "sets:\n  - name: a\n    events: [" + "1, " * 20_000 + "]\n")
    assert ", line 3, column " in message and "the grid holds more than 10,000 values" in message


def test_product_over_the_set_limit_is_refused_before_expanding(tmp_path):
    ten = "[" + ", ".join(str(n) for n in range(10)) + "]"
    message = _refusal(
        tmp_path,
        f"sets: [{{name: a}}]\nproduct:\n  window: {ten}\n"
        f"  start: {ten}\n  end: {ten}\n  events: [x, y]\n",
    )
    assert message == (
        f"{tmp_path / 'grid.yaml'}: the grid expands to more than 1,000 "
        "parameter sets (1 in `sets` plus a product of 10 x 10 x 10 x 2 values); "
        "split it into smaller grids"
    )


def test_file_over_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "grid.yaml"
    path.write_text("sets: [{name: a}]\n" + "#" * MAX_FILE_BYTES, encoding="utf-8")
    with pytest.raises(GridError, match=r"grid.yaml: the grid file is larger than 1,000,000 "):
        load_grid(path, DECLARED)


def test_aliases_and_merge_keys_within_the_limits_still_work(tmp_path):
    grid = _grid(
        tmp_path,
        """
defaults: &base {window: 26, events: &ev [a, b]}
sets:
  - {name: one, <<: *base, window: 8}
  - {name: two, events: *ev}
""",
    )
    assert [(s.name, s.parameters) for s in grid.sets] == [
        ("one", {"window": 8, "events": ["a", "b"]}),
        ("two", {"window": 26, "events": ["a", "b"]}),
    ]
    # each set gets its own copy, not the shared alias
    assert grid.sets[0].parameters["events"] is not grid.sets[1].parameters["events"]


# --- reading the file, names ----------------------------------------------------------------


def test_non_utf8_grid_names_the_line(tmp_path):
    path = tmp_path / "grid.yaml"
    path.write_bytes(b"sets:\n  - name: a\n    events: [caf\xe9]\n")
    with pytest.raises(GridError, match=r"^.*grid.yaml, line 3: not UTF-8 text \(byte 0xe9\)$"):
        load_grid(path, DECLARED)


def test_control_character_names_line_and_column_in_one_line(tmp_path):
    message = _refusal(tmp_path, "sets:\n  - name: a\x01\n")
    assert message.endswith(
        "grid.yaml, line 2, column 12: not valid YAML: character U+0001: "
        "special characters are not allowed"
    )


@pytest.mark.parametrize("name", ['"a\\n"', "latest", '"."', "x" * 101, "1.5", "yes"])
def test_unusable_set_names_are_refused(tmp_path, name):
    message = _refusal(tmp_path, f"sets:\n  - name: {name}\n")
    assert "grid.yaml, line 2, column 5: set name" in message
    assert "is not usable as a folder" in message


def test_a_set_named_by_a_number_or_date_gets_its_text(tmp_path):
    grid = _grid(tmp_path, "sets:\n  - {name: 2025}\n  - {name: 2026-04-05}\n")
    assert [s.name for s in grid.sets] == ["2025", "2026-04-05"]


# --- the command line -------------------------------------------------------------------------


def _project(root: Path) -> None:
    """A project with one report notebook whose parameters cell declares ``x``."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = 1\nprocessed_dir = None\noutput_dir = None\n")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell("print(x)")]
    (root / "notebooks").mkdir()
    nbformat.write(nb, root / "notebooks" / "01_alpha.ipynb")


@pytest.mark.parametrize(
    "value",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!binary dG91Y2g=",
        '!!set {\'"); import os; os.system("touch {marker}"); ("\': null}',
    ],
)
def test_cli_refuses_a_malicious_grid_in_one_line_before_running_anything(tmp_path, capsys, value):
    _project(tmp_path)
    marker = tmp_path / "pwned"
    grid = tmp_path / "evil.yaml"
    grid.write_text(
        f"sets:\n  - name: a\n    x: {value.replace('{marker}', str(marker))}\n", encoding="utf-8"
    )
    assert main(["--root", str(tmp_path), "batch", str(grid), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {grid}, line 3, column 8: set 'a': parameter 'x': a YAML !!")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not marker.exists() and not (tmp_path / "reports").exists()


# --- check_plain and papermill's renderer ---------------------------------------------------

TRICKY = st.sampled_from(
    [
        '"',
        "'",
        "\\",
        "\n",
        "\r",
        "\u2028",
        "\u2029",
        "\x00",
        '"""',
        "'''",
        '\\"',
        "\t",
        "\x7f",
        "\x85",
        "\ufeff",
        "{x}",
        "#",
        ";",
        "\\N{",
        "\\u",
    ]
)
TEXT = st.lists(st.one_of(st.text(), TRICKY), max_size=6).map("".join)
INTS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**MAX_INT_DIGITS) + 1, max_value=10**MAX_INT_DIGITS - 1),
)
SCALARS = st.one_of(
    TEXT, INTS, st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none()
)
PLAIN = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True).filter(
    lambda n: not keyword.iskeyword(n) and not (n.startswith("__") and n.endswith("__"))
)


@settings(max_examples=300, deadline=None)
@given(PLAIN)
def test_papermill_rendering_round_trips_any_plain_value(value):
    check_plain(value, "test")
    back = ast.literal_eval(PythonTranslator.translate(value))
    assert back == value
    assert repr(back) == repr(value)  # same types, same float signs


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(NAMES, PLAIN, max_size=5))
def test_papermill_parameters_cell_is_only_assignments_of_literals(parameters):
    cell = PythonTranslator.codify(check_parameters(parameters, "test"))
    statements = ast.parse(cell).body
    assert [type(s) for s in statements] == [ast.Assign] * len(parameters)
    assert [[t.id for t in s.targets if isinstance(t, ast.Name)] for s in statements] == [
        [name] for name in parameters
    ]
    assert all(len(s.targets) == 1 for s in statements)
    assert {s.targets[0].id: ast.literal_eval(s.value) for s in statements} == parameters


def test_largest_allowed_int_renders_and_one_digit_more_is_refused():
    biggest = 10**MAX_INT_DIGITS - 1
    assert ast.literal_eval(PythonTranslator.translate(-biggest)) == -biggest
    with pytest.raises(UnsafeValueError, match=f"more than {MAX_INT_DIGITS} digits"):
        check_plain(10**MAX_INT_DIGITS, "set 'a'")


class _Sneaky:
    def __str__(self) -> str:
        return '"; __import__("os").system("touch pwned"); "'


def test_papermill_writes_other_types_as_raw_code_which_check_plain_refuses():
    cell = PythonTranslator.codify({"x": _Sneaky()})
    calls = [n for n in ast.walk(ast.parse(cell)) if isinstance(n, ast.Call)]
    assert calls  # the hazard: papermill writes str() of an unknown type into the cell
    with pytest.raises(
        UnsafeValueError,
        match=r"^notebook 01: parameter x: a [\w.]*_Sneaky "
        r"value is not allowed",
    ):
        check_parameters({"x": _Sneaky()}, "notebook 01")


class _Text(str):
    pass


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (b"x", "test: a bytes value is not allowed"),
        ({"a"}, "test: a set value is not allowed"),
        ((1, 2), "test: a tuple value is not allowed"),
        (dt.date(2025, 1, 1), "test: a datetime.date value is not allowed"),
        (_Text("x"), "test_grid_safety._Text value is not allowed"),
        (float("nan"), "test: nan is not a finite number"),
        (float("-inf"), "test: -inf is not a finite number"),
        ("a\ud800", "test: text with a lone surrogate '\\ud800' at character 2 is not valid"),
        ({"classes": [1, 2, b"x"]}, "test: ['classes'][2]: a bytes value is not allowed"),
        ({1: "a"}, "test: key 1 (int) is not text; dict keys are text"),
        (
            [[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]],
            f"test: {'[0]' * MAX_DEPTH}: nests more than {MAX_DEPTH} levels deep",
        ),
    ],
)
def test_check_plain_refuses_anything_but_plain_values_naming_the_path(value, message):
    with pytest.raises(UnsafeValueError) as caught:
        check_plain(value, "test")
    assert message in str(caught.value)


@pytest.mark.parametrize("name", ["a b", "x=1;y", "class", "None", "__builtins__", "é", 1, ""])
def test_check_parameters_refuses_names_that_are_not_plain_identifiers(name):
    with pytest.raises(UnsafeValueError, match="is not a plain Python name"):
        check_parameters({name: 1}, "notebook 01")


def test_check_parameters_names_the_nested_path():
    with pytest.raises(UnsafeValueError, match=r"^set 'a': parameter classes\[2\]: a bytes "):
        check_parameters({"window": 3, "classes": ["x", "y", b"z"]}, "set 'a'")
