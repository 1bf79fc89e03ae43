"""The report lifecycle: one table of allowed moves, used by the web, the API and the CLI.

    not started ─save─▶ draft ─submit─▶ submitted ─accept─▶ accepted
                          ▲                │  │ return (reason)      │ return (reason)
                          │                │  ▼                      ▼
                          │ recall         │ returned ─save/submit─▶ resubmitted …
                          │ (not yet       │
                          │  opened)       └─recall, once opened─▶ recall requested
                          └────────── recall agreed ◀──────────────┘ (refused: back)

A sender may take back a report the receiver has not opened yet; once it has been opened
(received), recalling needs the receiver's consent, as in edXML (13 recall requested,
15 agreed, 16 refused). Returning an accepted report reopens it for a correction.
"""

from __future__ import annotations

from baocao.core.errors import DomainError
from baocao.submissions.choices import ReportAction, ReportStatus
from baocao.submissions.errors import SubmissionError

S = ReportStatus
A = ReportAction

EDITABLE = frozenset({S.NOT_STARTED, S.DRAFT, S.RETURNED})
SENT = frozenset({S.SUBMITTED, S.RESUBMITTED})

# action: statuses it may start from.
ALLOWED_FROM: dict[str, frozenset[str]] = {
    A.SAVE: EDITABLE,
    A.SUBMIT: EDITABLE,
    A.OPEN: SENT,
    A.ACCEPT: SENT,
    A.RETURN: SENT | {S.ACCEPTED},
    A.RECALL: SENT,
    A.RECALL_REQUEST: SENT,
    A.RECALL_AGREE: frozenset({S.RECALL_REQUESTED}),
    A.RECALL_REFUSE: frozenset({S.RECALL_REQUESTED}),
    A.UNLOCK: frozenset(S.values),
}


def check_allowed(*, status: str, action: str) -> None:
    if status not in ALLOWED_FROM[action]:
        raise DomainError(
            SubmissionError.TRANSITION_NOT_ALLOWED,
            status=ReportStatus(status).label,
            action=ReportAction(action).label.lower(),
        )


def status_after(*, status: str, action: str, version_count: int) -> str:
    """The status a report with `version_count` submitted versions moves to."""
    check_allowed(status=status, action=action)
    if action == A.SAVE:
        return S.DRAFT if status == S.NOT_STARTED else status
    if action == A.SUBMIT:
        return S.RESUBMITTED if version_count >= 1 else S.SUBMITTED
    if action == A.ACCEPT:
        return S.ACCEPTED
    if action == A.RETURN:
        return S.RETURNED
    if action in (A.RECALL, A.RECALL_AGREE):
        return S.DRAFT
    if action == A.RECALL_REQUEST:
        return S.RECALL_REQUESTED
    if action == A.RECALL_REFUSE:
        # Back to what it was: a first or a repeated submission.
        return S.RESUBMITTED if version_count > 1 else S.SUBMITTED
    return status


def can(*, status: str, action: str) -> bool:
    return status in ALLOWED_FROM[action]
