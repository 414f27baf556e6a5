"""Class 8: redaction comes before escaping, and credential shapes are found whatever is glued to
them (a control character, an escape the plan wrote, other letters)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.adversarial.outputs import (
    every_format,
    policy,
    resource_change,
    write_plan,
)
from tfgate.formats import github, markdown
from tfgate.redact import MASK, Redactor, TextKind, inert

SECRET_KEY = "wJalrXUtnFEMIzK7MDENGzbPxRfiCYzzPLANTED1"
GITHUB_TOKEN = "ghp_" + "Zq9" * 12
FINE_GRAINED = "github_pat_11ABCDEFG0" + "zQ9x" * 5 + "_" + "Pl4nted" * 8
PGP_BODY = "lQOYBGPLANTEDpgpSECRETbody"
PGP_KEY = (
    "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n"
    f"{PGP_BODY}\n=abcd\n-----END PGP PRIVATE KEY BLOCK-----"
)
ADDRESS = "aws_s3_bucket.Snyk_x"
URL_PASSWORD = "Pl4ntedUrlPassw0rd"
CONNECTION = f"postgres://admin:{URL_PASSWORD}@db.internal:5432/app"

# (what is written into the plan, the part that must never be printed)
PLANTED = {
    "tab then secret key": ("\t" + SECRET_KEY, SECRET_KEY),
    "escaped tab then secret key": ("\\x09" + SECRET_KEY, SECRET_KEY),
    "newline then secret key": ("\n" + SECRET_KEY + "\r", SECRET_KEY),
    "glued github token": ("ZZ" + GITHUB_TOKEN, GITHUB_TOKEN[4:]),
    "escape then github token": ("\x1b" + GITHUB_TOKEN, GITHUB_TOKEN[4:]),
    "fine-grained github token": (FINE_GRAINED, FINE_GRAINED[11:]),
    "pgp private key block": (PGP_KEY, PGP_BODY),
    "connection url password": (CONNECTION, URL_PASSWORD),
}


@pytest.mark.parametrize("planted", sorted(PLANTED))
def test_a_planted_credential_never_reaches_any_format(planted: str, tmp_path: Path) -> None:
    text, needle = PLANTED[planted]
    statement = {"Sid": f"x {text} y", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
    plan = write_plan(
        tmp_path,
        [resource_change("aws_iam_policy", "p", {"name": "p", "policy": policy(statement)})],
    )
    outputs = every_format(plan, tmp_path / "out", "--profile", "baseline")
    assert MASK in outputs["json"]
    for name, output in outputs.items():
        assert needle not in output, f"{planted} leaked into {name}"


def test_the_user_of_a_connection_url_stays() -> None:
    assert Redactor(()).outgoing(f"uses {CONNECTION}") == (
        f"uses postgres://admin:{MASK}@db.internal:5432/app"
    )


def test_a_password_holding_an_at_sign_is_masked_whole() -> None:
    assert Redactor(()).outgoing("redis://:p@ss@cache:6379") == f"redis://:{MASK}@cache:6379"


@pytest.mark.parametrize(
    "text",
    [
        "arn:aws:iam::123456789012:role/deploy",
        "https://token.actions.githubusercontent.com",
        "api://AzureADTokenExchange",
        "ghp_short",
        "s3://bucket/key:part",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert Redactor(()).outgoing(text) == text


# --------------------------------------------------------------------------------------------
# Properties: redaction is idempotent, and no planted credential survives, whatever surrounds it
# and whichever escaping the formats apply afterwards.

_CREDENTIAL_SHAPES = st.one_of(
    st.from_regex(r"AKIA[A-Z0-9]{16}", fullmatch=True),
    st.from_regex(r"gh[pousr]_[A-Za-z0-9]{36}", fullmatch=True),
    st.from_regex(r"github_pat_[A-Za-z0-9_]{30}", fullmatch=True),
    st.from_regex(r"xoxb-[0-9]{10}-[A-Za-z0-9]{12}", fullmatch=True),
    st.from_regex(r"eyJ[A-Za-z0-9]{12}\.eyJ[A-Za-z0-9]{12}\.[A-Za-z0-9]{12}", fullmatch=True),
)
_HOSTILE = st.lists(
    st.sampled_from(
        [
            *"aZ09 _-./:\\@\"'`*[]()|<>#!",
            *("\t", "\n", "\r", "\x00", "\x1b", "\x9b", "\u2028", "\u202e", "\u2066"),
            *("\\x09", "\\u2028", "\\n", MASK),
        ]
    ),
    max_size=12,
).map("".join)
# Plan secrets hold an upper-case letter: escapes (`\x1b`, `\u202e`) and the mask are lower case,
# so a secret can never be made out of them.
_SECRETS = st.lists(
    st.from_regex(r"[A-Z][A-Za-z0-9_-]{3,12}", fullmatch=True), max_size=3, unique=True
)

_ESCAPINGS = {
    "inert": inert,
    "markdown cell": markdown.escape,
    "markdown code": markdown.code,
    "github data": github.escape_data,
    "github property": github.escape_property,
    "json": json.dumps,
}


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    before=_HOSTILE,
    credential=_CREDENTIAL_SHAPES,
    after=_HOSTILE,
    secrets=_SECRETS,
    kind=st.sampled_from([TextKind.VALUE, TextKind.PATH]),
)
def test_no_glued_credential_survives_any_escaping(
    before: str, credential: str, after: str, secrets: list[str], kind: TextKind
) -> None:
    redactor = Redactor(tuple(sorted(secrets, key=lambda s: (-len(s), s))))
    cleaned = redactor.outgoing(before + credential + after, kind)
    distinctive = credential[-12:]
    for name, escape in _ESCAPINGS.items():
        assert distinctive not in escape(cleaned), name


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    before=st.text(alphabet=" \t\n\x1b\u202e,;'\"=", max_size=4),
    after=st.text(alphabet=" \t\n\x1b\u202e,;'\"/", max_size=4),
)
def test_a_secret_key_survives_no_boundary_escape(before: str, after: str) -> None:
    cleaned = Redactor(()).outgoing(before + SECRET_KEY + after)
    assert SECRET_KEY not in cleaned
    assert SECRET_KEY not in inert(cleaned)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    text=st.lists(
        st.one_of(
            _HOSTILE,
            _CREDENTIAL_SHAPES,
            st.sampled_from(["Snyk", "SECRET-1", ADDRESS]),
        ),
        max_size=6,
    ).map("".join),
    secrets=_SECRETS.map(lambda found: [*found, "Snyk", "SECRET-1"]),
    kind=st.sampled_from(list(TextKind)),
)
def test_redaction_is_idempotent(text: str, secrets: list[str], kind: TextKind) -> None:
    redactor = Redactor(
        tuple(sorted(set(secrets), key=lambda s: (-len(s), s))), frozenset({ADDRESS})
    )
    once = redactor.outgoing(text, kind)
    assert redactor.outgoing(once, kind) == once
    for secret in secrets if kind is TextKind.VALUE else ():
        assert secret not in once.replace(ADDRESS, "")


@pytest.mark.parametrize(
    ("text", "secrets", "kept"),
    [
        # a plan secret inside a credential: masking it first left the rest of the key behind
        ("key AKIA0000000000000000 end", ["A000"], ["key ", " end"]),
        # a credential inside a plan secret: masking the key first left the rest of the secret
        ("x pre-AKIAABCDEFGHIJKLMNOP-post y", ["pre-AKIAABCDEFGHIJKLMNOP-post"], ["x ", " y"]),
        # two plan secrets that overlap: replacing one first left the tail of the other
        ("a Secret-Value-Two b", ["Secret-Value", "Value-Two"], ["a ", " b"]),
    ],
)
def test_overlapping_secrets_and_credentials_are_masked_whole(
    text: str, secrets: list[str], kept: list[str]
) -> None:
    redacted = Redactor(tuple(secrets)).outgoing(text)
    assert redacted == kept[0] + MASK + kept[1]
