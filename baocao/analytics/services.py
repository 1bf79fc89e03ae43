"""Writes of the analytics app: building and compacting the store (never the source data)."""

from __future__ import annotations

import logging

from baocao.analytics.build import store_compact, store_rebuild
from baocao.analytics.store import Generation, generation_current

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


def analytics_ensure() -> Generation:
    """The published generation, built first if there is none (the first query after a
    fresh install, the demo)."""
    return generation_current() or analytics_rebuild()
