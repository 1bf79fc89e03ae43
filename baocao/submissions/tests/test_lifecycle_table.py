"""The lifecycle table, pair by pair, and the edXML codes of QCVN 102:2016/BTTTT."""

from __future__ import annotations

import itertools

import pytest

from baocao.core.errors import DomainError
from baocao.submissions import lifecycle, services
from baocao.submissions.choices import (
    EDXML_STATUS_OF_ACTION,
    EDXML_STATUS_OF_STATUS,
    ReportAction,
    ReportStatus,
)
from baocao.submissions.models import ReportTransition
from baocao.submissions.tests.conftest import full_values

S = ReportStatus
A = ReportAction

# Written out by hand from the diagram in lifecycle.py: (action, from) -> to, for a report
# with one submitted version. Every pair not listed must be refused.
EXPECTED: dict[tuple[str, str], str] = {
    (A.SAVE, S.NOT_STARTED): S.DRAFT,
    (A.SAVE, S.DRAFT): S.DRAFT,
    (A.SAVE, S.RETURNED): S.RETURNED,
    (A.SUBMIT, S.NOT_STARTED): S.RESUBMITTED,
    (A.SUBMIT, S.DRAFT): S.RESUBMITTED,
    (A.SUBMIT, S.RETURNED): S.RESUBMITTED,
    (A.OPEN, S.SUBMITTED): S.SUBMITTED,
    (A.OPEN, S.RESUBMITTED): S.RESUBMITTED,
    (A.ACCEPT, S.SUBMITTED): S.ACCEPTED,
    (A.ACCEPT, S.RESUBMITTED): S.ACCEPTED,
    (A.RETURN, S.SUBMITTED): S.RETURNED,
    (A.RETURN, S.RESUBMITTED): S.RETURNED,
    (A.RETURN, S.ACCEPTED): S.RETURNED,
    (A.RECALL, S.SUBMITTED): S.DRAFT,
    (A.RECALL, S.RESUBMITTED): S.DRAFT,
    (A.RECALL_REQUEST, S.SUBMITTED): S.RECALL_REQUESTED,
    (A.RECALL_REQUEST, S.RESUBMITTED): S.RECALL_REQUESTED,
    (A.RECALL_AGREE, S.RECALL_REQUESTED): S.DRAFT,
    (A.RECALL_REFUSE, S.RECALL_REQUESTED): S.SUBMITTED,
    # Unlocking changes the deadline lock, never the status.
    **{(A.UNLOCK, status): status for status in S.values},
}

MOVES = [action for action in A.values if action != A.CREATE]


def test_create_is_how_a_report_starts_not_a_move():
    assert A.CREATE not in lifecycle.ALLOWED_FROM
    assert set(lifecycle.ALLOWED_FROM) == set(MOVES)


@pytest.mark.parametrize(("action", "status"), list(itertools.product(MOVES, S.values)))
def test_every_pair_is_allowed_with_its_next_status_or_refused(action, status):
    expected = EXPECTED.get((action, status))
    assert lifecycle.can(status=status, action=action) is (expected is not None)
    if expected is None:
        with pytest.raises(DomainError) as caught:
            lifecycle.status_after(status=status, action=action, version_count=1)
        assert caught.value.code == "transition_not_allowed"
        # The message names the status and the action in words.
        assert caught.value.args_dict == {
            "status": S(status).label,
            "action": A(action).label.lower(),
        }
    else:
        assert lifecycle.status_after(status=status, action=action, version_count=1) == expected
        lifecycle.check_allowed(status=status, action=action)


@pytest.mark.parametrize("status", sorted(lifecycle.EDITABLE))
def test_the_first_submission_is_submitted_later_ones_resubmitted(status):
    assert lifecycle.status_after(status=status, action=A.SUBMIT, version_count=0) == S.SUBMITTED
    assert lifecycle.status_after(status=status, action=A.SUBMIT, version_count=3) == (
        S.RESUBMITTED
    )


def test_a_refused_recall_goes_back_to_what_was_sent():
    refuse = A.RECALL_REFUSE
    assert lifecycle.status_after(status=S.RECALL_REQUESTED, action=refuse, version_count=1) == (
        S.SUBMITTED
    )
    assert lifecycle.status_after(status=S.RECALL_REQUESTED, action=refuse, version_count=2) == (
        S.RESUBMITTED
    )


def test_edxml_codes_of_actions_follow_qcvn_102_2016():
    # QCVN 102:2016/BTTTT status codes: 01 arrived, 02 rejected, 03 accepted,
    # 13 recall requested, 15 recall agreed, 16 recall refused.
    assert EDXML_STATUS_OF_ACTION == {
        A.SUBMIT: "01",
        A.RETURN: "02",
        A.ACCEPT: "03",
        A.RECALL_REQUEST: "13",
        A.RECALL_AGREE: "15",
        A.RECALL_REFUSE: "16",
    }
    # Saving, opening, recalling an unopened report and unlocking are not exchanged.
    for action in (A.CREATE, A.SAVE, A.OPEN, A.RECALL, A.UNLOCK):
        assert action not in EDXML_STATUS_OF_ACTION


def test_edxml_status_of_a_report_is_the_code_of_the_move_that_led_there():
    for action in (A.SUBMIT, A.RETURN, A.ACCEPT, A.RECALL_REQUEST):
        for status in S.values:
            if lifecycle.can(status=status, action=action):
                after = lifecycle.status_after(status=status, action=action, version_count=1)
                assert EDXML_STATUS_OF_STATUS[after] == EDXML_STATUS_OF_ACTION[action]
    # A draft was never sent: it has no edXML status.
    assert S.DRAFT not in EDXML_STATUS_OF_STATUS
    assert S.NOT_STARTED not in EDXML_STATUS_OF_STATUS


def test_recorded_transitions_carry_their_edxml_codes(report, officer, reviewer):
    services.report_save(report=report, values=full_values(report), actor=officer)
    services.report_submit(report=report, actor=officer)
    services.report_open(report=report, actor=reviewer)
    services.report_return(report=report, actor=reviewer, reason="Thiếu số liệu")
    services.report_submit(report=report, actor=officer)
    services.report_open(report=report, actor=reviewer)
    services.report_recall(report=report, actor=officer, reason="Sai số liệu")
    services.report_recall_answer(report=report, actor=reviewer, agree=False)
    services.report_recall(report=report, actor=officer, reason="Sai số liệu")
    services.report_recall_answer(report=report, actor=reviewer, agree=True)
    services.report_submit(report=report, actor=officer)
    services.report_accept(report=report, actor=reviewer)
    recorded = list(
        ReportTransition.objects.filter(report=report)
        .order_by("at", "pk")
        .values_list("action", "from_status", "to_status", "edxml_status")
    )
    assert recorded == [
        ("create", "not_started", "not_started", ""),
        ("save", "not_started", "draft", ""),
        ("submit", "draft", "submitted", "01"),
        ("open", "submitted", "submitted", ""),
        ("return", "submitted", "returned", "02"),
        ("submit", "returned", "resubmitted", "01"),
        ("open", "resubmitted", "resubmitted", ""),
        ("recall_request", "resubmitted", "recall_requested", "13"),
        ("recall_refuse", "recall_requested", "resubmitted", "16"),
        ("recall_request", "resubmitted", "recall_requested", "13"),
        ("recall_agree", "recall_requested", "draft", "15"),
        ("submit", "draft", "resubmitted", "01"),
        ("accept", "resubmitted", "accepted", "03"),
    ]


def test_services_refuse_moves_the_table_refuses(report, officer, reviewer):
    services.report_save(report=report, values=full_values(report), actor=officer)
    with pytest.raises(DomainError) as caught:
        services.report_accept(report=report, actor=reviewer)
    assert caught.value.code == "transition_not_allowed"
    with pytest.raises(DomainError) as caught:
        services.report_recall(report=report, actor=officer)
    assert caught.value.code == "transition_not_allowed"
    report.refresh_from_db()
    assert report.status == S.DRAFT
