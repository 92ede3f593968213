"""Time the report pipeline on the real snapshot and print the figures (never a test).

Usage: python benchmarks/bench_pipeline.py [--sets 8] [--jobs 2] [--skip-loop] [--json PATH]

Prints, in one run:
- the floor: five sequential papermill runs (one per report notebook, each in a fresh kernel)
  of an empty notebook that imports what the report notebooks import;
- the default report from a cold start (``python -m analysis report --force`` in a new
  process, warm kernels) and its ratio to the floor (target: at most 0.5), and the same with
  ``--fresh-kernels`` for comparison, and the least time any runner could take: the seconds
  its notebooks' cells computed (papermill's record), divided by the cores;
- a grid of ``--sets`` sets (notebooks/grids/example.yaml): ``batch --jobs 2`` against a
  plain sequential loop of the papermill CLI over the same notebooks and parameters (target:
  the batch at least 4x faster), and the most any batch could gain: the loop's time over the
  batch's cell seconds divided by its workers;
- the same batch again with nothing changed (target: under 1 s, as a user runs it);
- ``build`` time and peak memory on the snapshot replicated 1x, 10x and 100x (targets:
  linear in rows, 100x under 5 s and under 1 GB).

Everything is written under a temporary project folder that links the real notebooks and
data, so the checkout's reports stay as they are.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from analysis.paths import PROJECT_ROOT, ProjectPaths
from analysis.publish.batch import run_batch
from analysis.publish.grid import load_grid
from analysis.publish.kernels import IPCKernelManager
from analysis.publish.notebooks import declared_by_notebook, report_notebooks

EXAMPLE_GRID = PROJECT_ROOT / "notebooks" / "grids" / "example.yaml"
BIN = Path(sys.executable).parent


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        memory = "unknown memory"
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def scratch_project(root: Path) -> ProjectPaths:
    """A project folder that links the real notebooks and data; its reports are its own."""
    (root / "data").mkdir(parents=True)
    (root / "notebooks").symlink_to(PROJECT_ROOT / "notebooks", target_is_directory=True)
    for name in ("raw", "processed"):
        (root / "data" / name).symlink_to(PROJECT_ROOT / "data" / name, target_is_directory=True)
    (root / "reports").mkdir()
    forecasts = PROJECT_ROOT / "reports" / "forecasts"
    if forecasts.is_dir():
        (root / "reports" / "forecasts").symlink_to(forecasts, target_is_directory=True)
    return ProjectPaths(root=root)


def floor_notebook(notebooks: list[Path], target: Path) -> Path:
    """An empty notebook that imports every module the report notebooks import."""
    imports: list[str] = []
    for path in notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            code = "\n".join(
                ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))
            )
            for node in ast.parse(code).body:
                if isinstance(node, ast.Import | ast.ImportFrom):
                    line = ast.unparse(node)
                    if line not in imports:
                        imports.append(line)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%matplotlib inline\n" + "\n".join(imports))]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, target)
    return target


def time_floor(paths: ProjectPaths, work: Path) -> float:
    """Seconds for one papermill run of the floor notebook per report notebook, in a row."""
    import papermill

    notebooks = report_notebooks(paths.notebooks)
    source = floor_notebook(notebooks, work / "floor.ipynb")
    started = time.perf_counter()
    for _ in notebooks:
        papermill.execute_notebook(
            str(source),
            str(work / "floor.out.ipynb"),
            kernel_name="python3",
            cwd=str(paths.notebooks),
            progress_bar=False,
            kernel_manager_class=IPCKernelManager,
        )
    return time.perf_counter() - started


def cell_seconds(folder: Path) -> list[float]:
    """Seconds spent in the cells of each executed notebook in ``folder`` (papermill's record
    per cell): the work its kernel did, without starting, importing or rendering."""
    return [
        sum(float(cell.metadata.get("papermill", {}).get("duration") or 0) for cell in nb.cells)
        for nb in (nbformat.read(p, as_version=4) for p in report_notebooks(folder))
    ]


def fastest_possible(work: float, workers: int) -> float:
    """The least time ``work`` seconds of cells can take on ``workers`` workers, however they
    are scheduled and whatever their start-up costs: ``work / workers``. A run's ratio to any
    reference cannot beat the reference's ratio to this bound."""
    return work / max(1, workers)


def time_report(paths: ProjectPaths, *options: str) -> float:
    """Seconds for ``python -m analysis report --force`` in a new process (a cold start)."""
    command = [sys.executable, "-m", "analysis", "--root", str(paths.root), "report", "--force"]
    started = time.perf_counter()
    subprocess.run([*command, *options], check=True, capture_output=True)
    return time.perf_counter() - started


def bench_grid(root: Path, sets: int) -> Path:
    """The example grid cut to ``sets`` sets, under the name ``bench``."""
    declared = declared_by_notebook(PROJECT_ROOT / "notebooks")
    grid = load_grid(EXAMPLE_GRID, declared)
    lines = ["name: bench", "sets:"]
    for ps in grid.sets[:sets]:
        lines.append(f"  - name: {ps.name}")
        lines += [f"    {k}: {json.dumps(v)}" for k, v in ps.parameters.items()]
    path = root / "bench.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def papermill_loop(paths: ProjectPaths, grid_path: Path, out: Path) -> float:
    """Every set's notebooks through the papermill command line, one after another."""
    declared = declared_by_notebook(paths.notebooks)
    grid = load_grid(grid_path, declared)
    started = time.perf_counter()
    for ps in grid.sets:
        folder = out / ps.name
        folder.mkdir(parents=True)
        values = {**ps.parameters, "processed_dir": str(paths.processed), "output_dir": str(folder)}
        for notebook in report_notebooks(paths.notebooks):
            args = [
                str(BIN / "papermill"),
                str(notebook),
                str(folder / notebook.name),
                "--cwd",
                str(paths.notebooks),
                "--no-progress-bar",
            ]
            for key, value in values.items():
                if key in declared[notebook.stem] and value is not None:
                    args += ["-p", key, str(value)]
            subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", type=int, default=8, help="sets in the grid (default 8)")
    parser.add_argument("--jobs", type=int, default=2, help="batch jobs (default 2)")
    parser.add_argument(
        "--skip-loop", action="store_true", help="leave out the (slow) plain papermill loop"
    )
    parser.add_argument("--factors", default="1,10,100", help="build replication factors")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    figures: dict = {"machine": machine()}
    print(f"machine: {figures['machine']}")
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        work = Path(tmp)
        paths = scratch_project(work / "project")
        notebooks = report_notebooks(paths.notebooks)

        floor = time_floor(paths, work)
        figures["floor_s"] = round(floor, 1)
        print(
            f"floor ({len(notebooks)} papermill runs of an empty notebook with the report's "
            f"imports): {floor:.1f} s"
        )
        report_s = time_report(paths)
        report_work = sum(cell_seconds(paths.reports / "latest"))
        fresh_s = time_report(paths, "--fresh-kernels")
        cores = os.cpu_count() or 1
        least = fastest_possible(report_work, cores)
        figures.update(
            report_s=round(report_s, 1),
            report_ratio=round(report_s / floor, 2),
            report_fresh_s=round(fresh_s, 1),
            report_cells_s=round(report_work, 1),
            report_least_ratio=round(least / floor, 2),
        )
        print(
            f"default report, cold start ({len(notebooks)} notebooks, warm kernels): "
            f"{report_s:.1f} s = {report_s / floor:.2f} x the floor [target <= 0.5]; with "
            f"--fresh-kernels {fresh_s:.1f} s"
        )
        print(
            f"  its cells' own work: {report_work:.1f} s of one core; on {cores} cores no "
            f"runner finishes in less than {least:.1f} s = {least / floor:.2f} x the floor"
        )

        grid = bench_grid(work, args.sets)
        started = time.perf_counter()
        result = run_batch(paths, grid, jobs=args.jobs, force=True, progress=False)
        batch_s = time.perf_counter() - started
        failed = [o.name for o in result.failed]
        figures.update(batch_s=round(batch_s, 1), batch_failed=failed)
        print(
            f"grid of {args.sets} sets, batch --jobs {args.jobs}: {batch_s:.1f} s"
            + (f" (FAILED: {failed})" if failed else "")
        )
        sets = [result.container / planned.spec.name for planned in result.planned]
        batch_work = sum(sum(cell_seconds(folder)) for folder in sets)
        figures["batch_cells_s"] = round(batch_work, 1)
        if not args.skip_loop:
            loop_s = papermill_loop(paths, grid, work / "loop")
            most = loop_s / fastest_possible(batch_work, args.jobs)
            figures.update(
                loop_s=round(loop_s, 1),
                loop_ratio=round(loop_s / batch_s, 2),
                loop_most_ratio=round(most, 2),
            )
            print(
                f"same grid, plain papermill CLI loop: {loop_s:.1f} s; batch is "
                f"{loop_s / batch_s:.2f} x faster [target >= 4]"
            )
            print(
                f"  the batch's cells' own work: {batch_work:.1f} s of one core; on "
                f"{args.jobs} workers no batch beats the loop by more than {most:.2f} x"
            )

        command = [
            sys.executable,
            "-m",
            "analysis",
            "--root",
            str(paths.root),
            "batch",
            str(grid),
            "--quiet",
        ]
        started = time.perf_counter()
        rerun = subprocess.run(command, capture_output=True, text=True)
        rerun_s = time.perf_counter() - started
        figures["rerun_s"] = round(rerun_s, 2)
        print(
            f"same grid again, nothing changed: {rerun_s:.2f} s [target < 1] "
            f"({rerun.stdout.strip().splitlines()[0] if rerun.stdout else rerun.stderr})"
        )

    factors = tuple(int(f) for f in args.factors.split(",") if f)
    if factors:
        print_build(factors, figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


def print_build(factors: tuple[int, ...], figures: dict) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from build_scaling import measure

    rows = measure(ProjectPaths().raw_release(_newest_release()), factors)
    figures["build"] = rows
    print("build on replicated snapshots [targets: linear; 100x < 5 s and < 1 GB]:")
    print(f"  {'factor':>6} {'raw rows':>10} {'seconds':>8} {'s/1k rows':>9} {'peak MB':>8}")
    for row in rows:
        print(
            f"  {row['factor']:>6} {row['raw_rows']:>10,} {row['seconds']:>8.2f} "
            f"{row['seconds_per_1000_rows']:>9.4f} {row['peak_mb']:>8.0f}"
        )


def _newest_release() -> str:
    from analysis.data.registry import latest_local_release

    release = latest_local_release(ProjectPaths().raw)
    if release is None:
        sys.exit("no fetched release: run `make build` first")
    return release


if __name__ == "__main__":
    main()
