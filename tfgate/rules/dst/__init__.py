"""Destructive changes to production (TFG-DST)."""

from __future__ import annotations

from tfgate.rules.base import Rule
from tfgate.rules.dst.destructive import PRODUCTION_DESTROYED

RULES: tuple[Rule, ...] = (PRODUCTION_DESTROYED,)
