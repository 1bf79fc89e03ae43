"""`baocao completeness`: who sent a regime's reports, on time or late, and who has not.

baocao completeness --regime BC-DVC-THANG --period 202611 [--period ...]
                    [--unit 01 ...] [--children-of 01] [--step 0] [--on 2026-12-01]
                    [--with-units] [--csv]
"""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from baocao.analytics.api.completeness import CSV_COLUMNS, csv_rows, day_parse, step_parse
from baocao.analytics.completeness import reporting_completeness
from baocao.core.errors import DomainError


class Command(BaseCommand):
    help = "Reports expected, received, on time, late and missing per unit and period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--regime", default="", help="regime code, e.g. BC-DVC-THANG")
        parser.add_argument("--period", action="append", default=[], dest="periods")
        parser.add_argument("--unit", action="append", default=[], dest="units")
        parser.add_argument("--children-of", default="", help="every unit directly below")
        parser.add_argument("--step", default="", help="one reporting step: 0 is the first")
        parser.add_argument("--on", default="", help="judge deadlines on this day (YYYY-MM-DD)")
        parser.add_argument(
            "--with-units", action="store_true", help="list the missing and late units"
        )
        parser.add_argument("--csv", action="store_true", help="CSV rows instead of JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rows = reporting_completeness(
                regime=options["regime"],
                periods=options["periods"],
                units=options["units"],
                children_of=options["children_of"],
                step=step_parse(options["step"], field="--step"),
                on=day_parse(options["on"], field="--on"),
                with_units=options["with_units"],
            )
        except DomainError as error:
            raise CommandError(str(error)) from None
        if options["csv"]:
            writer = csv.DictWriter(self.stdout, fieldnames=CSV_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(csv_rows(rows))
            return
        self.stdout.write(json.dumps([row.as_dict() for row in rows], indent=2, ensure_ascii=False))
