"""References through module boundaries: `var.key_arn` inside a module, set by the call to
`module.kms.key_arn`, whose output is `aws_kms_key.this.arn`, names a key created in the plan."""

from __future__ import annotations

from typing import Any

from tests.rules.iam_plans import findings
from tests.rules.module_plans import Block, Call, const, module_plan, refs
from tfgate.plan.model import Plan

KMS = Call(
    "kms",
    "terraform-aws-modules/kms/aws",
    {"description": const("logs")},
    {"key_arn": refs("aws_kms_key.this[0].arn")},
    [
        Block(
            "aws_kms_key",
            "this",
            {"enable_key_rotation": True, "customer_master_key_spec": "SYMMETRIC_DEFAULT"},
            {"enable_key_rotation": const(True)},
            unknown=("arn", "key_id", "id", "policy"),
            index=0,
        )
    ],
    count=None,
)


def log_group_module(key_arn: dict[str, Any] | None) -> Call:
    arguments = {"name": const("app")} | ({"key_arn": key_arn} if key_arn else {})
    return Call(
        "logs",
        "./modules/logs",
        arguments,
        {"arn": refs("aws_cloudwatch_log_group.this.arn")},
        [
            Block(
                "aws_cloudwatch_log_group",
                "this",
                {"name": "app", "retention_in_days": 400, "kms_key_id": None}
                if key_arn is None
                else {"name": "app", "retention_in_days": 400},
                {"name": refs("var.name"), "retention_in_days": const(400)}
                | ({"kms_key_id": refs("var.key_arn")} if key_arn else {}),
                unknown=("arn", "id") + (("kms_key_id",) if key_arn else ()),
            )
        ],
    )


def test_log_group_key_from_another_module_is_a_kms_key() -> None:
    plan = module_plan([], [KMS, log_group_module(refs("module.kms.key_arn"))])
    assert "TFG-LOG-002" not in findings(plan)


def test_log_group_key_followed_to_something_else_stays_unknown() -> None:
    parameter = Block(
        "aws_ssm_parameter",
        "key",
        {"name": "/logs/key", "type": "String"},
        {"name": const("/logs/key")},
        unknown=("value", "arn"),
    )
    plan = module_plan([parameter], [log_group_module(refs("aws_ssm_parameter.key.value"))])
    ((address, _, message, unknown),) = findings(plan)["TFG-LOG-002"]
    assert address == "module.logs.aws_cloudwatch_log_group.this" and unknown, message


def test_log_group_module_called_without_a_key_is_not_encrypted() -> None:
    plan = module_plan([], [KMS, log_group_module(None)])
    ((_, _, _, unknown),) = findings(plan)["TFG-LOG-002"]
    assert not unknown


def database(kms_key_id: dict[str, Any]) -> Block:
    return Block(
        "aws_db_instance",
        "db",
        {"engine": "postgres", "storage_encrypted": True, "publicly_accessible": False},
        {"storage_encrypted": const(True), "kms_key_id": kms_key_id},
        unknown=("kms_key_id", "arn", "id"),
    )


def test_root_resource_with_a_key_output_by_a_module_is_encrypted_with_a_cmk() -> None:
    encrypted = module_plan([database(refs("module.kms.key_arn"))], [KMS])
    assert "TFG-ENC-002" not in findings(encrypted, params={"TFG-ENC-002": {"require_cmk": True}})


TRAIL_BUCKET_ID = refs("aws_s3_bucket_policy.this[0].id", "aws_s3_bucket.this[0].id")


def trail_bucket_module(status: str) -> Call:
    """The terraform-aws-modules/s3-bucket shape: every block has `count`, settings refer to
    `aws_s3_bucket.this[0].id`, the `s3_bucket_id` output goes through the bucket policy."""
    bucket_id = refs("aws_s3_bucket.this[0].id")
    return Call(
        "trail_bucket",
        "terraform-aws-modules/s3-bucket/aws",
        {"bucket": const("org-trail-logs")},
        {"s3_bucket_id": TRAIL_BUCKET_ID},
        [
            Block(
                "aws_s3_bucket",
                "this",
                {"bucket": "org-trail-logs", "force_destroy": False, "object_lock_enabled": True},
                {"bucket": refs("var.bucket"), "object_lock_enabled": const(True)},
                unknown=("id", "arn", "versioning", "logging", "object_lock_configuration"),
                index=0,
            ),
            Block(
                "aws_s3_bucket_versioning",
                "this",
                {"versioning_configuration": [{"status": status}]},
                {"bucket": bucket_id, "versioning_configuration": [{"status": const(status)}]},
                unknown=("bucket", "id"),
                index=0,
            ),
            Block(
                "aws_s3_bucket_public_access_block",
                "this",
                dict.fromkeys(
                    (
                        "block_public_acls",
                        "block_public_policy",
                        "ignore_public_acls",
                        "restrict_public_buckets",
                    ),
                    True,
                ),
                {"bucket": bucket_id},
                unknown=("bucket", "id"),
                index=0,
            ),
            Block(
                "aws_s3_bucket_policy",
                "this",
                {},
                {
                    "bucket": bucket_id,
                    "policy": refs("data.aws_iam_policy_document.combined[0].json"),
                },
                unknown=("bucket", "id", "policy"),
                index=0,
            ),
        ],
    )


def trail_plan(status: str) -> Plan:
    trail = Block(
        "aws_cloudtrail",
        "org",
        {
            "name": "org",
            "is_multi_region_trail": True,
            "include_global_service_events": True,
            "enable_log_file_validation": True,
        },
        {
            "s3_bucket_name": refs("module.trail_bucket.s3_bucket_id"),
            "kms_key_id": refs("module.kms.key_arn"),
        },
        unknown=("s3_bucket_name", "kms_key_id", "arn", "id"),
    )
    return module_plan([trail], [KMS, trail_bucket_module(status)])


def test_trail_bucket_created_by_a_module_is_judged_as_managed_in_the_plan() -> None:
    found = findings(trail_plan("Enabled"))
    assert "TFG-LOG-001" not in found
    assert "TFG-LOG-007" not in found and "TFG-LOG-008" not in found
    for rule in ("TFG-LOG-009", "TFG-LOG-010"):
        for _, _, message, _ in found.get(rule, []):
            assert "not managed in this plan" not in message
            assert "known only after apply and is not in this plan" not in message


def test_trail_bucket_created_by_a_module_with_versioning_suspended_blocks() -> None:
    ((address, _, message, unknown),) = findings(trail_plan("Suspended"))["TFG-LOG-007"]
    assert address == "aws_cloudtrail.org" and not unknown
    assert "module.trail_bucket.aws_s3_bucket.this[0]" in message
