"""Rules on credentials written into configuration in plain text.

A finding names where the credential is (the variable, container or parameter) and what kind it
is, never the value: reports travel to pull requests, logs and SARIF uploads.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import orjson

from tfgate.plan.model import ProviderConfig, Resource
from tfgate.plan.values import Known, View
from tfgate.report import Severity
from tfgate.rules.base import Context, Hit, Rule

ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
"""A long-term (AKIA) or temporary (ASIA) access key id."""

SECRET_TOKEN = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
"""Forty base64 characters: the shape of a secret access key."""

SECRET_ASSIGNMENT = re.compile(
    r"(?i)(?:aws_?)?secret_?(?:access_?)?key['\"]?\s*[:=]\s*['\"]?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
)
"""`aws_secret_access_key = ...` and its spellings in scripts and config files."""

SECRET_NAME = re.compile(r"(?i)secret")
CREDENTIAL_NAME = re.compile(r"(?i)(aws_?access_?key|aws_?secret|secret_?access_?key)")
MINTING_TYPES = frozenset({"aws_iam_access_key"})


def looks_like_secret_key(token: str) -> bool:
    """Forty base64 characters with both letter cases (hex digests and ids are single-case)."""
    return (
        len(token) == 40
        and SECRET_TOKEN.fullmatch(token) is not None
        and any(c.islower() for c in token)
        and any(c.isupper() for c in token)
    )


def credential_kinds(name: str, value: str, *, has_key_id_nearby: bool = False) -> list[str]:
    """What kinds of AWS credential `value` (stored under `name`) holds, if any."""
    kinds: list[str] = []
    if ACCESS_KEY_ID.search(value):
        kinds.append("an AWS access key id")
    token = value.strip().strip("'\"")
    named = looks_like_secret_key(token) and bool(SECRET_NAME.search(name) or has_key_id_nearby)
    assigned = any(looks_like_secret_key(m) for m in SECRET_ASSIGNMENT.findall(value))
    if named or assigned:
        kinds.append("an AWS secret access key")
    return kinds


def scan_pairs(pairs: Mapping[str, str], where: str) -> Iterator[Hit]:
    """Judge name/value pairs that belong together (one Lambda, one container)."""
    key_id_present = any(ACCESS_KEY_ID.search(value) for value in pairs.values())
    for name, value in sorted(pairs.items()):
        for kind in credential_kinds(name, value, has_key_id_nearby=key_id_present):
            yield Hit(
                f"{where} variable {name} holds {kind} in plain text",
                key=f"{where}:{name}:{kind}",
            )


def _minted_here(resource: Resource, ctx: Context, *path: str | int) -> bool:
    return any(target.type in MINTING_TYPES for target in ctx.targets(resource, *path))


def _lambda(resource: Resource, view: View, ctx: Context) -> Iterator[Hit]:
    path = ("environment", 0, "variables")
    variables = view.value(*path)
    where = "Lambda environment"
    if isinstance(variables, Mapping):
        known = {k: v for k, v in variables.items() if isinstance(v, str)}
        yield from scan_pairs(known, where)
    unknown_names: list[str] = []
    unknown_map = view.unknown
    for part in path:
        if isinstance(unknown_map, Mapping):
            unknown_map = unknown_map.get(part)
        elif isinstance(unknown_map, list) and isinstance(part, int) and part < len(unknown_map):
            unknown_map = unknown_map[part]
        else:
            unknown_map = None
    if isinstance(unknown_map, Mapping):
        unknown_names = sorted(name for name, flag in unknown_map.items() if flag is True)
    elif unknown_map is True:
        unknown_names = ["(all)"]
    if not unknown_names:
        return
    if _minted_here(resource, ctx, *path):
        yield Hit(
            f"{where} variables are set from an aws_iam_access_key: its secret ends up in plain "
            "text in the function configuration",
            key=f"{where}:minted",
        )
        return
    for name in unknown_names:
        if CREDENTIAL_NAME.search(name):
            yield Hit(
                f"{where} variable {name} looks like an AWS credential and is known only after "
                "apply",
                key=f"{where}:{name}:unknown",
                unknown=True,
            )


def _ecs(resource: Resource, view: View, ctx: Context) -> Iterator[Hit]:
    found = view.get("container_definitions")
    if not isinstance(found, Known):
        if view.is_unknown("container_definitions"):
            if _minted_here(resource, ctx, "container_definitions"):
                yield Hit(
                    "container definitions are built from an aws_iam_access_key: its secret ends "
                    "up in plain text in the task definition",
                    key="ecs:minted",
                )
            else:
                yield Hit(
                    "container_definitions is known only after apply, so its environment cannot "
                    "be checked for credentials",
                    key="ecs:unknown",
                    unknown=True,
                )
        return
    if not isinstance(found.value, str):
        return
    try:
        containers = orjson.loads(found.value)
    except orjson.JSONDecodeError:
        yield Hit("container_definitions is not valid JSON and cannot be checked", key="ecs:json")
        return
    if not isinstance(containers, list):
        return
    for position, container in enumerate(containers):
        if not isinstance(container, Mapping):
            continue
        label = container.get("name") if isinstance(container.get("name"), str) else position
        pairs: dict[str, str] = {}
        for item in container.get("environment") or []:
            if isinstance(item, Mapping) and isinstance(item.get("value"), str):
                pairs[str(item.get("name"))] = item["value"]
        yield from scan_pairs(pairs, f"container {label} environment")


def _ssm(resource: Resource, view: View, ctx: Context) -> Iterator[Hit]:
    kind = view.value("type")
    if kind == "SecureString":
        return
    if view.is_unknown("type"):
        return
    for attribute in ("value", "insecure_value"):
        value = view.value(attribute)
        if isinstance(value, str):
            name = view.value("name")
            label = name if isinstance(name, str) else ""
            for found in credential_kinds(label or attribute, value):
                yield Hit(
                    f"parameter {attribute} of type {kind} holds {found} in plain text "
                    "(use SecureString)",
                    key=f"ssm:{attribute}:{found}",
                )
        elif view.is_unknown(attribute) and _minted_here(resource, ctx, attribute):
            yield Hit(
                f"parameter {attribute} of type {kind} is set from an aws_iam_access_key "
                "(use SecureString)",
                key=f"ssm:{attribute}:minted",
            )


def _decode_user_data(text: str) -> str:
    """Launch template user data is base64; fall back to the text itself if it is not."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return text
    return raw.decode("utf-8", errors="replace")


def _launch_template(resource: Resource, view: View, ctx: Context) -> Iterator[Hit]:
    found = view.get("user_data")
    if not isinstance(found, Known):
        if view.is_unknown("user_data"):
            yield Hit(
                "user_data is known only after apply, so it cannot be checked for credentials",
                key="user_data:unknown",
                unknown=True,
            )
        return
    if not isinstance(found.value, str) or not found.value:
        return
    script = _decode_user_data(found.value)
    kinds = []
    if ACCESS_KEY_ID.search(script):
        kinds.append("an AWS access key id")
    if any(looks_like_secret_key(m) for m in SECRET_ASSIGNMENT.findall(script)):
        kinds.append("an AWS secret access key")
    for kind in kinds:
        line = next(
            (
                number
                for number, text in enumerate(script.splitlines(), start=1)
                if (kind.endswith("id") and ACCESS_KEY_ID.search(text))
                or (kind.endswith("secret access key") and SECRET_ASSIGNMENT.search(text))
            ),
            None,
        )
        where = f" on line {line}" if line else ""
        yield Hit(f"user_data holds {kind} in plain text{where}", key=f"user_data:{kind}")


_SCANNERS = {
    "aws_lambda_function": _lambda,
    "aws_ecs_task_definition": _ecs,
    "aws_ssm_parameter": _ssm,
    "aws_launch_template": _launch_template,
}


def _leaves(name: str, value: Any, depth: int = 0) -> Iterator[tuple[str, str]]:
    """(path, string) for each string in a variable's value: `aws`, `aws.secret_key`, `keys[0]`."""
    if isinstance(value, str):
        yield name, value
    elif depth < 8 and isinstance(value, Mapping):
        for key, child in value.items():
            yield from _leaves(f"{name}.{key}", child, depth + 1)
    elif depth < 8 and isinstance(value, list):
        for position, child in enumerate(value):
            yield from _leaves(f"{name}[{position}]", child, depth + 1)


def variable_hits(variables: Mapping[str, Any]) -> Iterator[tuple[str, Hit]]:
    """Root module variable values that hold an AWS access key id or secret access key."""
    leaves = [leaf for name, value in sorted(variables.items()) for leaf in _leaves(name, value)]
    key_id_present = any(ACCESS_KEY_ID.search(value) for _, value in leaves)
    for path, value in leaves:
        root = path.split(".", 1)[0].split("[", 1)[0]
        for kind in credential_kinds(path, value, has_key_id_nearby=key_id_present):
            yield (
                f"var.{root}",
                Hit(
                    f"var.{path} holds {kind} in plain text: the value is written into the plan "
                    "file and any log that prints it",
                    key=f"var.{path}:{kind}",
                ),
            )


SESSION_TOKEN = re.compile(r"[A-Za-z0-9/+=]{100,}")
"""A session token is hundreds of base64 characters; short placeholders (LocalStack's `test`)
are not credentials."""


PROVIDER_CREDENTIALS: Mapping[str, tuple[str, Callable[[str], bool]]] = {
    "access_key": ("an AWS access key id", lambda text: bool(ACCESS_KEY_ID.search(text))),
    "secret_key": ("an AWS secret access key", lambda text: looks_like_secret_key(text.strip())),
    "token": (
        "an AWS session token",
        lambda text: SESSION_TOKEN.fullmatch(text.strip()) is not None,
    ),
}


def literal_text(expressions: Mapping[str, Any], argument: str) -> str | None:
    """The string an argument is written as in the configuration (`constant_value`), if any."""
    expression = expressions.get(argument)
    literal = expression.get("constant_value") if isinstance(expression, Mapping) else None
    return literal if isinstance(literal, str) else None


def provider_address(provider: ProviderConfig) -> str:
    """`provider["aws"]`, `provider["aws"].eu`, `module.net.provider["aws"]`."""
    prefix = f"{provider.module_address}." if provider.module_address else ""
    alias = f".{provider.alias}" if provider.alias else ""
    return f'{prefix}provider["{provider.name}"]{alias}'


def provider_hits(providers: Mapping[str, ProviderConfig]) -> Iterator[tuple[str, Hit]]:
    """AWS provider blocks whose `access_key`, `secret_key` or `token` is a literal credential."""
    for key in sorted(providers):
        provider = providers[key]
        if provider.name != "aws":
            continue
        address = provider_address(provider)
        for argument, (kind, looks_like) in PROVIDER_CREDENTIALS.items():
            literal = literal_text(provider.expressions, argument)
            if literal is not None and looks_like(literal):
                yield (
                    address,
                    Hit(
                        f"{address}.{argument} is {kind} written in the configuration",
                        key=f"provider:{argument}",
                    ),
                )


def check_configuration_credentials(
    ctx: Context, params: Mapping[str, Any]
) -> Iterator[tuple[str, Hit]]:
    """One finding per variable or provider block, naming every credential it holds."""
    found: dict[str, list[Hit]] = {}
    for address, hit in (*variable_hits(ctx.plan.variables), *provider_hits(ctx.plan.providers)):
        found.setdefault(address, []).append(hit)
    for address, hits in found.items():
        yield address, Hit("; ".join(hit.message for hit in hits), key="credentials")


def check_plaintext_credentials(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Blocks AWS access keys written in plain text into configuration.

    ## What it does
    Looks for AWS access key ids (`AKIA...` long-term, `ASIA...` temporary) and secret access
    keys (40 base64 characters, under a name that says secret or beside an access key id) in:
    environment variables of `aws_lambda_function`; the `environment` of each container in an
    `aws_ecs_task_definition`; the value of an `aws_ssm_parameter` of type `String` or
    `StringList`; and the (base64-decoded) `user_data` of an `aws_launch_template`. A variable set
    from an `aws_iam_access_key` created in the plan is reported too. Container definitions or user
    data known only after apply are reported as `unknown`.

    Beyond resources, it reads the configuration itself: the values of the root module's
    variables (as the plan records them, from defaults, `.tfvars` files, `-var` or `TF_VAR_`
    environment variables), where the finding's address is the variable (`var.aws_access_key`),
    and the `access_key`, `secret_key` and `token` arguments of each AWS provider block written
    as literals, where the address is the provider (`provider["aws"]`, `provider["aws"].eu`).
    Placeholder values that are not shaped like a key (LocalStack's `test`) are not reported.
    The finding names the variable, the container, the argument or the parameter attribute,
    never the value.

    ## Why it matters
    Function and task configuration, non-secure parameters and user data are readable by anyone
    with read-only access to the service, are copied into state files, plans, CI logs and
    support cases, and are never rotated. Every leaked access key is a standing door into the
    account; workloads on AWS never need one because they can assume a role.

    ## Example
    ```hcl
    resource "aws_lambda_function" "fail_export" {
      function_name = "export"
      role          = aws_iam_role.export.arn
      environment {
        variables = {
          AWS_ACCESS_KEY_ID     = "AKIA..."
          AWS_SECRET_ACCESS_KEY = "..."
        }
      }
    }
    ```

    ## Fix
    Remove the key, deactivate and delete it in IAM (it must be considered leaked), and give the
    workload an execution role, task role or instance profile instead. For the provider, drop
    `access_key`, `secret_key` and `token` and let it find credentials itself: a role assumed
    through OIDC in CI (`aws-actions/configure-aws-credentials`), a named profile or SSO
    locally. A secret that is not an AWS key belongs in Secrets Manager or an SSM `SecureString`
    parameter, read at run time.

    ## Parameters
    None.

    ## References
    - AWS Well-Architected, SEC02-BP02 (use temporary credentials)
    - PCI DSS v4.0, 8.6.3 (protect passwords and passphrases of application and system accounts)
    - HIPAA 164.312(a)(1); GDPR Art. 32
    """
    yield from _SCANNERS[resource.type](resource, view, ctx)


PLAINTEXT_CREDENTIALS = Rule(
    id="TFG-SEC-001",
    name="plaintext-aws-credentials",
    title="AWS access key in plain text",
    severity=Severity.CRITICAL,
    resource_types=frozenset(_SCANNERS),
    controls={
        "AWS-WA-SEC": ("SEC02-BP02",),
        "HIPAA": ("164.312(a)(1)",),
        "PCI-DSS-4.0": ("8.6.3",),
        "GDPR": ("Art. 32",),
        "NRB": ("IT-2012-4-access-control",),
    },
    check=check_plaintext_credentials,
    plan_check=check_configuration_credentials,
)


DATABASE_PASSWORDS: Mapping[str, str] = {
    "aws_db_instance": "password",
    "aws_rds_cluster": "master_password",
    "aws_docdb_cluster": "master_password",
    "aws_redshift_cluster": "master_password",
}


def check_database_password_literal(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Warns about database master passwords written as literals in the configuration.

    ## What it does
    Reports an `aws_db_instance` whose `password`, or an `aws_rds_cluster`, `aws_docdb_cluster`
    or `aws_redshift_cluster` whose `master_password`, is a string literal in the configuration
    (`constant_value` in the plan's `configuration`). A password taken from a variable, a
    `random_password` or a secret is not reported. A literal that was already there before the
    plan is `existing`. The finding names the argument, never the value.

    ## Why it matters
    A literal password lives in the repository's history for good, and in every plan file and
    state file; Terraform marks it sensitive in its output, but the value is in all of them in
    clear text. Anyone who can read the repository can sign in to the database as its master
    user.

    ## Example
    ```hcl
    resource "aws_db_instance" "fail_orders" {
      identifier     = "orders"
      engine         = "postgres"
      instance_class = "db.t4g.micro"
      username       = "app"
      password       = "..."
    }
    ```

    ## Fix
    Let RDS keep the password in Secrets Manager and rotate it: `manage_master_user_password =
    true` (`aws_db_instance`, `aws_rds_cluster`; Redshift has the same argument). Otherwise
    generate it with `random_password` and store it in Secrets Manager. Rotate the password that
    was committed.

    ## Parameters
    None.

    ## References
    - PCI DSS v4.0, 8.6.3 (protect passwords of application and system accounts)
    - HIPAA 164.312(a)(1); GDPR Art. 32
    """
    attribute = DATABASE_PASSWORDS[resource.type]
    if not literal_text(resource.expressions, attribute):
        return
    if view.values is not resource.after.values and view.value(attribute) != resource.after.value(
        attribute
    ):
        return
    yield Hit(
        f"{attribute} is a literal in the configuration: it is in the repository, and in clear "
        "text in every plan and state file",
        key=attribute,
    )


DATABASE_PASSWORD_LITERAL = Rule(
    id="TFG-SEC-002",
    name="database-password-literal",
    title="Database password written in the configuration",
    severity=Severity.MEDIUM,
    resource_types=frozenset(DATABASE_PASSWORDS),
    controls={
        "HIPAA": ("164.312(a)(1)",),
        "PCI-DSS-4.0": ("8.6.3",),
        "GDPR": ("Art. 32",),
        "NRB": ("IT-2012-4-access-control",),
    },
    check=check_database_password_literal,
)
