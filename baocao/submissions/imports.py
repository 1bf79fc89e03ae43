"""Bulk import of data values from CSV, for other systems and data migrations (issue 4, scope 5).

The file is UTF-8 (a byte-order mark is tolerated) with the header
`indicator,disaggregation,unit,period,value[,comment]`; codes everywhere and plain numbers
(`1234.5`), as the API speaks. Each row is one value keyed (indicator, disaggregation, unit,
period, source), the way DHIS2 keys `DataValue`; `source` names the system the values come from
(`IMPORT` by default) and can never be a regime code: a regime's values arrive through its
reports, where they are checked, signed and reviewed.

The pipeline follows DHIS2's data value set import:

1. read the header (a wrong one rejects the whole file);
2. check every row in a fixed order against codes held in memory, loaded once: column count,
   indicator (derived ones refused), disaggregation, unit (and the API user's scope), period,
   unit in force during the period, duplicate key within the file, value, comment. A row that
   fails stops at its first problem and becomes one conflict naming its line;
3. write the rows that passed, chunk by chunk, each chunk in its own transaction: a crash
   leaves whole chunks or nothing of a chunk. The database does the work in a few statements
   per chunk: the rows go to a temporary table (`executemany` on SQLite, `COPY` on
   PostgreSQL), then one query counts new, changed, unchanged and deleted values, one copies
   the values about to change or go into `DataValueHistory`, one upserts and one deletes;
4. return an `ImportSummary`: imported (new), updated, ignored (the same value was already
   stored, or a delete of a value that did not exist), deleted, rejected, and the conflicts.

An empty value deletes the stored value (its last value is kept in the history). Without a
`comment` column stored comments are left as they are; with one, the comment is set (an empty
cell clears it), as DHIS2 does.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from collections.abc import Generator, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baocao.audit.services import Actor
from baocao.catalogue.choices import NUMERIC_VALUE_TYPES, ValueType
from baocao.catalogue.models import DimensionOption, Indicator, IndicatorDimension, Regime
from baocao.catalogue.rules import period_problem
from baocao.core.errors import DomainError
from baocao.organisations.models import Unit, UnitVersion
from baocao.periods import Period, PeriodError, parse_period
from baocao.submissions import permissions
from baocao.submissions.choices import ValueSource
from baocao.submissions.errors import SubmissionError
from baocao.submissions.layout import disaggregation_key
from baocao.submissions.models import DataValue, DataValueHistory
from baocao.submissions.values import clean_comment, clean_value

COLUMNS = ("indicator", "disaggregation", "unit", "period", "value")
COMMENT = "comment"
DEFAULT_SOURCE = "IMPORT"
SOURCE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9._-]*")
MAX_SOURCE = DataValue._meta.get_field("source").max_length or 64
# Rows per transaction: large enough that the per-statement cost vanishes, small enough that
# a chunk's temporary table and transaction stay a few megabytes.
CHUNK_ROWS = 100_000
SQLITE_CACHE_KIB = 512 * 1024
# On PostgreSQL, statistics of the value table are refreshed after an import of this many new
# values, so that later imports and reports are planned for the table's real size.
ANALYZE_AFTER = 50_000
# Lines are sliced to this many characters before they are shown in a message.
_SHOWN = 60

_PLAIN_NUMBER = re.compile(r"(-?)(\d{1,15})(?:\.(\d+))?", re.ASCII)
_UNDECODABLE = re.compile("[\udc80-\udcff]")


@dataclasses.dataclass(frozen=True, slots=True)
class Conflict:
    """Why one row was rejected: its line in the file (header = 1), the code and the message."""

    row: int
    code: str
    message: str
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"row": self.row, "code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        return data


@dataclasses.dataclass
class ImportSummary:
    """What an import did (or, with `dry_run`, would do)."""

    source: str
    dry_run: bool = False
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    rejected: int = 0
    conflicts: list[Conflict] = dataclasses.field(default_factory=list)

    @property
    def total(self) -> int:
        return self.imported + self.updated + self.ignored + self.deleted + self.rejected

    def as_dict(self, *, max_conflicts: int | None = None) -> dict[str, Any]:
        """JSON for the API; `max_conflicts` caps the list (the counts stay exact)."""
        shown = self.conflicts if max_conflicts is None else self.conflicts[:max_conflicts]
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "imported": self.imported,
            "updated": self.updated,
            "ignored": self.ignored,
            "deleted": self.deleted,
            "rejected": self.rejected,
            "total": self.total,
            "conflicts": [conflict.as_dict() for conflict in shown],
            "conflicts_truncated": len(shown) < len(self.conflicts),
        }


# A row that passed every check: (indicator id, disaggregation, unit id, period code, value,
# comment or None when the file has no comment column, line).
StagedRow = tuple[int, str, int, str, str, str | None, int]


@dataclasses.dataclass(frozen=True, slots=True)
class _IndicatorInfo:
    id: int
    code: str
    value_type: str
    decimals: int
    derived: bool
    numeric: bool
    dimensions: tuple[str, ...]  # dimension codes, in the indicator's order
    options: dict[str, frozenset[str]]  # dimension code → option codes


def values_import(
    *,
    file: IO[bytes] | str | Path,
    source: str = DEFAULT_SOURCE,
    actor: Actor,
    dry_run: bool = False,
) -> ImportSummary:
    """Import data values from a CSV file; see the module docstring.

    `actor` None is the system (the CLI): every unit may be written. A user (the API) may
    write only the units `permissions.may_write` allows them; other rows are rejected with
    `forbidden_unit`. File-level problems (source, encoding, header) raise `DomainError` and
    nothing is written.
    """
    source = _check_source(source)
    summary = ImportSummary(source=source, dry_run=dry_run)
    with ExitStack() as stack:
        binary = (
            stack.enter_context(Path(file).open("rb")) if isinstance(file, str | Path) else file
        )
        staged = _read_rows(binary, summary=summary, actor=actor)
    _write(staged, source=source, actor=actor, summary=summary)
    return summary


# 1. Source and file -----------------------------------------------------------------------------


def _check_source(source: str) -> str:
    text = (source or "").strip()
    if len(text) > MAX_SOURCE or not SOURCE_PATTERN.fullmatch(text):
        raise DomainError(
            SubmissionError.IMPORT_SOURCE_INVALID, field="source", source=text, maximum=MAX_SOURCE
        )
    # Values keyed by a regime code belong to that regime's reports (DataValue.source).
    if Regime.objects.filter(code=text).exists():
        raise DomainError(SubmissionError.IMPORT_SOURCE_IS_REGIME, field="source", source=text)
    return text


def _text_stream(binary: IO[bytes]) -> io.TextIOWrapper:
    if not hasattr(binary, "readable"):
        binary = io.BytesIO(binary.read())
    # surrogateescape keeps undecodable bytes as lone surrogates so that the row holding
    # them can be named exactly (a strict decoder fails on a block read ahead of the parser).
    return io.TextIOWrapper(
        binary,
        encoding="utf-8-sig",
        errors="surrogateescape",
        newline="",
    )


def _records(binary: IO[bytes]) -> Generator[tuple[int, list[str]], None, None]:
    """(line where the record starts, fields), blank lines skipped; raises on bad bytes."""
    text = _text_stream(binary)
    reader = csv.reader(text, strict=False)
    next_line = 1
    try:
        for fields in reader:
            line = next_line
            next_line = reader.line_num + 1
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            joined = ",".join(fields)
            if not joined.isascii() and _UNDECODABLE.search(joined):
                raise DomainError(
                    SubmissionError.CSV_ENCODING,
                    field="file",
                    line=line,
                    reason=_("line %(line)s holds bytes that are not UTF-8") % {"line": line},
                )
            yield line, fields
    except csv.Error:
        raise DomainError(SubmissionError.CSV_INVALID, field="file", line=next_line) from None
    finally:
        # Hand the caller's file back open (the wrapper would close it when collected).
        if not text.closed:
            text.detach()


def _read_header(fields: list[str]) -> bool:
    """Whether the file has a comment column; `CSV_HEADER` if the header is not ours."""
    names = tuple(name.strip().lower() for name in fields)
    if names in (COLUMNS, (*COLUMNS, COMMENT)):
        return len(names) == len(COLUMNS) + 1
    raise DomainError(
        SubmissionError.CSV_HEADER,
        row=1,
        expected=",".join(COLUMNS) + "[," + COMMENT + "]",
        found=",".join(fields)[:200],
    )


# 2. Rows ----------------------------------------------------------------------------------------


class _Catalogue:
    """Every code a row may name, loaded once; the per-row checks are dictionary lookups."""

    def __init__(self, actor: Actor) -> None:
        dimensions: dict[int, list[str]] = {}
        for indicator_id, code in (
            IndicatorDimension.objects.order_by("indicator_id", "order", "pk")
            .values_list("indicator_id", "dimension__code")
            .iterator()
        ):
            dimensions.setdefault(indicator_id, []).append(code)
        options: dict[str, set[str]] = {}
        for dimension, option in DimensionOption.objects.values_list("dimension__code", "code"):
            options.setdefault(dimension, set()).add(option)
        self.indicators: dict[str, _IndicatorInfo] = {}
        for pk, code, value_type, decimals, formula in Indicator.objects.values_list(
            "pk", "code", "value_type", "decimals", "formula"
        ):
            own = tuple(dimensions.get(pk, ()))
            self.indicators[code] = _IndicatorInfo(
                id=pk,
                code=code,
                value_type=value_type,
                decimals=decimals,
                derived=bool(formula),
                numeric=value_type in NUMERIC_VALUE_TYPES,
                dimensions=own,
                options={dimension: frozenset(options.get(dimension, ())) for dimension in own},
            )
        self.units: dict[str, int] = dict(Unit.objects.values_list("code", "pk"))
        self.unit_codes = {pk: code for code, pk in self.units.items()}
        self.versions: dict[int, list[tuple[dt.date | None, dt.date | None]]] = {}
        for unit_id, valid_from, valid_to in UnitVersion.objects.values_list(
            "unit_id", "valid_from", "valid_to"
        ):
            self.versions.setdefault(unit_id, []).append((valid_from, valid_to))
        self.writable = _writable_unit_ids(actor)

    def in_force(self, unit_id: int, period: Period) -> bool:
        """Whether some version of the unit overlaps the period (a part of it is enough)."""
        return any(
            (start is None or start <= period.end) and (end is None or end >= period.start)
            for start, end in self.versions.get(unit_id, ())
        )


def _writable_unit_ids(actor: Actor) -> set[int] | None:
    """Units the actor may write (`None`: all), computed once rather than row by row.

    `permissions.may_write` decides; it is asked about the actor's own unit and the units
    delegated to them, and about a unit that is neither, which only a user who may write
    everywhere (a superuser) is allowed.
    """
    if actor is None:
        return None
    if permissions.may_write(actor, Unit(pk=0)):
        return None
    candidates = set(permissions.delegated_unit_ids(actor))
    own = getattr(actor, "unit_id", None)
    if own is not None:
        candidates.add(own)
    return {pk for pk in candidates if permissions.may_write(actor, Unit(pk=pk))}


def _read_rows(binary: IO[bytes], *, summary: ImportSummary, actor: Actor) -> list[StagedRow]:
    """Check every row; return those that passed, record a conflict for each other one."""
    records = _records(binary)
    try:
        return _check_rows(records, summary=summary, actor=actor)
    finally:
        records.close()


def _check_rows(
    records: Iterator[tuple[int, list[str]]], *, summary: ImportSummary, actor: Actor
) -> list[StagedRow]:
    first = next(records, None)
    if first is None:
        raise DomainError(
            SubmissionError.CSV_HEADER,
            row=1,
            expected=",".join(COLUMNS) + "[," + COMMENT + "]",
            found="",
        )
    has_comment = _read_header(first[1])
    width = len(COLUMNS) + (1 if has_comment else 0)
    catalogue = _Catalogue(actor)
    indicators, units, writable = catalogue.indicators, catalogue.units, catalogue.writable
    disaggregations: dict[tuple[str, str], str | DomainError] = {}
    periods: dict[str, tuple[str, Period] | DomainError] = {}
    in_force: dict[tuple[int, str], bool] = {}
    first_seen: dict[tuple[int, str, int, str], int] = {}
    staged: list[StagedRow] = []
    conflicts = summary.conflicts

    def reject(line: int, error: DomainError, field: str | None) -> None:
        conflicts.append(Conflict(row=line, code=error.code, message=error.message, field=field))

    for line, fields in records:
        if len(fields) != width:
            reject(
                line,
                DomainError(SubmissionError.CSV_COLUMNS, found=len(fields), expected=width),
                None,
            )
            continue
        indicator_code = fields[0].strip()
        info = indicators.get(indicator_code)
        if info is None:
            reject(
                line,
                DomainError(SubmissionError.UNKNOWN_INDICATOR, code=indicator_code[:_SHOWN]),
                "indicator",
            )
            continue
        if info.derived:
            reject(
                line,
                DomainError(SubmissionError.DERIVED_NOT_ENTERED, indicator=info.code),
                "indicator",
            )
            continue
        raw_disaggregation = fields[1]
        disaggregation = disaggregations.get((info.code, raw_disaggregation))
        if disaggregation is None:
            disaggregation = _disaggregation(info, raw_disaggregation)
            disaggregations[info.code, raw_disaggregation] = disaggregation
        if isinstance(disaggregation, DomainError):
            reject(line, disaggregation, "disaggregation")
            continue
        unit_code = fields[2].strip()
        unit_id = units.get(unit_code)
        if unit_id is None:
            reject(line, DomainError(SubmissionError.UNKNOWN_UNIT, code=unit_code[:_SHOWN]), "unit")
            continue
        if writable is not None and unit_id not in writable:
            reject(line, DomainError(SubmissionError.FORBIDDEN_UNIT, unit=unit_code), "unit")
            continue
        raw_period = fields[3]
        parsed = periods.get(raw_period)
        if parsed is None:
            parsed = periods[raw_period] = _period(raw_period)
        if isinstance(parsed, DomainError):
            reject(line, parsed, "period")
            continue
        period_code, period = parsed
        exists = in_force.get((unit_id, period_code))
        if exists is None:
            exists = in_force[unit_id, period_code] = catalogue.in_force(unit_id, period)
        if not exists:
            reject(
                line,
                DomainError(SubmissionError.UNIT_NOT_IN_FORCE, unit=unit_code, period=period_code),
                "unit",
            )
            continue
        key = (info.id, disaggregation, unit_id, period_code)
        earlier = first_seen.setdefault(key, line)
        if earlier != line:
            reject(line, DomainError(SubmissionError.CSV_DUPLICATE, first=earlier), None)
            continue
        raw_value = fields[4]
        comment: str | None = None
        try:
            if has_comment:
                comment = clean_comment(fields[5])
            if (
                info.numeric
                and raw_value.isdigit()
                and raw_value.isascii()
                and len(raw_value) < 16
                and raw_value[0] != "0"
            ):
                # Most values of a migration are whole numbers already in canonical form.
                value = raw_value
            else:
                value = _clean(info, raw_value)
        except DomainError as error:
            reject(
                line,
                error,
                "comment" if error.error is SubmissionError.COMMENT_TOO_LONG else "value",
            )
            continue
        if not value and comment:
            reject(line, DomainError(SubmissionError.COMMENT_WITHOUT_VALUE), "comment")
            continue
        staged.append((info.id, disaggregation, unit_id, period_code, value, comment, line))
    summary.rejected = len(conflicts)
    return staged


def _disaggregation(info: _IndicatorInfo, raw: str) -> str | DomainError:
    """`""` or `DIM=OPT,...` in the indicator's dimension order; a bare unambiguous `OPT` too."""
    text = raw.strip()
    if not text:
        return ""
    chosen: dict[str, str] = {}
    for part in text.split(","):
        dimension, equals, option = (piece.strip() for piece in part.partition("="))
        if not equals:
            option = dimension
            owners = [code for code in info.dimensions if option in info.options[code]]
            if len(owners) != 1:
                return _bad_disaggregation(info, text)
            dimension = owners[0]
        if option not in info.options.get(dimension, ()) or dimension in chosen:
            return _bad_disaggregation(info, text)
        chosen[dimension] = option
    return disaggregation_key([(code, chosen[code]) for code in info.dimensions if code in chosen])


def _bad_disaggregation(info: _IndicatorInfo, text: str) -> DomainError:
    allowed = ", ".join(
        f"{dimension}={option}"
        for dimension in info.dimensions
        for option in sorted(info.options[dimension])
    )
    return DomainError(
        SubmissionError.UNKNOWN_DISAGGREGATION,
        value=text[:_SHOWN],
        indicator=info.code,
        allowed=allowed or "—",
    )


def _period(raw: str) -> tuple[str, Period] | DomainError:
    try:
        period = parse_period(raw)
        return period.code, period
    except PeriodError as error:
        return period_problem(error)


def _clean(info: _IndicatorInfo, raw: str) -> str:
    """The canonical value (`""` for a delete), as `values.clean_value` with style "plain"."""
    if info.value_type in NUMERIC_VALUE_TYPES:
        fast = _plain_number(
            raw, integer=info.value_type == ValueType.INTEGER, decimals=info.decimals
        )
        if fast is not None:
            return fast
    if not raw.strip():
        return ""
    return clean_value(value_type=info.value_type, decimals=info.decimals, raw=raw, style="plain")


def _plain_number(raw: str, *, integer: bool, decimals: int) -> str | None:
    """The common case of `clean_value` (`-12`, `1234.50`) without Decimal, or None.

    None means "ask `clean_value`": anything unusual and every error goes through it, so the
    messages are the same. At most 15 whole digits keeps the value below `values.MAX_ABS`.
    A test checks that both give the same text.
    """
    match = _PLAIN_NUMBER.fullmatch(raw)
    if match is None:
        return None
    sign, whole, fraction = match.groups()
    fraction = (fraction or "").rstrip("0")
    if fraction and (integer or len(fraction) > decimals):
        return None
    whole = whole.lstrip("0") or "0"
    if whole == "0" and not fraction:
        return "0"
    return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"


# 3. Writing -------------------------------------------------------------------------------------


def _actor_name(actor: Actor) -> str:
    # The same name `services` records on the values a person saves.
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "system"
    full = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return str(full or actor.get_username())


_STAGE = "baocao_import_stage"
_WORK = "baocao_import_work"
NEW, CHANGED, GONE = "n", "u", "d"


class _Sql:
    """The statements of one import, with table and column names from the models.

    Per chunk: the rows go to `_STAGE`; one join with the stored values copies to `_WORK` only
    the rows that do something (new, changed or deleted) with the id of the stored value;
    history, insert, update and delete then touch exactly those rows, by primary key.
    """

    def __init__(self, *, vendor: str) -> None:
        quote = connection.ops.quote_name
        value, history = DataValue._meta, DataValueHistory._meta
        table, history_table = quote(value.db_table), quote(history.db_table)
        v = {field.name: quote(field.column) for field in value.concrete_fields}
        h = {field.name: quote(field.column) for field in history.concrete_fields}
        fields = "indicator_id, disaggregation, unit_id, period, value, comment"
        self.create = [
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (indicator_id bigint NOT NULL,"
            " disaggregation varchar(255) NOT NULL, unit_id bigint NOT NULL,"
            " period varchar(32) NOT NULL, value text NOT NULL, comment text NULL,"
            " line integer NOT NULL)",
            f"CREATE TEMP TABLE IF NOT EXISTS {_WORK} (existing_id bigint NULL,"
            " action char(1) NOT NULL, indicator_id bigint NOT NULL,"
            " disaggregation varchar(255) NOT NULL, unit_id bigint NOT NULL,"
            " period varchar(32) NOT NULL, value text NOT NULL, comment text NULL)",
        ]
        clear = "TRUNCATE {}" if vendor == "postgresql" else "DELETE FROM {}"
        self.clear = [clear.format(_STAGE), clear.format(_WORK)]
        self.drop = [f"DROP TABLE IF EXISTS {_STAGE}", f"DROP TABLE IF EXISTS {_WORK}"]
        self.insert_stage = (
            f"INSERT INTO {_STAGE} ({fields}, line) VALUES (%s, %s, %s, %s, %s, %s, %s)"
        )
        self.copy_stage = f"COPY {_STAGE} ({fields}, line) FROM STDIN"
        key_matches = (
            f"d.{v['source']} = %s AND d.{v['indicator']} = s.indicator_id"
            f" AND d.{v['disaggregation']} = s.disaggregation"
            f" AND d.{v['unit']} = s.unit_id AND d.{v['period']} = s.period"
        )
        stored = f"LEFT JOIN {table} d ON {key_matches}"
        d_id, d_value, d_comment = f"d.{v['id']}", f"d.{v['value']}", f"d.{v['comment']}"
        # A changed value: another value, or another comment when the file has a comment
        # column (without one, `s.comment` is NULL and stored comments are kept).
        changed = f"({d_value} <> s.value OR (s.comment IS NOT NULL AND {d_comment} <> s.comment))"
        self.classify = (
            f"INSERT INTO {_WORK} (existing_id, action, {fields})"
            f" SELECT {d_id}, CASE WHEN {d_id} IS NULL THEN '{NEW}'"
            f" WHEN s.value = '' THEN '{GONE}' ELSE '{CHANGED}' END,"
            " s.indicator_id, s.disaggregation, s.unit_id, s.period, s.value, s.comment"
            f" FROM {_STAGE} s {stored}"
            f" WHERE ({d_id} IS NULL AND s.value <> '')"
            f" OR ({d_id} IS NOT NULL AND (s.value = '' OR {changed}))"
        )
        self.count = f"SELECT action, COUNT(*) FROM {_WORK} GROUP BY action"
        # Every value about to change or go is kept as it was.
        self.history = (
            f"INSERT INTO {history_table} ({h['indicator']}, {h['disaggregation']}, {h['unit']},"
            f" {h['period']}, {h['source']}, {h['value']}, {h['comment']}, {h['new_value']},"
            f" {h['deleted']}, {h['changed_at']}, {h['changed_by_name']}, {h['channel']})"
            f" SELECT d.{v['indicator']}, d.{v['disaggregation']}, d.{v['unit']}, d.{v['period']},"
            f" d.{v['source']}, d.{v['value']}, d.{v['comment']}, w.value,"
            f" CASE WHEN w.action = '{GONE}' THEN %s ELSE %s END, %s, %s, %s"
            f" FROM {_WORK} w JOIN {table} d ON d.{v['id']} = w.existing_id"
            f" WHERE w.action <> '{NEW}'"
        )
        self.insert = (
            f"INSERT INTO {table} ({v['indicator']}, {v['disaggregation']}, {v['unit']},"
            f" {v['period']}, {v['source']}, {v['report']}, {v['value']}, {v['comment']},"
            f" {v['channel']}, {v['updated_at']}, {v['updated_by_name']})"
            " SELECT w.indicator_id, w.disaggregation, w.unit_id, w.period, %s, NULL, w.value,"
            f" COALESCE(w.comment, ''), %s, %s, %s FROM {_WORK} w WHERE w.action = '{NEW}'"
        )
        self.update = (
            f"UPDATE {table} SET {v['value']} = w.value,"
            f" {v['comment']} = COALESCE(w.comment, {table}.{v['comment']}),"
            f" {v['channel']} = %s, {v['updated_at']} = %s, {v['updated_by_name']} = %s"
            f" FROM {_WORK} w WHERE {table}.{v['id']} = w.existing_id"
            f" AND w.action = '{CHANGED}'"
        )
        self.delete = (
            f"DELETE FROM {table} WHERE {v['id']} IN"
            f" (SELECT existing_id FROM {_WORK} WHERE action = '{GONE}')"
        )


def _write(staged: list[StagedRow], *, source: str, actor: Actor, summary: ImportSummary) -> None:
    """Write the checked rows chunk by chunk, one transaction each, and count what happened."""
    if not staged:
        return
    postgres = connection.vendor == "postgresql"
    sql = _Sql(vendor=connection.vendor)
    name = _actor_name(actor)[:255]
    channel = ValueSource.IMPORT.value
    # In key order, chunks are ranges of the unique index: its pages are read and written
    # once, not once per chunk, on SQLite and PostgreSQL alike.
    staged.sort()
    with connection.cursor() as cursor:
        if not postgres:
            # SQLite's default page cache is 2 MB; a million values touch the table and five
            # indexes (about 300 MB at that size), so the import borrows a larger cache for
            # the database and its temporary tables, and gives it back at the end.
            cursor.execute("PRAGMA main.cache_size")
            (cache_size,) = cursor.fetchone()
            cursor.execute("PRAGMA temp.cache_size")
            (temp_cache_size,) = cursor.fetchone()
            cursor.execute(f"PRAGMA main.cache_size = {-SQLITE_CACHE_KIB}")
            cursor.execute(f"PRAGMA temp.cache_size = {-SQLITE_CACHE_KIB // 4}")
        for statement in sql.create:
            cursor.execute(statement)
        if postgres:
            _analyze_if_never_analysed(cursor)
        try:
            for start in range(0, len(staged), CHUNK_ROWS):
                chunk = staged[start : start + CHUNK_ROWS]
                with transaction.atomic():
                    if postgres:
                        # Two imports of one source wait for each other, so that the counts
                        # stay exact (on SQLite, BEGIN IMMEDIATE already serialises writers).
                        cursor.execute(
                            "SELECT pg_advisory_xact_lock(hashtext(%s))",
                            [f"baocao-import:{source}"],
                        )
                        # Every join below matches a chunk to stored values by an index (the
                        # unique key or the primary key): one probe per row. Left free, the
                        # planner may hash the whole value table for every chunk, worse as the
                        # table grows, and worst right after a bulk load, before statistics.
                        for setting in ("enable_hashjoin", "enable_mergejoin", "enable_memoize"):
                            cursor.execute(f"SET LOCAL {setting} = off")
                    for statement in sql.clear:
                        cursor.execute(statement)
                    if postgres:
                        with cursor.copy(sql.copy_stage) as copy:
                            for row in chunk:
                                copy.write_row(row)
                    else:
                        cursor.executemany(sql.insert_stage, chunk)
                    cursor.execute(sql.classify, [source])
                    cursor.execute(sql.count)
                    counts = dict(cursor.fetchall())
                    new, changed, gone = (counts.get(key, 0) for key in (NEW, CHANGED, GONE))
                    summary.imported += new
                    summary.updated += changed
                    summary.deleted += gone
                    summary.ignored += len(chunk) - new - changed - gone
                    if summary.dry_run:
                        continue
                    # Stamped inside the chunk's own transaction: a value's time of change is
                    # never long before its commit (the analytics store reads what changed
                    # after its watermark, less a short overlap: docs/analytics.md).
                    now = connection.ops.adapt_datetimefield_value(timezone.now())
                    if changed or gone:
                        cursor.execute(sql.history, [True, False, now, name, channel])
                    if new:
                        cursor.execute(sql.insert, [source, channel, now, name])
                    if changed:
                        cursor.execute(sql.update, [channel, now, name])
                    if gone:
                        cursor.execute(sql.delete)
            if postgres and not summary.dry_run and summary.imported >= ANALYZE_AFTER:
                # The planner must know the table grew (autovacuum may be off or late).
                cursor.execute(f"ANALYZE {connection.ops.quote_name(DataValue._meta.db_table)}")
        finally:
            for statement in sql.drop:
                cursor.execute(statement)
            if not postgres:
                cursor.execute(f"PRAGMA main.cache_size = {int(cache_size)}")
                cursor.execute(f"PRAGMA temp.cache_size = {int(temp_cache_size)}")


def _analyze_if_never_analysed(cursor: Any) -> None:
    """Statistics for a value table that has none (bulk-loaded, autovacuum off or not yet run).

    Without them PostgreSQL guesses the table holds a few hundred rows and may probe it by
    the (unit, period) index, several times slower per row than the unique key.
    """
    table = DataValue._meta.db_table
    cursor.execute(
        "SELECT n_live_tup > 0 AND last_analyze IS NULL AND last_autoanalyze IS NULL"
        " FROM pg_stat_user_tables WHERE relid = %s::regclass",
        [table],
    )
    row = cursor.fetchone()
    if row and row[0]:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
