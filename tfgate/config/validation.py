"""`tfgate validate`, and the whole-configuration check `tfgate check` runs before judging.

Every problem is collected, not only the first: a schema violation, a profile name in any
mapping that does not exist, a profile file that does not load, a waivers file that is missing
or wrong, a glob that cannot mean what it says. Waivers that are expired, or longer than the
`max_waiver_days` of a profile that applies to their account, are warnings: `check` reports
them and does not apply them, and a configuration holding them is still valid.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tfgate.config.profiles import Profile, is_builtin_name, load_profile
from tfgate.config.selection import Config, parse_config
from tfgate.config.waivers import Waiver, entry_problems, parse_waivers, unwrap
from tfgate.config.yamlfile import KeyPath, YamlDocument, load_yaml, schema_errors
from tfgate.errors import ConfigError, TfgateError
from tfgate.filekinds import looks_like, wrong_kind
from tfgate.wording import plural

_POINTER = re.compile(r"^(?:line (\d+)(?:, column \d+)?)?(?:, )?(?:key (.*))?$")


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with a configuration file, at a line and key."""

    source: str
    line: int
    key: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        level = "warning: " if self.warning else ""
        return f"{self.source}:{self.line}: {self.key}: {level}{self.message}"


def _at(
    document: YamlDocument, key_path: KeyPath, message: str, *, warning: bool = False
) -> Problem:
    key = "/".join(str(part) for part in key_path) or "(top level)"
    return Problem(str(document.path), document.line_of(key_path) or 1, key, message, warning)


def _from_error(error: TfgateError, fallback: str) -> Problem:
    """A raised error as a problem: its file, and the line and key its pointer names."""
    match = _POINTER.match(error.pointer or "")
    line = int(match.group(1)) if match and match.group(1) else 1
    key = (match.group(2) if match else None) or "(file)"
    return Problem(error.source or fallback, line, key, error.message)


def problems_in(path: Path, *, today: datetime.date | None = None) -> list[Problem]:
    """Every problem in one tfgate.yaml, profile or waivers file and what it references."""
    try:
        document = load_yaml(path, ConfigError)
    except TfgateError as error:
        return [_from_error(error, str(path))]
    if document.data is None:
        return [Problem(str(path), 1, "(file)", "the file is empty")]
    kind = looks_like(document.data)
    if kind == "waivers":
        return sorted(_waiver_problems(document, {}, (), today or datetime.date.today()))
    if kind == "profile":
        return sorted(_profile_problems(str(path), None, _at(document, (), "")))
    if kind == "config":
        return sorted(config_problems(document, today=today or datetime.date.today()))
    message = wrong_kind(document.data, "config") or (
        "not a tfgate.yaml, profile or waivers file (no known top-level keys)"
    )
    return [Problem(str(path), 1, "(file)", message)]


def config_problems(document: YamlDocument, *, today: datetime.date) -> list[Problem]:
    """Everything wrong with a tfgate.yaml and the profiles and waivers it names."""
    schema = [
        _at(document, key_path, message) for key_path, message in schema_errors(document, "config")
    ]
    if schema:
        return schema
    config = parse_config(document)
    problems: list[Problem] = []
    profiles: dict[str, Profile] = {}
    for key_path, reference in _references(document):
        where = _at(document, key_path, "")
        problems += _profile_problems(reference, config.directory, where, profiles)
    for section in ("workspaces", "paths"):
        for pattern in document.data.get(section) or {}:
            problems += [
                _at(document, (section, pattern), message) for message in glob_problems(pattern)
            ]
    if config.waivers is not None:
        problems += _waivers_of(document, config, profiles, today)
    return problems


def _references(document: YamlDocument) -> Iterator[tuple[KeyPath, str]]:
    """Every profile reference in a tfgate.yaml, with its key path."""
    data = document.data
    default = data.get("default_profile")
    if isinstance(default, str):
        yield ("default_profile",), default
    elif isinstance(default, list):
        yield from ((("default_profile", position), name) for position, name in enumerate(default))
    for section in ("accounts", "workspaces", "paths"):
        for key, target in (data.get(section) or {}).items():
            for position, name in enumerate(target["profiles"]):
                yield (section, key, "profiles", position), name


def _profile_problems(
    reference: str,
    relative_to: Path | None,
    where: Problem,
    loaded: dict[str, Profile] | None = None,
) -> list[Problem]:
    """Load one profile; a failure is a problem at the reference (a name that does not exist)
    or in the profile's own file (a profile that does not load)."""
    try:
        profile = load_profile(reference, relative_to=relative_to)
    except TfgateError as error:
        if error.source is None:
            return [Problem(where.source, where.line, where.key, error.message)]
        if error.message == "file not found" and where.key != "(top level)":
            message = f"profile file {error.source} not found"
            return [Problem(where.source, where.line, where.key, message)]
        return [_from_error(error, where.source)]
    if loaded is not None:
        loaded[reference] = profile
    return []


def _waivers_of(
    document: YamlDocument, config: Config, profiles: dict[str, Profile], today: datetime.date
) -> list[Problem]:
    assert config.waivers is not None
    try:
        waivers = load_yaml(config.waivers, ConfigError)
    except TfgateError as error:
        if error.message == "file not found":
            return [_at(document, ("waivers",), f"waivers file {config.waivers} not found")]
        return [_from_error(error, str(config.waivers))]
    caps = {account: _cap(profiles, target.profiles) for account, target in config.accounts.items()}
    return list(
        _waiver_problems(
            waivers, caps, _cap(profiles, profiles), today, _cap(profiles, config.default_profiles)
        )
    )


def _cap(profiles: dict[str, Profile], names: Iterable[str]) -> tuple[int, ...]:
    """The `max_waiver_days` of the named profiles that set one."""
    caps: list[int] = []
    for name in names:
        days = profiles[name].max_waiver_days if name in profiles else None
        if days:
            caps.append(days)
    return tuple(caps)


def _waiver_problems(
    document: YamlDocument,
    caps: dict[str, tuple[int, ...]],
    everywhere: tuple[int, ...],
    today: datetime.date,
    unmapped: tuple[int, ...] = (),
) -> Iterator[Problem]:
    """Errors in a waivers file, then warnings for waivers `check` would not apply.

    A waiver scoped to an account is held to the caps of that account's profiles (the default
    profiles' for an unmapped account); an unscoped one, to the caps of every profile."""
    if document.data is None:
        return
    mistaken = wrong_kind(document.data, "waivers")
    if mistaken:
        yield _at(document, (), mistaken)
        return
    document = unwrap(document)
    errors = [_at(document, path, message) for path, message in schema_errors(document, "waivers")]
    if not errors:
        errors = [
            _at(document, key_path, message) for key_path, message in entry_problems(document)
        ]
    if errors:
        yield from errors
        return
    for position, waiver in enumerate(parse_waivers(document)):
        limits = everywhere if waiver.account is None else caps.get(waiver.account, unmapped)
        yield from _lifetime(document, position, waiver, limits, today)


def _lifetime(
    document: YamlDocument,
    position: int,
    waiver: Waiver,
    caps: tuple[int, ...],
    today: datetime.date,
) -> Iterator[Problem]:
    where = (position, "expires")
    if waiver.expires < today:
        yield _at(
            document,
            where,
            f"expired on {waiver.expires.isoformat()}; it no longer applies",
            warning=True,
        )
    elif caps and (waiver.expires - today).days > min(caps):
        yield _at(
            document,
            where,
            f"expires in {(waiver.expires - today).days} days, beyond the {min(caps)}-day limit "
            "(max_waiver_days) of a profile that applies to it; it does not apply",
            warning=True,
        )


def glob_problems(pattern: str) -> list[str]:
    """Why a workspace or path glob cannot mean what it says (empty when it is fine)."""
    problems: list[str] = []
    if not pattern.strip("/"):
        problems.append("the glob is empty and matches nothing")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in pattern):
        problems.append("the glob holds a control character")
    if "***" in pattern:
        problems.append("the glob holds `***`: use `*` within a directory or `**` across them")
    for segment in pattern.split("/"):
        if "**" in segment and segment != "**" and "***" not in segment:
            problems.append("`**` must be a whole path segment (`a/**/b`), not part of a name")
            break
    return problems


def check_config(path: Path, *, today: datetime.date | None = None) -> None:
    """Raise on the first error in the whole configuration (warnings are left to the report)."""
    errors = [problem for problem in problems_in(path, today=today) if not problem.warning]
    if errors:
        first = errors[0]
        pointer = None if first.key == "(file)" else f"line {first.line}, key {first.key}"
        raise ConfigError(first.message, source=first.source, pointer=pointer)


def validate_files(paths: Iterable[Path]) -> list[Problem]:
    """Every problem in every file, sorted, each once."""
    return sorted({problem for path in paths for problem in problems_in(path)})


def valid_lines(path: Path) -> list[str]:
    """What `tfgate validate` prints for a file with no error."""
    document = load_yaml(path, ConfigError)
    kind = looks_like(document.data)
    if kind == "waivers":
        return [f"{path}: valid waivers file ({plural(len(parse_waivers(document)), 'waiver')})"]
    if kind == "profile":
        profile = load_profile(str(path))
        enabled = plural(len(profile.enabled()), "rule")
        return [f"{path}: valid profile {profile.name!r} ({enabled} enabled)"]
    config = parse_config(document)
    lines = [f"{path}: valid tfgate.yaml"]
    for name in sorted({name for _, name in _references(document)}):
        profile = load_profile(name, relative_to=config.directory)
        origin = "built-in" if is_builtin_name(name) else str(profile.source)
        lines.append(f"  profile {profile.name!r} ({origin}): valid")
    if config.waivers is not None:
        count = len(parse_waivers(load_yaml(config.waivers, ConfigError)))
        lines.append(f"  waivers {config.waivers}: valid ({plural(count, 'waiver')})")
    return lines
