"""Reading the catalogue, and what it implies: each regime's periods and who owes what.

Obligations are computed, not stored: for a regime, a period and a unit, the version in
force on the last day of the period says the frequency, the cutoff window and, per
step, the deadline and who reports. A unit owes a step's report when it is in force on
that step's deadline and matches the step's levels and types or is listed (a listed unit
that has ceased is followed to its successors). So the communes and provinces formed on
1 July 2025 owe every report due from that day, and the units they replaced owe those due
before it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from django.db.models import Prefetch, Q, QuerySet

from baocao.catalogue.errors import CatalogueError
from baocao.catalogue.models import (
    Dimension,
    Form,
    FormSection,
    Indicator,
    Regime,
    RegimeVersion,
    ReportingStep,
    Sector,
)
from baocao.catalogue.rules import frequency_of
from baocao.catalogue.specs_from_db import regimes_for_specs
from baocao.core.errors import DomainError, NotFound
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit, UnitVersion
from baocao.periods import (
    DateRange,
    Period,
    PeriodType,
    WorkingCalendar,
    cutoff_window,
    deadline,
    parse_period,
    periods_between,
)

# The longest a calendar query may span, so that one request cannot ask for centuries.
MAX_CALENDAR_DAYS = 3 * 366
# How far before a date range a period may end and still be due inside it.
_LOOKBACK_DAYS = 400
# How far after a date range a period may end and yet be due inside it: under Decree 09's
# cutoff (Art. 12: the 15th of the month before to the 14th) a month's report is due about
# the 18th, before the month ends; a year's about 16/12.
_LOOKAHEAD_DAYS = 93


@lru_cache(maxsize=1)
def working_calendar() -> WorkingCalendar:
    """Vietnamese working days (Labour Code 2019 Art. 112 holidays, from `holidays`)."""
    return WorkingCalendar()


# Catalogue lookups ------------------------------------------------------------------------------


def sectors() -> QuerySet[Sector]:
    return Sector.objects.all()


def indicators(
    *, sector: str | None = None, search: str | None = None, dimension: str | None = None
) -> QuerySet[Indicator]:
    queryset = Indicator.objects.select_related("sector").prefetch_related("dimensions")
    if sector:
        queryset = queryset.filter(sector__code=sector)
    if dimension:
        queryset = queryset.filter(dimensions__code=dimension)
    if search:
        queryset = queryset.filter(
            Q(code__icontains=search) | Q(name__icontains=search) | Q(name_en__icontains=search)
        )
    return queryset


def indicator_get(*, code: str) -> Indicator:
    try:
        return indicators().get(code=code)
    except Indicator.DoesNotExist:
        raise NotFound(CatalogueError.UNKNOWN_REFERENCE, kind="indicator", code=code) from None


def dimensions() -> QuerySet[Dimension]:
    return Dimension.objects.prefetch_related("options")


def forms() -> QuerySet[Form]:
    return Form.objects.prefetch_related(
        Prefetch(
            "sections",
            queryset=FormSection.objects.select_related("column_dimension").prefetch_related(
                "columns__option", "rows__indicator"
            ),
        ),
        "narrative_fields",
    )


def form_get(*, code: str) -> Form:
    try:
        return forms().get(code=code)
    except Form.DoesNotExist:
        raise NotFound(CatalogueError.UNKNOWN_REFERENCE, kind="form", code=code) from None


def regimes() -> QuerySet[Regime]:
    return regimes_for_specs()


def regime_get(*, code: str) -> Regime:
    try:
        return regimes().get(code=code)
    except Regime.DoesNotExist:
        raise NotFound(CatalogueError.UNKNOWN_REGIME, code=code) from None


# Periods of a regime -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class StepDeadline:
    step: ReportingStep
    deadline: dt.date


@dataclasses.dataclass(frozen=True)
class RegimePeriod:
    """One period of a regime: its cutoff window and the deadline of every step."""

    regime: Regime
    version: RegimeVersion
    period: Period
    window: DateRange
    deadlines: list[StepDeadline]


def version_for_period(regime: Regime, period: Period) -> RegimeVersion | None:
    """The version in force on the period's last day (prefetched versions are used)."""
    for version in regime.versions.all():
        if version.is_valid_on(period.end):
            return version
    return None


def regime_period(*, regime: Regime, period: Period) -> RegimePeriod:
    """Window and deadlines of one period, or a `DomainError` saying why there are none."""
    version = version_for_period(regime, period)
    if version is None:
        raise DomainError(
            CatalogueError.NO_VERSION_FOR_PERIOD, regime=regime.code, period=period.code
        )
    frequency = frequency_of(version)
    listed = frequency == PeriodType.RANGE and period.code in version.periods
    if period.type != frequency and not listed:
        raise DomainError(
            CatalogueError.PERIOD_NOT_OF_REGIME,
            regime=regime.code,
            frequency=version.get_frequency_display(),
            period=period.code,
        )
    return _regime_period(regime, version, period)


def _regime_period(regime: Regime, version: RegimeVersion, period: Period) -> RegimePeriod:
    window = cutoff_window(version.cutoff_rule(), period)
    calendar = working_calendar()
    return RegimePeriod(
        regime=regime,
        version=version,
        period=period,
        window=window,
        deadlines=[
            StepDeadline(step, deadline(step.deadline_rule(), period, window, calendar))
            for step in version.steps.all()
        ],
    )


def regime_periods(*, regime: Regime, start: dt.date, end: dt.date) -> list[RegimePeriod]:
    """The regime's periods that end between two dates, each under its own version."""
    found: list[RegimePeriod] = []
    for version in regime.versions.all():
        for period in _version_periods(version, start, end):
            if start <= period.end <= end and version_for_period(regime, period) == version:
                found.append(_regime_period(regime, version, period))
    return sorted(found, key=lambda item: item.period)


def _version_periods(version: RegimeVersion, start: dt.date, end: dt.date) -> list[Period]:
    frequency = frequency_of(version)
    if frequency == PeriodType.RANGE:
        return sorted(parse_period(code) for code in version.periods)
    first = max(start, version.valid_from)
    last = min(end, version.valid_to) if version.valid_to else end
    if first > last:
        return []
    return periods_between(frequency, first, last)


# Who reports -------------------------------------------------------------------------------------


def step_reporter_ids(*, step: ReportingStep, on: dt.date) -> set[int]:
    """Ids of the units that owe this step's report when it is due on `on`."""
    ids: set[int] = set()
    levels, types = list(step.reporter_levels), list(step.reporter_types)
    if levels or types:
        versions = UnitVersion.objects.valid_on(on)
        if levels:
            versions = versions.filter(unit__level__in=levels)
        if types:
            versions = versions.filter(type__in=types)
        ids.update(versions.values_list("unit_id", flat=True))
    for unit in step.reporter_units.all():
        ids.update(_listed_unit_on(unit, on))
    return ids


def step_reports_for(
    *, step: ReportingStep, unit: Unit, version: UnitVersion | None, on: dt.date
) -> bool:
    """Whether `unit` (whose version in force on `on` is `version`) owes this step's report."""
    if version is None:
        return False
    levels, types = step.reporter_levels, step.reporter_types
    if (
        (levels or types)
        and (not levels or unit.level in levels)
        and (not types or version.type in types)
    ):
        return True
    return any(unit.pk in _listed_unit_on(listed, on) for listed in step.reporter_units.all())


def _listed_unit_on(unit: Unit, on: dt.date) -> list[int]:
    # A listed unit that has ceased passes its obligations to the units that took it over.
    return [step.unit.pk for step in org_selectors.unit_successors(unit=unit, on=on)]


def step_receiver(*, step: ReportingStep, unit: Unit, on: dt.date) -> Unit | None:
    """Who receives `unit`'s report for this step on `on`."""
    if step.receiver_unit is not None:
        return step.receiver_unit
    for ancestor in org_selectors.unit_ancestors(unit=unit, on=on):
        if ancestor.unit.level == step.receiver_level:
            return ancestor.unit
    return None


# A unit's calendar -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ExpectedReport:
    """A report a unit owes: regime, period, step, cutoff window, deadline and receiver."""

    unit: Unit
    regime: Regime
    version: RegimeVersion
    step: ReportingStep
    period: Period
    window: DateRange
    deadline: dt.date
    receiver: Unit | None


def expected_reports(*, unit: Unit, start: dt.date, end: dt.date) -> list[ExpectedReport]:
    """Reports the unit owes with a deadline between two dates (both inclusive), by deadline."""
    if (end - start).days > MAX_CALENDAR_DAYS:
        raise DomainError(CatalogueError.RANGE_TOO_LONG, field="to", maximum=MAX_CALENDAR_DAYS)
    unit_versions = list(unit.versions.all())
    found: list[ExpectedReport] = []
    for regime in regimes():
        for item in regime_periods(
            regime=regime,
            start=start - dt.timedelta(days=_LOOKBACK_DAYS),
            end=end + dt.timedelta(days=_LOOKAHEAD_DAYS),
        ):
            for due in item.deadlines:
                if not start <= due.deadline <= end:
                    continue
                version = _version_on(unit_versions, due.deadline)
                if step_reports_for(step=due.step, unit=unit, version=version, on=due.deadline):
                    found.append(
                        ExpectedReport(
                            unit=unit,
                            regime=regime,
                            version=item.version,
                            step=due.step,
                            period=item.period,
                            window=item.window,
                            deadline=due.deadline,
                            receiver=step_receiver(step=due.step, unit=unit, on=due.deadline),
                        )
                    )
    return sorted(found, key=lambda report: (report.deadline, report.regime.code))


def _version_on(versions: Iterable[UnitVersion], on: dt.date) -> UnitVersion | None:
    return next((version for version in versions if version.is_valid_on(on)), None)
