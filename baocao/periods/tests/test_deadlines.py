"""Deadlines: counted after the cutoff or fixed, rolled per Civil Code 2015 Art. 148."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baocao.periods import (
    CutoffKind,
    CutoffRule,
    DateRange,
    DeadlineKind,
    DeadlineRule,
    Period,
    PeriodRuleError,
    PeriodType,
    WorkingCalendar,
    check_rules,
    cutoff_window,
    deadline,
    parse_period,
    period_of,
)
from baocao.periods.tests.strategies import PROPERTY, shifting_rules

D = dt.date
CALENDAR = WorkingCalendar()
DECREE_09 = CutoffRule()


def due(rule: DeadlineRule, code: str, cutoff: CutoffRule = DECREE_09) -> dt.date:
    period = parse_period(code)
    return deadline(rule, period, cutoff_window(cutoff, period), CALENDAR)


def test_two_working_days_after_the_february_2026_cutoff_skip_the_weekend_and_tet():
    period = Period.month(2026, 2)
    window = cutoff_window(DECREE_09, period)
    rule = DeadlineRule(DeadlineKind.WORKING_DAYS_AFTER_CUTOFF, days=2)

    result = deadline(rule, period, window, CALENDAR)

    # The window ends on Saturday 14/02; Sunday 15, Tết 16-20 and the weekend 21-22 are off.
    assert window.end == D(2026, 2, 14)
    assert result == D(2026, 2, 24)
    assert CALENDAR.working_days_between(window.end, result) == 2


def test_zero_working_days_rolls_a_weekend_cutoff_unless_told_not_to():
    rolled = DeadlineRule(DeadlineKind.WORKING_DAYS_AFTER_CUTOFF, days=0)
    kept = DeadlineRule(DeadlineKind.WORKING_DAYS_AFTER_CUTOFF, days=0, roll_to_working_day=False)

    assert due(rolled, "202602") == D(2026, 2, 23)
    assert due(kept, "202602") == D(2026, 2, 14)


def test_calendar_days_after_cutoff():
    # November 2026: the window ends on Saturday 14/11.
    assert due(DeadlineRule(DeadlineKind.DAYS_AFTER_CUTOFF, days=5), "202611") == D(2026, 11, 19)
    # Sunday 15/11 rolls to Monday 16/11.
    assert due(DeadlineRule(DeadlineKind.DAYS_AFTER_CUTOFF, days=1), "202611") == D(2026, 11, 16)
    unrolled = DeadlineRule(DeadlineKind.DAYS_AFTER_CUTOFF, days=1, roll_to_working_day=False)
    assert due(unrolled, "202611") == D(2026, 11, 15)


def test_fixed_day_rolls_off_a_sunday():
    # The October 2026 report is due on the 15th of the next month: Sunday 15/11/2026.
    rule = DeadlineRule(DeadlineKind.FIXED_DAY, month_offset=1, day=15)

    assert due(rule, "202610") == D(2026, 11, 16)


def test_fixed_day_rolls_off_national_day():
    # The August 2026 report due on 2 September, Quốc khánh: Thursday 03/09 is the next
    # working day.
    rule = DeadlineRule(DeadlineKind.FIXED_DAY, month_offset=1, day=2)
    unrolled = DeadlineRule(
        DeadlineKind.FIXED_DAY, month_offset=1, day=2, roll_to_working_day=False
    )

    assert due(rule, "202608") == D(2026, 9, 3)
    assert due(unrolled, "202608") == D(2026, 9, 2)


def test_fixed_day_is_clamped_to_the_end_of_the_month():
    rule = DeadlineRule(DeadlineKind.FIXED_DAY, month_offset=1, day=31, roll_to_working_day=False)

    assert due(rule, "202601") == D(2026, 2, 28)
    assert due(rule, "202401") == D(2024, 2, 29)
    assert due(rule, "202602") == D(2026, 3, 31)


@pytest.mark.parametrize(
    ("code", "month_offset", "expected"),
    [
        ("2026Q4", 1, D(2027, 1, 20)),
        ("2026", 0, D(2026, 12, 21)),  # 20/12/2026 is a Sunday
        ("2026N9", 0, D(2026, 9, 21)),  # 20/09/2026 is a Sunday
        ("2026W53", 0, D(2027, 1, 20)),  # a week's last month is that of its Sunday
        ("20260101-20260315", 1, D(2026, 4, 20)),
    ],
)
def test_fixed_day_counts_from_the_last_month_of_the_period(code, month_offset, expected):
    rule = DeadlineRule(DeadlineKind.FIXED_DAY, month_offset=month_offset, day=20)

    assert due(rule, code) == expected


def test_fixed_date_for_an_ad_hoc_report():
    rule = DeadlineRule(DeadlineKind.FIXED_DATE, on=D(2026, 9, 2))
    unrolled = DeadlineRule(DeadlineKind.FIXED_DATE, on=D(2026, 9, 2), roll_to_working_day=False)

    assert due(rule, "20260801-20260815") == D(2026, 9, 3)
    assert due(unrolled, "20260801-20260815") == D(2026, 9, 2)


def test_extra_days_off_move_deadlines():
    calendar = WorkingCalendar(extra_days_off=[D(2026, 11, 16)])
    period = Period.month(2026, 11)
    rule = DeadlineRule(DeadlineKind.WORKING_DAYS_AFTER_CUTOFF, days=1)

    assert deadline(rule, period, cutoff_window(DECREE_09, period), calendar) == D(2026, 11, 17)


def test_deadline_after_year_9999_is_refused():
    rule = DeadlineRule(DeadlineKind.FIXED_DAY, month_offset=1, day=1)

    with pytest.raises(PeriodRuleError) as raised:
        due(rule, "9999")

    assert raised.value.code == "deadline_out_of_range"


def test_rule_kind_from_a_stored_string():
    assert DeadlineRule("fixed_day", month_offset=1, day=5) == DeadlineRule(
        DeadlineKind.FIXED_DAY, month_offset=1, day=5
    )
    with pytest.raises(PeriodRuleError) as raised:
        DeadlineRule("fixed")

    assert raised.value.code == "rule_kind_invalid"


@pytest.mark.parametrize(
    ("rule", "error_code", "parameter"),
    [
        (
            DeadlineRule(DeadlineKind.WORKING_DAYS_AFTER_CUTOFF),
            "deadline_parameter_missing",
            "days",
        ),
        (DeadlineRule(DeadlineKind.DAYS_AFTER_CUTOFF), "deadline_parameter_missing", "days"),
        (
            DeadlineRule(DeadlineKind.FIXED_DAY, day=5),
            "deadline_parameter_missing",
            "month_offset",
        ),
        (DeadlineRule(DeadlineKind.FIXED_DAY, month_offset=1), "deadline_parameter_missing", "day"),
        (DeadlineRule(DeadlineKind.FIXED_DATE), "deadline_parameter_missing", "on"),
        (
            DeadlineRule(DeadlineKind.DAYS_AFTER_CUTOFF, days=367),
            "deadline_parameter_out_of_range",
            "days",
        ),
        (
            DeadlineRule(DeadlineKind.WORKING_DAYS_AFTER_CUTOFF, days=-1),
            "deadline_parameter_out_of_range",
            "days",
        ),
        (
            DeadlineRule(DeadlineKind.WORKING_DAYS_AFTER_CUTOFF, days=True),
            "deadline_parameter_out_of_range",
            "days",
        ),
        (
            DeadlineRule(DeadlineKind.FIXED_DAY, month_offset=13, day=5),
            "deadline_parameter_out_of_range",
            "month_offset",
        ),
        (
            DeadlineRule(DeadlineKind.FIXED_DAY, month_offset=1, day=0),
            "deadline_parameter_out_of_range",
            "day",
        ),
        (
            DeadlineRule(DeadlineKind.FIXED_DAY, month_offset=1, day=32),
            "deadline_parameter_out_of_range",
            "day",
        ),
        (
            DeadlineRule(DeadlineKind.FIXED_DATE, on="2026-09-02"),
            "deadline_parameter_out_of_range",
            "on",
        ),
        (
            DeadlineRule(DeadlineKind.FIXED_DAY, month_offset=1, day=5, days=3),
            "deadline_parameter_unexpected",
            "days",
        ),
        (
            DeadlineRule(DeadlineKind.WORKING_DAYS_AFTER_CUTOFF, days=3, on=D(2026, 1, 1)),
            "deadline_parameter_unexpected",
            "on",
        ),
        (
            DeadlineRule(DeadlineKind.FIXED_DATE, on=D(2026, 1, 1), day=5),
            "deadline_parameter_unexpected",
            "day",
        ),
    ],
)
def test_impossible_deadline_rules(rule, error_code, parameter):
    with pytest.raises(PeriodRuleError) as raised:
        rule.validate()

    assert raised.value.code == error_code
    assert raised.value.args["parameter"] == parameter
    with pytest.raises(PeriodRuleError):
        due(rule, "202611")


@pytest.mark.parametrize(
    "rule",
    [
        DeadlineRule(DeadlineKind.WORKING_DAYS_AFTER_CUTOFF, days=0),
        DeadlineRule(DeadlineKind.DAYS_AFTER_CUTOFF, days=366),
        DeadlineRule(DeadlineKind.FIXED_DAY, month_offset=0, day=1),
        DeadlineRule(DeadlineKind.FIXED_DAY, month_offset=12, day=31),
        DeadlineRule(DeadlineKind.FIXED_DATE, on=D(2026, 1, 1)),
    ],
)
def test_valid_deadline_rules(rule):
    rule.validate()


# check_rules ------------------------------------------------------------------------------


def test_check_rules_accepts_a_decree_09_monthly_regime():
    rule = DeadlineRule(DeadlineKind.FIXED_DAY, month_offset=0, day=20)

    assert check_rules(DECREE_09, rule, PeriodType.MONTH) == []


def test_check_rules_finds_a_deadline_before_the_cutoff():
    # Due on the 10th of the month whose data are cut off on the 14th.
    rule = DeadlineRule(DeadlineKind.FIXED_DAY, month_offset=0, day=10)

    problems = check_rules(DECREE_09, rule, PeriodType.MONTH)

    assert [(p.code, p.args["period"]) for p in problems] == [("deadline_before_cutoff", "202001")]
    assert problems[0].args["deadline"] < problems[0].args["cutoff_end"]
    assert "impossible rule: deadline before the data cutoff" in str(problems[0])


def test_check_rules_reports_the_first_period_only_where_some_periods_fail():
    # The calendar month ends on the 31st in some months: due on the 30th fails in January
    # 2020 first, and not in February or April.
    rule = DeadlineRule(DeadlineKind.FIXED_DAY, month_offset=0, day=30, roll_to_working_day=False)
    problems = check_rules(CutoffRule(CutoffKind.CALENDAR), rule, PeriodType.MONTH)

    assert len(problems) == 1
    assert problems[0].args == {
        "period": "202001",
        "deadline": D(2020, 1, 30),
        "cutoff_end": D(2020, 1, 31),
    }


def test_check_rules_returns_both_validation_problems():
    problems = check_rules(
        CutoffRule(CutoffKind.SHIFTED),
        DeadlineRule(DeadlineKind.FIXED_DAY, month_offset=1),
        PeriodType.QUARTER,
    )

    assert [p.code for p in problems] == ["cutoff_day_missing", "deadline_parameter_missing"]


def test_check_rules_only_validates_range_periods_and_fixed_dates():
    early = DeadlineRule(DeadlineKind.FIXED_DAY, month_offset=0, day=1)
    fixed = DeadlineRule(DeadlineKind.FIXED_DATE, on=D(2020, 1, 1))

    assert check_rules(DECREE_09, early, PeriodType.RANGE) == []
    assert check_rules(DECREE_09, fixed, PeriodType.MONTH) == []
    assert [
        p.code for p in check_rules(DECREE_09, DeadlineRule(DeadlineKind.FIXED_DATE), "range")
    ] == ["deadline_parameter_missing"]


@pytest.mark.parametrize("period_type", [PeriodType.DAY, PeriodType.WEEK])
def test_check_rules_on_day_and_week_periods(period_type):
    after = DeadlineRule(DeadlineKind.WORKING_DAYS_AFTER_CUTOFF, days=1)
    same_month = DeadlineRule(DeadlineKind.FIXED_DAY, month_offset=0, day=1)

    assert check_rules(DECREE_09, after, period_type) == []
    assert [p.code for p in check_rules(DECREE_09, same_month, period_type)] == [
        "deadline_before_cutoff"
    ]


# Properties -------------------------------------------------------------------------------


@given(
    shifting_rules,
    st.sampled_from([PeriodType.MONTH, PeriodType.QUARTER, PeriodType.YEAR, PeriodType.WEEK]),
    st.integers(min_value=1990, max_value=2060),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=40),
)
@PROPERTY
def test_working_days_deadline_is_a_working_day_after_the_window(
    cutoff, period_type, year, month, days
):
    period = period_of(period_type, D(year, month, 1))
    window = cutoff_window(cutoff, period)
    rule = DeadlineRule(DeadlineKind.WORKING_DAYS_AFTER_CUTOFF, days=days)

    result = deadline(rule, period, window, CALENDAR)

    assert result > window.end
    assert CALENDAR.is_working_day(result)
    assert CALENDAR.working_days_between(window.end, result) == days


@given(
    st.builds(Period.month, st.integers(1990, 2060), st.integers(1, 12)),
    st.integers(min_value=0, max_value=12),
    st.integers(min_value=1, max_value=31),
    st.booleans(),
)
@PROPERTY
def test_fixed_day_deadline(period, month_offset, day, roll):
    rule = DeadlineRule(
        DeadlineKind.FIXED_DAY, month_offset=month_offset, day=day, roll_to_working_day=roll
    )
    window = cutoff_window(DECREE_09, period)

    result = deadline(rule, period, window, CALENDAR)

    target_month = period.next(month_offset)
    nominal = target_month.start.replace(day=min(day, target_month.days))
    if roll:
        assert CALENDAR.is_working_day(result)
        assert result == CALENDAR.next_working_day(nominal)
    else:
        assert result == nominal


@given(st.sampled_from([PeriodType.MONTH, PeriodType.QUARTER]), st.integers(0, 10), st.booleans())
@PROPERTY
def test_days_after_cutoff_never_before_the_window_end(period_type, days, roll):
    rule = DeadlineRule(DeadlineKind.DAYS_AFTER_CUTOFF, days=days, roll_to_working_day=roll)

    assert check_rules(DECREE_09, rule, period_type) == []


def test_date_range_windows_are_accepted_directly():
    period = Period.month(2026, 11)
    window = DateRange(D(2026, 11, 1), D(2026, 11, 30))
    rule = DeadlineRule(DeadlineKind.WORKING_DAYS_AFTER_CUTOFF, days=1)

    assert deadline(rule, period, window, CALENDAR) == D(2026, 12, 1)
