"""Reporting completeness and timeliness per regime, unit and period (issue 6, scope 2).

For a regime, some periods and some units (given, or every unit directly below one), each
row says how many reports the units at or below the unit owed, how many were received,
accepted, on time, late and missing, and the rates, as the "who is late" boards of the
direction center show them (Decree 09/2019/NĐ-CP Art. 12: a report is due by the regime's
deadline, and the receiver follows up those that are not).

Read from the transactional database, not the analytics store: reports are a few thousand a
period, and a report sent a moment ago must count at once. The cost does not grow with the
number of rows asked for: the regime, the units asked for, the hierarchy and the reports are
each read once, and the catalogue is asked once per period and reporting step for who owes.

Who owes what is the catalogue's obligation logic (`baocao.catalogue.selectors`): the regime
version in force on the period's last day gives the steps and their deadlines
(`regime_period`); a unit owes a step's report when it is among `step_reporter_ids` on that
step's deadline. As `baocao.submissions.selectors.obligation_get` does when a report is
opened, a unit owes the first step it matches, and owes nothing when that step has no
receiver for it. A reporter counts under every unit above it in the hierarchy in force on its
deadline, and under itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db.models import Q
from django.utils import timezone

from baocao.accounts import scope
from baocao.analytics.errors import AnalyticsError
from baocao.analytics.hierarchy import BEGINNING, END
from baocao.catalogue import selectors as catalogue_selectors
from baocao.catalogue.labels import period_code_label
from baocao.catalogue.models import Regime, ReportingStep
from baocao.core.errors import DomainError, NotFound, Rejected
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit, UnitVersion
from baocao.periods import Period
from baocao.submissions import selectors as submission_selectors
from baocao.submissions.choices import ReportStatus
from baocao.submissions.errors import SubmissionDenied
from baocao.submissions.models import Report

# Periods one question may ask for: two years of months. Each period reads every report of
# the regime for it (a few thousand nationally), so this keeps an answer to about 100,000.
MAX_PERIODS = 24

# Sent and not taken back. A returned report is the receiver's refusal: the unit owes it
# again. A recall request leaves the report with the receiver until they agree.
RECEIVED_STATUSES = frozenset(
    {
        ReportStatus.SUBMITTED,
        ReportStatus.RESUBMITTED,
        ReportStatus.ACCEPTED,
        ReportStatus.RECALL_REQUESTED,
    }
)


@dataclasses.dataclass
class CompletenessRow:
    """How a unit's reports for one period stand, itself and everything below it counted.

    `missing_overdue` are missing reports whose deadline had passed on the day asked about;
    the rates are percentages of `expected`, None when nothing was expected. `missing_units`
    and `late_units` (codes) are listed for a unit with nothing below it, or when asked;
    otherwise they are None.
    """

    regime: str
    unit: str
    unit_name: str
    period: str
    period_label: str
    expected: int = 0
    received: int = 0
    accepted: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    missing_overdue: int = 0
    received_rate: float | None = None
    on_time_rate: float | None = None
    missing_units: list[str] | None = None
    late_units: list[str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def reporting_completeness(
    *,
    regime: str,
    periods: Sequence[str],
    units: Sequence[str] = (),
    children_of: str = "",
    step: int | None = None,
    user: Any = None,
    on: dt.date | None = None,
    with_units: bool = False,
) -> list[CompletenessRow]:
    """Completeness of `regime`'s reports for `units` (or every unit directly below
    `children_of` on each period's last day) and `periods`, by period then unit.

    `step` keeps one reporting step (its order: 0 for the first, as on reports); by default
    every step counts, so a province counts its communes' reports and its own. `on` is the
    day against which deadlines have passed (today by default). `user` None is the system
    (the command line); a user may ask only about units of their scope.
    """
    problems: list[DomainError] = []
    regime_obj = _regime(regime, problems)
    parsed = _periods(periods, problems)
    found = {unit.code: unit for unit in Unit.objects.filter(code__in=[*units, children_of])}
    explicit = _explicit_units(units, found, problems)
    parent = _parent(children_of, found, problems)
    if not units and not children_of:
        problems.append(DomainError(AnalyticsError.NO_UNIT, field="units"))
    schedule = _schedule(regime_obj, parsed, step, problems) if regime_obj is not None else []
    if problems:
        raise Rejected(problems)
    assert regime_obj is not None
    _check_scope(user, [*explicit, *([parent] if parent else [])], [p.period for p in schedule])
    day = on or org_selectors.today()
    days = [item.period.end for item in schedule] + [
        due.deadline for item in schedule for due in item.deadlines
    ]
    hierarchy = _Hierarchy.read(min(days), max(days))
    reports = _reports(regime_obj, [item.period.code for item in schedule])
    rows: list[CompletenessRow] = []
    for item in schedule:
        output = [unit.pk for unit in explicit]
        if parent is not None:
            output += hierarchy.children(parent.pk, item.period.end)
        owed = _owed(item, step, list(dict.fromkeys(output)), hierarchy)
        for unit_id, below in owed.items():
            listed = with_units or not hierarchy.children(unit_id, item.period.end)
            rows.append(
                _row(
                    regime=regime_obj.code,
                    unit_id=unit_id,
                    code=hierarchy.code(unit_id) or _code_of(unit_id, explicit),
                    name=hierarchy.name_on(unit_id, item.period.end),
                    period=item.period,
                    owed=below,
                    reports=reports,
                    hierarchy=hierarchy,
                    day=day,
                    listed=listed,
                )
            )
    return rows


# Checking the question ------------------------------------------------------------------------


def _regime(code: str, problems: list[DomainError]) -> Regime | None:
    if not code:
        problems.append(DomainError(AnalyticsError.NO_REGIME, field="regime"))
        return None
    try:
        return catalogue_selectors.regime_get(code=code)
    except NotFound:
        problems.append(DomainError(AnalyticsError.UNKNOWN_REGIME, field="regime", code=code))
        return None


def _periods(codes: Sequence[str], problems: list[DomainError]) -> list[tuple[int, Period]]:
    """(index asked at, period), each period once."""
    if not codes:
        problems.append(DomainError(AnalyticsError.NO_PERIOD, field="periods"))
    if len(codes) > MAX_PERIODS:
        problems.append(
            DomainError(
                AnalyticsError.TOO_MANY_PERIODS,
                field="periods",
                count=len(codes),
                maximum=MAX_PERIODS,
            )
        )
        return []
    parsed: dict[Period, int] = {}
    for index, code in enumerate(codes):
        try:
            period = submission_selectors.period_parse(code, field=f"periods[{index}]")
        except DomainError as error:
            problems.append(error)
            continue
        parsed.setdefault(period, index)
    return [(index, period) for period, index in parsed.items()]


def _explicit_units(
    codes: Sequence[str], found: dict[str, Unit], problems: list[DomainError]
) -> list[Unit]:
    chosen: list[Unit] = []
    for index, code in enumerate(dict.fromkeys(codes)):
        if code in found:
            chosen.append(found[code])
        else:
            problems.append(
                DomainError(AnalyticsError.UNKNOWN_UNIT, field=f"units[{index}]", code=code)
            )
    return chosen


def _parent(code: str, found: dict[str, Unit], problems: list[DomainError]) -> Unit | None:
    if not code:
        return None
    if code not in found:
        problems.append(DomainError(AnalyticsError.UNKNOWN_UNIT, field="children_of", code=code))
        return None
    return found[code]


def _schedule(
    regime: Regime,
    periods: Iterable[tuple[int, Period]],
    step: int | None,
    problems: list[DomainError],
) -> list[catalogue_selectors.RegimePeriod]:
    """Each period's version, cutoff window and deadlines, or why the regime has no such
    period (a quarter asked of a monthly regime, a month before its first version)."""
    schedule: list[catalogue_selectors.RegimePeriod] = []
    for index, period in periods:
        try:
            item = catalogue_selectors.regime_period(regime=regime, period=period)
        except DomainError as error:
            problems.append(DomainError(error.error, field=f"periods[{index}]", **error.args_dict))
            continue
        orders = [due.step.order for due in item.deadlines]
        if step is not None and step not in orders:
            problems.append(
                DomainError(
                    AnalyticsError.UNKNOWN_STEP,
                    field="step",
                    regime=regime.code,
                    step=step,
                    period=period.code,
                    steps=", ".join(str(order) for order in orders) or "—",
                )
            )
        schedule.append(item)
    return sorted(schedule, key=lambda item: item.period)


def _check_scope(user: Any, units: Sequence[Unit], periods: Sequence[Period]) -> None:
    """Refuse a unit outside the user's scope, today or on the last day of a period asked
    about: a province's officer may look at the districts it had before 1 July 2025."""
    if user is None or not units:
        return
    visible: set[int] = set()
    for day in {org_selectors.today(), *(period.end for period in periods)}:
        ids = scope.unit_ids_in_scope(user, on=day)
        if ids is None:
            return
        visible |= ids
    for unit in units:
        if unit.pk not in visible:
            raise SubmissionDenied(AnalyticsError.UNIT_OUT_OF_SCOPE, field="unit", code=unit.code)


# Who owes, and what arrived -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Obligation:
    unit_id: int
    step_order: int
    deadline: dt.date


@dataclasses.dataclass(frozen=True)
class _Sent:
    """What a report row says about timeliness (the deadline copied when it was opened)."""

    step_order: int
    deadline: dt.date
    status: str
    submitted_at: dt.datetime | None
    days_late: int | None

    @property
    def received(self) -> bool:
        return self.status in RECEIVED_STATUSES

    @property
    def on_time(self) -> bool:
        # `days_late` is counted at the first submission and kept (submissions.services):
        # a report sent on time, returned and corrected later was still sent on time.
        if self.days_late is not None:
            return self.days_late <= 0
        if self.submitted_at is None:
            return False
        return timezone.localtime(self.submitted_at).date() <= self.deadline


def _owed(
    item: catalogue_selectors.RegimePeriod,
    step: int | None,
    output: Sequence[int],
    hierarchy: _Hierarchy,
) -> dict[int, list[_Obligation]]:
    """The reports owed for one period by each output unit and the units below it.

    A unit owes one report a period: under the first step it matches, and none when that
    step has no receiver for it (as `submissions.selectors.obligation_get`).
    """
    owed: dict[int, list[_Obligation]] = {unit_id: [] for unit_id in output}
    settled: set[int] = set()
    for due in item.deadlines:
        reporters = catalogue_selectors.step_reporter_ids(step=due.step, on=due.deadline)
        first = reporters - settled
        settled |= reporters
        if step is not None and due.step.order != step:
            continue
        for unit_id in output:
            owed[unit_id].extend(
                _Obligation(reporter, due.step.order, due.deadline)
                for reporter in sorted(first.intersection(hierarchy.subtree(unit_id, due.deadline)))
                if _has_receiver(due.step, reporter, due.deadline, hierarchy)
            )
    return owed


def _has_receiver(step: ReportingStep, unit_id: int, on: dt.date, hierarchy: _Hierarchy) -> bool:
    """`catalogue_selectors.step_receiver` is not None, from the hierarchy read once."""
    if step.receiver_unit_id is not None:
        return True
    return any(
        hierarchy.level(ancestor) == step.receiver_level
        for ancestor in hierarchy.chain(unit_id, on)[1:]
    )


def _reports(regime: Regime, periods: Sequence[str]) -> dict[tuple[str, int], list[_Sent]]:
    found: dict[tuple[str, int], list[_Sent]] = defaultdict(list)
    rows = Report.objects.filter(regime=regime, period__in=periods).values_list(
        "unit_id", "period", "step_order", "deadline", "status", "submitted_at", "days_late"
    )
    for unit_id, period, step_order, deadline, status, submitted_at, days_late in rows:
        found[(period, unit_id)].append(
            _Sent(step_order, deadline, status, submitted_at, days_late)
        )
    return found


def _report_for(
    reports: dict[tuple[str, int], list[_Sent]], period: str, obligation: _Obligation
) -> _Sent | None:
    """The unit's report for the period: the one of the step owed, else any (a report keeps
    the step it was opened under if the catalogue was edited since)."""
    candidates = reports.get((period, obligation.unit_id), [])
    for sent in candidates:
        if sent.step_order == obligation.step_order:
            return sent
    return candidates[0] if candidates else None


def _row(
    *,
    regime: str,
    unit_id: int,
    code: str,
    name: str,
    period: Period,
    owed: Sequence[_Obligation],
    reports: dict[tuple[str, int], list[_Sent]],
    hierarchy: _Hierarchy,
    day: dt.date,
    listed: bool,
) -> CompletenessRow:
    row = CompletenessRow(
        regime=regime,
        unit=code,
        unit_name=name or code,
        period=period.code,
        period_label=period_code_label(period.code),
        expected=len(owed),
    )
    missing: list[str] = []
    late: list[str] = []
    for obligation in owed:
        sent = _report_for(reports, period.code, obligation)
        if sent is not None and sent.received:
            row.received += 1
            row.accepted += sent.status == ReportStatus.ACCEPTED
            if sent.on_time:
                row.on_time += 1
            else:
                row.late += 1
                late.append(hierarchy.code(obligation.unit_id))
            continue
        row.missing += 1
        missing.append(hierarchy.code(obligation.unit_id))
        deadline = sent.deadline if sent is not None else obligation.deadline
        row.missing_overdue += deadline < day
    if row.expected:
        row.received_rate = round(100 * row.received / row.expected, 1)
        row.on_time_rate = round(100 * row.on_time / row.expected, 1)
    if listed:
        row.missing_units = sorted(missing)
        row.late_units = sorted(late)
    return row


def _code_of(unit_id: int, units: Sequence[Unit]) -> str:
    return next((unit.code for unit in units if unit.pk == unit_id), str(unit_id))


# The hierarchy, read once ---------------------------------------------------------------------


class _Version(NamedTuple):
    parent_id: int | None
    valid_from: dt.date
    valid_to: dt.date
    name: str


class _Hierarchy:
    """Unit versions in force at some time between two days, in memory (one query): the
    same answers as `org_selectors.unit_ancestors` and `unit_children` on any day between."""

    def __init__(self) -> None:
        self._versions: dict[int, list[_Version]] = defaultdict(list)
        self._codes: dict[int, str] = {}
        self._levels: dict[int, str] = {}
        self._children: dict[int, list[int]] = defaultdict(list)
        self._chains: dict[tuple[int, dt.date], list[int]] = {}
        self._subtrees: dict[tuple[int, dt.date], set[int]] = {}

    @classmethod
    def read(cls, first: dt.date, last: dt.date) -> _Hierarchy:
        hierarchy = cls()
        rows = UnitVersion.objects.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=last),
            Q(valid_to__isnull=True) | Q(valid_to__gte=first),
        ).values_list(
            "unit_id", "parent_id", "valid_from", "valid_to", "name", "unit__code", "unit__level"
        )
        for unit_id, parent_id, valid_from, valid_to, name, code, level in rows:
            hierarchy._versions[unit_id].append(
                _Version(parent_id, valid_from or BEGINNING, valid_to or END, name)
            )
            hierarchy._codes[unit_id] = code
            hierarchy._levels[unit_id] = level
            if parent_id is not None:
                hierarchy._children[parent_id].append(unit_id)
        return hierarchy

    def code(self, unit_id: int) -> str:
        return self._codes.get(unit_id, "")

    def level(self, unit_id: int) -> str:
        return self._levels.get(unit_id, "")

    def version_on(self, unit_id: int, day: dt.date) -> _Version | None:
        for version in self._versions.get(unit_id, ()):
            if version.valid_from <= day <= version.valid_to:
                return version
        return None

    def name_on(self, unit_id: int, day: dt.date) -> str:
        version = self.version_on(unit_id, day)
        if version is None:
            # Not in force that day: the last name known in the days read.
            versions = self._versions.get(unit_id, [])
            version = versions[-1] if versions else None
        return version.name if version is not None else ""

    def children(self, unit_id: int, day: dt.date) -> list[int]:
        """Units directly below on `day`, by code."""
        found = [
            child
            for child in dict.fromkeys(self._children.get(unit_id, ()))
            if (version := self.version_on(child, day)) is not None and version.parent_id == unit_id
        ]
        return sorted(found, key=self.code)

    def subtree(self, unit_id: int, day: dt.date) -> set[int]:
        """The unit and every unit below it on `day` (empty if it was not in force)."""
        key = (unit_id, day)
        cached = self._subtrees.get(key)
        if cached is not None:
            return cached
        found: set[int] = set()
        if self.version_on(unit_id, day) is not None:
            found.add(unit_id)
            frontier = [unit_id]
            for _depth in range(org_selectors.MAX_DEPTH):
                frontier = [
                    child
                    for parent in frontier
                    for child in self.children(parent, day)
                    if child not in found
                ]
                if not frontier:
                    break
                found.update(frontier)
        self._subtrees[key] = found
        return found

    def chain(self, unit_id: int, day: dt.date) -> list[int]:
        """The unit and its ancestors on `day`, nearest first; empty if it was not in force."""
        key = (unit_id, day)
        cached = self._chains.get(key)
        if cached is not None:
            return cached
        chain: list[int] = []
        version = self.version_on(unit_id, day)
        if version is not None:
            chain.append(unit_id)
            while version is not None and version.parent_id is not None:
                parent = version.parent_id
                version = self.version_on(parent, day)
                if version is None or parent in chain or len(chain) > org_selectors.MAX_DEPTH:
                    break
                chain.append(parent)
        self._chains[key] = chain
        return chain
