"""The figures of each dashboard panel, for a page's filters (issue 7).

Each chart kind turns the panel's indicators and the page's filters into analytics queries
(`baocao.analytics.selectors.analytics_query`, whose semantics docs/analytics.md describes)
and returns a JSON-ready payload for the browser and a table (`headers`, `rows`) for the CSV
and Excel downloads, so that a download always holds the numbers the chart shows.

A page asks about a period of one type (a month, say) while some indicators are reported only
quarterly or yearly: such an indicator shows its latest period of that type which has ended
by the end of the page's period (the third quarter for November), and says which it is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from baocao.analytics import completeness as analytics_completeness
from baocao.analytics import selectors as analytics
from baocao.catalogue.choices import AlertSeverity, ChartKind
from baocao.catalogue.labels import period_code_label
from baocao.catalogue.models import DashboardPanel, Indicator, IndicatorTarget
from baocao.core.numbers import format_number
from baocao.dashboards.filters import GOVERNMENT, Filters
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit
from baocao.periods import Period, PeriodType, period_of

# From finest to coarsest: a page's period shows an indicator reported only on a coarser
# type through the latest such period that has ended.
TYPE_ORDER = (
    PeriodType.MONTH,
    PeriodType.QUARTER,
    PeriodType.HALF_YEAR,
    PeriodType.NINE_MONTHS,
    PeriodType.YEAR,
)
PERIODS_PER_YEAR = {
    PeriodType.MONTH: 12,
    PeriodType.QUARTER: 4,
    PeriodType.HALF_YEAR: 2,
    PeriodType.NINE_MONTHS: 1,
    PeriodType.YEAR: 1,
}
# A ranking of more units than this shows the first and last ones.
RANKING_SHOWN = 40


@dataclasses.dataclass
class PanelResult:
    """What the browser draws, and the same numbers as a table for downloads."""

    payload: dict[str, Any]
    headers: list[str]
    rows: list[list[Any]]
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return self.payload | {"note": self.note}


@dataclasses.dataclass(frozen=True)
class IndicatorInfo:
    code: str
    name: str
    unit_of_measure: str
    decimals: int
    aggregation: str
    value_type: str

    def label(self, value: float | None) -> str:
        if value is None:
            return ""
        return format_number(Decimal(repr(value)), decimals=self.decimals)


def indicator_infos(codes: Sequence[str]) -> dict[str, IndicatorInfo]:
    return {
        i.code: IndicatorInfo(
            i.code, i.name, i.unit_of_measure, i.decimals, i.aggregation, i.value_type
        )
        for i in Indicator.objects.filter(code__in=codes)
    }


@dataclasses.dataclass(frozen=True)
class PanelSpec:
    """A panel as the builders see it: a stored `DashboardPanel`, or one a page composes
    itself (the page of an indicator)."""

    chart: str
    title: str
    codes: tuple[str, ...]
    periods: int = 12
    disaggregation: str = ""
    level: str = ""
    regime: str = ""
    regime_name: str = ""
    width: int = 3
    limit: int = 12  # items listed (alerts); 0 for all

    @classmethod
    def of(cls, panel: DashboardPanel) -> PanelSpec:
        return cls(
            chart=panel.chart,
            title=panel.title,
            codes=tuple(entry.indicator.code for entry in panel.entries.all()),
            periods=panel.periods,
            disaggregation=panel.disaggregation,
            level=panel.level,
            regime=panel.regime.code if panel.regime else "",
            regime_name=panel.regime.name if panel.regime else "",
            width=panel.width,
        )


def panel_indicators(panel: PanelSpec) -> list[str]:
    return list(panel.codes)


def panel_result(
    panel: PanelSpec,
    filters: Filters,
    *,
    user: Any,
    version: str = "",
    batch: TilesBatch | None = None,
) -> PanelResult:
    """The figures of `panel` for `filters`, as `user` may see them.

    With the analytics `version` (`analytics_version`), the answer is kept in the cache until
    a figure, a report or the store changes: every leader opening the overview after the
    first reads it from memory, as DHIS2's analytics cache does. Units seen and language are
    part of the key; data-quality counts may lag by `CACHE_SECONDS` at most.
    """

    def build() -> PanelResult:
        if panel.chart == ChartKind.TILES:
            return _tiles(panel, filters, user, batch)
        return BUILDERS[ChartKind(panel.chart)](panel, filters, user)

    if not version:
        return build()
    key = _cache_key(panel, filters, user, version)
    cached: PanelResult | None = cache.get(key)
    if cached is None:
        cached = build()
        cache.set(key, cached, CACHE_SECONDS)
    return cached


# How long a panel's figures are kept at most; a change of figures or reports changes the key.
CACHE_SECONDS = 300


def _cache_key(panel: PanelSpec, filters: Filters, user: Any, version: str) -> str:
    from baocao.accounts import scope

    seen = "all" if user is None or scope.sees_everything(user) else f"u{user.unit_id}"
    text = "|".join(
        (repr(panel), filters.query(), filters.unit.code, seen, version, get_language() or "")
    )
    return "dashboards:panel:" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


# Periods --------------------------------------------------------------------------------------


def natural_periods(codes: Sequence[str], period: Period) -> dict[str, Period]:
    """Each indicator's period for a page about `period` (see the module docstring)."""
    types = analytics.indicator_period_types(codes)
    chosen: dict[str, Period] = {}
    rank = {kind: index for index, kind in enumerate(TYPE_ORDER)}
    page_rank = rank.get(period.type, 0)
    for code in codes:
        stored = [PeriodType(kind) for kind in types.get(code, ()) if kind in rank]
        if not stored or any(rank[kind] <= page_rank for kind in stored):
            chosen[code] = period
            continue
        coarser = min(stored, key=lambda kind: rank[kind])
        candidate = period_of(coarser, period.end)
        chosen[code] = candidate if candidate.end <= period.end else candidate.previous()
    return chosen


def series_of(period: Period, count: int) -> list[Period]:
    """`count` periods of `period`'s type ending with it, oldest first."""
    return [period.previous(n) for n in range(count - 1, -1, -1)]


def _growth(value: float | None, before: float | None) -> float | None:
    if value is None or before is None or before == 0:
        return None
    return (value - before) / abs(before) * 100


def _changes(
    info: IndicatorInfo, value: float | None, before: float | None, a_year_ago: float | None
) -> dict[str, Any]:
    """Changes against the previous period and last year: relative (%) for quantities, in
    percentage points for rates and indices, whose relative change would mislead (a growth
    rate from 7.1 to 6.0 is 1.1 points lower, not 15% lower)."""
    if info.value_type == "percentage" or info.unit_of_measure.strip() == "%":
        previous = None if value is None or before is None else value - before
        last_year = None if value is None or a_year_ago is None else value - a_year_ago
        return {
            "growth_previous": previous,
            "growth_previous_label": _points(previous),
            "growth_last_year": last_year,
            "growth_last_year_label": _points(last_year),
        }
    return {
        "growth_previous": _growth(value, before),
        "growth_previous_label": _percent(_growth(value, before)),
        "growth_last_year": _growth(value, a_year_ago),
        "growth_last_year_label": _percent(_growth(value, a_year_ago)),
    }


def _points(value: float | None) -> str:
    if value is None:
        return ""
    sign = "+" if value > 0 else ""
    number = format_number(Decimal(repr(round(value, 2))), decimals=2)
    return _("%(sign)s%(number)s points") % {"sign": sign, "number": number}


def _percent(value: float | None) -> str:
    if value is None:
        return ""
    sign = "+" if value > 0 else ""
    return f"{sign}{format_number(Decimal(repr(round(value, 1))), decimals=1)}%"


def unit_url(code: str, filters: Filters) -> str:
    return reverse("dashboards:unit", args=[code]) + "?" + filters.query(unit="")


# Builders -------------------------------------------------------------------------------------


class TilesBatch:
    """The figures of every tiles panel of a page, read in one analytics query per period
    type instead of one per panel (the overview has nine such panels): read when the first
    panel not in the cache asks for them."""

    def __init__(self, specs: Sequence[PanelSpec], filters: Filters, user: Any) -> None:
        tiles = [spec for spec in specs if spec.chart == ChartKind.TILES]
        self.codes = list(dict.fromkeys(code for spec in tiles for code in spec.codes))
        self.count = max((spec.periods for spec in tiles), default=12)
        self.filters = filters
        self.user = user
        self._periods: dict[str, Period] | None = None
        self._values: dict[tuple[str, str], analytics.Row] | None = None

    def periods(self) -> dict[str, Period]:
        if self._periods is None:
            self._periods = natural_periods(self.codes, self.filters.period)
        return self._periods

    def values(self) -> dict[tuple[str, str], analytics.Row]:
        if self._values is None:
            periods = self.periods()
            by_period: dict[Period, list[str]] = defaultdict(list)
            for code in self.codes:
                by_period[periods[code]].append(code)
            self._values = {}
            for period, group in by_period.items():
                count = max(self.count, PERIODS_PER_YEAR.get(period.type, 1) + 1)
                result = analytics.analytics_query(
                    indicators=group,
                    units=[self.filters.unit.code],
                    periods=[p.code for p in series_of(period, count)],
                    disaggregation=self.filters.disaggregation,
                    structure=self.filters.structure_date,
                    user=self.user,
                )
                self._values |= {(row.indicator, row.period): row for row in result.rows}
        return self._values


def _tiles(
    panel: PanelSpec, filters: Filters, user: Any, batch: TilesBatch | None = None
) -> PanelResult:
    """Value, change against the previous period and the same period last year, target and
    a sparkline of each indicator, for the page's unit."""
    codes = panel_indicators(panel)
    infos = indicator_infos(codes)
    batch = batch if batch is not None and set(codes) <= set(batch.codes) else None
    batch = batch or TilesBatch([panel], filters, user)
    periods = batch.periods()
    values = batch.values()
    targets = _targets(codes, filters.unit, periods)
    to_date = _year_to_date(infos, periods, targets, filters, user)
    tiles: list[dict[str, Any]] = []
    rows: list[list[Any]] = []
    for code in codes:
        info = infos[code]
        period = periods[code]
        count = max(panel.periods, PERIODS_PER_YEAR.get(period.type, 1) + 1)
        series = series_of(period, count)
        current = values.get((code, period.code))
        previous = values.get((code, period.previous().code))
        last_year = values.get((code, period.same_period_last_year().code))
        value = current.value if current else None
        before = previous.value if previous else None
        a_year_ago = last_year.value if last_year else None
        target = targets.get(code)
        spark = [values[(code, p.code)].value if (code, p.code) in values else None for p in series]
        tile = {
            "indicator": code,
            "name": info.name,
            "unit_of_measure": info.unit_of_measure,
            "period": period.code,
            "period_label": period_code_label(period.code),
            "value": value,
            "label": info.label(value),
            "previous": before,
            "previous_label": info.label(before),
            "last_year": a_year_ago,
            "last_year_label": info.label(a_year_ago),
            **_changes(info, value, before, a_year_ago),
            "target": float(target.value) if target else None,
            "target_label": info.label(float(target.value)) if target else "",
            "target_period_label": period_code_label(target.period) if target else "",
            **to_date.get(code, {}),
            "provisional": bool(current and current.provisional),
            "remapped": bool(current and current.remapped),
            "partial": bool(current and current.partial),
            "spark": spark,
            "spark_labels": [period_code_label(p.code) for p in series],
            "url": reverse("dashboards:indicator", args=[code]) + "?" + filters.query(),
        }
        tiles.append(tile)
        rows.append(
            [
                code,
                info.name,
                period.code,
                value,
                info.unit_of_measure,
                before,
                a_year_ago,
                tile["growth_previous"],
                tile["growth_last_year"],
                tile["target"],
                tile["provisional"],
            ]
        )
    headers = [
        _("Indicator code"),
        _("Indicator"),
        _("Period"),
        _("Value"),
        _("Unit of measure"),
        _("Previous period"),
        _("Same period last year"),
        _("Change on previous period (%)"),
        _("Change on last year (%)"),
        _("Target"),
        _("Provisional"),
    ]
    return PanelResult({"tiles": tiles}, headers, rows)


def _year_to_date(
    infos: dict[str, IndicatorInfo],
    periods: dict[str, Period],
    targets: dict[str, IndicatorTarget],
    filters: Filters,
    user: Any,
) -> dict[str, dict[str, Any]]:
    """For a figure that adds up over time with a target for its year (budget revenue, say):
    the year so far, and how much of the target it reaches. One query for the panel."""
    wanted: dict[str, Period] = {}
    for code, target in targets.items():
        period = periods[code]
        if (
            infos[code].aggregation == "sum"
            and target.period == str(period.start.year)
            and period.type is not PeriodType.YEAR
        ):
            wanted[code] = Period.range(dt.date(period.start.year, 1, 1), period.end)
    if not wanted:
        return {}
    ranges = {p.code for p in wanted.values()}
    result = analytics.analytics_query(
        indicators=list(wanted),
        units=[filters.unit.code],
        periods=sorted(ranges),
        structure=filters.structure_date,
        user=user,
    )
    found = {(row.indicator, row.period): row.value for row in result.rows}
    shares: dict[str, dict[str, Any]] = {}
    for code, span in wanted.items():
        value = found.get((code, span.code))
        if value is None:
            continue
        goal = float(targets[code].value)
        shares[code] = {
            "to_date": value,
            "to_date_label": infos[code].label(value),
            "target_share": value / goal * 100 if goal else None,
            "target_share_label": _percent(value / goal * 100).lstrip("+") if goal else "",
        }
    return shares


def _targets(
    codes: Sequence[str], unit: Unit, periods: dict[str, Period]
) -> dict[str, IndicatorTarget]:
    """Each indicator's target for the unit: for its period itself, else for the period's
    year (a resolution sets a year's figure)."""
    wanted = {p.code for p in periods.values()} | {str(p.start.year) for p in periods.values()}
    found: dict[tuple[str, str], IndicatorTarget] = {
        (t.indicator.code, t.period): t
        for t in IndicatorTarget.objects.filter(
            indicator__code__in=codes, unit=unit, period__in=wanted
        ).select_related("indicator")
    }
    chosen: dict[str, IndicatorTarget] = {}
    for code in codes:
        period = periods[code]
        target = found.get((code, period.code)) or found.get((code, str(period.start.year)))
        if target is not None:
            chosen[code] = target
    return chosen


def _series(panel: PanelSpec, filters: Filters, user: Any) -> PanelResult:
    """Each indicator's values over the panel's number of periods, for the page's unit."""
    codes = panel_indicators(panel)
    infos = indicator_infos(codes)
    periods = natural_periods(codes, filters.period)
    lines: list[dict[str, Any]] = []
    rows: list[list[Any]] = []
    by_period: dict[Period, list[str]] = defaultdict(list)
    for code in codes:
        by_period[periods[code]].append(code)
    found: dict[tuple[str, str, str], analytics.Row] = {}
    for period, group in by_period.items():
        result = analytics.analytics_query(
            indicators=group,
            units=[filters.unit.code],
            periods=[p.code for p in series_of(period, panel.periods)],
            disaggregation=panel.disaggregation or filters.disaggregation,
            structure=filters.structure_date,
            user=user,
        )
        for row in result.rows:
            found[(row.indicator, row.period, row.disaggregation)] = row
    for code in codes:
        info = infos[code]
        series = series_of(periods[code], panel.periods)
        options = sorted({key[2] for key in found if key[0] == code}) or [""]
        for option in options:
            ys = [
                found[(code, p.code, option)].value if (code, p.code, option) in found else None
                for p in series
            ]
            lines.append(
                {
                    "indicator": code,
                    "name": info.name + (f" ({option})" if option else ""),
                    "unit_of_measure": info.unit_of_measure,
                    "x": [period_code_label(p.code) for p in series],
                    # Where each period sits in time, so that quarters and months share an axis.
                    "dates": [(p.start + (p.end - p.start) / 2).isoformat() for p in series],
                    "periods": [p.code for p in series],
                    "y": ys,
                    "labels": [info.label(y) for y in ys],
                }
            )
            for period, y in zip(series, ys, strict=True):
                rows.append([code, info.name, option, period.code, y, info.unit_of_measure])
    headers = [
        _("Indicator code"),
        _("Indicator"),
        _("Disaggregation"),
        _("Period"),
        _("Value"),
        _("Unit of measure"),
    ]
    note = "" if any(y is not None for line in lines for y in line["y"]) else _no_data(filters)
    return PanelResult({"series": lines, "unit": filters.unit.code}, headers, rows, note)


def _below(panel: PanelSpec, filters: Filters, user: Any) -> tuple[Unit, str, list[str]]:
    """The units a ranking, map or table shows: those of the panel's level directly below the
    page's unit (the provinces below the Government), limited to what the user may see.
    Returns the parent, the level asked for and the codes visible."""
    parent = filters.unit
    if panel.chart == ChartKind.MAP:
        parent = Unit.objects.get(code=GOVERNMENT)
    day = (
        dt.date.fromisoformat(filters.structure_date)
        if filters.structure_date[:1].isdigit()
        else filters.period.end
    )
    children = org_selectors.unit_children(unit=parent, on=day).select_related("unit")
    level = panel.level
    units = [v.unit for v in children if not level or v.unit.level == level]
    if not units:
        # A page about a province with a panel of "provinces": show its own units below.
        units = [v.unit for v in children]
    from baocao.accounts import scope

    visible = scope.unit_ids_in_scope(user) if user is not None else None
    codes = [u.code for u in units if visible is None or u.pk in visible]
    return parent, level, codes


def _chosen_indicator(panel: PanelSpec, filters: Filters) -> str:
    codes = panel_indicators(panel)
    if filters.indicator and (panel.chart == ChartKind.MAP or filters.indicator in codes):
        return filters.indicator
    return codes[0]


def _units_figures(
    panel: PanelSpec, filters: Filters, user: Any, codes: Sequence[str]
) -> tuple[list[str], dict[str, Period], dict[tuple[str, str], analytics.Row], list[str]]:
    """Figures of `codes` for the units below, each indicator on its period."""
    _parent, _level, units = _below(panel, filters, user)
    periods = natural_periods(codes, filters.period)
    found: dict[tuple[str, str], analytics.Row] = {}
    if units:
        by_period: dict[Period, list[str]] = defaultdict(list)
        for code in codes:
            by_period[periods[code]].append(code)
        for period, group in by_period.items():
            result = analytics.analytics_query(
                indicators=group,
                units=units,
                periods=[period.code],
                disaggregation=panel.disaggregation or filters.disaggregation,
                structure=filters.structure_date,
                comparisons=["last_year"],
                user=user,
            )
            for row in result.rows:
                if row.period == period.code:
                    found[(row.indicator, row.unit)] = row
    return units, periods, found, list(codes)


def _ranking(panel: PanelSpec, filters: Filters, user: Any) -> PanelResult:
    code = _chosen_indicator(panel, filters)
    info = indicator_infos([code])[code]
    units, periods, found, _codes = _units_figures(panel, filters, user, [code])
    names = _unit_names(units, filters)
    items: list[dict[str, Any]] = [
        {
            "unit": unit,
            "name": names.get(unit, unit),
            "value": found[(code, unit)].value if (code, unit) in found else None,
            "url": unit_url(unit, filters),
        }
        for unit in units
    ]
    items.sort(key=lambda item: (item["value"] is None, -(item["value"] or 0)))
    for rank, item in enumerate(items, start=1):
        item["rank"] = rank if item["value"] is not None else None
        item["label"] = info.label(item["value"])
    shown = items
    if len(items) > RANKING_SHOWN:
        half = RANKING_SHOWN // 2
        with_values = [item for item in items if item["value"] is not None]
        shown = (
            with_values[:half] + with_values[-half:]
            if len(with_values) > RANKING_SHOWN
            else with_values
        )
    rows = [[item["rank"], item["unit"], item["name"], item["value"]] for item in items]
    headers = [_("Rank"), _("Unit code"), _("Unit"), f"{info.name} ({info.unit_of_measure})"]
    note = "" if any(item["value"] is not None for item in items) else _no_data(filters)
    payload = {
        "indicator": code,
        "name": info.name,
        "unit_of_measure": info.unit_of_measure,
        "period_label": period_code_label(periods[code].code),
        "items": shown,
        "total": len(items),
    }
    return PanelResult(payload, headers, rows, note)


def _map(panel: PanelSpec, filters: Filters, user: Any) -> PanelResult:
    code = _chosen_indicator(panel, filters)
    info = indicator_infos([code])[code]
    units, periods, found, _codes = _units_figures(panel, filters, user, [code])
    names = _unit_names(units, filters)
    rows_out = [
        {
            "code": unit,
            "name": names.get(unit, unit),
            "value": found[(code, unit)].value if (code, unit) in found else None,
            "label": info.label(found[(code, unit)].value) if (code, unit) in found else "",
        }
        for unit in units
    ]
    payload = {
        "indicator": code,
        "name": info.name,
        "unit_of_measure": info.unit_of_measure,
        "period_label": period_code_label(periods[code].code),
        "rows": rows_out,
        "geojson": reverse("dashboards:geo", args=[filters.map_day.isoformat()]),
        "drill": reverse("dashboards:unit", args=["CODE"]) + "?" + filters.query(unit=""),
    }
    headers = [_("Unit code"), _("Unit"), f"{info.name} ({info.unit_of_measure})"]
    rows = [[row["code"], row["name"], row["value"]] for row in rows_out]
    note = "" if any(row["value"] is not None for row in rows_out) else _no_data(filters)
    return PanelResult(payload, headers, rows, note)


def _table(panel: PanelSpec, filters: Filters, user: Any) -> PanelResult:
    codes = panel_indicators(panel)
    infos = indicator_infos(codes)
    units, periods, found, _codes = _units_figures(panel, filters, user, codes)
    names = _unit_names(units, filters)
    columns = [
        {
            "indicator": code,
            "name": infos[code].name,
            "unit_of_measure": infos[code].unit_of_measure,
            "period_label": period_code_label(periods[code].code),
        }
        for code in codes
    ]
    table_rows: list[dict[str, Any]] = []
    for unit in units:
        cells = []
        for code in codes:
            row = found.get((code, unit))
            value = row.value if row else None
            cells.append(
                {
                    "value": value,
                    "label": infos[code].label(value),
                    "growth_last_year": _growth(value, row.last_year if row else None),
                    "provisional": bool(row and row.provisional),
                }
            )
        table_rows.append(
            {
                "unit": unit,
                "name": names.get(unit, unit),
                "url": unit_url(unit, filters),
                "cells": cells,
            }
        )
    headers = [
        _("Unit code"),
        _("Unit"),
        *[
            f"{infos[c].name} ({infos[c].unit_of_measure}, {period_code_label(periods[c].code)})"
            for c in codes
        ],
    ]
    rows = [[r["unit"], r["name"], *[c["value"] for c in r["cells"]]] for r in table_rows]
    note = (
        ""
        if any(c["value"] is not None for r in table_rows for c in r["cells"])
        else _no_data(filters)
    )
    return PanelResult({"columns": columns, "rows": table_rows}, headers, rows, note)


def _completeness(panel: PanelSpec, filters: Filters, user: Any) -> PanelResult:
    """Who has reported for the page's period: the units below the page's unit."""
    regime = panel.regime
    period = filters.period
    if filters.period_type != PeriodType.MONTH:
        period = period_of(PeriodType.MONTH, filters.period.end)
    result = analytics_completeness.reporting_completeness(
        regime=regime, periods=[period.code], children_of=filters.unit.code, user=user
    )
    if not result:
        result = analytics_completeness.reporting_completeness(
            regime=regime, periods=[period.code], units=[filters.unit.code], user=user
        )
    items = [row.as_dict() for row in result]
    totals = {
        key: sum(item[key] for item in items)
        for key in (
            "expected",
            "received",
            "accepted",
            "on_time",
            "late",
            "missing",
            "missing_overdue",
        )
    }
    headers = [
        _("Unit code"),
        _("Unit"),
        _("Expected"),
        _("Received"),
        _("Accepted"),
        _("On time"),
        _("Late"),
        _("Missing"),
        _("Missing, overdue"),
    ]
    rows = [
        [
            i["unit"],
            i["unit_name"],
            i["expected"],
            i["received"],
            i["accepted"],
            i["on_time"],
            i["late"],
            i["missing"],
            i["missing_overdue"],
        ]
        for i in items
    ]
    board = (
        reverse("dashboards:reporting-board")
        + "?"
        + filters.query(period=period.code, period_type="month")
        + f"&regime={regime}"
    )
    payload = {
        "regime": regime,
        "regime_name": panel.regime_name,
        "period_label": period_code_label(period.code),
        "items": items,
        "totals": totals,
        "board": board,
    }
    return PanelResult(payload, headers, rows)


def _alerts(panel: PanelSpec, filters: Filters, user: Any) -> PanelResult:
    from baocao.dashboards.alerts import alerts_for

    alerts = alerts_for(filters, user=user)
    headers = [_("Severity"), _("Kind"), _("Unit"), _("Period"), _("Alert")]
    rows = [
        [str(AlertSeverity(a.severity).label), a.kind_label, a.unit_name, a.period_label, a.message]
        for a in alerts
    ]
    return PanelResult({"alerts": [a.as_dict() for a in alerts]}, headers, rows)


def _unit_names(codes: Sequence[str], filters: Filters) -> dict[str, str]:
    day = filters.map_day
    names: dict[str, str] = {}
    for version in (
        org_selectors.versions_on(day).filter(unit__code__in=codes).select_related("unit")
    ):
        names[version.unit.code] = version.name
    missing = [code for code in codes if code not in names]
    if missing:
        for unit in Unit.objects.filter(code__in=missing):
            names[unit.code] = org_selectors.unit_name_as_of(unit=unit, on=filters.period.end)
    return names


def _no_data(filters: Filters) -> str:
    return _("No data for %(period)s yet: the reports for it may not have arrived.") % {
        "period": period_code_label(filters.period.code)
    }


BUILDERS = {
    ChartKind.TILES: _tiles,
    ChartKind.LINE: _series,
    ChartKind.BAR: _series,
    ChartKind.RANKING: _ranking,
    ChartKind.MAP: _map,
    ChartKind.TABLE: _table,
    ChartKind.COMPLETENESS: _completeness,
    ChartKind.ALERTS: _alerts,
}
