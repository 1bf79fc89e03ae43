"""`baocao bench_units`: medians of the hierarchy queries every request will lean on.

Run by `make bench` on a fresh database it fills itself; figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from baocao.core.bench import median_ms
from baocao.organisations import selectors
from baocao.organisations.choices import Level
from baocao.organisations.models import HierarchySource, Unit
from baocao.organisations.services import units_load_vn

AFTER = dt.date(2025, 7, 1)
BEFORE = dt.date(2025, 6, 30)


class Command(BaseCommand):
    help = "Measure the national load and the dated hierarchy queries; print JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args: Any, **options: Any) -> None:
        repeat = options["repeat"]
        results: dict[str, Any] = {}
        if not HierarchySource.objects.filter(name="vn").exists():
            started = time.perf_counter()
            units_load_vn(actor=None)
            results["load_vn_first_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        units_load_vn(actor=None)
        results["load_vn_again_s"] = round(time.perf_counter() - started, 3)

        ha_noi = Unit.objects.get(code="01")
        government = Unit.objects.get(code="CP")
        old_commune = Unit.objects.get(code="00001")
        queries: dict[str, Callable[[], Any]] = {
            "count_communes_on_a_day": lambda: selectors.units_count(on=AFTER, level=Level.COMMUNE),
            "descendants_of_ha_noi_2025_06_30": lambda: selectors.unit_descendants(
                unit=ha_noi, on=BEFORE
            ),
            "descendants_of_ha_noi_2025_07_01": lambda: selectors.unit_descendants(
                unit=ha_noi, on=AFTER
            ),
            "scope_ids_of_the_whole_country": lambda: selectors.descendant_ids(
                unit=government, on=AFTER
            ),
            "ancestors_of_a_commune": lambda: selectors.unit_ancestors(unit=old_commune, on=BEFORE),
            "successors_of_an_old_commune": lambda: selectors.unit_successors(unit=old_commune),
            "successors_as_of_today": lambda: selectors.unit_successors(
                unit=old_commune, on=selectors.today()
            ),
            "tree_of_the_country_3_levels": lambda: selectors.tree_on(on=AFTER, depth=3),
            "search_by_name": lambda: list(selectors.units_on(on=AFTER, search="hoa binh")),
        }
        results["median_ms"] = {name: median_ms(query, repeat) for name, query in queries.items()}
        results["repeat"] = repeat
        self.stdout.write(json.dumps(results, indent=2, ensure_ascii=False))
