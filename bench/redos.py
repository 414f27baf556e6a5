"""The ReDoS benchmark: each hostile input of issue 13 class 11, timed through the real code.

    python bench/redos.py            # every case, functions and CLI
    python bench/redos.py --no-cli   # the functions only

For each input it prints the time of the real function that judges it (in-process, one cold
call) and of `tfgate check PLAN --profile baseline --format json` as a subprocess (wall time,
interpreter start-up included), on a plan in `terraform show -json` shape written with the
adversarial tests' plan builder. Every input must be judged in well under a second. The
redaction patterns (`tfgate.redact.CREDENTIAL_PATTERNS`) are also timed one by one on 80 KB of
token-shaped text, so a slow one is named. Nothing here is asserted: the numbers are the result.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.adversarial.iam_policy_plans import PolicyResource, allow, trust, write_plan  # noqa: E402
from tfgate.config.globs import address_matches, glob_covers  # noqa: E402
from tfgate.iam.actions import all_actions, expand, pattern_matches  # noqa: E402
from tfgate.iam.analysis import covers, is_star_resource, limiting_conditions  # noqa: E402
from tfgate.iam.policy import parse_policy  # noqa: E402
from tfgate.redact import CREDENTIAL_PATTERNS, Redactor  # noqa: E402

CLI_TIMEOUT_SECONDS = 300
TOKEN_BYTES = 80 * 1024

MANY_STARS_Q = "iam:" + "*" * 12 + "q"
STARS_COLON_X = "*" * 9 + ":x"
FORTY_STARS = "*" * 40 + "x"
LONG_ORG_ID = "o-" + "*" * (200_000 - 3) + "x"
WAIVER_GLOB = "aws_iam_policy." + "*" * 40 + "x"
NOT_ACTION_STATEMENT = {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}
RULE_ACTIONS = ("iam:PassRole", "iam:CreateAccessKey", "sts:AssumeRole", "ec2:RunInstances")


def token_texts() -> dict[str, str]:
    """80 KB of text shaped like each credential the redaction looks for."""

    def fill(unit: str) -> str:
        return (unit * (TOKEN_BYTES // len(unit) + 1))[:TOKEN_BYTES]

    return {
        "jwt-like eyJ- runs": fill("eyJ-"),
        "jwt-like eyJ runs with dots": fill("eyJabcdefghij."),
        "slack-like xoxb- runs": fill("xoxb-"),
        "github-like ghp_ runs": fill("ghp_"),
        "base64 with slashes": fill("Ab1/"),
        "base64 without a boundary": fill("Ab1+"),
        "access-key-like AKIA runs": fill("AKIA"),
        "private key BEGIN runs": fill("-----BEGIN RSA PRIVATE KEY-----"),
    }


def timed(function: Callable[[], Any]) -> float:
    """One call, timed. Each case is run once, cold: the judging functions cache their answers,
    so a repeat would time a dictionary lookup."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def org_trust(values: list[str]) -> dict[str, Any]:
    return trust({"StringLike": {"aws:PrincipalOrgID": values}})


def with_sid(document: dict[str, Any], sid: str) -> dict[str, Any]:
    statement = {**document["Statement"][0], "Sid": sid}
    return {**document, "Statement": [statement]}


def function_cases() -> list[tuple[str, Callable[[], Any]]]:
    condition = {"StringLike": {"iam:PassedToService": FORTY_STARS}}
    forty = parse_policy(_json(allow("iam:PassRole", "*", condition)))
    org = parse_policy(_json(org_trust([LONG_ORG_ID, "?*"])))
    huge_allow = "arn:aws:s3:::" + "a*" * 50_000 + "b"
    huge_deny = "arn:aws:s3:::" + "a*" * 50_000 + "c"
    cases: list[tuple[str, Callable[[], Any]]] = [
        (f"pattern_matches {MANY_STARS_Q} x rule actions", lambda: _match_all(MANY_STARS_Q)),
        (f"expand {MANY_STARS_Q}", lambda: expand.__wrapped__(MANY_STARS_Q)),
        (f"pattern_matches {STARS_COLON_X} x rule actions", lambda: _match_all(STARS_COLON_X)),
        (f"expand {STARS_COLON_X}", lambda: expand.__wrapped__(STARS_COLON_X)),
        (
            "40-star StringLike: limiting_conditions",
            lambda: limiting_conditions(forty.statements[0]),
        ),
        (
            "40-star StringLike: covers every value",
            lambda: glob_covers.__wrapped__(FORTY_STARS, "?*"),
        ),
        (
            "200,000-char aws:PrincipalOrgID: limiting_conditions",
            lambda: limiting_conditions(org.statements[0]),
        ),
        (
            "200,000-char resource pattern: is_star_resource",
            lambda: is_star_resource.__wrapped__(
                "arn:aws:iam::*:role/" + "*?" * 100_000, "role", True
            ),
        ),
        (
            "100 KB Deny vs 100 KB Allow resource: covers",
            lambda: covers.__wrapped__(huge_deny, huge_allow, True),
        ),
        (
            "waiver glob with 40 stars vs address",
            lambda: address_matches(WAIVER_GLOB, "aws_iam_policy." + "fail_pass_role" * 1000),
        ),
    ]
    for name, text in token_texts().items():
        cases.append((f"redaction, 80 KB {name}", lambda t=text: Redactor(()).text(t)))
    return cases


def _json(document: dict[str, Any]) -> str:
    return orjson.dumps(document).decode()


def _match_all(pattern: str) -> None:
    for action in RULE_ACTIONS:
        pattern_matches.__wrapped__(pattern, action)


def pattern_cases() -> list[tuple[str, Callable[[], Any]]]:
    cases: list[tuple[str, Callable[[], Any]]] = []
    for name, text in token_texts().items():
        for number, pattern in enumerate(CREDENTIAL_PATTERNS, 1):
            cases.append(
                (
                    f"CREDENTIAL_PATTERNS[{number}] on 80 KB {name}",
                    lambda p=pattern, t=text: p.sub("(redacted)", t),
                )
            )
    return cases


def cli_plans(directory: Path) -> list[tuple[str, Path, list[str]]]:
    plans: list[tuple[str, Path, list[str]]] = []

    def plan(name: str, resources: list[PolicyResource], extra: list[str] | None = None) -> None:
        plans.append((name, write_plan(directory / name, resources), extra or []))

    # Controls: the same CLI on ordinary documents, for start-up and reading the catalogue.
    plan("control: iam:PassRole on *", [PolicyResource("plain", allow("iam:PassRole", "*"))])
    not_action = {"Version": "2012-10-17", "Statement": [dict(NOT_ACTION_STATEMENT)]}
    plan("control: NotAction (reads every service)", [PolicyResource("wide", not_action)])
    plan("action iam:************q", [PolicyResource("stars_q", allow(MANY_STARS_Q, "*"))])
    plan("action *********:x", [PolicyResource("stars_x", allow(STARS_COLON_X, "*"))])
    forty = allow("iam:PassRole", "*", {"StringLike": {"iam:PassedToService": FORTY_STARS}})
    plan("40-star StringLike iam:PassedToService", [PolicyResource("forty", forty)])
    plan(
        "200,000-char aws:PrincipalOrgID",
        [PolicyResource("org", org_trust([LONG_ORG_ID, "?*"]), "aws_iam_role")],
    )
    for name, text in token_texts().items():
        plan(
            f"80 KB {name} as a Sid (redacted in messages)",
            [PolicyResource("token", with_sid(allow("iam:PassRole", "*"), text))],
        )
    waivers = directory / "waivers.yaml"
    waivers.write_text(
        f'- rule: TFG-IAM-014\n  address: "{WAIVER_GLOB}"\n  reason: benchmark, ticket B-1\n'
        "  owner: bench\n  expires: 2099-01-01\n"
    )
    plan(
        "waiver address glob with 40 stars",
        [PolicyResource("fail_pass_role", allow("iam:PassRole", "*"))],
        ["--waivers", str(waivers)],
    )
    return plans


def run_cli(plan: Path, extra: list[str]) -> tuple[float, str]:
    command = [sys.executable, "-m", "tfgate", "check", str(plan), "-p", "baseline", "-f", "json"]
    start = time.perf_counter()
    try:
        completed = subprocess.run(
            [*command, *extra], capture_output=True, timeout=CLI_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, "timeout"
    return time.perf_counter() - start, f"exit {completed.returncode}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-cli", action="store_true", help="time the functions only")
    arguments = parser.parse_args()
    all_actions()  # the catalogue is read once per run; that is start-up, not matching
    print(f"{'seconds':>9}  input (the function that judges it, one cold call)")
    for name, function in function_cases():
        print(f"{timed(function):9.4f}  {name}")
    print(f"\n{'seconds':>9}  redaction pattern, alone")
    for name, function in pattern_cases():
        print(f"{timed(function):9.4f}  {name}")
    if arguments.no_cli:
        return
    print(f"\n{'seconds':>9}  tfgate check --profile baseline (subprocess, wall)")
    with tempfile.TemporaryDirectory() as scratch:
        for name, plan, extra in cli_plans(Path(scratch)):
            seconds, outcome = run_cli(plan, extra)
            print(f"{seconds:9.3f}  {name} ({outcome})")


if __name__ == "__main__":
    main()
