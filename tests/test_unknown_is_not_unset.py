"""Unknown is not "not set": a value known only after apply is never reported as absent or false.

For every rule and every resource its fail fixture reports, the same plan is judged again with
every attribute that the resource's configuration sets made unknown (removed from `after`,
marked in `after_unknown`), as Terraform writes an argument whose expression is computed during
apply. No finding of the rule on that resource may then say that one of those attributes is not
set, false or missing: it may only be `unknown`. An attribute the configuration leaves out is
unknown only when the provider computes it; rules may rely on the configuration for that, and
the cases where AWS then decides (EBS encryption by default) are tested with their rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from tests.paths import FIXTURES
from tests.test_rule_fixtures import only
from tfgate.engine import evaluate
from tfgate.plan.load import load_plan
from tfgate.report import Status
from tfgate.rules import RULES
from tfgate.rules.base import Rule

CLAUSES = re.compile(r"; | \(also undecided: ")
CLAIMS_ABSENCE = re.compile(
    r"\bnot set\b|\bis false\b|= false\b|\bis not (?:true|enabled)\b|\bno \w+ with\b"
)


def reported(rule: Rule) -> Iterator[tuple[Rule, str]]:
    path = FIXTURES / rule.name / "fail" / "plan.json"
    report = evaluate(load_plan(path.read_bytes(), str(path)), [only(rule)])
    for address in sorted({f.address for f in report.findings if f.status is Status.INTRODUCED}):
        yield rule, address


CASES = [case for rule in RULES for case in reported(rule)]


def configured(document: dict[str, Any], entry: dict[str, Any]) -> set[str]:
    """The arguments the configuration block of a root module resource sets."""
    for block in document["configuration"]["root_module"].get("resources", []):
        if block["address"] == f"{entry['type']}.{entry['name']}":
            return set(block.get("expressions") or {})
    return set()


def with_unknown_after(document: dict[str, Any], address: str) -> tuple[bytes, set[str]]:
    """The plan with the configured attributes of `address` unknown, and their names."""
    made_unknown: set[str] = set()
    for entry in document["resource_changes"]:
        change = entry["change"]
        if entry["address"] != address or change["after"] is None:
            continue
        made_unknown = configured(document, entry) & set(change["after"])
        for key in made_unknown:
            del change["after"][key]
            change["after_unknown"][key] = True
    return orjson.dumps(document), made_unknown


@pytest.mark.parametrize(("rule", "address"), CASES, ids=[f"{r.id}-{a}" for r, a in CASES])
def test_unknown_attributes_are_never_reported_as_not_set(rule: Rule, address: str) -> None:
    path = FIXTURES / rule.name / "fail" / "plan.json"
    document = orjson.loads(path.read_bytes())
    data, made_unknown = with_unknown_after(document, address)
    report = evaluate(load_plan(data, str(path)), [only(rule)])
    for finding in report.findings:
        if finding.address != address or finding.rule != rule.id:
            continue
        if finding.status is Status.UNKNOWN:
            continue
        # A finding may list several problems ("a; b (also undecided: c)"): judge each one.
        for clause in CLAUSES.split(finding.message):
            if not CLAIMS_ABSENCE.search(clause):
                continue
            named = {name for name in made_unknown if re.search(rf"\b{name}\b", clause)}
            assert not named, f"{finding.message} (unknown: {sorted(named)})"
