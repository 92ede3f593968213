"""Findings, charts and notebook of salvo size and interception.

The sentences are checked on small hand-made model results (every number in a sentence must
come from the result it describes); the notebook is executed once on the real snapshot with
non-default parameters, and once with a bad parameter that must stop it in its validation
cell.
"""

from __future__ import annotations

import datetime as dt
import re

import nbformat
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis.figures import salvo as charts
from analysis.figures.style import credit
from analysis.findings import salvo as findings
from analysis.findings.cards import defeated_card
from analysis.findings.text import bullets
from analysis.modelresult import ModelResult
from analysis.models.interception import RecentShare
from analysis.params import ParameterError
from analysis.paths import PROJECT_ROOT
from analysis.publish.plainwords import jargon_in
from analysis.results import Publisher, read_results

NOTEBOOK = PROJECT_ROOT / "notebooks" / "03_salvo_and_interception.ipynb"
STEM = NOTEBOOK.stem
VALIDATION_CELL_ID = "salvo-01"
_DATE = re.compile(r"\d{4}-\d{2}(-\d{2})?")
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def numbers_in(text: str) -> set[str]:
    """Numbers written in ``text`` (dates removed), without thousands separators."""
    return {n.replace(",", "") for n in _NUMBER.findall(_DATE.sub(" ", text))}


def dates_in(text: str) -> set[str]:
    return {m.group(0) for m in _DATE.finditer(text)}


def _allowed(*values, digits=(0, 1)) -> set[str]:
    """Every way a value may be written: rounded to ``digits`` decimals, trailing .0 dropped."""
    out = {"95"}  # the confidence level
    for value in values:
        for d in digits:
            text = f"{float(value):.{d}f}"
            out.add(text)
            out.add(text[:-2] if text.endswith(".0") else text)
            out.add(text.lstrip("-"))
    return out


@pytest.fixture
def pub(tmp_path) -> Publisher:
    return Publisher(tmp_path, "test")


def _found(pub: Publisher, key: str) -> dict:
    return next(f for f in pub.findings if f["key"] == key)


# ---- hand-made results -----------------------------------------------------------------------


def _ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def salvo_result(drone_slope=(23.46, 18.72, 28.21), missiles=True) -> ModelResult:
    rows = []

    def add(measure, quantile, spec, segment, start, end, slope, low, high, n=123):
        rows.append(
            {
                "population": "timed",
                "measure": measure,
                "quantile": quantile,
                "spec": spec,
                "segment": segment,
                "start": _ts(start),
                "end": _ts(end),
                "n_waves": n,
                "slope": slope,
                "se": 1.0,
                "ci_low": low,
                "ci_high": high,
                "p_value": 0.0004,
            }
        )

    add("drones", 0.5, "linear", 0, "2023-01-02", "2025-06-30", *drone_slope)
    add("drones", 0.5, "piecewise", 0, "2023-01-02", "2025-01-01", 11.37, 6.42, 16.33)
    add("drones", 0.5, "piecewise", 1, "2025-01-01", "2025-06-30", 52.81, 30.06, 75.55)
    add("drones", 0.9, "linear", 0, "2023-01-02", "2025-06-30", 61.2, 40.4, 82.0)
    add("drones", 0.9, "piecewise", 0, "2023-01-02", "2025-01-01", 31.74, 21.18, 42.29)
    add("drones", 0.9, "piecewise", 1, "2025-01-01", "2025-06-30", 212.9, 150.3, 275.4)
    if missiles:
        add("missiles", 0.5, "linear", 0, "2023-01-05", "2025-06-20", -0.36, -1.24, 0.52, 77)
    slopes = pd.DataFrame(rows)
    records = pd.DataFrame(
        {
            "by": ["drones", "drones", "missiles", "missiles"],
            "rank": [1, 2, 1, 2],
            "wave_id": [40, 30, 10, 40],
            "date": [_ts("2025-05-17"), _ts("2025-03-02"), _ts("2023-12-29"), _ts("2025-05-17")],
            "time_known": [True, True, False, True],
            "drones": [1234, 987, 21, 1234],
            "missiles": [17, 5, 143, 17],
        }
    )
    progression = pd.DataFrame(
        {
            "measure": ["drones"] * 3 + ["missiles"] * 2,
            "date": [
                _ts("2023-01-02"),
                _ts("2025-03-02"),
                _ts("2025-05-17"),
                _ts("2023-01-05"),
                _ts("2023-12-29"),
            ],
            "wave_id": [1, 30, 40, 2, 10],
            "time_known": [True, True, True, True, False],
            "record": [6, 987, 1234, 4, 143],
            "previous_record": [0, 6, 987, 0, 4],
            "previous_date": [
                pd.NaT,
                _ts("2023-01-02"),
                _ts("2025-03-02"),
                pd.NaT,
                _ts("2023-01-05"),
            ],
        }
    )
    progression["days_since_previous"] = (
        progression["date"] - progression["previous_date"]
    ).dt.days.astype("Int64")
    grid = pd.date_range("2023-01-01", "2025-06-01", freq="MS")
    fitted = pd.concat(
        [
            pd.DataFrame(
                {
                    "measure": m,
                    "quantile": q,
                    "spec": s,
                    "date": grid,
                    "years": np.arange(len(grid)) / 12,
                    "fitted": base + slope * np.arange(len(grid)) / 12,
                    "ci_low": base - 3 + slope * np.arange(len(grid)) / 12,
                    "ci_high": base + 3 + slope * np.arange(len(grid)) / 12,
                }
            )
            for m, base in (("drones", 20.0), ("missiles", 5.0))
            for q, slope in ((0.5, 10.0), (0.9, 40.0))
            for s in ("linear", "piecewise")
        ],
        ignore_index=True,
    )
    summary = {
        "origin": "2023-01-02",
        "knots": "2025-01-01",
        "waves": 321,
        "timed_drone_waves": 123,
        "timed_missile_waves": 77,
    }
    return ModelResult(
        "salvo",
        summary,
        {
            "slopes": slopes,
            "records": records,
            "record_progression": progression,
            "fitted": fitted,
            "quarterly": pd.DataFrame(),
        },
    )


_EFFECTS = {  # class: salvo, change, low, high, rate, rate doubled, n waves
    "strike_drone": (64.5, 4.37, 1.92, 6.81, 0.8123, 0.8561, 211),
    "cruise_missile": (6.0, -5.64, -9.02, -2.26, 0.7012, 0.6448, 88),
    "ballistic_missile": (3.0, 1.21, -2.47, 4.89, 0.2216, 0.2337, 54),
}


def interception_result(classes=tuple(_EFFECTS), kinetic=(0.31, -1.77, 2.39)) -> ModelResult:
    effect_rows, fit_rows, coef_rows, bins, years = [], [], [], [], []
    for c in classes:
        salvo, change, low, high, rate, rate2, n = _EFFECTS[c]
        measures = [("defeat", change, low, high)]
        if c == "strike_drone" and kinetic is not None:
            measures.append(("kinetic", *kinetic))
        for measure, ch, lo, hi in measures:
            effect_rows.append(
                {
                    "weapon_class": c,
                    "measure": measure,
                    "salvo": salvo,
                    "salvo_doubled": 2 * salvo,
                    "reference_date": _ts("2024-11-20"),
                    "rate": rate,
                    "rate_ci_low": rate - 0.03,
                    "rate_ci_high": rate + 0.03,
                    "rate_doubled": rate2,
                    "rate_doubled_ci_low": rate2 - 0.03,
                    "rate_doubled_ci_high": rate2 + 0.03,
                    "change_points": ch,
                    "change_ci_low": lo,
                    "change_ci_high": hi,
                }
            )
            fit_rows.append(
                {
                    "weapon_class": c,
                    "measure": measure,
                    "n_waves": n if measure == "defeat" else 97,
                    "fitted": True,
                }
            )
            for term, est in (("const", 1.0), ("log2_salvo", 0.2), ("years", -0.1)):
                coef_rows.append(
                    {
                        "weapon_class": c,
                        "measure": measure,
                        "model": "beta_binomial",
                        "term": term,
                        "estimate": est,
                        "se": 0.1,
                        "ci_low": est - 0.2,
                        "ci_high": est + 0.2,
                        "p_value": 0.01,
                        "n_waves": n,
                    }
                )
        bins.append(
            pd.DataFrame(
                {
                    "weapon_class": c,
                    "measure": "defeat",
                    "salvo": ["1-1", "2-9", "10+"],
                    "waves": [5, 10, 4],
                    "launched": [5, 50, 80],
                    "successes": [3, 35, 70],
                }
            )
        )
        years.append(
            pd.DataFrame(
                {
                    "weapon_class": c,
                    "measure": "defeat",
                    "year": [2024, 2025],
                    "waves": [9, 10],
                    "timed_waves": [9, 10],
                    "launched": [90, 100],
                    "successes": [80, 70],
                }
            )
        )
    by_salvo = pd.concat(bins, ignore_index=True)
    by_year = pd.concat(years, ignore_index=True)
    for frame in (by_salvo, by_year):
        frame["rate"] = frame["successes"] / frame["launched"]
        frame["ci_low"], frame["ci_high"] = frame["rate"] - 0.05, frame["rate"] + 0.05
    tables = {
        "effects": pd.DataFrame(effect_rows),
        "fits": pd.DataFrame(fit_rows),
        "coefficients": pd.DataFrame(coef_rows),
        "by_salvo": by_salvo,
        "by_year": by_year,
        "sensitivity": pd.DataFrame(),
        "exclusions": pd.DataFrame(),
    }
    return ModelResult("interception", {"origin": "2023-01-02"}, tables)


# ---- parameters -----------------------------------------------------------------------------


def test_interception_classes_are_checked():
    assert findings.check_interception_classes("strike_drone, ballistic_missile") == [
        "strike_drone",
        "ballistic_missile",
    ]
    assert findings.check_interception_classes(["cruise_missile", "cruise_missile"]) == [
        "cruise_missile"
    ]
    for bad in (["strike_drone", "recon_drone"], ["drones"], ["shahed"], []):
        with pytest.raises(ParameterError, match="^classes"):
            findings.check_interception_classes(bad)


# ---- salvo findings ---------------------------------------------------------------------------


def test_drone_record_sentence_and_numbers(pub):
    salvo = salvo_result()
    text = findings.drone_record(salvo, pub)
    assert text == (
        "The largest drone attack of the period, on 17 May 2025, launched 1,234 drones (decoys "
        "included) and 17 missiles. The record for a single attack was broken 2 times, from 6 "
        "drones on 2 Jan 2023."
    )
    assert not dates_in(text)
    found = _found(pub, "record_drones_wave")
    assert found["value"] == 1234 and found["headline"] is False
    assert pub.numbers["record_drones"] == 1234
    assert pub.numbers["record_drones_date"] == "2025-05-17"


def test_decoys_are_mentioned_only_from_the_year_they_are_counted(pub):
    salvo = salvo_result()
    early = salvo.table("records").assign(date=_ts("2024-08-26"))
    result = ModelResult("salvo", salvo.summary, {**salvo.tables, "records": early})
    assert "decoys" not in findings.drone_record(result, pub)
    assert "decoys" in findings.drone_record(salvo, pub)


def test_missile_record_flags_an_untimed_wave(pub):
    text = findings.missile_record(salvo_result(), pub)
    assert "on 29 Dec 2023, launched 143 missiles of all types and 21 drones" in text
    assert "broken once, from 4 missiles on 5 Jan 2023" in text
    assert text.endswith(
        "Its reports give no time of day, so it may join several attacks of that day."
    )
    assert _found(pub, "record_missiles_wave")["headline"] is False


def test_no_wave_with_the_weapon(pub):
    salvo = salvo_result()
    records = salvo.table("records").assign(drones=0)
    empty = ModelResult("salvo", salvo.summary, {**salvo.tables, "records": records})
    assert findings.drone_record(empty, pub).startswith("No attack in the period")
    assert "record_drones" not in pub.numbers


def test_size_verdict_reads_the_headline_interval_in_plain_words():
    assert findings.size_verdict(39.8, 24.1, 55.4, "drones") == (
        "grew by about 40 drones a year, plausibly 24 to 55"
    )
    assert findings.size_verdict(-3.0, -5.2, -0.8, "drones") == (
        "shrank by about 3.0 drones a year, plausibly 0.8 to 5.2"
    )
    assert findings.size_verdict(-1.6, -3.9, 0.8, "missiles") == (
        "showed no clear change (somewhere between -3.9 and +0.8 missiles a year)"
    )
    assert findings.size_verdict(float("nan"), 1.0, 2.0, "drones") == "could not be estimated"


def test_median_growth_is_one_plain_verdict_with_numbers_from_the_slopes(pub):
    salvo = salvo_result()
    text = findings.median_growth(salvo, pub)
    assert text == (
        "From Jan 2023 to Jun 2025, the typical drone attack grew by about 23 drones a year, "
        "plausibly 19 to 28. From Jan 2025 the drone counts include decoys, so part of the "
        "growth is decoys."
    )
    assert jargon_in(text) == []
    found = _found(pub, "median_growth_drones")
    assert (found["value"], found["low"], found["high"]) == (23, 19, 28)  # as written
    assert found["headline"] is True
    assert pub.numbers["drones_q50_slope"] == 23.46


def test_median_growth_detail_keeps_the_interval_the_waves_and_the_bend():
    text = findings.median_growth_detail(salvo_result())
    assert "grew by 23 drones a year (95% CI 19 to 28)" in text
    assert "11 a year from 2 Jan 2023 to 1 Jan 2025 (95% CI 6 to 16)" in text
    assert "53 a year from 1 Jan 2025 to 30 Jun 2025 (95% CI 30 to 76)" in text
    assert "123 waves, quantile regression" in text
    slopes = salvo_result().table("slopes")
    drone_median = slopes[(slopes["measure"] == "drones") & (slopes["quantile"] == 0.5)]
    values = drone_median[["slope", "ci_low", "ci_high"]].to_numpy().ravel()
    assert numbers_in(text) <= _allowed(*values, 123) | {"2023", "2025", "1", "2", "30"}


def test_median_growth_without_a_clear_trend_and_without_waves(pub):
    text = findings.median_growth(salvo_result(), pub, "missiles", headline=False)
    assert text == (
        "From Jan 2023 to Jun 2025, the typical missile attack showed no clear change "
        "(somewhere between -1.2 and +0.5 missiles a year)."
    )
    detail = findings.median_growth_detail(salvo_result(), "missiles")
    assert "showed no clear trend: -0.4 missiles a year (95% CI -1.2 to 0.5, an interval" in detail
    falling = findings.median_growth(salvo_result((-3.0, -5.2, -0.8)), pub)
    assert "the typical drone attack shrank by about 3.0 drones a year, plausibly 0.8 to 5.2" in (
        falling
    )
    none = findings.median_growth(salvo_result(missiles=False), pub, "missiles")
    assert none.startswith("Too few attacks with missiles")
    no_fit = findings.median_growth_detail(salvo_result(missiles=False), "missiles")
    assert no_fit.startswith("Too few timed waves")


def test_q90_growth_per_segment(pub):
    text = findings.q90_growth(salvo_result(), pub)
    assert "from 2023-01-02 to 2025-01-01 they grew by 32 drones a year (95% CI 21 to 42)" in text
    assert (
        "from 2025-01-01 to 2025-06-30 they grew by 213 drones a year (95% CI 150 to 275)" in text
    )
    assert "set by the calendar" in text
    found = _found(pub, "q90_growth_drones")
    assert found["value"] == 213 and found["headline"] is False


# ---- interception findings --------------------------------------------------------------------


def test_overwhelm_verdict_reads_the_headline_interval_in_plain_words():
    assert findings.overwhelm_verdict(4.37, 1.92, 6.81) == (
        "about 4.4 percentage points more, plausibly 1.9 to 6.8 points more, so no sign that "
        "larger attacks overwhelmed the defences"
    )
    assert findings.overwhelm_verdict(-5.64, -9.02, -2.26) == (
        "about 5.6 percentage points fewer, plausibly 2.3 to 9.0 points fewer, the pattern "
        "expected if larger attacks overwhelm the defences"
    )
    assert findings.overwhelm_verdict(1.21, -2.47, 4.89) == (
        "no clear change (somewhere between -2.5 and +4.9 percentage points), so no sign either way"
    )
    assert findings.overwhelm_verdict(float("nan"), 0.0, 1.0) == "could not be estimated"


@pytest.mark.parametrize(
    "weapon_class, wording",
    [
        (
            "strike_drone",
            "Strike drones: 86% were stopped in an attack twice the typical size, against 81% "
            "in a typical one: about 4.4 percentage points more, plausibly 1.9 to 6.8",
        ),
        ("cruise_missile", "against 70% in a typical one: about 5.6 percentage points fewer"),
        ("ballistic_missile", "no clear change (somewhere between -2.5 and +4.9 percentage"),
    ],
)
def test_doubling_effect_in_plain_words(pub, weapon_class, wording):
    interception = interception_result()
    text = findings.doubling_effect(interception, weapon_class, pub)
    assert wording in text
    assert jargon_in(text) == [] and len(text.split()) <= 45
    salvo, change, low, high, rate, rate2, n = _EFFECTS[weapon_class]
    allowed = _allowed(change, low, high) | {f"{100 * rate:.0f}", f"{100 * rate2:.0f}"}
    assert numbers_in(text) <= allowed
    found = _found(pub, f"doubling_{weapon_class}")
    assert (found["value"], found["low"], found["high"]) == (
        round(change, 1),
        round(low, 1),
        round(high, 1),
    )
    assert found["unit"] == "percentage points"
    assert pub.numbers[f"doubling_{weapon_class}_points"] == round(change, 2)


def test_doubling_effects_mark_the_first_class_as_headline(pub):
    classes = ["ballistic_missile", "strike_drone"]
    texts = findings.doubling_effects(interception_result(classes), classes, pub)
    assert len(texts) == 2
    assert _found(pub, "doubling_ballistic_missile")["headline"] is True
    assert _found(pub, "doubling_strike_drone")["headline"] is False


@pytest.mark.parametrize(
    "weapon_class, wording",
    [
        ("strike_drone", "4.4 percentage points higher (95% CI 1.9 to 6.8)"),
        ("cruise_missile", "5.6 percentage points lower, the pattern saturation"),
        (
            "ballistic_missile",
            "no clear change in the defeat rate, 1.2 percentage points (95% CI "
            "-2.5 to 4.9, an interval that includes zero)",
        ),
    ],
)
def test_doubling_detail_gives_the_interval_model_and_caveat(weapon_class, wording):
    text = findings.doubling_detail(interception_result(), weapon_class)
    assert wording in text
    assert "association" in text and "not evidence that salvo size causes" in text
    assert "beta-binomial regression" in text and "20 Nov 2024" in text
    salvo, change, low, high, rate, rate2, n = _EFFECTS[weapon_class]
    allowed = _allowed(change, low, high, salvo, 2 * salvo, n) | {
        f"{100 * rate:.0f}",
        f"{100 * rate2:.0f}",
        "20",
        "2024",
    }
    assert numbers_in(text) <= allowed
    assert findings.doubling_details(interception_result(), ["strike_drone"]) == [
        findings.doubling_detail(interception_result(), "strike_drone")
    ]


def test_doubling_effect_without_a_fit(pub):
    interception = interception_result(["strike_drone"])
    text = findings.doubling_effect(interception, "cruise_missile", pub)
    assert text.startswith("Cruise missiles: too few attacks in the period")
    detail = findings.doubling_detail(interception, "cruise_missile")
    assert detail.startswith("Too few timed waves with cruise missiles")


def test_kinetic_drone_doubling(pub):
    text = findings.kinetic_drone_doubling(interception_result(), pub)
    assert "97 timed waves" in text and "0.3 percentage points (95% CI -1.8 to 2.4)" in text
    assert "do not show more drones shot down" in text  # defeat CI > 0, kinetic includes 0
    assert findings.kinetic_drone_doubling(interception_result(["cruise_missile"]), pub) is None
    both_up = findings.kinetic_drone_doubling(interception_result(kinetic=(2.0, 1.0, 3.0)), pub)
    assert "do not show" not in both_up


def test_month_intervals_are_explained_in_plain_words(pub):
    salvo = salvo_result()
    plain = findings.median_growth_detail(salvo)
    assert "drawn at random" not in plain  # a model interval gets no such note
    for interval, note in (
        ("block_bootstrap", findings.BOOTSTRAP_NOTE),
        ("fixed_b", findings.MONTHS_NOTE),
    ):
        slopes = salvo.table("slopes").assign(interval=interval)
        boot = ModelResult("salvo", salvo.summary, {**salvo.tables, "slopes": slopes})
        for text in (findings.median_growth_detail(boot), findings.q90_growth(boot, pub)):
            assert note in text
            assert not numbers_in(note)
    interception = interception_result()
    for interval, note in (
        ("cluster_bootstrap", findings.BOOTSTRAP_NOTE),
        ("fixed_b", findings.MONTHS_NOTE),
    ):
        effects = interception.table("effects").assign(interval=interval)
        tables = {**interception.tables, "effects": effects}
        text = findings.doubling_detail(
            ModelResult("interception", interception.summary, tables), "strike_drone"
        )
        assert note in text


def _with_sensitivity(points: dict[str, float]) -> ModelResult:
    interception = interception_result()
    rows = pd.DataFrame(
        {
            "weapon_class": "strike_drone",
            "variant": list(points),
            "n_waves": 211,
            "estimate": 0.2,
            "ci_low": 0.1,
            "ci_high": 0.3,
            "p_value": 0.01,
            "doubling_points": list(points.values()),
        }
    )
    return ModelResult(
        "interception", interception.summary, {**interception.tables, "sensitivity": rows}
    )


def test_doubling_range_over_reasonable_specifications(pub):
    result = _with_sensitivity(
        {"main": 3.16, "quasi_binomial": 4.62, "all_waves": 1.27, "year_effects": 1.67}
    )
    text = findings.doubling_range(result, "strike_drone", pub)
    assert "ranges from 1.3 to 4.6 percentage points, against 3.2 in the main model" in text
    assert "untimed" not in text and "dates only added" in text
    assert "same direction" in text
    assert numbers_in(text) <= {"1.3", "4.6", "3.2"}
    found = _found(pub, "doubling_strike_drone_range")
    assert (found["value"], found["low"], found["high"]) == (3.2, 1.3, 4.6)
    assert found["headline"] is False
    assert pub.numbers["doubling_strike_drone_spec_range"] == [1.3, 4.6]
    mixed = _with_sensitivity({"main": 0.5, "year_effects": -0.8})
    assert "do not even agree on the direction" in findings.doubling_range(
        mixed, "strike_drone", pub
    )
    assert findings.doubling_range(result, "cruise_missile", pub) is None
    assert findings.doubling_ranges(result, list(_EFFECTS), pub) == [text]
    assert findings.doubling_range(interception_result(), "strike_drone", pub) is None


# ---- share stopped and the period line --------------------------------------------------------


def _recent(share=0.8741, low=0.8486, high=0.8996) -> RecentShare:
    return RecentShare(
        "strike_drone",
        3,
        _ts("2026-01-01"),
        _ts("2026-03-01"),
        share,
        low,
        high,
        waves=80,
        launched=15_000,
    )


def test_recent_stopped_gives_the_cards_share_and_range(pub):
    text = findings.recent_stopped(_recent(), pub)
    assert text == (
        "About 87% of the strike drones launched in the last 3 months (Jan to Mar 2026) were "
        "reported stopped, plausibly 85% to 90%."
    )
    found = _found(pub, "defeated_recent")
    assert (found["value"], found["low"], found["high"]) == (0.874, 0.849, 0.9)
    assert found["headline"] is True and jargon_in(text) == []
    card = defeated_card(0.8741, 0.8486, 0.8996, 3, None)
    assert card.value in text and card.detail.split("plausibly ")[1] in text
    missing = findings.recent_stopped(_recent(share=float("nan")), pub, headline=False)
    assert missing == "The share of strike drones stopped in the last 3 months was not estimated."


def test_months_span_is_written_as_a_reader_writes_it():
    assert findings.months_span("2026-01-01", "2026-03-01") == "Jan to Mar 2026"
    assert findings.months_span("2025-12-01", "2026-02-01") == "Dec 2025 to Feb 2026"
    assert findings.months_span("2026-03-01", "2026-03-01") == "Mar 2026"


# ---- reporting practice ----------------------------------------------------------------------


def _example_tables(days=("2025-09-07", "2025-07-09", "2025-07-10")):
    rows = [  # raw_row, wave_id, launched, destroyed, not_reach_goal
        (0, 0, 500, 450, None),
        (1, 1, 400, 100, 250),
        (2, 2, 30, 20, 3),
    ]
    strikes = pd.DataFrame(
        rows, columns=["raw_row", "wave_id", "launched", "destroyed", "not_reach_goal"]
    )
    for column in ("launched", "destroyed", "not_reach_goal"):
        strikes[column] = strikes[column].astype("Int64")
    strikes["weapon_class"] = "strike_drone"
    strikes["model"] = "Shahed-136/131"
    strikes["destroyed_allocated"] = False
    waves = pd.DataFrame(
        {
            "wave_id": [0, 1, 2],
            "time_known": True,
            "date": [dt.date.fromisoformat(d) for d in days],
            "launched_strike_drone": [500, 400, 30],
            "destroyed_strike_drone": [450, 100, 20],
        }
    )
    for c in ("cruise_missile", "ballistic_missile"):
        waves[f"launched_{c}"] = 0
        waves[f"destroyed_{c}"] = 0
    return waves, strikes


def test_reporting_practice_takes_its_numbers_from_the_data(pub):
    waves, strikes = _example_tables()
    examples = findings.reporting_examples(waves, strikes)
    assert examples["launched"].tolist() == [500, 400]
    text = findings.reporting_practice(examples, pub)
    assert "2025-09-07 the destroyed count, 450 of 500 drones" in text
    assert "on 2025-07-09 100 of 400 are reported destroyed and 250 more" in text
    assert "90% against 25%" in text and "90% against 88%" in text
    assert "decoys" in text and "kinetic-only" in text
    assert numbers_in(text) <= {"450", "500", "100", "400", "250", "90", "25", "88"}
    assert pub.numbers["reporting_example_dates"] == ["2025-09-07", "2025-07-09"]


def test_reporting_practice_without_the_example_nights(pub):
    waves, strikes = _example_tables(("2024-01-01", "2024-01-02", "2024-01-03"))
    examples = findings.reporting_examples(waves, strikes)
    assert examples.empty
    assert "not both in this release" in findings.reporting_practice(examples, pub)


def test_split_reporting_counts_waves(pub):
    waves, strikes = _example_tables()
    text = findings.split_reporting(waves, strikes, pub)
    assert text.startswith("2 of the 3 drone waves")
    assert text.endswith("nearly all of them end in 2025-07.")
    assert _found(pub, "split_reporting")["value"] == 2


# ---- charts and tables on the hand-made results -----------------------------------------------


def _texts(fig: Figure) -> str:
    parts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    return "\n".join(parts)


def test_charts_build_with_the_source_credit():
    salvo, interception = salvo_result(), interception_result()
    waves = pd.DataFrame(
        {
            "wave_id": [1, 2, 3],
            "time_known": [True, False, True],
            "date": [dt.date(2023, 1, 2), dt.date(2024, 3, 1), dt.date(2025, 5, 17)],
            "drones_launched": [6, 50, 1234],
            "missiles_launched": [4, 0, 17],
        }
    )
    classes = list(_EFFECTS)
    figures = [
        charts.salvo_size_chart(salvo, waves, release="2099-01-01"),
        charts.record_progression_chart(salvo, waves, release="2099-01-01"),
        charts.defeat_rate_by_year_chart(interception, classes, release="2099-01-01"),
        charts.defeat_by_salvo_chart(interception, classes, release="2099-01-01"),
    ]
    for fig in figures:
        assert isinstance(fig, Figure)
        assert credit("2099-01-01") in _texts(fig)
    assert "1,234 on 17 May 2025" in _texts(figures[1])


def test_chart_titles_state_the_finding_in_plain_words():
    fitted = salvo_result().table("fitted")
    assert (
        charts.salvo_title(fitted)
        == "The typical drone attack grew from about 20 to about 44 drones"
    )
    effects = interception_result().table("effects")
    assert charts.by_salvo_title(effects, ["strike_drone"]) == (
        "Larger attacks had more of their long-range strike drones stopped, not fewer"
    )
    assert charts.by_salvo_title(effects, ["cruise_missile"]) == (
        "Larger attacks had fewer of their cruise missiles stopped"
    )
    assert charts.by_salvo_title(effects, ["ballistic_missile", "strike_drone"]) == (
        "No clear link between attack size and the share of ballistic missiles stopped"
    )
    assert charts.by_salvo_title(effects.iloc[:0], ["strike_drone"]).startswith("Share stopped")


def test_display_tables():
    salvo, interception = salvo_result(), interception_result()
    assert charts.records_table(salvo, "drones")["drones"].tolist() == [1234, 987]
    assert charts.slopes_table(salvo)["per year"].iloc[0] == 23.5
    assert charts.effects_table(interception)["change, points"].tolist()[0] == 4.4
    assert "CI low, waves independent" not in charts.effects_table(interception)
    effects = interception.table("effects").assign(
        change_ci_low_model=3.0, change_ci_high_model=5.7
    )
    shown = charts.effects_table(
        ModelResult("interception", {}, {**interception.tables, "effects": effects})
    )
    assert shown["CI low, waves independent"].tolist()[0] == 3.0
    slopes = salvo.table("slopes").assign(ci_low_model=20.04, ci_high_model=26.96)
    shown = charts.slopes_table(ModelResult("salvo", {}, {**salvo.tables, "slopes": slopes}))
    assert shown["CI high, waves independent"].iloc[0] == 27.0
    sensitivity = _with_sensitivity({"main": 3.16, "all_waves": 1.27})
    table = charts.sensitivity_table(sensitivity)
    assert table["change for a doubling, points"].tolist() == [3.2, 1.3]
    assert charts.by_salvo_table(interception)["launched in the wave"].tolist()[:3] == [
        "1",
        "2-9",
        "10+",
    ]
    assert bullets(["a", "b"]) == "- a\n- b"


# ---- the notebook -----------------------------------------------------------------------------


def test_notebook_markdown_types_no_numbers():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            prose = re.sub(r"`[^`]*`", "", cell.source)
            assert not re.search(r"\d", prose), (cell.id, prose)
    assert "parameters" in notebook.cells[0].metadata.get("tags", [])
    assert notebook.cells[1].id == VALIDATION_CELL_ID


@pytest.mark.real_data
def test_notebook_records_findings_and_files_for_its_parameters(tmp_path, real_processed):
    papermill = pytest.importorskip("papermill")
    classes = ["strike_drone", "ballistic_missile"]
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / f"{STEM}.ipynb"),
        kernel_name="python3",
        parameters={
            "release": "2026-04-05",
            "start": "2025-01-01",
            "classes": classes,
            "top_n": 4,
            "massed_rule": "fixed",
            "massed_size": 300,
            "output_dir": str(tmp_path),
            "processed_dir": str(real_processed),
        },
        cwd=str(NOTEBOOK.parent),
        progress_bar=False,
    )
    record = read_results(tmp_path)[STEM]
    assert record["parameters"]["classes"] == classes and record["parameters"]["top_n"] == 4
    assert record["parameters"]["start"] == "2025-01-01"
    keys = {f["key"]: f for f in record["findings"]}
    assert {
        "record_drones_wave",
        "median_growth_drones",
        "doubling_strike_drone",
        "doubling_ballistic_missile",
        "reporting_practice",
        "massed_attacks",
        "got_through",
    } <= set(keys)
    assert record["parameters"]["massed_rule"] == "fixed"
    assert record["parameters"]["scope"] == "national"
    assert "300" in keys["massed_attacks"]["text"]  # the fixed rule's bar is stated
    assert "doubling_cruise_missile" not in keys  # not among the chosen classes
    headlines = [f for f in record["findings"] if f["headline"]]
    assert [f["key"] for f in headlines] == [
        "median_growth_drones",
        "defeated_recent",
        "doubling_strike_drone",
    ]
    for found in headlines:
        assert jargon_in(found["text"]) == [] and len(found["text"].split()) <= 45
    card = record["numbers"]["card:defeated"]
    assert card["value"] in keys["defeated_recent"]["text"]
    assert card["detail"].split("plausibly ")[1] in keys["defeated_recent"]["text"]
    assert record["files"][0] == f"{STEM}__largest_attacks.png"  # the page's key chart
    numbers = record["numbers"]
    assert numbers["records_per_measure"] == 4  # top_n, not the default 10
    assert numbers["classes_modelled"] == classes
    assert numbers["record_drones"] == 810 and numbers["record_drones_date"] == "2025-09-07"
    assert numbers["reporting_example_dates"] == ["2025-09-07", "2025-07-09"]
    drone = keys["doubling_strike_drone"]
    assert drone["low"] < drone["value"] < drone["high"]
    for bound in (drone["low"], drone["high"]):  # the range is written, whatever the verdict
        assert f"{abs(bound):.1f}" in drone["text"]
    records = pd.read_csv(tmp_path / f"{STEM}__records_drones.csv")
    assert len(records) == 4
    for name in (
        "salvo_size",
        "record_progression",
        "massed_attacks",
        "got_through",
        "defeat_rate_by_year",
        "defeat_rate_by_salvo",
    ):
        assert (tmp_path / f"{STEM}__{name}.png").stat().st_size > 10_000
        assert f"{STEM}__{name}.png" in record["files"]
    assert all((tmp_path / f).is_file() for f in record["files"])

    # The page a reader opens shows no pandas placeholder for a missing value.
    from analysis.publish.execute import render_html

    page = render_html(tmp_path / f"{STEM}.ipynb", "Attacks and defences")
    text = re.sub(r"<style.*?</style>|<script.*?</script>|<[^>]+>", " ", page, flags=re.S)
    assert not re.search(r"\b(?:NaT|NaN|nan)\b|&lt;NA&gt;", text)


@pytest.mark.real_data
def test_a_bad_parameter_stops_the_notebook_in_its_validation_cell(tmp_path, real_processed):
    papermill = pytest.importorskip("papermill")
    out = tmp_path / f"{STEM}.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as caught:
        papermill.execute_notebook(
            str(NOTEBOOK),
            str(out),
            kernel_name="python3",
            parameters={
                "classes": ["strike_drone", "recon_drone"],
                "output_dir": str(tmp_path),
                "processed_dir": str(real_processed),
            },
            cwd=str(NOTEBOOK.parent),
            progress_bar=False,
        )
    error = caught.value
    assert error.ename == "ParameterError"
    assert "classes" in error.evalue and "recon_drone" in error.evalue
    executed = nbformat.read(out, as_version=4)  # with papermill's error banners added
    cells = [
        c for c in executed.cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])
    ]
    assert cells[error.cell_index].id == VALIDATION_CELL_ID  # after the injected parameters
    assert not read_results(tmp_path)  # nothing published
