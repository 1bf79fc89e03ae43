"""The direction center's pages with Django's test client, on figures checked by hand.

A dashboard with one panel of each kind is built in the test (the sample's pages are tested
in the browser tests); two wards of Hà Nội and Đà Nẵng report dossiers for three months, so
that the national figure, the provinces and the communes can each be checked.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from baocao.analytics import services
from baocao.analytics.tests.test_engine import put
from baocao.catalogue.choices import ChartKind, DashboardKind
from baocao.catalogue.models import (
    AlertRule,
    Dashboard,
    DashboardPanel,
    DashboardPanelIndicator,
    Indicator,
    IndicatorTarget,
    Sector,
)
from baocao.organisations.models import Unit
from baocao.submissions.tests.conftest import make_user

pytestmark = pytest.mark.django_db

RECEIVED = "HCC.HS_TIEP_NHAN"
ONLINE = "HCC.HS_TRUC_TUYEN"


def panel(dashboard, order, chart, codes=(), **fields):
    made = DashboardPanel.objects.create(
        dashboard=dashboard, order=order, title=f"{chart} {order}", chart=chart, **fields
    )
    for index, code in enumerate(codes):
        DashboardPanelIndicator.objects.create(
            panel=made, indicator=Indicator.objects.get(code=code), order=index
        )
    return made


@pytest.fixture
def figures(sample_catalogue, store):
    for period, ba_dinh, ngoc_ha, da_nang in (
        ("202609", 90, 30, 200),
        ("202610", 100, 40, 210),
        ("202611", 110, 50, 190),
    ):
        put(RECEIVED, "00004", period, ba_dinh)
        put(RECEIVED, "00008", period, ngoc_ha)
        put(RECEIVED, "48", period, da_nang)
        put(ONLINE, "00004", period, ba_dinh // 2)
    put(RECEIVED, "00004", "202511", 80)  # a year before
    services.analytics_rebuild()


@pytest.fixture
def pages(figures):
    sector = Sector.objects.get(code=Indicator.objects.get(code=RECEIVED).sector.code)
    overview = Dashboard.objects.create(code="TQ", name="Tổng quan", kind=DashboardKind.NATIONAL)
    panel(overview, 0, ChartKind.TILES, [RECEIVED, ONLINE])
    panel(overview, 1, ChartKind.LINE, [RECEIVED], periods=3, width=2)
    panel(overview, 2, ChartKind.RANKING, [RECEIVED], level="province", width=1)
    panel(overview, 3, ChartKind.MAP, [RECEIVED], level="province")
    panel(overview, 4, ChartKind.TABLE, [RECEIVED, ONLINE], level="province")
    panel(overview, 5, ChartKind.ALERTS)
    sector_page = Dashboard.objects.create(
        code="LV", name="Hành chính công", kind=DashboardKind.SECTOR, sector=sector, order=5
    )
    panel(sector_page, 0, ChartKind.LINE, [RECEIVED], periods=3)
    unit_page = Dashboard.objects.create(
        code="TINH-THU", name="Trang tỉnh", order=0, kind=DashboardKind.UNIT
    )
    panel(unit_page, 0, ChartKind.TILES, [RECEIVED])
    panel(unit_page, 1, ChartKind.TABLE, [RECEIVED], level="commune")
    IndicatorTarget.objects.create(
        indicator=Indicator.objects.get(code=RECEIVED),
        unit=Unit.objects.get(code="CP"),
        period="2026",
        value=Decimal(400),
    )
    return overview


@pytest.fixture
def leader(client, pages):
    user = make_user("lanh-dao-cp", "CP", ["analyst"])
    client.force_login(user)
    return user


@pytest.fixture
def hanoi_leader(client, pages):
    user = make_user("lanh-dao-ha-noi", "01", ["analyst"])
    client.force_login(user)
    return user


def panel_csv(client, code, index, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    response = client.get(reverse("dashboards:panel", args=[code, index]) + f"?{query}&format=csv")
    assert response.status_code == 200, response.content[:300]
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_overview_shows_the_national_figure_its_changes_and_target(client, leader):
    response = client.get(reverse("dashboards:overview") + "?period=202611")
    assert response.status_code == 200
    page = response.content.decode()
    # 110 + 50 (Hà Nội's wards) + 190 (Đà Nẵng) = 350; October: 100 + 40 + 210 = 350 too.
    assert "350" in page
    assert "Mục tiêu" in page and "400" in page  # the year's target
    # The year so far (September to November here: 320 + 350 + 350) against the target.
    assert "lũy kế 1.020, đạt 255,0%" in page
    assert response["Server-Timing"].startswith("data;dur=")
    rows = panel_csv(client, "TQ", 0, period="202611")
    received = next(row for row in rows if row[0] == RECEIVED)
    assert float(received[3]) == 350
    assert float(received[5]) == 350  # previous month
    assert float(received[6]) == 80  # November 2025: only Ba Đình reported
    assert float(received[8]) == pytest.approx((350 - 80) / 80 * 100)


def test_a_filter_changes_the_figures(client, leader):
    rows = panel_csv(client, "TQ", 0, period="202609")
    received = next(row for row in rows if row[0] == RECEIVED)
    assert float(received[3]) == 90 + 30 + 200


def test_ranking_map_and_table_show_the_provinces(client, leader):
    ranking = panel_csv(client, "TQ", 2, period="202611")
    assert ranking[1][1:4] == ["48", "Thành phố Đà Nẵng", "190.0"]
    assert ranking[2][1] == "01" and float(ranking[2][3]) == 160
    assert len(ranking) == 1 + 34
    response = client.get(
        reverse("dashboards:panel", args=["TQ", 3]) + "?period=202611&format=json"
    )
    data = response.json()
    assert len(data["rows"]) == 34
    assert {row["code"] for row in data["rows"] if row["value"] is not None} == {"01", "48"}
    table = client.get(reverse("dashboards:panel", args=["TQ", 4]) + "?period=202611&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(table.content)).active
    values = {row[0]: row[2:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["01"] == (160, 55)
    assert values["48"] == (190, None)


def test_the_series_follows_the_months(client, leader):
    rows = panel_csv(client, "TQ", 1, period="202611")
    assert [(row[3], float(row[4])) for row in rows[1:]] == [
        ("202609", 320),
        ("202610", 350),
        ("202611", 350),
    ]


def test_a_province_page_drills_down_to_its_communes(client, leader):
    response = client.get(reverse("dashboards:unit", args=["01"]) + "?period=202611")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Thành phố Hà Nội" in page
    assert reverse("dashboards:unit", args=["00004"]) in page  # a commune's page
    rows = panel_csv(client, "TINH-THU", 1, period="202611", unit="01")
    by_code = {row[0]: row for row in rows[1:]}
    assert float(by_code["00004"][2]) == 110
    assert float(by_code["00008"][2]) == 50


def test_a_sector_page_and_the_map_page(client, leader):
    sector = Indicator.objects.get(code=RECEIVED).sector.code
    assert client.get(reverse("dashboards:sector", args=[sector])).status_code == 200
    assert client.get(reverse("dashboards:map")).status_code == 200


def test_alerts_list_the_units_past_a_threshold(client, leader):
    AlertRule.objects.create(
        code="CB.TIEP_NHAN",
        name="Hồ sơ tiếp nhận tăng đột biến",
        indicator=Indicator.objects.get(code=RECEIVED),
        operator=">",
        threshold=Decimal(180),
        level="province",
        period_type="month",
    )
    response = client.get(reverse("dashboards:alerts") + "?period=202611")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Thành phố Đà Nẵng" in page and "190" in page
    assert "ngưỡng" in page or "alert when" in page


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/direction/units/99999/", 404, "99999"),
        ("/direction/?period_type=decade", 400, "decade"),
        ("/direction/?period=2031", 400, "2031"),
        ("/direction/?period=2099M1", 400, "2099M1"),
        ("/direction/pages/KHONG-CO/", 404, "KHONG-CO"),
        ("/direction/indicators/KHONG.CO/", 404, "KHONG.CO"),
        ("/direction/pages/TQ/panels/99/", 404, "99"),
        ("/direction/?indicator=KHONG.CO", 400, "KHONG.CO"),
    ],
)
def test_bad_urls_get_a_clear_page(client, leader, url, status, words):
    response = client.get(url)
    assert response.status_code == status
    page = response.content.decode()
    assert words in page
    assert "Không thể hiển thị trang này" in page


def test_a_provincial_leader_sees_their_province_only(client, hanoi_leader):
    assert client.get(reverse("dashboards:unit", args=["01"])).status_code == 200
    denied = client.get(reverse("dashboards:unit", args=["48"]))
    assert denied.status_code == 403
    assert "48" in denied.content.decode()
    # Their overview is their province, and the map colours only what they may see.
    response = client.get(reverse("dashboards:panel", args=["TQ", 3]) + "?format=json")
    assert [row["code"] for row in response.json()["rows"]] == ["01"]


def test_the_version_changes_when_a_value_is_written(client, leader):
    before = client.get(reverse("dashboards:version")).json()["version"]
    put(RECEIVED, "00004", "202611", 111)
    after = client.get(reverse("dashboards:version")).json()["version"]
    assert before != after
    rows = panel_csv(client, "TQ", 0, period="202611")
    assert float(next(row for row in rows if row[0] == RECEIVED)[3]) == 351


def test_the_sign_in_is_required(client, pages):
    response = client.get(reverse("dashboards:overview"))
    assert response.status_code == 302


def test_the_historical_map_draws_the_63_former_provinces(client, leader):
    put(RECEIVED, "02", "202406", 70)  # Hà Giang, merged into Tuyên Quang in 2025
    response = client.get(
        reverse("dashboards:panel", args=["TQ", 3])
        + "?period=202406&structure=historical&format=json"
    )
    data = response.json()
    assert len(data["rows"]) == 63
    assert {row["code"]: row["value"] for row in data["rows"]}["02"] == 70
    assert data["geojson"] == reverse("dashboards:geo", args=["2024-06-30"])
    shapes = client.get(data["geojson"]).json()
    assert len(shapes["features"]) == 63
    # Today's structure: the same figure counted in Tuyên Quang (08), on today's 34.
    today = client.get(
        reverse("dashboards:panel", args=["TQ", 3]) + "?period=202406&format=json"
    ).json()
    assert len(today["rows"]) == 34
    assert {row["code"]: row["value"] for row in today["rows"]}["08"] == 70


def test_a_period_without_data_says_so(client, leader):
    response = client.get(reverse("dashboards:overview") + "?period=202301")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Chưa có số liệu Tháng 1/2023" in page
    rows = panel_csv(client, "TQ", 1, period="202301")
    assert all(row[4] == "" for row in rows[1:])  # the series' values are empty, not zero


def test_the_sector_filter_keeps_that_areas_indicators(client, leader):
    own = Indicator.objects.get(code=RECEIVED).sector.code
    other = Sector.objects.exclude(code=own).order_by("order").first()
    assert other is not None
    kept = client.get(reverse("dashboards:overview") + f"?period=202611&sector={own}")
    dropped = client.get(reverse("dashboards:overview") + f"?period=202611&sector={other.code}")
    assert kept.content.decode().count('class="panel panel--') == 6
    # Only the alerts panel (no indicators) is left for another area.
    assert dropped.content.decode().count('class="panel panel--') == 1
    unknown = client.get(reverse("dashboards:overview") + "?sector=KHONG")
    assert unknown.status_code == 400
    assert "KHONG" in unknown.content.decode()
