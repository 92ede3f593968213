"""Clean layer: one row per weapon component per source row (``strikes.parquet``)."""

from __future__ import annotations

import ast
import functools
import hashlib
import math
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.data.overlaps import flag_possible_double_counts
from analysis.data.rawschema import COUNT_COLUMNS, numbers
from analysis.data.reporters import reporter_of
from analysis.data.taxonomy import classify, lookup, split_model
from analysis.data.timeparse import parse_timestamps, window_bounds

STRIKE_COLUMNS = (
    "row_id",
    "raw_row",
    "component",
    "n_components",
    "window_start",
    "window_end",
    "end_date",
    "time_known",
    "model",
    "source_model",
    "weapon_class",
    "origin",
    "launched",
    "destroyed",
    "not_reach_goal",
    "still_attacking",
    "split",
    "destroyed_allocated",
    "launch_place",
    "target",
    "source",
    "reporter",
    "possible_double_count",
)
_NAN_TOKEN = re.compile(r"\bnan\b", re.IGNORECASE)


@dataclass
class QualityLog:
    """Row-level findings collected while cleaning; summarised into ``quality.json``."""

    flags: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, flag: str, raw_row: int, **detail) -> None:
        self.flags.setdefault(flag, []).append({"raw_row": int(raw_row), **detail})

    def add_rows(self, flag: str, raw_rows: Sequence[int], **details: Sequence) -> None:
        """Log ``flag`` for many rows at once (``details`` aligned with ``raw_rows``), in order:
        the same entries as :meth:`add` called row by row, without the per-row overhead."""
        rows = [int(r) for r in np.asarray(raw_rows).tolist()]
        if not rows:
            return
        names = list(details)
        columns = [_as_list(values) for values in details.values()]
        if not names:
            entries = [{"raw_row": r} for r in rows]
        else:
            entries = [
                {"raw_row": r, **dict(zip(names, values, strict=True))}
                for r, *values in zip(rows, *columns, strict=True)
            ]
        self.flags.setdefault(flag, []).extend(entries)


def _as_list(values: Sequence) -> list:
    """Python values of a sequence (``tolist`` where available: iterating pandas arrays one
    element at a time is slow)."""
    return values.tolist() if hasattr(values, "tolist") else list(values)


MAX_DETAIL = 1_000_000  # as the count columns' plausibility limit


def parse_details(text: object) -> dict[str, int] | None:
    """Parse a ``launched_details``-like string (``{'Kalibr': 12, ...}``) into a dict."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:  # a parser of literals: text from the data is never run as code
        value = ast.literal_eval(_NAN_TOKEN.sub("None", text.strip()))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    out = {}
    for key, number in value.items():
        if (
            isinstance(number, bool)
            or not isinstance(number, int | float)
            or not math.isfinite(number)
            or abs(number) > MAX_DETAIL
        ):
            return None
        out[str(key).strip()] = int(number)
    return out


KEY_COLUMNS = ("time_start", "time_end", "model", "source")


def _arrow_text(values: pd.Series) -> pa.ChunkedArray | None:
    """The pyarrow strings behind a text column, or None when it is not pyarrow-backed."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        return pa.chunked_array(pa.array(values.array))
    return None


def _report_keys(raw: pd.DataFrame) -> tuple[list[bytes], Any]:
    """Each row's report identity ``start|end|model|source`` (each part stripped) and the
    dtype of the text key, as UTF-8 bytes joined by pyarrow in one pass when the columns are
    pyarrow text (pandas' own ``str.strip`` and ``+`` run the same kernels, one per step)."""
    columns = [_arrow_text(raw[c]) for c in KEY_COLUMNS]
    dtype = raw[KEY_COLUMNS[0]].dtype
    if all(c is not None for c in columns) and all(raw[c].dtype == dtype for c in KEY_COLUMNS):
        *parts, source = (pc.cast(c, pa.large_string()) for c in columns)
        parts.append(pc.fill_null(source, ""))
        trimmed = [pc.utf8_trim_whitespace(part) for part in parts]
        key = pc.binary_join_element_wise(*trimmed, pa.scalar("|", pa.large_string()))
        return pc.cast(key, pa.large_binary()).to_pylist(), dtype
    key = (
        raw["time_start"].str.strip()
        + "|"
        + raw["time_end"].str.strip()
        + "|"
        + raw["model"].str.strip()
        + "|"
        + raw["source"].fillna("").str.strip()
    )
    # The dtype ``key.map`` would give: a nullable text key keeps its dtype, others infer.
    keep = key.dtype if isinstance(key.dtype, pd.StringDtype) else None
    return [k.encode("utf-8") for k in key.tolist()], keep


def row_ids(raw: pd.DataFrame) -> pd.Series:
    """Stable id per source row from its report identity, so it survives new releases.

    Rows that share start, end, model and source get an occurrence suffix (see
    :func:`occurrence`).
    """
    keys, keep = _report_keys(raw)
    sha1 = hashlib.sha1
    ids = [sha1(k).hexdigest()[:12] for k in keys]
    seen = _occurrence_where_repeated(keys, ids)
    for i in np.flatnonzero(seen).tolist():  # few rows: suffixed in Python, not per column
        ids[i] = f"{ids[i]}-{seen[i]}"
    return pd.Series(ids, index=raw.index, dtype=keep)


def _occurrence_where_repeated(keys: list, digests: list[str]) -> np.ndarray:
    """:func:`occurrence` of ``keys`` (aligned with ``digests``), computed only among rows
    whose digest repeats: a digest seen once belongs to a key seen once (occurrence 0), and
    nearly every key is seen once."""
    repeated = pd.Series(digests, dtype=object).duplicated(keep=False).to_numpy()
    seen = np.zeros(len(digests), dtype=np.int64)
    if repeated.any():
        at = np.flatnonzero(repeated)
        seen[at] = occurrence(pd.Series([keys[i] for i in at], dtype=object)).to_numpy()
    return seen


def occurrence(key: pd.Series) -> pd.Series:
    """0, 1, ... among rows sharing a key, counted from the bottom of the file.

    Releases list the newest rows first and prepend new ones, so counting from the oldest row
    keeps the numbers of existing rows stable when a new release adds a row with the same key.
    """
    return key.iloc[::-1].groupby(key.iloc[::-1]).cumcount().reindex(key.index)


def allocate(total: float, weights: list[int]) -> list[float]:
    """Split a whole number in proportion to weights (largest remainder); NaN stays NaN."""
    if total != total or sum(weights) == 0:
        return [np.nan] * len(weights)
    exact = np.array(weights, dtype=float) * total / sum(weights)
    base = np.floor(exact)
    remainder = int(round(total - base.sum()))
    order = np.argsort(-(exact - base), kind="stable")
    base[order[:remainder]] += 1
    return base.tolist()


def _components(
    raw_row: Hashable,
    model: str,
    details: dict[str, int] | None,
    counts: dict[str, float],
    log: QualityLog,
) -> list[dict]:
    """The weapon components of one source row that names several weapons, with counts
    (``details``: its parsed ``launched_details``)."""
    parts = split_model(model)
    if len(parts) > 1 and details is not None:
        matches = [p for p in parts if p in details]
        if len(matches) == len(parts) and sum(details[p] for p in parts) == counts["launched"]:
            weights = [details[p] for p in parts]
            allocated = {c: allocate(counts[c], weights) for c in COUNT_COLUMNS if c != "launched"}
            if counts["destroyed"] == counts["destroyed"]:
                log.add("destroyed_allocated_by_share", raw_row, model=model)
            log.add("split_by_launched_details", raw_row, model=model, details=details)
            return [
                {
                    "model": part,
                    "launched": float(details[part]),
                    **{c: allocated[c][i] for c in allocated},
                    "split": True,
                    "destroyed_allocated": counts["destroyed"] == counts["destroyed"],
                }
                for i, part in enumerate(parts)
            ]
        log.add("launched_details_do_not_match", raw_row, model=model, details=details)
    if len(parts) > 1:
        log.add("combined_without_split", raw_row, model=model)
    return [{"model": model, **counts, "split": False, "destroyed_allocated": False}]


def text_dtype() -> Any:
    """The dtype pandas infers for Python strings (what a frame built from records gets)."""
    return pd.Series([""]).dtype


def distinct(values: pd.Series) -> tuple[np.ndarray, list]:
    """Codes per row (-1 where missing) and the distinct values, so that a Python function
    runs once per distinct value instead of once per row (names repeat a lot)."""
    codes, uniques = pd.factorize(values)
    return codes, list(uniques)


def spread_text(texts: list[str], codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``texts[code]`` for each row, in pandas' default text dtype (missing where code -1)."""
    return pd.array(texts, dtype=text_dtype()).take(codes, allow_fill=True)


def _expand(
    raw: pd.DataFrame, model: pd.Series, counts: pd.DataFrame, log: QualityLog
) -> pd.DataFrame:
    """One row per weapon component: a row naming one weapon stays one row; a combined row is
    split by its ``launched_details`` when they add up (see :func:`_components`).

    Rows naming one weapon (nearly all) are handled as whole columns; only combined rows go
    through Python, one at a time.
    """
    codes, names = distinct(model)
    is_combined = np.array([len(split_model(m)) > 1 for m in names] + [False])
    positions = np.flatnonzero(is_combined[codes])
    index = raw.index.to_numpy()
    texts = raw["launched_details"].iloc[positions].tolist()
    details = functools.cache(parse_details)  # identical strings parsed once
    count_values = {c: counts[c].to_numpy() for c in COUNT_COLUMNS}
    split_rows = {
        pos: _components(
            index[pos],
            names[codes[pos]],
            details(text),
            {c: count_values[c][pos] for c in COUNT_COLUMNS},
            log,
        )
        for pos, text in zip(positions, texts, strict=True)
    }
    sizes = np.ones(len(raw), dtype=np.int64)
    for pos, parts in split_rows.items():
        sizes[pos] = len(parts)
    take = np.repeat(np.arange(len(raw)), sizes)
    first = np.cumsum(sizes) - sizes
    columns: dict[str, Any] = {
        "raw_row": index[take].astype(np.int64),
        "component": np.arange(len(take)) - first[take],
        "n_components": sizes[take],
        "model": spread_text(names, codes[take]),
        **{c: count_values[c][take].astype("float64") for c in COUNT_COLUMNS},
        "split": np.zeros(len(take), dtype=bool),
        "destroyed_allocated": np.zeros(len(take), dtype=bool),
    }
    split_at = [
        (first[pos] + i, part)
        for pos, parts in split_rows.items()
        if len(parts) > 1
        for i, part in enumerate(parts)
    ]
    if split_at:
        rows = np.array([row for row, _ in split_at])
        columns["model"][rows] = [part["model"] for _, part in split_at]
        for name in ("split", "destroyed_allocated", *COUNT_COLUMNS):
            columns[name][rows] = [part[name] for _, part in split_at]
    return pd.DataFrame(columns)


def _classify(out: pd.DataFrame, log: QualityLog) -> pd.DataFrame:
    """Add ``weapon_class`` and ``origin`` per component (classified once per distinct name);
    log every unmapped name, in row and component order."""
    codes, names = distinct(out["model"])
    found = [classify(name) for name in names]
    out["weapon_class"] = spread_text([w.weapon_class for w, _ in found], codes)
    out["origin"] = spread_text([w.origin for w, _ in found], codes)
    has_unmapped = np.array([bool(u) for _, u in found] + [False])[codes]
    raw_rows = out["raw_row"].to_numpy()
    rows = [
        (raw_rows[p], name) for p in np.flatnonzero(has_unmapped) for name in found[codes[p]][1]
    ]
    log.add_rows("unmapped_model", [r for r, _ in rows], model=[n for _, n in rows])
    return out


def _log_missing(
    raw: pd.DataFrame, counts: pd.DataFrame, start: pd.DataFrame, end: pd.DataFrame, log: QualityLog
) -> None:
    """Flag rows with a missing count or an unknown time of day."""
    for column in ("launched", "destroyed"):
        missing = counts[column].isna().to_numpy()
        log.add_rows(f"{column}_missing", raw.index[missing], model=raw["model"][missing])
    log.add_rows("start_time_unknown", raw.index[~start["time_known"].to_numpy(dtype=bool)])
    log.add_rows("end_time_unknown", raw.index[~end["time_known"].to_numpy(dtype=bool)])


def _rows_of(parsed: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """The rows of ``parsed`` at ``index``: the timestamps of a whole file serve a table from
    which rows were dropped (exact duplicates)."""
    return parsed if parsed.index.equals(index) else parsed.loc[index]


def make_strikes(
    raw: pd.DataFrame, times: dict[str, pd.DataFrame] | None = None
) -> tuple[pd.DataFrame, QualityLog]:
    """Validated raw rows (text columns) -> tidy strikes table and the quality findings.

    Each row carries its ``reporter`` (:mod:`analysis.data.reporters`) and whether it is a
    ``possible_double_count`` of the national summary (:mod:`analysis.data.overlaps`).

    ``times``: ``time_start`` / ``time_end`` already parsed by ``parse_timestamps`` (as
    ``load_daily`` keeps them, possibly for more rows than ``raw``), so they are not parsed
    twice.
    """
    log = QualityLog()
    times = times or {}
    counts = pd.DataFrame({c: numbers(raw[c]) for c in COUNT_COLUMNS}, index=raw.index)
    start, end = (
        _rows_of(times[c], raw.index) if c in times else parse_timestamps(raw[c])
        for c in ("time_start", "time_end")
    )
    windows = window_bounds(start, end)
    codes, names = distinct(raw["model"])
    model = pd.Series(spread_text([n.strip() for n in names], codes), index=raw.index)

    out = _classify(_expand(raw, model, counts, log), log)
    _log_missing(raw, counts, start, end, log)
    context = pd.DataFrame(
        {
            "row_id": row_ids(raw),
            "source_model": raw["model"].str.strip(),
            "launch_place": raw["launch_place"],
            "target": raw["target"],
            "source": raw["source"],
            "reporter": reporter_of(raw["source"]),
        }
    ).join(windows)
    out = out.join(context, on="raw_row")
    for column in COUNT_COLUMNS:
        out[column] = out[column].round().astype("Int64")
    out["possible_double_count"] = flag_possible_double_counts(out)
    return out.loc[:, list(STRIKE_COLUMNS)].reset_index(drop=True), log


def models_missing_from_reference(raw: pd.DataFrame, reference: pd.DataFrame) -> list[str]:
    """Model names in the data that the reference table lacks (informative only)."""
    known = set(reference["model"].str.strip().tolist())
    return sorted(set(raw["model"].str.strip().unique().tolist()) - known)


def unmapped_components(models: pd.Series) -> list[str]:
    """Distinct component names that the taxonomy does not map."""
    return sorted({p for m in models.unique() for p in split_model(m) if lookup(p) is None})
