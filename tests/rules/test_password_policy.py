"""The account password policy rule: thresholds are parameters, unknown is not "not set"."""

from __future__ import annotations

import pytest

from tests.plan.test_region import make_plan, resource, run_rule
from tfgate.config.profiles import load_profile
from tfgate.engine import evaluate
from tfgate.plan.model import Plan
from tfgate.rules.iam.password_policy import PASSWORD_POLICY

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
    assert len(hits) == (1 if keys else 0)
    named = {
        "minimum_password_length": "the minimum password length is",
        "password_reuse_prevention": "previous passwords that cannot be reused is",
    }
    for hit in hits:
        assert not hit.unknown
        assert [key for key, text in named.items() if text in hit.message] == keys


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


@pytest.mark.parametrize(
    ("before", "status"),
    [
        ({"minimum_password_length": 8, "password_reuse_prevention": 24}, "existing"),
        ({"minimum_password_length": 8, "password_reuse_prevention": 5}, "existing"),
        ({"minimum_password_length": 14, "password_reuse_prevention": 24}, "introduced"),
        ({"minimum_password_length": 14, "password_reuse_prevention": 5}, "introduced"),
    ],
)
def test_one_finding_that_is_new_only_when_the_update_adds_a_problem(
    before: dict[str, int], status: str
) -> None:
    after = {"minimum_password_length": 8, "password_reuse_prevention": 24}
    plan = make_plan(
        resource(
            "aws_iam_account_password_policy",
            "p",
            after,
            before=before,
            actions=["update"],
            expressions={key: {"constant_value": value} for key, value in after.items()},
        )
    )
    report = evaluate(plan, [load_profile("baseline")])
    assert [f.status.value for f in report.findings] == [status]
