"""Where IAM policy documents sit in a plan, and how to read them.

A document is a JSON string in an attribute. When the string is known only after apply, the
configuration may still show it comes from a `data.aws_iam_policy_document` block whose
statements are partly known; the document is then rebuilt from those statements, with each value
known only after apply replaced by a placeholder that matches nothing (an ARN produced by another
resource is a specific ARN, never `*`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

import orjson

from tfgate.errors import PolicyError
from tfgate.iam.policy import Policy, parse_policy
from tfgate.plan.model import Resource
from tfgate.plan.refs import Target
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

    @property
    def policy(self) -> Policy | PolicyError | None:
        return None if self.text is None else parse_cached(self.text)


@lru_cache(maxsize=8192)
def parse_cached(text: str) -> Policy | PolicyError:
    """Parse once per distinct document: `before`, `after` and every rule share the result."""
    try:
        return parse_policy(text)
    except PolicyError as error:
        return error


def identity_documents(resource: Resource, view: View, ctx: Context) -> Iterator[Document]:
    """Identity policies (grants) on a resource: inline and standalone policies."""
    attribute = IDENTITY_ATTRIBUTES.get(resource.type)
    if attribute is not None:
        yield _document(resource, view, ctx, DocumentKind.IDENTITY, attribute, (attribute,))
    elif resource.type == "aws_iam_role":
        yield from _inline_policies(resource, view, ctx)


def trust_documents(resource: Resource, view: View, ctx: Context) -> Iterator[Document]:
    if resource.type == "aws_iam_role":
        yield _document(
            resource, view, ctx, DocumentKind.TRUST, "assume_role_policy", ("assume_role_policy",)
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
            rebuilt = _rebuild(statements, view.unknown)
            return orjson.dumps(rebuilt, option=orjson.OPT_SORT_KEYS).decode(), True
    return None


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


def _rebuild(statements: list[Any], unknown: Any) -> dict[str, Any]:
    """IAM JSON from the `statement` blocks of an `aws_iam_policy_document` data source."""
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
                    principals.setdefault(entry["type"], []).extend(identifiers)
            if principals:
                statement[target] = principals
        conditions: dict[str, dict[str, list[Any]]] = {}
        for index, entry in enumerate(block.get("condition") or []):
            if isinstance(entry, Mapping) and isinstance(entry.get("test"), str):
                entry_mask = _item(mask.get("condition"), index)
                variable = entry.get("variable")
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
