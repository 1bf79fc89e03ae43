"""One engine for the three moments a report is checked (issue 5, scope 3).

While the officer types (the entry form sends the values on the page, saved or not), when
the report is sent (the stored values, through the submissions hook) and in batch: the same
function, `values_findings`, judges a unit's values for a period with the built-in checks and
the catalogue's validation rules.

Rules apply to a report when their period type is the report's (or any), their unit levels
include the unit's (or are empty), and at least one value they cite for the report's own
period is a cell of its forms. Values of other periods (`previous(...)`, `last_year(...)`)
are the unit's stored values from the same source. A rule that cannot be evaluated (a
division by zero) is not a finding here: the batch report lists it as "not evaluable".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils.translation import gettext as _

from baocao.catalogue.choices import NUMERIC_VALUE_TYPES
from baocao.catalogue.expressions import (
    Expression,
    ExpressionError,
    Reference,
    expression_parse,
    rule_evaluate,
)
from baocao.catalogue.labels import period_code_label
from baocao.catalogue.models import Indicator, IndicatorDimension, ValidationRule
from baocao.core.numbers import format_number
from baocao.organisations import selectors as org_selectors
from baocao.periods import PeriodError, parse_period
from baocao.submissions import selectors as submission_selectors
from baocao.submissions.checks import Finding
from baocao.submissions.layout import CellKey, ReportLayout
from baocao.submissions.models import DataValue, Report
from baocao.validation.builtin import builtin_findings

SHIFTS = ("previous", "last_year")


@dataclasses.dataclass(frozen=True)
class ParsedRule:
    rule: ValidationRule
    left: Expression
    right: Expression

    @property
    def references(self) -> tuple[Reference, ...]:
        return self.left.references + self.right.references


def report_findings(report: Report, texts: Mapping[CellKey, str] | None = None) -> list[Finding]:
    """Findings for a report's stored values, or for the values on its entry page."""
    if texts is None:
        texts = {
            key: value.value for key, value in submission_selectors.report_values(report).items()
        }
    return values_findings(report, texts)


def values_findings(report: Report, texts: Mapping[CellKey, str]) -> list[Finding]:
    """Findings for values of a report, given as canonical texts (stored or just typed)."""
    layout = submission_selectors.layout_of(report)
    indicators = {cell.indicator.code: cell.indicator for cell in layout.cells.values()}
    numbers = _numbers(texts, indicators)
    options = _options(indicators.values())
    findings = builtin_findings(numbers, indicators, options)
    findings.extend(_rule_findings(report, layout, numbers))
    return findings


def _numbers(
    texts: Mapping[CellKey, str], indicators: Mapping[str, Indicator]
) -> dict[CellKey, Decimal]:
    numbers: dict[CellKey, Decimal] = {}
    for key, text in texts.items():
        indicator = indicators.get(key[0])
        if indicator is None or indicator.value_type not in NUMERIC_VALUE_TYPES:
            continue
        try:
            numbers[key] = Decimal(text)
        except (InvalidOperation, TypeError):
            continue  # refused at entry already; nothing to judge here
    return numbers


def _options(indicators: Iterable[Indicator]) -> dict[str, dict[str, list[str]]]:
    """Each indicator's dimensions and their option codes, in order (two queries)."""
    links = (
        IndicatorDimension.objects.filter(indicator__in=list(indicators))
        .select_related("indicator", "dimension")
        .prefetch_related("dimension__options")
        .order_by("indicator__code", "order")
    )
    found: dict[str, dict[str, list[str]]] = {}
    for link in links:
        found.setdefault(link.indicator.code, {})[link.dimension.code] = [
            option.code for option in link.dimension.options.all()
        ]
    return found


@lru_cache(maxsize=8192)
def _parse(text: str) -> Expression:
    # Parsed expressions are immutable: the same text always gives the same tree, so a
    # process parses each rule's text once, whatever the number of checks.
    return expression_parse(text)


def applicable_rules(report: Report, layout: ReportLayout) -> list[ParsedRule]:
    level = report.unit.level
    parsed: list[ParsedRule] = []
    for rule in ValidationRule.objects.order_by("code"):
        if rule.period_type and rule.period_type != report.period_type:
            continue
        if rule.unit_levels and level not in rule.unit_levels:
            continue
        try:
            item = ParsedRule(rule, _parse(rule.left), _parse(rule.right))
        except ExpressionError:
            continue  # refused when loaded; an older stored text is skipped, not a crash
        if any(
            reference.shift == ""
            and _in_layout(reference.indicator, reference.disaggregation, layout)
            for reference in item.references
        ):
            parsed.append(item)
    return parsed


def _in_layout(indicator: str, disaggregation: str, layout: ReportLayout) -> bool:
    if disaggregation.endswith("=*"):
        prefix = disaggregation[:-1]
        return any(key[0] == indicator and key[1].startswith(prefix) for key in layout.cells)
    return (indicator, disaggregation) in layout.cells


def _rule_findings(
    report: Report, layout: ReportLayout, numbers: Mapping[CellKey, Decimal]
) -> list[Finding]:
    rules = applicable_rules(report, layout)
    if not rules:
        return []
    shifted = _shifted_values(report, {ref.shift for item in rules for ref in item.references})
    by_shift: dict[str, Mapping[CellKey, Decimal]] = {"": numbers, **shifted}
    findings: list[Finding] = []
    for item in rules:
        values = {
            (ref.indicator, ref.disaggregation, ref.shift): _lookup(
                by_shift.get(ref.shift, {}), ref.indicator, ref.disaggregation
            )
            for ref in item.references
        }
        outcome = rule_evaluate(
            item.left, item.rule.operator, item.right, values, missing=item.rule.missing_values
        )
        if outcome.status != "violated":
            continue
        cells = tuple(
            dict.fromkeys(
                (ref.indicator, ref.disaggregation)
                for ref in item.references
                if ref.shift == "" and (ref.indicator, ref.disaggregation) in layout.cells
            )
        )
        findings.append(
            Finding(
                code=item.rule.code,
                importance=item.rule.importance,
                message=_message(item.rule, outcome.left, outcome.right, report),
                cells=cells,
            )
        )
    return findings


def _lookup(
    values: Mapping[CellKey, Decimal], indicator: str, disaggregation: str
) -> Decimal | None:
    if disaggregation.endswith("=*"):
        prefix = disaggregation[:-1]
        parts = [
            value
            for (code, key), value in values.items()
            if code == indicator and key.startswith(prefix) and "," not in key
        ]
        return sum(parts, Decimal(0)) if parts else None
    return values.get((indicator, disaggregation))


def _shifted_values(report: Report, shifts: set[str]) -> dict[str, dict[CellKey, Decimal]]:
    """The unit's stored numbers of the previous period and of the same period last year."""
    try:
        period = parse_period(report.period)
    except PeriodError:
        return {}
    codes = {}
    if "previous" in shifts:
        codes["previous"] = period.previous().code
    if "last_year" in shifts:
        codes["last_year"] = period.same_period_last_year().code
    found: dict[str, dict[CellKey, Decimal]] = {shift: {} for shift in codes}
    rows = DataValue.objects.filter(
        unit=report.unit, source=report.source, period__in=list(codes.values())
    ).values_list("period", "indicator__code", "disaggregation", "value")
    for period_code, indicator, disaggregation, text in rows:
        for shift, code in codes.items():
            if code == period_code:
                try:
                    found[shift][(indicator, disaggregation)] = Decimal(text)
                except InvalidOperation:
                    continue
    return found


def _message(
    rule: ValidationRule, left: Decimal | None, right: Decimal | None, report: Report
) -> str:
    args = {
        "left": "–" if left is None else format_number(left, decimals=_places(left)),
        "right": "–" if right is None else format_number(right, decimals=_places(right)),
        "unit": org_selectors.unit_name_as_of(unit=report.unit, on=report.deadline),
        "period": period_code_label(report.period),
    }
    try:
        return (
            rule.message % args
            if rule.message
            else _("%(name)s: %(left)s, %(right)s")
            % {
                "name": rule.name,
                **args,
            }
        )
    except (KeyError, TypeError, ValueError):
        return rule.message or rule.name


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return min(6, max(0, -exponent)) if isinstance(exponent, int) else 0
