from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfgate.errors import PolicyError
from tfgate.iam.policy import Condition, Policy, PolicyProblem, parse_policy


def doc(*statements: Any, version: str | None = "2012-10-17") -> dict[str, Any]:
    document: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        document["Version"] = version
    return document


def test_string_and_list_forms_normalise_to_tuples() -> None:
    policy = parse_policy(
        json.dumps(doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["a", "b"]}))
    )
    (statement,) = policy.statements
    assert statement.actions == ("s3:GetObject",)
    assert statement.resources == ("a", "b")
    assert statement.not_actions is None
    assert statement.not_resources is None
    assert policy.problems == ()


def test_statement_as_single_object() -> None:
    policy = parse_policy(
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*"}}
    )
    assert len(policy.statements) == 1
    assert policy.statements[0].index == 0


def test_bytes_input_is_accepted() -> None:
    assert parse_policy(b'{"Statement": []}').statements == ()


def test_effect_is_case_insensitive_and_recorded() -> None:
    policy = parse_policy(doc({"Effect": "allow", "Action": "*", "Resource": "*"}))
    (statement,) = policy.statements
    assert statement.effect == "Allow"
    assert statement.is_allow
    assert statement.effect_malformed
    assert policy.problems == (PolicyProblem("/Statement/0/Effect", policy.problems[0].message),)


def test_unknown_effect_drops_the_statement() -> None:
    policy = parse_policy(
        doc(
            {"Effect": "Permit", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "*", "Resource": "*"},
        )
    )
    assert [s.index for s in policy.statements] == [1]
    assert policy.problems[0].pointer == "/Statement/0/Effect"


@pytest.mark.parametrize(
    ("statement", "pointer"),
    [
        ({"Effect": "Allow", "Action": "*", "NotAction": "s3:*", "Resource": "*"}, "/Statement/0"),
        ({"Effect": "Allow", "Resource": "*"}, "/Statement/0"),
        ({"Effect": "Allow", "Action": 5, "Resource": "*"}, "/Statement/0/Action"),
        ({"Effect": "Allow", "Action": ["a:b", 3]}, "/Statement/0/Action/1"),
        ({"Effect": "Allow", "Action": "*", "Resource": "*", "NotResource": "x"}, "/Statement/0"),
        ({"Effect": "Allow", "Action": "*", "Principal": "me"}, "/Statement/0/Principal"),
        ({"Effect": "Allow", "Action": "*", "Condition": []}, "/Statement/0/Condition"),
        (
            {"Effect": "Allow", "Action": "*", "Condition": {"StringEquals": {"a/b": {"x": 1}}}},
            "/Statement/0/Condition/StringEquals/a~1b",
        ),
        ("not an object", "/Statement/0"),
        ({"Action": "*"}, "/Statement/0/Effect"),
    ],
)
def test_statement_defects_are_recorded_with_pointer(statement: Any, pointer: str) -> None:
    policy = parse_policy(doc(statement))
    assert policy.statements == ()
    assert [problem.pointer for problem in policy.problems] == [pointer]
    assert not policy.is_valid


def test_problem_messages_never_quote_values() -> None:
    secret = "AKIAEXAMPLESECRET"
    policy = parse_policy(doc({"Effect": secret, "Action": secret, "Resource": secret}))
    for problem in policy.problems:
        assert secret not in problem.message
        assert secret not in problem.pointer


@pytest.mark.parametrize(
    ("document", "message", "pointer"),
    [
        ("{not json", "policy is not valid JSON", None),
        ("[]", "policy document is not a JSON object", None),
        ({"Version": "2012-10-17"}, "policy has no Statement", "/Statement"),
        ({"Statement": "x"}, "Statement is neither an object nor an array", "/Statement"),
    ],
)
def test_unreadable_documents_raise(document: Any, message: str, pointer: str | None) -> None:
    with pytest.raises(PolicyError) as raised:
        parse_policy(document, source="aws_iam_policy.x.policy")
    assert raised.value.message == message
    assert raised.value.pointer == pointer
    assert raised.value.source == "aws_iam_policy.x.policy"


def test_versions_and_policy_variables() -> None:
    assert parse_policy(doc()).variables_enabled
    old = parse_policy(doc({"Effect": "Allow", "Action": "*"}, version="2008-10-17"))
    assert not old.variables_enabled
    assert not old.statements[0].variables
    assert parse_policy(doc(version=None)).version is None
    odd = parse_policy(doc(version="2020-01-01"))
    assert [p.pointer for p in odd.problems] == ["/Version"]


def test_principals_normalised() -> None:
    policy = parse_policy(
        doc(
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com", "aws": ["1", "2"]},
                "Action": "sts:AssumeRole",
            },
            {"Effect": "Deny", "NotPrincipal": {"AWS": "x"}, "Action": "*"},
        )
    )
    first, second, third = policy.statements
    assert first.principals == {"AWS": ("*",)}
    assert second.principals == {"Service": ("ec2.amazonaws.com",), "AWS": ("1", "2")}
    assert third.not_principals == {"AWS": ("x",)}
    assert third.principals is None
    hash(first)  # principals are excluded from the hash, so statements stay hashable


def test_conditions_flattened_with_lower_keys_and_text_values() -> None:
    policy = parse_policy(
        doc(
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {
                    "Bool": {"aws:MultiFactorAuthPresent": True},
                    "NumericLessThan": {"aws:MultiFactorAuthAge": [3600, 1.5]},
                    "ForAnyValue:StringLike": {"aws:TagKeys": "team*"},
                    "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-1"},
                },
            }
        )
    )
    conditions = policy.statements[0].conditions
    assert conditions[0] == Condition("Bool", "aws:multifactorauthpresent", ("true",))
    assert conditions[1].values == ("3600", "1.5")
    assert conditions[2].qualifier == "ForAnyValue"
    assert conditions[2].base_operator == "StringLike"
    assert not conditions[2].negated
    assert conditions[3].negated
    assert conditions[3].if_exists
    assert conditions[3].base_operator == "StringNotEquals"


def test_label() -> None:
    policy = parse_policy(
        doc(
            {"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
        )
    )
    assert [s.label for s in policy.statements] == ['Sid "Admin"', "statement #2"]


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(["*", "Allow", "deny", "iam:*", "2012-10-17", "2008-10-17"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "Version",
                    "Statement",
                    "Effect",
                    "Action",
                    "NotAction",
                    "Resource",
                    "NotResource",
                    "Principal",
                    "NotPrincipal",
                    "Condition",
                    "Sid",
                    "AWS",
                    "StringLike",
                    "x",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(JSON)
def test_any_json_value_parses_or_raises_policy_error(value: Any) -> None:
    for document in (value, json.dumps(value)):
        try:
            result = parse_policy(document)
        except PolicyError:
            continue
        assert isinstance(result, Policy)


STATEMENT = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny", "allow"])},
    optional={
        "Action": st.lists(st.sampled_from(["*", "iam:*", "IAM:Pass?ole", "s3:Get*", "x:y"]))
        | st.just("*:*"),
        "NotAction": st.sampled_from(["s3:*", "iam:*", []]),
        "Resource": st.lists(
            st.sampled_from(["*", "arn:aws:iam::*:role/*", "arn:*", "arn:aws:s3:::b/*", "${*}"])
        ),
        "Principal": st.sampled_from(["*", {"AWS": "111122223333"}, {"Federated": "x"}]),
        "Condition": st.sampled_from(
            [{}, {"StringLike": {"token.actions.githubusercontent.com:sub": ["repo:*", "?"]}}]
        ),
    },
)


@settings(max_examples=100, deadline=None)
@given(st.lists(STATEMENT, max_size=4), st.sampled_from(["2012-10-17", "2008-10-17"]))
def test_analysis_never_crashes_on_parsed_policies(statements: list[Any], version: str) -> None:
    from tfgate.iam import analysis

    policy = parse_policy({"Version": version, "Statement": statements})
    analysis.allowed(policy, "iam:PassRole", "role")
    analysis.allowed_anywhere(policy, "s3:GetObject")
    analysis.is_full_admin(policy)
    analysis.unrestricted_actions(policy, "Write")
    analysis.privilege_escalation_paths(policy)
    for statement in policy.statements:
        analysis.github_subject_class(statement)
        analysis.is_public_principal(statement)
        analysis.foreign_account_principals(statement, frozenset())
