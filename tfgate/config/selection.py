"""tfgate.yaml: which profiles apply to a plan, by account, workspace or path.

Precedence: `--profile` on the command line, then the plan's AWS account(s), then the Terraform
workspace, then the path of the plan (or working directory), then `default_profile`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfgate.config.globs import path_matches
from tfgate.config.yamlfile import YamlDocument, load_yaml, validate
from tfgate.errors import ConfigError
from tfgate.filekinds import wrong_kind
from tfgate.plan.model import Plan

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
    """The AWS accounts a plan touches and how they were determined.

    `disagreement` is empty when every piece of evidence names the same account(s); otherwise
    it says how the evidence disagrees, and selection then takes the union of every candidate's
    profiles and the default (the plan's author writes the evidence, so it may only make the
    gate stricter).
    """

    ids: tuple[str, ...]
    method: str
    disagreement: str = ""
    observed: tuple[str, ...] = ()
    """The accounts named by evidence Terraform itself produced with the real credentials (a
    caller identity read at plan time, ARNs of existing resources), which no unused provider
    block can add to."""


@dataclass(frozen=True, slots=True)
class Selection:
    """Which profiles apply, and why, in words an auditor can read."""

    profiles: tuple[str, ...]
    accounts: Accounts
    reason: str

    @property
    def waiver_accounts(self) -> tuple[str, ...]:
        """The accounts an account-scoped waiver may match: none when the evidence disagrees,
        so a waiver for one candidate account never covers a plan that may be another's."""
        return () if self.accounts.disagreement else self.accounts.ids

    @property
    def own_accounts(self) -> tuple[str, ...]:
        """The plan's own accounts for the rules (cross-account trust): when the evidence
        disagrees, only the observed ones, so an alias naming another account cannot make
        trusting that account look like trusting one's own."""
        return self.accounts.observed if self.accounts.disagreement else self.accounts.ids


def find_config(directory: Path) -> Path | None:
    """The configuration file in `directory` itself, under the first name that exists."""
    for name in CONFIG_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def repository_of(path: Path) -> Path | None:
    """The root of the repository holding `path` (the directory with `.git`), if any."""
    start = path.resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def search_boundary(start: Path, home: Path | None = None) -> Path:
    """The highest directory discovery may look in: the repository root (the directory holding
    `.git`, a directory or a file) above `start`; without a repository, the user's home when
    `start` is inside it, else `start` itself. Discovery never reads above it."""
    start = start.resolve()
    repository = repository_of(start)
    if repository is not None:
        return repository
    home = (home or Path.home()).resolve()
    if start == home or home in start.parents:
        return home
    return start


def discover_config(start: Path, home: Path | None = None) -> Path | None:
    """The first configuration file from `start` up to `search_boundary(start)`."""
    start = start.resolve()
    boundary = search_boundary(start, home)
    for directory in (start, *start.parents):
        found = find_config(directory)
        if found is not None or directory == boundary:
            return found
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
    mistaken = wrong_kind(document.data, "config")
    if mistaken:
        raise ConfigError(mistaken, source=str(document.path))
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


@dataclass(frozen=True, slots=True)
class _ProviderEvidence:
    """What one AWS provider block says about its account."""

    key: str
    assumed: frozenset[str]
    allowed: frozenset[str]
    unresolved: bool

    @property
    def accounts(self) -> frozenset[str]:
        return self.assumed | self.allowed


def _provider_evidence(plan: Plan) -> list[_ProviderEvidence]:
    found: list[_ProviderEvidence] = []
    for key in sorted(plan.providers):
        provider = plan.providers[key]
        if provider.name != "aws":
            continue
        root = not provider.module_address
        unresolved = False
        allowed: set[str] = set()
        expression = provider.expressions.get("allowed_account_ids")
        ids = _value(expression, plan, root)
        if isinstance(ids, list):
            allowed.update(str(item) for item in ids if ACCOUNT_ID.match(str(item)))
        elif expression is not None:
            unresolved = True
        assumed: set[str] = set()
        for block in _blocks(provider.expressions.get("assume_role")):
            role = _value(block.get("role_arn"), plan, root)
            match = ARN_ACCOUNT.match(role) if isinstance(role, str) else None
            if match:
                assumed.add(match.group(1))
            else:
                unresolved = True
        found.append(_ProviderEvidence(key, frozenset(assumed), frozenset(allowed), unresolved))
    return found


def _existing_arn_accounts(plan: Plan) -> frozenset[str]:
    seen: set[str] = set()
    for resource in plan.resources:
        arn = resource.before.value("arn")
        match = ARN_ACCOUNT.match(arn) if isinstance(arn, str) else None
        if match:
            seen.add(match.group(1))
    return frozenset(seen)


def detect_accounts(plan: Plan) -> Accounts:
    """The plan's AWS account(s) from every piece of evidence the plan holds.

    The evidence: `data.aws_caller_identity` read at plan time, each AWS provider's
    `assume_role` role ARN and `allowed_account_ids`, and the accounts in the ARNs of existing
    resources. All of it is written or chosen by the plan's author (an unused provider alias is
    never configured by Terraform, so it can name any account), so the candidates are the union
    of everything, and the evidence disagrees when there are several candidates, or when some
    AWS provider names no account while another names one.
    """
    caller = caller_accounts(plan)
    providers = _provider_evidence(plan)
    existing = _existing_arn_accounts(plan)
    methods: list[str] = []
    if caller:
        methods.append("data.aws_caller_identity in the plan's prior state")
    if any(provider.assumed for provider in providers):
        methods.append("the AWS provider's assume_role role_arn")
    if any(provider.allowed for provider in providers):
        methods.append("the AWS provider's allowed_account_ids")
    if existing:
        methods.append("account ids in the ARNs of existing resources")
    candidates = sorted(caller.union(existing, *(provider.accounts for provider in providers)))
    if not candidates:
        return Accounts((), "undetermined")
    problems: list[str] = []
    if len(candidates) > 1:
        problems.append(f"several accounts ({', '.join(candidates)})")
    for provider in providers:
        if provider.assumed and provider.allowed and provider.assumed != provider.allowed:
            problems.append(f"provider {provider.key}: assume_role and allowed_account_ids differ")
    named = [provider for provider in providers if provider.accounts]
    silent = [
        provider.key
        for provider in providers
        if named and (provider.unresolved or not provider.accounts)
    ]
    if silent:
        problems.append(f"provider {', '.join(silent)} names no account the plan shows")
    observed = tuple(sorted(caller | existing))
    return Accounts(tuple(candidates), "; ".join(methods), "; ".join(problems), observed)


def _data_type(address: str) -> str:
    parts = address.split(".")
    for position, part in enumerate(parts[:-1]):
        if part == "data":
            return parts[position + 1]
    return ""


def _value(expression: Any, plan: Plan, root: bool) -> Any:
    """A provider argument's value: a constant, or a root variable the plan records."""
    if not isinstance(expression, dict):
        return None
    if "constant_value" in expression:
        return expression["constant_value"]
    references = expression.get("references")
    if root and isinstance(references, list) and len(references) == 1:
        name = str(references[0])
        if name.startswith("var.") and "." not in name[4:]:
            return plan.variables.get(name[4:])
    return None


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
    names = ", ".join(config.accounts[acct].name or acct for acct in mapped)
    mapped_profiles = [config.accounts[acct].profiles for acct in mapped]
    if accounts.disagreement:
        fallback, why = _fallback(
            config, workspace, location, undetermined=False, strict=not mapped
        )
        reasons = [f"account {names}"] if mapped else []
        if fallback and why != "default_profile":
            reasons.append(why)
        if config.default_profiles:
            reasons.append("default_profile")
        return Selection(
            _union([*mapped_profiles, fallback, config.default_profiles]),
            accounts,
            f"the account evidence disagrees ({accounts.disagreement}): the union of every "
            f"candidate's profiles and the default applies ({', '.join(reasons)}), and "
            "account-scoped waivers do not",
        )
    if mapped and not unmapped:
        return Selection(_union(mapped_profiles), accounts, f"account {names}")
    fallback, why = _fallback(config, workspace, location, undetermined=not accounts.ids)
    if mapped:
        profiles = _union([*mapped_profiles, fallback])
        why = f"account {names}, and {why} for unmapped account {', '.join(unmapped)}"
        return Selection(profiles, accounts, why)
    return Selection(fallback, accounts, why)


def _fallback(
    config: Config,
    workspace: str | None,
    location: str | None,
    *,
    undetermined: bool,
    strict: bool = True,
) -> tuple[tuple[str, ...], str]:
    """The workspace, path or default mapping; with `strict`, having none is an error."""
    if workspace:
        for pattern, target in config.workspaces.items():
            if path_matches(pattern, workspace):
                return target.profiles, f"workspace {workspace!r}"
    if location:
        for pattern, target in config.paths.items():
            if path_matches(pattern, location):
                return target.profiles, f"path {pattern!r}"
    if not config.default_profiles and not strict:
        return (), ""
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
