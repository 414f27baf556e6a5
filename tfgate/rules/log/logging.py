"""Rules on audit logs: CloudTrail and CloudWatch Logs encrypted with a KMS key."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from tfgate.plan.model import Resource
from tfgate.plan.values import Known, View
from tfgate.report import Severity
from tfgate.rules.base import Context, Hit, Rule
from tfgate.rules.support.kms import kms_key_hits


def check_trail_encrypted(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Requires CloudTrail log files to be encrypted with a customer-managed KMS key.

    ## What it does
    Reports an `aws_cloudtrail` whose `kms_key_id` is not set. A key known only after apply
    counts as set when the configuration shows it comes from a KMS key or alias; any other value
    unknown at plan time is reported as `unknown`.

    ## Why it matters
    Trail logs record every API call in the account and are the first thing an investigation
    reads. With SSE-KMS, reading them needs both S3 access and `kms:Decrypt` on the key, and every
    use of the key is itself logged, so the logs are protected against anyone who can only read
    the bucket.

    ## Example
    ```hcl
    resource "aws_cloudtrail" "fail_trail" {
      name           = "org-trail"
      s3_bucket_name = "audit-logs"
    }
    ```

    ## Fix
    Create a KMS key whose policy lets CloudTrail encrypt with it and set
    `kms_key_id = aws_kms_key.trail.arn` on the trail.

    ## Parameters
    None.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 3.5
    - PCI DSS v4.0, 10.3.2
    - AWS Config rule `cloud-trail-encryption-enabled`
    """
    yield from kms_key_hits(resource, view, ctx, "kms_key_id", "the trail's log files")


TRAIL_ENCRYPTED = Rule(
    id="TFG-LOG-001",
    name="cloudtrail-kms-encryption",
    title="CloudTrail logs not encrypted with KMS",
    severity=Severity.HIGH,
    resource_types=frozenset({"aws_cloudtrail"}),
    controls={
        "CIS-AWS-3.0": ("3.5",),
        "AWS-WA-SEC": ("SEC08-BP02",),
        "HIPAA": ("164.312(a)(2)(iv)", "164.312(b)"),
        "PCI-DSS-4.0": ("3.5.1", "10.3.2"),
        "GDPR": ("Art. 32",),
        "NRB": ("IT-2012-4-audit-trails",),
    },
    check=check_trail_encrypted,
)


LOG_GROUP_UNENCRYPTED = (
    "has no customer-managed KMS key (kms_key_id is not set): CloudWatch Logs encrypts it with "
    "a key AWS owns, so the account cannot decide who may read these logs, cannot revoke that "
    "access by disabling a key, and has no CloudTrail record of each decryption"
)


def check_log_group_encrypted(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Requires CloudWatch Logs log groups to be encrypted with a customer-managed KMS key.

    ## What it does
    Reports an `aws_cloudwatch_log_group` whose `kms_key_id` is not set. A value known only after
    apply counts as set when the configuration shows it comes from a KMS key or alias (for example
    `kms_key_id = aws_kms_key.logs.arn` with the key created in the same plan); any other value
    known only after apply is `unknown`.

    What is missing is not encryption as such: CloudWatch Logs always encrypts log data, but
    without `kms_key_id` it uses a key that AWS owns and manages, outside the account. With a
    customer-managed KMS key, reading the logs needs `kms:Decrypt` on that key as well as
    `logs:GetLogEvents`: the key policy decides who can read the logs, disabling the key or
    revoking a grant cuts access at once, and every decryption is recorded in CloudTrail.

    ## Why it matters
    Application and audit logs routinely hold personal data, tokens and request bodies. With an
    AWS-owned key anyone granted `logs:GetLogEvents` reads them, and no use of the key appears in
    the account's CloudTrail. A KMS key puts reading them behind a key policy that can be audited
    and revoked, and it is what PCI DSS (3.5.1, 10.3.2) and HIPAA auditors look for as evidence
    that logs are protected.

    ## Example
    ```hcl
    resource "aws_cloudwatch_log_group" "fail_app" {
      name = "/app/api"
    }
    ```

    ## Fix
    Create a KMS key whose key policy allows the `logs.<region>.amazonaws.com` service principal
    to use it (`kms:Encrypt*`, `kms:Decrypt*`, `kms:ReEncrypt*`, `kms:GenerateDataKey*`,
    `kms:Describe*`, with an `kms:EncryptionContext:aws:logs:arn` condition) and set
    `kms_key_id = aws_kms_key.logs.arn` on the log group.

    In the common modules: terraform-aws-modules/eks sets the cluster's log group key with
    `cloudwatch_log_group_kms_key_id`; terraform-aws-modules/lambda sets the function's log group
    key with `cloudwatch_logs_kms_key_id` (its `kms_key_arn` encrypts the function's environment
    variables, not its logs). Both modules create the log group only when asked to (EKS
    `create_cloudwatch_log_group`, Lambda unless `use_existing_cloudwatch_log_group`).

    ## Parameters
    None.

    ## References
    - PCI DSS v4.0, 3.5.1 and 10.3.2
    - AWS Config rule `cloudwatch-log-group-encrypted`
    - Amazon CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS"
    """
    yield from kms_key_hits(
        resource, view, ctx, "kms_key_id", "the log group", missing=LOG_GROUP_UNENCRYPTED
    )


LOG_GROUP_ENCRYPTED = Rule(
    id="TFG-LOG-002",
    name="log-group-kms-encryption",
    title="CloudWatch log group without a customer-managed KMS key",
    severity=Severity.MEDIUM,
    resource_types=frozenset({"aws_cloudwatch_log_group"}),
    controls={
        "AWS-WA-SEC": ("SEC08-BP02",),
        "HIPAA": ("164.312(a)(2)(iv)",),
        "PCI-DSS-4.0": ("3.5.1", "10.3.2"),
        "GDPR": ("Art. 32",),
        "NRB": ("IT-2012-4-audit-trails",),
    },
    check=check_log_group_encrypted,
)


RETENTION_VALUES = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
)  # fmt: skip
"""The only values CloudWatch Logs accepts for `retentionInDays`."""


def check_log_group_retention(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Requires CloudWatch Logs log groups to keep events for at least the profile's minimum.

    ## What it does
    Reports an `aws_cloudwatch_log_group` whose `retention_in_days` is below
    `min_retention_days`. Unset or `0` means the events never expire: that passes, unless
    `allow_never_expire` is `false` (a storage-limitation profile wants every log group to expire).
    A value known only after apply is reported as `unknown`.

    ## Why it matters
    Incidents are found late: the median attacker dwell time is measured in weeks, and an audit
    looks back a year. Logs that expired before anyone looked cannot answer what happened.
    PCI DSS asks for twelve months of audit history; HIPAA's six-year documentation rule is often
    applied to audit logs too.

    ## Example
    ```hcl
    resource "aws_cloudwatch_log_group" "fail_api" {
      name              = "/app/api"
      retention_in_days = 30
    }
    ```

    ## Fix
    Set `retention_in_days` to a value CloudWatch accepts that is at least the minimum: 365, 400,
    545, 731, 1096, 1827, 2192 (six years), 2557, 2922, 3288 or 3653. For long retention at low
    cost, also export the group to S3 with a lifecycle rule.

    ## Parameters
    - `min_retention_days` (integer, default 365): the shortest retention accepted.
    - `allow_never_expire` (boolean, default true): whether a group that never expires passes.

    ## References
    - PCI DSS v4.0, 10.5.1 (12 months, the latest 3 immediately available)
    - HIPAA 164.312(b); 45 CFR 164.316(b)(2)(i) (six years for required documentation)
    - AWS Config rule `cw-loggroup-retention-period-check` (`MinRetentionTime` default 365)
    """
    minimum = int(params.get("min_retention_days", 365))
    never_ok = bool(params.get("allow_never_expire", True))
    found = view.get("retention_in_days")
    if isinstance(found, Known):
        days = found.value
        if days in (None, 0):
            if not never_ok:
                yield Hit("never expires its events (retention_in_days is not set or 0)")
            return
        if isinstance(days, int | float) and days < minimum:
            yield Hit(f"keeps events {int(days)} days, less than the required {minimum}")
        return
    if view.is_unknown("retention_in_days"):
        yield Hit("retention_in_days is known only after apply", unknown=True)
        return
    if not never_ok:
        yield Hit("never expires its events (retention_in_days is not set)")


LOG_GROUP_RETENTION = Rule(
    id="TFG-LOG-003",
    name="log-group-retention",
    title="CloudWatch log group retention below the minimum",
    severity=Severity.MEDIUM,
    resource_types=frozenset({"aws_cloudwatch_log_group"}),
    controls={
        "AWS-WA-SEC": ("SEC04-BP01",),
        "HIPAA": ("164.312(b)", "164.316(b)(2)(i)"),
        "PCI-DSS-4.0": ("10.5.1",),
        "GDPR": ("Art. 5(1)(e)",),
        "NRB": ("IT-2012-4-audit-trails",),
    },
    check=check_log_group_retention,
    params_schema={
        "type": "object",
        "properties": {
            "min_retention_days": {"type": "integer", "minimum": 0, "maximum": 3653},
            "allow_never_expire": {"type": "boolean"},
        },
    },
    defaults={"min_retention_days": 365, "allow_never_expire": True},
)
