"""REST API of data quality (mounted under /api/v1/)."""

from __future__ import annotations

from django.urls import path

from baocao.validation.api import discrepancies, views

urlpatterns = [
    path("validation-runs/", views.ValidationRunListView.as_view(), name="validation-runs"),
    path(
        "validation-runs/<int:pk>/",
        views.ValidationRunDetailView.as_view(),
        name="validation-run",
    ),
    path(
        "validation-runs/<int:pk>/violations/",
        views.RuleViolationListView.as_view(),
        name="validation-run-violations",
    ),
    path(
        "validation-runs/<int:pk>/outliers/",
        views.OutlierFindingListView.as_view(),
        name="validation-run-outliers",
    ),
    path("discrepancies/", discrepancies.DiscrepancyListView.as_view(), name="discrepancies"),
    path(
        "discrepancies/compare/",
        discrepancies.DiscrepancyCompareView.as_view(),
        name="discrepancies-compare",
    ),
    path(
        "discrepancies/<int:pk>/",
        discrepancies.DiscrepancyDetailView.as_view(),
        name="discrepancy",
    ),
    *(
        path(
            f"discrepancies/<int:pk>/{action}/",
            discrepancies.DiscrepancyActionView.as_view(action_name=action),
            name=f"discrepancy-{action}",
        )
        for action in ("comment", "accept", "reopen", "recheck")
    ),
    path(
        "data-quality/counts/",
        discrepancies.QualityCountsView.as_view(),
        name="data-quality-counts",
    ),
]
