"""Rules on what identity policies grant."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from tfgate.errors import PolicyError
from tfgate.iam.analysis import allowed
from tfgate.plan.model import Resource
from tfgate.plan.values import View
from tfgate.report import Severity
from tfgate.rules.base import Context, Hit, Rule
from tfgate.rules.support.documents import (
    ALL_DOCUMENT_TYPES,
    IDENTITY_TYPES,
    POLICY_DOCUMENT,
    all_documents,
    identity_documents,
    statement_key,
    statement_where,
)

LEAST_PRIVILEGE: Mapping[str, tuple[str, ...]] = {
    "CIS-AWS-3.0": ("1.16",),
    "AWS-WA-SEC": ("SEC03-BP02",),
    "HIPAA": ("164.308(a)(3)(ii)(B)", "164.312(a)(1)"),
    "PCI-DSS-4.0": ("7.2.1", "7.2.2"),
    "NRB": ("IT-2012-4-access-control",),
}


def check_pass_role(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags `iam:PassRole` allowed on any role.

    ## What it does
    Reads every identity policy in the plan (`aws_iam_policy`, `aws_iam_role_policy`,
    `aws_iam_role` inline policies, `aws_iam_user_policy`, `aws_iam_group_policy`, IAM Identity
    Center inline policies, and the `aws_iam_policy_document` data sources they are built from)
    and reports each Allow statement that grants `iam:PassRole` on every role: `Resource: "*"`, a
    `*` among other ARNs, a pattern that matches every role (`arn:aws:iam::*:role/*`), or
    `NotResource`. Actions match case-insensitively with wildcards anywhere (`iam:Pass*`, `iam:*`,
    `*`, `IAM:passrole`), and `Allow` + `NotAction` that does not exclude PassRole counts. A Deny
    cancels the grant only when it covers PassRole on `*` without conditions. A statement limited
    by `iam:PassedToService` or `iam:AssociatedResourceArn` is reported at low severity.

    ## Why it matters
    Passing a role hands its permissions to a service the caller controls: whoever can pass an
    administrator role to a Lambda function, an EC2 instance or a Glue job can run code as that
    administrator. PassRole on `*` turns any compute permission into full privilege escalation.

    ## Example
    ```hcl
    resource "aws_iam_policy" "fail_deployer" {
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }]
      })
    }
    ```

    ## Fix
    List the roles that may be passed (`arn:aws:iam::123456789012:role/app-runtime`) and add a
    `StringEquals` condition on `iam:PassedToService` naming the service that receives them.

    ## Parameters
    None.

    ## References
    - AWS IAM User Guide, "Granting a user permissions to pass a role to an AWS service"
    - AWS Well-Architected, SEC03-BP02 (grant least privilege access)
    """
    for document in identity_documents(resource, view, ctx):
        policy = document.policy
        if policy is None or isinstance(policy, PolicyError):
            continue
        for grant in allowed(policy, "iam:PassRole", "role"):
            where = statement_where(document, grant.statement)
            key = statement_key(document, grant.statement)
            granted = f"{grant.action_pattern} on {grant.resource_pattern}"
            if grant.limiting_conditions:
                yield Hit(
                    f"{where} allows iam:PassRole on any role ({granted}), limited only by "
                    "a condition on the receiving service or resource",
                    key=key,
                    severity=Severity.LOW,
                )
            else:
                yield Hit(
                    f"{where} allows iam:PassRole on any role ({granted})",
                    key=key,
                )


PASS_ROLE = Rule(
    id="TFG-IAM-014",
    name="pass-role-any-role",
    title="iam:PassRole allowed on any role",
    severity=Severity.HIGH,
    resource_types=IDENTITY_TYPES,
    controls=LEAST_PRIVILEGE,
    check=check_pass_role,
)


def check_policy_evaluable(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Reports policy documents tfgate cannot judge: unknown until apply, or not valid.

    ## What it does
    Reports a policy document whose text is known only after apply and cannot be rebuilt from
    an `aws_iam_policy_document` data source, and one that is not valid JSON or not a valid IAM
    policy (a statement without `Action`, a `Statement` that is not an object). Every document
    kind is read: identity policies (including IAM Identity Center inline policies and policies
    used as permissions boundaries), trust policies, resource policies (buckets, keys, queues,
    topics, repositories, secrets, vaults, Lambda permissions) and service/resource control
    policies. A resource policy that AWS computes because the configuration does not write it
    (a KMS key's default policy) is not reported.
    A document unknown in the plan is first rebuilt from the `.tf` source when it is at hand
    (`--source-dir`): a `jsonencode` policy that refers to a resource created in the same plan
    is then judged like any other. If the source shows that the policy's `Effect`, `Action`,
    `NotAction` or statement list is computed from values known only after apply, the finding
    is introduced and blocks in every profile. A document that still cannot be known is
    reported as `unknown`; the profile's `on_unknown` decides whether it blocks. An invalid
    document is introduced: AWS rejects it at apply.

    ## Why it matters
    Every other IAM rule is silent on a document it cannot read. Without this rule a policy
    rendered from values known only after apply would pass the gate unexamined.

    ## Example
    ```hcl
    resource "aws_iam_role_policy" "fail_unknown" {
      role   = aws_iam_role.app.id
      policy = templatefile("policy.json.tpl", { bucket = aws_s3_bucket.data.arn })
    }
    ```

    ## Fix
    Build the policy with an `aws_iam_policy_document` data source or `jsonencode()` so that
    its actions and structure are known at plan time, and fix any invalid JSON.

    ## Parameters
    None.

    ## References
    - Terraform JSON output format: `after_unknown`
    - IAM JSON policy element reference
    """
    for document in all_documents(resource, view, ctx):
        policy = document.policy
        if document.computed:
            yield Hit(
                f"{document.attribute}: {document.computed}; write the effect and actions in "
                "the configuration",
                key=f"computed:{document.attribute}",
                severity=Severity.HIGH,
                always_blocks=True,
            )
        if policy is None:
            yield Hit(
                f"{document.attribute} is known only after apply, so what it grants cannot be "
                "judged",
                key=document.attribute,
                unknown=True,
            )
        elif isinstance(policy, PolicyError):
            yield Hit(
                f"{document.attribute} is not a valid IAM policy: {policy.message}",
                key=f"invalid:{document.attribute}",
            )
        elif policy.problems:
            where = "; ".join(f"{p.pointer}: {p.message}" for p in policy.problems)
            yield Hit(
                f"{document.attribute} is not a valid IAM policy ({where})",
                key=f"invalid:{document.attribute}",
            )


POLICY_EVALUABLE = Rule(
    id="TFG-IAM-060",
    name="policy-not-evaluable",
    title="Policy document cannot be evaluated",
    severity=Severity.MEDIUM,
    resource_types=ALL_DOCUMENT_TYPES,
    controls={"AWS-WA-SEC": ("SEC03-BP02",)},
    check=check_policy_evaluable,
)

__all__ = ["PASS_ROLE", "POLICY_DOCUMENT", "POLICY_EVALUABLE"]
