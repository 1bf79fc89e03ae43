"""Delegations: a user may report for units other than their own, for a while."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from baocao.accounts.models.user import User


class Delegation(models.Model):
    """`user` may write reports for `unit` between two dates (inclusive; no end = open).

    A province office that fills in for a commune without staff, or a system account that
    pushes data for several units, acts through a delegation; the report still belongs to
    the unit and the transition records who acted.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="delegations"
    )
    unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="delegations",
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["user__username", "unit__code", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="accounts_delegation_interval_ordered",
                violation_error_message=_("A delegation cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.unit}"
