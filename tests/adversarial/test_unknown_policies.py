"""Class 6: a `jsonencode` policy that refers to a resource created in the same plan is wholly
unknown in plan JSON. With the `.tf` source beside the plan it is rebuilt and judged; an effect or
action computed after apply blocks in every profile; without source the report says how many
documents could not be judged.

Each plan has the shape `terraform show -json` writes for such a policy: `policy` absent from
`after` and `true` in `after_unknown`, and the expression's references in `configuration`.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from typer.testing import CliRunner

from tests.rules.iam_plans import change
from tfgate.cli import app
from tfgate.plan.load import load_plan
from tfgate.resources import schema
from tfgate.rules.base import Context
from tfgate.rules.support.documents import identity_documents

runner = CliRunner()

PROVIDER = "registry.terraform.io/hashicorp/aws"
ALL_PROFILES = ("baseline", "hipaa", "pci-dss", "nrb", "gdpr")

BUCKET_TF = """
resource "aws_s3_bucket" "dummy" {
  bucket = "dummy-artifacts-111122223333"
}
"""


def bucket_change(module: str = "") -> dict[str, Any]:
    """A new bucket: its `arn` and `id` are known only after apply."""
    return change(
        "aws_s3_bucket",
        "dummy",
        {"bucket": "dummy-artifacts-111122223333", "force_destroy": False, "tags": None},
        after_unknown={"arn": True, "id": True, "region": True, "tags_all": True},
        module=module,
    )


def policy_change(
    name: str = "deployer",
    resource_type: str = "aws_iam_policy",
    module: str = "",
    attribute: str = "policy",
) -> dict[str, Any]:
    """A new policy whose document is known only after apply."""
    after: dict[str, Any] = {"name": name, "path": "/", "tags": None}
    if resource_type == "aws_iam_role_policy":
        after = {"name": name, "role": "deployer"}
    unknown = {attribute: True, "arn": True, "id": True}
    return change(resource_type, name, after, after_unknown=unknown, module=module)


def config_resource(
    resource_type: str, name: str, expressions: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "address": f"{resource_type}.{name}",
        "mode": "managed",
        "type": resource_type,
        "name": name,
        "provider_config_key": "aws",
        "expressions": dict(expressions),
        "schema_version": 0,
    }


BUCKET_CONFIG = config_resource(
    "aws_s3_bucket", "dummy", {"bucket": {"constant_value": "dummy-artifacts-111122223333"}}
)


def policy_config(references: Sequence[str], name: str = "deployer") -> dict[str, Any]:
    return config_resource(
        "aws_iam_policy",
        name,
        {"name": {"constant_value": name}, "policy": {"references": list(references)}},
    )


def plan_document(
    changes: Sequence[Mapping[str, Any]],
    resources: Sequence[Mapping[str, Any]],
    *,
    variables: Mapping[str, Any] | None = None,
    module_calls: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    root: dict[str, Any] = {"resources": list(resources)}
    if module_calls:
        root["module_calls"] = dict(module_calls)
    document: dict[str, Any] = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {}},
        "resource_changes": list(changes),
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": PROVIDER}},
            "root_module": root,
        },
        "timestamp": "2026-11-30T12:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }
    if variables:
        document["variables"] = {name: {"value": value} for name, value in variables.items()}
    return document


def write(directory: Path, plan: Mapping[str, Any], files: Mapping[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    plan_file = directory / "plan.json"
    plan_file.write_bytes(orjson.dumps(plan))
    return plan_file


def check(plan_file: Path, profile: str, *extra: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(
        app, ["check", str(plan_file), "--profile", profile, "--format", "json", *extra]
    )
    assert result.exit_code in (0, 1), result.output
    report = orjson.loads(result.stdout)
    jsonschema.validate(report, schema("report"))
    return result.exit_code, report


def blocking(report: Mapping[str, Any]) -> set[tuple[str, str]]:
    return {(f["address"], f["rule"]) for f in report["findings"] if f["blocking"]}


def policy_blocks(report: Mapping[str, Any]) -> set[tuple[str, str]]:
    """Blocking findings on the policy (a new bucket may block on encryption under pci-dss)."""
    return {(address, rule) for address, rule in blocking(report) if "aws_iam" in address}


def findings_of(report: Mapping[str, Any], rule: str) -> list[Mapping[str, Any]]:
    return [f for f in report["findings"] if f["rule"] == rule]


def deployer_tf(statements: str, prelude: str = BUCKET_TF) -> str:
    """A `main.tf`: `prelude`, then `aws_iam_policy.deployer` whose `jsonencode` document holds
    `statements` (HCL for the `Statement` list)."""
    return (
        textwrap.dedent(prelude)
        + '\nresource "aws_iam_policy" "deployer" {\n  name = "deployer"\n'
        + '  policy = jsonencode({\n    Version   = "2012-10-17"\n'
        + f"    Statement = {statements}\n  }})\n}}\n"
    )


# ------------------------------------------------------------------------------------------------
# PassRole on every role, wrapped around a dummy reference

PASS_ROLE_TF = deployer_tf(
    """[
      {
        Sid      = "Artifacts"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = "${aws_s3_bucket.dummy.arn}/*"
      },
      {
        Sid      = "PassAnything"
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "*"
      },
    ]"""
)

DUMMY_REFERENCES = ("aws_s3_bucket.dummy.arn", "aws_s3_bucket.dummy")


def pass_role_plan() -> dict[str, Any]:
    return plan_document(
        [bucket_change(), policy_change()], [BUCKET_CONFIG, policy_config(DUMMY_REFERENCES)]
    )


@pytest.mark.parametrize("profile", ["baseline", "pci-dss"])
def test_pass_role_around_a_dummy_reference_blocks(tmp_path: Path, profile: str) -> None:
    plan_file = write(tmp_path, pass_role_plan(), {"main.tf": PASS_ROLE_TF})
    code, report = check(plan_file, profile)
    assert code == 1
    assert ("aws_iam_policy.deployer", "TFG-IAM-014") in blocking(report)
    # The document was judged, so it is no longer reported as unknown.
    assert not [f for f in findings_of(report, "TFG-IAM-060") if f["status"] == "unknown"]


def test_source_dir_option_finds_the_source(tmp_path: Path) -> None:
    plan_file = write(tmp_path / "plans", pass_role_plan(), {})
    write(tmp_path / "infra", pass_role_plan(), {"main.tf": PASS_ROLE_TF})
    code, report = check(plan_file, "baseline", "--source-dir", str(tmp_path / "infra"))
    assert code == 1
    assert ("aws_iam_policy.deployer", "TFG-IAM-014") in blocking(report)


def test_reference_placeholder_is_never_a_wildcard(tmp_path: Path) -> None:
    """A resource ARN stands in as that resource's ARN: `arn:aws:s3:::<bucket>/*`, not `*`."""
    source = deployer_tf(
        """[{
      Effect = "Allow", Action = "s3:*", Resource = "${aws_s3_bucket.dummy.arn}/*"
    }]"""
    )
    plan_file = write(tmp_path, pass_role_plan(), {"main.tf": source})
    _, report = check(plan_file, "pci-dss")
    assert not policy_blocks(report), policy_blocks(report)
    from tfgate.hclpolicy import PolicySources  # new with this class: imported here, not above

    plan = load_plan(plan_file.read_bytes(), str(plan_file))
    (policy,) = [r for r in plan.resources if r.type == "aws_iam_policy"]
    ctx = Context(plan, sources=PolicySources(tmp_path, plan))
    (document,) = identity_documents(policy, policy.after, ctx)
    assert document.text is not None and document.rebuilt
    statement = orjson.loads(document.text)["Statement"][0]
    assert statement["Resource"] == "arn:aws:s3:::dummy-artifacts-111122223333/*"


def test_ordinary_policy_with_a_resource_reference_passes_every_profile(tmp_path: Path) -> None:
    """The false block this class must not bring: a narrow policy naming a new bucket."""
    source = deployer_tf(
        """[{
      Sid      = "ReadArtifacts"
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = [aws_s3_bucket.dummy.arn, "${aws_s3_bucket.dummy.arn}/*"]
    }]"""
    )
    plan_file = write(tmp_path, pass_role_plan(), {"main.tf": source})
    for profile in ALL_PROFILES:
        _, report = check(plan_file, profile)
        assert not policy_blocks(report), (profile, policy_blocks(report))
        assert not findings_of(report, "TFG-IAM-060"), profile


# ------------------------------------------------------------------------------------------------
# Computed effect or actions


def computed_plan(parameter_value_unknown: bool = True) -> dict[str, Any]:
    parameter = change(
        "aws_ssm_parameter",
        "actions",
        {"name": "/deploy/actions", "type": "String", "value": "s3:GetObject"},
        after_unknown={"arn": True, "id": True, "version": True},
    )
    parameter["change"]["after_sensitive"] = {"value": True}
    if parameter_value_unknown:
        parameter["change"]["after"].pop("value")
        parameter["change"]["after_unknown"]["value"] = True
    references = ["aws_ssm_parameter.actions.value", "aws_ssm_parameter.actions"]
    return plan_document(
        [parameter, policy_change()],
        [
            config_resource(
                "aws_ssm_parameter",
                "actions",
                {"name": {"constant_value": "/deploy/actions"}, "type": {"constant_value": "S"}},
            ),
            policy_config(references),
        ],
    )


COMPUTED_ACTION_TF = deployer_tf(
    """[{
      Sid      = "Deploy"
      Effect   = "Allow"
      Action   = split(",", aws_ssm_parameter.actions.value)
      Resource = "*"
    }]""",
    prelude="""
resource "aws_ssm_parameter" "actions" {
  name  = "/deploy/actions"
  type  = "String"
  value = "s3:GetObject"
}
""",
)


@pytest.mark.parametrize("profile", ALL_PROFILES)
def test_computed_action_blocks_in_every_profile(tmp_path: Path, profile: str) -> None:
    plan_file = write(tmp_path, computed_plan(), {"main.tf": COMPUTED_ACTION_TF})
    code, report = check(plan_file, profile)
    assert code == 1
    computed = [f for f in findings_of(report, "TFG-IAM-060") if f["blocking"]]
    assert len(computed) == 1
    assert computed[0]["status"] == "introduced"
    assert "Action of statement 'Deploy'" in computed[0]["message"]
    assert "aws_ssm_parameter.actions.value" in computed[0]["message"]
    assert "known only after apply" in computed[0]["message"]


@pytest.mark.parametrize(
    "expression",
    [
        'Effect = aws_ssm_parameter.actions.value, Action = "s3:GetObject"',
        'Effect = "Allow", NotAction = [aws_ssm_parameter.actions.value]',
        'Effect = "Allow", Action = "iam:${aws_ssm_parameter.actions.value}"',
        'Effect = "Allow", Action = lower(aws_ssm_parameter.actions.value)',
        'Effect = "Allow", Action = aws_ssm_parameter.actions.value == "" ? "s3:Get*" : "iam:*"',
        'Effect = "Allow", Action = [for a in [aws_ssm_parameter.actions.value] : a]',
    ],
)
def test_every_computed_grant_blocks_under_baseline(tmp_path: Path, expression: str) -> None:
    source = COMPUTED_ACTION_TF.replace(
        'Effect   = "Allow"\n      Action   = split(",", aws_ssm_parameter.actions.value)',
        expression,
    )
    assert expression in source
    plan_file = write(tmp_path, computed_plan(), {"main.tf": source})
    code, report = check(plan_file, "baseline")
    assert code == 1
    assert ("aws_iam_policy.deployer", "TFG-IAM-060") in blocking(report)


def test_computed_statement_list_blocks(tmp_path: Path) -> None:
    source = COMPUTED_ACTION_TF.replace(
        """Statement = [{
      Sid      = "Deploy"
      Effect   = "Allow"
      Action   = split(",", aws_ssm_parameter.actions.value)
      Resource = "*"
    }]""",
        "Statement = jsondecode(aws_ssm_parameter.actions.value)",
    )
    plan_file = write(tmp_path, computed_plan(), {"main.tf": source})
    code, report = check(plan_file, "baseline")
    assert code == 1
    (finding,) = [f for f in findings_of(report, "TFG-IAM-060") if f["blocking"]]
    assert "the statement list" in finding["message"]


def test_sensitive_value_is_not_printed(tmp_path: Path) -> None:
    """A sensitive attribute known at plan time still stands in as unknown: never quoted."""
    plan_file = write(tmp_path, computed_plan(False), {"main.tf": COMPUTED_ACTION_TF})
    result = runner.invoke(app, ["check", str(plan_file), "--profile", "baseline"])
    assert result.exit_code == 1
    assert "s3:GetObject" not in result.stdout


# ------------------------------------------------------------------------------------------------
# No source: the profile decides, and the report says what would help


def test_without_source_the_report_counts_documents_not_judged(tmp_path: Path) -> None:
    plan_file = write(tmp_path, pass_role_plan(), {})
    code, report = check(plan_file, "baseline")
    assert code == 0  # baseline warns on unknown documents, as before
    unknown = [f for f in findings_of(report, "TFG-IAM-060") if f["status"] == "unknown"]
    assert len(unknown) == 1
    (note,) = [note for note in report["notes"] if "could not be judged" in note]
    assert note.startswith("1 policy document is known only after apply")
    assert "--source-dir" in note
    text = runner.invoke(app, ["check", str(plan_file), "--profile", "baseline"]).stdout
    assert "--source-dir" in text
    markdown = runner.invoke(
        app, ["check", str(plan_file), "--profile", "baseline", "--format", "markdown"]
    ).stdout
    assert "--source-dir" in markdown
    _, report = check(plan_file, "pci-dss")  # the profile decides, as without this class
    assert [f["status"] for f in findings_of(report, "TFG-IAM-060")] == ["unknown"]
    assert any("--source-dir" in note for note in report["notes"])


def test_source_that_does_not_match_the_plan_is_not_used(tmp_path: Path) -> None:
    """The plan's references say the document uses a bucket; a source whose expression refers
    to something else was not what the plan was made from."""
    source = PASS_ROLE_TF.replace("aws_s3_bucket.dummy.arn", "var.bucket_arn").replace(
        'resource "aws_s3_bucket"',
        'variable "bucket_arn" {\n  default = "arn:aws:s3:::x"\n}\nresource "aws_s3_bucket"',
    )
    plan_file = write(tmp_path, pass_role_plan(), {"main.tf": source})
    _, report = check(plan_file, "pci-dss")
    assert [f["status"] for f in findings_of(report, "TFG-IAM-060")] == ["unknown"]
    assert any("could not be rebuilt" in note for note in report["notes"])


# ------------------------------------------------------------------------------------------------
# Variables, locals, modules and files


def test_locals_and_root_variables(tmp_path: Path) -> None:
    source = deployer_tf(
        """[{
      Sid      = "Pass"
      Effect   = "Allow"
      Action   = local.actions
      Resource = [var.passable, aws_s3_bucket.dummy.arn]
    }]""",
        prelude=BUCKET_TF
        + """
    variable "passable" {
      type    = string
      default = "arn:aws:iam::111122223333:role/app"
    }
    locals {
      actions = concat(["iam:GetRole"], [for verb in ["Pass"] : "iam:${verb}Role"])
    }
    """,
    )
    references = ["local.actions", "var.passable", *DUMMY_REFERENCES]
    plan = plan_document(
        [bucket_change(), policy_change()],
        [BUCKET_CONFIG, policy_config(references)],
        variables={"passable": "arn:aws:iam::*:role/*"},  # the value given at plan time wins
    )
    plan_file = write(tmp_path, plan, {"main.tf": source})
    code, report = check(plan_file, "baseline")
    assert code == 1
    (finding,) = findings_of(report, "TFG-IAM-014")
    assert "arn:aws:iam::*:role/*" in finding["message"]


def test_templatefile_inside_the_repository(tmp_path: Path) -> None:
    source = (
        BUCKET_TF
        + """
    resource "aws_iam_policy" "deployer" {
      name   = "deployer"
      policy = templatefile("${path.module}/policies/deployer.json.tpl", {
        bucket = aws_s3_bucket.dummy.arn
        action = "iam:PassRole"
      })
    }
    """
    )
    template = """
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "${bucket}/*"},
        {"Effect": "Allow", "Action": "${action}", "Resource": "*"}
      ]
    }
    """
    plan = plan_document(
        [bucket_change(), policy_change()], [BUCKET_CONFIG, policy_config(DUMMY_REFERENCES)]
    )
    plan_file = write(tmp_path, plan, {"main.tf": source, "policies/deployer.json.tpl": template})
    for profile in ("baseline", "pci-dss"):
        code, report = check(plan_file, profile)
        assert code == 1
        assert ("aws_iam_policy.deployer", "TFG-IAM-014") in blocking(report)


def test_files_outside_the_source_are_never_read(tmp_path: Path) -> None:
    """A template outside the source directory, directly or through a symlink, is not read:
    the document stays unknown."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "policy.json").write_text('{"Version": "2012-10-17", "Statement": []}')
    root = tmp_path / "repo"
    root.mkdir()
    os.symlink(outside / "policy.json", root / "linked.json")
    plan = plan_document(
        [bucket_change(), policy_change()], [BUCKET_CONFIG, policy_config(DUMMY_REFERENCES)]
    )
    for path in ("../outside/policy.json", "linked.json", str(outside / "policy.json")):
        source = (
            BUCKET_TF
            + f"""
        resource "aws_iam_policy" "deployer" {{
          name   = "deployer"
          policy = templatefile("{path}", {{ bucket = aws_s3_bucket.dummy.arn }})
        }}
        """
        )
        plan_file = write(root, plan, {"main.tf": source})
        _, report = check(plan_file, "baseline")
        assert [f["status"] for f in findings_of(report, "TFG-IAM-060")] == ["unknown"], path
        assert any("could not be rebuilt from the Terraform source" in n for n in report["notes"])


def test_module_with_arguments_from_its_call(tmp_path: Path) -> None:
    root_tf = (
        BUCKET_TF
        + """
    module "deploy" {
      source     = "./modules/deploy"
      bucket_arn = aws_s3_bucket.dummy.arn
      passable   = "*"
    }
    """
    )
    module_tf = """
    variable "bucket_arn" { type = string }
    variable "passable" { type = string }

    resource "aws_s3_bucket" "dummy" {
      bucket = "dummy-artifacts-111122223333"
    }

    resource "aws_iam_role_policy" "deployer" {
      name = "deployer"
      role = "deployer"
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [
          { Effect = "Allow", Action = "s3:GetObject", Resource = "${var.bucket_arn}/*" },
          { Effect = "Allow", Action = "iam:PassRole", Resource = var.passable },
        ]
      })
    }
    """
    module_policy = config_resource(
        "aws_iam_role_policy",
        "deployer",
        {"policy": {"references": ["var.bucket_arn", "var.passable"]}},
    )
    calls = {
        "deploy": {
            "source": "./modules/deploy",
            "expressions": {
                "bucket_arn": {"references": list(DUMMY_REFERENCES)},
                "passable": {"constant_value": "*"},
            },
            "module": {
                "resources": [module_policy],
                "variables": {"bucket_arn": {}, "passable": {}},
            },
        }
    }
    plan = plan_document(
        [bucket_change(), policy_change("deployer", "aws_iam_role_policy", module="module.deploy")],
        [BUCKET_CONFIG],
        module_calls=calls,
    )
    plan_file = write(tmp_path, plan, {"main.tf": root_tf, "modules/deploy/main.tf": module_tf})
    code, report = check(plan_file, "baseline")
    assert code == 1
    assert ("module.deploy.aws_iam_role_policy.deployer", "TFG-IAM-014") in blocking(report)


def test_expressions_that_cannot_be_evaluated_stay_unknown(tmp_path: Path) -> None:
    """A local that refers to itself, a function outside the subset, a template directive: the
    evaluator gives up (no hang, no guess) and the document stays unknown."""
    for actions in ("local.loop", 'sort(["iam:PassRole"])', '"%{ if true }iam:PassRole%{ endif }"'):
        references = ["local.loop"] if "local" in actions else []
        plan = plan_document(
            [bucket_change(), policy_change()],
            [BUCKET_CONFIG, policy_config([*references, *DUMMY_REFERENCES])],
        )
        source = deployer_tf(
            f'[{{ Effect = "Allow", Action = {actions}, Resource = aws_s3_bucket.dummy.arn }}]',
            prelude=BUCKET_TF + "\nlocals {\n  loop  = local.again\n  again = local.loop\n}\n",
        )
        plan_file = write(tmp_path, plan, {"main.tf": source})
        code, report = check(plan_file, "baseline")
        assert code == 0, actions
        assert [f["status"] for f in findings_of(report, "TFG-IAM-060")] == ["unknown"], actions
        assert any("could not be rebuilt from the Terraform source" in n for n in report["notes"])


# ------------------------------------------------------------------------------------------------
# Values the author chooses, and sources that rewrite themselves


def random_plan() -> dict[str, Any]:
    """A one-character random string drawn from "*": known only after apply, and it is `*`."""
    suffix = change(
        "random_string",
        "any",
        {
            "length": 1,
            "lower": False,
            "upper": False,
            "numeric": False,
            "special": True,
            "override_special": "*",
            "keepers": None,
        },
        after_unknown={"id": True, "result": True},
    )
    suffix["provider_name"] = "registry.terraform.io/hashicorp/random"
    config = config_resource(
        "random_string",
        "any",
        {"length": {"constant_value": 1}, "override_special": {"constant_value": "*"}},
    )
    references = ["random_string.any.result", "random_string.any"]
    return plan_document([suffix, policy_change()], [config, policy_config(references)])


RANDOM_TF = deployer_tf(
    '[{ Effect = "Allow", Action = "iam:PassRole", Resource = RESOURCE }]',
    prelude="""
resource "random_string" "any" {
  length           = 1
  lower            = false
  upper            = false
  numeric          = false
  override_special = "*"
}
""",
)


@pytest.mark.parametrize(
    "resource",
    [
        '"arn:aws:iam::*:role/${random_string.any.result}"',
        "random_string.any.result",
        'replace("arn:aws:iam::111122223333:role/app", "app", random_string.any.result)',
    ],
)
@pytest.mark.parametrize("profile", ["baseline", "pci-dss"])
def test_a_value_the_author_chooses_is_judged_as_the_widest(
    tmp_path: Path, resource: str, profile: str
) -> None:
    """A placeholder matches nothing only for identifiers AWS assigns (ARNs, ids). A random
    string, or any function of an unknown value, could be `*`, and is judged as `*`."""
    source = RANDOM_TF.replace("RESOURCE", resource)
    plan_file = write(tmp_path, random_plan(), {"main.tf": source})
    code, report = check(plan_file, profile)
    assert code == 1
    assert ("aws_iam_policy.deployer", "TFG-IAM-014") in blocking(report)


def test_a_deny_on_a_value_the_author_chooses_cancels_nothing(tmp_path: Path) -> None:
    """In a Deny the worst case is the narrowest: a Deny on a random string may cover nothing,
    so it does not cancel PassRole on every role."""
    source = deployer_tf(
        """[
      { Effect = "Allow", Action = "iam:PassRole", Resource = "*" },
      { Effect = "Deny", Action = "iam:PassRole", Resource = random_string.any.result },
    ]""",
        prelude=RANDOM_TF.split('resource "aws_iam_policy"')[0],
    )
    plan_file = write(tmp_path, random_plan(), {"main.tf": source})
    code, report = check(plan_file, "baseline")
    assert code == 1
    assert ("aws_iam_policy.deployer", "TFG-IAM-014") in blocking(report)


def test_a_function_of_an_arn_is_not_an_arn(tmp_path: Path) -> None:
    """`replace(aws_s3_bucket.dummy.arn, ...)` can produce anything: judged as `*`."""
    source = PASS_ROLE_TF.replace(
        """Action   = "iam:PassRole"
        Resource = "*\"""",
        """Action   = "iam:PassRole"
        Resource = replace(aws_s3_bucket.dummy.arn, "arn:aws:s3:::", "arn:aws:iam::*:role/")""",
    )
    assert "replace(" in source
    plan_file = write(tmp_path, pass_role_plan(), {"main.tf": source})
    code, report = check(plan_file, "baseline")
    assert code == 1
    assert ("aws_iam_policy.deployer", "TFG-IAM-014") in blocking(report)


def test_format_and_join_keep_an_arn_an_arn(tmp_path: Path) -> None:
    """`format("%s/*", arn)` and `join` only splice the ARN in, like `${}`: no false block."""
    source = deployer_tf(
        """[{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = [format("%s/*", aws_s3_bucket.dummy.arn), join("", [aws_s3_bucket.dummy.arn])]
    }]"""
    )
    plan_file = write(tmp_path, pass_role_plan(), {"main.tf": source})
    for profile in ("baseline", "pci-dss"):
        _, report = check(plan_file, profile)
        assert not policy_blocks(report), (profile, policy_blocks(report))
        assert not findings_of(report, "TFG-IAM-060"), profile


def test_override_files_make_the_source_unusable(tmp_path: Path) -> None:
    """Terraform merges `*_override.tf` into the blocks it names: a benign `main.tf` beside an
    override that writes the real policy is not what the plan holds. Nothing is rebuilt."""
    benign = PASS_ROLE_TF.replace('"iam:PassRole"', '"iam:GetRole"')
    override = """
    resource "aws_iam_policy" "deployer" {
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }]
        Id        = aws_s3_bucket.dummy.arn
      })
    }
    """
    plan_file = write(
        tmp_path, pass_role_plan(), {"main.tf": benign, "deployer_override.tf": override}
    )
    _, report = check(plan_file, "baseline")
    assert [f["status"] for f in findings_of(report, "TFG-IAM-060")] == ["unknown"]
    assert any("could not be rebuilt from the Terraform source" in n for n in report["notes"])


def test_every_instance_of_a_counted_bucket(tmp_path: Path) -> None:
    """`aws_s3_bucket.logs[*].arn` and a `for` over the instances: each ARN stands in as that
    bucket's ARN, so a narrow grant stays narrow."""
    buckets = []
    for position in (0, 1):
        bucket = bucket_change()
        bucket["address"] = f"aws_s3_bucket.logs[{position}]"
        bucket["name"] = "logs"
        bucket["index"] = position
        bucket["change"]["after"]["bucket"] = f"logs-{position}-111122223333"
        buckets.append(bucket)
    config = config_resource("aws_s3_bucket", "logs", {"bucket": {"references": ["count.index"]}})
    config["count_expression"] = {"constant_value": 2}
    references = ["aws_s3_bucket.logs", "aws_s3_bucket.logs[0]"]
    plan = plan_document([*buckets, policy_change()], [config, policy_config(references)])
    source = """
    resource "aws_s3_bucket" "logs" {
      count  = 2
      bucket = "logs-${count.index}-111122223333"
    }
    """
    source = deployer_tf(
        """[
      { Effect = "Allow", Action = "s3:ListBucket", Resource = aws_s3_bucket.logs[*].arn },
      {
        Effect   = "Allow"
        Action   = "s3:GetObject"
        Resource = [for bucket in aws_s3_bucket.logs : "${bucket.arn}/*"]
      },
      { Effect = "Allow", Action = "s3:PutObject", Resource = aws_s3_bucket.logs[0].arn },
    ]""",
        prelude=source,
    )
    plan_file = write(tmp_path, plan, {"main.tf": source})
    _, report = check(plan_file, "pci-dss")
    assert not policy_blocks(report), policy_blocks(report)
    assert not findings_of(report, "TFG-IAM-060")


def test_eks_service_account_trust_is_not_a_false_block(tmp_path: Path) -> None:
    """The usual IRSA trust policy: the provider's URL, with `https://` cut off, in the condition
    key. A function of an unknown value in a `Condition` is a condition tfgate cannot read, not a
    computed grant."""
    provider = change(
        "aws_iam_openid_connect_provider",
        "eks",
        {"client_id_list": ["sts.amazonaws.com"], "tags": None},
        after_unknown={
            "arn": True,
            "id": True,
            "url": True,
            "thumbprint_list": True,
            "tags_all": True,
        },
    )
    role = change(
        "aws_iam_role",
        "web",
        {"name": "web", "path": "/", "max_session_duration": 3600, "tags": None},
        after_unknown={"assume_role_policy": True, "arn": True, "id": True, "unique_id": True},
    )
    references = [
        "aws_iam_openid_connect_provider.eks.arn",
        "aws_iam_openid_connect_provider.eks",
        "local.issuer_host",
    ]
    plan = plan_document(
        [provider, role],
        [
            config_resource(
                "aws_iam_openid_connect_provider",
                "eks",
                {"url": {"references": ["var.issuer"]}},
            ),
            config_resource(
                "aws_iam_role",
                "web",
                {
                    "name": {"constant_value": "web"},
                    "assume_role_policy": {"references": references},
                },
            ),
        ],
        variables={"issuer": "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"},
    )
    source = """
    variable "issuer" { type = string }

    locals {
      issuer_host = replace(aws_iam_openid_connect_provider.eks.url, "https://", "")
    }

    resource "aws_iam_openid_connect_provider" "eks" {
      url            = var.issuer
      client_id_list = ["sts.amazonaws.com"]
    }

    resource "aws_iam_role" "web" {
      name = "web"
      assume_role_policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Action    = "sts:AssumeRoleWithWebIdentity"
          Principal = { Federated = aws_iam_openid_connect_provider.eks.arn }
          Condition = {
            StringEquals = {
              "${local.issuer_host}:sub" = "system:serviceaccount:app:web"
              "${local.issuer_host}:aud" = "sts.amazonaws.com"
            }
          }
        }]
      })
    }
    """
    plan_file = write(tmp_path, plan, {"main.tf": source})
    for profile in ("baseline", "pci-dss"):
        _, report = check(plan_file, profile)
        assert not policy_blocks(report), (profile, policy_blocks(report))
        assert not findings_of(report, "TFG-IAM-060"), profile


def test_inline_policy_of_a_role(tmp_path: Path) -> None:
    """An `inline_policy` block of `aws_iam_role`, matched to its source block by name."""
    trust = orjson.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                }
            ],
        }
    ).decode()
    role = change(
        "aws_iam_role",
        "deployer",
        {
            "name": "deployer",
            "path": "/",
            "assume_role_policy": trust,
            "max_session_duration": 3600,
            "tags": None,
            "inline_policy": [{"name": "read"}, {"name": "deploy"}],
        },
        after_unknown={
            "arn": True,
            "id": True,
            "unique_id": True,
            "inline_policy": [{"policy": True}, {"policy": True}],
        },
    )
    inline = [
        {"name": {"constant_value": "deploy"}, "policy": {"references": list(DUMMY_REFERENCES)}},
        {"name": {"constant_value": "read"}, "policy": {"references": list(DUMMY_REFERENCES)}},
    ]
    config = config_resource(
        "aws_iam_role",
        "deployer",
        {
            "name": {"constant_value": "deployer"},
            "assume_role_policy": {"constant_value": trust},
            "inline_policy": inline,
        },
    )
    source = (
        BUCKET_TF
        + """
    resource "aws_iam_role" "deployer" {
      name               = "deployer"
      assume_role_policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Action    = "sts:AssumeRole"
          Principal = { Service = "lambda.amazonaws.com" }
        }]
      })

      inline_policy {
        name = "deploy"
        policy = jsonencode({
          Version = "2012-10-17"
          Statement = [
            { Effect = "Allow", Action = "s3:GetObject", Resource = aws_s3_bucket.dummy.arn },
            { Effect = "Allow", Action = "iam:PassRole", Resource = "*" },
          ]
        })
      }

      inline_policy {
        name = "read"
        policy = jsonencode({
          Version   = "2012-10-17"
          Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]
          Id        = aws_s3_bucket.dummy.arn
        })
      }
    }
    """
    )
    plan = plan_document([bucket_change(), role], [BUCKET_CONFIG, config])
    plan_file = write(tmp_path, plan, {"main.tf": source})
    code, report = check(plan_file, "baseline")
    assert code == 1
    (finding,) = [f for f in findings_of(report, "TFG-IAM-014") if f["blocking"]]
    assert finding["address"] == "aws_iam_role.deployer"
    assert "inline_policy[deploy]" in finding["message"]
    assert not findings_of(report, "TFG-IAM-060")


@pytest.mark.parametrize(
    "expression",
    [
        'join("", [for i in local.many : local.big])',
        '[for i in local.many : "${local.big}${i}"]',
        "jsonencode([for i in local.many : [local.big]])",
        'replace(local.big, "x", local.big)',
    ],
)
def test_values_that_expand_past_the_bounds_stay_unknown(tmp_path: Path, expression: str) -> None:
    """A short expression can name a huge value (a list of ten thousand copies of one long
    string): the evaluator measures before it builds, gives up, and the document stays unknown."""
    many = ", ".join("0" for _ in range(10_000))
    prelude = BUCKET_TF + f'\nlocals {{\n  big  = "{"x" * 2_000}"\n  many = [{many}]\n}}\n'
    source = deployer_tf(
        f'[{{ Effect = "Allow", Action = "s3:GetObject", Sid = {expression}, '
        "Resource = aws_s3_bucket.dummy.arn }]",
        prelude=prelude,
    )
    named = [name for name in ("local.many", "local.big") if name in expression]
    references = [*named, *DUMMY_REFERENCES]
    plan = plan_document(
        [bucket_change(), policy_change()], [BUCKET_CONFIG, policy_config(references)]
    )
    plan_file = write(tmp_path, plan, {"main.tf": source})
    _, report = check(plan_file, "baseline")
    assert [f["status"] for f in findings_of(report, "TFG-IAM-060")] == ["unknown"]
    assert any("could not be rebuilt from the Terraform source" in n for n in report["notes"])


def test_each_value_of_a_for_each_policy(tmp_path: Path) -> None:
    """`each.key` / `each.value` come from the instance key in the plan and the block's
    `for_each` in the source."""
    policies = []
    for key in ("deploy", "read"):
        policy = policy_change()
        policy["address"] = f'aws_iam_policy.deployer["{key}"]'
        policy["index"] = key
        policy["change"]["after"]["name"] = key
        policies.append(policy)
    references = ["each.value", "each.key", *DUMMY_REFERENCES]
    config = policy_config(references)
    config["for_each_expression"] = {
        "constant_value": {"deploy": "iam:PassRole", "read": "s3:Get*"}
    }
    plan = plan_document([bucket_change(), *policies], [BUCKET_CONFIG, config])
    source = (
        BUCKET_TF
        + """
    resource "aws_iam_policy" "deployer" {
      for_each = { deploy = "iam:PassRole", read = "s3:Get*" }
      name     = each.key
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Sid = each.key, Effect = "Allow", Action = each.value, Resource = "*" }]
        Id        = aws_s3_bucket.dummy.id
      })
    }
    """
    )
    plan_file = write(tmp_path, plan, {"main.tf": source})
    code, report = check(plan_file, "baseline")
    assert code == 1
    assert blocking(report) >= {('aws_iam_policy.deployer["deploy"]', "TFG-IAM-014")}
    assert not [f for f in findings_of(report, "TFG-IAM-014") if "read" in f["address"]]
    assert not findings_of(report, "TFG-IAM-060")


def test_module_output(tmp_path: Path) -> None:
    """An action list from a module output is followed into the module's source."""
    references = ["module.catalogue.pass_actions", "module.catalogue", *DUMMY_REFERENCES]
    calls = {
        "catalogue": {"source": "./catalogue", "module": {"outputs": {"pass_actions": {}}}},
    }
    plan = plan_document(
        [bucket_change(), policy_change()],
        [BUCKET_CONFIG, policy_config(references)],
        module_calls=calls,
    )
    source = deployer_tf(
        """[{
      Sid      = "FromModule"
      Effect   = "Allow"
      Action   = module.catalogue.pass_actions
      Resource = "*"
    }, { Effect = "Allow", Action = "s3:GetObject", Resource = aws_s3_bucket.dummy.arn }]""",
        prelude=BUCKET_TF + 'module "catalogue" {\n  source = "./catalogue"\n}\n',
    )
    catalogue = 'output "pass_actions" {\n  value = ["iam:PassRole"]\n}\n'
    plan_file = write(tmp_path, plan, {"main.tf": source, "catalogue/outputs.tf": catalogue})
    code, report = check(plan_file, "baseline")
    assert code == 1
    (finding,) = findings_of(report, "TFG-IAM-014")
    assert "FromModule" in finding["message"]
    assert not findings_of(report, "TFG-IAM-060")
