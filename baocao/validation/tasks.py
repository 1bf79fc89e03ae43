"""Background tasks of the validation app (Django's task framework; worker: `baocao db_worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_validation(run_id: int) -> None:
    """Execute a queued batch validation run."""
    from baocao.validation.services import validation_run_execute

    validation_run_execute(run_id=run_id)
