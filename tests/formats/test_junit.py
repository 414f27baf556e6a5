"""`--format junit`: one test case per rule and resource."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from tests.formats.golden import assert_golden
from tests.formats.sample import PASSING, REPORT
from tfgate.formats import junit


def test_golden() -> None:
    assert_golden("report.junit.xml", junit.render(REPORT))


def test_counts_and_outcomes() -> None:
    root = ElementTree.fromstring(junit.render(REPORT))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (
        "7",
        "2",
        "1",
        "1",
    )
    cases = {(case.get("classname"), case.get("name")): case for case in root.iter("testcase")}
    alice = cases[("TFG-IAM-001", "aws_iam_user.fail_alice")]
    assert alice.find("failure") is not None
    assert (alice.get("file"), alice.get("line")) == ("infra/main.tf", "37")
    assert cases[("TFG-IAM-001", "aws_iam_user.legacy")].find("skipped") is not None
    assert cases[("TFG-LOG-002", "aws_cloudwatch_log_group.broken")].find("error") is not None
    warned = cases[("TFG-LOG-002", "module.logs.aws_cloudwatch_log_group.this[0]")]
    assert warned.find("failure") is None and warned.find("system-out") is not None
    assert ("TFG-ZZZ-999", "no findings (3 resources checked)") in cases


def test_passing_report_is_one_passing_case_per_rule() -> None:
    root = ElementTree.fromstring(junit.render(PASSING))
    assert [case.get("name") for case in root.iter("testcase")] == [
        "no findings (3 resources checked)"
    ]
    assert root.get("failures") == "0"


def test_failure_messages_name_rule_resource_and_line() -> None:
    """Azure DevOps lists failed tests by their message: it alone must say what and where."""
    root = ElementTree.fromstring(junit.render(REPORT))
    messages = {
        case.get("name"): element.get("message")
        for case in root.iter("testcase")
        for element in case
        if element.tag in ("failure", "error")
    }
    assert messages["aws_iam_user.fail_alice"] == (
        "TFG-IAM-001 aws_iam_user.fail_alice (infra/main.tf:37): is an IAM user"
    )
    for address, message in messages.items():
        assert message is not None and message.startswith(("TFG-IAM-001 ", "TFG-LOG-002 "))
        assert address in message
