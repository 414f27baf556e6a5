"""Destroying production: tag keys and values as parameters, case, replacement, forget."""

from __future__ import annotations

from typing import Any

import pytest

from tests.plan.test_region import make_plan, resource, run_rule
from tfgate.plan.model import Plan
from tfgate.report import Severity
from tfgate.rules.dst.destructive import PRODUCTION_DESTROYED


def destroyed(tags: dict[str, str], actions: tuple[str, ...] = ("delete",), **extra: Any) -> Plan:
    before = {"bucket": "b", "tags": tags, "tags_all": {**extra, **tags}}
    after = None if actions == ("delete",) or actions == ("forget",) else {"bucket": "b2"}
    return make_plan(resource("aws_s3_bucket", "b", after, before=before, actions=actions))


@pytest.mark.parametrize(
    ("tags", "reported"),
    [
        ({"environment": "production"}, True),
        ({"Environment": "Production"}, True),
        ({"env": "prod"}, True),
        ({"env": "production"}, False),
        ({"environment": "staging"}, False),
        ({}, False),
    ],
)
def test_default_production_tags(tags: dict[str, str], reported: bool) -> None:
    assert bool(run_rule(PRODUCTION_DESTROYED, destroyed(tags), "aws_s3_bucket.b")) is reported


def test_tags_from_provider_default_tags_count() -> None:
    plan = destroyed({}, environment="production")
    (hit,) = run_rule(PRODUCTION_DESTROYED, plan, "aws_s3_bucket.b")
    assert hit.message == "destroys a resource tagged environment=production"


def test_production_tag_keys_are_a_parameter() -> None:
    plan = destroyed({"stage": "live"})
    assert run_rule(PRODUCTION_DESTROYED, plan, "aws_s3_bucket.b") == []
    tags = {"stage": ["live", "prd"]}
    assert run_rule(PRODUCTION_DESTROYED, plan, "aws_s3_bucket.b", production_tags=tags) != []


def test_replacement_is_reported_as_high() -> None:
    plan = destroyed({"environment": "production"}, actions=("delete", "create"))
    (hit,) = run_rule(PRODUCTION_DESTROYED, plan, "aws_s3_bucket.b")
    assert hit.severity is Severity.HIGH
    assert hit.message.startswith("replaces")


def test_forget_destroys_nothing() -> None:
    plan = destroyed({"environment": "production"}, actions=("forget",))
    assert run_rule(PRODUCTION_DESTROYED, plan, "aws_s3_bucket.b") == []
