"""`baocao units ...`: load and query the dated registry of units.

baocao units load-vn
baocao units load FILE
baocao units count --as-of YYYY-MM-DD [--level province|district|commune|...]
baocao units successors CODE [--as-of YYYY-MM-DD]
baocao units predecessors CODE [--as-of YYYY-MM-DD]
baocao units show CODE
baocao units children CODE [--as-of YYYY-MM-DD]
baocao units ancestors CODE [--as-of YYYY-MM-DD]
baocao units descendants CODE [--as-of YYYY-MM-DD] [--level LEVEL]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from baocao.core.dates import cli_date
from baocao.core.errors import DomainError, Rejected
from baocao.organisations import selectors
from baocao.organisations.choices import Level
from baocao.organisations.models import UnitVersion
from baocao.organisations.services import ApplySummary, units_load_file, units_load_vn


class Command(BaseCommand):
    help = "Load and query the dated registry of administrative units and agencies."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, parser_class=argparse.ArgumentParser
        )
        sub.add_parser("load-vn", help="Load the Vietnamese units (idempotent).")
        load = sub.add_parser("load", help="Load units and events from a CSV or YAML file.")
        load.add_argument("file", type=Path)
        count = sub.add_parser("count", help="Print how many units were in force on a day.")
        count.add_argument("--as-of", type=cli_date, default=None)
        count.add_argument("--level", choices=Level.values)
        for name in ("successors", "predecessors", "children", "ancestors", "descendants"):
            query = sub.add_parser(name)
            query.add_argument("code")
            query.add_argument("--as-of", type=cli_date, default=None)
            if name == "descendants":
                query.add_argument("--level", choices=Level.values)
        show = sub.add_parser("show", help="Print a unit's versions and change events.")
        show.add_argument("code")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"do_{action}")(options)
        except Rejected as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("Nothing was loaded: %(count)d problem(s).") % {"count": len(exc.problems)}
            ) from None
        except DomainError as exc:
            raise CommandError(str(exc)) from None

    def _print_summary(self, summary: ApplySummary, seconds: float) -> None:
        if summary.skipped:
            self.stdout.write(_("Already loaded; nothing to do."))
            return
        self.stdout.write(
            _(
                "Units created: %(units)d; versions created: %(created)d, updated: %(updated)d; "
                "events created: %(events)d, updated: %(events_updated)d; links created: "
                "%(links)d, removed: %(links_deleted)d (%(seconds).1f s)."
            )
            % {
                "units": summary.units_created,
                "created": summary.versions_created,
                "updated": summary.versions_updated,
                "events": summary.events_created,
                "events_updated": summary.events_updated,
                "links": summary.links_created,
                "links_deleted": summary.links_deleted,
                "seconds": seconds,
            }
        )

    def do_load_vn(self, options: dict[str, Any]) -> None:
        started = time.perf_counter()
        summary = units_load_vn(actor=None)
        self._print_summary(summary, time.perf_counter() - started)

    def do_load(self, options: dict[str, Any]) -> None:
        started = time.perf_counter()
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(_("File not found: %(path)s") % {"path": path})
        summary = units_load_file(path=path, actor=None)
        self._print_summary(summary, time.perf_counter() - started)

    def do_count(self, options: dict[str, Any]) -> None:
        on = options["as_of"] or selectors.today()
        self.stdout.write(str(selectors.units_count(on=on, level=options["level"])))

    def _lineage(self, options: dict[str, Any], forward: bool) -> None:
        unit = selectors.unit_get(code=options["code"])
        query = selectors.unit_successors if forward else selectors.unit_predecessors
        for step in query(unit=unit, on=options["as_of"]):
            name = step.version.name if step.version else ""
            self.stdout.write(f"{step.unit.code}\t{name}")

    def do_successors(self, options: dict[str, Any]) -> None:
        self._lineage(options, forward=True)

    def do_predecessors(self, options: dict[str, Any]) -> None:
        self._lineage(options, forward=False)

    def do_children(self, options: dict[str, Any]) -> None:
        unit = selectors.unit_get(code=options["code"])
        for version in selectors.unit_children(unit=unit, on=options["as_of"] or selectors.today()):
            self.stdout.write(f"{version.unit.code}\t{version.name}")

    def do_ancestors(self, options: dict[str, Any]) -> None:
        unit = selectors.unit_get(code=options["code"])
        for item in selectors.unit_ancestors(unit=unit, on=options["as_of"] or selectors.today()):
            self.stdout.write(f"{item.code}\t{item.name}")

    def do_descendants(self, options: dict[str, Any]) -> None:
        unit = selectors.unit_get(code=options["code"])
        found = selectors.unit_descendants(
            unit=unit, on=options["as_of"] or selectors.today(), level=options["level"]
        )
        for item in found:
            self.stdout.write(f"{item.code}\t{item.name}")

    def do_show(self, options: dict[str, Any]) -> None:
        unit = selectors.unit_get(code=options["code"])
        self.stdout.write(f"{unit.code}\t{unit.get_level_display()}")
        for version in unit.versions.select_related("parent").order_by(UnitVersion.chronological()):
            start = version.valid_from.isoformat() if version.valid_from else "…"
            end = version.valid_to.isoformat() if version.valid_to else "…"
            parent = version.parent.code if version.parent else "-"
            self.stdout.write(
                f"  {start} – {end}\t{version.name}\t{version.get_type_display()}\t{parent}"
            )
        for event in selectors.change_events(unit=unit):
            links = ", ".join(
                f"{link.predecessor.code}{'⇢' if link.partial else '→'}{link.successor.code}"
                for link in event.links.all()
            )
            self.stdout.write(
                f"  {event.effective_date.isoformat()}\t{event.get_kind_display()}\t"
                f"{event.legal_act}\t{links}"
            )
