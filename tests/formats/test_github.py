"""`--format github`: workflow commands, escaped so finding text cannot forge a command."""

from __future__ import annotations

import dataclasses

from tests.formats.golden import assert_golden
from tests.formats.sample import PASSING, REPORT
from tfgate.formats import github
from tfgate.report import Severity


def test_golden() -> None:
    assert_golden("report.github.txt", github.render(REPORT))


def test_one_line_per_finding_blocking_first() -> None:
    lines = github.render(REPORT).splitlines()
    assert len(lines) == len(REPORT.findings)
    commands = [line.split(" ", 1)[0] for line in lines]
    assert commands == ["::error", "::error", "::error", "::warning", "::warning", "::notice"]
    assert all(line.startswith("::") for line in lines)


def test_location_and_escaping() -> None:
    text = github.render(REPORT)
    assert "::error file=infra/main.tf,line=37,title=TFG-IAM-001 IAM user created::" in text
    # The newline in the message is escaped; `::` in data is harmless after the command's `::`.
    assert "known after apply%0A<b>50%25</b>, ::stop::" in text
    assert "\n::stop" not in text


def test_property_escaping() -> None:
    assert github.escape_property("a:b,c%\nd") == "a%3Ab%2Cc%25%0Ad"


def test_nothing_for_a_passing_report() -> None:
    assert github.render(PASSING) == ""


def test_ten_most_severe_blocking_findings_then_one_notice() -> None:
    template = REPORT.findings[0]  # introduced, blocking, high
    findings = [
        dataclasses.replace(template, address=f"aws_iam_user.u{n:02}", severity=Severity.MEDIUM)
        for n in range(14)
    ]
    findings += [
        dataclasses.replace(
            template, address="aws_iam_user.zz_critical", severity=Severity.CRITICAL
        )
    ]
    findings += [
        dataclasses.replace(REPORT.findings[4], address=f"aws_iam_user.waived{n}")
        for n in range(12)
    ]
    report = dataclasses.replace(REPORT, findings=(*REPORT.findings, *findings))
    lines = github.render(report).splitlines()
    commands = [line.split(" ", 1)[0] for line in lines]
    assert commands == ["::error"] * 10 + ["::warning"] * 2 + ["::notice"] * 10
    assert "aws_iam_user.zz_critical" in lines[0]
    # 18 blocking (the sample's three and 15 more) of which 10 are shown; 13 waived, 9 shown.
    assert lines[-1] == (
        "::notice title=tfgate::12 more findings are not annotated here (GitHub shows 10 of each "
        "level per step); the job summary and the SARIF upload list every finding"
    )
