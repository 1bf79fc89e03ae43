"""Expressions of validation rules: a small, safe arithmetic language (issue 5, scope 1).

A validation rule compares a left and a right expression (`#{A} <= #{B}`, "compulsory pair"...).
An expression is written with:

- `#{IND}`: the total of indicator IND (disaggregation ""); `#{IND|SEX=NU}` or
  `#{IND|SEX=NU,URBAN_RURAL=THANH_THI}`: one disaggregation, its key kept in the order written
  (the catalogue checks dimensions and options against the indicator); `#{IND|SEX=*}`: the sum
  over every option of SEX, which the caller computes and supplies under the literal key `SEX=*`;
- numbers written in decimal (`100`, `0.5`), `+ - * /`, a leading minus or plus, parentheses;
- the functions `sum(a, b, ...)`, `min(a, b, ...)`, `max(a, b, ...)`, `abs(x)`, and the period
  shifts `previous(x)` (the previous period) and `last_year(x)` (the same period last year),
  which shift every reference inside them. Shifts do not nest (`previous(last_year(#{A}))` is
  refused: one shift per reference, as the engine reads two other periods only).

It is parsed the way `baocao.catalogue.formulas` parses derived indicators: every reference is
replaced by a placeholder name of the same length (and every other character that Python would
read differently, such as a comment sign, a non-ASCII letter or a non-breaking space, by one
character), so that the positions `ast` reports are positions in the text the user wrote. The
tree may hold only the operations above; it is compiled to a small tree of tuples, evaluated by
walking it with `Decimal` arithmetic. Nothing is ever handed to `eval`.

Refusals raise `ExpressionError` with a stable `reason` (one of `EXPRESSION_ERROR_REASONS`) and,
when the error has a place, its 1-based `position` in the text (issue 5, "Bad input").

Evaluation follows DHIS2's validation rules:

- Values are given per reference as `(indicator, disaggregation, shift)`; an absent key and
  `None` both mean "no value".
- The missing-value strategy applies to each side on its own. `never_skip`: a missing value
  counts as 0. `skip_if_all_missing`: the side is skipped when every value it cites is missing,
  otherwise missing values count as 0. `skip_if_any_missing`: the side is skipped when any value
  it cites is missing. A side citing no value at all (a constant) is never skipped.
  `Expression.evaluate` raises `NotEvaluable("missing_values")` for a skipped side and
  `NotEvaluable("division_by_zero")` for a division by zero (0 / 0 included); it never returns
  None (the annotation keeps `None` only for callers written against the first draft).
- A comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`) is "skipped" when either side is skipped,
  else "not_evaluable" when either side cannot be computed, else both sides are rounded half up
  to 6 decimals (so that `0.1 + 0.2 == 0.3` and `#{A} / 3 * 3 == #{A}` hold despite decimal
  noise) and compared.
- The pairs compare presence, not values, and ignore the strategy: a side "has data" when at
  least one value it cites is present (a side citing nothing always has). A "compulsory pair"
  passes when both sides have data or neither has, and is violated when exactly one has; an
  "exclusive pair" is violated when both have data. Their outcome still carries each side's
  value (missing values as 0) for the message, and is "not_evaluable" on a division by zero.
- `rule_evaluate` never raises for data: a rule that cannot be computed for a unit and period
  is an outcome, not a crash (issue 5, "Bad input").
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Any

MISSING_STRATEGIES = ("skip_if_any_missing", "skip_if_all_missing", "never_skip")
OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "compulsory_pair", "exclusive_pair")
PAIR_OPERATORS = ("compulsory_pair", "exclusive_pair")
SHIFTS = ("previous", "last_year")
FUNCTIONS = ("previous", "last_year", "sum", "abs", "min", "max")

EXPRESSION_ERROR_REASONS = (
    "empty",  # nothing but blanks
    "syntax",  # not a well-formed expression (an operator without operand, an unclosed "(" ...)
    "bad_reference",  # a `#` that does not open a well-formed `#{IND|DIM=OPT,...}`
    "not_allowed",  # a name, attribute, comparison, string, power... outside the language
    "unknown_function",  # a call of a function that is not in `FUNCTIONS`
    "argument_count",  # abs/previous/last_year take one argument, sum/min/max at least one
    "nested_shift",  # previous(...) or last_year(...) inside another shift
    "no_reference",  # a shift of something citing no indicator (or a pair rule side citing none)
    "too_complex",  # nested deeper than `MAX_DEPTH` or too long for the parser
    "unknown_operator",  # `rule_check` only: an operator not in `OPERATORS`
    "unknown_indicator",  # `expression_check_types`: the indicator is not in the catalogue
    "not_numeric",  # `expression_check_types`: the indicator's values are not numbers
)
NOT_EVALUABLE_REASONS = ("division_by_zero", "missing_values", "overflow", "invalid_value")


def gettext_noop(message: str) -> str:
    """Mark a message for `makemessages` (which looks for this name) without importing Django;
    callers translate it with `gettext(REASON_MESSAGES[reason])`."""
    return message


# What each reason means, to complete a message such as the catalogue's "The expression
# cannot be read at position %(position)s: %(reason)s." or a "not evaluable" line of a report.
REASON_MESSAGES: dict[str, str] = {
    "empty": gettext_noop("the expression is empty"),
    "syntax": gettext_noop("the expression is not well formed"),
    "bad_reference": gettext_noop(
        "a reference is written #{INDICATOR} or #{INDICATOR|DIMENSION=OPTION}, with codes "
        "in capitals"
    ),
    "not_allowed": gettext_noop(
        "only numbers, references, + - * /, parentheses and the functions sum, min, max, abs, "
        "previous and last_year may be used"
    ),
    "unknown_function": gettext_noop(
        "unknown function: the functions are sum, min, max, abs, previous and last_year"
    ),
    "argument_count": gettext_noop(
        "abs, previous and last_year take one argument; sum, min and max at least one"
    ),
    "nested_shift": gettext_noop("previous and last_year cannot be used inside each other"),
    "no_reference": gettext_noop("no indicator is referred to"),
    "too_complex": gettext_noop("the expression is nested too deeply or is too long"),
    "unknown_operator": gettext_noop("unknown comparison operator"),
    "unknown_indicator": gettext_noop("unknown indicator"),
    "not_numeric": gettext_noop("the indicator's values are not numbers"),
    "division_by_zero": gettext_noop("division by zero"),
    "missing_values": gettext_noop("values are missing"),
    "overflow": gettext_noop("a number is too large"),
    "invalid_value": gettext_noop("a value is not a number"),
}

# The value types of `baocao.catalogue.choices.NUMERIC_VALUE_TYPES` (not imported: this module
# stays free of Django). Yes/no values are not numbers here: `#{HAS_PLAN} + 1` is a mistake.
NUMERIC_VALUE_TYPES = frozenset({"number", "integer", "percentage"})

# Parentheses and function calls nested deeper than this are refused; it keeps the recursive
# walks far from Python's recursion limit wherever they are called from. Long sums are flat
# (`#{A} + #{B} + ...` or `sum(...)`) and do not count.
MAX_DEPTH = 50

_CODE = re.compile(r"[A-Z0-9][A-Z0-9._-]*")
_REFERENCE = re.compile(r"#\{([^{}#]*)\}")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_PLACEHOLDER = "_r"
_TOLERANCE = Decimal("0.000001")
# Evaluation never depends on the caller's decimal context: 34 significant digits (decimal128)
# and the usual traps (an overflow or an invalid operation is reported, never silent).
_CONTEXT = Context(
    prec=34, rounding=ROUND_HALF_EVEN, traps=[DivisionByZero, Overflow, InvalidOperation]
)


class ExpressionError(ValueError):
    """An expression that is refused; `position` is the 1-based character offset, if any."""

    def __init__(self, reason: str, position: int | None = None) -> None:
        self.reason = reason
        self.position = position
        super().__init__(reason if position is None else f"{reason} (position {position})")


class NotEvaluable(Exception):
    """An expression that has no value for these data (`reason` in `NOT_EVALUABLE_REASONS`)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Reference:
    """One indicator value an expression cites."""

    indicator: str
    disaggregation: str  # "" for the total, "SEX=NU", "SEX=NU,URBAN_RURAL=THANH_THI", "SEX=*"
    shift: str  # "", "previous" or "last_year"
    position: int  # 1-based offset of its `#{` in the text

    @property
    def key(self) -> tuple[str, str, str]:
        """The key of its value in the mapping given to `evaluate`."""
        return (self.indicator, self.disaggregation, self.shift)


# The compiled tree: nested tuples, so that an `Expression` is immutable, hashable and equal to
# another parse of the same text.
#   ("number", Decimal)               ("reference", (indicator, disaggregation, shift))
#   ("negative", node)                ("add", ((+1 | -1, node), ...))
#   ("multiply", node, (("*" | "/", node), ...))
#   ("call", function name, (node, ...))
_Node = tuple[Any, ...]


@dataclass(frozen=True)
class Expression:
    """A parsed expression: its text, the values it cites and its compiled tree."""

    text: str
    references: tuple[Reference, ...]  # first appearance order, one per key (first position)
    _tree: _Node

    def has_data(self, values: Mapping[tuple[str, str, str], Decimal | None]) -> bool:
        """Whether at least one cited value is present (always, when it cites none)."""
        return not self.references or any(
            values.get(reference.key) is not None for reference in self.references
        )

    def evaluate(
        self,
        values: Mapping[tuple[str, str, str], Decimal | None],
        *,
        missing: str = "skip_if_all_missing",
    ) -> Decimal | None:
        """The value for these data; raises `NotEvaluable` when there is none (see module)."""
        if missing not in MISSING_STRATEGIES:
            raise ValueError(f"unknown missing-value strategy {missing!r}")
        present = [values.get(reference.key) is not None for reference in self.references]
        if present and (
            (missing == "skip_if_any_missing" and not all(present))
            or (missing == "skip_if_all_missing" and not any(present))
        ):
            raise NotEvaluable("missing_values")
        try:
            with localcontext(_CONTEXT):
                return _evaluate(self._tree, values)
        except (DivisionByZero, ZeroDivisionError):
            raise NotEvaluable("division_by_zero") from None
        except Overflow:
            raise NotEvaluable("overflow") from None
        except InvalidOperation:
            raise NotEvaluable("invalid_value") from None


@dataclass(frozen=True)
class Outcome:
    """What a rule says about one unit and period."""

    status: str  # "passed", "violated", "skipped" or "not_evaluable"
    left: Decimal | None
    right: Decimal | None
    reason: str = ""  # for "not_evaluable": a reason of `NOT_EVALUABLE_REASONS`


def expression_parse(text: str) -> Expression:
    """Parse an expression or raise `ExpressionError` saying what is wrong and where."""
    if not text.strip():
        raise ExpressionError("empty")
    rewritten, found = _rewrite(text)
    try:
        # One parenthesis around it, so that a blank start or a line break is harmless; the
        # parser's 1-based column in the wrapped text is then the 1-based position in `text`.
        tree = _parsed("(" + rewritten + ")")
    except SyntaxError as error:
        raise ExpressionError("syntax", _syntax_position(error, rewritten, text)) from None
    except (RecursionError, MemoryError):
        raise ExpressionError("too_complex") from None
    compiler = _Compiler(text, rewritten, found)
    try:
        compiled = compiler.compile(tree, "", 0)
    except RecursionError:  # pragma: no cover - MAX_DEPTH refuses well before this
        raise ExpressionError("too_complex") from None
    unique: dict[tuple[str, str, str], Reference] = {}
    for reference in sorted(compiler.references, key=lambda item: item.position):
        unique.setdefault(reference.key, reference)
    return Expression(text=text, references=tuple(unique.values()), _tree=compiled)


def expression_check_types(expression: Expression, value_types: Mapping[str, str]) -> None:
    """Refuse a reference to an indicator not in `value_types` or whose values are not numbers.

    `value_types` maps indicator codes to their value type; the first offending reference (in
    the order of the text) is reported with its position.
    """
    for reference in expression.references:
        value_type = value_types.get(reference.indicator)
        if value_type is None:
            raise ExpressionError("unknown_indicator", reference.position)
        if str(value_type) not in NUMERIC_VALUE_TYPES:
            raise ExpressionError("not_numeric", reference.position)


def rule_check(left: Expression, operator: str, right: Expression) -> None:
    """Refuse a rule that can never say anything: an unknown operator, no reference on either
    side, or a pair with a side citing nothing (a constant is always "filled in")."""
    if operator not in OPERATORS:
        raise ExpressionError("unknown_operator")
    if not left.references and not right.references:
        raise ExpressionError("no_reference")
    if operator in PAIR_OPERATORS and not (left.references and right.references):
        raise ExpressionError("no_reference")


def rule_evaluate(
    left: Expression,
    operator: str,
    right: Expression,
    values: Mapping[tuple[str, str, str], Decimal | None],
    *,
    missing: str = "skip_if_all_missing",
) -> Outcome:
    """Judge a rule on these data (see the module docstring for the semantics).

    Raises `ValueError` only for an operator or a strategy that is not known (a programming
    error: both are checked when the catalogue is loaded).
    """
    if operator not in OPERATORS:
        raise ValueError(f"unknown operator {operator!r}")
    if missing not in MISSING_STRATEGIES:
        raise ValueError(f"unknown missing-value strategy {missing!r}")
    if operator in PAIR_OPERATORS:
        return _pair(left, operator, right, values)
    sides: list[Decimal | None] = []
    problems: list[str] = []
    for expression in (left, right):
        try:
            sides.append(_rounded(expression.evaluate(values, missing=missing)))
        except NotEvaluable as error:
            sides.append(None)
            problems.append(error.reason)
    left_value, right_value = sides
    if "missing_values" in problems:
        return Outcome("skipped", left_value, right_value)
    if problems:
        return Outcome("not_evaluable", left_value, right_value, problems[0])
    assert left_value is not None and right_value is not None  # no problem: both computed
    return Outcome(
        "passed" if _compare(left_value, operator, right_value) else "violated",
        left_value,
        right_value,
    )


# Parsing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    """A reference as written: where its `#{` is (0-based) and what it cites."""

    start: int
    indicator: str
    disaggregation: str


def _rewrite(text: str) -> tuple[str, dict[int, _Found]]:
    """The text with references as placeholders, in ASCII on one line, and the references.

    Every character keeps its offset: a reference becomes `_r` padded with blanks, any blank
    (a tab, a line break, a non-breaking space pasted from a word processor) a space, and any
    other character Python would not read as in this language (non-ASCII, control) a `$`,
    which it refuses as a syntax error at that very position.
    """
    found: dict[int, _Found] = {}
    chars: list[str] = []
    last = 0
    for match in _REFERENCE.finditer(text):
        chars.extend(_plain(text[last : match.start()], last))
        indicator, disaggregation = _reference_parts(match.group(1), match.start(1))
        found[match.start()] = _Found(match.start(), indicator, disaggregation)
        chars.append(_PLACEHOLDER.ljust(len(match.group(0))))
        last = match.end()
    chars.extend(_plain(text[last:], last))
    return "".join(chars), found


def _plain(chunk: str, offset: int) -> list[str]:
    chars = []
    for index, char in enumerate(chunk):
        if char == "#":
            # A `#` that opens no well-formed reference: to Python it would start a comment
            # and silently drop the rest of the line.
            raise ExpressionError("bad_reference", offset + index + 1)
        if char.isspace():
            chars.append(" ")
        elif char.isascii() and char.isprintable() and char != "\\":
            chars.append(char)
        else:
            chars.append("$")
    return chars


def _reference_parts(content: str, offset: int) -> tuple[str, str]:
    """The indicator and normalised disaggregation key of `#{content}`.

    `offset` is the 0-based offset of `content` in the text, for the positions of errors.
    """
    indicator, bar, rest = content.partition("|")
    code = _code(indicator, offset)
    if not bar:
        return code, ""
    rest_offset = offset + len(indicator) + 1
    pairs: list[str] = []
    dimensions: set[str] = set()
    for part in rest.split(","):
        dimension, equals, option = part.partition("=")
        if not equals:
            raise ExpressionError("bad_reference", _at(part, rest_offset))
        dimension_code = _code(dimension, rest_offset)
        if dimension_code in dimensions:
            raise ExpressionError("bad_reference", _at(dimension, rest_offset))
        dimensions.add(dimension_code)
        option_offset = rest_offset + len(dimension) + 1
        option_code = "*" if option.strip() == "*" else _code(option, option_offset)
        pairs.append(f"{dimension_code}={option_code}")
        rest_offset += len(part) + 1
    return code, ",".join(pairs)


def _code(part: str, offset: int) -> str:
    code = part.strip()
    if not _CODE.fullmatch(code):
        raise ExpressionError("bad_reference", _at(part, offset))
    return code


def _at(part: str, offset: int) -> int:
    """1-based position of the first non-blank character of `part` (or where it would be)."""
    return offset + len(part) - len(part.lstrip()) + 1


def _syntax_position(error: SyntaxError, rewritten: str, text: str) -> int | None:
    unbalanced = _unbalanced(rewritten)
    if unbalanced is not None:
        # Python blames the parenthesis it added around the text, or the last one.
        return unbalanced
    if error.msg.startswith("invalid syntax. Perhaps you forgot a comma"):
        # Python underlines from the first of two juxtaposed operands (`#{A} #{B}`, `2 x`);
        # the mistake is where the second one starts.
        juxtaposed = _juxtaposed(rewritten)
        if juxtaposed is not None:
            return juxtaposed
    if not error.offset:
        return None
    return max(1, min(error.offset - 1, len(text)))


def _unbalanced(rewritten: str) -> int | None:
    """1-based position of a `)` closing nothing, or of the last `(` left open, if any."""
    opened: list[int] = []
    for index, char in enumerate(rewritten):
        if char == "(":
            opened.append(index)
        elif char == ")":
            if not opened:
                return index + 1
            opened.pop()
    return opened[-1] + 1 if opened else None


def _juxtaposed(rewritten: str) -> int | None:
    """1-based position of an operand that directly follows another one, if any."""
    previous: tokenize.TokenInfo | None = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(rewritten).readline):
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.NL):
                break
            if (
                previous is not None
                and _ends_operand(previous)
                and (token.type in (tokenize.NAME, tokenize.NUMBER) or token.string == "(")
                and not (previous.type == tokenize.NAME and token.string == "(")
            ):
                return token.start[1] + 1
            previous = token
    except (tokenize.TokenError, SyntaxError):
        return None
    return None


def _ends_operand(token: tokenize.TokenInfo) -> bool:
    return token.type in (tokenize.NAME, tokenize.NUMBER) or token.string == ")"


class _Compiler:
    """Checks a parsed tree against the language and compiles it to `_Node` tuples."""

    def __init__(self, text: str, rewritten: str, found: Mapping[int, _Found]) -> None:
        self.text = text
        self.rewritten = rewritten
        self.found = found
        self.references: list[Reference] = []

    def compile(self, node: ast.expr, shift: str, depth: int) -> _Node:
        if depth > MAX_DEPTH:
            raise ExpressionError("too_complex", self._position(node))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            # A long sum is a left-leaning chain in `ast`: walk it in a loop, not recursively.
            terms: list[tuple[int, _Node]] = []
            while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
                sign = 1 if isinstance(node.op, ast.Add) else -1
                terms.append((sign, self.compile(node.right, shift, depth + 1)))
                node = node.left
            terms.append((1, self.compile(node, shift, depth + 1)))
            return ("add", tuple(reversed(terms)))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Div):
            factors: list[tuple[str, _Node]] = []
            while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Div):
                operation = "*" if isinstance(node.op, ast.Mult) else "/"
                factors.append((operation, self.compile(node.right, shift, depth + 1)))
                node = node.left
            first = self.compile(node, shift, depth + 1)
            return ("multiply", first, tuple(reversed(factors)))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
            negative = False
            while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
                negative ^= isinstance(node.op, ast.USub)
                node = node.operand
            operand = self.compile(node, shift, depth + 1)
            return ("negative", operand) if negative else operand
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            written = self._source(node)
            if not _NUMBER.fullmatch(written):
                # Hexadecimal, exponents, `1_000`: not how anyone writes a figure in a rule.
                raise ExpressionError("not_allowed", self._position(node))
            return ("number", Decimal(written))
        if isinstance(node, ast.Name):
            return self._reference(node, shift)
        if isinstance(node, ast.Call):
            return self._call(node, shift, depth)
        raise ExpressionError("not_allowed", self._refused_position(node))

    def _reference(self, node: ast.Name, shift: str) -> _Node:
        start = node.col_offset - 1  # 0-based in the text
        found = self.found.get(start)
        if node.id != _PLACEHOLDER or found is None:
            # A bare name (`x`, `True`, `previous` without parentheses); a name the user typed
            # as `_r` is not at the offset of a reference.
            raise ExpressionError("not_allowed", self._position(node))
        reference = Reference(found.indicator, found.disaggregation, shift, start + 1)
        self.references.append(reference)
        return ("reference", reference.key)

    def _call(self, node: ast.Call, shift: str, depth: int) -> _Node:
        function = node.func
        if not isinstance(function, ast.Name) or self.found.get(function.col_offset - 1):
            raise ExpressionError("not_allowed", self._position(function))
        name = function.id
        if name not in FUNCTIONS:
            raise ExpressionError("unknown_function", self._position(function))
        if node.keywords:
            raise ExpressionError("not_allowed", self._position(node.keywords[0]))
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                raise ExpressionError("not_allowed", self._position(argument))
        single = name in ("previous", "last_year", "abs")
        if (single and len(node.args) != 1) or not node.args:
            raise ExpressionError("argument_count", self._position(function))
        if name in SHIFTS:
            if shift:
                # One shift per reference: `previous(last_year(...))` would need a third period.
                raise ExpressionError("nested_shift", self._position(function))
            before = len(self.references)
            shifted = self.compile(node.args[0], name, depth + 1)
            if len(self.references) == before:
                raise ExpressionError("no_reference", self._position(function))
            return ("call", name, (shifted,))
        arguments = tuple(self.compile(argument, shift, depth + 1) for argument in node.args)
        return ("call", name, arguments)

    def _position(self, node: ast.AST) -> int:
        # Columns of the wrapped one-line ASCII text, whose "(" makes them 1-based in `text`.
        return max(1, min(getattr(node, "col_offset", 1), len(self.text)))

    def _refused_position(self, node: ast.expr) -> int:
        """Where a refused construct is best pointed at: its operator when it has one."""
        after: ast.AST | None = None
        if isinstance(node, ast.BinOp):  # `**`, `//`, `%`, `@`, `<<`...
            after = node.left
        elif isinstance(node, ast.Compare | ast.BoolOp):
            after = node.left if isinstance(node, ast.Compare) else node.values[0]
        elif isinstance(node, ast.Attribute | ast.Subscript):
            after = node.value
        end = getattr(after, "end_col_offset", None)
        if end is None:
            return self._position(node)
        index = end - 1  # 0-based in `rewritten`
        while index < len(self.rewritten) and self.rewritten[index] in " )":
            index += 1
        return min(index + 1, len(self.text))

    def _source(self, node: ast.expr) -> str:
        end = node.end_col_offset if node.end_col_offset is not None else node.col_offset
        return self.rewritten[node.col_offset - 1 : end - 1]


# Evaluation ---------------------------------------------------------------------------------


def _evaluate(node: _Node, values: Mapping[tuple[str, str, str], Any]) -> Decimal:
    kind = node[0]
    if kind == "number":
        return node[1]
    if kind == "reference":
        return _value(values.get(node[1]))
    if kind == "negative":
        return -_evaluate(node[1], values)
    if kind == "add":
        total = Decimal(0)
        for sign, term in node[1]:
            value = _evaluate(term, values)
            total = total + value if sign > 0 else total - value
        return total
    if kind == "multiply":
        result = _evaluate(node[1], values)
        for operation, factor in node[2]:
            value = _evaluate(factor, values)
            if operation == "*":
                result *= value
            elif value == 0:
                raise NotEvaluable("division_by_zero")
            else:
                result /= value
        return result
    name, arguments = node[1], [_evaluate(argument, values) for argument in node[2]]
    if name in SHIFTS:
        return arguments[0]  # the references inside are already shifted
    if name == "abs":
        return abs(arguments[0])
    if name == "min":
        return min(arguments)
    if name == "max":
        return max(arguments)
    return sum(arguments, Decimal(0))


def _value(value: object) -> Decimal:
    """A cited value as a Decimal; a missing one counts as 0 (the strategy was applied)."""
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # the float as written, not its binary expansion
    else:
        raise NotEvaluable("invalid_value")
    if not number.is_finite():
        raise NotEvaluable("invalid_value")
    return +number  # rounded to the evaluation context


def _rounded(value: Decimal | None) -> Decimal | None:
    """Half up to 6 decimals, without trailing zeros: what comparisons and messages use."""
    if value is None:
        return None
    with localcontext(Context(prec=120)) as context:
        try:
            rounded = value.quantize(_TOLERANCE, rounding=ROUND_HALF_UP)
        except InvalidOperation:  # beyond 10**113: nothing to round
            return value
        tidy = rounded.normalize(context)
        exponent = tidy.as_tuple().exponent
        if isinstance(exponent, int) and exponent > 0:
            tidy = tidy.quantize(Decimal(1))
        return tidy


def _compare(left: Decimal, operator: str, right: Decimal) -> bool:
    if operator == "==":
        return left == right
    if operator == "!=":
        return left != right
    if operator == "<":
        return left < right
    if operator == "<=":
        return left <= right
    if operator == ">":
        return left > right
    return left >= right


def _pair(
    left: Expression,
    operator: str,
    right: Expression,
    values: Mapping[tuple[str, str, str], Decimal | None],
) -> Outcome:
    filled = [left.has_data(values), right.has_data(values)]
    sides: list[Decimal | None] = []
    for expression, has_data in zip((left, right), filled, strict=True):
        if not has_data:
            sides.append(None)
            continue
        try:
            sides.append(_rounded(expression.evaluate(values, missing="never_skip")))
        except NotEvaluable as error:
            return Outcome("not_evaluable", None, None, error.reason)
    # A compulsory pair wants both sides or neither; an exclusive pair never both.
    both, one = filled[0] and filled[1], filled[0] != filled[1]
    violated = one if operator == "compulsory_pair" else both
    return Outcome("violated" if violated else "passed", sides[0], sides[1])


def _parsed(source: str) -> ast.expr:
    """Python's parse of a user's text, without the SyntaxWarnings Python prints for odd
    literals (`1if`): the text is the user's, and a refusal says what is wrong with it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        return ast.parse(source, mode="eval").body
