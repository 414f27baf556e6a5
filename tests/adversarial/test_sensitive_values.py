"""Class 7: nothing derived from an attribute the plan marks sensitive is printed.

Masking the whole sensitive string is not enough: a rule that quotes one account id, ARN, Sid or
action from inside a sensitive policy would print a piece of it. The findings still block; they
say what is wrong without a value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.adversarial.outputs import every_format, policy, resource_change, write_plan

VENDOR_ACCOUNT = "731246580912"
TRUST_SID = "VendorAuditTrustZq"
GRANT_SID = "PassEverythingZq"

TRUST = policy(
    {
        "Sid": TRUST_SID,
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Principal": {"AWS": f"arn:aws:iam::{VENDOR_ACCOUNT}:root"},
    }
)
GRANT = policy(
    {
        "Sid": GRANT_SID,
        "Effect": "Allow",
        "Action": ["iam:PassRole", "codestar:AssociateTeamMember"],
        "Resource": f"arn:aws:iam::{VENDOR_ACCOUNT}:role/*",
    },
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
)
NEEDLES = (VENDOR_ACCOUNT, TRUST_SID, GRANT_SID, "codestar:AssociateTeamMember")


def role(mask: dict[str, Any], *, before_mask: Any = None, update: bool = False) -> dict[str, Any]:
    values = {
        "name": "vendor-audit",
        "path": "/",
        "assume_role_policy": TRUST,
        "inline_policy": [{"name": "grant", "policy": GRANT}],
        "permissions_boundary": None,
    }
    return resource_change(
        "aws_iam_role",
        "vendor",
        values,
        after_sensitive=mask,
        before=values if update else None,
        before_sensitive=before_mask,
        actions=("update",) if update else ("create",),
    )


CASES = {
    "trust policy marked sensitive": role(
        {"assume_role_policy": True, "inline_policy": [{"policy": True}]}
    ),
    "whole inline policy block marked sensitive": role(
        {"assume_role_policy": True, "inline_policy": True}
    ),
    "sensitive only before the change": role(
        {},
        before_mask={"assume_role_policy": True, "inline_policy": [{"policy": True}]},
        update=True,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_piece_of_a_sensitive_policy_is_printed(case: str, tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [CASES[case]])
    outputs = every_format(plan, tmp_path / "out", "--profile", "pci-dss")
    for name, output in outputs.items():
        for needle in NEEDLES:
            assert needle not in output, f"{needle} leaked into {name}"


def test_the_findings_still_block_and_say_what_is_wrong(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, [CASES["trust policy marked sensitive"]])
    report = json.loads(every_format(plan, tmp_path / "out", "--profile", "pci-dss")["json"])
    assert report["result"] == "block"
    messages = {finding["rule"]: finding["message"] for finding in report["findings"]}
    assert messages["TFG-IAM-036"] == (
        "Cross-account trust without external ID or organization guard: found in "
        "assume_role_policy, which the plan marks sensitive, so the details are withheld"
    )
    assert any("found in inline_policy" in message for message in messages.values())


def test_the_same_plan_unmarked_still_quotes_the_policy(tmp_path: Path) -> None:
    """Without the marks the messages name the statement: withholding is not the default."""
    plan = write_plan(tmp_path, [role({})])
    report = every_format(plan, tmp_path / "out", "--profile", "pci-dss")["json"]
    assert TRUST_SID in report
    assert VENDOR_ACCOUNT in report


def test_a_finding_on_another_attribute_keeps_its_words(tmp_path: Path) -> None:
    """Only the sensitive trust policy is withheld: the inline policy is shown in the clear by
    the plan, so its findings still name the statement."""
    plan = write_plan(tmp_path, [role({"assume_role_policy": True})])
    report = json.loads(every_format(plan, tmp_path / "out", "--profile", "pci-dss")["json"])
    messages = [finding["message"] for finding in report["findings"]]
    assert any(
        message.startswith(f'inline_policy[grant], Sid "{GRANT_SID}"') for message in messages
    )
    assert not any("found in inline_policy" in message for message in messages)
    assert any("found in assume_role_policy" in message for message in messages)
    assert TRUST_SID not in json.dumps(report)
