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
def _validator() -> jsonschema.protocols.Validator | None:
    if not SCHEMA.is_file():
        return None
    schema = orjson.loads(SCHEMA.read_bytes())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)  # type: ignore[no-any-return]


def schema_errors(document: dict[str, Any]) -> list[str]:
    """Where `document` breaks the SARIF 2.1.0 schema; skips the test when it is absent."""
    validator = _validator()
    if validator is None:
        pytest.skip("the official SARIF 2.1.0 schema is not beside this checkout")
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.path))
    return [f"{list(error.path)}: {error.message}" for error in errors[:10]]


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
    if not (category.startswith("tfgate/") and category.endswith("/")):
        problems.append(f"automationDetails.id {category!r} is not tfgate/<key>/")
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
