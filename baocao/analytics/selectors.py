"""Reading analytics: the one query interface the API, the command line and the dashboards use.

`analytics_query` checks a query (codes, periods, the caller's scope, size), runs it on the
engine, computes derived indicators from their aggregated components and the comparisons asked
for (previous period, same period last year, growth), and returns rows that say which values
are provisional or rest on re-mapped units. Reading may queue one piece of housekeeping: when
a query had to read many changes live, a compaction of the store (`services`), so that the
next queries do not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from typing import Any

import duckdb
from django.db.models import F

from baocao.accounts import scope
from baocao.analytics import services
from baocao.analytics.delta import change_token
from baocao.analytics.dimensions import StoredIndicator, StoredUnit, store_dimensions
from baocao.analytics.engine import (
    HISTORICAL,
    Cell,
    EngineError,
    EngineQuery,
    IndicatorRef,
    engine_run,
)
from baocao.analytics.engine import indicator_period_types as engine_indicator_period_types
from baocao.analytics.errors import AnalyticsError
from baocao.analytics.store import generation_current
from baocao.catalogue.choices import NUMERIC_VALUE_TYPES
from baocao.catalogue.formulas import FormulaError, formula_parse
from baocao.catalogue.labels import period_code_label
from baocao.catalogue.models import Indicator
from baocao.core.errors import DomainError, Rejected
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit, UnitVersion
from baocao.periods import Period, PeriodError, PeriodType, parse_period
from baocao.submissions import selectors as submission_selectors
from baocao.submissions.errors import SubmissionDenied

# Values one query may ask for (indicators x units x periods, comparisons included).
MAX_CELLS = 200_000
COMPARISONS = ("previous", "last_year")
_DISAGGREGATION = re.compile(
    r"^[A-Z0-9][A-Z0-9._-]*=([A-Z0-9][A-Z0-9._-]*|\*)(,[A-Z0-9][A-Z0-9._-]*=[A-Z0-9][A-Z0-9._-]*)*$"
)


@dataclasses.dataclass
class Row:
    """One value of the answer, with what a reader must know about it."""

    indicator: str
    unit: str
    unit_name: str
    period: str
    period_label: str
    disaggregation: str
    value: float | None
    values: int
    provisional: bool
    remapped: bool
    partial: bool
    previous: float | None = None
    last_year: float | None = None
    growth_previous: float | None = None  # percent
    growth_last_year: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class AnalyticsResult:
    rows: list[Row]
    generation: int | None
    live_changes: int
    seconds: float
    structure: str


def analytics_query(
    *,
    indicators: Sequence[str],
    periods: Sequence[str],
    units: Sequence[str] = (),
    children_of: str = "",
    level: str = "",
    disaggregation: str = "",
    structure: str = HISTORICAL,
    source: str = "",
    comparisons: Sequence[str] = (),
    user: Any = None,
) -> AnalyticsResult:
    """Aggregate `indicators` for `units` (or the units directly below `children_of`, of
    `level` if given: the Government's provinces, not its ministries) and `periods`; see
    `baocao.analytics.engine` for the semantics.

    `user` None is the system (the command line); a user sees the units of their scope.
    """
    problems: list[DomainError] = []
    refs, derived = _indicators(indicators, problems)
    parsed = _periods(periods, problems)
    if disaggregation and not _DISAGGREGATION.fullmatch(disaggregation):
        problems.append(
            DomainError(
                AnalyticsError.BAD_DISAGGREGATION, field="disaggregation", value=disaggregation
            )
        )
    if structure != HISTORICAL:
        try:
            dt.date.fromisoformat(structure)
        except ValueError:
            problems.append(
                DomainError(AnalyticsError.BAD_STRUCTURE, field="structure", value=structure)
            )
    for comparison in comparisons:
        if comparison not in COMPARISONS:
            problems.append(
                DomainError(AnalyticsError.BAD_COMPARISON, field="comparisons", value=comparison)
            )
    chosen = _units(units, children_of, structure, parsed, problems)
    if level:
        chosen = [unit for unit in chosen if unit.level == level or unit.code in units]
    if problems:
        raise Rejected(problems)
    visible = scope.unit_ids_in_scope(user) if user is not None else None
    for unit in chosen:
        if visible is not None and unit.id not in visible:
            raise SubmissionDenied(AnalyticsError.UNIT_OUT_OF_SCOPE, field="unit", code=unit.code)
    asked = list(parsed)
    for how in comparisons:
        asked += [shifted for period in parsed if (shifted := _shifted(period, how)) is not None]
    asked = list(dict.fromkeys(asked))
    cells = len(refs) * len(chosen) * len(asked)
    if cells > MAX_CELLS:
        raise DomainError(AnalyticsError.TOO_LARGE, cells=cells, maximum=MAX_CELLS)
    if generation_current() is None:
        raise DomainError(AnalyticsError.NO_STORE)
    query = EngineQuery(
        indicators=tuple(refs.values()),
        unit_ids=tuple(unit.id for unit in chosen),
        periods=tuple(asked),
        disaggregation=disaggregation,
        structure=structure,
        source=source,
    )
    try:
        result = engine_run(query)
    except duckdb.OutOfMemoryException:
        raise DomainError(AnalyticsError.OUT_OF_MEMORY) from None
    except EngineError as error:
        raise DomainError(AnalyticsError.NO_STORE) from error
    if result.generation is not None:
        current = generation_current()
        if current is not None and current.number == result.generation:
            services.analytics_compact_request(generation=current, live_changes=result.live_changes)
    by_key = {(c.indicator, c.unit_id, c.period, c.disaggregation): c for c in result.cells}
    for code, formula in derived.items():
        _derive(code, formula, by_key, chosen, asked)
    rows = _rows(indicators, chosen, parsed, by_key, comparisons, disaggregation)
    return AnalyticsResult(rows, result.generation, result.live_changes, result.seconds, structure)


# Checking the query ---------------------------------------------------------------------------


def _indicators(
    codes: Sequence[str], problems: list[DomainError]
) -> tuple[dict[str, IndicatorRef], dict[str, Any]]:
    """Stored indicators to aggregate (derived ones' components included), and the formulas.

    Read from the store's copy of the catalogue; the catalogue itself only for codes the
    store does not know (new since the build, or not numbers: to say why they are refused).
    """
    if not codes:
        problems.append(DomainError(AnalyticsError.NO_INDICATOR, field="indicators"))
    known = _catalogue([*codes])
    refs: dict[str, IndicatorRef] = {}
    derived: dict[str, Any] = {}
    wanted: set[str] = set()
    for code in codes:
        indicator = known.get(code)
        if indicator is None:
            problems.append(
                DomainError(AnalyticsError.UNKNOWN_INDICATOR, field="indicators", code=code)
            )
        elif indicator.value_type not in NUMERIC_VALUE_TYPES:
            problems.append(DomainError(AnalyticsError.NOT_NUMERIC, field="indicators", code=code))
        elif indicator.formula:
            try:
                formula = formula_parse(indicator.formula)
            except FormulaError:
                continue  # the catalogue refuses such formulas when it is loaded
            derived[code] = formula
            wanted.update(formula.references)
        else:
            refs[code] = IndicatorRef(indicator.id, indicator.code, indicator.aggregation)
    for code, indicator in _catalogue(sorted(wanted - set(refs))).items():
        if not indicator.formula:
            refs[code] = IndicatorRef(indicator.id, indicator.code, indicator.aggregation)
    return refs, derived


def _catalogue(codes: Sequence[str]) -> dict[str, StoredIndicator]:
    dimensions = store_dimensions()
    found = {
        code: dimensions.indicators[code]
        for code in codes
        if dimensions is not None and code in dimensions.indicators
    }
    missing = [code for code in codes if code not in found]
    if missing:
        for pk, code, aggregation, value_type, formula in Indicator.objects.filter(
            code__in=missing
        ).values_list("pk", "code", "aggregation", "value_type", "formula"):
            found[code] = StoredIndicator(pk, code, aggregation, value_type, formula or "")
    return found


def _periods(codes: Sequence[str], problems: list[DomainError]) -> list[Period]:
    if not codes:
        problems.append(DomainError(AnalyticsError.NO_PERIOD, field="periods"))
    parsed: list[Period] = []
    for index, code in enumerate(codes):
        try:
            parsed.append(submission_selectors.period_parse(code, field=f"periods[{index}]"))
        except DomainError as error:
            problems.append(error)
    return list(dict.fromkeys(parsed))


def _units(
    codes: Sequence[str],
    children_of: str,
    structure: str,
    periods: Sequence[Period],
    problems: list[DomainError],
) -> list[StoredUnit]:
    """The units asked for, from the store's copy of the registry (the registry itself for
    codes new since the build)."""
    dimensions = store_dimensions()
    found = {
        code: dimensions.units[code]
        for code in [*codes, children_of]
        if code and dimensions is not None and code in dimensions.units
    }
    missing = [code for code in [*codes, children_of] if code and code not in found]
    if missing:
        found |= {
            unit.code: StoredUnit(unit.pk, unit.code, unit.level, unit.code)
            for unit in Unit.objects.filter(code__in=missing)
        }
    chosen: list[StoredUnit] = []
    for code in codes:
        if code in found:
            chosen.append(found[code])
        else:
            problems.append(DomainError(AnalyticsError.UNKNOWN_UNIT, field="units", code=code))
    if children_of:
        parent = found.get(children_of)
        if parent is None:
            problems.append(
                DomainError(AnalyticsError.UNKNOWN_UNIT, field="children_of", code=children_of)
            )
        else:
            # The units below it in the structure asked for: on its date, or on the last day
            # of the latest period asked for the historical structure.
            on = (
                dt.date.fromisoformat(structure)
                if structure != HISTORICAL and _is_date(structure)
                else max((period.end for period in periods), default=org_selectors.today())
            )
            if dimensions is not None and parent.id in dimensions.units_by_id:
                chosen.extend(dimensions.children_on(parent.id, on))
            else:
                chosen.extend(
                    StoredUnit(v.unit.pk, v.unit.code, v.unit.level, v.name)
                    for v in org_selectors.unit_children(unit=Unit.objects.get(pk=parent.id), on=on)
                )
    if not codes and not children_of:
        problems.append(DomainError(AnalyticsError.NO_UNIT, field="units"))
    return list(dict.fromkeys(chosen))


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


# Comparisons and derived indicators ---------------------------------------------------------


def _shifted(period: Period, how: str) -> Period | None:
    """The previous period of the same type, or the same period a year before."""
    try:
        if how == "previous":
            return period.previous()
        if period.type is PeriodType.RANGE:
            return Period.range(_year_back(period.start), _year_back(period.end))
        return parse_period(_year_back_code(period))
    except (PeriodError, ValueError):
        return None


def _year_back(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _year_back_code(period: Period) -> str:
    code = period.code
    return f"{int(code[:4]) - 1:04d}{code[4:]}"


def _derive(
    code: str,
    formula: Any,
    by_key: dict[tuple[str, int, str, str], Cell],
    units: Sequence[StoredUnit],
    periods: Sequence[Period],
) -> None:
    """The derived indicator from its components' aggregated values (ratio of sums)."""
    options = {key[3] for key in by_key if key[0] in formula.references} or {""}
    period_codes = [period.code for period in periods]  # computed once, not per unit
    for unit in units:
        for period_code in period_codes:
            for option in options:
                parts = [
                    by_key.get((ref, unit.id, period_code, option)) for ref in formula.references
                ]
                known = [part for part in parts if part is not None]
                if not known:
                    continue
                value = formula.evaluate(
                    {
                        ref: (part.value if part else None)
                        for ref, part in zip(formula.references, parts, strict=True)
                    }
                )
                by_key[(code, unit.id, period_code, option)] = Cell(
                    indicator=code,
                    unit_id=unit.id,
                    period=period_code,
                    disaggregation=option,
                    value=value,
                    values=sum(part.values for part in known),
                    provisional=any(part.provisional for part in known),
                    remapped=any(part.remapped for part in known),
                    partial=any(part.partial for part in known),
                )


def _names(units: Sequence[StoredUnit]) -> dict[int, str]:
    """Each unit's name as it is today, or as it last was (from the store's copy, else the
    registry in one query)."""
    dimensions = store_dimensions()
    names = {
        unit.id: dimensions.units_by_id[unit.id].name
        for unit in units
        if dimensions is not None and unit.id in dimensions.units_by_id
    }
    missing = [unit.id for unit in units if unit.id not in names]
    if missing:
        today = org_selectors.today()
        versions = UnitVersion.objects.filter(unit_id__in=missing).order_by(
            "unit_id", F("valid_from").asc(nulls_first=True)
        )
        for unit_id, name, valid_from in versions.values_list("unit_id", "name", "valid_from"):
            if valid_from is None or valid_from <= today or unit_id not in names:
                names[unit_id] = name
    return names


def _rows(
    codes: Sequence[str],
    units: Sequence[StoredUnit],
    periods: Sequence[Period],
    by_key: dict[tuple[str, int, str, str], Cell],
    comparisons: Sequence[str],
    disaggregation: str,
) -> list[Row]:
    """The rows in the order asked for: indicator, unit, period, option."""
    names = _names(units)
    labels = {period.code: period_code_label(period.code) for period in periods}
    shifted = {
        (period.code, how): _shifted(period, how) for period in periods for how in comparisons
    }
    indicator_order = {code: index for index, code in enumerate(dict.fromkeys(codes))}
    unit_order = {unit.id: (index, unit) for index, unit in enumerate(units)}
    period_order = {period.code: index for index, period in enumerate(periods)}
    every_option = disaggregation.endswith("=*")
    chosen = [
        (key, cell)
        for key, cell in by_key.items()
        if key[0] in indicator_order
        and key[1] in unit_order
        and key[2] in period_order
        and (every_option or key[3] == disaggregation)
    ]
    chosen.sort(
        key=lambda item: (
            indicator_order[item[0][0]],
            unit_order[item[0][1]][0],
            period_order[item[0][2]],
            item[0][3],
        )
    )
    rows: list[Row] = []
    for (code, unit_id, period_code, option), cell in chosen:
        unit = unit_order[unit_id][1]
        row = Row(
            indicator=code,
            unit=unit.code,
            unit_name=names.get(unit_id, unit.code),
            period=period_code,
            period_label=labels[period_code],
            disaggregation=option,
            value=cell.value,
            values=cell.values,
            provisional=cell.provisional,
            remapped=cell.remapped,
            partial=cell.partial,
        )
        for how in comparisons:
            other = shifted[(period_code, how)]
            earlier = by_key.get((code, unit_id, other.code, option)) if other else None
            value = earlier.value if earlier else None
            growth = (
                (cell.value - value) / abs(value) * 100
                if value not in (None, 0) and cell.value is not None
                else None
            )
            if how == "previous":
                row.previous, row.growth_previous = value, growth
            else:
                row.last_year, row.growth_last_year = value, growth
        rows.append(row)
    return rows


# For the direction center -------------------------------------------------------------------


def analytics_version() -> str:
    """A short text that changes whenever an analytics answer may have changed: the published
    generation and the latest change of values and reports (three index look-ups). Pages poll
    it and re-read their figures only when it differs (issue 7: live without a reload)."""
    current = generation_current()
    token = change_token()
    text = "|".join(str(part) for part in (current.number if current else "", *token))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def indicator_period_types(codes: Sequence[str]) -> dict[str, set[str]]:
    """The period types each indicator has stored values for (a derived indicator: its
    components'), so that a page about a month shows a quarterly figure's latest quarter."""
    known = _catalogue([*codes])
    references: dict[str, list[str]] = {}
    for code, indicator in known.items():
        if indicator.formula:
            try:
                references[code] = list(formula_parse(indicator.formula).references)
            except FormulaError:
                references[code] = []
        else:
            references[code] = [code]
    parts = _catalogue(sorted({ref for refs in references.values() for ref in refs}))
    by_id = engine_indicator_period_types([part.id for part in parts.values()])
    return {
        code: {kind for ref in refs if ref in parts for kind in by_id.get(parts[ref].id, ())}
        for code, refs in references.items()
    }


def units_below(*, unit: str, level: str, on: dt.date) -> list[str]:
    """Codes of the units of `level` at or below `unit` on `on` (itself if of that level),
    from the store's copy of the hierarchy: a dictionary walk, not a query per level."""
    dimensions = store_dimensions()
    if dimensions is None or unit not in dimensions.units:
        found = Unit.objects.filter(code=unit).first()
        if found is None:
            return []
        if found.level == level:
            return [found.code]
        return [
            version.unit.code
            for version in org_selectors.unit_descendants(unit=found, on=on)
            if version.unit.level == level
        ]
    start = dimensions.units[unit]
    if start.level == level:
        return [start.code]
    codes: list[str] = []
    queue = [start]
    while queue:
        current = queue.pop()
        for child in dimensions.children_on(current.id, on):
            if child.level == level:
                codes.append(child.code)
            else:
                queue.append(child)
    return sorted(codes)
