"""Comparing sources: the figures on which two sides of a reconciliation rule disagree.

Issue 5, scope 5: "the same indicator for the same unit and period from two sources (a
province's report and a ministry's, a report and a connector feed, a commune sum and the
province's own figure) compared with a tolerance". A `ReconciliationRule`
(`baocao/catalogue/models/reconciliation.py`) names the indicator, the two sides and the
tolerance; this module reads the stored values and says, figure by figure (indicator,
disaggregation, unit, period), what the two sides hold and whether they agree. It writes
nothing: `services.discrepancies_compare` turns the comparisons into discrepancies to follow up.

Only figures that both sides have are compared. A value missing on one side is not a
discrepancy (the report may not be due yet, the feed may lag); it is counted as
`one_sided`. For the sum of the units below, every unit below on the last day of the period
(the hierarchy in force then: a province's communes after 1 July 2025, its districts before)
must have the figure, otherwise the sum is incomplete and is not compared either: comparing
a province's total with the sum of the 90 of its 126 communes that reported so far would
flag every province every month until the last commune reports.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from baocao.catalogue.choices import ReconciliationKind
from baocao.catalogue.models import ReconciliationRule
from baocao.organisations import selectors as org_selectors
from baocao.periods import Period, PeriodError, parse_period
from baocao.submissions.models import DataValue
from baocao.validation.selectors import stored_number

# (unit id, period code, disaggregation)
Figure = tuple[int, str, str]


@dataclasses.dataclass(frozen=True)
class Comparison:
    """One figure as both sides of a rule hold it."""

    rule: ReconciliationRule
    unit_id: int
    period: str
    disaggregation: str
    left: Decimal
    right: Decimal

    @property
    def difference(self) -> Decimal:
        return self.left - self.right

    @property
    def agree(self) -> bool:
        return self.rule.agree(self.left, self.right)


@dataclasses.dataclass
class ComparisonResult:
    """Every figure compared, and how many could not be."""

    comparisons: list[Comparison] = dataclasses.field(default_factory=list)
    one_sided: int = 0  # figures that only one side has
    incomplete: int = 0  # sums of the units below with some of them missing

    @property
    def compared(self) -> int:
        return len(self.comparisons)

    @property
    def disagreeing(self) -> list[Comparison]:
        return [comparison for comparison in self.comparisons if not comparison.agree]


def figures_compare(
    *,
    rules: Iterable[ReconciliationRule],
    periods: Sequence[str],
    unit_ids: set[int] | None = None,
) -> ComparisonResult:
    """Compare the two sides of each rule for the given periods and units (None: all).

    `unit_ids` limits the units whose figures are compared: for the sum of the units below,
    the unit that owns the total (its children may be anywhere below it).
    """
    parsed = _periods(periods)
    result = ComparisonResult()
    for rule in rules:
        codes = [
            period.code
            for period in parsed
            if not rule.period_type or period.type.value == rule.period_type
        ]
        if not codes:
            continue
        if rule.kind == ReconciliationKind.CHILDREN:
            _compare_children(rule, codes, unit_ids, result)
        else:
            _compare_sources(rule, codes, unit_ids, result)
    return result


def _periods(periods: Sequence[str]) -> list[Period]:
    parsed: list[Period] = []
    for code in dict.fromkeys(periods):
        try:
            parsed.append(parse_period(code))
        except PeriodError:
            continue  # the services refuse unknown codes before calling this
    return parsed


def _values(
    rule: ReconciliationRule,
    codes: list[str],
    source: str,
    unit_ids: Iterable[int] | None,
    *,
    levels: Sequence[str] = (),
) -> dict[Figure, Decimal]:
    """The rule's indicator from one source, as exact numbers, by figure."""
    rows = DataValue.objects.filter(indicator_id=rule.indicator_id, period__in=codes, source=source)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=set(unit_ids))
    if levels:
        rows = rows.filter(unit__level__in=levels)
    found: dict[Figure, Decimal] = {}
    for unit_id, period, disaggregation, text in rows.values_list(
        "unit_id", "period", "disaggregation", "value"
    ):
        number = stored_number(text)
        if number is not None:
            found[(unit_id, period, disaggregation)] = number
    return found


def _compare_sources(
    rule: ReconciliationRule,
    codes: list[str],
    unit_ids: set[int] | None,
    result: ComparisonResult,
) -> None:
    levels = list(rule.unit_levels or ())
    left = _values(rule, codes, rule.left_source, unit_ids, levels=levels)
    right = _values(rule, codes, rule.right_source, unit_ids, levels=levels)
    for figure in sorted(left.keys() | right.keys()):
        if figure not in left or figure not in right:
            result.one_sided += 1
            continue
        unit_id, period, disaggregation = figure
        result.comparisons.append(
            Comparison(rule, unit_id, period, disaggregation, left[figure], right[figure])
        )


def _compare_children(
    rule: ReconciliationRule,
    codes: list[str],
    unit_ids: set[int] | None,
    result: ComparisonResult,
) -> None:
    levels = list(rule.unit_levels or ())
    totals = _values(rule, codes, rule.right_source, unit_ids, levels=levels)
    owners_by_period: dict[str, set[int]] = defaultdict(set)
    for unit_id, period, _disaggregation in totals:
        owners_by_period[period].add(unit_id)
    for period, owners in sorted(owners_by_period.items()):
        day = parse_period(period).end
        children: dict[int, set[int]] = defaultdict(set)
        for child_id, parent_id in (
            org_selectors.versions_on(day)
            .filter(parent_id__in=owners)
            .values_list("unit_id", "parent_id")
        ):
            children[parent_id].add(child_id)
        every_child = set().union(*children.values()) if children else set()
        parts = _values(rule, [period], rule.left_source, every_child)
        for (owner, figure_period, disaggregation), total in sorted(totals.items()):
            if figure_period != period:
                continue
            below = children.get(owner, set())
            numbers = [parts.get((child, period, disaggregation)) for child in below]
            if not below or any(number is None for number in numbers):
                result.incomplete += 1
                continue
            summed = sum((number for number in numbers if number is not None), Decimal(0))
            result.comparisons.append(
                Comparison(rule, owner, period, disaggregation, summed, total)
            )
