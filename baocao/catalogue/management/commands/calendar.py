"""`baocao calendar UNIT_CODE --from YYYY-MM-DD --to YYYY-MM-DD`: a unit's expected reports."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from baocao.catalogue import selectors
from baocao.catalogue.labels import day_label, period_label
from baocao.core.dates import cli_date
from baocao.core.errors import DomainError
from baocao.organisations import selectors as org_selectors


class Command(BaseCommand):
    help = "List the reports a unit owes with a deadline between two dates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("unit")
        parser.add_argument("--from", dest="start", type=cli_date, required=True)
        parser.add_argument("--to", dest="end", type=cli_date, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = options["start"], options["end"]
        if end < start:
            raise CommandError(_("--to must not be before --from."))
        try:
            unit = org_selectors.unit_get(code=options["unit"])
            reports = selectors.expected_reports(unit=unit, start=start, end=end)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        if not reports:
            self.stdout.write(_("No reports due in this range."))
            return
        for report in reports:
            receiver = report.receiver.code if report.receiver else "-"
            self.stdout.write(
                "  ".join(
                    [
                        day_label(report.deadline),
                        report.regime.code,
                        report.period.code,
                        period_label(report.period),
                        _("cutoff %(start)s–%(end)s")
                        % {
                            "start": day_label(report.window.start),
                            "end": day_label(report.window.end),
                        },
                        _("to %(receiver)s") % {"receiver": receiver},
                    ]
                )
            )
