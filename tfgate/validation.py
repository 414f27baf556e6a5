"""`tfgate validate`: check a tfgate.yaml, profile or waivers file and what it references."""

from __future__ import annotations

from pathlib import Path

from tfgate.errors import ConfigError
from tfgate.profiles import is_builtin_name, load_profile
from tfgate.selection import parse_config
from tfgate.waivers import parse_waivers
from tfgate.yamlfile import YamlDocument, load_yaml

CONFIG_KEYS = frozenset({"default_profile", "accounts", "workspaces", "paths", "waivers"})


def kind_of(document: YamlDocument) -> str:
    """Tell the three kinds of tfgate YAML apart by their shape."""
    data = document.data
    if isinstance(data, list) or (isinstance(data, dict) and set(data) == {"waivers"}):
        return "waivers"
    if isinstance(data, dict) and "name" in data:
        return "profile"
    if isinstance(data, dict) and set(data) & CONFIG_KEYS:
        return "config"
    if data is None:
        raise ConfigError("the file is empty", source=str(document.path))
    raise ConfigError(
        "not a tfgate.yaml, profile or waivers file (no known top-level keys)",
        source=str(document.path),
    )


def validate_file(path: Path) -> list[str]:
    """Validate one file; returns the lines to print, raises on the first problem."""
    document = load_yaml(path, ConfigError)
    kind = kind_of(document)
    if kind == "waivers":
        waivers = parse_waivers(document)
        return [f"{path}: valid waivers file ({len(waivers)} waivers)"]
    if kind == "profile":
        profile = load_profile(str(path))
        return [f"{path}: valid profile {profile.name!r} ({len(profile.enabled())} rules enabled)"]
    config = parse_config(document)
    lines = [f"{path}: valid tfgate.yaml"]
    referenced = {
        *config.default_profiles,
        *(name for target in config.accounts.values() for name in target.profiles),
        *(name for target in config.workspaces.values() for name in target.profiles),
        *(name for target in config.paths.values() for name in target.profiles),
    }
    for name in sorted(referenced):
        profile = load_profile(name, relative_to=config.directory)
        origin = "built-in" if is_builtin_name(name) else str(profile.source)
        lines.append(f"  profile {profile.name!r} ({origin}): valid")
    if config.waivers is not None:
        waivers = parse_waivers(load_yaml(config.waivers, ConfigError))
        lines.append(f"  waivers {config.waivers}: valid ({len(waivers)} waivers)")
    return lines
