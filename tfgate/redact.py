"""The one redaction step between the engine and every formatter.

Values the plan marks sensitive, and strings that look like credentials, are replaced wherever
they appear in a finding, including in messages built by rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from tfgate.plan.model import Plan
from tfgate.plan.values import sensitive_strings

MASK = "(redacted)"

CREDENTIAL_PATTERNS = (
    # An access key id, also when glued to other text (`id_AKIA...`, `XAKIA...`): no boundaries
    re.compile(r"(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}"),
    # 40 characters of base64 with both letter cases and a digit: an AWS secret access key,
    # also as one segment of a path or ARN (`bucket/<key>/*`)
    re.compile(
        r"(?<![A-Za-z0-9+=])(?=[A-Za-z0-9/+=]{0,39}[A-Z])(?=[A-Za-z0-9/+=]{0,39}[a-z])"
        r"(?=[A-Za-z0-9/+=]{0,39}[0-9])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9+=])"
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
    """Masks the plan's sensitive values and credential-shaped strings in text.

    A large plan has thousands of sensitive values; rather than searching every text for every
    one of them, the secrets are indexed by their first characters and a text is scanned once.
    Replacement order and result are those of replacing each secret in `secrets` order.
    """

    secrets: tuple[str, ...]
    _by_prefix: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _always: frozenset[str] = field(init=False, repr=False, compare=False)
    _rank: Mapping[str, int] = field(init=False, repr=False, compare=False)
    _prefixes: frozenset[str] = field(init=False, repr=False, compare=False)
    _done: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_prefix: dict[str, list[str]] = {}
        always: set[str] = set()
        for secret in self.secrets:
            # A secret that could be formed by the mask text and its neighbours after an
            # earlier replacement is checked on every text, as the plain loop would.
            if len(secret) < _SHORTEST_SECRET or "(" in secret or ")" in secret or secret in MASK:
                always.add(secret)
            else:
                by_prefix.setdefault(secret[:_SHORTEST_SECRET], []).append(secret)
        object.__setattr__(self, "_by_prefix", {k: tuple(v) for k, v in by_prefix.items()})
        object.__setattr__(self, "_always", frozenset(always))
        object.__setattr__(self, "_prefixes", frozenset(by_prefix))
        object.__setattr__(self, "_done", {})
        object.__setattr__(
            self, "_rank", {s: n for n, s in reversed(list(enumerate(self.secrets)))}
        )

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

    def _present(self, value: str) -> list[str]:
        """The secrets that may need replacing in `value`, in `secrets` order."""
        present = set(self._always)
        if self._prefixes:
            width = _SHORTEST_SECRET
            windows = {value[start : start + width] for start in range(len(value) - width + 1)}
            for prefix in windows & self._prefixes:
                present.update(secret for secret in self._by_prefix[prefix] if secret in value)
        if not present:
            return []
        return sorted(present, key=self._rank.__getitem__)

    def text(self, value: str) -> str:
        done = self._done.get(value)
        if done is not None:
            return done
        original = value
        for secret in self._present(value) if self.secrets else ():
            if secret in value:
                value = value.replace(secret, MASK)
        for pattern in CREDENTIAL_PATTERNS:
            value = pattern.sub(MASK, value)
        self._done[original] = value
        return value

    def plain_text(self, value: str) -> str:
        """Text a plan supplies (an address, a rule's message), made inert and redacted."""
        return self.text(inert(value))


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def inert(value: str) -> str:
    """Control characters from the plan shown as `\\xNN`, so that no text a plan supplies (a Sid,
    an address) can start a new line in a CI log (`::error ...` workflow commands) or send
    escape sequences to a terminal."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", value)
