"""Who may do what with a report (issue 4, scope 10).

- Reporting officers write only for their own unit or a unit delegated to them.
- Reviewers act only on reports addressed to their unit.
- Everyone reads the reports of their subtree (`accounts.scope`), the reports addressed to
  their unit and those of units delegated to them.
Superusers may do everything. Every view, API endpoint and command asks here; none decides
by itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from baocao.accounts import scope
from baocao.accounts.choices import Role
from baocao.accounts.models import Delegation
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit
from baocao.submissions.errors import SubmissionDenied, SubmissionError
from baocao.submissions.models import Report

AnyUser = AbstractBaseUser | AnonymousUser
# Who follows up late reports: the receiving agency's reviewers, leaders and administrators
# (Decree 09/2019/NĐ-CP Art. 12: the receiver urges the units that have not reported).
REMINDER_ROLES = frozenset({Role.REVIEWER, Role.LEADER, Role.ADMINISTRATOR})


def _has_role(user: AnyUser, role: str) -> bool:
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return bool(user.roles.filter(role=role).exists())  # type: ignore[attr-defined]


def delegated_unit_ids(user: AnyUser, *, on: dt.date | None = None) -> set[int]:
    if not user.is_authenticated:
        return set()
    day = on or org_selectors.today()
    return set(
        Delegation.objects.filter(user_id=user.pk, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .values_list("unit_id", flat=True)
    )


def may_write(user: AnyUser, unit: Unit) -> bool:
    if not _has_role(user, Role.REPORTER):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return getattr(user, "unit_id", None) == unit.pk or unit.pk in delegated_unit_ids(user)


def may_review(user: AnyUser, report: Report) -> bool:
    if not _has_role(user, Role.REVIEWER):
        return False
    return bool(getattr(user, "is_superuser", False)) or (
        getattr(user, "unit_id", None) == report.receiver_id
    )


def check_write(user: AnyUser, unit: Unit) -> None:
    if not may_write(user, unit):
        raise SubmissionDenied(SubmissionError.FORBIDDEN_UNIT, unit=unit.code)


def check_review(user: AnyUser, report: Report) -> None:
    if not may_review(user, report):
        raise SubmissionDenied(SubmissionError.FORBIDDEN_REVIEW, receiver=report.receiver.code)


def visible_reports(user: AnyUser, queryset: QuerySet[Report] | None = None) -> QuerySet[Report]:
    """Reports the user may read: their subtree, addressed to their unit, delegated units."""
    reports = queryset if queryset is not None else Report.objects.all()
    if not user.is_authenticated:
        return reports.none()
    ids = scope.unit_ids_in_scope(user)
    if ids is None:
        return reports
    condition = Q(unit_id__in=ids) | Q(unit_id__in=delegated_unit_ids(user))
    unit_id = getattr(user, "unit_id", None)
    if unit_id is not None:
        condition |= Q(receiver_id=unit_id)
    return reports.filter(condition)


def check_read(user: AnyUser, report: Report) -> None:
    if not visible_reports(user, Report.objects.filter(pk=report.pk)).exists():
        raise SubmissionDenied(SubmissionError.FORBIDDEN_READ)


def may_send_reminders(user: Any) -> bool:
    """Whether the user holds a role that follows up late reports (which units they may
    remind is checked unit by unit when they send)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return bool(user.roles.filter(role__in=REMINDER_ROLES).exists())
