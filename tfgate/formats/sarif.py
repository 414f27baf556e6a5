"""`--format sarif`: SARIF 2.1.0 that GitHub code scanning accepts.

One run. `tool.driver.rules` holds every rule the run evaluated (and any rule a finding names),
with the rule's doc as `help.markdown`, its controls, and `security-severity` from its default
severity. Each finding that is not waived is a result at level `error` when it blocks and
`warning` when it does not; a waived finding is a result at level `note` with an external
suppression whose justification is the waiver's reason.

Severity → `security-severity` (GitHub: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium,
0.1-3.9 low): critical 9.5, high 8.0, medium 5.5, low 3.0, info 0.0.

Every result has a location, because GitHub rejects the whole upload for one result without:
the resource block in its .tf file when the source map found it, else the module call, else the
root module's first file, else line 1 of the plan file, always relative to the repository root
(never absolute, never `file:`). The resource address is always in the message and in
`logicalLocations`. `partialFingerprints["tfgateFinding/v1"]` hashes rule id, address and finding
key only, so an alert survives edits that move lines or reword messages.

`automationDetails.id` is `tfgate/<key>/`, the key being the run's one AWS account, else its
workspace, else its plan paths, so the uploads of several plans in one workflow stand side by
side. GitHub's limits are kept: at most 25,000 results (the most severe), 10 MB gzipped and 20
tags per rule; whatever is left out is said in `invocations[0].toolExecutionNotifications`.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import orjson

from tfgate import __version__
from tfgate.formats.json import parts_object
from tfgate.formats.locations import plan_paths, relative_path, shown_location
from tfgate.report import Finding, Report, Result, Severity, Status, most_severe_first
from tfgate.rules import RULES, RULES_BY_ID
from tfgate.rules.base import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "tfgateFinding/v1"

SECURITY_SEVERITY: Mapping[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.1",
}
"""GitHub accepts "0.1" to "10.0"; info is the lowest score it takes."""

_MAX_DESCRIPTION = 1024
MAX_TAGS = 20
MAX_RESULTS = 25_000
MAX_GZIPPED_BYTES = 10 * 1000 * 1000


def _clip(text: str, limit: int = _MAX_DESCRIPTION) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fingerprint(finding: Finding, *scope: str) -> str:
    """Stable across runs: depends on rule id, resource address, finding key and `scope` only."""
    material = "\x1f".join((finding.rule, finding.address, finding.key, *scope))
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
    return list(dict.fromkeys(tags))


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


@lru_cache(maxsize=4096)
def _uri(file: str) -> str:
    return quote(file)


def _result(finding: Finding, rule_index: int, plans: Mapping[str, str]) -> dict[str, Any]:
    shown = shown_location(finding, plans)
    location = {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(shown.file)},
            "region": {"startLine": shown.line},
        },
        "logicalLocations": [{"fullyQualifiedName": finding.address, "kind": "resource"}],
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
    if finding.parts:
        properties["parts"] = parts_object(finding)
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _level(finding),
        "message": {"text": f"{finding.address}: {finding.message}"},
        "partialFingerprints": {FINGERPRINT: fingerprint(finding)},
        "properties": properties,
    }
    result["locations"] = [location]
    if finding.status is Status.WAIVED:
        suppression: dict[str, Any] = {"kind": "external", "status": "accepted"}
        if finding.waiver_reason:
            suppression["justification"] = finding.waiver_reason
        result["suppressions"] = [suppression]
    return result


def run_id(report: Report) -> str:
    """`tfgate/<one account, else workspace, else plan paths>/`: a category per account."""
    if len(report.accounts) == 1:
        key = report.accounts[0]
    elif report.workspace:
        key = report.workspace
    else:
        plans = report.plan_paths or tuple(relative_path(source) for source in report.sources)
        key = "+".join(plans) or "plan"
    return f"tfgate/{key}/"


def _descriptors(report: Report) -> list[dict[str, Any]]:
    first_finding: dict[str, Finding] = {}
    for finding in report.findings:
        first_finding.setdefault(finding.rule, finding)
    return [
        _descriptor(RULES_BY_ID[rule_id])
        if rule_id in RULES_BY_ID
        else _unknown_descriptor(first_finding[rule_id])
        for rule_id in _rule_ids(report)
        if rule_id in RULES_BY_ID or rule_id in first_finding
    ]


def _capped_tags(descriptors: list[dict[str, Any]]) -> list[str]:
    capped = []
    for descriptor in descriptors:
        tags = descriptor["properties"]["tags"]
        if len(tags) > MAX_TAGS:
            descriptor["properties"]["tags"] = tags[:MAX_TAGS]
            capped.append(descriptor["id"])
    if not capped:
        return []
    return [f"rules with more than {MAX_TAGS} tags keep the first {MAX_TAGS}: {', '.join(capped)}"]


def _document(
    report: Report,
    descriptors: list[dict[str, Any]],
    results: Sequence[dict[str, Any]],
    warnings: Sequence[str],
) -> dict[str, Any]:
    """The SARIF log; `warnings` say what GitHub's limits left out, beside the report's notes."""
    invocation: dict[str, Any] = {"executionSuccessful": report.result is not Result.ERROR}
    notifications = [("warning", text) for text in warnings]
    notifications += [("note", text) for text in report.notes]
    if notifications:
        invocation["toolExecutionNotifications"] = [
            {"level": level, "message": {"text": text}} for level, text in notifications
        ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "tfgate",
                "semanticVersion": __version__,
                "rules": descriptors,
            }
        },
        "automationDetails": {"id": run_id(report)},
        "invocations": [invocation],
        "results": list(results),
        "properties": {
            "result": report.result.value,
            "profiles": list(report.profiles),
            "plans": list(report.sources),
            "blocking": len(report.blocking),
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _left_out(total: int, kept: int, reason: str) -> str:
    return (
        f"{total - kept} of {total} results are left out ({reason}); the most severe "
        f"{kept} are here, and every finding is in the JSON report"
    )


def _encode(document: dict[str, Any]) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


def render(report: Report) -> str:
    descriptors = _descriptors(report)
    index = {descriptor["id"]: position for position, descriptor in enumerate(descriptors)}
    plans = plan_paths(report)
    results = [
        _result(finding, index[finding.rule], plans)
        for finding in sorted(report.findings, key=most_severe_first)
    ]
    caps = _capped_tags(descriptors)
    kept = results[:MAX_RESULTS]
    limit_note = []
    if len(kept) < len(results):
        limit_note = [_left_out(len(results), len(kept), f"GitHub takes {MAX_RESULTS:,} per run")]
    encoded = _encode(_document(report, descriptors, kept, [*caps, *limit_note]))
    # The gzipped size can only exceed the limit when the text is larger than it.
    while len(encoded) > MAX_GZIPPED_BYTES and kept:
        size = len(gzip.compress(encoded, compresslevel=6, mtime=0))
        if size <= MAX_GZIPPED_BYTES:
            break
        kept = kept[: int(len(kept) * MAX_GZIPPED_BYTES / size * 0.95)]
        limit_note = [_left_out(len(results), len(kept), "GitHub takes 10 MB gzipped per file")]
        encoded = _encode(_document(report, descriptors, kept, [*caps, *limit_note]))
    return encoded.decode()
