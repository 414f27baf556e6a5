"""Region resolution: resource argument, provider configuration, aliases, modules, variables.

The provider keys follow what `terraform show -json` writes: Terraform 1.1 and later rewrite a
resource's `provider_config_key` to the configuration a module call passed in (`aws.us` for a
resource in `module.replica` called with `providers = { aws = aws.us }`), while older plans and
modules that only declare `required_providers` keep a module-scoped key (`module.x:aws`).

`make_plan` and `resource` build small plans in that shape for the rule tests too.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
import pytest

from tfgate.plan.address import module_path
from tfgate.plan.load import load_plan
from tfgate.plan.model import Plan, Resource
from tfgate.plan.region import (
    RegionIndex,
    ResolvedRegion,
    arn_region,
    parent_provider_key,
    region_index,
    region_of,
)

PROVIDER = "registry.terraform.io/hashicorp/aws"


def resource(
    resource_type: str,
    name: str,
    after: Mapping[str, Any] | None,
    *,
    before: Mapping[str, Any] | None = None,
    unknown: Mapping[str, Any] | None = None,
    actions: Iterable[str] = ("create",),
    module: str = "",
    key: str = "aws",
    expressions: Mapping[str, Any] | None = None,
    index: int | str | None = None,
) -> dict[str, Any]:
    """One resource change and its configuration block, in plan JSON shape."""
    prefix = f"{module}." if module else ""
    suffix = "" if index is None else f"[{orjson.dumps(index).decode()}]"
    change: dict[str, Any] = {
        "address": f"{prefix}{resource_type}.{name}{suffix}",
        "mode": "managed",
        "type": resource_type,
        "name": name,
        "provider_name": PROVIDER,
        "change": {
            "actions": list(actions),
            "before": before,
            "after": after,
            "after_unknown": dict(unknown or {}),
            "before_sensitive": False if before is None else {},
            "after_sensitive": False if after is None else {},
        },
    }
    if module:
        change["module_address"] = module
    if index is not None:
        change["index"] = index
    config = {
        "address": f"{resource_type}.{name}",
        "mode": "managed",
        "type": resource_type,
        "name": name,
        "provider_config_key": key,
        "expressions": dict(expressions or {}),
        "schema_version": 0,
    }
    return {"change": change, "config": config, "module": module}


def make_plan(
    *items: Mapping[str, Any],
    providers: Mapping[str, Any] | None = None,
    variables: Mapping[str, Any] | None = None,
) -> Plan:
    """A plan document with `items` as its changes and configuration, loaded for real."""
    root: dict[str, Any] = {"resources": []}
    seen: set[tuple[tuple[str, ...], str]] = set()
    for item in items:
        path = module_path(item["module"])
        node = root
        for call in path:
            calls = node.setdefault("module_calls", {})
            node = calls.setdefault(call, {"source": f"./modules/{call}", "module": {}})["module"]
        if (path, item["config"]["address"]) not in seen:
            seen.add((path, item["config"]["address"]))
            node.setdefault("resources", []).append(item["config"])
    document = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "variables": {name: {"value": value} for name, value in (variables or {}).items()},
        "planned_values": {"root_module": {}},
        "resource_changes": [item["change"] for item in items],
        "configuration": {
            "provider_config": dict(
                providers
                if providers is not None
                else {
                    "aws": {
                        "name": "aws",
                        "expressions": {"region": {"constant_value": "eu-west-1"}},
                    }
                }
            ),
            "root_module": root,
        },
        "timestamp": "2025-01-01T00:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }
    return load_plan(orjson.dumps(document), "test-plan.json")


def provider(
    region: Any = None,
    *,
    alias: str | None = None,
    module: str = "",
    references: list[str] | None = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": "aws", "full_name": PROVIDER}
    if alias:
        entry["alias"] = alias
    if module:
        entry["module_address"] = module
    if region is not None:
        entry["expressions"] = {"region": {"constant_value": region}}
    elif references is not None:
        entry["expressions"] = {"region": {"references": references}}
    return entry


def one(plan: Plan, address: str) -> Resource:
    (found,) = plan.by_address[address]
    return found


def test_default_provider_constant_region() -> None:
    plan = make_plan(resource("aws_sqs_queue", "jobs", {"name": "jobs"}))
    found = region_of(plan, one(plan, "aws_sqs_queue.jobs"))
    assert found.region == "eu-west-1"
    assert found.origin == "provider 'aws'"


def test_alias_region() -> None:
    plan = make_plan(
        resource("aws_sqs_queue", "jobs", {"name": "jobs"}, key="aws.us"),
        providers={"aws": provider("eu-west-1"), "aws.us": provider("us-east-1", alias="us")},
    )
    assert region_of(plan, one(plan, "aws_sqs_queue.jobs")).region == "us-east-1"


def test_region_from_a_root_variable() -> None:
    plan = make_plan(
        resource("aws_sqs_queue", "jobs", {"name": "jobs"}),
        providers={"aws": provider(references=["var.region"])},
        variables={"region": "eu-north-1"},
    )
    found = region_of(plan, one(plan, "aws_sqs_queue.jobs"))
    assert found.region == "eu-north-1"
    assert "variable 'region'" in found.origin


def test_region_from_a_variable_without_a_value_is_unknown() -> None:
    plan = make_plan(
        resource("aws_sqs_queue", "jobs", {"name": "jobs"}),
        providers={"aws": provider(references=["var.region"])},
    )
    found = region_of(plan, one(plan, "aws_sqs_queue.jobs"))
    assert found.region is None
    assert not found.known


def test_region_from_the_environment_is_unknown() -> None:
    plan = make_plan(
        resource("aws_sqs_queue", "jobs", {"name": "jobs"}), providers={"aws": provider()}
    )
    found = region_of(plan, one(plan, "aws_sqs_queue.jobs"))
    assert found.region is None
    assert "environment" in found.origin


def test_region_from_a_data_source_is_unknown() -> None:
    plan = make_plan(
        resource("aws_sqs_queue", "jobs", {"name": "jobs"}),
        providers={"aws": provider(references=["data.aws_ssm_parameter.region.value"])},
    )
    assert region_of(plan, one(plan, "aws_sqs_queue.jobs")).region is None


def test_module_passed_provider_as_terraform_writes_it() -> None:
    # module "replica" { providers = { aws = aws.us } }: Terraform writes the passed key.
    plan = make_plan(
        resource("aws_sqs_queue", "q", {"name": "q"}, module="module.replica", key="aws.us"),
        resource(
            "aws_sns_topic", "t", {"name": "t"}, module="module.replica.module.inner", key="aws.us"
        ),
        resource("aws_sns_topic", "t", {"name": "t"}, module="module.plain", key="aws"),
        providers={"aws": provider("eu-central-1"), "aws.us": provider("us-east-1", alias="us")},
    )
    assert region_of(plan, one(plan, "module.replica.aws_sqs_queue.q")).region == "us-east-1"
    inner = one(plan, "module.replica.module.inner.aws_sns_topic.t")
    assert region_of(plan, inner).region == "us-east-1"
    assert region_of(plan, one(plan, "module.plain.aws_sns_topic.t")).region == "eu-central-1"


def test_module_scoped_key_inherits_from_the_caller() -> None:
    # A module that declares required_providers only: an entry without a region.
    plan = make_plan(
        resource(
            "aws_sqs_queue",
            "q",
            {"name": "q"},
            module="module.a.module.b",
            key="module.a.module.b:aws",
        ),
        providers={
            "aws": provider("eu-west-3"),
            "module.a.module.b:aws": provider(module="module.a.module.b"),
        },
    )
    assert region_of(plan, one(plan, "module.a.module.b.aws_sqs_queue.q")).region == "eu-west-3"


def test_module_scoped_alias_inherits_from_the_same_alias() -> None:
    plan = make_plan(
        resource("aws_sqs_queue", "q", {"name": "q"}, module="module.dr", key="module.dr:aws.dr"),
        providers={"aws": provider("eu-west-1"), "aws.dr": provider("eu-central-1", alias="dr")},
    )
    assert region_of(plan, one(plan, "module.dr.aws_sqs_queue.q")).region == "eu-central-1"


def test_pre_013_module_key_inherits_from_the_root() -> None:
    plan = make_plan(
        resource("aws_sqs_queue", "q", {"name": "q"}, module="module.legacy", key="legacy:aws"),
        providers={"aws": provider("eu-south-1")},
    )
    assert region_of(plan, one(plan, "module.legacy.aws_sqs_queue.q")).region == "eu-south-1"


def test_provider_inside_a_module_with_its_own_region() -> None:
    plan = make_plan(
        resource("aws_sqs_queue", "q", {"name": "q"}, module="module.x", key="module.x:aws"),
        providers={
            "aws": provider("eu-west-1"),
            "module.x:aws": provider("ap-south-1", module="module.x"),
        },
    )
    assert region_of(plan, one(plan, "module.x.aws_sqs_queue.q")).region == "ap-south-1"


def test_provider_inside_a_module_with_a_module_variable_is_unknown() -> None:
    plan = make_plan(
        resource("aws_sqs_queue", "q", {"name": "q"}, module="module.x", key="module.x:aws"),
        providers={
            "aws": provider("eu-west-1"),
            "module.x:aws": provider(module="module.x", references=["var.region"]),
        },
        variables={"region": "eu-west-1"},  # the root variable, not the module's input
    )
    assert region_of(plan, one(plan, "module.x.aws_sqs_queue.q")).region is None


def test_resource_region_argument_wins_over_the_provider() -> None:
    # AWS provider v6: every regional resource takes `region`.
    plan = make_plan(
        resource(
            "aws_sqs_queue",
            "q",
            {"name": "q", "region": "us-west-2"},
            expressions={"region": {"constant_value": "us-west-2"}},
        )
    )
    found = region_of(plan, one(plan, "aws_sqs_queue.q"))
    assert found.region == "us-west-2"
    assert found.origin == "its region argument"


def test_resource_region_argument_from_a_variable() -> None:
    plan = make_plan(
        resource(
            "aws_sqs_queue",
            "q",
            {"name": "q"},
            unknown={"region": True},
            expressions={"region": {"references": ["var.queue_region"]}},
        ),
        variables={"queue_region": "eu-central-1"},
    )
    assert region_of(plan, one(plan, "aws_sqs_queue.q")).region == "eu-central-1"


def test_resource_region_argument_known_only_after_apply_is_unknown() -> None:
    plan = make_plan(
        resource(
            "aws_sqs_queue",
            "q",
            {"name": "q"},
            unknown={"region": True},
            expressions={"region": {"references": ["aws_s3_bucket.other.region"]}},
        )
    )
    assert region_of(plan, one(plan, "aws_sqs_queue.q")).region is None


def test_computed_region_attribute_falls_back_to_the_provider() -> None:
    # AWS provider v5: aws_s3_bucket.region is computed, unknown on create.
    plan = make_plan(
        resource("aws_s3_bucket", "b", {"bucket": "b"}, unknown={"region": True}),
        providers={"aws": provider("eu-north-1")},
    )
    assert region_of(plan, one(plan, "aws_s3_bucket.b")).region == "eu-north-1"


def test_known_region_attribute_is_used() -> None:
    plan = make_plan(
        resource(
            "aws_s3_bucket",
            "b",
            {"bucket": "b", "region": "eu-west-3"},
            before={"bucket": "b", "region": "eu-west-3"},
            actions=("no-op",),
        )
    )
    found = region_of(plan, one(plan, "aws_s3_bucket.b"))
    assert found.region == "eu-west-3"
    assert found.origin == "its region attribute"


def test_missing_provider_configuration_is_unknown() -> None:
    plan = make_plan(resource("aws_sqs_queue", "q", {"name": "q"}, key="aws.gone"), providers={})
    found = region_of(plan, one(plan, "aws_sqs_queue.q"))
    assert found.region is None
    assert "not in the plan" in found.origin


@pytest.mark.parametrize(
    ("key", "parent"),
    [
        ("aws", None),
        ("aws.eu", None),
        ("module.a:aws", "aws"),
        ("module.a.module.b:aws", "module.a:aws"),
        ("module.a:aws.eu", "aws.eu"),
        ("a:aws", "aws"),
        ("a.b:aws", "a:aws"),
    ],
)
def test_parent_provider_key(key: str, parent: str | None) -> None:
    assert parent_provider_key(key) == parent


@pytest.mark.parametrize(
    ("arn", "region"),
    [
        ("arn:aws:backup:eu-west-1:111122223333:backup-vault:dr", "eu-west-1"),
        ("arn:aws:s3:::bucket", None),
        ("arn:aws:iam::111122223333:role/x", None),
        ("not-an-arn", None),
    ],
)
def test_arn_region(arn: str, region: str | None) -> None:
    assert arn_region(arn) == region


def test_the_index_is_built_once_per_plan() -> None:
    plan = make_plan(resource("aws_sqs_queue", "q", {"name": "q"}))
    assert region_index(plan) is region_index(plan)
    other = make_plan(resource("aws_sqs_queue", "q", {"name": "q"}))
    assert region_index(other) is not region_index(plan)


def test_fifty_thousand_resources_resolve_each_provider_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    items = [
        resource(
            "aws_sqs_queue",
            "q",
            {"name": f"q{i}"},
            module=f'module.m["{i % 50}"]',
            key="aws.us",
            index=i,
        )
        for i in range(50_000)
    ]
    plan = make_plan(
        *items,
        providers={"aws": provider("eu-west-1"), "aws.us": provider("us-east-1", alias="us")},
    )
    calls: list[str] = []
    original = RegionIndex._resolve_key

    def counting(self: RegionIndex, key: str, seen: tuple[str, ...]) -> ResolvedRegion:
        calls.append(key)
        return original(self, key, seen)

    monkeypatch.setattr(RegionIndex, "_resolve_key", counting)
    started = time.perf_counter()
    regions = {region_of(plan, r).region for r in plan.resources}
    elapsed = time.perf_counter() - started
    assert regions == {"us-east-1"}
    assert calls == ["aws.us"]
    assert elapsed < 10.0  # about 0.2 s on a developer machine; generous for loaded CI


def run_rule(rule: Any, plan: Plan, address: str, **params: Any) -> list[Any]:
    """The hits of `rule` on the `after` side of one resource, with defaults and `params`."""
    from tfgate.rules.base import Context

    found = one(plan, address)
    return list(rule.check(found, found.after, Context(plan), {**rule.defaults, **params}))
