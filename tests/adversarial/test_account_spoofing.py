"""Class 5: account spoofing. The pull request writes the provider blocks, so it writes the
account evidence. An unused provider alias whose `assume_role` or `allowed_account_ids` names
a sandbox account is never configured by Terraform, so it can name any account: it must not
lower the profile a payments plan is judged with, nor let a sandbox waiver cover it.

Each case is the `iam-user-created` fixture plan (real `terraform show -json` output: IAM users
created in account 111122223333, whose existing users' ARNs name that account) with provider
blocks and data sources as a pull request would add them, judged by the real CLI under a
tfgate.yaml that maps the payments account to `baseline` or `pci-dss` and the sandbox account
to a profile that turns the IAM user rule off.
"""

from __future__ import annotations

import copy
import datetime
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from tests.paths import FIXTURES
from tfgate.cli import app

PAYMENTS = "111122223333"
SANDBOX = "444455556666"
FIXTURE = FIXTURES / "iam-user-created" / "fail"
AWS = "registry.terraform.io/hashicorp/aws"
FAR = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()

SANDBOX_PROFILE = """\
name: sandbox
extends: [baseline]
rules:
  TFG-IAM-001: {enforcement: "off"}
"""

runner = CliRunner()


def role(account: str) -> list[dict[str, Any]]:
    return [{"role_arn": {"constant_value": f"arn:aws:iam::{account}:role/terraform"}}]


def allowed(account: str) -> dict[str, Any]:
    return {"constant_value": [account]}


def provider(alias: str | None = None, **expressions: Any) -> dict[str, Any]:
    block: dict[str, Any] = {
        "name": "aws",
        "full_name": AWS,
        "version_constraint": "~> 5.0",
        "expressions": {"region": {"constant_value": "eu-west-1"}, **expressions},
    }
    if alias:
        block["alias"] = alias
    return block


def caller_identity(plan: dict[str, Any], account: str, provider_key: str = "aws") -> None:
    """`data "aws_caller_identity" "current" {}` read at plan time, as Terraform records it."""
    name = "current" if provider_key == "aws" else provider_key.split(".")[-1]
    plan["prior_state"]["values"]["root_module"]["resources"].append(
        {
            "address": f"data.aws_caller_identity.{name}",
            "mode": "data",
            "type": "aws_caller_identity",
            "name": name,
            "provider_name": AWS,
            "schema_version": 0,
            "values": {
                "account_id": account,
                "arn": f"arn:aws:sts::{account}:assumed-role/terraform/ci",
                "id": account,
                "user_id": "AROAEXAMPLEROLEID0001:ci",
            },
            "sensitive_values": {},
        }
    )
    plan["configuration"]["root_module"]["resources"].append(
        {
            "address": f"data.aws_caller_identity.{name}",
            "mode": "data",
            "type": "aws_caller_identity",
            "name": name,
            "provider_config_key": provider_key,
            "schema_version": 0,
        }
    )


def base_plan() -> dict[str, Any]:
    document = orjson.loads((FIXTURE / "plan.json").read_bytes())
    assert isinstance(document, dict)
    return copy.deepcopy(document)


def without_existing_arns(plan: dict[str, Any]) -> None:
    """Drop the ARNs of existing users, so only the providers and data sources say the account."""
    for change in plan["resource_changes"]:
        for side in ("before", "after"):
            values = change["change"].get(side)
            if isinstance(values, dict) and "arn" in values:
                values["arn"] = None


def workspace(tmp_path: Path, plan: dict[str, Any], payments_profile: str, extra: str = "") -> Path:
    (tmp_path / "sandbox.yaml").write_text(SANDBOX_PROFILE)
    (tmp_path / "tfgate.yaml").write_text(
        f"default_profile: {payments_profile}\n"
        "accounts:\n"
        f'  "{PAYMENTS}": {{name: payments-prod, profiles: [{payments_profile}]}}\n'
        f'  "{SANDBOX}": {{name: sandbox, profiles: [sandbox.yaml]}}\n' + extra
    )
    (tmp_path / "plan.json").write_bytes(orjson.dumps(plan))
    shutil.copy(FIXTURE / "main.tf", tmp_path / "main.tf")
    return tmp_path / "plan.json"


def judge(plan_file: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["check", str(plan_file), "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    report = orjson.loads(result.stdout)
    assert isinstance(report, dict)
    return result.exit_code, report


def spoofs() -> dict[str, dict[str, Any]]:
    """A payments plan, and the provider alias a pull request adds to it."""
    cases: dict[str, dict[str, Any]] = {}
    plan = base_plan()
    plan["configuration"]["provider_config"]["aws"] = provider(
        allowed_account_ids=allowed(PAYMENTS)
    )
    plan["configuration"]["provider_config"]["aws.sandbox"] = provider(
        "sandbox", assume_role=role(SANDBOX)
    )
    cases["alias assume_role beside allowed_account_ids"] = plan

    plan = base_plan()
    plan["configuration"]["provider_config"]["aws"] = provider(assume_role=role(PAYMENTS))
    plan["configuration"]["provider_config"]["aws.sandbox"] = provider(
        "sandbox", allowed_account_ids=allowed(SANDBOX)
    )
    cases["alias allowed_account_ids beside assume_role"] = plan

    plan = base_plan()
    without_existing_arns(plan)
    caller_identity(plan, PAYMENTS)
    plan["configuration"]["provider_config"]["aws.sandbox"] = provider(
        "sandbox", assume_role=role(SANDBOX)
    )
    cases["alias beside caller identity"] = plan

    plan = base_plan()
    plan["configuration"]["provider_config"]["aws.sandbox"] = provider(
        "sandbox", assume_role=role(SANDBOX)
    )
    cases["alias beside existing resources' ARNs"] = plan

    plan = base_plan()
    plan["configuration"]["provider_config"]["aws"] = provider(
        assume_role=role(PAYMENTS), allowed_account_ids=allowed(SANDBOX)
    )
    cases["one provider whose assume_role and allowed_account_ids differ"] = plan
    return cases


@pytest.mark.parametrize("payments_profile", ["baseline", "pci-dss"])
@pytest.mark.parametrize("case", sorted(spoofs()))
def test_an_alias_naming_the_sandbox_does_not_lower_the_profile(
    tmp_path: Path, case: str, payments_profile: str
) -> None:
    plan_file = workspace(tmp_path, spoofs()[case], payments_profile)
    code, report = judge(plan_file)
    assert code == 1
    assert payments_profile in report["profiles"]
    assert report["summary"]["blocking"] == 5
    assert "the account evidence disagrees" in report["selection"]["reason"]
    assert "union of every candidate's profiles and the default" in report["selection"]["reason"]


@pytest.mark.parametrize("payments_profile", ["baseline", "pci-dss"])
def test_a_provider_without_evidence_keeps_the_default(
    tmp_path: Path, payments_profile: str
) -> None:
    """Credentials from the environment (the default provider names no account, the plan no
    ARNs): an alias naming the sandbox cannot make the plan the sandbox's."""
    plan = base_plan()
    without_existing_arns(plan)
    plan["configuration"]["provider_config"]["aws.sandbox"] = provider(
        "sandbox", assume_role=role(SANDBOX)
    )
    code, report = judge(workspace(tmp_path, plan, payments_profile))
    assert code == 1
    assert report["profiles"] == ["sandbox", payments_profile]
    assert "provider aws names no account the plan shows" in report["selection"]["reason"]


@pytest.mark.parametrize("payments_profile", ["baseline", "pci-dss"])
def test_a_sandbox_waiver_does_not_cover_a_spoofed_plan(
    tmp_path: Path, payments_profile: str
) -> None:
    (tmp_path / "waivers.yaml").write_text(
        "- rule: TFG-IAM-001\n"
        "  address: aws_iam_user.*\n"
        "  reason: sandbox experiments, ticket SBX-1\n"
        "  owner: sandbox-team\n"
        f"  expires: {FAR}\n"
        f'  account: "{SANDBOX}"\n'
    )
    plan = spoofs()["alias assume_role beside allowed_account_ids"]
    plan_file = workspace(tmp_path, plan, payments_profile, "waivers: waivers.yaml\n")
    code, report = judge(plan_file)
    assert code == 1
    assert not [f for f in report["findings"] if f["status"] == "waived"]
    assert "account-scoped waivers do not" in report["selection"]["reason"]


@pytest.mark.parametrize("payments_profile", ["baseline", "pci-dss"])
def test_agreeing_evidence_still_selects_exactly_the_account(
    tmp_path: Path, payments_profile: str
) -> None:
    """No false strictness: a plan whose evidence agrees gets its account's profile alone."""
    plan = base_plan()
    plan["configuration"]["provider_config"]["aws"] = provider(
        assume_role=role(PAYMENTS), allowed_account_ids=allowed(PAYMENTS)
    )
    plan["configuration"]["provider_config"]["aws.us"] = provider(
        "us", allowed_account_ids=allowed(PAYMENTS)
    )
    code, report = judge(workspace(tmp_path, plan, payments_profile))
    assert code == 1
    assert report["profiles"] == [payments_profile]
    assert report["selection"]["reason"] == "account payments-prod"


def test_a_genuine_sandbox_plan_gets_the_sandbox_profile(tmp_path: Path) -> None:
    plan = base_plan()
    without_existing_arns(plan)
    caller_identity(plan, SANDBOX)
    plan["configuration"]["provider_config"]["aws"] = provider(assume_role=role(SANDBOX))
    code, report = judge(workspace(tmp_path, plan, "pci-dss"))
    assert code == 0
    assert report["profiles"] == ["sandbox"]


def test_account_pinned_by_the_pipeline_wins(tmp_path: Path) -> None:
    """`--account` comes from the workflow, not the plan: it is not evidence to weigh."""
    plan = spoofs()["alias assume_role beside allowed_account_ids"]
    code, report = judge(workspace(tmp_path, plan, "pci-dss"), "--account", PAYMENTS)
    assert code == 1
    assert report["profiles"] == ["pci-dss"]


def test_no_config_ignores_a_tfgate_yaml_beside_the_plan(tmp_path: Path) -> None:
    """`--no-config`: a tfgate.yaml the pull request adds beside the plan is not read."""
    plan_file = workspace(tmp_path, base_plan(), "pci-dss")
    (tmp_path / "tfgate.yaml").write_text(
        f'default_profile: sandbox.yaml\naccounts:\n  "{PAYMENTS}": {{profiles: [sandbox.yaml]}}\n'
    )
    assert judge(plan_file)[0] == 0
    code, report = judge(plan_file, "--no-config", "--profile", "pci-dss")
    assert code == 1
    assert report["profiles"] == ["pci-dss"]
    assert "configuration: none read (--no-config)" in report["notes"]


@pytest.mark.parametrize("profile", ["baseline", "pci-dss"])
def test_an_alias_naming_the_trusted_account_does_not_make_the_trust_own(
    tmp_path: Path, profile: str
) -> None:
    """A role trusting another account's root without an external id blocks (TFG-IAM-036).
    An unused alias naming that account must not turn it into trust of one's own account."""
    fixture = FIXTURES / "cross-account-trust-unguarded" / "fail"
    plan = orjson.loads((fixture / "plan.json").read_bytes())
    trusted = "999988887777"
    plan["configuration"]["provider_config"]["aws.vendor"] = provider(
        "vendor", assume_role=role(trusted)
    )
    (tmp_path / "plan.json").write_bytes(orjson.dumps(plan))
    shutil.copy(fixture / "main.tf", tmp_path / "main.tf")
    code, report = judge(tmp_path / "plan.json", "--no-config", "--profile", profile)
    assert code == 1
    assert trusted in report["selection"]["accounts"]
    rules = {f["rule"] for f in report["findings"] if f["blocking"]}
    assert "TFG-IAM-036" in rules
