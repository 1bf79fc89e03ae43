"""Timing helpers for the `bench_*` commands run by `make bench` (docs/benchmarks.md)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def median_ms(function: Callable[[], Any], repeat: int) -> float:
    """Median wall time of `function` in milliseconds, after one warm-up call."""
    function()  # warm caches and connections
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 3)
