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


@dataclass(frozen=True, slots=True)
class ControlTally:
    """How one control fared on this plan."""

    framework: str
    control: str
    evaluated: int = 0
    failed: int = 0
    waived: int = 0

    @property
    def passed(self) -> bool:
        return self.failed == 0


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
