"""`--format json`: one stable object, described by `schemas/report.schema.json`."""

from __future__ import annotations

from typing import Any

import orjson

from tfgate import __version__
from tfgate.report import Finding, Report, Status


def finding_object(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rule": finding.rule,
        "title": finding.title,
        "address": finding.address,
        "status": finding.status.value,
        "severity": finding.severity.value,
        "enforcement": finding.enforcement.value,
        "blocking": finding.blocking,
        "message": finding.message,
        "fix": finding.fix,
        "controls": {framework: list(ids) for framework, ids in sorted(finding.controls.items())},
    }
    if finding.plan:
        data["plan"] = finding.plan
    if finding.location is not None:
        data["location"] = {"file": finding.location.file, "line": finding.location.line}
    if finding.waiver_reason is not None:
        data["waiver_reason"] = finding.waiver_reason
    if finding.parts:
        data["parts"] = parts_object(finding)
    return data


def parts_object(finding: Finding) -> list[dict[str, str]]:
    """The places a finding gathers (see `Finding.parts`), for JSON and SARIF alike."""
    return [{"key": part.key, "message": part.message} for part in finding.parts]


def report_object(report: Report) -> dict[str, Any]:
    return {
        "tool": {"name": "tfgate", "version": __version__},
        "result": report.result.value,
        "plans": list(report.sources),
        "profiles": list(report.profiles),
        "selection": {
            "reason": report.selection,
            "accounts": list(report.accounts),
            "account_method": report.account_method,
        },
        "summary": {
            "resources": report.resources_evaluated,
            "rules": len(report.rules_evaluated),
            "findings": len(report.findings),
            "blocking": len(report.blocking),
            **{status.value: report.count(status) for status in Status},
        },
        "notes": list(report.notes),
        "findings": [finding_object(finding) for finding in report.findings],
        "controls": [
            {
                "framework": tally.framework,
                "control": tally.control,
                "outcome": tally.outcome,
                "rules": list(tally.rules),
                "evaluated": tally.evaluated,
                "failed": tally.failed,
                "unknown": tally.unknown,
                "waived": tally.waived,
            }
            for tally in report.controls
        ],
    }


def render(report: Report) -> str:
    return orjson.dumps(report_object(report), option=orjson.OPT_INDENT_2).decode() + "\n"
