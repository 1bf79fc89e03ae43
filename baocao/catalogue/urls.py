"""Web pages of the catalogue: indicators, forms, regimes and a unit's reporting calendar."""

from __future__ import annotations

from django.urls import path

from baocao.catalogue import views

app_name = "catalogue"

# Codes are capitals, digits, dots, dashes and underscores (models/common.py CODE_VALIDATOR).
urlpatterns = [
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("catalogue/indicators/", views.IndicatorListView.as_view(), name="indicator-list"),
    path(
        "catalogue/indicators/<str:code>/",
        views.IndicatorDetailView.as_view(),
        name="indicator-detail",
    ),
    path("catalogue/forms/", views.FormListView.as_view(), name="form-list"),
    path("catalogue/forms/<str:code>/", views.FormDetailView.as_view(), name="form-detail"),
    path("catalogue/regimes/", views.RegimeListView.as_view(), name="regime-list"),
    path("catalogue/regimes/<str:code>/", views.RegimeDetailView.as_view(), name="regime-detail"),
]
