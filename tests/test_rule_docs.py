"""Every rule explains itself the same way, and the registry is well-formed."""

from __future__ import annotations

import re

import pytest

from tfgate.rules import RULES, RULES_BY_ID
from tfgate.rules.base import DOC_SECTIONS, Rule

ID = re.compile(r"^TFG-[A-Z]{3}-[0-9]{3}$")
NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FRAMEWORKS = {"CIS-AWS-3.0", "AWS-WA-SEC", "HIPAA", "PCI-DSS-4.0", "GDPR", "NRB"}


def test_ids_and_names_are_unique() -> None:
    assert len(RULES_BY_ID) == len(RULES)
    assert len({rule.name for rule in RULES}) == len(RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_rule_metadata(rule: Rule) -> None:
    assert ID.match(rule.id)
    assert NAME.match(rule.name)
    assert rule.title and rule.resource_types
    assert rule.controls and set(rule.controls) <= FRAMEWORKS
    assert all(ids for ids in rule.controls.values())


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_rule_doc_has_every_section(rule: Rule) -> None:
    sections = rule.sections
    assert list(sections) == list(DOC_SECTIONS)
    assert all(sections[name] for name in DOC_SECTIONS)
    assert rule.summary and rule.fix


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_parameters_have_a_schema_and_defaults(rule: Rule) -> None:
    declared = set((rule.params_schema.get("properties") or {}).keys())
    assert set(rule.defaults) <= declared
