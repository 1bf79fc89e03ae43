"""Why a direction-center page could not be shown (stable codes, Vietnamese messages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from baocao.core.errors import ErrorCode


class DashboardError(ErrorCode):
    UNKNOWN_DASHBOARD = ("unknown_dashboard", _("There is no dashboard %(code)s."))
    UNKNOWN_SECTOR = ("unknown_sector", _("There is no sector %(code)s."))
    UNKNOWN_UNIT = ("unknown_unit", _("There is no unit %(code)s."))
    UNKNOWN_INDICATOR = ("unknown_indicator", _("There is no indicator %(code)s."))
    BAD_PERIOD_TYPE = (
        "bad_period_type",
        _("%(value)s is not a period type here: choose month, quarter, half-year or year."),
    )
    PERIOD_TYPE_MISMATCH = (
        "period_type_mismatch",
        _("Period %(period)s is not a %(type)s: choose a period of the type selected."),
    )
    FUTURE_PERIOD = (
        "future_period",
        _("Period %(period)s has not begun yet: there can be no data for it."),
    )
    BAD_STRUCTURE = (
        "bad_structure",
        _('The structure is "current" (today\'s 34 provinces) or "historical" (as reported).'),
    )
    UNIT_OUT_OF_SCOPE = (
        "unit_out_of_scope",
        _("Unit %(code)s is outside the units you may see."),
    )
    UNKNOWN_PANEL = ("unknown_panel", _("There is no panel %(panel)s on this dashboard."))
    BAD_FORMAT = ("bad_format", _("Downloads are csv or xlsx, not %(value)s."))
    BAD_PERIOD_COUNT = (
        "bad_period_count",
        _("The number of periods is a whole number from 1 to %(maximum)s, not %(value)s."),
    )
    PROVINCE_SHAPES_MISMATCH = (
        "province_shapes_mismatch",
        _(
            "The province boundaries in %(data_file)s do not match the provinces in force on "
            "%(date)s: %(problems)s."
        ),
    )
