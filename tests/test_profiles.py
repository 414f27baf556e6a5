"""The built-in profiles load and validate; broken profiles fail with a clear message."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jsonschema
import pytest
import yaml

from tfgate.config.profiles import load_profile
from tfgate.errors import ProfileError
from tfgate.report import Enforcement
from tfgate.resources import builtin_profile_names, profiles_dir, schema
from tfgate.rules import RULES_BY_ID

BUILTIN = ("baseline", "hipaa", "pci-dss", "nrb", "gdpr")
EU = ["eu-west-1", "eu-west-3", "eu-central-1", "eu-north-1", "eu-south-1", "eu-south-2"]


def test_the_five_profiles_ship() -> None:
    assert set(BUILTIN) <= set(builtin_profile_names())


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_profile_validates_against_the_schema(name: str) -> None:
    document = yaml.safe_load((profiles_dir() / f"{name}.yaml").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema("profile")).validate(document)
    assert document["name"] == name
    for rule_id, setting in document["rules"].items():
        rule = RULES_BY_ID[rule_id]
        params = setting.get("params") or {}
        assert set(params) <= set(rule.params_schema.get("properties") or {}), rule_id
        if rule.params_schema:
            jsonschema.Draft202012Validator(rule.params_schema).validate(params)


@pytest.mark.parametrize("name", BUILTIN)
def test_shipped_profiles_read_as_a_validated_copy_does(name: str, tmp_path: Path) -> None:
    """Shipped profiles skip validation at run time; a copy elsewhere is validated in full."""
    for shipped in profiles_dir().glob("*.yaml"):
        (tmp_path / shipped.name).write_bytes(shipped.read_bytes())
    fast, validated = load_profile(name), load_profile(str(tmp_path / f"{name}.yaml"))
    assert dataclasses.replace(validated, source=fast.source) == fast


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_profile_loads(name: str) -> None:
    profile = load_profile(name)
    assert profile.name == name
    assert profile.description
    assert profile.enabled()
    for rule_id, setting in profile.rules.items():
        assert set(setting.params) >= set(RULES_BY_ID[rule_id].defaults)


def test_every_registered_rule_has_a_baseline_enforcement() -> None:
    baseline = load_profile("baseline")
    assert set(baseline.rules) == set(RULES_BY_ID)


@pytest.mark.parametrize(
    ("name", "framework"),
    [("hipaa", "HIPAA"), ("pci-dss", "PCI-DSS-4.0"), ("nrb", "NRB"), ("gdpr", "GDPR")],
)
def test_profiles_extend_baseline_and_name_their_framework(name: str, framework: str) -> None:
    profile = load_profile(name)
    assert framework in profile.frameworks
    assert {"CIS-AWS-3.0", "AWS-WA-SEC"} <= set(profile.frameworks)
    baseline = load_profile("baseline")
    assert set(profile.rules) == set(baseline.rules)


@pytest.mark.parametrize("name", ["hipaa", "pci-dss", "nrb"])
def test_regulated_profiles_block_on_unknown(name: str) -> None:
    assert load_profile(name).on_unknown is Enforcement.BLOCK


def test_baseline_and_gdpr_warn_on_unknown() -> None:
    assert load_profile("baseline").on_unknown is Enforcement.WARN
    assert load_profile("gdpr").on_unknown is Enforcement.WARN


def test_pci_caps_waivers_at_90_days() -> None:
    assert load_profile("pci-dss").max_waiver_days == 90


@pytest.mark.parametrize(
    ("name", "days", "enforcement"),
    [
        ("baseline", 365, Enforcement.WARN),
        ("hipaa", 2192, Enforcement.BLOCK),
        ("pci-dss", 365, Enforcement.BLOCK),
        ("nrb", 365, Enforcement.BLOCK),
    ],
)
def test_log_retention_minimum(name: str, days: int, enforcement: Enforcement) -> None:
    setting = load_profile(name).rules["TFG-LOG-003"]
    assert setting.params["min_retention_days"] == days
    assert setting.enforcement is enforcement


def test_gdpr_wants_log_groups_to_expire() -> None:
    setting = load_profile("gdpr").rules["TFG-LOG-003"]
    assert setting.params["allow_never_expire"] is False
    assert setting.enforcement is Enforcement.WARN


@pytest.mark.parametrize("name", ["hipaa", "pci-dss", "nrb"])
def test_customer_managed_keys_where_the_framework_asks(name: str) -> None:
    profile = load_profile(name)
    for rule_id in ("TFG-ENC-001", "TFG-ENC-002", "TFG-ENC-003", "TFG-ENC-005", "TFG-ENC-006"):
        assert profile.rules[rule_id].params["require_cmk"] is True, rule_id
        assert profile.rules[rule_id].enforcement is Enforcement.BLOCK, rule_id
    assert load_profile("baseline").rules["TFG-ENC-002"].params["require_cmk"] is False


def test_object_lock_only_where_the_profile_asks() -> None:
    assert load_profile("baseline").rules["TFG-LOG-009"].enforcement is Enforcement.OFF
    assert load_profile("hipaa").rules["TFG-LOG-009"].enforcement is Enforcement.OFF
    nrb = load_profile("nrb").rules["TFG-LOG-009"]
    assert nrb.enforcement is Enforcement.BLOCK
    assert nrb.params["modes"] == ["COMPLIANCE"]
    pci = load_profile("pci-dss").rules["TFG-LOG-009"]
    assert pci.enforcement is Enforcement.BLOCK
    assert pci.params["min_retention_days"] == 365


def test_gdpr_residency_is_the_eu_with_adequacy_opt_in() -> None:
    profile = load_profile("gdpr")
    for rule_id in ("TFG-RES-001", "TFG-RES-002"):
        setting = profile.rules[rule_id]
        assert setting.enforcement is Enforcement.BLOCK
        assert setting.params["allowed_regions"] == EU
        assert setting.params["adequacy_regions"] == ["eu-west-2", "eu-central-2"]
        assert setting.params["allow_adequacy_regions"] is False
    assert load_profile("baseline").rules["TFG-RES-001"].enforcement is Enforcement.OFF


def test_hipaa_closes_the_conformance_pack_ports() -> None:
    ports = load_profile("hipaa").rules["TFG-NET-001"].params["ports"]
    assert {20, 21, 22, 3389, 3306, 4333} <= set(ports)


def test_nrb_description_says_its_values_are_choices() -> None:
    description = load_profile("nrb").description
    assert "choice" in description
    assert "no numbered controls" in description


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_user_profile_extends_baseline_and_its_parameters_reach_the_rule(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "eu-payments.yaml",
        "name: eu-payments\n"
        "extends: [baseline, gdpr]\n"
        "rules:\n"
        "  TFG-LOG-003: {params: {min_retention_days: 731}}\n"
        "  TFG-RES-001: {params: {allow_adequacy_regions: true}}\n"
        "  TFG-DST-001: {params: {production_tags: {stage: [live]}}}\n",
    )
    profile = load_profile(str(path))
    retention = profile.rules["TFG-LOG-003"]
    assert retention.params["min_retention_days"] == 731
    assert retention.params["allow_never_expire"] is False  # from gdpr
    residency = profile.rules["TFG-RES-001"]
    assert residency.params["allow_adequacy_regions"] is True
    assert residency.params["allowed_regions"] == EU  # kept from gdpr
    assert residency.enforcement is Enforcement.BLOCK
    assert profile.rules["TFG-DST-001"].params["production_tags"] == {"stage": ["live"]}


def test_user_profile_extends_by_relative_path(tmp_path: Path) -> None:
    write(
        tmp_path,
        "org.yaml",
        "name: org\nextends: [baseline]\nrules:\n  TFG-NET-003: {enforcement: warn}\n",
    )
    child = write(tmp_path, "team.yaml", "name: team\nextends: [org.yaml]\n")
    profile = load_profile(str(child))
    assert profile.rules["TFG-NET-003"].enforcement is Enforcement.WARN


def test_extends_cycle_is_an_error_naming_the_cycle(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "name: a\nextends: [b.yaml]\n")
    write(tmp_path, "b.yaml", "name: b\nextends: [a.yaml]\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(str(tmp_path / "a.yaml"))
    assert "cycle" in str(caught.value)
    assert "a.yaml -> b.yaml -> a.yaml" in str(caught.value)


def test_self_extension_is_a_cycle(tmp_path: Path) -> None:
    write(tmp_path, "me.yaml", "name: me\nextends: [me.yaml]\n")
    with pytest.raises(ProfileError, match="cycle"):
        load_profile(str(tmp_path / "me.yaml"))


def test_unknown_rule_id_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", "name: p\nextends: [baseline]\nrules:\n  TFG-NET-999: {}\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    assert "unknown rule id 'TFG-NET-999'" in str(caught.value)
    assert str(path) in str(caught.value)


def test_unknown_top_level_key_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", "name: p\nallowed_regions: [eu-west-1]\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    assert "allowed_regions" in str(caught.value)


def test_unknown_rule_parameter_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", "name: p\nrules:\n  TFG-LOG-003: {params: {min_days: 30}}\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    assert "TFG-LOG-003 has no parameter 'min_days'" in str(caught.value)


def test_parameter_of_the_wrong_type_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path, "p.yaml", "name: p\nrules:\n  TFG-RES-001: {params: {allowed_regions: eu}}\n"
    )
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    assert "allowed_regions" in str(caught.value)


def test_bad_enforcement_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", "name: p\nrules:\n  TFG-NET-001: {enforcement: maybe}\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    assert "TFG-NET-001" in str(caught.value)


def test_unknown_builtin_parent_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", "name: p\nextends: [sox]\n")
    with pytest.raises(ProfileError, match="unknown profile 'sox'"):
        load_profile(str(path))
