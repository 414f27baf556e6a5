"""`--format markdown`: verdict first, blocking table, the rest collapsed, size-capped."""

from __future__ import annotations

import dataclasses

from tests.formats.golden import assert_golden
from tests.formats.sample import PASSING, REPORT, finding
from tfgate.formats import markdown
from tfgate.report import Location, Status


def test_golden() -> None:
    assert_golden("report.md", markdown.render(REPORT))


def test_golden_passing() -> None:
    assert_golden("passing.md", markdown.render(PASSING))


def test_verdict_comes_first() -> None:
    lines = markdown.render(REPORT).splitlines()
    assert lines[0] == markdown.MARKER
    assert lines[1].startswith("## ❗ tfgate: ERROR")
    blocked = dataclasses.replace(
        REPORT, findings=tuple(f for f in REPORT.findings if f.status is not Status.ERROR)
    )
    assert markdown.render(blocked).splitlines()[1] == "## ❌ tfgate: BLOCKED by 2 findings"
    assert markdown.render(PASSING).splitlines()[1] == "## ✅ tfgate: PASS: nothing blocks"


def test_cells_are_escaped() -> None:
    text = markdown.render(REPORT)
    assert "<b>" not in text
    assert "&lt;b&gt;50%&lt;/b&gt;" in text
    assert '`module.contractors["a\\|b"].aws_iam_user.fail_vendor`' in text


def test_code_spans_survive_backticks() -> None:
    assert markdown.code("a`b") == "``a`b``"
    assert markdown.code("`x") == "`` `x ``"


def many(count: int, *, blocking: bool) -> tuple:  # type: ignore[type-arg]
    return tuple(
        finding(
            "TFG-IAM-001",
            f'module.users["user-{number:05d}"].aws_iam_user.this',
            Status.INTRODUCED,
            blocking=blocking,
            message="is an IAM user: people should sign in through federation " * 3,
            location=Location("infra/modules/users/main.tf", 12),
        )
        for number in range(count)
    )


def test_truncates_under_the_comment_limit_with_a_count() -> None:
    report = dataclasses.replace(
        REPORT, findings=many(2_000, blocking=True) + many(500, blocking=False)
    )
    text = markdown.render(report)
    assert len(text.encode("utf-8")) <= markdown.COMMENT_LIMIT
    assert text.splitlines()[1] == "## ❌ tfgate: BLOCKED by 2000 findings"
    shown = text.count("| high | `TFG-IAM-001` IAM user created |")
    assert 0 < shown < 2_000
    assert f"**… {2_000 - shown} more blocking findings not shown**" in text
    assert "**… 500 more findings not shown**" in text
    assert text.rstrip().endswith("</sub>")


def test_summary_limit_keeps_more_rows() -> None:
    report = dataclasses.replace(REPORT, findings=many(2_000, blocking=True))
    text = markdown.render(report, limit=markdown.SUMMARY_LIMIT)
    assert len(text.encode("utf-8")) <= markdown.SUMMARY_LIMIT
    assert "more blocking findings not shown" not in text


def test_small_limit_keeps_verdict_and_summary() -> None:
    report = dataclasses.replace(REPORT, findings=many(50, blocking=True))
    text = markdown.render(report, limit=3_000)
    assert len(text.encode("utf-8")) <= 3_000
    assert "more blocking findings not shown" in text
    assert "**Controls**" in text
