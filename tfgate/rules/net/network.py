"""Rules on network segmentation: administration and database ports closed to the internet,
databases not publicly accessible."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tfgate.plan.model import Resource
from tfgate.plan.values import Known, PathPart, View
from tfgate.report import Severity
from tfgate.rules.base import Context, Hit, Rule

OPEN_CIDRS = frozenset({"0.0.0.0/0", "::/0"})
ALL_PROTOCOLS = frozenset({"-1", "all"})
TCP = frozenset({"tcp", "6"})

PORT_NAMES: Mapping[int, str] = {
    20: "FTP data",
    21: "FTP",
    22: "SSH",
    1433: "SQL Server",
    1521: "Oracle",
    3306: "MySQL",
    3389: "RDP",
    4333: "mSQL",
    5432: "PostgreSQL",
    5439: "Redshift",
    6379: "Redis",
    9200: "Elasticsearch",
    11211: "Memcached",
    27017: "MongoDB",
}
DEFAULT_PORTS = (22, 3389, 1433, 1521, 3306, 5432, 5439, 6379, 9200, 11211, 27017)

PORTS_SCHEMA: Mapping[str, Any] = {
    "type": "array",
    "items": {"type": "integer", "minimum": 0, "maximum": 65535},
    "minItems": 1,
    "uniqueItems": True,
}

SEGMENTATION_CONTROLS: Mapping[str, tuple[str, ...]] = {
    "HIPAA": ("164.312(a)(1)", "164.312(e)(1)"),
    "PCI-DSS-4.0": ("1.2.8", "1.3.1", "1.3.2", "1.4.2", "1.5.1"),
    "GDPR": ("Art. 32",),
    "NRB": ("IT-2012-4-network-security",),
}


@dataclass(frozen=True, slots=True)
class Opening:
    """One ingress permission, as read from any of the four ways Terraform writes one."""

    label: str
    """Where it is: `ingress rule 2`, or empty for a resource that is one rule."""
    sources: tuple[str, ...]
    sources_unknown: bool
    protocol: str | None
    from_port: int | None
    to_port: int | None
    ports_unknown: bool


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip().lower()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _port(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _sources(
    view: View, base: tuple[PathPart, ...], names: Sequence[str]
) -> tuple[tuple[str, ...], bool]:
    found: list[str] = []
    unknown = False
    for name in names:
        path = (*base, name)
        if view.is_unknown(*path):
            unknown = True
            continue
        value = view.value(*path)
        items = value if isinstance(value, list) else [value]
        found.extend(item.strip() for item in items if isinstance(item, str))
    return tuple(found), unknown


def _opening(
    view: View,
    base: tuple[PathPart, ...],
    label: str,
    cidr_names: Sequence[str],
    protocol_name: str,
) -> Opening:
    sources, sources_unknown = _sources(view, base, cidr_names)
    ports_unknown = any(
        view.is_unknown(*base, name) for name in ("from_port", "to_port", protocol_name)
    )
    return Opening(
        label=label,
        sources=sources,
        sources_unknown=sources_unknown,
        protocol=_text(view.value(*base, protocol_name)),
        from_port=_port(view.value(*base, "from_port")),
        to_port=_port(view.value(*base, "to_port")),
        ports_unknown=ports_unknown,
    )


def _inline_rules_configured(resource: Resource) -> bool:
    """Whether the configuration writes inline `ingress` blocks.

    Without them the provider computes `ingress` from whatever rules exist, and those come from
    separate rule resources that are judged on their own.
    """
    return not resource.expressions or "ingress" in resource.expressions


def security_group_openings(resource: Resource, view: View) -> Iterator[Opening]:
    """Every ingress permission of a security group resource, in any of its three forms."""
    if resource.type == "aws_security_group":
        rules = view.value("ingress")
        if view.is_unknown("ingress") and not isinstance(rules, list):
            if _inline_rules_configured(resource):
                yield Opening("ingress", (), True, None, None, None, True)
            return
        for position in range(len(rules) if isinstance(rules, list) else 0):
            yield _opening(
                view,
                ("ingress", position),
                f"ingress rule {position + 1}",
                ("cidr_blocks", "ipv6_cidr_blocks"),
                "protocol",
            )
    elif resource.type == "aws_security_group_rule":
        kind = view.get("type")
        if isinstance(kind, Known) and kind.value != "ingress":
            return
        yield _opening(view, (), "", ("cidr_blocks", "ipv6_cidr_blocks"), "protocol")
    elif resource.type == "aws_vpc_security_group_ingress_rule":
        yield _opening(view, (), "", ("cidr_ipv4", "cidr_ipv6"), "ip_protocol")


def nacl_openings(resource: Resource, view: View) -> Iterator[Opening]:
    """Every allowing ingress entry of a network ACL resource."""
    if resource.type == "aws_network_acl":
        entries = view.value("ingress")
        if view.is_unknown("ingress") and not isinstance(entries, list):
            if _inline_rules_configured(resource):
                yield Opening("ingress", (), True, None, None, None, True)
            return
        for position in range(len(entries) if isinstance(entries, list) else 0):
            if _text(view.value("ingress", position, "action")) == "deny":
                continue
            yield _opening(
                view,
                ("ingress", position),
                f"ingress entry {position + 1}",
                ("cidr_block", "ipv6_cidr_block"),
                "protocol",
            )
    elif resource.type == "aws_network_acl_rule":
        if view.value("egress") is True or _text(view.value("rule_action")) == "deny":
            return
        yield _opening(view, (), "", ("cidr_block", "ipv6_cidr_block"), "protocol")


def exposed_ports(opening: Opening, ports: Sequence[int]) -> tuple[int, ...] | None:
    """The watched ports an opening lets in (empty: none), or None when that is unknown."""
    if opening.ports_unknown:
        return None
    protocol = opening.protocol
    if protocol in ALL_PROTOCOLS:
        return tuple(ports)
    if protocol not in TCP:
        return ()
    low = opening.from_port if opening.from_port is not None else 0
    high = opening.to_port if opening.to_port is not None else 65535
    if low == 0 and high == 0:
        high = 65535  # NACL entries and some rules write 0-0 for "all ports"
    return tuple(port for port in ports if low <= port <= high)


def _describe(ports: Sequence[int]) -> str:
    named = [f"{port} ({PORT_NAMES[port]})" if port in PORT_NAMES else str(port) for port in ports]
    return ", ".join(named)


def opening_hits(openings: Iterator[Opening], ports: Sequence[int]) -> Iterator[Hit]:
    for opening in openings:
        where = f"{opening.label} " if opening.label else ""
        open_sources = sorted(set(opening.sources) & OPEN_CIDRS)
        exposed = exposed_ports(opening, ports)
        if open_sources and exposed is None:
            yield Hit(
                f"{where}admits {' and '.join(open_sources)} on ports known only after apply",
                key=f"{opening.label}:{','.join(open_sources)}:?",
                unknown=True,
            )
        elif open_sources and exposed:
            yield Hit(
                f"{where}admits {' and '.join(open_sources)} to port {_describe(exposed)}",
                key=f"{opening.label}:{','.join(open_sources)}:{_describe(exposed)}",
            )
        elif opening.sources_unknown and exposed != ():
            yield Hit(
                f"{where}admits sources known only after apply"
                + (f" to port {_describe(exposed)}" if exposed else ""),
                key=f"{opening.label}:?",
                unknown=True,
            )


def check_security_group_ingress(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Blocks security groups that let the whole internet reach administration or database ports.

    ## What it does
    Reports an ingress permission open to `0.0.0.0/0` or `::/0` whose port range covers one of
    `ports`, in any of the three forms: `ingress` blocks of `aws_security_group`,
    `aws_security_group_rule` with `type = "ingress"`, and `aws_vpc_security_group_ingress_rule`.
    Protocol `-1` (all traffic) covers every port. A source or port known only after apply is
    reported as `unknown`.

    ## Why it matters
    SSH, RDP and database listeners reachable from anywhere are scanned within minutes of being
    exposed and attacked with stolen or guessed credentials and unpatched vulnerabilities.
    Administrative access belongs behind Session Manager, a VPN or a bastion, and databases
    behind the application tier.

    ## Example
    ```hcl
    resource "aws_vpc_security_group_ingress_rule" "fail_ssh" {
      security_group_id = aws_security_group.app.id
      cidr_ipv4         = "0.0.0.0/0"
      ip_protocol       = "tcp"
      from_port         = 22
      to_port           = 22
    }
    ```

    ## Fix
    Restrict the source to known networks (`cidr_ipv4 = "10.0.0.0/8"`) or to another security
    group (`referenced_security_group_id`), and use AWS Systems Manager Session Manager instead of
    opening SSH or RDP at all.

    ## Parameters
    - `ports` (list of integers, default 22, 3389, 1433, 1521, 3306, 5432, 5439, 6379, 9200,
      11211, 27017): ports that must not be open to the internet.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 5.2 and 5.3
    - PCI DSS v4.0, 1.2.8, 1.3.1, 1.3.2, 1.4.2, 1.5.1; HIPAA 164.312(a)(1), 164.312(e)(1)
    - AWS Config rules `restricted-ssh` and `restricted-common-ports`
    """
    ports = tuple(params.get("ports") or DEFAULT_PORTS)
    yield from opening_hits(security_group_openings(resource, view), ports)


SECURITY_GROUP_INGRESS = Rule(
    id="TFG-NET-001",
    name="security-group-open-admin-ports",
    title="Security group opens admin or database ports to the internet",
    severity=Severity.HIGH,
    resource_types=frozenset(
        {
            "aws_security_group",
            "aws_security_group_rule",
            "aws_vpc_security_group_ingress_rule",
        }
    ),
    controls={"CIS-AWS-3.0": ("5.2", "5.3"), **SEGMENTATION_CONTROLS},
    check=check_security_group_ingress,
    params_schema={"type": "object", "properties": {"ports": PORTS_SCHEMA}},
    defaults={"ports": list(DEFAULT_PORTS)},
)


def check_nacl_ingress(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Reports network ACLs that allow the whole internet in on administration ports.

    ## What it does
    Reports an allowing ingress entry open to `0.0.0.0/0` or `::/0` whose port range covers one
    of `ports`: `ingress` blocks of `aws_network_acl` and `aws_network_acl_rule` with
    `egress = false` and `rule_action = "allow"`. Protocol `-1` covers every port; a range of 0 to
    0 is read as every port. Entries are judged one by one: a lower-numbered deny entry is not
    taken into account.

    ## Why it matters
    Network ACLs are the subnet-wide second layer behind security groups. An ACL that admits SSH
    or RDP from anywhere leaves a single mistaken security group between the internet and every
    instance in the subnet.

    ## Example
    ```hcl
    resource "aws_network_acl_rule" "fail_rdp" {
      network_acl_id = aws_network_acl.public.id
      rule_number    = 100
      egress         = false
      protocol       = "tcp"
      rule_action    = "allow"
      cidr_block     = "0.0.0.0/0"
      from_port      = 3389
      to_port        = 3389
    }
    ```

    ## Fix
    Limit the entry's `cidr_block` to known networks, or remove it and reach instances through
    Session Manager.

    ## Parameters
    - `ports` (list of integers, default 22 and 3389): ports that must not be open to the
      internet.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 5.1
    - PCI DSS v4.0, 1.2.8, 1.3.1, 1.3.2, 1.4.2, 1.5.1
    - AWS Config rule `nacl-no-unrestricted-ssh-rdp`
    """
    ports = tuple(params.get("ports") or (22, 3389))
    yield from opening_hits(nacl_openings(resource, view), ports)


NACL_INGRESS = Rule(
    id="TFG-NET-002",
    name="nacl-open-admin-ports",
    title="Network ACL admits admin ports from the internet",
    severity=Severity.MEDIUM,
    resource_types=frozenset({"aws_network_acl", "aws_network_acl_rule"}),
    controls={"CIS-AWS-3.0": ("5.1",), **SEGMENTATION_CONTROLS},
    check=check_nacl_ingress,
    params_schema={"type": "object", "properties": {"ports": PORTS_SCHEMA}},
    defaults={"ports": [22, 3389]},
)


def check_rds_public(
    resource: Resource, view: View, ctx: Context, params: Mapping[str, Any]
) -> Iterator[Hit]:
    """Blocks RDS databases that are reachable from the internet.

    ## What it does
    Reports an `aws_db_instance` or `aws_rds_cluster_instance` with `publicly_accessible = true`.
    A value known only after apply is reported as `unknown`.

    ## Why it matters
    A publicly accessible database gets a public DNS name that resolves to a public IP address;
    one permissive security group rule then exposes it to the internet. Databases belong in
    private subnets, reached by the application tier only.

    ## Example
    ```hcl
    resource "aws_db_instance" "fail_reporting" {
      identifier          = "reporting"
      engine              = "mysql"
      instance_class      = "db.t4g.micro"
      allocated_storage   = 20
      publicly_accessible = true
    }
    ```

    ## Fix
    Set `publicly_accessible = false` (the default) and place the database in a DB subnet group
    of private subnets; reach it for administration through Session Manager port forwarding.

    ## Parameters
    None.

    ## References
    - CIS AWS Foundations Benchmark v3.0, 2.3.3
    - PCI DSS v4.0, 1.2.8, 1.3.1, 1.4.2; HIPAA 164.312(a)(1)
    - AWS Config rule `rds-instance-public-access-check`
    """
    if view.is_unknown("publicly_accessible"):
        yield Hit("publicly_accessible is known only after apply", unknown=True)
    elif view.value("publicly_accessible") is True:
        yield Hit("is publicly accessible from the internet (publicly_accessible = true)")


RDS_PUBLIC = Rule(
    id="TFG-NET-003",
    name="rds-publicly-accessible",
    title="RDS database publicly accessible",
    severity=Severity.HIGH,
    resource_types=frozenset({"aws_db_instance", "aws_rds_cluster_instance"}),
    controls={
        "CIS-AWS-3.0": ("2.3.3",),
        "HIPAA": ("164.312(a)(1)",),
        "PCI-DSS-4.0": ("1.2.8", "1.3.1", "1.4.2"),
        "GDPR": ("Art. 25",),
        "NRB": ("IT-2012-4-network-security",),
    },
    check=check_rds_public,
)
