"""`baocao query`: analytics on the command line.

baocao query --indicator HCC.HS_TIEP_NHAN --unit 01 --period 2026Q4 [--period ...]
             [--children-of 01] [--disaggregation SEX=*] [--structure 2026-12-01]
             [--source DVCQG] [--comparison previous] [--comparison last_year] [--csv]
"""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from baocao.analytics import selectors
from baocao.analytics.api.views import CSV_COLUMNS
from baocao.analytics.engine import HISTORICAL
from baocao.core.errors import DomainError


class Command(BaseCommand):
    help = "Query aggregated values of indicators for units and periods."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--indicator", action="append", default=[], dest="indicators")
        parser.add_argument("--period", action="append", default=[], dest="periods")
        parser.add_argument("--unit", action="append", default=[], dest="units")
        parser.add_argument("--children-of", default="")
        parser.add_argument("--level", default="", help="Of the units below: province, commune…")
        parser.add_argument("--disaggregation", default="")
        parser.add_argument("--structure", default=HISTORICAL)
        parser.add_argument("--source", default="")
        parser.add_argument("--comparison", action="append", default=[], dest="comparisons")
        parser.add_argument("--csv", action="store_true", help="CSV rows instead of JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = selectors.analytics_query(
                indicators=options["indicators"],
                periods=options["periods"],
                units=options["units"],
                children_of=options["children_of"],
                level=options["level"],
                disaggregation=options["disaggregation"],
                structure=options["structure"],
                source=options["source"],
                comparisons=options["comparisons"],
            )
        except DomainError as error:
            raise CommandError(str(error)) from None
        rows = [row.as_dict() for row in result.rows]
        if options["csv"]:
            writer = csv.DictWriter(self.stdout, fieldnames=CSV_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
            return
        self.stdout.write(
            json.dumps(
                {
                    "generation": result.generation,
                    "seconds": round(result.seconds, 4),
                    "rows": rows,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
