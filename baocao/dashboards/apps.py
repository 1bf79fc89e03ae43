from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """The direction center: dashboards, the map, the reporting board and alerts."""

    name = "baocao.dashboards"
    verbose_name = _("Direction center")
