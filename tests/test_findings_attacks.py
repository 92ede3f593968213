"""Findings of massed attacks and of what got through (analysis/findings/attacks.py).

Sentences are checked on small hand-written waves and strikes, where every number can be
counted by hand, then on the real release as the report reads it (national scope).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.data.attacks import classify_waves, massed_series, other_rule
from analysis.data.overview import Processed, load_processed
from analysis.data.series import got_through
from analysis.findings.attacks import (
    Window,
    got_through_finding,
    got_through_title,
    lost_locally_months,
    massed_finding,
    massed_title,
    recent_window,
    rule_text,
)
from analysis.results import Publisher


@pytest.fixture
def pub(tmp_path: Path) -> Publisher:
    return Publisher(tmp_path, "test")


def recorded(pub: Publisher, key: str) -> dict:
    return next(f for f in pub.findings if f["key"] == key)


def waves_frame(rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    """Waves from ``(date, drones_launched, missiles_launched)``."""
    frame = pd.DataFrame(rows, columns=["date", "drones_launched", "missiles_launched"])
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    return frame


#: One routine wave of 50 on the 10th of every month of 2024 and 2025; massed waves of 400
#: (June 2024), 600 (March 2025), 300 and 500 (July 2025) and 900 (5 January 2026, a month
#: only partly in the period).
ROUTINE = [(f"{m:%Y-%m}-10", 50, 0) for m in pd.date_range("2024-01-01", "2025-12-01", freq="MS")]
MASSED = [
    ("2024-06-20", 380, 20),
    ("2025-03-15", 560, 40),
    ("2025-07-04", 300, 0),
    ("2025-07-20", 450, 50),
    ("2026-01-05", 900, 0),
]


def fixture_waves(start: str = "2024-01-01") -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """The waves above, their classes (massed: 300 or more) and their monthly series from
    ``start`` to 10 January 2026."""
    waves = waves_frame(ROUTINE + MASSED)
    size = waves["drones_launched"] + waves["missiles_launched"]
    classes = size.ge(300).map({True: "massed", False: "routine"})
    monthly = massed_series(waves, classes, "M", start=start, end="2026-01-10")
    return waves, classes, monthly


# The months a finding covers ---------------------------------------------------------------------


def test_recent_window_is_the_last_twelve_complete_months():
    _, _, monthly = fixture_waves()
    window = recent_window(monthly)
    assert window == Window(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-01"), 12)
    assert window.before() == Window(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-01"), 12)
    assert window.sentence() == "In the 12 months from January 2025 to December 2025"
    assert window.span() == "in the 12 months to December 2025"


def test_recent_window_of_a_short_period_takes_what_there_is():
    _, _, monthly = fixture_waves()
    short = monthly[monthly["period"] >= "2025-10-01"]
    assert recent_window(short) == Window(pd.Timestamp("2025-10-01"), pd.Timestamp("2025-12-01"), 3)
    partial = monthly.tail(1)  # January 2026, 10 days only
    window = recent_window(partial)
    assert window == Window(pd.Timestamp("2026-01-01"), pd.Timestamp("2026-01-01"), 1)
    assert window.sentence() == "In January 2026"
    assert recent_window(monthly.iloc[:0]) is None


# Massed attacks ----------------------------------------------------------------------------------


def test_rule_text_names_each_rule_in_plain_words():
    assert rule_text("fixed", 250) == "at least 250 drones and missiles"
    assert rule_text("relative", 250) == (
        "at least 3 times the median wave of the 4 weeks before it and at least 100 drones "
        "and missiles"
    )


def test_massed_finding_counts_shares_sizes_and_the_year_before(pub):
    waves, classes, monthly = fixture_waves()
    alternative = (waves["drones_launched"] + waves["missiles_launched"] >= 500).map(
        {True: "massed", False: "routine"}
    )
    text = massed_finding(
        pub, waves, classes, monthly, rule="relative", fixed_size=500, alternative=alternative
    )
    # January to December 2025: 12 routine waves of 50 and massed waves of 600, 300 and 500.
    assert text.startswith(
        "In the 12 months from January 2025 to December 2025, 3 of the 15 attack waves were "
        "massed attacks under the relative rule, against 1 in the 12 months before."
    )
    assert "They carried 70% of all the drones and missiles" in text  # 1,400 of 2,000
    assert "A typical massed attack launched about 500 drones and missiles" in text
    assert "the largest, on 15 Mar 2025, 600." in text
    assert "Under the relative rule, a wave is massed when it is at least 3 times" in text
    assert text.endswith(
        "Under the fixed rule (massed when at least 500 drones and missiles), 2 would count as "
        "massed."
    )
    found = recorded(pub, "massed_attacks")
    assert (found["value"], found["unit"], found["headline"]) == (3, "massed attacks", False)
    assert pub.numbers["massed_window"] == ["2025-01", "2025-12"]
    assert (pub.numbers["massed_recent"], pub.numbers["waves_recent"]) == (3, 15)
    assert pub.numbers["massed_before"] == 1 and pub.numbers["massed_alternative"] == 2
    assert pub.numbers["massed_share_recent"] == 0.7
    assert pub.numbers["massed_largest_date"] == "2025-03-15"


def test_massed_finding_without_the_year_before_or_any_massed_attack(pub):
    waves, classes, monthly = fixture_waves(start="2025-01-01")
    text = massed_finding(pub, waves, classes, monthly, rule="fixed", fixed_size=300)
    assert "3 of the 15 attack waves were massed attacks under the fixed rule." in text
    assert "months before" not in text and pub.numbers["massed_before"] is None
    assert "Under the fixed rule, a wave is massed when it is at least 300 drones" in text

    routine = classes.map(lambda _: "routine")
    quiet = massed_series(waves, routine, "M", start="2025-01-01", end="2026-01-10")
    text = massed_finding(pub, waves, routine, quiet, rule="relative", fixed_size=300)
    assert text.startswith(
        "In the 12 months from January 2025 to December 2025, none of the 15 attack waves was "
        "a massed attack under the relative rule."
    )
    assert recorded(pub, "massed_attacks")["value"] == 0


def test_massed_title_states_the_count_and_the_year_before():
    _, _, monthly = fixture_waves()
    assert massed_title(monthly) == (
        "3 massed attacks in the 12 months to December 2025, against 1 in the 12 before"
    )
    _, _, later = fixture_waves(start="2025-01-01")
    assert massed_title(later) == "3 massed attacks in the 12 months to December 2025"
    assert massed_title(later.assign(massed=0)) == (
        "No massed attack in the 12 months to December 2025"
    )


# What got through --------------------------------------------------------------------------------


def strikes_frame(rows: list[tuple]) -> pd.DataFrame:
    """Strikes from ``(end_date, weapon_class, launched, destroyed, not_reach_goal)``."""
    columns = ["end_date", "weapon_class", "launched", "destroyed", "not_reach_goal"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({c: "Int64" for c in columns[2:]})


STRIKES = strikes_frame(
    [
        ("2025-01-05", "strike_drone", 100, 60, 30),
        ("2025-01-05", "cruise_missile", 10, 8, None),
        ("2025-02-05", "strike_drone", 200, 150, 2),
        ("2025-02-06", "ballistic_missile", 4, 1, 0),
        ("2025-03-05", "strike_drone", 300, 250, None),
        ("2025-03-05", "cruise_missile", 6, 6, 0),
    ]
)


def test_got_through_finding_gives_both_bounds_per_class_and_when_lost_drones_were_reported(
    pub,
):
    through = got_through(STRIKES, start="2025-01-01", end="2025-03-31")
    text = got_through_finding(pub, through)
    assert text.startswith(
        "In the 3 months from January 2025 to March 2025, the Air Force reported 600 strike "
        "drones launched, 460 shot down and 32 lost locally: between 108 and 140 were not "
        "reported stopped."
    )
    assert (
        "Over the same months, cruise missiles: 16 launched, 14 shot down, 2 not reported "
        "stopped; ballistic missiles: 4 launched, 1 shot down, 3 not reported stopped."
    ) in text
    # 30 of 100 in January; 2 of 200 in February is under one in twenty.
    assert "lost locally in numbers in January 2025; outside that month the two bounds" in text
    found = recorded(pub, "got_through")
    assert (found["value"], found["low"], found["high"]) == (108, 108, 140)
    assert found["unit"] == "strike drones" and found["headline"] is False
    assert pub.numbers["got_through_strike_drone_upper"] == 140
    assert pub.numbers["got_through_cruise_missile_launched"] == 16
    assert pub.numbers["got_through_window"] == ["2025-01", "2025-03"]


def test_got_through_title_and_lost_locally_months():
    through = got_through(STRIKES, start="2025-01-01", end="2025-03-31")
    assert got_through_title(through) == (
        "Between 108 and 140 strike drones were not reported stopped in the 3 months to March 2025"
    )
    assert lost_locally_months(through) == (pd.Timestamp("2025-01-01"),) * 2
    without = got_through(STRIKES.assign(not_reach_goal=0), start="2025-01-01", end="2025-03-31")
    assert lost_locally_months(without) is None
    assert got_through_title(without).startswith("140 strike drones were not reported stopped")


def test_got_through_finding_when_no_drone_was_reported_lost(pub):
    through = got_through(STRIKES.assign(not_reach_goal=0), start="2025-01-01", end="2025-03-31")
    text = got_through_finding(pub, through)
    assert "0 lost locally: 140 were not reported stopped" in text
    assert text.endswith(
        "Over the period shown, the Air Force reported hardly any drones lost locally."
    )


# The real release, as the report reads it ------------------------------------------------------


@pytest.fixture(scope="module")
def national(real_build: Path) -> Processed:
    return load_processed(real_build.name, real_build.parent)


def test_real_massed_attacks_under_the_default_rule(national, tmp_path):
    pub = Publisher(tmp_path, "test")
    classes = classify_waves(national.waves)
    alternative = classify_waves(national.waves, rule=other_rule("relative"))
    monthly = massed_series(national.waves, classes, "M")
    july = monthly.set_index("period").loc["2025-07-01"]
    assert july[["waves", "massed", "massed_largest"]].tolist() == [31, 9, 741]
    text = massed_finding(
        pub,
        national.waves,
        classes,
        monthly,
        rule="relative",
        fixed_size=200,
        alternative=alternative,
    )
    assert text.startswith(
        "In the 12 months from April 2025 to March 2026, 52 of the 362 attack waves were "
        "massed attacks under the relative rule, against 4 in the 12 months before."
    )
    assert "the largest, on 7 Sep 2025, 823." in text
    assert "about 490 drones and missiles" in text  # a median of 490.5, rounded
    assert pub.numbers["massed_median_recent"] == 490.5
    assert pub.numbers["massed_alternative"] == 75
    assert massed_title(monthly) == (
        "52 massed attacks in the 12 months to March 2026, against 4 in the 12 before"
    )


def test_real_got_through_in_the_last_twelve_months(national, tmp_path):
    pub = Publisher(tmp_path, "test")
    through = got_through(national.strikes)
    text = got_through_finding(pub, through)
    assert text.startswith(
        "In the 12 months from April 2025 to March 2026, the Air Force reported 59,780 strike "
        "drones launched, 44,462 shot down and 6,371 lost locally: between 8,947 and 15,318 "
        "were not reported stopped."
    )
    assert "ballistic missiles: 542 launched, 147 shot down, between 359 and 395" in text
    assert "lost locally in numbers from August 2024 to July 2025" in text
    assert lost_locally_months(through) == (pd.Timestamp("2024-08-01"), pd.Timestamp("2025-07-01"))
