"""Guardrails weakened by a change: trail selectors, Config recording, SCP Deny statements."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.plan.test_region import make_plan, resource, run_rule
from tfgate.plan.values import View
from tfgate.rules.grd.guardrail_coverage import (
    ALL,
    NONE,
    PARTIAL,
    RECORDER_NARROWED,
    TRAIL_COVERAGE_NARROWED,
    management_coverage,
)
from tfgate.rules.grd.scp import SCP_GUARDRAIL_REMOVED


def field(name: str, **values: list[str]) -> dict[str, Any]:
    return {"field": name, **values}


@pytest.mark.parametrize(
    ("after", "coverage"),
    [
        ({}, {"read": ALL, "write": ALL}),
        ({"event_selector": [{"read_write_type": "ReadOnly"}]}, {"read": ALL, "write": NONE}),
        (
            {
                "event_selector": [
                    {"read_write_type": "ReadOnly"},
                    {"read_write_type": "WriteOnly"},
                ]
            },
            {"read": ALL, "write": ALL},
        ),
        (
            {"event_selector": [{"exclude_management_event_sources": ["kms.amazonaws.com"]}]},
            {"read": PARTIAL, "write": PARTIAL},
        ),
        (
            {
                "advanced_event_selector": [
                    {
                        "field_selector": [
                            field("eventCategory", equals=["Management"]),
                            field("readOnly", equals=["false"]),
                        ]
                    }
                ],
                "event_selector": [{"read_write_type": "All"}],
            },
            {"read": NONE, "write": ALL},
        ),
        (
            {
                "advanced_event_selector": [
                    {"field_selector": [field("eventCategory", equals=["Data"])]}
                ]
            },
            {"read": NONE, "write": NONE},
        ),
    ],
)
def test_management_coverage(after: dict[str, Any], coverage: dict[str, int]) -> None:
    assert management_coverage(View(after)) == coverage


def trail_update(before: dict[str, Any], after: dict[str, Any], unknown: Any = None) -> Any:
    return make_plan(
        resource(
            "aws_cloudtrail",
            "t",
            {"name": "t", **after},
            before={"name": "t", **before},
            actions=["update"],
            unknown=unknown or {},
        )
    )


def test_selectors_known_only_after_apply_are_unknown() -> None:
    plan = trail_update({"event_selector": []}, {}, unknown={"event_selector": True})
    [hit] = run_rule(TRAIL_COVERAGE_NARROWED, plan, "aws_cloudtrail.t")
    assert hit.unknown


def test_a_trail_that_recorded_no_management_events_cannot_be_narrowed() -> None:
    off = {"event_selector": [{"include_management_events": False}]}
    plan = trail_update(off, {"event_selector": [{"include_management_events": False}]})
    assert run_rule(TRAIL_COVERAGE_NARROWED, plan, "aws_cloudtrail.t") == []


def recorder_update(before: dict[str, Any], after: dict[str, Any], unknown: Any = None) -> Any:
    return make_plan(
        resource(
            "aws_config_configuration_recorder",
            "r",
            {"name": "default", **after},
            before={"name": "default", **before},
            actions=["update"],
            unknown=unknown or {},
        )
    )


def test_recorder_without_recording_group_records_everything() -> None:
    plan = recorder_update({"recording_group": [{"all_supported": True}]}, {"recording_group": []})
    assert run_rule(RECORDER_NARROWED, plan, "aws_config_configuration_recorder.r") == []


def test_recorder_group_known_only_after_apply_is_unknown() -> None:
    plan = recorder_update({"recording_group": []}, {}, unknown={"recording_group": True})
    [hit] = run_rule(RECORDER_NARROWED, plan, "aws_config_configuration_recorder.r")
    assert hit.unknown


def deny(actions: Any, condition: Any = None, key: str = "Action") -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Deny", key: actions, "Resource": "*"}
    if condition:
        statement["Condition"] = condition
    return statement


def scp(*statements: dict[str, Any]) -> str:
    return orjson.dumps({"Version": "2012-10-17", "Statement": list(statements)}).decode()


def scp_update(before: str, after: str | None, unknown: Any = None) -> Any:
    after_values: dict[str, Any] = {"name": "g", "type": "SERVICE_CONTROL_POLICY", "id": "p-1"}
    if after is not None:
        after_values["content"] = after
    return make_plan(
        resource(
            "aws_organizations_policy",
            "p",
            after_values,
            before={"name": "g", "type": "SERVICE_CONTROL_POLICY", "id": "p-1", "content": before},
            actions=["update"],
            unknown=unknown or {},
        )
    )


GUARD = deny(["cloudtrail:StopLogging"])


@pytest.mark.parametrize(
    ("after", "reported"),
    [
        (scp(deny(["cloudtrail:*"])), False),
        (scp(deny("*")), False),
        (scp(deny(["s3:*"], key="NotAction")), False),
        (scp(deny(["cloudtrail:*"], key="NotAction")), True),
        (scp(deny(["cloudtrail:StopLogging"], {"Bool": {"aws:ViaAWSService": "false"}})), True),
        (scp({**GUARD, "Effect": "Allow"}), True),
        (scp({**GUARD, "Resource": "arn:aws:cloudtrail:*:*:trail/org"}), True),
    ],
)
def test_what_still_denies_a_protected_action(after: str, reported: bool) -> None:
    hits = run_rule(
        SCP_GUARDRAIL_REMOVED, scp_update(scp(GUARD), after), "aws_organizations_policy.p"
    )
    assert bool(hits) is reported


def test_scp_content_known_only_after_apply_is_unknown() -> None:
    plan = scp_update(scp(GUARD), None, unknown={"content": True})
    [hit] = run_rule(SCP_GUARDRAIL_REMOVED, plan, "aws_organizations_policy.p")
    assert hit.unknown
    assert "cloudtrail:StopLogging" in hit.message


def test_detaching_a_policy_the_plan_does_not_hold_is_unknown() -> None:
    attachment = resource(
        "aws_organizations_policy_attachment",
        "a",
        None,
        before={"policy_id": "p-elsewhere", "target_id": "111122223333"},
        actions=["delete"],
    )
    [hit] = run_rule(
        SCP_GUARDRAIL_REMOVED,
        make_plan(attachment),
        "aws_organizations_policy_attachment.a",
    )
    assert hit.unknown
    assert "p-elsewhere" in hit.message


def attachment_replaced(after_target: str | None) -> Any:
    policy = resource(
        "aws_organizations_policy",
        "p",
        {"id": "p-1", "name": "g", "type": "SERVICE_CONTROL_POLICY", "content": scp(GUARD)},
        before={"id": "p-1", "name": "g", "type": "SERVICE_CONTROL_POLICY", "content": scp(GUARD)},
        actions=["no-op"],
    )
    after: dict[str, Any] = {"policy_id": "p-1"}
    unknown: dict[str, Any] = {"id": True}
    if after_target is None:
        unknown["target_id"] = True
    else:
        after["target_id"] = after_target
    attachment = resource(
        "aws_organizations_policy_attachment",
        "a",
        after,
        before={"policy_id": "p-1", "target_id": "ou-old", "id": "ou-old:p-1"},
        actions=["delete", "create"],
        unknown=unknown,
    )
    return make_plan(policy, attachment)


@pytest.mark.parametrize(
    ("target", "reported"), [("ou-new", True), ("ou-old", False), (None, True)]
)
def test_an_attachment_replaced_onto_another_target_detaches_the_old_one(
    target: str | None, reported: bool
) -> None:
    hits = run_rule(
        SCP_GUARDRAIL_REMOVED, attachment_replaced(target), "aws_organizations_policy_attachment.a"
    )
    assert bool(hits) is reported
    if reported:
        assert "from ou-old" in hits[0].message
