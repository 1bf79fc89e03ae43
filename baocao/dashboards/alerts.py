"""Alerts of the direction center (issue 7): what a leader should look at now.

Three kinds, for the units below the page's unit:

- thresholds: an administrator's alert rule (catalogue `alerts`) crossed by a unit's figure
  in the latest ended period of the rule's type (by the end of the page's period);
- late reports: reports of the regimes the dashboards follow (their completeness panels)
  still missing after their deadline (Decree 09/2019/NĐ-CP Art. 12: the receiver follows up
  reports that are not sent on time);
- data quality: open discrepancies between sources and errors found by the latest
  validation run (issue 5).

Alerts are computed when asked, from the figures as they are now, so an alert disappears as
soon as the figure, the report or the discrepancy is put right: there is nothing to close.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from baocao.accounts import scope
from baocao.analytics import completeness as analytics_completeness
from baocao.analytics import selectors as analytics
from baocao.catalogue.choices import AlertSeverity, ChartKind
from baocao.catalogue.labels import period_code_label
from baocao.catalogue.models import AlertRule, DashboardPanel, Regime
from baocao.core.errors import DomainError
from baocao.core.numbers import format_number
from baocao.dashboards.filters import Filters
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit
from baocao.periods import Period, PeriodType, period_of
from baocao.validation import selectors as quality

SEVERITY_ORDER = {AlertSeverity.CRITICAL: 0, AlertSeverity.WARNING: 1}
KIND_THRESHOLD = "threshold"
KIND_LATE = "late"
KIND_QUALITY = "quality"
# Units listed one by one for a regime's overdue reports; beyond, one alert counts them.
LATE_LISTED = 5


@dataclasses.dataclass
class Alert:
    severity: str
    kind: str
    unit: str
    unit_name: str
    period: str
    period_label: str
    message: str
    url: str
    rule: str = ""
    value: float | None = None
    summary: bool = False  # one alert counting many units, listed before them

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self) | {
            "kind_label": self.kind_label,
            "severity_label": str(AlertSeverity(self.severity).label),
        }

    @property
    def kind_label(self) -> str:
        return {
            KIND_THRESHOLD: _("Threshold crossed"),
            KIND_LATE: _("Late reports"),
            KIND_QUALITY: _("Data quality"),
        }[self.kind]


def alerts_for(filters: Filters, *, user: Any) -> list[Alert]:
    """The alerts about the units below `filters.unit` (and itself), most severe first."""
    alerts = _thresholds(filters, user) + _late(filters, user) + _quality(filters, user)
    alerts.sort(
        key=lambda a: (
            SEVERITY_ORDER.get(AlertSeverity(a.severity), 9),
            a.kind,
            a.rule,
            not a.summary,
            a.unit,
        )
    )
    return alerts


def latest_period(period_type: PeriodType, end: dt.date) -> Period:
    """The latest period of the type that has ended by `end`."""
    period = period_of(period_type, end)
    return period if period.end <= end else period.previous()


def _watched(unit: Unit, level: str, user: Any, on: dt.date) -> list[str]:
    """Codes of the units of `level` at or below `unit` that `user` may see."""
    codes = analytics.units_below(unit=unit.code, level=level, on=on)
    visible = scope.unit_ids_in_scope(user) if user is not None else None
    if visible is None:
        return codes
    allowed = set(
        Unit.objects.filter(code__in=codes, pk__in=visible).values_list("code", flat=True)
    )
    return [code for code in codes if code in allowed]


def _thresholds(filters: Filters, user: Any) -> list[Alert]:
    alerts: list[Alert] = []
    today = org_selectors.today()
    for rule in AlertRule.objects.filter(active=True).select_related("indicator"):
        try:
            period_type = PeriodType(rule.period_type)
        except ValueError:
            continue
        period = latest_period(period_type, filters.period.end)
        on = min(period.end, today) if filters.structure != "current" else today
        codes = _watched(filters.unit, rule.level, user, on)
        if not codes:
            continue
        try:
            result = analytics.analytics_query(
                indicators=[rule.indicator.code],
                units=codes,
                periods=[period.code],
                structure=filters.structure_date,
                user=user,
            )
        except DomainError:
            continue  # no store yet, or nothing this user may see: no alert to show
        threshold = float(rule.threshold)
        decimals = rule.indicator.decimals
        for row in result.rows:
            if row.value is None or not _crosses(row.value, rule.operator, threshold):
                continue
            alerts.append(
                Alert(
                    severity=rule.severity,
                    kind=KIND_THRESHOLD,
                    unit=row.unit,
                    unit_name=row.unit_name,
                    period=row.period,
                    period_label=row.period_label,
                    message=_(
                        "%(indicator)s: %(value)s %(unit_of_measure)s "
                        "(alert when %(operator)s %(threshold)s)"
                    )
                    % {
                        "indicator": rule.name,
                        "value": _number(row.value, decimals),
                        "unit_of_measure": rule.indicator.unit_of_measure,
                        "operator": rule.operator,
                        "threshold": _number(threshold, decimals),
                    },
                    url=reverse("dashboards:unit", args=[row.unit])
                    + "?"
                    + filters.query(unit="", period=row.period, period_type=period.type.value),
                    rule=rule.code,
                    value=row.value,
                )
            )
    return alerts


def _crosses(value: float, operator: str, threshold: float) -> bool:
    return {
        "<": value < threshold,
        "<=": value <= threshold,
        ">": value > threshold,
        ">=": value >= threshold,
    }[operator]


def followed_regimes() -> list[Regime]:
    """The regimes whose reporting the dashboards follow (their completeness panels)."""
    ids = (
        DashboardPanel.objects.filter(chart=ChartKind.COMPLETENESS, regime__isnull=False)
        .values_list("regime_id", flat=True)
        .distinct()
    )
    return list(Regime.objects.filter(pk__in=ids).order_by("code"))


def _late(filters: Filters, user: Any) -> list[Alert]:
    """Units below the page's unit with reports missing after their deadline."""
    alerts: list[Alert] = []
    period = latest_period(PeriodType.MONTH, filters.period.end)
    for regime in followed_regimes():
        try:
            rows = analytics_completeness.reporting_completeness(
                regime=regime.code, periods=[period.code], children_of=filters.unit.code, user=user
            )
        except DomainError:
            continue  # not a monthly regime, or outside the user's scope
        late = sorted(
            (row for row in rows if row.missing_overdue),
            key=lambda row: (-row.missing_overdue, row.unit),
        )
        if len(late) > LATE_LISTED:
            # Many units behind on one regime: one alert says how many, then the worst ones.
            alerts.append(
                Alert(
                    severity=AlertSeverity.WARNING,
                    kind=KIND_LATE,
                    unit=filters.unit.code,
                    unit_name=org_selectors.unit_name_as_of(unit=filters.unit, on=period.end),
                    period=period.code,
                    period_label=period_code_label(period.code),
                    message=_("%(regime)s: %(count)s reports overdue in %(units)s units")
                    % {
                        "regime": regime.name,
                        "count": sum(row.missing_overdue for row in late),
                        "units": len(late),
                    },
                    url=reverse("dashboards:reporting-board")
                    + "?"
                    + filters.query(period=period.code, period_type="month")
                    + f"&regime={regime.code}",
                    rule=regime.code,
                    summary=True,
                )
            )
        for row in late[:LATE_LISTED]:
            if not row.missing_overdue:
                continue
            board = (
                reverse("dashboards:reporting-board")
                + "?"
                + filters.query(period=period.code, period_type="month", unit=row.unit)
                + f"&regime={regime.code}"
            )
            alerts.append(
                Alert(
                    severity=AlertSeverity.WARNING,
                    kind=KIND_LATE,
                    unit=row.unit,
                    unit_name=row.unit_name,
                    period=row.period,
                    period_label=row.period_label,
                    message=_("%(regime)s: %(count)s of %(expected)s reports overdue")
                    % {
                        "regime": regime.name,
                        "count": row.missing_overdue,
                        "expected": row.expected,
                    },
                    url=board,
                    rule=regime.code,
                )
            )
    return alerts


def _quality(filters: Filters, user: Any) -> list[Alert]:
    """Units below the page's unit with open discrepancies or errors in the latest month."""
    period = latest_period(PeriodType.MONTH, filters.period.end)
    today = org_selectors.today()
    children = [v.unit for v in org_selectors.unit_children(unit=filters.unit, on=today)]
    units = children or [filters.unit]
    visible = scope.unit_ids_in_scope(user) if user is not None else None
    units = [u for u in units if visible is None or u.pk in visible]
    names = {v.unit_id: v.name for v in org_selectors.versions_on(today).filter(unit__in=units)}
    counts = quality.quality_counts(units=units, periods=_months_back(period, 3), on=today)
    by_unit: dict[int, list[quality.QualityCounts]] = {}
    for (unit_id, _period), item in counts.items():
        by_unit.setdefault(unit_id, []).append(item)
    alerts: list[Alert] = []
    for unit in units:
        items = by_unit.get(unit.pk, [])
        open_discrepancies = sum(item.open_discrepancies for item in items)
        errors = sum(item.errors for item in items)
        if not open_discrepancies and not errors:
            continue
        parts = []
        if open_discrepancies:
            parts.append(
                _("%(count)s open discrepancies between sources") % {"count": open_discrepancies}
            )
        if errors:
            parts.append(_("%(count)s validation errors") % {"count": errors})
        alerts.append(
            Alert(
                severity=AlertSeverity.WARNING,
                kind=KIND_QUALITY,
                unit=unit.code,
                unit_name=names.get(unit.pk, unit.code),
                period=period.code,
                period_label=_("the last three months"),
                message="; ".join(parts),
                url=reverse("validation:discrepancy-list") + f"?unit={unit.code}",
            )
        )
    return alerts


def _months_back(period: Period, count: int) -> Sequence[str]:
    return [period.previous(n).code for n in range(count)]


def _number(value: float, decimals: int) -> str:
    return format_number(Decimal(repr(value)), decimals=decimals)
