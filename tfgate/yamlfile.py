"""Safe YAML loading and schema validation, with errors that name the file, line and key."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from tfgate.errors import TfgateError
from tfgate.resources import schema

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
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise error("file not found", source=str(path)) from exc
    except IsADirectoryError as exc:
        raise error("is a directory, expected a YAML file", source=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise error("file is not UTF-8 text", source=str(path)) from exc
    except OSError as exc:
        raise error(f"cannot read file ({exc.strerror})", source=str(path)) from exc


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


class _Loader(yaml.SafeLoader):
    """The safe loader, with timestamps left as the text the user wrote (no datetime objects)."""


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def load_yaml(path: Path, error: type[TfgateError]) -> YamlDocument:
    """Read one YAML document with the safe loader; any problem becomes `error`."""
    text = _read_text(path, error)
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = exc.problem or "invalid YAML"
        raise error(f"invalid YAML: {problem}", source=str(path), pointer=where) from exc
    except yaml.YAMLError as exc:
        raise error("invalid YAML", source=str(path)) from exc
    except (ValueError, TypeError, RecursionError) as exc:
        raise error(f"invalid YAML ({type(exc).__name__})", source=str(path)) from exc
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


def validate(document: YamlDocument, schema_name: str, error: type[TfgateError]) -> None:
    """Validate against a shipped schema; the first error names its line and key."""
    validator = jsonschema.Draft202012Validator(schema(schema_name))
    errors = sorted(
        validator.iter_errors(document.data),
        key=lambda found: [str(part) for part in found.absolute_path],
    )
    if errors:
        first = errors[0]
        key_path = tuple(first.absolute_path)
        message = schema_message(first)
        if "propertyNames" in first.schema_path and isinstance(first.instance, str):
            key_path = (*key_path, first.instance)
            message = f"invalid key name: {message}"
        raise error(message, source=str(document.path), pointer=document.where(key_path))
