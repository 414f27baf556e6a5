"""Data residency: where resources and their copies live (TFG-RES)."""

from __future__ import annotations

from tfgate.rules.base import Rule
from tfgate.rules.res.residency import COPY_REGION, RESOURCE_REGION

RULES: tuple[Rule, ...] = (
    COPY_REGION,
    RESOURCE_REGION,
)
