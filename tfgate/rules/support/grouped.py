"""One finding per rule and resource when a rule finds several problems on one resource.

A rule that checks several settings of one resource (the four Block Public Access flags, the
password policy's length and history) reports them as one hit whose message lists them. The
engine tells introduced from existing by the hit's key on `after` and on `before`; the key here
is `weakened` when `after` has a problem that `before` did not, else `unchanged`, so an update
that fixes one of two problems is not reported as new, and one that adds a problem is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

from tfgate.plan.model import Resource
from tfgate.plan.values import View
from tfgate.report import Severity
from tfgate.rules.base import Hit


class Problem(NamedTuple):
    key: str
    message: str
    unknown: bool = False
    severity: Severity | None = None


Problems = Callable[[Resource, View], list[Problem]]


def _worst(problems: list[Problem]) -> Severity | None:
    ranked = [problem.severity for problem in problems if problem.severity is not None]
    return min(ranked, key=lambda severity: severity.rank) if ranked else None


def grouped_hit(resource: Resource, view: View, problems_of: Problems) -> Iterator[Hit]:
    """The problems `problems_of` finds on `view`, as at most one hit.

    Definite problems make one hit listing them all (and naming the undecided ones); only
    undecided problems make one `unknown` hit.
    """
    problems = problems_of(resource, view)
    definite = [problem for problem in problems if not problem.unknown]
    undecided = [problem for problem in problems if problem.unknown]
    if not definite:
        if undecided:
            yield Hit("; ".join(p.message for p in undecided), key="unknown", unknown=True)
        return
    message = "; ".join(problem.message for problem in definite)
    if undecided:
        message += f" (also undecided: {'; '.join(p.message for p in undecided)})"
    key = "unchanged"
    if view.values is resource.after.values and resource.before.values is not None:
        before = {p.key for p in problems_of(resource, resource.before) if not p.unknown}
        if {problem.key for problem in definite} - before:
            key = "weakened"
    yield Hit(message, key=key, severity=_worst(definite))
