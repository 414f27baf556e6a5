"""The shared IAM golden table, fed through tfgate's rules.

Each golden policy becomes the document of one synthetic resource of the right kind (identity:
`aws_iam_policy.policy`; trust: `aws_iam_role.assume_role_policy`; resource:
`aws_s3_bucket_policy.policy`), the plan goes through the real loader, every registered rule
runs with its defaults and the own account 111122223333, and the rules the case lists must fire
with exactly that severity (the worst of the rule's hits) or stay silent. Reference ids map to
tfgate ids by number: IAM-0NN is TFG-IAM-0NN.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.paths import SHARED
from tests.rules.iam_plans import document_plan, findings, worst
from tfgate.rules import RULES

DOCUMENT_MODULES = {
    "tfgate.rules.iam.permissions",
    "tfgate.rules.iam.trust",
    "tfgate.rules.iam.resource_policies",
    "tfgate.rules.iam.policies",
}
DOCUMENT_RULES = [rule for rule in RULES if rule.check.__module__ in DOCUMENT_MODULES]
GOLDEN = SHARED / "reference" / "iam-golden.json"
OWN = frozenset({"111122223333"})


def _cases() -> list[Any]:
    if not GOLDEN.is_file():
        return [pytest.param(None, id="golden-table-absent")]
    return [pytest.param(case, id=case["id"]) for case in json.loads(GOLDEN.read_text())]


def tfgate_id(reference_id: str) -> str:
    return f"TFG-{reference_id}"


@pytest.mark.parametrize("case", _cases())
def test_golden_case_through_rules(case: Any) -> None:
    if case is None:
        pytest.skip("iam-golden.json is not available beside this checkout")
    found = findings(document_plan(case["kind"], case["policy"]), OWN)
    for rule_id, severity in case["fire"].items():
        hits = found.get(tfgate_id(rule_id))
        assert hits, f"{rule_id} did not fire: {sorted(found)}"
        assert worst(hits).value == severity.lower(), (rule_id, hits)
        assert all(not unknown for *_, unknown in hits), hits
    for rule_id in case["not_"]:
        assert tfgate_id(rule_id) not in found, (rule_id, found[tfgate_id(rule_id)])


@pytest.mark.parametrize("case", _cases())
def test_golden_messages_name_the_statement(case: Any) -> None:
    if case is None:
        pytest.skip("iam-golden.json is not available beside this checkout")
    found = findings(document_plan(case["kind"], case["policy"]), OWN, DOCUMENT_RULES)
    for hits in found.values():
        for _, _, message, _ in hits:
            assert "statement #" in message or 'Sid "' in message, message
