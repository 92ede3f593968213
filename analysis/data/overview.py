"""Pure helpers behind ``notebooks/01_data_overview.ipynb``: load, filter, summarise, chart.

The notebook only calls these functions and displays what they return, so every number in
the report is computed (and tested) here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.data.build import OUTPUT_FILES
from analysis.data.dates import MONTH_FORMAT, DateLike, day_label, kyiv_dates, parse_date
from analysis.data.gaps import mark_months
from analysis.data.labels import CLASS_LABELS, DATASET_NAME
from analysis.data.scope import check_scope, in_scope, scope_label, scoped_waves
from analysis.data.taxonomy import lookup as lookup_weapon
from analysis.data.taxonomy import split_model
from analysis.data.timeparse import KYIV
from analysis.data.waves import MAX_WINDOW_HOURS
from analysis.errors import AnalysisError
from analysis.names import RELEASE
from analysis.paths import ProjectPaths
from analysis.vocabulary import ALL_SCOPE, DEFAULT_SCOPE, WEAPON_CLASSES

#: Release folders are named by the last date their daily file covers.
WINDOW_FLAG = f"window_over_{MAX_WINDOW_HOURS:g}h_clipped_for_grouping"
#: One-line explanation of every flag the build writes to ``quality.json``.
FLAG_MEANINGS: dict[str, str] = {
    "start_time_unknown": "The report gives only a date for the start of the attack, no time "
    "of day; its window starts at midnight Kyiv time.",
    "end_time_unknown": "The report gives only a date for the end of the attack; its window "
    "runs to the end of that day.",
    "combined_without_split": "One row lumps several weapon types (e.g. 'C-400 and "
    "Iskander-M') with no per-type counts; kept as one row of a "
    "combined class.",
    "split_by_launched_details": "A combined row was split into one row per weapon type using "
    "the counts in its launched_details.",
    "destroyed_allocated_by_share": "For a split row the destroyed count was shared out in "
    "proportion to launches, so per-type destroyed figures "
    "are estimates.",
    "launched_missing": "The report gives no launched count; the row adds nothing to launch "
    "totals.",
    "destroyed_missing": "The report gives no destroyed count; the row adds nothing to "
    "destroyed totals.",
    "unmapped_model": "A weapon name the taxonomy does not know; the row is classed "
    "'unknown' (should never happen).",
    "launched_details_do_not_match": "launched_details disagrees with the model or launched "
    "columns, so the combined row was not split.",
    WINDOW_FLAG: f"A timed report window longer than {MAX_WINDOW_HOURS:g} h; only its last "
    f"{MAX_WINDOW_HOURS:g} h were used to group rows into waves.",
}
WAVE_TABLE_COLUMNS = (
    "date",
    "start",
    "end",
    "time_known",
    "drones_launched",
    "drones_destroyed",
    "missiles_launched",
    "missiles_destroyed",
)


class NotBuiltError(AnalysisError):
    """No processed tables to read: the build stage has not been run for that release."""


@dataclass(frozen=True, eq=False)
class Processed:
    """The processed tables of one release, as one scope counts them.

    ``strikes`` and ``waves`` hold what ``scope`` counts (:mod:`analysis.data.scope`);
    ``every_strikes`` holds every reporter's rows, for comparing the scopes; ``quality`` is
    the build's record of the whole release.
    """

    release: str
    strikes: pd.DataFrame
    waves: pd.DataFrame
    quality: dict
    scope: str = ALL_SCOPE
    every_strikes: pd.DataFrame | None = None

    @property
    def all_strikes(self) -> pd.DataFrame:
        """Every reporter's strike rows, whatever the scope."""
        return self.strikes if self.every_strikes is None else self.every_strikes

    @property
    def first_date(self) -> dt.date:
        """First Kyiv date (report end date) in the data."""
        return dt.date.fromisoformat(self.quality["first_date"])

    @property
    def last_date(self) -> dt.date:
        """Last Kyiv date (report end date) in the data."""
        return dt.date.fromisoformat(self.quality["last_date"])


@dataclass(frozen=True)
class Period:
    """Validated report parameters: a release and an optional inclusive date range."""

    release: str
    start: dt.date | None
    end: dt.date | None
    data_first: dt.date | None = None
    data_last: dt.date | None = None
    scope: str = DEFAULT_SCOPE

    def describe(self) -> str:
        """One line naming the release, the dates shown and whose counts, for the heading, in
        a reader's words (``Data release of 5 Apr 2026; the whole record, 28 Sep 2022 to ...``)."""
        first = self.start or self.data_first
        last = self.end or self.data_last
        span = "the whole record" if self.start is None and self.end is None else "the period"
        if first and last:
            span += f", {day_label(first)} to {day_label(last)}"
        release = day_label(self.release) if RELEASE.fullmatch(self.release) else self.release
        return (
            f"Data release of {release}; {span} (Kyiv dates); counts of {scope_label(self.scope)}."
        )


def processed_folder(
    processed_dir: str | Path | None = None, root: str | Path | None = None
) -> Path:
    """The folder of processed releases: ``processed_dir`` when given, else ``data/processed``
    of the project in ``root`` (None: this checkout), so that ``--root`` reaches notebooks."""
    if processed_dir is not None:
        return Path(processed_dir)
    return ProjectPaths.at(root).processed


def available_releases(processed_dir: Path | None = None) -> list[str]:
    """Releases (``YYYY-MM-DD`` folders) that hold all processed tables, oldest first."""
    root = processed_folder(processed_dir)
    if not root.is_dir():
        return []
    return sorted(
        p.name
        for p in root.iterdir()
        if p.is_dir() and RELEASE.fullmatch(p.name) and all((p / f).is_file() for f in OUTPUT_FILES)
    )


def _read_quality(folder: Path) -> dict:
    return json.loads((folder / "quality.json").read_text(encoding="utf-8"))


def data_span(
    release: str | None, processed_dir: Path | None = None
) -> tuple[dt.date | None, dt.date | None]:
    """First and last Kyiv date of a built release (None = newest); (None, None) if not built."""
    releases = available_releases(processed_dir)
    chosen = release if release is not None else (releases[-1] if releases else None)
    if chosen not in releases:
        return None, None
    quality = _read_quality(processed_folder(processed_dir) / chosen)
    return (
        dt.date.fromisoformat(quality["first_date"]),
        dt.date.fromisoformat(quality["last_date"]),
    )


def load_processed(
    release: str | None, processed_dir: Path | None = None, scope: str = DEFAULT_SCOPE
) -> Processed:
    """Read the processed tables of ``release`` (None = newest built release), as ``scope``
    counts them (default: the national summary alone)."""
    check_scope(scope)
    root = processed_folder(processed_dir)
    releases = available_releases(root)
    if not releases:
        raise NotBuiltError(
            f"no processed tables under {root}; run `python -m analysis build` first"
        )
    chosen = releases[-1] if release is None else release
    if chosen not in releases:
        raise NotBuiltError(
            f"release {chosen} is not built under {root} (built: {', '.join(releases)}); "
            f"run `python -m analysis build --release {chosen}`"
        )
    folder = root / chosen
    strikes = pd.read_parquet(folder / "strikes.parquet")
    waves = pd.read_parquet(folder / "waves.parquet")
    if scope != ALL_SCOPE and "reporter" not in strikes.columns:
        raise NotBuiltError(
            f"release {chosen} under {root} was built without reporters, so scope {scope!r} "
            f"cannot be applied; run `python -m analysis build --release {chosen} --force`"
        )
    return Processed(
        release=chosen,
        strikes=in_scope(strikes, scope).reset_index(drop=True),
        waves=scoped_waves(strikes, waves, scope),
        quality=_read_quality(folder),
        scope=scope,
        every_strikes=strikes,
    )


def validate_parameters(
    release: str | None,
    start: DateLike,
    end: DateLike,
    available_releases: Sequence[str],
    data_first: DateLike = None,
    data_last: DateLike = None,
    scope: str = DEFAULT_SCOPE,
) -> Period:
    """Check the report parameters; raise ``ValueError`` naming the first bad one.

    ``release`` None means the newest of ``available_releases``. ``data_first``/``data_last``
    are the dates the chosen release covers; when None the range check is skipped.
    """
    releases = sorted(available_releases)
    if release is None:
        if not releases:
            raise ValueError(
                "release: no processed release is available; run `python -m analysis build`"
            )
        release = releases[-1]
    elif not isinstance(release, str) or release not in releases:
        built = ", ".join(releases) or "none"
        raise ValueError(
            f"release {release!r} is not a built release (built: {built}); "
            "run `python -m analysis build --release <date>` or pick one of those"
        )
    first, last = parse_date(start, "start"), parse_date(end, "end")
    if first and last and last < first:
        raise ValueError(f"end {last} is before start {first}")
    lo, hi = parse_date(data_first, "data_first"), parse_date(data_last, "data_last")
    for name, day in (("start", first), ("end", last)):
        if day is not None and lo is not None and hi is not None and not lo <= day <= hi:
            raise ValueError(
                f"{name} {day} is outside the data of release {release} ({lo} to {hi})"
            )
    return Period(release, first, last, lo, hi, check_scope(scope))


def filter_period(df: pd.DataFrame, column: str, start: DateLike, end: DateLike) -> pd.DataFrame:
    """Rows whose ``column`` falls on a Kyiv date in ``[start, end]``; None leaves a side open."""
    first, last = parse_date(start, "start"), parse_date(end, "end")
    days = kyiv_dates(df[column])
    keep = pd.Series(True, index=df.index)
    if first is not None:
        keep &= days >= first
    if last is not None:
        keep &= days <= last
    return df.loc[keep.astype(bool)]


def monthly_by_class(strikes: pd.DataFrame) -> pd.DataFrame:
    """Tidy ``month, weapon_class, rows, launched`` over every month and class (zeros filled).

    ``month`` is the first day of the Kyiv calendar month of each row's ``end_date``; the
    months run without gaps from the first to the last month in ``strikes``.
    """
    extra = sorted(set(strikes["weapon_class"].dropna()) - set(WEAPON_CLASSES))
    classes = list(WEAPON_CLASSES) + extra
    columns = ["month", "weapon_class", "rows", "launched"]
    if strikes.empty:
        return pd.DataFrame(
            {
                c: pd.Series(dtype=t)
                for c, t in zip(
                    columns, ("datetime64[ns]", "object", "int64", "int64"), strict=True
                )
            }
        )
    month = pd.to_datetime(kyiv_dates(strikes["end_date"])).dt.to_period("M")
    frame = pd.DataFrame(
        {
            "month": month,
            "weapon_class": strikes["weapon_class"].to_numpy(),
            "launched": strikes["launched"].astype("Float64").fillna(0).to_numpy(),
        }
    )
    counts = frame.groupby(["month", "weapon_class"]).agg(
        rows=("launched", "size"), launched=("launched", "sum")
    )
    grid = pd.MultiIndex.from_product(
        [pd.period_range(month.min(), month.max(), freq="M"), classes],
        names=["month", "weapon_class"],
    )
    out = counts.reindex(grid, fill_value=0).reset_index()
    out["month"] = out["month"].dt.to_timestamp()
    out["rows"] = out["rows"].astype("int64")
    out["launched"] = out["launched"].astype("int64")
    return out.loc[:, columns]


def class_totals(monthly: pd.DataFrame) -> pd.DataFrame:
    """Rows and launches per weapon class over the whole of ``monthly`` (classes with rows)."""
    totals = monthly.groupby("weapon_class", sort=False)[["rows", "launched"]].sum()
    totals = totals[totals["rows"] > 0]
    totals.insert(0, "description", [CLASS_LABELS.get(c, c) for c in totals.index])
    return totals


def launches_pivot(monthly: pd.DataFrame, incomplete: Iterable[pd.Timestamp] = ()) -> pd.DataFrame:
    """Launches per month (rows, ``YYYY-MM``) and class (columns with any launches) + total.

    The months in ``incomplete`` (:func:`analysis.data.gaps.possibly_incomplete`) are marked
    ``*`` (:func:`analysis.data.gaps.mark_months`), so that a low total is read with care.
    """
    wide = monthly.pivot_table(
        index="month", columns="weapon_class", values="launched", aggfunc="sum", sort=False
    )
    wide = wide.loc[:, wide.sum() > 0].astype("int64")
    wide["total"] = wide.sum(axis=1)
    wide.index = pd.DatetimeIndex(wide.index).strftime(MONTH_FORMAT)
    wide.index.name = "month"
    wide.columns.name = None
    return mark_months(wide, incomplete)


def _by_size(waves: pd.DataFrame, by: str) -> pd.DataFrame:
    """The waves with any ``by``, biggest first (ties: the earlier start first)."""
    if by not in waves.columns:
        raise ValueError(f"by {by!r} is not a column of the waves table")
    chosen = waves[waves[by] > 0]
    return chosen.sort_values([by, "start"], ascending=[False, True], kind="stable")


def largest_wave(waves: pd.DataFrame, by: str = "drones_launched") -> pd.Series | None:
    """The wave with the most ``by`` (ties: the earlier start), or None when no wave has any."""
    ranked = _by_size(waves, by)
    return None if ranked.empty else ranked.iloc[0]


def biggest_waves(waves: pd.DataFrame, n: int = 10, by: str = "drones_launched") -> pd.DataFrame:
    """The ``n`` waves with the most ``by`` (waves with none left out), biggest first.

    ``start``/``end`` are shown as Kyiv local times (midnight-to-midnight when ``time_known``
    is False: the reports gave dates only); the index is the rank (1 = biggest).
    """
    top = _by_size(waves, by).head(n).loc[:, list(WAVE_TABLE_COLUMNS)].reset_index(drop=True)
    for column in ("start", "end"):
        if isinstance(top[column].dtype, pd.DatetimeTZDtype):
            top[column] = top[column].dt.tz_convert(KYIV).dt.tz_localize(None)
    top.index = pd.RangeIndex(1, len(top) + 1, name="rank")
    return top


def quality_table(quality: dict) -> pd.DataFrame:
    """``flag, count, meaning`` for every known flag (count 0 when absent) and any other flag."""
    flags = quality.get("flags", {})
    names = list(FLAG_MEANINGS) + sorted(set(flags) - set(FLAG_MEANINGS))
    return pd.DataFrame(
        {
            "flag": names,
            "count": [int(flags.get(name, {}).get("count", 0)) for name in names],
            "meaning": [FLAG_MEANINGS.get(name, "(no description yet)") for name in names],
        }
    )


def provenance_table(data: Processed) -> pd.DataFrame:
    """Where the tables come from: release, input files with sha256, rows read and written."""
    q = data.quality
    items: list[tuple[str, str]] = [
        ("release", data.release),
        ("dataset", DATASET_NAME),
    ]
    items += [(f"{name} sha256", info["sha256"]) for name, info in q.get("inputs", {}).items()]
    items += [
        ("raw rows read", f"{q['rows_read']:,}"),
        ("strike rows written", f"{q['strike_rows']:,}"),
        ("waves", f"{q['waves']:,} ({q['timed_waves']:,} with known times)"),
        (
            "launches, raw = processed",
            f"{q['launched_total_raw']:,} = {q['launched_total_processed']:,}",
        ),
        ("dates covered (Kyiv)", f"{q['first_date']} to {q['last_date']}"),
    ]
    return pd.DataFrame(items, columns=["item", "value"]).set_index("item")


def unmapped_models(data: Processed) -> list[str]:
    """Weapon names with no class: from the build log and re-checked on the strikes table."""
    in_table = {
        p
        for m in data.strikes["model"].dropna().unique()
        for p in split_model(m)
        if lookup_weapon(p) is None
    }
    return sorted(set(data.quality.get("unmapped_models", [])) | in_table)


def describe_unmapped(models: Sequence[str]) -> str:
    """A sentence for the report: the unmapped names, or that there are none."""
    if not models:
        return "None: every weapon name in this release maps to a weapon class."
    return f"{len(models)} unmapped: " + ", ".join(models)
