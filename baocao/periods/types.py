"""Period types: the kinds of reporting period (kỳ báo cáo) the engine knows."""

from __future__ import annotations

import enum


class PeriodType(enum.StrEnum):
    """A kind of period; the values are stored in the database and never change.

    Declaration order is the tie-breaker when two periods have the same dates (a RANGE
    covering exactly one month sorts after that MONTH).
    """

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    NINE_MONTHS = "nine_months"
    YEAR = "year"
    RANGE = "range"

    @property
    def rank(self) -> int:
        """Position in declaration order, for sorting."""
        return _RANK[self]

    @property
    def months(self) -> int | None:
        """Length in months of a month-based type, None for DAY, WEEK and RANGE."""
        return _MONTHS.get(self)


_RANK = {member: index for index, member in enumerate(PeriodType)}

_MONTHS = {
    PeriodType.MONTH: 1,
    PeriodType.QUARTER: 3,
    PeriodType.HALF_YEAR: 6,
    PeriodType.NINE_MONTHS: 9,
    PeriodType.YEAR: 12,
}
