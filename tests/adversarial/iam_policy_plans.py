"""Plans holding IAM policy documents, written as `terraform show -json` writes them, with the
`main.tf` they describe, and the CLI run over them.

Each resource is created by the plan (`actions: ["create"]`); its document is the minified,
key-sorted JSON that `jsonencode` produces, and the configuration records the `policy`
expression as Terraform does for a function call (`{}`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from typer.testing import CliRunner

from tfgate.cli import app

PROVIDER = "registry.terraform.io/hashicorp/aws"
PROFILES = ("baseline", "pci-dss")

# The attribute that holds the document, and the other attributes Terraform knows at plan time.
_HOLDERS: Mapping[str, tuple[str, Mapping[str, Any], Mapping[str, bool]]] = {
    "aws_iam_policy": (
        "policy",
        {"description": None, "path": "/", "tags": None},
        {
            "arn": True,
            "attachment_count": True,
            "id": True,
            "name_prefix": True,
            "policy_id": True,
            "tags_all": True,
        },
    ),
    "aws_iam_role_policy": ("policy", {"role": "deployer"}, {"id": True, "name_prefix": True}),
    "aws_iam_role": (
        "assume_role_policy",
        {
            "description": None,
            "force_detach_policies": False,
            "max_session_duration": 3600,
            "path": "/",
            "permissions_boundary": None,
            "tags": None,
        },
        {
            "arn": True,
            "create_date": True,
            "id": True,
            "inline_policy": True,
            "managed_policy_arns": True,
            "name_prefix": True,
            "tags_all": True,
            "unique_id": True,
        },
    ),
    "aws_kms_key": (
        "policy",
        {
            "bypass_policy_lockout_safety_check": False,
            "customer_master_key_spec": "SYMMETRIC_DEFAULT",
            "deletion_window_in_days": 30,
            "description": "application data",
            "enable_key_rotation": True,
            "is_enabled": True,
            "key_usage": "ENCRYPT_DECRYPT",
            "tags": None,
        },
        {
            "arn": True,
            "id": True,
            "key_id": True,
            "multi_region": True,
            "rotation_period_in_days": True,
            "tags_all": True,
        },
    ),
}


VERSION = "2012-10-17"


def allow(action: str, resource: str, condition: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A one-statement identity policy."""
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": VERSION, "Statement": [statement]}


def trust(condition: Mapping[str, Any]) -> dict[str, Any]:
    """A trust policy letting any AWS principal assume the role, under `condition`."""
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "sts:AssumeRole",
        "Condition": condition,
    }
    return {"Version": VERSION, "Statement": [statement]}


@dataclass(frozen=True)
class PolicyResource:
    """One resource of the plan: `aws_iam_policy.<name>` holding `document`."""

    name: str
    document: Mapping[str, Any]
    type: str = "aws_iam_policy"

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"


def jsonencode(document: Mapping[str, Any]) -> str:
    """What Terraform's `jsonencode` writes: minified, object keys sorted."""
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS).decode()


def _after(resource: PolicyResource) -> dict[str, Any]:
    attribute, others, _ = _HOLDERS[resource.type]
    named = {} if resource.type == "aws_kms_key" else {"name": resource.name.replace("_", "-")}
    return {**others, **named, attribute: jsonencode(resource.document)}


def _main_tf(resources: Sequence[PolicyResource]) -> str:
    blocks = [
        'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n',
        'provider "aws" {\n  region = "eu-west-1"\n}\n',
    ]
    for resource in resources:
        attribute, others, _ = _HOLDERS[resource.type]
        lines = [f'resource "{resource.type}" "{resource.name}" {{']
        if resource.type != "aws_kms_key":
            lines.append(f'  name = "{resource.name.replace("_", "-")}"')
        if resource.type == "aws_iam_role_policy":
            lines.append(f'  role = "{others["role"]}"')
        lines.append(f"  {attribute} = jsonencode({json.dumps(resource.document, indent=2)})")
        lines.append("}\n")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def plan_document(resources: Sequence[PolicyResource]) -> dict[str, Any]:
    changes = []
    planned = []
    configured = []
    for resource in resources:
        _, others, unknown = _HOLDERS[resource.type]
        after = _after(resource)
        sensitive = {"tags_all": {}} if "tags_all" in unknown else {}
        changes.append(
            {
                "address": resource.address,
                "mode": "managed",
                "type": resource.type,
                "name": resource.name,
                "provider_name": PROVIDER,
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": after,
                    "after_unknown": dict(unknown),
                    "before_sensitive": False,
                    "after_sensitive": sensitive,
                },
            }
        )
        planned.append(
            {
                "address": resource.address,
                "mode": "managed",
                "type": resource.type,
                "name": resource.name,
                "provider_name": PROVIDER,
                "schema_version": 0,
                "values": after,
                "sensitive_values": sensitive,
            }
        )
        attribute = _HOLDERS[resource.type][0]
        expressions: dict[str, Any] = {attribute: {}}
        if "name" in after:
            expressions["name"] = {"constant_value": after["name"]}
        if "role" in others:
            expressions["role"] = {"constant_value": others["role"]}
        configured.append(
            {
                "address": resource.address,
                "mode": "managed",
                "type": resource.type,
                "name": resource.name,
                "provider_config_key": "aws",
                "expressions": expressions,
                "schema_version": 0,
            }
        )
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                "aws": {
                    "name": "aws",
                    "full_name": PROVIDER,
                    "expressions": {"region": {"constant_value": "eu-west-1"}},
                }
            },
            "root_module": {"resources": configured},
        },
        "timestamp": "2026-11-30T09:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def write_plan(directory: Path, resources: Sequence[PolicyResource]) -> Path:
    """Write plan.json and the main.tf it describes into `directory`; return the plan's path."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "main.tf").write_text(_main_tf(resources))
    path = directory / "plan.json"
    path.write_bytes(orjson.dumps(plan_document(resources)))
    return path


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    findings: tuple[Mapping[str, Any], ...] = field(default=())

    def addresses(self, rule: str, *, blocking: bool | None = None) -> set[str]:
        return {
            finding["address"]
            for finding in self.findings
            if finding["rule"] == rule and (blocking is None or finding["blocking"] is blocking)
        }

    def severities(self, rule: str) -> dict[str, str]:
        return {f["address"]: f["severity"] for f in self.findings if f["rule"] == rule}


def check(plan: Path, profile: str, extra: Iterable[str] = ()) -> Outcome:
    """`tfgate check PLAN --profile PROFILE --format json` through the real CLI."""
    result = CliRunner().invoke(
        app, ["check", str(plan), "--profile", profile, "--format", "json", *extra]
    )
    assert result.exit_code in (0, 1), result.output
    report = orjson.loads(result.stdout)
    return Outcome(result.exit_code, tuple(report["findings"]))
