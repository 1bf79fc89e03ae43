"""Formulas of derived indicators: a small, safe arithmetic language.

A formula refers to other indicators as `#{CODE}` and combines them with numbers,
`+ - * /` and parentheses: `#{LDVL.THAT_NGHIEP} / #{LDVL.LLLD} * 100`. It is parsed with
Python's own parser (`ast`) into a tree that may contain only those operations, and
evaluated by walking that tree: nothing is ever handed to `eval`, so a formula cannot
call functions, read attributes or reach any name but the indicators it cites.

Derived values are computed after aggregation (a rate of a province is the ratio of its
aggregated numerator and denominator, never the average of its communes' rates). An
operand without a value, or a division by zero, makes the result empty, not zero.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

_REFERENCE = re.compile(r"#\{\s*([A-Z0-9][A-Z0-9._-]*)\s*\}")
_NAME = re.compile(r"_([a-z]+)_*")
_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div)


class FormulaError(ValueError):
    """A formula that cannot be parsed; `position` is the 1-based character offset."""

    def __init__(self, reason: str, position: int | None = None) -> None:
        self.reason = reason
        self.position = position
        super().__init__(reason if position is None else f"{reason} (position {position})")


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its text, the indicator codes it cites, and its tree."""

    text: str
    references: tuple[str, ...]
    _tree: ast.expr

    def evaluate(self, values: Mapping[str, float | None]) -> float | None:
        """The value given the cited indicators' values; None when it cannot be computed."""
        return _evaluate(self._tree, [values.get(code) for code in self.references])


def formula_parse(text: str) -> Formula:
    """Parse a formula or raise `FormulaError` saying what is wrong and where."""
    if not text.strip():
        raise FormulaError("empty")
    codes: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        code = match.group(1)
        if code not in codes:
            codes.append(code)
        # A name exactly as long as the reference it replaces, so that the parser's error
        # positions are positions in the text the user wrote.
        return _name(codes.index(code)).ljust(len(match.group(0)), "_")

    rewritten = _REFERENCE.sub(placeholder, text)
    try:
        # Leading blanks are replaced, not stripped, for the same reason.
        tree = _parsed("(" + rewritten + ")")
    except SyntaxError as error:
        offset = None if error.offset is None else max(1, min(error.offset - 1, len(text)))
        raise FormulaError("syntax", offset) from None
    _check(tree)
    if not codes:
        raise FormulaError("no_reference")
    return Formula(text=text.strip(), references=tuple(codes), _tree=tree)


def formula_references(text: str) -> list[str]:
    """The indicator codes a formula cites, in order of first appearance (no parsing)."""
    seen: list[str] = []
    for match in _REFERENCE.finditer(text):
        if match.group(1) not in seen:
            seen.append(match.group(1))
    return seen


def _name(index: int) -> str:
    # 0 -> _a, 25 -> _z, 26 -> _aa: at most 4 characters up to 702 references, never longer
    # than the shortest reference `#{A}`.
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return "_" + letters


def _index(name: str) -> int:
    letters = name.strip("_")
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("a") + 1
    return index - 1


def _check(node: ast.expr) -> None:
    if isinstance(node, ast.BinOp) and isinstance(node.op, _OPERATORS):
        _check(node.left)
        _check(node.right)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        _check(node.operand)
    elif (isinstance(node, ast.Constant) and type(node.value) in (int, float)) or (
        isinstance(node, ast.Name) and _NAME.fullmatch(node.id)
    ):
        return
    else:
        # Anything else (a bare name, a call, a comparison, a string) is not in the language;
        # the offset is in the text as written (minus the parenthesis added around it).
        raise FormulaError("not_allowed", max(1, getattr(node, "col_offset", 1)))


def _evaluate(node: ast.expr, operands: list[float | None]) -> float | None:
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int | float)  # guaranteed by _check
        return float(node.value)
    if isinstance(node, ast.Name):
        value = operands[_index(node.id)]
        return None if value is None else float(value)
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, operands)
        if operand is None:
            return None
        return -operand if isinstance(node.op, ast.USub) else operand
    assert isinstance(node, ast.BinOp)
    left = _evaluate(node.left, operands)
    right = _evaluate(node.right, operands)
    if left is None or right is None:
        return None
    if isinstance(node.op, ast.Add):
        return left + right
    if isinstance(node.op, ast.Sub):
        return left - right
    if isinstance(node.op, ast.Mult):
        return left * right
    if right == 0:
        return None
    return left / right


def _parsed(source: str) -> ast.expr:
    """Python's parse of a user's text, without the SyntaxWarnings Python prints for odd
    literals (`1if`): the text is the user's, and a refusal says what is wrong with it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        return ast.parse(source, mode="eval").body
