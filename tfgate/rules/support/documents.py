"""Where IAM policy documents sit in a plan, and how to read them.

A document is a JSON string in an attribute. When the string is known only after apply, the
configuration may still show it comes from a `data.aws_iam_policy_document` block whose
arguments are partly known; the document is then rebuilt from them (`policy_documents`: its
statements, with each value known only after apply replaced by a placeholder that matches
nothing, and the documents it composes). A principal produced by an OIDC or SAML provider
created in the same plan is rebuilt as that provider's ARN with the account left unknown, so
trust rules can still judge a GitHub or EKS trust policy whose only unknown values are ARNs.
When a reference may mean several instances, each is one reading of the document, judged on its
own under the same name (a finding that holds for several readings is one finding).

Document kinds decide which rules judge a document: identity rules judge grants (identity
policies, never SCP/RCP content and never a policy proven to be used only as a permissions
boundary, see `boundaries`: those are ceilings), trust rules judge `assume_role_policy`,
resource-policy rules judge the policies attached to buckets, keys, queues, topics,
repositories, secrets, vaults and Lambda functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

import orjson

from tfgate.errors import PolicyError
from tfgate.iam.policy import Policy, Statement, parse_policy
from tfgate.plan.model import Resource
from tfgate.plan.values import Known, PathPart, View
from tfgate.rules.base import Context
from tfgate.rules.support.boundaries import boundary_only
from tfgate.rules.support.policy_documents import POLICY_DOCUMENT as POLICY_DOCUMENT
from tfgate.rules.support.policy_documents import UNKNOWN_PLACEHOLDER as UNKNOWN_PLACEHOLDER
from tfgate.rules.support.policy_documents import document_readings


class DocumentKind(StrEnum):
    IDENTITY = "identity"
    TRUST = "trust"
    RESOURCE = "resource"
    GUARDRAIL = "guardrail"


IDENTITY_ATTRIBUTES: Mapping[str, str] = {
    "aws_iam_policy": "policy",
    "aws_iam_role_policy": "policy",
    "aws_iam_user_policy": "policy",
    "aws_iam_group_policy": "policy",
    "aws_ssoadmin_permission_set_inline_policy": "inline_policy",
}

IDENTITY_TYPES = frozenset({*IDENTITY_ATTRIBUTES, "aws_iam_role"})

# Resource policies: type -> (attribute, optional). An optional attribute is computed by AWS when
# the configuration does not set it (a KMS key's default policy, the policy a separate
# `aws_sqs_queue_policy` writes); it is judged only when the configuration writes it.
RESOURCE_POLICY_ATTRIBUTES: Mapping[str, tuple[str, bool]] = {
    "aws_s3_bucket_policy": ("policy", False),
    "aws_s3_bucket": ("policy", True),
    "aws_kms_key": ("policy", True),
    "aws_kms_key_policy": ("policy", False),
    "aws_sqs_queue": ("policy", True),
    "aws_sqs_queue_policy": ("policy", False),
    "aws_sns_topic": ("policy", True),
    "aws_sns_topic_policy": ("policy", False),
    "aws_ecr_repository_policy": ("policy", False),
    "aws_secretsmanager_secret": ("policy", True),
    "aws_secretsmanager_secret_policy": ("policy", False),
    "aws_glacier_vault": ("access_policy", True),
}
LAMBDA_PERMISSION = "aws_lambda_permission"
RESOURCE_POLICY_TYPES = frozenset({*RESOURCE_POLICY_ATTRIBUTES, LAMBDA_PERMISSION})
KEY_POLICY_TYPES = frozenset({"aws_kms_key", "aws_kms_key_policy"})
"""Resources that carry a KMS key policy."""

ORGANIZATIONS_POLICY = "aws_organizations_policy"
GUARDRAIL_POLICY_TYPES = frozenset({"SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"})

TRUST_TYPES = frozenset({"aws_iam_role"})
ALL_DOCUMENT_TYPES = frozenset(
    {*IDENTITY_TYPES, *TRUST_TYPES, *RESOURCE_POLICY_TYPES, ORGANIZATIONS_POLICY}
)


@dataclass(frozen=True, slots=True)
class Document:
    """One policy document found on a resource.

    `text` is None when the document cannot be known until apply; `rebuilt` is True when it was
    rebuilt from a policy-document data source whose values are partly unknown.
    """

    attribute: str
    kind: DocumentKind
    text: str | None
    rebuilt: bool = False
    computed: str = ""
    """Why the grant of a document rebuilt from source is decided only after apply, if it is."""

    @property
    def policy(self) -> Policy | PolicyError | None:
        return None if self.text is None else parse_cached(self.text)


def statement_where(document: Document, statement: Statement) -> str:
    """How a finding names where it fired: the policy attribute and the statement."""
    return f"{document.attribute}, {statement.label}"


def statement_key(document: Document, statement: Statement, *detail: str) -> str:
    """A finding key that is the same for the same statement in `before` and `after`."""
    return ":".join((document.attribute, statement.label, *detail))


@lru_cache(maxsize=16384)
def parse_cached(text: str) -> Policy | PolicyError:
    """Parse once per distinct document: `before`, `after` and every rule share the result."""
    try:
        return parse_policy(text)
    except PolicyError as error:
        return error


def parsed(documents: Iterable[Document]) -> Iterator[tuple[Document, Policy]]:
    """The documents that could be read, with their parsed policy (IAM-060 reports the rest)."""
    for document in documents:
        policy = document.policy
        if isinstance(policy, Policy):
            yield document, policy


# The documents of the sides of the resources judged last. The engine runs every rule on one
# resource before the next, and each rule asks for the same documents. An entry holds the objects
# it was found from, so the id in its key stays theirs while it is kept.
_Found = tuple[Resource, Any, Any, Any, Context, tuple[Document, ...]]
_RECENT: dict[tuple[object, int, int], _Found] = {}
_RECENT_SIZE = 16


def _recent(
    find: Callable[[Resource, View, Context], Iterator[Document]],
    resource: Resource,
    view: View,
    ctx: Context,
) -> Iterator[Document]:
    key = (find, id(resource), id(view.values))
    entry = _RECENT.get(key)
    if (
        entry is None
        or entry[2] is not view.unknown
        or entry[3] is not view.sensitive
        or entry[4] is not ctx
    ):
        documents = tuple(find(resource, view, ctx))
        entry = (resource, view.values, view.unknown, view.sensitive, ctx, documents)
        _RECENT.pop(key, None)
        if len(_RECENT) >= _RECENT_SIZE:
            del _RECENT[next(iter(_RECENT))]
        _RECENT[key] = entry
    return iter(entry[5])


def identity_documents(
    resource: Resource, view: View, ctx: Context, *, grants_only: bool = True
) -> Iterator[Document]:
    """Identity policies (grants) on a resource: inline and standalone policies.

    A standalone `aws_iam_policy` that the plan uses only as a permissions boundary is a ceiling,
    not a grant, and is not yielded unless `grants_only` is False (see `boundary_only`).
    """
    if grants_only and resource.type == "aws_iam_policy" and boundary_only(resource, view, ctx):
        return iter(())
    return _recent(_identity_documents, resource, view, ctx)


def _identity_documents(resource: Resource, view: View, ctx: Context) -> Iterator[Document]:
    attribute = IDENTITY_ATTRIBUTES.get(resource.type)
    if attribute is not None:
        yield from _document(resource, view, ctx, DocumentKind.IDENTITY, attribute, (attribute,))
    elif resource.type == "aws_iam_role":
        yield from _inline_policies(resource, view, ctx)


def trust_documents(resource: Resource, view: View, ctx: Context) -> Iterator[Document]:
    return _recent(_trust_documents, resource, view, ctx)


def _trust_documents(resource: Resource, view: View, ctx: Context) -> Iterator[Document]:
    if resource.type == "aws_iam_role":
        yield from _document(
            resource, view, ctx, DocumentKind.TRUST, "assume_role_policy", ("assume_role_policy",)
        )


def resource_documents(resource: Resource, view: View, ctx: Context) -> Iterator[Document]:
    """Resource policies: bucket, key, queue, topic, repository, secret and vault policies, and
    the one-statement policy an `aws_lambda_permission` adds to a function."""
    return _recent(_resource_documents, resource, view, ctx)


def _resource_documents(resource: Resource, view: View, ctx: Context) -> Iterator[Document]:
    if resource.type == LAMBDA_PERMISSION:
        yield _lambda_permission(view)
        return
    entry = RESOURCE_POLICY_ATTRIBUTES.get(resource.type)
    if entry is None:
        return
    attribute, optional = entry
    if optional:
        written = attribute in resource.expressions
        if not written and (resource.expressions or view.is_unknown(attribute)):
            return  # computed by AWS or written by a separate policy resource
        if not view.is_unknown(attribute) and not view.value(attribute):
            return
    yield from _document(resource, view, ctx, DocumentKind.RESOURCE, attribute, (attribute,))


def guardrail_documents(resource: Resource, view: View, ctx: Context) -> Iterator[Document]:
    """Service and resource control policies: ceilings on what accounts may do, never grants."""
    return _recent(_guardrail_documents, resource, view, ctx)


def _guardrail_documents(resource: Resource, view: View, ctx: Context) -> Iterator[Document]:
    if resource.type != ORGANIZATIONS_POLICY:
        return
    policy_type = view.value("type")
    if isinstance(policy_type, str) and policy_type not in GUARDRAIL_POLICY_TYPES:
        return  # tag, backup and AI-opt-out policies are not IAM JSON
    yield from _document(resource, view, ctx, DocumentKind.GUARDRAIL, "content", ("content",))


def all_documents(resource: Resource, view: View, ctx: Context) -> Iterator[Document]:
    """Every policy document on a resource, of every kind (boundaries included)."""
    return _recent(_all_documents, resource, view, ctx)


def _all_documents(resource: Resource, view: View, ctx: Context) -> Iterator[Document]:
    yield from identity_documents(resource, view, ctx, grants_only=False)
    yield from trust_documents(resource, view, ctx)
    yield from resource_documents(resource, view, ctx)
    yield from guardrail_documents(resource, view, ctx)


def _lambda_permission(view: View) -> Document:
    """The statement an `aws_lambda_permission` adds to the function's resource policy."""

    def text(name: str) -> str | None:
        if view.is_unknown(name):
            return UNKNOWN_PLACEHOLDER
        value = view.value(name)
        return value if isinstance(value, str) and value else None

    principal = text("principal") or UNKNOWN_PLACEHOLDER
    if principal == "*":
        principals: Any = "*"
    elif principal.endswith(".amazonaws.com") or principal.endswith(".amazonaws.com.cn"):
        principals = {"Service": principal}
    else:
        principals = {"AWS": principal}
    sid = text("statement_id")
    statement: dict[str, Any] = {
        "Sid": sid if sid and sid != UNKNOWN_PLACEHOLDER else "lambda-permission",
        "Effect": "Allow",
        "Action": text("action") or UNKNOWN_PLACEHOLDER,
        "Principal": principals,
        "Resource": text("function_name") or UNKNOWN_PLACEHOLDER,
    }
    conditions: dict[str, dict[str, str]] = {}
    for attribute, operator, key in (
        ("source_arn", "ArnLike", "aws:SourceArn"),
        ("source_account", "StringEquals", "aws:SourceAccount"),
        ("principal_org_id", "StringEquals", "aws:PrincipalOrgID"),
        ("event_source_token", "StringEquals", "lambda:EventSourceToken"),
    ):
        value = text(attribute)
        if value is not None:
            conditions.setdefault(operator, {})[key] = value
    if conditions:
        statement["Condition"] = conditions
    document = {"Version": "2012-10-17", "Statement": [statement]}
    return Document(
        "permission", DocumentKind.RESOURCE, orjson.dumps(document).decode(), rebuilt=True
    )


def _inline_policies(resource: Resource, view: View, ctx: Context) -> Iterator[Document]:
    if view.is_unknown("inline_policy") and not isinstance(view.get("inline_policy"), Known):
        # AWS provider 5.x plans an unwritten `inline_policy` as known after apply; only a block
        # written in the configuration can hold a policy.
        if resource.expressions and "inline_policy" not in resource.expressions:
            return
        yield Document("inline_policy", DocumentKind.IDENTITY, None)
        return
    blocks = view.value("inline_policy")
    if not isinstance(blocks, list):
        return
    for position, block in enumerate(blocks):
        if not isinstance(block, Mapping):
            continue
        name = block.get("name")
        label = (
            f"inline_policy[{name}]"
            if isinstance(name, str) and name
            else (f"inline_policy[{position}]")
        )
        if not block.get("policy") and not view.is_unknown("inline_policy", position, "policy"):
            continue
        yield from _document(
            resource,
            view,
            ctx,
            DocumentKind.IDENTITY,
            label,
            ("inline_policy", position, "policy"),
        )


def _document(
    resource: Resource,
    view: View,
    ctx: Context,
    kind: DocumentKind,
    label: str,
    path: tuple[PathPart, ...],
) -> Iterator[Document]:
    """The document at `path`: as the plan holds it, or every reading of the policy-document
    data sources it comes from (see `policy_documents`), or unknown."""
    found = view.get(*path)
    if isinstance(found, Known) and not view.is_unknown(*path):
        value = found.value
        if isinstance(value, str):
            yield Document(label, kind, value)
        elif value is None:
            yield Document(label, kind, "")
        else:
            yield Document(label, kind, orjson.dumps(value).decode())
        return
    config_path: tuple[PathPart, ...] = tuple(part for part in path if not isinstance(part, int))
    if path and path[0] == "inline_policy":
        config_path = ("inline_policy", 0, "policy") if len(path) > 1 else ("inline_policy",)
    rebuilt = document_readings(resource, config_path, ctx)
    if rebuilt:
        for reading in rebuilt:
            yield Document(label, kind, reading.text, rebuilt=reading.rebuilt)
        return
    recovered = ctx.sources.recover(resource, view, path, ctx) if ctx.sources else None
    if recovered is not None:
        yield Document(label, kind, recovered.text, rebuilt=True, computed=recovered.computed)
        return
    yield Document(label, kind, None)
