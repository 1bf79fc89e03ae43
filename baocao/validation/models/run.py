"""Batch validation runs and the violations they find (issue 5, scope 3).

A run judges the stored values of a set of units and periods against the catalogue's rules,
in the background (the worker: `baocao db_worker`), and keeps what it found: the counts by
rule and status, and each violation with both sides' values, so that analysts can read, filter
and download them and follow them up.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from baocao.validation.choices import RunStatus, ViolationStatus


class ValidationRun(models.Model):
    """One batch validation: what was asked, how far it got, and what it counted."""

    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_name = models.CharField(_("created by (name)"), max_length=255, blank=True)
    # The units judged: this unit and everything below it (none: every unit).
    unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("unit and its subtree"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    periods = models.JSONField(_("periods"), default=list)
    rules = models.JSONField(_("rules (empty: all)"), default=list, blank=True)
    source = models.CharField(_("source (empty: all)"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress_done = models.PositiveIntegerField(_("rules done"), default=0)
    progress_total = models.PositiveIntegerField(_("rules to do"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(_("background task"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("validation run")
        verbose_name_plural = _("validation runs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values),
                name="val_run_status_valid",
                violation_error_message=_("Unknown run status."),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {', '.join(self.periods)} ({self.status})"


class RuleViolation(models.Model):
    """A rule broken (or not evaluable) for a unit and period in a run."""

    run = models.ForeignKey(
        ValidationRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="violations"
    )
    rule_code = models.CharField(_("rule"), max_length=64)
    importance = models.CharField(_("importance"), max_length=16)
    unit = models.ForeignKey(
        "organisations.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=32)
    # Values of different sources (a regime's reports, an import, a connector) are judged
    # separately, as each report is.
    source = models.CharField(_("source"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ViolationStatus.choices)
    left = models.FloatField(_("left side"), null=True, blank=True)
    right = models.FloatField(_("right side"), null=True, blank=True)

    class Meta:
        verbose_name = _("rule violation")
        verbose_name_plural = _("rule violations")
        ordering = ["run", "rule_code", "period", "unit"]
        indexes = [
            models.Index(fields=["run", "rule_code"], name="val_violation_run_rule"),
            models.Index(fields=["run", "unit"], name="val_violation_run_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.unit_id} {self.period}"


class OutlierFinding(models.Model):
    """A stored value that a run found to be an outlier against the unit's own history."""

    run = models.ForeignKey(
        ValidationRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="outliers"
    )
    indicator_code = models.CharField(_("indicator"), max_length=64)
    disaggregation = models.CharField(_("disaggregation"), max_length=255, blank=True)
    unit = models.ForeignKey(
        "organisations.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=32)
    source = models.CharField(_("source"), max_length=64, blank=True)
    value = models.FloatField(_("value"))
    expected_low = models.FloatField(_("expected from"))
    expected_high = models.FloatField(_("expected to"))
    # `seasonal` (the same month of earlier years) or `recent` (the nearest periods).
    basis = models.CharField(_("compared with"), max_length=16)
    # None when the history is constant (no finite score exists).
    score = models.FloatField(_("score"), null=True, blank=True)

    class Meta:
        verbose_name = _("outlier")
        verbose_name_plural = _("outliers")
        ordering = ["run", "indicator_code", "period", "unit"]
        indexes = [
            models.Index(fields=["run", "unit"], name="val_outlier_run_unit"),
            models.Index(fields=["run", "indicator_code"], name="val_outlier_run_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_code} {self.unit_id} {self.period}"
