"""The report's chart style (analysis/figures/style.py) and every chart built on it: text
readable on a 400 px phone screen, colours from the palette only, direct labels instead of
legends, nothing cut off at the edges, titles that state a finding without method names; and
charts saved crisp with their shown size and alt text (analysis/results.py)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import matplotlib as mpl
import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis.data.indicators import origin_series
from analysis.data.overview import monthly_by_class
from analysis.figures import attacks, forecast, origins, overview, palette, salvo, trends
from analysis.figures.style import (
    FIGURE_WIDTH,
    MIN_TEXT_PX,
    TEXT_PT,
    about,
    change_words,
    clipped_texts,
    colours_used,
    concept_colour,
    credit,
    footer_text,
    is_grey,
    report_figure,
    set_credit,
    set_title,
    smallest_text_px,
    spread,
)
from analysis.results import FIGURE_DPI, Publisher, png_size
from tests.test_figures_attacks import monthly as massed_monthly
from tests.test_figures_attacks import through
from tests.test_findings_forecast import hand_forecast, hand_scored
from tests.test_findings_salvo import interception_result, salvo_result
from tests.test_findings_trends import DRONE_ROWS, regime_result, trend_result, weekly_series
from tests.test_indicators import FIGURE_EVENTS, figure_strikes
from tests.test_overview import strikes_frame

RELEASE = "2026-04-05"
#: Words that name a method, which a chart's title (its finding) never uses.
METHOD_WORDS = (
    "SARIMAX",
    "MASE",
    "quantile regression",
    "negative binomial",
    "beta-binomial",
    "Newey-West",
    "BIC",
    "Wilson",
)


# Hand-made inputs for every public chart function ------------------------------------------------


def _waves() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "wave_id": [1, 2, 3],
            "time_known": [True, False, True],
            "date": [dt.date(2023, 1, 2), dt.date(2024, 3, 1), dt.date(2025, 5, 17)],
            "drones_launched": [6, 50, 1234],
            "missiles_launched": [4, 0, 17],
        }
    )


def _monthly_launches() -> pd.DataFrame:
    return monthly_by_class(
        strikes_frame(
            [
                ("2024-01-03", "strike_drone", 100),
                ("2024-06-03", "strike_drone", 200),
                ("2024-12-30", "strike_drone", 300),
                ("2025-01-03", "strike_drone", 900),
                ("2025-07-03", "strike_drone", 1_500),
                ("2025-12-30", "strike_drone", 2_000),
                ("2025-02-03", "cruise_missile", 40),
                ("2025-03-03", "ballistic_missile", 12),
            ]
        )
    )


def _weekly_actual() -> pd.DataFrame:
    return pd.DataFrame(
        {"drones": 100.0}, index=pd.date_range("2025-11-03", "2026-03-23", freq="7D")
    )


CLASSES = ["strike_drone", "cruise_missile", "ballistic_missile"]
CHARTS: dict[str, Callable[[], Figure]] = {
    "overview.monthly_chart": lambda: overview.monthly_chart(_monthly_launches(), release=RELEASE),
    "trends.trend_chart": lambda: trends.trend_chart(
        trend_result(DRONE_ROWS), release=RELEASE, group="drones"
    ),
    "trends.regimes_chart": lambda: trends.regimes_chart(
        regime_result(), weekly_series(), release=RELEASE, group="drones"
    ),
    "salvo.salvo_size_chart": lambda: salvo.salvo_size_chart(
        salvo_result(), _waves(), release=RELEASE
    ),
    "salvo.record_progression_chart": lambda: salvo.record_progression_chart(
        salvo_result(), _waves(), release=RELEASE
    ),
    "salvo.defeat_rate_by_year_chart": lambda: salvo.defeat_rate_by_year_chart(
        interception_result(), CLASSES, release=RELEASE
    ),
    "salvo.defeat_by_salvo_chart": lambda: salvo.defeat_by_salvo_chart(
        interception_result(), CLASSES, release=RELEASE
    ),
    "attacks.massed_chart": lambda: attacks.massed_chart(
        massed_monthly(), release=RELEASE, rule="fixed", fixed_size=300
    ),
    "attacks.got_through_chart": lambda: attacks.got_through_chart(through(), release=RELEASE),
    "origins.origin_weekly_chart": lambda: origins.origin_weekly_chart(
        origin_series(figure_strikes(), freq="W"), FIGURE_EVENTS, release=RELEASE
    ),
    "origins.origin_share_chart": lambda: origins.origin_share_chart(
        origin_series(figure_strikes(), freq="M"), release=RELEASE
    ),
    "forecast.forecast_chart": lambda: forecast.forecast_chart(hand_forecast(), release=RELEASE),
    "forecast.mase_by_horizon_chart": lambda: forecast.mase_by_horizon_chart(
        {"drones": hand_forecast(), "missiles": hand_forecast("missiles")}, release=RELEASE
    ),
    "forecast.snapshot_chart": lambda: forecast.snapshot_chart(
        hand_scored(), _weekly_actual(), {"drones": hand_forecast()}, release=RELEASE
    ),
}
PALETTE = {colour.lower() for colour in palette.CONCEPT_COLOURS.values()}


@pytest.fixture(scope="module", params=sorted(CHARTS))
def chart(request) -> tuple[str, Figure]:
    return request.param, CHARTS[request.param]()


# Every chart -------------------------------------------------------------------------------------


def test_every_chart_is_full_width_and_readable_on_a_phone(chart):
    name, fig = chart
    assert fig.get_figwidth() == pytest.approx(FIGURE_WIDTH), name
    assert smallest_text_px(fig, shown_width_px=400) >= MIN_TEXT_PX, name


def test_every_chart_takes_its_colours_from_the_palette(chart):
    name, fig = chart
    strays = {c for c in colours_used(fig) if c not in PALETTE and not is_grey(c)}
    assert strays == set(), name


def test_every_chart_labels_directly_instead_of_a_legend(chart):
    name, fig = chart
    assert not fig.legends and not [ax for ax in fig.axes if ax.get_legend()], name


def test_every_chart_keeps_its_text_inside_the_image(chart):
    name, fig = chart
    assert clipped_texts(fig) == [], name


def test_every_chart_states_its_finding_and_credits_the_source(chart):
    name, fig = chart
    title = fig.get_suptitle()
    assert title and not [w for w in METHOD_WORDS if w.lower() in title.lower()], name
    assert credit(RELEASE) in footer_text(fig), name


# The style's pieces ------------------------------------------------------------------------------


def test_smallest_text_px_is_the_smallest_visible_text_at_the_shown_width():
    fig = Figure(figsize=(8, 4))
    ax = fig.add_subplot()
    ax.tick_params(labelsize=20)
    ax.set_title("title", fontsize=18)
    ax.text(0.5, 0.5, "small", fontsize=9)
    ax.text(0.5, 0.2, "hidden", fontsize=4, visible=False)
    ax.text(0.5, 0.8, "", fontsize=2)  # empty: nothing is drawn
    # 9 pt is 9/72 inch; an 8-inch figure shown 400 px wide has 50 px per inch.
    assert smallest_text_px(fig, shown_width_px=400) == pytest.approx(9 / 72 * 50)
    assert smallest_text_px(fig, shown_width_px=800) == pytest.approx(9 / 72 * 100)
    assert smallest_text_px(Figure(figsize=(4, 3))) == float("inf")


def test_smallest_text_px_leaves_out_ticks_outside_the_view_and_hidden_axes():
    fig = Figure(figsize=(4, 3))
    shown, hidden = fig.subplots(1, 2)
    shown.tick_params(labelsize=14)
    shown.set_xlim(0, 1)
    hidden.tick_params(labelsize=5)
    hidden.set_visible(False)
    assert smallest_text_px(fig, shown_width_px=400) == pytest.approx(14 / 72 * 100)


def test_report_style_holds_inside_the_chart_only():
    before = mpl.rcParams["font.size"]
    with report_figure(4.0) as fig:
        ax = fig.subplots()
        ax.plot([0, 1], [0, 1000])
        assert mpl.rcParams["font.size"] == TEXT_PT
    assert mpl.rcParams["font.size"] == before
    assert fig.get_size_inches().tolist() == [FIGURE_WIDTH, 4.0]
    # 13 pt on a 6.4-inch chart shown 400 px wide: 11.3 px.
    assert smallest_text_px(fig) == pytest.approx(TEXT_PT / 72 * 400 / FIGURE_WIDTH)
    assert smallest_text_px(fig) >= MIN_TEXT_PX


def test_title_on_top_and_notes_then_credit_under_the_chart_in_either_order():
    fig = Figure()
    set_credit(fig, RELEASE)
    set_title(fig, "Drone launches tripled", ["first note", "", "second note"])
    source = credit(RELEASE)
    assert fig.get_suptitle() == "Drone launches tripled"
    assert footer_text(fig) == f"first note\nsecond note\n{source}"
    set_credit(fig, RELEASE, events=True)
    assert footer_text(fig).startswith(f"first note\nsecond note\n{source}\nPartnership events")


@pytest.mark.parametrize(
    ("before", "after", "words"),
    [
        (100, 200, "doubled"),
        (100, 310, "tripled"),
        (10_926, 54_536, "grew about fivefold"),
        (100, 140, "rose by about 40%"),
        (100, 70, "fell by about 30%"),
        (100, 101, "stayed about the same"),
        (0, 50, ""),
    ],
)
def test_change_in_words(before, after, words):
    assert change_words(before, after) == words


def test_about_rounds_counts_for_titles():
    assert [about(v) for v in (7, 61, 1_659.7, 54_536)] == ["7", "61", "1,700", "55,000"]


def test_overlapping_labels_move_apart_in_their_order():
    assert spread([0.5, 0.52, 0.9], 0.1) == pytest.approx([0.46, 0.56, 0.9])
    assert spread([0.2, 0.8], 0.1) == [0.2, 0.8]
    assert spread([0.5, 0.5], 0.1) == pytest.approx([0.55, 0.45])  # the first given on top


def test_one_colour_per_concept_for_groups_classes_and_origins():
    assert {concept_colour(c) for c in ("drones", "strike_drone", "recon_drone")} == {
        palette.DRONES
    }
    assert {concept_colour(c) for c in ("missiles", "cruise_missile", "ballistic_missile")} == {
        palette.MISSILES
    }
    assert concept_colour("iranian_design") == palette.IRAN
    assert concept_colour("north_korea") == palette.NORTH_KOREA
    assert concept_colour("guided_bomb") == palette.NEUTRAL


# Titles computed from the data -------------------------------------------------------------------


def test_monthly_title_states_the_change_between_the_last_two_whole_years():
    rows = [(f"2024-{m:02d}-10", "strike_drone", 100) for m in range(1, 13)]
    rows += [(f"2025-{m:02d}-10", "strike_drone", 400) for m in range(1, 13)]
    monthly = monthly_by_class(strikes_frame(rows))
    assert overview.monthly_title(monthly, "strike_drone") == (
        "Launches of long-range strike drones grew about fourfold from 2024 to 2025 "
        "(1,200 to 4,800)"
    )
    partial = monthly_by_class(strikes_frame(rows[6:]))  # 2024 from July only
    assert overview.monthly_title(partial, "strike_drone") == (
        "The busiest month: 400 long-range strike drones launched in Jan 2025"
    )


def test_trend_and_regime_titles_state_the_growth_and_the_typical_week():
    fig = CHARTS["trends.trend_chart"]()
    assert fig.get_suptitle() == "Launches of drones doubled about every 6 months since Oct 2022"
    fig = CHARTS["trends.regimes_chart"]()
    assert fig.get_suptitle() == (
        "Weekly launches of drones changed level twice; since Feb 2025 about 1,100 in a typical "
        "week"
    )


def test_defeat_title_takes_the_latest_busy_year():
    title = salvo.defeat_title(interception_result().table("by_year"), CLASSES)
    assert title.startswith("Share stopped in ")
    assert "ballistic missiles" in title


# Saved crisp, with size and alt text -------------------------------------------------------------


def test_publisher_saves_the_chart_at_twice_its_shown_size_with_alt_text(tmp_path: Path):
    with report_figure(4.0) as fig:
        ax = fig.subplots()
        ax.plot([0, 1], [0, 1])
        set_title(fig, "Drone launches tripled in 2025", ["a note"])
        set_credit(fig, RELEASE)
    pub = Publisher(tmp_path, "01_demo")
    saved = pub.figure(fig, "demo", "A demo chart")
    png = (tmp_path / "01_demo__demo.png").read_bytes()
    assert png == saved.png and FIGURE_DPI == 200
    width, height = png_size(png)
    assert (width, height) == (1280, 800)
    assert (saved.width, saved.height) == (640, 400)  # shown at half the pixels
    assert width == 2 * saved.width and height == 2 * saved.height
    assert saved.figure is fig and saved.alt == "Drone launches tripled in 2025"
    data, meta = saved._repr_mimebundle_()
    assert base64.b64decode(data["image/png"]) == png
    assert meta["image/png"] == {
        "width": 640,
        "height": 400,
        "alt": "Drone launches tripled in 2025",
    }
    record = json.loads((tmp_path / "01_demo.results.json").read_text(encoding="utf-8"))
    assert record["numbers"]["_captions"]["01_demo__demo.png"] == {
        "kind": "figure",
        "caption": "A demo chart",
        "alt": "Drone launches tripled in 2025",
        "width": 640,
        "height": 400,
    }


def test_alt_text_falls_back_to_the_first_panel_title(tmp_path: Path):
    fig = Figure(figsize=(6.4, 3))
    fig.add_subplot().set_title("Launches per week\nsecond line", loc="left")
    assert Publisher(tmp_path, "nb").figure(fig, "x").alt == "Launches per week"
    assert Publisher(tmp_path, "nb").figure(Figure(figsize=(2, 2)), "y").alt == "Chart"
