"""Error codes: every one is reachable, documented, rendered and picklable; no Django."""

from __future__ import annotations

import datetime as dt
import pickle
import subprocess
import sys

import pytest

from baocao.periods import (
    CutoffKind,
    CutoffRule,
    DeadlineKind,
    DeadlineRule,
    Period,
    PeriodCodeError,
    PeriodError,
    PeriodErrorCode,
    PeriodRuleError,
    PeriodType,
    WorkingCalendar,
    check_rules,
    cutoff_window,
    deadline,
    parse_period,
    period_of,
)
from baocao.periods import errors as errors_module

D = dt.date

# One way to provoke each code, with the exception class it must come as.
PROVOKE = {
    "period_code_invalid": (PeriodCodeError, lambda: parse_period("abc")),
    "period_out_of_range": (PeriodCodeError, lambda: parse_period("1899")),
    "period_date_invalid": (PeriodCodeError, lambda: parse_period("20260230")),
    "period_month_out_of_range": (PeriodCodeError, lambda: parse_period("202613")),
    "period_quarter_out_of_range": (PeriodCodeError, lambda: parse_period("2026Q5")),
    "period_half_year_out_of_range": (PeriodCodeError, lambda: parse_period("2026S3")),
    "period_week_out_of_range": (PeriodCodeError, lambda: parse_period("2026W54")),
    "period_range_reversed": (PeriodCodeError, lambda: parse_period("20260315-20260101")),
    "nine_months_out_of_range": (
        PeriodCodeError,
        lambda: period_of(PeriodType.NINE_MONTHS, D(2026, 11, 1)),
    ),
    "period_type_not_allowed": (
        PeriodCodeError,
        lambda: period_of(PeriodType.RANGE, D(2026, 1, 1)),
    ),
    "period_bounds_invalid": (
        PeriodCodeError,
        lambda: Period(PeriodType.MONTH, D(2026, 1, 2), D(2026, 1, 31)),
    ),
    "cutoff_day_missing": (PeriodRuleError, CutoffRule(CutoffKind.SHIFTED).validate),
    "cutoff_day_out_of_range": (PeriodRuleError, CutoffRule(CutoffKind.SHIFTED, 30).validate),
    "cutoff_day_unexpected": (PeriodRuleError, CutoffRule(CutoffKind.CALENDAR, 5).validate),
    "deadline_parameter_missing": (
        PeriodRuleError,
        DeadlineRule(DeadlineKind.DAYS_AFTER_CUTOFF).validate,
    ),
    "deadline_parameter_out_of_range": (
        PeriodRuleError,
        DeadlineRule(DeadlineKind.DAYS_AFTER_CUTOFF, days=400).validate,
    ),
    "deadline_parameter_unexpected": (
        PeriodRuleError,
        DeadlineRule(DeadlineKind.DAYS_AFTER_CUTOFF, days=4, day=1).validate,
    ),
    "deadline_before_cutoff": (
        PeriodRuleError,
        lambda: _raise_first(
            check_rules(
                CutoffRule(),
                DeadlineRule(DeadlineKind.FIXED_DAY, month_offset=0, day=1),
                PeriodType.QUARTER,
            )
        ),
    ),
    "deadline_out_of_range": (
        PeriodRuleError,
        lambda: deadline(
            DeadlineRule(DeadlineKind.DAYS_AFTER_CUTOFF, days=366),
            Period.year(9999),
            cutoff_window(CutoffRule(CutoffKind.CALENDAR), Period.year(9999)),
            WorkingCalendar(),
        ),
    ),
    "calendar_day_conflict": (
        PeriodRuleError,
        lambda: WorkingCalendar(extra_days_off=[D(2026, 1, 5)], extra_working_days=[D(2026, 1, 5)]),
    ),
    "rule_kind_invalid": (PeriodRuleError, lambda: CutoffRule("monthly")),
}


def _raise_first(problems: list[PeriodRuleError]) -> None:
    raise problems[0]


def test_every_code_is_provoked_here():
    assert set(PROVOKE) == {code.value for code in PeriodErrorCode}


@pytest.mark.parametrize("code", sorted(PROVOKE))
def test_error_code_class_and_message(code):
    error_class, provoke = PROVOKE[code]

    with pytest.raises(error_class) as raised:
        provoke()

    error = raised.value
    assert error.code == code
    assert isinstance(error, PeriodError)
    assert isinstance(error, ValueError)
    assert isinstance(error.args, dict)
    # The English template rendered with every placeholder it names (no fallback).
    assert str(error) == errors_module.MESSAGES[PeriodErrorCode(code)] % error.args
    assert f"`{code}`" in (errors_module.__doc__ or "")


def test_error_pickles_with_its_code_and_args():
    error = PeriodCodeError(
        PeriodErrorCode.WEEK_OUT_OF_RANGE, value="2025W53", year=2025, week=53, max_week=52
    )

    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is PeriodCodeError
    assert (copy.code, copy.args, str(copy)) == (error.code, error.args, str(error))


def test_code_is_a_plain_string():
    with pytest.raises(PeriodCodeError) as raised:
        parse_period("abc")

    assert type(raised.value.code) is str


def test_the_package_imports_no_django():
    # A fresh interpreter: this test process may have Django loaded by pytest-django.
    script = (
        "import sys, baocao.periods\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stdout + result.stderr
