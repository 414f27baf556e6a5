"""Output formats: each is a pure `render(report) -> str`, registered here by name."""

from __future__ import annotations

import importlib
from collections.abc import Callable, MutableMapping

from tfgate.report import Report

Renderer = Callable[[Report], str]


def _lazy(module: str) -> Renderer:
    """A renderer that imports its module on first use: start-up pays only for what is used."""

    def render(report: Report) -> str:
        renderer: Renderer = importlib.import_module(f"tfgate.formats.{module}").render
        return renderer(report)

    render.__name__ = f"render_{module}"
    return render


FORMATS: MutableMapping[str, Renderer] = {
    name: _lazy(name) for name in ("text", "json", "sarif", "markdown", "github", "junit", "gitlab")
}
"""Every format by its `--format` name."""
