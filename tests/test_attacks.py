import numpy as np
import pandas as pd
import pytest

from analysis.data.attacks import (
    FIXED_SIZE,
    MIN_SIZE,
    RULES,
    classify_waves,
    earlier_median,
    massed_series,
    other_rule,
    wave_sizes,
)


def _waves(starts, drones, missiles=None):
    """Waves starting at ``starts`` (Kyiv times) with the given headline launches."""
    start = pd.to_datetime(pd.Series(starts)).dt.tz_localize("Europe/Kyiv")
    return pd.DataFrame(
        {
            "wave_id": range(len(starts)),
            "start": start,
            "date": start.dt.date,
            "drones_launched": drones,
            "missiles_launched": missiles if missiles is not None else [0] * len(starts),
        }
    )


def _simulated(seed=7, n=240, planted=(40, 41, 90, 150, 151, 152, 230)):
    """Two waves a day of 20-60 launches, with massed waves of 250-700 planted at ``planted``."""
    rng = np.random.default_rng(seed)
    drones = rng.integers(20, 61, size=n)
    drones[list(planted)] = rng.integers(250, 701, size=len(planted))
    starts = pd.date_range("2025-01-01 20:00", periods=n, freq="12h")
    return _waves(starts, drones), set(planted)


def test_relative_rule_recovers_exactly_the_planted_massed_waves():
    waves, planted = _simulated()
    classes = classify_waves(waves)
    assert set(classes.index[classes == "massed"]) == planted
    assert set(classes.unique()) == {"massed", "routine"}


def test_fixed_rule_recovers_the_planted_waves_and_follows_its_bar():
    waves, planted = _simulated(seed=11)
    assert set(waves.index[classify_waves(waves, rule="fixed") == "massed"]) == planted
    assert (classify_waves(waves, rule="fixed", fixed_size=20) == "massed").all()


def test_size_is_drones_plus_missiles_and_min_size_applies_to_the_sum():
    waves = _waves(["2025-01-01", "2025-01-02", "2025-01-03"], [10, 10, 60], [0, 0, 45])
    assert wave_sizes(waves).tolist() == [10, 10, 105]
    assert classify_waves(waves).tolist() == ["routine", "routine", "massed"]
    assert classify_waves(waves, min_size=106).tolist() == ["routine"] * 3


def test_waves_that_launched_nothing_do_not_drag_the_baseline_down():
    starts = pd.date_range("2025-01-01", periods=9, freq="D")
    waves = _waves(starts, [40, 0, 40, 0, 0, 40, 0, 0, 110])
    assert earlier_median(waves, 28).iloc[-1] == 40.0
    assert classify_waves(waves).iloc[-1] == "routine"
    assert classify_waves(waves, factor=2.5).iloc[-1] == "massed"


def test_only_waves_within_the_window_before_the_start_form_the_baseline():
    waves = _waves(
        ["2025-01-01 20:00", "2025-02-05 20:00", "2025-02-06 20:00", "2025-02-07 08:00"],
        [900, 30, 150, 30],
    )
    medians = earlier_median(waves, 28)
    assert medians.isna().tolist() == [True, True, False, False]
    assert medians.iloc[2:].tolist() == [30.0, 90.0]
    assert classify_waves(waves).tolist() == ["massed", "routine", "massed", "routine"]


def test_a_wave_without_an_earlier_baseline_is_judged_on_min_size_alone():
    waves = _waves(["2025-01-01", "2025-03-01"], [120, 99])
    assert classify_waves(waves).tolist() == ["massed", "routine"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rule": "median"}, "rule"),
        ({"factor": 0}, "factor"),
        ({"window_days": -1}, "window_days"),
        ({"min_size": -5}, "min_size"),
        ({"fixed_size": 0}, "fixed_size"),
    ],
)
def test_bad_parameters_are_named(kwargs, message):
    waves = _waves(["2025-01-01"], [10])
    with pytest.raises(ValueError, match=message):
        classify_waves(waves, **kwargs)


def test_the_default_bars_are_the_named_constants():
    waves = _waves(["2025-01-01", "2025-03-01"], [FIXED_SIZE - 1, FIXED_SIZE])
    assert classify_waves(waves, rule="fixed").tolist() == ["routine", "massed"]
    first = _waves(["2025-01-01"], [MIN_SIZE])
    assert classify_waves(first).tolist() == ["massed"]


def test_other_rule_is_the_stated_alternative_and_refuses_an_unknown_rule():
    assert [other_rule(rule) for rule in RULES] == ["fixed", "relative"]
    with pytest.raises(ValueError, match="median"):
        other_rule("median")


def test_massed_series_counts_sizes_and_shares_per_month_with_quiet_months_zero():
    waves = _waves(
        ["2025-01-05", "2025-01-20", "2025-01-25", "2025-03-02"], [100, 300, 500, 40], [0, 0, 0, 0]
    )
    classes = pd.Series(["routine", "massed", "massed", "routine"])
    monthly = massed_series(waves, classes, "M").set_index("period")
    january = monthly.loc["2025-01-01"]
    assert january[["waves", "launched", "massed", "massed_launched"]].tolist() == [3, 900, 2, 800]
    assert (january["massed_median"], january["massed_largest"]) == (400.0, 500)
    assert january["massed_share"] == pytest.approx(800 / 900)
    february = monthly.loc["2025-02-01"]
    assert february[["waves", "massed", "massed_largest"]].tolist() == [0, 0, 0]
    assert np.isnan(february["massed_share"]) and np.isnan(february["massed_median"])
    assert monthly.loc["2025-03-01", "massed_share"] == 0.0
    assert monthly["complete"].tolist() == [False, True, False]


def test_massed_series_rejects_an_unknown_frequency():
    waves = _waves(["2025-01-01"], [10])
    with pytest.raises(ValueError, match="freq"):
        massed_series(waves, classify_waves(waves), "Q")


def _massed_per_year(waves, **kwargs):
    classes = classify_waves(waves, **kwargs)
    years = pd.to_datetime(waves["date"].astype(str)).dt.year
    return (classes == "massed").groupby(years).sum().to_dict()


def test_real_massed_attacks_per_year_under_each_rule(real_waves):
    assert _massed_per_year(real_waves) == {2022: 2, 2023: 2, 2024: 11, 2025: 45, 2026: 14}
    assert _massed_per_year(real_waves, rule="fixed") == {
        2022: 0,
        2023: 0,
        2024: 2,
        2025: 58,
        2026: 26,
    }


def test_real_largest_massed_attack_and_monthly_share(real_waves):
    monthly = massed_series(real_waves, classify_waves(real_waves)).set_index("period")
    assert monthly["massed_largest"].max() == 823
    assert monthly["massed_largest"].idxmax() == pd.Timestamp("2025-09-01")
    july = monthly.loc["2025-07-01"]
    assert july[["waves", "launched", "massed", "massed_launched"]].tolist() == [60, 6511, 12, 5031]
    assert july["massed_share"] == pytest.approx(0.7727, abs=1e-4)
