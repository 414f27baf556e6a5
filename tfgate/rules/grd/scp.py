"""Service control policies that protect the guardrails: a change must not remove their Deny.

An SCP Deny on `cloudtrail:StopLogging` (and the like) is what keeps a compromised or careless
administrator of a member account from switching the audit trail off. The rule compares what
each SCP denies before and after the plan, and follows attachments that the plan deletes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import orjson

from tfgate.errors import PolicyError
from tfgate.iam.actions import pattern_matches
from tfgate.iam.policy import Statement, parse_policy
from tfgate.plan.model import Plan, Resource
from tfgate.plan.values import Unknown, View
from tfgate.report import Severity
from tfgate.rules.base import Context, Hit, Kind, Rule
from tfgate.rules.support.memo import per_plan

PROTECTED_ACTIONS: Mapping[str, str] = {
    "cloudtrail:StopLogging": "CloudTrail",
    "cloudtrail:DeleteTrail": "CloudTrail",
    "cloudtrail:UpdateTrail": "CloudTrail",
    "cloudtrail:PutEventSelectors": "CloudTrail",
    "config:StopConfigurationRecorder": "AWS Config",
    "config:DeleteConfigurationRecorder": "AWS Config",
    "config:DeleteDeliveryChannel": "AWS Config",
    "guardduty:DeleteDetector": "GuardDuty",
    "guardduty:UpdateDetector": "GuardDuty",
    "guardduty:DisassociateFromMasterAccount": "GuardDuty",
    "guardduty:DisassociateFromAdministratorAccount": "GuardDuty",
    "iam:CreateUser": "IAM user creation",
    "iam:CreateAccessKey": "IAM user creation",
}
"""The actions a guardrail SCP denies (AWS Well-Architected SEC03-BP05, CIS 3.1, 3.3)."""

SCP_TYPE = "SERVICE_CONTROL_POLICY"
_Protection = tuple[tuple[str, ...], str]
"""A Deny that covers an action: its resources and its conditions (as canonical JSON)."""


def _covers(statement: Statement, action: str) -> bool:
    if statement.actions is not None:
        return any(pattern_matches(pattern, action) for pattern in statement.actions)
    if statement.not_actions is not None:
        return not any(pattern_matches(pattern, action) for pattern in statement.not_actions)
    return False


def _conditions(statement: Statement) -> str:
    listed = sorted((c.operator, c.key, sorted(c.values)) for c in statement.conditions)
    return orjson.dumps(listed).decode()


def protections(content: Any) -> dict[str, set[_Protection]] | None:
    """For each protected action, the Deny statements of an SCP that cover it (None: unreadable)."""
    if not isinstance(content, str):
        return None
    try:
        policy = parse_policy(content)
    except PolicyError:
        return None
    found: dict[str, set[_Protection]] = {}
    for statement in policy.statements:
        if statement.effect != "Deny" or statement.effect_malformed:
            continue
        if statement.not_resources is not None:
            continue
        resources = tuple(sorted(statement.resources or ("*",)))
        for action in PROTECTED_ACTIONS:
            if _covers(statement, action):
                found.setdefault(action, set()).add((resources, _conditions(statement)))
    return found


def _still_denied(action: str, before: set[_Protection], after: set[_Protection]) -> bool:
    """A Deny on `action` remains that is at least as wide as one before.

    It must cover every resource (or the same resources as before) and carry no condition, or
    exactly a condition it had before: a new or changed condition can exempt a principal.
    """
    conditions = {condition for _, condition in before} | {"[]"}
    resources = {resource for resource, _ in before} | {("*",)}
    return any(r in resources and c in conditions for r, c in after)


def _lost(before: dict[str, set[_Protection]], after: dict[str, set[_Protection]]) -> list[str]:
    return [
        action
        for action, denies in before.items()
        if not _still_denied(action, denies, after.get(action, set()))
    ]


def _summary(actions: list[str]) -> str:
    guarded = sorted({PROTECTED_ACTIONS[action] for action in actions})
    return f"{', '.join(actions)} (protecting {', '.join(guarded)})"


def _is_scp(view: View) -> bool:
    kind = view.value("type")
    return kind is None or kind == SCP_TYPE


def _policy_change(resource: Resource) -> Iterator[Hit]:
    before_view, after_view = resource.before, resource.after
    if before_view.values is None or not _is_scp(before_view):
        return
    before = protections(before_view.value("content"))
    if not before:
        return
    name = before_view.value("name") or resource.name
    if resource.deletes and after_view.values is None:
        yield Hit(f"deletes SCP {name}, which denies {_summary(sorted(before))}", key="scp")
        return
    if after_view.values is None:
        return
    if after_view.is_unknown("content"):
        yield Hit(
            f"the content of SCP {name} is known only after apply; before the plan it denied "
            f"{_summary(sorted(before))}",
            key="scp",
            unknown=True,
        )
        return
    after = protections(after_view.value("content")) if _is_scp(after_view) else {}
    if after is None:
        yield Hit(
            f"the new content of SCP {name} cannot be read as a policy; before the plan it "
            f"denied {_summary(sorted(before))}",
            key="scp",
            unknown=True,
        )
        return
    lost = _lost(before, after)
    gone = [action for action in lost if action not in after]
    narrowed = [action for action in lost if action in after]
    weakened: list[str] = []
    if gone:
        weakened.append(f"SCP {name} no longer denies {_summary(gone)}")
    if narrowed:
        weakened.append(
            f"SCP {name} now denies {_summary(narrowed)} only under a new or changed condition "
            "or on fewer resources, which can exempt principals it bound before"
        )
    if weakened:
        yield Hit("; ".join(weakened), key="scp")


def _policies_by_id(plan: Plan) -> Mapping[str, Resource]:
    found: dict[str, Resource] = {}
    for resource in plan.resources:
        if resource.mode == "managed" and resource.type == "aws_organizations_policy":
            for view in (resource.before, resource.after):
                policy_id = view.value("id")
                if isinstance(policy_id, str) and policy_id:
                    found.setdefault(policy_id, resource)
    return found


def _detachment(resource: Resource, ctx: Context) -> Iterator[Hit]:
    """An attachment destroyed, or replaced by one on another target (or another policy)."""
    if not resource.deletes:
        return
    policy_id = resource.before.value("policy_id")
    target = resource.before.value("target_id")
    if not isinstance(policy_id, str):
        return
    moved = ""
    if resource.creates:
        after = [resource.after.get(name) for name in ("policy_id", "target_id")]
        if after == [resource.before.get(name) for name in ("policy_id", "target_id")]:
            return
        if Unknown in after:
            moved = " (the replacement's policy or target is known only after apply)"
    policy = per_plan(ctx.plan, "organizations-policies", _policies_by_id).get(policy_id)
    if policy is None:
        yield Hit(
            f"detaches policy {policy_id} from {target}; its content is not in the plan, so "
            "whether it protected CloudTrail, Config, GuardDuty or IAM cannot be decided",
            key="detach",
            unknown=True,
        )
        return
    view = policy.before if policy.before.values is not None else policy.after
    if not _is_scp(view):
        return
    denied = protections(view.value("content"))
    if denied:
        yield Hit(
            f"detaches SCP {view.value('name') or policy.name} ({policy_id}) from {target}: "
            f"it denies {_summary(sorted(denied))}{moved}",
            key="detach",
            unknown=bool(moved),
        )


def check_scp_guardrail_removed(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Blocks changes that take away an SCP Deny protecting CloudTrail, Config, GuardDuty or IAM.

    ## What it does
    Finds, in an `aws_organizations_policy` of type `SERVICE_CONTROL_POLICY`, the Deny
    statements that cover `cloudtrail:StopLogging`, `DeleteTrail`, `UpdateTrail`,
    `PutEventSelectors`, `config:StopConfigurationRecorder`, `DeleteConfigurationRecorder`,
    `DeleteDeliveryChannel`, `guardduty:DeleteDetector`, `UpdateDetector`,
    `DisassociateFromMasterAccount`, `DisassociateFromAdministratorAccount`, `iam:CreateUser`
    or `iam:CreateAccessKey` (wildcards such as `cloudtrail:*` count). It reports an update
    after which one of those actions is no longer denied as widely as before (the statement
    is gone, no longer covers the action, is limited to fewer resources, or gained a new or
    changed condition that can exempt a principal), the deletion of such a policy, and the
    deletion of an `aws_organizations_policy_attachment` that attached one (or its replacement
    by one for another target or policy, which detaches it from the old target). Content known only
    after apply, and a detached policy whose content the plan does not hold, are `unknown`.

    ## Why it matters
    SCPs are the only control that binds the administrators of member accounts. A Deny on
    stopping the trail or deleting the detector is what makes those guardrails hold when an
    account is compromised; removing it (or detaching the policy) is how an attacker, or a
    hurried change, prepares to turn them off unseen.

    ## Example
    ```hcl
    resource "aws_organizations_policy" "fail_guardrails" {
      name = "guardrails"
      content = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Deny", Action = ["iam:CreateUser"], Resource = "*" }]
      })
    }
    ```
    Before the plan the policy also denied `cloudtrail:StopLogging`.

    ## Fix
    Keep the Deny statements. To let a break-glass role through, add it to the existing
    condition (`ArnNotLike` on `aws:PrincipalArn`) in a reviewed change of its own, and waive
    this finding for that change with a reason and an expiry date.

    ## Parameters
    None.

    ## References
    - AWS Well-Architected, SEC03-BP05 (define permission guardrails for your organization)
    - CIS AWS Foundations Benchmark v3.0, 3.1 and 3.3
    """
    if resource.type == "aws_organizations_policy_attachment":
        yield from _detachment(resource, ctx)
    else:
        yield from _policy_change(resource)


SCP_GUARDRAIL_REMOVED = Rule(
    id="TFG-GRD-005",
    name="scp-guardrail-removed",
    title="SCP Deny protecting a guardrail removed",
    severity=Severity.HIGH,
    resource_types=frozenset({"aws_organizations_policy", "aws_organizations_policy_attachment"}),
    controls={
        "AWS-WA-SEC": ("SEC03-BP05",),
        "CIS-AWS-3.0": ("3.1", "3.3"),
        "NRB": ("IT-2012-4-access-control",),
    },
    check=check_scp_guardrail_removed,
    kind=Kind.CHANGE,
)
