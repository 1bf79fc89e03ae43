"""The dated hierarchy in memory, for the benchmark's data and its PostgreSQL baseline.

Both need, for millions of (unit, period) pairs, where a unit stood on the period: which
province it was in and whether it was a commune then. Asking the selectors once a pair would
take hours; every unit version is read here once (about 14,000 rows for the real hierarchy)
and each day's answers are computed in memory and kept.

A unit's place on a period is its place on the period's last day: for months the 2025
reorganisation (in force on 2025-07-01) falls between two periods either way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from baocao.organisations.choices import Level
from baocao.organisations.models import Unit, UnitVersion
from baocao.periods import parse_period

MAX_DEPTH = 16  # deeper than any real hierarchy; a guard against a cycle in corrupted data


@dataclass(frozen=True)
class UnitPlace:
    """Where a unit stood on a day: the codes of its ancestors at the fixed levels.

    `national` is the root of its tree (the Government, `CP`); `province` and `commune` are
    the unit itself or its ancestor at that level, "" when it has none (a ministry, a
    district of the old structure has no commune).
    """

    national: str
    province: str
    commune: str
    code: str
    level: str


@cache
def period_end(code: str) -> dt.date:
    """The last day of a period code (`202612` → 2026-12-31)."""
    return parse_period(code).end


class DatedHierarchy:
    """Every unit version, read once; a unit's place on any day computed in memory."""

    def __init__(self) -> None:
        self.codes: dict[int, str] = {}
        self.levels: dict[int, str] = {}
        for pk, code, level in Unit.objects.values_list("pk", "code", "level"):
            self.codes[pk], self.levels[pk] = code, level
        self._versions: dict[int, list[tuple[dt.date, dt.date, int | None]]] = {}
        rows = UnitVersion.objects.values_list("unit_id", "parent_id", "valid_from", "valid_to")
        for unit_id, parent_id, valid_from, valid_to in rows:
            self._versions.setdefault(unit_id, []).append(
                (valid_from or dt.date.min, valid_to or dt.date.max, parent_id)
            )
        self._places: dict[dt.date, dict[int, UnitPlace | None]] = {}

    def exists_on(self, unit_id: int, day: dt.date) -> bool:
        return any(start <= day <= end for start, end, _ in self._versions.get(unit_id, ()))

    def parent_on(self, unit_id: int, day: dt.date) -> int | None:
        for start, end, parent_id in self._versions.get(unit_id, ()):
            if start <= day <= end:
                return parent_id
        return None

    def place(self, unit_id: int, day: dt.date) -> UnitPlace | None:
        """The unit's place on a day, or None if it had no version in force then."""
        places = self._places.setdefault(day, {})
        if unit_id not in places:
            places[unit_id] = self._place(unit_id, day)
        return places[unit_id]

    def _place(self, unit_id: int, day: dt.date) -> UnitPlace | None:
        if not self.exists_on(unit_id, day):
            return None
        found: dict[str, str] = {Level.PROVINCE.value: "", Level.COMMUNE.value: ""}
        current: int | None = unit_id
        root = unit_id
        for _ in range(MAX_DEPTH):
            if current is None:
                break
            root = current
            level = self.levels[current]
            if level in found and not found[level]:
                found[level] = self.codes[current]
            current = self.parent_on(current, day)
        return UnitPlace(
            national=self.codes[root],
            province=found[Level.PROVINCE.value],
            commune=found[Level.COMMUNE.value],
            code=self.codes[unit_id],
            level=self.levels[unit_id],
        )

    def units_on(self, day: dt.date, *, level: str) -> list[int]:
        """Ids of the units of a level in force on a day, by code."""
        ids = [
            unit_id
            for unit_id, unit_level in self.levels.items()
            if unit_level == level and self.exists_on(unit_id, day)
        ]
        return sorted(ids, key=self.codes.__getitem__)
