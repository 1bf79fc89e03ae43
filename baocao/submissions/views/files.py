"""Excel templates and uploads, printable PDF and Excel exports of a report.

`printing` is imported where it is used: it loads WeasyPrint and with it Pango, and a
machine without them should lose the PDF button, not every page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from baocao.core.errors import DomainError, Rejected
from baocao.submissions import excel, services
from baocao.submissions.choices import ValueSource
from baocao.submissions.errors import SubmissionDenied, SubmissionError
from baocao.submissions.models import Report
from baocao.submissions.views.common import (
    MAX_UPLOAD_BYTES,
    XLSX,
    error_page,
    readable_report,
    request_user,
    version_param,
)
from baocao.submissions.views.entry import EntryState, entry_page


def _report_file_name(report: Report, suffix: str) -> str:
    return f"{report.regime.code}_{report.unit.code}_{report.period}{suffix}"


@login_required
@require_GET
def excel_template(request: HttpRequest, report_id: int) -> HttpResponse:
    """The report's Excel template (with last period's values when `?previous=1`)."""
    try:
        report = readable_report(request, report_id)
        data = excel.template_build(report, with_previous=request.GET.get("previous") == "1")
    except DomainError as error:
        return error_page(request, error, nav="reports")
    response = HttpResponse(data, content_type=XLSX)
    name = _report_file_name(report, "_mau.xlsx")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def excel_upload(request: HttpRequest, report_id: int) -> HttpResponse:
    """Read a filled template and save its values as the report's draft (all or nothing)."""
    try:
        report = readable_report(request, report_id)
    except DomainError as error:
        return error_page(request, error, nav="reports")
    upload = request.FILES.get("workbook")
    if upload is None:
        problem = DomainError(
            SubmissionError.NOT_XLSX, field="workbook", reason=gettext("no file chosen")
        )
        return entry_page(request, report, EntryState(upload_problems=[problem]), status=400)
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        problem = DomainError(
            SubmissionError.FILE_TOO_LARGE,
            field="workbook",
            size=upload.size,
            maximum=MAX_UPLOAD_BYTES,
        )
        return entry_page(request, report, EntryState(upload_problems=[problem]), status=400)
    try:
        content = excel.workbook_read(report, upload.read())
        report = services.report_save(
            report=report,
            values=content.values,
            narratives=content.narratives,
            replace=True,
            channel=ValueSource.EXCEL,
            style="vi",
            actor=request_user(request),
        )
    except Rejected as error:
        return entry_page(request, report, EntryState(upload_problems=error.problems), status=400)
    except DomainError as error:
        if isinstance(error, SubmissionDenied):
            return error_page(request, error, nav="reports")
        return entry_page(
            request, report, EntryState(upload_problems=[error]), status=error.http_status
        )
    messages.success(request, gettext("The workbook was read and its values saved as a draft."))
    return HttpResponseRedirect(reverse("submissions:report-entry", args=[report.pk]))


@login_required
@require_GET
def report_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    """The printable report (PDF) of a version, or of the current draft without one."""
    from baocao.submissions import printing

    try:
        report = readable_report(request, report_id)
        version = version_param(request, report)
        data = printing.report_pdf(report, version)
    except DomainError as error:
        return error_page(request, error, nav="reports")
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
        report = readable_report(request, report_id)
        version = version_param(request, report)
        data = printing.report_xlsx(report, version)
    except DomainError as error:
        return error_page(request, error, nav="reports")
    response = HttpResponse(data, content_type=XLSX)
    suffix = f"_v{version.number}.xlsx" if version is not None else ".xlsx"
    response["Content-Disposition"] = f'attachment; filename="{_report_file_name(report, suffix)}"'
    return response
