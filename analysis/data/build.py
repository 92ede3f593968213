"""The ``build`` stage: validated raw files in, processed tables out (atomically).

Outputs (in the output folder): ``strikes.parquet``, ``waves.parquet``, ``quality.json`` and
``manifest.json``. The manifest records the input hashes and the code fingerprint; when both
match, a later build is skipped (never redo work whose inputs did not change).

The output folder may be new, empty, or one that already holds a build's outputs (see
:func:`check_out_dir`). Rows repeated exactly (every column equal to an earlier row) are dropped,
recorded in ``quality.json`` and returned as a warning, so that no launch is counted twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.atomic import WriteError, atomic_path, json_text, reason, write_json
from analysis.data.gaps import gap_report
from analysis.data.overlaps import RULE
from analysis.data.rawschema import (
    DAILY_FILE,
    REFERENCE_FILE,
    exact_duplicates,
    load_daily,
    numbers,
    read_reference,
)
from analysis.data.registry import latest_local_release, sha256_file
from analysis.data.reporters import REPORTERS, unmapped_reporters
from analysis.data.scope import in_scope
from analysis.data.strikes import QualityLog, make_strikes, models_missing_from_reference
from analysis.data.waves import MAX_WINDOW_HOURS, assign_waves, grouping_start, summarise_waves
from analysis.errors import DataValidationError, FetchError
from analysis.freeze import (
    BUILD_MANIFEST,
    BUILD_OUTPUTS,
    build_is_current,
    build_manifest,
    read_json_object,
)
from analysis.names import check_release, listed
from analysis.paths import DATASET, PROJECT_ROOT
from analysis.vocabulary import SCOPES, WEAPON_CLASSES

OUTPUT_FILES = BUILD_OUTPUTS
MANIFEST = BUILD_MANIFEST
FLAG_SAMPLE = 20
MAX_LISTED = 5


@dataclass(frozen=True)
class BuildResult:
    out_dir: Path
    rows_read: int
    strikes_rows: int
    waves: int
    skipped: bool
    warnings: tuple[str, ...] = ()


def duplicate_report(raw: pd.DataFrame, duplicates: pd.Series) -> dict:
    """``quality.json``'s record of the exact duplicate rows dropped (see
    :func:`rawschema.exact_duplicates`): how many, the first few, and the launches dropped."""
    launched = numbers(raw.loc[duplicates.index, "launched"], strip=False)
    return {
        "count": len(duplicates),
        "launched_dropped": int(launched.fillna(0).sum()),
        "rows": [
            {
                "raw_row": int(row),
                "line": int(row) + 2,
                "same_as_row": int(first),
                "same_as_line": int(first) + 2,
            }
            for row, first in duplicates.iloc[:FLAG_SAMPLE].items()
        ],
    }


def duplicate_warning(daily: str, report: dict) -> str | None:
    """The warning line for dropped duplicates (None when there were none)."""
    count = report.get("count", 0)
    if not count:
        return None
    rows = [
        f"row {r['raw_row']} (line {r['line']}) repeats row {r['same_as_row']} "
        f"(line {r['same_as_line']})"
        for r in report.get("rows", [])[:MAX_LISTED]
    ]
    more = f" ... and {count - len(rows)} more" if count > len(rows) else ""
    return (
        f"{daily}: dropped {count} exact duplicate row(s), every column equal to an earlier "
        f"row, so that {report.get('launched_dropped', 0):,} launched are not counted "
        f"twice: {'; '.join(rows)}{more} (see duplicate_rows in quality.json)"
    )


def _rows_and_launched(strikes: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Strike rows and launches per reporter, every reporter listed (zeros included)."""
    by_reporter = strikes.groupby("reporter")
    rows, launched = by_reporter.size(), by_reporter["launched"].sum()
    return {
        r: {"rows": int(rows.get(r, 0)), "launched": int(launched.get(r, 0))} for r in REPORTERS
    }


def reporter_report(strikes: pd.DataFrame) -> dict:
    """``quality.json``'s account of who reported the strike rows: rows and launches per
    reporter, the sources mapped to no reporter, and the possible double counts of the national
    summary (see :mod:`analysis.data.overlaps`), and the rows and launches each scope counts
    (:mod:`analysis.data.scope`). Rows are strike rows, as in ``rows_per_class``."""
    every = _rows_and_launched(strikes)
    flagged = strikes[strikes["possible_double_count"].to_numpy(dtype=bool)]
    scoped = {scope: in_scope(strikes, scope) for scope in SCOPES}
    return {
        "rows_per_scope": {scope: len(rows) for scope, rows in scoped.items()},
        "launched_per_scope": {
            scope: int(rows["launched"].sum()) for scope, rows in scoped.items()
        },
        "rows_per_reporter": {r: n["rows"] for r, n in every.items()},
        "launched_per_reporter": {r: n["launched"] for r, n in every.items()},
        "unmapped_reporters": unmapped_reporters(strikes["source"]),
        "possible_double_counts": {
            "rule": RULE,
            "rows": len(flagged),
            "launched": int(flagged["launched"].sum()),
            "by_reporter": _rows_and_launched(flagged),
        },
    }


def quality_report(
    raw: pd.DataFrame,
    strikes: pd.DataFrame,
    waves: pd.DataFrame,
    log: QualityLog,
    missing_from_reference: list[str],
    duplicates: pd.Series | None = None,
) -> dict:
    """Summary of what the build read, produced and noticed (``quality.json``).

    ``raw``: every row read; ``duplicates``: the exact repeats dropped before cleaning. The raw
    launched total is counted without them, so that ``launched_preserved`` compares like with
    like.
    """
    duplicates = pd.Series([], dtype="int64") if duplicates is None else duplicates
    kept = raw.drop(index=duplicates.index) if len(duplicates) else raw
    launched_raw = int(numbers(kept["launched"], strip=False).fillna(0).sum())
    launched_out = int(strikes["launched"].fillna(0).sum())
    by_class = strikes.groupby("weapon_class")
    flags = {
        name: {"count": len(rows), "rows": rows[:FLAG_SAMPLE]}
        for name, rows in sorted(log.flags.items())
    }
    unmapped = sorted({r["model"] for r in log.flags.get("unmapped_model", [])})
    return {
        "rows_read": len(raw),
        "strike_rows": len(strikes),
        "waves": len(waves),
        "timed_waves": int(waves["time_known"].sum()),
        "launched_total_raw": launched_raw,
        "launched_total_processed": launched_out,
        "launched_preserved": launched_raw == launched_out,
        "launched_compared": "raw rows without exact duplicates vs strike rows",
        "duplicate_rows": duplicate_report(raw, duplicates),
        "first_date": str(strikes["end_date"].min()),
        "last_date": str(strikes["end_date"].max()),
        "rows_per_class": {c: int(by_class.size().get(c, 0)) for c in WEAPON_CLASSES},
        "launched_per_class": {
            c: int(by_class["launched"].sum().get(c, 0)) for c in WEAPON_CLASSES
        },
        "launched_per_origin": {
            k: int(v) for k, v in strikes.groupby("origin")["launched"].sum().items()
        },
        **reporter_report(strikes),
        "reporting_gaps": gap_report(strikes),
        "unmapped_models": unmapped,
        "models_missing_from_reference": missing_from_reference,
        "split_rows": log.flags.get("split_by_launched_details", []),
        "flags": flags,
    }


def _display_path(path: Path) -> str:
    """Project-relative path when inside the project, so outputs do not embed a machine path."""
    resolved = path.resolve()
    return str(
        resolved.relative_to(PROJECT_ROOT) if resolved.is_relative_to(PROJECT_ROOT) else resolved
    )


def check_raw_dir(raw_dir: Path, what: str = "raw folder") -> None:
    """``raw_dir`` must be an existing folder; one under ``<dataset>/`` is a release folder,
    so its name must be a release name."""
    if not raw_dir.exists():
        raise FetchError(
            f"{what} {raw_dir} does not exist; run `python -m analysis fetch` "
            "first, or give the folder that holds the raw CSV files"
        )
    if not raw_dir.is_dir():
        hint = (
            f"; give the folder that holds it, {raw_dir.parent}"
            if raw_dir.name in (DAILY_FILE, REFERENCE_FILE)
            else ""
        )
        raise FetchError(f"{what} {raw_dir} is a file, not a folder{hint}")
    if raw_dir.parent.name == DATASET:
        check_release(raw_dir.name, f"{what} {raw_dir}")


def locate_raw(raw: Path, release: str | None) -> Path:
    """A folder that holds the raw files: ``raw`` itself, or ``raw/<dataset>/<release>``."""
    if release is not None:
        check_release(release, "--release")
    check_raw_dir(raw, "--raw")
    if (raw / DAILY_FILE).is_file():
        return raw
    release = release or latest_local_release(raw)
    folder = raw / DATASET / str(release)
    if release is None or not (folder / DAILY_FILE).is_file():
        raise FetchError(
            f"no raw files for release {release or '(none fetched)'} under {raw}; "
            "run `python -m analysis fetch` first"
        )
    return folder


def check_out_dir(out_dir: Path) -> None:
    """Refuse an output folder that a build must not write into.

    The output folder may be a new folder, an empty folder, or a folder that already holds a
    build (any of its outputs or its manifest); a file, or a non-empty folder that holds no
    build, is refused, so that a typo never scatters outputs among unrelated files.
    """
    try:
        if not out_dir.exists():
            blocking = next((p for p in out_dir.parents if p.exists()), None)
            if blocking is not None and not blocking.is_dir():
                raise WriteError(
                    f"output folder {out_dir} cannot be created: {blocking} is a file, not a folder"
                )
            return
        if not out_dir.is_dir():
            raise WriteError(
                f"output folder {out_dir} is a file, not a folder; give a new or "
                "empty folder, or one that holds an earlier build"
            )
        names = sorted(p.name for p in out_dir.iterdir())
    except OSError as exc:
        raise WriteError(f"output folder {out_dir}: {reason(exc, out_dir)}") from None
    if names and not set(names) & {*OUTPUT_FILES, MANIFEST}:
        raise WriteError(
            f"output folder {out_dir} holds other files ({listed(names)}) and no earlier "
            "build; give a new or empty folder, or one that holds an earlier build"
        )


def _skipped(out_dir: Path, daily_path: Path) -> BuildResult | None:
    """The result of a build that is up to date, from its ``quality.json``; None when that
    file cannot be read as an earlier build wrote it (then the build is done again)."""
    quality = read_json_object(out_dir / "quality.json") or {}
    counts = [quality.get(k) for k in ("rows_read", "strike_rows", "waves")]
    if not all(isinstance(c, int) for c in counts):
        return None
    warning = duplicate_warning(str(daily_path), quality.get("duplicate_rows") or {})
    return BuildResult(out_dir, *counts, skipped=True, warnings=(warning,) if warning else ())


def _write_outputs(
    out_dir: Path, strikes: pd.DataFrame, waves: pd.DataFrame, quality: dict, inputs: dict[str, str]
) -> None:
    """Write the tables and ``quality.json`` to temporary files, then rename them into place,
    then write the manifest. The old manifest goes just before the renames: a folder whose
    outputs are half replaced (a crash between two renames) is never taken as up to date."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot create output folder {out_dir}: {reason(exc, out_dir)}") from None
    writers: dict[str, Callable[[Path], object]] = {
        "strikes.parquet": lambda p: strikes.to_parquet(p, index=False),
        "waves.parquet": lambda p: waves.to_parquet(p, index=False),
        "quality.json": lambda p: p.write_text(json_text(quality), encoding="utf-8"),
    }
    with ExitStack() as stack:
        for name, write in writers.items():  # each renamed into place when the stack closes
            write(stack.enter_context(atomic_path(out_dir / name)))
        try:
            (out_dir / MANIFEST).unlink(missing_ok=True)
        except OSError as exc:
            raise WriteError(f"cannot replace {out_dir / MANIFEST}: {reason(exc)}") from None
    write_json(
        {
            **build_manifest(inputs),
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        },
        out_dir / MANIFEST,
    )


def build(
    raw_dir: Path,
    out_dir: Path,
    *,
    today: dt.date | None = None,
    force: bool = False,
) -> BuildResult:
    """Validate the raw files in ``raw_dir`` and write the processed tables to ``out_dir``.

    Validation happens before anything is written; each output is written to a temporary
    file and renamed into place only after every table has been computed.
    """
    check_raw_dir(raw_dir)
    check_out_dir(out_dir)
    daily_path, reference_path = raw_dir / DAILY_FILE, raw_dir / REFERENCE_FILE
    for path in (daily_path, reference_path):
        if not path.is_file():
            raise DataValidationError(f"{path}: file not found")
    inputs = {DAILY_FILE: sha256_file(daily_path), REFERENCE_FILE: sha256_file(reference_path)}
    if not force and build_is_current(out_dir, inputs):
        skipped = _skipped(out_dir, daily_path)
        if skipped is not None:
            return skipped

    daily = load_daily(daily_path, today=today)
    duplicates = exact_duplicates(daily.raw, daily.times)
    raw = daily.raw.drop(index=duplicates.index) if len(duplicates) else daily.raw
    reference = read_reference(reference_path)
    strikes, log = make_strikes(raw, daily.times)
    strikes["wave_id"] = assign_waves(strikes)
    long_window = strikes["time_known"] & (grouping_start(strikes) > strikes["window_start"])
    for raw_row in strikes.loc[long_window, "raw_row"].unique():
        log.add(f"window_over_{MAX_WINDOW_HOURS:g}h_clipped_for_grouping", raw_row)
    strikes = strikes.sort_values(["window_start", "raw_row", "component"], kind="stable")
    strikes = strikes.reset_index(drop=True)
    waves = summarise_waves(strikes)
    quality = quality_report(
        daily.raw, strikes, waves, log, models_missing_from_reference(raw, reference), duplicates
    )
    quality["inputs"] = {
        name: {"path": _display_path(p), "sha256": inputs[name]}
        for name, p in ((DAILY_FILE, daily_path), (REFERENCE_FILE, reference_path))
    }
    _write_outputs(out_dir, strikes, waves, quality, inputs)
    warning = duplicate_warning(str(daily_path), quality["duplicate_rows"])
    return BuildResult(
        out_dir,
        len(daily.raw),
        len(strikes),
        len(waves),
        skipped=False,
        warnings=(warning,) if warning else (),
    )
