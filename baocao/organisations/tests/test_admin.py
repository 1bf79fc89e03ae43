"""The admin pages, in Vietnamese: browsing the tree by date."""

from __future__ import annotations

import pytest
from django.test import Client

from baocao.accounts.services import user_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    admin = user_create(
        username="quan-tri",
        password="mat-khau-dai-123",
        unit=None,
        is_staff=True,
        is_superuser=True,
        actor=None,
    )
    client = Client()
    client.force_login(admin)
    return client


def test_tree_on_the_day_before_the_reorganisation(admin_client):
    page = admin_client.get(
        "/admin/organisations/unit/tree/", {"as_of": "30/06/2025", "unit": "44"}
    ).content.decode()
    assert "Tỉnh Quảng Bình" in page
    assert "Thành Phố Đồng Hới" in page  # a district of Quảng Bình then
    assert "10.035" in page  # communes in force that day, Vietnamese grouping


def test_tree_on_the_day_after(admin_client):
    page = admin_client.get(
        "/admin/organisations/unit/tree/", {"as_of": "2025-07-01", "unit": "44"}
    ).content.decode()
    assert "Tỉnh Quảng Trị" in page
    assert "Phường Đồng Hới" in page
    assert "3.321" in page


def test_tree_with_a_bad_date_says_so(admin_client):
    page = admin_client.get("/admin/organisations/unit/tree/", {"as_of": "31/02/2025"})
    assert page.status_code == 200
    assert "31/02/2025" in page.content.decode()


def test_unknown_unit_in_the_tree(admin_client):
    page = admin_client.get("/admin/organisations/unit/tree/", {"unit": "KHONG"})
    assert "KHONG" in page.content.decode()


def test_unit_change_page_lists_versions(admin_client):
    from baocao.organisations.models import Unit

    unit = Unit.objects.get(code="46")
    page = admin_client.get(f"/admin/organisations/unit/{unit.pk}/change/").content.decode()
    assert "Tỉnh Thừa Thiên Huế" in page and "Thành phố Huế" in page
