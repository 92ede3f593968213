"""The ``report`` stage: execute the report notebooks with papermill and publish them as HTML.

Output in ``reports/<name>/``: each executed notebook (kept also when a cell fails, as the
record of the run), its HTML with code hidden, the PNG charts, CSV tables and
``*.results.json`` findings the notebooks publish, and ``index.html``, the landing page with
the headline findings and the provenance. ``reports/latest`` links to the newest report.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import time
import uuid
from pathlib import Path

import nbformat
import papermill
from jupyter_client.manager import AsyncKernelManager
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from papermill.exceptions import PapermillExecutionError

from . import __version__
from .atomic import write_with
from .errors import AnalysisError
from .landing import write_landing_page
from .overview import NotBuiltError, available_releases
from .paths import ProjectPaths

KERNEL = "python3"
TEMPLATES = Path(__file__).parent / "templates"
LATEST = "latest"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class IPCKernelManager(AsyncKernelManager):
    """Kernel manager that talks to the kernel over local IPC sockets instead of TCP, so the
    kernel neither listens on the network nor warns about unencrypted TCP on every run."""

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        super().__init__(**kwargs)


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
        extra_template_basedirs=[str(TEMPLATES)], template_name="report",
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
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


def notebook_paths(paths: ProjectPaths) -> list[Path]:
    """The report's notebooks, in their numbered order (``NN_name.ipynb``)."""
    return sorted(p for p in paths.notebooks.glob("*.ipynb") if re.match(r"^\d\d_", p.name))


def _declared_parameters(notebook: Path) -> set[str]:
    return set(papermill.inspect_notebook(str(notebook)))


def _execute(source: Path, executed: Path, parameters: dict, cwd: Path) -> None:
    try:
        papermill.execute_notebook(
            str(source), str(executed), parameters=parameters, kernel_name=KERNEL,
            cwd=str(cwd), progress_bar=False, log_output=False,
            kernel_manager_class=IPCKernelManager,
        )
    except PapermillExecutionError as exc:
        raise ReportError(
            f"notebook {source.name} failed in cell {exc.cell_index} of the executed copy "
            f"(In [{exc.exec_count}], {_failing_line(exc)}): {exc.ename}: {exc.evalue}; "
            f"the executed copy with the error is {executed}"
        ) from exc


def git_commit(root: Path) -> str:
    """The checkout's commit (with ``+changes`` when the tree differs), or ``unknown``."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("+changes" if dirty.strip() else "")


def run_report(
    paths: ProjectPaths,
    release: str | None = None,
    start: str | None = None,
    end: str | None = None,
    name: str | None = None,
    parameters: dict | None = None,
    notebooks: list[str] | None = None,
) -> Path:
    """Execute every report notebook for ``release`` and ``[start, end]``, render each to HTML
    and write the landing page; return the path of ``index.html``.

    ``parameters`` adds notebook parameters (each notebook gets those it declares).
    ``release`` None means the newest built release. Parameters are checked by the notebooks
    themselves; when a cell fails, the executed copy with the error stays in the report folder
    and a ``ReportError`` names the notebook and the cell.
    """
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    if release is None:
        built = available_releases(paths.processed)
        if not built:
            raise NotBuiltError(
                f"no processed tables under {paths.processed}; "
                "run `python -m analysis build` first"
            )
        release = built[-1]
    sources = notebook_paths(paths)
    if notebooks:
        sources = [p for p in sources if p.stem in notebooks or p.name in notebooks]
    if not sources:
        raise ReportError(f"no report notebooks (NN_name.ipynb) in {paths.notebooks}")
    folder = paths.reports / _check_name(name or report_name(release, start, end))
    folder.mkdir(parents=True, exist_ok=True)
    common = {"release": release, "start": start, "end": end,
              "processed_dir": str(paths.processed), "output_dir": str(folder),
              **(parameters or {})}
    sections = []
    for source in sources:
        executed = folder / source.name
        declared = _declared_parameters(source)
        given = {k: v for k, v in common.items() if k in declared}
        _execute(source, executed, given, paths.notebooks)
        html = folder / f"{source.stem}.html"
        body = render_html(executed, title=f"{source.stem.replace('_', ' ')}, release {release}")
        write_with(html, lambda tmp, body=body: tmp.write_text(body, encoding="utf-8"))
        sections.append((source.stem, html.name, given))
    provenance = {
        "release": release,
        "inputs": _inputs(paths, release),
        "package_version": __version__,
        "git_commit": git_commit(paths.root),
        "parameters": {k: v for k, v in common.items() if k not in {"processed_dir", "output_dir"}},
        "started_utc": started.isoformat(timespec="seconds"),
        "run_seconds": round(time.perf_counter() - clock, 1),
    }
    index = write_landing_page(folder, sections, provenance)
    point_latest(paths.reports, folder)
    return index


def _inputs(paths: ProjectPaths, release: str) -> dict:
    quality = paths.processed_release(release) / "quality.json"
    if not quality.is_file():
        return {}
    return json.loads(quality.read_text(encoding="utf-8")).get("inputs", {})
