"""TFG-LOG-002 says what is missing and how the common modules fix it."""

from __future__ import annotations

from tests.plan.test_region import make_plan, resource, run_rule
from tfgate.rules.log.logging import LOG_GROUP_ENCRYPTED


def test_message_says_aws_owned_key_and_what_a_kms_key_adds() -> None:
    plan = make_plan(
        resource("aws_cloudwatch_log_group", "g", {"name": "/app", "kms_key_id": None})
    )
    [hit] = run_rule(LOG_GROUP_ENCRYPTED, plan, "aws_cloudwatch_log_group.g")
    assert not hit.unknown
    assert "kms_key_id is not set" in hit.message
    assert "key AWS owns" in hit.message
    assert "who may read these logs" in hit.message
    assert "CloudTrail record of each decryption" in hit.message


def test_fix_names_the_module_inputs() -> None:
    fix = LOG_GROUP_ENCRYPTED.sections["Fix"]
    assert "cloudwatch_log_group_kms_key_id" in fix
    assert "cloudwatch_logs_kms_key_id" in fix
    assert "kms_key_arn" in fix
