"""`--format markdown`: a compact PR comment or job summary.

The verdict comes first, then the blocking findings in a table, the other findings and the
control summary collapsed in `<details>`. The whole text stays within `limit` UTF-8 bytes
(default 65,536: GitHub's cap on a comment, well under the 1 MiB cap on a step summary); when
rows must go, the table ends with a line that says how many more there are. Blocking findings
are kept before other findings, and findings before the per-control table.

A hidden `<!-- tfgate-report -->` marker on the first line lets a workflow find its earlier
comment and update it instead of adding another.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tfgate import __version__
from tfgate.report import ControlTally, Finding, Report, Result, Status

MARKER = "<!-- tfgate-report -->"
COMMENT_LIMIT = 65_536
SUMMARY_LIMIT = 1_048_576
_CELL_LIMIT = 300
_OUTCOMES = ("passed", "failed", "unknown", "waived", "not evaluated")


def escape(text: str) -> str:
    """Text safe in a table cell: no HTML, no line breaks, no cell separators."""
    text = " ".join(text.split())
    if len(text) > _CELL_LIMIT:
        text = text[: _CELL_LIMIT - 1].rstrip() + "…"
    for raw, safe in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|")):
        text = text.replace(raw, safe)
    return text


def code(text: str) -> str:
    """Inline code safe in a table cell, whatever backticks the text holds."""
    text = " ".join(text.split()).replace("|", "\\|")
    run = 1
    while "`" * run in text:
        run += 1
    fence = "`" * run
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _where(finding: Finding) -> str:
    if finding.location is None:
        return ""
    return code(f"{finding.location.file}:{finding.location.line}")


def _order(finding: Finding) -> tuple[int, str, str, str]:
    return (finding.severity.rank, finding.address, finding.rule, finding.key)


def _blocking_row(finding: Finding) -> str:
    cells = (
        finding.severity.value,
        f"{code(finding.rule)} {escape(finding.title)}",
        code(finding.address),
        escape(finding.message),
        _where(finding),
    )
    return "| " + " | ".join(cells) + " |"


def _status(finding: Finding) -> str:
    if finding.status is Status.WAIVED:
        reason = f": {escape(finding.waiver_reason)}" if finding.waiver_reason else ""
        return f"waived{reason}"
    return finding.status.value


def _other_row(finding: Finding) -> str:
    cells = (
        _status(finding),
        finding.severity.value,
        code(finding.rule),
        code(finding.address),
        escape(finding.message),
        _where(finding),
    )
    return "| " + " | ".join(cells) + " |"


def _control_row(tally: ControlTally) -> str:
    cells = (
        escape(tally.framework),
        escape(tally.control),
        tally.outcome,
        " ".join(code(rule) for rule in tally.rules),
    )
    return "| " + " | ".join(cells) + " |"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def verdict(report: Report) -> str:
    blocking = len(report.blocking)
    if report.result is Result.ERROR:
        return "## ❗ tfgate: ERROR: a rule could not judge this plan; the gate fails closed"
    if report.result is Result.BLOCK:
        return f"## ❌ tfgate: BLOCKED by {_plural(blocking, 'finding')}"
    return "## ✅ tfgate: PASS: nothing blocks"


def _facts(report: Report) -> str:
    profiles = ", ".join(code(name) for name in report.profiles) or "none"
    plans = ", ".join(code(name) for name in report.sources)
    others = len(report.findings) - len(report.blocking)
    line = (
        f"**Profiles:** {profiles} · **Plans:** {plans} · "
        f"**Checked:** {_plural(report.resources_evaluated, 'resource change')} with "
        f"{_plural(len(report.rules_evaluated), 'rule')} · "
        f"**Findings:** {len(report.blocking)} blocking, {others} other"
    )
    accounts = report.accounts
    if accounts:
        line += f" · **Account:** {', '.join(code(account) for account in accounts)}"
    return line


def _control_lines(controls: Sequence[ControlTally]) -> list[str]:
    lines: list[str] = []
    for framework in dict.fromkeys(tally.framework for tally in controls):
        tallies = [tally for tally in controls if tally.framework == framework]
        counts = [
            f"{sum(1 for tally in tallies if tally.outcome == outcome)} {outcome}"
            for outcome in _OUTCOMES
            if any(tally.outcome == outcome for tally in tallies)
        ]
        failed = [tally.control for tally in tallies if tally.outcome == "failed"]
        tail = f" (failed: {escape(', '.join(failed))})" if failed else ""
        lines.append(f"- **{escape(framework)}**: {', '.join(counts)}{tail}")
    return lines


@dataclass(frozen=True, slots=True)
class _Table:
    heading: str
    header: str
    rows: tuple[str, ...]
    noun: str
    collapsed: bool

    def render(self, shown: int) -> list[str]:
        if not self.rows:
            return []
        body = [self.header, *self.rows[:shown]]
        hidden = len(self.rows) - shown
        if hidden > 0:
            body.append("")
            body.append(
                f"**… {hidden} more {self.noun} not shown** (the comment size limit); "
                "the JSON or SARIF report has them all."
            )
        if not self.collapsed:
            return [self.heading, "", *body, ""]
        return [f"<details><summary>{self.heading}</summary>", "", *body, "", "</details>", ""]


def render(report: Report, *, limit: int = COMMENT_LIMIT) -> str:
    """The report as Markdown, at most `limit` UTF-8 bytes."""
    blocking = sorted(report.blocking, key=_order)
    others = sorted(
        (finding for finding in report.findings if not finding.blocking),
        key=lambda finding: (finding.status is Status.WAIVED, *_order(finding)),
    )
    controls: Sequence[ControlTally] = report.controls
    waived = sum(1 for finding in others if finding.status is Status.WAIVED)
    tables = (
        _Table(
            f"### Blocking findings ({len(blocking)})",
            "| Severity | Rule | Resource | Finding | Source |\n|---|---|---|---|---|",
            tuple(_blocking_row(finding) for finding in blocking),
            "blocking findings",
            collapsed=False,
        ),
        _Table(
            f"Other findings ({len(others)}: {len(others) - waived} not blocking, {waived} waived)",
            "| Status | Severity | Rule | Resource | Finding | Source |\n|---|---|---|---|---|---|",
            tuple(_other_row(finding) for finding in others),
            "findings",
            collapsed=True,
        ),
        _Table(
            f"Controls ({len(controls)})",
            "| Framework | Control | Outcome | Rules |\n|---|---|---|---|",
            tuple(_control_row(tally) for tally in controls),
            "controls",
            collapsed=True,
        ),
    )

    def compose(kept: int) -> str:
        lines = [MARKER, verdict(report), "", _facts(report), ""]
        if controls:
            lines += ["**Controls**", "", *_control_lines(controls), ""]
        remaining = kept
        for table in tables:
            shown = min(remaining, len(table.rows))
            remaining -= shown
            lines += table.render(shown)
        lines += [f"> note: {escape(note)}" for note in report.notes]
        if report.notes:
            lines.append("")
        lines.append(f"<sub>tfgate {__version__}</sub>")
        return "\n".join(lines) + "\n"

    return _largest_fitting(compose, sum(len(table.rows) for table in tables), limit)


def _largest_fitting(compose: Callable[[int], str], total: int, limit: int) -> str:
    """`compose(n)` for the largest n <= total whose text fits in `limit` bytes."""

    def size(kept: int) -> int:
        return len(compose(kept).encode("utf-8"))

    if size(total) <= limit:
        return compose(total)
    low, high = 0, total
    while low < high:
        middle = (low + high + 1) // 2
        if size(middle) <= limit:
            low = middle
        else:
            high = middle - 1
    return compose(low)
