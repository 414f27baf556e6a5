"""Log group retention thresholds beyond the fixtures."""

from __future__ import annotations

import pytest

from tests.plan.test_region import make_plan, resource, run_rule
from tfgate.plan.model import Plan
from tfgate.rules.log.logging import LOG_GROUP_RETENTION


def plan_with(retention: int | None, *, unknown: bool = False) -> Plan:
    after = {"name": "/g", "retention_in_days": retention}
    if unknown:
        del after["retention_in_days"]
    return make_plan(
        resource(
            "aws_cloudwatch_log_group",
            "g",
            after,
            unknown={"retention_in_days": True} if unknown else {},
        )
    )


@pytest.mark.parametrize(
    ("days", "minimum", "reported"),
    [
        (30, 365, True),
        (365, 365, False),
        (400, 365, False),
        (1827, 2192, True),
        (2192, 2192, False),
        (3653, 2192, False),
        (1, 0, False),
    ],
)
def test_retention_threshold(days: int, minimum: int, reported: bool) -> None:
    hits = run_rule(
        LOG_GROUP_RETENTION,
        plan_with(days),
        "aws_cloudwatch_log_group.g",
        min_retention_days=minimum,
    )
    assert bool(hits) is reported
    if reported:
        assert hits[0].message == f"keeps events {days} days, less than the required {minimum}"


@pytest.mark.parametrize("days", [None, 0])
def test_never_expire_passes_by_default(days: int | None) -> None:
    assert run_rule(LOG_GROUP_RETENTION, plan_with(days), "aws_cloudwatch_log_group.g") == []


@pytest.mark.parametrize("days", [None, 0])
def test_never_expire_reported_when_the_profile_wants_expiry(days: int | None) -> None:
    hits = run_rule(
        LOG_GROUP_RETENTION,
        plan_with(days),
        "aws_cloudwatch_log_group.g",
        allow_never_expire=False,
        min_retention_days=0,
    )
    assert [hit.message for hit in hits] == [
        "never expires its events (retention_in_days is not set or 0)"
    ]


def test_unknown_retention_is_unknown() -> None:
    hits = run_rule(
        LOG_GROUP_RETENTION, plan_with(None, unknown=True), "aws_cloudwatch_log_group.g"
    )
    assert [hit.unknown for hit in hits] == [True]
