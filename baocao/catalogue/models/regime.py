"""Reporting regimes (chế độ báo cáo) and their dated versions.

Decree 09/2019/NĐ-CP Art. 7 lists what a regime states: name, content, reporting
entities, receiving agency, method of sending, data cutoff, deadline, frequency, outline
and data forms. A regime changes over time (a new circular replaces the forms, the
2025 reorganisation changes who reports), so everything but its identity lives in a
`RegimeVersion` with the dates it is in force. A version has one or more reporting
steps: who reports to whom and by when, one per hop (commune to province, province to
the Government), each with its own deadline.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from baocao.catalogue.choices import (
    CutoffKindChoice,
    DeadlineKindChoice,
    PeriodTypeChoice,
    ReceiverKind,
    RegimeContent,
    RegimeKind,
    SendingMethod,
)
from baocao.catalogue.errors import error_for_code
from baocao.catalogue.models.common import Named, code_field
from baocao.catalogue.models.form import Form
from baocao.catalogue.models.sector import Sector
from baocao.organisations.choices import Level
from baocao.organisations.models import Unit
from baocao.periods import CutoffKind, CutoffRule, DeadlineKind, DeadlineRule, PeriodError


class Regime(Named):
    """A reporting regime: its identity; what it asks for is in its versions."""

    code = code_field(unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RegimeKind.choices)
    content = models.CharField(_("content"), max_length=8, choices=RegimeContent.choices)
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="regimes",
    )
    description = models.TextField(_("description"), blank=True)
    illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("An example, not taken from a cited legal text."),
    )

    class Meta:
        verbose_name = _("reporting regime")
        verbose_name_plural = _("reporting regimes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class RegimeVersionQuerySet(models.QuerySet["RegimeVersion"]):
    def valid_on(self, on: dt.date) -> RegimeVersionQuerySet:
        return self.filter(Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on))


class RegimeVersion(models.Model):
    """What a regime asks for between two dates (both inclusive; no end = still in force)."""

    regime = models.ForeignKey(
        Regime, verbose_name=_("regime"), on_delete=models.CASCADE, related_name="versions"
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=1000, blank=True)
    frequency = models.CharField(_("frequency"), max_length=16, choices=PeriodTypeChoice.choices)
    cutoff_kind = models.CharField(
        _("data cutoff rule"),
        max_length=16,
        choices=CutoffKindChoice.choices,
        default=CutoffKindChoice.DECREE_09,
    )
    cutoff_day = models.PositiveSmallIntegerField(_("cutoff start day"), null=True, blank=True)
    # Thematic and ad-hoc reports have no recurring period: they name their periods
    # (date ranges such as 20260901-20260930) one by one.
    periods = models.JSONField(_("periods"), default=list, blank=True)
    sending_method = models.CharField(
        _("method of sending"),
        max_length=16,
        choices=SendingMethod.choices,
        default=SendingMethod.SYSTEM,
    )
    outline = models.TextField(_("outline (đề cương)"), blank=True)
    forms: models.ManyToManyField[Form, RegimeForm] = models.ManyToManyField(
        Form, verbose_name=_("forms"), through="RegimeForm", related_name="regime_versions"
    )

    objects = RegimeVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("regime version")
        verbose_name_plural = _("regime versions")
        ordering = ["regime__code", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "valid_from"],
                name="cat_regime_version_unique_start",
                violation_error_message=_("This regime already has a version starting that day."),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="cat_regime_version_interval_ordered",
                violation_error_message=_("A version cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(cutoff_day__isnull=True) | Q(cutoff_day__gte=2, cutoff_day__lte=28),
                name="cat_regime_version_cutoff_day_range",
                violation_error_message=_("The cutoff start day is between 2 and 28."),
            ),
        ]

    def __str__(self) -> str:
        end = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{self.regime.code} ({self.valid_from.isoformat()} – {end})"

    def is_valid_on(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def cutoff_rule(self) -> CutoffRule:
        return CutoffRule(kind=CutoffKind(self.cutoff_kind), day=self.cutoff_day)

    def clean(self) -> None:
        try:
            self.cutoff_rule().validate()
        except PeriodError as error:
            raise ValidationError(
                {"cutoff_day": error_for_code(error.code).render(error.args)}
            ) from None


class RegimeForm(models.Model):
    """A form used by a regime version, in order."""

    version = models.ForeignKey(
        RegimeVersion,
        verbose_name=_("regime version"),
        on_delete=models.CASCADE,
        related_name="form_links",
    )
    form = models.ForeignKey(
        Form, verbose_name=_("form"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("regime form")
        verbose_name_plural = _("regime forms")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "form"],
                name="cat_regime_form_unique",
                violation_error_message=_("This form is already used by the regime version."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} / {self.form.code}"


class ReportingStep(models.Model):
    """One hop of a regime: which units report, to whom, and by when.

    Reporters are the units in force on the step's deadline that match the levels and
    types given (both, when both are given), plus the units listed by code. A listed unit
    that no longer exists is replaced by its successors (so the obligations of the
    communes and provinces merged in 2025 pass to the units that took them over).
    """

    version = models.ForeignKey(
        RegimeVersion,
        verbose_name=_("regime version"),
        on_delete=models.CASCADE,
        related_name="steps",
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=255, blank=True)
    reporter_levels = models.JSONField(_("reporting levels"), default=list, blank=True)
    reporter_types = models.JSONField(_("reporting unit types"), default=list, blank=True)
    reporter_units = models.ManyToManyField(
        Unit, verbose_name=_("reporting units"), blank=True, related_name="+"
    )
    # The day the list of units was drawn up; on later days a listed unit that has ceased
    # is followed to its successors.
    reporter_units_as_of = models.DateField(_("units listed as of"), null=True, blank=True)
    receiver_kind = models.CharField(_("receiver"), max_length=16, choices=ReceiverKind.choices)
    receiver_level = models.CharField(
        _("receiver level"), max_length=16, choices=Level.choices, blank=True
    )
    receiver_unit = models.ForeignKey(
        Unit,
        verbose_name=_("receiving unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline_kind = models.CharField(
        _("deadline rule"), max_length=32, choices=DeadlineKindChoice.choices
    )
    deadline_days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    deadline_month_offset = models.PositiveSmallIntegerField(
        _("months after the period"), null=True, blank=True
    )
    deadline_day = models.PositiveSmallIntegerField(_("day of month"), null=True, blank=True)
    deadline_on = models.DateField(_("deadline date"), null=True, blank=True)
    deadline_roll = models.BooleanField(
        _("move to the next working day"),
        default=True,
        help_text=_(
            "Civil Code 2015 Art. 148: a time limit ending on a day off "
            "ends on the next working day."
        ),
    )

    class Meta:
        verbose_name = _("reporting step")
        verbose_name_plural = _("reporting steps")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "order"],
                name="cat_step_unique_order",
                violation_error_message=_(
                    "This regime version already has a step in this position."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(receiver_kind=ReceiverKind.ANCESTOR) & ~Q(receiver_level=""))
                | (Q(receiver_kind=ReceiverKind.UNIT) & Q(receiver_unit__isnull=False)),
                name="cat_step_receiver_complete",
                violation_error_message=_(
                    "A step sends either to the reporter's unit at a level or to a fixed unit."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} #{self.order} {self.name}"

    def deadline_rule(self) -> DeadlineRule:
        return DeadlineRule(
            kind=DeadlineKind(self.deadline_kind),
            days=self.deadline_days,
            month_offset=self.deadline_month_offset,
            day=self.deadline_day,
            on=self.deadline_on,
            roll_to_working_day=self.deadline_roll,
        )

    def clean(self) -> None:
        try:
            self.deadline_rule().validate()
        except PeriodError as error:
            raise ValidationError(error_for_code(error.code).render(error.args)) from None
