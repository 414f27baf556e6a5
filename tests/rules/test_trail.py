"""CloudTrail rules beyond the fixtures: buckets found by name, legacy inline settings, the
account-level public access block, external buckets, object lock parameters, change-awareness."""

from __future__ import annotations

from typing import Any

from tests.plan.test_region import make_plan, resource, run_rule
from tfgate.engine import classify
from tfgate.plan.model import Plan
from tfgate.report import Status
from tfgate.rules.base import Context
from tfgate.rules.log.trail import (
    TRAIL_BUCKET_OBJECT_LOCK,
    TRAIL_BUCKET_PUBLIC,
    TRAIL_BUCKET_VERSIONING,
    TRAIL_CLOUDWATCH,
    TRAIL_MULTI_REGION,
)

TRAIL = "aws_cloudtrail.t"
FLAGS = {
    "block_public_acls": True,
    "block_public_policy": True,
    "ignore_public_acls": True,
    "restrict_public_buckets": True,
}


def trail(bucket_name: str | None = "audit", **after: Any) -> dict[str, Any]:
    values = {"name": "t", "is_multi_region_trail": True, **after}
    unknown: dict[str, Any] = {}
    expressions: dict[str, Any] = {}
    if bucket_name is None:
        unknown["s3_bucket_name"] = True
        expressions["s3_bucket_name"] = {"references": ["aws_s3_bucket.b.id", "aws_s3_bucket.b"]}
    else:
        values["s3_bucket_name"] = bucket_name
    return resource("aws_cloudtrail", "t", values, unknown=unknown, expressions=expressions)


def bucket(**after: Any) -> dict[str, Any]:
    return resource("aws_s3_bucket", "b", {"bucket": "audit", **after})


def test_bucket_found_by_name_with_a_versioning_resource_found_by_name() -> None:
    plan = make_plan(
        trail("audit"),
        bucket(),
        resource(
            "aws_s3_bucket_versioning",
            "v",
            {"bucket": "audit", "versioning_configuration": [{"status": "Enabled"}]},
        ),
    )
    assert run_rule(TRAIL_BUCKET_VERSIONING, plan, TRAIL) == []


def test_bucket_found_by_reference_when_its_name_is_unknown() -> None:
    plan = make_plan(
        trail(None),
        bucket(),
        resource(
            "aws_s3_bucket_versioning",
            "v",
            {"versioning_configuration": [{"status": "Suspended"}]},
            unknown={"bucket": True},
            expressions={"bucket": {"references": ["aws_s3_bucket.b.id", "aws_s3_bucket.b"]}},
        ),
    )
    hits = run_rule(TRAIL_BUCKET_VERSIONING, plan, TRAIL)
    assert [hit.message for hit in hits] == [
        "the trail's bucket aws_s3_bucket.b has versioning suspended (status is not Enabled)"
    ]


def test_legacy_inline_versioning_counts() -> None:
    plan = make_plan(trail("audit"), bucket(versioning=[{"enabled": True, "mfa_delete": False}]))
    assert run_rule(TRAIL_BUCKET_VERSIONING, plan, TRAIL) == []


def test_external_bucket_is_unknown_until_listed() -> None:
    plan = make_plan(trail("org-archive"))
    hits = run_rule(TRAIL_BUCKET_VERSIONING, plan, TRAIL)
    assert [hit.unknown for hit in hits] == [True]
    assert "org-archive" not in hits[0].message
    assert run_rule(TRAIL_BUCKET_VERSIONING, plan, TRAIL, external_buckets=["org-archive"]) == []


def test_account_level_public_access_block_covers_the_bucket() -> None:
    plan = make_plan(
        trail("audit"), bucket(), resource("aws_s3_account_public_access_block", "a", dict(FLAGS))
    )
    assert run_rule(TRAIL_BUCKET_PUBLIC, plan, TRAIL) == []


def test_public_access_block_names_the_flags_that_are_off() -> None:
    plan = make_plan(
        trail("audit"),
        bucket(),
        resource(
            "aws_s3_bucket_public_access_block",
            "p",
            {**FLAGS, "bucket": "audit", "ignore_public_acls": False},
        ),
    )
    (hit,) = run_rule(TRAIL_BUCKET_PUBLIC, plan, TRAIL)
    assert hit.message.endswith("does not block public access (ignore_public_acls not true)")


def lock_plan(mode: str, days: int | None = None, years: int | None = None) -> Plan:
    retention = {"mode": mode, "days": days, "years": years}
    return make_plan(
        trail("audit"),
        bucket(object_lock_enabled=True),
        resource(
            "aws_s3_bucket_object_lock_configuration",
            "l",
            {"bucket": "audit", "rule": [{"default_retention": [retention]}]},
        ),
    )


def test_object_lock_mode_and_days() -> None:
    rule = TRAIL_BUCKET_OBJECT_LOCK
    assert run_rule(rule, lock_plan("GOVERNANCE", days=30), TRAIL) == []
    assert run_rule(rule, lock_plan("GOVERNANCE", days=30), TRAIL, modes=["COMPLIANCE"]) != []
    assert run_rule(rule, lock_plan("COMPLIANCE", days=90), TRAIL, min_retention_days=365) != []
    assert run_rule(rule, lock_plan("COMPLIANCE", years=1), TRAIL, min_retention_days=365) == []


def test_object_lock_unset_on_a_v5_bucket_is_off_not_unknown() -> None:
    plan = make_plan(
        trail("audit"),
        resource(
            "aws_s3_bucket",
            "b",
            {"bucket": "audit"},
            unknown={"object_lock_enabled": True},
            expressions={"bucket": {"constant_value": "audit"}},
        ),
    )
    (hit,) = run_rule(TRAIL_BUCKET_OBJECT_LOCK, plan, TRAIL)
    assert not hit.unknown
    assert "does not have S3 Object Lock enabled" in hit.message


def test_global_events_off_is_reported_separately() -> None:
    plan = make_plan(trail("audit", include_global_service_events=False))
    (hit,) = run_rule(TRAIL_MULTI_REGION, plan, TRAIL)
    assert hit.key == "global"


def test_cloudwatch_group_referenced_but_role_missing() -> None:
    plan = make_plan(
        resource(
            "aws_cloudtrail",
            "t",
            {"name": "t", "s3_bucket_name": "audit", "cloud_watch_logs_role_arn": None},
            unknown={"cloud_watch_logs_group_arn": True},
            expressions={
                "cloud_watch_logs_group_arn": {
                    "references": ["aws_cloudwatch_log_group.g.arn", "aws_cloudwatch_log_group.g"]
                }
            },
        )
    )
    (hit,) = run_rule(TRAIL_CLOUDWATCH, plan, TRAIL)
    assert hit.key == "role"


def test_versioning_removed_by_the_plan_is_introduced() -> None:
    plan = make_plan(
        resource(
            "aws_cloudtrail",
            "t",
            {"name": "t", "s3_bucket_name": "audit"},
            before={"name": "t", "s3_bucket_name": "audit"},
            actions=("update",),
        ),
        resource(
            "aws_s3_bucket",
            "b",
            {"bucket": "audit"},
            before={"bucket": "audit"},
            actions=("no-op",),
        ),
        resource(
            "aws_s3_bucket_versioning",
            "v",
            None,
            before={"bucket": "audit", "versioning_configuration": [{"status": "Enabled"}]},
            actions=("delete",),
        ),
    )
    (trail_resource,) = plan.by_address[TRAIL]
    judged = classify(TRAIL_BUCKET_VERSIONING, trail_resource, Context(plan), {})
    assert [item.status for item in judged] == [Status.INTRODUCED]
