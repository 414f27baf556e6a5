"""Class 11: no glob in a plan (or a waiver) can make matching take more than linear time.

A regular expression built from `iam:************q`, `*********:x`, a 40-star `StringLike`
value or a 200,000-character `aws:PrincipalOrgID` backtracks for minutes; tfgate matches globs
with a bounded bit-parallel matcher (`tfgate.config.globs`). Each case runs the real CLI in a
subprocess and asserts the verdict. The subprocess timeout is not a timing assertion: it is a
guard, far above the real time, so that a return to backtracking fails instead of hanging CI.
`bench/redos.py` measures the real times.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.adversarial.iam_policy_plans import PROFILES, PolicyResource, allow, trust, write_plan

HANG_GUARD_SECONDS = 120
ORG_ID_LENGTH = 200_000


def org_trust(org_ids: list[str]) -> dict[str, Any]:
    return trust({"StringLike": {"aws:PrincipalOrgID": org_ids}})


def run(plan: Path, profile: str, *extra: str) -> tuple[int, list[dict[str, Any]]]:
    completed = subprocess.run(
        [sys.executable, "-m", "tfgate", "check", str(plan), "-p", profile, "-f", "json", *extra],
        capture_output=True,
        timeout=HANG_GUARD_SECONDS,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr.decode()
    return completed.returncode, orjson.loads(completed.stdout)["findings"]


def found(findings: list[dict[str, Any]], rule: str) -> dict[str, tuple[bool, str]]:
    return {f["address"]: (f["blocking"], f["severity"]) for f in findings if f["rule"] == rule}


@pytest.mark.parametrize("profile", PROFILES)
def test_action_patterns_with_many_stars(tmp_path: Path, profile: str) -> None:
    resources = [
        PolicyResource("pass_stars_then_q", allow("iam:" + "*" * 12 + "q", "*")),
        PolicyResource("pass_stars_colon_x", allow("*" * 9 + ":x", "*")),
        PolicyResource("fail_stars_then_e", allow("iam:" + "*" * 12 + "e", "*")),
    ]
    code, findings = run(write_plan(tmp_path, resources), profile)
    assert code == 1
    # iam:************e matches iam:PassRole; the others match no known action.
    assert found(findings, "TFG-IAM-014") == {"aws_iam_policy.fail_stars_then_e": (True, "high")}
    assert set(found(findings, "TFG-IAM-062")) == {
        "aws_iam_policy.pass_stars_then_q",
        "aws_iam_policy.pass_stars_colon_x",
    }


@pytest.mark.parametrize("profile", PROFILES)
def test_a_forty_star_condition_value(tmp_path: Path, profile: str) -> None:
    near_miss = {"StringLike": {"iam:PassedToService": "*" * 40 + "x"}}
    everything = {"StringLike": {"iam:PassedToService": "*" * 39 + "?"}}
    resources = [
        PolicyResource("fail_forty_stars_then_x", allow("iam:PassRole", "*", near_miss)),
        PolicyResource("fail_forty_stars_any_service", allow("iam:PassRole", "*", everything)),
    ]
    code, findings = run(write_plan(tmp_path, resources), profile)
    assert code == 1
    # A value no service name matches still limits the grant (low); one that admits every
    # service does not (high).
    assert found(findings, "TFG-IAM-014") == {
        "aws_iam_policy.fail_forty_stars_then_x": (True, "low"),
        "aws_iam_policy.fail_forty_stars_any_service": (True, "high"),
    }


@pytest.mark.parametrize("profile", PROFILES)
def test_a_200000_character_organisation_id(tmp_path: Path, profile: str) -> None:
    long_near_miss = "o-" + "*" * (ORG_ID_LENGTH - 3) + "x"
    resources = [
        PolicyResource("pass_long_org_pattern", org_trust([long_near_miss]), "aws_iam_role"),
        PolicyResource("fail_any_org", org_trust([long_near_miss, "?*"]), "aws_iam_role"),
    ]
    code, findings = run(write_plan(tmp_path, resources), profile)
    assert code == 1
    assert found(findings, "TFG-IAM-030") == {"aws_iam_role.fail_any_org": (True, "critical")}


@pytest.mark.parametrize("profile", PROFILES)
def test_a_waiver_address_with_many_stars(tmp_path: Path, profile: str) -> None:
    # PassRole is TFG-IAM-014's alone; the queue write is what TFG-IAM-015 reports.
    policy = allow("iam:PassRole", "*")
    policy["Statement"][0]["Action"] = ["iam:PassRole", "sqs:SendMessage"]
    resources = [PolicyResource("fail_pass_role", policy)]
    plan = write_plan(tmp_path, resources)
    expires = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "- rule: TFG-IAM-014\n"
        f'  address: "aws_iam_policy.{"*" * 40}x"\n'
        "  reason: a glob that matches no address, ticket SEC-1\n"
        "  owner: platform\n"
        f"  expires: {expires}\n"
        "- rule: TFG-IAM-015\n"
        f'  address: "aws_{"*" * 40}pass_role"\n'
        "  reason: a glob that matches, ticket SEC-2\n"
        "  owner: platform\n"
        f"  expires: {expires}\n"
    )
    code, findings = run(plan, profile, "--waivers", str(waivers))
    assert code == 1
    statuses = {f["rule"]: f["status"] for f in findings}
    assert statuses["TFG-IAM-014"] == "introduced"
    assert statuses["TFG-IAM-015"] == "waived"


# Linear redaction of the texts below takes milliseconds; per-position rescanning, minutes.
REDACTION_GUARD_SECONDS = 30
TOKEN_SHAPED_TEXT = {
    # every `eyJ` starts a JSON Web Token candidate whose first segment runs to the end of text
    "jwt-prefixes": "eyJ-" * 200_000,
    "jwt-two-segments": ("eyJ" + "a" * 10 + ".") * 30_000,
    "github-prefixes": "ghp_" * 100_000,
    "slack-prefixes": "xoxb-" * 80_000,
    "url-passwords": "x://u:" * 60_000,
    "pem-headers": "-----BEGIN PRIVATE KEY-----" * 15_000,
}


@pytest.mark.parametrize("name", sorted(TOKEN_SHAPED_TEXT))
def test_token_shaped_text_is_redacted_in_linear_time(name: str) -> None:
    """Several hundred KB of credential prefixes that never complete (a Sid, a tag, a message).
    The guard, not a timing assertion, fails a return to per-position rescanning."""
    text = TOKEN_SHAPED_TEXT[name]
    script = (
        "import sys\nfrom tfgate.redact import outgoing\n"
        "sys.stdout.write(str(len(outgoing(sys.stdin.read()))))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        input=text.encode(),
        capture_output=True,
        timeout=REDACTION_GUARD_SECONDS,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode()
    assert int(completed.stdout) > 0
