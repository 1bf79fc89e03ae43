"""The review page: a version beside the previous one and last year's, the signature
check and the receiver's decisions."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from baocao.catalogue.models import Indicator
from baocao.core.errors import DomainError, Rejected
from baocao.core.numbers import format_number
from baocao.submissions import lifecycle, notes, permissions, selectors, services
from baocao.submissions.choices import ReportAction
from baocao.submissions.errors import SubmissionDenied
from baocao.submissions.layout import ReportLayout
from baocao.submissions.models import Attachment, Report, ReportVersion
from baocao.submissions.notes import ValueNote
from baocao.submissions.views.common import (
    decimal_places,
    display_value,
    error_page,
    int_param,
    page_context,
    readable_report,
    report_header,
    request_user,
    stored_number,
    version_param,
)


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
    note: ValueNote | None = None


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
    a, b = stored_number(indicator, now), stored_number(indicator, before)
    if a is None or b is None:
        return "", ""
    change = a - b
    if change == 0:
        return "=", "same"
    places = max(decimal_places(now), decimal_places(before))
    text = format_number(change, decimals=places)
    return (f"+{text}" if change > 0 else text), ("up" if change > 0 else "down")


def _percent_change(indicator: Indicator, now: str, before: str) -> str:
    a, b = stored_number(indicator, now), stored_number(indicator, before)
    if a is None or b is None or b == 0:
        return ""
    return format_number((a - b) * 100 / abs(b), decimals=1) + " %"


def _compare_sections(
    layout: ReportLayout,
    current: Mapping[tuple[str, str], str],
    previous: Mapping[tuple[str, str], str] | None,
    last_year: Mapping[tuple[str, str], str],
    comments: Mapping[tuple[str, str], str],
    value_notes: Mapping[tuple[str, str], ValueNote],
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
                            note=value_notes.get(cell.key),
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
    user = request_user(request)
    try:
        report = readable_report(request, report_id)
        if request.method == "POST":
            return _review_post(request, report)
        if permissions.may_review(user, report):
            report = services.report_open(report=report, actor=user)
        version = version_param(request, report)
    except DomainError as error:
        return error_page(request, error, nav="inbox")
    return _review_page(request, report, version)


def _review_page(
    request: HttpRequest,
    report: Report,
    version: ReportVersion | None,
    *,
    problems: Iterable[DomainError] = (),
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    layout = selectors.layout_of(report)
    versions = list(selectors.report_versions(report))
    previous = next((v for v in versions if version and v.number == version.number - 1), None)
    last_year_report = selectors.same_period_last_year(report)
    last_year_version = (
        selectors.report_versions(last_year_report).last() if last_year_report is not None else None
    )
    current_values = selectors.version_values(version)
    # Remarks of the apps above (validation: outliers against the unit's own history).
    value_notes = notes.value_notes_for(report, current_values) if version else {}
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
        **page_context(request, "inbox"),
        **report_header(report),
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
            value_notes,
        ),
        "outlier_count": sum(1 for note in value_notes.values() if note.kind == notes.OUTLIER),
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
    user = request_user(request)
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
            days = int_param(request.POST.get("days")) or 3
            services.report_unlock(report=report, actor=user, reason=reason, days=days)
            messages.success(request, gettext("The report was unlocked."))
        else:
            return HttpResponseRedirect(reverse("submissions:report-review", args=[report.pk]))
    except DomainError as error:
        if isinstance(error, SubmissionDenied):
            return error_page(request, error, nav="inbox")
        report.refresh_from_db()
        version = selectors.report_versions(report).last()
        problems = error.problems if isinstance(error, Rejected) else [error]
        return _review_page(request, report, version, problems=problems, status=error.http_status)
    target = reverse("submissions:report-review", args=[report.pk])
    following = request.POST.get("next", "")
    if following and url_has_allowed_host_and_scheme(following, allowed_hosts={request.get_host()}):
        target = following
    return HttpResponseRedirect(target)
