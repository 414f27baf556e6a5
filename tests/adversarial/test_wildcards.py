"""Class 1: wildcards with `?` cannot make a grant look narrower than it is.

Names are never empty, so `role/?*`, `role/*?`, `arn:aws:*?` and `*?` cover every role or
resource; `*?` and `?*:*` cover every action; a `StringLike` value that admits every value of
its key constrains only the key's presence. Coverage is decided glob against glob. Each plan
holds the attacks (`fail_*`) beside genuinely narrow patterns (`pass_*`), and the tests assert
the exact set of addresses the rule reports, under every profile the issue names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.adversarial.iam_policy_plans import (
    PROFILES,
    VERSION,
    PolicyResource,
    allow,
    check,
    trust,
    write_plan,
)

PASS_ROLE_RESOURCES = {
    "fail_any_account_role_q_star": "arn:aws:iam::*:role/?*",
    "fail_any_account_role_star_q": "arn:aws:iam::*:role/*?",
    "fail_one_account_role_q_star": "arn:aws:iam::123456789012:role/?*",
    "fail_role_star_q_star": "arn:aws:iam::*:role/*?*",
    "fail_everything_in_partition": "arn:aws:*?",
    "fail_star_q": "*?",
    "pass_app_q": "arn:aws:iam::123456789012:role/app-?",
    "pass_app_prefix_q_star": "arn:aws:iam::123456789012:role/app-?*",
    "pass_service_roles": "arn:aws:iam::123456789012:role/service-role/*?",
}


@pytest.mark.parametrize("profile", PROFILES)
def test_pass_role_on_every_role_spelled_with_question_marks_blocks(
    tmp_path: Path, profile: str
) -> None:
    resources = [
        PolicyResource(name, allow("iam:PassRole", pattern))
        for name, pattern in PASS_ROLE_RESOURCES.items()
    ]
    resources.append(
        PolicyResource(
            "fail_pass_q_ole",
            allow("iam:Pass?ole", "arn:aws:iam::*:role/?*"),
            "aws_iam_role_policy",
        )
    )
    outcome = check(write_plan(tmp_path, resources), profile)
    assert outcome.exit_code == 1
    expected = {r.address for r in resources if r.name.startswith("fail_")}
    assert outcome.addresses("TFG-IAM-014", blocking=True) == expected
    assert set(outcome.severities("TFG-IAM-014").values()) == {"high"}


FULL_ADMIN_ACTIONS = {
    "fail_star_q": ("*?", "*"),
    "fail_q_star_colon_star": ("?*:*", "*"),
    "fail_star_colon_q_star": ("*:?*", "*"),
    "fail_star_q_everywhere": ("*?", "arn:aws:*?"),
    "pass_one_service": ("iam:?*", "*"),
    "pass_one_action": ("iam:Pass?ole", "*"),
}


@pytest.mark.parametrize("profile", PROFILES)
def test_every_action_spelled_with_question_marks_is_full_admin(
    tmp_path: Path, profile: str
) -> None:
    resources = [
        PolicyResource(name, allow(action, resource))
        for name, (action, resource) in FULL_ADMIN_ACTIONS.items()
    ]
    outcome = check(write_plan(tmp_path, resources), profile)
    expected = {r.address for r in resources if r.name.startswith("fail_")}
    assert outcome.addresses("TFG-IAM-010", blocking=True) == expected


WRITE_CONDITIONS = {
    # Admits every principal ARN: only asks that the key be present, which it always is.
    "fail_any_principal_arn": {"StringLike": {"aws:PrincipalArn": "*?"}},
    "fail_any_principal_arn_q_star": {"StringLike": {"aws:PrincipalArn": ["?*", "arn:aws:*"]}},
    # A tag key narrows to tagged resources, whatever value the pattern admits.
    "pass_tagged_resources": {"StringLike": {"aws:ResourceTag/team": "*"}},
    "pass_service_tagged": {"StringLike": {"s3:ResourceTag/team": "?*"}},
    "pass_one_principal": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ci-?*"}},
}


@pytest.mark.parametrize("profile", PROFILES)
def test_a_condition_value_that_admits_everything_does_not_narrow(
    tmp_path: Path, profile: str
) -> None:
    resources = [
        PolicyResource(name, allow("s3:PutObject", "*", condition))
        for name, condition in WRITE_CONDITIONS.items()
    ]
    outcome = check(write_plan(tmp_path, resources), profile)
    expected = {r.address for r in resources if r.name.startswith("fail_")}
    assert outcome.addresses("TFG-IAM-015", blocking=True) == expected


@pytest.mark.parametrize("profile", PROFILES)
def test_pass_role_to_any_service_is_not_limited(tmp_path: Path, profile: str) -> None:
    limited = {"StringLike": {"iam:PassedToService": "lambda.amazonaws.com"}}
    resources = [
        PolicyResource(
            "fail_any_service",
            allow("iam:PassRole", "*", {"StringLike": {"iam:PassedToService": "?*"}}),
        ),
        PolicyResource("pass_lambda_only", allow("iam:PassRole", "*", limited)),
    ]
    outcome = check(write_plan(tmp_path, resources), profile)
    assert outcome.severities("TFG-IAM-014") == {
        "aws_iam_policy.fail_any_service": "high",
        "aws_iam_policy.pass_lambda_only": "low",
    }


ORG_CONDITIONS = {
    "fail_any_org_q_star": {"StringLike": {"aws:PrincipalOrgID": "?*"}},
    "fail_any_org_star_q": {"StringLike": {"aws:PrincipalOrgID": "*?"}},
    "fail_any_org_id_shape": {"StringLike": {"aws:PrincipalOrgID": "o-??????????*"}},
    "fail_any_principal": {"StringLike": {"aws:PrincipalArn": "arn:aws:*?"}},
    "pass_one_org": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
    "pass_one_org_like": {"StringLike": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
}


@pytest.mark.parametrize("profile", PROFILES)
def test_an_organisation_guard_that_admits_every_organisation_is_no_guard(
    tmp_path: Path, profile: str
) -> None:
    resources = [
        PolicyResource(name, trust(condition), "aws_iam_role")
        for name, condition in ORG_CONDITIONS.items()
    ]
    outcome = check(write_plan(tmp_path, resources), profile)
    assert outcome.exit_code == 1
    expected = {r.address for r in resources if r.name.startswith("fail_")}
    assert outcome.addresses("TFG-IAM-030", blocking=True) == expected


def key_policy(action: str) -> dict[str, Any]:
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:role/app"},
                "Action": action,
                "Resource": "*",
            }
        ],
    }


@pytest.mark.parametrize("profile", PROFILES)
def test_every_kms_action_spelled_with_question_marks_is_reported(
    tmp_path: Path, profile: str
) -> None:
    resources = [
        PolicyResource("fail_kms_q_star", key_policy("kms:?*"), "aws_kms_key"),
        PolicyResource("fail_kms_star_q", key_policy("KMS:*?"), "aws_kms_key"),
        PolicyResource("pass_kms_decrypt", key_policy("kms:Decryp?"), "aws_kms_key"),
    ]
    outcome = check(write_plan(tmp_path, resources), profile)
    assert outcome.addresses("TFG-IAM-041") == {
        "aws_kms_key.fail_kms_q_star",
        "aws_kms_key.fail_kms_star_q",
    }
