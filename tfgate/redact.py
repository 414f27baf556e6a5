"""The one gate every text passes on its way out of tfgate.

`Redactor.outgoing(text, kind)` decides what may leave, for every field of a report, every error
line and every `--debug` traceback line:

- a VALUE (a rule's message, a finding key, a waiver's reason or owner, a note, a profile name)
  has the plan's sensitive values and every credential-shaped string replaced by `(redacted)`,
- a PATH (a .tf file, a plan file, a module directory) has credential shapes replaced,
- a NAME (a resource address, a rule id: what Terraform itself prints) is never redacted,

and all three are then made inert: control characters and bidirectional-text controls are shown
as `\\xNN` / `\\uNNNN`, so no text can start a line in a CI log or reorder what a reviewer reads.

Redaction comes first, on the raw text, so that a control character next to a credential is a
boundary (`\\t` then a key) rather than the `\\x09` text that escaping makes of it; the patterns
also treat an escape already present in the text as a boundary. A resource address that a message
quotes is kept whole: a sensitive `"snyk"` never turns `aws_s3_bucket.snyk_public` into
`aws_s3_bucket.(redacted)_public`. A secret is kept only where it lies wholly inside such an
address; any occurrence that reaches beyond it is masked.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tfgate.plan.model import Plan
    from tfgate.report import Report

MASK = "(redacted)"

# A boundary before a credential: no key character, or an escape sequence (`\x09`, `\u2028`,
# `\n`) that a previous step or the plan itself wrote in place of a control character.
_AFTER_BOUNDARY = (
    r"(?:(?<![A-Za-z0-9+])|(?<=\\x[0-9a-fA-F]{2})|(?<=\\u[0-9a-fA-F]{4})|(?<=\\[nrt0]))"
)

# None of these can backtrack more than the length of one match: each is a literal prefix, then
# one character class repeated (the lookaheads of the secret-key pattern are bounded to 40).
CREDENTIAL_PATTERNS = (
    # An access key id, also when glued to other text (`id_AKIA...`, `XAKIA...`): no boundaries
    re.compile(r"(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}"),
    # 40 characters of base64 with both letter cases and a digit: an AWS secret access key,
    # also as one segment of a path or ARN (`bucket/<key>/*`)
    re.compile(
        _AFTER_BOUNDARY + r"(?=[A-Za-z0-9/+=]{0,39}[A-Z])(?=[A-Za-z0-9/+=]{0,39}[a-z])"
        r"(?=[A-Za-z0-9/+=]{0,39}[0-9])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9+=])"
    ),
    # PEM private keys and PGP private key blocks, up to their end line or the end of the text
    re.compile(
        r"-----BEGIN [A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----.*?"
        r"(?:-----END [A-Z ]{0,40}PRIVATE KEY(?: BLOCK)?-----|\Z)",
        re.S,
    ),
    # GitHub tokens, classic and fine-grained, also glued to other text (`ZZghp_...`)
    re.compile(r"gh[pousr]_[A-Za-z0-9]{36,}"),
    re.compile(r"github_pat_[A-Za-z0-9_]{22,}"),
    re.compile(r"xox[abprs]-[A-Za-z0-9-]{10,}"),
    # JSON Web Tokens, also glued to other text. A first segment runs to the end of its run of
    # token characters whichever `eyJ` of the run it starts at, so only the run's first `eyJ`
    # is tried: the match starts where the run starts, the atomic group stops at the first
    # `eyJ` and never retries a later one, and the possessive segments never give back. Each
    # character is scanned a bounded number of times, where `eyJ[...]{10,}\.` alone rescans
    # the rest of the run from every `eyJ` in it (quadratic in the length of the text).
    re.compile(
        r"(?<![A-Za-z0-9_-])(?>[A-Za-z0-9_-]*?eyJ)"
        r"[A-Za-z0-9_-]{10,}+\.[A-Za-z0-9_-]{10,}+\.[A-Za-z0-9_-]{10,}+"
    ),
)

# The password of a connection URL (`postgres://user:password@host`): the user stays, the
# password up to the last `@` before the host is masked. Every repetition is bounded, so a text
# of many `x://u:` costs at most 1,024 characters of scanning each.
_URL_PASSWORD = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,30}://[^\s:/@]{0,256}:)[^\s/]{0,1024}@")

# What Terraform prints as an address: `module.a["k"].data.aws_x.b[0]`. Instance keys are
# bounded, so an unterminated quote costs at most 512 characters per candidate.
_KEY = r'(?:\[(?:[0-9]{1,20}|"(?:[^"\\]|\\.){0,512}")\])?'
_ADDRESS = re.compile(
    r"(?<![\w.-])(?:module\.[A-Za-z_][\w-]*" + _KEY + r"\.)*(?:data\.)?[a-z][a-z0-9_]*\."
    r"[A-Za-z_][\w-]*" + _KEY
)
_RULE_ID = re.compile(r"\bTFG-[A-Z]{3}-[0-9]{3}\b")

_SHORTEST_SECRET = 4

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class TextKind(Enum):
    VALUE = "value"
    """Text that may quote the plan or the configuration: every mask applies."""
    PATH = "path"
    """A file or directory name: credential shapes are masked, sensitive values are not."""
    NAME = "name"
    """A resource address or rule id, as Terraform and tfgate print them: escaped only."""


def inert(value: str) -> str:
    """Control characters shown as `\\xNN` and bidirectional controls as `\\uNNNN`, so that no
    text a plan supplies (a Sid, an address) can start a new line in a CI log (`::error ...`
    workflow commands), send escape sequences to a terminal, or reorder the text around it."""
    value = _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", value)
    return _BIDI.sub(lambda match: f"\\u{ord(match.group()):04x}", value)


Span = tuple[int, int]


class _Shield:
    """Protected spans of one text, answering "does one contain [start, end)?" by bisection, so
    that a text with thousands of masks and matches costs n log n, not n squared."""

    def __init__(self, spans: Iterable[Span]) -> None:
        ordered = sorted(spans)
        self.starts = [low for low, _ in ordered]
        self.reach: list[int] = []  # the furthest end of any span starting at or before each
        furthest = -1
        for _, high in ordered:
            furthest = max(furthest, high)
            self.reach.append(furthest)

    def __bool__(self) -> bool:
        return bool(self.starts)

    def covers(self, start: int, end: int) -> bool:
        position = bisect.bisect_right(self.starts, start) - 1
        return position >= 0 and self.reach[position] >= end


def _credential_spans(value: str) -> Iterator[Span]:
    """Where credential shapes lie in `value` (of a connection URL, only its password)."""
    for pattern in CREDENTIAL_PATTERNS:
        for match in pattern.finditer(value):
            yield match.span()
    for match in _URL_PASSWORD.finditer(value):
        yield match.end(1), match.end() - 1


def _mask_spans(value: str, spans: Iterable[Span]) -> str:
    """`value` with each run of overlapping or touching spans replaced by one mask."""
    pieces: list[str] = []
    done = 0
    for start, end in sorted(spans):
        if end <= start:
            continue
        if start <= done and pieces:
            done = max(done, end)
            continue
        pieces += [value[done:start], MASK]
        done = end
    return "".join(pieces) + value[done:]


@dataclass(frozen=True, slots=True)
class Redactor:
    """Masks the plan's sensitive values and credential-shaped strings in text.

    A large plan has thousands of sensitive values; rather than searching every text for every
    one of them, the secrets are indexed by their first characters and a text is scanned once.
    `names` are the addresses the plan holds: where a text quotes one, it is kept whole.
    """

    secrets: tuple[str, ...]
    names: frozenset[str] = frozenset()
    _by_prefix: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _always: frozenset[str] = field(init=False, repr=False, compare=False)
    _prefixes: frozenset[str] = field(init=False, repr=False, compare=False)
    _done: dict[tuple[str, TextKind], str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_prefix: dict[str, list[str]] = {}
        always: set[str] = set()
        for secret in self.secrets:
            # Too short to index by its first characters: looked for in every text.
            if len(secret) < _SHORTEST_SECRET:
                always.add(secret)
            else:
                by_prefix.setdefault(secret[:_SHORTEST_SECRET], []).append(secret)
        object.__setattr__(self, "_by_prefix", {k: tuple(v) for k, v in by_prefix.items()})
        object.__setattr__(self, "_always", frozenset(always))
        object.__setattr__(self, "_prefixes", frozenset(by_prefix))
        object.__setattr__(self, "_done", {})

    @classmethod
    def for_plan(cls, plan: Plan) -> Redactor:
        from tfgate.plan.values import sensitive_strings

        found: set[str] = set()
        names: set[str] = set()
        for resource in plan.resources:
            names.update((resource.address, resource.config_address))
            if resource.module_address:
                names.update(
                    (
                        resource.module_address,
                        f"{resource.module_address}.{resource.config_address}",
                    )
                )
            for view in (resource.before, resource.after):
                if view.values is not None and view.sensitive not in (None, False, {}):
                    found.update(sensitive_strings(view.values, view.sensitive))
        names.update(plan.data_sources)
        longest_first = sorted(
            (text for text in found if len(text) >= _SHORTEST_SECRET), key=lambda t: (-len(t), t)
        )
        return cls(tuple(longest_first), frozenset(names))

    def _present(self, value: str) -> set[str]:
        """The secrets that may occur in `value` (the short ones always)."""
        present = set(self._always)
        if self._prefixes:
            width = _SHORTEST_SECRET
            windows = {value[start : start + width] for start in range(len(value) - width + 1)}
            for prefix in windows & self._prefixes:
                present.update(secret for secret in self._by_prefix[prefix] if secret in value)
        return present

    def _protected(self, value: str) -> _Shield:
        """Spans never redacted: the mask itself, and addresses and rule ids the text quotes."""
        spans: list[Span] = []
        start = value.find(MASK)
        while start >= 0:
            spans.append((start, start + len(MASK)))
            start = value.find(MASK, start + len(MASK))
        if "." in value and self.names:
            spans.extend(
                match.span() for match in _ADDRESS.finditer(value) if match.group() in self.names
            )
        spans.extend(match.span() for match in _RULE_ID.finditer(value))
        return _Shield(spans)

    def _secret_spans(self, value: str) -> Iterator[Span]:
        """Where the plan's sensitive values lie in `value`, overlapping ones included."""
        for secret in self._present(value):
            start = value.find(secret)
            while start >= 0:
                yield start, start + len(secret)
                start = value.find(secret, start + 1)

    def outgoing(self, value: str, kind: TextKind = TextKind.VALUE) -> str:
        """What of `value` may leave tfgate, as a field of kind `kind` (see the module doc)."""
        cached = self._done.get((value, kind))
        if cached is None:
            cached = self._done[(value, kind)] = inert(self._redacted(value, kind))
        return cached

    def text(self, value: str) -> str:
        """`value` redacted, control characters left as they are."""
        return self._redacted(value, TextKind.VALUE)

    def _redacted(self, value: str, kind: TextKind) -> str:
        if kind is TextKind.NAME:
            return value
        # Every span is found on the text as it came, then all are masked at once: masking one
        # first could cut another (a secret inside a key, a key around a secret) so that what
        # is left of it no longer matches and leaks.
        spans = list(_credential_spans(value))
        if kind is TextKind.VALUE and self.secrets:
            spans.extend(self._secret_spans(value))
        if not spans:
            return value
        shield = self._protected(value)
        return _mask_spans(value, (span for span in spans if not shield.covers(*span)))

    def report(self, report: Report) -> Report:
        """Every text field of `report` as it may leave tfgate."""

        def value(text: str) -> str:
            return self.outgoing(text)

        def path(text: str) -> str:
            return self.outgoing(text, TextKind.PATH)

        def name(text: str) -> str:
            return self.outgoing(text, TextKind.NAME)

        findings = tuple(
            dataclasses.replace(
                finding,
                rule=name(finding.rule),
                title=value(finding.title),
                address=name(finding.address),
                message=value(finding.message),
                fix=value(finding.fix),
                key=value(finding.key),
                plan=path(finding.plan),
                location=None
                if finding.location is None
                else dataclasses.replace(finding.location, file=path(finding.location.file)),
                waiver_reason=None
                if finding.waiver_reason is None
                else value(finding.waiver_reason),
                parts=tuple(
                    dataclasses.replace(part, key=value(part.key), message=value(part.message))
                    for part in finding.parts
                ),
                controls={
                    value(framework): tuple(value(control) for control in controls)
                    for framework, controls in finding.controls.items()
                },
            )
            for finding in report.findings
        )
        controls = tuple(
            dataclasses.replace(
                tally,
                framework=value(tally.framework),
                control=value(tally.control),
                rules=tuple(name(rule) for rule in tally.rules),
            )
            for tally in report.controls
        )
        return dataclasses.replace(
            report,
            sources=tuple(path(source) for source in report.sources),
            profiles=tuple(value(profile) for profile in report.profiles),
            findings=findings,
            rules_evaluated=tuple(name(rule) for rule in report.rules_evaluated),
            notes=tuple(value(note) for note in report.notes),
            controls=controls,
            accounts=tuple(value(account) for account in report.accounts),
            account_method=value(report.account_method),
            selection=value(report.selection),
            frameworks=tuple(value(framework) for framework in report.frameworks),
        )


def outgoing(value: str, kind: TextKind = TextKind.VALUE) -> str:
    """`Redactor.outgoing` without plan secrets: for errors and tracebacks (credential shapes
    masked, control characters escaped)."""
    return Redactor(()).outgoing(value, kind)
