"""The report pages as an officer, a reviewer and an outsider see them (Django test client)."""

from __future__ import annotations

import html
import io
import re

import openpyxl
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from baocao.submissions import excel, selectors, services
from baocao.submissions.choices import ReportStatus
from baocao.submissions.models import Attachment, DataValue
from baocao.submissions.tests.conftest import COMMUNE, REGIME, full_values, make_user, open_period


def _client(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _text(response):
    return html.unescape(response.content.decode())


def _entry(report):
    return reverse("submissions:report-entry", args=[report.pk])


def _review(report):
    return reverse("submissions:report-review", args=[report.pk])


def _form_post(report, texts, *, action="save", revision=None, **extra):
    """A POST of the entry form: every cell, with `texts` by indicator code (else empty)."""
    data = {"action": action, "revision": revision or report.revision, **extra}
    for cell in selectors.layout_of(report).cell_list():
        data[f"v|{cell.key[0]}|{cell.key[1]}"] = texts.get(cell.key[0], "")
        data[f"c|{cell.key[0]}|{cell.key[1]}"] = ""
    return data


def _all_texts(report):
    return {value.indicator: value.value for value in full_values(report)}


@pytest.fixture
def outsider(sample_catalogue):
    # A reporting officer of Đà Nẵng: neither the sender nor the receiver of Ba Đình's report.
    return make_user("canbo-danang", "48", ["reporter"])


@pytest.fixture
def sent(report, officer):
    services.report_save(report=report, values=full_values(report), actor=officer)
    services.report_submit(report=report, actor=officer)
    report.refresh_from_db()
    return report


# My reports ------------------------------------------------------------------------------------


def test_my_reports_lists_what_the_unit_owes_and_opens_it(officer):
    client = _client(officer)
    page = _text(client.get(reverse("submissions:my-reports")))
    period = open_period().code
    assert f'data-regime="{REGIME}" data-period="{period}" data-status="not_started"' in page
    url = reverse("submissions:report-open") + f"?regime={REGIME}&unit={COMMUNE}&period={period}"
    assert (
        url.replace("&", "&amp;") in client.get(reverse("submissions:my-reports")).content.decode()
    )
    response = client.get(url)
    report = selectors.report_find(
        regime=selectors.regime_get(REGIME), unit=officer.unit, period=period
    )
    assert report is not None
    assert response.status_code == 302 and response["Location"] == _entry(report)
    # Opening again finds the same report.
    assert client.get(url)["Location"] == _entry(report)


def test_my_reports_refuses_a_unit_not_delegated(officer):
    response = _client(officer).get(reverse("submissions:my-reports") + "?unit=01")
    assert response.status_code == 400
    assert "neither your unit nor delegated to you" in _text(response)


def test_opening_a_report_the_unit_does_not_owe_is_a_clear_error(officer):
    url = reverse("submissions:report-open") + "?regime=BC-DVC-THANG&unit=00004&period=2026Q1"
    response = _client(officer).get(url)
    assert response.status_code == 400
    assert 'class="alert alert--error"' in _text(response)


# Entry -----------------------------------------------------------------------------------------


def test_entry_page_renders_inputs_for_the_officer(report, officer):
    page = _text(_client(officer).get(_entry(report)))
    layout = selectors.layout_of(report)
    for cell in layout.cell_list():
        assert f'name="v|{cell.key[0]}|{cell.key[1]}"' in page
        assert f'name="c|{cell.key[0]}|{cell.key[1]}"' in page
    for field in layout.narratives:
        assert f'name="n|{field.code}"' in page
    assert f'name="revision" value="{report.revision}"' in page
    assert 'data-status="not_started"' in page
    assert "18/01/2027" in page or report.deadline.strftime("%d/%m/%Y") in page
    assert 'data-action="submit"' in page


def test_entry_page_is_forbidden_to_outsiders(report, outsider):
    response = _client(outsider, "vi").get(_entry(report))
    assert response.status_code == 403
    assert 'data-status-code="403"' in _text(response)


def test_the_receiver_reads_the_entry_page_without_inputs(sent, reviewer):
    page = _text(_client(reviewer).get(_entry(sent)))
    assert 'data-editable="false"' in page
    assert ' name="v|' not in page
    assert 'class="cell-value"' in page


def test_vietnamese_numbers_are_saved_and_shown_back(report, officer):
    client = _client(officer)
    first = next(selectors.layout_of(report).cell_list()).key[0]
    response = client.post(_entry(report), _form_post(report, {first: "1.234"}))
    assert response.status_code == 302
    assert DataValue.objects.get(report=report, indicator__code=first).value == "1234"
    page = _text(client.get(_entry(report)))
    assert f'name="v|{first}|" value="1.234"' in page
    assert "The draft was saved." in page


def test_bad_values_are_shown_at_their_cell_and_nothing_is_saved(report, officer):
    cells = list(selectors.layout_of(report).cell_list())
    texts = {cells[0].key[0]: "12a", cells[1].key[0]: "1,5", cells[2].key[0]: "7"}
    response = _client(officer).post(_entry(report), _form_post(report, texts))
    assert response.status_code == 400
    page = _text(response)
    # The typed text stays in the inputs; each error sits in its cell and in the summary.
    assert f'name="v|{cells[0].key[0]}|" value="12a"' in page
    assert f'name="v|{cells[2].key[0]}|" value="7"' in page
    errors = re.findall(r'<p class="cell-error" id="(cell-\d+)-error">([^<]+)</p>', page)
    assert errors == [
        ("cell-1", '"12a" is not a number.'),
        ("cell-2", '"1,5" is not a whole number.'),
    ]
    assert 'data-problems="2"' in page and 'href="#cell-1"' in page
    assert not DataValue.objects.filter(report=report).exists()


def test_stale_revision_says_who_changed_the_report(report, officer):
    client = _client(officer)
    first = next(selectors.layout_of(report).cell_list()).key[0]
    stale = report.revision
    assert client.post(_entry(report), _form_post(report, {first: "5"})).status_code == 302
    response = client.post(_entry(report), _form_post(report, {first: "6"}, revision=stale))
    assert response.status_code == 409
    page = _text(response)
    assert "data-conflict" in page and "canbo-badinh" in page
    assert f'name="v|{first}|" value="6"' in page  # what was typed is kept
    assert DataValue.objects.get(report=report, indicator__code=first).value == "5"


def test_sign_and_send_saves_then_submits(report, officer):
    client = _client(officer)
    response = client.post(_entry(report), _form_post(report, _all_texts(report), action="submit"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.version_count == 1
    page = _text(client.get(_entry(report)))
    assert 'data-status="submitted"' in page and 'data-action="recall"' in page


def test_sending_with_required_cells_missing_keeps_the_draft(report, officer):
    first = next(selectors.layout_of(report).cell_list()).key[0]
    response = _client(officer).post(
        _entry(report), _form_post(report, {first: "3"}, action="submit")
    )
    assert response.status_code == 400
    page = _text(response)
    assert "The draft was saved but not sent" in page
    assert "is required." in page
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.version_count == 0


def test_attach_and_remove_a_file(report, officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = _client(officer)
    upload = io.BytesIO(b"bien ban")
    upload.name = "bien-ban.pdf"
    client.post(_entry(report), {"action": "attach", "file": upload})
    attachment = Attachment.objects.get(report=report)
    page = _text(client.get(_entry(report)))
    assert "bien-ban.pdf" in page
    download = client.get(reverse("submissions:attachment", args=[report.pk, attachment.pk]))
    assert b"".join(download.streaming_content) == b"bien ban"
    bad = io.BytesIO(b"MZ")
    bad.name = "virus.exe"
    response = client.post(_entry(report), {"action": "attach", "file": bad}, follow=True)
    assert "Files of type .exe are not accepted" in _text(response)
    client.post(_entry(report), {"action": "detach", "attachment": attachment.pk})
    assert not Attachment.objects.filter(report=report).exists()


def test_recall_before_the_receiver_opens_it(sent, officer):
    response = _client(officer).post(_entry(sent), {"action": "recall", "reason": "Sai số"})
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == ReportStatus.DRAFT


# Excel -----------------------------------------------------------------------------------------


def _filled_template(report, texts):
    book = openpyxl.load_workbook(io.BytesIO(excel.template_build(report)))
    mapping = book[excel.MAPPING_SHEET]
    for kind, sheet, cell, code, _disaggregation in mapping.iter_rows(values_only=True):
        if kind == "value" and code in texts:
            book[sheet][cell] = texts[code]
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "bao-cao.xlsx"
    return out


def test_excel_template_downloads(report, officer):
    response = _client(officer).get(reverse("submissions:excel-template", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert openpyxl.load_workbook(io.BytesIO(response.content))


def test_excel_upload_saves_values(report, officer):
    texts = _all_texts(report)
    client = _client(officer)
    response = client.post(
        reverse("submissions:excel-upload", args=[report.pk]),
        {"workbook": _filled_template(report, texts)},
    )
    assert response.status_code == 302
    stored = {key[0]: value.value for key, value in selectors.report_values(report).items()}
    assert stored == texts


def test_excel_upload_lists_problems_with_their_cells(report, officer):
    first = next(selectors.layout_of(report).cell_list()).key[0]
    response = _client(officer).post(
        reverse("submissions:excel-upload", args=[report.pk]),
        {"workbook": _filled_template(report, {first: "12a"})},
    )
    assert response.status_code == 400
    page = _text(response)
    assert "data-upload-problems" in page
    assert re.search(r'<span class="code">[^<]+![A-Z]+\d+</span>: "12a" is not a number\.', page)
    assert not DataValue.objects.filter(report=report).exists()


def test_excel_upload_refuses_a_file_that_is_not_a_workbook(report, officer):
    upload = io.BytesIO(b"not a workbook")
    upload.name = "bao-cao.xlsx"
    response = _client(officer).post(
        reverse("submissions:excel-upload", args=[report.pk]), {"workbook": upload}
    )
    assert response.status_code == 400
    assert "is not an Excel workbook" in _text(response)


def test_excel_upload_by_an_outsider_is_forbidden(report, outsider):
    upload = io.BytesIO(b"x")
    upload.name = "a.xlsx"
    response = _client(outsider).post(
        reverse("submissions:excel-upload", args=[report.pk]), {"workbook": upload}
    )
    assert response.status_code == 403


# Inbox and review ------------------------------------------------------------------------------


def test_inbox_lists_reports_sent_to_the_reviewers_unit(sent, reviewer, officer):
    page = _text(_client(reviewer).get(reverse("submissions:inbox")))
    assert f'data-report="{sent.pk}" data-unit="{COMMUNE}" data-status="submitted"' in page
    filtered = _text(_client(reviewer).get(reverse("submissions:inbox") + "?status=accepted"))
    assert f'data-report="{sent.pk}"' not in filtered
    assert 'value="accepted" selected' in filtered
    # The officer's unit receives nothing.
    assert f'data-report="{sent.pk}"' not in _text(
        _client(officer).get(reverse("submissions:inbox"))
    )


def test_review_opens_the_report_and_shows_the_signature(sent, reviewer):
    page = _text(_client(reviewer).get(_review(sent)))
    sent.refresh_from_db()
    assert sent.received_at is not None
    assert 'data-signature="valid"' in page
    assert 'data-action="accept"' in page and 'data-action="return"' in page
    assert 'data-verified="true"' in page


def test_return_needs_a_reason_then_resubmit_and_accept(sent, reviewer, officer):
    client = _client(reviewer)
    response = client.post(_review(sent), {"action": "return", "reason": " "})
    assert response.status_code == 400 and "Give a reason." in _text(response)
    client.post(_review(sent), {"action": "return", "reason": "Thiếu số liệu quá hạn"})
    sent.refresh_from_db()
    assert sent.status == ReportStatus.RETURNED
    officer_client = _client(officer)
    page = _text(officer_client.get(_entry(sent)))
    assert "Thiếu số liệu quá hạn" in page and 'data-editable="true"' in page
    texts = _all_texts(sent)
    first = next(iter(texts))
    texts[first] = "1.234"
    officer_client.post(_entry(sent), _form_post(sent, texts, action="submit"))
    sent.refresh_from_db()
    assert (sent.status, sent.version_count) == (ReportStatus.RESUBMITTED, 2)
    page = _text(client.get(_review(sent)))
    # The changed value is highlighted against version 1.
    # Read-only values follow the page language (English here: 1,234).
    assert page.count('data-changed="true"') == 1 and ">1,234<" in page
    client.post(_review(sent), {"action": "accept"})
    sent.refresh_from_db()
    assert sent.status == ReportStatus.ACCEPTED
    assert 'data-status="accepted"' in _text(client.get(_review(sent)))


def test_tampering_is_shown_in_red(sent, reviewer):
    DataValue.objects.filter(report=sent).update(value="999")
    page = _text(_client(reviewer).get(_review(sent)))
    assert 'data-signature="invalid"' in page and 'data-verified="false"' in page


def test_the_sender_reads_the_review_page_without_decisions(sent, officer):
    page = _text(_client(officer).get(_review(sent)))
    assert 'data-action="accept"' not in page
    sent.refresh_from_db()
    assert sent.received_at is None  # only the receiver opens a report


def test_review_is_forbidden_to_outsiders_and_decisions_to_the_sender(sent, outsider, officer):
    assert _client(outsider).get(_review(sent)).status_code == 403
    response = _client(officer).post(_review(sent), {"action": "accept"})
    assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.status == ReportStatus.SUBMITTED


def test_an_unknown_version_is_a_404_page(sent, reviewer):
    response = _client(reviewer).get(_review(sent) + "?version=9")
    assert response.status_code == 404


def test_pages_need_a_login(report):
    response = Client().get(_entry(report))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_print_and_export_of_a_version(sent, reviewer):
    client = _client(reviewer)
    pdf = client.get(reverse("submissions:report-pdf", args=[sent.pk]) + "?version=1")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    book = client.get(reverse("submissions:report-export", args=[sent.pk]) + "?version=1")
    assert book.status_code == 200 and openpyxl.load_workbook(io.BytesIO(book.content))
    missing = client.get(reverse("submissions:report-pdf", args=[sent.pk]) + "?version=7")
    assert missing.status_code == 404


def test_the_inbox_costs_the_same_few_queries_however_many_reports(
    sample_catalogue, settings, tmp_path, django_assert_max_num_queries
):
    # The demo's eight Hà Nội wards send two months each: sixteen rows in the inbox.
    from django.core.management import call_command

    from baocao.accounts.models import User

    settings.DATA_DIR = tmp_path
    call_command("demo_reporting", stdout=io.StringIO())
    client = _client(User.objects.get(username="kiemduyet.hanoi"))
    with django_assert_max_num_queries(12):
        response = client.get("/inbox/")
    assert _text(response).count('data-status="') >= 16
