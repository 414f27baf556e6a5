"""Class 14: an error is exactly one line on stderr, whatever key, pointer or path it quotes.

A key in the plan or in YAML, or a file name, may hold a newline, a carriage return or an escape
sequence; quoted raw, it would split the error into lines (one of them a forged `::error`
workflow command) or act on the terminal.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests.adversarial.outputs import check, plan_document, policy, resource_change, write_plan

FORGED = "x\n::error file=forged::forged\r\x1b[2K\u202e"


def assert_one_error_line(result: Result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.split("\n")
    assert lines[-1] == "" and len(lines) == 2, result.stderr
    line = lines[0]
    assert line.startswith("tfgate: error: "), line
    for control in ("\r", "\x1b", "\u202e", "\x00"):
        assert control not in line, repr(control)
    assert "Traceback" not in result.output
    return line


def _plan_with(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    grant = policy({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"})
    document = plan_document(
        [resource_change("aws_iam_policy", "p", {"name": "p", "policy": grant})]
    )
    parent = document
    for key in path[:-1]:
        parent = parent.setdefault(key, {})
    parent[path[-1]] = value
    return document


BROKEN_PLANS = {
    "provider config key": _plan_with(
        ("configuration", "provider_config", FORGED), "not an object"
    ),
    "module call name": _plan_with(
        ("configuration", "root_module", "module_calls", FORGED), "not an object"
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN_PLANS))
def test_a_plan_key_in_an_error_is_inert(case: str, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(BROKEN_PLANS[case]), encoding="utf-8")
    line = assert_one_error_line(check(str(plan)))
    assert "\\x0a::error" in line  # the key is still named, escaped


KEY = json.dumps(FORGED)
YAML_CONFIGS = {
    "account key": f"default_profile: baseline\naccounts:\n  {KEY}: {{profiles: [baseline]}}\n",
    "path key": f"default_profile: baseline\npaths:\n  {KEY}: {{profiles: 7}}\n",
}


@pytest.mark.parametrize("case", sorted(YAML_CONFIGS))
def test_a_yaml_key_in_an_error_is_inert(case: str, tmp_path: Path) -> None:
    config = tmp_path / "tfgate.yaml"
    config.write_text(YAML_CONFIGS[case], encoding="utf-8")
    plan = write_plan(tmp_path, [resource_change("aws_iam_user", "u", {"name": "u"})])
    assert_one_error_line(check(str(plan), "--config", str(config)))


def test_a_plan_path_in_an_error_is_inert(tmp_path: Path) -> None:
    assert_one_error_line(check(str(tmp_path / f"plan{FORGED}.json")))


def test_a_waivers_path_in_an_error_is_inert(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [resource_change("aws_iam_user", "u", {"name": "u"})])
    assert_one_error_line(check(str(plan), "--waivers", str(tmp_path / f"w{FORGED}.yaml")))


def test_a_source_dir_in_an_error_is_inert(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [resource_change("aws_iam_user", "u", {"name": "u"})])
    assert_one_error_line(check(str(plan), "--source-dir", str(tmp_path / FORGED)))
