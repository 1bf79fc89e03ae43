"""Catalogue YAML files: reading them into a `CatalogueDocument`, and dumping one.

Reading keeps, for every entry, the file it came from and the line of every key, so that
each problem names `file:line`, the path inside the file (`indicators[3].formula`) and
the reason. A file with any problem yields nothing: the whole load is refused.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from baocao.catalogue.errors import CatalogueError
from baocao.catalogue.spec import (
    AlertSpec,
    CatalogueSpec,
    DashboardSpec,
    DimensionSpec,
    FormSpec,
    IndicatorSpec,
    ReconciliationSpec,
    RegimeSpec,
    RuleSpec,
    SectorSpec,
    TargetSpec,
)
from baocao.core.errors import DomainError, Rejected
from baocao.core.text import nfc

KINDS = (
    "sectors",
    "dimensions",
    "indicators",
    "forms",
    "regimes",
    "rules",
    "reconciliations",
    "dashboards",
    "targets",
    "alerts",
)
SUFFIXES = (".yaml", ".yml")

PathKey = tuple[str | int, ...]
S = TypeVar("S", bound=BaseModel)


@dataclasses.dataclass(frozen=True)
class Origin:
    """Where an entry was written: its file, its path in the file and its keys' lines."""

    file: str
    path: PathKey
    lines: dict[PathKey, int]

    def where(self, *subpath: str | int) -> dict[str, Any]:
        """`file`, `line` and `field` arguments for a `DomainError` about this entry."""
        full = self.path + subpath
        line = None
        probe = full
        while probe and line is None:
            line = self.lines.get(probe)
            probe = probe[:-1]
        return {"file": self.file, "line": line, "field": format_path(full)}


@dataclasses.dataclass(frozen=True)
class Entry(Generic[S]):
    spec: S
    origin: Origin


@dataclasses.dataclass
class CatalogueDocument:
    """Entries of every kind, each with its origin, in file order."""

    sectors: list[Entry[SectorSpec]] = dataclasses.field(default_factory=list)
    dimensions: list[Entry[DimensionSpec]] = dataclasses.field(default_factory=list)
    indicators: list[Entry[IndicatorSpec]] = dataclasses.field(default_factory=list)
    forms: list[Entry[FormSpec]] = dataclasses.field(default_factory=list)
    regimes: list[Entry[RegimeSpec]] = dataclasses.field(default_factory=list)
    rules: list[Entry[RuleSpec]] = dataclasses.field(default_factory=list)
    reconciliations: list[Entry[ReconciliationSpec]] = dataclasses.field(default_factory=list)
    dashboards: list[Entry[DashboardSpec]] = dataclasses.field(default_factory=list)
    targets: list[Entry[TargetSpec]] = dataclasses.field(default_factory=list)
    alerts: list[Entry[AlertSpec]] = dataclasses.field(default_factory=list)

    def entries(self) -> Iterator[tuple[str, list[Entry[Any]]]]:
        for kind in KINDS:
            yield kind, getattr(self, kind)

    def size(self) -> int:
        return sum(len(entries) for _, entries in self.entries())


def format_path(path: PathKey) -> str:
    """('indicators', 3, 'formula') -> 'indicators[3].formula'."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + part
    return text


def catalogue_files(path: Path) -> list[Path]:
    """The YAML files a path names: itself, or every *.yaml/*.yml below it, sorted."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
    return [path]


def catalogue_read(path: Path) -> CatalogueDocument:
    """Read a catalogue file or directory; raise `Rejected` with every problem found."""
    files = catalogue_files(path)
    if not files:
        raise Rejected([DomainError(CatalogueError.NO_FILES, file=str(path), path=str(path))])
    document = CatalogueDocument()
    problems: list[DomainError] = []
    for file in files:
        try:
            text = file.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(DomainError(CatalogueError.FILE_UNREADABLE, file=str(file), reason=exc))
            continue
        problems.extend(catalogue_parse(text, file=str(file), into=document))
    if problems:
        raise Rejected(problems)
    return document


def catalogue_parse(text: str, *, file: str, into: CatalogueDocument) -> list[DomainError]:
    """Parse one file's text into `into`; return its problems (and add nothing if any)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        return [DomainError(CatalogueError.FILE_NOT_YAML, file=file, line=line, reason=reason)]
    if data is None:
        return []
    lines: dict[PathKey, int] = {}
    _collect_lines(node, (), lines)
    if not isinstance(data, dict):
        return [
            DomainError(CatalogueError.NOT_A_MAPPING, file=file, line=1, expected=", ".join(KINDS))
        ]
    data = _nfc(data)
    try:
        spec = CatalogueSpec.model_validate(data)
    except ValidationError as exc:
        return [_schema_problem(error, file=file, lines=lines) for error in exc.errors()]
    for kind in KINDS:
        target = getattr(into, kind)
        for index, item in enumerate(getattr(spec, kind)):
            target.append(Entry(item, Origin(file, (kind, index), lines)))
    return []


def _collect_lines(node: yaml.Node | None, path: PathKey, lines: dict[PathKey, int]) -> None:
    if node is None:
        return
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, key.value)
            lines[child] = key.start_mark.line + 1
            _collect_lines(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_lines(item, (*path, index), lines)


def _nfc(value: Any) -> Any:
    # Text is stored NFC-normalised (STYLE.md), whatever the editor that wrote the file did.
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [_nfc(item) for item in value]
    if isinstance(value, dict):
        return {_nfc(key): _nfc(item) for key, item in value.items()}
    return value


_SCHEMA_ERRORS: dict[str, CatalogueError] = {
    "extra_forbidden": CatalogueError.UNKNOWN_FIELD,
    "missing": CatalogueError.MISSING_FIELD,
    "enum": CatalogueError.INVALID_CHOICE,
    "literal_error": CatalogueError.INVALID_CHOICE,
    "string_pattern_mismatch": CatalogueError.INVALID_CODE,
    "date_parsing": CatalogueError.INVALID_DATE,
    "date_from_datetime_parsing": CatalogueError.INVALID_DATE,
    "date_from_datetime_inexact": CatalogueError.INVALID_DATE,
    "date_type": CatalogueError.INVALID_DATE,
    "int_parsing": CatalogueError.INVALID_INTEGER,
    "int_type": CatalogueError.INVALID_INTEGER,
    "int_from_float": CatalogueError.INVALID_INTEGER,
    "decimal_parsing": CatalogueError.INVALID_NUMBER,
    "decimal_type": CatalogueError.INVALID_NUMBER,
    "finite_number": CatalogueError.INVALID_NUMBER,
    "bool_parsing": CatalogueError.INVALID_BOOLEAN,
    "bool_type": CatalogueError.INVALID_BOOLEAN,
    "string_type": CatalogueError.INVALID_TEXT,
    "list_type": CatalogueError.INVALID_LIST,
    "model_type": CatalogueError.INVALID_MAPPING,
    "dict_type": CatalogueError.INVALID_MAPPING,
    "model_attributes_type": CatalogueError.INVALID_MAPPING,
    "too_short": CatalogueError.TOO_SHORT,
    "string_too_short": CatalogueError.MISSING_FIELD,
    "string_too_long": CatalogueError.TOO_LONG,
    "greater_than_equal": CatalogueError.OUT_OF_RANGE,
    "less_than_equal": CatalogueError.OUT_OF_RANGE,
    # Raised by `spec.UnitCode` for `unit: 01`, which YAML reads as the number 1.
    "unit_code_number": CatalogueError.UNIT_CODE_QUOTES,
}


def _schema_problem(error: Any, *, file: str, lines: dict[PathKey, int]) -> DomainError:
    """Turn one pydantic error into a translated problem at its file, line and path."""
    loc: PathKey = tuple(error["loc"])
    code = _SCHEMA_ERRORS.get(error["type"], CatalogueError.INVALID_VALUE)
    ctx = error.get("ctx") or {}
    value = error.get("input")
    name = next((part for part in reversed(loc) if isinstance(part, str)), "")
    args: dict[str, Any] = {
        "name": name,
        "value": value if isinstance(value, str | int | float | bool) else repr(value),
        "expected": ctx.get("expected", ""),
        "minimum": ctx.get("min_length", ""),
        "maximum": ctx.get("max_length", ""),
        "limits": ", ".join(f"{key} {ctx[key]}" for key in ("ge", "le") if key in ctx),
        "reason": error.get("msg", ""),
    }
    origin = Origin(file, (), lines)
    return DomainError(code, **origin.where(*loc), **args)


# Dumping -----------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block style, Unicode as is, multi-line text as literal blocks."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=style)


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    # A plain YAML number (`2`, `0.5`), as a person writes a tolerance, never `2.0000` or `1E+1`.
    text = format(value.normalize(), "f")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


# Choices are str subclasses (Django TextChoices): write them as plain strings.
_Dumper.add_multi_representer(str, _represent_str)
_Dumper.add_representer(Decimal, _represent_decimal)


def catalogue_yaml(data: dict[str, Any], *, header: str = "") -> str:
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, indent=2)
    return header + body


def catalogue_write(spec: CatalogueSpec, path: Path) -> list[Path]:
    """Write a catalogue to one file (`*.yaml`) or to one file per kind in a directory."""
    data = spec.model_dump(mode="python", exclude_defaults=True)
    header = "# baocao catalogue (baocao catalogue dump). Load with: baocao catalogue load PATH\n"
    written: list[Path] = []
    if path.suffix.lower() in SUFFIXES:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(catalogue_yaml(data, header=header), encoding="utf-8")
        return [path]
    path.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        if kind in data:
            target = path / f"{kind}.yaml"
            target.write_text(catalogue_yaml({kind: data[kind]}, header=header), encoding="utf-8")
            written.append(target)
    return written
