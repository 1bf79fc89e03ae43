"""Web pages of reports: the officer's reports and data entry, the reviewer's inbox and review.

Views are thin: they read the request, call `baocao.submissions.services` (writes) or
`selectors` (reads) and hand the result to a template. Who may do what is decided only in
`baocao.submissions.permissions`. A `DomainError` is shown on the page with its HTTP status
(400, 403 with the Vietnamese reason, 404, 409), never as a server error; values that are
refused are shown next to their cell with the text as typed, and nothing is saved.
"""

from __future__ import annotations

from baocao.submissions.views.entry import attachment_download, report_check, report_entry
from baocao.submissions.views.files import excel_template, excel_upload, report_export, report_pdf
from baocao.submissions.views.inbox import inbox
from baocao.submissions.views.my_reports import my_reports, report_open
from baocao.submissions.views.review import report_review

__all__ = [
    "attachment_download",
    "excel_template",
    "excel_upload",
    "inbox",
    "my_reports",
    "report_check",
    "report_entry",
    "report_export",
    "report_open",
    "report_pdf",
    "report_review",
]
