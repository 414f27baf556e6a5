"""Glob matching for resource addresses and paths, where `[` and `]` are literal characters."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=1024)
def _address_pattern(glob: str) -> re.Pattern[str]:
    parts = []
    for char in glob:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def address_matches(glob: str, address: str) -> bool:
    """`*` matches any run of characters (dots and brackets included), `?` exactly one."""
    return _address_pattern(glob).fullmatch(address) is not None


@lru_cache(maxsize=1024)
def _path_pattern(glob: str) -> re.Pattern[str]:
    parts = []
    position = 0
    while position < len(glob):
        if glob.startswith("**/", position):
            parts.append("(?:.*/)?")
            position += 3
        elif glob.startswith("**", position):
            parts.append(".*")
            position += 2
        elif glob[position] == "*":
            parts.append("[^/]*")
            position += 1
        elif glob[position] == "?":
            parts.append("[^/]")
            position += 1
        else:
            parts.append(re.escape(glob[position]))
            position += 1
    return re.compile("".join(parts))


def path_matches(glob: str, path: str) -> bool:
    """Shell-style path globs: `*` within one directory, `**` across directories."""
    return _path_pattern(glob.strip("/")).fullmatch(path.strip("/")) is not None
