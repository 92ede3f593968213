"""Plain words: what a reader sees of a published page, and the jargon in it.

A page's reader text is everything outside its folds (``<details>``: "Method and
diagnostics", "How to use"), its nav bar, footer, scripts and styles. Statistical terms, model
names, code identifiers and ISO dates belong in the folds and in the methods document; the
reader text says the same things in plain words. :func:`jargon_in` lists what breaks that rule,
so a test can print the offending phrases and a page author can check a page by hand::

    python -m analysis.publish.plainwords reports/latest/*.html
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

#: Statistical terms, model and library names a general reader should not need (case-blind).
JARGON_WORDS: tuple[str, ...] = (
    "confidence interval",
    "confidence band",
    "prediction interval",
    "negative binomial",
    "binomial",
    "poisson",
    "quantile",
    "percentile",
    "regression",
    "autocorrelat",
    "residual",
    "newey",
    "fixed-b",
    "bootstrap",
    "backtest",
    "sarimax",
    "arima",
    "holt",
    "diebold",
    "log-odds",
    "wilson",
    "dispersion",
    "likelihood",
    "p-value",
    "standard error",
    "coefficient",
    "heteroscedastic",
    "spline",
    "kiefer",
    "delta method",
    "event study",
    "event-study",
    "naive",
    "statsmodels",
    "pandas",
    "papermill",
    "sha256",
    "lag-1",
    "degrees of freedom",
)
#: Abbreviations matched as whole words, case and all.
JARGON_ABBREVIATIONS: tuple[str, ...] = (
    "CI",
    "CIs",
    "MASE",
    "ETS",
    "AIC",
    "HAC",
    "LR",
    "GLM",
    "OLS",
    "PELT",
    "NB",
    "True",
    "False",
)
_WORDS = re.compile("|".join(re.escape(w) for w in JARGON_WORDS), re.IGNORECASE)
_ABBREVIATIONS = re.compile(r"\b(?:" + "|".join(JARGON_ABBREVIATIONS) + r")\b")
_SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_GREEK = re.compile(r"[αβρσμ]")
#: Elements whose text is not reader text.
HIDDEN = frozenset({"details", "nav", "footer", "script", "style", "head", "title"})
_VOID = frozenset({"br", "img", "hr", "meta", "link", "input", "wbr", "source", "col"})


class _ReaderText(HTMLParser):
    """Collects the text outside :data:`HIDDEN` elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in HIDDEN:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN and self.depth:
            self.depth -= 1

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        """A self-closed element opens nothing."""

    def handle_data(self, data: str) -> None:
        if not self.depth and data.strip():
            self.parts.append(data.strip())


def reader_text(page: str) -> str:
    """The text a reader sees on ``page`` (HTML) without opening a fold, one piece per line."""
    parser = _ReaderText()
    parser.feed(page)
    parser.close()
    return "\n".join(parser.parts)


def jargon_in(text: str) -> list[str]:
    """Each jargon word, code identifier, ISO date or Greek letter in ``text``, with the line
    it stands in (shortened), so a failing check shows where to look."""
    found = []
    for line in text.splitlines():
        for pattern in (_WORDS, _ABBREVIATIONS, _SNAKE_CASE, _ISO_DATE, _GREEK):
            for match in pattern.finditer(line):
                found.append(f"{match.group(0)!r} in: {_around(line, match.start())}")
    return found


def _around(line: str, at: int, width: int = 60) -> str:
    """The part of ``line`` within ``width`` characters of position ``at``."""
    start = max(0, at - width)
    tail = "…" if at + width < len(line) else ""
    return ("…" if start else "") + line[start : at + width] + tail


def page_jargon(path: Path) -> list[str]:
    """The jargon in the reader text of the page at ``path``."""
    return jargon_in(reader_text(path.read_text(encoding="utf-8")))


def main(argv: list[str]) -> int:
    """Print the jargon of each page named in ``argv``; exit 1 if there is any."""
    total = 0
    for name in argv:
        found = page_jargon(Path(name))
        total += len(found)
        print(f"{name}: {len(found)}")
        for item in found:
            print(f"  {item}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
