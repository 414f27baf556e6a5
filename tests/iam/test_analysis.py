from __future__ import annotations

from typing import Any

import pytest

from tfgate.iam.analysis import (
    ESCALATION_METHODS,
    RESOURCE_TYPES,
    Grant,
    SubjectClass,
    allowed,
    allowed_anywhere,
    covers,
    covers_every_action,
    foreign_account_principals,
    github_audience_pinned,
    github_operator_misuse,
    github_subject_class,
    is_full_admin,
    is_public_principal,
    is_star_resource,
    key_presence,
    limiting_conditions,
    privilege_escalation_paths,
    service_wildcards,
    trust_statements,
    unknown_action_patterns,
    unrestricted_actions,
)
from tfgate.iam.policy import Policy, Statement, parse_policy


def policy(*statements: dict[str, Any], version: str = "2012-10-17") -> Policy:
    return parse_policy({"Version": version, "Statement": list(statements)})


def allow(action: Any = None, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", **extra}
    if action is not None:
        statement["Action"] = action
    if resource is not None and "NotResource" not in extra:
        statement["Resource"] = resource
    return statement


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def patterns(grants: list[Grant]) -> list[tuple[str, str]]:
    return [(g.action_pattern, g.resource_pattern) for g in grants]


# ---------------------------------------------------------------------------------------------
# allowed


@pytest.mark.parametrize("action", ["IAM:passrole", "iam:Pa*Role", "iam:*", "*", "*:*", "i?m:*"])
def test_allowed_matches_any_spelling(action: str) -> None:
    assert patterns(allowed(policy(allow(action)), "iam:PassRole", "role")) == [(action, "*")]


def test_allowed_question_mark_wildcard() -> None:
    grants = allowed(policy(allow("iam:Create?ccessKey")), "iam:CreateAccessKey", "user")
    assert patterns(grants) == [("iam:Create?ccessKey", "*")]


def test_star_among_arns_counts() -> None:
    doc = policy(allow("iam:PassRole", ["arn:aws:iam::111122223333:role/app", "*"]))
    assert patterns(allowed(doc, "iam:PassRole", "role")) == [("iam:PassRole", "*")]


@pytest.mark.parametrize(
    ("resource", "is_star"),
    [
        ("*", True),
        ("arn:aws:iam::*:role/*", True),
        ("arn:*:iam::*:*", True),
        ("arn:aws:iam::123456789012:role/*", True),
        ("arn:aws-cn:iam::123456789012:role/*", True),
        ("arn:aws-us-gov:iam::*:role/*", True),
        ("arn:aws:iam::*", True),
        ("arn:*", True),
        ("arn:aws:iam::123456789012:role/service-role/lambda-*", False),
        ("arn:aws:iam::123456789012:role/app", False),
        ("arn:aws:iam::123456789012:user/*", False),
        ("arn:aws:iam::123456789012:role/?*", True),  # role names are never empty
        ("arn:aws:iam::123456789012:role/app-?", False),
        ("arn:aws:s3:::*", False),
        ("arn:aws:iam::123456789012:Role/*", False),
    ],
)
def test_effectively_star_for_roles(resource: str, is_star: bool) -> None:
    assert is_star_resource(resource, "role") is is_star
    grants = allowed(policy(allow("iam:PassRole", resource)), "iam:PassRole", "role")
    assert bool(grants) is is_star


def test_star_for_regional_types_and_services() -> None:
    assert is_star_resource("arn:aws:lambda:eu-west-1:123456789012:function:*", "function")
    assert is_star_resource("arn:aws:lambda:*:*:function:*", "function")
    assert not is_star_resource("arn:aws:lambda:eu-west-1:123456789012:function:app-*", "function")
    assert is_star_resource("arn:aws:s3:::*", "s3:*")
    assert not is_star_resource("arn:aws:s3:::reports/*", "s3:*")
    assert not is_star_resource("arn:aws:iam::*:role/*")
    with pytest.raises(ValueError, match="unknown resource type"):
        is_star_resource("*", "spaceship")
    assert {m.target for m in ESCALATION_METHODS} <= set(RESOURCE_TYPES)


def test_policy_variables_self_scope_only_in_2012() -> None:
    self_scoped = "arn:aws:iam::*:user/${aws:username}"
    assert not is_star_resource(self_scoped, "user", variables=True)
    assert not is_star_resource(self_scoped, "user", variables=False)
    # `${*}` is a literal asterisk under 2012, so this names one oddly named user.
    assert not is_star_resource("arn:aws:iam::*:user/${*}", "user", variables=True)
    doc = policy(allow("iam:CreateAccessKey", self_scoped))
    assert allowed(doc, "iam:CreateAccessKey", "user") == []
    assert privilege_escalation_paths(doc) == []


def test_not_resource_counts_as_star() -> None:
    doc = policy(allow("iam:CreateAccessKey", NotResource="arn:aws:iam::111122223333:user/admin"))
    assert patterns(allowed(doc, "iam:CreateAccessKey", "user")) == [
        ("iam:CreateAccessKey", "NotResource")
    ]


def test_not_action_grants_everything_else() -> None:
    doc = policy(allow(NotAction="s3:*"))
    assert patterns(allowed(doc, "iam:PassRole", "role")) == [("NotAction", "*")]
    assert allowed(doc, "s3:GetObject") == []
    assert allowed(doc, "S3:getobject") == []


def test_unknown_action_kept_as_pattern() -> None:
    doc = policy(allow("newservice:Launch*"))
    assert patterns(allowed(doc, "newservice:LaunchRocket")) == [("newservice:Launch*", "*")]
    assert [p for _, p in unknown_action_patterns(doc)] == ["newservice:Launch*"]


def test_unconditional_star_deny_cancels() -> None:
    doc = policy(allow("iam:*"), deny("iam:PassRole"))
    assert allowed(doc, "iam:PassRole", "role") == []
    assert allowed(doc, "iam:CreateAccessKey", "user") != []


def test_deny_on_one_arn_does_not_cancel_star_grant() -> None:
    doc = policy(allow("iam:*"), deny("iam:PassRole", "arn:aws:iam::111122223333:role/admin"))
    assert patterns(allowed(doc, "iam:PassRole", "role")) == [("iam:*", "*")]


def test_conditional_deny_does_not_cancel() -> None:
    doc = policy(
        allow("iam:*"),
        deny("*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}),
    )
    assert allowed(doc, "iam:PassRole", "role") != []


def test_deny_covering_pattern_cancels_and_not_resource_deny_never_does() -> None:
    grant = allow("iam:PassRole", "arn:aws:iam::*:role/*")
    assert (
        allowed(policy(grant, deny("iam:Pass*", "arn:aws:iam::*:role/*")), "iam:PassRole", "role")
        == []
    )
    assert (
        allowed(policy(grant, deny("iam:PassRole", "arn:aws:iam::*:*")), "iam:PassRole", "role")
        == []
    )
    not_resource_deny = {"Effect": "Deny", "Action": "iam:PassRole", "NotResource": "x"}
    assert allowed(policy(grant, not_resource_deny), "iam:PassRole", "role") != []
    not_action_deny = {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}
    assert allowed(policy(grant, not_action_deny), "iam:PassRole", "role") == []


def test_deny_must_cover_every_star_entry() -> None:
    doc = policy(
        allow("iam:PassRole", ["arn:aws:iam::*:role/*", "*"]),
        deny("iam:PassRole", "arn:aws:iam::*:role/*"),
    )
    assert patterns(allowed(doc, "iam:PassRole", "role")) == [("iam:PassRole", "*")]


def test_covers() -> None:
    assert covers("*", "arn:aws:iam::1:role/x")
    assert covers("arn:aws:iam::*:role/*", "arn:aws:iam::1:role/a*")
    assert covers("arn:aws:iam::*:role/a?", "arn:aws:iam::1:role/a?")
    assert not covers("arn:aws:iam::*:role/a?", "arn:aws:iam::1:role/a*")
    assert not covers("arn:aws:iam::1:role/x", "*")


def test_grant_carries_limiting_conditions() -> None:
    doc = policy(
        allow(
            "iam:PassRole",
            Condition={
                "StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"},
                "Bool": {"aws:SecureTransport": "true"},
            },
        )
    )
    (grant,) = allowed(doc, "iam:PassRole", "role")
    assert grant.conditional
    assert [c.key for c in grant.limiting_conditions] == ["iam:passedtoservice"]


def test_allow_statements_without_resource_only_count_anywhere() -> None:
    doc = policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"})
    assert allowed(doc, "s3:GetObject") == []
    assert patterns(allowed_anywhere(doc, "s3:GetObject")) == [("s3:GetObject", "")]


def test_allowed_anywhere() -> None:
    doc = policy(allow("lambda:InvokeFunction", "arn:aws:lambda:*:*:function:mine"))
    assert allowed(doc, "lambda:InvokeFunction", "function") == []
    assert len(allowed_anywhere(doc, "lambda:InvokeFunction")) == 1
    cancelled = policy(
        allow("lambda:InvokeFunction", "arn:aws:lambda:*:*:function:mine"), deny("lambda:*")
    )
    assert allowed_anywhere(cancelled, "lambda:InvokeFunction") == []


def test_malformed_effect_still_analysed() -> None:
    doc = policy({"Effect": "allow", "Action": "iam:PassRole", "Resource": "*"})
    assert allowed(doc, "iam:PassRole", "role") != []


# ---------------------------------------------------------------------------------------------
# is_full_admin, unrestricted_actions, service_wildcards


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (allow("*"), [("*", "*")]),
        (allow("*:*"), [("*:*", "*")]),
        (allow(NotAction=["iam:*"]), [("NotAction", "*")]),
        (allow("*", NotResource="arn:aws:s3:::x"), [("*", "NotResource")]),
        (allow("iam:*"), []),
        (allow("*", "arn:aws:s3:::*"), []),
        ({"Effect": "Deny", "Action": "*", "Resource": "*"}, []),
    ],
)
def test_is_full_admin(statement: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert patterns(is_full_admin(policy(statement))) == expected


def test_full_admin_and_denies() -> None:
    assert is_full_admin(policy(allow("*"), deny("*"))) == []
    assert is_full_admin(policy(allow("*"), deny("iam:*"))) != []
    conditional = deny("*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}})
    assert is_full_admin(policy(allow("*"), conditional)) != []


def test_unrestricted_actions_by_level() -> None:
    doc = policy(allow(["kms:CreateKey", "ec2:RunInstances", "s3:GetObject", "iam:PutRolePolicy"]))
    writes = unrestricted_actions(doc, "Write")
    assert set(writes) == {"ec2:runinstances", "iam:putrolepolicy"}
    assert writes["ec2:runinstances"].action_pattern == "ec2:RunInstances"
    assert set(unrestricted_actions(doc, "permissions management")) == {"iam:putrolepolicy"}
    assert set(unrestricted_actions(doc, "Read")) == {"s3:getobject"}


def test_unrestricted_actions_respects_conditions_scope_and_denies() -> None:
    conditioned = allow(
        "ec2:RunInstances", Condition={"StringEquals": {"aws:RequestedRegion": "x"}}
    )
    assert unrestricted_actions(policy(conditioned), "Write") != {}  # never-narrowing key
    limited = allow(
        "ec2:RunInstances", Condition={"StringEquals": {"ec2:InstanceType": "t3.micro"}}
    )
    assert unrestricted_actions(policy(limited), "Write") == {}
    scoped = allow("ec2:RunInstances", "arn:aws:ec2:*:*:instance/i-1")
    assert unrestricted_actions(policy(scoped), "Write") == {}
    denied = policy(allow("iam:*"), deny("iam:Put*"))
    found = unrestricted_actions(denied, "Permissions management")
    assert "iam:attachrolepolicy" in found
    assert "iam:putrolepolicy" not in found
    by_service = unrestricted_actions(
        policy(allow("s3:*", "arn:aws:s3:::*")), "Permissions management"
    )
    assert "s3:putbucketpolicy" in by_service


def test_unrestricted_actions_with_not_action_is_large_and_grant_shared() -> None:
    found = unrestricted_actions(policy(allow(NotAction=["iam:*"])), "Write")
    assert len(found) > 1000
    assert not any(name.startswith("iam:") for name in found)
    assert {grant.action_pattern for grant in found.values()} == {"NotAction"}


def test_service_wildcards() -> None:
    found = service_wildcards(policy(allow(["iam:*", "s3:Get*", "*"])))
    assert [service for service, _ in found] == ["iam"]
    assert service_wildcards(policy(allow("iam:*", "arn:aws:iam::*:role/x"))) == []


# ---------------------------------------------------------------------------------------------
# limiting_conditions


def conditioned(condition: dict[str, Any]) -> Statement:
    return policy(allow("*", Condition=condition)).statements[0]


@pytest.mark.parametrize(
    ("condition", "limits"),
    [
        ({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}, True),
        ({"StringLike": {"aws:PrincipalOrgID": "o-*"}}, False),
        ({"StringLike": {"aws:PrincipalArn": "*"}}, False),
        ({"StringEquals": {"aws:PrincipalArn": "*"}}, True),
        ({"ArnLike": {"aws:SourceArn": ["arn:aws:s3:::x", "*"]}}, False),
        ({"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}}, False),
        ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, False),
        ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, True),
        ({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "0.0.0.0/0"]}}, False),
        ({"StringEqualsIfExists": {"iam:PassedToService": "ec2.amazonaws.com"}}, False),
        ({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-abc"}}, False),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": "team"}}, True),
        ({"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": "o-abc"}}, True),
        ({"Bool": {"aws:SecureTransport": "true"}}, False),
        ({"Bool": {"aws:MultiFactorAuthPresent": True}}, False),
        ({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}, False),
        ({"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}, False),
        ({"StringLike": {"aws:UserAgent": "x"}, "StringEquals": {"aws:Referer": "y"}}, False),
        ({"Null": {"aws:PrincipalTag/team": "false"}}, False),
        ({"NumericLessThan": {"s3:max-keys": 10}}, True),
    ],
)
def test_limiting_conditions(condition: dict[str, Any], limits: bool) -> None:
    assert bool(limiting_conditions(conditioned(condition))) is limits


def test_limiting_conditions_key_filter_is_case_insensitive() -> None:
    statement = conditioned(
        {"StringEquals": {"iam:PassedToService": "x", "aws:PrincipalTag/team": "y"}}
    )
    found = limiting_conditions(statement, {"IAM:passedToService"})
    assert [c.key for c in found] == ["iam:passedtoservice"]
    assert len(limiting_conditions(statement)) == 2


# ---------------------------------------------------------------------------------------------
# Trust policies


def trust(principal: Any, action: Any = "sts:AssumeRole", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, **extra}


def test_trust_statements_match_wildcards_and_web_identity() -> None:
    doc = policy(
        trust({"AWS": "1"}, "sts:*"),
        trust({"AWS": "1"}, "sts:AssumeRoleWithWebIdentity"),
        trust({"AWS": "1"}, "STS:assume*"),
        trust({"AWS": "1"}, "sts:TagSession"),
        {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"},
        trust({"AWS": "1"}, "*"),
    )
    assert [s.index for s in trust_statements(doc)] == [0, 1, 2, 5]


@pytest.mark.parametrize(
    ("principal", "public"),
    [
        ("*", True),
        ({"AWS": "*"}, True),
        ({"AWS": ["arn:aws:iam::111122223333:root", "*"]}, True),
        ({"AWS": "arn:aws:iam::*:root"}, True),
        ({"AWS": "arn:aws:iam::111122223333:role/*"}, False),
        ({"AWS": "111122223333"}, False),
        ({"Service": "ec2.amazonaws.com"}, False),
        ({"Federated": "*"}, True),
    ],
)
def test_is_public_principal(principal: Any, public: bool) -> None:
    assert is_public_principal(policy(trust(principal)).statements[0]) is public


def test_allow_with_not_principal_is_public() -> None:
    doc = policy({"Effect": "Allow", "NotPrincipal": {"AWS": "1"}, "Action": "s3:*"})
    assert is_public_principal(doc.statements[0])


def test_foreign_account_principals() -> None:
    statement = policy(
        trust(
            {
                "AWS": [
                    "arn:aws:iam::999988887777:root",
                    "111122223333",
                    "arn:aws-cn:iam::444455556666:role/x",
                    "*",
                    "arn:aws:iam::*:root",
                ],
                "Service": "ec2.amazonaws.com",
            }
        )
    ).statements[0]
    own = frozenset({"111122223333"})
    assert foreign_account_principals(statement, own) == [
        "arn:aws:iam::999988887777:root",
        "arn:aws-cn:iam::444455556666:role/x",
    ]
    assert len(foreign_account_principals(statement, frozenset())) == 3


GITHUB = {
    "Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
}
SUB = "token.actions.githubusercontent.com:sub"
AUD = "token.actions.githubusercontent.com:aud"


def github(condition: dict[str, Any] | None = None, principal: Any = GITHUB) -> Statement:
    extra = {"Condition": condition} if condition is not None else {}
    return policy(trust(principal, "sts:AssumeRoleWithWebIdentity", **extra)).statements[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("*", SubjectClass.ANY),
        ("repo:*", SubjectClass.ANY),
        ("*:ref:refs/heads/main", SubjectClass.ANY),
        ("repo:my-org*", SubjectClass.ANY),
        ("repo:*/app:*", SubjectClass.ANY),
        ("repo:my-?rg/app:*", SubjectClass.ANY),
        ("rep*:my-org/app:*", SubjectClass.ANY),
        ("environment:prod", SubjectClass.ABUSABLE_FIRST_CLAIM),
        ("workflow:*", SubjectClass.ABUSABLE_FIRST_CLAIM),
        ("ref:refs/heads/main", SubjectClass.ABUSABLE_FIRST_CLAIM),
        ("repo:my-org/*", SubjectClass.ORG),
        ("repo:my-org/*:ref:refs/heads/main", SubjectClass.ORG),
        ("repo:my-org/app-*", SubjectClass.REPO_PREFIX),
        ("repo:my-org/app-*:environment:prod", SubjectClass.REPO_PREFIX),
        ("repo:my-org/app:*", SubjectClass.REPO_ANY_REF),
        ("repo:my-org/app:ref:refs/heads/*", SubjectClass.REPO_ANY_REF),
        ("repo:my-org/app:ref:refs/heads/main", SubjectClass.PINNED),
        ("repo:my-org/app:environment:prod", SubjectClass.PINNED),
        ("repo:my-org/app:pull_request", SubjectClass.PINNED),
        ("repo:my-org/app", SubjectClass.BROKEN),
        ("repository_owner_id:123:repository_id:456:ref:refs/heads/main", SubjectClass.PINNED),
        ("repository_owner_id:123:repository_id:456:*", SubjectClass.REPO_ANY_REF),
        ("repository_owner_id:123:*", SubjectClass.ORG),
        ("repository_owner_id:*:repository_id:456:*", SubjectClass.ANY),
        ("repository_owner:my-org:environment:prod", SubjectClass.ORG),
        ("repository_owner:my-org*", SubjectClass.ANY),
        (
            "repo:my-org/app:job_workflow_ref:my-org/wf/.github/workflows/d.yml@*",
            SubjectClass.REPO_ANY_REF,
        ),
    ],
)
def test_github_subject_class_string_like(value: str, expected: SubjectClass) -> None:
    assert github_subject_class(github({"StringLike": {SUB: value}})) == expected


def test_github_string_equals_wildcard_is_broken() -> None:
    assert github_subject_class(github({"StringEquals": {SUB: "repo:o/*"}})) == SubjectClass.BROKEN
    pinned = github({"StringEquals": {SUB: "repo:o/app:ref:refs/heads/main"}})
    assert github_subject_class(pinned) == SubjectClass.PINNED
    ignore_case = github({"StringEqualsIgnoreCase": {SUB: "repo:O/App:ref:refs/heads/main"}})
    assert github_subject_class(ignore_case) == SubjectClass.PINNED


def test_github_broadest_value_narrowest_block() -> None:
    values = github({"StringLike": {SUB: ["repo:o/app:ref:refs/heads/main", "*"]}})
    assert github_subject_class(values) == SubjectClass.ANY
    blocks = github(
        {
            "StringLike": {SUB: "repo:o/*"},
            "StringEquals": {SUB: "repo:o/app:ref:refs/heads/main"},
        }
    )
    assert github_subject_class(blocks) == SubjectClass.PINNED
    # A StringEquals value with a wildcard matches nothing, so the other value decides.
    mixed = github({"StringEquals": {SUB: ["repo:o/*", "repo:o/app:ref:refs/heads/main"]}})
    assert github_subject_class(mixed) == SubjectClass.PINNED


def test_github_missing_and_negated() -> None:
    assert github_subject_class(github()) == SubjectClass.MISSING
    aud_only = github({"StringEquals": {AUD: "sts.amazonaws.com"}})
    assert github_subject_class(aud_only) == SubjectClass.MISSING
    negated = github({"StringNotLike": {SUB: "repo:evil/*"}})
    assert github_subject_class(negated) == SubjectClass.MISSING
    assert github_operator_misuse(negated) == negated.conditions


def test_github_enterprise_issuer_and_not_github() -> None:
    enterprise = {
        "Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com/acme"
    }
    statement = github(
        {"StringLike": {"token.actions.githubusercontent.com/acme:sub": "repo:acme/app:*"}},
        enterprise,
    )
    assert github_subject_class(statement) == SubjectClass.REPO_ANY_REF
    other = github(principal={"Federated": "arn:aws:iam::1:oidc-provider/gitlab.com"})
    assert github_subject_class(other) is None
    plain = policy(trust({"AWS": "1"})).statements[0]
    assert github_subject_class(plain) is None


def test_github_operator_misuse() -> None:
    for operator in ("StringLikeIfExists", "ForAllValues:StringLike", "ForAnyValue:StringLike"):
        statement = github({operator: {SUB: "repo:o/app:*"}})
        assert len(github_operator_misuse(statement)) == 1, operator
        assert github_subject_class(statement) == SubjectClass.REPO_ANY_REF
    assert github_operator_misuse(github({"StringLike": {SUB: "repo:o/app:*"}})) == ()
    assert len(github_operator_misuse(github({"StringEquals": {SUB: "repo:o/*"}}))) == 1


def test_github_audience() -> None:
    assert github_audience_pinned(github({"StringEquals": {AUD: "sts.amazonaws.com"}}))
    assert not github_audience_pinned(github({"StringLike": {AUD: "*"}}))
    assert not github_audience_pinned(github({"StringEquals": {AUD: ["sts.amazonaws.com", "x"]}}))
    assert not github_audience_pinned(github())
    custom = github({"StringEquals": {AUD: "https://github.com/acme"}})
    assert github_audience_pinned(custom, frozenset({"https://github.com/acme"}))


# ---------------------------------------------------------------------------------------------
# Privilege escalation


def method_names(doc: Policy) -> set[str]:
    return {name for name, _ in privilege_escalation_paths(doc)}


def test_escalation_single_action_methods_with_any_spelling() -> None:
    assert "PutRolePolicy" in method_names(policy(allow("IAM:putrolepolicy")))
    assert "PutRolePolicy" in method_names(policy(allow("iam:Put*")))
    assert "CreateAccessKey" in method_names(policy(allow(NotAction="s3:*")))
    assert method_names(policy(allow("iam:PutRolePolicy", "arn:aws:iam::1:role/app"))) == set()


def test_escalation_pass_role_combination() -> None:
    doc = policy(
        allow("iam:PassRole"),
        allow(["lambda:CreateFunction", "lambda:InvokeFunction"], "arn:aws:lambda:*:*:function:x"),
    )
    paths = dict(privilege_escalation_paths(doc))
    grants = paths["PassExistingRoleToNewLambdaThenInvoke"]
    assert [g.action_pattern for g in grants] == [
        "iam:PassRole",
        "lambda:CreateFunction",
        "lambda:InvokeFunction",
    ]
    assert method_names(policy(allow("iam:PassRole"))) == set()


def test_escalation_passed_to_service_matching_the_method_still_counts() -> None:
    to_lambda = {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}
    doc = policy(
        allow(
            ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction", "ec2:RunInstances"],
            Condition=to_lambda,
        )
    )
    names = method_names(doc)
    assert "PassExistingRoleToNewLambdaThenInvoke" in names
    assert "CreateEC2WithExistingIP" not in names


def test_escalation_boundary_condition_and_denies() -> None:
    bounded = allow(
        "iam:PutRolePolicy",
        Condition={"StringEquals": {"iam:PermissionsBoundary": "arn:aws:iam::1:policy/b"}},
    )
    assert method_names(policy(bounded)) == set()
    assert "PutRolePolicy" not in method_names(policy(allow("iam:*"), deny("iam:PutRolePolicy")))
    assert "UpdateAndInvokeLambdaFunction" not in method_names(
        policy(allow("lambda:*"), deny("lambda:InvokeFunction"))
    )


@pytest.mark.parametrize(
    ("pattern", "service", "every"),
    [
        ("*", None, True),
        ("*:*", None, True),
        ("*?", None, True),
        ("?*:*", None, True),
        ("*:?*", None, True),
        ("**", None, True),
        ("????*", None, False),  # a name of three characters is not matched
        ("iam:*", None, False),
        ("iam:*", "iam", True),
        ("IAM:?*", "iam", True),
        ("i?m:*", "iam", True),
        ("iam:??*", "iam", False),
        ("iam:Pass?ole", "iam", False),
    ],
)
def test_covers_every_action(pattern: str, service: str | None, every: bool) -> None:
    assert covers_every_action(pattern, service) is every


@pytest.mark.parametrize(
    ("key", "every_value", "narrows"),
    [
        ("aws:resourcetag/team", "*", True),
        ("aws:requesttag/team", "*", True),
        ("s3:resourcetag/team", "*", True),
        ("aws:principalorgid", "o-??????????*", False),
        ("aws:principalaccount", "????????????", False),
        ("aws:principalorgpaths", "o-??????????*/r-????*/*", False),
        ("aws:principalarn", "arn:aws:?*:*:*:?*", False),
        ("iam:passedtoservice", "?*", False),
        ("aws:resourcetag/", "?*", False),  # no tag named: not a tag key
    ],
)
def test_key_presence_table(key: str, every_value: str, narrows: bool) -> None:
    entry = key_presence(key)
    assert (entry.every_value, entry.narrows) == (every_value, narrows)


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        ("arn:aws:iam::*:role/*?", "arn:aws:iam::*:role/?*", True),
        ("arn:aws:iam::*:role/?*", "arn:aws:iam::*:role/*", False),  # role/ with no name
        ("arn:aws:iam::*:user/*", "arn:aws:iam::*:user/${aws:username}", True),
        ("arn:aws:iam::*:user/?*", "arn:aws:iam::*:user/${aws:username}", False),
        ("arn:aws:s3:::${*}", "arn:aws:s3:::*", False),  # `${*}` is a literal asterisk
        ("arn:aws:s3:::*", "arn:aws:s3:::${*}", True),
    ],
)
def test_covers_is_glob_against_glob(outer: str, inner: str, expected: bool) -> None:
    assert covers(outer, inner) is expected


@pytest.mark.parametrize(
    ("value", "limits"),
    [
        ("o-*", False),
        ("o-*/r-*/*", False),
        ("*", False),
        ("o-a1b2c3d4e5/*", True),
        ("o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*", True),
    ],
)
def test_an_organisation_path_that_admits_every_organisation_does_not_limit(
    value: str, limits: bool
) -> None:
    condition = {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": value}}
    document = policy(allow("s3:GetObject", "*", Condition=condition))
    assert bool(limiting_conditions(document.statements[0])) is limits
