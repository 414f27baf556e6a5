"""`--format github`: workflow commands that GitHub Actions turns into annotations.

One line per finding: `::error` when it blocks, `::warning` when it does not, `::notice` when a
waiver covers it, with `file` and `line` when the source map found the resource block. Values
are escaped as the Actions toolkit does, so no finding text can end the command early or start
another one. GitHub shows at most 10 annotations of each level per step; blocking findings come
first so they are the ones shown.
"""

from __future__ import annotations

from tfgate.redact import inert
from tfgate.report import Finding, Report, Status


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


def _order(finding: Finding) -> tuple[bool, bool, int, str, str, str]:
    return (
        finding.status is Status.WAIVED,
        not finding.blocking,
        finding.severity.rank,
        finding.address,
        finding.rule,
        finding.key,
    )


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


def render(report: Report) -> str:
    return "".join(annotation(finding) + "\n" for finding in sorted(report.findings, key=_order))
