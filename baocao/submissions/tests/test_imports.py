"""Bulk value import: counts, history, every rejection with its line, CLI, API and bench."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import path
from hypothesis import given, settings
from hypothesis import strategies as st

from baocao.catalogue.models import Indicator
from baocao.core.errors import DomainError
from baocao.organisations.models import Unit
from baocao.submissions import imports
from baocao.submissions.api.imports import ValueImportView
from baocao.submissions.choices import ValueSource
from baocao.submissions.imports import values_import
from baocao.submissions.models import DataValue, DataValueHistory
from baocao.submissions.tests.conftest import COMMUNE, make_user
from baocao.submissions.values import clean_value

# The API test mounts the view where the lead wires it (tiny urlconf: this module).
urlpatterns = [path("api/v1/values/import/", ValueImportView.as_view())]

HEADER = "indicator,disaggregation,unit,period,value"
OTHER_COMMUNE = "00008"  # Phường Ngọc Hà (Hà Nội)
OLD_DISTRICT = "001"  # Quận Ba Đình, until 30/06/2025


def csv_bytes(*lines: str, header: str = HEADER, bom: bool = False) -> io.BytesIO:
    text = "\n".join([header, *lines]) + "\n"
    return io.BytesIO((b"\xef\xbb\xbf" if bom else b"") + text.encode())


def run(*lines: str, header: str = HEADER, source: str = "HTTK", **options):  # type: ignore[no-untyped-def]
    return values_import(
        file=csv_bytes(*lines, header=header),
        source=source,
        actor=options.pop("actor", None),
        **options,
    )


def stored(source: str = "HTTK") -> dict[tuple[str, str, str, str], str]:
    return {
        (value.indicator.code, value.disaggregation, value.unit.code, value.period): value.value
        for value in DataValue.objects.filter(source=source).select_related("indicator", "unit")
    }


def conflicts(summary) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [(conflict.row, conflict.code) for conflict in summary.conflicts]


# Counts and history ----------------------------------------------------------------------------


def test_new_changed_same_and_deleted_values_are_counted_exactly(sample_catalogue):
    first = run(
        f"TTKT.KHACH_DL,,{COMMUNE},202601,1200",
        f"TTKT.BAN_LE,,{COMMUNE},202601,3456.5",
        f"MTKD.DN_MOI,OWNERSHIP=FDI,{COMMUNE},202601,3",
    )
    assert (first.imported, first.updated, first.ignored, first.deleted, first.rejected) == (
        3,
        0,
        0,
        0,
        0,
    )
    value = DataValue.objects.get(source="HTTK", indicator__code="TTKT.KHACH_DL")
    assert value.report is None
    assert value.channel == ValueSource.IMPORT
    assert value.updated_by_name == "system"

    second = run(
        f"TTKT.KHACH_DL,,{COMMUNE},202601,1200",  # same value
        f"TTKT.BAN_LE,,{COMMUNE},202601,3456.50",  # same number, other spelling: same value
        f"MTKD.DN_MOI,OWNERSHIP=FDI,{COMMUNE},202601,4",  # changed
        f"TTKT.KHACH_DL,,{COMMUNE},202602,900",  # new
        f"TTKT.KHACH_DL_QT,,{COMMUNE},202601,",  # delete of nothing: ignored
    )
    assert (second.imported, second.updated, second.ignored, second.deleted) == (1, 1, 3, 0)

    third = run(f"TTKT.KHACH_DL,,{COMMUNE},202601,")  # empty value deletes
    assert (third.imported, third.updated, third.ignored, third.deleted) == (0, 0, 0, 1)

    assert stored() == {
        ("TTKT.BAN_LE", "", COMMUNE, "202601"): "3456.5",
        ("MTKD.DN_MOI", "OWNERSHIP=FDI", COMMUNE, "202601"): "4",
        ("TTKT.KHACH_DL", "", COMMUNE, "202602"): "900",
    }
    history = list(
        DataValueHistory.objects.filter(source="HTTK")
        .order_by("pk")
        .values_list("indicator__code", "value", "new_value", "deleted", "channel")
    )
    assert history == [
        ("MTKD.DN_MOI", "3", "4", False, ValueSource.IMPORT),
        ("TTKT.KHACH_DL", "1200", "", True, ValueSource.IMPORT),
    ]


def test_counts_stay_exact_across_chunks(sample_catalogue, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    lines = [f"TTKT.KHACH_DL,,{COMMUNE},2026{month:02d},{month}" for month in range(1, 8)]
    assert run(*lines).imported == 7
    lines[2] = f"TTKT.KHACH_DL,,{COMMUNE},202603,333"
    lines[5] = f"TTKT.KHACH_DL,,{COMMUNE},202606,"
    summary = run(*lines)
    assert (summary.imported, summary.updated, summary.ignored, summary.deleted) == (0, 1, 5, 1)
    assert DataValueHistory.objects.filter(source="HTTK").count() == 2


def test_comments_are_kept_without_a_comment_column_and_set_with_one(sample_catalogue):
    header = HEADER + ",comment"
    run(f"TTKT.KHACH_DL,,{COMMUNE},202601,10,Số liệu ước tính", header=header)
    summary = run(f"TTKT.KHACH_DL,,{COMMUNE},202601,10")
    assert summary.ignored == 1
    assert DataValue.objects.get(source="HTTK").comment == "Số liệu ước tính"

    summary = run(f"TTKT.KHACH_DL,,{COMMUNE},202601,10,Số liệu chính thức", header=header)
    assert summary.updated == 1
    assert DataValue.objects.get(source="HTTK").comment == "Số liệu chính thức"
    previous = DataValueHistory.objects.get(source="HTTK")
    assert (previous.value, previous.comment, previous.new_value) == (
        "10",
        "Số liệu ước tính",
        "10",
    )


def test_dry_run_counts_and_writes_nothing(sample_catalogue):
    run(f"TTKT.KHACH_DL,,{COMMUNE},202601,10")
    summary = run(
        f"TTKT.KHACH_DL,,{COMMUNE},202601,11",
        f"TTKT.KHACH_DL,,{COMMUNE},202602,5",
        dry_run=True,
    )
    assert (summary.dry_run, summary.imported, summary.updated) == (True, 1, 1)
    assert stored() == {("TTKT.KHACH_DL", "", COMMUNE, "202601"): "10"}
    assert not DataValueHistory.objects.exists()


def test_disaggregations_are_normalised(sample_catalogue):
    summary = run(
        f"LDVL.GQVL,NU,{COMMUNE},202601,7",
        f'XH.DAN_SO,"URBAN_RURAL=THANH_THI,SEX=NAM",{COMMUNE},202601,1000',
        f"XH.DAN_SO, NU , {COMMUNE} ,202601,900",
    )
    assert summary.imported == 3
    assert set(stored()) == {
        ("LDVL.GQVL", "SEX=NU", COMMUNE, "202601"),
        ("XH.DAN_SO", "SEX=NAM,URBAN_RURAL=THANH_THI", COMMUNE, "202601"),
        ("XH.DAN_SO", "SEX=NU", COMMUNE, "202601"),
    }


def test_a_bom_and_crlf_line_ends_are_tolerated(sample_catalogue):
    data = ("\ufeff" + HEADER + "\r\n" + f"TTKT.KHACH_DL,,{COMMUNE},202601,10\r\n").encode()
    summary = values_import(file=io.BytesIO(data), source="HTTK", actor=None)
    assert summary.imported == 1


def test_a_file_path_is_read(sample_catalogue, tmp_path):
    file = tmp_path / "values.csv"
    file.write_bytes(csv_bytes(f"TTKT.KHACH_DL,,{COMMUNE},202601,10").getvalue())
    assert values_import(file=file, source="HTTK", actor=None).imported == 1


# Rejections -------------------------------------------------------------------------------------


def test_every_rejection_names_its_line_and_the_rest_is_written(sample_catalogue):
    summary = run(
        f"TTKT.KHACH_DL,,{COMMUNE},202601,10",  # 2: fine
        f"TTKT.KHACH_DL,,{COMMUNE},202602",  # 3: one column short
        f"KHONG.CO,,{COMMUNE},202601,1",  # 4
        f"TCC.DTC_TL_GN,,{COMMUNE},202601,50",  # 5: derived (formula)
        f"MTKD.DN_MOI,SEX=NU,{COMMUNE},202601,1",  # 6: not a dimension of the indicator
        f"MTKD.DN_MOI,OWNERSHIP=KHAC,{COMMUNE},202601,1",  # 7: unknown option
        "TTKT.KHACH_DL,,99999,202601,1",  # 8
        f"TTKT.KHACH_DL,,{COMMUNE},2026-01,1",  # 9
        f"TTKT.KHACH_DL,,{COMMUNE},202613,1",  # 10: month 13
        f"TTKT.KHACH_DL,,{OLD_DISTRICT},202601,1",  # 11: district gone since 01/07/2025
        f"TTKT.KHACH_DL,,{COMMUNE},202601,11",  # 12: same key as line 2
        f"TTKT.KHACH_DL,,{COMMUNE},202603,mười",  # 13
        f"TTKT.KHACH_DL,,{COMMUNE},202604,1.5",  # 14: integer indicator
        f"TTKT.BAN_LE,,{COMMUNE},202601,1.25",  # 15: one decimal allowed
        f"TTKT.BAN_LE,,{COMMUNE},202602,1.234,5",  # 16: Vietnamese number: too many columns
        f"TTKT.BAN_LE,,{COMMUNE},202603,1e20",  # 17
        f"TTKT.KHACH_DL,,{OLD_DISTRICT},202401,5",  # 18: fine, the district existed then
    )
    assert conflicts(summary) == [
        (3, "csv_columns"),
        (4, "unknown_indicator"),
        (5, "derived_not_entered"),
        (6, "unknown_disaggregation"),
        (7, "unknown_disaggregation"),
        (8, "unknown_unit"),
        (9, "period_code_invalid"),
        (10, "period_month_out_of_range"),
        (11, "unit_not_in_force"),
        (12, "csv_duplicate"),
        (13, "not_a_number"),
        (14, "not_an_integer"),
        (15, "too_many_decimals"),
        (16, "csv_columns"),
        (17, "not_a_number"),
    ]
    assert summary.rejected == 15
    assert summary.imported == 2
    by_row = {conflict.row: conflict for conflict in summary.conflicts}
    assert by_row[12].message  # rendered in the active language
    assert by_row[8].field == "unit"
    assert by_row[13].field == "value"
    assert "KHACH_DL" not in by_row[6].message and "MTKD.DN_MOI" in by_row[6].message
    assert set(stored()) == {
        ("TTKT.KHACH_DL", "", COMMUNE, "202601"),
        ("TTKT.KHACH_DL", "", OLD_DISTRICT, "202401"),
    }


def test_a_comment_without_a_value_is_refused(sample_catalogue):
    summary = run(f"TTKT.KHACH_DL,,{COMMUNE},202601,,ghi chú", header=HEADER + ",comment")
    assert conflicts(summary) == [(2, "comment_without_value")]


@pytest.mark.parametrize(
    "header",
    ["indicator,unit,period,value", "chi_tieu,phan_to,don_vi,ky,gia_tri", HEADER + ",note"],
)
def test_a_wrong_header_rejects_the_whole_file(sample_catalogue, header):
    with pytest.raises(DomainError) as caught:
        run(f"TTKT.KHACH_DL,,{COMMUNE},202601,10", header=header)
    assert caught.value.code == "csv_header"
    assert caught.value.row == 1
    assert not DataValue.objects.exists()


def test_an_empty_file_has_no_header(sample_catalogue):
    with pytest.raises(DomainError) as caught:
        values_import(file=io.BytesIO(b""), source="HTTK", actor=None)
    assert caught.value.code == "csv_header"


def test_a_file_that_is_not_utf8_is_refused_with_its_line_and_nothing_is_written(
    sample_catalogue,
):
    # "Đà" in Windows-1258, as old Vietnamese systems export it: not UTF-8.
    data = (HEADER + f"\nTTKT.KHACH_DL,,{COMMUNE},202601,10\n").encode() + (
        f"TTKT.KHACH_DL,,{COMMUNE},202602,".encode() + "Đà".encode("cp1258") + b"\n"
    )
    with pytest.raises(DomainError) as caught:
        values_import(file=io.BytesIO(data), source="HTTK", actor=None)
    assert caught.value.code == "csv_encoding"
    assert caught.value.line == 3
    assert not DataValue.objects.exists()


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("BC-DVC-THANG", "import_source_is_regime"),
        ("httk", "import_source_invalid"),
        ("", "import_source_invalid"),
        ("X" * 65, "import_source_invalid"),
    ],
)
def test_the_source_cannot_be_a_regime_or_a_bad_code(sample_catalogue, source, code):
    with pytest.raises(DomainError) as caught:
        run(f"TTKT.KHACH_DL,,{COMMUNE},202601,10", source=source)
    assert caught.value.code == code
    assert caught.value.field == "source"


def test_a_user_imports_only_for_units_they_may_write(sample_catalogue):
    officer = make_user("canbo-badinh", COMMUNE, ["reporter"])
    summary = run(
        f"TTKT.KHACH_DL,,{COMMUNE},202601,10",
        f"TTKT.KHACH_DL,,{OTHER_COMMUNE},202601,10",
        actor=officer,
    )
    assert summary.imported == 1
    assert conflicts(summary) == [(3, "forbidden_unit")]
    assert DataValue.objects.get(source="HTTK").updated_by_name == "canbo-badinh"

    reviewer = make_user("kiemduyet", COMMUNE, ["reviewer"])  # may not report at all
    summary = run(f"TTKT.KHACH_DL,,{COMMUNE},202602,10", actor=reviewer)
    assert conflicts(summary) == [(2, "forbidden_unit")]


# The fast path for plain numbers gives what `values.clean_value` gives --------------------------


@settings(max_examples=300, deadline=None)
@given(
    number=st.decimals(
        min_value=Decimal("-999999999999999"),
        max_value=Decimal("999999999999999"),
        places=3,
        allow_nan=False,
        allow_infinity=False,
    ),
    padding=st.sampled_from(["", "0", "00"]),
    decimals=st.integers(min_value=0, max_value=3),
    integer=st.booleans(),
)
def test_plain_numbers_are_read_as_clean_value_reads_them(number, padding, decimals, integer):
    text = format(number, "f")
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    raw = sign + padding + digits
    fast = imports._plain_number(raw, integer=integer, decimals=decimals)
    try:
        slow = clean_value(
            value_type="integer" if integer else "number", decimals=decimals, raw=raw, style="plain"
        )
    except DomainError:
        assert fast is None
    else:
        assert fast in (None, slow)


# CLI ---------------------------------------------------------------------------------------------


def test_cli_prints_the_summary_and_each_rejected_line(sample_catalogue, tmp_path):
    file = tmp_path / "values.csv"
    file.write_bytes(
        csv_bytes(f"TTKT.KHACH_DL,,{COMMUNE},202601,10", "TTKT.KHACH_DL,,99999,202601,1").getvalue()
    )
    out, err = io.StringIO(), io.StringIO()
    call_command("values", "import", str(file), "--source", "HTTK", stdout=out, stderr=err)
    assert "HTTK" in out.getvalue()
    assert "unknown_unit" in err.getvalue() and "3" in err.getvalue()
    assert stored() == {("TTKT.KHACH_DL", "", COMMUNE, "202601"): "10"}

    out = io.StringIO()
    call_command(
        "values", "import", str(file), "--source", "HTTK", "--json", stdout=out, stderr=err
    )
    summary = json.loads(out.getvalue())
    assert (summary["ignored"], summary["rejected"]) == (1, 1)
    assert summary["conflicts"][0] == {
        "row": 3,
        "code": "unknown_unit",
        "message": summary["conflicts"][0]["message"],
        "field": "unit",
    }


def test_cli_file_level_problems_exit_with_an_error(sample_catalogue, tmp_path):
    file = tmp_path / "values.csv"
    file.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("values", "import", str(file), stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("values", "import", str(tmp_path / "missing.csv"), stdout=io.StringIO())


# API ---------------------------------------------------------------------------------------------


@pytest.fixture
def officer_client(sample_catalogue):  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(make_user("canbo-badinh", COMMUNE, ["reporter"]))
    return client


URL = "/api/v1/values/import/"


@pytest.mark.urls(__name__)
def test_api_multipart_upload_answers_the_summary(officer_client):
    upload = csv_bytes(
        f"TTKT.KHACH_DL,,{COMMUNE},202601,10", f"TTKT.KHACH_DL,,{OTHER_COMMUNE},202601,10"
    )
    upload.name = "values.csv"
    response = officer_client.post(URL + "?source=HTTK", {"file": upload}, format="multipart")
    assert response.status_code == 200
    body = response.json()
    assert (body["imported"], body["rejected"], body["conflicts_truncated"]) == (1, 1, False)
    assert body["conflicts"][0]["row"] == 3
    assert body["conflicts"][0]["code"] == "forbidden_unit"


@pytest.mark.urls(__name__)
def test_api_csv_body_and_dry_run(officer_client):
    body = csv_bytes(f"TTKT.KHACH_DL,,{COMMUNE},202601,10").getvalue()
    response = officer_client.post(URL + "?source=HTTK&dry_run=true", body, content_type="text/csv")
    assert response.status_code == 200
    assert response.json()["imported"] == 1 and response.json()["dry_run"] is True
    assert not DataValue.objects.exists()
    response = officer_client.post(URL, body, content_type="text/csv")
    assert response.status_code == 200
    assert DataValue.objects.get().source == "IMPORT"


@pytest.mark.urls(__name__)
def test_api_file_level_problems_are_400(officer_client, monkeypatch):
    response = officer_client.post(URL, b"a,b\n1,2\n", content_type="text/csv")
    assert response.status_code == 400
    assert response.json()["code"] == "csv_header"

    response = officer_client.post(URL + "?source=BC-DVC-THANG", b"x", content_type="text/csv")
    assert response.json()["code"] == "import_source_is_regime"

    response = officer_client.post(URL, b"\xff\xfe" + HEADER.encode(), content_type="text/csv")
    assert response.status_code == 400
    assert response.json()["code"] == "csv_encoding"

    response = officer_client.post(URL, {}, format="multipart")
    assert response.status_code == 400

    monkeypatch.setattr("baocao.submissions.api.imports.MAX_IMPORT_BYTES", 10)
    response = officer_client.post(
        URL, csv_bytes(f"TTKT.KHACH_DL,,{COMMUNE},202601,10").getvalue(), content_type="text/csv"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"


@pytest.mark.urls(__name__)
def test_api_needs_a_signed_in_user(sample_catalogue):
    from rest_framework.test import APIClient

    response = APIClient().post(URL, b"x", content_type="text/csv")
    assert response.status_code in (401, 403)


# Benchmark command -------------------------------------------------------------------------------


def test_bench_import_runs_at_a_tiny_size(sample_catalogue):
    out = io.StringIO()
    call_command("bench_import", "--values", "2000", stdout=out)
    result = json.loads(out.getvalue())
    assert result["values"] == 2000
    for phase in ("first_import", "same_file_again", "ten_percent_changed"):
        assert result[phase]["counts_as_expected"], result[phase]
    assert result["ten_percent_changed"]["updated"] == 200
    assert result["history_rows"] == 200
    assert Indicator.objects.exists() and Unit.objects.exists()


@pytest.mark.urls(__name__)
def test_api_upload_spooled_to_disk_is_read_too(officer_client, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 16  # Django writes the upload to a temporary file
    upload = csv_bytes(f"TTKT.KHACH_DL,,{COMMUNE},202601,10")
    upload.name = "values.csv"
    response = officer_client.post(URL, {"file": upload}, format="multipart")
    assert response.status_code == 200
    assert response.json()["imported"] == 1
