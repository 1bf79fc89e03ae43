from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    """Reports as units fill, sign, submit and review them; the data values they carry."""

    name = "baocao.submissions"
    verbose_name = _("Reports")
