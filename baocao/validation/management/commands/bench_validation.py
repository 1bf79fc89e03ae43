"""`baocao bench_validation`: batch validation of many rules over many stored values.

Issue 5, scope 7: "batch validation of 1,000 rules over 10 million stored values finishes in
under 60 seconds on the embedded default". On the database in use (after `units load-vn` and
`catalogue load-sample`) this command loads a benchmark catalogue (100 number indicators by
one dimension of 4 options: 500 cells a unit and month, totals included) with `--rules`
rules of the shapes a catalogue really has, writes `--values` stored values for communes over
the 24 months of 2024 and 2025 (straight into the table, in chunks: the load time is
reported but is not what the issue measures), then times one `batch_validate` over every unit
and period and prints JSON. Figures in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import math
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from baocao.catalogue.models import Indicator, ValidationRule
from baocao.catalogue.services import catalogue_load
from baocao.organisations.models import Unit
from baocao.submissions.choices import ValueSource
from baocao.submissions.models import DataValue
from baocao.validation.batch import batch_validate
from baocao.validation.batch_outliers import batch_outliers

INDICATORS = 100
OPTIONS = ("O1", "O2", "O3", "O4")
CELLS = ("", *(f"BENCHV_DIM={option}" for option in OPTIONS))  # the total first
PERIODS = tuple(f"{year}{month:02d}" for year in (2024, 2025) for month in range(1, 13))
SOURCE = "BENCH-VALIDATION"
CHUNK = 100_000
# SQLite's page cache during the load (KiB), as the import does: the default 2 MB makes
# inserting into the table's indexes several times slower.
SQLITE_CACHE_KIB = 512 * 1024


def _indicator(number: int) -> str:
    return f"BENCHV.I{number:03d}"


def rule_shapes(count: int) -> list[dict[str, str]]:
    """`count` rules cycling over ten shapes and the indicators: parts within their total,
    the options adding up to it, no jump over last month, not far below last year, a
    compulsory pair, a ratio below 1 (not evaluable on a zero total)."""
    rules = []
    for number in range(count):
        shape, index = number % 10, (number // 10) % INDICATORS
        code, other = _indicator(index + 1), _indicator((index + 1) % INDICATORS + 1)
        missing, period_type = "skip_if_all_missing", ""
        if shape < 4:
            left, operator, right = f"#{{{code}|BENCHV_DIM={OPTIONS[shape]}}}", "<=", f"#{{{code}}}"
        elif shape == 4:
            left, operator, right = f"#{{{code}|BENCHV_DIM=*}}", "==", f"#{{{code}}}"
        elif shape == 5:
            left, operator, right = f"#{{{code}}}", "<=", f"3 * previous(#{{{code}}})"
            missing, period_type = "skip_if_any_missing", "month"
        elif shape == 6:
            left, operator, right = f"#{{{code}}}", ">=", f"0.5 * last_year(#{{{code}}})"
            missing = "skip_if_any_missing"
        elif shape == 7:
            left, operator, right = f"#{{{code}}}", "compulsory_pair", f"#{{{other}}}"
        elif shape == 8:
            left, operator, right = f"#{{{code}|BENCHV_DIM=O1}} / #{{{code}}}", "<", "1"
            missing = "skip_if_any_missing"
        else:
            left = f"#{{{code}|BENCHV_DIM=O1}} + #{{{code}|BENCHV_DIM=O2}}"
            operator, right = "<=", f"#{{{code}}}"
        rules.append(
            {
                "code": f"QT.BENCHV.{number + 1:05d}",
                "left": left,
                "operator": operator,
                "right": right,
                "missing": missing,
                "period_type": period_type,
            }
        )
    return rules


def bench_catalogue_yaml(rule_count: int) -> str:
    options = "\n".join(f"      - {{code: {option}, name: Nhóm {option}}}" for option in OPTIONS)
    indicators = "\n".join(
        f"  - {{code: {_indicator(number)}, name: Chỉ tiêu kiểm tra thử {number}, unit: người,"
        f" value_type: number, decimals: 0, aggregation: sum, sector: BENCHV,"
        f" dimensions: [BENCHV_DIM]}}"
        for number in range(1, INDICATORS + 1)
    )
    rules = "\n".join(
        f"  - {{code: {rule['code']}, name: Quy tắc đo thử {rule['code']},"
        f" left: '{rule['left']}', operator: '{rule['operator']}', right: '{rule['right']}',"
        f" missing_values: {rule['missing']},"
        + (f" period_type: {rule['period_type']}," if rule["period_type"] else "")
        + " message: '%(left)s / %(right)s', illustrative: true}"
        for rule in rule_shapes(rule_count)
    )
    return f"""
sectors:
  - {{code: BENCHV, name: Lĩnh vực kiểm tra thử, order: 98}}
dimensions:
  - code: BENCHV_DIM
    name: Nhóm kiểm tra thử
    options:
{options}
indicators:
{indicators}
rules:
{rules}
"""


class Command(BaseCommand):
    help = "Measure batch validation of many rules over many stored values."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--values", type=int, default=10_000_000)
        parser.add_argument("--rules", type=int, default=1_000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--outlier-months",
            type=int,
            default=1,
            help="Also judge the values of the last N months against their history (0: skip).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        values, rule_count = options["values"], options["rules"]
        if values < len(CELLS) or rule_count < 1:
            raise CommandError("--values must be at least 5 and --rules at least 1.")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench-validation.yaml"
            path.write_text(bench_catalogue_yaml(rule_count), encoding="utf-8")
            catalogue_load(path=path, actor=None)
        unit_periods = math.ceil(values / (INDICATORS * len(CELLS)))
        # A few cells are left empty: a tenth more units than a full table would need.
        unit_count = math.ceil(unit_periods / len(PERIODS) * 1.1) + 1
        units = list(
            Unit.objects.filter(level="commune").order_by("code").values_list("pk", flat=True)
        )[:unit_count]
        if len(units) < unit_count:
            raise CommandError(f"{unit_count} communes needed: run `baocao units load-vn`.")

        started = time.perf_counter()
        written = self._load(values, units, np.random.default_rng(options["seed"]))
        load_seconds = time.perf_counter() - started
        memory_after_load = _peak_mb()

        rules = list(ValidationRule.objects.filter(code__startswith="QT.BENCHV.").order_by("code"))
        result = batch_validate(rules=rules, periods=PERIODS)
        figures = {
            "database": connection.vendor,
            "values": written,
            "rules": len(rules),
            "units": result.units,
            "periods": result.periods,
            "load_seconds": round(load_seconds, 1),
            "evaluation_seconds": round(result.seconds, 2),
            "values_read": result.values_read,
            "evaluated": result.evaluated,
            "passed": result.passed,
            "violated": result.violated,
            "skipped": result.skipped,
            "not_evaluable": result.not_evaluable,
            "violations_kept": len(result.violations),
            "peak_memory_mb_after_load": memory_after_load,
            "peak_memory_mb": _peak_mb(),
        }
        months = max(0, min(options["outlier_months"], len(PERIODS)))
        if months:
            # What a run adds to the rules: every value of the months judged against the
            # unit's own history of that cell (the months before it in the table).
            outliers = batch_outliers(periods=PERIODS[-months:])
            figures |= {
                "outlier_months": months,
                "outlier_values_judged": outliers.values_judged,
                "outlier_history_values_read": outliers.values_read,
                "outliers": outliers.outliers,
                "outlier_seconds": round(outliers.seconds, 2),
                "peak_memory_mb_with_outliers": _peak_mb(),
            }
        self.stdout.write(json.dumps(figures, indent=2))

    def _load(self, values: int, units: list[int], random: np.random.Generator) -> int:
        """Write `values` rows for these units and the 24 months, unit by unit; totals are
        mostly the sum of their options, with a few wrong totals, gaps and zeros."""
        meta = DataValue._meta
        quote = connection.ops.quote_name
        column = {field.name: quote(field.column) for field in meta.concrete_fields}
        names = (
            *("indicator", "disaggregation", "unit", "period", "source", "value", "comment"),
            *("channel", "updated_at", "updated_by_name"),
        )
        insert = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(column[name] for name in names)})"
            f" VALUES ({', '.join(['%s'] * len(names))})"
        )
        ids = dict(Indicator.objects.filter(code__startswith="BENCHV.").values_list("code", "pk"))
        indicator_ids = [ids[_indicator(number)] for number in range(1, INDICATORS + 1)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        written, pending = 0, []
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {quote(meta.db_table)} WHERE {column['source']} = %s", [SOURCE]
            )
            cache_size = None
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA main.cache_size")
                (cache_size,) = cursor.fetchone()
                cursor.execute(f"PRAGMA main.cache_size = {-SQLITE_CACHE_KIB}")
            # What each position of a unit's flattened block is: period, indicator, cell.
            positions = [
                (period, indicator_id, cell)
                for period in PERIODS
                for indicator_id in indicator_ids
                for cell in CELLS
            ]
            channel = ValueSource.IMPORT.value
            for unit in units:
                if written == values:
                    break
                block = _unit_values(random).reshape(-1)  # NaN: no value
                kept = np.flatnonzero(~np.isnan(block))[: values - written]
                texts = block[kept].astype(np.int64).astype(str).tolist()
                for position, text in zip(kept.tolist(), texts, strict=True):
                    period, indicator_id, cell = positions[position]
                    pending.append(
                        (indicator_id, cell, unit, period, SOURCE, text, "", channel, now, "")
                    )
                written += len(texts)
                if len(pending) >= CHUNK:
                    cursor.executemany(insert, pending)
                    pending = []
            if pending:
                cursor.executemany(insert, pending)
            if cache_size is not None:
                # Back to the default: the batch is measured with the cache it has in use.
                cursor.execute(f"PRAGMA main.cache_size = {int(cache_size)}")
        return written


def _unit_values(random: np.random.Generator) -> np.ndarray[Any, np.dtype[np.float64]]:
    shape = (len(PERIODS), INDICATORS)
    level = random.integers(50, 2000, size=(1, INDICATORS))
    # Options around the unit's own level, a season and noise: month to month the total
    # rarely triples, so "no jump over last month" fails now and then, not everywhere.
    season = 1 + 0.3 * np.sin(np.arange(len(PERIODS)) / 12 * 2 * np.pi)[:, None]
    parts = np.floor(
        random.uniform(0.1, 0.4, size=(*shape, len(OPTIONS))) * (level * season)[..., None]
    )
    parts[random.random(shape) < 0.01] = 0  # a unit with nothing to report that month
    total = parts.sum(axis=2)
    wrong = random.random(shape) < 0.02
    total[wrong] += random.integers(1, 50, size=int(wrong.sum()))
    block = np.concatenate([total[..., None], parts], axis=2)
    # A few cells left empty: a 1.5% of totals and options, a 0.5% of whole indicators.
    block[random.random(block.shape) < 0.015] = np.nan
    block[random.random(shape) < 0.005] = np.nan
    return block


def _peak_mb() -> int:
    # ru_maxrss is in kibibytes on Linux.
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
