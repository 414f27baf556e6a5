"""Plans in `terraform show -json` shape and CLI runs in every registered format, for the tests
of what may leave tfgate (leaks, markup and log injection, error lines)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from tests.rules.iam_plans import PROVIDER, change
from tfgate.cli import app
from tfgate.formats import FORMATS

FORMAT_NAMES = sorted(FORMATS)

runner = CliRunner()


def resource_change(
    resource_type: str,
    name: str,
    after: Mapping[str, Any],
    *,
    after_sensitive: Any = None,
    before: Mapping[str, Any] | None = None,
    before_sensitive: Any = None,
    index: str | int | None = None,
    actions: tuple[str, ...] = ("create",),
) -> dict[str, Any]:
    """One entry of `resource_changes`, as Terraform writes it."""
    entry = change(resource_type, name, dict(after), before=before, actions=actions)
    if after_sensitive is not None:
        entry["change"]["after_sensitive"] = after_sensitive
    if before_sensitive is not None:
        entry["change"]["before_sensitive"] = before_sensitive
    if index is not None:
        # as a crafted plan may hold it: the key's characters unescaped
        entry["address"] += f'["{index}"]' if isinstance(index, str) else f"[{index}]"
        entry["index"] = index
    return entry


def plan_document(changes: list[dict[str, Any]]) -> dict[str, Any]:
    """A whole plan around `changes`: planned values and configuration included."""
    resources = [
        {
            "address": change["address"],
            "mode": "managed",
            "type": change["type"],
            "name": change["name"],
            **({"index": change["index"]} if "index" in change else {}),
            "provider_name": PROVIDER,
            "schema_version": 0,
            "values": change["change"]["after"],
            "sensitive_values": change["change"]["after_sensitive"] or {},
        }
        for change in changes
    ]
    blocks = {
        (change["type"], change["name"]): {
            "address": f"{change['type']}.{change['name']}",
            "mode": "managed",
            "type": change["type"],
            "name": change["name"],
            "provider_config_key": "aws",
            "expressions": {},
            "schema_version": 0,
        }
        for change in changes
    }
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": resources}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                "aws": {
                    "name": "aws",
                    "full_name": PROVIDER,
                    "expressions": {"region": {"constant_value": "us-east-1"}},
                }
            },
            "root_module": {"resources": list(blocks.values())},
        },
        "timestamp": "2026-12-01T00:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def write_plan(directory: Path, changes: list[dict[str, Any]], name: str = "plan.json") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(json.dumps(plan_document(changes)), encoding="utf-8")
    return path


def policy(*statements: Mapping[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def check(*arguments: str) -> Result:
    return runner.invoke(app, ["check", *arguments])


def every_format(
    plan: Path, out: Path, *options: str, expect: tuple[int, ...] = (1,)
) -> dict[str, str]:
    """The plan checked once with every registered format written to a file; stderr too."""
    out.mkdir(parents=True, exist_ok=True)
    formats = [f"--format={name}={out / name}" for name in FORMAT_NAMES]
    result = check(str(plan), *formats, *options)
    assert result.exit_code in expect, result.output
    outputs = {name: (out / name).read_text(encoding="utf-8") for name in FORMAT_NAMES}
    outputs["stderr"] = result.stderr
    return outputs


def one_stdout_per_format(plan: Path, *options: str) -> dict[str, str]:
    """The plan checked once per registered format on stdout (the text format as a terminal
    shows it uncoloured)."""
    outputs: dict[str, str] = {}
    for name in FORMAT_NAMES:
        result = check(str(plan), "--format", name, *options)
        assert result.exit_code in (0, 1), result.output
        outputs[name] = result.stdout
        outputs[f"{name} stderr"] = result.stderr
    return outputs
