"""The ``report`` stage: execute the report notebooks with papermill and publish them as HTML.

Output in ``reports/<name>/``: each executed notebook (kept also when a cell fails, as the
record of the run), its HTML with code hidden, the PNG charts, CSV tables and
``*.results.json`` findings the notebooks publish, and ``index.html``, the landing page with
the headline findings and the provenance; with ``pdf``, ``report.pdf``, every page printed by
Chromium. ``reports/latest`` links to the newest report.
"""

from __future__ import annotations

import re
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.paths import ProjectPaths
from analysis.publish.notebooks import report_notebooks
from analysis.publish.runs import LATEST
from analysis.vocabulary import DEFAULT_SCOPE


class ReportError(AnalysisError):
    """A report could not be produced: a notebook cell failed, or the output is unusable."""


def report_name(
    release: str, start: str | None = None, end: str | None = None, scope: str | None = None
) -> str:
    """Default folder name: the release, plus ``_<start>_<end>`` when a period is given and
    ``_<scope>`` for a scope other than the default, so the two scopes never share a folder."""
    name = release
    if start is not None or end is not None:
        name += f"_{start or 'first'}_{end or 'last'}"
    if scope is not None and scope != DEFAULT_SCOPE:
        name += f"_{scope}"
    return re.sub(r"[^A-Za-z0-9._-]", "-", str(name))


def _check_name(name: str, reports: Path) -> str:
    """A report name that is one safe folder name and takes no other kind's folder."""
    from analysis.names import check_folder_name
    from analysis.publish.runs import check_output_name

    check_folder_name(name, "report", "--name")
    check_output_name(reports, name, "report")
    return name


def point_latest(reports: Path, folder: Path) -> Path:
    """Make ``reports/latest`` a (relative) symlink to ``folder``, replacing it atomically."""
    link = reports / LATEST
    if link.exists() and not link.is_symlink():
        raise ReportError(f"{link} exists and is not a symlink; move it away")
    from analysis.publish.runs import swap_symlink

    return swap_symlink(link, folder.name)


def notebook_paths(paths: ProjectPaths) -> list[Path]:
    """The report's notebooks, in their numbered order (``NN_name.ipynb``)."""
    return report_notebooks(paths.notebooks)


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
    pdf: bool = False,
    fresh_kernels: bool = False,
) -> Path:
    """Execute every report notebook for ``release`` and ``[start, end]``, render each to HTML
    and write the landing page; return the path of ``reports/<name>/index.html``.

    ``parameters`` adds notebook parameters (each notebook gets those it declares).
    ``release`` None means the newest fetched (else built) release. A report whose inputs
    did not change since its last good run is not redone unless ``force``. The report is
    written into a fresh run folder and published by swapping the ``reports/<name>`` link,
    so a failed or interrupted run never replaces a good report. When a cell fails, the
    executed copy with the error stays in that run folder and a ``ReportError`` names the
    notebook and the cell. ``jobs`` notebooks run side by side. ``pdf`` prints the report
    (made now or unchanged) into ``report.pdf`` beside its ``index.html``. Each worker keeps
    one warm kernel between notebooks (:mod:`analysis.publish.warm`); ``fresh_kernels`` starts
    one per notebook instead.
    """
    from analysis.publish.grid import ParameterSet
    from analysis.publish.runs import locked, remove_partial_runs
    from analysis.publish.sets import check_sets, execute, plan, resolve_release, with_git_commit

    if name is not None:
        _check_name(name, paths.reports)
    release = resolve_release(paths, release, "--release")
    sources = notebook_paths(paths)
    if notebooks:
        sources = [p for p in sources if p.stem in notebooks or p.name in notebooks]
    if not sources:
        raise ReportError(f"no report notebooks (NN_name.ipynb) in {paths.notebooks}")
    scope = (parameters or {}).get("scope")
    set_name = _check_name(
        name or report_name(release, start, end, scope if isinstance(scope, str) else None),
        paths.reports,
    )
    wanted = ParameterSet(
        set_name, {"release": release, "start": start, "end": end, **(parameters or {})}
    )
    check_sets([wanted], "", sources)
    with locked(paths.reports):
        remove_partial_runs(paths.reports)
        planned = with_git_commit(plan(paths, paths.reports, [wanted], sources, force), paths.root)
        if planned[0].run:
            outcomes, interrupted = execute(
                planned, jobs, None, progress=False, fresh_kernels=fresh_kernels
            )
            if interrupted:  # nothing was replaced; the CLI exits 130
                raise KeyboardInterrupt
            outcome = outcomes[set_name]
            if not outcome.ok:
                raise ReportError(outcome.errors[0])
        point_latest(paths.reports, paths.reports / set_name)
        if pdf:  # under the lock, so no other run replaces the folder while it prints
            from analysis.publish.pdf import print_report_pdf

            print_report_pdf(paths.reports / set_name)
    return paths.reports / set_name / "index.html"
