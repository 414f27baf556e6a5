"""A deterministic generator of large plans in the exact shape of `terraform show -json`.

The plan describes a monorepo: one `module.service["svc-0001"]` instance per service (a
`for_each` over services), each with nested `module.iam`, `module.network` and `module.storage`
calls, and a `module.platform` with the audit trail. Resources carry what real plans carry:
`after_unknown` for values computed at apply, sensitive Lambda environment variables, no-op
resources with `prior_state`, policy documents read from `aws_iam_policy_document` data sources
(at plan time in `prior_state`, or at apply time as a `read` change), and a configurable share
of violations (PassRole on any role, unencrypted log groups, IAM users with access keys).

`resource_changes` holds exactly `n` entries. The same arguments always give the same bytes.

    python bench/generate.py -n 10000 -o bench/out/plan-10000.json
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

ACCOUNT = "111111111111"
REGION = "eu-west-1"
PROVIDER = "registry.terraform.io/hashicorp/aws"
TERRAFORM_VERSION = "1.9.8"

ACTIONS: Mapping[str, tuple[str, ...]] = {
    "s3": ("GetObject", "PutObject", "DeleteObject", "ListBucket", "GetBucketLocation", "Get*"),
    "dynamodb": (
        "GetItem",
        "PutItem",
        "Query",
        "Scan",
        "UpdateItem",
        "BatchWriteItem",
        "Describe*",
    ),
    "sqs": (
        "SendMessage",
        "ReceiveMessage",
        "DeleteMessage",
        "GetQueueAttributes",
        "ChangeMessage*",
    ),
    "sns": ("Publish", "Subscribe", "GetTopicAttributes"),
    "logs": ("CreateLogStream", "PutLogEvents", "CreateLogGroup", "DescribeLogStreams", "*"),
    "kms": ("Decrypt", "Encrypt", "GenerateDataKey*", "DescribeKey", "ReEncrypt*"),
    "ec2": ("Describe*", "CreateNetworkInterface", "DeleteNetworkInterface"),
    "cloudwatch": ("PutMetricData", "GetMetricData", "ListMetrics"),
    "ssm": ("GetParameter", "GetParameters", "GetParametersByPath"),
    "secretsmanager": ("GetSecretValue", "DescribeSecret"),
    "lambda": ("InvokeFunction", "GetFunction"),
    "xray": ("PutTraceSegments", "PutTelemetryRecords"),
    "events": ("PutEvents",),
    "states": ("StartExecution", "DescribeExecution"),
}
SERVICES = tuple(ACTIONS)
RUNTIMES = ("python3.12", "nodejs20.x", "java21", "provided.al2023")
RETENTION = (14, 30, 90, 365, 400)
TAG_OWNERS = ("payments", "identity", "search", "platform", "data", "growth")


def _arn(service: str, name: str) -> str:
    if service == "s3":
        return f"arn:aws:s3:::{name}/*"
    if service in ("dynamodb",):
        return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"
    if service == "sqs":
        return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"
    if service == "sns":
        return f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}"
    if service == "logs":
        return f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{name}:*"
    if service == "kms":
        return f"arn:aws:kms:{REGION}:{ACCOUNT}:key/*"
    if service == "ssm":
        return f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/{name}/*"
    if service == "secretsmanager":
        return f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-*"
    if service == "lambda":
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}-*"
    if service == "states":
        return f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}"
    return "*"


def _document(statements: list[dict[str, Any]]) -> str:
    """A policy as `jsonencode` renders it: minified, keys sorted."""
    return orjson.dumps(
        {"Statement": statements, "Version": "2012-10-17"}, option=orjson.OPT_SORT_KEYS
    ).decode()


@dataclass
class _Module:
    resources: list[dict[str, Any]] = field(default_factory=list)
    children: list[str] = field(default_factory=list)


@dataclass
class _ConfigModule:
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: dict[str, tuple[dict[str, Any], _ConfigModule]] = field(default_factory=dict)


def _index_suffix(index: int | str | None) -> str:
    if index is None:
        return ""
    if isinstance(index, int):
        return f"[{index}]"
    return f'["{index}"]'


class PlanBuilder:
    """Accumulates the four views of each resource: change, planned, prior state, config."""

    def __init__(self) -> None:
        self.changes: list[dict[str, Any]] = []
        self.planned: dict[str, _Module] = {"": _Module()}
        self.prior: dict[str, _Module] = {"": _Module()}
        self.config = _ConfigModule()

    def _tree(self, tree: dict[str, _Module], module_address: str) -> _Module:
        if module_address not in tree:
            parent = module_address.rsplit(".module.", 1)[0] if ".module." in module_address else ""
            self._tree(tree, parent).children.append(module_address)
            tree[module_address] = _Module()
        return tree[module_address]

    def module_call(
        self, path: tuple[str, ...], source: str, for_each: list[str] | None = None
    ) -> None:
        node = self.config
        for position, name in enumerate(path):
            if name not in node.calls:
                call: dict[str, Any] = {"source": source if position == len(path) - 1 else ""}
                if for_each is not None and position == len(path) - 1:
                    call["for_each_expression"] = {"references": for_each}
                node.calls[name] = (call, _ConfigModule())
            node = node.calls[name][1]

    def _config_block(
        self,
        path: tuple[str, ...],
        config_address: str,
        block: Mapping[str, Any],
    ) -> None:
        node = self.config
        for name in path:
            node = node.calls[name][1]
        node.resources.setdefault(config_address, dict(block))

    def add(
        self,
        module_address: str,
        path: tuple[str, ...],
        rtype: str,
        name: str,
        index: int | str | None,
        values: dict[str, Any],
        *,
        action: str = "create",
        unknown: Mapping[str, Any] | None = None,
        sensitive: Mapping[str, Any] | None = None,
        expressions: Mapping[str, Any] | None = None,
        for_each: list[str] | None = None,
        count: list[str] | None = None,
        before: dict[str, Any] | None = None,
        data: bool = False,
    ) -> None:
        """Record one resource instance; `values` is the full known object after apply."""
        local = f"{'data.' if data else ''}{rtype}.{name}"
        prefix = f"{module_address}." if module_address else ""
        address = f"{prefix}{local}{_index_suffix(index)}"
        mode = "data" if data else "managed"
        mask = dict(sensitive or {})
        head: dict[str, Any] = {"address": address}
        if module_address:
            head["module_address"] = module_address
        head.update({"mode": mode, "type": rtype, "name": name})
        if index is not None:
            head["index"] = index
        head["provider_name"] = PROVIDER
        block: dict[str, Any] = {
            "address": local,
            "mode": mode,
            "type": rtype,
            "name": name,
            "provider_config_key": "aws",
            "expressions": dict(expressions or {}),
            "schema_version": 0,
        }
        if for_each is not None:
            block["for_each_expression"] = {"references": for_each}
        if count is not None:
            block["count_expression"] = {"references": count}
        self._config_block(path, local, block)
        if action in ("no-op", "update"):
            old = before if before is not None else values
            if action == "update" and before is None and isinstance(values.get("tags"), dict):
                old = {**values, "tags": {**values["tags"], "Owner": "unassigned"}}
            change = {
                "actions": [action],
                "before": old,
                "after": values,
                "after_unknown": {},
                "before_sensitive": mask,
                "after_sensitive": mask,
            }
            state = {**head, "schema_version": 0, "values": old, "sensitive_values": mask}
            state.pop("module_address", None)
            self._tree(self.prior, module_address).resources.append(state)
            known = values
        else:
            hidden = set(unknown or {})
            known = {key: value for key, value in values.items() if key not in hidden}
            change = {
                "actions": [action],
                "before": None,
                "after": known,
                "after_unknown": dict(unknown or {}),
                "before_sensitive": False,
                "after_sensitive": mask,
            }
            if action == "read":
                change["action_reason"] = "read_because_config_unknown"
        self.changes.append({**head, "change": change})
        planned = {**head, "schema_version": 0, "values": known, "sensitive_values": mask}
        planned.pop("module_address", None)
        self._tree(self.planned, module_address).resources.append(planned)

    def prior_data(
        self, module_address: str, path: tuple[str, ...], rtype: str, name: str, values: Any
    ) -> None:
        """A data source read at plan time: only in `prior_state` and `configuration`."""
        prefix = f"{module_address}." if module_address else ""
        address = f"{prefix}data.{rtype}.{name}"
        self._tree(self.prior, module_address).resources.append(
            {
                "address": address,
                "mode": "data",
                "type": rtype,
                "name": name,
                "provider_name": PROVIDER,
                "schema_version": 0,
                "values": values,
                "sensitive_values": {},
            }
        )
        self._config_block(
            path,
            f"data.{rtype}.{name}",
            {
                "address": f"data.{rtype}.{name}",
                "mode": "data",
                "type": rtype,
                "name": name,
                "provider_config_key": "aws",
                "expressions": {},
                "schema_version": 0,
            },
        )

    def _state_tree(self, tree: dict[str, _Module], address: str) -> dict[str, Any]:
        module = tree[address]
        out: dict[str, Any] = {}
        if address:
            out["address"] = address
        out["resources"] = module.resources
        if module.children:
            out["child_modules"] = [self._state_tree(tree, child) for child in module.children]
        return out

    def _config_tree(self, node: _ConfigModule) -> dict[str, Any]:
        out: dict[str, Any] = {"resources": list(node.resources.values())}
        if node.calls:
            out["module_calls"] = {
                name: {**call, "module": self._config_tree(child)}
                for name, (call, child) in node.calls.items()
            }
        return out

    def document(self, variables: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "format_version": "1.2",
            "terraform_version": TERRAFORM_VERSION,
            "variables": {name: {"value": value} for name, value in variables.items()},
            "planned_values": {"root_module": self._state_tree(self.planned, "")},
            "resource_changes": self.changes,
            "prior_state": {
                "format_version": "1.0",
                "terraform_version": TERRAFORM_VERSION,
                "values": {"root_module": self._state_tree(self.prior, "")},
            },
            "configuration": {
                "provider_config": {
                    "aws": {
                        "name": "aws",
                        "full_name": PROVIDER,
                        "version_constraint": "~> 5.0",
                        "expressions": {
                            "region": {"constant_value": REGION},
                            "allowed_account_ids": {"constant_value": [ACCOUNT]},
                        },
                    }
                },
                "root_module": self._config_tree(self.config),
            },
            "relevant_attributes": [],
            "timestamp": "2025-06-01T12:00:00Z",
            "applyable": True,
            "complete": True,
            "errored": False,
        }


@dataclass(frozen=True)
class _ServicePlan:
    key: str
    functions: tuple[str, ...]
    buckets: tuple[str, ...]
    deferred: frozenset[str]  # functions whose policy document is read at apply
    action: str  # "create" | "no-op" | "update"

    @property
    def size(self) -> int:
        return 2 + 6 * len(self.functions) + 5 * len(self.buckets) + len(self.deferred)


class Generator:
    def __init__(self, seed: int, violations: float, noop: float) -> None:
        self.rng = random.Random(seed)
        self.violations = violations
        self.noop = noop
        self.plan = PlanBuilder()
        self.secret_counter = 0

    # values --------------------------------------------------------------------------------

    def tags(self, service: str) -> dict[str, str]:
        return {
            "Service": service,
            "Owner": self.rng.choice(TAG_OWNERS),
            "Environment": "prod",
            "CostCentre": f"cc-{self.rng.randrange(100, 999)}",
        }

    def statements(self, name: str, *, violate: bool) -> list[dict[str, Any]]:
        rng = self.rng
        count = rng.randint(5, 40)
        found: list[dict[str, Any]] = []
        for position in range(count):
            service = rng.choice(SERVICES)
            pool = ACTIONS[service]
            picked = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
            actions = sorted({f"{service}:{a}" for a in picked})
            statement: dict[str, Any] = {
                "Sid": f"S{position:02d}{service.title().replace('-', '')}",
                "Effect": "Allow",
                "Action": actions[0] if len(actions) == 1 else actions,
                "Resource": _arn(service, f"{name}-{rng.randrange(1000)}"),
            }
            roll = rng.random()
            if roll < 0.1:
                statement["Condition"] = {"StringEquals": {"aws:RequestedRegion": REGION}}
            elif roll < 0.14:
                statement["Effect"] = "Deny"
                statement["Condition"] = {"Bool": {"aws:SecureTransport": "false"}}
            found.append(statement)
        if rng.random() < 0.2:
            found.append(
                {
                    "Sid": "PassRuntimeRole",
                    "Effect": "Allow",
                    "Action": "iam:PassRole",
                    "Resource": f"arn:aws:iam::{ACCOUNT}:role/{name}-runtime",
                    "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
                }
            )
        if violate:
            found.append(
                {
                    "Sid": "DeployAnything",
                    "Effect": "Allow",
                    "Action": rng.choice(
                        ("iam:PassRole", "iam:Pass*", ["iam:PassRole", "iam:Get*"])
                    ),
                    "Resource": "*",
                }
            )
        return found

    def trust(self) -> str:
        statement: dict[str, Any] = {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
        }
        return _document([statement])

    def secret(self) -> str:
        self.secret_counter += 1
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
        return "".join(self.rng.choice(alphabet) for _ in range(24))

    def violate(self) -> bool:
        return self.rng.random() < self.violations

    # services ------------------------------------------------------------------------------

    def service_plan(self, number: int) -> _ServicePlan:
        rng = self.rng
        functions = tuple(f"fn{i}" for i in range(rng.randint(1, 6)))
        buckets = tuple(f"b{i}" for i in range(rng.randint(0, 3)))
        deferred = frozenset(f for f in functions if rng.random() < 0.05)
        roll = rng.random()
        action = "no-op" if roll < self.noop else "update" if roll < self.noop + 0.05 else "create"
        return _ServicePlan(f"svc-{number:05d}", functions, buckets, deferred, action)

    def service(self, spec: _ServicePlan) -> None:
        plan = self.plan
        rng = self.rng
        key = spec.key
        module = f'module.service["{key}"]'
        path = ("service",)
        plan.module_call(path, "./modules/service", ["local.services"])
        action = spec.action

        def arn_of(kind: str, name: str) -> str:
            return f"arn:aws:{kind}:{REGION}:{ACCOUNT}:{name}"

        key_id = f"{rng.getrandbits(128):032x}"
        key_id = f"{key_id[:8]}-{key_id[8:12]}-{key_id[12:16]}-{key_id[16:20]}-{key_id[20:]}"
        key_arn = arn_of("kms", f"key/{key_id}")
        tags = self.tags(key)
        plan.add(
            module,
            path,
            "aws_kms_key",
            "logs",
            None,
            {
                "arn": key_arn,
                "id": key_id,
                "key_id": key_id,
                "description": f"{key} logs",
                "enable_key_rotation": True,
                "deletion_window_in_days": 30,
                "key_usage": "ENCRYPT_DECRYPT",
                "customer_master_key_spec": "SYMMETRIC_DEFAULT",
                "is_enabled": True,
                "multi_region": False,
                "bypass_policy_lockout_safety_check": False,
                "policy": _document(
                    [
                        {
                            "Action": "kms:*",
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                            "Resource": "*",
                            "Sid": "RootAccess",
                        }
                    ]
                ),
                "tags": tags,
                "tags_all": tags,
            },
            action=action,
            unknown={"arn": True, "id": True, "key_id": True, "policy": True, "tags_all": True},
            expressions={
                "description": {"references": ["each.key"]},
                "enable_key_rotation": {"constant_value": True},
            },
        )
        for fn in spec.functions:
            name = f"{key}-{fn}"
            encrypted = not self.violate()
            values = {
                "arn": arn_of("logs", f"log-group:/aws/lambda/{name}"),
                "id": f"/aws/lambda/{name}",
                "name": f"/aws/lambda/{name}",
                "name_prefix": "",
                "kms_key_id": key_arn if encrypted else None,
                "log_group_class": "STANDARD",
                "retention_in_days": rng.choice(RETENTION),
                "skip_destroy": False,
                "tags": tags,
                "tags_all": tags,
            }
            unknown: dict[str, Any] = {"arn": True, "id": True, "tags_all": True}
            expressions: dict[str, Any] = {
                "name": {"references": ["each.key"]},
                "retention_in_days": {"references": ["var.retention_days"]},
            }
            if encrypted:
                unknown["kms_key_id"] = True
                expressions["kms_key_id"] = {
                    "references": ["aws_kms_key.logs.arn", "aws_kms_key.logs"]
                }
            plan.add(
                module,
                path,
                "aws_cloudwatch_log_group",
                "fn",
                fn,
                values,
                action=action,
                unknown=unknown,
                expressions=expressions,
                for_each=["var.functions"],
            )
            env: dict[str, Any] = {"LOG_LEVEL": "INFO", "SERVICE": key}
            sensitive: dict[str, Any] = {"tags": {}, "tags_all": {}}
            if rng.random() < 0.3:
                env["DB_PASSWORD"] = self.secret()
                sensitive["environment"] = [{"variables": {"DB_PASSWORD": True}}]
            plan.add(
                module,
                path,
                "aws_lambda_function",
                "fn",
                fn,
                {
                    "arn": arn_of("lambda", f"function:{name}"),
                    "id": name,
                    "function_name": name,
                    "role": f"arn:aws:iam::{ACCOUNT}:role/{name}",
                    "handler": "main.handler",
                    "runtime": rng.choice(RUNTIMES),
                    "memory_size": rng.choice((128, 256, 512, 1024)),
                    "timeout": rng.choice((3, 10, 30, 60)),
                    "architectures": ["arm64"],
                    "environment": [{"variables": env}],
                    "tracing_config": [{"mode": "Active"}],
                    "vpc_config": [],
                    "publish": False,
                    "package_type": "Zip",
                    "s3_bucket": f"artifacts-{ACCOUNT}",
                    "s3_key": f"{key}/{fn}.zip",
                    "invoke_arn": f"arn:aws:apigateway:{REGION}:lambda:path/{name}",
                    "qualified_arn": arn_of("lambda", f"function:{name}:$LATEST"),
                    "version": "$LATEST",
                    "last_modified": "2025-05-01T10:00:00.000+0000",
                    "tags": tags,
                    "tags_all": tags,
                },
                action=action,
                unknown={
                    "arn": True,
                    "id": True,
                    "invoke_arn": True,
                    "qualified_arn": True,
                    "version": True,
                    "last_modified": True,
                    "role": True,
                    "tags_all": True,
                },
                sensitive=sensitive,
                expressions={
                    "function_name": {"references": ["each.key"]},
                    "role": {
                        "references": [
                            "module.iam.role_arns",
                            "module.iam",
                            "each.key",
                        ]
                    },
                    "environment": [{"variables": {"references": ["var.db_password"]}}],
                },
                for_each=["var.functions"],
            )
        self.network(module, spec, tags)
        self.iam(module, spec, tags)
        self.storage(module, spec, tags, key_arn)

    def network(self, module: str, spec: _ServicePlan, tags: dict[str, str]) -> None:
        path = ("service", "network")
        self.plan.module_call(path, "../network")
        for fn in spec.functions:
            sg = f"sg-{self.rng.getrandbits(64):017x}"[:20]
            self.plan.add(
                f"{module}.module.network",
                path,
                "aws_security_group",
                "fn",
                fn,
                {
                    "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{sg}",
                    "id": sg,
                    "name": f"{spec.key}-{fn}",
                    "description": "Managed by Terraform",
                    "vpc_id": "vpc-0a1b2c3d4e5f60718",
                    "owner_id": ACCOUNT,
                    "revoke_rules_on_delete": False,
                    "ingress": [
                        {
                            "cidr_blocks": ["10.0.0.0/8"],
                            "description": "https from the VPC",
                            "from_port": 443,
                            "to_port": 443,
                            "protocol": "tcp",
                            "ipv6_cidr_blocks": [],
                            "prefix_list_ids": [],
                            "security_groups": [],
                            "self": False,
                        }
                    ],
                    "egress": [
                        {
                            "cidr_blocks": ["0.0.0.0/0"],
                            "description": "",
                            "from_port": 0,
                            "to_port": 0,
                            "protocol": "-1",
                            "ipv6_cidr_blocks": [],
                            "prefix_list_ids": [],
                            "security_groups": [],
                            "self": False,
                        }
                    ],
                    "tags": tags,
                    "tags_all": tags,
                },
                action=spec.action,
                unknown={"arn": True, "id": True, "owner_id": True, "tags_all": True},
                expressions={
                    "name": {"references": ["each.key"]},
                    "vpc_id": {"references": ["var.vpc_id"]},
                },
                for_each=["var.functions"],
            )

    def iam(self, module: str, spec: _ServicePlan, tags: dict[str, str]) -> None:
        plan = self.plan
        rng = self.rng
        path = ("service", "iam")
        iam = f"{module}.module.iam"
        plan.module_call(path, "../iam")
        trust = self.trust()
        plan.prior_data(
            iam,
            path,
            "aws_iam_policy_document",
            "assume",
            {
                "id": str(rng.getrandbits(32)),
                "json": trust,
                "minified_json": trust,
                "statement": [
                    {
                        "actions": ["sts:AssumeRole"],
                        "effect": "Allow",
                        "principals": [
                            {"identifiers": ["lambda.amazonaws.com"], "type": "Service"}
                        ],
                    }
                ],
            },
        )
        shared_name = f"{spec.key}-shared"
        shared_arn = f"arn:aws:iam::{ACCOUNT}:policy/{shared_name}"
        plan.add(
            iam,
            path,
            "aws_iam_policy",
            "shared",
            None,
            {
                "arn": shared_arn,
                "id": shared_arn,
                "policy_id": f"ANPA{rng.getrandbits(64):016X}"[:21],
                "name": shared_name,
                "name_prefix": "",
                "path": "/",
                "description": f"shared permissions of {spec.key}",
                "policy": _document(self.statements(shared_name, violate=self.violate())),
                "attachment_count": 0,
                "tags": tags,
                "tags_all": tags,
            },
            action=spec.action,
            unknown={
                "arn": True,
                "id": True,
                "policy_id": True,
                "attachment_count": True,
                "tags_all": True,
            },
            expressions={"name": {"references": ["var.service"]}, "policy": {}},
        )
        for fn in spec.functions:
            name = f"{spec.key}-{fn}"
            role_arn = f"arn:aws:iam::{ACCOUNT}:role/{name}"
            inline: list[dict[str, Any]] = []
            if rng.random() < 0.3:
                inline = [
                    {
                        "name": "inline",
                        "policy": _document(self.statements(name, violate=False)[:5]),
                    }
                ]
            plan.add(
                iam,
                path,
                "aws_iam_role",
                "fn",
                fn,
                {
                    "arn": role_arn,
                    "id": name,
                    "unique_id": f"AROA{rng.getrandbits(64):016X}"[:21],
                    "name": name,
                    "name_prefix": "",
                    "path": "/",
                    "description": "",
                    "assume_role_policy": trust,
                    "force_detach_policies": False,
                    "max_session_duration": 3600,
                    "permissions_boundary": None,
                    "create_date": "2025-01-01T00:00:00Z",
                    "inline_policy": inline,
                    "managed_policy_arns": [shared_arn],
                    "tags": tags,
                    "tags_all": tags,
                },
                action=spec.action,
                unknown={
                    "arn": True,
                    "id": True,
                    "unique_id": True,
                    "create_date": True,
                    "managed_policy_arns": True,
                    "tags_all": True,
                    **({} if inline else {"inline_policy": True}),
                },
                expressions={
                    "name": {"references": ["var.service", "each.key"]},
                    "assume_role_policy": {
                        "references": [
                            "data.aws_iam_policy_document.assume.json",
                            "data.aws_iam_policy_document.assume",
                        ]
                    },
                },
                for_each=["var.functions"],
            )
            statements = self.statements(name, violate=self.violate())
            policy_values = {
                "id": f"{name}:inline",
                "name": "inline",
                "name_prefix": "",
                "role": name,
                "policy": _document(statements),
            }
            if fn in spec.deferred:
                self.deferred_document(iam, path, fn, statements, spec)
                plan.add(
                    iam,
                    path,
                    "aws_iam_role_policy",
                    "fn",
                    fn,
                    policy_values,
                    action="create",
                    unknown={"id": True, "policy": True},
                    expressions={
                        "role": {"references": ["aws_iam_role.fn", "each.key"]},
                        "policy": {
                            "references": [
                                "data.aws_iam_policy_document.fn[each.key].json",
                                "data.aws_iam_policy_document.fn",
                            ]
                        },
                    },
                    for_each=["var.functions"],
                )
            else:
                plan.add(
                    iam,
                    path,
                    "aws_iam_role_policy",
                    "fn",
                    fn,
                    policy_values,
                    action=spec.action,
                    unknown={"id": True},
                    expressions={
                        "role": {"references": ["aws_iam_role.fn", "each.key"]},
                        "policy": {},
                    },
                    for_each=["var.functions"],
                )
            plan.add(
                iam,
                path,
                "aws_iam_role_policy_attachment",
                "shared",
                fn,
                {"id": f"{name}-shared", "role": name, "policy_arn": shared_arn},
                action=spec.action,
                unknown={"id": True, "policy_arn": True},
                expressions={
                    "role": {"references": ["aws_iam_role.fn", "each.key"]},
                    "policy_arn": {
                        "references": ["aws_iam_policy.shared.arn", "aws_iam_policy.shared"]
                    },
                },
                for_each=["var.functions"],
            )

    def deferred_document(
        self,
        iam: str,
        path: tuple[str, ...],
        fn: str,
        statements: list[dict[str, Any]],
        spec: _ServicePlan,
    ) -> None:
        """A policy document that names a resource created in this apply: read at apply."""
        rendered = []
        unknown = []
        for statement in statements:
            actions = statement["Action"]
            item: dict[str, Any] = {
                "actions": [actions] if isinstance(actions, str) else actions,
                "effect": statement["Effect"],
                "sid": statement["Sid"],
            }
            if statement["Resource"] == "*":
                item["resources"] = ["*"]
                unknown.append({"actions": [False] * len(item["actions"])})
            else:
                unknown.append({"resources": [True]})
            rendered.append(item)
        self.plan.add(
            iam,
            path,
            "aws_iam_policy_document",
            "fn",
            fn,
            {"statement": rendered, "version": "2012-10-17"},
            action="read",
            unknown={"id": True, "json": True, "minified_json": True, "statement": unknown},
            expressions={
                "statement": [
                    {
                        "actions": {"constant_value": ["s3:GetObject"]},
                        "resources": {
                            "references": ["aws_s3_bucket.data.arn", "aws_s3_bucket.data"]
                        },
                    }
                ]
            },
            for_each=["var.functions"],
            data=True,
        )

    def storage(self, module: str, spec: _ServicePlan, tags: dict[str, str], key_arn: str) -> None:
        plan = self.plan
        path = ("service", "storage")
        storage = f"{module}.module.storage"
        plan.module_call(path, "../storage")
        for bucket_key in spec.buckets:
            bucket = f"{spec.key}-{bucket_key}-{ACCOUNT}"
            arn = f"arn:aws:s3:::{bucket}"
            bucket_ref = {"references": ["aws_s3_bucket.data[each.key].id", "aws_s3_bucket.data"]}
            plan.add(
                storage,
                path,
                "aws_s3_bucket",
                "data",
                bucket_key,
                {
                    "arn": arn,
                    "id": bucket,
                    "bucket": bucket,
                    "bucket_domain_name": f"{bucket}.s3.amazonaws.com",
                    "bucket_regional_domain_name": f"{bucket}.s3.{REGION}.amazonaws.com",
                    "force_destroy": False,
                    "object_lock_enabled": False,
                    "hosted_zone_id": "Z1BKCTXD74EZPE",
                    "region": REGION,
                    "tags": tags,
                    "tags_all": tags,
                },
                action=spec.action,
                unknown={
                    "arn": True,
                    "id": True,
                    "bucket_domain_name": True,
                    "bucket_regional_domain_name": True,
                    "hosted_zone_id": True,
                    "region": True,
                    "tags_all": True,
                },
                expressions={"bucket": {"references": ["var.service", "each.key"]}},
                for_each=["var.buckets"],
            )
            plan.add(
                storage,
                path,
                "aws_s3_bucket_versioning",
                "data",
                bucket_key,
                {
                    "id": bucket,
                    "bucket": bucket,
                    "expected_bucket_owner": "",
                    "mfa": None,
                    "versioning_configuration": [{"status": "Enabled", "mfa_delete": ""}],
                },
                action=spec.action,
                unknown={"id": True, "bucket": True},
                expressions={"bucket": bucket_ref},
                for_each=["var.buckets"],
            )
            plan.add(
                storage,
                path,
                "aws_s3_bucket_server_side_encryption_configuration",
                "data",
                bucket_key,
                {
                    "id": bucket,
                    "bucket": bucket,
                    "expected_bucket_owner": "",
                    "rule": [
                        {
                            "apply_server_side_encryption_by_default": [
                                {"kms_master_key_id": key_arn, "sse_algorithm": "aws:kms"}
                            ],
                            "bucket_key_enabled": True,
                        }
                    ],
                },
                action=spec.action,
                unknown={"id": True, "bucket": True},
                expressions={
                    "bucket": bucket_ref,
                    "rule": [
                        {
                            "apply_server_side_encryption_by_default": [
                                {
                                    "kms_master_key_id": {
                                        "references": [
                                            "var.kms_key_arn",
                                        ]
                                    },
                                    "sse_algorithm": {"constant_value": "aws:kms"},
                                }
                            ]
                        }
                    ],
                },
                for_each=["var.buckets"],
            )
            plan.add(
                storage,
                path,
                "aws_s3_bucket_public_access_block",
                "data",
                bucket_key,
                {
                    "id": bucket,
                    "bucket": bucket,
                    "block_public_acls": True,
                    "block_public_policy": True,
                    "ignore_public_acls": True,
                    "restrict_public_buckets": True,
                },
                action=spec.action,
                unknown={"id": True, "bucket": True},
                expressions={"bucket": bucket_ref},
                for_each=["var.buckets"],
            )
            policy = _document(
                [
                    {
                        "Action": "s3:*",
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        "Effect": "Deny",
                        "Principal": "*",
                        "Resource": [arn, f"{arn}/*"],
                        "Sid": "DenyInsecureTransport",
                    }
                ]
            )
            plan.add(
                storage,
                path,
                "aws_s3_bucket_policy",
                "data",
                bucket_key,
                {"id": bucket, "bucket": bucket, "policy": policy},
                action=spec.action,
                unknown={"id": True, "bucket": True, "policy": True},
                expressions={
                    "bucket": bucket_ref,
                    "policy": {"references": ["aws_s3_bucket.data"]},
                },
                for_each=["var.buckets"],
            )

    # root ----------------------------------------------------------------------------------

    def platform(self) -> int:
        """The audit trail and its bucket and key, unchanged; returns how many it added."""
        plan = self.plan
        path = ("platform",)
        module = "module.platform"
        plan.module_call(path, "./modules/platform")
        bucket = f"audit-trail-{ACCOUNT}"
        key_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0d2f6a1e-0000-4000-8000-000000000001"
        plan.add(
            module,
            path,
            "aws_s3_bucket",
            "trail",
            None,
            {
                "arn": f"arn:aws:s3:::{bucket}",
                "id": bucket,
                "bucket": bucket,
                "force_destroy": False,
            },
            action="no-op",
            expressions={"bucket": {"constant_value": bucket}},
        )
        plan.add(
            module,
            path,
            "aws_kms_key",
            "trail",
            None,
            {"arn": key_arn, "id": key_arn.rsplit("/", 1)[1], "enable_key_rotation": True},
            action="no-op",
            expressions={"enable_key_rotation": {"constant_value": True}},
        )
        plan.add(
            module,
            path,
            "aws_cloudtrail",
            "org",
            None,
            {
                "arn": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/org",
                "id": "org",
                "name": "org",
                "s3_bucket_name": bucket,
                "kms_key_id": key_arn,
                "enable_logging": True,
                "enable_log_file_validation": True,
                "include_global_service_events": True,
                "is_multi_region_trail": True,
                "is_organization_trail": False,
            },
            action="no-op",
            expressions={
                "s3_bucket_name": {"references": ["aws_s3_bucket.trail.id", "aws_s3_bucket.trail"]},
                "kms_key_id": {"references": ["aws_kms_key.trail.arn", "aws_kms_key.trail"]},
            },
        )
        return 3

    def users(self, count: int) -> int:
        """IAM users with long-lived access keys: the classic violations. Two resources each."""
        for number in range(count):
            name = f"ci-{number:04d}"
            self.plan.add(
                "",
                (),
                "aws_iam_user",
                "ci",
                name,
                {
                    "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
                    "id": name,
                    "name": name,
                    "path": "/",
                },
                unknown={"arn": True, "id": True},
                expressions={"name": {"references": ["each.key"]}},
                for_each=["var.ci_users"],
            )
            self.plan.add(
                "",
                (),
                "aws_iam_access_key",
                "ci",
                name,
                {
                    "id": f"AKIA{self.rng.getrandbits(64):016X}"[:20],
                    "user": name,
                    "status": "Active",
                    "secret": self.secret() + self.secret()[:16],
                    "ses_smtp_password_v4": self.secret(),
                },
                unknown={"id": True, "secret": True, "ses_smtp_password_v4": True},
                sensitive={"secret": True, "ses_smtp_password_v4": True},
                expressions={"user": {"references": ["aws_iam_user.ci", "each.key"]}},
                for_each=["var.ci_users"],
            )
        return 2 * count

    def filler(self, count: int) -> None:
        """Root log groups (`count`) that bring `resource_changes` to exactly n entries."""
        for number in range(count):
            self.plan.add(
                "",
                (),
                "aws_cloudwatch_log_group",
                "extra",
                number,
                {
                    "arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/app/extra-{number}",
                    "id": f"/app/extra-{number}",
                    "name": f"/app/extra-{number}",
                    "kms_key_id": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/extra",
                    "retention_in_days": 90,
                },
                action="no-op",
                expressions={"name": {"references": ["count.index"]}},
                count=["var.extra_count"],
            )

    def build(self, n: int) -> dict[str, Any]:
        used = 0
        if n >= 20:
            used += self.platform()
            used += self.users(max(1, round(n * self.violations / 20)))
        number = 0
        while True:
            spec = self.service_plan(number)
            if used + spec.size > n:
                break
            self.service(spec)
            used += spec.size
            number += 1
        self.filler(n - used)
        self.plan.prior_data(
            "", (), "aws_caller_identity", "current", {"account_id": ACCOUNT, "id": ACCOUNT}
        )
        return self.plan.document(
            {"environment": "prod", "retention_days": 90, "db_password": "not-in-any-output"}
        )


def generate(
    n: int, *, seed: int = 1, violations: float = 0.02, noop: float = 0.3
) -> dict[str, Any]:
    """A plan document whose `resource_changes` has exactly `n` entries."""
    if n < 1:
        raise ValueError("n must be at least 1")
    return Generator(seed, violations, noop).build(n)


def write_plan(
    path: Path, n: int, *, seed: int = 1, violations: float = 0.02, noop: float = 0.3
) -> Path:
    """Write a generated plan, minified as `terraform show -json` writes it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = generate(n, seed=seed, violations=violations, noop=noop)
    path.write_bytes(orjson.dumps(document) + b"\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--resources", type=int, default=1000)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--violations", type=float, default=0.02, help="share of violating resources"
    )
    parser.add_argument("--noop", type=float, default=0.3, help="share of unchanged services")
    args = parser.parse_args(argv)
    write_plan(
        args.output, args.resources, seed=args.seed, violations=args.violations, noop=args.noop
    )
    print(f"{args.output}: {args.output.stat().st_size:,} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
