"""How a regime's reports are handled once sent: grace period and automatic acceptance."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportingPolicy(models.Model):
    """Per regime: days of grace after the deadline before reports lock, and auto-acceptance.

    Without a policy a regime uses `DEFAULT_GRACE_DAYS` and manual acceptance.
    """

    regime = models.OneToOneField(
        "catalogue.Regime",
        verbose_name=_("regime"),
        on_delete=models.CASCADE,
        related_name="reporting_policy",
    )
    grace_days = models.PositiveSmallIntegerField(
        _("grace days after the deadline"),
        default=5,
        validators=[MaxValueValidator(366)],
        help_text=_("After the deadline plus these days, changes need the receiver's unlock."),
    )
    auto_accept = models.BooleanField(
        _("accept automatically"),
        default=False,
        help_text=_("Accept a submitted report at once when its validation passes."),
    )

    class Meta:
        verbose_name = _("reporting policy")
        verbose_name_plural = _("reporting policies")
        ordering = ["regime__code"]

    def __str__(self) -> str:
        return str(self.regime)


DEFAULT_GRACE_DAYS = 5
