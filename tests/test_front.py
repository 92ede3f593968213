"""The landing page's first screen: summary, number cards, hero chart, key chart per page."""

from __future__ import annotations

import html
import re

import pandas as pd
from matplotlib.figure import Figure

from analysis.findings.cards import defeated_card, latest_month_card
from analysis.publish.front import (
    HERO_FIGURE,
    front_context,
    image,
    key_figure,
    key_point,
    png_size,
)
from analysis.publish.landing import write_landing_page
from analysis.results import Publisher

PROVENANCE = {"release": "2026-04-05", "parameters": {}, "inputs": {}}


def _figure(width: float = 6.0, height: float = 4.0) -> Figure:
    fig = Figure(figsize=(width, height))
    fig.subplots().plot([0, 1], [0, 1])
    return fig


def _report(folder):
    one = Publisher(folder, "01_data_overview", title="Data")
    one.figure(_figure(), "hero", "Monthly drone launches are now about 27 times the first year")
    one.figure(_figure(), "monthly_launches", "Launches per month by class")
    months = pd.date_range("2024-03-01", periods=13, freq="MS")
    latest_month_card(pd.Series([100.0] * 12 + [350.0], index=months), pd.Series(dtype=float), one)
    one.finding("record", "The largest wave: **810** drones.", value=810)
    three = Publisher(folder, "03_salvo_and_interception", title="Salvo")
    defeated_card(0.874, 0.849, 0.9, 3, three)
    three.figure(_figure(), "defeat", "Share of drones stopped per month")
    sections = [
        ("01_data_overview", "01_data_overview.html", {}),
        ("03_salvo_and_interception", "03_salvo_and_interception.html", {}),
    ]
    return write_landing_page(folder, sections, PROVENANCE).read_text(encoding="utf-8")


def test_png_size_reads_the_header_and_images_are_shown_at_half_their_pixels(tmp_path):
    _figure().savefig(tmp_path / "a.png", dpi=200)
    assert png_size(tmp_path / "a.png") == (1200, 800)
    assert image(tmp_path, "a.png", "alt")["width"] == 600
    (tmp_path / "b.png").write_bytes(b"not a png")
    assert png_size(tmp_path / "b.png") is None and image(tmp_path, "b.png", "x")["width"] is None


def test_key_figure_skips_the_hero_and_key_point_prefers_a_headline():
    record = {
        "files": [HERO_FIGURE, "01_data_overview__x.png", "01_data_overview__t.csv"],
        "numbers": {
            "_captions": {
                HERO_FIGURE: {"kind": "figure", "caption": "hero"},
                "01_data_overview__x.png": {"kind": "figure", "caption": "x"},
                "01_data_overview__t.csv": {"kind": "table", "caption": "t"},
            }
        },
        "findings": [{"text": "aside", "headline": False}, {"text": "main", "headline": True}],
    }
    assert key_figure(record) == ("01_data_overview__x.png", "x")
    assert key_point(record) == "main"
    assert key_point({"findings": [{"text": "only", "headline": False}]}) == "only"
    assert front_context({}, "/nonexistent")["hero"] is None


def test_landing_page_opens_with_summary_cards_and_hero_then_one_section_per_page(tmp_path):
    page = _report(tmp_path)
    body = page[page.index("<main>") :]
    first_image = body.index("<img")
    before = html.unescape(re.sub(r"<[^>]+>", " ", body[:first_image]))
    assert len(before.split()) <= 150
    assert 'class="summary">In March 2025 Russia launched 350 long-range drones' in page
    assert page.count('class="card"') == 2 and "87%" in page
    assert f'src="{HERO_FIGURE}"' in body[first_image : first_image + 200]
    assert re.search(rf'<img src="{HERO_FIGURE}" alt="[^"]+" width="\d+" height="\d+"', page)
    assert page.index('id="01_data_overview"') < page.index('id="03_salvo_and_interception"')
    assert "Read the full page: Attacks and air defences" in page
    assert 'src="03_salvo_and_interception__defeat.png"' in page
    assert "<strong>810</strong>" in page  # a key point keeps its bold markup
    assert 'id="downloads"' in page
