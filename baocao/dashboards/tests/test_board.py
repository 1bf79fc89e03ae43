"""The reporting board page and its reminders, through Django's test client.

The set-up is the completeness tests' (baocao/analytics/tests/test_completeness.py): in the
open month, Hà Nội's wards Ba Đình, Ngọc Hà and Giảng Võ sent BC-DVC-THANG on time (Ba
Đình's accepted), Hoàn Kiếm two days late, Phú Thượng's was returned, Cửa Nam's is a draft;
the other 120 wards have not begun. The city's reviewer looks at the board and reminds.
"""

from __future__ import annotations

import csv
import html
import io
import re

import openpyxl
import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from baocao.accounts.models import User
from baocao.analytics.tests import test_completeness
from baocao.analytics.tests.test_completeness import (
    DRAFT,
    HANOI_COMMUNES,
    LATE,
    ON_TIME,
    RETURNED,
    THU_DAU_MOT,
)
from baocao.submissions.models import Reminder, Report
from baocao.submissions.tests.conftest import REGIME, make_user, open_period

pytestmark = pytest.mark.django_db

URL = "/direction/reporting/"
REMIND = "/direction/reporting/remind/"
TAY_HO = "00103"  # never opened its report

month = test_completeness.month  # the fixture (see the docstring)


def client_of(user, *, language="vi", **options):
    client = Client(**options)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def text(response):
    return html.unescape(response.content.decode())


def row_html(page, unit):
    """The <tr> of a unit on the board."""
    found = re.search(rf'<tr data-unit="{unit}">(.*?)</tr>', page, re.S)
    assert found, unit
    return found.group(1)


def cells_of(page, unit):
    """(status, title, link) of each cell of a unit's row, oldest period first."""
    return [
        (status, title, link)
        for status, title, link in re.findall(
            r'<td class="board-cell[^"]*" data-status="([a-z_]+)" title="([^"]*)">'
            r'(?:<a href="([^"]*)">)?',
            row_html(page, unit),
        )
    ]


@pytest.fixture
def board_of_hanoi(month, reviewer, store):
    """The city's reviewer's board of the open month and the one before."""
    response = client_of(reviewer).get(URL, {"regime": REGIME, "period": month, "periods": "2"})
    assert response.status_code == 200
    return text(response)


def test_cells_show_each_report_s_status_with_a_link_and_a_title(month, board_of_hanoi):
    page = board_of_hanoi
    reports = {report.unit.code: report for report in Report.objects.filter(period=month)}
    assert page.count("<tr data-unit=") == HANOI_COMMUNES
    # Two periods: last month (nothing owed was sent; its deadline is close or past) and
    # the open month.
    (_before, accepted) = cells_of(page, ON_TIME[0])
    assert accepted[0] == "accepted_on_time"
    assert accepted[2] == f"/reports/{reports[ON_TIME[0]].pk}/review/"
    deadline = reports[ON_TIME[0]].deadline.strftime("%d/%m/%Y")
    assert deadline in accepted[1]
    late = cells_of(page, LATE)[1]
    assert late[0] == "submitted_late" and late[2] == f"/reports/{reports[LATE].pk}/review/"
    assert " 2 " in late[1]  # sent two days late
    assert cells_of(page, RETURNED)[1][0] == "returned"
    draft = cells_of(page, DRAFT)[1]
    assert draft[0] == "draft" and draft[2] == f"/reports/{reports[DRAFT].pk}/"
    never = cells_of(page, TAY_HO)[1]
    assert never[0] == "pending" and never[2] == ""
    # Every cell has a symbol besides its colour, and the legend explains them.
    assert '<span aria-hidden="true">✔</span>' in row_html(page, ON_TIME[0])
    assert '<span aria-hidden="true">✎</span>' in row_html(page, DRAFT)
    assert page.count('class="board-cell board-cell--') >= 9 + 2 * HANOI_COMMUNES
    assert '<th scope="col" class="board-period">' in page and "<tfoot>" in page


def test_the_reviewer_may_tick_units_that_have_not_sent_and_remind_them(board_of_hanoi):
    page = board_of_hanoi
    assert f'value="{DRAFT}" form="remind-form"' in row_html(page, DRAFT)
    assert 'form="remind-form"' in row_html(page, TAY_HO)
    assert 'form="remind-form"' not in row_html(page, ON_TIME[0])  # it has sent
    assert 'id="remind-form"' in page and 'name="csrfmiddlewaretoken"' in page


def test_the_totals_count_each_period(month, reviewer, store):
    response = client_of(reviewer).get(URL, {"regime": REGIME, "period": month, "periods": "1"})
    (totals,) = response.context["board"].totals
    assert (totals.expected, totals.received, totals.on_time, totals.late) == (126, 4, 3, 1)
    footer = text(response).split("<tfoot>")[1]
    assert '<td class="num">126</td>' in footer and '<td class="num">3</td>' in footer


def test_defaults_are_the_monthly_socio_economic_report_six_months_and_the_country(
    sample_catalogue, store
):
    leader = make_user("lanhdao-cp", "CP", ["leader"])
    response = client_of(leader).get(URL)
    assert response.status_code == 200
    board = response.context["board"]
    assert board.regime == "BC-KTXH-THANG"
    assert len(board.periods) == 6
    assert board.periods[-1].code == open_period().previous(2).code  # the last month ended
    assert len(board.rows) == 34  # the provinces; no ministry owes it
    page = text(response)
    # A province opens the board of its communes.
    assert f'href="{URL}?regime=BC-KTXH-THANG&period=' in page
    assert re.search(rf'<a href="{URL}\?[^"]*unit=01"', page)


def test_a_ward_officer_sees_their_own_row_and_cannot_remind(month, store):
    officer = User.objects.get(username=f"canbo-{DRAFT}")
    response = client_of(officer).get(URL, {"regime": REGIME, "period": month})
    assert response.status_code == 200
    assert [row.unit for row in response.context["board"].rows] == [DRAFT]
    page = text(response)
    assert 'id="remind-form"' not in page and 'form="remind-form"' not in page


# Refusals -------------------------------------------------------------------------------------


def test_a_unit_outside_the_user_s_scope_is_a_403_in_vietnamese(month, reviewer, store):
    response = client_of(reviewer).get(URL, {"regime": REGIME, "unit": "CP"})
    assert response.status_code == 403
    assert "Đơn vị CP nằm ngoài phạm vi đơn vị bạn được xem." in text(response)
    other = client_of(reviewer).get(URL, {"regime": REGIME, "unit": THU_DAU_MOT})
    assert other.status_code == 403


@pytest.mark.parametrize(
    ("params", "status", "named"),
    [
        ({"regime": "BC-KHONG-CO"}, 404, "BC-KHONG-CO"),
        ({"regime": REGIME, "unit": "99999"}, 404, "99999"),
        ({"regime": REGIME, "periods": "hai"}, 400, "hai"),
        ({"regime": REGIME, "periods": "99"}, 400, "99"),
        ({"regime": REGIME, "period": "2026M13"}, 400, "2026M13"),
        ({"regime": REGIME, "period": "2026Q3"}, 400, "2026Q3"),
        ({"regime": REGIME, "format": "pdf"}, 400, "pdf"),
        ({"regime": "BC-KHONG-CO", "unit": "99999"}, 400, "99999"),
    ],
)
def test_bad_values_in_the_url_get_a_clear_page(
    sample_catalogue, reviewer, store, params, status, named
):
    response = client_of(reviewer).get(URL, params)
    assert response.status_code == status
    page = text(response)
    assert named in page and 'role="alert"' in page


def test_the_board_needs_a_signed_in_user(sample_catalogue):
    response = Client().get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


# Downloads ------------------------------------------------------------------------------------


def test_csv_and_excel_have_the_board_s_rows(month, reviewer, store):
    client = client_of(reviewer, language="en")
    params = {"regime": REGIME, "period": month, "periods": "2"}
    download = client.get(URL, params | {"format": "csv"})
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    header, rows = lines[0], {line[0]: line for line in lines[1:]}
    assert len(rows) == HANOI_COMMUNES and len(header) == 4 + 2 * 3
    late = rows[LATE]
    assert late[1] == "Phường Hoàn Kiếm"
    assert (late[7], late[8]) == ("Sent late, awaiting review", "2")
    deadline = Report.objects.get(unit__code=LATE).deadline.strftime("%d/%m/%Y")
    assert late[9] == deadline
    assert rows[TAY_HO][7:9] == ["Not sent, deadline not passed", "0"]

    book = client.get(URL, params | {"format": "xlsx"})
    assert book["Content-Type"].startswith("application/vnd.openxmlformats")
    sheets = openpyxl.load_workbook(io.BytesIO(book.content))
    board, totals = sheets.worksheets
    values = list(board.values)
    assert len(values) == 1 + HANOI_COMMUNES
    assert {line[0]: list(line) for line in values[1:]}[LATE][7:10] == [
        "Sent late, awaiting review",
        2,
        deadline,
    ]
    assert list(totals.values)[2][1:3] == (126, 4)


# Reminders ------------------------------------------------------------------------------------


def test_reminders_are_sent_by_email_and_the_page_says_so(month, reviewer, store):
    for ward in (DRAFT, TAY_HO):
        make_user(f"canbo2-{ward}", ward, ["reporter"])
        User.objects.filter(username=f"canbo2-{ward}").update(email=f"{ward}@example.vn")
    User.objects.filter(username=f"canbo-{DRAFT}").update(email=f"canbo.{DRAFT}@example.vn")
    back = f"{URL}?regime={REGIME}&period={month}&periods=2"
    response = client_of(reviewer, language="en").post(
        REMIND,
        {
            "regime": REGIME,
            "period": month,
            "units": [DRAFT, TAY_HO, ON_TIME[0]],
            "message": "Đề nghị gửi trước thứ Sáu.",
            "next": back,
        },
        follow=True,
    )
    assert response.redirect_chain == [(back, 302)]
    assert sorted(address for email in mail.outbox for address in email.to) == sorted(
        [f"{DRAFT}@example.vn", f"canbo.{DRAFT}@example.vn", f"{TAY_HO}@example.vn"]
    )
    assert set(Reminder.objects.values_list("unit__code", flat=True)) == {DRAFT, TAY_HO}
    page = text(response)
    assert "2 unit(s) reminded" in page and "3 email(s) sent" in page
    assert "1 already sent" in page
    # Again at once: nothing is sent twice.
    again = client_of(reviewer, language="en").post(
        REMIND, {"regime": REGIME, "period": month, "units": [DRAFT], "next": back}, follow=True
    )
    assert "No unit was reminded." in text(again) and len(mail.outbox) == 3


def test_only_those_allowed_may_remind(month, reviewer, store):
    officer = User.objects.get(username=f"canbo-{DRAFT}")
    refused = client_of(officer).post(
        REMIND, {"regime": REGIME, "period": month, "units": [TAY_HO]}
    )
    assert refused.status_code == 403
    outside = client_of(reviewer).post(
        REMIND, {"regime": REGIME, "period": month, "units": [THU_DAU_MOT]}
    )
    assert outside.status_code == 403 and THU_DAU_MOT in text(outside)
    assert not Reminder.objects.exists()
    # A POST without its CSRF token is refused before anything happens.
    forged = client_of(reviewer, enforce_csrf_checks=True).post(
        REMIND, {"regime": REGIME, "period": month, "units": [TAY_HO]}
    )
    assert forged.status_code == 403 and not Reminder.objects.exists()
    # GET is not a way to send reminders.
    assert client_of(reviewer).get(REMIND).status_code == 405


def test_a_bad_reminder_goes_back_with_the_reason(month, reviewer, store):
    back = f"{URL}?regime={REGIME}"
    response = client_of(reviewer, language="en").post(
        REMIND, {"regime": REGIME, "period": month, "next": back}, follow=True
    )
    assert response.redirect_chain == [(back, 302)]
    assert "Choose at least one unit to remind." in text(response)
    elsewhere = client_of(reviewer).post(
        REMIND, {"regime": REGIME, "period": month, "units": [TAY_HO], "next": "https://x.example/"}
    )
    assert elsewhere.status_code == 302 and elsewhere["Location"].startswith(URL)


# Cost -----------------------------------------------------------------------------------------


def test_the_page_costs_the_same_queries_for_34_rows_as_for_126(month, store):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    leader = make_user("lanhdao-cp", "CP", ["leader"])
    client = client_of(leader)
    params = {"regime": REGIME, "period": month, "periods": "6"}
    client.get(URL, params | {"unit": "CP"})  # sessions, caches
    counts = {}
    for unit, rows in (("CP", 34), ("01", HANOI_COMMUNES)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, params | {"unit": unit})
        assert len(response.context["board"].rows) == rows
        counts[unit] = len(queries)
    # Hà Nội's breadcrumb reads one unit more (the Government above it): depth, not rows.
    assert counts["01"] - counts["CP"] <= 1, counts
    assert counts["01"] <= 45, counts


# Any URL --------------------------------------------------------------------------------------

PARAM = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", REGIME, "BC-KTXH-THANG", "BC-DX-BAO", "01", "CP", THU_DAU_MOT, "202611", "2026Q4"]
    ),
    st.integers(min_value=-5, max_value=40).map(str),
)


@given(
    params=st.fixed_dictionaries(
        {},
        optional={
            "regime": PARAM,
            "period": PARAM,
            "periods": PARAM,
            "unit": PARAM,
            "format": PARAM,
        },
    )
)
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_no_url_makes_the_board_fail(sample_catalogue, reviewer, store, params):
    response = client_of(reviewer).get(URL, params)
    assert response.status_code in (200, 400, 403, 404), (params, response.status_code)
