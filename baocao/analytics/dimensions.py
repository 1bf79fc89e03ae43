"""The store's small tables in memory: indicators, units and who sits below whom.

A dashboard query names indicators and units by code and may ask for "the units directly
below"; answering that from the transactional database costs several queries each time
(most of a query's time once the aggregation itself takes a few milliseconds). The generation
holds the same information as of its build, so each connection reads it once per generation
and answers from dictionaries. Indicators or units created after the build are not in it:
the selectors then look them up in the catalogue and the registry, and the next compaction or
rebuild brings them in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

from baocao.analytics.store import reader, reader_state


@dataclasses.dataclass(frozen=True)
class StoredIndicator:
    id: int
    code: str
    aggregation: str
    value_type: str
    formula: str


@dataclasses.dataclass(frozen=True)
class StoredUnit:
    id: int
    code: str
    level: str
    name: str


@dataclasses.dataclass
class StoreDimensions:
    indicators: dict[str, StoredIndicator]
    units: dict[str, StoredUnit]
    units_by_id: dict[int, StoredUnit]
    below: dict[int, list[tuple[int, dt.date, dt.date]]]
    roots: frozenset[int]  # units that never had a parent (the Government)

    def children_on(self, parent_id: int, on: dt.date) -> list[StoredUnit]:
        """The units directly below `parent_id` on `on`, by code."""
        found = [
            self.units_by_id[child]
            for child, start, end in self.below.get(parent_id, ())
            if start <= on <= end and child in self.units_by_id
        ]
        return sorted(dict.fromkeys(found), key=lambda unit: unit.code)


def store_dimensions() -> StoreDimensions | None:
    """This connection's copy of the published generation's dimensions (None: no store)."""
    held = reader()
    if held is None:
        return None
    state = reader_state()
    cached: StoreDimensions | None = state.get("dimensions")
    if cached is not None:
        return cached
    con = held[0]
    indicators = {
        code: StoredIndicator(int(pk), code, aggregation, value_type, formula or "")
        for pk, code, aggregation, value_type, formula in con.execute(
            "SELECT indicator_id, code, aggregation, value_type, formula FROM indicators"
        ).fetchall()
    }
    units = {
        code: StoredUnit(int(pk), code, level, name)
        for pk, code, level, name in con.execute(
            "SELECT unit_id, code, level, name FROM units"
        ).fetchall()
    }
    below: dict[int, list[tuple[int, dt.date, dt.date]]] = defaultdict(list)
    for unit_id, parent_id, start, end in con.execute(
        "SELECT unit_id, parent_id, valid_from, valid_to FROM unit_parents "
        "WHERE parent_id IS NOT NULL"
    ).fetchall():
        below[int(parent_id)].append((int(unit_id), start, end))
    with_parent = {child for children in below.values() for child, _start, _end in children}
    cached = StoreDimensions(
        indicators,
        units,
        {unit.id: unit for unit in units.values()},
        dict(below),
        frozenset(unit.id for unit in units.values() if unit.id not in with_parent),
    )
    state["dimensions"] = cached
    return cached
