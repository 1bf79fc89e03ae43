"""Batch validation: the catalogue's rules over stored values, fast (issue 5, scopes 3 and 7).

Scope 3 asks for evaluation "in batch over stored and aggregated data for any selection of
units, periods and rules"; scope 7 for 1,000 rules over 10 million stored values in under
60 seconds on the embedded default (SQLite). Judging each (rule, unit, period) with the
scalar engine's `Decimal` walk would take hours at that size, so this module says the same
thing with arrays:

1. The values the rules cite are read in one pass (raw SQL and `fetchmany`: the ORM's model
   instances cost more than the whole evaluation), for the requested periods and the
   periods `previous(...)` and `last_year(...)` shift them to, the requested units and
   source.
2. Every (unit, period, source) read becomes a row number, every cited (indicator,
   disaggregation) a float64 column (NaN: no value), in one matrix built with numpy. A
   `DIM=*` reference is a column summing the single-dimension keys of that dimension (NaN
   when none is stored), as `baocao.validation.engine` does per report.
3. Each rule's expression tree (`Expression._tree`, see `baocao.catalogue.expressions`) is
   compiled to numpy operations over the rows the rule applies to; a shifted reference reads
   its column through an index array from (unit, period, source) to (unit, shifted period,
   source). Rules are evaluated one after the other, and `progress(done, total)` is called
   after each.

The semantics are the scalar engine's (`rule_evaluate`), row by row: the period type and
unit level filters, the missing-value strategy applied to each side, the pairs comparing
presence, rounding half up to 6 decimals before comparing, and "not evaluable" for a
division by zero (or a result beyond the range of a float). A (rule, unit, period) is
judged when the unit has at least one value, in that period and source, of an indicator
the rule cites; rows with no data at all for a rule are not counted. The scalar engine
applies a rule to a report whose form holds one of its cells; stored values are what a
batch has instead of a form.

Arithmetic is in binary floating point (float64), not `Decimal`: exact results, to 34
digits, are the scalar engine's (the live and submission checks). Both sides are rounded half
up to 6 decimals before they are compared, which absorbs the float noise of sums and
divisions of figures written with up to about 15 significant digits; a value exactly halfway
between two 6-decimal figures rounds up here too: each value carries a bound on its float
error, and a float within it below the tie is taken for the tie. Non-numeric and non-finite
stored texts count as missing.

The matrix takes 8 bytes per (row, cited cell): 10 million values densely stored are about
80 MB. Values of different sources (a report's regime, an import, a connector) are judged
separately, as each report is; `source` restricts the batch to one.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection

from baocao.catalogue.choices import NUMERIC_VALUE_TYPES
from baocao.catalogue.expressions import (
    PAIR_OPERATORS,
    Expression,
    ExpressionError,
    Reference,
    expression_parse,
)
from baocao.catalogue.models import Indicator, ValidationRule
from baocao.organisations.models import Unit
from baocao.periods import PeriodError, parse_period
from baocao.submissions.models import DataValue

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]

STATUSES = ("passed", "violated", "skipped", "not_evaluable")
SHIFTS = ("previous", "last_year")
# Rows fetched per round trip: large enough that the driver's per-call cost vanishes, small
# enough that a chunk's Python tuples stay a few tens of megabytes.
FETCH_ROWS = 200_000
# Units per query when a selection is given: below SQLite's and PostgreSQL's limits on the
# number of parameters of a statement.
UNITS_PER_QUERY = 900
# Beyond this, figures are whole to the 6th decimal already (and `x * 1e6` would lose digits).
_ROUND_LIMIT = 1e9


@dataclasses.dataclass(frozen=True)
class BatchViolation:
    """A rule violated, or not evaluable, for one unit and period."""

    rule: str
    unit_id: int
    period: str
    left: float | None
    right: float | None
    status: str  # "violated" or "not_evaluable"
    source: str = ""  # the values' source (a regime code, an import...)


@dataclasses.dataclass
class BatchResult:
    """What a batch found: exact counts, and the violations up to `max_violations`."""

    rules: int
    units: int  # units with values in the requested periods
    periods: int  # requested periods with values
    values_read: int  # stored values read, shifted periods included
    evaluated: int  # (rule, unit, period) judged: passed + violated + skipped + not_evaluable
    passed: int
    violated: int
    skipped: int
    not_evaluable: int
    per_rule: dict[str, dict[str, int]]  # rule code -> counts by status
    violations: list[BatchViolation]  # violated and not_evaluable, first `max_violations`
    seconds: float


def batch_validate(
    *,
    rules: Sequence[ValidationRule],
    periods: Sequence[str],
    unit_ids: Collection[int] | None = None,
    source: str | None = None,
    max_violations: int = 100_000,
    progress: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Judge `rules` on the stored values of `periods` (all units, or `unit_ids`).

    Raises `ValueError` naming the position of a period code that is not one. A rule whose
    texts no longer parse (they were checked when loaded) is counted with no row, as the
    scalar engine skips it.
    """
    started = time.perf_counter()
    targets = _periods(periods)
    compiled = [_compile_rule(rule) for rule in rules]
    shifts = {
        reference.shift
        for item in compiled
        if item is not None
        for reference in item.references
        if reference.shift
    }
    shifted = {code: _shifted_codes(code, shifts) for code in targets}
    data = _load(
        compiled,
        targets=targets,
        shifted=shifted,
        unit_ids=None if unit_ids is None else sorted(set(unit_ids)),
        source=source,
    )
    result = BatchResult(
        rules=len(rules),
        units=len(np.unique(data.row_unit[data.target])) if data.target.size else 0,
        periods=len({data.row_period[row] for row in data.target.tolist()}),
        values_read=data.values_read,
        evaluated=0,
        passed=0,
        violated=0,
        skipped=0,
        not_evaluable=0,
        per_rule={},
        violations=[],
        seconds=0.0,
    )
    _unit_levels(data, compiled)
    for done, (rule, item) in enumerate(zip(rules, compiled, strict=True), start=1):
        counts = dict.fromkeys(STATUSES, 0)
        if item is not None:
            _judge(item, data, counts, result, max_violations)
        result.per_rule[rule.code] = counts
        for status in STATUSES:
            setattr(result, status, getattr(result, status) + counts[status])
        if progress is not None:
            progress(done, len(rules))
    result.evaluated = result.passed + result.violated + result.skipped + result.not_evaluable
    result.seconds = time.perf_counter() - started
    return result


# Rules --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Rule:
    rule: ValidationRule
    left: Expression
    right: Expression

    @property
    def references(self) -> tuple[Reference, ...]:
        return self.left.references + self.right.references

    @property
    def indicators(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(reference.indicator for reference in self.references))


def _compile_rule(rule: ValidationRule) -> _Rule | None:
    try:
        return _Rule(rule, expression_parse(rule.left), expression_parse(rule.right))
    except ExpressionError:
        return None  # refused when loaded; an older stored text is skipped, not a crash


def _periods(periods: Sequence[str]) -> list[str]:
    codes: list[str] = []
    for index, code in enumerate(periods):
        try:
            parse_period(code)
        except (PeriodError, TypeError):
            raise ValueError(f"periods[{index}]: {code!r} is not a period code") from None
        codes.append(code)
    return list(dict.fromkeys(codes))


def _shifted_codes(code: str, shifts: set[str]) -> dict[str, str]:
    period = parse_period(code)
    found: dict[str, str] = {}
    try:
        if "previous" in shifts:
            found["previous"] = period.previous().code
        if "last_year" in shifts:
            found["last_year"] = period.same_period_last_year().code
    except PeriodError:  # before the first year a period may have: nothing stored there
        pass
    return found


# Loading ------------------------------------------------------------------------------------


class _Numbering(dict[Any, int]):
    """Numbers keys in the order they are first seen: `numbering[key]` never misses."""

    def __missing__(self, key: Any) -> int:
        number = self[key] = len(self)
        return number


@dataclasses.dataclass
class _Data:
    """The values read, as a matrix: a column per cited cell, a row per (unit, period, source).

    Every column has one more entry than there are rows, always NaN: index arrays point
    there for a (unit, shifted period) with no row.
    """

    columns: dict[tuple[str, str], Floats]  # (indicator, disaggregation) -> values by row
    present: dict[str, Bools]  # indicator -> any value by row
    row_unit: Ints
    row_period: list[str]
    row_source: list[str]
    target: Ints  # rows of the requested periods, in (unit, period, source) order
    shifted: dict[str, Ints]  # shift -> for each target row, the row of the shifted period
    target_period_type: npt.NDArray[np.str_]  # for each target row, its period's type
    target_level: npt.NDArray[np.str_]  # for each target row, its unit's level ("" unknown)
    values_read: int
    missing: Floats  # the column of a cell with no stored value


def _load(
    compiled: Sequence[_Rule | None],
    *,
    targets: list[str],
    shifted: dict[str, dict[str, str]],
    unit_ids: list[int] | None,
    source: str | None,
) -> _Data:
    references = [ref for item in compiled if item is not None for ref in item.references]
    codes = sorted({reference.indicator for reference in references})
    ids = dict(Indicator.objects.filter(code__in=codes).values_list("id", "code"))
    exact = {(ref.indicator, ref.disaggregation) for ref in references}
    # `DIM=*` sums the stored single-dimension keys `DIM=...` (the engine's `_lookup`).
    stars = {
        (ref.indicator, ref.disaggregation[:-1])
        for ref in references
        if ref.disaggregation.endswith("=*")
    }
    all_periods = list(dict.fromkeys(targets + [c for s in shifted.values() for c in s.values()]))

    def cell_column(key: tuple[int, str]) -> int:
        # Which column a stored (indicator id, disaggregation) feeds: its own when a rule
        # cites it, that of each `DIM=*` it is a part of (through `parts`), or none (-1).
        code, disaggregation = ids[key[0]], key[1]
        cited = (code, disaggregation) in exact
        if "," not in disaggregation:
            for star_code, prefix in stars:
                if star_code == code and disaggregation.startswith(prefix):
                    parts.setdefault((code, prefix + "*"), []).append(len(cells))
                    cells.append((code, disaggregation))
                    return len(cells) - 1
        if cited:
            cells.append((code, disaggregation))
            return len(cells) - 1
        return -1

    cells: list[tuple[str, str]] = []
    parts: dict[tuple[str, str], list[int]] = {}
    cell_numbers = _CellNumbering(cell_column)
    rows = _Numbering()
    chunks_cell: list[npt.NDArray[np.int32]] = []
    chunks_row: list[npt.NDArray[np.int32]] = []
    chunks_indicator: list[npt.NDArray[np.int32]] = []
    chunks_value: list[Floats] = []
    values_read = 0
    for chunk in _fetch(list(ids), all_periods, unit_ids, source):
        indicator, disaggregation, unit, period, value_source, text = zip(*chunk, strict=True)
        values_read += len(chunk)
        # 32-bit numbers while reading: 10 million values need 120 MB of indices, not 240.
        chunks_indicator.append(np.fromiter(indicator, dtype=np.int32, count=len(chunk)))
        chunks_cell.append(
            np.fromiter(
                map(cell_numbers.__getitem__, zip(indicator, disaggregation, strict=True)),
                dtype=np.int32,
                count=len(chunk),
            )
        )
        chunks_row.append(
            np.fromiter(
                map(rows.__getitem__, zip(unit, period, value_source, strict=True)),
                dtype=np.int32,
                count=len(chunk),
            )
        )
        chunks_value.append(_floats(text))
    keys = list(rows)
    # Rows in (unit, period, source) order, whatever order the database returned them in.
    order = sorted(range(len(keys)), key=keys.__getitem__)
    renumber = np.empty(len(keys) + 1, dtype=np.int32)
    renumber[np.asarray(order, dtype=np.int64)] = np.arange(len(keys), dtype=np.int32)
    renumber[len(keys)] = len(keys)
    sorted_keys = [keys[index] for index in order]
    count = len(sorted_keys)
    cell_index = _concat(chunks_cell)
    row_index = renumber[_concat(chunks_row)] if count else np.zeros(0, dtype=np.int32)
    indicator_ids = _concat(chunks_indicator)
    values = np.concatenate(chunks_value) if chunks_value else np.zeros(0)
    del chunks_cell, chunks_row, chunks_indicator, chunks_value

    matrix = np.full((len(cells), count + 1), np.nan)
    kept = cell_index >= 0
    matrix[cell_index[kept], row_index[kept]] = values[kept]
    columns = {cell: matrix[number] for number, cell in enumerate(cells)}
    missing = np.full(count + 1, np.nan)
    for star, numbers in parts.items():
        block = matrix[numbers]
        found = ~np.isnan(block)
        columns[star] = np.where(found.any(axis=0), np.where(found, block, 0.0).sum(axis=0), np.nan)
    # Presence counts any stored value, a number or not, of any disaggregation.
    local = np.zeros(max(ids, default=0) + 1, dtype=np.int32)
    local[np.asarray(list(ids), dtype=np.int64)] = np.arange(len(ids), dtype=np.int32)
    found_any = np.zeros((len(ids), count + 1), dtype=np.bool_)
    found_any[local[indicator_ids], row_index] = True
    present = {code: found_any[number] for number, code in enumerate(ids.values())}

    row_unit = np.fromiter((key[0] for key in sorted_keys), dtype=np.int64, count=count)
    row_period = [key[1] for key in sorted_keys]
    row_source = [key[2] for key in sorted_keys]
    wanted = set(targets)
    target = np.fromiter(
        (row for row, key in enumerate(sorted_keys) if key[1] in wanted), dtype=np.int64
    )
    row_of = {key: row for row, key in enumerate(sorted_keys)}
    types = {code: str(parse_period(code).type) for code in targets}
    shifted_rows = {
        shift: np.fromiter(
            (
                row_of.get((key[0], shifted[key[1]].get(shift, ""), key[2]), count)
                for key in (sorted_keys[row] for row in target.tolist())
            ),
            dtype=np.int64,
            count=target.size,
        )
        for shift in SHIFTS
    }
    return _Data(
        columns=columns,
        present=present,
        row_unit=row_unit,
        row_period=row_period,
        row_source=row_source,
        target=target,
        shifted=shifted_rows,
        target_period_type=np.asarray(
            [types[sorted_keys[row][1]] for row in target.tolist()], dtype=np.str_
        ).reshape(-1),
        target_level=np.zeros(target.size, dtype="<U16"),
        values_read=values_read,
        missing=missing,
    )


class _CellNumbering(dict[tuple[int, str], int]):
    """(indicator id, disaggregation) -> column, decided once per distinct key."""

    def __init__(self, decide: Callable[[tuple[int, str]], int]) -> None:
        super().__init__()
        self.decide = decide

    def __missing__(self, key: tuple[int, str]) -> int:
        number = self[key] = self.decide(key)
        return number


def _concat(chunks: list[npt.NDArray[np.int32]]) -> npt.NDArray[np.int32]:
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int32)


def _floats(texts: Sequence[str]) -> Floats:
    """Stored canonical texts as floats; a text that is not a finite number is NaN."""
    try:
        values = np.array(texts, dtype=np.float64)
    except ValueError:
        values = np.fromiter(map(_float, texts), dtype=np.float64, count=len(texts))
    values[~np.isfinite(values)] = np.nan
    return values


def _float(text: str) -> float:
    try:
        return float(Decimal(text))
    except (ArithmeticError, ValueError, TypeError):
        return float("nan")


def _fetch(
    indicator_ids: list[int],
    periods: list[str],
    unit_ids: list[int] | None,
    source: str | None,
) -> Iterator[list[tuple[Any, ...]]]:
    """The stored values of these indicators and periods, in chunks of raw tuples."""
    if not indicator_ids or not periods or unit_ids == []:
        return
    meta = DataValue._meta
    quote = connection.ops.quote_name
    column = {field.name: quote(field.column) for field in meta.concrete_fields}
    selected = ", ".join(
        column[name]
        for name in ("indicator", "disaggregation", "unit", "period", "source", "value")
    )
    indicator = column["indicator"]
    if unit_ids is None and connection.vendor == "sqlite" and _most_indicators(indicator_ids):
        # SQLite keeps no statistics unless analysed and would walk the indicator index,
        # fetching rows in index order all over the table: for most of the table one
        # sequential scan is faster (by a fifth on a million warm rows, more when cold).
        # PostgreSQL's planner decides with its statistics.
        indicator = f"+{indicator}"
    base = (
        f"SELECT {selected} FROM {quote(meta.db_table)}"
        f" WHERE {indicator} IN ({', '.join(['%s'] * len(indicator_ids))})"
        f" AND {column['period']} IN ({', '.join(['%s'] * len(periods))})"
    )
    params: list[Any] = [*indicator_ids, *periods]
    if source is not None:
        base += f" AND {column['source']} = %s"
        params.append(source)
    unit_groups: list[list[int] | None] = (
        [None]
        if unit_ids is None
        else [
            unit_ids[start : start + UNITS_PER_QUERY]
            for start in range(0, len(unit_ids), UNITS_PER_QUERY)
        ]
    )
    with connection.cursor() as cursor:
        for group in unit_groups:
            sql, group_params = base, params
            if group is not None:
                sql += f" AND {column['unit']} IN ({', '.join(['%s'] * len(group))})"
                group_params = [*params, *group]
            cursor.execute(sql, group_params)
            while chunk := cursor.fetchmany(FETCH_ROWS):
                yield chunk


def _most_indicators(indicator_ids: list[int]) -> bool:
    """Whether the rules cite at least a quarter of the catalogue's numeric indicators."""
    numeric = Indicator.objects.filter(value_type__in=list(NUMERIC_VALUE_TYPES)).count()
    return 4 * len(indicator_ids) >= numeric


def _unit_levels(data: _Data, compiled: Sequence[_Rule | None]) -> None:
    """Fill `data.target_level` when a rule is restricted to some unit levels."""
    if not any(item is not None and item.rule.unit_levels for item in compiled):
        return
    wanted = set(np.unique(data.row_unit).tolist())
    levels = {pk: level for pk, level in Unit.objects.values_list("pk", "level") if pk in wanted}
    data.target_level = np.asarray(
        [levels.get(unit, "") for unit in data.row_unit[data.target].tolist()], dtype="<U16"
    ).reshape(-1)


# Evaluation ---------------------------------------------------------------------------------


@dataclasses.dataclass
class _Side:
    value: Floats  # rounded; meaningless where `bad` or `skipped`
    bad: Bools  # a division by zero, or a result that is not a finite float
    skipped: Bools  # the missing-value strategy skips this side
    filled: Bools  # at least one cited value is present (pairs)


def _judge(
    item: _Rule,
    data: _Data,
    counts: dict[str, int],
    result: BatchResult,
    max_violations: int,
) -> None:
    rule = item.rule
    selected = _rows_of(item, data)
    if not selected.size:
        return
    rows = data.target[selected]
    left = _side(item.left, data, rows, selected, rule.missing_values, item.rule.operator)
    right = _side(item.right, data, rows, selected, rule.missing_values, item.rule.operator)
    if rule.operator in PAIR_OPERATORS:
        # Pairs compare presence and ignore the strategy; a division by zero in a filled side
        # makes the row not evaluable.
        not_evaluable = (left.filled & left.bad) | (right.filled & right.bad)
        both, one = left.filled & right.filled, left.filled != right.filled
        violated = ~not_evaluable & (one if rule.operator == "compulsory_pair" else both)
        skipped = np.zeros(rows.size, dtype=np.bool_)
        left_shown = left.filled & ~not_evaluable
        right_shown = right.filled & ~not_evaluable
    else:
        skipped = left.skipped | right.skipped
        not_evaluable = ~skipped & (left.bad | right.bad)
        computed = ~skipped & ~not_evaluable
        violated = computed & ~_compare(left.value, rule.operator, right.value)
        left_shown, right_shown = ~left.bad, ~right.bad
    counts["skipped"] = int(skipped.sum())
    counts["not_evaluable"] = int(not_evaluable.sum())
    counts["violated"] = int(violated.sum())
    counts["passed"] = rows.size - counts["skipped"] - counts["not_evaluable"] - counts["violated"]
    room = max_violations - len(result.violations)
    if room <= 0:
        return
    found = np.flatnonzero(violated | not_evaluable)[:room]
    for index in found.tolist():
        row = int(rows[index])
        result.violations.append(
            BatchViolation(
                rule=rule.code,
                unit_id=int(data.row_unit[row]),
                period=data.row_period[row],
                left=float(left.value[index]) if left_shown[index] else None,
                right=float(right.value[index]) if right_shown[index] else None,
                status="violated" if violated[index] else "not_evaluable",
                source=data.row_source[row],
            )
        )


def _rows_of(item: _Rule, data: _Data) -> Ints:
    """Positions in `data.target` of the rows the rule applies to and has data for."""
    rule = item.rule
    rows = data.target
    mask = np.zeros(rows.size, dtype=np.bool_)
    for indicator in item.indicators:
        present = data.present.get(indicator)
        if present is not None:
            mask |= present[rows]
    if rule.period_type:
        # The period's type must be the rule's, as a report's period type must be.
        mask &= data.target_period_type == str(rule.period_type)
    if rule.unit_levels:
        mask &= np.isin(data.target_level, list(rule.unit_levels))
    return np.flatnonzero(mask)


def _side(
    expression: Expression,
    data: _Data,
    rows: Ints,
    selected: Ints,
    missing: str,
    operator: str,
) -> _Side:
    size = rows.size
    vectors: dict[tuple[str, str, str], Floats] = {}
    for reference in expression.references:
        column = data.columns.get((reference.indicator, reference.disaggregation), data.missing)
        index = rows if not reference.shift else data.shifted[reference.shift][selected]
        vectors[reference.key] = column[index]
    found = [~np.isnan(vector) for vector in vectors.values()]
    filled = np.logical_or.reduce(found) if found else np.ones(size, dtype=np.bool_)
    skipped = np.zeros(size, dtype=np.bool_)
    if found and operator not in PAIR_OPERATORS:
        if missing == "skip_if_any_missing":
            skipped = ~np.logical_and.reduce(found)
        elif missing == "skip_if_all_missing":
            skipped = ~filled
    # After the strategy, a missing value counts as 0 (as in `Expression.evaluate`).
    zeroed = {key: np.nan_to_num(vector, nan=0.0) for key, vector in vectors.items()}
    bad = np.zeros(size, dtype=np.bool_)
    with np.errstate(all="ignore"):
        value, error, bad = _evaluate(expression._tree, zeroed, bad)
        value = np.broadcast_to(np.asarray(value, dtype=np.float64), (size,))
        error = np.broadcast_to(np.asarray(error, dtype=np.float64), (size,))
        bad = bad | ~np.isfinite(value)
        return _Side(_rounded(value, error), bad, skipped, filled)


Number = Floats | float
# The relative error of one float operation (and of reading a decimal text as a float).
_EPSILON = float(np.finfo(np.float64).eps)


def _evaluate(
    node: tuple[Any, ...], values: dict[tuple[str, str, str], Floats], bad: Bools
) -> tuple[Number, Number, Bools]:
    """numpy twin of `baocao.catalogue.expressions._evaluate`: the value of every row, a
    bound on its float error (a running error analysis, one `_EPSILON` per operation), and
    where a division by zero happened (the caller ignores the value there)."""
    kind = node[0]
    if kind == "number":
        number = float(node[1])
        return number, abs(number) * _EPSILON, bad
    if kind == "reference":
        return values[node[1]], np.abs(values[node[1]]) * _EPSILON, bad
    if kind == "negative":
        operand, error, bad = _evaluate(node[1], values, bad)
        return -operand, error, bad
    if kind == "add":
        total: Number = 0.0
        total_error: Number = 0.0
        for sign, term in node[1]:
            value, error, bad = _evaluate(term, values, bad)
            total = total + value if sign > 0 else total - value
            total_error = total_error + error + np.abs(total) * _EPSILON
        return total, total_error, bad
    if kind == "multiply":
        result, result_error, bad = _evaluate(node[1], values, bad)
        for operation, factor in node[2]:
            value, error, bad = _evaluate(factor, values, bad)
            if operation == "*":
                result_error = np.abs(result) * error + np.abs(value) * result_error
                result = result * value
            else:
                zero = np.asarray(value) == 0
                bad = bad | zero
                divisor = np.abs(np.where(zero, 1.0, value))
                result = np.where(zero, 0.0, result / np.where(zero, 1.0, value))
                result_error = (result_error + np.abs(result) * error) / divisor
            result_error = result_error + np.abs(result) * _EPSILON
        return result, result_error, bad
    name = node[1]
    arguments: list[Number] = []
    errors: list[Number] = []
    for argument in node[2]:
        value, error, bad = _evaluate(argument, values, bad)
        arguments.append(value)
        errors.append(error)
    if name in SHIFTS:
        return arguments[0], errors[0], bad  # the references inside are already shifted
    if name == "abs":
        return np.abs(arguments[0]), errors[0], bad
    largest = np.maximum.reduce(np.broadcast_arrays(*errors))
    if name == "min":
        return np.minimum.reduce(np.broadcast_arrays(*arguments)), largest, bad
    if name == "max":
        return np.maximum.reduce(np.broadcast_arrays(*arguments)), largest, bad
    total = sum(arguments, 0.0)  # "sum"
    return total, sum(errors, 0.0) + len(arguments) * np.abs(total) * _EPSILON, bad


def _rounded(value: Floats, error: Floats) -> Floats:
    """Half up (away from zero) to 6 decimals, as `expressions._rounded` does with Decimal.

    A float within its error bound below a tie (`x.xxxxxx5`) is taken to be the tie that
    `Decimal` computes exactly (`0.1 + 0.2`, sums of figures with 7 decimals...): it rounds
    up. Only figures closer to a tie than float arithmetic can tell apart are judged otherwise.
    """
    magnitude = np.abs(value) * 1e6
    rounded = np.floor(magnitude + 0.5 + 2 * error * 1e6 + magnitude * _EPSILON) / 1e6
    return np.where(np.abs(value) < _ROUND_LIMIT, np.copysign(rounded, value), value)


def _compare(left: Floats, operator: str, right: Floats) -> Bools:
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
