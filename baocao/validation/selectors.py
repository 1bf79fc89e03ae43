"""Reading data quality: a report's values judged against the unit's own history.

Issue 5, scope 4: outliers are "shown as warnings with the expected range". The judgement
itself is `baocao.validation.outliers` (plain Python); this module fetches the history it
needs from the stored values and turns a verdict into the note the review page shows
(through the `baocao.submissions.notes` hook, registered in `ValidationConfig.ready`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from baocao.accounts import scope
from baocao.catalogue.choices import (
    NUMERIC_VALUE_TYPES,
    ReconciliationKind,
    RuleImportance,
    ValueType,
)
from baocao.catalogue.labels import period_code_label
from baocao.catalogue.models import Indicator
from baocao.core.errors import NotFound
from baocao.core.numbers import format_number
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit
from baocao.periods import Period, PeriodError, PeriodType, parse_period
from baocao.submissions import selectors as submission_selectors
from baocao.submissions.checks import NOTICE, Finding
from baocao.submissions.layout import CellKey, ReportLayout
from baocao.submissions.models import DataValue, Report
from baocao.submissions.notes import OUTLIER as OUTLIER_NOTE
from baocao.submissions.notes import ValueNote
from baocao.submissions.permissions import AnyUser
from baocao.validation.choices import DiscrepancyStatus, RunStatus, ViolationStatus
from baocao.validation.errors import ValidationError
from baocao.validation.models import (
    Discrepancy,
    DiscrepancyEvent,
    OutlierFinding,
    RuleViolation,
    ValidationRun,
)
from baocao.validation.outliers import (
    OUTLIER,
    RECENT_PERIODS,
    SEASONAL,
    Expectation,
    OutlierSettings,
    OutlierVerdict,
    outlier_expectation,
)

# How far back the history goes. Ten years of monthly data (120 values) is far more than the
# seasonal basis uses (at most RECENT_PERIODS values of the same month) and bounds the query
# for units that have reported for decades.
HISTORY_YEARS = 10

# The literature's thresholds (see `baocao.validation.outliers`); a frozen dataclass.
DEFAULT_SETTINGS = OutlierSettings()

# The code of an outlier finding of the entry form's live check.
OUTLIER_CODE = "OUTLIER"

# Stored codes repeat for every cell and unit; a Period is immutable, so caching is safe.
_parse_period = lru_cache(maxsize=4096)(parse_period)


def report_outliers(
    report: Report,
    values: Mapping[CellKey, str] | None = None,
    *,
    settings: OutlierSettings = DEFAULT_SETTINGS,
) -> dict[CellKey, OutlierVerdict]:
    """The report's numeric values that are outliers against the unit's own history.

    `values` are canonical texts by cell (a version's content, or the entry page's); by
    default the report's stored values. The history of a cell is the unit's stored values
    of the same indicator, disaggregation and source for the earlier periods of the same
    type, at most `HISTORY_YEARS` back: only earlier ones, so a report reviewed again later
    gets the same verdict, and the page can say "compared with earlier years". It is read in
    one query for all cells.

    For counts (integer indicators) the expected range is clamped at 0 and for percentages
    to 0..100: median - 3.5 sigma is often below zero for small counts, and "expected -4 to
    12 dossiers" reads as a bug, since a count cannot be negative (nor a percentage leave
    0..100; the built-in checks refuse such values anyway).
    """
    return _judged(report, values, settings).verdicts


@dataclasses.dataclass(frozen=True)
class _Judged:
    verdicts: dict[CellKey, OutlierVerdict]
    history_sizes: dict[CellKey, int]
    layout: ReportLayout | None


def _judged(
    report: Report, values: Mapping[CellKey, str] | None, settings: OutlierSettings
) -> _Judged:
    try:
        period = parse_period(report.period)
    except PeriodError:
        return _Judged({}, {}, None)
    layout = submission_selectors.layout_of(report)
    if values is None:
        values = {
            key: value.value for key, value in submission_selectors.report_values(report).items()
        }
    indicators: dict[CellKey, Indicator] = {}
    numbers: dict[CellKey, Decimal] = {}
    for key, cell in layout.cells.items():
        if cell.indicator.value_type not in NUMERIC_VALUE_TYPES:
            continue
        number = stored_number(values.get(key, ""))
        if number is not None:
            indicators[key] = cell.indicator
            numbers[key] = number
    if not numbers:
        return _Judged({}, {}, layout)
    history = _history(report, period, layout)
    verdicts: dict[CellKey, OutlierVerdict] = {}
    for key, number in numbers.items():
        verdict = history.expectation(key, period, settings).judge(float(number))
        if verdict.status == OUTLIER:
            verdicts[key] = verdict_clamped(verdict, indicators[key].value_type)
    sizes = {key: len(history.points.get(key, [])) for key in verdicts}
    return _Judged(verdicts, sizes, layout)


def report_outlier_notes(report: Report, values: Mapping[CellKey, str]) -> dict[CellKey, ValueNote]:
    """The review page's notes on outliers: "Expected 120 to 180 (compared with ...)".

    Registered with `baocao.submissions.notes` in `ValidationConfig.ready`; the text is in
    the active language.
    """
    judged = _judged(report, values, DEFAULT_SETTINGS)
    if not judged.verdicts or judged.layout is None:
        return {}
    period_type = parse_period(report.period).type
    notes: dict[CellKey, ValueNote] = {}
    for key, verdict in judged.verdicts.items():
        notes[key] = ValueNote(
            kind=OUTLIER_NOTE,
            text=outlier_expected_text(
                verdict,
                decimals=judged.layout.cells[key].indicator.decimals,
                period_type=period_type,
                history_size=judged.history_sizes[key],
            ),
            low=verdict.expected_low,
            high=verdict.expected_high,
        )
    return notes


def report_outlier_findings(report: Report, texts: Mapping[CellKey, str] | None) -> list[Finding]:
    """The outliers among the values on the entry page (or stored), as notices.

    Registered with `baocao.submissions.checks` in `ValidationConfig.ready`, so the entry
    form's live check shows them while the officer types: "The value 1.520 of «Dossiers
    received» is unusual: expected 120 to 180 (compared with the same month of earlier
    years)". A notice never blocks the submission (see `baocao.submissions.checks`): a true
    surge is legitimate. The history is read in one query, as for the review page.
    """
    judged = _judged(report, texts, DEFAULT_SETTINGS)
    if not judged.verdicts or judged.layout is None:
        return []
    period_type = parse_period(report.period).type
    findings: list[Finding] = []
    for key, verdict in judged.verdicts.items():
        cell = judged.layout.cells[key]
        decimals = cell.indicator.decimals
        expected = outlier_expected_text(
            verdict,
            decimals=decimals,
            period_type=period_type,
            history_size=judged.history_sizes[key],
        )
        findings.append(
            Finding(
                code=OUTLIER_CODE,
                importance=NOTICE,
                message=_("The value %(value)s of “%(cell)s” is unusual: %(expected)s")
                % {
                    "value": format_number(verdict.value, decimals=decimals),
                    "cell": cell.label,
                    # "Expected ..." opens a sentence on the review page, follows a colon here.
                    "expected": expected[:1].lower() + expected[1:],
                },
                cells=(key,),
            )
        )
    return findings


def outlier_expected_text(
    verdict: OutlierVerdict, *, decimals: int, period_type: PeriodType, history_size: int
) -> str:
    """The expected range in words, in the active language, rounded inwards.

    "Expected 120 to 180 (compared with the same month of earlier years)".
    """
    if verdict.expected_low is None or verdict.expected_high is None:
        raise ValueError("only an outlier's verdict has an expected range")
    low, high = _display_range(verdict.expected_low, verdict.expected_high, decimals)
    return _basis_text(verdict, period_type) % {
        "low": format_number(low, decimals=decimals),
        "high": format_number(high, decimals=decimals),
        # The recent basis is the nearest RECENT_PERIODS earlier periods, or all.
        "count": min(history_size, RECENT_PERIODS),
    }


# History --------------------------------------------------------------------------------------


class _FormHistory:
    """The earlier values of a form's cells, and what each cell's history expects."""

    def __init__(self, points: dict[CellKey, list[tuple[Period, float]]]) -> None:
        self.points = points
        self._expected: dict[tuple[CellKey, Period, OutlierSettings], Expectation] = {}

    def expectation(self, key: CellKey, period: Period, settings: OutlierSettings) -> Expectation:
        found = self._expected.get((key, period, settings))
        if found is None:
            found = outlier_expectation(self.points.get(key, []), period=period, settings=settings)
            self._expected[(key, period, settings)] = found
        return found


def _history(report: Report, period: Period, layout: ReportLayout) -> _FormHistory:
    """(period, number) pairs of the earlier periods, by cell of the form, cached.

    The live check asks for the same history at every keystroke, and ten years of a 300-cell
    form are 36,000 stored values (80 ms to read on SQLite, as much again to sort out). One
    cheap query says whether any of them changed (their count and latest change); if not, the
    history read last time, and what it expects of each cell, are used again.
    """
    cutoff = years_before(period.start, HISTORY_YEARS)
    codes = {
        cell.indicator.pk: cell.indicator.code
        for cell in layout.cells.values()
        if cell.indicator.value_type in NUMERIC_VALUE_TYPES
    }
    rows = DataValue.objects.filter(
        unit_id=report.unit_id,
        source=report.source,
        indicator_id__in=codes,
        period__gte=f"{cutoff.year:04d}",
        period__lt=period.code,
    )
    stamp = rows.aggregate(count=Count("pk"), latest=Max("updated_at"))
    key = (
        report.unit_id,
        report.source,
        period.code,
        report.regime_version_id,
        stamp["count"],
        stamp["latest"],
    )
    found = _HISTORIES.get(key)
    if found is None:
        found = _FormHistory(_history_read(rows, codes, set(layout.cells), period, cutoff))
        with _HISTORIES_LOCK:  # a threaded server serves several officers at once
            _HISTORIES[key] = found
            while len(_HISTORIES) > HISTORIES_KEPT:
                _HISTORIES.pop(next(iter(_HISTORIES)))
    return found


# The histories last read, oldest first, per process: the few forms being typed in now.
HISTORIES_KEPT = 8
_HISTORIES: dict[tuple[object, ...], _FormHistory] = {}
_HISTORIES_LOCK = threading.Lock()


def _history_read(
    rows: QuerySet[DataValue],
    codes: Mapping[int, str],
    wanted: set[CellKey],
    period: Period,
    cutoff: dt.date,
) -> dict[CellKey, list[tuple[Period, float]]]:
    """Codes of one period type have a fixed width and begin with the year (`202611`,
    `2026Q3`, `2026W05`), so they sort as their periods do and the bounds are compared as
    strings in the database; the codes of other types that fall between them are dropped."""
    history: dict[CellKey, list[tuple[Period, float]]] = {}
    # Per row only dictionary look-ups (a 300-cell form has 36,000 such values).
    for indicator_id, disaggregation, period_code, text in rows.values_list(
        "indicator_id", "disaggregation", "period", "value"
    ):
        key = (codes[indicator_id], disaggregation)
        if key not in wanted:
            continue
        stored = stored_period(period_code)
        if stored is None:
            continue
        earlier, _canonical = stored
        # Same type: an earlier start is an earlier period.
        if earlier.type != period.type or not cutoff <= earlier.start < period.start:
            continue
        number = stored_number(text)
        if number is not None:
            history.setdefault(key, []).append((earlier, float(number)))
    return history


@lru_cache(maxsize=8192)
def stored_period(code: str) -> tuple[Period, str] | None:
    """A stored period code parsed, with its canonical code; None if it is not one.

    Cached: history repeats the same few hundred codes for every cell and unit, and a
    Period is immutable.
    """
    try:
        period = parse_period(code)
    except PeriodError:
        return None
    return period, period.code


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def stored_number(text: str) -> Decimal | None:
    """A stored canonical number, or None for an empty, non-numeric or infinite text."""
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


# Display --------------------------------------------------------------------------------------


def verdict_clamped(verdict: OutlierVerdict, value_type: str) -> OutlierVerdict:
    """The verdict with its expected range inside the values the indicator can take."""
    low, high = verdict.expected_low, verdict.expected_high
    if low is None or high is None:
        return verdict
    if value_type == ValueType.INTEGER:
        # A count cannot be negative (e.g. dossiers received): see `report_outliers`.
        low = max(low, 0.0)
    elif value_type == ValueType.PERCENTAGE:
        low, high = max(low, 0.0), min(high, 100.0)
    low = min(low, high)
    return dataclasses.replace(verdict, expected_low=low, expected_high=high)


def _display_range(low: float, high: float, decimals: int) -> tuple[Decimal, Decimal]:
    """The expected range rounded inwards to the indicator's decimals.

    Rounding half up could show "87 to 153" for 87.4 to 152.6 next to an outlier of 153;
    rounded inwards the shown range holds exactly the values of that precision that are not
    outliers. When the range is narrower than one step, it is rounded half up instead.
    """
    quantum = Decimal(1).scaleb(-decimals)
    shown_low = Decimal(str(low)).quantize(quantum, rounding=ROUND_CEILING)
    shown_high = Decimal(str(high)).quantize(quantum, rounding=ROUND_FLOOR)
    if shown_low > shown_high:
        shown_low = Decimal(str(low)).quantize(quantum, rounding=ROUND_HALF_UP)
        shown_high = Decimal(str(high)).quantize(quantum, rounding=ROUND_HALF_UP)
    return shown_low, shown_high


def expected_range_text(low: float, high: float, decimals: int) -> str:
    """The expected range as the pages show it, rounded inwards ("941 to 1.459")."""
    shown_low, shown_high = _display_range(low, high, decimals)
    return (
        f"{format_number(shown_low, decimals=decimals)} – "
        f"{format_number(shown_high, decimals=decimals)}"
    )


def _basis_text(verdict: OutlierVerdict, period_type: PeriodType) -> str:
    if verdict.basis == SEASONAL:
        if period_type == PeriodType.QUARTER:
            return _(
                "Expected %(low)s – %(high)s (compared with the same quarter of earlier years)"
            )
        if period_type == PeriodType.HALF_YEAR:
            return _(
                "Expected %(low)s – %(high)s (compared with the same half-year of earlier years)"
            )
        return _("Expected %(low)s – %(high)s (compared with the same month of earlier years)")
    return _("Expected %(low)s – %(high)s (compared with the %(count)s most recent periods)")


# Batch validation runs ---------------------------------------------------------------------------


def validation_runs(*, user: AnyUser) -> QuerySet[ValidationRun]:
    """Runs the user may read: over units in their scope (every run for national users)."""
    runs = ValidationRun.objects.select_related("unit").order_by("-created_at", "-pk")
    ids = scope.unit_ids_in_scope(user)
    if ids is None:
        return runs
    return runs.filter(unit_id__in=ids)


def validation_run_get(*, run_id: int, user: AnyUser | None = None) -> ValidationRun:
    runs = (
        ValidationRun.objects.select_related("unit") if user is None else validation_runs(user=user)
    )
    run = runs.filter(pk=run_id).first()
    if run is None:
        raise NotFound(ValidationError.RUN_NOT_FOUND, id=run_id)
    return run


def run_violations(run: ValidationRun) -> QuerySet[RuleViolation]:
    return (
        RuleViolation.objects.filter(run=run)
        .select_related("unit")
        .order_by("rule_code", "period", "unit__code")
    )


def run_outliers(
    run: ValidationRun, *, unit: str = "", indicator: str = ""
) -> QuerySet[OutlierFinding]:
    """The outliers a run kept, optionally of one unit (code) or indicator (code)."""
    found = OutlierFinding.objects.filter(run=run).select_related("unit")
    if unit:
        found = found.filter(unit__code=unit)
    if indicator:
        found = found.filter(indicator_code=indicator)
    return found.order_by("indicator_code", "disaggregation", "period", "unit__code", "source")


@dataclasses.dataclass(frozen=True)
class OutlierRow:
    """An outlier of a run as the run's page shows it (Vietnamese numbers, names)."""

    finding: OutlierFinding
    indicator_name: str
    unit_name: str
    period_label: str
    value: str
    expected: str  # "941 to 1.459" in the page's notation, rounded inwards
    basis: str


def outlier_rows(findings: Sequence[OutlierFinding]) -> list[OutlierRow]:
    """Display rows for a page of outliers (two queries: the indicators, the unit names)."""
    indicators = {
        code: (name, decimals)
        for code, name, decimals in Indicator.objects.filter(
            code__in={item.indicator_code for item in findings}
        ).values_list("code", "name", "decimals")
    }
    unit_names = dict(
        org_selectors.versions_on(org_selectors.today())
        .filter(unit_id__in={item.unit_id for item in findings})
        .values_list("unit_id", "name")
    )
    rows: list[OutlierRow] = []
    for item in findings:
        name, decimals = indicators.get(item.indicator_code, ("", 0))
        rows.append(
            OutlierRow(
                finding=item,
                indicator_name=name,
                unit_name=unit_names.get(item.unit_id, ""),
                period_label=period_code_label(item.period),
                value=format_number(item.value, decimals=decimals),
                expected=expected_range_text(item.expected_low, item.expected_high, decimals),
                basis=outlier_basis_label(item.basis, item.period),
            )
        )
    return rows


def outlier_basis_label(basis: str, period: str) -> str:
    """What a stored outlier was compared with, in the active language."""
    if basis != SEASONAL:
        return _("The most recent periods")
    try:
        period_type = _parse_period(period).type
    except PeriodError:
        period_type = PeriodType.MONTH
    if period_type == PeriodType.QUARTER:
        return _("The same quarter of earlier years")
    if period_type == PeriodType.HALF_YEAR:
        return _("The same half-year of earlier years")
    return _("The same month of earlier years")


# Discrepancies between sources ----------------------------------------------------------------


def discrepancies(
    *,
    user: AnyUser | None = None,
    status: str = "",
    rule: str = "",
    unit: Unit | None = None,
    period: str = "",
    indicator: str = "",
    source: str = "",
) -> QuerySet[Discrepancy]:
    """Discrepancies the user may see (their units; everything for national users), filtered.

    `unit` keeps that unit and everything below it today; `source` either side's source.
    The largest differences first within a period, the newest periods first.
    """
    found = Discrepancy.objects.select_related("rule", "indicator", "unit").order_by(
        "-period", "status", "rule__code", "unit__code", "disaggregation"
    )
    if user is not None:
        found = scope.restrict(found, user)
    if status:
        found = found.filter(status=status)
    if rule:
        found = found.filter(rule__code=rule)
    if unit is not None:
        found = found.filter(
            unit_id__in=org_selectors.descendant_ids(unit=unit, on=org_selectors.today())
        )
    if period:
        found = found.filter(period=period)
    if indicator:
        found = found.filter(indicator__code=indicator)
    if source:
        found = found.filter(Q(left_source=source) | Q(right_source=source))
    return found


def discrepancy_get(*, discrepancy_id: int, user: AnyUser | None = None) -> Discrepancy:
    found = discrepancies(user=user).filter(pk=discrepancy_id).first()
    if found is None:
        raise NotFound(ValidationError.DISCREPANCY_NOT_FOUND, id=discrepancy_id)
    return found


def discrepancy_events(discrepancy: Discrepancy) -> QuerySet[DiscrepancyEvent]:
    return DiscrepancyEvent.objects.filter(discrepancy=discrepancy).order_by("created_at", "pk")


def discrepancy_difference(discrepancy: Discrepancy) -> Decimal:
    """left - right, exactly, from the stored texts."""
    return Decimal(discrepancy.left_value) - Decimal(discrepancy.right_value)


def discrepancy_relative_difference(discrepancy: Discrepancy) -> Decimal | None:
    """The difference as a percentage of the right side (the reference), None if it is 0."""
    right = Decimal(discrepancy.right_value)
    if right == 0:
        return None
    return discrepancy_difference(discrepancy) / abs(right) * 100


# Counts for dashboards (issue 5, scope 6) -----------------------------------------------------


@dataclasses.dataclass
class QualityCounts:
    """Data-quality problems of a unit (and everything below it) in one period.

    Errors, warnings, not-evaluable rules and outliers come from the latest finished
    validation run that judged each unit and period (`run_ids`); open discrepancies are
    live. Violations are counted as kept by the run (up to 100,000 a run).
    """

    unit_id: int
    period: str
    errors: int = 0
    warnings: int = 0
    not_evaluable: int = 0
    outliers: int = 0
    open_discrepancies: int = 0
    run_ids: set[int] = dataclasses.field(default_factory=set)

    @property
    def judged(self) -> bool:
        return bool(self.run_ids)


# How many finished runs are looked at to find the latest one of each unit and period.
RUNS_CONSIDERED = 200


def quality_counts(
    *, units: Sequence[Unit], periods: Sequence[str], on: dt.date | None = None
) -> dict[tuple[int, str], QualityCounts]:
    """Counts for each of `units` and `periods`, each unit's counts including those below it.

    A province's counts add up its communes' (in the hierarchy in force on `on`, default
    today), so that a national dashboard can colour 34 provinces and drill down. Costs a
    fixed number of queries whatever the number of units: the hierarchy is read once.
    """
    on = on or org_selectors.today()
    periods = list(dict.fromkeys(periods))
    owner = _owners([unit.pk for unit in units], on)
    counts = {
        (unit.pk, period): QualityCounts(unit_id=unit.pk, period=period)
        for unit in units
        for period in periods
    }
    if not counts:
        return counts
    chosen = _latest_runs(set(owner), periods, on)
    by_run: dict[int, set[tuple[int, str]]] = {}
    for pair, run_id in chosen.items():
        by_run.setdefault(run_id, set()).add(pair)
    violations = (
        RuleViolation.objects.filter(run_id__in=by_run, period__in=periods)
        .values("run_id", "unit_id", "period", "importance", "status")
        .annotate(count=Count("pk"))
    )
    for row in violations:
        pair = (row["unit_id"], row["period"])
        if pair not in by_run.get(row["run_id"], ()):
            continue
        item = counts[(owner[row["unit_id"]], row["period"])]
        if row["status"] == ViolationStatus.NOT_EVALUABLE:
            item.not_evaluable += row["count"]
        elif row["importance"] == RuleImportance.ERROR:
            item.errors += row["count"]
        else:
            item.warnings += row["count"]
    outliers = (
        OutlierFinding.objects.filter(run_id__in=by_run, period__in=periods)
        .values("run_id", "unit_id", "period")
        .annotate(count=Count("pk"))
    )
    for row in outliers:
        pair = (row["unit_id"], row["period"])
        if pair in by_run.get(row["run_id"], ()):
            counts[(owner[row["unit_id"]], row["period"])].outliers += row["count"]
    for pair, run_id in chosen.items():
        counts[(owner[pair[0]], pair[1])].run_ids.add(run_id)
    open_rows = (
        Discrepancy.objects.filter(
            status=DiscrepancyStatus.OPEN, period__in=periods, unit_id__in=owner
        )
        .values("unit_id", "period")
        .annotate(count=Count("pk"))
    )
    for row in open_rows:
        counts[(owner[row["unit_id"]], row["period"])].open_discrepancies += row["count"]
    return counts


def _owners(root_ids: list[int], on: dt.date) -> dict[int, int]:
    """Every unit at or below the roots, mapped to the root it counts towards.

    A unit below two requested roots (a province and one of its communes) counts towards
    the nearest one.
    """
    children: dict[int, list[int]] = {}
    for unit_id, parent_id in org_selectors.versions_on(on).values_list("unit_id", "parent_id"):
        if parent_id is not None:
            children.setdefault(parent_id, []).append(unit_id)
    roots = set(root_ids)
    owner: dict[int, int] = {}
    for root in root_ids:
        owner[root] = root
        frontier = [root]
        while frontier:
            below = [child for parent in frontier for child in children.get(parent, ())]
            frontier = [child for child in below if child not in roots and child not in owner]
            for child in frontier:
                owner[child] = root
    return owner


def _latest_runs(
    unit_ids: set[int], periods: Sequence[str], on: dt.date
) -> dict[tuple[int, str], int]:
    """The latest finished run that judged each (unit, period) among the given ones."""
    wanted = set(periods)
    runs = (
        ValidationRun.objects.filter(status=RunStatus.DONE)
        .select_related("unit")
        .order_by("-finished_at", "-pk")[:RUNS_CONSIDERED]
    )
    chosen: dict[tuple[int, str], int] = {}
    subtrees: dict[int, set[int]] = {}  # runs over the same unit share its subtree
    for run in runs:
        run_periods = wanted.intersection(run.periods)
        if not run_periods:
            continue
        if run.unit is None:
            covered = unit_ids
        else:
            if run.unit.pk not in subtrees:
                subtrees[run.unit.pk] = org_selectors.descendant_ids(unit=run.unit, on=on)
            covered = unit_ids & subtrees[run.unit.pk]
        for unit_id in covered:
            for period in run_periods:
                chosen.setdefault((unit_id, period), run.pk)
    return chosen


def discrepancy_values(discrepancy: Discrepancy) -> dict[str, DataValue]:
    """The stored values behind each side ("left", "right"), to link to their reports.

    The sum of the units below has no single value behind it; only its right side is given.
    """
    sides = {"right": discrepancy.right_source}
    if discrepancy.rule.kind != ReconciliationKind.CHILDREN:
        sides["left"] = discrepancy.left_source
    rows = DataValue.objects.filter(
        indicator_id=discrepancy.indicator_id,
        disaggregation=discrepancy.disaggregation,
        unit_id=discrepancy.unit_id,
        period=discrepancy.period,
        source__in=set(sides.values()),
    ).select_related("report")
    by_source = {row.source: row for row in rows}
    return {side: by_source[source] for side, source in sides.items() if source in by_source}
