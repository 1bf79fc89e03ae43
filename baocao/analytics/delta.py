"""What changed in the transactional database since a generation of the store was built.

Three things change what analytics must answer: a value written (its `updated_at`), a value
deleted (a `DataValueHistory` row marked deleted, with `changed_at`) and a report moving in its
lifecycle (its `updated_at`: accepted, returned, recalled), which changes whether its values
count and whether they are provisional. All three columns are indexed, so asking whether
anything changed is three index look-ups (`change_token`), and reading the changes is a few
queries over the rows changed only.

A transaction that started before the watermark may commit after it with an earlier
timestamp; changes are therefore read from `OVERLAP` before the watermark. Reading a change
twice is harmless (the changed figures are replaced by their current values) but costs: right
after a bulk import, the first queries read its last minute again, until a compaction (queued
by those queries) starts from a later watermark.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.db.models import Q

from baocao.catalogue.choices import NUMERIC_VALUE_TYPES
from baocao.catalogue.models import Indicator
from baocao.submissions.models import DataValue, DataValueHistory, Report

# Longer than any write transaction: a report's services take milliseconds, a bulk import
# stamps each chunk of 100,000 values in the chunk's own transaction (a few seconds).
OVERLAP = dt.timedelta(seconds=60)
PLACES_PER_QUERY = 200
COUNTED = frozenset({"submitted", "resubmitted", "accepted", "recall_requested"})

# (indicator id, disaggregation, unit id, period code)
Figure = tuple[int, str, int, str]
# (indicator id, disaggregation, unit id, period, source, value, provisional)
FactRow = tuple[int, str, int, str, str, float, bool]


@dataclasses.dataclass
class Changes:
    """The figures that changed, and the values that now count for them (every source)."""

    figures: set[Figure] = dataclasses.field(default_factory=set)
    rows: list[FactRow] = dataclasses.field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.figures)


def change_token() -> tuple[object, ...]:
    """Something that differs whenever values or reports changed: one round trip, three index
    look-ups (the latest change of values, of the value history, of reports)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT max(updated_at) FROM {DataValue._meta.db_table}), "
            f"(SELECT max(changed_at) FROM {DataValueHistory._meta.db_table}), "
            f"(SELECT max(updated_at) FROM {Report._meta.db_table})"
        )
        row = cursor.fetchone()
    return tuple(row) if row else ()


def changes_since(watermark: dt.datetime) -> Changes:
    """The figures changed after `watermark` (less the overlap) and their current values."""
    since = watermark - OVERLAP
    changes = Changes()
    reports = set(Report.objects.filter(updated_at__gt=since).values_list("pk", flat=True))
    # Two queries, each on its index: with an OR between them SQLite scans the whole table.
    touched = [DataValue.objects.filter(updated_at__gt=since)]
    if reports:
        touched.append(DataValue.objects.filter(report_id__in=reports))
    for query in touched:
        for indicator_id, disaggregation, unit_id, period in query.values_list(
            "indicator_id", "disaggregation", "unit_id", "period"
        ):
            changes.figures.add((indicator_id, disaggregation, unit_id, period))
    for indicator_id, disaggregation, unit_id, period in DataValueHistory.objects.filter(
        deleted=True, changed_at__gt=since
    ).values_list("indicator_id", "disaggregation", "unit_id", "period"):
        changes.figures.add((indicator_id, disaggregation, unit_id, period))
    if not changes.figures:
        return changes
    # The current values of those figures, every source (the official one is chosen later),
    # by (unit, period): the index a handful of changed figures among millions of values use.
    numeric = set(
        Indicator.objects.filter(value_type__in=list(NUMERIC_VALUE_TYPES)).values_list(
            "pk", flat=True
        )
    )
    places = sorted({(figure[2], figure[3]) for figure in changes.figures})
    for start in range(0, len(places), PLACES_PER_QUERY):
        condition = Q()
        for unit_id, period in places[start : start + PLACES_PER_QUERY]:
            condition |= Q(unit_id=unit_id, period=period)
        rows = (
            DataValue.objects.filter(condition)
            .order_by()
            .values_list(
                "indicator_id",
                "disaggregation",
                "unit_id",
                "period",
                "source",
                "value",
                "report__status",
            )
        )
        for indicator_id, disaggregation, unit_id, period, source, text, status in rows:
            figure = (indicator_id, disaggregation, unit_id, period)
            if figure not in changes.figures or indicator_id not in numeric:
                continue
            if status is not None and status not in COUNTED:
                continue  # a draft, or a returned report's values: not counted
            number = _number(text)
            if number is not None:
                provisional = status is not None and status != "accepted"
                changes.rows.append(
                    (indicator_id, disaggregation, unit_id, period, source, number, provisional)
                )
    return changes


def _number(text: str) -> float | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return float(number) if number.is_finite() else None
