"""The ``batch`` stage: one report per parameter set of a grid, incremental and in parallel.

A set is skipped when its inputs fingerprint (notebook files, its parameters, the data
release's raw hashes and build, the curated tables, the forecast snapshots and the package
source and version) equals the one recorded by its last successful run. Deciding that needs
no pandas and no papermill, so a batch with nothing to do returns in well under a second.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.paths import ProjectPaths
from analysis.publish.grid import Grid, load_grid
from analysis.publish.notebooks import declared_by_notebook, report_notebooks
from analysis.publish.runs import (
    check_output_name,
    check_set_name,
    locked,
    mark_batch,
    remove_partial_runs,
)
from analysis.publish.scheduler import SetOutcome
from analysis.publish.sets import PlannedSet, check_sets, execute, plan, with_git_commit


class BatchError(AnalysisError):
    """Some sets failed; the message lists them (the others are published)."""


@dataclass(frozen=True)
class BatchResult:
    container: Path
    planned: tuple[PlannedSet, ...]
    outcomes: dict[str, SetOutcome] = field(default_factory=dict)
    interrupted: bool = False
    seconds: float = 0.0

    @property
    def failed(self) -> list[SetOutcome]:
        return [o for o in self.outcomes.values() if not o.ok]

    def summary(self) -> str:
        ran = sum(p.run for p in self.planned)
        skipped = len(self.planned) - ran
        done = len(self.outcomes)
        text = (
            f"{len(self.planned)} sets: {done - len(self.failed)} made, {skipped} up to "
            f"date, {len(self.failed)} failed"
        )
        if self.interrupted:
            text += f", {ran - done} not finished (interrupted; run again to resume)"
        text += f" in {self.seconds:.1f} s; index: {self.container / 'index.html'}"
        for outcome in self.failed:
            error = outcome.errors[0]
            if len(error) > 300:
                error = f"{error[:300]} ... ({len(error) - 300:,} more characters)"
            text += f"\n  {outcome.name}: {error}"
        return text


# --- inputs --------------------------------------------------------------------------------


# --- planning ------------------------------------------------------------------------------


# --- the command ---------------------------------------------------------------------------


def run_batch(
    paths: ProjectPaths,
    grid_path: Path,
    jobs: int = 1,
    force: bool = False,
    dask: str | None = None,
    progress: bool = True,
    fresh_kernels: bool = False,
) -> BatchResult:
    """Make every report of the grid in ``grid_path`` under ``reports/<grid name>/``
    (``fresh_kernels``: one kernel per notebook instead of each worker's kept one)."""
    from analysis.publish.batch_index import write_batch_index

    clock = time.perf_counter()
    sources = report_notebooks(paths.notebooks)
    declared = declared_by_notebook(paths.notebooks)
    grid: Grid = load_grid(grid_path, declared)
    notebooks = [p for p in sources if p.stem in grid.notebooks]
    container = check_output_name(paths.reports, grid.name, "batch")
    for ps in grid.sets:
        check_set_name(container, ps.name)
    check_sets(list(grid.sets), str(grid.source), notebooks)
    with locked(container):
        mark_batch(container, grid.name)
        remove_partial_runs(container)
        planned = with_git_commit(
            plan(paths, container, list(grid.sets), notebooks, force), paths.root
        )
        made: dict[str, SetOutcome] = {}

        def on_outcome(outcome: SetOutcome) -> None:
            made[outcome.name] = outcome
            write_batch_index(container, grid, planned, made)

        outcomes, interrupted = execute(
            planned, jobs, dask, on_outcome, progress, fresh_kernels=fresh_kernels
        )
        result = BatchResult(
            container, tuple(planned), outcomes, interrupted, round(time.perf_counter() - clock, 1)
        )
        write_batch_index(container, grid, planned, outcomes)
    return result
