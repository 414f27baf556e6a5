"""References between resources, read from the plan's `configuration` block.

A value that is unknown at plan time (the ARN of a KMS key created in the same apply) is still
tied to its source by the expression that produces it: `kms_key_id = aws_kms_key.logs.arn` is
recorded as `{"references": ["aws_kms_key.logs.arn", "aws_kms_key.logs"]}`.

A reference to one instance of a block with `count` or `for_each` names its key, and Terraform
follows it with the bare block: `data.x.d["b"].json`, `data.x.d["b"]`, `data.x.d`. A bare block
that does not follow its own instance is a reference whose index is computed (`d[each.key]`,
`d[count.index]`) or a splat (`d[*]`): it may be any instance, so it stands for all of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tfgate.plan.address import InstanceKey, instance_key, module_path, split_address, strip_key
from tfgate.plan.model import Plan, ReadData, Resource
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
    key: InstanceKey | None = None
    """The instance the reference names (`d["b"]`, `d[0]`); None: every instance may be meant."""

    @property
    def config_address(self) -> str:
        prefix = "data." if self.kind == "data" else ""
        return f"{prefix}{self.type}.{self.name}"


def parse_reference(reference: str) -> Target:
    parts = split_address(reference)
    head = strip_key(parts[0])
    if head == "data" and len(parts) >= 3:
        return Target("data", parts[1], strip_key(parts[2]), instance_key(parts[2]))
    if head in NON_RESOURCE_ROOTS or len(parts) < 2:
        return Target(head)
    return Target("resource", head, strip_key(parts[1]), instance_key(parts[1]))


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
    """What the expression at `path` refers to, each target once, in the order it does."""
    return tuple(dict.fromkeys(reference_occurrences(resource, *path)))


def reference_occurrences(resource: Resource, *path: PathPart) -> tuple[Target, ...]:
    """One target per reference written in the expression at `path`, in order."""
    return tuple(parse_reference(head) for head in reference_heads(references(resource, *path)))


def reference_heads(raw: Sequence[str]) -> list[str]:
    """The references written in an expression, one entry each, in order.

    Terraform writes each reference unwrapped step by step (`d["b"].json`, `d["b"]`, `d`); an
    entry that is the previous one cut short belongs to the same reference.
    """
    heads: list[str] = []
    previous = ""
    for reference in raw:
        cut_short = previous.startswith(reference) and previous[len(reference) :][:1] in (".", "[")
        if not cut_short:
            heads.append(reference)
        previous = reference
    return heads


_KNOWN_BY_CONSTRUCTION = ("each.key", "count.index")
"""Index values Terraform requires to be known at plan time."""

_MAX_HOPS = 16


def through_modules(plan: Plan, module_address: str, heads: Sequence[str]) -> list[tuple[str, str]]:
    """(module address, reference) for what `heads`, written in `module_address`, come from:
    a module variable is followed to the argument of the call that sets it, a module output to
    its expression. Values known by construction are left out (a root variable, a variable
    left to its default, `each.key`, `count.index`); a reference that cannot be followed (a
    module called with `count` and no key, `each.value`, a local) is kept as it is.

    Each (module, reference) is followed once, so the work is bounded by the configuration's
    size however the references fan out; one met again while being followed is kept as is."""
    memo: dict[tuple[str, str], frozenset[tuple[str, str]] | None] = {}

    def follow(address: str, head: str, hops: int) -> frozenset[tuple[str, str]]:
        key = (address, head)
        if key in memo:
            done = memo[key]
            return done if done is not None else frozenset({key})
        memo[key] = None
        found: set[tuple[str, str]] = set()
        parts = split_address(head)
        root = strip_key(parts[0])
        if head.startswith(_KNOWN_BY_CONSTRUCTION):
            pass
        elif hops >= _MAX_HOPS or root not in ("var", "module") or len(parts) < 2:
            found.add(key)
        elif root == "var":
            if address:  # a root variable is known: the plan holds its value
                argument = plan.module_inputs.get(module_path(address), {}).get(parts[1])
                parent = ".".join(split_address(address)[:-2])
                for inner in _heads_of(argument):
                    found.update(follow(parent, inner, hops + 1))
        else:
            child = f"{address}.module.{parts[1]}".lstrip(".")
            output = (
                plan.module_outputs.get(module_path(child), {}).get(parts[2])
                if len(parts) > 2
                else None
            )
            if output is None:
                found.add(key)
            for inner in _heads_of(output):
                found.update(follow(child, inner, hops + 1))
        settled = frozenset(found)
        memo[key] = settled
        return settled

    result: dict[tuple[str, str], None] = {}
    for head in heads:
        result.update(dict.fromkeys(sorted(follow(module_address, head, 0))))
    return list(result)


def _heads_of(expression: Any) -> list[str]:
    """The references of a configuration expression (none for a constant or nothing)."""
    raw = expression.get("references") if isinstance(expression, Mapping) else None
    return reference_heads([r for r in raw if isinstance(r, str)]) if isinstance(raw, list) else []


def target_instances(plan: Plan, module_address: str, target: Target) -> tuple[Resource, ...]:
    """The instances in the plan's changes that `target`, referred to from `module_address`,
    may mean: the one its key names, or every instance of the block."""
    instances = plan.instances(module_address, target.config_address)
    if target.key is None:
        return instances
    return tuple(instance for instance in instances if instance.index == target.key)


def resolved_targets(
    plan: Plan, resource: Resource, *path: PathPart
) -> tuple[tuple[str, Target], ...]:
    """(module address, target) for what the expression at `path` takes its value from, each
    once: written there, or passed in through module variables and outputs (`through_modules`),
    so `kms_key_id = var.key_arn` in a module called with `key_arn = module.kms.key_arn` names
    the `aws_kms_key` that output comes from, in the module that declares it."""
    heads = reference_heads(references(resource, *path))
    if not heads:
        return ()
    followed = through_modules(plan, resource.module_address, heads)
    return tuple(dict.fromkeys((address, parse_reference(head)) for address, head in followed))


def referenced_resources(plan: Plan, resource: Resource, *path: PathPart) -> tuple[Resource, ...]:
    """The resources in the plan that the expression at `path` refers to, in the module that
    declares them (followed through module variables and outputs).

    A reference to an instance that is not among the plan's changes (a data source read at plan
    time) falls back to every instance of the block; a block in a module whose instance the
    reference does not name (a module output read from a module called with `count`) to every
    instance of the block in every instance of that module.
    """
    found: dict[str, Resource] = {}
    for module_address, target in resolved_targets(plan, resource, *path):
        if target.kind in ("resource", "data"):
            instances = target_instances(plan, module_address, target)
            if not instances:
                instances = plan.instances(module_address, target.config_address)
            if not instances:
                block = (module_path(module_address), target.config_address)
                instances = plan.by_config.get(block, ())
            for instance in instances:
                found.setdefault(instance.address, instance)
    return tuple(found.values())


def data_source_values(plan: Plan, resource: Resource, target: Target) -> Mapping[str, Any] | None:
    """Values of a data source read at plan time, for a reference made from `resource`.

    For a reference that may mean any instance, the values of the block's only instance."""
    read = read_instances(plan, resource.module_address, target)
    return read[0].values if len(read) == 1 else None


def read_instances(plan: Plan, module_address: str, target: Target) -> tuple[ReadData, ...]:
    """The data sources read at plan time that `target`, referred to from `module_address`,
    may mean: the one its key names, or every instance of the block."""
    read = plan.read_data.get((module_address, target.config_address), ())
    if target.key is None:
        return read
    return tuple(entry for entry in read if entry.key == target.key)
