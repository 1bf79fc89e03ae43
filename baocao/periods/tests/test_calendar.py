"""Working days: Labour Code 2019 Art. 112 holidays from the holidays package, plus extras."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from baocao.periods import PeriodRuleError, WorkingCalendar
from baocao.periods.tests.strategies import PROPERTY, calendar_days

D = dt.date
CALENDAR = WorkingCalendar()


def package_says_working(day: dt.date) -> bool:
    """An independent oracle: the package's own holidays and make-up Saturdays, day by day."""
    package = holidays.country_holidays("VN", years=day.year, language="vi")
    if day in package.weekend_workdays:
        return True
    return day.weekday() < 5 and day not in package


def test_tet_2026_is_not_worked():
    # Giao thừa to mùng bốn: Monday 16 to Friday 20 February 2026.
    for day in range(16, 21):
        assert not CALENDAR.is_working_day(D(2026, 2, day))
    assert CALENDAR.holiday_name(D(2026, 2, 17)) == "Tết Nguyên Đán"
    assert CALENDAR.is_working_day(D(2026, 2, 13))
    assert CALENDAR.is_working_day(D(2026, 2, 23))


def test_weekends_are_not_worked_and_have_no_holiday_name():
    assert not CALENDAR.is_working_day(D(2026, 11, 21))  # Saturday
    assert not CALENDAR.is_working_day(D(2026, 11, 22))  # Sunday
    assert CALENDAR.holiday_name(D(2026, 11, 22)) is None
    assert CALENDAR.holiday_name(D(2026, 11, 23)) is None  # an ordinary Monday


def test_national_day_and_substituted_days():
    assert CALENDAR.holiday_name(D(2026, 9, 2)) == "Quốc khánh"
    assert not CALENDAR.is_working_day(D(2026, 9, 1))
    # Hùng Kings' day 2026 falls on a Sunday; the Monday after is off instead.
    assert not CALENDAR.is_working_day(D(2026, 4, 27))


def test_make_up_saturday_is_a_working_day():
    # 02/05/2025 was a day off in exchange for working on Saturday 26/04/2025.
    assert not CALENDAR.is_working_day(D(2025, 5, 2))
    assert CALENDAR.holiday_name(D(2025, 5, 2)) == "Ngày nghỉ (thay cho ngày 26/04/2025)"
    assert CALENDAR.is_working_day(D(2025, 4, 26))


def test_extra_days_off_and_working_days():
    calendar = WorkingCalendar(
        extra_days_off=[D(2026, 11, 23)], extra_working_days=[D(2026, 11, 21), D(2026, 9, 2)]
    )

    assert not calendar.is_working_day(D(2026, 11, 23))
    assert calendar.holiday_name(D(2026, 11, 23)) is None
    assert calendar.is_working_day(D(2026, 11, 21))
    assert calendar.is_working_day(D(2026, 9, 2))
    assert calendar.holiday_name(D(2026, 9, 2)) is None
    # The default calendar is not affected.
    assert CALENDAR.is_working_day(D(2026, 11, 23))


def test_extra_days_off_with_names():
    name = "Nghỉ theo Công điện của Thủ tướng"
    calendar = WorkingCalendar(extra_days_off={D(2026, 11, 23): name})

    assert calendar.holiday_name(D(2026, 11, 23)) == name
    # Saturday 21, Sunday 22, the extra Monday 23, then 24/11, Ngày Văn hóa Việt Nam.
    assert calendar.next_working_day(D(2026, 11, 21)) == D(2026, 11, 25)


def test_an_extra_day_off_cancels_a_make_up_saturday():
    calendar = WorkingCalendar(extra_days_off=[D(2025, 4, 26)])

    assert not calendar.is_working_day(D(2025, 4, 26))


def test_a_day_cannot_be_both_off_and_worked():
    with pytest.raises(PeriodRuleError) as raised:
        WorkingCalendar(extra_days_off=[D(2026, 11, 23)], extra_working_days=[D(2026, 11, 23)])

    assert raised.value.code == "calendar_day_conflict"
    assert raised.value.args == {"day": D(2026, 11, 23)}


def test_next_working_day():
    assert CALENDAR.next_working_day(D(2026, 2, 13)) == D(2026, 2, 13)
    assert CALENDAR.next_working_day(D(2026, 2, 13), include_self=False) == D(2026, 2, 23)
    assert CALENDAR.next_working_day(D(2026, 2, 14)) == D(2026, 2, 23)
    assert CALENDAR.next_working_day(dt.datetime(2026, 2, 13, 9, 30)) == D(2026, 2, 13)


def test_add_working_days():
    # Saturday 14/02/2026; Tết runs Monday 16 to Friday 20.
    assert CALENDAR.add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 23)
    assert CALENDAR.add_working_days(D(2026, 2, 14), 2) == D(2026, 2, 24)
    assert CALENDAR.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)  # 01/01 is off
    assert CALENDAR.add_working_days(D(2026, 2, 14), 0) == D(2026, 2, 14)
    with pytest.raises(ValueError, match="0 or more"):
        CALENDAR.add_working_days(D(2026, 2, 14), -1)


def test_working_days_between():
    # 16-20/02/2026 are Tết, 21-22 a weekend, 23 and 24 are worked.
    assert CALENDAR.working_days_between(D(2026, 2, 14), D(2026, 2, 24)) == 2
    assert CALENDAR.working_days_between(D(2026, 2, 24), D(2026, 2, 14)) == 0
    assert CALENDAR.working_days_between(D(2026, 2, 24), D(2026, 2, 24)) == 0
    # 2026 has 261 weekdays; 13 are holidays or days off in their place, and Saturday 22/08
    # is worked in exchange for Monday 31/08.
    assert CALENDAR.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 261 - 13 + 1


def test_years_without_package_data_count_weekdays():
    # The package has no Vietnamese holidays before the state's founding or far in the future.
    assert CALENDAR.is_working_day(D(1900, 1, 1))  # a Monday
    assert CALENDAR.working_days_between(D(9000, 1, 1), D(9000, 1, 8)) == 5


@given(calendar_days)
@PROPERTY
def test_is_working_day_matches_the_package(day):
    assert CALENDAR.is_working_day(day) == package_says_working(day)


@given(
    st.sets(calendar_days, max_size=20),
    st.sets(calendar_days, max_size=20),
    calendar_days,
)
@PROPERTY
def test_extras_override_the_package(days_off, working_days, day):
    working_days -= days_off
    calendar = WorkingCalendar(extra_days_off=days_off, extra_working_days=working_days)

    if day in days_off:
        expected = False
    elif day in working_days:
        expected = True
    else:
        expected = package_says_working(day)
    assert calendar.is_working_day(day) == expected


@given(calendar_days, st.integers(min_value=0, max_value=400))
@PROPERTY
def test_add_working_days_counts_working_days(day, n):
    result = CALENDAR.add_working_days(day, n)

    assert CALENDAR.working_days_between(day, result) == n
    if n:
        assert result > day
        assert CALENDAR.is_working_day(result)
        # No working day is skipped: the day before is still n-1 working days away.
        assert CALENDAR.working_days_between(day, result - dt.timedelta(days=1)) == n - 1


@given(calendar_days, st.integers(min_value=0, max_value=60))
@PROPERTY
def test_working_days_between_counts_day_by_day(start, length):
    end = start + dt.timedelta(days=length)
    expected = sum(
        CALENDAR.is_working_day(start + dt.timedelta(days=offset))
        for offset in range(1, length + 1)
    )

    assert CALENDAR.working_days_between(start, end) == expected


@given(calendar_days)
@PROPERTY
def test_next_working_day_is_the_first_working_day_from_the_day(day):
    result = CALENDAR.next_working_day(day)

    assert CALENDAR.is_working_day(result)
    assert all(
        not CALENDAR.is_working_day(day + dt.timedelta(days=offset))
        for offset in range((result - day).days)
    )
