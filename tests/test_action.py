"""action.yml without GitHub: each step's script runs with bash as the runner runs it.

The runner writes a composite step's `run:` to a file and runs `bash --noprofile --norc -eo
pipefail FILE`, with the step's `env:` after `${{ }}` expressions are substituted. Here the few
expressions the action uses are resolved by hand, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and
RUNNER_TEMP are temporary files, and GITHUB_WORKSPACE is a fake checkout holding a fixture. The
install step is replaced by the tfgate already installed in this environment.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from tests.paths import FIXTURES, ROOT

ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
PINNED = re.compile(r"^[a-z0-9-]+/[a-z0-9-]+@[0-9a-f]{40}$")
HOSTILE = 'x"; touch pwned; echo "$(touch pwned2)`touch pwned3`'


def action() -> dict[str, Any]:
    document = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def steps() -> list[dict[str, Any]]:
    return list(action()["runs"]["steps"])


def parse_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT lines: `k=v` and `k<<DELIM` ... `DELIM`."""
    found: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            body: list[str] = []
            for inner in lines:
                if inner == delimiter:
                    break
                body.append(inner)
            found[key] = "\n".join(body)
        elif "=" in line:
            key, value = line.split("=", 1)
            found[key] = value
    return found


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str
    workspace: Path


def resolve(value: str, inputs: Mapping[str, str], outputs: Mapping[str, Mapping[str, str]]) -> str:
    def one(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression == "github.action_path":
            return str(ROOT)
        if expression.startswith("inputs."):
            return inputs[expression.removeprefix("inputs.")]
        parts = expression.split(".")
        if len(parts) == 4 and parts[0] == "steps" and parts[2] == "outputs":
            return outputs.get(parts[1], {}).get(parts[3], "")
        raise AssertionError(f"the harness does not know the expression {expression!r}")

    return EXPRESSION.sub(one, value)


def fake_install() -> dict[str, str]:
    tfgate = shutil.which("tfgate") or str(Path(sys.executable).parent / "tfgate")
    if not Path(tfgate).exists():
        pytest.skip("the tfgate entry point is not installed")
    return {"bin": tfgate, "python": sys.executable}


def run_action(
    tmp_path: Path,
    given: Mapping[str, str],
    *,
    plan_source: Path | None = FIXTURES / "iam-user-created" / "fail",
    plan_text: str | None = None,
    overrides: Mapping[str, Mapping[str, str]] | None = None,
    workspace: Path | None = None,
    environment: Mapping[str, str] | None = None,
    path_first: Path | None = None,
) -> Run:
    """Run every step as the runner would; `uses:` steps (the cache) are skipped, as on a cache
    miss. `workspace` is a checkout made by the caller; `path_first` goes first on PATH."""
    if workspace is None:
        workspace = tmp_path / "workspace"
        infra = workspace / "infra"
        infra.mkdir(parents=True)
        if plan_source is not None:
            shutil.copy(plan_source / "plan.json", infra / "plan.json")
            shutil.copy(plan_source / "main.tf", infra / "main.tf")
        if plan_text is not None:
            (infra / "plan.json").write_text(plan_text, encoding="utf-8")
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    output_file = tmp_path / "github_output"
    summary_file = tmp_path / "step_summary"
    output_file.touch()
    summary_file.touch()

    declared = action()["inputs"]
    unknown = set(given) - set(declared)
    assert not unknown, f"inputs the action does not declare: {unknown}"
    inputs = {
        name: "" if "${{" in str(spec.get("default", "")) else str(spec.get("default", ""))
        for name, spec in declared.items()
    }
    inputs.update(given)
    for name, spec in declared.items():
        if spec.get("required"):
            assert name in given, f"required input {name}"

    stubs = {"install": fake_install(), **(overrides or {})}
    step_outputs: dict[str, dict[str, str]] = {}
    stdout, stderr = "", ""
    returncode = 0
    for step in steps():
        step_id = step.get("id", "")
        if step_id in stubs:
            step_outputs[step_id] = dict(stubs[step_id])
            continue
        if "uses" in step:
            assert PINNED.match(step["uses"]), step["uses"]
            step_outputs[step_id] = {}
            continue
        assert "run" in step, "the harness only runs `run:` and `uses:` steps"
        path = str(Path(sys.executable).parent) + ":/usr/bin:/bin"
        env = {
            "PATH": f"{path_first}:{path}" if path_first else path,
            "HOME": str(tmp_path),
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(summary_file),
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_TEMP": str(runner_temp),
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": "push",
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
            **(environment or {}),
        }
        for key, value in (step.get("env") or {}).items():
            env[key] = resolve(str(value), inputs, step_outputs)
        script = tmp_path / f"step-{step_id}.sh"
        script.write_text(step["run"], encoding="utf-8")
        before = output_file.read_text(encoding="utf-8")
        completed = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        stdout += completed.stdout
        stderr += completed.stderr
        written = output_file.read_text(encoding="utf-8")[len(before) :]
        step_outputs[step_id] = parse_outputs(written)
        returncode = completed.returncode
        if returncode != 0:
            break
    outputs = {
        name: resolve(str(spec["value"]), inputs, step_outputs)
        for name, spec in action()["outputs"].items()
    }
    return Run(
        returncode,
        stdout,
        stderr,
        outputs,
        summary_file.read_text(encoding="utf-8"),
        workspace,
    )


# --- the file itself ---------------------------------------------------------------------


def test_no_expression_inside_any_run_script() -> None:
    for step in steps():
        if "run" in step:
            assert "${{" not in step["run"], step.get("id")


def test_every_run_step_uses_bash_and_parses() -> None:
    for step in steps():
        if "run" in step:
            assert step.get("shell") == "bash", step.get("id")
            checked = subprocess.run(
                ["bash", "-n"], input=step["run"], capture_output=True, text=True, check=False
            )
            assert checked.returncode == 0, checked.stderr


def test_inputs_reach_scripts_only_through_env() -> None:
    document = action()
    used: set[str] = set()
    for step in steps():
        for key, value in step.items():
            if key != "env":
                assert "inputs." not in str(value), f"{step.get('id')}: {key}"
        for value in (step.get("env") or {}).values():
            used.update(re.findall(r"inputs\.([A-Za-z0-9_-]+)", str(value)))
    assert used == set(document["inputs"])


def test_outputs_come_from_existing_steps() -> None:
    document = action()
    ids = {step.get("id") for step in steps()}
    assert set(document["outputs"]) == {"result", "blocking", "exit-code", "sarif-file", "profiles"}
    for name, spec in document["outputs"].items():
        (expression,) = EXPRESSION.findall(spec["value"])
        step_id = expression.split(".")[1]
        assert step_id in ids, name


def test_declared_inputs() -> None:
    inputs = action()["inputs"]
    assert set(inputs) == {
        "plan",
        "profile",
        "config",
        "waivers",
        "working-directory",
        "soft-fail",
        "sarif-file",
        "job-summary",
        "config-from-base",
        "token",
    }
    assert inputs["plan"]["required"] is True
    assert inputs["soft-fail"]["default"] == "false"
    assert inputs["config-from-base"]["default"] == "true"


def tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    if not Path(found).exists():
        pytest.skip(f"{name} is not installed")
    return found


def test_zizmor_finds_nothing() -> None:
    completed = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", str(ACTION)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "No findings to report" in completed.stdout


def test_matches_the_github_action_schema() -> None:
    completed = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(ACTION)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_pre_commit_hook() -> None:
    (hook,) = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert hook["id"] == "tfgate"
    assert hook["entry"] == "tfgate check"
    assert hook["language"] == "python"
    files = re.compile(hook["files"])
    for name in ("plan.json", "infra/plan.json", "tfplan.json", "envs/prod.tfplan.json"):
        assert files.search(name), name
    for name in ("main.tf", "package.json", "explanation.json"):
        assert not files.search(name), name


# --- running it ----------------------------------------------------------------------------


def test_blocking_plan(tmp_path: Path) -> None:
    run = run_action(tmp_path, {"plan": "plan.json", "working-directory": "infra"})
    assert run.returncode == 1, run.stderr
    assert run.outputs["result"] == "block"
    assert run.outputs["exit-code"] == "1"
    assert int(run.outputs["blocking"]) == 5
    assert run.outputs["profiles"] == "baseline"
    assert "::error file=infra/main.tf,line=37,title=TFG-IAM-001" in run.stdout
    assert "tfgate: BLOCKED" in run.stdout
    sarif = Path(run.outputs["sarif-file"])
    assert sarif == run.workspace / "infra" / "tfgate.sarif"
    document = orjson.loads(sarif.read_bytes())
    uris = {
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in document["runs"][0]["results"]
    }
    assert uris == {"infra/main.tf"}
    assert "## ❌ tfgate: BLOCKED by 5 findings" in run.summary


def test_soft_fail_passes_the_step_but_reports_exit_1(tmp_path: Path) -> None:
    run = run_action(
        tmp_path, {"plan": "plan.json", "working-directory": "infra", "soft-fail": "true"}
    )
    assert run.returncode == 0
    assert run.outputs["exit-code"] == "1"
    assert run.outputs["result"] == "block"


def test_passing_plan(tmp_path: Path) -> None:
    run = run_action(
        tmp_path,
        {"plan": "plan.json", "working-directory": "infra", "profile": "baseline"},
        plan_source=FIXTURES / "iam-user-created" / "pass",
    )
    assert run.returncode == 0, run.stderr
    assert run.outputs["result"] == "pass"
    assert run.outputs["blocking"] == "0"
    assert run.outputs["exit-code"] == "0"
    assert "## ✅ tfgate: PASS" in run.summary
    assert "::error" not in run.stdout


@pytest.mark.parametrize("soft_fail", ["false", "true"])
def test_invalid_plan_is_exit_2_even_with_soft_fail(tmp_path: Path, soft_fail: str) -> None:
    run = run_action(
        tmp_path,
        {"plan": "plan.json", "working-directory": "infra", "soft-fail": soft_fail},
        plan_source=None,
        plan_text='{"format_version": "1.0", "values": {}}',
    )
    assert run.returncode == 2
    assert run.outputs["result"] == "error"
    assert run.outputs["exit-code"] == "2"
    assert run.outputs["sarif-file"] == ""
    assert "could not judge" in run.summary
    assert "tfgate: error:" in run.stderr


def test_no_summary_and_no_sarif_when_switched_off(tmp_path: Path) -> None:
    run = run_action(
        tmp_path,
        {
            "plan": "plan.json",
            "working-directory": "infra",
            "job-summary": "false",
            "sarif-file": "",
        },
    )
    assert run.returncode == 1
    assert run.summary == ""
    assert run.outputs["sarif-file"] == ""
    assert not (run.workspace / "infra" / "tfgate.sarif").exists()


def recorder(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in tfgate that records its argv as JSON, writes a passing report and exits 0."""
    record = tmp_path / "argv.json"
    script = tmp_path / "fake-tfgate"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"open({str(record)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
        "report = next(a[5:] for a in sys.argv if a.startswith('json='))\n"
        "json.dump({'result': 'pass', 'summary': {'blocking': 0}, 'profiles': ['baseline']},"
        " open(report, 'w'))\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script, record


def test_hostile_input_values_arrive_as_one_literal_argument(tmp_path: Path) -> None:
    script, record = recorder(tmp_path)
    run = run_action(
        tmp_path,
        {
            "plan": HOSTILE,
            "profile": HOSTILE,
            "config": HOSTILE,
            "waivers": HOSTILE,
            "working-directory": "infra",
        },
        overrides={"install": {"bin": str(script), "python": sys.executable}},
    )
    assert run.returncode == 0, run.stderr
    argv = orjson.loads(record.read_bytes())
    assert argv[argv.index("--profile") + 1] == HOSTILE
    assert argv[argv.index("--config") + 1] == HOSTILE
    assert argv[argv.index("--waivers") + 1] == HOSTILE
    assert argv[-2:] == ["--", HOSTILE]
    for name in ("pwned", "pwned2", "pwned3"):
        assert not list(tmp_path.rglob(name)), name


def test_no_report_fails_closed(tmp_path: Path) -> None:
    silent = tmp_path / "silent-tfgate"
    silent.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    silent.chmod(0o755)
    run = run_action(
        tmp_path,
        {"plan": "plan.json", "working-directory": "infra", "soft-fail": "true"},
        overrides={"install": {"bin": str(silent), "python": sys.executable}},
    )
    assert run.returncode == 2
    assert run.outputs["result"] == "error"
    assert run.outputs["exit-code"] == "2"


def test_empty_optional_inputs_are_not_passed(tmp_path: Path) -> None:
    script, record = recorder(tmp_path)
    run_action(
        tmp_path,
        {"plan": "plan.json", "working-directory": "infra"},
        overrides={"install": {"bin": str(script), "python": sys.executable}},
    )
    argv = orjson.loads(record.read_bytes())
    assert "--config" not in argv and "--waivers" not in argv and "--profile" not in argv
    assert argv[0] == "check"
    assert argv[-2:] == ["--", "plan.json"]


def test_several_profiles_one_per_line(tmp_path: Path) -> None:
    script, record = recorder(tmp_path)
    run_action(
        tmp_path,
        {"plan": "plan.json", "working-directory": "infra", "profile": "baseline\npci-dss\n"},
        overrides={"install": {"bin": str(script), "python": sys.executable}},
    )
    argv = orjson.loads(record.read_bytes())
    assert [argv[i + 1] for i, arg in enumerate(argv) if arg == "--profile"] == [
        "baseline",
        "pci-dss",
    ]


# --- could not judge: every output set, one annotation, a summary that says why ----------------


def error_annotations(run: Run) -> list[str]:
    return [line for line in run.stdout.splitlines() if line.startswith("::error")]


def assert_could_not_judge(run: Run, why: str) -> None:
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.outputs["result"] == "error"
    assert run.outputs["exit-code"] == "2"
    assert run.outputs["sarif-file"] == ""
    (annotation,) = error_annotations(run)
    assert annotation.startswith("::error title=tfgate::")
    assert why in annotation
    assert "## ❗ tfgate: could not judge the plan" in run.summary
    assert why in run.summary


def test_a_missing_working_directory_is_an_error(tmp_path: Path) -> None:
    run = run_action(tmp_path, {"plan": "plan.json", "working-directory": "nowhere"})
    assert_could_not_judge(run, "working-directory nowhere does not exist")


def test_an_empty_plan_input_is_an_error(tmp_path: Path) -> None:
    run = run_action(tmp_path, {"plan": "", "working-directory": "infra"})
    assert_could_not_judge(run, "the plan input is empty")


def test_python_older_than_3_11_says_how_to_get_it(tmp_path: Path) -> None:
    fake = tmp_path / "old-python"
    fake.mkdir()
    (fake / "python3").write_text("#!/bin/sh\necho 3.10.12\n", encoding="utf-8")
    (fake / "python3").chmod(0o755)
    run = run_action(tmp_path, {"plan": "plan.json", "working-directory": "infra"}, path_first=fake)
    assert_could_not_judge(run, "tfgate needs Python 3.11 or later and python3 on PATH is 3.10.12")
    assert "actions/setup-python" in error_annotations(run)[0]


def test_exit_2_becomes_one_error_annotation_and_stderr_stays_one_plain_line(
    tmp_path: Path,
) -> None:
    run = run_action(
        tmp_path,
        {"plan": "plan.json", "working-directory": "infra"},
        plan_source=None,
        plan_text="{}",
    )
    (line,) = run.stderr.splitlines()
    assert line.startswith("tfgate: error: plan.json")
    assert_could_not_judge(run, line.removeprefix("tfgate: error: "))
    assert error_annotations(run) == [
        f"::error title=tfgate::{line.removeprefix('tfgate: error: ')}"
    ]


def many_users_plan(count: int) -> str:
    """The iam-user-created plan with `count` more IAM users created."""
    document = orjson.loads((FIXTURES / "iam-user-created" / "fail" / "plan.json").read_bytes())
    template = next(
        change
        for change in document["resource_changes"]
        if change["address"] == "aws_iam_user.fail_alice"
    )
    for position in range(count):
        added = orjson.loads(orjson.dumps(template))
        added["address"] = f"aws_iam_user.fail_extra_{position}"
        added["name"] = f"fail_extra_{position}"
        added["change"]["after"]["name"] = f"extra-{position}"
        document["resource_changes"].append(added)
    return orjson.dumps(document).decode()


def test_more_than_10_blocking_findings_annotate_10_then_one_notice(tmp_path: Path) -> None:
    run = run_action(
        tmp_path,
        {"plan": "plan.json", "working-directory": "infra"},
        plan_text=many_users_plan(15),
    )
    assert run.returncode == 1
    assert run.outputs["blocking"] == "20"
    assert len(error_annotations(run)) == 10
    notices = [line for line in run.stdout.splitlines() if line.startswith("::notice")]
    assert any("10 more" in notice for notice in notices), notices
    assert run.summary.count("TFG-IAM-001") >= 20


def written_outputs(tmp_path: Path) -> list[str]:
    return (tmp_path / "github_output").read_text(encoding="utf-8").splitlines()


def strict_outputs(lines: list[str]) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner reads it, refusing anything but the two documented forms."""
    found: dict[str, str] = {}
    position = 0
    while position < len(lines):
        line = lines[position]
        if "<<" in line:
            key, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, position + 1)
            value = "\n".join(lines[position + 1 : end])
            position = end + 1
        else:
            key, value = line.split("=", 1)
            position += 1
        assert key not in found, f"{key} written twice"
        found[key] = value
    return found


def test_a_newline_in_an_input_cannot_add_an_output(tmp_path: Path) -> None:
    injected = "x.sarif\nresult=pass\nexit-code=0"
    script = tmp_path / "blocking-tfgate"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        "args = sys.argv[1:]\n"
        "for arg in args:\n"
        "    if arg.startswith('sarif='):\n"
        "        open(arg[6:], 'w').write('{}')\n"
        "report = next(a[5:] for a in args if a.startswith('json='))\n"
        "json.dump({'result': 'block', 'summary': {'blocking': 1},\n"
        "           'profiles': ['baseline\\nresult=pass']}, open(report, 'w'))\n"
        "sys.exit(1)\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    run = run_action(
        tmp_path,
        {"plan": "plan.json", "working-directory": "infra", "sarif-file": injected},
        overrides={"install": {"bin": str(script), "python": sys.executable}},
    )
    assert run.returncode == 1
    outputs = strict_outputs(written_outputs(tmp_path))
    assert set(outputs) == {
        *("error", "key", "venv"),  # the setup step's
        *("result", "blocking", "exit-code", "sarif-file", "profiles"),
    }
    assert outputs["result"] == "block"
    assert outputs["exit-code"] == "1"
    assert "\n" not in outputs["sarif-file"]
    assert outputs["profiles"] == "baseline result=pass"


# --- the configuration comes from the base branch ------------------------------------------------

WEAK = 'name: weak\nextends: [baseline]\nrules:\n  TFG-IAM-001: {enforcement: "off"}\n'
WAIVE_ALL = (
    '- rule: TFG-IAM-001\n  address: "*"\n  reason: added by the pull request itself\n'
    "  owner: someone\n  expires: 2099-01-01\n"
)


def git(directory: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=directory,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return completed.stdout


def pull_request(tmp_path: Path, base: Mapping[str, str], change: Mapping[str, str | None]) -> Path:
    """A repository whose `main` holds `base` (path -> text) and the plan, pushed to a bare
    origin, and a checkout of a pull request branch that writes (or, for None, deletes)
    `change`, as actions/checkout leaves it."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", str(origin))
    checkout = tmp_path / "workspace"
    git(tmp_path, "init", "--quiet", "-b", "main", str(checkout))
    fixture = FIXTURES / "iam-user-created" / "fail"
    (checkout / "infra").mkdir()
    shutil.copy(fixture / "main.tf", checkout / "infra" / "main.tf")
    for path, text in base.items():
        (checkout / path).parent.mkdir(parents=True, exist_ok=True)
        (checkout / path).write_text(text, encoding="utf-8")
    git(checkout, "add", "-A")
    git(checkout, "commit", "--quiet", "-m", "base")
    git(checkout, "remote", "add", "origin", str(origin))
    git(checkout, "push", "--quiet", "origin", "main")
    git(checkout, "checkout", "--quiet", "-b", "pr")
    for path, text in change.items():
        target = checkout / path
        if text is None:
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    git(checkout, "add", "-A")
    git(checkout, "commit", "--quiet", "--allow-empty", "-m", "pull request")
    shutil.copy(fixture / "plan.json", checkout / "infra" / "plan.json")  # made by the pipeline
    return checkout


PULL_REQUEST = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main"}


def test_a_pull_request_that_edits_tfgate_yaml_is_judged_by_the_base_branch(
    tmp_path: Path,
) -> None:
    checkout = pull_request(
        tmp_path,
        {"tfgate.yaml": "default_profile: pci-dss\nwaivers: waivers.yaml\n", "waivers.yaml": ""},
        {
            "tfgate.yaml": "default_profile: weak.yaml\nwaivers: waivers.yaml\n",
            "weak.yaml": WEAK,
            "waivers.yaml": WAIVE_ALL,
        },
    )
    given = {"plan": "plan.json", "working-directory": "infra"}
    run = run_action(tmp_path, given, workspace=checkout, environment=PULL_REQUEST)
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.outputs["result"] == "block"
    assert run.outputs["profiles"] == "pci-dss"
    assert run.outputs["blocking"] == "5"
    assert "Configuration: read from the base branch `main` at" in run.summary
    assert "not from the pull request" in run.summary


def test_opting_out_reads_the_checkout_and_says_so(tmp_path: Path) -> None:
    checkout = pull_request(
        tmp_path,
        {"tfgate.yaml": "default_profile: baseline\n"},
        {"tfgate.yaml": "default_profile: weak.yaml\n", "weak.yaml": WEAK},
    )
    given = {"plan": "plan.json", "working-directory": "infra", "config-from-base": "false"}
    run = run_action(tmp_path, given, workspace=checkout, environment=PULL_REQUEST)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.outputs["profiles"] == "weak"
    assert "read from the pull request's checkout (config-from-base: false)" in run.summary


def test_a_tfgate_yaml_the_pull_request_adds_is_not_read(tmp_path: Path) -> None:
    checkout = pull_request(
        tmp_path,
        {"README.md": "no configuration on the base branch\n"},
        {"infra/.tfgate.yml": "default_profile: weak.yaml\n", "infra/weak.yaml": WEAK},
    )
    given = {"plan": "plan.json", "working-directory": "infra"}
    run = run_action(tmp_path, given, workspace=checkout, environment=PULL_REQUEST)
    assert run.returncode == 1
    assert run.outputs["profiles"] == "baseline"
    assert "the base branch has no tfgate.yaml" in run.summary


def test_base_branch_paths_and_profiles_keep_their_meaning(tmp_path: Path) -> None:
    """`paths:` globs match the plan's place in the checkout, and a profile file the
    configuration names is the base branch's too."""
    strict = "name: strict\nextends: [pci-dss]\nblock_existing: true\n"
    checkout = pull_request(
        tmp_path,
        {
            "tfgate.yaml": "default_profile: baseline\n"
            "paths:\n  infra/**: {profiles: [policy/strict.yaml]}\n",
            "policy/strict.yaml": strict,
        },
        {"policy/strict.yaml": WEAK.replace("weak", "strict")},
    )
    given = {"plan": "plan.json", "working-directory": "infra"}
    run = run_action(tmp_path, given, workspace=checkout, environment=PULL_REQUEST)
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.outputs["profiles"] == "strict"
    assert run.outputs["blocking"] == "7"


def test_a_base_branch_that_cannot_be_fetched_is_an_error(tmp_path: Path) -> None:
    checkout = pull_request(tmp_path, {"tfgate.yaml": "default_profile: baseline\n"}, {})
    given = {"plan": "plan.json", "working-directory": "infra"}
    environment = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "gone"}
    run = run_action(tmp_path, given, workspace=checkout, environment=environment)
    assert_could_not_judge(run, "could not fetch the base branch gone")
