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
    # Reconciliation between sources (issue 5, scope 5).
    UNKNOWN_RECONCILIATION_RULE = (
        "unknown_reconciliation_rule",
        _("Unknown reconciliation rule %(code)s."),
    )
    DISCREPANCY_NOT_FOUND = ("discrepancy_not_found", _("Discrepancy %(id)s does not exist."))
    TEXT_REQUIRED = ("text_required", _("Write the comment."))
    REASON_REQUIRED = (
        "reason_required",
        _("Say why: the reason is kept with the discrepancy for whoever reads it later."),
    )
    NOT_OPEN = (
        "discrepancy_not_open",
        _("This discrepancy is no longer open (%(status)s); reopen it first."),
    )
    NOT_RESOLVED = ("discrepancy_not_resolved", _("This discrepancy is still open."))
    NOT_ALLOWED_TO_RESOLVE = (
        "not_allowed_to_resolve",
        _("Only analysts, reviewers and administrators accept or reopen a discrepancy."),
    )
    NOT_ALLOWED_TO_COMPARE = (
        "not_allowed_to_compare",
        _("Only analysts, reviewers and administrators compare sources."),
    )
    TOO_MANY_CELLS = (
        "too_many_cells",
        _("Ask for at most %(maximum)s units × periods at once."),
    )
