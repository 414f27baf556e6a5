"""Rules on encryption at rest, with customer-managed KMS keys where the profile asks for them.

Each service names its switch and its key differently; a `Store` row says where they are, and
one judgement serves them all. "Customer-managed" means a key the account owns and controls
through its key policy: not an AWS owned key and not an AWS managed `alias/aws/<service>` key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tfgate.plan.model import Plan, Resource
from tfgate.plan.refs import expression
from tfgate.plan.values import Known, PathPart, View
from tfgate.report import Severity
from tfgate.rules.base import Context, Hit, Rule
from tfgate.rules.support.buckets import bucket_settings, live_views, side_of
from tfgate.rules.support.kms import (
    cmk_hits,
    key_state,
    switch_state,
)
from tfgate.rules.support.memo import per_plan

AT_REST_CONTROLS: Mapping[str, tuple[str, ...]] = {
    "AWS-WA-SEC": ("SEC08-BP02",),
    "HIPAA": ("164.312(a)(2)(iv)",),
    "PCI-DSS-4.0": ("3.5.1",),
    "GDPR": ("Art. 32",),
    "NRB": ("IT-2012-4-encryption",),
}

REQUIRE_CMK_SCHEMA: Mapping[str, Any] = {
    "type": "boolean",
    "description": "Require a customer-managed KMS key, not an AWS owned or AWS managed key.",
}

CMK_PARAMS: Mapping[str, Any] = {
    "type": "object",
    "properties": {"require_cmk": REQUIRE_CMK_SCHEMA},
}


@dataclass(frozen=True, slots=True)
class Store:
    """Where one resource type keeps its encryption switch and its key."""

    what: str
    key: tuple[PathPart, ...]
    switch: tuple[PathPart, ...] | None = None
    """A boolean that must be on; None when the service always encrypts, or when the key alone
    says whether it does (`always_encrypted` tells which)."""
    always_encrypted: bool = False
    """True when the service encrypts every object anyway (with an AWS owned key)."""
    alternative: tuple[PathPart, ...] | None = None
    """A second switch that also means encrypted (SQS managed SSE)."""
    alternative_default: bool = False
    """What the alternative switch is when the configuration leaves it out."""
    key_needs_switch: bool = False
    """True when the key applies only once the switch is on (DynamoDB's server-side encryption)."""
    account_default: bool = False
    """True when a switch the configuration leaves out follows the account's EBS encryption by
    default: the provider computes it, and it is unknown until apply, not off."""


def _alternative_state(store: Store, resource: Resource, view: View) -> str:
    """`on`, `off` or `unknown` for a store's second encryption switch."""
    if store.alternative is None:
        return "off"
    default = "on" if store.alternative_default else "off"
    found = view.get(*store.alternative)
    if isinstance(found, Known):
        if found.value is None:
            return default
        return "on" if found.value in (True, "true") else "off"
    if view.is_unknown(*store.alternative):
        configured = expression(resource, *store.alternative) is not None
        return "unknown" if configured or not resource.expressions else default
    return default


def judge_store(
    store: Store, resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Encrypted at all, then (if the profile asks) with a customer-managed key."""
    require_cmk = bool(params.get("require_cmk", False))
    if store.switch is not None and not store.key_needs_switch:
        attribute = ".".join(str(p) for p in store.switch if not isinstance(p, int))
        state = switch_state(resource, view, store.switch)
        if state == "off" and store.account_default and view.is_unknown(*store.switch):
            state = ebs_default(ctx, resource)
            if state == "off":
                yield Hit(
                    f"{store.what} is not encrypted at rest ({attribute} is not set, and this "
                    "plan turns EBS encryption by default off)",
                    "encrypted",
                )
                return
            if state == "unknown":
                yield Hit(
                    f"{store.what}'s encryption is known only after apply: the configuration "
                    f"leaves {attribute} to AWS, so it follows the account's EBS encryption by "
                    "default, which this plan does not show",
                    key="encrypted",
                    unknown=True,
                )
                return
        if state == "unknown":
            yield Hit(f"{attribute} is known only after apply", key="encrypted", unknown=True)
            return
        if state == "off":
            yield Hit(
                f"{store.what} is not encrypted at rest ({attribute} is not true)", "encrypted"
            )
            return
    elif not store.always_encrypted:
        key = key_state(resource, view, ctx, store.key)
        alternative = _alternative_state(store, resource, view)
        if key == "none" and alternative == "off":
            attribute = ".".join(str(p) for p in store.key if not isinstance(p, int))
            yield Hit(
                f"{store.what} is not encrypted at rest ({attribute} is not set)", "encrypted"
            )
            return
        if alternative != "on" and "unknown" in (key, alternative) and key not in ("cmk", "aws"):
            yield Hit(
                "whether it is encrypted is known only after apply", key="encrypted", unknown=True
            )
            return
    if not require_cmk:
        return
    if store.key_needs_switch and store.switch is not None:
        state = switch_state(resource, view, store.switch)
        if state == "unknown":
            yield Hit("server-side encryption is known only after apply", key="cmk", unknown=True)
            return
        if state == "off":
            yield Hit(
                f"{store.what} is encrypted with an AWS owned key, not a customer-managed KMS key",
                key="cmk",
            )
            return
    yield from cmk_hits(resource, view, ctx, store.key, store.what)


# --------------------------------------------------------------------------------------------
# S3

S3_ALGORITHMS = ("aws:kms", "aws:kms:dsse", "AES256")
KMS_ONLY = ("aws:kms", "aws:kms:dsse")
_KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})
_SSE = "aws_s3_bucket_server_side_encryption_configuration"
_DEFAULT = ("apply_server_side_encryption_by_default", 0)


def _sse_rule_hits(
    resource: Resource,
    view: View,
    ctx: Context,
    base: tuple[PathPart, ...],
    algorithms: tuple[str, ...],
    require_cmk: bool,
) -> Iterator[Hit]:
    rules = view.value(*base)
    if view.is_unknown(*base) and not isinstance(rules, list):
        yield Hit("the encryption rules are known only after apply", key="algorithm", unknown=True)
        return
    if not isinstance(rules, list) or not rules:
        yield Hit("sets no default encryption rule", key="algorithm")
        return
    for position in range(len(rules)):
        path = (*base, position, *_DEFAULT)
        algorithm = view.get(*path, "sse_algorithm")
        if not isinstance(algorithm, Known):
            yield Hit("sse_algorithm is known only after apply", key="algorithm", unknown=True)
            continue
        if algorithm.value not in algorithms:
            yield Hit(
                f"uses sse_algorithm {algorithm.value!s}, not one of {', '.join(algorithms)}",
                key="algorithm",
            )
            continue
        if require_cmk:
            if algorithm.value not in _KMS_ALGORITHMS:
                yield Hit(
                    f"uses sse_algorithm {algorithm.value!s} (S3 managed keys), not a "
                    "customer-managed KMS key",
                    key="cmk",
                )
            else:
                yield from cmk_hits(
                    resource, view, ctx, (*path, "kms_master_key_id"), "the bucket's default"
                )


def check_s3_encryption(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Requires S3 default encryption with an accepted algorithm, and a customer key if asked.

    ## What it does
    Reports an `aws_s3_bucket_server_side_encryption_configuration` whose `sse_algorithm` is not
    in `sse_algorithms` (by default KMS only), and an `aws_s3_bucket` with no default encryption
    configuration at all (S3 then applies SSE-S3) unless `AES256` is accepted. With
    `require_cmk`, `aws:kms` without `kms_master_key_id` (the AWS managed `aws/s3` key) is
    reported too.
    The provider v3 inline `server_side_encryption_configuration` block is judged the same way.

    ## Why it matters
    S3 encrypts every new object with SSE-S3 since January 2023, so the question is who controls
    the key. With a customer-managed KMS key, reading an object needs `kms:Decrypt` on a key whose
    policy the account controls and whose every use CloudTrail records; access can be cut off by
    disabling the key. HIPAA and PCI DSS auditors ask for exactly that separation.

    ## Example
    ```hcl
    resource "aws_s3_bucket_server_side_encryption_configuration" "fail_data" {
      bucket = aws_s3_bucket.data.id
      rule {
        apply_server_side_encryption_by_default {
          sse_algorithm = "AES256"
        }
      }
    }
    ```

    ## Fix
    Set `sse_algorithm = "aws:kms"` and `kms_master_key_id = aws_kms_key.data.arn`, and
    `bucket_key_enabled = true` to keep KMS request costs down.

    ## Parameters
    - `sse_algorithms` (list, default `["aws:kms", "aws:kms:dsse"]`): accepted algorithms; add
      `AES256` to accept S3 managed keys.
    - `require_cmk` (boolean, default false): require a customer-managed KMS key.

    ## References
    - HIPAA 164.312(a)(2)(iv); PCI DSS v4.0, 3.5.1; GDPR Art. 32
    - AWS Config rules `s3-bucket-server-side-encryption-enabled` and `s3-default-encryption-kms`
    """
    algorithms = tuple(params.get("sse_algorithms") or KMS_ONLY)
    require_cmk = bool(params.get("require_cmk", False))
    if resource.type == _SSE:
        yield from _sse_rule_hits(resource, view, ctx, ("rule",), algorithms, require_cmk)
        return
    inline = ("server_side_encryption_configuration", 0, "rule")
    if view.value(*inline) and is_configured_block(
        resource, "server_side_encryption_configuration"
    ):
        yield from _sse_rule_hits(resource, view, ctx, inline, algorithms, require_cmk)
        return
    side = side_of(resource, view)
    if any(True for _ in live_views(bucket_settings(ctx, resource, _SSE), side)):
        return
    if require_cmk or "AES256" not in algorithms:
        yield Hit(
            "has no default encryption configuration, so S3 applies SSE-S3 (AES256) with S3 "
            "managed keys",
            key="cmk",
        )


def is_configured_block(resource: Resource, block: str) -> bool:
    return not resource.expressions or block in resource.expressions


S3_ENCRYPTION = Rule(
    id="TFG-ENC-001",
    name="s3-default-encryption",
    title="S3 bucket default encryption not as required",
    severity=Severity.MEDIUM,
    resource_types=frozenset({_SSE, "aws_s3_bucket"}),
    controls=AT_REST_CONTROLS,
    check=check_s3_encryption,
    params_schema={
        "type": "object",
        "properties": {
            "sse_algorithms": {
                "type": "array",
                "items": {"enum": list(S3_ALGORITHMS)},
                "minItems": 1,
                "uniqueItems": True,
            },
            "require_cmk": REQUIRE_CMK_SCHEMA,
        },
    },
    defaults={"sse_algorithms": list(KMS_ONLY), "require_cmk": False},
)


# --------------------------------------------------------------------------------------------
# RDS and Aurora

RDS_STORES: Mapping[str, Store] = {
    "aws_db_instance": Store("the DB instance", ("kms_key_id",), ("storage_encrypted",)),
    "aws_rds_cluster": Store("the Aurora cluster", ("kms_key_id",), ("storage_encrypted",)),
}


def check_rds_encryption(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Requires RDS instances and Aurora clusters to encrypt their storage.

    ## What it does
    Reports an `aws_db_instance` or `aws_rds_cluster` whose `storage_encrypted` is not `true`
    (Aurora Serverless v1 clusters, always encrypted, pass). With `require_cmk`, it also reports
    one whose `kms_key_id` is not set in the configuration (RDS then uses the AWS managed
    `aws/rds` key) or names an `alias/aws/...` key.

    ## Why it matters
    Storage encryption covers the database files, automated backups, snapshots and read
    replicas. It can only be chosen when the database is created: an unencrypted database has to
    be copied through an encrypted snapshot and restored, with downtime, to fix it later.

    ## Example
    ```hcl
    resource "aws_db_instance" "fail_orders" {
      identifier        = "orders"
      engine            = "postgres"
      instance_class    = "db.t4g.micro"
      allocated_storage = 20
    }
    ```

    ## Fix
    Set `storage_encrypted = true` and, for a customer-managed key,
    `kms_key_id = aws_kms_key.rds.arn`.

    ## Parameters
    - `require_cmk` (boolean, default false): require a customer-managed KMS key.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 2.3.1
    - HIPAA 164.312(a)(2)(iv); PCI DSS v4.0, 3.5.1
    - AWS Config rule `rds-storage-encrypted`
    """
    if resource.type == "aws_rds_cluster" and view.value("engine_mode") == "serverless":
        if bool(params.get("require_cmk", False)):
            yield from cmk_hits(resource, view, ctx, ("kms_key_id",), "the Aurora cluster")
        return
    yield from judge_store(RDS_STORES[resource.type], resource, view, ctx, params)


RDS_ENCRYPTION = Rule(
    id="TFG-ENC-002",
    name="rds-storage-encryption",
    title="RDS storage not encrypted as required",
    severity=Severity.HIGH,
    resource_types=frozenset(RDS_STORES),
    controls={"CIS-AWS-3.0": ("2.3.1",), **AT_REST_CONTROLS},
    check=check_rds_encryption,
    params_schema=CMK_PARAMS,
    defaults={"require_cmk": False},
)


# --------------------------------------------------------------------------------------------
# EBS

_VOLUME = Store("the EBS volume", ("kms_key_id",), ("encrypted",), account_default=True)
_INSTANCE_BLOCKS = ("root_block_device", "ebs_block_device")


def check_ebs_encryption(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Requires EBS volumes to be encrypted, and EBS encryption by default to stay on.

    ## What it does
    Reports an `aws_ebs_volume` whose `encrypted` is not `true`, each `root_block_device` and
    `ebs_block_device` of an `aws_instance` that does not set `encrypted = true`, and an
    `aws_ebs_encryption_by_default` with `enabled = false`. With `require_cmk`, volumes and block
    devices must also name a customer-managed `kms_key_id`. A value known only after apply that
    the configuration sets is reported as `unknown`.

    `encrypted` is computed when the configuration leaves it out: AWS then encrypts the volume
    when EBS encryption by default is on in the account and region (and a root volume also when
    the AMI's snapshots are encrypted). Such a volume, and an instance whose `root_block_device`
    is not configured, is `unknown`, not unencrypted, unless the plan itself turns
    `aws_ebs_encryption_by_default` on for the same provider, which makes it encrypted.

    ## Why it matters
    Volume snapshots are easy to share and copy across accounts; an unencrypted snapshot shared
    by mistake is readable by anyone it reaches. Encrypted volumes produce encrypted snapshots,
    and sharing them then also needs access to the key.

    ## Example
    ```hcl
    resource "aws_ebs_volume" "fail_data" {
      availability_zone = "eu-west-1a"
      size              = 100
    }
    ```

    ## Fix
    Set `encrypted = true` (and `kms_key_id = aws_kms_key.ebs.arn`) on volumes and block devices,
    and turn on `aws_ebs_encryption_by_default` in every region used. For an instance, say so on
    its root volume: `root_block_device { encrypted = true }`.

    ## Parameters
    - `require_cmk` (boolean, default false): require a customer-managed KMS key.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 2.2.1
    - HIPAA 164.312(a)(2)(iv); PCI DSS v4.0, 3.5.1
    - AWS Config rules `encrypted-volumes` and `ec2-ebs-encryption-by-default`
    """
    if resource.type == "aws_ebs_encryption_by_default":
        state = switch_state(resource, view, ("enabled",))
        if state == "unknown":
            yield Hit("enabled is known only after apply", key="default", unknown=True)
        elif view.value("enabled") is False:
            yield Hit("turns EBS encryption by default off (enabled = false)", key="default")
        return
    if resource.type == "aws_ebs_volume":
        yield from judge_store(_VOLUME, resource, view, ctx, params)
        return
    for block in _INSTANCE_BLOCKS:
        devices = view.value(block)
        if view.is_unknown(block) and not isinstance(devices, list):
            yield from _unknown_devices(resource, ctx, block, params)
            continue
        if not isinstance(devices, list):
            continue
        for position in range(len(devices)):
            name = view.value(block, position, "device_name")
            label = f"{block} {name}" if isinstance(name, str) and name else block
            device = Store(
                f"the {label}",
                (block, position, "kms_key_id"),
                (block, position, "encrypted"),
                account_default=True,
            )
            for hit in judge_store(device, resource, view, ctx, params):
                yield Hit(hit.message, key=f"{label}:{hit.key}", unknown=hit.unknown)


def _unknown_devices(
    resource: Resource, ctx: Context, block: str, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """An instance's block devices that the plan knows only after apply.

    A root device the configuration leaves out is the AMI's, encrypted by the AMI's snapshots or
    the account's EBS encryption by default; an `ebs_block_device` left out is none at all.
    """
    if resource.expressions and block not in resource.expressions:
        if block != "root_block_device":
            return
        default = ebs_default(ctx, resource)
        if default == "on":
            if params.get("require_cmk", False):
                yield Hit(
                    "the root volume's key is known only after apply: root_block_device is not "
                    "configured, so it gets the account's default EBS key "
                    "(aws_ebs_default_kms_key), which this plan does not show",
                    key=block,
                    unknown=True,
                )
            return
        if default == "off":
            yield Hit(
                "the root volume is not encrypted at rest unless the AMI's snapshots are: "
                "root_block_device is not configured, and this plan turns EBS encryption by "
                "default off",
                key=block,
            )
            return
        yield Hit(
            "the root volume's encryption is known only after apply: root_block_device is not "
            "configured, so it follows the AMI's snapshots and the account's EBS encryption by "
            "default, which this plan does not show",
            key=block,
            unknown=True,
        )
        return
    yield Hit(f"{block} is known only after apply", key=block, unknown=True)


def ebs_default(ctx: Context, resource: Resource) -> str:
    """`on` or `off` when the plan sets EBS encryption by default for the resource's provider
    (off wins when it says both), else `unknown`: the account's setting is not in the plan."""
    settings = per_plan(ctx.plan, "ebs-encryption-by-default", _ebs_defaults)
    found = settings.get(resource.provider_config_key, frozenset())
    if "off" in found:
        return "off"
    return "on" if "on" in found else "unknown"


def _ebs_defaults(plan: Plan) -> Mapping[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for resource in plan.resources:
        if resource.type != "aws_ebs_encryption_by_default" or resource.mode != "managed":
            continue
        if resource.after.values is None:
            continue
        enabled = resource.after.get("enabled")
        state = (
            "unknown"
            if not isinstance(enabled, Known)
            else "on"
            if enabled.value is True
            else "off"
        )
        found.setdefault(resource.provider_config_key, set()).add(state)
    return {key: frozenset(states) for key, states in found.items()}


EBS_ENCRYPTION = Rule(
    id="TFG-ENC-003",
    name="ebs-encryption",
    title="EBS volume or default encryption not as required",
    severity=Severity.HIGH,
    resource_types=frozenset({"aws_ebs_volume", "aws_instance", "aws_ebs_encryption_by_default"}),
    controls={"CIS-AWS-3.0": ("2.2.1",), **AT_REST_CONTROLS},
    check=check_ebs_encryption,
    params_schema=CMK_PARAMS,
    defaults={"require_cmk": False},
)


# --------------------------------------------------------------------------------------------
# EFS

_EFS = Store("the EFS file system", ("kms_key_id",), ("encrypted",))


def check_efs_encryption(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Requires EFS file systems to be encrypted at rest.

    ## What it does
    Reports an `aws_efs_file_system` whose `encrypted` is not `true`. With `require_cmk`, it also
    reports one whose `kms_key_id` is not set in the configuration (the AWS managed
    `aws/elasticfilesystem` key is then used).

    ## Why it matters
    Encryption of a file system can only be chosen at creation; fixing it later means a new file
    system and copying every file across.

    ## Example
    ```hcl
    resource "aws_efs_file_system" "fail_shared" {
      creation_token = "shared"
    }
    ```

    ## Fix
    Set `encrypted = true` and, for a customer-managed key, `kms_key_id = aws_kms_key.efs.arn`.

    ## Parameters
    - `require_cmk` (boolean, default false): require a customer-managed KMS key.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 2.4.1
    - HIPAA 164.312(a)(2)(iv); PCI DSS v4.0, 3.5.1
    - AWS Config rule `efs-encrypted-check`
    """
    yield from judge_store(_EFS, resource, view, ctx, params)


EFS_ENCRYPTION = Rule(
    id="TFG-ENC-004",
    name="efs-encryption",
    title="EFS file system not encrypted as required",
    severity=Severity.HIGH,
    resource_types=frozenset({"aws_efs_file_system"}),
    controls={"CIS-AWS-3.0": ("2.4.1",), **AT_REST_CONTROLS},
    check=check_efs_encryption,
    params_schema=CMK_PARAMS,
    defaults={"require_cmk": False},
)


# --------------------------------------------------------------------------------------------
# DynamoDB, ElastiCache, OpenSearch, Redshift

DATA_STORES: Mapping[str, Store] = {
    "aws_dynamodb_table": Store(
        "the DynamoDB table",
        ("server_side_encryption", 0, "kms_key_arn"),
        ("server_side_encryption", 0, "enabled"),
        always_encrypted=True,
        key_needs_switch=True,
    ),
    "aws_elasticache_replication_group": Store(
        "the ElastiCache replication group", ("kms_key_id",), ("at_rest_encryption_enabled",)
    ),
    "aws_opensearch_domain": Store(
        "the OpenSearch domain",
        ("encrypt_at_rest", 0, "kms_key_id"),
        ("encrypt_at_rest", 0, "enabled"),
    ),
    "aws_elasticsearch_domain": Store(
        "the Elasticsearch domain",
        ("encrypt_at_rest", 0, "kms_key_id"),
        ("encrypt_at_rest", 0, "enabled"),
    ),
    "aws_redshift_cluster": Store("the Redshift cluster", ("kms_key_id",), ("encrypted",)),
}


def check_data_store_encryption(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Requires DynamoDB, ElastiCache, OpenSearch and Redshift to encrypt data at rest.

    ## What it does
    Reports an `aws_elasticache_replication_group` without `at_rest_encryption_enabled`, an
    `aws_opensearch_domain` or `aws_elasticsearch_domain` without `encrypt_at_rest { enabled =
    true }`, and an `aws_redshift_cluster` without `encrypted = true`. DynamoDB always encrypts
    (with an AWS owned key by default), so a table is reported only under `require_cmk`, which
    also asks every other store for a customer-managed key (`kms_key_id`, or
    `server_side_encryption { enabled = true, kms_key_arn = ... }` for DynamoDB).

    ## Why it matters
    These stores hold application data, session tokens and search indexes, often with personal
    data in them. Encryption at rest on most of them can only be chosen at creation time.

    ## Example
    ```hcl
    resource "aws_redshift_cluster" "fail_warehouse" {
      cluster_identifier = "warehouse"
      node_type          = "ra3.xlplus"
      master_username    = "admin"
      manage_master_password = true
    }
    ```

    ## Fix
    Turn the service's encryption switch on and name a KMS key: `at_rest_encryption_enabled =
    true` and `kms_key_id` (ElastiCache), `encrypt_at_rest { enabled = true kms_key_id = ... }`
    (OpenSearch), `encrypted = true` and `kms_key_id` (Redshift), `server_side_encryption {
    enabled = true kms_key_arn = ... }` (DynamoDB).

    ## Parameters
    - `require_cmk` (boolean, default false): require a customer-managed KMS key.

    ## References
    - HIPAA 164.312(a)(2)(iv); PCI DSS v4.0, 3.5.1; GDPR Art. 32
    - Prowler check `dynamodb_tables_kms_cmk_encryption_enabled`
    """
    yield from judge_store(DATA_STORES[resource.type], resource, view, ctx, params)


DATA_STORE_ENCRYPTION = Rule(
    id="TFG-ENC-005",
    name="data-store-encryption",
    title="Data store not encrypted at rest as required",
    severity=Severity.HIGH,
    resource_types=frozenset(DATA_STORES),
    controls=AT_REST_CONTROLS,
    check=check_data_store_encryption,
    params_schema=CMK_PARAMS,
    defaults={"require_cmk": False},
)


# --------------------------------------------------------------------------------------------
# SNS and SQS

MESSAGING: Mapping[str, Store] = {
    "aws_sns_topic": Store("the SNS topic", ("kms_master_key_id",)),
    "aws_sqs_queue": Store(
        "the SQS queue",
        ("kms_master_key_id",),
        alternative=("sqs_managed_sse_enabled",),
        alternative_default=True,
    ),
}


def check_messaging_encryption(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Requires SNS topics and SQS queues to encrypt messages at rest.

    ## What it does
    Reports an `aws_sns_topic` without `kms_master_key_id`, and an `aws_sqs_queue` with neither
    `kms_master_key_id` nor SQS managed encryption (`sqs_managed_sse_enabled`, on by default for
    new queues). With `require_cmk`, both must name a customer-managed key: not
    `alias/aws/sns`, `alias/aws/sqs`, nor SQS managed encryption.

    ## Why it matters
    Messages carry the data flowing between systems (orders, events, notifications), and a
    queue keeps them up to fourteen days. An unencrypted topic stores messages in the clear on the
    service side.

    ## Example
    ```hcl
    resource "aws_sns_topic" "fail_alerts" {
      name = "alerts"
    }
    ```

    ## Fix
    Set `kms_master_key_id = aws_kms_key.messaging.arn`; the key policy must let the publishing
    services (for example `events.amazonaws.com`) use it.

    ## Parameters
    - `require_cmk` (boolean, default false): require a customer-managed KMS key.

    ## References
    - HIPAA 164.312(a)(2)(iv); PCI DSS v4.0, 3.5.1; GDPR Art. 32
    - AWS Config rule `sns-encrypted-kms`
    """
    store = MESSAGING[resource.type]
    if bool(params.get("require_cmk", False)):
        yield from cmk_hits(resource, view, ctx, store.key, store.what)
        return
    yield from judge_store(store, resource, view, ctx, params)


MESSAGING_ENCRYPTION = Rule(
    id="TFG-ENC-006",
    name="messaging-encryption",
    title="SNS topic or SQS queue not encrypted as required",
    severity=Severity.MEDIUM,
    resource_types=frozenset(MESSAGING),
    controls=AT_REST_CONTROLS,
    check=check_messaging_encryption,
    params_schema=CMK_PARAMS,
    defaults={"require_cmk": False},
)


# --------------------------------------------------------------------------------------------
# KMS key rotation


def check_kms_rotation(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Requires automatic rotation of symmetric customer-managed KMS keys.

    ## What it does
    Reports an `aws_kms_key` for symmetric encryption (`customer_master_key_spec` is
    `SYMMETRIC_DEFAULT`, the default, and `key_usage` is `ENCRYPT_DECRYPT`) whose
    `enable_key_rotation` is not `true`, or whose `rotation_period_in_days` is longer than
    `max_rotation_days`. Asymmetric and HMAC keys cannot rotate automatically and are not judged.

    ## Why it matters
    Rotation limits how much data one key version protects and how long a leaked key stays
    useful. KMS keeps every old version to decrypt old data, so turning rotation on breaks
    nothing. PCI DSS asks that keys change at the end of their cryptoperiod.

    ## Example
    ```hcl
    resource "aws_kms_key" "fail_data" {
      description = "application data"
    }
    ```

    ## Fix
    Set `enable_key_rotation = true` (and optionally `rotation_period_in_days`, 90 to 2560).

    ## Parameters
    - `max_rotation_days` (integer, default 365): longest rotation period accepted.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 3.6
    - PCI DSS v4.0, 3.7.4; HIPAA 164.312(a)(2)(iv)
    - AWS Config rule `cmk-backing-key-rotation-enabled`
    """
    spec = view.value("customer_master_key_spec") or "SYMMETRIC_DEFAULT"
    usage = view.value("key_usage") or "ENCRYPT_DECRYPT"
    if spec != "SYMMETRIC_DEFAULT" or usage != "ENCRYPT_DECRYPT":
        return
    found = view.get("enable_key_rotation")
    if view.is_unknown("enable_key_rotation"):
        yield Hit("enable_key_rotation is known only after apply", unknown=True)
        return
    if not isinstance(found, Known) or found.value is not True:
        yield Hit("does not rotate automatically (enable_key_rotation is not true)")
        return
    maximum = int(params.get("max_rotation_days", 365))
    period = view.value("rotation_period_in_days")
    if isinstance(period, int | float) and not isinstance(period, bool) and period > maximum:
        yield Hit(f"rotates every {int(period)} days, longer than {maximum}", key="period")


KMS_ROTATION = Rule(
    id="TFG-ENC-007",
    name="kms-key-rotation",
    title="KMS key rotation is off",
    severity=Severity.MEDIUM,
    resource_types=frozenset({"aws_kms_key"}),
    controls={
        "CIS-AWS-3.0": ("3.6",),
        "HIPAA": ("164.312(a)(2)(iv)",),
        "PCI-DSS-4.0": ("3.7.4",),
        "GDPR": ("Art. 25", "Art. 30"),
        "NRB": ("IT-2012-4-encryption",),
    },
    check=check_kms_rotation,
    params_schema={
        "type": "object",
        "properties": {"max_rotation_days": {"type": "integer", "minimum": 90, "maximum": 2560}},
    },
    defaults={"max_rotation_days": 365},
)
