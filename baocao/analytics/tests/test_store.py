"""The store's generations: built aside and published whole, read while a new one is built;
and the API and command line over it."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from baocao.analytics import build, services
from baocao.analytics.store import generation_current, reader, store_dir
from baocao.analytics.tests.test_engine import RECEIVED, put

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(sample_catalogue, store):
    put(RECEIVED, "00004", "202611", 110)
    put(RECEIVED, "00008", "202611", 50)
    return services.analytics_rebuild()


def test_a_build_that_fails_leaves_the_published_generation_serving(built, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the machine went down mid-build")

    monkeypatch.setattr(build, "_split_official", broken)
    with pytest.raises(RuntimeError):
        services.analytics_rebuild()
    assert generation_current() == built
    assert not list(store_dir().glob("*.building"))
    assert [path.name for path in store_dir().glob("gen-*.duckdb")] == [built.file]
    con, generation = reader()
    assert generation == built
    assert con.execute("SELECT sum(value) FROM facts").fetchone()[0] == 160


def test_a_reader_keeps_its_generation_until_the_next_query_opens_the_new_one(built):
    con, generation = reader()
    put(RECEIVED, "00004", "202611", 120)
    newer = services.analytics_rebuild()
    # The open connection still reads the generation it opened, whole.
    assert con.execute("SELECT sum(value) FROM facts").fetchone()[0] == 160
    con2, generation2 = reader()
    assert (generation2, generation2.number) == (newer, generation.number + 1)
    assert con2.execute("SELECT sum(value) FROM facts").fetchone()[0] == 170
    # Two generations back are removed; the one before is kept for readers still on it.
    services.analytics_rebuild()
    services.analytics_rebuild()
    names = sorted(path.name for path in store_dir().glob("gen-*.duckdb"))
    assert names == [f"gen-{n:06d}.duckdb" for n in range(2, 5)]


def test_the_api_answers_json_and_csv_and_refuses_by_name(built, officer):
    from baocao.accounts.services import user_create
    from baocao.organisations.models import Unit

    analyst = user_create(
        username="phantich.hn",
        password=None,
        unit=Unit.objects.get(code="01"),
        roles=["analyst"],
        actor=None,
    )
    api = APIClient()
    api.force_authenticate(analyst)
    answer = api.get("/api/v1/analytics", {"indicator": RECEIVED, "unit": "01", "period": "202611"})
    assert answer.status_code == 200
    (row,) = answer.json()["rows"]
    assert (row["unit"], row["period"], row["value"], row["values"]) == ("01", "202611", 160, 2)
    download = api.get(
        "/api/v1/analytics/",
        {"indicator": RECEIVED, "children_of": "01", "period": "202611", "download": "csv"},
    )
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert {(r["unit"], r["value"]) for r in rows} == {("00004", "110.0"), ("00008", "50.0")}

    bad = api.get("/api/v1/analytics/", {"indicator": "KHONG", "unit": "01", "period": "202611"})
    assert bad.status_code == 400
    assert bad.json()["field"] == "indicators"
    mine = APIClient()
    mine.force_authenticate(officer)  # Phường Ba Đình's officer
    assert (
        mine.get(
            "/api/v1/analytics/", {"indicator": RECEIVED, "unit": "01", "period": "202611"}
        ).status_code
        == 403
    )


def test_the_command_line_builds_and_queries(sample_catalogue, store):
    put(RECEIVED, "00004", "202611", 110)
    out = io.StringIO()
    call_command("analytics", "rebuild", stdout=out)
    assert '"facts": 1' in out.getvalue()
    out = io.StringIO()
    call_command(
        "query", "--indicator", RECEIVED, "--unit", "01", "--period", "202611", "--csv", stdout=out
    )
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["unit"], r["value"]) for r in rows] == [("01", "110.0")]
    out = io.StringIO()
    call_command("analytics", "status", stdout=out)
    # Changes of the last minutes before the build are read live again (delta.OVERLAP).
    assert '"figures_read_live": 1' in out.getvalue()


def test_queries_reading_many_changes_live_queue_one_compaction(built, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    from baocao.analytics import selectors

    monkeypatch.setattr(services, "COMPACT_AFTER", 1)
    put(RECEIVED, "00004", "202611", 120)
    put(RECEIVED, "00008", "202611", 60)
    for _ in range(3):
        result = selectors.analytics_query(indicators=[RECEIVED], periods=["202611"], units=["01"])
        assert result.rows[0].value == 180
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path.endswith("compact_store")
    # The worker runs it (here called as the worker calls it): a new generation, nothing live.
    queued.task.call()
    assert generation_current().number == built.number + 1
    result = selectors.analytics_query(indicators=[RECEIVED], periods=["202611"], units=["01"])
    assert (result.generation, result.rows[0].value) == (built.number + 1, 180)


def test_the_store_exports_as_parquet_for_a_cluster(built, tmp_path):
    import duckdb

    out = io.StringIO()
    call_command("analytics", "export", "--parquet", str(tmp_path / "pq"), stdout=out)
    assert '"facts": 2' in out.getvalue()
    files = duckdb.connect()
    total = files.execute(
        f"SELECT sum(value) FROM read_parquet('{tmp_path}/pq/facts/*/*/*.parquet', "
        "hive_partitioning = true)"
    ).fetchone()[0]
    assert total == 160
