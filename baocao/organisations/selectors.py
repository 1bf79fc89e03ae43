"""Reads of the dated hierarchy: the tree, ancestors, descendants, lineage, counts.

Every query takes the day it is asked for (`on`); without one it means today.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from baocao.core.errors import NotFound
from baocao.core.text import fold
from baocao.organisations.errors import UnitError
from baocao.organisations.models import ChangeEvent, LineageLink, Unit, UnitVersion

MAX_DEPTH = 16  # deeper than any real hierarchy; a guard against corrupted data


def today() -> dt.date:
    return timezone.localdate()


@dataclass(frozen=True)
class UnitAt:
    """A unit as it was on a day: its code, level and the version in force."""

    unit: Unit
    version: UnitVersion

    @property
    def code(self) -> str:
        return self.unit.code

    @property
    def name(self) -> str:
        return self.version.name

    @property
    def parent_code(self) -> str | None:
        parent = self.version.parent
        return parent.code if parent is not None else None


def unit_get(*, code: str) -> Unit:
    """The unit with this code, or `NotFound`."""
    try:
        return Unit.objects.get(code=code)
    except Unit.DoesNotExist:
        raise NotFound(UnitError.UNKNOWN_UNIT, field="code", code=code) from None


def versions_on(on: dt.date) -> QuerySet[UnitVersion]:
    return UnitVersion.objects.valid_on(on).select_related("unit", "parent")


def unit_version_on(*, unit: Unit, on: dt.date) -> UnitVersion | None:
    """The version of a unit in force on a day, if it existed then."""
    return versions_on(on).filter(unit=unit).first()


def unit_as_of(*, unit: Unit, on: dt.date | None = None) -> UnitVersion | None:
    """The unit as it was on a day (today by default), or as it last was if it had ceased.

    What pages, reports and messages name a unit by: a ward merged away keeps the name its
    reports were sent under.
    """
    return unit_version_on(unit=unit, on=on or today()) or unit_last_version(unit=unit)


def unit_name_as_of(*, unit: Unit, on: dt.date | None = None) -> str:
    """The unit's name on a day (see `unit_as_of`), or its code if it has no version."""
    version = unit_as_of(unit=unit, on=on)
    return version.name if version is not None else unit.code


def unit_last_version(*, unit: Unit, before: dt.date | None = None) -> UnitVersion | None:
    """The latest version (starting before a day, if given)."""
    versions = UnitVersion.objects.filter(unit=unit).select_related("unit", "parent")
    if before is not None:
        versions = versions.filter(Q(valid_from__isnull=True) | Q(valid_from__lt=before))
    ordered = sorted(versions, key=lambda v: v.valid_from or dt.date.min)
    return ordered[-1] if ordered else None


def units_on(
    *,
    on: dt.date,
    level: str | None = None,
    unit_type: str | None = None,
    parent: Unit | None = None,
    search: str | None = None,
) -> QuerySet[UnitVersion]:
    """Versions in force on a day, filtered; one per unit, ordered by code."""
    versions = versions_on(on)
    if level:
        versions = versions.filter(unit__level=level)
    if unit_type:
        versions = versions.filter(type=unit_type)
    if parent is not None:
        versions = versions.filter(parent=parent)
    if search:
        folded = fold(search)
        # Accent-insensitive matching in Python: SQLite and PostgreSQL fold Vietnamese
        # differently, and a day's units (about 3,400 today) are cheap to scan.
        matching = [
            unit_id
            for unit_id, name in versions.select_related(None).values_list("unit_id", "name")
            if folded in fold(name)
        ]
        versions = versions.filter(Q(unit_id__in=matching) | Q(unit__code=search.strip().upper()))
    return versions.order_by("unit__code")


def units_count(*, on: dt.date, level: str | None = None) -> int:
    """How many units were in force on a day (at a level)."""
    versions = UnitVersion.objects.valid_on(on)
    if level:
        versions = versions.filter(unit__level=level)
    return versions.values("unit_id").distinct().count()


def unit_children(*, unit: Unit, on: dt.date) -> QuerySet[UnitVersion]:
    return versions_on(on).filter(parent=unit).order_by("unit__code")


def unit_ancestors(*, unit: Unit, on: dt.date) -> list[UnitAt]:
    """The chain of parents on a day, nearest first; empty if the unit did not exist."""
    chain: list[UnitAt] = []
    version = unit_version_on(unit=unit, on=on)
    seen = {unit.pk}
    while version is not None and version.parent_id is not None and len(chain) < MAX_DEPTH:
        parent_version = versions_on(on).filter(unit_id=version.parent_id).first()
        if parent_version is None or parent_version.unit_id in seen:
            break
        seen.add(parent_version.unit_id)
        chain.append(UnitAt(parent_version.unit, parent_version))
        version = parent_version
    return chain


def unit_descendants(
    *, unit: Unit, on: dt.date, level: str | None = None, include_self: bool = False
) -> list[UnitAt]:
    """Everything below a unit on a day, breadth first (one query per level of depth)."""
    found: list[UnitAt] = []
    if include_self:
        own = unit_version_on(unit=unit, on=on)
        if own is not None:
            found.append(UnitAt(unit, own))
    frontier = [unit.pk]
    seen = {unit.pk}
    for _depth in range(MAX_DEPTH):
        if not frontier:
            break
        children = list(versions_on(on).filter(parent_id__in=frontier).order_by("unit__code"))
        frontier = []
        for child in children:
            if child.unit_id in seen:
                continue
            seen.add(child.unit_id)
            frontier.append(child.unit_id)
            found.append(UnitAt(child.unit, child))
    if level:
        found = [item for item in found if item.unit.level == level]
    return found


def descendant_ids(*, unit: Unit, on: dt.date) -> set[int]:
    """Ids of a unit and everything below it on a day (for scoping querysets)."""
    return {unit.pk} | {item.unit.pk for item in unit_descendants(unit=unit, on=on)}


@dataclass(frozen=True)
class LineageStep:
    """A unit linked to another through a change event."""

    unit: Unit
    version: UnitVersion | None
    event: ChangeEvent | None
    partial: bool


def unit_successors(*, unit: Unit, on: dt.date | None = None) -> list[LineageStep]:
    """Units that took over a unit at its last change event.

    A unit that never changed, or still exists unchanged, is its own successor. With `on`,
    links are followed through later events until units in force on that day.
    """
    if on is not None:
        return _follow(unit, on, forward=True)
    links = _last_links(unit, forward=True)
    if not links:
        return _itself(unit)
    return [
        LineageStep(
            link.successor,
            _version_from(link.successor, link.event.effective_date),
            link.event,
            link.partial,
        )
        for link in links
    ]


def unit_predecessors(*, unit: Unit, on: dt.date | None = None) -> list[LineageStep]:
    """Units whose territory a unit took over at its latest change event.

    A unit without predecessors is its own predecessor. With `on`, links are followed back
    through earlier events until units in force on that day.
    """
    if on is not None:
        return _follow(unit, on, forward=False)
    links = _last_links(unit, forward=False)
    if not links:
        return _itself(unit)
    return [
        LineageStep(
            link.predecessor,
            unit_last_version(unit=link.predecessor, before=link.event.effective_date),
            link.event,
            link.partial,
        )
        for link in links
    ]


def _itself(unit: Unit) -> list[LineageStep]:
    return [LineageStep(unit, unit_last_version(unit=unit), None, False)]


def _last_links(unit: Unit, *, forward: bool) -> list[LineageLink]:
    """The links of the unit's latest change that moved territory to or from other units."""
    links = _links(unit, forward=forward)
    if not links:
        return []
    if forward:
        last = max(link.event.effective_date for link in links)
        return [link for link in links if link.event.effective_date == last]
    # Backwards, the latest event that brought other units in (a type change alone links a
    # unit only to itself and would hide the 2025 merger behind a 2026 renaming).
    for date in sorted({link.event.effective_date for link in links}, reverse=True):
        batch = [link for link in links if link.event.effective_date == date]
        if any(link.predecessor_id != unit.pk for link in batch):
            return batch
    return []


def _version_from(unit: Unit, day: dt.date) -> UnitVersion | None:
    return unit_version_on(unit=unit, on=day) or unit_last_version(unit=unit)


def _follow(unit: Unit, on: dt.date, *, forward: bool) -> list[LineageStep]:
    """Walk lineage links from `unit` until units in force on `on` are reached.

    Forwards, only events on or before `on` are followed; backwards, only events after it.
    Each step must move on in time from the event it arrived by.
    """
    result: dict[int, LineageStep] = {}
    stack: list[tuple[Unit, bool, dt.date | None]] = [(unit, False, None)]
    seen: set[tuple[int, dt.date | None]] = set()
    while stack:
        current, partial, arrived = stack.pop()
        if (current.pk, arrived) in seen:
            continue
        seen.add((current.pk, arrived))
        version = unit_version_on(unit=current, on=on)
        links = [
            link
            for link in _links(current, forward=forward)
            if _in_window(link.event.effective_date, on, arrived, forward=forward)
        ]
        if version is not None and (arrived is not None or not links):
            previous = result.get(current.pk)
            result[current.pk] = LineageStep(
                current, version, None, partial and (previous is None or previous.partial)
            )
            continue
        for link in links:
            nxt = link.successor if forward else link.predecessor
            stack.append((nxt, partial or link.partial, link.event.effective_date))
    return sorted(result.values(), key=lambda step: step.unit.code)


def _links(unit: Unit, *, forward: bool) -> list[LineageLink]:
    """Links out of (forward) or into a unit, keeping units of its own level when there are any.

    On 1 July 2025 a province both absorbed other provinces and took over its abolished
    districts; its predecessors are the provinces. Links across levels (a district to its
    province, an island district to a special zone) count only when there is nothing else.
    """
    field, other = ("predecessor", "successor") if forward else ("successor", "predecessor")
    links = list(
        LineageLink.objects.filter(**{field: unit})
        .select_related("event", "predecessor", "successor")
        .order_by("event__effective_date", f"{other}__code")
    )
    same_level = [link for link in links if getattr(link, other).level == unit.level]
    return same_level or links


def _in_window(date: dt.date, on: dt.date, arrived: dt.date | None, *, forward: bool) -> bool:
    if forward:
        return date <= on and (arrived is None or date > arrived)
    return date > on and (arrived is None or date < arrived)


def change_events(
    *,
    unit: Unit | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    kind: str | None = None,
) -> QuerySet[ChangeEvent]:
    events = ChangeEvent.objects.prefetch_related(
        Prefetch("links", queryset=LineageLink.objects.select_related("predecessor", "successor"))
    )
    if unit is not None:
        events = events.filter(Q(links__predecessor=unit) | Q(links__successor=unit)).distinct()
    if since is not None:
        events = events.filter(effective_date__gte=since)
    if until is not None:
        events = events.filter(effective_date__lte=until)
    if kind:
        events = events.filter(kind=kind)
    return events.order_by("effective_date", "code")


def children_counts(*, parent_ids: list[int], on: dt.date) -> dict[int, int]:
    """How many units sit directly under each of these units on a day (one query)."""
    rows = (
        UnitVersion.objects.valid_on(on)
        .filter(parent_id__in=parent_ids)
        .values("parent_id")
        .annotate(children=Count("id"))
    )
    return {row["parent_id"]: row["children"] for row in rows}


def tree_on(*, on: dt.date, root: Unit | None = None, depth: int = 1) -> list[dict[str, object]]:
    """A nested tree of units on a day, from the roots (or `root`) down `depth` levels.

    The day's versions are read in one query and assembled in memory: a tree three levels
    deep from the Government holds about 3,400 nodes.
    """
    children: dict[int | None, list[UnitVersion]] = defaultdict(list)
    for version in versions_on(on).order_by("unit__code"):
        children[version.parent_id].append(version)
    if root is None:
        tops = children[None]
    else:
        own = unit_version_on(unit=root, on=on)
        tops = [own] if own is not None else []
    return [_node(version, children, depth) for version in tops]


def _node(
    version: UnitVersion, children: dict[int | None, list[UnitVersion]], depth: int
) -> dict[str, object]:
    below = children.get(version.unit_id, [])
    node: dict[str, object] = {
        "code": version.unit.code,
        "name": version.name,
        "level": version.unit.level,
        "type": version.type,
        "children_count": len(below),
    }
    if depth > 0:
        node["children"] = [_node(child, children, depth - 1) for child in below]
    return node
