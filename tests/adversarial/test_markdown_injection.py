"""Class 12: no text from the plan or the configuration renders as markup in the PR comment.

The comment is rendered by GitHub: a Sid, an instance key or a waiver's reason that held
`@team`, `#1`, a link, an image, HTML, a code fence, `</details>` or bidirectional controls would
ping people, link issues, show pictures or rearrange the report. And one finding with a huge
text must not push every other finding out of the size limit.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tests.adversarial.outputs import check, policy, resource_change, write_plan
from tfgate.formats import markdown

HOSTILE = (
    "@octocat @org/team #1 GH-2 owner/repo#3 [click](https://evil.example/x) "
    "![pixel](https://evil.example/p.png) <img src=x onerror=alert(1)> </details> "
    "*bold* _em_ ~~gone~~ ```fence``` `code` www.evil.example \u202eevil\u2066x\u2069 "
    "\\| cell | break"
)


def hostile_plan(directory: Path) -> Path:
    statement = {"Sid": HOSTILE, "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
    return write_plan(
        directory,
        [
            resource_change("aws_iam_policy", "p", {"name": "p", "policy": policy(statement)}),
            resource_change(
                "aws_iam_policy",
                "keyed",
                {"name": "keyed", "policy": policy({**statement, "Sid": "Plain"})},
                index=HOSTILE,
            ),
        ],
    )


def hostile_waivers(directory: Path) -> Path:
    path = directory / "waivers.yaml"
    reason = json.dumps(HOSTILE)  # a JSON string is a YAML double-quoted scalar
    glob = json.dumps(f"aws_iam_policy.unused_{HOSTILE}")
    path.write_text(
        f"- rule: TFG-IAM-014\n  address: aws_iam_policy.p\n  reason: {reason}\n"
        '  owner: "@octocat"\n  expires: 2099-01-01\n'
        f"- rule: TFG-IAM-001\n  address: {glob}\n  reason: {reason}\n"
        '  owner: "@octocat"\n  expires: 2099-01-01\n',
        encoding="utf-8",
    )
    return path


def _outside_code(text: str) -> str:
    """The text that GitHub renders as Markdown: code spans (with any fence length) removed."""
    return re.sub(r"(`+)(?:(?!\1).)+?\1", "", text)


def rendered_markdown(directory: Path) -> str:
    plan = hostile_plan(directory)
    waivers = hostile_waivers(directory)
    result = check(str(plan), "--format", "markdown", "--waivers", str(waivers))
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def test_nothing_from_the_plan_renders_as_markup(tmp_path: Path) -> None:
    text = rendered_markdown(tmp_path)
    assert "waived" in text and "note:" in text  # the reason and the unused waiver are shown
    prose = _outside_code(text)
    assert not re.search(r"@[A-Za-z0-9]", prose), "a mention would ping"
    assert not re.search(r"(?<!&)#[0-9]", prose), "a reference would link an issue"
    assert not re.search(r"GH-[0-9]", prose)
    assert "](" not in prose, "a link or image would render"
    assert not re.search(r"https?://|www\.", prose), "an autolink would render"
    assert "<img" not in prose and "</details> " not in prose
    assert prose.count("</details>") == prose.count("<details>")
    for control in ("\u202e", "\u2066", "\u2069"):
        assert control not in text
    for emphasis in ("*bold*", "_em_", "~~gone~~"):
        assert emphasis not in prose
    assert "```fence```" not in prose
    for table in re.findall(r"(\| [^\n]*\|\n\|---[^\n]*\n(?:\|[^\n]*\n)+)", text):
        header, _, *rows = table.strip().split("\n")
        columns = len(re.split(r"(?<!\\)\|", header))
        for row in rows:
            assert len(re.split(r"(?<!\\)\|", row)) == columns, "a cell broke out of its row"


def test_one_huge_finding_cannot_push_the_others_out(tmp_path: Path) -> None:
    huge = "k" * 100_000
    statement = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
    changes = [
        resource_change("aws_iam_policy", f"p{n}", {"name": f"p{n}", "policy": policy(statement)})
        for n in range(5)
    ]
    changes.append(
        resource_change(
            "aws_iam_policy",
            "huge",
            {"name": "huge", "policy": policy({**statement, "Sid": huge})},
            index=huge,
        )
    )
    result = check(str(write_plan(tmp_path, changes)), "--format", "markdown")
    assert result.exit_code == 1, result.output
    text = result.stdout
    assert len(text) < markdown.COMMENT_LIMIT <= 60_000
    for n in range(5):
        assert f"`aws_iam_policy.p{n}`" in text
    assert "not shown" not in text
    assert "…" in text  # the huge cells say they were cut


def test_the_comment_stays_below_githubs_limit_with_a_note_on_what_was_cut(
    tmp_path: Path,
) -> None:
    statement = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
    changes = [
        resource_change(
            "aws_iam_policy",
            f"p{n}",
            {"name": f"p{n}", "policy": policy({**statement, "Sid": "S" * 400 + str(n)})},
        )
        for n in range(400)
    ]
    result = check(str(write_plan(tmp_path, changes)), "--format", "markdown")
    assert result.exit_code == 1, result.output
    assert len(result.stdout) < 65_536 - 5_000
    assert re.search(r"… [0-9]+ more blocking findings not shown", result.stdout)


_MARKUP = st.lists(
    st.sampled_from(
        [*"@#[]()!*_~`<>&|\\:/. aZ09\n\t", "\u202e", "\u2066", "http", "www", "GH-", "</details>"]
    ),
    max_size=40,
).map("".join)
_RENDERER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_MARKUP_TAGS = re.compile(r"<(?!/?(?:table|thead|tbody|tr|th|td|p)\b)[a-z/]")


@settings(max_examples=400, deadline=None, derandomize=True)
@given(text=_MARKUP)
def test_a_cell_never_holds_markup(text: str) -> None:
    """Rendered by a CommonMark renderer with GitHub's table and strikethrough extensions, an
    escaped cell is one cell of plain text; GitHub's own additions (mentions, references,
    autolinks) are checked on the text."""
    cell = markdown.escape(text)
    html = _RENDERER.render(f"| a | b |\n|---|---|\n| {cell} | end |\n")
    assert not _MARKUP_TAGS.search(html), html
    assert html.count("<td") == 2, html
    assert not re.search(r"@[A-Za-z0-9_-]|(?<!&)#[A-Za-z0-9_-]|GH-[0-9]", cell)
    assert not re.search(r"(?i)(?:https?|www)[:.]", cell)
    assert "\u202e" not in cell and "\u2066" not in cell


@settings(max_examples=400, deadline=None, derandomize=True)
@given(text=_MARKUP)
def test_inline_code_stays_one_code_span_in_its_cell(text: str) -> None:
    html = _RENDERER.render(f"| a | b |\n|---|---|\n| {markdown.code(text)} | end |\n")
    assert html.count("<td") == 2, html
    assert not re.search(r"<(?!/?(?:table|thead|tbody|tr|th|td|p|code)\b)[a-z/]", html), html
    assert "\u202e" not in html and "\u2066" not in html
