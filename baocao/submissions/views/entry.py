"""The data entry page: forms as tables of inputs, narrative, attachments, save and send."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Mapping
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
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
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from baocao.catalogue.choices import NUMERIC_VALUE_TYPES, ValueType
from baocao.catalogue.models import Indicator, NarrativeField
from baocao.core.errors import DomainError, NotFound, Rejected
from baocao.core.numbers import format_number
from baocao.submissions import checks, lifecycle, permissions, selectors, services
from baocao.submissions.choices import ReportAction, ReportStatus, ValueSource
from baocao.submissions.errors import SubmissionDenied, SubmissionError
from baocao.submissions.layout import Cell, ReportLayout
from baocao.submissions.models import Attachment, Report
from baocao.submissions.values import clean_value
from baocao.submissions.views.common import (
    MAX_UPLOAD_BYTES,
    display_value,
    error_page,
    int_param,
    page_context,
    readable_report,
    report_header,
    request_user,
    typed_number,
    unit_name,
)


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
                    number = typed_number(text) if section.show_total else None
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


def entry_page(
    request: HttpRequest, report: Report, state: EntryState | None = None, *, status: int = 200
) -> HttpResponse:
    state = state or EntryState()
    user = request_user(request)
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
        **page_context(request, "reports"),
        **report_header(report),
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


@login_required
@require_http_methods(["GET", "POST"])
def report_entry(request: HttpRequest, report_id: int) -> HttpResponse:
    """The data entry page: the report's forms for writers, read-only for others."""
    try:
        report = readable_report(request, report_id)
        if request.method == "GET":
            return entry_page(request, report)
        return _entry_post(request, report)
    except DomainError as error:
        return error_page(request, error, nav="reports")


def _entry_post(request: HttpRequest, report: Report) -> HttpResponse:
    action = request.POST.get("action", "save")
    user = request_user(request)
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
            report=report, pk=int_param(request.POST.get("attachment")) or 0
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


def _save_and_maybe_submit(request: HttpRequest, report: Report, *, submit: bool) -> HttpResponse:
    user = request_user(request)
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
    revision = int_param(request.POST.get("revision"))
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
        return entry_page(
            request, report, dataclasses.replace(state, problems=error.problems), status=400
        )
    except DomainError as error:
        if error.code == SubmissionError.STALE_REVISION.code:
            return entry_page(
                request, report, dataclasses.replace(state, conflict=error.message), status=409
            )
        return entry_page(
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
        return entry_page(request, report, state, status=400)
    except DomainError as error:
        report.refresh_from_db()
        state = EntryState(problems=[error], draft_saved=True)
        return entry_page(request, report, state, status=error.http_status)
    messages.success(
        request,
        gettext("Version %(number)s was signed and sent to %(receiver)s.")
        % {"number": version.number, "receiver": unit_name(report.receiver)},
    )
    return HttpResponseRedirect(url)


@login_required
@require_GET
def attachment_download(
    request: HttpRequest, report_id: int, attachment_id: int
) -> HttpResponseBase:
    try:
        report = readable_report(request, report_id)
    except DomainError as error:
        return error_page(request, error)
    attachment = Attachment.objects.filter(report=report, pk=attachment_id).first()
    if attachment is None:
        return error_page(request, NotFound(SubmissionError.REPORT_NOT_FOUND, id=report_id))
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


@dataclasses.dataclass(frozen=True)
class FindingView:
    importance: str
    label: str
    message: str
    cells: str  # JSON list of the input names concerned, for entry.js to mark them


@login_required
@require_POST
def report_check(request: HttpRequest, report_id: int) -> HttpResponse:
    """The checks on the values now on the entry page, saved or not (htmx, as the officer types).

    Issue 5: the same engine that judges a report when it is sent judges the typed values;
    a value that is not a number yet is left to the page's own check at its cell.
    """
    try:
        report = readable_report(request, report_id)
    except DomainError as error:
        return error_page(request, error, nav="reports")
    layout = selectors.layout_of(report)
    typed, _comments, _narratives = _posted_texts(request.POST)
    texts: dict[tuple[str, str], str] = {}
    for key, text in typed.items():
        cell = layout.cells.get(key)
        if cell is None or not text.strip():
            continue
        try:
            texts[key] = clean_value(
                value_type=cell.indicator.value_type,
                decimals=cell.indicator.decimals,
                raw=text,
                style="vi",
            )
        except DomainError:
            continue
    labels = {
        checks.ERROR: gettext("Error"),
        checks.WARNING: gettext("Warning"),
        checks.NOTICE: gettext("Notice"),
    }
    findings = [
        FindingView(
            importance=finding.importance,
            label=labels.get(finding.importance, finding.importance),
            message=finding.message,
            cells=json.dumps(
                [f"v|{code}|{disaggregation}" for code, disaggregation in finding.cells]
            ),
        )
        for finding in checks.findings_for(report, texts)
    ]
    # Notices (outliers) are listed apart: they ask the officer to look again, never block.
    context = {
        "findings": [item for item in findings if item.importance != checks.NOTICE],
        "notices": [item for item in findings if item.importance == checks.NOTICE],
    }
    return render(request, "submissions/_findings.html", context)
