"""Rules on CloudTrail: trails cover every region, validate and deliver their logs, and the
trail's S3 bucket keeps them safe (versioning, no public access, access logging, object lock).

The trail's bucket and its settings resources are found with `support.buckets`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from tfgate.plan.model import Resource
from tfgate.plan.values import Known, View
from tfgate.report import Severity
from tfgate.rules.base import Context, Hit, Rule
from tfgate.rules.support.attributes import attribute_state, is_configured
from tfgate.rules.support.buckets import (
    PUBLIC_ACCESS_FLAGS,
    bucket_index,
    bucket_settings,
    buckets_named_by,
    live_views,
    side_of,
    view_on,
)

# --------------------------------------------------------------------------------------------
# The trail itself


TRAIL_LOG_CONTROLS: Mapping[str, tuple[str, ...]] = {
    "CIS-AWS-3.0": ("3.1",),
    "AWS-WA-SEC": ("SEC04-BP01",),
    "HIPAA": ("164.308(a)(1)(ii)(D)", "164.312(b)"),
    "PCI-DSS-4.0": ("10.2.1",),
    "GDPR": ("Art. 25", "Art. 30"),
    "NRB": ("IT-2012-4-audit-trails", "CRG-2023-detection"),
}


def check_trail_multi_region(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Requires CloudTrail trails to record every region and global service events.

    ## What it does
    Reports an `aws_cloudtrail` whose `is_multi_region_trail` is not `true` (it defaults to
    `false`), and one that sets `include_global_service_events = false`. A value known only after
    apply is reported as `unknown`.

    ## Why it matters
    A single-region trail leaves every other region unrecorded, and an attacker who notices will
    work there: launching instances for mining, or creating resources in a region nobody watches.
    Global services (IAM, STS, CloudFront) log their events in us-east-1 only when global service
    events are included.

    ## Example
    ```hcl
    resource "aws_cloudtrail" "fail_trail" {
      name           = "main"
      s3_bucket_name = aws_s3_bucket.audit.id
    }
    ```

    ## Fix
    Set `is_multi_region_trail = true` and leave `include_global_service_events` at its default
    (`true`). For an AWS Organization, one organization trail (`is_organization_trail = true`) in
    the management or delegated administrator account covers every member account.

    ## Parameters
    None.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 3.1
    - HIPAA 164.308(a)(1)(ii)(D) and 164.312(b); PCI DSS v4.0, 10.2.1
    - AWS Config rule `multi-region-cloudtrail-enabled`
    """
    found = view.get("is_multi_region_trail")
    if isinstance(found, Known):
        if found.value is not True:
            yield Hit("records one region only (is_multi_region_trail is not true)", key="region")
    elif view.is_unknown("is_multi_region_trail"):
        yield Hit("is_multi_region_trail is known only after apply", key="region", unknown=True)
    else:
        yield Hit("records one region only (is_multi_region_trail is not set)", key="region")
    if view.is_unknown("include_global_service_events"):
        yield Hit(
            "include_global_service_events is known only after apply", key="global", unknown=True
        )
    elif view.value("include_global_service_events") is False:
        yield Hit(
            "leaves out IAM, STS and other global service events "
            "(include_global_service_events = false)",
            key="global",
        )


TRAIL_MULTI_REGION = Rule(
    id="TFG-LOG-004",
    name="cloudtrail-multi-region",
    title="CloudTrail trail does not cover every region",
    severity=Severity.HIGH,
    resource_types=frozenset({"aws_cloudtrail"}),
    controls=TRAIL_LOG_CONTROLS,
    check=check_trail_multi_region,
)


def check_trail_log_validation(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Requires CloudTrail log file integrity validation.

    ## What it does
    Reports an `aws_cloudtrail` whose `enable_log_file_validation` is not `true` (it defaults to
    `false`). A value known only after apply is reported as `unknown`.

    ## Why it matters
    With validation on, CloudTrail writes an hourly digest file signed with SHA-256 and RSA that
    chains to the previous one. `aws cloudtrail validate-logs` then proves that no log file was
    changed, deleted or forged after delivery: the evidence an auditor or a court asks for.

    ## Example
    ```hcl
    resource "aws_cloudtrail" "fail_trail" {
      name                       = "main"
      s3_bucket_name             = aws_s3_bucket.audit.id
      enable_log_file_validation = false
    }
    ```

    ## Fix
    Set `enable_log_file_validation = true`.

    ## Parameters
    None.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 3.2
    - HIPAA 164.312(b), 164.312(c)(1), 164.312(c)(2); PCI DSS v4.0, 10.3.2, 10.3.3, 10.3.4
    - AWS Config rule `cloud-trail-log-file-validation-enabled`
    """
    found = view.get("enable_log_file_validation")
    if isinstance(found, Known):
        if found.value is not True:
            yield Hit("does not validate its log files (enable_log_file_validation is not true)")
    elif view.is_unknown("enable_log_file_validation"):
        yield Hit("enable_log_file_validation is known only after apply", unknown=True)
    else:
        yield Hit("does not validate its log files (enable_log_file_validation is not set)")


TRAIL_LOG_VALIDATION = Rule(
    id="TFG-LOG-005",
    name="cloudtrail-log-file-validation",
    title="CloudTrail log file validation is off",
    severity=Severity.MEDIUM,
    resource_types=frozenset({"aws_cloudtrail"}),
    controls={
        "CIS-AWS-3.0": ("3.2",),
        "AWS-WA-SEC": ("SEC04-BP01",),
        "HIPAA": ("164.312(b)", "164.312(c)(1)", "164.312(c)(2)"),
        "PCI-DSS-4.0": ("10.3.2", "10.3.3", "10.3.4"),
        "GDPR": ("Art. 25",),
        "NRB": ("IT-2012-4-audit-trails",),
    },
    check=check_trail_log_validation,
)

_LOG_GROUP_TYPES = frozenset({"aws_cloudwatch_log_group"})
_ROLE_TYPES = frozenset({"aws_iam_role"})


def check_trail_cloudwatch(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Requires CloudTrail trails to deliver their events to CloudWatch Logs.

    ## What it does
    Reports an `aws_cloudtrail` without `cloud_watch_logs_group_arn`, or with a log group but no
    `cloud_watch_logs_role_arn` (the role CloudTrail assumes to write to it). An ARN known only
    after apply counts as set when the configuration refers to an `aws_cloudwatch_log_group` (for
    the group) or an `aws_iam_role` (for the role); otherwise it is reported as `unknown`.

    ## Why it matters
    Logs in S3 are kept; logs in CloudWatch Logs are watched. Metric filters and alarms on
    root sign-ins, IAM policy changes or console sign-in failures, and the daily automated review
    PCI DSS asks for, all need the events in a log group within minutes.

    ## Example
    ```hcl
    resource "aws_cloudtrail" "fail_trail" {
      name           = "main"
      s3_bucket_name = aws_s3_bucket.audit.id
    }
    ```

    ## Fix
    Create an `aws_cloudwatch_log_group` and a role CloudTrail can assume with
    `logs:CreateLogStream` and `logs:PutLogEvents` on it, and set
    `cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"` and
    `cloud_watch_logs_role_arn = aws_iam_role.trail_to_logs.arn`.

    ## Parameters
    None.

    ## References
    - HIPAA 164.308(a)(1)(ii)(D) and 164.312(b)
    - PCI DSS v4.0, 10.2.1, 10.4.1 and 10.4.1.1
    - AWS Config rule `cloud-trail-cloud-watch-logs-enabled`
    """
    group = attribute_state(resource, view, ctx, "cloud_watch_logs_group_arn", _LOG_GROUP_TYPES)
    if group == "unset":
        yield Hit("does not deliver to CloudWatch Logs (cloud_watch_logs_group_arn is not set)")
        return
    if group == "unknown":
        yield Hit(
            "cloud_watch_logs_group_arn is known only after apply and does not refer to a log "
            "group",
            unknown=True,
        )
        return
    role = attribute_state(resource, view, ctx, "cloud_watch_logs_role_arn", _ROLE_TYPES)
    if role == "unset":
        yield Hit(
            "names a log group but no role to write to it (cloud_watch_logs_role_arn is not set)",
            key="role",
        )
    elif role == "unknown":
        yield Hit(
            "cloud_watch_logs_role_arn is known only after apply and does not refer to a role",
            key="role",
            unknown=True,
        )


TRAIL_CLOUDWATCH = Rule(
    id="TFG-LOG-006",
    name="cloudtrail-cloudwatch-logs",
    title="CloudTrail trail not delivered to CloudWatch Logs",
    severity=Severity.MEDIUM,
    resource_types=frozenset({"aws_cloudtrail"}),
    controls={
        "AWS-WA-SEC": ("SEC04-BP01",),
        "HIPAA": ("164.308(a)(1)(ii)(D)", "164.312(b)"),
        "PCI-DSS-4.0": ("10.2.1", "10.4.1", "10.4.1.1"),
        "GDPR": ("Art. 30",),
        "NRB": ("CRG-2023-detection",),
    },
    check=check_trail_cloudwatch,
)


# --------------------------------------------------------------------------------------------
# The trail's bucket

EXTERNAL_BUCKETS_SCHEMA: Mapping[str, Any] = {
    "type": "array",
    "items": {"type": "string", "minLength": 1},
    "uniqueItems": True,
    "description": "Trail buckets managed outside this plan (a log archive account) and checked "
    "there; a trail writing to one of them is not reported.",
}

BucketJudge = Callable[[Context, Resource, View, str, Mapping[str, Any]], "Hit | None"]
"""Judges one bucket on one side (`after` or `before`) of the change."""


def judge_trail_buckets(
    resource: Resource,
    view: View,
    ctx: Context,
    params: Mapping[str, Any],
    what: str,
    judge: BucketJudge,
) -> Iterator[Hit]:
    """Find the trail's bucket(s) and run `judge` on each, on the same side of the change."""
    buckets, name = buckets_named_by(ctx, resource, view, "s3_bucket_name")
    if not buckets:
        if name is not None and name in (params.get("external_buckets") or ()):
            return
        if name is None:
            yield Hit(
                f"the trail's bucket is known only after apply and is not in this plan, so its "
                f"{what} cannot be checked",
                key="bucket",
                unknown=True,
            )
        else:
            yield Hit(
                f"the trail's bucket is not managed in this plan, so its {what} cannot be "
                "checked here; list it in external_buckets once it is checked where it is managed",
                key="bucket",
                unknown=True,
            )
        return
    side = side_of(resource, view)
    for bucket in buckets:
        bucket_view = view_on(bucket, side)
        if bucket_view.values is None and not bucket_view.exists:
            continue
        hit = judge(ctx, bucket, bucket_view, side, params)
        if hit is not None:
            yield hit


def _bucket_hit(bucket: Resource, message: str, *, unknown: bool = False) -> Hit:
    return Hit(
        f"the trail's bucket {bucket.address} {message}", key=bucket.address, unknown=unknown
    )


def _versioning(
    ctx: Context, bucket: Resource, view: View, side: str, params: Mapping[str, Any]
) -> Hit | None:
    settings = list(live_views(bucket_settings(ctx, bucket, "aws_s3_bucket_versioning"), side))
    unknown = False
    for _, setting in settings:
        status = setting.get("versioning_configuration", 0, "status")
        if isinstance(status, Known) and status.value == "Enabled":
            return None
        unknown = unknown or setting.is_unknown("versioning_configuration", 0, "status")
    if view.value("versioning", 0, "enabled") is True:
        return None
    if unknown:
        return _bucket_hit(bucket, "has a versioning status known only after apply", unknown=True)
    if settings:
        return _bucket_hit(bucket, "has versioning suspended (status is not Enabled)")
    return _bucket_hit(bucket, "has no versioning (no aws_s3_bucket_versioning with Enabled)")


def check_trail_bucket_versioning(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Requires versioning on the S3 bucket a CloudTrail trail writes to.

    ## What it does
    Follows `s3_bucket_name` of an `aws_cloudtrail` to its `aws_s3_bucket` (through the
    reference in `configuration`, or by name) and reports the trail when no
    `aws_s3_bucket_versioning` for that bucket has `status = "Enabled"` (the inline `versioning`
    block of provider v3 also counts). A bucket outside the plan is reported as `unknown` unless it
    is listed in `external_buckets`.

    ## Why it matters
    Without versioning, anyone who can write to the bucket can overwrite or delete a log file and
    it is gone. With versioning, the earlier version stays and the deletion itself is recorded.

    ## Example
    ```hcl
    resource "aws_s3_bucket" "audit" {
      bucket = "example-audit-logs"
    }

    resource "aws_cloudtrail" "fail_trail" {
      name           = "main"
      s3_bucket_name = aws_s3_bucket.audit.id
    }
    ```

    ## Fix
    Add `resource "aws_s3_bucket_versioning" "audit" { bucket = aws_s3_bucket.audit.id
    versioning_configuration { status = "Enabled" } }`.

    ## Parameters
    - `external_buckets` (list of bucket names, default empty): trail buckets managed in another
      configuration, typically a log archive account, and checked there.

    ## References
    - HIPAA 164.312(c)(1) (integrity) and 164.308(a)(7)(ii)(A)
    - PCI DSS v4.0, 10.3.4
    - AWS Config rule `s3-bucket-versioning-enabled`
    """
    yield from judge_trail_buckets(resource, view, ctx, params, "versioning", _versioning)


TRAIL_BUCKET_VERSIONING = Rule(
    id="TFG-LOG-007",
    name="cloudtrail-bucket-versioning",
    title="CloudTrail bucket has no versioning",
    severity=Severity.MEDIUM,
    resource_types=frozenset({"aws_cloudtrail"}),
    controls={
        "HIPAA": ("164.308(a)(7)(ii)(A)", "164.312(c)(1)"),
        "PCI-DSS-4.0": ("10.3.4",),
        "NRB": ("IT-2012-4-audit-trails",),
    },
    check=check_trail_bucket_versioning,
    params_schema={"type": "object", "properties": {"external_buckets": EXTERNAL_BUCKETS_SCHEMA}},
    defaults={"external_buckets": []},
)


def _all_flags(view: View) -> str:
    """`on` when the four public access flags are true, else `unknown` or `off`."""
    if any(view.is_unknown(flag) for flag in PUBLIC_ACCESS_FLAGS):
        return "unknown"
    return "on" if all(view.value(flag) is True for flag in PUBLIC_ACCESS_FLAGS) else "off"


def _public_access(
    ctx: Context, bucket: Resource, view: View, side: str, params: Mapping[str, Any]
) -> Hit | None:
    account = [
        _all_flags(v) for _, v in live_views(list(bucket_index(ctx.plan).account_blocks), side)
    ]
    if "on" in account:
        return None
    settings = list(
        live_views(bucket_settings(ctx, bucket, "aws_s3_bucket_public_access_block"), side)
    )
    states = [_all_flags(setting) for _, setting in settings]
    if "on" in states:
        return None
    if "unknown" in states or "unknown" in account:
        return _bucket_hit(
            bucket, "has public access block settings known only after apply", unknown=True
        )
    if settings:
        off = sorted(
            {flag for _, s in settings for flag in PUBLIC_ACCESS_FLAGS if s.value(flag) is not True}
        )
        return _bucket_hit(bucket, f"does not block public access ({', '.join(off)} not true)")
    return _bucket_hit(bucket, "has no aws_s3_bucket_public_access_block")


def check_trail_bucket_public_access(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Requires S3 Block Public Access on the bucket a CloudTrail trail writes to.

    ## What it does
    Follows `s3_bucket_name` of an `aws_cloudtrail` to its `aws_s3_bucket` and reports the trail
    unless an `aws_s3_bucket_public_access_block` for that bucket, or an
    `aws_s3_account_public_access_block` in the plan, sets all four flags (`block_public_acls`,
    `block_public_policy`, `ignore_public_acls`, `restrict_public_buckets`) to `true`. A bucket
    outside the plan is reported as `unknown` unless it is listed in `external_buckets`.

    ## Why it matters
    A trail bucket made public by one careless ACL or policy exposes the account's whole API
    history: who holds which role, which resources exist, where the data is. Block Public Access
    overrides such ACLs and policies.

    ## Example
    ```hcl
    resource "aws_s3_bucket_public_access_block" "audit" {
      bucket             = aws_s3_bucket.audit.id
      block_public_acls  = true
      block_public_policy = false
    }
    ```

    ## Fix
    Add an `aws_s3_bucket_public_access_block` for the bucket with the four flags set to `true`,
    or set them once for the account with `aws_s3_account_public_access_block`.

    ## Parameters
    - `external_buckets` (list of bucket names, default empty): trail buckets managed in another
      configuration and checked there.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 2.1.4
    - HIPAA 164.312(a)(1); PCI DSS v4.0, 10.3.2
    - AWS Config rule `s3-bucket-public-read-prohibited`
    """
    yield from judge_trail_buckets(resource, view, ctx, params, "public access", _public_access)


TRAIL_BUCKET_PUBLIC = Rule(
    id="TFG-LOG-008",
    name="cloudtrail-bucket-public-access",
    title="CloudTrail bucket does not block public access",
    severity=Severity.HIGH,
    resource_types=frozenset({"aws_cloudtrail"}),
    controls={
        "CIS-AWS-3.0": ("2.1.4",),
        "HIPAA": ("164.312(a)(1)",),
        "PCI-DSS-4.0": ("10.3.2",),
        "GDPR": ("Art. 25",),
        "NRB": ("IT-2012-4-audit-trails",),
    },
    check=check_trail_bucket_public_access,
    params_schema={"type": "object", "properties": {"external_buckets": EXTERNAL_BUCKETS_SCHEMA}},
    defaults={"external_buckets": []},
)

LOCK_MODES = ("COMPLIANCE", "GOVERNANCE")


def _lock_enabled(bucket: Resource, view: View) -> str:
    """`on`, `off` or `unknown`: whether Object Lock is enabled on the bucket."""
    if view.value("object_lock_configuration", 0, "object_lock_enabled") == "Enabled":
        return "on"
    found = view.get("object_lock_enabled")
    if isinstance(found, Known):
        return "on" if found.value is True else "off"
    if view.is_unknown("object_lock_enabled"):
        # Computed when the configuration does not set it, and then it is false.
        return "off" if is_configured(bucket, "object_lock_enabled") is False else "unknown"
    return "off"


def _retention_days(view: View, path: tuple[str | int, ...]) -> int | None:
    days = view.value(*path, "days")
    years = view.value(*path, "years")
    total = 0
    if isinstance(days, int) and not isinstance(days, bool):
        total = max(total, days)
    if isinstance(years, int) and not isinstance(years, bool):
        total = max(total, years * 365)
    return total or None


def _object_lock(
    ctx: Context, bucket: Resource, view: View, side: str, params: Mapping[str, Any]
) -> Hit | None:
    modes = tuple(params.get("modes") or LOCK_MODES)
    minimum = int(params.get("min_retention_days") or 0)
    enabled = _lock_enabled(bucket, view)
    if enabled == "unknown":
        return _bucket_hit(bucket, "has object_lock_enabled known only after apply", unknown=True)
    if enabled == "off":
        return _bucket_hit(bucket, "does not have S3 Object Lock enabled (object_lock_enabled)")
    rules: list[tuple[View, tuple[str | int, ...]]] = [
        (setting, ("rule", 0, "default_retention", 0))
        for _, setting in live_views(
            bucket_settings(ctx, bucket, "aws_s3_bucket_object_lock_configuration"), side
        )
    ]
    if view.value("object_lock_configuration", 0, "rule", 0, "default_retention", 0):
        rules.append((view, ("object_lock_configuration", 0, "rule", 0, "default_retention", 0)))
    if not rules:
        return _bucket_hit(bucket, "has Object Lock without a default retention rule")
    problems: list[str] = []
    for setting, path in rules:
        if setting.is_unknown(*path):
            return _bucket_hit(
                bucket, "has a default retention known only after apply", unknown=True
            )
        mode = setting.value(*path, "mode")
        days = _retention_days(setting, path)
        if mode not in modes:
            problems.append(f"default retention mode is not {' or '.join(modes)}")
        elif minimum and (days is None or days < minimum):
            problems.append(f"default retention is shorter than {minimum} days")
        else:
            return None
    return _bucket_hit(bucket, "; ".join(dict.fromkeys(problems)))


def check_trail_bucket_object_lock(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Requires S3 Object Lock with a default retention on the bucket a CloudTrail trail writes to.

    ## What it does
    Follows `s3_bucket_name` of an `aws_cloudtrail` to its `aws_s3_bucket` and reports the trail
    when the bucket does not set `object_lock_enabled = true`, or has no
    `aws_s3_bucket_object_lock_configuration` default retention whose `mode` is one of `modes`
    and whose `days` (or `years` times 365) reach `min_retention_days`. The provider v3 inline
    `object_lock_configuration` block also counts. A bucket outside the plan is reported as
    `unknown` unless it is listed in `external_buckets`.

    ## Why it matters
    Versioning keeps old versions, but whoever can delete versions can still erase history.
    Object Lock makes each log file write-once for the retention period: in COMPLIANCE mode not
    even the root user can delete it early. It is the control that makes audit logs tamper-proof.

    ## Example
    ```hcl
    resource "aws_s3_bucket" "audit" {
      bucket = "example-audit-logs"
      # object_lock_enabled is not set: Object Lock can never be added to this bucket later
    }
    ```

    ## Fix
    Object Lock can only be enabled when the bucket is created: create the trail bucket with
    `object_lock_enabled = true` and add an `aws_s3_bucket_object_lock_configuration` with
    `rule { default_retention { mode = "COMPLIANCE" days = 365 } }`, then move the trail to it.

    ## Parameters
    - `modes` (list, default `["COMPLIANCE", "GOVERNANCE"]`): retention modes accepted.
    - `min_retention_days` (integer, default 0 = any): shortest default retention accepted.
    - `external_buckets` (list of bucket names, default empty): trail buckets managed elsewhere.

    ## References
    - PCI DSS v4.0, 10.3.4 (and 10.5.1 for the 12-month retention)
    - HIPAA 164.312(c)(1)
    - AWS Config rule `s3-bucket-default-lock-enabled`
    """
    yield from judge_trail_buckets(resource, view, ctx, params, "object lock", _object_lock)


TRAIL_BUCKET_OBJECT_LOCK = Rule(
    id="TFG-LOG-009",
    name="cloudtrail-bucket-object-lock",
    title="CloudTrail bucket without Object Lock",
    severity=Severity.MEDIUM,
    resource_types=frozenset({"aws_cloudtrail"}),
    controls={
        "HIPAA": ("164.312(c)(1)",),
        "PCI-DSS-4.0": ("10.3.4",),
        "NRB": ("IT-2012-4-audit-trails",),
    },
    check=check_trail_bucket_object_lock,
    params_schema={
        "type": "object",
        "properties": {
            "modes": {
                "type": "array",
                "items": {"enum": list(LOCK_MODES)},
                "minItems": 1,
                "uniqueItems": True,
            },
            "min_retention_days": {"type": "integer", "minimum": 0},
            "external_buckets": EXTERNAL_BUCKETS_SCHEMA,
        },
    },
    defaults={"modes": list(LOCK_MODES), "min_retention_days": 0, "external_buckets": []},
)


def _access_logging(
    ctx: Context, bucket: Resource, view: View, side: str, params: Mapping[str, Any]
) -> Hit | None:
    settings = live_views(bucket_settings(ctx, bucket, "aws_s3_bucket_logging"), side)
    if any(known_target(s) or s.is_unknown("target_bucket") for _, s in settings):
        return None
    if view.value("logging", 0, "target_bucket"):
        return None
    return _bucket_hit(bucket, "has no server access logging (no aws_s3_bucket_logging)")


def known_target(view: View) -> bool:
    value = view.value("target_bucket")
    return isinstance(value, str) and bool(value)


def check_trail_bucket_access_logging(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Requires S3 server access logging on the bucket a CloudTrail trail writes to.

    ## What it does
    Follows `s3_bucket_name` of an `aws_cloudtrail` to its `aws_s3_bucket` and reports the trail
    when no `aws_s3_bucket_logging` (or provider v3 inline `logging` block) names a target bucket
    for it. A target bucket known only after apply counts: it is being created. A bucket outside
    the plan is reported as `unknown` unless it is listed in `external_buckets`.

    ## Why it matters
    CloudTrail records API calls on the bucket, but not every read of a log object. Server access
    logs show who read or tried to read the audit logs, which is how reconnaissance against the
    trail is noticed.

    ## Example
    ```hcl
    resource "aws_s3_bucket" "audit" {
      bucket = "example-audit-logs"
    }
    # no aws_s3_bucket_logging for it
    ```

    ## Fix
    Add `resource "aws_s3_bucket_logging" "audit" { bucket = aws_s3_bucket.audit.id
    target_bucket = aws_s3_bucket.access_logs.id target_prefix = "audit/" }`, with the target in
    the same region and not itself the trail bucket.

    ## Parameters
    - `external_buckets` (list of bucket names, default empty): trail buckets managed elsewhere.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 3.4
    - AWS Config rule `cloudtrail-s3-bucket-access-logging`
    """
    yield from judge_trail_buckets(resource, view, ctx, params, "access logging", _access_logging)


TRAIL_BUCKET_ACCESS_LOGGING = Rule(
    id="TFG-LOG-010",
    name="cloudtrail-bucket-access-logging",
    title="CloudTrail bucket without server access logging",
    severity=Severity.LOW,
    resource_types=frozenset({"aws_cloudtrail"}),
    controls={
        "CIS-AWS-3.0": ("3.4",),
        "HIPAA": ("164.312(b)",),
        "NRB": ("IT-2012-4-audit-trails",),
    },
    check=check_trail_bucket_access_logging,
    params_schema={"type": "object", "properties": {"external_buckets": EXTERNAL_BUCKETS_SCHEMA}},
    defaults={"external_buckets": []},
)
