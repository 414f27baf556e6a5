"""`parse_policy` on generated and hostile documents: a `Policy` or a clean `PolicyError`.

A statement-level defect is a `PolicyProblem` with a JSON pointer, never an exception; and no
message, problem or error may quote a value from the document.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.strategies import FUZZ, JSON_VALUES, WRONG_TYPES
from tfgate.errors import PolicyError
from tfgate.iam.policy import Policy, parse_policy

MARK = "SECRETVALUE"

ELEMENTS = (
    "Version",
    "Id",
    "Statement",
)
STATEMENT_KEYS = (
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
)

marked_text = st.text(max_size=6).map(lambda text: f"{MARK}{text}")
string_or_list = st.one_of(marked_text, st.lists(marked_text, max_size=3))
principal = st.one_of(
    st.just("*"),
    marked_text,
    st.dictionaries(st.sampled_from(("AWS", "aws", "Service", "Federated", MARK)), string_or_list),
)
condition = st.dictionaries(
    st.sampled_from(("StringEquals", "ForAnyValue:StringLike", "BoolIfExists", MARK)),
    st.dictionaries(
        marked_text,
        st.one_of(string_or_list, st.booleans(), st.integers(), st.floats(allow_nan=False)),
        max_size=2,
    ),
    max_size=2,
)


def anything(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(good, good, st.sampled_from(WRONG_TYPES), JSON_VALUES)


statement = st.fixed_dictionaries(
    {},
    optional={
        "Sid": anything(marked_text),
        "Effect": anything(st.sampled_from(("Allow", "Deny", "allow", " DENY ", MARK))),
        "Action": anything(string_or_list),
        "NotAction": anything(string_or_list),
        "Resource": anything(string_or_list),
        "NotResource": anything(string_or_list),
        "Principal": anything(principal),
        "NotPrincipal": anything(principal),
        "Condition": anything(condition),
    },
)
document = st.fixed_dictionaries(
    {},
    optional={
        "Version": anything(st.sampled_from(("2012-10-17", "2008-10-17", MARK))),
        "Id": anything(marked_text),
        "Statement": anything(st.one_of(statement, st.lists(statement, max_size=4))),
    },
)


def parse_or_refuse(value: Any) -> Policy | PolicyError:
    try:
        policy = parse_policy(value, source="aws_iam_policy.p.policy")
    except PolicyError as error:
        assert MARK not in str(error)
        assert "\n" not in str(error)
        return error
    for problem in policy.problems:
        assert MARK not in problem.message
        assert problem.pointer.startswith("/")
    return policy


@FUZZ
@given(document)
def test_generated_documents(value: dict[str, Any]) -> None:
    parse_or_refuse(value)
    parse_or_refuse(json.dumps(value))
    parse_or_refuse(json.dumps(value).encode())


@FUZZ
@given(JSON_VALUES)
def test_any_json_value(value: Any) -> None:
    parse_or_refuse(json.dumps(value))


@FUZZ
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_any_text(value: str | bytes) -> None:
    parse_or_refuse(value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "null",
        "NaN",
        '{"Statement": NaN}',
        '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": Infinity}]}',
        '{"Statement": [], "Statement": {"Effect": "Allow", "Action": "*"}}',
        "[" * 5000 + "]" * 5000,
        '{"Statement": [{"Condition": ' + '{"a":' * 1000 + "1" + "}" * 1000 + "}]}",
        '{"Statement": [{"Effect": "Allow", "Action": "' + "s3:" + "*" * 1_000_000 + '"}]}',
        "\ufeff" + '{"Statement": []}',
        '{"Statement": [{"Effect": "Allow", "Action": "\\ud800"}]}',
    ],
    ids=lambda text: repr(text[:30]),
)
def test_hostile_texts(text: str) -> None:
    parse_or_refuse(text)
    parse_or_refuse(text.encode("utf-8", "surrogatepass"))


def test_duplicate_statement_keys_keep_the_last() -> None:
    policy = parse_policy('{"Statement": [], "Statement": {"Effect": "Allow", "Action": "*"}}')
    assert [statement.actions for statement in policy.statements] == [("*",)]


@pytest.mark.parametrize("key", STATEMENT_KEYS)
@pytest.mark.parametrize("wrong", WRONG_TYPES, ids=repr)
def test_wrong_type_for_every_statement_element(key: str, wrong: Any) -> None:
    base = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    result = parse_or_refuse({"Version": "2012-10-17", "Statement": [{**base, key: wrong}]})
    assert isinstance(result, Policy)


@pytest.mark.parametrize("key", ELEMENTS)
@pytest.mark.parametrize("wrong", WRONG_TYPES, ids=repr)
def test_wrong_type_for_every_document_element(key: str, wrong: Any) -> None:
    base: dict[str, Any] = {"Version": "2012-10-17", "Statement": []}
    parse_or_refuse({**base, key: wrong})
