"""Every format over every fixture, with and without the .tf sources.

Each plan is judged once (`tests/judged.py`: a profile that turns every rule on, the most to
show, the plan named as `tfgate check` names it); the "with sources" case attaches locations
from the plan's directory as `tfgate check` does. Both reports are rendered in-process in every
registered format. SARIF must pass the 2.1.0 schema and GitHub's ingestion rules, GitLab's
report must have the Code Quality fields, and neither may hold a finding without a location.
The corpus plans go through the same checks in `tests/corpus/test_corpus_all.py`, which renders
every format for each of them already (they have no .tf beside them, so with and without
sources are one report).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.formats.sarif_rules import github_problems, schema_errors
from tests.judged import judged, located
from tests.paths import FIXTURES, ROOT
from tfgate.formats import FORMATS
from tfgate.report import Report

FIXTURE_PLANS = sorted(FIXTURES.glob("*/*/plan.json"))
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def plan_id(path: Path) -> str:
    return path.parent.relative_to(FIXTURES).as_posix()


def check_sarif(text: str, report: Report, path: Path) -> None:
    document = orjson.loads(text)
    errors = schema_errors(document)
    assert not errors, errors
    problems = github_problems(document)
    assert not problems, problems[:10]
    results = document["runs"][0]["results"]
    assert len(results) == len(report.findings)
    for result in results:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        if path.is_relative_to(ROOT):  # a .tf file or the plan, as the repository holds them
            assert (ROOT / uri).is_file(), uri
        else:  # a plan outside the repository is named by its file name only
            assert uri == path.name, uri


def check_gitlab(text: str, report: Report, path: Path) -> None:
    assert not text.startswith("\ufeff")
    issues: list[dict[str, Any]] = orjson.loads(text)
    assert len(issues) == len(report.findings)
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    for issue in issues:
        assert issue["description"] and issue["check_name"]
        assert issue["severity"] in GITLAB_SEVERITIES
        path = issue["location"]["path"]
        assert path and not path.startswith("/") and ":" not in path.split("/", 1)[0]
        assert issue["location"]["lines"]["begin"] >= 1


CHECKS = {"sarif": check_sarif, "gitlab": check_gitlab}


@pytest.mark.parametrize("sources", [True, False], ids=["with-sources", "without-sources"])
@pytest.mark.parametrize("path", FIXTURE_PLANS, ids=plan_id)
def test_every_format(path: Path, sources: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(ROOT)
    report = located(path) if sources else judged(path)
    if isinstance(report, str):
        pytest.skip(f"{plan_id(path)} is not judged: {report}")
    if sources and report == judged(path):
        return  # nothing to locate: the other case renders this report
    for name, render in FORMATS.items():
        text = render(report)
        assert isinstance(text, str) and (text or not report.findings), name
        check = CHECKS.get(name)
        if check is not None:
            check(text, report, path)
