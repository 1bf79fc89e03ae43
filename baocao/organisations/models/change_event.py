"""Change events of the hierarchy and the predecessor-to-successor links they make."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from baocao.organisations.choices import ChangeKind
from baocao.organisations.models.unit import Unit


class ChangeEvent(models.Model):
    """A merger, split, renaming, type change, transfer or abolition, with its legal act.

    Example: on 1 July 2025 Resolution 202/2025/QH15 merged Quảng Bình (44) and Quảng Trị
    (45) into the province of Quảng Trị (44): one event with two links, 44→44 and 45→44.
    """

    code = models.CharField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ChangeKind.choices)
    effective_date = models.DateField(_("effective date"), db_index=True)
    legal_act = models.CharField(_("legal act"), max_length=64, blank=True)
    legal_act_title = models.CharField(_("legal act title"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("change event")
        verbose_name_plural = _("change events")
        ordering = ["effective_date", "code"]

    def __str__(self) -> str:
        return f"{self.effective_date.isoformat()} {self.get_kind_display()} {self.code}"


class LineageLink(models.Model):
    """Territory (and so data) of `predecessor` passing to `successor` at an event.

    `partial` is set when only part of the predecessor went to this successor (a commune
    split between several new communes); `weight` is the share to apportion its data by,
    when known. A unit that continues under the same code links to itself.
    """

    event = models.ForeignKey(
        ChangeEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="links"
    )
    predecessor = models.ForeignKey(
        Unit,
        verbose_name=_("predecessor"),
        on_delete=models.PROTECT,
        related_name="successor_links",
    )
    successor = models.ForeignKey(
        Unit,
        verbose_name=_("successor"),
        on_delete=models.PROTECT,
        related_name="predecessor_links",
    )
    partial = models.BooleanField(_("partial transfer"), default=False)
    weight = models.DecimalField(
        _("weight"),
        max_digits=7,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )

    class Meta:
        verbose_name = _("lineage link")
        verbose_name_plural = _("lineage links")
        ordering = ["event__effective_date", "predecessor__code", "successor__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "predecessor", "successor"],
                name="org_link_unique",
                violation_error_message=_("This link is already recorded for the event."),
            ),
            models.CheckConstraint(
                condition=Q(weight__isnull=True) | (Q(weight__gte=0) & Q(weight__lte=1)),
                name="org_link_weight_share",
                violation_error_message=_("A weight is a share between 0 and 1."),
            ),
        ]

    def __str__(self) -> str:
        arrow = "⇢" if self.partial else "→"
        return f"{self.predecessor_id} {arrow} {self.successor_id}"
