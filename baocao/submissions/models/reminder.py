"""Reminders sent to units that have not sent a report (issue 7: the reporting board).

The receiver of a report follows up the units that have not sent it (Decree 09/2019/NĐ-CP
Art. 12 sets the deadline; the receiving agency urges those who miss it). A reminder names
the regime, the period and the unit, is recorded with who sent it and when, and is shown to
the unit's officers on their reports page; the unit's reporting officers are emailed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Reminder(models.Model):
    """One reminder to one unit about one report (regime, period, step) it has not sent."""

    regime = models.ForeignKey(
        "catalogue.Regime", verbose_name=_("regime"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=32)
    unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("unit reminded"),
        on_delete=models.PROTECT,
        related_name="reminders",
    )
    step_order = models.PositiveIntegerField(_("reporting step"))
    message = models.TextField(_("message"), blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A copy, so that the record reads right after the user is renamed or removed.
    sent_by_name = models.CharField(_("sent by (name)"), max_length=255, blank=True)
    recipients = models.PositiveIntegerField(
        _("recipients"),
        default=0,
        help_text=_("How many of the unit's reporting officers were emailed."),
    )

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(period=""),
                name="sub_reminder_period_given",
                violation_error_message=_("A reminder names the period of the report."),
            ),
        ]
        indexes = [
            # The latest reminders of a report (the board, the officer's page, the interval
            # that keeps a double click from reminding twice).
            models.Index(
                fields=["unit", "regime", "period", "sent_at"], name="sub_reminder_report"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.regime.code} {self.period} {self.unit.code} {self.sent_at:%Y-%m-%d %H:%M}"
