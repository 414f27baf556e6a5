"""docs/controls.md is generated from rule metadata and stays in sync with it."""

from __future__ import annotations

from tests.paths import ROOT
from tfgate.controls_doc import coverage, render_controls_doc
from tfgate.rules import RULES


def test_committed_page_matches_the_rules() -> None:
    committed = (ROOT / "docs" / "controls.md").read_text(encoding="utf-8")
    assert committed == render_controls_doc(), (
        "docs/controls.md is stale: run `python -m tfgate.controls_doc > docs/controls.md`"
    )


def test_every_rule_control_appears_on_the_page() -> None:
    page = render_controls_doc()
    for rule in RULES:
        for framework, controls in rule.controls.items():
            assert f"## {framework}:" in page
            for control in controls:
                assert f"| {control} |" in page, (rule.id, control)


def test_coverage_groups_rules_by_control() -> None:
    covered = coverage()
    assert any(rule.id == "TFG-LOG-003" for rule in covered["PCI-DSS-4.0"]["10.5.1"])
    assert any(rule.id == "TFG-RES-001" for rule in covered["GDPR"]["Art. 44"])
