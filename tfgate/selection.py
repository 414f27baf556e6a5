"""tfgate.yaml: which profiles apply to a plan, by account, workspace or path.

Precedence: `--profile` on the command line, then the plan's AWS account(s), then the Terraform
workspace, then the path of the plan (or working directory), then `default_profile`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfgate.errors import ConfigError
from tfgate.globs import path_matches
from tfgate.plan.model import Plan
from tfgate.yamlfile import YamlDocument, load_yaml, validate

CONFIG_NAMES = ("tfgate.yaml", "tfgate.yml", ".tfgate.yaml", ".tfgate.yml")
ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
ARN_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12}):")


@dataclass(frozen=True, slots=True)
class Target:
    profiles: tuple[str, ...]
    name: str = ""


@dataclass(frozen=True, slots=True)
class Config:
    """A validated tfgate.yaml."""

    source: Path
    default_profiles: tuple[str, ...]
    accounts: Mapping[str, Target]
    workspaces: Mapping[str, Target]
    paths: Mapping[str, Target]
    waivers: Path | None

    @property
    def directory(self) -> Path:
        return self.source.parent


@dataclass(frozen=True, slots=True)
class Accounts:
    """The AWS accounts a plan touches and how they were determined."""

    ids: tuple[str, ...]
    method: str


@dataclass(frozen=True, slots=True)
class Selection:
    """Which profiles apply, and why, in words an auditor can read."""

    profiles: tuple[str, ...]
    accounts: Accounts
    reason: str


def find_config(directory: Path) -> Path | None:
    for name in CONFIG_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def _targets(raw: Any) -> dict[str, Target]:
    if not isinstance(raw, dict):
        return {}
    return {
        str(key): Target(tuple(value["profiles"]), str(value.get("name", "")))
        for key, value in raw.items()
    }


def parse_config(document: YamlDocument) -> Config:
    if document.data is None:
        raise ConfigError("the file is empty", source=str(document.path))
    if not isinstance(document.data, dict):
        raise ConfigError("tfgate.yaml must be a YAML mapping", source=str(document.path))
    validate(document, "config", ConfigError)
    data = document.data
    default = data.get("default_profile", ())
    defaults = (default,) if isinstance(default, str) else tuple(default)
    waivers = data.get("waivers")
    return Config(
        source=document.path,
        default_profiles=defaults,
        accounts=_targets(data.get("accounts")),
        workspaces=_targets(data.get("workspaces")),
        paths=_targets(data.get("paths")),
        waivers=(document.path.parent / waivers) if isinstance(waivers, str) else None,
    )


def load_config(path: Path) -> Config:
    return parse_config(load_yaml(path, ConfigError))


def caller_accounts(plan: Plan) -> frozenset[str]:
    """Accounts named by `data.aws_caller_identity` read at plan time (the strongest evidence)."""
    return frozenset(
        str(values.get("account_id"))
        for address, values in plan.data_sources.items()
        if _data_type(address) == "aws_caller_identity"
        and ACCOUNT_ID.match(str(values.get("account_id", "")))
    )


def detect_accounts(plan: Plan) -> Accounts:
    """The plan's AWS account(s), from the strongest evidence the plan holds."""
    caller = sorted(caller_accounts(plan))
    if caller:
        return Accounts(tuple(caller), "data.aws_caller_identity in the plan's prior state")
    allowed: set[str] = set()
    assumed: set[str] = set()
    for provider in plan.providers.values():
        if provider.name != "aws":
            continue
        ids = _constant(provider.expressions.get("allowed_account_ids"))
        if isinstance(ids, list):
            allowed.update(str(item) for item in ids if ACCOUNT_ID.match(str(item)))
        for block in _blocks(provider.expressions.get("assume_role")):
            role = _constant(block.get("role_arn"))
            match = ARN_ACCOUNT.match(role) if isinstance(role, str) else None
            if match:
                assumed.add(match.group(1))
    if assumed:
        return Accounts(tuple(sorted(assumed)), "the AWS provider's assume_role role_arn")
    if allowed:
        return Accounts(tuple(sorted(allowed)), "the AWS provider's allowed_account_ids")
    seen: Counter[str] = Counter()
    for resource in plan.resources:
        arn = resource.before.value("arn")
        match = ARN_ACCOUNT.match(arn) if isinstance(arn, str) else None
        if match:
            seen[match.group(1)] += 1
    if seen:
        return Accounts(tuple(sorted(seen)), "account ids in the ARNs of existing resources")
    return Accounts((), "undetermined")


def _data_type(address: str) -> str:
    parts = address.split(".")
    for position, part in enumerate(parts[:-1]):
        if part == "data":
            return parts[position + 1]
    return ""


def _constant(expression: Any) -> Any:
    return expression.get("constant_value") if isinstance(expression, dict) else None


def _blocks(expression: Any) -> Iterable[Mapping[str, Any]]:
    if isinstance(expression, list):
        return [item for item in expression if isinstance(item, dict)]
    if isinstance(expression, dict):
        return [expression]
    return []


def select(
    config: Config | None,
    plan: Plan,
    *,
    cli_profiles: Sequence[str] = (),
    account: str | None = None,
    workspace: str | None = None,
    location: str | None = None,
) -> Selection:
    """Decide which profiles apply to `plan`; `location` is the plan path relative to the config."""
    accounts = Accounts((account,), "--account") if account else detect_accounts(plan)
    if cli_profiles:
        return Selection(tuple(cli_profiles), accounts, "--profile on the command line")
    if config is None:
        return Selection(("baseline",), accounts, "no tfgate.yaml: the baseline profile")
    mapped = [acct for acct in accounts.ids if acct in config.accounts]
    unmapped = [acct for acct in accounts.ids if acct not in config.accounts]
    if mapped and not unmapped:
        names = ", ".join(config.accounts[acct].name or acct for acct in mapped)
        profiles = _union(config.accounts[acct].profiles for acct in mapped)
        return Selection(profiles, accounts, f"account {names}")
    fallback, why = _fallback(config, workspace, location, undetermined=not accounts.ids)
    if mapped:
        names = ", ".join(config.accounts[acct].name or acct for acct in mapped)
        profiles = _union([*(config.accounts[acct].profiles for acct in mapped), fallback])
        why = f"account {names}, and {why} for unmapped account {', '.join(unmapped)}"
        return Selection(profiles, accounts, why)
    return Selection(fallback, accounts, why)


def _fallback(
    config: Config, workspace: str | None, location: str | None, *, undetermined: bool
) -> tuple[tuple[str, ...], str]:
    if workspace:
        for pattern, target in config.workspaces.items():
            if path_matches(pattern, workspace):
                return target.profiles, f"workspace {workspace!r}"
    if location:
        for pattern, target in config.paths.items():
            if path_matches(pattern, location):
                return target.profiles, f"path {pattern!r}"
    if not config.default_profiles:
        raise ConfigError(
            "no account, workspace or path mapping matches this plan and there is no "
            "default_profile",
            source=str(config.source),
        )
    if undetermined:
        return config.default_profiles, (
            "default_profile (the plan's AWS account could not be determined)"
        )
    return config.default_profiles, "default_profile"


def _union(groups: Iterable[Sequence[str]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for group in groups for name in group))
