"""Which profiles apply: account detection, several accounts, precedence."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from tfgate.config.selection import detect_accounts, find_config, load_config, select
from tfgate.errors import ConfigError
from tfgate.plan.model import Plan, ProviderConfig, Resource
from tfgate.plan.values import View

ONE = "111111111111"
CONFIG = """\
default_profile: baseline
accounts:
  "111111111111": {name: payments-prod, profiles: [pci-dss]}
  "222222222222": {name: eu-customer-data, profiles: [gdpr, hipaa]}
workspaces:
  "prod-*": {profiles: [nrb]}
paths:
  "envs/sandbox/**": {profiles: [baseline]}
  "envs/eu/**": {profiles: [gdpr]}
"""


def make_plan(
    *,
    providers: dict[str, dict[str, Any]] | None = None,
    data_sources: dict[str, dict[str, Any]] | None = None,
    arns: tuple[str, ...] = (),
) -> Plan:
    resources = tuple(
        Resource(
            address=f"aws_iam_role.r{position}",
            module_address="",
            mode="managed",
            type="aws_iam_role",
            name=f"r{position}",
            index=None,
            actions=frozenset({"no-op"}),
            before=View({"arn": arn}),
            after=View({"arn": arn}),
        )
        for position, arn in enumerate(arns)
    )
    return Plan(
        source="plan.json",
        format_version="1.2",
        terraform_version="1.9.8",
        resources=resources,
        data_sources=data_sources or {},
        providers={
            key: ProviderConfig(key, "aws", None, "", expressions)
            for key, expressions in (providers or {}).items()
        },
        variables={},
    )


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "tfgate.yaml"
    path.write_text(CONFIG)
    return path


def test_account_from_caller_identity() -> None:
    plan = make_plan(
        data_sources={"data.aws_caller_identity.current": {"account_id": "111111111111"}}
    )
    accounts = detect_accounts(plan)
    assert accounts.ids == ("111111111111",)
    assert "aws_caller_identity" in accounts.method


def test_account_from_caller_identity_in_a_module() -> None:
    plan = make_plan(
        data_sources={"module.core.data.aws_caller_identity.me": {"account_id": "222222222222"}}
    )
    assert detect_accounts(plan).ids == ("222222222222",)


def test_account_from_allowed_account_ids() -> None:
    plan = make_plan(
        providers={"aws": {"allowed_account_ids": {"constant_value": ["111111111111"]}}}
    )
    accounts = detect_accounts(plan)
    assert accounts.ids == ("111111111111",)
    assert accounts.method == "the AWS provider's allowed_account_ids"


def test_account_from_assume_role() -> None:
    role = {"role_arn": {"constant_value": "arn:aws:iam::222222222222:role/terraform"}}
    plan = make_plan(providers={"aws": {"assume_role": [role]}})
    accounts = detect_accounts(plan)
    assert accounts.ids == ("222222222222",)
    assert accounts.method == "the AWS provider's assume_role role_arn"


def test_account_from_existing_arns() -> None:
    plan = make_plan(arns=("arn:aws:iam::111111111111:role/a", "arn:aws:iam::111111111111:role/b"))
    accounts = detect_accounts(plan)
    assert accounts.ids == ("111111111111",)
    assert accounts.method == "account ids in the ARNs of existing resources"


def test_several_accounts_from_provider_aliases(config: Path) -> None:
    plan = make_plan(
        providers={
            "aws": {
                "assume_role": [
                    {"role_arn": {"constant_value": "arn:aws:iam::111111111111:role/t"}}
                ]
            },
            "aws.eu": {
                "assume_role": [
                    {"role_arn": {"constant_value": "arn:aws:iam::222222222222:role/t"}}
                ]
            },
        }
    )
    selection = select(load_config(config), plan)
    assert selection.accounts.ids == ("111111111111", "222222222222")
    assert selection.accounts.disagreement == "several accounts (111111111111, 222222222222)"
    assert selection.profiles == ("pci-dss", "gdpr", "hipaa", "baseline")
    assert selection.reason == (
        "the account evidence disagrees (several accounts (111111111111, 222222222222)): the "
        "union of every candidate's profiles and the default applies (account payments-prod, "
        "eu-customer-data, default_profile), and account-scoped waivers do not"
    )
    assert selection.waiver_accounts == ()


def test_unmapped_account_beside_a_mapped_one_adds_the_default(config: Path) -> None:
    plan = make_plan(
        providers={
            "aws": {"allowed_account_ids": {"constant_value": ["111111111111", "999999999999"]}}
        }
    )
    selection = select(load_config(config), plan)
    assert selection.profiles == ("pci-dss", "baseline")
    assert "several accounts (111111111111, 999999999999)" in selection.reason


def test_unmapped_account_uses_the_fallback_and_says_so(config: Path) -> None:
    plan = make_plan(
        data_sources={"data.aws_caller_identity.c": {"account_id": "999999999999"}},
        arns=("arn:aws:iam::111111111111:role/a",),
    )
    selection = select(load_config(config), plan, workspace="prod-eu")
    assert selection.profiles == ("pci-dss", "nrb", "baseline")
    assert "workspace 'prod-eu'" in selection.reason


def test_agreeing_evidence_is_not_a_disagreement(config: Path) -> None:
    role = {"role_arn": {"constant_value": "arn:aws:iam::111111111111:role/terraform"}}
    plan = make_plan(
        providers={
            "aws": {"assume_role": [role], "allowed_account_ids": {"constant_value": [ONE]}},
            "aws.us": {"allowed_account_ids": {"constant_value": [ONE]}},
        },
        data_sources={"data.aws_caller_identity.c": {"account_id": ONE}},
        arns=("arn:aws:iam::111111111111:role/a",),
    )
    selection = select(load_config(config), plan)
    assert selection.accounts.disagreement == ""
    assert selection.profiles == ("pci-dss",)
    assert selection.reason == "account payments-prod"
    assert selection.waiver_accounts == (ONE,)


def test_providers_without_evidence_beside_caller_identity_agree(config: Path) -> None:
    plan = make_plan(
        providers={"aws": {"region": {"constant_value": "eu-west-1"}}, "aws.us": {}},
        data_sources={"data.aws_caller_identity.c": {"account_id": ONE}},
    )
    assert select(load_config(config), plan).profiles == ("pci-dss",)


def test_a_provider_without_evidence_beside_one_with_evidence_disagrees(config: Path) -> None:
    role = {"role_arn": {"constant_value": "arn:aws:iam::222222222222:role/t"}}
    plan = make_plan(providers={"aws": {}, "aws.eu": {"assume_role": [role]}})
    selection = select(load_config(config), plan)
    assert selection.accounts.disagreement == "provider aws names no account the plan shows"
    assert selection.profiles == ("gdpr", "hipaa", "baseline")


def test_assume_role_and_allowed_account_ids_that_differ_disagree(config: Path) -> None:
    role = {"role_arn": {"constant_value": "arn:aws:iam::222222222222:role/t"}}
    plan = make_plan(
        providers={"aws": {"assume_role": [role], "allowed_account_ids": {"constant_value": [ONE]}}}
    )
    selection = select(load_config(config), plan)
    assert "provider aws: assume_role and allowed_account_ids differ" in (
        selection.accounts.disagreement
    )
    assert selection.profiles == ("pci-dss", "gdpr", "hipaa", "baseline")


def test_role_arn_from_a_root_variable() -> None:
    plan = make_plan(providers={"aws": {"assume_role": [{"role_arn": {"references": ["var.r"]}}]}})
    plan = dataclasses.replace(plan, variables={"r": "arn:aws:iam::222222222222:role/t"})
    assert detect_accounts(plan).ids == ("222222222222",)


def test_undetermined_account_uses_default_and_says_so(config: Path) -> None:
    selection = select(load_config(config), make_plan())
    assert selection.profiles == ("baseline",)
    assert selection.accounts.ids == ()
    assert selection.reason == "default_profile (the plan's AWS account could not be determined)"


def test_cli_profile_overrides_config(config: Path) -> None:
    plan = make_plan(data_sources={"data.aws_caller_identity.c": {"account_id": "111111111111"}})
    selection = select(load_config(config), plan, cli_profiles=["hipaa"])
    assert selection.profiles == ("hipaa",)
    assert selection.reason == "--profile on the command line"


def test_cli_account_overrides_detection(config: Path) -> None:
    plan = make_plan(data_sources={"data.aws_caller_identity.c": {"account_id": "111111111111"}})
    selection = select(load_config(config), plan, account="222222222222")
    assert selection.profiles == ("gdpr", "hipaa")
    assert selection.accounts.method == "--account"


def test_account_wins_over_workspace_and_path(config: Path) -> None:
    plan = make_plan(data_sources={"data.aws_caller_identity.c": {"account_id": "111111111111"}})
    selection = select(
        load_config(config), plan, workspace="prod-eu", location="envs/sandbox/plan.json"
    )
    assert selection.profiles == ("pci-dss",)


def test_workspace_wins_over_path(config: Path) -> None:
    selection = select(
        load_config(config), make_plan(), workspace="prod-eu", location="envs/sandbox/plan.json"
    )
    assert selection.profiles == ("nrb",)
    assert selection.reason == "workspace 'prod-eu'"


def test_path_wins_over_default(config: Path) -> None:
    selection = select(load_config(config), make_plan(), location="envs/eu/frankfurt/plan.json")
    assert selection.profiles == ("gdpr",)
    assert selection.reason == "path 'envs/eu/**'"


def test_no_config_means_baseline() -> None:
    assert select(None, make_plan()).profiles == ("baseline",)


def test_find_config(tmp_path: Path, config: Path) -> None:
    assert find_config(tmp_path) == config
    assert find_config(tmp_path / "elsewhere") is None


def test_no_default_and_no_match_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "tfgate.yaml"
    path.write_text('accounts:\n  "111111111111": {profiles: [pci-dss]}\n')
    with pytest.raises(ConfigError, match="no default_profile"):
        select(load_config(path), make_plan())


def test_bad_account_key_names_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "tfgate.yaml"
    path.write_text('default_profile: baseline\naccounts:\n  "12345": {profiles: [pci-dss]}\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path} at line 3, key accounts/12345: invalid key name")


def test_unknown_key_names_line(tmp_path: Path) -> None:
    path = tmp_path / "tfgate.yaml"
    path.write_text("default_profile: baseline\nacounts: {}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path} at line 1, key (top level): unknown key 'acounts'"


def test_own_accounts_are_the_observed_ones_when_evidence_disagrees(config: Path) -> None:
    role = {"role_arn": {"constant_value": "arn:aws:iam::222222222222:role/t"}}
    plan = make_plan(
        providers={"aws": {}, "aws.x": {"assume_role": [role]}},
        arns=("arn:aws:iam::111111111111:role/a",),
    )
    selection = select(load_config(config), plan)
    assert selection.accounts.ids == (ONE, "222222222222")
    assert selection.own_accounts == (ONE,)
    agreeing = select(load_config(config), make_plan(arns=("arn:aws:iam::111111111111:role/a",)))
    assert agreeing.own_accounts == (ONE,)
