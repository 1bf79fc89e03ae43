"""The Excel round trip of a report: a template to fill offline, and reading it back.

The template looks like the paper form (one sheet per form of the report, a heading with
the unit, regime, period and deadline, Vietnamese column headings) but is also a safe
input: labels are locked, the sheets are protected, input cells are unlocked and shaded,
and a very hidden, protected sheet `_baocao` lists every input cell with the indicator and
disaggregation it holds, and the report it belongs to. An upload is read through that
map, never by guessing positions, so re-ordered columns in a later catalogue version or a
renamed heading cannot put a number into the wrong indicator.

Uploads are untrusted files. Before a cell is read the file is checked: its size, that it
is a real zip archive holding a workbook, that it does not expand into a zip bomb, that it
carries no macros, that its map names this very report, and that no input cell holds a
formula (a formula's cached value is whatever the last program computed; the reporting
unit must state the figure itself). Cells are then read with calamine (Rust, no formula
evaluation, no external links) and parsed by the same rules as the web form
(`baocao.submissions.values`, Vietnamese style), every problem naming its cell.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any
from xml.parsers import expat

import python_calamine
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from baocao.audit.services import Actor
from baocao.catalogue.choices import NUMERIC_VALUE_TYPES, AggregationType, ValueType
from baocao.catalogue.labels import period_label
from baocao.catalogue.models import Indicator
from baocao.core.errors import DomainError, Rejected
from baocao.organisations import selectors as org_selectors
from baocao.organisations.choices import Level
from baocao.organisations.models import Unit
from baocao.periods import PeriodError, parse_period
from baocao.submissions import selectors, services
from baocao.submissions.choices import ReportStatus, ValueSource
from baocao.submissions.errors import SubmissionError
from baocao.submissions.layout import CellKey, Column, ReportLayout, Section
from baocao.submissions.models import Report
from baocao.submissions.values import canonical_decimal

TEMPLATE_FORMAT = "baocao-template/1"
MAPPING_SHEET = "_baocao"

# Limits of an upload. A filled template of the largest sample form is about 30 KB; ten
# megabytes leaves room for pasted formatting without letting a request tie up a worker.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_EXPANDED_BYTES = 100 * 1024 * 1024
# Spreadsheet XML compresses about 10:1; a ratio far above that on a large part is a bomb.
MAX_RATIO = 200
RATIO_CHECKED_ABOVE = 1024 * 1024
MAX_ENTRIES = 5_000
# Excel keeps 15 significant digits; reading a double with more would show float noise
# (12.300000000000001) that the person never typed.
EXCEL_DIGITS = 15

# Decree 30/2020/NĐ-CP, Appendix I: the national name and motto head every administrative
# document; they are fixed Vietnamese text, never translated.
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"

# Option totals make sense only for indicators that add up across options.
SUMMABLE = frozenset(
    {
        AggregationType.SUM,
        AggregationType.LAST,
        AggregationType.AVERAGE_SUM_UNITS,
        AggregationType.COUNT,
    }
)
# Statuses whose latest version is what the unit sent (not a draft, not refused).
SENT_STATUSES = frozenset(
    {
        ReportStatus.SUBMITTED,
        ReportStatus.RESUBMITTED,
        ReportStatus.ACCEPTED,
        ReportStatus.RECALL_REQUESTED,
    }
)


@dataclasses.dataclass
class WorkbookContent:
    """What an uploaded template says: values (with their cells) and narrative texts."""

    values: list[services.ValueInput]
    narratives: dict[str, str]


# Shared by the template, the export and the printable report ----------------------------------


@dataclasses.dataclass(frozen=True)
class ReportHeading:
    """Who reports what to whom: the names as they were on the report's deadline."""

    unit_code: str
    unit_name: str
    parent_name: str
    receiver_code: str
    receiver_name: str
    regime_code: str
    regime_name: str
    period_code: str
    period_label: str
    deadline: dt.date
    place: str


# Decree 30/2020/NĐ-CP, Appendix I, part I.4: the place name of a document is that of the
# province where the issuer sits, or, for a commune-level issuer, the commune's own name.
_PLACE_PREFIXES = (
    "Thành phố ",
    "Tỉnh ",
    "Phường ",
    "Xã ",
    "Thị trấn ",
    "Đặc khu ",
)


def _place(unit: Unit, on: dt.date) -> str:
    if unit.level == Level.COMMUNE:
        name = org_selectors.unit_name_as_of(unit=unit, on=on)
    else:
        chain = [unit, *(item.unit for item in org_selectors.unit_ancestors(unit=unit, on=on))]
        province = next((item for item in chain if item.level == Level.PROVINCE), None)
        if province is None:
            # Central agencies sit in the capital.
            return "Hà Nội"
        name = org_selectors.unit_name_as_of(unit=province, on=on)
    for prefix in _PLACE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def report_heading(report: Report) -> ReportHeading:
    on = report.deadline
    version = org_selectors.unit_version_on(unit=report.unit, on=on)
    parent = version.parent if version is not None else None
    try:
        label = period_label(parse_period(report.period))
    except PeriodError:
        label = report.period
    return ReportHeading(
        unit_code=report.unit.code,
        unit_name=org_selectors.unit_name_as_of(unit=report.unit, on=on),
        parent_name=org_selectors.unit_name_as_of(unit=parent, on=on) if parent is not None else "",
        receiver_code=report.receiver.code,
        receiver_name=org_selectors.unit_name_as_of(unit=report.receiver, on=on),
        regime_code=report.regime.code,
        regime_name=report.regime.name,
        period_code=report.period,
        period_label=label,
        deadline=report.deadline,
        place=_place(report.unit, on),
    )


def sheet_title(number: int) -> str:
    """`Biểu 01`: the name officers give the forms of a regime (at most 31 characters)."""
    return (_("Form %(number)s") % {"number": f"{number:02d}"})[:31]


def summable(indicator: Indicator) -> bool:
    return (
        indicator.value_type in (ValueType.NUMBER, ValueType.INTEGER)
        and indicator.aggregation in SUMMABLE
    )


def number_format(indicator: Indicator) -> str:
    if indicator.value_type == ValueType.DATE:
        return "dd/mm/yyyy"
    if indicator.value_type not in NUMERIC_VALUE_TYPES:
        return "@"
    places = 0 if indicator.value_type == ValueType.INTEGER else indicator.decimals
    return "#,##0" + ("." + "0" * places if places else "")


def excel_value(text: str, indicator: Indicator) -> object:
    """A stored canonical value as Excel should hold it: numbers as numbers, dates as dates."""
    if indicator.value_type in NUMERIC_VALUE_TYPES:
        try:
            number = Decimal(text)
        except ArithmeticError:
            return text
        return int(number) if number == number.to_integral_value() else number
    if indicator.value_type == ValueType.DATE:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text
    if indicator.value_type == ValueType.BOOLEAN:
        return _("Yes") if text == "true" else _("No") if text == "false" else text
    return text


def previous_values(report: Report) -> dict[CellKey, str]:
    """The values the unit sent for the period before (same regime), if it sent any."""
    try:
        before = parse_period(report.period).previous()
    except PeriodError:
        return {}
    previous = selectors.report_find(regime=report.regime, unit=report.unit, period=before.code)
    if previous is None or previous.status not in SENT_STATUSES or not previous.version_count:
        return {}
    version = selectors.report_versions(previous).last()
    return selectors.version_values(version)


# Template --------------------------------------------------------------------------------------

_FONT = "Times New Roman"
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_UNLOCKED = Protection(locked=False)


@dataclasses.dataclass
class _Sheet:
    """Where things go on one form's sheet: fixed column positions for all its sections."""

    ws: Worksheet
    value_width: int  # total column (if any) + option columns, the widest section's
    previous_width: int  # 0 without the previous period

    @property
    def first_value(self) -> int:
        return 4

    @property
    def first_previous(self) -> int:
        return self.first_value + self.value_width

    @property
    def note(self) -> int:
        return self.first_previous + self.previous_width

    @property
    def last(self) -> int:
        return self.note


@dataclasses.dataclass
class _Mapping:
    """The rows of the `_baocao` sheet, and the first cell holding each key."""

    rows: list[tuple[str, str, str, str, str]] = dataclasses.field(default_factory=list)
    value_refs: dict[CellKey, tuple[str, str]] = dataclasses.field(default_factory=dict)
    note_refs: dict[CellKey, tuple[str, str]] = dataclasses.field(default_factory=dict)


def template_build(report: Report, *, with_previous: bool = False) -> bytes:
    """An .xlsx template of the report, pre-filled with the unit's current values."""
    layout = selectors.layout_of(report)
    heading = report_heading(report)
    current = selectors.report_values(report)
    previous = previous_values(report) if with_previous else None
    book = Workbook()
    book.remove(book.worksheets[0])
    mapping = _Mapping()
    for number, form_layout in enumerate(layout.forms, start=1):
        sections = form_layout.sections
        sheet = _Sheet(
            ws=book.create_sheet(sheet_title(number)),
            value_width=max((_value_width(section) for section in sections), default=1),
            previous_width=(
                max((len(section.columns) or 1 for section in sections), default=1)
                if previous is not None
                else 0
            ),
        )
        row = _write_heading(sheet, heading, form_layout.form.name)
        for section in sections:
            row = _write_section(sheet, row, section, current, previous, mapping)
        _finish_sheet(sheet)
    _write_narratives(book, layout, selectors.report_narratives(report), mapping)
    _write_mapping(book, report, mapping)
    book.security = WorkbookProtection(lockStructure=True)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _value_width(section: Section) -> int:
    return (len(section.columns) or 1) + (1 if section.show_total else 0)


def _style(cell: Any, *, bold: bool = False, size: int = 12, italic: bool = False) -> None:
    cell.font = Font(name=_FONT, size=size, bold=bold, italic=italic)


def _merge(ws: Worksheet, row: int, first: int, last: int, value: object, **font: Any) -> Any:
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    cell = ws.cell(row=row, column=first, value=value)
    _style(cell, **font)
    cell.alignment = _CENTER
    return cell


def _write_heading(sheet: _Sheet, heading: ReportHeading, form_name: str) -> int:
    ws, last = sheet.ws, sheet.last
    split = 2 if last >= 5 else 1
    left = ws.cell(row=1, column=1, value=ws.title)
    _style(left, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=split)
    _merge(ws, 1, split + 1, last, NATIONAL_NAME, bold=True)
    _merge(ws, 2, split + 1, last, NATIONAL_MOTTO, bold=True).font = Font(
        name=_FONT, size=12, bold=True, underline="single"
    )
    _merge(ws, 4, 1, last, form_name.upper(), bold=True, size=14)
    _merge(ws, 5, 1, last, heading.regime_name, italic=True)
    _merge(
        ws,
        6,
        1,
        last,
        _("Period: %(period)s – deadline %(deadline)s")
        % {"period": heading.period_label, "deadline": heading.deadline.strftime("%d/%m/%Y")},
        bold=True,
    )
    reporter = ws.cell(
        row=7,
        column=1,
        value=_("Reporting unit: %(name)s (%(code)s)")
        % {"name": heading.unit_name, "code": heading.unit_code},
    )
    receiver = ws.cell(
        row=8,
        column=1,
        value=_("Receiving unit: %(name)s (%(code)s)")
        % {"name": heading.receiver_name, "code": heading.receiver_code},
    )
    for cell in (reporter, receiver):
        _style(cell)
        ws.merge_cells(start_row=cell.row, start_column=1, end_row=cell.row, end_column=last)
    hint = ws.cell(
        row=9,
        column=1,
        value=_(
            "Enter figures in the shaded cells only; numbers may be typed as 1.234,5."
            " Totals are computed. Do not rename or delete sheets."
        ),
    )
    _style(hint, italic=True, size=10)
    ws.merge_cells(start_row=9, start_column=1, end_row=9, end_column=last)
    return 11


def _write_section(
    sheet: _Sheet,
    row: int,
    section: Section,
    current: dict[CellKey, Any],
    previous: dict[CellKey, str] | None,
    mapping: _Mapping,
) -> int:
    ws = sheet.ws
    title = ws.cell(row=row, column=1, value=section.title)
    _style(title, bold=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=sheet.last)
    top, sub = row + 1, row + 2
    # Two heading rows, as on the paper forms: "Tổng số | Chia ra: option, option, ...".
    for column, text in (
        (1, _("No.")),
        (2, _("Indicator")),
        (3, _("Unit of measure")),
        (sheet.note, _("Notes")),
    ):
        _head(ws, top, sub, column, column, text)
    columns: list[Column | None] = list(section.columns) or [None]
    first_option = sheet.first_value + (1 if section.show_total else 0)
    if section.show_total:
        _head(ws, top, sub, sheet.first_value, sheet.first_value, _("Grand total"))
    if section.columns:
        _head(ws, top, top, first_option, first_option + len(columns) - 1, _("Broken down by"))
        for offset, option in enumerate(section.columns):
            _head(ws, sub, sub, first_option + offset, first_option + offset, option.label)
    else:
        _head(ws, top, sub, first_option, first_option, _("Value"))
    if previous is not None:
        for offset, maybe in enumerate(columns):
            text = (
                _("Previous period: %(column)s") % {"column": maybe.label}
                if maybe is not None
                else _("Previous period")
            )
            _head(ws, top, sub, sheet.first_previous + offset, sheet.first_previous + offset, text)
    row = sub + 1
    for form_row in section.rows:
        indicator = form_row.indicator
        fmt = number_format(indicator)
        for column, value in (
            (1, form_row.number),
            (2, form_row.label),
            (3, indicator.unit_of_measure),
        ):
            cell = ws.cell(row=row, column=column, value=value)
            _style(cell, bold=column == 2 and form_row.required)
            cell.alignment = _CENTER if column != 2 else _WRAP
            cell.border = _BORDER
        refs: list[str] = []
        for offset, cell_ in enumerate(form_row.cells):
            target = ws.cell(row=row, column=first_option + offset)
            _input_cell(ws, target, cell_.key, indicator, current, mapping)
            target.number_format = fmt
            refs.append(target.coordinate)
        if section.show_total:
            total = ws.cell(row=row, column=sheet.first_value)
            if summable(indicator):
                total.value = f"=SUM({refs[0]}:{refs[-1]})"
            _locked(total, fmt, bold=True)
        if previous is not None:
            for offset, cell_ in enumerate(form_row.cells):
                target = ws.cell(row=row, column=sheet.first_previous + offset)
                shown = previous.get(cell_.key)
                target.value = excel_value(shown, indicator) if shown is not None else None
                _locked(target, fmt)
        _note_cell(ws, ws.cell(row=row, column=sheet.note), form_row.cells, current, mapping)
        row += 1
    return row + 1


def _head(ws: Worksheet, top: int, bottom: int, first: int, last: int, text: str) -> None:
    if (top, first) != (bottom, last):
        ws.merge_cells(start_row=top, start_column=first, end_row=bottom, end_column=last)
    for r in range(top, bottom + 1):
        for c in range(first, last + 1):
            ws.cell(row=r, column=c).border = _BORDER
            ws.cell(row=r, column=c).fill = _HEAD_FILL
    cell = ws.cell(row=top, column=first, value=text)
    _style(cell, bold=True, size=11)
    cell.alignment = _CENTER


def _locked(cell: Any, fmt: str, *, bold: bool = False) -> None:
    _style(cell, bold=bold)
    cell.fill = _LOCKED_FILL
    cell.border = _BORDER
    cell.number_format = fmt


def _input_cell(
    ws: Worksheet,
    target: Any,
    key: CellKey,
    indicator: Indicator,
    current: dict[CellKey, Any],
    mapping: _Mapping,
) -> None:
    target.border = _BORDER
    _style(target)
    first = mapping.value_refs.get(key)
    if first is not None:
        # The same cell asked by two forms is one value: the later form shows the first.
        link = _quoted(first)
        target.value = f'=IF({link}="","",{link})'
        target.fill = _LOCKED_FILL
        return
    mapping.value_refs[key] = (ws.title, target.coordinate)
    mapping.rows.append(("value", ws.title, target.coordinate, key[0], key[1]))
    stored = current.get(key)
    if stored is not None:
        target.value = excel_value(stored.value, indicator)
    target.fill = _INPUT_FILL
    target.protection = _UNLOCKED
    if indicator.value_type == ValueType.BOOLEAN:
        validation = DataValidation(
            type="list", formula1='"{},{}"'.format(_("Yes"), _("No")), allow_blank=True
        )
        ws.add_data_validation(validation)
        validation.add(target)


def _quoted(ref: tuple[str, str]) -> str:
    sheet = ref[0].replace("'", "''")
    return f"'{sheet}'!{ref[1]}"


def _note_cell(
    ws: Worksheet,
    target: Any,
    cells: Iterable[Any],
    current: dict[CellKey, Any],
    mapping: _Mapping,
) -> None:
    target.border = _BORDER
    target.alignment = _WRAP
    _style(target, size=11)
    keys = [cell.key for cell in cells]
    fresh = [key for key in keys if key not in mapping.note_refs]
    if not fresh:
        first = mapping.note_refs[keys[0]]
        target.value = f'=IF({_quoted(first)}="","",{_quoted(first)})'
        target.fill = _LOCKED_FILL
        return
    # One note per row (the paper form's "Ghi chú"); a value keeps its own comment, so
    # different comments of one row are shown together.
    comments: list[str] = []
    for key in fresh:
        mapping.note_refs[key] = (ws.title, target.coordinate)
        mapping.rows.append(("comment", ws.title, target.coordinate, key[0], key[1]))
        stored = current.get(key)
        if stored is not None and stored.comment and stored.comment not in comments:
            comments.append(stored.comment)
    target.value = "; ".join(comments) or None
    target.number_format = "@"
    target.protection = _UNLOCKED
    target.fill = _INPUT_FILL


def _finish_sheet(sheet: _Sheet) -> None:
    ws = sheet.ws
    widths = {1: 6, 2: 48, 3: 14, sheet.note: 32}
    for column in range(1, sheet.last + 1):
        ws.column_dimensions[get_column_letter(column)].width = widths.get(column, 16)
    ws.sheet_view.showGridLines = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    _protect(ws)


def _protect(ws: Worksheet) -> None:
    # Protection keeps labels and totals from being typed over by accident; the map in
    # `_baocao`, not the protection, is what makes reading safe. People may still resize.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _write_narratives(
    book: Workbook, layout: ReportLayout, texts: dict[str, str], mapping: _Mapping
) -> None:
    if not layout.narratives:
        return
    ws = book.create_sheet(_("Narrative")[:31])
    title = ws.cell(row=1, column=1, value=_("Narrative of the report"))
    _style(title, bold=True, size=14)
    ws.merge_cells("A1:B1")
    for index, field in enumerate(layout.narratives, start=3):
        label = ws.cell(row=index, column=1, value=field.label)
        _style(label, bold=field.required)
        label.alignment = _WRAP
        label.border = _BORDER
        target = ws.cell(row=index, column=2, value=texts.get(field.code) or None)
        _style(target)
        target.alignment = Alignment(wrap_text=True, vertical="top")
        target.border = _BORDER
        target.fill = _INPUT_FILL
        target.protection = _UNLOCKED
        target.number_format = "@"
        ws.row_dimensions[index].height = 120
        mapping.rows.append(("narrative", ws.title, target.coordinate, field.code, ""))
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 100
    ws.sheet_view.showGridLines = False
    _protect(ws)


def _write_mapping(book: Workbook, report: Report, mapping: _Mapping) -> None:
    ws = book.create_sheet(MAPPING_SHEET)
    # Very hidden: Excel's "Unhide" menu does not list it; the locked workbook structure
    # keeps sheets from being renamed or removed.
    ws.sheet_state = "veryHidden"
    identity = [
        ("format", TEMPLATE_FORMAT),
        ("report", str(report.pk)),
        ("regime", report.regime.code),
        ("unit", report.unit.code),
        ("period", report.period),
        ("generated", timezone.localtime().isoformat(timespec="seconds")),
    ]
    for key, value in identity:
        ws.append([key, value])
    ws.append(["kind", "sheet", "cell", "code", "disaggregation"])
    for item in mapping.rows:
        ws.append(list(item))
    for column in "ABCDE":
        for cell in ws[column]:
            cell.number_format = "@"
    ws.protection.sheet = True


# Reading an upload -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Entry:
    kind: str
    sheet: str
    cell: str
    code: str
    disaggregation: str

    @property
    def ref(self) -> str:
        return f"{self.sheet}!{self.cell}"


_CELL = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")


def workbook_read(report: Report, data: bytes) -> WorkbookContent:
    """The values and narrative texts of an uploaded template of `report`.

    Raises a `DomainError` for a file that is refused as a whole, and `Rejected` with one
    problem per cell holding a formula. Values are not parsed here: `report_save` parses
    them and names the cell of every bad one.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise DomainError(
            SubmissionError.FILE_TOO_LARGE, field="file", size=len(data), maximum=MAX_UPLOAD_BYTES
        )
    archive = _archive_open(data)
    with archive:
        _archive_check(archive)
        book = _calamine_open(data)
        entries = _mapping_read(book, report)
        _formulas_check(archive, entries)
    return _content(book, report, entries)


def workbook_import(
    report: Report, data: bytes, *, actor: Actor, revision: int | None = None
) -> Report:
    """Read an uploaded template and save it as the report's draft, all of it or nothing.

    The workbook is the whole report (`replace=True`): an input cell left empty removes
    the value it held.
    """
    content = workbook_read(report, data)
    return services.report_save(
        report=report,
        values=content.values,
        narratives=content.narratives,
        revision=revision,
        replace=True,
        channel=ValueSource.EXCEL,
        style="vi",
        actor=actor,
    )


def _not_xlsx(reason: str) -> DomainError:
    return DomainError(SubmissionError.NOT_XLSX, field="file", reason=reason)


def _archive_open(data: bytes) -> zipfile.ZipFile:
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        # An OLE compound file: Excel 97-2003 (.xls) or a password-encrypted workbook.
        raise _not_xlsx(_("it is an old .xls file or a password-protected workbook"))
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise _not_xlsx(_("it is not a zip archive")) from None


def _archive_check(archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise _not_xlsx(_("it has %(count)s parts") % {"count": len(infos)})
    declared = sum(info.file_size for info in infos)
    bomb = DomainError(SubmissionError.XLSX_BOMB, field="file", maximum=MAX_EXPANDED_BYTES)
    if declared > MAX_EXPANDED_BYTES:
        raise bomb
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECKED_ABOVE and ratio > MAX_RATIO:
            raise bomb
    names = {info.filename.lower() for info in infos}
    if any(name.endswith("vbaproject.bin") for name in names):
        raise DomainError(SubmissionError.XLSX_MACROS, field="file")
    if "[content_types].xml" not in names or "xl/workbook.xml" not in names:
        raise _not_xlsx(_("it holds no Excel workbook"))
    if any(info.flag_bits & 0x1 for info in infos):
        raise _not_xlsx(_("parts of it are encrypted"))
    content_types = _read_part(archive, "[Content_Types].xml", limit=1024 * 1024)
    if b"macroEnabled" in content_types or b"vbaProject" in content_types:
        raise DomainError(SubmissionError.XLSX_MACROS, field="file")
    # Decompress every part once, counting the bytes: the sizes in the zip directory are
    # the sender's word, and zipfile stops at them and checks each part's CRC, so a part
    # that expands beyond what it declares fails here, before calamine reads anything.
    expanded = 0
    for info in infos:
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(1 << 16):
                    expanded += len(chunk)
                    if expanded > MAX_EXPANDED_BYTES:
                        raise bomb
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as error:
            raise _not_xlsx(
                _("the part %(part)s is damaged (%(detail)s)")
                % {"part": info.filename, "detail": str(error)[:120]}
            ) from None


def _read_part(archive: zipfile.ZipFile, name: str, *, limit: int) -> bytes:
    info = next(item for item in archive.infolist() if item.filename.lower() == name.lower())
    with archive.open(info) as stream:
        return stream.read(limit)


def _calamine_open(data: bytes) -> python_calamine.CalamineWorkbook:
    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:  # calamine raises several unrelated types for a bad file
        raise _not_xlsx(str(error)[:200] or error.__class__.__name__) from None


def _sheet_rows(book: python_calamine.CalamineWorkbook, name: str) -> list[list[Any]]:
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as error:  # same as above: a damaged sheet is a damaged file
        raise _not_xlsx(str(error)[:200] or error.__class__.__name__) from None


def _wrong_template(reason: str) -> DomainError:
    return DomainError(SubmissionError.XLSX_WRONG_TEMPLATE, field="file", reason=reason)


def _mapping_read(book: python_calamine.CalamineWorkbook, report: Report) -> list[_Entry]:
    if MAPPING_SHEET not in book.sheet_names:
        raise _wrong_template(
            _("it has no %(sheet)s sheet; download the template from the report's page")
            % {"sheet": MAPPING_SHEET}
        )
    rows = [[_text(value) for value in row] for row in _sheet_rows(book, MAPPING_SHEET)]
    identity = {row[0]: row[1] for row in rows[:6] if len(row) >= 2}
    if identity.get("format") != TEMPLATE_FORMAT:
        raise _wrong_template(
            _("its format %(format)s is not one this version reads")
            % {"format": identity.get("format") or "?"}
        )
    expected = {"regime": report.regime.code, "unit": report.unit.code, "period": report.period}
    if any(identity.get(key) != value for key, value in expected.items()):
        raise _wrong_template(
            _("it was made for report %(regime)s of unit %(unit)s for period %(period)s")
            % {key: identity.get(key) or "?" for key in expected}
        )
    entries: list[_Entry] = []
    names = set(book.sheet_names)
    for row in rows[7:]:
        if not row or not row[0]:
            continue
        padded = [*row, "", "", "", "", ""][:5]
        entry = _Entry(*padded)
        if (
            entry.kind not in ("value", "comment", "narrative")
            or entry.sheet not in names
            or entry.sheet == MAPPING_SHEET
            or not _CELL.match(entry.cell)
            or not entry.code
        ):
            raise _wrong_template(_("its map names an unknown cell %(cell)s") % {"cell": entry.ref})
        entries.append(entry)
    return entries


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


# Formulas --------------------------------------------------------------------------------------

_NS_SEPARATOR = "}"


def _local(name: str) -> str:
    return name.rsplit(_NS_SEPARATOR, 1)[-1].rsplit(":", 1)[-1]


class _HostileXml(ValueError):
    pass


def _refuse_dtd(*_args: object) -> None:
    # OOXML parts never declare a DTD or entities; one that does is hostile (entity
    # expansion, external entities), so it is refused before anything is expanded.
    raise _HostileXml


def _parse(stream: Any, start: Callable[[str, dict[str, str]], None], **handlers: Any) -> None:
    parser = expat.ParserCreate(namespace_separator=_NS_SEPARATOR)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.StartElementHandler = start
    for name, handler in handlers.items():
        setattr(parser, name, handler)
    while chunk := stream.read(1 << 16):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _elements(archive: zipfile.ZipFile, part: str) -> Iterator[tuple[str, dict[str, str]]]:
    found: list[tuple[str, dict[str, str]]] = []
    with archive.open(part) as stream:
        _parse(stream, lambda name, attrs: found.append((_local(name), attrs)))
    yield from found


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part in the archive, from the workbook and its relationships."""
    targets: dict[str, str] = {}
    rels = "xl/_rels/workbook.xml.rels"
    if rels in archive.namelist():
        for name, attrs in _elements(archive, rels):
            if name == "Relationship" and "Id" in attrs:
                target = attrs.get("Target", "")
                targets[attrs["Id"]] = (
                    target.lstrip("/") if target.startswith("/") else "xl/" + target
                )
    parts: dict[str, str] = {}
    for name, attrs in _elements(archive, "xl/workbook.xml"):
        if name == "sheet":
            rel = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            if rel in targets:
                parts[attrs.get("name", "")] = targets[rel]
    return parts


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _formula_cells(archive: zipfile.ZipFile, part: str, wanted: set[str]) -> dict[str, str]:
    """The input cells of one sheet part that hold a formula, with the formula's text."""
    found: dict[str, str] = {}
    state: dict[str, Any] = {"row": 0, "column": 0, "cell": None, "in_formula": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "row":
            state["row"] = int(attrs["r"]) if attrs.get("r", "").isdigit() else state["row"] + 1
            state["column"] = 0
        elif local == "c":
            ref = attrs.get("r", "")
            match = _CELL.match(ref)
            if match:
                state["column"] = _column_number(match.group(1))
            else:
                # `r` is optional in SpreadsheetML: the cell follows the previous one.
                state["column"] += 1
                ref = f"{get_column_letter(state['column'])}{state['row']}"
            state["cell"] = ref
        elif local == "f" and state["cell"] in wanted:
            state["in_formula"] = True
            found.setdefault(state["cell"], "")

    def end(name: str) -> None:
        local = _local(name)
        if local == "f":
            state["in_formula"] = False
        elif local == "c":
            state["cell"] = None

    def text(data: str) -> None:
        if state["in_formula"] and len(found[state["cell"]]) < 200:
            found[state["cell"]] += data

    with archive.open(part) as stream:
        _parse(stream, start, EndElementHandler=end, CharacterDataHandler=text)
    return found


def _formulas_check(archive: zipfile.ZipFile, entries: list[_Entry]) -> None:
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        wanted.setdefault(entry.sheet, set()).add(entry.cell)
    try:
        parts = _sheet_parts(archive)
        problems: list[DomainError] = []
        for sheet, cells in wanted.items():
            part = parts.get(sheet)
            if part is None or part not in archive.namelist():
                raise _wrong_template(_("the sheet %(sheet)s is missing") % {"sheet": sheet})
            found = _formula_cells(archive, part, cells)
            problems.extend(
                DomainError(
                    SubmissionError.XLSX_FORMULA,
                    cell=f"{sheet}!{cell}",
                    formula="=" + (found[cell].strip()[:100] or "…"),
                )
                for cell in sorted(found, key=_cell_order)
            )
    except _HostileXml:
        raise _not_xlsx(_("its sheets declare XML entities, which workbooks never do")) from None
    except (expat.ExpatError, ValueError, KeyError) as error:
        raise _not_xlsx(
            _("its sheets are not valid spreadsheet XML (%(detail)s)") % {"detail": str(error)}
        ) from None
    if problems:
        raise Rejected(problems)


def _cell_order(ref: str) -> tuple[int, int]:
    match = _CELL.match(ref)
    return (int(match.group(2)), _column_number(match.group(1))) if match else (0, 0)


# Cells to values -------------------------------------------------------------------------------


def _content(
    book: python_calamine.CalamineWorkbook, report: Report, entries: list[_Entry]
) -> WorkbookContent:
    layout = selectors.layout_of(report)
    sheets: dict[str, list[list[Any]]] = {}

    def raw(entry: _Entry) -> object:
        if entry.sheet not in sheets:
            sheets[entry.sheet] = _sheet_rows(book, entry.sheet)
        match = _CELL.match(entry.cell)
        assert match is not None  # checked when the map was read
        row, column = int(match.group(2)) - 1, _column_number(match.group(1)) - 1
        rows = sheets[entry.sheet]
        if row < len(rows) and column < len(rows[row]):
            return rows[row][column]
        return None

    notes: dict[CellKey, str] = {}
    note_cells: dict[CellKey, str] = {}
    narratives: dict[str, str] = {}
    values: list[tuple[_Entry, object]] = []
    for entry in entries:
        key = (entry.code, entry.disaggregation)
        if entry.kind == "value":
            cell = layout.cells.get(key)
            value_type = cell.indicator.value_type if cell is not None else ValueType.TEXT
            values.append((entry, _cell_value(raw(entry), value_type)))
        elif entry.kind == "comment":
            notes[key] = _note_text(raw(entry))
            note_cells[key] = entry.ref
        else:
            narratives[entry.code] = _note_text(raw(entry))
    # A row's note belongs to the values of that row; a note on a row without any value
    # is kept on its first cell, so that saving says a value is missing there.
    filled_notes = {
        note_cells[(e.code, e.disaggregation)]
        for e, value in values
        if value is not None and (e.code, e.disaggregation) in note_cells
    }
    given_notes: set[str] = set()
    inputs: list[services.ValueInput] = []
    for entry, value in values:
        key = (entry.code, entry.disaggregation)
        comment = notes.get(key, "")
        ref = note_cells.get(key)
        if comment and value is None and (ref in filled_notes or ref in given_notes):
            comment = ""
        if comment and ref is not None:
            given_notes.add(ref)
        inputs.append(
            services.ValueInput(
                indicator=entry.code,
                disaggregation=entry.disaggregation,
                value=value,
                comment=comment,
                where={"cell": entry.ref},
            )
        )
    return WorkbookContent(values=inputs, narratives=narratives)


def _cell_value(raw: object, value_type: str) -> object:
    """A cell as calamine gives it, as `clean_value` takes it; None for an empty cell."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            return str(raw)
        number = Decimal(format(raw, f".{EXCEL_DIGITS}g")) if isinstance(raw, float) else raw
        number = Decimal(number)
        # A Decimal is read as a number whatever the number style: 1.234 stays 1.234.
        return number if value_type in NUMERIC_VALUE_TYPES else canonical_decimal(number)
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, str) and value_type == ValueType.BOOLEAN:
        # The template's drop-down offers the translated words.
        lowered = raw.strip().lower()
        if lowered == _("Yes").lower():
            return True
        if lowered == _("No").lower():
            return False
    return str(raw)


def _note_text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float):
        return canonical_decimal(Decimal(format(raw, f".{EXCEL_DIGITS}g")))
    if isinstance(raw, dt.date):
        return raw.strftime("%d/%m/%Y")
    return str(raw).strip()
