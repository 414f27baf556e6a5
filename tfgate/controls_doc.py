"""docs/controls.md: for each framework, each control id and the rules that evidence it.

The page is generated from rule metadata (`Rule.controls`), so it cannot drift from the rules;
a test compares the committed file with `render_controls_doc()`. Regenerate it with
`python -m tfgate.controls_doc > docs/controls.md`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from tfgate.rules import RULES
from tfgate.rules.base import Rule

FRAMEWORKS: tuple[tuple[str, str], ...] = (
    ("CIS-AWS-3.0", "CIS Amazon Web Services Foundations Benchmark v3.0"),
    ("AWS-WA-SEC", "AWS Well-Architected Framework, Security Pillar"),
    ("HIPAA", "HIPAA Security Rule, 45 CFR Part 164"),
    ("PCI-DSS-4.0", "PCI DSS v4.0"),
    ("GDPR", "GDPR, Regulation (EU) 2016/679"),
    ("NRB", "Nepal Rastra Bank IT Guidelines (2012) and Cyber Resilience Guidelines (2023)"),
)


def _natural(control: str) -> tuple[tuple[int, int | str], ...]:
    """Sort `1.2.10` after `1.2.9` and `Art. 5(1)(e)` before `Art. 25`."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part)
        for part in re.findall(r"\d+|[^\d]+", control)
    )


def coverage(rules: Iterable[Rule] = RULES) -> dict[str, dict[str, list[Rule]]]:
    """Framework → control id → the rules that evidence it, in registry order."""
    found: dict[str, dict[str, list[Rule]]] = defaultdict(lambda: defaultdict(list))
    for rule in rules:
        for framework, controls in rule.controls.items():
            for control in controls:
                found[framework][control].append(rule)
    return {framework: dict(controls) for framework, controls in found.items()}


def render_controls_doc(rules: Iterable[Rule] = RULES) -> str:
    """The Markdown page, deterministic for a given set of rules."""
    rules = tuple(rules)
    covered = coverage(rules)
    known = [key for key, _ in FRAMEWORKS]
    titles = dict(FRAMEWORKS)
    order = known + sorted(set(covered) - set(known))
    lines = [
        "# Controls evidenced by tfgate rules",
        "",
        "Generated from the rules' metadata by `python -m tfgate.controls_doc`; do not edit.",
        "A rule evidences a control when a plan that passes it shows the control's technical",
        "condition; process controls (reviews, training, contracts) are not plan-visible.",
        "",
        "| Framework | Controls covered | Rules |",
        "|---|---:|---:|",
    ]
    for framework in order:
        controls = covered.get(framework, {})
        count = len({rule.id for ids in controls.values() for rule in ids})
        lines.append(f"| {framework} | {len(controls)} | {count} |")
    for framework in order:
        controls = covered.get(framework, {})
        lines += ["", f"## {framework}: {titles.get(framework, framework)}", ""]
        if not controls:
            lines.append("No rule evidences this framework yet.")
            continue
        lines += ["| Control | Rules |", "|---|---|"]
        for control in sorted(controls, key=_natural):
            names = ", ".join(f"`{rule.id}` {rule.name}" for rule in controls[control])
            lines.append(f"| {control} | {names} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - a generator entry point
    import sys

    sys.stdout.write(render_controls_doc())
