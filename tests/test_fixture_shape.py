"""Every fixture plan has the shape `terraform show -json` writes, and agrees with itself.

Key sets are compared with the real plans of the shared corpus (skipped when it is absent): a
fixture may only use keys that Terraform writes at its format version. Format versions only ever
add fields within a major version, so the keys of a 1.2 plan are those seen in corpus plans of
format 1.0 to 1.2. The internal checks need no corpus: addresses, actions, unknown markers,
planned values, prior state, configuration references and the main.tf beside each plan.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.paths import CORPUS, FIXTURES, corpus_plans

PLANS = sorted(FIXTURES.glob("*/*/plan.json"))
PROVIDER = "registry.terraform.io/hashicorp/aws"
VALID_ACTIONS = (
    ["no-op"],
    ["create"],
    ["read"],
    ["update"],
    ["delete"],
    ["delete", "create"],
    ["create", "delete"],
    ["forget"],
)
NON_RESOURCE_ROOTS = {"var", "local", "each", "count", "path", "terraform", "self", "module"}
REQUIRED_TOP = {
    "format_version",
    "terraform_version",
    "planned_values",
    "resource_changes",
    "configuration",
    "timestamp",
    "applyable",
    "complete",
    "errored",
}
REQUIRED_CHANGE = {
    "actions",
    "before",
    "after",
    "after_unknown",
    "before_sensitive",
    "after_sensitive",
}
REQUIRED_ENTRY = {"address", "mode", "type", "name", "provider_name", "change"}
REQUIRED_CONFIG_RESOURCE = {
    "address",
    "mode",
    "type",
    "name",
    "provider_config_key",
    "expressions",
    "schema_version",
}
REQUIRED_STATE_RESOURCE = {
    "address",
    "mode",
    "type",
    "name",
    "provider_name",
    "schema_version",
    "values",
    "sensitive_values",
}


def relative(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


def load(path: Path) -> dict[str, Any]:
    document = orjson.loads(path.read_bytes())
    assert isinstance(document, dict)
    return document


def state_modules(module: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield module
    for child in module.get("child_modules", []) or []:
        yield from state_modules(child)


def config_modules(
    module: Mapping[str, Any], path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Mapping[str, Any]]]:
    yield path, module
    for name, call in (module.get("module_calls") or {}).items():
        yield from config_modules(call.get("module") or {}, (*path, name))


def module_calls(module: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for call in (module.get("module_calls") or {}).values():
        yield call
        yield from module_calls(call.get("module") or {})


class KeySets:
    """The keys seen at each level of a set of plans."""

    LEVELS = (
        "top",
        "resource_change",
        "change",
        "planned_module",
        "planned_resource",
        "state_resource",
        "config_resource",
        "module_call",
        "provider_config",
    )

    def __init__(self) -> None:
        self.keys: dict[str, set[str]] = {level: set() for level in self.LEVELS}

    def add(self, document: Mapping[str, Any]) -> None:
        keys = self.keys
        keys["top"].update(document)
        for entry in document.get("resource_changes") or []:
            keys["resource_change"].update(entry)
            keys["change"].update(entry.get("change") or {})
        planned = (document.get("planned_values") or {}).get("root_module") or {}
        for module in state_modules(planned):
            keys["planned_module"].update(module)
            for resource in module.get("resources") or []:
                keys["planned_resource"].update(resource)
        prior = ((document.get("prior_state") or {}).get("values") or {}).get("root_module")
        for module in state_modules(prior or {}):
            for resource in module.get("resources") or []:
                keys["state_resource"].update(resource)
        configuration = document.get("configuration") or {}
        root = configuration.get("root_module") or {}
        for _, module in config_modules(root):
            for resource in module.get("resources") or []:
                keys["config_resource"].update(resource)
        for call in module_calls(root):
            keys["module_call"].update(call)
        for provider in (configuration.get("provider_config") or {}).values():
            keys["provider_config"].update(provider)


def _version(text: Any) -> tuple[int, int] | None:
    match = re.match(r"^(\d+)\.(\d+)$", text) if isinstance(text, str) else None
    return (int(match.group(1)), int(match.group(2))) if match else None


@cache
def corpus_keys(format_version: str) -> KeySets | None:
    """Keys of corpus plans with the same major format version, up to `format_version`."""
    wanted = _version(format_version)
    if wanted is None:
        return None
    found = KeySets()
    seen = 0
    for path in corpus_plans():
        try:
            document = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError:
            continue
        if not isinstance(document, dict):
            continue
        version = _version(document.get("format_version"))
        if version is None or version[0] != wanted[0] or version > wanted:
            continue
        found.add(document)
        seen += 1
    return found if seen else None


def test_every_rule_folder_has_both_plans() -> None:
    assert PLANS, "no fixture plans found"
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for side in ("fail", "pass"):
            assert (folder / side / "plan.json").is_file(), f"{folder.name}/{side}/plan.json"
            assert (folder / side / "main.tf").is_file(), f"{folder.name}/{side}/main.tf"


@pytest.mark.parametrize("path", PLANS, ids=relative)
def test_keys_match_the_corpus(path: Path) -> None:
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not beside this checkout")
    document = load(path)
    reference = corpus_keys(document["format_version"])
    if reference is None:
        pytest.skip(f"no corpus plan of format {document['format_version']}")
    mine = KeySets()
    mine.add(document)
    for level in KeySets.LEVELS:
        unexpected = mine.keys[level] - reference.keys[level]
        assert not unexpected, f"{level}: keys terraform does not write: {sorted(unexpected)}"


@pytest.mark.parametrize("path", PLANS, ids=relative)
def test_required_keys(path: Path) -> None:
    document = load(path)
    assert document.keys() >= REQUIRED_TOP
    assert document["format_version"] == "1.2"
    assert re.fullmatch(r"1\.(9|1[0-9])\.\d+", document["terraform_version"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", document["timestamp"])
    assert document["errored"] is False
    assert document["applyable"] is True
    assert document["complete"] is True
    for entry in document["resource_changes"]:
        assert entry.keys() >= REQUIRED_ENTRY, entry["address"]
        assert entry["change"].keys() >= REQUIRED_CHANGE, entry["address"]
        assert entry["provider_name"] == PROVIDER
    for module in state_modules(document["planned_values"]["root_module"]):
        for resource in module.get("resources", []):
            assert resource.keys() >= REQUIRED_STATE_RESOURCE, resource["address"]
    for _, module in config_modules(document["configuration"]["root_module"]):
        for resource in module.get("resources", []):
            assert resource.keys() >= REQUIRED_CONFIG_RESOURCE, resource["address"]
    provider = document["configuration"]["provider_config"]["aws"]
    assert provider["full_name"] == PROVIDER


def instance_address(entry: Mapping[str, Any]) -> str:
    prefix = f"{entry['module_address']}." if entry.get("module_address") else ""
    data = "data." if entry["mode"] == "data" else ""
    index = entry.get("index")
    key = "" if index is None else f"[{index}]" if isinstance(index, int) else f'["{index}"]'
    return f"{prefix}{data}{entry['type']}.{entry['name']}{key}"


def module_path(module_address: str) -> tuple[str, ...]:
    """`module.a["k"].module.b[0]` → ("a", "b")."""
    return tuple(re.findall(r"module\.([A-Za-z0-9_-]+)", module_address))


def unknown_paths(mask: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if mask is True:
        yield path
    elif isinstance(mask, dict):
        for key, child in mask.items():
            yield from unknown_paths(child, (*path, key))
    elif isinstance(mask, list):
        for position, child in enumerate(mask):
            yield from unknown_paths(child, (*path, position))


def lookup(value: Any, path: tuple[Any, ...]) -> tuple[bool, Any]:
    """(present, value) at `path`: a dict key that is missing is absent."""
    node = value
    for part in path:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return False, None
            node = node[part]
        else:
            if not isinstance(node, dict) or part not in node:
                return False, None
            node = node[part]
    return True, node


@pytest.mark.parametrize("path", PLANS, ids=relative)
def test_resource_changes_are_consistent(path: Path) -> None:
    document = load(path)
    changes = document["resource_changes"]
    addresses = [entry["address"] for entry in changes]
    assert addresses == sorted(addresses), "resource_changes are sorted by address"
    assert len(set(addresses)) == len(addresses)
    for entry in changes:
        address = entry["address"]
        change = entry["change"]
        actions = change["actions"]
        assert actions in VALID_ACTIONS, address
        assert address == instance_address(entry)
        assert ("module_address" in entry) == address.startswith("module."), address
        if entry["mode"] == "data":
            assert actions in (["read"], ["no-op"]), address
            assert entry.get("action_reason", "").startswith("read_because_"), address
        creates_only = actions in (["create"], ["read"])
        gone = actions in (["delete"], ["forget"])
        assert (change["before"] is None) == creates_only, address
        assert (change["after"] is None) == gone, address
        assert (change["before_sensitive"] is False) == (change["before"] is None), address
        assert (change["after_sensitive"] is False) == (change["after"] is None), address
        if gone:
            assert change["after_unknown"] == {}, address
        for unknown in unknown_paths(change["after_unknown"]):
            present, value = lookup(change["after"], unknown)
            assert not present or value is None, f"{address}: {unknown} is unknown yet in after"
        if actions == ["no-op"]:
            assert change["before"] == change["after"], address
            assert change["after_unknown"] == {}, address
        if len(actions) == 2:
            assert entry.get("action_reason", "").startswith("replace_"), address


def configuration_blocks(document: Mapping[str, Any]) -> dict[tuple[tuple[str, ...], str], Any]:
    root = document["configuration"]["root_module"]
    return {
        (path, resource["address"]): resource
        for path, module in config_modules(root)
        for resource in module.get("resources", [])
    }


def config_address(entry: Mapping[str, Any]) -> str:
    data = "data." if entry["mode"] == "data" else ""
    return f"{data}{entry['type']}.{entry['name']}"


@pytest.mark.parametrize("path", PLANS, ids=relative)
def test_changes_appear_in_configuration_planned_values_and_prior_state(path: Path) -> None:
    document = load(path)
    blocks = configuration_blocks(document)
    planned = {
        resource["address"]: (module.get("address", ""), resource)
        for module in state_modules(document["planned_values"]["root_module"])
        for resource in module.get("resources", [])
    }
    prior_root = ((document.get("prior_state") or {}).get("values") or {}).get("root_module")
    prior = {
        resource["address"]: (module.get("address", ""), resource)
        for module in state_modules(prior_root or {})
        for resource in module.get("resources", [])
    }
    for entry in document["resource_changes"]:
        address = entry["address"]
        change = entry["change"]
        key = (module_path(entry.get("module_address", "")), config_address(entry))
        removed = change["actions"] in (["delete"], ["forget"]) and (
            change["actions"] == ["forget"]
            or entry.get("action_reason") == "delete_because_no_resource_config"
        )
        assert (key in blocks) != removed, f"{address}: configuration block {key}"
        block = blocks.get(key)
        if block is not None:
            counted = "count_expression" in block or "for_each_expression" in block
            assert counted == ("index" in entry), address
            if isinstance(entry.get("index"), int):
                assert "count_expression" in block, address
            if isinstance(entry.get("index"), str):
                assert "for_each_expression" in block, address
        if change["after"] is None:
            assert address not in planned, address
        else:
            assert address in planned, f"{address} is missing from planned_values"
            module_address, resource = planned[address]
            assert module_address == entry.get("module_address", ""), address
            assert resource["values"] == change["after"], address
            for unknown in unknown_paths(change["after_unknown"]):
                present, value = lookup(resource["values"], unknown)
                assert not present or value is None, address
        existed = entry["mode"] == "managed" and change["before"] is not None
        if existed and "importing" not in change:
            assert address in prior, f"{address} already exists, so it is in prior_state"
            module_address, resource = prior[address]
            assert module_address == entry.get("module_address", ""), address
            assert resource["values"] == change["before"], address
        elif entry["mode"] == "managed":
            assert address not in prior, f"{address} does not exist yet"
    in_changes = {entry["address"] for entry in document["resource_changes"]}
    for address, (_, resource) in prior.items():
        if resource["mode"] == "data":
            assert address not in in_changes, f"{address} was read at plan time"
        else:
            assert address in in_changes, f"{address} in prior_state has no change"
    for (module, config), block in blocks.items():
        if block["mode"] != "data":
            continue
        prefix = "".join(f"module.{name}." for name in module)
        assert f"{prefix}{config}" in prior or any(
            entry["address"].startswith(f"{prefix}{config}")
            for entry in document["resource_changes"]
        ), f"data source {prefix}{config} is neither read at plan time nor deferred"


def references(expressions: Any) -> Iterator[str]:
    if isinstance(expressions, dict):
        found = expressions.get("references")
        if isinstance(found, list):
            yield from found
        for key, value in expressions.items():
            if key != "references":
                yield from references(value)
    elif isinstance(expressions, list):
        for value in expressions:
            yield from references(value)


def strip_keys(text: str) -> str:
    return re.sub(r"\[[^\]]*\]", "", text)


@pytest.mark.parametrize("path", PLANS, ids=relative)
def test_configuration_references_resolve(path: Path) -> None:
    document = load(path)
    root = document["configuration"]["root_module"]
    declared_variables = set((root.get("variables") or {}).keys())
    assert set((document.get("variables") or {}).keys()) == declared_variables
    for module_names, module in config_modules(root):
        local = {resource["address"] for resource in module.get("resources", [])}
        calls = module.get("module_calls") or {}
        variables = set((module.get("variables") or {}).keys())
        expressions = [resource for resource in module.get("resources", [])]
        expressions += [call.get("expressions", {}) for call in calls.values()]
        expressions += [output for output in (module.get("outputs") or {}).values()]
        for reference in references(expressions):
            parts = strip_keys(reference).split(".")
            where = f"{'.'.join(module_names) or 'root'}: {reference}"
            if parts[0] == "var":
                assert parts[1] in variables, where
            elif parts[0] == "module":
                assert parts[1] in calls, where
                if len(parts) > 2:
                    outputs = calls[parts[1]]["module"].get("outputs") or {}
                    assert parts[2] in outputs, where
            elif parts[0] == "data":
                assert ".".join(parts[:3]) in local, where
            elif parts[0] not in NON_RESOURCE_ROOTS:
                assert ".".join(parts[:2]) in local, where


def relevant_pairs(document: Mapping[str, Any]) -> set[str]:
    return {item["resource"] for item in document.get("relevant_attributes", [])}


@pytest.mark.parametrize("path", PLANS, ids=relative)
def test_relevant_attributes_name_planned_resources(path: Path) -> None:
    document = load(path)
    known = {entry["address"] for entry in document["resource_changes"]}
    prior_root = ((document.get("prior_state") or {}).get("values") or {}).get("root_module")
    known |= {
        resource["address"]
        for module in state_modules(prior_root or {})
        for resource in module.get("resources", [])
    }
    for resource in relevant_pairs(document):
        assert resource in known, resource


TF_BLOCK = re.compile(r'^(resource|data)\s+"([a-z0-9_]+)"\s+"([A-Za-z0-9_-]+)"', re.MULTILINE)
TF_MODULE = re.compile(r'^module\s+"([A-Za-z0-9_-]+)"', re.MULTILINE)
TF_VARIABLE = re.compile(r'^variable\s+"([A-Za-z0-9_-]+)"', re.MULTILINE)


def string_constants(expressions: Any) -> Iterator[str]:
    if isinstance(expressions, dict):
        if "constant_value" in expressions and isinstance(expressions["constant_value"], str):
            yield expressions["constant_value"]
        for value in expressions.values():
            if isinstance(value, dict | list):
                yield from string_constants(value)
    elif isinstance(expressions, list):
        for value in expressions:
            yield from string_constants(value)


@pytest.mark.parametrize("path", PLANS, ids=relative)
def test_main_tf_declares_the_configuration(path: Path) -> None:
    document = load(path)
    text = (path.parent / "main.tf").read_text(encoding="utf-8")
    root = document["configuration"]["root_module"]
    declared = {
        f"{'data.' if kind == 'data' else ''}{type_}.{name}"
        for kind, type_, name in TF_BLOCK.findall(text)
    }
    assert declared == {resource["address"] for resource in root.get("resources", [])}
    assert set(TF_MODULE.findall(text)) == set((root.get("module_calls") or {}).keys())
    assert set(TF_VARIABLE.findall(text)) == set((root.get("variables") or {}).keys())
    for _, module in config_modules(root):
        for resource in module.get("resources", []):
            assert f'"{resource["type"]}" "{resource["name"]}"' in text, resource["address"]
            for constant in string_constants(resource["expressions"]):
                assert f'"{constant}"' in text, f"{resource['address']}: {constant}"
    for entry in document["resource_changes"]:
        if entry.get("action_reason") == "delete_because_no_resource_config" or entry["change"][
            "actions"
        ] == ["forget"]:
            assert config_address(entry) in text, f"main.tf should say {entry['address']} went"
