"""Reporting completeness and timeliness (issue 6, scope 2), with figures checked by hand.

Hà Nội (01) has 126 wards and communes since 1 July 2025 (Resolution 1656/NQ-UBTVQH15), each
owing BC-DVC-THANG to the city every month (step 0), and the city owes its own to the
Government Office (step 1). Before that it had 30 districts and 526 communes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from baocao.analytics.completeness import reporting_completeness
from baocao.core.errors import Rejected
from baocao.organisations.models import Unit
from baocao.submissions import services
from baocao.submissions.choices import ReportStatus
from baocao.submissions.errors import SubmissionDenied
from baocao.submissions.models import Report
from baocao.submissions.tests.conftest import (
    REGIME,
    full_values,
    make_user,
    open_period,
)

pytestmark = pytest.mark.django_db

HANOI = "01"
HANOI_COMMUNES = 126
ON_TIME = ["00004", "00008", "00025"]  # Ba Đình, Ngọc Hà, Giảng Võ
LATE = "00070"  # Hoàn Kiếm
RETURNED = "00091"  # Phú Thượng: sent, returned for correction, not sent again
DRAFT = "00082"  # Cửa Nam: started, never sent
THU_DAU_MOT = "25747"  # a ward of Thành phố Hồ Chí Minh


def officer_of(ward):
    user = make_user(f"canbo-{ward}", ward, ["reporter"])
    services.signing_key_create(unit=Unit.objects.get(code=ward), actor=None)
    return user


def filled(ward, period):
    user = officer_of(ward)
    report = services.report_get_or_create(regime=REGIME, unit=ward, period=period, actor=user)
    return services.report_save(report=report, values=full_values(report), actor=user), user


def completeness(**options):
    options.setdefault("regime", REGIME)
    return {(row.unit, row.period): row for row in reporting_completeness(**options)}


@pytest.fixture
def month(sample_catalogue, reviewer):
    """The month whose deadline is ahead: three wards sent on time (one accepted), one late,
    one sent and returned, one started and not sent; the others have not begun."""
    period = open_period().code
    for ward in ON_TIME:
        report, user = filled(ward, period)
        services.report_submit(report=report, actor=user)
    services.report_accept(report=Report.objects.get(unit__code=ON_TIME[0]), actor=reviewer)
    report, user = filled(LATE, period)
    # As if its deadline had been two days ago (the clock cannot move in a test, and the
    # catalogue says the month is still open): a report keeps the deadline it was opened
    # under, and its days late are counted from it when it is first sent.
    Report.objects.filter(pk=report.pk).update(deadline=timezone.localdate() - dt.timedelta(2))
    services.report_submit(report=report, actor=user)
    report, user = filled(RETURNED, period)
    services.report_submit(report=report, actor=user)
    services.report_return(report=report, actor=reviewer, reason="Số hồ sơ quá hạn chưa khớp.")
    filled(DRAFT, period)
    return period


def test_a_province_counts_its_communes_reports(month):
    row = completeness(periods=[month], units=[HANOI], step=0)[(HANOI, month)]
    assert row.unit_name == "Thành phố Hà Nội"
    assert (row.expected, row.received, row.accepted, row.on_time, row.late) == (
        HANOI_COMMUNES,
        4,
        1,
        3,
        1,
    )
    # The returned report and the draft are missing, like the 120 never opened.
    assert row.missing == HANOI_COMMUNES - 4 == 122
    assert row.received_rate == 3.2  # 4 / 126 = 3.17 %
    assert row.on_time_rate == 2.4  # 3 / 126 = 2.38 %
    assert row.missing_overdue == 0  # the month's deadline is still ahead
    assert row.missing_units is None  # a unit with units below lists them only when asked


def test_every_step_counts_the_province_s_own_report(month):
    row = completeness(periods=[month], units=[HANOI])[(HANOI, month)]
    assert (row.expected, row.received, row.missing) == (HANOI_COMMUNES + 1, 4, 123)
    only_own = completeness(periods=[month], units=[HANOI], step=1)[(HANOI, month)]
    assert (only_own.expected, only_own.received) == (1, 0)
    assert only_own.missing_units is None


def test_children_of_gives_one_row_per_commune_with_who_is_missing(month):
    rows = completeness(periods=[month], children_of=HANOI)
    assert len(rows) == HANOI_COMMUNES
    assert all(row.expected == 1 for row in rows.values())
    assert sum(row.received for row in rows.values()) == 4
    ba_dinh = rows[(ON_TIME[0], month)]
    assert (ba_dinh.received, ba_dinh.accepted, ba_dinh.on_time, ba_dinh.received_rate) == (
        1,
        1,
        1,
        100.0,
    )
    assert (ba_dinh.missing_units, ba_dinh.late_units) == ([], [])
    hoan_kiem = rows[(LATE, month)]
    assert (hoan_kiem.on_time, hoan_kiem.late, hoan_kiem.on_time_rate) == (0, 1, 0.0)
    assert hoan_kiem.late_units == [LATE]
    assert rows[(RETURNED, month)].missing_units == [RETURNED]
    assert rows[(DRAFT, month)].missing_units == [DRAFT]
    assert rows[("00103", month)].unit_name == "Phường Tây Hồ"


def test_with_units_lists_the_missing_and_late_units_of_a_province(month):
    row = completeness(periods=[month], units=[HANOI], step=0, with_units=True)[(HANOI, month)]
    assert len(row.missing_units) == 122
    assert {RETURNED, DRAFT} <= set(row.missing_units)
    assert not set(ON_TIME) & set(row.missing_units)
    assert row.late_units == [LATE]


def test_missing_reports_are_overdue_once_their_deadline_has_passed(month):
    deadline = Report.objects.get(unit__code=DRAFT).deadline
    on_the_day = completeness(periods=[month], units=[HANOI], step=0, on=deadline)
    after = completeness(periods=[month], units=[HANOI], step=0, on=deadline + dt.timedelta(1))
    assert on_the_day[(HANOI, month)].missing_overdue == 0
    assert after[(HANOI, month)].missing_overdue == 122


def test_a_report_sent_after_an_unlock_counts_late(sample_catalogue, reviewer):
    # Two months ago: locked since its deadline and grace days passed; the city unlocks it.
    period = open_period().previous().previous().code
    user = officer_of(LATE)
    report = services.report_get_or_create(regime=REGIME, unit=LATE, period=period, actor=user)
    services.report_unlock(report=report, actor=reviewer, reason="Đơn vị xin gửi bổ sung.")
    report = services.report_save(report=report, values=full_values(report), actor=user)
    services.report_submit(report=report, actor=user)
    report.refresh_from_db()
    assert report.days_late > 0
    row = completeness(periods=[period], units=[HANOI], step=0)[(HANOI, period)]
    assert (row.received, row.on_time, row.late) == (1, 0, 1)
    assert row.missing == row.missing_overdue == HANOI_COMMUNES - 1


def test_a_recall_request_keeps_the_report_received_and_an_agreed_recall_does_not(month, reviewer):
    report = Report.objects.get(unit__code=ON_TIME[1])
    user = make_user("canbo-ngocha-2", ON_TIME[1], ["reporter"])
    services.report_open(report=report, actor=reviewer)
    services.report_recall(report=report, actor=user, reason="Nhập nhầm số hồ sơ trực tuyến.")
    assert Report.objects.get(pk=report.pk).status == ReportStatus.RECALL_REQUESTED
    assert completeness(periods=[month], units=[ON_TIME[1]])[(ON_TIME[1], month)].received == 1
    services.report_recall_answer(report=report, actor=reviewer, agree=True)
    row = completeness(periods=[month], units=[ON_TIME[1]])[(ON_TIME[1], month)]
    assert (row.received, row.missing, row.missing_units) == (0, 1, [ON_TIME[1]])


def test_before_july_2025_the_city_s_districts_are_its_units(sample_catalogue):
    rows = completeness(periods=["202506"], children_of=HANOI, step=0)
    assert len(rows) == 30
    assert sum(row.expected for row in rows.values()) == 526
    ba_dinh = rows[("001", "202506")]
    assert ba_dinh.unit_name == "Quận Ba Đình"
    assert ba_dinh.expected == 13  # Quận Ba Đình's 13 wards
    assert ba_dinh.missing_overdue == 13
    july = completeness(periods=["202507"], units=[HANOI], step=0)
    assert july[(HANOI, "202507")].expected == HANOI_COMMUNES


# Scope and bad input ----------------------------------------------------------------------------


def test_a_user_sees_only_units_of_their_scope(month, reviewer):
    with pytest.raises(SubmissionDenied) as refused:
        reporting_completeness(regime=REGIME, periods=[month], units=[THU_DAU_MOT], user=reviewer)
    assert (refused.value.code, refused.value.field) == ("unit_out_of_scope", "unit")
    assert refused.value.args_dict == {"code": THU_DAU_MOT}
    ward_officer = make_user("canbo-badinh-2", ON_TIME[0], ["reporter"])
    with pytest.raises(SubmissionDenied):
        reporting_completeness(regime=REGIME, periods=[month], children_of=HANOI, user=ward_officer)
    own = reporting_completeness(
        regime=REGIME, periods=[month], units=[ON_TIME[0]], user=ward_officer
    )
    assert own[0].received == 1
    # The city's reviewer sees its communes.
    assert (
        len(
            reporting_completeness(regime=REGIME, periods=[month], children_of=HANOI, user=reviewer)
        )
        == HANOI_COMMUNES
    )


def test_unknown_codes_and_bad_periods_are_refused_by_field(sample_catalogue):
    with pytest.raises(Rejected) as refused:
        reporting_completeness(regime="BC-KHONG-CO", periods=["2026M13"], units=["99999"])
    problems = {(problem.field, problem.code) for problem in refused.value.problems}
    assert problems == {
        ("regime", "unknown_regime"),
        ("periods[0]", "period_code_invalid"),
        ("units[0]", "unknown_unit"),
    }
    with pytest.raises(Rejected) as refused:
        reporting_completeness(
            regime=REGIME, periods=["202611", "2026Q4"], children_of="ZZ", step=5
        )
    problems = {(problem.field, problem.code) for problem in refused.value.problems}
    assert problems == {
        ("periods[1]", "period_not_of_regime"),
        ("children_of", "unknown_unit"),
        ("step", "unknown_step"),
    }
    with pytest.raises(Rejected) as refused:
        reporting_completeness(regime="", periods=[])
    assert {(p.field, p.code) for p in refused.value.problems} == {
        ("regime", "no_regime"),
        ("periods", "no_period"),
        ("units", "no_unit"),
    }


def test_the_message_is_vietnamese(sample_catalogue):
    with translation.override("vi"), pytest.raises(Rejected) as refused:
        reporting_completeness(regime="BC-KHONG-CO", periods=["202611"], units=[HANOI])
    assert refused.value.message == "Không có chế độ báo cáo mã BC-KHONG-CO."


# Cost -------------------------------------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_the_units(
    month, reviewer, django_assert_max_num_queries
):
    counts = []
    for options in ({"units": [ON_TIME[0]]}, {"children_of": HANOI}, {"units": [HANOI]}):
        with CaptureQueriesContext(connection) as queries:
            reporting_completeness(regime=REGIME, periods=[month], **options)
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]
    # Regime and its versions and steps (5), units (1), who owes each step (2), the hierarchy
    # (1), the reports (1); the user's scope adds a few (one per level of depth).
    with django_assert_max_num_queries(10):
        reporting_completeness(regime=REGIME, periods=[month], children_of=HANOI)
    with django_assert_max_num_queries(16):
        reporting_completeness(regime=REGIME, periods=[month], children_of=HANOI, user=reviewer)


# API and command line ---------------------------------------------------------------------------


def test_api_answers_json_and_csv(month, api_client):
    url = "/api/v1/analytics/completeness/"
    answer = api_client.get(url, {"regime": REGIME, "period": month, "children_of": HANOI})
    assert answer.status_code == 200
    rows = {row["unit"]: row for row in answer.json()["rows"]}
    assert len(rows) == HANOI_COMMUNES
    assert rows[LATE]["late"] == 1 and rows[LATE]["late_units"] == [LATE]
    city = api_client.get(
        url, {"regime": REGIME, "period": month, "unit": HANOI, "step": "0", "with_units": "true"}
    ).json()["rows"][0]
    assert (city["expected"], city["received"], city["on_time"]) == (HANOI_COMMUNES, 4, 3)
    assert len(city["missing_units"]) == 122
    download = api_client.get(
        url, {"regime": REGIME, "period": month, "unit": HANOI, "download": "csv"}
    )
    assert download["Content-Type"].startswith("text/csv")
    (line,) = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert (line["unit"], line["expected"], line["received"], line["missing_units"]) == (
        HANOI,
        "127",
        "4",
        "",
    )


def test_api_refusals_name_the_field(month, api_client):
    url = "/api/v1/analytics/completeness/"
    bad = api_client.get(url, {"regime": REGIME, "period": month, "unit": HANOI, "step": "hai"})
    assert bad.status_code == 400
    assert (bad.json()["code"], bad.json()["field"]) == ("bad_step", "step")
    unknown = api_client.get(url, {"regime": "BC-KHONG-CO", "period": month, "unit": HANOI})
    assert (unknown.status_code, unknown.json()["field"]) == (400, "regime")
    other = api_client.get(url, {"regime": REGIME, "period": month, "unit": THU_DAU_MOT})
    assert (other.status_code, other.json()["code"]) == (403, "unit_out_of_scope")


def test_command_prints_csv_and_refuses_bad_input(month):
    out = io.StringIO()
    call_command(
        "completeness",
        "--regime",
        REGIME,
        "--period",
        month,
        "--children-of",
        HANOI,
        "--csv",
        stdout=out,
    )
    rows = {row["unit"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}
    assert len(rows) == HANOI_COMMUNES
    assert (rows[LATE]["late"], rows[LATE]["late_units"]) == ("1", LATE)
    assert rows[DRAFT]["missing_units"] == DRAFT
    with pytest.raises(CommandError, match="regime"):
        call_command("completeness", "--regime", "BC-KHONG-CO", "--period", month, "--unit", "01")
