"""`baocao validate`: batch validation of stored values against the catalogue's rules.

baocao validate --period 202611 [--period 202612 ...] [--unit 01] [--rule CODE ...]
                [--source BC-DVC-THANG] [--background] [--csv FILE] [--outliers-csv FILE]

Runs now and prints the counts, violations and outliers against each unit's own history
(and writes the violations as CSV with `--csv`, the outliers with `--outliers-csv`), or with
`--background` queues the run for the worker (`baocao db_worker`) and prints its number.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from baocao.core.errors import DomainError, Rejected
from baocao.organisations import selectors as org_selectors
from baocao.validation import services
from baocao.validation.exports import outliers_csv, violations_csv


class Command(BaseCommand):
    help = "Validate stored values of units and periods against the validation rules."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", action="append", default=[], dest="periods")
        parser.add_argument("--unit", default=None, help="A unit and its subtree (default: all).")
        parser.add_argument("--rule", action="append", default=[], dest="rules")
        parser.add_argument("--source", default="", help="Only values of this source.")
        parser.add_argument("--background", action="store_true", help="Queue for the worker.")
        parser.add_argument("--csv", type=Path, default=None, help="Write the violations here.")
        parser.add_argument(
            "--outliers-csv", type=Path, default=None, help="Write the outliers here."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            unit = org_selectors.unit_get(code=options["unit"]) if options["unit"] else None
            run = services.validation_run_create(
                periods=options["periods"],
                unit=unit,
                rules=options["rules"],
                source=options["source"],
                actor=None,
            )
        except Rejected as error:
            raise CommandError(str(error)) from None
        except DomainError as error:
            raise CommandError(str(error)) from None
        if options["background"]:
            services.validation_run_enqueue(run=run)
            self.stdout.write(f"#{run.pk} queued")
            return
        run = services.validation_run_execute(run_id=run.pk)
        counts = run.counts
        self.stdout.write(
            f"#{run.pk}: {counts['evaluated']} evaluated, {counts['passed']} passed,"
            f" {counts['violated']} violated, {counts['skipped']} skipped,"
            f" {counts['not_evaluable']} not evaluable ({counts['values_read']} values,"
            f" {counts['seconds']} s)"
        )
        self.stdout.write(
            f"#{run.pk}: {counts['outliers']} outliers of {counts['outlier_values']} values"
            f" judged against their history ({counts['outlier_seconds']} s)"
        )
        if options["csv"]:
            write_csv(options["csv"], violations_csv(run))
        if options["outliers_csv"]:
            write_csv(options["outliers_csv"], outliers_csv(run))


def write_csv(path: Path, chunks: Iterator[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        for chunk in chunks:
            handle.write(chunk)
