"""Periods, data cutoff windows and deadlines of reports: plain Python, no Django.

The catalogue, submissions and analytics apps build on this package; it imports nothing from
them (docs/architecture.md) and nothing from Django, so it is tested in microseconds and can be
reused in scripts. See docs/periods.md.
"""

from __future__ import annotations

from baocao.periods.calendar import WorkingCalendar
from baocao.periods.deadlines import DeadlineKind, DeadlineRule, check_rules, deadline
from baocao.periods.errors import PeriodCodeError, PeriodError, PeriodErrorCode, PeriodRuleError
from baocao.periods.period import (
    MAX_YEAR,
    MIN_YEAR,
    Period,
    iso_weeks_in_year,
    parse_period,
    period_of,
    periods_between,
)
from baocao.periods.types import PeriodType
from baocao.periods.windows import CutoffKind, CutoffRule, DateRange, cutoff_window

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "CutoffKind",
    "CutoffRule",
    "DateRange",
    "DeadlineKind",
    "DeadlineRule",
    "Period",
    "PeriodCodeError",
    "PeriodError",
    "PeriodErrorCode",
    "PeriodRuleError",
    "PeriodType",
    "WorkingCalendar",
    "check_rules",
    "cutoff_window",
    "deadline",
    "iso_weeks_in_year",
    "parse_period",
    "period_of",
    "periods_between",
]
