"""The violations of a run as CSV rows, the same for the command line and the API."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from baocao.validation import selectors
from baocao.validation.models import Discrepancy, OutlierFinding, RuleViolation, ValidationRun

VIOLATION_COLUMNS = ["rule", "importance", "unit", "period", "source", "status", "left", "right"]


def violation_row(item: RuleViolation) -> list[object]:
    return [
        item.rule_code,
        item.importance,
        item.unit.code,
        item.period,
        item.source,
        item.status,
        "" if item.left is None else item.left,
        "" if item.right is None else item.right,
    ]


def violations_csv(run: ValidationRun) -> Iterator[str]:
    """CSV text, line by line (header first), for streaming large runs."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(VIOLATION_COLUMNS)
    for number, item in enumerate(selectors.run_violations(run).iterator(chunk_size=5000)):
        writer.writerow(violation_row(item))
        if number % 1000 == 999:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


DISCREPANCY_COLUMNS = [
    "rule",
    "indicator",
    "disaggregation",
    "unit",
    "period",
    "left_source",
    "left_value",
    "right_source",
    "right_value",
    "difference",
    "status",
    "found_at",
    "resolution",
]


def discrepancies_csv(found: Iterable[Discrepancy]) -> Iterator[str]:
    """Discrepancies as CSV text (header first), values as stored (1234.5), times ISO 8601."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(DISCREPANCY_COLUMNS)
    for number, item in enumerate(found):
        writer.writerow(
            [
                item.rule.code,
                item.indicator.code,
                item.disaggregation,
                item.unit.code,
                item.period,
                item.left_source,
                item.left_value,
                item.right_source,
                item.right_value,
                selectors.discrepancy_difference(item),
                item.status,
                item.found_at.isoformat(),
                item.resolution,
            ]
        )
        if number % 1000 == 999:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


OUTLIER_COLUMNS = [
    "indicator",
    "disaggregation",
    "unit",
    "period",
    "source",
    "value",
    "expected_low",
    "expected_high",
    "basis",
    "score",
]


def outlier_row(item: OutlierFinding) -> list[object]:
    """Values as stored (1234.5), the expected range as judged (not rounded for display)."""
    return [
        item.indicator_code,
        item.disaggregation,
        item.unit.code,
        item.period,
        item.source,
        item.value,
        item.expected_low,
        item.expected_high,
        item.basis,
        "" if item.score is None else round(item.score, 3),
    ]


def outliers_csv(run: ValidationRun, *, unit: str = "", indicator: str = "") -> Iterator[str]:
    """The outliers a run kept as CSV text, line by line (header first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(OUTLIER_COLUMNS)
    found = selectors.run_outliers(run, unit=unit, indicator=indicator)
    for number, item in enumerate(found.iterator(chunk_size=5000)):
        writer.writerow(outlier_row(item))
        if number % 1000 == 999:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
