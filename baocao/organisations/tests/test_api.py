"""The units API: same queries as the CLI, codes and ISO dates, errors as {code, message}."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_requires_authentication():
    response = APIClient().get("/api/v1/units/")
    assert response.status_code in (401, 403)


def test_list_provinces_on_each_side_of_the_reorganisation(api_client):
    before = api_client.get(
        "/api/v1/units/", {"as_of": "2025-06-30", "level": "province", "limit": 100}
    ).json()
    after = api_client.get(
        "/api/v1/units/", {"as_of": "2025-07-01", "level": "province", "limit": 100}
    ).json()
    assert before["count"] == 63
    assert after["count"] == 34
    hue = next(item for item in after["results"] if item["code"] == "46")
    assert hue == {
        "code": "46",
        "level": "province",
        "name": "Thành phố Huế",
        "short_name": "Huế",
        "type": "central_city",
        "parent": "CP",
        "valid_from": "2025-01-01",
        "valid_to": None,
    }


def test_search_ignores_accents(api_client):
    data = api_client.get("/api/v1/units/", {"q": "da nang", "level": "province"}).json()
    assert [item["code"] for item in data["results"]] == ["48"]


def test_ancestor_filter(api_client):
    data = api_client.get(
        "/api/v1/units/", {"ancestor": "01", "level": "commune", "as_of": "2025-07-01"}
    ).json()
    assert data["count"] == 126


def test_count(api_client):
    response = api_client.get("/api/v1/units/count/", {"as_of": "2025-07-01", "level": "commune"})
    assert response.json() == {"as_of": "2025-07-01", "level": "commune", "count": 3321}


def test_detail_has_every_version(api_client):
    data = api_client.get("/api/v1/units/44/").json()
    assert [v["name"] for v in data["versions"]] == ["Tỉnh Quảng Bình", "Tỉnh Quảng Trị"]
    assert data["versions"][0]["valid_to"] == "2025-06-30"


def test_successors_and_predecessors(api_client):
    successors = api_client.get("/api/v1/units/45/successors/").json()
    assert successors == [
        {
            "code": "44",
            "name": "Tỉnh Quảng Trị",
            "level": "province",
            "partial": False,
            "event": "20250701-P-44",
            "effective_date": "2025-07-01",
        }
    ]
    predecessors = api_client.get("/api/v1/units/44/predecessors/").json()
    assert [p["code"] for p in predecessors] == ["44", "45"]


def test_ancestors_descendants_children(api_client):
    ancestors = api_client.get("/api/v1/units/00004/ancestors/", {"as_of": "2025-06-30"}).json()
    assert [a["code"] for a in ancestors] == ["001", "01", "CP"]
    children = api_client.get("/api/v1/units/01/children/", {"as_of": "2025-06-30"}).json()
    assert len(children) == 30
    descendants = api_client.get(
        "/api/v1/units/01/descendants/", {"as_of": "2025-07-01", "level": "commune"}
    ).json()
    assert len(descendants) == 126


def test_tree(api_client):
    tree = api_client.get(
        "/api/v1/units/tree/", {"root": "48", "depth": 1, "as_of": "2025-07-01"}
    ).json()
    assert tree[0]["code"] == "48"
    assert tree[0]["children_count"] == 94
    assert len(tree[0]["children"]) == 94


def test_unit_changes(api_client):
    data = api_client.get("/api/v1/unit-changes/", {"unit": "75", "kind": "type_change"}).json()
    assert [e["legal_act"] for e in data["results"]] == ["30/2026/QH16"]


def test_unknown_code_is_a_404_with_a_vietnamese_message(api_client):
    response = api_client.get("/api/v1/units/XYZ/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "unknown_unit"
    assert body["field"] == "code"
    assert "XYZ" in body["message"]
    assert "đơn vị" in body["message"]


def test_bad_date_is_a_400_naming_the_parameter(api_client):
    response = api_client.get("/api/v1/units/", {"as_of": "30/06/2025"})
    assert response.status_code == 400
    assert "as_of" in response.json()


def test_bad_level_is_a_400(api_client):
    response = api_client.get("/api/v1/units/count/", {"level": "planet"})
    assert response.status_code == 400
    assert "level" in response.json()


def test_openapi_schema_describes_the_units_endpoints():
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/units/",
        "/api/v1/units/{code}/successors/",
        "/api/v1/units/{code}/predecessors/",
        "/api/v1/units/count/",
        "/api/v1/units/tree/",
        "/api/v1/unit-changes/",
    ):
        assert path in paths, path
