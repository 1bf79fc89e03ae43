"""The reviewer's inbox: the reports addressed to their unit, filtered."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from baocao.catalogue.labels import day_label, period_code_label
from baocao.core.numbers import format_number
from baocao.submissions import selectors
from baocao.submissions.choices import ReportStatus
from baocao.submissions.views.common import (
    INBOX_PAGE_SIZE,
    page_context,
    request_user,
    status_view,
    text_param,
    unit_name,
    unit_names,
)

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
    user = request_user(request)
    params = request.GET
    regime, period, status, late = (
        text_param(params, "regime"),
        text_param(params, "period"),
        text_param(params, "status"),
        text_param(params, "late"),
    )
    queryset = selectors.inbox(
        user=user,
        regime=regime or None,
        period=period or None,
        statuses=[status] if status in ReportStatus.values else None,
        late={"yes": True, "no": False}.get(late),
    )
    page = Paginator(queryset, INBOX_PAGE_SIZE).get_page(params.get("page"))
    names = unit_names((report.unit, report.deadline) for report in page.object_list)
    rows = [
        {
            "report": report,
            "unit_name": names[(report.unit_id, report.deadline)],
            "period_label": period_code_label(report.period),
            "status": status_view(report.status),
            "deadline": day_label(report.deadline),
        }
        for report in page.object_list
    ]
    query = params.copy()
    query.pop("page", None)
    regimes = sorted(
        set(selectors.inbox(user=user).values_list("regime__code", "regime__name").distinct())
    )
    context = {
        **page_context(request, "inbox"),
        "rows": rows,
        "page": page,
        "query": query.urlencode(),
        "count": format_number(page.paginator.count),
        "regimes": regimes,
        "statuses": [(s.value, s.label) for s in INBOX_STATUSES],
        "late_choices": LATE_CHOICES,
        "filters": {"regime": regime, "period": period, "status": status, "late": late},
        "receiver_name": unit_name(user.unit),
    }
    return render(request, "submissions/inbox.html", context)
