"""AWS keys in root module variables and provider blocks, and database password literals."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.paths import FIXTURES
from tests.plan.test_region import make_plan, resource, run_rule
from tfgate.cli import app
from tfgate.config.profiles import load_profile
from tfgate.engine import evaluate
from tfgate.plan.model import Plan
from tfgate.report import Status
from tfgate.rules.sec.secrets import DATABASE_PASSWORD_LITERAL

FAIL_PLAN = FIXTURES / "plaintext-aws-credentials" / "fail" / "plan.json"
PLANTED = (
    "AKIA2E0A8F3B244C9986",
    "Zq3Rt7vK2mXn9PbL4sWd8YcF1gHj6QeT5uVa0NoE",
    "AKIA7C1D5E9F0A2B4C6D",
    "Mh8Kc2Lp5Rn1Wq7Xt4Zs9Vb3Ny6Jd0Fg2Ha5Ue8T",
)


@pytest.mark.parametrize("output", ["text", "json", "sarif", "markdown", "github"])
def test_findings_name_the_variable_and_the_argument_never_the_value(output: str) -> None:
    result = CliRunner().invoke(app, ["check", str(FAIL_PLAN), "--format", output])
    assert result.exit_code == 1, result.output
    assert "var.deploy_credentials" in result.output
    assert (
        'provider[\\"aws\\"].legacy' in result.output or 'provider["aws"].legacy' in result.output
    )
    for value in PLANTED:
        assert value not in result.output


def test_variable_findings_are_introduced_on_the_variable_address() -> None:
    plan = make_plan(
        variables={
            "ci": {"aws_access_key_id": "AKIA3F6B9D2C5E8A1B4C"},
            "region": "eu-west-1",
            "build_id": "AKIA-not-a-key",
        }
    )
    report = evaluate(plan, [load_profile("baseline")])
    found = [(f.address, f.status, f.blocking, f.message) for f in report.findings]
    assert found == [
        (
            "var.ci",
            Status.INTRODUCED,
            True,
            "var.ci.aws_access_key_id holds an AWS access key id in plain text: the value is "
            "written into the plan file and any log that prints it",
        )
    ]


def test_provider_in_a_module_is_addressed_inside_the_module() -> None:
    providers = {
        "module.legacy:aws": {
            "name": "aws",
            "full_name": "registry.terraform.io/hashicorp/aws",
            "module_address": "module.legacy",
            "expressions": {"access_key": {"constant_value": "AKIA3F6B9D2C5E8A1B4C"}},
        }
    }
    report = evaluate(make_plan(providers=providers), [load_profile("baseline")])
    assert [f.address for f in report.findings] == ['module.legacy.provider["aws"]']


def db(before_password: str | None, after_password: str) -> Plan:
    return make_plan(
        resource(
            "aws_db_instance",
            "d",
            {"identifier": "d", "password": after_password},
            before=None
            if before_password is None
            else {"identifier": "d", "password": before_password},
            actions=["create"] if before_password is None else ["update"],
            expressions={"password": {"constant_value": after_password}},
        )
    )


def test_a_literal_password_already_there_is_existing_and_a_changed_one_introduced() -> None:
    profile = load_profile("baseline")
    same = evaluate(db("old-literal-pw", "old-literal-pw"), [profile])
    changed = evaluate(db("old-literal-pw", "new-literal-pw"), [profile])
    rule = DATABASE_PASSWORD_LITERAL.id
    assert [f.status for f in same.findings if f.rule == rule] == [Status.EXISTING]
    assert [f.status for f in changed.findings if f.rule == rule] == [Status.INTRODUCED]
    for report in (same, changed):
        assert all("literal-pw" not in f.message for f in report.findings)


def test_a_password_from_a_reference_is_not_reported() -> None:
    plan = make_plan(
        resource(
            "aws_db_instance",
            "d",
            {"identifier": "d"},
            unknown={"password": True},
            expressions={"password": {"references": ["random_password.db.result"]}},
        )
    )
    assert run_rule(DATABASE_PASSWORD_LITERAL, plan, "aws_db_instance.d") == []


def test_a_crash_while_judging_the_configuration_fails_closed() -> None:
    from dataclasses import replace

    from tfgate.rules.sec.secrets import PLAINTEXT_CREDENTIALS

    def crash(ctx: object, params: object) -> list[tuple[str, object]]:
        raise KeyError("boom")

    broken = replace(PLAINTEXT_CREDENTIALS, plan_check=crash)
    report = evaluate(make_plan(), [load_profile("baseline")], [broken])
    [finding] = report.findings
    assert (finding.address, finding.status, finding.blocking) == (
        "configuration",
        Status.ERROR,
        True,
    )
    assert "KeyError" in finding.message
