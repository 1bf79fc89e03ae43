"""The reporting board (issue 7): for a regime and its last periods, who has sent their
report, on time or late, and who has not, as a heat map of units by periods; each report a
click away, downloads in CSV and Excel, and reminders to the units still owing.

The figures come from `baocao.analytics.completeness.reporting_board` (the same obligations
as the completeness counts); reminders are `baocao.submissions.services.reminders_send`.
The page follows the user's scope: a province's leader sees their province and its
communes, the Government's leaders every unit. A bad value in the URL gets a page naming the
field (400 or 404), a unit outside the scope a 403, never a server error.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from baocao.accounts import scope
from baocao.analytics import completeness
from baocao.analytics import selectors as analytics
from baocao.analytics.completeness import (
    MAX_PERIODS,
    Board,
    BoardCell,
    BoardRow,
    CellStatus,
)
from baocao.analytics.errors import AnalyticsError
from baocao.catalogue import selectors as catalogue_selectors
from baocao.catalogue.labels import day_label, period_code_label
from baocao.catalogue.models import Regime
from baocao.core.errors import DomainError, NotFound, Rejected
from baocao.dashboards import selectors
from baocao.dashboards.errors import DashboardError
from baocao.dashboards.filters import GOVERNMENT, default_unit, last_ended
from baocao.dashboards.views.pages import problem
from baocao.organisations import selectors as org_selectors
from baocao.organisations.choices import Level
from baocao.organisations.models import Unit
from baocao.periods import Period, PeriodType, period_of
from baocao.submissions import permissions as submission_permissions
from baocao.submissions import selectors as submission_selectors
from baocao.submissions import services as submission_services
from baocao.submissions.errors import SubmissionDenied

DEFAULT_REGIME = "BC-KTXH-THANG"
DEFAULT_PERIODS = 6
# Periods offered in the "up to" filter: two years of months.
PERIODS_OFFERED = 24
MAX_PARAM = 64
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclasses.dataclass(frozen=True)
class Look:
    """How a status is drawn: a symbol (colour is never the only signal) and a CSS tone."""

    symbol: str
    tone: str


# "!" marks late; the legend explains every symbol and colour.
LOOKS: dict[str, Look] = {
    CellStatus.ACCEPTED_ON_TIME: Look("✔", "accepted"),
    CellStatus.ACCEPTED_LATE: Look("✔!", "accepted-late"),
    CellStatus.SUBMITTED_ON_TIME: Look("●", "sent"),
    CellStatus.SUBMITTED_LATE: Look("●!", "sent-late"),
    CellStatus.RETURNED: Look("↩", "returned"),
    CellStatus.DRAFT: Look("✎", "draft"),
    CellStatus.PENDING: Look("…", "pending"),
    CellStatus.OVERDUE: Look("✖", "overdue"),
    CellStatus.NOT_OWED: Look("–", "none"),
}
# Fills of the Excel download, the same tones as board.css.
FILLS = {
    "accepted": "C8E6C9",
    "accepted-late": "E6EE9C",
    "sent": "BBDEFB",
    "sent-late": "FFE082",
    "returned": "FFCC80",
    "draft": "E1BEE7",
    "pending": "ECEFF1",
    "overdue": "EF9A9A",
    "none": "FFFFFF",
}


@dataclasses.dataclass(frozen=True)
class Question:
    """What the board shows, read from the URL."""

    regime: Regime
    end: Period
    count: int
    periods: list[Period]
    unit: Unit

    def query(self, **changes: str) -> str:
        values = {
            "regime": self.regime.code,
            "period": self.end.code,
            "periods": str(self.count),
            "unit": self.unit.code,
        } | changes
        return urlencode({key: value for key, value in values.items() if value})


# The page ---------------------------------------------------------------------------------------


@login_required
@require_GET
def reporting_board(request: HttpRequest) -> HttpResponse:
    """GET `?regime=BC-KTXH-THANG&period=202611&periods=6&unit=CP[&format=csv|xlsx]`: the
    units below `unit` (or `unit` itself if nothing is below it) by the `periods` periods
    ending with `period`. Defaults: BC-KTXH-THANG, the last period ended, six periods, the
    user's unit (the Government for those who see every unit)."""
    user = request.user
    try:
        question = _question(request.GET, user)
        kind = _param(request.GET, "format")
        if kind not in ("", "csv", "xlsx"):
            raise DomainError(DashboardError.BAD_FORMAT, field="format", value=kind[:MAX_PARAM])
        board = _board(question, user)
    except DomainError as error:
        return problem(request, error)
    filename = f"tinh-hinh-gui-bao-cao-{board.regime}-{question.unit.code}-{question.end.code}"
    if kind == "csv":
        return _csv(board, filename)
    if kind == "xlsx":
        return _xlsx(board, filename)
    may_remind = submission_permissions.may_send_reminders(user)
    page_url = reverse("dashboards:reporting-board")
    rows = [_row_view(row, question, page_url) for row in board.rows]
    context = {
        "title": gettext("Reporting board"),
        "board": board,
        "question": question,
        "rows": rows,
        "may_remind": may_remind,
        "remindable": may_remind and any(row["remindable"] for row in rows),
        "latest": board.periods[-1] if board.periods else None,
        "legend": [
            {"status": status, "label": status.label, "look": LOOKS[status]}
            for status in CellStatus
        ],
        "choices": _choices(question, user),
        "breadcrumbs": [
            (name, f"{page_url}?{question.query(unit=code)}")
            for name, code in _breadcrumbs(question.unit, user)
        ],
        "unit_name": org_selectors.unit_name_as_of(unit=question.unit),
        "page_url": page_url,
        "here": f"{page_url}?{question.query()}",
        "csv_url": f"{page_url}?{question.query(format='csv')}",
        "xlsx_url": f"{page_url}?{question.query(format='xlsx')}",
        "remind_url": reverse("dashboards:reporting-remind"),
        "max_periods": MAX_PERIODS,
        "active": "board",
        "nav": "direction",
        "menu": selectors.navigation(),
        "version": analytics.analytics_version(),
    }
    return render(request, "dashboards/board.html", context)


def _clean(text: str) -> str:
    # No NUL character reaches the database: PostgreSQL refuses it in any text.
    return text.replace("\x00", "").strip()[:MAX_PARAM]


def _param(params: QueryDict, name: str) -> str:
    return _clean(params.get(name, ""))


def _question(params: QueryDict, user: Any) -> Question:
    """The board asked for, every problem of the URL at once, each naming its field."""
    problems: list[DomainError] = []
    code = _param(params, "regime") or DEFAULT_REGIME
    regime: Regime | None = None
    try:
        regime = catalogue_selectors.regime_get(code=code)  # with its versions and steps
    except NotFound:
        problems.append(NotFound(AnalyticsError.UNKNOWN_REGIME, field="regime", code=code))
    count = _count(_param(params, "periods"), problems)
    end: Period | None = None
    if text := _param(params, "period"):
        try:
            end = submission_selectors.period_parse(text, field="period")
        except DomainError as error:
            problems.append(error)
    unit_code = _param(params, "unit")
    unit = Unit.objects.filter(code=unit_code).first() if unit_code else default_unit(user)
    if unit is None:
        problems.append(NotFound(DashboardError.UNKNOWN_UNIT, field="unit", code=unit_code))
    if problems:
        # One unknown code is "not found" (404); anything else is a bad request.
        raise problems[0] if len(problems) == 1 else Rejected(problems)
    assert regime is not None and unit is not None
    frequency = _frequency(regime)
    if end is None:
        end = _default_end(regime, frequency)
    elif frequency is not PeriodType.RANGE and end.type is not frequency:
        try:
            catalogue_selectors.regime_period(regime=regime, period=end)
        except DomainError as error:
            raise DomainError(error.error, field="period", **error.args_dict) from None
    return Question(regime, end, count, _periods(regime, end, count, frequency), unit)


def _count(text: str, problems: list[DomainError]) -> int:
    if not text.strip():
        return DEFAULT_PERIODS
    try:
        count = int(text)
    except ValueError:
        count = 0
    if not 1 <= count <= MAX_PERIODS:
        problems.append(
            DomainError(
                DashboardError.BAD_PERIOD_COUNT,
                field="periods",
                maximum=MAX_PERIODS,
                value=text[:MAX_PARAM],
            )
        )
    return count


def _frequency(regime: Regime) -> PeriodType:
    """The frequency of the version in force today, else of the latest version."""
    today = org_selectors.today()
    versions = sorted(regime.versions.all(), key=lambda version: version.valid_from)
    current = next(
        (v for v in versions if v.is_valid_on(today)), versions[-1] if versions else None
    )
    return PeriodType(current.frequency) if current is not None else PeriodType.MONTH


def _listed(regime: Regime) -> list[Period]:
    """The periods of a regime that lists them (ad-hoc reports over a date range)."""
    return sorted(
        {
            submission_selectors.period_parse(code)
            for version in regime.versions.all()
            for code in version.periods
        }
    )


def _default_end(regime: Regime, frequency: PeriodType) -> Period:
    """The last period ended: leaders look at closed periods."""
    today = org_selectors.today()
    if frequency is PeriodType.RANGE:
        listed = _listed(regime)
        ended = [period for period in listed if period.end < today]
        return ended[-1] if ended else listed[0]
    return last_ended(frequency, today)


def _periods(regime: Regime, end: Period, count: int, frequency: PeriodType) -> list[Period]:
    """`count` periods ending with `end`, oldest first, without those before the regime
    existed (a board of six months of a regime begun four months ago shows four)."""
    if frequency is PeriodType.RANGE:
        return [period for period in _listed(regime) if period <= end][-count:] or [end]
    periods = [end.previous(n) for n in range(count - 1, -1, -1)]
    kept = [p for p in periods if catalogue_selectors.version_for_period(regime, p) is not None]
    # None left: let the selector say why the regime has no such period.
    return kept or [end]


def _board(question: Question, user: Any) -> Board:
    """The units below the question's unit; the unit itself when nothing is below it that
    owes (a commune's officer sees their own reports)."""
    options: dict[str, Any] = {
        "regime": question.regime.code,
        "periods": [period.code for period in question.periods],
        "user": user,
    }
    board = completeness.reporting_board(children_of=question.unit.code, **options)
    if not board.rows:
        board = completeness.reporting_board(units=[question.unit.code], **options)
    return board


def _row_view(row: BoardRow, question: Question, page_url: str) -> dict[str, Any]:
    latest = row.cells[-1] if row.cells else None
    return {
        "row": row,
        "cells": [_cell_view(cell) for cell in row.cells],
        # Units missing in the latest period can be reminded.
        "remindable": latest is not None and latest.not_sent,
        # A unit with units below opens its own board.
        "drill": f"{page_url}?{question.query(unit=row.unit)}" if row.units_below else "",
    }


def _cell_view(cell: BoardCell) -> dict[str, Any]:
    look = LOOKS[cell.status]
    return {
        "cell": cell,
        "label": CellStatus(cell.status).label,
        "look": look,
        "title": _cell_title(cell),
        "url": _report_url(cell),
        "days": cell.days_late if cell.days_late and cell.owed else "",
    }


def _cell_title(cell: BoardCell) -> str:
    """The cell's tooltip: its status, deadline and days late, in the user's language."""
    parts = [str(CellStatus(cell.status).label)]
    if cell.deadline is not None:
        parts.append(gettext("deadline %(day)s") % {"day": day_label(cell.deadline)})
    if cell.days_late and cell.received:
        parts.append(gettext("sent %(days)s day(s) late") % {"days": cell.days_late})
    elif cell.days_late and cell.owed:
        parts.append(gettext("%(days)s day(s) overdue") % {"days": cell.days_late})
    return " · ".join(parts)


def _report_url(cell: BoardCell) -> str:
    """The report's page: its review for one sent at least once, else its entry page."""
    if cell.report_id is None:
        return ""
    if cell.received or cell.status == CellStatus.RETURNED:
        return reverse("submissions:report-review", args=[cell.report_id])
    return reverse("submissions:report-entry", args=[cell.report_id])


def _choices(question: Question, user: Any) -> dict[str, Any]:
    """The options of the filters: regimes someone owes, recent periods, units to start at."""
    regimes = list(
        Regime.objects.filter(versions__steps__isnull=False)
        .distinct()
        .order_by("code")
        .values_list("code", "name")
    )
    frequency = _frequency(question.regime)
    if frequency is PeriodType.RANGE:
        offered = list(reversed(_listed(question.regime)))
    else:
        current = period_of(frequency, org_selectors.today())
        offered = [current.previous(n) for n in range(PERIODS_OFFERED)]
    if question.end not in offered:
        offered.insert(0, question.end)
    units: list[tuple[str, str]] = []
    if scope.sees_everything(user):
        government = Unit.objects.get(code=GOVERNMENT)
        provinces = (
            org_selectors.unit_children(unit=government, on=org_selectors.today())
            .filter(unit__level=Level.PROVINCE)
            .order_by("name")
        )
        units = [(government.code, gettext("The whole country"))]
        units += [(version.unit.code, version.name) for version in provinces]
    elif getattr(user, "unit", None) is not None:
        units = [(user.unit.code, org_selectors.unit_name_as_of(unit=user.unit))]
    if question.unit.code not in {code for code, _name in units}:
        units.append((question.unit.code, org_selectors.unit_name_as_of(unit=question.unit)))
    return {
        "regimes": regimes,
        "periods": [(period.code, period_code_label(period.code)) for period in offered],
        "units": units,
    }


def _breadcrumbs(unit: Unit, user: Any) -> list[tuple[str, str]]:
    """The units above the board's unit that the user may open a board on, top first."""
    chain = org_selectors.unit_ancestors(unit=unit, on=org_selectors.today())
    own = getattr(user, "unit_id", None)
    crumbs: list[tuple[str, str]] = []
    for at in chain:  # nearest first
        crumbs.append((at.version.name, at.unit.code))
        if not scope.sees_everything(user) and at.unit.pk == own:
            break
    else:
        if not scope.sees_everything(user):
            crumbs = []  # the user's unit is the board's unit: nothing above to open
    return list(reversed(crumbs))


# Downloads --------------------------------------------------------------------------------------


def _table(board: Board) -> tuple[list[str], list[list[Any]]]:
    """The board as a table: a unit per row, for each period its status, days late and
    deadline (dd/mm/yyyy), as the page shows them."""
    headers = [
        gettext("Unit code"),
        gettext("Unit"),
        gettext("Shown under (code)"),
        gettext("Shown under"),
    ]
    for period in board.periods:
        headers += [
            f"{period.label} – {gettext('status')}",
            f"{period.label} – {gettext('days late')}",
            f"{period.label} – {gettext('deadline')}",
        ]
    rows: list[list[Any]] = []
    for row in board.rows:
        line: list[Any] = [row.unit, row.unit_name, row.parent, row.parent_name]
        for cell in row.cells:
            line += [
                str(CellStatus(cell.status).label),
                cell.days_late if cell.owed else "",
                day_label(cell.deadline) if cell.deadline else "",
            ]
        rows.append(line)
    return headers, rows


def _totals_table(board: Board) -> tuple[list[str], list[list[Any]]]:
    headers = [
        gettext("Period"),
        gettext("Expected"),
        gettext("Received"),
        gettext("Accepted"),
        gettext("On time"),
        gettext("Late"),
        gettext("Missing"),
        gettext("Missing, overdue"),
    ]
    rows = [
        [
            totals.period_label,
            totals.expected,
            totals.received,
            totals.accepted,
            totals.on_time,
            totals.late,
            totals.missing,
            totals.missing_overdue,
        ]
        for totals in board.totals
    ]
    return headers, rows


def _csv(board: Board, filename: str) -> HttpResponse:
    headers, rows = _table(board)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    # A byte-order mark so that Excel opens the Vietnamese text as UTF-8.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx(board: Board, filename: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext("Reporting board")[:31]
    headers, rows = _table(board)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row, line in zip(board.rows, rows, strict=True):
        sheet.append(line)
        for index, board_cell in enumerate(row.cells):
            fill = FILLS[LOOKS[board_cell.status].tone]
            sheet.cell(row=sheet.max_row, column=5 + 3 * index).fill = PatternFill(
                "solid", start_color=fill, end_color=fill
            )
    sheet.freeze_panes = "C2"
    _widths(sheet, headers, rows)
    totals = book.create_sheet(gettext("Totals")[:31])
    total_headers, total_rows = _totals_table(board)
    totals.append(total_headers)
    for cell in totals[1]:
        cell.font = Font(bold=True)
    for line in total_rows:
        totals.append(line)
    _widths(totals, total_headers, total_rows)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _widths(sheet: Any, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    widths = [len(str(header)) for header in headers]
    for line in rows:
        for index, value in enumerate(line):
            widths[index] = max(widths[index], len(str(value)))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(
            50, max(8, width + 2)
        )


# Reminders --------------------------------------------------------------------------------------


@login_required
@require_POST
def reporting_remind(request: HttpRequest) -> HttpResponse:
    """POST `regime`, `period`, `units` (repeats), `message`, `next`: remind the units
    chosen on the board, then go back to it with what was done. Refused units (outside the
    user's scope, or whose receiver is not the user's unit or below) refuse it all (403)."""
    post = request.POST
    regime = _param(post, "regime")
    period = _param(post, "period")
    units = [_clean(code) for code in post.getlist("units")]
    back = post.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = (
            reverse("dashboards:reporting-board")
            + "?"
            + urlencode({"regime": regime, "period": period})
        )
    try:
        summary = submission_services.reminders_send(
            regime=regime,
            period=period,
            unit_codes=units[: submission_services.MAX_REMINDER_UNITS + 1],
            message=post.get("message", "").replace("\x00", "")[
                : submission_services.MAX_REMINDER_MESSAGE + 1
            ],
            actor=request.user,
        )
    except SubmissionDenied as error:
        return problem(request, error)
    except DomainError as error:
        problems = error.problems if isinstance(error, Rejected) else [error]
        for item in problems:
            messages.error(request, item.message)
        return HttpResponseRedirect(back)
    if summary.reminded:
        messages.success(
            request,
            gettext("%(count)s unit(s) reminded: %(units)s; %(emails)s email(s) sent.")
            % {
                "count": len(summary.reminded),
                "units": ", ".join(summary.reminded),
                "emails": summary.emails,
            },
        )
    else:
        messages.warning(request, gettext("No unit was reminded."))
    if summary.skipped:
        messages.info(
            request,
            gettext(
                "Skipped: %(sent)s already sent, %(recent)s reminded less than an hour ago,"
                " %(not_owed)s owing no such report."
            )
            % {
                "sent": len(summary.already_sent),
                "recent": len(summary.recently_reminded),
                "not_owed": len(summary.not_owed),
            },
        )
    if summary.without_recipients:
        messages.warning(
            request,
            gettext(
                "Nobody to email at %(units)s (no active reporting officer with an email"
                " address): the reminder shows on their reports page only."
            )
            % {"units": ", ".join(summary.without_recipients)},
        )
    return HttpResponseRedirect(back)
