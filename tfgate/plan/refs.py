"""References between resources, read from the plan's `configuration` block.

A value that is unknown at plan time (the ARN of a KMS key created in the same apply) is still
tied to its source by the expression that produces it: `kms_key_id = aws_kms_key.logs.arn` is
recorded as `{"references": ["aws_kms_key.logs.arn", "aws_kms_key.logs"]}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tfgate.plan.address import split_address, strip_key
from tfgate.plan.model import Plan, Resource
from tfgate.plan.values import PathPart

NON_RESOURCE_ROOTS = frozenset(
    {"var", "local", "module", "each", "count", "path", "terraform", "self"}
)


@dataclass(frozen=True, slots=True)
class Target:
    """What a reference points at: a resource or data source block, or something else."""

    kind: str  # "resource", "data", "module", "var", "local", ...
    type: str = ""
    name: str = ""

    @property
    def config_address(self) -> str:
        prefix = "data." if self.kind == "data" else ""
        return f"{prefix}{self.type}.{self.name}"


def parse_reference(reference: str) -> Target:
    parts = split_address(reference)
    head = strip_key(parts[0])
    if head == "data" and len(parts) >= 3:
        return Target("data", parts[1], strip_key(parts[2]))
    if head in NON_RESOURCE_ROOTS or len(parts) < 2:
        return Target(head)
    return Target("resource", head, strip_key(parts[1]))


def expression(resource: Resource, *path: PathPart) -> Mapping[str, Any] | None:
    """The configuration expression at `path` (blocks are lists of expression objects)."""
    node: Any = resource.expressions
    for part in path:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
        else:
            node = node.get(part) if isinstance(node, Mapping) else None
        if node is None:
            return None
    return node if isinstance(node, Mapping) else None


def references(resource: Resource, *path: PathPart) -> tuple[str, ...]:
    found = expression(resource, *path)
    if not found:
        return ()
    raw = found.get("references")
    if not isinstance(raw, list):
        return ()
    return tuple(item for item in raw if isinstance(item, str))


def reference_targets(resource: Resource, *path: PathPart) -> tuple[Target, ...]:
    seen: dict[Target, None] = {}
    for reference in references(resource, *path):
        seen.setdefault(parse_reference(reference), None)
    return tuple(seen)


def referenced_resources(plan: Plan, resource: Resource, *path: PathPart) -> tuple[Resource, ...]:
    """The resources in the plan that the expression at `path` refers to (same module instance)."""
    found: dict[str, Resource] = {}
    for target in reference_targets(resource, *path):
        if target.kind in ("resource", "data"):
            for instance in plan.instances(resource.module_address, target.config_address):
                found.setdefault(instance.address, instance)
    return tuple(found.values())


def data_source_values(plan: Plan, resource: Resource, target: Target) -> Mapping[str, Any] | None:
    """Values of a data source read at plan time, for a reference made from `resource`."""
    prefix = f"{resource.module_address}." if resource.module_address else ""
    return plan.data_sources.get(f"{prefix}{target.config_address}")
