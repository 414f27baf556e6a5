"""Evaluate a bounded subset of HCL expressions, from python-hcl2's parse tree.

Values are what `jsonencode` sees: strings, numbers, booleans, null, lists and objects, plus
`Unknown`, a value known only after apply. The caller resolves names (`var.x`, `local.x`,
`aws_s3_bucket.b.arn`, `each.key`, `path.module`) and files through a `Scope`; this module knows
only the language.

Supported: literals, strings and heredocs with `${...}` interpolation, tuples, objects, attribute
and index access, splats over known lists, conditionals, arithmetic, comparison and logical
operators, `for` expressions over known collections, and the functions in `_FUNCTIONS`. Anything
else raises `Unsupported`, and the caller leaves the value unknown: an evaluator that guesses
would let a policy through that Terraform builds differently. Template directives (`%{ if }`,
`%{ for }`) are not supported.

Every evaluation is bounded: nesting depth, the number of steps, the length of strings and the
number of items of collections; a `for` expression runs over a collection that is already
bounded, so nothing can loop.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

PLACEHOLDER = "${tfgate:known-after-apply}"
"""Stands in for a value AWS assigns after apply (an ARN, an id): it matches nothing."""
ARBITRARY = "${tfgate:computed-after-apply}"
"""Stands in for a value known after apply that the author can choose (a random string, a
parameter's value, a function of unknown values): it could be anything, `*` included."""

MAX_DEPTH = 64
MAX_STEPS = 200_000
MAX_STRING = 1 << 20
MAX_ITEMS = 10_000


class Unsupported(Exception):
    """The expression uses something this evaluator does not evaluate (or exceeds a bound)."""


@dataclass(frozen=True, slots=True, eq=False)
class Unknown:
    """A value known only after apply: `text` stands in for it, `origins` name where it comes
    from (`aws_ssm_parameter.actions.value`)."""

    text: str = PLACEHOLDER
    origins: tuple[str, ...] = ()
    decoded: Any = None
    """For a JSON document known only after apply but rebuilt with placeholders: its content."""


class Scope(Protocol):
    """Names and files an expression may use; each method raises `Unsupported` when it cannot
    answer, and returns `Unknown` for a value known only after apply."""

    def reference(self, head: str, steps: Sequence[str | int]) -> Any:
        """The value of a traversal: `head` is `var`, `local`, `aws_s3_bucket`, `data`, ...;
        `steps` are the attribute names and index keys that follow (as far as they are
        literal)."""
        ...

    def read_file(self, path: str) -> str:
        """The text of a file inside the source directory (relative to the root module)."""
        ...

    def parse_expression(self, text: str) -> Any:
        """The parse tree of one expression (used for `${...}` in templates)."""
        ...


@dataclass
class Budget:
    """Steps left for one evaluation; shared by everything one document evaluates."""

    steps: int = MAX_STEPS

    def spend(self) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise Unsupported("expression too large to evaluate")


@dataclass
class Evaluator:
    scope: Scope
    budget: Budget = field(default_factory=Budget)
    bound: Mapping[str, Any] = field(default_factory=dict)
    """Names bound by `for` expressions and `templatefile` variables."""

    def evaluate(self, node: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise Unsupported("expression nested too deeply")
        self.budget.spend()
        kind = _kind(node)
        handler = _HANDLERS.get(kind)
        if handler is None:
            raise Unsupported(f"unsupported expression ({kind})")
        return handler(self, node, depth + 1)

    def with_bindings(self, names: Mapping[str, Any]) -> Evaluator:
        return Evaluator(self.scope, self.budget, {**self.bound, **names})

    # -- terms ----------------------------------------------------------------------------------

    def _expr_term(self, node: Any, depth: int) -> Any:
        children = _trees(node)
        if len(children) != 1:
            raise Unsupported("malformed expression")
        return self.evaluate(children[0], depth)

    def _literal(self, node: Any, depth: int) -> Any:
        text = str(node.children[0])
        return {"true": True, "false": False, "null": None}[text]

    def _int(self, node: Any, depth: int) -> Any:
        return int(str(node.children[0]))

    def _float(self, node: Any, depth: int) -> Any:
        value = float(str(node.children[0]))
        if not math.isfinite(value):
            raise Unsupported("number out of range")
        return int(value) if value.is_integer() and abs(value) < 2**53 else value

    def _string(self, node: Any, depth: int) -> Any:
        pieces: list[Any] = []
        for part in _trees(node):
            pieces.append(self._string_part(part, depth))
        return _join(pieces)

    def _string_part(self, part: Any, depth: int) -> Any:
        inner = part.children[0]
        if _is_token(inner):
            text = str(inner)
            if inner.type == "STRING_CHARS":
                return _unescape(text)
            if inner.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                return text[1:]
            raise Unsupported("unsupported string part")
        if _kind(inner) == "interpolation":
            return self.evaluate(_trees(inner)[0], depth)
        raise Unsupported("template directives are not evaluated")

    def _heredoc(self, node: Any, depth: int) -> Any:
        text = str(node.children[0])
        trim = _kind(node) == "heredoc_template_trim"
        lines = text.split("\n")
        # <<ID, the body lines, the closing ID line, and the empty piece after its newline.
        body = lines[1:-2]
        if trim:
            indents = [len(line) - len(line.lstrip(" \t")) for line in body if line.strip()]
            margin = min(indents) if indents else 0
            body = [line[margin:] for line in body]
        return self.template("\n".join(body) + "\n" if body else "", depth)

    def template(self, text: str, depth: int) -> Any:
        """A template (a heredoc body or a `templatefile` file): text with `${...}`."""
        if len(text) > MAX_STRING:
            raise Unsupported("template too large")
        pieces: list[Any] = []
        for literal, expression in _template_pieces(text):
            if literal:
                pieces.append(unicodedata.normalize("NFC", literal))
            if expression is not None:
                self.budget.spend()
                pieces.append(self.evaluate(self.scope.parse_expression(expression), depth))
        return _join(pieces)

    def _tuple(self, node: Any, depth: int) -> Any:
        items = [self.evaluate(child, depth) for child in _trees(node)]
        return _bounded_list(items)

    def _object(self, node: Any, depth: int) -> Any:
        result: dict[str, Any] = {}
        for element in _trees(node):
            key_node, value_node = _trees(element)
            key = self._object_key(key_node, depth)
            value = self.evaluate(value_node, depth)
            if isinstance(key, Unknown):
                key = key.text  # the stand-in text, so where it sits can still be judged
            if key in result:
                raise Unsupported("duplicate object key (or two keys known only after apply)")
            result[key] = value
        _check_items(len(result))
        return result

    def _object_key(self, node: Any, depth: int) -> Any:
        inner = _trees(node)
        if len(inner) == 1 and _kind(inner[0]) == "expr_term":
            term = _trees(inner[0])
            if len(term) == 1 and _kind(term[0]) == "identifier":
                return str(term[0].children[0])  # a bare name is the key itself
        if len(inner) == 1 and _kind(inner[0]) == "keyword":
            return str(inner[0].children[0])
        key = self.evaluate(inner[0], depth)
        if isinstance(key, Unknown):
            return key
        if isinstance(key, bool) or key is None or not isinstance(key, str | int | float):
            raise Unsupported("object key is not a string")
        return _to_string(key)

    # -- names ----------------------------------------------------------------------------------

    def _traversal(self, node: Any, depth: int) -> Any:
        """`a.b[0].c`: a name, then attributes and indexes, resolved as far as they are literal."""
        chain: list[Any] = []
        current = node
        while _kind(current) in ("get_attr_expr_term", "index_expr_term"):
            term, step = _trees(current)
            chain.append(step)
            current = term
            inner = _trees(current)
            if _kind(current) == "expr_term" and len(inner) == 1:
                current = inner[0]
        chain.reverse()
        if _kind(current) == "identifier":
            head = str(current.children[0])
            if head in self.bound:
                return self._apply_steps(self.bound[head], chain, depth)
            steps: list[str | int] = []
            for position, step in enumerate(chain):
                literal = self._literal_step(step, depth)
                if literal is None:
                    base = self.scope.reference(head, steps)
                    return self._apply_steps(base, chain[position:], depth)
                steps.append(literal)
            return self.scope.reference(head, steps)
        base = self.evaluate(current, depth)
        return self._apply_steps(base, chain, depth)

    def _literal_step(self, step: Any, depth: int) -> str | int | None:
        kind = _kind(step)
        if kind == "get_attr":
            return _step_name(step)
        if kind == "short_index":
            return int(str(step.children[-1]))
        if kind == "braces_index":
            value = self.evaluate(_trees(step)[0], depth)
            if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
                return value
        return None

    def _apply_steps(self, value: Any, steps: Sequence[Any], depth: int) -> Any:
        for step in steps:
            if isinstance(value, Unknown):
                return value
            kind = _kind(step)
            if kind == "get_attr":
                key: Any = _step_name(step)
            elif kind == "short_index":
                key = int(str(step.children[-1]))
            else:
                key = self.evaluate(_trees(step)[0], depth)
            value = index(value, key)
        return value

    def _splat(self, node: Any, depth: int) -> Any:
        term, splat = _trees(node)
        base = self.evaluate(term, depth)
        if isinstance(base, Unknown):
            return base
        if base is None:
            return []
        items = base if isinstance(base, list) else [base]
        steps = _trees(splat)
        return _bounded_list([self._apply_steps(item, steps, depth) for item in items])

    # -- operators ------------------------------------------------------------------------------

    def _conditional(self, node: Any, depth: int) -> Any:
        condition, when_true, when_false = _trees(node)
        test = self.evaluate(condition, depth)
        if isinstance(test, Unknown):
            return _unknown(test, *_safely(self, (when_true, when_false), depth))
        if not isinstance(test, bool):
            raise Unsupported("condition is not a bool")
        return self.evaluate(when_true if test else when_false, depth)

    def _unary(self, node: Any, depth: int) -> Any:
        operator = str(node.children[0])
        value = self.evaluate(_trees(node)[0], depth)
        if isinstance(value, Unknown):
            return _unknown(value)
        if operator == "!" and isinstance(value, bool):
            return not value
        if operator == "-" and _is_number(value):
            return -value
        raise Unsupported(f"unsupported operand for {operator}")

    def _binary(self, node: Any, depth: int) -> Any:
        left_node, term = _trees(node)
        operator_node, right_node = _trees(term)
        operator = str(operator_node.children[0])
        left = self.evaluate(left_node, depth)
        if isinstance(left, bool) and (
            (operator == "&&" and not left) or (operator == "||" and left)
        ):
            return left
        right = self.evaluate(right_node, depth)
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return _unknown(left, right)
        return _binary(operator, left, right)

    def _for_tuple(self, node: Any, depth: int) -> Any:
        intro, *rest = _trees(node)
        body, condition = rest[0], rest[1] if len(rest) > 1 else None
        iterations = self._iterations(intro, depth)
        if isinstance(iterations, Unknown):
            return iterations
        results: list[Any] = []
        for scoped in iterations:
            keep = True if condition is None else scoped._keep(condition, depth)
            if isinstance(keep, Unknown):
                return keep
            if keep:
                results.append(scoped.evaluate(body, depth))
        return _bounded_list(results)

    def _for_object(self, node: Any, depth: int) -> Any:
        if any(_is_token(child) and child.type == "ELLIPSIS" for child in node.children):
            raise Unsupported("grouping for expressions are not evaluated")
        intro, key_node, value_node, *rest = _trees(node)
        condition = rest[0] if rest else None
        iterations = self._iterations(intro, depth)
        if isinstance(iterations, Unknown):
            return iterations
        result: dict[str, Any] = {}
        for scoped in iterations:
            keep = True if condition is None else scoped._keep(condition, depth)
            if isinstance(keep, Unknown):
                return keep
            if not keep:
                continue
            key = scoped.evaluate(key_node, depth)
            if isinstance(key, Unknown):
                return _unknown(key)
            if not isinstance(key, str) or key in result:
                raise Unsupported("for expression key is not a distinct string")
            result[key] = scoped.evaluate(value_node, depth)
        _check_items(len(result))
        return result

    def _keep(self, condition: Any, depth: int) -> bool | Unknown:
        value = self.evaluate(_trees(condition)[0], depth)
        if isinstance(value, Unknown):
            return _unknown(value)
        if not isinstance(value, bool):
            raise Unsupported("for condition is not a bool")
        return value

    def _iterations(self, intro: Any, depth: int) -> list[Evaluator] | Unknown:
        names = [str(child.children[0]) for child in _trees(intro) if _kind(child) == "identifier"]
        collection = self.evaluate(_trees(intro)[-1], depth)
        if isinstance(collection, Unknown):
            return _unknown(collection)
        if isinstance(collection, Mapping):
            pairs: list[tuple[Any, Any]] = sorted(collection.items())
        elif isinstance(collection, list):
            pairs = list(enumerate(collection))
        else:
            raise Unsupported("for expression over a value that is not a collection")
        _check_items(len(pairs))
        if len(names) == 1:
            return [self.with_bindings({names[0]: value}) for _, value in pairs]
        return [self.with_bindings({names[0]: key, names[1]: value}) for key, value in pairs]

    # -- functions ------------------------------------------------------------------------------

    def _function(self, node: Any, depth: int) -> Any:
        children = _trees(node)
        names = [child for child in children if _kind(child) == "identifier"]
        if len(names) != 1:
            raise Unsupported("provider functions are not evaluated")
        name = str(names[0].children[0])
        argument_nodes = [child for child in children if _kind(child) == "arguments"]
        nodes = _trees(argument_nodes[0]) if argument_nodes else []
        if argument_nodes and any(
            _is_token(child) and child.type == "ELLIPSIS" for child in argument_nodes[0].children
        ):
            raise Unsupported("expanded function arguments are not evaluated")
        if name == "templatefile":
            return self._templatefile(nodes, depth)
        arguments = [self.evaluate(child, depth) for child in nodes]
        function = _FUNCTIONS.get(name)
        if name == "jsondecode" and len(arguments) == 1 and isinstance(arguments[0], Unknown):
            return _decoded(arguments[0])
        if name == "jsonencode" and len(arguments) == 1 and _has_unknown(arguments[0]):
            try:
                text = _jsonencode(arguments[0])
            except (TypeError, ValueError) as error:
                raise Unsupported("jsonencode() could not be evaluated") from error
            return Unknown(text, origins(arguments[0]), to_json(arguments[0]))
        whole = [argument for argument in arguments if isinstance(argument, Unknown)]
        nested = [argument for argument in arguments if _has_unknown(argument)]
        if name in _SPLICING and nested and arguments and not isinstance(arguments[0], Unknown):
            try:
                return _join(_SPLICING[name](*arguments))
            except (TypeError, ValueError) as error:
                raise Unsupported(f"{name}() could not be evaluated") from error
        if (whole and name not in _SPLICING) or (nested and name not in _UNKNOWN_AWARE):
            return _unknown(*nested)
        if function is None:
            raise Unsupported(f"function {name} is not evaluated")
        if name == "file":
            return self._file(arguments)
        try:
            return function(*arguments)
        except (TypeError, ValueError, KeyError, IndexError) as error:
            raise Unsupported(f"{name}() could not be evaluated") from error

    def _file(self, arguments: Sequence[Any]) -> Any:
        if len(arguments) != 1 or not isinstance(arguments[0], str):
            raise Unsupported("file() needs one path")
        return self.scope.read_file(arguments[0])

    def _templatefile(self, nodes: Sequence[Any], depth: int) -> Any:
        if len(nodes) != 2:
            raise Unsupported("templatefile() needs a path and variables")
        path = self.evaluate(nodes[0], depth)
        variables = self.evaluate(nodes[1], depth)
        if isinstance(path, Unknown):
            return _unknown(path)
        if not isinstance(path, str) or not isinstance(variables, Mapping):
            raise Unsupported("templatefile() needs a path and an object of variables")
        text = self.scope.read_file(path)
        # A template sees only its variables (and functions), never the caller's names.
        return Evaluator(_TemplateScope(self.scope), self.budget, dict(variables)).template(
            text, depth
        )


@dataclass(frozen=True, slots=True)
class _TemplateScope:
    """What a template file may use: its variables only, and file() within the source."""

    outer: Scope

    def reference(self, head: str, steps: Sequence[str | int]) -> Any:
        raise Unsupported(f"template refers to {head}, which is not one of its variables")

    def read_file(self, path: str) -> str:
        return self.outer.read_file(path)

    def parse_expression(self, text: str) -> Any:
        return self.outer.parse_expression(text)


def evaluate(node: Any, scope: Scope, *, budget: Budget | None = None) -> Any:
    """The value of one expression; raises `Unsupported` when it cannot be evaluated."""
    evaluator = Evaluator(scope, budget or Budget())
    try:
        return evaluator.evaluate(node)
    except RecursionError as error:
        raise Unsupported("expression nested too deeply") from error


def bounded(value: Any) -> None:
    """Raise `Unsupported` when a value holds more than `MAX_ITEMS * 10` nodes or `MAX_STRING`
    characters in all: lists may share items, so a small expression can name a huge value.
    Walked with a stack and an early exit, never recursively."""
    nodes = 0
    characters = 0
    stack = [value]
    while stack:
        node = stack.pop()
        nodes += 1
        if nodes > MAX_ITEMS * 10:
            raise Unsupported("value too large")
        if isinstance(node, str):
            characters += len(node)
        elif isinstance(node, Unknown):
            characters += len(node.text)
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, Mapping):
            for key, item in node.items():
                characters += len(key)
                stack.append(item)
        if characters > MAX_STRING:
            raise Unsupported("value too large")


def to_json(value: Any) -> Any:
    """The JSON-compatible form of a value: each `Unknown` becomes its stand-in text."""
    if isinstance(value, Unknown):
        return value.text
    if isinstance(value, list):
        return [to_json(item) for item in value]
    if isinstance(value, Mapping):
        return {key: to_json(item) for key, item in value.items()}
    return value


def origins(value: Any) -> tuple[str, ...]:
    """Every origin of the unknown parts of a value, in order of first appearance."""
    found: dict[str, None] = {}

    def walk(node: Any) -> None:
        if isinstance(node, Unknown):
            found.update(dict.fromkeys(node.origins))
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, Mapping):
            for item in node.values():
                walk(item)

    walk(value)
    return tuple(found)


# ------------------------------------------------------------------------------------------------
# Helpers


def _kind(node: Any) -> str:
    data = getattr(node, "data", None)
    return str(data) if data is not None else "token"


def _is_token(node: Any) -> bool:
    return not hasattr(node, "data")


def _trees(node: Any) -> list[Any]:
    return [
        child
        for child in node.children
        if hasattr(child, "data") and child.data != "new_line_or_comment"
    ]


def _step_name(step: Any) -> str:
    inner = _trees(step)[0]
    return str(inner.children[0])


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)
# No nested quantifier: one escape is a backslash and a fixed-length tail.


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        body = match.group(1)
        if body[0] in "uU" and len(body) > 1:
            return chr(int(body[1:], 16))
        if body in _ESCAPES:
            return _ESCAPES[body]
        raise Unsupported("unknown escape sequence in a string")

    # HCL normalises every string literal to Unicode NFC, as Terraform reads it.
    return unicodedata.normalize("NFC", _ESCAPE.sub(replace, text))


def _template_pieces(text: str) -> Iterator[tuple[str, str | None]]:
    """(literal text, expression source or None) pieces of a template, left to right."""
    position = 0
    literal: list[str] = []
    while position < len(text):
        if text.startswith("$${", position) or text.startswith("%%{", position):
            literal.append(text[position + 1 : position + 3])
            position += 3
        elif text.startswith("%{", position):
            raise Unsupported("template directives are not evaluated")
        elif text.startswith("${", position):
            end = _interpolation_end(text, position + 2)
            expression = text[position + 2 : end].strip()
            if expression.startswith("~") or expression.endswith("~"):
                raise Unsupported("whitespace strip markers are not evaluated")
            yield "".join(literal), expression
            literal = []
            position = end + 1
        else:
            literal.append(text[position])
            position += 1
    yield "".join(literal), None


def _interpolation_end(text: str, start: int) -> int:
    """The index of the `}` that closes an interpolation opened before `start` (one pass)."""
    depth = 0
    position = start
    in_string = False
    while position < len(text):
        char = text[position]
        if in_string:
            if char == "\\":
                position += 1
            elif char == '"':
                in_string = False
            elif text.startswith("${", position):
                raise Unsupported("nested interpolation in a template is not evaluated")
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return position
            depth -= 1
        position += 1
    raise Unsupported("unterminated interpolation in a template")


def _join(pieces: Sequence[Any]) -> Any:
    """A string from template pieces; any unknown piece makes the whole string unknown, with
    the placeholder standing where that piece was."""
    if len(pieces) == 1 and not isinstance(pieces[0], str):
        return pieces[0]  # "${x}" is x itself, whatever its type
    texts: list[str] = []
    unknown: list[Unknown] = []
    for piece in pieces:
        if isinstance(piece, Unknown):
            unknown.append(piece)
            texts.append(piece.text if isinstance(piece.text, str) else PLACEHOLDER)
        else:
            texts.append(_to_string(piece))
    if sum(len(text) for text in texts) > MAX_STRING:
        raise Unsupported("string too long")  # measured before joining, never after
    text = "".join(texts)
    if unknown:
        return Unknown(text, _merge_origins(unknown))
    return text


def _to_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if _is_number(value):
        return _number_text(value)
    raise Unsupported("value cannot be converted to a string")


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _merge_origins(values: Sequence[Unknown]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(origin for value in values for origin in value.origins))


def _unknown(*values: Any) -> Unknown:
    """The unknown result of computing with values (a function, an operator, a condition): it
    could be anything, and names every origin among them."""
    found: dict[str, None] = {}
    for value in values:
        found.update(dict.fromkeys(origins(value)))
    return Unknown(ARBITRARY, tuple(found))


def _safely(evaluator: Evaluator, nodes: Sequence[Any], depth: int) -> list[Any]:
    """Evaluate what can be, to name origins; what cannot be evaluated adds nothing."""
    found: list[Any] = []
    for node in nodes:
        try:
            found.append(evaluator.evaluate(node, depth))
        except Unsupported:
            continue
    return found


def _has_unknown(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, list):
        return any(_has_unknown(item) for item in value)
    if isinstance(value, Mapping):
        return any(_has_unknown(item) for item in value.values())
    return False


def _decoded(value: Unknown) -> Any:
    """`jsondecode` of a document rebuilt with placeholders: its content, each string that
    holds a placeholder becoming unknown."""
    if value.decoded is None:
        return _unknown(value)

    def mark(node: Any) -> Any:
        if isinstance(node, str) and PLACEHOLDER in node:
            return Unknown(node, value.origins)
        if isinstance(node, list):
            return [mark(item) for item in node]
        if isinstance(node, Mapping):
            return {key: mark(item) for key, item in node.items()}
        return node

    return mark(value.decoded)


def _check_items(count: int) -> None:
    if count > MAX_ITEMS:
        raise Unsupported("collection too large")


def _bounded_list(items: list[Any]) -> list[Any]:
    _check_items(len(items))
    return items


def index(value: Any, key: Any) -> Any:
    """`value[key]` / `value.key` on a known value."""
    if isinstance(value, Unknown):
        return value
    if isinstance(key, Unknown):
        return _unknown(key)
    if isinstance(value, Mapping):
        if isinstance(key, str | int) and not isinstance(key, bool):
            name = _to_string(key)
            if name in value:
                return value[name]
        raise Unsupported("no such key")
    if isinstance(value, list) and _is_number(key) and float(key).is_integer():
        position = int(key)
        if 0 <= position < len(value):
            return value[position]
    raise Unsupported("no such index")


def _binary(operator: str, left: Any, right: Any) -> Any:
    if operator == "==":
        return _equal(left, right)
    if operator == "!=":
        return not _equal(left, right)
    if operator in ("&&", "||"):
        if not isinstance(left, bool) or not isinstance(right, bool):
            raise Unsupported("logical operator on a value that is not a bool")
        return left and right if operator == "&&" else left or right
    left, right = _number(left), _number(right)
    if operator in ("<", ">", "<=", ">="):
        return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[
            operator
        ]
    if operator == "+":
        result = left + right
    elif operator == "-":
        result = left - right
    elif operator == "*":
        result = left * right
    elif operator in ("/", "%"):
        if right == 0:
            raise Unsupported("division by zero")
        result = left / right if operator == "/" else math.fmod(left, right)
    else:
        raise Unsupported(f"operator {operator} is not evaluated")
    if isinstance(result, float) and result.is_integer() and abs(result) < 2**53:
        return int(result)
    if abs(result) > 2**63:
        raise Unsupported("number out of range")
    return result


def _number(value: Any) -> int | float:
    if _is_number(value):
        return value  # type: ignore[no-any-return]
    if isinstance(value, str):
        try:
            return float(value) if "." in value or "e" in value.lower() else int(value)
        except ValueError as error:
            raise Unsupported("string is not a number") from error
    raise Unsupported("arithmetic on a value that is not a number")


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    return bool(left == right)


# ------------------------------------------------------------------------------------------------
# Functions. Each takes known values (an unknown argument makes the result unknown before the
# function is called) and raises TypeError/ValueError on arguments it does not accept.


def _strings(values: Sequence[Any]) -> list[str]:
    return [_to_string(value) for value in values]


def _list_of(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    raise TypeError("not a list")


def _jsonencode(value: Any) -> str:
    bounded(value)
    text = orjson.dumps(to_json(value)).decode()
    if len(text) > MAX_STRING:
        raise ValueError("too long")
    return text


def _jsondecode(text: Any) -> Any:
    if not isinstance(text, str):
        raise TypeError("not a string")
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise ValueError("not JSON") from error


def _concat(*lists: Any) -> list[Any]:
    return _bounded_list([item for value in lists for item in _list_of(value)])


def _merge(*objects: Any) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for value in objects:
        if value is None:
            continue
        if not isinstance(value, Mapping):
            raise TypeError("not an object")
        merged.update(value)
        _check_items(len(merged))
    return merged


def _set(value: Any) -> list[Any]:
    items = _list_of(value)
    unique: list[Any] = []
    for item in items:
        if isinstance(item, list | Mapping):
            raise TypeError("set of collections")
        if not any(_equal(item, seen) for seen in unique):
            unique.append(item)
    return sorted(unique, key=lambda item: (type(item).__name__, str(item)))


def _distinct(value: Any) -> list[Any]:
    unique: list[Any] = []
    for item in _list_of(value):
        if not any(_equal(item, seen) for seen in unique):
            unique.append(item)
    return unique


def _flatten(value: Any) -> list[Any]:
    flat: list[Any] = []

    def walk(node: Any, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise ValueError("too deep")
        for item in _list_of(node):
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                flat.append(item)

    walk(value, 0)
    return _bounded_list(flat)


_FORMAT_VERB = re.compile(r"%(%|[sdvq])")
# One fixed-width token per match: no repetition to backtrack over.


def _format(template: Any, *values: Any) -> str:
    if not isinstance(template, str):
        raise TypeError("format string")
    if len(template) + sum(len(_to_string(value)) for value in values) > MAX_STRING:
        raise ValueError("too long")  # each argument is used once at most
    remaining = list(values)

    def replace(match: re.Match[str]) -> str:
        verb = match.group(1)
        if verb == "%":
            return "%"
        if not remaining:
            raise ValueError("too few arguments")
        value = remaining.pop(0)
        if verb == "d":
            if not _is_number(value) or not float(value).is_integer():
                raise ValueError("not an integer")
            return str(int(value))
        if verb == "q":
            return orjson.dumps(_to_string(value)).decode()
        return _to_string(value)

    if "%" in _FORMAT_VERB.sub("", template):
        raise ValueError("unsupported format verb")
    text = _FORMAT_VERB.sub(replace, template)
    if remaining:
        raise ValueError("too many arguments")
    return text


def _join_function(separator: Any, *lists: Any) -> str:
    if not isinstance(separator, str):
        raise TypeError("separator")
    texts = _strings([item for value in lists for item in _list_of(value)])
    if sum(len(text) + len(separator) for text in texts) > MAX_STRING:
        raise ValueError("too long")
    return separator.join(texts)


def _join_pieces(separator: Any, *lists: Any) -> list[Any]:
    """`join` with unknown elements: the pieces of the joined string, unknowns in place."""
    if not isinstance(separator, str):
        raise TypeError("separator")
    pieces: list[Any] = []
    for item in [item for value in lists for item in _list_of(value)]:
        if pieces:
            pieces.append(separator)
        pieces.append(item if isinstance(item, Unknown) else _to_string(item))
    return pieces or [""]


def _format_pieces(template: Any, *values: Any) -> list[Any]:
    """`format` with unknown arguments: `%s` and `%v` splice them in place, like `${}`."""
    if not isinstance(template, str):
        raise TypeError("format string")
    pieces: list[Any] = []
    remaining = list(values)
    position = 0
    for match in _FORMAT_VERB.finditer(template):
        pieces.append(template[position : match.start()])
        position = match.end()
        verb = match.group(1)
        if verb == "%":
            pieces.append("%")
            continue
        if not remaining:
            raise ValueError("too few arguments")
        value = remaining.pop(0)
        if isinstance(value, Unknown):
            pieces.append(value if verb in "sv" else _unknown(value))
        else:
            pieces.append(_format("%" + verb, value))
    pieces.append(template[position:])
    if remaining or "%" in _FORMAT_VERB.sub("", template):
        raise ValueError("unsupported format")
    return [piece for piece in pieces if piece != ""] or [""]


def _lookup(value: Any, key: Any, *default: Any) -> Any:
    if not isinstance(value, Mapping) or not isinstance(key, str) or len(default) > 1:
        raise TypeError("lookup")
    if key in value:
        return value[key]
    if default:
        return default[0]
    raise KeyError(key)


def _split(separator: Any, text: Any) -> list[str]:
    if not isinstance(separator, str) or not isinstance(text, str) or not separator:
        raise TypeError("split")
    return _bounded_list(list(text.split(separator)))


def _replace(text: Any, old: Any, new: Any) -> str:
    if not all(isinstance(value, str) for value in (text, old, new)):
        raise TypeError("replace")
    if old.startswith("/") and old.endswith("/") and len(old) > 1:
        raise ValueError("regular expression replace is not evaluated")
    if not old:
        raise ValueError("empty substring")
    if len(text) + text.count(old) * max(0, len(new) - len(old)) > MAX_STRING:
        raise ValueError("too long")
    result = str(text).replace(old, new)
    if len(result) > MAX_STRING:
        raise ValueError("too long")
    return result


def _coalesce(*values: Any) -> Any:
    for value in values:
        if value is not None and value != "":
            return value
    raise ValueError("no non-null argument")


def _element(value: Any, position: Any) -> Any:
    items = _list_of(value)
    if not items or not _is_number(position):
        raise ValueError("element")
    return items[int(position) % len(items)]


def _string_function(function: Callable[[str], str]) -> Callable[[Any], str]:
    def apply(value: Any) -> str:
        if not isinstance(value, str):
            raise TypeError("not a string")
        return function(value)

    return apply


_FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "jsonencode": _jsonencode,
    "jsondecode": _jsondecode,
    "file": lambda path: path,  # read by the evaluator, through the scope
    "concat": _concat,
    "merge": _merge,
    "format": _format,
    "join": _join_function,
    "tolist": _list_of,
    "toset": _set,
    "distinct": _distinct,
    "flatten": _flatten,
    "compact": lambda value: [item for item in _list_of(value) if item not in (None, "")],
    "lookup": _lookup,
    "split": _split,
    "replace": _replace,
    "coalesce": _coalesce,
    "element": _element,
    "tostring": _to_string,
    "lower": _string_function(str.lower),
    "upper": _string_function(str.upper),
    "trimspace": _string_function(str.strip),
}
_UNKNOWN_AWARE = frozenset(
    {"concat", "tolist", "merge", "flatten", "toset", "distinct", "compact", "format", "join"}
)
"""Functions that keep unknown elements of known collections in place."""
_SPLICING: Mapping[str, Callable[..., list[Any]]] = {
    "format": _format_pieces,
    "join": _join_pieces,
}
"""Functions that splice unknown values into a string, as `${}` does."""

_HANDLERS: Mapping[str, Callable[[Evaluator, Any, int], Any]] = {
    "expr_term": Evaluator._expr_term,
    "literal_value": Evaluator._literal,
    "int_lit": Evaluator._int,
    "float_lit": Evaluator._float,
    "string": Evaluator._string,
    "heredoc_template": Evaluator._heredoc,
    "heredoc_template_trim": Evaluator._heredoc,
    "tuple": Evaluator._tuple,
    "object": Evaluator._object,
    "identifier": Evaluator._traversal,
    "get_attr_expr_term": Evaluator._traversal,
    "index_expr_term": Evaluator._traversal,
    "attr_splat_expr_term": Evaluator._splat,
    "full_splat_expr_term": Evaluator._splat,
    "conditional": Evaluator._conditional,
    "unary_op": Evaluator._unary,
    "binary_op": Evaluator._binary,
    "for_tuple_expr": Evaluator._for_tuple,
    "for_object_expr": Evaluator._for_object,
    "function_call": Evaluator._function,
}
