"""Where tests find the repository's fixtures and the shared reference material beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"


def corpus_plans() -> list[Path]:
    """Every plan file of the shared corpus, or an empty list when the corpus is absent."""
    if not CORPUS.is_dir():
        return []
    return sorted(path for path in CORPUS.glob("*/*.json"))


def require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path.name} is not available beside this checkout")
    return path
