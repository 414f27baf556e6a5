"""Issue 13, class 15: source mapping stays inside the repository.

The pull request's author controls the module sources in the plan's `configuration` and the
files beside it, including `.terraform/modules/modules.json` when it is committed or planted.
A module source or a manifest `Dir` that leads out of the repository (`../..`, an absolute path,
a symlink) is never read: the finding points at the `module` call inside the repository
instead. No format may print a machine path: every location is relative to the repository root.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from tfgate.cli import FORMAT_NAMES, app

PROVIDER = "registry.terraform.io/hashicorp/aws"
OUTSIDE_BLOCK = 'resource "aws_iam_user" "fail_planted" {\n  name = "planted"\n}\n'


def user_change(module: str) -> dict[str, Any]:
    return {
        "address": f"{module}.aws_iam_user.fail_planted",
        "module_address": module,
        "mode": "managed",
        "type": "aws_iam_user",
        "name": "fail_planted",
        "provider_name": PROVIDER,
        "change": {
            "actions": ["create"],
            "before": None,
            "after": {
                "force_destroy": False,
                "name": "planted",
                "path": "/",
                "permissions_boundary": None,
                "tags": None,
            },
            "after_unknown": {"arn": True, "id": True, "tags_all": True, "unique_id": True},
            "before_sensitive": False,
            "after_sensitive": {"tags_all": {}},
        },
    }


def plan_document(calls: dict[str, str]) -> dict[str, Any]:
    """A plan with one IAM user in each module call `name -> source`."""
    module_calls = {
        name: {
            "source": source,
            "module": {
                "resources": [
                    {
                        "address": "aws_iam_user.fail_planted",
                        "mode": "managed",
                        "type": "aws_iam_user",
                        "name": "fail_planted",
                        "provider_config_key": f"{name}:aws",
                        "expressions": {"name": {"constant_value": "planted"}},
                        "schema_version": 0,
                    }
                ]
            },
        }
        for name, source in calls.items()
    }
    planned = [
        {
            "address": f"module.{name}",
            "resources": [
                {
                    "address": f"module.{name}.aws_iam_user.fail_planted",
                    "mode": "managed",
                    "type": "aws_iam_user",
                    "name": "fail_planted",
                    "provider_name": PROVIDER,
                    "schema_version": 0,
                    "values": {
                        "force_destroy": False,
                        "name": "planted",
                        "path": "/",
                        "permissions_boundary": None,
                        "tags": None,
                    },
                    "sensitive_values": {"tags_all": {}},
                }
            ],
        }
        for name in calls
    ]
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"child_modules": planned}},
        "resource_changes": [user_change(f"module.{name}") for name in calls],
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": PROVIDER}},
            "root_module": {"module_calls": module_calls},
        },
        "complete": True,
        "errored": False,
    }


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def main_tf(calls: dict[str, str]) -> str:
    blocks = [f'module "{name}" {{\n  source = "{source}"\n}}\n' for name, source in calls.items()]
    return 'terraform {\n  required_version = ">= 1.5"\n}\n\n' + "\n".join(blocks)


def module_call_lines(text: str) -> dict[str, int]:
    return {
        line.split('"')[1]: number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.startswith("module ")
    }


@pytest.fixture
def hostile_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A repository whose root module calls modules that live outside it, four ways."""
    outside = tmp_path / "outside"
    write(outside / "main.tf", "\n\n" + OUTSIDE_BLOCK)
    write(outside / "installed" / "main.tf", "\n\n\n" + OUTSIDE_BLOCK)
    repository = tmp_path / "repository"
    (repository / ".git").mkdir(parents=True)
    root = repository / "infra"
    calls = {
        "dotdot": "../../outside",
        "absolute": "org/absolute/aws",
        "escaping": "org/escaping/aws",
        "linked": "./modules/linked",
    }
    text = main_tf(calls)
    write(root / "main.tf", text)
    (root / "modules").mkdir()
    os.symlink(outside, root / "modules" / "linked", target_is_directory=True)
    manifest = {
        "Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "absolute", "Source": "org/absolute/aws", "Dir": str(outside / "installed")},
            {"Key": "escaping", "Source": "org/escaping/aws", "Dir": "../../outside/installed"},
        ]
    }
    write(root / ".terraform" / "modules" / "modules.json", orjson.dumps(manifest).decode())
    write(root / "plan.json", orjson.dumps(plan_document(calls)).decode())
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(repository)
    return {"outside": outside, "tmp": tmp_path, "lines": module_call_lines(text)}


def run_formats(out: Path) -> dict[str, str]:
    out.mkdir()
    arguments = ["check", "infra/plan.json", "--profile", "baseline"]
    for name in FORMAT_NAMES:
        arguments += ["--format", f"{name}={out / name}"]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 1, result.output
    return {name: (out / name).read_text(encoding="utf-8") for name in FORMAT_NAMES}


def test_modules_outside_the_repository_are_not_read(hostile_repository: dict[str, Any]) -> None:
    rendered = run_formats(hostile_repository["tmp"] / "out")
    findings = orjson.loads(rendered["json"])["findings"]
    located = {finding["address"]: finding["location"] for finding in findings}
    expected = {
        f"module.{name}.aws_iam_user.fail_planted": {"file": "infra/main.tf", "line": line}
        for name, line in hostile_repository["lines"].items()
    }
    assert located == expected


def test_no_format_prints_a_machine_path(hostile_repository: dict[str, Any]) -> None:
    rendered = run_formats(hostile_repository["tmp"] / "out")
    machine_paths = (str(hostile_repository["tmp"]), str(hostile_repository["tmp"].resolve()))
    for name, text in rendered.items():
        for machine_path in machine_paths:
            assert machine_path not in text, name
    sarif = orjson.loads(rendered["sarif"])
    for result in sarif["runs"][0]["results"]:
        for location in result["locations"]:
            uri = location["physicalLocation"]["artifactLocation"]["uri"]
            assert not uri.startswith(("/", "file:")) and ".." not in uri, uri


def test_a_symlinked_file_leading_outside_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `.tf` file inside the repository that is a symlink to a file outside it is skipped."""
    outside = write(tmp_path / "outside" / "secret.tf", "\n\n\n\n" + OUTSIDE_BLOCK)
    repository = tmp_path / "repository"
    (repository / ".git").mkdir(parents=True)
    calls = {"local": "./modules/local"}
    text = main_tf(calls)
    write(repository / "main.tf", text)
    module = repository / "modules" / "local"
    module.mkdir(parents=True)
    os.symlink(outside, module / "main.tf")
    write(repository / "plan.json", orjson.dumps(plan_document(calls)).decode())
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(repository)
    result = CliRunner().invoke(app, ["check", "plan.json", "-p", "baseline", "-f", "json"])
    assert result.exit_code == 1, result.output
    (finding,) = orjson.loads(result.stdout)["findings"]
    assert finding["location"] == {"file": "main.tf", "line": module_call_lines(text)["local"]}


def test_a_repository_reached_through_a_symlink_still_follows_sibling_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refusing what leaves the repository must not refuse `../modules` inside it when the
    checkout's own path goes through a symlink (the root module is named by that path)."""
    real = tmp_path / "real"
    (real / ".git").mkdir(parents=True)
    write(real / "modules" / "users" / "main.tf", "\n" + OUTSIDE_BLOCK)
    calls = {"users": "../../modules/users"}
    write(real / "envs" / "prod" / "main.tf", main_tf(calls))
    write(real / "envs" / "prod" / "plan.json", orjson.dumps(plan_document(calls)).decode())
    os.symlink(real, tmp_path / "checkout", target_is_directory=True)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(real)  # the repository root is found resolved
    plan = tmp_path / "checkout" / "envs" / "prod" / "plan.json"
    result = CliRunner().invoke(app, ["check", str(plan), "-p", "baseline", "-f", "json"])
    assert result.exit_code == 1, result.output
    (finding,) = orjson.loads(result.stdout)["findings"]
    assert finding["location"] == {"file": "modules/users/main.tf", "line": 2}
