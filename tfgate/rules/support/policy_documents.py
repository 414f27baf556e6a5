"""What an `aws_iam_policy_document` data source produces, when its `json` is not in the plan.

A data source read at plan time has its `json` in `prior_state`. One read during apply (it
depends on a value known only after apply) is rebuilt the way the AWS provider builds it:

1. `source_json`, then each of `source_policy_documents` in order (their Sids must be unique:
   a repeated Sid is an error at apply);
2. the data source's own `statement` blocks, each replacing the statement with the same Sid;
3. each of `override_policy_documents` in order, then `override_json`, with the same rule: a
   statement with a Sid replaces the first statement with that Sid, any other is appended.

A composed document that is itself unknown is rebuilt the same way. A reference that names one
instance (`d["b"].json`) is resolved to that instance; one whose index is computed
(`d[each.key]`) may mean any instance, so each instance is one reading of the document and
every reading is judged. Whatever cannot be known (a document from a variable or a resource
attribute, an unreadable composed document, too many readings) makes the whole document
unknown: None, never a partial document that would pass for a complete one.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from tfgate.plan.model import Resource
from tfgate.plan.refs import (
    Target,
    parse_reference,
    read_instances,
    reference_heads,
    reference_occurrences,
    references,
    target_instances,
    through_modules,
)
from tfgate.plan.values import PathPart, Unknown, contains_mark, json_object
from tfgate.rules.base import Context

UNKNOWN_PLACEHOLDER = "${tfgate:known-after-apply}"
POLICY_DOCUMENT = "aws_iam_policy_document"

MAX_READINGS = 16
"""More readings of one document than this (instances times composed alternatives) is unknown."""

_MAX_DEPTH = 8
"""Documents composed from documents deeper than this are unknown."""

MAX_STATEMENTS = 1000
"""A rebuilt document with more statements than this is unknown (AWS's size limits allow far
fewer); it bounds the work a composition built to multiply statements can cause."""

_SINGLE = ("source_json", "override_json")
_SOURCES = ("source_json", "source_policy_documents")
_OVERRIDES = ("override_policy_documents", "override_json")

Statement = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Reading:
    """One document a policy-document reference may produce.

    `rebuilt` is True when it was rebuilt from arguments partly known only after apply;
    `source` is the address of the data source instance it came from.
    """

    text: str
    rebuilt: bool
    source: str


def is_policy_document(target: Target) -> bool:
    return target.kind == "data" and target.type == POLICY_DOCUMENT


def document_readings(
    resource: Resource, path: tuple[PathPart, ...], ctx: Context
) -> tuple[Reading, ...]:
    """Every document the expression at `path` may hold, read or rebuilt from the policy-
    document data sources it comes from; empty when there are none or one cannot be known."""
    found: dict[str, Reading] = {}
    for module_address, target in document_sources(resource, path, ctx):
        options = readings(module_address, target, ctx)
        if options is None:
            return ()
        for reading in options:
            found.setdefault(reading.text, reading)
    return tuple(found.values())


def document_sources(
    resource: Resource, path: tuple[PathPart, ...], ctx: Context
) -> list[tuple[str, Target]]:
    """The policy-document data sources the expression at `path` takes its value from, with the
    module each is in: written there, or passed in through module variables and outputs."""
    heads = reference_heads(references(resource, *path))
    found: dict[tuple[str, Target], None] = {}
    for module_address, reference in through_modules(ctx.plan, resource.module_address, heads):
        target = parse_reference(reference)
        if is_policy_document(target):
            found.setdefault((module_address, target), None)
    return list(found)


def readings(module_address: str, target: Target, ctx: Context) -> tuple[Reading, ...] | None:
    """Every document the policy-document data source(s) `target` may mean can produce, or
    None when one of them cannot be known."""
    return _Rebuilder(ctx).readings(module_address, target, 0)


class _Rebuilder:
    """One resolution: each data source instance is rebuilt at most once, however many
    documents compose it, and one that composes itself (a cycle) is unknown."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.done: dict[str, tuple[Reading, ...] | None] = {}
        self.busy: set[str] = set()

    def readings(
        self, module_address: str, target: Target, depth: int
    ) -> tuple[Reading, ...] | None:
        found: list[Reading] = []
        read = read_instances(self.ctx.plan, module_address, target)
        for entry in read:
            text = entry.values.get("json")
            if not isinstance(text, str):
                return None
            found.append(Reading(text, False, entry.address))
        deferred = target_instances(self.ctx.plan, module_address, target)
        if not read and not deferred:
            return None
        for source in deferred:
            if source.address not in self.done:
                if source.address in self.busy:
                    return None
                self.busy.add(source.address)
                self.done[source.address] = self.instance(source, depth)
                self.busy.discard(source.address)
            rebuilt = self.done[source.address]
            if rebuilt is None:
                return None
            found.extend(rebuilt)
        if len(found) > MAX_READINGS:
            return None
        return tuple(found)

    def instance(self, source: Resource, depth: int) -> tuple[Reading, ...] | None:
        view = source.after
        text = view.value("json")
        if isinstance(text, str) and text:
            return (Reading(text, False, source.address),)
        if depth >= _MAX_DEPTH or view.get("statement") is Unknown:
            return None
        statements = view.value("statement")
        own = _rebuild(
            statements if isinstance(statements, list) else [],
            view.unknown,
            _provider_arns(source, self.ctx),
        )
        slots: list[tuple[str, tuple[Reading, ...]]] = []
        for attribute in (*_SOURCES, *_OVERRIDES):
            documents = self.composed(source, attribute, depth)
            if documents is None:
                return None
            slots.extend((attribute, options) for options in documents)
        combinations = 1
        for _, options in slots:
            combinations *= len(options)
            if combinations > MAX_READINGS:
                return None
        version = view.value("version")
        found: list[Reading] = []
        for choice in itertools.product(*(options for _, options in slots)):
            merged = _merge(
                own,
                [
                    (attribute, reading)
                    for (attribute, _), reading in zip(slots, choice, strict=True)
                ],
            )
            if merged is None:
                return None
            document: dict[str, Any] = {
                "Version": version if isinstance(version, str) and version else "2012-10-17",
                "Statement": merged,
            }
            text = orjson.dumps(document, option=orjson.OPT_SORT_KEYS).decode()
            found.append(Reading(text, True, source.address))
        return tuple(found)

    def composed(
        self, source: Resource, attribute: str, depth: int
    ) -> list[tuple[Reading, ...]] | None:
        """The documents `attribute` composes, in order, each as the readings it may be (a
        known string is one reading; an empty element is skipped, as the provider does).

        Unknown elements are matched, in order, to the references to policy documents read
        during apply: when their numbers differ, what fills an element cannot be proven, and
        the answer is None.
        """
        view = source.after
        single = attribute in _SINGLE
        if view.get(attribute) is Unknown and not single:
            return None  # a list whose length is known only after apply
        mask: Any = view.unknown.get(attribute) if isinstance(view.unknown, Mapping) else None
        value = view.value(attribute)
        if single:
            elements: list[Any] = [value]
            masks: list[Any] = [mask]
        else:
            elements = list(value) if isinstance(value, list) else []
            masks = list(mask) if isinstance(mask, list) else []
        unknown = [i for i in range(len(elements)) if i < len(masks) and contains_mark(masks[i])]
        if single and contains_mark(mask):
            unknown = [0]
        plan = self.ctx.plan
        deferred = [
            target
            for target in reference_occurrences(source, attribute)
            if is_policy_document(target) and target_instances(plan, source.module_address, target)
        ]
        if len(unknown) != len(deferred):
            return None
        filled: dict[int, tuple[Reading, ...]] = {}
        for position, target in zip(unknown, deferred, strict=True):
            options = self.readings(source.module_address, target, depth + 1)
            if options is None:
                return None
            filled[position] = options
        found: list[tuple[Reading, ...]] = []
        for position, element in enumerate(elements):
            if position in filled:
                found.append(filled[position])
            elif isinstance(element, str) and element:
                found.append((Reading(element, False, source.address),))
            elif element is not None and element != "":
                return None
        return found


def _merge(
    own: Mapping[str, Any], composed: Sequence[tuple[str, Reading]]
) -> list[Statement] | None:
    """The provider's merge of the composed documents around the data source's own statements;
    None where the provider fails at apply (a repeated Sid among the sources or in the data
    source itself, a composed document that is not an IAM document) or the result is too big."""
    merged = _Merged()
    source_sids: set[str] = set()
    for attribute, reading in composed:
        if attribute not in _SOURCES:
            continue
        statements = _statements(reading.text)
        if statements is None:
            return None
        sids = [s["Sid"] for s in statements if s.get("Sid")]
        if attribute == "source_policy_documents" and (
            len(sids) != len(set(sids)) or source_sids.intersection(sids)
        ):
            return None
        source_sids.update(sids)
        merged.add(statements)
    own_statements = list(own.get("Statement") or [])
    own_sids = [s["Sid"] for s in own_statements if s.get("Sid")]
    if len(own_sids) != len(set(own_sids)):
        return None
    merged.add(own_statements)
    for attribute in _OVERRIDES:
        for name, reading in composed:
            if name != attribute:
                continue
            statements = _statements(reading.text)
            if statements is None:
                return None
            merged.add(statements)
    if len(merged.statements) > MAX_STATEMENTS:
        return None
    return merged.statements


class _Merged:
    """The provider's `Merge`: a statement with a Sid replaces the first one with that Sid, any
    other is appended."""

    def __init__(self) -> None:
        self.statements: list[Statement] = []
        self.first: dict[str, int] = {}

    def add(self, statements: Sequence[Statement]) -> None:
        for statement in statements:
            if len(self.statements) > MAX_STATEMENTS:
                return
            sid = statement.get("Sid")
            if sid and sid in self.first:
                self.statements[self.first[sid]] = statement
                continue
            if sid:
                self.first[sid] = len(self.statements)
            self.statements.append(statement)


def _statements(text: str) -> list[Statement] | None:
    """The statements of a composed document as the provider reads them (a list of objects,
    each Sid a string), or None."""
    document = json_object(text)
    if document is None:
        return None
    statements = document.get("Statement")
    if statements is None:
        return []
    if not isinstance(statements, list):
        return None
    if not all(
        isinstance(s, dict) and isinstance(s.get("Sid", ""), str | None) for s in statements
    ):
        return None
    return statements


# ------------------------------------------------------------------------------------------------
# A data source's own statement blocks

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
                for provider in target_instances(ctx.plan, source.module_address, target):
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
