"""Pages of the direction center, under /direction/."""

from django.urls import path

from baocao.dashboards.views import board, pages

app_name = "dashboards"

urlpatterns = [
    path("direction/", pages.overview, name="overview"),
    path("direction/map/", pages.map_page, name="map"),
    path("direction/alerts/", pages.alerts, name="alerts"),
    path("direction/reporting/", board.reporting_board, name="reporting-board"),
    path("direction/reporting/remind/", board.reporting_remind, name="reporting-remind"),
    path("direction/alerts/panel/", pages.alerts_panel, name="alerts-panel"),
    path("direction/screen/", pages.screen, name="screen"),
    path("direction/version/", pages.version, name="version"),
    path("direction/geo/<str:day>.json", pages.geo, name="geo"),
    path("direction/pages/<str:code>/", pages.dashboard, name="dashboard"),
    path("direction/pages/<str:code>/panels/<int:index>/", pages.panel, name="panel"),
    path("direction/sectors/<str:code>/", pages.sector, name="sector"),
    path("direction/units/<str:code>/", pages.unit, name="unit"),
    path("direction/indicators/<str:code>/", pages.indicator, name="indicator"),
    path(
        "direction/indicators/<str:code>/panels/<int:index>/",
        pages.indicator_panel,
        name="indicator-panel",
    ),
]
