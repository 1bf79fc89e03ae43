"""Indicators: what is measured, how it is typed and how it aggregates."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from baocao.catalogue.choices import AGGREGATIONS_BY_VALUE_TYPE, AggregationType, ValueType
from baocao.catalogue.errors import CatalogueError
from baocao.catalogue.formulas import FormulaError, formula_parse
from baocao.catalogue.models.common import Named, code_field
from baocao.catalogue.models.dimension import Dimension
from baocao.catalogue.models.sector import Sector

MAX_DECIMALS = 6


class Indicator(Named):
    """A quantity or fact a unit reports for a period, optionally broken down by dimensions.

    An indicator with a `formula` is derived: it is never entered, it is computed from
    other indicators after aggregation (a rate is the ratio of the aggregated numerator and
    denominator, never the average of unit rates). See `baocao.catalogue.formulas`.
    """

    code = code_field(unique=True)
    description = models.TextField(_("description"), blank=True)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=100, blank=True)
    value_type = models.CharField(_("value type"), max_length=16, choices=ValueType.choices)
    aggregation = models.CharField(
        _("aggregation type"), max_length=24, choices=AggregationType.choices
    )
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=0)
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="indicators"
    )
    legal_source = models.CharField(_("legal source"), max_length=500, blank=True)
    # The 4-digit code of the national statistical indicator system (Statistics Law track),
    # kept as a link only: the two catalogues stay separate (DESIGN.md).
    statistical_code = models.CharField(
        _("national statistical indicator code"), max_length=16, blank=True
    )
    formula = models.CharField(_("formula"), max_length=1000, blank=True)
    illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("An example, not taken from a cited legal text."),
    )
    dimensions: models.ManyToManyField[Dimension, IndicatorDimension] = models.ManyToManyField(
        Dimension,
        verbose_name=_("disaggregation dimensions"),
        through="IndicatorDimension",
        related_name="indicators",
        blank=True,
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decimals__lte=MAX_DECIMALS),
                name="cat_indicator_decimals_range",
                violation_error_message=_("An indicator has at most 6 decimals."),
            ),
            models.CheckConstraint(
                condition=Q(value_type__in=ValueType.values),
                name="cat_indicator_value_type_valid",
                violation_error_message=_("Unknown value type."),
            ),
            models.CheckConstraint(
                condition=Q(aggregation__in=AggregationType.values),
                name="cat_indicator_aggregation_valid",
                violation_error_message=_("Unknown aggregation type."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def is_derived(self) -> bool:
        return bool(self.formula)

    def clean(self) -> None:
        # What `catalogue load` checks for a whole file, checked here for one admin edit.
        errors: dict[str, str] = {}
        if self.aggregation not in AGGREGATIONS_BY_VALUE_TYPE.get(self.value_type, ()):
            errors["aggregation"] = CatalogueError.AGGREGATION_NOT_FOR_TYPE.render(
                {"value_type": self.value_type, "aggregation": self.aggregation}
            )
        if self.formula:
            try:
                formula = formula_parse(self.formula)
            except FormulaError as error:
                errors["formula"] = CatalogueError.FORMULA_INVALID.render(
                    {"position": error.position or 1, "reason": error.reason}
                )
            else:
                known = set(
                    Indicator.objects.filter(code__in=formula.references).values_list(
                        "code", flat=True
                    )
                )
                missing = [code for code in formula.references if code not in known]
                if self.code in formula.references:
                    errors["formula"] = CatalogueError.FORMULA_CYCLE.render(
                        {"path": f"{self.code} → {self.code}"}
                    )
                elif missing:
                    errors["formula"] = CatalogueError.UNKNOWN_REFERENCE.render(
                        {"kind": "indicator", "code": ", ".join(missing)}
                    )
        if errors:
            raise ValidationError(errors)


class IndicatorDimension(models.Model):
    """A dimension an indicator is broken down by, in display order."""

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="dimension_links",
    )
    dimension = models.ForeignKey(
        Dimension, verbose_name=_("dimension"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator dimension")
        verbose_name_plural = _("indicator dimensions")
        ordering = ["indicator__code", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "dimension"],
                name="cat_indicator_dimension_unique",
                violation_error_message=_("This dimension is already attached to the indicator."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} × {self.dimension.code}"
