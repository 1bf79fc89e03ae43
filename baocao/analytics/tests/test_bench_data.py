"""The analytics benchmark's data and its PostgreSQL baseline, at a tiny size (5,000 values)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db.models import FloatField, Sum
from django.db.models.functions import Cast

from baocao.analytics.bench.dataset import (
    FALLBACK_DIMENSION,
    HEADLINE_CODES,
    PREFIX,
    SECTOR,
    SOURCE,
    bench_catalogue_load,
    bench_indicators,
    bench_periods,
    bench_values_clear,
    bench_values_generate,
)
from baocao.analytics.bench.hierarchy import DatedHierarchy, period_end
from baocao.analytics.bench.mix import dashboard_mix
from baocao.analytics.bench.pg_baseline import (
    DEFAULT_DSN,
    pg_baseline_build,
    pg_baseline_query_mix,
    pg_connect,
    pg_reachable,
)
from baocao.catalogue.models import Dimension, Indicator, Sector
from baocao.organisations.models import Unit, UnitVersion
from baocao.submissions.models import DataValue
from baocao.submissions.values import canonical_decimal

VALUES = 5_000
# The baseline of the tests has its own table in the benchmark's database.
TEST_TABLE = "analytics_dhis2_pytest"


@pytest.fixture(scope="module")
def bench_data(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The benchmark catalogue and 5,000 values, written once for this module, then removed."""
    with django_db_blocker.unblock():
        bench_catalogue_load()
        figures = bench_values_generate(VALUES)
    yield figures
    with django_db_blocker.unblock():
        bench_values_clear()
        Indicator.objects.filter(code__startswith=PREFIX).delete()
        Sector.objects.filter(code=SECTOR).delete()
        Dimension.objects.filter(code=FALLBACK_DIMENSION).delete()


@pytest.fixture
def bench(bench_data, db):  # type: ignore[no-untyped-def]
    return bench_data


def test_generator_writes_about_the_asked_number_of_rows(bench):
    stored = DataValue.objects.filter(source=SOURCE)
    assert bench["rows"] == stored.count()
    assert abs(bench["rows"] - VALUES) <= VALUES * 0.04
    assert bench["communes_in_force"] == 3_321
    assert set(stored.values_list("channel", flat=True)) == {"import"}
    assert not stored.filter(report__isnull=False).exists()
    # Every month of the 60 ending in December 2026 has values.
    assert sorted(set(stored.values_list("period", flat=True))) == bench_periods()
    assert bench_periods()[0] == "202201"


def test_values_are_canonical_text(bench):
    for text in DataValue.objects.filter(source=SOURCE).values_list("value", flat=True):
        assert canonical_decimal(Decimal(text)) == text


def test_options_add_up_to_their_totals(bench):
    indicators = {ind.pk: ind for ind in bench_indicators()}
    cells: dict[tuple[int, int, str], dict[str, Decimal]] = defaultdict(dict)
    rows = DataValue.objects.filter(source=SOURCE).values_list(
        "indicator_id", "unit_id", "period", "disaggregation", "value"
    )
    for indicator_id, unit_id, period, disaggregation, value in rows:
        cells[indicator_id, unit_id, period][disaggregation] = Decimal(value)
    disaggregated = 0
    for (indicator_id, _, _), values in cells.items():
        assert set(values) == set(indicators[indicator_id].cells)
        if len(values) > 1:
            disaggregated += 1
            total = values.pop("")
            assert sum(values.values()) == total
    assert disaggregated > 0


def test_units_are_communes_in_force_on_their_period(bench):
    stored = DataValue.objects.filter(source=SOURCE)
    for period in bench_periods():
        units = set(stored.filter(period=period).values_list("unit_id", flat=True))
        in_force = set(
            UnitVersion.objects.valid_on(period_end(period))
            .filter(unit__level="commune")
            .values_list("unit_id", flat=True)
        )
        assert units and units <= in_force, period


def test_place_follows_the_hierarchy_of_the_period(db):
    # Phường Trần Phú (00691) of Hà Giang (02) became Phường Hà Giang 2 of Tuyên Quang (08)
    # on 2025-07-01, when the two provinces merged.
    hierarchy = DatedHierarchy()
    commune = Unit.objects.get(code="00691").pk
    before = hierarchy.place(commune, dt.date(2025, 6, 30))
    after = hierarchy.place(commune, dt.date(2025, 7, 1))
    assert before is not None and after is not None
    assert (before.national, before.province, before.commune) == ("CP", "02", "00691")
    assert (after.national, after.province, after.commune) == ("CP", "08", "00691")
    # Phường Hà Giang 1 (11948) was formed in 2025: no place before.
    assert hierarchy.place(Unit.objects.get(code="11948").pk, dt.date(2025, 6, 30)) is None


def test_mix_references_existing_indicators(bench):
    indicators = {ind.code: ind for ind in bench_indicators()}
    assert len(indicators) == 500
    assert len(HEADLINE_CODES) == 20
    mix = dashboard_mix()
    assert [query.name for query in mix] == [
        "national_series",
        "provinces_one_period",
        "communes_of_province",
        "headline_with_comparisons",
        "province_by_month_by_option",
    ]
    for query in mix:
        for code in query.indicators:
            assert code in indicators
            assert Indicator.objects.get(code=code).aggregation == "sum"
            assert bool(indicators[code].options) or not query.options
    assert len(mix[0].periods) == 60
    assert mix[3].periods == ("202512", "202611", "202612")
    assert indicators[mix[4].indicators[0]].options


@pytest.fixture
def pg_dsn():  # type: ignore[no-untyped-def]
    if not pg_reachable(DEFAULT_DSN):
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    yield DEFAULT_DSN
    with pg_connect(DEFAULT_DSN) as pg:
        pg.execute(f"DROP TABLE IF EXISTS {TEST_TABLE}")


def test_pg_baseline_answers_like_the_values_table(bench, pg_dsn):
    built = pg_baseline_build(pg_dsn, table=TEST_TABLE)
    assert built["rows"] == bench["rows"]
    mix = {query.name: query for query in dashboard_mix()}
    results = pg_baseline_query_mix(
        pg_dsn, list(mix.values()), repeat=1, warmup=0, table=TEST_TABLE
    )

    series = mix["national_series"]
    expected = (
        DataValue.objects.filter(
            source=SOURCE,
            indicator__code=series.indicators[0],
            disaggregation="",
            period__in=series.periods,
        )
        .values("period")
        .annotate(total=Sum(Cast("value", FloatField())))
        .order_by("period")
    )
    assert len(expected) == 60
    assert results["national_series"]["rows"] == [
        [row["period"], pytest.approx(row["total"])] for row in expected
    ]
    # The provinces of December 2026 add up to the national total of that month.
    provinces = results["provinces_one_period"]["rows"]
    assert all(len(code) == 2 for code, _ in provinces)
    assert sum(value for _, value in provinces) == pytest.approx(expected[59]["total"])
    # Options, summed over provinces, give the indicator's national total of each month.
    by_option = results["province_by_month_by_option"]["rows"]
    option_totals: dict[str, float] = defaultdict(float)
    for _, period, _, value in by_option:
        option_totals[period] += value
    disaggregated = mix["province_by_month_by_option"]
    totals = (
        DataValue.objects.filter(
            source=SOURCE, indicator__code=disaggregated.indicators[0], disaggregation=""
        )
        .values("period")
        .annotate(total=Sum(Cast("value", FloatField())))
    )
    expected_totals = {row["period"]: row["total"] for row in totals}
    assert option_totals == pytest.approx(
        {period: expected_totals[period] for period in disaggregated.periods}
    )


@pytest.mark.django_db
def test_the_benchmark_runs_at_a_tiny_size(sample_catalogue, store):
    """`baocao bench analytics` end to end (the baseline left out: it has its own test)."""
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command(
        "bench",
        "analytics",
        "--values",
        "3000",
        "--repeat",
        "2",
        "--freshness-samples",
        "2",
        "--no-baseline",
        stdout=out,
        stderr=io.StringIO(),
    )
    figures = json.loads(out.getvalue())
    assert figures["build"]["facts"] >= 2800
    assert set(figures["duckdb"]) == {
        "national_series",
        "provinces_one_period",
        "communes_of_province",
        "headline_with_comparisons",
        "province_by_month_by_option",
    }
    assert figures["duckdb"]["national_series"]["row_count"] == 60
    assert figures["freshness_ms"]["samples"] == 2
