"""Why an analytics query was refused (stable codes, Vietnamese messages through gettext)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from baocao.core.errors import ErrorCode


class AnalyticsError(ErrorCode):
    NO_INDICATOR = ("no_indicator", _("Give at least one indicator."))
    UNKNOWN_INDICATOR = ("unknown_indicator", _("Unknown indicator %(code)s."))
    NOT_NUMERIC = (
        "indicator_not_numeric",
        _("Indicator %(code)s is not a number: it cannot be aggregated."),
    )
    NO_PERIOD = ("no_period", _("Give at least one period."))
    UNKNOWN_UNIT = ("unknown_unit", _("Unknown unit %(code)s."))
    UNIT_OUT_OF_SCOPE = (
        "unit_out_of_scope",
        _("Unit %(code)s is outside the units you may see."),
    )
    BAD_DISAGGREGATION = (
        "bad_disaggregation",
        _(
            "%(value)s is not a disaggregation: write DIMENSION=OPTION (SEX=NU), "
            "DIMENSION=* for every option, or leave it empty for the total."
        ),
    )
    BAD_STRUCTURE = (
        "bad_structure",
        _('The structure is "historical" or a date written YYYY-MM-DD, not %(value)s.'),
    )
    TOO_LARGE = (
        "too_large",
        _(
            "This query asks for %(cells)s values; at most %(maximum)s at once. Choose fewer "
            "indicators, units or periods."
        ),
    )
    OUT_OF_MEMORY = (
        "out_of_memory",
        _("This query needs more memory than the analytics store may use; narrow it down."),
    )
    NO_STORE = (
        "no_store",
        _("The analytics store has not been built yet: run `baocao analytics rebuild`."),
    )
    BAD_COMPARISON = (
        "bad_comparison",
        _("Comparisons are previous and last_year, not %(value)s."),
    )
    # Reporting completeness (baocao.analytics.completeness).
    NO_REGIME = ("no_regime", _("Give the reporting regime."))
    UNKNOWN_REGIME = ("unknown_regime", _("Unknown reporting regime %(code)s."))
    NO_UNIT = (
        "no_unit",
        _("Give at least one unit, or the unit whose units directly below are to be shown."),
    )
    UNKNOWN_STEP = (
        "unknown_step",
        _(
            "Regime %(regime)s has no reporting step %(step)s in period %(period)s; "
            "its steps are %(steps)s."
        ),
    )
    BAD_STEP = (
        "bad_step",
        _("The reporting step is a whole number (0 for the first), not %(value)s."),
    )
    TOO_MANY_PERIODS = (
        "too_many_periods",
        _("This asks for %(count)s periods; at most %(maximum)s at once."),
    )
    BAD_DATE = ("bad_date", _("%(value)s is not a date written YYYY-MM-DD."))
