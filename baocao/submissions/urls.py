"""Web pages of reports: the officer's reports and data entry, the reviewer's inbox."""

from __future__ import annotations

from django.urls import path

from baocao.submissions import views

app_name = "submissions"

urlpatterns = [
    path("reports/", views.my_reports, name="my-reports"),
    path("reports/new/", views.report_open, name="report-open"),
    path("reports/<int:report_id>/", views.report_entry, name="report-entry"),
    path("reports/<int:report_id>/check/", views.report_check, name="report-check"),
    path("reports/<int:report_id>/review/", views.report_review, name="report-review"),
    path("reports/<int:report_id>/excel-template/", views.excel_template, name="excel-template"),
    path("reports/<int:report_id>/excel-upload/", views.excel_upload, name="excel-upload"),
    path("reports/<int:report_id>/pdf/", views.report_pdf, name="report-pdf"),
    path("reports/<int:report_id>/export.xlsx", views.report_export, name="report-export"),
    path(
        "reports/<int:report_id>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("inbox/", views.inbox, name="inbox"),
]
