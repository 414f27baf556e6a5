"""Append-only telemetry writes (issue 14, item 2): a low-risk class TFG-IAM-015 does not count
as write on every resource, kept as one table with the AWS documentation of each entry."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules.iam_plans import document_plan, findings
from tfgate.iam import actions
from tfgate.iam.telemetry import APPEND_ONLY_TELEMETRY, APPEND_ONLY_TELEMETRY_NAMES
from tfgate.rules.iam.permissions import UNRESTRICTED_WRITE


def _write_hits(*statements: dict[str, Any]) -> list[str]:
    plan = document_plan("identity", {"Version": "2012-10-17", "Statement": list(statements)})
    return [
        message
        for _, _, message, _ in findings(plan, rules=[UNRESTRICTED_WRITE]).get("TFG-IAM-015", [])
    ]


def _allow(action: str | list[str], resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


@pytest.mark.parametrize("entry", APPEND_ONLY_TELEMETRY, ids=lambda entry: entry.action)
def test_every_entry_is_a_known_write_action_with_its_source(entry: Any) -> None:
    info = actions.action_info(entry.action)
    assert info is not None and info.display == entry.action
    assert info.access_levels == frozenset({"Write"})
    assert entry.source


def test_the_names_are_the_table() -> None:
    assert {entry.action.lower() for entry in APPEND_ONLY_TELEMETRY} == APPEND_ONLY_TELEMETRY_NAMES


@pytest.mark.parametrize("resource", ["*", "arn:aws:logs:*:*:*"])
def test_lambda_basic_execution_role_content_is_not_write_on_everything(resource: str) -> None:
    statement = _allow(
        ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], resource
    )
    assert _write_hits(statement) == []


def test_metrics_and_traces_are_not_write_on_everything() -> None:
    statement = _allow(
        ["cloudwatch:PutMetricData", "xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    )
    assert _write_hits(statement) == []


@pytest.mark.parametrize(
    "action", ["logs:*", "logs:Put*", "logs:DeleteLogGroup", "cloudwatch:PutMetricAlarm"]
)
def test_other_writes_of_those_services_still_count(action: str) -> None:
    (message,) = _write_hits(_allow(["logs:PutLogEvents", action]))
    assert "logs:PutLogEvents" not in message


def test_telemetry_next_to_a_real_write_reports_only_the_write() -> None:
    (message,) = _write_hits(_allow(["logs:PutLogEvents", "sqs:SendMessage"]))
    assert "sqs:SendMessage" in message and "such actions in all" not in message
