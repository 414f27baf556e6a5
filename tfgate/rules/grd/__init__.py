"""Guardrails: CloudTrail, Config, GuardDuty, Security Hub and SCPs kept on (TFG-GRD)."""

from __future__ import annotations

from tfgate.rules.base import Rule
from tfgate.rules.grd.guardrail_coverage import RECORDER_NARROWED, TRAIL_COVERAGE_NARROWED
from tfgate.rules.grd.guardrails import GUARDRAIL_DELETED, GUARDRAIL_DISABLED
from tfgate.rules.grd.scp import SCP_GUARDRAIL_REMOVED

RULES: tuple[Rule, ...] = (
    RECORDER_NARROWED,
    TRAIL_COVERAGE_NARROWED,
    GUARDRAIL_DELETED,
    GUARDRAIL_DISABLED,
    SCP_GUARDRAIL_REMOVED,
)
