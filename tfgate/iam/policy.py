"""Parse an IAM policy document into frozen, normalised objects.

A document arrives as JSON text (from `jsonencode`, a heredoc or `aws_iam_policy_document.json`) or
as an already decoded mapping. `parse_policy` turns it into a `Policy` whose statements have every
"string or list" element as a tuple, the Effect in canonical case, principals as a mapping of
principal type to a tuple of strings, and conditions as a flat tuple of `Condition` objects.

How defects are handled
-----------------------
AWS rejects a malformed document when Terraform applies it, but a gate must still say something
useful about the rest of it. So there are two kinds of defect:

* A document that cannot be read at all raises `PolicyError`: text that is not JSON, a top-level
  value that is not an object, a missing `Statement`, or a `Statement` that is neither an object
  nor an array. Nothing can be analysed.
* A defect confined to one statement is recorded as a `PolicyProblem` on `Policy.problems` and
  parsing goes on. If the statement's meaning is still clear (an Effect written `"allow"`, an
  unknown `Version`, a Sid that is not a string) the statement is kept; otherwise (both `Action`
  and `NotAction`, neither, an Effect that is not Allow or Deny, an element of the wrong JSON type,
  a statement that is not an object) it is left out of `Policy.statements`. Rules report
  `problems` as "policy not evaluable" and analyse what remains; dropping an Allow can only hide
  a grant that AWS would refuse to create anyway, and dropping a Deny only widens what is granted.

Messages name elements and JSON pointers (`/Statement/2/Action`), never values from the document.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import orjson

from tfgate.errors import PolicyError

__all__ = [
    "POLICY_VERSIONS",
    "VERSION_2008",
    "VERSION_2012",
    "Condition",
    "Policy",
    "PolicyProblem",
    "Statement",
    "parse_policy",
]

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"
POLICY_VERSIONS = frozenset({VERSION_2012, VERSION_2008})

# Principal types IAM knows, keyed by their lower-case spelling so `"aws"` is read as `"AWS"`.
_PRINCIPAL_TYPES = {name.lower(): name for name in ("AWS", "Service", "Federated", "CanonicalUser")}

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Condition:
    """One key of one condition operator: `{"StringLike": {"aws:PrincipalArn": [...]}}`.

    `operator` is kept exactly as written (`ForAnyValue:StringLike`, `StringEqualsIfExists`),
    `key` is lower-cased (IAM compares condition keys case-insensitively) and `values` holds the
    values as strings; JSON booleans and numbers become their JSON text (`true`, `1`).
    """

    operator: str
    key: str
    values: tuple[str, ...]

    @property
    def qualifier(self) -> str | None:
        """`ForAnyValue` or `ForAllValues` when the operator has a set qualifier, else None."""
        head, sep, _ = self.operator.partition(":")
        if sep and head.lower() in ("foranyvalue", "forallvalues"):
            return "ForAnyValue" if head.lower() == "foranyvalue" else "ForAllValues"
        return None

    @property
    def if_exists(self) -> bool:
        """True for the `...IfExists` variants, which also match when the key is absent."""
        return self.operator.lower().endswith("ifexists")

    @property
    def base_operator(self) -> str:
        """The operator without set qualifier and IfExists suffix, e.g. `StringLike`."""
        _, sep, tail = self.operator.partition(":")
        name = tail if sep else self.operator
        if name.lower().endswith("ifexists"):
            name = name[: -len("IfExists")]
        return name

    @property
    def negated(self) -> bool:
        """True for operators that match when the value differs (`StringNotEquals`,
        `ArnNotLike`, `NotIpAddress`, `NumericNotEquals`, `DateNotEquals`)."""
        return "not" in self.base_operator.lower()


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of a policy, normalised.

    `index` is the 0-based position in the document's Statement array (0 when Statement is a
    single object). `effect` is `"Allow"` or `"Deny"` whatever case it was written in;
    `effect_malformed` records that it was not written in that canonical case. Each of
    `actions`, `not_actions`, `resources`, `not_resources` is None when the element is absent and
    a tuple of strings (kept as written) otherwise. `principals`/`not_principals` map a principal
    type (`AWS`, `Service`, `Federated`, `CanonicalUser`) to a tuple of strings; `"*"` is stored as
    `{"AWS": ("*",)}`. `variables` is True when `${...}` policy variables are live (Version
    2012-10-17); under 2008-10-17 or no Version they are literal text.
    """

    index: int
    sid: str | None
    effect: str
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    principals: Mapping[str, tuple[str, ...]] | None = field(default=None, hash=False)
    not_principals: Mapping[str, tuple[str, ...]] | None = field(default=None, hash=False)
    conditions: tuple[Condition, ...] = ()
    effect_malformed: bool = False
    variables: bool = True

    @property
    def is_allow(self) -> bool:
        return self.effect == "Allow"

    @property
    def is_deny(self) -> bool:
        return self.effect == "Deny"

    @property
    def label(self) -> str:
        """How findings name the statement: `Sid "X"`, else `statement #N` (1-based)."""
        if self.sid:
            return f'Sid "{self.sid}"'
        return f"statement #{self.index + 1}"


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    """A structural defect found while parsing: where it is and what is wrong (no values)."""

    pointer: str
    message: str


@dataclass(frozen=True, slots=True)
class Policy:
    """A parsed policy document.

    `version` is the Version string as written (None when absent; AWS then applies 2008-10-17).
    `statements` holds the statements that could be read, in document order. `problems` lists
    structural defects (see the module docstring); an empty tuple means the document is
    well-formed as far as the parser can tell.
    """

    version: str | None
    statements: tuple[Statement, ...]
    problems: tuple[PolicyProblem, ...] = ()
    allows: tuple[Statement, ...] = field(init=False, repr=False, compare=False)
    """The Allow statements, in document order (derived once; analysis asks for them often)."""
    hard_denies: tuple[Statement, ...] = field(init=False, repr=False, compare=False)
    """The Deny statements without conditions, in document order (derived once)."""
    _memo: dict[Hashable, Any] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "allows", tuple(st for st in self.statements if st.is_allow))
        object.__setattr__(
            self,
            "hard_denies",
            tuple(st for st in self.statements if st.is_deny and not st.conditions),
        )
        object.__setattr__(self, "_memo", {})

    def memo(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """`compute()`, run once per key for this policy and remembered.

        For answers that are a pure function of the policy (analysis results): documents are
        parsed once per distinct text, so `before`, `after` and every rule share them. Callers
        key by something of their own (a function, a tuple starting with one) and must not
        mutate what they get back.
        """
        try:
            return cast(_T, self._memo[key])
        except KeyError:
            value = compute()
            self._memo[key] = value
            return value

    @property
    def variables_enabled(self) -> bool:
        """True when `${...}` policy variables are evaluated (Version 2012-10-17 only)."""
        return self.version == VERSION_2012

    @property
    def is_valid(self) -> bool:
        return not self.problems


class _StatementDefect(Exception):
    """Internal: a statement cannot be read; carries the problem to record."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(message)
        self.problem = PolicyProblem(pointer, message)


def parse_policy(document: str | bytes | Mapping[str, Any], *, source: str | None = None) -> Policy:
    """Parse and normalise a policy document (JSON text or a decoded mapping).

    Raises PolicyError when the document cannot be read at all; records statement-level defects
    on `Policy.problems` (see the module docstring). `source` names the document in errors (for
    example a resource address and attribute).
    """
    data: Any
    if isinstance(document, str | bytes | bytearray):
        try:
            data = orjson.loads(document)
        except orjson.JSONDecodeError:
            raise PolicyError("policy is not valid JSON", source=source) from None
    else:
        data = document
    if not isinstance(data, Mapping):
        raise PolicyError("policy document is not a JSON object", source=source)

    problems: list[PolicyProblem] = []
    version = data.get("Version")
    if version is not None and not isinstance(version, str):
        problems.append(PolicyProblem("/Version", "Version is not a string"))
        version = None
    elif isinstance(version, str) and version not in POLICY_VERSIONS:
        problems.append(PolicyProblem("/Version", "Version is not 2012-10-17 or 2008-10-17"))
    variables = version == VERSION_2012

    if "Statement" not in data:
        raise PolicyError("policy has no Statement", source=source, pointer="/Statement")
    raw_statements = data["Statement"]
    entries: list[tuple[int, str, Any]]
    if isinstance(raw_statements, Mapping):
        entries = [(0, "/Statement", raw_statements)]
    elif isinstance(raw_statements, list):
        entries = [(i, f"/Statement/{i}", raw) for i, raw in enumerate(raw_statements)]
    else:
        raise PolicyError(
            "Statement is neither an object nor an array", source=source, pointer="/Statement"
        )

    statements: list[Statement] = []
    for index, pointer, raw in entries:
        try:
            statements.append(_parse_statement(index, pointer, raw, variables, problems))
        except _StatementDefect as defect:
            problems.append(defect.problem)
    return Policy(
        version=version if isinstance(version, str) else None,
        statements=tuple(statements),
        problems=tuple(problems),
    )


def _parse_statement(
    index: int, pointer: str, raw: Any, variables: bool, problems: list[PolicyProblem]
) -> Statement:
    if not _is_mapping(raw):
        raise _StatementDefect(pointer, "statement is not an object")

    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        problems.append(PolicyProblem(f"{pointer}/Sid", "Sid is not a string"))
        sid = None

    value = raw.get("Effect")
    if type(value) is str and value in _EFFECTS:
        effect, malformed = value, False  # the usual spelling: nothing to normalise
    else:
        effect, malformed = _parse_effect(pointer, value)
    if malformed:
        problems.append(PolicyProblem(f"{pointer}/Effect", "Effect is not written Allow or Deny"))

    for name, negated, required in _PAIRS:
        if name in raw:
            if negated in raw:
                raise _StatementDefect(pointer, f"statement has both {name} and {negated}")
        elif required and negated not in raw:
            raise _StatementDefect(pointer, f"statement has neither {name} nor {negated}")

    # The optional elements are looked at only when present (most statements have a few).
    return Statement(
        index=index,
        sid=sid,
        effect=effect,
        actions=_string_list(pointer, raw, "Action"),
        not_actions=_string_list(pointer, raw, "NotAction") if "NotAction" in raw else None,
        resources=_string_list(pointer, raw, "Resource") if "Resource" in raw else None,
        not_resources=(_string_list(pointer, raw, "NotResource") if "NotResource" in raw else None),
        principals=_principals(pointer, raw, "Principal") if "Principal" in raw else None,
        not_principals=(
            _principals(pointer, raw, "NotPrincipal") if "NotPrincipal" in raw else None
        ),
        conditions=_conditions(pointer, raw) if "Condition" in raw else (),
        effect_malformed=malformed,
        variables=variables,
    )


def _parse_effect(pointer: str, value: Any) -> tuple[str, bool]:
    if value is None:
        raise _StatementDefect(f"{pointer}/Effect", "statement has no Effect")
    if not isinstance(value, str):
        raise _StatementDefect(f"{pointer}/Effect", "Effect is not a string")
    lowered = value.strip().lower()
    if lowered == "allow":
        return "Allow", value != "Allow"
    if lowered == "deny":
        return "Deny", value != "Deny"
    raise _StatementDefect(f"{pointer}/Effect", "Effect is neither Allow nor Deny")


_EFFECTS = frozenset({"Allow", "Deny"})

# Elements of which a statement may have one form or the other, never both: (name, negated,
# whether one of them is required).
_PAIRS = (
    ("Action", "NotAction", True),
    ("Resource", "NotResource", False),
    ("Principal", "NotPrincipal", False),
)


def _string_list(pointer: str, raw: Mapping[str, Any], name: str) -> tuple[str, ...] | None:
    if name not in raw:
        return None
    value = raw[name]
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        for position, item in enumerate(value):
            if not isinstance(item, str):
                raise _StatementDefect(
                    f"{pointer}/{name}/{position}", f"{name} entry is not a string"
                )
        return tuple(value)
    raise _StatementDefect(
        f"{pointer}/{name}", f"{name} is neither a string nor an array of strings"
    )


def _principals(
    pointer: str, raw: Mapping[str, Any], name: str
) -> Mapping[str, tuple[str, ...]] | None:
    if name not in raw:
        return None
    value = raw[name]
    where = f"{pointer}/{name}"
    if isinstance(value, str):
        if value != "*":
            raise _StatementDefect(where, f"{name} string form must be *")
        return {"AWS": ("*",)}
    if not isinstance(value, Mapping):
        raise _StatementDefect(where, f"{name} is neither * nor an object")
    result: dict[str, tuple[str, ...]] = {}
    for kind, entries in value.items():
        if not isinstance(kind, str):
            raise _StatementDefect(where, f"{name} type is not a string")
        canonical = _PRINCIPAL_TYPES.get(kind.lower(), kind)
        kind_where = f"{where}/{_escape(kind)}"
        if isinstance(entries, str):
            values: tuple[str, ...] = (entries,)
        elif isinstance(entries, list) and all(isinstance(item, str) for item in entries):
            values = tuple(entries)
        else:
            raise _StatementDefect(kind_where, f"{name} entry is not a string or string array")
        result[canonical] = result.get(canonical, ()) + values
    return result


def _conditions(pointer: str, raw: Mapping[str, Any]) -> tuple[Condition, ...]:
    if "Condition" not in raw:
        return ()
    value = raw["Condition"]
    where = f"{pointer}/Condition"
    if not _is_mapping(value):
        raise _StatementDefect(where, "Condition is not an object")
    conditions: list[Condition] = []
    for operator, block in value.items():
        if not isinstance(operator, str):
            raise _StatementDefect(where, "condition operator is not a string")
        block_where = f"{where}/{_escape(operator)}"
        if not _is_mapping(block):
            raise _StatementDefect(block_where, "condition operator block is not an object")
        for key, values in block.items():
            if not isinstance(key, str):
                raise _StatementDefect(block_where, "condition key is not a string")
            key_where = f"{block_where}/{_escape(key)}"
            conditions.append(
                Condition(
                    operator=operator, key=key.lower(), values=_condition_values(key_where, values)
                )
            )
    return tuple(conditions)


def _condition_values(where: str, values: Any) -> tuple[str, ...]:
    items = values if isinstance(values, list) else [values]
    result: list[str] = []
    for item in items:
        if isinstance(item, str):
            result.append(item)
        elif isinstance(item, bool | int | float):
            result.append(orjson.dumps(item).decode())
        else:
            raise _StatementDefect(where, "condition value is not a string, number or boolean")
    return tuple(result)


def _is_mapping(value: Any) -> bool:
    # Decoded JSON holds plain dicts; the ABC check is the slow path for other mappings.
    return type(value) is dict or isinstance(value, Mapping)


def _escape(token: str) -> str:
    """Escape a key for use inside a JSON pointer (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")
