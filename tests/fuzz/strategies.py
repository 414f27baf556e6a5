"""Generated and mutated inputs for the property tests: JSON values, plans, policies, bytes.

Every strategy is bounded (sizes, depths) so that a test's budget is spent on variety, not on
one enormous example; the few deliberately huge inputs are built explicitly by the tests.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.paths import FIXTURES, corpus_plans

# One profile for every property test: reproducible in CI (derandomize), bounded in time.
FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ_SLOW = settings(FUZZ, max_examples=40)
"""For properties that run the whole CLI once per example."""

JSON_SCALARS: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
)

JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    JSON_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=12), children, max_size=5),
    ),
    max_leaves=30,
)

# A value of each JSON type, for "wrong type at this place" mutations.
WRONG_TYPES: tuple[Any, ...] = (None, True, 0, -1, 1.5, "", "x", [], [None], {}, {"": None})

PLAN_KEYS = (
    "format_version",
    "terraform_version",
    "resource_changes",
    "planned_values",
    "prior_state",
    "configuration",
    "variables",
    "output_changes",
    "resource_drift",
    "relevant_attributes",
    "checks",
    "complete",
    "errored",
    "applyable",
    "timestamp",
)

CHANGE_KEYS = (
    "actions",
    "before",
    "after",
    "after_unknown",
    "before_sensitive",
    "after_sensitive",
    "importing",
    "replace_paths",
)

ACTIONS = ("no-op", "create", "read", "update", "delete", "forget")


def _seed_paths() -> list[Path]:
    fixtures = sorted(FIXTURES.glob("*/*/plan.json"))
    corpus = corpus_plans()
    # A spread of the corpus: every fourth file keeps parsing cost down, the fixtures are small.
    return fixtures[:20] + corpus[::4]


@cache
def seed_plans() -> tuple[bytes, ...]:
    """Real plans to mutate: the repository's fixtures and a spread of the shared corpus."""
    return tuple(path.read_bytes() for path in _seed_paths())


def seed_documents() -> st.SearchStrategy[Any]:
    return st.sampled_from(seed_plans()).map(json.loads)


def pointers(document: Any, limit: int = 400) -> list[tuple[str | int, ...]]:
    """Paths to every value of `document` (breadth first, at most `limit`)."""
    found: list[tuple[str | int, ...]] = [()]
    queue: list[tuple[tuple[str | int, ...], Any]] = [((), document)]
    while queue and len(found) < limit:
        path, value = queue.pop(0)
        items: list[tuple[str | int, Any]] = []
        if isinstance(value, dict):
            items = list(value.items())
        elif isinstance(value, list):
            items = list(enumerate(value))
        for key, child in items:
            found.append((*path, key))
            queue.append(((*path, key), child))
    return found


def replace_at(document: Any, path: tuple[str | int, ...], value: Any) -> Any:
    """A deep copy of `document` with the value at `path` replaced (the root for `()`)."""
    if not path:
        return value
    copied = copy.deepcopy(document)
    parent = copied
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return copied


def delete_at(document: Any, path: tuple[str | int, ...]) -> Any:
    if not path:
        return None
    copied = copy.deepcopy(document)
    parent = copied
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    return copied


@st.composite
def mutated_documents(draw: st.DrawFn) -> Any:
    """A real plan with one to three structural mutations anywhere in it."""
    document = draw(seed_documents())
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        changes = _change_values(document)
        # Half the time inside a resource's values (what rules read), else anywhere.
        paths = changes if changes and draw(st.booleans()) else pointers(document)
        path = draw(st.sampled_from(paths))
        operation = draw(st.sampled_from(("wrong-type", "random", "delete", "wrap", "dup-list")))
        if operation == "wrong-type":
            document = replace_at(document, path, draw(st.sampled_from(WRONG_TYPES)))
        elif operation == "random":
            document = replace_at(document, path, draw(JSON_VALUES))
        elif operation == "delete" and path:
            document = delete_at(document, path)
        elif operation == "wrap":
            document = replace_at(document, path, [_get(document, path)])
        else:
            value = _get(document, path)
            document = replace_at(document, path, [value, value] if path else value)
    return document


def _change_values(document: Any) -> list[tuple[str | int, ...]]:
    """Paths into each resource's `before`/`after`/`after_unknown` values: what rules read."""
    found: list[tuple[str | int, ...]] = []
    changes = document.get("resource_changes") if isinstance(document, dict) else None
    if not isinstance(changes, list):
        return found
    for position, entry in enumerate(changes[:50]):
        change = entry.get("change") if isinstance(entry, dict) else None
        if not isinstance(change, dict):
            continue
        for side in ("after", "before", "after_unknown", "after_sensitive"):
            if isinstance(change.get(side), dict | list):
                base: tuple[str | int, ...] = ("resource_changes", position, "change", side)
                found.extend((*base, *path) for path in pointers(change[side], limit=60))
    return found


def _get(document: Any, path: tuple[str | int, ...]) -> Any:
    for key in path:
        document = document[key]
    return document


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    """A real plan's bytes with bytes flipped, cut, inserted or prefixed."""
    data = bytearray(draw(st.sampled_from(seed_plans())))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        operation = draw(st.sampled_from(("flip", "truncate", "insert", "prefix", "splice")))
        position = draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))
        if operation == "flip" and data:
            data[position] = draw(st.integers(min_value=0, max_value=255))
        elif operation == "truncate":
            del data[position:]
        elif operation == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
        elif operation == "prefix":
            data[0:0] = draw(
                st.sampled_from((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04", b"\x00"))
            )
        else:
            data[position:position] = draw(
                st.sampled_from((b"NaN", b"Infinity", b"-Infinity", b"1e999", b'"\\ud800"'))
            )
    return bytes(data)


def minimal_plan(*resources: dict[str, Any], **top: Any) -> dict[str, Any]:
    plan: dict[str, Any] = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "resource_changes": list(resources),
        "configuration": {"root_module": {}},
    }
    plan.update(top)
    return plan


def resource_change(
    resource_type: str,
    name: str,
    after: Any,
    *,
    actions: tuple[str, ...] = ("create",),
    before: Any = None,
    **change: Any,
) -> dict[str, Any]:
    return {
        "address": f"{resource_type}.{name}",
        "mode": "managed",
        "type": resource_type,
        "name": name,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": list(actions), "before": before, "after": after, **change},
    }


@st.composite
def plan_shaped_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Documents shaped like a plan whose every level may hold a value of the wrong type."""

    def maybe(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(good, good, good, st.sampled_from(WRONG_TYPES), JSON_VALUES)

    change = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "actions": maybe(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=2)),
                "before": maybe(st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=4)),
                "after": maybe(st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=4)),
                "after_unknown": JSON_VALUES,
                "after_sensitive": JSON_VALUES,
                "before_sensitive": JSON_VALUES,
                "importing": JSON_VALUES,
            },
        )
    )
    entry = draw(
        st.fixed_dictionaries(
            {
                "address": maybe(st.text(max_size=30)),
                "type": maybe(st.sampled_from(("aws_iam_user", "aws_iam_policy", "aws_s3_bucket"))),
                "name": maybe(st.text(max_size=10)),
                "change": maybe(st.just(change)),
            },
            optional={
                "mode": maybe(st.sampled_from(("managed", "data"))),
                "module_address": maybe(st.text(max_size=20)),
                "index": JSON_VALUES,
                "provider_name": JSON_VALUES,
            },
        )
    )
    top = draw(
        st.fixed_dictionaries(
            {"format_version": maybe(st.sampled_from(("0.1", "1.0", "1.2", "2.0", "x")))},
            optional={
                "resource_changes": maybe(st.lists(st.just(entry), max_size=2)),
                "configuration": maybe(
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "root_module": maybe(
                                st.dictionaries(
                                    st.sampled_from(("resources", "module_calls")),
                                    JSON_VALUES,
                                    max_size=2,
                                )
                            ),
                            "provider_config": maybe(
                                st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=2)
                            ),
                        },
                    )
                ),
                "prior_state": JSON_VALUES,
                "variables": JSON_VALUES,
                "planned_values": JSON_VALUES,
                "complete": JSON_VALUES,
                "errored": JSON_VALUES,
            },
        )
    )
    return top
