"""evaluate(plan, profiles) → Report: run the enabled rules and classify what they find.

Change-awareness lives here, not in the rules: a state rule judges one view of a resource, and the
engine compares what it finds on `after` with what it finds on `before`.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, NamedTuple

import orjson

from tfgate.config.profiles import Profile, RuleSetting
from tfgate.config.selection import caller_accounts
from tfgate.config.waivers import Waiver, apply_waivers
from tfgate.errors import ProfileError
from tfgate.hclpolicy import PolicySources, unjudged_note
from tfgate.plan.model import DELETE, FORGET, Plan, Resource
from tfgate.plan.values import View
from tfgate.redact import Redactor, TextKind
from tfgate.report import (
    Enforcement,
    Finding,
    Part,
    Report,
    Severity,
    Status,
    control_summary,
)
from tfgate.rules import RULES
from tfgate.rules.base import Context, Hit, Kind, Rule
from tfgate.rules.iam.policies import POLICY_EVALUABLE
from tfgate.sensitive import SensitiveAttributes, value_free

_GONE = frozenset({DELETE, FORGET})


_Setting = tuple[Profile, RuleSetting]
_Group = tuple[Mapping[str, Any], list[_Setting]]


class Judged(NamedTuple):
    """A hit of one rule on one resource, with the status the change gives it."""

    hit: Hit
    status: Status


def classify(
    rule: Rule, resource: Resource, ctx: Context, params: Mapping[str, Any]
) -> list[Judged]:
    """Run one rule on one resource and decide each hit's status."""
    if rule.kind is Kind.CHANGE:
        return [
            Judged(hit, Status.UNKNOWN if hit.unknown else Status.INTRODUCED)
            for hit in rule.check(resource, resource.after, ctx, params)
        ]
    if resource.actions <= _GONE or resource.after.values is None:
        return []
    # A document read several ways (one reading per instance it may come from) can give the
    # same hit more than once: it is one finding.
    after_hits = list(dict.fromkeys(rule.check(resource, resource.after, ctx, params)))
    if not after_hits:
        return []
    if resource.unchanged:
        return [Judged(hit, Status.EXISTING) for hit in after_hits]
    before_keys: set[str] = set()
    if resource.before.values is not None and not resource.importing:
        before = View(resource.before.values, None, resource.before.sensitive)
        before_keys = {hit.key for hit in rule.check(resource, before, ctx, params)}
    judged: list[Judged] = []
    for hit in after_hits:
        if hit.unknown:
            status = Status.UNKNOWN
        elif hit.key in before_keys:
            status = Status.EXISTING
        else:
            status = Status.INTRODUCED
        judged.append(Judged(hit, status))
    return judged


def _blocks(profile: Profile, setting: RuleSetting, status: Status) -> bool:
    if setting.enforcement is not Enforcement.BLOCK:
        return False
    if status is Status.INTRODUCED or status is Status.ERROR:
        return True
    if status is Status.EXISTING:
        return profile.block_existing
    if status is Status.UNKNOWN:
        return profile.on_unknown is Enforcement.BLOCK
    return False


def _params_key(params: Mapping[str, Any]) -> bytes:
    return orjson.dumps(params, option=orjson.OPT_SORT_KEYS)


def evaluate(
    plan: Plan,
    profiles: Sequence[Profile],
    rules: Iterable[Rule] = RULES,
    *,
    accounts: Sequence[str] = (),
    redactor: Redactor | None = None,
    sources: PolicySources | None = None,
) -> Report:
    """Judge `plan` against the union of `profiles`: a rule blocks if any profile blocks it.

    `redactor` is `Redactor.for_plan(plan)`, when the caller already has it. `sources` is the
    Terraform source the plan was made from, when it is at hand: policy documents unknown in
    the plan are rebuilt from it.
    """
    if not profiles:
        raise ProfileError("no profile applies to this plan")
    ctx = Context(plan, frozenset(accounts) or caller_accounts(plan), sources)
    # Managed resources per type: all of them (change rules judge each), and those that remain
    # after the plan (state rules judge only these).
    managed: Counter[str] = Counter()
    remaining: Counter[str] = Counter()
    for resource in plan.resources:
        if resource.mode == "managed":
            managed[resource.type] += 1
            if not resource.actions <= _GONE:
                remaining[resource.type] += 1
    findings: dict[tuple[str, str, str, str], Finding] = {}
    evaluated: list[str] = []
    checks: dict[str, int] = {}
    # What runs on each resource type: (rule, [(params, profiles sharing them)]), in rule order.
    by_rule_type: dict[str, list[tuple[Rule, list[_Group]]]] = defaultdict(list)
    plan_rules: list[tuple[Rule, list[_Group]]] = []
    for rule in rules:
        settings = [
            (profile, profile.rules[rule.id])
            for profile in profiles
            if rule.id in profile.enabled()
        ]
        if not settings:
            continue
        evaluated.append(rule.id)
        judged = managed if rule.kind is Kind.CHANGE else remaining
        checks[rule.id] = sum(judged[resource_type] for resource_type in rule.resource_types)
        groups: dict[bytes, list[tuple[Profile, RuleSetting]]] = defaultdict(list)
        for profile, setting in settings:
            groups[_params_key(setting.params)].append((profile, setting))
        runs = [(group[0][1].params, group) for group in groups.values()]
        for resource_type in rule.resource_types:
            by_rule_type[resource_type].append((rule, runs))
        if rule.plan_check is not None:
            plan_rules.append((rule, runs))
            checks[rule.id] += len(plan.variables) + len(plan.providers)
    # Findings are redacted as they are made, but told apart and ordered by what the rules said.
    redactor = redactor or Redactor.for_plan(plan)

    def record(rule: Rule, address: str, outcome: Judged, group: list[_Setting]) -> None:
        hit, status = outcome
        key = (address, rule.id, hit.key, status.value)
        blocking = (
            status is Status.ERROR
            or (hit.always_blocks and status is Status.INTRODUCED)
            or any(_blocks(profile, setting, status) for profile, setting in group)
        )
        previous = findings.get(key)
        if previous is None or (blocking and not previous.blocking):
            findings[key] = _finding(rule, address, hit, status, blocking, plan.source, redactor)

    # Resource by resource, every rule in turn: the rules on one resource share what they
    # compute about it (a parsed policy document is parsed once, not once per rule).
    for resource in plan.resources:
        if resource.mode != "managed":
            continue
        sensitive: SensitiveAttributes | None = None
        looked = False  # for sensitive attributes: only resources with findings pay for it
        for rule, runs in by_rule_type.get(resource.type, ()):
            for params, group in runs:
                for hit, status in _classify_safely(rule, resource, ctx, params):
                    if not looked:
                        sensitive, looked = SensitiveAttributes.of(resource), True
                    if sensitive is not None:
                        attribute = sensitive.source(hit)
                        if attribute is not None:
                            hit = value_free(hit, attribute, rule.title)
                    record(rule, resource.address, Judged(hit, status), group)
    # What belongs to no resource (variables, provider blocks) is judged once per plan.
    for rule, runs in plan_rules:
        for params, group in runs:
            for address, outcome in _plan_hits_safely(rule, ctx, params):
                record(rule, address, outcome, group)
    ordered = one_per_problem([findings[key] for key in sorted(findings, key=lambda key: key[:3])])
    notes: list[str] = []
    if not plan.complete:
        notes.append(
            "the plan is marked incomplete (complete: false, e.g. -target or deferred changes): "
            "only part of the change was judged"
        )
    unjudged = sum(
        1 for f in ordered if f.rule == POLICY_EVALUABLE.id and f.status is Status.UNKNOWN
    )
    note = unjudged_note(unjudged, sources is not None and sources.available)
    if note is not None:
        notes.append(note)
    return Report(
        sources=(plan.source,),
        profiles=tuple(profile.name for profile in profiles),
        findings=tuple(ordered),
        resources_evaluated=len(plan.resources),
        rules_evaluated=tuple(evaluated),
        notes=tuple(notes),
        frameworks=tuple(dict.fromkeys(f for profile in profiles for f in profile.frameworks)),
        checks=checks,
    )


def judge(
    plan: Plan,
    profiles: Sequence[Profile],
    *,
    waivers: Sequence[Waiver] = (),
    today: datetime.date,
    accounts: Sequence[str] = (),
    waiver_accounts: Sequence[str] | None = None,
    rules: Iterable[Rule] = RULES,
    redactor: Redactor | None = None,
    sources: PolicySources | None = None,
) -> Report:
    """The whole judgement of one plan: rules, then waivers, then the control summary.

    An account-scoped waiver applies when its account is in `waiver_accounts` (default:
    `accounts`)."""
    rules = tuple(rules)
    report = evaluate(plan, profiles, rules, accounts=accounts, redactor=redactor, sources=sources)
    caps = [profile.max_waiver_days for profile in profiles if profile.max_waiver_days]
    if waivers:
        report, _ = apply_waivers(
            report,
            waivers,
            today=today,
            max_days=min(caps) if caps else None,
            accounts=accounts if waiver_accounts is None else waiver_accounts,
        )
    return with_controls(report, rules)


def with_controls(report: Report, rules: Iterable[Rule] = RULES) -> Report:
    return replace(
        report, controls=control_summary(report, {rule.id: rule.controls for rule in rules})
    )


def _classify_safely(
    rule: Rule, resource: Resource, ctx: Context, params: Mapping[str, Any]
) -> list[Judged]:
    try:
        return classify(rule, resource, ctx, params)
    except Exception as error:  # a crashing rule must never pass silently
        crash = Hit(
            f"rule crashed while judging this resource ({type(error).__name__})", key="crash"
        )
        return [Judged(crash, Status.ERROR)]


def _plan_hits_safely(
    rule: Rule, ctx: Context, params: Mapping[str, Any]
) -> list[tuple[str, Judged]]:
    """A plan rule's hits, each introduced or unknown (there is no before side to compare)."""
    assert rule.plan_check is not None
    try:
        return [
            (address, Judged(hit, Status.UNKNOWN if hit.unknown else Status.INTRODUCED))
            for address, hit in rule.plan_check(ctx, params)
        ]
    except Exception as error:  # a crashing rule must never pass silently
        crash = Hit(
            f"rule crashed while judging the configuration ({type(error).__name__})", key="crash"
        )
        return [("configuration", Judged(crash, Status.ERROR))]


_FIXES: dict[tuple[str, str], str] = {}


def _fix(rule: Rule) -> str:
    """A rule's Fix paragraph, parsed from its doc once rather than once per finding."""
    key = (rule.id, rule.check.__qualname__)
    fix = _FIXES.get(key)
    if fix is None:
        fix = _FIXES[key] = rule.fix
    return fix


def _finding(
    rule: Rule,
    address: str,
    hit: Hit,
    status: Status,
    blocking: bool,
    source: str,
    redactor: Redactor,
) -> Finding:
    severity: Severity = hit.severity or rule.severity
    return Finding(
        rule=rule.id,
        title=rule.title,
        address=redactor.outgoing(address, TextKind.NAME),
        status=status,
        severity=severity,
        enforcement=Enforcement.BLOCK if blocking else Enforcement.WARN,
        message=redactor.outgoing(hit.message),
        fix=redactor.outgoing(_fix(rule)),
        controls=rule.controls,
        blocking=blocking,
        key=redactor.outgoing(hit.key),
        plan=source,
    )


def one_per_problem(findings: Sequence[Finding]) -> list[Finding]:
    """One finding per rule, address and status: the hits of a rule in several places of one
    resource (eight statements of one policy) become one finding that lists them.

    `findings` are ordered by address, rule and key; the merged finding keeps the key of its
    first part, so a finding that gains or loses later parts keeps its fingerprint, and a waiver
    (rule + address) covers it as it covered each part.
    """
    groups: dict[tuple[str, str, Status], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.address, finding.rule, finding.status), []).append(finding)
    return [group[0] if len(group) == 1 else _gathered(group) for group in groups.values()]


def _gathered(group: Sequence[Finding]) -> Finding:
    first = group[0]
    blocking = any(finding.blocking for finding in group)
    listed = "; ".join(f"({number}) {f.message}" for number, f in enumerate(group, 1))
    return replace(
        first,
        severity=min((finding.severity for finding in group), key=lambda s: s.rank),
        blocking=blocking,
        enforcement=Enforcement.BLOCK if blocking else Enforcement.WARN,
        message=f"found in {len(group)} places: {listed}",
        parts=tuple(Part(finding.key, finding.message) for finding in group),
    )


def merge(reports: Sequence[Report], rules: Iterable[Rule] = RULES) -> Report:
    """One report for several plans checked in one run."""
    if len(reports) == 1:
        return reports[0]
    checks: dict[str, int] = defaultdict(int)
    for report in reports:
        for rule_id, count in report.checks.items():
            checks[rule_id] += count
    merged = Report(
        sources=tuple(source for report in reports for source in report.sources),
        profiles=tuple(dict.fromkeys(name for report in reports for name in report.profiles)),
        findings=tuple(finding for report in reports for finding in report.findings),
        resources_evaluated=sum(report.resources_evaluated for report in reports),
        rules_evaluated=tuple(
            dict.fromkeys(rule for report in reports for rule in report.rules_evaluated)
        ),
        notes=tuple(f"{report.sources[0]}: {note}" for report in reports for note in report.notes),
        accounts=tuple(dict.fromkeys(a for report in reports for a in report.accounts)),
        account_method="; ".join(
            dict.fromkeys(r.account_method for r in reports if r.account_method)
        ),
        selection="; ".join(dict.fromkeys(r.selection for r in reports if r.selection)),
        frameworks=tuple(dict.fromkeys(f for report in reports for f in report.frameworks)),
        checks=dict(checks),
    )
    return with_controls(merged, rules)
