"""Each kind of input tfgate refuses, with its exact one-line message."""

from __future__ import annotations

import json

import pytest

from tfgate.errors import PlanError
from tfgate.plan.load import load_plan

MINIMAL = {"format_version": "1.2", "terraform_version": "1.9.8", "resource_changes": []}


def refusal(data: bytes) -> str:
    with pytest.raises(PlanError) as caught:
        load_plan(data, "plan.json")
    return str(caught.value)


def test_empty_file() -> None:
    assert refusal(b"") == (
        "plan.json: file is empty; expected the output of `terraform show -json`"
    )


def test_whitespace_only_file() -> None:
    assert refusal(b" \n\t\n").startswith("plan.json: file is empty")


def test_invalid_json() -> None:
    assert refusal(b'{"format_version": "1.2",') == (
        "plan.json: file is not valid JSON (line 1, column 26)"
    )


def test_plan_json_log() -> None:
    lines = [
        {
            "@level": "info",
            "@message": "Terraform 1.9.8",
            "@module": "terraform.ui",
            "terraform": "1.9.8",
            "type": "version",
            "ui": "1.2",
        },
        {
            "@level": "info",
            "@message": "Plan: 1 to add",
            "type": "change_summary",
            "changes": {"add": 1, "change": 0, "remove": 0, "operation": "plan"},
        },
    ]
    data = "\n".join(json.dumps(line) for line in lines).encode()
    assert refusal(data) == (
        "plan.json: this is the streaming log of `terraform plan -json`, not a plan; run "
        "`terraform plan -out=tfplan && terraform show -json tfplan > plan.json`"
    )


def test_state_json() -> None:
    state = {
        "format_version": "1.0",
        "terraform_version": "1.9.8",
        "values": {"root_module": {"resources": []}},
    }
    assert refusal(json.dumps(state).encode()) == (
        "plan.json: this is state JSON (`terraform show -json` without a plan file); run "
        "`terraform plan -out=tfplan && terraform show -json tfplan > plan.json`"
    )


def test_empty_state_json() -> None:
    assert refusal(b'{"format_version":"1.0"}').startswith("plan.json: this is state JSON")


def test_raw_tfstate() -> None:
    tfstate = {
        "version": 4,
        "terraform_version": "1.9.8",
        "serial": 3,
        "lineage": "0b7e8a6e-4c2f-4f0e-9d3e-2b1f1c9d2a11",
        "outputs": {},
        "resources": [],
    }
    assert refusal(json.dumps(tfstate).encode()) == (
        "plan.json: this is a raw state file (terraform.tfstate), not a plan; run "
        "`terraform show -json tfplan > plan.json` on a saved plan"
    )


def test_errored_plan() -> None:
    plan = {**MINIMAL, "errored": True}
    assert refusal(json.dumps(plan).encode()) == (
        "plan.json: the plan is marked errored: terraform saved it after an error, so it is not "
        "the change that would be applied; fix the plan errors and plan again"
    )


@pytest.mark.parametrize("version", ["2.0", "2.1", "10.0"])
def test_format_version_2_or_later(version: str) -> None:
    plan = {**MINIMAL, "format_version": version}
    assert refusal(json.dumps(plan).encode()) == (
        "plan.json: plan format_version 2 or later is not supported by this tfgate; upgrade tfgate"
    )


@pytest.mark.parametrize("version", ["0.1", "0.2", "1.0", "1.1", "1.2", "1.9"])
def test_accepted_format_versions(version: str) -> None:
    plan = load_plan(json.dumps({**MINIMAL, "format_version": version}).encode(), "plan.json")
    assert plan.format_version == version


def test_binary_plan() -> None:
    assert refusal(b"PK\x03\x04\x14\x00\x00\x00rest-of-zip") == (
        "plan.json: this is a binary plan file; convert it with "
        "`terraform show -json tfplan > plan.json`"
    )


def test_setup_terraform_wrapper_output() -> None:
    data = b"[command]/home/runner/bin/terraform-bin show -json tfplan\n{}"
    assert refusal(data).startswith(
        "plan.json: file starts with the setup-terraform wrapper's `[command]` line"
    )


def test_missing_format_version() -> None:
    assert refusal(b'{"resource_changes": []}') == (
        "plan.json: no format_version: this is not `terraform show -json` output"
    )


def test_top_level_list() -> None:
    assert refusal(b"[1, 2]") == (
        "plan.json: expected a JSON object at the top level, found a list"
    )


def test_hcp_redacted_plan() -> None:
    assert refusal(b'{"plan_format_version": "2.0", "resource_changes": []}') == (
        "plan.json: this is an HCP Terraform redacted plan export, not `terraform show -json` "
        "output"
    )


def test_several_documents() -> None:
    data = json.dumps(MINIMAL).encode() + b"\n" + json.dumps(MINIMAL).encode()
    assert refusal(data) == "plan.json: file holds several JSON documents; pass one plan per file"


def test_not_utf8() -> None:
    assert refusal(b'{"format_version": "1.2", "x": "\xff"}') == (
        "plan.json: file is not UTF-8 text (invalid byte at offset 32)"
    )


def test_utf8_bom_is_accepted() -> None:
    plan = load_plan(b"\xef\xbb\xbf" + json.dumps(MINIMAL).encode(), "plan.json")
    assert plan.resources == ()


def test_utf16_with_bom_is_accepted() -> None:
    plan = load_plan(json.dumps(MINIMAL).encode("utf-16"), "plan.json")
    assert plan.resources == ()


def test_wrong_type_names_pointer_not_value() -> None:
    plan = {
        **MINIMAL,
        "resource_changes": [
            {
                "address": "aws_iam_user.a",
                "type": "aws_iam_user",
                "name": "a",
                "change": {"actions": "create"},
            }
        ],
    }
    message = refusal(json.dumps(plan).encode())
    assert message == "plan.json at /resource_changes/0/change/actions: expected a list"


def test_unknown_action_fails_closed() -> None:
    plan = {
        **MINIMAL,
        "resource_changes": [
            {
                "address": "aws_iam_user.a",
                "type": "aws_iam_user",
                "name": "a",
                "change": {"actions": ["teleport"]},
            }
        ],
    }
    assert refusal(json.dumps(plan).encode()) == (
        "plan.json at /resource_changes/0/change/actions: unknown change action; tfgate cannot "
        "judge a change it does not understand"
    )
