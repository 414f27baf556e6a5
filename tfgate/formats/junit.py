"""`--format junit`: one test case per rule and resource, for CI test-report viewers.

One `<testsuite>` per rule the run evaluated. Each resource the rule reported on is a test case
(`classname` = rule id, `name` = resource address, `file` and `line` of its block): a `<failure>`
when a finding blocks, an `<error>` when the rule could not judge (either message names the
rule, the resource and the .tf line), `<skipped>` when every finding is waived, and a passing
case with the findings in `<system-out>` when they only warn. A rule with no finding on any
resource is one passing case that says how many resources it checked.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections import defaultdict

from tfgate.report import Finding, Location, Report, Status
from tfgate.rules import RULES, RULES_BY_ID

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text)


def _describe(finding: Finding) -> str:
    lines = [f"{finding.rule} [{finding.severity.value}] {finding.status.value}: {finding.message}"]
    if finding.location is not None:
        lines.append(f"at {finding.location.file}:{finding.location.line}")
    if finding.waiver_reason:
        lines.append(f"waived: {finding.waiver_reason}")
    if finding.fix:
        lines.append(f"fix: {finding.fix}")
    return "\n".join(lines)


def _headline(finding: Finding, located: Location | None) -> str:
    """A failure's message names the rule, the resource and the .tf line, for viewers (Azure
    DevOps, GitLab, Jenkins) that show only the message in their list of failed tests."""
    where = f" ({located.file}:{located.line})" if located is not None else ""
    return _clean(f"{finding.rule} {finding.address}{where}: {finding.message}")


def _case(rule_id: str, address: str, findings: list[Finding]) -> tuple[ElementTree.Element, str]:
    """The test case and its outcome: passed, failure, error or skipped."""
    case = ElementTree.Element("testcase", {"classname": rule_id, "name": _clean(address)})
    located = next((f.location for f in findings if f.location is not None), None)
    if located is not None:
        case.set("file", _clean(located.file))
        case.set("line", str(located.line))
    details = _clean("\n\n".join(_describe(finding) for finding in findings))
    errors = [finding for finding in findings if finding.status is Status.ERROR]
    blocking = [finding for finding in findings if finding.blocking]
    if errors:
        element = ElementTree.SubElement(case, "error", {"message": _headline(errors[0], located)})
        element.set("type", Status.ERROR.value)
        element.text = details
        return case, "error"
    if blocking:
        attributes = {"message": _headline(blocking[0], located), "type": blocking[0].status.value}
        ElementTree.SubElement(case, "failure", attributes).text = details
        return case, "failure"
    if all(finding.status is Status.WAIVED for finding in findings):
        reason = findings[0].waiver_reason or "waived"
        ElementTree.SubElement(case, "skipped", {"message": _clean(f"waived: {reason}")})
        ElementTree.SubElement(case, "system-out").text = details
        return case, "skipped"
    ElementTree.SubElement(case, "system-out").text = details
    return case, "passed"


def _rule_order(report: Report) -> list[str]:
    wanted = set(report.rules_evaluated) | {finding.rule for finding in report.findings}
    ordered = [rule.id for rule in RULES if rule.id in wanted]
    return ordered + sorted(wanted - set(ordered))


def render(report: Report) -> str:
    by_rule: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in report.findings:
        by_rule[finding.rule][finding.address].append(finding)
    root = ElementTree.Element("testsuites", {"name": "tfgate"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for rule_id in _rule_order(report):
        rule = RULES_BY_ID.get(rule_id)
        findings_by_address = by_rule.get(rule_id, {})
        first = next(iter(findings_by_address.values()), None)
        title = first[0].title if first else rule.title if rule is not None else ""
        name = f"{rule_id} {title}" if title else rule_id
        suite = ElementTree.SubElement(root, "testsuite", {"name": _clean(name)})
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        if not findings_by_address:
            checked = report.checks.get(rule_id, 0)
            noun = "resource" if checked == 1 else "resources"
            name = f"no findings ({checked} {noun} checked)"
            ElementTree.SubElement(suite, "testcase", {"classname": rule_id, "name": name})
            counts["tests"] = 1
        for address in sorted(findings_by_address):
            findings = sorted(findings_by_address[address], key=lambda f: (f.key, f.message))
            case, outcome = _case(rule_id, address, findings)
            suite.append(case)
            counts["tests"] += 1
            if outcome == "failure":
                counts["failures"] += 1
            elif outcome == "error":
                counts["errors"] += 1
            elif outcome == "skipped":
                counts["skipped"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ElementTree.indent(root, space="  ")
    body = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
