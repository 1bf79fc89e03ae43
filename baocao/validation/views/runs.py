"""Web pages of data quality: batch validation runs, their progress and violations."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from baocao.catalogue.models import ValidationRule
from baocao.core.errors import DomainError, Rejected
from baocao.organisations import selectors as org_selectors
from baocao.validation import selectors, services
from baocao.validation.choices import RunStatus
from baocao.validation.exports import outliers_csv, violations_csv
from baocao.validation.models import ValidationRun

PAGE_SIZE = 100


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"nav": "quality", **extra}


@login_required
@require_http_methods(["GET", "POST"])
def run_list(request: HttpRequest) -> HttpResponse:
    """The runs over the user's units, and a form to start one."""
    problems: list[DomainError] = []
    form = {"periods": "", "unit": "", "rules": ""}
    if request.method == "POST":
        form = {key: request.POST.get(key, "").strip()[:2000] for key in form}
        try:
            code = form["unit"]
            unit = org_selectors.unit_get(code=code) if code else None
            run = services.validation_run_create(
                periods=form["periods"].replace(",", " ").split(),
                unit=unit,
                rules=form["rules"].replace(",", " ").split(),
                actor=request.user,
            )
            services.validation_run_enqueue(run=run)
            return HttpResponseRedirect(reverse("validation:run-detail", args=[run.pk]))
        except Rejected as error:
            problems = error.problems
        except DomainError as error:
            if error.http_status == 403:
                return _error(request, error)
            problems = [error]
    runs = selectors.validation_runs(user=request.user)[:50]
    context = _context(
        request,
        runs=runs,
        form=form,
        problems=problems,
        rule_count=ValidationRule.objects.count(),
    )
    return render(request, "validation/run_list.html", context, status=400 if problems else 200)


@login_required
@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponseBase:
    """A run's progress (refreshed while it runs) and its violations, filtered."""
    try:
        run = selectors.validation_run_get(run_id=run_id, user=request.user)
    except DomainError as error:
        return _error(request, error)
    if request.GET.get("download") == "csv":
        response = StreamingHttpResponse(violations_csv(run), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="vi-pham-{run.pk}.csv"'
        return response
    if request.GET.get("download") == "outliers-csv":
        response = StreamingHttpResponse(outliers_csv(run), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="khac-thuong-{run.pk}.csv"'
        return response
    running = run.status in (RunStatus.QUEUED, RunStatus.RUNNING)
    if request.GET.get("section") == "outliers":  # htmx: the section, once the run is done
        context = _context(request, run=run, running=running, **_outliers(request, run))
        return render(request, "validation/_run_outliers.html", context)
    violations = selectors.run_violations(run)
    rule = request.GET.get("rule", "")[:64]
    if rule:
        violations = violations.filter(rule_code=rule)
    page = Paginator(violations, PAGE_SIZE).get_page(request.GET.get("page"))
    per_rule_counts: dict[str, dict[str, int]] = run.counts.get("per_rule", {})
    names = dict(ValidationRule.objects.values_list("code", "name"))
    per_rule = [
        (code, counts, names.get(code, ""))
        for code, counts in sorted(per_rule_counts.items())
        if counts.get("violated") or counts.get("not_evaluable")
    ]
    context = _context(
        request,
        run=run,
        page=page,
        names=names,
        rule=rule,
        per_rule=per_rule,
        running=running,
    )
    if request.headers.get("HX-Request"):
        return render(request, "validation/_run_progress.html", context)
    context.update(_outliers(request, run))
    return render(request, "validation/run_detail.html", context)


def _outliers(request: HttpRequest, run: ValidationRun) -> dict[str, Any]:
    """The run's outliers section: a page of them, filtered by indicator (issue 5)."""
    indicator = request.GET.get("indicator", "")[:64]
    found = selectors.run_outliers(run, indicator=indicator)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("outlier_page"))
    return {
        "outlier_page": page,
        "outlier_rows": selectors.outlier_rows(list(page.object_list)),
        "outlier_indicator": indicator,
    }


def _error(request: HttpRequest, error: DomainError) -> HttpResponse:
    context = _context(request, error=error.message, status=error.http_status)
    return render(request, "submissions/error.html", context, status=error.http_status)
