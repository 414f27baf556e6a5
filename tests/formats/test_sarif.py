"""`--format sarif`: valid SARIF 2.1.0 with what GitHub code scanning requires."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

from tests.formats.sample import REPORT
from tests.paths import SHARED
from tfgate.formats import sarif
from tfgate.report import Location, Status
from tfgate.rules import RULES_BY_ID

SCHEMA = SHARED / "reference" / "sarif-schema-2.1.0.json"


def validator() -> jsonschema.protocols.Validator:
    if not SCHEMA.is_file():
        pytest.skip("the official SARIF 2.1.0 schema is not beside this checkout")
    schema = orjson.loads(SCHEMA.read_bytes())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)  # type: ignore[no-any-return]


def assert_valid(document: dict[str, Any]) -> None:
    errors = sorted(validator().iter_errors(document), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


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
    [("critical", "9.5"), ("high", "8.0"), ("medium", "5.5"), ("low", "3.0"), ("info", "0.0")],
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
    assert waived["locations"] == []
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


def test_absolute_paths_become_file_uris(tmp_path: Path) -> None:
    finding = dataclasses.replace(REPORT.findings[0], location=Location("/srv/x y/main.tf", 37))
    document = render(dataclasses.replace(REPORT, findings=(finding,)))
    (result,) = document["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "file:///srv/x%20y/main.tf"
    assert_valid(document)
