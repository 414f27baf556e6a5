"""`--format gitlab`: a GitLab Code Quality report (`artifacts: reports: codequality`).

A JSON array with one issue per finding: `description`, `check_name` (the rule id),
`fingerprint`, `severity` and `location` (`path` relative to the repository root and
`lines.begin`). GitLab shows, in every tier's merge-request widget, the issues a branch adds or
fixes against its target, matched by fingerprint; the fingerprint hashes the rule, the address,
the finding key and the plan's path, so it is stable across runs and machines.

Severity: a blocking finding is `blocker`; a waived one is `info`; any other follows the rule's
severity (critical → critical, high → major, medium and low → minor, info → info). A finding
with no source location points at line 1 of its plan file, as in SARIF. UTF-8, no byte-order
mark.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from tfgate.formats.locations import plan_paths, shown_location
from tfgate.formats.sarif import fingerprint
from tfgate.report import Finding, Report, Severity, Status, most_severe_first

SEVERITY: Mapping[Severity, str] = {
    Severity.CRITICAL: "critical",
    Severity.HIGH: "major",
    Severity.MEDIUM: "minor",
    Severity.LOW: "minor",
    Severity.INFO: "info",
}


def severity(finding: Finding) -> str:
    if finding.status is Status.WAIVED:
        return "info"
    return "blocker" if finding.blocking else SEVERITY[finding.severity]


def _description(finding: Finding) -> str:
    """One line: the widget lists issues one a line."""
    text = f"{finding.rule} {finding.title}: {finding.address}: {finding.message}"
    if finding.status is Status.WAIVED:
        text += f" (waived: {finding.waiver_reason or 'no reason given'})"
    else:
        text += f" ({finding.status.value})"
    return " ".join(text.split())


def issue(finding: Finding, plans: Mapping[str, str]) -> dict[str, Any]:
    shown = shown_location(finding, plans)
    plan = plans.get(finding.plan, finding.plan)
    return {
        "type": "issue",
        "description": _description(finding),
        "check_name": finding.rule,
        "categories": ["Security"],
        "fingerprint": fingerprint(finding, plan),
        "severity": severity(finding),
        "location": {"path": shown.file, "lines": {"begin": shown.line}},
    }


def render(report: Report) -> str:
    plans = plan_paths(report)
    issues = [issue(finding, plans) for finding in sorted(report.findings, key=most_severe_first)]
    return orjson.dumps(issues, option=orjson.OPT_INDENT_2).decode() + "\n"
