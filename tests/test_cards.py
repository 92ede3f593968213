"""The landing page's number cards and summary: made from results, one verdict each."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.findings.cards import (
    CARD_PREFIX,
    cards_from,
    defeated_card,
    forecast_card,
    forecast_card_of,
    growth_card,
    growth_card_of,
    growth_verdict,
    largest_attack_card,
    latest_month_card,
    per_year,
    summary_text,
)
from analysis.results import Publisher


def _months(values: list[float], first: str = "2024-01-01") -> pd.Series:
    return pd.Series(values, index=pd.date_range(first, periods=len(values), freq="MS"))


def test_latest_month_card_compares_with_the_same_month_a_year_earlier(tmp_path):
    pub = Publisher(tmp_path, "01_demo")
    drones = _months([100.0] * 12 + [350.0])
    card = latest_month_card(drones, _months([20.0] * 13), pub)
    assert card.label == "Drones launched in January 2025" and card.value == "350"
    assert card.detail == "3.5 times as many as a year earlier; and 20 missiles"
    assert pub.numbers[f"{CARD_PREFIX}latest_month"]["numbers"]["drones_year_before"] == 100.0
    fewer = latest_month_card(_months([100.0] * 12 + [80.0]), pd.Series(dtype=float), None)
    assert fewer.detail == "-20% on a year earlier"


def test_largest_attack_card_names_the_date_and_the_missiles():
    waves = pd.DataFrame(
        {
            "date": ["2025-09-07", "2025-07-09"],
            "start": pd.to_datetime(["2025-09-06 18:00", "2025-07-08 18:00"]),
            "drones_launched": [810, 728],
            "missiles_launched": [13, 13],
        }
    )
    card = largest_attack_card(waves, None)
    assert (card.value, card.detail) == ("810", "drones, with 13 missiles, on 7 Sep 2025")


@pytest.mark.parametrize(
    "pct, low, high, words",
    [
        (40.0, 15.0, 70.0, "rising: about +40% a year, plausibly +15% to +70%"),
        (-30.0, -50.0, -5.0, "falling: about -30% a year, plausibly -50% to -5%"),
        (10.0, -20.0, 45.0, "no clear change (somewhere between -20% and +45% a year)"),
    ],
)
def test_one_verdict_from_the_cautious_interval(pct, low, high, words):
    assert growth_verdict(pct, low, high) == words


def test_growth_card_compounds_the_monthly_rate_to_a_year():
    assert per_year(3.0) == pytest.approx(42.576, abs=0.01)
    card = growth_card(
        {"growth_pct_per_month": 3.0, "growth_pct_low": 1.0, "growth_pct_high": 5.0}, None
    )
    assert card.value == "+43%" and card.detail.startswith("rising: about +43% a year")
    assert math.isnan(per_year(math.nan))


def test_a_growth_card_without_a_clear_change_says_so_in_large_type():
    card = growth_card(
        {"growth_pct_per_month": 3.7, "growth_pct_low": -3.1, "growth_pct_high": 10.9}, None
    )
    assert card.value == "No clear change"
    assert card.detail == "somewhere between -31% and +246% a year; best estimate +55%"


def test_cards_are_collected_in_order_with_their_page_and_make_the_summary(tmp_path):
    one, three = Publisher(tmp_path, "01_demo"), Publisher(tmp_path, "03_demo")
    defeated_card(0.874, 0.849, 0.900, 3, three)
    latest_month_card(_months([100.0] * 12 + [350.0]), _months([20.0] * 13), one)
    growth_card({"growth_pct_per_month": 3.0, "growth_pct_low": 1.0, "growth_pct_high": 5.0}, one)
    forecast_card(pd.Timestamp("2025-02-03"), 400.0, 300.0, 520.0, None)
    results = {"01_demo": {"numbers": one.numbers}, "03_demo": {"numbers": three.numbers}}
    cards = cards_from(results)
    assert [c["key"] for c in cards] == ["latest_month", "growth", "defeated"]
    assert cards[2]["page"] == "03_demo" and cards[2]["value"] == "87%"
    text = summary_text(cards)
    assert text.startswith(
        "In January 2025 Russia launched 350 long-range drones (3.5 times as many as a year "
        "earlier) and 20 missiles at Ukraine."
    )
    assert "rising: about +43% a year" in text and "About 87% of drones" in text
    assert text.count(".") <= 4 and summary_text([]) == ""


class _Result:
    def __init__(self, tables):
        self.tables = tables

    def table(self, name):
        return self.tables[name]


class _Fit:
    def __init__(self, tables):
        self.result = _Result(tables)


def test_growth_and_forecast_cards_come_from_the_fits_they_summarise():
    growth = pd.DataFrame(
        {
            "months": [6, 12, None],
            "growth_pct_per_month": [5.0, 3.0, 2.0],
            "growth_pct_low": [-1.0, 1.0, 1.5],
            "growth_pct_high": [11.0, 5.0, 2.5],
        }
    )
    card = growth_card_of({"drones": _Fit({"growth": growth})}, None)
    assert card is not None and card.numbers["months"] == 12 and card.value == "+43%"
    assert growth_card_of({"missiles": _Fit({"growth": growth})}, None) is None
    chosen = pd.DataFrame(
        {
            "step": [2, 1],
            "week": pd.to_datetime(["2026-04-13", "2026-04-06"]),
            "point": [5100.0, 5000.0],
            "lo80": [3000.0, 3200.0],
            "hi80": [7000.0, 6800.0],
        }
    )
    fc = forecast_card_of({"drones": _Fit({"chosen": chosen})}, None)
    assert fc is not None and fc.value == "5,000"
    assert fc.detail == "drones expected in the week of 6 Apr 2026, likely 3,200 to 6,800"
