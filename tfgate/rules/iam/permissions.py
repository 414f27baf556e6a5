"""Rules on what identity policies grant (TFG-IAM-010 to 023, 061, 062).

Each rule reads the identity policies of a resource (`documents.identity_documents`: standalone
and inline policies, IAM Identity Center inline policies, the `aws_iam_policy_document` data
sources they are built from; never SCP/RCP content, never a policy used only as a permissions
boundary) and asks the analysis library (`tfgate.iam.analysis`) one question. Every hit names the
document attribute, the statement (Sid or 1-based index) and the Action/Resource entries that made
it fire; its key is `<attribute>:<statement>[:<detail>]`, the same in `before` and `after`, so the
engine can tell introduced from existing.

Overlap between rules is deliberate and bounded. A statement granting every action on every
resource (`"*"`/`"*:*"` on `"*"`) is reported by TFG-IAM-010; the rules that list individual
dangerous actions (015, 016, 018, 019, 020, 022, 023) skip such a statement, since "every action"
already says it. PassRole (014), escalation (017) and service-linked roles (021) still report it:
each names a different fix, and the reference golden table expects them.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from tfgate.iam import actions
from tfgate.iam.analysis import (
    ESCALATION_METHODS,
    MULTI_VALUED_KEYS,
    NEVER_NARROWING_KEYS,
    Grant,
    allowed,
    allowed_anywhere,
    covers_every_action,
    is_all_actions_pattern,
    is_full_admin,
    is_star_resource,
    limiting_conditions,
    privilege_escalation_paths,
    service_wildcards,
    tag_conditions,
    tag_narrowed,
    unrestricted_grants,
)
from tfgate.iam.policy import Condition, Policy, Statement
from tfgate.iam.published import PublishedPolicy, published_match
from tfgate.iam.telemetry import APPEND_ONLY_TELEMETRY_NAMES
from tfgate.plan.model import Resource
from tfgate.plan.values import View
from tfgate.report import Severity
from tfgate.rules.base import Context, Hit, Rule
from tfgate.rules.iam.policies import LEAST_PRIVILEGE
from tfgate.rules.support.documents import (
    ALL_DOCUMENT_TYPES,
    IDENTITY_TYPES,
    UNKNOWN_PLACEHOLDER,
    Document,
    DocumentKind,
    all_documents,
    identity_documents,
    parsed,
)
from tfgate.rules.support.documents import statement_key as _key
from tfgate.rules.support.documents import statement_where as _where
from tfgate.wording import plural

LEAST_PRIVILEGE_NO_CIS: Mapping[str, tuple[str, ...]] = {
    key: value for key, value in LEAST_PRIVILEGE.items() if key != "CIS-AWS-3.0"
}
GUARDRAILS: Mapping[str, tuple[str, ...]] = {
    "AWS-WA-SEC": ("SEC03-BP05",),
    "HIPAA": ("164.312(b)",),
    "PCI-DSS-4.0": ("10.3.2",),
    "NRB": ("IT-2012-4-access-control",),
}

_EXAMPLES = 3

ACCEPT_PUBLISHED = "accept_published_policies"
ACCEPTS_PUBLISHED_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "properties": {ACCEPT_PUBLISHED: {"type": "boolean"}},
}
ACCEPTS_PUBLISHED_DEFAULTS: Mapping[str, Any] = {ACCEPT_PUBLISHED: True}

_SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO)


def _lower(severity: Severity) -> Severity:
    """One step less severe (never below INFO)."""
    position = _SEVERITY_ORDER.index(severity)
    return _SEVERITY_ORDER[min(position + 1, len(_SEVERITY_ORDER) - 1)]


def _worst(severities: Iterable[Severity]) -> Severity:
    return min(severities, key=lambda severity: severity.rank)


def _resource_text(grant: Grant) -> str:
    if grant.resource_pattern == "NotResource":
        return "every resource but its NotResource list"
    return f'"{grant.resource_pattern}"' if grant.resource_pattern else "its resource"


def _action_text(grant: Grant) -> str:
    if grant.action_pattern == "NotAction":
        return "NotAction"
    return f'Action "{grant.action_pattern}"'


@lru_cache(maxsize=16384)
def _names_every_action(patterns: tuple[str, ...]) -> bool:
    return any(is_all_actions_pattern(pattern) for pattern in patterns)


def grants_everything(statement: Statement) -> bool:
    """An Allow whose Action is `*`/`*:*` on `*`-like resources: TFG-IAM-010's literal case."""
    if not statement.is_allow or statement.actions is None:
        return False
    if not _names_every_action(statement.actions):
        return False
    if statement.not_resources is not None:
        return True
    return any(
        is_star_resource(pattern, None, statement.variables)
        for pattern in statement.resources or ()
        if pattern
    )


def _display(name: str) -> str:
    info = actions.action_info(name)
    return info.display if info else name


# Services whose actions make the most telling examples, in the order they are preferred.
_EXAMPLE_SERVICES = ("iam", "sts", "s3", "ec2", "lambda", "kms", "secretsmanager", "dynamodb")


@lru_cache(maxsize=4096)
def _examples(names: frozenset[str]) -> tuple[str, ...]:
    """A few actions of a set, stable and readable (cached: the sets are the catalogue's).

    Actions of well-known services come first, so `NotAction` grants show `iam:...` rather
    than the alphabetically first service of AWS."""
    chosen: list[str] = []
    if len(names) > _EXAMPLES:
        for service in _EXAMPLE_SERVICES:
            prefix = service + ":"
            chosen.extend(
                heapq.nsmallest(_EXAMPLES - len(chosen), (n for n in names if n.startswith(prefix)))
            )
            if len(chosen) >= _EXAMPLES:
                break
    if len(chosen) < _EXAMPLES:
        rest = (name for name in names if name not in chosen)
        chosen.extend(heapq.nsmallest(_EXAMPLES - len(chosen), rest))
    return tuple(_display(name) for name in chosen)


def _identity_policies(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[tuple[Document, Policy]]:
    return _judged(parsed(identity_documents(resource, view, ctx)), params)


def _judged(
    found: Iterable[tuple[Document, Policy]], params: Mapping[str, Any]
) -> Iterator[tuple[Document, Policy]]:
    """The documents a rule judges statement by statement: with `accept_published_policies`,
    an identity policy that grants no more than one published vendor policy is left to
    TFG-IAM-027, which reports it once."""
    accept = params.get(ACCEPT_PUBLISHED) is True
    for document, policy in found:
        if accept and _published(document, policy) is not None:
            continue
        yield document, policy


def _published(document: Document, policy: Policy) -> PublishedPolicy | None:
    if document.kind is not DocumentKind.IDENTITY or document.computed:
        return None
    return published_match(policy)


def _by_statement(grants: Iterable[Grant]) -> dict[int, list[Grant]]:
    found: dict[int, list[Grant]] = {}
    for grant in grants:
        found.setdefault(grant.statement.index, []).append(grant)
    return found


def _listing(names: list[str], limit: int = 4) -> str:
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"


# ------------------------------------------------------------------------------------------------
# TFG-IAM-010 full administrator


@lru_cache(maxsize=1)
def _iam_permissions_management() -> frozenset[str]:
    return frozenset(
        name
        for name in actions.expand("iam:*")
        if "Permissions management" in actions.access_levels(name)
    )


def _admin_severity(grant: Grant) -> Severity:
    severity = Severity.CRITICAL
    if grant.action_pattern == "NotAction":
        pool = _iam_permissions_management()
        excluded = {
            name
            for name in pool
            if any(
                actions.pattern_matches(pattern, name)
                for pattern in grant.statement.not_actions or ()
            )
        }
        if pool and len(excluded) >= len(pool) / 2:
            severity = Severity.HIGH
    if grant.limiting_conditions:
        severity = _lower(severity)
    return severity


def check_full_admin(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags statements that grant every action on every resource.

    ## What it does
    Reports each Allow statement of an identity policy whose actions are all of AWS (`"*"`,
    `"*:*"`, or `NotAction`) on every resource (`"*"`, `arn:*`, or `NotResource`). A NotAction
    statement is critical when it leaves most of IAM's permissions-management actions granted,
    high when it excludes IAM (the PowerUserAccess shape). A statement with a condition that
    really narrows it (for example on `aws:PrincipalTag`) is one step less severe; conditions
    that never narrow a grant (`aws:SecureTransport`, `aws:MultiFactorAuthPresent`, ...) change
    nothing. Service control policies and policies used only as permissions boundaries are
    ceilings, not grants, and are never judged.

    ## Why it matters
    An administrator policy removes every other control: whoever holds it can read all data,
    switch off logging and grant themselves anything else.

    ## Example
    ```hcl
    resource "aws_iam_policy" "fail_admin" {
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
      })
    }
    ```

    ## Fix
    Grant the actions the workload uses, on the resources it uses; keep administrator access in
    a break-glass role assumed through IAM Identity Center with MFA.

    ## Parameters
    None.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 1.16
    - AWS Well-Architected, SEC03-BP02 (grant least privilege access)
    """
    for document, policy in _identity_policies(resource, view, ctx, params):
        for grant in is_full_admin(policy):
            statement = grant.statement
            what = (
                "every action except its NotAction list"
                if grant.action_pattern == "NotAction"
                else f'every action (Action "{grant.action_pattern}")'
            )
            yield Hit(
                f"{_where(document, statement)} allows {what} on {_resource_text(grant)}",
                key=_key(document, statement),
                severity=_admin_severity(grant),
            )


FULL_ADMIN = Rule(
    id="TFG-IAM-010",
    name="full-admin-policy",
    title="Policy grants full administrator access",
    severity=Severity.CRITICAL,
    resource_types=IDENTITY_TYPES,
    controls=LEAST_PRIVILEGE,
    check=check_full_admin,
)

# ------------------------------------------------------------------------------------------------
# TFG-IAM-011 service-wide wildcard

HIGH_SERVICES = frozenset({"iam", "organizations", "sts", "sso", "account"})
SENSITIVE_SERVICES = HIGH_SERVICES | {
    "kms",
    "secretsmanager",
    "ssm",
    "lambda",
    "s3",
    "ec2",
    "cloudtrail",
    "identitystore",
    "ram",
}


def check_service_wildcard(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags `service:*` grants on sensitive services.

    ## What it does
    Reports Allow statements whose Action pattern covers all (90% or more) of one sensitive
    service's actions (`iam:*`, `kms:*`, `s3:*`, `iam:*Policy*` if broad enough) on every
    resource, or every resource of that service (`arn:aws:s3:::*`). Sensitive services: iam,
    organizations, sts, sso, account (high), kms, secretsmanager, ssm, lambda, s3, ec2,
    cloudtrail, identitystore, ram (medium). A literal `service:*` limited to named resources
    (`s3:*` on one bucket) is reported at low severity. `iam:Get*`/`iam:List*` are not service
    wildcards. Patterns granting every action of AWS are TFG-IAM-010's.

    ## Why it matters
    A service wildcard grants the service's future actions too, and on identity and key
    services it includes the actions that change who can do what.

    ## Example
    ```hcl
    resource "aws_iam_role_policy" "fail_iam_all" {
      role = "deployer"
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "iam:*", Resource = "*" }]
      })
    }
    ```

    ## Fix
    List the service's actions the workload calls (Access Analyzer can generate them from
    CloudTrail), and scope them to its resources.

    ## Parameters
    - `accept_published_policies` (boolean, default true): an identity policy that grants no
      more than one published vendor policy (`tfgate explain TFG-IAM-027`) is reported once by
      TFG-IAM-027 instead of statement by statement here.

    ## References
    - AWS Well-Architected, SEC03-BP02
    - IAM Access Analyzer policy generation
    """
    for document, policy in _identity_policies(resource, view, ctx, params):
        reported: set[tuple[int, str]] = set()
        for service, grant in service_wildcards(policy):
            if service not in SENSITIVE_SERVICES:
                continue
            statement = grant.statement
            reported.add((statement.index, service))
            severity = Severity.HIGH if service in HIGH_SERVICES else Severity.MEDIUM
            yield Hit(
                f"{_where(document, statement)} allows all of {service} "
                f'(Action "{grant.action_pattern}") on {_resource_text(grant)}',
                key=_key(document, statement, service),
                severity=severity,
            )
        for statement, service, pattern in _literal_service_wildcards(policy):
            if (statement.index, service) in reported:
                continue
            reported.add((statement.index, service))
            yield Hit(
                f"{_where(document, statement)} allows all of {service} "
                f'(Action "{pattern}") on the resources it names',
                key=_key(document, statement, service),
                severity=Severity.LOW,
            )


def _literal_service_wildcards(policy: Policy) -> tuple[tuple[Statement, str, str], ...]:
    """(statement, service, pattern) for each pattern naming every action of a sensitive service
    (`iam:*`, `iam:?*`), the service written literally."""

    def find() -> tuple[tuple[Statement, str, str], ...]:
        found = []
        for statement in policy.allows:
            for pattern in statement.actions or ():
                service = pattern.lower().partition(":")[0]
                if service in SENSITIVE_SERVICES and covers_every_action(pattern, service):
                    found.append((statement, service, pattern))
        return tuple(found)

    return policy.memo(_literal_service_wildcards, find)


SERVICE_WILDCARD = Rule(
    id="TFG-IAM-011",
    name="service-wildcard-action",
    title="Service-wide wildcard on a sensitive service",
    severity=Severity.HIGH,
    resource_types=IDENTITY_TYPES,
    controls=LEAST_PRIVILEGE,
    check=check_service_wildcard,
    params_schema=ACCEPTS_PUBLISHED_SCHEMA,
    defaults=ACCEPTS_PUBLISHED_DEFAULTS,
)

# ------------------------------------------------------------------------------------------------
# TFG-IAM-012 / 013 NotAction, NotResource


def _star_statement(statement: Statement) -> bool:
    if statement.not_resources is not None:
        return True
    return any(
        is_star_resource(pattern, None, statement.variables)
        for pattern in statement.resources or ()
        if pattern
    )


def check_allow_not_action(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags Allow statements written with `NotAction`.

    ## What it does
    Reports each Allow statement of an identity policy that uses `NotAction`: high when it
    applies to every resource without a condition that narrows it, medium otherwise. Deny with
    `NotAction` is the normal guardrail pattern and is not reported.

    ## Why it matters
    `Allow` + `NotAction` grants every action of every service except the listed ones,
    including actions AWS launches later. It is almost always broader than its author meant.

    ## Example
    ```hcl
    resource "aws_iam_policy" "fail_not_action" {
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", NotAction = "s3:*", Resource = "*" }]
      })
    }
    ```

    ## Fix
    Replace `NotAction` with the list of actions to allow; keep exclusions as a separate Deny
    statement if they must stay.

    ## Parameters
    None.

    ## References
    - IAM JSON policy elements: NotAction
    - IAM Access Analyzer, "Pass role with star in resource and NotAction"
    """
    for document, policy in _identity_policies(resource, view, ctx, params):
        for statement in policy.statements:
            if not statement.is_allow or statement.not_actions is None:
                continue
            broad = _star_statement(statement) and not limiting_conditions(statement)
            excluded = _listing([f'"{p}"' for p in statement.not_actions], 3)
            yield Hit(
                f"{_where(document, statement)} allows every action except {excluded or 'none'}"
                + (" on every resource" if broad else ""),
                key=_key(document, statement),
                severity=Severity.HIGH if broad else Severity.MEDIUM,
            )


ALLOW_NOT_ACTION = Rule(
    id="TFG-IAM-012",
    name="allow-not-action",
    title="Allow statement uses NotAction",
    severity=Severity.HIGH,
    resource_types=IDENTITY_TYPES,
    controls=LEAST_PRIVILEGE_NO_CIS,
    check=check_allow_not_action,
)

_CHANGING_LEVELS = frozenset({"Write", "Permissions management", "Tagging"})


def _changes_something(statement: Statement) -> str | None:
    """An action (display name, or the pattern) of the statement that is not read-only."""
    if statement.actions is None:
        return "NotAction"
    for pattern in statement.actions:
        if is_all_actions_pattern(pattern):
            return pattern
        for name in sorted(actions.expand(pattern)):
            if actions.access_levels(name) & _CHANGING_LEVELS:
                return _display(name)
    return None


def check_allow_not_resource(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags Allow statements written with `NotResource`.

    ## What it does
    Reports each Allow statement of an identity policy that uses `NotResource`: high when it
    allows any write, permissions-management or tagging action, medium when every action it
    allows is read-only.

    ## Why it matters
    `Allow` + `NotResource` grants the actions on every resource except the listed ones, in
    every account the principal can reach, including resources created later.

    ## Example
    ```hcl
    resource "aws_iam_policy" "fail_keys" {
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{
          Effect      = "Allow"
          Action      = "iam:CreateAccessKey"
          NotResource = "arn:aws:iam::111122223333:user/admin"
        }]
      })
    }
    ```

    ## Fix
    List the resources the statement applies to in `Resource`.

    ## Parameters
    None.

    ## References
    - IAM JSON policy elements: NotResource
    - parliament NOTRESOURCE_WITH_ALLOW
    """
    for document, policy in _identity_policies(resource, view, ctx, params):
        for statement in policy.statements:
            if not statement.is_allow or statement.not_resources is None:
                continue
            changing = _changes_something(statement)
            what = f"including {changing}" if changing else "read-only actions"
            yield Hit(
                f"{_where(document, statement)} allows its actions ({what}) on every resource "
                "except its NotResource list",
                key=_key(document, statement),
                severity=Severity.HIGH if changing else Severity.MEDIUM,
            )


ALLOW_NOT_RESOURCE = Rule(
    id="TFG-IAM-013",
    name="allow-not-resource",
    title="Allow statement uses NotResource",
    severity=Severity.HIGH,
    resource_types=IDENTITY_TYPES,
    controls=LEAST_PRIVILEGE_NO_CIS,
    check=check_allow_not_resource,
)

# ------------------------------------------------------------------------------------------------
# TFG-IAM-015 / 016 unrestricted write and permissions management


def _without_everything(policy: Policy) -> Policy:
    """The policy without the statements TFG-IAM-010 reports; leaving them out also spares
    loading the whole action catalogue for an `Action: "*"` document. Derived once per policy,
    so the derived policy's own analysis results are shared too."""

    def derive() -> Policy:
        kept = tuple(st for st in policy.statements if not grants_everything(st))
        if len(kept) == len(policy.statements):
            return policy
        return dataclasses.replace(policy, statements=kept)

    return policy.memo(_without_everything, derive)


# What TFG-IAM-015 leaves to others: PassRole on every role is TFG-IAM-014's problem, and
# append-only telemetry writes are a low-risk class of their own (`tfgate.iam.telemetry`).
_NOT_UNRESTRICTED_WRITE = APPEND_ONLY_TELEMETRY_NAMES | {"iam:passrole"}


def _unrestricted(
    resource: Resource,
    view: View,
    ctx: Context,
    params: Mapping[str, Any],
    level: str,
    noun: str,
    left_out: frozenset[str] = frozenset(),
) -> Iterator[Hit]:
    for document, policy in _identity_policies(resource, view, ctx, params):
        by_statement: dict[int, list[tuple[Grant, frozenset[str]]]] = {}
        for grant, granted in unrestricted_grants(_without_everything(policy), level):
            names = granted - left_out if left_out & granted else granted
            if not names:
                continue
            by_statement.setdefault(grant.statement.index, []).append((grant, names))
        if not by_statement:
            continue
        narrowed = _narrowed_note(
            statement
            for statement, names in tag_narrowed(_without_everything(policy), level)
            if names - left_out
        )
        hits: list[Hit] = []
        for entries in by_statement.values():
            statement = entries[0][0].statement
            total = len(frozenset().union(*(names for _, names in entries)))
            shown: list[str] = []
            for grant, names in entries:
                examples = ", ".join(_examples(names)[:2])
                shown.append(f"{examples} ({_action_text(grant)} on {_resource_text(grant)})")
            more = f"; {total} such actions in all" if total > 2 else ""
            hits.append(
                Hit(
                    f"{_where(document, statement)} allows {noun} that can be scoped to "
                    f"resources on every resource: {_listing(shown, 3)}{more}",
                    key=_key(document, statement),
                )
            )
        yield from _with_note(hits, narrowed)


def _with_note(hits: list[Hit], note: str) -> list[Hit]:
    """`note` added to the hit the report lists last (parts are ordered by key), so it closes
    the finding rather than sitting inside one statement's part."""
    if not hits or not note:
        return hits
    last = max(range(len(hits)), key=lambda position: hits[position].key)
    hits[last] = dataclasses.replace(hits[last], message=hits[last].message + note)
    return hits


def _narrowed_note(statements: Iterable[Statement]) -> str:
    """What a finding adds about the statements of the same document it took as narrowed by a
    tag condition, so a reviewer sees why they are not counted."""
    found = list(statements)
    if not found:
        return ""
    labels = _listing([statement.label for statement in found])
    keys = _listing(sorted({c.key for st in found for c in tag_conditions(st)}), 2)
    verb = "is" if len(found) == 1 else "are"
    return f"; {labels} {verb} taken as narrowed to tagged resources by a condition on {keys}"


def check_unrestricted_write(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags write actions allowed on `Resource: "*"` when they could be scoped.

    ## What it does
    Expands each Allow statement's actions against the IAM action catalogue and reports the
    statement when it allows, on every resource (`"*"`, `NotResource`, or every resource of the
    service such as `arn:aws:s3:::*`) and without a condition that narrows it, an action whose
    access level is Write and that supports resource-level permissions. Read and list actions,
    and actions that only accept `"*"` (`kms:CreateKey`, `ec2:DescribeInstances`,
    `sts:GetCallerIdentity`), never make it fire. An unconditional Deny in the same policy that
    covers the action is subtracted. A statement granting every action is TFG-IAM-010's.

    Two kinds of write are left to others. `iam:PassRole` on every role is TFG-IAM-014's
    finding, not reported again here. Actions that only append telemetry
    (`logs:CreateLogGroup`, `logs:CreateLogStream`, `logs:PutLogEvents`,
    `cloudwatch:PutMetricData`, `xray:PutTraceSegments`, `xray:PutTelemetryRecords`) are a
    low-risk class that never makes this rule fire: they add log events, metrics and traces
    but cannot read, change or delete what is there, and AWS grants them on `"*"` in its own
    managed policies (AWSLambdaBasicExecutionRole, CloudWatchAgentServerPolicy,
    AWSXRayDaemonWriteAccess) and in the VPC flow-log role it documents. The table and its
    sources are `tfgate.iam.telemetry`. Any other action of those services (`logs:*`,
    `logs:DeleteLogGroup`) still counts.

    A condition that restricts the statement to tagged resources narrows it, and such a
    statement is not reported: `StringEquals` or `StringLike` on `aws:ResourceTag/<key>`,
    `<service>:ResourceTag/<key>` (`ec2:ResourceTag/...`) or `aws:RequestTag/<key>`, with any
    value (`"true"` and `"*"` alike, since only tagged resources or requests that set the tag
    pass either way), and `Null: {"aws:ResourceTag/<key>": "false"}` (the tag must be present).
    This is how AWS scopes the AWS Load Balancer Controller and EBS CSI driver policies. An
    `IfExists` form or a `Null` true does not narrow (an untagged resource passes).

    ## Why it matters
    `Resource: "*"` on a write action lets the principal change every resource of that kind in
    the account (every function, every instance, every queue), not only the ones the workload
    owns, so one compromised workload can damage all the others.

    ## Example
    ```hcl
    resource "aws_iam_role_policy" "fail_run" {
      role = "deployer"
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "ec2:RunInstances", Resource = "*" }]
      })
    }
    ```

    ## Fix
    Name the resources in `Resource` (ARNs or ARN patterns with the workload's prefix), or add a
    condition on resource tags (`aws:ResourceTag/...`).

    ## Parameters
    - `accept_published_policies` (boolean, default true): an identity policy that grants no
      more than one published vendor policy (`tfgate explain TFG-IAM-027`) is reported once by
      TFG-IAM-027 instead of statement by statement here.

    ## References
    - AWS Service Authorization Reference (resource types per action)
    - AWS Well-Architected, SEC03-BP02; PCI DSS v4.0, 7.2.1
    """
    yield from _unrestricted(
        resource, view, ctx, params, "Write", "write actions", _NOT_UNRESTRICTED_WRITE
    )


UNRESTRICTED_WRITE = Rule(
    id="TFG-IAM-015",
    name="write-on-any-resource",
    title='Write actions allowed on Resource "*"',
    severity=Severity.MEDIUM,
    resource_types=IDENTITY_TYPES,
    controls=LEAST_PRIVILEGE_NO_CIS,
    check=check_unrestricted_write,
    params_schema=ACCEPTS_PUBLISHED_SCHEMA,
    defaults=ACCEPTS_PUBLISHED_DEFAULTS,
)


def check_unrestricted_permissions_management(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags permissions-management actions allowed on every resource.

    ## What it does
    As TFG-IAM-015, for actions whose AWS access level is Permissions management:
    `s3:PutBucketPolicy`, `kms:PutKeyPolicy`, `iam:PutRolePolicy`, `lambda:AddPermission`,
    `ram:CreateResourceShare`, `ecr:SetRepositoryPolicy` and the like, allowed on every resource
    without a narrowing condition. Access levels come from AWS's own classification (not
    policy-sentry's, which files every IAM write under permissions management).

    A tag condition narrows the statement as it does for TFG-IAM-015 (`aws:ResourceTag/...`,
    `ec2:ResourceTag/...`, `aws:RequestTag/...` with any value, `Null` false on a tag key), and
    a statement so narrowed is not reported.

    ## Why it matters
    These actions change who may access a resource. On `"*"` they let the principal open any
    bucket, key or function to another account or to the public, or grant itself more.

    ## Example
    ```hcl
    resource "aws_iam_policy" "fail_bucket_policies" {
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "s3:PutBucketPolicy", Resource = "*" }]
      })
    }
    ```

    ## Fix
    Scope the action to the resources the workload manages, and add a permissions boundary to
    principals that manage IAM.

    ## Parameters
    - `accept_published_policies` (boolean, default true): an identity policy that grants no
      more than one published vendor policy (`tfgate explain TFG-IAM-027`) is reported once by
      TFG-IAM-027 instead of statement by statement here.

    ## References
    - AWS Service Authorization Reference, access level "Permissions management"
    - cloudsplaining ResourceExposure
    """
    yield from _unrestricted(
        resource, view, ctx, params, "Permissions management", "permissions-management actions"
    )


UNRESTRICTED_PERMISSIONS = Rule(
    id="TFG-IAM-016",
    name="permissions-management-on-any-resource",
    title="Permissions-management actions allowed on every resource",
    severity=Severity.HIGH,
    resource_types=IDENTITY_TYPES,
    controls=LEAST_PRIVILEGE_NO_CIS,
    check=check_unrestricted_permissions_management,
    params_schema=ACCEPTS_PUBLISHED_SCHEMA,
    defaults=ACCEPTS_PUBLISHED_DEFAULTS,
)

# ------------------------------------------------------------------------------------------------
# TFG-IAM-017 privilege escalation

_METHODS = {method.name: method for method in ESCALATION_METHODS}


def check_privilege_escalation(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags policies that let their holder gain more privileges.

    ## What it does
    Looks for the known privilege-escalation methods (Rhino Security Labs' list plus the paths
    catalogued by pathfinding.cloud: `iam:CreatePolicyVersion`, `iam:PutRolePolicy`,
    `iam:CreateAccessKey` on any user, `iam:PassRole` with `lambda:CreateFunction` and
    `lambda:InvokeFunction`, `lambda:UpdateFunctionCode`, `ssm:SendCommand`, ...) in each
    identity policy. A method is enabled when its first action is allowed on every resource of
    its target type (`"*"`, `arn:aws:iam::*:user/*`, NotResource) without a narrowing condition
    (an `iam:PassedToService` condition naming the method's own service does not stop it) and
    its other actions are allowed somewhere in the same policy. Actions match as patterns, so
    `iam:*`, `IAM:Put*` and `Allow` + `NotAction` count. Single-action methods are critical,
    combinations high, commands run as an instance's role medium. One finding per statement and
    severity lists the methods.

    ## Why it matters
    Each method turns a limited permission into administrator access: writing a new version of
    an attached policy, minting keys for an administrator user, or running code as a more
    privileged role.

    ## Example
    ```hcl
    resource "aws_iam_policy" "fail_put_role_policy" {
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "iam:PutRolePolicy", Resource = "*" }]
      })
    }
    ```

    ## Fix
    Scope the IAM actions to the principals the workload manages (a path such as
    `arn:aws:iam::123456789012:role/app/*`), require a permissions boundary with an
    `iam:PermissionsBoundary` condition, and pass only named roles.

    ## Parameters
    - `accept_published_policies` (boolean, default true): an identity policy that grants no
      more than one published vendor policy (`tfgate explain TFG-IAM-027`) is reported once by
      TFG-IAM-027 instead of statement by statement here.

    ## References
    - Rhino Security Labs, "AWS IAM Privilege Escalation - Methods and Mitigation"
    - pathfinding.cloud; cloudsplaining PrivilegeEscalation
    """
    for document, policy in _identity_policies(resource, view, ctx, params):
        groups: dict[tuple[int, Severity], list[tuple[str, list[Grant]]]] = {}
        for name, grants in privilege_escalation_paths(policy):
            severity = Severity(_METHODS[name].severity.lower())
            groups.setdefault((grants[0].statement.index, severity), []).append((name, grants))
        for (_, severity), paths in sorted(
            groups.items(), key=lambda item: (item[0][0], item[0][1].rank)
        ):
            primary = paths[0][1][0]
            statement = primary.statement
            described = []
            for name, grants in paths:
                others = {
                    grant.statement.label for grant in grants[1:] if grant.statement != statement
                }
                extra = f" (with {', '.join(sorted(others))})" if others else ""
                described.append(f"{name}{extra}")
            yield Hit(
                f"{_where(document, statement)} enables privilege escalation through "
                f"{_action_text(primary)} on {_resource_text(primary)}: "
                f"{_listing(described)}",
                key=_key(document, statement, severity.value),
                severity=severity,
            )


PRIVILEGE_ESCALATION = Rule(
    id="TFG-IAM-017",
    name="privilege-escalation",
    title="Policy enables privilege escalation",
    severity=Severity.CRITICAL,
    resource_types=IDENTITY_TYPES,
    controls=LEAST_PRIVILEGE,
    check=check_privilege_escalation,
    params_schema=ACCEPTS_PUBLISHED_SCHEMA,
    defaults=ACCEPTS_PUBLISHED_DEFAULTS,
)

# ------------------------------------------------------------------------------------------------
# Named action lists: credentials (018), exfiltration (019), boundaries (020), service-linked
# roles (021), assume role (022), guardrail tampering (023)


def _named_actions(
    policy: Policy, wanted: Iterable[tuple[str, str | None, Severity]], *, anywhere: bool = False
) -> dict[int, list[tuple[Grant, str, Severity]]]:
    """Per statement index: (grant, action, severity) for each wanted action allowed on every
    resource of its type (or anywhere), skipping statements TFG-IAM-010 reports."""
    found: dict[int, list[tuple[Grant, str, Severity]]] = {}
    for action, resource_type, severity in wanted:
        grants = (
            allowed_anywhere(policy, action) if anywhere else allowed(policy, action, resource_type)
        )
        for grant in grants:
            if grants_everything(grant.statement):
                continue
            found.setdefault(grant.statement.index, []).append((grant, action, severity))
    return found


def _named_hits(
    document: Document,
    found: Mapping[int, list[tuple[Grant, str, Severity]]],
    noun: str,
) -> Iterator[Hit]:
    for entries in found.values():
        grant = entries[0][0]
        statement = grant.statement
        severity = _worst(severity for _, _, severity in entries)
        names = [action for _, action, _ in entries]
        patterns = list(dict.fromkeys(g.action_pattern for g, _, _ in entries))
        through = (
            "NotAction"
            if patterns == ["NotAction"]
            else "Action " + ", ".join(f'"{pattern}"' for pattern in patterns[:3])
        )
        yield Hit(
            f"{_where(document, statement)} allows {noun + ' ' if noun else ''}"
            f"{_listing(names)} "
            f"({through} on {_resource_text(grant)})",
            key=_key(document, statement, severity.value),
            severity=severity,
        )


def _service_scope(action: str) -> str:
    return f"{action.partition(':')[0].lower()}:*"


CREDENTIAL_ACTIONS: tuple[tuple[str, str | None, Severity], ...] = (
    ("iam:CreateAccessKey", "user", Severity.HIGH),
    ("iam:UpdateAccessKey", "user", Severity.HIGH),
    ("iam:CreateLoginProfile", "user", Severity.HIGH),
    ("iam:UpdateLoginProfile", "user", Severity.HIGH),
    ("iam:CreateServiceSpecificCredential", "user", Severity.HIGH),
    ("iam:ResetServiceSpecificCredential", "user", Severity.HIGH),
    ("sts:GetFederationToken", "sts:*", Severity.MEDIUM),
    ("ec2:GetPasswordData", "ec2:*", Severity.MEDIUM),
    ("redshift:GetClusterCredentials", "redshift:*", Severity.MEDIUM),
    ("rds-db:connect", "rds-db:*", Severity.MEDIUM),
    ("ecr:GetAuthorizationToken", None, Severity.INFO),
)


def check_credential_actions(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags actions that return credentials, allowed on every resource.

    ## What it does
    Reports Allow statements that grant, on every resource of the action's type, an action
    that returns or creates credentials: `iam:CreateAccessKey`, `iam:UpdateAccessKey`,
    `iam:CreateLoginProfile`, `iam:UpdateLoginProfile`, `iam:Create/ResetServiceSpecific
    Credential` (high), `sts:GetFederationToken`, `ec2:GetPasswordData`,
    `redshift:GetClusterCredentials`, `rds-db:connect` (medium), and `ecr:GetAuthorizationToken`
    (informational: it only accepts `"*"`). Wildcards (`iam:Create?ccessKey`) and NotResource
    count. A statement granting every action is TFG-IAM-010's.

    ## Why it matters
    Credentials minted for another identity carry that identity's permissions out of the
    account, beyond the reach of session policies and revocation.

    ## Example
    ```hcl
    resource "aws_iam_policy" "fail_keys" {
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "iam:CreateAccessKey", Resource = "*" }]
      })
    }
    ```

    ## Fix
    Scope credential actions to the caller itself
    (`arn:aws:iam::123456789012:user/${aws:username}`) or to named resources.

    ## Parameters
    - `accept_published_policies` (boolean, default true): an identity policy that grants no
      more than one published vendor policy (`tfgate explain TFG-IAM-027`) is reported once by
      TFG-IAM-027 instead of statement by statement here.

    ## References
    - cloudsplaining CredentialsExposure
    - AWS Well-Architected, SEC02-BP02
    """
    for document, policy in _identity_policies(resource, view, ctx, params):
        yield from _named_hits(
            document, _named_actions(policy, CREDENTIAL_ACTIONS), "credential-returning actions"
        )


CREDENTIAL_EXPOSURE = Rule(
    id="TFG-IAM-018",
    name="credential-actions-on-any-resource",
    title="Credential-returning actions allowed on every resource",
    severity=Severity.HIGH,
    resource_types=IDENTITY_TYPES,
    controls={
        "AWS-WA-SEC": ("SEC02-BP02", "SEC03-BP02"),
        "HIPAA": ("164.312(a)(1)",),
        "PCI-DSS-4.0": ("7.2.1", "8.6.3"),
        "NRB": ("IT-2012-4-access-control",),
    },
    check=check_credential_actions,
    params_schema=ACCEPTS_PUBLISHED_SCHEMA,
    defaults=ACCEPTS_PUBLISHED_DEFAULTS,
)

EXFILTRATION_ACTIONS: tuple[tuple[str, str | None, Severity], ...] = tuple(
    (action, _service_scope(action), Severity.MEDIUM)
    for action in (
        "s3:GetObject",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:GetParametersByPath",
        "secretsmanager:GetSecretValue",
        "rds:CopyDBSnapshot",
        "rds:CreateDBSnapshot",
        "kms:Decrypt",
    )
)


def check_exfiltration_actions(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags data-reading actions allowed on every resource.

    ## What it does
    Reports Allow statements that grant, on every resource (`"*"`, NotResource, or every
    resource of the service such as `arn:aws:s3:::*`), one of `s3:GetObject`,
    `ssm:GetParameter(s)`, `ssm:GetParametersByPath`, `secretsmanager:GetSecretValue`,
    `rds:CopyDBSnapshot`, `rds:CreateDBSnapshot` or `kms:Decrypt`. `s3:GetObject` on one
    bucket's objects (`arn:aws:s3:::reports/*`) passes. A statement granting every action is
    TFG-IAM-010's.

    A tag condition narrows the statement as it does for TFG-IAM-015 (`aws:ResourceTag/...`,
    `ec2:ResourceTag/...`, `aws:RequestTag/...` with any value, `Null` false on a tag key), and
    a statement so narrowed is not reported.

    ## Why it matters
    These actions read the account's data and secrets wholesale: every object of every bucket,
    every secret, every parameter, every database snapshot.

    ## Example
    ```hcl
    resource "aws_iam_policy" "fail_read_all" {
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "secretsmanager:GetSecretValue", Resource = "*" }]
      })
    }
    ```

    ## Fix
    Scope the action to the buckets, secrets, parameters or keys the workload reads.

    ## Parameters
    - `accept_published_policies` (boolean, default true): an identity policy that grants no
      more than one published vendor policy (`tfgate explain TFG-IAM-027`) is reported once by
      TFG-IAM-027 instead of statement by statement here.

    ## References
    - cloudsplaining DataExfiltration
    - GDPR article 32; HIPAA 164.312(a)(1)
    """
    for document, policy in _identity_policies(resource, view, ctx, params):
        found = _named_actions(policy, EXFILTRATION_ACTIONS)
        untagged = {
            index: entries
            for index, entries in found.items()
            if not tag_conditions(entries[0][0].statement)
        }
        narrowed = _narrowed_note(
            entries[0][0].statement for index, entries in found.items() if index not in untagged
        )
        yield from _with_note(
            list(_named_hits(document, untagged, "data-reading actions")), narrowed
        )


DATA_EXFILTRATION = Rule(
    id="TFG-IAM-019",
    name="data-read-on-any-resource",
    title="Data-reading actions allowed on every resource",
    severity=Severity.MEDIUM,
    resource_types=IDENTITY_TYPES,
    controls={
        "AWS-WA-SEC": ("SEC03-BP02",),
        "HIPAA": ("164.312(a)(1)",),
        "PCI-DSS-4.0": ("7.2.1",),
        "GDPR": ("article_32",),
        "NRB": ("IT-2012-4-access-control",),
    },
    check=check_exfiltration_actions,
    params_schema=ACCEPTS_PUBLISHED_SCHEMA,
    defaults=ACCEPTS_PUBLISHED_DEFAULTS,
)

BOUNDARY_DELETES: tuple[tuple[str, str | None, Severity], ...] = (
    ("iam:DeleteRolePermissionsBoundary", None, Severity.HIGH),
    ("iam:DeleteUserPermissionsBoundary", None, Severity.HIGH),
)
BOUNDARY_SETTERS: tuple[tuple[str, str], ...] = (
    ("iam:PutRolePermissionsBoundary", "role"),
    ("iam:PutUserPermissionsBoundary", "user"),
    ("iam:CreateRole", "role"),
    ("iam:CreateUser", "user"),
)


def check_boundary_bypass(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags grants that remove or sidestep permissions boundaries.

    ## What it does
    Reports Allow statements that grant `iam:DeleteRolePermissionsBoundary` or
    `iam:DeleteUserPermissionsBoundary` on any resource. With `require_permissions_boundary`
    set, also reports `iam:PutRolePermissionsBoundary`, `iam:PutUserPermissionsBoundary`,
    `iam:CreateRole` and `iam:CreateUser` on every role or user without a narrowing
    `iam:PermissionsBoundary` condition (a `StringLike` on `*` does not narrow). A statement
    granting every action is TFG-IAM-010's.

    ## Why it matters
    A permissions boundary is the ceiling delegated administrators work under; whoever can
    remove it, or create principals without it, is no longer under the ceiling.

    ## Example
    ```hcl
    resource "aws_iam_policy" "fail_unbound" {
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{
          Effect   = "Allow"
          Action   = "iam:DeleteRolePermissionsBoundary"
          Resource = "arn:aws:iam::111122223333:role/app/*"
        }]
      })
    }
    ```

    ## Fix
    Deny the `Delete*PermissionsBoundary` actions, and allow `iam:CreateRole` only with a
    `StringEquals` condition on `iam:PermissionsBoundary` naming the boundary policy.

    ## Parameters
    - `require_permissions_boundary` (boolean, default false): also report creating roles and
      users, or setting their boundary, without an `iam:PermissionsBoundary` condition.

    ## References
    - AWS IAM User Guide, "Permissions boundaries for IAM entities"
    - AWS Well-Architected, SEC03-BP05 (define permission guardrails)
    """
    wanted: list[tuple[str, str | None, Severity]] = list(BOUNDARY_DELETES)
    for document, policy in _identity_policies(resource, view, ctx, params):
        found = _named_actions(policy, wanted, anywhere=True)
        if params.get("require_permissions_boundary"):
            for action, resource_type in BOUNDARY_SETTERS:
                for grant in allowed(policy, action, resource_type):
                    if grants_everything(grant.statement):
                        continue
                    if limiting_conditions(grant.statement, {"iam:PermissionsBoundary"}):
                        continue
                    found.setdefault(grant.statement.index, []).append(
                        (
                            grant,
                            f"{action} without an iam:PermissionsBoundary condition",
                            Severity.HIGH,
                        )
                    )
        yield from _named_hits(document, found, "boundary-bypassing actions")


BOUNDARY_BYPASS = Rule(
    id="TFG-IAM-020",
    name="permissions-boundary-bypass",
    title="Policy can remove or bypass permissions boundaries",
    severity=Severity.HIGH,
    resource_types=IDENTITY_TYPES,
    controls=GUARDRAILS,
    check=check_boundary_bypass,
    params_schema={
        "type": "object",
        "properties": {"require_permissions_boundary": {"type": "boolean"}},
        "additionalProperties": False,
    },
    defaults={"require_permissions_boundary": False},
)

_SERVICE_ROLE_PATH = "role/aws-service-role/"


def _service_role_patterns(statement: Statement) -> str | None:
    """A Resource entry naming every service-linked role (`...:role/aws-service-role/*`)."""
    for pattern in statement.resources or ():
        parts = pattern.split(":", 5)
        if (
            len(parts) == 6
            and parts[2].lower() == "iam"
            and parts[5]
            in (
                f"{_SERVICE_ROLE_PATH}*",
                "role/aws-service-role*",
            )
        ):
            return pattern
    return None


SERVICE_LINKED_ACTIONS = (
    "iam:CreateServiceLinkedRole",
    "iam:DeleteServiceLinkedRole",
    "iam:UpdateRoleDescription",
)


def check_service_linked_roles(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags creating or deleting service-linked roles for any service.

    ## What it does
    Reports Allow statements that grant `iam:CreateServiceLinkedRole` on every role (`"*"`,
    `arn:aws:iam::*:role/*`, `.../role/aws-service-role/*`, NotResource) without a narrowing
    `iam:AWSServiceName` condition, and `iam:DeleteServiceLinkedRole` or
    `iam:UpdateRoleDescription` on every service-linked role. A resource naming one service's
    path (`arn:aws:iam::*:role/aws-service-role/ecs.amazonaws.com/*`) passes.

    ## Why it matters
    Service-linked roles carry permissions AWS defines for a service; creating one for any
    service, or deleting the ones security services rely on (GuardDuty, Config, Inspector),
    changes what runs in the account outside the team's review.

    ## Example
    ```hcl
    resource "aws_iam_policy" "fail_slr" {
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "iam:CreateServiceLinkedRole", Resource = "*" }]
      })
    }
    ```

    ## Fix
    Add `StringEquals` on `iam:AWSServiceName` naming the services, or scope the Resource to
    `arn:aws:iam::*:role/aws-service-role/<service>.amazonaws.com/*`.

    ## Parameters
    - `accept_published_policies` (boolean, default true): an identity policy that grants no
      more than one published vendor policy (`tfgate explain TFG-IAM-027`) is reported once by
      TFG-IAM-027 instead of statement by statement here.

    ## References
    - IAM Access Analyzer CREATE_SLR_WITH_STAR_IN_RESOURCE
    - AWS IAM User Guide, "Service-linked role permissions"
    """
    for document, policy in _identity_policies(resource, view, ctx, params):
        found: dict[int, list[str]] = {}
        first: dict[int, Grant] = {}
        for action in SERVICE_LINKED_ACTIONS:
            grants = list(allowed(policy, action, "role"))
            seen = {grant.statement.index for grant in grants}
            for grant in allowed_anywhere(policy, action):
                pattern = _service_role_patterns(grant.statement)
                if grant.statement.index not in seen and pattern is not None:
                    grants.append(
                        Grant(
                            grant.statement,
                            grant.action_pattern,
                            pattern,
                            grant.limiting_conditions,
                            grant.conditional,
                        )
                    )
            for grant in grants:
                if action == "iam:CreateServiceLinkedRole" and limiting_conditions(
                    grant.statement, {"iam:AWSServiceName"}
                ):
                    continue
                found.setdefault(grant.statement.index, []).append(action)
                first.setdefault(grant.statement.index, grant)
        for index, names in found.items():
            grant = first[index]
            yield Hit(
                f"{_where(document, grant.statement)} allows {_listing(names)} for any service "
                f"({_action_text(grant)} on {_resource_text(grant)})",
                key=_key(document, grant.statement),
            )


SERVICE_LINKED_ROLES = Rule(
    id="TFG-IAM-021",
    name="service-linked-role-any-service",
    title="Service-linked roles may be created or deleted for any service",
    severity=Severity.MEDIUM,
    resource_types=IDENTITY_TYPES,
    controls=LEAST_PRIVILEGE_NO_CIS,
    check=check_service_linked_roles,
    params_schema=ACCEPTS_PUBLISHED_SCHEMA,
    defaults=ACCEPTS_PUBLISHED_DEFAULTS,
)


def check_assume_any_role(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags `sts:AssumeRole` on any role.

    ## What it does
    Reports Allow statements of identity policies that grant `sts:AssumeRole` on every role
    (`"*"`, `arn:aws:iam::*:role/*`, all roles of an account, NotResource). AssumeRole into
    named roles passes. A statement granting every action is TFG-IAM-010's.

    ## Why it matters
    The principal can assume every role whose trust policy trusts its account, which turns any
    loosely written trust policy (`arn:aws:iam::<account>:root`) into a path to that role's
    permissions. The target's trust policy still decides, hence medium severity.

    ## Example
    ```hcl
    resource "aws_iam_policy" "fail_assume" {
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Resource = "*" }]
      })
    }
    ```

    ## Fix
    List the role ARNs the principal may assume.

    ## Parameters
    - `accept_published_policies` (boolean, default true): an identity policy that grants no
      more than one published vendor policy (`tfgate explain TFG-IAM-027`) is reported once by
      TFG-IAM-027 instead of statement by statement here.

    ## References
    - cloudsplaining CredentialsExposure (sts:AssumeRole)
    - PCI DSS v4.0, 7.2.1
    """
    wanted = (("sts:AssumeRole", "role", Severity.MEDIUM),)
    for document, policy in _identity_policies(resource, view, ctx, params):
        yield from _named_hits(document, _named_actions(policy, wanted), "")


ASSUME_ANY_ROLE = Rule(
    id="TFG-IAM-022",
    name="assume-any-role",
    title="sts:AssumeRole allowed on any role",
    severity=Severity.MEDIUM,
    resource_types=IDENTITY_TYPES,
    controls=LEAST_PRIVILEGE_NO_CIS,
    check=check_assume_any_role,
    params_schema=ACCEPTS_PUBLISHED_SCHEMA,
    defaults=ACCEPTS_PUBLISHED_DEFAULTS,
)

TAMPERING_ACTIONS: tuple[tuple[str, str | None, Severity], ...] = tuple(
    (action, _service_scope(action), Severity.HIGH)
    for action in (
        "cloudtrail:StopLogging",
        "cloudtrail:DeleteTrail",
        "cloudtrail:PutEventSelectors",
        "guardduty:DeleteDetector",
        "config:StopConfigurationRecorder",
        "config:DeleteConfigurationRecorder",
        "organizations:LeaveOrganization",
        "organizations:DetachPolicy",
        "organizations:DeletePolicy",
        "access-analyzer:DeleteAnalyzer",
    )
)


def check_guardrail_tampering(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags grants that can switch off audit and security services.

    ## What it does
    Reports Allow statements that grant, on every resource of the service, one of
    `cloudtrail:StopLogging`, `cloudtrail:DeleteTrail`, `cloudtrail:PutEventSelectors`,
    `guardduty:DeleteDetector`, `config:StopConfigurationRecorder`,
    `config:DeleteConfigurationRecorder`, `organizations:LeaveOrganization`,
    `organizations:DetachPolicy`, `organizations:DeletePolicy` or
    `access-analyzer:DeleteAnalyzer`. A statement granting every action is TFG-IAM-010's.

    ## Why it matters
    An attacker's first step is to blind the defenders: stop the trail, delete the detector,
    leave the organization and its SCPs behind.

    ## Example
    ```hcl
    resource "aws_iam_policy" "fail_trail_admin" {
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "cloudtrail:*", Resource = "*" }]
      })
    }
    ```

    ## Fix
    Keep these actions for a security-tooling role, and deny them to everyone else with an SCP.

    ## Parameters
    - `accept_published_policies` (boolean, default true): an identity policy that grants no
      more than one published vendor policy (`tfgate explain TFG-IAM-027`) is reported once by
      TFG-IAM-027 instead of statement by statement here.

    ## References
    - AWS Well-Architected, SEC03-BP05 and SEC04-BP01
    - MITRE ATT&CK T1562.008 (Impair Defenses: Disable Cloud Logs)
    """
    for document, policy in _identity_policies(resource, view, ctx, params):
        yield from _named_hits(
            document, _named_actions(policy, TAMPERING_ACTIONS), "guardrail-tampering actions"
        )


GUARDRAIL_TAMPERING = Rule(
    id="TFG-IAM-023",
    name="guardrail-tampering-actions",
    title="Policy can switch off audit and security services",
    severity=Severity.HIGH,
    resource_types=IDENTITY_TYPES,
    controls=GUARDRAILS,
    check=check_guardrail_tampering,
    params_schema=ACCEPTS_PUBLISHED_SCHEMA,
    defaults=ACCEPTS_PUBLISHED_DEFAULTS,
)

# ------------------------------------------------------------------------------------------------
# TFG-IAM-027 a published vendor policy


def _broad_writes(policy: Policy) -> frozenset[str]:
    """The write and permissions-management actions `policy` grants on every resource."""
    found: set[str] = set()
    for level in ("Write", "Permissions management"):
        for _, names in unrestricted_grants(_without_everything(policy), level):
            found.update(names)
    return frozenset(found) - APPEND_ONLY_TELEMETRY_NAMES


def check_published_policy(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Reports, once, an identity policy that grants no more than a published vendor policy.

    ## What it does
    Compares each identity policy with the IAM policies that AWS and the Kubernetes SIGs
    publish for their controllers, shipped with tfgate as data with the source, commit and
    version of each: the AWS Load Balancer Controller, the EBS and EFS CSI drivers,
    cluster-autoscaler, external-dns, Karpenter and the VPC CNI (AmazonEKS_CNI_Policy).
    A policy matches when all its statements together grant no more than one published policy
    as a whole: for every action and resource a statement allows, one statement of that same
    policy allows the action on a resource pattern that covers it, under conditions the
    statement repeats at least as strictly (same operator and key, no wider values; extra
    conditions only narrow). Statements picked from several published policies, `NotAction`,
    `NotResource`, or a value the vendor leaves to the user written as a wildcard (the account,
    region, cluster name) never match. A match that grants write or permissions-management
    actions on every resource is reported once, here, naming the published policy; the rules
    that judge statements (TFG-IAM-011, 015 to 019, 021 to 023, 061, 062) leave it alone when
    their `accept_published_policies` is true (the default; pci-dss sets it false for the
    rules it blocks on, so each grant there needs a waiver).

    ## Why it matters
    These policies are the vendor's documented need: the controller calls those APIs on
    resources it discovers at run time, and the vendor scopes what it can with tags. Blocking
    them statement by statement blocks every EKS team and teaches them to bypass the gate.
    What still deserves a reviewer's look is that the policy is the published one, or less,
    and which version, so it is upgraded with the controller.

    ## Example
    ```hcl
    resource "aws_iam_policy" "cluster_autoscaler" {
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect   = "Allow"
          Action   = ["autoscaling:SetDesiredCapacity",
                      "autoscaling:TerminateInstanceInAutoScalingGroup"]
          Resource = "*"
        }]
      })
    }
    ```

    ## Fix
    Nothing to fix when the controller runs in this account: keep the policy as the vendor
    publishes it and update it with the controller. Narrow it where the vendor says you may
    (cluster-autoscaler: the Auto Scaling group ARNs or an `autoscaling:ResourceTag/...`
    condition). If no such controller runs here, remove the policy.

    ## Parameters
    None. The acceptance is a parameter of each statement rule
    (`accept_published_policies`).

    ## References
    The published policies, each file recording the path, commit and versions it was read at:
    - kubernetes-sigs/aws-load-balancer-controller (docs/install/iam_policy.json)
    - kubernetes-sigs/aws-ebs-csi-driver, kubernetes-sigs/aws-efs-csi-driver (example policies)
    - kubernetes/autoscaler (cluster-autoscaler/cloudprovider/aws/README.md)
    - kubernetes-sigs/external-dns (docs/tutorials/aws.md)
    - aws/karpenter-provider-aws (the getting-started CloudFormation template)
    - aws/amazon-vpc-cni-k8s (docs/iam-policy.md, IPv6) and the AWS Managed Policy Reference,
      https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonEKS_CNI_Policy.html
    - AWS Well-Architected, SEC03-BP02 (grant least privilege access)
    """
    for document, policy in parsed(identity_documents(resource, view, ctx)):
        published = _published(document, policy)
        if published is None:
            continue
        broad = _broad_writes(policy)
        if not broad:
            continue
        examples = ", ".join(_examples(broad))
        yield Hit(
            f"{document.attribute} matches {published.label} ({published.source}): it grants "
            f"{plural(len(broad), 'write action')} on every resource ({examples}), as that policy "
            "does",
            key=document.attribute,
        )


PUBLISHED_POLICY = Rule(
    id="TFG-IAM-027",
    name="published-vendor-policy",
    title="Policy is a published vendor policy",
    severity=Severity.LOW,
    resource_types=IDENTITY_TYPES,
    controls=LEAST_PRIVILEGE_NO_CIS,
    check=check_published_policy,
)

# ------------------------------------------------------------------------------------------------
# TFG-IAM-061 permissive condition operators, TFG-IAM-062 unknown actions

_GITHUB_SUB_SUFFIX = ":sub"
_GITHUB_HOST = "token.actions.githubusercontent.com"


def _single_valued(condition: Condition) -> bool:
    return not (condition.key in MULTI_VALUED_KEYS or condition.key.endswith(":tagkeys"))


def _operator_problems(statement: Statement) -> Iterator[tuple[Condition, str]]:
    conditions = [
        condition
        for condition in statement.conditions
        if not (
            condition.key.startswith(_GITHUB_HOST) and condition.key.endswith(_GITHUB_SUB_SUFFIX)
        )
        and condition.key != UNKNOWN_PLACEHOLDER
    ]
    for condition in conditions:
        if (
            condition.qualifier == "ForAllValues"
            and not condition.negated
            and _single_valued(condition)
        ):
            yield (
                condition,
                (
                    f"uses ForAllValues: on the single-valued key {condition.key}, which is true "
                    "when the key is absent"
                ),
            )
    if not conditions or limiting_conditions(statement) or tag_conditions(statement):
        # A tag condition, `Null` false on a tag key included, restricts the statement to
        # tagged resources (TFG-IAM-015's narrowing); the statement relies on more than a check.
        return
    for condition in conditions:
        if condition.key in NEVER_NARROWING_KEYS:
            continue
        if condition.if_exists and not condition.negated:
            yield (
                condition,
                (
                    f"relies on {condition.operator} on {condition.key} as its only restriction, "
                    "which is true when the key is absent"
                ),
            )
        elif condition.base_operator.lower() == "null":
            yield condition, (f"relies on a Null check on {condition.key} as its only restriction")


def check_permissive_condition(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags condition operators that look restrictive but are not.

    ## What it does
    Reports Allow statements (identity, trust and resource policies) that use `ForAllValues:`
    with a single-valued condition key (true when the key is missing), or whose only
    restriction is an `...IfExists` operator or a `Null` check. `ForAllValues:StringEquals` on
    `aws:TagKeys` and other multi-valued keys is correct and passes. Misused operators on a
    GitHub `sub` key are TFG-IAM-033's. A statement restricted to tagged resources (a tag
    condition as TFG-IAM-015 reads it, `Null: {"aws:ResourceTag/<key>": "false"}` included:
    the tag must be present) is not reported, as in the AWS Load Balancer Controller policy.

    ## Why it matters
    These conditions pass when the request simply lacks the key, so the statement grants far
    more than its author intended, silently.

    ## Example
    ```hcl
    resource "aws_iam_policy" "fail_forallvalues" {
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Action    = "s3:PutObject"
          Resource  = "arn:aws:s3:::uploads/*"
          Condition = { "ForAllValues:StringEquals" = { "aws:SourceVpc" = "vpc-0abc" } }
        }]
      })
    }
    ```

    ## Fix
    Use the plain operator (`StringEquals`) for single-valued keys, drop `IfExists` where the key
    must be present, and pair a `Null` check with a positive condition.

    ## Parameters
    - `accept_published_policies` (boolean, default true): an identity policy that grants no
      more than one published vendor policy (`tfgate explain TFG-IAM-027`) is reported once by
      TFG-IAM-027 instead of statement by statement here.

    ## References
    - IAM Access Analyzer FORALLVALUES_WITH_SINGLE_VALUED_KEY
    - AWS IAM User Guide, "Condition operators" (IfExists, Null)
    """
    for document, policy in _judged(parsed(all_documents(resource, view, ctx)), params):
        if document.kind is DocumentKind.GUARDRAIL:
            continue
        for statement in policy.allows:
            if not statement.conditions:
                continue
            for condition, problem in _operator_problems(statement):
                yield Hit(
                    f"{_where(document, statement)} {problem}",
                    key=_key(document, statement, condition.operator, condition.key),
                )


PERMISSIVE_CONDITION = Rule(
    id="TFG-IAM-061",
    name="permissive-condition-operator",
    title="Condition operator that does not restrict",
    severity=Severity.MEDIUM,
    resource_types=ALL_DOCUMENT_TYPES,
    controls=LEAST_PRIVILEGE_NO_CIS,
    check=check_permissive_condition,
    params_schema=ACCEPTS_PUBLISHED_SCHEMA,
    defaults=ACCEPTS_PUBLISHED_DEFAULTS,
)


# Actions AWS itself still writes into generated policies although the Service Authorization
# Reference no longer lists them (the default SNS topic policy names SNS:Receive).
LEGACY_ACTIONS = frozenset({"sns:receive"})


def _unknown_patterns(policy: Policy) -> tuple[tuple[Statement, str], ...]:
    """As `unknown_action_patterns`, but `*`/`*:*` are known without loading the catalogue."""
    return policy.memo(_unknown_patterns, lambda: tuple(_find_unknown_patterns(policy)))


def _find_unknown_patterns(policy: Policy) -> list[tuple[Statement, str]]:
    return [
        (statement, pattern)
        for statement in policy.statements
        for pattern in _unknown_among((statement.actions or ()) + (statement.not_actions or ()))
    ]


@lru_cache(maxsize=16384)
def _unknown_among(patterns: tuple[str, ...]) -> tuple[str, ...]:
    """The patterns that match no known action (cached: statements repeat their lists)."""
    return tuple(p for p in patterns if not is_all_actions_pattern(p) and not actions.expand(p))


def check_unknown_actions(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Flags actions and services that AWS does not know.

    ## What it does
    Reports each Action or NotAction entry, in any policy (identity, trust, resource, service
    and resource control policies), that matches no action in tfgate's IAM action catalogue: a
    typo (`iam:PasRole`) or an unknown service prefix. Medium in a Deny statement, where the
    guardrail silently protects nothing; low in an Allow, whose pattern tfgate still uses for
    every other rule. A brand-new action missing from the catalogue may be reported until it is
    refreshed. Legacy actions AWS still writes into its own default policies (`SNS:Receive`)
    are accepted.

    ## Why it matters
    IAM accepts an unknown action without complaint. In a Deny the author believes something
    is forbidden that is not; in an Allow, the intended permission is missing.

    ## Example
    ```hcl
    resource "aws_iam_policy" "fail_typo" {
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Deny", Action = "iam:PasRole", Resource = "*" }]
      })
    }
    ```

    ## Fix
    Correct the action name (see the AWS Service Authorization Reference).

    ## Parameters
    - `accept_published_policies` (boolean, default true): an identity policy that grants no
      more than one published vendor policy (`tfgate explain TFG-IAM-027`) is reported once by
      TFG-IAM-027 instead of statement by statement here.

    ## References
    - parliament UNKNOWN_ACTION / UNKNOWN_PREFIX
    - IAM Access Analyzer INVALID_ACTION
    """
    for document, policy in _judged(parsed(all_documents(resource, view, ctx)), params):
        for statement, pattern in _unknown_patterns(policy):
            if UNKNOWN_PLACEHOLDER in pattern or pattern.lower() in LEGACY_ACTIONS:
                continue
            deny = statement.is_deny
            yield Hit(
                f'{_where(document, statement)} names "{pattern}", which matches no known '
                "action" + (" (this Deny protects nothing)" if deny else ""),
                key=_key(document, statement, pattern),
                severity=Severity.MEDIUM if deny else Severity.LOW,
            )


UNKNOWN_ACTION = Rule(
    id="TFG-IAM-062",
    name="unknown-action",
    title="Policy names an unknown service or action",
    severity=Severity.LOW,
    resource_types=ALL_DOCUMENT_TYPES,
    controls={"AWS-WA-SEC": ("SEC03-BP02",)},
    check=check_unknown_actions,
    params_schema=ACCEPTS_PUBLISHED_SCHEMA,
    defaults=ACCEPTS_PUBLISHED_DEFAULTS,
)

__all__ = [
    "ALLOW_NOT_ACTION",
    "ALLOW_NOT_RESOURCE",
    "ASSUME_ANY_ROLE",
    "BOUNDARY_BYPASS",
    "CREDENTIAL_EXPOSURE",
    "DATA_EXFILTRATION",
    "FULL_ADMIN",
    "GUARDRAIL_TAMPERING",
    "PERMISSIVE_CONDITION",
    "PRIVILEGE_ESCALATION",
    "SERVICE_LINKED_ROLES",
    "SERVICE_WILDCARD",
    "UNKNOWN_ACTION",
    "UNRESTRICTED_PERMISSIONS",
    "UNRESTRICTED_WRITE",
    "grants_everything",
]
