from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Append-only record of every write made through services."""

    name = "baocao.audit"
    verbose_name = _("Audit")
