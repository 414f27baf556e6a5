"""S3 buckets and the settings resources that configure them.

AWS provider v4 moved a bucket's settings (versioning, public access block, object lock, default
encryption, access logging) into separate `aws_s3_bucket_*` resources that name the bucket in
their `bucket` argument. A setting belongs to a bucket when that argument refers to the bucket's
block in `configuration` (`bucket = aws_s3_bucket.logs.id`), or when its known value is the
bucket's name. The index is built once per plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from tfgate.plan.model import Plan, Resource
from tfgate.plan.refs import reference_targets
from tfgate.plan.values import View
from tfgate.rules.base import Context
from tfgate.rules.support.memo import per_plan

BUCKET = "aws_s3_bucket"
SETTINGS = frozenset(
    {
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_public_access_block",
        "aws_s3_bucket_object_lock_configuration",
        "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_logging",
        "aws_s3_bucket_replication_configuration",
        "aws_s3_bucket_acl",
        "aws_s3_bucket_ownership_controls",
    }
)


@dataclass(frozen=True, slots=True)
class BucketIndex:
    """Buckets by name, and bucket settings by the bucket block or name they point at."""

    by_name: dict[str, list[Resource]]
    settings_by_ref: dict[tuple[str, str, str], list[Resource]]
    settings_by_name: dict[tuple[str, str], list[Resource]]
    account_blocks: tuple[Resource, ...]


def bucket_index(plan: Plan) -> BucketIndex:
    """Build the index on first use for a plan; reuse it for every later question."""
    return per_plan(plan, "buckets", _build_bucket_index)


def _build_bucket_index(plan: Plan) -> BucketIndex:
    by_name: dict[str, list[Resource]] = defaultdict(list)
    by_ref: dict[tuple[str, str, str], list[Resource]] = defaultdict(list)
    by_setting_name: dict[tuple[str, str], list[Resource]] = defaultdict(list)
    account: list[Resource] = []
    for resource in plan.resources:
        if resource.mode != "managed":
            continue
        if resource.type == BUCKET:
            for name in _names(resource, "bucket"):
                by_name[name].append(resource)
        elif resource.type in SETTINGS:
            for name in _names(resource, "bucket"):
                by_setting_name[(resource.type, name)].append(resource)
            for reference in _bucket_references(resource):
                by_ref[(resource.type, resource.module_address, reference)].append(resource)
        elif resource.type == "aws_s3_account_public_access_block":
            account.append(resource)
    return BucketIndex(dict(by_name), dict(by_ref), dict(by_setting_name), tuple(account))


def _names(resource: Resource, attribute: str) -> set[str]:
    names: set[str] = set()
    for view in (resource.after, resource.before):
        value = view.value(attribute)
        if isinstance(value, str) and value:
            names.add(value)
    return names


def _bucket_references(resource: Resource) -> set[str]:
    return {
        target.config_address
        for target in reference_targets(resource, "bucket")
        if target.kind == "resource" and target.type == BUCKET
    }


def side_of(resource: Resource, view: View) -> str:
    """Whether a rule was handed the `after` or the `before` side of `resource`."""
    return "after" if view.values is resource.after.values else "before"


def view_on(resource: Resource, side: str) -> View:
    return resource.after if side == "after" else resource.before


def buckets_named_by(
    ctx: Context, resource: Resource, view: View, attribute: str
) -> tuple[list[Resource], str | None]:
    """The `aws_s3_bucket` resources an attribute (a bucket name) designates, and that name.

    A reference in `configuration` wins (it is exact, even when the name is known only after
    apply); otherwise a known name is looked up among the plan's buckets.
    """
    referenced = [r for r in ctx.referenced(resource, attribute) if r.type == BUCKET]
    name = view.value(attribute)
    known_name = name if isinstance(name, str) and name else None
    if referenced:
        return referenced, known_name
    if known_name is None:
        return [], None
    return list(bucket_index(ctx.plan).by_name.get(known_name, ())), known_name


def bucket_settings(ctx: Context, bucket: Resource, setting_type: str) -> list[Resource]:
    """The `setting_type` resources that configure `bucket`."""
    index = bucket_index(ctx.plan)
    found: dict[str, Resource] = {}
    candidates = index.settings_by_ref.get(
        (setting_type, bucket.module_address, bucket.config_address), []
    )
    for setting in candidates:
        if bucket.index is None or setting.index in (None, bucket.index):
            found.setdefault(setting.address, setting)
    for name in _names(bucket, "bucket"):
        for setting in index.settings_by_name.get((setting_type, name), []):
            found.setdefault(setting.address, setting)
    return list(found.values())


def live_views(resources: list[Resource], side: str) -> Iterator[tuple[Resource, View]]:
    """The views of `resources` that exist on `side` (a resource being destroyed has no after)."""
    for resource in resources:
        view = view_on(resource, side)
        if view.values is not None:
            yield resource, view


PUBLIC_ACCESS_FLAGS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)
