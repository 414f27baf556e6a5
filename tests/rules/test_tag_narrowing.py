"""Tag conditions narrow a grant (issue 14, item 1), alike for TFG-IAM-015, 016 and 019, and
never for TFG-IAM-014: a tag an attacker can put on their own resource does not tame PassRole."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.iam_plans import document_plan, findings
from tfgate.rules.iam.permissions import (
    DATA_EXFILTRATION,
    UNRESTRICTED_PERMISSIONS,
    UNRESTRICTED_WRITE,
)
from tfgate.rules.iam.policies import PASS_ROLE

RULE_ACTIONS = [
    (UNRESTRICTED_WRITE, "ec2:DeleteVolume"),
    (UNRESTRICTED_PERMISSIONS, "s3:PutBucketPolicy"),
    (DATA_EXFILTRATION, "ssm:GetParameter"),
]

NARROWING = {
    "equals-true": {"StringEquals": {"aws:ResourceTag/app": "true"}},
    "like-star": {"StringLike": {"aws:ResourceTag/app": "*"}},
    "service-tag": {"StringLike": {"ec2:ResourceTag/ebs.csi.aws.com/cluster": "true"}},
    "request-tag": {"StringLike": {"aws:RequestTag/elbv2.k8s.aws/cluster": "*"}},
    "null-false": {"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}},
    "null-false-bool": {"Null": {"aws:ResourceTag/app": False}},
}

NOT_NARROWING = {
    "null-true": {"Null": {"aws:ResourceTag/app": "true"}},
    "if-exists": {"StringEqualsIfExists": {"aws:ResourceTag/app": "true"}},
    "null-false-other-key": {"Null": {"aws:SourceIp": "false"}},
    "not-equals": {"StringNotEquals": {"aws:ResourceTag/app": "true"}},
}


def _hits(rule: Any, action: str, condition: dict[str, Any] | None) -> list[str]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": "*"}
    if condition is not None:
        statement["Condition"] = condition
    plan = document_plan("identity", {"Version": "2012-10-17", "Statement": [statement]})
    return [message for _, _, message, _ in findings(plan, rules=[rule]).get(rule.id, [])]


@pytest.mark.parametrize(("rule", "action"), RULE_ACTIONS, ids=lambda v: getattr(v, "id", v))
@pytest.mark.parametrize("condition", NARROWING.values(), ids=NARROWING.keys())
def test_a_tag_condition_narrows(rule: Any, action: str, condition: dict[str, Any]) -> None:
    assert _hits(rule, action, None)
    assert _hits(rule, action, condition) == []


@pytest.mark.parametrize(("rule", "action"), RULE_ACTIONS, ids=lambda v: getattr(v, "id", v))
@pytest.mark.parametrize("condition", NOT_NARROWING.values(), ids=NOT_NARROWING.keys())
def test_conditions_an_untagged_resource_passes_do_not_narrow(
    rule: Any, action: str, condition: dict[str, Any]
) -> None:
    assert _hits(rule, action, condition)


def test_pass_role_is_not_tamed_by_a_tag_presence_condition() -> None:
    (message,) = _hits(PASS_ROLE, "iam:PassRole", NARROWING["null-false"])
    assert "limited only by" not in message
