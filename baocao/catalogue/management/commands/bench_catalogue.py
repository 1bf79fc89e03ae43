"""`baocao bench_catalogue`: medians of the calendar computations every officer's page runs.

Run by `make bench` after `bench_units` on the same throwaway database; figures go to
docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from baocao.catalogue import selectors
from baocao.catalogue.services import SAMPLE_CATALOGUE, catalogue_load
from baocao.core.bench import median_ms
from baocao.organisations.models import Unit
from baocao.periods import (
    CutoffRule,
    DeadlineKind,
    DeadlineRule,
    Period,
    WorkingCalendar,
    cutoff_window,
    deadline,
)


class Command(BaseCommand):
    help = "Measure catalogue loading, regime periods and unit calendars; print JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args: Any, **options: Any) -> None:
        repeat = options["repeat"]
        results: dict[str, Any] = {}
        started = time.perf_counter()
        catalogue_load(path=SAMPLE_CATALOGUE, actor=None)
        results["load_sample_first_ms"] = round((time.perf_counter() - started) * 1000, 1)
        results["load_sample_again_ms"] = median_ms(
            lambda: catalogue_load(path=SAMPLE_CATALOGUE, actor=None), repeat
        )

        calendar = WorkingCalendar()
        monthly = DeadlineRule(kind=DeadlineKind.WORKING_DAYS_AFTER_CUTOFF, days=2)
        months = [Period.month(2026, month) for month in range(1, 13)] * 100

        def thousand_deadlines() -> None:
            for period in months:
                deadline(monthly, period, cutoff_window(CutoffRule(), period), calendar)

        regime = selectors.regime_get(code="BC-DVC-THANG")
        year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        commune = Unit.objects.get(code="00004")
        province = Unit.objects.get(code="01")
        ministry = Unit.objects.get(code="BTC")

        def reporter_counts() -> None:
            for item in selectors.regime_periods(regime=regime, start=year[0], end=year[1]):
                for due in item.deadlines:
                    selectors.step_reporter_ids(step=due.step, on=due.deadline)

        queries: dict[str, Callable[[], Any]] = {
            "1200_monthly_windows_and_deadlines": thousand_deadlines,
            "regime_periods_of_a_year": lambda: selectors.regime_periods(
                regime=regime, start=year[0], end=year[1]
            ),
            "regime_year_with_reporter_counts": reporter_counts,
            "calendar_commune_one_year": lambda: selectors.expected_reports(
                unit=commune, start=year[0], end=year[1]
            ),
            "calendar_province_one_year": lambda: selectors.expected_reports(
                unit=province, start=year[0], end=year[1]
            ),
            "calendar_ministry_one_year": lambda: selectors.expected_reports(
                unit=ministry, start=year[0], end=year[1]
            ),
        }
        for name, function in queries.items():
            results[f"{name}_ms"] = median_ms(function, repeat)
        self.stdout.write(json.dumps(results, indent=2))
