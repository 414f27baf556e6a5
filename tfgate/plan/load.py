"""Bytes → Plan: recognise what a file is, refuse what is not a plan, build the model.

Every refusal is a `PlanError` whose message is one line saying what the file is and what to do.
Messages name JSON pointers, never values from the file.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import orjson

from tfgate.errors import PlanError
from tfgate.plan.address import module_path
from tfgate.plan.model import Plan, ProviderConfig, Resource
from tfgate.plan.values import View

KNOWN_ACTIONS = frozenset({"no-op", "create", "read", "update", "delete", "forget"})
ZIP_MAGIC = b"PK\x03\x04"
_VERSION = re.compile(r"^(\d+)\.(\d+)")

CONVERT_HINT = "terraform show -json tfplan > plan.json"

FREEZE_THRESHOLD = 8 * 1024 * 1024
"""Plans at least this large (bytes) are moved out of the garbage collector's reach once built."""

_UTF8_BOM = b"\xef\xbb\xbf"
_WRAPPER = b"[command]"
_JSON_SPACE = re.compile(rb"[ \t\r\n]*")


def is_binary_plan(data: bytes) -> bool:
    """A saved plan file (`terraform plan -out=tfplan`) is a ZIP archive."""
    return data.startswith(ZIP_MAGIC)


def decode(data: bytes, source: str) -> str:
    """Bytes → text: UTF-8 (a BOM tolerated) or UTF-16 with a BOM, as PowerShell writes it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise PlanError("file is not valid UTF-16 text", source=source) from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PlanError(
            f"file is not UTF-8 text (invalid byte at offset {error.start})", source=source
        ) from error


def parse_plan_json(data: bytes, source: str) -> Any:
    """Parse the file as one JSON document, recognising the usual wrong inputs first.

    A UTF-8 file is parsed from the bytes as they are, without a decoded copy of the text: on a
    plan of hundreds of megabytes that copy costs as much memory as the file. Anything unusual
    (UTF-16, an empty file, the setup-terraform wrapper line, text that does not parse) takes
    the careful path, which decodes first and explains what is wrong.
    """
    if is_binary_plan(data):
        raise PlanError(
            f"this is a binary plan file; convert it with `{CONVERT_HINT}`", source=source
        )
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        body = memoryview(data)[len(_UTF8_BOM) :] if data.startswith(_UTF8_BOM) else data
        start = _JSON_SPACE.match(body)
        offset = start.end() if start is not None else 0
        if offset < len(body) and bytes(body[offset : offset + len(_WRAPPER)]) != _WRAPPER:
            try:
                return orjson.loads(body)
            except orjson.JSONDecodeError:
                pass  # explained below, from the decoded text
    return _parse_text(decode(data, source), source)


def _parse_text(text: str, source: str) -> Any:
    stripped = text.strip()
    if not stripped:
        raise PlanError(
            "file is empty; expected the output of `terraform show -json`", source=source
        )
    if stripped.startswith("[command]"):
        raise PlanError(
            "file starts with the setup-terraform wrapper's `[command]` line; set "
            "`terraform_wrapper: false` in hashicorp/setup-terraform or write the file with "
            f"`{CONVERT_HINT}`",
            source=source,
        )
    try:
        return orjson.loads(stripped)
    except orjson.JSONDecodeError as error:
        lines = stripped.splitlines()
        if len(lines) > 1 and _is_ui_log_line(lines[0]):
            raise PlanError(
                "this is the streaming log of `terraform plan -json`, not a plan; run "
                f"`terraform plan -out=tfplan && {CONVERT_HINT}`",
                source=source,
            ) from error
        if len(lines) > 1 and _parses_as_object(lines[0]):
            raise PlanError(
                "file holds several JSON documents; pass one plan per file", source=source
            ) from error
        raise PlanError(f"file is not valid JSON ({_position(error)})", source=source) from error


def _is_ui_log_line(line: str) -> bool:
    try:
        first = orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return isinstance(first, dict) and ("@level" in first or "@message" in first)


def _parses_as_object(line: str) -> bool:
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


def _position(error: orjson.JSONDecodeError) -> str:
    return f"line {error.lineno}, column {error.colno}"


def check_kind(document: Any, source: str) -> None:
    """Refuse, with a one-line reason, a JSON document that is not a plan tfgate can judge."""
    if isinstance(document, list):
        if document and all(isinstance(item, dict) and "@level" in item for item in document):
            raise PlanError(
                "this is a `terraform plan -json` log, not a plan; run "
                f"`terraform plan -out=tfplan && {CONVERT_HINT}`",
                source=source,
            )
        raise PlanError("expected a JSON object at the top level, found a list", source=source)
    if not isinstance(document, dict):
        raise PlanError(
            f"expected a JSON object at the top level, found {_json_type(document)}", source=source
        )
    if "@level" in document or "@message" in document:
        raise PlanError(
            "this is one line of a `terraform plan -json` log, not a plan; run "
            f"`terraform plan -out=tfplan && {CONVERT_HINT}`",
            source=source,
        )
    if "plan_format_version" in document:
        raise PlanError(
            "this is an HCP Terraform redacted plan export, not `terraform show -json` output",
            source=source,
        )
    if "lineage" in document and "serial" in document:
        raise PlanError(
            f"this is a raw state file (terraform.tfstate), not a plan; run `{CONVERT_HINT}` "
            "on a saved plan",
            source=source,
        )
    if "provider_schemas" in document and "resource_changes" not in document:
        raise PlanError(
            "this is `terraform providers schema -json` output, not a plan", source=source
        )
    if "format_version" not in document:
        raise PlanError(
            "no format_version: this is not `terraform show -json` output", source=source
        )
    plan_keys = ("resource_changes", "planned_values", "configuration", "prior_state")
    if not any(key in document for key in plan_keys):
        raise PlanError(
            "this is state JSON (`terraform show -json` without a plan file); run "
            f"`terraform plan -out=tfplan && {CONVERT_HINT}`",
            source=source,
        )
    version = document["format_version"]
    match = _VERSION.match(version) if isinstance(version, str) else None
    if match is None:
        raise PlanError("format_version is not a version string", source=source)
    if int(match.group(1)) >= 2:
        raise PlanError(
            "plan format_version 2 or later is not supported by this tfgate; upgrade tfgate",
            source=source,
        )
    if document.get("errored") is True:
        raise PlanError(
            "the plan is marked errored: terraform saved it after an error, so it is not the "
            "change that would be applied; fix the plan errors and plan again",
            source=source,
        )


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list"


def load_plan(data: bytes, source: str) -> Plan:
    """Parse and validate plan bytes into a `Plan`, or raise `PlanError`."""
    with _collector_paused():
        document = parse_plan_json(data, source)
        check_kind(document, source)
        plan = build_plan(document, source)
        if len(data) >= FREEZE_THRESHOLD:
            # Everything allocated so far (the document and the model above all) leaves the
            # collector's generations: it holds no cycles and lives as long as the judgement,
            # and reference counting still frees it. Otherwise each later full collection
            # walks millions of objects again.
            gc.freeze()
        return plan


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector while the document and the model are built.

    Parsing a large plan allocates millions of dicts and lists, all of them kept. Left running,
    the collector walks that growing heap again and again (its full collections alone cost as
    much as the parse); JSON holds no reference cycles, so there is nothing for it to find.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Reader:
    """Typed access to the raw document that raises PlanError with a JSON pointer."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, pointer: str, message: str) -> PlanError:
        return PlanError(message, source=self.source, pointer=pointer)

    def mapping(self, value: Any, pointer: str, *, optional: bool = True) -> Mapping[str, Any]:
        if value is None and optional:
            return {}
        if not isinstance(value, dict):
            raise self.fail(pointer, "expected an object")
        return value

    def items(self, value: Any, pointer: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(pointer, "expected a list")
        return value

    def text(self, value: Any, pointer: str, *, optional: bool = False) -> str:
        if value is None and optional:
            return ""
        if not isinstance(value, str):
            raise self.fail(pointer, "expected a string")
        return value


def build_plan(document: Mapping[str, Any], source: str) -> Plan:
    reader = _Reader(source)
    expressions, module_sources = _configuration(document, reader)
    module_inputs, module_outputs = _module_wiring(document, reader)
    paths: dict[str, tuple[str, ...]] = {}
    resources = tuple(
        _resource(entry, position, reader, expressions, paths)
        for position, entry in enumerate(
            reader.items(document.get("resource_changes"), "/resource_changes")
        )
    )
    by_address: dict[str, list[Resource]] = {}
    by_config: dict[tuple[tuple[str, ...], str], list[Resource]] = {}
    for resource in resources:
        by_address.setdefault(resource.address, []).append(resource)
        by_config.setdefault((resource.module_path, resource.config_address), []).append(resource)
    variables = {
        name: entry.get("value")
        for name, entry in reader.mapping(document.get("variables"), "/variables").items()
        if isinstance(entry, dict)
    }
    return Plan(
        source=source,
        format_version=str(document.get("format_version", "")),
        terraform_version=str(document.get("terraform_version") or ""),
        resources=resources,
        data_sources=_data_sources(document, reader),
        providers=_providers(document, reader),
        variables=variables,
        module_sources=module_sources,
        module_inputs=module_inputs,
        module_outputs=module_outputs,
        complete=document.get("complete") is not False,
        by_address={address: tuple(found) for address, found in by_address.items()},
        by_config={key: tuple(found) for key, found in by_config.items()},
    )


def _resource(
    entry: Any,
    position: int,
    reader: _Reader,
    expressions: Mapping[tuple[tuple[str, ...], str], Mapping[str, Any]],
    paths: dict[str, tuple[str, ...]],
) -> Resource:
    """One entry of `resource_changes`.

    Well-formed values take the fast checks (`type(x) is str`); anything else goes through the
    reader, which accepts or refuses it exactly as before and names the JSON pointer. Pointers
    are only built on that slow path: there is one per field of every resource.
    """
    pointer = f"/resource_changes/{position}"
    if type(entry) is not dict:
        entry = reader.mapping(entry, pointer, optional=False)
    change = entry.get("change")
    if type(change) is not dict:
        change = reader.mapping(change, f"{pointer}/change", optional=False)
    raw_actions = change.get("actions")
    if type(raw_actions) is not list:
        raw_actions = reader.items(raw_actions, f"{pointer}/change/actions")
    if not raw_actions or not all(isinstance(action, str) for action in raw_actions):
        raise reader.fail(f"{pointer}/change/actions", "expected a non-empty list of actions")
    actions = frozenset(raw_actions)
    if not actions <= KNOWN_ACTIONS:
        raise reader.fail(
            f"{pointer}/change/actions",
            "unknown change action; tfgate cannot judge a change it does not understand",
        )
    address = entry.get("address")
    if type(address) is not str:
        address = reader.text(address, f"{pointer}/address")
    mode = entry.get("mode", "managed")
    if type(mode) is not str:
        mode = reader.text(mode, f"{pointer}/mode")
    resource_type = entry.get("type")
    if type(resource_type) is not str:
        resource_type = reader.text(resource_type, f"{pointer}/type")
    name = entry.get("name")
    if type(name) is not str:
        name = reader.text(name, f"{pointer}/name")
    module_address = entry.get("module_address")
    if type(module_address) is not str:
        module_address = reader.text(module_address, f"{pointer}/module_address", optional=True)
    index = entry.get("index")
    if index is not None and (not isinstance(index, int | str) or isinstance(index, bool)):
        raise reader.fail(f"{pointer}/index", "expected a number or a string")
    path = paths.get(module_address)
    if path is None:
        path = paths[module_address] = module_path(module_address)
    config_address = f"data.{resource_type}.{name}" if mode == "data" else f"{resource_type}.{name}"
    provider_key = ""
    config = expressions.get((path, config_address))
    config_expressions: Any = None
    if config is not None:
        provider_key = str(config.get("provider_config_key") or "")
        config_expressions = config.get("expressions")
    if type(config_expressions) is not dict:
        config_expressions = reader.mapping(
            config_expressions, f"{pointer}/configuration", optional=True
        )
    previous_address = entry.get("previous_address")
    deposed = entry.get("deposed")
    return Resource(
        address=address,
        module_address=module_address,
        mode=mode,
        type=resource_type,
        name=name,
        index=index,
        actions=actions,
        before=_view(change, "before", pointer, reader),
        after=_view(change, "after", pointer, reader),
        provider_name=str(entry.get("provider_name") or ""),
        provider_config_key=provider_key,
        importing=isinstance(change.get("importing"), dict),
        previous_address=previous_address if isinstance(previous_address, str) else None,
        deposed=deposed if isinstance(deposed, str) else None,
        module_path=path,
        expressions=config_expressions,
    )


def _view(change: Mapping[str, Any], side: str, pointer: str, reader: _Reader) -> View:
    values = change.get(side)
    if values is not None and not isinstance(values, dict):
        raise reader.fail(f"{pointer}/change/{side}", "expected an object or null")
    if side == "after":
        return View(values, change.get("after_unknown"), change.get("after_sensitive"))
    return View(values, None, change.get("before_sensitive"))


def _walk_modules(
    module: Mapping[str, Any], pointer: str, reader: _Reader
) -> Iterator[tuple[Mapping[str, Any], str]]:
    """A state-shaped module tree (`root_module` with `child_modules`), depth first."""
    yield module, pointer
    children = reader.items(module.get("child_modules"), f"{pointer}/child_modules")
    for position, child in enumerate(children):
        child_pointer = f"{pointer}/child_modules/{position}"
        yield from _walk_modules(reader.mapping(child, child_pointer), child_pointer, reader)


def _data_sources(document: Mapping[str, Any], reader: _Reader) -> dict[str, Mapping[str, Any]]:
    """Data sources read at plan time live in `prior_state`, keyed by full address."""
    prior = reader.mapping(document.get("prior_state"), "/prior_state")
    values = reader.mapping(prior.get("values"), "/prior_state/values")
    root = reader.mapping(values.get("root_module"), "/prior_state/values/root_module")
    found: dict[str, Mapping[str, Any]] = {}
    for module, pointer in _walk_modules(root, "/prior_state/values/root_module", reader):
        for position, entry in enumerate(reader.items(module.get("resources"), pointer)):
            entry = reader.mapping(entry, f"{pointer}/resources/{position}")
            if entry.get("mode") == "data" and isinstance(entry.get("address"), str):
                found[entry["address"]] = reader.mapping(
                    entry.get("values"), f"{pointer}/resources/{position}/values"
                )
    return found


def _walk_config(
    module: Mapping[str, Any],
    path: tuple[str, ...],
    pointer: str,
    reader: _Reader,
    source: Any = None,
) -> Iterator[tuple[Mapping[str, Any], tuple[str, ...], str, Any]]:
    """Each module of `configuration`, depth first, with the `source` of the call that made it
    (None for the root module)."""
    yield module, path, pointer, source
    calls = reader.mapping(module.get("module_calls"), f"{pointer}/module_calls")
    for name, call in calls.items():
        call_pointer = f"{pointer}/module_calls/{name}"
        call = reader.mapping(call, call_pointer)
        child = reader.mapping(call.get("module"), f"{call_pointer}/module")
        yield from _walk_config(
            child, (*path, name), f"{call_pointer}/module", reader, call.get("source")
        )


_Blocks = dict[tuple[tuple[str, ...], str], Mapping[str, Any]]


def _configuration(
    document: Mapping[str, Any], reader: _Reader
) -> tuple[_Blocks, dict[tuple[str, ...], str]]:
    """Each configuration block keyed by (module path, module-relative address), and the
    `source` of each module call by module path."""
    configuration = reader.mapping(document.get("configuration"), "/configuration")
    root = reader.mapping(configuration.get("root_module"), "/configuration/root_module")
    blocks: _Blocks = {}
    sources: dict[tuple[str, ...], str] = {}
    for module, path, pointer, source in _walk_config(
        root, (), "/configuration/root_module", reader
    ):
        if isinstance(source, str):
            sources[path] = source
        for position, entry in enumerate(reader.items(module.get("resources"), pointer)):
            entry = reader.mapping(entry, f"{pointer}/resources/{position}")
            address = entry.get("address")
            if isinstance(address, str):
                blocks[(path, address)] = entry
    return blocks, sources


def _module_wiring(
    document: Mapping[str, Any], reader: _Reader
) -> tuple[dict[tuple[str, ...], Mapping[str, Any]], dict[tuple[str, ...], Mapping[str, Any]]]:
    """By module path: the argument expressions of the call that makes each module, and the
    expressions of each module's outputs."""
    configuration = reader.mapping(document.get("configuration"), "/configuration")
    root = reader.mapping(configuration.get("root_module"), "/configuration/root_module")
    inputs: dict[tuple[str, ...], Mapping[str, Any]] = {}
    outputs: dict[tuple[str, ...], Mapping[str, Any]] = {}
    calls = reader.mapping(root.get("module_calls"), "/configuration/root_module/module_calls")
    pending: list[tuple[tuple[str, ...], Any]] = [((name,), call) for name, call in calls.items()]
    outputs[()] = _output_expressions(root)
    while pending:
        path, call = pending.pop()
        if not isinstance(call, dict):
            continue
        arguments = call.get("expressions")
        inputs[path] = arguments if isinstance(arguments, dict) else {}
        child = call.get("module")
        if not isinstance(child, dict):
            continue
        outputs[path] = _output_expressions(child)
        nested = child.get("module_calls")
        if isinstance(nested, dict):
            pending.extend(((*path, name), entry) for name, entry in nested.items())
    return inputs, outputs


def _output_expressions(module: Mapping[str, Any]) -> Mapping[str, Any]:
    found = module.get("outputs")
    if not isinstance(found, dict):
        return {}
    return {
        name: entry["expression"]
        for name, entry in found.items()
        if isinstance(entry, dict) and isinstance(entry.get("expression"), dict)
    }


def _providers(document: Mapping[str, Any], reader: _Reader) -> dict[str, ProviderConfig]:
    configuration = reader.mapping(document.get("configuration"), "/configuration")
    providers = reader.mapping(
        configuration.get("provider_config"), "/configuration/provider_config"
    )
    found: dict[str, ProviderConfig] = {}
    for key, entry in providers.items():
        entry = reader.mapping(entry, f"/configuration/provider_config/{key}")
        found[key] = ProviderConfig(
            key=key,
            name=str(entry.get("name") or ""),
            alias=entry.get("alias") if isinstance(entry.get("alias"), str) else None,
            module_address=str(entry.get("module_address") or ""),
            expressions=reader.mapping(
                entry.get("expressions"), f"/configuration/provider_config/{key}/expressions"
            ),
        )
    return found
