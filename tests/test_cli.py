"""The CLI end to end: exit codes, one-line errors, and the commands around `check`."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import orjson
import pytest
from typer.testing import CliRunner

from tests.paths import FIXTURES, require
from tfgate import __version__
from tfgate.cli import app
from tfgate.resources import schema
from tfgate.rules import RULES

runner = CliRunner()

FAILING = FIXTURES / "iam-user-created" / "fail" / "plan.json"
PASSING = FIXTURES / "iam-user-created" / "pass" / "plan.json"


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("tfgate: error: ")
    return lines[0]


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"tfgate {__version__}\n"


def test_rules_lists_every_rule() -> None:
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == sorted(rule.id for rule in RULES)


def test_explain_prints_the_doc() -> None:
    result = runner.invoke(app, ["explain", "tfg-iam-014"])
    assert result.exit_code == 0
    assert result.stdout.startswith("# TFG-IAM-014 iam:PassRole allowed on any role")
    for section in ("## What it does", "## Why it matters", "## Fix", "## Controls"):
        assert section in result.stdout


def test_explain_unknown_rule() -> None:
    result = runner.invoke(app, ["explain", "TFG-XXX-999"])
    assert result.exit_code == 2
    assert one_error_line(result.stderr) == (
        "tfgate: error: unknown rule id 'TFG-XXX-999'; `tfgate rules` lists them"
    )


def test_missing_plan_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = runner.invoke(app, ["check", str(missing)])
    assert result.exit_code == 2
    assert one_error_line(result.stderr) == f"tfgate: error: {missing}: file not found"


def test_directory_instead_of_plan(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert one_error_line(result.stderr).endswith("is a directory, expected a plan file")


def test_unknown_profile() -> None:
    result = runner.invoke(app, ["check", str(require(FAILING)), "--profile", "sox"])
    assert result.exit_code == 2
    assert one_error_line(result.stderr).startswith("tfgate: error: unknown profile 'sox'")


def test_failing_plan_blocks_and_names_the_resource() -> None:
    result = runner.invoke(app, ["check", str(require(FAILING))])
    assert result.exit_code == 1
    assert "aws_iam_user.fail_" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("tfgate: BLOCKED: ")


def test_passing_plan_passes() -> None:
    result = runner.invoke(app, ["check", str(require(PASSING))])
    assert result.exit_code == 0
    assert result.stdout.rstrip().splitlines()[-1].startswith("tfgate: PASS: ")


def test_text_output_has_no_escape_codes_without_a_terminal() -> None:
    result = runner.invoke(app, ["check", str(require(FAILING))])
    assert "\x1b[" not in result.stdout


@pytest.mark.parametrize("plan", [FAILING, PASSING], ids=["fail", "pass"])
def test_json_output_matches_the_report_schema(plan: Path) -> None:
    result = runner.invoke(app, ["check", str(require(plan)), "--format", "json"])
    assert result.exit_code in (0, 1)
    report = orjson.loads(result.stdout)
    jsonschema.Draft202012Validator(schema("report")).validate(report)
    assert report["result"] == ("block" if result.exit_code == 1 else "pass")
    assert report["profiles"] == ["baseline"]


def test_json_output_to_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    result = runner.invoke(
        app, ["check", str(require(FAILING)), "--format", "json", "--output", str(target)]
    )
    assert result.exit_code == 1
    assert orjson.loads(target.read_bytes())["result"] == "block"
    assert result.stderr.startswith("tfgate: BLOCKED")


def test_stdin(tmp_path: Path) -> None:
    data = require(FAILING).read_bytes()
    result = runner.invoke(app, ["check", "-"], input=data)
    assert result.exit_code == 1


def test_binary_plan_without_terraform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    binary = tmp_path / "tfplan"
    binary.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    result = runner.invoke(app, ["check", str(binary)])
    assert result.exit_code == 2
    assert one_error_line(result.stderr) == (
        f"tfgate: error: {binary}: this is a binary plan file and terraform is not on PATH; "
        "convert it with `terraform show -json tfplan > plan.json`"
    )


def test_binary_plan_is_converted_with_terraform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in `terraform` on PATH proves tfgate runs `terraform show -json PLAN` itself."""
    plan_json = require(FAILING).read_bytes()
    (tmp_path / "plan.json").write_bytes(plan_json)
    fake = tmp_path / "terraform"
    fake.write_text(
        '#!/bin/sh\n[ "$1" = show ] && [ "$2" = -json ] && exec cat "$(dirname "$0")/plan.json"\n'
        "exit 3\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    binary = tmp_path / "tfplan"
    binary.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    result = runner.invoke(app, ["check", str(binary)])
    assert result.exit_code == 1
    assert "aws_iam_user.fail_" in result.stdout


def test_unexpected_exception_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import tfgate.engine

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret-value-should-not-print")

    monkeypatch.setattr(tfgate.engine, "evaluate", explode)
    result = runner.invoke(app, ["check", str(require(FAILING))])
    assert result.exit_code == 2
    line = one_error_line(result.stderr)
    assert line == (
        "tfgate: error: internal error (RuntimeError); run again with --debug for details"
    )
    assert "secret-value" not in result.output


def test_profiles_lists_builtin_profiles() -> None:
    result = runner.invoke(app, ["profiles"])
    assert result.exit_code == 0
    assert result.stdout.startswith("baseline ")


def test_profiles_show_prints_the_resolved_profile() -> None:
    import yaml

    result = runner.invoke(app, ["profiles", "show", "baseline"])
    assert result.exit_code == 0
    shown = yaml.safe_load(result.stdout)
    assert shown["name"] == "baseline"
    assert shown["rules"]["TFG-IAM-014"] == {"enforcement": "block"}
    assert "extends" not in shown


def test_profiles_show_unknown() -> None:
    result = runner.invoke(app, ["profiles", "show", "nope"])
    assert result.exit_code == 2
    assert one_error_line(result.stderr).startswith("tfgate: error: unknown profile 'nope'")
