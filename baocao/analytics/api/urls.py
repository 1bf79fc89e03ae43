"""REST API of analytics (mounted under /api/v1/)."""

from __future__ import annotations

from django.urls import path

from baocao.analytics.api import views

urlpatterns = [
    path("analytics/", views.AnalyticsView.as_view(), name="analytics"),
    # The spelling, without the trailing slash, answers too (no redirect for clients).
    path("analytics", views.AnalyticsView.as_view()),
]

# Reporting completeness and timeliness (baocao.analytics.completeness).
from baocao.analytics.api import completeness  # noqa: E402

urlpatterns += [
    path(
        "analytics/completeness/",
        completeness.CompletenessView.as_view(),
        name="analytics-completeness",
    ),
]

# The reporting board (baocao.analytics.completeness.reporting_board, issue 7).
from baocao.analytics.api import board  # noqa: E402

urlpatterns += [
    path(
        "analytics/reporting-board/",
        board.ReportingBoardView.as_view(),
        name="analytics-reporting-board",
    ),
]
