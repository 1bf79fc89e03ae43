"""Discrepancies between sources and how each was followed up (issue 5, scope 5).

A discrepancy is one figure (indicator, disaggregation, unit, period) on which the two sides
of a reconciliation rule disagree by more than its tolerance. It keeps both values as they
were last compared, and its events keep the follow-up: when it was found, comments, values
that changed, and how it was resolved (corrected, or the difference accepted with a reason).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from baocao.validation.choices import DiscrepancyEventKind, DiscrepancyStatus


class Discrepancy(models.Model):
    rule = models.ForeignKey(
        "catalogue.ReconciliationRule",
        verbose_name=_("reconciliation rule"),
        on_delete=models.CASCADE,
        related_name="discrepancies",
    )
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
    left_source = models.CharField(_("left source"), max_length=64)
    right_source = models.CharField(_("right source"), max_length=64)
    # Canonical texts, as the values are stored (exact decimals, no float rounding).
    left_value = models.CharField(_("left value"), max_length=64)
    right_value = models.CharField(_("right value"), max_length=64)
    # left - right, for sorting and filtering by size; the exact figure is computed from texts.
    difference = models.FloatField(_("difference"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DiscrepancyStatus.choices,
        default=DiscrepancyStatus.OPEN,
    )
    found_at = models.DateTimeField(_("found at"))
    checked_at = models.DateTimeField(_("last compared at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by_name = models.CharField(_("resolved by"), max_length=255, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    class Meta:
        verbose_name = _("discrepancy")
        verbose_name_plural = _("discrepancies")
        ordering = ["-found_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "indicator", "disaggregation", "unit", "period"],
                name="val_discrepancy_unique_figure",
                violation_error_message=_("This figure already has a discrepancy."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=DiscrepancyStatus.values),
                name="val_discrepancy_status_valid",
                violation_error_message=_("Unknown discrepancy status."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "period"], name="val_discrepancy_status_period"),
            models.Index(fields=["unit", "period"], name="val_discrepancy_unit_period"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.unit_id} {self.period} {self.disaggregation}"


class DiscrepancyEvent(models.Model):
    """One step in following a discrepancy up: found, commented, changed, resolved."""

    discrepancy = models.ForeignKey(
        Discrepancy, verbose_name=_("discrepancy"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DiscrepancyEventKind.choices)
    created_at = models.DateTimeField(_("at"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_name = models.CharField(_("author (name)"), max_length=255, blank=True)
    text = models.TextField(_("text"), blank=True)
    left_value = models.CharField(_("left value"), max_length=64, blank=True)
    right_value = models.CharField(_("right value"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("discrepancy event")
        verbose_name_plural = _("discrepancy events")
        ordering = ["discrepancy", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.discrepancy_id} {self.kind}"
