"""Working days in Vietnam, for deadlines counted in working days (ngày làm việc).

A working day is Monday to Friday, minus the public holidays of Labour Code 2019 Art. 112
(Tết Dương lịch, Tết Nguyên đán, Giỗ Tổ Hùng Vương, 30/4, 1/5, Quốc khánh) as the `holidays`
package lists them, including the days off it records when a holiday falls on a weekend or
when the Government swaps a working day for a bridge day off. The Saturdays worked in exchange
for such a bridge day (the package's `weekend_workdays`, e.g. 26/04/2025 for 02/05/2025) are
working days. An administrator can add days off decided later by the Prime Minister, and
make-up working days, when building the calendar.

Deadlines are computed for thousands of units x periods, so each year is computed once per
calendar into a sorted tuple of working-day ordinals; every question is then a set lookup or a
binary search.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from typing import NamedTuple

import holidays

from baocao.periods.errors import PeriodErrorCode, PeriodRuleError

# date(1, 1, 1), ordinal 1, was a Monday: weekday = (ordinal - 1) % 7, Saturday is 5.
_SATURDAY = 5


class _HolidayYear(NamedTuple):
    names: Mapping[dt.date, str]
    make_up_days: frozenset[dt.date]


@functools.cache
def _holiday_year(year: int) -> _HolidayYear:
    """The package's public holidays and make-up working Saturdays of `year`.

    Cached for the process: the package's data does not change while it runs, and building it
    is the slow part.
    """
    calendar = holidays.country_holidays("VN", years=year, language="vi")
    # `weekend_workdays` holds every year the package knows; keep this year's.
    make_up = frozenset(d for d in getattr(calendar, "weekend_workdays", ()) if d.year == year)
    return _HolidayYear(names=dict(calendar), make_up_days=make_up)


class _WorkingYear(NamedTuple):
    ordinals: tuple[int, ...]  # working days of the year, sorted
    working: frozenset[int]


class WorkingCalendar:
    """Vietnamese working days, with optional days off and make-up working days.

    `extra_days_off` may be a mapping from day to its name (e.g. "Nghỉ theo Công điện của Thủ
    tướng"), which `holiday_name` then returns. A day cannot be in both lists.
    """

    def __init__(
        self,
        *,
        extra_days_off: Iterable[dt.date] | Mapping[dt.date, str] = (),
        extra_working_days: Iterable[dt.date] = (),
    ) -> None:
        if isinstance(extra_days_off, Mapping):
            self._extra_off: dict[dt.date, str | None] = dict(extra_days_off)
        else:
            self._extra_off = dict.fromkeys(extra_days_off)
        self._extra_working = frozenset(extra_working_days)
        conflicts = sorted(self._extra_off.keys() & self._extra_working)
        if conflicts:
            raise PeriodRuleError(PeriodErrorCode.CALENDAR_DAY_CONFLICT, day=conflicts[0])
        self._years: dict[int, _WorkingYear] = {}

    def is_working_day(self, day: dt.date) -> bool:
        """Whether people work on `day`."""
        return day.toordinal() in self._year(day.year).working

    def holiday_name(self, day: dt.date) -> str | None:
        """The Vietnamese name of the holiday or extra day off that makes `day` a day off.

        None on working days and on ordinary weekends.
        """
        if self.is_working_day(day):
            return None
        day = _as_date(day)
        return self._extra_off.get(day) or _holiday_year(day.year).names.get(day)

    def next_working_day(self, day: dt.date, *, include_self: bool = True) -> dt.date:
        """`day` if it is a working day (and `include_self`), else the next working day."""
        if include_self and self.is_working_day(day):
            return _as_date(day)
        return self.add_working_days(day, 1)

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day strictly after `day`; `day` itself when n == 0.

        n == 0 returns `day` even when it is not a working day: "0 working days after the
        cutoff" is the cutoff day; rolling it forward is the deadline rule's decision.
        """
        if n < 0:
            raise ValueError(f"n must be 0 or more, not {n}")
        if n == 0:
            return _as_date(day)
        year = day.year
        ordinals = self._year(year).ordinals
        index = bisect.bisect_right(ordinals, day.toordinal())
        remaining = n
        while remaining > len(ordinals) - index:
            remaining -= len(ordinals) - index
            year += 1
            if year > dt.MAXYEAR:
                raise OverflowError(f"{n} working days after {day} is after year {dt.MAXYEAR}")
            ordinals = self._year(year).ordinals
            index = 0
        return dt.date.fromordinal(ordinals[index + remaining - 1])

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """The number of working days in (start, end]: after `start`, up to `end` included.

        0 when `end` is not after `start`, so `working_days_between(d, add_working_days(d, n))
        == n`.
        """
        low, high = start.toordinal(), end.toordinal()
        if high <= low:
            return 0
        count = 0
        for year in range(start.year, end.year + 1):
            ordinals = self._year(year).ordinals
            count += bisect.bisect_right(ordinals, high) - bisect.bisect_right(ordinals, low)
        return count

    def _year(self, year: int) -> _WorkingYear:
        cached = self._years.get(year)
        if cached is None:
            cached = self._years[year] = self._build_year(year)
        return cached

    def _build_year(self, year: int) -> _WorkingYear:
        package = _holiday_year(year)
        days_off = {d.toordinal() for d in package.names}
        days_off.update(d.toordinal() for d in self._extra_off if d.year == year)
        make_up = {d.toordinal() for d in package.make_up_days}
        make_up.update(d.toordinal() for d in self._extra_working if d.year == year)
        # An administrator's day off wins over the package's make-up Saturday.
        make_up.difference_update(d.toordinal() for d in self._extra_off)
        first = dt.date(year, 1, 1).toordinal()
        last = dt.date(year, 12, 31).toordinal()
        ordinals = tuple(
            ordinal
            for ordinal in range(first, last + 1)
            if ordinal in make_up or ((ordinal - 1) % 7 < _SATURDAY and ordinal not in days_off)
        )
        return _WorkingYear(ordinals=ordinals, working=frozenset(ordinals))


def _as_date(day: dt.date) -> dt.date:
    # A datetime is a date subclass; answers are plain dates so they compare with dates.
    return day.date() if isinstance(day, dt.datetime) else day
