"""`tfgate rules` and `tfgate profiles`: listings a person reads, and a machine-readable one."""

from __future__ import annotations

import dataclasses

import orjson
import yaml
from typer.testing import CliRunner

from tfgate.cli import app
from tfgate.config.profiles import load_profile
from tfgate.resources import builtin_profile_names
from tfgate.rules import RULES

runner = CliRunner()


def test_rules_are_sorted_by_id_in_aligned_columns() -> None:
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == sorted(rule.id for rule in RULES)
    by_id = {rule.id: rule for rule in RULES}
    # Every column starts at the same offset on every line, however long the names are.
    for column in ("severity", "name", "title"):
        starts = {line.index(_cell(by_id[line.split()[0]], column)) for line in lines}
        assert len(starts) == 1, column


def _cell(rule: object, column: str) -> str:
    value = getattr(rule, column)
    return str(getattr(value, "value", value))


def test_rules_as_json() -> None:
    result = runner.invoke(app, ["rules", "--format", "json"])
    assert result.exit_code == 0
    listed = orjson.loads(result.stdout)
    assert [entry["id"] for entry in listed] == sorted(rule.id for rule in RULES)
    first = next(rule for rule in RULES if rule.id == listed[0]["id"])
    assert listed[0] == {
        "id": first.id,
        "name": first.name,
        "severity": first.severity.value,
        "title": first.title,
        "resource_types": sorted(first.resource_types),
        "controls": {name: list(ids) for name, ids in sorted(first.controls.items())},
    }


def test_rules_refuses_an_unknown_format() -> None:
    result = runner.invoke(app, ["rules", "--format", "xml"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "tfgate: error: unknown format 'xml' for rules; choose text or json"
    ]


def test_profiles_wraps_descriptions_under_a_hanging_indent() -> None:
    result = runner.invoke(app, ["profiles"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    names = builtin_profile_names()
    starts = [line.split()[0] for line in lines if not line.startswith(" ")]
    assert starts == list(names)
    indent = max(len(name) for name in names) + 2
    assert all(line.startswith(" " * indent) for line in lines if line.split()[0] not in names)
    text = " ".join(result.stdout.split())
    for name in names:
        assert " ".join(load_profile(name).description.split()) in text


def test_profiles_show_is_plain_yaml_without_anchors() -> None:
    for name in builtin_profile_names():
        result = runner.invoke(app, ["profiles", "show", name])
        assert result.exit_code == 0, name
        assert "&id" not in result.stdout and "*id" not in result.stdout, name
        document = yaml.safe_load(result.stdout)
        assert result.stdout.startswith(f"name: {name}\n")
        profile = load_profile(name)
        assert document["name"] == profile.name
        assert " ".join(document["description"].split()) == " ".join(profile.description.split())
        assert set(document["rules"]) == set(profile.rules)


def test_messages_count_in_the_singular() -> None:
    from tests.formats.sample import PASSING
    from tfgate.formats import text

    report = dataclasses.replace(PASSING, resources_evaluated=1)
    rendered = text.render(report)
    assert "checked 1 resource change in plan.json with 1 rule" in rendered
    assert "nothing blocks, 0 non-blocking findings" in rendered
