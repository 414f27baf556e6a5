"""Plans in the shape `terraform show -json` writes, for attacks built from IAM policies and
`aws_iam_policy_document` data sources, and the CLI run that judges them.

A `PlanShape` collects resource instances and configuration blocks and writes the whole plan:
`planned_values`, `resource_changes` (before/after, after_unknown, the sensitivity masks),
`prior_state` for data sources read at plan time, and `configuration` with the expressions and
their `references` exactly as Terraform unwraps them (`d["b"].json`, `d["b"]`, `d`).
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from tests import test_fixture_shape
from tfgate.cli import app

PROVIDER = "registry.terraform.io/hashicorp/aws"
PROFILES = ("baseline", "pci-dss")

# The checks every fixture plan passes: keys Terraform writes, consistent changes, planned
# values and prior state, references that resolve in the configuration.
SHAPE_CHECKS = (
    test_fixture_shape.test_required_keys,
    test_fixture_shape.test_keys_match_the_corpus,
    test_fixture_shape.test_resource_changes_are_consistent,
    test_fixture_shape.test_changes_appear_in_configuration_planned_values_and_prior_state,
    test_fixture_shape.test_configuration_references_resolve,
)

PASS_ANY_ROLE = {
    "Sid": "PassAnyRole",
    "Effect": "Allow",
    "Action": "iam:PassRole",
    "Resource": "*",
}
READ_LOGS = {
    "Sid": "ReadLogs",
    "Effect": "Allow",
    "Action": ["logs:GetLogEvents", "logs:FilterLogEvents"],
    "Resource": "arn:aws:logs:eu-west-1:111122223333:log-group:/app/*",
}


def policy_json(*statements: Mapping[str, Any]) -> str:
    """A document as the provider renders `json` (indented, Version first)."""
    return orjson.dumps(
        {"Version": "2012-10-17", "Statement": list(statements)}, option=orjson.OPT_INDENT_2
    ).decode()


def refs(*references: str) -> dict[str, Any]:
    """An expression's `references`, unwrapped the way Terraform writes them."""
    unwrapped: list[str] = []
    for reference in references:
        parts = reference.split(".")
        head = 3 if parts[0] == "data" else 2
        for end in range(len(parts), head - 1, -1):
            unwrapped.append(".".join(parts[:end]))
        subject = ".".join(parts[:head])
        if subject.endswith("]"):
            unwrapped.append(subject[: subject.index("[")])
    return {"references": unwrapped}


def const(value: Any) -> dict[str, Any]:
    return {"constant_value": value}


def statement_block(
    sid: str,
    actions: Sequence[str | None],
    resources: Sequence[str | None],
    *,
    effect: str | None = None,
) -> dict[str, Any]:
    """One `statement` block of an `aws_iam_policy_document` as the plan writes it."""
    return {
        "actions": list(actions),
        "condition": [],
        "effect": effect,
        "not_actions": None,
        "not_principals": [],
        "not_resources": None,
        "principals": [],
        "resources": list(resources),
        "sid": sid,
    }


def statement_mask(block: Mapping[str, Any]) -> dict[str, Any]:
    """The after_unknown of one statement block: an element written as None is unknown."""
    return {
        "actions": [item is None for item in block["actions"]],
        "condition": [],
        "not_principals": [],
        "principals": [],
        "resources": [item is None for item in block["resources"]],
    }


def statement_config(block: Mapping[str, Any], **references: dict[str, Any]) -> dict[str, Any]:
    """The configuration of one statement block: constants, or the references given."""
    config: dict[str, Any] = {"sid": const(block["sid"])}
    for name in ("actions", "resources"):
        config[name] = references.get(name) or const(block[name])
    return config


@dataclass
class PlanShape:
    changes: list[dict[str, Any]] = field(default_factory=list)
    planned: list[dict[str, Any]] = field(default_factory=list)
    prior: list[dict[str, Any]] = field(default_factory=list)
    blocks: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Module calls of the root module: name -> the call's argument expressions."""
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Outputs of the called modules: module name -> output name -> expression."""

    def block(
        self,
        address: str,
        expressions: Mapping[str, Any],
        *,
        count: dict[str, Any] | None = None,
        for_each: dict[str, Any] | None = None,
        module: str = "",
    ) -> None:
        """A block of the configuration; `module` names a module called by the root module."""
        mode = "data" if address.startswith("data.") else "managed"
        parts = address.split(".")
        resource_type, name = parts[-2], parts[-1]
        entry: dict[str, Any] = {
            "address": address,
            "mode": mode,
            "type": resource_type,
            "name": name,
            "provider_config_key": "aws",
            "expressions": dict(expressions),
            "schema_version": 0,
        }
        if count is not None:
            entry["count_expression"] = count
        if for_each is not None:
            entry["for_each_expression"] = for_each
        self.blocks.setdefault((module, address), entry)

    def instance(
        self,
        address: str,
        after: Mapping[str, Any],
        *,
        unknown: Mapping[str, Any] | None = None,
        index: int | str | None = None,
        actions: Sequence[str] = ("create",),
        before: Mapping[str, Any] | None = None,
        module: str = "",
    ) -> None:
        """One entry of `resource_changes` (a managed resource, or a data source read during
        apply) and its planned values."""
        mode = "data" if address.startswith("data.") else "managed"
        parts = address.split(".")
        full = address + ("" if index is None else f"[{orjson.dumps(index).decode()}]")
        if module:
            full = f"module.{module}.{full}"
        entry: dict[str, Any] = {
            "address": full,
            "mode": mode,
            "type": parts[-2],
            "name": parts[-1],
            "provider_name": PROVIDER,
            "change": {
                "actions": list(actions),
                "before": before,
                "after": dict(after),
                "after_unknown": dict(unknown or {}),
                "before_sensitive": False if before is None else {},
                "after_sensitive": {},
            },
        }
        if index is not None:
            entry["index"] = index
        if module:
            entry["module_address"] = f"module.{module}"
        if mode == "data":
            entry["action_reason"] = "read_because_config_unknown"
        self.changes.append(entry)
        planned = self._state_entry(full, parts, index, after)
        planned["module"] = module
        self.planned.append(planned)

    def read(
        self, address: str, values: Mapping[str, Any], *, index: int | str | None = None
    ) -> None:
        """A data source read at plan time: only in `prior_state`."""
        parts = address.split(".")
        full = address + ("" if index is None else f"[{orjson.dumps(index).decode()}]")
        self.prior.append(self._state_entry(full, parts, index, values))

    @staticmethod
    def _state_entry(
        full: str, parts: list[str], index: int | str | None, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "address": full,
            "mode": "data" if parts[0] == "data" else "managed",
            "type": parts[-2],
            "name": parts[-1],
            "provider_name": PROVIDER,
            "schema_version": 0,
            "values": dict(values),
            "sensitive_values": {},
        }
        if index is not None:
            entry["index"] = index
        return entry

    # -- the IAM pieces the attacks are made of ----------------------------------------------

    def policy(
        self,
        name: str,
        policy: dict[str, Any],
        *,
        known: str | None = None,
        index: int | str | None = None,
        for_each: dict[str, Any] | None = None,
    ) -> None:
        """An `aws_iam_policy` whose `policy` is the expression given (unknown unless `known`)."""
        policy_name = name if index is None else f"{name}-{index}"
        after: dict[str, Any] = {
            "description": None,
            "name": policy_name,
            "path": "/",
            "tags": None,
        }
        unknown: dict[str, Any] = {"arn": True, "id": True, "policy_id": True, "tags_all": True}
        if known is None:
            unknown["policy"] = True
        else:
            after["policy"] = known
        self.instance(f"aws_iam_policy.{name}", after, unknown=unknown, index=index)
        name_expression = const(name) if index is None else refs("each.key")
        self.block(
            f"aws_iam_policy.{name}",
            {"name": name_expression, "policy": policy},
            for_each=for_each,
        )

    def deferred_document(
        self,
        name: str,
        statements: Sequence[dict[str, Any]],
        *,
        expressions: Mapping[str, Any] | None = None,
        composed: Mapping[str, Any] | None = None,
        composed_unknown: Mapping[str, Any] | None = None,
        index: int | str | None = None,
        count: dict[str, Any] | None = None,
        for_each: dict[str, Any] | None = None,
    ) -> None:
        """A policy-document data source read during apply: its `json` is unknown."""
        after: dict[str, Any] = {
            "override_json": None,
            "override_policy_documents": None,
            "policy_id": None,
            "source_json": None,
            "source_policy_documents": None,
            "statement": list(statements),
            "version": None,
            **(composed or {}),
        }
        unknown: dict[str, Any] = {
            "id": True,
            "json": True,
            "minified_json": True,
            "statement": [statement_mask(s) for s in statements],
            **(composed_unknown or {}),
        }
        address = f"data.aws_iam_policy_document.{name}"
        self.instance(address, after, unknown=unknown, index=index, actions=("read",))
        self.block(address, expressions or {}, count=count, for_each=for_each)

    def read_document(
        self,
        name: str,
        statements: Sequence[Mapping[str, Any]],
        *,
        index: int | str | None = None,
        expressions: Mapping[str, Any] | None = None,
        count: dict[str, Any] | None = None,
        for_each: dict[str, Any] | None = None,
    ) -> None:
        text = policy_json(*statements)
        values = {
            "id": str(zlib.crc32(text.encode())),
            "json": text,
            "minified_json": orjson.dumps(orjson.loads(text)).decode(),
            "override_json": None,
            "override_policy_documents": None,
            "policy_id": None,
            "source_json": None,
            "source_policy_documents": None,
            "statement": [],
            "version": None,
        }
        address = f"data.aws_iam_policy_document.{name}"
        self.read(address, values, index=index)
        self.block(address, expressions or {}, count=count, for_each=for_each)

    def bucket(self, name: str) -> None:
        """A bucket created here: its ARN is known only after apply."""
        self.instance(
            f"aws_s3_bucket.{name}",
            {"bucket": name, "force_destroy": False, "tags": None},
            unknown={"arn": True, "id": True, "tags_all": True},
        )
        self.block(f"aws_s3_bucket.{name}", {"bucket": const(name)})

    def _planned_modules(self) -> dict[str, Any]:
        def resources(module: str) -> list[dict[str, Any]]:
            return [
                {k: v for k, v in entry.items() if k != "module"}
                for entry in self.planned
                if entry["module"] == module
            ]

        root: dict[str, Any] = {"resources": resources("")}
        children = sorted({entry["module"] for entry in self.planned} - {""})
        if children:
            root["child_modules"] = [
                {"address": f"module.{name}", "resources": resources(name)} for name in children
            ]
        return root

    def _configured_modules(self) -> dict[str, Any]:
        def resources(module: str) -> list[dict[str, Any]]:
            return [entry for (owner, _), entry in self.blocks.items() if owner == module]

        root: dict[str, Any] = {"resources": resources("")}
        if self.variables:
            root["variables"] = {name: {} for name in sorted(self.variables)}
        if self.calls:
            root["module_calls"] = {
                name: {
                    "source": f"./modules/{name}",
                    "expressions": expressions,
                    "module": {
                        "outputs": {
                            output: {"expression": expression}
                            for output, expression in self.outputs.get(name, {}).items()
                        },
                        "resources": resources(name),
                        "variables": {variable: {} for variable in expressions},
                    },
                }
                for name, expressions in sorted(self.calls.items())
            }
        return root

    def document(self) -> dict[str, Any]:
        plan: dict[str, Any] = {
            "format_version": "1.2",
            "terraform_version": "1.9.8",
            "variables": {name: {"value": value} for name, value in self.variables.items()},
            "planned_values": {"root_module": self._planned_modules()},
            "resource_changes": sorted(self.changes, key=lambda entry: entry["address"]),
            "configuration": {
                "provider_config": {
                    "aws": {
                        "name": "aws",
                        "full_name": PROVIDER,
                        "expressions": {"region": const("eu-west-1")},
                    }
                },
                "root_module": self._configured_modules(),
            },
            "timestamp": "2026-11-30T09:00:00Z",
            "applyable": True,
            "complete": True,
            "errored": False,
        }
        if not self.variables:
            del plan["variables"]
        if self.prior:
            plan["prior_state"] = {
                "format_version": "1.0",
                "terraform_version": "1.9.8",
                "values": {"root_module": {"resources": self.prior}},
            }
        return plan


@dataclass(frozen=True)
class Verdict:
    exit_code: int
    findings: list[dict[str, Any]]

    def on(self, address: str, rule: str) -> list[dict[str, Any]]:
        return [f for f in self.findings if f["address"] == address and f["rule"] == rule]

    def blocks(self, address: str, rule: str) -> bool:
        return any(f["blocking"] for f in self.on(address, rule))

    def blocking(self, address: str) -> set[str]:
        """The rules whose findings on `address` block."""
        return {f["rule"] for f in self.findings if f["address"] == address and f["blocking"]}

    def unknown(self, address: str) -> bool:
        return any(f["status"] == "unknown" for f in self.findings if f["address"] == address)


def judge(shape: PlanShape, tmp_path: Path, profile: str) -> Verdict:
    """Check the plan has the shape Terraform writes, then run `tfgate check --format json` on
    it, as a pipeline would."""
    path = tmp_path / f"plan-{profile}.json"
    path.write_bytes(orjson.dumps(shape.document(), option=orjson.OPT_INDENT_2))
    for check in SHAPE_CHECKS:
        # Without the corpus to compare keys with, the attack is judged all the same.
        with contextlib.suppress(pytest.skip.Exception):
            check(path)
    result = CliRunner().invoke(
        app, ["check", str(path), "--profile", profile, "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code in (0, 1), result.output
    report = orjson.loads(result.stdout)
    return Verdict(result.exit_code, report["findings"])
