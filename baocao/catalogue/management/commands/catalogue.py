"""`baocao catalogue ...`: the catalogue as code.

baocao catalogue load PATH      load a YAML file or every *.yaml below a directory
baocao catalogue dump PATH      write the catalogue to PATH (a .yaml file, or a directory)
baocao catalogue check PATH     validate without writing
baocao catalogue load-sample    load the sample catalogue shipped with baocao
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from baocao.catalogue.checks import catalogue_check
from baocao.catalogue.files import catalogue_read, catalogue_write
from baocao.catalogue.models import (
    AlertRule,
    Dashboard,
    Dimension,
    Form,
    Indicator,
    IndicatorTarget,
    ReconciliationRule,
    Regime,
    Sector,
    ValidationRule,
)
from baocao.catalogue.services import SAMPLE_CATALOGUE, LoadSummary, catalogue_load
from baocao.catalogue.specs_from_db import catalogue_spec
from baocao.core.errors import DomainError, Rejected


class Command(BaseCommand):
    help = (
        "Load, dump and check the catalogue (indicators, dimensions, forms, regimes, rules, "
        "dashboards, targets, alerts) as YAML."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, parser_class=argparse.ArgumentParser
        )
        for name, text in (
            ("load", "Load a catalogue YAML file or directory (all of it or nothing)."),
            ("dump", "Write the catalogue to a .yaml file or to a directory, one file per kind."),
            ("check", "Validate a catalogue YAML file or directory without writing anything."),
        ):
            sub.add_parser(name, help=text).add_argument("path", type=Path)
        sub.add_parser("load-sample", help="Load the sample catalogue shipped with baocao.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "load":
                self._summary(catalogue_load(path=options["path"], actor=None))
            elif action == "load-sample":
                self._summary(catalogue_load(path=SAMPLE_CATALOGUE, actor=None))
            elif action == "check":
                document = catalogue_read(options["path"])
                catalogue_check(document)
                self.stdout.write(
                    _("No problems found in %(count)d entries.") % {"count": document.size()}
                )
            else:
                for path in catalogue_write(catalogue_spec(), options["path"]):
                    self.stdout.write(str(path))
        except Rejected as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("Nothing was loaded: %(count)d problem(s).") % {"count": len(exc.problems)}
            ) from None
        except DomainError as exc:
            raise CommandError(str(exc)) from None

    def _summary(self, summary: LoadSummary) -> None:
        if not summary.changed:
            self.stdout.write(
                _("Catalogue unchanged (%(count)d entries already up to date).")
                % {"count": sum(summary.unchanged.values())}
            )
            return
        names = {
            "sectors": Sector._meta.verbose_name_plural,
            "dimensions": Dimension._meta.verbose_name_plural,
            "indicators": Indicator._meta.verbose_name_plural,
            "forms": Form._meta.verbose_name_plural,
            "regimes": Regime._meta.verbose_name_plural,
            "rules": ValidationRule._meta.verbose_name_plural,
            "reconciliations": ReconciliationRule._meta.verbose_name_plural,
            "dashboards": Dashboard._meta.verbose_name_plural,
            "targets": IndicatorTarget._meta.verbose_name_plural,
            "alerts": AlertRule._meta.verbose_name_plural,
        }
        for kind, name in names.items():
            created, updated = summary.created[kind], summary.updated[kind]
            unchanged = summary.unchanged[kind]
            if created or updated or unchanged:
                self.stdout.write(
                    _("%(kind)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
                    % {
                        "kind": str(name).capitalize(),
                        "created": created,
                        "updated": updated,
                        "unchanged": unchanged,
                    }
                )
