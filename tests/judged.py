"""Plans judged once per test session, for the tests that look at the same judgement in
different ways (source locations, every format). Judging is the dear part, so it is cached.

`judged` judges a plan with a profile that blocks on every rule (the most findings) and names
it as `tfgate check` names it; `located` adds the source locations `tfgate check` attaches.
Both take the plan's path; call them with the repository root as the working directory and no
`GITHUB_WORKSPACE`, so locations are relative to the repository.
"""

from __future__ import annotations

import dataclasses
import datetime
from functools import cache
from pathlib import Path

from tests.paths import ROOT
from tfgate.cli import attach_locations, with_run_identity
from tfgate.config.profiles import Profile, RuleSetting, load_profile
from tfgate.engine import judge
from tfgate.errors import TfgateError
from tfgate.plan.load import load_plan
from tfgate.plan.model import Plan
from tfgate.report import Enforcement, Report
from tfgate.rules import RULES_BY_ID

TODAY = datetime.date(2026, 1, 15)


@cache
def every_rule() -> Profile:
    """Baseline with every rule blocking and unknown blocking."""
    rules = {
        rule_id: RuleSetting(Enforcement.BLOCK, dict(rule.defaults))
        for rule_id, rule in RULES_BY_ID.items()
    }
    baseline = load_profile("baseline")
    return dataclasses.replace(
        baseline, name="everything", on_unknown=Enforcement.BLOCK, rules=rules
    )


def plan_name(path: Path) -> str:
    """The name `tfgate check` would be given: relative to the repository when inside it."""
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


@cache
def _loaded(path: Path) -> Plan | str:
    try:
        return load_plan(path.read_bytes(), plan_name(path))
    except (OSError, TfgateError) as error:
        return str(error)


@cache
def judged(path: Path) -> Report | str:
    """The plan's judgement before locations are attached, or why it could not be judged."""
    plan = _loaded(path)
    if isinstance(plan, str):
        return plan
    report = judge(plan, [every_rule()], today=TODAY)
    return with_run_identity(report, [plan_name(path)], None)


@cache
def located(path: Path) -> Report | str:
    """`judged(path)` with the locations `tfgate check` attaches from the plan's directory."""
    report, plan = judged(path), _loaded(path)
    if isinstance(report, str) or isinstance(plan, str):
        return report
    return attach_locations(report, plan_name(path), plan.module_sources, None)
