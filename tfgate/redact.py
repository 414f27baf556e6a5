"""The one redaction step between the engine and every formatter.

Values the plan marks sensitive, and strings that look like credentials, are replaced wherever
they appear in a finding, including in messages built by rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from tfgate.plan.model import Plan
from tfgate.plan.values import sensitive_strings
from tfgate.report import Finding

MASK = "(redacted)"

CREDENTIAL_PATTERNS = (
    re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b"),
    # 40 characters of base64 with both letter cases and a digit: an AWS secret access key
    re.compile(
        r"(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+=]{0,39}[A-Z])(?=[A-Za-z0-9/+=]{0,39}[a-z])"
        r"(?=[A-Za-z0-9/+=]{0,39}[0-9])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])"
    ),
    re.compile(
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.S
    ),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b"),
)

_SHORTEST_SECRET = 4


@dataclass(frozen=True, slots=True)
class Redactor:
    secrets: tuple[str, ...]

    @classmethod
    def for_plan(cls, plan: Plan) -> Redactor:
        found: set[str] = set()
        for resource in plan.resources:
            for view in (resource.before, resource.after):
                if view.values is not None and view.sensitive not in (None, False, {}):
                    found.update(sensitive_strings(view.values, view.sensitive))
        longest_first = sorted(
            (text for text in found if len(text) >= _SHORTEST_SECRET), key=lambda t: (-len(t), t)
        )
        return cls(tuple(longest_first))

    def text(self, value: str) -> str:
        for secret in self.secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        for pattern in CREDENTIAL_PATTERNS:
            value = pattern.sub(MASK, value)
        return value

    def finding(self, finding: Finding) -> Finding:
        return replace(
            finding,
            message=self.text(finding.message),
            key=self.text(finding.key),
            fix=self.text(finding.fix),
        )
