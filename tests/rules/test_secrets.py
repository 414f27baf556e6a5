"""Plain-text credentials: AKIA and ASIA ids, 40-character secret keys, never the value."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest

from tests.plan.test_region import make_plan, resource, run_rule
from tfgate.plan.model import Plan
from tfgate.rules.sec.secrets import PLAINTEXT_CREDENTIALS, credential_kinds, looks_like_secret_key

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
TEMP_ID = "ASIAY34FZKBOKMUTVV7A"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SHA1 = "3f786850e387550fdab836ed7e6dc881de23001b"


def function(variables: dict[str, Any], unknown: dict[str, Any] | None = None, **expr: Any) -> Plan:
    return make_plan(
        resource(
            "aws_lambda_function",
            "f",
            {"function_name": "f", "environment": [{"variables": variables}]},
            unknown={"environment": [{"variables": unknown}]} if unknown else {},
            expressions={"environment": [{"variables": expr}]} if expr else {},
        )
    )


@pytest.mark.parametrize(
    ("name", "value", "kinds"),
    [
        ("ID", KEY_ID, ["an AWS access key id"]),
        ("ID", TEMP_ID, ["an AWS access key id"]),
        ("URL", f"https://{KEY_ID}@example.com", ["an AWS access key id"]),
        ("AWS_SECRET_ACCESS_KEY", SECRET, ["an AWS secret access key"]),
        ("TOKEN", SECRET, []),
        ("GIT_SECRET", SHA1, []),
        ("ID", "AKIAIOSFODNN7EXAMPLEX", []),
        ("CFG", f"aws_secret_access_key = {SECRET}", ["an AWS secret access key"]),
    ],
)
def test_credential_kinds(name: str, value: str, kinds: list[str]) -> None:
    assert credential_kinds(name, value) == kinds


def test_hex_digests_do_not_look_like_secret_keys() -> None:
    assert not looks_like_secret_key(SHA1)
    assert looks_like_secret_key(SECRET)


def test_secret_beside_a_key_id_is_found_whatever_its_name() -> None:
    plan = function({"USER": KEY_ID, "PASS": SECRET})
    hits = run_rule(PLAINTEXT_CREDENTIALS, plan, "aws_lambda_function.f")
    assert sorted(hit.message for hit in hits) == [
        "Lambda environment variable PASS holds an AWS secret access key in plain text",
        "Lambda environment variable USER holds an AWS access key id in plain text",
    ]


def test_messages_never_hold_the_value() -> None:
    plan = function({"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET})
    hits = run_rule(PLAINTEXT_CREDENTIALS, plan, "aws_lambda_function.f")
    assert len(hits) == 2
    for hit in hits:
        assert KEY_ID not in hit.message and SECRET not in hit.message
        assert KEY_ID not in hit.key and SECRET not in hit.key


def test_variable_set_from_an_access_key_in_the_plan() -> None:
    plan = function(
        {"REGION": "eu-west-1"},
        unknown={"AWS_SECRET_ACCESS_KEY": True},
        references=["aws_iam_access_key.ci.secret", "aws_iam_access_key.ci"],
    )
    (hit,) = run_rule(PLAINTEXT_CREDENTIALS, plan, "aws_lambda_function.f")
    assert not hit.unknown
    assert "aws_iam_access_key" in hit.message


def test_unknown_credential_named_variable_is_unknown() -> None:
    plan = function({}, unknown={"AWS_ACCESS_KEY_ID": True, "TABLE": True}, references=["var.key"])
    (hit,) = run_rule(PLAINTEXT_CREDENTIALS, plan, "aws_lambda_function.f")
    assert hit.unknown
    assert "AWS_ACCESS_KEY_ID" in hit.message


def test_ecs_environment_names_container_and_variable() -> None:
    containers = [{"name": "app", "environment": [{"name": "K", "value": TEMP_ID}]}]
    plan = make_plan(
        resource(
            "aws_ecs_task_definition",
            "t",
            {"family": "t", "container_definitions": orjson.dumps(containers).decode()},
        )
    )
    (hit,) = run_rule(PLAINTEXT_CREDENTIALS, plan, "aws_ecs_task_definition.t")
    assert (
        hit.message
        == "container app environment variable K holds an AWS access key id in plain text"
    )


def test_ecs_unknown_definitions_are_unknown() -> None:
    plan = make_plan(
        resource(
            "aws_ecs_task_definition", "t", {"family": "t"}, unknown={"container_definitions": True}
        )
    )
    (hit,) = run_rule(PLAINTEXT_CREDENTIALS, plan, "aws_ecs_task_definition.t")
    assert hit.unknown


@pytest.mark.parametrize(
    ("kind", "reported"), [("String", True), ("StringList", True), ("SecureString", False)]
)
def test_ssm_parameter_types(kind: str, reported: bool) -> None:
    plan = make_plan(
        resource("aws_ssm_parameter", "p", {"name": "/p", "type": kind, "value": KEY_ID})
    )
    assert bool(run_rule(PLAINTEXT_CREDENTIALS, plan, "aws_ssm_parameter.p")) is reported


def test_launch_template_user_data_is_decoded_and_the_line_named() -> None:
    script = f"#!/bin/bash\nexport AWS_ACCESS_KEY_ID={KEY_ID}\naws_secret_access_key={SECRET}\n"
    encoded = base64.b64encode(script.encode()).decode()
    plan = make_plan(resource("aws_launch_template", "lt", {"name": "lt", "user_data": encoded}))
    hits = run_rule(PLAINTEXT_CREDENTIALS, plan, "aws_launch_template.lt")
    assert [hit.message for hit in hits] == [
        "user_data holds an AWS access key id in plain text on line 2",
        "user_data holds an AWS secret access key in plain text on line 3",
    ]
