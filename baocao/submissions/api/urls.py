"""REST API of reports (mounted under /api/v1/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from baocao.submissions.api import views
from baocao.submissions.api.imports import ValueImportView

urlpatterns: list[URLPattern] = [
    path("reports/", views.ReportListView.as_view(), name="report-list"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report-detail"),
    path(
        "reports/<int:pk>/versions/",
        views.ReportVersionListView.as_view(),
        name="report-versions",
    ),
    path(
        "reports/<int:pk>/versions/<int:number>/",
        views.ReportVersionDetailView.as_view(),
        name="report-version",
    ),
    path(
        "reports/<int:pk>/canonical/",
        views.ReportCanonicalView.as_view(),
        name="report-canonical",
    ),
    path("reports/<int:pk>/submit/", views.ReportSubmitView.as_view(), name="report-submit"),
    path("reports/<int:pk>/recall/", views.ReportRecallView.as_view(), name="report-recall"),
    path(
        "reports/<int:pk>/recall-answer/",
        views.ReportRecallAnswerView.as_view(),
        name="report-recall-answer",
    ),
    path("reports/<int:pk>/accept/", views.ReportAcceptView.as_view(), name="report-accept"),
    path("reports/<int:pk>/return/", views.ReportReturnView.as_view(), name="report-return"),
    path("reports/<int:pk>/unlock/", views.ReportUnlockView.as_view(), name="report-unlock"),
    path("reports/<int:pk>/open/", views.ReportOpenView.as_view(), name="report-open"),
    path("reports/<int:pk>/verify/", views.ReportVerifyView.as_view(), name="report-verify"),
    path("values/import/", ValueImportView.as_view(), name="value-import"),
]
