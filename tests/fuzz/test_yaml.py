"""Configuration YAML under hostile input: safe loading, limits, one clear error per problem.

Every loader (`tfgate.yaml`, profiles, waivers) goes through `load_yaml`; the properties below
hold for all three, and the limits are tested one by one with the message each gives.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.strategies import FUZZ, FUZZ_SLOW, JSON_VALUES
from tfgate.config.profiles import load_profile
from tfgate.config.selection import load_config
from tfgate.config.waivers import load_waivers
from tfgate.config.yamlfile import YamlDocument, load_yaml
from tfgate.errors import ConfigError, ProfileError, TfgateError
from tfgate.limits import (
    MAX_YAML_ALIASES,
    MAX_YAML_BYTES,
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
)

YAML_ALPHABET = st.sampled_from(
    [*"abc019 :-,[]{}&*!|>'\"#?%@`\n\t.<=", "---", "...", "<<: ", "!!python/object ", "\ufeff"]
)
yaml_like_text = st.lists(YAML_ALPHABET, max_size=60).map("".join)

LOADERS: dict[str, Callable[[Path], object]] = {
    "config": load_config,
    "profile": lambda path: load_profile(str(path)),
    "waivers": load_waivers,
}


def write(text: str | bytes, name: str = "file.yaml") -> Path:
    directory = Path(tempfile.mkdtemp(prefix="tfgate-fuzz-"))
    path = directory / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def load_or_refuse(path: Path, loader: Callable[[Path], object] | None = None) -> object:
    try:
        return (loader or (lambda p: load_yaml(p, ConfigError)))(path)
    except TfgateError as error:
        message = str(error)
        assert "\n" not in message, message
        assert str(path) in message, message
        return error


def refusal(text: str | bytes) -> str:
    path = write(text)
    with pytest.raises(ConfigError) as caught:
        load_yaml(path, ConfigError)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    return message.removeprefix(str(path))


@FUZZ
@given(yaml_like_text)
def test_any_yaml_like_text(text: str) -> None:
    load_or_refuse(write(text))


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes(data: bytes) -> None:
    load_or_refuse(write(data))


@FUZZ_SLOW
@given(JSON_VALUES, st.sampled_from(sorted(LOADERS)))
def test_every_loader_on_any_data(value: Any, kind: str) -> None:
    text = yaml.safe_dump(value)
    load_or_refuse(write(text), LOADERS[kind])


@FUZZ_SLOW
@given(
    st.dictionaries(
        st.sampled_from(
            ("name", "extends", "rules", "frameworks", "on_unknown", "description", "x")
        ),
        JSON_VALUES,
        max_size=5,
    )
)
def test_profile_shaped_data(value: dict[str, Any]) -> None:
    load_or_refuse(write(yaml.safe_dump(value)), LOADERS["profile"])


def test_safe_loading_only() -> None:
    for tag in ("!!python/object/apply:os.system ['true']", "!!python/name:os.system ''"):
        assert "could not determine a constructor for the tag" in refusal(f"a: {tag}")


def test_size_limit_is_checked_before_reading() -> None:
    assert refusal(b"#" * (MAX_YAML_BYTES + 1)) == (
        ": file is larger than 4 MiB, the limit for YAML files"
    )


def test_nesting_depth_limit() -> None:
    message = refusal("[" * (MAX_YAML_DEPTH + 1) + "]" * (MAX_YAML_DEPTH + 1))
    assert message == f" at line 1, column {MAX_YAML_DEPTH + 1}: nested deeper than 64 levels"
    assert "deeper" in refusal("[" * 100_000)  # far deeper than the parser's stack


def test_depth_limit_counts_alias_expansion() -> None:
    levels = "a: &a " + "[" * 40 + "]" * 40 + "\nb: &b " + "[" * 30 + "*a" + "]" * 30
    assert "once aliases are resolved" in refusal(levels)


def test_alias_count_limit() -> None:
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * (MAX_YAML_ALIASES + 1)) + "]"
    assert refusal(text).endswith(f": more than {MAX_YAML_ALIASES} aliases (*name)")


def test_billion_laughs() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 10)]
    message = refusal("\n".join(lines))
    assert f"the document expands to more than {MAX_YAML_NODES} nodes" in message


def test_recursive_alias() -> None:
    assert refusal("a: &a [*a]").endswith(": an alias refers to a node that contains it")


def test_one_document_only() -> None:
    assert refusal("a: 1\n---\nb: 2\n") == (
        " at line 2, column 1: the file holds more than one YAML document (a second `---`); "
        "tfgate reads exactly 1 per file"
    )


def test_duplicate_keys_are_refused() -> None:
    assert refusal("rules:\n  a: 1\n  b: 2\n  a: 3\n") == (
        " at line 4, column 3: duplicate key 'a' (first at line 2)"
    )


def test_merge_keys_still_work() -> None:
    document = load_yaml(write("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n"), ConfigError)
    assert document.data["other"] == {"x": 1, "y": 2}


def test_a_bom_is_tolerated() -> None:
    assert load_yaml(write("\ufeffa: 1\n"), ConfigError).data == {"a": 1}


def test_not_utf8() -> None:
    assert refusal(b"a: \xff\xfe\n") == ": file is not UTF-8 text"


def test_empty_file_is_no_data() -> None:
    assert load_yaml(write(""), ConfigError).data is None


def test_huge_integer() -> None:
    assert refusal("a: " + "9" * 10_000) == ": invalid YAML (ValueError)"


def test_unhashable_key() -> None:
    assert "unhashable" in refusal("? [a, b]\n: c\n")


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_limits_apply_to_every_loader(kind: str) -> None:
    path = write("a: &a [*a]")
    with pytest.raises((ConfigError, ProfileError)) as caught:
        LOADERS[kind](path)
    assert str(caught.value).startswith(str(path))
    assert "an alias refers to a node that contains it" in str(caught.value)


def test_errors_never_quote_values() -> None:
    secret = "hunter2-SECRETVALUE"
    for text in (
        f"a: {secret}\na: 2",
        f"a: [{secret}\n",
        f"a: !!python/object {secret}",
        f"a: '{secret}\n",
        f"{secret}: 1\n---\nb: 1",
    ):
        path = write(text)
        with pytest.raises(ConfigError) as caught:
            load_config(path)
        assert "SECRETVALUE" not in str(caught.value), str(caught.value)


def test_loading_returns_a_document() -> None:
    document = load_yaml(write("a:\n  - 1\n  - b: 2\n"), ConfigError)
    assert isinstance(document, YamlDocument)
    assert document.line_of(("a", 1, "b")) == 3
