"""`--format github`: workflow commands, escaped so finding text cannot forge a command."""

from __future__ import annotations

from tests.formats.golden import assert_golden
from tests.formats.sample import PASSING, REPORT
from tfgate.formats import github


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
