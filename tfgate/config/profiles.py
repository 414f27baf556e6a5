"""Profiles: load YAML, resolve `extends`, merge, validate against the shipped schema."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tfgate.config.yamlfile import YamlDocument, load_yaml, schema_message, validate
from tfgate.errors import ProfileError
from tfgate.filekinds import wrong_kind
from tfgate.report import Enforcement
from tfgate.resources import builtin_profile_names, profiles_dir
from tfgate.rules import RULES_BY_ID


@dataclass(frozen=True, slots=True)
class RuleSetting:
    enforcement: Enforcement
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Profile:
    """A resolved profile: `extends` applied, every rule id checked."""

    name: str
    description: str
    frameworks: tuple[str, ...]
    on_unknown: Enforcement
    block_existing: bool
    rules: Mapping[str, RuleSetting]
    source: str
    max_waiver_days: int | None = None

    def enabled(self) -> dict[str, RuleSetting]:
        return {
            rule_id: setting
            for rule_id, setting in self.rules.items()
            if setting.enforcement is not Enforcement.OFF
        }


def is_builtin_name(reference: str) -> bool:
    return (
        "/" not in reference and "\\" not in reference and not reference.endswith((".yaml", ".yml"))
    )


def _locate(reference: str, relative_to: Path | None) -> Path:
    if is_builtin_name(reference):
        if reference not in builtin_profile_names():
            known = ", ".join(builtin_profile_names())
            raise ProfileError(f"unknown profile {reference!r} (built-in profiles: {known})")
        return profiles_dir() / f"{reference}.yaml"
    path = Path(reference)
    if not path.is_absolute() and relative_to is not None:
        path = relative_to / path
    return path


def _validate_document(document: YamlDocument) -> Mapping[str, Any]:
    source = str(document.path)
    mistaken = wrong_kind(document.data, "profile")
    if mistaken:
        raise ProfileError(mistaken, source=source)
    if not isinstance(document.data, dict):
        raise ProfileError("a profile must be a YAML mapping", source=source)
    validate(document, "profile", ProfileError)
    data: Mapping[str, Any] = document.data
    for rule_id, setting in (data.get("rules") or {}).items():
        rule = RULES_BY_ID.get(rule_id)
        where = ("rules", rule_id)
        if rule is None:
            raise ProfileError(
                f"unknown rule id {rule_id!r}; `tfgate rules` lists them",
                source=source,
                pointer=document.where(where),
            )
        params = setting.get("params") or {}
        declared = set((rule.params_schema.get("properties") or {}).keys())
        for key in params:
            if key not in declared:
                raise ProfileError(
                    f"rule {rule_id} has no parameter {key!r}",
                    source=source,
                    pointer=document.where((*where, "params", key)),
                )
        if rule.params_schema:
            import jsonschema  # only user profiles are validated at run time (see `_raw`)

            checker = jsonschema.Draft202012Validator(rule.params_schema)
            problems = sorted(checker.iter_errors(params), key=lambda e: list(map(str, e.path)))
            if problems:
                path = (*where, "params", *problems[0].absolute_path)
                raise ProfileError(
                    schema_message(problems[0]), source=source, pointer=document.where(path)
                )
    return data


def _raw(path: Path) -> Mapping[str, Any]:
    if is_shipped(path):
        return _shipped(path)
    return _validate_document(load_yaml(path, ProfileError))


def is_shipped(path: Path) -> bool:
    """Whether `path` is one of the profiles shipped with tfgate."""
    return path.suffix == ".yaml" and path.resolve().parent == profiles_dir().resolve()


def _shipped(path: Path) -> Mapping[str, Any]:
    """A shipped profile, read without validation: tfgate's tests validate every shipped profile
    exactly as a user's is validated, so at run time it skips the line-numbering loader and
    jsonschema, which would otherwise be most of start-up."""
    try:
        data = yaml.load(path.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as error:
        raise ProfileError("cannot read this built-in profile", source=str(path)) from error
    if not isinstance(data, dict):
        raise ProfileError("a profile must be a YAML mapping", source=str(path))
    return data


def load_profile(reference: str, relative_to: Path | None = None) -> Profile:
    """Load a built-in profile by name, or a user's profile by path, resolving `extends`."""
    path = _locate(reference, relative_to)
    merged = _resolve(path, ())
    return _profile(merged, str(path) if not is_builtin_name(reference) else reference)


def _resolve(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    key = path.resolve()
    if key in chain:
        cycle = " -> ".join(p.name for p in (*chain, key))
        raise ProfileError(f"profiles extend each other in a cycle: {cycle}", source=str(path))
    document = _raw(path)
    merged: dict[str, Any] = {"rules": {}, "frameworks": []}
    for parent in document.get("extends") or []:
        try:
            parent_path = _locate(parent, path.parent)
        except ProfileError as error:
            raise ProfileError(error.message, source=str(path), pointer="key extends") from error
        _merge(merged, _resolve(parent_path, (*chain, key)))
    _merge(merged, document)
    return merged


def _merge(into: dict[str, Any], layer: Mapping[str, Any]) -> None:
    for key, value in layer.items():
        if key == "rules":
            for rule_id, setting in (value or {}).items():
                current = dict(into["rules"].get(rule_id, {}))
                if "enforcement" in setting:
                    current["enforcement"] = setting["enforcement"]
                if "params" in setting:
                    current["params"] = {**current.get("params", {}), **setting["params"]}
                into["rules"][rule_id] = current
        elif key == "frameworks":
            into["frameworks"] = list(dict.fromkeys([*into["frameworks"], *value]))
        elif key != "extends":
            into[key] = value


def _profile(merged: Mapping[str, Any], source: str) -> Profile:
    rules: dict[str, RuleSetting] = {}
    for rule_id in sorted(merged["rules"]):
        setting = merged["rules"][rule_id]
        rule = RULES_BY_ID[rule_id]
        rules[rule_id] = RuleSetting(
            enforcement=Enforcement(setting.get("enforcement", "block")),
            params={**rule.defaults, **setting.get("params", {})},
        )
    return Profile(
        name=merged["name"],
        description=" ".join(str(merged.get("description", "")).split()),
        frameworks=tuple(merged["frameworks"]),
        on_unknown=Enforcement(merged.get("on_unknown", "warn")),
        block_existing=bool(merged.get("block_existing", False)),
        rules=rules,
        source=source,
        max_waiver_days=merged.get("max_waiver_days"),
    )


def resolved_yaml(profile: Profile) -> str:
    """The resolved profile as YAML, in the profile file format (no `extends`)."""
    import yaml

    document: dict[str, Any] = {
        "name": profile.name,
        "description": profile.description,
        "frameworks": list(profile.frameworks),
        "on_unknown": profile.on_unknown.value,
        "block_existing": profile.block_existing,
    }
    if profile.max_waiver_days is not None:
        document["max_waiver_days"] = profile.max_waiver_days
    document["rules"] = {
        rule_id: {"enforcement": setting.enforcement.value, "params": dict(setting.params)}
        if setting.params
        else {"enforcement": setting.enforcement.value}
        for rule_id, setting in profile.rules.items()
    }
    return str(
        yaml.dump(document, Dumper=_plain_dumper(), sort_keys=False, width=88, allow_unicode=True)
    )


def _plain_dumper() -> type:
    """A SafeDumper that never writes anchors or aliases (a reader of `profiles show` should not
    have to resolve `*id001`) and folds long text, as the profile files themselves do."""
    import yaml

    class PlainDumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    def represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
        style = ">" if len(text) > 80 and "\n" not in text else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)

    PlainDumper.add_representer(str, represent_text)
    return PlainDumper
