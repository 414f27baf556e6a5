"""Class 13: the text and `github` formats are printed in CI logs, so no field may start a
workflow command (`::error`, `::add-mask::`, `::stop-commands::`) on a line of its own, and no
raw control character (ESC, CR, NUL) may reach the terminal: source paths and module directory
names included, not only what the plan says.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.adversarial.outputs import check, policy, resource_change, write_plan

CONTROLS = ("\x1b", "\r", "\x00", "\x07", "\x9b", "\u2028", "\u202e")
OWN_COMMANDS = ("::error ", "::warning ", "::notice ")


def assert_inert_log(output: str, *, commands_allowed: bool) -> None:
    for control in CONTROLS:
        assert control not in output, repr(control)
    for line in output.split("\n"):
        if commands_allowed and line.startswith(OWN_COMMANDS):
            continue
        assert not line.lstrip().startswith("::"), line


def wrapping_plan(directory: Path) -> Path:
    """Sids that put `::error::` after every possible amount of text, so that wherever the text
    format wraps a line, one of them begins a wrapped line with it."""
    changes = [
        resource_change(
            "aws_iam_policy",
            f"p{width}",
            {
                "name": f"p{width}",
                "policy": policy(
                    {
                        "Sid": "w" * width + " ::error file=forged::forged ::add-mask::x",
                        "Effect": "Allow",
                        "Action": "iam:PassRole",
                        "Resource": "*",
                    }
                ),
            },
        )
        for width in range(0, 100, 1)
    ]
    return write_plan(directory, changes)


@pytest.mark.parametrize("name", ["text", "github"])
def test_a_wrapped_line_never_starts_a_workflow_command(name: str, tmp_path: Path) -> None:
    result = check(str(wrapping_plan(tmp_path)), "--format", name, "--profile", "baseline")
    assert result.exit_code == 1, result.output
    assert_inert_log(result.stdout, commands_allowed=name == "github")
    assert_inert_log(result.stderr, commands_allowed=False)


HOSTILE_DIR = "infra\x1b]0;owned\x07\x1b[31m\r::error::forged\u202e"


def located_plan(root: Path) -> Path:
    """A plan beside its .tf sources, in a directory (and with a module directory) whose names
    hold escape sequences, a carriage return and a workflow command."""
    directory = root / HOSTILE_DIR
    module = directory / f"mod{HOSTILE_DIR}"
    module.mkdir(parents=True)
    (directory / "main.tf").write_text(
        'resource "aws_iam_policy" "p" {\n  name   = "p"\n  policy = "{}"\n}\n\n'
        f'module "m" {{\n  source = "./mod{json.dumps(HOSTILE_DIR)[1:-1]}"\n}}\n',
        encoding="utf-8",
    )
    (module / "main.tf").write_text(
        'resource "aws_iam_policy" "q" {\n  name   = "q"\n  policy = "{}"\n}\n', encoding="utf-8"
    )
    grant = policy({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"})
    inner = resource_change("aws_iam_policy", "q", {"name": "q", "policy": grant})
    inner["address"] = "module.m.aws_iam_policy.q"
    inner["module_address"] = "module.m"
    plan = write_plan(
        directory, [resource_change("aws_iam_policy", "p", {"name": "p", "policy": grant}), inner]
    )
    document = json.loads(plan.read_text(encoding="utf-8"))
    document["configuration"]["root_module"]["module_calls"] = {
        "m": {
            "source": f"./mod{HOSTILE_DIR}",
            "module": {
                "resources": [
                    {
                        "address": "aws_iam_policy.q",
                        "mode": "managed",
                        "type": "aws_iam_policy",
                        "name": "q",
                        "provider_config_key": "aws",
                        "expressions": {},
                        "schema_version": 0,
                    }
                ]
            },
        }
    }
    plan.write_text(json.dumps(document), encoding="utf-8")
    return plan


@pytest.mark.parametrize("name", ["text", "github"])
def test_source_paths_and_module_directories_are_inert(name: str, tmp_path: Path) -> None:
    plan = located_plan(tmp_path)
    result = check(str(plan), "--format", name, "--profile", "baseline")
    assert result.exit_code == 1, result.output
    assert "main.tf" in result.stdout  # the locations were found, so the paths were printed
    assert_inert_log(result.stdout, commands_allowed=name == "github")
    assert_inert_log(result.stderr, commands_allowed=False)


def test_every_github_line_is_one_of_tfgates_own_commands(tmp_path: Path) -> None:
    result = check(str(located_plan(tmp_path)), "--format", "github", "--profile", "baseline")
    lines = result.stdout.splitlines()
    assert lines, result.output
    for line in lines:
        assert line.startswith(OWN_COMMANDS), line
        assert "\x1b" not in line and "\r" not in line
