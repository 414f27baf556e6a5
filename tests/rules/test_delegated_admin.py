"""TFG-IAM-026: creating or changing IAM principals without a permissions-boundary condition."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.iam_plans import document_plan, findings
from tfgate.rules import RULES_BY_ID

RULE = RULES_BY_ID["TFG-IAM-026"]
BOUNDARY = "arn:aws:iam::111122223333:policy/team-boundary"
APP_ROLES = "arn:aws:iam::111122223333:role/app/*"


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any = APP_ROLES, **fields: Any) -> dict[str, Any]:
    return {"Sid": "Delegate", "Effect": "Allow", "Action": action, "Resource": resource, **fields}


def hits(policy: dict[str, Any], rule_id: str = RULE.id) -> list[str]:
    rules = [RULES_BY_ID[rule_id]]
    found = findings(document_plan("identity", policy), rules=rules)
    return [message for _, _, message, _ in found.get(rule_id, [])]


@pytest.mark.parametrize(
    "action",
    [
        "iam:CreateRole",
        "iam:PutRolePolicy",
        "iam:AttachRolePolicy",
        "iam:PutRolePermissionsBoundary",
        "iam:Create*",
        ["iam:GetRole", "iam:AttachRolePolicy"],
    ],
)
def test_role_administration_on_a_path_without_boundary_is_reported(action: Any) -> None:
    messages = hits(document(allow(action)))
    assert len(messages) == 1
    assert "without an iam:PermissionsBoundary condition" in messages[0]


def test_user_administration_is_reported_and_kinds_follow_the_resource() -> None:
    users = "arn:aws:iam::111122223333:user/team/*"
    messages = hits(document(allow(["iam:CreateUser", "iam:AttachUserPolicy"], users)))
    assert len(messages) == 1
    assert "iam:CreateUser, iam:AttachUserPolicy" in messages[0]
    # A user action written on a role ARN cannot act on a user: only the role actions count.
    on_role = hits(document(allow("iam:*User*", "arn:aws:iam::111122223333:role/admin")))
    assert on_role == []


@pytest.mark.parametrize("operator", ["StringEquals", "ArnEquals", "StringLike", "ArnLike"])
def test_a_condition_naming_the_boundary_passes(operator: str) -> None:
    condition = {operator: {"iam:PermissionsBoundary": BOUNDARY}}
    policy = document(allow(["iam:CreateRole", "iam:PutRolePolicy"], Condition=condition))
    assert hits(policy) == []


@pytest.mark.parametrize(
    "condition",
    [
        {"StringLike": {"iam:PermissionsBoundary": "arn:aws:iam::111122223333:policy/*"}},
        {"StringLike": {"iam:PermissionsBoundary": "*"}},
        {"StringEqualsIfExists": {"iam:PermissionsBoundary": BOUNDARY}},
        {"StringNotEquals": {"iam:PermissionsBoundary": BOUNDARY}},
        {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
    ],
)
def test_a_condition_that_does_not_pin_the_boundary_is_reported(
    condition: dict[str, Any],
) -> None:
    assert len(hits(document(allow("iam:CreateRole", Condition=condition)))) == 1


def test_a_deny_of_every_other_boundary_passes() -> None:
    deny = {
        "Sid": "OnlyWithBoundary",
        "Effect": "Deny",
        "Action": ["iam:CreateRole", "iam:AttachRolePolicy"],
        "Resource": "*",
        "Condition": {"ArnNotEquals": {"iam:PermissionsBoundary": BOUNDARY}},
    }
    assert hits(document(allow(["iam:CreateRole", "iam:AttachRolePolicy"]), deny)) == []
    # The Deny must cover each action: PutRolePolicy stays unbounded.
    assert len(hits(document(allow(["iam:CreateRole", "iam:PutRolePolicy"]), deny))) == 1


def test_escalation_on_every_role_is_left_to_017_and_every_action_to_010() -> None:
    escalation = document(allow(["iam:PutRolePolicy", "iam:CreateRole"], "*"))
    assert hits(escalation) == []
    assert hits(escalation, "TFG-IAM-017")
    assert hits(document(allow("*", "*"))) == []


def test_reading_roles_passes() -> None:
    assert hits(document(allow(["iam:GetRole", "iam:ListRoles"], "*"))) == []
