"""`baocao periods ...`: periods, cutoff windows and deadlines.

baocao periods window REGIME_CODE PERIOD_CODE   the cutoff window and every step's deadline
baocao periods show PERIOD_CODE                 dates, name, previous and next period
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from baocao.catalogue import selectors
from baocao.catalogue.labels import cutoff_label, day_label, period_label, step_deadline_label
from baocao.catalogue.rules import period_problem
from baocao.core.errors import DomainError
from baocao.periods import Period, PeriodError, parse_period


class Command(BaseCommand):
    help = "Show periods, their data cutoff windows and deadlines (Decree 09/2019/NĐ-CP)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, parser_class=argparse.ArgumentParser
        )
        window = sub.add_parser("window", help="Cutoff window and deadlines of a regime's period.")
        window.add_argument("regime")
        window.add_argument("period")
        show = sub.add_parser("show", help="Dates and neighbours of a period code.")
        show.add_argument("period")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = self._period(options["period"])
            if options["action"] == "show":
                self._show(period)
            else:
                self._window(options["regime"], period)
        except DomainError as exc:
            raise CommandError(str(exc)) from None

    def _period(self, code: str) -> Period:
        try:
            return parse_period(code)
        except PeriodError as error:
            raise period_problem(error, field="period") from None

    def _show(self, period: Period) -> None:
        lines = [
            f"{period.code}  {period_label(period)}",
            _("From %(start)s to %(end)s (%(days)d days)")
            % {"start": day_label(period.start), "end": day_label(period.end), "days": period.days},
        ]
        if period.type != "range":
            lines.append(
                _("Previous: %(previous)s  Next: %(next)s  Same period last year: %(last)s")
                % {
                    "previous": period.previous().code,
                    "next": period.next().code,
                    "last": period.same_period_last_year().code,
                }
            )
        self.stdout.write("\n".join(lines))

    def _window(self, code: str, period: Period) -> None:
        regime = selectors.regime_get(code=code)
        item = selectors.regime_period(regime=regime, period=period)
        version = item.version
        out = [
            f"{regime.code}  {regime.name}",
            _("Period: %(label)s (%(code)s)")
            % {"label": period_label(period), "code": period.code},
            _("Version in force from %(start)s") % {"start": day_label(version.valid_from)},
        ]
        if version.legal_basis:
            out.append(_("Legal basis: %(basis)s") % {"basis": version.legal_basis})
        out.append(
            _("Data cutoff window: %(start)s – %(end)s  [%(rule)s]")
            % {
                "start": day_label(item.window.start),
                "end": day_label(item.window.end),
                "rule": cutoff_label(version.cutoff_kind, version.cutoff_day),
            }
        )
        out.append(_("Deadlines:"))
        for number, due in enumerate(item.deadlines, start=1):
            rule = step_deadline_label(due.step)
            name = due.step.name or "-"
            out.append(f"  {number}. {day_label(due.deadline)}  {name}  [{rule}]")
        self.stdout.write("\n".join(out))
