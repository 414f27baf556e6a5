"""Property tests for the glob matcher and glob coverage (`tfgate.config.globs`).

The matcher must agree with two references on short inputs: a translation to a regular
expression (as fnmatch does, without character classes) and a naive recursive matcher.
Coverage must agree with a brute-force decision procedure: an exploration of every state of the
product of the inner glob's automaton with the subset automaton of the outer glob, over the
patterns' letters plus one letter neither uses (any other character behaves like it). The
references are exponential in the worst case, which is why they live only here, on tiny inputs.
"""

from __future__ import annotations

import itertools
import re
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.strategies import FUZZ
from tfgate.config.globs import glob_covers, glob_matches, path_matches
from tfgate.iam.actions import pattern_matches

MANY = settings(FUZZ, max_examples=300)
LETTERS = "ab"
FRESH = "c"
PATTERNS = st.text(alphabet=LETTERS + "?*", max_size=7)
TEXTS = st.text(alphabet=LETTERS + FRESH, max_size=9)


def translated(pattern: str, text: str, fold_case: bool = False) -> bool:
    """The reference the issue names: `*` -> `.*`, `?` -> `.`, everything else escaped."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = re.DOTALL | (re.IGNORECASE if fold_case else 0)
    return re.fullmatch(regex, text, flags) is not None


def naive(pattern: str, text: str) -> bool:
    """Recursive matching straight from the definition."""

    @cache
    def match(p: int, t: int) -> bool:
        if p == len(pattern):
            return t == len(text)
        if pattern[p] == "*":
            return match(p + 1, t) or (t < len(text) and match(p, t + 1))
        if t == len(text):
            return False
        return (pattern[p] == "?" or pattern[p] == text[t]) and match(p + 1, t + 1)

    return match(0, 0)


def _closure(pattern: str, states: set[int]) -> frozenset[int]:
    reached = set(states)
    pending = list(states)
    while pending:
        state = pending.pop()
        if state < len(pattern) and pattern[state] == "*" and state + 1 not in reached:
            reached.add(state + 1)
            pending.append(state + 1)
    return frozenset(reached)


def _step(pattern: str, states: frozenset[int], char: str) -> frozenset[int]:
    following = set()
    for state in states:
        if state < len(pattern):
            if pattern[state] == "*":
                following.add(state)
            elif pattern[state] in ("?", char):
                following.add(state + 1)
    return _closure(pattern, following)


def brute_force_covers(outer: str, inner: str) -> bool:
    """Whether every string `inner` matches, `outer` matches: explore all reachable pairs."""
    alphabet = sorted(set(outer + inner + FRESH) - {"*", "?"})
    start = (_closure(inner, {0}), _closure(outer, {0}))
    seen = {start}
    pending = [start]
    while pending:
        inner_states, outer_states = pending.pop()
        if len(inner) in inner_states and len(outer) not in outer_states:
            return False
        for char in alphabet:
            following = (_step(inner, inner_states, char), _step(outer, outer_states, char))
            if following[0] and following not in seen:
                seen.add(following)
                pending.append(following)
    return True


@MANY
@given(PATTERNS, TEXTS)
def test_matching_agrees_with_the_references(pattern: str, text: str) -> None:
    expected = translated(pattern, text)
    assert naive(pattern, text) is expected
    assert glob_matches(pattern, text) is expected


@MANY
@given(st.text(alphabet="aBcD?*:", max_size=8), st.text(alphabet="AbCd:x", max_size=9))
def test_case_folded_matching_agrees_with_ignorecase(pattern: str, text: str) -> None:
    expected = translated(pattern, text, fold_case=True)
    assert glob_matches(pattern, text, fold_case=True) is expected
    assert pattern_matches(pattern, text) is (expected or pattern in ("*", "*:*"))


@MANY
@given(PATTERNS, PATTERNS)
def test_coverage_agrees_with_brute_force(outer: str, inner: str) -> None:
    assert glob_covers(outer, inner) is brute_force_covers(outer, inner)


@FUZZ
@given(PATTERNS, PATTERNS)
def test_coverage_is_sound_on_every_short_string(outer: str, inner: str) -> None:
    if not glob_covers(outer, inner):
        return
    for length in range(6):
        for letters in itertools.product(LETTERS + FRESH, repeat=length):
            text = "".join(letters)
            assert not naive(inner, text) or naive(outer, text), text


@MANY
@given(PATTERNS)
def test_only_stars_and_question_marks_cover_every_long_enough_string(pattern: str) -> None:
    """`*?`, `?*`, `*?*`: with at least one `*`, a pattern of wildcards only covers every
    string at least as long as its `?`s, and no shorter one; anything else covers no such set."""
    wild = set(pattern) <= {"*", "?"} and "*" in pattern
    ones = pattern.count("?")
    assert glob_covers(pattern, "?" * ones + "*") is wild
    if ones:
        assert not glob_covers(pattern, "?" * (ones - 1) + "*")


def path_reference(pattern: str, path: str) -> bool:
    """Shell-style globs as the regular expression they stand for."""
    parts = []
    position = 0
    while position < len(pattern):
        if pattern.startswith("**/", position):
            parts.append("(?:.*/)?")
            position += 3
        elif pattern.startswith("**", position):
            parts.append(".*")
            position += 2
        elif pattern[position] == "*":
            parts.append("[^/]*")
            position += 1
        elif pattern[position] == "?":
            parts.append("[^/]")
            position += 1
        else:
            parts.append(re.escape(pattern[position]))
            position += 1
    return re.fullmatch("".join(parts), path, re.DOTALL) is not None


PATH_PIECES = st.sampled_from(["a", "b", "/", "*", "**", "**/", "?"])


@MANY
@given(st.lists(PATH_PIECES, max_size=6).map("".join), st.text(alphabet="ab/", max_size=9))
def test_path_globs_agree_with_the_reference(pattern: str, path: str) -> None:
    expected = path_reference(pattern.strip("/"), path.strip("/"))
    assert path_matches(pattern, path) is expected
