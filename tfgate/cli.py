"""The command line: every read, write and exit code lives here."""

from __future__ import annotations

import dataclasses
import datetime
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer

from tfgate import __version__
from tfgate.errors import PlanError, TfgateError
from tfgate.plan.load import CONVERT_HINT, is_binary_plan, load_plan
from tfgate.plan.model import Plan
from tfgate.report import Report, Result

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


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def _fail(message: str) -> NoReturn:
    typer.echo(f"tfgate: error: {message}", err=True)
    raise typer.Exit(EXIT_ERROR)


def _guard(debug: bool, action: Callable[[], T]) -> T:
    """Turn every failure into one line on stderr and exit 2; `--debug` shows the traceback."""
    try:
        return action()
    except typer.Exit:
        raise
    except TfgateError as error:
        if debug:
            raise
        _fail(str(error))
    except Exception as error:
        if debug:
            raise
        _fail(f"internal error ({type(error).__name__}); run again with --debug for details")


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


def _read_plan_bytes(name: str) -> tuple[bytes, str]:
    if name == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    path = Path(name)
    try:
        return path.read_bytes(), name
    except FileNotFoundError as error:
        raise PlanError("file not found", source=name) from error
    except IsADirectoryError as error:
        raise PlanError("is a directory, expected a plan file", source=name) from error
    except OSError as error:
        raise PlanError(f"cannot read file ({error.strerror})", source=name) from error


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


def read_plan(name: str) -> Plan:
    data, source = _read_plan_bytes(name)
    if is_binary_plan(data):
        if name == "-":
            raise PlanError(
                f"this is a binary plan file; convert it with `{CONVERT_HINT}`", source=source
            )
        data = _show_binary_plan(name)
    return load_plan(data, source)


def _use_color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def exit_code(report: Report) -> int:
    return {Result.PASS: EXIT_PASS, Result.BLOCK: EXIT_BLOCK, Result.ERROR: EXIT_ERROR}[
        report.result
    ]


def _write(output: Path | None, text: str) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    temporary = output.with_name(f".{output.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(output)
    except OSError as error:
        raise TfgateError(f"cannot write output ({error.strerror})", source=str(output)) from error


def judge_plans(
    plans: list[str],
    *,
    cli_profiles: list[str],
    config_path: Path | None,
    waivers_path: Path | None,
    account: str | None,
    workspace: str | None,
    today: datetime.date | None = None,
) -> Report:
    """Read the configuration and plans, select profiles per plan, and judge each plan."""
    from tfgate.engine import judge, merge
    from tfgate.errors import ConfigError
    from tfgate.profiles import load_profile
    from tfgate.selection import find_config, load_config, select
    from tfgate.waivers import load_waivers

    if account is not None and not ACCOUNT_ID.match(account):
        raise ConfigError("--account must be a 12-digit AWS account id")
    config_file = config_path or find_config(Path.cwd())
    config = load_config(config_file) if config_file is not None else None
    waiver_file = waivers_path or (config.waivers if config else None)
    loaded_waivers = load_waivers(waiver_file) if waiver_file is not None else ()
    base = config.directory if config else Path.cwd()
    reports = []
    for name in plans:
        plan = read_plan(name)
        selection = select(
            config,
            plan,
            cli_profiles=cli_profiles,
            account=account,
            workspace=workspace,
            location=_relative_location(name, base),
        )
        relative_to = Path.cwd() if cli_profiles else base
        profiles = [load_profile(ref, relative_to=relative_to) for ref in selection.profiles]
        report = judge(
            plan,
            profiles,
            waivers=loaded_waivers,
            today=today or datetime.date.today(),
            accounts=selection.accounts.ids,
        )
        reports.append(
            dataclasses.replace(
                report,
                accounts=selection.accounts.ids,
                account_method=selection.accounts.method,
                selection=selection.reason,
            )
        )
    return merge(reports)


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
        OutputFormat, typer.Option("--format", "-f", help="Report format.")
    ] = OutputFormat.TEXT,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="tfgate.yaml (default: ./tfgate.yaml if present)."),
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
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Judge plans against compliance profiles. Exit 0 pass, 1 blocked, 2 could not judge."""

    def run() -> int:
        from tfgate.formats import json as json_format
        from tfgate.formats import text as text_format

        report = judge_plans(
            plans,
            cli_profiles=profile or [],
            config_path=config,
            waivers_path=waivers,
            account=account,
            workspace=workspace,
        )
        if output_format is OutputFormat.JSON:
            rendered = json_format.render(report)
        else:
            rendered = text_format.render(report, color=output is None and _use_color())
        _write(output, rendered)
        if output is not None and output_format is not OutputFormat.TEXT:
            typer.echo(text_format.verdict(report), err=True)
        return exit_code(report)

    raise typer.Exit(_guard(debug, run))


@app.command("rules")
def list_rules() -> None:
    """List every rule with its id, default severity and title."""
    from tfgate.rules import RULES

    for rule in RULES:
        typer.echo(f"{rule.id}  {rule.severity.value:<8}  {rule.name:<28}  {rule.title}")


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
    from tfgate.profiles import load_profile
    from tfgate.resources import builtin_profile_names

    for name in builtin_profile_names():
        profile = load_profile(name)
        typer.echo(f"{name:<10} {profile.description}")


@profiles_app.command("show")
def profiles_show(
    name: Annotated[str, typer.Argument(help="A built-in profile name or a profile file.")],
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Print a profile as YAML after `extends` is resolved."""

    def run() -> int:
        from tfgate.profiles import load_profile, resolved_yaml

        typer.echo(resolved_yaml(load_profile(name)), nl=False)
        return EXIT_PASS

    raise typer.Exit(_guard(debug, run))


@app.command("validate")
def validate_command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="tfgate.yaml, profile or waivers files (default: ./tfgate.yaml)."),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Schema-check configuration files and everything they reference."""

    def run() -> int:
        from tfgate.validation import validate_file

        targets = files or [Path("tfgate.yaml")]
        for target in targets:
            for line in validate_file(target):
                typer.echo(line)
        return EXIT_PASS

    raise typer.Exit(_guard(debug, run))


def main() -> None:
    app()
