"""Network rules beyond the fixtures: the ports parameter, protocols, ranges, unknown sources."""

from __future__ import annotations

from typing import Any

import pytest

from tests.plan.test_region import make_plan, resource, run_rule
from tfgate.rules.net.network import NACL_INGRESS, RDS_PUBLIC, SECURITY_GROUP_INGRESS

RULE = "aws_vpc_security_group_ingress_rule.r"


def ingress(**after: Any) -> dict[str, Any]:
    unknown = {key: True for key, value in after.items() if value is ...}
    values = {key: value for key, value in after.items() if value is not ...}
    return resource("aws_vpc_security_group_ingress_rule", "r", values, unknown=unknown)


@pytest.mark.parametrize(
    ("after", "ports", "reported"),
    [
        (
            {"cidr_ipv4": "0.0.0.0/0", "ip_protocol": "tcp", "from_port": 0, "to_port": 65535},
            None,
            True,
        ),
        (
            {"cidr_ipv4": "0.0.0.0/0", "ip_protocol": "udp", "from_port": 22, "to_port": 22},
            None,
            False,
        ),
        (
            {"cidr_ipv4": "0.0.0.0/0", "ip_protocol": "6", "from_port": 3300, "to_port": 3400},
            None,
            True,
        ),
        (
            {"cidr_ipv4": "0.0.0.0/0", "ip_protocol": "tcp", "from_port": 21, "to_port": 21},
            None,
            False,
        ),
        (
            {"cidr_ipv4": "0.0.0.0/0", "ip_protocol": "tcp", "from_port": 21, "to_port": 21},
            [20, 21],
            True,
        ),
        ({"cidr_ipv6": "::/0", "ip_protocol": "-1"}, [8080], True),
        ({"cidr_ipv4": "10.0.0.0/8", "ip_protocol": "-1"}, None, False),
    ],
)
def test_ports_and_protocols(
    after: dict[str, Any], ports: list[int] | None, reported: bool
) -> None:
    params = {"ports": ports} if ports else {}
    hits = run_rule(SECURITY_GROUP_INGRESS, make_plan(ingress(**after)), RULE, **params)
    assert bool(hits) is reported


def test_message_names_the_port_and_the_source() -> None:
    plan = make_plan(ingress(cidr_ipv4="0.0.0.0/0", ip_protocol="tcp", from_port=22, to_port=22))
    (hit,) = run_rule(SECURITY_GROUP_INGRESS, plan, RULE)
    assert hit.message == "admits 0.0.0.0/0 to port 22 (SSH)"


def test_unknown_source_on_an_admin_port_is_unknown() -> None:
    plan = make_plan(ingress(cidr_ipv4=..., ip_protocol="tcp", from_port=22, to_port=22))
    (hit,) = run_rule(SECURITY_GROUP_INGRESS, plan, RULE)
    assert hit.unknown


def test_unknown_source_on_another_port_is_not_reported() -> None:
    plan = make_plan(ingress(cidr_ipv4=..., ip_protocol="tcp", from_port=443, to_port=443))
    assert run_rule(SECURITY_GROUP_INGRESS, plan, RULE) == []


def test_nacl_zero_to_zero_means_every_port() -> None:
    plan = make_plan(
        resource(
            "aws_network_acl_rule",
            "r",
            {
                "egress": False,
                "rule_action": "allow",
                "protocol": "tcp",
                "cidr_block": "0.0.0.0/0",
                "from_port": 0,
                "to_port": 0,
            },
        )
    )
    assert run_rule(NACL_INGRESS, plan, "aws_network_acl_rule.r") != []


def test_rds_public_unknown_is_unknown() -> None:
    plan = make_plan(
        resource(
            "aws_rds_cluster_instance",
            "i",
            {"identifier": "i"},
            unknown={"publicly_accessible": True},
        )
    )
    (hit,) = run_rule(RDS_PUBLIC, plan, "aws_rds_cluster_instance.i")
    assert hit.unknown
