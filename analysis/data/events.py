"""The partnership event timeline (``data/raw/partnership_events.csv``), read and validated.

The table is authored by the project: one row per publicly reported event in the Iran and
North Korea supply partnerships, each with a public source. It is validated like the strike
data: a bad row fails with a message naming the file, the column, the row and why.

Each event has two names: ``event_id``, the stable key that parameters, grids and saved tables
refer to, and ``label``, the few plain words a reader sees in charts, tables and sentences
("First North Korean missiles used"). Code matches on the key and shows the label.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.data.rawschema import read_text_table, today_in_kyiv, validate
from analysis.params import EVENT_ID_PATTERN
from analysis.paths import ProjectPaths
from analysis.vocabulary import WEAPON_CLASSES

EVENTS_FILE = "partnership_events.csv"
PARTNERS = ("iran", "north_korea")
EVENT_TYPES = ("statement", "agreement", "delivery", "first_use", "production", "deployment")
PRECISIONS = ("day", "month")
#: ``checked``: the source's text was read and supports the row; ``unverified``: the source
#: could not be read when the row was written (kept, and flagged in every output).
VERIFICATION = ("checked", "unverified")
EVENT_COLUMNS = (
    "event_id",
    "label",
    "date",
    "date_precision",
    "partner",
    "event_type",
    "weapon_class",
    "description",
    "source_org",
    "source_title",
    "source_url",
    "verification",
    "note",
)
_REQUIRED_TEXT = ("description", "source_org", "source_title", "source_url")
# Both matched in full (``fullmatch``): ``^...$`` would also accept a trailing newline.
_SLUG = EVENT_ID_PATTERN
_URL = r"https?://\S+"
#: The longest label accepted; the committed labels stay near 40 characters so that they fit
#: a chart on a phone.
LABEL_MAX_CHARS = 60
_ONE_LINE = r"\S(?:.*\S)?"
#: A label that is really a key or a code: a slug, snake_case, or an upper-case code.
_CODE_LOOK = r"[a-z0-9]+(?:-[a-z0-9]+)*|.*_.*|[A-Z0-9]+(?:-[A-Z0-9]+)+"
#: Sentence case: the label starts with a capital letter or a figure ("6,000 workers ...").
_SENTENCE_START = r"[A-Z0-9]"


def _one_of(values: tuple[str, ...], what: str) -> pa.Check:
    allowed = ", ".join(values)
    return pa.Check(lambda s: s.isin(values), error=f"unknown {what} (allowed: {allowed})")


def _filled(values: pd.Series) -> pd.Series:
    return values.str.strip() != ""


def _iso_date(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format="%Y-%m-%d", errors="coerce").notna()


def _label_checks() -> list[pa.Check]:
    """The checks of ``label``: filled, one line, short, plain words, unique."""

    def blank(s: pd.Series) -> pd.Series:
        return s.str.strip() == ""

    return [
        pa.Check(_filled, error="missing label (every event needs a short plain label)"),
        pa.Check(
            lambda s: blank(s) | s.str.fullmatch(_ONE_LINE),
            error="label has a line break or spaces at its ends",
        ),
        pa.Check(
            lambda s: s.str.len() <= LABEL_MAX_CHARS,
            error=f"label longer than {LABEL_MAX_CHARS} characters",
        ),
        pa.Check(
            lambda s: blank(s) | (~s.str.fullmatch(_CODE_LOOK) & s.str.match(_SENTENCE_START)),
            error="label looks like a key or code (write a few plain words in sentence case)",
        ),
        pa.Check(
            lambda s: blank(s) | ~s.str.strip().str.casefold().duplicated(keep=False),
            error="duplicate label",
        ),
    ]


def events_schema(today: dt.date) -> pa.DataFrameSchema:
    """Declared schema of the event timeline, read as text."""

    def not_future(values: pd.Series) -> pd.Series:
        days = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
        return days.isna() | (days.dt.date <= today)

    def month_on_first(df: pd.DataFrame) -> pd.Series:
        return (df["date_precision"] != "month") | df["date"].astype("string").str.endswith("-01")

    text = {
        c: pa.Column(str, pa.Check(_filled, error="missing (every row needs a source)"))
        for c in _REQUIRED_TEXT
    }
    text["description"] = pa.Column(str, pa.Check(_filled, error="missing description"))
    return pa.DataFrameSchema(
        {
            "event_id": pa.Column(
                str,
                [
                    pa.Check(_filled, error="missing event_id"),
                    pa.Check(
                        lambda s: (s == "") | s.str.fullmatch(_SLUG),
                        error="event_id is not a lower-case slug (a-z, 0-9, -)",
                    ),
                    pa.Check(lambda s: ~s.duplicated(keep=False), error="duplicate event_id"),
                ],
            ),
            "label": pa.Column(str, _label_checks()),
            "date": pa.Column(
                str,
                [
                    pa.Check(_iso_date, error="bad date (expected YYYY-MM-DD)"),
                    pa.Check(not_future, error=f"date in the future (after {today})"),
                ],
            ),
            "date_precision": pa.Column(str, _one_of(PRECISIONS, "date_precision")),
            "partner": pa.Column(str, _one_of(PARTNERS, "partner")),
            "event_type": pa.Column(str, _one_of(EVENT_TYPES, "event_type")),
            "weapon_class": pa.Column(
                str,
                pa.Check(
                    lambda s: (s == "") | s.isin(WEAPON_CLASSES),
                    error="unknown weapon_class (a class from the taxonomy, or empty)",
                ),
            ),
            "source_url": pa.Column(
                str,
                [
                    pa.Check(_filled, error="missing source_url (every row needs a source)"),
                    pa.Check(
                        lambda s: (s == "") | s.str.fullmatch(_URL),
                        error="source_url is not an http(s) address",
                    ),
                ],
            ),
            **{c: v for c, v in text.items() if c != "source_url"},
            "verification": pa.Column(str, _one_of(VERIFICATION, "verification")),
        },
        checks=[pa.Check(month_on_first, error="a month-precision date must be the 1st")],
        strict=False,
    )


def events_path(root: str | Path | None = None) -> Path:
    """The timeline file of the project in ``root`` (None: this checkout)."""
    paths = ProjectPaths.at(root)
    return paths.raw / EVENTS_FILE


def read_events(
    path: Path | None = None, today: dt.date | None = None, root: str | Path | None = None
) -> pd.DataFrame:
    """The validated event timeline, sorted by date, with ``date`` as a timestamp and each
    event's ``label`` beside its ``event_id``.

    ``path`` None reads the timeline of the project in ``root`` (None: this checkout), so that
    a report made with ``--root`` reads that project's timeline.
    """
    path = Path(path) if path is not None else events_path(root)
    df = read_text_table(path, EVENT_COLUMNS)
    df = df.astype(object).where(df.notna(), "").astype(str)
    df = validate(df, events_schema(today or today_in_kyiv()), path)
    out = df.loc[:, list(EVENT_COLUMNS)].copy()
    out["date"] = pd.to_datetime(out["date"], format="%Y-%m-%d")
    return out.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)


def event_labels(events: pd.DataFrame | None) -> dict[str, str]:
    """``event_id`` -> ``label`` of a timeline (:func:`read_events`); empty without a timeline
    or when it has no ``label`` column (a hand-made table)."""
    if events is None or "label" not in events.columns:
        return {}
    return dict(zip(events["event_id"].astype(str), events["label"].astype(str), strict=True))


def event_label(event_id: str, labels: Mapping[str, str]) -> str:
    """The label of ``event_id`` in ``labels`` (:func:`event_labels`); an event without one
    (a table made by hand) is named by its id with spaces for dashes."""
    label = labels.get(event_id, "")
    return label if label.strip() else str(event_id).replace("-", " ")
