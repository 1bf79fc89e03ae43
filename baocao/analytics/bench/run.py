"""The analytics benchmark (issue 6, scope 4): national-scale data, the store built from it,
freshness, the dashboard query mix on DuckDB and on a PostgreSQL baseline built as DHIS2
builds its analytics tables, side by side in one run.

`baocao bench analytics --values N` (default 100 million; `make bench` runs it) prints JSON:
load rate, full build, freshness p50/p95, each query's p50/p95 on both engines and their
ratio, whether both engines gave the same numbers, and peak memory.
"""

from __future__ import annotations

import random
import resource
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from django.utils import timezone

from baocao.analytics import selectors, services
from baocao.analytics.bench.dataset import bench_catalogue_load, bench_values_generate
from baocao.analytics.bench.mix import MixQuery, dashboard_mix
from baocao.analytics.bench.pg_baseline import (
    DEFAULT_DSN,
    pg_baseline_build,
    pg_baseline_query_mix,
    pg_reachable,
)
from baocao.analytics.build import scanner_usable
from baocao.catalogue.models import Indicator
from baocao.submissions.models import DataValue

NATIONAL = "CP"  # the Government: every province sits below it


def bench_analytics(
    *,
    values: int,
    repeat: int = 20,
    warmup: int = 2,
    freshness_samples: int = 20,
    dsn: str = DEFAULT_DSN,
    baseline: bool = True,
    generate: bool = True,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    figures: dict[str, Any] = {"values_asked": values}
    bench_catalogue_load()
    if generate:
        progress("generating values")
        generated = bench_values_generate(values)
        figures["generate"] = generated
    progress("building the store")
    figures["scanner"] = scanner_usable()
    started = time.perf_counter()
    generation = services.analytics_rebuild()
    build_seconds = time.perf_counter() - started
    figures["build"] = {
        "seconds": round(build_seconds, 2),
        "facts": generation.facts,
        "facts_per_second": round(generation.facts / build_seconds) if build_seconds else None,
    }
    mix = dashboard_mix()
    progress("the query mix on DuckDB")
    duck = {query.name: _run_duckdb(query, repeat=repeat, warmup=warmup) for query in mix}
    figures["duckdb"] = {name: _public(result) for name, result in duck.items()}
    if baseline and pg_reachable(dsn):
        progress("the PostgreSQL baseline")
        figures["baseline_build"] = pg_baseline_build(dsn)
        pg = pg_baseline_query_mix(dsn, mix, repeat=repeat, warmup=warmup)
        figures["postgresql"] = {
            name: {key: value for key, value in result.items() if key not in ("rows", "sql")}
            for name, result in pg.items()
        }
        figures["ratio_p95"] = {
            name: round(pg[name]["p95_ms"] / max(duck[name]["p95_ms"], 0.001), 1) for name in duck
        }
        figures["ratio_p50"] = {
            name: round(pg[name]["p50_ms"] / max(duck[name]["p50_ms"], 0.001), 1) for name in duck
        }
        figures["same_numbers"] = {
            name: _same(duck[name]["rows"], pg[name]["rows"]) for name in duck
        }
    else:
        figures["postgresql"] = f"skipped (PostgreSQL at {dsn!r} not reachable or not asked)"
    # Last: it changes values (the baseline above is built from the values as generated).
    progress("freshness")
    figures["freshness_ms"] = _freshness(freshness_samples)
    # ru_maxrss is in kibibytes on Linux; DuckDB's memory is the process's.
    figures["peak_memory_mb"] = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return figures


def mix_arguments(query: MixQuery) -> dict[str, Any]:
    """The mix query as `analytics_query` arguments (historical structure, as the baseline)."""
    arguments: dict[str, Any] = {
        "indicators": list(query.indicators),
        "periods": list(query.periods),
    }
    if "province" in query.group_by:
        arguments |= {"children_of": NATIONAL, "level": "province"}
    elif "commune" in query.group_by:
        arguments |= {"children_of": query.province}
    else:
        arguments |= {"units": [NATIONAL]}
    if query.options:
        indicator = Indicator.objects.get(code=query.indicators[0])
        dimension = indicator.dimension_links.order_by("order").values_list(
            "dimension__code", flat=True
        )[0]
        arguments["disaggregation"] = f"{dimension}=*"
    return arguments


def _run_duckdb(query: MixQuery, *, repeat: int, warmup: int) -> dict[str, Any]:
    arguments = mix_arguments(query)
    result = None
    for _ in range(warmup):
        result = selectors.analytics_query(**arguments)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = selectors.analytics_query(**arguments)
        samples.append((time.perf_counter() - started) * 1000)
    assert result is not None
    return {
        "p50_ms": _percentile(samples, 50),
        "p95_ms": _percentile(samples, 95),
        "runs": repeat,
        "row_count": len(result.rows),
        "rows": sorted(_row(query, row) for row in result.rows),
    }


def _row(query: MixQuery, row: selectors.Row) -> list[Any]:
    columns = {
        "indicator": row.indicator,
        "period": row.period,
        "province": row.unit,
        "commune": row.unit,
        "option": row.disaggregation,
    }
    return [*(columns[name] for name in query.group_by), row.value]


def _same(duck: Sequence[list[Any]], pg: Sequence[list[Any]]) -> bool:
    """Both engines' answers, group for group, within a relative 1e-9 (sums of doubles)."""
    left = {tuple(row[:-1]): row[-1] for row in duck}
    right = {tuple(row[:-1]): row[-1] for row in pg}
    if left.keys() != right.keys():
        return False
    return all(
        abs((left[key] or 0) - (right[key] or 0)) <= 1e-9 * max(1.0, abs(right[key] or 0))
        for key in left
    )


def _freshness(samples: int) -> dict[str, Any]:
    """How long until a changed value is in the answer: change a stored value (as an import
    or an accepted report writes it), then ask until the answer has it."""
    rng = random.Random(2026)
    count = DataValue.objects.filter(source="BENCH", disaggregation="").count()
    waits: list[float] = []
    for _ in range(samples):
        value = (
            DataValue.objects.filter(source="BENCH", disaggregation="")
            .select_related("indicator", "unit")
            .order_by("pk")[rng.randrange(count)]
        )
        before = (
            selectors.analytics_query(
                indicators=[value.indicator.code], periods=[value.period], units=[value.unit.code]
            )
            .rows[0]
            .value
        )
        target = (before or 0) + 1000
        DataValue.objects.filter(pk=value.pk).update(
            value=str(float(value.value) + 1000), updated_at=timezone.now()
        )
        started = time.perf_counter()
        while True:
            answer = (
                selectors.analytics_query(
                    indicators=[value.indicator.code],
                    periods=[value.period],
                    units=[value.unit.code],
                )
                .rows[0]
                .value
            )
            if answer is not None and abs(answer - target) < 1e-6:
                break
            if time.perf_counter() - started > 30:
                raise RuntimeError("a changed value did not reach analytics within 30 s")
        waits.append((time.perf_counter() - started) * 1000)
    return {"p50": _percentile(waits, 50), "p95": _percentile(waits, 95), "samples": samples}


def _percentile(samples: Sequence[float], percent: float) -> float:
    return round(float(np.percentile(samples, percent)), 2)


def _public(result: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in result.items() if key != "rows"}
