"""SARIF checks shared by the format tests: the 2.1.0 schema and GitHub's ingestion rules.

The schema is read from the shared reference material beside the checkout (never copied into
the repository); checks that need it skip when it is absent.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema
import orjson
import pytest

from tests.paths import SHARED

SCHEMA = SHARED / "reference" / "sarif-schema-2.1.0.json"


@cache
def _schema() -> dict[str, Any] | None:
    if not SCHEMA.is_file():
        return None
    schema: dict[str, Any] = orjson.loads(SCHEMA.read_bytes())
    return schema


@cache
def _validator(definition: str = "") -> jsonschema.protocols.Validator | None:
    """The validator for the whole log, or for one of the schema's definitions."""
    schema = _schema()
    if schema is None:
        return None
    if definition:  # draft-04: a `$ref` beside other keywords replaces them
        schema = {**schema, "$ref": f"#/definitions/{definition}"}
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)  # type: ignore[no-any-return]


def _errors(validator: jsonschema.protocols.Validator, document: Any, prefix: str) -> list[str]:
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.path))
    return [f"{prefix}{list(error.path)}: {error.message}" for error in errors[:10]]


@cache
def _descriptor_errors(encoded: bytes) -> tuple[str, ...]:
    validator = _validator("reportingDescriptor")
    assert validator is not None
    return tuple(_errors(validator, orjson.loads(encoded), "rule "))


def schema_errors(document: dict[str, Any]) -> list[str]:
    """Where `document` breaks the SARIF 2.1.0 schema; skips the test when it is absent.

    Rule descriptors are the same in every log of a run of the tests, so each distinct one is
    validated once against `reportingDescriptor`, and the rest of the log with its rules
    arrays emptied: the same verdict as validating the whole log (the schema checks each rule
    on its own, and uniqueness holds because the ids differ), at a fraction of the cost.
    """
    validator = _validator()
    if validator is None:
        pytest.skip("the official SARIF 2.1.0 schema is not beside this checkout")
    problems: list[str] = []
    runs = []
    for run in document.get("runs", []):
        driver = run.get("tool", {}).get("driver", {})
        rules = driver.get("rules", [])
        ids = [rule.get("id") for rule in rules]
        if len(set(ids)) != len(ids):
            problems.append("rule ids repeat")
        for rule in rules:
            problems += _descriptor_errors(orjson.dumps(rule, option=orjson.OPT_SORT_KEYS))
        runs.append({**run, "tool": {**run.get("tool", {}), "driver": {**driver, "rules": []}}})
    return problems + _errors(validator, {**document, "runs": runs}, "")


def github_problems(document: dict[str, Any]) -> list[str]:
    """What GitHub code scanning would reject or mishandle (see integrations.md)."""
    problems: list[str] = []
    runs = document.get("runs", [])
    if not 1 <= len(runs) <= 20:
        problems.append(f"{len(runs)} runs (GitHub takes 1 to 20)")
    categories = [run.get("automationDetails", {}).get("id") for run in runs]
    if len(set(categories)) != len(categories):
        problems.append("two runs share an automationDetails.id")
    for run in runs:
        problems += _run_problems(run)
    return problems


def _run_problems(run: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    category = run.get("automationDetails", {}).get("id", "")
    if not (category.startswith("tfgate/") and category.endswith("/")) or "//" in category:
        problems.append(f"automationDetails.id {category!r} is not tfgate/<relative key>/")
    rules = run["tool"]["driver"].get("rules", [])
    for rule in rules:
        properties = rule.get("properties", {})
        score = properties.get("security-severity")
        if not isinstance(score, str) or not 0.1 <= float(score) <= 10.0:
            problems.append(f"{rule['id']}: security-severity {score!r} is not a string in 0.1-10")
        if len(properties.get("tags", [])) > 20:
            problems.append(f"{rule['id']}: more than 20 tags")
    results = run.get("results", [])
    if len(results) > 25_000:
        problems.append(f"{len(results)} results (GitHub takes 25,000 per run)")
    for result in results:
        where = f"{result.get('ruleId')} {result.get('properties', {}).get('address')}"
        locations = result.get("locations") or []
        if not 1 <= len(locations) <= 10:
            problems.append(f"{where}: {len(locations)} locations")
            continue
        physical = locations[0].get("physicalLocation", {})
        uri = physical.get("artifactLocation", {}).get("uri", "")
        if not uri or uri.startswith("/") or ":" in uri.split("/", 1)[0]:
            problems.append(f"{where}: uri {uri!r} is empty, absolute or has a scheme")
        if physical.get("region", {}).get("startLine", 0) < 1:
            problems.append(f"{where}: no region.startLine")
        logical = locations[0].get("logicalLocations") or [{}]
        if logical[0].get("fullyQualifiedName") != result.get("properties", {}).get("address"):
            problems.append(f"{where}: no logicalLocations entry with the address")
    return problems
