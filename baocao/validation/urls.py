"""Web pages of data quality."""

from __future__ import annotations

from django.urls import path

from baocao.validation.views import discrepancies, runs

app_name = "validation"

urlpatterns = [
    path("data-quality/runs/", runs.run_list, name="run-list"),
    path("data-quality/runs/<int:run_id>/", runs.run_detail, name="run-detail"),
    path(
        "data-quality/discrepancies/",
        discrepancies.discrepancy_list,
        name="discrepancy-list",
    ),
    path(
        "data-quality/discrepancies/<int:discrepancy_id>/",
        discrepancies.discrepancy_detail,
        name="discrepancy-detail",
    ),
    path(
        "data-quality/discrepancies/<int:discrepancy_id>/<str:action>/",
        discrepancies.discrepancy_act,
        name="discrepancy-act",
    ),
]
