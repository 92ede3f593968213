"""Clean layer: one row per weapon component per source row (``strikes.parquet``)."""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .rawschema import COUNT_COLUMNS
from .taxonomy import classify, lookup, split_model
from .timeparse import parse_timestamps, window_bounds

STRIKE_COLUMNS = (
    "row_id", "raw_row", "component", "n_components", "window_start", "window_end", "end_date",
    "time_known", "model", "source_model", "weapon_class", "origin", "launched", "destroyed",
    "not_reach_goal", "still_attacking", "split", "destroyed_allocated", "launch_place", "target",
    "source",
)
_NAN_TOKEN = re.compile(r"\bnan\b", re.IGNORECASE)


@dataclass
class QualityLog:
    """Row-level findings collected while cleaning; summarised into ``quality.json``."""

    flags: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, flag: str, raw_row: int, **detail) -> None:
        self.flags.setdefault(flag, []).append({"raw_row": int(raw_row), **detail})


def parse_details(text: object) -> dict[str, int] | None:
    """Parse a ``launched_details``-like string (``{'Kalibr': 12, ...}``) into a dict."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        value = ast.literal_eval(_NAN_TOKEN.sub("None", text.strip()))
    except (ValueError, SyntaxError):
        return None
    if not isinstance(value, dict):
        return None
    out = {}
    for key, number in value.items():
        if isinstance(number, bool) or not isinstance(number, int | float) or number != number:
            return None
        out[str(key).strip()] = int(number)
    return out


def row_ids(raw: pd.DataFrame) -> pd.Series:
    """Stable id per source row from its report identity, so it survives new releases.

    Rows that share start, end, model and source get an occurrence suffix (see
    :func:`occurrence`).
    """
    key = (
        raw["time_start"].str.strip() + "|" + raw["time_end"].str.strip() + "|"
        + raw["model"].str.strip() + "|" + raw["source"].fillna("").str.strip()
    )
    digest = key.map(lambda k: hashlib.sha1(k.encode("utf-8")).hexdigest()[:12])
    seen = occurrence(key)
    return digest.where(seen == 0, digest + "-" + seen.astype(str))


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


def _components(row: pd.Series, log: QualityLog) -> list[dict]:
    """The weapon components of one source row, with counts."""
    model = row["model"].strip()
    parts = split_model(model)
    counts = {c: row[c] for c in COUNT_COLUMNS}
    details = parse_details(row["launched_details"])
    if len(parts) > 1 and details is not None:
        matches = [p for p in parts if p in details]
        if len(matches) == len(parts) and sum(details[p] for p in parts) == counts["launched"]:
            weights = [details[p] for p in parts]
            allocated = {c: allocate(counts[c], weights) for c in COUNT_COLUMNS if c != "launched"}
            if counts["destroyed"] == counts["destroyed"]:
                log.add("destroyed_allocated_by_share", row.name, model=model)
            log.add("split_by_launched_details", row.name, model=model, details=details)
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
        log.add("launched_details_do_not_match", row.name, model=model, details=details)
    if len(parts) > 1:
        log.add("combined_without_split", row.name, model=model)
    return [{"model": model, **counts, "split": False, "destroyed_allocated": False}]


def make_strikes(raw: pd.DataFrame) -> tuple[pd.DataFrame, QualityLog]:
    """Validated raw rows (text columns) -> tidy strikes table and the quality findings."""
    log = QualityLog()
    frame = raw.copy()
    for column in COUNT_COLUMNS:
        text = frame[column].astype("string").str.strip()
        frame[column] = pd.to_numeric(text, errors="coerce").astype("float64")
    start, end = parse_timestamps(frame["time_start"]), parse_timestamps(frame["time_end"])
    windows = window_bounds(start, end)
    ids = row_ids(frame)

    records = []
    for raw_row, row in frame.iterrows():
        parts = _components(row, log)
        for i, part in enumerate(parts):
            weapon, unmapped = classify(part["model"])
            for name in unmapped:
                log.add("unmapped_model", raw_row, model=name)
            records.append({"raw_row": raw_row, "component": i, "n_components": len(parts),
                            **part, "weapon_class": weapon.weapon_class,
                            "origin": weapon.origin})
        if pd.isna(row["launched"]):
            log.add("launched_missing", raw_row, model=row["model"])
        if pd.isna(row["destroyed"]):
            log.add("destroyed_missing", raw_row, model=row["model"])
        if not start.at[raw_row, "time_known"]:
            log.add("start_time_unknown", raw_row)
        if not end.at[raw_row, "time_known"]:
            log.add("end_time_unknown", raw_row)

    out = pd.DataFrame.from_records(records)
    context = pd.DataFrame(
        {
            "row_id": ids,
            "source_model": frame["model"].str.strip(),
            "launch_place": frame["launch_place"],
            "target": frame["target"],
            "source": frame["source"],
        }
    ).join(windows)
    out = out.join(context, on="raw_row")
    for column in COUNT_COLUMNS:
        out[column] = out[column].round().astype("Int64")
    out["end_date"] = pd.to_datetime(out["end_date"]).dt.date
    return out.loc[:, list(STRIKE_COLUMNS)].reset_index(drop=True), log


def models_missing_from_reference(raw: pd.DataFrame, reference: pd.DataFrame) -> list[str]:
    """Model names in the data that the reference table lacks (informative only)."""
    known = set(reference["model"].str.strip())
    return sorted(set(raw["model"].str.strip()) - known)


def unmapped_components(models: pd.Series) -> list[str]:
    return sorted({p for m in models.unique() for p in split_model(m) if lookup(p) is None})
