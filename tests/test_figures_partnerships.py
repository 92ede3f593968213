"""Charts of the supply partnerships (analysis/figures/partnerships.py and the North Korean
band of analysis/figures/origins.py): events named by their labels, the milestones chart, the
shared palette, text readable on a phone, and the span where the North Korean label stops."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from analysis.data.events import read_events
from analysis.data.indicators import north_korean_band
from analysis.figures.origins import (
    band_title,
    label_gap_start,
    label_gaps,
    north_korean_band_chart,
    share_title,
)
from analysis.figures.palette import IRAN, NORTH_KOREA
from analysis.figures.partnerships import (
    MILESTONE_TYPES,
    event_study_chart,
    milestones_chart,
    milestones_title,
)
from analysis.figures.style import (
    FIGURE_WIDTH,
    clipped_texts,
    credit,
    footer_text,
    smallest_text_px,
)
from analysis.figures.textsize import text_width, wrap_text
from analysis.modelresult import ModelResult
from analysis.results import figure_alt

RELEASE = "2026-04-05"


def texts(fig: Figure) -> list[Text]:
    """The visible, non-empty texts of ``fig`` once drawn (tick labels included)."""
    fig.draw_without_rendering()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def all_text(fig: Figure) -> str:
    return " ".join(" ".join(t.get_text() for t in texts(fig)).split())


def by_gid(fig: Figure, prefix: str) -> dict[str, object]:
    """The artists of ``fig`` whose gid starts with ``prefix``, by the rest of the gid."""
    return {
        a.get_gid()[len(prefix) :]: a
        for a in fig.findobj(lambda a: (a.get_gid() or "").startswith(prefix))
    }


def events(*rows: tuple[str, str, str, str, str, str]) -> pd.DataFrame:
    """A timeline from ``(event_id, label, date, partner, event_type, verification)``."""
    frame = pd.DataFrame(
        rows, columns=["event_id", "label", "date", "partner", "event_type", "verification"]
    )
    frame["date"] = pd.to_datetime(frame["date"])
    frame["weapon_class"] = frame["partner"].map(
        {"iran": "strike_drone", "north_korea": "ballistic_missile"}
    )
    return frame


# --- the milestones chart ----------------------------------------------------------------------


def test_milestones_chart_shows_each_key_milestone_once_by_its_label():
    timeline = read_events()
    fig = milestones_chart(timeline, RELEASE)
    key = timeline[timeline["event_type"].isin(MILESTONE_TYPES)]
    labels = by_gid(fig, "milestone-label:")
    assert sorted(labels) == sorted(key["event_id"])  # one text per milestone shown
    shown = {e: " ".join(t.get_text().split()) for e, t in labels.items()}
    assert shown["nk-srbm-first-use"] == "First North Korean missiles used"
    assert shown["russia-iran-treaty-signed"] == "Russia–Iran treaty signed"
    text = all_text(fig)
    for event_id in timeline["event_id"]:
        assert event_id not in text and event_id.replace("-", " ") not in text
    assert "nk srbm first use" not in text
    # Statements and production reports are left to the table, and the chart says so.
    assert "sullivan-uav-warning" not in labels
    assert f"({len(key)} of the timeline's {len(timeline)} events; the table lists them all)" in (
        text
    )
    assert credit(RELEASE) in text


def test_milestones_chart_title_states_when_each_partner_s_weapons_were_first_used():
    fig = milestones_chart(read_events(), RELEASE)
    title = "Iranian drones were first used in Sep 2022, North Korean missiles in Dec 2023"
    assert fig.get_suptitle() == title
    assert figure_alt(fig) == title  # the image's alt text is the whole finding
    no_first_use = events(
        ("a", "Treaty signed", "2024-06-19", "north_korea", "agreement", "checked")
    )
    assert milestones_title(no_first_use) == (
        "Milestones of the Iran and North Korea supply partnerships"
    )


def test_milestones_chart_colours_dots_by_partner_from_the_palette():
    fig = milestones_chart(read_events(), RELEASE)
    dots = by_gid(fig, "milestone:")
    colours = {e: to_hex(d.get_color()) for e, d in dots.items()}
    assert colours["first-shahed-attack-kyiv"] == IRAN.lower()
    assert colours["nk-srbm-first-use"] == NORTH_KOREA.lower()
    assert set(colours.values()) == {IRAN.lower(), NORTH_KOREA.lower()}  # no red/green pair
    lanes = by_gid(fig, "lane:")
    assert {p: to_hex(t.get_color()) for p, t in lanes.items()} == {
        "iran": IRAN.lower(),
        "north_korea": NORTH_KOREA.lower(),
    }
    assert [t.get_text() for t in lanes.values()] == ["Iran", "North Korea"]


def study(survives: bool = False) -> ModelResult:
    """Three events: two estimated (one per partner), one not."""
    table = pd.DataFrame(
        {
            "event_id": ["first-shahed-attack-kyiv", "nk-srbm-first-use", "sullivan-uav-warning"],
            "date": pd.to_datetime(["2022-10-17", "2023-12-30", "2022-07-11"]),
            "partner": ["iran", "north_korea", "iran"],
            "status": ["estimated", "estimated", "not estimated"],
            "ratio": [1.2, 15.0, np.nan],
            "ratio_low": [0.6, 2.0, np.nan],
            "ratio_high": [2.5, 120.0, np.nan],
            "survives_correction": [False, survives, False],
        }
    )
    summary = {"window_weeks": 26, "lag_weeks": 0}
    return ModelResult("event studies", summary=summary, tables={"events": table})


@pytest.mark.parametrize("name", ["milestones", "event study"])
def test_partnership_charts_are_readable_on_a_phone_in_the_report_style(name):
    timeline = read_events()
    if name == "milestones":
        fig = milestones_chart(timeline, RELEASE)
    else:
        fig = event_study_chart(study(), timeline, release=RELEASE)
    assert fig.get_figwidth() == pytest.approx(FIGURE_WIDTH)
    assert min(t.get_fontsize() for t in texts(fig)) >= 12
    assert smallest_text_px(fig) >= 11  # shown 400 px wide
    assert clipped_texts(fig) == []
    assert not fig.legends and not [ax for ax in fig.axes if ax.get_legend()]
    assert credit(RELEASE) in " ".join(footer_text(fig).split())
    assert figure_alt(fig) == fig.get_suptitle()


def test_event_study_chart_names_events_by_label_under_their_partner_in_its_colour():
    fig = event_study_chart(study(survives=True), read_events(), release=RELEASE)
    labels = by_gid(fig, "event-label:")
    assert [t.get_text() for t in labels.values()] == [
        "First Shahed attack on Kyiv, 17 Oct 2022",
        "First North Korean missiles used, 30 Dec 2023",
    ]
    assert "sullivan" not in all_text(fig) and "nk srbm" not in all_text(fig)
    lanes = by_gid(fig, "lane:")
    assert {p: to_hex(t.get_color()) for p, t in lanes.items()} == {
        "iran": IRAN.lower(),
        "north_korea": NORTH_KOREA.lower(),
    }
    dots = by_gid(fig, "event:")
    assert to_hex(dots["nk-srbm-first-use"].get_markerfacecolor()) == NORTH_KOREA.lower()
    assert dots["first-shahed-attack-kyiv"].get_markerfacecolor() == "white"
    assert fig.get_suptitle() == (
        "1 of the 2 events tested is followed by a clear change in weekly launches"
    )


def test_milestone_labels_that_would_collide_go_on_separate_lines_within_their_lane():
    timeline = events(
        ("a", "First drones delivered to Russia", "2023-01-01", "iran", "delivery", "checked"),
        ("b", "Second shipment of drones", "2023-01-08", "iran", "delivery", "unverified"),
        ("c", "Treaty signed in Moscow", "2023-01-01", "north_korea", "agreement", "checked"),
        ("d", "A statement left to the table", "2023-01-02", "iran", "statement", "checked"),
    )
    fig = milestones_chart(timeline, RELEASE)
    dots = by_gid(fig, "milestone:")
    assert sorted(dots) == ["a", "b", "c"]
    y = {e: float(np.asarray(d.get_ydata())[0]) for e, d in dots.items()}
    assert y["a"] < y["b"] < y["c"]  # b on a line of its own; North Korea's lane below Iran's
    assert dots["b"].get_markerfacecolor() == "white"  # unverified: hollow
    assert to_hex(dots["a"].get_markerfacecolor()) == IRAN.lower()
    assert "(unverified)" in by_gid(fig, "milestone-label:")["b"].get_text()
    assert clipped_texts(fig) == []


def test_a_label_too_long_for_either_side_is_wrapped_evenly():
    lines = wrap_text("First North Korean missiles used", 1.6)
    assert len(lines) >= 2 and " ".join(lines) == "First North Korean missiles used"
    assert all(text_width(line) <= 1.6 for line in lines)
    timeline = events(
        ("a", "An early milestone", "2022-01-01", "iran", "delivery", "checked"),
        (
            "b",
            "First North Korean missiles used in Ukraine",
            "2023-07-01",
            "north_korea",
            "first_use",
            "checked",
        ),
        ("c", "A late milestone", "2025-01-01", "iran", "agreement", "checked"),
    )
    label = by_gid(milestones_chart(timeline, RELEASE), "milestone-label:")["b"]
    lines = label.get_text().split("\n")
    assert len(lines) == 2 and " ".join(lines) == "First North Korean missiles used in Ukraine"


# --- the North Korean band -----------------------------------------------------------------------


def band_frame(upper: list[int]) -> pd.DataFrame:
    n = len(upper)
    frame = pd.DataFrame(
        {
            "period": pd.date_range("2025-09-01", periods=n, freq="MS"),
            "days": 30,
            "complete": True,
            "lower": 0,
            "upper": upper,
            "ballistic": [u + 10 for u in upper],
        }
    )
    frame["share_lower"] = frame["lower"] / frame["ballistic"]
    frame["share_upper"] = frame["upper"] / frame["ballistic"]
    return frame


def test_label_gap_starts_after_the_last_period_that_uses_the_label():
    assert label_gap_start(band_frame([5, 0, 7, 0, 0])) == pd.Timestamp("2025-12-01")
    assert label_gap_start(band_frame([5, 0, 7])) is None  # named in the last period
    assert label_gap_start(band_frame([0, 0, 0])) is None  # never named: nothing to say


def test_band_chart_hatches_the_span_where_the_label_stops_instead_of_a_drop_to_zero():
    fig = north_korean_band_chart(band_frame([5, 0, 7, 0, 0]), release=RELEASE)
    assert label_gaps(fig) == ["2025-12-01"]
    spans = [p for ax in fig.axes for p in ax.patches if p.get_gid() == "label-gap:2025-12-01"]
    assert len(spans) == 2 and all(p.get_hatch() for p in spans)  # both panels
    text = all_text(fig)
    assert "label not used from Dec 2025" in text
    assert "from Dec 2025 no report uses a North Korean label" in text
    # The bounds stop where the label stops; the zero of Oct 2025 (label still in use) stays.
    upper = next(
        line for line in fig.findobj(Line2D) if line.get_label().startswith("Upper bound: ")
    )
    ys = np.asarray(upper.get_ydata(), dtype=float)
    assert ys[1] == 0 and ys[2] == 7 and np.isnan(ys[3:]).all()
    plain = north_korean_band_chart(band_frame([5, 0, 7]), release=RELEASE)
    assert label_gaps(plain) == [] and "label not used" not in all_text(plain)


def test_band_chart_title_states_the_range_between_the_bounds():
    frame = band_frame([5, 0, 7]).assign(lower=[1, 0, 2])
    assert (
        band_title(frame) == "Between 3 and 12 of 42 ballistic missiles may have been North Korean"
    )
    assert north_korean_band_chart(frame, release=RELEASE).get_suptitle() == band_title(frame)
    assert band_title(band_frame([0, 0])) == (
        "No ballistic missile was reported under a North Korean label"
    )
    assert band_title(band_frame([0]).assign(ballistic=0)) == (
        "No ballistic missile launches in the period"
    )


def test_share_chart_title_states_the_iranian_design_share_of_the_latest_months():
    months = pd.date_range("2025-01-01", periods=14, freq="MS")
    monthly = pd.DataFrame(
        {"period": months, "complete": [True] * 13 + [False], "iranian_design": 96, "total": 100}
    )
    assert share_title(monthly) == (
        "About 96% of launches in the last 12 complete months were of Iranian design"
    )
    assert share_title(monthly.assign(iranian_design=0, total=0)) == (
        "Share of launches by design origin, per month"
    )


def test_band_chart_on_real_data_hatches_from_the_month_after_the_label_last_appears(
    real_strikes,
):
    nk = real_strikes["origin"].isin(["north_korea", "russia_or_north_korea"])
    last = pd.Timestamp(max(real_strikes.loc[nk, "end_date"]))
    assert last == pd.Timestamp("2025-12-14")  # the last report that names the label
    fig = north_korean_band_chart(north_korean_band(real_strikes, "M"), release=RELEASE)
    month_after = (last.to_period("M") + 1).start_time
    assert label_gaps(fig) == [f"{month_after:%Y-%m-%d}"] == ["2026-01-01"]
    assert "label not used from Jan 2026" in all_text(fig)
