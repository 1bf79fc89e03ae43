from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Utilities shared by every app: errors, text, request context, API plumbing."""

    name = "baocao.core"
    verbose_name = _("Core")
