"""The ``report`` stage: execute the overview notebook with papermill and publish it as HTML.

Output: ``reports/<name>/01_data_overview.ipynb`` (the executed notebook, kept also when a cell
fails) and ``reports/<name>/01_data_overview.html`` (code hidden), plus a ``reports/latest``
symlink to the newest successful report folder.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import nbformat
import papermill
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from papermill.exceptions import PapermillExecutionError

from .atomic import write_with
from .errors import AnalysisError
from .overview import NotBuiltError, available_releases
from .paths import ProjectPaths

NOTEBOOK = "01_data_overview.ipynb"
KERNEL = "python3"
LATEST = "latest"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class ReportError(AnalysisError):
    """A report could not be produced: a notebook cell failed, or the output is unusable."""


def report_name(release: str, start: str | None = None, end: str | None = None) -> str:
    """Default folder name: the release, plus ``_<start>_<end>`` when a period is given."""
    name = release
    if start is not None or end is not None:
        name += f"_{start or 'first'}_{end or 'last'}"
    return re.sub(r"[^A-Za-z0-9._-]", "-", str(name))


def _check_name(name: str) -> str:
    if not _SAFE_NAME.match(name) or name == LATEST:
        raise ReportError(
            f"report name {name!r} is not usable as a folder under reports/: use letters, "
            f"digits, '.', '_' and '-' only, and not {LATEST!r}"
        )
    return name


def render_html(notebook: Path, title: str) -> str:
    """HTML of an executed notebook with the code input and the In/Out prompts left out.

    The (output-less) parameter cells are dropped altogether.
    """
    exporter = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={"parameters", "injected-parameters"}),
        enabled=True,
    )
    nb = nbformat.read(notebook, as_version=4)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def point_latest(reports: Path, folder: Path) -> Path:
    """Make ``reports/latest`` a (relative) symlink to ``folder``, replacing it atomically."""
    link = reports / LATEST
    if link.exists() and not link.is_symlink():
        raise ReportError(f"{link} exists and is not a symlink; move it away")
    tmp = reports / f".{LATEST}.{uuid.uuid4().hex}.tmp"
    os.symlink(folder.name, tmp)
    try:
        os.replace(tmp, link)
    finally:
        if tmp.is_symlink():
            tmp.unlink()
    return link


def _failing_line(exc: PapermillExecutionError) -> str:
    """``line N: <code>`` of the cell line that raised, from the kernel's traceback."""
    for entry in exc.traceback or []:
        text = _ANSI.sub("", entry)
        if text.startswith("Cell In["):
            arrow = re.search(r"^-+>\s*(\d+)\s(.*)$", text, flags=re.M)
            if arrow:
                return f"line {arrow.group(1)}: {arrow.group(2).strip()!r}"
    lines = [ln.strip() for ln in exc.source.splitlines()]
    return "starting " + repr(next((ln for ln in lines if ln and ln[0] not in "%#"), ""))


def run_report(
    paths: ProjectPaths,
    release: str | None = None,
    start: str | None = None,
    end: str | None = None,
    name: str | None = None,
) -> Path:
    """Execute the overview notebook for ``release`` and ``[start, end]``; return the HTML path.

    ``release`` None means the newest built release. Parameters are checked by the notebook
    itself; when a cell fails, the executed copy with the error stays in the report folder and
    a ``ReportError`` names the notebook and the cell.
    """
    if release is None:
        built = available_releases(paths.processed)
        if not built:
            raise NotBuiltError(
                f"no processed tables under {paths.processed}; "
                "run `python -m analysis build` first"
            )
        release = built[-1]
    source = paths.notebooks / NOTEBOOK
    if not source.is_file():
        raise ReportError(f"notebook {source} not found")
    folder = paths.reports / _check_name(name or report_name(release, start, end))
    folder.mkdir(parents=True, exist_ok=True)
    executed = folder / NOTEBOOK
    parameters = {
        "release": release, "start": start, "end": end,
        "processed_dir": str(paths.processed),
    }
    try:
        papermill.execute_notebook(
            str(source), str(executed), parameters=parameters, kernel_name=KERNEL,
            cwd=str(paths.notebooks), progress_bar=False, log_output=False,
        )
    except PapermillExecutionError as exc:
        raise ReportError(
            f"notebook {NOTEBOOK} failed in cell {exc.cell_index} of the executed copy "
            f"(In [{exc.exec_count}], {_failing_line(exc)}): {exc.ename}: {exc.evalue}; "
            f"the executed copy with the error is {executed}"
        ) from exc
    html = folder / NOTEBOOK.replace(".ipynb", ".html")
    body = render_html(executed, title=f"Data overview, release {release}")
    write_with(html, lambda tmp: tmp.write_text(body, encoding="utf-8"))
    point_latest(paths.reports, folder)
    return html
