"""TFG-IAM-026: delegated IAM administration without a permissions-boundary condition.

Letting a team create roles and users, or change what they may do, is safe only when whatever it
creates stays under a ceiling: the `iam:PermissionsBoundary` condition key, pinned to one
boundary policy. Without it the holder creates (or rewrites) a principal with more than it has
itself, whatever path the grant is scoped to: a role under `role/app/` may still be granted
`"*"`. Removing a boundary is the same escalation from the other end.

TFG-IAM-017 already reports a statement that enables an escalation method on every principal
(`iam:PutRolePolicy` or `iam:*` on `"*"`), and its fix asks for the same boundary condition;
this rule leaves such a statement to it, so one problem gives one finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from tfgate.iam import actions
from tfgate.iam.analysis import (
    Grant,
    allowed_anywhere,
    limiting_conditions,
    privilege_escalation_paths,
)
from tfgate.iam.policy import Condition, Policy, Statement
from tfgate.plan.model import Resource
from tfgate.plan.values import View
from tfgate.report import Severity
from tfgate.rules.base import Context, Hit, Rule
from tfgate.rules.iam.permissions import grants_everything
from tfgate.rules.support.documents import IDENTITY_TYPES, identity_documents, parsed
from tfgate.rules.support.documents import statement_key as _key
from tfgate.rules.support.documents import statement_where as _where

BOUNDARY_KEY = "iam:permissionsboundary"

DELEGATING_ACTIONS: tuple[tuple[str, str], ...] = (
    ("iam:CreateRole", "role"),
    ("iam:CreateUser", "user"),
    ("iam:PutRolePolicy", "role"),
    ("iam:AttachRolePolicy", "role"),
    ("iam:PutUserPolicy", "user"),
    ("iam:AttachUserPolicy", "user"),
    ("iam:PutRolePermissionsBoundary", "role"),
    ("iam:PutUserPermissionsBoundary", "user"),
)
"""Actions that create a principal or change its permissions, with the kind of principal they
act on; AWS evaluates the `iam:PermissionsBoundary` condition key on each of them."""

_WILDCARD = re.compile(r"[*?]|\$\{")


def _may_name(pattern: str, kind: str) -> bool:
    """Whether a Resource entry may match an IAM `kind` (`role`, `user`): decided on the entry's
    literal head, so a user action on `arn:aws:iam::111122223333:role/admin` does not count."""
    head = _WILDCARD.split(pattern, maxsplit=1)[0]
    fields = head.split(":", 5)
    if len(fields) > 3 and fields[2].lower() != "iam":
        return False
    if len(fields) < 6:
        return True
    prefix = f"{kind}/"
    return fields[5].startswith(prefix) or prefix.startswith(fields[5])


def _names_kind(statement: Statement, kind: str) -> bool:
    if statement.resources is None:
        return True  # NotResource
    return any(_may_name(pattern, kind) for pattern in statement.resources)


_NEGATED_OPERATORS = frozenset({"stringnotequals", "arnnotequals", "stringnotlike", "arnnotlike"})


def _names_one_policy(condition: Condition) -> bool:
    """Every value names one policy: no wildcard in the policy's name."""
    return all(
        not {"*", "?"} & set(value.rpartition(":policy/")[2] or value) for value in condition.values
    )


def _pins_boundary(statement: Statement) -> bool:
    """An Allow whose `iam:PermissionsBoundary` condition narrows it to named policies."""
    return any(
        _names_one_policy(condition) for condition in limiting_conditions(statement, {BOUNDARY_KEY})
    )


def _denies_other_boundaries(policy: Policy, action: str) -> bool:
    """A Deny of the action unless the principal's boundary is a named policy (the other
    pattern AWS documents: `StringNotEquals`/`ArnNotEquals` on `iam:PermissionsBoundary`)."""
    for statement in policy.statements:
        if not statement.is_deny or statement.actions is None:
            continue
        if not any(actions.pattern_matches(pattern, action) for pattern in statement.actions):
            continue
        if statement.not_resources is not None or "*" not in (statement.resources or ()):
            continue
        for condition in statement.conditions:
            if (
                condition.key == BOUNDARY_KEY
                and condition.operator.lower() in _NEGATED_OPERATORS
                and condition.values
                and _names_one_policy(condition)
            ):
                return True
    return False


def _escalating_statements(policy: Policy) -> set[int]:
    """Indexes of the statements TFG-IAM-017 reports (the primary grant of an enabled method)."""
    return {grants[0].statement.index for _, grants in privilege_escalation_paths(policy)}


def unbounded_delegation(policy: Policy) -> dict[int, list[tuple[str, Grant]]]:
    """Per statement index: (action, grant) for each delegating action allowed somewhere
    without a boundary condition, leaving TFG-IAM-010's and TFG-IAM-017's findings to them."""
    reported = _escalating_statements(policy)
    found: dict[int, list[tuple[str, Grant]]] = {}
    for action, kind in DELEGATING_ACTIONS:
        if _denies_other_boundaries(policy, action):
            continue
        for grant in allowed_anywhere(policy, action):
            statement = grant.statement
            if grants_everything(statement) or _pins_boundary(statement):
                continue
            if not _names_kind(statement, kind):
                continue
            if statement.index in reported:
                continue
            found.setdefault(statement.index, []).append((action, grant))
    return found


def check_delegated_admin(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags policies that delegate IAM administration without a permissions boundary.

    ## What it does
    Reports each Allow statement of an identity policy that grants, on any resource (a path
    such as `arn:aws:iam::123456789012:role/app/*` included), one of `iam:CreateRole`,
    `iam:CreateUser`, `iam:PutRolePolicy`, `iam:AttachRolePolicy`, `iam:PutUserPolicy`,
    `iam:AttachUserPolicy`, `iam:PutRolePermissionsBoundary` or
    `iam:PutUserPermissionsBoundary`, unless the statement has a `StringEquals`/`ArnEquals`
    (or `...Like` without a wildcard in the policy name) condition on `iam:PermissionsBoundary`
    naming the boundary policy, or the same policy denies the action with `StringNotEquals`/
    `ArnNotEquals` on that key. Wildcards (`iam:Create*`, `iam:*`) count. A statement
    TFG-IAM-017 reports as an escalation method (`iam:PutRolePolicy` or `iam:*` on `"*"`) is
    left to it, and `iam:Delete*PermissionsBoundary` grants are TFG-IAM-020's. A
    statement granting every action is TFG-IAM-010's. One finding per statement lists its
    actions.

    ## Why it matters
    Whoever may create a role, or attach a policy to one, may give it more than they have: a
    role under `role/app/` can still be granted `"*"`, and the holder can then assume it or
    pass it to a service. The permissions boundary is what keeps delegated administration
    below the delegator's ceiling; without the condition nothing requires it.

    ## Example
    ```hcl
    resource "aws_iam_policy" "fail_team_admin" {
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect   = "Allow"
          Action   = ["iam:CreateRole", "iam:AttachRolePolicy"]
          Resource = "arn:aws:iam::111122223333:role/app/*"
        }]
      })
    }
    ```

    ## Fix
    Add `Condition = { StringEquals = { "iam:PermissionsBoundary" =
    "arn:aws:iam::111122223333:policy/team-boundary" } }` to the statement, and deny
    `iam:DeleteRolePermissionsBoundary` and changes to the boundary policy itself.

    ## Parameters
    None.

    ## References
    - AWS IAM User Guide, "Permissions boundaries for IAM entities" (delegating responsibility)
    - AWS Security Blog, "When and where to use IAM permissions boundaries"
    - AWS Well-Architected, SEC03-BP05 (define permission guardrails)
    """
    for document, policy in parsed(identity_documents(resource, view, ctx)):
        for entries in unbounded_delegation(policy).values():
            grant = entries[0][1]
            statement = grant.statement
            names = ", ".join(dict.fromkeys(action for action, _ in entries))
            where = (
                "every resource but its NotResource list"
                if grant.resource_pattern == "NotResource"
                else f'"{grant.resource_pattern}"'
            )
            yield Hit(
                f"{_where(document, statement)} lets its holder create or change IAM "
                f"principals ({names} on {where}) without an iam:PermissionsBoundary "
                "condition naming the boundary policy",
                key=_key(document, statement),
            )


DELEGATED_ADMIN = Rule(
    id="TFG-IAM-026",
    name="delegated-admin-without-boundary",
    title="IAM administration delegated without a permissions-boundary condition",
    severity=Severity.HIGH,
    resource_types=IDENTITY_TYPES,
    controls={
        "AWS-WA-SEC": ("SEC03-BP05", "SEC03-BP02"),
        "HIPAA": ("164.312(a)(1)",),
        "PCI-DSS-4.0": ("7.2.1",),
        "NRB": ("IT-2012-4-access-control",),
    },
    check=check_delegated_admin,
)
