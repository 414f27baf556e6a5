"""Every real plan in the shared corpus is judged (exit 0 or 1) or refused on purpose (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.paths import CORPUS, corpus_plans
from tfgate.cli import app

# Files that are not plans tfgate may judge, and the reason each is refused.
DELIBERATE_REFUSALS = {
    "opentofu__opentofu/internal__command__testdata__show-json__plan-error__output.json": (
        "the plan is marked errored"
    ),
}

PLANS = corpus_plans()


def relative(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


@pytest.mark.skipif(not PLANS, reason="the shared corpus is not beside this checkout")
@pytest.mark.parametrize("path", PLANS, ids=relative)
def test_corpus_plan_is_judged_or_refused_on_purpose(path: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(path), "--format", "json"])
    assert "Traceback" not in result.output
    expected_refusal = DELIBERATE_REFUSALS.get(relative(path))
    if expected_refusal is None:
        assert result.exit_code in (0, 1), result.output
        assert result.stdout.startswith("{")
    else:
        assert result.exit_code == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1
        assert lines[0].startswith(f"tfgate: error: {path}: ")
        assert expected_refusal in lines[0]
