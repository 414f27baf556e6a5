"""Safe YAML loading with errors that name the file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tfgate.errors import TfgateError


def load_yaml(path: Path, error: type[TfgateError]) -> Any:
    """Read one YAML document with the safe loader; any problem becomes `error`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise error("file not found", source=str(path)) from exc
    except IsADirectoryError as exc:
        raise error("is a directory, expected a YAML file", source=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise error("file is not UTF-8 text", source=str(path)) from exc
    except OSError as exc:
        raise error(f"cannot read file ({exc.strerror})", source=str(path)) from exc
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        problem = exc.problem or "invalid YAML"
        raise error(f"invalid YAML: {problem}", source=str(path), pointer=where) from exc
    except yaml.YAMLError as exc:
        raise error("invalid YAML", source=str(path)) from exc
