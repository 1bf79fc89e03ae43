"""The direction center's page benchmark runs, at a tiny size (its figures: docs/benchmarks.md)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_page_benchmark_runs_at_a_tiny_size(sample_catalogue, store):
    call_command(
        "bench",
        "analytics",
        "--values",
        "3000",
        "--repeat",
        "1",
        "--freshness-samples",
        "1",
        "--no-baseline",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    out = io.StringIO()
    # Server times only: the browser's part needs a server outside the test's transaction.
    call_command(
        "bench_direction", "--repeat", "2", "--no-browser", stdout=out, stderr=io.StringIO()
    )
    figures = json.loads(out.getvalue())
    assert set(figures["pages"]) == {"overview", "map", "province", "indicator"}
    for page in figures["pages"].values():
        assert page["server_cold"]["p50_ms"] > 0
        assert page["server_warm"]["p95_ms"] > 0
