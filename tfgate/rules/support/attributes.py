"""What the configuration sets: whether an attribute is written, and whether it names something."""

from __future__ import annotations

from tfgate.plan.model import Resource
from tfgate.plan.values import Known, View
from tfgate.rules.base import Context


def is_configured(resource: Resource, attribute: str) -> bool | None:
    """Whether the configuration sets `attribute` (None when the plan has no configuration)."""
    if not resource.expressions:
        return None
    return attribute in resource.expressions


def attribute_state(
    resource: Resource, view: View, ctx: Context, attribute: str, types: frozenset[str]
) -> str:
    """`set`, `unset` or `unknown` for an attribute that should name an ARN or id.

    A value known only after apply counts as set when its expression refers to a resource of one
    of `types` (a log group created in the same plan, for example).
    """
    found = view.get(attribute)
    if isinstance(found, Known):
        return "set" if isinstance(found.value, str) and found.value.strip() else "unset"
    if view.is_unknown(attribute):
        if any(target.type in types for target in ctx.targets(resource, attribute)):
            return "set"
        return "unknown"
    return "unset"
