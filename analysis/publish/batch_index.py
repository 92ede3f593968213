"""The batch's landing page (``index.html``) and its machine-readable twin (``batch.json``).

One row per parameter set of the grid: its status, its key figure (a headline finding of its
report, with the interval), a thumbnail and the link to its report; a failed set shows its
error summary and links the executed notebook that keeps it. Everything comes from JSON: the
set's state file (``.state/<name>.json``, written by the scheduler) and its published
``report.json``; no error text is taken apart. The page is the ``batch_index.html.j2``
template, which escapes every text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from analysis.atomic import write_json, write_with
from analysis.publish.grid import Grid
from analysis.publish.pages import render_page
from analysis.publish.runs import RUNS, current_run, read_state

#: A key figure's text is cut to this many characters on the index (report.json keeps it all).
TEXT_CHARS = 220
_STATUS_CSS = {"made": "ok", "up to date": "ok", "failed": "failed"}


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


def set_status(ran: bool, made: bool, state: dict) -> str:
    """``made``, ``up to date``, ``failed`` or ``not run``: whether the set was due (``ran``)
    and handed out in this batch (``made``), and the outcome its state file records."""
    recorded = state.get("status")
    if made:
        return "made" if recorded == "ok" else "failed"
    if not ran:
        return "up to date"
    return "failed" if recorded == "failed" else "not run"


def error_summary(state: dict) -> str | None:
    """A failed set's error as its state file records it: the scheduler's ``error_summary``
    where written, else its first error, whole."""
    errors = state.get("errors") or [None]
    return state.get("error_summary") or errors[0]


def set_row(
    name: str,
    status: str,
    reason: str,
    parameters: dict,
    state: dict,
    run: Path | None,
    key: str | None,
) -> dict[str, Any]:
    """One set's record for ``batch.json`` (and the index), from its state and report."""
    report = _report_record(run) if run else {}
    figure = key_figure(report, key) if report else None
    thumb = _thumbnail(report, figure.get("notebook") if figure else None)
    failed = status == "failed"
    return {
        "name": name,
        "status": status,
        "reason": reason,
        "parameters": parameters,
        "link": f"{name}/index.html" if run else None,
        "published_run": run.name if run else None,
        "finished_utc": state.get("finished_utc"),
        "seconds": state.get("seconds"),
        "notebooks": state.get("notebooks", {}),
        "key_figure": figure,
        "thumbnail": f"{name}/{thumb}" if thumb else None,
        "errors": state.get("errors", []) if failed else [],
        "error_summary": error_summary(state) if failed else None,
        "failed_pages": [f"{RUNS}/{state['run']}/{page}" for page in state.get("failed_pages", [])]
        if failed
        else [],
    }


def set_rows(container: Path, grid: Grid, planned: list, made: dict) -> list[dict]:
    """One record per set, from its state file and its published ``report.json``."""
    rows = []
    for item in planned:
        name = item.spec.name
        state = read_state(container, name)
        status = set_status(item.run, name in made, state)
        run = current_run(container, name)
        rows.append(
            set_row(name, status, item.reason, item.spec.parameters, state, run, grid.key_figure)
        )
    return rows


def _figure_view(figure: dict | None) -> dict[str, str] | None:
    """A key figure as shown: value, unit, interval and its text cut to ``TEXT_CHARS``."""
    if not figure:
        return None
    low, value, high = figure.get("low"), figure.get("value"), figure.get("high")
    text = _text(figure.get("text")).replace("**", "")
    return {
        "value": _number(value) if value is not None else f"{_number(low)} to {_number(high)}",
        "unit": _text(figure.get("unit")),
        "interval": (
            f" ({_number(low)} to {_number(high)})" if low is not None and value is not None else ""
        ),
        "text": text[:TEXT_CHARS] + ("…" if len(text) > TEXT_CHARS else ""),
    }


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def row_view(row: dict) -> dict[str, Any]:
    """What the index shows of one set's record, as plain strings for the template."""
    finished = row["finished_utc"]
    return {
        "name": row["name"],
        "link": row["link"],
        "status": row["status"],
        "css": _STATUS_CSS.get(row["status"], "stale"),
        "parameters": [(str(k), _text(v)) for k, v in row["parameters"].items()],
        "figure": _figure_view(row["key_figure"]),
        "thumbnail": row["thumbnail"],
        "error": _text(row["error_summary"]),
        "failed_pages": [{"href": p, "name": Path(p).name} for p in row["failed_pages"]],
        "when": finished[:16].replace("T", " ") if finished else "",
        "seconds": _text(row["seconds"]),
    }


def index_context(grid: Grid, rows: list[dict]) -> dict[str, Any]:
    """Everything the batch index shows, as plain values for ``batch_index.html.j2``."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return {
        "batch": grid.name,
        "grid_file": grid.source.name,
        "tally": ", ".join(f"{n} {status}" for status, n in sorted(counts.items())),
        "rows": [row_view(r) for r in rows],
    }


def write_batch_index(container: Path, grid: Grid, planned: list, made: dict) -> Path:
    """Write ``index.html`` and ``batch.json`` in the batch folder; return the index path."""
    rows = set_rows(container, grid, planned, made)
    page = render_page("batch_index.html.j2", **index_context(grid, rows))
    index = container / "index.html"
    write_with(index, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    write_json(
        {"batch": grid.name, "grid": str(grid.source), "sets": rows}, container / "batch.json"
    )
    return index
