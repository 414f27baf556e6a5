"""`check` with tfgate.yaml and waivers, and `validate`, end to end."""

from __future__ import annotations

import datetime
import shutil
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
    shutil.copy(require(KEYS), tmp_path / "plan.json")
    code, report = json_report(["check", "plan.json"])
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
    assert result.stdout == f"{profile}:4: rules/TFG-IAM-001: unknown key 'enforcment'\n"
    assert result.stderr == "tfgate: error: 1 problem in the configuration\n"


def test_validate_broken_reference(tmp_path: Path) -> None:
    config = tmp_path / "tfgate.yaml"
    config.write_text("default_profile: soc2\n")
    result = runner.invoke(app, ["validate", str(config)])
    assert result.exit_code == 2
    assert result.stdout.startswith(f"{config}:1: default_profile: unknown profile 'soc2'")


# --- discovery -------------------------------------------------------------------------------

MAPPED = 'default_profile: baseline\naccounts:\n  "111122223333": {profiles: [hipaa]}\n'


def repository(tmp_path: Path, git: str = "dir") -> tuple[Path, Path]:
    """A repository with a plan two directories below its root; `.git` a directory or a file."""
    root = tmp_path / "repo"
    plan_dir = root / "envs" / "prod"
    plan_dir.mkdir(parents=True)
    if git == "dir":
        (root / ".git").mkdir()
    else:
        (root / ".git").write_text("gitdir: /elsewhere/worktrees/repo\n")
    shutil.copy(require(KEYS), plan_dir / "plan.json")
    return root, plan_dir / "plan.json"


@pytest.mark.parametrize("git", ["dir", "file"])
@pytest.mark.parametrize("name", ["tfgate.yaml", "tfgate.yml", ".tfgate.yaml", ".tfgate.yml"])
def test_discovery_walks_up_to_the_repository_root(tmp_path: Path, git: str, name: str) -> None:
    root, plan = repository(tmp_path, git)
    (root / name).write_text(MAPPED)
    _code, report = json_report(["check", str(plan)])
    assert report["profiles"] == ["hipaa"]
    notes = report["notes"]
    assert isinstance(notes, list)
    assert f"configuration: {name} (found from envs/prod)" in notes


def test_discovery_uses_the_nearest_file_and_the_first_name(tmp_path: Path) -> None:
    root, plan = repository(tmp_path)
    (root / "tfgate.yaml").write_text(MAPPED)
    (plan.parent.parent / ".tfgate.yml").write_text("default_profile: gdpr\n")
    (plan.parent.parent / "tfgate.yml").write_text("default_profile: nrb\n")
    _, report = json_report(["check", str(plan)])
    assert report["profiles"] == ["nrb"]


def test_discovery_never_reads_above_the_repository_root(tmp_path: Path) -> None:
    _root, plan = repository(tmp_path)
    (tmp_path / "tfgate.yaml").write_text(MAPPED)
    _, report = json_report(["check", str(plan)])
    assert report["profiles"] == ["baseline"]
    assert report["selection"]["reason"] == "no tfgate.yaml: the baseline profile"  # type: ignore[index]


def test_discovery_without_a_repository_stops_at_home(tmp_path: Path) -> None:
    from tfgate.config.selection import discover_config, search_boundary

    home = tmp_path / "home"
    start = home / "work" / "infra"
    start.mkdir(parents=True)
    (tmp_path / "tfgate.yaml").write_text(MAPPED)
    assert search_boundary(start, home) == home.resolve()
    assert discover_config(start, home) is None
    (home / "tfgate.yaml").write_text(MAPPED)
    assert discover_config(start, home) == (home / "tfgate.yaml").resolve()
    outside = tmp_path / "outside"
    outside.mkdir()
    assert search_boundary(outside, home) == outside.resolve()
    assert discover_config(outside, home) is None


def test_source_dir_is_where_discovery_starts(tmp_path: Path) -> None:
    root, plan = repository(tmp_path)
    elsewhere = root / "modules"
    elsewhere.mkdir()
    (elsewhere / "tfgate.yaml").write_text("default_profile: gdpr\n")
    _, report = json_report(["check", str(plan), "--source-dir", str(elsewhere)])
    assert report["profiles"] == ["gdpr"]


def test_paths_in_a_discovered_file_are_relative_to_it(tmp_path: Path) -> None:
    root, plan = repository(tmp_path)
    (root / "policy").mkdir()
    (root / "policy" / "strict.yaml").write_text(
        "name: strict\nextends: [baseline]\nblock_existing: true\n"
    )
    (root / "policy" / "waivers.yaml").write_text(WAIVERS)
    (root / "tfgate.yaml").write_text(
        "default_profile: baseline\n"
        "paths:\n  envs/prod/**: {profiles: [policy/strict.yaml]}\n"
        "waivers: policy/waivers.yaml\n"
    )
    _, report = json_report(["check", str(plan)])
    assert report["profiles"] == ["strict"]
    assert report["selection"]["reason"] == "path 'envs/prod/**'"  # type: ignore[index]
    findings = report["findings"]
    assert isinstance(findings, list)
    assert any(f["status"] == "waived" for f in findings)


def test_config_pins_and_no_config_skips(tmp_path: Path) -> None:
    root, plan = repository(tmp_path)
    (root / "tfgate.yaml").write_text(MAPPED)
    pinned = tmp_path / "pinned.yaml"
    pinned.write_text("default_profile: gdpr\n")
    _, report = json_report(["check", str(plan), "--config", str(pinned)])
    assert report["profiles"] == ["gdpr"]
    _, report = json_report(["check", str(plan), "--no-config"])
    assert report["profiles"] == ["baseline"]
    both = runner.invoke(app, ["check", str(plan), "--no-config", "--config", str(pinned)])
    assert both.exit_code == 2
    assert both.stderr == (
        "tfgate: error: --config and --no-config contradict each other; pass one\n"
    )


def test_plans_that_find_different_files_are_an_error(tmp_path: Path) -> None:
    root, plan = repository(tmp_path)
    other = root / "envs" / "dev"
    other.mkdir()
    shutil.copy(plan, other / "plan.json")
    (other / "tfgate.yaml").write_text("default_profile: gdpr\n")
    result = runner.invoke(app, ["check", str(plan), str(other / "plan.json")])
    assert result.exit_code == 2
    assert "the plans find different configuration files" in result.stderr
    assert result.stderr.count("\n") == 1


# --- the whole configuration is checked before judging ------------------------------------


@pytest.mark.parametrize(
    ("config", "line", "key", "message"),
    [
        (
            'default_profile: baseline\naccounts:\n  "999999999999": {profiles: [soc2]}\n',
            3,
            "accounts/999999999999/profiles/0",
            "unknown profile 'soc2'",
        ),
        (
            "default_profile: baseline\nworkspaces:\n  dev: {profiles: [missing.yaml]}\n",
            3,
            "workspaces/dev/profiles/0",
            "profile file",
        ),
        (
            "default_profile: baseline\nwaivers: nowhere.yaml\n",
            2,
            "waivers",
            "waivers file",
        ),
        (
            "default_profile: baseline\npaths:\n  envs/**x/*: {profiles: [gdpr]}\n",
            3,
            "paths/envs/**x/*",
            "`**` must be a whole path segment",
        ),
        (
            "default_profile: baseline\npaths:\n  'envs/***': {profiles: [gdpr]}\n",
            3,
            "paths/envs/***",
            "`***`",
        ),
    ],
)
def test_check_validates_mappings_that_do_not_apply(
    tmp_path: Path, config: str, line: int, key: str, message: str
) -> None:
    root, plan = repository(tmp_path)
    (root / "tfgate.yaml").write_text(config)
    result = runner.invoke(app, ["check", str(plan)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(
        f"tfgate: error: {root / 'tfgate.yaml'} at line {line}, key {key}: "
    ), result.stderr
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_check_keeps_treating_an_expired_waiver_as_reported_not_an_error(tmp_path: Path) -> None:
    root, plan = repository(tmp_path)
    (root / "waivers.yaml").write_text(WAIVERS.replace(FAR, "2020-01-01"))
    (root / "tfgate.yaml").write_text("default_profile: baseline\nwaivers: waivers.yaml\n")
    result = runner.invoke(app, ["check", str(plan)])
    assert result.exit_code == 1
    assert "waiver expired on 2020-01-01 and no longer applies" in result.stdout


# --- validate lists every problem -----------------------------------------------------------


def test_validate_lists_every_problem_sorted(tmp_path: Path) -> None:
    (tmp_path / "waivers.yaml").write_text(
        "- rule: TFG-NOPE-001\n  address: a.b\n  reason: a reason long enough\n"
        "  owner: someone\n  expires: 2030-13-01\n"
    )
    (tmp_path / "broken.yaml").write_text("name: broken\nrules:\n  TFG-IAM-001: {enforcement: x}\n")
    config = tmp_path / "tfgate.yaml"
    config.write_text(
        "default_profile: [baseline, soc2]\n"
        "accounts:\n"
        '  "111111111111": {profiles: [broken.yaml]}\n'
        '  "222222222222": {profiles: [nope]}\n'
        "paths:\n"
        "  '': {profiles: [gdpr]}\n"
        "waivers: waivers.yaml\n"
    )
    result = runner.invoke(app, ["validate", str(config)])
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert lines == sorted(lines)
    assert lines == [
        f"{tmp_path / 'broken.yaml'}:3: rules/TFG-IAM-001/enforcement: must be one of block, "
        "warn, off",
        f"{config}:1: default_profile/1: unknown profile 'soc2' (built-in profiles: baseline, "
        "gdpr, hipaa, nrb, pci-dss)",
        f"{config}:4: accounts/222222222222/profiles/0: unknown profile 'nope' (built-in "
        "profiles: baseline, gdpr, hipaa, nrb, pci-dss)",
        f"{config}:6: paths/: the glob is empty and matches nothing",
        f"{tmp_path / 'waivers.yaml'}:1: 0/rule: unknown rule id 'TFG-NOPE-001'; `tfgate rules` "
        "lists them",
        f"{tmp_path / 'waivers.yaml'}:5: 0/expires: expires is not a valid date (YYYY-MM-DD)",
    ]
    assert result.stderr == "tfgate: error: 6 problems in the configuration\n"


def test_validate_lists_every_schema_error(tmp_path: Path) -> None:
    config = tmp_path / "tfgate.yaml"
    config.write_text('default_profil: baseline\naccounts:\n  "12": {profiles: []}\n')
    result = runner.invoke(app, ["validate", str(config)])
    assert result.exit_code == 2
    assert len(result.stdout.splitlines()) == 3, result.stdout


def test_validate_warns_about_expired_and_too_long_waivers(tmp_path: Path) -> None:
    long = (datetime.date.today() + datetime.timedelta(days=200)).isoformat()
    (tmp_path / "waivers.yaml").write_text(
        WAIVERS.replace(FAR, "2020-01-01")
        + WAIVERS.replace(FAR, long)
        + '  account: "111111111111"\n'
        + WAIVERS.replace(FAR, long)
        + '  account: "222222222222"\n'
    )
    config = tmp_path / "tfgate.yaml"
    config.write_text(
        "default_profile: baseline\n"
        'accounts:\n  "111111111111": {name: payments, profiles: [pci-dss]}\n'
        "waivers: waivers.yaml\n"
    )
    result = runner.invoke(app, ["validate", str(config)])
    assert result.exit_code == 0, result.output
    waivers = tmp_path / "waivers.yaml"
    assert result.stdout.splitlines()[:2] == [
        f"{waivers}:5: 0/expires: warning: expired on 2020-01-01; it no longer applies",
        f"{waivers}:10: 1/expires: warning: expires in 200 days, beyond the 90-day limit "
        "(max_waiver_days) of a profile that applies to it; it does not apply",
    ]
    assert f"{config}: valid tfgate.yaml" in result.stdout
    assert result.stderr == ""


def test_validate_discovers_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, plan = repository(tmp_path)
    (root / ".tfgate.yml").write_text(MAPPED)
    monkeypatch.chdir(plan.parent)
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    assert "valid tfgate.yaml" in result.stdout
    (root / ".tfgate.yml").unlink()
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2
    assert "no tfgate.yaml" in result.stderr


# --- files passed where another kind belongs --------------------------------------------------

PROFILE = "name: mine\nextends: [baseline]\n"


@pytest.mark.parametrize(
    ("option", "text", "hint"),
    [
        (
            "--config",
            PROFILE,
            "this looks like a profile, not a tfgate.yaml: pass it with --profile",
        ),
        (
            "--config",
            WAIVERS,
            "this looks like a waivers file, not a tfgate.yaml: pass it with --waivers",
        ),
        (
            "--waivers",
            "default_profile: baseline\n",
            "this looks like a tfgate.yaml, not a waivers file: pass it with --config",
        ),
        (
            "--waivers",
            PROFILE,
            "this looks like a profile, not a waivers file: pass it with --profile",
        ),
        (
            "--profile",
            WAIVERS,
            "this looks like a waivers file, not a profile: pass it with --waivers",
        ),
        (
            "--profile",
            "default_profile: baseline\n",
            "this looks like a tfgate.yaml, not a profile: pass it with --config",
        ),
    ],
)
def test_a_file_of_the_wrong_kind_says_what_it_looks_like(
    tmp_path: Path, option: str, text: str, hint: str
) -> None:
    path = tmp_path / "file.yaml"
    path.write_text(text)
    skip_discovery = [] if option == "--config" else ["--no-config"]
    result = runner.invoke(app, ["check", str(require(KEYS)), option, str(path), *skip_discovery])
    assert result.exit_code == 2
    assert hint in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("default_profile: baseline\n", "this looks like a tfgate.yaml, not a Terraform plan"),
        (PROFILE, "this looks like a profile, not a Terraform plan: pass it with --profile"),
        (WAIVERS, "this looks like a waivers file, not a Terraform plan: pass it with --waivers"),
    ],
)
def test_configuration_passed_as_the_plan(tmp_path: Path, text: str, hint: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    result = runner.invoke(app, ["check", str(path), "--no-config"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"tfgate: error: {path}: {hint}")
    assert result.stderr.count("\n") == 1


def test_a_plan_passed_as_configuration_names_no_line(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text('{"format_version": "1.2", "resource_changes": []}\n')
    result = runner.invoke(app, ["check", str(require(KEYS)), "--config", str(plan)])
    assert result.stderr.startswith(f"tfgate: error: {plan}: this looks like a Terraform plan")
