"""Where IAM policy documents sit in a plan, and how to read them.

A document is a JSON string in an attribute. When the string is known only after apply, the
configuration may still show it comes from a `data.aws_iam_policy_document` block whose
statements are partly known; the document is then rebuilt from those statements, with each value
known only after apply replaced by a placeholder that matches nothing (an ARN produced by another
resource is a specific ARN, never `*`). A principal produced by an OIDC or SAML provider created in
the same plan is rebuilt as that provider's ARN with the account left unknown, so trust rules can
still judge a GitHub or EKS trust policy whose only unknown values are ARNs.

Document kinds decide which rules judge a document: identity rules judge grants (identity
policies, never SCP/RCP content and never a policy used only as a permissions boundary: those
are ceilings), trust rules judge `assume_role_policy`, resource-policy rules judge the policies
attached to buckets, keys, queues, topics, repositories, secrets, vaults and Lambda functions.
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
from tfgate.plan.model import Plan, Resource
from tfgate.plan.refs import Target, parse_reference, reference_targets
from tfgate.plan.values import Known, PathPart, View, contains_mark
from tfgate.rules.base import Context

UNKNOWN_PLACEHOLDER = "${tfgate:known-after-apply}"
POLICY_DOCUMENT = "aws_iam_policy_document"


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
KMS_KEY_TYPES = frozenset({"aws_kms_key", "aws_kms_key_policy"})

ORGANIZATIONS_POLICY = "aws_organizations_policy"
GUARDRAIL_POLICY_TYPES = frozenset({"SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"})

TRUST_TYPES = frozenset({"aws_iam_role"})
ALL_DOCUMENT_TYPES = frozenset(
    {*IDENTITY_TYPES, *TRUST_TYPES, *RESOURCE_POLICY_TYPES, ORGANIZATIONS_POLICY}
)

# Where managed policies are attached (so a policy referenced here is a grant, not only a
# boundary): resource type -> attributes holding policy ARNs.
_ATTACHING: Mapping[str, tuple[str, ...]] = {
    "aws_iam_role_policy_attachment": ("policy_arn",),
    "aws_iam_user_policy_attachment": ("policy_arn",),
    "aws_iam_group_policy_attachment": ("policy_arn",),
    "aws_iam_policy_attachment": ("policy_arn",),
    "aws_iam_role": ("managed_policy_arns",),
    "aws_iam_role_policy_attachments_exclusive": ("policy_arns",),
    "aws_iam_user_policy_attachments_exclusive": ("policy_arns",),
    "aws_iam_group_policy_attachments_exclusive": ("policy_arns",),
}
_BOUNDING = ("aws_iam_role", "aws_iam_user")


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
        yield _document(resource, view, ctx, DocumentKind.IDENTITY, attribute, (attribute,))
    elif resource.type == "aws_iam_role":
        yield from _inline_policies(resource, view, ctx)


def trust_documents(resource: Resource, view: View, ctx: Context) -> Iterator[Document]:
    return _recent(_trust_documents, resource, view, ctx)


def _trust_documents(resource: Resource, view: View, ctx: Context) -> Iterator[Document]:
    if resource.type == "aws_iam_role":
        yield _document(
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
    yield _document(resource, view, ctx, DocumentKind.RESOURCE, attribute, (attribute,))


def guardrail_documents(resource: Resource, view: View, ctx: Context) -> Iterator[Document]:
    """Service and resource control policies: ceilings on what accounts may do, never grants."""
    return _recent(_guardrail_documents, resource, view, ctx)


def _guardrail_documents(resource: Resource, view: View, ctx: Context) -> Iterator[Document]:
    if resource.type != ORGANIZATIONS_POLICY:
        return
    policy_type = view.value("type")
    if isinstance(policy_type, str) and policy_type not in GUARDRAIL_POLICY_TYPES:
        return  # tag, backup and AI-opt-out policies are not IAM JSON
    yield _document(resource, view, ctx, DocumentKind.GUARDRAIL, "content", ("content",))


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


# ------------------------------------------------------------------------------------------------
# Policies used only as permissions boundaries

_USES: dict[int, tuple[Plan, frozenset[tuple[str, str]], frozenset[str]]] = {}


def _policy_uses(plan: Plan) -> tuple[frozenset[tuple[str, str]], frozenset[str]]:
    """(boundary-only references, boundary-only ARNs) of a plan, computed once per plan.

    A reference is (module address, `aws_iam_policy.<name>`). A policy counts as boundary-only
    when some role or user names it as `permissions_boundary` and nothing attaches it.
    """
    cached = _USES.get(id(plan))
    if cached is not None and cached[0] is plan:
        return cached[1], cached[2]
    bound_refs: set[tuple[str, str]] = set()
    bound_arns: set[str] = set()
    attached_refs: set[tuple[str, str]] = set()
    attached_arns: set[str] = set()

    def collect(resource: Resource, attribute: str, refs: set[Any], arns: set[str]) -> None:
        for target in reference_targets(resource, attribute):
            if target.kind == "resource" and target.type == "aws_iam_policy":
                refs.add((resource.module_address, target.config_address))
        for view in (resource.after, resource.before):
            value = view.value(attribute)
            values = value if isinstance(value, list) else [value]
            arns.update(item for item in values if isinstance(item, str) and item)

    for resource in plan.resources:
        if resource.type in _BOUNDING:
            collect(resource, "permissions_boundary", bound_refs, bound_arns)
        for attribute in _ATTACHING.get(resource.type, ()):
            collect(resource, attribute, attached_refs, attached_arns)
    result = (frozenset(bound_refs - attached_refs), frozenset(bound_arns - attached_arns))
    if len(_USES) > 8:
        _USES.clear()
    _USES[id(plan)] = (plan, *result)
    return result


def boundary_only(resource: Resource, view: View, ctx: Context) -> bool:
    """True when an `aws_iam_policy` is used by the plan only as a permissions boundary."""
    refs, arns = _policy_uses(ctx.plan)
    if (resource.module_address, resource.config_address) in refs:
        return True
    arn = view.value("arn") or resource.before.value("arn")
    return isinstance(arn, str) and arn in arns


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
        yield _document(
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
) -> Document:
    found = view.get(*path)
    if isinstance(found, Known) and not view.is_unknown(*path):
        value = found.value
        if isinstance(value, str):
            return Document(label, kind, value)
        if value is None:
            return Document(label, kind, "")
        return Document(label, kind, orjson.dumps(value).decode())
    config_path: tuple[PathPart, ...] = tuple(part for part in path if not isinstance(part, int))
    if path and path[0] == "inline_policy":
        config_path = ("inline_policy", 0, "policy") if len(path) > 1 else ("inline_policy",)
    for target in ctx.targets(resource, *config_path):
        if target.kind == "data" and target.type == POLICY_DOCUMENT:
            rebuilt = policy_document_text(resource, target, ctx)
            if rebuilt is not None:
                return Document(label, kind, rebuilt[0], rebuilt=rebuilt[1])
    recovered = ctx.sources.recover(resource, view, path, ctx) if ctx.sources else None
    if recovered is not None:
        return Document(label, kind, recovered.text, rebuilt=True, computed=recovered.computed)
    return Document(label, kind, None)


def policy_document_text(
    resource: Resource, target: Target, ctx: Context
) -> tuple[str, bool] | None:
    """The JSON of a policy-document data source: read at plan time, or rebuilt from statements."""
    values = ctx.data_source(resource, target)
    if values is not None and isinstance(values.get("json"), str):
        return values["json"], False
    for source in ctx.plan.instances(resource.module_address, target.config_address):
        view = source.after
        text = view.value("json")
        if isinstance(text, str) and text:
            return text, False
        statements = view.value("statement")
        if isinstance(statements, list):
            rebuilt = _rebuild(statements, view.unknown, _provider_arns(source, ctx))
            return orjson.dumps(rebuilt, option=orjson.OPT_SORT_KEYS).decode(), True
    return None


_PROVIDERS = {"aws_iam_openid_connect_provider": "oidc-provider", "aws_iam_saml_provider": ""}


def _provider_arns(source: Resource, ctx: Context) -> dict[tuple[int, int], str]:
    """For principals whose identifiers are the ARN of an identity provider created in the same
    plan: (statement position, principal position) -> that provider's ARN, account unknown."""
    found: dict[tuple[int, int], str] = {}
    blocks = source.expressions.get("statement")
    if not isinstance(blocks, list):
        return found
    for position, block in enumerate(blocks):
        entries = block.get("principals") if isinstance(block, Mapping) else None
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            identifiers = entry.get("identifiers") if isinstance(entry, Mapping) else None
            references = identifiers.get("references") if isinstance(identifiers, Mapping) else None
            for reference in references if isinstance(references, list) else []:
                target = parse_reference(str(reference))
                if target.kind != "resource" or target.type not in _PROVIDERS:
                    continue
                for provider in ctx.plan.instances(source.module_address, target.config_address):
                    arn = _provider_arn(provider, _PROVIDERS[target.type])
                    if arn is not None:
                        found[(position, index)] = arn
                        break
    return found


def _provider_arn(provider: Resource, kind: str) -> str | None:
    if kind:
        url = provider.after.value("url")
        if not isinstance(url, str) or not url:
            return None
        host = url.split("://", 1)[-1].rstrip("/")
        return f"arn:aws:iam::{UNKNOWN_PLACEHOLDER}:{kind}/{host}"
    name = provider.after.value("name")
    if not isinstance(name, str) or not name:
        return None
    return f"arn:aws:iam::{UNKNOWN_PLACEHOLDER}:saml-provider/{name}"


def _fill(value: Any, unknown: Any) -> Any:
    """Replace what the unknown mask marks with a placeholder that matches no real value."""
    if unknown is True:
        return UNKNOWN_PLACEHOLDER
    if isinstance(value, list):
        masks = unknown if isinstance(unknown, list) else []
        filled = [_fill(item, masks[i] if i < len(masks) else None) for i, item in enumerate(value)]
        filled.extend(UNKNOWN_PLACEHOLDER for mask in masks[len(value) :] if contains_mark(mask))
        return filled
    return value


def _rebuild(
    statements: list[Any], unknown: Any, providers: Mapping[tuple[int, int], str] | None = None
) -> dict[str, Any]:
    """IAM JSON from the `statement` blocks of an `aws_iam_policy_document` data source.

    `providers` names the identity provider behind an unknown principal (see `_provider_arns`).
    A condition whose variable is unknown keeps the placeholder as its key, so rules can tell a
    condition they cannot read from a missing one.
    """
    providers = providers or {}
    masks = unknown.get("statement") if isinstance(unknown, Mapping) else None
    document: list[dict[str, Any]] = []
    for position, block in enumerate(statements):
        if not isinstance(block, Mapping):
            continue
        mask = masks[position] if isinstance(masks, list) and position < len(masks) else None
        mask = mask if isinstance(mask, Mapping) else {}
        statement: dict[str, Any] = {"Effect": block.get("effect") or "Allow"}
        if block.get("sid"):
            statement["Sid"] = block["sid"]
        for source, target in (
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ):
            filled = _fill(block.get(source) or [], mask.get(source))
            if filled:
                statement[target] = filled
        for source, target in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            principals: dict[str, list[Any]] = {}
            for index, entry in enumerate(block.get(source) or []):
                if isinstance(entry, Mapping) and isinstance(entry.get("type"), str):
                    entry_mask = _item(mask.get(source), index)
                    identifiers = _fill(
                        entry.get("identifiers") or [], _key(entry_mask, "identifiers")
                    )
                    provider = providers.get((position, index)) if source == "principals" else None
                    if provider is not None:
                        identifiers = [
                            provider if item == UNKNOWN_PLACEHOLDER else item
                            for item in identifiers
                        ]
                    principals.setdefault(entry["type"], []).extend(identifiers)
            if principals:
                statement[target] = principals
        conditions: dict[str, dict[str, list[Any]]] = {}
        for index, entry in enumerate(block.get("condition") or []):
            if isinstance(entry, Mapping) and isinstance(entry.get("test"), str):
                entry_mask = _item(mask.get("condition"), index)
                variable = entry.get("variable")
                if variable is None and contains_mark(_key(entry_mask, "variable")):
                    variable = UNKNOWN_PLACEHOLDER
                values = _fill(entry.get("values") or [], _key(entry_mask, "values"))
                if isinstance(variable, str):
                    conditions.setdefault(entry["test"], {}).setdefault(variable, []).extend(values)
        if conditions:
            statement["Condition"] = conditions
        document.append(statement)
    return {"Version": "2012-10-17", "Statement": document}


def _item(mask: Any, index: int) -> Any:
    return mask[index] if isinstance(mask, list) and index < len(mask) else None


def _key(mask: Any, key: str) -> Any:
    return mask.get(key) if isinstance(mask, Mapping) else None
