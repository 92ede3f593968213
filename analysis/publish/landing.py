"""The report's landing page (``index.html``) and its machine-readable twin (``report.json``).

Everything shown comes from the notebooks' ``*.results.json`` records and the run's
provenance. This module only gathers plain values; the page is the ``landing.html.j2``
template, which escapes every text, because event descriptions, model names and sources come
from data.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from analysis.atomic import write_json, write_with
from analysis.data.labels import DATA_CREDIT, EVENTS_CREDIT, SCOPE_LABELS
from analysis.findings.text import day_label
from analysis.publish.front import front_context, image, key_figure, key_point
from analysis.publish.nav import (
    LANDING,
    frame_context,
    frame_notebook_pages,
    is_known_page,
    page_title,
    report_pages,
)
from analysis.publish.pages import render_page
from analysis.vocabulary import DEFAULT_SCOPE

TITLE = "Russia's missile and drone strikes on Ukraine: escalation and supply partnerships"
CREDIT = f"Data: {DATA_CREDIT}. {EVENTS_CREDIT}."
CAVEAT = (
    "All counts are launches as reported by Ukraine's Air Force; from 2025 the drone counts "
    "include decoys. The models describe the reported counts with their uncertainty. Changes "
    "that coincide with a partnership event are associations in timing, not proof that the "
    "event caused them."
)
#: The findings' only markup: ``**bold**``.
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def sentence(text: str) -> list[dict[str, Any]]:
    """A finding's text as parts in order, each marked bold or not (``**bold**`` markup);
    the template sets the bold parts, so the text itself is never taken as HTML."""
    pieces = _BOLD.split(_text(text))  # odd positions are the bold groups
    return [{"text": p, "bold": i % 2 == 1} for i, p in enumerate(pieces) if p]


def _findings(items: list[dict]) -> list[list[dict[str, Any]]]:
    """The findings' sentences; each states its own interval (values stay in report.json)."""
    return [sentence(f["text"]) for f in items]


def _captioned(record: dict, kind: str) -> list[tuple[str, str]]:
    """The record's files of ``kind`` (``figure`` or ``table``) with their captions."""
    captions = record.get("numbers", {}).get("_captions", {})
    return [
        (f, _text(captions[f].get("caption")))
        for f in record.get("files", [])
        if captions.get(f, {}).get("kind") == kind
    ]


def _section(
    stem: str, page: str, record: dict | None, folder: Path | None = None
) -> dict[str, Any]:
    """One notebook's section: its human title, key point and key chart, its other findings,
    figures, tables and the page link."""
    record = record or {}
    chosen = key_figure(record)
    figure = None
    if chosen is not None:
        figure = {
            **image(folder or Path("."), chosen[0], chosen[1] or chosen[0]),
            "caption": chosen[1],
        }
    return {
        "id": stem,
        "title": page_title(stem) if is_known_page(stem) else _text(record.get("title") or stem),
        "point": sentence(key_point(record)),
        "key_figure": figure,
        "page": page,
        "findings": _findings([f for f in record.get("findings", []) if not f.get("headline")]),
        "figures": [
            {"src": f, "alt": caption or f, "caption": caption}
            for f, caption in _captioned(record, "figure")
        ],
        "tables": [
            {"href": f, "label": caption or f} for f, caption in _captioned(record, "table")
        ],
    }


def _provenance(provenance: dict) -> list[tuple[str, str]]:
    """The provenance table's rows: (label, value), in the order shown."""
    rows: list[tuple[str, Any]] = [("data release", provenance.get("release"))]
    for name, info in provenance.get("inputs", {}).items():
        rows.append((f"{name} sha256", info.get("sha256")))
    rows += [
        ("package version", provenance.get("package_version")),
        ("git commit", provenance.get("git_commit")),
        ("software", ", ".join(f"{k} {v}" for k, v in provenance.get("software", {}).items())),
        ("parameters", ", ".join(f"{k}={v}" for k, v in provenance.get("parameters", {}).items())),
        ("run started (UTC)", provenance.get("started_utc")),
        ("run time", f"{provenance.get('run_seconds')} s"),
    ]
    return [(label, _text(value)) for label, value in rows]


def readable_day(value: Any) -> str:
    """A release name or a date as a reader writes it (``7 Sep 2025``); other text as it is."""
    text = _text(value)
    if not _ISO_DAY.fullmatch(text):
        return text
    try:
        return day_label(text)
    except ValueError:
        return text


def period_text(start: Any, end: Any) -> str:
    """The period a report shows, in words: the whole record, or from / to readable days."""
    if not start and not end:
        return "the whole record"
    if start and end:
        return f"{readable_day(start)} to {readable_day(end)}"
    if start:
        return f"from {readable_day(start)} to the end of the data"
    return f"from the start of the data to {readable_day(end)}"


def landing_context(
    results: dict[str, dict],
    sections: list[tuple[str, str, dict]],
    provenance: dict,
    calibration: list[dict[str, str]] | None = None,
    folder: Path | None = None,
) -> dict[str, Any]:
    """Everything the landing page shows, as plain values for ``landing.html.j2``;
    ``calibration`` are the rows of :func:`calibration_rows` (none: no calibration run);
    ``folder`` is the report folder, where the charts' sizes are read."""
    order = [stem for stem, _, _ in sections]
    params = provenance.get("parameters", {})
    scope = params.get("scope") or DEFAULT_SCOPE
    return {
        "title": TITLE,
        "release": readable_day(provenance.get("release")),
        "period": period_text(params.get("start"), params.get("end")),
        "counts": SCOPE_LABELS.get(scope, _text(scope)),
        "headline": _findings(headline_findings(results, order)),
        "caveat": CAVEAT,
        "sections": [_section(stem, page, results.get(stem), folder) for stem, page, _ in sections],
        **front_context(results, folder or Path(".")),
        "provenance": _provenance(provenance),
        "credit": CREDIT,
        "calibration": calibration or [],
        "calibration_folder": CALIBRATION_FOLDER,
        **page_frame(sections, provenance),
    }


def page_frame(sections: list[tuple[str, str, dict]], provenance: dict) -> dict[str, Any]:
    """The landing page's frame: the nav bar (the landing page marked) and the footer."""
    return frame_context(report_pages(sections), LANDING, provenance)


def headline_findings(results: dict[str, dict], order: list[str]) -> list[dict]:
    """The notebooks' headline findings in notebook order, each naming its notebook."""
    return [
        {**f, "notebook": stem}
        for stem in order
        for f in results.get(stem, {}).get("findings", [])
        if f.get("headline")
    ]


#: The calibration files a report carries, copied from ``reports/calibration/``.
CALIBRATION_FOLDER = "calibration"
CALIBRATION_FILES = ("calibration.csv", "calibration.png", "calibration.json")
#: The row of the calibration table the landing page shows: nominal 95%, strong dependence.
CALIBRATION_SHOWN = {"level": "0.95", "process": "ar1_0.5"}


def copy_calibration(source: Path, folder: Path) -> bool:
    """Copy the calibration table, chart and record from ``source`` into the report's
    ``calibration/`` (atomically); False when no full calibration run exists yet."""
    present = [source / name for name in CALIBRATION_FILES if (source / name).is_file()]
    if len(present) < len(CALIBRATION_FILES):
        return False
    target = Path(folder) / CALIBRATION_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    for path in present:
        write_with(target / path.name, _writer(path.read_bytes()))
    return True


def _writer(data: bytes) -> Callable[[Path], object]:
    return lambda target: target.write_bytes(data)


def calibration_rows(folder: Path) -> list[dict[str, str]]:
    """The calibration rows the landing page lists (headline intervals, nominal 95% at AR(1)
    rho 0.5), as text; empty when the report carries no calibration table."""
    path = Path(folder) / CALIBRATION_FOLDER / CALIBRATION_FILES[0]
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [
            r
            for r in csv.DictReader(handle)
            if all(_same(r.get(k), v) for k, v in CALIBRATION_SHOWN.items())
            and r.get("headline") != "False"
        ]
    return [
        {
            "label": r.get("label", ""),
            "coverage": _percent(r.get("coverage")),
            "band": f"{_percent(r.get('band_low'))} to {_percent(r.get('band_high'))}",
            "replicates": r.get("replicates", ""),
            "verdict": "holds" if r.get("meets_target") == "True" else "too narrow",
        }
        for r in rows
    ]


def _same(value: str | None, wanted: str) -> bool:
    try:
        return float(value or "nan") == float(wanted)
    except ValueError:
        return value == wanted


def _percent(value: str | None) -> str:
    try:
        return f"{float(value or 'nan'):.0%}"
    except ValueError:
        return ""


def write_landing_page(
    folder: Path, sections: list[tuple[str, str, dict]], provenance: dict
) -> Path:
    """Write ``index.html`` and ``report.json`` in ``folder``; return the index path."""
    from analysis.results import read_results

    results = read_results(folder)
    order = [stem for stem, _, _ in sections]
    context = landing_context(results, sections, provenance, calibration_rows(folder), folder)
    page = render_page("landing.html.j2", **context)
    index = Path(folder) / "index.html"
    write_with(index, lambda p: p.write_text(page, encoding="utf-8"))
    frame_notebook_pages(folder, sections, provenance)
    write_json(
        {
            "provenance": provenance,
            "headline_findings": headline_findings(results, order),
            "notebooks": {stem: results.get(stem) for stem in order},
        },
        Path(folder) / "report.json",
    )
    return index
