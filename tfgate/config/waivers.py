"""Waivers: explicit, owned, temporary exceptions, matched by rule id and address glob."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from tfgate.config.globs import address_matches
from tfgate.config.yamlfile import KeyPath, YamlDocument, load_yaml, validate
from tfgate.errors import ConfigError
from tfgate.filekinds import wrong_kind
from tfgate.report import Enforcement, Finding, Report, Status
from tfgate.rules import RULES_BY_ID


@dataclass(frozen=True, slots=True)
class Waiver:
    rule: str
    address: str
    reason: str
    owner: str
    expires: datetime.date
    account: str | None = None
    source: str = ""
    line: int | None = None

    @property
    def label(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{self.rule} {self.address} ({where})"

    def covers(self, finding: Finding, accounts: Sequence[str]) -> bool:
        if self.account is not None and self.account not in accounts:
            return False
        return finding.rule == self.rule and address_matches(self.address, finding.address)


def unwrap(document: YamlDocument) -> YamlDocument:
    """A waivers file is a list, or a mapping whose one key `waivers` holds the list."""
    if isinstance(document.data, dict) and set(document.data) == {"waivers"}:
        return replace(
            document,
            data=document.data["waivers"],
            lines={
                key[1:]: line for key, line in document.lines.items() if key[:1] == ("waivers",)
            },
        )
    return document


def _expiry(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def entry_problems(document: YamlDocument) -> Iterator[tuple[KeyPath, str]]:
    """What is wrong with the entries of a schema-valid (unwrapped) waivers list."""
    for position, entry in enumerate(document.data):
        if entry["rule"] not in RULES_BY_ID:
            yield (
                (position, "rule"),
                f"unknown rule id {entry['rule']!r}; `tfgate rules` lists them",
            )
        if _expiry(entry["expires"]) is None:
            yield (position, "expires"), "expires is not a valid date (YYYY-MM-DD)"


def parse_waivers(document: YamlDocument) -> tuple[Waiver, ...]:
    if document.data is None:
        return ()
    mistaken = wrong_kind(document.data, "waivers")
    if mistaken:
        raise ConfigError(mistaken, source=str(document.path))
    document = unwrap(document)
    validate(document, "waivers", ConfigError)
    for key_path, message in entry_problems(document):
        raise ConfigError(message, source=str(document.path), pointer=document.where(key_path))
    return tuple(
        Waiver(
            rule=entry["rule"],
            address=entry["address"],
            reason=" ".join(entry["reason"].split()),
            owner=entry["owner"],
            expires=datetime.date.fromisoformat(entry["expires"]),
            account=entry.get("account"),
            source=str(document.path),
            line=document.line_of((position,)),
        )
        for position, entry in enumerate(document.data)
    )


def load_waivers(path: Path) -> tuple[Waiver, ...]:
    return parse_waivers(load_yaml(path, ConfigError))


@dataclass(frozen=True, slots=True)
class WaiverOutcome:
    """What happened to each waiver on this run, for the report."""

    applied: tuple[Waiver, ...]
    expired: tuple[Waiver, ...]
    too_long: tuple[Waiver, ...]
    unused: tuple[Waiver, ...]

    def notes(self, max_days: int | None) -> tuple[str, ...]:
        notes = [
            f"waiver expired on {waiver.expires.isoformat()} and no longer applies: {waiver.label}"
            for waiver in self.expired
        ]
        notes += [
            f"waiver expires {waiver.expires.isoformat()}, beyond the {max_days}-day limit the "
            f"applied profiles set, so it does not apply: {waiver.label}"
            for waiver in self.too_long
        ]
        notes += [f"waiver matched no finding: {waiver.label}" for waiver in self.unused]
        return tuple(notes)


def apply_waivers(
    report: Report,
    waivers: Sequence[Waiver],
    *,
    today: datetime.date,
    max_days: int | None,
    accounts: Sequence[str] = (),
) -> tuple[Report, WaiverOutcome]:
    """Mark covered findings `waived`; expired or over-long waivers do not apply."""
    expired = tuple(waiver for waiver in waivers if waiver.expires < today)
    too_long = tuple(
        waiver
        for waiver in waivers
        if waiver.expires >= today
        and max_days is not None
        and (waiver.expires - today).days > max_days
    )
    active = [waiver for waiver in waivers if waiver not in expired and waiver not in too_long]
    used: set[int] = set()
    findings: list[Finding] = []
    for finding in report.findings:
        match = next(
            (
                position
                for position, waiver in enumerate(active)
                if finding.status is not Status.ERROR and waiver.covers(finding, accounts)
            ),
            None,
        )
        if match is None:
            findings.append(finding)
            continue
        used.add(match)
        waiver = active[match]
        findings.append(
            replace(
                finding,
                status=Status.WAIVED,
                blocking=False,
                enforcement=Enforcement.WARN,
                waiver_reason=(
                    f"{waiver.reason} (owner {waiver.owner}, expires {waiver.expires.isoformat()})"
                ),
            )
        )
    outcome = WaiverOutcome(
        applied=tuple(waiver for position, waiver in enumerate(active) if position in used),
        expired=expired,
        too_long=too_long,
        unused=tuple(waiver for position, waiver in enumerate(active) if position not in used),
    )
    updated = replace(
        report, findings=tuple(findings), notes=(*report.notes, *outcome.notes(max_days))
    )
    return updated, outcome
