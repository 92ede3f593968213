"""The parameter table: what the command line and the notebooks refuse before any data is read."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from analysis.errors import AnalysisError
from analysis.params import (
    FREQUENCY_NAMES,
    HEADLINE_NAMES,
    INTERCEPTION_CLASSES,
    MASSED_RULES,
    RULES,
    ParameterError,
    check_values,
)
from analysis.paths import ProjectPaths
from analysis.publish.notebooks import declared_parameters
from tests.imports import heavy_loaded

NOTEBOOKS = ProjectPaths().notebooks


def _cell(stem: str, index: int) -> str:
    nb = json.loads((NOTEBOOKS / f"{stem}.ipynb").read_text(encoding="utf-8"))
    source = nb["cells"][index]["source"]
    return "".join(source) if isinstance(source, list) else source


def _defaults(stem: str) -> dict:
    """The values a notebook's parameters cell assigns."""
    namespace: dict = {}
    exec(_cell(stem, 0), namespace)  # noqa: S102 - the project's own parameters cell
    return {k: v for k, v in namespace.items() if not k.startswith("__")}


def test_good_values_come_back_checked_and_other_names_unchanged():
    checked = check_values(
        {
            "horizon": 8,
            "origins": 52,
            "groups": "drones, missiles, drones",
            "window": 26,
            "growth_windows": "12, 6, 12",
            "start": dt.date(2025, 1, 1),
            "end": "2025-12-31",
            "n_placebo": None,
            "events": "all",
            "label": "kept",
        },
        "grid.yaml",
    )
    assert checked == {
        "horizon": 8,
        "origins": 52,
        "groups": ["drones", "missiles"],
        "window": 26,
        "growth_windows": [6, 12],
        "start": "2025-01-01",
        "end": "2025-12-31",
        "n_placebo": None,
        "events": "all",
        "label": "kept",
    }


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"horizon": -1}, "horizon -1 must be a whole number from 1 to 26"),
        ({"horizon": 27}, "horizon 27 must be a whole number from 1 to 26"),
        ({"horizon": True}, "horizon True must be a whole number from 1 to 26"),
        ({"horizon": 2.0}, "horizon 2.0 must be a whole number from 1 to 26"),
        ({"origins": 3}, "origins 3 must be a whole number from 4 to 104"),
        ({"window": 7}, "window 7 must be a whole number from 8 to 104"),
        ({"lag": 27}, "lag 27 must be a whole number from 0 to 26"),
        (
            {"n_placebo": 0},
            "n_placebo 0 must be None (every eligible date) or a whole number from 1 to 1000",
        ),
        ({"top_n": 51}, "top_n 51 must be a whole number from 1 to 50"),
        ({"massed_rule": "median"}, "massed_rule 'median' is not one of relative, fixed"),
        ({"massed_rule": ["fixed"]}, "massed_rule ['fixed'] is not one of relative, fixed"),
        ({"massed_size": 0}, "massed_size 0 must be a whole number from 1 to 5000"),
        ({"massed_size": 250.0}, "massed_size 250.0 must be a whole number from 1 to 5000"),
        ({"freq": "Q"}, "freq 'Q' is not one of D, W, M"),
        ({"growth_windows": [6, 60]}, "growth_windows 60 must be a whole number from 1 to 48"),
        (
            {"growth_windows": []},
            "growth_windows [] must be a non-empty list of whole numbers from 1 to 48, "
            "e.g. [6, 12]",
        ),
        (
            {"groups": ["cruise_missile"]},
            "groups: cannot be forecast: 'cruise_missile'; allowed: drones, missiles",
        ),
        ({"start": "2025-02-30"}, "start '2025-02-30' is not a date; use YYYY-MM-DD"),
        ({"end": "2025-01-01\n"}, "end '2025-01-01\\n' is not a date; use YYYY-MM-DD"),
        ({"start": "2025-12-31", "end": "2025-01-01"}, "end 2025-01-01 is before start 2025-12-31"),
        ({"release": "../2026-04-05"}, "release '../2026-04-05' is not a release"),
        ({"events": ""}, 'events is empty; give event ids, or "all"'),
        (
            {"events": ["russia-iran-treaty-signed", "Treaty 2"]},
            "events: 'Treaty 2' is not an event id",
        ),
    ],
)
def test_a_bad_value_names_where_the_parameter_and_what_is_allowed(parameters, message):
    with pytest.raises(ParameterError) as caught:
        check_values(parameters, "grid.yaml: set 'long'")
    assert str(caught.value).startswith(f"grid.yaml: set 'long': {message}")
    assert "\n" not in str(caught.value)


def test_the_rules_of_the_notebooks_named_apply_and_no_others():
    # notebook 02 models any group; notebook 03 only the three interception classes
    assert check_values({"classes": ["drones"]}, "x", ["02_escalation_trends"]) == {
        "classes": ["drones"]
    }
    with pytest.raises(
        ParameterError,
        match="^x: classes: cannot be modelled for interception: 'drones'; allowed: strike_drone",
    ):
        check_values(
            {"classes": ["drones"]}, "x", ["02_escalation_trends", "03_salvo_and_interception"]
        )
    with pytest.raises(ParameterError, match="cannot be modelled for interception"):
        check_values({"classes": ["drones"]}, "x")  # every notebook by default
    assert check_values(
        {"massed_rule": "fixed", "massed_size": 300}, "x", ["03_salvo_and_interception"]
    ) == {"massed_rule": "fixed", "massed_size": 300}
    # a notebook with no rules (a test notebook) checks nothing
    assert check_values({"horizon": -1}, "x", ["01_alpha"]) == {"horizon": -1}


def test_a_long_list_of_bad_names_is_cut_short_with_a_count():
    bad = [f"tank{i}" for i in range(20)]
    with pytest.raises(ParameterError) as caught:
        check_values({"classes": bad}, "grid.yaml", ["02_escalation_trends"])
    text = str(caught.value)
    assert text.startswith(
        "grid.yaml: classes: unknown 'tank0', 'tank1', 'tank2', 'tank3', "
        "'tank4' and 15 more; allowed: drones, missiles, strike_drone"
    )
    assert "tank5" not in text and len(text) < 400


def test_a_long_value_is_shown_cut_short():
    with pytest.raises(ParameterError) as caught:
        check_values({"start": "x" * 500}, "grid.yaml")
    assert str(caught.value) == (
        "grid.yaml: start '" + "x" * 59 + "... (502 chars) is not a "
        "date; use YYYY-MM-DD, e.g. 2025-01-31"
    )


def test_without_where_the_message_starts_with_the_parameter():
    with pytest.raises(ParameterError, match="^window 3 must be a whole number from 8 to 104$"):
        check_values({"window": 3}, "")


def test_parameter_error_is_printed_by_the_command_line_like_any_analysis_error():
    assert issubclass(ParameterError, AnalysisError)
    assert issubclass(ParameterError, ValueError)  # callers that caught ValueError still do


def test_the_names_in_the_table_agree_with_the_package():
    from analysis.data.attacks import RULES as ATTACK_RULES
    from analysis.data.series import FREQUENCIES, HEADLINE_GROUPS
    from analysis.models.interception import CLASSES

    assert MASSED_RULES == ATTACK_RULES
    assert HEADLINE_NAMES == tuple(HEADLINE_GROUPS)
    assert FREQUENCY_NAMES == tuple(FREQUENCIES)
    assert INTERCEPTION_CLASSES == CLASSES


def test_every_rule_is_a_parameter_its_notebook_declares_and_its_defaults_pass():
    stems = sorted(p.stem for p in NOTEBOOKS.glob("0*.ipynb"))
    assert stems == sorted(RULES)
    for stem in stems:
        assert set(RULES[stem]) <= declared_parameters(NOTEBOOKS / f"{stem}.ipynb"), stem
        defaults = _defaults(stem)
        assert defaults["project_root"] is None
        check_values(defaults, stem, [stem])


class _Shell:
    """Stands in for IPython: the validation cells start with ``%matplotlib inline``."""

    def run_line_magic(self, *_args) -> None:
        pass


@pytest.mark.parametrize(
    ("stem", "bad", "message"),
    [
        ("01_data_overview", {"start": "2025-13-01"}, "parameters: start '2025-13-01' is not"),
        (
            "02_escalation_trends",
            {"growth_windows": [60]},
            "parameters: growth_windows 60 must be a whole number from 1 to 48",
        ),
        (
            "03_salvo_and_interception",
            {"classes": ["recon_drone"]},
            "parameters: classes: cannot be modelled for interception: 'recon_drone'",
        ),
        (
            "03_salvo_and_interception",
            {"massed_rule": "Fixed"},
            "parameters: massed_rule 'Fixed' is not one of relative, fixed",
        ),
        (
            "04_supply_partnerships",
            {"window": 3},
            "parameters: window 3 must be a whole number from 8 to 104",
        ),
        ("05_forecast", {"horizon": -1}, "parameters: horizon -1 must be a whole number from 1"),
    ],
)
def test_each_notebook_validation_cell_refuses_with_the_table(stem, bad, message, tmp_path):
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(_cell(stem, 1))
    namespace = {
        **_defaults(stem),
        **bad,
        "processed_dir": str(tmp_path),
        "output_dir": str(tmp_path),
        "get_ipython": _Shell,
    }
    with pytest.raises(ParameterError) as caught:
        exec(code, namespace)  # noqa: S102 - the project's own validation cell
    assert str(caught.value).startswith(message)
    assert not list(tmp_path.iterdir())  # refused before anything was written


def test_importing_the_checks_loads_no_heavy_library():
    assert heavy_loaded("import analysis.params") == ([], "")
