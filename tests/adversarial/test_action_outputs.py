"""Class 16: the Action. A newline in any input cannot write a line of its own to
GITHUB_OUTPUT, and a run that judged nothing (a missing working directory, a killed tfgate, no
report) is `result=error`, exit 2, with every output set and a job summary that says why.

The action's step scripts run for real with bash (see `tests/test_action.py`)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.test_action import action, assert_could_not_judge, run_action, strict_outputs

OUTPUTS = {"result", "blocking", "exit-code", "sarif-file", "profiles"}
SETUP = {"error", "key", "venv"}
INJECTION = "\nresult=pass\nexit-code=0\nblocking<<EOF\n0\nEOF\n"


def written(tmp_path: Path) -> dict[str, str]:
    return strict_outputs((tmp_path / "github_output").read_text(encoding="utf-8").splitlines())


def fake_tfgate(tmp_path: Path, body: str) -> dict[str, dict[str, str]]:
    script = tmp_path / "fake-tfgate"
    script.write_text(f"#!/bin/bash\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return {"install": {"bin": str(script), "python": sys.executable}}


@pytest.mark.parametrize("name", sorted(set(action()["inputs"]) - {"working-directory"}))
def test_a_newline_in_any_input_adds_no_output(tmp_path: Path, name: str) -> None:
    given = {"plan": "plan.json", "working-directory": "infra"}
    given[name] = given.get(name, "x") + INJECTION
    run = run_action(tmp_path, given)
    outputs = written(tmp_path)
    assert set(outputs) == SETUP | OUTPUTS
    assert outputs["result"] in ("block", "error")
    assert outputs["exit-code"] in ("1", "2")
    assert run.returncode == int(outputs["exit-code"])


def test_a_newline_in_the_working_directory_adds_no_output(tmp_path: Path) -> None:
    run = run_action(tmp_path, {"plan": "plan.json", "working-directory": "infra" + INJECTION})
    assert_could_not_judge(run, "working-directory infra result=pass")
    assert written(tmp_path)["result"] == "error"


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("kill -KILL $$", "tfgate was killed by signal 9"),
        ("exit 1", "tfgate wrote no readable report (exit 1)"),
        ("exit 3", "tfgate exited with 3"),
    ],
    ids=["killed", "no report", "unknown exit code"],
)
def test_a_run_that_judged_nothing_is_an_error(tmp_path: Path, body: str, why: str) -> None:
    run = run_action(
        tmp_path,
        {"plan": "plan.json", "working-directory": "infra", "soft-fail": "true"},
        overrides=fake_tfgate(tmp_path, body),
    )
    assert_could_not_judge(run, why)


def test_an_error_message_cannot_forge_a_second_annotation(tmp_path: Path) -> None:
    run = run_action(
        tmp_path,
        {"plan": "plan.json", "working-directory": "infra"},
        overrides=fake_tfgate(
            tmp_path, "printf 'tfgate: error: bad %%0A::warning::forged\\n' >&2; exit 2"
        ),
    )
    assert run.returncode == 2
    assert run.stdout.splitlines() == ["::error title=tfgate::bad %250A::warning::forged"]
    assert "    bad %0A::warning::forged" in run.summary
    assert not [line for line in run.stdout.splitlines() if line.startswith("::warning")]
