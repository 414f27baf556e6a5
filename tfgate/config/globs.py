"""Glob matching and glob coverage, in time bounded by the product of the two lengths.

Every glob tfgate meets (IAM actions, resource ARNs and condition values from the plan, resource
addresses in waivers, paths in the configuration) is matched here, never by a regular
expression built from the text: a backtracking engine takes exponential time on a pattern such as
`iam:************q`, and the pull request's author writes the policies.

The matcher is a bit-parallel simulation: the positions of the text (or of the inner pattern)
that a prefix of the pattern can reach form one integer, and each element of the pattern
updates that set with a few integer operations. The cost is at most
O(tokens of the pattern x length of the text / 64) word operations, with no backtracking and no
dependence on how the wildcards are arranged.

`*` is any run of characters (including none) and `?` exactly one; every other character is
literal (`[` and `]` included). A run of consecutive wildcards means only "at least (or, with no
`*`, exactly) k characters", so `*?`, `?*` and `*?*` are the same glob.

`covers(outer, inner)` decides language inclusion: whether `outer` matches every string `inner`
matches. It is exact for globs over an open alphabet (tests/fuzz/test_matcher.py holds it to a
brute-force decision procedure): `outer`'s literal characters each match
one literal character of `inner`, and each wildcard run of `outer` absorbs a stretch of `inner`
that is always long enough (and, for a run without `*`, always exactly that long). Units that
are not single characters (an opaque `${aws:username}` of a resource pattern, say) can be
matched only by the same unit or absorbed by a run with a `*`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "ANY",
    "ONE",
    "Glob",
    "address_matches",
    "concatenate",
    "covers",
    "glob",
    "glob_covers",
    "glob_matcher",
    "glob_matches",
    "normalise",
    "path_matches",
]

# Units of a glob are strings: a single character is literal; `ANY` (`*`) and `ONE` (`?`) are
# the wildcards; any other string of two or more characters is an opaque unit of unknown length
# (a policy variable), equal only to itself.
ANY = "\x00*"
ONE = "\x00?"


@dataclass(frozen=True, slots=True)
class _Run:
    """A run of wildcards: at least `ones` characters when `star`, else exactly `ones`."""

    ones: int
    star: bool


_Token = str | _Run


@dataclass(frozen=True, slots=True)
class Glob:
    """A glob as units, with each wildcard run in the normal form `?`...`?` then one `*`, and
    as tokens: each literal unit, and one `_Run` for each run of wildcards."""

    units: tuple[str, ...]
    tokens: tuple[_Token, ...]
    literal_units: int


def _fold(char: str) -> str:
    lower = char.lower()
    return lower if len(lower) == 1 else char


def _folded(text: str) -> str:
    return text.lower() if text.isascii() else "".join(map(_fold, text))


# Parsed globs are cached only up to this length: a glob holds a pointer per character, so a
# cache of long ones would hold several times the plan's own size.
_CACHED_LENGTH = 4096

# One character class, repeated: each match ends at the first character outside the class and
# the search resumes after it, so every character is examined at most twice (no backtracking).
_WILDCARD_RUN = re.compile(r"[*?]+")


def glob(text: str, fold_case: bool = False) -> Glob:
    """Parse `*`/`?` glob text; with `fold_case`, literal characters compare case-insensitively."""
    if len(text) > _CACHED_LENGTH:
        return _parse(text, fold_case)
    return _parse_cached(text, fold_case)


def _parse(text: str, fold_case: bool) -> Glob:
    if fold_case:
        text = _folded(text)
    builder = _Builder()
    position = 0
    for match in _WILDCARD_RUN.finditer(text):
        builder.literal(text[position : match.start()])
        run = match.group()
        builder.run(run.count("?"), "*" in run)
        position = match.end()
    builder.literal(text[position:])
    return builder.glob()


_parse_cached = lru_cache(maxsize=16384)(_parse)


class _Builder:
    """Collects literal text, opaque units and wildcard runs into a normalised Glob; literal
    text is added a whole string at a time, so building is linear and mostly done in C."""

    def __init__(self) -> None:
        self.units: list[str] = []
        self.tokens: list[_Token] = []
        self.literals = 0
        self.ones = 0
        self.star = False

    def _close_run(self) -> None:
        if self.ones or self.star:
            self.units.extend([ONE] * self.ones + [ANY] * self.star)
            self.tokens.append(_Run(self.ones, self.star))
            self.ones, self.star = 0, False

    def literal(self, text: str | tuple[str, ...]) -> None:
        if text:
            self._close_run()
            self.units.extend(text)
            self.tokens.extend(text)
            self.literals += len(text)

    def run(self, ones: int, star: bool) -> None:
        self.ones += ones
        self.star = self.star or star

    def glob(self) -> Glob:
        self._close_run()
        return Glob(tuple(self.units), tuple(self.tokens), self.literals)


def _literal(text: str) -> Glob:
    units = tuple(text)
    return Glob(units, units, len(units))


def normalise(units: Iterable[str]) -> Glob:
    """A Glob from units (literal characters, opaque units, `ANY`, `ONE`)."""
    builder = _Builder()
    for unit in units:
        if unit == ANY:
            builder.run(0, True)
        elif unit == ONE:
            builder.run(1, False)
        else:
            builder.literal((unit,))
    return builder.glob()


def concatenate(parts: Iterable[Glob | str]) -> Glob:
    """Globs and single opaque units one after the other, as one normalised Glob."""
    builder = _Builder()
    for part in parts:
        if isinstance(part, str):
            builder.literal((part,))
            continue
        for token in part.tokens:
            if isinstance(token, _Run):
                builder.run(token.ones, token.star)
            else:
                builder.literal((token,))
    return builder.glob()


@dataclass(frozen=True, slots=True)
class _Inner:
    """What the matcher needs to know about the inner glob (or text), computed once.

    Positions 0..n lie between units. `least[p]` is the fewest characters the units before
    position p can stand for; `first[m]` is the first position whose `least` reaches m; bit p
    of `fixed` is set when unit p stands for exactly one character (a literal or `?`).
    """

    units: tuple[str, ...]
    least: tuple[int, ...]
    first: tuple[int, ...]
    fixed: int
    every: int  # every position 0..n


def _inner(units: tuple[str, ...]) -> _Inner:
    return _describe(units) if len(units) > _CACHED_LENGTH else _describe_cached(units)


def _describe(units: tuple[str, ...]) -> _Inner:
    least = [0]
    first = [0]
    fixed = bytearray(len(units) // 8 + 1)
    for position, unit in enumerate(units):
        single = unit == ONE or len(unit) == 1
        least.append(least[-1] + single)
        if single:
            fixed[position >> 3] |= 1 << (position & 7)
            first.append(position + 1)
    return _Inner(
        units=units,
        least=tuple(least),
        first=tuple(first),
        fixed=int.from_bytes(fixed, "little"),
        every=(1 << (len(units) + 1)) - 1,
    )


_describe_cached = lru_cache(maxsize=4096)(_describe)


def _masks(inner: _Inner, wanted: set[str]) -> dict[str, int]:
    """For each unit in `wanted`, the positions p where inner unit p is that unit."""
    maps = {unit: bytearray(len(inner.units) // 8 + 1) for unit in wanted}
    for position, unit in enumerate(inner.units):
        bits = maps.get(unit)
        if bits is not None:
            bits[position >> 3] |= 1 << (position & 7)
    return {unit: int.from_bytes(bits, "little") for unit, bits in maps.items()}


def _lowest(reached: int) -> int:
    return (reached & -reached).bit_length() - 1


def covers(outer: Glob, inner: Glob) -> bool:
    """Whether `outer` matches every string `inner` matches (see the module docstring)."""
    if outer == inner:
        return True
    tokens = outer.tokens
    if len(tokens) == 1 and isinstance(tokens[0], _Run):
        run = tokens[0]
        length = _inner(inner.units).least[-1]
        if run.star:
            return length >= run.ones
        return length == len(inner.units) == run.ones  # every unit exactly one character
    if outer.literal_units > inner.literal_units:
        return False  # each literal of `outer` needs a literal of its own in `inner`
    return _simulate(tokens, _inner(inner.units))


def _simulate(tokens: Sequence[_Token], inner: _Inner) -> bool:
    literals = {token for token in tokens if isinstance(token, str)}
    masks = _masks(inner, literals)
    end = len(inner.units)
    reached = 1
    for token in tokens:
        if isinstance(token, str):
            reached = (reached & masks[token]) << 1
        elif token.star:
            target = inner.least[_lowest(reached)] + token.ones
            if target >= len(inner.first):
                return False
            start = max(inner.first[target], _lowest(reached))
            reached = inner.every & ~((1 << start) - 1)
        else:
            for _ in range(token.ones):
                reached = (reached & inner.fixed) << 1
                if not reached:
                    return False
        if not reached:
            return False
    return bool(reached >> end & 1)


@lru_cache(maxsize=65536)
def glob_matches(pattern: str, text: str, fold_case: bool = False) -> bool:
    """Whether the `*`/`?` glob `pattern` matches all of `text`."""
    return glob_matcher(pattern, fold_case)(text)


@lru_cache(maxsize=4096)
def glob_matcher(pattern: str, fold_case: bool = False) -> Callable[[str], bool]:
    """`glob_matches` with the pattern prepared once, for testing many texts against it."""
    if fold_case:
        pattern = _folded(pattern)
    if "?" not in pattern:
        parts = pattern.split("*")
        if fold_case:
            return lambda text: _star_matches(parts, _folded(text))
        return lambda text: _star_matches(parts, text)
    compiled = glob(pattern)
    if fold_case:
        return lambda text: covers(compiled, _literal(_folded(text)))
    return lambda text: covers(compiled, _literal(text))


def _star_matches(parts: list[str], text: str) -> bool:
    """A glob with `*` only, split at its stars: each part found leftmost, which is optimal
    (whatever a later part needs, an earlier placement leaves more room for it). `str.find`
    makes this O(len(text) x len(part)) at worst, with no backtracking across parts."""
    if len(parts) == 1:
        return parts[0] == text
    first, *middle, last = parts
    end = len(text) - len(last)
    if end < len(first) or not text.startswith(first) or not text.endswith(last):
        return False
    position = len(first)
    for part in middle:
        found = text.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


@lru_cache(maxsize=65536)
def glob_covers(outer: str, inner: str, fold_case: bool = False) -> bool:
    """Whether glob `outer` matches every string that glob `inner` matches."""
    return covers(glob(outer, fold_case), glob(inner, fold_case))


def address_matches(pattern: str, address: str) -> bool:
    """`*` matches any run of characters (dots and brackets included), `?` exactly one."""
    return glob_matches(pattern, address)


# ------------------------------------------------------------------------------------------------
# Paths: `*` and `?` stay within one directory, `**` crosses directories, `**/` may be empty.

_SEGMENT_ANY = "\x00seg*"
_SEGMENT_ONE = "\x00seg?"
_DIRS = "\x00dirs"  # `**/`: zero or more whole directories


@lru_cache(maxsize=1024)
def _path_tokens(pattern: str) -> tuple[str, ...]:
    tokens: list[str] = []
    position = 0
    while position < len(pattern):
        if pattern.startswith("**/", position):
            tokens.append(_DIRS)
            position += 3
        elif pattern.startswith("**", position):
            tokens.append(ANY)
            position += 2
        else:
            char = pattern[position]
            tokens.append(_SEGMENT_ANY if char == "*" else _SEGMENT_ONE if char == "?" else char)
            position += 1
    return tuple(tokens)


def path_matches(pattern: str, path: str) -> bool:
    """Shell-style path globs: `*` within one directory, `**` across directories."""
    tokens = _path_tokens(pattern.strip("/"))
    text = path.strip("/")
    wanted = {token for token in tokens if len(token) == 1} | {"/"}
    inner = _inner(tuple(text))
    masks = _masks(inner, wanted)
    not_slash = inner.every >> 1 & ~masks["/"]  # bit p: unit p exists and is not `/`
    after_slash = masks["/"] << 1
    reached = 1
    for token in tokens:
        low = _lowest(reached)
        if token == ANY:
            reached = inner.every & ~((1 << low) - 1)
        elif token == _DIRS:
            reached |= after_slash & ~((1 << (low + 1)) - 1)
        elif token == _SEGMENT_ANY:
            # Carry propagation fills every run of non-`/` units that starts at a reached
            # position: the classic bit-parallel step for `[^/]*`.
            movable = reached & not_slash
            reached |= ((movable + not_slash) ^ not_slash) & inner.every
        elif token == _SEGMENT_ONE:
            reached = (reached & not_slash) << 1
        else:
            reached = (reached & masks[token]) << 1
        if not reached:
            return False
    return bool(reached >> len(text) & 1)
