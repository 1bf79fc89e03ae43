from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    """The dated registry of agencies and administrative units."""

    name = "baocao.organisations"
    verbose_name = _("Organisations")
