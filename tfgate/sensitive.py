"""Findings on attributes the plan marks sensitive say what is wrong without quoting anything.

Masking the whole sensitive value is not enough when a rule quotes a piece of it: a trust policy
marked sensitive (`after_sensitive: {"assume_role_policy": true}`) must not have its account ids,
ARNs, Sids or actions printed one by one. A hit derives from a sensitive attribute when its key
names that attribute (policy rules key their hits `attribute:statement:...`) or when its message
or key quotes a piece of the attribute's value: a string of it, a string inside it when it is a
JSON document, or a segment of such a string (`999988887777` of an ARN) that the plan does not
show in the clear elsewhere on the resource. Such a hit is told in words that carry no value: the
attribute's name (a provider schema name) and the rule's title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from tfgate.plan.model import Resource
from tfgate.plan.values import contains_mark, sensitive_strings
from tfgate.rules.base import Hit

_SEGMENT = re.compile(r"[^A-Za-z0-9_.@+=-]+")
_SHORTEST_PIECE = 4
_SHORTEST_LEAF = 3
_LEADING_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Keys of a policy document whose values are the grammar's own words (`Allow`, `2012-10-17`),
# not the author's: a message saying "allows" quotes nothing.
_VOCABULARY = frozenset({"Version", "Effect"})


def _leaves(text: str) -> Iterator[str]:
    """The strings inside `text` when it is a JSON document, else `text` itself."""
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            document = orjson.loads(text)
        except orjson.JSONDecodeError:
            yield text
            return
        stack: list[Any] = [document]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                stack.extend(value for key, value in node.items() if key not in _VOCABULARY)
            elif isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, str | int | float) and not isinstance(node, bool):
                yield str(node)
        return
    yield text


def _pieces(text: str) -> set[str]:
    found: set[str] = set()
    for leaf in _leaves(text):
        if len(leaf) >= _SHORTEST_LEAF:
            found.add(leaf.lower())
        found.update(
            piece.lower() for piece in _SEGMENT.split(leaf) if len(piece) >= _SHORTEST_PIECE
        )
    return found


@dataclass(frozen=True, slots=True)
class SensitiveAttributes:
    """The attributes of one resource that the plan marks sensitive, on either side, and the
    pieces of their values (lower case) that no finding may quote."""

    pieces: Mapping[str, frozenset[str]]

    @classmethod
    def of(cls, resource: Resource) -> SensitiveAttributes | None:
        found: dict[str, set[str]] = {}
        if all(view.sensitive in (None, False, {}) for view in (resource.before, resource.after)):
            return None
        for view in (resource.before, resource.after):
            mask = view.sensitive
            values = view.values if isinstance(view.values, Mapping) else {}
            if mask is True:
                mask = {name: True for name in values}
            if not isinstance(mask, Mapping):
                continue
            for name, part in mask.items():
                if not contains_mark(part):
                    continue
                pieces = found.setdefault(name, set())
                for text in sensitive_strings({name: values.get(name)}, {name: part}):
                    pieces.update(_pieces(text))
        if not found:
            return None
        # What the plan shows in the clear on this resource is no secret: a piece found there
        # too (`role`, the account id an unmarked policy also names) may be quoted.
        clear = " ".join(
            orjson.dumps(
                {k: v for k, v in view.values.items() if k not in found},
                default=str,
                option=orjson.OPT_NON_STR_KEYS,
            )
            .decode()
            .lower()
            for view in (resource.before, resource.after)
            if isinstance(view.values, Mapping)
        )
        return cls(
            {
                name: frozenset(piece for piece in pieces if piece not in clear)
                for name, pieces in sorted(found.items())
            }
        )

    def source(self, hit: Hit) -> str | None:
        """The sensitive attribute `hit` derives from, or None when it quotes none of them."""
        leading = _LEADING_NAME.match(hit.key)
        if leading is not None and leading.group() in self.pieces:
            return leading.group()
        said = f"{hit.message}\n{hit.key}".lower()
        for name, pieces in self.pieces.items():
            if any(piece in said for piece in pieces):
                return name
        return None


def value_free(hit: Hit, attribute: str, title: str) -> Hit:
    """`hit` told without quoting anything: the attribute's name and what the rule found."""
    return Hit(
        f"{title}: found in {attribute}, which the plan marks sensitive, so the details "
        "are withheld",
        key=f"{attribute}:sensitive:{hit.severity or ''}",
        unknown=hit.unknown,
        severity=hit.severity,
    )
