"""Reminders to units that have not sent a report (issue 7: the reporting board).

Hà Nội's wards owe BC-DVC-THANG to the city every month. In the open month Ba Đình has sent
its report, Cửa Nam has a draft, Phú Thượng's was returned and Tây Hồ has not opened it; the
city's reviewer reminds them.
"""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from baocao.accounts.models import User
from baocao.audit.models import ChangeRecord
from baocao.catalogue.labels import period_code_label
from baocao.core.errors import DomainError, NotFound
from baocao.organisations.models import Unit
from baocao.submissions import permissions, services
from baocao.submissions.errors import SubmissionDenied
from baocao.submissions.models import Reminder, Report
from baocao.submissions.tests.conftest import REGIME, full_values, make_user, open_period

pytestmark = pytest.mark.django_db

SENT = "00004"  # Phường Ba Đình
DRAFT = "00082"  # Phường Cửa Nam
RETURNED = "00091"  # Phường Phú Thượng
NEVER = "00103"  # Phường Tây Hồ
THU_DAU_MOT = "25747"  # a ward of Thành phố Hồ Chí Minh


def officer(ward: str, *, email: str = "", active: bool = True, roles=("reporter",)):
    user = make_user(f"canbo-{ward}-{len(email)}-{active}", ward, list(roles))
    User.objects.filter(pk=user.pk).update(email=email, is_active=active)
    user.refresh_from_db()
    return user


@pytest.fixture
def month(sample_catalogue, reviewer):
    """The open month: Ba Đình sent, Cửa Nam a draft, Phú Thượng returned, Tây Hồ nothing.
    Each ward has a reporting officer with an email address; Cửa Nam has two, and an
    inactive one and a reviewer who are not emailed."""
    period = open_period().code
    for ward in (SENT, DRAFT, RETURNED, NEVER):
        officer(ward, email=f"canbo.{ward}@example.vn")
        services.signing_key_create(unit=Unit.objects.get(code=ward), actor=None)
    officer(DRAFT, email="pho.canbo.00082@example.vn")
    officer(DRAFT, email="nghi.viec.00082@example.vn", active=False)
    officer(DRAFT, email="lanh.dao.00082@example.vn", roles=("reviewer",))
    for ward in (SENT, DRAFT, RETURNED):
        user = User.objects.get(email=f"canbo.{ward}@example.vn")
        report = services.report_get_or_create(regime=REGIME, unit=ward, period=period, actor=user)
        report = services.report_save(report=report, values=full_values(report), actor=user)
        if ward != DRAFT:
            services.report_submit(report=report, actor=user)
    services.report_return(
        report=Report.objects.get(unit__code=RETURNED, period=period),
        actor=reviewer,
        reason="Thiếu số liệu hồ sơ trực tuyến.",
    )
    return period


def send(actor, period, units, message=""):
    return services.reminders_send(
        regime=REGIME, period=period, unit_codes=units, message=message, actor=actor
    )


def test_only_units_that_have_not_sent_are_reminded_and_their_officers_emailed(month, reviewer):
    summary = send(reviewer, month, [SENT, DRAFT, RETURNED, NEVER], "Đề nghị gửi trước thứ Sáu.")
    assert summary.reminded == [DRAFT, RETURNED, NEVER]
    assert summary.already_sent == [SENT]
    assert (summary.recently_reminded, summary.not_owed, summary.without_recipients) == ([], [], [])
    assert summary.skipped == 1
    # Cửa Nam: two active reporting officers; not the inactive one, nor the reviewer.
    assert summary.emails == len(mail.outbox) == 4
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted(
        [
            "canbo.00082@example.vn",
            "pho.canbo.00082@example.vn",
            "canbo.00091@example.vn",
            "canbo.00103@example.vn",
        ]
    )
    assert all(len(message.to) == 1 for message in mail.outbox)  # nobody sees the others

    reminders = {item.unit.code: item for item in Reminder.objects.all()}
    assert set(reminders) == {DRAFT, RETURNED, NEVER}
    draft = reminders[DRAFT]
    assert (draft.regime.code, draft.period, draft.step_order, draft.recipients) == (
        REGIME,
        month,
        0,
        2,
    )
    assert (draft.sent_by, draft.sent_by_name, draft.message) == (
        reviewer,
        "kiemduyet-hanoi",
        "Đề nghị gửi trước thứ Sáu.",
    )
    assert abs(draft.sent_at - timezone.now()) < dt.timedelta(minutes=1)
    records = ChangeRecord.objects.filter(object_type="submissions.reminder")
    assert records.count() == 3
    assert {record.after["unit"] for record in records} == {DRAFT, RETURNED, NEVER}
    assert {record.actor_name for record in records} == {"kiemduyet-hanoi"}


def test_the_email_names_the_regime_period_deadline_and_message(month, reviewer):
    send(reviewer, month, [NEVER], "Đề nghị gửi trước thứ Sáu.")
    (message,) = mail.outbox
    report_deadline = Report.objects.get(unit__code=DRAFT, period=month).deadline
    with translation.override("vi"):
        label = period_code_label(month)
    assert REGIME in message.subject and label in message.subject
    assert "Phường Tây Hồ" in message.body and NEVER in message.body
    assert "Báo cáo tình hình giải quyết thủ tục hành chính" in message.body
    assert report_deadline.strftime("%d/%m/%Y") in message.body
    assert "Đề nghị gửi trước thứ Sáu." in message.body
    assert "kiemduyet-hanoi" in message.body and "Thành phố Hà Nội" in message.body


def test_an_overdue_report_s_email_says_by_how_many_days(sample_catalogue, reviewer):
    period = open_period().previous(2)  # last month: its deadline has passed
    officer(NEVER, email="canbo.00103@example.vn")
    summary = send(reviewer, period.code, [NEVER])
    assert summary.reminded == [NEVER]
    (message,) = mail.outbox
    report_deadline = services.selectors.obligation_get(
        regime=services.selectors.regime_get(REGIME),
        unit=Unit.objects.get(code=NEVER),
        period=period,
    ).deadline
    days = (timezone.localdate() - report_deadline).days
    assert days > 0
    assert report_deadline.strftime("%d/%m/%Y") in message.body
    assert f" {days} " in message.body


def test_a_second_reminder_within_the_hour_is_skipped(month, reviewer):
    send(reviewer, month, [DRAFT, NEVER])
    again = send(reviewer, month, [DRAFT, NEVER, RETURNED])
    assert again.recently_reminded == [DRAFT, NEVER]
    assert again.reminded == [RETURNED]
    assert Reminder.objects.filter(unit__code=DRAFT).count() == 1
    assert len(mail.outbox) == 2 + 1 + 1  # Cửa Nam's two officers, Tây Hồ, then Phú Thượng
    Reminder.objects.update(sent_at=timezone.now() - services.REMINDER_INTERVAL)
    later = send(reviewer, month, [DRAFT])
    assert later.reminded == [DRAFT]
    assert Reminder.objects.filter(unit__code=DRAFT).count() == 2


def test_a_unit_with_nobody_to_email_is_still_reminded(month, reviewer):
    User.objects.filter(unit__code=NEVER).update(email="")
    summary = send(reviewer, month, [NEVER])
    assert (summary.reminded, summary.without_recipients, summary.emails) == ([NEVER], [NEVER], 0)
    assert Reminder.objects.get().recipients == 0
    assert mail.outbox == []


def test_units_owing_no_such_report_are_skipped(month):
    leader = make_user("lanhdao-cp", "CP", ["leader"])
    # The Ministry of Finance owes no BC-DVC-THANG; Hà Nội owes its own (to the Government
    # Office, below the Government).
    summary = send(leader, month, ["BTC", "01"])
    assert (summary.not_owed, summary.reminded) == (["BTC"], ["01"])
    assert Reminder.objects.get().step_order == 1


# Who may remind ---------------------------------------------------------------------------------


def test_a_unit_outside_the_actor_s_scope_is_refused_by_name(month, reviewer):
    with pytest.raises(SubmissionDenied) as refused:
        send(reviewer, month, [NEVER, THU_DAU_MOT])
    assert (refused.value.code, refused.value.field) == ("reminder_unit_out_of_scope", "units")
    assert THU_DAU_MOT in refused.value.message
    assert not Reminder.objects.exists() and mail.outbox == []


def test_only_the_receiver_or_a_unit_above_it_may_remind(month, reviewer):
    # Hà Nội sends its own report to the Government Office: the city's reviewer may not
    # remind the city about it.
    with pytest.raises(SubmissionDenied) as refused:
        send(reviewer, month, ["01"])
    assert refused.value.code == "reminder_not_receiver"
    assert refused.value.args_dict == {"unit": "01", "receiver": "VPCP"}
    # The Government Office's reviewer receives it (the city is outside their subtree, but
    # the report is addressed to them, as a reviewer's inbox has it).
    office = make_user("kiemduyet-vpcp", "VPCP", ["reviewer"])
    assert send(office, month, ["01"]).reminded == ["01"]


def test_reporting_officers_may_not_send_reminders(month):
    ward_officer = User.objects.get(email="canbo.00004@example.vn")
    with pytest.raises(SubmissionDenied) as refused:
        send(ward_officer, month, [NEVER])
    assert refused.value.code == "reminder_forbidden"
    assert not permissions.may_send_reminders(ward_officer)
    assert not permissions.may_send_reminders(None)


def test_bad_input_is_refused_naming_the_field(month, reviewer):
    with pytest.raises(NotFound) as unknown:
        send(reviewer, month, [NEVER, "99999"])
    assert (unknown.value.code, unknown.value.field) == ("unknown_unit", "units[1]")
    with pytest.raises(NotFound):
        services.reminders_send(
            regime="BC-KHONG-CO", period=month, unit_codes=[NEVER], actor=reviewer
        )
    with pytest.raises(DomainError) as bad_period:
        send(reviewer, "2026M13", [NEVER])
    assert bad_period.value.field == "period"
    with pytest.raises(DomainError) as none:
        send(reviewer, month, [" ", ""])
    assert (none.value.code, none.value.field) == ("reminder_no_units", "units")
    with pytest.raises(DomainError) as long:
        send(reviewer, month, [NEVER], "x" * (services.MAX_REMINDER_MESSAGE + 1))
    assert long.value.field == "message"
    assert not Reminder.objects.exists()


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_when_the_mail_server_refuses_nothing_is_recorded(month, reviewer, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with pytest.raises(DomainError) as failed:
        send(reviewer, month, [DRAFT, NEVER])
    assert failed.value.code == "reminder_mail_failed"
    assert "Connection unexpectedly closed" in failed.value.message
    assert not Reminder.objects.exists()
    assert not ChangeRecord.objects.filter(object_type="submissions.reminder").exists()


# The officer's page ------------------------------------------------------------------------------


def _my_reports(user):
    client = Client()
    client.force_login(user)
    return client.get(reverse("submissions:my-reports"))


def test_the_officer_sees_when_and_by_whom_their_report_was_reminded(month, reviewer):
    ward_officer = User.objects.get(email="canbo.00103@example.vn")
    before = _my_reports(ward_officer).content.decode()
    assert "data-reminded" not in before
    send(reviewer, month, [NEVER])
    sent_at = timezone.localtime(Reminder.objects.get().sent_at)
    page = _my_reports(ward_officer).content.decode()
    assert f'data-regime="{REGIME}" data-period="{month}"' in page
    assert f'data-reminded="{sent_at:%Y-%m-%dT%H:%M}"' in page
    assert sent_at.strftime("%d/%m/%Y") in page and sent_at.strftime("%H:%M") in page
    assert "kiemduyet-hanoi" in page
    # Ba Đình sent its report: no notice there, even when reminded before it sent.
    sent_officer = User.objects.get(email="canbo.00004@example.vn")
    assert "data-reminded" not in _my_reports(sent_officer).content.decode()


def test_the_officer_s_page_costs_the_same_queries_with_reminders(month, reviewer):
    ward_officer = User.objects.get(email="canbo.00082@example.vn")
    _my_reports(ward_officer)  # warm the caches (calendar, sessions)
    with CaptureQueriesContext(connection) as without:
        _my_reports(ward_officer)
    send(reviewer, month, [DRAFT])
    with CaptureQueriesContext(connection) as reminded:
        response = _my_reports(ward_officer)
    assert "data-reminded" in response.content.decode()
    assert len(reminded) == len(without)
