"""The ``report`` stage: execute the report notebooks with papermill and publish them as HTML.

Output in ``reports/<name>/``: each executed notebook (kept also when a cell fails, as the
record of the run), its HTML with code hidden, the PNG charts, CSV tables and
``*.results.json`` findings the notebooks publish, and ``index.html``, the landing page with
the headline findings and the provenance. ``reports/latest`` links to the newest report.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .atomic import write_with
from .errors import AnalysisError
from .notebooks import report_notebooks
from .paths import ProjectPaths
from .runs import LATEST

KERNEL = "python3"
TEMPLATES = Path(__file__).parent / "templates"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class ReportError(AnalysisError):
    """A report could not be produced: a notebook cell failed, or the output is unusable."""


def report_name(release: str, start: str | None = None, end: str | None = None) -> str:
    """Default folder name: the release, plus ``_<start>_<end>`` when a period is given."""
    name = release
    if start is not None or end is not None:
        name += f"_{start or 'first'}_{end or 'last'}"
    return re.sub(r"[^A-Za-z0-9._-]", "-", str(name))


def _check_name(name: str, reports: Path) -> str:
    """A report name that is one safe folder name and takes no other kind's folder."""
    from .names import check_folder_name
    from .runs import check_output_name

    check_folder_name(name, "report", "--name")
    check_output_name(reports, name, "report")
    return name


def render_html(notebook: Path, title: str) -> str:
    """HTML of an executed notebook with the code input and the In/Out prompts left out.

    The (output-less) parameter cells are dropped altogether.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

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
    from .runs import swap_symlink

    return swap_symlink(link, folder.name)


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


def notebook_paths(paths: ProjectPaths) -> list[Path]:
    """The report's notebooks, in their numbered order (``NN_name.ipynb``)."""
    return report_notebooks(paths.notebooks)


def _execute(source: Path, executed: Path, parameters: dict, cwd: Path,
             single_threaded: bool = False) -> None:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .kernels import IPCKernelManager, SingleThreadIPCKernelManager
    from .plainvalues import check_parameters

    check_parameters(parameters, f"notebook {source.name}")
    manager = SingleThreadIPCKernelManager if single_threaded else IPCKernelManager
    try:
        papermill.execute_notebook(
            str(source), str(executed), parameters=parameters, kernel_name=KERNEL,
            cwd=str(cwd), progress_bar=False, log_output=False,
            kernel_manager_class=manager,
        )
    except PapermillExecutionError as exc:
        raise ReportError(
            f"notebook {source.name} failed in cell {exc.cell_index} of the executed copy "
            f"(In [{exc.exec_count}], {_failing_line(exc)}): {exc.ename}: {exc.evalue}; "
            f"the executed copy with the error is {executed}"
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


@dataclass(frozen=True)
class NotebookOutcome:
    stem: str
    ok: bool
    seconds: float
    error: str | None = None
    html: str | None = None


def run_notebook(task: NotebookTask) -> NotebookOutcome:
    """Execute one notebook into its run folder and render its HTML.

    A failing cell is an outcome, not an exception: the executed copy keeps the error, and
    its HTML (rendered when the copy exists) shows it to the reader.
    """
    from .runs import writing

    with writing(task.run):  # no other run may remove the folder while this one writes
        return _run_notebook(task)


def _run_notebook(task: NotebookTask) -> NotebookOutcome:
    clock = time.perf_counter()
    source = Path(task.source)
    executed = Path(task.run) / source.name
    html = Path(task.run) / f"{source.stem}.html"
    error = None
    try:
        _execute(source, executed, task.parameters, Path(task.cwd), task.single_threaded)
    except AnalysisError as exc:
        error = str(exc)
    except Exception as exc:  # noqa: BLE001 - a kernel that died, a missing kernel spec, ...
        error = f"notebook {source.name} could not be run: {type(exc).__name__}: {exc}"
    if executed.is_file():
        try:
            body = render_html(executed, title=task.title)
            write_with(html, lambda tmp: tmp.write_text(body, encoding="utf-8"))
        except Exception as exc:  # noqa: BLE001 - reported as the notebook's failure
            error = error or f"notebook {source.name}: HTML rendering failed: {exc}"
    return NotebookOutcome(
        stem=source.stem, ok=error is None, seconds=round(time.perf_counter() - clock, 1),
        error=error, html=html.name if html.is_file() else None,
    )


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
    force: bool = False,
    jobs: int = 1,
) -> Path:
    """Execute every report notebook for ``release`` and ``[start, end]``, render each to HTML
    and write the landing page; return the path of ``reports/<name>/index.html``.

    ``parameters`` adds notebook parameters (each notebook gets those it declares).
    ``release`` None means the newest fetched (else built) release. A report whose inputs
    did not change since its last good run is not redone unless ``force``. The report is
    written into a fresh run folder and published by swapping the ``reports/<name>`` link,
    so a failed or interrupted run never replaces a good report. When a cell fails, the
    executed copy with the error stays in that run folder and a ``ReportError`` names the
    notebook and the cell. ``jobs`` notebooks run side by side.
    """
    from .batch import check_sets, execute, plan, resolve_release, with_git_commit
    from .grid import ParameterSet
    from .runs import locked, remove_partial_runs

    if name is not None:
        _check_name(name, paths.reports)
    release = resolve_release(paths, release, "--release")
    sources = notebook_paths(paths)
    if notebooks:
        sources = [p for p in sources if p.stem in notebooks or p.name in notebooks]
    if not sources:
        raise ReportError(f"no report notebooks (NN_name.ipynb) in {paths.notebooks}")
    set_name = _check_name(name or report_name(release, start, end), paths.reports)
    wanted = ParameterSet(set_name, {"release": release, "start": start, "end": end,
                                     **(parameters or {})})
    check_sets([wanted], "", sources)
    with locked(paths.reports):
        remove_partial_runs(paths.reports)
        planned = with_git_commit(plan(paths, paths.reports, [wanted], sources, force), paths.root)
        if planned[0].run:
            outcomes, interrupted = execute(planned, jobs, None, progress=False)
            if interrupted:  # nothing was replaced; the CLI exits 130
                raise KeyboardInterrupt
            outcome = outcomes[set_name]
            if not outcome.ok:
                raise ReportError(outcome.errors[0])
        point_latest(paths.reports, paths.reports / set_name)
    return paths.reports / set_name / "index.html"
