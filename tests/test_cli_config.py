"""`check` with tfgate.yaml and waivers, and `validate`, end to end."""

from __future__ import annotations

import datetime
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from tests.paths import FIXTURES, require
from tfgate.cli import app

runner = CliRunner()
KEYS = FIXTURES / "long-lived-access-key" / "fail" / "plan.json"
FAR = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()

WAIVERS = f"""\
- rule: TFG-IAM-002
  address: aws_iam_access_key.fail_*
  reason: vendor integration without OIDC support, ticket SEC-142
  owner: platform-team
  expires: {FAR}
"""


def json_report(args: list[str]) -> tuple[int, dict[str, object]]:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, orjson.loads(result.stdout)


def test_waivers_turn_blocking_findings_into_waived(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(WAIVERS)
    code, report = json_report(["check", str(require(KEYS)), "--waivers", str(waivers)])
    assert code == 0
    findings = report["findings"]
    assert isinstance(findings, list)
    waived = [f for f in findings if f["status"] == "waived"]
    assert {f["address"] for f in waived} == {
        "aws_iam_access_key.fail_ci",
        "aws_iam_access_key.fail_rotated",
        'aws_iam_access_key.fail_service["etl"]',
        'aws_iam_access_key.fail_service["reports"]',
    }
    assert all("SEC-142" in str(f["waiver_reason"]) for f in waived)


def test_config_maps_the_detected_account_to_a_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tfgate.yaml").write_text(
        "default_profile: baseline\n"
        'accounts:\n  "111122223333": {name: legacy, profiles: [strict.yaml]}\n'
    )
    (tmp_path / "strict.yaml").write_text(
        "name: strict\nextends: [baseline]\nblock_existing: true\n"
    )
    monkeypatch.chdir(tmp_path)
    code, report = json_report(["check", str(require(KEYS))])
    assert code == 1
    assert report["profiles"] == ["strict"]
    selection = report["selection"]
    assert isinstance(selection, dict)
    assert selection["accounts"] == ["111122223333"]
    assert selection["reason"] == "account legacy"
    assert report["summary"]["blocking"] == 7  # type: ignore[index]


def test_waivers_referenced_from_config(tmp_path: Path) -> None:
    (tmp_path / "waivers.yaml").write_text(WAIVERS)
    config = tmp_path / "tfgate.yaml"
    config.write_text("default_profile: baseline\nwaivers: waivers.yaml\n")
    code, _ = json_report(["check", str(require(KEYS)), "--config", str(config)])
    assert code == 0


def test_expired_waiver_is_reported_and_blocks(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(WAIVERS.replace(FAR, "2020-01-01"))
    result = runner.invoke(app, ["check", str(require(KEYS)), "--waivers", str(waivers)])
    assert result.exit_code == 1
    assert "waiver expired on 2020-01-01 and no longer applies" in result.stdout


def test_bad_account_option() -> None:
    result = runner.invoke(app, ["check", str(require(KEYS)), "--account", "12"])
    assert result.exit_code == 2
    assert result.stderr == "tfgate: error: --account must be a 12-digit AWS account id\n"


def test_validate_config_and_what_it_references(tmp_path: Path) -> None:
    (tmp_path / "waivers.yaml").write_text(WAIVERS)
    (tmp_path / "strict.yaml").write_text("name: strict\nextends: [baseline]\n")
    config = tmp_path / "tfgate.yaml"
    config.write_text(
        "default_profile: baseline\n"
        'accounts:\n  "111111111111": {profiles: [strict.yaml]}\n'
        "waivers: waivers.yaml\n"
    )
    result = runner.invoke(app, ["validate", str(config)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"{config}: valid tfgate.yaml"
    assert "waivers" in result.stdout


def test_validate_reports_file_line_and_key(tmp_path: Path) -> None:
    profile = tmp_path / "mine.yaml"
    profile.write_text(
        "name: mine\nextends: [baseline]\nrules:\n  TFG-IAM-001: {enforcment: warn}\n"
    )
    result = runner.invoke(app, ["validate", str(profile)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"tfgate: error: {profile} at line 4, key rules/TFG-IAM-001: unknown key 'enforcment'\n"
    )


def test_validate_broken_reference(tmp_path: Path) -> None:
    config = tmp_path / "tfgate.yaml"
    config.write_text("default_profile: soc2\n")
    result = runner.invoke(app, ["validate", str(config)])
    assert result.exit_code == 2
    assert result.stderr.startswith("tfgate: error: unknown profile 'soc2'")
