"""Source locations: a resource address → the .tf file and line of its block.

Over every failing fixture the expected line comes from a plain text search of main.tf, not from
python-hcl2, so the two methods check each other. The source-map fixture adds modules: a local
module that calls a sibling relative to itself, a registry module installed under
.terraform/modules (found through modules.json), and a git module that is not installed (the
finding points at its `module` call).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.judged import located
from tests.paths import FIXTURES, ROOT
from tfgate.plan.load import load_plan
from tfgate.report import Location, Report
from tfgate.source import (
    SourceMap,
    block_lines,
    config_files,
    parse_address,
    source_map_for_plan,
)

FAIL_PLANS = sorted(FIXTURES.glob("*/fail/plan.json"))
SOURCE_MAP = FIXTURES / "source-map" / "fail"


def fixture_id(path: Path) -> str:
    return path.parent.parent.name


def judged(path: Path) -> Report:
    """Every rule on one fixture plan, with locations attached as `tfgate check` does."""
    report = located(path)
    if isinstance(report, str):  # a fixture still being written
        pytest.skip(f"{fixture_id(path)} does not load yet: {report}")
    return report


def line_of(text: str, pattern: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(pattern, line):
            return number
    return 0


def expected_location(plan: Path, address: str) -> tuple[str, int]:
    """By text search: the resource block in main.tf, else the module call, else line 1."""
    main = plan.parent / "main.tf"
    text = main.read_text(encoding="utf-8")
    target = parse_address(address)
    assert target is not None, address
    relative = main.relative_to(ROOT).as_posix()
    if not target.module_path:
        kind, type_, name = target.block
        found = line_of(text, rf'\s*{kind}\s+"{type_}"\s+"{name}"\s*\{{')
        return relative, found or 1
    return relative, line_of(text, rf'\s*module\s+"{target.module_path[0]}"\s*\{{')


@pytest.mark.parametrize("plan", [p for p in FAIL_PLANS if p.parent != SOURCE_MAP], ids=fixture_id)
def test_every_finding_of_a_fixture_points_at_its_block(
    plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(ROOT)
    report = judged(plan)
    for finding in report.findings:
        assert finding.location is not None, finding.address
        expected = expected_location(plan, finding.address)
        assert (finding.location.file, finding.location.line) == expected, finding.address


SOURCE_MAP_EXPECTED = {
    "aws_iam_user.fail_root_user": ("main.tf", 'resource "aws_iam_user" "fail_root_user"'),
    "module.app.aws_iam_user.fail_service": (
        "modules/app/main.tf",
        'resource "aws_iam_user" "fail_service"',
    ),
    "module.app.aws_cloudwatch_log_group.fail_app": (
        "modules/app/main.tf",
        'resource "aws_cloudwatch_log_group" "fail_app"',
    ),
    "module.app.module.audit.aws_iam_user.fail_auditor": (
        "modules/audit/main.tf",
        'resource "aws_iam_user" "fail_auditor"',
    ),
    "module.logs.aws_cloudwatch_log_group.this[0]": (
        ".terraform/modules/logs/main.tf",
        'resource "aws_cloudwatch_log_group" "this"',
    ),
    "module.vendor.aws_iam_user.this": ("main.tf", 'module "vendor"'),
}


def test_source_map_fixture_follows_module_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(ROOT)
    report = judged(SOURCE_MAP / "plan.json")
    found = {finding.address: finding.location for finding in report.findings}
    assert set(found) == set(SOURCE_MAP_EXPECTED)
    for address, (file, opening) in SOURCE_MAP_EXPECTED.items():
        text = (SOURCE_MAP / file).read_text(encoding="utf-8")
        line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith(opening))
        expected = Location((SOURCE_MAP / file).relative_to(ROOT).as_posix(), line)
        assert found[address] == expected, address


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_parse_address() -> None:
    target = parse_address('module.a["x.y"].module.b[0].aws_s3_bucket.logs["k"]')
    assert target is not None
    assert target.module_path == ("a", "b")
    assert target.block == ("resource", "aws_s3_bucket", "logs")
    data = parse_address("data.aws_iam_policy_document.trust")
    assert data is not None and data.block == ("data", "aws_iam_policy_document", "trust")
    assert parse_address("nonsense") is None


def test_block_lines_with_hcl_and_with_the_fallback_scan() -> None:
    text = (
        '# a comment\nresource "aws_s3_bucket" "a" {\n  bucket = "x"\n}\n\n'
        'data "aws_caller_identity" "me" {}\n'
        'module "net" {\n  source = "./net"\n}\n'
        'resource "aws_s3_bucket" "nested" {\n  lifecycle {\n    ignore_changes = [tags]\n  }\n}\n'
    )
    expected = {
        ("resource", "aws_s3_bucket", "a"): 2,
        ("data", "aws_caller_identity", "me"): 6,
        ("module", "net"): 7,
        ("resource", "aws_s3_bucket", "nested"): 10,
    }
    assert block_lines(text) == expected
    broken = text + "resource {{{ this is not HCL\n"
    assert block_lines(broken) == expected


def test_tofu_file_wins_over_tf_of_the_same_stem(tmp_path: Path) -> None:
    write(tmp_path / "main.tf", '\n\nresource "aws_iam_user" "u" {\n}\n')
    write(tmp_path / "main.tofu", 'resource "aws_iam_user" "u" {\n}\n')
    write(tmp_path / "extra.tf", '\nresource "aws_iam_user" "v" {\n}\n')
    write(tmp_path / "notes.txt", 'resource "aws_iam_user" "w" {\n}\n')
    assert [p.name for p in config_files(tmp_path)] == ["extra.tf", "main.tofu"]
    source_map = SourceMap(root=tmp_path, base=tmp_path)
    assert source_map.locate("aws_iam_user.u") == Location("main.tofu", 1)
    assert source_map.locate("aws_iam_user.v[0]") == Location("extra.tf", 2)
    assert source_map.locate("aws_iam_user.w") == Location("main.tofu", 1)  # deleted: line 1


def test_nested_local_modules_resolve_against_the_caller(tmp_path: Path) -> None:
    write(tmp_path / "root" / "main.tf", 'module "a" {\n  source = "../mods/a"\n}\n')
    write(tmp_path / "mods" / "a" / "main.tf", 'module "b" {\n  source = "./b"\n}\n')
    write(tmp_path / "mods" / "a" / "b" / "main.tf", '\nresource "aws_sqs_queue" "q" {\n}\n')
    configuration: dict[str, Any] = {
        "root_module": {
            "module_calls": {
                "a": {
                    "source": "../mods/a",
                    "module": {"module_calls": {"b": {"source": "./b", "module": {}}}},
                }
            }
        }
    }
    document = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "configuration": configuration,
    }
    sources = load_plan(orjson.dumps(document), "plan.json").module_sources
    assert sources == {("a",): "../mods/a", ("a", "b"): "./b"}
    source_map = SourceMap(root=tmp_path / "root", sources=sources, base=tmp_path)
    assert source_map.locate('module.a["x"].module.b[1].aws_sqs_queue.q') == Location(
        "mods/a/b/main.tf", 2
    )
    # A block missing from the module: the innermost call that can be found.
    assert source_map.locate("module.a.module.b.aws_sqs_queue.gone") == Location(
        "mods/a/main.tf", 1
    )


def test_registry_module_without_manifest_points_at_the_call(tmp_path: Path) -> None:
    write(tmp_path / "main.tf", '\n\nmodule "vpc" {\n  source = "org/vpc/aws"\n}\n')
    source_map = SourceMap(root=tmp_path, sources={("vpc",): "org/vpc/aws"}, base=tmp_path)
    assert source_map.locate("module.vpc.aws_vpc.this") == Location("main.tf", 3)


def test_plan_outside_any_sources(tmp_path: Path) -> None:
    plan = write(tmp_path / "plan.json", "{}")
    source_map = source_map_for_plan(plan, None, tmp_path, {})
    assert source_map.locate("aws_iam_user.u") is None


def test_a_broken_manifest_is_ignored(tmp_path: Path) -> None:
    write(tmp_path / ".terraform" / "modules" / "modules.json", "{not json")
    write(tmp_path / "main.tf", 'module "m" {\n  source = "org/m/aws"\n}\n')
    plan = write(tmp_path / "plan.json", "{}")
    source_map = source_map_for_plan(plan, None, tmp_path, {("m",): "org/m/aws"})
    assert source_map.locate("module.m.aws_iam_user.u") == Location("main.tf", 1)


def test_source_dir_overrides_the_plan_directory(tmp_path: Path) -> None:
    plan = write(tmp_path / "plans" / "plan.json", orjson.dumps({"configuration": {}}).decode())
    write(tmp_path / "infra" / "main.tf", 'resource "aws_iam_user" "u" {\n}\n')
    source_map = source_map_for_plan(plan, tmp_path / "infra", tmp_path, {})
    assert source_map.locate("aws_iam_user.u") == Location("infra/main.tf", 1)
