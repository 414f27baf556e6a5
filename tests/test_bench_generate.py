"""The benchmark's plan generator: its output is a plan tfgate loads and judges (no timing here)."""

from __future__ import annotations

import datetime
from pathlib import Path

import orjson

from bench.generate import generate, write_plan
from tfgate.config.profiles import load_profile
from tfgate.engine import judge
from tfgate.plan.load import load_plan
from tfgate.report import Status


def _load(tmp_path: Path, n: int, **options: float) -> tuple[bytes, Path]:
    path = write_plan(tmp_path / f"plan-{n}.json", n, **options)  # type: ignore[arg-type]
    return path.read_bytes(), path


def test_generated_plan_has_exactly_n_changes_and_loads(tmp_path: Path) -> None:
    data, path = _load(tmp_path, 300)
    plan = load_plan(data, str(path))
    assert len(plan.resources) == 300
    assert len({r.address for r in plan.resources}) == 300
    modules = {r.module_address for r in plan.resources}
    assert any(".module.iam" in m for m in modules)
    assert any(isinstance(r.index, str) for r in plan.resources)
    actions = {action for r in plan.resources for action in r.actions}
    assert {"create", "no-op", "read"} <= actions
    assert plan.data_sources  # read at plan time, from prior_state
    assert any(
        r.after.is_sensitive("environment", 0, "variables", "DB_PASSWORD")
        for r in plan.resources
        if r.type == "aws_lambda_function"
    )


def test_generator_is_deterministic() -> None:
    assert orjson.dumps(generate(120, seed=3)) == orjson.dumps(generate(120, seed=3))
    assert orjson.dumps(generate(120, seed=3)) != orjson.dumps(generate(120, seed=4))


def test_one_resource_plan(tmp_path: Path) -> None:
    data, path = _load(tmp_path, 1)
    assert len(load_plan(data, str(path)).resources) == 1


def test_generated_plan_is_judged_with_findings_and_no_errors(tmp_path: Path) -> None:
    data, path = _load(tmp_path, 400, violations=0.3)
    plan = load_plan(data, str(path))
    report = judge(
        plan, [load_profile("baseline", relative_to=Path.cwd())], today=datetime.date(2026, 1, 1)
    )
    statuses = {finding.status for finding in report.findings}
    assert Status.ERROR not in statuses
    assert Status.INTRODUCED in statuses
    assert report.blocking
    # the sensitive Lambda environment values never reach the report
    secrets = {
        value
        for r in plan.resources
        if r.type == "aws_lambda_function"
        for value in [r.after.value("environment", 0, "variables", "DB_PASSWORD")]
        if isinstance(value, str)
    }
    rendered = " ".join(f.message + f.key for f in report.findings)
    assert secrets and not any(secret in rendered for secret in secrets)
