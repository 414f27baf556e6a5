"""The whole CLI on mutated plans: always exit 0, 1 or 2, never a traceback, and never a pass
bought by noise: a plan that blocks keeps blocking (or fails closed) whatever unrelated content
is added to it.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from tests.fuzz.strategies import (
    FUZZ_SLOW,
    JSON_VALUES,
    mutated_bytes,
    mutated_documents,
    pointers,
    resource_change,
)
from tests.paths import FIXTURES
from tfgate.cli import app

runner = CliRunner()


def check(data: bytes, *options: str) -> Result:
    """`tfgate check -` on `data`, asserting what must hold for every input."""
    result = runner.invoke(app, ["check", "-", *options], input=data)
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert lines, "exit 2 without a message"
        if result.stdout == "":  # refused before judging: exactly one line says why
            assert len(lines) == 1, result.stderr
            assert lines[0].startswith("tfgate: error: "), result.stderr
    return result


@FUZZ_SLOW
@given(mutated_documents())
def test_mutated_plans_exit_0_1_or_2(document: Any) -> None:
    check(json.dumps(document).encode(), "--format", "json")


@FUZZ_SLOW
@given(mutated_bytes())
def test_mutated_plan_bytes_exit_0_1_or_2(data: bytes) -> None:
    check(data, "--format", "text")


@cache
def blocking_seeds() -> tuple[bytes, ...]:
    """Fixture plans that block under the baseline profile as they stand (exit 1)."""
    found: list[bytes] = []
    for path in sorted(FIXTURES.glob("*/fail/plan.json")):
        data = path.read_bytes()
        if runner.invoke(app, ["check", "-", "--format", "json"], input=data).exit_code == 1:
            found.append(data)
        if len(found) == 6:
            break
    assert found, "no fixture plan blocks under the baseline profile"
    return tuple(found)


NOISE_TYPES = ("null_resource", "random_pet", "terraform_data", "time_sleep", "local_file")
noise_key = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", max_size=8).map(lambda k: f"zz_{k}")


@st.composite
def noisy_blocking_plans(draw: st.DrawFn) -> bytes:
    """A blocking plan plus unrelated content: unknown keys anywhere, unrelated resources."""
    document: Any = json.loads(draw(st.sampled_from(blocking_seeds())))
    document = copy.deepcopy(document)
    objects = [path for path in pointers(document) if isinstance(_get(document, path), dict)]
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        path = draw(st.sampled_from(objects))
        _get(document, path)[draw(noise_key)] = draw(JSON_VALUES)
    changes = document.setdefault("resource_changes", [])
    for position in range(draw(st.integers(min_value=0, max_value=4))):
        resource_type = draw(st.sampled_from(NOISE_TYPES))
        after = draw(st.dictionaries(noise_key, JSON_VALUES, max_size=4))
        actions = draw(st.sampled_from((("create",), ("update",), ("no-op",), ("delete",))))
        entry = resource_change(
            resource_type,
            f"noise{position}",
            None if actions == ("delete",) else after,
            actions=actions,
            before=after if actions != ("create",) else None,
        )
        entry["provider_name"] = "registry.terraform.io/hashicorp/null"
        changes.insert(draw(st.integers(min_value=0, max_value=len(changes))), entry)
    return json.dumps(document).encode()


def _get(document: Any, path: tuple[str | int, ...]) -> Any:
    for key in path:
        document = document[key]
    return document


@FUZZ_SLOW
@given(noisy_blocking_plans())
def test_noise_never_turns_a_block_into_a_pass(data: bytes) -> None:
    result = check(data, "--format", "json")
    assert result.exit_code != 0, result.stdout[:2000]
