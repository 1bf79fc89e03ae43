"""Writing the audit trail. Called by other apps' services inside their transactions."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from baocao.audit.choices import AuditAction
from baocao.audit.models import ChangeRecord
from baocao.core.context import current_request_id

Actor = AbstractBaseUser | AnonymousUser | None


@dataclass(frozen=True)
class Change:
    """One write to record: the object and its state before and after."""

    action: AuditAction
    instance: models.Model
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def snapshot(instance: models.Model) -> dict[str, Any]:
    """A JSON-ready copy of the concrete fields of a model instance."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        data[field.attname] = _jsonable(getattr(instance, field.attname))
    return data


def change_record_create(
    *,
    actor: Actor,
    action: AuditAction,
    instance: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> ChangeRecord:
    """Record one write."""
    return change_records_create(
        actor=actor, changes=[Change(action, instance, before, after)], reason=reason
    )[0]


def change_records_create(
    *, actor: Actor, changes: Iterable[Change], reason: str = ""
) -> list[ChangeRecord]:
    """Record many writes at once (bulk loads), in the caller's transaction."""
    actor_id, actor_name = _actor(actor)
    request_id = current_request_id() or ""
    records = [
        ChangeRecord(
            actor_id=actor_id,
            actor_name=actor_name,
            request_id=request_id,
            action=change.action,
            object_type=change.instance._meta.label_lower,
            object_id=str(change.instance.pk),
            object_repr=str(change.instance)[:255],
            before=change.before,
            after=change.after,
            reason=reason[:255],
        )
        for change in changes
    ]
    return ChangeRecord.objects.bulk_create(records, batch_size=2000)


def _actor(actor: Actor) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "system"
    return actor.pk, actor.get_username()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value
