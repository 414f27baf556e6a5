"""TFG-IAM-025: reading every secret, parameter or key from an identity policy."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.rules.iam_plans import change, document_plan, findings, plan_of
from tfgate.rules import RULES_BY_ID

RULE = RULES_BY_ID["TFG-IAM-025"]


def statement(**fields: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", **fields}]}


def hits(policy: dict[str, Any]) -> list[str]:
    found = findings(document_plan("identity", policy), rules=[RULE])
    return [message for _, _, message, _ in found.get(RULE.id, [])]


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("secretsmanager:GetSecretValue", "*"),
        ("secretsmanager:Get*", "arn:aws:secretsmanager:*:*:secret:*"),
        ("ssm:GetParameter", "arn:aws:ssm:eu-west-1:111122223333:parameter/*"),
        ("ssm:GetParameters", "*"),
        ("ssm:GetParametersByPath", "arn:aws:ssm:*:*:*"),
        ("kms:Decrypt", "arn:aws:kms:*:111122223333:key/*"),
        ("ssm:*", "*"),
    ],
)
def test_every_secret_is_reported(action: str, resource: str) -> None:
    messages = hits(statement(Action=action, Resource=resource))
    assert len(messages) == 1
    assert "Read" in messages[0]
    assert "reads every secret" in messages[0]


def test_one_finding_per_statement_lists_its_actions() -> None:
    policy = statement(
        Action=["ssm:GetParameter", "ssm:GetParameters", "kms:Decrypt"], Resource="*"
    )
    messages = hits(policy)
    assert len(messages) == 1
    assert "ssm:GetParameter, ssm:GetParameters, kms:Decrypt" in messages[0]


@pytest.mark.parametrize(
    "policy",
    [
        statement(
            Action="secretsmanager:GetSecretValue",
            Resource="arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/*",
        ),
        statement(Action="ssm:GetParameter", Resource="arn:aws:ssm:*:*:parameter/app/*"),
        statement(Action="kms:Decrypt", Resource="arn:aws:kms:*:*:alias/app"),
        statement(
            Action="kms:Decrypt",
            Resource="*",
            Condition={"StringEquals": {"kms:ViaService": "ssm.eu-west-1.amazonaws.com"}},
        ),
        statement(Action=["secretsmanager:ListSecrets", "ssm:DescribeParameters"], Resource="*"),
        # Every action on every resource is TFG-IAM-010's.
        statement(Action="*", Resource="*"),
    ],
)
def test_scoped_narrowed_or_listing_grants_pass(policy: dict[str, Any]) -> None:
    assert hits(policy) == []


def test_conditions_that_never_narrow_do_not_help() -> None:
    for condition in (
        {"Bool": {"aws:SecureTransport": "true"}},
        {"StringEqualsIfExists": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}},
    ):
        assert len(hits(statement(Action="kms:Decrypt", Resource="*", Condition=condition))) == 1


def test_unconditional_deny_subtracts() -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Read", "Effect": "Allow", "Action": "ssm:GetParameter", "Resource": "*"},
            {"Sid": "No", "Effect": "Deny", "Action": "ssm:*", "Resource": "*"},
        ],
    }
    assert hits(policy) == []


def test_role_inline_policy_is_judged_and_key_policy_is_not() -> None:
    every_secret = orjson.dumps(
        statement(Action="secretsmanager:GetSecretValue", Resource="*")
    ).decode()
    key_policy = orjson.dumps(
        statement(
            Principal={"AWS": "arn:aws:iam::111122223333:role/app"},
            Action="kms:Decrypt",
            Resource="*",
        )
    ).decode()
    plan = plan_of(
        [
            change(
                "aws_iam_role",
                "app",
                {
                    "name": "app",
                    "path": "/",
                    "assume_role_policy": orjson.dumps(
                        statement(
                            Principal={"Service": "ecs-tasks.amazonaws.com"},
                            Action="sts:AssumeRole",
                        )
                    ).decode(),
                    "inline_policy": [{"name": "read", "policy": every_secret}],
                },
            ),
            change("aws_kms_key", "data", {"policy": key_policy, "enable_key_rotation": True}),
        ]
    )
    found = findings(plan, rules=[RULE])
    assert [address for address, _, _, _ in found[RULE.id]] == ["aws_iam_role.app"]


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:ResourceTag/team": "payments"}},
        {"StringLike": {"aws:ResourceTag/team": "*"}},
        {"Null": {"aws:ResourceTag/team": "false"}},
    ],
)
def test_a_tag_condition_narrows_alike(condition: dict[str, Any]) -> None:
    """As for TFG-IAM-015/016/019: a tag condition restricts the read to tagged secrets, and a
    value, a wildcard and `Null` false on the key get the same verdict."""
    policy = statement(Action="secretsmanager:GetSecretValue", Resource="*", Condition=condition)
    assert hits(policy) == []


def test_null_true_on_a_tag_does_not_narrow() -> None:
    policy = statement(
        Action="secretsmanager:GetSecretValue",
        Resource="*",
        Condition={"Null": {"aws:ResourceTag/team": "true"}},
    )
    assert len(hits(policy)) == 1
