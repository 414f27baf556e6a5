"""Every plan of the shared corpus, through every built-in profile, in every registered format.

In-process and cheap: each plan is loaded once, judged once per profile by the engine, and each
report is rendered in every format `tfgate.formats` registers at run time (text and json when
there is no registry). A real plan must never crash a rule (an ERROR result) or a formatter, and
its SARIF and GitLab reports must be what GitHub and GitLab accept (the checks of
`tests/formats/test_every_format.py`; corpus plans have no .tf beside them, so with and without
sources are the same report).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

import jsonschema
import orjson
import pytest

from tests.corpus.test_corpus_loads import DELIBERATE_REFUSALS
from tests.formats.test_every_format import CHECKS as FORMAT_CHECKS
from tests.paths import CORPUS, corpus_plans
from tfgate.config.profiles import Profile, load_profile
from tfgate.engine import judge
from tfgate.errors import PlanError
from tfgate.plan.load import load_plan
from tfgate.redact import CREDENTIAL_PATTERNS
from tfgate.report import Report, Result
from tfgate.resources import builtin_profile_names, schema

PLANS = corpus_plans()
TODAY = datetime.date(2026, 1, 15)


def registered_formats() -> Mapping[str, Callable[[Report], str]]:
    try:
        from tfgate.formats import FORMATS
    except ImportError:
        from tfgate.formats import json as json_format
        from tfgate.formats import text as text_format

        return {"text": text_format.render, "json": json_format.render}
    return FORMATS


@cache
def report_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema("report"))


# The cheap credential patterns (key ids, private keys, tokens); the 40-character secret key
# pattern costs more than everything else here together and is covered by tests/test_security.py.
CHEAP_PATTERNS = tuple(pattern for pattern in CREDENTIAL_PATTERNS if "{40}" not in pattern.pattern)


@cache
def profiles() -> tuple[Profile, ...]:
    return tuple(load_profile(name) for name in builtin_profile_names())


def relative(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


@pytest.mark.skipif(not PLANS, reason="the shared corpus is not beside this checkout")
@pytest.mark.parametrize("path", PLANS, ids=relative)
def test_every_profile_and_format(path: Path) -> None:
    data = path.read_bytes()
    if relative(path) in DELIBERATE_REFUSALS:
        with pytest.raises(PlanError):
            load_plan(data, str(path))
        return
    plan = load_plan(data, str(path))
    formats = registered_formats()
    validator = report_validator()
    for position, profile in enumerate(profiles()):
        first = position == 0  # the costlier checks once per plan; every format for every profile
        report = judge(plan, [profile], today=TODAY)
        errors = [f"{f.rule} {f.address}" for f in report.findings if f.status == "error"]
        assert report.result is not Result.ERROR, f"{profile.name}: a rule crashed: {errors}"
        for name, render in formats.items():
            rendered = render(report)
            assert isinstance(rendered, str)
            assert rendered or not report.findings, f"{profile.name}/{name}: findings not shown"
            if first:
                assert rendered == render(report), f"{profile.name}/{name}: not deterministic"
                for pattern in CHEAP_PATTERNS:
                    assert not pattern.search(rendered), f"{profile.name}/{name}: a credential"
                if name == "json":
                    validator.validate(orjson.loads(rendered))
                if name in FORMAT_CHECKS:  # SARIF and GitLab: what their consumers accept
                    FORMAT_CHECKS[name](rendered, report, path)
