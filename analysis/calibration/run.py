"""Run the calibration: replicates per estimator and error process, coverage per nominal
level with a binomial band, and the files in ``reports/calibration/``.

Every replicate has its own seed, made from the run's seed, the estimator's name, the error
process and the replicate number (:func:`replicate_rng`), so any row can be re-run alone
(:func:`run_one`) and the result does not depend on how the work was split between processes.
Work goes to at most one process per core (``ProcessPoolExecutor``), each with BLAS limited to
one thread, in chunks sized by the estimators' declared costs.

Coverage is the share of replicates whose interval held the truth. Its band is the
Clopper-Pearson 95% interval for a binomial share with one trial per replicate: for the
forecast, whose replicate scores many weeks that share one series, the replicate's share of
weeks counts as one trial, which keeps the band conservative. A row meets its target when the
coverage is at least the nominal level minus 5 points (0.90 for a 95% interval): the bar every
headline interval must clear under AR(1) errors at rho = 0.5. A replicate whose function
raised is left out of the coverage and counted under ``failed``.
"""

from __future__ import annotations

import json
import math
import os
import time
import warnings
import zlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from threadpoolctl import threadpool_limits

from analysis import __version__
from analysis.atomic import write_json, write_with
from analysis.calibration.chart import calibration_chart
from analysis.calibration.estimators import (
    ESTIMATORS,
    TOY,
    CalibrationError,
    Estimator,
    Outcome,
    estimator_named,
)
from analysis.calibration.simulate import PROCESSES, ErrorProcess, process_named
from analysis.freeze import software_versions
from analysis.paths import ProjectPaths

DEFAULT_SEED = 20260405
#: Replicates per cell in a full run: a 95% interval that truly covers 95% then shows a
#: coverage within about +/- 3 points, enough to tell 0.95 from the 0.90 target.
FULL_REPLICATES = 200
#: The quick subset (CI): few replicates, the two extreme error processes, cheap estimators.
QUICK_REPLICATES = 30
QUICK_PROCESSES = ("iid", "ar1_0.5")
QUICK_MAX_COST = 0.2
#: How far below nominal a coverage may fall and still meet its target.
SHORTFALL = 0.05
BAND_CONFIDENCE = 0.95
#: Seconds of work per chunk sent to a process: long enough to hide the hand-over, short
#: enough to keep both cores busy to the end.
CHUNK_SECONDS = 10.0
CSV = "calibration.csv"
PNG = "calibration.png"
JSON = "calibration.json"
COLUMNS = [
    "estimator",
    "label",
    "headline",
    "process",
    "rho",
    "level",
    "replicates",
    "failed",
    "covered",
    "coverage",
    "band_low",
    "band_high",
    "target",
    "meets_target",
    "nominal_in_band",
    "mean_width",
    "mean_estimate",
    "truth",
    "seconds",
]


def _stable(name: str) -> int:
    return zlib.crc32(name.encode())


def replicate_rng(seed: int, estimator: str, process: str, index: int) -> np.random.Generator:
    """The random generator of one replicate: the same for the same run seed, estimator,
    error process and replicate number, whatever else the run does."""
    return np.random.default_rng([seed, _stable(estimator), _stable(process), index])


def run_one(estimator: str, process: str, index: int, seed: int = DEFAULT_SEED) -> list[Outcome]:
    """Re-run one replicate alone: the outcomes that row ``index`` of a run with ``seed``
    had."""
    chosen = estimator_named(estimator)
    rng = replicate_rng(seed, estimator, process, index)
    return chosen.replicate(process_named(process), rng, chosen.options)


def run_chunk(estimator: str, process: str, seed: int, indices: Sequence[int]) -> list[dict]:
    """Replicates ``indices`` of one cell, one row per replicate and level (``replicate,
    level, covered, width, estimate, truth, seconds, error``); BLAS on one thread, warnings
    silenced (the table counts what went wrong)."""
    rows = []
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for index in indices:
            began = time.perf_counter()
            try:
                outcomes = run_one(estimator, process, index, seed)
                error = None
            except CalibrationError:
                raise
            except Exception as exc:  # noqa: BLE001 - a failed fit is counted, not fatal
                outcomes, error = [], f"{type(exc).__name__}: {exc}"
            seconds = time.perf_counter() - began
            base = {"estimator": estimator, "process": process, "replicate": index}
            if error is not None:
                rows.append({**base, "level": math.nan, "error": error, "seconds": seconds})
            for o in outcomes:
                rows.append(
                    {
                        **base,
                        "level": o.level,
                        "covered": o.covered,
                        "width": o.width,
                        "estimate": o.estimate,
                        "truth": o.truth,
                        "seconds": seconds / len(outcomes),
                        "error": None,
                    }
                )
    return rows


@dataclass(frozen=True)
class Chunk:
    """Replicates ``start`` to ``stop - 1`` of one estimator under one error process."""

    estimator: str
    process: str
    start: int
    stop: int
    cost: float


def plan(
    estimators: Sequence[Estimator], processes: Sequence[ErrorProcess], replicates: int
) -> list[Chunk]:
    """The run cut into chunks of about :data:`CHUNK_SECONDS` each, costliest first."""
    chunks = []
    for est in estimators:
        size = max(1, min(replicates, int(CHUNK_SECONDS / max(est.cost, 1e-6))))
        for process in processes:
            for start in range(0, replicates, size):
                stop = min(replicates, start + size)
                chunks.append(Chunk(est.name, process.name, start, stop, est.cost * (stop - start)))
    return sorted(chunks, key=lambda c: -c.cost)


def default_jobs() -> int:
    """One process per core."""
    return max(1, os.cpu_count() or 1)


def run_replicates(
    estimators: Sequence[Estimator],
    processes: Sequence[ErrorProcess] = PROCESSES,
    replicates: int = FULL_REPLICATES,
    *,
    seed: int = DEFAULT_SEED,
    jobs: int | None = None,
    progress: Callable[[Chunk], None] | None = None,
) -> pd.DataFrame:
    """Every replicate's rows (see :func:`run_chunk`), in a stable order; ``jobs`` processes
    (at most the number of cores; 1 runs here, without a pool)."""
    if replicates < 1:
        raise CalibrationError(f"replicates must be 1 or more, not {replicates}")
    chunks = plan(estimators, processes, replicates)
    jobs = max(1, min(jobs or default_jobs(), default_jobs(), len(chunks) or 1))
    rows: list[dict] = []
    if jobs == 1:
        for chunk in chunks:
            rows += run_chunk(chunk.estimator, chunk.process, seed, range(chunk.start, chunk.stop))
            if progress:
                progress(chunk)
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {
                pool.submit(run_chunk, c.estimator, c.process, seed, range(c.start, c.stop)): c
                for c in chunks
            }
            for future in as_completed(futures):
                rows += future.result()
                if progress:
                    progress(futures[future])
    table = pd.DataFrame(rows, columns=_REPLICATE_COLUMNS)
    return table.sort_values(["estimator", "process", "replicate", "level"], ignore_index=True)


_REPLICATE_COLUMNS = [
    "estimator",
    "process",
    "replicate",
    "level",
    "covered",
    "width",
    "estimate",
    "truth",
    "seconds",
    "error",
]


def coverage_band(
    covered: float, trials: int, confidence: float = BAND_CONFIDENCE
) -> tuple[float, float]:
    """Clopper-Pearson interval for a binomial share of ``covered`` out of ``trials``
    (``covered`` may be fractional: a replicate's share of weeks counts as one trial)."""
    if trials <= 0:
        return math.nan, math.nan
    tail = (1 - confidence) / 2
    low = 0.0 if covered <= 0 else float(stats.beta.ppf(tail, covered, trials - covered + 1))
    high = (
        1.0 if covered >= trials else float(stats.beta.ppf(1 - tail, covered + 1, trials - covered))
    )
    return low, high


def summarise(replicates: pd.DataFrame) -> pd.DataFrame:
    """The calibration table: one row per estimator, error process and nominal level (see
    :data:`COLUMNS`)."""
    rows = []
    for (name, process), cell in replicates.groupby(["estimator", "process"], sort=False):
        failed = int(cell.loc[cell["error"].notna(), "replicate"].nunique())
        done = cell[cell["error"].isna()]
        for level, part in done.groupby("level"):
            n = len(part)
            covered = float(part["covered"].sum())
            low, high = coverage_band(covered, n)
            coverage = covered / n
            target = round(float(level) - SHORTFALL, 2)
            rows.append(
                {
                    "estimator": name,
                    "label": estimator_named(name).label,
                    "headline": estimator_named(name).headline,
                    "process": process,
                    "rho": process_named(process).rho,
                    "level": float(level),
                    "replicates": n,
                    "failed": failed,
                    "covered": covered,
                    "coverage": coverage,
                    "band_low": low,
                    "band_high": high,
                    "target": target,
                    "meets_target": bool(coverage >= target),
                    "nominal_in_band": bool(low <= level <= high),
                    "mean_width": float(part["width"].mean()),
                    "mean_estimate": float(part["estimate"].mean()),
                    "truth": float(part["truth"].mean()),
                    "seconds": float(cell["seconds"].sum()),
                }
            )
    return _ordered(pd.DataFrame(rows, columns=COLUMNS))


def _ordered(table: pd.DataFrame) -> pd.DataFrame:
    """Rows in the estimators' and processes' declared order, then by level."""
    names = [e.name for e in ESTIMATORS] + ["toy_mean"]
    order = {name: i for i, name in enumerate(names)}
    process_order = {p.name: i for i, p in enumerate(PROCESSES)}
    keys = table.assign(
        _e=table["estimator"].map(order), _p=table["process"].map(process_order)
    ).sort_values(["_e", "_p", "level"])
    return keys.drop(columns=["_e", "_p"]).reset_index(drop=True)


# --- a whole run -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationRun:
    """What :func:`calibrate` did: the table, where it went, and what it left out."""

    table: pd.DataFrame
    folder: Path
    files: tuple[Path, ...]
    skipped: tuple[str, ...] = ()
    seconds: float = 0.0
    meta: dict = field(default_factory=dict)


def choose(
    only: Iterable[str] | None, quick: bool
) -> tuple[list[Estimator], list[str], list[ErrorProcess]]:
    """The estimators to run (named by ``only``, else every headline one and the comparisons;
    with ``quick`` the cheap ones), those left out because their model function is missing,
    and the processes."""
    if only:
        wanted = [estimator_named(name) for name in dict.fromkeys(only)]
    else:
        wanted = list(ESTIMATORS)
        if quick:
            wanted = [e for e in wanted if e.cost <= QUICK_MAX_COST]
    ready = [e for e in wanted if e.available()]
    skipped = [e.name for e in wanted if not e.available()]
    processes = [process_named(p) for p in QUICK_PROCESSES] if quick else list(PROCESSES)
    return ready, skipped, processes


def output_folder(paths: ProjectPaths, quick: bool = False) -> Path:
    """``reports/calibration/`` (``quick/`` inside it for the quick subset, so that a quick
    run never replaces the full table)."""
    folder = paths.reports / "calibration"
    return folder / "quick" if quick else folder


def calibrate(
    paths: ProjectPaths,
    *,
    replicates: int | None = None,
    only: Iterable[str] | None = None,
    quick: bool = False,
    seed: int = DEFAULT_SEED,
    jobs: int | None = None,
    progress: Callable[[Chunk], None] | None = None,
) -> CalibrationRun:
    """Run the calibration and write ``calibration.csv``, ``calibration.png`` and
    ``calibration.json`` (seed, replicates, estimators and their options, software versions)
    atomically into :func:`output_folder`."""
    estimators, skipped, processes = choose(only, quick)
    if not estimators:
        missing = ", ".join(skipped) or "none chosen"
        raise CalibrationError(f"no estimator can run (model functions missing: {missing})")
    n = replicates or (QUICK_REPLICATES if quick else FULL_REPLICATES)
    began = time.perf_counter()
    raw = run_replicates(estimators, processes, n, seed=seed, jobs=jobs, progress=progress)
    table = summarise(raw)
    seconds = time.perf_counter() - began
    meta = {
        "seed": seed,
        "replicates": n,
        "quick": quick,
        "processes": {p.name: p.rho for p in processes},
        "estimators": {
            e.name: {"function": e.function, "options": dict(e.options)} for e in estimators
        },
        "skipped": skipped,
        "failed_replicates": int(raw.loc[raw["error"].notna(), "replicate"].count()),
        "seconds": round(seconds, 1),
        "jobs": jobs or default_jobs(),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "package_version": __version__,
        "software": software_versions(),
    }
    folder = output_folder(paths, quick)
    if only:
        table, meta = merged(folder, table, meta)
    files = write_calibration(table, folder, meta)
    return CalibrationRun(table, folder, files, tuple(skipped), seconds, meta)


def merged(folder: Path, table: pd.DataFrame, meta: dict) -> tuple[pd.DataFrame, dict]:
    """A partial run (``--only``) replaces its estimators' rows of the table already in
    ``folder`` and keeps the others, so that re-running one estimator never drops the rest;
    the record keeps each estimator's run under ``runs``."""
    try:
        old = pd.read_csv(folder / CSV)
        old_meta = json.loads((folder / JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError, pd.errors.ParserError):
        return table, meta
    if not set(table.columns) <= set(old.columns) or not isinstance(old_meta, dict):
        return table, meta
    kept = old[~old["estimator"].isin(table["estimator"].unique())]
    runs = {k: v for k, v in old_meta.get("runs", {}).items() if isinstance(v, dict)}
    if not runs and isinstance(old_meta.get("estimators"), dict):
        runs = {name: _run_record(old_meta) for name in old_meta["estimators"]}
    runs |= {name: _run_record(meta) for name in meta["estimators"]}
    order = {name: i for i, name in enumerate(e.name for e in (*ESTIMATORS, TOY))}
    both = pd.concat([kept, table], ignore_index=True)
    both = both.sort_values("estimator", key=lambda c: c.map(order), kind="stable")
    return both.reset_index(drop=True), {**meta, "runs": runs}


def _run_record(meta: dict) -> dict:
    return {k: meta.get(k) for k in ("seed", "replicates", "seconds", "finished")}


def write_calibration(table: pd.DataFrame, folder: Path, meta: dict) -> tuple[Path, ...]:
    """The table as CSV, its chart as PNG and the run's record as JSON, each written
    atomically (a reader sees the previous complete file or the new one)."""
    csv = write_with(folder / CSV, lambda p: table.to_csv(p, index=False, float_format="%.4g"))
    fig = calibration_chart(table)
    png = write_with(folder / PNG, lambda p: fig.savefig(p, format="png", dpi=150))
    return csv, png, write_json(meta, folder / JSON)
