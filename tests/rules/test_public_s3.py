"""Public S3 ACLs and Block Public Access beyond the fixtures: unknowns, grants, ownership."""

from __future__ import annotations

from tests.plan.test_region import make_plan, resource, run_rule
from tfgate.rules.net.public_s3 import AUTHENTICATED_USERS, PUBLIC_ACCESS_BLOCK, PUBLIC_ACL

BUCKET_REF = {"references": ["aws_s3_bucket.b.id", "aws_s3_bucket.b"]}


def test_acl_set_from_a_value_known_only_after_apply_is_unknown() -> None:
    acl = resource(
        "aws_s3_bucket_acl",
        "a",
        {"expected_bucket_owner": None},
        unknown={"acl": True, "access_control_policy": True, "bucket": True, "id": True},
        expressions={"acl": {"references": ["random_pet.acl.id"]}, "bucket": BUCKET_REF},
    )
    hits = run_rule(PUBLIC_ACL, make_plan(acl), "aws_s3_bucket_acl.a")
    assert [(hit.unknown, hit.message) for hit in hits] == [
        (
            True,
            "acl is known only after apply, so whether the ACL is public cannot be decided "
            "until then",
        )
    ]


def test_computed_acl_that_the_configuration_leaves_out_is_not_reported() -> None:
    bucket = resource(
        "aws_s3_bucket",
        "b",
        {"bucket": "b"},
        unknown={"acl": True, "grant": True},
        expressions={"bucket": {"constant_value": "b"}},
    )
    assert run_rule(PUBLIC_ACL, make_plan(bucket), "aws_s3_bucket.b") == []


def test_authenticated_users_grant_names_every_aws_account() -> None:
    grant = {
        "grantee": [{"type": "Group", "uri": AUTHENTICATED_USERS, "id": None}],
        "permission": "READ_ACP",
    }
    acl = resource(
        "aws_s3_bucket_acl",
        "a",
        {"acl": None, "access_control_policy": [{"grant": [grant], "owner": [{"id": "o"}]}]},
        expressions={"bucket": BUCKET_REF, "access_control_policy": [{}]},
    )
    hits = run_rule(PUBLIC_ACL, make_plan(acl), "aws_s3_bucket_acl.a")
    assert [hit.message for hit in hits] == [
        "the ACL grants READ_ACP to anyone with an AWS account (AuthenticatedUsers)"
    ]
    assert hits[0].severity is None


def test_ownership_that_enables_acls_on_a_private_bucket_passes() -> None:
    bucket = resource("aws_s3_bucket", "b", {"bucket": "b"}, unknown={"acl": True})
    ownership = resource(
        "aws_s3_bucket_ownership_controls",
        "o",
        {"bucket": "b", "rule": [{"object_ownership": "ObjectWriter"}]},
        expressions={"bucket": BUCKET_REF},
    )
    acl = resource(
        "aws_s3_bucket_acl",
        "a",
        {"bucket": "b", "acl": "private"},
        expressions={"bucket": BUCKET_REF, "acl": {"constant_value": "private"}},
    )
    plan = make_plan(bucket, ownership, acl)
    assert run_rule(PUBLIC_ACL, plan, "aws_s3_bucket_ownership_controls.o") == []


def test_ownership_is_matched_to_the_acl_by_bucket_name_when_the_bucket_is_elsewhere() -> None:
    ownership = resource(
        "aws_s3_bucket_ownership_controls",
        "o",
        {"bucket": "shared-bucket", "rule": [{"object_ownership": "ObjectWriter"}]},
        expressions={"bucket": {"constant_value": "shared-bucket"}},
    )
    acl = resource(
        "aws_s3_bucket_acl",
        "a",
        {"bucket": "shared-bucket", "acl": "public-read-write"},
        expressions={"bucket": {"constant_value": "shared-bucket"}},
    )
    hits = run_rule(PUBLIC_ACL, make_plan(ownership, acl), "aws_s3_bucket_ownership_controls.o")
    assert len(hits) == 1
    assert "aws_s3_bucket_acl.a: acl = public-read-write" in hits[0].message


def test_public_access_block_flag_known_only_after_apply_is_unknown() -> None:
    block = resource(
        "aws_s3_bucket_public_access_block",
        "p",
        {
            "block_public_acls": True,
            "ignore_public_acls": True,
            "restrict_public_buckets": True,
        },
        unknown={"block_public_policy": True, "bucket": True},
        expressions={"block_public_policy": {"references": ["var.policy"]}, "bucket": BUCKET_REF},
    )
    hits = run_rule(PUBLIC_ACCESS_BLOCK, make_plan(block), "aws_s3_bucket_public_access_block.p")
    assert [(hit.message, hit.unknown) for hit in hits] == [
        ("block_public_policy is known only after apply", True)
    ]
