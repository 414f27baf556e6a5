"""Findings and reports: pure data, shared by the engine and every formatter."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.CRITICAL: 0,
    Severity.HIGH: 1,
    Severity.MEDIUM: 2,
    Severity.LOW: 3,
    Severity.INFO: 4,
}


class Status(StrEnum):
    INTRODUCED = "introduced"
    """New in this plan, or worse than before."""
    EXISTING = "existing"
    """Already true before this plan."""
    UNKNOWN = "unknown"
    """Cannot be decided until apply."""
    WAIVED = "waived"
    """A waiver covers it."""
    ERROR = "error"
    """The rule could not judge the resource (it crashed)."""


class Enforcement(StrEnum):
    BLOCK = "block"
    WARN = "warn"
    OFF = "off"


class Result(StrEnum):
    PASS = "pass"
    BLOCK = "block"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Location:
    """Where in the Terraform sources a finding's resource is declared."""

    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Part:
    """One of the problems a finding gathers: what the rule found in one place of the resource
    (a policy statement, an environment variable), with the rule's key for it."""

    key: str
    message: str


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    title: str
    address: str
    status: Status
    severity: Severity
    enforcement: Enforcement
    message: str
    fix: str
    controls: Mapping[str, tuple[str, ...]]
    blocking: bool
    key: str = ""
    plan: str = ""
    location: Location | None = None
    waiver_reason: str | None = None
    parts: tuple[Part, ...] = ()
    """When the rule found the problem in several places of the resource (several statements
    of one policy), each of them; empty when it found it in one place."""


def most_severe_first(finding: Finding) -> tuple[bool, bool, int, str, str, str]:
    """Sort key for findings: blocking before the rest, waived last, then severity, address."""
    return (
        finding.status is Status.WAIVED,
        not finding.blocking,
        finding.severity.rank,
        finding.address,
        finding.rule,
        finding.key,
    )


@dataclass(frozen=True, slots=True)
class ControlTally:
    """How one control fared on this plan.

    `evaluated` counts resource checks made by the rules that evidence the control; `failed`
    counts their findings that are introduced, existing or errors; `unknown` those that cannot be
    decided until apply; `waived` those a waiver covers.
    """

    framework: str
    control: str
    rules: tuple[str, ...]
    evaluated: int = 0
    failed: int = 0
    unknown: int = 0
    waived: int = 0

    @property
    def outcome(self) -> str:
        if self.failed:
            return "failed"
        if self.unknown:
            return "unknown"
        if self.waived:
            return "waived"
        return "passed" if self.evaluated else "not evaluated"


@dataclass(frozen=True, slots=True)
class Report:
    sources: tuple[str, ...]
    profiles: tuple[str, ...]
    findings: tuple[Finding, ...]
    resources_evaluated: int
    rules_evaluated: tuple[str, ...]
    notes: tuple[str, ...] = ()
    controls: tuple[ControlTally, ...] = field(default_factory=tuple)
    accounts: tuple[str, ...] = ()
    account_method: str = ""
    selection: str = ""
    frameworks: tuple[str, ...] = ()
    checks: Mapping[str, int] = field(default_factory=dict)
    """Resources each rule judged on this plan, by rule id."""
    workspace: str = ""
    """The Terraform workspace the run was given, if any."""
    plan_paths: tuple[str, ...] = ()
    """Each plan's path relative to the repository root, `<stdin>` for standard input."""

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.blocking)

    @property
    def result(self) -> Result:
        if any(finding.status is Status.ERROR for finding in self.findings):
            return Result.ERROR
        return Result.BLOCK if self.blocking else Result.PASS

    def count(self, status: Status) -> int:
        return sum(1 for finding in self.findings if finding.status is status)


_FAILED = frozenset({Status.INTRODUCED, Status.EXISTING, Status.ERROR})


def control_summary(
    report: Report, rule_controls: Mapping[str, Mapping[str, tuple[str, ...]]]
) -> tuple[ControlTally, ...]:
    """Per framework of the applied profiles, how each control evidenced by a rule fared."""
    by_control: dict[tuple[str, str], list[str]] = {}
    for rule_id in report.rules_evaluated:
        for framework, controls in rule_controls.get(rule_id, {}).items():
            if framework in report.frameworks:
                for control in controls:
                    by_control.setdefault((framework, control), []).append(rule_id)
    tallies: list[ControlTally] = []
    for (framework, control), rules in sorted(by_control.items(), key=_control_order):
        findings = [finding for finding in report.findings if finding.rule in rules]
        tallies.append(
            ControlTally(
                framework=framework,
                control=control,
                rules=tuple(rules),
                evaluated=sum(report.checks.get(rule, 0) for rule in rules),
                failed=sum(1 for finding in findings if finding.status in _FAILED),
                unknown=sum(1 for finding in findings if finding.status is Status.UNKNOWN),
                waived=sum(1 for finding in findings if finding.status is Status.WAIVED),
            )
        )
    return tuple(tallies)


def _control_order(item: tuple[tuple[str, str], list[str]]) -> tuple[str, list[object]]:
    framework, control = item[0]
    parts: list[object] = []
    for piece in control.replace("(", ".").replace(")", "").split("."):
        parts.append((0, int(piece), "") if piece.isdigit() else (1, 0, piece))
    return framework, parts
