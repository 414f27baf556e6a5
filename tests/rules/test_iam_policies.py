"""IAM permission and resource-policy rules on synthetic plans: where documents come from
(modules, inline blocks, data sources, SCPs, boundaries, Lambda permissions), unknown documents,
and the keys that let the engine tell introduced from existing."""

from __future__ import annotations

from typing import Any

import orjson

from tests.rules.iam_plans import change, document_plan, findings, plan_of, worst
from tfgate.config.profiles import Profile, RuleSetting
from tfgate.engine import evaluate
from tfgate.report import Enforcement, Severity, Status
from tfgate.rules import RULES_BY_ID

ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def text(document: Any) -> str:
    return orjson.dumps(document).decode()


def profile(*rule_ids: str) -> Profile:
    return Profile(
        name="t",
        description="",
        frameworks=(),
        on_unknown=Enforcement.BLOCK,
        block_existing=False,
        rules={
            rule_id: RuleSetting(Enforcement.BLOCK, dict(RULES_BY_ID[rule_id].defaults))
            for rule_id in rule_ids
        },
        source="t",
    )


def test_messages_name_statement_action_and_resource() -> None:
    found = findings(document_plan("identity", ADMIN))
    ((address, severity, message, _),) = found["TFG-IAM-010"]
    assert address == "aws_iam_policy.golden"
    assert severity is Severity.CRITICAL
    assert 'Sid "Admin"' in message and 'Action "*"' in message and '"*"' in message


def test_policy_in_a_module_is_judged() -> None:
    plan = plan_of(
        [
            change(
                "aws_iam_policy",
                "admin",
                {"name": "a", "policy": text(ADMIN)},
                module="module.platform",
            )
        ]
    )
    assert [hit[0] for hit in findings(plan)["TFG-IAM-010"]] == [
        "module.platform.aws_iam_policy.admin"
    ]


def test_inline_policy_block_is_judged() -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "ec2.amazonaws.com"},
            }
        ],
    }
    plan = plan_of(
        [
            change(
                "aws_iam_role",
                "app",
                {
                    "name": "app",
                    "assume_role_policy": text(trust),
                    "inline_policy": [{"name": "admin", "policy": text(ADMIN)}],
                },
            )
        ]
    )
    (hit,) = findings(plan)["TFG-IAM-010"]
    assert hit[2].startswith('inline_policy[admin], Sid "Admin"')


def test_sso_inline_policy_is_judged() -> None:
    plan = plan_of(
        [
            change(
                "aws_ssoadmin_permission_set_inline_policy",
                "ops",
                {"inline_policy": text(ADMIN), "instance_arn": "i", "permission_set_arn": "p"},
            )
        ]
    )
    assert "TFG-IAM-010" in findings(plan)


def test_scp_is_a_ceiling_not_a_grant() -> None:
    plan = plan_of(
        [
            change(
                "aws_organizations_policy",
                "scp",
                {"name": "all", "type": "SERVICE_CONTROL_POLICY", "content": text(ADMIN)},
            )
        ]
    )
    found = findings(plan)
    assert not {"TFG-IAM-010", "TFG-IAM-014", "TFG-IAM-015", "TFG-IAM-017"} & set(found)


def test_scp_typo_in_deny_is_reported() -> None:
    scp = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "cloudtrail:StopLoging", "Resource": "*"}],
    }
    plan = plan_of(
        [
            change(
                "aws_organizations_policy",
                "scp",
                {"name": "guard", "type": "SERVICE_CONTROL_POLICY", "content": text(scp)},
            )
        ]
    )
    assert worst(findings(plan)["TFG-IAM-062"]) is Severity.MEDIUM


def test_tag_policy_content_is_not_iam_json() -> None:
    plan = plan_of(
        [
            change(
                "aws_organizations_policy",
                "tags",
                {"name": "t", "type": "TAG_POLICY", "content": '{"tags":{}}'},
            )
        ]
    )
    assert "TFG-IAM-060" not in findings(plan)


def test_boundary_only_policy_is_not_judged_as_a_grant() -> None:
    configuration = {
        "root_module": {
            "resources": [
                {
                    "address": "aws_iam_policy.ceiling",
                    "mode": "managed",
                    "type": "aws_iam_policy",
                    "name": "ceiling",
                    "provider_config_key": "aws",
                    "expressions": {"policy": {}},
                    "schema_version": 0,
                },
                {
                    "address": "aws_iam_role.app",
                    "mode": "managed",
                    "type": "aws_iam_role",
                    "name": "app",
                    "provider_config_key": "aws",
                    "expressions": {
                        "permissions_boundary": {
                            "references": ["aws_iam_policy.ceiling.arn", "aws_iam_policy.ceiling"]
                        }
                    },
                    "schema_version": 0,
                },
            ]
        }
    }
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "ec2.amazonaws.com"},
            }
        ],
    }
    plan = plan_of(
        [
            change("aws_iam_policy", "ceiling", {"name": "c", "policy": text(ADMIN)}),
            change(
                "aws_iam_role",
                "app",
                {"name": "app", "assume_role_policy": text(trust)},
                after_unknown={"permissions_boundary": True},
            ),
        ],
        configuration=configuration,
    )
    assert "TFG-IAM-010" not in findings(plan)


def test_unknown_document_is_reported_unknown_only_by_060() -> None:
    plan = plan_of(
        [change("aws_s3_bucket_policy", "p", {"bucket": "b"}, after_unknown={"policy": True})]
    )
    found = findings(plan)
    assert set(found) == {"TFG-IAM-060"}
    assert all(unknown for *_, unknown in found["TFG-IAM-060"])


def test_unwritten_kms_policy_is_aws_default_and_not_judged() -> None:
    configuration = {
        "root_module": {
            "resources": [
                {
                    "address": "aws_kms_key.k",
                    "mode": "managed",
                    "type": "aws_kms_key",
                    "name": "k",
                    "provider_config_key": "aws",
                    "expressions": {"description": {"constant_value": "k"}},
                    "schema_version": 0,
                }
            ]
        }
    }
    plan = plan_of(
        [change("aws_kms_key", "k", {"description": "k"}, after_unknown={"policy": True})],
        configuration=configuration,
    )
    assert "TFG-IAM-060" not in findings(plan)


def test_kms_key_policy_root_is_fine_role_is_not() -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Root",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "App",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
                "Action": "kms:*",
                "Resource": "*",
            },
        ],
    }
    plan = plan_of([change("aws_kms_key", "k", {"description": "k", "policy": text(policy)})])
    ((_, _, message, _),) = findings(plan)["TFG-IAM-041"]
    assert 'Sid "App"' in message and "role/app" in message


def test_lambda_permission_public_and_unscoped_service() -> None:
    public = change(
        "aws_lambda_permission",
        "anyone",
        {
            "action": "lambda:InvokeFunction",
            "function_name": "f",
            "principal": "*",
            "statement_id": "Anyone",
        },
    )
    s3 = change(
        "aws_lambda_permission",
        "s3",
        {
            "action": "lambda:InvokeFunction",
            "function_name": "f",
            "principal": "s3.amazonaws.com",
            "statement_id": "S3",
        },
    )
    scoped = change(
        "aws_lambda_permission",
        "scoped",
        {
            "action": "lambda:InvokeFunction",
            "function_name": "f",
            "principal": "s3.amazonaws.com",
            "statement_id": "S3",
            "source_arn": "arn:aws:s3:::uploads",
        },
    )
    found = findings(plan_of([public, s3, scoped]))
    assert [hit[0] for hit in found["TFG-IAM-040"]] == ["aws_lambda_permission.anyone"]
    assert [hit[0] for hit in found["TFG-IAM-038"]] == ["aws_lambda_permission.s3"]


def test_sns_default_statement_with_source_owner_is_not_public() -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "__default_statement_ID",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["SNS:Publish", "SNS:Receive"],
                "Resource": "arn:aws:sns:eu-west-1:111122223333:t",
                "Condition": {"StringEquals": {"AWS:SourceOwner": "111122223333"}},
            }
        ],
    }
    found = findings(
        plan_of([change("aws_sns_topic_policy", "t", {"arn": "a", "policy": text(policy)})])
    )
    assert "TFG-IAM-040" not in found and "TFG-IAM-062" not in found


def test_widening_is_introduced_and_unchanged_grant_is_existing() -> None:
    before = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Run", "Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}
        ],
    }
    after = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Run",
                "Effect": "Allow",
                "Action": ["ec2:RunInstances", "s3:PutBucketPolicy"],
                "Resource": "*",
            }
        ],
    }
    plan = plan_of(
        [
            change(
                "aws_iam_policy",
                "p",
                {"name": "p", "policy": text(after)},
                before={"name": "p", "policy": text(before)},
                actions=("update",),
            )
        ]
    )
    report = evaluate(plan, [profile("TFG-IAM-015", "TFG-IAM-016")])
    statuses = {finding.rule: finding.status for finding in report.findings}
    assert statuses == {"TFG-IAM-015": Status.EXISTING, "TFG-IAM-016": Status.INTRODUCED}


def test_full_admin_subsumes_action_lists_but_not_pass_role_or_escalation() -> None:
    found = findings(document_plan("identity", ADMIN))
    assert {"TFG-IAM-010", "TFG-IAM-014", "TFG-IAM-017", "TFG-IAM-021"} <= set(found)
    assert not {
        "TFG-IAM-015",
        "TFG-IAM-016",
        "TFG-IAM-018",
        "TFG-IAM-019",
        "TFG-IAM-022",
        "TFG-IAM-023",
    } & set(found)


def test_conditional_admin_is_one_step_lower() -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Tagged",
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": "platform"}},
            }
        ],
    }
    assert worst(findings(document_plan("identity", policy))["TFG-IAM-010"]) is Severity.HIGH


def test_boundary_setters_need_the_parameter() -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Create", "Effect": "Allow", "Action": "iam:CreateRole", "Resource": "*"}
        ],
    }
    plan = document_plan("identity", policy)
    assert "TFG-IAM-020" not in findings(plan)
    strict = findings(plan, params={"TFG-IAM-020": {"require_permissions_boundary": True}})
    assert "TFG-IAM-020" in strict


def test_permissive_operators() -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Vpc",
                "Effect": "Allow",
                "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::u/*",
                "Condition": {"ForAllValues:StringEquals": {"aws:SourceVpc": "vpc-1"}},
            },
            {
                "Sid": "Tags",
                "Effect": "Allow",
                "Action": "ec2:CreateTags",
                "Resource": "*",
                "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}},
            },
            {
                "Sid": "Null",
                "Effect": "Allow",
                "Action": "ec2:StopInstances",
                "Resource": "*",
                "Condition": {"Null": {"aws:SourceVpc": "false"}},
            },
            {
                # The tag must be present: a real restriction (TFG-IAM-015's tag narrowing),
                # as in the AWS Load Balancer Controller policy.
                "Sid": "TagPresent",
                "Effect": "Allow",
                "Action": "ec2:StopInstances",
                "Resource": "*",
                "Condition": {"Null": {"aws:ResourceTag/team": "false"}},
            },
        ],
    }
    messages = [hit[2] for hit in findings(document_plan("identity", policy))["TFG-IAM-061"]]
    assert len(messages) == 2
    assert any('Sid "Vpc"' in m for m in messages) and any('Sid "Null"' in m for m in messages)


def test_admin_managed_policy_partitions() -> None:
    plan = plan_of(
        [
            change(
                "aws_iam_role_policy_attachment",
                "a",
                {"role": "r", "policy_arn": "arn:aws-cn:iam::aws:policy/AdministratorAccess"},
            ),
            change(
                "aws_iam_role_policy_attachment",
                "b",
                {"role": "r", "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
            ),
            change(
                "aws_iam_role_policy_attachment",
                "c",
                {"role": "r", "policy_arn": "arn:aws:iam::111122223333:policy/AdministratorAccess"},
            ),
        ]
    )
    (hit,) = findings(plan)["TFG-IAM-005"]
    assert hit[0].endswith(".a") and hit[1] is Severity.CRITICAL


def test_service_linked_role_deletion_is_a_change_finding() -> None:
    slr = {
        "aws_service_name": "guardduty.amazonaws.com",
        "custom_suffix": None,
        "description": None,
    }
    plan = plan_of(
        [change("aws_iam_service_linked_role", "gd", None, before=slr, actions=("delete",))]
    )
    report = evaluate(plan, [profile("TFG-IAM-007")])
    assert [f.status for f in report.findings] == [Status.INTRODUCED]


def test_session_duration_parameter() -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "ec2.amazonaws.com"},
            }
        ],
    }
    plan = plan_of(
        [
            change(
                "aws_iam_role",
                "r",
                {"name": "r", "assume_role_policy": text(trust), "max_session_duration": 28800},
            )
        ]
    )
    assert "TFG-IAM-009" in findings(plan)
    assert "TFG-IAM-009" not in findings(
        plan, params={"TFG-IAM-009": {"max_session_seconds": 28800}}
    )
