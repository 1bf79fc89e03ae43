"""Reading data quality: a report's values judged against the unit's own history.

Issue 5, scope 4: outliers are "shown as warnings with the expected range". The judgement
itself is `baocao.validation.outliers` (plain Python); this module fetches the history it
needs from the stored values and turns a verdict into the note the review page shows
(through the `baocao.submissions.notes` hook, registered in `ValidationConfig.ready`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from baocao.accounts import scope
from baocao.catalogue.choices import NUMERIC_VALUE_TYPES, ValueType
from baocao.catalogue.models import Indicator
from baocao.core.errors import NotFound
from baocao.core.numbers import format_number
from baocao.periods import Period, PeriodError, PeriodType, parse_period
from baocao.submissions import selectors as submission_selectors
from baocao.submissions.layout import CellKey, ReportLayout
from baocao.submissions.models import DataValue, Report
from baocao.submissions.notes import OUTLIER as OUTLIER_NOTE
from baocao.submissions.notes import ValueNote
from baocao.submissions.permissions import AnyUser
from baocao.validation.errors import ValidationError
from baocao.validation.models import RuleViolation, ValidationRun
from baocao.validation.outliers import (
    OUTLIER,
    RECENT_PERIODS,
    SEASONAL,
    OutlierSettings,
    OutlierVerdict,
    outlier_check,
)

# How far back the history goes. Ten years of monthly data (120 values) is far more than the
# seasonal basis uses (at most RECENT_PERIODS values of the same month) and bounds the query
# for units that have reported for decades.
HISTORY_YEARS = 10

# The literature's thresholds (see `baocao.validation.outliers`); a frozen dataclass.
DEFAULT_SETTINGS = OutlierSettings()

# Stored codes repeat for every cell and unit; a Period is immutable, so caching is safe.
_parse_period = lru_cache(maxsize=4096)(parse_period)


def report_outliers(
    report: Report,
    values: Mapping[CellKey, str] | None = None,
    *,
    settings: OutlierSettings = DEFAULT_SETTINGS,
) -> dict[CellKey, OutlierVerdict]:
    """The report's numeric values that are outliers against the unit's own history.

    `values` are canonical texts by cell (a version's content, or the entry page's); by
    default the report's stored values. The history of a cell is the unit's stored values
    of the same indicator, disaggregation and source for the earlier periods of the same
    type, at most `HISTORY_YEARS` back: only earlier ones, so a report reviewed again later
    gets the same verdict, and the page can say "compared with earlier years". It is read in
    one query for all cells.

    For counts (integer indicators) the expected range is clamped at 0 and for percentages
    to 0..100: median - 3.5 sigma is often below zero for small counts, and "expected -4 to
    12 dossiers" reads as a bug, since a count cannot be negative (nor a percentage leave
    0..100; the built-in checks refuse such values anyway).
    """
    return _judged(report, values, settings).verdicts


@dataclasses.dataclass(frozen=True)
class _Judged:
    verdicts: dict[CellKey, OutlierVerdict]
    history_sizes: dict[CellKey, int]
    layout: ReportLayout | None


def _judged(
    report: Report, values: Mapping[CellKey, str] | None, settings: OutlierSettings
) -> _Judged:
    try:
        period = parse_period(report.period)
    except PeriodError:
        return _Judged({}, {}, None)
    layout = submission_selectors.layout_of(report)
    if values is None:
        values = {
            key: value.value for key, value in submission_selectors.report_values(report).items()
        }
    indicators: dict[CellKey, Indicator] = {}
    numbers: dict[CellKey, Decimal] = {}
    for key, cell in layout.cells.items():
        if cell.indicator.value_type not in NUMERIC_VALUE_TYPES:
            continue
        number = _decimal(values.get(key, ""))
        if number is not None:
            indicators[key] = cell.indicator
            numbers[key] = number
    if not numbers:
        return _Judged({}, {}, layout)
    history = _history(report, period, numbers.keys(), indicators.values())
    verdicts: dict[CellKey, OutlierVerdict] = {}
    for key, number in numbers.items():
        points = history.get(key, [])
        verdict = outlier_check(float(number), points, period=period.code, settings=settings)
        if verdict.status == OUTLIER:
            verdicts[key] = _clamped(verdict, indicators[key].value_type)
    sizes = {key: len(history.get(key, [])) for key in verdicts}
    return _Judged(verdicts, sizes, layout)


def report_outlier_notes(report: Report, values: Mapping[CellKey, str]) -> dict[CellKey, ValueNote]:
    """The review page's notes on outliers: "Expected 120 to 180 (compared with ...)".

    Registered with `baocao.submissions.notes` in `ValidationConfig.ready`; the text is in
    the active language.
    """
    judged = _judged(report, values, DEFAULT_SETTINGS)
    if not judged.verdicts or judged.layout is None:
        return {}
    period_type = parse_period(report.period).type
    notes: dict[CellKey, ValueNote] = {}
    for key, verdict in judged.verdicts.items():
        decimals = judged.layout.cells[key].indicator.decimals
        low, high = _display_range(verdict, decimals)
        notes[key] = ValueNote(
            kind=OUTLIER_NOTE,
            text=_basis_text(verdict, period_type)
            % {
                "low": format_number(low, decimals=decimals),
                "high": format_number(high, decimals=decimals),
                # The recent basis is the nearest RECENT_PERIODS earlier periods, or all.
                "count": min(judged.history_sizes[key], RECENT_PERIODS),
            },
            low=verdict.expected_low,
            high=verdict.expected_high,
        )
    return notes


# History --------------------------------------------------------------------------------------


def _history(
    report: Report,
    period: Period,
    keys: Iterable[CellKey],
    indicators: Iterable[Indicator],
) -> dict[CellKey, list[tuple[str, float]]]:
    """(period code, number) pairs of the earlier periods, by cell, from one query.

    Codes of one period type have a fixed width and begin with the year (`202611`, `2026Q3`,
    `2026W05`), so they sort as their periods do and the bounds can be compared as strings
    in the database; the codes of other types that fall between them are dropped here.
    """
    wanted = set(keys)
    cutoff = _years_before(period.start, HISTORY_YEARS)
    rows = DataValue.objects.filter(
        unit_id=report.unit_id,
        source=report.source,
        indicator_id__in={indicator.pk for indicator in indicators},
        period__gte=f"{cutoff.year:04d}",
        period__lt=period.code,
    ).values_list("indicator__code", "disaggregation", "period", "value")
    history: dict[CellKey, list[tuple[str, float]]] = {}
    for code, disaggregation, period_code, text in rows:
        key = (code, disaggregation)
        if key not in wanted:
            continue
        try:
            earlier = _parse_period(period_code)
        except PeriodError:
            continue
        if earlier.type != period.type or earlier.start < cutoff or earlier >= period:
            continue
        number = _decimal(text)
        if number is not None:
            history.setdefault(key, []).append((earlier.code, float(number)))
    return history


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _decimal(text: str) -> Decimal | None:
    """A stored canonical number, or None for an empty, non-numeric or infinite text."""
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


# Display --------------------------------------------------------------------------------------


def _clamped(verdict: OutlierVerdict, value_type: str) -> OutlierVerdict:
    """The verdict with its expected range inside the values the indicator can take."""
    low, high = verdict.expected_low, verdict.expected_high
    if low is None or high is None:
        return verdict
    if value_type == ValueType.INTEGER:
        # A count cannot be negative (e.g. dossiers received): see `report_outliers`.
        low = max(low, 0.0)
    elif value_type == ValueType.PERCENTAGE:
        low, high = max(low, 0.0), min(high, 100.0)
    low = min(low, high)
    return dataclasses.replace(verdict, expected_low=low, expected_high=high)


def _display_range(verdict: OutlierVerdict, decimals: int) -> tuple[Decimal, Decimal]:
    """The expected range rounded inwards to the indicator's decimals.

    Rounding half up could show "87 to 153" for 87.4 to 152.6 next to an outlier of 153;
    rounded inwards the shown range holds exactly the values of that precision that are not
    outliers. When the range is narrower than one step, it is rounded half up instead.
    """
    quantum = Decimal(1).scaleb(-decimals)
    low = Decimal(str(verdict.expected_low)).quantize(quantum, rounding=ROUND_CEILING)
    high = Decimal(str(verdict.expected_high)).quantize(quantum, rounding=ROUND_FLOOR)
    if low > high:
        low = Decimal(str(verdict.expected_low)).quantize(quantum, rounding=ROUND_HALF_UP)
        high = Decimal(str(verdict.expected_high)).quantize(quantum, rounding=ROUND_HALF_UP)
    return low, high


def _basis_text(verdict: OutlierVerdict, period_type: PeriodType) -> str:
    if verdict.basis == SEASONAL:
        if period_type == PeriodType.QUARTER:
            return _(
                "Expected %(low)s – %(high)s (compared with the same quarter of earlier years)"
            )
        if period_type == PeriodType.HALF_YEAR:
            return _(
                "Expected %(low)s – %(high)s (compared with the same half-year of earlier years)"
            )
        return _("Expected %(low)s – %(high)s (compared with the same month of earlier years)")
    return _("Expected %(low)s – %(high)s (compared with the %(count)s most recent periods)")


# Batch validation runs ---------------------------------------------------------------------------


def validation_runs(*, user: AnyUser) -> QuerySet[ValidationRun]:
    """Runs the user may read: over units in their scope (every run for national users)."""
    runs = ValidationRun.objects.select_related("unit").order_by("-created_at", "-pk")
    ids = scope.unit_ids_in_scope(user)
    if ids is None:
        return runs
    return runs.filter(unit_id__in=ids)


def validation_run_get(*, run_id: int, user: AnyUser | None = None) -> ValidationRun:
    runs = (
        ValidationRun.objects.select_related("unit") if user is None else validation_runs(user=user)
    )
    run = runs.filter(pk=run_id).first()
    if run is None:
        raise NotFound(ValidationError.RUN_NOT_FOUND, id=run_id)
    return run


def run_violations(run: ValidationRun) -> QuerySet[RuleViolation]:
    return (
        RuleViolation.objects.filter(run=run)
        .select_related("unit")
        .order_by("rule_code", "period", "unit__code")
    )
