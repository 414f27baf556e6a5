"""KMS key references: whether an attribute names a key, and who manages that key."""

from __future__ import annotations

from collections.abc import Iterator

from tfgate.plan.model import Resource
from tfgate.plan.refs import expression
from tfgate.plan.values import Known, PathPart, View
from tfgate.rules.base import Context, Hit

KMS_KEY_TYPES = frozenset(
    {"aws_kms_key", "aws_kms_replica_key", "aws_kms_external_key", "aws_kms_alias"}
)
"""What a `kms_key_id`-style reference may point at: a key, a replica, an imported key, an alias."""


def kms_key_hits(
    resource: Resource,
    view: View,
    ctx: Context,
    attribute: str,
    what: str,
    missing: str | None = None,
) -> Iterator[Hit]:
    """Shared judgement of a `kms_key_id`-style attribute.

    A known non-empty value is a key. An unknown value counts as a key when its expression in
    `configuration` refers to a KMS key or alias (created in the same plan or read by a data
    source); otherwise it cannot be decided until apply. `missing` replaces the message for a
    key that is not set.
    """
    unset = missing or f"{what} is not encrypted with a KMS key ({attribute} is not set)"
    found = view.get(attribute)
    if isinstance(found, Known):
        if isinstance(found.value, str) and found.value.strip():
            return
        yield Hit(unset)
        return
    if view.is_unknown(attribute):
        if any(target.type in KMS_KEY_TYPES for target in ctx.targets(resource, attribute)):
            return
        yield Hit(
            f"{what} may not be encrypted with a KMS key: {attribute} is known only after apply "
            "and does not refer to a KMS key",
            unknown=True,
        )
        return
    yield Hit(unset)


def is_aws_managed_key(value: str) -> bool:
    """`alias/aws/s3`, or its ARN form: a key AWS manages for a service."""
    return value.startswith("alias/aws/") or ":alias/aws/" in value


def key_state(resource: Resource, view: View, ctx: Context, path: tuple[PathPart, ...]) -> str:
    """`cmk`, `aws` (AWS managed or owned), `none` or `unknown` for a KMS key attribute.

    When the configuration does not set the attribute but the provider computes it, AWS chose
    the key: that is the service's AWS managed key, whatever ARN the plan shows.
    """
    configured = expression(resource, *path) is not None if resource.expressions else None
    found = view.get(*path)
    if isinstance(found, Known):
        value = found.value
        if not isinstance(value, str) or not value.strip():
            return "none"
        if is_aws_managed_key(value) or configured is False:
            return "aws"
        return "cmk"
    if view.is_unknown(*path):
        if configured is False:
            return "aws"
        if any(target.type in KMS_KEY_TYPES for target in ctx.targets(resource, *path)):
            return "cmk"
        return "unknown"
    return "none"


def switch_state(resource: Resource, view: View, path: tuple[PathPart, ...]) -> str:
    """`on`, `off` or `unknown` for a boolean switch (`true` or `"true"` is on).

    A switch the configuration does not set is off even when the provider computes it: the
    configuration does not ask for encryption.
    """
    found = view.get(*path)
    if isinstance(found, Known):
        return "on" if found.value in (True, "true") else "off"
    if view.is_unknown(*path):
        configured = expression(resource, *path) is not None if resource.expressions else None
        return "off" if configured is False else "unknown"
    return "off"


def cmk_hits(
    resource: Resource,
    view: View,
    ctx: Context,
    path: tuple[PathPart, ...],
    what: str,
    key: str = "cmk",
) -> Iterator[Hit]:
    attribute = ".".join(str(part) for part in path if not isinstance(part, int))
    state = key_state(resource, view, ctx, path)
    if state == "aws":
        yield Hit(
            f"{what} uses an AWS managed key, not a customer-managed KMS key ({attribute})",
            key=key,
        )
    elif state == "none":
        yield Hit(f"{what} names no customer-managed KMS key ({attribute} is not set)", key=key)
    elif state == "unknown":
        yield Hit(
            f"{attribute} is known only after apply and does not refer to a KMS key",
            key=key,
            unknown=True,
        )
