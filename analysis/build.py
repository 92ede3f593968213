"""The ``build`` stage: validated raw files in, processed tables out (atomically).

Outputs (in the output folder): ``strikes.parquet``, ``waves.parquet``, ``quality.json`` and
``manifest.json``. The manifest records the input hashes and the code fingerprint; when both
match, a later build is skipped (never redo work whose inputs did not change).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .atomic import atomic_path, write_json
from .errors import DataValidationError, FetchError
from .freeze import BUILD_MANIFEST, BUILD_OUTPUTS, build_is_current, build_manifest
from .paths import DATASET, PROJECT_ROOT
from .rawschema import DAILY_FILE, REFERENCE_FILE, load_daily, numbers, read_reference
from .registry import latest_local_release, sha256_file
from .strikes import QualityLog, make_strikes, models_missing_from_reference
from .taxonomy import WEAPON_CLASSES
from .waves import MAX_WINDOW_HOURS, assign_waves, grouping_start, summarise_waves

OUTPUT_FILES = BUILD_OUTPUTS
MANIFEST = BUILD_MANIFEST
FLAG_SAMPLE = 20


@dataclass(frozen=True)
class BuildResult:
    out_dir: Path
    rows_read: int
    strikes_rows: int
    waves: int
    skipped: bool


def quality_report(
    raw: pd.DataFrame,
    strikes: pd.DataFrame,
    waves: pd.DataFrame,
    log: QualityLog,
    missing_from_reference: list[str],
) -> dict:
    """Summary of what the build read, produced and noticed (``quality.json``)."""
    launched_raw = int(numbers(raw["launched"], strip=False).fillna(0).sum())
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
        "first_date": str(strikes["end_date"].min()),
        "last_date": str(strikes["end_date"].max()),
        "rows_per_class": {c: int(by_class.size().get(c, 0)) for c in WEAPON_CLASSES},
        "launched_per_class": {
            c: int(by_class["launched"].sum().get(c, 0)) for c in WEAPON_CLASSES
        },
        "launched_per_origin": {
            k: int(v) for k, v in strikes.groupby("origin")["launched"].sum().items()
        },
        "unmapped_models": unmapped,
        "models_missing_from_reference": missing_from_reference,
        "split_rows": log.flags.get("split_by_launched_details", []),
        "flags": flags,
    }


def _display_path(path: Path) -> str:
    """Project-relative path when inside the project, so outputs do not embed a machine path."""
    resolved = path.resolve()
    return str(resolved.relative_to(PROJECT_ROOT) if resolved.is_relative_to(PROJECT_ROOT)
               else resolved)


def locate_raw(raw: Path, release: str | None) -> Path:
    """A folder that holds the raw files: ``raw`` itself, or ``raw/<dataset>/<release>``."""
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
    daily_path, reference_path = raw_dir / DAILY_FILE, raw_dir / REFERENCE_FILE
    for path in (daily_path, reference_path):
        if not path.is_file():
            raise DataValidationError(f"{path}: file not found")
    inputs = {DAILY_FILE: sha256_file(daily_path), REFERENCE_FILE: sha256_file(reference_path)}
    if not force and build_is_current(out_dir, inputs):
        quality = json.loads((out_dir / "quality.json").read_text(encoding="utf-8"))
        return BuildResult(out_dir, quality["rows_read"], quality["strike_rows"],
                           quality["waves"], skipped=True)

    daily = load_daily(daily_path, today=today)
    raw = daily.raw
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
        raw, strikes, waves, log, models_missing_from_reference(raw, reference)
    )
    quality["inputs"] = {name: {"path": _display_path(p), "sha256": inputs[name]}
                         for name, p in ((DAILY_FILE, daily_path),
                                         (REFERENCE_FILE, reference_path))}

    out_dir.mkdir(parents=True, exist_ok=True)
    with atomic_path(out_dir / "strikes.parquet") as s_tmp, \
            atomic_path(out_dir / "waves.parquet") as w_tmp:
        strikes.to_parquet(s_tmp, index=False)
        waves.to_parquet(w_tmp, index=False)
    write_json(quality, out_dir / "quality.json")
    write_json(
        {**build_manifest(inputs),
         "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
        out_dir / MANIFEST,
    )
    return BuildResult(out_dir, len(raw), len(strikes), len(waves), skipped=False)
