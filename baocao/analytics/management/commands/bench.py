"""`baocao bench analytics --values N`: the analytics benchmark (docs/benchmarks.md).

Writes N benchmark values (default 100 million) into the database in use, so run it on a
throwaway data directory, as `make bench` does; see `baocao.analytics.bench.run`.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from baocao.analytics.bench.pg_baseline import DEFAULT_DSN
from baocao.analytics.bench.run import bench_analytics


class Command(BaseCommand):
    help = "Benchmarks: `analytics` builds a national-scale store and times the dashboard mix."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["analytics"])
        parser.add_argument("--values", type=int, default=100_000_000)
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--freshness-samples", type=int, default=20)
        parser.add_argument("--dsn", default=DEFAULT_DSN, help="PostgreSQL of the baseline.")
        parser.add_argument("--no-baseline", action="store_true")
        parser.add_argument(
            "--skip-generate", action="store_true", help="Keep the values already written."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["values"] < 1 or options["repeat"] < 1:
            raise CommandError("--values and --repeat must be at least 1.")
        figures = bench_analytics(
            values=options["values"],
            repeat=options["repeat"],
            freshness_samples=options["freshness_samples"],
            dsn=options["dsn"],
            baseline=not options["no_baseline"],
            generate=not options["skip_generate"],
            progress=lambda message: self.stderr.write(f"… {message}"),
        )
        self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
