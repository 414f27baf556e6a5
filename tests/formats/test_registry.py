"""The format registry: every `--format` name the CLI accepts has a renderer."""

from __future__ import annotations

from tests.formats.sample import REPORT
from tfgate.cli import FORMAT_NAMES
from tfgate.formats import FORMATS


def test_cli_names_match_the_registry() -> None:
    assert tuple(FORMATS) == FORMAT_NAMES


def test_every_format_renders_text_ending_in_a_newline() -> None:
    for name, render in FORMATS.items():
        rendered = render(REPORT)
        assert rendered.endswith("\n"), name
