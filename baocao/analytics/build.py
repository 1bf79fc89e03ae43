"""Building a generation of the analytics store: from scratch, or the last one plus changes.

Tables of a generation (docs/analytics.md has the layout):

- `facts`: one row per figure (indicator, disaggregation, unit, period), the *official* value:
  a value carried by a report (its source is a regime code) before one from an import or a
  connector; among several of a kind, the first source by code. Sorted by indicator, period
  and unit, so that DuckDB's zone maps skip all but the few row groups a query needs.
- `facts_other`: the other sources' values of the same figures, for queries that name a source.
- `periods`, `indicators`, `ancestry` (see `hierarchy`), `unit_levels`: small dimensions.
- `meta`: when it was built, its watermark.

Which values count: those of reports sent and not taken back (submitted, resubmitted, accepted,
recall requested; `provisional` unless accepted), and every value stored without a report
(imports and connectors). Drafts and returned reports are not in analytics. Values that are not
numbers (text, dates, yes/no) are not either.

A full rebuild reads the transactional database through DuckDB's SQLite or PostgreSQL scanner;
a compaction copies the current generation's file and applies what changed since its
watermark (`delta.changes_since`). Either way the result is a new file, published only once
complete (`store.generation_publish`).
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

import duckdb
from django.db import connection
from django.utils import timezone

from baocao.analytics import hierarchy
from baocao.analytics.delta import Changes, changes_since
from baocao.analytics.store import (
    Generation,
    duckdb_config,
    generation_current,
    generation_file,
    generation_publish,
    rows_insert,
    store_dir,
    transactional_attach,
)
from baocao.catalogue.choices import NUMERIC_VALUE_TYPES
from baocao.catalogue.models import Indicator, Regime
from baocao.periods import PeriodError, parse_period

# Statuses of reports whose values count (the others are drafts or taken back).
COUNTED_STATUSES = ("submitted", "resubmitted", "accepted", "recall_requested")
FACT_COLUMNS = (
    "indicator_id",
    "disaggregation",
    "unit_id",
    "period",
    "period_type",
    "period_start",
    "period_end",
    "source",
    "value",
    "provisional",
    "province_id",
    "top_id",
)


def _placement(unit: str, day: str) -> tuple[str, str]:
    """Joins and columns placing a value in its province and at the top of the hierarchy on
    `day` (its period's last day): what most dashboard queries group by, computed once."""
    joins = f"""
        LEFT JOIN ancestry pa ON pa.unit_id = {unit} AND {day} BETWEEN pa.valid_from AND pa.valid_to
         AND pa.ancestor_id IN (SELECT unit_id FROM units WHERE level = 'province')
        LEFT JOIN ancestry ta ON ta.unit_id = {unit} AND {day} BETWEEN ta.valid_from AND ta.valid_to
         AND ta.ancestor_id IN (SELECT unit_id FROM unit_roots)"""
    return joins, "pa.ancestor_id AS province_id, ta.ancestor_id AS top_id"


def store_rebuild() -> Generation:
    """Build a new generation from the transactional database and publish it."""
    started = time.perf_counter()
    # Taken before anything is read: whatever changes during the build is read live after.
    watermark = timezone.now()
    number, path = _next_file()
    con = duckdb.connect(str(path), config=duckdb_config())
    try:
        if scanner_usable():
            # DuckDB reads the transactional database itself: the fast way (millions of rows
            # a second, no Python in between).
            transactional_attach(con)
            _dimensions(con, _period_codes_from_tx(con))
            raw = (
                "tx.submissions_datavalue v LEFT JOIN tx.submissions_report r ON r.id = v.report_id"
            )
            status = "r.status"
        else:
            raw, status = _raw_from_django(con), "v.status"
            _dimensions(con, _period_codes_from_raw(con))
        placed_joins, placed_columns = _placement("v.unit_id", "p.period_end")
        con.execute(
            f"""
            CREATE TEMP TABLE facts_all AS
            SELECT v.indicator_id, v.disaggregation, v.unit_id, v.period,
                   p.period_type, p.period_start, p.period_end, v.source,
                   TRY_CAST(v.value AS DOUBLE) AS value,
                   COALESCE({status} <> 'accepted', FALSE) AS provisional, {placed_columns}
            FROM {raw}
            JOIN periods p ON p.code = v.period
            JOIN indicators i ON i.indicator_id = v.indicator_id
            {placed_joins}
            WHERE ({status} IS NULL OR {status} IN {COUNTED_STATUSES!r})
              AND TRY_CAST(v.value AS DOUBLE) IS NOT NULL
            """
        )
        _split_official(con)
        facts = _finish(con, watermark, "rebuild")
    except BaseException:
        con.close()
        path.unlink(missing_ok=True)
        raise
    con.close()
    return _publish(number, path, watermark, started, facts, "rebuild")


def store_compact() -> Generation:
    """A new generation: the current one plus what changed since its watermark."""
    current = generation_current()
    if current is None:
        return store_rebuild()
    started = time.perf_counter()
    watermark = timezone.now()
    changes = changes_since(current.watermark)
    number, path = _next_file()
    shutil.copyfile(current.path, path)
    con = duckdb.connect(str(path), config=duckdb_config())
    try:
        _dimensions(con, set(_stored_period_codes(con)) | {row[3] for row in changes.rows})
        changes_apply(con, changes, into="facts", other="facts_other")
        facts = _finish(con, watermark, "compaction")
    except BaseException:
        con.close()
        path.unlink(missing_ok=True)
        raise
    con.close()
    return _publish(number, path, watermark, started, facts, "compaction")


def changes_apply(
    con: duckdb.DuckDBPyConnection, changes: Changes, *, into: str, other: str | None
) -> None:
    """Replace the changed figures in `into` (and `other`) by their current values.

    Used by a compaction on the new file, and by readers on their temporary tables.
    """
    con.execute(
        "CREATE OR REPLACE TEMP TABLE changed_figures (indicator_id INTEGER, "
        "disaggregation VARCHAR, unit_id INTEGER, period VARCHAR)"
    )
    rows_insert(con, "changed_figures", sorted(changes.figures))
    for table in (into, other):
        if table:
            con.execute(
                f"""DELETE FROM {table} AS f USING changed_figures c
                WHERE f.indicator_id = c.indicator_id AND f.disaggregation = c.disaggregation
                  AND f.unit_id = c.unit_id AND f.period = c.period"""
            )
    con.execute("CREATE OR REPLACE TEMP TABLE facts_all AS SELECT * FROM facts WHERE FALSE")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE changed_rows (indicator_id INTEGER, disaggregation VARCHAR, "
        "unit_id INTEGER, period VARCHAR, source VARCHAR, value DOUBLE, provisional BOOLEAN)"
    )
    rows_insert(con, "changed_rows", list(changes.rows))
    # Periods the generation has never seen (next month's first values): placed in time here,
    # kept in the new file by a compaction, in a temporary table by a reader.
    known = set(_stored_period_codes(con))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE changed_periods (code VARCHAR, period_type VARCHAR, "
        "period_start DATE, period_end DATE)"
    )
    rows_insert(con, "changed_periods", _period_rows({row[3] for row in changes.rows} - known))
    if into == "facts":
        con.execute("INSERT INTO periods SELECT * FROM changed_periods")
    joins, columns = _placement("c.unit_id", "p.period_end")
    con.execute(
        "INSERT INTO facts_all SELECT c.indicator_id, c.disaggregation, c.unit_id, c.period, "
        f"p.period_type, p.period_start, p.period_end, c.source, c.value, c.provisional, {columns} "
        "FROM changed_rows c JOIN (SELECT * FROM periods UNION ALL SELECT * FROM "
        f"changed_periods) p ON p.code = c.period {joins}"
    )
    _split_official(con, append_to=(into, other))


# Steps --------------------------------------------------------------------------------------


def scanner_usable() -> bool:
    """Whether DuckDB can read the transactional database directly.

    Not when it is SQLite in memory, nor inside a transaction (the test suite's): another
    connection would not see what the transaction wrote. The values then go through Django's
    connection (slower, same result).
    """
    if connection.in_atomic_block:
        return False
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        return not (name == ":memory:" or "mode=memory" in name or name.startswith("file:"))
    return connection.vendor == "postgresql"


RAW_CHUNK = 200_000


def _raw_from_django(con: duckdb.DuckDBPyConnection) -> str:
    """The counted values read through Django's connection into a temporary table `raw`."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE raw (indicator_id INTEGER, disaggregation VARCHAR, "
        "unit_id INTEGER, period VARCHAR, source VARCHAR, value VARCHAR, status VARCHAR)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v.indicator_id, v.disaggregation, v.unit_id, v.period, v.source, v.value, "
            "r.status FROM submissions_datavalue v "
            "LEFT JOIN submissions_report r ON r.id = v.report_id"
        )
        while rows := cursor.fetchmany(RAW_CHUNK):
            rows_insert(con, "raw", [tuple(row) for row in rows])
    return "raw v"


def _period_codes_from_raw(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute("SELECT DISTINCT period FROM raw").fetchall()}


def _next_file() -> tuple[int, Path]:
    folder = store_dir()
    for stale in folder.glob("*.building"):
        stale.unlink(missing_ok=True)  # a build that crashed
    current = generation_current()
    numbers = [int(path.stem.split("-")[1]) for path in folder.glob("gen-*.duckdb")]
    number = max([current.number if current else 0, *numbers]) + 1
    return number, folder / (generation_file(number) + ".building")


def _period_codes_from_tx(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        row[0]
        for row in con.execute("SELECT DISTINCT period FROM tx.submissions_datavalue").fetchall()
    }


def _stored_period_codes(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in con.execute("SELECT code FROM periods").fetchall()]


def _period_rows(codes: Iterable[str]) -> list[tuple[str, str, dt.date, dt.date]]:
    """(code, type, first day, last day) of each period code; other texts are left out."""
    rows = []
    for code in sorted(set(codes)):
        try:
            period = parse_period(code)
        except PeriodError:
            continue  # not a period code: such a value cannot be placed in time
        rows.append((code, period.type.value, period.start, period.end))
    return rows


def _dimensions(con: duckdb.DuckDBPyConnection, period_codes: Iterable[str]) -> None:
    """The small tables: periods, numeric indicators, sources' priority, units' ancestry."""
    periods = _period_rows(period_codes)
    con.execute(
        "CREATE OR REPLACE TABLE periods (code VARCHAR PRIMARY KEY, period_type VARCHAR, "
        "period_start DATE, period_end DATE)"
    )
    rows_insert(con, "periods", periods)
    con.execute(
        "CREATE OR REPLACE TABLE indicators (indicator_id INTEGER PRIMARY KEY, code VARCHAR, "
        "aggregation VARCHAR, value_type VARCHAR, decimals INTEGER, formula VARCHAR)"
    )
    rows = list(
        Indicator.objects.filter(value_type__in=list(NUMERIC_VALUE_TYPES)).values_list(
            "pk", "code", "aggregation", "value_type", "decimals", "formula"
        )
    )
    rows_insert(con, "indicators", rows)
    con.execute("CREATE OR REPLACE TABLE sources (source VARCHAR PRIMARY KEY, priority INTEGER)")
    regimes = list(Regime.objects.values_list("code", flat=True))
    rows_insert(con, "sources", [(code, 0) for code in regimes])
    con.execute(
        "CREATE OR REPLACE TABLE units (unit_id INTEGER PRIMARY KEY, code VARCHAR, "
        "level VARCHAR, name VARCHAR)"
    )
    rows_insert(con, "units", hierarchy.unit_rows())
    parents = hierarchy.parent_rows()
    con.execute(
        "CREATE OR REPLACE TABLE unit_parents (unit_id INTEGER, parent_id INTEGER, "
        "valid_from DATE, valid_to DATE)"
    )
    rows_insert(con, "unit_parents", parents)
    # Every ancestor of every unit with the days the whole chain held, itself at depth 0.
    con.execute(
        f"""
        CREATE OR REPLACE TABLE ancestry AS
        WITH RECURSIVE chain(unit_id, ancestor_id, depth, valid_from, valid_to) AS (
            SELECT unit_id, unit_id, 0, valid_from, valid_to FROM unit_parents
            UNION ALL
            SELECT c.unit_id, p.parent_id, c.depth + 1,
                   greatest(c.valid_from, p.valid_from), least(c.valid_to, p.valid_to)
            FROM chain c
            JOIN unit_parents p ON p.unit_id = c.ancestor_id
             AND p.valid_from <= c.valid_to AND p.valid_to >= c.valid_from
            WHERE p.parent_id IS NOT NULL AND c.depth < {hierarchy.MAX_STEPS}
        )
        SELECT DISTINCT unit_id, ancestor_id, depth, valid_from, valid_to FROM chain
        ORDER BY ancestor_id, unit_id
        """
    )
    # The tops of the hierarchy: units that never had a parent (the Government).
    con.execute(
        "CREATE OR REPLACE TABLE unit_roots AS SELECT DISTINCT unit_id FROM unit_parents "
        "WHERE unit_id NOT IN (SELECT unit_id FROM unit_parents WHERE parent_id IS NOT NULL)"
    )


def _split_official(
    con: duckdb.DuckDBPyConnection, *, append_to: tuple[str, str | None] | None = None
) -> None:
    """`facts_all` (temporary) into the official value per figure and the others.

    The priority window is paid only for indicators that have more than one source.
    """
    select = ", ".join(FACT_COLUMNS)
    ranked = f"""
        SELECT {select}, row_number() OVER (
            PARTITION BY indicator_id, disaggregation, unit_id, period
            ORDER BY COALESCE(s.priority, 1), f.source) AS rank
        FROM facts_all f LEFT JOIN sources s USING (source)
        WHERE indicator_id IN (SELECT indicator_id FROM multi)
    """
    con.execute(
        "CREATE OR REPLACE TEMP TABLE multi AS SELECT indicator_id FROM facts_all "
        "GROUP BY indicator_id HAVING count(DISTINCT source) > 1"
    )
    official = f"""
        SELECT {select} FROM facts_all WHERE indicator_id NOT IN (SELECT indicator_id FROM multi)
        UNION ALL SELECT {select} FROM ({ranked}) WHERE rank = 1
    """
    others = f"SELECT {select} FROM ({ranked}) WHERE rank > 1"
    if append_to is None:
        con.execute(
            f"CREATE OR REPLACE TABLE facts AS SELECT * FROM ({official}) "
            "ORDER BY indicator_id, period_start, unit_id"
        )
        con.execute(f"CREATE OR REPLACE TABLE facts_other AS {others}")
    else:
        into, other = append_to
        con.execute(f"INSERT INTO {into} {official}")
        if other:
            con.execute(f"INSERT INTO {other} {others}")
    con.execute("DROP TABLE facts_all")
    con.execute("DROP TABLE multi")


def _finish(con: duckdb.DuckDBPyConnection, watermark: dt.datetime, kind: str) -> int:
    facts = int(con.execute("SELECT count(*) FROM facts").fetchone()[0])  # type: ignore[index]
    # Which period types each indicator is stored with: a query aggregates the finest one.
    con.execute(
        "CREATE OR REPLACE TABLE indicator_period_types AS "
        "SELECT DISTINCT indicator_id, period_type FROM facts "
        "UNION SELECT DISTINCT indicator_id, period_type FROM facts_other"
    )
    # Indicators with figures stored by options only: a form whose columns are a dimension
    # stores no total, and the engine then adds the options up for the total, figure by
    # figure. The others (totals stored, options or not) read their totals directly.
    con.execute(
        "CREATE OR REPLACE TABLE options_only AS "
        + " UNION ".join(
            f"SELECT DISTINCT o.indicator_id FROM {table} o ANTI JOIN "
            f"(SELECT indicator_id, unit_id, period FROM {table} WHERE disaggregation = '') t "
            "ON t.indicator_id = o.indicator_id AND t.unit_id = o.unit_id "
            "AND t.period = o.period WHERE o.disaggregation <> ''"
            for table in ("facts", "facts_other")
        )
    )
    con.execute(
        "CREATE OR REPLACE TABLE meta AS SELECT ?::TIMESTAMPTZ AS watermark, "
        "now() AS built_at, ? AS kind, ? AS facts, ? AS database",
        [watermark, kind, facts, connection.vendor],
    )
    con.execute("CHECKPOINT")
    return facts


def _publish(
    number: int, path: Path, watermark: dt.datetime, started: float, facts: int, kind: str
) -> Generation:
    building = path
    final = building.with_name(generation_file(number))
    building.rename(final)
    generation = Generation(
        number=number,
        file=final.name,
        watermark=watermark,
        built_at=timezone.now(),
        seconds=round(time.perf_counter() - started, 3),
        facts=facts,
        kind=kind,
    )
    generation_publish(generation)
    return generation


# Parquet ----------------------------------------------------------------------------------------

PARQUET_TABLES = ("facts", "facts_other", "periods", "indicators", "ancestry", "sources")


def store_export_parquet(folder: Path) -> dict[str, int]:
    """Write the published generation's tables as Parquet under `folder`.

    The layout a cluster (Apache Spark) reads to build the same aggregates beyond one machine
    (docs/analytics.md, "Parquet layout"): `facts` partitioned by period type and year, the
    dimensions as single files. Returns the rows written per table.
    """
    from baocao.analytics.store import reader

    held = reader()
    if held is None:
        raise RuntimeError("no analytics store to export")
    con = held[0]
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for table in PARQUET_TABLES:
        target = folder / table
        rows = int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
        if table.startswith("facts"):
            con.execute(
                f"COPY (SELECT *, year(period_start) AS year FROM {table}) TO '{target}' "
                "(FORMAT parquet, PARTITION_BY (period_type, year), OVERWRITE_OR_IGNORE)"
            )
        else:
            con.execute(f"COPY {table} TO '{target}.parquet' (FORMAT parquet)")
        written[table] = rows
    return written
