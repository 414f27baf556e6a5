"""EBS encryption left to AWS: unknown unless the plan sets EBS encryption by default."""

from __future__ import annotations

from typing import Any

import pytest

from tests.plan.test_region import make_plan, resource, run_rule
from tfgate.rules.enc.encryption import EBS_ENCRYPTION

INSTANCE = "aws_instance.web"


def instance(root: list[dict[str, Any]] | None) -> dict[str, Any]:
    after: dict[str, Any] = {"ami": "ami-0abcdef1234567890", "instance_type": "t3.micro"}
    expressions: dict[str, Any] = {"ami": {"constant_value": "ami-0abcdef1234567890"}}
    unknown: dict[str, Any] = {"root_block_device": True}
    if root is not None:
        after["root_block_device"] = root
        expressions["root_block_device"] = [{"volume_size": {"constant_value": 20}}]
        unknown = {"root_block_device": [{"encrypted": True, "kms_key_id": True}]}
    return resource("aws_instance", "web", after, unknown=unknown, expressions=expressions)


def default(enabled: bool) -> dict[str, Any]:
    return resource(
        "aws_ebs_encryption_by_default",
        "d",
        {"enabled": enabled},
        expressions={"enabled": {"constant_value": enabled}},
    )


@pytest.mark.parametrize("root", [None, [{"volume_size": 20}]], ids=["no-root-block", "root-block"])
def test_left_to_aws_without_a_default_in_the_plan_is_unknown(root: Any) -> None:
    [hit] = run_rule(EBS_ENCRYPTION, make_plan(instance(root)), INSTANCE)
    assert hit.unknown
    assert "known only after apply" in hit.message
    assert "encryption by default" in hit.message


@pytest.mark.parametrize("root", [None, [{"volume_size": 20}]], ids=["no-root-block", "root-block"])
def test_left_to_aws_with_the_default_on_in_the_plan_passes(root: Any) -> None:
    assert run_rule(EBS_ENCRYPTION, make_plan(instance(root), default(True)), INSTANCE) == []


@pytest.mark.parametrize("root", [None, [{"volume_size": 20}]], ids=["no-root-block", "root-block"])
def test_left_to_aws_with_the_default_off_in_the_plan_is_not_encrypted(root: Any) -> None:
    [hit] = run_rule(EBS_ENCRYPTION, make_plan(instance(root), default(False)), INSTANCE)
    assert not hit.unknown
    assert "turns EBS encryption by default off" in hit.message


def test_default_on_still_needs_a_customer_managed_key_when_the_profile_asks() -> None:
    hits = run_rule(
        EBS_ENCRYPTION, make_plan(instance(None), default(True)), INSTANCE, require_cmk=True
    )
    assert [hit.unknown for hit in hits] == [True]


def test_an_explicit_false_is_still_unencrypted() -> None:
    volume = resource(
        "aws_ebs_volume",
        "v",
        {"encrypted": False, "size": 10},
        expressions={"encrypted": {"constant_value": False}},
    )
    [hit] = run_rule(EBS_ENCRYPTION, make_plan(volume, default(True)), "aws_ebs_volume.v")
    assert not hit.unknown
    assert hit.message == "the EBS volume is not encrypted at rest (encrypted is not true)"
