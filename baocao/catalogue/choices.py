"""Choices of the catalogue: value and aggregation types, regime kinds, rule kinds.

Values are stable English words (they appear in catalogue YAML files and the API);
labels are translated.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from baocao.periods import CutoffKind, DeadlineKind, PeriodType


class ValueType(models.TextChoices):
    NUMBER = "number", _("Number")
    INTEGER = "integer", _("Integer")
    PERCENTAGE = "percentage", _("Percentage")
    BOOLEAN = "boolean", _("Yes/no")
    TEXT = "text", _("Text")
    DATE = "date", _("Date")


NUMERIC_VALUE_TYPES = frozenset({ValueType.NUMBER, ValueType.INTEGER, ValueType.PERCENTAGE})


class AggregationType(models.TextChoices):
    """How values combine up the hierarchy and over periods (the DHIS2 aggregation types)."""

    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")
    # Sum over units, then average over periods (e.g. number of beds over months).
    AVERAGE_SUM_UNITS = "average_sum_units", _("Average over periods of the sum over units")
    # Stocks (population, enterprises in operation): the last value in the period,
    # summed over units.
    LAST = "last", _("Last value in the period")
    MIN = "min", _("Minimum")
    MAX = "max", _("Maximum")
    COUNT = "count", _("Count")
    NONE = "none", _("Not aggregated")


# Aggregations that add values up over units (`last`: the stock at the period's end, summed),
# so that a unit's figure can be compared with the sum of the units below it.
ADDITIVE_OVER_UNITS = frozenset(
    {AggregationType.SUM, AggregationType.LAST, AggregationType.AVERAGE_SUM_UNITS}
)


# Aggregations that make sense for each value type; text and dates are only counted or kept.
AGGREGATIONS_BY_VALUE_TYPE: dict[str, frozenset[str]] = {
    ValueType.NUMBER: frozenset(AggregationType.values),
    ValueType.INTEGER: frozenset(AggregationType.values),
    # A percentage is a ratio: adding them up across units is meaningless.
    ValueType.PERCENTAGE: frozenset(
        {
            AggregationType.AVERAGE,
            AggregationType.LAST,
            AggregationType.MIN,
            AggregationType.MAX,
            AggregationType.COUNT,
            AggregationType.NONE,
        }
    ),
    ValueType.BOOLEAN: frozenset({AggregationType.COUNT, AggregationType.NONE}),
    ValueType.TEXT: frozenset({AggregationType.COUNT, AggregationType.NONE}),
    ValueType.DATE: frozenset(
        {AggregationType.MIN, AggregationType.MAX, AggregationType.COUNT, AggregationType.NONE}
    ),
}


class RegimeKind(models.TextChoices):
    """Decree 09/2019/NĐ-CP Art. 3: periodic, thematic and ad-hoc reports."""

    PERIODIC = "periodic", _("Periodic")
    THEMATIC = "thematic", _("Thematic")
    AD_HOC = "ad_hoc", _("Ad hoc")


class RegimeContent(models.TextChoices):
    """Decree 09/2019/NĐ-CP Art. 7: a report asks for narrative, data, or both."""

    TEXT = "text", _("Narrative only")
    DATA = "data", _("Data only")
    BOTH = "both", _("Narrative and data")


class SendingMethod(models.TextChoices):
    """Decree 09/2019/NĐ-CP Art. 11: how reports are sent."""

    SYSTEM = "system", _("Through the reporting information system")
    EDXML = "edxml", _("Electronic document exchange (edXML)")
    EMAIL = "email", _("Electronic mail")
    PAPER = "paper", _("Paper, by post or in person")


class ReceiverKind(models.TextChoices):
    """Who receives a step's reports: the reporter's ancestor at a level, or one fixed unit."""

    ANCESTOR = "ancestor", _("The reporter's unit at a higher level")
    UNIT = "unit", _("A fixed unit")


class PeriodTypeChoice(models.TextChoices):
    DAY = PeriodType.DAY.value, _("Day")
    WEEK = PeriodType.WEEK.value, _("Week")
    MONTH = PeriodType.MONTH.value, _("Month")
    QUARTER = PeriodType.QUARTER.value, _("Quarter")
    HALF_YEAR = PeriodType.HALF_YEAR.value, _("Half-year")
    NINE_MONTHS = PeriodType.NINE_MONTHS.value, _("Nine months")
    YEAR = PeriodType.YEAR.value, _("Year")
    RANGE = PeriodType.RANGE.value, _("Date range")


class CutoffKindChoice(models.TextChoices):
    DECREE_09 = CutoffKind.DECREE_09.value, _("Decree 09/2019 default (15th to 14th)")
    CALENDAR = CutoffKind.CALENDAR.value, _("Calendar period")
    SHIFTED = CutoffKind.SHIFTED.value, _("From a given day to the day before")


class DeadlineKindChoice(models.TextChoices):
    WORKING_DAYS_AFTER_CUTOFF = (
        DeadlineKind.WORKING_DAYS_AFTER_CUTOFF.value,
        _("Working days after the cutoff"),
    )
    DAYS_AFTER_CUTOFF = DeadlineKind.DAYS_AFTER_CUTOFF.value, _("Days after the cutoff")
    FIXED_DAY = DeadlineKind.FIXED_DAY.value, _("A fixed day of a month")
    FIXED_DATE = DeadlineKind.FIXED_DATE.value, _("A fixed date")


# Validation rules (issue 5) ---------------------------------------------------------------
# Values are the ones of `baocao.catalogue.expressions.OPERATORS` and `MISSING_STRATEGIES`.


class RuleOperator(models.TextChoices):
    """How a rule compares its left and right expressions.

    The pairs compare presence, not values: a compulsory pair wants both sides filled or
    both empty, an exclusive pair never both filled.
    """

    EQ = "==", _("equal to")
    NE = "!=", _("not equal to")
    LT = "<", _("less than")
    LE = "<=", _("less than or equal to")
    GT = ">", _("greater than")
    GE = ">=", _("greater than or equal to")
    COMPULSORY_PAIR = "compulsory_pair", _("must be filled in together")
    EXCLUSIVE_PAIR = "exclusive_pair", _("must not be filled in together")


PAIR_OPERATORS = frozenset({RuleOperator.COMPULSORY_PAIR, RuleOperator.EXCLUSIVE_PAIR})


class RuleImportance(models.TextChoices):
    """What a violation does to a report (issue 5: errors block, warnings need a comment)."""

    ERROR = "error", _("Error: blocks submission")
    WARNING = "warning", _("Warning: needs an explanation")


class MissingValueStrategy(models.TextChoices):
    """When a rule whose operands have no value is not evaluated (as DHIS2's rules do)."""

    SKIP_IF_ANY_MISSING = "skip_if_any_missing", _("Skip if any value is missing")
    SKIP_IF_ALL_MISSING = "skip_if_all_missing", _("Skip if all values are missing")
    NEVER_SKIP = "never_skip", _("Always evaluate")


# Reconciliation between sources (issue 5, scope 5) ----------------------------------------


class ReconciliationKind(models.TextChoices):
    """What a reconciliation rule compares with what.

    `sources`: the same unit's value from two sources (a province's report and a ministry's,
    a report and a connector feed). `children`: the sum of the values of the units directly
    below (the communes of a province) from one source with the unit's own figure from
    another (or the same) source.
    """

    SOURCES = "sources", _("The same unit from two sources")
    CHILDREN = "children", _("The sum of the units below against the unit's own figure")


class DashboardKind(models.TextChoices):
    """What a dashboard page is about (issue 7)."""

    # A unit and what is below it: the Government by default (the national overview), or the
    # unit a filter chooses. Custom pages are of this kind too.
    NATIONAL = "national", _("A unit and the units below it")
    # One of the 9 areas of QĐ 293/QĐ-TTg: its indicators over time and the provinces ranked.
    SECTOR = "sector", _("A sector")
    # The page of one province (or any unit): opened by drilling down from the map or a table.
    UNIT = "unit", _("The page of a unit")


class ChartKind(models.TextChoices):
    """How a dashboard panel shows its indicators."""

    TILES = "tiles", _("Headline tiles (value, change, target, sparkline)")
    LINE = "line", _("Time series (line)")
    BAR = "bar", _("Time series (columns)")
    RANKING = "ranking", _("Ranking of the units below")
    MAP = "map", _("Map of the provinces")
    TABLE = "table", _("Table of the units below")
    COMPLETENESS = "completeness", _("Reporting completeness")
    ALERTS = "alerts", _("Alerts")


class AlertSeverity(models.TextChoices):
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


# Operators an alert threshold may use: a value crosses the threshold.
ALERT_OPERATORS = ("<", "<=", ">", ">=")
