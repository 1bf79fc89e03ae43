from __future__ import annotations

import pytest
from django.test import Client

from baocao.accounts.models import User
from baocao.audit.models import ChangeRecord
from baocao.catalogue.models import Indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(small_catalogue):
    admin = User.objects.create_superuser("quan-tri", password="mat-khau-dai-123")
    client = Client()
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    "model",
    ["sector", "dimension", "indicator", "form", "formsection", "regime", "regimeversion"],
)
def test_every_catalogue_admin_page_opens(admin_client, model):
    listing = admin_client.get(f"/admin/catalogue/{model}/")
    assert listing.status_code == 200
    assert admin_client.get(f"/admin/catalogue/{model}/add/").status_code == 200


def test_admin_refuses_a_formula_citing_a_missing_indicator_and_audits_a_good_edit(admin_client):
    indicator = Indicator.objects.get(code="LD.TL_THAT_NGHIEP")
    url = f"/admin/catalogue/indicator/{indicator.pk}/change/"
    form = {
        "code": indicator.code,
        "name": indicator.name,
        "name_en": "",
        "description": "",
        "unit_of_measure": "%",
        "value_type": "percentage",
        "aggregation": "none",
        "decimals": "2",
        "sector": str(indicator.sector_id),
        "legal_source": "",
        "statistical_code": "",
        "formula": "#{LD.THAT_NGHIEP} / #{KHONG_CO} * 100",
        "dimension_links-TOTAL_FORMS": "0",
        "dimension_links-INITIAL_FORMS": "0",
    }
    refused = admin_client.post(url, form)
    assert refused.status_code == 200
    assert "KHONG_CO" in refused.content.decode()
    indicator.refresh_from_db()
    assert "KHONG_CO" not in indicator.formula

    form["formula"] = "#{LD.THAT_NGHIEP} * 100 / #{LD.LLLD}"
    before = ChangeRecord.objects.count()
    assert admin_client.post(url, form).status_code == 302
    indicator.refresh_from_db()
    assert indicator.formula == "#{LD.THAT_NGHIEP} * 100 / #{LD.LLLD}"
    assert ChangeRecord.objects.count() == before + 1
