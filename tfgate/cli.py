"""The command line: every read, write and exit code lives here."""

from __future__ import annotations

import dataclasses
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer

from tfgate import __version__
from tfgate.errors import PlanError, TfgateError
from tfgate.limits import MAX_PLAN_BYTES, describe_size, parse_size
from tfgate.plan.load import CONVERT_HINT, is_binary_plan, load_plan
from tfgate.plan.model import Plan
from tfgate.report import Report, Result

if TYPE_CHECKING:
    from tfgate.hclpolicy import PolicySources

ACCOUNT_ID = re.compile(r"^[0-9]{12}$")

EXIT_PASS = 0
EXIT_BLOCK = 1
EXIT_ERROR = 2

app = typer.Typer(
    name="tfgate",
    help="A compliance gate for Terraform plans on AWS.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

T = TypeVar("T")


FORMAT_NAMES = ("text", "json", "sarif", "markdown", "github", "junit", "gitlab")


@dataclasses.dataclass(frozen=True, slots=True)
class FormatRequest:
    """One `--format NAME[=PATH]`: a format and where it goes (None: stdout)."""

    name: str
    path: Path | None


def parse_format_requests(specs: list[str], output: Path | None) -> list[FormatRequest]:
    """Check `--format` and `--output` before judging: known names, one stdout at most."""
    requests: list[FormatRequest] = []
    for spec in specs or ["text"]:
        name, has_path, path = spec.partition("=")
        name = name.strip().lower()
        if name not in FORMAT_NAMES:
            _fail(f"unknown format {name!r}; choose from {', '.join(FORMAT_NAMES)}")
        if has_path and not path:
            _fail(f"--format {name}= needs a path after '='")
        requests.append(FormatRequest(name, Path(path) if has_path else None))
    unplaced = [position for position, request in enumerate(requests) if request.path is None]
    if len(unplaced) > 1:
        _fail("at most one --format may be given without =PATH (it goes to stdout or --output)")
    if output is not None:
        if not unplaced:
            _fail("--output applies to the --format given without =PATH, and there is none")
        requests[unplaced[0]] = FormatRequest(requests[unplaced[0]].name, output)
    return requests


def render_format(request: FormatRequest, report: Report) -> str:
    from tfgate.formats import FORMATS
    from tfgate.formats import text as text_format

    if request.name == "text":
        return text_format.render(report, color=request.path is None and _use_color())
    return FORMATS[request.name](report)


def repository_root() -> Path:
    """Where SARIF and annotation paths are relative to: $GITHUB_WORKSPACE, else the git root."""
    from tfgate.config.selection import repository_of

    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace and Path(workspace).is_dir():
        return Path(workspace).resolve()
    return repository_of(Path.cwd()) or Path.cwd().resolve()


def attach_locations(
    report: Report,
    plan_name: str,
    module_sources: Mapping[tuple[str, ...], str],
    source_dir: Path | None,
    *,
    debug: bool = False,
) -> Report:
    """Set each finding's `location` to its resource block's .tf file and line, else to the
    module call or the root module's first file, where found (relative to the repository root).

    `report` is the judgement of the one plan read from `plan_name` (`-` for stdin), whose
    module calls have `module_sources`. A failure here never decides the gate: the findings keep
    no location and a note says why.
    """
    from tfgate.source import SourceMap, locate_findings, source_map_for_plan

    base = repository_root()
    try:
        if plan_name == "-":
            root = (source_dir or Path.cwd()).resolve()
            source_map = SourceMap(root=root, sources=module_sources, base=base)
        else:
            source_map = source_map_for_plan(Path(plan_name), source_dir, base, module_sources)
        findings = locate_findings(report.findings, source_map)
    except Exception as error:
        if debug:
            raise
        note = f"source locations unavailable ({type(error).__name__})"
        return dataclasses.replace(report, notes=(*report.notes, note))
    return dataclasses.replace(report, findings=findings)


def policy_sources(plan_name: str, plan: Plan, source_dir: Path | None) -> PolicySources:
    """The Terraform source of a plan's root module: `--source-dir`, else the plan's directory
    (the working directory for a plan read from stdin)."""
    from tfgate.hclpolicy import PolicySources

    if source_dir is not None:
        root = source_dir
    else:
        root = Path.cwd() if plan_name == "-" else Path(plan_name).parent
    return PolicySources(root.absolute(), plan)


def _fail(message: str) -> NoReturn:
    from tfgate.redact import outgoing

    typer.echo(f"tfgate: error: {outgoing(message)}", err=True)
    raise typer.Exit(EXIT_ERROR)


def _debug_fail(error: BaseException) -> NoReturn:
    """`--debug`: the traceback, each line through the same redaction as every other output."""
    import traceback

    from tfgate.redact import outgoing

    for chunk in traceback.format_exception(error):
        for line in chunk.splitlines():
            typer.echo(outgoing(line), err=True)
    raise typer.Exit(EXIT_ERROR)


def _guard(debug: bool, action: Callable[[], T]) -> T:
    """Turn every failure into one line on stderr and exit 2; `--debug` shows the traceback."""
    try:
        return action()
    except typer.Exit:
        raise
    except TfgateError as error:
        if debug:
            _debug_fail(error)
        _fail(str(error))
    except Exception as error:
        if debug:
            _debug_fail(error)
        _fail(f"internal error ({type(error).__name__}); run again with --debug for details")
    except KeyboardInterrupt:
        _fail("interrupted before the judgement was complete")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tfgate {__version__}")
        raise typer.Exit(EXIT_PASS)


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """A compliance gate for Terraform plans on AWS."""


def _too_large(limit: int) -> str:
    return (
        f"plan is larger than {describe_size(limit)}, the limit; raise it with "
        "--max-plan-size or TFGATE_MAX_PLAN_BYTES if this plan is genuine"
    )


def _read_plan_bytes(name: str, limit: int = MAX_PLAN_BYTES) -> tuple[bytes, str]:
    """The plan's bytes, never more than `limit`: a regular file is measured before it is read,
    and anything else (stdin, a pipe, a device) is read at most one byte past the limit."""
    if name == "-":
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise PlanError(_too_large(limit), source="<stdin>")
        return data, "<stdin>"
    path = Path(name)
    try:
        with path.open("rb") as stream:
            if os.fstat(stream.fileno()).st_size > limit:
                raise PlanError(_too_large(limit), source=name)
            data = stream.read(limit + 1)
    except FileNotFoundError as error:
        raise PlanError("file not found", source=name) from error
    except IsADirectoryError as error:
        raise PlanError("is a directory, expected a plan file", source=name) from error
    except OSError as error:
        raise PlanError(f"cannot read file ({error.strerror})", source=name) from error
    if len(data) > limit:
        raise PlanError(_too_large(limit), source=name)
    return data, name


def _show_binary_plan(name: str) -> bytes:
    terraform = shutil.which("terraform")
    if terraform is None:
        raise PlanError(
            "this is a binary plan file and terraform is not on PATH; convert it with "
            f"`{CONVERT_HINT}`",
            source=name,
        )
    path = Path(name).resolve()
    try:
        completed = subprocess.run(
            [terraform, "show", "-json", str(path)],
            cwd=path.parent,
            capture_output=True,
            check=False,
            timeout=600,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PlanError(
            f"could not run `terraform show -json` on this binary plan ({type(error).__name__})",
            source=name,
        ) from error
    if completed.returncode != 0:
        raise PlanError(
            f"`terraform show -json` failed on this binary plan (exit {completed.returncode}); run "
            f"`{CONVERT_HINT}` in the directory where the plan was made",
            source=name,
        )
    return completed.stdout


def read_plan(name: str, max_bytes: int = MAX_PLAN_BYTES) -> Plan:
    data, source = _read_plan_bytes(name, max_bytes)
    if is_binary_plan(data):
        if name == "-":
            raise PlanError(
                f"this is a binary plan file; convert it with `{CONVERT_HINT}`", source=source
            )
        data = _show_binary_plan(name)
        if len(data) > max_bytes:
            raise PlanError(_too_large(max_bytes), source=source)
    try:
        return load_plan(data, source)
    except PlanError as error:
        mistaken = None if name == "-" else _configuration_kind(Path(name))
        if mistaken is None:
            raise
        raise PlanError(mistaken, source=source) from error


def _configuration_kind(path: Path) -> str | None:
    """What a file given as a plan is instead, when it is tfgate configuration (read with the
    YAML loader's limits)."""
    from tfgate.config.yamlfile import load_yaml
    from tfgate.filekinds import wrong_kind

    try:
        document = load_yaml(path, PlanError)
    except TfgateError:
        return None
    return wrong_kind(document.data, "plan")


def max_plan_bytes(option: str | None) -> int:
    """The plan size limit: `--max-plan-size`, else `TFGATE_MAX_PLAN_BYTES`, else the default."""
    for origin, value in (
        ("--max-plan-size", option),
        ("TFGATE_MAX_PLAN_BYTES", os.environ.get("TFGATE_MAX_PLAN_BYTES")),
    ):
        if value:
            try:
                return parse_size(value)
            except ValueError as error:
                raise TfgateError(f"{origin}: {error}") from error
    return MAX_PLAN_BYTES


def _use_color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def exit_code(report: Report) -> int:
    return {Result.PASS: EXIT_PASS, Result.BLOCK: EXIT_BLOCK, Result.ERROR: EXIT_ERROR}[
        report.result
    ]


def _write(output: Path | None, text: str) -> None:
    """Write to stdout, or atomically to `output`: a temporary file beside it, then a rename.

    If anything goes wrong (a full disk, a signal), the temporary file is removed, the previous
    `output` is left untouched, and the error becomes exit 2: a half-written report never stands.
    """
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    temporary: Path | None = None
    try:
        descriptor, name = tempfile.mkstemp(
            prefix=f".{output.name}.", suffix=".tmp", dir=output.parent
        )
        temporary = Path(name)
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, _new_file_mode())
        temporary.replace(output)
        temporary = None
    except OSError as error:
        raise TfgateError(f"cannot write output ({error.strerror})", source=str(output)) from error
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def _new_file_mode() -> int:
    """The mode a plain `open(path, "w")` would give: 0o666 less the umask."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def judge_plans(
    plans: list[str],
    *,
    cli_profiles: list[str],
    config_path: Path | None,
    waivers_path: Path | None,
    account: str | None,
    workspace: str | None,
    no_config: bool = False,
    config_root: Path | None = None,
    today: datetime.date | None = None,
    max_bytes: int = MAX_PLAN_BYTES,
    allow_partial: bool = False,
    locate: bool = False,
    source_dir: Path | None = None,
    debug: bool = False,
) -> Report:
    """Read the configuration and plans, select profiles per plan, and judge each plan.

    With `locate`, findings point at their .tf file and line (see `attach_locations`).

    Fails closed (raises, so exit 2) on a plan marked `complete: false` unless `allow_partial`,
    and on a profile selection that enables no rule: neither may pass by judging nothing.
    """
    from tfgate.config.profiles import load_profile
    from tfgate.config.selection import load_config, select
    from tfgate.config.validation import check_config
    from tfgate.config.waivers import load_waivers
    from tfgate.engine import judge, merge
    from tfgate.errors import ConfigError, ProfileError
    from tfgate.redact import Redactor

    if account is not None and not ACCOUNT_ID.match(account):
        raise ConfigError("--account must be a 12-digit AWS account id")
    config_file, origin = configuration_file(plans, config_path, source_dir, no_config=no_config)
    if config_file is not None:
        check_config(config_file)
    config = load_config(config_file) if config_file is not None else None
    waiver_file = waivers_path or (config.waivers if config else None)
    loaded_waivers = load_waivers(waiver_file) if waiver_file is not None else ()
    base = config.directory if config else Path.cwd()
    where = _location_base(config.directory, config_root) if config else Path.cwd()
    provenance = _provenance(
        config_file, origin, waiver_file, waivers_path is not None, config_root
    )
    reports = []
    for name in plans:
        plan = read_plan(name, max_bytes)
        if not plan.complete and not allow_partial:
            raise PlanError(
                "the plan is marked incomplete (complete: false: -target or deferred changes), "
                "so tfgate cannot judge the whole change; plan again without -target, or pass "
                "--allow-partial to judge only the part the plan holds",
                source=plan.source,
            )
        selection = select(
            config,
            plan,
            cli_profiles=cli_profiles,
            account=account,
            workspace=workspace,
            location=_relative_location(name, where),
        )
        relative_to = Path.cwd() if cli_profiles else base
        profiles = [load_profile(ref, relative_to=relative_to) for ref in selection.profiles]
        if not any(profile.enabled() for profile in profiles):
            names = ", ".join(profile.name for profile in profiles) or "none"
            raise ProfileError(
                f"the applied profiles ({names}) enable no rule, so nothing would be judged; "
                "set at least one rule to block or warn"
            )
        redactor = Redactor.for_plan(plan)
        report = judge(
            plan,
            profiles,
            waivers=loaded_waivers,
            today=today or datetime.date.today(),
            accounts=selection.own_accounts,
            waiver_accounts=selection.waiver_accounts,
            redactor=redactor,
            sources=policy_sources(name, plan, source_dir),
        )
        report = dataclasses.replace(
            report,
            accounts=selection.accounts.ids,
            account_method=selection.accounts.method,
            selection=selection.reason,
            notes=(*report.notes, *filter(None, [provenance])),
        )
        if locate:
            report = attach_locations(report, name, plan.module_sources, source_dir, debug=debug)
        reports.append(redactor.report(report))  # every field, as it may leave tfgate
    return with_run_identity(merge(reports), plans, workspace)


def with_run_identity(report: Report, plans: list[str], workspace: str | None) -> Report:
    """The workspace and repository-relative plan paths that name the run (SARIF category),
    through the same outgoing gate as every other field."""
    from tfgate.redact import TextKind, outgoing
    from tfgate.source import plan_location

    base = repository_root()
    paths = tuple(outgoing(plan_location(name, base).file, TextKind.PATH) for name in plans)
    return dataclasses.replace(report, workspace=outgoing(workspace or ""), plan_paths=paths)


def configuration_file(
    plans: list[str], pinned: Path | None, source_dir: Path | None, *, no_config: bool
) -> tuple[Path | None, str]:
    """The tfgate.yaml to use and how it was chosen: `--config`, else the first one found
    walking up from `--source-dir` or each plan's directory (stdin: the working directory) to
    the repository root; `--no-config` reads none. Plans that would find different files are
    an error: one run has one configuration."""
    from tfgate.config.selection import discover_config

    if no_config:
        if pinned is not None:
            raise TfgateError("--config and --no-config contradict each other; pass one")
        return None, "--no-config"
    if pinned is not None:
        return pinned, "--config"
    if source_dir is not None:
        starts = [source_dir]
    else:
        starts = [Path.cwd() if name == "-" else Path(name).parent for name in plans]
    found: dict[Path | None, Path] = {}
    for start in dict.fromkeys(path.resolve() for path in starts):
        found.setdefault(discover_config(start), start)
    if len(found) > 1:
        listed = ", ".join(_shown(path) if path else "none" for path in found)
        raise TfgateError(f"the plans find different configuration files ({listed}); pass --config")
    (config_file,) = found
    return config_file, f"found from {_shown(found[config_file])}" if config_file else "none"


def _shown(path: Path, copy_root: Path | None = None) -> str:
    """A path as the report shows it, never an absolute machine path when it can be helped:
    relative to the copy of the repository it was read from (`--config-root`), else to the
    working directory, else to the root of the repository that holds it."""
    from tfgate.config.selection import repository_of

    roots = ((copy_root, " in --config-root"), (Path.cwd(), ""), (repository_of(path), ""))
    for root, suffix in roots:
        if root is None:
            continue
        try:
            return (path.resolve().relative_to(root.resolve()).as_posix() or ".") + suffix
        except ValueError:
            continue
    return str(path)


def _provenance(
    config_file: Path | None,
    origin: str,
    waiver_file: Path | None,
    waivers_given: bool,
    copy_root: Path | None = None,
) -> str | None:
    """One note naming the configuration and waivers read, and how each was chosen."""
    if config_file is None and waiver_file is None and origin != "--no-config":
        return None
    if config_file is None:
        text = "configuration: none read (--no-config)" if origin == "--no-config" else ""
    else:
        text = f"configuration: {_shown(config_file, copy_root)} ({origin})"
    if waiver_file is not None:
        named = "--waivers" if waivers_given else "named by the configuration"
        waivers = f"waivers: {_shown(waiver_file, copy_root)} ({named})"
        text = "; ".join(filter(None, [text, waivers]))
    return text


def _location_base(directory: Path, config_root: Path | None) -> Path:
    """Where `paths:` globs are relative to: the configuration's directory, or, for a copy of
    the repository at `config_root` (the Action reads the base branch's configuration into a
    temporary directory), the same place in the repository the working directory is in."""
    if config_root is None:
        return directory
    from tfgate.config.selection import search_boundary

    try:
        inside = directory.resolve().relative_to(config_root.resolve())
    except ValueError as error:
        raise TfgateError("--config is not inside --config-root", source=str(directory)) from error
    return search_boundary(Path.cwd()) / inside


def _relative_location(name: str, base: Path) -> str | None:
    if name == "-":
        return None
    path = Path(name).resolve()
    try:
        return path.relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


@app.command()
def check(
    plans: Annotated[
        list[str],
        typer.Argument(
            help="Plan files: `terraform show -json` output, a binary plan, or - for stdin."
        ),
    ],
    profile: Annotated[
        list[str] | None,
        typer.Option(
            "--profile", "-p", help="Built-in profile name or path to a profile YAML (repeatable)."
        ),
    ] = None,
    output_format: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            metavar="NAME[=PATH]",
            help=(
                f"Report format: {', '.join(FORMAT_NAMES)}; NAME=PATH writes that format to PATH "
                "(repeatable; at most one without =PATH, which goes to stdout or --output). "
                "Default: text."
            ),
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the format given without =PATH to this file."),
    ] = None,
    source_dir: Annotated[
        Path | None,
        typer.Option(
            "--source-dir",
            help="Root module directory, to point findings at .tf lines and rebuild policies "
            "unknown in the plan (default: the plan file's directory).",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="tfgate.yaml to use (default: the first tfgate.yaml, tfgate.yml, .tfgate.yaml "
            "or .tfgate.yml from the plan's directory up to the repository root).",
        ),
    ] = None,
    no_config: Annotated[
        bool,
        typer.Option("--no-config", help="Read no configuration file: --profile, else baseline."),
    ] = False,
    config_root: Annotated[
        Path | None,
        typer.Option(
            "--config-root",
            help="--config is inside a copy of this repository at this directory (the Action "
            "reads the base branch's): paths: globs match as if it were in the checkout.",
        ),
    ] = None,
    waivers: Annotated[
        Path | None, typer.Option("--waivers", help="Waivers file (overrides tfgate.yaml's).")
    ] = None,
    account: Annotated[
        str | None, typer.Option("--account", help="AWS account id (default: from the plan).")
    ] = None,
    workspace: Annotated[
        str | None,
        typer.Option("--workspace", envvar="TF_WORKSPACE", help="Terraform workspace."),
    ] = None,
    max_plan_size: Annotated[
        str | None,
        typer.Option(
            "--max-plan-size",
            metavar="SIZE",
            help="Refuse larger plans, e.g. 500MB or 4GiB (default: TFGATE_MAX_PLAN_BYTES, "
            "else 2GiB).",
        ),
    ] = None,
    allow_partial: Annotated[
        bool,
        typer.Option(
            "--allow-partial",
            help="Judge a plan marked incomplete (complete: false) instead of refusing it.",
        ),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Judge plans against compliance profiles. Exit 0 pass, 1 blocked, 2 could not judge."""

    def run() -> int:
        from tfgate.formats import text as text_format

        requests = parse_format_requests(output_format or [], output)
        if source_dir is not None and not (
            source_dir.is_dir() and os.access(source_dir, os.R_OK | os.X_OK)
        ):
            raise TfgateError("--source-dir is not a readable directory", source=str(source_dir))
        report = judge_plans(
            plans,
            cli_profiles=profile or [],
            config_path=config,
            waivers_path=waivers,
            account=account,
            workspace=workspace,
            no_config=no_config,
            config_root=config_root,
            max_bytes=max_plan_bytes(max_plan_size),
            allow_partial=allow_partial,
            locate=True,
            source_dir=source_dir,
            debug=debug,
        )
        for request in requests:
            _write(request.path, render_format(request, report))
        if all(request.path is not None for request in requests):
            typer.echo(text_format.verdict(report), err=True)
        return exit_code(report)

    raise typer.Exit(_guard(debug, run))


@app.command("rules")
def list_rules(
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="text (aligned columns) or json.")
    ] = "text",
) -> None:
    """List every rule, sorted by id, with its default severity, name and title."""
    from tfgate.rules import RULES

    rules = sorted(RULES, key=lambda rule: rule.id)
    if output_format == "json":
        import orjson

        listed = [
            {
                "id": rule.id,
                "name": rule.name,
                "severity": rule.severity.value,
                "title": rule.title,
                "resource_types": sorted(rule.resource_types),
                "controls": {name: list(ids) for name, ids in sorted(rule.controls.items())},
            }
            for rule in rules
        ]
        typer.echo(orjson.dumps(listed, option=orjson.OPT_INDENT_2).decode())
        return
    if output_format != "text":
        _fail(f"unknown format {output_format!r} for rules; choose text or json")
    rows = [(rule.id, rule.severity.value, rule.name, rule.title) for rule in rules]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        typer.echo("  ".join([*cells, row[3]]))


@app.command()
def explain(rule_id: Annotated[str, typer.Argument(help="A rule id, e.g. TFG-IAM-014.")]) -> None:
    """Print a rule's documentation."""
    from tfgate.rules import RULES_BY_ID

    rule = RULES_BY_ID.get(rule_id.upper())
    if rule is None:
        _fail(f"unknown rule id {rule_id!r}; `tfgate rules` lists them")
    controls = "\n".join(
        f"- {framework}: {', '.join(ids)}" for framework, ids in sorted(rule.controls.items())
    )
    typer.echo(
        f"# {rule.id} {rule.title}\n\n"
        f"name: {rule.name} · severity: {rule.severity.value} · resources: "
        f"{', '.join(sorted(rule.resource_types))}\n\n{rule.doc}\n## Controls\n{controls}"
    )


profiles_app = typer.Typer(
    help="Built-in compliance profiles.", invoke_without_command=True, no_args_is_help=False
)
app.add_typer(profiles_app, name="profiles")


@profiles_app.callback()
def profiles_list(ctx: typer.Context) -> None:
    """List the built-in profiles with their description."""
    if ctx.invoked_subcommand is not None:
        return
    import shutil
    import textwrap

    from tfgate.config.profiles import load_profile
    from tfgate.resources import builtin_profile_names

    names = builtin_profile_names()
    indent = max(len(name) for name in names) + 2
    width = min(shutil.get_terminal_size((100, 24)).columns, 100)
    for name in names:
        text = textwrap.fill(
            " ".join(load_profile(name).description.split()),
            width=max(width, indent + 40),
            initial_indent=name.ljust(indent),
            subsequent_indent=" " * indent,
            break_on_hyphens=False,  # keep `eu-west-1` and `TFG-IAM-001` whole
            break_long_words=False,
        )
        typer.echo(text)


@profiles_app.command("show")
def profiles_show(
    name: Annotated[str, typer.Argument(help="A built-in profile name or a profile file.")],
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Print a profile as YAML after `extends` is resolved."""

    def run() -> int:
        from tfgate.config.profiles import load_profile, resolved_yaml

        typer.echo(resolved_yaml(load_profile(name)), nl=False)
        return EXIT_PASS

    raise typer.Exit(_guard(debug, run))


@app.command("validate")
def validate_command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="tfgate.yaml, profile or waivers files (default: the tfgate.yaml found from "
            "the working directory up to the repository root)."
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Check configuration files and everything they reference; list every problem.

    Each problem is one line, `file:line: key: message`, sorted. Exit 2 when any is an error;
    warnings (waivers expired or longer than a profile allows) alone exit 0."""

    def run() -> int:
        from tfgate.config.selection import discover_config
        from tfgate.config.validation import valid_lines, validate_files
        from tfgate.redact import TextKind, outgoing

        targets = list(files or [])
        if not targets:
            found = discover_config(Path.cwd())
            if found is None:
                raise TfgateError(
                    "no tfgate.yaml, tfgate.yml, .tfgate.yaml or .tfgate.yml found from the "
                    "working directory up to the repository root; name the files to validate"
                )
            targets = [found]
        problems = validate_files(targets)
        for problem in problems:
            typer.echo(outgoing(str(problem), TextKind.PATH))
        errors = sum(1 for problem in problems if not problem.warning)
        if errors:
            noun = "problem" if errors == 1 else "problems"
            typer.echo(f"tfgate: error: {errors} {noun} in the configuration", err=True)
            return EXIT_ERROR
        for target in targets:
            for line in valid_lines(target):
                typer.echo(outgoing(line, TextKind.PATH))
        return EXIT_PASS

    raise typer.Exit(_guard(debug, run))


def main() -> None:
    app()
