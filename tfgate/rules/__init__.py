"""The explicit rule registry: every rule, in a stable order; no import side effects."""

from __future__ import annotations

from collections.abc import Mapping

from tfgate.rules.base import Rule
from tfgate.rules.guardrails import GUARDRAIL_DELETED, GUARDRAIL_DISABLED
from tfgate.rules.identities import ACCESS_KEY, IAM_USER, LOGIN_PROFILE, USER_PERMISSIONS
from tfgate.rules.logging import LOG_GROUP_ENCRYPTED, TRAIL_ENCRYPTED
from tfgate.rules.policies import PASS_ROLE, POLICY_EVALUABLE

RULES: tuple[Rule, ...] = (
    IAM_USER,
    ACCESS_KEY,
    LOGIN_PROFILE,
    USER_PERMISSIONS,
    PASS_ROLE,
    POLICY_EVALUABLE,
    TRAIL_ENCRYPTED,
    LOG_GROUP_ENCRYPTED,
    GUARDRAIL_DELETED,
    GUARDRAIL_DISABLED,
)

RULES_BY_ID: Mapping[str, Rule] = {rule.id: rule for rule in RULES}
