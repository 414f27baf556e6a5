"""Parsing of Terraform resource and module addresses (`module.a["k"].module.b[0].aws_x.y[1]`)."""

from __future__ import annotations

import re
from functools import lru_cache

import orjson

InstanceKey = int | str

# Outside quoted keys: brackets that neither nest nor hold a dot (`[0]`, and `[]` where a quoted
# key was taken out), so every dot there separates two parts.
_PLAIN_BRACKETS = re.compile(r"[^\[\]]*(?:\[[^\[\].]*\][^\[\]]*)*")


def split_address(address: str) -> list[str]:
    """Split an address on the dots that separate its parts, not dots inside `["..."]` keys."""
    if "\\" not in address:
        # Without escapes, the text between the 1st and 2nd, 3rd and 4th... quote is quoted.
        pieces = address.split('"')
        if (
            len(pieces) % 2
            and not any("." in key for key in pieces[1::2])
            and _PLAIN_BRACKETS.fullmatch("".join(pieces[::2]))
        ):
            return address.split(".")  # the usual address: no dot inside a key
    return split_address_slowly(address)


def split_address_slowly(address: str) -> list[str]:
    """`split_address` one character at a time: any quoting, escapes and bracket nesting."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    quoted = False
    escaped = False
    for char in address:
        if quoted:
            current.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
            continue
        if char == '"':
            quoted = True
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "." and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def strip_key(part: str) -> str:
    """`subnets["a"]` → `subnets`."""
    bracket = part.find("[")
    return part if bracket < 0 else part[:bracket]


@lru_cache(maxsize=4096)
def module_path(module_address: str) -> tuple[str, ...]:
    """Module call names with instance keys removed: `module.a["k"].module.b` → `("a", "b")`."""
    if not module_address:
        return ()
    parts = split_address(module_address)
    return tuple(strip_key(part) for part in parts[1::2])


def instance_key(part: str) -> InstanceKey | None:
    """`d["b"]` → "b", `d[0]` → 0, `d` → None; a key that is not a literal gives None."""
    bracket = part.find("[")
    if bracket < 0 or not part.endswith("]"):
        return None
    text = part[bracket + 1 : -1]
    if text.isdigit() and text.isascii():
        return int(text)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            key = orjson.loads(text)
        except orjson.JSONDecodeError:
            return None
        return key if isinstance(key, str) else None
    return None
