"""The printed width of a line of chart text, and text wrapped to a width in inches.

Charts lay their titles, notes and event labels out in inches so that they read on a phone;
that needs the width of a line as drawn (the ink from the first glyph's left edge to the last
glyph's right edge). Building a :class:`~matplotlib.textpath.TextPath` and asking its extents
gives that width exactly but walks every curve of every glyph in Python, about 30 ms a line,
and wrapping a label tries many lines. Here each glyph's ink extent is measured once (with the
same curve-exact :meth:`~matplotlib.path.Path.get_extents`) and a line's width is the union of
its glyphs' extents placed where matplotlib's own layout (kerning included) puts them: the same
number, thousands of times faster.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping

from matplotlib.font_manager import FontProperties
from matplotlib.path import Path
from matplotlib.textpath import TextPath, TextToPath

from analysis.figures.style import TEXT_PT

_TO_PATH = TextToPath()
#: Each glyph's ink extent, by matplotlib's name for it (font and glyph index): a pure memo.
_INK: dict[str, tuple[float, float] | None] = {}


def text_width(text: str, size: float = TEXT_PT, bold: bool = False) -> float:
    """The printed width of one line of ``text`` in inches, in the default font."""
    if not text.strip():
        return 0.0
    if "$" in text:
        return text_width_exact(text, size, bold)
    return _line_width(text, bold) * size / _TO_PATH.FONT_SCALE / 72


def text_width_exact(text: str, size: float = TEXT_PT, bold: bool = False) -> float:
    """:func:`text_width` measured on the whole line's path (slow; the reference the fast
    measure is tested against, and the path for text with mathtext in it)."""
    if not text.strip():
        return 0.0
    prop = FontProperties(size=size, weight="bold" if bold else "normal")
    return float(TextPath((0, 0), text, prop=prop).get_extents().width) / 72


@functools.lru_cache(maxsize=8192)
def _line_width(text: str, bold: bool) -> float:
    """The ink width of ``text`` at the layout's reference size (font units of
    :attr:`TextToPath.FONT_SCALE` points)."""
    # the very lookup TextPath makes (fall-back fonts included), at the same reference size
    font = _TO_PATH._get_font(  # type: ignore[attr-defined]
        FontProperties(weight="bold" if bold else "normal")
    )
    glyphs, paths, _ = _TO_PATH.get_glyphs_with_font(font, text)
    left, right = math.inf, -math.inf
    for glyph, x, _, scale in glyphs:
        ink = _glyph_ink(glyph, paths)
        if ink is not None:
            left = min(left, x + ink[0] * scale)
            right = max(right, x + ink[1] * scale)
    return right - left if right >= left else 0.0


def _glyph_ink(glyph: str, paths: Mapping[str, tuple]) -> tuple[float, float] | None:
    """The left and right edge of one glyph's ink (``None`` for a blank such as a space);
    ``glyph`` names a font and glyph, so its extent is measured once."""
    if glyph not in _INK:
        verts, codes = paths[glyph]
        box = Path(verts, codes).get_extents() if len(verts) else None
        _INK[glyph] = None if box is None else (float(box.x0), float(box.x1))
    return _INK[glyph]


def wrap_text(text: str, width_in: float, size: float = TEXT_PT, bold: bool = False) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width_in`` inches as printed (a
    longer word keeps a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size, bold) <= width_in:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines
