"""`baocao bench_import [--values N]`: time the bulk value import on the real hierarchy.

Needs the national units (`baocao units load-vn`) and the sample catalogue (`baocao catalogue
load-sample`) in the database in use. Writes a CSV of N values (default one million: every
commune in force, by 50 numeric cells of the sample catalogue, by as many months of 2026 as
needed), then times three imports of it under the source `BENCH-IMPORT`:

1. first import: every value is new;
2. the same file again: every value is ignored;
3. the file with every tenth value changed: 10% updated, their previous values kept in the
   history, the rest ignored.

Each phase runs once (`baocao.core.bench.median_ms` repeats a call, which an import that
changes the database cannot be). Values of the source `BENCH-IMPORT` left by an earlier run
are deleted first. Prints JSON; the figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import csv
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from baocao.catalogue.choices import NUMERIC_VALUE_TYPES, ValueType
from baocao.catalogue.models import Indicator
from baocao.organisations import selectors as org_selectors
from baocao.organisations.choices import Level
from baocao.periods import Period
from baocao.submissions.imports import COLUMNS, ImportSummary, values_import
from baocao.submissions.models import DataValue, DataValueHistory

SOURCE = "BENCH-IMPORT"
CELLS_PER_UNIT = 50


class Command(BaseCommand):
    help = "Time the bulk value import (new, unchanged, 10% changed); print JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--values", type=int, default=1_000_000)

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["values"]
        if count < 1:
            raise CommandError("--values must be at least 1")
        cells = _cells()
        first_month = Period.month(2026, 1)
        communes = list(
            org_selectors.units_on(on=first_month.start, level=Level.COMMUNE).values_list(
                "unit__code", flat=True
            )
        )
        if not communes or not cells:
            raise CommandError(
                "Load the national units and the sample catalogue first:"
                " baocao units load-vn && baocao catalogue load-sample"
            )
        DataValue.objects.filter(source=SOURCE).delete()
        DataValueHistory.objects.filter(source=SOURCE).delete()
        results: dict[str, Any] = {
            "database": connection.vendor,
            "values": count,
            "communes": len(communes),
            "cells_per_commune_and_month": len(cells),
        }
        with tempfile.TemporaryDirectory() as folder:
            original, changed = Path(folder) / "values.csv", Path(folder) / "changed.csv"
            months = _write_csv(original, count, communes, cells, first_month, change=False)
            _write_csv(changed, count, communes, cells, first_month, change=True)
            results["months"] = months
            results["file_mb"] = round(original.stat().st_size / 1e6, 1)
            expected = {
                "first_import": {"imported": count},
                "same_file_again": {"ignored": count},
                "ten_percent_changed": {
                    "updated": (count + 9) // 10,
                    "ignored": count - (count + 9) // 10,
                },
            }
            for phase, path in (
                ("first_import", original),
                ("same_file_again", original),
                ("ten_percent_changed", changed),
            ):
                started = time.perf_counter()
                summary = values_import(file=path, source=SOURCE, actor=None)
                seconds = time.perf_counter() - started
                results[phase] = _phase(summary, seconds, expected[phase])
        results["history_rows"] = DataValueHistory.objects.filter(source=SOURCE).count()
        self.stdout.write(json.dumps(results, indent=2))


def _phase(summary: ImportSummary, seconds: float, expected: dict[str, int]) -> dict[str, Any]:
    counts = {
        key: getattr(summary, key)
        for key in ("imported", "updated", "ignored", "deleted", "rejected")
    }
    wanted = {key: expected.get(key, 0) for key in counts}
    return {
        "seconds": round(seconds, 2),
        "rows_per_s": round(summary.total / seconds) if seconds else None,
        **counts,
        "counts_as_expected": counts == wanted,
    }


def _cells() -> list[tuple[str, str, str, int]]:
    """(indicator, disaggregation, value type, decimals): the totals of the numeric entered
    indicators of the catalogue, then their options one dimension at a time, up to 50."""
    totals: list[tuple[str, str, str, int]] = []
    parts: list[tuple[str, str, str, int]] = []
    indicators = (
        Indicator.objects.filter(value_type__in=NUMERIC_VALUE_TYPES, formula="")
        .prefetch_related("dimension_links__dimension__options")
        .order_by("code")
    )
    for indicator in indicators:
        totals.append((indicator.code, "", indicator.value_type, indicator.decimals))
        for link in indicator.dimension_links.all():
            parts.extend(
                (
                    indicator.code,
                    f"{link.dimension.code}={option.code}",
                    indicator.value_type,
                    indicator.decimals,
                )
                for option in link.dimension.options.all()
            )
    return (totals + parts)[:CELLS_PER_UNIT]


def _write_csv(
    path: Path,
    count: int,
    communes: list[str],
    cells: list[tuple[str, str, str, int]],
    first_month: Period,
    *,
    change: bool,
) -> int:
    """N rows, period by period, commune by commune; `change` alters every tenth value."""
    per_month = len(communes) * len(cells)
    months = -(-count // per_month)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for offset in range(months):
            period = first_month.next(offset).code
            for unit in communes:
                for indicator, disaggregation, value_type, decimals in cells:
                    if written == count:
                        return months
                    number = (written * 7919) % 100_000 + (1 if change and written % 10 == 0 else 0)
                    if value_type == ValueType.INTEGER or not decimals:
                        value = str(number)
                    else:
                        # One decimal place, as officers usually enter (1234.5).
                        value = f"{number // 10}.{number % 10}"
                    writer.writerow((indicator, disaggregation, unit, period, value))
                    written += 1
    return months
