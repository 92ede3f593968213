"""Time the ``build`` stage on the real snapshot replicated 1x, 10x and 100x (prints figures).

Each factor is written by :func:`replicate.replicate` into a temporary folder and built in a
fresh Python process, so that peak memory is measured per factor: the child reports the wall
time of ``build()`` alone (imports excluded, pandera's own at its first validation too) and
its own peak resident memory (imports included, about 200 MB of it). Targets: time linear in
rows; 100x under 5 s and under 1 GB.

Usage: python benchmarks/build_scaling.py [--raw RAW_DIR] [--factors 1 10 100]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from analysis.data.registry import latest_local_release
from analysis.paths import PROJECT_ROOT, ProjectPaths

try:
    from benchmarks.replicate import replicate
except ModuleNotFoundError:  # run as ``python benchmarks/build_scaling.py``
    from replicate import replicate

#: Runs in the child: build once, print seconds of build() alone and the peak RSS as JSON.
CHILD = """
import datetime as dt, json, resource, sys, time
from pathlib import Path
from analysis.data.build import build
# pandera imports its checks (and hypothesis) at the first validation: an import, not work
import pandera.backends.pandas.builtin_checks, pandera.backends.pandas.builtin_hypotheses

raw, out, today = Path(sys.argv[1]), Path(sys.argv[2]), dt.date.fromisoformat(sys.argv[3])
started = time.perf_counter()
result = build(raw, out, today=today, force=True)
seconds = time.perf_counter() - started
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024, "rows_read": result.rows_read,
                  "strike_rows": result.strikes_rows, "waves": result.waves}))
"""


def default_raw_dir() -> Path:
    """The newest release fetched under ``data/raw/massive-missile-attacks``."""
    paths = ProjectPaths()
    release = latest_local_release(paths.raw)
    if release is None:
        raise SystemExit(f"no release under {paths.raw}: run `python -m analysis fetch` first")
    return paths.raw_release(release)


def build_in_child(raw_dir: Path, out_dir: Path, today: object) -> dict:
    """Build ``raw_dir`` in a fresh interpreter; its JSON report (seconds, peak MB, counts)."""
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(raw_dir), str(out_dir), str(today)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"build of {raw_dir} failed:\n{proc.stderr.strip()}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(raw_dir: Path, factors: Sequence[int] = (1, 10, 100)) -> list[dict]:
    """Replicate ``raw_dir`` by each factor and build it in a fresh process.

    One row per factor: factor, raw rows, strike rows, waves, seconds, seconds per 1,000 raw
    rows and peak MB of the building process.
    """
    rows = []
    for factor in factors:
        with tempfile.TemporaryDirectory(prefix=f"build-x{factor}-") as tmp:
            raw = Path(tmp) / "raw"
            info = replicate(Path(raw_dir), raw, factor)
            child = build_in_child(raw, Path(tmp) / "out", info["today"])
        rows.append(
            {
                "factor": factor,
                "raw_rows": child["rows_read"],
                "strike_rows": child["strike_rows"],
                "waves": child["waves"],
                "seconds": round(child["seconds"], 3),
                "seconds_per_1000_rows": round(1000 * child["seconds"] / child["rows_read"], 4),
                "peak_mb": round(child["peak_mb"], 1),
            }
        )
    return rows


def format_table(rows: list[dict]) -> str:
    """The rows as a small Markdown table."""
    lines = [
        "| factor | raw rows | strike rows | waves | seconds | s / 1,000 rows | peak MB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['factor']}x | {r['raw_rows']:,} | {r['strike_rows']:,} | {r['waves']:,} | "
        f"{r['seconds']:.2f} | {r['seconds_per_1000_rows']:.4f} | {r['peak_mb']:.0f} |"
        for r in rows
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", type=Path, default=None, help="raw release folder")
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10, 100])
    args = parser.parse_args()
    raw_dir = args.raw or default_raw_dir()
    print(
        f"build scaling on {raw_dir.name}; {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; build() alone, fresh process per factor"
    )
    print(format_table(measure(raw_dir, args.factors)))


if __name__ == "__main__":
    main()
