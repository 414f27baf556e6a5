"""`--format github`: workflow commands that GitHub Actions turns into annotations.

One line per finding: `::error` when it blocks, `::warning` when it does not, `::notice` when a
waiver covers it, with `file` and `line` when the source map found the resource block. Values
are escaped as the Actions toolkit does, so no finding text can end the command early or start
another one.

GitHub shows at most 10 annotations of each level per step, so at most 10 of each are written:
the most severe blocking findings as errors, then the other findings as warnings and the waived
ones as notices; when any are left out, one last notice says how many, and that the job summary
and the SARIF upload hold them all.
"""

from __future__ import annotations

from collections import Counter

from tfgate.redact import inert
from tfgate.report import Finding, Report, Status, most_severe_first

MAX_PER_LEVEL = 10
"""GitHub's limit of annotations of one level (error, warning, notice) per step."""


def escape_data(text: str) -> str:
    """As the Actions toolkit escapes a command's data; any other control character is shown
    escaped (`\\x1b`), so that none reaches the log raw."""
    return inert(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(finding: Finding) -> str:
    if finding.status is Status.WAIVED:
        return "notice"
    return "error" if finding.blocking else "warning"


def annotation(finding: Finding) -> str:
    properties: list[tuple[str, str]] = []
    if finding.location is not None:
        properties.append(("file", finding.location.file))
        properties.append(("line", str(finding.location.line)))
    properties.append(("title", f"{finding.rule} {finding.title}"))
    message = f"{finding.address}: {finding.message}"
    if finding.status is Status.WAIVED and finding.waiver_reason:
        message += f" (waived: {finding.waiver_reason})"
    elif finding.fix:
        message += f"\nFix: {finding.fix}"
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{_command(finding)} {rendered}::{escape_data(message)}"


def _left_out_notice(count: int) -> str:
    findings = "finding is" if count == 1 else "findings are"
    return (
        f"::notice title=tfgate::{count} more {findings} not annotated here (GitHub shows "
        f"{MAX_PER_LEVEL} of each level per step); the job summary and the SARIF upload list "
        "every finding"
    )


def render(report: Report) -> str:
    shown: Counter[str] = Counter()
    lines: list[str] = []
    left_out = 0
    for finding in sorted(report.findings, key=most_severe_first):
        command = _command(finding)
        # One notice is kept back for the count of what is left out.
        room = MAX_PER_LEVEL - 1 if command == "notice" else MAX_PER_LEVEL
        if shown[command] >= room:
            left_out += 1
            continue
        shown[command] += 1
        lines.append(annotation(finding))
    if left_out:
        lines.append(_left_out_notice(left_out))
    return "".join(line + "\n" for line in lines)
