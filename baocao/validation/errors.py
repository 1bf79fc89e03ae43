"""Why a validation request was refused (stable codes)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from baocao.core.errors import ErrorCode


class ValidationError(ErrorCode):
    NO_PERIODS = ("no_periods", _("Give at least one period."))
    TOO_MANY_PERIODS = ("too_many_periods", _("At most %(maximum)s periods in one run."))
    UNKNOWN_RULE = ("unknown_rule", _("Unknown validation rule %(code)s."))
    UNIT_OUT_OF_SCOPE = (
        "unit_out_of_scope",
        _("Unit %(unit)s is outside the units you may see."),
    )
    NOT_ALLOWED = (
        "not_allowed",
        _("Only analysts, reviewers and administrators run batch validations."),
    )
    RUN_NOT_FOUND = ("run_not_found", _("Validation run %(id)s does not exist."))
