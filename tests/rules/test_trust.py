"""Trust-policy rules: rebuilt documents, the own account, GitHub subjects, federation."""

from __future__ import annotations

from typing import Any

import orjson

from tests.rules.iam_plans import change, findings, plan_of
from tfgate.report import Severity

OWN = frozenset({"111122223333"})
GITHUB = "token.actions.githubusercontent.com"


def trust_plan(*statements: dict[str, Any]) -> Any:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return plan_of(
        [
            change(
                "aws_iam_role",
                "r",
                {"name": "r", "assume_role_policy": orjson.dumps(document).decode()},
            )
        ]
    )


def aws(principal: str, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": "T",
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Principal": {"AWS": principal},
    }
    if condition:
        statement["Condition"] = condition
    return statement


def github(condition: dict[str, Any]) -> dict[str, Any]:
    return {
        "Sid": "GitHub",
        "Effect": "Allow",
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{GITHUB}"},
        "Condition": condition,
    }


def deferred_github_plan(condition_values: list[Any], condition_mask: list[Any]) -> Any:
    """A role whose trust document is read during apply: the principal is the ARN of the GitHub
    provider created in the same plan."""
    statement = {
        "actions": ["sts:AssumeRoleWithWebIdentity"],
        "condition": [
            {"test": "StringEquals", "variable": f"{GITHUB}:aud", "values": ["sts.amazonaws.com"]},
            {"test": "StringLike", "variable": f"{GITHUB}:sub", "values": condition_values},
        ],
        "effect": "Allow",
        "not_actions": [],
        "not_principals": [],
        "not_resources": [],
        "principals": [{"type": "Federated", "identifiers": [None]}],
        "resources": [],
        "sid": "",
    }
    mask = {
        "id": True,
        "json": True,
        "statement": [
            {"condition": [{}, {"values": condition_mask}], "principals": [{"identifiers": [True]}]}
        ],
    }
    configuration = {
        "root_module": {
            "resources": [
                {
                    "address": "aws_iam_role.r",
                    "mode": "managed",
                    "type": "aws_iam_role",
                    "name": "r",
                    "provider_config_key": "aws",
                    "expressions": {
                        "assume_role_policy": {
                            "references": [
                                "data.aws_iam_policy_document.t.json",
                                "data.aws_iam_policy_document.t",
                            ]
                        }
                    },
                    "schema_version": 0,
                },
                {
                    "address": "aws_iam_openid_connect_provider.gh",
                    "mode": "managed",
                    "type": "aws_iam_openid_connect_provider",
                    "name": "gh",
                    "provider_config_key": "aws",
                    "expressions": {"url": {"constant_value": f"https://{GITHUB}"}},
                    "schema_version": 0,
                },
                {
                    "address": "data.aws_iam_policy_document.t",
                    "mode": "data",
                    "type": "aws_iam_policy_document",
                    "name": "t",
                    "provider_config_key": "aws",
                    "expressions": {
                        "statement": [
                            {
                                "principals": [
                                    {
                                        "identifiers": {
                                            "references": [
                                                "aws_iam_openid_connect_provider.gh.arn",
                                                "aws_iam_openid_connect_provider.gh",
                                            ]
                                        },
                                        "type": {"constant_value": "Federated"},
                                    }
                                ]
                            }
                        ]
                    },
                    "schema_version": 0,
                },
            ]
        }
    }
    return plan_of(
        [
            change("aws_iam_role", "r", {"name": "r"}, after_unknown={"assume_role_policy": True}),
            change(
                "aws_iam_openid_connect_provider",
                "gh",
                {"url": f"https://{GITHUB}", "client_id_list": ["sts.amazonaws.com"]},
            ),
            change(
                "aws_iam_policy_document",
                "t",
                {"statement": [statement]},
                after_unknown=mask,
                actions=("read",),
                mode="data",
            ),
        ],
        configuration=configuration,
    )


def test_rebuilt_github_trust_is_judged() -> None:
    found = findings(deferred_github_plan(["repo:*"], [False]), OWN)
    ((_, severity, _, unknown),) = found["TFG-IAM-032"]
    assert severity is Severity.CRITICAL and not unknown
    assert "TFG-IAM-060" not in found


def test_rebuilt_github_trust_pinned_passes() -> None:
    found = findings(deferred_github_plan(["repo:org/app:ref:refs/heads/main"], [False]), OWN)
    assert not {"TFG-IAM-031", "TFG-IAM-032", "TFG-IAM-060"} & set(found)


def test_rebuilt_github_trust_with_unknown_sub_is_unknown() -> None:
    found = findings(deferred_github_plan([None], [True]), OWN)
    assert [unknown for *_, unknown in found["TFG-IAM-032"]] == [True]


def test_cross_account_with_unknown_own_account_is_unknown() -> None:
    plan = trust_plan(aws("arn:aws:iam::999988887777:root"))
    ((_, severity, _, unknown),) = findings(plan)["TFG-IAM-036"]
    assert unknown and severity is Severity.HIGH
    assert "TFG-IAM-037" not in findings(plan)


def test_cross_account_known_and_own() -> None:
    foreign = trust_plan(aws("arn:aws:iam::999988887777:role/auditor"))
    ((_, severity, message, unknown),) = findings(foreign, OWN)["TFG-IAM-036"]
    assert severity is Severity.MEDIUM and not unknown and "999988887777" in message
    own = trust_plan(aws("111122223333"))
    found = findings(own, OWN)
    assert "TFG-IAM-036" not in found and "TFG-IAM-037" in found


def test_known_accounts_and_external_id() -> None:
    plan = trust_plan(aws("arn:aws:iam::999988887777:root"))
    assert "TFG-IAM-036" not in findings(
        plan, OWN, params={"TFG-IAM-036": {"known_accounts": ["999988887777"]}}
    )
    guarded = trust_plan(
        aws("arn:aws:iam::999988887777:root", {"StringEquals": {"sts:ExternalId": "x1"}})
    )
    assert "TFG-IAM-036" not in findings(guarded, OWN)
    wildcard = trust_plan(
        aws("arn:aws:iam::999988887777:root", {"StringLike": {"sts:ExternalId": "*"}})
    )
    assert "TFG-IAM-036" in findings(wildcard, OWN)


def test_caller_identity_in_the_plan_is_the_own_account() -> None:
    document = {"Version": "2012-10-17", "Statement": [aws("arn:aws:iam::999988887777:root")]}
    prior = {
        "format_version": "1.0",
        "terraform_version": "1.9.8",
        "values": {
            "root_module": {
                "resources": [
                    {
                        "address": "data.aws_caller_identity.me",
                        "mode": "data",
                        "type": "aws_caller_identity",
                        "name": "me",
                        "provider_name": "registry.terraform.io/hashicorp/aws",
                        "schema_version": 0,
                        "values": {"account_id": "111122223333", "id": "111122223333"},
                        "sensitive_values": {},
                    }
                ]
            }
        },
    }
    plan = plan_of(
        [
            change(
                "aws_iam_role",
                "r",
                {"name": "r", "assume_role_policy": orjson.dumps(document).decode()},
            )
        ],
        prior_state=prior,
    )
    ((*_, unknown),) = findings(plan)["TFG-IAM-036"]
    assert not unknown


def test_not_principal_is_039_not_030() -> None:
    plan = trust_plan(
        {
            "Sid": "T",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "NotPrincipal": {"AWS": "arn:aws:iam::999988887777:root"},
        }
    )
    found = findings(plan, OWN)
    assert "TFG-IAM-039" in found and "TFG-IAM-030" not in found


def test_deny_star_is_not_public_trust() -> None:
    plan = trust_plan(
        {
            "Sid": "Ec2",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"Service": "ec2.amazonaws.com"},
        },
        {"Sid": "NoOne", "Effect": "Deny", "Action": "sts:AssumeRole", "Principal": "*"},
    )
    assert "TFG-IAM-030" not in findings(plan, OWN)


def test_baseline_parameter_accepts_org_wide_subjects() -> None:
    org = trust_plan(
        github(
            {
                "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
                "StringLike": {f"{GITHUB}:sub": "repo:org/*"},
            }
        )
    )
    assert "TFG-IAM-032" in findings(org, OWN)
    assert "TFG-IAM-032" not in findings(
        org, OWN, params={"TFG-IAM-032": {"broadest_accepted": "org"}}
    )
    anyone = trust_plan(github({"StringLike": {f"{GITHUB}:sub": "*"}}))
    assert "TFG-IAM-032" in findings(
        anyone, OWN, params={"TFG-IAM-032": {"broadest_accepted": "org"}}
    )


def test_saml_without_audience() -> None:
    plan = trust_plan(
        {
            "Sid": "Saml",
            "Effect": "Allow",
            "Action": "sts:AssumeRoleWithSAML",
            "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/okta"},
        }
    )
    ((_, severity, message, _),) = findings(plan, OWN)["TFG-IAM-035"]
    assert severity is Severity.HIGH and "SAML:aud" in message
    guarded = trust_plan(
        {
            "Sid": "Saml",
            "Effect": "Allow",
            "Action": "sts:AssumeRoleWithSAML",
            "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/okta"},
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
        }
    )
    assert "TFG-IAM-035" not in findings(guarded, OWN)


def test_external_id_values_never_reach_messages() -> None:
    plan = trust_plan(aws("*", {"StringEquals": {"sts:ExternalId": "s3cr3t-value"}}))
    for hits in findings(plan, OWN).values():
        for _, _, message, _ in hits:
            assert "s3cr3t-value" not in message


def oidc(issuer: str, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": "Oidc",
        "Effect": "Allow",
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{issuer}"},
    }
    if condition:
        statement["Condition"] = condition
    return statement


EKS = "oidc.eks.eu-west-1.amazonaws.com/id/5C3A8B1F0E9D4C2B"


def test_github_repository_prefix_and_org_block_under_the_baseline_parameter() -> None:
    baseline = {"TFG-IAM-032": {"broadest_accepted": "repo-any-ref"}}
    for broad in ("repo:org/*", "repo:androzo/team-anders-*/environment:devl"):
        plan = trust_plan(github({"StringLike": {f"{GITHUB}:sub": broad}}))
        ((_, severity, _, _),) = findings(plan, OWN, params=baseline)["TFG-IAM-032"]
        assert severity is Severity.MEDIUM
    one_repo = trust_plan(github({"StringLike": {f"{GITHUB}:sub": "repo:org/app:*"}}))
    assert "TFG-IAM-032" not in findings(one_repo, OWN, params=baseline)


def test_oidc_with_only_an_audience_is_federation_without_condition() -> None:
    for issuer in ("gitlab.com", EKS, "auth.example.com"):
        plan = trust_plan(oidc(issuer, {"StringEquals": {f"{issuer}:aud": "sts.amazonaws.com"}}))
        ((_, severity, message, _),) = findings(plan, OWN)["TFG-IAM-035"]
        assert severity is Severity.HIGH and f"{issuer}:sub" in message


def test_oidc_subject_across_namespaces_or_projects_blocks() -> None:
    broad = {
        EKS: ["system:serviceaccount:*:*", "system:serviceaccount:team-*:app"],
        "gitlab.com": ["project_path:my-group/*", "project_path:my-group/app*:ref_type:branch"],
        "auth.example.com": ["*:tenant"],
    }
    for issuer, values in broad.items():
        for value in values:
            plan = trust_plan(oidc(issuer, {"StringLike": {f"{issuer}:sub": value}}))
            ((_, _, message, _),) = findings(plan, OWN)["TFG-IAM-035"]
            assert "with a sub condition that admits" in message and value not in message


def test_oidc_subject_within_one_namespace_or_project_passes() -> None:
    narrow = {
        EKS: [
            "system:serviceaccount:kube-system:aws-load-balancer-controller",
            "system:serviceaccount:monitoring:*",
        ],
        "gitlab.com": [
            "project_path:my-group/app:ref_type:branch:ref:main",
            "project_path:my-group/app:*",
        ],
        "auth.example.com": ["client-42"],
    }
    for issuer, values in narrow.items():
        for value in values:
            plan = trust_plan(oidc(issuer, {"StringLike": {f"{issuer}:sub": value}}))
            assert "TFG-IAM-035" not in findings(plan, OWN), value
    # A literal wildcard in StringEquals matches nothing: not broad (the role is unusable).
    literal = trust_plan(oidc(EKS, {"StringEquals": {f"{EKS}:sub": "system:serviceaccount:*:*"}}))
    assert "TFG-IAM-035" not in findings(literal, OWN)
    # AND-ed conditions: a narrow block narrows the statement.
    both = trust_plan(
        oidc(
            EKS,
            {
                "StringLike": {f"{EKS}:sub": "system:serviceaccount:*:*"},
                "StringEquals": {f"{EKS}:sub": "system:serviceaccount:kube-system:ebs-csi"},
            },
        )
    )
    assert "TFG-IAM-035" not in findings(both, OWN)


def test_principal_arn_with_a_wildcard_account_does_not_guard_anyone() -> None:
    for key, value in (
        ("aws:PrincipalArn", "arn:aws:iam::*:role/admin"),
        ("aws:PrincipalArn", ["arn:aws:iam::111122223333:role/a", "arn:aws:iam::1*:role/b"]),
        ("aws:SourceArn", "arn:aws:sns:eu-west-1:*:topic"),
        ("aws:PrincipalAccount", "1111*"),
    ):
        plan = trust_plan(aws("*", {"ArnLike" if "Arn" in key else "StringLike": {key: value}}))
        ((_, severity, _, _),) = findings(plan, OWN)["TFG-IAM-030"]
        assert severity is Severity.HIGH, (key, value)
    pinned = trust_plan(
        aws("*", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}})
    )
    assert "TFG-IAM-030" not in findings(pinned, OWN)
