"""A batch's parameter grid, read from YAML: which reports to make and with what parameters.

A grid names its sets explicitly (``sets``), as every combination of value lists
(``product``), or both::

    name: periods                 # folder under reports/ (default: the file's name)
    notebooks: [01_data_overview] # a subset of the report notebooks (default: all)
    key_figure: growth_drones     # finding shown per set in the batch index (default: first)
    defaults: {window: 26}        # parameters every set gets
    sets:
      - name: year-2025
        start: 2025-01-01
        end: 2025-12-31
    product:
      release: [2026-03-01, 2026-04-05]
      period:                     # an axis of mappings sets several parameters at once
        - {label: all}
        - {label: since-2024, start: 2024-01-01}

A product set is named by its values (or each mapping's ``label``) joined with ``_``:
``2026-03-01_since-2024``. Errors name the file, line and column.

A grid file is untrusted input: its values are written into the notebooks' parameters cells
as Python source. So a grid holds plain values only: text, numbers (finite), true/false,
null, dates (passed on as ISO text), and lists and mappings (with text keys) of those; any
other YAML type or tag (``!!binary``, ``!!set``, ``!!omap``, ``!!python/...``, ``!foo``),
a date with a time of day or an impossible date is refused, naming the set and key. Merge
keys (``<<: *defaults``) work as in YAML. Limits, far above any real grid:

* the file is at most :data:`MAX_FILE_BYTES` bytes;
* it holds at most ``plainyaml.MAX_NODES`` values and keys, counting a value reached through
  an alias (``*name``) every time it is used, so nested aliases cannot expand into billions;
* it nests at most ``plainyaml.MAX_DEPTH`` levels, aliases included;
* it expands to at most :data:`MAX_SETS` parameter sets.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError
from analysis.names import NameError_, check_folder_name, shown
from analysis.publish.plainvalues import check_parameters
from analysis.publish.plainyaml import LINE, LINES, Refusal, Refused, load_plain

LABEL = "label"
_TOP_KEYS = {"name", "notebooks", "key_figure", "defaults", "sets", "product"}
# Set by the batch itself, never by a grid.
RESERVED = frozenset({"processed_dir", "output_dir", "project_root"})
MAX_FILE_BYTES = 1_000_000
MAX_SETS = 1_000


class GridError(AnalysisError):
    """The grid file cannot be read, or names a parameter or notebook that does not exist."""


@dataclass(frozen=True)
class ParameterSet:
    """One report of a batch: its folder name and the parameters its notebooks get."""

    name: str
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Grid:
    name: str
    source: Path
    sets: tuple[ParameterSet, ...]
    notebooks: tuple[str, ...] | None = None
    key_figure: str | None = None


def _read(path: Path) -> str:
    """The grid file's text, refusing one over :data:`MAX_FILE_BYTES` before reading it all."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise GridError(f"{path}: cannot read the grid file ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise GridError(
            f"{path}: the grid file is larger than {MAX_FILE_BYTES:,} bytes; a grid "
            "lists short value lists and lets `product` combine them"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise GridError(
            f"{path}, line {line}: not UTF-8 text (byte {raw[exc.start]:#04x})"
        ) from None


def _plain(value: Any) -> Any:
    """Parameter value as papermill gets it: dates as ISO text, no line bookkeeping."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in (LINE, LINES)}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


class _Where:
    """Formats ``file, line L, column C`` for error messages."""

    def __init__(self, source: Path):
        self.source = source

    def at(self, mapping: Any, key: str | None = None) -> str:
        if isinstance(mapping, dict):
            spot = mapping.get(LINES, {}).get(key) if key is not None else None
            spot = spot or mapping.get(LINE)
            if spot:
                return f"{self.source}, line {spot[0]}, column {spot[1]}"
        return str(self.source)


def load_grid(path: Path, declared: dict[str, set[str]]) -> Grid:
    """Read and check the grid in ``path``; ``declared`` maps each report notebook's stem to
    the parameters it declares."""
    import yaml

    path = Path(path)
    text = _read(path)
    try:
        data = load_plain(text)
    except Refusal as exc:
        raise GridError(f"{path}, line {exc.line}, column {exc.column}: {exc.message}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise GridError(f"{path}{where}: not valid YAML: {exc.problem}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise GridError(
            f"{path}, line {line}, column {column}: not valid YAML: character "
            f"U+{exc.character:04X}: {exc.reason}"
        ) from None
    except yaml.YAMLError as exc:
        raise GridError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None
    return parse_grid(data, path, declared)


def parse_grid(data: Any, source: Path, declared: dict[str, set[str]]) -> Grid:
    """Check a loaded grid mapping and expand it into its parameter sets."""
    where = _Where(source)
    _refuse_unplain(data, source)
    if not isinstance(data, dict):
        raise GridError(f"{source}: a grid is a mapping with `sets` and/or `product`")
    unknown = sorted(k for k in data if k not in _TOP_KEYS | {LINE, LINES})
    if unknown:
        raise GridError(
            f"{where.at(data, unknown[0])}: unknown key {unknown[0]!r}; a grid "
            f"has {', '.join(sorted(_TOP_KEYS))}"
        )
    name = _folder_name(data.get("name") or source.stem, "batch", where.at(data, "name"))
    notebooks = _notebooks(data, where, declared)
    allowed = set().union(*(declared[n] for n in notebooks)) - RESERVED
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise GridError(f"{where.at(data, 'defaults')}: `defaults` must be a mapping")
    _check_keys(defaults, allowed, where, "defaults")
    explicit = _explicit_sets(data, where, allowed)
    sets = [*explicit, *_product_sets(data, where, allowed, len(explicit))]
    if not sets:
        raise GridError(f"{source}: the grid names no parameter sets (`sets` or `product`)")
    seen: dict[str, int] = {}
    for index, ps in enumerate(sets):
        if ps.name in seen:
            raise GridError(
                f"{source}: two parameter sets are named {ps.name!r} (numbers "
                f"{seen[ps.name] + 1} and {index + 1}); give them distinct names"
            )
        seen[ps.name] = index
    base = _plain(defaults)
    sets = [
        ParameterSet(
            ps.name, check_parameters({**base, **ps.parameters}, f"{source}: set {ps.name!r}")
        )
        for ps in sets
    ]
    key_figure = data.get("key_figure")
    return Grid(
        name=name,
        source=source,
        sets=tuple(sets),
        notebooks=tuple(notebooks),
        key_figure=str(key_figure) if key_figure else None,
    )


def _notebooks(data: dict, where: _Where, declared: dict[str, set[str]]) -> list[str]:
    chosen = data.get("notebooks")
    if chosen is None:
        return sorted(declared)
    if isinstance(chosen, str):
        chosen = [chosen]
    stems = [str(n).removesuffix(".ipynb") for n in chosen]
    missing = [s for s in stems if s not in declared]
    if missing:
        raise GridError(
            f"{where.at(data, 'notebooks')}: no report notebook named "
            f"{missing[0]!r}; there are {', '.join(sorted(declared))}"
        )
    return sorted(set(stems))


def _check_keys(
    mapping: dict, allowed: set[str], where: _Where, what: str, extra: Iterable[str] = ()
) -> None:
    for key in mapping:
        if key not in (LINE, LINES) and key not in extra:
            _check_key(mapping, key, allowed, where, what)


def _check_key(mapping: dict, key: str, allowed: set[str], where: _Where, what: str) -> None:
    if key in RESERVED:
        raise GridError(
            f"{where.at(mapping, key)}: {what}: {key!r} is set by the batch "
            "itself and cannot be given in a grid"
        )
    if key not in allowed:
        raise GridError(
            f"{where.at(mapping, key)}: {what}: unknown parameter {key!r}; the "
            f"notebooks take {', '.join(sorted(allowed))}"
        )


def _folder_name(value: Any, what: str, where: str) -> str:
    """``value`` as a batch or set folder name (a number is read as its text); the names the
    report folders keep for themselves (``runs.RESERVED`` for a batch, ``runs.BATCH_FILES``
    for a set) are refused here already, before anything runs."""
    from analysis.publish.runs import BATCH_FILES, RESERVED

    if type(value) is int:
        value = str(value)
    try:
        name = check_folder_name(value, what, where)
    except NameError_ as exc:
        raise GridError(str(exc)) from None
    if name in (RESERVED if what == "batch" else BATCH_FILES):
        raise GridError(
            f"{where}: {what} name {name!r} is not usable as a folder: the project "
            "keeps it for itself"
        )
    return name


def _explicit_sets(data: dict, where: _Where, allowed: set[str]) -> list[ParameterSet]:
    entries = data.get("sets") or []
    if not isinstance(entries, list):
        raise GridError(f"{where.at(data, 'sets')}: `sets` must be a list of mappings")
    sets = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or "name" not in entry:
            raise GridError(
                f"{where.at(entry if isinstance(entry, dict) else data, 'sets')}: "
                f"set number {number} must be a mapping with a `name`"
            )
        name = _folder_name(entry["name"], "set", where.at(entry, "name"))
        _check_keys(entry, allowed, where, f"set {name!r}", extra=("name",))
        sets.append(ParameterSet(name, _plain({k: v for k, v in entry.items() if k != "name"})))
    return sets


def _product_sets(
    data: dict, where: _Where, allowed: set[str], explicit: int
) -> list[ParameterSet]:
    product = data.get("product")
    if not product:
        _check_count(where.source, explicit, [])
        return []
    if not isinstance(product, dict):
        raise GridError(f"{where.at(data, 'product')}: `product` must map names to lists")
    axes = []
    for axis, values in product.items():
        if axis in (LINE, LINES):
            continue
        spot = where.at(product, axis)
        if not isinstance(values, list) or not values:
            raise GridError(f"{spot}: product axis {axis!r} must be a non-empty list")
        items = []
        for value in values:
            if isinstance(value, dict):
                _check_keys(value, allowed, where, f"product axis {axis!r}", extra=(LABEL,))
                params = _plain({k: v for k, v in value.items() if k != LABEL})
                label = value.get(LABEL) or "-".join(str(v) for v in params.values()) or axis
                items.append((str(label), params))
            else:
                _check_key(product, axis, allowed, where, "product")
                items.append((str(_plain(value)), {axis: _plain(value)}))
        axes.append(items)
    _check_count(where.source, explicit, [len(items) for items in axes])
    sets = []
    for combo in itertools.product(*axes):
        label = "_".join(lbl for lbl, _ in combo)
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip("-._") or "set"
        params: dict[str, Any] = {}
        for _, p in combo:
            params.update(p)
        sets.append(ParameterSet(_folder_name(name, "set", where.at(data, "product")), params))
    return sets


def _check_count(source: Path, explicit: int, lengths: list[int]) -> None:
    """Refuse a grid of more than :data:`MAX_SETS` sets before the product is expanded."""
    total = explicit + (math.prod(lengths) if lengths else 0)
    if total <= MAX_SETS:
        return
    shown_axes = " x ".join(str(n) for n in lengths[:8])
    if len(lengths) > 8:
        shown_axes += f" x ... ({len(lengths) - 8} more axes)"
    product = f" plus a product of {shown_axes} values" if lengths else ""
    raise GridError(
        f"{source}: the grid expands to more than {MAX_SETS:,} parameter sets "
        f"({explicit} in `sets`{product}); split it into smaller grids"
    )


def _refuse_unplain(data: Any, source: Path) -> None:
    """Raise a GridError for the first value the loader refused, naming its line and column
    and the set and parameter (or grid key) it belongs to."""
    for path, refused in _refusals(data, ()):
        raise GridError(
            f"{source}, line {refused.line}, column {refused.column}: "
            f"{_context(data, path)}{refused.problem}"
        )


def _refusals(value: Any, path: tuple) -> Iterator[tuple[tuple, Refused]]:
    """``(path, refused)`` for each refused value or key in ``value``, in file order."""
    if isinstance(value, Refused):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, Refused):
                yield path, key
            elif key not in (LINE, LINES):
                yield from _refusals(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _refusals(item, (*path, index))


def _context(data: Any, path: tuple) -> str:
    """``set 'a': parameter 'start': `` for a path into the grid (empty for the whole grid)."""
    if not path:
        return ""
    head, rest = path[0], path[1:]
    if head == "defaults" and rest:
        return f"defaults: {_parameter(rest)}: "
    if head == "sets" and rest and isinstance(rest[0], int):
        entry = data["sets"][rest[0]]
        name = entry.get("name") if isinstance(entry, dict) else None
        label = f"set {name!r}" if isinstance(name, str) else f"set number {rest[0] + 1}"
        return f"{label}: {_parameter(rest[1:])}: " if rest[1:] else f"{label}: "
    if head == "product" and len(rest) >= 2 and isinstance(rest[1], int):
        axis, number, inner = rest[0], rest[1] + 1, rest[2:]
        if inner:
            return f"product axis {axis!r}, value {number}: {_parameter(inner)}: "
        return f"product: parameter {axis!r}, value {number}: "
    if head == "product" and rest:
        return f"product: {_parameter(rest)}: "
    return f"key {head!r}{_inside(rest)}: "


def _parameter(path: tuple) -> str:
    """``parameter 'events' at [2]`` (a set's ``name`` and an axis value's ``label`` are not
    parameters)."""
    head, rest = path[0], path[1:]
    what = head if head in ("name", LABEL) and not rest else f"parameter {head!r}"
    return f"{what}{_inside(rest)}"


def _inside(rest: tuple) -> str:
    return f" at {''.join(f'[{shown(part)}]' for part in rest)}" if rest else ""
