"""The plan loader on generated, mutated and hostile bytes: a `Plan` or a clean `PlanError`.

"Clean" means one line naming the source, never a traceback or another exception type, and
quickly: no input may make the loader take time or memory out of proportion to its size.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.strategies import (
    FUZZ,
    JSON_VALUES,
    PLAN_KEYS,
    WRONG_TYPES,
    minimal_plan,
    mutated_bytes,
    mutated_documents,
    plan_shaped_documents,
    pointers,
    replace_at,
    resource_change,
    seed_plans,
)
from tfgate.errors import TfgateError
from tfgate.plan.load import load_plan
from tfgate.plan.model import Plan

SOURCE = "plan.json"


def load_or_refuse(data: bytes) -> Plan | TfgateError:
    """Load `data`; any exception other than a TfgateError fails the test."""
    try:
        return load_plan(data, SOURCE)
    except TfgateError as error:
        message = str(error)
        assert "\n" not in message, message
        assert message.startswith(f"{SOURCE}"), message
        assert "Traceback" not in message
        return error


def dumps(document: Any) -> bytes:
    return json.dumps(document).encode()


@FUZZ
@given(JSON_VALUES)
def test_any_json_value(document: Any) -> None:
    load_or_refuse(dumps(document))


@FUZZ
@given(st.binary(max_size=512))
def test_any_bytes(data: bytes) -> None:
    load_or_refuse(data)


@FUZZ
@given(plan_shaped_documents())
def test_plan_shaped_documents_with_wrong_types(document: Any) -> None:
    load_or_refuse(dumps(document))


@FUZZ
@given(mutated_documents())
def test_mutated_real_plans(document: Any) -> None:
    load_or_refuse(dumps(document))


@FUZZ
@given(mutated_bytes())
def test_mutated_real_plan_bytes(data: bytes) -> None:
    load_or_refuse(data)


@pytest.mark.parametrize("wrong", WRONG_TYPES, ids=repr)
def test_wrong_type_at_every_level_of_a_real_plan(wrong: Any) -> None:
    """Systematic, not sampled: each of the first 400 places of a real plan, each JSON type."""
    document = json.loads(seed_plans()[0])
    for path in pointers(document):
        load_or_refuse(dumps(replace_at(document, path, wrong)))


@pytest.mark.parametrize("key", PLAN_KEYS)
@pytest.mark.parametrize("wrong", WRONG_TYPES, ids=repr)
def test_wrong_type_for_each_top_level_key(key: str, wrong: Any) -> None:
    load_or_refuse(dumps(minimal_plan(**{key: wrong})))


HOSTILE: dict[str, bytes] = {
    "empty": b"",
    "whitespace": b" \r\n\t ",
    "nul bytes": b"\x00" * 64,
    "utf-8 bom only": b"\xef\xbb\xbf",
    "utf-8 bom plan": b"\xef\xbb\xbf" + dumps(minimal_plan()),
    "utf-16 le plan": json.dumps(minimal_plan()).encode("utf-16"),
    "utf-16 be plan": b"\xfe\xff" + json.dumps(minimal_plan()).encode("utf-16-be"),
    "utf-16 odd length": b"\xff\xfe{\x00\x00",
    "utf-32 plan": json.dumps(minimal_plan()).encode("utf-32"),
    "latin-1 text": '{"format_version": "1.2", "x": "café"}'.encode("latin-1"),
    "lone surrogate": b'{"format_version": "1.2", "x": "\\ud800"}',
    "invalid utf-8": b'{"format_version": "1.2", "x": "\xff\xfe\xfd"}',
    "NaN": b'{"format_version": "1.2", "resource_changes": NaN}',
    "Infinity": b'{"format_version": "1.2", "x": Infinity}',
    "-Infinity": b'{"format_version": "1.2", "x": -Infinity}',
    "overflowing float": b'{"format_version": "1.2", "x": 1e999}',
    "huge integer": b'{"format_version": "1.2", "x": ' + b"9" * 5000 + b"}",
    "duplicate keys": b'{"format_version": "1.2", "resource_changes": [], "resource_changes": 7}',
    "deep arrays": b"[" * 100_000 + b"]" * 100_000,
    "deep objects": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "unclosed": b'{"format_version": "1.2", "resource_changes": [',
    "two documents": dumps(minimal_plan()) + b"\n" + dumps(minimal_plan()),
    "zip magic": b"PK\x03\x04" + b"\x00" * 100,
    "wrapper line": b"[command]/usr/bin/terraform show -json\n{}",
    "top-level string": b'"a plan"',
    "top-level number": b"42",
    "format_version 2": dumps(minimal_plan(format_version="2.0")),
    "format_version number": dumps(minimal_plan(format_version=1.2)),
    "errored": dumps(minimal_plan(errored=True)),
    "unknown action": dumps(minimal_plan(resource_change("aws_iam_user", "u", {}, actions=("x",)))),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_inputs(name: str) -> None:
    load_or_refuse(HOSTILE[name])


def test_duplicate_keys_keep_the_last_like_terraform() -> None:
    """Go's encoding/json and orjson agree: the last duplicate wins."""
    data = (
        b'{"format_version": "1.2", "resource_changes": [], "resource_changes": '
        + dumps([resource_change("aws_iam_user", "u", {"name": "u"})])
        + b"}"
    )
    plan = load_plan(data, SOURCE)
    assert [resource.address for resource in plan.resources] == ["aws_iam_user.u"]


def test_huge_string_values_load() -> None:
    big = "A" * 20_000_000
    plan = load_plan(
        dumps(minimal_plan(resource_change("aws_iam_user", "u", {"name": big}))), SOURCE
    )
    assert plan.resources[0].after.values is not None


def deep_value(depth: int) -> bytes:
    return b'{"k":' * depth + b'"leaf"' + b"}" * depth


def plan_with_deep_tags(depth: int) -> bytes:
    """A plan whose one resource has tags nested `depth` levels deep (built as text)."""
    marker = "DEEP-VALUE-MARKER"
    text = dumps(minimal_plan(resource_change("aws_iam_user", "u", {"tags": marker})))
    return text.replace(f'"{marker}"'.encode(), deep_value(depth))


@pytest.mark.parametrize("depth", [900, 1015, 1030, 100_000])
def test_deep_values_load_or_refuse(depth: int) -> None:
    load_or_refuse(plan_with_deep_tags(depth))


def test_deeply_nested_modules_load_or_refuse() -> None:
    """Module trees nested as deep as the JSON parser allows: the walkers must not overflow."""
    calls = b'{"module_calls": {"m": {"module": ' * 300 + b"{}" + b"}}}" * 300
    children = b'{"address": "module.m", "child_modules": [' * 450 + b"{}" + b"]}" * 450
    text = dumps(
        minimal_plan(
            configuration={"root_module": "CALLS"},
            prior_state={"values": {"root_module": "CHILDREN"}},
        )
    )
    text = text.replace(b'"CALLS"', calls).replace(b'"CHILDREN"', children)
    load_or_refuse(text)


def test_many_resources_load() -> None:
    resources = [resource_change("aws_iam_user", f"u{n}", {"name": f"u{n}"}) for n in range(20_000)]
    plan = load_plan(dumps(minimal_plan(*resources)), SOURCE)
    assert len(plan.resources) == 20_000
