"""The state of a direction-center page, read from its URL (issue 7, scope 2).

Every page takes the same filters, so any view can be bookmarked and shared: the period type
and period, the unit the page is about, the structure of the hierarchy (today's units, or as
reported at the time), and, for maps and rankings, the indicator and disaggregation. A bad
value is refused with a message naming the field, never silently replaced.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from baocao.accounts import scope
from baocao.analytics.engine import HISTORICAL
from baocao.analytics.errors import AnalyticsError
from baocao.catalogue.models import Indicator, Sector
from baocao.core.errors import DomainError, NotFound, Rejected
from baocao.dashboards.errors import DashboardError
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit
from baocao.periods import Period, PeriodError, PeriodType, parse_period, period_of

PERIOD_TYPES = (
    PeriodType.MONTH,
    PeriodType.QUARTER,
    PeriodType.HALF_YEAR,
    PeriodType.YEAR,
)
CURRENT = "current"
STRUCTURES = (CURRENT, "historical")
GOVERNMENT = "CP"
_DISAGGREGATION = re.compile(r"^[A-Z0-9][A-Z0-9._-]*=([A-Z0-9][A-Z0-9._-]*|\*)$")


@dataclasses.dataclass(frozen=True)
class Filters:
    """What a page shows: `unit` and the units below it, for `period` (and the periods before
    it, for series), in the structure chosen."""

    period_type: PeriodType
    period: Period
    unit: Unit
    structure: str  # CURRENT or "historical"
    indicator: str = ""
    disaggregation: str = ""
    sector: str = ""  # only the indicators of this area of QĐ 293

    @property
    def structure_date(self) -> str:
        """The analytics structure: today's units, or HISTORICAL (as of each period)."""
        if self.structure == CURRENT:
            return org_selectors.today().isoformat()
        return HISTORICAL

    @property
    def map_day(self) -> dt.date:
        """The day whose provinces the map draws."""
        if self.structure == CURRENT:
            return org_selectors.today()
        return self.period.end

    def query(self, **changes: str) -> str:
        """The URL query of these filters, with `changes` (an empty value drops the key)."""
        values = {
            "period_type": self.period_type.value,
            "period": self.period.code,
            "unit": self.unit.code,
            "structure": self.structure,
            "indicator": self.indicator,
            "disaggregation": self.disaggregation,
            "sector": self.sector,
        } | changes
        return urlencode({key: value for key, value in values.items() if value})

    def series(self, count: int) -> list[Period]:
        """`count` periods of the page's type ending with its period, oldest first."""
        return [self.period.previous(n) for n in range(count - 1, 0, -1)] + [self.period]


def default_unit(user: Any) -> Unit:
    """The Government for those who see everything, otherwise the user's own unit."""
    if user is None or scope.sees_everything(user) or getattr(user, "unit_id", None) is None:
        return Unit.objects.get(code=GOVERNMENT)
    unit: Unit = user.unit
    return unit


def last_ended(period_type: PeriodType, today: dt.date) -> Period:
    """The latest period of the type that has ended: leaders look at closed periods."""
    return period_of(period_type, today).previous()


def filters_parse(params: Mapping[str, str], *, user: Any, unit_code: str = "") -> Filters:
    """The page's filters from its URL query; `unit_code` is the unit of a unit's page."""
    problems: list[DomainError] = []
    if unit_code and not Unit.objects.filter(code=unit_code).exists():
        # The unit of a unit's page is the page itself: there is no such page.
        raise NotFound(DashboardError.UNKNOWN_UNIT, field="unit", code=unit_code)
    today = org_selectors.today()
    type_value = params.get("period_type") or PeriodType.MONTH.value
    period_type = next((t for t in PERIOD_TYPES if t.value == type_value), None)
    if period_type is None:
        problems.append(
            DomainError(DashboardError.BAD_PERIOD_TYPE, field="period_type", value=type_value)
        )
        period_type = PeriodType.MONTH
    period = last_ended(period_type, today)
    if code := params.get("period", "").strip():
        try:
            period = parse_period(code)
        except PeriodError:
            problems.append(
                DomainError(
                    DashboardError.PERIOD_TYPE_MISMATCH,
                    field="period",
                    period=code,
                    type=_type_label(period_type),
                )
            )
        else:
            if period.type is not period_type:
                problems.append(
                    DomainError(
                        DashboardError.PERIOD_TYPE_MISMATCH,
                        field="period",
                        period=code,
                        type=_type_label(period_type),
                    )
                )
            elif period.start > today:
                problems.append(
                    DomainError(DashboardError.FUTURE_PERIOD, field="period", period=code)
                )
    structure = params.get("structure") or CURRENT
    if structure not in STRUCTURES:
        problems.append(DomainError(DashboardError.BAD_STRUCTURE, field="structure"))
        structure = CURRENT
    unit = _unit(unit_code or params.get("unit", ""), user, problems)
    indicator = params.get("indicator", "").strip()
    if indicator and not Indicator.objects.filter(code=indicator).exists():
        problems.append(
            DomainError(DashboardError.UNKNOWN_INDICATOR, field="indicator", code=indicator)
        )
    disaggregation = params.get("disaggregation", "").strip()
    if disaggregation and not _DISAGGREGATION.fullmatch(disaggregation):
        problems.append(
            DomainError(
                AnalyticsError.BAD_DISAGGREGATION, field="disaggregation", value=disaggregation
            )
        )
    sector = params.get("sector", "").strip()
    if sector and not Sector.objects.filter(code=sector).exists():
        problems.append(DomainError(DashboardError.UNKNOWN_SECTOR, field="sector", code=sector))
    if problems:
        raise Rejected(problems)
    assert unit is not None
    return Filters(period_type, period, unit, structure, indicator, disaggregation, sector)


def _unit(code: str, user: Any, problems: list[DomainError]) -> Unit | None:
    if not code:
        return default_unit(user)
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        problems.append(DomainError(DashboardError.UNKNOWN_UNIT, field="unit", code=code))
        return None
    return unit


def unit_visible(unit: Unit, user: Any) -> bool:
    """Whether `user` may see `unit` (a provincial leader: their province and below)."""
    visible = scope.unit_ids_in_scope(user) if user is not None else None
    return visible is None or unit.pk in visible


def _type_label(period_type: PeriodType) -> str:
    from baocao.catalogue.choices import PeriodTypeChoice

    return str(PeriodTypeChoice(period_type.value).label).lower()
