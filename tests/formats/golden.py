"""Compare rendered text with a golden file; TFGATE_UPDATE_GOLDEN=1 rewrites the file instead."""

from __future__ import annotations

import os
from pathlib import Path

from tfgate import __version__

GOLDEN = Path(__file__).parent / "golden"


def assert_golden(name: str, rendered: str) -> None:
    """The tfgate version is written as X.Y.Z so a release does not touch the golden files."""
    rendered = rendered.replace(__version__, "X.Y.Z")
    path = GOLDEN / name
    if os.environ.get("TFGATE_UPDATE_GOLDEN") == "1":
        path.write_text(rendered, encoding="utf-8", newline="\n")
    assert path.is_file(), f"no golden file {name}; run with TFGATE_UPDATE_GOLDEN=1 to create it"
    assert rendered == path.read_text(encoding="utf-8")
