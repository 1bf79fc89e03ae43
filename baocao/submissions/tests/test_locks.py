"""Deadlines and locks (issue 4, scope 8): days late, the lock after the grace days, unlocking.

Time is not mocked: each test moves the report's deadline (copied into the report from the
catalogue when it was created) to a known number of days before today.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from baocao.core.errors import DomainError
from baocao.submissions import selectors, services
from baocao.submissions.choices import ReportAction, ReportStatus
from baocao.submissions.errors import SubmissionConflict, SubmissionDenied
from baocao.submissions.models import DEFAULT_GRACE_DAYS, Report, ReportingPolicy
from baocao.submissions.tests.conftest import full_values


def move_deadline(report: Report, *, days_ago: int) -> Report:
    """Make the report due `days_ago` days before today (local date)."""
    Report.objects.filter(pk=report.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=days_ago)
    )
    report.refresh_from_db()
    return report


@pytest.fixture
def filled(report, officer):  # type: ignore[no-untyped-def]
    return services.report_save(report=report, values=full_values(report), actor=officer)


def test_the_deadline_comes_from_the_catalogue(report):
    period = selectors.period_parse(report.period)
    obligation = selectors.obligation_get(regime=report.regime, unit=report.unit, period=period)
    assert report.deadline == obligation.deadline


def test_a_report_on_time_has_zero_days_late(filled, officer):
    move_deadline(filled, days_ago=0)  # due today: still on time
    version = services.report_submit(report=filled, actor=officer)
    filled.refresh_from_db()
    assert (version.days_late, filled.days_late) == (0, 0)


@pytest.mark.parametrize("days", [1, 3, DEFAULT_GRACE_DAYS])
def test_a_late_report_records_its_days_late(filled, officer, days):
    move_deadline(filled, days_ago=days)
    assert not selectors.is_locked(filled)  # within the grace days
    version = services.report_submit(report=filled, actor=officer)
    filled.refresh_from_db()
    assert (version.days_late, filled.days_late) == (days, days)


def test_days_late_are_those_of_the_first_submission(filled, officer, reviewer):
    move_deadline(filled, days_ago=2)
    services.report_submit(report=filled, actor=officer)
    services.report_return(report=filled, actor=reviewer, reason="Bổ sung")
    move_deadline(filled, days_ago=4)
    second = services.report_submit(report=filled, actor=officer)
    filled.refresh_from_db()
    # The report keeps when it first arrived; each version says how late it was itself.
    assert (filled.days_late, second.days_late) == (2, 4)


def test_the_lock_starts_the_day_after_the_grace_days(filled):
    move_deadline(filled, days_ago=DEFAULT_GRACE_DAYS)
    assert not selectors.is_locked(filled)
    locked_at = timezone.localtime(selectors.lock_time(filled))
    assert locked_at.date() == timezone.localdate() + dt.timedelta(days=1)
    assert locked_at.time() == dt.time(0, 0)
    move_deadline(filled, days_ago=DEFAULT_GRACE_DAYS + 1)
    assert selectors.is_locked(filled)


def test_after_the_grace_days_saving_and_submitting_are_refused(filled, officer):
    move_deadline(filled, days_ago=DEFAULT_GRACE_DAYS + 1)
    revision = filled.revision
    with pytest.raises(SubmissionConflict) as caught:
        services.report_save(report=filled, values=full_values(filled)[:1], actor=officer)
    assert caught.value.code == "locked"
    assert caught.value.args_dict["receiver"] == "01"
    assert caught.value.args_dict["grace"] == DEFAULT_GRACE_DAYS
    with pytest.raises(SubmissionConflict) as caught:
        services.report_submit(report=filled, actor=officer)
    assert caught.value.code == "locked"
    filled.refresh_from_db()
    assert (filled.status, filled.revision, filled.version_count) == (
        ReportStatus.DRAFT,
        revision,
        0,
    )


def test_the_grace_days_come_from_the_regimes_policy(filled, officer):
    ReportingPolicy.objects.create(regime=filled.regime, grace_days=0)
    move_deadline(filled, days_ago=0)
    assert not selectors.is_locked(filled)
    move_deadline(filled, days_ago=1)
    assert selectors.is_locked(filled)
    with pytest.raises(SubmissionConflict) as caught:
        services.report_submit(report=filled, actor=officer)
    assert (caught.value.code, caught.value.args_dict["grace"]) == ("locked", 0)


def test_the_receivers_reviewer_unlocks_with_a_reason_and_edits_then_work(
    filled, officer, reviewer
):
    late = DEFAULT_GRACE_DAYS + 3
    move_deadline(filled, days_ago=late)
    unlocked = services.report_unlock(
        report=filled, actor=reviewer, reason="Đơn vị mất điện kéo dài", days=2
    )
    assert unlocked.unlocked_until > timezone.now() + dt.timedelta(days=1)
    assert not selectors.is_locked(unlocked)
    transition = unlocked.transitions.order_by("-at", "-pk").first()
    assert (transition.action, transition.reason, transition.actor_name) == (
        ReportAction.UNLOCK,
        "Đơn vị mất điện kéo dài",
        "kiemduyet-hanoi",
    )
    assert (transition.from_status, transition.to_status) == (
        ReportStatus.DRAFT,
        ReportStatus.DRAFT,
    )
    first = full_values(filled)[0]
    services.report_save(
        report=filled,
        values=[services.ValueInput(first.indicator, first.disaggregation, "177")],
        actor=officer,
    )
    version = services.report_submit(report=filled, actor=officer)
    assert version.days_late == late


def test_an_unlock_ends_after_its_days(filled, reviewer):
    move_deadline(filled, days_ago=DEFAULT_GRACE_DAYS + 1)
    report = services.report_unlock(report=filled, actor=reviewer, reason="Gia hạn", days=1)
    assert selectors.is_locked(report, now=report.unlocked_until)
    assert not selectors.is_locked(report, now=report.unlocked_until - dt.timedelta(seconds=1))


def test_an_officer_cannot_unlock(filled, officer):
    move_deadline(filled, days_ago=DEFAULT_GRACE_DAYS + 1)
    with pytest.raises(SubmissionDenied) as caught:
        services.report_unlock(report=filled, actor=officer, reason="Xin mở khóa")
    assert caught.value.code == "forbidden_review"
    filled.refresh_from_db()
    assert filled.unlocked_until is None and selectors.is_locked(filled)


def test_unlocking_needs_a_reason(filled, reviewer):
    move_deadline(filled, days_ago=DEFAULT_GRACE_DAYS + 1)
    with pytest.raises(DomainError) as caught:
        services.report_unlock(report=filled, actor=reviewer, reason="  ")
    assert (caught.value.code, caught.value.field) == ("reason_required", "reason")


def test_unlocking_an_unlocked_report_is_refused(filled, reviewer):
    with pytest.raises(DomainError) as caught:
        services.report_unlock(report=filled, actor=reviewer, reason="Không cần")
    assert caught.value.code == "not_locked"
    assert not filled.transitions.filter(action=ReportAction.UNLOCK).exists()


def test_a_returned_report_may_be_corrected_after_the_lock(filled, officer, reviewer):
    move_deadline(filled, days_ago=1)
    services.report_submit(report=filled, actor=officer)
    services.report_return(report=filled, actor=reviewer, reason="Số liệu chưa khớp")
    move_deadline(filled, days_ago=DEFAULT_GRACE_DAYS + 10)
    assert not selectors.is_locked(filled)
    services.report_submit(report=filled, actor=officer)
    filled.refresh_from_db()
    assert filled.status == ReportStatus.RESUBMITTED


def test_auto_accept_accepts_at_once_as_the_system(filled, officer):
    ReportingPolicy.objects.create(regime=filled.regime, auto_accept=True)
    version = services.report_submit(report=filled, actor=officer)
    filled.refresh_from_db()
    assert filled.status == ReportStatus.ACCEPTED
    assert filled.accepted_at == version.submitted_at
    last = filled.transitions.order_by("-at", "-pk").first()
    assert (last.action, last.actor, last.actor_name, last.edxml_status) == (
        ReportAction.ACCEPT,
        None,
        "system",
        "03",
    )
    assert (last.from_status, last.to_status) == (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
