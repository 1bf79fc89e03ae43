"""The aggregation engine: one query in, one value per (indicator, unit, period, option) out.

Semantics (issue 6, scope 2; docs/analytics.md explains them with examples):

- **Units.** An output unit's value aggregates the values of the unit itself (values entered
  at a parent count with its children's) and of every unit below it, in the structure the
  query chooses: `historical` (the hierarchy in force on each value's period's last day) or a
  date (units mapped onto those in force that day through the lineage links; shares of a
  partial transfer flagged `partial`).
- **Periods.** A figure reported for the output period itself is used as reported (a quarterly
  report for a quarter). Otherwise the values of the finest period type stored for the
  indicator that lie inside the output period are aggregated over time by the indicator's
  aggregation type: `sum`; `average` (of all values); `average_sum_units` (the sum over units
  of each period, averaged over the periods); `last` (each unit's latest value in the period,
  summed over units: stocks such as population); `min`; `max`; `count`; `none` (only a value
  reported for exactly that unit and period).
- **Disaggregations.** `""` the total: as reported, or, for a figure stored only by options
  (a form whose columns are a dimension), the sum of its options; `DIM=OPT` one option;
  `DIM=*` one row per option of that dimension (values keyed by that dimension alone).
- **Derived indicators** are computed from their components after aggregation (a rate of a
  province is the ratio of its sums, never the sum of its communes' rates).
- **Sources.** By default the official value of each figure (a report's before an import's);
  a query may name one source instead.
- Each result says whether it rests on provisional values (submitted, not yet accepted) and
  on partial shares of re-mapped units, and how many stored values it aggregates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time
from collections import defaultdict
from collections.abc import Sequence

import duckdb

from baocao.analytics import hierarchy
from baocao.analytics.delta import Changes, change_token, changes_since
from baocao.analytics.dimensions import store_dimensions
from baocao.analytics.store import Generation, reader, reader_state, rows_insert
from baocao.periods import Period, PeriodType

HISTORICAL = "historical"
# Period types from the finest to the coarsest (RANGE last: only ever used as asked).
_FINENESS = [
    PeriodType.DAY,
    PeriodType.WEEK,
    PeriodType.MONTH,
    PeriodType.QUARTER,
    PeriodType.HALF_YEAR,
    PeriodType.NINE_MONTHS,
    PeriodType.YEAR,
    PeriodType.RANGE,
]
# An indicator whose total is chosen figure by figure (`_total_layouts`).
OPTIONS = "options"
# The dimensions of a stored disaggregation key: "OWNERSHIP=FDI,SEX=NU" -> "OWNERSHIP,SEX".
LAYOUT_SQL = "regexp_replace({column}, '=[^,]*', '', 'g')"
_OPTION = re.compile(
    r"^[A-Z0-9][A-Z0-9._-]*=([A-Z0-9][A-Z0-9._-]*|\*)(,[A-Z0-9][A-Z0-9._-]*=[A-Z0-9][A-Z0-9._-]*)*$"
)


class EngineError(ValueError):
    """A query the engine cannot run; the selectors check input before it gets here."""


@dataclasses.dataclass(frozen=True)
class IndicatorRef:
    """What the engine needs of an indicator (the selectors read it from the catalogue)."""

    id: int
    code: str
    aggregation: str
    formula: str = ""


@dataclasses.dataclass(frozen=True)
class EngineQuery:
    indicators: tuple[IndicatorRef, ...]
    unit_ids: tuple[int, ...]
    periods: tuple[Period, ...]
    disaggregation: str = ""
    structure: str = HISTORICAL  # or an ISO date
    source: str = ""


@dataclasses.dataclass
class Cell:
    indicator: str
    unit_id: int
    period: str
    disaggregation: str
    value: float | None
    values: int = 0  # stored values aggregated
    provisional: bool = False
    remapped: bool = False
    partial: bool = False


@dataclasses.dataclass
class EngineResult:
    cells: list[Cell]
    generation: int | None
    seconds: float
    live_changes: int  # figures read live from the transactional database


def engine_run(query: EngineQuery) -> EngineResult:
    """Run `query` on the published store and the changes since it was built."""
    started = time.perf_counter()
    held = reader()
    if held is None:
        raise EngineError("no_store")
    con, generation = held
    live = _overlay(con, generation)
    stored = [ref for ref in query.indicators if not ref.formula]
    cells: list[Cell] = []
    if query.unit_ids and query.periods:
        by_aggregation: dict[str, list[IndicatorRef]] = defaultdict(list)
        for ref in stored:
            by_aggregation[ref.aggregation].append(ref)
        types = _period_types(con, [ref.id for ref in stored], live)
        layouts = _total_layouts(con, [ref.id for ref in stored], live, query.disaggregation)
        remap = _remap_table(con, query.structure)
        for aggregation, refs in by_aggregation.items():
            by_layout: dict[str, list[IndicatorRef]] = defaultdict(list)
            for ref in refs:
                by_layout[layouts.get(ref.id, "")].append(ref)
            for layout, group in by_layout.items():
                cells.extend(_aggregate(con, query, group, aggregation, types, live, remap, layout))
    return EngineResult(cells, generation.number, time.perf_counter() - started, live)


# The live overlay ---------------------------------------------------------------------------


def _overlay(con: duckdb.DuckDBPyConnection, generation: Generation) -> int:
    """Load the changes since the generation's watermark into this connection's temporary
    tables `delta_facts`, `delta_other` and `changed_figures`, unless nothing changed since
    they were loaded. Returns the number of changed figures."""
    token = (generation.number, *change_token())
    state = reader_state()
    if state.get("token") == token:
        return int(con.execute("SELECT count(*) FROM changed_figures").fetchone()[0])  # type: ignore[index]
    changes = changes_since(generation.watermark)
    overlay_load(con, changes)
    state["token"] = token
    return len(changes.figures)


def overlay_load(con: duckdb.DuckDBPyConnection, changes: Changes) -> None:
    from baocao.analytics.build import changes_apply

    con.execute("CREATE OR REPLACE TEMP TABLE delta_facts AS SELECT * FROM facts WHERE FALSE")
    con.execute("CREATE OR REPLACE TEMP TABLE delta_other AS SELECT * FROM facts WHERE FALSE")
    changes_apply(con, changes, into="delta_facts", other="delta_other")


def _facts_sql(filters: str, *, live: bool, every_source: bool) -> str:
    """The stored rows a query needs, with the changed figures replaced by their current
    values. The filters go into each branch, so that DuckDB reads only the row groups of the
    indicators and periods asked for, changes or not."""
    tables = ["facts", "facts_other"] if every_source else ["facts"]
    deltas = ["delta_facts", "delta_other"] if every_source else ["delta_facts"]
    branches = []
    for table in tables:
        if live:
            branches.append(
                f"SELECT f.* FROM {table} f ANTI JOIN changed_figures c "
                "ON c.indicator_id = f.indicator_id AND c.disaggregation = f.disaggregation "
                f"AND c.unit_id = f.unit_id AND c.period = f.period WHERE {filters}"
            )
        else:
            branches.append(f"SELECT f.* FROM {table} f WHERE {filters}")
    if live:
        branches.extend(f"SELECT f.* FROM {table} f WHERE {filters}" for table in deltas)
    return " UNION ALL ".join(branches)


def _placement_column(query: EngineQuery) -> str | None:
    """`province_id` or `top_id` when every unit asked for is a province, or a root of the
    hierarchy (the Government): the historical structure without the ancestry join."""
    dimensions = store_dimensions()
    if dimensions is None or not query.unit_ids:
        return None
    levels = {
        dimensions.units_by_id[pk].level if pk in dimensions.units_by_id else None
        for pk in query.unit_ids
    }
    if levels == {"province"}:
        return "province_id"
    if all(pk in dimensions.roots for pk in query.unit_ids):
        return "top_id"
    return None


# Periods ------------------------------------------------------------------------------------


def _period_types(
    con: duckdb.DuckDBPyConnection, indicator_ids: Sequence[int], live: int
) -> dict[int, set[str]]:
    if not indicator_ids:
        return {}
    state = reader_state()
    if "period_types" not in state:
        state["period_types"] = con.execute(
            "SELECT indicator_id, period_type FROM indicator_period_types"
        ).fetchall()
    found: dict[int, set[str]] = defaultdict(set)
    wanted = set(indicator_ids)
    for indicator_id, period_type in state["period_types"]:
        if indicator_id in wanted:
            found[int(indicator_id)].add(str(period_type))
    if not live:
        return found
    ids = ",".join(str(int(pk)) for pk in indicator_ids)
    rows = con.execute(
        f"SELECT DISTINCT indicator_id, period_type FROM delta_facts WHERE indicator_id IN ({ids})"
    ).fetchall()
    for indicator_id, period_type in rows:
        found[int(indicator_id)].add(str(period_type))
    return found


def _total_layouts(
    con: duckdb.DuckDBPyConnection, indicator_ids: Sequence[int], live: int, disaggregation: str
) -> dict[int, str]:
    """For a total, the indicators with figures stored by options only (a form whose columns
    are a dimension stores no total), marked OPTIONS: their total is chosen figure by figure
    in `_aggregate`. The others use their stored totals directly (the fast path)."""
    if disaggregation or not indicator_ids:
        return {}
    state = reader_state()
    if "options_only" not in state:
        try:
            state["options_only"] = frozenset(
                int(pk) for (pk,) in con.execute("SELECT indicator_id FROM options_only").fetchall()
            )
        except duckdb.CatalogException:
            state["options_only"] = frozenset()  # a generation built before this was kept
    wanted = set(indicator_ids)
    marked = set(state["options_only"] & wanted)
    if live:
        # A changed figure may be one stored by options: read those indicators figure by figure.
        ids = ",".join(str(int(pk)) for pk in indicator_ids)
        marked |= {
            int(pk)
            for (pk,) in con.execute(
                "SELECT DISTINCT indicator_id FROM delta_facts "
                f"WHERE indicator_id IN ({ids}) AND disaggregation <> ''"
            ).fetchall()
        }
    return {pk: OPTIONS for pk in marked}


def _targets(
    refs: Sequence[IndicatorRef], periods: Sequence[Period], types: dict[int, set[str]]
) -> list[tuple[int, str, dt.date, dt.date, str, str | None]]:
    """(indicator, output period, start, end, stored type to use, exact code or None)."""
    targets: list[tuple[int, str, dt.date, dt.date, str, str | None]] = []
    for ref in refs:
        stored = types.get(ref.id, set())
        for period in periods:
            if period.type.value in stored:
                targets.append(
                    (ref.id, period.code, period.start, period.end, period.type.value, period.code)
                )
                continue
            finer = [
                kind.value
                for kind in _FINENESS
                if kind.value in stored
                and kind is not PeriodType.RANGE
                and _FINENESS.index(kind) < _FINENESS.index(period.type)
            ]
            if period.type is PeriodType.RANGE:
                finer = [
                    kind.value
                    for kind in _FINENESS
                    if kind.value in stored and kind is not PeriodType.RANGE
                ]
            if finer:
                targets.append((ref.id, period.code, period.start, period.end, finer[0], None))
    return targets


def _stored_periods(
    con: duckdb.DuckDBPyConnection, live: int
) -> list[tuple[str, str, dt.date, dt.date]]:
    """Every stored period (code, type, first day, last day), kept per connection."""
    state = reader_state()
    if "periods" not in state:
        state["periods"] = con.execute(
            "SELECT code, period_type, period_start, period_end FROM periods"
        ).fetchall()
    found = list(state["periods"])
    if live:
        found += con.execute(
            "SELECT DISTINCT period, period_type, period_start, period_end FROM delta_facts"
        ).fetchall()
    return found


def _period_map(
    targets: Sequence[tuple[int, str, dt.date, dt.date, str, str | None]],
    stored: Sequence[tuple[str, str, dt.date, dt.date]],
) -> list[tuple[int, str, str]]:
    """(indicator, stored period code, output period) for every stored period that counts.

    Joining on the code (a hash join) instead of comparing every value's dates with every
    output period's keeps a 60-month series as cheap as one month.
    """
    by_type: dict[str, list[tuple[str, dt.date, dt.date]]] = defaultdict(list)
    for code, kind, start, end in stored:
        by_type[kind].append((code, start, end))
    pairs: set[tuple[int, str, str]] = set()
    for indicator_id, out_code, out_start, out_end, kind, exact in targets:
        if exact is not None:
            pairs.add((indicator_id, exact, out_code))
            continue
        pairs.update(
            (indicator_id, code, out_code)
            for code, start, end in by_type.get(kind, ())
            if start >= out_start and end <= out_end
        )
    return sorted(pairs)


# Units --------------------------------------------------------------------------------------


def _remap_table(con: duckdb.DuckDBPyConnection, structure: str) -> str | None:
    """For a structure date, the temporary table mapping units onto those of that date."""
    if structure == HISTORICAL:
        return None
    name = "remap_" + structure.replace("-", "")
    state = reader_state()
    if name not in state.setdefault("remaps", set()):
        on = dt.date.fromisoformat(structure)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} (unit_id INTEGER, target_id INTEGER, "
            "weight DOUBLE, partial BOOLEAN)"
        )
        rows = [
            (item.unit_id, item.target_id, item.weight, item.partial)
            for item in hierarchy.remap_rows(on)
        ]
        rows_insert(con, name, rows)
        state["remaps"].add(name)
    return name


# Aggregation --------------------------------------------------------------------------------


def _aggregate(
    con: duckdb.DuckDBPyConnection,
    query: EngineQuery,
    refs: Sequence[IndicatorRef],
    aggregation: str,
    types: dict[int, set[str]],
    live: int,
    remap: str | None,
    layout: str = "",
) -> list[Cell]:
    targets = _targets(refs, query.periods, types)
    if not targets:
        return []
    codes = {ref.id: ref.code for ref in refs}
    mapping = _period_map(targets, _stored_periods(con, live))
    if not mapping:
        return []
    values = ", ".join(f"({pk}, '{code}', '{out}')" for pk, code, out in mapping)
    ids = ",".join(str(pk) for pk in sorted({t[0] for t in targets}))
    first = min(t[2] for t in targets).isoformat()
    last = max(t[3] for t in targets).isoformat()
    units = ",".join(str(int(pk)) for pk in query.unit_ids)
    disaggregation, option_sql = _disaggregation_sql(query.disaggregation, layout)
    source_sql = "AND f.source = $source" if query.source else ""
    scope_sql = (
        f"f.indicator_id IN ({ids}) AND f.period_start >= DATE '{first}' "
        f"AND f.period_end <= DATE '{last}' {source_sql}"
    )
    join = "JOIN period_map m ON f.indicator_id = m.indicator_id AND f.period = m.code"
    every = bool(query.source)
    if layout == OPTIONS:
        # Each figure's total: its stored total, else the sum of its options in one layout
        # (the first by name: "OWNERSHIP" before "OWNERSHIP,SEX"; each adds up to the total).
        # Only the option rows of figures without a total go through the window.
        totals = _facts_sql(
            f"{scope_sql} AND f.disaggregation = ''", live=bool(live), every_source=every
        )
        options = _facts_sql(
            f"{scope_sql} AND f.disaggregation <> ''", live=bool(live), every_source=every
        )
        keys = LAYOUT_SQL.format(column="x.disaggregation")
        picked = f"""
            SELECT m.out_period, '' AS option, f.* FROM ({totals}) f {join}
            UNION ALL
            SELECT * FROM (
                SELECT m.out_period, '' AS option, f.* FROM ({options}) f {join}
                ANTI JOIN ({totals}) t ON t.indicator_id = f.indicator_id
                 AND t.unit_id = f.unit_id AND t.period = f.period
            ) x
            QUALIFY {keys} = min({keys}) OVER (PARTITION BY x.indicator_id, x.unit_id, x.period)"""
    else:
        facts = _facts_sql(f"{scope_sql} AND {disaggregation}", live=bool(live), every_source=every)
        picked = f"SELECT m.out_period, {option_sql} AS option, f.* FROM ({facts}) f {join}"
    shortcut = _placement_column(query) if remap is None else None
    if shortcut is not None:
        # Provinces or the whole country, as of each value's period: the column computed when
        # the store was built (as DHIS2's analytics tables carry each level's unit).
        placed = f"""
            SELECT p.*, p.{shortcut} AS out_unit, 1.0::DOUBLE AS weight, FALSE AS moved,
                   FALSE AS partial
            FROM picked p WHERE p.{shortcut} IN ({units})"""
    elif remap is None:
        placed = f"""
            SELECT p.*, a.ancestor_id AS out_unit, 1.0::DOUBLE AS weight, FALSE AS moved,
                   FALSE AS partial
            FROM picked p JOIN ancestry a ON a.unit_id = p.unit_id
             AND p.period_end BETWEEN a.valid_from AND a.valid_to
            WHERE a.ancestor_id IN ({units})"""
    else:
        placed = f"""
            SELECT p.*, a.ancestor_id AS out_unit, r.weight, r.target_id <> r.unit_id AS moved,
                   r.partial
            FROM picked p JOIN {remap} r ON r.unit_id = p.unit_id
            JOIN ancestry a ON a.unit_id = r.target_id
             AND DATE '{query.structure}' BETWEEN a.valid_from AND a.valid_to
            WHERE a.ancestor_id IN ({units})"""
    final = _final_sql(aggregation)
    sql = f"""
        WITH period_map(indicator_id, code, out_period) AS (VALUES {values}),
        picked AS ({picked}),
        placed AS ({placed})
        {final}
    """
    parameters = {"source": query.source} if query.source else {}
    rows = con.execute(sql, parameters).fetchall()
    return [
        Cell(
            indicator=codes[int(indicator_id)],
            unit_id=int(out_unit),
            period=str(out_period),
            disaggregation=str(option),
            value=None if value is None else float(value),
            values=int(count),
            provisional=bool(provisional),
            remapped=bool(moved),
            partial=bool(partial),
        )
        for (
            indicator_id,
            out_unit,
            out_period,
            option,
            value,
            count,
            provisional,
            moved,
            partial,
        ) in rows
    ]


def _disaggregation_sql(disaggregation: str, layout: str = "") -> tuple[str, str]:
    """The filter on stored disaggregation keys, and the option each row reports under.

    The total (`disaggregation` empty) is the stored total; for an indicator with figures
    stored by options (`layout` OPTIONS, see `_total_layouts`) every row is read and each
    figure's rows are chosen in `_aggregate`.
    """
    if not disaggregation and layout == OPTIONS:
        return "TRUE", "''"  # `_aggregate` picks each figure's rows
    if not disaggregation:
        return "f.disaggregation = ''", "''"
    if not _OPTION.fullmatch(disaggregation):
        raise EngineError("disaggregation")
    if disaggregation.endswith("=*") and "," not in disaggregation:
        dimension = disaggregation[:-2]
        return (
            f"f.disaggregation LIKE '{dimension}=%' AND f.disaggregation NOT LIKE '%,%'",
            "f.disaggregation",
        )
    if "*" in disaggregation:
        raise EngineError("disaggregation")
    return f"f.disaggregation = '{disaggregation}'", "f.disaggregation"


_GROUP = "indicator_id, out_unit, out_period, option"
_FLAGS = "sum(n) AS n, bool_or(provisional), bool_or(moved), bool_or(partial)"
_DIRECT_FLAGS = "count(*) AS n, bool_or(provisional), bool_or(moved), bool_or(partial)"


def _final_sql(aggregation: str) -> str:
    """Over time and units, by the indicator's aggregation type (module docstring).

    Sums, averages, extremes and counts aggregate the placed values in one grouping; only
    stocks (the last value per unit) and averages of sums need a grouping per unit or period
    first.
    """
    direct = {
        "sum": "sum(value * weight)",
        "average": "sum(value * weight) / nullif(sum(weight), 0)",
        "min": "min(value)",
        "max": "max(value)",
        "count": "count(*)",
        # The unit's own value for exactly that period; the units below it are not added up
        # (a national CPI is the statistics office's figure, not a sum of provinces').
        "none": "min(value) FILTER (WHERE unit_id = out_unit AND period = out_period)",
    }
    if aggregation in direct:
        return (
            f"SELECT {_GROUP}, {direct[aggregation]}, {_DIRECT_FLAGS} FROM placed GROUP BY {_GROUP}"
        )
    per_value = f"""
        , per_value AS (
            SELECT {_GROUP}, unit_id, period, period_start, sum(value * weight) AS v,
                   count(*) AS n, bool_or(provisional) AS provisional, bool_or(moved) AS moved,
                   bool_or(partial) AS partial
            FROM placed GROUP BY {_GROUP}, unit_id, period, period_start)"""
    if aggregation == "last":
        return f"""{per_value}
            , latest AS (
                SELECT {_GROUP}, unit_id, arg_max(v, period_start) AS v, sum(n) AS n,
                       bool_or(provisional) AS provisional, bool_or(moved) AS moved,
                       bool_or(partial) AS partial
                FROM per_value GROUP BY {_GROUP}, unit_id)
            SELECT {_GROUP}, sum(v), {_FLAGS} FROM latest GROUP BY {_GROUP}"""
    if aggregation == "average_sum_units":
        return f"""{per_value}
            , by_period AS (
                SELECT {_GROUP}, period, sum(v) AS v, sum(n) AS n,
                       bool_or(provisional) AS provisional, bool_or(moved) AS moved,
                       bool_or(partial) AS partial
                FROM per_value GROUP BY {_GROUP}, period)
            SELECT {_GROUP}, avg(v), {_FLAGS} FROM by_period GROUP BY {_GROUP}"""
    raise EngineError("aggregation")


def indicator_period_types(indicator_ids: Sequence[int]) -> dict[int, set[str]]:
    """The period types each indicator has values for, in the store and the changes since."""
    held = reader()
    if held is None:
        return {}
    con, generation = held
    live = _overlay(con, generation)
    return _period_types(con, indicator_ids, live)
