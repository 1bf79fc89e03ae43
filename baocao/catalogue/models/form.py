"""Data forms (biểu mẫu): sections of indicator rows, option columns, narrative fields.

Decree 09/2019/NĐ-CP Art. 7 requires every regime to publish its data forms and its
outline (đề cương). A form here is what a reporting officer fills: each section lists
indicators as rows; a section may spread one disaggregation dimension across columns.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from baocao.catalogue.models.common import Named, code_field
from baocao.catalogue.models.dimension import Dimension, DimensionOption
from baocao.catalogue.models.indicator import Indicator


class Form(Named):
    """A data form, used by one or more regime versions."""

    code = code_field(unique=True)
    description = models.TextField(_("description"), blank=True)
    legal_source = models.CharField(_("legal source"), max_length=500, blank=True)
    illustrative = models.BooleanField(_("illustrative"), default=False)

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class FormSection(models.Model):
    """A block of rows; its columns are the options of `column_dimension`, if any."""

    form = models.ForeignKey(
        Form, verbose_name=_("form"), on_delete=models.CASCADE, related_name="sections"
    )
    code = code_field()
    title = models.CharField(_("title"), max_length=500)
    order = models.PositiveIntegerField(_("order"), default=0)
    column_dimension = models.ForeignKey(
        Dimension,
        verbose_name=_("column dimension"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    show_total = models.BooleanField(_("total column"), default=True)

    class Meta:
        verbose_name = _("form section")
        verbose_name_plural = _("form sections")
        ordering = ["form__code", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "code"],
                name="cat_section_unique_code",
                violation_error_message=_("This form already has a section with this code."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.form.code}/{self.code} – {self.title}"


class FormColumn(models.Model):
    """One option of the section's column dimension shown as a column, in order."""

    section = models.ForeignKey(
        FormSection, verbose_name=_("section"), on_delete=models.CASCADE, related_name="columns"
    )
    option = models.ForeignKey(
        DimensionOption, verbose_name=_("option"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("form column")
        verbose_name_plural = _("form columns")
        ordering = ["section", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "option"],
                name="cat_column_unique_option",
                violation_error_message=_("This option is already a column of the section."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.section} / {self.option.code}"


class FormRow(models.Model):
    """One indicator asked for in a section."""

    section = models.ForeignKey(
        FormSection, verbose_name=_("section"), on_delete=models.CASCADE, related_name="rows"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="form_rows"
    )
    label = models.CharField(
        _("label"), max_length=500, blank=True, help_text=_("Empty: the indicator's name.")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("form row")
        verbose_name_plural = _("form rows")
        ordering = ["section", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "indicator"],
                name="cat_row_unique_indicator",
                violation_error_message=_("This indicator is already a row of the section."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.section} / {self.indicator.code}"

    @property
    def display_label(self) -> str:
        return self.label or self.indicator.name


class NarrativeField(models.Model):
    """A free-text part of the report (assessment, difficulties, proposals)."""

    form = models.ForeignKey(
        Form, verbose_name=_("form"), on_delete=models.CASCADE, related_name="narrative_fields"
    )
    code = code_field()
    label = models.CharField(_("label"), max_length=500)
    help_text = models.TextField(_("guidance"), blank=True)
    required = models.BooleanField(_("required"), default=False)
    max_length = models.PositiveIntegerField(_("maximum length"), null=True, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("narrative field")
        verbose_name_plural = _("narrative fields")
        ordering = ["form__code", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "code"],
                name="cat_narrative_unique_code",
                violation_error_message=_(
                    "This form already has a narrative field with this code."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.form.code}/{self.code} – {self.label}"
