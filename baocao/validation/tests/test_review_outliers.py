"""The review page marks values that are outliers against the unit's history (issue 5)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from baocao.catalogue.models import ValidationRule
from baocao.submissions import services
from baocao.submissions.tests.conftest import full_values
from baocao.validation.tests.test_selectors import RECEIVED, four_years, store

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_rules(sample_catalogue):
    # The sample's rules would ask to explain a month five times the last; not tested here.
    ValidationRule.objects.all().delete()


def send(report, officer, received):
    values = [
        services.ValueInput(item.indicator, item.disaggregation, received)
        if (item.indicator, item.disaggregation) == RECEIVED
        else item
        for item in full_values(report)
    ]
    services.report_save(report=report, values=values, actor=officer)
    services.report_submit(report=report, actor=officer)


def review_page(report, reviewer):
    client = Client()
    client.force_login(reviewer)
    response = client.get(reverse("submissions:report-review", args=[report.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_outlier_is_marked_with_its_expected_range(report, officer, reviewer):
    store(report, RECEIVED, four_years())
    send(report, officer, "6000")
    page = review_page(report, reviewer)
    assert page.count('data-outlier="1"') == 1
    assert 'data-outliers="1"' in page
    # The marked cell is the dossiers received, 6.000 in Vietnamese, expected 941 to 1.459.
    cell = re.search(r'<td[^>]*data-outlier="1"[^>]*>(.*?)</td>', page, re.S)
    assert cell is not None
    assert "6.000" in cell[1]
    assert "941 – 1.459" in cell[1]
    assert 'class="badge badge--outlier" title="' in cell[1]


def test_a_usual_value_is_not_marked(report, officer, reviewer):
    store(report, RECEIVED, four_years())
    send(report, officer, "1250")
    page = review_page(report, reviewer)
    assert "data-outlier=" not in page
    assert "data-outliers=" not in page
