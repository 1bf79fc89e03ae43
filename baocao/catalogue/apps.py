from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    """What must be reported: indicators, disaggregations, forms and reporting regimes."""

    name = "baocao.catalogue"
    verbose_name = _("Catalogue")
