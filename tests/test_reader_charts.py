"""Charts a reader expects: the ten largest attacks as labelled bars, and launches split into
what was reported stopped and what was not."""

from __future__ import annotations

import pandas as pd

from analysis.figures import palette
from analysis.figures.attacks import stopped_chart, stopped_title
from analysis.figures.salvo import largest_attacks_chart
from analysis.figures.style import clipped_texts, colours_used, smallest_text_px
from analysis.modelresult import ModelResult


def _salvo(rows: list[tuple[str, int, int]]) -> ModelResult:
    records = pd.DataFrame(
        {
            "by": "drones",
            "rank": range(1, len(rows) + 1),
            "date": pd.to_datetime([r[0] for r in rows]),
            "drones": [r[1] for r in rows],
            "missiles": [r[2] for r in rows],
        }
    )
    return ModelResult("salvo", {}, {"records": records})


def test_each_of_the_largest_attacks_is_a_bar_labelled_with_its_date_and_composition():
    fig = largest_attacks_chart(
        _salvo([("2025-09-07", 810, 13), ("2025-07-09", 728, 13), ("2024-11-17", 120, 127)]),
        release="2026-04-05",
    )
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == [
        "7 Sep 2025: 810 drones, 13 missiles",
        "9 Jul 2025: 728 drones, 13 missiles",
        "17 Nov 2024: 120 drones, 127 missiles",
    ]
    assert fig.get_suptitle().startswith(
        "The largest attack: 810 drones on 7 Sep 2025; 2 of the 3 largest came in 2025"
    )
    assert colours_used(fig) <= {palette.DRONES.lower(), palette.MISSILES.lower(), "#ffffff"}
    assert smallest_text_px(fig) >= 11 and clipped_texts(fig) == []
    assert fig.axes[0].get_legend() is None


def test_all_largest_in_one_year_and_an_empty_period_read_plainly():
    fig = largest_attacks_chart(_salvo([("2025-09-07", 810, 13)]), release="r")
    assert "all 1 largest came in 2025" in fig.get_suptitle()
    empty = largest_attacks_chart(_salvo([]), release="r")
    assert empty.get_suptitle().startswith("No attack with drones")


def _through() -> pd.DataFrame:
    periods = pd.date_range("2025-01-01", periods=14, freq="MS")
    return pd.DataFrame(
        {
            "period": list(periods) * 2,
            "weapon_class": ["strike_drone"] * 14 + ["ballistic_missile"] * 14,
            "launched": [100] * 14 + [10] * 14,
            "destroyed": [70] * 14 + [3] * 14,
            "not_reach_goal": [20] * 14 + [0] * 14,
            "got_through": [10] * 14 + [7] * 14,
            "got_through_upper": [30] * 14 + [7] * 14,
            "complete": [True] * 13 + [False] + [True] * 13 + [False],
        }
    )


def test_launches_split_into_stopped_and_not_stopped_add_up_per_month():
    fig = stopped_chart(_through(), release="2026-04-05")
    drones = fig.axes[0]
    heights = [round(p.get_height()) for p in drones.patches]
    assert heights == [90] * 14 + [10] * 14  # stopped, then not stopped, on top
    assert fig.get_suptitle().startswith(
        "90% of strike drones launched in the 12 months to January 2026 were reported stopped"
    )
    assert colours_used(fig) <= {palette.DEFEATED.lower(), palette.GOT_THROUGH.lower(), "#ffffff"}
    assert smallest_text_px(fig) >= 11 and clipped_texts(fig) == []
    assert len(fig.axes) == 2 and all(ax.get_legend() is None for ax in fig.axes)


def test_stopped_title_without_launches_is_descriptive():
    empty = _through().assign(launched=0)
    assert stopped_title(empty).startswith("Launched, stopped and not reported stopped")


def test_defeat_by_month_chart_draws_a_dot_and_interval_per_month_and_states_the_latest():
    from analysis.figures.salvo import defeat_by_month_chart

    monthly = pd.DataFrame(
        {
            "month": pd.date_range("2025-01-01", periods=3, freq="MS"),
            "share": [0.8, 0.85, 0.9],
            "low": [0.7, float("nan"), 0.85],
            "high": [0.9, float("nan"), 0.95],
        }
    )
    fig = defeat_by_month_chart(monthly, release="r")
    assert fig.get_suptitle().startswith(
        "90% of strike drones were reported stopped in March 2025; each of the last 3 months "
        "lay between 80% and 90%"
    )
    assert colours_used(fig) <= {palette.DEFEATED.lower(), "#ffffff"}
    assert smallest_text_px(fig) >= 11 and clipped_texts(fig) == []
