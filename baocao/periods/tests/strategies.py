"""Hypothesis strategies for periods, rules and days.

Years keep a margin from 1900 and 9999 so that stepping a generated period a few times either
way stays in range; the limits themselves are covered by example tests.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from baocao.periods import CutoffKind, CutoffRule, Period, PeriodType, period_of

# Moderate example counts keep the suite fast; no deadline because the first call for a year
# builds that year's holidays.
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

years = st.integers(min_value=1910, max_value=9990)
days = st.dates(min_value=dt.date(1910, 1, 1), max_value=dt.date(9990, 12, 31))
# Years for which the holidays package has Vietnamese data, where calendars are interesting.
calendar_days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31))

CALENDAR_TYPES = [t for t in PeriodType if t is not PeriodType.RANGE]
MONTH_BASED = [
    PeriodType.MONTH,
    PeriodType.QUARTER,
    PeriodType.HALF_YEAR,
    PeriodType.NINE_MONTHS,
    PeriodType.YEAR,
]


@st.composite
def ranges(draw: st.DrawFn) -> Period:
    # Far enough from 1900 and 9999 for a range to step five times its length both ways.
    start = draw(st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(9980, 12, 31)))
    length = draw(st.integers(min_value=0, max_value=800))
    return Period.range(start, start + dt.timedelta(days=length))


def periods_of(period_type: PeriodType) -> st.SearchStrategy[Period]:
    """Periods of one type."""
    if period_type is PeriodType.DAY:
        return days.map(Period.day)
    if period_type is PeriodType.WEEK:
        return days.map(lambda day: period_of(PeriodType.WEEK, day))
    if period_type is PeriodType.MONTH:
        return st.builds(Period.month, years, st.integers(1, 12))
    if period_type is PeriodType.QUARTER:
        return st.builds(Period.quarter, years, st.integers(1, 4))
    if period_type is PeriodType.HALF_YEAR:
        return st.builds(Period.half_year, years, st.integers(1, 2))
    if period_type is PeriodType.NINE_MONTHS:
        return years.map(Period.nine_months)
    if period_type is PeriodType.YEAR:
        return years.map(Period.year)
    return ranges()


periods = st.sampled_from(list(PeriodType)).flatmap(periods_of)

shifting_rules = st.one_of(
    st.just(CutoffRule()),
    st.integers(2, 28).map(lambda day: CutoffRule(CutoffKind.SHIFTED, day)),
)
