"""Every page's header names the user's unit as it is named today."""

from __future__ import annotations

import pytest
from django.test import Client

from baocao.accounts.services import user_create
from baocao.organisations.models import Unit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/calendar/", "/reports/", "/data-quality/runs/"])
def test_the_header_names_the_unit_under_its_current_name(path):
    # 00004 was Phường Trúc Bạch until 30/06/2025 and is Phường Ba Đình since 01/07/2025.
    user = user_create(
        username="canbo-badinh",
        password=None,
        unit=Unit.objects.get(code="00004"),
        roles=["reporter", "analyst"],
        actor=None,
    )
    client = Client()
    client.force_login(user)
    page = client.get(path).content.decode()
    assert '<span class="user-box__unit">Phường Ba Đình</span>' in page
