"""`baocao reconcile`: compare the sources of the reconciliation rules and follow up.

baocao reconcile --period 202611 [--period 202612 ...] [--unit 01] [--rule CODE ...]
                 [--csv FILE]

Compares now, updates the discrepancies (new ones open, corrected ones close, changed ones
reopen) and prints what it did; `--csv` writes the open discrepancies of those periods and
units. The same as *Compare* on the discrepancies page and `POST /api/v1/discrepancies/compare/`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from baocao.core.errors import DomainError
from baocao.organisations import selectors as org_selectors
from baocao.validation import selectors, services
from baocao.validation.choices import DiscrepancyStatus
from baocao.validation.exports import discrepancies_csv
from baocao.validation.management.commands.validate import write_csv


class Command(BaseCommand):
    help = "Compare the sources of the reconciliation rules for units and periods."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", action="append", default=[], dest="periods")
        parser.add_argument("--unit", default=None, help="A unit and its subtree (default: all).")
        parser.add_argument("--rule", action="append", default=[], dest="rules")
        parser.add_argument("--csv", type=Path, default=None, help="Write the open ones here.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            unit = org_selectors.unit_get(code=options["unit"]) if options["unit"] else None
            summary = services.discrepancies_compare(
                periods=options["periods"], unit=unit, rules=options["rules"], actor=None
            )
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{summary.compared} compared: {summary.agreeing} agree, {summary.found} new,"
            f" {summary.changed} changed, {summary.still_open} still open,"
            f" {summary.reopened} reopened, {summary.corrected} corrected,"
            f" {summary.accepted} accepted; {summary.one_sided} with one source only,"
            f" {summary.incomplete} sums incomplete"
        )
        if options["csv"]:
            open_ones = selectors.discrepancies(status=DiscrepancyStatus.OPEN, unit=unit).filter(
                period__in=options["periods"]
            )
            write_csv(options["csv"], discrepancies_csv(open_ones.iterator(chunk_size=2000)))
