"""Class 10: redaction applies to values, never to resource addresses or rule ids.

A sensitive value `"snyk"` must not turn `aws_iam_policy.snyk_admin` into
`aws_iam_policy.(redacted)_admin`: the address is what Terraform itself prints, and a mangled
address cannot be waived, found in the code, or matched to an earlier alert. Control characters
and markup in an instance key are still escaped.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.adversarial.outputs import (
    FORMAT_NAMES,
    every_format,
    policy,
    resource_change,
    write_plan,
)
from tfgate.redact import MASK, Redactor

ADMIN = policy({"Effect": "Allow", "Action": "*", "Resource": "*"})


def snyk_plan(directory: Path) -> Path:
    return write_plan(
        directory,
        [
            resource_change(
                "aws_iam_policy",
                "snyk_admin",
                {"name": "snyk_admin", "policy": ADMIN, "tags": {"vendor": "snyk"}},
                after_sensitive={"tags": {"vendor": True}},
            ),
            resource_change(
                "aws_iam_policy",
                "other",
                {"name": "other", "policy": ADMIN, "tags": {"password": "TFG-IAM-001"}},
                after_sensitive={"tags": {"password": True}},
            ),
        ],
    )


def test_a_sensitive_value_inside_an_address_leaves_it_whole(tmp_path: Path) -> None:
    """Also a sensitive value shaped like a rule id: rule ids in findings and in the note about
    an unused waiver stay whole."""
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "- rule: TFG-IAM-001\n  address: aws_iam_policy.snyk_admin\n"
        "  reason: vendor integration, ticket SEC-1\n  owner: platform\n  expires: 2099-01-01\n",
        encoding="utf-8",
    )
    outputs = every_format(
        snyk_plan(tmp_path), tmp_path / "out", "--profile", "baseline", "--waivers", str(waivers)
    )
    report = json.loads(outputs["json"])
    addresses = {finding["address"] for finding in report["findings"]}
    assert addresses == {"aws_iam_policy.snyk_admin", "aws_iam_policy.other"}
    assert any("TFG-IAM-001 aws_iam_policy.snyk_admin" in note for note in report["notes"])
    for name in FORMAT_NAMES:
        assert f"{MASK}_admin" not in outputs[name], name
        assert "aws_iam_policy.snyk_admin" in outputs[name], name


def test_a_message_quoting_an_address_keeps_it_and_masks_the_value() -> None:
    redactor = Redactor(("snyk",), frozenset({"aws_s3_bucket.snyk_public"}))
    assert redactor.outgoing("aws_s3_bucket.snyk_public shares snyk with snyk-x") == (
        f"aws_s3_bucket.snyk_public shares {MASK} with {MASK}-x"
    )


def test_a_secret_reaching_beyond_an_address_is_masked_whole() -> None:
    """An address inside a sensitive value does not shield the rest of the value."""
    secret = "pw aws_s3_bucket.snyk_public pw"
    redactor = Redactor((secret,), frozenset({"aws_s3_bucket.snyk_public"}))
    assert redactor.outgoing(f"is {secret}!") == f"is {MASK}!"


def test_control_characters_in_an_instance_key_are_still_escaped(tmp_path: Path) -> None:
    key = "a\x1b[31m\r\n::error::forged\u202e"
    plan = write_plan(
        tmp_path,
        [resource_change("aws_iam_policy", "p", {"name": "p", "policy": ADMIN}, index=key)],
    )
    outputs = every_format(plan, tmp_path / "out", "--profile", "baseline")
    report = json.loads(outputs["json"])
    assert {finding["address"] for finding in report["findings"]} == {
        'aws_iam_policy.p["a\\x1b[31m\\x0d\\x0a::error::forged\\u202e"]'
    }
    for name, output in outputs.items():
        for character in ("\x1b", "\r", "\u202e"):
            assert character not in output, (name, character)
