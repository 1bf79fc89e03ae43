"""Dashboards of the direction center, indicator targets and alert thresholds (issue 7).

They are catalogue data, written in catalogue YAML (`dashboards`, `targets`, `alerts`) or in
the admin, so that administrators compose the leaders' pages from indicators and chart kinds
without a release, the way DHIS2 keeps dashboards and validation notifications as metadata.
The dashboards app reads them and draws the pages; the analytics app computes the figures.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from baocao.catalogue.choices import (
    ALERT_OPERATORS,
    AlertSeverity,
    ChartKind,
    DashboardKind,
    PeriodTypeChoice,
    RuleOperator,
)
from baocao.catalogue.models.common import Named, code_field
from baocao.catalogue.models.indicator import Indicator
from baocao.catalogue.models.regime import Regime
from baocao.catalogue.models.sector import Sector
from baocao.organisations.choices import Level
from baocao.organisations.models import Unit


class Dashboard(Named):
    """A page of the direction center: panels in order, about a unit and the units below."""

    code = code_field(unique=True)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=DashboardKind.choices, default=DashboardKind.NATIONAL
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dashboards",
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    # The center's video wall rotates through these pages (big-screen mode).
    rotation = models.BooleanField(_("shown on the video wall"), default=False)
    rotation_seconds = models.PositiveSmallIntegerField(
        _("seconds on the video wall"),
        default=30,
        validators=[MinValueValidator(10), MaxValueValidator(600)],
    )

    class Meta:
        verbose_name = _("dashboard")
        verbose_name_plural = _("dashboards")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DashboardKind.values),
                name="cat_dashboard_kind_valid",
                violation_error_message=_("Unknown kind of dashboard."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=DashboardKind.SECTOR) | Q(sector__isnull=False),
                name="cat_dashboard_sector_page_has_sector",
                violation_error_message=_("A sector page names its sector."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class DashboardPanel(models.Model):
    """One chart, table or set of tiles on a dashboard, with the indicators it shows."""

    dashboard = models.ForeignKey(
        Dashboard, verbose_name=_("dashboard"), on_delete=models.CASCADE, related_name="panels"
    )
    order = models.PositiveIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=500)
    title_en = models.CharField(_("title in English"), max_length=500, blank=True)
    chart = models.CharField(_("chart"), max_length=16, choices=ChartKind.choices)
    indicators: models.ManyToManyField[Indicator, DashboardPanelIndicator] = models.ManyToManyField(
        Indicator,
        verbose_name=_("indicators"),
        through="DashboardPanelIndicator",
        related_name="dashboard_panels",
        blank=True,
    )
    # How many periods a series shows, ending with the period the page is filtered on.
    periods = models.PositiveSmallIntegerField(
        _("periods shown"), default=12, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    disaggregation = models.CharField(
        _("disaggregation"),
        max_length=255,
        blank=True,
        help_text=_("Empty: totals. DIMENSION=OPTION for one option, DIMENSION=* for each."),
    )
    # Rankings, maps and tables show the units of this level below the page's unit.
    level = models.CharField(_("level of the units shown"), max_length=16, blank=True)
    regime = models.ForeignKey(
        Regime,
        verbose_name=_("reporting regime"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dashboard_panels",
        help_text=_("For completeness panels."),
    )
    width = models.PositiveSmallIntegerField(
        _("width (of 3 columns)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )

    class Meta:
        verbose_name = _("dashboard panel")
        verbose_name_plural = _("dashboard panels")
        ordering = ["dashboard", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["dashboard", "order"],
                name="cat_panel_order_unique",
                violation_error_message=_("Two panels of a dashboard have the same position."),
            ),
            models.CheckConstraint(
                condition=Q(chart__in=ChartKind.values),
                name="cat_panel_chart_valid",
                violation_error_message=_("Unknown kind of chart."),
            ),
            models.CheckConstraint(
                condition=Q(level="") | Q(level__in=Level.values),
                name="cat_panel_level_valid",
                violation_error_message=_("Unknown unit level."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dashboard.code} #{self.order} – {self.title}"


class DashboardPanelIndicator(models.Model):
    """An indicator of a panel, in the panel's order."""

    panel = models.ForeignKey(
        DashboardPanel, verbose_name=_("panel"), on_delete=models.CASCADE, related_name="entries"
    )
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT)
    order = models.PositiveIntegerField(_("order"))

    class Meta:
        verbose_name = _("indicator of a panel")
        verbose_name_plural = _("indicators of a panel")
        ordering = ["panel", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "indicator"],
                name="cat_panel_indicator_unique",
                violation_error_message=_("A panel lists an indicator twice."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.panel} – {self.indicator.code}"


class IndicatorTarget(models.Model):
    """A target set for an indicator, a unit and a period (a resolution's plan figure).

    The Government's resolutions set yearly targets (GRDP growth, budget revenue, ...); the
    headline tiles show them beside the value, and how much of a yearly target the year so
    far has reached for figures that add up.
    """

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="targets"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="targets"
    )
    period = models.CharField(_("period"), max_length=32)
    value = models.DecimalField(_("target"), max_digits=24, decimal_places=6)
    legal_source = models.CharField(_("legal source"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator", "unit", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period"],
                name="cat_target_unique",
                violation_error_message=_(
                    "This indicator already has a target for the unit and period."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.unit.code} {self.period}: {self.value}"


class AlertRule(Named):
    """A threshold an administrator sets: units whose figure crosses it are shown as alerts."""

    code = code_field(unique=True)
    description = models.TextField(_("description"), blank=True)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="alerts"
    )
    operator = models.CharField(
        _("operator"),
        max_length=2,
        choices=[(op, label) for op, label in RuleOperator.choices if op in ALERT_OPERATORS],
    )
    threshold = models.DecimalField(_("threshold"), max_digits=24, decimal_places=6)
    level = models.CharField(
        _("level of the units watched"),
        max_length=16,
        choices=Level.choices,
        default=Level.PROVINCE,
    )
    period_type = models.CharField(
        _("period type"), max_length=16, choices=PeriodTypeChoice.choices, default="month"
    )
    severity = models.CharField(
        _("severity"), max_length=16, choices=AlertSeverity.choices, default=AlertSeverity.WARNING
    )
    active = models.BooleanField(_("active"), default=True)
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    legal_source = models.CharField(_("legal source"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(operator__in=ALERT_OPERATORS),
                name="cat_alert_operator_valid",
                violation_error_message=_("An alert compares with <, <=, > or >=."),
            ),
            models.CheckConstraint(
                condition=Q(severity__in=AlertSeverity.values),
                name="cat_alert_severity_valid",
                violation_error_message=_("Unknown severity."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"
