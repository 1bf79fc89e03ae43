"""Discrepancies on the web pages and through the API, and the counts for dashboards."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from rest_framework.test import APIClient

from baocao.validation import services
from baocao.validation.models import Discrepancy, DiscrepancyEvent
from baocao.validation.tests.sources import PERIOD, PORTAL, REPORT, person, put

pytestmark = pytest.mark.django_db


@pytest.fixture
def found(two_sources):
    services.discrepancies_compare(periods=[PERIOD], actor=None)
    return Discrepancy.objects.get()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_shows_both_values_the_difference_and_downloads_as_csv(found):
    client = logged_in(person("phantich.hanoi", "01", "analyst"))

    page = client.get("/data-quality/discrepancies/").content.decode()
    assert f'data-discrepancy="{found.pk}"' in page
    assert "Phường Ba Đình" in page
    assert "Tháng 11/2026" in page
    assert ">40<" in page and ">43<" in page
    assert "-3" in page and "-7,0 %" in page  # -3 of 43, in Vietnamese notation

    assert (
        f'data-discrepancy="{found.pk}"'
        not in client.get("/data-quality/discrepancies/?status=accepted").content.decode()
    )

    download = client.get("/data-quality/discrepancies/?download=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert [
        (row["unit"], row["left_value"], row["right_value"], row["difference"]) for row in rows
    ] == [("00004", "40", "43", "-3")]


def test_the_page_follows_up_a_discrepancy_until_the_difference_is_accepted(found):
    client = logged_in(person("phantich.hanoi", "01", "analyst"))
    url = f"/data-quality/discrepancies/{found.pk}/"

    page = client.get(url).content.decode()
    assert 'id="accept-form"' in page
    assert PORTAL in page and REPORT in page

    refused = client.post(url + "accept/", {"text": ""})
    assert refused.status_code == 400
    assert "reason" in refused.content.decode()
    found.refresh_from_db()
    assert found.status == "open"

    client.post(url + "comment/", {"text": "Đề nghị phường rà soát 3 hồ sơ."})
    done = client.post(url + "accept/", {"text": "Cổng tính cả hồ sơ nộp sau thời điểm chốt."})
    assert done.status_code == 302
    found.refresh_from_db()
    assert found.status == "accepted"
    page = client.get(url).content.decode()
    assert "Cổng tính cả hồ sơ nộp sau thời điểm chốt." in page
    assert 'id="reopen-form"' in page
    assert [event.kind for event in found.events.all()] == ["found", "comment", "accepted"]


def test_a_corrected_value_closes_the_discrepancy_from_its_page(found):
    client = logged_in(person("canbo.badinh3", "00004", "reporter"))
    url = f"/data-quality/discrepancies/{found.pk}/"
    page = client.get(url).content.decode()
    assert 'id="accept-form"' not in page  # an officer comments and corrects, not accepts
    assert client.post(url + "accept/", {"text": "Đồng ý"}).status_code == 403

    put("00004", "43", source=REPORT)
    client.post(url + "recheck/")
    found.refresh_from_db()
    assert found.status == "corrected"


def test_users_outside_the_unit_neither_see_nor_act(found):
    client = logged_in(person("phantich.hcm", "79", "analyst"))
    url = f"/data-quality/discrepancies/{found.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url + "comment/", {"text": "Xin chào"}).status_code == 404
    assert DiscrepancyEvent.objects.filter(kind="comment").count() == 0
    assert (
        f'data-discrepancy="{found.pk}"'
        not in client.get("/data-quality/discrepancies/").content.decode()
    )


def test_the_api_lists_follows_up_and_compares(two_sources):
    api = APIClient()
    api.force_authenticate(person("phantich.hanoi", "01", "analyst"))

    compared = api.post("/api/v1/discrepancies/compare/", {"periods": [PERIOD]}, format="json")
    assert compared.status_code == 200
    assert compared.json()["found"] == 1

    listed = api.get("/api/v1/discrepancies/", {"status": "open", "unit": "01"}).json()
    (item,) = listed["results"]
    assert (item["unit"], item["left_value"], item["right_value"], item["difference"]) == (
        "00004",
        "40",
        "43",
        "-3",
    )
    url = f"/api/v1/discrepancies/{item['id']}/"
    missing_reason = api.post(url + "accept/", {"text": ""}, format="json")
    assert missing_reason.status_code == 400
    assert missing_reason.json()["field"] == "reason"
    accepted = api.post(url + "accept/", {"text": "Khác thời điểm chốt số liệu"}, format="json")
    assert accepted.json()["status"] == "accepted"
    assert [event["kind"] for event in accepted.json()["events"]] == ["found", "accepted"]

    bad = api.post("/api/v1/discrepancies/compare/", {"periods": ["202613"]}, format="json")
    assert bad.status_code == 400
    assert bad.json()["field"] == "periods[0]"

    outsider = APIClient()
    outsider.force_authenticate(person("phantich.hcm", "79", "analyst"))
    assert outsider.get(url).status_code == 404


def test_the_api_counts_problems_per_unit_and_period(found):
    api = APIClient()
    api.force_authenticate(person("lanhdao.hanoi", "01", "leader"))

    rows = api.get("/api/v1/data-quality/counts/", {"period": PERIOD, "children_of": "01"}).json()
    by_unit = {row["unit"]: row for row in rows}
    assert len(by_unit) > 100  # every ward and commune of Hà Nội
    assert by_unit["00004"]["open_discrepancies"] == 1
    assert by_unit["00008"]["open_discrepancies"] == 0
    assert by_unit["00004"]["judged"] is False  # no validation run yet

    province = api.get("/api/v1/data-quality/counts/", {"period": PERIOD, "unit": "01"}).json()
    assert province[0]["open_discrepancies"] == 1
    assert province[0]["unit_name"] == "Thành phố Hà Nội"

    assert api.get("/api/v1/data-quality/counts/", {"unit": "01"}).json()["field"] == "period"
    assert (
        api.get("/api/v1/data-quality/counts/", {"period": PERIOD, "unit": "79"}).status_code == 403
    )


def test_the_data_quality_page_leads_to_the_discrepancies(found):
    client = logged_in(person("phantich.hanoi", "01", "analyst"))
    page = client.get("/data-quality/runs/").content.decode()
    assert 'href="/data-quality/discrepancies/"' in page
