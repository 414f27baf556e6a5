"""Policy documents that are unknown in the plan, rebuilt from the Terraform source.

`policy = jsonencode({...})` that refers to one resource created in the same plan is wholly
unknown in plan JSON. When the `.tf` files the plan was made from are at hand, the expression is
evaluated (see `tfgate.hclvalue`): literals, `var.*` (the plan's root variable values, module
call arguments from the calling module's source, variable defaults), `local.*`, `each.*`,
`count.index`, `path.*`, module outputs, and `file` / `templatefile` of files inside the source
directory. A value known only after apply becomes a placeholder that matches nothing (an S3
bucket, OIDC or SAML provider ARN keeps its shape, with the parts that are unknown replaced), as
for a deferred `aws_iam_policy_document`.

The line between ordinary and evasive: an unknown value in `Sid`, `Resource`, `NotResource`,
`Principal`, `NotPrincipal` or `Condition` is ordinary (an ARN created by this plan). An unknown
value anywhere else (`Effect`, `Action`, `NotAction`, the statement list, a key) means what the
policy grants is decided after apply; the recovered document says so in `computed`, and the
statement blocks in every profile.

Anything that cannot be evaluated, a source that does not match the plan, or a file outside the
source directory leaves the document unknown: the profile decides, as without sources.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from tfgate.hclvalue import (
    ARBITRARY,
    PLACEHOLDER,
    Budget,
    Unknown,
    Unsupported,
    evaluate,
    index,
)
from tfgate.plan.address import module_path, split_address, strip_key
from tfgate.plan.model import Plan, Resource
from tfgate.plan.refs import NON_RESOURCE_ROOTS, Target, parse_reference
from tfgate.plan.values import PathPart, View, json_object
from tfgate.source import config_files, is_local_source, read_manifest, resolves_inside

if TYPE_CHECKING:
    from tfgate.rules.base import Context

MAX_FILE_BYTES = 4 << 20

# Where a statement may hold a value known only after apply without hiding what it grants.
ORDINARY_UNKNOWN = frozenset(
    {"Sid", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"}
)


@dataclass(frozen=True, slots=True)
class Recovered:
    """A document rebuilt from source: its JSON, and why its grant is computed ("" if it is not)."""

    text: str
    computed: str = ""


@dataclass(frozen=True, slots=True)
class _Module:
    """One module directory's blocks, locals, variables, module calls and outputs."""

    directory: Path
    relative: str
    blocks: Mapping[tuple[str, str, str], Any]
    locals: Mapping[str, Any]
    variables: Mapping[str, tuple[Any, bool]]
    calls: Mapping[str, Any]
    outputs: Mapping[str, Any]


@dataclass
class PolicySources:
    """The Terraform source of one plan's root module, read on first use.

    `root` is the root module's directory; every file read lies inside it once symlinks are
    resolved.
    """

    root: Path
    plan: Plan
    _real_root: str = ""
    _modules: dict[tuple[str, ...], _Module | None] = field(default_factory=dict)
    _values: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    _busy: set[tuple[str, str, str]] = field(default_factory=set)
    _available: bool | None = None

    def __post_init__(self) -> None:
        self._real_root = os.path.realpath(self.root)

    @property
    def available(self) -> bool:
        """True when the root module's directory holds Terraform files."""
        if self._available is None:
            self._available = bool(config_files(self.root))
        return self._available

    def recover(
        self, resource: Resource, view: View, path: tuple[PathPart, ...], ctx: Context
    ) -> Recovered | None:
        """The document at `path` of `resource`, rebuilt from source, or None."""
        if not self.available or view.values is None or view.is_sensitive(*path):
            return None
        module = self._module(resource.module_path)
        if module is None:
            return None
        body = module.blocks.get(("resource", resource.type, resource.name))
        if body is None:
            return None
        attributes = _attributes(body)
        scope = _Scope(self, module, resource.module_address, ctx, resource, attributes)
        try:
            expression, planned = _expression_at(body, resource, view, path, scope)
            if _roots(planned.get("references")) != _source_roots(expression):
                return None  # the source is not the configuration this plan was made from
            value = evaluate(expression, scope, budget=Budget())
            return _document(value)
        except (Unsupported, RecursionError):
            return None

    # -- reading the source ---------------------------------------------------------------------

    def _module(self, module_path: tuple[str, ...]) -> _Module | None:
        if module_path not in self._modules:
            self._modules[module_path] = self._read_module(module_path)
        return self._modules[module_path]

    def _read_module(self, module_path: tuple[str, ...]) -> _Module | None:
        if not module_path:
            directory = self.root
        else:
            caller = self._module(module_path[:-1])
            if caller is None:
                return None
            source = self.plan.module_sources.get(module_path)
            if isinstance(source, str) and is_local_source(source):
                directory = caller.directory / source
            else:
                installed = self._manifest().get(".".join(module_path))
                if installed is None:
                    return None
                directory = self.root / installed
        if not self._inside(directory) or not directory.is_dir():
            return None
        return _parse_module(directory, self._relative(directory), self._inside)

    def _manifest(self) -> dict[str, str]:
        return read_manifest(self.root / ".terraform" / "modules" / "modules.json")

    def _inside(self, path: Path) -> bool:
        return resolves_inside(path, Path(self._real_root))

    def _relative(self, directory: Path) -> str:
        relative = os.path.relpath(os.path.realpath(directory), self._real_root)
        return Path(relative).as_posix()

    def read_file(self, name: str) -> str:
        """A file named relative to the root module, only if it lies inside it."""
        path = self.root / name
        if os.path.isabs(name) or not self._inside(path) or not path.is_file():
            raise Unsupported("file outside the source directory")
        try:
            with path.open("rb") as stream:
                data = stream.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            raise Unsupported("file cannot be read") from error
        if len(data) > MAX_FILE_BYTES:
            raise Unsupported("file too large")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise Unsupported("file is not UTF-8") from error

    def cached(self, key: tuple[str, str, str], compute: Any) -> Any:
        """A module-level value (a local, a module output), computed once; a cycle fails."""
        if key in self._values:
            value = self._values[key]
            if isinstance(value, Unsupported):
                raise Unsupported(str(value))
            return value
        if key in self._busy:
            raise Unsupported("a value refers to itself")
        self._busy.add(key)
        try:
            value = compute()
        except Unsupported as error:
            self._values[key] = error
            raise
        finally:
            self._busy.discard(key)
        self._values[key] = value
        return value


@dataclass(frozen=True, slots=True)
class _Scope:
    """The names one expression may use: those of its module instance, and `each`/`count` of
    the resource (or module call) it belongs to."""

    sources: PolicySources
    module: _Module
    module_address: str
    ctx: Context
    resource: Resource | None = None
    attributes: Mapping[str, Any] | None = None

    def parse_expression(self, text: str) -> Any:
        return _parse_expression(text)

    def read_file(self, path: str) -> str:
        return self.sources.read_file(path)

    def reference(self, head: str, steps: Sequence[str | int]) -> Any:
        if head == "path" and steps and steps[0] in ("module", "root", "cwd"):
            value: Any = self.module.relative if steps[0] == "module" else "."
            return _walk(value, steps[1:])
        if head in ("each", "count"):
            return _walk(self._instance(head, steps[:1]), steps[1:])
        if head == "var" and steps and isinstance(steps[0], str):
            return _walk(self._variable(steps[0]), steps[1:])
        if head == "local" and steps and isinstance(steps[0], str):
            return _walk(self._local(steps[0]), steps[1:])
        if head == "module" and len(steps) >= 2 and all(isinstance(s, str) for s in steps[:2]):
            return _walk(self._output(str(steps[0]), str(steps[1])), steps[2:])
        if head == "data" and len(steps) >= 2:
            return self._resource(f"data.{steps[0]}.{steps[1]}", steps[2:])
        if head not in NON_RESOURCE_ROOTS and "_" in head and steps:
            return self._resource(f"{head}.{steps[0]}", steps[1:])
        raise Unsupported(f"reference to {head} is not evaluated")

    def _child(self, module: _Module, address: str) -> _Scope:
        return _Scope(self.sources, module, address, self.ctx)

    def _instance(self, head: str, steps: Sequence[str | int]) -> Any:
        """`each.key`, `each.value`, `count.index` of the resource this expression belongs to."""
        if self.resource is None or self.attributes is None:
            raise Unsupported(f"{head} outside a resource")
        key = self.resource.index
        counted = "count" in self.attributes and isinstance(key, int)
        if head == "count" and list(steps) == ["index"] and counted:
            return key
        if head == "each" and "for_each" in self.attributes and isinstance(key, str):
            if list(steps) == ["key"]:
                return key
            if list(steps) == ["value"]:
                scope = self._child(self.module, self.module_address)
                collection = evaluate(self.attributes["for_each"], scope)
                if isinstance(collection, Mapping):
                    return index(collection, key)
                if isinstance(collection, list) and key in collection:
                    return key
        raise Unsupported(f"{head} is not evaluated here")

    def _variable(self, name: str) -> Any:
        declared = self.module.variables.get(name)
        if declared is None:
            raise Unsupported(f"variable {name} is not declared")
        default, sensitive = declared
        if sensitive:
            return Unknown(ARBITRARY, (f"var.{name}",))  # never read, so never printed
        if not self.module_address:
            if name in self.sources.plan.variables:
                return self.sources.plan.variables[name]
            raise Unsupported(f"variable {name} has no value in the plan")
        parent_address, call, keyed = _parent(self.module_address)
        parent = self.sources._module(module_path(parent_address))
        call_body = parent.calls.get(call) if parent is not None else None
        if parent is None or call_body is None:
            raise Unsupported(f"module call {call} not found")
        arguments = _attributes(call_body)
        if keyed or "for_each" in arguments or "count" in arguments:
            raise Unsupported("arguments of a module call with count or for_each")
        if name in arguments:
            return evaluate(arguments[name], _Scope(self.sources, parent, parent_address, self.ctx))
        if default is not None:
            return evaluate(default, self)
        raise Unsupported(f"variable {name} has no value")

    def _local(self, name: str) -> Any:
        expression = self.module.locals.get(name)
        if expression is None:
            raise Unsupported(f"local {name} is not declared")
        scope = self._child(self.module, self.module_address)
        return self.sources.cached(
            (self.module_address, "local", name), lambda: evaluate(expression, scope)
        )

    def _output(self, call: str, name: str) -> Any:
        address = f"{self.module_address}.module.{call}".lstrip(".")
        module = self.sources._module(module_path(address))
        if module is None or name not in module.outputs:
            raise Unsupported(f"output {name} of module {call} not found")
        arguments = _attributes(self.module.calls.get(call) or {})
        if "for_each" in arguments or "count" in arguments:
            raise Unsupported("outputs of a module call with count or for_each")
        scope = self._child(module, address)
        return self.sources.cached(
            (address, "output", name), lambda: evaluate(module.outputs[name], scope)
        )

    def _resource(self, block: str, steps: Sequence[str | int]) -> Any:
        """An attribute of a resource or data source instance in this module instance."""
        plan = self.sources.plan
        instances = plan.instances(self.module_address, block)
        rest = list(steps)
        chosen: Resource | None = None
        if rest and any(instance.index == rest[0] for instance in instances):
            chosen = next(instance for instance in instances if instance.index == rest[0])
            rest = rest[1:]
        elif len(instances) == 1 and instances[0].index is None:
            chosen = instances[0]
        elif instances and not rest:
            return self._collection(instances)  # `aws_x.y[*].arn`, `for b in aws_x.y`
        if chosen is None:
            read = _read_data_source(plan, self.module_address, block)
            if read is None:
                raise Unsupported(f"{block} is not in the plan")
            return _walk(read, rest)
        if not rest:
            return _InstanceObject(self, chosen)
        return self.attribute(chosen, rest)

    def _collection(self, instances: Sequence[Resource]) -> Any:
        """Every instance of a block with `count` (a list) or `for_each` (an object)."""
        keys = [instance.index for instance in instances]
        if all(isinstance(key, int) for key in keys):
            ordered = sorted(instances, key=lambda instance: int(instance.index or 0))
            return [_InstanceObject(self, instance) for instance in ordered]
        if all(isinstance(key, str) for key in keys):
            return {str(i.index): _InstanceObject(self, i) for i in instances}
        raise Unsupported("instances with mixed keys")

    def attribute(self, chosen: Resource, rest: Sequence[str | int]) -> Any:
        """The value of one attribute of one resource instance, or what stands in for it."""
        key = "" if chosen.index is None else f"[{orjson.dumps(chosen.index).decode()}]"
        origin = ".".join([f"{chosen.config_address}{key}", *(str(step) for step in rest)])
        view = chosen.after
        if view.is_unknown(*rest):
            return _placeholder(chosen, rest, origin, self.ctx)
        if view.is_sensitive(*rest):
            return Unknown(ARBITRARY, (origin,))  # never read, so never printed: the worst case
        found = view.get(*rest)
        if not hasattr(found, "value"):
            return None  # absent: null
        return found.value


def _expression_at(
    body: Any, resource: Resource, view: View, path: tuple[PathPart, ...], scope: _Scope
) -> tuple[Any, Mapping[str, Any]]:
    """The source expression of the attribute at `path`, and the plan's configuration of it.

    `("policy",)` is an attribute of the block; `("inline_policy", n, "policy")` is the policy
    of the nested block whose `name` is the name the plan gives the n-th one (a set has no
    order of its own; the configuration lists the blocks in source order).
    """
    if len(path) == 1 and isinstance(path[0], str):
        expression = _attributes(body).get(path[0])
        planned = resource.expressions.get(path[0])
    elif len(path) == 3 and isinstance(path[1], int) and isinstance(path[2], str):
        name = view.value(path[0], path[1], "name")
        blocks = [child for kind, _, child in _blocks_of(body) if kind == path[0]]
        configured = resource.expressions.get(str(path[0]))
        matches = [
            position
            for position, block in enumerate(blocks)
            if "name" in _attributes(block) and evaluate(_attributes(block)["name"], scope) == name
        ]
        if not isinstance(name, str) or len(matches) != 1 or not isinstance(configured, list):
            raise Unsupported("nested block not matched to the source")
        position = matches[0]
        expression = _attributes(blocks[position]).get(path[2])
        entry = configured[position] if position < len(configured) else None
        planned = entry.get(path[2]) if isinstance(entry, Mapping) else None
    else:
        raise Unsupported("attribute path not matched to the source")
    if expression is None or not isinstance(planned, Mapping):
        raise Unsupported("attribute not in the source or the plan's configuration")
    return expression, planned


class _InstanceObject(Mapping[str, Any]):
    """A resource instance as an object: each attribute resolved when it is read."""

    def __init__(self, scope: _Scope, resource: Resource):
        self._scope = scope
        self._resource = resource
        after = resource.after
        names = set(after.values or {})
        if isinstance(after.unknown, Mapping):
            names.update(after.unknown)
        self._names = sorted(names)

    def __getitem__(self, key: str) -> Any:
        if key not in self._names:
            raise KeyError(key)
        return self._scope.attribute(self._resource, [key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _read_data_source(plan: Plan, module_address: str, block: str) -> Any:
    prefix = f"{module_address}." if module_address else ""
    return plan.data_sources.get(f"{prefix}{block}")


def _placeholder(resource: Resource, steps: Sequence[str | int], origin: str, ctx: Context) -> Any:
    """What stands in for an attribute known only after apply: an identifier AWS assigns (an
    ARN, an id, a name) stands in as a value that matches nothing; anything else the author
    could choose stands in as `ARBITRARY`."""
    if resource.mode == "data" and resource.type == "aws_iam_policy_document" and steps == ["json"]:
        from tfgate.rules.support.policy_documents import readings

        target = Target("data", resource.type, resource.name, resource.index)
        options = readings(resource.module_address, target, ctx)
        if options is not None and len(options) == 1:
            return Unknown(options[0].text, (origin,), orjson.loads(options[0].text))
        return Unknown(origins=(origin,))
    if list(steps) == ["arn"]:
        shape = _arn_shape(resource)
        if shape is not None:
            return Unknown(shape, (origin,))
    last = next((step for step in reversed(steps) if isinstance(step, str)), "")
    if resource.type.startswith("aws_") and (last in _ASSIGNED or last.endswith(("_arn", "_id"))):
        return Unknown(PLACEHOLDER, (origin,))
    return Unknown(ARBITRARY, (origin,))


# Attributes whose value AWS assigns or validates as an identifier: never a wildcard.
_ASSIGNED = frozenset(
    {"arn", "id", "name", "bucket", "issuer", "url", "arn_suffix", "repository_url", "key_id"}
)


def _arn_shape(resource: Resource) -> str | None:
    """The ARN a resource will have, with what is unknown replaced by the placeholder."""
    after = resource.after
    if resource.type == "aws_s3_bucket":
        bucket = after.value("bucket")
        return f"arn:aws:s3:::{bucket if isinstance(bucket, str) and bucket else PLACEHOLDER}"
    if resource.type == "aws_iam_openid_connect_provider":
        url = after.value("url")
        if isinstance(url, str) and url:
            host = url.split("://", 1)[-1].rstrip("/")
            return f"arn:aws:iam::{PLACEHOLDER}:oidc-provider/{host}"
    if resource.type == "aws_iam_saml_provider":
        name = after.value("name")
        if isinstance(name, str) and name:
            return f"arn:aws:iam::{PLACEHOLDER}:saml-provider/{name}"
    return None


def _walk(value: Any, steps: Sequence[str | int]) -> Any:
    for step in steps:
        value = index(value, step)
    return value


def _parent(module_address: str) -> tuple[str, str, bool]:
    """`module.a["k"].module.b` → (`module.a["k"]`, "b", False): the caller, the call's name,
    and whether this is one instance of a call with `count` or `for_each`."""
    parts = split_address(module_address)
    last = parts[-1]
    return ".".join(parts[:-2]), strip_key(last), last != strip_key(last)


# ------------------------------------------------------------------------------------------------
# The document, and where it holds values known only after apply


def _document(value: Any) -> Recovered | None:
    if isinstance(value, Unknown):
        text, origins = value.text, value.origins
    elif isinstance(value, str):
        text, origins = value, ()
    else:
        return None
    document = json_object(text)
    if document is None:
        return None
    if ARBITRARY in text:
        document = _worst_case(document)
        text = orjson.dumps(document).decode()
    places = list(_computed_places(document))
    if not places:
        return Recovered(text)
    named = ", ".join(origins) or "a value known only after apply"
    reason = (
        f"{places[0]} is computed from {named}, known only after apply, so what the policy "
        "grants is decided after the gate has judged it"
    )
    # Reported once, here; the other rules see the placeholder they already skip.
    return Recovered(text.replace(ARBITRARY, PLACEHOLDER), reason)


# What a value the author could choose stands in as, by statement element: the worst case for
# the gate. In an Allow, `Resource` and `Principal` are the widest they could be (`*`); in a
# Deny they match nothing (a Deny that might cover nothing cancels no grant). A `Condition`
# holds a condition tfgate cannot read, as for a deferred `aws_iam_policy_document` (the rules
# tell it from a missing one, and never let it cancel a grant); a `Sid`, a placeholder.
# Anywhere else the value stays, and `_computed_places` reports it.
_ARBITRARY_STANDS_IN = {
    "Resource": "*",
    "Principal": "*",
    "Condition": PLACEHOLDER,
    "Sid": PLACEHOLDER,
}
_ARBITRARY_IN_DENY = {**_ARBITRARY_STANDS_IN, "Resource": PLACEHOLDER, "Principal": PLACEHOLDER}


def _worst_case(document: dict[str, Any]) -> dict[str, Any]:
    statements = document.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict):
            continue
        deny = statement.get("Effect") == "Deny"
        for key, replacement in (_ARBITRARY_IN_DENY if deny else _ARBITRARY_STANDS_IN).items():
            if key in statement:
                statement[key] = _replace_marker(statement[key], replacement)
    return document


def _replace_marker(value: Any, replacement: str) -> Any:
    if isinstance(value, str):
        return value.replace(ARBITRARY, replacement)
    if isinstance(value, list):
        return [_replace_marker(item, replacement) for item in value]
    if isinstance(value, dict):
        return {
            _replace_marker(key, replacement): _replace_marker(item, replacement)
            for key, item in value.items()
        }
    return value


def _computed_places(document: Mapping[str, Any]) -> list[str]:
    """Where a document holds a placeholder that hides what it grants."""
    places: list[str] = []
    for key, value in document.items():
        if _holds_placeholder(key):
            places.append("a key of the policy")
        elif key not in ("Statement", "Id") and _holds_placeholder(value):
            places.append(key)
    statements = document.get("Statement")
    items = statements if isinstance(statements, list) else [statements]
    if isinstance(statements, str) and _holds_placeholder(statements):
        places.append("the statement list")
        items = []
    for position, statement in enumerate(items, start=1):
        if not isinstance(statement, Mapping):
            if _holds_placeholder(statement):
                places.append(f"statement {position}")
            continue
        label = statement.get("Sid") if isinstance(statement.get("Sid"), str) else None
        named = label and not _holds_placeholder(label)
        name = f"statement {label!r}" if named else f"statement {position}"
        for key, value in statement.items():
            if _holds_placeholder(key):
                places.append(f"a key of {name}")
            elif (key not in ORDINARY_UNKNOWN and _holds_placeholder(value)) or (
                _holds_placeholder(value, (ARBITRARY,))
            ):
                places.append(f"{key} of {name}")
    return places


def _holds_placeholder(value: Any, markers: tuple[str, ...] = (PLACEHOLDER, ARBITRARY)) -> bool:
    if isinstance(value, str):
        return any(marker in value for marker in markers)
    if isinstance(value, list):
        return any(_holds_placeholder(item, markers) for item in value)
    if isinstance(value, Mapping):
        return any(
            _holds_placeholder(key, markers) or _holds_placeholder(item, markers)
            for key, item in value.items()
        )
    return False


# ------------------------------------------------------------------------------------------------
# Cross-checking the source against the plan's configuration


def _roots(references: Any) -> frozenset[str]:
    """The blocks and names a plan expression refers to: `aws_s3_bucket.b`, `var.x`, ..."""
    found: set[str] = set()
    for reference in references if isinstance(references, list) else ():
        if isinstance(reference, str):
            root = _root(reference)
            if root is not None:
                found.add(root)
    return frozenset(found)


def _root(reference: str) -> str | None:
    target = parse_reference(reference)
    parts = split_address(reference)
    if target.kind in ("resource", "data"):
        return target.config_address
    if target.kind in ("var", "local", "module") and len(parts) >= 2:
        return f"{target.kind}.{strip_key(parts[1])}"
    return None


def _source_roots(expression: Any) -> frozenset[str]:
    """The same for a source expression: every traversal that starts with a name."""
    found: set[str] = set()
    bound: set[str] = set()
    stack = [expression]
    while stack:
        node = stack.pop()
        if not hasattr(node, "data"):
            continue
        if node.data == "for_intro":
            bound.update(str(c.children[0]) for c in node.children if _is_identifier(c))
        if node.data in ("get_attr_expr_term", "index_expr_term"):
            names = _traversal_names(node)
            if names:
                root = _root(".".join(names))
                if root is not None:
                    found.add(root)
        stack.extend(node.children)
    return frozenset(root for root in found if root.split(".", 1)[0] not in bound)


def _is_identifier(node: Any) -> bool:
    return getattr(node, "data", None) == "identifier"


def _traversal_names(node: Any) -> list[str]:
    """`a.b.c` of a traversal (stops at the first index), or [] if it does not start with a
    name."""
    names: list[str] = []
    current = node
    while hasattr(current, "data"):
        if current.data == "identifier":
            names.append(str(current.children[0]))
            return list(reversed(names))
        if current.data == "get_attr_expr_term":
            term, step = [c for c in current.children if hasattr(c, "data")]
            inner = [c for c in step.children if hasattr(c, "data")]
            names.append(str(inner[0].children[0]))
            current = term
        elif current.data == "index_expr_term":
            names.clear()
            current = next(c for c in current.children if hasattr(c, "data"))
        elif current.data == "expr_term":
            inner = [c for c in current.children if hasattr(c, "data")]
            if len(inner) != 1:
                return []
            current = inner[0]
        else:
            return []
    return []


# ------------------------------------------------------------------------------------------------
# Parsing with python-hcl2


def _parse_module(directory: Path, relative: str, inside: Any) -> _Module | None:
    blocks: dict[tuple[str, str, str], Any] = {}
    locals_: dict[str, Any] = {}
    variables: dict[str, tuple[Any, bool]] = {}
    calls: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    files = config_files(directory)
    if any(_is_override(path) for path in _all_files(directory)):
        return None  # override files rewrite blocks: what the plan holds is not this source
    for path in files:
        if not inside(path):
            continue
        tree = _parse_file(path)
        if tree is None:
            continue
        for block_type, labels, body in _blocks(tree):
            if block_type in ("resource", "data") and len(labels) == 2:
                kind = "resource" if block_type == "resource" else "data"
                blocks.setdefault((kind, labels[0], labels[1]), body)
            elif block_type == "locals" and not labels:
                for name, expression in _attributes(body).items():
                    locals_.setdefault(name, expression)
            elif block_type == "variable" and len(labels) == 1:
                attributes = _attributes(body)
                sensitive = "sensitive" in attributes
                variables.setdefault(labels[0], (attributes.get("default"), sensitive))
            elif block_type == "module" and len(labels) == 1:
                calls.setdefault(labels[0], body)
            elif block_type == "output" and len(labels) == 1:
                value = _attributes(body).get("value")
                if value is not None:
                    outputs.setdefault(labels[0], value)
    return _Module(directory, relative, blocks, locals_, variables, calls, outputs)


def _all_files(directory: Path) -> list[Path]:
    try:
        return [entry for entry in directory.iterdir() if entry.is_file()]
    except OSError:
        return []


def _is_override(path: Path) -> bool:
    name = path.name
    for suffix in (".tf", ".tofu", ".tf.json", ".tofu.json"):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return stem == "override" or stem.endswith("_override")
    return False


def _parse_file(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return _parse_text(text)


def _parse_text(text: str) -> Any:
    import hcl2  # imported on first use: building its parser costs a noticeable start-up time

    try:
        return hcl2.parses_to_tree(text)
    except Exception:  # python-hcl2 rejects some valid HCL: then nothing is recovered
        return None


@lru_cache(maxsize=4096)
def _parse_expression(text: str) -> Any:
    """The parse tree of one expression (an interpolation of a template)."""
    if len(text) > MAX_FILE_BYTES:
        raise Unsupported("expression too long")
    tree = _parse_text(f"tfgate_expression = {text}\n")
    attributes = _attributes(_body_of(tree)) if tree is not None else {}
    if "tfgate_expression" not in attributes:
        raise Unsupported("template expression cannot be parsed")
    return attributes["tfgate_expression"]


def _body_of(tree: Any) -> Any:
    for child in tree.children:
        if getattr(child, "data", None) == "body":
            return child
    return tree


def _blocks(tree: Any) -> list[tuple[str, list[str], Any]]:
    return _blocks_of(_body_of(tree))


def _blocks_of(body: Any) -> list[tuple[str, list[str], Any]]:
    """The blocks of a body: (type, labels, body)."""
    found: list[tuple[str, list[str], Any]] = []
    for block in body.children:
        if getattr(block, "data", None) != "block":
            continue
        parts = [child for child in block.children if hasattr(child, "data")]
        names = [_label(part) for part in parts if part.data != "body"]
        bodies = [part for part in parts if part.data == "body"]
        if names and bodies:
            found.append((names[0], names[1:], bodies[0]))
    return found


def _label(node: Any) -> str:
    pieces: list[str] = []
    for child in node.children:
        if hasattr(child, "data"):
            pieces.append(_label(child))
        elif child.type != "DBLQUOTE":
            pieces.append(str(child))
    return "".join(pieces)


def _attributes(body: Any) -> dict[str, Any]:
    """The attributes of a block body: name → expression tree (the first of each name)."""
    found: dict[str, Any] = {}
    for child in getattr(body, "children", ()):
        if getattr(child, "data", None) != "attribute":
            continue
        parts = [part for part in child.children if hasattr(part, "data")]
        if len(parts) == 2:
            found.setdefault(_label(parts[0]), parts[1])
    return found


def unjudged_note(count: int, sources_read: bool) -> str | None:
    """The report's note on documents that could not be judged, or None."""
    if count == 0:
        return None
    documents = "policy document is" if count == 1 else "policy documents are"
    if not sources_read:
        return (
            f"{count} {documents} known only after apply and could not be judged; no Terraform "
            "source (.tf files) was found in the root module's directory: pass --source-dir with "
            "that directory so tfgate can rebuild them from the source"
        )
    return (
        f"{count} {documents} known only after apply and could not be rebuilt from the "
        "Terraform source (an expression tfgate does not evaluate), so could not be judged"
    )
