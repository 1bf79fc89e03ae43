"""Outliers in a batch run: stored values judged against each unit's own history (issue 5).

The entry form and the review page judge one report's values (`selectors.report_outliers`);
a validation run judges every stored numeric value of its periods, for its units and source,
the same way: against the same unit's values of the same indicator, disaggregation and
source for the earlier periods of the same type, at most `HISTORY_YEARS` back, with
`outliers.outlier_check_stored` and the expected range clamped to what the indicator can take.

A run may cover 100,000 values and more, each with up to ten years of history, so history is
read in bulk: the units are taken in groups (`UNITS_PER_QUERY`, below the databases' limits
on the parameters of a statement) and for each group and period type one query reads the
values from the earliest period's cutoff to the latest period. Every requested period is
judged from that one read; memory is bounded by the group, not the run. As in
`selectors._history`, codes of one period type sort as their periods do, so the window is a
range of codes and codes of other types within it are dropped here.

Values of the requested periods count as history for the later requested periods, as stored
values would for a report of those periods.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import time
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence

from django.db.models import QuerySet

from baocao.catalogue.choices import NUMERIC_VALUE_TYPES
from baocao.catalogue.models import Indicator
from baocao.periods import Period, PeriodError, PeriodType, parse_period
from baocao.submissions.models import DataValue
from baocao.validation.batch import UNITS_PER_QUERY
from baocao.validation.outliers import OUTLIER, OutlierSettings, outlier_check_stored
from baocao.validation.selectors import (
    DEFAULT_SETTINGS,
    HISTORY_YEARS,
    stored_number,
    stored_period,
    verdict_clamped,
    years_before,
)

# Outliers kept per run, as violations are (`batch_validate`'s `max_violations`); the counts
# are always exact.
MAX_KEPT = 100_000
# Rows per round trip when reading history.
FETCH_ROWS = 20_000


@dataclasses.dataclass(frozen=True)
class BatchOutlier:
    """A stored value that is an outlier against its own history."""

    indicator_code: str
    disaggregation: str
    unit_id: int
    period: str
    source: str
    value: float
    expected_low: float
    expected_high: float
    basis: str  # `seasonal` or `recent`
    score: float | None  # None against a constant history


@dataclasses.dataclass
class OutlierBatchResult:
    """Exact counts, and the outliers up to `max_kept`."""

    values_judged: int = 0  # numeric values of the requested periods (any verdict)
    values_read: int = 0  # stored values read, history included
    outliers: int = 0
    found: list[BatchOutlier] = dataclasses.field(default_factory=list)
    seconds: float = 0.0


# (indicator id, disaggregation, unit id, source)
_SeriesKey = tuple[int, str, int, str]


def batch_outliers(
    *,
    periods: Sequence[str],
    unit_ids: Collection[int] | None = None,
    source: str | None = None,
    max_kept: int = MAX_KEPT,
    settings: OutlierSettings = DEFAULT_SETTINGS,
) -> OutlierBatchResult:
    """Judge the stored numeric values of `periods` (all units, or `unit_ids`).

    Raises `ValueError` naming the position of a period code that is not one.
    """
    started = time.perf_counter()
    by_type: dict[PeriodType, list[Period]] = defaultdict(list)
    for index, code in enumerate(periods):
        try:
            period = parse_period(code)
        except (PeriodError, TypeError):
            raise ValueError(f"periods[{index}]: {code!r} is not a period code") from None
        if period not in by_type[period.type]:
            by_type[period.type].append(period)
    indicators = {
        pk: (code, value_type)
        for pk, code, value_type in Indicator.objects.filter(
            value_type__in=list(NUMERIC_VALUE_TYPES)
        ).values_list("pk", "code", "value_type")
    }
    result = OutlierBatchResult()
    targets = [period.code for group in by_type.values() for period in group]
    for group in _unit_groups(targets, unit_ids, source):
        for targets_of_type in by_type.values():
            _judge_group(group, targets_of_type, indicators, source, settings, max_kept, result)
    result.seconds = time.perf_counter() - started
    return result


def _unit_groups(
    targets: list[str], unit_ids: Collection[int] | None, source: str | None
) -> Iterator[list[int]]:
    """The units to judge, in groups: those given, or every unit with values in the periods."""
    if unit_ids is None:
        found = _values(periods=targets, source=source).values_list("unit_id", flat=True)
        ordered = sorted(set(found.order_by().distinct()))
    else:
        ordered = sorted(set(unit_ids))
    for start in range(0, len(ordered), UNITS_PER_QUERY):
        yield ordered[start : start + UNITS_PER_QUERY]


def _values(*, periods: list[str], source: str | None) -> QuerySet[DataValue]:
    values = DataValue.objects.filter(period__in=periods)
    return values if source is None else values.filter(source=source)


def _judge_group(
    unit_ids: list[int],
    targets: list[Period],
    indicators: dict[int, tuple[str, str]],
    source: str | None,
    settings: OutlierSettings,
    max_kept: int,
    result: OutlierBatchResult,
) -> None:
    """Judge one group of units for the requested periods of one type (one query)."""
    period_type = targets[0].type
    latest = max(targets)
    cutoff = min(years_before(period.start, HISTORY_YEARS) for period in targets)
    target_codes = {period.code for period in targets}
    rows = DataValue.objects.filter(
        unit_id__in=unit_ids,
        indicator__value_type__in=list(NUMERIC_VALUE_TYPES),
        period__gte=f"{cutoff.year:04d}",
        period__lte=latest.code,
    )
    if source is not None:
        rows = rows.filter(source=source)
    rows = rows.order_by()  # sorted here, per series
    # Each series as (period, canonical code, number), and its values of the requested
    # periods to judge.
    series: dict[_SeriesKey, list[tuple[Period, str, float]]] = defaultdict(list)
    judged: list[tuple[_SeriesKey, Period, float]] = []
    fields = ("indicator_id", "disaggregation", "unit_id", "period", "source", "value")
    for indicator_id, disaggregation, unit_id, code, value_source, text in rows.values_list(
        *fields
    ).iterator(chunk_size=FETCH_ROWS):
        result.values_read += 1
        parsed = stored_period(code)
        stored = stored_number(text)
        if parsed is None or stored is None:
            continue
        period, canonical = parsed
        if period.type != period_type or period.start < cutoff:
            continue
        key = (indicator_id, disaggregation, unit_id, value_source)
        series[key].append((period, canonical, float(stored)))
        if code in target_codes:
            judged.append((key, period, float(stored)))
    starts: dict[_SeriesKey, list[dt.date]] = {}
    for key, points in series.items():
        points.sort(key=lambda point: point[0].start)
        starts[key] = [point[0].start for point in points]
    for key, period, number in judged:
        result.values_judged += 1
        # The series' periods before this one, at most HISTORY_YEARS back (`_history`).
        first = bisect.bisect_left(starts[key], years_before(period.start, HISTORY_YEARS))
        last = bisect.bisect_left(starts[key], period.start)
        history = [(earlier, value) for earlier, _, value in series[key][first:last]]
        verdict = outlier_check_stored(number, history, period=period, settings=settings)
        low, high = verdict.expected_low, verdict.expected_high
        # An outlier always has a range: only a history too short for a verdict has none.
        if verdict.status != OUTLIER or low is None or high is None:
            continue
        result.outliers += 1
        if len(result.found) >= max_kept:
            continue
        code, value_type = indicators[key[0]]
        clamped = verdict_clamped(verdict, value_type)
        result.found.append(
            BatchOutlier(
                indicator_code=code,
                disaggregation=key[1],
                unit_id=key[2],
                period=period.code,
                source=key[3],
                value=number,
                expected_low=clamped.expected_low if clamped.expected_low is not None else low,
                expected_high=clamped.expected_high if clamped.expected_high is not None else high,
                basis=verdict.basis,
                score=verdict.score,
            )
        )
