"""The account password policy rule: thresholds are parameters, unknown is not "not set"."""

from __future__ import annotations

import pytest

from tests.plan.test_region import make_plan, resource, run_rule
from tfgate.plan.model import Plan
from tfgate.rules.password_policy import PASSWORD_POLICY

ADDRESS = "aws_iam_account_password_policy.p"


def policy_plan(
    after: dict[str, object], unknown: dict[str, bool], expressions: dict[str, object]
) -> Plan:
    return make_plan(
        resource(
            "aws_iam_account_password_policy",
            "p",
            after,
            unknown=unknown,
            expressions=expressions,
        )
    )


@pytest.mark.parametrize(
    ("length", "reuse", "params", "keys"),
    [
        (14, 24, {}, []),
        (13, 24, {}, ["minimum_password_length"]),
        (14, 23, {}, ["password_reuse_prevention"]),
        (12, 4, {"min_length": 12, "min_reuse_prevention": 4}, []),
        (
            11,
            3,
            {"min_length": 12, "min_reuse_prevention": 4},
            ["minimum_password_length", "password_reuse_prevention"],
        ),
    ],
)
def test_thresholds_come_from_the_parameters(
    length: int, reuse: int, params: dict[str, int], keys: list[str]
) -> None:
    plan = policy_plan(
        {"minimum_password_length": length, "password_reuse_prevention": reuse},
        {},
        {
            "minimum_password_length": {"constant_value": length},
            "password_reuse_prevention": {"constant_value": reuse},
        },
    )
    hits = run_rule(PASSWORD_POLICY, plan, ADDRESS, **params)
    assert [hit.key for hit in hits] == keys
    assert not any(hit.unknown for hit in hits)


def test_reuse_prevention_from_a_value_known_only_after_apply_is_unknown() -> None:
    plan = policy_plan(
        {"minimum_password_length": 14},
        {"password_reuse_prevention": True},
        {
            "minimum_password_length": {"constant_value": 14},
            "password_reuse_prevention": {"references": ["var.history"]},
        },
    )
    [hit] = run_rule(PASSWORD_POLICY, plan, ADDRESS)
    assert hit.unknown
    assert hit.message == "password_reuse_prevention is known only after apply"


def test_reuse_prevention_left_out_of_the_configuration_is_not_set() -> None:
    plan = policy_plan(
        {"minimum_password_length": 14},
        {"password_reuse_prevention": True},
        {"minimum_password_length": {"constant_value": 14}},
    )
    [hit] = run_rule(PASSWORD_POLICY, plan, ADDRESS)
    assert not hit.unknown
    assert hit.message.startswith("password_reuse_prevention is not set")
