"""Class 4: boundary decoys.

A policy used as a permissions boundary is a ceiling, and identity rules skip it. A pull request
can name a wide policy as some role's boundary and attach it elsewhere, by a path tfgate does not
follow, to get a grant past the gate. Only a policy the plan proves is *only* a boundary is
skipped: an attachment whose policy is known only after apply, with no reference proving it is
another policy, may be this one.

    resource "aws_iam_policy" "ceiling" {
      name   = "ceiling"
      policy = jsonencode({ ... iam:PassRole on "*" ... })
    }

    resource "aws_iam_role" "app" {
      name                 = "app"
      assume_role_policy   = jsonencode({ ... ec2.amazonaws.com ... })
      permissions_boundary = aws_iam_policy.ceiling.arn
    }

    # ... and the decoy: the same policy attached, e.g. in a module
    module "team" {
      source     = "./modules/team"
      policy_arn = aws_iam_policy.ceiling.arn
    }
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.adversarial.policy_plans import (
    PASS_ANY_ROLE,
    PROFILES,
    PlanShape,
    const,
    judge,
    policy_json,
    refs,
)

PASS_ROLE_RULE = "TFG-IAM-014"
CEILING = "aws_iam_policy.ceiling"
TRUST = policy_json(
    {
        "Sid": "Ec2",
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Principal": {"Service": "ec2.amazonaws.com"},
    }
)
CEILING_ARN = "arn:aws:iam::111122223333:policy/ceiling"


def bounded(shape: PlanShape, *, policy: str = "ceiling", index: int | None = None) -> None:
    """The wide policy, and a role that uses it as its permissions boundary."""
    address = f"aws_iam_policy.{policy}" + ("" if index is None else f"[{index}]")
    shape.instance(
        f"aws_iam_policy.{policy}",
        {
            "description": None,
            "name": policy if index is None else f"{policy}-{index}",
            "path": "/",
            "policy": policy_json(PASS_ANY_ROLE),
            "tags": None,
        },
        unknown={"arn": True, "id": True, "policy_id": True, "tags_all": True},
        index=index,
    )
    shape.block(
        f"aws_iam_policy.{policy}",
        {"name": const(policy), "policy": {}},
        count=None if index is None else const(2),
    )
    role = f"app_{index}" if index is not None else "app"
    shape.instance(
        f"aws_iam_role.{role}",
        {
            "assume_role_policy": TRUST,
            "description": None,
            "force_detach_policies": False,
            "max_session_duration": 3600,
            "name": role,
            "path": "/",
            "tags": None,
        },
        unknown={
            "arn": True,
            "id": True,
            "inline_policy": True,
            "managed_policy_arns": True,
            "permissions_boundary": True,
            "tags_all": True,
            "unique_id": True,
        },
    )
    shape.block(
        f"aws_iam_role.{role}",
        {
            "assume_role_policy": {},
            "name": const(role),
            "permissions_boundary": refs(f"{address}.arn"),
        },
    )


def attach_in_module_through_a_variable(shape: PlanShape) -> None:
    shape.calls["team"] = {"policy_arn": refs(f"{CEILING}.arn"), "role": const("team-runner")}
    shape.instance(
        "aws_iam_role_policy_attachment.extra",
        {"role": "team-runner"},
        unknown={"id": True, "policy_arn": True},
        module="team",
    )
    shape.block(
        "aws_iam_role_policy_attachment.extra",
        {"policy_arn": refs("var.policy_arn"), "role": refs("var.role")},
        module="team",
    )


def attach_through_a_module_output(shape: PlanShape) -> None:
    shape.calls["policies"] = {"boundary_arn": refs(f"{CEILING}.arn")}
    shape.outputs["policies"] = {"boundary_arn": refs("var.boundary_arn")}
    shape.instance(
        "aws_iam_policy_attachment.shared",
        {"groups": None, "name": "shared", "roles": ["deployer"], "users": None},
        unknown={"id": True, "policy_arn": True},
    )
    shape.block(
        "aws_iam_policy_attachment.shared",
        {
            "name": const("shared"),
            "policy_arn": refs("module.policies.boundary_arn"),
            "roles": const(["deployer"]),
        },
    )


def attach_by_arn_in_managed_policy_arns(shape: PlanShape) -> None:
    """The policy is new, so its ARN is unknown, but its name says what the ARN will be."""
    shape.instance(
        "aws_iam_role.deployer",
        {
            "assume_role_policy": TRUST,
            "managed_policy_arns": [CEILING_ARN],
            "name": "deployer",
            "path": "/",
            "tags": None,
        },
        unknown={"arn": True, "id": True, "inline_policy": True, "tags_all": True},
    )
    shape.block(
        "aws_iam_role.deployer",
        {
            "assume_role_policy": {},
            "managed_policy_arns": const([CEILING_ARN]),
            "name": const("deployer"),
        },
    )


def attach_to_a_user_through_a_local(shape: PlanShape) -> None:
    shape.instance(
        "aws_iam_user_policy_attachment.ci",
        {"user": "ci"},
        unknown={"id": True, "policy_arn": True},
    )
    shape.block(
        "aws_iam_user_policy_attachment.ci",
        {"policy_arn": refs("local.ci_policy_arn"), "user": const("ci")},
    )


DECOYS: dict[str, Callable[[PlanShape], None]] = {
    "module-variable": attach_in_module_through_a_variable,
    "module-output": attach_through_a_module_output,
    "managed-policy-arns-by-arn": attach_by_arn_in_managed_policy_arns,
    "user-attachment-through-local": attach_to_a_user_through_a_local,
}


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("decoy", sorted(DECOYS))
def test_a_boundary_that_is_also_attached_is_a_grant(
    tmp_path: Path, profile: str, decoy: str
) -> None:
    shape = PlanShape()
    bounded(shape)
    DECOYS[decoy](shape)
    assert judge(shape, tmp_path, profile).blocks(CEILING, PASS_ROLE_RULE)


# ------------------------------------------------------------------------------------------------
# No false blocks: what the plan proves is another policy does not make a ceiling a grant


@pytest.mark.parametrize("profile", PROFILES)
def test_a_boundary_beside_attachments_proven_to_be_other_policies_is_skipped(
    tmp_path: Path, profile: str
) -> None:
    shape = PlanShape()
    bounded(shape)
    shape.instance(
        "aws_iam_policy.reader",
        {"name": "reader", "path": "/", "policy": policy_json(), "tags": None},
        unknown={"arn": True, "id": True, "policy_id": True, "tags_all": True},
    )
    shape.block("aws_iam_policy.reader", {"name": const("reader"), "policy": {}})
    for name, arn in (("reader", refs("aws_iam_policy.reader.arn")), ("audit", None)):
        shape.instance(
            f"aws_iam_role_policy_attachment.{name}",
            {"role": "app"}
            | ({} if arn else {"policy_arn": "arn:aws:iam::aws:policy/SecurityAudit"}),
            unknown={"id": True} | ({"policy_arn": True} if arn else {}),
        )
        shape.block(
            f"aws_iam_role_policy_attachment.{name}",
            {
                "policy_arn": arn or const("arn:aws:iam::aws:policy/SecurityAudit"),
                "role": refs("aws_iam_role.app.name"),
            },
        )
    verdict = judge(shape, tmp_path, profile)
    assert not verdict.on(CEILING, PASS_ROLE_RULE)


@pytest.mark.parametrize("profile", PROFILES)
def test_only_the_attached_instance_of_a_counted_policy_is_a_grant(
    tmp_path: Path, profile: str
) -> None:
    """`aws_iam_policy.ceiling[0]` bounds a role, `[1]` is attached: only `[1]` is judged."""
    shape = PlanShape()
    bounded(shape, index=0)
    bounded(shape, index=1)
    shape.blocks[("", "aws_iam_role.app_1")]["expressions"].pop("permissions_boundary")
    shape.instance(
        "aws_iam_role_policy_attachment.extra",
        {"role": "app_1"},
        unknown={"id": True, "policy_arn": True},
    )
    shape.block(
        "aws_iam_role_policy_attachment.extra",
        {"policy_arn": refs(f"{CEILING}[1].arn"), "role": const("app_1")},
    )
    verdict = judge(shape, tmp_path, profile)
    assert not verdict.on(f"{CEILING}[0]", PASS_ROLE_RULE)
    assert verdict.blocks(f"{CEILING}[1]", PASS_ROLE_RULE)


@pytest.mark.parametrize("profile", PROFILES)
def test_a_module_attaching_another_policy_through_a_variable_leaves_the_boundary_alone(
    tmp_path: Path, profile: str
) -> None:
    """The module's `policy_arn = var.policy_arn` is followed to the call, which passes
    another policy: the ceiling is still only a boundary."""
    shape = PlanShape()
    bounded(shape)
    attach_in_module_through_a_variable(shape)
    shape.calls["team"]["policy_arn"] = refs("aws_iam_policy.reader.arn")
    shape.instance(
        "aws_iam_policy.reader",
        {"name": "reader", "path": "/", "policy": policy_json(), "tags": None},
        unknown={"arn": True, "id": True, "policy_id": True, "tags_all": True},
    )
    shape.block("aws_iam_policy.reader", {"name": const("reader"), "policy": {}})
    assert not judge(shape, tmp_path, profile).on(CEILING, PASS_ROLE_RULE)


@pytest.mark.parametrize("profile", PROFILES)
def test_a_boundary_set_through_a_module_variable_is_a_boundary(
    tmp_path: Path, profile: str
) -> None:
    """A role in a module gets `permissions_boundary = var.boundary_arn`; the call passes the
    ceiling, and nothing attaches it."""
    shape = PlanShape()
    bounded(shape)
    app = shape.blocks.pop(("", "aws_iam_role.app"))
    app["expressions"]["permissions_boundary"] = refs("var.boundary_arn")
    shape.blocks[("team", "aws_iam_role.app")] = app
    for entry in shape.changes:
        if entry["address"] == "aws_iam_role.app":
            entry["address"] = "module.team.aws_iam_role.app"
            entry["module_address"] = "module.team"
    for entry in shape.planned:
        if entry["address"] == "aws_iam_role.app":
            entry["address"] = "module.team.aws_iam_role.app"
            entry["module"] = "team"
    shape.calls["team"] = {"boundary_arn": refs(f"{CEILING}.arn")}
    assert not judge(shape, tmp_path, profile).on(CEILING, PASS_ROLE_RULE)
