"""Safe YAML loading and schema validation, with errors that name the file, line and key."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from tfgate.errors import TfgateError
from tfgate.limits import (
    MAX_YAML_ALIASES,
    MAX_YAML_BYTES,
    MAX_YAML_DEPTH,
    MAX_YAML_DOCUMENTS,
    MAX_YAML_NODES,
    describe_size,
)
from tfgate.resources import schema

if TYPE_CHECKING:
    import jsonschema

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """A parsed YAML file and the line where each key path starts."""

    path: Path
    data: Any
    lines: Mapping[KeyPath, int] = field(default_factory=dict)

    def line_of(self, key_path: Iterable[str | int]) -> int | None:
        """The line of the deepest key on `key_path` that the file spells out."""
        parts = tuple(key_path)
        while parts:
            if parts in self.lines:
                return self.lines[parts]
            parts = parts[:-1]
        return self.lines.get(())

    def where(self, key_path: Iterable[str | int]) -> str:
        parts = tuple(key_path)
        key = "/".join(str(part) for part in parts) or "(top level)"
        line = self.line_of(parts)
        return f"line {line}, key {key}" if line else f"key {key}"


def _read_text(path: Path, error: type[TfgateError]) -> str:
    """The file's text, refused before it is read when it is larger than `MAX_YAML_BYTES`."""
    try:
        with path.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > MAX_YAML_BYTES:
                raise error(_too_large(), source=str(path))
            data = stream.read(MAX_YAML_BYTES + 1)  # bounded, also for pipes and devices
    except FileNotFoundError as exc:
        raise error("file not found", source=str(path)) from exc
    except IsADirectoryError as exc:
        raise error("is a directory, expected a YAML file", source=str(path)) from exc
    except OSError as exc:
        raise error(f"cannot read file ({exc.strerror})", source=str(path)) from exc
    if len(data) > MAX_YAML_BYTES:
        raise error(_too_large(), source=str(path))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error("file is not UTF-8 text", source=str(path)) from exc


def _too_large() -> str:
    return f"file is larger than {describe_size(MAX_YAML_BYTES)}, the limit for YAML files"


def _line_index(node: yaml.Node, prefix: KeyPath, lines: dict[KeyPath, int]) -> None:
    lines.setdefault(prefix, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key: str | int = str(key_node.value)
            lines[(*prefix, key)] = key_node.start_mark.line + 1
            _line_index(value_node, (*prefix, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            _line_index(item, (*prefix, position), lines)


def _plain(value: Any) -> Any:
    """YAML dates and timestamps become ISO strings, so schemas see what the user wrote."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class _LimitExceeded(yaml.YAMLError):
    """Internal: the file breaks one of the limits in `tfgate.limits`."""

    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """The safe loader with limits, and timestamps left as the text the user wrote.

    Only the safe constructors exist (no Python objects). While composing, it counts nesting
    depth and alias references, so a hostile file fails fast with a clear message instead of
    exhausting the stack, memory or time.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.aliases = 0

    def _mark(self) -> yaml.Mark | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        mark: yaml.Mark | None = getattr(event, "start_mark", None)
        return mark

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise _LimitExceeded(f"more than {MAX_YAML_ALIASES} aliases (*name)", self._mark())
            return super().compose_node(parent, index)
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                raise _LimitExceeded(f"nested deeper than {MAX_YAML_DEPTH} levels", self._mark())
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def single_node(self) -> yaml.Node | None:
        """The one document's node (None for an empty file); a second document is an error."""
        self.get_event()  # type: ignore[no-untyped-call]  # StreamStartEvent
        node: yaml.Node | None = None
        if not self.check_event(yaml.StreamEndEvent):
            node = self.compose_document()
        if not self.check_event(yaml.StreamEndEvent):
            raise _LimitExceeded(
                "the file holds more than one YAML document (a second `---`); tfgate reads "
                f"exactly {MAX_YAML_DOCUMENTS} per file",
                self._mark(),
            )
        self.get_event()  # type: ignore[no-untyped-call]
        return node


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)

_MERGE_TAG = "tag:yaml.org,2002:merge"


def check_graph(root: yaml.Node) -> None:
    """Refuse a node graph that is cyclic, too big once aliases expand, too deep, or that
    repeats a key in one mapping (a reviewer reads the first, YAML keeps the last).

    Iterative, memoised by node identity: each distinct node is visited once, however many
    aliases point to it, so checking costs no more than the text itself.
    """
    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded node count, height)
    visiting: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            children = _children(node)
            count = 1 + sum(sizes[id(child)][0] for child in children)
            height = 1 + max((sizes[id(child)][1] for child in children), default=0)
            if count > MAX_YAML_NODES:
                raise _LimitExceeded(
                    f"the document expands to more than {MAX_YAML_NODES} nodes once aliases are "
                    "resolved",
                    node.start_mark,
                )
            if height > MAX_YAML_DEPTH:
                raise _LimitExceeded(
                    f"nested deeper than {MAX_YAML_DEPTH} levels once aliases are resolved",
                    node.start_mark,
                )
            sizes[key] = (count, height)
            visiting.discard(key)
            continue
        if key in sizes:
            continue
        if key in visiting:
            raise _LimitExceeded("an alias refers to a node that contains it", node.start_mark)
        visiting.add(key)
        if isinstance(node, yaml.MappingNode):
            _refuse_duplicate_keys(node)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in visiting:
                raise _LimitExceeded("an alias refers to a node that contains it", child.start_mark)
            if id(child) not in sizes:
                stack.append((child, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _refuse_duplicate_keys(node: yaml.MappingNode) -> None:
    seen: dict[str, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
            continue
        name = str(key_node.value)
        line = key_node.start_mark.line + 1
        if name in seen:
            raise _LimitExceeded(
                f"duplicate key {name!r} (first at line {seen[name]})", key_node.start_mark
            )
        seen[name] = line


def _mark_text(mark: yaml.Mark | None) -> str | None:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark else None


def load_yaml(path: Path, error: type[TfgateError]) -> YamlDocument:
    """Read one YAML document with the safe loader and the limits; any problem becomes `error`.

    Errors name the file and the line, never a value from the file.
    """
    text = _read_text(path, error)
    loader: _Loader | None = None
    try:
        loader = _Loader(text)  # the reader rejects control characters here
        node = loader.single_node()
        if node is not None:
            check_graph(node)
        data = loader.construct_document(node) if node is not None else None
    except _LimitExceeded as exc:
        raise error(exc.message, source=str(path), pointer=_mark_text(exc.mark)) from exc
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or "invalid YAML"
        raise error(
            f"invalid YAML: {problem}", source=str(path), pointer=_mark_text(exc.problem_mark)
        ) from exc
    except yaml.YAMLError as exc:
        raise error("invalid YAML", source=str(path)) from exc
    except (ValueError, TypeError, RecursionError) as exc:
        raise error(f"invalid YAML ({type(exc).__name__})", source=str(path)) from exc
    finally:
        if loader is not None:
            loader.dispose()
    lines: dict[KeyPath, int] = {}
    if node is not None:
        _line_index(node, (), lines)
    return YamlDocument(path, _plain(data), lines)


def schema_message(error: jsonschema.ValidationError) -> str:
    """A short message for a schema violation that never quotes the offending value."""
    validator = error.validator
    if validator == "additionalProperties":
        declared: Any = error.schema
        extra = sorted(
            set(error.instance) - set(declared.get("properties", {}))
            if isinstance(error.instance, dict)
            else []
        )
        return f"unknown key {', '.join(map(repr, extra))}" if extra else "unknown key"
    if validator == "enum":
        options: Any = error.validator_value
        return f"must be one of {', '.join(str(option) for option in options)}"
    if validator == "required":
        missing = str(error.message).split("'")[1] if "'" in str(error.message) else "a key"
        return f"missing required key {missing!r}"
    if validator == "type":
        return f"must be of type {error.validator_value}"
    if validator == "pattern":
        return f"does not match the pattern {error.validator_value}"
    if validator in ("minLength", "minItems"):
        return "is too short"
    if validator == "minimum":
        return f"must be at least {error.validator_value}"
    if validator == "oneOf":
        return "must be a profile name or a list of profile names"
    if validator == "uniqueItems":
        return "has duplicate items"
    return f"invalid value ({validator})"


def schema_errors(document: YamlDocument, schema_name: str) -> list[tuple[KeyPath, str]]:
    """Every violation of a shipped schema, as (key path, message), in key-path order."""
    import jsonschema  # costs a tenth of a second: only files that are validated pay for it

    validator = jsonschema.Draft202012Validator(schema(schema_name))
    errors = sorted(
        validator.iter_errors(document.data),
        key=lambda found: [str(part) for part in found.absolute_path],
    )
    problems: list[tuple[KeyPath, str]] = []
    for found in errors:
        key_path = tuple(found.absolute_path)
        message = schema_message(found)
        if "propertyNames" in found.schema_path and isinstance(found.instance, str):
            key_path = (*key_path, found.instance)
            message = f"invalid key name: {message}"
        problems.append((key_path, message))
    return problems


def validate(document: YamlDocument, schema_name: str, error: type[TfgateError]) -> None:
    """Validate against a shipped schema; the first error names its line and key."""
    problems = schema_errors(document, schema_name)
    if problems:
        key_path, message = problems[0]
        raise error(message, source=str(document.path), pointer=document.where(key_path))
