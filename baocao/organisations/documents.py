"""Plain descriptions of hierarchy content, independent of where they come from.

The national dataset, a CSV file and a YAML file are all turned into a `HierarchyDocument`
and written by one service, `hierarchy_apply`, which validates the whole document against
what is already stored before writing anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class VersionSpec:
    name: str
    type: str
    parent: str | None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    short_name: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    line: int | None = None


@dataclass
class UnitSpec:
    code: str
    level: str
    versions: list[VersionSpec] = field(default_factory=list)
    line: int | None = None


@dataclass
class LinkSpec:
    predecessor: str
    successor: str
    partial: bool = False
    weight: Decimal | None = None
    line: int | None = None


@dataclass
class EventSpec:
    code: str
    kind: str
    effective_date: dt.date
    legal_act: str = ""
    legal_act_title: str = ""
    note: str = ""
    links: list[LinkSpec] = field(default_factory=list)
    line: int | None = None


@dataclass
class HierarchyDocument:
    """Units (each with the versions to create or update) and change events."""

    units: list[UnitSpec] = field(default_factory=list)
    events: list[EventSpec] = field(default_factory=list)
    file: str | None = None

    def extend(self, other: HierarchyDocument) -> None:
        """Add another document's content; versions of the same unit are merged."""
        by_code = {unit.code: unit for unit in self.units}
        for unit in other.units:
            if unit.code in by_code:
                by_code[unit.code].versions.extend(unit.versions)
            else:
                self.units.append(unit)
                by_code[unit.code] = unit
        self.events.extend(other.events)
