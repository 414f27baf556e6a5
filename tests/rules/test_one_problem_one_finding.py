"""One problem, one finding (issue 14, item 6): a rule that finds its problem in several places
of one resource reports one finding listing them, PassRole is TFG-IAM-014's alone, and keys,
fingerprints and waivers stay stable."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import jsonschema
import orjson
from typer.testing import CliRunner

from tests.formats.sarif_rules import schema_errors
from tests.rules.iam_plans import change, plan_of
from tfgate.cli import app
from tfgate.config.profiles import load_profile
from tfgate.config.waivers import Waiver
from tfgate.engine import judge
from tfgate.formats import sarif
from tfgate.report import Report, Status
from tfgate.resources import schema

TODAY = datetime.date(2026, 12, 1)

runner = CliRunner()


def _statement(sid: str, action: str, resource: str = "*") -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resource}


def _policy_change(*statements: dict[str, Any]) -> dict[str, Any]:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return change(
        "aws_iam_policy",
        "deployer",
        {"name": "deployer", "path": "/", "policy": orjson.dumps(document).decode()},
    )


THREE_WRITES = (
    _statement("Launch", "ec2:RunInstances"),
    _statement("Queues", "sqs:SendMessage"),
    _statement("Functions", "lambda:UpdateFunctionConfiguration"),
)


def _judged(*statements: dict[str, Any], waivers: tuple[Waiver, ...] = ()) -> Report:
    plan = plan_of([_policy_change(*statements)])
    return judge(plan, [load_profile("baseline")], waivers=waivers, today=TODAY)


def _of(report: Report, rule: str) -> list[Any]:
    return [finding for finding in report.findings if finding.rule == rule]


def test_several_offending_statements_give_one_finding_listing_them() -> None:
    (finding,) = _of(_judged(*THREE_WRITES), "TFG-IAM-015")
    assert finding.blocking and finding.status is Status.INTRODUCED
    assert [part.key for part in finding.parts] == [
        'policy:Sid "Functions"',
        'policy:Sid "Launch"',
        'policy:Sid "Queues"',
    ]
    assert finding.message.startswith("found in 3 places: (1) ")
    for sid in ("Launch", "Queues", "Functions"):
        assert f'Sid "{sid}"' in finding.message


def test_one_offending_statement_keeps_its_finding_and_key() -> None:
    (finding,) = _of(_judged(THREE_WRITES[0]), "TFG-IAM-015")
    assert finding.parts == ()
    assert finding.key == 'policy:Sid "Launch"'
    assert not finding.message.startswith("found in")


def test_the_merged_finding_keeps_its_first_part_key_and_fingerprint() -> None:
    alone = _of(_judged(THREE_WRITES[2]), "TFG-IAM-015")[0]
    merged = _of(_judged(*THREE_WRITES), "TFG-IAM-015")[0]
    assert merged.key == alone.key
    assert sarif.fingerprint(merged) == sarif.fingerprint(alone)


def test_a_waiver_for_rule_and_address_covers_the_merged_finding() -> None:
    waiver = Waiver(
        "TFG-IAM-015",
        "aws_iam_policy.deployer",
        "migration",
        "platform",
        TODAY + datetime.timedelta(days=30),
    )
    (finding,) = _of(_judged(*THREE_WRITES, waivers=(waiver,)), "TFG-IAM-015")
    assert finding.status is Status.WAIVED and not finding.blocking
    assert len(finding.parts) == 3


def test_pass_role_on_every_role_is_reported_by_014_only() -> None:
    report = _judged(_statement("Pass", "iam:PassRole"))
    assert [finding.rule for finding in report.findings if finding.blocking] == ["TFG-IAM-014"]


def test_pass_role_next_to_other_writes_leaves_them_to_015() -> None:
    report = _judged(
        {
            "Sid": "Both",
            "Effect": "Allow",
            "Action": ["iam:PassRole", "sqs:SendMessage"],
            "Resource": "*",
        }
    )
    (write,) = _of(report, "TFG-IAM-015")
    assert "sqs:SendMessage" in write.message and "PassRole" not in write.message
    assert _of(report, "TFG-IAM-014")


def _check(tmp_path: Path, output_format: str) -> Any:
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {}},
        "resource_changes": [_policy_change(*THREE_WRITES)],
        "configuration": {"root_module": {}},
    }
    path = tmp_path / "plan.json"
    path.write_bytes(orjson.dumps(plan))
    result = runner.invoke(app, ["check", str(path), "--format", output_format])
    assert result.exit_code == 1, result.output
    return orjson.loads(result.stdout)


def test_json_lists_the_parts_and_matches_the_schema(tmp_path: Path) -> None:
    report = _check(tmp_path, "json")
    jsonschema.Draft202012Validator(schema("report")).validate(report)
    (finding,) = [f for f in report["findings"] if f["rule"] == "TFG-IAM-015"]
    assert [part["key"] for part in finding["parts"]] == [
        'policy:Sid "Functions"',
        'policy:Sid "Launch"',
        'policy:Sid "Queues"',
    ]
    others = [f for f in report["findings"] if f["rule"] != "TFG-IAM-015"]
    assert all("parts" not in f for f in others if not f["message"].startswith("found in"))


def test_sarif_lists_the_parts_and_stays_valid(tmp_path: Path) -> None:
    document = _check(tmp_path, "sarif")
    assert schema_errors(document) == []
    (result,) = [r for r in document["runs"][0]["results"] if r["ruleId"] == "TFG-IAM-015"]
    assert len(result["properties"]["parts"]) == 3
