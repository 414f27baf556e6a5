"""The shortcuts that make policy analysis fast give the answers of the plain definitions."""

from __future__ import annotations

from typing import Any

import pytest

from tfgate.iam.analysis import (
    ESCALATION_METHODS,
    RESOURCE_TYPES,
    Grant,
    allowed,
    allowed_anywhere,
    covers,
    is_star_resource,
    matched_action_pattern,
    privilege_escalation_paths,
    unrestricted_grants,
)
from tfgate.iam.policy import Policy, parse_policy

# Action patterns whose service part is literal, wildcarded, absent or not plain ASCII.
PATTERNS = [
    "iam:PassRole",
    "IAM:passrole",
    "iam:Pass*",
    "i?m:PassRole",
    "*am:PassRole",
    "*Role",
    "iam",
    "*",
    "*:*",
    "s3:GetObject",
    "\u017f3:GetObject",  # long s: the regex folds it to `s`
    "\u0130AM:PassRole",  # dotted capital I
    "sts:Assume*",
    "lambda:*",
]
ACTIONS = [
    "iam:PassRole",
    "IAM:PASSROLE",
    "s3:GetObject",
    "sts:AssumeRole",
    "\u017f3:GetObject",
    "iam",
]


def document(*statements: dict[str, Any]) -> Policy:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)})


def naive_allowed_anywhere(policy: Policy, action: str) -> list[tuple[int, str]]:
    """Which statements grant `action` somewhere, by the definition (no Deny in these tests)."""
    found = []
    for statement in policy.statements:
        pattern = matched_action_pattern(statement, action) if statement.is_allow else None
        if pattern is not None:
            found.append((statement.index, pattern))
    return found


def shape(grants: list[Grant]) -> list[tuple[int, str]]:
    return [(grant.statement.index, grant.action_pattern) for grant in grants]


@pytest.mark.parametrize("action", ACTIONS)
def test_service_index_matches_every_statement_scan(action: str) -> None:
    statements = [{"Effect": "Allow", "Action": pattern, "Resource": "*"} for pattern in PATTERNS]
    statements.append({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"})
    statements.append({"Effect": "Deny", "Action": "iam:PassRole", "Resource": "arn:aws:s3:::x"})
    policy = document(*statements)
    expected = naive_allowed_anywhere(policy, action)
    assert shape(allowed_anywhere(policy, action)) == expected
    assert shape(allowed(policy, action)) == expected


def test_policy_without_a_service_grants_none_of_it() -> None:
    policy = document({"Effect": "Allow", "Action": ["s3:GetObject", "sqs:*"], "Resource": "*"})
    assert allowed(policy, "iam:PassRole", "role") == []
    assert allowed_anywhere(policy, "iam:PassRole") == []
    assert privilege_escalation_paths(policy) == []


def test_remembered_answers_are_fresh_lists() -> None:
    policy = document(
        {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "lambda:*", "Resource": "*"},
    )
    first = allowed(policy, "iam:PassRole", "role")
    first.clear()
    assert len(allowed(policy, "iam:PassRole", "role")) == 1
    paths = privilege_escalation_paths(policy)
    paths[0][1].clear()
    paths.clear()
    assert privilege_escalation_paths(policy)
    assert privilege_escalation_paths(policy)[0][1]
    write = unrestricted_grants(policy, "Write")
    write.clear()
    assert unrestricted_grants(policy, "Write") == unrestricted_grants(policy, "write")
    assert unrestricted_grants(policy, "Write")


def test_same_text_same_answers_from_fresh_policies() -> None:
    text = {"Effect": "Allow", "Action": ["iam:PutRolePolicy", "iam:PassRole"], "Resource": "*"}
    once, again = document(text), document(text)
    assert once == again
    assert privilege_escalation_paths(once) == privilege_escalation_paths(again)


def _witness_scan(pattern: str, resource_type: str | None) -> bool:
    """`is_star_resource` by its definition: does the pattern cover every resource of the type
    in one of the accounts and regions tried (the pattern's own, the defaults, or any)? Names
    and services are never empty, so the witnesses end in `?*`."""
    parts = pattern.split(":")
    region = parts[3].replace("*", "").replace("?", "0") if len(parts) >= 6 else None
    account = parts[4].replace("*", "").replace("?", "0") if len(parts) >= 6 else None
    partitions = ("aws", "aws-cn", "aws-us-gov")
    if resource_type is None:
        witnesses = [f"arn:{p}:?*:*:*:?*" for p in partitions]
    else:
        if resource_type.endswith(":*"):
            service, prefix = resource_type[:-2].lower(), ""
            regions = ["", "us-east-1", *([region] if region is not None else [])]
            accounts = ["", "123456789012", *([account] if account is not None else [])]
        else:
            service, regional, prefix = RESOURCE_TYPES[resource_type]
            regions = ["us-east-1", *([region] if region is not None else [])] if regional else [""]
            accounts = ["123456789012", *([account] if account is not None else [])]
        witnesses = [
            f"arn:{p}:{service}:{r}:{a}:{prefix}?*"
            for p in partitions
            for r in regions
            for a in accounts
        ]
    if pattern and set(pattern) <= {"*"}:
        return True
    return any(covers(pattern, witness) for witness in witnesses)


@pytest.mark.parametrize(
    "pattern",
    [
        "arn:aws:s3:::reports/*",
        "arn:aws:s3:::*",
        "arn:aws:s3:::*/*",
        "arn:aws:iam::*:role/*",
        "arn:aws:iam::*:rol*",
        "arn:aws:iam::*:role",
        "arn:aws:iam::123456789012:role/app/*",
        "arn:aws:lambda:*:*:function:*",
        "arn:aws:lambda:us-east-1:123456789012:function:*",
        "arn:aws:lambda:us-east-1:123456789012:function:app-*",
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/app:*",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-*",
        "arn:aws:ec2:*:*:*",
        "arn:aws:*",
        "arn:*",
        "arn:aws:iam::${aws:PrincipalAccount}:role/*",
        "?",
        "*?",
        "arn:aws:*?",
        "arn:aws:iam::*:role/?*",
        "arn:aws:iam::*:role/*?",
        "arn:aws:iam::123456789012:role/app-?",
        "arn:*:*:*:*:*",
    ],
)
@pytest.mark.parametrize(
    "resource_type", [None, "role", "function", "instance", "s3:*", "lambda:*", "logs:*"]
)
def test_star_resource_shortcut_agrees_with_witness_scan(
    pattern: str, resource_type: str | None
) -> None:
    assert is_star_resource(pattern, resource_type) is _witness_scan(pattern, resource_type)


def test_every_escalation_target_is_a_known_type() -> None:
    assert {method.target for method in ESCALATION_METHODS} <= set(RESOURCE_TYPES)
