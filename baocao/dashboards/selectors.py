"""Reading the direction center's pages: which dashboard a URL shows and its panels.

The pages themselves are catalogue data (`baocao.catalogue.models.Dashboard`); this module
picks the one a URL asks for and turns its panels into `PanelSpec`s for the builders in
`baocao.dashboards.panels`.
"""

from __future__ import annotations

import dataclasses

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from baocao.catalogue.choices import ChartKind, DashboardKind
from baocao.catalogue.models import Dashboard, DashboardPanel, DashboardPanelIndicator, Indicator
from baocao.core.errors import NotFound
from baocao.dashboards.errors import DashboardError
from baocao.dashboards.panels import PanelSpec
from baocao.organisations.choices import Level


def _dashboards():  # type: ignore[no-untyped-def]
    entries = DashboardPanelIndicator.objects.select_related("indicator").order_by("order")
    panels = DashboardPanel.objects.select_related("regime").prefetch_related(
        Prefetch("entries", queryset=entries)
    )
    return Dashboard.objects.select_related("sector").prefetch_related(
        Prefetch("panels", queryset=panels.order_by("order"))
    )


def dashboard_get(*, code: str) -> Dashboard:
    dashboard = _dashboards().filter(code=code).first()
    if dashboard is None:
        raise NotFound(DashboardError.UNKNOWN_DASHBOARD, field="dashboard", code=code)
    return dashboard


def dashboard_overview() -> Dashboard:
    """The national overview: the first national dashboard."""
    dashboard = _dashboards().filter(kind=DashboardKind.NATIONAL).first()
    if dashboard is None:
        raise NotFound(DashboardError.UNKNOWN_DASHBOARD, field="dashboard", code="-")
    return dashboard


def dashboard_of_sector(*, sector: str) -> Dashboard:
    dashboard = _dashboards().filter(kind=DashboardKind.SECTOR, sector__code=sector).first()
    if dashboard is None:
        raise NotFound(DashboardError.UNKNOWN_SECTOR, field="sector", code=sector)
    return dashboard


def dashboard_of_unit() -> Dashboard:
    """The page a unit opens on when drilled into (the first dashboard of kind unit)."""
    dashboard = _dashboards().filter(kind=DashboardKind.UNIT).first()
    if dashboard is None:
        raise NotFound(DashboardError.UNKNOWN_DASHBOARD, field="dashboard", code="-")
    return dashboard


def dashboard_of_map() -> Dashboard:
    """The map page: the national dashboard with a map and the fewest panels."""
    candidates = [
        d
        for d in _dashboards().filter(kind=DashboardKind.NATIONAL)
        if any(p.chart == ChartKind.MAP for p in d.panels.all())
    ]
    if not candidates:
        raise NotFound(DashboardError.UNKNOWN_DASHBOARD, field="dashboard", code="-")
    return min(candidates, key=lambda d: (len(d.panels.all()), d.order))


def dashboard_panels(dashboard: Dashboard, *, sector: str = "") -> list[PanelSpec]:
    """The dashboard's panels; with `sector`, only its indicators of that area (panels left
    without any are dropped, panels without indicators kept)."""
    specs = [PanelSpec.of(panel) for panel in dashboard.panels.all()]
    if not sector:
        return specs
    inside = set(Indicator.objects.filter(sector__code=sector).values_list("code", flat=True))
    kept = []
    for spec in specs:
        if not spec.codes:
            kept.append(spec)
            continue
        codes = tuple(code for code in spec.codes if code in inside)
        if codes:
            kept.append(dataclasses.replace(spec, codes=codes))
    return kept


def navigation() -> dict[str, list[Dashboard]]:
    """The menu: sector pages in the order of the sectors, and the other national pages."""
    dashboards = list(Dashboard.objects.select_related("sector").order_by("order", "code"))
    sectors = [d for d in dashboards if d.kind == DashboardKind.SECTOR]
    sectors.sort(key=lambda d: (d.sector.order if d.sector else 0, d.order))
    try:
        map_code = dashboard_of_map().code
    except NotFound:
        map_code = ""
    pages = [d for d in dashboards if d.kind == DashboardKind.NATIONAL]
    # The overview first (the menu's first link), the map page under "Map", then the others.
    return {
        "sectors": sectors,
        "pages": pages[:1] + [d for d in pages[1:] if d.code != map_code],
    }


def rotation() -> list[Dashboard]:
    """The pages the video wall turns through, in order."""
    return list(Dashboard.objects.filter(rotation=True).order_by("order", "code"))


def indicator_get(*, code: str) -> Indicator:
    indicator = Indicator.objects.select_related("sector").filter(code=code).first()
    if indicator is None:
        raise NotFound(DashboardError.UNKNOWN_INDICATOR, field="indicator", code=code)
    return indicator


def indicator_panels(indicator: Indicator) -> list[PanelSpec]:
    """The page of one indicator: its headline tile, its series, the provinces ranked and
    mapped, and a table of the units below the page's unit."""
    codes = (indicator.code,)
    return [
        PanelSpec(ChartKind.TILES, _("Latest figure"), codes, periods=13, width=1),
        PanelSpec(ChartKind.LINE, _("Over time"), codes, periods=24, width=2),
        PanelSpec(ChartKind.MAP, _("By province"), codes, level=Level.PROVINCE, width=2),
        PanelSpec(ChartKind.RANKING, _("Ranking"), codes, level=Level.PROVINCE, width=1),
        PanelSpec(ChartKind.TABLE, _("The units below"), codes, level="", width=3),
    ]
