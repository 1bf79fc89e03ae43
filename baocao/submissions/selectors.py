"""Reading reports: obligations, reports and their content, versions, inboxes, locks."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from baocao.accounts import scope
from baocao.catalogue import selectors as catalogue_selectors
from baocao.catalogue.models import Regime, RegimeVersion
from baocao.catalogue.rules import period_problem
from baocao.core.errors import DomainError, NotFound
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit
from baocao.periods import Period, PeriodError, parse_period
from baocao.submissions.canonical import canonical_document
from baocao.submissions.choices import ReportStatus
from baocao.submissions.errors import SubmissionError
from baocao.submissions.layout import ReportLayout, report_layout
from baocao.submissions.models import (
    DEFAULT_GRACE_DAYS,
    Attachment,
    DataValue,
    NarrativeText,
    Report,
    ReportingPolicy,
    ReportVersion,
)
from baocao.submissions.permissions import AnyUser, delegated_unit_ids, visible_reports


@dataclasses.dataclass(frozen=True)
class Obligation:
    """What the catalogue says a unit owes for a regime and period."""

    regime: Regime
    version: RegimeVersion
    step_order: int
    unit: Unit
    receiver: Unit
    period: Period
    deadline: dt.date


def period_parse(code: str, *, field: str = "period") -> Period:
    try:
        return parse_period(code)
    except PeriodError as error:
        raise period_problem(error, field=field) from None


def regime_get(code: str, *, field: str = "regime") -> Regime:
    try:
        return catalogue_selectors.regime_get(code=code)
    except NotFound:
        raise NotFound(SubmissionError.UNKNOWN_REGIME, field=field, code=code) from None


def unit_get(code: str, *, field: str = "unit") -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise NotFound(SubmissionError.UNKNOWN_UNIT, field=field, code=code)
    return unit


def obligation_get(*, regime: Regime, unit: Unit, period: Period) -> Obligation:
    """The step under which `unit` owes `regime`'s report for `period`, or `NOT_OWED`."""
    try:
        item = catalogue_selectors.regime_period(regime=regime, period=period)
    except DomainError as error:
        # The catalogue says why the regime has no such period; the caller gave the period.
        if error.field is None:
            error.field = "period"
        raise
    for due in item.deadlines:
        version = org_selectors.unit_version_on(unit=unit, on=due.deadline)
        if catalogue_selectors.step_reports_for(
            step=due.step, unit=unit, version=version, on=due.deadline
        ):
            receiver = catalogue_selectors.step_receiver(step=due.step, unit=unit, on=due.deadline)
            if receiver is None:
                break
            return Obligation(
                regime=regime,
                version=item.version,
                step_order=due.step.order,
                unit=unit,
                receiver=receiver,
                period=period,
                deadline=due.deadline,
            )
    raise DomainError(
        SubmissionError.NOT_OWED,
        field="unit",
        unit=unit.code,
        regime=regime.code,
        period=period.code,
    )


def reports() -> QuerySet[Report]:
    return Report.objects.select_related("regime", "unit", "receiver", "regime_version")


def report_get(*, report_id: int, user: AnyUser | None = None) -> Report:
    """One report; with `user`, only if they may see it (else it does not exist for them)."""
    queryset = reports() if user is None else visible_reports(user, reports())
    report = queryset.filter(pk=report_id).first()
    if report is None:
        raise NotFound(SubmissionError.REPORT_NOT_FOUND, id=report_id)
    return report


def report_find(*, regime: Regime, unit: Unit, period: str) -> Report | None:
    return reports().filter(regime=regime, unit=unit, period=period).first()


def layout_of(report: Report) -> ReportLayout:
    """The report's layout, built once per report object (a request asks for it often)."""
    cached: ReportLayout | None = getattr(report, "_layout_cache", None)
    if cached is None or getattr(report, "_layout_version", None) != report.regime_version_id:
        cached = report_layout(report.regime_version)
        report._layout_cache = cached  # type: ignore[attr-defined]
        report._layout_version = report.regime_version_id  # type: ignore[attr-defined]
    return cached


def report_values(report: Report) -> dict[tuple[str, str], DataValue]:
    """The report's current values by (indicator code, disaggregation)."""
    return {
        (value.indicator.code, value.disaggregation): value
        for value in DataValue.objects.filter(report=report).select_related("indicator")
    }


def report_narratives(report: Report) -> dict[str, str]:
    return dict(NarrativeText.objects.filter(report=report).values_list("code", "text"))


def report_versions(report: Report) -> QuerySet[ReportVersion]:
    return ReportVersion.objects.filter(report=report).order_by("number")


def version_get(*, report: Report, number: int) -> ReportVersion:
    version = report_versions(report).filter(number=number).first()
    if version is None:
        raise NotFound(SubmissionError.VERSION_NOT_FOUND, id=report.pk, number=number)
    return version


def same_period_last_year(report: Report) -> Report | None:
    """The unit's report of the same regime for the same period a year before."""
    try:
        previous = parse_period(report.period).same_period_last_year()
    except PeriodError:
        return None
    return reports().filter(regime=report.regime, unit=report.unit, period=previous.code).first()


def version_values(version: ReportVersion | None) -> dict[tuple[str, str], str]:
    if version is None:
        return {}
    return {(item[0], item[1]): item[2] for item in version.content.get("values", [])}


def report_document(report: Report, *, version: int) -> dict[str, Any]:
    """The canonical document of the report's current content as version `version`."""
    values = [
        (value.indicator.code, value.disaggregation, value.value, value.comment)
        for value in report_values(report).values()
    ]
    attachments = [
        (item.name, item.sha256, item.size) for item in Attachment.objects.filter(report=report)
    ]
    return canonical_document(
        regime=report.regime.code,
        step=report.step_order,
        unit=report.unit.code,
        receiver=report.receiver.code,
        period=report.period,
        version=version,
        values=values,
        narrative=report_narratives(report),
        attachments=attachments,
    )


# Deadlines and locks ---------------------------------------------------------------------------


def grace_days(regime: Regime) -> int:
    policy = ReportingPolicy.objects.filter(regime=regime).first()
    return policy.grace_days if policy else DEFAULT_GRACE_DAYS


def auto_accept(regime: Regime) -> bool:
    policy = ReportingPolicy.objects.filter(regime=regime).first()
    return bool(policy and policy.auto_accept)


def lock_time(report: Report) -> dt.datetime:
    """The start of the day after deadline + grace days, local time."""
    day = report.deadline + dt.timedelta(days=grace_days(report.regime) + 1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def is_locked(report: Report, *, now: dt.datetime | None = None) -> bool:
    moment = now or timezone.now()
    if moment < lock_time(report):
        return False
    return not (report.unlocked_until and moment < report.unlocked_until)


def days_late(deadline: dt.date, at: dt.datetime) -> int:
    """Whole days after the deadline (0 when on time), counted in local dates."""
    return max(0, (timezone.localtime(at).date() - deadline).days)


# Inbox -----------------------------------------------------------------------------------------


def inbox(
    *,
    user: AnyUser,
    regime: str | None = None,
    period: str | None = None,
    statuses: Iterable[str] | None = None,
    late: bool | None = None,
) -> QuerySet[Report]:
    """Reports addressed to the user's unit (all reports for superusers), filtered."""
    queryset = reports().exclude(status__in=[ReportStatus.NOT_STARTED, ReportStatus.DRAFT])
    if not getattr(user, "is_superuser", False):
        queryset = queryset.filter(receiver_id=getattr(user, "unit_id", None))
    if regime:
        queryset = queryset.filter(regime__code=regime)
    if period:
        queryset = queryset.filter(period=period)
    if statuses:
        queryset = queryset.filter(status__in=list(statuses))
    if late is True:
        queryset = queryset.filter(days_late__gt=0)
    elif late is False:
        queryset = queryset.filter(days_late=0)
    return queryset.order_by("-submitted_at", "unit__code")


def unit_reports(*, user: AnyUser, unit: Unit | None = None) -> QuerySet[Report]:
    """Reports the user may see, optionally of one unit, newest period first."""
    queryset = visible_reports(user, reports())
    if unit is not None:
        queryset = queryset.filter(unit=unit)
    return queryset.order_by("-period", "regime__code")


# Signatures ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Verification:
    """Whether a stored version still matches its signature and the report's stored data."""

    version: ReportVersion
    signature_valid: bool
    digest_matches: bool
    # None when the report changed legitimately since this version (a newer draft).
    data_matches: bool | None
    problems: list[str]

    @property
    def ok(self) -> bool:
        return self.signature_valid and self.digest_matches and self.data_matches is not False


def version_verify(version: ReportVersion) -> Verification:
    """Check the signature over the stored content and compare it with the stored data.

    The version's content is serialised again and checked against the signature and the
    digest; for the report's latest version, while it has not been edited since, the
    values, narrative and attachments in the database are serialised too and must give the
    same bytes: a value changed directly in the database is found either way.
    """
    from baocao.submissions import signing
    from baocao.submissions.canonical import canonical_bytes, digest

    problems: list[str] = []
    data = canonical_bytes(version.content)
    digest_ok = digest(version.content) == version.digest
    if not digest_ok:
        problems.append("digest")
    signature_ok = False
    try:
        certificate = signing.certificate_load(version.certificate_pem)
        signing.verify(certificate=certificate, data=data, signature_b64=version.signature)
        signature_ok = signing.certificate_info(certificate).fingerprint == (
            version.certificate_fingerprint
        )
    except DomainError:
        signature_ok = False
    if not signature_ok:
        problems.append("signature")
    report = version.report
    data_ok: bool | None = None
    editable_since = report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)
    if version.number == report.version_count and not editable_since:
        current = report_document(report, version=version.number)
        data_ok = canonical_bytes(current) == data
        if not data_ok:
            problems.append("data")
    return Verification(
        version=version,
        signature_valid=signature_ok,
        digest_matches=digest_ok,
        data_matches=data_ok,
        problems=problems,
    )


# Late and missing reports ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class LateReport:
    """A report sent after its deadline, or not sent although its deadline has passed."""

    deadline: dt.date
    regime: str
    period: str
    unit: str
    name: str
    report_id: str  # "-" when the unit never opened its report
    status: str
    days: int
    missing: bool


def late_reports(
    *,
    user: AnyUser | None,
    regime: Regime | None = None,
    period: Period | None = None,
    now: dt.datetime | None = None,
) -> list[LateReport]:
    """Late and missing reports the user may see (everything for `user=None`), by deadline.

    Late: first sent after the deadline (the days are counted then and kept). Missing: not
    sent by a deadline that has passed. Given both a regime and a period, the units that owe
    the report and never opened it are listed too, named as they were on the deadline (a
    unit merged since still owed it).
    """
    moment = now or timezone.now()
    today = timezone.localdate(moment)
    queryset = reports().filter(deadline__lt=today)
    if user is not None:
        queryset = visible_reports(user, queryset)
    if regime is not None:
        queryset = queryset.filter(regime=regime)
    if period is not None:
        queryset = queryset.filter(period=period.code)
    queryset = queryset.filter(Q(days_late__gt=0) | Q(version_count=0))
    found = list(queryset)
    names = dict(
        org_selectors.versions_on(today)
        .filter(unit_id__in={report.unit_id for report in found})
        .values_list("unit_id", "name")
    )
    rows = [
        LateReport(
            deadline=report.deadline,
            regime=report.regime.code,
            period=report.period,
            unit=report.unit.code,
            name=names.get(report.unit_id, ""),
            report_id=str(report.pk),
            status=report.status,
            days=(
                days_late(report.deadline, moment)
                if report.version_count == 0
                else report.days_late or 0
            ),
            missing=report.version_count == 0,
        )
        for report in found
    ]
    if regime is not None and period is not None:
        rows.extend(_never_opened(regime=regime, period=period, user=user, now=moment))
    return sorted(rows, key=lambda row: (row.deadline, row.regime, row.period, row.unit))


def _never_opened(
    *, regime: Regime, period: Period, user: AnyUser | None, now: dt.datetime
) -> list[LateReport]:
    item = catalogue_selectors.regime_period(regime=regime, period=period)
    in_scope = scope.unit_ids_in_scope(user) if user is not None else None
    today = timezone.localdate(now)
    rows: list[LateReport] = []
    for due in item.deadlines:
        if due.deadline >= today:
            continue
        owed = catalogue_selectors.step_reporter_ids(step=due.step, on=due.deadline)
        if user is not None and in_scope is not None:
            owed &= in_scope | delegated_unit_ids(user)
        opened = set(
            Report.objects.filter(
                regime=regime, period=period.code, step_order=due.step.order
            ).values_list("unit_id", flat=True)
        )
        days = days_late(due.deadline, now)
        for version in org_selectors.versions_on(due.deadline).filter(unit_id__in=owed - opened):
            rows.append(
                LateReport(
                    deadline=due.deadline,
                    regime=regime.code,
                    period=period.code,
                    unit=version.unit.code,
                    name=version.name,
                    report_id="-",
                    status=ReportStatus.NOT_STARTED,
                    days=days,
                    missing=True,
                )
            )
    return rows
