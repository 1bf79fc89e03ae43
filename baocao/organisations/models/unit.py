"""Units and their dated versions.

A unit is identified by its code for its whole life. For territorial units the code is
the official administrative-unit code (2 digits for provinces, 3 for districts, 5 for
communes). When the 2025 reorganisation formed a new commune or province it kept the
code of one of its predecessors; the registry treats that as the same unit continuing
under a new version (new name, type or parent), linked to the units merged into it.
"""

from __future__ import annotations

import datetime as dt

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from baocao.organisations.choices import Level, UnitType

CODE_VALIDATOR = RegexValidator(
    r"^[A-Z0-9][A-Z0-9._-]*$",
    _("A code contains only capital letters A-Z, digits, dots, dashes and underscores."),
    code="invalid_code",
)


class Unit(models.Model):
    """An agency or administrative unit: the Government, a ministry, a province, a commune."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[CODE_VALIDATOR])
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class UnitVersionQuerySet(models.QuerySet["UnitVersion"]):
    def valid_on(self, on: dt.date) -> UnitVersionQuerySet:
        """Versions in force on a date (both ends inclusive, open ends unbounded)."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        )


class UnitVersion(models.Model):
    """What a unit was called, its type and its parent over an interval of dates.

    `valid_from` and `valid_to` are inclusive; an empty `valid_from` means "since before
    the registry's records", an empty `valid_to` means "still in force". The versions of
    one unit never overlap (checked by `hierarchy_apply` before every write).
    """

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="versions"
    )
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=255, blank=True)
    type = models.CharField(_("type"), max_length=32, choices=UnitType.choices)
    parent = models.ForeignKey(
        Unit,
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="child_versions",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    objects = UnitVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit version")
        verbose_name_plural = _("unit versions")
        # An open start sorts first on SQLite and PostgreSQL alike.
        ordering = ["unit__code", models.F("valid_from").asc(nulls_first=True)]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "valid_from"],
                name="org_version_unique_start",
                violation_error_message=_("This unit already has a version starting that day."),
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="org_version_interval_ordered",
                violation_error_message=_("A version cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("unit")),
                name="org_version_not_own_parent",
                violation_error_message=_("A unit cannot be its own parent."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["parent", "valid_from", "valid_to"], name="org_version_parent_idx"
            ),
            models.Index(fields=["valid_from", "valid_to"], name="org_version_interval_idx"),
        ]

    def __str__(self) -> str:
        start = self.valid_from.isoformat() if self.valid_from else "…"
        end = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{self.name} ({start} – {end})"

    @classmethod
    def chronological(cls) -> models.OrderBy:
        return models.F("valid_from").asc(nulls_first=True)

    def is_valid_on(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )
