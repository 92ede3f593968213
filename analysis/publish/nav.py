"""The frame every page of a report shares: the nav bar, the page titles and the footer.

Navigation is plain data (labels and links, in a fixed order, only for pages the report holds);
the markup is the ``_frame.html.j2`` partial of the pages' (autoescaped) environment. A
notebook page is rendered in its worker before the report knows which other pages it holds, so
it carries two markers (HTML comments) where the nav bar and the footer go, filled in by
:func:`frame_notebook_pages` when the report is published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from analysis.atomic import write_with
from analysis.data.registry import DAILY_FILE
from analysis.publish.pages import environment

LANDING = "index.html"
DOWNLOADS = f"{LANDING}#downloads"
#: Where a notebook page's nav bar and footer go until the report is published.
NAV_MARK = "<!-- report frame: nav -->"
FOOTER_MARK = "<!-- report frame: footer -->"
#: The name that follows a page's own title in the browser's tab.
SITE = "Russia's strikes on Ukraine"


@dataclass(frozen=True)
class Page:
    """A page of the report: its file, its label in the nav bar and its title."""

    href: str
    label: str
    title: str


#: The nav bar's order; each entry is shown only when its page is in the report.
PAGES: tuple[Page, ...] = (
    Page(LANDING, "Overview", "Overview"),
    Page("02_escalation_trends.html", "Trends", "Escalation trends"),
    Page("03_salvo_and_interception.html", "Attacks and defences", "Attacks and air defences"),
    Page("04_supply_partnerships.html", "Partnerships", "Supply partnerships"),
    Page("05_forecast.html", "Forecast", "Forecast"),
    Page("01_data_overview.html", "Data and method", "The data and how it is counted"),
)
#: The landing page's section of files to download; last in the nav bar.
DOWNLOADS_PAGE = Page(DOWNLOADS, "Downloads", "Downloads")


@dataclass(frozen=True)
class NavEntry:
    """One link of the nav bar; ``current`` marks the page the reader is on."""

    label: str
    href: str
    current: bool = False


@dataclass(frozen=True)
class Footer:
    """What every page's footer states: the data release, the raw file's sha256 and when the
    report was made."""

    release: str
    data_file: str
    sha256: str
    generated: str


def _known(href: str) -> Page | None:
    return next((p for p in PAGES if p.href == href), None)


def page_info(stem: str) -> Page:
    """The page of notebook ``stem`` (``02_escalation_trends``); a notebook the table does not
    know gets its name in words (``06_air_defence`` is "Air defence")."""
    href = f"{stem}.html"
    known = _known(href)
    if known is not None:
        return known
    words = (stem.split("_", 1)[1] if stem[:2].isdigit() and "_" in stem else stem).replace(
        "_", " "
    )
    words = words.strip().capitalize() or stem
    return Page(href, words, words)


def is_known_page(stem: str) -> bool:
    """True when notebook ``stem`` is one of the report's named pages (:data:`PAGES`)."""
    return _known(f"{stem}.html") is not None


def page_title(stem: str) -> str:
    """The notebook page's human title, e.g. "Escalation trends"."""
    return page_info(stem).title


def document_title(stem: str, release: Any = None) -> str:
    """The ``<title>`` of a notebook page: its title, the site, and the data release."""
    tail = f", release {release}" if release else ""
    return f"{page_title(stem)} – {SITE}{tail}"


def report_pages(sections: Iterable[tuple[str, str | None, Any]]) -> list[str]:
    """The HTML pages a report holds: the landing page and each notebook's page."""
    return [LANDING, *(page for _, page, _ in sections if page)]


def nav_entries(pages: Iterable[str], current: str | None = None) -> tuple[NavEntry, ...]:
    """The nav bar of a report holding ``pages`` (file names), in the report's order: the
    known pages first, then any other notebook page, then the downloads; ``current`` marked."""
    present = list(dict.fromkeys(pages))
    known = [p for p in PAGES if p.href in present]
    others = [page_info(Path(h).stem) for h in present if _known(h) is None]
    tail = [DOWNLOADS_PAGE] if LANDING in present else []
    entries = tuple(NavEntry(p.label, p.href) for p in [*known, *others, *tail])
    return mark_current(entries, current)


def mark_current(entries: Sequence[NavEntry], current: str | None) -> tuple[NavEntry, ...]:
    """``entries`` with the one linking to page ``current`` marked (none when it is None)."""
    return tuple(replace(e, current=current is not None and e.href == current) for e in entries)


def _readable(moment: dt.datetime) -> str:
    moment = moment.astimezone(dt.UTC)
    return f"{moment.day} {moment:%b %Y}, {moment:%H:%M} UTC"


def generated_time(provenance: dict, now: dt.datetime | None = None) -> str:
    """When the report was made, readable ("3 Dec 2026, 13:26 UTC"): the run's start plus its
    run time from the provenance; ``now`` (default: the clock) when the run's start is missing."""
    started = provenance.get("started_utc")
    try:
        moment = dt.datetime.fromisoformat(str(started))
    except ValueError:
        return _readable(now or dt.datetime.now(dt.UTC))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    seconds = provenance.get("run_seconds")
    if isinstance(seconds, int | float):
        moment += dt.timedelta(seconds=seconds)
    return _readable(moment)


def footer_context(provenance: dict, now: dt.datetime | None = None) -> Footer:
    """The footer of every page of a report with ``provenance``: its release, the daily raw
    file's sha256 (else the first input's) and the generation time."""
    inputs = provenance.get("inputs") or {}
    name = DAILY_FILE if DAILY_FILE in inputs else next(iter(inputs), DAILY_FILE)
    info = inputs.get(name) or {}
    return Footer(
        release=str(provenance.get("release") or ""),
        data_file=name,
        sha256=str(info.get("sha256") or ""),
        generated=generated_time(provenance, now),
    )


def frame_context(
    pages: Iterable[str], current: str | None, provenance: dict, now: dt.datetime | None = None
) -> dict[str, Any]:
    """What a page's frame shows: ``nav`` (entries, ``current`` marked) and ``footer``."""
    return {"nav": nav_entries(pages, current), "footer": footer_context(provenance, now)}


def _macros() -> Any:
    return environment().get_template("_frame.html.j2").module


def notebook_resources(key_points: Sequence[Sequence[dict[str, Any]]]) -> dict[str, str]:
    """What the notebook pages' nbconvert template puts in its frame: the CSS, the markers
    of the nav bar and footer, and the key-points box of ``key_points`` (sentences as
    :func:`analysis.publish.landing.sentence` splits them), rendered and escaped here."""
    macros = _macros()
    return {
        "css": str(macros.css()),
        "nav": NAV_MARK,
        "key_points": str(macros.key_points(key_points)),
        "footer": FOOTER_MARK,
    }


def frame_page(page: str, nav: Sequence[NavEntry], footer: Footer) -> str:
    """A notebook page with its nav bar and footer in place of their markers."""
    macros = _macros()
    head, mark, rest = page.partition(NAV_MARK)
    if mark:
        page = head + str(macros.nav(nav)) + rest
    head, mark, rest = page.rpartition(FOOTER_MARK)
    if mark:
        page = head + str(macros.footer(footer)) + rest
    return page


def frame_notebook_pages(
    folder: Path, sections: Sequence[tuple[str, str | None, Any]], provenance: dict
) -> list[Path]:
    """Give every notebook page of the report in ``folder`` its nav bar and footer (each file
    rewritten atomically); the pages framed. Pages that are not there are skipped."""
    pages = report_pages(sections)
    footer = footer_context(provenance)
    framed = []
    for _, name, _ in sections:
        path = Path(folder) / name if name else None
        if path is None or not path.is_file():
            continue
        text = frame_page(path.read_text(encoding="utf-8"), nav_entries(pages, name), footer)
        write_with(path, _writer(text))
        framed.append(path)
    return framed


def _writer(text: str) -> Callable[[Path], object]:
    return lambda target: target.write_text(text, encoding="utf-8")
