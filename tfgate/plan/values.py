"""Known / Unknown / Absent lookups into one side of a resource change.

Terraform writes a value that is only known after apply by *omitting* it from `after` and putting
`true` at the same path in `after_unknown`. A lookup therefore has three answers, and a rule must
never treat Unknown or Absent as a value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import orjson

PathPart = str | int


@dataclass(frozen=True, slots=True)
class Known:
    """A value Terraform knows at plan time (possibly null)."""

    value: Any


class _Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "Unknown"


class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "Absent"


Unknown: Final = _Unknown()
"""The value is computed during apply."""

Absent: Final = _Absent()
"""The attribute is not there at all (not set and not computed)."""

Lookup = Known | _Unknown | _Absent


def _step(tree: Any, part: PathPart) -> Any:
    # Parsed JSON holds only dict and list: test those first, the ABCs only as a fallback.
    kind = type(tree)
    if kind is dict:
        return tree.get(part) if type(part) is str else None
    if kind is list:
        if type(part) is int and -len(tree) <= part < len(tree):
            return tree[part]
        return None
    if isinstance(part, int):
        if (
            isinstance(tree, Sequence)
            and not isinstance(tree, str)
            and -len(tree) <= part < len(tree)
        ):
            return tree[part]
        return None
    if isinstance(tree, Mapping):
        return tree.get(part)
    return None


def marked(mask: Any, path: Sequence[PathPart]) -> bool:
    """True when a Terraform mask (`after_unknown`, `after_sensitive`) marks `path` or a parent."""
    node = mask
    for part in path:
        if node is True:
            return True
        if node is None or node is False:
            return False
        node = _step(node, part)
        if node is None:
            return False
    return node is True


def contains_mark(mask: Any) -> bool:
    """True when any leaf under `mask` is marked."""
    if mask is True:
        return True
    if isinstance(mask, Mapping):
        return any(contains_mark(child) for child in mask.values())
    if isinstance(mask, list):
        return any(contains_mark(child) for child in mask)
    return False


@dataclass(frozen=True, slots=True)
class View:
    """One side (`before` or `after`) of a change, with its unknown and sensitive masks."""

    values: Mapping[str, Any] | None
    unknown: Any = None
    sensitive: Any = None

    @property
    def exists(self) -> bool:
        return self.values is not None or self.unknown not in (None, False, {})

    def get(self, *path: PathPart) -> Lookup:
        """Look an attribute up: Known(value), Unknown (after apply) or Absent."""
        if self.unknown is not None and marked(self.unknown, path):
            return Unknown
        node: Any = self.values
        for part in path:
            if type(part) is int:
                if type(node) is not list or not -len(node) <= part < len(node):
                    return Absent
                node = node[part]
            else:
                if type(node) is not dict and not isinstance(node, Mapping):
                    return Absent
                if part not in node:
                    return Absent
                node = node[part]
        return Known(node)

    def value(self, *path: PathPart, default: Any = None) -> Any:
        """The known value at `path`, or `default` when it is unknown or absent."""
        found = self.get(*path)
        return found.value if isinstance(found, Known) else default

    def is_unknown(self, *path: PathPart) -> bool:
        """True when the value at `path`, or any part of it, is known only after apply."""
        if marked(self.unknown, path):
            return True
        node = self.unknown
        for part in path:
            node = _step(node, part)
            if node is None:
                return False
        return contains_mark(node)

    def is_sensitive(self, *path: PathPart) -> bool:
        return marked(self.sensitive, path)


EMPTY_VIEW: Final = View(None, None, None)


def sensitive_strings(values: Any, mask: Any) -> list[str]:
    """Every string (and number) leaf of `values` that `mask` marks sensitive.

    The walk follows the mask, not the values: a mask marks a few leaves of a large object, and
    only the parts of `values` under a mark are visited.
    """
    found: list[str] = []

    def hidden(node: Any) -> None:
        if isinstance(node, Mapping):
            for child in node.values():
                hidden(child)
        elif isinstance(node, list):
            for child in node:
                hidden(child)
        elif isinstance(node, str | int | float) and not isinstance(node, bool):
            text = str(node)
            if text:
                found.append(text)

    def walk(node: Any, node_mask: Any) -> None:
        if node_mask is True:
            hidden(node)
        elif isinstance(node_mask, Mapping):
            if isinstance(node, Mapping):
                for key, child in node.items():
                    child_mask = node_mask.get(key)
                    if child_mask is not None:
                        walk(child, child_mask)
        elif isinstance(node_mask, list) and isinstance(node, list):
            for child, child_mask in zip(node, node_mask, strict=False):
                walk(child, child_mask)

    walk(values, mask)
    return found


def json_object(text: str) -> dict[str, Any] | None:
    """`text` read as a JSON object (a policy document, say), or None when it is not one."""
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return document if isinstance(document, dict) else None
