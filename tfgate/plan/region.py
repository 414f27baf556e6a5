"""Which AWS region each resource lives in, resolved from the plan's configuration.

The region of a resource comes, in order of precedence, from:

1. its own `region` argument (AWS provider v6 adds one to every regional resource): a constant,
   or a root variable resolved through the plan's `variables`;
2. a `region` value the plan already knows for it (v6 fills it in from the provider at plan time;
   existing v5 S3 buckets report theirs);
3. the provider configuration it uses: `configuration.provider_config` keyed `aws`, `aws.<alias>`,
   or `module.x:aws` for a provider declared inside a module.

Terraform (1.1 and later) already follows module calls' `providers = { aws = aws.eu }` mappings and
implicit inheritance when it writes a resource's `provider_config_key`: a resource in a module that
was passed `aws.eu` carries the key `aws.eu`. Older plans, and modules that only declare
`required_providers`, use a module-scoped key (`module.x:aws`, or `x:aws` before 0.13) with no
region of its own; that key inherits from the calling module, up to the root.

A region that cannot be known at plan time (set from the environment, a module input, a data
source) resolves to `None`: a rule must report it as unknown, never as a pass.

Plans can hold tens of thousands of resources, so provider regions are resolved once per plan and
memoised; `region_of` is then a dictionary lookup per resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tfgate.plan.model import Plan, Resource
from tfgate.plan.values import View

_CACHE_SIZE = 8


@dataclass(frozen=True, slots=True)
class ResolvedRegion:
    """A resource's region and where it came from.

    `region` is None when the plan cannot tell; `origin` says why, in words that name the
    provider configuration or variable, never a value that could be sensitive.
    """

    region: str | None
    origin: str

    @property
    def known(self) -> bool:
        return self.region is not None


@dataclass(slots=True)
class RegionIndex:
    """Provider configuration key → region, for one plan, filled on first use of each key."""

    plan: Plan
    _by_key: dict[str, ResolvedRegion] = field(default_factory=dict)

    def provider_region(self, key: str) -> ResolvedRegion:
        found = self._by_key.get(key)
        if found is None:
            found = self._resolve_key(key, ())
            self._by_key[key] = found
        return found

    def _resolve_key(self, key: str, seen: tuple[str, ...]) -> ResolvedRegion:
        if key in seen:  # a malformed plan; never loop
            return ResolvedRegion(None, f"provider configuration {key!r} refers to itself")
        config = self.plan.providers.get(key)
        if config is not None and "region" in config.expressions:
            return _from_expression(
                config.expressions["region"],
                self.plan,
                at_root=not config.module_address,
                what=f"provider {key!r}",
            )
        parent = parent_provider_key(key)
        if parent is not None:
            inherited = self._by_key.get(parent) or self._resolve_key(parent, (*seen, key))
            self._by_key.setdefault(parent, inherited)
            return inherited
        if config is None:
            return ResolvedRegion(None, f"provider {key!r} is not in the plan's configuration")
        return ResolvedRegion(
            None, f"provider {key!r} sets no region (it comes from the environment at apply time)"
        )


def parent_provider_key(key: str) -> str | None:
    """The key a module-scoped provider inherits from: `module.a.module.b:aws` → `module.a:aws`."""
    module, colon, local = key.rpartition(":")
    if not colon:
        return None
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "module":
        # `module.a.module.b` → `module.a`; one module level is two parts.
        parent = ".".join(parts[:-2])
    else:
        # Pre-0.13 plans write `a.b:aws` (call names without the `module.` prefix).
        parent = ".".join(parts[:-1])
    return f"{parent}:{local}" if parent else local


def _from_expression(expression: Any, plan: Plan, *, at_root: bool, what: str) -> ResolvedRegion:
    if not isinstance(expression, Mapping):
        return ResolvedRegion(None, f"{what} has a region expression tfgate cannot read")
    constant = expression.get("constant_value")
    if isinstance(constant, str) and constant:
        return ResolvedRegion(constant, what)
    references = expression.get("references")
    if isinstance(references, list) and references:
        first = references[0]
        if at_root and isinstance(first, str) and first.startswith("var."):
            name = first[4:].split(".", 1)[0].split("[", 1)[0]
            value = plan.variables.get(name)
            if isinstance(value, str) and value:
                return ResolvedRegion(value, f"{what} (variable {name!r})")
            return ResolvedRegion(None, f"{what}: variable {name!r} has no known string value")
        return ResolvedRegion(
            None, f"{what} takes its region from an expression known only at apply time"
        )
    return ResolvedRegion(None, f"{what} sets its region to an empty or computed value")


_INDEXES: dict[int, RegionIndex] = {}


def region_index(plan: Plan) -> RegionIndex:
    """The region index of `plan`, built once and reused while the plan is in use.

    `Plan` holds mappings and is not hashable, so the memo is keyed by identity and checks it.
    Only the last few plans are kept.
    """
    index = _INDEXES.get(id(plan))
    if index is not None and index.plan is plan:
        return index
    index = RegionIndex(plan)
    if len(_INDEXES) >= _CACHE_SIZE:
        del _INDEXES[next(iter(_INDEXES))]
    _INDEXES[id(plan)] = index
    return index


def region_of(plan: Plan, resource: Resource, view: View | None = None) -> ResolvedRegion:
    """Where `resource` lives, judged on `view` (its `after` side unless given)."""
    side = resource.after if view is None else view
    # Terraform omits unknown values from `after`, so a string found there is known.
    values = side.values
    attribute = values.get("region") if values is not None else None
    argument = resource.expressions.get("region") if resource.expressions else None
    if argument is not None:
        resolved = _from_expression(
            argument, plan, at_root=not resource.module_address, what="its region argument"
        )
        if resolved.known:
            return resolved
        if isinstance(attribute, str) and attribute:
            return ResolvedRegion(attribute, "its region argument")
        return resolved
    if isinstance(attribute, str) and attribute:
        return ResolvedRegion(attribute, "its region attribute")
    key = resource.provider_config_key or _default_key(resource)
    return region_index(plan).provider_region(key)


def _default_key(resource: Resource) -> str:
    """The key of the default provider configuration when the plan records none."""
    local = "aws"
    if resource.module_address:
        return f"module.{'.module.'.join(resource.module_path)}:{local}"
    return local


def arn_region(arn: str) -> str | None:
    """The region field of an ARN (`arn:aws:backup:eu-west-1:…` → `eu-west-1`), None if global."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    return parts[3] or None
