"""The rule harness: every rule runs over its fail/ and pass/ plans and the exact addresses match.

Each rule `name` has `fixtures/<name>/fail/plan.json` and `fixtures/<name>/pass/plan.json`.
Managed resources named `fail_*` are exactly the ones the rule must report as introduced or
unknown; `pass_*` resources must not be. A `pass_existing_*` resource already violates the rule
before the plan: it must be reported as `existing` and must not block.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from tests.paths import FIXTURES
from tfgate.cli import app
from tfgate.config.profiles import Profile, RuleSetting
from tfgate.engine import evaluate
from tfgate.plan.load import load_plan
from tfgate.report import Enforcement, Report, Status
from tfgate.rules import RULES
from tfgate.rules.base import Rule

SIDES = ("fail", "pass")
FAILING_STATUSES = frozenset({Status.INTRODUCED, Status.UNKNOWN})

# Resources already in violation before the plan (no-op, or an update that keeps the violation):
# reported `existing`, never blocking. Keyed by rule name, then fixture side.
NO_EXISTING: Mapping[str, frozenset[str]] = {"fail": frozenset(), "pass": frozenset()}
EXISTING: Mapping[str, Mapping[str, frozenset[str]]] = {
    "iam-user-created": {
        "fail": frozenset({"aws_iam_user.pass_existing_bob", "aws_iam_user.pass_existing_carol"}),
        "pass": frozenset({"aws_iam_user.pass_existing_bob", "aws_iam_user.pass_existing_carol"}),
    },
    "long-lived-access-key": {
        "fail": frozenset(
            {
                "aws_iam_access_key.pass_existing_legacy",
                "aws_iam_access_key.pass_existing_disabled",
            }
        ),
        "pass": frozenset(
            {
                "aws_iam_access_key.pass_existing_legacy",
                "aws_iam_access_key.pass_existing_disabled",
            }
        ),
    },
    "iam-user-console-password": {
        "fail": frozenset(
            {
                "aws_iam_user_login_profile.pass_existing_console",
                "aws_iam_user_login_profile.pass_existing_reset",
            }
        ),
        "pass": frozenset(
            {
                "aws_iam_user_login_profile.pass_existing_console",
                "aws_iam_user_login_profile.pass_existing_reset",
            }
        ),
    },
    "iam-user-permissions": {
        # fail_billing gains user "carol" (introduced) but "bob" was already attached (existing).
        "fail": frozenset(
            {
                "aws_iam_group_membership.pass_existing_ops",
                "aws_iam_policy_attachment.pass_existing_support",
                "aws_iam_policy_attachment.fail_billing",
            }
        ),
        "pass": frozenset(
            {
                "aws_iam_group_membership.pass_existing_ops",
                "aws_iam_policy_attachment.pass_existing_support",
            }
        ),
    },
    "pass-role-any-role": {
        "fail": frozenset(
            {"aws_iam_policy.pass_existing_legacy", "aws_iam_policy.pass_existing_tagged"}
        ),
        "pass": frozenset(
            {"aws_iam_policy.pass_existing_legacy", "aws_iam_policy.pass_existing_tagged"}
        ),
    },
    "policy-not-evaluable": {"fail": frozenset(), "pass": frozenset()},
    "cloudtrail-kms-encryption": {
        "fail": frozenset(
            {"aws_cloudtrail.pass_existing_legacy", "aws_cloudtrail.pass_existing_retagged"}
        ),
        "pass": frozenset(
            {"aws_cloudtrail.pass_existing_legacy", "aws_cloudtrail.pass_existing_retagged"}
        ),
    },
    "log-group-kms-encryption": {
        "fail": frozenset(
            {
                "aws_cloudwatch_log_group.pass_existing_legacy",
                "aws_cloudwatch_log_group.pass_existing_retention",
            }
        ),
        "pass": frozenset(
            {
                "aws_cloudwatch_log_group.pass_existing_legacy",
                "aws_cloudwatch_log_group.pass_existing_retention",
            }
        ),
    },
    "guardrail-deleted": {"fail": frozenset(), "pass": frozenset()},
    "cloudtrail-management-events-narrowed": NO_EXISTING,
    "config-recorder-narrowed": NO_EXISTING,
    "scp-guardrail-removed": NO_EXISTING,
    "published-vendor-policy": NO_EXISTING,
    "guardrail-disabled": {
        "fail": frozenset(
            {"aws_cloudtrail.pass_existing_paused", "aws_cloudtrail.pass_existing_paused_retag"}
        ),
        "pass": frozenset(
            {"aws_cloudtrail.pass_existing_paused", "aws_cloudtrail.pass_existing_paused_retag"}
        ),
    },
    # IAM analysis rules (TFG-IAM-005..062): pass_existing_* already violate before the plan.
    "role-session-too-long": {
        "fail": frozenset(),
        "pass": frozenset({"aws_iam_role.pass_existing_long"}),
    },
    "full-admin-policy": {
        "fail": frozenset(),
        "pass": frozenset({"aws_iam_policy.pass_existing_admin"}),
    },
    "write-on-any-resource": {
        "fail": frozenset(),
        "pass": frozenset({"aws_iam_policy.pass_existing_launch"}),
    },
    "role-assumable-by-anyone": {
        "fail": frozenset(),
        "pass": frozenset({"aws_iam_role.pass_existing_public"}),
    },
    "public-resource-policy": {
        "fail": frozenset(),
        "pass": frozenset({"aws_s3_bucket_policy.pass_existing_public"}),
    },
    "admin-managed-policy-attached": {"fail": frozenset(), "pass": frozenset()},
    "permissions-boundary-missing": {"fail": frozenset(), "pass": frozenset()},
    "service-linked-role-modified": {"fail": frozenset(), "pass": frozenset()},
    "oidc-provider-unexpected-audience": {"fail": frozenset(), "pass": frozenset()},
    "service-wildcard-action": {"fail": frozenset(), "pass": frozenset()},
    "allow-not-action": {"fail": frozenset(), "pass": frozenset()},
    "allow-not-resource": {"fail": frozenset(), "pass": frozenset()},
    "permissions-management-on-any-resource": {"fail": frozenset(), "pass": frozenset()},
    "privilege-escalation": {"fail": frozenset(), "pass": frozenset()},
    "credential-actions-on-any-resource": {"fail": frozenset(), "pass": frozenset()},
    "data-read-on-any-resource": {"fail": frozenset(), "pass": frozenset()},
    "permissions-boundary-bypass": {"fail": frozenset(), "pass": frozenset()},
    "service-linked-role-any-service": {"fail": frozenset(), "pass": frozenset()},
    "assume-any-role": {"fail": frozenset(), "pass": frozenset()},
    "guardrail-tampering-actions": {"fail": frozenset(), "pass": frozenset()},
    "github-oidc-without-subject": {"fail": frozenset(), "pass": frozenset()},
    "github-oidc-broad-subject": {"fail": frozenset(), "pass": frozenset()},
    "github-oidc-operator-misuse": {"fail": frozenset(), "pass": frozenset()},
    "github-oidc-audience-not-pinned": {"fail": frozenset(), "pass": frozenset()},
    "federation-without-condition": {"fail": frozenset(), "pass": frozenset()},
    "cross-account-trust-unguarded": {"fail": frozenset(), "pass": frozenset()},
    "trust-own-account-root": {"fail": frozenset(), "pass": frozenset()},
    "service-principal-without-source": {"fail": frozenset(), "pass": frozenset()},
    "allow-not-principal": {"fail": frozenset(), "pass": frozenset()},
    "kms-key-policy-full-access": {"fail": frozenset(), "pass": frozenset()},
    "permissive-condition-operator": {"fail": frozenset(), "pass": frozenset()},
    "unknown-action": {"fail": frozenset(), "pass": frozenset()},
    "log-group-retention": {
        "fail": frozenset({"aws_cloudwatch_log_group.pass_existing_debug"}),
        "pass": frozenset(),
    },
    "cloudtrail-multi-region": {
        "fail": frozenset({"aws_cloudtrail.pass_existing_legacy"}),
        "pass": frozenset(),
    },
    "cloudtrail-log-file-validation": {
        "fail": frozenset({"aws_cloudtrail.pass_existing_old"}),
        "pass": frozenset(),
    },
    "kms-key-rotation": {
        "fail": frozenset({"aws_kms_key.pass_existing_legacy"}),
        "pass": frozenset(),
    },
    "cloudtrail-cloudwatch-logs": NO_EXISTING,
    "cloudtrail-bucket-versioning": NO_EXISTING,
    "cloudtrail-bucket-public-access": NO_EXISTING,
    "cloudtrail-bucket-object-lock": NO_EXISTING,
    "cloudtrail-bucket-access-logging": NO_EXISTING,
    "s3-default-encryption": NO_EXISTING,
    "rds-storage-encryption": NO_EXISTING,
    "ebs-encryption": NO_EXISTING,
    "efs-encryption": NO_EXISTING,
    "data-store-encryption": NO_EXISTING,
    "messaging-encryption": NO_EXISTING,
    "security-group-open-admin-ports": NO_EXISTING,
    "nacl-open-admin-ports": NO_EXISTING,
    "rds-publicly-accessible": NO_EXISTING,
    "s3-public-acl": NO_EXISTING,
    "weak-account-password-policy": NO_EXISTING,
    "s3-public-access-block-off": {
        "fail": frozenset({"aws_s3_bucket_public_access_block.pass_existing_legacy"}),
        "pass": frozenset(),
    },
    "resource-region-not-allowed": NO_EXISTING,
    "copy-region-not-allowed": NO_EXISTING,
    "production-resource-destroyed": NO_EXISTING,
    "plaintext-aws-credentials": NO_EXISTING,
    "database-password-literal": NO_EXISTING,
    "secret-read-on-any-resource": NO_EXISTING,
    "delegated-admin-without-boundary": NO_EXISTING,
}

# Findings that must be `unknown` rather than `introduced` (decidable only after apply).
UNKNOWN: Mapping[str, frozenset[str]] = {
    "policy-not-evaluable": frozenset(
        {
            "aws_iam_role_policy.fail_jsonencode_unknown",
            "aws_iam_role_policy.fail_update_unknown",
            "aws_iam_role.fail_github_trust",
        }
    ),
    "ebs-encryption": frozenset({"aws_instance.fail_unknown_root"}),
    "cloudtrail-bucket-versioning": frozenset({"aws_cloudtrail.fail_external"}),
    "resource-region-not-allowed": frozenset({"aws_sns_topic.fail_ambient_alerts"}),
    "copy-region-not-allowed": frozenset(
        {"aws_s3_bucket_replication_configuration.fail_to_unknown"}
    ),
}

# Documents unknown in the plan that the CLI rebuilds from the main.tf beside it (the rule then
# judges them, so they are not reported): `judge` above runs without sources and reports them.
REBUILT_FROM_SOURCE: Mapping[str, frozenset[str]] = {
    "policy-not-evaluable": UNKNOWN["policy-not-evaluable"],
}

# Findings on what is not a resource (root module variables, provider blocks), by rule name:
# their addresses are the variable or the provider, and a fail plan must report exactly these too.
CONFIGURATION_FINDINGS: Mapping[str, frozenset[str]] = {
    "plaintext-aws-credentials": frozenset({"var.deploy_credentials", 'provider["aws"].legacy'}),
}

# Exit code of `tfgate check --profile baseline` on each fail plan. Baseline only warns on
# TFG-IAM-004 and TFG-IAM-060, so plans whose failures are all under those rules pass the gate.
# (TFG-IAM-019's fail plan blocks: its secret read on "*" is TFG-IAM-025's too.)
BASELINE_FAIL_EXIT: Mapping[str, int] = {
    # IAM rules the baseline only warns on (or leaves off: TFG-IAM-006, whose fail plan also
    # warns under TFG-IAM-009 so its addresses are printed).
    "oidc-provider-unexpected-audience": 0,
    "role-session-too-long": 0,
    "permissions-boundary-missing": 0,
    "published-vendor-policy": 0,
    "github-oidc-operator-misuse": 0,
    "github-oidc-audience-not-pinned": 0,
    "trust-own-account-root": 0,
    "service-principal-without-source": 0,
    "kms-key-policy-full-access": 0,
    "permissive-condition-operator": 0,
    "unknown-action": 0,
    "iam-user-permissions": 0,
    "policy-not-evaluable": 0,
    # A database password literal is reported, not blocked.
    "database-password-literal": 0,
    # Encryption with AWS-managed keys the baseline only warns on.
    "s3-default-encryption": 0,
    "data-store-encryption": 0,
    "messaging-encryption": 0,
}
# Rules the baseline leaves off: their fail plans are checked under the profile that enables them.
CLI_PROFILE: Mapping[str, str] = {
    "resource-region-not-allowed": "gdpr",
    "copy-region-not-allowed": "gdpr",
}

RULE_IDS = [rule.name for rule in RULES]


def plan_path(rule: Rule, side: str) -> Path:
    return FIXTURES / rule.name / side / "plan.json"


def only(rule: Rule) -> Profile:
    """A profile enabling exactly `rule`, blocking on introduced and unknown findings."""
    return Profile(
        name="t",
        description="",
        frameworks=(),
        on_unknown=Enforcement.BLOCK,
        block_existing=False,
        rules={rule.id: RuleSetting(Enforcement.BLOCK, dict(rule.defaults))},
        source="t",
    )


def judge(rule: Rule, side: str) -> Report:
    path = plan_path(rule, side)
    assert path.is_file(), f"rule {rule.id} has no fixture {path.relative_to(FIXTURES)}"
    return evaluate(load_plan(path.read_bytes(), str(path)), [only(rule)])


def managed_named(path: Path, prefix: str) -> set[str]:
    """Addresses of managed resources in `resource_changes` whose name starts with `prefix`."""
    document = orjson.loads(path.read_bytes())
    return {
        entry["address"]
        for entry in document.get("resource_changes", [])
        if entry.get("mode", "managed") == "managed" and entry["name"].startswith(prefix)
    }


def addresses(report: Report, rule: Rule, statuses: frozenset[Status]) -> set[str]:
    return {f.address for f in report.findings if f.rule == rule.id and f.status in statuses}


@pytest.fixture(params=RULES, ids=RULE_IDS)
def rule(request: pytest.FixtureRequest) -> Rule:
    return request.param  # type: ignore[no-any-return]


def test_every_rule_has_fixtures(rule: Rule) -> None:
    for side in SIDES:
        folder = FIXTURES / rule.name / side
        assert (folder / "plan.json").is_file(), f"missing {folder}/plan.json"
        assert (folder / "main.tf").is_file(), f"missing {folder}/main.tf"
    assert rule.name in EXISTING, f"add the expected existing findings of {rule.name}"


def test_fail_plan_reports_exactly_the_fail_resources(rule: Rule) -> None:
    report = judge(rule, "fail")
    expected = managed_named(plan_path(rule, "fail"), "fail_")
    assert expected, "a fail plan needs at least one fail_ resource"
    expected |= CONFIGURATION_FINDINGS.get(rule.name, frozenset())
    assert addresses(report, rule, FAILING_STATUSES) == expected
    blocking = {f.address for f in report.blocking}
    assert blocking == expected
    assert not [f for f in report.findings if f.status is Status.ERROR]


@pytest.mark.parametrize("side", SIDES)
def test_existing_findings_are_reported_and_do_not_block(rule: Rule, side: str) -> None:
    report = judge(rule, side)
    existing = addresses(report, rule, frozenset({Status.EXISTING}))
    assert existing == EXISTING[rule.name][side]
    for finding in report.findings:
        if finding.status is Status.EXISTING:
            assert not finding.blocking, finding
    only_existing = {
        address for address in existing if address not in addresses(report, rule, FAILING_STATUSES)
    }
    for address in only_existing:
        assert address.rsplit(".", 1)[-1].startswith("pass_existing_"), address


def test_pass_plan_has_no_failing_findings(rule: Rule) -> None:
    report = judge(rule, "pass")
    assert managed_named(plan_path(rule, "pass"), "fail_") == set()
    assert addresses(report, rule, FAILING_STATUSES) == set()
    assert report.blocking == ()
    assert not [f for f in report.findings if f.status is Status.ERROR]


def test_unknown_findings_are_unknown(rule: Rule) -> None:
    report = judge(rule, "fail")
    expected = UNKNOWN.get(rule.name, frozenset())
    assert addresses(report, rule, frozenset({Status.UNKNOWN})) == expected


def test_fixture_names_are_prefixed(rule: Rule) -> None:
    for side in SIDES:
        path = plan_path(rule, side)
        document = orjson.loads(path.read_bytes())
        for entry in document.get("resource_changes", []):
            assert entry["name"].startswith(("pass_", "fail_")), entry["address"]


def test_baseline_cli_blocks_the_fail_plan(rule: Rule) -> None:
    path = plan_path(rule, "fail")
    profile = CLI_PROFILE.get(rule.name, "baseline")
    result = CliRunner().invoke(app, ["check", str(path), "--profile", profile])
    assert result.exit_code == BASELINE_FAIL_EXIT.get(rule.name, 1), result.output
    rebuilt = REBUILT_FROM_SOURCE.get(rule.name, frozenset())
    expected = (managed_named(path, "fail_") - rebuilt) | CONFIGURATION_FINDINGS.get(
        rule.name, set()
    )
    for address in expected:
        assert address in result.output
    for address in rebuilt:
        assert address not in result.output


def test_baseline_cli_passes_the_pass_plan(rule: Rule) -> None:
    path = plan_path(rule, "pass")
    result = CliRunner().invoke(app, ["check", str(path), "--profile", "baseline"])
    assert result.exit_code == 0, result.output
