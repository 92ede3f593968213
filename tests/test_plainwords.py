"""The reader text of a page (outside its folds) and the jargon check run on it."""

from __future__ import annotations

import pytest

from analysis.publish.plainwords import jargon_in, main, reader_text

PAGE = """<html><head><title>sha256 page</title><style>.x{}</style></head><body>
<nav class="pages"><a href="a.html">Newey</a></nav>
<h1>Drone launches grew</h1><p>About +40% a year, plausibly +15% to +70%.</p>
<details class="method"><summary>Method and diagnostics</summary>
<p>Negative binomial GLM, 95% CI from fixed-b HAC; log2_salvo; 2025-09-07.</p>
<details><summary>nested</summary><p>bootstrap</p></details><p>still folded: AIC</p></details>
<img src="x.png" alt="chart"><p>After the fold: 7 Sep 2025.</p>
<footer class="page">Data release 2026-04-05; sha256 abc</footer></body></html>"""


def test_reader_text_leaves_out_folds_nav_footer_head_and_styles():
    text = reader_text(PAGE)
    assert text.splitlines() == [
        "Drone launches grew",
        "About +40% a year, plausibly +15% to +70%.",
        "After the fold: 7 Sep 2025.",
    ]
    assert jargon_in(text) == []


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("The 95% CI runs from 3 to 5.", "'CI'"),
        ("A negative binomial trend.", "'negative binomial'"),
        ("Quantile Regression slopes.", "'Quantile'"),
        ("The column log2_salvo holds it.", "'log2_salvo'"),
        ("The wave of 2025-09-07 was the largest.", "'2025-09-07'"),
        ("Its MASE is 0.9.", "'MASE'"),
        ("Spread α = 0.3.", "'α'"),
        ("Where time known is False.", "'False'"),
    ],
)
def test_jargon_in_names_each_term_code_name_iso_date_and_greek_letter(sentence, found):
    hits = jargon_in(sentence)
    assert hits and hits[0].startswith(f"{found} in: ")


def test_plain_words_that_contain_an_abbreviation_are_not_jargon():
    plain = "Civilian areas were hit; Cities, Etsy, the LRA and Nobody noticed in Sep 2025."
    assert jargon_in(plain) == []


def test_the_command_prints_each_pages_hits_and_fails_when_there_are_any(tmp_path, capsys):
    bad, good = tmp_path / "bad.html", tmp_path / "good.html"
    bad.write_text("<p>Poisson fit, 95% CI.</p>", encoding="utf-8")
    good.write_text("<p>Drone launches grew.</p>", encoding="utf-8")
    assert main([str(good)]) == 0
    assert main([str(bad), str(good)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}: 2" in out and "'Poisson' in: Poisson fit" in out and f"{good}: 0" in out
