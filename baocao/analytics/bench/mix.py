"""The dashboard query mix of the analytics benchmark, as plain data.

Issue 6, scope 4: "latency p50/p95 of the dashboard query mix (one indicator national series
over 60 months; one indicator for all 34 provinces in one period; one province's communes in
one period; 20 headline indicators with previous period and last year; indicator by province
by 12 months by one disaggregation)", run the same against DuckDB and the PostgreSQL
baseline. Each engine turns a `MixQuery` into its own SQL and answers with rows of
`(*group_by values, value)` ordered by the group columns, so the answers can be compared
number for number.

Every indicator of the mix sums over units and periods; units are grouped by where they
stood on each period (the hierarchy as of the period).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from baocao.analytics.bench.dataset import HEADLINE_CODES, bench_periods, indicator_code
from baocao.periods import parse_period

GroupColumn = Literal["indicator", "period", "province", "commune", "option"]

# A headline indicator broken down by one dimension (ECON_SECTOR's 4 options when the
# sample catalogue is loaded, BENCHA_DIM's 3 otherwise).
DISAGGREGATED_HEADLINE = indicator_code(10)
# Thành phố Hà Nội: the province whose communes Q3 lists (126 communes since 2025-07-01).
PROVINCE = "01"


@dataclass(frozen=True)
class MixQuery:
    """One dashboard query: which values, grouped how; the answer is the sum per group.

    `options`: False, the indicator's total (disaggregation ""); True, each option of its
    dimension instead. `province`: only the units that stood in this province on the period.
    Units not grouped are summed over the whole country.
    """

    name: str
    description: str
    indicators: tuple[str, ...]
    periods: tuple[str, ...]
    group_by: tuple[GroupColumn, ...]
    province: str | None = None
    options: bool = False


def dashboard_mix(*, end: str = "202612", months: int = 60) -> tuple[MixQuery, ...]:
    """The five queries of the mix, on the benchmark's periods ending with `end`."""
    periods = tuple(bench_periods(months=months, end=end))
    last = parse_period(end)
    comparison = (last.same_period_last_year().code, last.previous().code, last.code)
    indicator = HEADLINE_CODES[0]
    return (
        MixQuery(
            name="national_series",
            description=f"{indicator}: national total of each of the {months} months",
            indicators=(indicator,),
            periods=periods,
            group_by=("period",),
        ),
        MixQuery(
            name="provinces_one_period",
            description=f"{indicator}: each province, {end}",
            indicators=(indicator,),
            periods=(end,),
            group_by=("province",),
        ),
        MixQuery(
            name="communes_of_province",
            description=f"{indicator}: each commune of province {PROVINCE}, {end}",
            indicators=(indicator,),
            periods=(end,),
            group_by=("commune",),
            province=PROVINCE,
        ),
        MixQuery(
            name="headline_with_comparisons",
            description=(
                f"the {len(HEADLINE_CODES)} headline indicators: national totals of {end},"
                " the previous month and the same month last year"
            ),
            indicators=HEADLINE_CODES,
            periods=comparison,
            group_by=("indicator", "period"),
        ),
        MixQuery(
            name="province_by_month_by_option",
            description=f"{DISAGGREGATED_HEADLINE}: each province, month of the last 12 and option",
            indicators=(DISAGGREGATED_HEADLINE,),
            periods=periods[-12:],
            group_by=("province", "period", "option"),
            options=True,
        ),
    )
