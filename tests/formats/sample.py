"""A hand-made report that exercises every status, with and without locations, and text that
needs escaping in each format. Golden files are rendered from it."""

from __future__ import annotations

from tfgate.report import (
    ControlTally,
    Enforcement,
    Finding,
    Location,
    Report,
    Severity,
    Status,
)

IAM_CONTROLS = {"CIS-AWS-3.0": ("1.15",), "PCI-DSS-4.0": ("8.2.1", "8.2.2")}
LOG_CONTROLS = {"PCI-DSS-4.0": ("10.5.1",)}


def finding(
    rule: str,
    address: str,
    status: Status,
    *,
    blocking: bool,
    severity: Severity = Severity.HIGH,
    message: str = "is an IAM user",
    location: Location | None = None,
    key: str = "",
    waiver_reason: str | None = None,
) -> Finding:
    iam = rule.startswith("TFG-IAM")
    return Finding(
        rule=rule,
        title="IAM user created" if iam else "CloudWatch log group not encrypted with KMS",
        address=address,
        status=status,
        severity=severity,
        enforcement=Enforcement.BLOCK if blocking else Enforcement.WARN,
        message=message,
        fix="Use IAM Identity Center." if iam else "Set kms_key_id.",
        controls=IAM_CONTROLS if iam else LOG_CONTROLS,
        blocking=blocking,
        key=key,
        plan="infra/plan.json",
        location=location,
        waiver_reason=waiver_reason,
    )


FINDINGS = (
    finding(
        "TFG-IAM-001",
        "aws_iam_user.fail_alice",
        Status.INTRODUCED,
        blocking=True,
        location=Location("infra/main.tf", 37),
    ),
    finding(
        "TFG-IAM-001",
        'module.contractors["a|b"].aws_iam_user.fail_vendor',
        Status.UNKNOWN,
        blocking=True,
        message="may be an IAM user: name is known after apply\n<b>50%</b>, ::stop::",
        location=Location("infra/main.tf", 63),
    ),
    finding(
        "TFG-LOG-002",
        "module.logs.aws_cloudwatch_log_group.this[0]",
        Status.INTRODUCED,
        blocking=False,
        severity=Severity.MEDIUM,
        message="the log group is not encrypted with a KMS key (kms_key_id is not set)",
        location=Location(".terraform/modules/logs/main.tf", 1),
    ),
    finding(
        "TFG-IAM-001",
        "aws_iam_user.pass_existing_bob",
        Status.EXISTING,
        blocking=False,
        location=Location("infra/main.tf", 16),
    ),
    finding(
        "TFG-IAM-001",
        "aws_iam_user.legacy",
        Status.WAIVED,
        blocking=False,
        waiver_reason="vendor integration, ticket SEC-142",
    ),
    finding(
        "TFG-LOG-002",
        "aws_cloudwatch_log_group.broken",
        Status.ERROR,
        blocking=True,
        severity=Severity.MEDIUM,
        message="rule crashed while judging this resource (KeyError)",
        key="crash",
    ),
)

CONTROLS = (
    ControlTally("CIS-AWS-3.0", "1.15", ("TFG-IAM-001",), evaluated=5, failed=3, waived=1),
    ControlTally("PCI-DSS-4.0", "10.5.1", ("TFG-LOG-002",), evaluated=2, failed=2),
    ControlTally("PCI-DSS-4.0", "8.2.1", ("TFG-IAM-001",), evaluated=5, failed=3, waived=1),
    ControlTally("PCI-DSS-4.0", "8.2.2", ("TFG-IAM-001",), evaluated=0),
)

REPORT = Report(
    sources=("infra/plan.json",),
    profiles=("baseline", "pci-dss"),
    findings=FINDINGS,
    resources_evaluated=7,
    rules_evaluated=("TFG-IAM-001", "TFG-LOG-002", "TFG-ZZZ-999"),
    notes=("the plan is partial (-target)",),
    controls=CONTROLS,
    accounts=("111122223333",),
    frameworks=("CIS-AWS-3.0", "PCI-DSS-4.0"),
    checks={"TFG-IAM-001": 5, "TFG-LOG-002": 2, "TFG-ZZZ-999": 3},
)

PASSING = Report(
    sources=("plan.json",),
    profiles=("baseline",),
    findings=(),
    resources_evaluated=3,
    rules_evaluated=("TFG-IAM-001",),
    checks={"TFG-IAM-001": 3},
)
