"""Background tasks of the analytics app (Django's task framework; worker: `baocao db_worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def compact_store() -> int:
    """Fold the changes read live into a new generation; returns its number."""
    from baocao.analytics.services import analytics_compact

    return analytics_compact().number
