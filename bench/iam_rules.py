"""Benchmark: the IAM rules over 10,000 distinct generated policies, and the cost of the action
catalogue. Run: `python -m bench.iam_rules [count]`. Prints wall-clock numbers; asserts nothing.

The policies mix the shapes real plans hold: scoped and `*` resources, service wildcards,
prefix wildcards, NotAction (5%), Denies, conditions, and trust policies (one in five).
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from typing import Any

import orjson

CATALOGUE_PROBE = """
import time
t0 = time.perf_counter()
from tfgate.iam import actions
t1 = time.perf_counter()
actions.service_actions("iam")
t2 = time.perf_counter()
actions.service_actions("ec2")
t3 = time.perf_counter()
actions.all_actions()
t4 = time.perf_counter()
print(f"import {1000*(t1-t0):.1f} ms; iam {1000*(t2-t1):.1f} ms; ec2 {1000*(t3-t2):.1f} ms; "
      f"every service {1000*(t4-t3):.0f} ms")
"""

SERVICES = ("s3", "ec2", "iam", "lambda", "kms", "sqs", "sns", "logs", "dynamodb", "sts")
NAMES = ("Get", "Put", "List", "Describe", "Create", "Delete", "Update", "Run", "Invoke")


def _statement(rng: random.Random, n: int) -> dict[str, Any]:
    service = rng.choice(SERVICES)
    roll = rng.random()
    if roll < 0.05:
        statement: dict[str, Any] = {"NotAction": [f"{service}:*"]}
    elif roll < 0.07:
        statement = {"Action": "*"}
    elif roll < 0.2:
        statement = {"Action": f"{service}:*"}
    else:
        statement = {
            "Action": [
                f"{service}:{rng.choice(NAMES)}{'*' if rng.random() < 0.5 else 'Object'}"
                for _ in range(rng.randint(1, 4))
            ]
        }
    if rng.random() < 0.4:
        statement["Resource"] = "*"
    else:
        statement["Resource"] = f"arn:aws:{service}:eu-west-1:111122223333:thing/app-{n}-*"
    statement["Effect"] = "Deny" if rng.random() < 0.1 else "Allow"
    if rng.random() < 0.2:
        statement["Condition"] = {"StringEquals": {"aws:ResourceTag/team": f"t{n}"}}
    statement["Sid"] = f"S{n}"
    return statement


def _trust(rng: random.Random, n: int) -> dict[str, Any]:
    github = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
    subject = rng.choice(["repo:*", f"repo:org/app-{n}:*", f"repo:org/app-{n}:ref:refs/heads/main"])
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": f"GitHub{n}",
                "Effect": "Allow",
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Principal": {"Federated": github},
                "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": subject}},
            },
            {
                "Sid": "Vendor",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"AWS": rng.choice(["arn:aws:iam::999988887777:root", "*"])},
            },
        ],
    }


def generate(count: int, seed: int = 7) -> list[tuple[str, str]]:
    """(kind, distinct JSON text) pairs."""
    rng = random.Random(seed)
    documents = []
    for n in range(count):
        if n % 5 == 4:
            documents.append(("trust", orjson.dumps(_trust(rng, n)).decode()))
        else:
            statements = [_statement(rng, n * 10 + i) for i in range(rng.randint(1, 4))]
            document = {"Version": "2012-10-17", "Statement": statements}
            documents.append(("identity", orjson.dumps(document).decode()))
    return documents


def plan_bytes(documents: list[tuple[str, str]]) -> bytes:
    changes = []
    for n, (kind, text) in enumerate(documents):
        kind_type, attribute = (
            ("aws_iam_role", "assume_role_policy")
            if kind == "trust"
            else ("aws_iam_policy", "policy")
        )
        changes.append(
            {
                "address": f"{kind_type}.p{n}",
                "mode": "managed",
                "type": kind_type,
                "name": f"p{n}",
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": {"name": f"p{n}", attribute: text},
                    "after_unknown": {},
                    "before_sensitive": False,
                    "after_sensitive": {},
                },
            }
        )
    return orjson.dumps(
        {
            "format_version": "1.2",
            "terraform_version": "1.9.8",
            "planned_values": {"root_module": {}},
            "resource_changes": changes,
            "configuration": {"root_module": {}},
        }
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    probe = subprocess.run(
        [sys.executable, "-c", CATALOGUE_PROBE], capture_output=True, text=True, check=True
    )
    print(f"catalogue (cold process): {probe.stdout.strip()}")

    from tfgate.config.profiles import Profile, RuleSetting
    from tfgate.engine import evaluate
    from tfgate.plan.load import load_plan
    from tfgate.report import Enforcement
    from tfgate.rules import RULES

    iam = [rule for rule in RULES if rule.id.startswith("TFG-IAM-")]
    profile = Profile(
        name="bench",
        description="",
        frameworks=(),
        on_unknown=Enforcement.WARN,
        block_existing=False,
        rules={rule.id: RuleSetting(Enforcement.BLOCK, dict(rule.defaults)) for rule in iam},
        source="bench",
    )
    documents = generate(count)
    assert len({text for _, text in documents}) == count
    started = time.perf_counter()
    plan = load_plan(plan_bytes(documents), "bench.json")
    loaded = time.perf_counter()
    cpu = time.process_time()
    report = evaluate(plan, [profile], iam)
    judged = time.perf_counter()
    cpu = time.process_time() - cpu
    print(
        f"{count} distinct policies, {len(iam)} IAM rules: load {loaded - started:.2f} s, "
        f"evaluate {judged - loaded:.2f} s wall / {cpu:.2f} s CPU "
        f"({1e6 * cpu / count:.0f} us CPU per policy), {len(report.findings)} findings"
    )


if __name__ == "__main__":
    main()
