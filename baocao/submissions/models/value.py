"""Data values, their history, narrative text and attachments.

A value is keyed the way DHIS2 keys `DataValue`: (indicator, disaggregation, unit, period,
source). `disaggregation` is "" for the indicator's total or `DIM=OPT` pairs joined by
commas in the indicator's dimension order (`SEX=NU`); `source` is the regime code for
values carried by a report, or the code a bulk import names. Values are stored as canonical
text (`1234.5`, `true`, `2026-11-30`), what the API speaks; each change keeps the previous
value in `DataValueHistory`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baocao.submissions.choices import ValueSource
from baocao.submissions.models.report import Report


class DataValue(models.Model):
    """One value of one indicator for one unit and period, from one source."""

    indicator = models.ForeignKey(
        "catalogue.Indicator",
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    disaggregation = models.CharField(_("disaggregation"), max_length=255, blank=True)
    unit = models.ForeignKey(
        "organisations.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=32)
    source = models.CharField(_("source"), max_length=64)
    report = models.ForeignKey(
        Report,
        verbose_name=_("report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="values",
    )
    value = models.TextField(_("value"))
    comment = models.TextField(_("comment"), blank=True)
    channel = models.CharField(_("entered through"), max_length=8, choices=ValueSource.choices)
    updated_at = models.DateTimeField(_("updated at"))
    updated_by_name = models.CharField(_("updated by"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("data value")
        verbose_name_plural = _("data values")
        ordering = ["period", "unit", "indicator", "disaggregation", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "disaggregation", "unit", "period", "source"],
                name="sub_value_unique_key",
                violation_error_message=_("This value already exists."),
            )
        ]
        indexes = [
            models.Index(fields=["unit", "period"], name="sub_value_unit_period"),
            # The analytics store reads what changed since it was built (docs/analytics.md).
            models.Index(fields=["updated_at"], name="sub_value_updated_at"),
        ]

    def __str__(self) -> str:
        disaggregation = f" [{self.disaggregation}]" if self.disaggregation else ""
        return f"{self.indicator_id}{disaggregation} {self.unit_id} {self.period}: {self.value}"


class DataValueHistory(models.Model):
    """A value as it was before a change (or a deletion): nothing is silently overwritten."""

    indicator_id: int
    unit_id: int
    indicator = models.ForeignKey(
        "catalogue.Indicator",
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    disaggregation = models.CharField(_("disaggregation"), max_length=255, blank=True)
    unit = models.ForeignKey(
        "organisations.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=32)
    source = models.CharField(_("source"), max_length=64)
    value = models.TextField(_("previous value"))
    comment = models.TextField(_("previous comment"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    deleted = models.BooleanField(_("deleted"), default=False)
    changed_at = models.DateTimeField(_("changed at"))
    changed_by_name = models.CharField(_("changed by"), max_length=255, blank=True)
    channel = models.CharField(_("entered through"), max_length=8, choices=ValueSource.choices)

    class Meta:
        verbose_name = _("data value history")
        verbose_name_plural = _("data value history")
        ordering = ["changed_at", "pk"]
        indexes = [
            models.Index(
                fields=["indicator", "unit", "period", "source"], name="sub_value_history_key"
            ),
            # Deleted values since the analytics store was built (docs/analytics.md).
            models.Index(fields=["changed_at"], name="sub_value_history_changed"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.unit_id} {self.period}: {self.value} → {self.new_value}"


class NarrativeText(models.Model):
    """The text of one narrative section of a report's outline (đề cương)."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="narratives"
    )
    code = models.CharField(_("section"), max_length=64)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("narrative text")
        verbose_name_plural = _("narrative texts")
        ordering = ["report", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "code"],
                name="sub_narrative_unique_code",
                violation_error_message=_("This report already has text for this section."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.code}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Content-addressed, so a file is stored once however often it is attached.
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """A file attached to a report (a signed scan, a table); its hash enters the signature."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["report", "name", "pk"]

    def __str__(self) -> str:
        return self.name
