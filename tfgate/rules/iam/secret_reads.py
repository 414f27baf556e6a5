"""TFG-IAM-025: an identity policy that reads every secret, parameter or key's plaintext.

`*` is for list and describe actions. An action that returns a secret's value, a parameter's
value or a decrypted ciphertext, allowed on every resource of its service without a condition
that narrows it, reads every secret the account holds, including those created later. Only
identity policies are read (`documents.identity_documents`): in a KMS key policy `Resource: "*"`
means the key itself, and key policies are resource policies.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from tfgate.iam.analysis import Grant, allowed, limiting_conditions, tag_conditions
from tfgate.iam.policy import Policy
from tfgate.plan.model import Resource
from tfgate.plan.values import View
from tfgate.report import Severity
from tfgate.rules.base import Context, Hit, Rule
from tfgate.rules.iam.permissions import DATA_EXFILTRATION, grants_everything
from tfgate.rules.support.documents import IDENTITY_TYPES, identity_documents, parsed
from tfgate.rules.support.documents import statement_key as _key
from tfgate.rules.support.documents import statement_where as _where

SECRET_READS: tuple[tuple[str, str], ...] = (
    ("secretsmanager:GetSecretValue", "secret"),
    ("ssm:GetParameter", "parameter"),
    ("ssm:GetParameters", "parameter"),
    ("ssm:GetParametersByPath", "parameter"),
    ("kms:Decrypt", "key"),
)
"""Actions that return a secret's plaintext, with the resource type (`RESOURCE_TYPES`) whose every
resource they must be allowed on to be reported."""


def _resource_text(grant: Grant) -> str:
    if grant.resource_pattern == "NotResource":
        return "every resource but its NotResource list"
    return f'"{grant.resource_pattern}"'


def unrestricted_secret_reads(policy: Policy) -> dict[int, list[tuple[str, Grant]]]:
    """Per statement index: (action, grant) for each secret read allowed on every resource of
    its service without a limiting condition or a tag condition (`Null` false on a tag key
    included, as for TFG-IAM-015), skipping statements TFG-IAM-010 reports."""
    found: dict[int, list[tuple[str, Grant]]] = {}
    for action, resource_type in SECRET_READS:
        for grant in allowed(policy, action, resource_type):
            statement = grant.statement
            if (
                grants_everything(statement)
                or limiting_conditions(statement)
                or tag_conditions(statement)
            ):
                continue
            found.setdefault(statement.index, []).append((action, grant))
    return found


def check_secret_reads(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags identity policies that read every secret, parameter or key.

    ## What it does
    Reports each Allow statement of an identity policy (`aws_iam_policy`,
    `aws_iam_role_policy`, a role's `inline_policy`, user and group policies, IAM Identity
    Center inline policies, and the `aws_iam_policy_document` data sources they are built from)
    that grants `secretsmanager:GetSecretValue`, `ssm:GetParameter`, `ssm:GetParameters`,
    `ssm:GetParametersByPath` or `kms:Decrypt` on every resource of the service (`"*"`,
    `NotResource`, `arn:aws:secretsmanager:*:*:secret:*`, `arn:aws:ssm:*:*:parameter/*`,
    `arn:aws:kms:*:*:key/*`), without a condition that narrows it. Wildcard actions
    (`secretsmanager:Get*`, `ssm:*`) count. A condition that really limits the grant
    (`kms:ViaService`, `kms:EncryptionContext:...`) passes, and so does a tag condition, as
    for TFG-IAM-015 (`aws:ResourceTag/...` with any value, or `Null` false on it); one that
    never narrows (`aws:SecureTransport`, an `IfExists` variant) does not. A KMS key policy is
    not read: its `Resource: "*"` means the key itself. A statement granting every action is
    TFG-IAM-010's. One finding per statement lists its actions. TFG-IAM-019 (data-reading
    actions, which `baseline` only warns on) names the same actions with or without a
    condition; this rule is the part of it that blocks.

    ## Why it matters
    `Resource: "*"` belongs on list and describe actions. On these actions it hands the holder
    the plaintext of every database password, API token and signing key in the account,
    including the secrets other teams create later, so one compromised workload exposes all.

    ## Example
    ```hcl
    resource "aws_iam_role_policy" "fail_every_secret" {
      role = aws_iam_role.app.id
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "secretsmanager:GetSecretValue", Resource = "*" }]
      })
    }
    ```

    ## Fix
    Name the secrets, parameters and keys the workload reads
    (`aws_secretsmanager_secret.db.arn`, `arn:aws:ssm:eu-west-1:123456789012:parameter/app/*`,
    `aws_kms_key.app.arn`), or narrow the grant with a condition such as `kms:ViaService` or
    `aws:ResourceTag/team`.

    ## Parameters
    None.

    ## References
    - AWS Secrets Manager User Guide, "Authentication and access control"
    - AWS KMS Developer Guide, "Best practices for IAM policies"
    - AWS Well-Architected, SEC03-BP02 (grant least privilege access)
    """
    for document, policy in parsed(identity_documents(resource, view, ctx)):
        for entries in unrestricted_secret_reads(policy).values():
            statement = entries[0][1].statement
            names = ", ".join(dict.fromkeys(action for action, _ in entries))
            patterns = ", ".join(
                f'"{pattern}"' for pattern in dict.fromkeys(g.action_pattern for _, g in entries)
            )
            yield Hit(
                f"{_where(document, statement)} reads every secret: {names} "
                f"(Action {patterns} on {_resource_text(entries[0][1])}) "
                "without a condition that narrows it",
                key=_key(document, statement),
            )


SECRET_READ = Rule(
    id="TFG-IAM-025",
    name="secret-read-on-any-resource",
    title="Secret values readable on every resource",
    severity=Severity.HIGH,
    resource_types=IDENTITY_TYPES,
    # The controls of TFG-IAM-019, whose secret-reading subset this rule blocks on.
    controls=DATA_EXFILTRATION.controls,
    check=check_secret_reads,
)
