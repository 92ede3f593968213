"""Write a synthetic raw release: ``factor`` time-shifted copies of the real daily file.

Used to measure how the ``build`` stage scales with rows. Copy ``k`` has every
``time_start`` / ``time_end`` moved by ``k`` whole shifts, a shift being longer than the data's
span, so copies never overlap in time and no wave can merge across copies. Copy 0 is the real
data unchanged. Only the date part of a cell is rewritten (``YYYY-MM-DD``); the rest of the cell
(`` HH:MM``, `` H:MM``, a trailing space, nothing) is kept, so the parser meets the same quirks.

Pandas timestamps only reach 1677..2262, so copies are spread both backwards and forwards
(``k = -factor // 2 .. factor - factor // 2 - 1``); the returned ``today`` lies after the last
copy and must be passed to ``build()``, which rejects dates after ``today``.

Every row is copied exactly, but a shifted copy meets Kyiv's clock changes on other days (and
before 1924 none at all), so a window that spans a change lasts an hour more or less and a few
waves near such nights group differently (about 0.1% of waves at 100x). The default shift is
the shortest (the span plus a margin), so that 100 copies fit. Shifting by the 28-year
calendar cycle (``CALENDAR_CYCLE_DAYS``: same weekdays and leap days, hence the same
last-Sunday clock changes) reproduces every wave exactly, but only a few copies fit.

Usage: python benchmarks/replicate.py RAW_DIR OUT_DIR FACTOR
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
from pathlib import Path

import pandas as pd

from analysis.data.rawschema import DAILY_FILE, REFERENCE_FILE

TIME_COLUMNS = ("time_start", "time_end")
#: Cell layout: optional leading blanks, the date, and whatever follows (time, trailing space).
_CELL = r"^(?P<lead>\s*)(?P<date>\d{4}-\d{2}-\d{2})(?P<rest>.*)$"
#: Gap added after the data's span, in days, so shifted copies stay clear of each other.
MARGIN_DAYS = 60
#: 28 Gregorian years (1901..2099): the calendar, and so the EU clock-change dates, repeat.
CALENDAR_CYCLE_DAYS = 10_227
#: Whole years inside pandas' nanosecond timestamp range (1677-09-21 .. 2262-04-11).
FIRST_YEAR, LAST_YEAR = 1678, 2261


def read_text(path: Path) -> pd.DataFrame:
    """The daily file with every cell as its exact text (empty cells stay empty strings)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)


def split_cells(values: pd.Series) -> pd.DataFrame:
    """``lead``, ``day`` (datetime64, NaT when the cell has no leading date) and ``rest``."""
    parts = values.str.extract(_CELL)
    parts["day"] = pd.to_datetime(parts["date"], format="%Y-%m-%d", errors="coerce")
    return parts


def span_days(cells: dict[str, pd.DataFrame]) -> int:
    """Days from the first to the last date in the cells, both included."""
    days = pd.concat([c["day"] for c in cells.values()]).dropna()
    return int((days.max() - days.min()).days) + 1


def shifted(original: pd.Series, parts: pd.DataFrame, days: int) -> pd.Series:
    """The cells with their date moved by ``days``; cells without a readable date unchanged."""
    if days == 0:
        return original
    day = (parts["day"] + pd.Timedelta(days=days)).dt.strftime("%Y-%m-%d")
    text = parts["lead"] + day + parts["rest"]
    return text.where(parts["day"].notna(), original)


def _check_range(cells: dict[str, pd.DataFrame], extremes: list[int]) -> None:
    """Refuse shifts that would leave the years pandas' nanosecond timestamps can hold."""
    days = pd.concat([c["day"] for c in cells.values()]).dropna()
    first = days.min() + pd.Timedelta(days=extremes[0])
    last = days.max() + pd.Timedelta(days=extremes[1])
    if first.year < FIRST_YEAR or last.year > LAST_YEAR:
        raise ValueError(
            f"copies would reach {first.date()} .. {last.date()}, outside {FIRST_YEAR}.."
            f"{LAST_YEAR}: use a smaller factor or shift"
        )


def copy_offsets(factor: int) -> list[int]:
    """Copy numbers, newest first (releases list newest rows first): 0 alone for factor 1."""
    low = -(factor // 2)
    return list(range(low + factor - 1, low - 1, -1))


def replicate(raw_dir: Path, out_dir: Path, factor: int, *, shift_days: int | None = None) -> dict:
    """Write ``factor`` shifted copies of ``raw_dir``'s daily file (and its reference file,
    unchanged) into ``out_dir``; return row counts, the shift and the ``today`` to build with.

    ``shift_days``: days between copies (default: the data's span plus ``MARGIN_DAYS``); it
    must exceed the span, so that copies never overlap.
    """
    if factor < 1:
        raise ValueError(f"factor must be >= 1, got {factor}")
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    daily = read_text(raw_dir / DAILY_FILE)
    cells = {c: split_cells(daily[c]) for c in TIME_COLUMNS}
    span = span_days(cells)
    step = span + MARGIN_DAYS if shift_days is None else int(shift_days)
    if step <= span:
        raise ValueError(f"shift of {step} days must exceed the data's span of {span} days")
    offsets = copy_offsets(factor)
    _check_range(cells, [min(offsets) * step, max(offsets) * step])
    copies = [
        daily.assign(**{c: shifted(daily[c], cells[c], k * step) for c in TIME_COLUMNS})
        for k in offsets
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    pd.concat(copies, ignore_index=True).to_csv(out_dir / DAILY_FILE, index=False)
    shutil.copyfile(raw_dir / REFERENCE_FILE, out_dir / REFERENCE_FILE)
    last_day = max(c["day"].max() for c in cells.values()) + pd.Timedelta(days=max(offsets) * step)
    return {
        "factor": factor,
        "rows_per_copy": len(daily),
        "rows": len(daily) * factor,
        "shift_days": step,
        "offsets": offsets,
        "today": (last_day + pd.Timedelta(days=1)).date(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("raw_dir", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("factor", type=int)
    args = parser.parse_args()
    info = replicate(args.raw_dir, args.out_dir, args.factor)
    print({k: (str(v) if isinstance(v, dt.date) else v) for k, v in info.items() if k != "offsets"})


if __name__ == "__main__":
    main()
