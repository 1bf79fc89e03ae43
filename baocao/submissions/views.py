"""Web pages of reports: the officer's reports and data entry, the reviewer's inbox and review.

Views are thin: they read the request, call `baocao.submissions.services` (writes) or
`selectors` (reads) and hand the result to a template. Who may do what is decided only in
`baocao.submissions.permissions`. A `DomainError` is shown on the page with its HTTP status
(400, 403 with the Vietnamese reason, 404, 409), never as a server error; values that are
refused are shown next to their cell with the text as typed, and nothing is saved.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    QueryDict,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from baocao.accounts.models import User
from baocao.catalogue import selectors as catalogue_selectors
from baocao.catalogue.choices import NUMERIC_VALUE_TYPES, ValueType
from baocao.catalogue.labels import day_label, period_label
from baocao.catalogue.models import Indicator, NarrativeField
from baocao.core.errors import DomainError, NotFound, Rejected
from baocao.core.numbers import format_number
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit
from baocao.periods import PeriodError, parse_period
from baocao.submissions import lifecycle, permissions, selectors, services
from baocao.submissions.choices import ReportAction, ReportStatus, ValueSource
from baocao.submissions.errors import SubmissionDenied, SubmissionError
from baocao.submissions.layout import Cell, ReportLayout
from baocao.submissions.models import Attachment, Report, ReportVersion
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


# Helpers ----------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    # login_required has let only signed-in users of the project's user model in.
    return cast(User, request.user)


def _param(params: QueryDict, name: str) -> str:
    return params.get(name, "").strip()[:MAX_PARAM_LENGTH]


def _unit_name(unit: Unit | None, on: dt.date | None = None) -> str:
    if unit is None:
        return ""
    day = on or org_selectors.today()
    version = org_selectors.unit_version_on(unit=unit, on=day) or org_selectors.unit_last_version(
        unit=unit
    )
    return version.name if version else unit.code


def _base(request: HttpRequest, nav: str = "") -> dict[str, Any]:
    """What the layout needs on every page: the navigation item and the user's unit."""
    unit = _user(request).unit
    version = None
    if unit is not None:
        version = org_selectors.unit_version_on(
            unit=unit, on=org_selectors.today()
        ) or org_selectors.unit_last_version(unit=unit)
    return {"nav": nav, "user_unit": version}


def _error_page(request: HttpRequest, error: DomainError, *, nav: str = "") -> HttpResponse:
    context = {**_base(request, nav), "error": error.message, "status": error.http_status}
    return render(request, "submissions/error.html", context, status=error.http_status)


def _period_text(code: str) -> str:
    try:
        return period_label(parse_period(code))
    except PeriodError:
        return code


def _status_view(status: str) -> dict[str, str]:
    return {
        "code": status,
        "label": str(ReportStatus(status).label),
        "tone": STATUS_TONE.get(ReportStatus(status), "idle"),
    }


def _places(text: str) -> int:
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
        return format_number(number, decimals=_places(text), language=language)
    if indicator.value_type == ValueType.BOOLEAN:
        return gettext("Yes") if text == "true" else gettext("No") if text == "false" else text
    if indicator.value_type == ValueType.DATE:
        try:
            return day_label(dt.date.fromisoformat(text))
        except ValueError:
            return text
    return text


def _number(indicator: Indicator, text: str) -> Decimal | None:
    if indicator.value_type not in NUMERIC_VALUE_TYPES or not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _typed_number(text: str) -> Decimal | None:
    try:
        return parse_number(text, style="vi") if text.strip() else None
    except ValueError:
        return None


def _lock_view(report: Report) -> dict[str, Any]:
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


def _report_header(report: Report) -> dict[str, Any]:
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
        "unit_name": _unit_name(report.unit, report.deadline),
        "receiver_name": _unit_name(report.receiver, report.deadline),
        "period_label": _period_text(report.period),
        "window": (
            f"{day_label(window.start)} – {day_label(window.end)}" if window is not None else ""
        ),
        "deadline": day_label(report.deadline),
        "status": _status_view(report.status),
        "days_late": report.days_late or 0,
        "overdue": overdue,
        "lock": _lock_view(report),
    }


# My reports -------------------------------------------------------------------------------------


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
    user = _user(request)
    units = _choosable_units(user)
    code = _param(request.GET, "unit")
    unit = units[0] if units else None
    if code:
        chosen = next((item for item in units if item.code == code), None)
        if chosen is None and user.is_superuser:
            chosen = Unit.objects.filter(code=code).first()
        if chosen is None:
            return _error_page(
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
            return _error_page(request, error, nav="reports")
    context = {
        **_base(request, "reports"),
        "units": [{"unit": item, "name": _unit_name(item)} for item in units],
        "unit": unit,
        "unit_name": _unit_name(unit),
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
                receiver=_unit_name(item.receiver, item.deadline),
                status=_status_view(ReportStatus.NOT_STARTED),
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
    return sorted(rows, key=lambda row: (row.deadline, row.regime_code))


def _row_of_report(report: Report, today: dt.date) -> OwedRow:
    lock = _lock_view(report)
    header = _report_header(report)
    return OwedRow(
        regime_code=report.regime.code,
        regime_name=report.regime.name,
        period=report.period,
        period_label=header["period_label"],
        window=header["window"],
        deadline=report.deadline,
        receiver=header["receiver_name"],
        status=_status_view(report.status),
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
            regime=_param(request.GET, "regime"),
            unit=_param(request.GET, "unit"),
            period=_param(request.GET, "period"),
            actor=_user(request),
        )
    except DomainError as error:
        return _error_page(request, error, nav="reports")
    return HttpResponseRedirect(reverse("submissions:report-entry", args=[report.pk]))


# Entry page -------------------------------------------------------------------------------------


@dataclasses.dataclass
class CellView:
    """One input of the entry table."""

    id: str
    name: str
    comment_name: str
    label: str
    text: str
    comment: str
    error: str
    required: bool
    derived: bool
    value_type: str
    decimals: int

    @property
    def numeric(self) -> bool:
        return self.value_type in NUMERIC_VALUE_TYPES


@dataclasses.dataclass
class RowView:
    number: int
    label: str
    indicator: Indicator
    required: bool
    cells: list[CellView]
    total: str


@dataclasses.dataclass
class SectionView:
    code: str
    title: str
    columns: list[str]
    show_total: bool
    rows: list[RowView]


@dataclasses.dataclass
class FormView:
    code: str
    name: str
    sections: list[SectionView]


@dataclasses.dataclass
class NarrativeView:
    field: NarrativeField
    name: str
    id: str
    text: str
    error: str
    max_length: int


def _input_name(cell: Cell) -> str:
    return f"v|{cell.key[0]}|{cell.key[1]}"


def _cell_key_of(name: str) -> tuple[str, str] | None:
    kind, _sep, rest = name.partition("|")
    if kind not in ("v", "c") or "|" not in rest:
        return None
    indicator, _sep, disaggregation = rest.partition("|")
    return indicator, disaggregation


def _problem_field(problem: DomainError) -> str:
    """The input a problem is about: `v|IND|DISAGG`, `n|CODE` or "" (general)."""
    field = problem.field or ""
    if field.startswith(("v|", "c|", "n|")):
        return field
    if field.startswith("narrative."):
        return "n|" + field.removeprefix("narrative.")
    if "|" in field:  # missing_required names `IND|DISAGG`
        return "v|" + field
    return ""


def _entry_forms(
    layout: ReportLayout,
    *,
    texts: Mapping[tuple[str, str], str],
    comments: Mapping[tuple[str, str], str],
    errors: Mapping[str, str],
) -> list[FormView]:
    forms: list[FormView] = []
    counter = 0
    for form_layout in layout.forms:
        sections: list[SectionView] = []
        for section in form_layout.sections:
            rows: list[RowView] = []
            for row in section.rows:
                cells: list[CellView] = []
                total = Decimal(0)
                places = 0
                for cell in row.cells:
                    counter += 1
                    name = _input_name(cell)
                    text = texts.get(cell.key, "")
                    number = _typed_number(text) if section.show_total else None
                    if number is not None:
                        total += number
                        places = max(places, max(0, -int(number.normalize().as_tuple().exponent)))
                    cells.append(
                        CellView(
                            id=f"cell-{counter}",
                            name=name,
                            comment_name="c" + name[1:],
                            label=cell.label,
                            text=text,
                            comment=comments.get(cell.key, ""),
                            error=errors.get(name, "") or errors.get("c" + name[1:], ""),
                            required=cell.required,
                            derived=cell.indicator.is_derived,
                            value_type=cell.indicator.value_type,
                            decimals=cell.indicator.decimals,
                        )
                    )
                rows.append(
                    RowView(
                        number=row.number,
                        label=row.label,
                        indicator=row.indicator,
                        required=row.required,
                        cells=cells,
                        total=format_number(total, decimals=places, language="vi"),
                    )
                )
            sections.append(
                SectionView(
                    code=section.code,
                    title=section.title,
                    columns=[column.label for column in section.columns],
                    show_total=section.show_total,
                    rows=rows,
                )
            )
        forms.append(
            FormView(code=form_layout.form.code, name=form_layout.form.name, sections=sections)
        )
    return forms


def _stored_texts(
    report: Report, layout: ReportLayout
) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    texts: dict[tuple[str, str], str] = {}
    comments: dict[tuple[str, str], str] = {}
    for key, value in selectors.report_values(report).items():
        cell = layout.cells.get(key)
        if cell is None:
            continue
        if cell.indicator.value_type == ValueType.BOOLEAN:
            texts[key] = value.value
        else:
            texts[key] = display_value(cell.indicator, value.value, language="vi")
        comments[key] = value.comment
    return texts, comments


def _posted_texts(
    post: QueryDict,
) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str], dict[str, str]]:
    texts: dict[tuple[str, str], str] = {}
    comments: dict[tuple[str, str], str] = {}
    narratives: dict[str, str] = {}
    for name in post:
        if name.startswith("n|"):
            narratives[name[2:]] = post.get(name, "")
            continue
        key = _cell_key_of(name)
        if key is None:
            continue
        target = texts if name.startswith("v|") else comments
        target[key] = post.get(name, "")
    return texts, comments, narratives


@dataclasses.dataclass(frozen=True)
class EntryState:
    """What the entry page shows besides the stored report: typed text and problems."""

    texts: dict[tuple[str, str], str] | None = None
    comments: dict[tuple[str, str], str] | None = None
    narratives: dict[str, str] | None = None
    problems: list[DomainError] = dataclasses.field(default_factory=list)
    conflict: str = ""
    upload_problems: list[DomainError] = dataclasses.field(default_factory=list)
    # The draft was saved, but sending it was refused (required cells missing, no key).
    draft_saved: bool = False


def _entry_page(
    request: HttpRequest, report: Report, state: EntryState | None = None, *, status: int = 200
) -> HttpResponse:
    state = state or EntryState()
    user = _user(request)
    layout = selectors.layout_of(report)
    stored_texts, stored_comments = _stored_texts(report, layout)
    errors: dict[str, str] = {}
    general: list[str] = []
    summary: list[dict[str, str]] = []
    for problem in state.problems:
        field = _problem_field(problem)
        if field and field not in errors:
            errors[field] = problem.message
        if not field:
            general.append(problem.message)
    writable = permissions.may_write(user, report.unit)
    editable = (
        writable
        and lifecycle.can(status=report.status, action=ReportAction.SAVE)
        and not selectors.is_locked(report)
    )
    forms = _entry_forms(
        layout,
        texts=state.texts if state.texts is not None else stored_texts,
        comments=state.comments if state.comments is not None else stored_comments,
        errors=errors,
    )
    ids = {
        cell.name: cell.id
        for form in forms
        for s in form.sections
        for r in s.rows
        for cell in r.cells
    }
    stored_narratives = selectors.report_narratives(report)
    narratives = []
    for number, narrative in enumerate(layout.narratives, start=1):
        name = f"n|{narrative.code}"
        ids[name] = f"narrative-{number}"
        narratives.append(
            NarrativeView(
                field=narrative,
                name=name,
                id=f"narrative-{number}",
                text=(state.narratives or {}).get(
                    narrative.code, stored_narratives.get(narrative.code, "")
                ),
                error=errors.get(name, ""),
                max_length=narrative.max_length or services.MAX_NARRATIVE,
            )
        )
    for problem in state.problems:
        field = _problem_field(problem)
        if field:
            summary.append(
                {
                    "id": ids.get(field, ""),
                    "label": _field_label(layout, field),
                    "message": problem.message,
                }
            )
    sent = report.status in lifecycle.SENT
    context = {
        **_base(request, "reports"),
        **_report_header(report),
        "forms": forms,
        "narratives": narratives,
        "attachments": list(Attachment.objects.filter(report=report)),
        "editable": editable,
        "writable": writable,
        "may_recall": writable and sent,
        "may_review": permissions.may_review(user, report),
        "summary": summary,
        "general": general,
        "problem_count": len(summary) + len(general),
        "draft_saved": state.draft_saved,
        "conflict": state.conflict,
        "upload_problems": [
            {"where": problem.cell or problem.location(), "message": problem.message}
            for problem in state.upload_problems
        ],
        "idempotency_key": uuid.uuid4().hex,
        "versions": list(selectors.report_versions(report)),
        "attachment_types": ", ".join(sorted(services.ATTACHMENT_EXTENSIONS)),
        "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "submissions/entry.html", context, status=status)


def _field_label(layout: ReportLayout, field: str) -> str:
    if field.startswith("n|"):
        code = field[2:]
        return next((item.label for item in layout.narratives if item.code == code), code)
    key = _cell_key_of(field)
    cell = layout.cells.get(key) if key else None
    if cell is None:
        return field
    return f"{cell.row_number}. {cell.label}"


def _report_for(request: HttpRequest, report_id: int) -> Report:
    """The report, if the user may read it (`SubmissionDenied`, 403, otherwise)."""
    report = selectors.report_get(report_id=report_id)
    permissions.check_read(_user(request), report)
    return report


@login_required
@require_http_methods(["GET", "POST"])
def report_entry(request: HttpRequest, report_id: int) -> HttpResponse:
    """The data entry page: the report's forms for writers, read-only for others."""
    try:
        report = _report_for(request, report_id)
        if request.method == "GET":
            return _entry_page(request, report)
        return _entry_post(request, report)
    except DomainError as error:
        return _error_page(request, error, nav="reports")


def _entry_post(request: HttpRequest, report: Report) -> HttpResponse:
    action = request.POST.get("action", "save")
    user = _user(request)
    url = reverse("submissions:report-entry", args=[report.pk])
    if action == "attach":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, gettext("Choose a file to attach."))
            return HttpResponseRedirect(url + "#attachments")
        try:
            services.attachment_add(
                report=report,
                name=upload.name or "",
                content=upload.read(),
                content_type=upload.content_type or "",
                actor=user,
            )
        except SubmissionDenied:
            raise  # the page answers 403, as for every refusal of the user's rights
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, gettext("The file was attached."))
        return HttpResponseRedirect(url + "#attachments")
    if action == "detach":
        attachment = Attachment.objects.filter(
            report=report, pk=_int(request.POST.get("attachment")) or 0
        ).first()
        if attachment is not None:
            try:
                services.attachment_remove(attachment=attachment, actor=user)
            except SubmissionDenied:
                raise
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, gettext("The file was removed."))
        return HttpResponseRedirect(url + "#attachments")
    if action == "recall":
        try:
            report = services.report_recall(
                report=report, actor=user, reason=request.POST.get("reason", "")
            )
        except SubmissionDenied:
            raise  # the page answers 403, as for every refusal of the user's rights
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if report.status == ReportStatus.RECALL_REQUESTED:
                messages.info(
                    request,
                    gettext(
                        "The receiver has already opened the report: your recall request"
                        " was sent to them."
                    ),
                )
            else:
                messages.success(request, gettext("The report was recalled; it is a draft again."))
        return HttpResponseRedirect(url)
    return _save_and_maybe_submit(request, report, submit=action == "submit")


def _int(raw: object) -> int | None:
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        return None


def _save_and_maybe_submit(request: HttpRequest, report: Report, *, submit: bool) -> HttpResponse:
    user = _user(request)
    texts, comments, narratives = _posted_texts(request.POST)
    state = EntryState(texts=texts, comments=comments, narratives=narratives)
    values = [
        services.ValueInput(
            indicator=key[0],
            disaggregation=key[1],
            value=texts.get(key, ""),
            comment=comments.get(key, ""),
            where={"field": f"v|{key[0]}|{key[1]}"},
        )
        for key in sorted(set(texts) | set(comments))
    ]
    revision = _int(request.POST.get("revision"))
    try:
        report = services.report_save(
            report=report,
            values=values,
            narratives=narratives,
            revision=revision,
            channel=ValueSource.WEB,
            style="vi",
            actor=user,
        )
    except Rejected as error:
        return _entry_page(
            request, report, dataclasses.replace(state, problems=error.problems), status=400
        )
    except DomainError as error:
        if error.code == SubmissionError.STALE_REVISION.code:
            return _entry_page(
                request, report, dataclasses.replace(state, conflict=error.message), status=409
            )
        return _entry_page(
            request, report, dataclasses.replace(state, problems=[error]), status=error.http_status
        )
    url = reverse("submissions:report-entry", args=[report.pk])
    if not submit:
        messages.success(request, gettext("The draft was saved."))
        return HttpResponseRedirect(url)
    try:
        version = services.report_submit(
            report=report,
            actor=user,
            revision=report.revision,
            idempotency_key=request.POST.get("idempotency", "")[:128],
        )
    except Rejected as error:
        # The draft is kept: what was typed is not lost; the page says what is missing.
        report.refresh_from_db()
        state = EntryState(problems=error.problems, draft_saved=True)
        return _entry_page(request, report, state, status=400)
    except DomainError as error:
        report.refresh_from_db()
        state = EntryState(problems=[error], draft_saved=True)
        return _entry_page(request, report, state, status=error.http_status)
    messages.success(
        request,
        gettext("Version %(number)s was signed and sent to %(receiver)s.")
        % {"number": version.number, "receiver": _unit_name(report.receiver)},
    )
    return HttpResponseRedirect(url)


@login_required
@require_GET
def attachment_download(
    request: HttpRequest, report_id: int, attachment_id: int
) -> HttpResponseBase:
    try:
        report = _report_for(request, report_id)
    except DomainError as error:
        return _error_page(request, error)
    attachment = Attachment.objects.filter(report=report, pk=attachment_id).first()
    if attachment is None:
        return _error_page(request, NotFound(SubmissionError.REPORT_NOT_FOUND, id=report_id))
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


# Excel and print --------------------------------------------------------------------------------


def _report_file_name(report: Report, suffix: str) -> str:
    return f"{report.regime.code}_{report.unit.code}_{report.period}{suffix}"


@login_required
@require_GET
def excel_template(request: HttpRequest, report_id: int) -> HttpResponse:
    """The report's Excel template (with last period's values when `?previous=1`)."""
    from baocao.submissions import excel

    try:
        report = _report_for(request, report_id)
        data = excel.template_build(report, with_previous=request.GET.get("previous") == "1")
    except DomainError as error:
        return _error_page(request, error, nav="reports")
    response = HttpResponse(data, content_type=XLSX)
    name = _report_file_name(report, "_mau.xlsx")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def excel_upload(request: HttpRequest, report_id: int) -> HttpResponse:
    """Read a filled template and save its values as the report's draft (all or nothing)."""
    from baocao.submissions import excel

    try:
        report = _report_for(request, report_id)
    except DomainError as error:
        return _error_page(request, error, nav="reports")
    upload = request.FILES.get("workbook")
    if upload is None:
        problem = DomainError(
            SubmissionError.NOT_XLSX, field="workbook", reason=gettext("no file chosen")
        )
        return _entry_page(request, report, EntryState(upload_problems=[problem]), status=400)
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        problem = DomainError(
            SubmissionError.FILE_TOO_LARGE,
            field="workbook",
            size=upload.size,
            maximum=MAX_UPLOAD_BYTES,
        )
        return _entry_page(request, report, EntryState(upload_problems=[problem]), status=400)
    try:
        content = excel.workbook_read(report, upload.read())
        report = services.report_save(
            report=report,
            values=content.values,
            narratives=content.narratives,
            replace=True,
            channel=ValueSource.EXCEL,
            style="vi",
            actor=_user(request),
        )
    except Rejected as error:
        return _entry_page(request, report, EntryState(upload_problems=error.problems), status=400)
    except DomainError as error:
        if isinstance(error, SubmissionDenied):
            return _error_page(request, error, nav="reports")
        return _entry_page(
            request, report, EntryState(upload_problems=[error]), status=error.http_status
        )
    messages.success(request, gettext("The workbook was read and its values saved as a draft."))
    return HttpResponseRedirect(reverse("submissions:report-entry", args=[report.pk]))


def _version_param(request: HttpRequest, report: Report) -> ReportVersion | None:
    raw = _param(request.GET, "version")
    if not raw:
        return selectors.report_versions(report).last()
    number = _int(raw)
    if number is None:
        raise NotFound(SubmissionError.VERSION_NOT_FOUND, id=report.pk, number=raw)
    return selectors.version_get(report=report, number=number)


@login_required
@require_GET
def report_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    """The printable report (PDF) of a version, or of the current draft without one."""
    from baocao.submissions import printing

    try:
        report = _report_for(request, report_id)
        version = _version_param(request, report)
        data = printing.report_pdf(report, version)
    except DomainError as error:
        return _error_page(request, error, nav="reports")
    response = HttpResponse(data, content_type="application/pdf")
    suffix = f"_v{version.number}.pdf" if version is not None else ".pdf"
    response["Content-Disposition"] = f'inline; filename="{_report_file_name(report, suffix)}"'
    return response


@login_required
@require_GET
def report_export(request: HttpRequest, report_id: int) -> HttpResponse:
    """The report's values as a workbook for reading (not a template to upload)."""
    from baocao.submissions import printing

    try:
        report = _report_for(request, report_id)
        version = _version_param(request, report)
        data = printing.report_xlsx(report, version)
    except DomainError as error:
        return _error_page(request, error, nav="reports")
    response = HttpResponse(data, content_type=XLSX)
    suffix = f"_v{version.number}.xlsx" if version is not None else ".xlsx"
    response["Content-Disposition"] = f'attachment; filename="{_report_file_name(report, suffix)}"'
    return response


# Inbox ------------------------------------------------------------------------------------------

LATE_CHOICES = (("", _("All")), ("yes", _("Late only")), ("no", _("On time only")))
INBOX_STATUSES = [
    status
    for status in ReportStatus
    if status not in (ReportStatus.NOT_STARTED, ReportStatus.DRAFT)
]


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Reports addressed to the user's unit, filtered by regime, period, status and lateness."""
    user = _user(request)
    params = request.GET
    regime, period, status, late = (
        _param(params, "regime"),
        _param(params, "period"),
        _param(params, "status"),
        _param(params, "late"),
    )
    queryset = selectors.inbox(
        user=user,
        regime=regime or None,
        period=period or None,
        statuses=[status] if status in ReportStatus.values else None,
        late={"yes": True, "no": False}.get(late),
    )
    page = Paginator(queryset, INBOX_PAGE_SIZE).get_page(params.get("page"))
    rows = [
        {
            "report": report,
            "unit_name": _unit_name(report.unit, report.deadline),
            "period_label": _period_text(report.period),
            "status": _status_view(report.status),
            "deadline": day_label(report.deadline),
        }
        for report in page.object_list
    ]
    query = params.copy()
    query.pop("page", None)
    regimes = sorted(
        {
            (r.regime.code, r.regime.name)
            for r in selectors.inbox(user=user).select_related("regime")
        }
    )
    context = {
        **_base(request, "inbox"),
        "rows": rows,
        "page": page,
        "query": query.urlencode(),
        "count": format_number(page.paginator.count),
        "regimes": regimes,
        "statuses": [(s.value, s.label) for s in INBOX_STATUSES],
        "late_choices": LATE_CHOICES,
        "filters": {"regime": regime, "period": period, "status": status, "late": late},
        "receiver_name": _unit_name(user.unit),
    }
    return render(request, "submissions/inbox.html", context)


# Review -----------------------------------------------------------------------------------------


@dataclasses.dataclass
class CompareCell:
    label: str
    current: str
    previous: str
    last_year: str
    change: str
    change_tone: str
    year_change: str
    changed: bool
    comment: str


@dataclasses.dataclass
class CompareRow:
    number: int
    label: str
    indicator: Indicator
    cells: list[CompareCell]


@dataclasses.dataclass
class CompareSection:
    code: str
    title: str
    rows: list[CompareRow]


def _difference(indicator: Indicator, now: str, before: str) -> tuple[str, str]:
    """The change from `before` to `now` as a signed number and its tone (up, down, same)."""
    a, b = _number(indicator, now), _number(indicator, before)
    if a is None or b is None:
        return "", ""
    change = a - b
    if change == 0:
        return "=", "same"
    places = max(_places(now), _places(before))
    text = format_number(change, decimals=places)
    return (f"+{text}" if change > 0 else text), ("up" if change > 0 else "down")


def _percent_change(indicator: Indicator, now: str, before: str) -> str:
    a, b = _number(indicator, now), _number(indicator, before)
    if a is None or b is None or b == 0:
        return ""
    return format_number((a - b) * 100 / abs(b), decimals=1) + " %"


def _compare_sections(
    layout: ReportLayout,
    current: Mapping[tuple[str, str], str],
    previous: Mapping[tuple[str, str], str] | None,
    last_year: Mapping[tuple[str, str], str],
    comments: Mapping[tuple[str, str], str],
) -> list[CompareSection]:
    sections: list[CompareSection] = []
    for form_layout in layout.forms:
        for section in form_layout.sections:
            rows: list[CompareRow] = []
            for row in section.rows:
                cells = []
                for cell in row.cells:
                    now = current.get(cell.key, "")
                    before = previous.get(cell.key, "") if previous is not None else ""
                    year = last_year.get(cell.key, "")
                    change, tone = (
                        _difference(cell.indicator, now, before) if previous else ("", "")
                    )
                    cells.append(
                        CompareCell(
                            label=cell.column.label if cell.column else "",
                            current=display_value(cell.indicator, now),
                            previous=display_value(cell.indicator, before),
                            last_year=display_value(cell.indicator, year),
                            change=change,
                            change_tone=tone,
                            year_change=_percent_change(cell.indicator, now, year),
                            changed=previous is not None and now != before,
                            comment=comments.get(cell.key, ""),
                        )
                    )
                rows.append(
                    CompareRow(
                        number=row.number, label=row.label, indicator=row.indicator, cells=cells
                    )
                )
            sections.append(
                CompareSection(
                    code=section.code, title=f"{form_layout.form.code} · {section.title}", rows=rows
                )
            )
    return sections


def _verification_view(version: ReportVersion) -> dict[str, Any]:
    result = selectors.version_verify(version)
    problems = {
        "digest": gettext("the stored content no longer matches its fingerprint (SHA-256)"),
        "signature": gettext("the signature does not match the content or the certificate"),
        "data": gettext("the values stored now differ from those that were signed"),
    }
    return {
        "version": version,
        "ok": result.ok,
        "data_checked": result.data_matches is not None,
        "problems": [problems.get(code, code) for code in result.problems],
        "method": version.get_signature_method_display(),
        "algorithm": version.get_signature_algorithm_display(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def report_review(request: HttpRequest, report_id: int) -> HttpResponse:
    """The receiver's review: the version side by side with the previous one and last year."""
    user = _user(request)
    try:
        report = _report_for(request, report_id)
        if request.method == "POST":
            return _review_post(request, report)
        if permissions.may_review(user, report):
            report = services.report_open(report=report, actor=user)
        version = _version_param(request, report)
    except DomainError as error:
        return _error_page(request, error, nav="inbox")
    return _review_page(request, report, version)


def _review_page(
    request: HttpRequest,
    report: Report,
    version: ReportVersion | None,
    *,
    problems: Iterable[DomainError] = (),
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    layout = selectors.layout_of(report)
    versions = list(selectors.report_versions(report))
    previous = next((v for v in versions if version and v.number == version.number - 1), None)
    last_year_report = selectors.same_period_last_year(report)
    last_year_version = (
        selectors.report_versions(last_year_report).last() if last_year_report is not None else None
    )
    current_values = selectors.version_values(version)
    comments = (
        {(item[0], item[1]): item[3] for item in version.content.get("values", []) if len(item) > 3}
        if version
        else {}
    )
    reviewer = permissions.may_review(user, report)
    narrative_labels = {field.code: field.label for field in layout.narratives}
    narrative = version.content.get("narrative", {}) if version else {}
    attachments_now = {item.sha256: item for item in Attachment.objects.filter(report=report)}
    context = {
        **_base(request, "inbox"),
        **_report_header(report),
        "version": version,
        "versions": versions,
        "previous": previous,
        "last_year_report": last_year_report,
        "last_year_version": last_year_version,
        "sections": _compare_sections(
            layout,
            current_values,
            selectors.version_values(previous) if previous else None,
            selectors.version_values(last_year_version),
            comments,
        ),
        "narratives": [
            {"label": narrative_labels.get(code, code), "text": text}
            for code, text in narrative.items()
        ],
        "attachments": [
            {
                "name": item["name"],
                "size": format_number(item["size"]),
                "sha256": item["sha256"],
                "stored": attachments_now.get(item["sha256"]),
            }
            for item in (version.content.get("attachments", []) if version else [])
        ],
        "verification": _verification_view(version) if version else None,
        "verifications": [_verification_view(item) for item in reversed(versions)],
        "transitions": list(report.transitions.all()),
        "reviewer": reviewer,
        "may_accept": reviewer and lifecycle.can(status=report.status, action=ReportAction.ACCEPT),
        "may_return": reviewer and lifecycle.can(status=report.status, action=ReportAction.RETURN),
        "may_answer_recall": reviewer
        and lifecycle.can(status=report.status, action=ReportAction.RECALL_AGREE),
        "may_unlock": reviewer and selectors.is_locked(report),
        "is_latest": version is not None and version.number == report.version_count,
        "problems": [problem.message for problem in problems],
    }
    return render(request, "submissions/review.html", context, status=status)


def _review_post(request: HttpRequest, report: Report) -> HttpResponse:
    user = _user(request)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    try:
        if action == "accept":
            services.report_accept(report=report, actor=user, reason=reason)
            messages.success(request, gettext("The report was accepted."))
        elif action == "return":
            services.report_return(report=report, actor=user, reason=reason)
            messages.success(request, gettext("The report was returned to the unit."))
        elif action in ("recall_agree", "recall_refuse"):
            services.report_recall_answer(
                report=report, actor=user, agree=action == "recall_agree", reason=reason
            )
            messages.success(request, gettext("Your answer to the recall request was recorded."))
        elif action == "unlock":
            days = _int(request.POST.get("days")) or 3
            services.report_unlock(report=report, actor=user, reason=reason, days=days)
            messages.success(request, gettext("The report was unlocked."))
        else:
            return HttpResponseRedirect(reverse("submissions:report-review", args=[report.pk]))
    except DomainError as error:
        if isinstance(error, SubmissionDenied):
            return _error_page(request, error, nav="inbox")
        report.refresh_from_db()
        version = selectors.report_versions(report).last()
        problems = error.problems if isinstance(error, Rejected) else [error]
        return _review_page(request, report, version, problems=problems, status=error.http_status)
    target = reverse("submissions:report-review", args=[report.pk])
    following = request.POST.get("next", "")
    if following and url_has_allowed_host_and_scheme(following, allowed_hosts={request.get_host()}):
        target = following
    return HttpResponseRedirect(target)
