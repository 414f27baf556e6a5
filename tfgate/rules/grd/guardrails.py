"""Rules on detective guardrails: CloudTrail, GuardDuty, AWS Config, IAM Access Analyzer."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from tfgate.plan.model import Resource
from tfgate.plan.values import View
from tfgate.report import Severity
from tfgate.rules.base import Context, Hit, Kind, Rule

GUARDRAILS: Mapping[str, str] = {
    "aws_cloudtrail": "a CloudTrail trail",
    "aws_guardduty_detector": "a GuardDuty detector",
    "aws_config_configuration_recorder": "an AWS Config recorder",
    "aws_config_configuration_recorder_status": "an AWS Config recorder status",
    "aws_config_delivery_channel": "an AWS Config delivery channel",
    "aws_accessanalyzer_analyzer": "an IAM Access Analyzer analyzer",
    "aws_securityhub_account": "the Security Hub account resource, which disables Security Hub",
}

GUARDRAIL_CONTROLS: Mapping[str, tuple[str, ...]] = {
    "CIS-AWS-3.0": ("3.1", "3.3", "1.20"),
    "AWS-WA-SEC": ("SEC04-BP01",),
    "HIPAA": ("164.308(a)(1)(ii)(D)", "164.312(b)"),
    "PCI-DSS-4.0": ("10.2.1", "11.5.1"),
    "GDPR": ("Art. 30", "Art. 33"),
    "NRB": ("CRG-2023-detection",),
}


def check_guardrail_deleted(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Blocks plans that destroy an audit or threat-detection guardrail.

    ## What it does
    Reports the deletion of an `aws_cloudtrail`, `aws_guardduty_detector`,
    `aws_config_configuration_recorder`, `aws_config_configuration_recorder_status`,
    `aws_config_delivery_channel`, `aws_accessanalyzer_analyzer` or `aws_securityhub_account`
    (destroying it disables Security Hub in the account and region). A replacement (delete then
    create, or create then delete) is not a deletion; `forget` (removing it from state without
    destroying it) is not either.

    ## Why it matters
    Turning off logging and detection is the first step of most intrusions and the easiest
    way to lose audit evidence by accident. The deletion is a change in itself: it never appears
    as a setting on a remaining resource.

    ## Example
    A plan whose `resource_changes` entry for `aws_guardduty_detector.main` has actions
    `["delete"]`.

    ## Fix
    Keep the guardrail. If it really must move (to a delegated administrator, an organization
    trail), create the replacement in the same plan and waive this finding for the old address
    with a reason and an expiry date.

    ## Parameters
    None.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 3.1, 3.3, 1.20 and 4.16 (Security Hub enabled)
    - AWS Well-Architected, SEC04-BP01 (configure service and application logging)
    """
    if resource.deletes and "create" not in resource.actions:
        yield Hit(f"destroys {GUARDRAILS[resource.type]}")


GUARDRAIL_DELETED = Rule(
    id="TFG-GRD-001",
    name="guardrail-deleted",
    title="Audit or detection guardrail destroyed",
    severity=Severity.CRITICAL,
    resource_types=frozenset(GUARDRAILS),
    controls={
        **GUARDRAIL_CONTROLS,
        "CIS-AWS-3.0": (*GUARDRAIL_CONTROLS["CIS-AWS-3.0"], "4.16"),
        "HIPAA": (*GUARDRAIL_CONTROLS["HIPAA"], "164.308(a)(5)(ii)(C)"),
        "PCI-DSS-4.0": (*GUARDRAIL_CONTROLS["PCI-DSS-4.0"], "10.4.1"),
    },
    check=check_guardrail_deleted,
    kind=Kind.CHANGE,
)

_SWITCHES: Mapping[str, str] = {
    "aws_cloudtrail": "enable_logging",
    "aws_guardduty_detector": "enable",
    "aws_config_configuration_recorder_status": "is_enabled",
}


def check_guardrail_disabled(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Blocks plans that switch an audit or threat-detection guardrail off.

    ## What it does
    Reports an `aws_cloudtrail` with `enable_logging = false`, an `aws_guardduty_detector` with
    `enable = false` and an `aws_config_configuration_recorder_status` with `is_enabled = false`.
    Updating one of them to disabled is introduced; one that was already disabled is `existing`.
    A switch whose value is known only after apply is reported as `unknown`.

    ## Why it matters
    A disabled trail, detector or recorder looks present in the console and in the code while
    recording nothing, which is worse than its absence: reviewers assume it works.

    ## Example
    ```hcl
    resource "aws_guardduty_detector" "fail_detector" {
      enable = false
    }
    ```

    ## Fix
    Set the switch back to `true` (`enable_logging`, `enable` or `is_enabled`). To stop paying for
    a detector in an unused region, restrict the region with an SCP rather than disabling it.

    ## Parameters
    None.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 3.1 and 3.3
    - PCI DSS v4.0, 10.2.1 and 11.5.1
    """
    switch = _SWITCHES[resource.type]
    if view.is_unknown(switch):
        yield Hit(f"{switch} is known only after apply", unknown=True)
    elif view.value(switch) is False:
        yield Hit(f"switches {GUARDRAILS[resource.type]} off ({switch} = false)")


GUARDRAIL_DISABLED = Rule(
    id="TFG-GRD-002",
    name="guardrail-disabled",
    title="Audit or detection guardrail switched off",
    severity=Severity.HIGH,
    resource_types=frozenset(_SWITCHES),
    controls=GUARDRAIL_CONTROLS,
    check=check_guardrail_disabled,
)
