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
        from baocao.validation.engine import report_findings

        submit_check_register(report_findings)
