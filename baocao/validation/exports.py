"""The violations of a run as CSV rows, the same for the command line and the API."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from baocao.validation import selectors
from baocao.validation.models import RuleViolation, ValidationRun

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
