"""Web pages of data quality."""

from __future__ import annotations

from django.urls import path

from baocao.validation import views

app_name = "validation"

urlpatterns = [
    path("data-quality/runs/", views.run_list, name="run-list"),
    path("data-quality/runs/<int:run_id>/", views.run_detail, name="run-detail"),
]
