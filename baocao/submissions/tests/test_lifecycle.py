"""The report lifecycle through the services: save, submit, open, return, resubmit, accept."""

from __future__ import annotations

import pytest

from baocao.core.errors import DomainError, Rejected
from baocao.submissions import selectors, services
from baocao.submissions.choices import ReportAction, ReportStatus
from baocao.submissions.errors import SubmissionConflict, SubmissionDenied
from baocao.submissions.models import DataValue, DataValueHistory, ReportTransition
from baocao.submissions.tests.conftest import full_values


def test_a_new_report_is_addressed_to_the_province_with_the_catalogue_deadline(report):
    assert report.status == ReportStatus.NOT_STARTED
    assert report.receiver.code == "01"
    assert report.deadline > report.created_at.date()
    assert report.transitions.get().action == ReportAction.CREATE


def test_fill_submit_return_resubmit_accept(report, officer, reviewer):
    report = services.report_save(report=report, values=full_values(report), actor=officer)
    assert report.status == ReportStatus.DRAFT
    version = services.report_submit(report=report, actor=officer)
    report.refresh_from_db()
    assert (report.status, version.number, report.days_late) == (ReportStatus.SUBMITTED, 1, 0)
    assert selectors.version_verify(version).ok

    services.report_open(report=report, actor=reviewer)
    services.report_return(report=report, actor=reviewer, reason="Thiếu số liệu quá hạn")
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    first = full_values(report)[0]
    services.report_save(
        report=report,
        values=[services.ValueInput(first.indicator, first.disaggregation, "1.234")],
        actor=officer,
    )
    assert DataValue.objects.get(report=report, indicator__code=first.indicator).value == "1234"
    assert DataValueHistory.objects.filter(new_value="1234").count() == 1
    second = services.report_submit(report=report, actor=officer)
    report.refresh_from_db()
    assert (report.status, second.number) == (ReportStatus.RESUBMITTED, 2)
    services.report_accept(report=report, actor=reviewer)
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    actions = list(ReportTransition.objects.filter(report=report).values_list("action", flat=True))
    assert actions == ["create", "save", "submit", "open", "return", "submit", "accept"]
    assert selectors.version_verify(second).ok
    # The first version still carries the values it was signed with.
    assert selectors.version_values(version)[(first.indicator, "")] == first.value


def test_bad_values_are_all_named_and_nothing_is_saved(report, officer):
    values = full_values(report)
    bad = [
        services.ValueInput(values[0].indicator, "", "12,3a", where={"cell": "A"}),
        services.ValueInput(values[1].indicator, "", "1,5", where={"cell": "B"}),
        services.ValueInput("KHONG.CO", "", "1", where={"cell": "C"}),
    ]
    with pytest.raises(Rejected) as caught:
        services.report_save(report=report, values=values[2:] + bad, actor=officer)
    assert [(p.cell, p.code) for p in caught.value.problems] == [
        ("A", "not_a_number"),
        ("B", "not_an_integer"),
        ("C", "indicator_not_in_report"),
    ]
    assert not DataValue.objects.filter(report=report).exists()


def test_stale_revision_is_refused(report, officer):
    services.report_save(report=report, values=full_values(report)[:1], actor=officer, revision=1)
    with pytest.raises(SubmissionConflict):
        services.report_save(
            report=report, values=full_values(report)[1:2], actor=officer, revision=1
        )


def test_submit_with_required_cells_missing_is_refused(report, officer):
    services.report_save(report=report, values=full_values(report)[:1], actor=officer)
    with pytest.raises(Rejected) as caught:
        services.report_submit(report=report, actor=officer)
    assert {p.code for p in caught.value.problems} == {"required_missing"}


def test_idempotent_submission(report, officer):
    services.report_save(report=report, values=full_values(report), actor=officer)
    first = services.report_submit(report=report, actor=officer, idempotency_key="abc")
    again = services.report_submit(report=report, actor=officer, idempotency_key="abc")
    assert first.pk == again.pk
    assert report.versions.count() == 1


def test_recall_before_and_after_opening(report, officer, reviewer):
    services.report_save(report=report, values=full_values(report), actor=officer)
    services.report_submit(report=report, actor=officer)
    report = services.report_recall(report=report, actor=officer)
    assert report.status == ReportStatus.DRAFT
    services.report_submit(report=report, actor=officer)
    services.report_open(report=report, actor=reviewer)
    report = services.report_recall(report=report, actor=officer, reason="Sai số liệu")
    assert report.status == ReportStatus.RECALL_REQUESTED
    report = services.report_recall_answer(report=report, actor=reviewer, agree=False)
    assert report.status == ReportStatus.RESUBMITTED
    services.report_recall(report=report, actor=officer)
    report = services.report_recall_answer(report=report, actor=reviewer, agree=True)
    assert report.status == ReportStatus.DRAFT


def test_officer_cannot_accept_and_reviewer_cannot_write(report, officer, reviewer):
    services.report_save(report=report, values=full_values(report), actor=officer)
    with pytest.raises(SubmissionDenied):
        services.report_save(report=report, values=full_values(report), actor=reviewer)
    services.report_submit(report=report, actor=officer)
    with pytest.raises(SubmissionDenied):
        services.report_accept(report=report, actor=officer)


def test_return_needs_a_reason(report, officer, reviewer):
    services.report_save(report=report, values=full_values(report), actor=officer)
    services.report_submit(report=report, actor=officer)
    with pytest.raises(DomainError) as caught:
        services.report_return(report=report, actor=reviewer, reason="  ")
    assert caught.value.code == "reason_required"
