"""Secrets written into configuration (TFG-SEC)."""

from __future__ import annotations

from tfgate.rules.base import Rule
from tfgate.rules.sec.secrets import DATABASE_PASSWORD_LITERAL, PLAINTEXT_CREDENTIALS

RULES: tuple[Rule, ...] = (
    DATABASE_PASSWORD_LITERAL,
    PLAINTEXT_CREDENTIALS,
)
