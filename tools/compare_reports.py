"""Compare two report folders: every published output, provenance aside.

    python tools/compare_reports.py OLD_REPORT NEW_REPORT

Checks that the ``*.results.json`` values (the ``provenance`` entry left out), the CSV tables
and the data behind each chart are identical, and says which chart images differ in pixels
(a chart may change style while its data stays the same). Used when the package is
restructured: outputs must not move. Exits 1 when a value or table differs.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

IGNORED_KEYS = {"provenance"}


def _results(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if k not in IGNORED_KEYS}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compare(old: Path, new: Path) -> tuple[list[str], list[str]]:
    """(differences that matter, chart images whose pixels differ)."""
    problems: list[str] = []
    charts: list[str] = []
    for pattern in ("*.results.json", "*.csv", "*.png"):
        names = {p.name for p in old.glob(pattern)} | {p.name for p in new.glob(pattern)}
        for name in sorted(names):
            a, b = old / name, new / name
            if not a.is_file() or not b.is_file():
                problems.append(f"{name}: only in {'new' if b.is_file() else 'old'}")
            elif pattern == "*.results.json":
                if _results(a) != _results(b):
                    problems.append(f"{name}: values differ")
            elif _digest(a) != _digest(b):
                (charts if pattern == "*.png" else problems).append(name)
    return problems, charts


def main(argv: list[str]) -> int:
    old, new = (Path(a) for a in argv)
    problems, charts = compare(old, new)
    counts = {p: len(list(new.glob(p))) for p in ("*.results.json", "*.csv", "*.png")}
    print(
        f"compared {counts['*.results.json']} results files, {counts['*.csv']} tables and "
        f"{counts['*.png']} charts"
    )
    for line in problems:
        print(f"DIFFERENT {line}")
    for name in charts:
        print(f"pixels differ: {name}")
    print("identical" if not problems else f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
