"""Writes of the validation app: batch validation runs, queued and executed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import traceback
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from baocao.accounts import scope
from baocao.accounts.choices import Role
from baocao.audit.choices import AuditAction
from baocao.audit.services import Actor, change_record_create
from baocao.catalogue.models import ReconciliationRule, ValidationRule
from baocao.core.errors import DomainError, Rejected
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit
from baocao.submissions import selectors as submission_selectors
from baocao.submissions.errors import SubmissionConflict, SubmissionDenied
from baocao.submissions.values import canonical_decimal
from baocao.validation.choices import DiscrepancyEventKind, DiscrepancyStatus, RunStatus
from baocao.validation.errors import ValidationError
from baocao.validation.models import Discrepancy, DiscrepancyEvent, RuleViolation, ValidationRun
from baocao.validation.reconciliation import ComparisonResult, figures_compare

log = logging.getLogger(__name__)

MAX_PERIODS = 120
# Progress is written every few rules: often enough for the page, rarely enough for SQLite.
PROGRESS_EVERY = 20
RUNNER_ROLES = (Role.ANALYST, Role.REVIEWER, Role.ADMINISTRATOR)


def _name(actor: Actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "system"
    return str(actor.get_full_name() or actor.get_username())  # type: ignore[union-attr]


@transaction.atomic
def validation_run_create(
    *,
    periods: Sequence[str],
    unit: Unit | None,
    rules: Sequence[str] = (),
    source: str = "",
    actor: Actor,
) -> ValidationRun:
    """Record a batch validation to run; the caller runs it now or queues it."""
    codes, problems = _period_codes(periods)
    known = set(ValidationRule.objects.filter(code__in=rules).values_list("code", flat=True))
    problems.extend(
        DomainError(ValidationError.UNKNOWN_RULE, field="rules", code=code)
        for code in rules
        if code not in known
    )
    # Who may run it, before what is wrong with it: a refusal (403) says the more useful thing.
    unit = _runner_unit(actor, unit, denied=ValidationError.NOT_ALLOWED)
    if problems:
        raise Rejected(problems)
    run = ValidationRun.objects.create(
        created_at=timezone.now(),
        created_by=actor if actor is not None and actor.is_authenticated else None,  # type: ignore[misc]
        created_by_name=_name(actor),
        unit=unit,
        periods=codes,
        rules=sorted(set(rules)),
        source=source,
    )
    change_record_create(
        actor=actor,
        action=AuditAction.CREATE,
        instance=run,
        after={"periods": run.periods, "unit": unit.code if unit else None, "rules": run.rules},
    )
    return run


def validation_run_enqueue(*, run: ValidationRun) -> ValidationRun:
    """Queue the run for the worker (`baocao db_worker`)."""
    from baocao.validation.tasks import run_validation

    result = run_validation.enqueue(run.pk)
    run.task_id = str(result.id)
    run.save(update_fields=["task_id"])
    return run


def validation_run_execute(*, run_id: int) -> ValidationRun:
    """Judge the run's units and periods with its rules and store what was found.

    The values are also judged against each unit's own history (issue 5: outliers in batch
    runs), one more step of the progress after the rules.
    """
    from baocao.validation.batch import batch_validate
    from baocao.validation.batch_outliers import batch_outliers
    from baocao.validation.models import OutlierFinding

    run = ValidationRun.objects.select_related("unit").get(pk=run_id)
    rules = list(ValidationRule.objects.order_by("code"))
    if run.rules:
        rules = [rule for rule in rules if rule.code in set(run.rules)]
    run.status = RunStatus.RUNNING
    run.started_at = timezone.now()
    run.progress_total = len(rules) + 1  # the rules, then the outliers
    run.save(update_fields=["status", "started_at", "progress_total"])

    def progress(done: int, total: int) -> None:
        if done == total or done % PROGRESS_EVERY == 0:
            ValidationRun.objects.filter(pk=run.pk).update(
                progress_done=done, progress_total=total + 1
            )

    unit_ids = None
    if run.unit is not None:
        unit_ids = org_selectors.descendant_ids(unit=run.unit, on=org_selectors.today())
        unit_ids.add(run.unit.pk)
    try:
        result = batch_validate(
            rules=rules,
            periods=run.periods,
            unit_ids=unit_ids,
            source=run.source or None,
            progress=progress,
        )
        outliers = batch_outliers(
            periods=run.periods,
            unit_ids=unit_ids,
            source=run.source or None,
        )
    except Exception as error:  # a run that fails says why instead of staying "running"
        log.exception("validation run %s failed", run.pk)
        ValidationRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            error="".join(traceback.format_exception_only(error)).strip(),
        )
        raise
    importance = {rule.code: rule.importance for rule in rules}
    with transaction.atomic():
        RuleViolation.objects.filter(run=run).delete()
        RuleViolation.objects.bulk_create(
            (
                RuleViolation(
                    run=run,
                    rule_code=item.rule,
                    importance=importance.get(item.rule, ""),
                    unit_id=item.unit_id,
                    period=item.period,
                    source=item.source,
                    status=item.status,
                    left=item.left,
                    right=item.right,
                )
                for item in result.violations
            ),
            batch_size=5000,
        )
        OutlierFinding.objects.filter(run=run).delete()
        OutlierFinding.objects.bulk_create(
            (
                OutlierFinding(
                    run=run,
                    indicator_code=item.indicator_code,
                    disaggregation=item.disaggregation,
                    unit_id=item.unit_id,
                    period=item.period,
                    source=item.source,
                    value=item.value,
                    expected_low=item.expected_low,
                    expected_high=item.expected_high,
                    basis=item.basis,
                    score=item.score,
                )
                for item in outliers.found
            ),
            batch_size=5000,
        )
        run.status = RunStatus.DONE
        run.finished_at = timezone.now()
        run.progress_done = run.progress_total
        run.counts = {
            "values_read": result.values_read,
            "evaluated": result.evaluated,
            "passed": result.passed,
            "violated": result.violated,
            "skipped": result.skipped,
            "not_evaluable": result.not_evaluable,
            "seconds": round(result.seconds, 3),
            "per_rule": result.per_rule,
            "violations_kept": len(result.violations),
            # Counts are exact; the rows kept stop at 100,000, as violations do.
            "outliers": outliers.outliers,
            "outliers_kept": len(outliers.found),
            "outlier_values": outliers.values_judged,
            "outlier_seconds": round(outliers.seconds, 3),
        }
        run.save()
    return run


# Reconciliation between sources (issue 5, scope 5) -------------------------------------------


@dataclasses.dataclass
class ComparisonSummary:
    """What comparing the sources did: figures compared and discrepancies by outcome."""

    compared: int = 0
    agreeing: int = 0
    found: int = 0  # new discrepancies
    changed: int = 0  # open ones whose values changed and still disagree
    reopened: int = 0  # resolved ones that disagree again (with other values)
    still_open: int = 0  # open ones with the same values
    accepted: int = 0  # accepted differences whose values did not change
    corrected: int = 0  # discrepancies whose values now agree
    one_sided: int = 0
    incomplete: int = 0

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def discrepancies_compare(
    *,
    periods: Sequence[str],
    unit: Unit | None = None,
    rules: Sequence[str] = (),
    actor: Actor,
) -> ComparisonSummary:
    """Compare the sources of the given rules (default all) for the periods and units.

    New disagreements become open discrepancies; open ones whose values now agree are
    corrected; a resolved one that disagrees again with other values is reopened. An
    accepted difference stays accepted while its values stay the same.
    """
    codes, problems = _period_codes(periods)
    catalogue = {rule.code: rule for rule in ReconciliationRule.objects.order_by("code")}
    problems.extend(
        DomainError(ValidationError.UNKNOWN_RECONCILIATION_RULE, field="rules", code=code)
        for code in rules
        if code not in catalogue
    )
    unit = _runner_unit(actor, unit, denied=ValidationError.NOT_ALLOWED_TO_COMPARE)
    if problems:
        raise Rejected(problems)
    chosen = [catalogue[code] for code in rules] if rules else list(catalogue.values())
    unit_ids = None
    if unit is not None:
        unit_ids = org_selectors.descendant_ids(unit=unit, on=org_selectors.today())
    return _comparisons_apply(
        figures_compare(rules=chosen, periods=codes, unit_ids=unit_ids),
        rules=chosen,
        periods=codes,
        unit_ids=unit_ids,
        actor=actor,
    )


def discrepancy_recheck(*, discrepancy: Discrepancy, actor: Actor) -> Discrepancy:
    """Compare one figure's sources again, e.g. after its report was corrected."""
    rule = discrepancy.rule
    result = figures_compare(
        rules=[rule], periods=[discrepancy.period], unit_ids={discrepancy.unit_id}
    )
    result.comparisons = [
        item for item in result.comparisons if item.disaggregation == discrepancy.disaggregation
    ]
    _comparisons_apply(
        result,
        rules=[rule],
        periods=[discrepancy.period],
        unit_ids={discrepancy.unit_id},
        actor=actor,
        only=discrepancy,
    )
    discrepancy.refresh_from_db()
    return discrepancy


@transaction.atomic
def discrepancy_comment(*, discrepancy: Discrepancy, text: str, actor: Actor) -> DiscrepancyEvent:
    """Add a comment to the follow-up (anyone who may see the discrepancy)."""
    text = (text or "").strip()
    if not text:
        raise DomainError(ValidationError.TEXT_REQUIRED, field="text")
    return _event(discrepancy, DiscrepancyEventKind.COMMENT, actor=actor, text=text)


@transaction.atomic
def discrepancy_accept(*, discrepancy: Discrepancy, reason: str, actor: Actor) -> Discrepancy:
    """Accept the difference as it is (two cut-off dates, two definitions), saying why."""
    _check_resolver(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(ValidationError.REASON_REQUIRED, field="reason")
    discrepancy = Discrepancy.objects.select_for_update().get(pk=discrepancy.pk)
    if discrepancy.status != DiscrepancyStatus.OPEN:
        raise SubmissionConflict(
            ValidationError.NOT_OPEN, status=DiscrepancyStatus(discrepancy.status).label
        )
    before = {"status": discrepancy.status}
    discrepancy.status = DiscrepancyStatus.ACCEPTED
    discrepancy.resolved_at = timezone.now()
    discrepancy.resolved_by_name = _name(actor)
    discrepancy.resolution = reason
    discrepancy.save(update_fields=["status", "resolved_at", "resolved_by_name", "resolution"])
    _event(discrepancy, DiscrepancyEventKind.ACCEPTED, actor=actor, text=reason)
    change_record_create(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=discrepancy,
        before=before,
        after={"status": discrepancy.status},
        reason=reason,
    )
    return discrepancy


@transaction.atomic
def discrepancy_reopen(*, discrepancy: Discrepancy, reason: str, actor: Actor) -> Discrepancy:
    """Open a resolved discrepancy again (an accepted difference was a mistake)."""
    _check_resolver(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(ValidationError.REASON_REQUIRED, field="reason")
    discrepancy = Discrepancy.objects.select_for_update().get(pk=discrepancy.pk)
    if discrepancy.status == DiscrepancyStatus.OPEN:
        raise SubmissionConflict(ValidationError.NOT_RESOLVED)
    before = {"status": discrepancy.status}
    _reopen(discrepancy)
    discrepancy.save(update_fields=["status", "resolved_at", "resolved_by_name", "resolution"])
    _event(discrepancy, DiscrepancyEventKind.REOPENED, actor=actor, text=reason)
    change_record_create(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=discrepancy,
        before=before,
        after={"status": discrepancy.status},
        reason=reason,
    )
    return discrepancy


def _period_codes(periods: Sequence[str]) -> tuple[list[str], list[DomainError]]:
    """Canonical codes of the periods asked for, and what is wrong with them."""
    problems: list[DomainError] = []
    codes: list[str] = []
    for index, raw in enumerate(periods):
        try:
            codes.append(submission_selectors.period_parse(raw, field=f"periods[{index}]").code)
        except DomainError as error:
            problems.append(error)
    if not periods:
        problems.append(DomainError(ValidationError.NO_PERIODS, field="periods"))
    if len(periods) > MAX_PERIODS:
        problems.append(
            DomainError(ValidationError.TOO_MANY_PERIODS, field="periods", maximum=MAX_PERIODS)
        )
    return sorted(set(codes)), problems


def _runner_unit(actor: Actor, unit: Unit | None, *, denied: ValidationError) -> Unit | None:
    """The unit a batch job may cover: the one asked for, inside the actor's scope.

    Analysts, reviewers and administrators run batch jobs; a user who does not see
    everything covers their own unit by default. The command line (no actor) covers any.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        return unit
    if not any(actor.has_role(role) for role in RUNNER_ROLES):  # type: ignore[union-attr]
        raise SubmissionDenied(denied)
    visible = scope.unit_ids_in_scope(actor)
    if visible is None:
        return unit
    unit = unit or getattr(actor, "unit", None)
    if unit is None or unit.pk not in visible:
        raise SubmissionDenied(
            ValidationError.UNIT_OUT_OF_SCOPE, field="unit", unit=unit.code if unit else "?"
        )
    return unit


def _check_resolver(actor: Actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return  # the command line
    if not any(actor.has_role(role) for role in RUNNER_ROLES):  # type: ignore[union-attr]
        raise SubmissionDenied(ValidationError.NOT_ALLOWED_TO_RESOLVE)


@transaction.atomic
def _comparisons_apply(
    result: ComparisonResult,
    *,
    rules: Sequence[ReconciliationRule],
    periods: Sequence[str],
    unit_ids: set[int] | None,
    actor: Actor,
    only: Discrepancy | None = None,
) -> ComparisonSummary:
    now = timezone.now()
    summary = ComparisonSummary(
        compared=result.compared, one_sided=result.one_sided, incomplete=result.incomplete
    )
    existing = Discrepancy.objects.select_for_update().filter(
        rule__in=[rule.pk for rule in rules], period__in=list(periods)
    )
    if unit_ids is not None:
        existing = existing.filter(unit_id__in=unit_ids)
    if only is not None:
        existing = existing.filter(pk=only.pk)
    known = {
        (item.rule_id, item.unit_id, item.period, item.disaggregation): item for item in existing
    }
    for comparison in result.comparisons:
        key = (comparison.rule.pk, comparison.unit_id, comparison.period, comparison.disaggregation)
        discrepancy = known.get(key)
        left, right = canonical_decimal(comparison.left), canonical_decimal(comparison.right)
        if comparison.agree:
            summary.agreeing += 1
            if discrepancy is not None and discrepancy.status != DiscrepancyStatus.CORRECTED:
                summary.corrected += 1
                _corrected(discrepancy, left, right, now, actor)
            continue
        if discrepancy is None:
            summary.found += 1
            discrepancy = Discrepancy.objects.create(
                rule=comparison.rule,
                indicator_id=comparison.rule.indicator_id,
                disaggregation=comparison.disaggregation,
                unit_id=comparison.unit_id,
                period=comparison.period,
                left_source=comparison.rule.left_source,
                right_source=comparison.rule.right_source,
                left_value=left,
                right_value=right,
                difference=float(comparison.difference),
                found_at=now,
                checked_at=now,
            )
            _event(discrepancy, DiscrepancyEventKind.FOUND, actor=actor, left=left, right=right)
            continue
        same_values = (discrepancy.left_value, discrepancy.right_value) == (left, right)
        kind = None
        if discrepancy.status == DiscrepancyStatus.OPEN:
            if same_values:
                summary.still_open += 1
            else:
                summary.changed += 1
                kind = DiscrepancyEventKind.CHANGED
        elif discrepancy.status == DiscrepancyStatus.ACCEPTED and same_values:
            summary.accepted += 1
        else:  # corrected, or accepted for other values: disagrees again
            summary.reopened += 1
            kind = DiscrepancyEventKind.REOPENED
            _reopen(discrepancy)
        discrepancy.left_value, discrepancy.right_value = left, right
        discrepancy.difference = float(comparison.difference)
        discrepancy.checked_at = now
        discrepancy.save()
        if kind is not None:
            _event(discrepancy, kind, actor=actor, left=left, right=right)
    return summary


def _corrected(
    discrepancy: Discrepancy, left: str, right: str, now: dt.datetime, actor: Actor
) -> None:
    discrepancy.status = DiscrepancyStatus.CORRECTED
    discrepancy.left_value, discrepancy.right_value = left, right
    discrepancy.difference = float(Decimal(left) - Decimal(right))
    discrepancy.checked_at = discrepancy.resolved_at = now
    discrepancy.resolved_by_name = _name(actor)
    discrepancy.resolution = ""
    discrepancy.save()
    _event(discrepancy, DiscrepancyEventKind.CORRECTED, actor=actor, left=left, right=right)


def _reopen(discrepancy: Discrepancy) -> None:
    discrepancy.status = DiscrepancyStatus.OPEN
    discrepancy.resolved_at = None
    discrepancy.resolved_by_name = ""
    discrepancy.resolution = ""


def _event(
    discrepancy: Discrepancy,
    kind: DiscrepancyEventKind,
    *,
    actor: Actor,
    text: str = "",
    left: str = "",
    right: str = "",
) -> DiscrepancyEvent:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return DiscrepancyEvent.objects.create(
        discrepancy=discrepancy,
        kind=kind,
        created_at=timezone.now(),
        author=actor if authenticated else None,  # type: ignore[misc]
        author_name=_name(actor),
        text=text,
        left_value=left,
        right_value=right,
    )
