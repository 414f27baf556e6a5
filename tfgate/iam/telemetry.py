"""Actions that only append telemetry: the low-risk class of writes that may be granted on `*`.

Each action adds records to a stream it cannot read back, rewrite or delete (a log event, a
metric data point, a trace segment), and AWS's own managed policies and documented roles grant
it on every resource. TFG-IAM-015 does not count these as "write on every resource"; a grant of
anything else of the same service (`logs:DeleteLogGroup`, `logs:PutRetentionPolicy`,
`logs:*`) still does.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TelemetryAction:
    action: str
    source: str
    """The AWS documentation that grants it on every resource."""


_LAMBDA_BASIC = (
    "AWS managed policy AWSLambdaBasicExecutionRole (AWS Managed Policy Reference Guide; "
    'Lambda Developer Guide, "Lambda execution role"), Resource "*"'
)
_FLOW_LOGS = (
    'Amazon VPC User Guide, "IAM role for publishing flow logs to CloudWatch Logs", Resource "*"'
)

APPEND_ONLY_TELEMETRY: tuple[TelemetryAction, ...] = (
    TelemetryAction("logs:CreateLogGroup", f"{_LAMBDA_BASIC}; {_FLOW_LOGS}"),
    TelemetryAction("logs:CreateLogStream", f"{_LAMBDA_BASIC}; {_FLOW_LOGS}"),
    TelemetryAction("logs:PutLogEvents", f"{_LAMBDA_BASIC}; {_FLOW_LOGS}"),
    TelemetryAction(
        "cloudwatch:PutMetricData",
        'AWS managed policy CloudWatchAgentServerPolicy (CloudWatch User Guide, "Create IAM '
        'roles and users for use with the CloudWatch agent"), Resource "*"',
    ),
    TelemetryAction(
        "xray:PutTraceSegments",
        'AWS managed policy AWSXRayDaemonWriteAccess (X-Ray Developer Guide, "Identity and '
        'access management for AWS X-Ray"), Resource "*"',
    ),
    TelemetryAction(
        "xray:PutTelemetryRecords",
        'AWS managed policy AWSXRayDaemonWriteAccess (X-Ray Developer Guide, "Identity and '
        'access management for AWS X-Ray"), Resource "*"',
    ),
)

APPEND_ONLY_TELEMETRY_NAMES: frozenset[str] = frozenset(
    entry.action.lower() for entry in APPEND_ONLY_TELEMETRY
)
"""The actions of `APPEND_ONLY_TELEMETRY`, lower-case, as the analysis library names them."""
