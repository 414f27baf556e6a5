"""The rule registry: every family's rules, ordered by id; no import side effects."""

from __future__ import annotations

from collections.abc import Mapping

from tfgate.rules import dst, enc, grd, iam, log, net, res, sec
from tfgate.rules.base import Rule

FAMILIES = (iam, log, enc, net, res, grd, sec, dst)

RULES: tuple[Rule, ...] = tuple(
    sorted((rule for family in FAMILIES for rule in family.RULES), key=lambda rule: rule.id)
)

RULES_BY_ID: Mapping[str, Rule] = {rule.id: rule for rule in RULES}
