"""Rules on data residency: where resources live, and where their copies go.

Regions are resolved by `tfgate.plan.region` (the resource's own `region`, else its provider
configuration, aliases and module-passed providers included). A region the plan cannot tell is
reported as `unknown`, never as allowed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from tfgate.plan.model import Resource
from tfgate.plan.region import ResolvedRegion, arn_region, region_of
from tfgate.plan.values import Known, PathPart, View
from tfgate.report import Severity
from tfgate.rules.base import Context, Hit, Rule
from tfgate.rules.support.buckets import bucket_index, side_of

EU_REGIONS = ("eu-west-1", "eu-west-3", "eu-central-1", "eu-north-1", "eu-south-1", "eu-south-2")
"""AWS regions inside the EU (Ireland, Paris, Frankfurt, Stockholm, Milan, Spain)."""

ADEQUACY_REGIONS = ("eu-west-2", "eu-central-2")
"""London and Zurich: outside the EU, in countries with an EU adequacy decision."""

REGIONAL_DATA_TYPES = frozenset(
    {
        "aws_ami",
        "aws_api_gateway_rest_api",
        "aws_apigatewayv2_api",
        "aws_apprunner_service",
        "aws_appsync_graphql_api",
        "aws_athena_workgroup",
        "aws_autoscaling_group",
        "aws_backup_vault",
        "aws_batch_compute_environment",
        "aws_bedrockagent_knowledge_base",
        "aws_cloudtrail",
        "aws_cloudwatch_event_bus",
        "aws_cloudwatch_log_group",
        "aws_codecommit_repository",
        "aws_cognito_user_pool",
        "aws_dax_cluster",
        "aws_db_instance",
        "aws_db_snapshot",
        "aws_dms_replication_instance",
        "aws_docdb_cluster",
        "aws_dynamodb_table",
        "aws_dynamodb_table_replica",
        "aws_ebs_snapshot",
        "aws_ebs_volume",
        "aws_ecr_repository",
        "aws_ecs_service",
        "aws_ecs_task_definition",
        "aws_efs_file_system",
        "aws_eks_cluster",
        "aws_elastic_beanstalk_environment",
        "aws_elasticache_cluster",
        "aws_elasticache_replication_group",
        "aws_elasticache_serverless_cache",
        "aws_elasticsearch_domain",
        "aws_emr_cluster",
        "aws_fsx_lustre_file_system",
        "aws_fsx_ontap_file_system",
        "aws_fsx_openzfs_file_system",
        "aws_fsx_windows_file_system",
        "aws_glacier_vault",
        "aws_glue_catalog_database",
        "aws_instance",
        "aws_keyspaces_table",
        "aws_kinesis_firehose_delivery_stream",
        "aws_kinesis_stream",
        "aws_kinesis_video_stream",
        "aws_kms_key",
        "aws_kms_replica_key",
        "aws_lambda_function",
        "aws_launch_template",
        "aws_lb",
        "aws_lightsail_instance",
        "aws_memorydb_cluster",
        "aws_mq_broker",
        "aws_msk_cluster",
        "aws_neptune_cluster",
        "aws_opensearch_domain",
        "aws_qldb_ledger",
        "aws_rds_cluster",
        "aws_rds_cluster_instance",
        "aws_redshift_cluster",
        "aws_redshiftserverless_namespace",
        "aws_s3_bucket",
        "aws_sagemaker_domain",
        "aws_sagemaker_notebook_instance",
        "aws_secretsmanager_secret",
        "aws_sfn_state_machine",
        "aws_sns_topic",
        "aws_sqs_queue",
        "aws_ssm_parameter",
        "aws_storagegateway_gateway",
        "aws_timestreamwrite_database",
        "aws_transfer_server",
        "aws_workspaces_workspace",
    }
)
"""Regional resource types that store or process data. Global services (IAM, Route 53,
CloudFront, Organizations) have no region and are not judged."""

REGIONS_SCHEMA: Mapping[str, Any] = {
    "type": "array",
    "items": {"type": "string", "pattern": "^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]+$"},
    "uniqueItems": True,
}

RESIDENCY_PARAMS: Mapping[str, Any] = {
    "type": "object",
    "properties": {
        "allowed_regions": REGIONS_SCHEMA,
        "adequacy_regions": REGIONS_SCHEMA,
        "allow_adequacy_regions": {"type": "boolean"},
    },
}

RESIDENCY_DEFAULTS: Mapping[str, Any] = {
    "allowed_regions": list(EU_REGIONS),
    "adequacy_regions": list(ADEQUACY_REGIONS),
    "allow_adequacy_regions": False,
}

RESIDENCY_CONTROLS: Mapping[str, tuple[str, ...]] = {
    "GDPR": ("Art. 44", "Art. 45", "Art. 46"),
    "NRB": ("IT-2012-7-outsourcing",),
}


def verdict(region: str, params: Mapping[str, Any]) -> str | None:
    """None when `region` is allowed, else the reason it is not."""
    allowed = params.get("allowed_regions") or ()
    adequacy = params.get("adequacy_regions") or ()
    if region in allowed:
        return None
    if region in adequacy:
        if params.get("allow_adequacy_regions"):
            return None
        return (
            f"{region}, a country with an adequacy decision but outside the allowed regions "
            "(set allow_adequacy_regions to accept it)"
        )
    return f"{region}, outside the allowed regions"


def restricted(params: Mapping[str, Any]) -> bool:
    """An empty `allowed_regions` means no residency restriction at all."""
    return bool(params.get("allowed_regions"))


def check_resource_region(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Keeps resources that hold or process data inside the allowed regions.

    ## What it does
    Resolves the region of each regional data resource (S3, RDS, DynamoDB, EBS, EFS, Lambda,
    queues, streams, logs, keys and the like) from its own `region` argument (AWS provider v6),
    else from the provider configuration it uses: `aws`, an alias such as `aws.us`, or a provider
    passed to a module. The region may be a constant or a root variable. It reports a resource
    whose region is not in `allowed_regions`; a region in `adequacy_regions` is accepted only when
    `allow_adequacy_regions` is `true`. A region that cannot be known at plan time (taken from the
    environment, a module input or a data source) is reported as `unknown`. An empty
    `allowed_regions` turns the rule off.

    ## Why it matters
    GDPR Chapter V lets personal data leave the EU/EEA only to countries with an adequacy
    decision or under safeguards such as standard contractual clauses. A region is where the data
    physically is: a bucket created through a stray provider alias in `us-east-1` is a transfer,
    whatever the contract says.

    ## Example
    ```hcl
    provider "aws" {
      alias  = "us"
      region = "us-east-1"
    }

    resource "aws_s3_bucket" "fail_exports" {
      provider = aws.us
      bucket   = "customer-exports"
    }
    ```

    ## Fix
    Create the resource with a provider configuration whose `region` is allowed. If a transfer
    is intended and covered by a safeguard, waive the finding with that reason; to accept London
    and Zurich, set `allow_adequacy_regions: true` in the profile.

    ## Parameters
    - `allowed_regions` (list, default the six EU regions eu-west-1, eu-west-3, eu-central-1,
      eu-north-1, eu-south-1, eu-south-2; empty = no restriction).
    - `adequacy_regions` (list, default eu-west-2 London and eu-central-2 Zurich).
    - `allow_adequacy_regions` (boolean, default false).

    ## References
    - GDPR Articles 44, 45 and 46 (transfers to third countries)
    - EU adequacy decision for the United Kingdom, renewed December 2025
    - Prowler check `organizations_scp_check_deny_regions` (the preventive control)
    """
    if not restricted(params):
        return
    found = region_of(ctx.plan, resource, view)
    yield from _judge_region(found, params, "is in", "region")


def _judge_region(
    found: ResolvedRegion, params: Mapping[str, Any], prefix: str, key: str
) -> Iterator[Hit]:
    if found.region is None:
        yield Hit(f"its region cannot be told at plan time: {found.origin}", key=key, unknown=True)
        return
    reason = verdict(found.region, params)
    if reason is not None:
        yield Hit(f"{prefix} {reason} (from {found.origin})", key=f"{key}:{found.region}")


RESOURCE_REGION = Rule(
    id="TFG-RES-001",
    name="resource-region-not-allowed",
    title="Resource outside the allowed regions",
    severity=Severity.HIGH,
    resource_types=REGIONAL_DATA_TYPES,
    controls=RESIDENCY_CONTROLS,
    check=check_resource_region,
    params_schema=RESIDENCY_PARAMS,
    defaults=RESIDENCY_DEFAULTS,
)


def _s3_destinations(
    resource: Resource, view: View, ctx: Context
) -> Iterator[tuple[str, ResolvedRegion]]:
    rules = view.value("rule")
    if view.is_unknown("rule") and not isinstance(rules, list):
        yield "rule", ResolvedRegion(None, "the replication rules are known only after apply")
        return
    side = side_of(resource, view)
    for position in range(len(rules) if isinstance(rules, list) else 0):
        path: tuple[PathPart, ...] = ("rule", position, "destination", 0, "bucket")
        label = f"replication rule {position + 1}"
        buckets = [r for r in ctx.referenced(resource, *path) if r.type == "aws_s3_bucket"]
        if not buckets:
            arn = view.value(*path)
            if isinstance(arn, str) and arn.startswith("arn:"):
                name = arn.rsplit(":", 1)[-1]
                buckets = list(bucket_index(ctx.plan).by_name.get(name, ()))
        if not buckets:
            yield (
                label,
                ResolvedRegion(
                    None, "the destination bucket is not in this plan, so its region is unknown"
                ),
            )
            continue
        for bucket in buckets:
            bucket_view = bucket.after if side == "after" else bucket.before
            if bucket_view.values is None:
                bucket_view = bucket.after
            yield label, region_of(ctx.plan, bucket, bucket_view)


def _dynamodb_replicas(view: View) -> Iterator[tuple[str, ResolvedRegion]]:
    replicas = view.value("replica")
    if view.is_unknown("replica") and not isinstance(replicas, list):
        yield "replica", ResolvedRegion(None, "the replicas are known only after apply")
        return
    for position in range(len(replicas) if isinstance(replicas, list) else 0):
        found = view.get("replica", position, "region_name")
        label = f"replica {position + 1}"
        if isinstance(found, Known) and isinstance(found.value, str) and found.value:
            yield label, ResolvedRegion(found.value, "replica region_name")
        else:
            yield label, ResolvedRegion(None, "replica region_name is known only after apply")


def _backup_copies(
    resource: Resource, view: View, ctx: Context
) -> Iterator[tuple[str, ResolvedRegion]]:
    rules = view.value("rule")
    for position in range(len(rules) if isinstance(rules, list) else 0):
        copies = view.value("rule", position, "copy_action")
        for copy in range(len(copies) if isinstance(copies, list) else 0):
            path: tuple[PathPart, ...] = ("rule", position, "copy_action", copy)
            label = f"rule {position + 1} copy {copy + 1}"
            arn = view.value(*path, "destination_vault_arn")
            if isinstance(arn, str) and arn:
                region = arn_region(arn)
                yield (
                    label,
                    ResolvedRegion(region, "the destination vault ARN")
                    if region
                    else (ResolvedRegion(None, "the destination vault ARN has no region")),
                )
                continue
            vaults = [
                vault
                for vault in ctx.referenced(resource, *path, "destination_vault_arn")
                if vault.type == "aws_backup_vault"
            ]
            if not vaults:
                yield (
                    label,
                    ResolvedRegion(
                        None, "the destination vault is known only after apply and not in this plan"
                    ),
                )
            for vault in vaults:
                yield label, region_of(ctx.plan, vault)


def _ecr_destinations(view: View) -> Iterator[tuple[str, ResolvedRegion]]:
    rules = view.value("replication_configuration", 0, "rule")
    for position in range(len(rules) if isinstance(rules, list) else 0):
        destinations = view.value("replication_configuration", 0, "rule", position, "destination")
        for item in range(len(destinations) if isinstance(destinations, list) else 0):
            region = view.value(
                "replication_configuration", 0, "rule", position, "destination", item, "region"
            )
            label = f"rule {position + 1} destination {item + 1}"
            if isinstance(region, str) and region:
                yield label, ResolvedRegion(region, "the destination region")
            else:
                yield (
                    label,
                    ResolvedRegion(None, "the destination region is known only after apply"),
                )


def copy_destinations(
    resource: Resource, view: View, ctx: Context
) -> Sequence[tuple[str, ResolvedRegion]]:
    if resource.type == "aws_s3_bucket_replication_configuration":
        return list(_s3_destinations(resource, view, ctx))
    if resource.type == "aws_dynamodb_table":
        return list(_dynamodb_replicas(view))
    if resource.type == "aws_backup_plan":
        return list(_backup_copies(resource, view, ctx))
    return list(_ecr_destinations(view))


def check_copy_region(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Keeps replicas and backup copies inside the allowed regions.

    ## What it does
    Reports each copy destination outside `allowed_regions` (with `adequacy_regions` accepted
    only when `allow_adequacy_regions` is `true`): the destination bucket of each rule of an
    `aws_s3_bucket_replication_configuration` (its region resolved like any bucket's, through the
    reference in `configuration` or its name), each `replica` of an `aws_dynamodb_table`, each
    `copy_action` of an `aws_backup_plan` (the region in `destination_vault_arn`, or the vault's
    own region when it is created in the same plan), and each destination of an
    `aws_ecr_replication_configuration`. A destination whose region the plan cannot tell is
    reported as `unknown`.

    ## Why it matters
    Replication and backup copies are the quiet way data leaves a region: the primary sits in
    Frankfurt and passes every review, while a disaster-recovery copy lands in Virginia.

    ## Example
    ```hcl
    resource "aws_dynamodb_table" "fail_customers" {
      name         = "customers"
      billing_mode = "PAY_PER_REQUEST"
      hash_key     = "id"
      attribute {
        name = "id"
        type = "S"
      }
      replica {
        region_name = "us-east-1"
      }
    }
    ```

    ## Fix
    Replicate and copy to an allowed region (eu-central-1 to eu-west-1, for example). If a copy
    outside the EU is intended and covered by safeguards, waive the finding with that reason.

    ## Parameters
    - `allowed_regions`, `adequacy_regions`, `allow_adequacy_regions`: as for TFG-RES-001.

    ## References
    - GDPR Articles 44, 45 and 46 (transfers to third countries)
    """
    if not restricted(params):
        return
    for label, found in copy_destinations(resource, view, ctx):
        yield from _judge_region(found, params, f"copies data ({label}) to", label)


COPY_REGION = Rule(
    id="TFG-RES-002",
    name="copy-region-not-allowed",
    title="Replica or backup copy outside the allowed regions",
    severity=Severity.HIGH,
    resource_types=frozenset(
        {
            "aws_s3_bucket_replication_configuration",
            "aws_dynamodb_table",
            "aws_backup_plan",
            "aws_ecr_replication_configuration",
        }
    ),
    controls=RESIDENCY_CONTROLS,
    check=check_copy_region,
    params_schema=RESIDENCY_PARAMS,
    defaults=RESIDENCY_DEFAULTS,
)
