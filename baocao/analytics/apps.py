from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """Aggregation over the dated hierarchy and periods, in an embedded DuckDB store.

    The only app that imports DuckDB (DESIGN.md). The transactional database stays the source
    of truth; the store is built from it and can always be rebuilt.
    """

    name = "baocao.analytics"
    verbose_name = _("Analytics")
