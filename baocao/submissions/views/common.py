"""Pieces shared by the report pages: the user, errors as pages, numbers, headers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.http import (
    HttpRequest,
    HttpResponse,
    QueryDict,
)
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from baocao.accounts.models import User
from baocao.catalogue import selectors as catalogue_selectors
from baocao.catalogue.choices import NUMERIC_VALUE_TYPES, ValueType
from baocao.catalogue.labels import day_label, period_code_label
from baocao.catalogue.models import Indicator
from baocao.core.errors import DomainError, NotFound
from baocao.core.numbers import format_number
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit
from baocao.periods import PeriodError, parse_period
from baocao.submissions import permissions, selectors
from baocao.submissions.choices import ReportStatus
from baocao.submissions.errors import SubmissionError
from baocao.submissions.models import Report, ReportVersion
from baocao.submissions.values import parse_number

# "My reports": deadlines from two months back (late reports still owed) to six weeks ahead.
MY_REPORTS_DAYS_BEFORE = 60
MY_REPORTS_DAYS_AFTER = 45
INBOX_PAGE_SIZE = 50
MAX_PARAM_LENGTH = 100
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# How each status is drawn (a badge colour); the label is the translated choice.
STATUS_TONE = {
    ReportStatus.NOT_STARTED: "idle",
    ReportStatus.DRAFT: "draft",
    ReportStatus.SUBMITTED: "sent",
    ReportStatus.RESUBMITTED: "sent",
    ReportStatus.ACCEPTED: "accepted",
    ReportStatus.RETURNED: "returned",
    ReportStatus.RECALL_REQUESTED: "recall",
}


def request_user(request: HttpRequest) -> User:
    # login_required has let only signed-in users of the project's user model in.
    return cast(User, request.user)


def text_param(params: QueryDict, name: str) -> str:
    return params.get(name, "").strip()[:MAX_PARAM_LENGTH]


def unit_name(unit: Unit | None, on: dt.date | None = None) -> str:
    return "" if unit is None else org_selectors.unit_name_as_of(unit=unit, on=on)


def unit_names(pairs: Iterable[tuple[Unit, dt.date]]) -> dict[tuple[int, dt.date], str]:
    """Names of many units on their days, one query per distinct day (a list page's rows)."""
    by_day: dict[dt.date, set[int]] = {}
    units: dict[int, Unit] = {}
    for unit, day in pairs:
        by_day.setdefault(day, set()).add(unit.pk)
        units[unit.pk] = unit
    names: dict[tuple[int, dt.date], str] = {}
    for day, ids in by_day.items():
        found = dict(
            org_selectors.versions_on(day).filter(unit_id__in=ids).values_list("unit_id", "name")
        )
        for unit_id in ids:
            names[(unit_id, day)] = found.get(unit_id) or unit_name(units[unit_id], day)
    return names


def page_context(request: HttpRequest, nav: str = "") -> dict[str, Any]:
    """What the layout needs besides the user's unit (a context processor): the menu item."""
    return {"nav": nav}


def error_page(request: HttpRequest, error: DomainError, *, nav: str = "") -> HttpResponse:
    context = {**page_context(request, nav), "error": error.message, "status": error.http_status}
    return render(request, "submissions/error.html", context, status=error.http_status)


def status_view(status: str) -> dict[str, str]:
    return {
        "code": status,
        "label": str(ReportStatus(status).label),
        "tone": STATUS_TONE.get(ReportStatus(status), "idle"),
    }


def decimal_places(text: str) -> int:
    return len(text.partition(".")[2])


def display_value(indicator: Indicator, text: str, *, language: str | None = None) -> str:
    """A stored canonical value as a person reads it (Vietnamese numbers in inputs)."""
    if text == "":
        return ""
    if indicator.value_type in NUMERIC_VALUE_TYPES:
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        return format_number(number, decimals=decimal_places(text), language=language)
    if indicator.value_type == ValueType.BOOLEAN:
        return gettext("Yes") if text == "true" else gettext("No") if text == "false" else text
    if indicator.value_type == ValueType.DATE:
        try:
            return day_label(dt.date.fromisoformat(text))
        except ValueError:
            return text
    return text


def stored_number(indicator: Indicator, text: str) -> Decimal | None:
    if indicator.value_type not in NUMERIC_VALUE_TYPES or not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def typed_number(text: str) -> Decimal | None:
    try:
        return parse_number(text, style="vi") if text.strip() else None
    except ValueError:
        return None


def lock_view(report: Report) -> dict[str, Any]:
    lock_at = selectors.lock_time(report)
    last_day = timezone.localtime(lock_at).date() - dt.timedelta(days=1)
    unlocked_until = report.unlocked_until
    return {
        "locked": selectors.is_locked(report),
        "last_day": day_label(last_day),
        "unlocked_until": (
            timezone.localtime(unlocked_until).strftime("%H:%M %d/%m/%Y")
            if unlocked_until and unlocked_until > timezone.now()
            else ""
        ),
    }


def report_header(report: Report) -> dict[str, Any]:
    """The facts every report page starts with."""
    window = None
    try:
        item = catalogue_selectors.regime_period(
            regime=report.regime, period=parse_period(report.period)
        )
        window = item.window
    except (DomainError, PeriodError):
        window = None
    overdue = 0
    if report.submitted_at is None:
        overdue = max(0, (org_selectors.today() - report.deadline).days)
    return {
        "report": report,
        "regime": report.regime,
        "unit_name": unit_name(report.unit, report.deadline),
        "receiver_name": unit_name(report.receiver, report.deadline),
        "period_label": period_code_label(report.period),
        "window": (
            f"{day_label(window.start)} – {day_label(window.end)}" if window is not None else ""
        ),
        "deadline": day_label(report.deadline),
        "status": status_view(report.status),
        "days_late": report.days_late or 0,
        "overdue": overdue,
        "lock": lock_view(report),
    }


def readable_report(request: HttpRequest, report_id: int) -> Report:
    """The report, if the user may read it (`SubmissionDenied`, 403, otherwise)."""
    report = selectors.report_get(report_id=report_id)
    permissions.check_read(request_user(request), report)
    return report


def int_param(raw: object) -> int | None:
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        return None


def version_param(request: HttpRequest, report: Report) -> ReportVersion | None:
    raw = text_param(request.GET, "version")
    if not raw:
        return selectors.report_versions(report).last()
    number = int_param(raw)
    if number is None:
        raise NotFound(SubmissionError.VERSION_NOT_FOUND, id=report.pk, number=raw)
    return selectors.version_get(report=report, number=number)
