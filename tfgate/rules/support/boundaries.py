"""Which `aws_iam_policy` instances a plan uses only as permissions boundaries.

A boundary is a ceiling, not a grant, so identity rules do not judge a policy used only as one.
"Only" is proven, never assumed, because the author of the change chooses every reference: a
policy named as someone's `permissions_boundary` is still a grant when anything attaches it or
may attach it. It may be attached when an attachment (`aws_iam_*_policy_attachment`,
`aws_iam_policy_attachment`, `managed_policy_arns`, the `*_policy_attachments_exclusive`
resources, an Identity Center customer-managed policy reference) names it by reference or by its
known ARN or name, or when an attachment's policy is known only after apply and its references
do not prove it is another policy. Module variables and outputs are followed to the expressions
that set them; what cannot be followed (a local, `each.value`, another data source, a module
with `count` named without its key) may carry this policy's ARN.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tfgate.plan.address import InstanceKey
from tfgate.plan.model import Plan, Resource
from tfgate.plan.refs import parse_reference, reference_heads, references, through_modules
from tfgate.plan.values import PathPart, View
from tfgate.rules.base import Context
from tfgate.rules.support.memo import per_plan

POLICY = "aws_iam_policy"

# Where managed policies are attached: resource type -> paths of the values naming them.
ATTACHING_ARNS: dict[str, tuple[tuple[PathPart, ...], ...]] = {
    "aws_iam_role_policy_attachment": (("policy_arn",),),
    "aws_iam_user_policy_attachment": (("policy_arn",),),
    "aws_iam_group_policy_attachment": (("policy_arn",),),
    "aws_iam_policy_attachment": (("policy_arn",),),
    "aws_iam_role": (("managed_policy_arns",),),
    "aws_iam_role_policy_attachments_exclusive": (("policy_arns",),),
    "aws_iam_user_policy_attachments_exclusive": (("policy_arns",),),
    "aws_iam_group_policy_attachments_exclusive": (("policy_arns",),),
}
ATTACHING_NAMES: dict[str, tuple[tuple[PathPart, ...], ...]] = {
    "aws_ssoadmin_customer_managed_policy_attachment": (
        ("customer_managed_policy_reference", 0, "name"),
    ),
}
BOUNDING = ("aws_iam_role", "aws_iam_user")

_Use = tuple[str, str, InstanceKey | None]
"""(module address, `aws_iam_policy.<name>`, instance key or None for every instance)."""


@dataclass(frozen=True, slots=True)
class PolicyUses:
    """How a plan uses its `aws_iam_policy` instances: as boundaries and as grants."""

    bound: frozenset[_Use]
    bound_arns: frozenset[str]
    attached: frozenset[_Use]
    attached_arns: frozenset[str]
    attached_names: frozenset[str]
    unresolved: bool
    """Some attachment's policy is known only after apply and may be any policy."""


def policy_uses(plan: Plan) -> PolicyUses:
    """The uses of a plan's policies, computed once per plan."""
    return per_plan(plan, "policy-uses", _policy_uses)


def _policy_uses(plan: Plan) -> PolicyUses:
    bound: set[_Use] = set()
    bound_arns: set[str] = set()
    attached: set[_Use] = set()
    attached_arns: set[str] = set()
    attached_names: set[str] = set()
    unresolved = False
    for resource in plan.resources:
        if resource.type in BOUNDING:
            _collect(plan, resource, ("permissions_boundary",), bound, bound_arns)
        for path in ATTACHING_ARNS.get(resource.type, ()):
            unresolved |= _collect(plan, resource, path, attached, attached_arns)
        for path in ATTACHING_NAMES.get(resource.type, ()):
            unresolved |= _collect(plan, resource, path, attached, attached_names)
    return PolicyUses(
        frozenset(bound),
        frozenset(bound_arns),
        frozenset(attached),
        frozenset(attached_arns),
        frozenset(attached_names),
        unresolved,
    )


def _collect(
    plan: Plan, resource: Resource, path: tuple[PathPart, ...], uses: set[_Use], values: set[str]
) -> bool:
    """Record the policies the value at `path` names, following module variables and outputs;
    True when it is known only after apply and what it comes from is not only policies."""
    heads = reference_heads(references(resource, *path))
    other = False
    for address, reference in through_modules(plan, resource.module_address, heads):
        target = parse_reference(reference)
        if target.kind == "resource" and target.type == POLICY:
            uses.add((address, target.config_address, target.key))
        else:
            other = True
    for view in (resource.after, resource.before):
        values.update(item for item in _strings(view.value(*path)) if item)
    if not resource.after.is_unknown(*path):
        return False
    if resource.expressions and path[0] not in resource.expressions:
        return False  # computed by the provider (5.x plans `managed_policy_arns` so): not written
    return other or not heads


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        yield from (item for item in value if isinstance(item, str))


def boundary_only(resource: Resource, view: View, ctx: Context) -> bool:
    """True when the plan proves an `aws_iam_policy` instance is used only as a boundary."""
    uses = policy_uses(ctx.plan)
    block = (resource.module_address, resource.config_address)
    arn = _known(view, resource.before, "arn")
    bound = _named(uses.bound, block, resource.index) or (
        arn is not None and arn in uses.bound_arns
    )
    if not bound or uses.unresolved or _named(uses.attached, block, resource.index):
        return False
    name = _known(view, resource.before, "name")
    if name is None:
        return not uses.attached_names and not any(
            _customer_policy(item) for item in uses.attached_arns if item != arn
        )
    if name in uses.attached_names:
        return False
    if arn is not None:
        return arn not in uses.attached_arns
    path = _known(view, resource.before, "path") or "/"
    return not any(_may_be(item, name, path) for item in uses.attached_arns)


def _named(uses: frozenset[_Use], block: tuple[str, str], index: InstanceKey | None) -> bool:
    return (*block, None) in uses or (index is not None and (*block, index) in uses)


def _known(view: View, before: View, attribute: str) -> str | None:
    for side in (view, before):
        value = side.value(attribute)
        if isinstance(value, str) and value:
            return value
    return None


def _customer_policy(arn: str) -> bool:
    """An ARN that may be a customer-managed policy (AWS-managed ones live in account `aws`)."""
    parts = arn.split(":", 5)
    return len(parts) != 6 or parts[4] != "aws"


def _may_be(arn: str, name: str, path: str) -> bool:
    """Whether a known ARN may be the ARN a new policy called `name` under `path` will get."""
    if not _customer_policy(arn):
        return False
    parts = arn.split(":", 5)
    return len(parts) != 6 or parts[5] == f"policy{path}{name}"
