"""Units as the analytics store sees them: who sits below whom, on which days, and how the
units of one date map onto those of another.

Two structures (issue 6, scope 2):

- *historical*, as of each value's period: a commune's June 2025 value counts in its district
  and old province, its July 2025 value in its new province. The `ancestry` table holds, for
  every unit, each ancestor (itself included, at depth 0) with the days the link held (the
  intersection of the parent links' validity along the chain); a value joins it on its
  period's last day.
- *as of a date*: every unit that no longer existed on that date is mapped onto the units that
  took it over, through the lineage links of the change events up to that date (the same walk
  as `baocao.organisations.selectors.unit_successors`, in memory for all units at once). A
  partial transfer (a commune split between several new ones) passes its data on by the link's
  weight, or in equal shares when the weight is unknown; results that rely on such a share
  are flagged `remapped_partial`.

Province series re-aggregate exactly (whole provinces merged, none split, DESIGN.md); commune
series across 2025 rely on the weights of the about 441 split communes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import F

from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import LineageLink, Unit, UnitVersion

# Open ends of validity, as dates DuckDB compares.
BEGINNING = dt.date(1900, 1, 1)
END = dt.date(9999, 12, 31)
MAX_STEPS = 12


@dataclasses.dataclass(frozen=True)
class Remap:
    """A unit's data passing to `target` on the structure's date, in share `weight`."""

    unit_id: int
    target_id: int
    weight: float
    partial: bool


def parent_rows() -> list[tuple[int, int | None, dt.date, dt.date]]:
    """(unit, parent, valid from, valid to) of every unit version, open ends closed."""
    return [
        (unit_id, parent_id, valid_from or BEGINNING, valid_to or END)
        for unit_id, parent_id, valid_from, valid_to in UnitVersion.objects.values_list(
            "unit_id", "parent_id", "valid_from", "valid_to"
        )
    ]


def unit_rows() -> list[tuple[int, str, str, str]]:
    """(unit, code, level, name) of every unit, the name as it is today or last was."""
    today = org_selectors.today()
    names: dict[int, str] = {}
    for unit_id, name, valid_from in UnitVersion.objects.order_by(
        "unit_id", F("valid_from").asc(nulls_first=True)
    ).values_list("unit_id", "name", "valid_from"):
        if valid_from is None or valid_from <= today or unit_id not in names:
            names[unit_id] = name
    return [
        (unit_id, code, level, names.get(unit_id, code))
        for unit_id, code, level in Unit.objects.values_list("pk", "code", "level")
    ]


def remap_rows(on: dt.date) -> list[Remap]:
    """How every unit's data maps onto the units in force on `on`.

    Units in force on `on` map to themselves; others follow the lineage links of events on or
    before `on` that come after the unit's own end. Units with no way forward (abolished
    without successor) map nowhere: their data does not count in that structure.
    """
    versions: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    levels: dict[int, str] = {}
    for unit_id, valid_from, valid_to, level in UnitVersion.objects.values_list(
        "unit_id", "valid_from", "valid_to", "unit__level"
    ):
        versions[unit_id].append((valid_from or BEGINNING, valid_to or END))
        levels[unit_id] = level
    in_force = {
        unit_id
        for unit_id, spans in versions.items()
        if any(start <= on <= end for start, end in spans)
    }
    links: dict[int, list[tuple[dt.date, int, bool, Decimal | None]]] = defaultdict(list)
    for predecessor, successor, date, partial, weight in LineageLink.objects.values_list(
        "predecessor_id", "successor_id", "event__effective_date", "partial", "weight"
    ):
        links[predecessor].append((date, successor, partial, weight))
    found: list[Remap] = []
    for unit_id in versions:
        if unit_id in in_force:
            found.append(Remap(unit_id, unit_id, 1.0, False))
            continue
        shares: dict[int, tuple[float, bool]] = {}
        _walk(unit_id, on, None, 1.0, False, 0, links, levels, in_force, shares)
        found.extend(
            Remap(unit_id, target, weight, partial)
            for target, (weight, partial) in sorted(shares.items())
        )
    return found


def _walk(
    unit_id: int,
    on: dt.date,
    arrived: dt.date | None,
    weight: float,
    partial: bool,
    steps: int,
    links: dict[int, list[tuple[dt.date, int, bool, Decimal | None]]],
    levels: dict[int, str],
    in_force: set[int],
    shares: dict[int, tuple[float, bool]],
) -> None:
    if arrived is not None and unit_id in in_force:
        before, was_partial = shares.get(unit_id, (0.0, False))
        shares[unit_id] = (before + weight, was_partial or partial)
        return
    if steps >= MAX_STEPS:
        return
    candidates = [
        link
        for link in links.get(unit_id, ())
        if link[0] <= on and (arrived is None or link[0] > arrived)
    ]
    # As the organisations app does: links to units of the same level first (a province that
    # absorbed provinces also took over its districts; the district links are not its own).
    same_level = [link for link in candidates if levels.get(link[1]) == levels.get(unit_id)]
    candidates = same_level or candidates
    if not candidates:
        return
    # The first event after the unit's arrival moves it; later events move its successors.
    first = min(link[0] for link in candidates)
    moves = [link for link in candidates if link[0] == first]
    unknown = [link for link in moves if link[2] and link[3] is None]
    known = sum(float(link[3]) for link in moves if link[2] and link[3] is not None)
    for date, successor, link_partial, link_weight in moves:
        if not link_partial:
            share = 1.0
        elif link_weight is not None:
            share = float(link_weight)
        else:
            # No weight recorded: what the known weights leave, in equal parts.
            share = max(0.0, 1.0 - known) / len(unknown)
        _walk(
            successor,
            on,
            date,
            weight * share,
            partial or link_partial,
            steps + 1,
            links,
            levels,
            in_force,
            shares,
        )
