"""The redaction step: sensitive plan values and credential-shaped strings never survive."""

from __future__ import annotations

import pytest

from tfgate.plan.model import Plan, Resource
from tfgate.plan.values import View
from tfgate.redact import MASK, Redactor

SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"


def plan_with(values: dict[str, object], mask: dict[str, object]) -> Plan:
    resource = Resource(
        address="aws_db_instance.main",
        module_address="",
        mode="managed",
        type="aws_db_instance",
        name="main",
        index=None,
        actions=frozenset({"create"}),
        after=View(values, {}, mask),
    )
    return Plan("plan.json", "1.2", "1.9.8", (resource,), {}, {}, {})


def test_sensitive_values_from_the_plan_are_masked() -> None:
    redactor = Redactor.for_plan(plan_with({"password": "hunter2-long"}, {"password": True}))
    assert redactor.text("the password is hunter2-long!") == f"the password is {MASK}!"


def test_longer_secrets_are_replaced_before_their_prefixes() -> None:
    redactor = Redactor.for_plan(plan_with({"a": "abcd", "b": "abcdefgh"}, {"a": True, "b": True}))
    assert redactor.text("x abcdefgh y") == f"x {MASK} y"


@pytest.mark.parametrize(
    "planted",
    [
        ACCESS_KEY_ID,
        "ASIAY34FZKBOKMUTVV7A",
        SECRET_KEY,
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
        "ghp_" + "a1B2" * 9,
        "xoxb-1234567890-abcdefghij",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGPgpBody\n-----END PGP PRIVATE KEY BLOCK"
        "-----",
        "github_pat_11ABCDEFG0abcdefghijklmnop_" + "Q1w2E3r4T5" * 6,
        "ZZghp_" + "a1B2" * 9,
    ],
)
def test_credential_shapes_are_masked_wherever_they_come_from(planted: str) -> None:
    redactor = Redactor(())
    assert planted not in redactor.text(f"value {planted} here")


def test_ordinary_text_is_left_alone() -> None:
    text = (
        'inline_policy[deploy], Sid "PassAll" allows iam:PassRole on any role '
        "(iam:* on arn:aws:iam::123456789012:role/*) 3f786850e387550fdab836ed7e6dc881de23001b"
    )
    assert Redactor(()).text(text) == text


def test_a_connection_url_keeps_its_user_and_loses_its_password() -> None:
    assert (
        Redactor(()).text("postgres://app:s3cr3t-pw@db:5432/x")
        == f"postgres://app:{MASK}@db:5432/x"
    )
