"""The Excel round trip: a template built from a report, filled as a person would, read back."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.utils import translation
from python_calamine import CalamineWorkbook

from baocao.core.errors import DomainError, Rejected
from baocao.submissions import excel, selectors, services
from baocao.submissions.models import DataValue, NarrativeText
from baocao.submissions.tests.conftest import (
    COMMUNE,
    PROVINCE,
    REGIME,
    full_values,
    make_user,
    open_period,
)
from baocao.submissions.values import canonical_decimal

# Helpers ---------------------------------------------------------------------------------------


def cell_map(data: bytes) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(kind, code, disaggregation) → (sheet, cell), from the template's `_baocao` sheet."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(book[excel.MAPPING_SHEET].iter_rows(min_row=8, values_only=True))
    return {(kind, code, dis or ""): (sheet, cell) for kind, sheet, cell, code, dis in rows}


def filled(data: bytes, edits: dict[tuple[str, str], object]) -> bytes:
    """The template with cells typed in, saved again, as Excel would."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    for (sheet, cell), value in edits.items():
        book[sheet][cell] = value
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def stored(report) -> dict[tuple[str, str], tuple[str, str]]:
    return {
        key: (value.value, value.comment) for key, value in selectors.report_values(report).items()
    }


def rezipped(data: bytes, *, add: dict[str, bytes] = {}, replace: dict[str, bytes] = {}) -> bytes:  # noqa: B006
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, content in add.items():
            target.writestr(name, content)
    return output.getvalue()


def refused(report, data: bytes, officer) -> DomainError:
    report.refresh_from_db()
    before = (stored(report), report.revision)
    with pytest.raises(DomainError) as caught:
        excel.workbook_import(report, data, actor=officer)
    report.refresh_from_db()
    assert (stored(report), report.revision) == before, "nothing may be saved"
    return caught.value


@pytest.fixture
def province_report(sample_catalogue):
    """Hà Nội's monthly socio-economic report: two forms, option columns, decimals."""
    from baocao.organisations.models import Unit

    user = make_user("canbo-hanoi", PROVINCE, ["reporter"])
    services.signing_key_create(unit=Unit.objects.get(code=PROVINCE), actor=None)
    report = services.report_get_or_create(
        regime="BC-KTXH-THANG", unit=PROVINCE, period=open_period().code, actor=user
    )
    return report, user


# The template ----------------------------------------------------------------------------------


def test_template_is_the_protected_form_with_a_hidden_map(report, officer):
    services.report_save(
        report=report,
        values=full_values(report),
        narratives={"DANH_GIA": "Ổn định"},
        actor=officer,
    )
    data = excel.template_build(report)
    book = openpyxl.load_workbook(io.BytesIO(data))
    form_sheet = excel.sheet_title(1)
    layout = selectors.layout_of(report)
    assert len(layout.forms) == 1
    assert len(book.sheetnames) == 3  # the form, the narrative, the map
    assert (book.sheetnames[0], book.sheetnames[-1]) == (form_sheet, excel.MAPPING_SHEET)
    assert book.security.lockStructure
    hidden = book[excel.MAPPING_SHEET]
    assert (hidden.sheet_state, hidden.protection.sheet) == ("veryHidden", True)
    identity = dict(hidden.iter_rows(max_row=6, max_col=2, values_only=True))
    assert identity["format"] == excel.TEMPLATE_FORMAT
    assert (identity["regime"], identity["unit"], identity["period"]) == (
        REGIME,
        COMMUNE,
        report.period,
    )

    ws = book[form_sheet]
    assert ws.protection.sheet
    texts = " ".join(str(c.value) for row in ws.iter_rows(max_row=10) for c in row if c.value)
    assert "Phường Ba Đình" in texts and "Thành phố Hà Nội" in texts
    assert report.regime.name in texts
    assert report.deadline.strftime("%d/%m/%Y") in texts
    assert excel.NATIONAL_NAME in texts

    cells = cell_map(data)
    values = [key for key in cells if key[0] == "value"]
    assert len(values) == len(layout.cells)
    first = full_values(report)[0]
    sheet, ref = cells[("value", first.indicator, "")]
    target = ws[ref]
    assert (sheet, target.value) == (form_sheet, int(first.value))
    assert target.protection.locked is False
    assert target.fill.fgColor.rgb.endswith("FFF2CC")
    assert target.number_format == "#,##0"  # HCC indicators are whole numbers
    label = ws.cell(row=target.row, column=2)
    assert label.value == layout.cells[(first.indicator, "")].row_label
    assert label.protection.locked is True
    narrative_sheet, narrative_ref = cells[("narrative", "DANH_GIA", "")]
    assert book[narrative_sheet][narrative_ref].value == "Ổn định"
    assert book[narrative_sheet][narrative_ref].protection.locked is False


def test_option_columns_get_a_live_total_and_decimal_formats(province_report):
    report, _user = province_report
    data = excel.template_build(report)
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = cell_map(data)
    layout = selectors.layout_of(report)
    assert len(layout.forms) == 2
    assert book.sheetnames[:2] == [excel.sheet_title(1), excel.sheet_title(2)]
    export = [cell for cell in layout.cell_list() if cell.key[0] == "ODVM.XK"]
    assert len(export) > 1 and all(cell.column is not None for cell in export)
    refs = [cells[("value", *cell.key)] for cell in export]
    ws = book[refs[0][0]]
    first, last = ws[refs[0][1]], ws[refs[-1][1]]
    assert first.row == last.row
    total = ws.cell(row=first.row, column=first.column - 1)
    assert total.value == f"=SUM({first.coordinate}:{last.coordinate})"
    assert total.protection.locked is True
    assert first.number_format == "#,##0.0"
    cpi = cells[("value", "ODVM.CPI_CK", "")]
    assert book[cpi[0]][cpi[1]].number_format == "#,##0.00"
    # A percentage is not summed across options: no total formula on such rows.
    formulas = [
        c.value
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert all(f.startswith("=SUM(") for f in formulas)


def test_previous_period_values_are_shown_read_only(report, officer):
    values = full_values(report)
    services.report_save(report=report, values=values, actor=officer)
    services.report_submit(report=report, actor=officer)
    later = services.report_get_or_create(
        regime=REGIME, unit=COMMUNE, period=open_period().next().code, actor=officer
    )
    data = excel.template_build(later, with_previous=True)
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet, ref = cell_map(data)[("value", values[0].indicator, "")]
    ws = book[sheet]
    row = ws[ref].row
    shown = [ws.cell(row=row, column=column) for column in range(ws[ref].column + 1, 8)]
    previous = next(cell for cell in shown if cell.value is not None)
    assert previous.value == int(values[0].value)
    assert previous.protection.locked is True
    # Without the option there is no such column.
    plain = openpyxl.load_workbook(io.BytesIO(excel.template_build(later)))
    assert plain[sheet].max_column < ws.max_column


# Round trip ------------------------------------------------------------------------------------


def test_round_trip_of_a_commune_report(report, officer):
    values = full_values(report)
    services.report_save(report=report, values=values, actor=officer)
    data = excel.template_build(report)
    cells = cell_map(data)
    first, second, third = values[0], values[1], values[2]
    edits = {
        cells[("value", first.indicator, "")]: "1.234",  # typed as text, Vietnamese style
        cells[("value", second.indicator, "")]: 56.0,  # a number cell, read as a float
        cells[("value", third.indicator, "")]: None,  # emptied: the value is removed
        cells[("comment", first.indicator, "")]: "Số liệu từ phần mềm một cửa",
        cells[("narrative", "KHO_KHAN", "")]: "Thiếu cán bộ tiếp nhận hồ sơ",
    }
    content = excel.workbook_read(report, filled(data, edits))
    where = {item.indicator: item.where["cell"] for item in content.values}
    sheet, ref = cells[("value", first.indicator, "")]
    assert where[first.indicator] == f"{sheet}!{ref}"

    excel.workbook_import(report, filled(data, edits), actor=officer)
    after = stored(report)
    assert after[(first.indicator, "")] == ("1234", "Số liệu từ phần mềm một cửa")
    assert after[(second.indicator, "")] == ("56", "")
    assert (third.indicator, "") not in after
    for item in values[3:]:
        assert after[(item.indicator, "")] == (item.value, "")
    assert NarrativeText.objects.get(report=report, code="KHO_KHAN").text == (
        "Thiếu cán bộ tiếp nhận hồ sơ"
    )
    # Only the values that changed were written, and they say they came from Excel.
    channels = dict(
        DataValue.objects.filter(report=report).values_list("indicator__code", "channel")
    )
    assert (channels[first.indicator], channels[values[3].indicator]) == ("excel", "web")
    # Downloading again gives back what was saved.
    again = excel.workbook_read(report, excel.template_build(report))
    assert {
        (v.indicator, v.disaggregation): canonical_decimal(v.value)
        for v in again.values
        if v.value is not None
    } == {key: value for key, (value, _c) in after.items()}


def test_round_trip_with_decimals_and_option_columns(province_report):
    report, user = province_report
    layout = selectors.layout_of(report)
    data = excel.template_build(report)
    cells = cell_map(data)
    export = [cell.key for cell in layout.cell_list() if cell.key[0] == "ODVM.XK"]
    edits: dict[tuple[str, str], object] = {}
    expected: dict[tuple[str, str], str] = {}
    for number, cell in enumerate(layout.cell_list()):
        if cell.indicator.value_type == "integer":
            edits[cells[("value", *cell.key)]] = 100 + number
            expected[cell.key] = str(100 + number)
        else:
            edits[cells[("value", *cell.key)]] = "1.234,5"
            expected[cell.key] = "1234.5"
    edits[cells[("value", *export[0])]] = 0.1  # a float that binary cannot hold exactly
    expected[export[0]] = "0.1"
    edits[cells[("value", *export[1])]] = 12.300000000000001  # float noise from a paste
    expected[export[1]] = "12.3"
    edits[cells[("value", "ODVM.CPI_CK", "")]] = "101,25"
    expected[("ODVM.CPI_CK", "")] = "101.25"
    edits[cells[("comment", *export[0])]] = "Ước tính"
    edits[cells[("narrative", "DANH_GIA", "")]] = "Kinh tế tiếp tục phục hồi"
    excel.workbook_import(report, filled(data, edits), actor=user)
    after = stored(report)
    assert {key: value for key, (value, _c) in after.items()} == expected
    # One note per row: it goes to the values of that row.
    assert {after[key][1] for key in export} == {"Ước tính"}


# Refused uploads -------------------------------------------------------------------------------


def test_a_bad_number_names_its_cell_and_nothing_is_saved(report, officer):
    values = full_values(report)
    services.report_save(report=report, values=values, actor=officer)
    data = excel.template_build(report)
    cells = cell_map(data)
    sheet, ref = cells[("value", values[0].indicator, "")]
    sheet2, ref2 = cells[("value", values[1].indicator, "")]
    upload = filled(data, {(sheet, ref): "12,3a", (sheet2, ref2): 1.5})
    with translation.override("vi"):
        error = refused(report, upload, officer)
        assert isinstance(error, Rejected)
        assert [(p.code, p.cell) for p in error.problems] == [
            ("not_a_number", f"{sheet}!{ref}"),
            ("not_an_integer", f"{sheet2}!{ref2}"),
        ]
        assert str(error.problems[0]).startswith(f'{sheet}!{ref}: "12,3a"')


def test_a_template_of_another_unit_is_refused(report, officer):
    from baocao.organisations.models import Unit

    other_unit = (
        Unit.objects.filter(level="commune", versions__parent__code=PROVINCE)
        .exclude(code=COMMUNE)
        .first()
    )
    other_officer = make_user("canbo-khac", other_unit.code, ["reporter"])
    other = services.report_get_or_create(
        regime=REGIME, unit=other_unit.code, period=report.period, actor=other_officer
    )
    error = refused(report, excel.template_build(other), officer)
    assert error.code == "xlsx_wrong_template"
    assert other_unit.code in error.message


def test_a_workbook_not_made_by_baocao_is_refused(report, officer):
    book = openpyxl.Workbook()
    book.active["D12"] = 12
    output = io.BytesIO()
    book.save(output)
    assert refused(report, output.getvalue(), officer).code == "xlsx_wrong_template"


@pytest.mark.parametrize(
    "data",
    [
        b"STT;Chi tieu;Gia tri\n1;Ho so;12\n",
        b"%PDF-1.7\n",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),  # an old .xls
        b"PK\x03\x04 truncated",
    ],
    ids=["csv", "pdf", "xls", "broken-zip"],
)
def test_a_file_that_is_no_workbook_is_refused(report, officer, data):
    error = refused(report, data, officer)
    assert (error.code, error.field) == ("not_xlsx", "file")


def test_a_zip_without_a_workbook_is_refused(report, officer):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert refused(report, output.getvalue(), officer).code == "not_xlsx"


def test_a_file_over_the_size_limit_is_refused(report, officer):
    error = refused(report, b"PK" + bytes(excel.MAX_UPLOAD_BYTES), officer)
    assert error.code == "file_too_large"


@pytest.mark.parametrize("size_mb", [60, 120], ids=["ratio", "total-size"])
def test_a_zip_bomb_is_refused(report, officer, size_mb):
    template = excel.template_build(report)
    zeros = bytes(size_mb * 1024 * 1024)
    bomb = rezipped(template, add={"xl/media/image1.bin": zeros})
    assert len(bomb) < excel.MAX_UPLOAD_BYTES
    assert refused(report, bomb, officer).code == "xlsx_bomb"


def test_a_part_larger_than_it_declares_is_refused(report, officer):
    template = excel.template_build(report)
    data = bytearray(rezipped(template, add={"xl/media/big.bin": bytes(200_000)}))
    # Make the zip directory claim the part is 1 000 bytes: zipfile stops there and the
    # CRC fails, so the part never expands past its declared size.
    start = data.find(b"PK\x01\x02", data.find(b"xl/media/big.bin") - 200)
    while data[start + 46 : start + 46 + 16] != b"xl/media/big.bin":
        start = data.find(b"PK\x01\x02", start + 4)
    data[start + 24 : start + 28] = (1000).to_bytes(4, "little")
    error = refused(report, bytes(data), officer)
    assert error.code == "not_xlsx"


def test_a_workbook_with_macros_is_refused(report, officer):
    template = excel.template_build(report)
    macro = rezipped(template, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 Attribute VB_Name"})
    assert refused(report, macro, officer).code == "xlsx_macros"


def test_a_formula_in_an_input_cell_is_refused(report, officer):
    values = full_values(report)
    services.report_save(report=report, values=values, actor=officer)
    data = excel.template_build(report)
    cells = cell_map(data)
    sheet, ref = cells[("value", values[2].indicator, "")]
    error = refused(report, filled(data, {(sheet, ref): "=10+2"}), officer)
    assert isinstance(error, Rejected)
    assert [(p.code, p.cell) for p in error.problems] == [("xlsx_formula", f"{sheet}!{ref}")]
    assert "10+2" in error.problems[0].message


def test_a_sheet_declaring_entities_is_refused(report, officer):
    data = excel.template_build(report)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    hostile = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>' + sheet
    error = refused(report, rezipped(data, replace={"xl/worksheets/sheet1.xml": hostile}), officer)
    assert error.code == "not_xlsx"


def test_the_template_is_readable_by_calamine(report, officer):
    services.report_save(report=report, values=full_values(report), actor=officer)
    book = CalamineWorkbook.from_filelike(io.BytesIO(excel.template_build(report)))
    assert excel.MAPPING_SHEET in book.sheet_names
