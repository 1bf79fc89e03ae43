"""The PostgreSQL baseline of the analytics benchmark, built the way DHIS2 builds analytics.

Issue 6, scope 4: "runs the same query mix against a PostgreSQL baseline built the way DHIS2
builds analytics tables (one denormalised table with hierarchy level columns, SQL GROUP BY)".
DHIS2's analytics table generation copies every data value into one wide table with a
column per dimension (`dx` the data element, `co` the category option combination, `pe` and
the period columns, `uidlevel1..n` the unit's ancestor at each level, `ou` the unit itself),
creates a B-tree index on each dimension column, runs `ANALYZE`, and answers every query
with `SELECT ... SUM(value) ... GROUP BY`. This module does the same with the benchmark's
values (source `BENCH`) in its own database, whatever database Django uses:

- the unit's levels are those in force on the period (the last day of the month): before
  July 2025 a commune sits in one of the 63 old provinces, after it in one of the 34;
- one partition a year, as DHIS2 partitions its analytics tables, and queries name their
  years (`year IN (...)`) so that PostgreSQL reads only those partitions; partitions are
  UNLOGGED (DHIS2's `analytics.table.unlogged` setting): they can always be rebuilt, so
  nothing is gained by writing them to the WAL;
- queries run with the session settings DHIS2's installation guide recommends for
  analytics (`work_mem` 24MB, `random_page_cost` 1.1, JIT off). `shared_buffers` needs a
  server restart and is left as the server has it (PostgreSQL's default is 128MB);
- rows arrive in the order the values table returns them, which for the benchmark's values
  is by indicator: the table is clustered on `dx`, which helps the baseline, never hurts it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import psycopg
from django.db import connection
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from baocao.analytics.bench.dataset import SOURCE
from baocao.analytics.bench.hierarchy import DatedHierarchy, UnitPlace, period_end
from baocao.analytics.bench.mix import MixQuery
from baocao.catalogue.models import Indicator
from baocao.submissions.models import DataValue

DEFAULT_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=baocao_bench"
TABLE = "analytics_dhis2"
# One B-tree per dimension column, as DHIS2 creates them (uidlevel1 holds one value).
INDEXED_COLUMNS = ("dx", "co", "pe", "ou", "uidlevel2", "uidlevel3", "year")
READ_ROWS = 100_000
# One partition a year of these, and a default one for any other.
PARTITION_YEARS = range(2015, 2036)
QUERY_SETTINGS = {"work_mem": "24MB", "random_page_cost": "1.1", "jit": "off"}

_GROUP_COLUMNS = {
    "indicator": "dx",
    "period": "pe",
    "province": "uidlevel2",
    "commune": "uidlevel3",
    "option": "co",
}


def pg_connect(dsn: str, **options: Any) -> psycopg.Connection[Any]:
    # No server-side prepared statements: DHIS2 sends every query as new SQL text.
    return psycopg.connect(dsn, autocommit=True, prepare_threshold=None, **options)


def pg_reachable(dsn: str = DEFAULT_DSN) -> bool:
    """Whether the PostgreSQL server of `dsn` answers (its database may not exist yet)."""
    try:
        with pg_connect(_maintenance_dsn(dsn), connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def _maintenance_dsn(dsn: str) -> str:
    return make_conninfo(dsn, dbname="postgres")


def pg_database_ensure(dsn: str) -> None:
    """Create the database `dsn` names if it is missing."""
    name = conninfo_to_dict(dsn).get("dbname")
    if not name:
        raise ValueError(f"the DSN names no database: {dsn!r}")
    with pg_connect(_maintenance_dsn(dsn)) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if found is None:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(name))))


def _baseline_rows(hierarchy: DatedHierarchy) -> Iterator[tuple[object, ...]]:
    """The benchmark's values as rows of the analytics table, read in bounded chunks."""
    codes = dict(Indicator.objects.values_list("pk", "code"))
    meta = DataValue._meta
    quote = connection.ops.quote_name
    column = {field.name: quote(field.column) for field in meta.concrete_fields}
    names = ("indicator", "disaggregation", "unit", "period", "value")
    query = (
        f"SELECT {', '.join(column[name] for name in names)} FROM {quote(meta.db_table)}"
        f" WHERE {column['source']} = %s"
    )
    places: dict[tuple[int, str], UnitPlace | None] = {}
    with connection.chunked_cursor() as cursor:
        cursor.execute(query, [SOURCE])
        while chunk := cursor.fetchmany(READ_ROWS):
            for indicator_id, disaggregation, unit_id, period, value in chunk:
                key = (unit_id, period)
                if key not in places:
                    places[key] = hierarchy.place(unit_id, period_end(period))
                place = places[key]
                if place is None:  # a value of a unit not in force on its period
                    continue
                month = int(period[4:6]) if len(period) == 6 and period.isdigit() else None
                yield (
                    codes[indicator_id],
                    disaggregation,
                    period,
                    int(period[:4]),
                    month,
                    place.national,
                    place.province or None,
                    place.commune or None,
                    place.code,
                    value,
                )


def pg_baseline_build(dsn: str = DEFAULT_DSN, *, table: str = TABLE) -> dict[str, Any]:
    """(Re)build the analytics table from the benchmark's values; rows and seconds."""
    pg_database_ensure(dsn)
    started = time.perf_counter()
    hierarchy = DatedHierarchy()
    name = sql.Identifier(table)
    with pg_connect(dsn) as pg:
        pg.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(name))
        pg.execute(
            sql.SQL(
                "CREATE TABLE {} (dx text NOT NULL, co text NOT NULL, pe text NOT NULL,"
                " year integer NOT NULL, month integer, uidlevel1 text, uidlevel2 text,"
                " uidlevel3 text, ou text NOT NULL, value double precision)"
                " PARTITION BY LIST (year)"
            ).format(name)
        )
        for year in PARTITION_YEARS:
            pg.execute(
                sql.SQL("CREATE UNLOGGED TABLE {} PARTITION OF {} FOR VALUES IN ({})").format(
                    sql.Identifier(f"{table}_{year}"), name, sql.Literal(year)
                )
            )
        pg.execute(
            sql.SQL("CREATE UNLOGGED TABLE {} PARTITION OF {} DEFAULT").format(
                sql.Identifier(f"{table}_other"), name
            )
        )
        rows = 0
        columns = "dx, co, pe, year, month, uidlevel1, uidlevel2, uidlevel3, ou, value"
        with (
            pg.transaction(),
            pg.cursor() as cursor,
            cursor.copy(sql.SQL("COPY {} (" + columns + ") FROM STDIN").format(name)) as copy,
        ):
            for row in _baseline_rows(hierarchy):
                copy.write_row(row)
                rows += 1
        loaded = time.perf_counter()
        for column in INDEXED_COLUMNS:
            pg.execute(
                sql.SQL("CREATE INDEX {} ON {} ({})").format(
                    sql.Identifier(f"in_{table}_{column}"), name, sql.Identifier(column)
                )
            )
        indexed = time.perf_counter()
        pg.execute(sql.SQL("ANALYZE {}").format(name))
        size = pg.execute(
            "SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits"
            " WHERE inhparent = %s::regclass",
            [table],
        ).fetchone()
    finished = time.perf_counter()
    return {
        "table": table,
        "rows": rows,
        "seconds": round(finished - started, 2),
        "load_seconds": round(loaded - started, 2),
        "index_seconds": round(indexed - loaded, 2),
        "analyze_seconds": round(finished - indexed, 2),
        "size_mb": round(size[0] / 2**20) if size else None,
    }


def pg_baseline_sql(query: MixQuery, *, table: str = TABLE) -> tuple[sql.Composed, list[object]]:
    """The SQL DHIS2 would run for a query of the mix, and its parameters."""
    groups = [sql.Identifier(_GROUP_COLUMNS[column]) for column in query.group_by]
    conditions = [
        sql.SQL("dx IN ({})").format(sql.SQL(", ").join(sql.Placeholder() * len(query.indicators))),
        sql.SQL("pe IN ({})").format(sql.SQL(", ").join(sql.Placeholder() * len(query.periods))),
        sql.SQL("co <> ''") if query.options else sql.SQL("co = ''"),
    ]
    years = sorted({int(period[:4]) for period in query.periods})
    conditions.append(
        sql.SQL("year IN ({})").format(sql.SQL(", ").join(sql.Placeholder() * len(years)))
    )
    parameters: list[object] = [*query.indicators, *query.periods, *years]
    if query.province:
        conditions.append(sql.SQL("uidlevel2 = {}").format(sql.Placeholder()))
        parameters.append(query.province)
    statement = sql.SQL(
        "SELECT {groups}, sum(value) AS value FROM {table} WHERE {conditions}"
        " GROUP BY {groups} ORDER BY {groups}"
    ).format(
        groups=sql.SQL(", ").join(groups),
        table=sql.Identifier(table),
        conditions=sql.SQL(" AND ").join(conditions),
    )
    return statement, parameters


def _number(value: object) -> float | None:
    return None if value is None else float(str(value))


def _percentile(samples: Sequence[float], percent: float) -> float:
    return round(float(np.percentile(samples, percent)), 2)


def pg_baseline_query_mix(
    dsn: str = DEFAULT_DSN,
    mix: Sequence[MixQuery] = (),
    *,
    repeat: int = 20,
    warmup: int = 2,
    table: str = TABLE,
) -> dict[str, Any]:
    """Run each query `warmup` times, then `repeat` times timed: p50/p95 ms and its rows.

    Rows are `[*group values, value]`, ordered by the group columns, for comparing the
    numbers with another engine's.
    """
    results: dict[str, Any] = {}
    with pg_connect(dsn) as pg, pg.cursor() as cursor:
        for setting, value in QUERY_SETTINGS.items():
            cursor.execute(sql.SQL("SET {} = {}").format(sql.Identifier(setting), value))
        for query in mix:
            statement, parameters = pg_baseline_sql(query, table=table)
            rows: list[tuple[Any, ...]] = []
            for _ in range(warmup):
                rows = cursor.execute(statement, parameters).fetchall()
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                rows = cursor.execute(statement, parameters).fetchall()
                samples.append((time.perf_counter() - started) * 1000)
            results[query.name] = {
                "p50_ms": _percentile(samples, 50),
                "p95_ms": _percentile(samples, 95),
                "runs": repeat,
                "row_count": len(rows),
                "rows": [[*row[:-1], _number(row[-1])] for row in rows],
                "sql": psycopg.ClientCursor(pg).mogrify(statement, parameters),
            }
    return results
