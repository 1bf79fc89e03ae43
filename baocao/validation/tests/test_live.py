"""The entry form's live check: the values on the page, saved or not, judged by the engine."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from baocao.submissions.tests.conftest import PLAUSIBLE

pytestmark = pytest.mark.django_db


def post(client, report, values):
    data = {f"v|{code}|": text for code, text in values.items()}
    return client.post(f"/reports/{report.pk}/check/", data)


def test_typed_values_are_checked_before_they_are_saved(report, officer):
    client = Client()
    client.force_login(officer)
    typed = {code: str(value) for code, value in PLAUSIBLE.items()}
    response = post(client, report, typed)
    assert response.status_code == 200
    assert 'data-findings="0"' in response.content.decode()

    typed["HCC.HS_TRUC_TUYEN"] = "1.300"  # Vietnamese thousands: more online than received
    typed["HCC.HS_GQ_QUA_HAN"] = "12a"  # not a number yet: left to the page's own check
    page = post(client, report, typed).content.decode()
    [cells] = re.findall(r'data-finding-cells="([^"]*)"', page)
    assert json.loads(cells.replace("&quot;", '"')) == [
        "v|HCC.HS_TRUC_TUYEN|",
        "v|HCC.HS_TIEP_NHAN|",
    ]
    assert 'data-importance="error"' in page
    assert "1.300" in page  # the message shows the values the Vietnamese way
    assert not report.values.exists()  # nothing was saved


def test_the_check_is_refused_outside_the_users_scope(report):
    from baocao.accounts.services import user_create
    from baocao.organisations.models import Unit

    outsider = user_create(
        username="canbo-hcm",
        password=None,
        unit=Unit.objects.get(code="25747"),
        roles=["reporter"],
        actor=None,
    )
    client = Client()
    client.force_login(outsider)
    assert post(client, report, {"HCC.HS_TIEP_NHAN": "1"}).status_code == 403
