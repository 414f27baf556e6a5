"""Rules on guardrails that stay on but see less: a trail that stops recording management
events, an AWS Config recorder that stops recording some resource types.

These judge the change (before against after), not a state: a trail created only for data
events is a normal design, while an update that narrows the account's main trail is not.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from tfgate.plan.model import Resource
from tfgate.plan.values import View
from tfgate.report import Severity
from tfgate.rules.base import Context, Hit, Kind, Rule
from tfgate.rules.grd.guardrails import GUARDRAIL_CONTROLS

NONE, PARTIAL, ALL = 0, 1, 2
LEVELS = ("none", "partial", "all")
MODES = ("read", "write")


def _blocks(view: View, attribute: str) -> list[Mapping[str, Any]]:
    value = view.value(attribute)
    if not isinstance(value, list):
        return []
    return [block for block in value if isinstance(block, Mapping)]


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _advanced_coverage(selectors: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Management coverage of `advanced_event_selector` blocks.

    A selector records management events when its `eventCategory` field equals `Management`; a
    `readOnly` field restricts it to reads (`true`) or writes (`false`); any other field (an
    `eventSource` exclusion, say) leaves it recording only part of them.
    """
    coverage = dict.fromkeys(MODES, NONE)
    for selector in selectors:
        fields = [f for f in selector.get("field_selector") or [] if isinstance(f, Mapping)]
        category = [f for f in fields if f.get("field") == "eventCategory"]
        if not any("Management" in _strings(f.get("equals")) for f in category):
            continue
        modes = set(MODES)
        level = ALL
        for field in fields:
            name = field.get("field")
            if name == "eventCategory":
                continue
            if name == "readOnly" and _strings(field.get("equals")) in (["true"], ["false"]):
                modes = {"read"} if _strings(field.get("equals")) == ["true"] else {"write"}
            else:
                level = PARTIAL
        for mode in modes:
            coverage[mode] = max(coverage[mode], level)
    return coverage


_READ_WRITE: Mapping[str, tuple[str, ...]] = {
    "All": MODES,
    "ReadOnly": ("read",),
    "WriteOnly": ("write",),
}


def _basic_coverage(selectors: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    coverage = dict.fromkeys(MODES, NONE)
    for selector in selectors:
        if selector.get("include_management_events") is False:
            continue
        level = PARTIAL if _strings(selector.get("exclude_management_event_sources")) else ALL
        read_write = selector.get("read_write_type")
        for mode in _READ_WRITE.get(read_write if isinstance(read_write, str) else "All", MODES):
            coverage[mode] = max(coverage[mode], level)
    return coverage


def management_coverage(view: View) -> dict[str, int] | None:
    """How much of the read and the write management events a trail records (None: unknown).

    Without selectors a trail records every management event; with `advanced_event_selector`
    blocks, `event_selector` blocks are ignored by CloudTrail.
    """
    if view.is_unknown("advanced_event_selector") or view.is_unknown("event_selector"):
        return None
    advanced = _blocks(view, "advanced_event_selector")
    if advanced:
        return _advanced_coverage(advanced)
    basic = _blocks(view, "event_selector")
    if basic:
        return _basic_coverage(basic)
    return dict.fromkeys(MODES, ALL)


def _compared(resource: Resource) -> tuple[View, View] | None:
    """The before and after of a resource that exists on both sides of the plan."""
    if resource.before.values is None or resource.after.values is None:
        return None
    if resource.importing:
        return None
    return resource.before, resource.after


def check_trail_coverage_narrowed(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Blocks changes that make a CloudTrail trail record fewer management events.

    ## What it does
    Compares an `aws_cloudtrail` before and after an update (or replacement) and reports it
    when it records fewer management events: `include_management_events = false`, a
    `read_write_type` narrowed from `All` to `ReadOnly` or `WriteOnly`,
    `exclude_management_event_sources` added, or `advanced_event_selector` blocks that drop the
    `Management` event category, restrict `readOnly` or exclude event sources. A trail with no
    selectors records every management event. Selectors known only after apply are reported as
    `unknown`. A trail the plan creates is not judged here: a trail for data events only is a
    normal design.

    ## Why it matters
    Management events are the audit record of the account: who created a role, changed a
    policy, stopped a detector. Narrowing the selectors keeps the trail on and green in every
    dashboard while the record an investigation needs stops. Dropping write events removes the
    changes themselves; dropping read events removes the reconnaissance that precedes them.

    ## Example
    ```hcl
    resource "aws_cloudtrail" "fail_main" {
      name                  = "org-trail"
      s3_bucket_name        = "org-audit-logs"
      is_multi_region_trail = true
      event_selector {
        read_write_type           = "WriteOnly"
        include_management_events = true
      }
    }
    ```

    ## Fix
    Keep management events at `read_write_type = "All"` with `include_management_events =
    true` on the account's multi-region trail. To cut the cost of data events, narrow the data
    event selectors, not the management events; to record data events separately, add a second
    trail.

    ## Parameters
    None.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 3.1 (a multi-region trail recording read and write
      management events)
    - PCI DSS v4.0, 10.2.1
    - AWS Config rule `multi-region-cloudtrail-enabled`
    """
    sides = _compared(resource)
    if sides is None:
        return
    before = management_coverage(sides[0])
    if before is None or max(before.values()) == NONE:
        return
    after = management_coverage(sides[1])
    if after is None:
        yield Hit(
            "the trail's event selectors are known only after apply, so whether it still records "
            "every management event cannot be decided",
            unknown=True,
        )
        return
    lost = [mode for mode in MODES if after[mode] < before[mode]]
    if not lost:
        return
    changes = ", ".join(
        f"{mode}: {LEVELS[before[mode]]} -> {LEVELS[after[mode]]}" for mode in MODES
    )
    yield Hit(f"records fewer {' and '.join(lost)} management events than before ({changes})")


TRAIL_COVERAGE_NARROWED = Rule(
    id="TFG-GRD-003",
    name="cloudtrail-management-events-narrowed",
    title="CloudTrail trail narrowed to fewer management events",
    severity=Severity.HIGH,
    resource_types=frozenset({"aws_cloudtrail"}),
    controls={
        "CIS-AWS-3.0": ("3.1",),
        "AWS-WA-SEC": ("SEC04-BP01",),
        "HIPAA": ("164.308(a)(1)(ii)(D)", "164.312(b)"),
        "PCI-DSS-4.0": ("10.2.1",),
        "GDPR": ("Art. 30",),
        "NRB": ("IT-2012-4-audit-trails",),
    },
    check=check_trail_coverage_narrowed,
    kind=Kind.CHANGE,
)


class Recording(NamedTuple):
    """What an AWS Config recorder records: every supported type, all but some, or only some."""

    strategy: str
    types: frozenset[str]
    global_types: bool


def recording(view: View) -> Recording | None:
    """The recording group of an `aws_config_configuration_recorder` (None: unknown)."""
    if view.is_unknown("recording_group"):
        return None
    groups = _blocks(view, "recording_group")
    group = groups[0] if groups else {}
    global_types = group.get("include_global_resource_types") is True
    strategies = [s for s in group.get("recording_strategy") or [] if isinstance(s, Mapping)]
    use_only = strategies[0].get("use_only") if strategies else None
    if use_only == "EXCLUSION_BY_RESOURCE_TYPES":
        exclusions = [
            e for e in group.get("exclusion_by_resource_types") or [] if isinstance(e, Mapping)
        ]
        excluded = frozenset(t for e in exclusions for t in _strings(e.get("resource_types")))
        return Recording("exclude", excluded, global_types)
    if group.get("all_supported") is False or use_only == "INCLUDE_SPECIFIC_RESOURCE_TYPES":
        return Recording("include", frozenset(_strings(group.get("resource_types"))), global_types)
    return Recording("all", frozenset(), global_types)


def _describe(recorded: Recording) -> str:
    if recorded.strategy == "all":
        return "every supported resource type"
    if recorded.strategy == "exclude":
        return f"every supported resource type except {len(recorded.types)}"
    count = len(recorded.types)
    return f"only {count} selected resource type{'' if count == 1 else 's'}"


def _dropped(before: Recording, after: Recording) -> list[str]:
    """Resource types, or a class of them, that `before` recorded and `after` does not."""
    if after.strategy == "all":
        return []
    if after.strategy == "exclude":
        if before.strategy == "all":
            return sorted(after.types)
        if before.strategy == "exclude":
            return sorted(after.types - before.types)
        return sorted(before.types & after.types)
    if before.strategy == "include":
        return sorted(before.types - after.types)
    return [f"every type but the {len(after.types)} selected"]


def check_recorder_narrowed(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Blocks AWS Config recorders that stop recording some resource types.

    ## What it does
    Reports an `aws_config_configuration_recorder` whose `recording_group` records fewer
    resource types after the plan than before: `all_supported` turned off, a
    `recording_strategy` of `INCLUDE_SPECIFIC_RESOURCE_TYPES`, resource types dropped from the
    list, types added to `exclusion_by_resource_types`, or `include_global_resource_types`
    turned off. A recorder the plan creates is reported when it does not record every supported
    type (a region has one recorder, so it must cover everything). A recording group known only
    after apply is reported as `unknown`.

    ## Why it matters
    AWS Config is the inventory and configuration history of the account: what a security
    group allowed last Tuesday, when a bucket became public. Resource types it stops recording
    disappear from that history and from every Config rule and Security Hub control built on
    it, while the recorder still shows as on.

    ## Example
    ```hcl
    resource "aws_config_configuration_recorder" "fail_main" {
      name     = "default"
      role_arn = aws_iam_role.config.arn
      recording_group {
        all_supported  = false
        resource_types = ["AWS::EC2::Instance"]
      }
    }
    ```

    ## Fix
    Record every supported resource type (`all_supported = true`, or no `recording_group`),
    with `include_global_resource_types = true` in the one region that records IAM. To lower
    cost, use periodic recording (`recording_mode`) rather than dropping types.

    ## Parameters
    None.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 3.3
    - GDPR Art. 30 (records of processing: `config_recorder_all_regions_enabled`)
    - Prowler check `config_recorder_all_regions_enabled`
    """
    if resource.after.values is None:
        return
    after = recording(resource.after)
    sides = _compared(resource)
    if sides is None:
        if not resource.creates:
            return
        if after is None:
            yield Hit("recording_group is known only after apply", unknown=True)
        elif after.strategy != "all":
            yield Hit(f"records {_describe(after)}, not every supported resource type")
        return
    before = recording(sides[0])
    if before is None:
        return
    if after is None:
        yield Hit("recording_group is known only after apply", unknown=True)
        return
    lost = _dropped(before, after)
    narrowed: list[str] = []
    if lost:
        named = ", ".join(lost[:5]) + (f" and {len(lost) - 5} more" if len(lost) > 5 else "")
        narrowed.append(
            f"records {_describe(after)} (before: {_describe(before)}); no longer recorded: {named}"
        )
    if before.global_types and not after.global_types:
        narrowed.append(
            "stops recording global resources such as IAM users, roles and policies "
            "(include_global_resource_types: true -> false)"
        )
    if narrowed:
        yield Hit("; ".join(narrowed))


RECORDER_NARROWED = Rule(
    id="TFG-GRD-004",
    name="config-recorder-narrowed",
    title="AWS Config recorder records fewer resource types",
    severity=Severity.HIGH,
    resource_types=frozenset({"aws_config_configuration_recorder"}),
    controls={
        "CIS-AWS-3.0": ("3.3",),
        "AWS-WA-SEC": GUARDRAIL_CONTROLS["AWS-WA-SEC"],
        "GDPR": ("Art. 25", "Art. 30"),
        "NRB": ("IT-2012-4-audit-trails",),
    },
    check=check_recorder_narrowed,
    kind=Kind.CHANGE,
)
