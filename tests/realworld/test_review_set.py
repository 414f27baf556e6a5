"""Real plans written by other projects, judged finding by finding under `baseline`.

Each plan is checked through the real CLI, and its blocking (rule, address) pairs must be
exactly the ones a reviewer accepts (expected.yaml). Where tfgate disagrees today the case is a
strict xfail naming the issue-14 item that settles it: it xfails only while tfgate reports
exactly the recorded disagreement (any other difference fails), and when the fix lands the case
passes, strict turns that into a failure, and the `today`/`wrong` entries must be removed.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from tests.paths import CORPUS, require
from tests.realworld.review_set import (
    ITEMS,
    KEPT_PLANS,
    OUTSIDE,
    REVIEW,
    SOURCES,
    Pair,
    Review,
    generated_part,
    origins,
    review_tables,
    reviews,
)
from tfgate.cli import app
from tfgate.config.profiles import load_profile
from tfgate.report import Enforcement
from tfgate.rules import RULES_BY_ID

# Licences that let a plan file be kept in this repository.
REDISTRIBUTABLE = frozenset(
    {"MIT", "MIT-0", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "MPL-2.0", "CC0-1.0"}
    | {"Unlicense"}
)


class KnownDisagreement(Exception):
    """tfgate reports exactly the disagreement expected.yaml records, no more and no less."""


def blocking_pairs(plan: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Counter[Pair]:
    # An empty working directory, so that no tfgate.yaml of the checkout is picked up.
    monkeypatch.chdir(workdir)
    result = CliRunner().invoke(app, ["check", str(plan), "--profile", "baseline", "-f", "json"])
    assert result.exit_code in (0, 1), result.output
    report = orjson.loads(result.stdout)
    return Counter(
        (finding["rule"], finding["address"])
        for finding in report["findings"]
        if finding["blocking"]
    )


def case(review: Review) -> object:
    if not review.disagreements():
        return review.plan_id
    mark = pytest.mark.xfail(strict=True, raises=KnownDisagreement, reason=review.summary())
    return pytest.param(review.plan_id, marks=mark)


def describe(pairs: Counter[Pair]) -> list[str]:
    return [f"{rule} {address} x{count}" for (rule, address), count in sorted(pairs.items())]


@pytest.mark.parametrize("plan_id", [case(review) for review in reviews().values()])
def test_blocking_findings_are_what_a_reviewer_accepts(
    plan_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = reviews()[plan_id]
    actual = blocking_pairs(require(origins()[plan_id].location), tmp_path, monkeypatch)
    if actual == review.accepted():
        return
    if actual == review.today():
        raise KnownDisagreement("\n".join(review.disagreements()))
    unexpected = actual - review.today()
    absent = review.today() - actual
    pytest.fail(
        f"{plan_id}: blocking findings changed beyond the recorded disagreements;\n"
        f"  reported but not recorded: {describe(unexpected)}\n"
        f"  recorded but not reported: {describe(absent)}\n"
        "Judge each one and update expected.yaml (never copy tfgate's output)."
    )


def test_the_set_holds_thirty_plans_each_with_a_provenance_row() -> None:
    assert len(reviews()) >= 30
    assert list(reviews()) == list(origins())


@pytest.mark.parametrize("plan_id", list(origins()))
def test_provenance_row_is_complete_and_kept_only_when_licensed(plan_id: str) -> None:
    origin = origins()[plan_id]
    assert origin.source in SOURCES
    assert origin.repository.count("/") == 1
    assert origin.path
    assert len(origin.commit) == 40
    assert origin.licence
    if origin.source == "repo-kept":
        assert (KEPT_PLANS / origin.file).is_file()
        assert origin.licence in REDISTRIBUTABLE
    if origin.source == "absent":
        # Fetched only into a local checkout, and never committed.
        assert origin.licence not in REDISTRIBUTABLE
        ignored = (KEPT_PLANS / ".gitignore").read_text(encoding="utf-8").splitlines()
        assert origin.file in ignored


def test_corpus_rows_match_the_corpus_provenance() -> None:
    shared = require(CORPUS / "PROVENANCE.tsv")
    with shared.open(encoding="utf-8", newline="") as handle:
        corpus = {row["saved_file"]: row for row in csv.DictReader(handle, delimiter="\t")}
    for origin in origins().values():
        if origin.source != "corpus":
            continue
        row = corpus[origin.file]
        assert (row["repo"], row["path_in_repo"], row["commit"], row["license_of_repo"]) == (
            origin.repository,
            origin.path,
            origin.commit,
            origin.licence,
        ), origin.plan_id


def test_expected_findings_name_rules_that_block_under_baseline() -> None:
    baseline = load_profile("baseline")
    for review in reviews().values():
        rules = {finding.rule for finding in review.baseline} | {
            wrong.rule for wrong in review.wrong
        }
        for rule in rules:
            assert rule in RULES_BY_ID, (review.plan_id, rule)
            assert baseline.rules[rule].enforcement is Enforcement.BLOCK, (review.plan_id, rule)


def test_every_judgement_gives_a_one_line_reason_and_a_known_item() -> None:
    for review in reviews().values():
        assert review.stack.strip()
        reasons = [finding.reason for finding in review.baseline]
        reasons += [wrong.reason for wrong in review.wrong]
        reasons += [miss.reason for miss in review.missed]
        for reason in reasons:
            assert reason.strip() and "\n" not in reason.strip(), (review.plan_id, reason)
        for expected in review.baseline:
            assert (expected.item is None) == (
                not expected.missing_today and expected.duplicates_today == 0
            ), expected
            assert expected.item is None or expected.item in ITEMS, expected
        assert all(wrong.item in ITEMS for wrong in review.wrong)
        assert all(miss.item in ITEMS or miss.item == OUTSIDE for miss in review.missed)
        pairs = [(finding.rule, finding.address) for finding in review.baseline]
        assert len(pairs) == len(set(pairs)), review.plan_id


def test_review_tables_match_the_judgement() -> None:
    written = generated_part(REVIEW.read_text(encoding="utf-8"))
    assert written == review_tables(reviews(), origins()), (
        "REVIEW.md is stale: run python -m tests.realworld.review_set"
    )
