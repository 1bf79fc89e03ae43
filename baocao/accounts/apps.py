from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Users, the unit they belong to, their roles and the scope of what they may see."""

    name = "baocao.accounts"
    verbose_name = _("Accounts")
