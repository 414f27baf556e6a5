"""The plan model: frozen objects built once from `terraform show -json` output.

Rules never see raw plan JSON; they see a `Resource` (one entry of `resource_changes`, or a data
source read at plan time) and ask the `Plan` about the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tfgate.plan.address import InstanceKey, instance_key, module_path, split_address, strip_key
from tfgate.plan.values import EMPTY_VIEW, View

CREATE = "create"
UPDATE = "update"
DELETE = "delete"
NO_OP = "no-op"
READ = "read"
FORGET = "forget"


@dataclass(frozen=True, slots=True)
class Resource:
    """One resource instance and the change the plan makes to it.

    `module_path` is the module address with instance keys removed (`("net", "subnets")` for
    `module.net["a"].module.subnets[0]`); with `config_address` it joins the instance to its
    un-expanded block in `configuration`.
    """

    address: str
    module_address: str
    mode: str
    type: str
    name: str
    index: int | str | None
    actions: frozenset[str]
    before: View = EMPTY_VIEW
    after: View = EMPTY_VIEW
    provider_name: str = ""
    provider_config_key: str = ""
    importing: bool = False
    previous_address: str | None = None
    deposed: str | None = None
    module_path: tuple[str, ...] = ()
    expressions: Mapping[str, Any] = field(default_factory=dict)

    @property
    def config_address(self) -> str:
        prefix = "data." if self.mode == "data" else ""
        return f"{prefix}{self.type}.{self.name}"

    @property
    def creates(self) -> bool:
        """True when the plan brings a new object into being (create, replace, or import)."""
        return CREATE in self.actions or self.importing

    @property
    def deletes(self) -> bool:
        return DELETE in self.actions

    @property
    def changes(self) -> bool:
        """True when the plan creates, updates, replaces or imports this resource."""
        return self.creates or UPDATE in self.actions

    @property
    def unchanged(self) -> bool:
        return self.actions == frozenset({NO_OP}) and not self.importing


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    """A provider block of `configuration.provider_config` (`aws`, `aws.eu`, `module.x:aws`)."""

    key: str
    name: str
    alias: str | None
    module_address: str
    expressions: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ReadData:
    """A data source instance read at plan time (from `prior_state`)."""

    address: str
    key: InstanceKey | None
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Plan:
    """A parsed plan: the changes, data sources read at plan time, and the configuration."""

    source: str
    format_version: str
    terraform_version: str
    resources: tuple[Resource, ...]
    data_sources: Mapping[str, Mapping[str, Any]]
    providers: Mapping[str, ProviderConfig]
    variables: Mapping[str, Any]
    module_sources: Mapping[tuple[str, ...], str] = field(default_factory=dict)
    """The `source` of every module call in `configuration`, by module path."""
    module_inputs: Mapping[tuple[str, ...], Mapping[str, Any]] = field(default_factory=dict)
    """The argument expressions of every module call, by the path of the module it makes."""
    module_outputs: Mapping[tuple[str, ...], Mapping[str, Any]] = field(default_factory=dict)
    """The expression of every output, by module path and output name."""
    complete: bool = True
    by_address: Mapping[str, tuple[Resource, ...]] = field(default_factory=dict)
    by_config: Mapping[tuple[tuple[str, ...], str], tuple[Resource, ...]] = field(
        default_factory=dict
    )

    by_block: Mapping[tuple[str, str], tuple[Resource, ...]] = field(init=False, repr=False)
    """`by_config` split by module instance: (module address, block address) → resources."""

    read_data: Mapping[tuple[str, str], tuple[ReadData, ...]] = field(init=False, repr=False)
    """`data_sources` by (module address, block address), each instance with its key."""

    def __post_init__(self) -> None:
        found: dict[tuple[str, str], list[Resource]] = {}
        paths: dict[str, tuple[str, ...]] = {}
        for (path, config_address), resources in self.by_config.items():
            for resource in resources:
                address = resource.module_address
                if address not in paths:
                    paths[address] = module_path(address)
                if paths[address] == path:
                    found.setdefault((address, config_address), []).append(resource)
        object.__setattr__(self, "by_block", {key: tuple(r) for key, r in found.items()})
        read: dict[tuple[str, str], list[ReadData]] = {}
        for address, values in self.data_sources.items():
            parts = split_address(address)
            if len(parts) < 3 or parts[-3] != "data":
                continue
            block = (".".join(parts[:-3]), f"data.{parts[-2]}.{strip_key(parts[-1])}")
            read.setdefault(block, []).append(ReadData(address, instance_key(parts[-1]), values))
        object.__setattr__(self, "read_data", {key: tuple(r) for key, r in read.items()})

    def instances(self, module_address: str, config_address: str) -> tuple[Resource, ...]:
        """Resources of one block (`aws_kms_key.logs`) inside one module instance.

        One dict lookup: a block of a module with thousands of `for_each` instances must not
        cost a scan of every instance of that block.
        """
        return self.by_block.get((module_address, config_address), ())
