"""Output formats: each is a pure `render(report) -> str`, registered here by name."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from tfgate.formats import github, junit, markdown, sarif, text
from tfgate.formats import json as json_format
from tfgate.report import Report

Renderer = Callable[[Report], str]


def _text(report: Report) -> str:
    return text.render(report)


FORMATS: Mapping[str, Renderer] = {
    "text": _text,
    "json": json_format.render,
    "sarif": sarif.render,
    "markdown": markdown.render,
    "github": github.render,
    "junit": junit.render,
}
"""Every format by its `--format` name."""
