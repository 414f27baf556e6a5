"""`--format text` (default): findings grouped by resource, blocking first, a verdict at the end."""

from __future__ import annotations

import re
from collections import defaultdict
from io import StringIO

from tfgate.report import Finding, Report, Result, Status
from tfgate.wording import plural

_SEVERITY_STYLE = {
    "critical": "bold red",
    "high": "red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}


def _label(finding: Finding) -> str:
    if finding.status is Status.ERROR:
        return "ERROR"
    if finding.blocking:
        return "BLOCK"
    if finding.status is Status.WAIVED:
        return "WAIVED"
    return "WARN"


def _resource_order(item: tuple[str, list[Finding]]) -> tuple[int, str]:
    address, findings = item
    return (0 if any(finding.blocking for finding in findings) else 1, address)


def verdict(report: Report) -> str:
    blocking = len(report.blocking)
    others = len(report.findings) - blocking
    profiles = ", ".join(report.profiles)
    if report.result is Result.ERROR:
        return "tfgate: ERROR: a rule could not judge this plan; the gate fails closed"
    if report.result is Result.BLOCK:
        found = plural(blocking, "blocking finding")
        return f"tfgate: BLOCKED: {found}, {others} other (profiles: {profiles})"
    found = plural(others, "non-blocking finding")
    return f"tfgate: PASS: nothing blocks, {found} (profiles: {profiles})"


def render(report: Report, *, color: bool = False, width: int = 100) -> str:
    # rich is imported here, not at the top: the verdict line alone, printed after every other
    # format, must not cost its import.
    from rich.console import Console
    from rich.padding import Padding
    from rich.text import Text

    buffer = StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width,
        highlight=False,
        emoji=False,
    )
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        grouped[finding.address].append(finding)
    for address, findings in sorted(grouped.items(), key=_resource_order):
        heading = Text(address, style="bold")
        location = next((f.location for f in findings if f.location is not None), None)
        if location is not None:
            heading.append(f"  {location.file}:{location.line}", style="dim")
        console.print(heading)
        findings.sort(key=lambda f: (not f.blocking, f.severity.rank, f.rule, f.key))
        for finding in findings:
            label = _label(finding)
            style = "bold red" if label in ("BLOCK", "ERROR") else "yellow"
            line = Text()
            line.append(f"{label:<6}", style=style)
            line.append(f" {finding.rule} ", style="bold")
            line.append(
                f"[{finding.severity.value}]", style=_SEVERITY_STYLE[finding.severity.value]
            )
            line.append(f" {finding.status.value}: {finding.message}")
            console.print(Padding(line, (0, 0, 0, 2), expand=False))
            if finding.waiver_reason:
                console.print(
                    Padding(Text(f"waived: {finding.waiver_reason}"), (0, 0, 0, 9), expand=False)
                )
            console.print(
                Padding(Text(f"fix: {finding.fix}", style="dim"), (0, 0, 0, 9), expand=False)
            )
        console.print()
    if report.controls:
        console.print(Text("controls", style="bold"))
        for framework in dict.fromkeys(tally.framework for tally in report.controls):
            tallies = [tally for tally in report.controls if tally.framework == framework]
            counts = {
                outcome: sum(1 for tally in tallies if tally.outcome == outcome)
                for outcome in ("passed", "failed", "unknown", "waived", "not evaluated")
            }
            summary = ", ".join(f"{count} {outcome}" for outcome, count in counts.items() if count)
            console.print(Text(f"  {framework}: {summary}"))
            failing = [tally.control for tally in tallies if tally.outcome == "failed"]
            if failing:
                console.print(Text(f"    failed: {', '.join(failing)}", style="red"))
        console.print()
    for note in report.notes:
        console.print(Text(f"note: {note}", style="yellow"))
    checked = (
        f"checked {plural(report.resources_evaluated, 'resource change')} in "
        f"{', '.join(report.sources)} with {plural(len(report.rules_evaluated), 'rule')}"
    )
    console.print(Text(checked, style="dim"))
    if report.selection:
        account = ", ".join(report.accounts) or "undetermined"
        how = f" (from {report.account_method})" if report.accounts else ""
        console.print(
            Text(f"account: {account}{how}; profiles chosen by {report.selection}", style="dim")
        )
    style = "bold green" if report.result is Result.PASS else "bold red"
    console.print(Text(verdict(report), style=style))
    return "".join(no_command(line.rstrip()) + "\n" for line in buffer.getvalue().splitlines())


_STYLE = re.compile(r"\x1b\[[0-9;]*m")
_COMMAND_START = re.compile(r"^((?:\x1b\[[0-9;]*m|\s)*):")


def no_command(line: str) -> str:
    """`line` unable to start a workflow command: CI runners read a line that begins with `::`
    (after any indentation) as one, and a long finding wraps wherever its words allow. The
    first colon is shown escaped, as control characters are (`\\x3a:error ...`)."""
    if not _STYLE.sub("", line).lstrip().startswith("::"):
        return line
    return _COMMAND_START.sub(lambda match: match.group(1) + "\\x3a", line, count=1)
