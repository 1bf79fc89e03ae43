"""`baocao values ...`: data values outside reports.

baocao values import FILE [--source CODE] [--dry-run] [--json]
    Import values from a CSV file (header `indicator,disaggregation,unit,period,value[,comment]`,
    codes and plain numbers); see `baocao.submissions.imports`.

The exit status is 0 whenever the import ran, even if some rows were rejected: the rows that
passed were written (a row-level summary, as DHIS2's data value set import gives), and every
rejected row is printed with its line. A problem with the file itself (source, encoding,
header) writes nothing and exits with status 1. Scripts that must treat any rejection as a
failure read `rejected` from `--json`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from baocao.core.errors import DomainError
from baocao.submissions.imports import DEFAULT_SOURCE, ImportSummary, values_import

SHOWN_CONFLICTS = 50


class Command(BaseCommand):
    help = "Import data values from CSV files for systems and data migrations."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, parser_class=argparse.ArgumentParser
        )
        load = sub.add_parser(
            "import",
            help="Import values from a CSV file: indicator,disaggregation,unit,period,value"
            "[,comment].",
        )
        load.add_argument("file", type=Path)
        load.add_argument(
            "--source",
            default=DEFAULT_SOURCE,
            help="Code of the system the values come from (not a regime code).",
        )
        load.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")
        load.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        try:
            summary = values_import(
                file=path, source=options["source"], actor=None, dry_run=options["dry_run"]
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
        else:
            self._print(summary)

    def _print(self, summary: ImportSummary) -> None:
        if summary.dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
        self.stdout.write(
            _(
                "Source %(source)s: %(imported)d imported, %(updated)d updated,"
                " %(ignored)d ignored, %(deleted)d deleted, %(rejected)d rejected."
            )
            % {
                "source": summary.source,
                "imported": summary.imported,
                "updated": summary.updated,
                "ignored": summary.ignored,
                "deleted": summary.deleted,
                "rejected": summary.rejected,
            }
        )
        for conflict in summary.conflicts[:SHOWN_CONFLICTS]:
            self.stderr.write(
                _("line %(row)d: %(message)s (%(code)s)")
                % {"row": conflict.row, "message": conflict.message, "code": conflict.code}
            )
        hidden = len(summary.conflicts) - SHOWN_CONFLICTS
        if hidden > 0:
            self.stderr.write(
                _("… and %(count)d more rejected row(s); use --json to see them all.")
                % {"count": hidden}
            )
