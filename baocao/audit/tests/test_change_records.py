"""The audit trail is append-only, in Python and in the database."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from baocao.audit.choices import AuditAction
from baocao.audit.models import ChangeRecord
from baocao.audit.selectors import change_records_for
from baocao.audit.services import change_record_create, snapshot
from baocao.core.context import reset_request_id, set_request_id
from baocao.organisations.models import Unit

pytestmark = pytest.mark.django_db


def test_record_carries_actor_request_and_states(user):
    unit = Unit.objects.get(code="01")
    token = set_request_id("req-123")
    try:
        record = change_record_create(
            actor=user,
            action=AuditAction.UPDATE,
            instance=unit,
            before={"level": "x"},
            after=snapshot(unit),
        )
    finally:
        reset_request_id(token)
    assert record.actor_name == user.username
    assert record.request_id == "req-123"
    assert record.after["code"] == "01"
    assert change_records_for(unit).first() == record


def test_python_refuses_updates_and_deletes(user):
    record = change_record_create(
        actor=user, action=AuditAction.CREATE, instance=Unit.objects.get(code="01")
    )
    record.reason = "sửa"
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(PermissionError):
        ChangeRecord.objects.all().update(reason="x")


def test_database_refuses_updates_and_deletes(user):
    record = change_record_create(
        actor=user, action=AuditAction.CREATE, instance=Unit.objects.get(code="01")
    )
    for sql in (
        "UPDATE audit_changerecord SET reason = 'x' WHERE id = %s",
        "DELETE FROM audit_changerecord WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [record.pk])
    assert ChangeRecord.objects.filter(pk=record.pk, reason="").exists()


def test_national_load_left_a_trail():
    assert ChangeRecord.objects.filter(object_type="organisations.unit").count() > 10000
