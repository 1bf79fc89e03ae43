"""Data cutoff windows (thời gian chốt số liệu) of periodic reports.

Decree 09/2019/NĐ-CP Art. 12 fixes the days whose data a periodic report covers, which are not
the calendar dates of its period: the monthly report of month M covers the 15th of M-1 to the
14th of M, so that it can be compiled and sent in the days after the 14th. The quarterly,
six-month, nine-month and annual reports follow the same pattern from the 15th of the month
before the period to the 14th of its last month (15/12 of the previous year to 14/06, 14/09 or
14/12). A reporting regime may set its own cutoff; the two other kinds cover that: the
period's own dates (CALENDAR), or the same pattern from another day (SHIFTED, "the 16th to
the 15th" is day=16).

DAY, WEEK and RANGE periods have no month to shift from, so their window is always the period
itself, whatever the rule.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from baocao.periods.errors import PeriodCodeError, PeriodErrorCode, PeriodRuleError, rule_kind
from baocao.periods.period import Period
from baocao.periods.types import PeriodType

# Decree 09/2019/NĐ-CP Art. 12: periodic reports cut their data off from the 15th to the 14th.
DECREE_09_DAY = 15
# A SHIFTED window ends on day-1 of the period's last month, which every month has only when
# day-1 <= 27 (28 February); day 1 would be the CALENDAR window.
SHIFTED_MIN_DAY = 2
SHIFTED_MAX_DAY = 28

# Types whose window is the period itself (no month to shift from).
_OWN_DATES = frozenset({PeriodType.DAY, PeriodType.WEEK, PeriodType.RANGE})


@dataclass(frozen=True)
class DateRange:
    """Days `start` to `end`, both included."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise PeriodCodeError(
                PeriodErrorCode.RANGE_REVERSED,
                value=f"{self.start.isoformat()}..{self.end.isoformat()}",
                start=self.start,
                end=self.end,
            )

    @property
    def days(self) -> int:
        """Length in days, both ends included."""
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        if isinstance(day, dt.datetime):
            day = day.date()
        return isinstance(day, dt.date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


class CutoffKind(enum.StrEnum):
    """How a regime cuts off the data of a period; the values are stored in the catalogue."""

    DECREE_09 = "decree09"
    CALENDAR = "calendar"
    SHIFTED = "shifted"


@dataclass(frozen=True)
class CutoffRule:
    """The cutoff of a report: Decree 09 by default; `day` only for SHIFTED (2..28)."""

    kind: CutoffKind = CutoffKind.DECREE_09
    day: int | None = None

    def __post_init__(self) -> None:
        # Accept the plain string stored in the catalogue ("shifted").
        object.__setattr__(self, "kind", rule_kind(CutoffKind, self.kind))

    def validate(self) -> None:
        """Raise PeriodRuleError if the rule is impossible."""
        if self.kind is CutoffKind.SHIFTED:
            if self.day is None:
                raise PeriodRuleError(PeriodErrorCode.CUTOFF_DAY_MISSING, kind=str(self.kind))
            if (
                not isinstance(self.day, int)
                or isinstance(self.day, bool)
                or not SHIFTED_MIN_DAY <= self.day <= SHIFTED_MAX_DAY
            ):
                raise PeriodRuleError(
                    PeriodErrorCode.CUTOFF_DAY_OUT_OF_RANGE,
                    kind=str(self.kind),
                    day=self.day,
                    min=SHIFTED_MIN_DAY,
                    max=SHIFTED_MAX_DAY,
                )
        elif self.day is not None:
            raise PeriodRuleError(
                PeriodErrorCode.CUTOFF_DAY_UNEXPECTED, kind=str(self.kind), day=self.day
            )

    @property
    def start_day(self) -> int | None:
        """Day of the month the window starts on; None for CALENDAR (the period's dates)."""
        if self.kind is CutoffKind.DECREE_09:
            return DECREE_09_DAY
        if self.kind is CutoffKind.SHIFTED:
            return self.day
        return None


def cutoff_window(rule: CutoffRule, period: Period) -> DateRange:
    """The days whose data the report of `period` covers under `rule`.

    For a period spanning months m1..m2 and a start day D, the window runs from day D of the
    month before m1 to day D-1 of m2. DAY, WEEK and RANGE periods, and CALENDAR rules, give
    the period's own dates.
    """
    rule.validate()
    start_day = rule.start_day
    if start_day is None or period.type in _OWN_DATES:
        return DateRange(period.start, period.end)
    month_before = period.start - dt.timedelta(days=1)
    return DateRange(month_before.replace(day=start_day), period.end.replace(day=start_day - 1))
