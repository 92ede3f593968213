"""Untrusted YAML read as plain values: safe, bounded, with the place of every value.

Only plain values come out: text, numbers (finite), true/false, null, dates, and lists and
mappings (with text keys) of those. Any other YAML type or tag is kept as a :class:`Refused`
marker in its place, so that the caller can name the key it belongs to in its error. The
document may hold at most :data:`MAX_NODES` values and keys, counting a value reached through
an alias every time it is used (counted on the composed graph with memoisation, so a
"billion laughs" file is refused at once), and nest at most :data:`MAX_DEPTH` levels.
Mappings carry their line and column under ``LINE`` and their keys' under ``LINES``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from analysis.names import shown
from analysis.publish.plainvalues import MAX_INT_DIGITS, scalar_problem

LINES = "__lines__"
LINE = "__line__"
MAX_NODES = 10_000
MAX_DEPTH = 20
ALLOWED = "use text, numbers, true/false, null, dates, or lists and mappings of those"
_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {
    "str": "text",
    "int": "integer",
    "float": "number",
    "bool": "true/false value",
    "null": "null",
    "timestamp": "date",
}
_WHAT_TAG_MAKES = {
    "binary": "bytes",
    "set": "a set",
    "omap": "an ordered map",
    "pairs": "a list of pairs",
}


# --- reading the file: safe, bounded, plain values only ----------------------------------


class Refusal(Exception):
    """A limit or a broken construct met while reading, at a place in the file."""

    def __init__(self, mark: Any, message: str):
        super().__init__(message)
        self.line, self.column, self.message = mark.line + 1, mark.column + 1, message


@dataclass(frozen=True, eq=False)
class Refused:
    """A value a grid may not hold, kept in place of it until the error can also name the
    set and key it belongs to (see :func:`_refuse_unplain`)."""

    problem: str
    line: int
    column: int


def _refused(node: Any, problem: str) -> Refused:
    return Refused(problem, node.start_mark.line + 1, node.start_mark.column + 1)


def _loader() -> type:
    import yaml

    class GridLoader(yaml.SafeLoader):
        """Composes the YAML node graph (values are built by :class:`_Builder`), refusing a
        file that nests too deeply or holds too many values before it is all in memory."""

        def __init__(self, stream: str):
            super().__init__(stream)
            self.depth = 0
            self.composed = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            self.depth += 1
            self.composed += 1
            try:
                if self.depth > MAX_DEPTH:
                    raise Refusal(
                        self.peek_event().start_mark, f"nested more than {MAX_DEPTH} levels deep"
                    )
                if self.composed > MAX_NODES:
                    raise Refusal(
                        self.peek_event().start_mark,
                        f"the grid holds more than {MAX_NODES:,} values",
                    )
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    return GridLoader


def _children(node: Any) -> list:
    if isinstance(node.value, list):
        return [
            child for item in node.value for child in (item if isinstance(item, tuple) else (item,))
        ]
    return []


def _check_expansion(root: Any) -> None:
    """Refuse a node graph that contains itself, or whose expansion (a node reached through
    aliases counted every time) exceeds :data:`MAX_NODES` nodes or :data:`MAX_DEPTH` levels.

    Sizes are memoised per node, so this is linear in the file, however far it would expand.
    """
    done: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded size, depth)
    open_path: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_path.discard(key)
            sizes = [done[id(child)] for child in _children(node)]
            size = 1 + sum(s for s, _ in sizes)
            depth = 1 + max((d for _, d in sizes), default=0)
            if size > MAX_NODES:
                raise Refusal(
                    node.start_mark,
                    f"this value expands to more than {MAX_NODES:,} "
                    "values through aliases (*name); a grid holds at most "
                    f"{MAX_NODES:,}",
                )
            if depth > MAX_DEPTH:
                raise Refusal(
                    node.start_mark,
                    f"this value nests more than {MAX_DEPTH} levels deep through aliases (*name)",
                )
            done[key] = (size, depth)
        elif key in open_path:
            raise Refusal(
                node.start_mark,
                "an alias (*name) refers to a value that contains it, which would never end",
            )
        elif key not in done:
            open_path.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))


class _Builder:
    """Builds Python values from a checked node graph: plain values, dates as ISO text, and
    a :class:`Refused` for anything else. Mappings record where they and their keys are."""

    def __init__(self, loader: Any):
        self.loader = loader
        self.built: dict[int, Any] = {}

    def value(self, node: Any) -> Any:
        """The value of ``node``, built once (an alias gets the same object)."""
        key = id(node)
        if key not in self.built:
            self.built[key] = self._build(node)
        return self.built[key]

    def _build(self, node: Any) -> Any:
        import yaml

        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if isinstance(node, yaml.SequenceNode) and node.tag == _TAG + "seq":
            return [self.value(item) for item in node.value]
        if isinstance(node, yaml.MappingNode) and node.tag == _TAG + "map":
            return self._mapping(node)
        return _refused(node, _tag_problem(node.tag))

    def _scalar(self, node: Any) -> Any:
        kind = node.tag.removeprefix(_TAG)
        if node.tag in (_TAG + "value", _TAG + "merge"):
            return _refused(
                node,
                f"{node.value} alone has a special meaning in YAML; quote it to pass it as text",
            )
        if not node.tag.startswith(_TAG) or kind not in _SCALAR_TAGS:
            return _refused(node, _tag_problem(node.tag))
        try:
            value = getattr(self.loader, f"construct_yaml_{kind}")(node)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            return _refused(node, _scalar_problem(kind, node.value))
        if isinstance(value, dt.datetime):
            return _refused(
                node,
                f"{shown(node.value)} has a time of day; a grid takes dates "
                "only (quote it to pass it as text)",
            )
        if isinstance(value, dt.date):
            return value.isoformat()
        problem = scalar_problem(value, ALLOWED)
        return _refused(node, problem) if problem else value

    def _mapping(self, node: Any) -> dict:
        merged: dict = {}
        own: dict = {}
        lines: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                merged_lines = self._merge(value_node, merged)
                lines = {**merged_lines, **lines}
                continue
            key = self.value(key_node)
            if type(key) is not str and not isinstance(key, Refused):
                key = _refused(key_node, f"the mapping key {shown(key)} is not text (quote it)")
            own[key] = self.value(value_node)
            lines[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return {
            **merged,
            **own,
            LINE: (node.start_mark.line + 1, node.start_mark.column + 1),
            LINES: lines,
        }

    def _merge(self, value_node: Any, merged: dict) -> dict:
        """Add the mappings of a merge key (``<<``) to ``merged`` (the first one listed wins,
        as in YAML); return where their keys are."""
        import yaml

        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        lines: dict = {}
        for source in reversed(sources):
            built = self.value(source)
            if not isinstance(source, yaml.MappingNode) or not isinstance(built, dict):
                raise Refusal(
                    source.start_mark, "a merge key (<<) takes a mapping or a list of mappings"
                )
            merged.update(built)
            lines.update(built[LINES])
        return lines


def _tag_problem(tag: str) -> str:
    short = "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag
    makes = _WHAT_TAG_MAKES.get(tag.removeprefix(_TAG))
    text = short if short.isprintable() and len(short) <= 60 else shown(short)
    return f"a YAML {text} value{f' ({makes})' if makes else ''} is not allowed; {ALLOWED}"


def _scalar_problem(kind: str, text: str) -> str:
    if kind == "timestamp" and len(text) <= 40:
        return f"{text} is not a real date"
    if kind == "int" and sum(c.isdigit() for c in text) > MAX_INT_DIGITS:
        return f"an integer with more than {MAX_INT_DIGITS} digits is not allowed"
    return f"{shown(text)} is not a valid {_SCALAR_TAGS[kind]}"


def load_plain(text: str) -> Any:
    """The YAML document as plain Python values, or None for an empty file."""
    loader = _loader()(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        _check_expansion(root)
        return _Builder(loader).value(root)
    finally:
        loader.dispose()
