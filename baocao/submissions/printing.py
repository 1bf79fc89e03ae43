"""The printable report (PDF) and a plain Excel export of a report's content.

The PDF follows the layout of Vietnamese administrative documents (Decree 30/2020/NĐ-CP on
clerical work, Appendix I): the issuing unit and document number top left, the national
name and motto top right, place and date, the centred title, the narrative sections, the
data tables, the signature block, and page numbers centred in the top margin from the
second page on. A submitted version is printed from its signed content, so the paper copy
shows exactly what was signed; without a version the current draft is printed and marked
as unsigned. The document is always in Vietnamese: the electronic report stands for the
paper one (Decree 09/2019/NĐ-CP Art. 14), and that one is written in Vietnamese.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from baocao.catalogue.choices import NUMERIC_VALUE_TYPES, ValueType
from baocao.catalogue.models import Indicator
from baocao.core.numbers import format_number
from baocao.organisations.choices import Level
from baocao.submissions import selectors
from baocao.submissions.excel import (
    NATIONAL_MOTTO,
    NATIONAL_NAME,
    SENT_STATUSES,
    ReportHeading,
    excel_value,
    number_format,
    report_heading,
    sheet_title,
    summable,
)
from baocao.submissions.layout import CellKey, ReportLayout
from baocao.submissions.models import Report, ReportVersion

TEMPLATE = "submissions/print/report.html"
# Decree 30/2020/NĐ-CP, Appendix I, part I.3: a local government's documents are issued by
# its People's Committee, named in two lines ("ỦY BAN NHÂN DÂN" / "PHƯỜNG BA ĐÌNH") with
# no superior line, and numbered "…/BC-UBND". Other units print their superior above their
# own name; their abbreviation is left for the clerk to write.
PEOPLES_COMMITTEE = "ỦY BAN NHÂN DÂN"
PEOPLES_COMMITTEE_ABBREVIATION = "UBND"
LOCAL_GOVERNMENT_LEVELS = frozenset({Level.PROVINCE, Level.DISTRICT, Level.COMMUNE})
# Sections with more value columns than this are printed on landscape pages.
PORTRAIT_COLUMNS = 4


@dataclasses.dataclass(frozen=True)
class ReportContent:
    """Values (value, comment) and narrative texts, from a version or the current data."""

    values: dict[CellKey, tuple[str, str]]
    narratives: dict[str, str]
    version: ReportVersion | None


@dataclasses.dataclass(frozen=True)
class PrintedRow:
    number: int
    code: str
    label: str
    unit_of_measure: str
    indicator: Indicator
    total: Decimal | None
    values: list[str | None]
    comment: str
    # As printed: 1.234,5; Có/Không; dd/mm/yyyy.
    shown: list[str]
    shown_total: str


@dataclasses.dataclass(frozen=True)
class PrintedSection:
    title: str
    columns: list[str]
    show_total: bool
    rows: list[PrintedRow]

    @property
    def wide(self) -> bool:
        return len(self.columns) + int(self.show_total) > PORTRAIT_COLUMNS


@dataclasses.dataclass(frozen=True)
class PrintedForm:
    number: int
    code: str
    name: str
    sections: list[PrintedSection]


def report_content(report: Report, version: ReportVersion | None = None) -> ReportContent:
    if version is not None:
        values = {
            (item[0], item[1]): (item[2], item[3] if len(item) > 3 else "")
            for item in version.content.get("values", [])
        }
        return ReportContent(
            values=values, narratives=dict(version.content.get("narrative", {})), version=version
        )
    current = {
        key: (value.value, value.comment) for key, value in selectors.report_values(report).items()
    }
    # The sender's own last version signs the current data only while it cannot change.
    latest = (
        selectors.report_versions(report).last()
        if report.status in SENT_STATUSES and report.version_count
        else None
    )
    return ReportContent(
        values=current, narratives=selectors.report_narratives(report), version=latest
    )


def printed_forms(
    layout: ReportLayout, values: dict[CellKey, tuple[str, str]]
) -> list[PrintedForm]:
    forms: list[PrintedForm] = []
    for number, form_layout in enumerate(layout.forms, start=1):
        sections: list[PrintedSection] = []
        for section in form_layout.sections:
            rows: list[PrintedRow] = []
            for row in section.rows:
                texts = [values.get(cell.key, ("", ""))[0] or None for cell in row.cells]
                comments: list[str] = []
                for cell in row.cells:
                    comment = values.get(cell.key, ("", ""))[1]
                    if comment and comment not in comments:
                        comments.append(comment)
                total = _total(row.indicator, texts) if section.show_total else None
                rows.append(
                    PrintedRow(
                        number=row.number,
                        code=row.indicator.code,
                        label=row.label,
                        unit_of_measure=row.indicator.unit_of_measure,
                        indicator=row.indicator,
                        total=total,
                        values=texts,
                        comment="; ".join(comments),
                        shown=[display_value(text, row.indicator) for text in texts],
                        shown_total=display_value(total, row.indicator),
                    )
                )
            sections.append(
                PrintedSection(
                    title=section.title,
                    columns=[column.label for column in section.columns],
                    show_total=section.show_total,
                    rows=rows,
                )
            )
        forms.append(
            PrintedForm(
                number=number,
                code=form_layout.form.code,
                name=form_layout.form.name,
                sections=sections,
            )
        )
    return forms


def _total(indicator: Indicator, texts: list[str | None]) -> Decimal | None:
    if not summable(indicator):
        return None
    numbers = [_decimal(text) for text in texts if text]
    present = [number for number in numbers if number is not None]
    return sum(present, Decimal(0)) if present else None


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return None


def display_value(text: str | Decimal | None, indicator: Indicator) -> str:
    """A value as a Vietnamese reader expects it: 1.234,5; Có/Không; dd/mm/yyyy."""
    if text is None or text == "":
        return ""
    if indicator.value_type in NUMERIC_VALUE_TYPES:
        number = text if isinstance(text, Decimal) else _decimal(text)
        if number is None:
            return str(text)
        places = 0 if indicator.value_type == ValueType.INTEGER else indicator.decimals
        return format_number(number, decimals=places, language="vi")
    if indicator.value_type == ValueType.BOOLEAN:
        return _("Yes") if text == "true" else _("No") if text == "false" else str(text)
    if indicator.value_type == ValueType.DATE:
        try:
            return dt.date.fromisoformat(str(text)).strftime("%d/%m/%Y")
        except ValueError:
            return str(text)
    return str(text)


def document_date(day: dt.date) -> tuple[str, str, str]:
    """Day, month and year as written on a document.

    Decree 30/2020/NĐ-CP, Appendix I, part I.4: days below 10 and the months 1 and 2 are
    written with a leading zero ("ngày 06 tháng 01", "tháng 12", "tháng 3").
    """
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{day.day:02d}", month, str(day.year)


def _fingerprint(value: str) -> str:
    return " ".join(value[index : index + 4] for index in range(0, len(value), 4)).upper()


def _issuer(report: Report, heading: ReportHeading) -> dict[str, Any]:
    if report.unit.level in LOCAL_GOVERNMENT_LEVELS:
        return {
            "issuer_parent": "",
            "issuer_lines": [PEOPLES_COMMITTEE, heading.unit_name.upper()],
            "abbreviation": PEOPLES_COMMITTEE_ABBREVIATION,
        }
    return {
        "issuer_parent": heading.parent_name.upper(),
        "issuer_lines": [heading.unit_name.upper()],
        "abbreviation": "……",
    }


def _context(report: Report, content: ReportContent) -> dict[str, Any]:
    layout = selectors.layout_of(report)
    heading: ReportHeading = report_heading(report)
    version = content.version
    signed_on = timezone.localtime(version.signed_at or version.submitted_at) if version else None
    day, month, year = document_date(signed_on.date() if signed_on else timezone.localdate())
    forms = printed_forms(layout, content.values)
    # Each line of a narrative is a paragraph, indented as the decree asks of body text.
    narratives = [
        {
            "label": field.label,
            "paragraphs": [
                line.strip()
                for line in content.narratives.get(field.code, "").splitlines()
                if line.strip()
            ],
        }
        for field in layout.narratives
    ]
    return {
        "report": report,
        "heading": heading,
        "national_name": NATIONAL_NAME,
        "national_motto": NATIONAL_MOTTO,
        **_issuer(report, heading),
        "day": day,
        "month": month,
        "year": year,
        "forms": forms,
        "narratives": narratives,
        "version": version,
        "signed_on": signed_on,
        "fingerprint": _fingerprint(version.certificate_fingerprint) if version else "",
        "deadline": heading.deadline.strftime("%d/%m/%Y"),
    }


def report_html(report: Report, version: ReportVersion | None = None) -> str:
    """The printable report as HTML (what the PDF is made from)."""
    with translation.override("vi"):
        return render_to_string(TEMPLATE, _context(report, report_content(report, version)))


def report_pdf(report: Report, version: ReportVersion | None = None) -> bytes:
    """The report as a PDF in the layout of an administrative document."""
    # Imported here: WeasyPrint loads Pango and fontconfig, which only this needs.
    from weasyprint import HTML

    html = report_html(report, version)
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None  # write_pdf without a target returns the bytes
    return bytes(pdf)


def report_xlsx(report: Report, version: ReportVersion | None = None) -> bytes:
    """The report's data as a plain workbook: a sheet per form, numbers as numbers."""
    content = report_content(report, version)
    layout = selectors.layout_of(report)
    heading = report_heading(report)
    book = Workbook()
    book.remove(book.worksheets[0])
    bold = Font(bold=True)
    with_version = (
        _("Version %(number)s") % {"number": content.version.number}
        if content.version is not None
        else _("Draft, not signed")
    )
    for form in printed_forms(layout, content.values):
        ws = book.create_sheet(sheet_title(form.number))
        ws.append([form.name])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([f"{heading.regime_name} – {heading.period_label}"])
        ws.append([f"{heading.unit_name} ({heading.unit_code}) – {with_version}"])
        for section in form.sections:
            ws.append([])
            ws.append([section.title])
            ws.cell(row=ws.max_row, column=1).font = bold
            header = [_("No."), _("Code"), _("Indicator"), _("Unit of measure")]
            if section.show_total:
                header.append(_("Grand total"))
            header.extend(section.columns or [_("Value")])
            header.append(_("Notes"))
            ws.append(header)
            for cell in ws[ws.max_row]:
                cell.font = bold
                cell.alignment = Alignment(wrap_text=True, vertical="center")
            for row in section.rows:
                line: list[object] = [row.number, row.code, row.label, row.unit_of_measure]
                if section.show_total:
                    line.append(row.total)
                line.extend(
                    excel_value(text, row.indicator) if text is not None else None
                    for text in row.values
                )
                line.append(row.comment or None)
                ws.append(line)
                fmt = number_format(row.indicator)
                first = 5
                last = first + int(section.show_total) + len(row.values) - 1
                for column in range(first, last + 1):
                    ws.cell(row=ws.max_row, column=column).number_format = fmt
        widths = {1: 6, 2: 22, 3: 48, 4: 14}
        for column in range(1, ws.max_column + 1):
            ws.column_dimensions[get_column_letter(column)].width = widths.get(column, 16)
    if layout.narratives:
        ws = book.create_sheet(_("Narrative")[:31])
        ws.append([_("Code"), _("Section"), _("Text")])
        for cell in ws[1]:
            cell.font = bold
        for field in layout.narratives:
            ws.append([field.code, field.label, content.narratives.get(field.code) or None])
            ws.cell(row=ws.max_row, column=3).alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions["A"].width = 16
        ws.column_dimensions["B"].width = 32
        ws.column_dimensions["C"].width = 100
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
