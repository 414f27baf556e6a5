"""Class 3: `count` and `for_each` policy-document data sources.

A reference that names an instance (`data.aws_iam_policy_document.d["b"].json`) is rebuilt from
that instance, never from the first one the plan lists. A reference whose index is computed
(`d[each.key]`, `d[count.index]`) may mean any instance: every instance is judged, and the
policy carries the findings of the worst.

The data sources are read during apply (each statement also names a bucket created in the same
plan), so the plan holds their statements but not their `json`:

    data "aws_iam_policy_document" "d" {
      for_each = { a = "...", b = "..." }
      statement {
        sid       = "PassRoles"
        actions   = ["iam:PassRole"]
        resources = [each.value]
      }
      statement {
        sid       = "WriteArtifacts"
        actions   = ["s3:PutObject"]
        resources = ["${aws_s3_bucket.artifacts.arn}/*"]
      }
    }
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adversarial.policy_plans import (
    PROFILES,
    PlanShape,
    const,
    judge,
    refs,
    statement_block,
    statement_config,
)

PASS_ROLE_RULE = "TFG-IAM-014"
DOC = "data.aws_iam_policy_document.d"
ONE_ROLE = "arn:aws:iam::111122223333:role/app-runtime"


def instances(shape: PlanShape, wide: int | str, narrow: int | str) -> None:
    """`data.aws_iam_policy_document.d`: instance `wide` passes any role, `narrow` one role."""
    shape.bucket("artifacts")
    keyed = isinstance(wide, str)
    meta = {"for_each": const({str(wide): "*", str(narrow): ONE_ROLE})} if keyed else {}
    for key, resource in sorted(((wide, "*"), (narrow, ONE_ROLE)), key=lambda item: str(item[0])):
        passing = statement_block("PassRoles", ["iam:PassRole"], [resource])
        writing = statement_block("WriteArtifacts", ["s3:PutObject"], [None])
        shape.deferred_document(
            "d",
            [passing, writing],
            index=key,
            expressions={
                "statement": [
                    statement_config(passing, resources=refs("each.value")),
                    statement_config(writing, resources=refs("aws_s3_bucket.artifacts.arn")),
                ]
            },
            **meta,
            **({} if keyed else {"count": const(2)}),
        )


@pytest.mark.parametrize("profile", PROFILES)
def test_a_named_for_each_instance_is_rebuilt_from_that_instance(
    tmp_path: Path, profile: str
) -> None:
    shape = PlanShape()
    instances(shape, wide="b", narrow="a")
    shape.policy("app", refs(f'{DOC}["b"].json'))
    assert judge(shape, tmp_path, profile).blocks("aws_iam_policy.app", PASS_ROLE_RULE)


@pytest.mark.parametrize("profile", PROFILES)
def test_a_named_count_instance_is_rebuilt_from_that_instance(tmp_path: Path, profile: str) -> None:
    shape = PlanShape()
    instances(shape, wide=1, narrow=0)
    shape.policy("app", refs(f"{DOC}[1].json"))
    assert judge(shape, tmp_path, profile).blocks("aws_iam_policy.app", PASS_ROLE_RULE)


@pytest.mark.parametrize("profile", PROFILES)
def test_a_computed_index_is_judged_as_every_instance(tmp_path: Path, profile: str) -> None:
    """`policy = data.aws_iam_policy_document.d[each.key].json` on a `for_each` policy: which
    instance each policy gets cannot be read from the plan, so each carries the worst."""
    shape = PlanShape()
    instances(shape, wide="b", narrow="a")
    for key in ("a", "b"):
        shape.policy(
            "app",
            {"references": [DOC, "each.key"]},
            index=key,
            for_each=const({"a": "a", "b": "b"}),
        )
    verdict = judge(shape, tmp_path, profile)
    assert verdict.blocks('aws_iam_policy.app["a"]', PASS_ROLE_RULE)
    assert verdict.blocks('aws_iam_policy.app["b"]', PASS_ROLE_RULE)


@pytest.mark.parametrize("profile", PROFILES)
def test_a_named_instance_next_to_a_computed_one_still_judges_every_instance(
    tmp_path: Path, profile: str
) -> None:
    """`var.pinned ? d["a"].json : d[var.which].json`: the bare block that does not follow its
    instance reference stands for every instance."""
    shape = PlanShape(variables={"pinned": False, "which": "b"})
    instances(shape, wide="b", narrow="a")
    references = refs(f'{DOC}["a"].json')["references"] + [DOC, "var.which"]
    shape.policy("app", {"references": ["var.pinned", *references]})
    assert judge(shape, tmp_path, profile).blocks("aws_iam_policy.app", PASS_ROLE_RULE)


@pytest.mark.parametrize("profile", PROFILES)
def test_a_named_narrow_instance_does_not_inherit_its_siblings_grant(
    tmp_path: Path, profile: str
) -> None:
    """No false block: the plan lists `d["a"]` (the wide one) first, but the policy names
    `d["b"]`."""
    shape = PlanShape()
    instances(shape, wide="a", narrow="b")
    shape.policy("app", refs(f'{DOC}["b"].json'))
    verdict = judge(shape, tmp_path, profile)
    assert not verdict.on("aws_iam_policy.app", PASS_ROLE_RULE)
    assert verdict.blocking("aws_iam_policy.app") == set()
