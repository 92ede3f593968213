"""The report as one PDF: the landing page and every notebook page printed by the installed
Chromium (driven by Playwright, which downloads no browser of its own), joined with pypdf into
``report.pdf`` in the report's folder, one bookmark per page.

The pages print with their print stylesheet (no nav bar, method blocks open). The PDF is
written atomically: a reader sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from analysis.atomic import write_with
from analysis.errors import AnalysisError
from analysis.publish.nav import LANDING, page_info

PDF_NAME = "report.pdf"
#: Flags for Chromium in a container or on CI: no sandbox, GPU or network side-traffic.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: A report's notebook pages: ``NN_name.html``.
_NOTEBOOK_PAGE = re.compile(r"^\d\d_\w+\.html$")
_MARGIN: Any = {"top": "12mm", "bottom": "12mm", "left": "10mm", "right": "10mm"}
#: Opens every <details> block before printing (the print stylesheet does too, where the
#: browser supports it).
_OPEN_DETAILS = "document.querySelectorAll('details').forEach(d => { d.open = true; })"


class PdfError(AnalysisError):
    """The report could not be printed: no Chromium, no Playwright, or no report there."""


def chromium_path() -> str | None:
    """Debian's chromium (or CHROMIUM=/path), or None."""
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


def report_html_pages(folder: Path) -> list[Path]:
    """The pages to print, in reading order: the landing page, then the notebook pages."""
    folder = Path(folder)
    if not (folder / LANDING).is_file():
        raise PdfError(f"{folder} holds no report ({LANDING} is missing); run the report first")
    notebooks = sorted(p for p in folder.glob("*.html") if _NOTEBOOK_PAGE.match(p.name))
    return [folder / LANDING, *notebooks]


def _bookmark(page: Path) -> str:
    return "Overview" if page.name == LANDING else page_info(page.stem).title


def _print_pages(pages: list[Path], parts: Path, chromium: str) -> list[Path]:
    """Print each page to its own PDF in ``parts``; the files in order."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PdfError(
            "printing the PDF needs Playwright: pip install playwright (it is in the test "
            "extra: pip install -e '.[test]'); it uses the installed Chromium"
        ) from None
    printed = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            try:
                tab = browser.new_page()
                for number, page in enumerate(pages):
                    tab.goto(page.resolve().as_uri(), wait_until="load")
                    tab.evaluate(_OPEN_DETAILS)
                    target = parts / f"{number:02d}.pdf"
                    tab.pdf(path=str(target), format="A4", print_background=True, margin=_MARGIN)
                    printed.append(target)
            finally:
                browser.close()
    except PlaywrightError as exc:
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise PdfError(f"Chromium ({chromium}) could not print the report: {first}") from None
    return printed


def print_report_pdf(folder: Path, chromium: str | None = None) -> Path:
    """Print the report in ``folder`` (landing page, then every notebook page) into one
    ``report.pdf`` there, with a bookmark per page; its path. ``chromium`` defaults to
    :func:`chromium_path`; without one, a :class:`PdfError` says what to install."""
    from pypdf import PdfWriter

    folder = Path(folder)
    pages = report_html_pages(folder)
    chromium = chromium or chromium_path()
    if chromium is None:
        raise PdfError(
            "printing the PDF needs Chromium: install it (Debian and Ubuntu: apt-get install "
            "chromium) or set CHROMIUM=/path/to/chromium"
        )
    with tempfile.TemporaryDirectory(prefix="report-pdf-") as tmp:
        printed = _print_pages(pages, Path(tmp), chromium)
        writer = PdfWriter()
        for page, part in zip(pages, printed, strict=True):
            writer.append(str(part), outline_item=_bookmark(page))
        target = folder / PDF_NAME
        write_with(target, lambda path: writer.write(str(path)))
        writer.close()
    return target
