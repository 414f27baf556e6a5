"""Rules on S3 buckets open to the internet: public ACLs and Block Public Access switched off.

An S3 ACL can grant access to two predefined groups: AllUsers (anyone, without signing) and
AuthenticatedUsers (anyone with any AWS account). The canned ACLs `public-read`,
`public-read-write` and `authenticated-read` are grants to those groups.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from tfgate.plan.model import Resource
from tfgate.plan.values import Known, Unknown, View
from tfgate.report import Severity
from tfgate.rules.base import Context, Hit, Rule
from tfgate.rules.support.attributes import is_configured
from tfgate.rules.support.buckets import (
    PUBLIC_ACCESS_FLAGS,
    bucket_index,
    bucket_settings,
    buckets_named_by,
    live_views,
    side_of,
)
from tfgate.rules.support.grouped import Problem, grouped_hit

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
PUBLIC_GROUPS: Mapping[str, str] = {
    ALL_USERS: "anyone on the internet (AllUsers)",
    AUTHENTICATED_USERS: "anyone with an AWS account (AuthenticatedUsers)",
}
PUBLIC_CANNED_ACLS: Mapping[str, str] = {
    "public-read": "lets anyone on the internet list the bucket",
    "public-read-write": "lets anyone on the internet list the bucket and write objects to it",
    "authenticated-read": "lets anyone with an AWS account list the bucket",
}
WRITE_PERMISSIONS = frozenset({"WRITE", "WRITE_ACP", "FULL_CONTROL"})
ACLS_ENABLED = frozenset({"ObjectWriter", "BucketOwnerPreferred"})
"""Object ownership settings under which ACLs grant access (BucketOwnerEnforced disables them)."""

ACL_TYPES = frozenset({"aws_s3_bucket", "aws_s3_bucket_acl"})

PUBLIC_S3_CONTROLS: Mapping[str, tuple[str, ...]] = {
    "CIS-AWS-3.0": ("2.1.4",),
    "HIPAA": ("164.312(a)(1)",),
    "PCI-DSS-4.0": ("1.2.8", "1.3.1", "1.4.2"),
    "GDPR": ("Art. 25",),
    "NRB": ("IT-2012-4-access-control",),
}


class PublicGrant(NamedTuple):
    key: str
    description: str
    writes: bool


def _grants(view: View, *path: str | int) -> list[Mapping[str, Any]]:
    """The known grant blocks at `path`."""
    grants = view.value(*path)
    if not isinstance(grants, list):
        return []
    return [grant for grant in grants if isinstance(grant, Mapping)]


class _GrantShape(NamedTuple):
    """Where a resource type keeps its ACL grants, and how a grant names grantee and rights."""

    grants: tuple[str | int, ...]
    uri: tuple[str | int, ...]
    attributes: tuple[str, ...]

    def permissions(self, grant: Mapping[str, Any]) -> list[str]:
        listed = grant.get("permissions", [grant.get("permission")])
        return sorted(p for p in listed if isinstance(p, str)) if isinstance(listed, list) else []


_SHAPES: Mapping[str, _GrantShape] = {
    "aws_s3_bucket": _GrantShape(("grant",), ("uri",), ("acl", "grant")),
    "aws_s3_bucket_acl": _GrantShape(
        ("access_control_policy", 0, "grant"),
        ("grantee", 0, "uri"),
        ("acl", "access_control_policy"),
    ),
}


def public_grants(resource: Resource, view: View) -> Iterator[PublicGrant]:
    """What the ACL of an `aws_s3_bucket` or `aws_s3_bucket_acl` grants to the public groups."""
    canned = view.value("acl")
    if isinstance(canned, str) and canned in PUBLIC_CANNED_ACLS:
        yield PublicGrant(
            f"acl:{canned}",
            f"acl = {canned} {PUBLIC_CANNED_ACLS[canned]}",
            canned == "public-read-write",
        )
    shape = _SHAPES[resource.type]
    for position, grant in enumerate(_grants(view, *shape.grants)):
        uri = view.value(*shape.grants, position, *shape.uri)
        if not isinstance(uri, str) or uri not in PUBLIC_GROUPS:
            continue
        for permission in shape.permissions(grant):
            yield PublicGrant(
                f"grant:{uri.rsplit('/', 1)[-1]}:{permission}",
                f"the ACL grants {permission} to {PUBLIC_GROUPS[uri]}",
                permission in WRITE_PERMISSIONS,
            )


def _undecided_acl(resource: Resource, view: View) -> list[str]:
    """ACL parts the configuration sets to a value known only after apply.

    `acl` and the grants are optional and computed: when the configuration leaves one out, the
    provider reads it back after apply, and it grants nothing this plan asked for.
    """
    shape = _SHAPES[resource.type]
    undecided = [
        attribute
        for attribute in shape.attributes
        if view.get(attribute) is Unknown and is_configured(resource, attribute)
    ]
    for position in range(len(_grants(view, *shape.grants))):
        if view.is_unknown(*shape.grants, position, *shape.uri):
            undecided.append(f"the grantee of grant {position}")
    return undecided


def _acl_problems(resource: Resource, view: View) -> list[Problem]:
    problems = [
        Problem(grant.key, grant.description, severity=Severity.CRITICAL if grant.writes else None)
        for grant in public_grants(resource, view)
    ]
    problems.extend(
        Problem(
            f"unknown:{attribute}",
            f"{attribute} is known only after apply, so whether the ACL is public cannot be "
            "decided until then",
            unknown=True,
        )
        for attribute in _undecided_acl(resource, view)
    )
    return problems


def _acl_sources(resource: Resource, view: View, ctx: Context) -> list[Resource]:
    """The bucket an ownership control applies to and the `aws_s3_bucket_acl` resources on it."""
    buckets, name = buckets_named_by(ctx, resource, view, "bucket")
    sources: dict[str, Resource] = {}
    for bucket in buckets:
        sources.setdefault(bucket.address, bucket)
        for acl in bucket_settings(ctx, bucket, "aws_s3_bucket_acl"):
            sources.setdefault(acl.address, acl)
    if not buckets and name is not None:
        for acl in bucket_index(ctx.plan).settings_by_name.get(("aws_s3_bucket_acl", name), ()):
            sources.setdefault(acl.address, acl)
    return list(sources.values())


def _ownership_hits(resource: Resource, view: View, ctx: Context) -> Iterator[Hit]:
    path = ("rule", 0, "object_ownership")
    unknown = view.is_unknown(*path)
    ownership = view.value(*path)
    if not unknown and ownership not in ACLS_ENABLED:
        return
    public: list[str] = []
    for source, source_view in live_views(
        _acl_sources(resource, view, ctx), side_of(resource, view)
    ):
        public.extend(
            f"{source.address}: {g.description}" for g in public_grants(source, source_view)
        )
    if not public:
        return
    if unknown:
        yield Hit(
            "object_ownership is known only after apply, and the bucket's ACL grants public "
            f"access ({'; '.join(public)})",
            key="ownership",
            unknown=True,
        )
        return
    yield Hit(
        f"enables ACLs (object_ownership = {ownership}) on a bucket whose ACL grants public "
        f"access ({'; '.join(public)}); with BucketOwnerEnforced the ACL would grant nothing",
        key="ownership",
    )


def check_public_acl(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Blocks S3 bucket ACLs that grant access to everyone, or to every AWS account.

    ## What it does
    Reports an `aws_s3_bucket` or `aws_s3_bucket_acl` whose `acl` is `public-read`,
    `public-read-write` or `authenticated-read`, or whose grants (`grant` on the bucket,
    `access_control_policy` on `aws_s3_bucket_acl`) give any permission to the AllUsers
    (`http://acs.amazonaws.com/groups/global/AllUsers`) or AuthenticatedUsers group. Write
    permissions (`public-read-write`, `WRITE`, `WRITE_ACP`, `FULL_CONTROL`) are critical. It also
    reports an `aws_s3_bucket_ownership_controls` that turns ACLs on (`ObjectWriter` or
    `BucketOwnerPreferred`) for a bucket whose ACL in the plan is public: with
    `BucketOwnerEnforced` that ACL would grant nothing. An ACL the configuration sets to a value
    known only after apply is reported as `unknown`.

    ## Why it matters
    AuthenticatedUsers is not "our users": it is every AWS account in the world. A public bucket
    ACL is the classic S3 data leak, and a writable one lets anyone plant content that the
    bucket's readers then trust. ACLs are also easy to miss in review, because the bucket policy
    looks private.

    ## Example
    ```hcl
    resource "aws_s3_bucket_acl" "fail_assets" {
      bucket = aws_s3_bucket.assets.id
      acl    = "public-read"
    }
    ```

    ## Fix
    Use `acl = "private"` (or no ACL), set `object_ownership = "BucketOwnerEnforced"` in
    `aws_s3_bucket_ownership_controls` so ACLs are disabled, and keep Block Public Access on.
    To publish files, put CloudFront in front of the bucket with origin access control and
    grant the distribution in the bucket policy.

    ## Parameters
    None.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 2.1.4
    - HIPAA 164.312(a)(1); PCI DSS v4.0, 1.2.8, 1.3.1, 1.4.2; GDPR Art. 25
    - AWS Config rules `s3-bucket-public-read-prohibited` and `s3-bucket-public-write-prohibited`
    """
    if resource.type == "aws_s3_bucket_ownership_controls":
        yield from _ownership_hits(resource, view, ctx)
    else:
        yield from grouped_hit(resource, view, _acl_problems)


PUBLIC_ACL = Rule(
    id="TFG-NET-004",
    name="s3-public-acl",
    title="S3 bucket ACL grants public access",
    severity=Severity.HIGH,
    resource_types=ACL_TYPES | {"aws_s3_bucket_ownership_controls"},
    controls=PUBLIC_S3_CONTROLS,
    check=check_public_acl,
)

FLAG_EFFECTS: Mapping[str, str] = {
    "block_public_acls": "requests that set a public ACL are accepted",
    "ignore_public_acls": "public ACLs already on the bucket or its objects take effect",
    "block_public_policy": "a bucket policy that grants public access can be attached",
    "restrict_public_buckets": "a public bucket policy opens its bucket to anyone",
}


def check_public_access_block(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Blocks S3 Block Public Access settings that are switched off.

    ## What it does
    Reports an `aws_s3_bucket_public_access_block` or an `aws_s3_account_public_access_block`
    with any of its four settings (`block_public_acls`, `ignore_public_acls`,
    `block_public_policy`, `restrict_public_buckets`) `false` or not set (the provider's default
    is `false`), in one finding that names each of them. Created so, or updated so that a
    setting goes from `true` to `false`, is introduced; settings that were already off are
    `existing`. A setting known only after apply is reported as `unknown`.

    ## Why it matters
    Block Public Access is the one control that overrides every ACL and bucket policy: with the
    four settings on, no mistake in a policy or ACL makes the data public. Each setting that is
    off reopens one path: public ACLs accepted or honoured, public policies accepted or honoured.

    ## Example
    ```hcl
    resource "aws_s3_bucket_public_access_block" "fail_site" {
      bucket                  = aws_s3_bucket.site.id
      block_public_acls       = true
      ignore_public_acls      = true
      block_public_policy     = false
      restrict_public_buckets = false
    }
    ```

    ## Fix
    Set all four to `true`, for every bucket and once for the account with
    `aws_s3_account_public_access_block`. A website served from S3 does not need them off: serve
    it through CloudFront with origin access control.

    ## Parameters
    None.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 2.1.4
    - PCI DSS v4.0, 1.2.8, 1.3.1, 1.4.2 and 10.3.2; HIPAA 164.312(a)(1); GDPR Art. 25
    - AWS Config rule `s3-account-level-public-access-blocks-periodic`
    """
    yield from grouped_hit(resource, view, _flags_off)


def _flags_off(resource: Resource, view: View) -> list[Problem]:
    problems: list[Problem] = []
    for flag in PUBLIC_ACCESS_FLAGS:
        found = view.get(flag)
        if isinstance(found, Known) and found.value is True:
            continue
        if view.is_unknown(flag):
            problems.append(Problem(flag, f"{flag} is known only after apply", unknown=True))
            continue
        state = "false" if is_configured(resource, flag) else "not set (the default is false)"
        problems.append(Problem(flag, f"{flag} is {state}: {FLAG_EFFECTS[flag]}"))
    return problems


PUBLIC_ACCESS_BLOCK = Rule(
    id="TFG-NET-005",
    name="s3-public-access-block-off",
    title="S3 Block Public Access switched off",
    severity=Severity.HIGH,
    resource_types=frozenset(
        {"aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"}
    ),
    controls={**PUBLIC_S3_CONTROLS, "PCI-DSS-4.0": ("1.2.8", "1.3.1", "1.4.2", "10.3.2")},
    check=check_public_access_block,
)
