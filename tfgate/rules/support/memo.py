"""Per-plan lookup tables that rules build on first use and share for the rest of the plan.

A `Plan` holds mappings and so cannot be an lru_cache key; the table is kept by the plan's
identity, checked against the plan itself, and only for the few most recent plans.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from tfgate.plan.model import Plan

T = TypeVar("T")

_RECENT = 8
_TABLES: OrderedDict[tuple[int, str], tuple[Plan, Any]] = OrderedDict()


def per_plan(plan: Plan, name: str, build: Callable[[Plan], T]) -> T:
    """`build(plan)`, computed once per plan and `name`."""
    key = (id(plan), name)
    cached = _TABLES.get(key)
    if cached is not None and cached[0] is plan:
        value: T = cached[1]
        return value
    value = build(plan)
    _TABLES[key] = (plan, value)
    while len(_TABLES) > _RECENT * 4:
        _TABLES.popitem(last=False)
    return value
