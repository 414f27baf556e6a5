"""The limits tfgate puts on its inputs, so that no input can exhaust memory or time.

Each limit is generous for real files and turns a hostile or broken one into a clear error
(exit 2). The CLI may raise the plan size limit (`--max-plan-size`, `TFGATE_MAX_PLAN_BYTES`);
the YAML limits are fixed: configuration files are small and written by people.
"""

from __future__ import annotations

import re

GIB = 1024**3
MIB = 1024**2

MAX_PLAN_BYTES = 2 * GIB
"""Default largest plan JSON read. The largest real plans are a few hundred megabytes."""

MAX_JSON_DEPTH = 1024
"""Deepest nesting of plan JSON (the parser's own limit; deeper input is refused)."""

MAX_YAML_BYTES = 4 * MIB
"""Largest tfgate.yaml, profile or waivers file."""

MAX_YAML_DEPTH = 64
"""Deepest nesting of mappings and sequences in a YAML file."""

MAX_YAML_ALIASES = 256
"""Most alias references (`*name`) in one YAML file."""

MAX_YAML_NODES = 200_000
"""Most nodes a YAML file may stand for once every alias is expanded ("billion laughs")."""

MAX_YAML_DOCUMENTS = 1
"""Documents per YAML file: one. A second `---` document is an error, never ignored."""

_SIZE = re.compile(r"^\s*(\d+)\s*([kmgt]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": MIB, "g": GIB, "t": 1024 * GIB}


def parse_size(text: str) -> int:
    """`2GiB`, `500M`, `1048576` → bytes (binary units; `kb`, `k` and `kib` are all 1024).

    Raises ValueError on anything else, including zero.
    """
    match = _SIZE.match(text)
    if match is None:
        raise ValueError("expected a size such as 500MB, 2GiB or a number of bytes")
    unit = (match.group(2) or "").lower()[:1]
    size = int(match.group(1)) * _UNITS[unit]
    if size <= 0:
        raise ValueError("the size must be greater than zero")
    return size


def describe_size(size: int) -> str:
    """A size for messages: `2 GiB`, `512 MiB`, `1000 bytes`."""
    for unit, name in ((1024 * GIB, "TiB"), (GIB, "GiB"), (MIB, "MiB"), (1024, "KiB")):
        if size >= unit and size % unit == 0:
            return f"{size // unit} {name}"
    return f"{size} bytes"
