"""Network exposure: security groups, network ACLs, public databases and buckets (TFG-NET)."""

from __future__ import annotations

from tfgate.rules.base import Rule
from tfgate.rules.net.network import NACL_INGRESS, RDS_PUBLIC, SECURITY_GROUP_INGRESS
from tfgate.rules.net.public_s3 import PUBLIC_ACCESS_BLOCK, PUBLIC_ACL

RULES: tuple[Rule, ...] = (
    NACL_INGRESS,
    RDS_PUBLIC,
    SECURITY_GROUP_INGRESS,
    PUBLIC_ACCESS_BLOCK,
    PUBLIC_ACL,
)
