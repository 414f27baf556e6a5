"""Encryption at rest and KMS keys (TFG-ENC)."""

from __future__ import annotations

from tfgate.rules.base import Rule
from tfgate.rules.enc.encryption import (
    DATA_STORE_ENCRYPTION,
    EBS_ENCRYPTION,
    EFS_ENCRYPTION,
    KMS_ROTATION,
    MESSAGING_ENCRYPTION,
    RDS_ENCRYPTION,
    S3_ENCRYPTION,
)

RULES: tuple[Rule, ...] = (
    DATA_STORE_ENCRYPTION,
    EBS_ENCRYPTION,
    EFS_ENCRYPTION,
    KMS_ROTATION,
    MESSAGING_ENCRYPTION,
    RDS_ENCRYPTION,
    S3_ENCRYPTION,
)
