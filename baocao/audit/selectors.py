"""Reading the audit trail."""

from __future__ import annotations

from django.db import models

from baocao.audit.models import ChangeRecord


def change_records_for(instance: models.Model) -> models.QuerySet[ChangeRecord]:
    """The history of one object, newest first."""
    return ChangeRecord.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(instance.pk)
    )
