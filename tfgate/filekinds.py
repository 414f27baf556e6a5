"""Tell tfgate's kinds of file apart by their shape, so a file passed where another kind belongs
gets an error that says what it looks like and where it goes."""

from __future__ import annotations

from typing import Any

CONFIG_KEYS = frozenset({"default_profile", "accounts", "workspaces", "paths", "waivers"})
PLAN_KEYS = frozenset({"resource_changes", "planned_values", "prior_state", "configuration"})

# Each kind, and how to pass a file of that kind.
WHERE = {
    "config": ("a tfgate.yaml", "pass it with --config"),
    "profile": ("a profile", "pass it with --profile"),
    "waivers": ("a waivers file", "pass it with --waivers or name it in tfgate.yaml's waivers"),
    "plan": ("a Terraform plan", "pass it to `tfgate check` as an argument"),
}


def looks_like(data: Any) -> str | None:
    """`config`, `profile`, `waivers` or `plan` when `data` has that kind's shape, else None."""
    if isinstance(data, list):
        return "waivers"
    if not isinstance(data, dict):
        return None
    keys = set(data)
    if "format_version" in keys and keys & PLAN_KEYS:
        return "plan"
    if keys == {"waivers"} and not isinstance(data["waivers"], str):
        return "waivers"
    if "name" in keys:
        return "profile"
    if keys & CONFIG_KEYS:
        return "config"
    return None


def wrong_kind(data: Any, expected: str) -> str | None:
    """The error message when `data` is clearly another kind of file than `expected`."""
    kind = looks_like(data)
    if kind is None or kind == expected:
        return None
    what, how = WHERE[kind]
    return f"this looks like {what}, not {WHERE[expected][0]}: {how}"
