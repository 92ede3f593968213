"""Chart text measured and wrapped in inches (analysis/figures/textsize.py): the fast measure
gives the same width as measuring the whole line's path, so layouts do not move."""

from __future__ import annotations

import pytest

from analysis.figures.style import TEXT_PT, TITLE_PT
from analysis.figures.textsize import text_width, text_width_exact, wrap_text

LINES = [
    "First North Korean missiles used, 7 Sep 2025",
    "Drone launches tripled in 2025",
    "Iran–Russia treaty (unverified), 17 Jan 2025",
    "“Shahed” AVWA Tyj, 1,234",
    "x",
    "  two  spaces ",
]


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("size", [11.0, TEXT_PT, TITLE_PT])
def test_fast_width_equals_the_width_of_the_whole_lines_path(size: float, bold: bool) -> None:
    for line in LINES:
        assert text_width(line, size, bold) == pytest.approx(
            text_width_exact(line, size, bold), rel=1e-12, abs=1e-12
        )


def test_width_grows_with_size_and_weight_and_blank_text_is_zero() -> None:
    line = LINES[1]
    assert text_width(line, TITLE_PT) == pytest.approx(text_width(line) * TITLE_PT / TEXT_PT)
    assert text_width(line, bold=True) > text_width(line)
    assert text_width("   ") == 0.0
    # 30 characters of 13 pt text: between 2 and 3.5 inches as printed
    assert 2.0 < text_width(line) < 3.5


def test_text_with_dollar_signs_is_measured_on_its_path() -> None:
    assert text_width("costs $5 and $6") == text_width_exact("costs $5 and $6")


def test_wrapped_lines_fit_the_width_and_keep_every_word() -> None:
    text = "The ten largest attacks of the war, each with its date and what it was made of"
    lines = wrap_text(text, 2.0)
    assert " ".join(lines) == text
    assert len(lines) > 2
    assert all(text_width(line) <= 2.0 for line in lines)
    # greedy: the next word would not have fitted on any line but the last
    words = text.split()
    used = 0
    for line in lines[:-1]:
        used += len(line.split())
        assert text_width(f"{line} {words[used]}") > 2.0


def test_a_word_wider_than_the_width_keeps_a_line_of_its_own() -> None:
    assert wrap_text("a Shahed-136/Geran-2 b", 0.5) == ["a", "Shahed-136/Geran-2", "b"]
