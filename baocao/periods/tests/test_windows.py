"""Data cutoff windows: Decree 09/2019/NĐ-CP Art. 12 and the regimes that override it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baocao.periods import (
    CutoffKind,
    CutoffRule,
    DateRange,
    Period,
    PeriodError,
    PeriodRuleError,
    PeriodType,
    cutoff_window,
    parse_period,
)
from baocao.periods.tests.strategies import (
    MONTH_BASED,
    PROPERTY,
    days,
    periods,
    periods_of,
    shifting_rules,
)

D = dt.date
DECREE_09 = CutoffRule()


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("202611", D(2026, 10, 15), D(2026, 11, 14)),
        ("202601", D(2025, 12, 15), D(2026, 1, 14)),
        ("202603", D(2026, 2, 15), D(2026, 3, 14)),
        ("2026Q1", D(2025, 12, 15), D(2026, 3, 14)),
        ("2026Q3", D(2026, 6, 15), D(2026, 9, 14)),
        ("2026S1", D(2025, 12, 15), D(2026, 6, 14)),
        ("2026S2", D(2026, 6, 15), D(2026, 12, 14)),
        ("2026N9", D(2025, 12, 15), D(2026, 9, 14)),
        ("2026", D(2025, 12, 15), D(2026, 12, 14)),
    ],
)
def test_decree_09_windows(code, start, end):
    assert cutoff_window(DECREE_09, parse_period(code)) == DateRange(start, end)


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("202611", D(2026, 11, 1), D(2026, 11, 30)),
        ("2026Q3", D(2026, 7, 1), D(2026, 9, 30)),
        ("2026", D(2026, 1, 1), D(2026, 12, 31)),
    ],
)
def test_calendar_windows_are_the_period_dates(code, start, end):
    assert cutoff_window(CutoffRule(CutoffKind.CALENDAR), parse_period(code)) == DateRange(
        start, end
    )


@pytest.mark.parametrize(
    ("day", "code", "start", "end"),
    [
        (16, "202611", D(2026, 10, 16), D(2026, 11, 15)),
        (16, "2026", D(2025, 12, 16), D(2026, 12, 15)),
        (28, "202603", D(2026, 2, 28), D(2026, 3, 27)),
        (2, "202603", D(2026, 2, 2), D(2026, 3, 1)),
    ],
)
def test_shifted_windows(day, code, start, end):
    rule = CutoffRule(CutoffKind.SHIFTED, day)

    assert cutoff_window(rule, parse_period(code)) == DateRange(start, end)


@pytest.mark.parametrize("code", ["20260214", "2026W07", "20260101-20260315"])
@pytest.mark.parametrize(
    "rule", [DECREE_09, CutoffRule(CutoffKind.CALENDAR), CutoffRule(CutoffKind.SHIFTED, 20)]
)
def test_day_week_and_range_windows_are_the_period_itself(code, rule):
    period = parse_period(code)

    assert cutoff_window(rule, period) == DateRange(period.start, period.end)


def test_rule_kind_from_a_stored_string():
    assert CutoffRule("shifted", 16) == CutoffRule(CutoffKind.SHIFTED, 16)
    with pytest.raises(PeriodRuleError) as raised:
        CutoffRule("decree9")

    assert raised.value.code == "rule_kind_invalid"


@pytest.mark.parametrize(
    ("rule", "error_code"),
    [
        (CutoffRule(CutoffKind.SHIFTED), "cutoff_day_missing"),
        (CutoffRule(CutoffKind.SHIFTED, 1), "cutoff_day_out_of_range"),
        (CutoffRule(CutoffKind.SHIFTED, 29), "cutoff_day_out_of_range"),
        (CutoffRule(CutoffKind.SHIFTED, True), "cutoff_day_out_of_range"),
        (CutoffRule(CutoffKind.DECREE_09, 15), "cutoff_day_unexpected"),
        (CutoffRule(CutoffKind.CALENDAR, 1), "cutoff_day_unexpected"),
    ],
)
def test_impossible_cutoff_rules(rule, error_code):
    with pytest.raises(PeriodRuleError) as raised:
        rule.validate()

    assert raised.value.code == error_code
    with pytest.raises(PeriodRuleError):
        cutoff_window(rule, Period.month(2026, 11))


def test_date_range():
    window = DateRange(D(2026, 10, 15), D(2026, 11, 14))

    assert window.days == 31
    assert D(2026, 10, 15) in window
    assert D(2026, 11, 14) in window
    assert D(2026, 11, 15) not in window
    assert "2026-10-20" not in window
    with pytest.raises(PeriodError):
        DateRange(D(2026, 11, 15), D(2026, 11, 14))


@given(st.sampled_from(MONTH_BASED).flatmap(periods_of))
@PROPERTY
def test_decree_09_is_shifted_from_the_15th(period):
    shifted = CutoffRule(CutoffKind.SHIFTED, 15)

    assert cutoff_window(DECREE_09, period) == cutoff_window(shifted, period)


@given(
    shifting_rules,
    st.sampled_from([t for t in MONTH_BASED if t is not PeriodType.NINE_MONTHS]).flatmap(
        periods_of
    ),
)
@PROPERTY
def test_windows_of_consecutive_periods_are_contiguous(rule, period):
    window = cutoff_window(rule, period)

    assert cutoff_window(rule, period.next()).start == window.end + dt.timedelta(days=1)


@given(shifting_rules, periods_of(PeriodType.MONTH))
@PROPERTY
def test_month_windows_tile_the_quarter_and_year_windows(rule, month):
    year = month.start.year
    for parent in (Period.quarter(year, (month.start.month + 2) // 3), Period.year(year)):
        months = parent.children(PeriodType.MONTH)
        assert cutoff_window(rule, months[0]).start == cutoff_window(rule, parent).start
        assert cutoff_window(rule, months[-1]).end == cutoff_window(rule, parent).end


@given(periods, st.sampled_from(list(CutoffKind)), st.integers(2, 28))
@PROPERTY
def test_window_has_the_length_of_the_period_shifted(period, kind, day):
    rule = CutoffRule(kind, day if kind is CutoffKind.SHIFTED else None)

    window = cutoff_window(rule, period)

    if kind is CutoffKind.CALENDAR or period.type in {
        PeriodType.DAY,
        PeriodType.WEEK,
        PeriodType.RANGE,
    }:
        assert (window.start, window.end) == (period.start, period.end)
    else:
        # The window starts in the month before the period and ends in its last month.
        assert window.start < period.start
        assert window.start >= period.start - dt.timedelta(days=31)
        assert window.end.month == period.end.month
        assert window.end.year == period.end.year


@given(days)
@PROPERTY
def test_every_day_is_in_exactly_one_monthly_window(day):
    month = Period.month(day.year, day.month)
    candidates = [month.previous(), month, month.next()]

    containing = [p for p in candidates if day in cutoff_window(DECREE_09, p)]

    assert len(containing) == 1
    assert containing[0] == (month if day.day <= 14 else month.next())
