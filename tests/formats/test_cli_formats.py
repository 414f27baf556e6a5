"""`tfgate check --format NAME[=PATH] ... --source-dir DIR`, end to end with CliRunner."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from tests.paths import FIXTURES, ROOT, require
from tfgate.cli import app

runner = CliRunner()
FAILING = FIXTURES / "iam-user-created" / "fail" / "plan.json"
SOURCE_MAP = FIXTURES / "source-map" / "fail" / "plan.json"


@pytest.fixture(autouse=True)
def _repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(ROOT)


def test_several_formats_at_once(tmp_path: Path) -> None:
    sarif, summary, junit = tmp_path / "t.sarif", tmp_path / "summary.md", tmp_path / "j.xml"
    result = runner.invoke(
        app,
        [
            "check",
            str(require(FAILING)),
            "--format",
            "text",
            "--format",
            f"sarif={sarif}",
            "--format",
            f"markdown={summary}",
            "-f",
            f"junit={junit}",
        ],
    )
    assert result.exit_code == 1, result.stderr
    assert result.stdout.rstrip().splitlines()[-1].startswith("tfgate: BLOCKED: ")
    document = orjson.loads(sarif.read_bytes())
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in document["runs"][0]["results"]
    }
    assert uris == {"fixtures/iam-user-created/fail/main.tf"}
    assert summary.read_text(encoding="utf-8").splitlines()[1].startswith("## ❌ tfgate: BLOCKED")
    assert junit.read_text(encoding="utf-8").startswith("<?xml")
    assert result.stderr == ""


def test_only_files_puts_the_verdict_on_stderr(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    result = runner.invoke(app, ["check", str(require(FAILING)), "--format", f"github={target}"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("tfgate: BLOCKED")
    assert target.read_text(encoding="utf-8").startswith("::error file=fixtures/")


def test_github_to_stdout() -> None:
    result = runner.invoke(app, ["check", str(require(SOURCE_MAP)), "--format", "github"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert all(line.startswith("::error ") for line in lines)
    assert any("file=fixtures/source-map/fail/modules/audit/main.tf,line=5," in x for x in lines)


def test_output_applies_to_the_format_without_path(tmp_path: Path) -> None:
    report, sarif = tmp_path / "r.json", tmp_path / "r.sarif"
    result = runner.invoke(
        app,
        ["check", str(require(FAILING)), "-f", "json", "-f", f"sarif={sarif}", "-o", str(report)],
    )
    assert result.exit_code == 1
    assert orjson.loads(report.read_bytes())["result"] == "block"
    assert orjson.loads(sarif.read_bytes())["version"] == "2.1.0"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "yaml"], "unknown format 'yaml'; choose from text, json, sarif"),
        (["-f", "text", "-f", "json"], "at most one --format may be given without =PATH"),
        (["-f", "sarif="], "--format sarif= needs a path after '='"),
        (["-f", "sarif=x.sarif", "-o", "y"], "--output applies to the --format given without"),
    ],
)
def test_bad_format_options_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(require(FAILING)), *args])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"tfgate: error: {message}")
    assert len(result.stderr.strip().splitlines()) == 1


def test_no_file_is_written_when_the_plan_cannot_be_judged(tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text("not json", encoding="utf-8")
    sarif = tmp_path / "out.sarif"
    result = runner.invoke(app, ["check", str(bad), "--format", f"sarif={sarif}"])
    assert result.exit_code == 2
    assert not sarif.exists()


def test_source_dir_points_a_copied_plan_at_the_sources(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    shutil.copy(require(FAILING), plan)
    args = ["check", str(plan), "--format", "json"]
    without = orjson.loads(runner.invoke(app, args).stdout)
    assert all("location" not in finding for finding in without["findings"])
    source_dir = FIXTURES / "iam-user-created" / "fail"
    with_dir = orjson.loads(runner.invoke(app, [*args, "--source-dir", str(source_dir)]).stdout)
    locations = {f["address"]: f["location"] for f in with_dir["findings"]}
    assert locations["aws_iam_user.fail_alice"] == {
        "file": "fixtures/iam-user-created/fail/main.tf",
        "line": 37,
    }


def test_paths_are_relative_to_github_workspace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_WORKSPACE", str(FIXTURES / "iam-user-created"))
    result = runner.invoke(app, ["check", str(require(FAILING)), "--format", "github"])
    assert "::error file=fail/main.tf,line=37," in result.stdout
