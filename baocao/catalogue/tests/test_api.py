from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from baocao.accounts.services import user_create
from baocao.organisations.models import Unit

pytestmark = pytest.mark.django_db


def test_indicators_filtered_by_sector_and_search(api_client, small_catalogue):
    data = api_client.get("/api/v1/indicators/", {"sector": "LDVL"}).json()
    # Sets: SQLite and PostgreSQL collations order punctuation differently.
    assert {row["code"] for row in data["results"]} == {
        "LD.LLLD",
        "LD.TL_THAT_NGHIEP",
        "LD.THAT_NGHIEP",
    }
    found = api_client.get("/api/v1/indicators/", {"q": "GRDP"}).json()["results"]
    assert [row["code"] for row in found] == ["KT.GRDP"]
    rate = api_client.get("/api/v1/indicators/LD.TL_THAT_NGHIEP/").json()
    assert rate["derived"] is True
    assert rate["formula"] == "#{LD.THAT_NGHIEP} / #{LD.LLLD} * 100"


def test_dimensions_forms_and_regimes(api_client, small_catalogue):
    sex = api_client.get("/api/v1/dimensions/SEX/").json()
    assert [o["code"] for o in sex["options"]] == ["NAM", "NU"]
    form = api_client.get("/api/v1/forms/F-LD/").json()
    assert form["sections"][0]["columns"] == ["NAM", "NU"]
    assert form["sections"][1]["rows"][0]["label"] == "GRDP (giá hiện hành)"
    regime = api_client.get("/api/v1/regimes/R-THANG/").json()
    steps = regime["versions"][0]["steps"]
    assert [(s["receiver_kind"], s["receiver_level"], s["receiver_unit"]) for s in steps] == [
        ("ancestor", "province", None),
        ("unit", "", "CP"),
    ]


def test_period_window_and_deadlines(api_client, small_catalogue):
    data = api_client.get("/api/v1/regimes/R-THANG/periods/202611/").json()
    assert (data["cutoff_start"], data["cutoff_end"]) == ("2026-10-15", "2026-11-14")
    assert [d["deadline"] for d in data["deadlines"]] == ["2026-11-17", "2026-11-20"]
    listed = api_client.get(
        "/api/v1/regimes/R-THANG/periods/", {"from": "2026-01-01", "to": "2026-12-31"}
    ).json()
    assert len(listed) == 12


def test_periods_endpoint(api_client):
    data = api_client.get("/api/v1/periods/2026Q3/").json()
    assert data == {
        "code": "2026Q3",
        "type": "quarter",
        "start": "2026-07-01",
        "end": "2026-09-30",
        "label": data["label"],
        "previous": "2026Q2",
        "next": "2026Q4",
        "same_period_last_year": "2025Q3",
    }
    months = api_client.get(
        "/api/v1/periods/", {"type": "month", "from": "2026-01-01", "to": "2026-03-31"}
    ).json()
    assert [p["code"] for p in months] == ["202601", "202602", "202603"]


def test_bad_period_code_is_a_clear_400(api_client):
    response = api_client.get("/api/v1/periods/2026Q5/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "period_quarter_out_of_range"
    assert body["field"] == "period"


def test_expected_reports_for_own_unit_and_scope(api_client, small_catalogue):
    data = api_client.get(
        "/api/v1/expected-reports/", {"from": "2026-11-01", "to": "2026-11-30"}
    ).json()
    assert [(r["regime"], r["period"]["code"], r["deadline"], r["receiver"]) for r in data] == [
        ("R-THANG", "202611", "2026-11-20", "CP")
    ]
    below = api_client.get(
        "/api/v1/expected-reports/", {"unit": "00004", "from": "2026-11-01", "to": "2026-11-30"}
    )
    assert below.status_code == 200
    assert below.json()[0]["receiver"] == "01"
    outside = api_client.get("/api/v1/expected-reports/", {"unit": "79"})
    assert outside.status_code == 403


def test_commune_officer_cannot_read_the_province_calendar(small_catalogue):
    officer = user_create(
        username="can-bo-ba-dinh",
        password="mat-khau-dai-123",
        unit=Unit.objects.get(code="00004"),
        roles=["reporter"],
        actor=None,
    )
    client = APIClient()
    client.force_authenticate(officer)
    assert client.get("/api/v1/expected-reports/", {"unit": "01"}).status_code == 403


def test_catalogue_needs_authentication(small_catalogue):
    assert APIClient().get("/api/v1/indicators/").status_code in (401, 403)


def test_schema_lists_the_catalogue_endpoints(api_client):
    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/indicators/",
        "/api/v1/dimensions/",
        "/api/v1/forms/",
        "/api/v1/regimes/{code}/periods/",
        "/api/v1/periods/{code}/",
        "/api/v1/expected-reports/",
    ):
        assert path in paths
