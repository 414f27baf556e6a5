"""Synthetic one-resource plans for the IAM rule tests: a policy document placed where a
resource of the right kind holds it, loaded through the real plan loader."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from tfgate.plan.load import load_plan
from tfgate.plan.model import Plan, Resource
from tfgate.report import Severity
from tfgate.rules import RULES
from tfgate.rules.base import Context, Rule

PROVIDER = "registry.terraform.io/hashicorp/aws"

# Where each golden kind puts its document: (resource type, attribute, other attributes).
HOLDERS: Mapping[str, tuple[str, str, Mapping[str, Any]]] = {
    "identity": ("aws_iam_policy", "policy", {"name": "golden", "path": "/"}),
    "trust": ("aws_iam_role", "assume_role_policy", {"name": "golden", "path": "/"}),
    "resource": ("aws_s3_bucket_policy", "policy", {"bucket": "golden"}),
}


def change(
    resource_type: str,
    name: str,
    after: Mapping[str, Any] | None,
    *,
    before: Mapping[str, Any] | None = None,
    after_unknown: Mapping[str, Any] | None = None,
    actions: Iterable[str] = ("create",),
    module: str = "",
    mode: str = "managed",
) -> dict[str, Any]:
    prefix = f"{module}." if module else ""
    data = "data." if mode == "data" else ""
    entry: dict[str, Any] = {
        "address": f"{prefix}{data}{resource_type}.{name}",
        "mode": mode,
        "type": resource_type,
        "name": name,
        "provider_name": PROVIDER,
        "change": {
            "actions": list(actions),
            "before": before,
            "after": after,
            "after_unknown": after_unknown or {},
            "before_sensitive": False if before is None else {},
            "after_sensitive": False if after is None else {},
        },
    }
    if module:
        entry["module_address"] = module
    return entry


def plan_of(
    changes: list[dict[str, Any]],
    *,
    configuration: Mapping[str, Any] | None = None,
    prior_state: Mapping[str, Any] | None = None,
) -> Plan:
    document: dict[str, Any] = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {}},
        "resource_changes": changes,
        "configuration": configuration or {"root_module": {}},
    }
    if prior_state is not None:
        document["prior_state"] = prior_state
    return load_plan(orjson.dumps(document), "synthetic.json")


def document_plan(kind: str, policy: Any) -> Plan:
    """A plan creating one resource that holds `policy` as a document of `kind`."""
    resource_type, attribute, others = HOLDERS[kind]
    text = policy if isinstance(policy, str) else orjson.dumps(policy).decode()
    return plan_of([change(resource_type, "golden", {**others, attribute: text})])


def findings(
    plan: Plan,
    accounts: frozenset[str] = frozenset(),
    rules: Iterable[Rule] = RULES,
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, list[tuple[str, Severity, str, bool]]]:
    """rule id -> [(address, severity, message, unknown)] over every managed resource, `after`."""
    ctx = Context(plan, accounts)
    found: dict[str, list[tuple[str, Severity, str, bool]]] = {}
    for rule in rules:
        settings = {**rule.defaults, **((params or {}).get(rule.id) or {})}
        for resource in plan.resources:
            if resource.mode != "managed" or resource.type not in rule.resource_types:
                continue
            for hit in rule.check(resource, resource.after, ctx, settings):
                found.setdefault(rule.id, []).append(
                    (resource.address, hit.severity or rule.severity, hit.message, hit.unknown)
                )
    return found


def worst(hits: list[tuple[str, Severity, str, bool]]) -> Severity:
    return min((severity for _, severity, _, _ in hits), key=lambda s: s.rank)


def resource(plan: Plan, address: str) -> Resource:
    return next(r for r in plan.resources if r.address == address)
