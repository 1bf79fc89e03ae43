"""Disaggregation dimensions (sex, age group, urban/rural, ...) and their options."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from baocao.catalogue.models.common import Named, code_field


class Dimension(Named):
    """A way of breaking a value down, with a closed list of options (DHIS2 category)."""

    code = code_field(unique=True)
    description = models.TextField(_("description"), blank=True)
    legal_source = models.CharField(_("legal source"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("disaggregation dimension")
        verbose_name_plural = _("disaggregation dimensions")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class DimensionOption(Named):
    """One valid value of a dimension (male, female; urban, rural)."""

    dimension = models.ForeignKey(
        Dimension, verbose_name=_("dimension"), on_delete=models.CASCADE, related_name="options"
    )
    code = code_field()
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("dimension option")
        verbose_name_plural = _("dimension options")
        ordering = ["dimension__code", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "code"],
                name="cat_option_unique_code",
                violation_error_message=_("This dimension already has an option with this code."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension.code}.{self.code} – {self.name}"
