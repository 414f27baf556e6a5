"""`--format sarif`: valid SARIF 2.1.0 with what GitHub code scanning requires."""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
import pytest

from tests.formats.sample import FINDINGS, REPORT
from tests.formats.sarif_rules import github_problems, schema_errors
from tfgate.formats import sarif
from tfgate.report import Location, Severity, Status
from tfgate.rules import RULES_BY_ID


def assert_valid(document: dict[str, Any]) -> None:
    errors = schema_errors(document)
    assert not errors, "\n".join(errors)
    problems = github_problems(document)
    assert not problems, "\n".join(problems)


def render(report: Any = REPORT) -> dict[str, Any]:
    document = orjson.loads(sarif.render(report))
    assert isinstance(document, dict)
    return document


def test_sample_validates() -> None:
    assert_valid(render())


def test_github_must_haves() -> None:
    document = render()
    assert document["version"] == "2.1.0"
    assert document["$schema"]
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "tfgate" and driver["semanticVersion"]
    rules = {rule["id"]: rule for rule in driver["rules"]}
    # TFG-ZZZ-999 is neither in the registry nor named by a finding: nothing to describe.
    assert set(rules) == {"TFG-IAM-001", "TFG-LOG-002"}
    iam = rules["TFG-IAM-001"]
    assert iam["name"] == "iam-user-created"
    assert iam["shortDescription"]["text"] == RULES_BY_ID["TFG-IAM-001"].title
    assert 0 < len(iam["fullDescription"]["text"]) <= 1024
    assert "## Why it matters" in iam["help"]["markdown"]
    assert "## Controls" in iam["help"]["markdown"]
    assert iam["properties"]["security-severity"] == "8.0"
    assert "security" in iam["properties"]["tags"]
    assert len(iam["properties"]["tags"]) <= 20
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        assert result["level"] in ("error", "warning", "note")


@pytest.mark.parametrize(
    ("severity", "score"),
    [("critical", "9.5"), ("high", "8.0"), ("medium", "5.5"), ("low", "3.0"), ("info", "0.1")],
)
def test_security_severity_mapping(severity: str, score: str) -> None:
    assert sarif.SECURITY_SEVERITY[severity] == score  # type: ignore[index]


def results_by_address(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {result["properties"]["address"]: result for result in document["runs"][0]["results"]}


def test_levels_locations_and_suppressions() -> None:
    results = results_by_address(render())
    alice = results["aws_iam_user.fail_alice"]
    assert alice["level"] == "error"
    (location,) = alice["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "infra/main.tf"},
        "region": {"startLine": 37},
    }
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "aws_iam_user.fail_alice"
    assert results["aws_iam_user.pass_existing_bob"]["level"] == "warning"
    assert "suppressions" not in alice
    waived = results["aws_iam_user.legacy"]
    assert waived["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "vendor integration, ticket SEC-142",
        }
    ]
    # No source location: line 1 of the plan file, so GitHub accepts the upload.
    assert waived["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "infra/plan.json"},
        "region": {"startLine": 1},
    }
    assert waived["locations"][0]["logicalLocations"] == [
        {"fullyQualifiedName": "aws_iam_user.legacy", "kind": "resource"}
    ]
    assert results["aws_cloudwatch_log_group.broken"]["level"] == "error"


def test_fingerprints_ignore_lines_and_messages() -> None:
    before = results_by_address(render())
    findings = []
    for finding in REPORT.findings:
        location = finding.location
        if location is not None:
            location = dataclasses.replace(location, line=location.line + 10)
        findings.append(
            dataclasses.replace(finding, message=f"{finding.message} (reworded)", location=location)
        )
    moved = dataclasses.replace(REPORT, findings=tuple(findings))
    after = results_by_address(render(moved))
    for address, result in before.items():
        assert result["partialFingerprints"] == after[address]["partialFingerprints"]
    fingerprints = [r["partialFingerprints"][sarif.FINGERPRINT] for r in before.values()]
    assert len(set(fingerprints)) == len(fingerprints)


def test_waived_findings_never_block() -> None:
    document = render()
    for result in document["runs"][0]["results"]:
        if result["properties"]["status"] == Status.WAIVED.value:
            assert result["level"] == "note"


def test_no_uri_is_absolute() -> None:
    """A report built outside `tfgate check` may carry machine paths: only file names remain."""
    findings = (
        dataclasses.replace(FINDINGS[0], location=Location("/srv/x y/main.tf", 37)),
        dataclasses.replace(FINDINGS[4], plan="/home/ci/work/plan.json"),
    )
    document = render(dataclasses.replace(REPORT, findings=findings))
    uris = [
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in document["runs"][0]["results"]
    ]
    assert uris == ["main.tf", "plan.json"]
    assert_valid(document)


@pytest.mark.parametrize(
    ("changes", "category"),
    [
        ({"accounts": ("111122223333",), "workspace": "prod"}, "tfgate/111122223333/"),
        ({"accounts": ("111122223333", "444455556666"), "workspace": "prod"}, "tfgate/prod/"),
        ({"accounts": (), "plan_paths": ("envs/a/plan.json",)}, "tfgate/envs/a/plan.json/"),
        (
            {"accounts": (), "sources": ("a.json", "b.json"), "plan_paths": ("a.json", "b.json")},
            "tfgate/a.json+b.json/",
        ),
    ],
)
def test_automation_details_name_the_account_workspace_or_plan(
    changes: dict[str, Any], category: str
) -> None:
    document = render(dataclasses.replace(REPORT, **changes))
    assert document["runs"][0]["automationDetails"] == {"id": category}


def many_findings(count: int) -> tuple[Any, ...]:
    template = FINDINGS[3]  # existing, not blocking, medium severity below
    findings = [
        dataclasses.replace(template, address=f"aws_iam_user.u{n:05}", severity=Severity.LOW)
        for n in range(count)
    ]
    findings[count // 2] = dataclasses.replace(FINDINGS[0], address="aws_iam_user.worst")
    return tuple(findings)


def test_results_are_capped_at_githubs_limit_keeping_the_most_severe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sarif, "MAX_RESULTS", 40)
    document = render(dataclasses.replace(REPORT, findings=many_findings(100), notes=()))
    (run,) = document["runs"]
    assert len(run["results"]) == 40
    assert run["results"][0]["properties"]["address"] == "aws_iam_user.worst"
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["level"] == "warning"
    assert notification["message"]["text"].startswith("60 of 100 results are left out")
    assert_valid(document)


def test_the_gzipped_size_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    uncapped = sarif.render(dataclasses.replace(REPORT, findings=many_findings(400)))
    import gzip

    limit = len(gzip.compress(uncapped.encode())) // 2
    monkeypatch.setattr(sarif, "MAX_GZIPPED_BYTES", limit)
    capped = sarif.render(dataclasses.replace(REPORT, findings=many_findings(400)))
    assert len(gzip.compress(capped.encode())) <= limit
    document = orjson.loads(capped)
    (run,) = document["runs"]
    assert 0 < len(run["results"]) < 400
    texts = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any("10 MB gzipped" in text for text in texts)
    assert_valid(document)


def test_tags_are_capped_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif, "MAX_TAGS", 4)
    document = render()
    (run,) = document["runs"]
    assert all(len(rule["properties"]["tags"]) <= 4 for rule in run["tool"]["driver"]["rules"])
    texts = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any(text.startswith("rules with more than 4 tags") for text in texts)


def test_report_notes_become_notifications() -> None:
    (run,) = render()["runs"]
    assert run["invocations"][0]["toolExecutionNotifications"] == [
        {"level": "note", "message": {"text": "the plan is partial (-target)"}}
    ]
