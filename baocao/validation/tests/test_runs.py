"""Batch validation runs: from the command line, the background worker, the API and the page."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from baocao.accounts.services import user_create
from baocao.catalogue.models import Indicator
from baocao.core.errors import Rejected
from baocao.organisations.models import Unit
from baocao.submissions.choices import ValueSource
from baocao.submissions.errors import SubmissionDenied
from baocao.submissions.models import DataValue
from baocao.validation import services
from baocao.validation.choices import RunStatus
from baocao.validation.models import RuleViolation, ValidationRun

pytestmark = pytest.mark.django_db

RULE = "QT.HCC.TRUC_TUYEN"  # online dossiers ≤ dossiers received
PERIOD = "202611"


def value(code: str, unit: str, period: str, text: str) -> None:
    DataValue.objects.create(
        indicator=Indicator.objects.get(code=code),
        disaggregation="",
        unit=Unit.objects.get(code=unit),
        period=period,
        source="BC-DVC-THANG",
        value=text,
        channel=ValueSource.IMPORT,
        updated_at=timezone.now(),
    )


@pytest.fixture
def stored(sample_catalogue):
    # Ba Đình reports more online dossiers than received; Ngọc Hà (00008) is consistent;
    # a ward of Hồ Chí Minh City (25747) is inconsistent too but outside Hà Nội.
    for unit, received, online in (
        ("00004", "40", "50"),
        ("00008", "90", "60"),
        ("25747", "5", "9"),
    ):
        value("HCC.HS_TIEP_NHAN", unit, PERIOD, received)
        value("HCC.HS_TRUC_TUYEN", unit, PERIOD, online)


def run_queued_tasks():
    """Run the queued tasks as the worker does.

    On SQLite the real worker (`baocao db_worker`) does it. On PostgreSQL the worker closes
    the database connection between tasks (`close_old_connections`, since the test's
    transaction is not in autocommit), which would end the test's transaction; there the
    queued tasks are called here as the worker calls them, from their stored rows.
    """
    if connection.vendor == "sqlite":
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
        return
    for result in DBTaskResult.objects.ready():
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])


def person(username, unit, role):
    return user_create(
        username=username, password=None, unit=Unit.objects.get(code=unit), roles=[role], actor=None
    )


def test_the_command_finds_the_violations_of_a_subtree_and_writes_them_as_csv(stored, tmp_path):
    out = io.StringIO()
    target = tmp_path / "vi-pham.csv"
    call_command("validate", "--period", PERIOD, "--unit", "01", "--csv", str(target), stdout=out)
    run = ValidationRun.objects.get()
    assert run.status == RunStatus.DONE
    assert run.counts["per_rule"][RULE]["violated"] == 1
    assert run.counts["per_rule"][RULE]["passed"] == 1
    [violation] = RuleViolation.objects.filter(rule_code=RULE)
    assert (violation.unit.code, violation.period, violation.left, violation.right) == (
        "00004",
        PERIOD,
        50.0,
        40.0,
    )
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "rule,importance,unit,period,source,status,left,right"
    assert f"{RULE},error,00004,{PERIOD},BC-DVC-THANG,violated,50.0,40.0" in lines


def test_a_queued_run_is_done_by_the_worker(stored):
    out = io.StringIO()
    call_command("validate", "--period", PERIOD, "--background", stdout=out)
    run = ValidationRun.objects.get()
    assert run.status == RunStatus.QUEUED and run.task_id
    run_queued_tasks()
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.progress_done == run.progress_total > 0
    # Every unit: Ba Đình and the ward of Hồ Chí Minh City.
    assert run.counts["per_rule"][RULE]["violated"] == 2


def test_bad_requests_name_their_fields_and_rights_are_checked(stored):
    with pytest.raises(Rejected) as caught:
        services.validation_run_create(
            periods=["2026M13"], unit=None, rules=["KHONG_CO"], actor=None
        )
    assert {(p.field, p.code) for p in caught.value.problems} >= {("rules", "unknown_rule")}
    assert any(p.field == "periods[0]" for p in caught.value.problems)
    officer = person("canbo", "00004", "reporter")
    with pytest.raises(SubmissionDenied):
        services.validation_run_create(periods=[PERIOD], unit=None, actor=officer)
    analyst = person("phantich-hcm", "79", "analyst")
    with pytest.raises(SubmissionDenied) as caught:
        services.validation_run_create(
            periods=[PERIOD], unit=Unit.objects.get(code="01"), actor=analyst
        )
    assert caught.value.code == "unit_out_of_scope"


def test_the_api_queues_a_run_and_serves_its_violations(stored):
    analyst = person("phantich-hn", "01", "analyst")
    client = APIClient()
    client.force_authenticate(analyst)
    created = client.post(
        "/api/v1/validation-runs/", {"periods": [PERIOD], "rules": [RULE]}, format="json"
    )
    assert created.status_code == 202, created.json()
    run_id = created.json()["id"]
    assert created.json()["unit"] == "01"  # the analyst's own unit by default
    run_queued_tasks()
    detail = client.get(f"/api/v1/validation-runs/{run_id}/").json()
    assert detail["status"] == "done" and detail["counts"]["violated"] == 1
    listed = client.get(f"/api/v1/validation-runs/{run_id}/violations/").json()
    assert [(row["unit"], row["left"], row["right"]) for row in listed["results"]] == [
        ("00004", 50.0, 40.0)
    ]
    csv_text = b"".join(
        client.get(f"/api/v1/validation-runs/{run_id}/violations/?download=csv").streaming_content
    ).decode()
    assert f"{RULE},error,00004,{PERIOD},BC-DVC-THANG,violated" in csv_text
    outsider = APIClient()
    outsider.force_authenticate(person("phantich-hcm", "79", "analyst"))
    assert outsider.get(f"/api/v1/validation-runs/{run_id}/").status_code == 404


def test_the_page_starts_a_run_and_shows_its_violations(stored):
    analyst = person("phantich-hn", "01", "analyst")
    client = Client()
    client.force_login(analyst)
    assert client.get("/data-quality/runs/").status_code == 200
    response = client.post("/data-quality/runs/", {"periods": PERIOD, "unit": "", "rules": ""})
    assert response.status_code == 302
    run = ValidationRun.objects.get()
    run_queued_tasks()
    page = client.get(f"/data-quality/runs/{run.pk}/").content.decode()
    assert 'data-status="done"' in page and "00004" in page and RULE in page
    bad = client.post("/data-quality/runs/", {"periods": "2026M13", "unit": "", "rules": ""})
    assert bad.status_code == 400 and "periods[0]" in bad.content.decode()
