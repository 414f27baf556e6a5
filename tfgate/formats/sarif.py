"""`--format sarif`: SARIF 2.1.0 that GitHub code scanning accepts.

One run. `tool.driver.rules` holds every rule the run evaluated (and any rule a finding names),
with the rule's doc as `help.markdown`, its controls, and `security-severity` from its default
severity. Each finding that is not waived is a result at level `error` when it blocks and
`warning` when it does not; a waived finding is a result at level `note` with an external
suppression whose justification is the waiver's reason.

Severity → `security-severity` (GitHub: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium,
0.1-3.9 low): critical 9.5, high 8.0, medium 5.5, low 3.0, info 0.0.

A result's location is the resource block in its .tf file when the source map found it (the
file relative to the repository root); the resource address is always in the message and in
`logicalLocations`. `partialFingerprints["tfgateFinding/v1"]` hashes rule id, address and finding
key only, so an alert survives edits that move lines or reword messages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

import orjson

from tfgate import __version__
from tfgate.report import Finding, Report, Result, Severity, Status
from tfgate.rules import RULES, RULES_BY_ID
from tfgate.rules.base import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "tfgateFinding/v1"

SECURITY_SEVERITY: Mapping[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}

_MAX_DESCRIPTION = 1024
_MAX_TAGS = 20


def _clip(text: str, limit: int = _MAX_DESCRIPTION) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fingerprint(finding: Finding) -> str:
    """Stable across runs: depends on rule id, resource address and finding key only."""
    material = "\x1f".join((finding.rule, finding.address, finding.key))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _controls_markdown(controls: Mapping[str, tuple[str, ...]]) -> str:
    if not controls:
        return ""
    lines = [f"- {framework}: {', '.join(ids)}" for framework, ids in sorted(controls.items())]
    return "\n## Controls\n" + "\n".join(lines) + "\n"


def _tags(rule_id: str, controls: Mapping[str, tuple[str, ...]]) -> list[str]:
    family = rule_id.split("-")[1].lower() if rule_id.count("-") >= 2 else ""
    tags = ["security", "terraform", "aws"]
    if family:
        tags.append(family)
    tags.extend(sorted(controls))
    return list(dict.fromkeys(tags))[:_MAX_TAGS]


def _descriptor(rule: Rule) -> dict[str, Any]:
    markdown = f"# {rule.id} {rule.title}\n\n{rule.doc}{_controls_markdown(rule.controls)}"
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": _clip(rule.title)},
        "fullDescription": {"text": _clip(rule.summary or rule.title)},
        "help": {"text": markdown, "markdown": markdown},
        "defaultConfiguration": {"level": "warning"},
        "properties": {
            "tags": _tags(rule.id, rule.controls),
            "precision": "high",
            "security-severity": SECURITY_SEVERITY[rule.severity],
        },
    }


def _unknown_descriptor(finding: Finding) -> dict[str, Any]:
    """A rule id the registry does not know (a plugin or a crashed rule): built from a finding."""
    text = f"{finding.title}\n\nFix: {finding.fix}" if finding.fix else finding.title
    return {
        "id": finding.rule,
        "name": finding.rule,
        "shortDescription": {"text": _clip(finding.title or finding.rule)},
        "fullDescription": {"text": _clip(finding.title or finding.rule)},
        "help": {"text": text, "markdown": text},
        "defaultConfiguration": {"level": "warning"},
        "properties": {
            "tags": _tags(finding.rule, finding.controls),
            "precision": "high",
            "security-severity": SECURITY_SEVERITY[finding.severity],
        },
    }


def _rule_ids(report: Report) -> list[str]:
    wanted = set(report.rules_evaluated) | {finding.rule for finding in report.findings}
    ordered = [rule.id for rule in RULES if rule.id in wanted]
    return ordered + sorted(wanted - set(ordered))


def _level(finding: Finding) -> str:
    if finding.status is Status.WAIVED:
        return "note"
    return "error" if finding.blocking else "warning"


def _uri(file: str) -> str:
    path = PurePosixPath(file)
    if path.is_absolute():
        return "file://" + quote(path.as_posix())
    return quote(path.as_posix())


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    logical = {"fullyQualifiedName": finding.address, "kind": "resource"}
    location: dict[str, Any] = {"logicalLocations": [logical]}
    if finding.location is not None:
        location["physicalLocation"] = {
            "artifactLocation": {"uri": _uri(finding.location.file)},
            "region": {"startLine": max(1, finding.location.line)},
        }
    properties: dict[str, Any] = {
        "address": finding.address,
        "status": finding.status.value,
        "severity": finding.severity.value,
        "enforcement": finding.enforcement.value,
        "blocking": finding.blocking,
        "fix": finding.fix,
        "controls": {framework: list(ids) for framework, ids in sorted(finding.controls.items())},
    }
    if finding.plan:
        properties["plan"] = finding.plan
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _level(finding),
        "message": {"text": f"{finding.address}: {finding.message}"},
        "partialFingerprints": {FINGERPRINT: fingerprint(finding)},
        "properties": properties,
    }
    # A location without an artifact is rejected by the upload; without one, the address stays
    # in the message and the properties (GitHub does not display results without a location).
    result["locations"] = [location] if finding.location is not None else []
    if finding.status is Status.WAIVED:
        suppression: dict[str, Any] = {"kind": "external", "status": "accepted"}
        if finding.waiver_reason:
            suppression["justification"] = finding.waiver_reason
        result["suppressions"] = [suppression]
    return result


def _order(finding: Finding) -> tuple[bool, bool, int, str, str, str]:
    waived = finding.status is Status.WAIVED
    return (
        waived,
        not finding.blocking,
        finding.severity.rank,
        finding.address,
        finding.rule,
        finding.key,
    )


def sarif_object(report: Report) -> dict[str, Any]:
    first_finding: dict[str, Finding] = {}
    for finding in report.findings:
        first_finding.setdefault(finding.rule, finding)
    descriptors = [
        _descriptor(RULES_BY_ID[rule_id])
        if rule_id in RULES_BY_ID
        else _unknown_descriptor(first_finding[rule_id])
        for rule_id in _rule_ids(report)
        if rule_id in RULES_BY_ID or rule_id in first_finding
    ]
    index = {descriptor["id"]: position for position, descriptor in enumerate(descriptors)}
    results = [
        _result(finding, index[finding.rule]) for finding in sorted(report.findings, key=_order)
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "tfgate",
                "semanticVersion": __version__,
                "rules": descriptors,
            }
        },
        "invocations": [{"executionSuccessful": report.result is not Result.ERROR}],
        "results": results,
        "properties": {
            "result": report.result.value,
            "profiles": list(report.profiles),
            "plans": list(report.sources),
            "blocking": len(report.blocking),
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    return orjson.dumps(sarif_object(report), option=orjson.OPT_INDENT_2).decode() + "\n"
