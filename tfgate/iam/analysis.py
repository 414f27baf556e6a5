"""What a policy document grants: the questions IAM rules ask of a parsed `Policy`.

The central question is "does this document allow action A on every resource of type T, and
under which conditions?" (`allowed`). The answer follows tfgate's normative semantics
(reference/iam-rules.md, section 0):

* Actions match case-insensitively; `*` and `?` are wildcards anywhere in a pattern; an Allow with
  `NotAction` grants every action it does not list. Matching is pattern against name, so actions
  the catalogue does not know are still matched.
* A resource set counts when it is *star* for the target type: a `*` element anywhere in the
  list, a pattern that matches every ARN of that type in some account (`arn:aws:iam::*:role/*`,
  `arn:*:iam::*:*`, `arn:aws:iam::123456789012:role/*`, `role/?*`: names are never empty), or
  `NotResource`. Coverage is decided glob against glob (`tfgate.config.globs`), never by trying a
  sample ARN, in time bounded by the product of the two lengths. ARNs are
  case-sensitive; partitions `aws`, `aws-cn` and `aws-us-gov` are all recognised. Under Version
  2012-10-17 a `${...}` policy variable stands for one caller-specific value, so
  `user/${aws:username}` is self-scoped, not star; under 2008-10-17 it is literal text.
* A Deny in the same document cancels an Allow only when it matches the action, covers the
  Allow's resource pattern (is `*` or a superset pattern; a `NotResource` Deny never counts) and
  has no Condition at all.
* Grants carry the conditions that really narrow them (`limiting_conditions`): positive
  operators only, no `IfExists`, no `ForAllValues:` on single-valued keys, no wildcard value
  that admits every value unless the key's presence narrows (`KEY_PRESENCE`), and never the
  keys that cannot narrow a grant (aws:SecureTransport and friends). Rules decide what a
  limiting condition means for their verdict.

Everything here is a pure function of its arguments (plus reads of the action catalogue), and
the expensive parts (wildcard expansion, ARN pattern coverage) are cached, so analysing many
documents stays fast.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from tfgate.config.globs import Glob, concatenate, glob, glob_covers, glob_matches
from tfgate.config.globs import covers as glob_covers_units
from tfgate.iam.actions import action_info, all_actions, expand, pattern_matches, service_actions
from tfgate.iam.policy import Condition, Policy, Statement

__all__ = [
    "ESCALATION_METHODS",
    "KEY_PRESENCE",
    "MULTI_VALUED_KEYS",
    "NEVER_NARROWING_KEYS",
    "PARTITIONS",
    "RESOURCE_TYPES",
    "TRUST_ACTIONS",
    "EscalationMethod",
    "Grant",
    "KeyPresence",
    "SubjectClass",
    "allowed",
    "allowed_anywhere",
    "covers",
    "covers_every_action",
    "foreign_account_principals",
    "github_audience_pinned",
    "github_operator_misuse",
    "github_subject_class",
    "is_account_root_principal",
    "is_full_admin",
    "is_github_statement",
    "is_public_principal",
    "is_star_resource",
    "key_presence",
    "limiting_conditions",
    "matched_action_pattern",
    "principal_account",
    "privilege_escalation_paths",
    "service_wildcards",
    "tag_conditions",
    "trust_statements",
    "unknown_action_patterns",
    "unrestricted_actions",
    "unrestricted_grants",
]

PARTITIONS = ("aws", "aws-cn", "aws-us-gov")

NOT_ACTION = "NotAction"
NOT_RESOURCE = "NotResource"


@dataclass(frozen=True, slots=True)
class Grant:
    """One Allow statement that grants what was asked.

    `action_pattern` is the Action entry that matched (as written, e.g. `"iam:*"`), or
    `"NotAction"` when the statement grants through NotAction. `resource_pattern` is the Resource
    entry that made the grant count (e.g. `"*"`, `"arn:aws:iam::*:role/*"`), `"NotResource"`, or
    `""` when the statement has no Resource element (trust and resource policies, where the
    resource is the one the policy is attached to). `limiting_conditions` are the statement's
    conditions that really narrow the grant (see `limiting_conditions`); `conditional` is True
    when the statement has any Condition at all, limiting or not.
    """

    statement: Statement
    action_pattern: str
    resource_pattern: str
    limiting_conditions: tuple[Condition, ...]
    conditional: bool


# ------------------------------------------------------------------------------------------------
# Resource patterns

# Resource types the star test knows: name -> (service, regional, resource prefix).
RESOURCE_TYPES: Mapping[str, tuple[str, bool, str]] = {
    "role": ("iam", False, "role/"),
    "user": ("iam", False, "user/"),
    "group": ("iam", False, "group/"),
    "policy": ("iam", False, "policy/"),
    "instance-profile": ("iam", False, "instance-profile/"),
    "function": ("lambda", True, "function:"),
    "devendpoint": ("glue", True, "devEndpoint/"),
    "stack": ("cloudformation", True, "stack/"),
    "stackset": ("cloudformation", True, "stackset/"),
    "instance": ("ec2", True, "instance/"),
    "launch-template": ("ec2", True, "launch-template/"),
    "task": ("ecs", True, "task/"),
    "notebook-instance": ("sagemaker", True, "notebook-instance/"),
    "secret": ("secretsmanager", True, "secret:"),
    "parameter": ("ssm", True, "parameter/"),
    "key": ("kms", True, "key/"),
}

# Resource patterns are compared as globs (tfgate.config.globs): `*` and `?` are wildcards,
# everything else is literal. With live policy variables, `${*}`, `${?}` and `${$}` are those
# literal characters and any other `${name}` is one opaque unit (one caller-specific value of
# unknown length), never a wildcard.
_SPECIAL_VARIABLES = {"*": "*", "?": "?", "$": "$"}
_DEFAULT_ACCOUNT = "123456789012"
_DEFAULT_REGION = "us-east-1"

# Past this many (token, unit) pairs a comparison of two plan-supplied patterns is not run and
# `covers` answers False ("not proven"). Every question of the form "is this pattern star?"
# compares against a short witness and stays far below it.
_COMPARISON_LIMIT = 1 << 26


def _resource_glob(pattern: str, variables: bool) -> Glob:
    if not (variables and "${" in pattern):
        return glob(pattern)
    if len(pattern) > _CACHED_LENGTH:
        return _with_variables(pattern)
    return _with_variables_cached(pattern)


def _with_variables(pattern: str) -> Glob:
    # A scan with str.find, not a regular expression: `${${${...` without a closing brace would
    # make a regex retry from every `${` (quadratic); here each character is looked at once.
    parts: list[Glob | str] = []
    position = 0
    while (start := pattern.find("${", position)) >= 0:
        close = pattern.find("}", start + 2)
        if close < 0:
            break
        parts.append(glob(pattern[position:start]))
        name = pattern[start + 2 : close].strip()
        # `${*}` is a literal `*`: a one-character unit, never parsed as a wildcard.
        parts.append(_SPECIAL_VARIABLES.get(name) or "${" + name.lower() + "}")
        position = close + 1
    parts.append(glob(pattern[position:]))
    return concatenate(parts)


_CACHED_LENGTH = 4096  # as in tfgate.config.globs: longer patterns are parsed per call
_with_variables_cached = lru_cache(maxsize=16384)(_with_variables)


@lru_cache(maxsize=65536)
def covers(outer: str, inner: str, variables: bool = True) -> bool:
    """Whether resource pattern `outer` matches every ARN that `inner` matches.

    Decided glob against glob (`tfgate.config.globs.covers`), exactly. True is always right; False
    is also the answer, "not proven", for a pair of patterns too long to compare (see
    `_COMPARISON_LIMIT`), which only makes a Deny cancel less (never more).
    """
    if outer == inner:
        return True
    if "${" not in outer and "${" not in inner:
        # Without variables every character that is not a wildcard is one literal unit, so the
        # cheap bounds below are exact lower bounds, taken before anything is parsed.
        outer_literals = len(outer) - outer.count("*") - outer.count("?")
        inner_literals = len(inner) - inner.count("*") - inner.count("?")
        if outer_literals > inner_literals or outer_literals * inner_literals > _COMPARISON_LIMIT:
            return False
    return _covers(_resource_glob(outer, variables), _resource_glob(inner, variables))


def _covers(outer: Glob, inner: Glob) -> bool:
    if outer.literal_units > inner.literal_units:
        return False
    if len(outer.tokens) * len(inner.units) > _COMPARISON_LIMIT:
        return False
    return glob_covers_units(outer, inner)


def _instantiate(segment: str) -> str:
    """A concrete value the glob `segment` matches (wildcards made as short as possible)."""
    return segment.replace("*", "").replace("?", "0")


# Every ARN has a service and a resource of at least one character (and five colons at least);
# every resource name of a type is at least one character long.
_EVERYTHING = tuple(f"arn:{partition}:?*:*:*:?*" for partition in PARTITIONS)


def _witnesses(pattern: str, resource_type: str | None) -> tuple[str, ...]:
    """Patterns meaning "every resource of the type in one account and region"."""
    if resource_type is None:
        return _EVERYTHING
    parts = pattern.split(":")
    if len(parts) >= 6:
        return _type_witnesses(resource_type, _instantiate(parts[3]), _instantiate(parts[4]))
    return _type_witnesses(resource_type, None, None)


def _literal_head(pattern: str) -> str:
    """The pattern up to its first `*`, `?` or `$` (where a policy variable may start)."""
    end = len(pattern)
    for char in "*?$":
        position = pattern.find(char, 0, end)
        if position >= 0:
            end = position
    return pattern[:end]


@lru_cache(maxsize=1024)
def _witness_shape(resource_type: str | None) -> tuple[int, str]:
    """What every witness of the type has before its first wildcard: how many colons, and the
    text after the last one (regions and accounts hold no colon, so they do not change either)."""
    sample = _literal_head(_witnesses("", resource_type)[0])
    return sample.count(":"), sample.rpartition(":")[2]


@lru_cache(maxsize=4096)
def _type_witnesses(resource_type: str, region: str | None, account: str | None) -> tuple[str, ...]:
    """`_witnesses` for a type, given the region and account a pattern names (if it has them)."""
    accounts = [_DEFAULT_ACCOUNT] if account is None else [_DEFAULT_ACCOUNT, account]
    regions = [_DEFAULT_REGION] if region is None else [_DEFAULT_REGION, region]
    if resource_type.endswith(":*"):
        service = resource_type[:-2].lower()
        prefix = ""
        region_options = ["", *regions]
        account_options = ["", *accounts]
    else:
        service, regional, prefix = RESOURCE_TYPES[resource_type]
        region_options = regions if regional else [""]
        account_options = accounts
    return tuple(
        f"arn:{partition}:{service}:{region}:{account}:{prefix}?*"
        for partition in PARTITIONS
        for region in dict.fromkeys(region_options)
        for account in dict.fromkeys(account_options)
    )


@lru_cache(maxsize=65536)
def is_star_resource(
    pattern: str, resource_type: str | None = None, variables: bool = True
) -> bool:
    """Whether a Resource entry covers every resource of `resource_type` in some account.

    `resource_type` is a key of `RESOURCE_TYPES` (`"role"`, `"user"`, ...), `"<service>:*"` for
    any resource of one service, or None for "everything" (`*`, `arn:*`, `arn:aws:*`). Raises
    ValueError for a type it does not know.
    """
    known = resource_type is None or resource_type.endswith(":*") or resource_type in RESOURCE_TYPES
    if not known:
        raise ValueError(f"unknown resource type {resource_type!r}")
    if "*" not in pattern and "?" not in pattern:
        return False  # a literal ARN names one resource
    head = _literal_head(pattern)
    colons, tail = _witness_shape(resource_type)
    count = head.count(":")
    if count > colons or (count == colons and not tail.startswith(head.rpartition(":")[2])):
        return False  # the literal head leads into no witness (the cheap answer for most ARNs)
    parsed = _resource_glob(pattern, variables)
    return any(
        _covers(parsed, glob(witness))
        for witness in _witnesses(pattern, resource_type)
        if witness.startswith(head)
    )


# ------------------------------------------------------------------------------------------------
# Action matching and Deny subtraction


# Every action name is `service:Action`, both parts at least one character long.
_EVERY_ACTION = "?*:?*"


@lru_cache(maxsize=16384)
def covers_every_action(pattern: str, service: str | None = None) -> bool:
    """Whether an Action pattern matches every action (of `service`, when given), today's and
    those AWS adds later: `*`, `*:*`, `*?`, `?*:*`, `iam:*`, `IAM:?*` for service `iam`.
    Decided glob against glob, case-insensitively."""
    every = _EVERY_ACTION if service is None else f"{service}:?*"
    return glob_covers(pattern, every, fold_case=True)


def is_all_actions_pattern(pattern: str) -> bool:
    """An Action entry naming every action (`covers_every_action` without a service)."""
    return covers_every_action(pattern)


def matched_action_pattern(statement: Statement, action: str) -> str | None:
    """The Action entry of `statement` that matches `action`, `"NotAction"` when the statement
    uses NotAction and does not list it, else None. Effect is not considered."""
    if statement.actions is not None:
        return _first_match(statement.actions, action)
    if statement.not_actions is not None:
        if _first_match(statement.not_actions, action) is not None:
            return None
        return NOT_ACTION
    return None


@lru_cache(maxsize=65536)
def _first_match(patterns: tuple[str, ...], action: str) -> str | None:
    """The first of `patterns` that matches `action`; cached, as statements repeat their lists."""
    for pattern in patterns:
        if pattern_matches(pattern, action):
            return pattern
    return None


def _deny_covers(deny: Statement, target: str | None) -> bool:
    """Whether an unconditional Deny's resources cover an Allow's resource pattern.

    `target` is the Allow's pattern (`"*"` for NotResource) or None when the Allow has no
    Resource element (it then applies to the policy's own resource).
    """
    if deny.not_resources is not None:
        return False
    if deny.resources is None:
        return target is None
    if target is None:
        return any(covers(pattern, _ANY_NAME, deny.variables) for pattern in deny.resources)
    return any(covers(pattern, target, deny.variables) for pattern in deny.resources)


_ANY_NAME = "?*"  # any resource, whatever it is called


def _hard_denies(policy: Policy) -> tuple[Statement, ...]:
    return policy.hard_denies


def _denied(denies: Iterable[Statement], action: str, target: str | None) -> bool:
    return any(
        matched_action_pattern(deny, action) is not None and _deny_covers(deny, target)
        for deny in denies
    )


# ------------------------------------------------------------------------------------------------
# Conditions

# Keys that never make a grant narrow enough to clear a finding (lower-case).
NEVER_NARROWING_KEYS = frozenset(
    {
        "aws:securetransport",
        "aws:multifactorauthpresent",
        "aws:requestedregion",
        "aws:currenttime",
        "aws:useragent",
        "aws:referer",
    }
)

# Keys whose request value is a set; `ForAllValues:` on them is a real restriction.
MULTI_VALUED_KEYS = frozenset(
    {
        "aws:tagkeys",
        "aws:calledvia",
        "aws:principalorgpaths",
        "aws:resourceorgpaths",
        "aws:principalservicenameslist",
    }
)

_POSITIVE_OPERATORS = frozenset(
    {
        "stringequals",
        "stringequalsignorecase",
        "stringlike",
        "arnequals",
        "arnlike",
        "numericequals",
        "numericlessthan",
        "numericlessthanequals",
        "numericgreaterthan",
        "numericgreaterthanequals",
        "dateequals",
        "datelessthan",
        "datelessthanequals",
        "dategreaterthan",
        "dategreaterthanequals",
        "bool",
        "binaryequals",
        "ipaddress",
    }
)
_WILDCARD_OPERATORS = frozenset({"stringlike", "arnlike", "arnequals"})
_OPEN_NETWORKS = frozenset({"0.0.0.0/0", "::/0"})


@dataclass(frozen=True, slots=True)
class KeyPresence:
    """What a wildcard condition value that admits every value of a key still says.

    `keys` is a glob over lower-case key names; `every_value` is a glob every value of the key
    matches (a value pattern that covers it admits any value, so the condition only asks that
    the key be present); `narrows` says whether the key's presence alone narrows a grant.
    """

    keys: str
    every_value: str
    narrows: bool


# The first entry whose `keys` matches decides. Tag keys narrow: only tagged resources (or
# requests that set the tag) pass, and a tag value may be empty, so only `*` covers every value.
# An organisation id is `o-` and 10 to 32 characters, an organisation path starts with the
# organisation and its root (`o-.../r-.../`), an account id is 12 digits, a principal or source
# ARN an ARN (of the partition's principals); every principal has them, so their presence
# narrows nothing. For every other key the conservative answer: its values are taken
# to be non-empty, and presence is taken not to narrow (a finding stays a finding).
KEY_PRESENCE: tuple[KeyPresence, ...] = (
    KeyPresence("aws:resourcetag/?*", "*", narrows=True),
    KeyPresence("aws:requesttag/?*", "*", narrows=True),
    KeyPresence("?*:resourcetag/?*", "*", narrows=True),
    KeyPresence("aws:principalorgid", "o-??????????*", narrows=False),
    KeyPresence("aws:resourceorgid", "o-??????????*", narrows=False),
    KeyPresence("aws:sourceorgid", "o-??????????*", narrows=False),
    KeyPresence("aws:principalorgpaths", "o-??????????*/r-????*/*", narrows=False),
    KeyPresence("aws:resourceorgpaths", "o-??????????*/r-????*/*", narrows=False),
    KeyPresence("aws:sourceorgpaths", "o-??????????*/r-????*/*", narrows=False),
    KeyPresence("aws:principalaccount", "????????????", narrows=False),
    KeyPresence("aws:sourceaccount", "????????????", narrows=False),
    KeyPresence("aws:principalarn", "arn:aws:?*:*:*:?*", narrows=False),
    KeyPresence("aws:sourcearn", "arn:aws:?*:*:*:?*", narrows=False),
    KeyPresence("*", "?*", narrows=False),
)


@lru_cache(maxsize=4096)
def key_presence(key: str) -> KeyPresence:
    """The `KEY_PRESENCE` entry for a (lower-case) condition key."""
    return next(entry for entry in KEY_PRESENCE if glob_matches(entry.keys, key))


def _admits_every_value(condition: Condition) -> bool:
    every = key_presence(condition.key).every_value
    return any(glob_covers(value, every) for value in condition.values)


@lru_cache(maxsize=16384)
def _is_limiting(condition: Condition) -> bool:
    base = condition.base_operator.lower()
    if base not in _POSITIVE_OPERATORS or condition.if_exists:
        return False
    if condition.key in NEVER_NARROWING_KEYS:
        return False
    if condition.qualifier == "ForAllValues" and not (
        condition.key in MULTI_VALUED_KEYS or condition.key.endswith(":tagkeys")
    ):
        return False
    if base in _WILDCARD_OPERATORS and _admits_every_value(condition):
        return key_presence(condition.key).narrows
    return not (base == "ipaddress" and _OPEN_NETWORKS & set(condition.values))


def _requires_tag(condition: Condition) -> bool:
    """`Null: {"aws:ResourceTag/K": "false"}`: the tag must be present, which narrows."""
    return (
        condition.base_operator.lower() == "null"
        and not condition.if_exists
        and bool(condition.values)
        and all(value.lower() == "false" for value in condition.values)
        and key_presence(condition.key).narrows
    )


def tag_conditions(statement: Statement) -> tuple[Condition, ...]:
    """The statement's conditions that restrict it to resources carrying a tag, or to requests
    that set one: a limiting condition on `aws:ResourceTag/...`, `<service>:ResourceTag/...` or
    `aws:RequestTag/...` (any value, `*` included: a tag value may be anything, so `"true"` and
    `"*"` narrow alike), or `Null` false on such a key. This is how AWS scopes its
    controllers' policies (AWS Load Balancer Controller, EBS CSI driver)."""
    return tuple(
        condition
        for condition in statement.conditions
        if key_presence(condition.key).narrows
        and (_requires_tag(condition) or _is_limiting(condition))
    )


def limiting_conditions(
    statement: Statement, keys: set[str] | frozenset[str] | None = None
) -> tuple[Condition, ...]:
    """The statement's conditions that really narrow what it allows (section 0.6).

    A condition limits when its operator is positive (StringEquals/Like, ArnEquals/Like, Numeric*,
    Date*, Bool, BinaryEquals, IpAddress; not the `Not` forms, not `Null`), is not an `IfExists`
    variant (true when the key is absent), is not `ForAllValues:` on a single-valued key (true
    when the key is missing), has no open network for IpAddress, and its key is not one that
    never narrows a grant (`NEVER_NARROWING_KEYS`). A wildcard operator whose values include
    one that admits every value of the key (`*`, `?*`, `o-*` for aws:PrincipalOrgID) only asks
    that the key be present, which limits only for the keys `KEY_PRESENCE` says it does (tags).
    With `keys`, only conditions on those keys (compared case-insensitively) are returned.
    """
    wanted = {key.lower() for key in keys} if keys is not None else None
    if not statement.conditions:
        return ()
    return tuple(
        condition
        for condition in statement.conditions
        if (wanted is None or condition.key in wanted) and _is_limiting(condition)
    )


# ------------------------------------------------------------------------------------------------
# What a policy allows


def _grant(statement: Statement, action_pattern: str, resource_pattern: str) -> Grant:
    return Grant(
        statement=statement,
        action_pattern=action_pattern,
        resource_pattern=resource_pattern,
        limiting_conditions=limiting_conditions(statement),
        conditional=bool(statement.conditions),
    )


def _resource_candidates(
    statement: Statement, accept: Callable[[str], bool]
) -> list[tuple[str, str | None]]:
    """(pattern reported on the grant, pattern a Deny must cover) for each counting resource."""
    if statement.not_resources is not None:
        return [(NOT_RESOURCE, "*")]
    if statement.resources is None:
        return [("", None)] if accept("") else []
    return [(pattern, pattern) for pattern in statement.resources if accept(pattern)]


@lru_cache(maxsize=65536)
def _services_named(patterns: tuple[str, ...]) -> frozenset[str] | None:
    """The services (lower-case) Action patterns are confined to; None when one of them may
    match actions of any service (no colon, or a wildcard or non-ASCII character before it)."""
    services = set()
    for pattern in patterns:
        service, sep, _ = pattern.partition(":")
        if not sep or not service.isascii() or "*" in service or "?" in service:
            return None
        services.add(service.lower())
    return frozenset(services)


_Index = tuple[dict[str, tuple[Statement, ...]], tuple[Statement, ...]]


def _service_index(policy: Policy) -> _Index:
    """The Allow statements that may match an action, in document order: per service named by
    some statement, and for every other service (NotAction and wildcard services only)."""
    named: dict[str, list[int]] = {}
    anywhere: list[int] = []
    for position, statement in enumerate(policy.allows):
        services = None if statement.actions is None else _services_named(statement.actions)
        if services is None:
            anywhere.append(position)
            continue
        for service in services:
            named.setdefault(service, []).append(position)
    allows = policy.allows
    if anywhere:
        for positions in named.values():
            positions.extend(anywhere)
            positions.sort()
    by_service = {
        service: tuple(allows[position] for position in positions)
        for service, positions in named.items()
    }
    return by_service, tuple(allows[position] for position in anywhere)


def _candidates(policy: Policy, action: str) -> tuple[Statement, ...]:
    """The Allow statements that may match `action`, in document order.

    A pattern whose service is literal ASCII text (`s3:Get*`) only matches actions of that
    service, compared case-insensitively (for ASCII exactly what the pattern's regex does), so
    each policy indexes its Allow statements by the services they name, once; an action whose
    service is not plain ASCII is checked against every Allow statement.
    """
    service = _indexed_service(action)
    if service is None:
        return policy.allows
    by_service, anywhere = _index(policy)
    return by_service.get(service, anywhere)


def _index(policy: Policy) -> _Index:
    return policy.memo(_service_index, lambda: _service_index(policy))


@lru_cache(maxsize=4096)
def _indexed_service(action: str) -> str | None:
    """The lower-case service of an action name, None when it is not plain ASCII."""
    service, sep, _ = action.partition(":")
    return service.lower() if sep and service.isascii() else None


def allowed(policy: Policy, action: str, resource_type: str | None = None) -> list[Grant]:
    """Every Allow statement that grants `action` on all resources of `resource_type`.

    A statement counts when it matches the action (pattern or NotAction) and one of its Resource
    entries is star for the type (see `is_star_resource`; NotResource counts as star), after
    unconditional Denies of the same document that match the action and cover that entry are
    subtracted. With `resource_type` None only patterns covering everything count. One Grant per
    statement, in document order; grants with limiting conditions are included (rules decide).
    """
    return list(_allowed(policy, action, resource_type))


def _allowed(policy: Policy, action: str, resource_type: str | None) -> tuple[Grant, ...]:
    candidates = _candidates(policy, action)
    if not candidates:
        return ()
    return policy.memo(
        (allowed, action, resource_type),
        lambda: tuple(_find_allowed(policy, candidates, action, resource_type)),
    )


def _find_allowed(
    policy: Policy, candidates: Iterable[Statement], action: str, resource_type: str | None
) -> Iterator[Grant]:
    denies = _hard_denies(policy)
    for statement in candidates:
        action_pattern = matched_action_pattern(statement, action)
        if action_pattern is None:
            continue

        def star(pattern: str, st: Statement = statement) -> bool:
            return bool(pattern) and is_star_resource(pattern, resource_type, st.variables)

        for shown, target in _resource_candidates(statement, star):
            if not _denied(denies, action, target):
                yield _grant(statement, action_pattern, shown)
                break


def allowed_anywhere(policy: Policy, action: str) -> list[Grant]:
    """Every Allow statement that grants `action` on at least one resource, after Deny
    subtraction (a Deny must cover each of the statement's resource entries to cancel it).

    Used for the secondary actions of multi-action escalation methods and for resource and
    trust policies, whose statements may have no Resource element (`resource_pattern` "").
    """
    return list(_allowed_anywhere(policy, action))


def _allowed_anywhere(policy: Policy, action: str) -> tuple[Grant, ...]:
    candidates = _candidates(policy, action)
    if not candidates:
        return ()
    return policy.memo(
        (allowed_anywhere, action),
        lambda: tuple(_find_anywhere(policy, candidates, action)),
    )


def _find_anywhere(policy: Policy, candidates: Iterable[Statement], action: str) -> Iterator[Grant]:
    denies = _hard_denies(policy)
    for statement in candidates:
        action_pattern = matched_action_pattern(statement, action)
        if action_pattern is None:
            continue
        for shown, target in _resource_candidates(statement, lambda _pattern: True):
            if not _denied(denies, action, target):
                yield _grant(statement, action_pattern, shown)
                break


def _grants_every_action(statement: Statement) -> str | None:
    return _every_action(statement.actions, statement.not_actions)


@lru_cache(maxsize=16384)
def _every_action(
    actions: tuple[str, ...] | None, not_actions: tuple[str, ...] | None
) -> str | None:
    if actions is not None:
        return next((p for p in actions if is_all_actions_pattern(p)), None)
    if not_actions is not None:
        if any(is_all_actions_pattern(p) for p in not_actions):
            return None
        return NOT_ACTION
    return None


def _denies_everything(deny: Statement) -> bool:
    if deny.actions is not None:
        return any(is_all_actions_pattern(p) for p in deny.actions)
    return deny.not_actions == ()


def is_full_admin(policy: Policy) -> list[Grant]:
    """Allow statements granting every action (`*`, `*:*`, or any NotAction) on everything
    (`*`-like Resource or NotResource).

    A NotAction statement is reported whatever it excludes; rules grade it by what is left out.
    Only an unconditional Deny of every action covering the resource cancels a grant: a Deny that
    carves out some services leaves an administrator that can usually undo the carve-out.
    """
    return list(policy.memo(is_full_admin, lambda: tuple(_full_admin(policy))))


def _full_admin(policy: Policy) -> Iterator[Grant]:
    everything_denied = tuple(deny for deny in _hard_denies(policy) if _denies_everything(deny))
    for statement in policy.allows:
        action_pattern = _grants_every_action(statement)
        if action_pattern is None:
            continue

        def star(pattern: str, st: Statement = statement) -> bool:
            return bool(pattern) and is_star_resource(pattern, None, st.variables)

        for shown, target in _resource_candidates(statement, star):
            if not any(_deny_covers(deny, target) for deny in everything_denied):
                yield _grant(statement, action_pattern, shown)
                break


def _literal_service(pattern: str) -> bool:
    service, sep, _ = pattern.partition(":")
    return bool(sep) and bool(service) and not set(service) & {"*", "?"}


def _has_level(name: str, level: str) -> bool:
    info = action_info(name)
    return bool(
        info and info.resource_level and any(lv.lower() == level for lv in info.access_levels)
    )


@lru_cache(maxsize=16384)
def _with_level(patterns: tuple[str, ...], negated: bool, level: str) -> frozenset[str]:
    """Known, resource-scopable actions with `level` that the patterns grant (or, negated, that
    they leave out).

    Patterns that all name one service (`ec2:Run*`, `s3:*`) are answered from those services'
    data alone, so a small plan loads only the services its policies name; `*` and NotAction
    need the whole catalogue."""
    named: frozenset[str] = frozenset().union(*(expand(p) for p in patterns))
    if not negated and all(_literal_service(p) for p in patterns):
        return frozenset(name for name in named if _has_level(name, level))
    pool = _level_pool(level)
    return pool - named if negated else pool & named


@lru_cache(maxsize=32)
def _level_pool(level: str) -> frozenset[str]:
    result = set()
    for name in all_actions():
        info = action_info(name)
        if info and info.resource_level and any(lv.lower() == level for lv in info.access_levels):
            result.add(name)
    return frozenset(result)


@lru_cache(maxsize=16384)
def _deny_set(patterns: tuple[str, ...], negated: bool) -> frozenset[str]:
    named: frozenset[str] = frozenset().union(*(expand(p) for p in patterns))
    return all_actions() - named if negated else named


@lru_cache(maxsize=4096)
def _union(sets: tuple[frozenset[str], ...]) -> frozenset[str]:
    return frozenset().union(*sets)


@lru_cache(maxsize=4096)
def _of_service(names: frozenset[str], service: str) -> frozenset[str]:
    prefix = service + ":"
    return frozenset(name for name in names if name.startswith(prefix))


def _statement_denies(deny: Statement) -> frozenset[str]:
    if deny.actions is not None:
        return _deny_set(deny.actions, False)
    return _deny_set(deny.not_actions or (), True)


def _service_scope(pattern: str, variables: bool) -> str | bool | None:
    """None when the pattern covers everything, a service prefix when it covers every resource of
    that one service, False otherwise."""
    if "*" not in pattern and "?" not in pattern:
        return False  # a literal ARN names one resource
    if is_star_resource(pattern, None, variables):
        return None
    parts = pattern.split(":")
    if len(parts) >= 3 and parts[0] == "arn" and parts[2] and not set(parts[2]) & {"*", "?"}:
        service = parts[2].lower()
        if is_star_resource(pattern, f"{service}:*", variables):
            return service
    return False


def unrestricted_actions(policy: Policy, access_level: str) -> dict[str, Grant]:
    """Known actions with `access_level` (e.g. "Write", "Permissions management") that can be
    scoped to resources but are allowed on every resource without a limiting condition.

    Expands each Allow statement's patterns (NotAction: every action it does not list) against
    the catalogue, keeps actions whose access levels include `access_level` (compared
    case-insensitively) and that have resource types, on statements whose Resource is `*`-like,
    NotResource, or every resource of the action's service (`arn:aws:s3:::*`). Statements with a
    limiting condition do not count. Unconditional Denies covering the resource are subtracted.
    Returns lower-case action name -> the first Grant (document order) that allows it.
    """
    # Build the mapping once, latest grant first, so the first grant in document order wins.
    result: dict[str, Grant] = {}
    for grant, names in reversed(unrestricted_grants(policy, access_level)):
        result.update(dict.fromkeys(names, grant))
    return result


def unrestricted_grants(policy: Policy, access_level: str) -> list[tuple[Grant, frozenset[str]]]:
    """The cheap form of `unrestricted_actions`: for each Allow grant (statement, Action entry,
    resource entry) that leaves actions with `access_level` unrestricted, the set of such actions
    (lower-case names, Deny-subtracted), in document order.

    Same semantics as `unrestricted_actions`, but no per-action mapping is built: the sets are
    the catalogue's cached sets whenever no Deny applies, so an `Action: "*"` document costs a
    few lookups instead of one dictionary entry per action in AWS. Rules that need only "is there
    any such action, and which few examples" should use this.
    """
    level = access_level.lower()
    return list(
        policy.memo((unrestricted_grants, level), lambda: tuple(_unrestricted(policy, level)))
    )


def tag_narrowed(policy: Policy, access_level: str) -> tuple[tuple[Statement, frozenset[str]], ...]:
    """The Allow statements that `unrestricted_grants` leaves out only because a tag condition
    narrows them, each with the actions of `access_level` it would otherwise leave unrestricted:
    what a finding says it took as narrowed (issue 14, item 1)."""
    level = access_level.lower()
    return policy.memo((tag_narrowed, level), lambda: _tag_narrowed(policy, level))


def _tag_narrowed(policy: Policy, level: str) -> tuple[tuple[Statement, frozenset[str]], ...]:
    narrowed: dict[int, Statement] = {}
    probe: list[Statement] = []
    for statement in policy.statements:
        tags = tag_conditions(statement) if statement.is_allow else ()
        if not tags:
            if statement.is_deny:
                probe.append(statement)
            continue
        plain = dataclasses.replace(
            statement, conditions=tuple(c for c in statement.conditions if c not in tags)
        )
        if limiting_conditions(plain):
            continue  # narrowed by more than its tags
        narrowed[statement.index] = statement
        probe.append(plain)
    if not narrowed:
        return ()
    untagged = dataclasses.replace(policy, statements=tuple(probe))
    found: dict[int, set[str]] = {}
    for grant, names in _unrestricted(untagged, level):
        found.setdefault(grant.statement.index, set()).update(names)
    return tuple((narrowed[index], frozenset(names)) for index, names in sorted(found.items()))


# A resource entry of an Allow statement that covers everything (service None) or every resource
# of one service: (pattern shown on the grant, service, the actions that the document's
# unconditional Denies covering the entry take away).
_Scope = tuple[str, str | None, frozenset[str] | None]


def _unrestricted(policy: Policy, level: str) -> Iterator[tuple[Grant, frozenset[str]]]:
    for statement, scopes in policy.memo(_scoped_statements, lambda: _scoped_statements(policy)):
        if statement.actions is not None:
            granted = [(p, _with_level((p,), False, level)) for p in statement.actions]
        else:
            granted = [(NOT_ACTION, _with_level(statement.not_actions or (), True, level))]
        for shown, service, denied in scopes:
            for action_pattern, names in granted:
                fresh = _of_service(names, service) if service is not None else names
                if denied:
                    fresh = fresh - denied
                if fresh:
                    yield _grant(statement, action_pattern, shown), fresh


def _scoped_statements(policy: Policy) -> tuple[tuple[Statement, tuple[_Scope, ...]], ...]:
    """The Allow statements without limiting conditions that apply to everything or every
    resource of a service, with those resource entries (whatever the access level asked)."""
    denies = _hard_denies(policy)
    found: list[tuple[Statement, tuple[_Scope, ...]]] = []
    for statement in policy.statements:
        if not statement.is_allow or limiting_conditions(statement) or tag_conditions(statement):
            continue
        scopes: list[tuple[str, str, str | None]] = []
        if statement.not_resources is not None:
            scopes.append((NOT_RESOURCE, "*", None))
        for pattern in statement.resources or ():
            scope = _service_scope(pattern, statement.variables)
            if scope is not False:
                assert not isinstance(scope, bool)
                scopes.append((pattern, pattern, scope))
        if not scopes:
            continue
        with_denies: list[_Scope] = []
        for shown, target, service in scopes:
            covering = [d for d in denies if _deny_covers(d, target)]
            denied = _union(tuple(_statement_denies(d) for d in covering)) if covering else None
            with_denies.append((shown, service, denied))
        found.append((statement, tuple(with_denies)))
    return tuple(found)


def service_wildcards(policy: Policy, threshold: float = 0.9) -> list[tuple[str, Grant]]:
    """(service, grant) for Allow Action patterns that cover at least `threshold` of one
    service's known actions (`iam:*`, `s3:*Object*` if broad enough) on a `*`-like resource or
    every resource of that service. Patterns granting every action are left to `is_full_admin`.
    """
    return list(
        policy.memo(
            (service_wildcards, threshold),
            lambda: tuple(_service_wildcards(policy, threshold)),
        )
    )


def _service_wildcards(policy: Policy, threshold: float) -> Iterator[tuple[str, Grant]]:
    denies = _hard_denies(policy)
    for statement in policy.allows:
        if statement.actions is None:
            continue
        for pattern in statement.actions:
            service = _wildcard_service(pattern, threshold)
            if service is None:
                continue
            matched = expand(pattern)

            def star(res: str, st: Statement = statement, svc: str = service) -> bool:
                return bool(res) and _service_scope(res, st.variables) in (None, svc)

            for shown, target in _resource_candidates(statement, star):
                if not all(_denied(denies, name, target) for name in matched):
                    yield service, _grant(statement, pattern, shown)
                    break


@lru_cache(maxsize=16384)
def _wildcard_service(pattern: str, threshold: float) -> str | None:
    """The service (lower-case) of which `pattern` matches at least `threshold` of the known
    actions; None when it does not, names no single service, or grants every action."""
    service, sep, _ = pattern.partition(":")
    if not sep or is_all_actions_pattern(pattern) or set(service) & {"*", "?"}:
        return None
    service = service.lower()
    known = service_actions(service)
    if not known or len(expand(pattern)) < threshold * len(known):
        return None
    return service


def unknown_action_patterns(policy: Policy) -> list[tuple[Statement, str]]:
    """(statement, pattern) for Action/NotAction entries that match no known action.

    Such patterns stay in the analysis (pattern matching does not need the catalogue); this only
    lists them, e.g. for a typo in a Deny guardrail that silently protects nothing.
    """
    found: list[tuple[Statement, str]] = []
    for statement in policy.statements:
        for pattern in (statement.actions or ()) + (statement.not_actions or ()):
            if not expand(pattern):
                found.append((statement, pattern))
    return found


# ------------------------------------------------------------------------------------------------
# Trust policies and principals

TRUST_ACTIONS = ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")
_WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"


def trust_statements(policy: Policy) -> list[Statement]:
    """Allow statements whose actions match one of `TRUST_ACTIONS` (`sts:*`, `sts:Assume*`, `*`
    and NotAction included)."""
    return [
        statement
        for statement in policy.statements
        if statement.is_allow
        and any(matched_action_pattern(statement, action) is not None for action in TRUST_ACTIONS)
    ]


def principal_account(value: str) -> str | None:
    """The account id an AWS principal names (`123456789012` or an IAM/STS ARN), else None."""
    if value.isdigit() and len(value) == 12:
        return value
    parts = value.split(":")
    if len(parts) >= 6 and parts[0] == "arn" and parts[4].isdigit() and len(parts[4]) == 12:
        return parts[4]
    return None


def is_account_root_principal(value: str) -> bool:
    """True for `123456789012` and `arn:<partition>:iam::123456789012:root`: the whole account."""
    if value.isdigit() and len(value) == 12:
        return True
    return principal_account(value) is not None and value.split(":", 5)[5] == "root"


def _is_public_value(principal_type: str, value: str) -> bool:
    if value == "*":
        return True
    if principal_type != "AWS" or not set(value) & {"*", "?"}:
        return False
    parts = value.split(":")
    return len(parts) < 6 or bool(set(parts[4]) & {"*", "?"})


def is_public_principal(statement: Statement) -> bool:
    """True when the statement's Principal is anyone: `"*"`, any principal type with `*`, or an
    AWS ARN whose account is wildcarded (invalid in IAM, but treated as public). An Allow with
    NotPrincipal also counts: it grants everyone except the listed principals."""
    if statement.is_allow and statement.not_principals is not None:
        return True
    for principal_type, values in (statement.principals or {}).items():
        if any(_is_public_value(principal_type, value) for value in values):
            return True
    return False


def foreign_account_principals(statement: Statement, own_accounts: frozenset[str]) -> list[str]:
    """AWS principals (as written) that belong to an account outside `own_accounts`.

    Public principals (`*`, wildcarded accounts) and service or federated principals are not
    listed; an empty `own_accounts` (account unknown) makes every account foreign.
    """
    found: list[str] = []
    for value in (statement.principals or {}).get("AWS", ()):
        account = principal_account(value)
        if account is not None and account not in own_accounts and value not in found:
            found.append(value)
    return found


# ------------------------------------------------------------------------------------------------
# GitHub Actions OIDC trust (section 0.8)


class SubjectClass(StrEnum):
    """How much of GitHub a trust statement's `sub` condition admits, broadest first."""

    ANY = "ANY"
    ABUSABLE_FIRST_CLAIM = "ABUSABLE_FIRST_CLAIM"
    ORG = "ORG"
    REPO_PREFIX = "REPO_PREFIX"
    REPO_ANY_REF = "REPO_ANY_REF"
    PINNED = "PINNED"
    BROKEN = "BROKEN"
    MISSING = "MISSING"


_BREADTH = {
    cls: rank
    for rank, cls in enumerate(
        [
            SubjectClass.ANY,
            SubjectClass.ABUSABLE_FIRST_CLAIM,
            SubjectClass.ORG,
            SubjectClass.REPO_PREFIX,
            SubjectClass.REPO_ANY_REF,
            SubjectClass.PINNED,
            SubjectClass.BROKEN,
        ]
    )
}
_GITHUB_PROVIDER = "oidc-provider/token.actions.githubusercontent.com"
# Both are applied with fullmatch to condition keys: literal text, one optional group of a
# single character class, then literal text; nothing can backtrack more than once per character.
_SUB_KEY = re.compile(r"token\.actions\.githubusercontent\.com(/[A-Za-z0-9_-]+)?:sub", re.I)
_AUD_KEY = re.compile(r"token\.actions\.githubusercontent\.com(/[A-Za-z0-9_-]+)?:aud", re.I)
_SUBJECT_OPERATORS = frozenset({"stringequals", "stringequalsignorecase", "stringlike"})
_ABUSABLE_CLAIMS = frozenset(
    {
        "workflow",
        "environment",
        "ref",
        "context",
        "head_ref",
        "base_ref",
        "job_workflow_ref",
        "event_name",
        "actor",
    }
)
_OWNER_CLAIMS = frozenset({"repository_owner", "repository_owner_id"})
_REPO_CLAIMS = frozenset({"repository", "repository_id"})


def is_github_statement(statement: Statement) -> bool:
    """Allow + a Federated principal for GitHub's OIDC issuer (or a GHE `/<slug>` issuer) + an
    action matching sts:AssumeRoleWithWebIdentity."""
    if not statement.is_allow or matched_action_pattern(statement, _WEB_IDENTITY) is None:
        return False
    federated = (statement.principals or {}).get("Federated", ())
    return any(_GITHUB_PROVIDER in value.lower() for value in federated)


def _wild(text: str) -> bool:
    return "*" in text or "?" in text


def _classify_repo(rest: str, like: bool) -> SubjectClass:
    """Classify what follows `repo:` in a subject: `<org>/<repo>:<context>`."""
    slash = -1
    for position, char in enumerate(rest):
        if like and char in "*?":
            return SubjectClass.ANY  # org wildcarded or unterminated: repo:my-org*
        if char == ":":
            return SubjectClass.BROKEN  # no `/` before the context: never a GitHub subject
        if char == "/":
            slash = position
            break
    if slash <= 0:
        return SubjectClass.BROKEN
    start = slash + 1
    end = start
    while end < len(rest) and rest[end] != ":":
        if like and rest[end] in "*?":
            return SubjectClass.ORG if end == start else SubjectClass.REPO_PREFIX
        end += 1
    context = rest[end + 1 :]
    if end == start or end >= len(rest) or not context:
        return SubjectClass.BROKEN  # empty repo, or no context after it
    if like and _wild(context):
        return SubjectClass.REPO_ANY_REF
    return SubjectClass.PINNED


def _classify_custom(value: str, like: bool) -> SubjectClass:
    """Custom subject templates led by owner/repository claims (`repository_owner_id:1:...`)."""
    tokens = value.split(":")
    owner: bool | None = None  # True literal, False wildcarded, None absent
    repo: bool | None = None
    wild_seen = False
    wild_after_repo = False
    for position in range(0, len(tokens), 2):
        name = tokens[position].lower()
        claim = tokens[position + 1] if position + 1 < len(tokens) else ""
        here = like and (_wild(tokens[position]) or _wild(claim))
        literal = not (wild_seen or here)
        if repo is not None and here:
            wild_after_repo = True
        if name in _OWNER_CLAIMS:
            owner = literal if owner is None else owner
        elif name == "repository":
            org, _, repo_name = claim.partition("/")
            org_literal = not (wild_seen or (like and _wild(org)))
            owner = org_literal if owner is None else owner
            repo = org_literal and bool(repo_name) and not (like and _wild(repo_name))
        elif name in _REPO_CLAIMS:
            repo = literal
        wild_seen = wild_seen or here
    if owner is False or (owner is None and repo is not True):
        return SubjectClass.ANY
    if repo is not True:
        return SubjectClass.ORG
    return SubjectClass.REPO_ANY_REF if wild_after_repo else SubjectClass.PINNED


def _classify_subject(value: str, like: bool) -> SubjectClass:
    """Class of one `sub` value; `like` is True for StringLike (wildcards live, `?` as `*`)."""
    if not like and _wild(value):
        return SubjectClass.BROKEN  # StringEquals: `*` is a literal character, matches nothing
    if not value:
        return SubjectClass.BROKEN
    if like and value[0] in "*?":
        return SubjectClass.ANY
    claim, sep, rest = value.partition(":")
    if like and _wild(claim):
        return SubjectClass.ANY
    if not sep:
        return SubjectClass.BROKEN  # a literal without any claim separator never matches
    name = claim.lower()
    if name in _ABUSABLE_CLAIMS:
        return SubjectClass.ABUSABLE_FIRST_CLAIM
    if name == "repo":
        return _classify_repo(rest, like)
    if name in _OWNER_CLAIMS or name in _REPO_CLAIMS:
        return _classify_custom(value, like)
    return SubjectClass.ANY  # an unknown leading claim: nothing ties it to one organisation


def _subject_conditions(statement: Statement) -> list[Condition]:
    return [
        condition
        for condition in statement.conditions
        if _SUB_KEY.fullmatch(condition.key)
        and condition.base_operator.lower() in _SUBJECT_OPERATORS
    ]


def github_subject_class(statement: Statement) -> SubjectClass | None:
    """Classify how much of GitHub may assume the role through this statement (section 0.8).

    None when the statement is not a GitHub OIDC statement; `MISSING` when no positive
    StringEquals/StringEqualsIgnoreCase/StringLike condition (with or without ForAnyValue:/
    ForAllValues:/IfExists, which `github_operator_misuse` reports) constrains a `...:sub` key.
    Values of one key are OR-ed, so the broadest value decides a block; blocks are AND-ed, so the
    narrowest block decides the statement. `BROKEN` means the condition can never match (a
    wildcard inside StringEquals, or a value no GitHub subject can take).
    """
    if not is_github_statement(statement):
        return None
    blocks = _subject_conditions(statement)
    if not blocks:
        return SubjectClass.MISSING
    narrowest = SubjectClass.ANY
    for condition in blocks:
        like = condition.base_operator.lower() == "stringlike"
        classes = [_classify_subject(value, like) for value in condition.values]
        block = min(classes, key=_BREADTH.__getitem__) if classes else SubjectClass.BROKEN
        narrowest = max(narrowest, block, key=_BREADTH.__getitem__)
    return narrowest


def github_operator_misuse(statement: Statement) -> tuple[Condition, ...]:
    """`...:sub` conditions whose operator is misused (IAM-033): an IfExists variant, a
    ForAnyValue:/ForAllValues: qualifier, a wildcard inside StringEquals*, or a negated operator
    when no positive operator constrains sub at all."""
    if not is_github_statement(statement):
        return ()
    subs = [c for c in statement.conditions if _SUB_KEY.fullmatch(c.key)]
    positive = _subject_conditions(statement)
    misused: list[Condition] = []
    for condition in subs:
        base = condition.base_operator.lower()
        if condition in positive:
            literal_wild = base != "stringlike" and any(_wild(v) for v in condition.values)
            if condition.if_exists or condition.qualifier or literal_wild:
                misused.append(condition)
        elif not positive:
            misused.append(condition)
    return tuple(misused)


def github_audience_pinned(
    statement: Statement, audiences: frozenset[str] = frozenset({"sts.amazonaws.com"})
) -> bool:
    """True when a plain positive condition pins the `...:aud` key to values in `audiences`
    (StringEquals/StringEqualsIgnoreCase, or StringLike without wildcards)."""
    for condition in statement.conditions:
        if not _AUD_KEY.fullmatch(condition.key) or condition.if_exists or condition.qualifier:
            continue
        base = condition.base_operator.lower()
        if base not in _SUBJECT_OPERATORS or not condition.values:
            continue
        if base == "stringlike" and any(_wild(v) for v in condition.values):
            continue
        if all(value in audiences for value in condition.values):
            return True
    return False


# ------------------------------------------------------------------------------------------------
# Privilege escalation (section 2)


@dataclass(frozen=True, slots=True)
class EscalationMethod:
    """A known privilege-escalation method: every action must be allowed.

    The first action is the primary one: it must be allowed on every resource of `target`
    without a limiting condition (an `iam:PassedToService` condition naming one of `passed_to`
    does not stop the method). The other actions only need to be allowed somewhere.
    `severity` is the reference grading: CRITICAL for single-action methods, HIGH for
    combinations, MEDIUM for lateral movement through instance roles.
    """

    name: str
    actions: tuple[str, ...]
    target: str
    passed_to: tuple[str, ...] = ()
    severity: str = ""

    @property
    def single_action(self) -> bool:
        return len(self.actions) == 1


# One method a line: name | target type of the primary action | actions, primary first |
# service principals an iam:PassedToService condition may name | severity (default: CRITICAL
# for one action, HIGH for a combination).
_METHOD_TABLE = """
CreateNewPolicyVersion          | policy | iam:CreatePolicyVersion
SetExistingDefaultPolicyVersion | policy | iam:SetDefaultPolicyVersion
CreateAccessKey                 | user   | iam:CreateAccessKey
CreateLoginProfile              | user   | iam:CreateLoginProfile
UpdateLoginProfile              | user   | iam:UpdateLoginProfile
AttachUserPolicy                | user   | iam:AttachUserPolicy
AttachGroupPolicy               | group  | iam:AttachGroupPolicy
AttachRolePolicy                | role   | iam:AttachRolePolicy
PutUserPolicy                   | user   | iam:PutUserPolicy
PutGroupPolicy                  | group  | iam:PutGroupPolicy
PutRolePolicy                   | role   | iam:PutRolePolicy
AddUserToGroup                  | group  | iam:AddUserToGroup
UpdateRolePolicyToAssumeIt      | role   | iam:UpdateAssumeRolePolicy sts:AssumeRole
CreateEC2WithExistingIP         | role   | iam:PassRole ec2:RunInstances | ec2.amazonaws.com
PassExistingRoleToNewLambdaThenInvoke | role | iam:PassRole lambda:CreateFunction \
    lambda:InvokeFunction | lambda.amazonaws.com
PassExistingRoleToNewLambdaThenTriggerWithNewDynamo | role | iam:PassRole \
    lambda:CreateFunction lambda:CreateEventSourceMapping dynamodb:CreateTable dynamodb:PutItem \
    | lambda.amazonaws.com
PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo | role | iam:PassRole \
    lambda:CreateFunction lambda:CreateEventSourceMapping | lambda.amazonaws.com
PassExistingRoleToNewGlueDevEndpoint | role | iam:PassRole glue:CreateDevEndpoint \
    | glue.amazonaws.com
UpdateExistingGlueDevEndpoint   | devendpoint | glue:UpdateDevEndpoint
PassExistingRoleToCloudFormation | role | iam:PassRole cloudformation:CreateStack \
    | cloudformation.amazonaws.com
PassExistingRoleToNewDataPipeline | role | iam:PassRole datapipeline:CreatePipeline \
    datapipeline:PutPipelineDefinition | datapipeline.amazonaws.com elasticmapreduce.amazonaws.com
EditExistingLambdaFunctionWithRole | function | lambda:UpdateFunctionCode
ExecuteCloudFormationChangeSet  | stack | cloudformation:CreateChangeSet \
    cloudformation:ExecuteChangeSet
ModifyEC2InstanceUserDataThenRestart | instance | ec2:ModifyInstanceAttribute \
    ec2:StopInstances ec2:StartInstances
ModifyExistingEC2LaunchTemplate | launch-template | ec2:CreateLaunchTemplateVersion \
    ec2:ModifyLaunchTemplate
EC2InstanceConnectSendSSHPublicKey | instance | ec2-instance-connect:SendSSHPublicKey \
    ec2:DescribeInstances
ECSExecuteCommandOnRunningTask  | task | ecs:ExecuteCommand ecs:DescribeTasks
UpdateAndInvokeLambdaFunction   | function | lambda:UpdateFunctionCode lambda:InvokeFunction
UpdateLambdaFunctionAndAddPermission | function | lambda:UpdateFunctionCode lambda:AddPermission
CreatePresignedSageMakerNotebookUrl | notebook-instance | \
    sagemaker:CreatePresignedNotebookInstanceUrl
UpdateSageMakerNotebookLifecycleConfig | notebook-instance | sagemaker:UpdateNotebookInstance \
    sagemaker:CreateNotebookInstanceLifecycleConfig sagemaker:StopNotebookInstance \
    sagemaker:StartNotebookInstance
PassExistingRoleToNewAppRunnerService | role | iam:PassRole apprunner:CreateService \
    | build.apprunner.amazonaws.com tasks.apprunner.amazonaws.com
PassExistingRoleToNewCloudFormationStackSet | role | iam:PassRole \
    cloudformation:CreateStackSet cloudformation:CreateStackInstances \
    | cloudformation.amazonaws.com
PassRoleToUpdateCloudFormationStackSet | role | iam:PassRole cloudformation:UpdateStackSet \
    | cloudformation.amazonaws.com
PassExistingRoleToNewCodeBuildProjectThenBuild | role | iam:PassRole codebuild:CreateProject \
    codebuild:StartBuild | codebuild.amazonaws.com
PassExistingRoleToNewCodeBuildProjectThenBuildBatch | role | iam:PassRole \
    codebuild:CreateProject codebuild:StartBuildBatch | codebuild.amazonaws.com
PassExistingRoleToNewEC2SpotInstance | role | iam:PassRole ec2:RequestSpotInstances \
    | ec2.amazonaws.com
PassExistingRoleToNewECSService | role | iam:PassRole ecs:RegisterTaskDefinition \
    ecs:CreateService | ecs-tasks.amazonaws.com ecs.amazonaws.com
PassExistingRoleToNewECSTaskViaRunTask | role | iam:PassRole ecs:RegisterTaskDefinition \
    ecs:RunTask | ecs-tasks.amazonaws.com ecs.amazonaws.com
PassExistingRoleToNewECSTaskViaStartTask | role | iam:PassRole ecs:RegisterTaskDefinition \
    ecs:StartTask | ecs-tasks.amazonaws.com ecs.amazonaws.com
PassExistingRoleToNewGlueJobThenRun | role | iam:PassRole glue:CreateJob glue:StartJobRun \
    | glue.amazonaws.com
PassExistingRoleToNewGlueJobViaTrigger | role | iam:PassRole glue:CreateJob glue:CreateTrigger \
    | glue.amazonaws.com
PassExistingRoleToUpdatedGlueJobThenRun | role | iam:PassRole glue:UpdateJob glue:StartJobRun \
    | glue.amazonaws.com
PassExistingRoleToUpdatedGlueJobViaTrigger | role | iam:PassRole glue:UpdateJob \
    glue:CreateTrigger | glue.amazonaws.com
PassExistingRoleToNewLambdaThenAddPermission | role | iam:PassRole lambda:CreateFunction \
    lambda:AddPermission | lambda.amazonaws.com
PassExistingRoleToNewSageMakerNotebookInstance | role | iam:PassRole \
    sagemaker:CreateNotebookInstance | sagemaker.amazonaws.com
PassExistingRoleToNewSageMakerTrainingJob | role | iam:PassRole sagemaker:CreateTrainingJob \
    | sagemaker.amazonaws.com
PassExistingRoleToNewSageMakerProcessingJob | role | iam:PassRole sagemaker:CreateProcessingJob \
    | sagemaker.amazonaws.com
CreateAndRotateAccessKey        | user   | iam:CreateAccessKey iam:DeleteAccessKey
CreatePolicyVersionThenAssumeRole | policy | iam:CreatePolicyVersion sts:AssumeRole
AttachRolePolicyThenUpdateAssumeRolePolicy | role | iam:AttachRolePolicy \
    iam:UpdateAssumeRolePolicy
CreatePolicyVersionThenUpdateAssumeRolePolicy | policy | iam:CreatePolicyVersion \
    iam:UpdateAssumeRolePolicy
PutRolePolicyThenUpdateAssumeRolePolicy | role | iam:PutRolePolicy iam:UpdateAssumeRolePolicy
SSMSendCommandOnAnyInstance     | instance | ssm:SendCommand | | MEDIUM
SSMStartSessionOnAnyInstance    | instance | ssm:StartSession | | MEDIUM
"""


def _parse_methods(table: str) -> tuple[EscalationMethod, ...]:
    methods = []
    for line in table.replace("\\\n", " ").strip().splitlines():
        name, target, actions, passed_to, severity = ([*line.split("|"), "", ""])[:5]
        names = tuple(actions.split())
        methods.append(
            EscalationMethod(
                name=name.strip(),
                actions=names,
                target=target.strip(),
                passed_to=tuple(passed_to.split()),
                severity=severity.strip() or ("CRITICAL" if len(names) == 1 else "HIGH"),
            )
        )
    return tuple(methods)


# Rhino Security Labs' methods, then the further paths catalogued by cloudsplaining 0.9.1
# (pathfinding.cloud), then commands run as an instance's role (lateral movement, graded lower).
ESCALATION_METHODS: tuple[EscalationMethod, ...] = _parse_methods(_METHOD_TABLE)


def _methods_by_service(
    methods: tuple[EscalationMethod, ...],
) -> dict[str | None, tuple[int, ...]]:
    """Positions of the methods by the service of their primary action (None: not indexed)."""
    found: dict[str | None, list[int]] = {}
    for position, method in enumerate(methods):
        found.setdefault(_indexed_service(method.actions[0]), []).append(position)
    return {service: tuple(positions) for service, positions in found.items()}


_METHODS_BY_SERVICE = _methods_by_service(ESCALATION_METHODS)


def _names_service(condition: Condition, services: tuple[str, ...]) -> bool:
    like = condition.base_operator.lower() in _WILDCARD_OPERATORS
    for value in condition.values:
        for service in services:
            if like and glob_matches(value, service, fold_case=True):
                return True
            if value.lower() == service:
                return True
    return False


def _primary_counts(grant: Grant, method: EscalationMethod) -> bool:
    return not [
        condition
        for condition in grant.limiting_conditions
        if not (
            condition.key == "iam:passedtoservice" and _names_service(condition, method.passed_to)
        )
    ]


def privilege_escalation_paths(policy: Policy) -> list[tuple[str, list[Grant]]]:
    """The escalation methods (`ESCALATION_METHODS`) this document enables on its own.

    A method is enabled when its primary action is allowed on every resource of the method's
    target type with no limiting condition (an iam:PassedToService condition naming the method's
    service does not count as limiting) and each further action is allowed on some resource.
    Matching is pattern-vs-name on the statements as written, so `iam:*`, `iam:Put*`,
    `IAM:PutRolePolicy` and NotAction grants all qualify without relying on expansion.
    Returns (method name, grants: the primary's first, then each further action's).
    """
    paths = policy.memo(privilege_escalation_paths, lambda: tuple(_escalation_paths(policy)))
    return [(name, list(grants)) for name, grants in paths]


def _escalation_paths(policy: Policy) -> Iterator[tuple[str, tuple[Grant, ...]]]:
    by_service, anywhere = _index(policy)
    if anywhere:
        methods: Iterable[EscalationMethod] = ESCALATION_METHODS
    else:
        # Only methods whose primary action a statement of the document names can be enabled.
        services = (*by_service, None)
        positions = {p for service in services for p in _METHODS_BY_SERVICE.get(service, ())}
        methods = [ESCALATION_METHODS[p] for p in sorted(positions)]
    for method in methods:
        primary, *others = method.actions
        grants = [g for g in _allowed(policy, primary, method.target) if _primary_counts(g, method)]
        if not grants:
            continue
        for action in others:
            extra = _allowed_anywhere(policy, action)
            if not extra:
                break
            grants.extend(extra)
        else:
            yield method.name, tuple(grants)
