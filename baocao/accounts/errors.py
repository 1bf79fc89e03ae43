"""Why a change to accounts was refused (stable codes)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from baocao.core.errors import ErrorCode


class AccountError(ErrorCode):
    USERNAME_TAKEN = (
        "username_taken",
        _("User %(username)s already exists; choose another name."),
    )
    NO_TOKEN = ("no_token", _("User %(username)s has no token."))
