"""The landing page's hero chart: both panels, the milestones, the record, readable text."""

from __future__ import annotations

import pandas as pd
from matplotlib.colors import to_hex
from matplotlib.text import Text

from analysis.figures import palette
from analysis.figures.hero import HERO_EVENTS, hero_chart, hero_title, milestones, record_of


def _series(values: list[float]) -> pd.Series:
    return pd.Series(values, index=pd.date_range("2022-10-01", periods=len(values), freq="MS"))


def _timeline() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": [*HERO_EVENTS, "some-statement"],
            "date": [
                "2022-10-17",
                "2023-02-05",
                "2023-12-30",
                "2024-06-19",
                "2025-01-17",
                "2024-01-01",
            ],
            "partner": ["iran", "iran", "north_korea", "north_korea", "iran", "iran"],
            "label": [
                "First Shahed attack on Kyiv",
                "Plan to build Shaheds in Russia",
                "First North Korean missiles used",
                "Russia–North Korea treaty signed",
                "Russia–Iran treaty signed",
                "A statement",
            ],
            "description": ["d"] * 6,
        }
    )


def _texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def test_hero_marks_the_chosen_milestones_the_record_and_states_the_finding():
    drones = _series([100.0] * 12 + [3000.0] * 30)
    missiles = _series([150.0] * 42)
    waves = pd.DataFrame(
        {
            "date": ["2025-09-07", "2024-08-26"],
            "start": pd.to_datetime(["2025-09-06", "2024-08-25"]),
            "drones_launched": [810, 236],
            "missiles_launched": [13, 127],
        }
    )
    fig = hero_chart(
        drones,
        missiles,
        _timeline(),
        release="2026-04-05",
        drone_record=record_of(waves, "drones_launched"),
        missile_record=record_of(waves, "missiles_launched"),
    )
    text = " ".join(t.get_text().replace("\n", " ") for t in _texts(fig))
    assert "about 30 times" in text
    for label in _timeline()["label"][:5]:
        assert label.split()[0] in text
    assert "A statement" not in text  # only the chosen milestones
    assert "810 drones on 7 Sep 2025" in text and "127 on 26 Aug 2024" in text
    assert "release of 5 Apr 2026" in text
    assert min(t.get_fontsize() for t in _texts(fig)) >= 12
    assert fig.get_figwidth() <= 6.0  # 12 pt is then at least 11 px at 400 px wide
    colours = {to_hex(p.get_facecolor()) for ax in fig.axes for p in ax.patches}
    assert colours <= {palette.DRONES.lower(), palette.MISSILES.lower()}


def test_milestone_labels_stay_inside_the_figure():
    fig = hero_chart(_series([100.0] * 42), _series([150.0] * 42), _timeline(), release="r")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    box = fig.bbox
    placed = [t for ax in fig.axes for t in ax.texts] + [fig._suptitle, fig._supxlabel]
    assert len(fig.axes[0].texts) == 5
    for t in placed:
        extent = t.get_window_extent(renderer)
        assert extent.x0 >= box.x0 - 1 and extent.x1 <= box.x1 + 1, t.get_text()


def test_title_without_a_long_record_is_descriptive():
    assert hero_title(_series([10.0] * 6)).startswith("Russia's long-range drone and missile")
    assert list(milestones(_timeline())["label"])[0] == "First Shahed attack on Kyiv"
