"""Class 9: every text that leaves tfgate goes through redaction, not only what rules say.

A secret is planted in every field that can reach an output: a waiver's reason and owner, its
address glob and file name (both quoted in notes), the directory of the plan and of its .tf
sources (quoted as plan names and locations), and the alias, tag and key names of YAML that
fails to load (quoted in errors). The secrets are credential shapes, and a value the plan marks
sensitive repeated in the configuration. Every registered format, stderr and `--debug` output
are checked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.adversarial.outputs import FORMAT_NAMES, check, policy, resource_change, write_plan
from tests.paths import ROOT

TOKEN = "ghp_" + "Pl4nt" * 8
KEY_ID = "AKIAPLANTEDKEY123456"
SENSITIVE = "Pl4nted-db-password-0001"
NEEDLES = {"github token": TOKEN[4:], "key id": KEY_ID, "sensitive value": SENSITIVE}
PLANTED = f"{TOKEN} {KEY_ID} {SENSITIVE}"


def assert_nothing_planted(where: str, text: str) -> None:
    for name, needle in NEEDLES.items():
        assert needle not in text, f"the {name} leaked into {where}"


def planted_setup(root: Path) -> tuple[Path, Path]:
    """A plan (in a directory named with a credential, beside its .tf file) and waivers that
    quote every secret."""
    directory = root / f"src-{KEY_ID}"
    directory.mkdir(parents=True)
    (directory / "main.tf").write_text(
        'resource "aws_iam_policy" "p" {\n  name   = "p"\n  policy = "{}"\n}\n\n'
        'resource "aws_db_instance" "db" {\n  identifier = "db"\n}\n',
        encoding="utf-8",
    )
    grant = policy({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"})
    plan = write_plan(
        directory,
        [
            resource_change("aws_iam_policy", "p", {"name": "p", "policy": grant}),
            resource_change(
                "aws_db_instance",
                "db",
                {
                    "identifier": "db",
                    "password": SENSITIVE,
                    "storage_encrypted": False,
                    "publicly_accessible": True,
                },
                after_sensitive={"password": True},
            ),
        ],
    )
    waiver_directory = root / f"waivers-{TOKEN}"
    waiver_directory.mkdir()
    waivers = waiver_directory / "waivers.yaml"
    planted = json.dumps(PLANTED)
    entries = [
        ("TFG-IAM-014", "aws_iam_policy.p", "ok", "2099-01-01"),
        ("TFG-IAM-001", "aws_iam_user." + PLANTED, "unused", "2099-01-01"),
        ("TFG-IAM-001", "aws_x." + PLANTED, "expired", "2000-01-01"),
    ]
    waivers.write_text(
        "".join(
            f"- rule: {rule}\n  address: {json.dumps(address)}\n"
            f"  reason: {json.dumps(f'{why} {PLANTED}')}\n  owner: {planted}\n"
            f"  expires: {expires}\n"
            for rule, address, why, expires in entries
        ),
        encoding="utf-8",
    )
    return plan, waivers


def test_the_planted_fields_reach_the_report(tmp_path: Path) -> None:
    """Not vacuous: the waiver is applied, the notes are written and the locations found."""
    plan, waivers = planted_setup(tmp_path)
    result = check(str(plan), "--format", "json", "--waivers", str(waivers))
    report = json.loads(result.stdout)
    assert any(finding["status"] == "waived" for finding in report["findings"])
    waiver_notes = [note for note in report["notes"] if note.startswith("waiver ")]
    assert len(waiver_notes) == 2  # the expired one and the unused one
    assert any("location" in finding for finding in report["findings"])


def test_no_planted_secret_reaches_any_format_or_stderr(tmp_path: Path) -> None:
    plan, waivers = planted_setup(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    formats = [f"--format={name}={out / name}" for name in FORMAT_NAMES]
    result = check(str(plan), *formats, "--waivers", str(waivers))
    assert result.exit_code == 1, result.output
    assert_nothing_planted("stderr", result.stderr)
    for name in FORMAT_NAMES:
        assert_nothing_planted(name, (out / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_no_planted_secret_reaches_stdout(name: str, tmp_path: Path) -> None:
    plan, waivers = planted_setup(tmp_path)
    result = check(str(plan), "--format", name, "--waivers", str(waivers), "--debug")
    assert result.exit_code == 1, result.output
    assert_nothing_planted(f"{name} stdout", result.stdout)
    assert_nothing_planted(f"{name} stderr", result.stderr)


BROKEN_YAML = {
    "undefined alias": f"default_profile: baseline\nwaivers: *{TOKEN}\n",
    "unknown tag": f"default_profile: !{TOKEN} baseline\n",
    "unknown key": f"default_profile: baseline\n{TOKEN}_{KEY_ID}: 1\n",
    "duplicate key": f"default_profile: baseline\n{KEY_ID}: 1\n{KEY_ID}: 2\n",
    "bad account key": f"default_profile: baseline\naccounts:\n  {KEY_ID}: {{profiles: [x]}}\n",
}


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "TF_"))}
    return subprocess.run(
        [sys.executable, "-m", "tfgate", *arguments],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize("case", sorted(BROKEN_YAML))
@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_yaml_errors_never_quote_a_secret(case: str, debug: bool, tmp_path: Path) -> None:
    config = tmp_path / "tfgate.yaml"
    config.write_text(BROKEN_YAML[case], encoding="utf-8")
    plan = write_plan(tmp_path, [resource_change("aws_iam_user", "u", {"name": "u"})])
    completed = _run("check", str(plan), "--config", str(config), *(["--debug"] * debug))
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.startswith("tfgate: error: ") or debug
    if debug:
        assert "Traceback" in completed.stderr  # --debug still shows where it failed
    assert_nothing_planted("stderr", completed.stderr)
    assert_nothing_planted("stdout", completed.stdout)


def test_validate_prints_no_credential_from_paths_or_keys(tmp_path: Path) -> None:
    """`tfgate validate` quotes file names (valid lines) and YAML keys (problem lines)."""
    from typer.testing import CliRunner

    from tfgate.cli import app

    directory = tmp_path / f"config-{TOKEN}"
    directory.mkdir()
    waivers = directory / "waivers.yaml"
    waivers.write_text(
        "- rule: TFG-IAM-001\n  address: aws_iam_user.x\n  reason: vendor, ticket SEC-1\n"
        "  owner: platform\n  expires: 2099-01-01\n",
        encoding="utf-8",
    )
    valid = CliRunner().invoke(app, ["validate", str(waivers)])
    assert valid.exit_code == 0, valid.output
    assert "(1 waiver)" in valid.output
    broken = directory / "tfgate.yaml"
    broken.write_text(f"default_profile: baseline\n{KEY_ID}: 1\n", encoding="utf-8")
    invalid = CliRunner().invoke(app, ["validate", str(broken)])
    assert invalid.exit_code == 2
    assert "unknown key" in invalid.output
    for result in (valid, invalid):
        assert_nothing_planted("tfgate validate", result.output)
