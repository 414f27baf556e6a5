"""The shared IAM golden table, case by case.

The table (`../shared/reference/iam-golden.json`, beside the checkout) says, per policy document,
which rules must fire with which severity and which must stay silent. The rules themselves are
built elsewhere; here each rule's verdict is derived from the analysis API exactly the way the
rule will ask it, so a failure means the analysis cannot answer what the rule needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tfgate.errors import PolicyError
from tfgate.iam import actions
from tfgate.iam.analysis import (
    ESCALATION_METHODS,
    SubjectClass,
    allowed,
    allowed_anywhere,
    foreign_account_principals,
    github_audience_pinned,
    github_operator_misuse,
    github_subject_class,
    is_account_root_principal,
    is_full_admin,
    is_public_principal,
    limiting_conditions,
    principal_account,
    privilege_escalation_paths,
    service_wildcards,
    trust_statements,
    unknown_action_patterns,
    unrestricted_actions,
)
from tfgate.iam.policy import Policy, Statement, parse_policy

GOLDEN = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "iam-golden.json"
OWN_ACCOUNTS = frozenset({"111122223333"})


def _cases() -> list[Any]:
    if not GOLDEN.is_file():
        return [pytest.param(None, id="golden-table-absent")]
    return [pytest.param(case, id=case["id"]) for case in json.loads(GOLDEN.read_text())]


# ---------------------------------------------------------------------------------------------
# Each function answers one rule with its severity, or None when the rule stays silent.


def iam_010(policy: Policy) -> str | None:
    grants = is_full_admin(policy)
    if not grants:
        return None
    iam_pm = {
        a for a in actions.expand("iam:*") if "Permissions management" in actions.access_levels(a)
    }
    for grant in grants:
        if grant.action_pattern != "NotAction":
            return "CRITICAL"
        excluded = {
            a
            for a in iam_pm
            if any(actions.pattern_matches(p, a) for p in grant.statement.not_actions or ())
        }
        if len(excluded) < len(iam_pm) / 2:
            return "CRITICAL"
    return "HIGH"


HIGH_SERVICES = {"iam", "organizations", "sts", "sso", "account"}
SENSITIVE = HIGH_SERVICES | {
    "kms",
    "secretsmanager",
    "ssm",
    "lambda",
    "s3",
    "ec2",
    "cloudtrail",
    "identitystore",
    "ram",
}


def iam_011(policy: Policy) -> str | None:
    services = {service for service, _ in service_wildcards(policy) if service in SENSITIVE}
    if not services:
        return None
    return "HIGH" if services & HIGH_SERVICES else "MEDIUM"


def _star(statement: Statement) -> bool:
    return statement.not_resources is not None or "*" in (statement.resources or ())


def iam_012(policy: Policy) -> str | None:
    found = [s for s in policy.statements if s.is_allow and s.not_actions is not None]
    if not found:
        return None
    if any(_star(s) and not limiting_conditions(s) for s in found):
        return "HIGH"
    return "MEDIUM"


def iam_013(policy: Policy) -> str | None:
    found = [s for s in policy.statements if s.is_allow and s.not_resources is not None]
    if not found:
        return None
    writes = {"Write", "Permissions management", "Tagging"}
    for statement in found:
        patterns = statement.actions or ("*",)
        if any(actions.access_levels(a) & writes for p in patterns for a in actions.expand(p)):
            return "HIGH"
    return "MEDIUM"


PASS_ROLE_KEYS = {"iam:PassedToService", "iam:AssociatedResourceArn"}


def iam_014(policy: Policy) -> str | None:
    grants = allowed(policy, "iam:PassRole", "role")
    if not grants:
        return None
    if any(not limiting_conditions(g.statement, PASS_ROLE_KEYS) for g in grants):
        return "HIGH"
    return "LOW"


def iam_015(policy: Policy) -> str | None:
    return "MEDIUM" if unrestricted_actions(policy, "Write") else None


def iam_016(policy: Policy) -> str | None:
    return "HIGH" if unrestricted_actions(policy, "Permissions management") else None


def iam_017(policy: Policy) -> str | None:
    methods = {m.name: m for m in ESCALATION_METHODS}
    severities = [methods[name].severity for name, _ in privilege_escalation_paths(policy)]
    for severity in ("CRITICAL", "HIGH", "MEDIUM"):
        if severity in severities:
            return severity
    return None


CREDENTIAL_ACTIONS = {
    "iam:CreateAccessKey": "user",
    "iam:UpdateAccessKey": "user",
    "iam:CreateLoginProfile": "user",
    "iam:CreateServiceSpecificCredential": "user",
    "sts:GetFederationToken": None,
    "ec2:GetPasswordData": None,
    "redshift:GetClusterCredentials": None,
}


def iam_018(policy: Policy) -> str | None:
    hits = [a for a, kind in CREDENTIAL_ACTIONS.items() if allowed(policy, a, kind)]
    if not hits:
        return None
    return "HIGH" if any(a.startswith("iam:") for a in hits) else "MEDIUM"


EXFILTRATION = [
    "s3:GetObject",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "secretsmanager:GetSecretValue",
    "rds:CopyDBSnapshot",
    "rds:CreateDBSnapshot",
    "kms:Decrypt",
]


def iam_019(policy: Policy) -> str | None:
    return "MEDIUM" if any(allowed(policy, a) for a in EXFILTRATION) else None


def iam_020(policy: Policy) -> str | None:
    # Default configuration: boundaries not required, so only the Delete* bypasses count.
    deletes = ("iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary")
    return "HIGH" if any(allowed_anywhere(policy, a) for a in deletes) else None


def iam_021(policy: Policy) -> str | None:
    for grant in allowed(policy, "iam:CreateServiceLinkedRole", "role"):
        if not limiting_conditions(grant.statement, {"iam:AWSServiceName"}):
            return "MEDIUM"
    return None


def iam_062(policy: Policy) -> str | None:
    unknown = unknown_action_patterns(policy)
    if not unknown:
        return None
    return "MEDIUM" if any(statement.is_deny for statement, _ in unknown) else "LOW"


ORG_GUARDS = {
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:SourceAccount",
    "aws:SourceArn",
}


def iam_030(policy: Policy) -> str | None:
    found = [s for s in trust_statements(policy) if is_public_principal(s)]
    if not found or all(limiting_conditions(s, ORG_GUARDS) for s in found):
        return None
    weak = all(limiting_conditions(s) for s in found if not limiting_conditions(s, ORG_GUARDS))
    return "HIGH" if weak else "CRITICAL"


def _github_classes(policy: Policy) -> list[SubjectClass]:
    return [c for s in policy.statements if (c := github_subject_class(s)) is not None]


def iam_031(policy: Policy) -> str | None:
    return "CRITICAL" if SubjectClass.MISSING in _github_classes(policy) else None


def iam_032(policy: Policy) -> str | None:
    classes = set(_github_classes(policy))
    if classes & {SubjectClass.ANY, SubjectClass.ABUSABLE_FIRST_CLAIM}:
        return "CRITICAL"
    if classes & {SubjectClass.ORG, SubjectClass.REPO_PREFIX}:
        return "MEDIUM"
    if SubjectClass.REPO_ANY_REF in classes:
        return "LOW"
    return None


def iam_033(policy: Policy) -> str | None:
    misused = [s for s in policy.statements if github_operator_misuse(s)]
    if not misused:
        return None
    if all(github_subject_class(s) == SubjectClass.BROKEN for s in misused):
        return "LOW"
    return "MEDIUM"


def iam_034(policy: Policy) -> str | None:
    github = [s for s in policy.statements if github_subject_class(s) is not None]
    return "LOW" if any(not github_audience_pinned(s) for s in github) else None


EXTERNAL_GUARDS = {"sts:ExternalId", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths"}


def iam_036(policy: Policy) -> str | None:
    severity = None
    for statement in trust_statements(policy):
        foreign = foreign_account_principals(statement, OWN_ACCOUNTS)
        if not foreign or limiting_conditions(statement, EXTERNAL_GUARDS):
            continue
        if any(is_account_root_principal(p) for p in foreign):
            return "HIGH"
        severity = "MEDIUM"
    return severity


def iam_037(policy: Policy) -> str | None:
    for statement in trust_statements(policy):
        for value in (statement.principals or {}).get("AWS", ()):
            own = principal_account(value) in OWN_ACCOUNTS
            guarded = limiting_conditions(statement, {"aws:PrincipalArn"}) or any(
                c.key.startswith("aws:principaltag/") for c in limiting_conditions(statement)
            )
            if own and is_account_root_principal(value) and not guarded:
                return "LOW"
    return None


def iam_039(policy: Policy) -> str | None:
    found = [s for s in policy.statements if s.is_allow and s.not_principals is not None]
    return "HIGH" if found else None


PUBLIC_GUARDS = {
    "aws:PrincipalOrgID",
    "aws:PrincipalAccount",
    "aws:SourceVpce",
    "aws:SourceVpc",
    "aws:SourceIp",
    "aws:SourceArn",
    "aws:SourceAccount",
}


def iam_040(policy: Policy) -> str | None:
    severity = None
    for statement in policy.statements:
        if not statement.is_allow or not is_public_principal(statement):
            continue
        if limiting_conditions(statement, PUBLIC_GUARDS):
            continue
        patterns = statement.actions or ("*",)
        levels = {
            lv for p in patterns for a in actions.expand(p) for lv in actions.access_levels(a)
        }
        if levels & {"Write", "Permissions management"}:
            return "CRITICAL"
        severity = "HIGH"
    return severity


def iam_060(policy: Policy) -> str | None:
    # Parse failures never reach here (verdicts() reports them); structural problems do.
    return "HIGH" if policy.problems else None


IDENTITY_RULES = {
    "IAM-010": iam_010,
    "IAM-011": iam_011,
    "IAM-012": iam_012,
    "IAM-013": iam_013,
    "IAM-014": iam_014,
    "IAM-015": iam_015,
    "IAM-016": iam_016,
    "IAM-017": iam_017,
    "IAM-018": iam_018,
    "IAM-019": iam_019,
    "IAM-020": iam_020,
    "IAM-021": iam_021,
    "IAM-060": iam_060,
    "IAM-062": iam_062,
}
TRUST_RULES = {
    "IAM-030": iam_030,
    "IAM-031": iam_031,
    "IAM-032": iam_032,
    "IAM-033": iam_033,
    "IAM-034": iam_034,
    "IAM-036": iam_036,
    "IAM-037": iam_037,
    "IAM-039": iam_039,
    "IAM-060": iam_060,
}
RESOURCE_RULES = {"IAM-039": iam_039, "IAM-040": iam_040, "IAM-060": iam_060}
RULES_BY_KIND = {"identity": IDENTITY_RULES, "trust": TRUST_RULES, "resource": RESOURCE_RULES}


def verdicts(kind: str, document: Any) -> dict[str, str]:
    try:
        policy = parse_policy(json.dumps(document))
    except PolicyError:
        return {"IAM-060": "HIGH"}
    found = {}
    for rule_id, rule in RULES_BY_KIND[kind].items():
        severity = rule(policy)
        if severity is not None:
            found[rule_id] = severity
    return found


@pytest.mark.parametrize("case", _cases())
def test_golden_case(case: Any) -> None:
    if case is None:
        pytest.skip("iam-golden.json is not available beside this checkout")
    found = verdicts(case["kind"], case["policy"])
    rules = RULES_BY_KIND[case["kind"]]
    for rule_id, severity in case["fire"].items():
        assert rule_id in rules, f"{rule_id} has no verdict function"
        assert found.get(rule_id) == severity, (rule_id, found)
    for rule_id in case["not_"]:
        assert rule_id in rules, f"{rule_id} has no verdict function"
        assert rule_id not in found, (rule_id, found)


def test_golden_policies_parse_without_problems() -> None:
    if not GOLDEN.is_file():
        pytest.skip("iam-golden.json is not available beside this checkout")
    for case in json.loads(GOLDEN.read_text()):
        assert parse_policy(case["policy"]).problems == (), case["id"]
