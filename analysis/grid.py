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
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import AnalysisError

LABEL = "label"
_LINES = "__lines__"
_LINE = "__line__"
_TOP_KEYS = {"name", "notebooks", "key_figure", "defaults", "sets", "product"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# Set by the batch itself, never by a grid.
RESERVED = frozenset({"processed_dir", "output_dir"})


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


def _loader() -> type:
    import yaml

    class LineLoader(yaml.SafeLoader):
        """Safe loader that records the line and column of each mapping and of its keys."""

        def construct_mapping(self, node, deep=False):
            mapping = super().construct_mapping(node, deep=True)
            mapping[_LINE] = (node.start_mark.line + 1, node.start_mark.column + 1)
            mapping[_LINES] = {
                key.value: (key.start_mark.line + 1, key.start_mark.column + 1)
                for key, _ in node.value if hasattr(key, "value")
            }
            return mapping

    return LineLoader


def _plain(value: Any) -> Any:
    """Parameter value as papermill passes it: dates as ISO text, no line bookkeeping."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in (_LINE, _LINES)}
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
            spot = mapping.get(_LINES, {}).get(key) if key is not None else None
            spot = spot or mapping.get(_LINE)
            if spot:
                return f"{self.source}, line {spot[0]}, column {spot[1]}"
        return str(self.source)


def load_grid(path: Path, declared: dict[str, set[str]]) -> Grid:
    """Read and check the grid in ``path``; ``declared`` maps each report notebook's stem to
    the parameters it declares."""
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GridError(f"{path}: cannot read the grid file ({exc.strerror})") from None
    try:
        data = yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise GridError(f"{path}{where}: not valid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise GridError(f"{path}: not valid YAML: {exc}") from None
    return parse_grid(data, path, declared)


def parse_grid(data: Any, source: Path, declared: dict[str, set[str]]) -> Grid:
    """Check a loaded grid mapping and expand it into its parameter sets."""
    where = _Where(source)
    if not isinstance(data, dict):
        raise GridError(f"{source}: a grid is a mapping with `sets` and/or `product`")
    unknown = sorted(k for k in data if k not in _TOP_KEYS | {_LINE, _LINES})
    if unknown:
        raise GridError(f"{where.at(data, unknown[0])}: unknown key {unknown[0]!r}; a grid "
                        f"has {', '.join(sorted(_TOP_KEYS))}")
    name = str(data.get("name") or source.stem)
    if not _NAME.match(name) or name == "latest":
        raise GridError(f"{where.at(data, 'name')}: batch name {name!r} is not usable as a "
                        "folder: use letters, digits, '.', '_' and '-'")
    notebooks = _notebooks(data, where, declared)
    allowed = set().union(*(declared[n] for n in notebooks)) - RESERVED
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise GridError(f"{where.at(data, 'defaults')}: `defaults` must be a mapping")
    _check_keys(defaults, allowed, where, "defaults")
    sets = [*_explicit_sets(data, where, allowed), *_product_sets(data, where, allowed)]
    if not sets:
        raise GridError(f"{source}: the grid names no parameter sets (`sets` or `product`)")
    seen: dict[str, int] = {}
    for index, ps in enumerate(sets):
        if ps.name in seen:
            raise GridError(f"{source}: two parameter sets are named {ps.name!r} (numbers "
                            f"{seen[ps.name] + 1} and {index + 1}); give them distinct names")
        seen[ps.name] = index
    base = _plain(defaults)
    sets = [ParameterSet(ps.name, {**base, **ps.parameters}) for ps in sets]
    key_figure = data.get("key_figure")
    return Grid(name=name, source=source, sets=tuple(sets), notebooks=tuple(notebooks),
                key_figure=str(key_figure) if key_figure else None)


def _notebooks(data: dict, where: _Where, declared: dict[str, set[str]]) -> list[str]:
    chosen = data.get("notebooks")
    if chosen is None:
        return sorted(declared)
    if isinstance(chosen, str):
        chosen = [chosen]
    stems = [str(n).removesuffix(".ipynb") for n in chosen]
    missing = [s for s in stems if s not in declared]
    if missing:
        raise GridError(f"{where.at(data, 'notebooks')}: no report notebook named "
                        f"{missing[0]!r}; there are {', '.join(sorted(declared))}")
    return sorted(set(stems))


def _check_keys(mapping: dict, allowed: set[str], where: _Where, what: str,
                extra: Iterable[str] = ()) -> None:
    for key in mapping:
        if key not in (_LINE, _LINES) and key not in extra:
            _check_key(mapping, key, allowed, where, what)


def _check_key(mapping: dict, key: str, allowed: set[str], where: _Where, what: str) -> None:
    if key in RESERVED:
        raise GridError(f"{where.at(mapping, key)}: {what}: {key!r} is set by the batch "
                        "itself and cannot be given in a grid")
    if key not in allowed:
        raise GridError(f"{where.at(mapping, key)}: {what}: unknown parameter {key!r}; the "
                        f"notebooks take {', '.join(sorted(allowed))}")


def _set_name(value: Any, where: str) -> str:
    name = str(value)
    if not _NAME.match(name) or name == "latest":
        raise GridError(f"{where}: set name {name!r} is not usable as a folder: use letters, "
                        "digits, '.', '_' and '-', starting with a letter or digit")
    return name


def _explicit_sets(data: dict, where: _Where, allowed: set[str]) -> list[ParameterSet]:
    entries = data.get("sets") or []
    if not isinstance(entries, list):
        raise GridError(f"{where.at(data, 'sets')}: `sets` must be a list of mappings")
    sets = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or "name" not in entry:
            raise GridError(f"{where.at(entry if isinstance(entry, dict) else data, 'sets')}: "
                            f"set number {number} must be a mapping with a `name`")
        name = _set_name(entry["name"], where.at(entry, "name"))
        _check_keys(entry, allowed, where, f"set {name!r}", extra=("name",))
        sets.append(ParameterSet(name, _plain({k: v for k, v in entry.items()
                                               if k != "name"})))
    return sets


def _product_sets(data: dict, where: _Where, allowed: set[str]) -> list[ParameterSet]:
    product = data.get("product")
    if not product:
        return []
    if not isinstance(product, dict):
        raise GridError(f"{where.at(data, 'product')}: `product` must map names to lists")
    axes = []
    for axis, values in product.items():
        if axis in (_LINE, _LINES):
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
    sets = []
    for combo in itertools.product(*axes):
        label = "_".join(lbl for lbl, _ in combo)
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip("-._") or "set"
        params: dict[str, Any] = {}
        for _, p in combo:
            params.update(p)
        sets.append(ParameterSet(_set_name(name, where.at(data, "product")), params))
    return sets
