"""Writes of the analytics app: building and compacting the store (never the source data)."""

from __future__ import annotations

import logging

from baocao.analytics.build import store_compact, store_rebuild
from baocao.analytics.store import Generation, generation_current, store_dir

log = logging.getLogger(__name__)

# A compaction is worth it once this many figures changed since the generation was built:
# below it, reading the changes live at each query costs less than a new generation.
COMPACT_AFTER = 50_000


def analytics_rebuild() -> Generation:
    generation = store_rebuild()
    log.info(
        "analytics store rebuilt: generation %s, %s facts", generation.number, generation.facts
    )
    return generation


def analytics_compact() -> Generation:
    generation = store_compact()
    log.info("analytics store compacted: generation %s", generation.number)
    return generation


def analytics_compact_request(*, generation: Generation, live_changes: int) -> bool:
    """Queue a compaction when queries read many changes live; once per generation.

    Called after each query: the first one to see more than `COMPACT_AFTER` changed figures
    queues the task (a marker file per generation, created atomically, keeps it to one).
    """
    if live_changes <= COMPACT_AFTER:
        return False
    marker = store_dir() / f"compact-{generation.number:06d}.requested"
    try:
        with marker.open("x"):
            pass
    except FileExistsError:
        return False
    from baocao.analytics.tasks import compact_store

    compact_store.enqueue()
    log.info("analytics compaction queued: %s figures read live", live_changes)
    return True


def analytics_ensure() -> Generation:
    """The published generation, built first if there is none (the first query after a
    fresh install, the demo)."""
    return generation_current() or analytics_rebuild()
