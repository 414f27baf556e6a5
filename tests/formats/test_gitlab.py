"""`--format gitlab`: the GitLab Code Quality report, with the fields GitLab requires."""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson

from tests.formats.golden import assert_golden
from tests.formats.sample import PASSING, REPORT
from tfgate.formats import gitlab, sarif

SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def issues(report: Any = REPORT) -> list[dict[str, Any]]:
    rendered = gitlab.render(report)
    assert not rendered.startswith("\ufeff")
    document = orjson.loads(rendered)
    assert isinstance(document, list)
    return document


def test_golden() -> None:
    assert_golden("report.gitlab.json", gitlab.render(REPORT))


def test_every_finding_has_the_required_fields() -> None:
    found = issues()
    assert len(found) == len(REPORT.findings)
    for issue in found:
        assert isinstance(issue["description"], str) and issue["description"]
        assert issue["check_name"].startswith("TFG-")
        assert len(issue["fingerprint"]) == 64
        assert issue["severity"] in SEVERITIES
        assert issue["location"]["path"] and not issue["location"]["path"].startswith("/")
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert issue["location"]["lines"]["begin"] >= 1
    assert len({issue["fingerprint"] for issue in found}) == len(found)


def by_address(found: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {issue["description"].split(": ")[1]: issue for issue in found}


def test_severity_location_and_fallback() -> None:
    found = by_address(issues())
    alice = found["aws_iam_user.fail_alice"]
    assert alice["severity"] == "blocker"
    assert alice["location"] == {"path": "infra/main.tf", "lines": {"begin": 37}}
    assert found["aws_iam_user.pass_existing_bob"]["severity"] == "major"  # high, warns
    assert found["module.logs.aws_cloudwatch_log_group.this[0]"]["severity"] == "minor"
    waived = found["aws_iam_user.legacy"]
    assert waived["severity"] == "info"
    assert "waived: vendor integration, ticket SEC-142" in waived["description"]
    # No source location: line 1 of the plan file.
    assert waived["location"] == {"path": "infra/plan.json", "lines": {"begin": 1}}


def test_fingerprints_are_stable_and_scoped_by_plan() -> None:
    before = by_address(issues())
    moved = [
        dataclasses.replace(finding, message=finding.message + " (reworded)", location=None)
        for finding in REPORT.findings
    ]
    after = by_address(issues(dataclasses.replace(REPORT, findings=tuple(moved))))
    for address, issue in before.items():
        assert issue["fingerprint"] == after[address]["fingerprint"]
    alice = REPORT.findings[0]
    assert before["aws_iam_user.fail_alice"]["fingerprint"] == sarif.fingerprint(
        alice, "infra/plan.json"
    )
    other_plan = dataclasses.replace(alice, plan="envs/b/plan.json")
    assert sarif.fingerprint(other_plan, other_plan.plan) != sarif.fingerprint(
        alice, "infra/plan.json"
    )


def test_a_passing_report_is_an_empty_array() -> None:
    assert gitlab.render(PASSING) == "[]\n"
