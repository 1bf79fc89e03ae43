"""`baocao analytics rebuild|compact|status`: the analytics store.

rebuild   build a new generation from the transactional database (safe while the site serves:
          readers keep the previous generation until the new one is published)
compact   a new generation from the current one and what changed since it was built
export    write the published generation as Parquet (`--parquet DIR`), the layout a cluster
          reads (docs/analytics.md)
status    the published generation, and how many figures queries read live (changed since
          it was built, or within the few minutes before, see delta.OVERLAP)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from baocao.analytics import services
from baocao.analytics.build import store_export_parquet
from baocao.analytics.delta import changes_since
from baocao.analytics.store import generation_current


class Command(BaseCommand):
    help = "Build, compact or describe the analytics store."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "compact", "status", "export"])
        parser.add_argument("--parquet", type=Path, default=None, help="Folder for `export`.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "export":
            if options["parquet"] is None:
                raise CommandError("export needs --parquet DIR")
            written = store_export_parquet(options["parquet"])
            self.stdout.write(json.dumps(written, indent=2))
            return
        if action == "rebuild":
            generation = services.analytics_rebuild()
        elif action == "compact":
            generation = services.analytics_compact()
        else:
            current = generation_current()
            if current is None:
                self.stdout.write("Chưa xây dựng kho phân tích / no analytics store yet")
                return
            data = current.as_dict() | {
                "figures_read_live": len(changes_since(current.watermark).figures)
            }
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        self.stdout.write(json.dumps(generation.as_dict(), indent=2))
