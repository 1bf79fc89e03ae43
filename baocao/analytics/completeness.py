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

The reporting board (`reporting_board`, issue 7) reads the same way and shows the same
obligations cell by cell: for each unit that owes and each period, where its report stands
(accepted, sent, returned, a draft, missing), its deadline and days late, and the report to
open.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    question = _question(
        regime=regime,
        periods=periods,
        units=units,
        children_of=children_of,
        step=step,
        user=user,
        on=on,
    )
    hierarchy = question.hierarchy
    rows: list[CompletenessRow] = []
    for item in question.schedule:
        owed = _owed(item, step, question.output(item), hierarchy)
        for unit_id, below in owed.items():
            listed = with_units or not hierarchy.children(unit_id, item.period.end)
            rows.append(
                _row(
                    regime=question.regime.code,
                    unit_id=unit_id,
                    code=question.code(unit_id),
                    name=hierarchy.name_on(unit_id, item.period.end),
                    period=item.period,
                    owed=below,
                    reports=question.reports,
                    hierarchy=hierarchy,
                    day=question.day,
                    listed=listed,
                )
            )
    return rows


# The reporting board (issue 7) ----------------------------------------------------------------


class CellStatus(models.TextChoices):
    """Where one unit's report for one period stands on the reporting board.

    "On time" and "late" say when it was first sent (kept if it is returned and sent again);
    a returned report is owed again, like a draft or a report never opened.
    """

    ACCEPTED_ON_TIME = "accepted_on_time", _("Accepted, sent on time")
    ACCEPTED_LATE = "accepted_late", _("Accepted, sent late")
    SUBMITTED_ON_TIME = "submitted_on_time", _("Sent on time, awaiting review")
    SUBMITTED_LATE = "submitted_late", _("Sent late, awaiting review")
    RETURNED = "returned", _("Returned for correction, not sent again")
    DRAFT = "draft", _("Opened, not sent")
    PENDING = "pending", _("Not sent, deadline not passed")
    OVERDUE = "overdue", _("Not sent, deadline passed")
    NOT_OWED = "not_owed", _("Not owed")


RECEIVED_CELLS = frozenset(
    {
        CellStatus.ACCEPTED_ON_TIME,
        CellStatus.ACCEPTED_LATE,
        CellStatus.SUBMITTED_ON_TIME,
        CellStatus.SUBMITTED_LATE,
    }
)
# Owed and not with the receiver: what a reminder is about.
NOT_SENT_CELLS = frozenset(
    {CellStatus.RETURNED, CellStatus.DRAFT, CellStatus.PENDING, CellStatus.OVERDUE}
)


@dataclasses.dataclass(frozen=True)
class BoardCell:
    """One unit's report for one period.

    `days_late`: for a report received, the days after the deadline it was first sent (0 on
    time); for one owed and not received, the days since its deadline passed on the day
    asked about (0 before). `deadline` is the report's own (copied when it was opened) or,
    if it was never opened, the catalogue's; None when nothing is owed.
    """

    period: str
    status: str
    deadline: dt.date | None = None
    days_late: int = 0
    report_id: int | None = None
    report_status: str = ""
    step: int | None = None

    @property
    def owed(self) -> bool:
        return self.status != CellStatus.NOT_OWED

    @property
    def received(self) -> bool:
        return self.status in RECEIVED_CELLS

    @property
    def not_sent(self) -> bool:
        return self.status in NOT_SENT_CELLS

    @property
    def overdue(self) -> bool:
        """Owed, not received, and its deadline has passed."""
        return self.not_sent and self.days_late > 0


@dataclasses.dataclass(frozen=True)
class BoardRow:
    """A unit that owes reports, with one cell per period of the board.

    `parent` is the unit it is shown under: the unit asked for, or the unit directly below
    `children_of`, that it is or is below. `units_below` counts the units directly below it
    (on the last day of the last period it owes in): a board can be opened on it.
    """

    unit: str
    unit_name: str
    parent: str
    parent_name: str
    units_below: int
    cells: list[BoardCell]


@dataclasses.dataclass
class BoardTotals:
    """A period's column of the board, counted: reports expected, received (sent and not
    taken back), accepted, on time and late among those received, missing, and missing
    with their deadline passed. The rates are percentages of `expected`."""

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


@dataclasses.dataclass(frozen=True)
class BoardPeriod:
    code: str
    label: str
    start: dt.date
    end: dt.date


@dataclasses.dataclass(frozen=True)
class Board:
    """Who has sent a regime's reports for some periods: rows of units, columns of periods."""

    regime: str
    regime_name: str
    step: int | None
    on: dt.date
    periods: list[BoardPeriod]
    rows: list[BoardRow]
    totals: list[BoardTotals]

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def reporting_board(
    *,
    regime: str,
    periods: Sequence[str],
    units: Sequence[str] = (),
    children_of: str = "",
    step: int | None = None,
    user: Any = None,
    on: dt.date | None = None,
) -> Board:
    """The reporting board of `regime` for `periods`: one row per unit that owes reports
    among `units` (or the units directly below `children_of` on each period's last day),
    one cell per period; and each period's totals.

    A unit asked about that owes nothing itself but whose units below do (a province whose
    communes send BC-DVC-THANG, with `step=0`; a district before 1 July 2025) is replaced by
    the nearest units below it that owe: the board shows who has to send, never a unit with
    nothing to send. A unit that owes in one period and not another (it was merged, the
    regime changed) has a "not owed" cell there. The same checks and messages as
    `reporting_completeness`; the cost does not grow with units or cells.
    """
    question = _question(
        regime=regime,
        periods=periods,
        units=units,
        children_of=children_of,
        step=step,
        user=user,
        on=on,
    )
    hierarchy = question.hierarchy
    shown = [
        _board_units(item, step, question.output(item), hierarchy) for item in question.schedule
    ]
    # Each unit under the unit it is shown under in the last period it owes in.
    placed: dict[int, tuple[int, int, dt.date]] = {}
    for index, (item, found) in enumerate(zip(question.schedule, shown, strict=True)):
        for unit_id, (group, _obligation) in found.items():
            placed[unit_id] = (group, index, item.period.end)
    order = {unit.pk: position for position, unit in enumerate(question.explicit)}

    def position(unit_id: int) -> tuple[int, int, str, str]:
        # The units asked for in the order given; then, under `children_of`, the units of
        # the latest structure first (those that ceased after them), by code.
        group, last, _day = placed[unit_id]
        if group in order:
            return (0, order[group], "", hierarchy.code(unit_id))
        return (1, -last, hierarchy.code(group), hierarchy.code(unit_id))

    rows: list[BoardRow] = []
    for unit_id in sorted(placed, key=position):
        group, _last, day = placed[unit_id]
        code = question.code(unit_id)
        rows.append(
            BoardRow(
                unit=code,
                unit_name=hierarchy.name_on(unit_id, day) or code,
                parent=question.code(group),
                parent_name=hierarchy.name_on(group, day) or question.code(group),
                units_below=len(hierarchy.children(unit_id, day)),
                cells=[
                    _cell(item.period, found.get(unit_id), question.reports, question.day)
                    for item, found in zip(question.schedule, shown, strict=True)
                ],
            )
        )
    return Board(
        regime=question.regime.code,
        regime_name=question.regime.name,
        step=step,
        on=question.day,
        periods=[
            BoardPeriod(
                item.period.code,
                period_code_label(item.period.code),
                item.period.start,
                item.period.end,
            )
            for item in question.schedule
        ],
        rows=rows,
        totals=[
            _totals(item.period, [row.cells[index] for row in rows])
            for index, item in enumerate(question.schedule)
        ],
    )


# Checking the question ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Question:
    """A question checked, and what answering it reads once: the hierarchy in force between
    the first and the last day that matters, and every report of the regime for the periods."""

    regime: Regime
    schedule: list[catalogue_selectors.RegimePeriod]
    explicit: list[Unit]
    parent: Unit | None
    day: dt.date
    hierarchy: _Hierarchy
    reports: dict[tuple[str, int], list[_Sent]]

    def output(self, item: catalogue_selectors.RegimePeriod) -> list[int]:
        """The units asked about for a period: those given, then those directly below
        `children_of` on the period's last day, each once."""
        output = [unit.pk for unit in self.explicit]
        if self.parent is not None:
            output += self.hierarchy.children(self.parent.pk, item.period.end)
        return list(dict.fromkeys(output))

    def code(self, unit_id: int) -> str:
        return self.hierarchy.code(unit_id) or _code_of(unit_id, self.explicit)


def _question(
    *,
    regime: str,
    periods: Sequence[str],
    units: Sequence[str],
    children_of: str,
    step: int | None,
    user: Any,
    on: dt.date | None,
) -> _Question:
    """Check a question (every problem at once, each naming its field; then the user's
    scope) and read what answering it needs, in a number of queries that does not depend on
    the number of units."""
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
    days = [item.period.end for item in schedule] + [
        due.deadline for item in schedule for due in item.deadlines
    ]
    return _Question(
        regime=regime_obj,
        schedule=schedule,
        explicit=explicit,
        parent=parent,
        day=on or org_selectors.today(),
        hierarchy=_Hierarchy.read(min(days), max(days)),
        reports=_reports(regime_obj, [item.period.code for item in schedule]),
    )


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
    report_id: int = 0

    @property
    def received(self) -> bool:
        return self.status in RECEIVED_STATUSES

    @property
    def on_time(self) -> bool:
        if self.days_late is None and self.submitted_at is None:
            return False  # never sent
        return self.late_by == 0

    @property
    def late_by(self) -> int:
        """Days after the deadline it was first sent (0 on time); 0 if never sent."""
        # `days_late` is counted at the first submission and kept (submissions.services):
        # a report sent on time, returned and corrected later was still sent on time.
        if self.days_late is not None:
            return max(0, self.days_late)
        if self.submitted_at is None:
            return 0
        return max(0, (timezone.localtime(self.submitted_at).date() - self.deadline).days)


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
        "unit_id",
        "period",
        "step_order",
        "deadline",
        "status",
        "submitted_at",
        "days_late",
        "pk",
    )
    for unit_id, period, step_order, deadline, status, submitted_at, days_late, pk in rows:
        found[(period, unit_id)].append(
            _Sent(step_order, deadline, status, submitted_at, days_late, pk)
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


# The board's cells ----------------------------------------------------------------------------


def _board_units(
    item: catalogue_selectors.RegimePeriod,
    step: int | None,
    output: Sequence[int],
    hierarchy: _Hierarchy,
) -> dict[int, tuple[int, _Obligation]]:
    """The units on the board for one period, each with the output unit it is shown under
    and what it owes: an output unit that owes, else the units below it that owe and have no
    unit owing between them and it (the nearest ones)."""
    owed = _owed(item, step, output, hierarchy)
    owing = {obligation.unit_id for found in owed.values() for obligation in found}
    shown: dict[int, tuple[int, _Obligation]] = {}
    for unit_id, found in owed.items():
        for obligation in found:
            chain = hierarchy.chain(obligation.unit_id, obligation.deadline)
            # The units above it up to the output unit included (nearest first).
            above = chain[1 : chain.index(unit_id) + 1] if unit_id in chain else []
            if obligation.unit_id == unit_id or not owing.intersection(above):
                shown.setdefault(obligation.unit_id, (unit_id, obligation))
    return shown


def _cell(
    period: Period,
    entry: tuple[int, _Obligation] | None,
    reports: dict[tuple[str, int], list[_Sent]],
    day: dt.date,
) -> BoardCell:
    if entry is None:
        return BoardCell(period=period.code, status=CellStatus.NOT_OWED)
    obligation = entry[1]
    sent = _report_for(reports, period.code, obligation)
    deadline = sent.deadline if sent is not None else obligation.deadline
    overdue = max(0, (day - deadline).days)
    if sent is None:
        status = CellStatus.OVERDUE if deadline < day else CellStatus.PENDING
        return BoardCell(
            period=period.code,
            status=status,
            deadline=deadline,
            days_late=overdue,
            step=obligation.step_order,
        )
    if sent.received:
        accepted = sent.status == ReportStatus.ACCEPTED
        if sent.on_time:
            status = CellStatus.ACCEPTED_ON_TIME if accepted else CellStatus.SUBMITTED_ON_TIME
        else:
            status = CellStatus.ACCEPTED_LATE if accepted else CellStatus.SUBMITTED_LATE
        days = sent.late_by
    else:
        status = CellStatus.RETURNED if sent.status == ReportStatus.RETURNED else CellStatus.DRAFT
        days = overdue
    return BoardCell(
        period=period.code,
        status=status,
        deadline=deadline,
        days_late=days,
        report_id=sent.report_id or None,
        report_status=sent.status,
        step=sent.step_order,
    )


def _totals(period: Period, cells: Sequence[BoardCell]) -> BoardTotals:
    totals = BoardTotals(period=period.code, period_label=period_code_label(period.code))
    for cell in cells:
        if not cell.owed:
            continue
        totals.expected += 1
        if cell.received:
            totals.received += 1
            totals.accepted += cell.status in (
                CellStatus.ACCEPTED_ON_TIME,
                CellStatus.ACCEPTED_LATE,
            )
            if cell.status in (CellStatus.ACCEPTED_ON_TIME, CellStatus.SUBMITTED_ON_TIME):
                totals.on_time += 1
            else:
                totals.late += 1
        else:
            totals.missing += 1
            totals.missing_overdue += cell.overdue
    if totals.expected:
        totals.received_rate = round(100 * totals.received / totals.expected, 1)
        totals.on_time_rate = round(100 * totals.on_time / totals.expected, 1)
    return totals


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
