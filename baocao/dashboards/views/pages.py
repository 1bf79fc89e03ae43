"""The direction center's pages: the overview, sectors, the map, a unit's page, an indicator's
page and the video wall; each panel also answers alone (for live updates and downloads).

A page is rendered whole on the server, its panels' figures included, so that it is usable
as soon as it arrives; charts are drawn by Plotly from the figures embedded in each panel.
When the figures change (`analytics_version`), the browser asks each panel again through
htmx and swaps it in place: no reload (issue 7, scope 5).
"""

from __future__ import annotations

import csv
import functools
import io
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from baocao.analytics import selectors as analytics
from baocao.catalogue.choices import NUMERIC_VALUE_TYPES, ChartKind
from baocao.catalogue.labels import period_code_label
from baocao.catalogue.models import Dashboard, Indicator, Sector
from baocao.core.errors import DomainError, NotFound, Rejected
from baocao.dashboards import selectors
from baocao.dashboards.errors import DashboardError
from baocao.dashboards.filters import (
    GOVERNMENT,
    PERIOD_TYPES,
    STRUCTURES,
    Filters,
    filters_parse,
    last_ended,
    unit_visible,
)
from baocao.dashboards.panels import PanelResult, PanelSpec, TilesBatch, panel_result
from baocao.organisations import selectors as org_selectors
from baocao.organisations.choices import Level
from baocao.organisations.models import Unit
from baocao.periods import PeriodType
from baocao.submissions import permissions as report_permissions
from baocao.submissions.errors import SubmissionDenied
from baocao.submissions.models import Report

# Periods offered in the period filter.
PERIODS_OFFERED = 36


class PageDenied(Exception):
    """The user may not see the unit a page is about."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit


def clear_problems(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A bad URL (unknown code, bad period, a unit outside the user's scope) answers with a
    clear page in Vietnamese naming the field, never a 500."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            return problem(request, error)
        except PageDenied as denied:
            return _denied(request, denied.unit)

    return wrapped


# Pages ----------------------------------------------------------------------------------------


@login_required
@require_GET
@clear_problems
def overview(request: HttpRequest) -> HttpResponse:
    return _dashboard_page(request, lambda: selectors.dashboard_overview())


@login_required
@require_GET
@clear_problems
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    return _dashboard_page(request, lambda: selectors.dashboard_get(code=code))


@login_required
@require_GET
@clear_problems
def sector(request: HttpRequest, code: str) -> HttpResponse:
    return _dashboard_page(request, lambda: selectors.dashboard_of_sector(sector=code))


@login_required
@require_GET
@clear_problems
def map_page(request: HttpRequest) -> HttpResponse:
    return _dashboard_page(request, selectors.dashboard_of_map)


@login_required
@require_GET
@clear_problems
def unit(request: HttpRequest, code: str) -> HttpResponse:
    return _dashboard_page(request, selectors.dashboard_of_unit, unit_code=code)


@login_required
@require_GET
@clear_problems
def indicator(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.indicator_get(code=code)
    filters = _filters(request)
    panels = selectors.indicator_panels(found)
    return _render(
        request,
        title=found.name,
        subtitle=found.description,
        filters=filters,
        panels=panels,
        panel_url=lambda index: reverse("dashboards:indicator-panel", args=[code, index]),
        page_url=reverse("dashboards:indicator", args=[code]),
        active="indicator",
        indicator=found,
    )


def _dashboard_page(request: HttpRequest, find: Any, *, unit_code: str = "") -> HttpResponse:
    board: Dashboard = find()
    filters = _filters(request, unit_code=unit_code)
    panels = selectors.dashboard_panels(board, sector=filters.sector)
    if unit_code:
        page_url = reverse("dashboards:unit", args=[unit_code])
        title = org_selectors.unit_name_as_of(unit=filters.unit, on=filters.map_day)
    else:
        page_url = request.path
        title = board.name
    return _render(
        request,
        title=title,
        subtitle=board.description if not unit_code else board.name,
        filters=filters,
        panels=panels,
        panel_url=lambda index: (
            reverse("dashboards:panel", args=[board.code, index])
            + (f"?unit={unit_code}" if unit_code else "")
        ),
        page_url=page_url,
        active=_active(board, unit_code, panels),
        dashboard=board,
        unit_page=bool(unit_code),
    )


def _active(board: Dashboard, unit_code: str, panels: list[PanelSpec]) -> str:
    if unit_code:
        return "unit"
    if board.kind == "sector":
        return f"sector:{board.sector.code if board.sector else ''}"
    if len(panels) == 1 and panels[0].chart == ChartKind.MAP:
        return "map"
    return f"page:{board.code}"


def _filters(request: HttpRequest, *, unit_code: str = "") -> Filters:
    filters = filters_parse(request.GET, user=request.user, unit_code=unit_code)
    if not unit_visible(filters.unit, request.user):
        raise PageDenied(filters.unit)
    return filters


def _render(
    request: HttpRequest,
    *,
    title: str,
    subtitle: str,
    filters: Filters,
    panels: list[PanelSpec],
    panel_url: Any,
    page_url: str,
    active: str,
    **extra: Any,
) -> HttpResponse:
    started = time.perf_counter()
    version = analytics.analytics_version()
    batch = TilesBatch(panels, filters, request.user)
    rendered = [
        _panel_context(
            request,
            spec,
            filters,
            index,
            panel_url(index),
            version,
            # Alerts read the reports and the data-quality tables as well as the figures:
            # beside other panels they arrive a moment after the page (htmx, on load).
            deferred=spec.chart == ChartKind.ALERTS and len(panels) > 1,
            batch=batch,
        )
        for index, spec in enumerate(panels)
    ]
    context = {
        "title": title,
        "subtitle": subtitle,
        "filters": filters,
        "panels": rendered,
        "page_url": page_url,
        "active": active,
        "nav": "direction",
        "menu": selectors.navigation(),
        "choices": _choices(filters),
        "breadcrumbs": _breadcrumbs(filters),
        "reports": _reports_behind(request, filters) if extra.get("unit_page") else [],
        "version": version,
        "poll_seconds": settings.DIRECTION_POLL_SECONDS,
        "screen": request.GET.get("screen") == "1",
        "rotation": _rotation(request, filters),
        "data_seconds": time.perf_counter() - started,
        **extra,
    }
    response = render(request, "dashboards/page.html", context)
    # How long the page's figures took on the server (issue 7, scope 7), for the benchmark
    # and the browser's developer tools.
    response["Server-Timing"] = f"data;dur={context['data_seconds'] * 1000:.1f}"
    return response


def _panel_context(
    request: HttpRequest,
    spec: PanelSpec,
    filters: Filters,
    index: int,
    url: str,
    version: str,
    *,
    deferred: bool = False,
    batch: TilesBatch | None = None,
) -> dict[str, Any]:
    result: PanelResult | None = None
    error = ""
    if not deferred:
        try:
            result = panel_result(spec, filters, user=request.user, version=version, batch=batch)
        except DomainError as problem_found:
            error = _messages(problem_found)
    separator = "&" if "?" in url else "?"
    query = filters.query()
    return {
        "index": index,
        "spec": spec,
        "result": result,
        "data": result.as_dict() if result else {},
        "error": error,
        "url": f"{url}{separator}{query}",
        "csv": f"{url}{separator}{query}&format=csv",
        "xlsx": f"{url}{separator}{query}&format=xlsx",
        "dom_id": f"panel-{index}",
        "deferred": deferred,
        # Alerts panels show the first twelve; the alerts page shows them all.
        "limit": f":{spec.limit}" if spec.limit else "",
    }


def _messages(error: DomainError) -> str:
    if isinstance(error, Rejected):
        return " ".join(str(p.message) for p in error.problems)
    return str(error.message)


def _choices(filters: Filters) -> dict[str, Any]:
    today = org_selectors.today()
    latest = last_ended(filters.period_type, today)
    periods = [latest.previous(n) for n in range(PERIODS_OFFERED)]
    if filters.period not in periods:
        periods.insert(0, filters.period)
    government = Unit.objects.get(code=GOVERNMENT)
    provinces = (
        org_selectors.unit_children(unit=government, on=filters.map_day)
        .filter(unit__level=Level.PROVINCE)
        .select_related("unit")
        .order_by("name")
    )
    units = [(government.code, _("The whole country"))] + [(v.unit.code, v.name) for v in provinces]
    if filters.unit.code not in {code for code, _name in units}:
        units.append(
            (
                filters.unit.code,
                org_selectors.unit_name_as_of(unit=filters.unit, on=filters.map_day),
            )
        )
    from baocao.catalogue.choices import PeriodTypeChoice

    return {
        "period_types": [(t.value, PeriodTypeChoice(t.value).label) for t in PERIOD_TYPES],
        "periods": [(p.code, period_code_label(p.code)) for p in periods],
        "units": units,
        "indicators": [
            (i.code, f"{i.code} – {i.name}")
            for i in Indicator.objects.filter(value_type__in=NUMERIC_VALUE_TYPES)
            .select_related("sector")
            .order_by("sector__order", "code")
        ],
        "sectors": [(sector.code, sector.name) for sector in Sector.objects.order_by("order")],
        "structures": [
            (STRUCTURES[0], _("Today's units (34 provinces)")),
            (STRUCTURES[1], _("As reported at the time")),
        ],
    }


def _breadcrumbs(filters: Filters) -> list[tuple[str, str]]:
    """From the country down to the page's unit, each a link to its page."""
    chain = org_selectors.unit_ancestors(unit=filters.unit, on=filters.map_day)
    crumbs = [
        (at.version.name, _unit_link(at.unit.code, filters))
        for at in reversed(chain)
        if at.unit.level != Level.GOVERNMENT
    ]
    country = reverse("dashboards:overview") + "?" + filters.query(unit="")
    return [(_("The whole country"), country), *crumbs]


def _unit_link(code: str, filters: Filters) -> str:
    return reverse("dashboards:unit", args=[code]) + "?" + filters.query(unit="")


def _reports_behind(request: HttpRequest, filters: Filters) -> list[dict[str, Any]]:
    """The unit's own reports for the page's period: where its numbers come from."""
    found = report_permissions.visible_reports(
        request.user,
        Report.objects.filter(unit=filters.unit, period__startswith=filters.period.code[:4]),
    ).select_related("regime")
    period_codes = {filters.period.code}
    if filters.period_type == PeriodType.MONTH:
        period_codes |= {filters.period.code[:4]}
    items = []
    for report in found.order_by("-period", "regime__code")[:12]:
        items.append(
            {
                "report": report,
                "period_label": period_code_label(report.period),
                "url": reverse("submissions:report-review", args=[report.pk]),
            }
        )
    return items


def _rotation(request: HttpRequest, filters: Filters) -> dict[str, Any]:
    """The next page of the video wall, and how long to stay on this one."""
    pages = selectors.rotation()
    if not pages:
        return {}
    here = request.path
    urls = [_dashboard_url(page) for page in pages]
    index = urls.index(here) if here in urls else -1
    following = pages[(index + 1) % len(pages)]
    seconds = pages[index].rotation_seconds if index >= 0 else following.rotation_seconds
    return {
        "next": _dashboard_url(following) + "?" + filters.query() + "&screen=1",
        "seconds": seconds,
    }


def _dashboard_url(board: Dashboard) -> str:
    if board.kind == "sector" and board.sector is not None:
        return reverse("dashboards:sector", args=[board.sector.code])
    return reverse("dashboards:dashboard", args=[board.code])


@login_required
@require_GET
@clear_problems
def alerts(request: HttpRequest) -> HttpResponse:
    """Every alert about the units below the chosen unit, most severe first."""
    filters = _filters(request)
    spec = PanelSpec(ChartKind.ALERTS, _("Alerts"), (), limit=0)
    return _render(
        request,
        title=_("Alerts"),
        subtitle=_(
            "Thresholds set by administrators that figures have crossed, reports overdue and "
            "open data-quality problems, for the units below the unit chosen."
        ),
        filters=filters,
        panels=[spec],
        panel_url=lambda index: reverse("dashboards:alerts-panel"),
        page_url=reverse("dashboards:alerts"),
        active="alerts",
    )


@login_required
@require_GET
@clear_problems
def alerts_panel(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    spec = PanelSpec(ChartKind.ALERTS, _("Alerts"), (), limit=0)
    return _panel_response(request, [spec], 0, filters, name="canh-bao")


@login_required
@require_GET
@clear_problems
def screen(request: HttpRequest) -> HttpResponse:
    """The video wall: the first page of the rotation, in big-screen mode."""
    from django.shortcuts import redirect

    pages = selectors.rotation()
    if not pages:
        raise NotFound(DashboardError.UNKNOWN_DASHBOARD, field="dashboard", code="rotation")
    return redirect(_dashboard_url(pages[0]) + "?screen=1")


# One panel: for live updates and downloads ------------------------------------------------------


@login_required
@require_GET
@clear_problems
def panel(request: HttpRequest, code: str, index: int) -> HttpResponse:
    board = selectors.dashboard_get(code=code)
    filters = _filters(request)
    specs = selectors.dashboard_panels(board, sector=filters.sector)
    return _panel_response(request, specs, index, filters, name=f"{code}-{index + 1}")


@login_required
@require_GET
@clear_problems
def indicator_panel(request: HttpRequest, code: str, index: int) -> HttpResponse:
    found = selectors.indicator_get(code=code)
    filters = _filters(request)
    specs = selectors.indicator_panels(found)
    return _panel_response(request, specs, index, filters, name=f"{code}-{index + 1}")


def _panel_response(
    request: HttpRequest, specs: list[PanelSpec], index: int, filters: Filters, *, name: str
) -> HttpResponse:
    if not 0 <= index < len(specs):
        raise NotFound(DashboardError.UNKNOWN_PANEL, field="panel", panel=index + 1)
    spec = specs[index]
    kind = request.GET.get("format", "html")
    if kind not in {"html", "json", "csv", "xlsx"}:
        raise DomainError(DashboardError.BAD_FORMAT, field="format", value=kind)
    if kind == "html":
        url = request.path + (f"?unit={request.GET['unit']}" if "unit" in request.GET else "")
        context = _panel_context(request, spec, filters, index, url, analytics.analytics_version())
        return render(request, "dashboards/_panel.html", {"panel": context, "filters": filters})
    result = panel_result(spec, filters, user=request.user, version=analytics.analytics_version())
    if kind == "json":
        table = {"headers": result.headers, "rows": result.rows}
        return JsonResponse(result.as_dict() | {"table": table})
    filename = f"{name}-{filters.unit.code}-{filters.period.code}"
    if kind == "csv":
        return _csv(result, filename)
    return _xlsx(result, filename, title=spec.title)


def _csv(result: PanelResult, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(result.headers)
    writer.writerows(result.rows)
    # A byte-order mark so that Excel opens the Vietnamese text as UTF-8.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx(result: PanelResult, filename: str, *, title: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31] or "baocao"
    sheet.append(result.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in result.rows:
        sheet.append(row)
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width + 2))
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


# Live -----------------------------------------------------------------------------------------


@login_required
@require_GET
@clear_problems
def version(request: HttpRequest) -> JsonResponse:
    """What the pages poll: it changes whenever a figure may have changed."""
    return JsonResponse({"version": analytics.analytics_version()})


@require_GET
def geo(request: HttpRequest, day: str) -> HttpResponse:
    """The provinces in force on `day` as GeoJSON, keyed by official unit code."""
    import datetime as dt
    import json

    from baocao.dashboards.geo import province_shapes

    try:
        on = dt.date.fromisoformat(day)
    except ValueError:
        return JsonResponse({"message": _("Not a date: %(day)s") % {"day": day}}, status=400)
    body = json.dumps(province_shapes(on=on), ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body, content_type="application/geo+json")
    response["Cache-Control"] = "max-age=86400"
    return response


# Problems -------------------------------------------------------------------------------------


def problem(request: HttpRequest, error: DomainError) -> HttpResponse:
    """A clear page in Vietnamese naming what is wrong in the URL (never a 500)."""
    status = 404 if isinstance(error, NotFound) else 400
    if isinstance(error, SubmissionDenied):
        status = 403
    problems = error.problems if isinstance(error, Rejected) else [error]
    return render(
        request,
        "dashboards/problem.html",
        {"problems": problems, "nav": "direction", "menu": selectors.navigation()},
        status=status,
    )


def _denied(request: HttpRequest, unit: Unit) -> HttpResponse:
    return problem(
        request,
        SubmissionDenied(DashboardError.UNIT_OUT_OF_SCOPE, field="unit", code=unit.code),
    )
