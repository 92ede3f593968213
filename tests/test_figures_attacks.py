"""Charts and display tables of massed attacks and of what got through
(analysis/figures/attacks.py): titles, plotted values, colours and the marking of partly
covered and possibly incomplete months, on hand-written tables and on the real release."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from analysis.data.attacks import classify_waves, massed_series
from analysis.data.gaps import INCOMPLETE_NOTE, footnote, possibly_incomplete
from analysis.data.overview import Processed, load_processed
from analysis.data.series import got_through
from analysis.figures import palette
from analysis.figures.attacks import (
    MASSED_COLOUR,
    got_through_chart,
    got_through_table,
    massed_chart,
    massed_table,
    styled,
)
from analysis.figures.style import INCOMPLETE_LEGEND, credit, footer_text, hatched_months

RELEASE = "2026-04-05"


def texts(fig: Figure) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(Text))


def waves_frame(rows: list[tuple[str, int]]) -> pd.DataFrame:
    """Waves from ``(date, drones_launched)``, no missiles."""
    frame = pd.DataFrame(rows, columns=["date", "drones_launched"]).assign(missiles_launched=0)
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    return frame


#: January: two routine waves; February: massed waves of 300 and 500 and one routine;
#: March (to the 10th only): one massed wave of 400.
WAVES = waves_frame(
    [
        ("2025-01-05", 40),
        ("2025-01-20", 60),
        ("2025-02-03", 300),
        ("2025-02-10", 50),
        ("2025-02-25", 500),
        ("2025-03-08", 400),
    ]
)
CLASSES = pd.Series(["routine", "routine", "massed", "routine", "massed", "massed"])
FEBRUARY = [pd.Timestamp("2025-02-01")]


def monthly() -> pd.DataFrame:
    return massed_series(WAVES, CLASSES, "M", start="2025-01-01", end="2025-03-10")


def bars(ax) -> list[Rectangle]:
    """The bars of ``ax`` (hatching patches left out)."""
    return [p for p in ax.patches if isinstance(p, Rectangle) and not p.get_gid()]


# Massed attacks ----------------------------------------------------------------------------------


def test_massed_chart_draws_counts_and_sizes_with_the_finding_as_title():
    fig = massed_chart(monthly(), release=RELEASE, rule="fixed", fixed_size=300)
    top, bottom = fig.axes
    counts = bars(top)
    assert [b.get_height() for b in counts] == [0, 2, 1]
    assert {b.get_facecolor()[:3] for b in counts} == {to_rgb(palette.NEUTRAL)}
    assert [b.get_alpha() for b in counts] == [None, None, 0.4]  # March: 10 days only
    median, largest = (line.get_ydata().tolist() for line in bottom.get_lines()[::-1])
    assert (median, largest) == ([400.0, 400.0], [500, 400])
    title = fig.get_suptitle()
    assert title.startswith("2 massed attacks in the 2 months to February 2025")
    assert "Massed: at least 300 drones and missiles" in footer_text(fig)
    assert credit(RELEASE) in footer_text(fig)
    assert "largest" in texts(fig) and "median" in texts(fig)
    assert MASSED_COLOUR == palette.NEUTRAL  # massed attacks mix drones and missiles


def test_massed_chart_hatches_the_possibly_incomplete_months_and_says_why():
    plain = massed_chart(monthly(), release=RELEASE, rule="relative", fixed_size=200)
    assert hatched_months(plain) == [] and INCOMPLETE_LEGEND not in footer_text(plain)
    fig = massed_chart(
        monthly(),
        release=RELEASE,
        rule="relative",
        fixed_size=200,
        incomplete=[*FEBRUARY, pd.Timestamp("2024-06-01")],  # June 2024 is not shown
    )
    assert hatched_months(fig) == ["2025-02"]
    assert INCOMPLETE_LEGEND in footer_text(fig)


def test_massed_chart_of_a_period_without_massed_attacks_says_so():
    quiet = massed_series(WAVES, CLASSES.map(lambda _: "routine"), "M")
    fig = massed_chart(quiet, release=RELEASE, rule="relative", fixed_size=200)
    assert "no massed attack in this period" in texts(fig)
    assert fig.get_suptitle().startswith("No massed attack in February 2025")  # whole month


def test_massed_table_per_month_marks_part_and_possibly_incomplete_months():
    table = massed_table(monthly(), FEBRUARY)
    assert table["month"].tolist() == ["2025-01", "2025-02*", "2025-03 (part)"]
    assert table["massed attacks"].tolist() == [0, 2, 1]
    assert table["routine waves"].tolist() == [2, 1, 0]
    assert table["median massed attack"].tolist()[1:] == [400.0, 400.0]
    assert table["largest massed attack"].tolist()[1:] == [500, 400]
    assert table[["median massed attack", "largest massed attack"]].iloc[0].isna().all()
    assert table["share of launches in massed attacks"].tolist() == [
        0.0,
        pytest.approx(0.94117647),
        1.0,
    ]
    assert footnote(table, "month") == INCOMPLETE_NOTE
    assert footnote(massed_table(monthly()), "month") == ""


def test_styled_table_shows_thousands_percentages_and_a_dash_for_nothing():
    html = styled(
        massed_table(monthly()).assign(**{"routine waves": [1234, 1, 0]}),
        percent=["share of launches in massed attacks"],
    ).to_html()
    assert "1,234" in html and "94%" in html and "–" in html
    assert "nan" not in html.lower()


# What got through --------------------------------------------------------------------------------


def strikes_frame(rows: list[tuple]) -> pd.DataFrame:
    """Strikes from ``(end_date, weapon_class, launched, destroyed, not_reach_goal)``."""
    columns = ["end_date", "weapon_class", "launched", "destroyed", "not_reach_goal"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({c: "Int64" for c in columns[2:]})


STRIKES = strikes_frame(
    [
        ("2025-01-05", "strike_drone", 100, 60, 30),
        ("2025-01-05", "cruise_missile", 10, 8, 0),
        ("2025-02-05", "strike_drone", 200, 150, 0),
        ("2025-03-05", "strike_drone", 300, 250, 0),
    ]
)


def through() -> pd.DataFrame:
    return got_through(STRIKES, start="2025-01-01", end="2025-03-10")


def test_got_through_chart_draws_a_band_per_class_in_the_got_through_colour():
    fig = got_through_chart(through(), release=RELEASE)
    assert len(fig.axes) == 3
    drones = fig.axes[0]
    bands = bars(drones)
    assert [b.get_y() for b in bands] == [10, 50, 50]  # lower bounds
    assert [b.get_height() for b in bands] == [30, 0, 0]  # upper minus lower
    near_black = to_rgb(palette.GOT_THROUGH)
    assert {b.get_facecolor()[:3] for b in bands} == {near_black}
    assert [b.get_alpha() for b in bands] == pytest.approx([0.35, 0.35, 0.14])  # March: part
    lines = [c for c in drones.collections if isinstance(c, LineCollection)]
    assert {tuple(c.get_color()[0][:3]) for c in lines} == {near_black}
    assert "upper bound" in texts(fig) and "lower bound" in texts(fig)
    cruise = bars(fig.axes[1])
    assert {b.get_facecolor()[:3] for b in cruise} == {near_black}
    assert [ax.get_title(loc="left") for ax in fig.axes[:2]] == [
        "Long-range strike drones (Shahed/Geran type, decoys included)",
        "Cruise missiles",
    ]
    assert "none launched in this period" in texts(fig)  # no ballistic missile
    assert fig.get_suptitle().startswith(
        "Between 60 and 90 strike drones were not reported stopped in the 2 months to February 2025"
    )
    assert "not a count of hits" in footer_text(fig)
    assert credit(RELEASE) in texts(fig)


def test_got_through_chart_hatches_the_possibly_incomplete_months_in_every_panel():
    fig = got_through_chart(through(), release=RELEASE, incomplete=FEBRUARY)
    assert hatched_months(fig) == ["2025-02"]
    assert sum(p.get_gid() == "incomplete:2025-02" for ax in fig.axes for p in ax.patches) == 3
    assert INCOMPLETE_LEGEND in footer_text(fig)
    assert hatched_months(got_through_chart(through(), release=RELEASE)) == []


def test_got_through_table_per_month_and_class_with_both_bounds_and_marks():
    table = got_through_table(through(), FEBRUARY)
    assert table.columns.tolist() == [
        "month",
        "weapon",
        "launched",
        "shot down",
        "lost locally",
        "got through, lower bound",
        "got through, upper bound",
    ]
    drones = table[table["weapon"] == "Strike drones"]
    assert drones["month"].tolist() == ["2025-01", "2025-02*", "2025-03 (part)"]
    assert drones.iloc[0, 2:].tolist() == [100, 60, 30, 10, 40]
    assert table[table["month"] == "2025-02*"]["weapon"].tolist() == [
        "Strike drones",
        "Cruise missiles",
        "Ballistic missiles",
    ]
    assert footnote(table, "month") == INCOMPLETE_NOTE


# The real release, as the report reads it ------------------------------------------------------


@pytest.fixture(scope="module")
def national(real_build: Path) -> Processed:
    return load_processed(real_build.name, real_build.parent)


def test_real_massed_table_and_chart_of_the_default_report(national):
    incomplete = possibly_incomplete(national.all_strikes)
    monthly = massed_series(national.waves, classify_waves(national.waves), "M")
    table = massed_table(monthly, incomplete).set_index("month")
    assert table.loc["2025-07", ["massed attacks", "routine waves"]].tolist() == [9, 22]
    assert table.loc["2025-09", "largest massed attack"] == 823
    assert table.loc["2025-05*", "massed attacks"] == 0
    assert table.index[-1] == "2026-04 (part)"
    fig = massed_chart(
        monthly, release=RELEASE, rule="relative", fixed_size=200, incomplete=incomplete
    )
    assert hatched_months(fig) == [
        "2024-03",
        "2024-04",
        "2024-07",
        "2024-11",
        "2024-12",
        "2025-04",
        "2025-05",
    ]


def test_real_got_through_table_of_july_2025(national):
    table = got_through_table(got_through(national.strikes))
    july = table[table["month"] == "2025-07"].set_index("weapon")
    assert july.loc["Strike drones", "launched"] == 6297
    assert july.loc["Strike drones", "shot down"] == 3541
    assert july.loc["Strike drones", "got through, upper bound"] == 2756
    lower = july.loc["Strike drones", "got through, lower bound"]
    assert lower == 6297 - 3541 - july.loc["Strike drones", "lost locally"]
