"""Plans whose resources live in child modules, in the shape `terraform show -json` writes:
`resource_changes` with `module_address`, `planned_values` with `child_modules`, and
`configuration.root_module.module_calls` with each call's argument `expressions`, the module's
`outputs` and the module-relative `resources`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from tfgate.plan.load import load_plan
from tfgate.plan.model import Plan

PROVIDER = "registry.terraform.io/hashicorp/aws"


def refs(*references: str) -> dict[str, Any]:
    """An expression as Terraform records one: each reference unwrapped step by step."""
    found: list[str] = []
    for reference in references:
        parts = reference.split(".")
        steps = [".".join(parts[:n]) for n in range(len(parts), 1, -1)]
        if "[" in steps[-1]:
            steps.append(steps[-1].split("[", 1)[0])
        found.extend(step for step in steps if step not in found)
    return {"references": found}


def const(value: Any) -> dict[str, Any]:
    return {"constant_value": value}


@dataclass(frozen=True)
class Block:
    """One resource instance: its values after the change and its configuration expressions."""

    type: str
    name: str
    after: Mapping[str, Any]
    expressions: Mapping[str, Any] = field(default_factory=dict)
    unknown: Sequence[str] = ()
    index: int | None = None

    @property
    def relative_address(self) -> str:
        suffix = f"[{self.index}]" if self.index is not None else ""
        return f"{self.type}.{self.name}{suffix}"


@dataclass(frozen=True)
class Call:
    """A module call: `module "<name>" { source = ..., <arguments> }`."""

    name: str
    source: str
    arguments: Mapping[str, Any]
    outputs: Mapping[str, Any]
    blocks: Sequence[Block]
    count: int | None = None


def _instance(block: Block, module: str, **rest: Any) -> dict[str, Any]:
    """An instance as `resource_changes` and `planned_values` both write it."""
    prefix = f"{module}." if module else ""
    entry: dict[str, Any] = {"address": f"{prefix}{block.relative_address}"}
    if module and "change" in rest:
        entry["module_address"] = module
    entry |= {"mode": "managed", "type": block.type, "name": block.name}
    if block.index is not None:
        entry["index"] = block.index
    return entry | {"provider_name": PROVIDER} | rest


def _change(block: Block, module: str) -> dict[str, Any]:
    change = {
        "actions": ["create"],
        "before": None,
        "after": dict(block.after),
        "after_unknown": dict.fromkeys(block.unknown, True),
        "before_sensitive": False,
        "after_sensitive": {},
    }
    return _instance(block, module, change=change)


def _planned(block: Block, module: str) -> dict[str, Any]:
    return _instance(block, module, schema_version=0, values=dict(block.after), sensitive_values={})


def _configured(block: Block, provider_key: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "address": f"{block.type}.{block.name}",
        "mode": "managed",
        "type": block.type,
        "name": block.name,
        "provider_config_key": provider_key,
        "expressions": dict(block.expressions),
        "schema_version": 0,
    }
    if block.index is not None:
        entry["count_expression"] = const(1)
    return entry


def _variables(call: Call) -> set[str]:
    """The module's variables: those its call sets and those its blocks read."""
    found = set(call.arguments)
    for block in call.blocks:
        text = orjson.dumps(block.expressions).decode()
        found.update(part.split('"', 1)[0] for part in text.split('"var.')[1:])
    return found


def _module_address(call: Call) -> str:
    return f"module.{call.name}" + (f"[{0}]" if call.count is not None else "")


def module_document(root: Sequence[Block], calls: Sequence[Call]) -> dict[str, Any]:
    changes = [_change(block, "") for block in root]
    children = []
    configured_calls: dict[str, Any] = {}
    for call in calls:
        address = _module_address(call)
        changes.extend(_change(block, address) for block in call.blocks)
        children.append(
            {
                "resources": sorted(
                    (_planned(block, address) for block in call.blocks),
                    key=lambda entry: str(entry["address"]),
                ),
                "address": address,
            }
        )
        configured: dict[str, Any] = {
            "source": call.source,
            "expressions": dict(call.arguments),
            "module": {
                "outputs": {name: {"expression": e} for name, e in call.outputs.items()},
                "resources": [_configured(block, f"{call.name}:aws") for block in call.blocks],
                "variables": {name: {} for name in sorted(_variables(call))},
            },
        }
        if call.count is not None:
            configured["count_expression"] = const(call.count)
        configured_calls[call.name] = configured
    planned_root: dict[str, Any] = {"resources": [_planned(block, "") for block in root]}
    if children:
        planned_root["child_modules"] = children
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": planned_root},
        "resource_changes": sorted(changes, key=lambda entry: str(entry["address"])),
        "configuration": {
            "provider_config": {
                "aws": {
                    "name": "aws",
                    "full_name": PROVIDER,
                    "expressions": {"region": const("eu-west-1")},
                }
            },
            "root_module": {
                "resources": [_configured(block, "aws") for block in root],
                "module_calls": configured_calls,
            },
        },
        "timestamp": "2026-12-01T09:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def module_plan(root: Sequence[Block], calls: Sequence[Call]) -> Plan:
    return load_plan(orjson.dumps(module_document(root, calls)), "modules.json")
