"""Writes to reports: create, save a draft, submit (signed), review, recall, unlock; and
reminders to the units that have not sent a report.

Every function checks who acts (`permissions`), where the report stands (`lifecycle`), the
lock after the deadline and the revision the caller saw, then writes everything or nothing
in one transaction, records the transition and the audit trail. The web pages, the API and
the CLI all call these; none of them changes a report any other way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import smtplib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from baocao.accounts import scope
from baocao.accounts.choices import Role
from baocao.audit.choices import AuditAction
from baocao.audit.services import Actor, Change, change_record_create, change_records_create
from baocao.catalogue.labels import day_label, period_label
from baocao.catalogue.models import Regime
from baocao.core.errors import DomainError, NotFound, Rejected
from baocao.core.text import nfc
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit
from baocao.periods import Period
from baocao.submissions import checks, lifecycle, permissions, selectors, signing
from baocao.submissions.canonical import canonical_bytes, digest
from baocao.submissions.choices import (
    EDXML_STATUS_OF_ACTION,
    ReportAction,
    ReportStatus,
    SignatureMethod,
    ValueSource,
)
from baocao.submissions.errors import (
    ReminderError,
    SubmissionConflict,
    SubmissionDenied,
    SubmissionError,
)
from baocao.submissions.layout import CellKey, ReportLayout
from baocao.submissions.models import (
    Attachment,
    DataValue,
    DataValueHistory,
    NarrativeText,
    Reminder,
    Report,
    ReportTransition,
    ReportVersion,
    UnitCertificate,
    UnitSigningKey,
)
from baocao.submissions.values import clean_comment, clean_value

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
ATTACHMENT_EXTENSIONS = frozenset(
    {".pdf", ".xlsx", ".docx", ".odt", ".ods", ".png", ".jpg", ".jpeg", ".csv", ".txt", ".zip"}
)
MAX_NARRATIVE = 50_000


@dataclasses.dataclass(frozen=True)
class ValueInput:
    """A value as given by a person or a system; `value` None or "" removes it.

    `where` says where it came from (`field`, `row` or `cell`) so that a problem names it.
    """

    indicator: str
    disaggregation: str
    value: object
    comment: str = ""
    where: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class ClientSignature:
    """A detached signature made by the sender over the canonical bytes of the next version."""

    signature: str
    certificate_fingerprint: str = ""
    certificate_pem: str = ""


def _name(actor: Actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "system"
    full = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return str(full or actor.get_username())


def _actor_user(actor: Actor) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _changed(report: Report, *, actor: Actor, at: dt.datetime) -> None:
    """Every write bumps the revision (optimistic locking) and says who changed it, when."""
    report.revision += 1
    report.updated_at = at
    report.updated_by_name = _name(actor)


def _transition(
    report: Report,
    *,
    action: str,
    before: str,
    actor: Actor,
    reason: str = "",
    version: int | None = None,
    at: dt.datetime | None = None,
) -> ReportTransition:
    transition = ReportTransition.objects.create(
        report=report,
        action=action,
        from_status=before,
        to_status=report.status,
        at=at or timezone.now(),
        actor=_actor_user(actor),
        actor_name=_name(actor),
        reason=reason,
        version_number=version,
        edxml_status=EDXML_STATUS_OF_ACTION.get(action, ""),
    )
    change_record_create(
        actor=actor,
        action=AuditAction.UPDATE if action != ReportAction.CREATE else AuditAction.CREATE,
        instance=report,
        before={"status": before},
        after={"status": report.status, "action": action, "version": version},
        reason=reason,
    )
    return transition


# Opening a report -------------------------------------------------------------------------------


@transaction.atomic
def report_get_or_create(*, regime: str, unit: str | Unit, period: str, actor: Actor) -> Report:
    """The unit's report for the regime and period, created (not started) on first use."""
    regime_obj = selectors.regime_get(regime)
    unit_obj = unit if isinstance(unit, Unit) else selectors.unit_get(unit)
    period_obj = selectors.period_parse(period)
    existing = selectors.report_find(regime=regime_obj, unit=unit_obj, period=period_obj.code)
    if existing is not None:
        permissions.check_read(actor, existing)  # type: ignore[arg-type]
        return existing
    permissions.check_write(actor, unit_obj)  # type: ignore[arg-type]
    obligation = selectors.obligation_get(regime=regime_obj, unit=unit_obj, period=period_obj)
    report = Report(
        regime=regime_obj,
        regime_version=obligation.version,
        step_order=obligation.step_order,
        unit=unit_obj,
        receiver=obligation.receiver,
        period=period_obj.code,
        period_type=period_obj.type.value,
        deadline=obligation.deadline,
        status=ReportStatus.NOT_STARTED,
        updated_at=timezone.now(),
        updated_by_name=_name(actor),
    )
    report.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        # Created meanwhile by another request: use that one.
        found = selectors.report_find(regime=regime_obj, unit=unit_obj, period=period_obj.code)
        if found is None:
            raise
        return found
    _transition(report, action=ReportAction.CREATE, before=ReportStatus.NOT_STARTED, actor=actor)
    return report


# Saving a draft --------------------------------------------------------------------------------


def _check_editable(report: Report, *, action: str, revision: int | None) -> None:
    lifecycle.check_allowed(status=report.status, action=action)
    if revision is not None and revision != report.revision:
        raise SubmissionConflict(
            SubmissionError.STALE_REVISION,
            field="revision",
            by=report.updated_by_name or "?",
            at=timezone.localtime(report.updated_at).strftime("%H:%M %d/%m/%Y"),
            current=report.revision,
            given=revision,
        )
    if selectors.is_locked(report):
        locked_at = selectors.lock_time(report)
        raise SubmissionConflict(
            SubmissionError.LOCKED,
            locked_at=timezone.localtime(locked_at).strftime("%d/%m/%Y"),
            deadline=report.deadline.strftime("%d/%m/%Y"),
            grace=selectors.grace_days(report.regime),
            receiver=report.receiver.code,
        )


def _clean_values(
    layout: ReportLayout, values: Iterable[ValueInput], *, style: str
) -> tuple[dict[CellKey, tuple[str, str]], set[CellKey], list[DomainError]]:
    cleaned: dict[CellKey, tuple[str, str]] = {}
    removed: set[CellKey] = set()
    problems: list[DomainError] = []
    for item in values:
        key = (item.indicator, item.disaggregation or "")
        where = dict(item.where)
        cell = layout.cells.get(key)
        if cell is None:
            problems.append(
                DomainError(
                    SubmissionError.INDICATOR_NOT_IN_REPORT,
                    **where,
                    indicator=item.indicator,
                    disaggregation=item.disaggregation,
                )
            )
            continue
        try:
            comment = clean_comment(item.comment)
            if item.value is None or (isinstance(item.value, str) and not item.value.strip()):
                removed.add(key)
                if comment:
                    problems.append(
                        DomainError(SubmissionError.REQUIRED_MISSING, **where, label=cell.label)
                    )
                continue
            text = clean_value(
                value_type=cell.indicator.value_type,
                decimals=cell.indicator.decimals,
                raw=item.value,
                style=style,  # type: ignore[arg-type]
            )
        except DomainError as error:
            problems.append(DomainError(error.error, **where, **error.args_dict))
            continue
        cleaned[key] = (text, comment)
    return cleaned, removed, problems


@transaction.atomic
def report_save(
    *,
    report: Report,
    values: Iterable[ValueInput] = (),
    narratives: Mapping[str, str] | None = None,
    revision: int | None = None,
    replace: bool = False,
    channel: str = ValueSource.WEB,
    style: str = "vi",
    actor: Actor,
) -> Report:
    """Save values and narrative text as a draft; all of it or, on any problem, none of it.

    `replace=True` removes the values not given (a whole form or workbook was sent);
    otherwise only the given cells change. `revision` is the one the caller saw: if the
    report changed since, nothing is written (`STALE_REVISION`).
    """
    report = (
        Report.objects.select_for_update()
        .select_related("regime", "receiver", "unit")
        .get(pk=report.pk)
    )
    permissions.check_write(actor, report.unit)  # type: ignore[arg-type]
    _check_editable(report, action=ReportAction.SAVE, revision=revision)
    layout = selectors.layout_of(report)
    cleaned, removed, problems = _clean_values(layout, values, style=style)
    narrative_texts: dict[str, str] = {}
    for code, text in (narratives or {}).items():
        if code not in layout.narrative_codes:
            problems.append(
                DomainError(SubmissionError.UNKNOWN_NARRATIVE, field=f"narrative.{code}", code=code)
            )
            continue
        clean = nfc(str(text or "")).strip()
        field = next(f for f in layout.narratives if f.code == code)
        maximum = field.max_length or MAX_NARRATIVE
        if len(clean) > maximum:
            problems.append(
                DomainError(
                    SubmissionError.TEXT_TOO_LONG, field=f"narrative.{code}", maximum=maximum
                )
            )
            continue
        narrative_texts[code] = clean
    if problems:
        raise Rejected(problems)
    if replace:
        removed |= set(layout.cells) - set(cleaned)
    now = timezone.now()
    values_write(
        report=report,
        layout=layout,
        cleaned=cleaned,
        removed=removed,
        channel=channel,
        actor=actor,
        at=now,
    )
    for code, text in narrative_texts.items():
        NarrativeText.objects.update_or_create(report=report, code=code, defaults={"text": text})
    before = report.status
    report.status = lifecycle.status_after(
        status=report.status, action=ReportAction.SAVE, version_count=report.version_count
    )
    _changed(report, actor=actor, at=now)
    report.save(update_fields=["status", "revision", "updated_at", "updated_by_name"])
    if before != report.status:
        _transition(report, action=ReportAction.SAVE, before=before, actor=actor, at=now)
    return report


def values_write(
    *,
    report: Report,
    layout: ReportLayout,
    cleaned: Mapping[CellKey, tuple[str, str]],
    removed: Iterable[CellKey],
    channel: str,
    actor: Actor,
    at: dt.datetime,
) -> None:
    """Upsert the report's values, keeping every previous value in the history."""
    existing = selectors.report_values(report)
    name = _name(actor)
    history: list[DataValueHistory] = []
    written: list[DataValue] = []
    for key, (text, comment) in cleaned.items():
        current = existing.get(key)
        if current is not None and current.value == text and current.comment == comment:
            continue
        if current is not None:
            history.append(_history(current, new_value=text, at=at, name=name, channel=channel))
        written.append(
            DataValue(
                indicator=layout.cells[key].indicator,
                disaggregation=key[1],
                unit=report.unit,
                period=report.period,
                source=report.source,
                report=report,
                value=text,
                comment=comment,
                channel=channel,
                updated_at=at,
                updated_by_name=name,
            )
        )
    gone = [existing[key] for key in removed if key in existing]
    history.extend(
        _history(value, new_value="", at=at, name=name, channel=channel, deleted=True)
        for value in gone
    )
    DataValueHistory.objects.bulk_create(history)
    # One INSERT … ON CONFLICT DO UPDATE for new and changed values alike (SQLite and
    # PostgreSQL): a 300-cell form saves in one statement instead of a CASE per column.
    DataValue.objects.bulk_create(
        written,
        update_conflicts=True,
        unique_fields=["indicator", "disaggregation", "unit", "period", "source"],
        update_fields=["report", "value", "comment", "channel", "updated_at", "updated_by_name"],
    )
    if gone:
        DataValue.objects.filter(pk__in=[value.pk for value in gone]).delete()


def _history(
    value: DataValue,
    *,
    new_value: str,
    at: dt.datetime,
    name: str,
    channel: str,
    deleted: bool = False,
) -> DataValueHistory:
    return DataValueHistory(
        indicator_id=value.indicator_id,
        disaggregation=value.disaggregation,
        unit_id=value.unit_id,
        period=value.period,
        source=value.source,
        value=value.value,
        comment=value.comment,
        new_value=new_value,
        deleted=deleted,
        changed_at=at,
        changed_by_name=name,
        channel=channel,
    )


# Attachments -----------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(
    *, report: Report, name: str, content: bytes, content_type: str, actor: Actor
) -> Attachment:
    report = (
        Report.objects.select_for_update()
        .select_related("regime", "receiver", "unit")
        .get(pk=report.pk)
    )
    permissions.check_write(actor, report.unit)  # type: ignore[arg-type]
    _check_editable(report, action=ReportAction.SAVE, revision=None)
    clean_name = nfc(name).replace("/", "_").replace("\\", "_").strip()[:255] or "tep"
    extension = ("." + clean_name.rsplit(".", 1)[-1].lower()) if "." in clean_name else ""
    if extension not in ATTACHMENT_EXTENSIONS:
        raise DomainError(
            SubmissionError.ATTACHMENT_TYPE,
            field="file",
            extension=extension or "?",
            allowed=", ".join(sorted(ATTACHMENT_EXTENSIONS)),
        )
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise DomainError(
            SubmissionError.FILE_TOO_LARGE,
            field="file",
            size=len(content),
            maximum=MAX_ATTACHMENT_BYTES,
        )
    sha256 = hashlib.sha256(content).hexdigest()
    attachment = Attachment(
        report=report,
        name=clean_name,
        content_type=content_type[:100] or "application/octet-stream",
        size=len(content),
        sha256=sha256,
        uploaded_at=timezone.now(),
        uploaded_by=_actor_user(actor),
    )
    attachment.file.save(clean_name, ContentFile(content), save=False)
    attachment.save()
    _bump(report, actor)
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor: Actor) -> None:
    report = (
        Report.objects.select_for_update()
        .select_related("regime", "receiver", "unit")
        .get(pk=attachment.report_id)
    )
    permissions.check_write(actor, report.unit)  # type: ignore[arg-type]
    _check_editable(report, action=ReportAction.SAVE, revision=None)
    # The file stays on disk: a submitted version may refer to its hash.
    attachment.delete()
    _bump(report, actor)


def _bump(report: Report, actor: Actor) -> None:
    _changed(report, actor=actor, at=timezone.now())
    if report.status == ReportStatus.NOT_STARTED:
        before = report.status
        report.status = ReportStatus.DRAFT
        _transition(report, action=ReportAction.SAVE, before=before, actor=actor)
    report.save(update_fields=["status", "revision", "updated_at", "updated_by_name"])


# Submitting ------------------------------------------------------------------------------------


def missing_required(report: Report, layout: ReportLayout | None = None) -> list[DomainError]:
    """Required cells and narrative sections left empty, each named."""
    layout = layout or selectors.layout_of(report)
    present = selectors.report_values(report)
    problems = [
        DomainError(
            SubmissionError.REQUIRED_MISSING,
            cell=f"{cell.form_code}/{cell.section_code}/{cell.row_number}"
            + (f"/{cell.column.option_code}" if cell.column else ""),
            field=f"{cell.key[0]}|{cell.key[1]}",
            label=cell.label,
        )
        for cell in layout.cell_list()
        if cell.required and cell.key not in present
    ]
    narratives = selectors.report_narratives(report)
    problems.extend(
        DomainError(
            SubmissionError.REQUIRED_MISSING, field=f"narrative.{field.code}", label=field.label
        )
        for field in layout.narratives
        if field.required and not narratives.get(field.code)
    )
    return problems


@transaction.atomic
def report_submit(
    *,
    report: Report,
    actor: Actor,
    revision: int | None = None,
    idempotency_key: str = "",
    client_signature: ClientSignature | None = None,
) -> ReportVersion:
    """Freeze the content as a new signed version and send it to the receiver.

    A retried request with the same `idempotency_key` returns the version the first one made.
    Without a client signature the system signs with the unit's key.
    """
    report = (
        Report.objects.select_for_update()
        .select_related("regime", "receiver", "unit")
        .get(pk=report.pk)
    )
    permissions.check_write(actor, report.unit)  # type: ignore[arg-type]
    key = idempotency_key.strip()[:128]
    if key:
        earlier = ReportVersion.objects.filter(report=report, idempotency_key=key).first()
        if earlier is not None:
            return earlier
    _check_editable(report, action=ReportAction.SUBMIT, revision=revision)
    problems = missing_required(report)
    findings = checks.findings_for(report)
    problems.extend(_blocking(report, findings))
    if problems:
        raise Rejected(problems)
    number = report.version_count + 1
    document = selectors.report_document(report, version=number)
    data = canonical_bytes(document)
    signature = (
        _client_signature(report, client_signature, data)
        if client_signature is not None
        else _server_signature(report, data)
    )
    now = timezone.now()
    late = selectors.days_late(report.deadline, now)
    version = ReportVersion.objects.create(
        report=report,
        number=number,
        content=document,
        digest=digest(document),
        submitted_at=now,
        submitted_by=_actor_user(actor),
        submitted_by_name=_name(actor),
        days_late=late,
        idempotency_key=key,
        signature=signature.value,
        signature_method=SignatureMethod.CLIENT if client_signature else SignatureMethod.SERVER,
        signature_algorithm=signature.algorithm,
        certificate_fingerprint=signature.fingerprint,
        certificate_pem=signature.certificate_pem,
        signer_subject=signature.subject,
        signed_at=now,
    )
    before = report.status
    report.status = lifecycle.status_after(
        status=report.status, action=ReportAction.SUBMIT, version_count=report.version_count
    )
    report.version_count = number
    _changed(report, actor=actor, at=now)
    if report.submitted_at is None:
        report.days_late = late
    report.submitted_at = now
    report.received_at = None
    report.return_reason = ""
    report.save()
    _transition(
        report, action=ReportAction.SUBMIT, before=before, actor=actor, version=number, at=now
    )
    # Accepted at once only when the checks found nothing at all: an explained warning still
    # deserves a reviewer's eyes.
    if selectors.auto_accept(report.regime) and not findings:
        _accept(report, actor=None, reason="auto", at=now)
    return version


def _blocking(report: Report, findings: list[checks.Finding]) -> list[DomainError]:
    """Errors, and warnings none of whose values carries a comment explaining it.

    Notices (outliers against the unit's history) never block and need no comment.
    """
    commented = {
        (value.indicator.code, value.disaggregation)
        for value in selectors.report_values(report).values()
        if value.comment
    }
    problems: list[DomainError] = []
    for finding in findings:
        if finding.importance == checks.NOTICE:
            continue
        where: dict[str, Any] = (
            {"field": f"v|{finding.cells[0][0]}|{finding.cells[0][1]}"} if finding.cells else {}
        )
        if finding.importance == checks.ERROR:
            problems.append(
                DomainError(
                    SubmissionError.CHECK_FAILED,
                    **where,
                    rule=finding.code,
                    message=finding.message,
                )
            )
        elif not commented.intersection(finding.cells):
            problems.append(
                DomainError(
                    SubmissionError.WARNING_UNEXPLAINED,
                    **where,
                    rule=finding.code,
                    message=finding.message,
                )
            )
    return problems


def _server_signature(report: Report, data: bytes) -> signing.Signature:
    key = (
        UnitSigningKey.objects.filter(unit=report.unit, active=True).order_by("-created_at").first()
    )
    if key is None:
        raise DomainError(SubmissionError.NO_SIGNING_KEY, unit=report.unit.code)
    certificate = signing.certificate_load(key.certificate_pem)
    info = signing.certificate_info(certificate)
    return signing.Signature(
        value=signing.sign(private_key_pem=key.private_key_pem, data=data),
        algorithm=info.algorithm,
        fingerprint=info.fingerprint,
        certificate_pem=key.certificate_pem,
        subject=info.subject,
    )


def _client_signature(report: Report, given: ClientSignature, data: bytes) -> signing.Signature:
    fingerprint = given.certificate_fingerprint.strip().lower().replace(":", "")
    if given.certificate_pem:
        fingerprint = signing.certificate_info(
            signing.certificate_load(given.certificate_pem)
        ).fingerprint
    registered = UnitCertificate.objects.filter(
        unit=report.unit, fingerprint=fingerprint, revoked_at__isnull=True
    ).first()
    if registered is None:
        raise DomainError(
            SubmissionError.UNKNOWN_CERTIFICATE,
            field="certificate",
            fingerprint=fingerprint or "?",
            unit=report.unit.code,
        )
    now = timezone.now()
    if not registered.valid_from <= now <= registered.valid_to:
        raise DomainError(
            SubmissionError.CERTIFICATE_INVALID,
            field="certificate",
            reason="expired or not yet valid",
        )
    certificate = signing.certificate_load(registered.certificate_pem)
    signing.verify(certificate=certificate, data=data, signature_b64=given.signature)
    info = signing.certificate_info(certificate)
    return signing.Signature(
        value=given.signature,
        algorithm=info.algorithm,
        fingerprint=info.fingerprint,
        certificate_pem=registered.certificate_pem,
        subject=info.subject,
    )


# Review ----------------------------------------------------------------------------------------


def _locked_for_review(report: Report) -> Report:
    return (
        Report.objects.select_for_update()
        .select_related("regime", "receiver", "unit")
        .get(pk=report.pk)
    )


@transaction.atomic
def report_open(*, report: Report, actor: Actor) -> Report:
    """The receiver opened the report: from now on a recall needs their consent."""
    report = _locked_for_review(report)
    if (
        report.received_at is None
        and lifecycle.can(status=report.status, action=ReportAction.OPEN)
        and permissions.may_review(actor, report)  # type: ignore[arg-type]
    ):
        report.received_at = timezone.now()
        report.save(update_fields=["received_at"])
        _transition(report, action=ReportAction.OPEN, before=report.status, actor=actor)
    return report


@transaction.atomic
def report_accept(*, report: Report, actor: Actor, reason: str = "") -> Report:
    report = _locked_for_review(report)
    permissions.check_review(actor, report)  # type: ignore[arg-type]
    lifecycle.check_allowed(status=report.status, action=ReportAction.ACCEPT)
    return _accept(report, actor=actor, reason=nfc(reason).strip())


def _accept(report: Report, *, actor: Actor, reason: str, at: dt.datetime | None = None) -> Report:
    now = at or timezone.now()
    before = report.status
    report.status = ReportStatus.ACCEPTED
    report.accepted_at = now
    if report.received_at is None:
        report.received_at = now
    _changed(report, actor=actor, at=now)
    report.save()
    _transition(
        report,
        action=ReportAction.ACCEPT,
        before=before,
        actor=actor,
        reason=reason,
        version=report.version_count,
        at=now,
    )
    return report


@transaction.atomic
def report_return(*, report: Report, actor: Actor, reason: str) -> Report:
    """Send the report back to its unit with a reason; it becomes editable again."""
    report = _locked_for_review(report)
    permissions.check_review(actor, report)  # type: ignore[arg-type]
    lifecycle.check_allowed(status=report.status, action=ReportAction.RETURN)
    reason = nfc(reason or "").strip()
    if not reason:
        raise DomainError(SubmissionError.REASON_REQUIRED, field="reason")
    now = timezone.now()
    before = report.status
    report.status = ReportStatus.RETURNED
    report.return_reason = reason
    report.accepted_at = None
    if report.received_at is None:
        report.received_at = now
    _changed(report, actor=actor, at=now)
    # A returned report may be corrected for the grace period even if that runs past the
    # lock: returning it is the receiver's consent to a late change.
    reopen_until = now + dt.timedelta(days=selectors.grace_days(report.regime) or 1)
    if selectors.lock_time(report) < reopen_until:
        report.unlocked_until = max(report.unlocked_until or now, reopen_until)
    report.save()
    _transition(
        report,
        action=ReportAction.RETURN,
        before=before,
        actor=actor,
        reason=reason,
        version=report.version_count,
        at=now,
    )
    return report


@transaction.atomic
def report_recall(*, report: Report, actor: Actor, reason: str = "") -> Report:
    """The sender takes a report back: at once if unopened, else as a request to the receiver."""
    report = _locked_for_review(report)
    permissions.check_write(actor, report.unit)  # type: ignore[arg-type]
    action = ReportAction.RECALL if report.received_at is None else ReportAction.RECALL_REQUEST
    before = report.status
    report.status = lifecycle.status_after(
        status=report.status, action=action, version_count=report.version_count
    )
    _changed(report, actor=actor, at=timezone.now())
    report.save()
    _transition(report, action=action, before=before, actor=actor, reason=nfc(reason).strip())
    return report


@transaction.atomic
def report_recall_answer(*, report: Report, actor: Actor, agree: bool, reason: str = "") -> Report:
    """The receiver agrees to (back to draft) or refuses (stays sent) a recall request."""
    report = _locked_for_review(report)
    permissions.check_review(actor, report)  # type: ignore[arg-type]
    action = ReportAction.RECALL_AGREE if agree else ReportAction.RECALL_REFUSE
    before = report.status
    report.status = lifecycle.status_after(
        status=report.status, action=action, version_count=report.version_count
    )
    if agree:
        report.received_at = None
    _changed(report, actor=actor, at=timezone.now())
    report.save()
    _transition(report, action=action, before=before, actor=actor, reason=nfc(reason).strip())
    return report


@transaction.atomic
def report_unlock(*, report: Report, actor: Actor, reason: str, days: int = 3) -> Report:
    """The receiver lets the unit change a locked report for `days` days (recorded)."""
    report = _locked_for_review(report)
    permissions.check_review(actor, report)  # type: ignore[arg-type]
    if not selectors.is_locked(report):
        raise DomainError(SubmissionError.NOT_LOCKED)
    reason = nfc(reason or "").strip()
    if not reason:
        raise DomainError(SubmissionError.REASON_REQUIRED, field="reason")
    now = timezone.now()
    report.unlocked_until = now + dt.timedelta(days=max(1, min(days, 60)))
    _changed(report, actor=actor, at=now)
    report.save()
    _transition(
        report, action=ReportAction.UNLOCK, before=report.status, actor=actor, reason=reason
    )
    return report


# Keys ------------------------------------------------------------------------------------------


@transaction.atomic
def signing_key_create(*, unit: Unit, actor: Actor) -> UnitSigningKey:
    """A new key for the system to sign the unit's reports with; older keys are deactivated."""
    latest = org_selectors.unit_last_version(unit=unit)
    name = latest.name if latest is not None else unit.code
    private_pem, certificate_pem = signing.key_pair_create(common_name=name, organisation=name)
    info = signing.certificate_info(signing.certificate_load(certificate_pem))
    UnitSigningKey.objects.filter(unit=unit, active=True).update(active=False)
    key = UnitSigningKey.objects.create(
        unit=unit,
        private_key_pem=private_pem,
        certificate_pem=certificate_pem,
        fingerprint=info.fingerprint,
        created_at=timezone.now(),
    )
    change_record_create(
        actor=actor,
        action=AuditAction.CREATE,
        instance=key,
        after={"unit": unit.code, "fingerprint": info.fingerprint},
    )
    return key


@transaction.atomic
def certificate_register(*, unit: Unit, pem: str, actor: Actor) -> UnitCertificate:
    """Register a sender's X.509 certificate (RSA or ECDSA) for the unit."""
    certificate = signing.certificate_load(pem)
    info = signing.certificate_info(certificate)
    registered, _ = UnitCertificate.objects.update_or_create(
        fingerprint=info.fingerprint,
        defaults={
            "unit": unit,
            "subject": info.subject[:500],
            "certificate_pem": signing.certificate_pem(certificate),
            "valid_from": info.not_before,
            "valid_to": info.not_after,
            "registered_at": timezone.now(),
            "revoked_at": None,
        },
    )
    change_record_create(
        actor=actor,
        action=AuditAction.CREATE,
        instance=registered,
        after={"unit": unit.code, "fingerprint": info.fingerprint, "subject": info.subject},
    )
    return registered


@transaction.atomic
def certificate_revoke(*, fingerprint: str, actor: Actor) -> UnitCertificate:
    """Revoke a registered certificate: signatures made with its key are refused from now on.

    Versions signed before stay verifiable (each keeps a copy of its certificate): a
    signature made while its certificate was in force stays valid (Decree 130/2018/NĐ-CP
    Art. 9). Revoking an already revoked certificate changes nothing.
    """
    clean = fingerprint.strip().lower().replace(":", "")
    certificate = (
        UnitCertificate.objects.select_for_update()
        .select_related("unit")
        .filter(fingerprint=clean)
        .first()
    )
    if certificate is None:
        raise NotFound(
            SubmissionError.CERTIFICATE_NOT_FOUND, field="fingerprint", fingerprint=clean or "?"
        )
    if certificate.revoked_at is not None:
        return certificate
    certificate.revoked_at = timezone.now()
    certificate.save(update_fields=["revoked_at"])
    change_record_create(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=certificate,
        before={"revoked_at": None},
        after={
            "unit": certificate.unit.code,
            "fingerprint": certificate.fingerprint,
            "revoked_at": certificate.revoked_at.isoformat(),
        },
    )
    return certificate


# Reminders (issue 7: the reporting board) ------------------------------------------------------

# A second reminder to the same unit about the same report within this interval is skipped:
# a double click, or two leaders acting at once, must not flood the unit's inbox.
REMINDER_INTERVAL = dt.timedelta(hours=1)
MAX_REMINDER_UNITS = 500
MAX_REMINDER_MESSAGE = 2000
# Sent and not taken back: the report is with its receiver (as the completeness counts); a
# returned report, a draft or one never opened is still owed.
_SENT_STATUSES = frozenset(
    {
        ReportStatus.SUBMITTED,
        ReportStatus.RESUBMITTED,
        ReportStatus.ACCEPTED,
        ReportStatus.RECALL_REQUESTED,
    }
)


@dataclasses.dataclass
class ReminderSummary:
    """What `reminders_send` did: the units reminded, those skipped and why, emails sent.

    Skipped: `already_sent` (the report is with the receiver), `recently_reminded` (reminded
    less than `REMINDER_INTERVAL` ago), `not_owed` (the unit owes no such report).
    `without_recipients` are reminded units with no active reporting officer with an email
    address: the reminder shows on their reports page, but nobody was emailed.
    """

    regime: str
    period: str
    reminded: list[str] = dataclasses.field(default_factory=list)
    already_sent: list[str] = dataclasses.field(default_factory=list)
    recently_reminded: list[str] = dataclasses.field(default_factory=list)
    not_owed: list[str] = dataclasses.field(default_factory=list)
    without_recipients: list[str] = dataclasses.field(default_factory=list)
    emails: int = 0
    reminders: list[Reminder] = dataclasses.field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.already_sent) + len(self.recently_reminded) + len(self.not_owed)


@dataclasses.dataclass(frozen=True)
class _Owed:
    """A unit's report to remind about: from its report row, or the catalogue if unopened."""

    unit: Unit
    step_order: int
    receiver: Unit
    deadline: dt.date
    status: str


@transaction.atomic
def reminders_send(
    *,
    regime: str,
    period: str,
    unit_codes: Sequence[str],
    message: str = "",
    actor: Actor,
) -> ReminderSummary:
    """Remind units that owe `regime`'s report for `period` and have not sent it (never
    opened, a draft, or returned), and email each one's active reporting officers.

    The actor must be a reviewer, leader or administrator of the unit that receives the
    report or of a unit above it, and see the unit (`accounts.scope`); any unit refused
    refuses the whole request, naming the unit. Units that sent the report, owe none, or
    were reminded less than `REMINDER_INTERVAL` ago are skipped and counted. One `Reminder`
    per unit, audited; all of it or, if the emails cannot be sent, none of it.
    """
    # Who may act is checked before what is wrong with the request.
    if not permissions.may_send_reminders(actor):
        raise SubmissionDenied(ReminderError.FORBIDDEN)
    regime_obj = selectors.regime_get(regime)
    period_obj = selectors.period_parse(period)
    codes = list(dict.fromkeys(code.strip() for code in unit_codes if code and code.strip()))
    text = nfc(message or "").strip()
    if not codes:
        raise DomainError(ReminderError.NO_UNITS, field="units")
    if len(codes) > MAX_REMINDER_UNITS:
        raise DomainError(
            ReminderError.TOO_MANY_UNITS,
            field="units",
            maximum=MAX_REMINDER_UNITS,
            count=len(codes),
        )
    if len(text) > MAX_REMINDER_MESSAGE:
        raise DomainError(
            ReminderError.MESSAGE_TOO_LONG, field="message", maximum=MAX_REMINDER_MESSAGE
        )
    # Locked while deciding, so that two requests at once cannot both remind (PostgreSQL;
    # SQLite takes the write lock at BEGIN). NO KEY UPDATE: rows that refer to these units
    # (values, reports being saved) are not held up meanwhile.
    locked = Unit.objects.select_for_update(no_key=True).filter(code__in=codes)
    units = {unit.code: unit for unit in locked}
    for index, code in enumerate(codes):
        if code not in units:
            raise NotFound(SubmissionError.UNKNOWN_UNIT, field=f"units[{index}]", code=code)
    summary = ReminderSummary(regime=regime_obj.code, period=period_obj.code)
    owed = _reminder_obligations(regime_obj, period_obj, [units[code] for code in codes], summary)
    _check_may_remind(actor, period_obj.end, owed)
    now = timezone.now()
    recent = set(
        Reminder.objects.filter(
            regime=regime_obj,
            period=period_obj.code,
            unit__in=[item.unit for item in owed],
            sent_at__gt=now - REMINDER_INTERVAL,
        ).values_list("unit_id", flat=True)
    )
    to_remind: list[_Owed] = []
    for item in owed:
        if item.status in _SENT_STATUSES:
            summary.already_sent.append(item.unit.code)
        elif item.unit.pk in recent:
            summary.recently_reminded.append(item.unit.code)
        else:
            to_remind.append(item)
    if not to_remind:
        return summary
    addresses = _reporter_addresses([item.unit for item in to_remind])
    name = _name(actor)
    reminders = Reminder.objects.bulk_create(
        [
            Reminder(
                regime=regime_obj,
                period=period_obj.code,
                unit=item.unit,
                step_order=item.step_order,
                message=text,
                sent_at=now,
                sent_by=_actor_user(actor),
                sent_by_name=name,
                recipients=len(addresses.get(item.unit.pk, [])),
            )
            for item in to_remind
        ]
    )
    change_records_create(
        actor=actor,
        changes=[
            Change(
                AuditAction.CREATE,
                reminder,
                None,
                {
                    "regime": regime_obj.code,
                    "period": period_obj.code,
                    "unit": item.unit.code,
                    "step": item.step_order,
                    "recipients": reminder.recipients,
                    "message": text,
                },
            )
            for reminder, item in zip(reminders, to_remind, strict=True)
        ],
    )
    summary.reminded = [item.unit.code for item in to_remind]
    summary.without_recipients = [
        item.unit.code for item in to_remind if not addresses.get(item.unit.pk)
    ]
    summary.reminders = reminders
    summary.emails = _reminder_emails_send(
        regime=regime_obj,
        period=period_obj,
        owed=to_remind,
        addresses=addresses,
        message=text,
        actor=actor,
        today=timezone.localdate(now),
    )
    return summary


def _reminder_obligations(
    regime: Regime, period: Period, units: Sequence[Unit], summary: ReminderSummary
) -> list[_Owed]:
    """What each unit owes: its report's copy of the obligation if it opened one, else the
    catalogue's (`selectors.obligation_get`); units owing nothing go to `summary.not_owed`."""
    reports = {
        report.unit_id: report
        for report in Report.objects.filter(
            regime=regime, period=period.code, unit__in=units
        ).select_related("receiver")
    }
    owed: list[_Owed] = []
    for unit in units:
        report = reports.get(unit.pk)
        if report is not None:
            owed.append(
                _Owed(unit, report.step_order, report.receiver, report.deadline, report.status)
            )
            continue
        try:
            obligation = selectors.obligation_get(regime=regime, unit=unit, period=period)
        except DomainError as error:
            if error.error is not SubmissionError.NOT_OWED:
                raise
            summary.not_owed.append(unit.code)
            continue
        owed.append(
            _Owed(
                unit,
                obligation.step_order,
                obligation.receiver,
                obligation.deadline,
                ReportStatus.NOT_STARTED,
            )
        )
    return owed


def _check_may_remind(actor: Actor, period_end: dt.date, owed: Sequence[_Owed]) -> None:
    """Each unit must be in the actor's scope (today or on the period's last day) or send to
    the actor's unit, and its report's receiver must be the actor's unit or below it (as
    `permissions.may_review` has a reviewer act on reports addressed to their unit)."""
    visible: set[int] | None = set()
    for day in {org_selectors.today(), period_end}:
        ids = scope.unit_ids_in_scope(actor, on=day)  # type: ignore[arg-type]
        if ids is None:
            visible = None
            break
        assert visible is not None
        visible |= ids
    if visible is None:
        return
    own = getattr(actor, "unit_id", None)
    for item in owed:
        if item.unit.pk not in visible and item.receiver.pk != own:
            raise SubmissionDenied(
                ReminderError.UNIT_OUT_OF_SCOPE, field="units", unit=item.unit.code
            )
        if item.receiver.pk not in visible:
            raise SubmissionDenied(
                ReminderError.NOT_RECEIVER,
                field="units",
                unit=item.unit.code,
                receiver=item.receiver.code,
            )


def _reporter_addresses(units: Sequence[Unit]) -> dict[int, list[str]]:
    """Email addresses of each unit's active reporting officers (one query)."""
    found: dict[int, list[str]] = {}
    rows = (
        get_user_model()
        .objects.filter(unit__in=units, is_active=True, roles__role=Role.REPORTER)
        .exclude(email="")
        .order_by("unit_id", "email")
        .values_list("unit_id", "email")
        .distinct()
    )
    for unit_id, email in rows:
        found.setdefault(unit_id, []).append(email)
    return found


def _reminder_emails_send(
    *,
    regime: Regime,
    period: Period,
    owed: Sequence[_Owed],
    addresses: Mapping[int, list[str]],
    message: str,
    actor: Actor,
    today: dt.date,
) -> int:
    """One email to each address, in Vietnamese: the regime, the period, the deadline and
    the days overdue. Sent inside the transaction: if the mail server refuses, the error
    rolls the reminders back, so that none is recorded as sent when it was not."""
    sender = _name(actor)
    sender_unit = getattr(actor, "unit", None)
    names = dict(
        org_selectors.versions_on(today)
        .filter(unit_id__in=[item.unit.pk for item in owed])
        .values_list("unit_id", "name")
    )
    emails: list[tuple[str, str, str | None, list[str]]] = []
    with translation.override("vi"):
        sender_unit_name = (
            org_selectors.unit_name_as_of(unit=sender_unit) if sender_unit is not None else ""
        )
        period_name = period_label(period)
        for item in owed:
            unit_name = names.get(item.unit.pk) or org_selectors.unit_name_as_of(unit=item.unit)
            subject = gettext("Reminder: report %(regime)s for %(period)s") % {
                "regime": regime.code,
                "period": period_name,
            }
            overdue = max(0, (today - item.deadline).days)
            lines = [
                gettext("To: %(unit)s (%(code)s).") % {"unit": unit_name, "code": item.unit.code},
                "",
                gettext(
                    "%(sender)s (%(sender_unit)s) reminds your unit to send the report"
                    " “%(name)s” (%(regime)s) for %(period)s."
                )
                % {
                    "sender": sender,
                    "sender_unit": sender_unit_name or "—",
                    "name": regime.name,
                    "regime": regime.code,
                    "period": period_name,
                },
                (
                    gettext("Deadline: %(deadline)s; overdue by %(days)s day(s).")
                    if overdue
                    else gettext("Deadline: %(deadline)s (not passed yet).")
                )
                % {"deadline": day_label(item.deadline), "days": overdue},
                gettext("Where it stands: %(status)s.")
                % {"status": ReportStatus(item.status).label},
            ]
            if message:
                lines += ["", gettext("Message from the sender:"), message]
            lines += [
                "",
                gettext(
                    "Open “My unit's reports” in baocao to fill in and send the report. This"
                    " email was sent automatically; please do not reply to it."
                ),
            ]
            body = "\n".join(lines)
            emails.extend(
                (subject, body, None, [address]) for address in addresses.get(item.unit.pk, [])
            )
    if not emails:
        return 0
    try:
        return send_mass_mail(emails, fail_silently=False)
    except (OSError, smtplib.SMTPException) as error:
        raise DomainError(
            ReminderError.MAIL_FAILED, reason=str(error) or type(error).__name__
        ) from None
