"""The printable report (PDF) and the plain Excel export."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import unicodedata
import zlib

import pytest
from python_calamine import CalamineWorkbook

from baocao.submissions import printing, selectors, services
from baocao.submissions.tests.conftest import full_values, make_user, open_period

# Text of a PDF -----------------------------------------------------------------------------------


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF: with poppler's pdftotext when installed, else with `_pdf_text`."""
    tool = shutil.which("pdftotext")
    if tool:
        done = subprocess.run(
            [tool, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
        )
        text = done.stdout.decode("utf-8")
    else:
        text = _pdf_text(pdf)
    return unicodedata.normalize("NFC", text)


_OBJECT = re.compile(rb"(\d+) 0 obj\s*(<<.*?>>)\s*(?:stream\r?\n)?", re.S)


def _pdf_objects(pdf: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Object number → (dictionary, decoded stream), including objects in object streams."""
    objects: dict[int, tuple[bytes, bytes]] = {}
    for match in _OBJECT.finditer(pdf):
        head, body = match.group(2), b""
        length = re.search(rb"/Length (\d+)", head)
        if pdf[match.end() - 1 : match.end()] == b"\n" and length:
            body = pdf[match.end() : match.end() + int(length.group(1))]
            if b"/FlateDecode" in head:
                body = zlib.decompress(body)
        objects[int(match.group(1))] = (head, body)
    for head, body in list(objects.values()):
        if b"/Type /ObjStm" in head:
            first = int(re.search(rb"/First (\d+)", head).group(1))
            numbers = [int(item) for item in body[:first].split()]
            pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
            for index, (number, offset) in enumerate(pairs):
                end = pairs[index + 1][1] if index + 1 < len(pairs) else len(body) - first
                objects.setdefault(number, (body[first + offset : first + end], b""))
    return objects


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """A font's ToUnicode CMap: glyph code → text."""
    mapping: dict[int, str] = {}

    def decode(hexed: bytes) -> str:
        return bytes.fromhex(hexed.decode()).decode("utf-16-be")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        items = re.findall(rb"<([0-9A-Fa-f]+)>", block)
        for source, target in zip(items[::2], items[1::2], strict=True):
            mapping[int(source, 16)] = decode(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        ranges = re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)", block
        )
        for low_hex, high_hex, target in ranges:
            low, high = int(low_hex, 16), int(high_hex, 16)
            if target.startswith(b"["):
                for offset, item in enumerate(re.findall(rb"<([0-9A-Fa-f]+)>", target)):
                    mapping[low + offset] = decode(item)
            else:
                start = bytes.fromhex(target[1:-1].decode())
                for offset in range(high - low + 1):
                    mapping[low + offset] = (start[:-1] + bytes([start[-1] + offset])).decode(
                        "utf-16-be"
                    )
    return mapping


def _pdf_text(pdf: bytes) -> str:
    """Enough of a PDF reader for WeasyPrint's output: Identity-H fonts with ToUnicode maps."""
    objects = _pdf_objects(pdf)
    fonts = {}
    for number, (head, _body) in objects.items():
        found = re.search(rb"/ToUnicode (\d+) 0 R", head)
        if found:
            fonts[number] = _to_unicode(objects[int(found.group(1))][1])
    names: dict[bytes, dict[int, str]] = {}
    for head, _body in objects.values():
        for name, number in re.findall(rb"/([^\s/<>\[\]()]+)\s+(\d+) 0 R", head):
            if int(number) in fonts:
                names[name] = fonts[int(number)]
    operator = re.compile(
        rb"/([^\s/<>\[\]()]+)\s+[\d.]+\s+Tf|\[(.*?)\]\s*TJ|<([0-9A-Fa-f]*)>\s*Tj|(T\*|Td|TD|Tm|ET)",
        re.S,
    )
    lines: list[str] = []
    for _head, body in objects.values():
        if b"BT" not in body or b"Tf" not in body:
            continue
        cmap: dict[int, str] = {}
        line: list[str] = []
        for match in operator.finditer(body):
            if match.group(1):
                cmap = names.get(match.group(1), {})
            elif match.group(4):
                if line:
                    lines.append("".join(line))
                line = []
            else:
                shown = match.group(2) or b"<" + match.group(3) + b">"
                for hexed, kern in re.findall(rb"<([0-9A-Fa-f]*)>|(-?[\d.]+)", shown):
                    if kern and float(kern) < -250:
                        line.append(" ")
                    for index in range(0, len(hexed), 4):
                        line.append(cmap.get(int(hexed[index : index + 4], 16), "\ufffd"))
        if line:
            lines.append("".join(line))
    return "\n".join(lines)


def flat(text: str) -> str:
    return " ".join(text.split())


# The PDF ---------------------------------------------------------------------------------------


def test_the_pdf_reader_used_here_reads_vietnamese(report, officer):
    # The fallback reader is checked even where pdftotext is installed.
    services.report_save(
        report=report, values=full_values(report), narratives={"DANH_GIA": "Ổn định"}, actor=officer
    )
    text = flat(_pdf_text(printing.report_pdf(report)))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Ổn định" in text


def test_a_draft_prints_as_an_unsigned_administrative_document(report, officer):
    values = full_values(report)
    values[0] = services.ValueInput(values[0].indicator, "", "1.234.567", comment="Ước tính")
    narrative = "Số hồ sơ tiếp nhận tăng so với tháng trước; không có hồ sơ quá hạn."
    services.report_save(
        report=report, values=values, narratives={"DANH_GIA": narrative}, actor=officer
    )
    pdf = printing.report_pdf(report)
    assert pdf.startswith(b"%PDF-")
    text = flat(pdf_text(pdf))
    for expected in (
        "ỦY BAN NHÂN DÂN",
        "PHƯỜNG BA ĐÌNH",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "/BC-UBND",
        report.regime.name,
        "Thành phố Hà Nội",
        narrative,
        "Ước tính",
        "1.234.567",  # grouped the Vietnamese way
        selectors.layout_of(report).cells[(values[1].indicator, "")].row_label,
    ):
        assert expected in text, expected
    key = report.unit.signing_keys.get()
    assert key.fingerprint[:4].upper() not in text.replace(report.unit.code, "")


def test_a_version_prints_what_was_signed(report, officer, reviewer):
    values = full_values(report)
    first = values[0]
    services.report_save(report=report, values=values, actor=officer)
    version = services.report_submit(report=report, actor=officer)
    services.report_return(report=report, actor=reviewer, reason="Kiểm tra lại số liệu")
    services.report_save(
        report=report,
        values=[services.ValueInput(first.indicator, "", "987.654")],
        actor=officer,
    )
    cell = selectors.layout_of(report).cells[(first.indicator, "")]
    row = f"{cell.row_label} {cell.indicator.unit_of_measure}"
    signed = flat(pdf_text(printing.report_pdf(report, version)))
    assert f"{row} {first.value} " in signed
    assert "987.654" not in signed
    fingerprint = printing._fingerprint(version.certificate_fingerprint)
    assert fingerprint[:19] in signed
    assert version.digest[:16] in signed
    assert "Phường Ba Đình" in signed  # the signer's certificate subject
    draft = flat(pdf_text(printing.report_pdf(report)))
    assert f"{row} 987.654 " in draft
    assert fingerprint[:19] not in draft


@pytest.fixture
def province_report(sample_catalogue):
    from baocao.organisations.models import Unit

    user = make_user("canbo-hanoi", "01", ["reporter"])
    services.signing_key_create(unit=Unit.objects.get(code="01"), actor=None)
    report = services.report_get_or_create(
        regime="BC-KTXH-THANG", unit="01", period=open_period().code, actor=user
    )
    return report, user


def test_option_columns_print_with_totals_and_decimals(province_report):
    report, user = province_report
    layout = selectors.layout_of(report)
    export = [cell.key for cell in layout.cell_list() if cell.key[0] == "ODVM.XK"]
    assert len(export) == 3  # state, non-state, foreign-invested
    given = ["1.234,5", "100", "0,5"]
    services.report_save(
        report=report,
        values=[
            services.ValueInput(code, dis, text)
            for (code, dis), text in zip(export, given, strict=True)
        ],
        actor=user,
    )
    content = printing.report_content(report)
    forms = printing.printed_forms(layout, content.values)
    row = next(r for f in forms for s in f.sections for r in s.rows if r.code == "ODVM.XK")
    assert row.shown == ["1.234,5", "100,0", "0,5"]  # one decimal, as the indicator says
    assert row.shown_total == "1.335,0"
    text = flat(pdf_text(printing.report_pdf(report)))
    assert "1.234,5" in text and "1.335,0" in text
    assert "Hà Nội, " in text  # the place of a province's documents


def test_document_dates_follow_decree_30():
    assert printing.document_date(dt.date(2026, 1, 6)) == ("06", "01", "2026")
    assert printing.document_date(dt.date(2026, 2, 28)) == ("28", "02", "2026")
    assert printing.document_date(dt.date(2026, 3, 9)) == ("09", "3", "2026")
    assert printing.document_date(dt.date(2026, 12, 6)) == ("06", "12", "2026")


# The plain Excel export ------------------------------------------------------------------------


def test_the_export_holds_numbers_as_numbers(province_report):
    report, user = province_report
    layout = selectors.layout_of(report)
    export = [cell.key for cell in layout.cell_list() if cell.key[0] == "ODVM.XK"]
    services.report_save(
        report=report,
        values=[
            services.ValueInput(export[0][0], export[0][1], "1.234,5", comment="Sơ bộ"),
            services.ValueInput(export[1][0], export[1][1], "10"),
            services.ValueInput("ODVM.CPI_CK", "", "103,25"),
        ],
        narratives={"DANH_GIA": "Kinh tế tăng trưởng khá"},
        actor=user,
    )
    book = CalamineWorkbook.from_filelike(io.BytesIO(printing.report_xlsx(report)))
    assert len(book.sheet_names) == len(layout.forms) + 1
    rows = [
        row
        for name in book.sheet_names
        for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    ]
    xk = next(row for row in rows if len(row) > 1 and row[1] == "ODVM.XK")
    numbers = [value for value in xk[4:] if isinstance(value, float)]
    assert numbers[:3] == [1244.5, 1234.5, 10.0]  # total, then the options
    assert "Sơ bộ" in xk
    cpi = next(row for row in rows if len(row) > 1 and row[1] == "ODVM.CPI_CK")
    assert 103.25 in cpi
    narrative = next(row for row in rows if row and row[0] == "DANH_GIA")
    assert narrative[2] == "Kinh tế tăng trưởng khá"


def test_the_export_of_a_version_is_its_signed_content(report, officer):
    values = full_values(report)
    services.report_save(report=report, values=values, actor=officer)
    version = services.report_submit(report=report, actor=officer)
    book = CalamineWorkbook.from_filelike(io.BytesIO(printing.report_xlsx(report, version)))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python(skip_empty_area=False)
    first = next(row for row in rows if len(row) > 1 and row[1] == values[0].indicator)
    assert float(values[0].value) in first
