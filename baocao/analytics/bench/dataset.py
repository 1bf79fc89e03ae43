"""The analytics benchmark's data: a catalogue of about 500 indicators and N stored values.

Issue 6, scope 4: "generates a national-scale dataset on the real hierarchy (3,321 communes,
34 provinces, ministries; about 500 indicators with disaggregations; 60 months) of N values,
default 100 million". `bench_catalogue_load` loads the indicators through the catalogue's
own loader; `bench_values_generate` writes the values straight into the values table (raw
SQL in chunks: going through the import pipeline would measure the import, not analytics).

Layout of the values (what the analytics engine and the PostgreSQL baseline read):
- source `BENCH`, channel `import`, no report; canonical text values (`1234.5`, `87`);
- units: the communes in force at the end of the last month (3,321 on the real hierarchy),
  each only in the months it was a commune (5 communes formed in 2025 have no earlier
  months); every value is entered at a commune, none at a province or the Government;
- a disaggregated indicator has its total (disaggregation "") and one value per option of its
  one dimension, the options adding up to the total exactly;
- which (indicator, unit) pairs have values: every month of a pair is filled. Up to the
  size of the 20 headline indicators over all communes (about 6.8 million values), those 20
  indicators over an evenly spread subset of communes (every province keeps its share);
  above it, all communes and the indicators in code order, the last one over a spread
  subset, until N is reached (about 290 indicators at 100 million).
"""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from baocao.analytics.bench.hierarchy import DatedHierarchy, period_end
from baocao.catalogue.choices import AggregationType
from baocao.catalogue.models import Dimension, Indicator
from baocao.catalogue.services import LoadSummary, catalogue_load
from baocao.organisations.choices import Level
from baocao.periods import PeriodType, parse_period
from baocao.submissions.choices import ValueSource
from baocao.submissions.models import DataValue

SOURCE = "BENCH"
SECTOR = "BENCHA"
PREFIX = "BENCHA."
INDICATOR_COUNT = 500
# The sample catalogue's dimensions (2, 3 and 4 options) when it is loaded; otherwise one
# dimension of the benchmark's own.
SAMPLE_DIMENSIONS = ("SEX", "AGE_GROUP", "ECON_SECTOR")
FALLBACK_DIMENSION = "BENCHA_DIM"
FALLBACK_OPTIONS = ("O1", "O2", "O3")
# The real hierarchy since 1 July 2025.
COMMUNES_EXPECTED = 3_321
# Rows written per transaction: bounded memory whatever N is.
CHUNK_ROWS = 500_000
# SQLite's page cache during the load (KiB), as `bench_validation` does: with the default
# 2 MB, inserting into the table's two indexes is several times slower.
SQLITE_CACHE_KIB = 512 * 1024


# One row of the values table, in the order of `_COLUMNS`.
Row = tuple[Any, ...]


def indicator_code(number: int) -> str:
    return f"{PREFIX}I{number:03d}"


# The leader's dashboard: 20 indicators, all summed over units and periods (the query mix
# compares them with the previous month and the same month last year).
HEADLINE_CODES: tuple[str, ...] = tuple(indicator_code(number) for number in range(1, 21))


def indicator_aggregation(number: int) -> str:
    """Sum for most; some averages, stocks (last value) and maxima beyond the headline ones.

    The non-sum indicators have odd numbers and the disaggregated ones even numbers, so a
    breakdown always adds up to its total.
    """
    if number > len(HEADLINE_CODES):
        if number % 10 == 3:
            return AggregationType.AVERAGE.value
        if number % 10 == 7:
            return AggregationType.LAST.value
        if number % 20 == 9:
            return AggregationType.MAX.value
    return AggregationType.SUM.value


def indicator_disaggregated(number: int) -> bool:
    """A quarter of the indicators, five of them headline ones (I002, I006, I010, ...)."""
    return number % 4 == 2


def indicator_decimals(number: int) -> int:
    return 1 if number % 3 == 0 else 0


def _dimension_for(number: int, dimensions: Sequence[str]) -> str:
    return dimensions[(number // 4) % len(dimensions)]


def bench_dimensions() -> tuple[str, ...]:
    """The dimensions the disaggregated indicators are split by, in this database."""
    stored = set(
        Dimension.objects.filter(code__in=SAMPLE_DIMENSIONS).values_list("code", flat=True)
    )
    return SAMPLE_DIMENSIONS if stored == set(SAMPLE_DIMENSIONS) else (FALLBACK_DIMENSION,)


def bench_catalogue_yaml(dimensions: Sequence[str]) -> str:
    lines = [
        "sectors:",
        f"  - {{code: {SECTOR}, name: Lĩnh vực đo thử hiệu năng phân tích, order: 99}}",
    ]
    if FALLBACK_DIMENSION in dimensions:
        lines += [
            "dimensions:",
            f"  - code: {FALLBACK_DIMENSION}",
            "    name: Nhóm đo thử hiệu năng phân tích",
            "    options:",
            *(f"      - {{code: {option}, name: Nhóm {option}}}" for option in FALLBACK_OPTIONS),
        ]
    lines.append("indicators:")
    for number in range(1, INDICATOR_COUNT + 1):
        code = indicator_code(number)
        kind = "chủ yếu" if code in HEADLINE_CODES else "đo thử"
        decimals = indicator_decimals(number)
        unit = "triệu đồng" if decimals else "người"
        dimension = (
            f", dimensions: [{_dimension_for(number, dimensions)}]"
            if indicator_disaggregated(number)
            else ""
        )
        lines.append(
            f"  - {{code: {code}, name: Chỉ tiêu {kind} {number:03d}, unit: {unit},"
            f" value_type: number, decimals: {decimals},"
            f" aggregation: {indicator_aggregation(number)}, sector: {SECTOR}{dimension}}}"
        )
    return "\n".join(lines) + "\n"


def bench_catalogue_load() -> LoadSummary:
    """Load (or leave unchanged) the benchmark's sector, indicators and, if needed, dimension.

    No forms or regimes: the values are written straight into the table, not reported.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench-analytics.yaml"
        path.write_text(bench_catalogue_yaml(bench_dimensions()), encoding="utf-8")
        return catalogue_load(path=path, actor=None)


def bench_periods(*, months: int = 60, end: str = "202612") -> list[str]:
    """The month codes of the benchmark, oldest first, ending with `end`."""
    last = parse_period(end)
    if last.type is not PeriodType.MONTH:
        raise ValueError(f"end must be a month code (YYYYMM), got {end!r}")
    return [last.previous(back).code for back in range(months - 1, -1, -1)]


# The values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchIndicator:
    pk: int
    code: str
    number: int
    decimals: int
    cells: tuple[str, ...]  # the total ("") first, then `DIM=OPT` per option

    @property
    def options(self) -> tuple[str, ...]:
        return self.cells[1:]


def bench_indicators() -> list[BenchIndicator]:
    """The stored benchmark indicators: headline ones first, then by code."""
    found = []
    queryset = Indicator.objects.filter(code__startswith=PREFIX).prefetch_related(
        "dimension_links__dimension__options"
    )
    for indicator in queryset:
        cells = [""]
        for link in indicator.dimension_links.all():
            dimension = link.dimension
            cells += [f"{dimension.code}={option.code}" for option in dimension.options.all()]
        number = int(indicator.code.removeprefix(f"{PREFIX}I"))
        found.append(
            BenchIndicator(indicator.pk, indicator.code, number, indicator.decimals, tuple(cells))
        )
    return sorted(found, key=lambda ind: (ind.code not in HEADLINE_CODES, ind.code))


@dataclass
class _Plan:
    """Which indicators have values over which communes (positions in `communes`)."""

    communes: list[int]  # unit ids, spread order (province, then code)
    valid: np.ndarray[Any, np.dtype[np.bool_]]  # (commune, month): a commune that month
    blocks: list[tuple[BenchIndicator, np.ndarray[Any, np.dtype[np.intp]]]]


def _spread(count: int, among: int) -> np.ndarray[Any, np.dtype[np.intp]]:
    """`count` positions spread evenly over `among` (communes ordered by province)."""
    count = max(1, min(count, among))
    return ((np.arange(count) + 0.5) * among / count).astype(np.intp)


def _plan(
    values: int, indicators: list[BenchIndicator], communes: list[int], valid: np.ndarray[Any, Any]
) -> _Plan:
    every = np.arange(len(communes), dtype=np.intp)
    months_of = valid.sum(axis=1)
    unit_months = int(months_of.sum())
    mean_months = unit_months / len(communes)
    headline = [ind for ind in indicators if ind.code in HEADLINE_CODES] or indicators[:20]
    headline_cells = sum(len(ind.cells) for ind in headline)
    blocks: list[tuple[BenchIndicator, np.ndarray[Any, np.dtype[np.intp]]]] = []
    if values < unit_months * headline_cells:
        # The headline indicators over `count` communes, and over one more for the first
        # few of them: N is met within half an indicator's months of one commune.
        count = int(values // (mean_months * headline_cells))
        chosen = _spread(count + 1, len(communes))
        base, extra_months = chosen[:-1], int(months_of[chosen[-1]])
        remaining = values - int(months_of[base].sum()) * headline_cells
        for ind in headline:
            block = extra_months * len(ind.cells)
            if remaining >= block / 2:
                blocks.append((ind, chosen))
                remaining -= block
            elif len(base):
                blocks.append((ind, base))
        return _Plan(communes, valid, blocks)
    remaining = values
    for ind in indicators:
        full = unit_months * len(ind.cells)
        if full <= remaining:
            blocks.append((ind, every))
            remaining -= full
        else:
            count = round(remaining / (mean_months * len(ind.cells)))
            if count:
                blocks.append((ind, _spread(count, len(communes))))
            break
    return _Plan(communes, valid, blocks)


def _texts(quantities: np.ndarray[Any, Any], decimals: int) -> list[str]:
    """Canonical text of values held as integers of the indicator's resolution."""
    if decimals == 0:
        return [str(number) for number in quantities.tolist()]
    whole, tenth = np.divmod(quantities, 10)
    return [
        f"{w}.{t}" if t else str(w) for w, t in zip(whole.tolist(), tenth.tolist(), strict=True)
    ]


def _indicator_values(
    ind: BenchIndicator, weights: np.ndarray[Any, Any], months: int, seed: int
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """(unit, month, cell) quantities: totals first, options adding up to them exactly.

    A level per indicator, a size per unit (communes differ tenfold), a season, a slow trend
    and noise; integers of the indicator's resolution (tenths when it has a decimal).
    """
    random = np.random.default_rng([seed, ind.number])
    base = 10 ** random.uniform(1.0, 3.5)
    phase = random.uniform(0, 2 * np.pi)
    month = np.arange(months)
    season = 1 + 0.2 * np.sin(month / 12 * 2 * np.pi + phase)
    trend = 1 + 0.004 * month
    noise = random.lognormal(0.0, 0.1, size=(len(weights), months))
    scale = 10**ind.decimals
    totals = np.rint(base * weights[:, None] * (season * trend)[None, :] * noise * scale)
    totals = np.maximum(totals, 0).astype(np.int64)
    parts = len(ind.options)
    if not parts:
        return totals[..., None]
    shares = random.uniform(0.5, 1.5, size=parts)[None, None, :] * random.uniform(
        0.8, 1.2, size=(len(weights), months, parts)
    )
    shares /= shares.sum(axis=2, keepdims=True)
    options = np.floor(totals[..., None] * shares).astype(np.int64)
    options[..., -1] = totals - options[..., :-1].sum(axis=2)
    return np.concatenate([totals[..., None], options], axis=2)


def _rows(plan: _Plan, periods: list[str], seed: int, now: object) -> Iterator[list[Row]]:
    """Row segments in the order of the table's unique key: indicator, cell, unit, period.

    Writing in key order appends to the unique index instead of scattering into it.
    """
    random = np.random.default_rng(seed)
    weights = random.lognormal(0.0, 0.8, size=len(plan.communes))
    unit_ids = np.array(plan.communes, dtype=np.int64)
    period_array = np.array(periods)
    channel = ValueSource.IMPORT.value
    for ind, chosen in plan.blocks:
        chosen = chosen[np.argsort(unit_ids[chosen], kind="stable")]
        quantities = _indicator_values(ind, weights[chosen], len(periods), seed)
        unit_index, month_index = np.nonzero(plan.valid[chosen])
        units = unit_ids[chosen][unit_index].tolist()
        months = period_array[month_index].tolist()
        for position, cell in enumerate(ind.cells):
            texts = _texts(quantities[unit_index, month_index, position], ind.decimals)
            yield list(
                zip(
                    itertools.repeat(ind.pk),
                    itertools.repeat(cell),
                    units,
                    months,
                    itertools.repeat(SOURCE),
                    texts,
                    itertools.repeat(""),
                    itertools.repeat(channel),
                    itertools.repeat(now),
                    itertools.repeat(""),
                    strict=False,
                )
            )


_COLUMNS = (
    *("indicator", "disaggregation", "unit", "period", "source", "value", "comment"),
    *("channel", "updated_at", "updated_by_name"),
)


def _table_and_columns() -> tuple[str, str]:
    meta = DataValue._meta
    quote = connection.ops.quote_name
    column = {field.name: quote(field.column) for field in meta.concrete_fields}
    return quote(meta.db_table), ", ".join(column[name] for name in _COLUMNS)


def _write(rows: list[Row], *, skip_triggers: bool = False) -> None:
    """One transaction: `executemany` on SQLite, `COPY ... FROM STDIN` on PostgreSQL.

    On PostgreSQL the rows go as COPY text, formatted here (twice as fast as adapting them
    one by one): the benchmark's codes and values never hold a tab, newline or backslash.
    `skip_triggers` (a superuser only) leaves out the foreign-key triggers, which check
    ids the generator has just read from the same tables and cost 40% of the load.
    """
    table, columns = _table_and_columns()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if skip_triggers:
                cursor.execute("SET LOCAL session_replication_role = replica")
            text = "".join(
                f"{ind}\t{cell}\t{unit}\t{period}\t{source}\t{value}\t{comment}\t{channel}"
                f"\t{at}\t{by}\n"
                for ind, cell, unit, period, source, value, comment, channel, at, by in rows
            )
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write(text)
        else:
            placeholders = ", ".join(["%s"] * len(_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


def _superuser() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        found = cursor.fetchone()
    return bool(found and found[0])


class _FastSqliteLoad:
    """SQLite without fsync and with a large page cache for the load; restored after.

    A crash during the load may lose the values being written, never what was stored
    before: the benchmark's values can always be written again. Inside a transaction
    (the tests') the pragmas are left alone.
    """

    def __init__(self) -> None:
        self.saved: list[tuple[str, object]] = []

    def __enter__(self) -> None:
        if connection.vendor != "sqlite" or connection.in_atomic_block:
            return
        with connection.cursor() as cursor:
            for pragma, value in (("synchronous", "OFF"), ("cache_size", -SQLITE_CACHE_KIB)):
                cursor.execute(f"PRAGMA main.{pragma}")
                self.saved.append((pragma, cursor.fetchone()[0]))
                cursor.execute(f"PRAGMA main.{pragma} = {value}")

    def __exit__(self, *exc: object) -> None:
        with connection.cursor() as cursor:
            for pragma, value in self.saved:
                cursor.execute(f"PRAGMA main.{pragma} = {int(str(value))}")


def bench_values_generate(
    values: int, *, seed: int = 2026, months: int = 60, end: str = "202612"
) -> dict[str, Any]:
    """Replace the benchmark's values with about `values` new ones; say what was written.

    Needs the real hierarchy (`baocao units load-vn`) and `bench_catalogue_load()`. With
    fewer communes than the real 3,321 it uses those there are and says so under `note`.
    """
    if values < 1:
        raise ValueError("values must be at least 1")
    indicators = bench_indicators()
    if not indicators:
        raise ValueError("no benchmark indicators: call bench_catalogue_load() first")
    periods = bench_periods(months=months, end=end)
    hierarchy = DatedHierarchy()
    structure_day = period_end(periods[-1])
    current = hierarchy.units_on(structure_day, level=Level.COMMUNE)
    if not current:
        raise ValueError("no communes: run `baocao units load-vn` first")

    def province_of(unit_id: int) -> str:
        place = hierarchy.place(unit_id, structure_day)
        return place.province if place else ""

    communes = sorted(current, key=lambda unit: (province_of(unit), hierarchy.codes[unit]))
    days = [period_end(code) for code in periods]
    valid = np.array([[hierarchy.exists_on(unit, day) for day in days] for unit in communes])
    plan = _plan(values, indicators, communes, valid)

    cleared_started = time.perf_counter()
    cleared = bench_values_clear()
    cleared_seconds = time.perf_counter() - cleared_started
    # The benchmark's values stand for data accepted long ago (a day before): changes the
    # benchmark makes afterwards are the only ones the analytics store reads live.
    now = connection.ops.adapt_datetimefield_value(timezone.now() - dt.timedelta(days=1))
    started = time.perf_counter()
    written = 0
    pending: list[Row] = []
    skip_triggers = _superuser()
    with _FastSqliteLoad():
        for segment in _rows(plan, periods, seed, now):
            pending += segment
            if len(pending) >= CHUNK_ROWS:
                _write(pending, skip_triggers=skip_triggers)
                written += len(pending)
                pending = []
        if pending:
            _write(pending, skip_triggers=skip_triggers)
            written += len(pending)
    seconds = time.perf_counter() - started
    used_units = {int(unit) for _, chosen in plan.blocks for unit in np.array(communes)[chosen]}
    figures: dict[str, Any] = {
        "database": connection.vendor,
        "rows": written,
        "seconds": round(seconds, 2),
        "rows_per_second": round(written / seconds) if seconds else None,
        "indicators": len(plan.blocks),
        "indicators_disaggregated": sum(1 for ind, _ in plan.blocks if ind.options),
        "units": len(used_units),
        "communes_in_force": len(communes),
        "periods": len(periods),
        "first_period": periods[0],
        "last_period": periods[-1],
        "structure_day": structure_day.isoformat(),
        "cleared_rows": cleared,
        "cleared_seconds": round(cleared_seconds, 2),
    }
    notes = []
    if written < values * 0.97:
        notes.append(
            f"{written:,} values fill every indicator over every commune and month:"
            f" fewer than the {values:,} asked."
        )
    if len(communes) < COMMUNES_EXPECTED:
        notes.append(
            f"{len(communes)} communes in force on {structure_day.isoformat()}, fewer than the"
            f" {COMMUNES_EXPECTED:,} of the real hierarchy: run `baocao units load-vn`."
        )
    if notes:
        figures["note"] = " ".join(notes)
    return figures


def bench_values_clear() -> int:
    """Delete the benchmark's values (source `BENCH`); how many there were."""
    table, _ = _table_and_columns()
    source = connection.ops.quote_name(DataValue._meta.get_field("source").column)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {source} = %s", [SOURCE])
        return int(cursor.rowcount)
