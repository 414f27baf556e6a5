"""`--format markdown`: a compact PR comment or job summary.

The verdict comes first, then the blocking findings in a table, the other findings and the
control summary collapsed in `<details>`. The whole text stays within `limit` UTF-8 bytes
(default 60,000: comfortably below GitHub's cap of 65,536 characters on a comment; a step summary
may have 1 MiB); when rows must go, the table ends with a line that says how many more there
are. Blocking findings are kept before other findings, and findings before the per-control
table. Every cell is capped, so that no single finding can push the others out, and at most
`_NOTE_LIMIT` notes are shown.

No text from the plan or the configuration renders as markup (`escape`, `code`): HTML,
emphasis, links, images, code, `@mentions`, `#123` references, autolinks and bidirectional
controls are all neutralised; text in which nothing could render as markup is left as it is.

A hidden `<!-- tfgate-report -->` marker on the first line lets a workflow find its earlier
comment and update it instead of adding another.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tfgate import __version__
from tfgate.redact import inert
from tfgate.report import ControlTally, Finding, Report, Result, Status
from tfgate.wording import plural

MARKER = "<!-- tfgate-report -->"
COMMENT_LIMIT = 60_000
SUMMARY_LIMIT = 1_048_576
_CELL_LIMIT = 300
_NOTE_LIMIT = 10
_OUTCOMES = ("passed", "failed", "unknown", "waived", "not evaluated")


def escape(text: str) -> str:
    """Text safe in a table cell: one line of plain text, however it was written.

    No HTML, no cell separators, no emphasis, links, images or code, no `@mention` or `#123`
    reference that would ping or link, no bidirectional controls; at most `_CELL_LIMIT`
    characters of the original, cut with an ellipsis.
    """
    text = _capped(" ".join(text.split()))
    text = text.replace("\\", "\\\\")
    for raw, safe in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|"), ("`", "\\`")):
        text = text.replace(raw, safe)
    text = _LINK_TARGET.sub(r"]\\", text)
    text = _PING.sub(lambda match: match.group() + _BREAK, text)
    text = _AUTOLINK.sub(lambda match: match.group(1) + _BREAK + match.group(2), text)
    for delimiter in "*_~":
        if delimiter in text:
            text = _without_emphasis(text, delimiter)
    return text


def code(text: str) -> str:
    """Inline code safe in a table cell, whatever backticks the text holds."""
    text = _capped(" ".join(text.split())).replace("|", "\\|")
    run = 1
    while "`" * run in text:
        run += 1
    fence = "`" * run
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _capped(text: str) -> str:
    text = inert(text)
    if len(text) > _CELL_LIMIT:
        text = text[: _CELL_LIMIT - 1].rstrip() + "…"
    return text


# A zero-width space, as an entity: it breaks a mention, a reference or an autolink without
# changing what a reader sees.
_BREAK = "&#8203;"
_LINK_TARGET = re.compile(r"\](?=\()")
_PING = re.compile(r"[@#](?=[A-Za-z0-9_-])|\bGH-(?=[0-9])")
_AUTOLINK = re.compile(r"(?i)(https?|ftp|www)(:|\.)")


def _flanking(text: str, start: int, end: int) -> tuple[bool, bool]:
    """CommonMark's left- and right-flanking tests for the delimiter run `text[start:end]`."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    left = not after.isspace() and (
        not _punctuation(after) or before.isspace() or _punctuation(before)
    )
    right = not before.isspace() and (
        not _punctuation(before) or after.isspace() or _punctuation(after)
    )
    return left, right


def _punctuation(character: str) -> bool:
    return unicodedata.category(character)[0] in "PS"


def _without_emphasis(text: str, delimiter: str) -> str:
    """Every `delimiter` escaped when the text holds a run that could open emphasis and a later
    one that could close it; left as it is when no emphasis can form (`iam:*` on its own)."""
    runs = [match.span() for match in re.finditer(re.escape(delimiter) + "+", text)]
    opened = False
    for start, end in runs:
        left, right = _flanking(text, start, end)
        if delimiter == "_":
            before = text[start - 1] if start > 0 else " "
            after = text[end] if end < len(text) else " "
            left, right = (
                left and (not right or _punctuation(before)),
                right and (not left or _punctuation(after)),
            )
        if opened and right:
            return text.replace(delimiter, "\\" + delimiter)
        opened = opened or left
    return text


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


def verdict(report: Report) -> str:
    blocking = len(report.blocking)
    if report.result is Result.ERROR:
        return "## ❗ tfgate: ERROR: a rule could not judge this plan; the gate fails closed"
    if report.result is Result.BLOCK:
        return f"## ❌ tfgate: BLOCKED by {plural(blocking, 'finding')}"
    return "## ✅ tfgate: PASS: nothing blocks"


def _facts(report: Report) -> str:
    profiles = ", ".join(code(name) for name in report.profiles) or "none"
    plans = ", ".join(code(name) for name in report.sources)
    others = len(report.findings) - len(report.blocking)
    line = (
        f"**Profiles:** {profiles} · **Plans:** {plans} · "
        f"**Checked:** {plural(report.resources_evaluated, 'resource change')} with "
        f"{plural(len(report.rules_evaluated), 'rule')} · "
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
        lines += [f"> note: {escape(note)}" for note in report.notes[:_NOTE_LIMIT]]
        hidden = len(report.notes) - _NOTE_LIMIT
        if hidden > 0:
            lines.append(
                f"> note: … {plural(hidden, 'more note')} not shown; the JSON report has them all"
            )
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
