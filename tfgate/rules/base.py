"""What a rule is: metadata plus a pure check function, and the helpers rules share."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any

from tfgate.plan.model import Plan, Resource
from tfgate.plan.refs import Target, data_source_values, referenced_resources, resolved_targets
from tfgate.plan.values import PathPart, View
from tfgate.report import Severity

if TYPE_CHECKING:
    from tfgate.hclpolicy import PolicySources

DOC_SECTIONS = ("What it does", "Why it matters", "Example", "Fix", "Parameters", "References")


class Kind(StrEnum):
    STATE = "state"
    """Judges one view of a resource; the engine compares `after` with `before`."""
    CHANGE = "change"
    """Judges the change itself (a deletion, a guardrail switched off)."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One thing a rule found on one resource.

    `key` tells several hits of a rule on one resource apart and must be the same for the same
    problem in `before` and `after`, so the engine can tell introduced from existing.
    """

    message: str
    key: str = ""
    unknown: bool = False
    severity: Severity | None = None
    always_blocks: bool = False
    """Block whatever the profile's enforcement: the plan hides what it would be judged on."""


@dataclass(frozen=True, slots=True)
class Context:
    """What a rule may ask about the rest of the plan, and the account(s) it is for."""

    plan: Plan
    accounts: frozenset[str] = frozenset()
    sources: PolicySources | None = None
    """The Terraform source the plan was made from, to rebuild documents unknown in the plan."""

    def referenced(self, resource: Resource, *path: PathPart) -> tuple[Resource, ...]:
        return referenced_resources(self.plan, resource, *path)

    def targets(self, resource: Resource, *path: PathPart) -> tuple[Target, ...]:
        """What the expression at `path` refers to, followed through module variables and
        outputs to the resource or data source it comes from."""
        return tuple(dict.fromkeys(t for _, t in resolved_targets(self.plan, resource, *path)))

    def data_source(self, resource: Resource, target: Target) -> Mapping[str, Any] | None:
        return data_source_values(self.plan, resource, target)


Check = Callable[[Resource, View, Context, Mapping[str, Any]], Iterable[Hit]]
PlanCheck = Callable[[Context, Mapping[str, Any]], Iterable[tuple[str, Hit]]]
"""Judges what belongs to no resource (root module variables, provider blocks), once per plan;
yields each hit with the address of what it is about (`var.key`, `provider["aws"]`)."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    title: str
    severity: Severity
    resource_types: frozenset[str]
    controls: Mapping[str, tuple[str, ...]]
    check: Check
    kind: Kind = Kind.STATE
    params_schema: Mapping[str, Any] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    plan_check: PlanCheck | None = None

    @property
    def doc(self) -> str:
        return _doc_of(self.check)

    @property
    def sections(self) -> dict[str, str]:
        return dict(_sections_of(self.check))

    @property
    def fix(self) -> str:
        return first_paragraph(self.sections.get("Fix", ""))

    @property
    def summary(self) -> str:
        return first_paragraph(self.sections.get("What it does", ""))


@cache
def _doc_of(check: Check) -> str:
    return _dedent_doc(check.__doc__ or "")


@cache
def _sections_of(check: Check) -> tuple[tuple[str, str], ...]:
    return tuple(doc_sections(_doc_of(check)).items())


def _dedent_doc(text: str) -> str:
    lines = text.expandtabs().splitlines()
    if not lines:
        return ""
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    margin = min(indents) if indents else 0
    body = [lines[0].strip(), *(line[margin:] for line in lines[1:])]
    return "\n".join(body).strip() + "\n"


_HEADING = re.compile(r"^## (.+?)\s*$", re.MULTILINE)


def doc_sections(doc: str) -> dict[str, str]:
    """Split a rule doc on its `## Section` headings."""
    found: dict[str, str] = {}
    matches = list(_HEADING.finditer(doc))
    for position, match in enumerate(matches):
        end = matches[position + 1].start() if position + 1 < len(matches) else len(doc)
        found[match.group(1)] = doc[match.end() : end].strip()
    return found


def first_paragraph(text: str) -> str:
    return " ".join(text.split("\n\n", 1)[0].split())


def known_text(view: View, *path: PathPart) -> str | None:
    """A known, non-empty string at `path`, else None."""
    value = view.value(*path)
    return value if isinstance(value, str) and value else None
