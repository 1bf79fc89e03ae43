"""Periods: codes, constructors, arithmetic and containment."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from baocao.periods import (
    Period,
    PeriodCodeError,
    PeriodType,
    iso_weeks_in_year,
    parse_period,
    period_of,
    periods_between,
)
from baocao.periods.tests.strategies import (
    CALENDAR_TYPES,
    MONTH_BASED,
    PROPERTY,
    days,
    periods,
    periods_of,
)

D = dt.date


# Codes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "period_type", "start", "end"),
    [
        ("20261121", PeriodType.DAY, D(2026, 11, 21), D(2026, 11, 21)),
        ("2026W47", PeriodType.WEEK, D(2026, 11, 16), D(2026, 11, 22)),
        ("2026W01", PeriodType.WEEK, D(2025, 12, 29), D(2026, 1, 4)),
        ("2026W53", PeriodType.WEEK, D(2026, 12, 28), D(2027, 1, 3)),
        ("202611", PeriodType.MONTH, D(2026, 11, 1), D(2026, 11, 30)),
        ("202402", PeriodType.MONTH, D(2024, 2, 1), D(2024, 2, 29)),
        ("2026Q3", PeriodType.QUARTER, D(2026, 7, 1), D(2026, 9, 30)),
        ("2026S1", PeriodType.HALF_YEAR, D(2026, 1, 1), D(2026, 6, 30)),
        ("2026S2", PeriodType.HALF_YEAR, D(2026, 7, 1), D(2026, 12, 31)),
        ("2026N9", PeriodType.NINE_MONTHS, D(2026, 1, 1), D(2026, 9, 30)),
        ("2026", PeriodType.YEAR, D(2026, 1, 1), D(2026, 12, 31)),
        ("20260101-20260315", PeriodType.RANGE, D(2026, 1, 1), D(2026, 3, 15)),
        ("20260101-20260101", PeriodType.RANGE, D(2026, 1, 1), D(2026, 1, 1)),
        ("1900", PeriodType.YEAR, D(1900, 1, 1), D(1900, 12, 31)),
        ("9999Q4", PeriodType.QUARTER, D(9999, 10, 1), D(9999, 12, 31)),
    ],
)
def test_parse_period(code, period_type, start, end):
    period = parse_period(code)

    assert period == Period(period_type, start, end)
    assert period.code == str(period) == code


def test_parse_period_strips_surrounding_whitespace():
    assert parse_period(" 2026Q3\n") == Period.quarter(2026, 3)


@pytest.mark.parametrize(
    ("code", "error_code"),
    [
        ("2026Q5", "period_quarter_out_of_range"),
        ("2026Q0", "period_quarter_out_of_range"),
        ("202613", "period_month_out_of_range"),
        ("202600", "period_month_out_of_range"),
        ("2026W54", "period_week_out_of_range"),
        ("2026W00", "period_week_out_of_range"),
        ("2025W53", "period_week_out_of_range"),
        ("20260230", "period_date_invalid"),
        ("20250229", "period_date_invalid"),
        ("2026S3", "period_half_year_out_of_range"),
        ("20260315-20260101", "period_range_reversed"),
        ("20260101-20260231", "period_date_invalid"),
        ("1899", "period_out_of_range"),
        ("0000", "period_out_of_range"),
        ("18991231", "period_out_of_range"),
        ("9999W52", "period_out_of_range"),
        ("abc", "period_code_invalid"),
        ("", "period_code_invalid"),
        ("   ", "period_code_invalid"),
        ("2026q3", "period_code_invalid"),
        ("2026W1", "period_code_invalid"),
        ("2026N8", "period_code_invalid"),
        ("26Q3", "period_code_invalid"),
        ("2026-11", "period_code_invalid"),
        ("2026 Q3", "period_code_invalid"),
        ("٢٠٢٦", "period_code_invalid"),  # Arabic-Indic digits are not ASCII digits
    ],
)
def test_parse_period_rejects(code, error_code):
    with pytest.raises(PeriodCodeError) as raised:
        parse_period(code)

    assert raised.value.code == error_code


def test_parse_error_names_the_value_and_the_week_limit():
    with pytest.raises(PeriodCodeError) as raised:
        parse_period("2025W53")

    assert raised.value.args == {"value": "2025W53", "year": 2025, "week": 53, "max_week": 52}


@pytest.mark.parametrize(("year", "weeks"), [(2020, 53), (2021, 52), (2025, 52), (2026, 53)])
def test_iso_weeks_in_year(year, weeks):
    assert iso_weeks_in_year(year) == weeks


def test_week_53_exists_only_in_long_iso_years():
    assert Period.week(2026, 53).end == D(2027, 1, 3)
    with pytest.raises(PeriodCodeError):
        Period.week(2025, 53)


@given(periods)
@PROPERTY
def test_code_round_trip(period):
    assert parse_period(period.code) == period
    assert parse_period(f" {period.code}\t") == period


@given(st.sampled_from(CALENDAR_TYPES), days)
@PROPERTY
def test_code_round_trip_from_any_day(period_type, day):
    assume(period_type is not PeriodType.NINE_MONTHS or day.month <= 9)

    period = period_of(period_type, day)

    assert parse_period(period.code) == period


# Construction ------------------------------------------------------------------------------


def test_direct_construction_accepts_a_stored_type_string():
    assert Period("month", D(2026, 11, 1), D(2026, 11, 30)) == Period.month(2026, 11)


@pytest.mark.parametrize(
    ("period_type", "start", "end"),
    [
        (PeriodType.MONTH, D(2026, 11, 3), D(2026, 11, 30)),
        (PeriodType.WEEK, D(2026, 11, 17), D(2026, 11, 23)),
        (PeriodType.NINE_MONTHS, D(2026, 10, 1), D(2026, 12, 31)),
        (PeriodType.YEAR, D(2026, 1, 1), D(2026, 12, 30)),
    ],
)
def test_direct_construction_refuses_dates_that_are_not_that_period(period_type, start, end):
    with pytest.raises(PeriodCodeError) as raised:
        Period(period_type, start, end)

    assert raised.value.code == "period_bounds_invalid"


def test_range_must_not_be_reversed():
    with pytest.raises(PeriodCodeError) as raised:
        Period.range(D(2026, 3, 15), D(2026, 1, 1))

    assert raised.value.code == "period_range_reversed"


@pytest.mark.parametrize(
    ("build", "error_code"),
    [
        (lambda: Period.month(2026, 13), "period_month_out_of_range"),
        (lambda: Period.quarter(2026, 5), "period_quarter_out_of_range"),
        (lambda: Period.half_year(2026, 0), "period_half_year_out_of_range"),
        (lambda: Period.week(2026, 54), "period_week_out_of_range"),
        (lambda: Period.year(1899), "period_out_of_range"),
        (lambda: Period.year(10000), "period_out_of_range"),
        (lambda: Period.nine_months(1899), "period_out_of_range"),
        (lambda: Period.day(D(1899, 12, 31)), "period_out_of_range"),
        (lambda: Period.year(9999).next(), "period_out_of_range"),
        (lambda: Period.day(D(9999, 12, 31)).next(), "period_out_of_range"),
        (lambda: Period.year(1900).same_period_last_year(), "period_out_of_range"),
    ],
)
def test_constructors_refuse_impossible_periods(build, error_code):
    with pytest.raises(PeriodCodeError) as raised:
        build()

    assert raised.value.code == error_code


def test_period_of_nine_months_refuses_october_to_december():
    assert period_of(PeriodType.NINE_MONTHS, D(2026, 9, 30)) == Period.nine_months(2026)
    with pytest.raises(PeriodCodeError) as raised:
        period_of(PeriodType.NINE_MONTHS, D(2026, 10, 1))

    assert raised.value.code == "nine_months_out_of_range"
    assert raised.value.args == {"day": D(2026, 10, 1)}


@pytest.mark.parametrize(
    "call",
    [
        lambda: period_of(PeriodType.RANGE, D(2026, 1, 1)),
        lambda: periods_between(PeriodType.RANGE, D(2026, 1, 1), D(2026, 2, 1)),
        lambda: Period.year(2026).children(PeriodType.RANGE),
    ],
)
def test_range_type_is_not_a_calendar(call):
    with pytest.raises(PeriodCodeError) as raised:
        call()

    assert raised.value.code == "period_type_not_allowed"


@given(st.sampled_from(CALENDAR_TYPES), days)
@PROPERTY
def test_period_of_contains_the_day(period_type, day):
    assume(period_type is not PeriodType.NINE_MONTHS or day.month <= 9)

    period = period_of(period_type, day)

    assert period.type is period_type
    assert period.contains(day)
    assert not period.contains(period.start - dt.timedelta(days=1))
    assert not period.contains(period.end + dt.timedelta(days=1))


# Arithmetic --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "n", "expected"),
    [
        ("2026N9", 1, "2027N9"),
        ("2026S2", 1, "2027S1"),
        ("2026Q4", 1, "2027Q1"),
        ("202612", 1, "202701"),
        ("202601", -1, "202512"),
        ("202601", 14, "202703"),
        ("2026W53", 1, "2027W01"),
        ("2026W01", -1, "2025W52"),
        ("20261231", 1, "20270101"),
        ("20240228", 1, "20240229"),
        ("20260101-20260110", 1, "20260111-20260120"),
        ("20260101-20260110", -1, "20251222-20251231"),
        ("2026", 0, "2026"),
    ],
)
def test_next(code, n, expected):
    assert parse_period(code).next(n).code == expected
    assert parse_period(expected).previous(n).code == code


@given(periods)
@PROPERTY
def test_next_and_previous_are_inverse(period):
    assert period.previous().next() == period
    assert period.next().previous() == period


@given(periods, st.integers(min_value=-5, max_value=5))
@PROPERTY
def test_next_n_is_n_single_steps(period, n):
    stepped = period
    for _ in range(abs(n)):
        stepped = stepped.next() if n > 0 else stepped.previous()

    assert period.next(n) == stepped


@given(periods)
@PROPERTY
def test_next_follows_without_gap(period):
    following = period.next()

    assert following.type is period.type
    if period.type is PeriodType.NINE_MONTHS:
        # A year has one nine-month period: the next starts on the next 1 January.
        assert following.start == D(period.start.year + 1, 1, 1)
    else:
        assert following.start == period.end + dt.timedelta(days=1)
    if period.type is PeriodType.RANGE:
        assert following.days == period.days


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("2026W53", "2025W52"),  # 2025 has no week 53
        ("2021W52", "2020W52"),  # not 2020W53: the same week number
        ("2027W10", "2026W10"),
        ("20240229", "20230228"),
        ("20260315", "20250315"),
        ("20240101-20240229", "20230101-20230228"),
        ("202611", "202511"),
        ("2026Q3", "2025Q3"),
        ("2026S2", "2025S2"),
        ("2026N9", "2025N9"),
        ("2026", "2025"),
    ],
)
def test_same_period_last_year(code, expected):
    assert parse_period(code).same_period_last_year().code == expected


@given(periods)
@PROPERTY
def test_same_period_last_year_is_one_year_earlier(period):
    last_year = period.same_period_last_year()

    assert last_year.type is period.type
    if period.type is PeriodType.WEEK:
        iso = period.start.isocalendar()
        previous = last_year.start.isocalendar()
        assert previous.year == iso.year - 1
        assert previous.week == min(iso.week, iso_weeks_in_year(iso.year - 1))
    else:
        assert last_year.start.year == period.start.year - 1
        assert last_year.start.month == period.start.month
        assert last_year.end.month == period.end.month
        assert last_year.start.day == min(period.start.day, 28 if period.start.month == 2 else 31)


@pytest.mark.parametrize(
    ("code", "days"),
    [("20261121", 1), ("2026W47", 7), ("202402", 29), ("2026Q3", 92), ("2026N9", 273)],
)
def test_days(code, days):
    assert parse_period(code).days == days


# Containment and children --------------------------------------------------------------------


def test_contains():
    quarter = Period.quarter(2026, 3)

    assert quarter.contains(Period.month(2026, 9))
    assert quarter.contains(D(2026, 7, 1))
    assert quarter.contains(dt.datetime(2026, 9, 30, 23, 59))
    assert not quarter.contains(Period.month(2026, 10))
    assert not quarter.contains(Period.week(2026, 40))  # 28/09 to 04/10 straddles the end
    assert not quarter.contains(Period.year(2026))


def test_children_of_a_quarter_are_its_months():
    children = Period.quarter(2026, 3).children(PeriodType.MONTH)

    assert [p.code for p in children] == ["202607", "202608", "202609"]


def test_children_of_nine_months_are_january_to_september():
    children = Period.nine_months(2026).children(PeriodType.MONTH)

    assert children == [Period.month(2026, month) for month in range(1, 10)]
    assert Period.nine_months(2026).children(PeriodType.QUARTER) == [
        Period.quarter(2026, 1),
        Period.quarter(2026, 2),
        Period.quarter(2026, 3),
    ]


def test_children_that_do_not_fit():
    assert Period.month(2026, 11).children(PeriodType.QUARTER) == []
    assert Period.year(2026).children(PeriodType.NINE_MONTHS) == [Period.nine_months(2026)]
    # Only weeks wholly inside: 2026W44 (26/10 to 01/11) and 2026W49 (30/11 to 06/12) are not.
    weeks = Period.month(2026, 11).children(PeriodType.WEEK)
    assert [p.code for p in weeks] == ["2026W45", "2026W46", "2026W47", "2026W48"]


PARTITIONS = [
    (PeriodType.QUARTER, PeriodType.MONTH),
    (PeriodType.HALF_YEAR, PeriodType.MONTH),
    (PeriodType.HALF_YEAR, PeriodType.QUARTER),
    (PeriodType.NINE_MONTHS, PeriodType.MONTH),
    (PeriodType.NINE_MONTHS, PeriodType.QUARTER),
    (PeriodType.YEAR, PeriodType.MONTH),
    (PeriodType.YEAR, PeriodType.QUARTER),
    (PeriodType.YEAR, PeriodType.HALF_YEAR),
    (PeriodType.YEAR, PeriodType.DAY),
    (PeriodType.MONTH, PeriodType.DAY),
    (PeriodType.WEEK, PeriodType.DAY),
]


@given(
    st.sampled_from(PARTITIONS).flatmap(
        lambda pair: st.tuples(periods_of(pair[0]), st.just(pair[1]))
    )
)
@PROPERTY
def test_children_partition_the_parent(case):
    parent, child_type = case

    children = parent.children(child_type)

    assert children
    assert all(child.type is child_type for child in children)
    assert children[0].start == parent.start
    assert children[-1].end == parent.end
    for before, after in itertools.pairwise(children):
        assert after.start == before.end + dt.timedelta(days=1)
    assert sum(child.days for child in children) == parent.days


@given(st.sampled_from(MONTH_BASED).flatmap(periods_of))
@PROPERTY
def test_weeks_wholly_inside_leave_less_than_a_week_at_each_end(parent):
    weeks = parent.children(PeriodType.WEEK)

    assert all(parent.contains(week) for week in weeks)
    assert (weeks[0].start - parent.start).days < 7
    assert (parent.end - weeks[-1].end).days < 7


# periods_between --------------------------------------------------------------------------


def test_periods_between_weeks_of_november_2026():
    weeks = periods_between(PeriodType.WEEK, D(2026, 11, 1), D(2026, 11, 30))

    assert [p.code for p in weeks] == [f"2026W{week}" for week in range(44, 50)]


def test_periods_between_nine_months_skips_october_to_december():
    assert periods_between(PeriodType.NINE_MONTHS, D(2025, 10, 1), D(2026, 12, 31)) == [
        Period.nine_months(2026)
    ]
    assert periods_between(PeriodType.NINE_MONTHS, D(2026, 10, 1), D(2026, 12, 31)) == []


def test_periods_between_refuses_a_reversed_interval():
    with pytest.raises(PeriodCodeError) as raised:
        periods_between(PeriodType.MONTH, D(2026, 2, 1), D(2026, 1, 1))

    assert raised.value.code == "period_range_reversed"


@given(
    st.sampled_from([t for t in CALENDAR_TYPES if t is not PeriodType.NINE_MONTHS]),
    days,
    st.integers(min_value=0, max_value=1500),
)
@PROPERTY
def test_periods_between_covers_the_interval_contiguously(period_type, start, length):
    end = start + dt.timedelta(days=length)

    found = periods_between(period_type, start, end)

    assert found[0].contains(start)
    assert found[-1].contains(end)
    for before, after in itertools.pairwise(found):
        assert after.start == before.end + dt.timedelta(days=1)
    assert all(p.type is period_type for p in found)


@given(days, st.integers(min_value=0, max_value=1500))
@PROPERTY
def test_periods_between_nine_months_are_those_overlapping(start, length):
    end = start + dt.timedelta(days=length)

    found = periods_between(PeriodType.NINE_MONTHS, start, end)

    expected = [
        Period.nine_months(year)
        for year in range(start.year, end.year + 1)
        if Period.nine_months(year).start <= end and start <= Period.nine_months(year).end
    ]
    assert found == expected


# Ordering ---------------------------------------------------------------------------------


def test_periods_sort_by_start_then_end_then_type():
    month = Period.month(2026, 11)
    same_dates = Period.range(D(2026, 11, 1), D(2026, 11, 30))
    first_day = Period.day(D(2026, 11, 1))
    mixed = [Period.year(2026), same_dates, first_day, month, Period.month(2026, 1)]

    assert sorted(mixed) == [
        Period.month(2026, 1),
        Period.year(2026),
        first_day,
        month,
        same_dates,
    ]
    assert month < same_dates <= same_dates
    assert Period.year(2027) > Period.year(2026) >= Period.year(2026)


@given(st.lists(periods, min_size=2, max_size=10))
@PROPERTY
def test_sorted_periods_read_chronologically(items):
    ordered = sorted(items)

    for before, after in itertools.pairwise(ordered):
        assert (before.start, before.end) <= (after.start, after.end)


def test_periods_are_hashable_values():
    assert len({Period.month(2026, 11), parse_period("202611"), Period.quarter(2026, 4)}) == 2
