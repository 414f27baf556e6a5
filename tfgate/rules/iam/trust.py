"""Rules on who may assume a role: trust policies (TFG-IAM-030 to 037, 039).

Trust rules read `aws_iam_role.assume_role_policy`, as written or rebuilt from an
`aws_iam_policy_document` data source whose only unknown values are ARNs (the ARN of an OIDC
provider created in the same plan is rebuilt from the provider's URL). A rebuilt condition whose
key or value is known only after apply makes a rule report `unknown`, never a guess.

The rules partition the facts so one statement gives one finding per fact: a public principal is
TFG-IAM-030's (an `Allow` with `NotPrincipal` is TFG-IAM-039's, not 030's or 040's); a foreign
account is 036's, the own account's root 037's; a GitHub statement without `sub` is 031's, a
too broad `sub` 032's, a `sub` that can never match 033's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from tfgate.config.selection import caller_accounts
from tfgate.iam.analysis import (
    SubjectClass,
    foreign_account_principals,
    github_audience_pinned,
    github_operator_misuse,
    github_subject_class,
    is_account_root_principal,
    is_public_principal,
    limiting_conditions,
    principal_account,
    trust_statements,
)
from tfgate.iam.policy import Condition, Policy, Statement
from tfgate.plan.model import Resource
from tfgate.plan.values import View
from tfgate.report import Severity
from tfgate.rules.base import Context, Hit, Rule
from tfgate.rules.support.documents import (
    RESOURCE_POLICY_TYPES,
    TRUST_TYPES,
    UNKNOWN_PLACEHOLDER,
    Document,
    parsed,
    resource_documents,
    trust_documents,
)
from tfgate.rules.support.documents import statement_key as _key
from tfgate.rules.support.documents import statement_where as _where

TRUST_CONTROLS: Mapping[str, tuple[str, ...]] = {
    "AWS-WA-SEC": ("SEC03-BP02",),
    "HIPAA": ("164.312(a)(1)",),
    "PCI-DSS-4.0": ("7.2.1",),
    "NRB": ("IT-2012-4-access-control",),
}
FEDERATION_CONTROLS: Mapping[str, tuple[str, ...]] = {
    "AWS-WA-SEC": ("SEC02-BP02", "SEC03-BP02"),
    "HIPAA": ("164.312(a)(1)", "164.312(d)"),
    "PCI-DSS-4.0": ("7.2.1", "8.2.2"),
    "NRB": ("IT-2012-4-access-control",),
}

# Conditions that tie a public trust principal to the organisation or named principals.
ORG_GUARDS = frozenset(
    {
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:SourceAccount",
        "aws:SourceArn",
    }
)
# Guards whose values name accounts: a value whose account is a wildcard names no account.
_ACCOUNT_KEYS = frozenset({"aws:principalaccount", "aws:sourceaccount"})
_ARN_KEYS = frozenset({"aws:principalarn", "aws:sourcearn"})
_WILDCARDS = ("*", "?")


def _names_an_account(key: str, value: str) -> bool:
    """False when `value` of an account or ARN guard admits any account (`*`,
    `arn:aws:iam::*:role/x`)."""
    if key in _ACCOUNT_KEYS:
        account = value
    elif key in _ARN_KEYS:
        parts = value.split(":", 5)
        account = parts[4] if len(parts) == 6 else ""
    else:
        return True
    return bool(account) and not any(wildcard in account for wildcard in _WILDCARDS)


def org_guards(statement: Statement) -> tuple[Condition, ...]:
    """The statement's limiting conditions on `ORG_GUARDS` keys that tie it to an organization
    or to named accounts: an account or ARN guard any of whose values has a wildcard account
    does not (its values are OR-ed)."""
    return tuple(
        condition
        for condition in limiting_conditions(statement, ORG_GUARDS)
        if all(_names_an_account(condition.key, value) for value in condition.values)
    )


# Conditions that make a cross-account trust safe against the confused deputy.
EXTERNAL_GUARDS = frozenset({"sts:ExternalId", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths"})


def _trust_policies(
    resource: Resource, view: View, ctx: Context
) -> Iterator[tuple[Document, Policy]]:
    return parsed(trust_documents(resource, view, ctx))


def _has_unknown(statement: Statement) -> bool:
    """A condition key or value known only after apply (rebuilt documents only)."""
    return any(
        condition.key == UNKNOWN_PLACEHOLDER
        or any(UNKNOWN_PLACEHOLDER in value for value in condition.values)
        for condition in statement.conditions
    )


def public_by_principal(statement: Statement) -> bool:
    """Public through its `Principal` (NotPrincipal is TFG-IAM-039's)."""
    if statement.principals is None:
        return False
    if statement.not_principals is not None:
        statement = dataclasses.replace(statement, not_principals=None)
    return is_public_principal(statement)


def own_accounts(ctx: Context) -> frozenset[str]:
    """The plan's own account(s): the context's, else `data.aws_caller_identity` read at plan
    time; empty when neither says."""
    return ctx.accounts or caller_accounts(ctx.plan)


# ------------------------------------------------------------------------------------------------
# TFG-IAM-030 role assumable by anyone


def check_assumable_by_anyone(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags roles that any AWS principal in the world may assume.

    ## What it does
    Reports each Allow statement of an `aws_iam_role` trust policy that matches an assume-role
    action (`sts:AssumeRole`, `sts:AssumeRoleWithWebIdentity`, `sts:AssumeRoleWithSAML`, and
    `sts:*`, `sts:Assume*`, `*`) for a public principal: `"Principal": "*"`, `{"AWS": "*"}` or
    an ARN with a wildcard account. A condition on `aws:PrincipalOrgID`,
    `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:SourceAccount`
    or `aws:SourceArn` clears it, unless one of an account or ARN condition's values has a
    wildcard account (`aws:PrincipalArn` = `arn:aws:iam::*:role/admin` is a role of that name
    in any account, an attacker's included); with only weaker conditions (`sts:ExternalId`,
    `aws:SourceIp`, a wildcard-account ARN) it is high instead of critical. Deny statements are
    not reported.

    ## Why it matters
    Any AWS account, including an attacker's, can obtain this role's credentials; an external
    ID is a shared secret that leaks through support tickets and vendor documentation.

    ## Example
    ```hcl
    resource "aws_iam_role" "fail_public" {
      name = "public"
      assume_role_policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Principal = "*", Action = "sts:AssumeRole" }]
      })
    }
    ```

    ## Fix
    Name the trusted accounts or roles in `Principal`, or add a `StringEquals` condition on
    `aws:PrincipalOrgID` with your organization id.

    ## Parameters
    None.

    ## References
    - AWS IAM User Guide, "IAM JSON policy elements: Principal"
    - cloudsplaining AssumableByAnyPrincipal; checkov CKV_AWS_60
    """
    for document, policy in _trust_policies(resource, view, ctx):
        for statement in trust_statements(policy):
            if not public_by_principal(statement):
                continue
            if org_guards(statement):
                continue
            weak = bool(limiting_conditions(statement))
            yield Hit(
                f"{_where(document, statement)} lets any AWS principal assume the role"
                + (" (its conditions do not tie it to an organization or account)" if weak else ""),
                key=_key(document, statement),
                severity=Severity.HIGH if weak else Severity.CRITICAL,
            )


ASSUMABLE_BY_ANYONE = Rule(
    id="TFG-IAM-030",
    name="role-assumable-by-anyone",
    title="Role assumable by any AWS principal",
    severity=Severity.CRITICAL,
    resource_types=TRUST_TYPES,
    controls=TRUST_CONTROLS,
    check=check_assumable_by_anyone,
)

# ------------------------------------------------------------------------------------------------
# GitHub Actions OIDC: TFG-IAM-031 to 034


def _github(
    resource: Resource, view: View, ctx: Context
) -> Iterator[tuple[Document, Statement, SubjectClass]]:
    for document, policy in _trust_policies(resource, view, ctx):
        for statement in policy.statements:
            subject = github_subject_class(statement)
            if subject is not None:
                yield document, statement, subject


_UNKNOWN_SUB = "its sub condition is known only after apply"

GITHUB_EXAMPLE_FIX = (
    '"token.actions.githubusercontent.com:sub" = "repo:my-org/my-repo:ref:refs/heads/main"'
)


def check_github_without_subject(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags GitHub Actions OIDC trust without a `sub` condition.

    ## What it does
    Reports each Allow statement of a trust policy whose Federated principal is GitHub's OIDC
    provider (`token.actions.githubusercontent.com`, or a GitHub Enterprise `/<slug>` issuer)
    for `sts:AssumeRoleWithWebIdentity`, when no positive condition (`StringEquals`,
    `StringEqualsIgnoreCase`, `StringLike`) constrains the `...:sub` key. A condition on `aud`
    alone counts as missing. The statement may be anywhere in the policy, not only first. When
    the trust policy is rebuilt from a data source and a condition key is known only after
    apply, the finding is `unknown`.

    ## Why it matters
    Every GitHub repository in the world, including an attacker's, can request a token for
    GitHub's issuer; without `sub` any of their workflows can assume the role.

    ## Example
    ```hcl
    resource "aws_iam_role" "fail_github" {
      name = "deploy"
      assume_role_policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Action    = "sts:AssumeRoleWithWebIdentity"
          Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
          Condition = {
            StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
          }
        }]
      })
    }
    ```

    ## Fix
    Add a `StringEquals` condition on `token.actions.githubusercontent.com:sub` naming the
    repository and branch or environment, e.g. `repo:my-org/my-repo:environment:production`.

    ## Parameters
    None.

    ## References
    - GitHub Docs, "Configuring OpenID Connect in Amazon Web Services"
    - IAM Access Analyzer, "Missing github repo condition key"; checkov CKV_AWS_358
    """
    for document, statement, subject in _github(resource, view, ctx):
        if subject is not SubjectClass.MISSING:
            continue
        if _has_unknown(statement):
            yield Hit(
                f"{_where(document, statement)} trusts GitHub Actions OIDC; {_UNKNOWN_SUB}",
                key=_key(document, statement),
                unknown=True,
            )
            continue
        yield Hit(
            f"{_where(document, statement)} trusts GitHub Actions OIDC without a condition on "
            "the sub claim: any repository on GitHub can assume the role",
            key=_key(document, statement),
        )


GITHUB_NO_SUBJECT = Rule(
    id="TFG-IAM-031",
    name="github-oidc-without-subject",
    title="GitHub OIDC trust without a sub condition",
    severity=Severity.CRITICAL,
    resource_types=TRUST_TYPES,
    controls=FEDERATION_CONTROLS,
    check=check_github_without_subject,
)

_BROAD: Mapping[SubjectClass, tuple[Severity, str]] = {
    SubjectClass.ANY: (Severity.CRITICAL, "any repository on GitHub"),
    SubjectClass.ABUSABLE_FIRST_CLAIM: (
        Severity.CRITICAL,
        "any repository on GitHub (the first claim is one any organization can produce)",
    ),
    SubjectClass.ORG: (Severity.MEDIUM, "any repository of the organization"),
    SubjectClass.REPO_PREFIX: (Severity.MEDIUM, "any repository whose name has the prefix"),
    SubjectClass.REPO_ANY_REF: (
        Severity.LOW,
        "any branch, tag, pull request or environment of the repository",
    ),
}


# Subject classes by breadth, broadest first, as the `broadest_accepted` parameter names them.
_BREADTH_ORDER = ("any", "org", "repo-prefix", "repo-any-ref", "pinned")
_BREADTH_NAME: Mapping[SubjectClass, str] = {
    SubjectClass.ANY: "any",
    SubjectClass.ABUSABLE_FIRST_CLAIM: "any",
    SubjectClass.ORG: "org",
    SubjectClass.REPO_PREFIX: "repo-prefix",
    SubjectClass.REPO_ANY_REF: "repo-any-ref",
}


def check_github_broad_subject(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags GitHub Actions OIDC trust whose `sub` condition admits too much.

    ## What it does
    Classifies the `sub` condition of each GitHub OIDC trust statement. Values of one key are
    OR-ed (the broadest wins, so `["repo:o/r:ref:refs/heads/main", "*"]` is `*`), AND-ed
    blocks narrow it. Critical: a value any repository satisfies (`*`, `repo:*`, `repo:my-org*`
    which also matches `repo:my-org-evil/...`, or a first claim such as `workflow:` or
    `environment:` that any organization can produce). Medium: any repository of one
    organization (`repo:my-org/*`) or a repository-name prefix
    (`repo:my-org/team-*:environment:prod`, which also matches repositories created later).
    Low: every branch, tag, pull request and environment of one repository
    (`repo:my-org/app:*`). Pinned subjects pass.
    A `sub` known only after apply gives an `unknown` finding.

    ## Why it matters
    A wildcard in `sub` lets workflows the team does not control (other organizations, forks,
    feature branches, pull requests) obtain the role's credentials.

    ## Example
    ```hcl
    resource "aws_iam_role" "fail_github_any" {
      name = "deploy"
      assume_role_policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Action    = "sts:AssumeRoleWithWebIdentity"
          Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
          Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "repo:*" } }
        }]
      })
    }
    ```

    ## Fix
    Pin the repository and the branch or environment:
    `StringEquals` on `token.actions.githubusercontent.com:sub` =
    `repo:my-org/my-repo:environment:production`.

    ## Parameters
    - `broadest_accepted` (one of `any`, `org`, `repo-prefix`, `repo-any-ref`, `pinned`;
      default `pinned`): the broadest subject accepted without a finding. The baseline profile
      sets `repo-any-ref`: one repository is the broadest scope it accepts, so it reports (and
      blocks) a subject that admits every repository of an organization or every repository
      whose name has a prefix (anyone who can create a repository there can assume the role);
      stricter profiles lower it to `pinned`.

    ## References
    - GitHub Docs, "About security hardening with OpenID Connect" (subject claims)
    - checkov CKV_AWS_358 / CKV_AWS_393
    """
    accepted = _BREADTH_ORDER.index(str(params.get("broadest_accepted") or "pinned"))
    for document, statement, subject in _github(resource, view, ctx):
        if subject not in _BROAD or _BREADTH_ORDER.index(_BREADTH_NAME[subject]) >= accepted:
            continue
        if _has_unknown(statement):
            yield Hit(
                f"{_where(document, statement)} trusts GitHub Actions OIDC; {_UNKNOWN_SUB}",
                key=_key(document, statement),
                unknown=True,
            )
            continue
        severity, who = _BROAD[subject]
        yield Hit(
            f"{_where(document, statement)} trusts GitHub Actions OIDC for {who} "
            f"(sub class {subject.value})",
            key=_key(document, statement),
            severity=severity,
        )


GITHUB_BROAD_SUBJECT = Rule(
    id="TFG-IAM-032",
    name="github-oidc-broad-subject",
    title="GitHub OIDC trust with a sub condition that is too broad",
    severity=Severity.CRITICAL,
    resource_types=TRUST_TYPES,
    controls=FEDERATION_CONTROLS,
    check=check_github_broad_subject,
    params_schema={
        "type": "object",
        "properties": {"broadest_accepted": {"enum": list(_BREADTH_ORDER)}},
        "additionalProperties": False,
    },
    defaults={"broadest_accepted": "pinned"},
)


def check_github_operator_misuse(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags GitHub OIDC `sub` conditions written with the wrong operator.

    ## What it does
    Reports GitHub OIDC trust statements whose `sub` condition uses an `IfExists` variant, a
    `ForAnyValue:`/`ForAllValues:` qualifier (sub is single-valued), only a negated operator
    (`StringNotLike`), or wildcards inside `StringEquals`, where `*` is a literal character
    and the condition matches nothing (low severity: the role is unusable, not exposed).
    `StringLike` without wildcards is fine.

    ## Why it matters
    `ForAllValues:` and `IfExists` are true when the key is missing, and a negated operator
    admits every other repository. A literal `*` in `StringEquals` is a silent functional bug
    that teams "fix" by loosening the trust.

    ## Example
    ```hcl
    resource "aws_iam_role" "fail_github_equals_star" {
      name = "deploy"
      assume_role_policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Action    = "sts:AssumeRoleWithWebIdentity"
          Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
          Condition = {
            StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:my-org/*" }
          }
        }]
      })
    }
    ```

    ## Fix
    Use plain `StringEquals` with pinned subjects, or `StringLike` when a wildcard is meant.

    ## Parameters
    None.

    ## References
    - IAM Access Analyzer FORALLVALUES_WITH_SINGLE_VALUED_KEY
    - GitHub Docs, OIDC in AWS (condition examples use StringEquals/StringLike)
    """
    for document, statement, subject in _github(resource, view, ctx):
        misused = github_operator_misuse(statement)
        if not misused:
            continue
        operators = ", ".join(sorted({condition.operator for condition in misused}))
        broken = subject is SubjectClass.BROKEN
        what = (
            "uses a wildcard inside StringEquals, which never matches"
            if broken
            else f"constrains sub with {operators}, which does not restrict it reliably"
        )
        yield Hit(
            f"{_where(document, statement)} {what}",
            key=_key(document, statement),
            severity=Severity.LOW if broken else Severity.MEDIUM,
        )


GITHUB_OPERATOR_MISUSE = Rule(
    id="TFG-IAM-033",
    name="github-oidc-operator-misuse",
    title="GitHub OIDC sub condition uses the wrong operator",
    severity=Severity.MEDIUM,
    resource_types=TRUST_TYPES,
    controls=FEDERATION_CONTROLS,
    check=check_github_operator_misuse,
)


def check_github_audience(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags GitHub OIDC trust without an `aud` condition.

    ## What it does
    Reports GitHub OIDC trust statements without a positive condition pinning
    `token.actions.githubusercontent.com:aud` to the expected audiences (`sts.amazonaws.com`
    by default).

    ## Why it matters
    STS already checks the audience against the provider's `client_id_list`, so this is not a
    bypass on its own; pinning it keeps tokens minted for other audiences out if the provider's
    list is ever widened.

    ## Example
    ```hcl
    resource "aws_iam_role" "fail_github_no_aud" {
      name = "deploy"
      assume_role_policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Action    = "sts:AssumeRoleWithWebIdentity"
          Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
          Condition = {
            StringEquals = {
              "token.actions.githubusercontent.com:sub" = "repo:my-org/app:ref:refs/heads/main"
            }
          }
        }]
      })
    }
    ```

    ## Fix
    Add `StringEquals` on `token.actions.githubusercontent.com:aud` = `sts.amazonaws.com`.

    ## Parameters
    - `audiences` (list of strings, default `["sts.amazonaws.com"]`): the accepted audiences.

    ## References
    - GitHub Docs, "Configuring OpenID Connect in Amazon Web Services"
    """
    audiences = frozenset(params.get("audiences") or ("sts.amazonaws.com",))
    for document, statement, _ in _github(resource, view, ctx):
        if github_audience_pinned(statement, audiences):
            continue
        if _has_unknown(statement):
            continue
        yield Hit(
            f"{_where(document, statement)} trusts GitHub Actions OIDC without pinning the aud "
            "claim",
            key=_key(document, statement),
        )


GITHUB_AUDIENCE = Rule(
    id="TFG-IAM-034",
    name="github-oidc-audience-not-pinned",
    title="GitHub OIDC trust does not pin the audience",
    severity=Severity.LOW,
    resource_types=TRUST_TYPES,
    controls=FEDERATION_CONTROLS,
    check=check_github_audience,
    params_schema={
        "type": "object",
        "properties": {"audiences": {"type": "array", "items": {"type": "string"}}},
        "additionalProperties": False,
    },
    defaults={"audiences": ["sts.amazonaws.com"]},
)

# ------------------------------------------------------------------------------------------------
# TFG-IAM-035 other federation

_GITHUB = "token.actions.githubusercontent.com"
_COGNITO = "cognito-identity.amazonaws.com"


_SERVICE_ACCOUNT = "system:serviceaccount:"
_PROJECT_PATH = "project_path:"


def _subject_across_scopes(condition: Condition) -> str:
    """What a `sub` condition admits beyond one workload, or "" when it stays within one: any
    service account of any namespace (`system:serviceaccount:*:*`, EKS), any project of a group
    (`project_path:group/*`, GitLab), or any subject at all (a value that starts with a
    wildcard). Values are OR-ed, so one broad value is enough. A wildcard inside one namespace
    or after the project path stays within one; only `StringLike` reads wildcards."""
    if condition.base_operator.lower() != "stringlike":
        return ""
    for value in condition.values:
        if value[:1] in _WILDCARDS:
            return "any subject the provider issues"
        scope = ""
        if value.startswith(_SERVICE_ACCOUNT):
            scope, what = value[len(_SERVICE_ACCOUNT) :], "service accounts of any namespace"
        elif value.startswith(_PROJECT_PATH):
            scope, what = value[len(_PROJECT_PATH) :], "every project of the group"
        if any(wildcard in scope.split(":", 1)[0] for wildcard in _WILDCARDS):
            return what
    return ""


def _federated_issuer(value: str) -> tuple[str, str] | None:
    """(kind, issuer) of a Federated principal: kind is "saml", "oidc" or "web"."""
    if value == UNKNOWN_PLACEHOLDER:
        return None
    lowered = value.lower()
    if ":saml-provider/" in lowered:
        return "saml", value.split(":saml-provider/", 1)[1]
    if ":oidc-provider/" in lowered:
        return "oidc", value.split(":oidc-provider/", 1)[1]
    if ":" in value:
        return None
    return "web", value


def check_other_federation(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags web-identity and SAML federation trust without an audience or subject condition.

    ## What it does
    Reports Allow statements trusting a Federated principal other than GitHub (handled by
    TFG-IAM-031..034) without a positive condition on that provider's own keys: Cognito
    (`cognito-identity.amazonaws.com:aud`, critical when missing: any identity pool in AWS
    qualifies), Google, Amazon or Facebook login (`aud` or `sub`), and SAML providers
    (`SAML:aud`). An IAM OIDC provider (an EKS cluster issuer `oidc.eks.<region>.amazonaws.com/
    id/...`, GitLab, any other issuer) needs a positive condition on `<issuer>:sub`: `aud`
    alone only names the client, and every pod of the cluster or every project of the GitLab
    instance can get a token for it. A `StringLike` `sub` whose values admit any namespace
    (`system:serviceaccount:*:*`, `system:serviceaccount:team-*:app`), any project of a group
    (`project_path:my-group/*`) or any subject (a value that starts with a wildcard) is
    reported too; a wildcard within one namespace (`system:serviceaccount:monitoring:*`) or
    after one project's path (`project_path:my-group/app:ref_type:branch:ref:*`) stays within
    one workload and passes. EKS Pod Identity uses a service principal and is not concerned.

    ## Why it matters
    Without a condition on its claims, every identity the provider can issue a token for may
    assume the role: every user of a public login, every pod of a cluster, every project on
    gitlab.com (an attacker's included).

    ## Example
    ```hcl
    resource "aws_iam_role" "fail_irsa" {
      name = "irsa"
      assume_role_policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Action    = "sts:AssumeRoleWithWebIdentity"
          Principal = { Federated = aws_iam_openid_connect_provider.eks.arn }
        }]
      })
    }
    ```

    ## Fix
    Add `StringEquals` conditions on the provider's `aud` and `sub` keys (for IRSA,
    `<issuer>:sub` = `system:serviceaccount:<namespace>:<name>`; for Cognito, `aud` = the
    identity pool id; for SAML, `SAML:aud` = the sign-in URL).

    ## Parameters
    None.

    ## References
    - IAM Access Analyzer, "Missing condition key for oidc principal"
    - Amazon EKS User Guide, "IAM roles for service accounts"
    """
    for document, policy in _trust_policies(resource, view, ctx):
        for statement in trust_statements(policy):
            if _has_unknown(statement):
                continue
            for value in (statement.principals or {}).get("Federated", ()):
                issuer = _federated_issuer(value)
                if issuer is None or _GITHUB in issuer[1].lower():
                    continue
                kind, host = issuer
                limiting = limiting_conditions(statement)
                keys = {c.key for c in limiting}
                prefix = host.lower().rstrip("/") + ":"
                if kind == "saml":
                    if "saml:aud" in keys:
                        continue
                    severity, missing = Severity.HIGH, "SAML:aud"
                elif host.lower() == _COGNITO:
                    if f"{_COGNITO}:aud" in keys:
                        continue
                    severity, missing = Severity.CRITICAL, f"{_COGNITO}:aud"
                elif kind == "oidc":
                    subjects = [c for c in limiting if c.key == f"{prefix}sub"]
                    broad = [_subject_across_scopes(c) for c in subjects]
                    if not all(broad):
                        continue
                    if subjects:
                        yield Hit(
                            f"{_where(document, statement)} trusts the federated provider "
                            f"{host} with a sub condition that admits {broad[0]}",
                            key=_key(document, statement, host),
                            severity=Severity.HIGH,
                        )
                        continue
                    severity, missing = Severity.HIGH, f"{host}:sub"
                else:
                    if any(key.startswith(prefix) for key in keys):
                        continue
                    severity, missing = Severity.HIGH, f"{host}:aud or :sub"
                yield Hit(
                    f"{_where(document, statement)} trusts the federated provider {host} "
                    f"without a condition on {missing}",
                    key=_key(document, statement, host),
                    severity=severity,
                )


OTHER_FEDERATION = Rule(
    id="TFG-IAM-035",
    name="federation-without-condition",
    title="Web-identity or SAML federation trust without a condition",
    severity=Severity.HIGH,
    resource_types=TRUST_TYPES,
    controls=FEDERATION_CONTROLS,
    check=check_other_federation,
)

# ------------------------------------------------------------------------------------------------
# TFG-IAM-036 / 037 cross-account and own-account trust

_ACCOUNTS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "properties": {
        "known_accounts": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[0-9]{12}$"},
        }
    },
    "additionalProperties": False,
}


def check_cross_account_trust(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags trust of another AWS account without an external ID or organization guard.

    ## What it does
    Reports Allow trust statements naming an AWS principal of an account that is neither the
    plan's own account (from `--account`/tfgate.yaml, else `data.aws_caller_identity`) nor in
    `known_accounts`, when no positive condition on `sts:ExternalId` (not `StringLike "*"`),
    `aws:PrincipalOrgID` or `aws:PrincipalOrgPaths` guards it. High for an account's root
    (`123456789012`, `arn:aws:iam::123456789012:root`: anyone that account allows), medium for
    a named role or user. When the plan's own account cannot be determined, the finding is
    `unknown`. Service and federated principals are not cross-account trust.

    ## Why it matters
    A third party (a SaaS vendor, a contractor's account) acting for several customers can be
    tricked into using its access on your role (the confused deputy) unless an external ID
    ties each request to your agreement; an account root delegates to anyone in that account.

    ## Example
    ```hcl
    resource "aws_iam_role" "fail_vendor" {
      name = "vendor-audit"
      assume_role_policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Action    = "sts:AssumeRole"
          Principal = { AWS = "arn:aws:iam::999988887777:root" }
        }]
      })
    }
    ```

    ## Fix
    Add `StringEquals` on `sts:ExternalId` with the value the vendor gave you, or
    `aws:PrincipalOrgID` for accounts of your organization; list your own other accounts in
    `known_accounts`.

    ## Parameters
    - `known_accounts` (list of 12-digit account ids, default empty): accounts trusted on
      purpose (your other accounts), never reported.

    ## References
    - AWS IAM User Guide, "The confused deputy problem"; "Access to AWS accounts owned by third
      parties"
    - cloudsplaining AssumableByCrossAccountPrincipal; checkov CKV_AWS_61
    """
    own = own_accounts(ctx)
    known = frozenset(str(account) for account in params.get("known_accounts") or ())
    for document, policy in _trust_policies(resource, view, ctx):
        for statement in trust_statements(policy):
            if limiting_conditions(statement, EXTERNAL_GUARDS):
                continue
            for principal in foreign_account_principals(statement, own | known):
                account = principal_account(principal) or principal
                root = is_account_root_principal(principal)
                who = f"account {account}" + (" (its root: anyone it allows)" if root else "")
                if not own:
                    yield Hit(
                        f"{_where(document, statement)} trusts {principal} without "
                        "sts:ExternalId or an organization condition; whether "
                        f"{account} is another account is unknown (the plan's own account "
                        "is not known)",
                        key=_key(document, statement, principal),
                        unknown=True,
                        severity=Severity.HIGH if root else Severity.MEDIUM,
                    )
                    continue
                yield Hit(
                    f"{_where(document, statement)} trusts {who} ({principal}) without "
                    "sts:ExternalId or an organization condition",
                    key=_key(document, statement, principal),
                    severity=Severity.HIGH if root else Severity.MEDIUM,
                )


CROSS_ACCOUNT_TRUST = Rule(
    id="TFG-IAM-036",
    name="cross-account-trust-unguarded",
    title="Cross-account trust without external ID or organization guard",
    severity=Severity.HIGH,
    resource_types=TRUST_TYPES,
    controls=TRUST_CONTROLS,
    check=check_cross_account_trust,
    params_schema=_ACCOUNTS_SCHEMA,
    defaults={"known_accounts": []},
)


def check_own_account_root(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags trust of the own account's root without narrowing which principal.

    ## What it does
    Reports Allow trust statements whose principal is the plan's own account (`123456789012`
    or `arn:aws:iam::123456789012:root`) without a condition on `aws:PrincipalArn` or an
    `aws:PrincipalTag/...` key. Silent when the own account is unknown.

    ## Why it matters
    Trusting the account root delegates the decision to every identity policy in the account:
    any user or role granted `sts:AssumeRole` on `*` can assume this role. It is a documented
    pattern, but the trust policy no longer says who uses the role.

    ## Example
    ```hcl
    resource "aws_iam_role" "fail_account_root" {
      name = "ops"
      assume_role_policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Action    = "sts:AssumeRole"
          Principal = { AWS = "arn:aws:iam::111122223333:root" }
        }]
      })
    }
    ```

    ## Fix
    Name the roles that may assume it in `Principal`, or add `ArnLike` on `aws:PrincipalArn`.

    ## Parameters
    None.

    ## References
    - AWS IAM User Guide, "IAM JSON policy elements: Principal" (AWS account principals)
    - checkov CKV_AWS_61
    """
    own = own_accounts(ctx)
    if not own:
        return
    for document, policy in _trust_policies(resource, view, ctx):
        for statement in trust_statements(policy):
            limiting = limiting_conditions(statement)
            if any(
                c.key == "aws:principalarn" or c.key.startswith("aws:principaltag/")
                for c in limiting
            ):
                continue
            for principal in (statement.principals or {}).get("AWS", ()):
                if principal_account(principal) in own and is_account_root_principal(principal):
                    yield Hit(
                        f"{_where(document, statement)} trusts the whole account "
                        f"({principal}) without naming which principals",
                        key=_key(document, statement, principal),
                    )


OWN_ACCOUNT_ROOT = Rule(
    id="TFG-IAM-037",
    name="trust-own-account-root",
    title="Trust of the own account's root without a principal condition",
    severity=Severity.LOW,
    resource_types=TRUST_TYPES,
    controls=TRUST_CONTROLS,
    check=check_own_account_root,
)

# ------------------------------------------------------------------------------------------------
# TFG-IAM-039 NotPrincipal


def check_allow_not_principal(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags Allow statements written with `NotPrincipal`.

    ## What it does
    Reports each Allow statement with `NotPrincipal` in a trust policy or a resource policy
    (bucket, key, queue, topic, repository, secret, vault): it grants everyone except the
    listed principals, anonymous users included. A Deny with `NotPrincipal` (a legacy
    guardrail pattern) is not reported.

    ## Why it matters
    `Allow` + `NotPrincipal` is public access written backwards; AWS recommends against it.

    ## Example
    ```hcl
    resource "aws_s3_bucket_policy" "fail_not_principal" {
      bucket = "reports"
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{
          Effect       = "Allow"
          NotPrincipal = { AWS = "arn:aws:iam::111122223333:role/blocked" }
          Action       = "s3:GetObject"
          Resource     = "arn:aws:s3:::reports/*"
        }]
      })
    }
    ```

    ## Fix
    Name the principals that are allowed in `Principal`; express exclusions with a Deny and an
    `ArnNotEquals` condition on `aws:PrincipalArn`.

    ## Parameters
    None.

    ## References
    - IAM Access Analyzer ALLOW_WITH_NOT_PRINCIPAL; parliament NOTPRINCIPAL_WITH_ALLOW
    - AWS IAM User Guide, "IAM JSON policy elements: NotPrincipal"
    """
    documents = [*trust_documents(resource, view, ctx), *resource_documents(resource, view, ctx)]
    for document, policy in parsed(documents):
        for statement in policy.statements:
            if statement.not_principals is not None and statement.is_allow:
                yield Hit(
                    f"{_where(document, statement)} allows everyone except its NotPrincipal list",
                    key=_key(document, statement),
                )


ALLOW_NOT_PRINCIPAL = Rule(
    id="TFG-IAM-039",
    name="allow-not-principal",
    title="Allow statement uses NotPrincipal",
    severity=Severity.HIGH,
    resource_types=TRUST_TYPES | RESOURCE_POLICY_TYPES,
    controls=TRUST_CONTROLS,
    check=check_allow_not_principal,
)

__all__ = [
    "ALLOW_NOT_PRINCIPAL",
    "ASSUMABLE_BY_ANYONE",
    "CROSS_ACCOUNT_TRUST",
    "GITHUB_AUDIENCE",
    "GITHUB_BROAD_SUBJECT",
    "GITHUB_NO_SUBJECT",
    "GITHUB_OPERATOR_MISUSE",
    "OTHER_FEDERATION",
    "OWN_ACCOUNT_ROOT",
    "own_accounts",
    "public_by_principal",
]
