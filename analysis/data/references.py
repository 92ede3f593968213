"""Published figures to check the project's counts against, read and validated.

Two tables the project authors itself, under ``data/raw/``, each row with its source:

* ``reference_monthly_totals.csv``: monthly national totals of drones or missiles launched,
  as news agencies published them from the Air Force's reports (AFP's and ABC News's tallies of
  the morning reports, the Air Force's own monthly figures as relayed by Ukrinform, the Kyiv
  Independent or the Centre for Countering Disinformation) and, as alternates, the General
  Staff's. One row per month and group is ``primary``, chosen by a stated rule
  (:data:`PRIMARY_RULE`); the others are kept and shown beside it.
* ``reference_nights.csv``: the Air Force's figures for the nights in the report's tables of
  the largest attacks. A row may give only some of the four figures; a night may have two rows
  (launches from one source, defeated from another).

A bad row fails with a message naming the file, the column, the row and why.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.data.rawschema import read_text_table, validate
from analysis.paths import ProjectPaths

MONTHLY_FILE = "reference_monthly_totals.csv"
NIGHTS_FILE = "reference_nights.csv"
WEAPONS = ("drones", "missiles")
#: ``air_force``: the Air Force's own figure, relayed by a named outlet; ``agency_tally``: an
#: agency's sum of the Air Force's daily reports; ``general_staff``: the General Staff's
#: figure; ``president``: the President's (rounded) figure.
BASES = ("air_force", "agency_tally", "general_staff", "president")
PRIMARY_RULE = (
    "one reference per month and group: the Air Force's own monthly figure where one was "
    "found, else an agency's tally of the Air Force's daily reports (AFP, then ABC News, then "
    "Agentstvo), exact figures before rounded ones; General Staff figures are alternates"
)
YES_NO = ("yes", "no")
SOURCE_COLUMNS = ("basis", "approximate", "counts", "publisher", "published", "url", "accessed")
MONTHLY_COLUMNS = ("month", "weapon", "launched", "primary", *SOURCE_COLUMNS, "note")
NIGHT_VALUES = ("drones_launched", "drones_defeated", "missiles_launched", "missiles_defeated")
NIGHT_COLUMNS = ("date", *NIGHT_VALUES, *SOURCE_COLUMNS, "note")
_URL = r"https?://\S+"
_MAX_COUNT = 1_000_000


def _one_of(values: tuple[str, ...], what: str) -> pa.Check:
    return pa.Check(
        lambda s: s.isin(values), error=f"unknown {what} (allowed: {', '.join(values)})"
    )


def _filled(what: str) -> pa.Check:
    return pa.Check(lambda s: s.str.strip() != "", error=f"missing {what}")


def _count(optional: bool) -> pa.Check:
    def ok(values: pd.Series) -> pd.Series:
        whole = values.str.fullmatch(r"\d{1,7}")
        small = pd.to_numeric(values.where(whole), errors="coerce") <= _MAX_COUNT
        return (values == "") & optional | (whole & small)

    what = "a whole number" + (" or empty" if optional else "")
    return pa.Check(ok, error=f"not {what}")


def _iso(fmt: str, what: str, optional: bool = False) -> pa.Check:
    def ok(values: pd.Series) -> pd.Series:
        parsed = pd.to_datetime(values, format=fmt, errors="coerce").notna()
        return parsed | ((values == "") & optional)

    return pa.Check(ok, error=f"bad {what}")


def _source_columns() -> dict[str, pa.Column]:
    return {
        "basis": pa.Column(str, _one_of(BASES, "basis")),
        "approximate": pa.Column(str, _one_of(YES_NO, "approximate (yes or no)")),
        "counts": pa.Column(str, _filled("counts (what the figure counts)")),
        "publisher": pa.Column(str, _filled("publisher")),
        "published": pa.Column(str, _iso("%Y-%m-%d", "published date (YYYY-MM-DD or empty)", True)),
        "url": pa.Column(
            str,
            pa.Check(lambda s: s.str.fullmatch(_URL), error="url is not an http(s) address"),
        ),
        "accessed": pa.Column(str, _iso("%Y-%m-%d", "accessed date (YYYY-MM-DD)")),
    }


def monthly_schema() -> pa.DataFrameSchema:
    """Declared schema of the monthly reference totals, read as text."""

    def one_primary(df: pd.DataFrame) -> pd.Series:
        primaries = df[df["primary"] == "yes"].groupby(["month", "weapon"]).size()
        counts = df.set_index(["month", "weapon"]).index.map(primaries).fillna(0)
        return pd.Series(counts.to_numpy() == 1, index=df.index)

    return pa.DataFrameSchema(
        {
            "month": pa.Column(str, _iso("%Y-%m", "month (expected YYYY-MM)")),
            "weapon": pa.Column(str, _one_of(WEAPONS, "weapon")),
            "launched": pa.Column(str, _count(optional=False)),
            "primary": pa.Column(str, _one_of(YES_NO, "primary (yes or no)")),
            **_source_columns(),
        },
        checks=[pa.Check(one_primary, error="each month and weapon needs exactly one primary row")],
        strict=False,
    )


def nights_schema() -> pa.DataFrameSchema:
    """Declared schema of the nights' reference figures, read as text."""

    def some_value(df: pd.DataFrame) -> pd.Series:
        return (df[list(NIGHT_VALUES)] != "").any(axis=1)

    return pa.DataFrameSchema(
        {
            "date": pa.Column(str, _iso("%Y-%m-%d", "date (expected YYYY-MM-DD)")),
            **{c: pa.Column(str, _count(optional=True)) for c in NIGHT_VALUES},
            **_source_columns(),
        },
        checks=[pa.Check(some_value, error="a row needs at least one of the four figures")],
        strict=False,
    )


def _read(path: Path, columns: tuple[str, ...], schema: pa.DataFrameSchema) -> pd.DataFrame:
    df = read_text_table(path, columns)
    df = df.astype(object).where(df.notna(), "").astype(str)
    return validate(df, schema, path).loc[:, list(columns)].copy()


def reference_path(name: str, root: str | Path | None = None) -> Path:
    """A reference table of the project in ``root`` (None: this checkout)."""
    return ProjectPaths.at(root).raw / name


def _flags(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    return df.assign(**{c: df[c] == "yes" for c in columns})


def read_monthly_references(path: Path | None = None) -> pd.DataFrame:
    """The monthly reference totals: ``month`` (first day, timestamp), ``launched`` (int),
    ``primary`` and ``approximate`` (bool), sorted by month, group, primary first."""
    path = Path(path) if path is not None else reference_path(MONTHLY_FILE)
    df = _flags(_read(path, MONTHLY_COLUMNS, monthly_schema()), "primary", "approximate")
    df["month"] = pd.to_datetime(df["month"], format="%Y-%m")
    df["launched"] = df["launched"].astype("int64")
    order = ["month", "weapon", "primary"]
    return df.sort_values(order, ascending=[True, True, False], kind="stable").reset_index(
        drop=True
    )


def read_night_references(path: Path | None = None) -> pd.DataFrame:
    """The nights' reference figures: ``date`` (timestamp), the four figures as nullable
    integers (missing where the source gave none), ``approximate`` (bool)."""
    path = Path(path) if path is not None else reference_path(NIGHTS_FILE)
    df = _flags(_read(path, NIGHT_COLUMNS, nights_schema()), "approximate")
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    for column in NIGHT_VALUES:
        df[column] = pd.to_numeric(df[column].replace("", None)).astype("Int64")
    return df.sort_values("date", kind="stable").reset_index(drop=True)
