"""What a reader sees first on the landing page: the summary, the number cards, the hero chart
and one short section per page with its key chart, all from the notebooks' results.

Plain values only; the ``landing.html.j2`` template lays them out and escapes every text.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from analysis.findings.cards import cards_from, summary_text
from analysis.results import png_size as read_png_size

#: The hero chart: the figure notebook 01 records under this name.
HERO_FIGURE = "01_data_overview__hero.png"
#: Pixels per displayed pixel of the report's PNGs (saved at twice their size).
SCALE = 2


def png_size(path: Path) -> tuple[int, int] | None:
    """Width and height in pixels from a PNG's header (None when it is not a readable PNG)."""
    try:
        with Path(path).open("rb") as handle:
            return read_png_size(handle.read(24))
    except (OSError, ValueError, struct.error):
        return None


def image(folder: Path, name: str, alt: str) -> dict[str, Any]:
    """An image for the template: ``src``, ``alt`` and the displayed ``width``/``height``
    (half the PNG's pixels, so the browser reserves the space and draws it crisp)."""
    size = png_size(Path(folder) / name)
    width, height = (None, None) if size is None else (size[0] // SCALE, size[1] // SCALE)
    return {"src": name, "alt": alt, "width": width, "height": height}


def _figures(record: dict) -> list[tuple[str, str]]:
    captions = record.get("numbers", {}).get("_captions", {})
    return [
        (name, str(captions[name].get("caption") or ""))
        for name in record.get("files", [])
        if captions.get(name, {}).get("kind") == "figure"
    ]


def key_figure(record: dict) -> tuple[str, str] | None:
    """A page's key chart: its first figure other than the hero (None when it has none)."""
    figures = [f for f in _figures(record) if f[0] != HERO_FIGURE]
    return figures[0] if figures else None


def key_point(record: dict) -> str:
    """A page's key point: its first headline finding, else its first finding (markup kept:
    the template renders ``**bold**``)."""
    findings = record.get("findings", [])
    chosen = next((f for f in findings if f.get("headline")), findings[0] if findings else None)
    return str(chosen.get("text", "")) if chosen else ""


def front_context(results: dict[str, dict], folder: Path) -> dict[str, Any]:
    """``summary``, ``cards`` and ``hero`` (None when notebook 01 recorded no hero chart)."""
    cards = cards_from(results)
    hero = None
    for record in results.values():
        named = dict(_figures(record))
        if HERO_FIGURE in named:
            hero = image(folder, HERO_FIGURE, named[HERO_FIGURE] or "Launches per month")
    return {"summary": summary_text(cards), "cards": cards, "hero": hero}
