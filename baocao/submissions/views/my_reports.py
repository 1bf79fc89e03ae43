"""The unit's reports: what it owes around today, and opening one."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
)
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from baocao.accounts.models import User
from baocao.catalogue import selectors as catalogue_selectors
from baocao.catalogue.labels import day_label, period_label
from baocao.core.errors import DomainError
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit
from baocao.submissions import lifecycle, permissions, selectors, services
from baocao.submissions.choices import ReportStatus
from baocao.submissions.errors import SubmissionError
from baocao.submissions.models import Reminder, Report
from baocao.submissions.views.common import (
    MY_REPORTS_DAYS_AFTER,
    MY_REPORTS_DAYS_BEFORE,
    error_page,
    lock_view,
    page_context,
    report_header,
    request_user,
    status_view,
    text_param,
    unit_name,
)


@dataclasses.dataclass(frozen=True)
class OwedRow:
    """One report the unit owes, started or not."""

    regime_code: str
    regime_name: str
    period: str
    period_label: str
    window: str
    deadline: dt.date
    receiver: str
    status: dict[str, str]
    days_late: int
    overdue: int
    lock_day: str
    locked: bool
    open_url: str
    version_count: int
    # The latest reminder about a report still to send (issue 7), and who sent it.
    reminded_at: dt.datetime | None = None
    reminded_by: str = ""


def _choosable_units(user: User) -> list[Unit]:
    """The user's unit and the units delegated to them, in that order."""
    units: list[Unit] = []
    if user.unit is not None:
        units.append(user.unit)
    delegated = permissions.delegated_unit_ids(user)
    units.extend(
        unit for unit in Unit.objects.filter(pk__in=delegated).order_by("code") if unit not in units
    )
    return units


def _open_url(regime: str, unit: str, period: str) -> str:
    query = QueryDict(mutable=True)
    query.update({"regime": regime, "unit": unit, "period": period})
    return f"{reverse('submissions:report-open')}?{query.urlencode()}"


@login_required
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    """The reports the user's unit (or a unit delegated to them) owes now."""
    user = request_user(request)
    units = _choosable_units(user)
    code = text_param(request.GET, "unit")
    unit = units[0] if units else None
    if code:
        chosen = next((item for item in units if item.code == code), None)
        if chosen is None and user.is_superuser:
            chosen = Unit.objects.filter(code=code).first()
        if chosen is None:
            return error_page(
                request,
                DomainError(SubmissionError.FORBIDDEN_UNIT, field="unit", unit=code),
                nav="reports",
            )
        unit = chosen
    today = org_selectors.today()
    rows: list[OwedRow] = []
    if unit is not None:
        try:
            rows = _owed_rows(user, unit, today)
        except DomainError as error:
            return error_page(request, error, nav="reports")
    context = {
        **page_context(request, "reports"),
        "units": [{"unit": item, "name": unit_name(item)} for item in units],
        "unit": unit,
        "unit_name": unit_name(unit),
        "rows": rows,
        "start": day_label(today - dt.timedelta(days=MY_REPORTS_DAYS_BEFORE)),
        "end": day_label(today + dt.timedelta(days=MY_REPORTS_DAYS_AFTER)),
        "may_write": unit is not None and permissions.may_write(user, unit),
    }
    return render(request, "submissions/my_reports.html", context)


def _owed_rows(user: User, unit: Unit, today: dt.date) -> list[OwedRow]:
    end = today + dt.timedelta(days=MY_REPORTS_DAYS_AFTER)
    expected = catalogue_selectors.expected_reports(
        unit=unit, start=today - dt.timedelta(days=MY_REPORTS_DAYS_BEFORE), end=end
    )
    existing = {
        (report.regime.code, report.period): report
        for report in selectors.unit_reports(user=user, unit=unit)
    }
    rows: list[OwedRow] = []
    seen: set[tuple[str, str]] = set()
    for item in expected:
        key = (item.regime.code, item.period.code)
        if key in seen:
            continue
        seen.add(key)
        report = existing.get(key)
        if report is not None:
            rows.append(_row_of_report(report, today))
            continue
        grace = selectors.grace_days(item.regime)
        last_day = item.deadline + dt.timedelta(days=grace)
        rows.append(
            OwedRow(
                regime_code=item.regime.code,
                regime_name=item.regime.name,
                period=item.period.code,
                period_label=period_label(item.period),
                window=f"{day_label(item.window.start)} – {day_label(item.window.end)}",
                deadline=item.deadline,
                receiver=unit_name(item.receiver, item.deadline),
                status=status_view(ReportStatus.NOT_STARTED),
                days_late=0,
                overdue=max(0, (today - item.deadline).days),
                lock_day=day_label(last_day),
                locked=today > last_day,
                open_url=_open_url(item.regime.code, unit.code, item.period.code),
                version_count=0,
            )
        )
    # Reports still to finish whose deadline lies outside the range (a returned one, say).
    for key, report in existing.items():
        if key not in seen and report.status in lifecycle.EDITABLE:
            rows.append(_row_of_report(report, today))
    return sorted(_with_reminders(rows, unit), key=lambda row: (row.deadline, row.regime_code))


# Reports the unit still has to send: a reminder about them is worth showing.
_TO_SEND = frozenset({ReportStatus.NOT_STARTED, ReportStatus.DRAFT, ReportStatus.RETURNED})


def _with_reminders(rows: list[OwedRow], unit: Unit) -> list[OwedRow]:
    """The rows, those still to send with their latest reminder (one query)."""
    waiting = {(row.regime_code, row.period) for row in rows if row.status["code"] in _TO_SEND}
    if not waiting:
        return rows
    latest: dict[tuple[str, str], tuple[dt.datetime, str]] = {}
    found = (
        Reminder.objects.filter(unit=unit, period__in={period for _code, period in waiting})
        .order_by("sent_at", "pk")
        .values_list("regime__code", "period", "sent_at", "sent_by_name")
    )
    for regime_code, period, sent_at, name in found:
        latest[(regime_code, period)] = (sent_at, name)
    return [
        dataclasses.replace(row, reminded_at=reminder[0], reminded_by=reminder[1])
        if (key := (row.regime_code, row.period)) in waiting and (reminder := latest.get(key))
        else row
        for row in rows
    ]


def _row_of_report(report: Report, today: dt.date) -> OwedRow:
    lock = lock_view(report)
    header = report_header(report)
    return OwedRow(
        regime_code=report.regime.code,
        regime_name=report.regime.name,
        period=report.period,
        period_label=header["period_label"],
        window=header["window"],
        deadline=report.deadline,
        receiver=header["receiver_name"],
        status=status_view(report.status),
        days_late=report.days_late or 0,
        overdue=header["overdue"],
        lock_day=lock["last_day"],
        locked=lock["locked"],
        open_url=reverse("submissions:report-entry", args=[report.pk]),
        version_count=report.version_count,
    )


@login_required
@require_GET
def report_open(request: HttpRequest) -> HttpResponse:
    """Find or create the report of a regime, unit and period, then go to its entry page."""
    try:
        report = services.report_get_or_create(
            regime=text_param(request.GET, "regime"),
            unit=text_param(request.GET, "unit"),
            period=text_param(request.GET, "period"),
            actor=request_user(request),
        )
    except DomainError as error:
        return error_page(request, error, nav="reports")
    return HttpResponseRedirect(reverse("submissions:report-entry", args=[report.pk]))
