"""REST API of data quality (mounted under /api/v1/)."""

from __future__ import annotations

from django.urls import path

from baocao.validation.api import views

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
]
