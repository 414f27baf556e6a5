"""Counted nouns as people write them, for every message tfgate prints."""

from __future__ import annotations


def plural(count: int, noun: str) -> str:
    """`1 waiver`, `2 waivers`, `1 resource change`."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
