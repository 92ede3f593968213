"""The batch's landing page (``index.html``) and its machine-readable twin (``batch.json``).

One row per parameter set of the grid: its status, its key figure (a headline finding of its
report, with the interval), a thumbnail and the link to its report; a failed set shows its
error and links the executed notebook that keeps it. All text is HTML-escaped.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from analysis.atomic import write_json, write_with
from analysis.publish.grid import Grid
from analysis.publish.landing import STYLE
from analysis.publish.runs import RUNS, current_run, read_state

EXTRA_STYLE = """
table.sets{border-collapse:collapse;width:100%;background:#fff;font-size:.92rem}
table.sets th,table.sets td{border-top:1px solid #e3e6ea;padding:8px;vertical-align:top;
text-align:left}table.sets th{background:#eef1f4}.status{font-weight:600;white-space:nowrap}
.ok{color:#1e7b34}.failed{color:#b3261e}.stale{color:#8a6d00}.kf{font-size:1.05rem}
.kf small{display:block;color:#555;font-size:.82rem}.err{color:#b3261e;font-size:.85rem;
white-space:pre-wrap;word-break:break-word}img.thumb{width:180px;border:1px solid #dde2e8}
code{font-size:.85rem;white-space:nowrap}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _number(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return str(value)


def key_figure(report: dict, key: str | None) -> dict | None:
    """The set's key figure: the headline finding named ``key``, else the first headline."""
    headline = report.get("headline_findings", [])
    chosen = next((f for f in headline if f.get("key") == key), None) if key else None
    return chosen or (headline[0] if headline else None)


def _thumbnail(report: dict, notebook: str | None) -> str | None:
    record = report.get("notebooks", {}).get(notebook or "", {})
    captions = record.get("numbers", {}).get("_captions", {})
    return next(
        (f for f in record.get("files", []) if captions.get(f, {}).get("kind") == "figure"), None
    )


def _report_record(run: Path) -> dict:
    """A published set's ``report.json``; empty when missing or damaged (the index then shows
    the set without its key figure rather than failing the whole batch)."""
    try:
        record = json.loads((run / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def set_rows(container: Path, grid: Grid, planned: list, made: dict) -> list[dict]:
    """One record per set, from its state file and its published ``report.json``."""
    rows = []
    for item in planned:
        name = item.spec.name
        state = read_state(container, name)
        run = current_run(container, name)
        report = _report_record(run) if run else {}
        if name in made:
            status = "made" if made[name].ok else "failed"
        elif not item.run:
            status = "up to date"
        elif state.get("status") == "failed":
            status = "failed"
        else:
            status = "not run"
        figure = key_figure(report, grid.key_figure) if report else None
        rows.append(
            {
                "name": name,
                "status": status,
                "reason": item.reason,
                "parameters": item.spec.parameters,
                "link": f"{name}/index.html" if run else None,
                "published_run": run.name if run else None,
                "finished_utc": state.get("finished_utc"),
                "seconds": state.get("seconds"),
                "key_figure": figure,
                "thumbnail": (
                    f"{name}/{thumb}"
                    if (thumb := _thumbnail(report, figure.get("notebook") if figure else None))
                    else None
                ),
                "errors": state.get("errors", []) if status == "failed" else [],
                "failed_pages": [
                    f"{RUNS}/{state['run']}/{page}" for page in state.get("failed_pages", [])
                ]
                if status == "failed"
                else [],
            }
        )
    return rows


def _row_html(row: dict) -> str:
    css = {"made": "ok", "up to date": "ok", "failed": "failed"}.get(row["status"], "stale")
    name = f'<a href="{_e(row["link"])}">{_e(row["name"])}</a>' if row["link"] else _e(row["name"])
    params = "<br>".join(f"<code>{_e(k)}={_e(v)}</code>" for k, v in row["parameters"].items())
    figure = row["key_figure"]
    if figure:
        interval = (
            f" ({_number(figure.get('low'))} to {_number(figure.get('high'))})"
            if figure.get("low") is not None and figure.get("value") is not None
            else ""
        )
        value = (
            _number(figure.get("value"))
            if figure.get("value") is not None
            else f"{_number(figure.get('low'))} to {_number(figure.get('high'))}"
        )
        text = figure.get("text", "").replace("**", "")
        kf = (
            f'<div class="kf"><strong>{_e(value)}</strong> {_e(figure.get("unit"))}'
            f"{_e(interval)}<small>{_e(text[:220])}{'…' if len(text) > 220 else ''}"
            "</small></div>"
        )
    else:
        kf = "<span class='stale'>no published report</span>"
    thumb = (
        f'<a href="{_e(row["link"])}"><img class="thumb" src="{_e(row["thumbnail"])}" '
        f'alt="first chart of {_e(row["name"])}"></a>'
        if row["thumbnail"]
        else ""
    )
    errors = ""
    if row["errors"]:
        pages = ", ".join(f'<a href="{_e(p)}">{_e(Path(p).name)}</a>' for p in row["failed_pages"])
        message = row["errors"][0].split("; the executed copy with the error is")[0]
        errors = (
            f'<div class="err">{_e(message)}</div>'
            + (f"<div>Executed notebook with the error: {pages}</div>" if pages else "")
            + ("<div>The link above is the last good report.</div>" if row["link"] else "")
        )
    when = (
        f"{_e(row['finished_utc'][:16].replace('T', ' '))}<br>{_e(row['seconds'])} s"
        if row["finished_utc"]
        else ""
    )
    return (
        f'<tr id="{_e(row["name"])}"><td>{name}</td>'
        f'<td class="status {css}">{_e(row["status"])}</td><td>{params}</td>'
        f"<td>{kf}{errors}</td><td>{thumb}</td><td>{when}</td></tr>"
    )


def write_batch_index(container: Path, grid: Grid, planned: list, made: dict) -> Path:
    """Write ``index.html`` and ``batch.json`` in the batch folder; return the index path."""
    rows = set_rows(container, grid, planned, made)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    tally = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    body = "".join(_row_html(r) for r in rows)
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Batch {_e(grid.name)}</title><style>{STYLE}{EXTRA_STYLE}</style></head>"
        f"<body><main><h1>Report batch: {_e(grid.name)}</h1>"
        f"<p class='sub'>{len(rows)} parameter sets from <code>{_e(grid.source.name)}</code>: "
        f"{_e(tally)}. Each set is a full report; the key figure is a headline finding of "
        "that report, with its 95% interval where it has one. Figures from different "
        "periods or releases are estimated separately; differences between them are "
        "not tested here.</p>"
        "<table class='sets'><thead><tr><th>Set</th><th>Status</th><th>Parameters</th>"
        "<th>Key figure</th><th>Chart</th><th>Last run (UTC)</th></tr></thead>"
        f"<tbody>{body}</tbody></table></main></body></html>"
    )
    index = container / "index.html"
    write_with(index, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    write_json(
        {"batch": grid.name, "grid": str(grid.source), "sets": rows}, container / "batch.json"
    )
    return index
