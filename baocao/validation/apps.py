from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ValidationConfig(AppConfig):
    """Data quality: built-in checks, validation rules, outliers and reconciliation."""

    name = "baocao.validation"
    verbose_name = _("Data quality")

    def ready(self) -> None:
        # Submissions sits below validation (docs/architecture.md): it offers a hook for the
        # checks run when a report is sent, and this app plugs its engine into it.
        from baocao.submissions.checks import submit_check_register
        from baocao.submissions.notes import value_notes_register
        from baocao.validation.engine import report_findings
        from baocao.validation.selectors import report_outlier_findings, report_outlier_notes

        submit_check_register(report_findings)
        submit_check_register(report_outlier_findings)  # notices: never block (issue 5)
        value_notes_register(report_outlier_notes)  # outliers on the review page
