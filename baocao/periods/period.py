"""Reporting periods (kỳ báo cáo) and their codes.

A period is a type plus inclusive start and end dates. Its code is the key data values are
stored under (STYLE.md: "periods are a period type plus a code"), in a DHIS2-like syntax:

    day 20261121   week 2026W47   month 202611   quarter 2026Q3   half-year 2026S1
    nine months 2026N9   year 2026   date range 20260101-20260315

Only the canonical spelling is accepted (no lowercase, no missing zeros), so one period has
exactly one code and codes can be compared as strings in the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from baocao.periods.errors import PeriodCodeError, PeriodErrorCode
from baocao.periods.types import PeriodType

MIN_YEAR = 1900
MAX_YEAR = 9999
FIRST_DAY = dt.date(MIN_YEAR, 1, 1)
LAST_DAY = dt.date(MAX_YEAR, 12, 31)

# re.ASCII: `\d` would also accept Arabic-Indic and other Unicode digits.
_YEAR = re.compile(r"([0-9]{4})", re.ASCII)
_MONTH = re.compile(r"([0-9]{4})([0-9]{2})", re.ASCII)
_DAY = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})", re.ASCII)
_WEEK = re.compile(r"([0-9]{4})W([0-9]{2})", re.ASCII)
_QUARTER = re.compile(r"([0-9]{4})Q([0-9])", re.ASCII)
_HALF_YEAR = re.compile(r"([0-9]{4})S([0-9])", re.ASCII)
_NINE_MONTHS = re.compile(r"([0-9]{4})N9", re.ASCII)
_RANGE = re.compile(r"([0-9]{8})-([0-9]{8})", re.ASCII)


@dataclass(frozen=True, repr=False)
class Period:
    """A reporting period: `type`, and `start` to `end` inclusive.

    Build one with the constructors (`Period.month(2026, 11)`) or `parse_period`; building it
    directly checks that the dates are a period of that type. Periods sort by
    (start, end, type).
    """

    type: PeriodType
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        try:
            # Accept the plain string stored in the database ("month").
            object.__setattr__(self, "type", PeriodType(self.type))
        except ValueError:
            raise PeriodCodeError(
                PeriodErrorCode.TYPE_NOT_ALLOWED, type=str(self.type), operation="Period"
            ) from None
        for name in ("start", "end"):
            value = getattr(self, name)
            if isinstance(value, dt.datetime):
                object.__setattr__(self, name, value.date())
        if self.start > self.end:
            raise PeriodCodeError(
                PeriodErrorCode.RANGE_REVERSED,
                value=_range_code(self.start, self.end),
                start=self.start,
                end=self.end,
            )
        if self.type is not PeriodType.RANGE and not _is_period(self.type, self.start, self.end):
            raise PeriodCodeError(
                PeriodErrorCode.BOUNDS_INVALID,
                type=str(self.type),
                start=self.start,
                end=self.end,
            )
        if self.start < FIRST_DAY or self.end > LAST_DAY:
            raise _out_of_range(_code(self.type, self.start, self.end))

    # Constructors -------------------------------------------------------------------------

    @classmethod
    def day(cls, day: dt.date) -> Period:
        """The day `day`."""
        return cls(PeriodType.DAY, day, day)

    @classmethod
    def week(cls, iso_year: int, week: int) -> Period:
        """ISO week `week` of ISO year `iso_year` (Monday to Sunday)."""
        value = f"{iso_year:04d}W{week:02d}"
        _check_year(iso_year, value)
        max_week = iso_weeks_in_year(iso_year)
        if not 1 <= week <= max_week:
            raise PeriodCodeError(
                PeriodErrorCode.WEEK_OUT_OF_RANGE,
                value=value,
                year=iso_year,
                week=week,
                max_week=max_week,
            )
        monday = dt.date.fromisocalendar(iso_year, week, 1)
        return cls(PeriodType.WEEK, *_bounds(PeriodType.WEEK, monday))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """Month `month` (1..12) of `year`."""
        value = f"{year:04d}{month:02d}"
        _check_year(year, value)
        if not 1 <= month <= 12:
            raise PeriodCodeError(PeriodErrorCode.MONTH_OUT_OF_RANGE, value=value, month=month)
        return cls(PeriodType.MONTH, *_bounds(PeriodType.MONTH, dt.date(year, month, 1)))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        """Quarter `quarter` (1..4) of `year`."""
        value = f"{year:04d}Q{quarter}"
        _check_year(year, value)
        if not 1 <= quarter <= 4:
            raise PeriodCodeError(
                PeriodErrorCode.QUARTER_OUT_OF_RANGE, value=value, quarter=quarter
            )
        first = dt.date(year, 3 * quarter - 2, 1)
        return cls(PeriodType.QUARTER, *_bounds(PeriodType.QUARTER, first))

    @classmethod
    def half_year(cls, year: int, half: int) -> Period:
        """Half-year `half` (1: January-June, 2: July-December) of `year`."""
        value = f"{year:04d}S{half}"
        _check_year(year, value)
        if half not in (1, 2):
            raise PeriodCodeError(PeriodErrorCode.HALF_YEAR_OUT_OF_RANGE, value=value, half=half)
        first = dt.date(year, 6 * half - 5, 1)
        return cls(PeriodType.HALF_YEAR, *_bounds(PeriodType.HALF_YEAR, first))

    @classmethod
    def nine_months(cls, year: int) -> Period:
        """1 January to 30 September of `year`, the only nine-month period of a year."""
        _check_year(year, f"{year:04d}N9")
        return cls(PeriodType.NINE_MONTHS, dt.date(year, 1, 1), dt.date(year, 9, 30))

    @classmethod
    def year(cls, year: int) -> Period:
        """The calendar year `year`."""
        _check_year(year, f"{year:04d}")
        return cls(PeriodType.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def range(cls, start: dt.date, end: dt.date) -> Period:
        """Free date range, both ends inclusive, for thematic and ad-hoc reports."""
        return cls(PeriodType.RANGE, start, end)

    # Code ---------------------------------------------------------------------------------

    @property
    def code(self) -> str:
        """The canonical code; `parse_period(p.code) == p`."""
        return _code(self.type, self.start, self.end)

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return f"<Period {self.code}>"

    # Arithmetic ---------------------------------------------------------------------------

    @property
    def days(self) -> int:
        """Length in days, both ends included."""
        return (self.end - self.start).days + 1

    def next(self, n: int = 1) -> Period:
        """The period `n` steps later (earlier when `n` is negative).

        A nine-month period steps by a year (2026N9 -> 2027N9), a week by ISO weeks, a
        RANGE by its own length in days.
        """
        if n == 0:
            return self
        if self.type is PeriodType.DAY:
            return Period.day(self._shifted(self.start, n))
        if self.type is PeriodType.WEEK:
            return period_of(PeriodType.WEEK, self._shifted(self.start, 7 * n))
        if self.type is PeriodType.RANGE:
            shift = n * self.days
            return Period.range(self._shifted(self.start, shift), self._shifted(self.end, shift))
        step = 12 if self.type is PeriodType.NINE_MONTHS else _months(self.type)
        year, month0 = divmod(self.start.year * 12 + self.start.month - 1 + n * step, 12)
        _check_year(year, _month_based_code(self.type, year, month0 + 1))
        return period_of(self.type, dt.date(year, month0 + 1, 1))

    def previous(self, n: int = 1) -> Period:
        """The period `n` steps earlier; `p.next(n).previous(n) == p`."""
        return self.next(-n)

    def same_period_last_year(self) -> Period:
        """The period a year earlier, for year-on-year comparison (cùng kỳ năm trước).

        Week 53 becomes week 52 when the previous ISO year has no week 53; 29 February
        becomes 28 February (for days and range ends).
        """
        if self.type is PeriodType.DAY:
            return Period.day(_year_before(self.start))
        if self.type is PeriodType.RANGE:
            return Period.range(_year_before(self.start), _year_before(self.end))
        if self.type is PeriodType.WEEK:
            iso = self.start.isocalendar()
            year = iso.year - 1
            _check_year(year, f"{year:04d}W{iso.week:02d}")
            return Period.week(year, min(iso.week, iso_weeks_in_year(year)))
        year = self.start.year - 1
        _check_year(year, _month_based_code(self.type, year, self.start.month))
        return period_of(self.type, dt.date(year, self.start.month, 1))

    def contains(self, other: Period | dt.date) -> bool:
        """Whether `other` (a period or a day) lies wholly within this period."""
        if isinstance(other, Period):
            return self.start <= other.start and other.end <= self.end
        if isinstance(other, dt.datetime):
            other = other.date()
        return self.start <= other <= self.end

    def children(self, type: PeriodType) -> list[Period]:
        """The periods of `type` lying wholly inside this one, in order.

        Months of a quarter, quarters of a year, months of nine months, weeks wholly inside
        a month; empty when no period of `type` fits (quarters of a month).
        """
        type = _calendar_type(type, "children")
        return [p for p in _overlapping(type, self.start, self.end) if self.contains(p)]

    # Ordering: by (start, end, type), so that a list of mixed periods reads chronologically.

    def _sort_key(self) -> tuple[dt.date, dt.date, int]:
        return (self.start, self.end, self.type.rank)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() < other._sort_key()

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() <= other._sort_key()

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() > other._sort_key()

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() >= other._sort_key()

    def _shifted(self, day: dt.date, days: int) -> dt.date:
        try:
            return day + dt.timedelta(days=days)
        except OverflowError:
            raise _out_of_range(f"{self.code}{days:+d}d") from None


def parse_period(code: str) -> Period:
    """The period named by `code` (surrounding whitespace ignored).

    Raises PeriodCodeError, with a code saying what is wrong, for anything else.
    """
    if not isinstance(code, str):
        raise PeriodCodeError(PeriodErrorCode.CODE_INVALID, value=str(code))
    text = code.strip()
    if match := _YEAR.fullmatch(text):
        return Period.year(int(match[1]))
    if match := _MONTH.fullmatch(text):
        return Period.month(int(match[1]), int(match[2]))
    if match := _DAY.fullmatch(text):
        return Period.day(_parse_day(match[0], text))
    if match := _WEEK.fullmatch(text):
        return Period.week(int(match[1]), int(match[2]))
    if match := _QUARTER.fullmatch(text):
        return Period.quarter(int(match[1]), int(match[2]))
    if match := _HALF_YEAR.fullmatch(text):
        return Period.half_year(int(match[1]), int(match[2]))
    if match := _NINE_MONTHS.fullmatch(text):
        return Period.nine_months(int(match[1]))
    if match := _RANGE.fullmatch(text):
        return Period.range(_parse_day(match[1], text), _parse_day(match[2], text))
    raise PeriodCodeError(PeriodErrorCode.CODE_INVALID, value=text)


def period_of(type: PeriodType, day: dt.date) -> Period:
    """The period of `type` containing `day` (not RANGE).

    NINE_MONTHS raises `nine_months_out_of_range` for a day in October to December.
    """
    type = _calendar_type(type, "period_of")
    if isinstance(day, dt.datetime):
        day = day.date()
    return Period(type, *_bounds(type, day))


def periods_between(type: PeriodType, start: dt.date, end: dt.date) -> list[Period]:
    """Every period of `type` (not RANGE) overlapping `start`..`end` inclusive, in order.

    Periods exist from 1900 to 9999 only; the part of the interval outside is ignored.
    """
    type = _calendar_type(type, "periods_between")
    if start > end:
        raise PeriodCodeError(
            PeriodErrorCode.RANGE_REVERSED,
            value=_range_code(start, end),
            start=start,
            end=end,
        )
    return list(_overlapping(type, start, end))


def iso_weeks_in_year(iso_year: int) -> int:
    """52 or 53: 28 December is always in the last ISO week of its year."""
    return dt.date(iso_year, 12, 28).isocalendar().week


# Helpers ----------------------------------------------------------------------------------


def _overlapping(type: PeriodType, start: dt.date, end: dt.date) -> Iterator[Period]:
    start = max(start, FIRST_DAY)
    if start > end:
        return
    if type is PeriodType.NINE_MONTHS and start.month > 9:
        # October to December belong to no nine-month period: start from next year's.
        if start.year >= end.year:
            return
        start = dt.date(start.year + 1, 1, 1)
    try:
        period = period_of(type, start)
    except PeriodCodeError as error:
        # The ISO week around 31/12/9999 ends in year 10000 and cannot exist.
        if error.code != PeriodErrorCode.OUT_OF_RANGE:
            raise
        return
    while True:
        yield period
        if period.end >= end:
            return
        if type is PeriodType.NINE_MONTHS and period.start.year >= end.year:
            return
        try:
            period = period.next()
        except PeriodCodeError as error:
            if error.code != PeriodErrorCode.OUT_OF_RANGE:
                raise
            return


def _is_period(type: PeriodType, start: dt.date, end: dt.date) -> bool:
    """Whether `start`..`end` is a period of calendar `type`."""
    if type is PeriodType.NINE_MONTHS and start.month > 9:
        return False
    return _bounds(type, start) == (start, end)


def _bounds(type: PeriodType, day: dt.date) -> tuple[dt.date, dt.date]:
    """Start and end of the period of calendar `type` containing `day`."""
    if type is PeriodType.DAY:
        return day, day
    if type is PeriodType.WEEK:
        monday = day - dt.timedelta(days=day.weekday())
        try:
            return monday, monday + dt.timedelta(days=6)
        except OverflowError:
            iso = day.isocalendar()
            raise _out_of_range(f"{iso.year:04d}W{iso.week:02d}") from None
    if type is PeriodType.NINE_MONTHS:
        if day.month > 9:
            raise PeriodCodeError(PeriodErrorCode.NINE_MONTHS_OUT_OF_RANGE, day=day)
        return dt.date(day.year, 1, 1), dt.date(day.year, 9, 30)
    months = _months(type)
    first_month = (day.month - 1) // months * months + 1
    return dt.date(day.year, first_month, 1), _month_end(day.year, first_month + months - 1)


def _code(type: PeriodType, start: dt.date, end: dt.date) -> str:
    if type is PeriodType.DAY:
        return _day_code(start)
    if type is PeriodType.WEEK:
        iso = start.isocalendar()
        return f"{iso.year:04d}W{iso.week:02d}"
    if type is PeriodType.RANGE:
        return _range_code(start, end)
    return _month_based_code(type, start.year, start.month)


def _month_based_code(type: PeriodType, year: int, first_month: int) -> str:
    """Code of the month-based period of `type` starting in `first_month` of `year`."""
    if type is PeriodType.MONTH:
        return f"{year:04d}{first_month:02d}"
    if type is PeriodType.QUARTER:
        return f"{year:04d}Q{(first_month + 2) // 3}"
    if type is PeriodType.HALF_YEAR:
        return f"{year:04d}S{(first_month + 5) // 6}"
    if type is PeriodType.NINE_MONTHS:
        return f"{year:04d}N9"
    return f"{year:04d}"


def _day_code(day: dt.date) -> str:
    # Not strftime: %Y is not zero-padded below year 1000 on every platform.
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _range_code(start: dt.date, end: dt.date) -> str:
    return f"{_day_code(start)}-{_day_code(end)}"


def _parse_day(digits: str, text: str) -> dt.date:
    year = int(digits[:4])
    _check_year(year, text)
    try:
        return dt.date(year, int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise PeriodCodeError(PeriodErrorCode.DATE_INVALID, value=text) from None


def _months(type: PeriodType) -> int:
    months = type.months
    if months is None:
        raise AssertionError(f"{type} is not month-based")
    return months


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def _year_before(day: dt.date) -> dt.date:
    # Periods start in 1900, so the year before is a valid date; Period checks the range.
    year = day.year - 1
    if (day.month, day.day) == (2, 29):
        return dt.date(year, 2, 28)
    return day.replace(year=year)


def _check_year(year: int, value: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _out_of_range(value)


def _out_of_range(value: str) -> PeriodCodeError:
    return PeriodCodeError(
        PeriodErrorCode.OUT_OF_RANGE, value=value, min_year=MIN_YEAR, max_year=MAX_YEAR
    )


def _calendar_type(type: PeriodType | str, operation: str) -> PeriodType:
    """`type` as a PeriodType, refusing RANGE (free ranges have no calendar to follow)."""
    try:
        period_type = PeriodType(type)
    except ValueError:
        raise PeriodCodeError(
            PeriodErrorCode.TYPE_NOT_ALLOWED, type=str(type), operation=operation
        ) from None
    if period_type is PeriodType.RANGE:
        raise PeriodCodeError(
            PeriodErrorCode.TYPE_NOT_ALLOWED, type=str(period_type), operation=operation
        )
    return period_type
