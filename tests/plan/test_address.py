"""Address splitting: dots inside quoted `for_each` keys never split an address."""

from __future__ import annotations

import pytest

from tfgate.plan.address import module_path, split_address, split_address_slowly


@pytest.mark.parametrize(
    ("address", "parts"),
    [
        ("aws_iam_role.app", ["aws_iam_role", "app"]),
        ("aws_iam_role.app[0]", ["aws_iam_role", "app[0]"]),
        (
            "module.a.module.b[3].aws_s3_bucket.logs",
            ["module", "a", "module", "b[3]", "aws_s3_bucket", "logs"],
        ),
        ('module.svc["api.v1"].aws_sqs_queue.q', ["module", 'svc["api.v1"]', "aws_sqs_queue", "q"]),
        ('aws_x.y["a\\".b"]', ["aws_x", 'y["a\\".b"]']),
        ('data.aws_iam_policy_document.p["x.y"]', ["data", "aws_iam_policy_document", 'p["x.y"]']),
    ],
)
def test_split_address(address: str, parts: list[str]) -> None:
    assert split_address(address) == parts


def test_module_path_drops_instance_keys() -> None:
    assert module_path('module.net["eu.west"].module.subnets[0]') == ("net", "subnets")
    assert module_path("") == ()


@pytest.mark.parametrize(
    "address",
    [
        "aws_x.y",
        "aws_x.y[0]",
        'module.a["k"].module.b[1].aws_x.y["z"]',
        'module.a["k.v"].aws_x.y',
        'aws_x.y["a\\".b"]',
        'aws_x.y["unterminated.key]',
        "aws_x.y[1.5]",
        "aws_x.y[[0]].z",
        "aws_x].y[.z",
        "aws_x.y]0[.z",
        'aws_x.y["a"]["b.c"]',
        'aws_x.y["[.]"].z',
        "",
        ".",
        'a."b".c',
    ],
)
def test_split_address_agrees_with_the_character_loop(address: str) -> None:
    assert split_address(address) == split_address_slowly(address)
