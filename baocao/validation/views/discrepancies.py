"""Web pages of reconciliation: discrepancies between sources and their follow-up."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from baocao.accounts.choices import Role
from baocao.catalogue.labels import period_code_label
from baocao.catalogue.models import ReconciliationRule
from baocao.core.errors import DomainError, Rejected
from baocao.core.numbers import format_number
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit
from baocao.validation import selectors, services
from baocao.validation.choices import DiscrepancyStatus
from baocao.validation.exports import discrepancies_csv
from baocao.validation.models import Discrepancy

PAGE_SIZE = 100
FILTERS = ("status", "period", "unit", "rule", "source", "indicator")


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    resolver = user.is_authenticated and any(user.has_role(role) for role in services.RUNNER_ROLES)
    return {"nav": "quality", "can_resolve": resolver, "roles": Role, **extra}


@login_required
@require_http_methods(["GET", "POST"])
def discrepancy_list(request: HttpRequest) -> HttpResponseBase:
    """Discrepancies over the user's units, filtered; analysts can compare the sources again."""
    problems: list[DomainError] = []
    compare = {"periods": "", "unit": ""}
    if request.method == "POST":
        compare = {key: request.POST.get(key, "").strip()[:2000] for key in compare}
        try:
            summary = services.discrepancies_compare(
                periods=compare["periods"].replace(",", " ").split(),
                unit=_unit(compare["unit"]),
                actor=request.user,
            )
            messages.success(request, _summary_text(summary))
            return redirect("validation:discrepancy-list")
        except Rejected as error:
            problems = error.problems
        except DomainError as error:
            if error.http_status == 403:
                return _error(request, error)
            problems = [error]
    chosen = {key: request.GET.get(key, "").strip()[:64] for key in FILTERS}
    if "status" not in request.GET:
        chosen["status"] = DiscrepancyStatus.OPEN  # what needs following up
    try:
        found = selectors.discrepancies(
            user=request.user,
            status=chosen["status"],
            rule=chosen["rule"],
            unit=_unit(chosen["unit"]),
            period=chosen["period"],
            indicator=chosen["indicator"],
            source=chosen["source"],
        )
    except DomainError as error:
        problems.append(error)
        found = Discrepancy.objects.none()
    if request.GET.get("download") == "csv":
        response = StreamingHttpResponse(
            discrepancies_csv(found.iterator(chunk_size=2000)), content_type="text/csv"
        )
        response["Content-Disposition"] = 'attachment; filename="chenh-lech-nguon.csv"'
        return response
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [_row(item) for item in page]
    query = "&".join(f"{key}={value}" for key, value in chosen.items() if value)
    context = _context(
        request,
        page=page,
        rows=rows,
        chosen=chosen,
        query=query,
        statuses=DiscrepancyStatus.choices,
        rules=ReconciliationRule.objects.order_by("code"),
        compare=compare,
        problems=problems,
    )
    status = 400 if problems else 200
    return render(request, "validation/discrepancy_list.html", context, status=status)


@login_required
@require_GET
def discrepancy_detail(request: HttpRequest, discrepancy_id: int) -> HttpResponse:
    """Both values side by side, the rule's tolerance, the follow-up and what can be done."""
    try:
        discrepancy = selectors.discrepancy_get(discrepancy_id=discrepancy_id, user=request.user)
    except DomainError as error:
        return _error(request, error)
    return _detail(request, discrepancy)


@login_required
@require_POST
def discrepancy_act(request: HttpRequest, discrepancy_id: int, action: str) -> HttpResponse:
    """Comment, compare again, accept the difference or reopen; errors shown on the page."""
    try:
        discrepancy = selectors.discrepancy_get(discrepancy_id=discrepancy_id, user=request.user)
    except DomainError as error:
        return _error(request, error)
    text = request.POST.get("text", "")[:4000]
    try:
        if action == "comment":
            services.discrepancy_comment(discrepancy=discrepancy, text=text, actor=request.user)
            messages.success(request, _("Your comment was added."))
        elif action == "recheck":
            discrepancy = services.discrepancy_recheck(discrepancy=discrepancy, actor=request.user)
            if discrepancy.status == DiscrepancyStatus.CORRECTED:
                messages.success(
                    request, _("The two sources now agree: the discrepancy is closed.")
                )
            else:
                messages.info(request, _("Compared again: the two sources still disagree."))
        elif action == "accept":
            services.discrepancy_accept(discrepancy=discrepancy, reason=text, actor=request.user)
            messages.success(request, _("The difference is accepted."))
        elif action == "reopen":
            services.discrepancy_reopen(discrepancy=discrepancy, reason=text, actor=request.user)
            messages.success(request, _("The discrepancy is open again."))
        else:
            return _error(request, DomainError(services.ValidationError.NOT_ALLOWED_TO_RESOLVE))
    except DomainError as error:
        if error.http_status == 403:
            return _error(request, error)
        discrepancy.refresh_from_db()
        return _detail(request, discrepancy, problem=error, text=text, action=action)
    return redirect("validation:discrepancy-detail", discrepancy_id=discrepancy.pk)


def _detail(
    request: HttpRequest,
    discrepancy: Discrepancy,
    *,
    problem: DomainError | None = None,
    text: str = "",
    action: str = "",
) -> HttpResponse:
    values = selectors.discrepancy_values(discrepancy)
    context = _context(
        request,
        item=_row(discrepancy),
        discrepancy=discrepancy,
        rule=discrepancy.rule,
        events=selectors.discrepancy_events(discrepancy),
        left_report=getattr(values.get("left"), "report", None),
        right_report=getattr(values.get("right"), "report", None),
        problem=problem,
        text=text,
        action=action,
    )
    status = problem.http_status if problem is not None else 200
    return render(request, "validation/discrepancy_detail.html", context, status=status)


def _row(item: Discrepancy) -> dict[str, Any]:
    """What a page shows of a discrepancy: names, the period's label, numbers as Vietnamese
    write them (1.234,5), the difference signed and as a share of the right side."""
    decimals = max(item.indicator.decimals, _places(item.left_value), _places(item.right_value))
    difference = selectors.discrepancy_difference(item)
    relative = selectors.discrepancy_relative_difference(item)
    return {
        "item": item,
        "unit_name": org_selectors.unit_name_as_of(unit=item.unit),
        "period_label": period_code_label(item.period),
        "left": format_number(Decimal(item.left_value), decimals=decimals),
        "right": format_number(Decimal(item.right_value), decimals=decimals),
        "difference": ("+" if difference > 0 else "")
        + format_number(difference, decimals=decimals),
        "relative": None
        if relative is None
        else _signed(format_number(relative, decimals=1), relative) + " %",
    }


def _signed(text: str, number: Decimal) -> str:
    return f"+{text}" if number > 0 else text


def _places(text: str) -> int:
    """Decimals written in a stored value, so that 12.75 is not shown rounded as 13."""
    return len(text.partition(".")[2])


def _unit(code: str) -> Unit | None:
    return org_selectors.unit_get(code=code) if code else None


def _summary_text(summary: services.ComparisonSummary) -> str:
    return _(
        "%(compared)s figures compared: %(found)s new discrepancies, %(reopened)s reopened, "
        "%(corrected)s corrected; %(open)s still open. %(one_sided)s figures have only one "
        "source so far."
    ) % {
        "compared": summary.compared,
        "found": summary.found,
        "reopened": summary.reopened,
        "corrected": summary.corrected,
        "open": summary.still_open + summary.changed,
        "one_sided": summary.one_sided,
    }


def _error(request: HttpRequest, error: DomainError) -> HttpResponse:
    context = _context(request, error=error.message, status=error.http_status)
    return render(request, "submissions/error.html", context, status=error.http_status)
