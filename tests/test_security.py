"""The promises of docs/security.md, one test (or a few) each.

* Secret hygiene: planted sensitive values and credentials never reach stdout, stderr, an output
  file or an error message, in any format.
* Determinism: the same inputs give byte-identical output in every format, across hash seeds.
* Fail-closed: every way of failing to judge ends in exit 2, never 0.
* Limits: plan size (default, `--max-plan-size`, `TFGATE_MAX_PLAN_BYTES`, stdin), each with a
  one-line error.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from tests.paths import FIXTURES, ROOT, corpus_plans, require
from tfgate import cli
from tfgate.cli import app
from tfgate.errors import TfgateError
from tfgate.formats import FORMATS
from tfgate.limits import MAX_PLAN_BYTES, parse_size
from tfgate.rules import RULES_BY_ID

runner = CliRunner()

FAILING = FIXTURES / "iam-user-created" / "fail" / "plan.json"
PASSING = FIXTURES / "iam-user-created" / "pass" / "plan.json"
FORMAT_NAMES = sorted(FORMATS)


def one_error_line(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tfgate: error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def write_json(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def change(
    resource_type: str,
    name: str,
    after: Any,
    *,
    actions: tuple[str, ...] = ("create",),
    before: Any = None,
    address: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "address": address or f"{resource_type}.{name}",
        "mode": "managed",
        "type": resource_type,
        "name": name,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": list(actions), "before": before, "after": after, **extra},
    }


# --------------------------------------------------------------------------------------------
# Secret hygiene
# --------------------------------------------------------------------------------------------

# Each value is distinct, so a leak names the place it came from.
SENSITIVE = {
    "access key secret": "SENSITIVE-access-key-secret-value-0001",
    "db password": "SENSITIVE-db-password-value-0002",
    "old db password": "SENSITIVE-old-db-password-value-0003",
    "ssm value": "SENSITIVE-ssm-parameter-value-0004",
    "variable": "SENSITIVE-variable-value-0005",
    "output": "SENSITIVE-output-value-0006",
    "data source": "SENSITIVE-data-source-value-0007",
    "drift": "SENSITIVE-drift-value-0008",
    "planned value": "SENSITIVE-planned-value-0009",
    "provider secret": "SENSITIVE-provider-secret-0010",
    "config constant": "SENSITIVE-config-constant-0011",
    "user tag": "SENSITIVE-user-tag-0012",
}
CREDENTIALS = {
    "access key id": "AKIAZZTESTKEY1234567",
    "session key id": "ASIAZZTESTKEY7654321",
    "secret access key": "wJalrXUtnFEMIzK7MDENGzbPxRfiCYzzTESTKEY9",
    "private key": (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEzzTESTKEYzz\n-----END RSA PRIVATE KEY-----"
    ),
    "github token": "ghp_" + "zZ9" * 12,
    "slack token": "xoxb-1234567890-zzTESTKEYzz",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0a2V5In0.c2lnbmF0dXJlLXRlc3Q",
}
assert len(CREDENTIALS["secret access key"]) == 40


def _needles() -> dict[str, str]:
    """What must never appear: every planted value, and the distinctive part of credentials."""
    needles = {name: value for name, value in SENSITIVE.items()}
    for name, value in CREDENTIALS.items():
        needles[name] = value.splitlines()[1] if name == "private key" else value
    return needles


def planted_plan() -> dict[str, Any]:
    """A plan holding sensitive values and credentials in every place a plan can hold them."""
    creds = CREDENTIALS
    env = {
        "AWS_ACCESS_KEY_ID": creds["access key id"],
        "AWS_SECRET_ACCESS_KEY": creds["secret access key"],
        "SESSION": creds["session key id"],
        "GITHUB_TOKEN": creds["github token"],
        "SLACK": creds["slack token"],
        "JWT": creds["jwt"],
        "KEY": creds["private key"],
    }
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Z" + creds["access key id"],
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": f"arn:aws:s3:::{creds['secret access key']}/*",
                    "Condition": {"StringEquals": {"aws:username": creds["github token"]}},
                },
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
            ],
        }
    )
    resources = [
        change(
            "aws_iam_access_key",
            "ci",
            {"user": "ci", "secret": SENSITIVE["access key secret"], "status": "Active"},
            after_unknown={"id": True},
            after_sensitive={"secret": True},
            before_sensitive=False,
        ),
        change(
            "aws_db_instance",
            "db",
            {
                "identifier": "db",
                "password": SENSITIVE["db password"],
                "storage_encrypted": False,
                "publicly_accessible": True,
            },
            actions=("update",),
            before={
                "identifier": "db",
                "password": SENSITIVE["old db password"],
                "storage_encrypted": False,
                "publicly_accessible": False,
            },
            after_sensitive={"password": True},
            before_sensitive={"password": True},
        ),
        change(
            "aws_ssm_parameter",
            "p",
            {"name": "/app/p", "type": "String", "value": SENSITIVE["ssm value"]},
            after_sensitive={"value": True},
        ),
        change(
            "aws_ssm_parameter",
            "plain",
            {"name": "/app/key", "type": "String", "value": creds["secret access key"]},
        ),
        change(
            "aws_lambda_function",
            "fn",
            {"function_name": "fn", "environment": [{"variables": env}]},
        ),
        change(
            "aws_ecs_task_definition",
            "task",
            {
                "family": "task",
                "container_definitions": json.dumps(
                    [
                        {
                            "name": "app",
                            "environment": [{"name": k, "value": v} for k, v in env.items()],
                        }
                    ]
                ),
            },
        ),
        change(
            "aws_iam_user",
            "people",
            {"name": "people", "tags": {"token": SENSITIVE["user tag"], "key": creds["jwt"]}},
            after_sensitive={"tags": {"token": True}},
        ),
        change("aws_iam_policy", "admin", {"name": "admin", "policy": policy}),
        change(
            "aws_iam_role",
            "r",
            {
                "name": "r",
                "assume_role_policy": policy,
                "inline_policy": [{"name": "i", "policy": policy}],
            },
        ),
    ]
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "variables": {"db_password": {"value": SENSITIVE["variable"]}},
        "planned_values": {
            "outputs": {"secret": {"sensitive": True, "value": SENSITIVE["output"]}},
            "root_module": {
                "resources": [
                    {
                        "address": "aws_ssm_parameter.p",
                        "mode": "managed",
                        "type": "aws_ssm_parameter",
                        "name": "p",
                        "values": {"value": SENSITIVE["planned value"]},
                        "sensitive_values": {"value": True},
                    }
                ]
            },
        },
        "resource_changes": resources,
        "resource_drift": [
            change(
                "aws_ssm_parameter",
                "p",
                {"value": SENSITIVE["drift"]},
                actions=("update",),
                before={"value": SENSITIVE["drift"]},
                after_sensitive={"value": True},
            )
        ],
        "output_changes": {
            "secret": {
                "actions": ["create"],
                "before": None,
                "after": SENSITIVE["output"],
                "after_sensitive": True,
            }
        },
        "prior_state": {
            "format_version": "1.0",
            "values": {
                "root_module": {
                    "resources": [
                        {
                            "address": "data.aws_ssm_parameter.seed",
                            "mode": "data",
                            "type": "aws_ssm_parameter",
                            "name": "seed",
                            "values": {"value": SENSITIVE["data source"]},
                            "sensitive_values": {"value": True},
                        }
                    ]
                }
            },
        },
        "configuration": {
            "provider_config": {
                "aws": {
                    "name": "aws",
                    "expressions": {
                        "access_key": {"constant_value": creds["access key id"]},
                        "secret_key": {"constant_value": SENSITIVE["provider secret"]},
                        "region": {"constant_value": "us-east-1"},
                    },
                }
            },
            "root_module": {
                "resources": [
                    {
                        "address": "aws_db_instance.db",
                        "mode": "managed",
                        "type": "aws_db_instance",
                        "name": "db",
                        "provider_config_key": "aws",
                        "expressions": {
                            "password": {"constant_value": SENSITIVE["config constant"]}
                        },
                    }
                ],
                "variables": {"db_password": {"sensitive": True}},
            },
        },
    }


def assert_no_secret(where: str, text: str) -> None:
    for name, needle in _needles().items():
        assert needle not in text, f"{name} leaked into {where}"


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_json(tmp_path_factory.mktemp("planted") / "plan.json", planted_plan())


@pytest.fixture(scope="module")
def every_rule(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """`--profile` options for a profile that blocks on every rule: the most text to leak into."""
    profile = tmp_path_factory.mktemp("profile") / "everything.yaml"
    profile.write_text(
        "name: everything\nextends: [baseline]\non_unknown: block\nrules:\n"
        + "".join(f"  {rule}: {{enforcement: block}}\n" for rule in sorted(RULES_BY_ID)),
        encoding="utf-8",
    )
    return ["--profile", str(profile)]


def test_the_planted_plan_is_judged(planted: Path, every_rule: list[str]) -> None:
    """The plan is valid and produces findings, so the hygiene tests below are not vacuous."""
    result = runner.invoke(app, ["check", str(planted), "--format", "json", *every_rule])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["summary"]["findings"] >= 5
    rules = {finding["rule"] for finding in report["findings"]}
    assert "TFG-SEC-001" in rules  # credentials in plain text were found, and are quoted masked


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_no_secret_reaches_stdout_or_stderr(
    planted: Path, every_rule: list[str], name: str
) -> None:
    result = runner.invoke(app, ["check", str(planted), "--format", name, *every_rule])
    assert result.exit_code in (1, 2)
    assert_no_secret(f"{name} stdout", result.stdout)
    assert_no_secret(f"{name} stderr", result.stderr)


def test_no_secret_reaches_an_output_file(
    planted: Path, every_rule: list[str], tmp_path: Path
) -> None:
    options = [f"--format={name}={tmp_path / name}" for name in FORMAT_NAMES]
    result = runner.invoke(app, ["check", str(planted), *options, *every_rule])
    assert result.exit_code == 1, result.output
    assert_no_secret("stderr", result.stderr)
    for name in FORMAT_NAMES:
        assert_no_secret(f"the {name} file", (tmp_path / name).read_text(encoding="utf-8"))


def test_no_secret_reaches_stdin_runs(planted: Path, every_rule: list[str]) -> None:
    result = runner.invoke(
        app, ["check", "-", "--format", "json", *every_rule], input=planted.read_bytes()
    )
    assert_no_secret("stdout", result.stdout)


INJECTION = (
    "x\x1b]0;title\x07\x1b[31mred\r\n::error file=forged::forged\n## Forged\u2028"
    "::add-mask::x\x00\x9b"
)


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_plan_text_cannot_inject_lines_or_escape_sequences(tmp_path: Path, name: str) -> None:
    """A Sid (and, in a crafted plan, an address) is text the plan's author chooses: it must not
    reach a terminal as escape sequences or a CI log as a workflow command of its own."""
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": INJECTION, "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
            ],
        }
    )
    plan = write_json(
        tmp_path / "plan.json",
        {
            "format_version": "1.2",
            "resource_changes": [
                change("aws_iam_policy", "p", {"name": "p", "policy": policy}),
                change(
                    "aws_iam_user", "u", {"name": "u"}, address=f'aws_iam_user.u["{INJECTION}"]'
                ),
            ],
        },
    )
    result = runner.invoke(app, ["check", str(plan), "--format", name])
    assert result.exit_code == 1, result.output
    for character in ("\x1b", "\x07", "\r", "\x00", "\x9b", "\u2028"):
        assert character not in result.stdout, repr(character)
    for line in result.stdout.splitlines():
        assert not line.lstrip().startswith(("::error file=forged", "::add-mask::", "## Forged"))


def _broken(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    document = planted_plan()
    parent: Any = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return document


SECRET = SENSITIVE["db password"]
BROKEN_PLANS = {
    "format_version": _broken(("format_version",), SECRET),
    "action": _broken(("resource_changes", 1, "change", "actions"), [SECRET]),
    "index": _broken(("resource_changes", 1, "index"), {"k": SECRET}),
    "address": _broken(("resource_changes", 1, "address"), [SECRET]),
    "after": _broken(("resource_changes", 1, "change", "after"), [SECRET]),
    "provider_config": _broken(("configuration", "provider_config", "aws"), SECRET),
    "resource_changes": _broken(("resource_changes",), SECRET),
    "errored": _broken(("errored",), True),
    "incomplete": _broken(("complete",), False),
    "not a plan": {"lineage": SECRET, "serial": 1, "values": SECRET},
}


@pytest.mark.parametrize("name", sorted(BROKEN_PLANS))
def test_errors_quote_pointers_never_values(name: str, tmp_path: Path) -> None:
    plan = write_json(tmp_path / "plan.json", BROKEN_PLANS[name])
    result = runner.invoke(app, ["check", str(plan)])
    assert result.exit_code == 2
    one_error_line(result)
    assert_no_secret("the error message", result.stderr)


def test_invalid_json_error_quotes_a_position_not_text(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text('{"format_version": "1.2", "x": "' + SECRET + '" oops}', encoding="utf-8")
    result = runner.invoke(app, ["check", str(plan)])
    assert one_error_line(result).endswith("file is not valid JSON (line 1, column 67)")
    assert_no_secret("the error message", result.stderr)


def test_internal_errors_name_the_exception_type_only(
    planted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def leaking_render(report: Any) -> str:
        raise ValueError(f"cannot render {SECRET}")

    monkeypatch.setitem(FORMATS, "json", leaking_render)  # type: ignore[index]
    result = runner.invoke(app, ["check", str(planted), "--format", "json"])
    assert result.exit_code == 2
    assert one_error_line(result) == (
        "tfgate: error: internal error (ValueError); run again with --debug for details"
    )


def test_yaml_errors_never_quote_values(tmp_path: Path) -> None:
    config = tmp_path / "tfgate.yaml"
    config.write_text(f"default_profile: baseline\nwaivers: [{SECRET}\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(require(PASSING)), "--config", str(config)])
    assert result.exit_code == 2
    one_error_line(result)
    assert_no_secret("the error message", result.stderr)


# --------------------------------------------------------------------------------------------
# Determinism
# --------------------------------------------------------------------------------------------


def _run_all_formats(plans: list[Path], out: Path, seed: str) -> dict[str, bytes]:
    out.mkdir()
    options = [f"--format={name}={out / name}" for name in FORMAT_NAMES]
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "TF_"))
    }
    environment.update(PYTHONHASHSEED=seed, NO_COLOR="1", COLUMNS="100")
    completed = subprocess.run(
        [sys.executable, "-m", "tfgate", "check", *map(str, plans), *options],
        capture_output=True,
        env=environment,
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    assert completed.returncode in (0, 1), completed.stderr.decode()
    outputs = {name: (out / name).read_bytes() for name in FORMAT_NAMES}
    outputs["stderr"] = completed.stderr
    outputs["exit"] = str(completed.returncode).encode()
    return outputs


def _determinism_plans() -> list[Path]:
    fixtures = [require(FAILING), *sorted(FIXTURES.glob("*/fail/plan.json"))[:8]]
    corpus = corpus_plans()
    largest = sorted(corpus, key=lambda path: path.stat().st_size)[-2:] if corpus else []
    return list(dict.fromkeys([*fixtures, *largest]))


def test_output_is_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    plans = _determinism_plans()
    first = _run_all_formats(plans, tmp_path / "seed-0", "0")
    second = _run_all_formats(plans, tmp_path / "seed-4242", "4242")
    for name in first:
        assert first[name] == second[name], f"{name} differs between hash seeds"
    today = datetime.date.today().isoformat().encode()
    for name in FORMAT_NAMES:
        assert first[name], f"{name} is empty"
        assert today not in first[name], f"{name} holds today's date: a timestamp?"


def test_stdout_is_byte_identical_between_runs() -> None:
    plan = str(require(FAILING))
    outputs = {
        name: [runner.invoke(app, ["check", plan, "--format", name]).stdout for _ in range(2)]
        for name in FORMAT_NAMES
    }
    for name, (first, second) in outputs.items():
        assert first == second, name


# --------------------------------------------------------------------------------------------
# Fail-closed
# --------------------------------------------------------------------------------------------


@pytest.fixture
def crashing_rule() -> Iterator[str]:
    """Make the rule on aws_iam_user crash, for the duration of one test."""
    rule = RULES_BY_ID["TFG-IAM-001"]
    original = rule.check

    def crash(*args: Any) -> Any:
        raise KeyError(SECRET)

    object.__setattr__(rule, "check", crash)
    try:
        yield rule.id
    finally:
        object.__setattr__(rule, "check", original)


def test_a_crashing_rule_fails_closed(crashing_rule: str) -> None:
    result = runner.invoke(app, ["check", str(require(PASSING)), "--format", "json"])
    assert result.exit_code == 2, result.output
    report = json.loads(result.stdout)
    assert report["result"] == "error"
    errors = [finding for finding in report["findings"] if finding["status"] == "error"]
    assert errors and all(finding["rule"] == crashing_rule for finding in errors)
    assert errors[0]["message"] == "rule crashed while judging this resource (KeyError)"
    assert SECRET not in result.output


def test_a_waiver_cannot_hide_a_crash(crashing_rule: str, tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        f"- rule: {crashing_rule}\n  address: '*'\n  reason: r\n  owner: o\n"
        "  expires: 2099-01-01\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["check", str(require(PASSING)), "--waivers", str(waivers)])
    assert result.exit_code == 2, result.output


def test_a_profile_that_enables_no_rule_fails_closed(tmp_path: Path) -> None:
    profile = tmp_path / "nothing.yaml"
    profile.write_text(
        "name: nothing\nextends: [baseline]\nrules:\n"
        + "".join(f"  {rule}: {{enforcement: 'off'}}\n" for rule in sorted(RULES_BY_ID)),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["check", str(require(FAILING)), "--profile", str(profile)])
    assert result.exit_code == 2
    assert one_error_line(result) == (
        "tfgate: error: the applied profiles (nothing) enable no rule, so nothing would be "
        "judged; set at least one rule to block or warn"
    )


def test_an_incomplete_plan_is_refused_unless_allowed(tmp_path: Path) -> None:
    document = json.loads(require(FAILING).read_text(encoding="utf-8"))
    document["complete"] = False
    plan = write_json(tmp_path / "plan.json", document)
    refused = runner.invoke(app, ["check", str(plan)])
    assert refused.exit_code == 2
    assert "marked incomplete (complete: false" in one_error_line(refused)
    assert "--allow-partial" in refused.stderr
    allowed = runner.invoke(app, ["check", str(plan), "--allow-partial", "--format", "json"])
    assert allowed.exit_code == 1
    assert any("incomplete" in note for note in json.loads(allowed.stdout)["notes"])


def test_an_empty_plan_passes_because_it_changes_nothing(tmp_path: Path) -> None:
    plan = write_json(tmp_path / "plan.json", {"format_version": "1.2", "resource_changes": []})
    result = runner.invoke(app, ["check", str(plan), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["summary"]["findings"] == 0


@pytest.mark.parametrize("content", [b"", b"   \n", b"{}", b"null", b"[]"])
def test_an_empty_file_fails_closed(tmp_path: Path, content: bytes) -> None:
    plan = tmp_path / "plan.json"
    plan.write_bytes(content)
    result = runner.invoke(app, ["check", str(plan)])
    assert result.exit_code == 2
    one_error_line(result)


def test_a_missing_source_dir_fails_closed(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    result = runner.invoke(app, ["check", str(require(PASSING)), "--source-dir", str(missing)])
    assert result.exit_code == 2
    assert one_error_line(result) == (
        f"tfgate: error: {missing}: --source-dir is not a readable directory"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every directory")
def test_an_unreadable_source_dir_fails_closed(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0)
    try:
        result = runner.invoke(app, ["check", str(require(PASSING)), "--source-dir", str(locked)])
    finally:
        locked.chmod(0o700)
    assert result.exit_code == 2


def test_a_source_map_failure_never_changes_the_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    import tfgate.source

    def broken(*args: Any) -> Any:
        raise PermissionError(SECRET)

    monkeypatch.setattr(tfgate.source, "source_map_for_plan", broken)
    result = runner.invoke(app, ["check", str(require(FAILING)), "--format", "json"])
    assert result.exit_code == 1
    notes = json.loads(result.stdout)["notes"]
    assert "source locations unavailable (PermissionError)" in notes
    assert SECRET not in result.output


def test_one_bad_plan_among_good_ones_fails_the_run(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    result = runner.invoke(app, ["check", str(require(PASSING)), str(bad)])
    assert result.exit_code == 2


def test_a_crashing_formatter_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(report: Any) -> str:
        raise RuntimeError("boom")

    monkeypatch.setitem(FORMATS, "json", crash)  # type: ignore[index]
    result = runner.invoke(app, ["check", str(require(PASSING)), "--format", "json"])
    assert result.exit_code == 2


# Interrupted and failed writes ----------------------------------------------------------------


def _leftovers(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir() if path.name.endswith(".tmp"))


def test_an_unwritable_output_fails_closed(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "report.json"
    result = runner.invoke(app, ["check", str(require(PASSING)), "--format", f"json={target}"])
    assert result.exit_code == 2
    assert one_error_line(result).startswith(f"tfgate: error: {target}: cannot write output")


def test_an_output_that_is_a_directory_fails_closed_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.mkdir()
    result = runner.invoke(app, ["check", str(require(PASSING)), "--format", f"json={target}"])
    assert result.exit_code == 2
    assert _leftovers(tmp_path) == []


def test_a_failed_rename_keeps_the_old_report_and_removes_the_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.json"
    target.write_text("previous", encoding="utf-8")

    def no_space(self: Path, other: Any) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", no_space)
    result = runner.invoke(app, ["check", str(require(PASSING)), "--format", f"json={target}"])
    assert result.exit_code == 2
    assert one_error_line(result) == (
        f"tfgate: error: {target}: cannot write output (No space left on device)"
    )
    assert target.read_text(encoding="utf-8") == "previous"
    assert _leftovers(tmp_path) == []


def test_an_interrupted_write_removes_the_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.json"

    def interrupted(self: Path, other: Any) -> Path:
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cli._write(target, "report")
    assert not target.exists()
    assert _leftovers(tmp_path) == []


def test_an_interrupted_run_exits_2_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.json"

    def interrupted(self: Path, other: Any) -> Path:
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "replace", interrupted)
    result = runner.invoke(app, ["check", str(require(PASSING)), "--format", f"json={target}"])
    assert result.exit_code == 2
    assert one_error_line(result) == (
        "tfgate: error: interrupted before the judgement was complete"
    )
    assert _leftovers(tmp_path) == []


def test_a_written_report_gets_the_usual_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    cli._write(target, "report")
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
    assert target.read_text(encoding="utf-8") == "report"
    assert _leftovers(tmp_path) == []


# --------------------------------------------------------------------------------------------
# Plan size limits
# --------------------------------------------------------------------------------------------


def test_the_default_plan_limit_is_generous() -> None:
    largest = max((path.stat().st_size for path in corpus_plans()), default=0)
    assert MAX_PLAN_BYTES == 2 * 1024**3
    assert largest < MAX_PLAN_BYTES // 100


def test_a_plan_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    plan = require(FAILING)
    result = runner.invoke(app, ["check", str(plan), "--max-plan-size", "1KiB"])
    assert result.exit_code == 2
    assert one_error_line(result) == (
        f"tfgate: error: {plan}: plan is larger than 1 KiB, the limit; raise it with "
        "--max-plan-size or TFGATE_MAX_PLAN_BYTES if this plan is genuine"
    )


def test_the_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TFGATE_MAX_PLAN_BYTES", "100")
    result = runner.invoke(app, ["check", str(require(FAILING))])
    assert result.exit_code == 2
    assert "plan is larger than 100 bytes" in one_error_line(result)
    raised = runner.invoke(app, ["check", str(require(FAILING)), "--max-plan-size", "10MB"])
    assert raised.exit_code == 1


def test_stdin_is_read_bounded() -> None:
    data = require(FAILING).read_bytes()
    result = runner.invoke(app, ["check", "-", "--max-plan-size", "512"], input=data)
    assert result.exit_code == 2
    assert one_error_line(result).startswith("tfgate: error: <stdin>: plan is larger than 512")


@pytest.mark.parametrize("value", ["0", "-1", "lots", "1.5GB", "12XB"])
def test_a_bad_size_fails_closed(value: str) -> None:
    result = runner.invoke(app, ["check", str(require(FAILING)), "--max-plan-size", value])
    assert result.exit_code == 2
    assert one_error_line(result).startswith("tfgate: error: --max-plan-size: ")


@pytest.mark.parametrize(
    ("text", "size"),
    [("1", 1), ("2GiB", 2 * 1024**3), ("500MB", 500 * 1024**2), ("4k", 4096), ("3 g", 3 * 1024**3)],
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_tfgate_error_is_the_only_error_shape() -> None:
    """Every refusal above is a TfgateError: the CLI's one line, exit 2."""
    assert issubclass(cli.PlanError, TfgateError)
