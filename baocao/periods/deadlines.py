"""Report deadlines (thời hạn gửi báo cáo).

A regime states when a report is due in one of four ways: so many working days, or calendar
days, after the end of the data cutoff window; a fixed day of a month after the period; or,
for an ad-hoc report, a date. A deadline that falls on a weekend or public holiday moves to
the next working day (Civil Code 2015 Art. 148: when the last day of a time limit is a day
off, the time limit ends at the end of the next working day), unless the rule says not to.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
import enum
from dataclasses import dataclass

from baocao.periods.calendar import WorkingCalendar
from baocao.periods.errors import PeriodErrorCode, PeriodRuleError, rule_kind
from baocao.periods.period import MAX_YEAR, Period, periods_between
from baocao.periods.types import PeriodType
from baocao.periods.windows import CutoffRule, DateRange, cutoff_window

# Bounds of the parameters: a deadline more than a year after the cutoff, or a fixed day more
# than a year after the period, is a typing error rather than a regime.
DAYS_MAX = 366
MONTH_OFFSET_MAX = 12
DAY_MAX = 31

# check_rules tries every period of these years: long enough to meet every weekday, leap year
# and Tết date combination that matters in practice, short enough to run on each save.
CHECK_FIRST_YEAR = 2020
CHECK_LAST_YEAR = 2030


class DeadlineKind(enum.StrEnum):
    """How a deadline is stated; the values are stored in the catalogue."""

    WORKING_DAYS_AFTER_CUTOFF = "working_days_after_cutoff"
    DAYS_AFTER_CUTOFF = "days_after_cutoff"
    FIXED_DAY = "fixed_day"
    FIXED_DATE = "fixed_date"


# The parameters each kind uses, with their inclusive bounds (None: a date, no bounds).
_PARAMETERS: dict[DeadlineKind, dict[str, tuple[int, int] | None]] = {
    DeadlineKind.WORKING_DAYS_AFTER_CUTOFF: {"days": (0, DAYS_MAX)},
    DeadlineKind.DAYS_AFTER_CUTOFF: {"days": (0, DAYS_MAX)},
    DeadlineKind.FIXED_DAY: {"month_offset": (0, MONTH_OFFSET_MAX), "day": (1, DAY_MAX)},
    DeadlineKind.FIXED_DATE: {"on": None},
}
_ALL_PARAMETERS = ("days", "month_offset", "day", "on")


@dataclass(frozen=True)
class DeadlineRule:
    """When a report is due.

    - WORKING_DAYS_AFTER_CUTOFF, `days`: the days-th working day after the window's end.
    - DAYS_AFTER_CUTOFF, `days`: the window's end plus `days` calendar days.
    - FIXED_DAY, `month_offset` and `day`: day `day` of the month `month_offset` months after
      the period's last month (0: that month), clamped to the month's last day.
    - FIXED_DATE, `on`: that date, for ad-hoc reports.

    `roll_to_working_day` moves a result that is not a working day to the next working day.
    """

    kind: DeadlineKind
    days: int | None = None
    month_offset: int | None = None
    day: int | None = None
    on: dt.date | None = None
    roll_to_working_day: bool = True

    def __post_init__(self) -> None:
        # Accept the plain string stored in the catalogue ("fixed_day").
        object.__setattr__(self, "kind", rule_kind(DeadlineKind, self.kind))

    def validate(self) -> None:
        """Raise PeriodRuleError for a missing, unexpected or out-of-range parameter."""
        kind = str(self.kind)
        used = _PARAMETERS[self.kind]
        for name in _ALL_PARAMETERS:
            value = getattr(self, name)
            if name not in used:
                if value is not None:
                    raise PeriodRuleError(
                        PeriodErrorCode.DEADLINE_PARAMETER_UNEXPECTED,
                        kind=kind,
                        parameter=name,
                        value=value,
                    )
                continue
            if value is None:
                raise PeriodRuleError(
                    PeriodErrorCode.DEADLINE_PARAMETER_MISSING, kind=kind, parameter=name
                )
            bounds = used[name]
            if bounds is None:
                low = high = None
                valid = isinstance(value, dt.date)
            else:
                low, high = bounds
                # bool is an int; `days: true` in a YAML file is a mistake, not 1.
                valid = isinstance(value, int) and not isinstance(value, bool)
                valid = valid and low <= value <= high
            if not valid:
                raise PeriodRuleError(
                    PeriodErrorCode.DEADLINE_PARAMETER_OUT_OF_RANGE,
                    kind=kind,
                    parameter=name,
                    value=value,
                    min=low,
                    max=high,
                )


def deadline(
    rule: DeadlineRule, period: Period, window: DateRange, calendar: WorkingCalendar
) -> dt.date:
    """The day the report of `period`, whose data are cut off at `window`, is due."""
    rule.validate()
    return _due(rule, period, window, calendar)


def check_rules(
    cutoff: CutoffRule,
    deadline: DeadlineRule,
    period_type: PeriodType,
    *,
    calendar: WorkingCalendar | None = None,
) -> list[PeriodRuleError]:
    """Problems with a regime's cutoff and deadline rules for `period_type`; empty if none.

    Each rule is validated. If both are valid, every period of the type in 2020..2030 is
    tried and the first whose deadline falls before the end of its cutoff window is
    reported ("impossible rule: deadline before the data cutoff"). RANGE periods and
    FIXED_DATE deadlines (both ad hoc: one date for one period) are only validated.
    """
    problems: list[PeriodRuleError] = []
    for rule in (cutoff, deadline):
        try:
            rule.validate()
        except PeriodRuleError as error:
            problems.append(error)
    if (
        problems
        or PeriodType(period_type) is PeriodType.RANGE
        or deadline.kind is DeadlineKind.FIXED_DATE
    ):
        return problems
    calendar = calendar if calendar is not None else WorkingCalendar()
    first, last = dt.date(CHECK_FIRST_YEAR, 1, 1), dt.date(CHECK_LAST_YEAR, 12, 31)
    for period in periods_between(period_type, first, last):
        window = cutoff_window(cutoff, period)
        due = _due(deadline, period, window, calendar)
        if due < window.end:
            return [
                PeriodRuleError(
                    PeriodErrorCode.DEADLINE_BEFORE_CUTOFF,
                    period=period.code,
                    deadline=due,
                    cutoff_end=window.end,
                )
            ]
    return []


def _due(
    rule: DeadlineRule, period: Period, window: DateRange, calendar: WorkingCalendar
) -> dt.date:
    """`deadline` without validating the rule (check_rules validates once, not per period)."""
    try:
        if rule.kind is DeadlineKind.WORKING_DAYS_AFTER_CUTOFF:
            due = calendar.add_working_days(window.end, _int(rule.days))
        elif rule.kind is DeadlineKind.DAYS_AFTER_CUTOFF:
            due = window.end + dt.timedelta(days=_int(rule.days))
        elif rule.kind is DeadlineKind.FIXED_DAY:
            due = _fixed_day(period.end, _int(rule.month_offset), _int(rule.day))
        else:
            if rule.on is None:
                raise AssertionError("validate() guarantees `on`")
            due = rule.on
        if rule.roll_to_working_day:
            # Civil Code 2015 Art. 148: a time limit ending on a day off ends on the next
            # working day.
            due = calendar.next_working_day(due)
    except OverflowError:
        raise PeriodRuleError(PeriodErrorCode.DEADLINE_OUT_OF_RANGE, period=period.code) from None
    return due


def _fixed_day(last_day: dt.date, month_offset: int, day: int) -> dt.date:
    year, month0 = divmod(last_day.year * 12 + last_day.month - 1 + month_offset, 12)
    if year > MAX_YEAR:
        raise OverflowError(f"year {year}")
    # Day 31 in a 30-day month, or 29-31 in February, means the month's last day.
    return dt.date(year, month0 + 1, min(day, stdlib_calendar.monthrange(year, month0 + 1)[1]))


def _int(value: int | None) -> int:
    if value is None:
        raise AssertionError("validate() guarantees the parameter")
    return value
