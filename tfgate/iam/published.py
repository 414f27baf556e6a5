"""Published vendor IAM policies, and whether a policy grants no more than one of them.

AWS and the Kubernetes SIGs publish the identity policies their controllers need (the AWS Load
Balancer Controller, the EBS and EFS CSI drivers, cluster-autoscaler, external-dns, Karpenter,
the VPC CNI). Teams paste them, or a module copies them, unchanged or narrowed. Judged
statement by statement they look like "write on every resource"; judged as a whole they are the
vendor's documented need, and a reviewer asks one question: is this the published policy, or
less?

The policies are data (`published/*.json`, one file per published version, each with its source
repository, path, commit, version and licence). A value the vendor leaves to the user (the
partition, region, account, cluster name) is written as a placeholder in braces (`{cluster}`):
it stands for one value the user fills in, any text without a wildcard.

`published_match(policy)` answers with the narrowest published policy that contains `policy`
as a whole, never statements picked from several: every Allow statement of `policy` must, for
every action it allows and every resource it names, be granted by some Allow statement of that
one published policy whose resource pattern covers the resource and whose conditions the
statement repeats at least as strictly (the same operator and key, values a subset; a `Null`
check with the same value; extra conditions only narrow). Deny statements of `policy` only
narrow it. `NotAction`, `NotResource`, a wildcard that matches no known action, or a
service the published policy does not use, never match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import orjson

from tfgate.config.globs import glob_covers, glob_matches
from tfgate.iam import actions
from tfgate.iam.analysis import covers
from tfgate.iam.policy import Condition, Policy, Statement, parse_policy

__all__ = ["PublishedPolicy", "published_match", "published_policies"]

_DATA = "published"
_LIKE_OPERATORS = frozenset({"stringlike", "arnlike", "arnequals"})
# ArnEquals matches like ArnLike (wildcards are live in both); the other operators compare text.


@dataclass(frozen=True, slots=True)
class _Grant:
    """One Allow statement of a published policy, with its actions expanded once."""

    names: frozenset[str]
    resources: tuple[str, ...]
    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class PublishedPolicy:
    slug: str
    name: str
    version: str
    publisher: str
    repository: str
    path: str
    commit: str
    url: str
    licence: str
    grants: tuple[_Grant, ...]
    services: frozenset[str]

    @property
    def size(self) -> int:
        """How much it grants: (action, resource pattern) pairs over its statements."""
        return sum(len(grant.names) * len(grant.resources) for grant in self.grants)

    @property
    def label(self) -> str:
        """How findings name it: `the published AWS Load Balancer Controller policy v2.13.0`."""
        return f"the published {self.name} policy {self.version}"

    @property
    def source(self) -> str:
        """Where it was read: `repository path@commit`, or the URL when not in a repository."""
        if self.repository:
            return f"{self.repository} {self.path}@{self.commit[:12]}"
        return self.url


@cache
def published_policies() -> tuple[PublishedPolicy, ...]:
    """Every shipped published policy, the narrowest first (read once)."""
    folder = files("tfgate.iam").joinpath(_DATA)
    entries = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".json")),
        key=lambda entry: entry.name,
    )
    loaded = (
        _load(entry.name[: -len(".json")], orjson.loads(entry.read_bytes())) for entry in entries
    )
    # The narrowest first, so a policy is named after the published version closest to it.
    return tuple(sorted(loaded, key=lambda published: (published.size, published.slug)))


def _load(slug: str, data: Mapping[str, Any]) -> PublishedPolicy:
    policy = parse_policy(data["policy"], source=f"published/{slug}.json")
    if policy.problems or any(statement.is_deny for statement in policy.statements):
        # Shipped data is checked by the tests; a defect here must not widen what is accepted.
        raise ValueError(f"published/{slug}.json: not a plain Allow-only policy")
    grants = tuple(
        _Grant(
            _names(statement.actions or ()) or frozenset(),
            statement.resources or (),
            statement.conditions,
        )
        for statement in policy.allows
    )
    return PublishedPolicy(
        slug=slug,
        name=str(data["name"]),
        version=str(data["version"]),
        publisher=str(data["publisher"]),
        repository=str(data["repository"]),
        path=str(data["path"]),
        commit=str(data["commit"]),
        url=str(data["url"]),
        licence=str(data["licence"]),
        grants=grants,
        services=frozenset(name.partition(":")[0] for grant in grants for name in grant.names),
    )


def _names(patterns: Iterable[str]) -> frozenset[str] | None:
    """The lower-case action names the patterns allow; None when a wildcard matches nothing
    known (what it grants cannot be compared)."""
    found: set[str] = set()
    for pattern in patterns:
        if "*" in pattern or "?" in pattern:
            expanded = actions.expand(pattern)
            if not expanded:
                return None
            found.update(expanded)
        else:
            found.add(pattern.strip().lower())
    return frozenset(found)


def published_match(policy: Policy) -> PublishedPolicy | None:
    """The narrowest published policy that contains `policy` as a whole, else None."""
    return policy.memo(published_match, lambda: _first_match(policy))


# No published policy comes near these sizes (AWS caps a managed policy at 6,144 characters and
# a role's inline policies at 10,240); a document past them is judged statement by statement,
# which is always the safe answer, and the comparison's cost stays bounded whatever the plan holds.
_MOST_TEXT = 20_000
_MOST_WILDCARDS = 16


def _comparable(policy: Policy) -> bool:
    total = 0
    for statement in policy.statements:
        for entry in (*(statement.actions or ()), *(statement.resources or ())):
            total += len(entry)
            if entry.count("*") + entry.count("?") > _MOST_WILDCARDS:
                return False
        for condition in statement.conditions:
            total += len(condition.key) + sum(len(value) for value in condition.values)
        if total > _MOST_TEXT:
            return False
    return True


def _first_match(policy: Policy) -> PublishedPolicy | None:
    services = _services(policy)
    if services is None:
        return None
    # The services alone rule out most policies before any action is expanded.
    candidates = [published for published in published_policies() if services <= published.services]
    if not candidates or not _comparable(policy):
        return None
    wanted: list[tuple[Statement, frozenset[str]]] = []
    for statement in policy.allows:
        names = _names(statement.actions or ())
        if not names:
            return None
        wanted.append((statement, names))
    for published in candidates:
        if all(_contained(statement, names, published) for statement, names in wanted):
            return published
    return None


def _services(policy: Policy) -> frozenset[str] | None:
    """The services the Allow statements name, or None for a shape that never matches."""
    if policy.problems or not policy.allows:
        return None
    found: set[str] = set()
    for statement in policy.allows:
        if statement.not_actions is not None or statement.not_resources is not None:
            return None
        if statement.principals is not None or statement.resources is None:
            return None
        for pattern in statement.actions or ():
            service, sep, _ = pattern.strip().partition(":")
            if not sep or _wild(service):
                return None
            found.add(service.lower())
    return frozenset(found)


def _contained(statement: Statement, names: frozenset[str], published: PublishedPolicy) -> bool:
    relevant = [
        grant
        for grant in published.grants
        if not grant.names.isdisjoint(names)
        and _at_least_as_strict(statement.conditions, grant.conditions)
    ]
    # What the published statements grant on `"*"` holds for every resource, unchecked.
    everywhere = frozenset().union(*(g.names for g in relevant if "*" in g.resources))
    if names <= everywhere:
        return True
    for resource in statement.resources or ():
        granted = set(everywhere)
        for grant in relevant:
            if _covered(resource, grant.resources, statement.variables):
                granted.update(grant.names)
        if not names <= granted:
            return False
    return True


# ------------------------------------------------------------------------------------------------
# Resources


def _has_placeholder(text: str) -> bool:
    return "{" in text and "}" in text


def _wild(text: str) -> bool:
    return "*" in text or "?" in text


def _fills(template: str, text: str, fold_case: bool = False) -> bool:
    """Whether literal `text` is `template` with each `{placeholder}` filled in with a value.
    A policy variable (`${aws:username}`) is not one value: it takes the caller's."""
    if _wild(text) or "${" in text:
        return False
    return glob_matches(_starred(template), text, fold_case=fold_case)


@cache
def _starred(template: str) -> str:
    """The template with each `{placeholder}` as `*` (a scan, not a regular expression)."""
    parts: list[str] = []
    position = 0
    while (start := template.find("{", position)) >= 0:
        close = template.find("}", start + 1)
        if close < 0:
            break
        parts.append(template[position:start])
        parts.append("*")
        position = close + 1
    parts.append(template[position:])
    return "".join(parts)


def _covered(resource: str, patterns: tuple[str, ...], variables: bool) -> bool:
    return any(_resource_within(resource, pattern, variables) for pattern in patterns)


def _resource_within(inner: str, outer: str, variables: bool) -> bool:
    if not _has_placeholder(outer):
        return covers(outer, inner, variables)
    # A placeholder holds one value: compare ARN segment by segment (and the resource part by
    # `/`-separated pieces), a placeholder's piece only by a literal of the same place.
    outer_segments = outer.split(":", 5)
    inner_segments = inner.split(":", 5)
    if len(outer_segments) != len(inner_segments):
        # A placeholder for a whole ARN (`{role}`): filled in only by one literal ARN.
        return _fills(outer, inner)
    return all(
        _piece_within(inner_segment, outer_segment, variables, split=position == 5)
        for position, (inner_segment, outer_segment) in enumerate(
            zip(inner_segments, outer_segments, strict=True)
        )
    )


def _piece_within(inner: str, outer: str, variables: bool, split: bool) -> bool:
    if not _has_placeholder(outer):
        return covers(outer, inner, variables)
    if split:
        outer_pieces = outer.split("/")
        inner_pieces = inner.split("/")
        if len(outer_pieces) != len(inner_pieces):
            return False
        return all(
            _piece_within(i, o, variables, split=False)
            for i, o in zip(inner_pieces, outer_pieces, strict=True)
        )
    return _fills(outer, inner)


# ------------------------------------------------------------------------------------------------
# Conditions


def _at_least_as_strict(mine: tuple[Condition, ...], theirs: tuple[Condition, ...]) -> bool:
    """Whether conditions `mine` admit no request that `theirs` refuses: each of theirs is
    repeated by one of mine with the same operator and key and no wider values."""
    return all(any(_repeats(condition, required) for condition in mine) for required in theirs)


def _repeats(condition: Condition, required: Condition) -> bool:
    if condition.operator.lower() != required.operator.lower():
        return False
    if not _key_matches(required.key, condition.key):
        return False
    operator = required.base_operator.lower()
    if operator == "null":
        return set(condition.values) == set(required.values)
    if condition.negated:
        # Stricter with more values excluded: mine must exclude every value theirs excludes.
        return set(required.values) <= set(condition.values)
    return all(
        any(_value_within(value, theirs, operator) for theirs in required.values)
        for value in condition.values
    )


def _key_matches(template: str, key: str) -> bool:
    template, key = _tag_key(template), _tag_key(key)
    if _has_placeholder(template):
        return _fills(template, key)
    return template == key


def _tag_key(key: str) -> str:
    """`ec2:ResourceTag/K` is EC2's name for `aws:ResourceTag/K` (and so for each service that
    has its own): the same key, written either way by the vendor and by the modules copying it."""
    lowered = key.lower()
    service, sep, rest = lowered.partition(":")
    if sep and rest.startswith("resourcetag/") and service != "aws":
        return f"aws:{rest}"
    return lowered


def _value_within(value: str, template: str, operator: str) -> bool:
    like = operator in _LIKE_OPERATORS
    if _has_placeholder(template):
        return _fills(template, value, fold_case=operator.endswith("ignorecase"))
    if like:
        return glob_covers(template, value)
    if operator.endswith("ignorecase"):
        return value.lower() == template.lower()
    return value == template
