"""Reconciliation rules: where two sources should agree on a figure (issue 5, scope 5).

The same indicator for the same unit and period often arrives twice: a commune's monthly
report and the National Public Service Portal's dossier statistics (QĐ 766/QĐ-TTg), a
province's report and a ministry's, or a province's own figure and the sum of its communes'.
A rule names the indicator, the two sides and how far apart they may be; the validation app
compares them and follows each discrepancy until it is resolved.

The tolerance is absolute, relative or both: two values agree when
|left - right| <= max(tolerance_absolute, tolerance_percent / 100 * max(|left|, |right|)).
A zero tolerance asks for equality, which suits counts taken from the same dossiers; a few
percent suits figures estimated separately.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from baocao.catalogue.choices import (
    ADDITIVE_OVER_UNITS,
    NUMERIC_VALUE_TYPES,
    AggregationType,
    PeriodTypeChoice,
    ReconciliationKind,
)
from baocao.catalogue.errors import CatalogueError
from baocao.catalogue.models.common import Named, code_field
from baocao.catalogue.models.indicator import Indicator
from baocao.catalogue.models.sector import Sector
from baocao.organisations.choices import Level

SOURCE_HELP = _(
    "A regime code for the values its reports carry (BC-DVC-THANG), or the source an import "
    "or a connector names (DVCQG)."
)


class ReconciliationRule(Named):
    """Two sides of one indicator that should agree within a tolerance."""

    code = code_field(unique=True)
    description = models.TextField(_("description"), blank=True)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="reconciliation_rules",
    )
    kind = models.CharField(
        _("comparison"),
        max_length=16,
        choices=ReconciliationKind.choices,
        default=ReconciliationKind.SOURCES,
    )
    # For `children`, the left side is the sum of the units below, the right side the unit's own.
    left_source = models.CharField(_("left source"), max_length=64, help_text=SOURCE_HELP)
    right_source = models.CharField(_("right source"), max_length=64, help_text=SOURCE_HELP)
    tolerance_absolute = models.DecimalField(
        _("tolerance (absolute)"),
        max_digits=20,
        decimal_places=6,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    tolerance_percent = models.DecimalField(
        _("tolerance (percent)"),
        max_digits=9,
        decimal_places=4,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    period_type = models.CharField(
        _("period type"),
        max_length=16,
        choices=PeriodTypeChoice.choices,
        blank=True,
        help_text=_("Empty: every period type."),
    )
    unit_levels = models.JSONField(
        _("unit levels"),
        default=list,
        blank=True,
        help_text=_('Levels of the units compared, e.g. ["province"]; empty: every unit.'),
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reconciliation_rules",
    )
    legal_source = models.CharField(_("legal source"), max_length=500, blank=True)
    illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("An example, not taken from a cited legal text."),
    )

    class Meta:
        verbose_name = _("reconciliation rule")
        verbose_name_plural = _("reconciliation rules")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReconciliationKind.values),
                name="cat_recon_kind_valid",
                violation_error_message=_("Unknown kind of comparison."),
            ),
            models.CheckConstraint(
                condition=Q(tolerance_absolute__gte=0) & Q(tolerance_percent__gte=0),
                name="cat_recon_tolerance_non_negative",
                violation_error_message=_("A tolerance cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.unit_levels is None:
            self.unit_levels = []
        if not isinstance(self.unit_levels, list) or any(
            level not in Level.values for level in self.unit_levels
        ):
            # The same message as a validation rule's levels (`ValidationRule.clean`).
            errors.setdefault("unit_levels", []).append(
                CatalogueError.INVALID_CHOICE.render(
                    {"value": self.unit_levels, "expected": ", ".join(Level.values)}
                )
            )
        if (
            self.kind == ReconciliationKind.SOURCES
            and self.left_source
            and self.left_source == self.right_source
        ):
            errors.setdefault("right_source", []).append(
                str(_("Comparing a unit with itself needs two different sources."))
            )
        indicator = getattr(self, "indicator", None) if self.indicator_id else None
        if indicator is not None and indicator.value_type not in NUMERIC_VALUE_TYPES:
            errors.setdefault("indicator", []).append(
                str(_("Only indicators whose values are numbers can be reconciled."))
            )
        elif (
            indicator is not None
            and self.kind == ReconciliationKind.CHILDREN
            and indicator.aggregation not in ADDITIVE_OVER_UNITS
        ):
            # A rate or an index of a province is not the sum of its communes' rates.
            errors.setdefault("indicator", []).append(
                CatalogueError.RECONCILIATION_CHILDREN_NOT_ADDITIVE.render(
                    {
                        "code": indicator.code,
                        "aggregation": AggregationType(indicator.aggregation).label,
                    }
                )
            )
        if errors:
            raise ValidationError(errors)

    def agree(self, left: Decimal, right: Decimal) -> bool:
        """Whether two values are within the rule's tolerance of each other."""
        allowed = max(
            self.tolerance_absolute,
            self.tolerance_percent / 100 * max(abs(left), abs(right)),
        )
        return abs(left - right) <= allowed
