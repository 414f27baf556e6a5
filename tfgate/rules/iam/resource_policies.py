"""Rules on resource policies: who may use a bucket, key, queue, topic, repository, secret, vault
or function (TFG-IAM-038, 040, 041).

Resource policies come from `documents.resource_documents`: the `policy` of
`aws_s3_bucket_policy`, `aws_kms_key(_policy)`, `aws_sqs_queue(_policy)`,
`aws_sns_topic(_policy)`, `aws_ecr_repository_policy`, `aws_secretsmanager_secret(_policy)`,
`aws_glacier_vault.access_policy`, and the statement an `aws_lambda_permission` adds. A policy
attribute AWS computes when the configuration leaves it out (a KMS key's default policy) is not
judged. `Allow` + `NotPrincipal` is TFG-IAM-039's, not TFG-IAM-040's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from tfgate.iam import actions
from tfgate.iam.actions import pattern_matches
from tfgate.iam.analysis import (
    covers_every_action,
    is_account_root_principal,
    is_public_principal,
    is_star_resource,
    limiting_conditions,
)
from tfgate.iam.policy import Policy, Statement
from tfgate.plan.model import Resource
from tfgate.plan.values import View
from tfgate.report import Severity
from tfgate.rules.base import Context, Hit, Rule
from tfgate.rules.iam.trust import public_by_principal
from tfgate.rules.support.documents import (
    KEY_POLICY_TYPES,
    RESOURCE_POLICY_TYPES,
    Document,
    parsed,
    resource_documents,
)
from tfgate.rules.support.documents import statement_key as _key
from tfgate.rules.support.documents import statement_where as _where

PUBLIC_CONTROLS: Mapping[str, tuple[str, ...]] = {
    "CIS-AWS-3.0": ("2.1.4",),
    "AWS-WA-SEC": ("SEC03-BP02", "SEC03-BP07"),
    "HIPAA": ("164.312(a)(1)",),
    "PCI-DSS-4.0": ("1.3.1", "7.2.1"),
    "GDPR": ("article_25",),
    "NRB": ("IT-2012-4-access-control",),
}

# Conditions that tie a public principal to the organization, an account, a network or a source.
PUBLIC_GUARDS = frozenset(
    {
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:SourceVpce",
        "aws:SourceVpc",
        "aws:SourceIp",
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:SourceOwner",
        "aws:SourceOrgID",
        "kms:CallerAccount",
        "s3:DataAccessPointAccount",
        "lambda:EventSourceToken",
    }
)
# Conditions that tie a service principal to the resource or account acting through it.
SOURCE_GUARDS = frozenset(
    {
        "aws:SourceArn",
        "aws:SourceAccount",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:SourceOwner",
    }
)
_CHANGING = frozenset({"Write", "Permissions management"})


def _resource_policies(
    resource: Resource, view: View, ctx: Context
) -> Iterator[tuple[Document, Policy]]:
    return parsed(resource_documents(resource, view, ctx))


def _changing_action(statement: Statement) -> str | None:
    """A write or permissions-management action the statement allows, as a display name."""
    if statement.actions is None:
        return "NotAction"
    for pattern in statement.actions:
        if pattern in ("*", "*:*"):
            return pattern
        for name in sorted(actions.expand(pattern)):
            if actions.access_levels(name) & _CHANGING:
                info = actions.action_info(name)
                return info.display if info else name
    return None


def _actions_text(statement: Statement) -> str:
    if statement.actions is None:
        return "every action except its NotAction list"
    shown = ", ".join(f'"{pattern}"' for pattern in statement.actions[:3])
    return shown + (f" and {len(statement.actions) - 3} more" if len(statement.actions) > 3 else "")


# ------------------------------------------------------------------------------------------------
# TFG-IAM-038 service principal without source scoping


def check_service_principal_scope(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags resource policies that trust an AWS service without saying on whose behalf.

    ## What it does
    Reports Allow statements of resource policies (bucket, key, queue, topic, repository,
    secret, vault, Lambda permission) whose principal is an AWS service
    (`Service: sns.amazonaws.com`, an `aws_lambda_permission` for `s3.amazonaws.com`) without a
    positive condition on `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOrgID`,
    `aws:SourceOrgPaths` or `aws:SourceOwner`. Medium when the statement allows a write or
    permissions-management action, low otherwise. Role trust policies for EC2, Lambda or ECS
    tasks normally lack these keys and are not judged.

    ## Why it matters
    A service acts for every AWS customer. Without a source condition, another account can
    point its own bucket notification, topic or trail at your resource and have the service
    use your policy on its behalf (the cross-service confused deputy).

    ## Example
    ```hcl
    resource "aws_lambda_permission" "fail_from_s3" {
      statement_id  = "AllowS3"
      action        = "lambda:InvokeFunction"
      function_name = "thumbnailer"
      principal     = "s3.amazonaws.com"
    }
    ```

    ## Fix
    Add `ArnLike` on `aws:SourceArn` naming the resource that calls (for a Lambda permission,
    set `source_arn`) and `StringEquals` on `aws:SourceAccount`.

    ## Parameters
    None.

    ## References
    - AWS IAM User Guide, "The confused deputy problem" (cross-service)
    - IAM Access Analyzer, "Restrict access to service principal"
    """
    for document, policy in _resource_policies(resource, view, ctx):
        for statement in policy.statements:
            if not statement.is_allow:
                continue
            services = (statement.principals or {}).get("Service", ())
            if not services or limiting_conditions(statement, SOURCE_GUARDS):
                continue
            changing = _changing_action(statement)
            yield Hit(
                f"{_where(document, statement)} lets {', '.join(services)} use "
                f"{_actions_text(statement)} without aws:SourceArn or aws:SourceAccount",
                key=_key(document, statement),
                severity=Severity.MEDIUM if changing else Severity.LOW,
            )


SERVICE_PRINCIPAL_SCOPE = Rule(
    id="TFG-IAM-038",
    name="service-principal-without-source",
    title="Resource policy trusts a service without source conditions",
    severity=Severity.LOW,
    resource_types=RESOURCE_POLICY_TYPES,
    controls={
        "AWS-WA-SEC": ("SEC03-BP02",),
        "PCI-DSS-4.0": ("7.2.1",),
        "NRB": ("IT-2012-4-access-control",),
    },
    check=check_service_principal_scope,
)

# ------------------------------------------------------------------------------------------------
# TFG-IAM-040 public resource policy


def check_public_resource_policy(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags resource policies that grant access to anyone.

    ## What it does
    Reports Allow statements of resource policies (S3 bucket, KMS key, SQS queue, SNS topic,
    ECR repository, Secrets Manager secret, Glacier vault, Lambda permission) whose principal
    is public (`"*"`, `{"AWS": "*"}`, a wildcard account) and that no condition ties to an
    organization, account, network or source: `aws:PrincipalOrgID` (not `o-*`),
    `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:SourceVpce`,
    `aws:SourceVpc`, `aws:SourceIp` (not `0.0.0.0/0`), `aws:SourceArn`, `aws:SourceAccount`,
    `aws:SourceOwner`, `kms:CallerAccount`, `s3:DataAccessPointAccount`. Negated operators do
    not count. Critical when the statement allows a write or permissions-management action,
    high for read and list. The standard TLS guard (Deny with `aws:SecureTransport` false) is a
    Deny and never reported.

    ## Why it matters
    Anyone on the internet, or any AWS account, can read or change the resource: public
    buckets and queues are a leading cause of data breaches.

    ## Example
    ```hcl
    resource "aws_s3_bucket_policy" "fail_public_read" {
      bucket = "site"
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Principal = "*"
          Action    = "s3:GetObject"
          Resource  = "arn:aws:s3:::site/*"
        }]
      })
    }
    ```

    ## Fix
    Name the principals, or add a condition on `aws:PrincipalOrgID` or `aws:SourceVpce`; serve
    public content through CloudFront with origin access control (Service
    `cloudfront.amazonaws.com` with `aws:SourceArn`).

    ## Parameters
    None.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 2.1.4; AWS Well-Architected, SEC03-BP07
    - checkov CKV_AWS_70, CKV_AWS_33, CKV_AWS_168, CKV_AWS_169, CKV_AWS_32
    """
    for document, policy in _resource_policies(resource, view, ctx):
        for statement in policy.statements:
            if not statement.is_allow or not public_by_principal(statement):
                continue
            if limiting_conditions(statement, PUBLIC_GUARDS):
                continue
            changing = _changing_action(statement)
            granted = _actions_text(statement)
            yield Hit(
                f"{_where(document, statement)} allows anyone {granted}"
                + (f" (including {changing})" if changing and changing not in granted else ""),
                key=_key(document, statement),
                severity=Severity.CRITICAL if changing else Severity.HIGH,
            )


PUBLIC_RESOURCE_POLICY = Rule(
    id="TFG-IAM-040",
    name="public-resource-policy",
    title="Resource policy grants access to anyone",
    severity=Severity.CRITICAL,
    resource_types=RESOURCE_POLICY_TYPES,
    controls=PUBLIC_CONTROLS,
    check=check_public_resource_policy,
)

# ------------------------------------------------------------------------------------------------
# TFG-IAM-041 KMS key policy: kms:* to a principal other than the account root


def _grants_all_kms(statement: Statement) -> str | None:
    if statement.actions is not None:
        for pattern in statement.actions:
            if covers_every_action(pattern, "kms"):
                return pattern
        return None
    if statement.not_actions is not None and not any(
        pattern_matches(pattern, "kms:Decrypt") or pattern_matches(pattern, "kms:PutKeyPolicy")
        for pattern in statement.not_actions
    ):
        return "NotAction"
    return None


def check_kms_key_admin(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags KMS key policies that give `kms:*` to principals other than the account root.

    ## What it does
    Reports Allow statements of `aws_kms_key` and `aws_kms_key_policy` policies that grant
    every KMS action (`kms:*`, `*`, NotAction) on the key to a principal other than the
    account root: a role, a user or a service. The default key policy statement (account root
    with `kms:*`) is required for IAM policies to work and passes; public principals are
    TFG-IAM-040's.

    ## Why it matters
    `kms:*` includes `kms:PutKeyPolicy` and `kms:ScheduleKeyDeletion`: the principal can lock
    everyone else out of the key, or destroy it and every piece of data encrypted under it.

    ## Example
    ```hcl
    resource "aws_kms_key" "fail_app_admin" {
      description = "app data"
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Principal = { AWS = "arn:aws:iam::111122223333:role/app" }
          Action    = "kms:*"
          Resource  = "*"
        }]
      })
    }
    ```

    ## Fix
    Give workloads the usage actions they need (`kms:Encrypt`, `kms:Decrypt`,
    `kms:GenerateDataKey*`) and key administrators the administration actions without
    `kms:Decrypt`.

    ## Parameters
    None.

    ## References
    - AWS KMS Developer Guide, "Default key policy" and "Key policies: least privilege"
    - checkov CKV_AWS_33
    """
    if resource.type not in KEY_POLICY_TYPES:
        return
    for document, policy in _resource_policies(resource, view, ctx):
        for statement in policy.statements:
            if not statement.is_allow:
                continue
            pattern = _grants_all_kms(statement)
            if pattern is None:
                continue
            star = statement.not_resources is not None or any(
                is_star_resource(p, None, statement.variables) for p in statement.resources or ()
            )
            if not star or is_public_principal(statement):
                continue
            others = [
                value
                for kind, values in (statement.principals or {}).items()
                for value in values
                if not (kind == "AWS" and is_account_root_principal(value))
            ]
            if others:
                yield Hit(
                    f"{_where(document, statement)} gives every KMS action "
                    f'(Action "{pattern}") to {", ".join(others[:3])}',
                    key=_key(document, statement),
                )


KMS_KEY_ADMIN = Rule(
    id="TFG-IAM-041",
    name="kms-key-policy-full-access",
    title="KMS key policy grants kms:* to a principal other than the account root",
    severity=Severity.MEDIUM,
    resource_types=KEY_POLICY_TYPES,
    controls={
        "AWS-WA-SEC": ("SEC03-BP02", "SEC08-BP01"),
        "HIPAA": ("164.312(a)(2)(iv)",),
        "PCI-DSS-4.0": ("3.6.1", "7.2.1"),
        "NRB": ("IT-2012-4-access-control",),
    },
    check=check_kms_key_admin,
)

__all__ = ["KMS_KEY_ADMIN", "PUBLIC_RESOURCE_POLICY", "SERVICE_PRINCIPAL_SCOPE"]
