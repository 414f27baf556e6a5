"""Waiver matching, expiry with an injected clock, lifetime caps, unused waivers."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from tfgate.config.waivers import Waiver, apply_waivers, load_waivers
from tfgate.errors import ConfigError
from tfgate.report import Enforcement, Finding, Report, Severity, Status

TODAY = datetime.date(2026, 11, 29)


def finding(address: str, rule: str = "TFG-IAM-002", status: Status = Status.INTRODUCED) -> Finding:
    return Finding(
        rule=rule,
        title="t",
        address=address,
        status=status,
        severity=Severity.HIGH,
        enforcement=Enforcement.BLOCK,
        message="m",
        fix="f",
        controls={},
        blocking=True,
    )


def report(*findings: Finding) -> Report:
    return Report(("plan.json",), ("baseline",), findings, len(findings), ("TFG-IAM-002",))


def waiver(address: str, expires: datetime.date, rule: str = "TFG-IAM-002") -> Waiver:
    return Waiver(rule, address, "vendor integration, ticket SEC-142", "platform", expires)


def test_exact_address_is_waived_and_no_longer_blocks() -> None:
    result, outcome = apply_waivers(
        report(finding("module.legacy.aws_iam_access_key.ci")),
        [waiver("module.legacy.aws_iam_access_key.ci", datetime.date(2027, 1, 31))],
        today=TODAY,
        max_days=None,
    )
    (waived,) = result.findings
    assert waived.status is Status.WAIVED and not waived.blocking
    assert waived.waiver_reason == (
        "vendor integration, ticket SEC-142 (owner platform, expires 2027-01-31)"
    )
    assert result.blocking == ()
    assert len(outcome.applied) == 1


def test_glob_treats_brackets_literally() -> None:
    findings = (
        finding('module.legacy["a"].aws_iam_access_key.ci[0]'),
        finding("module.other.aws_iam_access_key.ci"),
    )
    result, _ = apply_waivers(
        report(*findings),
        [waiver("module.legacy[*].aws_iam_access_key.*", datetime.date(2027, 1, 1))],
        today=TODAY,
        max_days=None,
    )
    assert [f.status for f in result.findings] == [Status.WAIVED, Status.INTRODUCED]


def test_other_rule_is_not_waived() -> None:
    result, outcome = apply_waivers(
        report(finding("aws_iam_user.a", rule="TFG-IAM-001")),
        [waiver("aws_iam_user.a", datetime.date(2027, 1, 1))],
        today=TODAY,
        max_days=None,
    )
    assert result.findings[0].status is Status.INTRODUCED
    assert result.notes == ("waiver matched no finding: TFG-IAM-002 aws_iam_user.a ()",)
    assert len(outcome.unused) == 1


def test_expired_waiver_stops_applying_and_is_reported() -> None:
    expired = waiver("aws_iam_access_key.ci", datetime.date(2026, 11, 28))
    result, outcome = apply_waivers(
        report(finding("aws_iam_access_key.ci")), [expired], today=TODAY, max_days=None
    )
    assert result.findings[0].blocking
    assert outcome.expired == (expired,)
    assert result.notes[0].startswith("waiver expired on 2026-11-28 and no longer applies")


def test_waiver_expiring_today_still_applies() -> None:
    result, _ = apply_waivers(
        report(finding("aws_iam_access_key.ci")),
        [waiver("aws_iam_access_key.ci", TODAY)],
        today=TODAY,
        max_days=None,
    )
    assert result.findings[0].status is Status.WAIVED


def test_lifetime_cap() -> None:
    within = waiver("aws_iam_access_key.a", TODAY + datetime.timedelta(days=90))
    beyond = waiver("aws_iam_access_key.b", TODAY + datetime.timedelta(days=91))
    result, outcome = apply_waivers(
        report(finding("aws_iam_access_key.a"), finding("aws_iam_access_key.b")),
        [within, beyond],
        today=TODAY,
        max_days=90,
    )
    assert [f.status for f in result.findings] == [Status.WAIVED, Status.INTRODUCED]
    assert outcome.too_long == (beyond,)
    assert "beyond the 90-day limit" in result.notes[0]


def test_error_findings_are_never_waived() -> None:
    result, _ = apply_waivers(
        report(finding("aws_iam_access_key.a", status=Status.ERROR)),
        [waiver("*", datetime.date(2027, 1, 1))],
        today=TODAY,
        max_days=None,
    )
    assert result.findings[0].status is Status.ERROR


def test_account_scoped_waiver() -> None:
    scoped = Waiver(
        "TFG-IAM-002",
        "*",
        "vendor integration, SEC-1",
        "ops",
        datetime.date(2027, 1, 1),
        "111111111111",
    )
    other, _ = apply_waivers(
        report(finding("aws_iam_access_key.a")),
        [scoped],
        today=TODAY,
        max_days=None,
        accounts=["222222222222"],
    )
    same, _ = apply_waivers(
        report(finding("aws_iam_access_key.a")),
        [scoped],
        today=TODAY,
        max_days=None,
        accounts=["111111111111"],
    )
    assert other.findings[0].status is Status.INTRODUCED
    assert same.findings[0].status is Status.WAIVED


def test_load_waivers_file(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(
        "- rule: TFG-IAM-002\n"
        "  address: module.legacy.aws_iam_access_key.ci\n"
        "  reason: vendor integration without OIDC support, ticket SEC-142\n"
        "  owner: platform-team\n"
        "  expires: 2027-03-31\n"
    )
    (loaded,) = load_waivers(path)
    assert loaded.expires == datetime.date(2027, 3, 31)
    assert loaded.line == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "- rule: TFG-IAM-002\n  address: x\n  owner: o\n  expires: 2027-01-01\n",
            "at line 1, key 0: missing required key 'reason'",
        ),
        (
            "- rule: TFG-IAM-002\n  address: x\n  reason: long enough reason\n  owner: o\n"
            "  expires: soon\n",
            "at line 5, key 0/expires: does not match the pattern",
        ),
        (
            "- rule: TFG-ZZZ-999\n  address: x\n  reason: long enough reason\n  owner: o\n"
            "  expires: 2027-01-01\n",
            "at line 1, key 0/rule: unknown rule id 'TFG-ZZZ-999'",
        ),
        (
            "- rule: TFG-IAM-002\n  address: x\n  reason: long enough reason\n  owner: o\n"
            "  expires: 2027-02-30\n",
            "at line 5, key 0/expires: expires is not a valid date",
        ),
    ],
)
def test_invalid_waivers_name_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_waivers(path)
    assert message in str(caught.value)
