"""Writes of the validation app: batch validation runs, queued and executed."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from baocao.accounts import scope
from baocao.accounts.choices import Role
from baocao.audit.choices import AuditAction
from baocao.audit.services import Actor, change_record_create
from baocao.catalogue.models import ValidationRule
from baocao.core.errors import DomainError, Rejected
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit
from baocao.submissions import selectors as submission_selectors
from baocao.submissions.errors import SubmissionDenied
from baocao.validation.choices import RunStatus
from baocao.validation.errors import ValidationError
from baocao.validation.models import RuleViolation, ValidationRun

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
    known = set(ValidationRule.objects.filter(code__in=rules).values_list("code", flat=True))
    problems.extend(
        DomainError(ValidationError.UNKNOWN_RULE, field="rules", code=code)
        for code in rules
        if code not in known
    )
    if actor is not None and getattr(actor, "is_authenticated", False):
        if not any(actor.has_role(role) for role in RUNNER_ROLES):  # type: ignore[union-attr]
            raise SubmissionDenied(ValidationError.NOT_ALLOWED)
        visible = scope.unit_ids_in_scope(actor)
        if visible is not None:
            unit = unit or getattr(actor, "unit", None)
            if unit is None or unit.pk not in visible:
                raise SubmissionDenied(
                    ValidationError.UNIT_OUT_OF_SCOPE,
                    field="unit",
                    unit=unit.code if unit else "?",
                )
    if problems:
        raise Rejected(problems)
    run = ValidationRun.objects.create(
        created_at=timezone.now(),
        created_by=actor if actor is not None and actor.is_authenticated else None,  # type: ignore[misc]
        created_by_name=_name(actor),
        unit=unit,
        periods=sorted(set(codes)),
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
    """Judge the run's units and periods with its rules and store what was found."""
    from baocao.validation.batch import batch_validate

    run = ValidationRun.objects.select_related("unit").get(pk=run_id)
    rules = list(ValidationRule.objects.order_by("code"))
    if run.rules:
        rules = [rule for rule in rules if rule.code in set(run.rules)]
    run.status = RunStatus.RUNNING
    run.started_at = timezone.now()
    run.progress_total = len(rules)
    run.save(update_fields=["status", "started_at", "progress_total"])

    def progress(done: int, total: int) -> None:
        if done == total or done % PROGRESS_EVERY == 0:
            ValidationRun.objects.filter(pk=run.pk).update(progress_done=done, progress_total=total)

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
        }
        run.save()
    return run
