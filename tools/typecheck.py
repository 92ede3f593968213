"""Type check ``analysis/`` with mypy against a baseline of known errors that may only shrink.

Usage: ``python tools/typecheck.py [--update [--force]]`` (``make typecheck``; ``make lint`` runs
it too). mypy's settings are in ``pyproject.toml`` (``[tool.mypy]``).

Each error is kept as ``path: error-code: message``, without line numbers, so that an edit
above a known error does not make it look new. The same error may appear several times in a file;
the count matters, so a second copy of a known error is new. The check fails (exit 1) on any error
not in ``tools/mypy-baseline.txt`` and prints them; it passes when the errors are among the known
ones, and says so when the baseline could shrink. ``--update`` rewrites the baseline only when it
shrinks (fixed errors taken off), or with ``--force`` (to accept new errors on purpose).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "tools" / "mypy-baseline.txt"
MYPY = [
    sys.executable,
    "-m",
    "mypy",
    "--no-pretty",
    "--no-error-summary",
    "--hide-error-context",
    "--no-color-output",
    "--show-error-codes",
]
HEADER = (
    "# Known mypy errors in analysis/ as 'path: error-code: message' (no line numbers), one per\n"
    "# occurrence. It may only shrink: `python tools/typecheck.py --update` after fixing some.\n"
)
#: ``path:line[:column]: error: message  [code]``; notes and warnings are not errors.
_ERROR = re.compile(
    r"^(?P<path>[^:\n]+):(?P<line>\d+)(?::\d+)?: error: "
    r"(?P<message>.*?)(?:\s+\[(?P<code>[\w-]+)\])?$"
)

#: Line numbers inside a message ("already defined on line 298") move with edits too.
_LINE_IN_MESSAGE = re.compile(r"\bline \d+\b")

Errors = Counter[str]


@dataclass(frozen=True)
class Comparison:
    """Errors not in the baseline (``new``) and baseline entries no longer seen (``fixed``)."""

    new: list[str]
    fixed: list[str]

    @property
    def passed(self) -> bool:
        return not self.new


def parse(output: str) -> Errors:
    """The errors in mypy's output, as ``path: code: message`` keys counted per occurrence."""
    errors: Errors = Counter()
    for line in output.splitlines():
        match = _ERROR.match(line.rstrip())
        if match:
            path = Path(match["path"]).as_posix()
            message = _LINE_IN_MESSAGE.sub("line N", match["message"].strip())
            errors[f"{path}: {match['code'] or 'misc'}: {message}"] += 1
    return errors


def read_baseline(path: Path = BASELINE) -> Errors:
    """The baseline's entries (comments and blank lines skipped); empty when there is none."""
    if not path.is_file():
        return Counter()
    lines = path.read_text(encoding="utf-8").splitlines()
    return Counter(line for line in lines if line.strip() and not line.startswith("#"))


def format_baseline(errors: Errors) -> str:
    """The baseline file's text: the header, then every occurrence, sorted."""
    return HEADER + "".join(f"{key}\n" for key in sorted(errors.elements()))


def compare(current: Errors, baseline: Errors) -> Comparison:
    """What ``current`` has beyond ``baseline`` and what ``baseline`` has beyond ``current``."""
    return Comparison(
        new=sorted((current - baseline).elements()),
        fixed=sorted((baseline - current).elements()),
    )


def update_decision(comparison: Comparison, force: bool) -> tuple[bool, str]:
    """Whether ``--update`` may rewrite the baseline, and what to say."""
    if comparison.new and not force:
        return False, (
            f"{len(comparison.new)} new error(s): the baseline only shrinks; fix them, "
            "or accept them on purpose with --update --force"
        )
    if not comparison.new and not comparison.fixed:
        return False, "the baseline is already up to date"
    return True, (
        f"baseline updated: {len(comparison.fixed)} fixed error(s) taken off, "
        f"{len(comparison.new)} new one(s) added"
    )


def run_mypy() -> str:
    """mypy's output over the files set in pyproject.toml; exits 2 when mypy itself fails."""
    done = subprocess.run(MYPY, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stdout + done.stderr)
        sys.exit(f"mypy failed to run (exit {done.returncode})")
    return done.stdout


def report(comparison: Comparison, baseline: Path) -> str:
    """The check's message: the new errors, or a pass with a note when the baseline can shrink."""
    if comparison.new:
        lines = [f"{len(comparison.new)} type error(s) not in {baseline.name}:"]
        lines += [f"  {key}" for key in comparison.new]
        lines.append("Fix them (`.venv/bin/mypy` shows their lines).")
        if comparison.fixed:
            lines.append("Known error(s) gone (a new one may be one of them, reworded):")
            lines += [f"  {key}" for key in comparison.fixed]
        return "\n".join(lines)
    message = "type check: no new errors"
    if comparison.fixed:
        message += (
            f"\nnote: {len(comparison.fixed)} known error(s) are gone; shrink the baseline "
            "with `python tools/typecheck.py --update`:\n"
            + "\n".join(f"  {key}" for key in comparison.fixed)
        )
    return message


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the baseline if it shrinks")
    parser.add_argument("--force", action="store_true", help="with --update: accept new errors")
    parser.add_argument("--baseline", type=Path, default=BASELINE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    current = parse(run_mypy())
    comparison = compare(current, read_baseline(args.baseline))
    if args.update:
        write, message = update_decision(comparison, args.force)
        if write:
            args.baseline.write_text(format_baseline(current), encoding="utf-8")
        print(message)
        return 0 if write or not comparison.new else 1
    print(report(comparison, args.baseline))
    return 0 if comparison.passed else 1


if __name__ == "__main__":
    sys.exit(main())
