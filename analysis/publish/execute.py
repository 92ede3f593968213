"""Executing one notebook: parameters checked and injected by papermill in the worker's kept
kernel (or a fresh one), the executed copy kept as the record of the run, and its HTML
rendered with the code hidden.

The one module that runs a notebook: the scheduler calls it for reports and batches alike.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.atomic import write_with
from analysis.errors import AnalysisError
from analysis.paths import RESULTS_SUFFIX

KERNEL = "python3"


TEMPLATES = Path(__file__).parent / "templates"


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


#: How many findings the key-points box shows when a notebook marks none as headline.
KEY_POINTS_FALLBACK = 3


def key_points(record: dict | None) -> list[str]:
    """The texts of a notebook's key points: its headline findings, else its first three."""
    findings = (record or {}).get("findings") or []
    chosen = [f for f in findings if f.get("headline")] or findings[:KEY_POINTS_FALLBACK]
    return [str(f.get("text") or "") for f in chosen if f.get("text")]


def read_record(folder: Path, stem: str) -> dict | None:
    """The notebook's ``results.json`` record in ``folder``; None when missing or unreadable
    (the page then has no key-points box; the landing page reports a damaged record)."""
    try:
        record = json.loads((Path(folder) / f"{stem}{RESULTS_SUFFIX}").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


_HEADING = re.compile(r'<(h[1-6])(\b[^>]*?)\sid="([^"]*)"([^>]*)>(.*?)</\1>', re.S)
_ID = re.compile(r'\sid="([^"]*)"')


def unique_heading_ids(page: str) -> str:
    """``page`` with every heading's id unique: a repeated one gets ``-2``, ``-3``, ... and
    the heading's own anchor link follows it (nbconvert names ids after the heading's text)."""
    taken = set(_ID.findall(page))
    seen: set[str] = set()

    def rename(match: re.Match) -> str:
        tag, before, old, after, inner = match.groups()
        new, n = old, 1
        while new in seen or (new != old and new in taken):
            n += 1
            new = f"{old}-{n}"
        seen.add(new)
        taken.add(new)
        if new == old:
            return match.group(0)
        inner = inner.replace(f'href="#{old}"', f'href="#{new}"', 1)
        return f'<{tag}{before} id="{new}"{after}>{inner}</{tag}>'

    return _HEADING.sub(rename, page)


def render_html(notebook: Path, title: str, points: Sequence[str] = ()) -> str:
    """HTML of an executed notebook with the code input and the In/Out prompts left out, in
    the report's frame: ``points`` (finding texts, ``**bold**`` markup) in a key-points box
    before the content, markers for the nav bar and footer, and unique heading ids.

    The (output-less) parameter cells are dropped altogether.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    from analysis.publish.landing import sentence
    from analysis.publish.nav import notebook_resources

    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        template_name="report",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={"parameters", "injected-parameters"}),
        enabled=True,
    )
    nb = nbformat.read(notebook, as_version=4)
    resources: dict[str, Any] = {
        "metadata": {"name": title},
        "frame": notebook_resources([sentence(text) for text in points]),
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return unique_heading_ids(body)


def _failing_line(exc) -> str:
    """``line N: <code>`` of the cell line that raised, from the kernel's traceback."""
    for entry in exc.traceback or []:
        text = _ANSI.sub("", entry)
        if text.startswith("Cell In["):
            arrow = re.search(r"^-+>\s*(\d+)\s(.*)$", text, flags=re.M)
            if arrow:
                return f"line {arrow.group(1)}: {arrow.group(2).strip()!r}"
    lines = [ln.strip() for ln in exc.source.splitlines()]
    return "starting " + repr(next((ln for ln in lines if ln and ln[0] not in "%#"), ""))


def _execute(
    source: Path,
    executed: Path,
    parameters: dict,
    cwd: Path,
    single_threaded: bool = False,
    fresh_kernel: bool = False,
) -> None:
    """Run ``source`` into ``executed``: in this worker's kept kernel
    (:mod:`analysis.publish.warm`), or in a kernel of its own when ``fresh_kernel``."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from analysis.publish.kernels import IPCKernelManager, SingleThreadIPCKernelManager
    from analysis.publish.plainvalues import check_parameters
    from analysis.publish.warm import keeper

    check_parameters(parameters, f"notebook {source.name}")
    manager = SingleThreadIPCKernelManager if single_threaded else IPCKernelManager
    try:
        if not fresh_kernel:
            keeper(KERNEL, single_threaded).execute(source, executed, parameters, cwd)
            return
        papermill.execute_notebook(
            str(source),
            str(executed),
            parameters=parameters,
            kernel_name=KERNEL,
            cwd=str(cwd),
            progress_bar=False,
            log_output=False,
            kernel_manager_class=manager,
        )
    except PapermillExecutionError as exc:
        summary = (
            f"notebook {source.name} failed in cell {exc.cell_index} of the executed copy "
            f"(In [{exc.exec_count}], {_failing_line(exc)}): {exc.ename}: {exc.evalue}"
        )
        raise NotebookError(
            f"{summary}; the executed copy with the error is {executed}", summary=summary
        ) from exc


@dataclass(frozen=True)
class NotebookTask:
    """One notebook of one report: what a worker (local process or Dask) executes."""

    source: Path
    run: Path
    parameters: dict
    cwd: Path
    title: str
    single_threaded: bool = False
    #: One kernel for this notebook alone instead of the worker's kept one (--fresh-kernels).
    fresh_kernel: bool = False


@dataclass(frozen=True)
class NotebookOutcome:
    stem: str
    ok: bool
    seconds: float
    error: str | None = None
    html: str | None = None
    #: The error without where the executed copy lies: what an index shows.
    summary: str | None = None


def run_notebook(task: NotebookTask) -> NotebookOutcome:
    """Execute one notebook into its run folder and render its HTML.

    A failing cell is an outcome, not an exception: the executed copy keeps the error, and
    its HTML (rendered when the copy exists) shows it to the reader.
    """
    from analysis.publish.runs import writing

    with writing(task.run):  # no other run may remove the folder while this one writes
        return _run_notebook(task)


def _run_notebook(task: NotebookTask) -> NotebookOutcome:
    clock = time.perf_counter()
    source = Path(task.source)
    executed = Path(task.run) / source.name
    html = Path(task.run) / f"{source.stem}.html"
    error = summary = None
    try:
        _execute(
            source,
            executed,
            task.parameters,
            Path(task.cwd),
            task.single_threaded,
            task.fresh_kernel,
        )
    except NotebookError as exc:
        error, summary = str(exc), exc.summary
    except AnalysisError as exc:
        error = str(exc)
    except Exception as exc:  # noqa: BLE001 - a kernel that died, a missing kernel spec, ...
        error = f"notebook {source.name} could not be run: {type(exc).__name__}: {exc}"
    if executed.is_file():
        try:
            body = render_html(
                executed, _title(source.stem, task), key_points(read_record(task.run, source.stem))
            )
            write_with(html, lambda tmp: tmp.write_text(body, encoding="utf-8"))
        except Exception as exc:  # noqa: BLE001 - reported as the notebook's failure
            error = error or f"notebook {source.name}: HTML rendering failed: {exc}"
    return NotebookOutcome(
        stem=source.stem,
        ok=error is None,
        seconds=round(time.perf_counter() - clock, 1),
        error=error,
        html=html.name if html.is_file() else None,
        summary=summary or error,
    )


def _title(stem: str, task: NotebookTask) -> str:
    """The page's human title with the data release; the task's own for an unknown notebook."""
    from analysis.publish.nav import PAGES, document_title

    if f"{stem}.html" not in {p.href for p in PAGES}:
        return task.title
    return document_title(stem, task.parameters.get("release"))


def git_commit(root: Path) -> str:
    """The checkout's commit (with ``+changes`` when the tree differs), or ``unknown``."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("+changes" if dirty.strip() else "")


class NotebookError(AnalysisError):
    """A notebook could not be run to the end: a cell failed, or the kernel could not start.

    ``summary`` is the error without the path of the executed copy."""

    def __init__(self, message: str, *, summary: str | None = None) -> None:
        super().__init__(message)
        self.summary = summary or message
