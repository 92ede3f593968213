"""Command line: ``python -m analysis {fetch,build,forecast,report,batch,calibrate,releases}``."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.paths import ProjectPaths
from analysis.vocabulary import DEFAULT_SCOPE, SCOPES


def _fetch(args: argparse.Namespace, paths: ProjectPaths) -> None:
    from analysis.data.fetch import fetch
    from analysis.data.registry import Registry

    releases = sorted(Registry.load(paths.registry).releases) if args.all else [args.release]
    mirrors = [Path(m) for m in args.mirror] if args.mirror else None
    for release in releases:
        result = fetch(release, paths=paths, mirrors=mirrors)
        where = ", ".join(f"{k} from {v}" for k, v in result.origins.items())
        print(f"release {result.release}: verified in {result.folder} ({where})")
        if result.recorded:
            print(f"release {result.release}: new, recorded in {paths.registry}")
        if result.diff is not None:
            print(result.diff.describe())
        if result.note:
            print(result.note)


def _build(args: argparse.Namespace, paths: ProjectPaths) -> None:
    from analysis.data.build import build, locate_raw
    from analysis.data.registry import local_releases
    from analysis.names import check_release

    raw_root = Path(args.raw) if args.raw else paths.raw
    if args.all:
        if args.out or args.release:
            raise AnalysisError("build --all takes no --out or --release")
        releases = local_releases(raw_root)
    else:
        releases = [args.release]
    for release in releases:
        raw_dir = locate_raw(raw_root, release)
        if args.out:
            out = Path(args.out)
        else:  # the output folder is named by the release, never by an arbitrary folder name
            name = release or check_release(raw_dir.name, f"--raw {raw_dir}: the folder name")
            out = paths.processed_release(name)
        result = build(raw_dir, out, force=args.force)
        state = "up to date, skipped" if result.skipped else "built"
        print(
            f"{state}: {result.rows_read} raw rows -> {result.strikes_rows} strike rows, "
            f"{result.waves} waves in {result.out_dir}"
        )
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)


FRESH_KERNELS_HELP = (
    "start a new kernel for every notebook (default: each worker keeps one warm kernel, "
    "reset between notebooks)"
)


def _report(args: argparse.Namespace, paths: ProjectPaths) -> None:
    from analysis.publish.report import run_report

    html = run_report(
        paths=paths,
        release=args.release,
        start=args.start,
        end=args.end,
        name=args.name,
        parameters={"scope": args.scope},
        force=args.force,
        jobs=args.jobs,
        pdf=args.pdf,
        fresh_kernels=args.fresh_kernels,
    )
    print(html)
    if args.pdf:
        from analysis.publish.pdf import PDF_NAME

        print(html.parent / PDF_NAME)


def _batch(args: argparse.Namespace, paths: ProjectPaths) -> None:
    from analysis.publish.batch import BatchError, run_batch

    result = run_batch(
        paths,
        Path(args.grid),
        jobs=args.jobs,
        force=args.force,
        dask=args.dask,
        progress=not args.quiet,
        fresh_kernels=args.fresh_kernels,
    )
    print(result.summary())
    if result.interrupted:
        raise KeyboardInterrupt
    if result.failed:
        raise BatchError(
            f"{len(result.failed)} of {len(result.planned)} sets failed; their "
            "executed notebooks keep the errors (see the batch index)"
        )


def _forecast(args: argparse.Namespace, paths: ProjectPaths) -> None:
    from analysis.data.overview import available_releases, load_processed
    from analysis.models.forecast import (
        has_snapshots,
        save_scores,
        score_snapshots,
        snapshot_folder,
        snapshot_release,
        summarise_scores,
        weekly_table,
    )
    from analysis.names import check_release

    if args.release:
        check_release(args.release, "--release")
    folder = snapshot_folder(paths)
    releases = available_releases(paths.processed)
    chosen = releases if args.all else [args.release or (releases[-1] if releases else None)]
    for release in chosen:
        data = load_processed(release, paths.processed, args.scope)
        named = f"release {data.release} ({data.scope})"
        if args.force or not has_snapshots(folder, data.release, data.scope):
            saved = snapshot_release(data.strikes, data.release, folder, h=args.h, scope=data.scope)
            print(f"{named}: {len(saved)} forecast snapshots in {folder}")
        else:
            print(f"{named}: snapshots already in {folder}, kept")
        # scored only on actuals of the same scope as the snapshots
        scored = score_snapshots(folder, weekly_table(data.strikes), data.release, data.scope)
        if scored.empty:
            continue
        save_scores(scored, folder, data.release, data.scope)
        for row in summarise_scores(scored).itertuples():
            print(
                f"  {row.release} forecast of {row.series} ({row.model}) on {row.scored_on}: "
                f"{row.weeks} weeks, MAE {row.mae:,.0f}, 80% hits {row.hit80:.0%}, "
                f"95% hits {row.hit95:.0%}"
            )


def _calibrate(args: argparse.Namespace, paths: ProjectPaths) -> None:
    from analysis.calibration.run import DEFAULT_SEED, calibrate

    def progress(chunk) -> None:
        if not args.quiet:
            print(f"  {chunk.estimator} {chunk.process}: replicates {chunk.start}-{chunk.stop - 1}")

    run = calibrate(
        paths,
        replicates=args.replicates,
        only=args.only,
        quick=args.quick,
        seed=DEFAULT_SEED if args.seed is None else args.seed,
        jobs=args.jobs,
        progress=progress,
    )
    for name in run.skipped:
        print(f"skipped {name}: its model function is not in the package", file=sys.stderr)
    for row in run.table.itertuples():
        verdict = "meets" if row.meets_target else "BELOW"
        print(
            f"{row.estimator:<16} {row.process:<8} {row.level:.0%}: coverage {row.coverage:.1%} "
            f"({row.band_low:.1%} to {row.band_high:.1%}, {row.replicates} replicates) "
            f"{verdict} target {row.target:.0%}"
        )
    print(f"{run.folder / 'calibration.csv'} ({run.seconds:,.0f} s)")


def _releases(args: argparse.Namespace, paths: ProjectPaths) -> None:
    from analysis.data.registry import Registry

    registry = Registry.load(paths.registry)
    for release, entry in sorted(registry.releases.items()):
        daily = entry["files"]["missile_attacks_daily.csv"]
        present = (paths.raw_release(release) / "missile_attacks_daily.csv").is_file()
        print(
            f"{release}  rows={daily['rows']}  sha256={daily['sha256'][:12]}…  "
            f"{'fetched' if present else 'not fetched'}"
        )


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _horizon(text: str) -> int:
    """``forecast --h``: checked as the forecast notebook checks its ``horizon``."""
    from analysis.params import ParameterError, check_values

    try:
        value = int(text)
        check_values({"horizon": value}, "--h")
    except (ValueError, ParameterError) as exc:
        raise argparse.ArgumentTypeError(
            str(exc) if isinstance(exc, ParameterError) else f"{text!r} is not a whole number"
        ) from None
    return value


def default_jobs() -> int:
    """Notebooks side by side by default: one per core, at most four."""
    import os

    return max(1, min(4, os.cpu_count() or 1))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    p.add_argument(
        "--root",
        type=Path,
        default=None,
        help="project folder to work in (default: this checkout); every input is "
        "read from it and every output written inside it",
    )
    p.add_argument(
        "--debug",
        action="store_true",
        help="show the full traceback of an error instead of one line",
    )
    sub = p.add_subparsers(dest="command", required=True)

    f = sub.add_parser("fetch", help="fetch and verify the raw files of a release")
    f.add_argument("--release", help="release date, e.g. 2026-04-05 (default: newest known)")
    f.add_argument("--all", action="store_true", help="fetch every release in the registry")
    f.add_argument(
        "--mirror",
        action="append",
        help="mirror folder holding <release>/ folders (repeatable; overrides "
        "ANALYSIS_DATA_MIRROR)",
    )
    f.set_defaults(func=_fetch)

    b = sub.add_parser("build", help="validate raw files and write the processed tables")
    b.add_argument("--raw", help="folder with the raw CSVs, or a raw root (default data/raw)")
    b.add_argument(
        "--out",
        help="output folder (default data/processed/<release>): a new or "
        "empty folder, or one that holds an earlier build",
    )
    b.add_argument("--release", help="release under the raw root (default: newest fetched)")
    b.add_argument("--all", action="store_true", help="build every fetched release")
    b.add_argument("--force", action="store_true", help="rebuild even if inputs are unchanged")
    b.set_defaults(func=_build)

    r = sub.add_parser("report", help="execute the notebooks and render the HTML report")
    r.add_argument("--release", help="data release (default: newest built)")
    r.add_argument("--start", help="first Kyiv date to show, YYYY-MM-DD")
    r.add_argument("--end", help="last Kyiv date to show, YYYY-MM-DD")
    r.add_argument(
        "--scope",
        choices=SCOPES,
        default=DEFAULT_SCOPE,
        help="whose counts: the Air Force's national summary (default) or every reporter",
    )
    r.add_argument("--name", help="report folder name under reports/")
    r.add_argument(
        "--force",
        action="store_true",
        help="run even when nothing changed since the last good report",
    )
    r.add_argument(
        "--jobs",
        type=_positive,
        default=default_jobs(),
        help="notebooks run side by side (default: cores, at most 4)",
    )
    r.add_argument(
        "--pdf",
        action="store_true",
        help="also print every page into one report.pdf with the installed Chromium",
    )
    r.add_argument("--fresh-kernels", action="store_true", help=FRESH_KERNELS_HELP)
    r.set_defaults(func=_report)

    g = sub.add_parser("batch", help="one report per parameter set of a YAML grid")
    g.add_argument("grid", help="grid file, e.g. grids/example.yaml")
    g.add_argument(
        "--jobs",
        type=_positive,
        default=default_jobs(),
        help="notebooks run side by side on this machine (default: cores, at "
        "most 4); with --dask, the LocalCluster's workers",
    )
    g.add_argument("--force", action="store_true", help="re-run sets that are up to date")
    g.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run on a Dask cluster (scheduler address), or 'local' to start a "
        "LocalCluster with --jobs workers",
    )
    g.add_argument("--quiet", action="store_true", help="no progress bar")
    g.add_argument("--fresh-kernels", action="store_true", help=FRESH_KERNELS_HELP)
    g.set_defaults(func=_batch)

    c = sub.add_parser("forecast", help="save forecast snapshots and score earlier ones")
    c.add_argument("--release", help="built release (default: newest built)")
    c.add_argument("--all", action="store_true", help="every built release, oldest first")
    c.add_argument("--h", type=_horizon, default=8, help="weeks ahead, 1 to 26 (default 8)")
    c.add_argument("--force", action="store_true", help="replace existing snapshots")
    c.add_argument(
        "--scope",
        choices=SCOPES,
        default=DEFAULT_SCOPE,
        help="whose counts: the Air Force's national summary (default) or every reporter; "
        "a saved forecast is scored only on counts of its own scope",
    )
    c.set_defaults(func=_forecast)

    k = sub.add_parser(
        "calibrate",
        help="how often each headline interval holds a planted truth in simulated data",
    )
    k.add_argument(
        "--replicates",
        type=_positive,
        help="simulated data sets per estimator and error process (default 200; 30 with --quick)",
    )
    k.add_argument(
        "--only",
        nargs="+",
        metavar="ESTIMATOR",
        help="only these estimators (growth, defeat_doubling, salvo_median, salvo_p90, "
        "event_level, forecast, toy_mean)",
    )
    k.add_argument(
        "--quick",
        action="store_true",
        help="the small subset: cheap estimators, independent and strongly dependent errors, "
        "written to reports/calibration/quick/",
    )
    k.add_argument("--seed", type=int, help="the run's seed (default: the fixed one in the code)")
    k.add_argument(
        "--jobs",
        type=_positive,
        default=None,
        help="processes side by side (default and most: one per core)",
    )
    k.add_argument("--quiet", action="store_true", help="no progress lines")
    k.set_defaults(func=_calibrate)

    s = sub.add_parser("releases", help="list the releases in the source registry")
    s.set_defaults(func=_releases)
    return p


MAX_ERROR_CHARS = 600


def capped(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """An error message of at most ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    lines = text[:limit].splitlines()
    kept = "\n".join(lines[:-1]) if len(lines) > 1 else lines[0]
    return f"{kept} ... ({len(text) - len(kept):,} more characters left out)"


def project_paths(root: Path | None) -> ProjectPaths:
    """The project's paths; ``--root`` must be an existing folder."""
    if root is None:
        return ProjectPaths()
    if not root.is_dir():
        what = "does not exist" if not root.exists() else "is not a folder"
        raise AnalysisError(f"--root {root} {what}; give the project's folder")
    return ProjectPaths(root=root.resolve())


def _describe(exc: BaseException) -> str:
    """One line for an error the code did not foresee (the traceback needs ``--debug``)."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    return f"{type(exc).__name__}: {exc}"


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.func(args, project_paths(args.root))
    except AnalysisError as exc:
        if args.debug:
            raise
        print(f"error: {capped(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        # Exiting already: a second Ctrl-C (or a kernel's stray interrupt during tear-down)
        # must not turn exit code 130 into death by signal.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print(
            "interrupted: finished reports are kept and nothing half-written replaced "
            "anything; run the same command again to resume",
            file=sys.stderr,
        )
        return 130
    except Exception as exc:  # noqa: BLE001 - one line for the reader; --debug for the rest
        if args.debug:
            raise
        print(
            f"error: {capped(_describe(exc))} (run with --debug for the traceback)", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
