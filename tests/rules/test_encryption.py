"""Encryption rules beyond the fixtures: customer-managed keys, AWS managed aliases, DynamoDB."""

from __future__ import annotations

from typing import Any

import pytest

from tests.plan.test_region import make_plan, resource, run_rule
from tfgate.rules.enc.encryption import (
    DATA_STORE_ENCRYPTION,
    KMS_ROTATION,
    MESSAGING_ENCRYPTION,
    RDS_ENCRYPTION,
    S3_ENCRYPTION,
)

KEY_REF = {"references": ["aws_kms_key.data.arn", "aws_kms_key.data"]}


def db(**config: Any) -> dict[str, Any]:
    after = {"identifier": "db", "storage_encrypted": True}
    unknown = {"kms_key_id": True}
    expressions: dict[str, Any] = {"storage_encrypted": {"constant_value": True}, **config}
    if "kms_key_id" in config and "constant_value" in config["kms_key_id"]:
        after["kms_key_id"] = config["kms_key_id"]["constant_value"]
        unknown = {}
    return resource("aws_db_instance", "db", after, unknown=unknown, expressions=expressions)


def test_aws_managed_default_key_passes_without_require_cmk() -> None:
    assert run_rule(RDS_ENCRYPTION, make_plan(db()), "aws_db_instance.db") == []


def test_key_not_configured_means_the_aws_managed_key() -> None:
    hits = run_rule(RDS_ENCRYPTION, make_plan(db()), "aws_db_instance.db", require_cmk=True)
    assert [(hit.key, hit.unknown) for hit in hits] == [("cmk", False)]
    assert "AWS managed key" in hits[0].message


def test_key_referencing_a_kms_key_is_customer_managed() -> None:
    plan = make_plan(db(kms_key_id=KEY_REF))
    assert run_rule(RDS_ENCRYPTION, plan, "aws_db_instance.db", require_cmk=True) == []


def test_aws_managed_alias_is_not_customer_managed() -> None:
    plan = make_plan(db(kms_key_id={"constant_value": "alias/aws/rds"}))
    hits = run_rule(RDS_ENCRYPTION, plan, "aws_db_instance.db", require_cmk=True)
    assert [hit.key for hit in hits] == ["cmk"]


def test_key_from_an_unknown_expression_is_unknown() -> None:
    plan = make_plan(db(kms_key_id={"references": ["var.key_arn"]}))
    hits = run_rule(RDS_ENCRYPTION, plan, "aws_db_instance.db", require_cmk=True)
    assert [hit.unknown for hit in hits] == [True]


def table(sse: list[dict[str, Any]] | None) -> dict[str, Any]:
    after: dict[str, Any] = {"name": "t", "server_side_encryption": sse or []}
    expressions: dict[str, Any] = {"name": {"constant_value": "t"}}
    if sse:
        expressions["server_side_encryption"] = [
            {key: ({"constant_value": value}) for key, value in block.items()} for block in sse
        ]
    return resource("aws_dynamodb_table", "t", after, expressions=expressions)


def test_dynamodb_always_passes_without_require_cmk() -> None:
    assert run_rule(DATA_STORE_ENCRYPTION, make_plan(table(None)), "aws_dynamodb_table.t") == []


@pytest.mark.parametrize(
    ("sse", "reported"),
    [
        (None, True),
        ([{"enabled": False}], True),
        ([{"enabled": True}], True),
        ([{"enabled": True, "kms_key_arn": "arn:aws:kms:eu-west-1:111122223333:key/abc"}], False),
    ],
)
def test_dynamodb_under_require_cmk(sse: list[dict[str, Any]] | None, reported: bool) -> None:
    hits = run_rule(
        DATA_STORE_ENCRYPTION, make_plan(table(sse)), "aws_dynamodb_table.t", require_cmk=True
    )
    assert bool(hits) is reported


def sse_config(algorithm: str, key: str | None = None) -> dict[str, Any]:
    default: dict[str, Any] = {"sse_algorithm": algorithm, "kms_master_key_id": key}
    config: dict[str, Any] = {"sse_algorithm": {"constant_value": algorithm}}
    if key:
        config["kms_master_key_id"] = {"constant_value": key}
    return resource(
        "aws_s3_bucket_server_side_encryption_configuration",
        "c",
        {"bucket": "b", "rule": [{"apply_server_side_encryption_by_default": [default]}]},
        expressions={"rule": [{"apply_server_side_encryption_by_default": [config]}]},
    )


SSE = "aws_s3_bucket_server_side_encryption_configuration.c"


def test_s3_aes256_is_accepted_when_the_profile_lists_it() -> None:
    plan = make_plan(sse_config("AES256"))
    assert run_rule(S3_ENCRYPTION, plan, SSE) != []
    assert run_rule(S3_ENCRYPTION, plan, SSE, sse_algorithms=["aws:kms", "AES256"]) == []


def test_s3_kms_without_a_key_is_the_aws_managed_key() -> None:
    plan = make_plan(sse_config("aws:kms"))
    assert run_rule(S3_ENCRYPTION, plan, SSE) == []
    hits = run_rule(S3_ENCRYPTION, plan, SSE, require_cmk=True)
    assert [hit.key for hit in hits] == ["cmk"]
    key = "arn:aws:kms:eu-west-1:111122223333:key/abc"
    assert (
        run_rule(S3_ENCRYPTION, make_plan(sse_config("aws:kms", key)), SSE, require_cmk=True) == []
    )


def test_bucket_without_configuration_reported_only_when_sse_s3_is_not_accepted() -> None:
    plan = make_plan(resource("aws_s3_bucket", "b", {"bucket": "b"}))
    assert run_rule(S3_ENCRYPTION, plan, "aws_s3_bucket.b") != []
    assert run_rule(S3_ENCRYPTION, plan, "aws_s3_bucket.b", sse_algorithms=["AES256"]) == []


def test_sqs_managed_encryption_is_not_a_customer_key() -> None:
    plan = make_plan(resource("aws_sqs_queue", "q", {"name": "q", "sqs_managed_sse_enabled": True}))
    assert run_rule(MESSAGING_ENCRYPTION, plan, "aws_sqs_queue.q") == []
    assert run_rule(MESSAGING_ENCRYPTION, plan, "aws_sqs_queue.q", require_cmk=True) != []


@pytest.mark.parametrize(
    ("after", "reported"),
    [
        ({"enable_key_rotation": True, "rotation_period_in_days": 365}, False),
        ({"enable_key_rotation": True, "rotation_period_in_days": 400}, True),
        ({"enable_key_rotation": False}, True),
        ({"enable_key_rotation": False, "customer_master_key_spec": "HMAC_256"}, False),
    ],
)
def test_kms_rotation(after: dict[str, Any], reported: bool) -> None:
    plan = make_plan(resource("aws_kms_key", "k", after))
    assert bool(run_rule(KMS_ROTATION, plan, "aws_kms_key.k")) is reported
