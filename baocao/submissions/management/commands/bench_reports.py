"""`baocao bench_reports`: medians of the report operations an officer waits for.

A form of 300 cells (50 indicator rows by 6 disaggregation columns, the size the issue
names) is loaded as a catalogue file into the database in use, then a commune's report is
filled, saved, rendered, signed and verified. Run by `make bench`; figures in
docs/benchmarks.md.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.test import Client
from django.utils import timezone

from baocao.accounts.services import user_create
from baocao.catalogue.models import Indicator
from baocao.catalogue.services import catalogue_load
from baocao.core.bench import median_ms
from baocao.organisations.models import Unit
from baocao.periods import PeriodType, period_of
from baocao.submissions import lifecycle, selectors, services
from baocao.submissions.choices import ValueSource
from baocao.submissions.layout import report_layout
from baocao.submissions.models import DataValue

ROWS, COLUMNS = 50, 6
REGIME = "BC-BENCH-300"


def bench_catalogue_yaml() -> str:
    options = "\n".join(
        f"      - {{code: O{number}, name: Nhóm {number}}}" for number in range(1, COLUMNS + 1)
    )
    indicators = "\n".join(
        f"  - {{code: BENCH.I{number:02d}, name: Chỉ tiêu đo thử {number}, unit: người,"
        f" value_type: number, decimals: 1, aggregation: sum, sector: BENCH,"
        f" dimensions: [BENCH_DIM]}}"
        for number in range(1, ROWS + 1)
    )
    rows = "\n".join(
        f"          - {{indicator: BENCH.I{number:02d}}}" for number in range(1, ROWS + 1)
    )
    # Two rules a row, 100 in all: a part within its total, and no jump over last month.
    rules = "\n".join(
        f"  - {{code: QT.BENCH.{number:02d}.{kind}, name: Quy tắc đo thử {number} {kind},"
        f" left: '{left}', operator: '<=', right: '{right}', importance: {importance},"
        f" missing_values: skip_if_any_missing, message: '%(left)s > %(right)s'}}"
        for number in range(1, ROWS + 1)
        for kind, left, right, importance in (
            (
                "PHAN",
                f"#{{BENCH.I{number:02d}|BENCH_DIM=O1}}",
                f"#{{BENCH.I{number:02d}|BENCH_DIM=*}}",
                "error",
            ),
            (
                "TANG",
                f"#{{BENCH.I{number:02d}|BENCH_DIM=*}}",
                f"3 * previous(#{{BENCH.I{number:02d}|BENCH_DIM=*}})",
                "warning",
            ),
        )
    )
    return f"""
sectors:
  - {{code: BENCH, name: Lĩnh vực đo thử, order: 99}}
dimensions:
  - code: BENCH_DIM
    name: Nhóm đo thử
    options:
{options}
indicators:
{indicators}
forms:
  - code: BM-BENCH-300
    name: Biểu đo thử 300 ô
    sections:
      - code: A
        title: Phần A
        columns: {{dimension: BENCH_DIM}}
        rows:
{rows}
    narrative:
      - {{code: DANH_GIA, label: Đánh giá chung}}
regimes:
  - code: {REGIME}
    name: Báo cáo đo thử 300 ô
    kind: periodic
    content: both
    versions:
      - valid_from: 2020-01-01
        frequency: month
        cutoff: {{rule: decree09}}
        forms: [BM-BENCH-300]
        steps:
          - reporters: {{levels: [commune]}}
            receiver: {{level: province}}
            deadline: {{rule: working_days_after_cutoff, days: 2}}
rules:
{rules}
"""


class Command(BaseCommand):
    help = "Measure filling, saving, rendering, signing and verifying a 300-cell report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        repeat = options["repeat"]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.yaml"
            path.write_text(bench_catalogue_yaml(), encoding="utf-8")
            catalogue_load(path=path, actor=None)
        unit = Unit.objects.get(code="00004")
        officer = user_create(
            username=f"bench-{time.time_ns()}",
            password="mat-khau-dai-123",
            unit=unit,
            roles=["reporter"],
            actor=None,
        )
        services.signing_key_create(unit=unit, actor=None)
        period = period_of(PeriodType.MONTH, timezone.localdate()).next()
        report = services.report_get_or_create(
            regime=REGIME, unit=unit, period=period.code, actor=officer
        )
        if report.status in lifecycle.SENT:
            # A second run on the same database: take the last run's submission back.
            report = services.report_recall(report=report, actor=officer)
        layout = selectors.layout_of(report)
        cells = list(layout.cell_list())
        flip = [0]

        def values() -> list[services.ValueInput]:
            # Vietnamese-typed numbers, different on every call so each save changes 300 values.
            flip[0] += 1
            return [
                services.ValueInput(
                    indicator=cell.key[0],
                    disaggregation=cell.key[1],
                    value=f"{1000 + index + flip[0]}.{flip[0] % 10}",
                )
                for index, cell in enumerate(cells)
            ]

        results: dict[str, Any] = {"cells": len(cells)}
        results["layout_ms"] = median_ms(lambda: report_layout(report.regime_version), repeat)
        results["save_300_changed_values_ms"] = median_ms(
            lambda: services.report_save(report=report, values=values(), actor=officer), repeat
        )
        client = Client(HTTP_HOST="localhost")
        client.force_login(officer)
        url = f"/reports/{report.pk}/"
        status = client.get(url).status_code
        if status == 200:
            results["entry_page_ms"] = median_ms(lambda: client.get(url), repeat)
        else:
            results["entry_page_ms"] = f"HTTP {status}"

        # The entry form's live check: the 300 values on the page through the 100 rules.
        form_data = {
            f"v|{cell.key[0]}|{cell.key[1]}": f"{1000 + n}" for n, cell in enumerate(cells)
        }
        check_url = f"/reports/{report.pk}/check/"
        results["live_check_300_cells_100_rules_ms"] = median_ms(
            lambda: client.post(check_url, form_data), repeat
        )
        # The same with ten years of monthly history behind every cell (36,000 stored values),
        # which the outlier checks read and judge each value against.
        indicators = dict(Indicator.objects.values_list("code", "pk"))
        now = timezone.now()
        DataValue.objects.bulk_create(
            (
                DataValue(
                    indicator_id=indicators[cell.key[0]],
                    disaggregation=cell.key[1],
                    unit=unit,
                    period=period.previous(months).code,
                    source=report.source,
                    value=str(1000 + index + (months * 37) % 90),
                    channel=ValueSource.IMPORT,
                    updated_at=now,
                )
                for index, cell in enumerate(cells)
                for months in range(1, 121)
            ),
            batch_size=5000,
            ignore_conflicts=True,
        )
        results["live_check_with_10_years_history_ms"] = median_ms(
            lambda: client.post(check_url, form_data), repeat
        )
        submit_ms: list[float] = []
        for _ in range(repeat):
            started = time.perf_counter()
            version = services.report_submit(report=report, actor=officer)
            submit_ms.append((time.perf_counter() - started) * 1000)
            services.report_recall(report=report, actor=officer)
        submit_ms.sort()
        results["submit_and_sign_ms"] = round(submit_ms[len(submit_ms) // 2], 3)
        version = services.report_submit(report=report, actor=officer)
        results["verify_version_ms"] = median_ms(lambda: selectors.version_verify(version), repeat)
        self.stdout.write(json.dumps(results, indent=2))
