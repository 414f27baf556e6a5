"""Files shipped with tfgate: built-in profiles and JSON schemas."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import orjson

_PACKAGE = Path(__file__).resolve().parent


@cache
def profiles_dir() -> Path:
    """Built-in profiles: inside the wheel, or the repository's `profiles/` in a source checkout."""
    packaged = _PACKAGE / "profiles"
    return packaged if packaged.is_dir() else _PACKAGE.parent / "profiles"


def builtin_profile_names() -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in profiles_dir().glob("*.yaml")))


@cache
def schema(name: str) -> Any:
    """A JSON schema shipped in `tfgate/schemas/` (`profile`, `report`, ...)."""
    return orjson.loads((_PACKAGE / "schemas" / f"{name}.schema.json").read_bytes())
