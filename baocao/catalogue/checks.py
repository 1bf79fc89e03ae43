"""Checking a catalogue document against itself, the stored catalogue and the registry.

Every problem is collected (with file, line and path) before anything is written, so a
file is refused as a whole with the full list of what to fix.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, cast

from django.db.models import DecimalField
from django.utils.translation import gettext

from baocao.catalogue.choices import (
    ADDITIVE_OVER_UNITS,
    AGGREGATIONS_BY_VALUE_TYPE,
    NUMERIC_VALUE_TYPES,
    AggregationType,
    ChartKind,
    DashboardKind,
    PeriodTypeChoice,
    ReconciliationKind,
    ValueType,
)
from baocao.catalogue.errors import CatalogueError
from baocao.catalogue.files import CatalogueDocument, Entry, Origin
from baocao.catalogue.formulas import FormulaError, formula_parse
from baocao.catalogue.models import (
    AlertRule,
    Dimension,
    Form,
    Indicator,
    IndicatorTarget,
    ReconciliationRule,
    Regime,
    Sector,
)
from baocao.catalogue.models.rule import IndicatorShape, rule_problems
from baocao.catalogue.rules import cutoff_rule_from_spec, deadline_rule_from_spec, period_problem
from baocao.catalogue.spec import (
    AlertSpec,
    DashboardSpec,
    IndicatorSpec,
    PanelSpec,
    ReconciliationSpec,
    RegimeSpec,
    RuleSpec,
    StepSpec,
    TargetSpec,
    VersionSpec,
)
from baocao.core.errors import DomainError, Rejected
from baocao.organisations.choices import Level
from baocao.organisations.models import Unit
from baocao.periods import (
    DeadlineKind,
    PeriodError,
    PeriodType,
    WorkingCalendar,
    check_rules,
    cutoff_window,
    deadline,
    parse_period,
    periods_between,
)

# Step deadlines are compared over this many years of periods from a version's start.
_STEP_ORDER_YEARS = 2


def catalogue_check(document: CatalogueDocument) -> None:
    """Raise `Rejected` listing every problem of the document; return if there is none."""
    problems = _Check(document).run()
    if problems:
        raise Rejected(problems)


class _Check:
    def __init__(self, document: CatalogueDocument) -> None:
        self.document = document
        self.problems: list[DomainError] = []
        # The catalogue as it will be: stored entries, overridden by the document's.
        self.sectors = set(Sector.objects.values_list("code", flat=True))
        self.sectors |= {entry.spec.code for entry in document.sectors}
        self.options: dict[str, list[str]] = {}
        for dimension in Dimension.objects.prefetch_related("options"):
            self.options[dimension.code] = [option.code for option in dimension.options.all()]
        for dimension_entry in document.dimensions:
            spec = dimension_entry.spec
            self.options[spec.code] = [option.code for option in spec.options]
        self.indicators: dict[str, tuple[str, list[str], str]] = {}
        self.aggregations: dict[str, str] = {}
        for indicator in Indicator.objects.prefetch_related("dimension_links__dimension"):
            self.indicators[indicator.code] = (
                indicator.value_type,
                [link.dimension.code for link in indicator.dimension_links.all()],
                indicator.formula,
            )
            self.aggregations[indicator.code] = indicator.aggregation
        for indicator_entry in document.indicators:
            ispec = indicator_entry.spec
            self.indicators[ispec.code] = (ispec.value_type, list(ispec.dimensions), ispec.formula)
            self.aggregations[ispec.code] = ispec.aggregation
        # What rules and dashboard panels need of an indicator: value type and dimensions.
        self.shapes = {
            code: IndicatorShape(value_type, tuple(dimensions))
            for code, (value_type, dimensions, _) in self.indicators.items()
        }
        self.forms = set(Form.objects.values_list("code", flat=True))
        self.forms |= {entry.spec.code for entry in document.forms}
        self.regimes = set(Regime.objects.values_list("code", flat=True))
        self.regimes |= {entry.spec.code for entry in document.regimes}
        self.units = set(
            Unit.objects.filter(code__in=self._unit_codes()).values_list("code", flat=True)
        )
        self.calendar = WorkingCalendar()

    def run(self) -> list[DomainError]:
        self._duplicates()
        for indicator_entry in self.document.indicators:
            self._indicator(indicator_entry)
        self._formula_cycles()
        for dimension_entry in self.document.dimensions:
            self._duplicate_children(
                dimension_entry.origin, "options", [o.code for o in dimension_entry.spec.options]
            )
        for form_entry in self.document.forms:
            self._form(form_entry)
        for regime_entry in self.document.regimes:
            self._regime(regime_entry)
        for rule_entry in self.document.rules:
            self._rule(rule_entry, self.shapes)
        for reconciliation_entry in self.document.reconciliations:
            self._reconciliation(reconciliation_entry)
        for dashboard_entry in self.document.dashboards:
            self._dashboard(dashboard_entry)
        for target_entry in self.document.targets:
            self._target(target_entry)
        for alert_entry in self.document.alerts:
            self._alert(alert_entry)
        return self.problems

    def _add(self, error: CatalogueError, origin: Origin, *path: str | int, **args: Any) -> None:
        self.problems.append(DomainError(error, **origin.where(*path), **args))

    def _unit_codes(self) -> set[str]:
        codes: set[str] = set()
        for entry in self.document.regimes:
            for version in entry.spec.versions:
                for step in version.steps:
                    codes.update(step.reporters.units)
                    if step.receiver.unit:
                        codes.add(step.receiver.unit)
        codes.update(entry.spec.unit for entry in self.document.targets)
        return codes

    # Codes -------------------------------------------------------------------------------------

    def _duplicates(self) -> None:
        for kind, entries in self.document.entries():
            if kind == "targets":
                self._duplicate_targets()
                continue
            seen: dict[str, Origin] = {}
            for entry in entries:
                code = entry.spec.code
                if code in seen:
                    first = seen[code].where("code")
                    self._add(
                        CatalogueError.DUPLICATE_CODE,
                        entry.origin,
                        "code",
                        kind=kind,
                        code=code,
                        other=f"{first['file']}:{first['line']}",
                    )
                else:
                    seen[code] = entry.origin

    def _duplicate_targets(self) -> None:
        # A target has no code: the indicator, the unit and the period identify it.
        seen: dict[tuple[str, str, str], Origin] = {}
        for entry in self.document.targets:
            spec = entry.spec
            key = (spec.indicator, spec.unit, spec.period)
            if key in seen:
                self._add(
                    CatalogueError.TARGET_DUPLICATE,
                    entry.origin,
                    indicator=spec.indicator,
                    unit=spec.unit,
                    period=spec.period,
                    other=format_where(seen[key].where()),
                )
            else:
                seen[key] = entry.origin

    def _duplicate_children(self, origin: Origin, key: str, codes: Iterable[str]) -> None:
        seen: dict[str, int] = {}
        for index, code in enumerate(codes):
            if code in seen:
                other = origin.where(key, seen[code], "code")
                self._add(
                    CatalogueError.DUPLICATE_CODE,
                    origin,
                    key,
                    index,
                    "code",
                    kind=key,
                    code=code,
                    other=f"{other['file']}:{other['line']}",
                )
            else:
                seen[code] = index

    def _reference(
        self, known: Iterable[str], code: str, kind: str, origin: Origin, *path: str | int
    ) -> bool:
        if code in known:
            return True
        self._add(CatalogueError.UNKNOWN_REFERENCE, origin, *path, kind=kind, code=code)
        return False

    # Indicators --------------------------------------------------------------------------------

    def _indicator(self, entry: Entry[IndicatorSpec]) -> None:
        spec, origin = entry.spec, entry.origin
        self._reference(self.sectors, spec.sector, "sector", origin, "sector")
        for index, code in enumerate(spec.dimensions):
            self._reference(self.options, code, "dimension", origin, "dimensions", index)
        if spec.aggregation not in AGGREGATIONS_BY_VALUE_TYPE[spec.value_type]:
            self._add(
                CatalogueError.AGGREGATION_NOT_FOR_TYPE,
                origin,
                "aggregation",
                value_type=spec.value_type,
                aggregation=spec.aggregation,
            )
        if not spec.formula:
            return
        # A computed ratio is rarely whole: derived values are numbers or percentages.
        if spec.value_type not in (ValueType.NUMBER, ValueType.PERCENTAGE):
            self._add(
                CatalogueError.DERIVED_NOT_NUMERIC, origin, "value_type", value_type=spec.value_type
            )
        if spec.dimensions:
            self._add(CatalogueError.DERIVED_WITH_DIMENSIONS, origin, "dimensions")
        try:
            formula = formula_parse(spec.formula)
        except FormulaError as error:
            self._add(
                CatalogueError.FORMULA_INVALID,
                origin,
                "formula",
                position=error.position or 1,
                reason=_formula_reason(error.reason),
            )
            return
        for code in formula.references:
            self._reference(self.indicators, code, "indicator", origin, "formula")

    def _formula_cycles(self) -> None:
        graph = {
            code: _references(formula)
            for code, (_, _, formula) in self.indicators.items()
            if formula
        }
        origins = {entry.spec.code: entry.origin for entry in self.document.indicators}
        reported: set[str] = set()
        for start in graph:
            path = _cycle_from(start, graph)
            if path and start in origins and not reported.intersection(path):
                reported.update(path)
                self._add(
                    CatalogueError.FORMULA_CYCLE, origins[start], "formula", path=" → ".join(path)
                )

    # Forms ---------------------------------------------------------------------------------------

    def _form(self, entry: Entry[Any]) -> None:
        spec, origin = entry.spec, entry.origin
        self._duplicate_children(origin, "sections", [s.code for s in spec.sections])
        self._duplicate_children(origin, "narrative", [n.code for n in spec.narrative])
        for s_index, section in enumerate(spec.sections):
            at = ("sections", s_index)
            columns = section.columns
            column_dimension = None
            if columns is not None and self._reference(
                self.options, columns.dimension, "dimension", origin, *at, "columns", "dimension"
            ):
                column_dimension = columns.dimension
                for o_index, option in enumerate(columns.options):
                    if option not in self.options[columns.dimension]:
                        self._add(
                            CatalogueError.UNKNOWN_REFERENCE,
                            origin,
                            *at,
                            "columns",
                            "options",
                            o_index,
                            kind=f"option of {columns.dimension}",
                            code=option,
                        )
            seen: set[str] = set()
            for r_index, row in enumerate(section.rows):
                where = (*at, "rows", r_index, "indicator")
                if row.indicator in seen:
                    self._add(
                        CatalogueError.DUPLICATE_CODE,
                        origin,
                        *where,
                        kind="rows",
                        code=row.indicator,
                        other=format_where(origin.where(*at)),
                    )
                seen.add(row.indicator)
                if not self._reference(self.indicators, row.indicator, "indicator", origin, *where):
                    continue
                _, dimensions, formula = self.indicators[row.indicator]
                if formula:
                    self._add(CatalogueError.ROW_DERIVED, origin, *where, indicator=row.indicator)
                if column_dimension and column_dimension not in dimensions:
                    self._add(
                        CatalogueError.COLUMN_DIMENSION_NOT_ON_INDICATOR,
                        origin,
                        *where,
                        indicator=row.indicator,
                        dimension=column_dimension,
                    )

    # Regimes -------------------------------------------------------------------------------------

    def _regime(self, entry: Entry[RegimeSpec]) -> None:
        spec, origin = entry.spec, entry.origin
        if spec.sector:
            self._reference(self.sectors, spec.sector, "sector", origin, "sector")
        ordered = sorted(enumerate(spec.versions), key=lambda item: item[1].valid_from)
        for (_, earlier), (index, later) in itertools.pairwise(ordered):
            if earlier.valid_to is None or earlier.valid_to >= later.valid_from:
                self._add(
                    CatalogueError.VERSION_OVERLAP,
                    origin,
                    "versions",
                    index,
                    "valid_from",
                    first=_vn(earlier.valid_from),
                    second=_vn(later.valid_from),
                    date=_vn(later.valid_from),
                )
        for index, version in enumerate(spec.versions):
            self._version(origin, ("versions", index), version)

    def _version(self, origin: Origin, at: tuple[str | int, ...], version: VersionSpec) -> None:
        if version.valid_to is not None and version.valid_to < version.valid_from:
            self._add(
                CatalogueError.INTERVAL_REVERSED,
                origin,
                *at,
                "valid_to",
                valid_from=_vn(version.valid_from),
                valid_to=_vn(version.valid_to),
            )
        is_range = version.frequency == PeriodTypeChoice.RANGE
        if version.periods and not is_range:
            self._add(CatalogueError.PERIODS_NOT_FOR_FREQUENCY, origin, *at, "periods")
        if is_range and not version.periods:
            self._add(CatalogueError.PERIODS_REQUIRED, origin, *at, "periods")
        periods = []
        for index, code in enumerate(version.periods):
            try:
                periods.append(parse_period(code))
            except PeriodError as error:
                self.problems.append(period_problem(error, **origin.where(*at, "periods", index)))
        for index, code in enumerate(version.forms):
            self._reference(self.forms, code, "form", origin, *at, "forms", index)
        cutoff = cutoff_rule_from_spec(version.cutoff)
        try:
            cutoff.validate()
        except PeriodError as error:
            self.problems.append(period_problem(error, **origin.where(*at, "cutoff")))
            return
        for index, step in enumerate(version.steps):
            self._step(origin, (*at, "steps", index), version, step, periods)
        self._step_order(origin, at, version, periods)

    def _step(
        self,
        origin: Origin,
        at: tuple[str | int, ...],
        version: VersionSpec,
        step: StepSpec,
        periods: list[Any],
    ) -> None:
        reporters = step.reporters
        if not (reporters.levels or reporters.types or reporters.units):
            self._add(CatalogueError.REPORTERS_EMPTY, origin, *at, "reporters")
        for index, code in enumerate(reporters.units):
            self._reference(self.units, code, "unit", origin, *at, "reporters", "units", index)
        receiver = step.receiver
        if bool(receiver.level) == bool(receiver.unit):
            self._add(CatalogueError.RECEIVER_AMBIGUOUS, origin, *at, "receiver")
        elif receiver.unit:
            self._reference(self.units, receiver.unit, "unit", origin, *at, "receiver", "unit")
        rule = deadline_rule_from_spec(step.deadline)
        frequency = PeriodType(version.frequency)
        if frequency == PeriodType.RANGE:
            if rule.kind == DeadlineKind.FIXED_DAY:
                self._add(CatalogueError.DEADLINE_RULE_FOR_RANGE, origin, *at, "deadline")
                return
            try:
                rule.validate()
                cutoff = cutoff_rule_from_spec(version.cutoff)
                for period in periods:
                    window = cutoff_window(cutoff, period)
                    due = deadline(rule, period, window, self.calendar)
                    if due < window.end:
                        self._add(
                            CatalogueError.DEADLINE_BEFORE_CUTOFF,
                            origin,
                            *at,
                            "deadline",
                            period=period.code,
                            deadline=_vn(due),
                            cutoff_end=_vn(window.end),
                        )
            except PeriodError as error:
                self.problems.append(period_problem(error, **origin.where(*at, "deadline")))
            return
        found = check_rules(cutoff_rule_from_spec(version.cutoff), rule, frequency)
        for problem in found[:1]:
            self.problems.append(period_problem(problem, **origin.where(*at, "deadline")))

    def _step_order(
        self, origin: Origin, at: tuple[str | int, ...], version: VersionSpec, periods: list[Any]
    ) -> None:
        """A step that compiles the previous step's reports cannot be due before them."""
        steps = version.steps
        for index in range(1, len(steps)):
            previous, step = steps[index - 1], steps[index]
            if not _feeds(previous, step):
                continue
            try:
                found = _first_inversion(version, previous, step, periods, self.calendar)
            except PeriodError:
                return  # Already reported by the rule checks.
            if found is not None:
                self._add(
                    CatalogueError.STEP_DEADLINES_DECREASE,
                    origin,
                    *at,
                    "steps",
                    index,
                    "deadline",
                    step=index + 1,
                    previous=index,
                    period=found,
                )

    # Validation rules ------------------------------------------------------------------------

    def _rule(self, entry: Entry[RuleSpec], shapes: dict[str, IndicatorShape]) -> None:
        """The rule's expressions, references and message (the same checks as the admin's)."""
        spec, origin = entry.spec, entry.origin
        if spec.sector:
            self._reference(self.sectors, spec.sector, "sector", origin, "sector")
        for problem in rule_problems(
            left=spec.left,
            right=spec.right,
            operator=spec.operator,
            missing_values=spec.missing_values,
            message=spec.message,
            indicators=shapes,
            options=self.options,
        ):
            self._add(problem.error, origin, problem.field, **problem.args)

    # Reconciliation rules ------------------------------------------------------------------

    def _reconciliation(self, entry: Entry[ReconciliationSpec]) -> None:
        """The indicator, the two sides and the tolerances of a reconciliation rule.

        The model's `clean()` checks the same for one admin edit.
        """
        spec, origin = entry.spec, entry.origin
        if spec.sector:
            self._reference(self.sectors, spec.sector, "sector", origin, "sector")
        if spec.indicator not in self.indicators:
            self._add(
                CatalogueError.RECONCILIATION_UNKNOWN_INDICATOR,
                origin,
                "indicator",
                code=spec.indicator,
            )
        else:
            value_type = self.indicators[spec.indicator][0]
            aggregation = self.aggregations[spec.indicator]
            if value_type not in NUMERIC_VALUE_TYPES:
                self._add(
                    CatalogueError.RECONCILIATION_INDICATOR_NOT_NUMERIC,
                    origin,
                    "indicator",
                    code=spec.indicator,
                    value_type=_label(ValueType, value_type),
                )
            elif spec.kind == ReconciliationKind.CHILDREN and (
                aggregation not in ADDITIVE_OVER_UNITS
            ):
                # A rate or an index of a province is not the sum of its communes' rates.
                self._add(
                    CatalogueError.RECONCILIATION_CHILDREN_NOT_ADDITIVE,
                    origin,
                    "indicator",
                    code=spec.indicator,
                    aggregation=_label(AggregationType, aggregation),
                )
        if spec.kind == ReconciliationKind.SOURCES and spec.left_source == spec.right_source:
            self._add(
                CatalogueError.RECONCILIATION_SAME_SOURCE,
                origin,
                "right_source",
                source=spec.right_source,
            )
        for field in ("tolerance_absolute", "tolerance_percent"):
            self._tolerance(origin, field, getattr(spec, field))

    def _tolerance(self, origin: Origin, field: str, value: Decimal) -> None:
        shown = format(value, "f")
        if value < 0:
            self._add(CatalogueError.RECONCILIATION_TOLERANCE_NEGATIVE, origin, field, value=shown)
            return
        if field == "tolerance_percent" and value > 100:
            self._add(CatalogueError.RECONCILIATION_PERCENT_OVER_100, origin, field, value=shown)
            return
        # The column's precision: a value it cannot hold would fail only when written.
        column = cast(DecimalField[Any, Any], ReconciliationRule._meta.get_field(field))
        digits, decimals = column.max_digits or 0, column.decimal_places or 0
        if not fits_column(value, digits=digits, decimals=decimals):
            self._add(
                CatalogueError.RECONCILIATION_TOLERANCE_DIGITS,
                origin,
                field,
                value=shown,
                decimals=decimals,
                digits=digits,
            )

    def _digits(self, origin: Origin, field: str, value: Decimal, model: Any) -> None:
        """Refuse a number its column cannot hold (digits in all, and after the point)."""
        column = cast(DecimalField[Any, Any], model._meta.get_field(field))
        digits, decimals = column.max_digits or 0, column.decimal_places or 0
        if not fits_column(value, digits=digits, decimals=decimals):
            self._add(
                CatalogueError.NUMBER_TOO_MANY_DIGITS,
                origin,
                field,
                value=format(value, "f"),
                decimals=decimals,
                digits=digits,
            )

    # Dashboards, targets and alerts (issue 7) ------------------------------------------------

    def _dashboard(self, entry: Entry[DashboardSpec]) -> None:
        spec, origin = entry.spec, entry.origin
        if spec.sector:
            if spec.sector not in self.sectors:
                self._add(CatalogueError.UNKNOWN_SECTOR, origin, "sector", code=spec.sector)
        elif spec.kind == DashboardKind.SECTOR:
            self._add(CatalogueError.DASHBOARD_SECTOR_REQUIRED, origin, "sector")
        for index, panel in enumerate(spec.panels):
            for problem in panel_problems(
                panel, indicators=self.shapes, options=self.options, regimes=self.regimes
            ):
                self._add(problem.error, origin, "panels", index, *problem.path, **problem.args)

    def _numeric_indicator(self, origin: Origin, code: str, not_numeric: CatalogueError) -> None:
        if code not in self.indicators:
            self._add(CatalogueError.UNKNOWN_INDICATOR, origin, "indicator", code=code)
            return
        value_type = self.indicators[code][0]
        if value_type not in NUMERIC_VALUE_TYPES:
            self._add(
                not_numeric,
                origin,
                "indicator",
                code=code,
                value_type=_label(ValueType, value_type),
            )

    def _target(self, entry: Entry[TargetSpec]) -> None:
        spec, origin = entry.spec, entry.origin
        self._numeric_indicator(origin, spec.indicator, CatalogueError.TARGET_INDICATOR_NOT_NUMERIC)
        if spec.unit not in self.units:
            self._add(CatalogueError.UNKNOWN_UNIT, origin, "unit", code=spec.unit)
        try:
            parse_period(spec.period)
        except PeriodError as error:
            self.problems.append(period_problem(error, **origin.where("period")))
        self._digits(origin, "value", spec.value, IndicatorTarget)

    def _alert(self, entry: Entry[AlertSpec]) -> None:
        spec, origin = entry.spec, entry.origin
        self._numeric_indicator(origin, spec.indicator, CatalogueError.ALERT_INDICATOR_NOT_NUMERIC)
        if spec.sector and spec.sector not in self.sectors:
            self._add(CatalogueError.UNKNOWN_SECTOR, origin, "sector", code=spec.sector)
        self._digits(origin, "threshold", spec.threshold, AlertRule)


# Dashboard panels ------------------------------------------------------------------------------

# Charts of figures over units or time: they need indicators, and numeric ones. Completeness
# counts reports and the alerts panel lists alerts: indicators there only narrow what is shown.
CHARTS_OF_FIGURES = frozenset(
    {
        ChartKind.TILES,
        ChartKind.LINE,
        ChartKind.BAR,
        ChartKind.RANKING,
        ChartKind.MAP,
        ChartKind.TABLE,
    }
)
# Charts of the units below the page's unit, which must say at which level.
CHARTS_OF_UNITS = frozenset({ChartKind.RANKING, ChartKind.MAP, ChartKind.TABLE})
# Boundaries are drawn for provinces only (../shared/data/geo: the 34 and the 63 provinces).
MAP_LEVEL = Level.PROVINCE

_DISAGGREGATION = re.compile(r"([A-Z0-9][A-Z0-9._-]*)=([A-Z0-9][A-Z0-9._-]*|\*)")


@dataclasses.dataclass(frozen=True)
class PanelProblem:
    """One reason a panel is refused: where in the panel (`indicators`, 2) and why."""

    error: CatalogueError
    path: tuple[str | int, ...]
    args: dict[str, Any]

    @property
    def message(self) -> str:
        return self.error.render(self.args)


def panel_problems(
    panel: PanelSpec,
    *,
    indicators: Mapping[str, IndicatorShape],
    options: Mapping[str, Sequence[str]],
    regimes: Collection[str],
) -> list[PanelProblem]:
    """Every reason to refuse a panel, given the catalogue it may use.

    `catalogue_check` runs it on each panel of a file, the admin on each panel it saves, so
    that both refuse the same panels with the same messages.
    """
    problems: list[PanelProblem] = []

    def add(error: CatalogueError, *path: str | int, **args: Any) -> None:
        problems.append(PanelProblem(error, path, args))

    chart = _label(ChartKind, panel.chart)
    if panel.chart in CHARTS_OF_FIGURES and not panel.indicators:
        add(CatalogueError.PANEL_NO_INDICATORS, "indicators", chart=chart)
    seen: dict[str, int] = {}
    for index, code in enumerate(panel.indicators):
        if code in seen:
            add(
                CatalogueError.PANEL_DUPLICATE_INDICATOR,
                "indicators",
                index,
                code=code,
                other=seen[code] + 1,
            )
            continue
        seen[code] = index
        shape = indicators.get(code)
        if shape is None:
            add(CatalogueError.UNKNOWN_INDICATOR, "indicators", index, code=code)
        elif panel.chart in CHARTS_OF_FIGURES and shape.value_type not in NUMERIC_VALUE_TYPES:
            add(
                CatalogueError.PANEL_INDICATOR_NOT_NUMERIC,
                "indicators",
                index,
                code=code,
                value_type=_label(ValueType, shape.value_type),
                chart=chart,
            )
    if panel.chart in CHARTS_OF_UNITS and not panel.level:
        add(CatalogueError.PANEL_LEVEL_REQUIRED, "level", chart=chart)
    elif panel.chart == ChartKind.MAP and panel.level != MAP_LEVEL:
        add(CatalogueError.PANEL_MAP_LEVEL, "level", level=_label(Level, str(panel.level)))
    if panel.regime:
        if panel.regime not in regimes:
            add(CatalogueError.UNKNOWN_REGIME, "regime", code=panel.regime)
    elif panel.chart == ChartKind.COMPLETENESS:
        add(CatalogueError.PANEL_REGIME_REQUIRED, "regime")
    if panel.disaggregation:
        problems.extend(_disaggregation_problems(panel, indicators, options))
    return problems


def _disaggregation_problems(
    panel: PanelSpec,
    indicators: Mapping[str, IndicatorShape],
    options: Mapping[str, Sequence[str]],
) -> list[PanelProblem]:
    """`DIM=OPT` or `DIM=*`: a dimension of every indicator of the panel, and its option."""
    match = _DISAGGREGATION.fullmatch(panel.disaggregation)
    if match is None:
        return [
            PanelProblem(
                CatalogueError.PANEL_DISAGGREGATION_INVALID,
                ("disaggregation",),
                {"value": panel.disaggregation},
            )
        ]
    dimension, option = match[1], match[2]
    if dimension not in options:
        return [
            PanelProblem(CatalogueError.UNKNOWN_DIMENSION, ("disaggregation",), {"code": dimension})
        ]
    problems = []
    if option != "*" and option not in options[dimension]:
        problems.append(
            PanelProblem(
                CatalogueError.PANEL_UNKNOWN_OPTION,
                ("disaggregation",),
                {
                    "option": option,
                    "dimension": dimension,
                    "expected": ", ".join([*options[dimension], "*"]),
                },
            )
        )
    for code in dict.fromkeys(panel.indicators):
        shape = indicators.get(code)
        if shape is not None and dimension not in shape.dimensions:
            problems.append(
                PanelProblem(
                    CatalogueError.PANEL_DIMENSION_NOT_ON_INDICATOR,
                    ("indicators", panel.indicators.index(code)),
                    {"code": code, "dimension": dimension},
                )
            )
    return problems


def fits_column(value: Decimal, *, digits: int, decimals: int) -> bool:
    """Whether a decimal column of `digits` digits, `decimals` after the point, holds `value`."""
    exponent = value.normalize().as_tuple().exponent
    places = max(-exponent, 0) if isinstance(exponent, int) else 0
    return places <= decimals and value.adjusted() + 1 <= digits - decimals


def _label(choices: Any, value: str) -> Any:
    """A choice's translated label, left lazy so that a message renders in the reader's language."""
    try:
        return choices(value).label
    except ValueError:
        return value


def _feeds(previous: StepSpec, step: StepSpec) -> bool:
    # Step n compiles step n-1 when n-1 sends to the units that report in step n.
    receiver = previous.receiver
    if receiver.level:
        return receiver.level in step.reporters.levels
    return receiver.unit is not None and receiver.unit in step.reporters.units


def _first_inversion(
    version: VersionSpec,
    previous: StepSpec,
    step: StepSpec,
    periods: list[Any],
    calendar: WorkingCalendar,
) -> str | None:
    frequency = PeriodType(version.frequency)
    cutoff = cutoff_rule_from_spec(version.cutoff)
    if frequency != PeriodType.RANGE:
        end = version.valid_to or dt.date(version.valid_from.year + _STEP_ORDER_YEARS, 12, 31)
        periods = periods_between(frequency, version.valid_from, end)
    first_rule = deadline_rule_from_spec(previous.deadline)
    second_rule = deadline_rule_from_spec(step.deadline)
    for period in periods:
        window = cutoff_window(cutoff, period)
        if deadline(second_rule, period, window, calendar) < deadline(
            first_rule, period, window, calendar
        ):
            return str(period.code)
    return None


def _references(formula: str) -> list[str]:
    try:
        return list(formula_parse(formula).references)
    except FormulaError:
        return []


def _cycle_from(start: str, graph: dict[str, list[str]]) -> list[str] | None:
    """The shortest path start → … → start through formulas, if there is one."""
    frontier: list[list[str]] = [[start]]
    seen: set[str] = set()
    while frontier:
        next_frontier = []
        for path in frontier:
            for code in graph.get(path[-1], []):
                if code == start:
                    return [*path, start]
                if code not in seen:
                    seen.add(code)
                    next_frontier.append([*path, code])
        frontier = next_frontier
    return None


def _formula_reason(reason: str) -> str:
    return {
        "empty": gettext("the formula is empty"),
        "syntax": gettext("it is not a well-formed expression"),
        "not_allowed": gettext(
            "only #{CODE} references, numbers, + - * / and parentheses are allowed"
        ),
        "no_reference": gettext("it refers to no indicator"),
    }.get(reason, reason)


def format_where(where: dict[str, Any]) -> str:
    return f"{where['file']}:{where['line']}" if where.get("line") else str(where["file"])


def _vn(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")
