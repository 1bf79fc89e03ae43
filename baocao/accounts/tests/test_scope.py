"""Users see their unit and what lies below it, on the day asked about."""

from __future__ import annotations

import datetime as dt

import pytest

from baocao.accounts.scope import restrict, unit_ids_in_scope
from baocao.accounts.services import user_create
from baocao.organisations.models import Unit, UnitVersion

pytestmark = pytest.mark.django_db


def make(username: str, code: str | None, **kwargs):
    unit = Unit.objects.get(code=code) if code else None
    return user_create(username=username, password=None, unit=unit, actor=None, **kwargs)


def test_province_officer_sees_their_province_and_its_communes():
    officer = make("can-bo-da-nang", "48", roles=["reviewer"])
    ids = unit_ids_in_scope(officer, on=dt.date(2025, 7, 1))
    assert Unit.objects.get(code="48").pk in ids
    assert len(ids) == 1 + 94
    assert Unit.objects.get(code="01").pk not in ids


def test_scope_follows_the_hierarchy_of_the_day():
    officer = make("can-bo-quang-tri", "44")
    before = unit_ids_in_scope(officer, on=dt.date(2025, 6, 30))  # Quảng Bình then
    after = unit_ids_in_scope(officer, on=dt.date(2025, 7, 1))  # merged Quảng Trị
    assert Unit.objects.get(code="450").pk in before  # Đồng Hới city, a district of Quảng Bình
    assert len(after) == 1 + 78


def test_restrict_filters_a_queryset():
    officer = make("can-bo-hue", "46")
    versions = restrict(UnitVersion.objects.valid_on(dt.date(2025, 7, 1)), officer)
    assert versions.count() == 1 + 40


def test_government_users_and_superusers_see_everything():
    assert unit_ids_in_scope(make("lanh-dao", "CP", roles=["leader"])) is None
    assert unit_ids_in_scope(make("root", None, is_superuser=True)) is None


def test_user_without_a_unit_sees_nothing():
    assert unit_ids_in_scope(make("khach", None)) == set()


def test_roles_are_recorded_once():
    user = make("nhieu-vai-tro", "01", roles=["reporter", "reviewer", "reporter"])
    assert sorted(user.roles.values_list("role", flat=True)) == ["reporter", "reviewer"]
    assert user.has_role("reviewer") and not user.has_role("leader")


def test_me_endpoint(api_client):
    data = api_client.get("/api/v1/me/").json()
    assert data["unit"] == "01"
    assert data["roles"] == ["reporter"]
