"""Tables as a reader sees them: display names, no index, thousands separators, readable
dates, a dash for a missing value, long tables collapsed, and a link to the saved CSV.

pandas' own HTML shows the index, snake_case names, ``NaT``, ``<NA>`` and long decimals, and
its ``Styler`` does not escape text. A :class:`ReaderTable` is plain HTML built here from
escaped parts, so a text cell that came from a data file can never become markup. The CSV that
:meth:`analysis.results.Publisher.table` saves is left as it was: machine-readable, full
precision, original column names.

Dates are written for people ("7 Sep 2025", "Sep 2025") inside ``<time>`` elements that keep
the ISO date for machines. The table sits in its own horizontally scrolling box, so a wide
table never makes a phone's page scroll sideways.
"""

from __future__ import annotations

import datetime as dt
import html
import numbers
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.results import Publisher

#: Shown for a missing value (NaN, None, NaT, pd.NA, or a text that only says "missing").
MISSING = "–"
#: Texts that stand for a missing value in tables that were formatted before display.
_MISSING_TEXT = frozenset({"", "nan", "NaN", "NaT", "<NA>", "None", "n/a", "N/A", "—", "–"})
#: Background of a shaded row (a row to read with caution, e.g. an unverified source).
SHADE_COLOUR = "#fff3cd"
_ABBREVIATIONS = {"ci": "CI", "id": "ID"}
_IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")
_IDENTIFIERS = re.compile(rf"{_IDENTIFIER.pattern}(?:, {_IDENTIFIER.pattern})*")
_DATE = r"\d{4}-\d{2}(?:-\d{2})?"
#: A date label as the package writes them: ``2025-05``, ``2025-05 (part)*``, ``2024-07 *``,
#: ``2025-01-06 to 2025-02-03``.
_DATE_LABEL = re.compile(rf"({_DATE})(?: to ({_DATE}))?((?: \(part\))? ?\*?)")
_NUMBER_TEXT = re.compile(r"[<>≤≥]?\s?[+\-−]?\d[\d,]*(?:\.\d+)?\s?%?")
#: The tables' look, repeated with each table so that it holds in Jupyter and in the exported
#: HTML alike (specific enough to win over JupyterLab's right-aligned cells); numbers
#: right-aligned, text left-aligned, a thin rule under the header.
_STYLE = (
    "<style>"
    ".reader-table table.reader-table-grid{border-collapse:collapse;margin:0;}"
    ".reader-table table.reader-table-grid th,.reader-table table.reader-table-grid td"
    "{padding:0.3em 0.6em;vertical-align:top;text-align:left;}"
    ".reader-table table.reader-table-grid thead th{border-bottom:1px solid #9e9e9e;}"
    ".reader-table table.reader-table-grid .num"
    "{text-align:right;font-variant-numeric:tabular-nums;}"
    ".reader-table table.reader-table-grid .nowrap{white-space:nowrap;}"
    ".reader-table figcaption{font-weight:600;margin:0 0 0.4em 0;}"
    ".reader-table details{margin-top:0.3em;}"
    "</style>"
)


@dataclass(frozen=True)
class ReaderTable:
    """A table ready for a reader: its HTML, the number of data rows and the CSV it links.

    ``display(table)`` shows it in Jupyter and in the exported HTML (``_repr_html_``).
    """

    html: str = field(repr=False)
    rows: int
    columns: tuple[str, ...]
    csv: str | None = None

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        rows = f"{self.rows:,} row" + ("" if self.rows == 1 else "s")
        return f"table of {rows}: {', '.join(self.columns)}"


def csv_name(pub: Publisher, name: str) -> str:
    """The file name :meth:`Publisher.table` writes for ``name``, for a link beside the HTML."""
    return f"{pub.notebook}__{name}.csv"


def display_name(name: object) -> str:
    """A column name for a reader: snake_case becomes sentence case (``launched_pct`` ->
    ``Launched (%)``, ``ci_low`` -> ``CI low``); a readable name keeps its words, with a
    capital first letter unless its first word is a single letter (``p``)."""
    text = str(name).strip()
    if "_" in text and " " not in text:
        words = [w for w in text.split("_") if w]
        suffix = " (%)" if words and words[-1] == "pct" else ""
        words = words[:-1] if suffix else words
        text = " ".join(_ABBREVIATIONS.get(w, w) for w in words) + suffix
    first = text.split(" ", 1)[0]
    if len(first) > 1 and text[:1].islower():
        text = text[:1].upper() + text[1:]
    return text


# --- values ----------------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip() in _MISSING_TEXT
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array in a cell
        return False


def _present(values: pd.Series) -> list:
    return [v for v in values if not _missing(v)]


def _all(
    values: pd.Series,
    kind: type | tuple[type, ...],
    *,
    but: type | tuple[type, ...] | None = None,
) -> bool:
    present = _present(values)
    return bool(present) and all(
        isinstance(v, kind) and not (but is not None and isinstance(v, but)) for v in present
    )


def _kind(values: pd.Series) -> str:
    """``bool``, ``date``, ``int``, ``float`` or ``text``, from the dtype or, for an object
    column, from every value present."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or _all(values, (bool, np.bool_)):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(dtype) or isinstance(dtype, pd.PeriodDtype):
        return "date"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if _all(values, (dt.date, pd.Timestamp)):
        return "date"
    if _all(values, numbers.Integral, but=(bool, np.bool_)):
        return "int"
    if _all(values, numbers.Real, but=(bool, np.bool_)):
        return "float"
    return "text"


def _number(value: float, digits: int, *, signed: bool, suffix: str = "") -> str:
    text = f"{value:,.{digits}f}"
    if set(text.lstrip("-")) <= set("0.,"):  # rounds to zero: no sign, no "-0.0"
        text = text.lstrip("-")
    elif signed and value > 0:
        text = "+" + text
    return text + suffix


def _time(iso: str, text: str) -> str:
    return f'<time datetime="{html.escape(iso)}">{html.escape(text)}</time>'


def _timestamps(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.PeriodDtype):
        return values.dt.to_timestamp()
    return pd.Series(
        [pd.NaT if _missing(v) else pd.Timestamp(v) for v in values], index=values.index
    )


def _dates(values: pd.Series) -> list[str]:
    """Month starts as ``Sep 2025``, days as ``7 Sep 2025``, times as ``7 Sep 2025 17:30``."""
    stamps = _timestamps(values)
    present = stamps.dropna()
    midnight = all(t == t.normalize() for t in present)
    months = midnight and all(t.day == 1 for t in present)
    out = []
    for t in stamps:
        if pd.isna(t):
            out.append(MISSING)
        elif months:
            out.append(_time(f"{t:%Y-%m}", f"{t:%b %Y}"))
        elif midnight:
            out.append(_time(f"{t:%Y-%m-%d}", f"{t.day} {t:%b %Y}"))
        else:
            out.append(_time(f"{t:%Y-%m-%dT%H:%M}", f"{t.day} {t:%b %Y %H:%M}"))
    return out


def _date_text(text: str) -> str | None:
    """A ``YYYY-MM`` or ``YYYY-MM-DD`` text as a ``<time>`` element; None when not a date."""
    try:
        if len(text) == 7:
            t = pd.Timestamp(dt.datetime.strptime(text, "%Y-%m"))
            return _time(text, f"{t:%b %Y}")
        t = pd.Timestamp(dt.date.fromisoformat(text))
    except ValueError:
        return None
    return _time(text, f"{t.day} {t:%b %Y}")


def _date_label(text: str) -> str | None:
    """A date label (``2025-05 (part)*``, ``2025-01-06 to 2025-02-03``) with readable dates;
    None when ``text`` is not one."""
    match = _DATE_LABEL.fullmatch(text.strip())
    if match is None:
        return None
    first, last, mark = match.groups()
    parts = [_date_text(first)] + ([_date_text(last)] if last else [])
    if any(p is None for p in parts):
        return None
    return " to ".join(p for p in parts if p) + html.escape(mark)


def _words(text: str) -> str:
    """A cell that is only snake_case identifiers (``strike_drone``, ``a_b, c_d``) in words."""
    if not _IDENTIFIERS.fullmatch(text):
        return text
    words = text.replace("_", " ")
    return words[:1].upper() + words[1:] if "," not in text else words


def _texts(values: pd.Series) -> tuple[list[str], bool]:
    """Escaped texts; a column of date labels with readable dates. Also whether every text
    present reads as a number (and so is right-aligned)."""
    present = [str(v) for v in _present(values)]
    labels = {t: _date_label(t) for t in present}
    dated = bool(present) and all(labels.values())
    out = []
    for v in values:
        if _missing(v):
            out.append(MISSING)
        elif dated:
            out.append(str(labels[str(v)]))
        else:
            out.append(html.escape(_words(str(v))))
    numeric = bool(present) and all(_NUMBER_TEXT.fullmatch(t.strip()) for t in present)
    return out, numeric


# --- columns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Options:
    percent: frozenset[str]
    shares: frozenset[str]
    signed: frozenset[str]
    decimals: Mapping[str, int]
    digits: int = 1  # of a float that ``decimals`` does not name (a percentage: 1)


@dataclass(frozen=True)
class _Column:
    header: str
    cells: list[str]
    right: bool
    nowrap: bool


def _numbers(values: pd.Series, name: str, kind: str, options: _Options) -> list[str]:
    scale, suffix = 1.0, ""
    if name in options.shares:
        scale, suffix = 100.0, "%"
    elif name in options.percent:
        suffix = "%"
    default = 1 if suffix else 0 if kind == "int" else options.digits
    digits = options.decimals.get(name, default)
    plain_year = kind == "int" and not suffix and re.fullmatch(r"(.*[ _])?year", name.lower())
    signed = name in options.signed

    def one(v: Any) -> str:
        if _missing(v):
            return MISSING
        if plain_year:
            return str(int(v))
        return _number(float(v) * scale, digits, signed=signed, suffix=suffix)

    return [one(v) for v in values]


def _column(values: pd.Series, name: str, options: _Options) -> _Column:
    kind = _kind(values)
    if kind == "bool":
        cells = [MISSING if _missing(v) else "yes" if v else "no" for v in values]
        return _Column(name, cells, right=False, nowrap=True)
    if kind == "date":
        return _Column(name, _dates(values), right=False, nowrap=True)
    if kind in ("int", "float"):
        return _Column(name, _numbers(values, name, kind, options), right=True, nowrap=True)
    cells, numeric = _texts(values)
    dated = any(c.startswith("<time") for c in cells)
    return _Column(name, cells, right=numeric, nowrap=numeric or dated)


def _labelled(values: pd.Series, mapping: Mapping[Any, str] | None) -> pd.Series:
    """``values`` with those in ``mapping`` replaced by their display text."""
    if not mapping:
        return values
    return values.map(lambda v: mapping.get(v, v) if isinstance(v, Hashable) else v)


def _linked(column: _Column, urls: pd.Series | None, header: str) -> _Column:
    """``column`` under ``header``, each cell a link to the address beside it in ``urls``."""
    cells = column.cells
    if urls is not None:
        cells = [c if c == MISSING else _link(c, u) for c, u in zip(cells, urls, strict=True)]
    return _Column(header, cells, column.right, column.nowrap)


def _link(text: str, url: Any) -> str:
    """``text`` (already escaped) as a link to ``url`` when it is an http(s) address."""
    address = "" if _missing(url) else str(url).strip()
    if not address.lower().startswith(("http://", "https://")):
        return text
    return (
        f'<a href="{html.escape(address, quote=True)}" target="_blank" '
        f'rel="noopener noreferrer">{text}</a>'
    )


def _flat(name: object) -> str:
    if isinstance(name, tuple):
        return ", ".join(str(n) for n in name if str(n))
    return str(name)


def _with_index(df: pd.DataFrame, index: bool | None) -> pd.DataFrame:
    """``df`` with its index as first column(s) when it carries meaning (a name, or labels
    other than 0, 1, 2, ...) or ``index`` is True; without it otherwise."""
    default = isinstance(df.index, pd.RangeIndex) and df.index.start == 0 and df.index.step == 1
    keep = index if index is not None else not (default and df.index.name is None)
    if not keep:
        return df.reset_index(drop=True)
    names = ["" if n is None else n for n in df.index.names]
    return df.rename_axis(names if len(names) > 1 else names[0]).reset_index()


# --- HTML ------------------------------------------------------------------------------------


def _cell(tag: str, content: str, column: _Column) -> str:
    wrap = column.nowrap and tag == "td"  # headers may wrap, values do not
    classes = " ".join(name for name, on in (("num", column.right), ("nowrap", wrap)) if on)
    scope = ' scope="col"' if tag == "th" else ""
    kind = f' class="{classes}"' if classes else ""
    return f"<{tag}{scope}{kind}>{content}</{tag}>"


def _table(columns: Sequence[_Column], rows: Sequence[int], shade: Sequence[bool]) -> str:
    head = "".join(_cell("th", html.escape(c.header), c) for c in columns)
    body = []
    for i in rows:
        shaded = f' class="shaded" style="background-color:{SHADE_COLOUR};"' if shade[i] else ""
        cells = "".join(_cell("td", c.cells[i], c) for c in columns)
        body.append(f"<tr{shaded}>{cells}</tr>")
    return (
        '<div class="reader-table-scroll" style="overflow-x:auto;max-width:100%;">'
        f'<table class="reader-table-grid"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _html(
    columns: Sequence[_Column],
    n: int,
    shade: Sequence[bool],
    *,
    caption: str,
    csv: str | None,
    max_rows: int | None,
) -> str:
    parts = [f'<figure class="reader-table" style="margin:0.5em 0 1.2em 0;">{_STYLE}']
    if caption:
        parts.append(f"<figcaption>{html.escape(caption)}</figcaption>")
    shown = n if max_rows is None else min(n, max_rows)
    parts.append(_table(columns, range(shown), shade))
    if shown < n:
        parts.append(
            f'<details class="reader-table-more"><summary>Show all {n:,} rows</summary>'
            f"{_table(columns, range(shown, n), shade)}</details>"
        )
    if csv:
        parts.append(
            '<p class="reader-table-download" style="margin:0.3em 0 0 0;">'
            f'<a href="{html.escape(csv, quote=True)}" download>Download CSV</a></p>'
        )
    parts.append("</figure>")
    return "".join(parts)


# --- the public functions --------------------------------------------------------------------


def display_table(
    df: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    percent: Sequence[str] = (),
    shares: Sequence[str] = (),
    signed: Sequence[str] = (),
    decimals: Mapping[str, int] | int | None = None,
    labels: Mapping[str, Mapping[Any, str]] | None = None,
    links: Mapping[str, str] | None = None,
    hide: Sequence[str] = (),
    shade: Sequence[bool] | None = None,
    index: bool | None = None,
    csv: str | None = None,
    caption: str = "",
    max_rows: int | None = 12,
) -> ReaderTable:
    """``df`` as a table for a reader.

    - Headers: ``columns`` maps a column to its display name; any other name goes through
      :func:`display_name`. A meaningful index (named, or not 0, 1, 2, ...) becomes the first
      column; ``index`` True or False forces it in or out.
    - Numbers are right-aligned: integers with thousands separators (``54,702``; a column
      named ``year`` without), floats with one decimal unless ``decimals`` says otherwise
      (a mapping of columns to digits, or one number of digits for every float column
      that is not a percentage).
      ``percent`` columns hold percentages (0-100) and ``shares`` columns fractions (0-1):
      both are shown with a % sign and one decimal (or their ``decimals``). ``signed``
      columns show a + before a positive number.
    - Dates and timestamps read ``7 Sep 2025`` (``Sep 2025`` when every value is a month
      start; with the time when one is not midnight); so do text columns of ISO dates or
      month labels (``2025-05 (part)*``). Booleans read yes/no; a missing value (NaN, None,
      NaT, pd.NA, or a text such as "nan" or "n/a") reads "–".
    - Text is HTML-escaped; a cell that is only snake_case identifiers is written in words.
      ``labels`` maps the values of a column to display text first. ``links`` maps a text
      column to a column of http(s) addresses: the text becomes a link and the address
      column is not shown. ``hide`` leaves columns out; ``shade`` (one flag per row) shades
      rows to read with caution.
    - A table longer than ``max_rows`` shows its first ``max_rows`` rows and the rest inside
      a collapsed "Show all N rows" block (None: never collapsed). ``caption`` goes above,
      a "Download CSV" link to ``csv`` (a file name beside the page) below.

    Columns named in an option but absent from ``df`` are ignored, so one call serves a table
    whose columns vary with the notebook's parameters.
    """
    frame = _with_index(df, index)
    frame.columns = [_flat(c) for c in frame.columns]
    rows = len(frame)
    shade = [False] * rows if shade is None else [bool(s) for s in shade]
    if len(shade) != rows:
        raise ValueError(f"shade has {len(shade)} flags for {rows} rows")
    links = {t: u for t, u in (links or {}).items() if t in frame and u in frame}
    skipped = set(hide) | set(links.values())
    digits, named = (decimals, {}) if isinstance(decimals, int) else (1, dict(decimals or {}))
    options = _Options(frozenset(percent), frozenset(shares), frozenset(signed), named, digits)
    built = [
        _linked(
            _column(_labelled(frame.iloc[:, i], (labels or {}).get(name)), name, options),
            frame[links[name]] if name in links else None,
            (columns or {}).get(name, display_name(name)),
        )
        for i, name in enumerate(frame.columns)
        if name not in skipped
    ]
    body = _html(built, rows, shade, caption=caption, csv=csv, max_rows=max_rows)
    return ReaderTable(body, rows, tuple(c.header for c in built), csv)


def publish_table(
    pub: Publisher,
    df: pd.DataFrame,
    name: str,
    caption: str = "",
    *,
    show_caption: bool = True,
    **options: Any,
) -> ReaderTable:
    """Save ``df`` as ``name`` through ``pub`` (the CSV as it is, machine-readable) and
    return it for a reader with a link to that CSV and its caption above (``show_caption``
    False: recorded with the CSV only, where the page already introduces the table);
    ``options`` are those of :func:`display_table`."""
    pub.table(df, name, caption)
    shown = caption if show_caption else ""
    return display_table(df, csv=csv_name(pub, name), caption=shown, **options)


def reader_items(items: Sequence[Any], csvs: Sequence[str | None] = (), **options: Any) -> list:
    """``items`` (Markdown, figures, tables) with each DataFrame shown through
    :func:`display_table`, the n-th with the n-th CSV of ``csvs`` (for sections built
    elsewhere that save and return their tables)."""
    names = iter(csvs)
    return [
        display_table(item, csv=next(names, None), **options)
        if isinstance(item, pd.DataFrame)
        else item
        for item in items
    ]


__all__ = [
    "MISSING",
    "ReaderTable",
    "csv_name",
    "display_name",
    "display_table",
    "publish_table",
    "reader_items",
]
