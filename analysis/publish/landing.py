"""The report's landing page (``index.html``) and its machine-readable twin (``report.json``).

Everything shown comes from the notebooks' ``*.results.json`` records and the run's
provenance; every text is HTML-escaped, because event descriptions, model names and sources
come from data.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from analysis.atomic import write_json, write_with

TITLE = "Russia's missile and drone strikes on Ukraine: escalation and supply partnerships"
CREDIT = (
    "Data: Air Force of the Armed Forces of Ukraine, compiled by Petro Ivaniuk (Kaggle "
    "piterfm/massive-missile-attacks-on-ukraine); partnership events: the project's sourced "
    "timeline (data/raw/partnership_events.csv)."
)
CAVEAT = (
    "All counts are launches as reported by Ukraine's Air Force; from 2025 the drone counts "
    "include decoys. The models describe the reported counts with their uncertainty. Changes "
    "that coincide with a partnership event are associations in timing, not proof that the "
    "event caused them."
)
STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2329;
background:#f6f7f9;line-height:1.5}
main{max-width:1080px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:1.7rem;margin:.2em 0 .1em}h2{font-size:1.3rem;margin-top:1.8em;
border-bottom:2px solid #dde2e8;padding-bottom:.2em}h3{font-size:1.1rem;margin-bottom:.3em}
.sub{color:#555;margin-top:0}.box{background:#fff;border:1px solid #dde2e8;border-radius:6px;
padding:12px 18px;margin:14px 0}.caveat{border-left:4px solid #c0392b}
ul.findings li{margin:.45em 0}
.figs{display:flex;flex-wrap:wrap;gap:12px}.figs figure{margin:0;flex:1 1 300px;
max-width:480px}.figs img{width:100%;border:1px solid #dde2e8;background:#fff}
figcaption{font-size:.85rem;color:#555}table.prov{border-collapse:collapse;font-size:.9rem}
table.prov td{border-top:1px solid #e3e6ea;padding:4px 10px 4px 0;vertical-align:top;
word-break:break-all}table.prov td:first-child{white-space:nowrap;color:#555;
word-break:normal}a{color:#1f5fa8}.files{font-size:.9rem}footer{color:#666;font-size:.85rem;
margin-top:2em}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _text(value: str) -> str:
    """Escaped text, with the findings' only markup (``**bold**``) rendered."""
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", _e(value))


def _findings(items: list[dict]) -> str:
    """The findings' sentences; each states its own interval (values stay in report.json)."""
    if not items:
        return "<p>No findings recorded.</p>"
    rows = "".join(f"<li>{_text(f['text'])}</li>" for f in items)
    return f'<ul class="findings">{rows}</ul>'


def _section(stem: str, page: str, record: dict | None) -> str:
    record = record or {}
    title = record.get("title") or stem.replace("_", " ")
    captions = record.get("numbers", {}).get("_captions", {})
    files = record.get("files", [])
    figures = "".join(
        f'<figure><a href="{_e(f)}"><img src="{_e(f)}" alt="{_e(captions[f]["caption"] or f)}">'
        f"</a><figcaption>{_e(captions[f]['caption'])}</figcaption></figure>"
        for f in files
        if captions.get(f, {}).get("kind") == "figure"
    )
    tables = ", ".join(
        f'<a href="{_e(f)}">{_e(captions[f]["caption"] or f)}</a>'
        for f in files
        if captions.get(f, {}).get("kind") == "table"
    )
    other = [f for f in record.get("findings", []) if not f.get("headline")]
    return (
        f'<section id="{_e(stem)}"><h2>{_e(title)}</h2>'
        f'<p><a href="{_e(page)}">Open the full notebook: {_e(title)}</a></p>'
        f"{_findings(other) if other else ''}"
        f'<div class="figs">{figures}</div>'
        + (f'<p class="files">Tables (CSV): {tables}</p>' if tables else "")
        + "</section>"
    )


def _provenance(provenance: dict) -> str:
    rows = [("data release", provenance.get("release"))]
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
    body = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in rows)
    return f'<table class="prov">{body}</table>'


def write_landing_page(
    folder: Path, sections: list[tuple[str, str, dict]], provenance: dict
) -> Path:
    """Write ``index.html`` and ``report.json`` in ``folder``; return the index path."""
    from analysis.results import read_results

    results = read_results(folder)
    order = [stem for stem, _, _ in sections]
    headline = [
        {**f, "notebook": stem}
        for stem in order
        for f in results.get(stem, {}).get("findings", [])
        if f.get("headline")
    ]
    params = provenance.get("parameters", {})
    period = (
        f"{params.get('start') or 'start of the data'} to {params.get('end') or 'end of the data'}"
    )
    contents = "".join(
        f'<li><a href="#{_e(stem)}">{_e(results.get(stem, {}).get("title") or stem)}</a></li>'
        for stem in order
    )
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{_e(TITLE)}</title><link rel="icon" href="data:,">'
        f"<style>{STYLE}</style></head><body><main>"
        f"<h1>{_e(TITLE)}</h1>"
        f'<p class="sub">Data release {_e(provenance.get("release"))}; period {_e(period)} '
        f"(Kyiv dates).</p>"
        f'<div class="box"><h2 style="margin-top:0;border:0">Headline findings</h2>'
        f"{_findings(headline)}</div>"
        f'<div class="box caveat"><strong>Read with care.</strong> {_e(CAVEAT)}</div>'
        f"<nav><h3>Sections</h3><ul>{contents}</ul></nav>"
        + "".join(_section(stem, page_name, results.get(stem)) for stem, page_name, _ in sections)
        + f'<h2 id="provenance">Provenance</h2>{_provenance(provenance)}'
        f"<footer>{_e(CREDIT)}</footer></main></body></html>"
    )
    index = Path(folder) / "index.html"
    write_with(index, lambda p: p.write_text(page, encoding="utf-8"))
    write_json(
        {
            "provenance": provenance,
            "headline_findings": headline,
            "notebooks": {stem: results.get(stem) for stem in order},
        },
        Path(folder) / "report.json",
    )
    return index
