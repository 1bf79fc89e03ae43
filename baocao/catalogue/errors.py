"""Error codes of the catalogue and of the period engine as the catalogue reports them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from baocao.core.errors import ErrorCode


class CatalogueError(ErrorCode):
    """Why a catalogue file, entry or query was rejected."""

    FILE_UNREADABLE = ("file_unreadable", _("The file cannot be read: %(reason)s."))
    FILE_NOT_YAML = ("file_not_yaml", _("The file is not valid YAML: %(reason)s."))
    NOT_A_MAPPING = (
        "not_a_mapping",
        _("A catalogue file is a mapping with the keys %(expected)s."),
    )
    NO_FILES = ("no_files", _("No catalogue files (*.yaml) found in %(path)s."))
    # Schema problems, one per pydantic error type we name; others fall back to INVALID_VALUE.
    UNKNOWN_FIELD = ("unknown_field", _("Unknown field %(name)s."))
    MISSING_FIELD = ("missing_field", _("The field %(name)s is required."))
    INVALID_CHOICE = (
        "invalid_choice",
        _("%(value)s is not allowed here; expected one of %(expected)s."),
    )
    INVALID_CODE = (
        "invalid_code",
        _("Code %(value)s may contain only capital letters, digits, dots, dashes and underscores."),
    )
    INVALID_DATE = ("invalid_date", _("%(value)s is not a date in YYYY-MM-DD form."))
    INVALID_INTEGER = ("invalid_integer", _("%(value)s is not a whole number."))
    INVALID_NUMBER = ("invalid_number", _("%(value)s is not a number."))
    INVALID_BOOLEAN = ("invalid_boolean", _("%(value)s is not true or false."))
    INVALID_TEXT = ("invalid_text", _("%(value)s is not text."))
    INVALID_LIST = ("invalid_list", _("A list is expected here."))
    INVALID_MAPPING = ("invalid_mapping", _("A mapping (key: value) is expected here."))
    TOO_SHORT = ("too_short", _("At least %(minimum)s item(s) are required here."))
    TOO_LONG = ("too_long", _("At most %(maximum)s characters are allowed here."))
    OUT_OF_RANGE = ("out_of_range", _("%(value)s is out of range (%(limits)s)."))
    INVALID_VALUE = ("invalid_value", _("Invalid value: %(reason)s."))
    # Catalogue rules.
    DUPLICATE_CODE = (
        "duplicate_code",
        _("The %(kind)s code %(code)s appears twice (also at %(other)s)."),
    )
    UNKNOWN_REFERENCE = ("unknown_reference", _("Unknown %(kind)s %(code)s."))
    AGGREGATION_NOT_FOR_TYPE = (
        "aggregation_not_for_type",
        _("An indicator of value type %(value_type)s cannot be aggregated by %(aggregation)s."),
    )
    FORMULA_INVALID = (
        "formula_invalid",
        _("The formula cannot be read at position %(position)s: %(reason)s."),
    )
    FORMULA_CYCLE = ("formula_cycle", _("The formulas refer to each other in a cycle: %(path)s."))
    DERIVED_NOT_NUMERIC = (
        "derived_not_numeric",
        _("A derived indicator is a number or a percentage, not %(value_type)s."),
    )
    DERIVED_WITH_DIMENSIONS = (
        "derived_with_dimensions",
        _("A derived indicator is computed as a total and has no disaggregation dimensions."),
    )
    COLUMN_DIMENSION_NOT_ON_INDICATOR = (
        "column_dimension_not_on_indicator",
        _(
            "Indicator %(indicator)s is not broken down by %(dimension)s, "
            "the columns of this section."
        ),
    )
    ROW_DERIVED = (
        "row_derived",
        _("Indicator %(indicator)s is derived (computed), so a form cannot ask for it."),
    )
    VERSION_OVERLAP = (
        "version_overlap",
        _("Versions starting %(first)s and %(second)s are both in force on %(date)s."),
    )
    INTERVAL_REVERSED = (
        "interval_reversed",
        _("The version ends (%(valid_to)s) before it starts (%(valid_from)s)."),
    )
    PERIODS_NOT_FOR_FREQUENCY = (
        "periods_not_for_frequency",
        _("Only regimes with frequency 'range' list their periods one by one."),
    )
    PERIODS_REQUIRED = (
        "periods_required",
        _("A regime with frequency 'range' must list its periods (e.g. 20260901-20260930)."),
    )
    REPORTERS_EMPTY = (
        "reporters_empty",
        _("A step must name who reports: levels, unit types or units."),
    )
    RECEIVER_AMBIGUOUS = (
        "receiver_ambiguous",
        _(
            "A step sends either to the reporter's unit at a level or to one unit, "
            "not both or neither."
        ),
    )
    STEP_DEADLINES_DECREASE = (
        "step_deadlines_decrease",
        _(
            "Step %(step)s is due before step %(previous)s, whose reports it compiles "
            "(period %(period)s)."
        ),
    )
    DEADLINE_RULE_FOR_RANGE = (
        "deadline_rule_for_range",
        _("A fixed day of the month cannot be used with date-range periods."),
    )
    # Period engine errors, by the engine's stable codes and arguments (baocao.periods.errors).
    PERIOD_CODE_INVALID = ("period_code_invalid", _("%(value)s is not a period code."))
    PERIOD_OUT_OF_RANGE = (
        "period_out_of_range",
        _("%(value)s: periods run from year %(min_year)s to %(max_year)s."),
    )
    PERIOD_DATE_INVALID = ("period_date_invalid", _("%(value)s names a day that does not exist."))
    PERIOD_MONTH_OUT_OF_RANGE = (
        "period_month_out_of_range",
        _("%(value)s: month %(month)s does not exist."),
    )
    PERIOD_QUARTER_OUT_OF_RANGE = (
        "period_quarter_out_of_range",
        _("%(value)s: quarter %(quarter)s does not exist."),
    )
    PERIOD_HALF_YEAR_OUT_OF_RANGE = (
        "period_half_year_out_of_range",
        _("%(value)s: half-year %(half)s does not exist."),
    )
    PERIOD_WEEK_OUT_OF_RANGE = (
        "period_week_out_of_range",
        _("%(value)s: year %(year)s has weeks 1 to %(max_week)s only."),
    )
    PERIOD_RANGE_REVERSED = (
        "period_range_reversed",
        _("%(value)s: the range ends before it starts."),
    )
    NINE_MONTHS_OUT_OF_RANGE = (
        "nine_months_out_of_range",
        _("%(day)s falls outside the first nine months of its year."),
    )
    PERIOD_TYPE_NOT_ALLOWED = (
        "period_type_not_allowed",
        _("Periods of type %(type)s cannot be used here."),
    )
    PERIOD_BOUNDS_INVALID = (
        "period_bounds_invalid",
        _("%(start)s – %(end)s is not a period of type %(type)s."),
    )
    CUTOFF_DAY_OUT_OF_RANGE = (
        "cutoff_day_out_of_range",
        _("The cutoff start day must be between %(min)s and %(max)s, not %(day)s."),
    )
    CUTOFF_DAY_MISSING = ("cutoff_day_missing", _("A shifted cutoff needs its start day (day)."))
    CUTOFF_DAY_UNEXPECTED = (
        "cutoff_day_unexpected",
        _("Only a shifted cutoff takes a start day (day)."),
    )
    DEADLINE_PARAMETER_MISSING = (
        "deadline_parameter_missing",
        _("The deadline rule %(kind)s needs %(parameter)s."),
    )
    DEADLINE_PARAMETER_OUT_OF_RANGE = (
        "deadline_parameter_out_of_range",
        _("%(parameter)s = %(value)s is out of range (%(min)s to %(max)s)."),
    )
    DEADLINE_PARAMETER_UNEXPECTED = (
        "deadline_parameter_unexpected",
        _("The deadline rule %(kind)s does not take %(parameter)s."),
    )
    DEADLINE_BEFORE_CUTOFF = (
        "deadline_before_cutoff",
        _(
            "Impossible rule: for period %(period)s the deadline (%(deadline)s) comes before "
            "the data cutoff ends (%(cutoff_end)s)."
        ),
    )
    DEADLINE_OUT_OF_RANGE = (
        "deadline_out_of_range",
        _("The deadline of period %(period)s would fall after the year 9999."),
    )
    CALENDAR_DAY_CONFLICT = (
        "calendar_day_conflict",
        _("%(day)s is listed both as a day off and as a working day."),
    )
    RULE_KIND_INVALID = (
        "rule_kind_invalid",
        _("Unknown rule %(kind)s; expected one of %(expected)s."),
    )
    PERIOD_RULE_INVALID = ("period_rule_invalid", _("Invalid period rule: %(reason)s."))
    # Queries.
    UNKNOWN_REGIME = ("unknown_regime", _("Unknown regime %(code)s."))
    PERIOD_NOT_OF_REGIME = (
        "period_not_of_regime",
        _(
            "Regime %(regime)s is reported by %(frequency)s, "
            "so %(period)s is not one of its periods."
        ),
    )
    NO_VERSION_FOR_PERIOD = (
        "no_version_for_period",
        _("Regime %(regime)s has no version in force for period %(period)s."),
    )
    RANGE_TOO_LONG = (
        "range_too_long",
        _("The date range is too long: at most %(maximum)s days."),
    )
    # Validation rules (issue 5): positions are 1-based characters of the expression.
    RULE_EXPRESSION_INVALID = (
        "rule_expression_invalid",
        _("The expression cannot be read at position %(position)s: %(reason)s."),
    )
    RULE_UNKNOWN_INDICATOR = (
        "rule_unknown_indicator",
        _("Unknown indicator %(code)s at position %(position)s."),
    )
    RULE_INDICATOR_NOT_NUMERIC = (
        "rule_indicator_not_numeric",
        _(
            "Indicator %(code)s at position %(position)s is of type %(value_type)s; "
            "a rule compares numbers."
        ),
    )
    RULE_DIMENSION_NOT_ON_INDICATOR = (
        "rule_dimension_not_on_indicator",
        _(
            "Indicator %(code)s is not broken down by %(dimension)s (position %(position)s); "
            "its dimensions are: %(expected)s."
        ),
    )
    RULE_UNKNOWN_OPTION = (
        "rule_unknown_option",
        _(
            "%(option)s is not an option of dimension %(dimension)s (position %(position)s); "
            "expected one of %(expected)s."
        ),
    )
    RULE_DIMENSION_ORDER = (
        "rule_dimension_order",
        _(
            "The dimensions of %(code)s are written in their order, each once: %(expected)s "
            "(position %(position)s)."
        ),
    )
    RULE_NO_REFERENCE = (
        "rule_no_reference",
        _(
            "The rule refers to no indicator: a comparison needs one on either side, "
            "a pair on both sides."
        ),
    )
    RULE_MESSAGE_PLACEHOLDER = (
        "rule_message_placeholder",
        _("Unknown placeholder %(name)s in the message; allowed: %(allowed)s."),
    )
    RULE_MESSAGE_INVALID = (
        "rule_message_invalid",
        _(
            "The message is not a valid template near position %(position)s: placeholders are "
            "written %(example)s and a percent sign %(escape)s."
        ),
    )

    # Reconciliation rules (issue 5, scope 5).
    RECONCILIATION_UNKNOWN_INDICATOR = (
        "reconciliation_unknown_indicator",
        _("Unknown indicator %(code)s."),
    )
    RECONCILIATION_INDICATOR_NOT_NUMERIC = (
        "reconciliation_indicator_not_numeric",
        _(
            "Indicator %(code)s is of type %(value_type)s; only indicators whose values are "
            "numbers can be reconciled."
        ),
    )
    RECONCILIATION_CHILDREN_NOT_ADDITIVE = (
        "reconciliation_children_not_additive",
        _(
            'Indicator %(code)s is aggregated as "%(aggregation)s": the values of the units '
            "below cannot be added up and compared with the unit's own figure."
        ),
    )
    RECONCILIATION_SAME_SOURCE = (
        "reconciliation_same_source",
        _(
            "Both sides come from source %(source)s: comparing a unit with itself needs two "
            "different sources."
        ),
    )
    RECONCILIATION_TOLERANCE_NEGATIVE = (
        "reconciliation_tolerance_negative",
        _("A tolerance cannot be negative (%(value)s)."),
    )
    RECONCILIATION_PERCENT_OVER_100 = (
        "reconciliation_percent_over_100",
        _("A tolerance in percent is between 0 and 100, not %(value)s."),
    )
    RECONCILIATION_TOLERANCE_DIGITS = (
        "reconciliation_tolerance_digits",
        _(
            "%(value)s has too many digits: at most %(decimals)s after the decimal point and "
            "%(digits)s in all."
        ),
    )

    # References of a known kind, so that the message names it in the reader's language
    # (UNKNOWN_REFERENCE takes the kind as an English word).
    UNKNOWN_SECTOR = ("unknown_sector", _("Unknown sector %(code)s."))
    UNKNOWN_INDICATOR = ("unknown_indicator", _("Unknown indicator %(code)s."))
    UNKNOWN_UNIT = ("unknown_unit", _("Unknown unit %(code)s."))
    UNKNOWN_DIMENSION = ("unknown_dimension", _("Unknown dimension %(code)s."))
    UNIT_CODE_QUOTES = (
        "unit_code_quotes",
        _(
            "The unit code %(value)s was read as a number: write unit codes in quotes, "
            'e.g. unit: "01".'
        ),
    )
    NUMBER_TOO_MANY_DIGITS = (
        "number_too_many_digits",
        _(
            "%(value)s has too many digits: at most %(decimals)s after the decimal point and "
            "%(digits)s in all."
        ),
    )

    # Dashboards, targets and alerts (issue 7).
    DASHBOARD_SECTOR_REQUIRED = (
        "dashboard_sector_required",
        _("A sector page (kind sector) names its sector."),
    )
    PANEL_NO_INDICATORS = (
        "panel_no_indicators",
        _('A panel "%(chart)s" shows at least one indicator.'),
    )
    PANEL_DUPLICATE_INDICATOR = (
        "panel_duplicate_indicator",
        _("Indicator %(code)s is listed twice in this panel (also in position %(other)s)."),
    )
    PANEL_INDICATOR_NOT_NUMERIC = (
        "panel_indicator_not_numeric",
        _(
            'Indicator %(code)s is of type %(value_type)s; a panel "%(chart)s" shows only '
            "indicators whose values are numbers."
        ),
    )
    PANEL_LEVEL_REQUIRED = (
        "panel_level_required",
        _(
            'A panel "%(chart)s" shows the units of one level below the page\'s unit: '
            "give their level (e.g. province or commune)."
        ),
    )
    PANEL_MAP_LEVEL = (
        "panel_map_level",
        _("The map shows provinces: its level is province, not %(level)s."),
    )
    PANEL_REGIME_REQUIRED = (
        "panel_regime_required",
        _("A completeness panel names the reporting regime whose reports it counts (regime)."),
    )
    PANEL_DISAGGREGATION_INVALID = (
        "panel_disaggregation_invalid",
        _(
            "%(value)s is not a disaggregation: write DIMENSION=OPTION (e.g. SEX=NU) for one "
            "option or DIMENSION=* for each option."
        ),
    )
    PANEL_UNKNOWN_OPTION = (
        "panel_unknown_option",
        _("%(option)s is not an option of dimension %(dimension)s; expected one of %(expected)s."),
    )
    PANEL_DIMENSION_NOT_ON_INDICATOR = (
        "panel_dimension_not_on_indicator",
        _(
            "Indicator %(code)s is not broken down by %(dimension)s, the disaggregation of "
            "this panel."
        ),
    )
    TARGET_DUPLICATE = (
        "target_duplicate",
        _(
            "The target of %(indicator)s for unit %(unit)s in period %(period)s appears twice "
            "(also at %(other)s)."
        ),
    )
    TARGET_INDICATOR_NOT_NUMERIC = (
        "target_indicator_not_numeric",
        _(
            "Indicator %(code)s is of type %(value_type)s; only indicators whose values are "
            "numbers can have a target."
        ),
    )
    ALERT_INDICATOR_NOT_NUMERIC = (
        "alert_indicator_not_numeric",
        _(
            "Indicator %(code)s is of type %(value_type)s; an alert compares numbers with its "
            "threshold."
        ),
    )


def error_for_code(code: str) -> CatalogueError:
    """The catalogue error with this stable code (the period engine's codes included)."""
    return next(
        (member for member in CatalogueError if member.code == code),
        CatalogueError.PERIOD_RULE_INVALID,
    )
