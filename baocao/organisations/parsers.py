"""Reading units files (CSV or YAML) into a `HierarchyDocument`.

Every problem is reported with the file, the line and the field, and a file with any
problem yields no document at all (docs/organisations.md describes both formats).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from baocao.core.dates import parse_iso_date
from baocao.core.errors import DomainError, Rejected
from baocao.core.text import nfc
from baocao.organisations.documents import (
    EventSpec,
    HierarchyDocument,
    LinkSpec,
    UnitSpec,
    VersionSpec,
)
from baocao.organisations.errors import UnitError

VERSION_KEYS = (
    "name",
    "short_name",
    "type",
    "parent",
    "valid_from",
    "valid_to",
    "latitude",
    "longitude",
)
CSV_COLUMNS = ("code", "level", *VERSION_KEYS)
CSV_REQUIRED = ("code", "name", "level", "type")
LINE = "__line__"


def parse_units_file(path: Path) -> HierarchyDocument:
    """Parse a `.csv`, `.yaml` or `.yml` units file; raise `Rejected` listing every problem."""
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".yaml", ".yml"}:
        raise Rejected([DomainError(UnitError.FILE_FORMAT, file=name, suffix=suffix or "''")])
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise Rejected([DomainError(UnitError.FILE_UNREADABLE, file=name, reason=exc)]) from exc
    if suffix == ".csv":
        return parse_units_csv(text, file=name)
    return parse_units_yaml(text, file=name)


class _Collector:
    """Gathers problems so that a file is reported whole, not one error per run."""

    def __init__(self, file: str | None) -> None:
        self.file = file
        self.problems: list[DomainError] = []

    def add(
        self, error: UnitError, *, line: int | None, field: str | None = None, **args: Any
    ) -> None:
        self.problems.append(DomainError(error, file=self.file, line=line, field=field, **args))

    def raise_if_any(self) -> None:
        if self.problems:
            raise Rejected(self.problems)

    # Field readers: return None and record a problem when the value is unusable.
    def text(self, raw: Any, *, line: int | None, field: str, required: bool) -> str | None:
        value = nfc(str(raw)) if raw is not None else ""
        if not value:
            if required:
                self.add(UnitError.MISSING_FIELD, line=line, field=field)
            return None
        return value

    def date(self, raw: Any, *, line: int | None, field: str) -> dt.date | None:
        if raw is None or str(raw).strip() == "":
            return None
        try:
            return parse_iso_date(raw if isinstance(raw, dt.date) else str(raw))
        except ValueError:
            self.add(UnitError.INVALID_DATE, line=line, field=field, value=str(raw))
            return None

    def decimal(self, raw: Any, *, line: int | None, field: str) -> Decimal | None:
        if raw is None or str(raw).strip() == "":
            return None
        try:
            return Decimal(str(raw).strip())
        except InvalidOperation:
            self.add(UnitError.INVALID_NUMBER, line=line, field=field, value=str(raw))
            return None

    def boolean(self, raw: Any, *, line: int | None, field: str) -> bool:
        if raw is None or raw == "":
            return False
        if isinstance(raw, bool):
            return raw
        value = str(raw).strip().lower()
        if value in {"true", "yes", "1", "có"}:
            return True
        if value in {"false", "no", "0", "không"}:
            return False
        self.add(UnitError.INVALID_BOOLEAN, line=line, field=field, value=str(raw))
        return False


def parse_units_csv(text: str, *, file: str | None = None) -> HierarchyDocument:
    """One row per unit version: `code,name,short_name,level,type,parent,valid_from,valid_to`."""
    problems = _Collector(file)
    reader = csv.DictReader(io.StringIO(text))
    header = [column.strip() for column in (reader.fieldnames or [])]
    reader.fieldnames = header
    for column in header:
        if column not in CSV_COLUMNS:
            problems.add(
                UnitError.UNKNOWN_COLUMN,
                line=1,
                field=column,
                column=column,
                expected=", ".join(CSV_COLUMNS),
            )
    for column in CSV_REQUIRED:
        if column not in header:
            problems.add(UnitError.MISSING_FIELD, line=1, field=column)
    problems.raise_if_any()

    units: dict[str, UnitSpec] = {}
    for row in reader:
        line = reader.line_num
        code = problems.text(row.get("code"), line=line, field="code", required=True)
        level = problems.text(row.get("level"), line=line, field="level", required=True)
        version = _version(problems, row, line)
        if code is None or level is None or version is None:
            continue
        unit = units.get(code)
        if unit is None:
            units[code] = unit = UnitSpec(code=code, level=level, line=line)
        elif unit.level != level:
            problems.add(
                UnitError.LEVEL_CONFLICT,
                line=line,
                field="level",
                code=code,
                first=unit.level,
                second=level,
            )
        unit.versions.append(version)
    problems.raise_if_any()
    return HierarchyDocument(units=list(units.values()), file=file)


class _StringLoader(yaml.SafeLoader):
    """YAML loader that keeps scalars as strings (codes like 01 must not become numbers)
    and remembers the line of every mapping."""


_StringLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag in {"tag:yaml.org,2002:null", "tag:yaml.org,2002:bool"}
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _mapping_with_line(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE] = node.start_mark.line + 1
    return mapping


_StringLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def parse_units_yaml(text: str, *, file: str | None = None) -> HierarchyDocument:
    """`units:` (with `versions:` or one version's fields inline) and `events:`."""
    problems = _Collector(file)
    try:
        data = yaml.load(text, Loader=_StringLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problems.add(UnitError.FILE_STRUCTURE, line=line, reason=str(exc).splitlines()[0])
        problems.raise_if_any()
    if not isinstance(data, dict):
        problems.add(
            UnitError.FILE_STRUCTURE,
            line=1,
            reason="the top level must be a mapping with 'units' and/or 'events'",
        )
        problems.raise_if_any()
    for key in data:
        if key not in {"units", "events", LINE}:
            problems.add(
                UnitError.FILE_STRUCTURE, line=1, field=key, reason=f"unknown top-level key {key!r}"
            )
    document = HierarchyDocument(file=file)
    for entry in _entries(problems, data.get("units"), "units"):
        unit = _yaml_unit(problems, entry)
        if unit is not None:
            document.units.append(unit)
    for entry in _entries(problems, data.get("events"), "events"):
        event = _yaml_event(problems, entry)
        if event is not None:
            document.events.append(event)
    problems.raise_if_any()
    return document


def _entries(problems: _Collector, raw: Any, key: str) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        problems.add(
            UnitError.FILE_STRUCTURE,
            line=None,
            field=key,
            reason=f"'{key}' must be a list of mappings",
        )
        return []
    return raw


def _yaml_unit(problems: _Collector, entry: dict[str, Any]) -> UnitSpec | None:
    line = entry.get(LINE)
    code = problems.text(entry.get("code"), line=line, field="code", required=True)
    level = problems.text(entry.get("level"), line=line, field="level", required=True)
    versions: list[VersionSpec] = []
    raw_versions = entry.get("versions")
    if raw_versions is not None:
        for raw in _entries(problems, raw_versions, "versions"):
            version = _version(problems, raw, raw.get(LINE))
            if version is not None:
                versions.append(version)
    elif any(key in entry for key in VERSION_KEYS):
        version = _version(problems, entry, line)
        if version is not None:
            versions.append(version)
    for key in entry:
        if key not in {"code", "level", "versions", LINE, *VERSION_KEYS}:
            problems.add(
                UnitError.FILE_STRUCTURE,
                line=line,
                field=key,
                reason=f"unknown key {key!r} in a unit",
            )
    if code is None or level is None:
        return None
    return UnitSpec(code=code, level=level, versions=versions, line=line)


def _yaml_event(problems: _Collector, entry: dict[str, Any]) -> EventSpec | None:
    line = entry.get(LINE)
    code = problems.text(entry.get("code"), line=line, field="code", required=True)
    kind = problems.text(entry.get("kind"), line=line, field="kind", required=True)
    effective = entry.get("effective_date")
    if effective is None or str(effective).strip() == "":
        problems.add(UnitError.MISSING_FIELD, line=line, field="effective_date")
    effective_date = problems.date(effective, line=line, field="effective_date")
    links: list[LinkSpec] = []
    for raw in _entries(problems, entry.get("links"), "links"):
        link_line = raw.get(LINE)
        predecessor = problems.text(raw.get("from"), line=link_line, field="from", required=True)
        successor = problems.text(raw.get("to"), line=link_line, field="to", required=True)
        partial = problems.boolean(raw.get("partial"), line=link_line, field="partial")
        weight = problems.decimal(raw.get("weight"), line=link_line, field="weight")
        if predecessor and successor:
            links.append(LinkSpec(predecessor, successor, partial, weight, link_line))
    if code is None or kind is None or effective_date is None:
        return None
    return EventSpec(
        code=code,
        kind=kind,
        effective_date=effective_date,
        legal_act=nfc(str(entry.get("legal_act") or "")),
        legal_act_title=nfc(str(entry.get("legal_act_title") or "")),
        note=nfc(str(entry.get("note") or "")),
        links=links,
        line=line,
    )


def _version(problems: _Collector, row: dict[str, Any], line: int | None) -> VersionSpec | None:
    name = problems.text(row.get("name"), line=line, field="name", required=True)
    unit_type = problems.text(row.get("type"), line=line, field="type", required=True)
    parent = problems.text(row.get("parent"), line=line, field="parent", required=False)
    valid_from = problems.date(row.get("valid_from"), line=line, field="valid_from")
    valid_to = problems.date(row.get("valid_to"), line=line, field="valid_to")
    latitude = problems.decimal(row.get("latitude"), line=line, field="latitude")
    longitude = problems.decimal(row.get("longitude"), line=line, field="longitude")
    if name is None or unit_type is None:
        return None
    return VersionSpec(
        name=name,
        type=unit_type,
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
        short_name=nfc(str(row.get("short_name") or "")),
        latitude=latitude,
        longitude=longitude,
        line=line,
    )
