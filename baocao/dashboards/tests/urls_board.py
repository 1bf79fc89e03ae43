"""A test URL map: the site's, with the reporting board's two routes in the dashboards
namespace as `baocao/dashboards/urls.py` is to route them (until it does)."""

from django.urls import URLResolver, include, path

from baocao import urls as site
from baocao.dashboards import urls as dashboards
from baocao.dashboards.views import board

BOARD = [
    path("direction/reporting/", board.reporting_board, name="reporting-board"),
    path("direction/reporting/remind/", board.reporting_remind, name="reporting-remind"),
]
NAMES = {"reporting-board", "reporting-remind"}

urlpatterns = [
    path(
        "",
        include(
            (
                BOARD + [p for p in dashboards.urlpatterns if getattr(p, "name", "") not in NAMES],
                "dashboards",
            )
        ),
    ),
    *[
        pattern
        for pattern in site.urlpatterns
        if not (isinstance(pattern, URLResolver) and pattern.namespace == "dashboards")
    ],
]
