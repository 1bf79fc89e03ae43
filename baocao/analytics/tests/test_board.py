"""The reporting board (issue 7): each unit's report per period, with cells checked by hand.

The set-up is test_completeness.py's: in the open month (deadline ahead), Hà Nội's wards
Ba Đình, Ngọc Hà and Giảng Võ sent BC-DVC-THANG on time (Ba Đình's accepted), Hoàn Kiếm
sent it two days late, Phú Thượng's was returned, Cửa Nam's is a draft; the other 120 of
the city's 126 wards have not begun. Last month (deadline passed) only Hoàn Kiếm sent, late,
after the city unlocked its report, and the city accepted it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from baocao.accounts.models import User
from baocao.analytics.completeness import CellStatus, reporting_board, reporting_completeness
from baocao.analytics.tests import test_completeness
from baocao.analytics.tests.test_completeness import (
    DRAFT,
    HANOI,
    HANOI_COMMUNES,
    LATE,
    ON_TIME,
    RETURNED,
    THU_DAU_MOT,
)
from baocao.core.errors import Rejected
from baocao.submissions import services
from baocao.submissions.errors import SubmissionDenied
from baocao.submissions.models import Report
from baocao.submissions.tests.conftest import REGIME, full_values, make_user, open_period

pytestmark = pytest.mark.django_db

TAY_HO = "00103"  # Phường Tây Hồ: never opened its report

month = test_completeness.month  # the fixture: the open month's reports (see the docstring)


@pytest.fixture
def last_month(month, reviewer):
    """Last month, whose deadline has passed: Hoàn Kiếm sent late after an unlock, accepted."""
    period = open_period().previous().previous().code
    user = User.objects.get(username=f"canbo-{LATE}")  # made by `month`
    report = services.report_get_or_create(regime=REGIME, unit=LATE, period=period, actor=user)
    services.report_unlock(report=report, actor=reviewer, reason="Đơn vị xin gửi bổ sung.")
    report = services.report_save(report=report, values=full_values(report), actor=user)
    services.report_submit(report=report, actor=user)
    services.report_accept(report=report, actor=reviewer)
    return period


def cells(board):
    """{(unit, period): cell}"""
    return {(row.unit, cell.period): cell for row in board.rows for cell in row.cells}


def test_each_cell_says_where_the_report_stands(month, last_month):
    board = reporting_board(regime=REGIME, periods=[month, last_month], children_of=HANOI)
    assert [period.code for period in board.periods] == [last_month, month]  # oldest first
    assert (board.regime, board.regime_name) == (
        REGIME,
        "Báo cáo tình hình giải quyết thủ tục hành chính, dịch vụ công hằng tháng",
    )
    assert len(board.rows) == HANOI_COMMUNES
    assert all(row.parent == row.unit for row in board.rows)  # each ward directly below
    found = cells(board)
    reports = {report.unit.code: report for report in Report.objects.filter(period=month)}

    accepted = found[(ON_TIME[0], month)]
    assert (accepted.status, accepted.days_late, accepted.report_id) == (
        CellStatus.ACCEPTED_ON_TIME,
        0,
        reports[ON_TIME[0]].pk,
    )
    assert accepted.deadline == reports[ON_TIME[0]].deadline
    assert found[(ON_TIME[1], month)].status == CellStatus.SUBMITTED_ON_TIME
    late = found[(LATE, month)]
    assert (late.status, late.days_late, late.report_status) == (
        CellStatus.SUBMITTED_LATE,
        2,
        "submitted",
    )
    assert late.deadline == timezone.localdate() - dt.timedelta(2)
    returned = found[(RETURNED, month)]
    assert (returned.status, returned.days_late, returned.report_id) == (
        CellStatus.RETURNED,
        0,
        reports[RETURNED].pk,
    )
    assert (found[(DRAFT, month)].status, found[(DRAFT, month)].report_status) == (
        CellStatus.DRAFT,
        "draft",
    )
    never = found[(TAY_HO, month)]
    assert (never.status, never.report_id, never.days_late, never.step) == (
        CellStatus.PENDING,
        None,
        0,
        0,
    )
    assert never.deadline == reports[DRAFT].deadline  # the catalogue's deadline, as copied

    # Last month: Hoàn Kiếm's report was sent after its deadline and accepted; the others
    # are missing, overdue by the days since that deadline.
    sent_late = Report.objects.get(unit__code=LATE, period=last_month)
    hoan_kiem = found[(LATE, last_month)]
    assert (hoan_kiem.status, hoan_kiem.days_late, hoan_kiem.report_id) == (
        CellStatus.ACCEPTED_LATE,
        sent_late.days_late,
        sent_late.pk,
    )
    assert hoan_kiem.days_late > 0
    overdue = found[(TAY_HO, last_month)]
    assert overdue.status == CellStatus.OVERDUE
    assert overdue.days_late == (timezone.localdate() - overdue.deadline).days > 0
    assert overdue.deadline == sent_late.deadline


def test_totals_per_period_agree_with_completeness(month, last_month):
    board = reporting_board(regime=REGIME, periods=[last_month, month], children_of=HANOI)
    before, now = board.totals
    assert (now.period, now.expected, now.received, now.accepted, now.on_time, now.late) == (
        month,
        126,
        4,
        1,
        3,
        1,
    )
    assert (now.missing, now.missing_overdue, now.received_rate) == (122, 0, 3.2)
    assert (before.expected, before.received, before.accepted, before.late) == (126, 1, 1, 1)
    assert (before.missing, before.missing_overdue) == (125, 125)
    rows = reporting_completeness(regime=REGIME, periods=[last_month, month], children_of=HANOI)
    for totals in board.totals:
        mine = [row for row in rows if row.period == totals.period]
        for name in ("expected", "received", "accepted", "on_time", "late", "missing_overdue"):
            assert getattr(totals, name) == sum(getattr(row, name) for row in mine), name


def test_deadlines_are_judged_on_the_day_asked(month):
    deadline = Report.objects.get(unit__code=DRAFT).deadline
    after = reporting_board(
        regime=REGIME, periods=[month], children_of=HANOI, on=deadline + dt.timedelta(3)
    )
    found = cells(after)
    assert (found[(TAY_HO, month)].status, found[(TAY_HO, month)].days_late) == (
        CellStatus.OVERDUE,
        3,
    )
    assert (found[(DRAFT, month)].status, found[(DRAFT, month)].days_late) == (
        CellStatus.DRAFT,
        3,
    )
    assert found[(DRAFT, month)].overdue and not found[(LATE, month)].overdue
    assert after.totals[0].missing_overdue == 122
    assert after.on == deadline + dt.timedelta(3)


def test_a_unit_that_owes_shows_itself_and_one_that_does_not_shows_the_units_below(month):
    # Hà Nội owes its own report (step 1, to the Government Office): one row.
    (city,) = reporting_board(regime=REGIME, periods=[month], units=[HANOI]).rows
    assert (city.unit, city.unit_name, city.units_below) == (HANOI, "Thành phố Hà Nội", 126)
    assert (city.cells[0].status, city.cells[0].step) == (CellStatus.PENDING, 1)
    # Of the first step only, the city owes nothing: its 126 wards take its place.
    wards = reporting_board(regime=REGIME, periods=[month], units=[HANOI], step=0).rows
    assert len(wards) == HANOI_COMMUNES
    assert {(row.parent, row.parent_name) for row in wards} == {(HANOI, "Thành phố Hà Nội")}
    assert [row.unit for row in wards] == sorted(row.unit for row in wards)
    # Below the Government, the 34 provinces owe their own report; their wards do not show.
    national = reporting_board(regime=REGIME, periods=[month], children_of="CP")
    assert len(national.rows) == 34
    assert {row.cells[0].step for row in national.rows} == {1}
    # The monthly socio-economic report: the provinces too, and no ministry.
    provinces = reporting_board(regime="BC-KTXH-THANG", periods=[month], children_of="CP")
    assert len(provinces.rows) == 34 and provinces.totals[0].expected == 34


def test_before_july_2025_the_districts_give_way_to_their_communes(sample_catalogue):
    board = reporting_board(regime=REGIME, periods=["202506", "202507"], children_of=HANOI, step=0)
    # 526 communes under 30 districts in June; 126 wards since July (the same units where
    # a ward kept its code).
    assert [t.expected for t in board.totals] == [526, 126]
    assert len(board.rows) == 526
    rows = {row.unit: row for row in board.rows}
    # Today's wards first, then the communes that ceased, under their district.
    assert all(row.parent == row.unit for row in board.rows[:126])
    ceased = [row for row in board.rows if not row.cells[1].owed]
    assert len(ceased) == 400
    assert all(cell.status == CellStatus.OVERDUE for row in ceased for cell in row.cells[:1])
    assert ceased[0].parent == "001" and ceased[0].parent_name == "Quận Ba Đình"
    assert rows[ON_TIME[0]].cells[1].status == CellStatus.OVERDUE


# Scope and bad input ----------------------------------------------------------------------------


def test_a_user_sees_only_units_of_their_scope(month, reviewer):
    with pytest.raises(SubmissionDenied) as refused:
        reporting_board(regime=REGIME, periods=[month], children_of="CP", user=reviewer)
    assert (refused.value.code, refused.value.args_dict) == ("unit_out_of_scope", {"code": "CP"})
    with pytest.raises(SubmissionDenied):
        reporting_board(regime=REGIME, periods=[month], units=[THU_DAU_MOT], user=reviewer)
    board = reporting_board(regime=REGIME, periods=[month], children_of=HANOI, user=reviewer)
    assert len(board.rows) == HANOI_COMMUNES
    leader = make_user("lanhdao-cp", "CP", ["leader"])
    assert len(reporting_board(regime=REGIME, periods=[month], children_of="CP", user=leader).rows)


def test_bad_input_is_refused_by_field_as_completeness_does(sample_catalogue):
    with pytest.raises(Rejected) as refused:
        reporting_board(regime="BC-KHONG-CO", periods=["2026M13"], units=["99999"])
    assert {(p.field, p.code) for p in refused.value.problems} == {
        ("regime", "unknown_regime"),
        ("periods[0]", "period_code_invalid"),
        ("units[0]", "unknown_unit"),
    }
    with pytest.raises(Rejected) as refused:
        reporting_board(regime=REGIME, periods=["202611", "2026Q4"], children_of="ZZ", step=5)
    assert {(p.field, p.code) for p in refused.value.problems} == {
        ("periods[1]", "period_not_of_regime"),
        ("children_of", "unknown_unit"),
        ("step", "unknown_step"),
    }


# Cost -------------------------------------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_units_or_cells(
    month, last_month, reviewer, django_assert_max_num_queries
):
    periods = [last_month, month]
    counts = []
    for options in ({"units": [ON_TIME[0]]}, {"children_of": HANOI}, {"children_of": "CP"}):
        with CaptureQueriesContext(connection) as queries:
            reporting_board(regime=REGIME, periods=periods, **options)
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]
    # Regime, versions and steps (5), units (1), who owes each step of each period (2 x 2),
    # the hierarchy (1), the reports (1).
    with django_assert_max_num_queries(12):
        reporting_board(regime=REGIME, periods=periods, children_of=HANOI)
    # Six months cost a query per step and month more, whatever the number of cells.
    six = [open_period().previous(n).code for n in range(5, -1, -1)]
    with django_assert_max_num_queries(20):
        board = reporting_board(regime=REGIME, periods=six, children_of=HANOI)
    assert len(board.rows) * len(board.periods) == 126 * 6
    # The user's scope adds two per day looked at (today and each period's last day: a
    # province's officer may see the districts it had then).
    with django_assert_max_num_queries(34):
        reporting_board(regime=REGIME, periods=six, children_of=HANOI, user=reviewer)


# API --------------------------------------------------------------------------------------------


def test_api_answers_the_board_as_json(month, last_month, api_client):
    url = "/api/v1/analytics/reporting-board/"
    answer = api_client.get(
        url, {"regime": REGIME, "periods": f"{last_month},{month}", "children_of": HANOI}
    )
    assert answer.status_code == 200
    data = answer.json()
    assert [period["code"] for period in data["periods"]] == [last_month, month]
    rows = {row["unit"]: row for row in data["rows"]}
    assert len(rows) == HANOI_COMMUNES
    late = rows[LATE]["cells"][1]
    assert (late["status"], late["days_late"], late["report_status"]) == (
        "submitted_late",
        2,
        "submitted",
    )
    assert late["deadline"] == (timezone.localdate() - dt.timedelta(2)).isoformat()
    assert rows[LATE]["cells"][0]["status"] == "accepted_late"
    assert rows[TAY_HO]["cells"][1] | {"deadline": None} == {
        "period": month,
        "status": "pending",
        "deadline": None,
        "days_late": 0,
        "report_id": None,
        "report_status": "",
        "step": 0,
    }
    assert data["totals"][1]["received"] == 4
    # `period` and `unit` repeat as in the completeness endpoint.
    same = api_client.get(url, {"regime": REGIME, "period": [month], "unit": [HANOI]})
    assert same.status_code == 200 and same.json()["rows"][0]["unit"] == HANOI


def test_api_refusals_name_the_field(month, api_client):
    url = "/api/v1/analytics/reporting-board/"
    unknown = api_client.get(url, {"regime": REGIME, "periods": month, "children_of": "ZZ"})
    assert (unknown.status_code, unknown.json()["field"]) == (400, "children_of")
    bad = api_client.get(url, {"regime": REGIME, "periods": month, "units": HANOI, "step": "x"})
    assert (bad.status_code, bad.json()["code"]) == (400, "bad_step")
    other = api_client.get(url, {"regime": REGIME, "periods": month, "units": THU_DAU_MOT})
    assert (other.status_code, other.json()["code"]) == (403, "unit_out_of_scope")


def test_the_board_is_in_the_openapi_schema(api_client):
    schema = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/analytics/reporting-board/"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {
        "regime",
        "periods",
        "children_of",
        "units",
    }
    schemas = schema["components"]["schemas"]
    reference = schemas["BoardCell"]["properties"]["status"]["$ref"].rsplit("/", 1)[-1]
    assert set(schemas[reference]["enum"]) == {status.value for status in CellStatus}
