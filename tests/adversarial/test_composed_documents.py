"""Class 2: policy documents composed from others.

An `aws_iam_policy_document` read during apply is rebuilt from its arguments. Its
`source_policy_documents`, `override_policy_documents`, `source_json` and `override_json`
contribute statements, merged by Sid as the AWS provider merges them; leaving them out would let
a grant hide in a composed document. A composed part that cannot be known makes the document
unknown, never a clean pass.

Each plan: `aws_iam_policy.app` takes its policy from `data.aws_iam_policy_document.app`, which
is read during apply because one statement names a bucket created in the same plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.adversarial.policy_plans import (
    PASS_ANY_ROLE,
    PROFILES,
    PlanShape,
    const,
    judge,
    policy_json,
    refs,
    statement_block,
    statement_config,
)

APP = "aws_iam_policy.app"
PASS_ROLE_RULE = "TFG-IAM-014"
EVALUABLE_RULE = "TFG-IAM-060"
DOC = "data.aws_iam_policy_document"

PASS_ONE_ROLE = {
    "Sid": "PassAnyRole",
    "Effect": "Allow",
    "Action": "iam:PassRole",
    "Resource": "arn:aws:iam::111122223333:role/app-runtime",
}


def app_document(
    shape: PlanShape,
    composed: dict[str, Any],
    composed_unknown: dict[str, Any],
    composed_config: dict[str, Any],
    *,
    own: list[dict[str, Any]] | None = None,
) -> None:
    """`data.aws_iam_policy_document.app`: read the bucket it names, plus what it composes."""
    shape.bucket("artifacts")
    read = statement_block("ReadArtifacts", ["s3:GetObject"], [None])
    blocks = [read, *(own or [])]
    expressions: dict[str, Any] = {
        "statement": [
            statement_config(read, resources=refs("aws_s3_bucket.artifacts.arn")),
            *(statement_config(block) for block in own or []),
        ],
        **composed_config,
    }
    shape.deferred_document(
        "app",
        blocks,
        expressions=expressions,
        composed=composed,
        composed_unknown=composed_unknown,
    )
    shape.policy("app", refs(f"{DOC}.app.json"))


def compose_unknown(
    shape: PlanShape,
    attribute: str,
    reference: str,
    *,
    own: list[dict[str, Any]] | None = None,
) -> None:
    """`app` composes one document known only after apply, through `attribute`."""
    app_document(
        shape,
        {attribute: [None]},
        {attribute: [True]},
        {attribute: refs(reference)},
        own=own,
    )


def deferred_base(shape: PlanShape, name: str, block: dict[str, Any]) -> None:
    """A document read during apply whose statement is known (its other statement is not)."""
    shape.bucket(f"{name}-logs")
    logs = statement_block("WriteLogs", ["s3:PutObject"], [None])
    shape.deferred_document(
        name,
        [block, logs],
        expressions={
            "statement": [
                statement_config(block),
                statement_config(logs, resources=refs(f"aws_s3_bucket.{name}-logs.arn")),
            ]
        },
    )


@pytest.mark.parametrize("profile", PROFILES)
def test_source_read_at_plan_time_contributes_its_statements(tmp_path: Path, profile: str) -> None:
    """The source was read at plan time, so the plan holds its JSON in the composing
    document's `source_policy_documents`."""
    shape = PlanShape()
    shape.read_document("base", [PASS_ANY_ROLE])
    app_document(
        shape,
        {"source_policy_documents": [policy_json(PASS_ANY_ROLE)]},
        {},
        {"source_policy_documents": refs(f"{DOC}.base.json")},
    )
    verdict = judge(shape, tmp_path, profile)
    assert verdict.blocks(APP, PASS_ROLE_RULE)


@pytest.mark.parametrize("profile", PROFILES)
def test_source_read_during_apply_is_rebuilt(tmp_path: Path, profile: str) -> None:
    shape = PlanShape()
    deferred_base(shape, "base", statement_block("PassAnyRole", ["iam:PassRole"], ["*"]))
    compose_unknown(shape, "source_policy_documents", f"{DOC}.base.json")
    verdict = judge(shape, tmp_path, profile)
    assert verdict.blocks(APP, PASS_ROLE_RULE)


@pytest.mark.parametrize("profile", PROFILES)
def test_override_replaces_a_narrow_statement_with_the_same_sid(
    tmp_path: Path, profile: str
) -> None:
    """The document's own `PassAnyRole` names one role; the override document's statement with
    that Sid replaces it with `*`."""
    shape = PlanShape()
    deferred_base(shape, "wide", statement_block("PassAnyRole", ["iam:PassRole"], ["*"]))
    narrow = statement_block("PassAnyRole", ["iam:PassRole"], [PASS_ONE_ROLE["Resource"]])
    compose_unknown(shape, "override_policy_documents", f"{DOC}.wide.json", own=[narrow])
    verdict = judge(shape, tmp_path, profile)
    assert verdict.blocks(APP, PASS_ROLE_RULE)


@pytest.mark.parametrize("profile", PROFILES)
def test_legacy_source_json_and_override_json_contribute(tmp_path: Path, profile: str) -> None:
    shape = PlanShape()
    app_document(
        shape,
        {"source_json": policy_json(PASS_ANY_ROLE)},
        {},
        {"source_json": const(policy_json(PASS_ANY_ROLE))},
    )
    assert judge(shape, tmp_path, profile).blocks(APP, PASS_ROLE_RULE)

    overriding = PlanShape()
    deferred_base(overriding, "wide", statement_block("PassAnyRole", ["iam:PassRole"], ["*"]))
    app_document(
        overriding,
        {"override_json": None},
        {"override_json": True},
        {"override_json": refs(f"{DOC}.wide.json")},
    )
    assert judge(overriding, tmp_path, profile).blocks(APP, PASS_ROLE_RULE)


@pytest.mark.parametrize("profile", PROFILES)
def test_a_composed_part_that_cannot_be_known_makes_the_document_unknown(
    tmp_path: Path, profile: str
) -> None:
    """The source is another policy's attribute, known only after apply: nothing tfgate can
    rebuild, so the document is unknown: reported as such, for the profile to decide, and
    never judged from the statements that happen to be known."""
    shape = PlanShape()
    shape.policy("other", refs("aws_s3_bucket.artifacts.arn"))
    compose_unknown(shape, "source_policy_documents", "aws_iam_policy.other.policy")
    verdict = judge(shape, tmp_path, profile)
    assert [f["status"] for f in verdict.on(APP, EVALUABLE_RULE)] == ["unknown"]


# ------------------------------------------------------------------------------------------------
# No false blocks: the merge takes statements away as the provider does


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(
    ("attribute", "composed", "own_resource"),
    [
        # the document's own statement overrides the source's statement with its Sid
        ("source_policy_documents", PASS_ANY_ROLE, PASS_ONE_ROLE["Resource"]),
        # the override document's statement replaces the document's own
        ("override_policy_documents", PASS_ONE_ROLE, "*"),
    ],
)
def test_a_statement_replaced_by_sid_is_gone(
    tmp_path: Path, profile: str, attribute: str, composed: dict[str, Any], own_resource: str
) -> None:
    shape = PlanShape()
    shape.read_document("other", [composed])
    app_document(
        shape,
        {attribute: [policy_json(composed)]},
        {},
        {attribute: refs(f"{DOC}.other.json")},
        own=[statement_block("PassAnyRole", ["iam:PassRole"], [own_resource])],
    )
    verdict = judge(shape, tmp_path, profile)
    assert not verdict.on(APP, PASS_ROLE_RULE)
    assert verdict.blocking(APP) == set()


# ------------------------------------------------------------------------------------------------
# Bounded work: compositions built to multiply


def chained(shape: PlanShape, depth: int, width: int) -> None:
    """`d0` composes `d1` `width` times, `d1` composes `d2` `width` times, and so on: rebuilt
    naively, the work grows as width ** depth, and the statements with it."""
    shape.bucket("chain")
    for level in range(depth):
        block = statement_block("", ["s3:PutObject"], [None])
        block["sid"] = None
        expressions: dict[str, Any] = {
            "statement": [statement_config(block, resources=refs("aws_s3_bucket.chain.arn"))]
        }
        composed: dict[str, Any] = {}
        unknown: dict[str, Any] = {}
        if level + 1 < depth:
            expressions["source_policy_documents"] = {
                "references": [f"{DOC}.d{level + 1}.json", f"{DOC}.d{level + 1}"] * width
            }
            composed = {"source_policy_documents": [None] * width}
            unknown = {"source_policy_documents": [True] * width}
        shape.deferred_document(
            f"d{level}",
            [block],
            expressions=expressions,
            composed=composed,
            composed_unknown=unknown,
        )


@pytest.mark.parametrize("profile", PROFILES)
def test_a_composition_that_multiplies_statements_is_unknown(tmp_path: Path, profile: str) -> None:
    """Each document is rebuilt once, and one that would hold more statements than AWS allows
    is unknown: the run ends at once instead of after 40 ** 8 rebuilds."""
    shape = PlanShape()
    chained(shape, depth=8, width=40)
    shape.policy("app", refs(f"{DOC}.d0.json"))
    verdict = judge(shape, tmp_path, profile)
    assert [f["status"] for f in verdict.on(APP, EVALUABLE_RULE)] == ["unknown"]


@pytest.mark.parametrize("profile", PROFILES)
def test_a_document_composed_from_itself_is_unknown(tmp_path: Path, profile: str) -> None:
    """Terraform refuses such a cycle, but a plan is judged as it is given."""
    shape = PlanShape()
    compose_unknown(shape, "source_policy_documents", f"{DOC}.app.json")
    verdict = judge(shape, tmp_path, profile)
    assert [f["status"] for f in verdict.on(APP, EVALUABLE_RULE)] == ["unknown"]


@pytest.mark.parametrize("profile", PROFILES)
def test_a_document_passed_into_a_module_is_rebuilt(tmp_path: Path, profile: str) -> None:
    """`module "deployer" { policy_json = data.aws_iam_policy_document.wide.json }`, and in the
    module `policy = var.policy_json`: the variable is followed to the data source."""
    shape = PlanShape()
    deferred_base(shape, "wide", statement_block("PassAnyRole", ["iam:PassRole"], ["*"]))
    shape.calls["deployer"] = {"policy_json": refs(f"{DOC}.wide.json")}
    shape.instance(
        "aws_iam_policy.deployer",
        {"description": None, "name": "deployer", "path": "/", "tags": None},
        unknown={"arn": True, "id": True, "policy": True, "policy_id": True, "tags_all": True},
        module="deployer",
    )
    shape.block(
        "aws_iam_policy.deployer",
        {"name": const("deployer"), "policy": refs("var.policy_json")},
        module="deployer",
    )
    verdict = judge(shape, tmp_path, profile)
    assert verdict.blocks("module.deployer.aws_iam_policy.deployer", PASS_ROLE_RULE)
