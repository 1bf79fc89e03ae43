"""`baocao bench_direction`: the direction center's pages on the benchmark dataset.

Run after `baocao bench analytics --values N` on the same (throwaway) data directory, as
`make bench` does: it reuses the values and the store, composes benchmark pages and prints
each page's server and browser times as JSON (see `baocao.dashboards.bench`).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from baocao.accounts.models import User
from baocao.analytics.store import generation_current
from baocao.dashboards.bench import bench_pages
from baocao.organisations.models import Unit

BENCH_USER = "bench-lanh-dao"


class Command(BaseCommand):
    help = "Time the direction center's pages on the analytics benchmark's dataset."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=10)
        parser.add_argument("--no-browser", action="store_true", help="Server times only.")

    def handle(self, *args: Any, **options: Any) -> None:
        if generation_current() is None:
            raise CommandError("No analytics store: run `baocao bench analytics` first.")
        user = User.objects.filter(username=BENCH_USER).first()
        if user is None:
            # A leader of the Government: sees every unit, as the national pages need.
            user = User.objects.create_user(
                username=BENCH_USER, unit=Unit.objects.get(code="CP"), is_active=True
            )
        figures = bench_pages(
            user=user,
            repeat=options["repeat"],
            browser=not options["no_browser"],
            progress=lambda message: self.stderr.write(f"… {message}"),
        )
        self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
