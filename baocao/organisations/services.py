"""Writes to the organisation registry.

`hierarchy_apply` is the one way units, versions, events and links are written: the
national loader, the file loader, the admin and the API all go through it. It checks the
whole document against what is stored (codes, levels and types, overlapping versions,
parents in force, cycles, links to known units) and writes nothing unless all is well.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from baocao.audit.choices import AuditAction
from baocao.audit.services import Actor, Change, change_records_create, snapshot
from baocao.core.errors import DomainError, Rejected
from baocao.organisations.choices import PARENT_LEVELS, TYPES_BY_LEVEL, ChangeKind, Level
from baocao.organisations.documents import EventSpec, HierarchyDocument, UnitSpec, VersionSpec
from baocao.organisations.errors import UnitError
from baocao.organisations.models import (
    ChangeEvent,
    HierarchySource,
    LineageLink,
    Unit,
    UnitVersion,
)
from baocao.organisations.models.unit import CODE_VALIDATOR
from baocao.organisations.parsers import parse_units_file
from baocao.organisations.sources import vietnam

VERSION_FIELDS = (
    "name",
    "short_name",
    "type",
    "parent_id",
    "valid_to",
    "latitude",
    "longitude",
)
EVENT_FIELDS = ("kind", "effective_date", "legal_act", "legal_act_title", "note")
_BEGINNING = dt.date.min


@dataclass
class ApplySummary:
    """What a load did, for the CLI and the API."""

    units_created: int = 0
    versions_created: int = 0
    versions_updated: int = 0
    events_created: int = 0
    events_updated: int = 0
    links_created: int = 0
    links_deleted: int = 0
    skipped: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "units_created": self.units_created,
            "versions_created": self.versions_created,
            "versions_updated": self.versions_updated,
            "events_created": self.events_created,
            "events_updated": self.events_updated,
            "links_created": self.links_created,
            "links_deleted": self.links_deleted,
            "skipped": self.skipped,
        }


@dataclass
class _Version:
    """A version of the combined (stored + incoming) state, as validation sees it."""

    code: str
    name: str
    type: str
    parent: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    spec: VersionSpec | None = None  # set when the document brings this version
    stored: UnitVersion | None = None

    @property
    def start(self) -> dt.date:
        return self.valid_from or _BEGINNING

    def covers(self, on: dt.date) -> bool:
        return self.start <= on and (self.valid_to is None or on <= self.valid_to)

    def label(self) -> str:
        start = self.valid_from.isoformat() if self.valid_from else "…"
        end = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{self.name} [{start} – {end}]"


def units_load_vn(*, actor: Actor) -> ApplySummary:
    """Load the national hierarchy; a no-op when the same sources were loaded before."""
    fingerprint = vietnam.fingerprint()
    loaded = HierarchySource.objects.filter(name=vietnam.SOURCE_NAME).first()
    if loaded is not None and loaded.fingerprint == fingerprint:
        return ApplySummary(skipped=True, details=loaded.summary)
    return hierarchy_apply(
        document=vietnam.build_document(),
        actor=actor,
        source=vietnam.SOURCE_NAME,
        fingerprint=fingerprint,
        reason="units load-vn",
    )


def units_load_file(*, path: Path, actor: Actor) -> ApplySummary:
    """Load a CSV or YAML units file; all of it or, on any problem, nothing."""
    document = parse_units_file(path)
    return hierarchy_apply(document=document, actor=actor, reason=f"units load {path.name}")


def hierarchy_apply(
    *,
    document: HierarchyDocument,
    actor: Actor,
    source: str | None = None,
    fingerprint: str | None = None,
    reason: str = "",
) -> ApplySummary:
    """Validate a document against the stored hierarchy and write it in one transaction.

    With `source` and `fingerprint`, the fingerprint is recorded so that the caller can skip
    building and applying an unchanged source next time (`units_load_vn`).
    """
    with transaction.atomic():
        plan = _Plan(document)
        plan.check()
        summary = plan.write(actor=actor, reason=reason or (f"load {source}" if source else ""))
        if source and fingerprint:
            HierarchySource.objects.update_or_create(
                name=source, defaults={"fingerprint": fingerprint, "summary": summary.as_dict()}
            )
    return summary


class _Plan:
    """The stored hierarchy merged with a document, checked, then written."""

    def __init__(self, document: HierarchyDocument) -> None:
        self.document = document
        self.problems: list[DomainError] = []
        self.units: dict[str, Unit] = {unit.code: unit for unit in Unit.objects.all()}
        self.levels: dict[str, str] = {code: unit.level for code, unit in self.units.items()}
        self.versions: dict[str, list[_Version]] = defaultdict(list)
        for stored in UnitVersion.objects.select_related("unit", "parent").order_by("pk"):
            self.versions[stored.unit.code].append(
                _Version(
                    code=stored.unit.code,
                    name=stored.name,
                    type=stored.type,
                    parent=stored.parent.code if stored.parent else None,
                    valid_from=stored.valid_from,
                    valid_to=stored.valid_to,
                    stored=stored,
                )
            )
        self.touched: set[str] = set()

    # -- checking ---------------------------------------------------------------------------
    def problem(
        self, error: UnitError, *, line: int | None, field: str | None = None, **args: Any
    ) -> None:
        self.problems.append(
            DomainError(error, file=self.document.file, line=line, field=field, **args)
        )

    def check(self) -> None:
        self._merge_units()
        self._check_versions()
        self._check_cycles()
        self._check_events()
        if self.problems:
            raise Rejected(self.problems)

    def _merge_units(self) -> None:
        seen: dict[str, UnitSpec] = {}
        for spec in self.document.units:
            try:
                CODE_VALIDATOR(spec.code)
            except ValidationError:
                self.problem(UnitError.INVALID_CODE, line=spec.line, field="code", code=spec.code)
                continue
            if spec.level not in Level.values:
                self.problem(
                    UnitError.INVALID_LEVEL,
                    line=spec.line,
                    field="level",
                    value=spec.level,
                    expected=", ".join(Level.values),
                )
                continue
            previous = seen.get(spec.code)
            if previous is not None and previous.level != spec.level:
                self.problem(
                    UnitError.LEVEL_CONFLICT,
                    line=spec.line,
                    field="level",
                    code=spec.code,
                    first=previous.level,
                    second=spec.level,
                )
                continue
            seen[spec.code] = spec
            existing = self.levels.get(spec.code)
            if existing is not None and existing != spec.level:
                self.problem(
                    UnitError.LEVEL_CHANGED,
                    line=spec.line,
                    field="level",
                    code=spec.code,
                    existing=existing,
                    level=spec.level,
                )
                continue
            self.levels[spec.code] = spec.level
            self.touched.add(spec.code)
            for version in spec.versions:
                self._merge_version(spec, version)

    def _merge_version(self, unit: UnitSpec, spec: VersionSpec) -> None:
        if spec.type not in TYPES_BY_LEVEL[unit.level]:
            if spec.type not in {choice for types in TYPES_BY_LEVEL.values() for choice in types}:
                self.problem(
                    UnitError.INVALID_TYPE,
                    line=spec.line,
                    field="type",
                    value=spec.type,
                    expected=", ".join(sorted(TYPES_BY_LEVEL[unit.level])),
                )
            else:
                self.problem(
                    UnitError.TYPE_NOT_FOR_LEVEL,
                    line=spec.line,
                    field="type",
                    level=unit.level,
                    type=spec.type,
                )
            return
        if spec.valid_from and spec.valid_to and spec.valid_to < spec.valid_from:
            self.problem(
                UnitError.INTERVAL_REVERSED,
                line=spec.line,
                field="valid_to",
                code=unit.code,
                valid_from=spec.valid_from,
                valid_to=spec.valid_to,
            )
            return
        incoming = _Version(
            unit.code, spec.name, spec.type, spec.parent, spec.valid_from, spec.valid_to, spec=spec
        )
        versions = self.versions[unit.code]
        for index, current in enumerate(versions):
            if current.valid_from == spec.valid_from:
                incoming.stored = current.stored
                if current.spec is not None:
                    self.problem(
                        UnitError.DUPLICATE_VERSION,
                        line=spec.line,
                        field="valid_from",
                        code=unit.code,
                        first_line=current.spec.line,
                    )
                    return
                versions[index] = incoming
                return
        versions.append(incoming)

    def _check_versions(self) -> None:
        intervals: dict[str, list[_Version]] = {
            code: sorted(versions, key=lambda v: v.start)
            for code, versions in self.versions.items()
        }
        self.intervals = intervals
        for code, versions in intervals.items():
            for before, after in pairwise(versions):
                if before.valid_to is None or before.valid_to >= after.start:
                    culprit = after if after.spec else before
                    self.problem(
                        UnitError.OVERLAP,
                        line=culprit.spec.line if culprit.spec else None,
                        field="valid_from",
                        code=code,
                        first=before.label(),
                        second=after.label(),
                        date=after.start.isoformat() if after.valid_from else "…",
                    )
        for code, versions in intervals.items():
            level = self.levels[code]
            for version in versions:
                if version.spec is None and version.parent not in self.touched:
                    continue  # untouched stored version under an untouched parent
                self._check_parent(code, level, version)

    def _check_parent(self, code: str, level: str, version: _Version) -> None:
        line = version.spec.line if version.spec else None
        if version.parent is None:
            if PARENT_LEVELS[level]:
                self.problem(UnitError.PARENT_REQUIRED, line=line, field="parent", level=level)
            return
        parent_level = self.levels.get(version.parent)
        if parent_level is None:
            self.problem(UnitError.UNKNOWN_PARENT, line=line, field="parent", code=version.parent)
            return
        if parent_level not in PARENT_LEVELS[level]:
            self.problem(
                UnitError.PARENT_LEVEL,
                line=line,
                field="parent",
                code=code,
                level=level,
                parent=version.parent,
                parent_level=parent_level,
            )
            return
        gap = _first_uncovered_day(version, self.intervals.get(version.parent, []))
        if gap is not None:
            self.problem(
                UnitError.PARENT_NOT_IN_FORCE,
                line=line,
                field="parent",
                code=code,
                parent=version.parent,
                date=gap.isoformat() if gap != _BEGINNING else "…",
            )

    def _check_cycles(self) -> None:
        """Parents change only where a version starts or ends: check the tree on those days."""
        days: set[dt.date] = set()
        for code in self.touched:
            for version in self.versions.get(code, []):
                days.add(version.start)
                if version.valid_to is not None and version.valid_to < dt.date.max:
                    days.add(version.valid_to + dt.timedelta(days=1))
        for day in sorted(days):
            parents = {
                code: version.parent
                for code, versions in self.versions.items()
                for version in versions
                if version.parent is not None and version.covers(day)
            }
            cycle = _find_cycle(parents, self.touched)
            if cycle:
                spec = next(
                    (v.spec for v in self.versions[cycle[0]] if v.spec and v.covers(day)), None
                )
                self.problem(
                    UnitError.CYCLE,
                    line=spec.line if spec else None,
                    field="parent",
                    date=day.isoformat() if day != _BEGINNING else "…",
                    path=" → ".join(cycle),
                )
                return

    def _check_events(self) -> None:
        seen: dict[str, EventSpec] = {}
        for event in self.document.events:
            if event.code in seen:
                self.problem(
                    UnitError.DUPLICATE_EVENT,
                    line=event.line,
                    field="code",
                    code=event.code,
                    first_line=seen[event.code].line,
                )
                continue
            seen[event.code] = event
            if event.kind not in ChangeKind.values:
                self.problem(
                    UnitError.INVALID_KIND,
                    line=event.line,
                    field="kind",
                    value=event.kind,
                    expected=", ".join(ChangeKind.values),
                )
            if not event.links:
                self.problem(
                    UnitError.EVENT_NO_LINKS, line=event.line, field="links", code=event.code
                )
            for link in event.links:
                for field_name, code in (("from", link.predecessor), ("to", link.successor)):
                    if code not in self.levels:
                        self.problem(
                            UnitError.UNKNOWN_LINK_UNIT,
                            line=link.line or event.line,
                            field=field_name,
                            code=code,
                        )
                if link.weight is not None and not Decimal(0) <= link.weight <= Decimal(1):
                    self.problem(
                        UnitError.INVALID_NUMBER,
                        line=link.line or event.line,
                        field="weight",
                        value=link.weight,
                    )

    # -- writing ----------------------------------------------------------------------------
    def write(self, *, actor: Actor, reason: str) -> ApplySummary:
        summary = ApplySummary()
        changes: list[Change] = []
        new_units = [
            Unit(code=code, level=self.levels[code])
            for code in sorted(self.touched)
            if code not in self.units
        ]
        for unit in new_units:
            unit.full_clean(validate_unique=False, validate_constraints=False)
        Unit.objects.bulk_create(new_units, batch_size=2000)
        for unit in Unit.objects.filter(code__in=[u.code for u in new_units]):
            self.units[unit.code] = unit
            changes.append(Change(AuditAction.CREATE, unit, None, snapshot(unit)))
        summary.units_created = len(new_units)

        created: list[UnitVersion] = []
        updated: list[tuple[UnitVersion, dict[str, Any]]] = []
        for code in sorted(self.touched):
            for version in self.versions.get(code, []):
                if version.spec is None:
                    continue
                values = self._version_values(version.spec)
                if version.stored is None:
                    created.append(
                        UnitVersion(unit=self.units[code], valid_from=version.valid_from, **values)
                    )
                elif any(getattr(version.stored, k) != v for k, v in values.items()):
                    before = snapshot(version.stored)
                    for key, value in values.items():
                        setattr(version.stored, key, value)
                    updated.append((version.stored, before))
        # Updates first: a shortened version must end before its successor starts.
        for stored, before in updated:
            stored.full_clean(
                exclude=["unit", "parent"], validate_unique=False, validate_constraints=False
            )
            changes.append(Change(AuditAction.UPDATE, stored, before, snapshot(stored)))
        UnitVersion.objects.bulk_update(
            [s for s, _ in updated], list(VERSION_FIELDS), batch_size=2000
        )
        for new_version in created:
            new_version.full_clean(
                exclude=["unit", "parent"], validate_unique=False, validate_constraints=False
            )
        UnitVersion.objects.bulk_create(created, batch_size=2000)
        changes.extend(Change(AuditAction.CREATE, v, None, snapshot(v)) for v in created)
        summary.versions_created = len(created)
        summary.versions_updated = len(updated)

        self._write_events(summary, changes)
        change_records_create(actor=actor, changes=changes, reason=reason)
        return summary

    def _version_values(self, spec: VersionSpec) -> dict[str, Any]:
        return {
            "name": spec.name,
            "short_name": spec.short_name,
            "type": spec.type,
            "parent_id": self.units[spec.parent].pk if spec.parent else None,
            "valid_to": spec.valid_to,
            "latitude": spec.latitude,
            "longitude": spec.longitude,
        }

    def _write_events(self, summary: ApplySummary, changes: list[Change]) -> None:
        if not self.document.events:
            return
        stored = {
            event.code: event
            for event in ChangeEvent.objects.filter(code__in=[e.code for e in self.document.events])
        }
        new_events: list[ChangeEvent] = []
        for spec in self.document.events:
            values = {name: getattr(spec, name) for name in EVENT_FIELDS}
            event = stored.get(spec.code)
            if event is None:
                new_events.append(ChangeEvent(code=spec.code, **values))
            elif any(getattr(event, k) != v for k, v in values.items()):
                before = snapshot(event)
                for key, value in values.items():
                    setattr(event, key, value)
                event.full_clean(validate_unique=False, validate_constraints=False)
                event.save()
                changes.append(Change(AuditAction.UPDATE, event, before, snapshot(event)))
                summary.events_updated += 1
        for event in new_events:
            event.full_clean(validate_unique=False, validate_constraints=False)
        ChangeEvent.objects.bulk_create(new_events, batch_size=2000)
        summary.events_created = len(new_events)
        events = {
            event.code: event
            for event in ChangeEvent.objects.filter(code__in=[e.code for e in self.document.events])
        }
        changes.extend(
            Change(AuditAction.CREATE, events[e.code], None, snapshot(events[e.code]))
            for e in new_events
        )

        existing_links: dict[tuple[int, int, int], LineageLink] = {
            (link.event_id, link.predecessor_id, link.successor_id): link
            for link in LineageLink.objects.filter(event__in=events.values())
        }
        wanted: dict[tuple[int, int, int], LineageLink] = {}
        for spec in self.document.events:
            event = events[spec.code]
            for link_spec in spec.links:
                ids = (
                    event.pk,
                    self.units[link_spec.predecessor].pk,
                    self.units[link_spec.successor].pk,
                )
                wanted[ids] = LineageLink(
                    event=event,
                    predecessor_id=ids[1],
                    successor_id=ids[2],
                    partial=link_spec.partial,
                    weight=link_spec.weight,
                )
        stale = [link for ids, link in existing_links.items() if ids not in wanted]
        changed = []
        for ids, link in wanted.items():
            current = existing_links.get(ids)
            if current is not None and (current.partial, current.weight) != (
                link.partial,
                link.weight,
            ):
                before = snapshot(current)
                current.partial, current.weight = link.partial, link.weight
                changed.append(current)
                changes.append(Change(AuditAction.UPDATE, current, before, snapshot(current)))
        fresh = [link for ids, link in wanted.items() if ids not in existing_links]
        for link in stale:
            changes.append(Change(AuditAction.DELETE, link, snapshot(link), None))
        LineageLink.objects.filter(pk__in=[link.pk for link in stale]).delete()
        LineageLink.objects.bulk_update(changed, ["partial", "weight"], batch_size=2000)
        LineageLink.objects.bulk_create(fresh, batch_size=2000)
        changes.extend(Change(AuditAction.CREATE, link, None, snapshot(link)) for link in fresh)
        summary.links_created = len(fresh)
        summary.links_deleted = len(stale)


def _first_uncovered_day(child: _Version, parent_versions: Iterable[_Version]) -> dt.date | None:
    """The first day of `child`'s interval on which no parent version is in force."""
    cursor = child.start
    end = child.valid_to
    for version in sorted(parent_versions, key=lambda v: v.start):
        if version.valid_to is not None and version.valid_to < cursor:
            continue
        if version.start > cursor:
            return cursor
        if version.valid_to is None:
            return None
        cursor = version.valid_to + dt.timedelta(days=1)
        if end is not None and cursor > end:
            return None
    return cursor


def _find_cycle(parents: dict[str, str], starts: Iterable[str]) -> list[str] | None:
    """A cycle reachable from `starts` in a child→parent map, as a list of codes."""
    done: set[str] = set()
    for start in starts:
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = start
        while node is not None and node not in done:
            if node in on_path:
                return [*path[path.index(node) :], node]
            path.append(node)
            on_path.add(node)
            node = parents.get(node)
        done.update(path)
    return None
