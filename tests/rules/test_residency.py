"""Residency rules beyond the fixtures: aliases, module-passed providers, adequacy opt-in,
an empty allow-list, replicas and backup copies."""

from __future__ import annotations

from typing import Any

import pytest

from tests.plan.test_region import make_plan, provider, resource, run_rule
from tfgate.rules.res.residency import COPY_REGION, EU_REGIONS, RESOURCE_REGION

PROVIDERS = {
    "aws": provider("eu-west-1"),
    "aws.london": provider("eu-west-2", alias="london"),
    "aws.zurich": provider("eu-central-2", alias="zurich"),
    "aws.us": provider("us-east-1", alias="us"),
}


def queue(key: str = "aws", module: str = "") -> dict[str, Any]:
    return resource("aws_sqs_queue", "q", {"name": "q"}, key=key, module=module)


@pytest.mark.parametrize(
    ("key", "allow_adequacy", "reported"),
    [
        ("aws", False, False),
        ("aws.london", False, True),
        ("aws.london", True, False),
        ("aws.zurich", True, False),
        ("aws.us", True, True),
    ],
)
def test_adequacy_regions_are_opt_in(key: str, allow_adequacy: bool, reported: bool) -> None:
    plan = make_plan(queue(key), providers=PROVIDERS)
    hits = run_rule(RESOURCE_REGION, plan, "aws_sqs_queue.q", allow_adequacy_regions=allow_adequacy)
    assert bool(hits) is reported


def test_adequacy_message_says_how_to_accept_it() -> None:
    plan = make_plan(queue("aws.london"), providers=PROVIDERS)
    (hit,) = run_rule(RESOURCE_REGION, plan, "aws_sqs_queue.q")
    assert "adequacy decision" in hit.message
    assert "allow_adequacy_regions" in hit.message
    assert "provider 'aws.london'" in hit.message


def test_module_passed_provider_is_followed() -> None:
    plan = make_plan(queue("aws.us", module="module.dr"), providers=PROVIDERS)
    (hit,) = run_rule(RESOURCE_REGION, plan, "module.dr.aws_sqs_queue.q")
    assert "us-east-1" in hit.message


def test_unknown_region_is_unknown_not_a_pass() -> None:
    plan = make_plan(queue(), providers={"aws": provider()})
    (hit,) = run_rule(RESOURCE_REGION, plan, "aws_sqs_queue.q")
    assert hit.unknown


def test_empty_allow_list_turns_the_rule_off() -> None:
    plan = make_plan(queue("aws.us"), providers=PROVIDERS)
    assert run_rule(RESOURCE_REGION, plan, "aws_sqs_queue.q", allowed_regions=[]) == []


def test_other_allow_lists() -> None:
    plan = make_plan(queue("aws.us"), providers=PROVIDERS)
    assert run_rule(RESOURCE_REGION, plan, "aws_sqs_queue.q", allowed_regions=["us-east-1"]) == []


def test_defaults_are_the_eu_regions() -> None:
    assert RESOURCE_REGION.defaults["allowed_regions"] == list(EU_REGIONS)
    assert RESOURCE_REGION.defaults["allow_adequacy_regions"] is False


def test_dynamodb_replica_regions() -> None:
    plan = make_plan(
        resource(
            "aws_dynamodb_table",
            "t",
            {
                "name": "t",
                "replica": [{"region_name": "eu-central-1"}, {"region_name": "ap-south-1"}],
            },
        )
    )
    hits = run_rule(COPY_REGION, plan, "aws_dynamodb_table.t")
    assert [hit.message.split(" (from")[0] for hit in hits] == [
        "copies data (replica 2) to ap-south-1, outside the allowed regions"
    ]


def test_backup_copy_to_a_vault_created_in_the_plan() -> None:
    plan = make_plan(
        resource(
            "aws_backup_plan",
            "p",
            {"name": "p", "rule": [{"copy_action": [{}]}]},
            unknown={"rule": [{"copy_action": [{"destination_vault_arn": True}]}]},
            expressions={
                "rule": [
                    {
                        "copy_action": [
                            {
                                "destination_vault_arn": {
                                    "references": ["aws_backup_vault.dr.arn", "aws_backup_vault.dr"]
                                }
                            }
                        ]
                    }
                ]
            },
        ),
        resource("aws_backup_vault", "dr", {"name": "dr"}, key="aws.us"),
        providers=PROVIDERS,
    )
    (hit,) = run_rule(COPY_REGION, plan, "aws_backup_plan.p")
    assert "us-east-1" in hit.message


def test_replication_to_a_bucket_found_by_arn() -> None:
    plan = make_plan(
        resource(
            "aws_s3_bucket_replication_configuration",
            "r",
            {"bucket": "src", "rule": [{"destination": [{"bucket": "arn:aws:s3:::dst"}]}]},
        ),
        resource("aws_s3_bucket", "dst", {"bucket": "dst"}, key="aws.zurich"),
        providers=PROVIDERS,
    )
    address = "aws_s3_bucket_replication_configuration.r"
    assert run_rule(COPY_REGION, plan, address) != []
    assert run_rule(COPY_REGION, plan, address, allow_adequacy_regions=True) == []
